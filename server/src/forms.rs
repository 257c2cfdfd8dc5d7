//! Plain HTML form posts of the approval pages, so they work before the WASM loads (or
//! without JavaScript), and the live notification stream.
//!
//! `POST /approvals/form` takes a request form (multipart, with files, or urlencoded): its
//! inputs are named by the paths the validation reports (`items[0].amount`), controls start
//! with `_` (`_op`, `_template`, `_draft`, `_instance`, `_lock`, `_pick.<node>`), and a
//! file input `file:<path>` uploads into the attachment field at `<path>`. A refused post is
//! kept as a draft and sent back to the form with its errors (left in the session,
//! `app::flash`), so nothing typed is lost. With
//! `Accept: application/json` (the browser's live form) it answers in JSON instead.

use crate::api::ApiError;
use app::ctx::{AppState, Caller};
use app::domain::workflow::form::{FieldError, FormSchema};
use app::domain::workflow::formdata;
use app::error::{AppError, ErrorCode};
use app::flash::{Flash, Label, ResultRow};
use app::workflow::api::{ResubmitRequest, SubmitRequest};
use app::workflow::{desk, service as wf};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use std::collections::HashMap;

/// Routes for the form posts; their bodies may carry files, so their limit is the upload
/// limit (several files) rather than the general one.
pub fn routes(max_upload_bytes: usize) -> axum::Router<AppState> {
    axum::Router::new()
        .route(app::workflow::pages::form::FORM_ACTION, axum::routing::post(request_form))
        .route("/approvals/batch", axum::routing::post(batch_form))
        .layer(axum::extract::DefaultBodyLimit::max(max_upload_bytes.saturating_mul(4).saturating_add(1 << 20)))
}

/// The most inputs a posted form may have (a thousand table rows of several columns fit).
const MAX_FORM_FIELDS: usize = 20_000;

struct Upload {
    path: String,
    filename: String,
    content_type: String,
    bytes: Vec<u8>,
}

fn wants_html(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

fn wants_json(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"))
}

async fn read_pairs(req: Request, st: &AppState) -> Result<(Vec<(String, String)>, Vec<Upload>), AppError> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, st)
            .await
            .map_err(|e| AppError::bad(format!("unreadable form: {e}")))?;
        if pairs.len() > MAX_FORM_FIELDS {
            return Err(AppError::bad(format!("a form has at most {MAX_FORM_FIELDS} fields")));
        }
        return Ok((pairs, vec![]));
    }
    let mut mp = Multipart::from_request(req, st).await.map_err(|e| AppError::bad(e.body_text()))?;
    let mut pairs = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(AppError::PayloadTooLarge),
            Err(e) => return Err(AppError::bad(e.body_text())),
        };
        if pairs.len() + files.len() >= MAX_FORM_FIELDS {
            return Err(AppError::bad(format!("a form has at most {MAX_FORM_FIELDS} fields")));
        }
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(path) = name.strip_prefix("file:") {
            let path = path.to_owned();
            let filename = field.file_name().unwrap_or_default().to_owned();
            let content_type = field.content_type().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::bad(e.body_text())
                }
            })?;
            // A file input left empty still posts a part with no name and no bytes.
            if !filename.is_empty() || !bytes.is_empty() {
                files.push(Upload { path, filename, content_type, bytes: bytes.to_vec() });
            }
        } else {
            let text = field.text().await.map_err(|e| AppError::bad(e.body_text()))?;
            pairs.push((name, text));
        }
    }
    Ok((pairs, files))
}

fn control<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
}

fn picks_of(pairs: &[(String, String)]) -> HashMap<String, Vec<i64>> {
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    for (k, v) in pairs {
        if let Some(node) = k.strip_prefix("_pick.")
            && let Ok(id) = v.trim().parse::<i64>()
        {
            out.entry(node.to_owned()).or_default().push(id);
        }
    }
    out
}

fn upload_code(e: &AppError) -> ErrorCode {
    match e {
        AppError::Validation { code, .. } => *code,
        AppError::PayloadTooLarge => ErrorCode::OutOfRange,
        _ => ErrorCode::InvalidFormat,
    }
}

fn form_url(key: &str, instance: Option<i64>, draft: Option<i64>) -> String {
    let base = match instance {
        Some(i) => format!("/approvals/{i}/resubmit"),
        None => format!("/approvals/new/{key}"),
    };
    match draft {
        Some(d) => format!("{base}?draft={d}"),
        None => base,
    }
}

fn back_with_error(url: &str, e: &AppError) -> Response {
    let source = app::workflow::pages::form::FORM_ACTION.to_owned();
    with_flash(Redirect::to(url).into_response(), &Flash::Error { source, error: e.clone(), kept: Vec::new() })
}

/// `res` with `flash` for the page it redirects to (moved into the session by
/// `middleware::flash`).
fn with_flash(mut res: Response, flash: &Flash) -> Response {
    if let Some(v) = app::flash::header_value(flash) {
        res.headers_mut().insert(app::flash::HEADER, v);
    }
    res
}

async fn request_form(State(st): State<AppState>, Extension(caller): Extension<Caller>, req: Request) -> Response {
    let json = wants_json(req.headers());
    let html = wants_html(req.headers());
    match handle_request_form(&st, &caller, req, json).await {
        Ok(r) => r,
        Err(e) if json => ApiError(e).into_response(),
        Err(AppError::Unauthenticated) if html => Redirect::to("/login").into_response(),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden)) => ApiError(e).into_response(),
        Err(e) => {
            // Nothing to keep (an unreadable post): back to where it came from.
            let url = "/approvals/new".to_owned();
            back_with_error(&url, &e)
        }
    }
}

async fn handle_request_form(st: &AppState, caller: &Caller, req: Request, json: bool) -> Result<Response, AppError> {
    caller.require_user()?;
    let (mut pairs, files) = read_pairs(req, st).await?;
    let op = control(&pairs, "_op").unwrap_or("submit").to_owned();
    let mut draft = control(&pairs, "_draft").and_then(|v| v.parse::<i64>().ok());
    let instance = control(&pairs, "_instance").and_then(|v| v.parse::<i64>().ok());
    let lock = control(&pairs, "_lock").and_then(|v| v.parse::<i64>().ok());
    let (key, schema): (String, FormSchema) = match instance {
        Some(i) => {
            let v = wf::get_instance(st, caller, i).await?;
            (v.template_key, v.form_schema)
        }
        None => {
            let key = control(&pairs, "_template").ok_or_else(|| AppError::field("_template", ErrorCode::Required))?;
            let t = wf::get_template(&st.db, caller, key).await?;
            (t.key, t.form)
        }
    };
    // Files posted without JavaScript become attachments of their fields first.
    let mut upload_errors = Vec::new();
    for f in files {
        match wf::upload_attachment(st, caller, &f.filename, &f.content_type, &f.bytes).await {
            Ok(a) => pairs.push((f.path, a.id)),
            Err(e) => upload_errors.push(FieldError { path: f.path, code: upload_code(&e) }),
        }
    }
    let form = formdata::from_pairs(&schema, &pairs);
    let picks = picks_of(&pairs);
    let keep = |draft: Option<i64>| {
        let form = form.clone();
        let key = key.clone();
        async move { desk::save_draft(st, caller, draft, &key, instance, &form).await }
    };
    if op == "draft" {
        let id = keep(draft).await?;
        if json {
            return Ok(Json(serde_json::json!({"draft": id})).into_response());
        }
        return Ok(Redirect::to(&format!("{}&saved=1", form_url(&key, instance, Some(id)))).into_response());
    }
    if op != "submit" {
        return Err(AppError::field("_op", ErrorCode::InvalidFormat));
    }
    let result = if upload_errors.is_empty() {
        match instance {
            Some(i) => {
                // The lock version the requester saw: a request changed meanwhile is a conflict
                // (checked in the resubmission's own transaction).
                let picks = (!picks.is_empty()).then_some(picks);
                wf::resubmit(st, caller, i, ResubmitRequest { form: form.clone(), picks, lock_version: lock }).await
            }
            None => {
                wf::submit(st, caller, SubmitRequest { template_key: key.clone(), form: form.clone(), picks }).await
            }
        }
    } else {
        Err(AppError::InvalidForm { errors: upload_errors })
    };
    match result {
        Ok(v) => {
            desk::drop_draft(st, caller, draft).await;
            let to = format!("/approvals/{}", v.id);
            if json {
                return Ok(Json(serde_json::json!({"instance": v.id, "redirect": to})).into_response());
            }
            Ok(Redirect::to(&format!("{to}?submitted=1")).into_response())
        }
        Err(e) if json => Err(e),
        Err(e @ (AppError::InvalidForm { .. } | AppError::Validation { .. } | AppError::Conflict { .. })) => {
            // Kept as a draft, so the form comes back with everything typed and uploaded.
            draft = Some(keep(draft).await?);
            Ok(back_with_error(&form_url(&key, instance, draft), &e))
        }
        Err(e) => Err(e),
    }
}

async fn batch_form(State(st): State<AppState>, Extension(caller): Extension<Caller>, req: Request) -> Response {
    let json = wants_json(req.headers());
    let html = wants_html(req.headers());
    let run = async {
        caller.require_user()?;
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, &st)
            .await
            .map_err(|e| AppError::bad(format!("unreadable form: {e}")))?;
        let tasks: Vec<i64> =
            pairs.iter().filter(|(k, _)| k == "task").filter_map(|(_, v)| v.trim().parse().ok()).collect();
        let action = control(&pairs, "action").unwrap_or_default().to_owned();
        let comment = pairs.iter().find(|(k, _)| k == "comment").map(|(_, v)| v.clone()).unwrap_or_default();
        let back = control(&pairs, "_back").filter(|b| b.starts_with("/approvals")).unwrap_or("/approvals").to_owned();
        desk::batch_act(&st, &caller, &tasks, &action, &comment).await.map(|r| (r, back))
    };
    match run.await {
        Ok((items, _)) if json => Json(items).into_response(),
        Ok((items, back)) => {
            let rows = items
                .into_iter()
                .map(|i| ResultRow {
                    label: match (i.requester, i.template) {
                        (Some(requester), Some(template)) => Label::Request { requester, template },
                        _ => Label::Text(format!("#{}", i.task_id)),
                    },
                    href: i.instance_id.map(|id| format!("/approvals/{id}")),
                    error: i.error,
                })
                .collect();
            with_flash(Redirect::to(&back).into_response(), &Flash::Results(rows))
        }
        Err(e) if json => ApiError(e).into_response(),
        Err(AppError::Unauthenticated) if html => Redirect::to("/login").into_response(),
        Err(e @ (AppError::Unauthenticated | AppError::Forbidden)) => ApiError(e).into_response(),
        Err(e) => back_with_error("/approvals", &e),
    }
}

/// `GET /api/v1/events`: a server-sent event stream of the caller's counts. An event
/// `counts` comes at once and again whenever a notification arrives for them (any server
/// of the deployment may have written it: the stream reads the database), with the newest
/// notification.
pub async fn events(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    session: tower_sessions::Session,
) -> Result<
    axum::response::sse::Sse<
        impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
    >,
    ApiError,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let me = caller.require_user()?.user_id;
    // At most a few streams per person (opening another closes the oldest), and a stream
    // lives only as long as what signed it in: its session (signing out, a password change
    // or disabling the account delete it) or, for a token, an active account.
    let ticket = st.live.open(me);
    let session_id = session.id().map(|id| id.to_string());
    let still_signed_in = move |db: app::ctx::Db, session_id: Option<String>| async move {
        let active =
            app::entities::users::Entity::find_by_id(me).one(&db).await.ok().flatten().is_some_and(|u| u.active);
        match session_id {
            Some(id) if active => {
                app::entities::sessions::Entity::find_by_id(id).one(&db).await.ok().flatten().is_some()
            }
            _ => active,
        }
    };
    let latest_id = move |db: app::ctx::Db| async move {
        app::entities::notifications::Entity::find()
            .select_only()
            .column(app::entities::notifications::Column::Id)
            .filter(app::entities::notifications::Column::UserId.eq(me))
            .order_by_desc(app::entities::notifications::Column::Id)
            .limit(1)
            .into_tuple::<i64>()
            .one(&db)
            .await
            .ok()
            .flatten()
            .unwrap_or(0)
    };
    let state = (st, caller, -1_i64, ticket, session_id);
    let stream = futures_util::stream::unfold(state, move |(st, caller, seen, ticket, session_id)| async move {
        loop {
            if seen >= 0 {
                tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
            }
            if ticket.closed() || !still_signed_in(st.db.clone(), session_id.clone()).await {
                return None;
            }
            let now_id = latest_id(st.db.clone()).await;
            if now_id != seen {
                let counts = wf::task_counts(&st.db, &caller).await.unwrap_or_default();
                let latest = if seen >= 0 && now_id > seen {
                    wf::list_notifications(&st.db, &caller, None).await.ok().and_then(|p| p.items.into_iter().next())
                } else {
                    None
                };
                let data = serde_json::json!({"counts": counts, "latest": latest}).to_string();
                return Some((
                    Ok(Event::default().event("counts").data(data)),
                    (st, caller, now_id, ticket, session_id),
                ));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(std::time::Duration::from_secs(20))))
}
