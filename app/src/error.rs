//! The one error type that crosses every boundary: services, server functions, the HTTP API.
//! Internal causes (database errors…) are logged on the server and never sent to the client;
//! the client gets a request id to quote instead.

//! The domain's refusals (`crate::domain::error`) are wrapped here; the request id of an
//! internal error is attached where the error leaves the server (the server's middleware for
//! HTTP responses, `crate::data` for server-rendered pages), not here.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

pub use crate::domain::error::{Conflict, ErrorCode, FieldError, Invalid};

/// The id of the request a page is rendered for: provided as context by the server while it
/// renders a page, so an internal error shown in the page names the request to quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Every error a Tongban operation can end in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("not signed in")]
    Unauthenticated,
    #[error("{field} {}", code.english())]
    Validation { field: String, code: ErrorCode },
    /// Submitted form values that fail the template's schema, each with its path.
    #[error("invalid form: {}", form_text(errors))]
    InvalidForm { errors: Vec<FieldError> },
    /// A template whose form or flow is invalid, each problem naming its field or node.
    #[error("invalid template: {}", problems.join("; "))]
    InvalidTemplate { problems: Vec<String> },
    #[error("bad request: {message}")]
    BadRequest { message: String },
    /// Not possible in the state things are in: `reason` for the UI to translate, `message`
    /// its English text for API clients.
    #[error("conflict: {message}")]
    Conflict { reason: Conflict, message: String },
    #[error("the request body is larger than the server accepts")]
    PayloadTooLarge,
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    TooManyAttempts { retry_after_secs: u64 },
    /// The account signed in with a one-time or administrator-set password and must choose
    /// its own before doing anything else.
    #[error("change your password first")]
    PasswordChangeRequired,
    #[error("internal error (request {request_id})")]
    Internal { request_id: String },
}

impl AppError {
    /// A validation error on one field.
    pub fn field(field: &str, code: ErrorCode) -> Self {
        Self::Validation { field: field.to_owned(), code }
    }

    /// An operation refused in the state things are in.
    #[must_use]
    pub fn conflict(reason: Conflict) -> Self {
        let message = reason.english();
        Self::Conflict { reason, message }
    }

    /// A malformed request.
    pub fn bad(message: impl Into<String>) -> Self {
        Self::BadRequest { message: message.into() }
    }

    /// The HTTP status that carries this error.
    #[must_use]
    pub fn status_code(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::Forbidden | Self::PasswordChangeRequired => 403,
            Self::Unauthenticated => 401,
            Self::Validation { code: ErrorCode::WrongCredentials, .. } => 401,
            Self::Validation { .. } | Self::InvalidForm { .. } | Self::InvalidTemplate { .. } => 422,
            Self::BadRequest { .. } => 400,
            Self::Conflict { .. } => 409,
            Self::PayloadTooLarge => 413,
            Self::TooManyAttempts { .. } => 429,
            Self::Internal { .. } => 500,
        }
    }

    /// Logs an internal cause (in the request's span, which names the request id) and returns
    /// the error the client may see: no cause, and a request id still empty — attached when the
    /// error is rendered ([`AppError::with_request_id`]).
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::Internal { request_id: String::new() }
    }

    /// Names the request in an internal error that does not name one yet.
    #[must_use]
    pub fn with_request_id(self, id: &str) -> Self {
        match self {
            Self::Internal { request_id } if request_id.is_empty() => Self::Internal { request_id: id.to_owned() },
            other => other,
        }
    }
}

impl From<crate::domain::workflow::design::DocRefusal> for AppError {
    fn from(e: crate::domain::workflow::design::DocRefusal) -> Self {
        use crate::domain::workflow::design::DocRefusal;
        match e {
            DocRefusal::Field(f) => f.into(),
            // Built-in templates are not anyone's to design.
            DocRefusal::ReservedKey => Self::Forbidden,
            other => Self::bad(other.to_string()),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        Self::Validation { field: e.field, code: e.code }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => Self::BadRequest { message: m },
            ServerFnErrorErr::MissingArg(m) => Self::BadRequest { message: format!("missing {m}") },
            // Transport failures on the client: not the server's fault, no request id.
            other => Self::Internal { request_id: other.to_string() },
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::internal(e)
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::TransactionError<AppError>> for AppError {
    fn from(e: sea_orm::TransactionError<AppError>) -> Self {
        match e {
            sea_orm::TransactionError::Connection(db) => db.into(),
            sea_orm::TransactionError::Transaction(app) => app,
        }
    }
}

fn form_text(errors: &[FieldError]) -> String {
    errors.iter().map(|e| format!("{} {}", e.path, e.code.english())).collect::<Vec<_>>().join("; ")
}

/// Result of every service and server function.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_is_a_code_with_its_parameters_and_an_english_text() {
        let e = AppError::conflict(Conflict::DraftSavedBy { name: "韩梅".into() });
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({
                "error": "conflict",
                "reason": {"code": "draft_saved_by", "name": "韩梅"},
                "message": "韩梅 saved this draft meanwhile; reload to see their changes",
            })
        );
        let back: AppError = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        assert_eq!(e.status_code(), 409);
    }
}
