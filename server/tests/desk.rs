//! Services behind the approval pages — drafts, the form page, batch decisions, e-mail
//! through a real (local) SMTP listener and the per-user choice of e-mails — on SQLite and
//! PostgreSQL.

mod common;

use app::ctx::{AppState, Caller, SmtpSettings};
use app::domain::workflow::instance::{InstanceStatus, TaskStatus};
use app::entities::mail_queue;
use app::error::{AppError, ErrorCode};
use app::workflow::api::{InstanceView, SubmitRequest, TaskAction, TaskActionBody};
use app::workflow::{desk, jobs, mail, service as wf};
use common::{TestDb, as_user, user_id};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

async fn submit(st: &AppState, who: &Caller, key: &str, form: Value) -> InstanceView {
    wf::submit(st, who, SubmitRequest { template_key: key.into(), form, picks: Default::default() }).await.unwrap()
}

fn expense(amount: &str) -> Value {
    json!({"reason": "客户拜访", "items": [{"date": "2026-11-02", "category": "transport", "amount": amount}]})
}

fn open_task(v: &InstanceView, user: i64) -> i64 {
    v.tasks.iter().find(|t| t.assignee.id == user && t.status == TaskStatus::Open).expect("open task").id
}

async fn drafts_and_the_form_page(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let li = as_user(&t.db, "li.na").await;
    let form = json!({"reason": "草稿", "items": [{"amount": "12.5"}]});
    let id = desk::save_draft(&st, &zhang, None, "expense", None, &form).await.unwrap();
    assert_eq!(desk::get_draft(&t.db, &zhang, id).await.unwrap().form, form);
    // Someone else's draft does not exist for them, and cannot be overwritten.
    assert_eq!(desk::get_draft(&t.db, &li, id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        desk::save_draft(&st, &li, Some(id), "expense", None, &json!({})).await.unwrap_err(),
        AppError::NotFound
    );
    assert_eq!(desk::save_draft(&st, &zhang, None, "nope", None, &form).await.unwrap_err(), AppError::NotFound);
    let big = json!({"reason": "x".repeat(300 * 1024)});
    assert_eq!(
        desk::save_draft(&st, &zhang, None, "expense", None, &big).await.unwrap_err(),
        AppError::PayloadTooLarge
    );
    let again = json!({"reason": "改过的草稿"});
    assert_eq!(desk::save_draft(&st, &zhang, Some(id), "expense", None, &again).await.unwrap(), id);
    let list = desk::list_drafts(&t.db, &zhang).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].template_name.as_str(), list[0].id), ("报销", id));
    assert!(desk::list_drafts(&t.db, &li).await.unwrap().is_empty());

    // The form page of the draft: its values, the path they take, no balances for expenses.
    let page = desk::form_page(&st, &zhang, None, Some(id), None).await.unwrap();
    assert_eq!((page.key.as_str(), page.draft_id, &page.form), ("expense", Some(id), &again));
    let path: Vec<&str> = page.predicted.iter().map(|s| s.node_id.as_str()).collect();
    assert!(path.starts_with(&["manager", "finance"]), "{path:?}");
    assert!(page.balances.is_empty());
    // Leave shows the balances and the calendar for counting days.
    let leave = desk::form_page(&st, &zhang, Some("leave".into()), None, None).await.unwrap();
    let annual = leave.balances.iter().find(|b| b.leave_type == "annual").unwrap();
    assert_eq!(annual.available_days, "10");
    // The general request lets the requester pick approvers: people come with it.
    let general = desk::form_page(&st, &zhang, Some("general".into()), None, None).await.unwrap();
    assert_eq!(general.picks.len(), 1);
    assert!(general.people.iter().any(|p| p.display_name == "李娜"));

    // A returned request opens for resubmission with the return's comment; only for its requester.
    let v = submit(&st, &zhang, "expense", expense("100")).await;
    let ret = TaskActionBody {
        action: TaskAction::Return { target_node: Some("requester".into()) },
        comment: "请补充票据".into(),
        lock_version: None,
    };
    wf::act(&st, &li, open_task(&v, user_id(&t.db, "li.na").await), ret).await.unwrap();
    let page = desk::form_page(&st, &zhang, None, None, Some(v.id)).await.unwrap();
    let info = page.resubmit.expect("resubmit info");
    assert!(info.returns.iter().any(|h| h.comment == "请补充票据"), "{:?}", info.returns);
    assert_eq!(page.form["reason"], json!("客户拜访"));
    assert_eq!(desk::form_page(&st, &li, None, None, Some(v.id)).await.unwrap_err(), AppError::NotFound);
    // A request that is running is not open for resubmission.
    let running = submit(&st, &zhang, "expense", expense("50")).await;
    assert!(matches!(
        desk::form_page(&st, &zhang, None, None, Some(running.id)).await.unwrap_err(),
        AppError::Conflict { .. }
    ));

    desk::delete_draft(&st, &zhang, id).await.unwrap();
    assert_eq!(desk::delete_draft(&st, &zhang, id).await.unwrap_err(), AppError::NotFound);
}

async fn batch_decisions_report_each_task(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let li = as_user(&t.db, "li.na").await;
    let li_id = user_id(&t.db, "li.na").await;
    let mut tasks = Vec::new();
    for amount in ["100", "200", "300"] {
        tasks.push(open_task(&submit(&st, &zhang, "expense", expense(amount)).await, li_id));
    }
    // One task that is not li.na's: her own request waits for her manager.
    let other = submit(&st, &li, "expense", expense("10")).await;
    let foreign = other.tasks.iter().find(|t| t.status == TaskStatus::Open).unwrap().id;
    let mut batch = tasks.clone();
    batch.push(foreign);
    let out = desk::batch_act(&st, &li, &batch, "approve", "同意，辛苦").await.unwrap();
    assert_eq!(out.len(), 4);
    for item in &out[..3] {
        assert!(item.error.is_none(), "{item:?}");
        let v = wf::get_instance(&st, &li, item.instance_id.unwrap()).await.unwrap();
        assert!(v.history.iter().any(|h| h.comment == "同意，辛苦"));
        assert_eq!(v.status, InstanceStatus::Running, "on to finance");
    }
    assert_eq!(out[3].error, Some(AppError::Forbidden), "someone else's task fails alone");
    // Deciding again: each already handled.
    let again = desk::batch_act(&st, &li, &tasks, "reject", "").await.unwrap();
    assert!(again.iter().all(|i| i.error.is_some()), "{again:?}");
    assert_eq!(
        desk::batch_act(&st, &li, &tasks, "transfer", "").await.unwrap_err(),
        AppError::field("action", ErrorCode::InvalidFormat)
    );
    assert_eq!(
        desk::batch_act(&st, &li, &[], "approve", "").await.unwrap_err(),
        AppError::field("tasks", ErrorCode::Required)
    );
}

/// Standard base64 (the mail body's transfer encoding), ignoring line breaks.
fn base64_decode(s: &str) -> Vec<u8> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ABC.iter().position(|x| *x == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// A minimal SMTP server for the test: accepts every message and keeps it.
async fn smtp_listener() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let store = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                let _ = w.write_all(b"220 test ESMTP\r\n").await;
                let mut data = None::<String>;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            store.lock().unwrap().push(std::mem::take(buf));
                            data = None;
                            let _ = w.write_all(b"250 OK queued\r\n").await;
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let cmd = line.to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if cmd.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 go ahead\r\n"
                    } else if cmd.starts_with("QUIT") {
                        let _ = w.write_all(b"221 bye\r\n").await;
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    let _ = w.write_all(reply).await;
                }
            });
        }
    });
    (format!("smtp://{addr}"), got)
}

async fn email_goes_out_as_each_user_chose(t: TestDb) {
    let (url, inbox) = smtp_listener().await;
    let st = t.state_with_smtp(Some(SmtpSettings {
        url,
        from: "通办 <noreply@tongban.example>".into(),
        public_url: "https://oa.example.com".into(),
    }));
    let zhang = as_user(&t.db, "zhang.wei").await;
    let li = as_user(&t.db, "li.na").await;
    let v = submit(&st, &zhang, "expense", expense("100")).await;
    jobs::deliver_outbox(&st).await.unwrap();
    let queued = mail_queue::Entity::find().all(&t.db).await.unwrap();
    assert_eq!(queued.len(), 1, "li.na's new task (zhang.wei chose no e-mail for his own submit)");
    assert_eq!(queued[0].to_addr, "li.na@tongban.example");
    assert_eq!(mail::send_due(&st, "a").await.unwrap(), 1);
    assert_eq!(mail::send_due(&st, "a").await.unwrap(), 0, "each is sent once");
    {
        let got = inbox.lock().unwrap();
        assert_eq!(got.len(), 1);
        let m = &got[0];
        assert!(m.contains("li.na@tongban.example"), "{m}");
        assert!(m.contains("Subject:"), "{m}");
        assert!(m.contains("Subject: =?utf-8?b?"), "a Chinese subject, encoded: {m}");
        let body = m.split("\n\n").nth(1).unwrap_or_default();
        let text = String::from_utf8(base64_decode(body)).unwrap();
        assert!(text.contains("待办：张伟的报销"), "{text}");
        assert!(
            text.contains(&format!("https://oa.example.com/approvals/{}", v.id)),
            "the link is in the mail: {text}"
        );
    }
    // li.na turns task e-mails off: the next task arrives in the app only.
    let prefs = desk::set_prefs(&st, &li, &["decided".into()]).await.unwrap();
    assert_eq!(prefs.email_kinds, ["decided"]);
    assert!(prefs.smtp_enabled);
    assert_eq!(
        desk::set_prefs(&st, &li, &["spam".into()]).await.unwrap_err(),
        AppError::field("email_kinds", ErrorCode::UnknownReference)
    );
    submit(&st, &zhang, "expense", expense("200")).await;
    jobs::deliver_outbox(&st).await.unwrap();
    assert_eq!(mail_queue::Entity::find().count(&t.db).await.unwrap(), 1, "no new mail");
    // A mail server that is down: the mail stays, with its error, for a later try.
    let down = t.state_with_smtp(Some(SmtpSettings {
        url: "smtp://127.0.0.1:1".into(),
        from: "通办 <noreply@tongban.example>".into(),
        public_url: "https://oa.example.com".into(),
    }));
    let li_id = user_id(&t.db, "li.na").await;
    let v3 = submit(&down, &zhang, "expense", expense("300")).await;
    wf::act(
        &down,
        &li,
        open_task(&v3, li_id),
        TaskActionBody { action: TaskAction::Reject, comment: "不合规".into(), lock_version: None },
    )
    .await
    .unwrap();
    jobs::deliver_outbox(&down).await.unwrap();
    let pending = mail_queue::Entity::find().filter(mail_queue::Column::SentAt.is_null()).all(&t.db).await.unwrap();
    assert_eq!(pending.len(), 1, "zhang.wei's 'decided' mail");
    assert_eq!(mail::send_due(&down, "a").await.unwrap(), 0);
    let row = mail_queue::Entity::find_by_id(pending[0].id).one(&t.db).await.unwrap().unwrap();
    assert_eq!(row.attempts, 1);
    assert!(row.last_error.is_some() && row.sent_at.is_none() && row.available_at > down.clock.now());
}

/// Notices are worded when they are delivered, in each recipient's language (in the app
/// and by e-mail); a notice queued before that (its words already in it) is delivered as is.
async fn notices_are_worded_in_each_recipients_language(t: TestDb) {
    use app::entities::{notifications, outbox};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, QueryOrder};
    let st = t.state_with_smtp(Some(SmtpSettings {
        url: "smtp://127.0.0.1:9".into(),
        from: "通办 <noreply@tongban.example>".into(),
        public_url: "https://oa.example.com".into(),
    }));
    let zhang = as_user(&t.db, "zhang.wei").await;
    let li = as_user(&t.db, "li.na").await;
    let li_id = user_id(&t.db, "li.na").await;
    let zhang_id = user_id(&t.db, "zhang.wei").await;
    app::auth::server::set_locale(&st, &li, "en").await.unwrap();
    let v = submit(&st, &zhang, "expense", expense("100")).await;
    jobs::deliver_outbox(&st).await.unwrap();
    let note = |user: i64| {
        let db = t.db.clone();
        async move {
            notifications::Entity::find()
                .filter(notifications::Column::UserId.eq(user))
                .order_by_desc(notifications::Column::Id)
                .one(&db)
                .await
                .unwrap()
                .expect("a notification")
        }
    };
    let n = note(li_id).await;
    assert_eq!(n.title, "To do: 报销 from 张伟", "English for li.na, the title composed in English too");
    assert!(n.body.starts_with("Please handle “"), "{}", n.body);
    let mail =
        mail_queue::Entity::find().filter(mail_queue::Column::UserId.eq(li_id)).one(&t.db).await.unwrap().unwrap();
    assert_eq!(mail.subject, "[Tongban] To do: 报销 from 张伟");
    assert!(
        mail.body.starts_with("Hello 李娜,") && mail.body.contains("Open it: https://oa.example.com/approvals/"),
        "{}",
        mail.body
    );

    // li.na returns it: zhang.wei reads Chinese.
    let task = open_task(&v, li_id);
    let body = TaskActionBody {
        action: TaskAction::Return { target_node: None },
        comment: "请补充票据".into(),
        lock_version: None,
    };
    wf::act(&st, &li, task, body).await.unwrap();
    jobs::deliver_outbox(&st).await.unwrap();
    let n = note(zhang_id).await;
    assert_eq!((n.title.as_str(), n.body.as_str()), ("张伟的报销", "你的申请被退回，请修改后重新提交"));

    // A notice queued by an older server, with its words in it.
    let payload =
        json!({"user_id": zhang_id, "kind": "cc", "title": "抄送：旧的", "body": "旧格式", "instance_id": v.id});
    outbox::ActiveModel {
        topic: Set("notify".into()),
        payload: Set(payload.to_string()),
        created_at: Set(st.clock.now()),
        available_at: Set(st.clock.now()),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap();
    jobs::deliver_outbox(&st).await.unwrap();
    let n = note(zhang_id).await;
    assert_eq!((n.title.as_str(), n.body.as_str()), ("抄送：旧的", "旧格式"));
}

/// A batch decision posted as a plain form (the to-do list without JavaScript, or with it:
/// the batch bar is a plain form) of the largest size allowed: its results reach the next
/// page through the session, not the URL, and are shown once.
async fn a_hundred_batch_results_reach_the_next_page(t: TestDb) {
    use axum::http::{Method, StatusCode, header};
    use common::client::{Req, app, login, send};
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let li_id = user_id(&t.db, "li.na").await;
    let mut ids = Vec::new();
    let mut tasks = Vec::new();
    for n in 1..=100 {
        let v = submit(&st, &zhang, "expense", expense(&n.to_string())).await;
        tasks.push(open_task(&v, li_id));
        ids.push(v.id);
    }
    let form = |action: &str| {
        let picked: String = tasks.iter().map(|t| format!("&task={t}")).collect();
        format!("action={action}&comment=%E5%90%8C%E6%84%8F&_back=%2Fapprovals%3Fbox%3Dtodo{picked}")
    };
    let app = app(&t);
    let li = login(&app, "li.na").await;
    let html = || vec![("accept", "text/html".to_owned())];
    let post = |body: String| {
        let (app, li) = (app.clone(), li.clone());
        async move {
            send(
                &app,
                Method::POST,
                "/approvals/batch",
                Req { cookie: Some(&li), form: Some(body), headers: html(), ..Default::default() },
            )
            .await
        }
    };
    let page = |path: &'static str| {
        let (app, li) = (app.clone(), li.clone());
        async move {
            let mut r =
                send(&app, Method::GET, path, Req { cookie: Some(&li), headers: html(), ..Default::default() }).await;
            // Without the server-rendering markers around each interpolated value.
            r.body = r.body.replace("<!>", "");
            r
        }
    };

    let r = post(form("approve")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Back to the list as it was filtered, with nothing but the list's own query in the URL.
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/approvals?box=todo");
    assert!(r.headers.get(app::flash::HEADER).is_none(), "the message never leaves the server");
    let shown = page("/approvals?box=todo").await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("100 件成功，0 件失败"), "{}", shown.body);
    for id in &ids {
        assert!(
            shown.body.contains(&format!("href=\"/approvals/{id}\">张伟的报销</a>")),
            "request {id} is linked, named"
        );
    }
    let again = page("/approvals?box=todo").await;
    assert!(!again.body.contains("件成功"), "shown once: a reload does not repeat it");

    // Deciding again: every one fails, each with its reason; a message is for the very next
    // page only, so a visit elsewhere first drops it.
    let r = post(form("reject")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let shown = page("/approvals").await;
    assert!(shown.body.contains("0 件成功，100 件失败"), "{}", shown.body);
    let r = post(form("reject")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(page("/contacts").await.status, StatusCode::OK);
    assert!(!page("/approvals").await.body.contains("件失败"), "not carried past the next page");

    // A reader in English gets the rows named in English (the request's own words, its
    // requester's name and its form's name, stay as they are).
    let v = submit(&st, &zhang, "expense", expense("101")).await;
    let body = format!("action=approve&task={}&_back=%2Fapprovals", open_task(&v, li_id));
    let english = || vec![("accept", "text/html".to_owned()), ("accept-language", "en".to_owned())];
    let r = send(
        &app,
        Method::POST,
        "/approvals/batch",
        Req { cookie: Some(&li), form: Some(body), headers: english(), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let shown =
        send(&app, Method::GET, "/approvals", Req { cookie: Some(&li), headers: english(), ..Default::default() })
            .await
            .body
            .replace("<!>", "");
    let results = shown.split("id=\"batch-result\"").nth(1).and_then(|r| r.split("</div>").next()).expect("results");
    assert!(results.contains(&format!("href=\"/approvals/{}\">报销 from 张伟</a>", v.id)), "{results}");
    assert!(results.contains("Batch: 1 done, 0 failed"), "{results}");
}

on_both!(
    drafts_and_the_form_page,
    batch_decisions_report_each_task,
    a_hundred_batch_results_reach_the_next_page,
    notices_are_worded_in_each_recipients_language,
    email_goes_out_as_each_user_chose
);
