//! Attachments: upload (content-addressed, quota), download, claiming by a request or draft,
//! and deleting what nobody claimed.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) const ALLOWED_EXTENSIONS: [&str; 17] = [
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "heic", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv",
    "zip", "ofd",
];

/// Stores an upload content-addressed under the data directory and records it.
///
/// # Errors
/// `Unauthenticated`; `PayloadTooLarge`; `Validation` for an empty file, a bad name or a
/// type that is not allowed.
pub async fn upload_attachment(
    st: &AppState,
    caller: &Caller,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<AttachmentDto> {
    let user = caller.require_user()?.user_id;
    let name: String =
        filename.trim().rsplit(['/', '\\']).next().unwrap_or_default().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field("filename", ErrorCode::InvalidFormat));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if !ALLOWED_EXTENSIONS.contains(&ext.as_str()) {
        return Err(AppError::field("filename", ErrorCode::NotAllowed));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", ErrorCode::Required));
    }
    if bytes.len() > st.settings.max_upload_bytes {
        return Err(AppError::PayloadTooLarge);
    }
    // A quota per person per day: the disk is shared.
    let quota = (st.settings.max_upload_bytes as u64).saturating_mul(UPLOAD_QUOTA_FILES);
    let since = st.clock.now() - chrono::Duration::days(1);
    let recent: Vec<i64> = attachment_rows::Entity::find()
        .select_only()
        .column(attachment_rows::Column::Size)
        .filter(attachment_rows::Column::UploadedBy.eq(user))
        .filter(attachment_rows::Column::CreatedAt.gt(since))
        .into_tuple()
        .all(&st.db)
        .await?;
    let used: u64 = recent.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum();
    if used.saturating_add(bytes.len() as u64) > quota {
        return Err(AppError::conflict(crate::error::Conflict::UploadQuota { mb: quota / (1024 * 1024) }));
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let dir = st.settings.data_dir.join("files").join(&sha[..2]);
    let path = dir.join(&sha);
    let mut dirs = tokio::fs::DirBuilder::new();
    dirs.recursive(true);
    #[cfg(unix)]
    dirs.mode(0o700);
    dirs.create(&dir).await.map_err(AppError::internal)?;
    // Written every time (the same content under the same name; a fresh modification time
    // tells the clean-up job the file is in use), to a temporary name, flushed, then renamed:
    // a crash never leaves a half-written file under the content's name. Readable by the
    // server's user only.
    let tmp = dir.join(format!("{sha}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut opts = tokio::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(&tmp).await.map_err(AppError::internal)?;
    tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await.map_err(AppError::internal)?;
    f.sync_all().await.map_err(AppError::internal)?;
    drop(f);
    tokio::fs::rename(&tmp, &path).await.map_err(AppError::internal)?;
    let ct = if content_type.trim().is_empty() || content_type.len() > 100 {
        "application/octet-stream"
    } else {
        content_type.trim()
    };
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let a = attachment_rows::ActiveModel {
        sha256: Set(sha.clone()),
        size: Set(bytes.len() as i64),
        filename: Set(name),
        content_type: Set(ct.to_owned()),
        uploaded_by: Set(user),
        instance_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, caller, now, "attachment.upload", &format!("attachment:{}", a.id), Outcome::Ok, &sha).await?;
    txn.commit().await?;
    Ok(attachment_dto(a))
}

pub(crate) fn attachment_dto(a: attachment_rows::Model) -> AttachmentDto {
    AttachmentDto {
        id: a.id.to_string(),
        filename: a.filename,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        created_at: ts(a.created_at),
    }
}

/// An attachment's record and an open handle on its file (streamed out, never read whole
/// into memory), for its uploader and the readers of its instance.
///
/// # Errors
/// `NotFound`; `Forbidden`.
pub async fn download_attachment(
    st: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(AttachmentDto, tokio::fs::File)> {
    let me = caller.require_user()?.user_id;
    let a = attachment_rows::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if a.uploaded_by != me {
        let Some(iid) = a.instance_id else { return Err(AppError::Forbidden) };
        let row = wf_instances::Entity::find_by_id(iid).one(&st.db).await?.ok_or(AppError::NotFound)?;
        check_read(st, caller, &row, st.clock.now()).await?;
    }
    let path = st.settings.data_dir.join("files").join(&a.sha256[..2]).join(&a.sha256);
    let file = tokio::fs::File::open(&path).await.map_err(AppError::internal)?;
    Ok((attachment_dto(a), file))
}

/// How much one person may upload in 24 hours, as a multiple of the largest single upload.
pub const UPLOAD_QUOTA_FILES: u64 = 25;

/// Deletes uploads never attached to a request (nor kept in a draft) a day after they were
/// made, and their files once nothing refers to them. Run by the clean-up job every few
/// minutes on every server; each row goes once. Returns how many uploads went.
///
/// # Errors
/// The database error.
pub async fn delete_unclaimed_uploads(st: &AppState) -> AppResult<u64> {
    let (db, now) = (&st.db, st.clock.now());
    let cutoff = now - chrono::Duration::days(1);
    let orphans = attachment_rows::Entity::find()
        .filter(attachment_rows::Column::InstanceId.is_null())
        .filter(attachment_rows::Column::CreatedAt.lt(cutoff))
        .order_by_asc(attachment_rows::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    if orphans.is_empty() {
        return Ok(0);
    }
    // An attachment a draft holds is kept: the drafts of the uploaders, every value in them.
    let uploaders: Vec<i64> = orphans.iter().map(|a| a.uploaded_by).collect();
    let mut kept: std::collections::HashSet<String> = std::collections::HashSet::new();
    for d in wf_drafts::Entity::find().filter(wf_drafts::Column::UserId.is_in(uploaders)).all(db).await? {
        if let Ok(v) = serde_json::from_str::<Value>(&d.form) {
            collect_scalars(&v, &mut kept);
        }
    }
    let doomed: Vec<&attachment_rows::Model> = orphans.iter().filter(|a| !kept.contains(&a.id.to_string())).collect();
    if doomed.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let res = attachment_rows::Entity::delete_many()
        .filter(attachment_rows::Column::Id.is_in(doomed.iter().map(|a| a.id)))
        // Claimed by a request since it was read: it stays.
        .filter(attachment_rows::Column::InstanceId.is_null())
        .exec(&txn)
        .await?;
    let detail = format!("{} unclaimed uploads older than a day", res.rows_affected);
    audit::record(&txn, &Caller::system(), now, "attachment.cleanup", "attachments", Outcome::Ok, &detail).await?;
    txn.commit().await?;
    for sha in doomed.iter().map(|a| a.sha256.as_str()).collect::<std::collections::BTreeSet<_>>() {
        let still_used =
            attachment_rows::Entity::find().filter(attachment_rows::Column::Sha256.eq(sha)).count(db).await? > 0;
        let path = st.settings.data_dir.join("files").join(&sha[..2]).join(sha);
        // A file written in the last hour may belong to an upload whose row is being made.
        let fresh = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|e| e < std::time::Duration::from_secs(3600)));
        if !still_used && !fresh {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
    Ok(res.rows_affected)
}

pub(super) fn collect_scalars(v: &Value, out: &mut std::collections::HashSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_scalars(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_scalars(x, out)),
        _ => {}
    }
}

/// Every attachment a form names must exist and be the requester's own upload (or already
/// belong to this instance, on a resubmission).
pub(super) async fn check_attachments(
    conn: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &Map<String, Value>,
    requester: i64,
    instance: Option<i64>,
) -> AppResult<()> {
    let refs = attachment_refs(schema, form);
    for (path, id) in &refs {
        let ok = match id.parse::<i64>() {
            Ok(n) => attachment_rows::Entity::find_by_id(n)
                .one(conn)
                .await?
                .is_some_and(|a| a.uploaded_by == requester && (a.instance_id.is_none() || a.instance_id == instance)),
            Err(_) => false,
        };
        if !ok {
            return Err(AppError::InvalidForm {
                errors: vec![crate::domain::workflow::form::FieldError {
                    path: path.clone(),
                    code: ErrorCode::UnknownReference,
                }],
            });
        }
    }
    Ok(())
}

pub(crate) fn attachment_refs(schema: &FormSchema, form: &Map<String, Value>) -> Vec<(String, String)> {
    use crate::domain::workflow::form::FieldKind;
    let mut out = Vec::new();
    let ids = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    for f in &schema.fields {
        match &f.kind {
            FieldKind::Attachment { .. } => out.extend(ids(form.get(&f.key)).into_iter().map(|i| (f.key.clone(), i))),
            FieldKind::Table { columns } => {
                let rows = form.get(&f.key).and_then(Value::as_array).cloned().unwrap_or_default();
                for (n, row) in rows.iter().enumerate() {
                    for c in columns.iter().filter(|c| matches!(c.kind, FieldKind::Attachment { .. })) {
                        out.extend(ids(row.get(&c.key)).into_iter().map(|i| (format!("{}[{n}].{}", f.key, c.key), i)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

pub(super) async fn claim_attachments(
    conn: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &Map<String, Value>,
    instance: i64,
) -> AppResult<()> {
    let ids: Vec<i64> = attachment_refs(schema, form).into_iter().filter_map(|(_, i)| i.parse().ok()).collect();
    if !ids.is_empty() {
        attachment_rows::Entity::update_many()
            .col_expr(attachment_rows::Column::InstanceId, Expr::value(instance))
            .filter(attachment_rows::Column::Id.is_in(ids))
            .exec(conn)
            .await?;
    }
    Ok(())
}
