//! Routing: who each node goes to, and which path a request takes. Runs on the server when
//! an instance starts and in the browser for "who will approve this" and the designer's
//! simulation — the same code both places.

use super::flow::{ApproverRule, Condition, ConditionArm, EmptyRule, Facts, Flow, MultiMode, Node, SelfRule};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What routing needs to know about the organisation.
pub trait OrgView {
    /// A user's direct manager.
    fn manager_of(&self, user: i64) -> Option<i64>;
    /// A user's department.
    fn department_of(&self, user: i64) -> Option<i64>;
    /// A department's parent.
    fn parent_of(&self, department: i64) -> Option<i64>;
    /// A department's head.
    fn head_of(&self, department: i64) -> Option<i64>;
    /// Active users holding a role.
    fn role_members(&self, role: &str) -> Vec<i64>;
    /// Active administrators.
    fn administrators(&self) -> Vec<i64>;
    /// Whether a user exists and is active.
    fn is_active(&self, user: i64) -> bool;

    /// A user's department and every department above it.
    fn departments_of(&self, user: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut cur = self.department_of(user);
        while let Some(d) = cur {
            if out.contains(&d) || out.len() > 64 {
                break;
            }
            out.push(d);
            cur = self.parent_of(d);
        }
        out
    }
}

/// Why a node has nobody to act.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The rule found nobody and the node is set to be skipped then.
    NobodyFound,
    /// The only approver was the requester, and the node skips the requester.
    RequesterOnly,
}

/// Who a node's tasks go to, after the empty-result and requester rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Assignment {
    Assigned { users: Vec<i64> },
    Skipped { reason: SkipReason },
}

/// The users a rule names, active only, each once, in a stable order.
pub fn resolve_rule(rule: &ApproverRule, requester: i64, picked: &[i64], org: &impl OrgView) -> Vec<i64> {
    let mut users = match rule {
        ApproverRule::Users { ids } => ids.clone(),
        ApproverRule::Role { key } => org.role_members(key),
        ApproverRule::Manager { levels } => {
            let mut cur = Some(requester);
            for _ in 0..*levels {
                cur = cur.and_then(|u| org.manager_of(u));
            }
            cur.into_iter().collect()
        }
        ApproverRule::DepartmentHead { department } => {
            department.or_else(|| org.department_of(requester)).and_then(|d| org.head_of(d)).into_iter().collect()
        }
        ApproverRule::RequesterPicks => picked.to_vec(),
    };
    let mut seen = std::collections::HashSet::new();
    users.retain(|u| org.is_active(*u) && seen.insert(*u));
    users
}

/// Applies a node's rule for "the requester is an approver" and for "nobody found".
pub fn assign(
    found: Vec<i64>,
    requester: i64,
    self_rule: SelfRule,
    on_empty: EmptyRule,
    org: &impl OrgView,
) -> Assignment {
    let had_requester = found.contains(&requester);
    let users: Vec<i64> = match self_rule {
        SelfRule::Skip | SelfRule::Exclude => found.into_iter().filter(|u| *u != requester).collect(),
        SelfRule::Keep => found,
    };
    if !users.is_empty() {
        return Assignment::Assigned { users };
    }
    if had_requester && self_rule == SelfRule::Skip {
        // Skipping the requester emptied the node: the request passes it (as DingTalk does),
        // rather than landing on an administrator.
        return Assignment::Skipped { reason: SkipReason::RequesterOnly };
    }
    match on_empty {
        EmptyRule::Skip => Assignment::Skipped { reason: SkipReason::NobodyFound },
        EmptyRule::Admin => {
            let admins: Vec<i64> = org.administrators().into_iter().filter(|a| *a != requester).collect();
            if admins.is_empty() {
                Assignment::Skipped { reason: SkipReason::NobodyFound }
            } else {
                Assignment::Assigned { users: admins }
            }
        }
        EmptyRule::User { id } if org.is_active(id) => Assignment::Assigned { users: vec![id] },
        EmptyRule::User { .. } => Assignment::Skipped { reason: SkipReason::NobodyFound },
    }
}

/// The kind of a step on a predicted path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Approver,
    Handler,
    Cc,
}

/// One step of a predicted path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// A node that will run, and who it goes to.
    Node { id: String, name: String, kind: StepKind, mode: MultiMode, assignment: Assignment },
    /// Parallel arms, each with its own steps.
    Parallel { id: String, name: String, arms: Vec<(String, Vec<Step>)> },
}

/// The input of a prediction.
pub struct Request<'a> {
    pub requester: i64,
    pub facts: Facts<'a>,
    /// Users the requester picked, by node id, for "requester picks" nodes.
    pub picks: &'a HashMap<String, Vec<i64>>,
}

/// The arm of a condition branch that runs: the first whose condition holds, in order,
/// else the default.
#[must_use]
pub fn chosen_arm<'a>(arms: &'a [ConditionArm], facts: &Facts<'_>) -> Option<&'a ConditionArm> {
    arms.iter()
        .find(|a| a.condition.as_ref().is_some_and(|c: &Condition| c.holds(facts)))
        .or_else(|| arms.iter().find(|a| a.condition.is_none()))
}

/// The path a request will take and who acts at each step.
pub fn predict(flow: &Flow, req: &Request<'_>, org: &impl OrgView) -> Vec<Step> {
    predict_seq(&flow.nodes, req, org)
}

fn predict_seq(nodes: &[Node], req: &Request<'_>, org: &impl OrgView) -> Vec<Step> {
    let mut out = Vec::new();
    for n in nodes {
        let picked = req.picks.get(n.id()).map(Vec::as_slice).unwrap_or(&[]);
        match n {
            Node::Approver { id, name, rule, mode, on_empty, requester_is_approver, .. } => {
                let found = resolve_rule(rule, req.requester, picked, org);
                out.push(Step::Node {
                    id: id.clone(),
                    name: name.clone(),
                    kind: StepKind::Approver,
                    mode: *mode,
                    assignment: assign(found, req.requester, *requester_is_approver, *on_empty, org),
                });
            }
            Node::Handler { id, name, rule, on_empty, .. } => {
                let found = resolve_rule(rule, req.requester, picked, org);
                out.push(Step::Node {
                    id: id.clone(),
                    name: name.clone(),
                    kind: StepKind::Handler,
                    mode: MultiMode::Any,
                    assignment: assign(found, req.requester, SelfRule::Keep, *on_empty, org),
                });
            }
            Node::Cc { id, name, targets } => {
                let mut users: Vec<i64> = Vec::new();
                for t in targets {
                    for u in resolve_rule(t, req.requester, picked, org) {
                        if !users.contains(&u) {
                            users.push(u);
                        }
                    }
                }
                let assignment = if users.is_empty() {
                    Assignment::Skipped { reason: SkipReason::NobodyFound }
                } else {
                    Assignment::Assigned { users }
                };
                out.push(Step::Node {
                    id: id.clone(),
                    name: name.clone(),
                    kind: StepKind::Cc,
                    mode: MultiMode::All,
                    assignment,
                });
            }
            Node::Conditions { arms, .. } => {
                if let Some(arm) = chosen_arm(arms, &req.facts) {
                    out.extend(predict_seq(&arm.nodes, req, org));
                }
            }
            Node::Parallel { id, name, arms } => out.push(Step::Parallel {
                id: id.clone(),
                name: name.clone(),
                arms: arms.iter().map(|a| (a.name.clone(), predict_seq(&a.nodes, req, org))).collect(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::flow::{CmpOp, Condition, ConditionArm, ParallelArm};
    use crate::domain::workflow::testkit::{Demo, approver, with_empty};
    use serde_json::{Map, json};

    fn expense_flow() -> Flow {
        Flow {
            nodes: vec![
                with_empty(approver("manager", ApproverRule::Manager { levels: 1 }), EmptyRule::Admin),
                with_empty(approver("finance", ApproverRule::DepartmentHead { department: Some(4) }), EmptyRule::Admin),
                Node::Conditions {
                    id: "amount".into(),
                    name: "amount".into(),
                    arms: vec![
                        ConditionArm { name: "default".into(), condition: None, nodes: vec![] },
                        ConditionArm {
                            name: "over 5000".into(),
                            condition: Some(Condition::Compare {
                                field: "total".into(),
                                op: CmpOp::Gt,
                                value: json!("5000"),
                            }),
                            nodes: vec![with_empty(
                                approver("gm", ApproverRule::Users { ids: vec![1] }),
                                EmptyRule::Admin,
                            )],
                        },
                    ],
                },
                Node::Cc {
                    id: "cc".into(),
                    name: "cc".into(),
                    targets: vec![ApproverRule::Role { key: "finance".into() }],
                },
            ],
        }
    }

    fn who(steps: &[Step]) -> Vec<(String, Vec<i64>)> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Node { id, kind: StepKind::Approver, assignment: Assignment::Assigned { users }, .. } => {
                    Some((id.clone(), users.clone()))
                }
                _ => None,
            })
            .collect()
    }

    fn run(total: &str, requester: i64) -> Vec<Step> {
        let mut form = Map::new();
        form.insert("total".into(), json!(total));
        let depts = Demo.departments_of(requester);
        let picks = HashMap::new();
        let req = Request { requester, facts: Facts { form: &form, requester_departments: &depts }, picks: &picks };
        predict(&expense_flow(), &req, &Demo)
    }

    #[test]
    fn an_8000_expense_goes_to_manager_finance_then_gm() {
        let path = run("8000.00", 12);
        assert_eq!(who(&path), vec![("manager".into(), vec![11]), ("finance".into(), vec![8]), ("gm".into(), vec![1])]);
        assert!(
            matches!(&path[3], Step::Node { kind: StepKind::Cc, assignment: Assignment::Assigned { users }, .. } if users == &vec![8])
        );
    }

    #[test]
    fn a_3000_expense_stops_at_finance() {
        assert_eq!(who(&run("3000.00", 12)), vec![("manager".into(), vec![11]), ("finance".into(), vec![8])]);
        assert_eq!(who(&run("5000.00", 12)).len(), 2, "exactly 5000 is not over 5000");
    }

    #[test]
    fn empty_and_self_rules() {
        // The GM has no manager: the manager node falls to the administrator.
        let path = run("100", 1);
        assert_eq!(who(&path)[0], ("manager".into(), vec![5]));
        // wang.fang is the finance head herself: that node is skipped for her.
        let path = run("100", 8);
        assert!(path.iter().any(|s| matches!(s, Step::Node { id, assignment: Assignment::Skipped { reason: SkipReason::RequesterOnly }, .. } if id == "finance")));
        // A disabled manager is never assigned; "skip" leaves the node out.
        let found = resolve_rule(&ApproverRule::Manager { levels: 1 }, 5, &[], &Demo);
        assert!(found.is_empty());
        assert_eq!(
            assign(found, 5, SelfRule::Skip, EmptyRule::Skip, &Demo),
            Assignment::Skipped { reason: SkipReason::NobodyFound }
        );
        assert_eq!(
            assign(vec![], 12, SelfRule::Skip, EmptyRule::User { id: 8 }, &Demo),
            Assignment::Assigned { users: vec![8] }
        );
        // "Exclude": the requester alone found is not a pass; the node goes to its fallback.
        assert_eq!(
            assign(vec![12], 12, SelfRule::Skip, EmptyRule::User { id: 8 }, &Demo),
            Assignment::Skipped { reason: SkipReason::RequesterOnly }
        );
        assert_eq!(
            assign(vec![12], 12, SelfRule::Exclude, EmptyRule::User { id: 8 }, &Demo),
            Assignment::Assigned { users: vec![8] }
        );
        assert_eq!(
            assign(vec![12, 3], 12, SelfRule::Exclude, EmptyRule::User { id: 8 }, &Demo),
            Assignment::Assigned { users: vec![3] }
        );
        assert_eq!(resolve_rule(&ApproverRule::Manager { levels: 2 }, 12, &[], &Demo), vec![1]);
        assert_eq!(resolve_rule(&ApproverRule::Users { ids: vec![8, 8, 99, 1] }, 12, &[], &Demo), vec![8, 1]);
        assert_eq!(resolve_rule(&ApproverRule::RequesterPicks, 12, &[1, 11], &Demo), vec![1, 11]);
    }

    #[test]
    fn parallel_arms_are_all_predicted_and_departments_include_ancestors() {
        let flow = Flow {
            nodes: vec![Node::Parallel {
                id: "p".into(),
                name: "p".into(),
                arms: vec![
                    ParallelArm {
                        name: "a".into(),
                        nodes: vec![with_empty(approver("x", ApproverRule::Users { ids: vec![1] }), EmptyRule::Skip)],
                    },
                    ParallelArm {
                        name: "b".into(),
                        nodes: vec![with_empty(approver("y", ApproverRule::Users { ids: vec![8] }), EmptyRule::Skip)],
                    },
                ],
            }],
        };
        let form = Map::new();
        let depts = Demo.departments_of(12);
        assert_eq!(depts, vec![6, 1]);
        let picks = HashMap::new();
        let req = Request { requester: 12, facts: Facts { form: &form, requester_departments: &depts }, picks: &picks };
        match &predict(&flow, &req, &Demo)[0] {
            Step::Parallel { arms, .. } => assert_eq!(arms.len(), 2),
            other => panic!("{other:?}"),
        }
    }
}
