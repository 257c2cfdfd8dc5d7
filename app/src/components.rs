//! Small building blocks every page uses: form fields with inline errors, error texts,
//! a pager, icons.

use crate::error::{AppError, Conflict, ErrorCode};
use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

/// A stored UTC time (RFC 3339) as shown to people: `YYYY-MM-DD HH:MM` in China Standard
/// Time (UTC+8), the same on the server and in the browser.
#[must_use]
pub fn fmt_time(rfc3339: &str) -> String {
    crate::domain::time::parse_instant(rfc3339).map_or_else(|| rfc3339.to_owned(), crate::domain::time::fmt_minutes)
}

/// Text that may be empty, as an optional child: an empty text node cannot be hydrated.
#[must_use]
pub fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// The display name of a built-in role key (custom roles show their key).
pub fn role_label(i18n: I18nContext<Locale>, key: &str) -> String {
    match key {
        "admin" => t_string!(i18n, role.admin).to_string(),
        "approver" => t_string!(i18n, role.approver).to_string(),
        "operator" => t_string!(i18n, role.operator).to_string(),
        "viewer" => t_string!(i18n, role.viewer).to_string(),
        "auditor" => t_string!(i18n, role.auditor).to_string(),
        "process_owner" => t_string!(i18n, role.process_owner).to_string(),
        other => other.to_owned(),
    }
}

/// The text for an error code in the current language.
pub fn code_text(i18n: I18nContext<Locale>, code: ErrorCode) -> String {
    // The language read once (a tracked read), each text then by a plain lookup.
    let l = i18n.get_locale();
    match code {
        ErrorCode::Required => td_string!(l, err.required).to_string(),
        ErrorCode::TooLong => td_string!(l, err.too_long).to_string(),
        ErrorCode::InvalidFormat => td_string!(l, err.invalid_format).to_string(),
        ErrorCode::Duplicate => td_string!(l, err.duplicate).to_string(),
        ErrorCode::PasswordTooShort => td_string!(l, err.password_too_short).to_string(),
        ErrorCode::PasswordTooWeak => td_string!(l, err.password_too_weak).to_string(),
        ErrorCode::PasswordContainsUsername => td_string!(l, err.password_contains_username).to_string(),
        ErrorCode::WrongPassword => td_string!(l, err.wrong_password).to_string(),
        ErrorCode::WrongCredentials => td_string!(l, err.wrong_credentials).to_string(),
        ErrorCode::Cycle => td_string!(l, err.cycle).to_string(),
        ErrorCode::UnknownReference => td_string!(l, err.unknown_reference).to_string(),
        ErrorCode::PasswordTooCommon => td_string!(l, err.password_too_common).to_string(),
        ErrorCode::IsRequester => td_string!(l, err.is_requester).to_string(),
        ErrorCode::NotEmpty => td_string!(l, err.not_empty).to_string(),
        ErrorCode::OutOfRange => td_string!(l, err.out_of_range).to_string(),
        ErrorCode::InsufficientBalance => td_string!(l, err.insufficient_balance).to_string(),
        ErrorCode::NotAllowed => td_string!(l, err.not_allowed).to_string(),
    }
}

/// `text` with its one `{name}` placeholder filled in. Messages with a parameter that reach
/// the main WASM module are translated whole (`"草稿刚被 {name} 保存…"`) and filled here: one
/// function, rather than a generated builder type per message.
pub fn fill(text: &str, name: &str, value: &str) -> String {
    text.replace(&["{", name, "}"].concat(), value)
}

/// A request's title in the reader's language: who asks for what (「张伟的报销」,
/// "报销 from 张伟"). The stored title (search, the API) is this in the default language.
#[must_use]
pub fn request_title(l: Locale, requester: &str, template: &str) -> String {
    fill(&fill(td_string!(l, wf.request_title), "template", template), "name", requester)
}

/// Why an operation was refused in the state things are in, in the current language.
fn conflict_text(i18n: I18nContext<Locale>, c: &Conflict) -> String {
    // The language read once (a tracked read), each text then by a plain lookup.
    let l = i18n.get_locale();
    match c {
        Conflict::RequestChanged => td_string!(l, conflict.request_changed).to_string(),
        Conflict::RequestNotRunning => td_string!(l, conflict.request_not_running).to_string(),
        Conflict::TaskHandled => td_string!(l, conflict.task_handled).to_string(),
        Conflict::AlreadyActedOn => td_string!(l, conflict.already_acted_on).to_string(),
        Conflict::NotReturned => td_string!(l, conflict.not_returned).to_string(),
        Conflict::TokenLimit { max } => fill(td_string!(l, conflict.token_limit), "max", &max.to_string()),
        Conflict::OwnAccount => td_string!(l, conflict.own_account).to_string(),
        Conflict::OwnAdminRole => td_string!(l, conflict.own_admin_role).to_string(),
        Conflict::AdminRoleFixed => td_string!(l, conflict.admin_role_fixed).to_string(),
        Conflict::BuiltinRole => td_string!(l, conflict.builtin_role).to_string(),
        Conflict::DraftCreatedMeanwhile => td_string!(l, conflict.draft_created_meanwhile).to_string(),
        Conflict::DraftExists { template } => fill(td_string!(l, conflict.draft_exists), "template", template),
        Conflict::DraftGone => td_string!(l, conflict.draft_gone).to_string(),
        Conflict::DraftSavedBy { name } => fill(td_string!(l, conflict.draft_saved_by), "name", name),
        Conflict::DraftChanged => td_string!(l, conflict.draft_changed).to_string(),
        Conflict::ReviewPending => td_string!(l, conflict.review_pending).to_string(),
        Conflict::NoReviewer => td_string!(l, conflict.no_reviewer).to_string(),
        Conflict::ReviewedDraftChanged { template } => {
            fill(td_string!(l, conflict.reviewed_draft_changed), "template", template)
        }
        Conflict::RollbackNeedsReview { version } => {
            fill(td_string!(l, conflict.rollback_needs_review), "version", &version.to_string())
        }
        Conflict::PublishNeedsReview => td_string!(l, conflict.publish_needs_review).to_string(),
        Conflict::UsernameTaken { username } => fill(td_string!(l, conflict.username_taken), "username", username),
        Conflict::UploadQuota { mb } => fill(td_string!(l, conflict.upload_quota), "mb", &mb.to_string()),
    }
}

/// The text for any error in the current language.
pub fn error_text(i18n: I18nContext<Locale>, e: &AppError) -> String {
    // The language read once (a tracked read), each text then by a plain lookup.
    let l = i18n.get_locale();
    match e {
        AppError::NotFound => td_string!(l, err.not_found).to_string(),
        AppError::Forbidden => td_string!(l, err.forbidden).to_string(),
        AppError::Unauthenticated => td_string!(l, err.unauthenticated).to_string(),
        AppError::Validation { code, .. } => code_text(i18n, *code),
        AppError::InvalidForm { .. } => td_string!(l, err.invalid_form).to_string(),
        AppError::InvalidTemplate { problems } => {
            // Each problem is English for API clients; the designer words the same checks itself.
            td_string!(l, err.invalid_template, count = problems.len()).to_string()
        }
        AppError::BadRequest { .. } => td_string!(l, err.bad_request).to_string(),
        AppError::PayloadTooLarge => td_string!(l, err.too_large).to_string(),
        AppError::Conflict { reason, .. } => conflict_text(i18n, reason),
        AppError::TooManyAttempts { retry_after_secs } => {
            td_string!(l, err.too_many, minutes = retry_after_secs.div_ceil(60)).to_string()
        }
        AppError::Internal { request_id } => {
            // An error from a service called while the server rendered this page does not name
            // its request yet (see `AppError::internal`); the page's request does. (In the
            // browser every error came through the server's middleware, which named it.)
            #[cfg(feature = "ssr")]
            let id = if request_id.is_empty() {
                use_context::<crate::error::RequestId>().map(|r| r.0).unwrap_or_default()
            } else {
                request_id.clone()
            };
            #[cfg(not(feature = "ssr"))]
            let id = request_id.clone();
            td_string!(l, err.internal, id = id).to_string()
        }
        AppError::PasswordChangeRequired => td_string!(l, err.password_change_required).to_string(),
    }
}

/// The error of the last submission of a form: from the action (with JavaScript), or the one
/// the server left for this form after a plain form post (no JavaScript yet; [`crate::flash`]).
pub fn form_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    let flashed = crate::flash::error_for(S::PATH);
    let (value, version) = (action.value(), action.version());
    Signal::derive(move || {
        if version.get() > 0 {
            return value.with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()));
        }
        flashed.clone()
    })
}

/// The error banner of a form: shown for errors that belong to no single field.
#[component]
pub fn FormError(err: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        err.get().filter(|e| !matches!(e, AppError::Validation { .. })).map(|e| {
            view! { <div class="alert alert-error" role="alert">{error_text(i18n, &e)}</div> }
        })
    }
}

/// A labelled input with its inline error.
#[component]
pub fn Field(
    #[prop(into)] label: Signal<String>,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] autocomplete: Option<&'static str>,
    err: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{name}");
    let err_id = format!("{id}-err");
    let field_err = move || match err.get() {
        Some(AppError::Validation { field, code }) if field == name => Some(code_text(i18n, code)),
        _ => None,
    };
    view! {
        <div class="field" class:has-error=move || field_err().is_some()>
            <label for=id.clone()>
                {move || label.get()}
                {required.then(|| view! { <span class="req" aria-hidden="true">"*"</span> })}
            </label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=move || if field_err().is_some() { "true" } else { "false" }
                aria-describedby=err_id.clone()
            />
            {move || hint.map(|h| view! { <p class="hint">{move || h.get()}</p> })}
            <p class="field-error" id=err_id role="alert">{field_err}</p>
        </div>
    }
}

/// An inline error under a field that is not a plain `Field` (a select, say).
#[component]
pub fn FieldError(err: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    move || match err.get() {
        Some(AppError::Validation { field: f, code }) if f == field => {
            Some(view! { <p class="field-error" role="alert">{code_text(i18n, code)}</p> })
        }
        _ => None,
    }
}

/// A full-width message for a failed page load (signed out, forbidden, missing, broken).
#[component]
pub fn ErrorPanel(err: AppError) -> impl IntoView {
    let i18n = use_i18n();
    let text = error_text(i18n, &err);
    let signin = matches!(err, AppError::Unauthenticated);
    view! {
        <div class="panel panel-error" role="alert">
            <p>{text}</p>
            {signin.then(|| view! { <a class="btn btn-primary" href="/login">{t!(i18n, login.go_login)}</a> })}
        </div>
    }
}

/// A line of "loading…" for Suspense fallbacks.
#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <div class="loading" aria-busy="true"><span class="spinner"></span>{t!(i18n, common.loading)}</div> }
}

/// An empty-state block.
#[component]
pub fn Empty(#[prop(into)] text: Signal<String>) -> impl IntoView {
    view! {
        <div class="empty">
            <Icon name="inbox"/>
            <p>{move || text.get()}</p>
        </div>
    }
}

/// Previous/next links keeping the other query parameters.
#[component]
pub fn Pager(page: u64, pages: u64, total: u64, base: String) -> impl IntoView {
    let i18n = use_i18n();
    let link = move |p: u64| {
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}page={p}")
    };
    let prev = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    view! {
        <nav class="pager" aria-label=td_string!(i18n.get_locale_untracked(), a11y.pagination)>
            {prev.map(|h| view! { <a class="btn btn-ghost" href=h>{t!(i18n, common.prev)}</a> })}
            <span class="muted">{t!(i18n, common.page_of, page = page, pages = pages, total = total)}</span>
            {next.map(|h| view! { <a class="btn btn-ghost" href=h>{t!(i18n, common.next)}</a> })}
        </nav>
    }
}

/// A line icon (24×24, stroke = currentColor).
#[component]
pub fn Icon(name: &'static str) -> impl IntoView {
    let d = match name {
        "home" => "M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z",
        "approve" => "M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9",
        "doc" => "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M8 13h8M8 17h5",
        "calendar" => "M5 5h14a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2zM16 3v4M8 3v4M3 11h18",
        "megaphone" => "M3 11v3a1 1 0 0 0 1 1h3l5 4V6L7 10H4a1 1 0 0 0-1 1zM16 8a5 5 0 0 1 0 8M19 5a9 9 0 0 1 0 14",
        "chart" => "M4 20V10M10 20V4M16 20v-7M22 20H2",
        "contacts" => {
            "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8M22 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8"
        }
        "settings" => {
            "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"
        }
        "user" => "M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8",
        "search" => "M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.3-4.3",
        "phone" => {
            "M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1.9.4 1.8.7 2.7a2 2 0 0 1-.5 2.1L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.7.7a2 2 0 0 1 1.7 2z"
        }
        "mail" => "M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",
        "logout" => "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
        "inbox" => {
            "M22 12h-6l-2 3h-4l-2-3H2M5.5 5.1L2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.5-6.9A2 2 0 0 0 16.8 4H7.2a2 2 0 0 0-1.7 1.1z"
        }
        "globe" => {
            "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM2 12h20M12 2a15 15 0 0 1 4 10 15 15 0 0 1-4 10 15 15 0 0 1-4-10 15 15 0 0 1 4-10z"
        }
        "plus" => "M12 5v14M5 12h14",
        "filter" => "M22 3H2l8 9.5V19l4 2v-8.5z",
        "chevron" => "M9 18l6-6-6-6",
        "bell" => "M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",
        "clip" => "M21.4 11.1l-9.2 9.2a6 6 0 0 1-8.5-8.5l9.2-9.2a4 4 0 0 1 5.7 5.7l-9.2 9.2a2 2 0 0 1-2.8-2.8l8.5-8.5",
        "upload" => "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12",
        "camera" => {
            "M23 19a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h4l2-3h6l2 3h4a2 2 0 0 1 2 2zM12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8"
        }
        "print" => "M6 9V2h12v7M6 18H4a2 2 0 0 1-2-2v-5a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2v5a2 2 0 0 1-2 2h-2M6 14h12v8H6z",
        "receipt" => "M4 2v20l3-2 3 2 3-2 3 2 3-2 1 .7V2l-1 .7-3-2-3 2-3-2-3 2-3-2zM8 8h8M8 12h8M8 16h5",
        "cart" => {
            "M9 21a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM20 21a1 1 0 1 0 0-2 1 1 0 0 0 0 2zM1 1h4l2.7 13.4a2 2 0 0 0 2 1.6h9.7a2 2 0 0 0 2-1.6L23 6H6"
        }
        "box" => {
            "M21 16V8a2 2 0 0 0-1-1.7l-7-4a2 2 0 0 0-2 0l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.7l7 4a2 2 0 0 0 2 0l7-4a2 2 0 0 0 1-1.7zM3.3 7L12 12l8.7-5M12 22V12"
        }
        "car" => "M5 17h14M5 17a2 2 0 1 0 4 0M15 17a2 2 0 1 0 4 0M3 17v-5l2-5h14l2 5v5M3 12h18",
        "user-plus" => "M16 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2M8.5 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8M20 8v6M23 11h-6",
        "flow" => "M9 3h6v4H9zM4 17h6v4H4zM14 17h6v4h-6zM12 7v5M7 17v-3h10v3",
        _ => "M12 12h.01",
    };
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor"
            stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
            <path d=d></path>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_in_china_time() {
        assert_eq!(fmt_time("2026-11-21T16:30:00Z"), "2026-11-22 00:30");
        assert_eq!(fmt_time("garbage"), "garbage");
    }

    #[test]
    fn a_request_title_reads_in_each_language() {
        assert_eq!(request_title(Locale::zh_CN, "张伟", "报销"), "张伟的报销");
        assert_eq!(request_title(Locale::en, "Zhang Wei", "Expenses"), "Expenses from Zhang Wei");
    }

    #[test]
    fn a_message_is_filled_with_its_parameter() {
        assert_eq!(fill("草稿刚被 {name} 保存", "name", "韩梅"), "草稿刚被 韩梅 保存");
        assert_eq!(fill("At most {max} tokens", "max", "20"), "At most 20 tokens");
        assert_eq!(fill("no placeholder", "name", "x"), "no placeholder");
    }

    /// Every message the main module fills has its placeholder in both languages.
    #[test]
    fn every_filled_message_has_its_placeholder() {
        let filled = [
            ("conflict", "token_limit", "max"),
            ("conflict", "draft_exists", "template"),
            ("conflict", "draft_saved_by", "name"),
            ("conflict", "reviewed_draft_changed", "template"),
            ("conflict", "rollback_needs_review", "version"),
            ("conflict", "username_taken", "username"),
            ("conflict", "upload_quota", "mb"),
            ("a11y", "select_item", "title"),
            ("wf", "request_title", "name"),
            ("wf", "request_title", "template"),
            ("wf", "concern_names_publisher", "node"),
            ("wf", "concern_self_approval", "node"),
            ("wf", "concern_auto_approve", "node"),
            ("designer", "import_not_json", "line"),
            ("designer", "import_not_json", "column"),
            ("designer", "import_other_format", "format"),
            ("designer", "import_version", "version"),
            ("designer", "import_version", "supported"),
            ("designer", "import_has_problems", "count"),
        ];
        let files = [
            (include_str!("../locales/zh-CN.json"), include_str!("../locales/areas/designer/zh-CN.json")),
            (include_str!("../locales/en.json"), include_str!("../locales/areas/designer/en.json")),
        ];
        for (file, designer) in files {
            let mut v: serde_json::Value = crate::data::from_json(file).unwrap();
            v["designer"] = crate::data::from_json(designer).unwrap();
            for (group, key, name) in filled {
                let text = v[group][key].as_str().unwrap_or_default();
                assert!(text.contains(&format!("{{{name}}}")), "{group}.{key} lacks {{{name}}}: {text:?}");
            }
        }
    }
}
