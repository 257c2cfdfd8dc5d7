//! The flow of a template, block-structured as DingTalk and Feishu draw it: a sequence of
//! nodes, where a branch node holds condition branches (exactly one of them the default) or
//! parallel branches (all run, then join), each again a sequence. Every flow of this shape is
//! sound by construction; `validate` refuses anything else and names the node.

use super::form::{FieldKind, FormSchema};
use super::money::Money;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who a node's tasks go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApproverRule {
    /// Named users.
    Users { ids: Vec<i64> },
    /// Everyone holding a role.
    Role { key: String },
    /// The requester's manager, `levels` steps up (1 = direct manager).
    Manager { levels: u8 },
    /// The head of the requester's department, or of a named one.
    DepartmentHead {
        #[serde(default)]
        department: Option<i64>,
    },
    /// The requester chooses at submit time (自选).
    RequesterPicks,
}

/// How several approvers of one node decide. Written into the node as `"mode"` (and `"n"`
/// for a quorum); a node without `"mode"` is all-must-approve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum MultiMode {
    /// Everyone must approve (会签).
    #[default]
    All,
    /// Any one approval decides (或签).
    Any,
    /// One after another (依次).
    Sequential,
    /// `n` approvals of all of them.
    Quorum { n: u32 },
}

impl<'de> Deserialize<'de> for MultiMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            mode: Option<String>,
            #[serde(default)]
            n: Option<u32>,
        }
        let r = Raw::deserialize(d)?;
        match r.mode.as_deref() {
            None | Some("all") => Ok(Self::All),
            Some("any") => Ok(Self::Any),
            Some("sequential") => Ok(Self::Sequential),
            Some("quorum") => Ok(Self::Quorum { n: r.n.ok_or_else(|| D::Error::missing_field("n"))? }),
            Some(other) => Err(D::Error::unknown_variant(other, &["all", "any", "sequential", "quorum"])),
        }
    }
}

/// What happens when a rule finds nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum EmptyRule {
    /// The node is skipped.
    #[default]
    Skip,
    /// The task goes to the administrators.
    Admin,
    /// The task goes to a named user.
    User { id: i64 },
}

/// What happens when the requester is among a node's approvers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SelfRule {
    /// The requester's own approval is skipped.
    #[default]
    Skip,
    /// The requester approves like anyone else.
    Keep,
    /// The requester is left out, and when nobody else is found the node goes to its "nobody
    /// found" rule: it never passes by itself (a review of the requester's own change).
    Exclude,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Contains,
    IsEmpty,
}

/// The requester's department, usable in conditions as a field.
pub const REQUESTER_DEPARTMENT: &str = "$requester.department";

/// A condition on form fields: comparisons combined in and/or groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    Compare {
        field: String,
        op: CmpOp,
        #[serde(default)]
        value: Value,
    },
    All {
        items: Vec<Condition>,
    },
    Any {
        items: Vec<Condition>,
    },
}

/// One arm of a condition branch; `condition: None` marks the default arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionArm {
    pub name: String,
    #[serde(default)]
    pub condition: Option<Condition>,
    #[serde(default)]
    pub nodes: Vec<Node>,
}

/// One arm of a parallel branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParallelArm {
    pub name: String,
    #[serde(default)]
    pub nodes: Vec<Node>,
}

/// What happens when a node's task is still open at its deadline (SPEC WF-6). The task is
/// flagged overdue and recorded as a violation in every case, and the requester is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "then", rename_all = "snake_case")]
pub enum TimeoutAction {
    /// Remind the handler, again every `every_minutes` of working time.
    Remind { every_minutes: u32 },
    /// Hand the task to the handler's manager.
    Escalate,
    /// Approve on the handler's behalf.
    AutoApprove,
    /// Return the request to the requester.
    AutoReturn,
}

/// A node's deadline, in working minutes from the moment its task opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeout {
    pub after_minutes: u32,
    #[serde(flatten)]
    pub action: TimeoutAction,
}

/// A step of the flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    /// Approvers decide (审批人).
    Approver {
        id: String,
        name: String,
        rule: ApproverRule,
        #[serde(default, flatten)]
        mode: MultiMode,
        #[serde(default)]
        on_empty: EmptyRule,
        #[serde(default)]
        requester_is_approver: SelfRule,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<Timeout>,
    },
    /// Someone carries the request out (执行人).
    Handler {
        id: String,
        name: String,
        rule: ApproverRule,
        #[serde(default)]
        on_empty: EmptyRule,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout: Option<Timeout>,
    },
    /// People are informed (抄送).
    Cc { id: String, name: String, targets: Vec<ApproverRule> },
    /// The first arm whose condition holds runs; otherwise the default arm.
    Conditions { id: String, name: String, arms: Vec<ConditionArm> },
    /// Every arm runs; the flow continues when all have finished.
    Parallel { id: String, name: String, arms: Vec<ParallelArm> },
}

impl Node {
    /// The node's id.
    #[must_use]
    pub fn id(&self) -> &str {
        match self {
            Self::Approver { id, .. }
            | Self::Handler { id, .. }
            | Self::Cc { id, .. }
            | Self::Conditions { id, .. }
            | Self::Parallel { id, .. } => id,
        }
    }

    /// The node's deadline, if it has one.
    #[must_use]
    pub fn timeout(&self) -> Option<Timeout> {
        match self {
            Self::Approver { timeout, .. } | Self::Handler { timeout, .. } => *timeout,
            _ => None,
        }
    }

    /// The node's display name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Approver { name, .. }
            | Self::Handler { name, .. }
            | Self::Cc { name, .. }
            | Self::Conditions { name, .. }
            | Self::Parallel { name, .. } => name,
        }
    }
}

/// The flow of a template.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Flow {
    pub nodes: Vec<Node>,
}

/// A problem in a flow, on a node (no node: the flow as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowError {
    pub node_id: String,
    pub node_name: String,
    pub problem: FlowProblem,
}

impl FlowError {
    /// `problem` on node `n`.
    #[must_use]
    pub fn on(n: &Node, problem: FlowProblem) -> Self {
        Self { node_id: n.id().into(), node_name: n.name().into(), problem }
    }
}

/// What is wrong in a flow; the designer words it in the reader's language, the API sends
/// [`FlowProblem::english`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FlowProblem {
    /// Nobody decides: the flow has no approver or handler.
    NoDecider,
    NoId,
    DuplicateId,
    NoName,
    /// A deadline outside 1 minute to a year of working time.
    DeadlineRange,
    /// Reminders more often than every 5 minutes.
    RemindTooOften,
    /// A quorum of `n` that the named approvers cannot reach.
    QuorumUnreachable {
        n: u32,
    },
    NobodyToCopy,
    /// A condition branch with fewer than two branches.
    TooFewBranches,
    /// A condition branch with `count` default branches instead of one.
    DefaultBranches {
        count: usize,
    },
    /// A parallel branch with fewer than two branches.
    TooFewParallel,
    /// A parallel branch `arm` with no nodes.
    EmptyParallelArm {
        arm: String,
    },
    NoApprover,
    /// Manager levels outside 1 to 10.
    ManagerLevels,
    NoRole,
    BadFallback,
    /// Branch `arm` has an empty condition group.
    EmptyGroup {
        arm: String,
    },
    /// Branch `arm` compares the requester's department other than with =, ≠ or in.
    DepartmentOperator {
        arm: String,
    },
    /// Branch `arm` uses `field`, which the form does not have.
    UnknownField {
        arm: String,
        field: String,
    },
    /// Branch `arm`'s condition on `field` does not fit the field's type.
    ConditionType {
        arm: String,
        field: String,
    },
    /// User `id` does not exist or is disabled.
    UnknownUser {
        id: i64,
    },
    /// Role `key` does not exist.
    UnknownRole {
        key: String,
    },
    /// Department `id` does not exist.
    UnknownDepartment {
        id: i64,
    },
    /// The fallback user `id` does not exist or is disabled.
    UnknownFallback {
        id: i64,
    },
}

impl FlowProblem {
    /// An English explanation, for API clients and logs.
    #[must_use]
    pub fn english(&self) -> String {
        match self {
            Self::NoDecider => "the flow needs at least one approver or handler".into(),
            Self::NoId => "the node has no id".into(),
            Self::DuplicateId => "two nodes have this id".into(),
            Self::NoName => "the node has no name".into(),
            Self::DeadlineRange => "the deadline must be between 1 minute and a year of working time".into(),
            Self::RemindTooOften => "reminders repeat at most every 5 minutes".into(),
            Self::QuorumUnreachable { n } => format!("{n} of the approvers cannot be reached"),
            Self::NobodyToCopy => "nobody to copy".into(),
            Self::TooFewBranches => "a condition branch needs at least two branches".into(),
            Self::DefaultBranches { count } => {
                format!("a condition branch needs exactly one default branch, it has {count}")
            }
            Self::TooFewParallel => "a parallel branch needs at least two branches".into(),
            Self::EmptyParallelArm { arm } => format!("parallel branch {arm} has no nodes"),
            Self::NoApprover => "no approver is named".into(),
            Self::ManagerLevels => "manager levels must be 1 to 10".into(),
            Self::NoRole => "no role is named".into(),
            Self::BadFallback => "the fallback user is not valid".into(),
            Self::EmptyGroup { arm } => format!("branch {arm} has an empty condition group"),
            Self::DepartmentOperator { arm } => {
                format!("branch {arm}: the requester's department is compared with =, ≠ or in")
            }
            Self::UnknownField { arm, field } => {
                format!("branch {arm}: the condition uses field {field}, which the form does not have")
            }
            Self::ConditionType { arm, field } => {
                format!("branch {arm}: the condition on {field} does not fit the field's type")
            }
            Self::UnknownUser { id } => format!("user #{id} does not exist or is disabled"),
            Self::UnknownRole { key } => format!("role {key} does not exist"),
            Self::UnknownDepartment { id } => format!("department #{id} does not exist"),
            Self::UnknownFallback { id } => format!("the fallback user #{id} does not exist or is disabled"),
        }
    }
}

impl std::fmt::Display for FlowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "node {} ({}): {}", self.node_name, self.node_id, self.problem.english())
    }
}

impl Flow {
    /// Every node, depth first.
    pub fn walk(&self) -> Vec<&Node> {
        fn go<'a>(nodes: &'a [Node], out: &mut Vec<&'a Node>) {
            for n in nodes {
                out.push(n);
                match n {
                    Node::Conditions { arms, .. } => arms.iter().for_each(|a| go(&a.nodes, out)),
                    Node::Parallel { arms, .. } => arms.iter().for_each(|a| go(&a.nodes, out)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        go(&self.nodes, &mut out);
        out
    }

    /// Checks the flow against the form it belongs to.
    ///
    /// # Errors
    /// Every problem, each naming its node.
    pub fn validate(&self, form: &FormSchema) -> Result<(), Vec<FlowError>> {
        let mut errs = Vec::new();
        let mut ids = std::collections::HashSet::new();
        if self.walk().iter().all(|n| matches!(n, Node::Cc { .. })) {
            errs.push(FlowError { node_id: String::new(), node_name: String::new(), problem: FlowProblem::NoDecider });
        }
        for n in self.walk() {
            let mut err = |p: FlowProblem| errs.push(FlowError::on(n, p));
            if n.id().trim().is_empty() || n.id().len() > 64 {
                err(FlowProblem::NoId);
            } else if !ids.insert(n.id()) {
                err(FlowProblem::DuplicateId);
            }
            if n.name().trim().is_empty() {
                err(FlowProblem::NoName);
            }
            if let Some(t) = n.timeout() {
                if t.after_minutes == 0 || t.after_minutes > 60 * 24 * 365 {
                    err(FlowProblem::DeadlineRange);
                }
                if let TimeoutAction::Remind { every_minutes } = t.action
                    && every_minutes < 5
                {
                    err(FlowProblem::RemindTooOften);
                }
            }
            match n {
                Node::Approver { rule, mode, on_empty, .. } => {
                    check_rule(rule, &mut err);
                    if let MultiMode::Quorum { n } = mode {
                        let known = match rule {
                            ApproverRule::Users { ids } => Some(ids.len() as u32),
                            _ => None,
                        };
                        if *n == 0 || known.is_some_and(|k| *n > k) {
                            err(FlowProblem::QuorumUnreachable { n: *n });
                        }
                    }
                    check_empty(on_empty, &mut err);
                }
                Node::Handler { rule, on_empty, .. } => {
                    check_rule(rule, &mut err);
                    check_empty(on_empty, &mut err);
                }
                Node::Cc { targets, .. } => {
                    if targets.is_empty() {
                        err(FlowProblem::NobodyToCopy);
                    }
                    for t in targets {
                        check_rule(t, &mut err);
                    }
                }
                Node::Conditions { arms, .. } => {
                    if arms.len() < 2 {
                        err(FlowProblem::TooFewBranches);
                    }
                    let defaults = arms.iter().filter(|a| a.condition.is_none()).count();
                    if defaults != 1 {
                        err(FlowProblem::DefaultBranches { count: defaults });
                    }
                    for a in arms {
                        if let Some(c) = &a.condition {
                            check_condition(c, form, &a.name, &mut err);
                        }
                    }
                }
                Node::Parallel { arms, .. } => {
                    if arms.len() < 2 {
                        err(FlowProblem::TooFewParallel);
                    }
                    for a in arms {
                        if a.nodes.is_empty() {
                            err(FlowProblem::EmptyParallelArm { arm: a.name.clone() });
                        }
                    }
                }
            }
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }
}

fn check_rule(rule: &ApproverRule, err: &mut impl FnMut(FlowProblem)) {
    match rule {
        ApproverRule::Users { ids } if ids.is_empty() => err(FlowProblem::NoApprover),
        ApproverRule::Manager { levels } if !(1..=10).contains(levels) => err(FlowProblem::ManagerLevels),
        ApproverRule::Role { key } if key.trim().is_empty() => err(FlowProblem::NoRole),
        _ => {}
    }
}

fn check_empty(rule: &EmptyRule, err: &mut impl FnMut(FlowProblem)) {
    if let EmptyRule::User { id } = rule
        && *id <= 0
    {
        err(FlowProblem::BadFallback);
    }
}

fn check_condition(c: &Condition, form: &FormSchema, arm: &str, err: &mut impl FnMut(FlowProblem)) {
    match c {
        Condition::All { items } | Condition::Any { items } => {
            if items.is_empty() {
                err(FlowProblem::EmptyGroup { arm: arm.into() });
            }
            items.iter().for_each(|i| check_condition(i, form, arm, err));
        }
        Condition::Compare { field, op, value } => {
            if field == REQUESTER_DEPARTMENT {
                if !matches!(op, CmpOp::Eq | CmpOp::Ne | CmpOp::In) {
                    err(FlowProblem::DepartmentOperator { arm: arm.into() });
                }
                return;
            }
            let Some(f) = form.field(field) else {
                err(FlowProblem::UnknownField { arm: arm.into(), field: field.clone() });
                return;
            };
            let ordered = matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
            let ok = match &f.kind {
                FieldKind::Money { .. } | FieldKind::Total { .. } | FieldKind::WorkingDays { .. } => {
                    *op == CmpOp::IsEmpty || value_text(value).is_some_and(|t| Money::parse(&t).is_ok())
                }
                FieldKind::Number { .. } => {
                    *op == CmpOp::IsEmpty || value_text(value).is_some_and(|t| t.parse::<i64>().is_ok())
                }
                FieldKind::Date => *op == CmpOp::IsEmpty || value_text(value).is_some_and(|t| parse_date(&t).is_some()),
                FieldKind::Select { .. }
                | FieldKind::MultiSelect { .. }
                | FieldKind::Text { .. }
                | FieldKind::LongText { .. } => !ordered,
                FieldKind::User | FieldKind::Department => {
                    matches!(op, CmpOp::Eq | CmpOp::Ne | CmpOp::In | CmpOp::IsEmpty)
                }
                _ => *op == CmpOp::IsEmpty,
            };
            if !ok {
                err(FlowProblem::ConditionType { arm: arm.into(), field: field.clone() });
            }
        }
    }
}

fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    crate::domain::time::parse_day(s)
}

/// What a condition is evaluated against: the validated form values and the requester's
/// department with its ancestors (so "the requester is in 研发部" holds for its teams too).
pub struct Facts<'a> {
    pub form: &'a Map<String, Value>,
    pub requester_departments: &'a [i64],
}

impl Condition {
    /// Whether the condition holds. A comparison on a missing value is false (except
    /// `is_empty`); money and numbers compare exactly, dates as dates, the rest as text.
    #[must_use]
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        match self {
            Self::All { items } => items.iter().all(|c| c.holds(facts)),
            Self::Any { items } => items.iter().any(|c| c.holds(facts)),
            Self::Compare { field, op, value } => compare(field, *op, value, facts),
        }
    }
}

fn as_list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().filter_map(value_text).collect(),
        other => value_text(other).into_iter().collect(),
    }
}

fn compare(field: &str, op: CmpOp, want: &Value, facts: &Facts<'_>) -> bool {
    if field == REQUESTER_DEPARTMENT {
        let wanted: Vec<i64> = as_list(want).iter().filter_map(|s| s.parse().ok()).collect();
        let inside = facts.requester_departments.iter().any(|d| wanted.contains(d));
        return match op {
            CmpOp::Eq | CmpOp::In => inside,
            CmpOp::Ne => !inside,
            _ => false,
        };
    }
    let got = facts.form.get(field);
    let empty = match got {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        _ => false,
    };
    if op == CmpOp::IsEmpty {
        return empty;
    }
    let Some(got) = got.filter(|_| !empty) else { return false };
    if op == CmpOp::In {
        let options = as_list(want);
        return as_list(got).iter().any(|g| options.contains(g));
    }
    if op == CmpOp::Contains {
        return match got {
            Value::Array(_) => as_list(got).iter().any(|g| as_list(want).contains(g)),
            other => value_text(other).zip(value_text(want)).is_some_and(|(g, w)| g.contains(&w)),
        };
    }
    let (Some(g), Some(w)) = (value_text(got), value_text(want)) else { return false };
    let ord = if let (Ok(a), Ok(b)) = (Money::parse(&g), Money::parse(&w)) {
        a.cmp(&b)
    } else if let (Some(a), Some(b)) = (parse_date(&g), parse_date(&w)) {
        a.cmp(&b)
    } else {
        g.cmp(&w)
    };
    use std::cmp::Ordering::{Equal, Greater, Less};
    match op {
        CmpOp::Eq => ord == Equal,
        CmpOp::Ne => ord != Equal,
        CmpOp::Lt => ord == Less,
        CmpOp::Le => ord != Greater,
        CmpOp::Gt => ord == Greater,
        CmpOp::Ge => ord != Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::testkit::approver;
    use serde_json::json;

    fn form() -> FormSchema {
        serde_json::from_value(json!({"fields": [
            {"key": "amount", "label": "金额", "type": "money", "required": true},
            {"key": "kind", "label": "类别", "type": "select", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
            {"key": "day", "label": "日期", "type": "date"}
        ]}))
        .unwrap()
    }

    fn expense_flow() -> Flow {
        Flow {
            nodes: vec![
                approver("manager", ApproverRule::Manager { levels: 1 }),
                approver("finance", ApproverRule::DepartmentHead { department: Some(4) }),
                Node::Conditions {
                    id: "big".into(),
                    name: "金额判断".into(),
                    arms: vec![
                        ConditionArm {
                            name: "超过 5000".into(),
                            condition: Some(Condition::Compare {
                                field: "amount".into(),
                                op: CmpOp::Gt,
                                value: json!("5000"),
                            }),
                            nodes: vec![approver("gm", ApproverRule::Users { ids: vec![1] })],
                        },
                        ConditionArm { name: "其他".into(), condition: None, nodes: vec![] },
                    ],
                },
            ],
        }
    }

    #[test]
    fn a_sound_flow_validates_and_round_trips() {
        let f = expense_flow();
        f.validate(&form()).unwrap();
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Flow>(&text).unwrap(), f);
        assert_eq!(f.walk().len(), 4);
    }

    #[test]
    fn problems_name_their_node() {
        let mut f = expense_flow();
        if let Node::Conditions { arms, .. } = &mut f.nodes[2] {
            arms[1].condition = Some(Condition::Compare { field: "missing".into(), op: CmpOp::Eq, value: json!("x") });
        }
        f.nodes.push(approver("manager", ApproverRule::Users { ids: vec![] }));
        f.nodes.push(Node::Parallel {
            id: "p".into(),
            name: "并行".into(),
            arms: vec![ParallelArm { name: "一".into(), nodes: vec![] }],
        });
        let errs = f.validate(&form()).unwrap_err();
        let has = |id: &str, part: &str| errs.iter().any(|e| e.node_id == id && e.problem.english().contains(part));
        assert!(has("big", "exactly one default branch, it has 0"), "{errs:?}");
        assert!(has("big", "field missing"), "{errs:?}");
        assert!(has("manager", "two nodes have this id"));
        assert!(has("manager", "no approver is named"));
        assert!(has("p", "at least two branches"));
        assert!(has("p", "has no nodes"));
    }

    #[test]
    fn conditions_must_fit_field_types() {
        let bad = Condition::Compare { field: "amount".into(), op: CmpOp::Gt, value: json!("lots") };
        let mut f = expense_flow();
        if let Node::Conditions { arms, .. } = &mut f.nodes[2] {
            arms[0].condition = Some(bad);
        }
        let errs = f.validate(&form()).unwrap_err();
        assert!(errs[0].problem.english().contains("does not fit"), "{errs:?}");
        assert!(Flow::default().validate(&form()).is_err(), "an empty flow has nobody to approve");
    }

    #[test]
    fn money_compares_exactly_and_groups_combine() {
        let mut values = Map::new();
        values.insert("amount".into(), json!("5000.01"));
        values.insert("kind".into(), json!("b"));
        values.insert("day".into(), json!("2026-11-21"));
        let facts = Facts { form: &values, requester_departments: &[6, 1] };
        let gt = |v: &str| Condition::Compare { field: "amount".into(), op: CmpOp::Gt, value: json!(v) };
        assert!(gt("5000").holds(&facts));
        assert!(!gt("5000.01").holds(&facts));
        assert!(Condition::Compare { field: "amount".into(), op: CmpOp::Le, value: json!(5000.01) }.holds(&facts));
        let in_b = Condition::Compare { field: "kind".into(), op: CmpOp::In, value: json!(["a", "b"]) };
        let before = Condition::Compare { field: "day".into(), op: CmpOp::Lt, value: json!("2026-12-01") };
        assert!(Condition::All { items: vec![gt("5000"), in_b.clone(), before] }.holds(&facts));
        assert!(Condition::Any { items: vec![gt("9000"), in_b] }.holds(&facts));
        let dept = Condition::Compare { field: REQUESTER_DEPARTMENT.into(), op: CmpOp::Eq, value: json!(6) };
        assert!(dept.holds(&facts));
        let missing = Condition::Compare { field: "note".into(), op: CmpOp::Eq, value: json!("x") };
        assert!(!missing.holds(&facts));
        assert!(Condition::Compare { field: "note".into(), op: CmpOp::IsEmpty, value: Value::Null }.holds(&facts));
    }
}
