//! Services behind the approval pages: drafts, everything a request form needs in one
//! read, batch decisions, attachment details, notification preferences.

use super::api::{
    AttachmentDto, BatchItem, DraftDto, DraftSummary, FormPage, NotificationPrefsDto, PersonOption, ResubmitInfo,
    TaskAction, TaskActionBody,
};
use super::service::{self as svc, attachment_dto, ts};
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::workflow::flow::{ApproverRule, Node};
use crate::domain::workflow::form::FieldKind;
use crate::domain::workflow::instance::{EventKind, InstanceStatus};
use crate::entities::{attachments, departments, notification_prefs, users, wf_drafts, wf_templates};
use crate::error::{AppError, AppResult, ErrorCode};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value;
use std::collections::HashMap;

const MAX_DRAFT_BYTES: usize = 256 * 1024;
const MAX_DRAFTS: u64 = 100;

/// Kinds of notification a user may also get by e-mail.
pub const EMAIL_KINDS: [&str; 7] = ["task", "decided", "returned", "overdue", "urged", "cc", "comment"];
/// What a user gets by e-mail before choosing.
pub const DEFAULT_EMAIL_KINDS: [&str; 4] = ["task", "decided", "returned", "overdue"];

fn draft_dto(d: wf_drafts::Model) -> AppResult<DraftDto> {
    Ok(DraftDto {
        id: d.id,
        template_key: d.template_key,
        instance_id: d.instance_id,
        form: serde_json::from_str(&d.form).map_err(AppError::internal)?,
        updated_at: ts(d.updated_at),
    })
}

async fn own_draft(db: &impl sea_orm::ConnectionTrait, user: i64, id: i64) -> AppResult<wf_drafts::Model> {
    // Someone else's draft is "not found": its existence is not told.
    wf_drafts::Entity::find_by_id(id).one(db).await?.filter(|d| d.user_id == user).ok_or(AppError::NotFound)
}

/// Saves a draft of a request (new, or replacing one of the caller's own drafts); returns
/// its id. For a resubmission the instance must be the caller's own returned request.
///
/// # Errors
/// `NotFound` for an unknown template or someone else's draft or request; `PayloadTooLarge`
/// over 256 KiB; `Validation` at 100 drafts.
pub async fn save_draft(
    st: &AppState,
    caller: &Caller,
    id: Option<i64>,
    template_key: &str,
    instance: Option<i64>,
    form: &Value,
) -> AppResult<i64> {
    let me = caller.require_user()?.user_id;
    if !form.is_object() {
        return Err(AppError::bad("form must be a JSON object"));
    }
    let text = form.to_string();
    if text.len() > MAX_DRAFT_BYTES {
        return Err(AppError::PayloadTooLarge);
    }
    let t = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(template_key.trim()))
        .one(&st.db)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(iid) = instance {
        let v = svc::get_instance(st, caller, iid).await?;
        if v.requester.id != me {
            return Err(AppError::NotFound);
        }
    }
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let saved = match id {
        Some(id) => {
            let d = own_draft(&txn, me, id).await?;
            let mut am: wf_drafts::ActiveModel = d.into();
            am.form = Set(text);
            am.template_key = Set(t.key);
            am.instance_id = Set(instance);
            am.updated_at = Set(now);
            am.update(&txn).await?.id
        }
        None => {
            let n = wf_drafts::Entity::find().filter(wf_drafts::Column::UserId.eq(me)).count(&txn).await?;
            if n >= MAX_DRAFTS {
                return Err(AppError::field("draft", ErrorCode::OutOfRange));
            }
            wf_drafts::ActiveModel {
                user_id: Set(me),
                template_key: Set(t.key),
                instance_id: Set(instance),
                form: Set(text),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?
            .id
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// One of the caller's drafts.
///
/// # Errors
/// `NotFound` (also for someone else's).
pub async fn get_draft(db: &DatabaseConnection, caller: &Caller, id: i64) -> AppResult<DraftDto> {
    let me = caller.require_user()?.user_id;
    draft_dto(own_draft(db, me, id).await?)
}

/// The caller's drafts, newest first.
///
/// # Errors
/// `Unauthenticated`.
pub async fn list_drafts(db: &DatabaseConnection, caller: &Caller) -> AppResult<Vec<DraftSummary>> {
    let me = caller.require_user()?.user_id;
    let rows = wf_drafts::Entity::find()
        .filter(wf_drafts::Column::UserId.eq(me))
        .order_by_desc(wf_drafts::Column::UpdatedAt)
        .order_by_desc(wf_drafts::Column::Id)
        .limit(MAX_DRAFTS)
        .all(db)
        .await?;
    let names: HashMap<String, String> = wf_templates::Entity::find()
        .select_only()
        .column(wf_templates::Column::Key)
        .column(wf_templates::Column::Name)
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|d| DraftSummary {
            id: d.id,
            template_name: names.get(&d.template_key).cloned().unwrap_or_else(|| d.template_key.clone()),
            template_key: d.template_key,
            instance_id: d.instance_id,
            updated_at: ts(d.updated_at),
        })
        .collect())
}

/// Deletes one of the caller's drafts.
///
/// # Errors
/// `NotFound` (also for someone else's).
pub async fn delete_draft(st: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let me = caller.require_user()?.user_id;
    let txn = begin_write(&st.db).await?;
    let d = own_draft(&txn, me, id).await?;
    wf_drafts::Entity::delete_by_id(d.id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes the draft of a request once it is submitted (no error when it is gone).
pub async fn drop_draft(st: &AppState, caller: &Caller, id: Option<i64>) {
    if let Some(id) = id
        && let Err(e) = delete_draft(st, caller, id).await
        && e != AppError::NotFound
    {
        tracing::warn!(draft = id, error = %e, "draft not deleted after submit");
    }
}

/// Details of uploads the caller made (for showing the files already attached to a form).
///
/// # Errors
/// `Unauthenticated`.
pub async fn my_attachments(db: &DatabaseConnection, caller: &Caller, ids: &[i64]) -> AppResult<Vec<AttachmentDto>> {
    let me = caller.require_user()?.user_id;
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(attachments::Entity::find()
        .filter(attachments::Column::Id.is_in(ids.iter().copied().take(500).collect::<Vec<_>>()))
        .filter(attachments::Column::UploadedBy.eq(me))
        .all(db)
        .await?
        .into_iter()
        .map(attachment_dto)
        .collect())
}

fn attachment_ids(schema: &crate::domain::workflow::form::FormSchema, form: &Value) -> Vec<i64> {
    let Some(map) = form.as_object() else { return vec![] };
    svc::attachment_refs(schema, map).into_iter().filter_map(|(_, i)| i.parse().ok()).collect()
}

/// Everything the request form needs in one read: the template (for a resubmission, the
/// instance's own version), the values (a draft, the returned request, or blank), what the
/// requester may pick, leave balances for leave, the working calendar for counting days,
/// the files already attached and the path the current values would take.
///
/// # Errors
/// `NotFound` for an unknown template, someone else's draft or request; `Conflict` for a
/// request that is not waiting for resubmission.
pub async fn form_page(
    st: &AppState,
    caller: &Caller,
    key: Option<String>,
    draft: Option<i64>,
    resubmit: Option<i64>,
) -> AppResult<FormPage> {
    let user = caller.require_user()?.clone();
    let db = &st.db;
    let draft = match draft {
        Some(id) => Some(get_draft(db, caller, id).await?),
        None => None,
    };
    let instance = resubmit.or_else(|| draft.as_ref().and_then(|d| d.instance_id));
    let (key, schema, flow, name, description, icon, resubmit_info, base_form) = match instance {
        Some(iid) => {
            let v = svc::get_instance(st, caller, iid).await?;
            if v.requester.id != user.user_id {
                return Err(AppError::NotFound);
            }
            if v.status != InstanceStatus::Returned {
                return Err(AppError::conflict(crate::error::Conflict::NotReturned));
            }
            let returns = v
                .history
                .iter()
                .filter(|h| {
                    matches!(
                        h.event,
                        EventKind::Returned { .. } | EventKind::AutoReturned { .. } | EventKind::Commented
                    )
                })
                .cloned()
                .collect();
            let t = svc::get_template(db, caller, &v.template_key).await?;
            let info = ResubmitInfo { id: v.id, title: v.template_name.clone(), lock_version: v.lock_version, returns };
            (v.template_key, v.form_schema, v.flow, t.name, t.description, t.icon, Some(info), v.form)
        }
        None => {
            let key = key.or_else(|| draft.as_ref().map(|d| d.template_key.clone())).ok_or(AppError::NotFound)?;
            let t = svc::get_template(db, caller, &key).await?;
            (t.key, t.form, t.flow, t.name, t.description, t.icon, None, Value::Object(Default::default()))
        }
    };
    let form = draft.as_ref().map_or(base_form, |d| d.form.clone());
    let picks: Vec<(String, String)> = flow
        .walk()
        .into_iter()
        .filter_map(|n| match n {
            Node::Approver { id, name, rule: ApproverRule::RequesterPicks, .. }
            | Node::Handler { id, name, rule: ApproverRule::RequesterPicks, .. } => Some((id.clone(), name.clone())),
            _ => None,
        })
        .collect();
    let wants_people = !picks.is_empty() || schema.fields.iter().any(|f| matches!(f.kind, FieldKind::User));
    let wants_depts = schema.fields.iter().any(|f| matches!(f.kind, FieldKind::Department));
    let people = if wants_people { people(db).await? } else { vec![] };
    let depts = if wants_depts { crate::org::server::list_departments(st, caller).await? } else { vec![] };
    let is_leave = schema.fields.iter().any(|f| matches!(f.kind, FieldKind::WorkingDays { .. }));
    let balances = if is_leave { svc::leave_balances(st, caller, None).await? } else { vec![] };
    let files = my_attachments(db, caller, &attachment_ids(&schema, &form)).await?;
    let predicted = svc::predict_path(st, caller, &key, &form, &HashMap::new()).await.unwrap_or_default();
    Ok(FormPage {
        key,
        name,
        description,
        icon,
        schema,
        picks,
        form,
        draft_id: draft.map(|d| d.id),
        resubmit: resubmit_info,
        balances,
        calendar: svc::work_calendar(db).await?,
        files,
        people,
        departments: depts.into_iter().map(|d| (d.id, d.name, d.depth)).collect(),
        predicted,
        max_upload_bytes: st.settings.max_upload_bytes as u64,
    })
}

/// Active people for pickers, grouped by department name.
async fn people(db: &DatabaseConnection) -> AppResult<Vec<PersonOption>> {
    let depts: HashMap<i64, String> = departments::Entity::find()
        .select_only()
        .column(departments::Column::Id)
        .column(departments::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows: Vec<(i64, String, Option<i64>)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::DisplayName)
        .column(users::Column::DepartmentId)
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::DepartmentId)
        .order_by_asc(users::Column::DisplayName)
        .limit(5000)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name, d)| PersonOption {
            id,
            display_name,
            department: d.and_then(|d| depts.get(&d).cloned()).unwrap_or_default(),
        })
        .collect())
}

/// Approves or rejects several tasks with one comment; each task's result is reported
/// (one failing does not stop the others).
///
/// # Errors
/// `Validation` for another action, no tasks, or more than 100.
pub async fn batch_act(
    st: &AppState,
    caller: &Caller,
    tasks: &[i64],
    action: &str,
    comment: &str,
) -> AppResult<Vec<BatchItem>> {
    caller.require_user()?;
    let action = match action {
        "approve" => TaskAction::Approve,
        "reject" => TaskAction::Reject,
        _ => return Err(AppError::field("action", ErrorCode::InvalidFormat)),
    };
    if tasks.is_empty() {
        return Err(AppError::field("tasks", ErrorCode::Required));
    }
    if tasks.len() > 100 {
        return Err(AppError::field("tasks", ErrorCode::OutOfRange));
    }
    let mut out = Vec::with_capacity(tasks.len());
    let mut seen = std::collections::HashSet::new();
    for &task in tasks.iter().filter(|t| seen.insert(**t)) {
        let a = TaskActionBody { action: action.clone(), comment: comment.to_owned(), lock_version: None };
        match svc::act(st, caller, task, a).await {
            Ok(v) => out.push(BatchItem {
                task_id: task,
                instance_id: Some(v.id),
                title: v.title,
                requester: Some(v.requester.display_name),
                template: Some(v.template_name),
                error: None,
            }),
            Err(e) => out.push(BatchItem {
                task_id: task,
                instance_id: None,
                title: String::new(),
                requester: None,
                template: None,
                error: Some(e),
            }),
        }
    }
    Ok(out)
}

/// Which notifications the user also gets by e-mail.
pub(crate) async fn email_kinds(db: &impl sea_orm::ConnectionTrait, user: i64) -> AppResult<Vec<String>> {
    Ok(match notification_prefs::Entity::find_by_id(user).one(db).await? {
        Some(p) => p.email_kinds.split(',').filter(|k| !k.is_empty()).map(str::to_owned).collect(),
        None => DEFAULT_EMAIL_KINDS.iter().map(|k| (*k).to_owned()).collect(),
    })
}

/// The caller's notification preferences.
///
/// # Errors
/// `Unauthenticated`.
pub async fn get_prefs(st: &AppState, caller: &Caller) -> AppResult<NotificationPrefsDto> {
    let me = caller.require_user()?.user_id;
    let email = users::Entity::find_by_id(me).one(&st.db).await?.map(|u| u.email).unwrap_or_default();
    Ok(NotificationPrefsDto {
        email_kinds: email_kinds(&st.db, me).await?,
        email,
        smtp_enabled: st.settings.smtp.is_some(),
    })
}

/// Replaces the caller's e-mail choices.
///
/// # Errors
/// `Validation` for an unknown kind.
pub async fn set_prefs(st: &AppState, caller: &Caller, kinds: &[String]) -> AppResult<NotificationPrefsDto> {
    let me = caller.require_user()?.user_id;
    let mut list: Vec<&str> = Vec::new();
    for k in kinds {
        let k = k.trim();
        if !EMAIL_KINDS.contains(&k) {
            return Err(AppError::field("email_kinds", ErrorCode::UnknownReference));
        }
        if !list.contains(&k) {
            list.push(k);
        }
    }
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let am =
        notification_prefs::ActiveModel { user_id: Set(me), email_kinds: Set(list.join(",")), updated_at: Set(now) };
    if notification_prefs::Entity::find_by_id(me).one(&txn).await?.is_some() {
        am.update(&txn).await?;
    } else {
        am.insert(&txn).await?;
    }
    crate::audit::server::record(
        &txn,
        caller,
        now,
        "notification.prefs",
        &format!("user:{me}"),
        crate::audit::server::Outcome::Ok,
        &list.join(","),
    )
    .await?;
    txn.commit().await?;
    get_prefs(st, caller).await
}
