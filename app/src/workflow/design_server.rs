//! The designers' services (SPEC DES-1..4): the list of templates with their drafts, drafts
//! saved with a revision check (two process owners on two servers cannot overwrite each
//! other), publishing a draft, the version history with its diff, rollback, export and
//! import. Only holders of `template_manage` (process owners and administrators) reach any of
//! it, and every change is audited.

use super::api::TemplateDetail;
use super::design_api::{DesignState, DesignSummary, PublishOutcome, SaveDesign, VersionInfo};
use super::service::{Publication, audit_publish, get_template, publish_in, ts, user_refs};
use crate::audit::server::{self as audit, Outcome, audited};
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::permission::Permission;
use crate::domain::validate::optional_text;
use crate::domain::workflow::design::{
    Change, DirDept, DirRole, DirUser, Directory, ExportFile, PublishConcern, TemplateDoc, check_doc, check_refs,
    concern_lines, diff, parse_export, publish_concerns,
};
use crate::entities::{
    departments, roles, user_roles, users, wf_instances, wf_template_drafts, wf_template_versions, wf_templates,
};
use crate::error::{AppError, AppResult, ErrorCode};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

pub use crate::domain::workflow::design::REVIEW_KEY;

/// The review request's `concerns` field's limit (`max_len` in `builtin.rs`).
const CONCERNS_MAX_CHARS: usize = 2000;

/// [`TemplateDoc::normalise`], refused as the application's error.
pub(crate) fn normalise(doc: &TemplateDoc) -> AppResult<TemplateDoc> {
    Ok(doc.normalise()?)
}

/// Refuses a document whose form or flow has problems ([`check_doc`]), naming each.
pub(crate) fn refuse_problems(doc: &TemplateDoc) -> AppResult<()> {
    let problems = check_doc(doc);
    if problems.is_empty() { Ok(()) } else { Err(AppError::InvalidTemplate { problems }) }
}

/// The organisation as the designer sees it.
///
/// # Errors
/// `Forbidden` without `template_manage`.
pub async fn design_directory(db: &DatabaseConnection, caller: &Caller) -> AppResult<Directory> {
    caller.require(Permission::TemplateManage)?;
    load_directory(db).await
}

pub(crate) async fn load_directory(conn: &impl ConnectionTrait) -> AppResult<Directory> {
    let us = users::Entity::find().order_by_asc(users::Column::Id).all(conn).await?;
    let ds = departments::Entity::find()
        .order_by_asc(departments::Column::SortOrder)
        .order_by_asc(departments::Column::Id)
        .all(conn)
        .await?;
    let rs = roles::Entity::find().order_by_asc(roles::Column::Id).all(conn).await?;
    let links = user_roles::Entity::find().all(conn).await?;
    let mut members: HashMap<i64, Vec<i64>> = HashMap::new();
    for l in links {
        members.entry(l.role_id).or_default().push(l.user_id);
    }
    let admins = rs.iter().find(|r| r.key == "admin").and_then(|r| members.get(&r.id)).cloned().unwrap_or_default();
    Ok(Directory {
        users: us
            .into_iter()
            .map(|u| DirUser {
                id: u.id,
                name: u.display_name,
                department: u.department_id,
                manager: u.manager_id,
                position: u.position,
                active: u.active,
            })
            .collect(),
        departments: ds
            .into_iter()
            .map(|d| DirDept { id: d.id, name: d.name, parent: d.parent_id, head: d.head_user_id })
            .collect(),
        roles: rs
            .into_iter()
            .map(|r| DirRole { members: members.remove(&r.id).unwrap_or_default(), key: r.key, name: r.name })
            .collect(),
        admins,
    })
}

/// Every problem of a document, the organisation's references included.
async fn problems(conn: &impl ConnectionTrait, doc: &TemplateDoc) -> AppResult<Vec<String>> {
    let mut out = check_doc(doc);
    let dir = load_directory(conn).await?;
    out.extend(check_refs(&doc.flow, &dir).into_iter().map(|e| e.to_string()));
    Ok(out)
}

/// Refuses a document with problems, naming each field or node.
pub(crate) async fn check_publishable(conn: &impl ConnectionTrait, doc: &TemplateDoc) -> AppResult<()> {
    let p = problems(conn, doc).await?;
    if p.is_empty() { Ok(()) } else { Err(AppError::InvalidTemplate { problems: p }) }
}

/// Templates (published or drafted), by category and name, each with its draft.
///
/// # Errors
/// `Forbidden` without `template_manage`.
pub async fn design_list(db: &DatabaseConnection, caller: &Caller) -> AppResult<Vec<DesignSummary>> {
    caller.require(Permission::TemplateManage)?;
    let ts_ = wf_templates::Entity::find()
        .filter(wf_templates::Column::Active.eq(true))
        .filter(wf_templates::Column::Key.ne(REVIEW_KEY))
        .all(db)
        .await?;
    let drafts = wf_template_drafts::Entity::find().all(db).await?;
    let vids: Vec<i64> = ts_.iter().filter_map(|t| t.current_version_id).collect();
    let versions: HashMap<i64, i32> = wf_template_versions::Entity::find()
        .filter(wf_template_versions::Column::Id.is_in(vids))
        .all(db)
        .await?
        .into_iter()
        .map(|v| (v.id, v.version))
        .collect();
    let names = user_refs(db, drafts.iter().map(|d| d.updated_by)).await?;
    let mut by_key: HashMap<String, wf_template_drafts::Model> =
        drafts.into_iter().map(|d| (d.template_key.clone(), d)).collect();
    let mut out: Vec<DesignSummary> = ts_
        .into_iter()
        .map(|t| {
            let d = by_key.remove(&t.key);
            DesignSummary {
                version: t.current_version_id.and_then(|v| versions.get(&v).copied()).unwrap_or(0),
                draft_rev: d.as_ref().map_or(0, |d| d.rev),
                draft_updated_by: d.as_ref().and_then(|d| names.get(&d.updated_by).cloned()),
                draft_updated_at: d.as_ref().map(|d| ts(d.updated_at)),
                key: t.key,
                name: t.name,
                category: t.category,
                icon: t.icon,
                builtin: t.builtin,
            }
        })
        .collect();
    for (key, d) in by_key {
        let doc: TemplateDoc = serde_json::from_str(&d.doc).map_err(AppError::internal)?;
        out.push(DesignSummary {
            key,
            name: doc.name,
            category: doc.category,
            icon: doc.icon,
            version: 0,
            builtin: false,
            draft_rev: d.rev,
            draft_updated_by: names.get(&d.updated_by).cloned(),
            draft_updated_at: Some(ts(d.updated_at)),
        });
    }
    out.sort_by(|a, b| (&a.category, &a.name, &a.key).cmp(&(&b.category, &b.name, &b.key)));
    Ok(out)
}

async fn published_doc(
    conn: &impl ConnectionTrait,
    key: &str,
    version: Option<i32>,
) -> AppResult<Option<(TemplateDoc, i32, bool)>> {
    let Some(t) = wf_templates::Entity::find().filter(wf_templates::Column::Key.eq(key)).one(conn).await? else {
        return Ok(None);
    };
    let v = match version {
        Some(n) => {
            wf_template_versions::Entity::find()
                .filter(wf_template_versions::Column::TemplateId.eq(t.id))
                .filter(wf_template_versions::Column::Version.eq(n))
                .one(conn)
                .await?
        }
        None => match t.current_version_id {
            Some(id) => wf_template_versions::Entity::find_by_id(id).one(conn).await?,
            None => None,
        },
    };
    let Some(v) = v else { return Ok(None) };
    let doc = TemplateDoc {
        key: t.key,
        name: t.name,
        category: t.category,
        description: t.description,
        icon: t.icon,
        form: serde_json::from_str(&v.form_schema).map_err(AppError::internal)?,
        flow: serde_json::from_str(&v.flow).map_err(AppError::internal)?,
    };
    Ok(Some((doc, v.version, t.builtin)))
}

async fn state_of(conn: &impl ConnectionTrait, key: &str) -> AppResult<DesignState> {
    let published = published_doc(conn, key, None).await?;
    let draft =
        wf_template_drafts::Entity::find().filter(wf_template_drafts::Column::TemplateKey.eq(key)).one(conn).await?;
    let version = published.as_ref().map_or(0, |p| p.1);
    let builtin = published.as_ref().is_some_and(|p| p.2);
    match (draft, published) {
        (Some(d), _) => {
            let names = user_refs(conn, [d.updated_by]).await?;
            Ok(DesignState {
                doc: serde_json::from_str(&d.doc).map_err(AppError::internal)?,
                version,
                draft_rev: d.rev,
                draft_base: d.base_version,
                draft_updated_by: names.get(&d.updated_by).cloned(),
                draft_updated_at: Some(ts(d.updated_at)),
                builtin,
            })
        }
        (None, Some((doc, v, builtin))) => Ok(DesignState {
            doc,
            version: v,
            draft_rev: 0,
            draft_base: v,
            draft_updated_by: None,
            draft_updated_at: None,
            builtin,
        }),
        (None, None) => Err(AppError::NotFound),
    }
}

/// A template to edit: its draft, or else its published version.
///
/// # Errors
/// `Forbidden` without `template_manage`; `NotFound`.
pub async fn design_open(db: &DatabaseConnection, caller: &Caller, key: &str) -> AppResult<DesignState> {
    caller.require(Permission::TemplateManage)?;
    state_of(db, key.trim()).await
}

/// Saves a draft. `rev` is the revision the editor started from: 0 creates the draft (refused
/// when one exists), otherwise the save must be based on the latest revision.
///
/// # Errors
/// `Forbidden`; `Validation` for the key or name; `Conflict` when the draft changed meanwhile
/// (or, for a new template, the key is taken).
pub async fn save_draft(st: &AppState, caller: &Caller, save: SaveDesign) -> AppResult<DesignState> {
    let target = format!("template:{}", save.doc.key.trim());
    audited(st, caller, "template.draft_save", &target, async {
        let user = caller.require(Permission::TemplateManage)?;
        let doc = normalise(&save.doc)?;
        let now = st.clock.now();
        let text = serde_json::to_string(&doc).map_err(AppError::internal)?;
        let txn = begin_write(&st.db).await?;
        let existing = wf_template_drafts::Entity::find()
            .filter(wf_template_drafts::Column::TemplateKey.eq(&doc.key))
            .one(&txn)
            .await?;
        let rev = match (existing, save.rev) {
            (None, 0) => {
                let published = published_doc(&txn, &doc.key, None).await?;
                wf_template_drafts::ActiveModel {
                    template_key: Set(doc.key.clone()),
                    doc: Set(text),
                    base_version: Set(published.map_or(0, |p| p.1)),
                    rev: Set(1),
                    updated_by: Set(user.user_id),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await
                .map_err(|e| match AppError::from(e) {
                    AppError::Internal { .. } => AppError::conflict(crate::error::Conflict::DraftCreatedMeanwhile),
                    other => other,
                })?;
                1
            }
            (Some(_), 0) => {
                return Err(AppError::conflict(crate::error::Conflict::DraftExists { template: doc.key.clone() }));
            }
            (None, _) => {
                return Err(AppError::conflict(crate::error::Conflict::DraftGone));
            }
            (Some(d), rev) => {
                // The revision check is in the UPDATE itself, so it holds across servers.
                let done = wf_template_drafts::Entity::update_many()
                    .col_expr(wf_template_drafts::Column::Doc, Expr::value(text))
                    .col_expr(wf_template_drafts::Column::Rev, Expr::value(rev + 1))
                    .col_expr(wf_template_drafts::Column::UpdatedBy, Expr::value(user.user_id))
                    .col_expr(wf_template_drafts::Column::UpdatedAt, Expr::value(now))
                    .filter(wf_template_drafts::Column::Id.eq(d.id))
                    .filter(wf_template_drafts::Column::Rev.eq(rev))
                    .exec(&txn)
                    .await?;
                if done.rows_affected != 1 {
                    let names = user_refs(&txn, [d.updated_by]).await?;
                    let who = names.get(&d.updated_by).map_or_else(String::new, |u| u.display_name.clone());
                    return Err(AppError::conflict(crate::error::Conflict::DraftSavedBy { name: who }));
                }
                rev + 1
            }
        };
        audit::record(
            &txn,
            caller,
            now,
            "template.draft_save",
            &format!("template:{}", doc.key),
            Outcome::Ok,
            &format!("rev {rev}"),
        )
        .await?;
        let state = state_of(&txn, &doc.key).await?;
        txn.commit().await?;
        Ok(state)
    })
    .await
}

/// Discards a template's draft.
///
/// # Errors
/// `Forbidden`; `NotFound` when there is no draft.
pub async fn discard_draft(st: &AppState, caller: &Caller, key: &str) -> AppResult<()> {
    let now = st.clock.now();
    let key = key.trim();
    audited(st, caller, "template.draft_discard", &format!("template:{key}"), async {
        caller.require(Permission::TemplateManage)?;
        let txn = begin_write(&st.db).await?;
        let gone = wf_template_drafts::Entity::delete_many()
            .filter(wf_template_drafts::Column::TemplateKey.eq(key))
            .exec(&txn)
            .await?;
        if gone.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
        audit::record(&txn, caller, now, "template.draft_discard", &format!("template:{key}"), Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

async fn publish_doc(
    st: &AppState,
    caller: &Caller,
    txn: &sea_orm::DatabaseTransaction,
    doc: &TemplateDoc,
    note: &str,
) -> AppResult<i32> {
    let now = st.clock.now();
    let user = caller.require(Permission::TemplateManage)?;
    let effect = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(&doc.key))
        .one(txn)
        .await?
        .and_then(|t| t.effect);
    publish_in(txn, &Publication { doc, effect, by: Some(user.user_id), note, now }).await
}

/// What in publishing `doc` its publisher should not decide alone (compared with the version
/// in force).
pub(crate) async fn concerns_of(
    conn: &impl ConnectionTrait,
    doc: &TemplateDoc,
    publisher: i64,
) -> AppResult<Vec<PublishConcern>> {
    let current = published_doc(conn, &doc.key, None).await?;
    let has_effect = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(&doc.key))
        .one(conn)
        .await?
        .is_some_and(|t| t.effect.is_some());
    Ok(publish_concerns(current.as_ref().map(|(d, ..)| &d.flow), &doc.flow, publisher, has_effect))
}

/// The reasons, one per line, as the review request shows them.
/// Publishes a template's draft as its next version and removes the draft. `rev` must be the
/// draft's latest revision (what the publisher saw and checked). A change the publisher
/// should not decide alone ([`publish_concerns`]) is not published but sent, as a
/// `template_publish` request, to another process owner (or an administrator); their
/// approval publishes the draft at that revision.
///
/// # Errors
/// `Forbidden`; `NotFound` without a draft; `Conflict` for a stale revision or a change
/// already under review; `InvalidTemplate` naming every field or node at fault.
pub async fn publish_draft(
    st: &AppState,
    caller: &Caller,
    key: &str,
    rev: i64,
    note: &str,
) -> AppResult<PublishOutcome> {
    let now = st.clock.now();
    let key = key.trim();
    audited(st, caller, "template.publish", &format!("template:{key}"), async {
        let me = caller.require(Permission::TemplateManage)?;
        let note = optional_text("note", note, 200)?;
        let txn = begin_write(&st.db).await?;
        let d = wf_template_drafts::Entity::find()
            .filter(wf_template_drafts::Column::TemplateKey.eq(key))
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        if d.rev != rev {
            return Err(AppError::conflict(crate::error::Conflict::DraftChanged));
        }
        let doc: TemplateDoc = serde_json::from_str(&d.doc).map_err(AppError::internal)?;
        let doc = normalise(&doc)?;
        check_publishable(&txn, &doc).await?;
        let concerns = concerns_of(&txn, &doc, me.user_id).await?;
        if !concerns.is_empty() {
            drop(txn);
            return request_review(st, caller, &doc, rev, &note, concerns).await;
        }
        let version = publish_doc(st, caller, &txn, &doc, &note).await?;
        wf_template_drafts::Entity::delete_by_id(d.id).exec(&txn).await?;
        audit_publish(&txn, caller, now, key, version).await?;
        txn.commit().await?;
        Ok(PublishOutcome::Published { template: get_template(&st.db, caller, key).await? })
    })
    .await
}

/// Files the `template_publish` request for a draft at `rev`, unless one for this template
/// is already waiting.
async fn request_review(
    st: &AppState,
    caller: &Caller,
    doc: &TemplateDoc,
    rev: i64,
    note: &str,
    concerns: Vec<PublishConcern>,
) -> AppResult<PublishOutcome> {
    let review = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(REVIEW_KEY))
        .one(&st.db)
        .await?
        .ok_or_else(|| AppError::internal("the template_publish template is missing"))?;
    let waiting = wf_instances::Entity::find()
        .filter(wf_instances::Column::TemplateId.eq(review.id))
        .filter(wf_instances::Column::Status.is_in([wf_instances::Status::Running, wf_instances::Status::Returned]))
        .all(&st.db)
        .await?
        .into_iter()
        .any(|i| {
            serde_json::from_str::<serde_json::Value>(&i.form)
                .is_ok_and(|f| f.get("template_key").and_then(|v| v.as_str()) == Some(doc.key.as_str()))
        });
    if waiting {
        return Err(AppError::conflict(crate::error::Conflict::ReviewPending));
    }
    // Someone else must be able to review it: another process owner or an administrator.
    let me = caller.require_user()?.user_id;
    let reviewer_roles: Vec<i64> = roles::Entity::find()
        .filter(roles::Column::Key.is_in(["process_owner", crate::domain::permission::ADMIN_ROLE]))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let holders: Vec<i64> = user_roles::Entity::find()
        .filter(user_roles::Column::RoleId.is_in(reviewer_roles))
        .filter(user_roles::Column::UserId.ne(me))
        .all(&st.db)
        .await?
        .into_iter()
        .map(|l| l.user_id)
        .collect();
    let reviewers = users::Entity::find()
        .filter(users::Column::Id.is_in(holders))
        .filter(users::Column::Active.eq(true))
        .count(&st.db)
        .await?;
    if reviewers == 0 {
        return Err(AppError::conflict(crate::error::Conflict::NoReviewer));
    }
    let form = serde_json::json!({
        "template_key": doc.key,
        "template_name": doc.name,
        "draft_rev": rev.to_string(),
        // As codes: the reviewer's page words them in the reviewer's language.
        "concerns": concern_lines(&concerns, CONCERNS_MAX_CHARS),
        "note": note,
    });
    let req = super::api::SubmitRequest { template_key: REVIEW_KEY.into(), form, picks: HashMap::new() };
    let view = super::service::submit_internal(st, caller, req).await?;
    Ok(PublishOutcome::UnderReview { instance_id: view.id, concerns })
}

/// Publishes the draft a `template_publish` request was approved for — if it is still at the
/// revision the reviewer saw — as its next version, in the approval's transaction, in the
/// requester's name.
///
/// # Errors
/// `Conflict` when the draft changed or went since; `InvalidTemplate` when it no longer
/// passes the checks.
pub(crate) async fn publish_reviewed(
    conn: &impl ConnectionTrait,
    form: &serde_json::Map<String, serde_json::Value>,
    requester: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let text = |k: &str| form.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let key = text("template_key");
    let stale = || AppError::conflict(crate::error::Conflict::ReviewedDraftChanged { template: key.clone() });
    let d = wf_template_drafts::Entity::find()
        .filter(wf_template_drafts::Column::TemplateKey.eq(&key))
        .one(conn)
        .await?
        .ok_or_else(stale)?;
    if text("draft_rev").parse::<i64>().ok() != Some(d.rev) {
        return Err(stale());
    }
    let doc: TemplateDoc = serde_json::from_str(&d.doc).map_err(AppError::internal)?;
    let doc = normalise(&doc)?;
    check_publishable(conn, &doc).await?;
    let effect = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(&doc.key))
        .one(conn)
        .await?
        .and_then(|t| t.effect);
    let note = text("note");
    let version = publish_in(conn, &Publication { doc: &doc, effect, by: Some(requester), note: &note, now }).await?;
    wf_template_drafts::Entity::delete_by_id(d.id).exec(conn).await?;
    audit::record(
        conn,
        &Caller::system(),
        now,
        "template.publish",
        &format!("template:{key}"),
        Outcome::Ok,
        &format!("version {version}, after review"),
    )
    .await?;
    Ok(())
}

/// A template's published versions, newest first.
///
/// # Errors
/// `Forbidden`; `NotFound` for an unknown key.
pub async fn versions(db: &DatabaseConnection, caller: &Caller, key: &str) -> AppResult<Vec<VersionInfo>> {
    caller.require(Permission::TemplateManage)?;
    let t = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(key.trim()))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let vs = wf_template_versions::Entity::find()
        .filter(wf_template_versions::Column::TemplateId.eq(t.id))
        .order_by_desc(wf_template_versions::Column::Version)
        .all(db)
        .await?;
    let names = user_refs(db, vs.iter().filter_map(|v| v.published_by)).await?;
    // How many requests use each version: one grouped query, not one per version.
    let counts: HashMap<i64, i64> = wf_instances::Entity::find()
        .select_only()
        .column(wf_instances::Column::VersionId)
        .column_as(wf_instances::Column::Id.count(), "n")
        .filter(wf_instances::Column::VersionId.is_in(vs.iter().map(|v| v.id)))
        .group_by(wf_instances::Column::VersionId)
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::with_capacity(vs.len());
    for v in vs {
        let instances = counts.get(&v.id).copied().unwrap_or(0).unsigned_abs();
        out.push(VersionInfo {
            version: v.version,
            published_at: ts(v.published_at),
            published_by: v.published_by.and_then(|u| names.get(&u).cloned()),
            note: v.note,
            current: t.current_version_id == Some(v.id),
            instances,
        });
    }
    Ok(out)
}

/// One published version as a document.
///
/// # Errors
/// `Forbidden`; `NotFound`.
pub async fn version_doc(db: &DatabaseConnection, caller: &Caller, key: &str, version: i32) -> AppResult<TemplateDoc> {
    caller.require(Permission::TemplateManage)?;
    Ok(published_doc(db, key.trim(), Some(version)).await?.ok_or(AppError::NotFound)?.0)
}

/// What changed from version `from` to version `to`.
///
/// # Errors
/// `Forbidden`; `NotFound` for either version.
pub async fn diff_versions(
    db: &DatabaseConnection,
    caller: &Caller,
    key: &str,
    from: i32,
    to: i32,
) -> AppResult<Vec<Change>> {
    let a = version_doc(db, caller, key, from).await?;
    let b = version_doc(db, caller, key, to).await?;
    Ok(diff(&a, &b))
}

/// Publishes an old version's form and flow again, as the next version. Checked like any
/// publish (a user named there may have left since).
///
/// # Errors
/// `Forbidden`; `NotFound`; `InvalidTemplate`.
pub async fn rollback(st: &AppState, caller: &Caller, key: &str, version: i32) -> AppResult<TemplateDetail> {
    let now = st.clock.now();
    let key = key.trim();
    audited(st, caller, "template.rollback", &format!("template:{key}"), async {
        caller.require(Permission::TemplateManage)?;
        let txn = begin_write(&st.db).await?;
        let (old, ..) = published_doc(&txn, key, Some(version)).await?.ok_or(AppError::NotFound)?;
        // The name and description stay as they are now; the form and flow go back.
        let (mut doc, ..) = published_doc(&txn, key, None).await?.ok_or(AppError::NotFound)?;
        doc.form = old.form;
        doc.flow = old.flow;
        check_publishable(&txn, &doc).await?;
        let me = caller.require(Permission::TemplateManage)?;
        if !concerns_of(&txn, &doc, me.user_id).await?.is_empty() {
            return Err(AppError::conflict(crate::error::Conflict::RollbackNeedsReview { version }));
        }
        let note = format!("rollback to version {version}");
        let v = publish_doc(st, caller, &txn, &doc, &note).await?;
        audit::record(
            &txn,
            caller,
            now,
            "template.rollback",
            &format!("template:{key}"),
            Outcome::Ok,
            &format!("version {v} = version {version}"),
        )
        .await?;
        txn.commit().await?;
        get_template(&st.db, caller, key).await
    })
    .await
}

/// A template as an export file: the given published version, or the current one.
///
/// # Errors
/// `Forbidden`; `NotFound`.
pub async fn export(
    db: &DatabaseConnection,
    caller: &Caller,
    key: &str,
    version: Option<i32>,
) -> AppResult<ExportFile> {
    caller.require(Permission::TemplateManage)?;
    let (doc, v, _) = published_doc(db, key.trim(), version).await?.ok_or(AppError::NotFound)?;
    Ok(ExportFile::of(&doc, v))
}

/// Starts a new template as an empty draft. Returns its key.
///
/// # Errors
/// `Forbidden`; `Validation` for the key or name; `Conflict` when the key is taken.
pub async fn create(st: &AppState, caller: &Caller, key: &str, name: &str, category: &str) -> AppResult<String> {
    audited(
        st,
        caller,
        "template.create",
        &format!("template:{}", key.trim()),
        create_in(st, caller, key, name, category),
    )
    .await
}

async fn create_in(st: &AppState, caller: &Caller, key: &str, name: &str, category: &str) -> AppResult<String> {
    caller.require(Permission::TemplateManage)?;
    let key = crate::domain::workflow::design::template_key(key)?;
    let taken = wf_templates::Entity::find().filter(wf_templates::Column::Key.eq(&key)).count(&st.db).await? > 0;
    if taken {
        return Err(AppError::field("key", ErrorCode::Duplicate));
    }
    let doc = TemplateDoc {
        key: key.clone(),
        name: name.to_owned(),
        category: category.to_owned(),
        icon: "doc".into(),
        ..Default::default()
    };
    save_draft(st, caller, SaveDesign { doc, rev: 0 }).await.map_err(|e| {
        if matches!(e, AppError::Conflict { .. }) { AppError::field("key", ErrorCode::Duplicate) } else { e }
    })?;
    Ok(key)
}

/// Imports an export file as the draft of its template (a new template, or the next version
/// of an existing key), to be reviewed and published in the designer.
///
/// # Errors
/// `Forbidden`; `BadRequest` saying what is wrong with the file; `InvalidTemplate` for a
/// template with problems in its form or flow; `Conflict` when the key has a draft already.
pub async fn import(st: &AppState, caller: &Caller, text: &str) -> AppResult<DesignState> {
    let now = st.clock.now();
    audited(st, caller, "template.import", "template", async {
        caller.require(Permission::TemplateManage)?;
        let doc = parse_export(text).map_err(|p| AppError::bad(p.english()))?;
        let doc = normalise(&doc)?;
        let p = check_doc(&doc);
        if !p.is_empty() {
            return Err(AppError::InvalidTemplate { problems: p });
        }
        let key = doc.key.clone();
        let state = save_draft(st, caller, SaveDesign { doc, rev: 0 }).await?;
        let txn = begin_write(&st.db).await?;
        audit::record(&txn, caller, now, "template.import", &format!("template:{key}"), Outcome::Ok, "as a draft")
            .await?;
        txn.commit().await?;
        Ok(state)
    })
    .await
}

/// The file name an export downloads as.
#[must_use]
pub fn export_file_name(key: &str, version: i32) -> String {
    format!("{key}-v{version}.tongban.json")
}
