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
//! The designer's words are its own catalogue (`locales/areas/designer/`, see `crate::words`),
//! the problems the domain's checks report each worded here from its code. They come with the
//! designer's pages: a split moves only functions into a page's part, so words compiled in
//! would sit in the main module's data, which every first visit downloads.

use crate::components::{ErrorPanel, Icon, Loading, error_text, fill, fmt_time};
use crate::domain::workflow::design::{
    self, Change, ChangeKind, Directory, ImportProblem, NodeKind, Slot, TemplateDoc, check_refs, field_type,
};
use crate::domain::workflow::flow::{
    ApproverRule, CmpOp, Condition, EmptyRule, Facts, FlowProblem, MultiMode, Node, REQUESTER_DEPARTMENT, SelfRule,
    Timeout, TimeoutAction,
};
use crate::domain::workflow::form::{Field, FieldKind, FormSchema, SchemaProblem, SelectOption};
use crate::domain::workflow::route::{Assignment, OrgView, Request, Step, chosen_arm, predict};
use crate::error::AppError;
use crate::i18n::*;
use crate::words::areas::designer::W;
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

/// The designer's words in the page's language (switching language reloads the page): its
/// own catalogue (`locales/areas/designer/`, see `crate::words`), which comes with the
/// designer's pages instead of sitting in the main WASM module. Looked up with `l.t(W::…)`.
#[derive(Clone, Copy)]
pub(in crate::workflow::pages::designer) struct Lang(crate::words::Table);

impl Lang {
    /// The words the page loaded (provided by [`WithWords`]).
    pub(in crate::workflow::pages::designer) fn get() -> Self {
        use_context::<Self>().unwrap_or(Self(&[]))
    }

    pub(in crate::workflow::pages::designer) fn t(self, w: W) -> &'static str {
        self.0.get(w as usize).map_or("", String::as_str)
    }
}

/// Renders `children` once the designer's words are here (on the server they always are; in
/// the browser they come with the page, or from an earlier designer page of the visit).
#[component]
pub(in crate::workflow::pages::designer) fn WithWords(children: ChildrenFn) -> impl IntoView {
    let words = crate::words::load("designer");
    view! {
        <Suspense fallback=Loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match words.await {
                        Ok(w) => {
                            provide_context(Lang(crate::words::table("designer", w)));
                            children().into_any()
                        }
                        Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

pub(in crate::workflow::pages::designer) fn kind_label(l: Lang, k: NodeKind) -> &'static str {
    match k {
        NodeKind::Approver => l.t(W::approver),
        NodeKind::Handler => l.t(W::handler),
        NodeKind::Cc => l.t(W::cc),
        NodeKind::Conditions => l.t(W::condition_branch),
        NodeKind::Parallel => l.t(W::parallel_branch),
    }
}

pub(in crate::workflow::pages::designer) fn field_label(l: Lang, t: &str) -> &'static str {
    match t {
        "text" => l.t(W::text),
        "long_text" => l.t(W::long_text),
        "number" => l.t(W::number),
        "money" => l.t(W::money),
        "date" => l.t(W::date),
        "date_range" => l.t(W::date_range),
        "select" => l.t(W::select),
        "multi_select" => l.t(W::multi_select),
        "user" => l.t(W::person),
        "department" => l.t(W::department),
        "attachment" => l.t(W::attachment),
        "table" => l.t(W::detail_table),
        "total" => l.t(W::total),
        "working_days" => l.t(W::working_days),
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
        SchemaProblem::BadKey => l.t(W::the_key_must_start_with_a_lower_case).into(),
        SchemaProblem::DuplicateKey => l.t(W::the_key_is_used_twice).into(),
        SchemaProblem::NoLabel => l.t(W::the_label_is_empty).into(),
        SchemaProblem::NoOptions => l.t(W::a_select_needs_options).into(),
        SchemaProblem::DuplicateOption => l.t(W::two_options_have_the_same_value).into(),
        SchemaProblem::NoColumns => l.t(W::a_table_needs_columns).into(),
        SchemaProblem::BadColumnKey { column } => {
            format!("{} {column}", l.t(W::bad_or_repeated_column_key))
        }
        SchemaProblem::NestedColumn { column } => {
            format!("{} {column}", l.t(W::a_column_cannot_be_a_table_or_a_total))
        }
        SchemaProblem::BadTotal { table, column } => {
            format!("{} {table}.{column}", l.t(W::the_total_must_sum_a_money_column_of_a))
        }
        SchemaProblem::WorkingDaysFields => l.t(W::working_days_count_between_two_date).into(),
        SchemaProblem::HalfDayFields => l.t(W::half_day_fields_must_be_selects_of_am).into(),
        SchemaProblem::MinAboveMax => l.t(W::the_minimum_is_above_the_maximum).into(),
    }
}

/// A flow's problem in the reader's language.
pub(in crate::workflow::pages::designer) fn flow_problem_text(l: Lang, p: &FlowProblem) -> String {
    let with = |label: &str, what: &dyn std::fmt::Display| format!("{label} {what}");
    match p {
        FlowProblem::NoDecider => l.t(W::the_flow_needs_at_least_one_approver_or).into(),
        FlowProblem::NoId => l.t(W::the_node_has_no_id).into(),
        FlowProblem::DuplicateId => l.t(W::two_nodes_have_this_id).into(),
        FlowProblem::NoName => l.t(W::the_node_has_no_name).into(),
        FlowProblem::DeadlineRange => l.t(W::the_deadline_must_be_between_1_minute).into(),
        FlowProblem::RemindTooOften => l.t(W::reminders_repeat_at_most_every_5_minutes).into(),
        FlowProblem::QuorumUnreachable { n } => with(l.t(W::problem_the_named_approvers_cannot_reach_the_quo), n),
        FlowProblem::NobodyToCopy => l.t(W::nobody_to_copy_2).into(),
        FlowProblem::TooFewBranches => l.t(W::a_condition_branch_needs_at_least_two).into(),
        FlowProblem::DefaultBranches { count } => with(l.t(W::problem_a_condition_branch_needs_exactly_one_def), count),
        FlowProblem::TooFewParallel => l.t(W::a_parallel_branch_needs_at_least_two).into(),
        FlowProblem::EmptyParallelArm { arm } => with(l.t(W::problem_a_parallel_branch_has_no_nodes), arm),
        FlowProblem::NoApprover => l.t(W::no_approver_is_named).into(),
        FlowProblem::ManagerLevels => l.t(W::manager_levels_must_be_1_to_10).into(),
        FlowProblem::NoRole => l.t(W::no_role_is_named).into(),
        FlowProblem::BadFallback => l.t(W::the_fallback_user_is_not_valid).into(),
        FlowProblem::EmptyGroup { arm } => with(l.t(W::problem_a_branch_has_an_empty_condition_group), arm),
        FlowProblem::DepartmentOperator { arm } => with(l.t(W::problem_the_requester_s_department_is_compared_w), arm),
        FlowProblem::UnknownField { arm, field } => {
            format!("{arm}: {} {field}", l.t(W::the_condition_uses_a_field_the_form))
        }
        FlowProblem::ConditionType { arm, field } => {
            format!("{arm}: {} {field}", l.t(W::the_condition_does_not_fit_the_type_of))
        }
        FlowProblem::UnknownUser { id } => with(l.t(W::problem_this_person_does_not_exist_or_is_disable), id),
        FlowProblem::UnknownRole { key } => with(l.t(W::problem_no_such_role), key),
        FlowProblem::UnknownDepartment { id } => with(l.t(W::problem_no_such_department), id),
        FlowProblem::UnknownFallback { id } => with(l.t(W::problem_the_fallback_person_does_not_exist_or_is), id),
    }
}

/// What is wrong with a file offered for import, in the reader's language (the JSON reader's
/// own words for a wrongly shaped field go beside it, as technical detail).
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(in crate::workflow::pages::designer) fn import_problem_text(l: Lang, p: &ImportProblem) -> String {
    match p {
        ImportProblem::Empty => l.t(W::import_empty).into(),
        ImportProblem::NotJson { line, column } => {
            fill(&fill(l.t(W::import_not_json), "line", &line.to_string()), "column", &column.to_string())
        }
        ImportProblem::OtherFormat { format } => fill(l.t(W::import_other_format), "format", format),
        ImportProblem::NotTongban => l.t(W::import_not_tongban).into(),
        ImportProblem::Version { version } => fill(
            &fill(l.t(W::import_version), "version", &version.to_string()),
            "supported",
            &design::FORMAT_VERSION.to_string(),
        ),
        ImportProblem::NoVersion => l.t(W::import_no_version).into(),
        ImportProblem::NoTemplate => l.t(W::import_no_template).into(),
        ImportProblem::MissingPart { part: "form" } => l.t(W::import_no_form).into(),
        ImportProblem::MissingPart { .. } => l.t(W::import_no_flow).into(),
        ImportProblem::Malformed { .. } => l.t(W::import_malformed).into(),
    }
}

/// A document's problems, worded: by node id, by field key, and all of them in one list.
pub(in crate::workflow::pages::designer) type Found =
    (HashMap<String, Vec<String>>, HashMap<String, Vec<String>>, Vec<String>);

/// Everything the engine's checks find in a document, worded: by node id, by field key, and
/// all of them in one list (each naming its field or node). With a directory, also what the
/// flow names that does not exist.
pub(in crate::workflow::pages::designer) fn doc_problems(l: Lang, d: &TemplateDoc, dir: Option<&Directory>) -> Found {
    let mut by_node: HashMap<String, Vec<String>> = HashMap::new();
    let mut general: Vec<String> = Vec::new();
    let mut by_field: HashMap<String, Vec<String>> = HashMap::new();
    if let Err(errs) = d.form.check() {
        for e in errs {
            let text = schema_problem_text(l, &e.problem);
            general.push(format!("{} {}: {text}", l.t(W::field), e.field));
            by_field.entry(e.field).or_default().push(text);
        }
    }
    let mut flow_errs = d.flow.validate(&d.form).err().unwrap_or_default();
    if let Some(dir) = dir {
        flow_errs.extend(check_refs(&d.flow, dir));
    }
    for e in flow_errs {
        let text = flow_problem_text(l, &e.problem);
        if e.node_id.is_empty() {
            general.push(text);
        } else {
            general.push(format!("{}: {text}", e.node_name));
            by_node.entry(e.node_id).or_default().push(text);
        }
    }
    (by_node, by_field, general)
}
