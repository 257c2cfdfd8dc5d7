//! Templates: the catalogue, one template's current version, publishing a version.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Published templates, by category and name.
///
/// # Errors
/// `Unauthenticated`.
pub async fn list_templates(db: &DatabaseConnection, caller: &Caller) -> AppResult<Vec<TemplateSummary>> {
    caller.require_user()?;
    let ts = wf_templates::Entity::find()
        .filter(wf_templates::Column::Active.eq(true))
        .filter(wf_templates::Column::CurrentVersionId.is_not_null())
        // Filed by the designer's publish, not from the catalogue.
        .filter(wf_templates::Column::Key.ne(crate::workflow::design_server::REVIEW_KEY))
        .order_by_asc(wf_templates::Column::Category)
        .order_by_asc(wf_templates::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = ts.iter().filter_map(|t| t.current_version_id).collect();
    let versions: HashMap<i64, i32> = wf_template_versions::Entity::find()
        .select_only()
        .columns([wf_template_versions::Column::Id, wf_template_versions::Column::Version])
        .filter(wf_template_versions::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(ts
        .into_iter()
        .map(|t| TemplateSummary {
            version: t.current_version_id.and_then(|v| versions.get(&v).copied()).unwrap_or(0),
            key: t.key,
            name: t.name,
            category: t.category,
            description: t.description,
            icon: t.icon,
            builtin: t.builtin,
        })
        .collect())
}

/// A template's current version.
///
/// # Errors
/// `Unauthenticated`; `NotFound` for an unknown or unpublished key.
pub async fn get_template(db: &DatabaseConnection, caller: &Caller, key: &str) -> AppResult<TemplateDetail> {
    caller.require_user()?;
    let t = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(key))
        .filter(wf_templates::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let vid = t.current_version_id.ok_or(AppError::NotFound)?;
    let v = wf_template_versions::Entity::find_by_id(vid).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(TemplateDetail {
        key: t.key,
        name: t.name,
        category: t.category,
        description: t.description,
        icon: t.icon,
        version: v.version,
        version_id: v.id,
        published_at: ts(v.published_at),
        form: serde_json::from_str(&v.form_schema).map_err(AppError::internal)?,
        flow: serde_json::from_str(&v.flow).map_err(AppError::internal)?,
    })
}

/// Publishes a template: a new key, or a new version of an existing one. Running instances
/// keep the version they started with.
///
/// # Errors
/// `Forbidden` without `template_manage`; `Validation`/`InvalidTemplate` naming the field
/// or node at fault.
pub async fn publish_template(st: &AppState, caller: &Caller, p: PublishTemplate) -> AppResult<TemplateDetail> {
    let now = st.clock.now();
    let target = format!("template:{}", p.key.trim());
    audited(st, caller, "template.publish", &target, async {
        let user = caller.require(Permission::TemplateManage)?;
        // The same limits and trimming as the designer's drafts and publish: one function.
        let doc = crate::workflow::design_server::normalise(&crate::domain::workflow::design::TemplateDoc {
            key: p.key.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            description: p.description.clone(),
            icon: p.icon.clone(),
            form: p.form.clone(),
            flow: p.flow.clone(),
        })?;
        let (key, name, category, description, icon) = (doc.key, doc.name, doc.category, doc.description, doc.icon);
        let note = crate::domain::validate::optional_text("note", &p.note, 200)?;
        let txn = begin_write(&st.db).await?;
        let reviewed = crate::domain::workflow::design::TemplateDoc {
            key: key.clone(),
            name: name.clone(),
            category: category.clone(),
            description: description.clone(),
            icon: icon.clone(),
            form: p.form.clone(),
            flow: p.flow.clone(),
        };
        crate::workflow::design_server::refuse_problems(&reviewed)?;
        if !crate::workflow::design_server::concerns_of(&txn, &reviewed, user.user_id).await?.is_empty() {
            return Err(AppError::conflict(crate::error::Conflict::PublishNeedsReview));
        }
        // What the flow names (users, roles, departments) must exist in the organisation.
        let dir = crate::workflow::design_server::load_directory(&txn).await?;
        let refs = crate::domain::workflow::design::check_refs(&p.flow, &dir);
        if !refs.is_empty() {
            return Err(AppError::InvalidTemplate { problems: refs.into_iter().map(|e| e.to_string()).collect() });
        }
        let version =
            publish_in(&txn, &Publication { doc: &reviewed, effect: None, by: Some(user.user_id), note: &note, now })
                .await?;
        audit_publish(&txn, caller, now, &key, version).await?;
        txn.commit().await?;
        get_template(&st.db, caller, &key).await
    })
    .await
}

/// The audit row of a published version, the same from the REST publish and the designer's.
pub(crate) async fn audit_publish(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    now: DateTime<Utc>,
    key: &str,
    version: i32,
) -> AppResult<()> {
    audit::record(
        conn,
        caller,
        now,
        "template.publish",
        &format!("template:{key}"),
        Outcome::Ok,
        &format!("version {version}"),
    )
    .await
}

/// A version to publish: the document, the template's effect (built-in templates), who
/// publishes it (`None`: the system), the note, and when.
#[derive(Clone, Copy)]
pub(crate) struct Publication<'a> {
    pub doc: &'a TemplateDoc,
    pub effect: Option<wf_templates::Effect>,
    pub by: Option<i64>,
    pub note: &'a str,
    pub now: DateTime<Utc>,
}

/// Writes a new version (and the template row the first time); returns the version number.
pub(crate) async fn publish_in(txn: &impl ConnectionTrait, p: &Publication<'_>) -> AppResult<i32> {
    let Publication { doc, effect, by, note, now } = *p;
    let TemplateDoc { key, name, category, description, icon, form, flow } = doc;
    let existing = wf_templates::Entity::find().filter(wf_templates::Column::Key.eq(key)).one(txn).await?;
    let template_id = match &existing {
        Some(t) => t.id,
        None => {
            wf_templates::ActiveModel {
                key: Set(key.to_owned()),
                name: Set(name.to_owned()),
                category: Set(category.to_owned()),
                description: Set(description.to_owned()),
                icon: Set(icon.to_owned()),
                effect: Set(effect),
                builtin: Set(effect.is_some() || by.is_none()),
                active: Set(true),
                current_version_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?
            .id
        }
    };
    let last: Option<i32> = wf_template_versions::Entity::find()
        .select_only()
        .column_as(wf_template_versions::Column::Version.max(), "v")
        .filter(wf_template_versions::Column::TemplateId.eq(template_id))
        .into_tuple::<Option<i32>>()
        .one(txn)
        .await?
        .flatten();
    let version = last.unwrap_or(0) + 1;
    let v = wf_template_versions::ActiveModel {
        template_id: Set(template_id),
        version: Set(version),
        form_schema: Set(serde_json::to_string(form).map_err(AppError::internal)?),
        flow: Set(serde_json::to_string(flow).map_err(AppError::internal)?),
        note: Set(note.to_owned()),
        published_by: Set(by),
        published_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    wf_templates::Entity::update_many()
        .col_expr(wf_templates::Column::CurrentVersionId, Expr::value(v.id))
        .col_expr(wf_templates::Column::Name, Expr::value(name))
        .col_expr(wf_templates::Column::Category, Expr::value(category))
        .col_expr(wf_templates::Column::Description, Expr::value(description))
        .col_expr(wf_templates::Column::Icon, Expr::value(icon))
        .col_expr(wf_templates::Column::UpdatedAt, Expr::value(now))
        .filter(wf_templates::Column::Id.eq(template_id))
        .exec(txn)
        .await?;
    Ok(version)
}
