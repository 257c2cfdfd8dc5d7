//! What a notification says, before it is worded: the engine's events decide what to tell
//! whom; the words are chosen in each recipient's language when the notice is delivered
//! (`crate::workflow::jobs`), so a colleague who reads English gets English.

use serde::{Deserialize, Serialize};

/// What to tell the recipient about a request (whose title the notice carries beside this).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "say", rename_all = "snake_case")]
pub enum NoticeText {
    /// A task at `node` waits for the recipient.
    TaskOpened { node: String },
    /// The request was copied to the recipient at `node`.
    Copied { node: String },
    /// The recipient's request was approved.
    Approved,
    /// The recipient's request was rejected.
    Rejected,
    /// The recipient's request was withdrawn.
    Withdrawn,
    /// The recipient's request was returned to them to change and resubmit.
    Returned,
    /// The requester asks the recipient to hurry.
    Urged,
    /// A step of the recipient's request is past its deadline.
    RequestOverdue,
    /// The recipient's task at `node` is past its deadline.
    TaskOverdue { node: String },
    /// A reminder: the recipient's task at `node` is still past its deadline.
    Reminded { node: String },
    /// Someone commented on the recipient's request (the comment's beginning).
    Commented { text: String },
}
