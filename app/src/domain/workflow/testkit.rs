//! Test fixtures shared by the workflow modules' tests: a small organisation and node
//! builders.

use super::flow::{ApproverRule, EmptyRule, Facts, Flow, MultiMode, Node, SelfRule};
use super::instance::Env;
use super::route::{OrgView, Request};
use serde_json::{Map, json};
use std::collections::HashMap;

/// A small copy of the demo organisation: 1 liu.yang (GM, head of company 1), 11 li.na
/// (head of 研发部 6, manager 1), 12 zhang.wei (研发部, manager 11), 8 wang.fang (head of
/// 财务部 4, manager 1), 5 admin, 99 a disabled user.
pub struct Demo;

impl OrgView for Demo {
    fn manager_of(&self, u: i64) -> Option<i64> {
        match u {
            11 | 8 => Some(1),
            12 => Some(11),
            5 => Some(99),
            _ => None,
        }
    }
    fn department_of(&self, u: i64) -> Option<i64> {
        match u {
            1 => Some(1),
            11 | 12 => Some(6),
            8 => Some(4),
            _ => None,
        }
    }
    fn parent_of(&self, d: i64) -> Option<i64> {
        (d != 1).then_some(1)
    }
    fn head_of(&self, d: i64) -> Option<i64> {
        match d {
            1 => Some(1),
            6 => Some(11),
            4 => Some(8),
            _ => None,
        }
    }
    fn role_members(&self, role: &str) -> Vec<i64> {
        if role == "finance" { vec![8, 99] } else { vec![] }
    }
    fn administrators(&self) -> Vec<i64> {
        vec![5]
    }
    fn is_active(&self, u: i64) -> bool {
        u != 99
    }
}

/// An approver node (all must approve, skip when nobody is found, skip the requester).
pub fn approver(id: &str, rule: ApproverRule) -> Node {
    Node::Approver {
        id: id.into(),
        name: id.into(),
        rule,
        mode: MultiMode::All,
        on_empty: EmptyRule::Skip,
        requester_is_approver: SelfRule::Skip,
        timeout: None,
    }
}

/// Named users.
pub fn users(ids: &[i64]) -> ApproverRule {
    ApproverRule::Users { ids: ids.to_vec() }
}

/// The node with another multi-approver mode.
pub fn with_mode(mut node: Node, new: MultiMode) -> Node {
    if let Node::Approver { mode, .. } = &mut node {
        *mode = new;
    }
    node
}

/// The node with another rule for an empty result.
pub fn with_empty(mut node: Node, new: EmptyRule) -> Node {
    if let Node::Approver { on_empty, .. } = &mut node {
        *on_empty = new;
    }
    node
}

/// Runs `f` with a request by zhang.wei (12, in 研发部 under the company) whose form has
/// the given `total`.
pub fn with_request<R>(flow: &Flow, total: &str, f: impl FnOnce(&Env<'_, Demo>) -> R) -> R {
    let mut form = Map::new();
    form.insert("total".into(), json!(total));
    let depts = [6, 1];
    let picks = HashMap::new();
    let request = Request { requester: 12, facts: Facts { form: &form, requester_departments: &depts }, picks: &picks };
    f(&Env { flow, request: &request, org: &Demo })
}
