//! The one error type that crosses every boundary: services, server functions, the HTTP API.
//! Internal causes (database errors…) are logged on the server and never sent to the client;
//! the client gets a request id to quote instead.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Why a field was refused; the UI translates the code, the API also sends an English text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Required,
    TooLong,
    InvalidFormat,
    Duplicate,
    PasswordTooShort,
    PasswordTooWeak,
    PasswordContainsUsername,
    WrongPassword,
    WrongCredentials,
    Cycle,
    UnknownReference,
    NotEmpty,
    OutOfRange,
    InsufficientBalance,
    NotAllowed,
    /// The password is one of the most common ones.
    PasswordTooCommon,
    /// The requester of a request cannot be given one of its tasks.
    IsRequester,
}

impl ErrorCode {
    /// An English explanation, for API clients and logs.
    #[must_use]
    pub fn english(self) -> &'static str {
        match self {
            Self::Required => "is required",
            Self::TooLong => "is too long",
            Self::InvalidFormat => "has an invalid format",
            Self::Duplicate => "is already taken",
            Self::PasswordTooShort => "must be at least 10 characters",
            Self::PasswordTooWeak => "must mix at least two of letters, digits and symbols",
            Self::PasswordContainsUsername => "must not contain the username",
            Self::WrongPassword => "is not the current password",
            Self::WrongCredentials => "wrong username or password",
            Self::Cycle => "would make a department its own ancestor",
            Self::UnknownReference => "refers to something that does not exist",
            Self::NotEmpty => "still has members or sub-departments",
            Self::OutOfRange => "is out of range",
            Self::InsufficientBalance => "is more than the remaining balance",
            Self::NotAllowed => "is not an allowed type",
            Self::PasswordTooCommon => "is one of the most common passwords; choose another",
            Self::IsRequester => "is the requester, who cannot handle their own request",
        }
    }
}

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
    InvalidForm { errors: Vec<crate::domain::workflow::form::FieldError> },
    /// A template whose form or flow is invalid, each problem naming its field or node.
    #[error("invalid template: {}", problems.join("; "))]
    InvalidTemplate { problems: Vec<String> },
    #[error("bad request: {message}")]
    BadRequest { message: String },
    #[error("conflict: {message}")]
    Conflict { message: String },
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

    /// Logs an internal cause and returns the error the client may see.
    #[cfg(feature = "ssr")]
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let request_id = crate::ctx::current_request_id();
        tracing::error!(request_id = %request_id, error = %cause, "internal error");
        Self::Internal { request_id }
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

fn form_text(errors: &[crate::domain::workflow::form::FieldError]) -> String {
    errors.iter().map(|e| format!("{} {}", e.path, e.code.english())).collect::<Vec<_>>().join("; ")
}

/// Result of every service and server function.
pub type AppResult<T> = Result<T, AppError>;
