//! `/designer` and `/designer/:key`: the process designer, the form designer, simulation and
//! versions (SPEC DES-1..4), for process owners and administrators.
//!
//! The flow is drawn top to bottom as DingTalk and Feishu draw it. Nodes come from a palette
//! by dragging them onto a "+" slot (pointer events, so mouse, pen and touch all work) or, from
//! the keyboard, through the slot's own menu; existing nodes are dragged to move them. Every
//! edit is one of `domain::workflow::design`'s operations, validation is the engine's own
//! (`check_doc`, `check_refs`) and simulation is the engine's routing (`route::predict`) — the
//! same Rust code the server runs on publish and at submit, compiled to WASM.
//!
//! The designer's words live here with its code rather than in the app's locale files. Its
//! code is its own WASM part, but a split moves only functions: these strings, like every
//! part's constants, still sit in the main module's data (about 3 KB brotli of the first load).

use crate::components::{ErrorPanel, Icon, Loading, error_text, fmt_time};
use crate::domain::workflow::design::{
    self, Change, ChangeKind, Directory, NodeKind, Slot, TemplateDoc, check_refs, field_type,
};
use crate::domain::workflow::flow::{
    ApproverRule, CmpOp, Condition, EmptyRule, Facts, MultiMode, Node, REQUESTER_DEPARTMENT, SelfRule, Timeout,
    TimeoutAction,
};
use crate::domain::workflow::form::{Field, FieldKind, FormSchema, SelectOption};
use crate::domain::workflow::route::{Assignment, OrgView, Request, Step, chosen_arm, predict};
use crate::error::AppError;
use crate::i18n::*;
use crate::workflow::design_api::{
    DesignCreate, DesignState, design_directory, design_discard, design_list, design_open, design_publish,
    design_rollback, design_save, design_versions,
};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::use_params_map;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

mod canvas;
mod editor;
mod form_designer;
mod list;
mod panels;
mod simulator;
mod state;
mod versions;

use self::{canvas::*, form_designer::*, panels::*, simulator::*, state::*, versions::*};
pub use editor::DesignerPage;
pub use list::DesignerListPage;

/// The page's language: Chinese unless the user chose English.
#[derive(Clone, Copy)]
pub(in crate::workflow::pages::designer) struct Lang(bool);

impl Lang {
    pub(in crate::workflow::pages::designer) fn get() -> Self {
        Self(use_i18n().get_locale_untracked() == Locale::en)
    }
    pub(in crate::workflow::pages::designer) fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        if self.0 { en } else { zh }
    }
}

pub(in crate::workflow::pages::designer) fn kind_label(l: Lang, k: NodeKind) -> &'static str {
    match k {
        NodeKind::Approver => l.t("审批人", "Approver"),
        NodeKind::Handler => l.t("办理人", "Handler"),
        NodeKind::Cc => l.t("抄送人", "CC"),
        NodeKind::Conditions => l.t("条件分支", "Condition branch"),
        NodeKind::Parallel => l.t("并行分支", "Parallel branch"),
    }
}

pub(in crate::workflow::pages::designer) fn field_label(l: Lang, t: &str) -> &'static str {
    match t {
        "text" => l.t("单行文本", "Text"),
        "long_text" => l.t("多行文本", "Long text"),
        "number" => l.t("数字", "Number"),
        "money" => l.t("金额", "Money"),
        "date" => l.t("日期", "Date"),
        "date_range" => l.t("日期区间", "Date range"),
        "select" => l.t("单选", "Select"),
        "multi_select" => l.t("多选", "Multi-select"),
        "user" => l.t("人员", "Person"),
        "department" => l.t("部门", "Department"),
        "attachment" => l.t("附件", "Attachment"),
        "table" => l.t("明细表", "Detail table"),
        "total" => l.t("合计", "Total"),
        "working_days" => l.t("工作日天数", "Working days"),
        _ => "?",
    }
}

/// An error in words, with the server's sentence where it says more than the kind of error
/// (what is wrong with an imported file) and the field a validation error is about.
pub(in crate::workflow::pages::designer) fn explain(i18n: leptos_i18n::I18nContext<Locale>, e: &AppError) -> String {
    match e {
        AppError::BadRequest { message } => format!("{}：{message}", error_text(i18n, e)),
        AppError::Validation { field, .. } => format!("{field}：{}", error_text(i18n, e)),
        _ => error_text(i18n, e),
    }
}
