//! The vocabulary of refusals the domain speaks: why a field was refused ([`ErrorCode`]), which
//! field ([`Invalid`]), a field of a submitted form ([`FieldError`]), and why an operation
//! cannot be done in the state things are in ([`Conflict`]). The application's
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

/// Why an operation cannot be done in the state things are in now (HTTP 409), with what a
/// message about it needs. The UI translates it; the API also sends an English text
/// ([`Conflict::english`]).
///
/// Read back through [`ConflictWire`], one flat record, rather than serde's code for an
/// internally tagged enum: the browser reads every error, so this is in the main WASM module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "code", rename_all = "snake_case", try_from = "ConflictWire")]
pub enum Conflict {
    /// Someone changed the request since it was loaded.
    RequestChanged,
    /// The request is no longer running (approved, rejected, withdrawn…).
    RequestNotRunning,
    /// The task was handled already.
    TaskHandled,
    /// Someone acted on the request already, so it can no longer be withdrawn or reminded.
    AlreadyActedOn,
    /// Only a request returned to its requester can be resubmitted.
    NotReturned,
    /// A person holds at most `max` API tokens.
    TokenLimit { max: u32 },
    /// Nobody disables their own account.
    OwnAccount,
    /// Nobody removes their own administrator role.
    OwnAdminRole,
    /// The administrator role always holds every permission.
    AdminRoleFixed,
    /// Built-in roles cannot be deleted.
    BuiltinRole,
    /// Someone created a draft of the template at the same moment.
    DraftCreatedMeanwhile,
    /// The template has a draft already: open it to continue.
    DraftExists { template: String },
    /// The draft was published or discarded meanwhile.
    DraftGone,
    /// `name` saved the draft meanwhile.
    DraftSavedBy { name: String },
    /// The draft changed since it was opened.
    DraftChanged,
    /// A change to the template is already waiting for review.
    ReviewPending,
    /// The change needs a second person's review and there is nobody to give it.
    NoReviewer,
    /// The draft changed since it was sent for review.
    ReviewedDraftChanged { template: String },
    /// Going back to `version` needs another process owner's review.
    RollbackNeedsReview { version: i32 },
    /// A change published through the API needs review: save it as a draft and publish that.
    PublishNeedsReview,
    /// The username was taken between the request and its approval.
    UsernameTaken { username: String },
    /// The day's upload quota (`mb` megabytes) is used up.
    UploadQuota { mb: u64 },
}

impl Conflict {
    /// An English explanation, for API clients and logs.
    #[must_use]
    pub fn english(&self) -> String {
        match self {
            Self::RequestChanged => "the request was changed by someone else; reload it".into(),
            Self::RequestNotRunning => "the request is not running".into(),
            Self::TaskHandled => "the task has already been handled".into(),
            Self::AlreadyActedOn => "someone has already acted on the request".into(),
            Self::NotReturned => "only a returned request can be resubmitted".into(),
            Self::TokenLimit { max } => format!("at most {max} tokens per user"),
            Self::OwnAccount => "you cannot disable your own account".into(),
            Self::OwnAdminRole => "you cannot remove your own admin role".into(),
            Self::AdminRoleFixed => "the admin role always holds every permission".into(),
            Self::BuiltinRole => "built-in roles cannot be deleted".into(),
            Self::DraftCreatedMeanwhile => "the draft was created meanwhile".into(),
            Self::DraftExists { template } => format!("template {template} already has a draft; open it to continue"),
            Self::DraftGone => "the draft was published or discarded meanwhile".into(),
            Self::DraftSavedBy { name } => format!("{name} saved this draft meanwhile; reload to see their changes"),
            Self::DraftChanged => "the draft changed since you opened it; reload it".into(),
            Self::ReviewPending => "a change to this template is already waiting for review".into(),
            Self::NoReviewer => "this change needs a second person's review and nobody else is a process owner or \
                                 administrator: give someone that role first"
                .into(),
            Self::ReviewedDraftChanged { template } => {
                format!("the draft of {template} changed since it was sent for review; it has to be sent again")
            }
            Self::RollbackNeedsReview { version } => format!(
                "going back to version {version} needs another process owner's review: open that version in the \
                 designer and publish it"
            ),
            Self::PublishNeedsReview => "this change needs another process owner's review: save it as a draft \
                                         (PUT /api/v1/designer/templates/{key}/draft) and publish the draft, which \
                                         files the review"
                .into(),
            Self::UsernameTaken { username } => format!("the username {username} has been taken since the request"),
            Self::UploadQuota { mb } => {
                format!("the upload quota of {mb} MB a day is used up; try again tomorrow or ask an administrator")
            }
        }
    }
}

/// A [`Conflict`] as it is read: the code and whichever parameters it has.
#[derive(Deserialize)]
pub struct ConflictWire {
    code: String,
    #[serde(default)]
    max: u32,
    #[serde(default)]
    mb: u64,
    #[serde(default)]
    version: i32,
    #[serde(default)]
    template: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    username: String,
}

impl TryFrom<ConflictWire> for Conflict {
    type Error = String;

    fn try_from(w: ConflictWire) -> Result<Self, String> {
        Ok(match w.code.as_str() {
            "request_changed" => Self::RequestChanged,
            "request_not_running" => Self::RequestNotRunning,
            "task_handled" => Self::TaskHandled,
            "already_acted_on" => Self::AlreadyActedOn,
            "not_returned" => Self::NotReturned,
            "token_limit" => Self::TokenLimit { max: w.max },
            "own_account" => Self::OwnAccount,
            "own_admin_role" => Self::OwnAdminRole,
            "admin_role_fixed" => Self::AdminRoleFixed,
            "builtin_role" => Self::BuiltinRole,
            "draft_created_meanwhile" => Self::DraftCreatedMeanwhile,
            "draft_exists" => Self::DraftExists { template: w.template },
            "draft_gone" => Self::DraftGone,
            "draft_saved_by" => Self::DraftSavedBy { name: w.name },
            "draft_changed" => Self::DraftChanged,
            "review_pending" => Self::ReviewPending,
            "no_reviewer" => Self::NoReviewer,
            "reviewed_draft_changed" => Self::ReviewedDraftChanged { template: w.template },
            "rollback_needs_review" => Self::RollbackNeedsReview { version: w.version },
            "publish_needs_review" => Self::PublishNeedsReview,
            "username_taken" => Self::UsernameTaken { username: w.username },
            "upload_quota" => Self::UploadQuota { mb: w.mb },
            other => return Err(format!("unknown conflict {other}")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_conflict_reads_back_as_written() {
        let all = [
            Conflict::RequestChanged,
            Conflict::RequestNotRunning,
            Conflict::TaskHandled,
            Conflict::AlreadyActedOn,
            Conflict::NotReturned,
            Conflict::TokenLimit { max: 20 },
            Conflict::OwnAccount,
            Conflict::OwnAdminRole,
            Conflict::AdminRoleFixed,
            Conflict::BuiltinRole,
            Conflict::DraftCreatedMeanwhile,
            Conflict::DraftExists { template: "leave".into() },
            Conflict::DraftGone,
            Conflict::DraftSavedBy { name: "韩梅".into() },
            Conflict::DraftChanged,
            Conflict::ReviewPending,
            Conflict::NoReviewer,
            Conflict::ReviewedDraftChanged { template: "expense".into() },
            Conflict::RollbackNeedsReview { version: 3 },
            Conflict::PublishNeedsReview,
            Conflict::UsernameTaken { username: "wang.fang".into() },
            Conflict::UploadQuota { mb: 500 },
        ];
        for c in all {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<Conflict>(&json).unwrap(), c, "{json}");
            assert!(!c.english().is_empty());
        }
        assert!(serde_json::from_str::<Conflict>(r#"{"code": "nonsense"}"#).is_err());
    }
}
