//! The vocabulary of refusals the domain speaks: why a field was refused ([`ErrorCode`]), which
//! field ([`Invalid`]), and a field of a submitted form ([`FieldError`]). The application's
//! error type (`crate::error::AppError`) wraps these; the domain never sees it.

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

/// One named field refused for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: String,
    pub code: ErrorCode,
}

impl Invalid {
    /// `field` refused with `code`.
    pub fn new(field: &str, code: ErrorCode) -> Self {
        Self { field: field.to_owned(), code }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.field, self.code.english())
    }
}

impl std::error::Error for Invalid {}

/// A field of a submitted form that was refused: its path (`items[2].amount`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub path: String,
    pub code: ErrorCode,
}
