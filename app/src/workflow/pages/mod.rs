//! The approval pages (SPEC WF-4..9, INFO-3): the catalogue of request types, the request
//! form, the lists, the instance page, notifications. Every page renders on the server and
//! its forms post as plain HTML forms, so they work before the WASM loads.

pub mod catalog;
pub mod designer;
pub mod form;
pub mod instance;
pub mod lists;
pub mod notices;

use crate::domain::workflow::instance::{EventKind, InstanceStatus};
use crate::i18n::*;
use crate::workflow::api::NodeState;
use leptos_i18n::I18nContext;

/// A request status in words, with its badge class.
pub fn status_label(i18n: I18nContext<Locale>, s: InstanceStatus) -> (String, &'static str) {
    match s {
        InstanceStatus::Running => (t_string!(i18n, wf.status_running).to_string(), "badge-info"),
        InstanceStatus::Returned => (t_string!(i18n, wf.status_returned).to_string(), "badge-warn"),
        InstanceStatus::Approved => (t_string!(i18n, wf.status_approved).to_string(), "badge-ok"),
        InstanceStatus::Rejected => (t_string!(i18n, wf.status_rejected).to_string(), "badge-danger"),
        InstanceStatus::Withdrawn => (t_string!(i18n, wf.status_withdrawn).to_string(), "badge-muted"),
    }
}

/// A node state in words.
pub fn node_state_label(i18n: I18nContext<Locale>, s: NodeState) -> String {
    match s {
        NodeState::Done => t_string!(i18n, wf.node_done),
        NodeState::Current => t_string!(i18n, wf.node_current),
        NodeState::Rejected => t_string!(i18n, wf.node_rejected),
        NodeState::Skipped => t_string!(i18n, wf.node_skipped),
        NodeState::Cancelled => t_string!(i18n, wf.node_cancelled),
        NodeState::Waiting => t_string!(i18n, wf.node_waiting),
    }
    .to_string()
}

/// A history event in words.
pub fn event_label(i18n: I18nContext<Locale>, e: &EventKind) -> String {
    match e {
        EventKind::Submitted => t_string!(i18n, wf.ev_submitted),
        EventKind::Resubmitted => t_string!(i18n, wf.ev_resubmitted),
        EventKind::Approved { .. } => t_string!(i18n, wf.ev_approved),
        EventKind::Rejected { .. } => t_string!(i18n, wf.ev_rejected),
        EventKind::Returned { .. } => t_string!(i18n, wf.ev_returned),
        EventKind::Transferred { .. } => t_string!(i18n, wf.ev_transferred),
        EventKind::SignerAdded { .. } => t_string!(i18n, wf.ev_signer_added),
        EventKind::Commented => t_string!(i18n, wf.ev_commented),
        EventKind::Urged => t_string!(i18n, wf.ev_urged),
        EventKind::Withdrawn => t_string!(i18n, wf.ev_withdrawn),
        EventKind::Copied { .. } => t_string!(i18n, wf.ev_copied),
        EventKind::NodeSkipped { .. } => t_string!(i18n, wf.ev_skipped),
        EventKind::Finished { .. } => t_string!(i18n, wf.ev_finished),
        EventKind::Overdue { .. } => t_string!(i18n, wf.ev_overdue),
        EventKind::Reminded { .. } => t_string!(i18n, wf.ev_reminded),
        EventKind::Escalated { .. } => t_string!(i18n, wf.ev_escalated),
        EventKind::AutoApproved { .. } => t_string!(i18n, wf.ev_auto_approved),
        EventKind::AutoReturned { .. } => t_string!(i18n, wf.ev_auto_returned),
        EventKind::HandedOver { .. } => t_string!(i18n, wf.ev_handed_over),
    }
    .to_string()
}

/// A span of seconds the way people say it: 5分钟, 3小时, 2天 (or in English).
pub fn duration_text(i18n: I18nContext<Locale>, secs: i64) -> String {
    let en = i18n.get_locale() == Locale::en;
    let (n, zh, e) = if secs < 3600 {
        ((secs / 60).max(1), "分钟", "min")
    } else if secs < 86_400 {
        (secs / 3600, "小时", "h")
    } else {
        (secs / 86_400, "天", "d")
    };
    if en { format!("{n} {e}") } else { format!("{n}{zh}") }
}

/// The icon name of a template's icon key.
pub fn template_icon(icon: &str) -> &'static str {
    match icon {
        "calendar" => "calendar",
        "receipt" => "receipt",
        "cart" => "cart",
        "box" => "box",
        "car" => "car",
        "user-plus" => "user-plus",
        _ => "doc",
    }
}
