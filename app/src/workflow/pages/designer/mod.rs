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
//! The designer's words are in the app's locale files (`designer.*`, and the problems the
//! domain's checks report, each worded here from its code). Its code is its own WASM part,
//! but a split moves only functions: these strings, like every part's constants, sit in the
//! main module's data (about 3 KB brotli of the first load).

use crate::components::{ErrorPanel, Icon, Loading, error_text, fmt_time};
use crate::domain::workflow::design::{
    self, Change, ChangeKind, Directory, NodeKind, Slot, TemplateDoc, check_refs, field_type,
};
use crate::domain::workflow::flow::{
    ApproverRule, CmpOp, Condition, EmptyRule, Facts, FlowProblem, MultiMode, Node, REQUESTER_DEPARTMENT, SelfRule,
    Timeout, TimeoutAction,
};
use crate::domain::workflow::form::{Field, FieldKind, FormSchema, SchemaProblem, SelectOption};
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

/// The page's language, read once when the designer opens (switching language reloads the
/// page). Its words are in the app's locale files under `designer`, looked up with
/// `td_string!(l.0, designer.…)`.
#[derive(Clone, Copy)]
pub(in crate::workflow::pages::designer) struct Lang(pub(in crate::workflow::pages::designer) Locale);

impl Lang {
    pub(in crate::workflow::pages::designer) fn get() -> Self {
        Self(use_i18n().get_locale_untracked())
    }
}

pub(in crate::workflow::pages::designer) fn kind_label(l: Lang, k: NodeKind) -> &'static str {
    match k {
        NodeKind::Approver => td_string!(l.0, designer.approver),
        NodeKind::Handler => td_string!(l.0, designer.handler),
        NodeKind::Cc => td_string!(l.0, designer.cc),
        NodeKind::Conditions => td_string!(l.0, designer.condition_branch),
        NodeKind::Parallel => td_string!(l.0, designer.parallel_branch),
    }
}

pub(in crate::workflow::pages::designer) fn field_label(l: Lang, t: &str) -> &'static str {
    match t {
        "text" => td_string!(l.0, designer.text),
        "long_text" => td_string!(l.0, designer.long_text),
        "number" => td_string!(l.0, designer.number),
        "money" => td_string!(l.0, designer.money),
        "date" => td_string!(l.0, designer.date),
        "date_range" => td_string!(l.0, designer.date_range),
        "select" => td_string!(l.0, designer.select),
        "multi_select" => td_string!(l.0, designer.multi_select),
        "user" => td_string!(l.0, designer.person),
        "department" => td_string!(l.0, designer.department),
        "attachment" => td_string!(l.0, designer.attachment),
        "table" => td_string!(l.0, designer.detail_table),
        "total" => td_string!(l.0, designer.total),
        "working_days" => td_string!(l.0, designer.working_days),
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

/// A form field's problem in the reader's language.
pub(in crate::workflow::pages::designer) fn schema_problem_text(l: Lang, p: &SchemaProblem) -> String {
    match p {
        SchemaProblem::BadKey => td_string!(l.0, designer.the_key_must_start_with_a_lower_case).into(),
        SchemaProblem::DuplicateKey => td_string!(l.0, designer.the_key_is_used_twice).into(),
        SchemaProblem::NoLabel => td_string!(l.0, designer.the_label_is_empty).into(),
        SchemaProblem::NoOptions => td_string!(l.0, designer.a_select_needs_options).into(),
        SchemaProblem::DuplicateOption => td_string!(l.0, designer.two_options_have_the_same_value).into(),
        SchemaProblem::NoColumns => td_string!(l.0, designer.a_table_needs_columns).into(),
        SchemaProblem::BadColumnKey { column } => {
            format!("{} {column}", td_string!(l.0, designer.bad_or_repeated_column_key))
        }
        SchemaProblem::NestedColumn { column } => {
            format!("{} {column}", td_string!(l.0, designer.a_column_cannot_be_a_table_or_a_total))
        }
        SchemaProblem::BadTotal { table, column } => {
            format!("{} {table}.{column}", td_string!(l.0, designer.the_total_must_sum_a_money_column_of_a))
        }
        SchemaProblem::WorkingDaysFields => td_string!(l.0, designer.working_days_count_between_two_date).into(),
        SchemaProblem::HalfDayFields => td_string!(l.0, designer.half_day_fields_must_be_selects_of_am).into(),
        SchemaProblem::MinAboveMax => td_string!(l.0, designer.the_minimum_is_above_the_maximum).into(),
    }
}

/// A flow's problem in the reader's language.
pub(in crate::workflow::pages::designer) fn flow_problem_text(l: Lang, p: &FlowProblem) -> String {
    let with = |label: &str, what: &dyn std::fmt::Display| format!("{label} {what}");
    match p {
        FlowProblem::NoDecider => td_string!(l.0, designer.the_flow_needs_at_least_one_approver_or).into(),
        FlowProblem::NoId => td_string!(l.0, designer.the_node_has_no_id).into(),
        FlowProblem::DuplicateId => td_string!(l.0, designer.two_nodes_have_this_id).into(),
        FlowProblem::NoName => td_string!(l.0, designer.the_node_has_no_name).into(),
        FlowProblem::DeadlineRange => td_string!(l.0, designer.the_deadline_must_be_between_1_minute).into(),
        FlowProblem::RemindTooOften => td_string!(l.0, designer.reminders_repeat_at_most_every_5_minutes).into(),
        FlowProblem::QuorumUnreachable { n } => {
            with(td_string!(l.0, designer.problem_the_named_approvers_cannot_reach_the_quo), n)
        }
        FlowProblem::NobodyToCopy => td_string!(l.0, designer.nobody_to_copy_2).into(),
        FlowProblem::TooFewBranches => td_string!(l.0, designer.a_condition_branch_needs_at_least_two).into(),
        FlowProblem::DefaultBranches { count } => {
            with(td_string!(l.0, designer.problem_a_condition_branch_needs_exactly_one_def), count)
        }
        FlowProblem::TooFewParallel => td_string!(l.0, designer.a_parallel_branch_needs_at_least_two).into(),
        FlowProblem::EmptyParallelArm { arm } => {
            with(td_string!(l.0, designer.problem_a_parallel_branch_has_no_nodes), arm)
        }
        FlowProblem::NoApprover => td_string!(l.0, designer.no_approver_is_named).into(),
        FlowProblem::ManagerLevels => td_string!(l.0, designer.manager_levels_must_be_1_to_10).into(),
        FlowProblem::NoRole => td_string!(l.0, designer.no_role_is_named).into(),
        FlowProblem::BadFallback => td_string!(l.0, designer.the_fallback_user_is_not_valid).into(),
        FlowProblem::EmptyGroup { arm } => {
            with(td_string!(l.0, designer.problem_a_branch_has_an_empty_condition_group), arm)
        }
        FlowProblem::DepartmentOperator { arm } => {
            with(td_string!(l.0, designer.problem_the_requester_s_department_is_compared_w), arm)
        }
        FlowProblem::UnknownField { arm, field } => {
            format!("{arm}: {} {field}", td_string!(l.0, designer.the_condition_uses_a_field_the_form))
        }
        FlowProblem::ConditionType { arm, field } => {
            format!("{arm}: {} {field}", td_string!(l.0, designer.the_condition_does_not_fit_the_type_of))
        }
        FlowProblem::UnknownUser { id } => {
            with(td_string!(l.0, designer.problem_this_person_does_not_exist_or_is_disable), id)
        }
        FlowProblem::UnknownRole { key } => with(td_string!(l.0, designer.problem_no_such_role), key),
        FlowProblem::UnknownDepartment { id } => with(td_string!(l.0, designer.problem_no_such_department), id),
        FlowProblem::UnknownFallback { id } => {
            with(td_string!(l.0, designer.problem_the_fallback_person_does_not_exist_or_is), id)
        }
    }
}
