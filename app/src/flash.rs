//! What a plain form post (a browser without JavaScript yet) leaves for the page it is sent
//! back to: the error of the form that failed, or the results of a batch.
//!
//! The server keeps it in the session between the redirect and the next page, never in the
//! URL (so a batch of any size fits, and a reload or a shared link does not show it again):
//! the handler puts it on its response in the internal [`HEADER`]; the server's middleware moves
//! it into the session under [`SESSION_KEY`], and on the next page request takes it out again
//! and hands it to the render ([`Incoming`]). The page shows it while it is on the page the
//! message was for (a page may build a form more than once while it renders, so reading does
//! not remove it); hydration gets the same value through Leptos's shared context, so the
//! browser renders what the server did, and once the browser moves to another page the
//! message is gone. Any area's form can use it: it names no area type.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The session key the message waits under.
pub const SESSION_KEY: &str = "flash";
/// The response header a handler leaves the message in; the server's middleware removes it
/// before the response leaves, so it never reaches a browser.
pub const HEADER: &str = "x-tongban-flash";

/// A message for the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flash {
    /// The submission of the form posted to `source` (a server function's path or a form
    /// route) failed; only that form shows it. `kept` holds what the person typed into the
    /// form's free-text inputs (by input name), so the form shows it again instead of losing it.
    Error {
        source: String,
        error: AppError,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        kept: Vec<(String, String)>,
    },
    /// One row per item of a batch, in the order they were sent.
    Results(Vec<ResultRow>),
}

/// One item's outcome in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultRow {
    pub label: Label,
    /// Where the item is, when it exists.
    pub href: Option<String>,
    pub error: Option<AppError>,
}

/// What a result row names, worded by the page that shows it, in its reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A text the same in every language (a number, a name).
    Text(String),
    /// A request: "{template} from {requester}" / "{requester}的{template}".
    Request { requester: String, template: String },
}

/// A message on its way: the page it is for (path and query) and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    pub to: String,
    pub flash: Flash,
}

impl Stored {
    /// Whether this message is for a request of `path`.
    #[must_use]
    pub fn is_for(&self, path: &str) -> bool {
        self.to.split(['?', '#']).next() == Some(path)
    }
}

/// The message the server took from the session for the page being rendered (a request
/// extension, set by the server's middleware): the page's path and the message.
#[derive(Debug, Clone)]
pub struct Incoming(pub String, pub Flash);

#[derive(Clone, Copy)]
struct Slot(StoredValue<Option<(String, Flash)>>);

/// Makes the message for this page available to its components; called once, by the app.
///
/// It crosses to the browser as JSON text in a plain string value and is read with
/// `crate::data::from_json`, the reader server-function responses use: a `SharedValue` of the
/// message itself would read it with a second JSON reader and put a second copy of every
/// error's decoder into the main WASM module (about 9 KB brotli).
pub fn provide() {
    let text: String = leptos::server::SharedValue::new_str(incoming).into_inner();
    let flash = (!text.is_empty()).then(|| crate::data::from_json::<(String, Flash)>(&text).ok()).flatten();
    provide_context(Slot(StoredValue::new(flash)));
}

#[cfg(feature = "ssr")]
fn incoming() -> String {
    use_context::<http::request::Parts>()
        .and_then(|p| {
            p.extensions.get::<Incoming>().and_then(|Incoming(path, flash)| serde_json::to_string(&(path, flash)).ok())
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn incoming() -> String {
    String::new()
}

/// The message, while the page it was for is the current one.
fn current() -> Option<Flash> {
    let here = leptos_router::hooks::use_location().pathname.get_untracked();
    use_context::<Slot>()?.0.with_value(|f| f.as_ref().filter(|(path, _)| *path == here).map(|(_, f)| f.clone()))
}

/// The error left for the form posted to `source`, if any.
#[must_use]
pub fn error_for(source: &str) -> Option<AppError> {
    match current()? {
        Flash::Error { source: s, error, .. } if s == source => Some(error),
        _ => None,
    }
}

/// What was typed into the input `name` of the form posted to `source`, when that post failed
/// and came back (empty otherwise).
#[must_use]
pub fn kept(source: &str, name: &str) -> String {
    match current() {
        Some(Flash::Error { source: s, kept, .. }) if s == source => {
            kept.into_iter().find(|(n, _)| n == name).map(|(_, v)| v).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// The results of a batch left for this page, if any.
#[must_use]
pub fn results() -> Option<Vec<ResultRow>> {
    match current()? {
        Flash::Results(rows) => Some(rows),
        Flash::Error { .. } => None,
    }
}

/// The header value carrying `flash` (percent-encoded JSON: header values are ASCII).
#[cfg(feature = "ssr")]
#[must_use]
pub fn header_value(flash: &Flash) -> Option<http::HeaderValue> {
    let json = serde_json::to_string(flash).ok()?;
    http::HeaderValue::from_str(&crate::url::percent_encode(&json)).ok()
}

/// The message in a header value made by [`header_value`].
#[cfg(feature = "ssr")]
#[must_use]
pub fn from_header(value: &http::HeaderValue) -> Option<Flash> {
    let text = crate::url::percent_decode(value.to_str().ok()?)?;
    serde_json::from_str(&text).ok()
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn a_message_survives_its_header() {
        let flash = Flash::Results(vec![
            ResultRow {
                label: Label::Request { requester: "张伟".into(), template: "请假".into() },
                href: Some("/approvals/7".into()),
                error: None,
            },
            ResultRow {
                label: Label::Text("#9".into()),
                href: None,
                error: Some(AppError::field("comment", ErrorCode::TooLong)),
            },
        ]);
        let v = header_value(&flash).unwrap();
        assert!(v.to_str().unwrap().is_ascii());
        assert_eq!(from_header(&v), Some(flash));
        assert_eq!(from_header(&http::HeaderValue::from_static("%ZZ")), None);
    }

    #[test]
    fn a_refusal_keeps_what_was_typed_and_reads_without_it() {
        let flash = Flash::Error {
            source: "/sfn/act_form".into(),
            error: AppError::NotFound,
            kept: vec![("comment".into(), "同意，但请控制预算".into())],
        };
        let v = header_value(&flash).unwrap();
        assert_eq!(from_header(&v), Some(flash));
        // A message stored before texts were kept.
        let error = serde_json::to_value(AppError::NotFound).unwrap();
        let old: Flash =
            serde_json::from_value(serde_json::json!({"error": {"source": "/login", "error": error}})).unwrap();
        assert!(matches!(old, Flash::Error { kept, .. } if kept.is_empty()));
    }

    #[test]
    fn a_message_is_for_its_page_only() {
        let s = Stored { to: "/approvals?box=todo".into(), flash: Flash::Results(vec![]) };
        assert!(s.is_for("/approvals"));
        assert!(!s.is_for("/approvals/7"));
        assert!(!s.is_for("/"));
    }
}
