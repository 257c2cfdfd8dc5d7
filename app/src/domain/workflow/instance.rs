//! A running instance of a flow, as a state machine: `Instance::start` and then
//! `Instance::apply(action, actor, env)` is the only way anything changes. Tasks carry
//! their node's address in the block structure, so returns and added signers stay correct
//! inside countersign and parallel blocks; cancelled tasks stay in the history, marked.

use super::flow::{Flow, MultiMode, Node};
use super::route::{Assignment, OrgView, Request, StepKind, assign, chosen_arm, resolve_rule};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Where a node sits: sequence index, arm index, sequence index, … (always odd length).
pub type Addr = Vec<usize>;

/// The state of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waits for another task of its node first (sequential approval, added signers).
    Waiting,
    Open,
    Approved,
    Rejected,
    /// Handed to someone else; the new task carries on.
    Transferred,
    /// Its holder returned the request (to the requester or to an earlier node).
    Returned,
    /// Ended without acting: another approver decided, the request was returned or withdrawn.
    Cancelled,
}

/// A task: one person's part in one run of a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    pub id: u32,
    pub node: String,
    pub addr: Addr,
    pub kind: StepKind,
    pub assignee: i64,
    pub status: TaskStatus,
    /// Opens once this task is approved.
    pub after: Option<u32>,
    /// Which run of the node (a node entered again after a return gets a new round).
    pub round: u32,
}

/// Where an instance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceStatus {
    Running,
    /// Returned to the requester, waiting for a resubmission.
    Returned,
    Approved,
    Rejected,
    Withdrawn,
}

/// Where an added signer goes relative to the task of the one adding them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignerPosition {
    Before,
    After,
    Alongside,
}

/// Where a return sends the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum ReturnTarget {
    Requester,
    Node { id: String },
}

/// Everything someone can do to an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Approve { task: u32, comment: String },
    Reject { task: u32, comment: String },
    Return { task: u32, target: ReturnTarget, comment: String },
    Transfer { task: u32, to: i64, comment: String },
    AddSigner { task: u32, user: i64, position: SignerPosition, comment: String },
    Comment { comment: String },
    Urge,
    Withdraw,
    Resubmit,
}

/// What happened, for the append-only history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    Submitted,
    Resubmitted,
    NodeSkipped {
        node: String,
    },
    Copied {
        node: String,
        users: Vec<i64>,
    },
    Approved {
        task: u32,
    },
    Rejected {
        task: u32,
    },
    Returned {
        task: u32,
        target: ReturnTarget,
    },
    Transferred {
        task: u32,
        to: i64,
        new_task: u32,
    },
    SignerAdded {
        task: u32,
        user: i64,
        position: SignerPosition,
        new_task: u32,
    },
    Commented,
    Urged,
    Withdrawn,
    Finished {
        status: InstanceStatus,
    },
    /// The task passed its deadline (a violation).
    Overdue {
        task: u32,
    },
    /// The handler was reminded of an overdue task.
    Reminded {
        task: u32,
    },
    /// The deadline passed and the task went to the handler's manager.
    Escalated {
        task: u32,
        to: i64,
        new_task: u32,
    },
    AutoApproved {
        task: u32,
    },
    AutoReturned {
        task: u32,
    },
    /// An administrator handed the task over (offboarding).
    HandedOver {
        task: u32,
        to: i64,
        new_task: u32,
    },
}

impl EventKind {
    /// The event's name, as its serde tag (`approved`, `node_skipped`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::Resubmitted => "resubmitted",
            Self::NodeSkipped { .. } => "node_skipped",
            Self::Copied { .. } => "copied",
            Self::Approved { .. } => "approved",
            Self::Rejected { .. } => "rejected",
            Self::Returned { .. } => "returned",
            Self::Transferred { .. } => "transferred",
            Self::SignerAdded { .. } => "signer_added",
            Self::Commented => "commented",
            Self::Urged => "urged",
            Self::Withdrawn => "withdrawn",
            Self::Finished { .. } => "finished",
            Self::Overdue { .. } => "overdue",
            Self::Reminded { .. } => "reminded",
            Self::Escalated { .. } => "escalated",
            Self::AutoApproved { .. } => "auto_approved",
            Self::AutoReturned { .. } => "auto_returned",
            Self::HandedOver { .. } => "handed_over",
        }
    }
}

/// What happens to a task without its handler: deadlines and offboarding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SystemAction {
    MarkOverdue { task: u32 },
    Remind { task: u32 },
    Escalate { task: u32, to: i64 },
    AutoApprove { task: u32 },
    AutoReturn { task: u32 },
    HandOver { task: u32, to: i64, by: i64, comment: String },
}

impl SystemAction {
    /// The action's name, as its serde tag (`mark_overdue`, `hand_over`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::MarkOverdue { .. } => "mark_overdue",
            Self::Remind { .. } => "remind",
            Self::Escalate { .. } => "escalate",
            Self::AutoApprove { .. } => "auto_approve",
            Self::AutoReturn { .. } => "auto_return",
            Self::HandOver { .. } => "hand_over",
        }
    }

    /// The task acted on.
    #[must_use]
    pub fn task(&self) -> u32 {
        match self {
            Self::MarkOverdue { task }
            | Self::Remind { task }
            | Self::Escalate { task, .. }
            | Self::AutoApprove { task }
            | Self::AutoReturn { task }
            | Self::HandOver { task, .. } => *task,
        }
    }
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub actor: Option<i64>,
    pub kind: EventKind,
    pub comment: String,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionError {
    /// The instance has ended (or waits for the requester) and takes no such action.
    NotRunning,
    UnknownTask,
    /// The task is not the actor's, or not open.
    NotYourTask,
    TaskNotOpen,
    /// Only the requester may do this.
    NotRequester,
    /// Someone has already acted, so the requester can no longer withdraw.
    AlreadyActedOn,
    /// The return target is not an earlier node on this task's path.
    BadReturnTarget,
    /// The user cannot take a task (unknown, inactive, or already has one here).
    BadUser,
    /// A task cannot be handed to the request's own requester.
    ToRequester,
    /// A comment may not be empty where one is required.
    CommentRequired,
}

/// What the instance needs from its surroundings to move on.
pub struct Env<'a, O: OrgView> {
    pub flow: &'a Flow,
    pub request: &'a Request<'a>,
    pub org: &'a O,
}

/// A running (or finished) instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub requester: i64,
    pub status: InstanceStatus,
    pub tasks: Vec<Task>,
    pub history: Vec<Event>,
    /// Parallel nodes with the arms that have finished.
    pub joined: BTreeMap<String, BTreeSet<usize>>,
    pub round: u32,
}

fn node_at<'a>(nodes: &'a [Node], addr: &[usize]) -> Option<&'a Node> {
    let n = nodes.get(*addr.first()?)?;
    if addr.len() == 1 {
        return Some(n);
    }
    let arm = addr[1];
    let inner = match n {
        Node::Conditions { arms, .. } => &arms.get(arm)?.nodes,
        Node::Parallel { arms, .. } => &arms.get(arm)?.nodes,
        _ => return None,
    };
    node_at(inner, &addr[2..])
}

/// The address of the node with this id.
#[must_use]
pub fn find_node(flow: &Flow, id: &str) -> Option<Addr> {
    fn go(nodes: &[Node], id: &str, prefix: &mut Addr) -> Option<Addr> {
        for (i, n) in nodes.iter().enumerate() {
            prefix.push(i);
            if n.id() == id {
                return Some(prefix.clone());
            }
            let arms: Vec<&[Node]> = match n {
                Node::Conditions { arms, .. } => arms.iter().map(|a| a.nodes.as_slice()).collect(),
                Node::Parallel { arms, .. } => arms.iter().map(|a| a.nodes.as_slice()).collect(),
                _ => vec![],
            };
            for (a, inner) in arms.into_iter().enumerate() {
                prefix.push(a);
                if let Some(found) = go(inner, id, prefix) {
                    return Some(found);
                }
                prefix.pop();
            }
            prefix.pop();
        }
        None
    }
    go(&flow.nodes, id, &mut Vec::new())
}

impl Instance {
    /// Submits a request: the instance starts at the first node.
    pub fn start<O: OrgView>(env: &Env<'_, O>) -> Self {
        let mut i = Self {
            requester: env.request.requester,
            status: InstanceStatus::Running,
            tasks: Vec::new(),
            history: Vec::new(),
            joined: BTreeMap::new(),
            round: 1,
        };
        i.log(Some(i.requester), EventKind::Submitted, "");
        i.enter(vec![0], env);
        i
    }

    fn log(&mut self, actor: Option<i64>, kind: EventKind, comment: &str) {
        self.history.push(Event { actor, kind, comment: comment.to_owned() });
    }

    fn new_task(
        &mut self,
        node: &str,
        addr: &Addr,
        kind: StepKind,
        assignee: i64,
        status: TaskStatus,
        after: Option<u32>,
    ) -> u32 {
        let id = u32::try_from(self.tasks.len()).unwrap_or(u32::MAX) + 1;
        self.tasks.push(Task {
            id,
            node: node.to_owned(),
            addr: addr.clone(),
            kind,
            assignee,
            status,
            after,
            round: self.round,
        });
        id
    }

    /// Open tasks of the instance.
    pub fn open_tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter().filter(|t| t.status == TaskStatus::Open)
    }

    fn finish(&mut self, status: InstanceStatus) {
        for t in &mut self.tasks {
            if matches!(t.status, TaskStatus::Open | TaskStatus::Waiting) {
                t.status = TaskStatus::Cancelled;
            }
        }
        self.status = status;
        self.log(None, EventKind::Finished { status }, "");
    }

    /// Runs the node at `addr` (or finishes the enclosing sequence when there is none).
    fn enter<O: OrgView>(&mut self, addr: Addr, env: &Env<'_, O>) {
        if self.status != InstanceStatus::Running {
            return;
        }
        let Some(node) = node_at(&env.flow.nodes, &addr) else {
            return self.sequence_done(addr, env);
        };
        let req = env.request;
        let picked = req.picks.get(node.id()).map(Vec::as_slice).unwrap_or(&[]);
        let (kind, mode, assignment) = match node {
            Node::Approver { rule, mode, on_empty, requester_is_approver, .. } => {
                let found = resolve_rule(rule, req.requester, picked, env.org);
                (StepKind::Approver, *mode, assign(found, req.requester, *requester_is_approver, *on_empty, env.org))
            }
            Node::Handler { rule, on_empty, .. } => {
                let found = resolve_rule(rule, req.requester, picked, env.org);
                (
                    StepKind::Handler,
                    MultiMode::Any,
                    assign(found, req.requester, super::flow::SelfRule::Keep, *on_empty, env.org),
                )
            }
            Node::Cc { id, targets, .. } => {
                let mut users = Vec::new();
                for t in targets {
                    for u in resolve_rule(t, req.requester, picked, env.org) {
                        if !users.contains(&u) {
                            users.push(u);
                        }
                    }
                }
                self.log(None, EventKind::Copied { node: id.clone(), users }, "");
                return self.advance(&addr, env);
            }
            Node::Conditions { arms, .. } => {
                let chosen = chosen_arm(arms, &req.facts).and_then(|c| arms.iter().position(|a| std::ptr::eq(a, c)));
                let mut inner = addr.clone();
                match chosen {
                    Some(i) => {
                        inner.extend([i, 0]);
                        return self.enter(inner, env);
                    }
                    None => return self.advance(&addr, env),
                }
            }
            Node::Parallel { id, arms, .. } => {
                self.joined.insert(id.clone(), BTreeSet::new());
                for i in 0..arms.len() {
                    let mut inner = addr.clone();
                    inner.extend([i, 0]);
                    self.enter(inner, env);
                }
                return;
            }
        };
        match assignment {
            Assignment::Skipped { .. } => {
                self.log(None, EventKind::NodeSkipped { node: node.id().to_owned() }, "");
                self.advance(&addr, env);
            }
            Assignment::Assigned { users } => {
                let id = node.id().to_owned();
                let mut prev = None;
                for u in users {
                    let (status, after) = match (mode, prev) {
                        (MultiMode::Sequential, Some(p)) => (TaskStatus::Waiting, Some(p)),
                        _ => (TaskStatus::Open, None),
                    };
                    prev = Some(self.new_task(&id, &addr, kind, u, status, after));
                }
            }
        }
    }

    /// Moves past the node at `addr`.
    fn advance<O: OrgView>(&mut self, addr: &Addr, env: &Env<'_, O>) {
        let mut next = addr.clone();
        if let Some(last) = next.last_mut() {
            *last += 1;
        }
        self.enter(next, env);
    }

    /// The sequence holding `addr` has run out.
    fn sequence_done<O: OrgView>(&mut self, addr: Addr, env: &Env<'_, O>) {
        if addr.len() <= 1 {
            return self.finish(InstanceStatus::Approved);
        }
        let branch: Addr = addr[..addr.len() - 2].to_vec();
        let arm = addr[addr.len() - 2];
        match node_at(&env.flow.nodes, &branch) {
            Some(Node::Parallel { id, arms, .. }) => {
                let done = self.joined.entry(id.clone()).or_default();
                done.insert(arm);
                if done.len() == arms.len() {
                    self.advance(&branch, env);
                }
            }
            _ => self.advance(&branch, env),
        }
    }

    fn node_tasks(&self, addr: &Addr, round: u32) -> impl Iterator<Item = &Task> {
        let addr = addr.clone();
        self.tasks.iter().filter(move |t| t.addr == addr && t.round == round)
    }

    /// Checks a task is the actor's and open.
    fn own_open(&self, task: u32, actor: i64) -> Result<usize, ActionError> {
        let i = self.tasks.iter().position(|t| t.id == task).ok_or(ActionError::UnknownTask)?;
        let t = &self.tasks[i];
        if t.assignee != actor {
            return Err(ActionError::NotYourTask);
        }
        if t.status != TaskStatus::Open {
            return Err(ActionError::TaskNotOpen);
        }
        Ok(i)
    }

    /// Whether `actor` may take `action` now (the UI greys out what this refuses).
    #[must_use]
    pub fn can(&self, action: &Action, actor: i64) -> bool {
        self.check(action, actor).is_ok()
    }

    fn check(&self, action: &Action, actor: i64) -> Result<(), ActionError> {
        match action {
            Action::Resubmit => {
                if self.status != InstanceStatus::Returned {
                    return Err(ActionError::NotRunning);
                }
                if actor != self.requester {
                    return Err(ActionError::NotRequester);
                }
                Ok(())
            }
            Action::Comment { comment } => {
                if comment.trim().is_empty() {
                    Err(ActionError::CommentRequired)
                } else {
                    Ok(())
                }
            }
            _ if self.status != InstanceStatus::Running => Err(ActionError::NotRunning),
            Action::Withdraw => {
                if actor != self.requester {
                    return Err(ActionError::NotRequester);
                }
                let acted = self
                    .tasks
                    .iter()
                    .any(|t| matches!(t.status, TaskStatus::Approved | TaskStatus::Rejected | TaskStatus::Transferred));
                if acted { Err(ActionError::AlreadyActedOn) } else { Ok(()) }
            }
            Action::Urge => {
                if actor == self.requester {
                    Ok(())
                } else {
                    Err(ActionError::NotRequester)
                }
            }
            Action::Approve { task, .. } | Action::Reject { task, .. } | Action::Return { task, .. } => {
                self.own_open(*task, actor).map(|_| ())
            }
            Action::Transfer { task, to, .. } | Action::AddSigner { task, user: to, .. } => {
                let i = self.own_open(*task, actor)?;
                let t = &self.tasks[i];
                let taken = self
                    .node_tasks(&t.addr, t.round)
                    .any(|o| o.assignee == *to && matches!(o.status, TaskStatus::Open | TaskStatus::Waiting));
                if *to == self.requester {
                    Err(ActionError::ToRequester)
                } else if *to <= 0 || *to == actor || taken {
                    Err(ActionError::BadUser)
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Applies an action by `actor`. The only way an instance changes.
    ///
    /// # Errors
    /// Why the action is refused; the instance is then unchanged.
    pub fn apply<O: OrgView>(&mut self, action: Action, actor: i64, env: &Env<'_, O>) -> Result<(), ActionError> {
        self.check(&action, actor)?;
        match action {
            Action::Approve { task, comment } => {
                let i = self.own_open(task, actor)?;
                self.tasks[i].status = TaskStatus::Approved;
                self.log(Some(actor), EventKind::Approved { task }, &comment);
                self.after_approval(i, env);
            }
            Action::Reject { task, comment } => {
                let i = self.own_open(task, actor)?;
                self.tasks[i].status = TaskStatus::Rejected;
                self.log(Some(actor), EventKind::Rejected { task }, &comment);
                // Whoever waited on this approval will never get it.
                self.cancel_waiters(task);
                let (addr, round) = (self.tasks[i].addr.clone(), self.tasks[i].round);
                let decisive = match node_at(&env.flow.nodes, &addr) {
                    Some(Node::Approver { mode: MultiMode::Quorum { n }, .. }) => {
                        let approved =
                            self.node_tasks(&addr, round).filter(|t| t.status == TaskStatus::Approved).count();
                        let still = self
                            .node_tasks(&addr, round)
                            .filter(|t| matches!(t.status, TaskStatus::Open | TaskStatus::Waiting))
                            .count();
                        (approved + still) < *n as usize
                    }
                    _ => true,
                };
                if decisive {
                    self.finish(InstanceStatus::Rejected);
                } else {
                    self.check_node_done(&addr, round, env);
                }
            }
            Action::Transfer { task, to, comment } => {
                if !env.org.is_active(to) {
                    return Err(ActionError::BadUser);
                }
                let i = self.own_open(task, actor)?;
                let new_task = self.hand_to(i, to);
                self.log(Some(actor), EventKind::Transferred { task, to, new_task }, &comment);
            }
            Action::AddSigner { task, user, position, comment } => {
                if !env.org.is_active(user) {
                    return Err(ActionError::BadUser);
                }
                let i = self.own_open(task, actor)?;
                let t = self.tasks[i].clone();
                let new_task = match position {
                    SignerPosition::Before => {
                        let n = self.new_task(&t.node, &t.addr, t.kind, user, TaskStatus::Open, None);
                        self.tasks[i].status = TaskStatus::Waiting;
                        self.tasks[i].after = Some(n);
                        n
                    }
                    SignerPosition::After => {
                        let n = self.new_task(&t.node, &t.addr, t.kind, user, TaskStatus::Waiting, Some(task));
                        // Anyone who waited on this task now waits on the added signer.
                        for w in &mut self.tasks {
                            if w.after == Some(task) && w.id != n && w.status == TaskStatus::Waiting {
                                w.after = Some(n);
                            }
                        }
                        n
                    }
                    SignerPosition::Alongside => self.new_task(&t.node, &t.addr, t.kind, user, TaskStatus::Open, None),
                };
                self.log(Some(actor), EventKind::SignerAdded { task, user, position, new_task }, &comment);
            }
            Action::Return { task, target, comment } => {
                let i = self.own_open(task, actor)?;
                let from = self.tasks[i].addr.clone();
                match &target {
                    ReturnTarget::Requester => {
                        self.tasks[i].status = TaskStatus::Returned;
                        self.log(Some(actor), EventKind::Returned { task, target: target.clone() }, &comment);
                        self.return_to_requester();
                    }
                    ReturnTarget::Node { id } => {
                        let to = find_node(env.flow, id).ok_or(ActionError::BadReturnTarget)?;
                        let level = return_level(&from, &to).ok_or(ActionError::BadReturnTarget)?;
                        if !matches!(node_at(&env.flow.nodes, &to), Some(Node::Approver { .. } | Node::Handler { .. }))
                        {
                            return Err(ActionError::BadReturnTarget);
                        }
                        // Only a node the request has actually passed (not a skipped node, not
                        // one in a condition branch that was not taken).
                        if !self.tasks.iter().any(|t| t.node == *id && t.status == TaskStatus::Approved) {
                            return Err(ActionError::BadReturnTarget);
                        }
                        self.tasks[i].status = TaskStatus::Returned;
                        self.log(Some(actor), EventKind::Returned { task, target: target.clone() }, &comment);
                        // Cancel everything running from the target onwards in the sequence they
                        // share; runs in other parallel arms keep going.
                        let prefix = &to[..level];
                        let start = to[level];
                        for t in &mut self.tasks {
                            let inside = t.addr.len() > level && t.addr[..level] == *prefix && t.addr[level] >= start;
                            if inside && matches!(t.status, TaskStatus::Open | TaskStatus::Waiting) {
                                t.status = TaskStatus::Cancelled;
                            }
                        }
                        self.reset_joins(env.flow, prefix, start);
                        // Re-entering a node inside parallel blocks re-runs its own arm only: the
                        // blocks' other arms finished before and their approvals stand.
                        for k in (level + 1..to.len()).step_by(2) {
                            if let Some(Node::Parallel { id, arms, .. }) = node_at(&env.flow.nodes, &to[..k]) {
                                let others = (0..arms.len()).filter(|a| *a != to[k]).collect();
                                self.joined.insert(id.clone(), others);
                            }
                        }
                        self.round += 1;
                        self.enter(to, env);
                    }
                }
            }
            Action::Comment { comment } => self.log(Some(actor), EventKind::Commented, &comment),
            Action::Urge => self.log(Some(actor), EventKind::Urged, ""),
            Action::Withdraw => {
                self.log(Some(actor), EventKind::Withdrawn, "");
                self.finish(InstanceStatus::Withdrawn);
            }
            Action::Resubmit => {
                self.status = InstanceStatus::Running;
                self.round += 1;
                self.joined.clear();
                self.log(Some(actor), EventKind::Resubmitted, "");
                self.enter(vec![0], env);
            }
        }
        Ok(())
    }

    /// What the system does on a deadline, or an administrator on offboarding. The task must
    /// be open; the caller decides who may do this (the engine only keeps the flow right).
    ///
    /// # Errors
    /// `UnknownTask`, `TaskNotOpen`, `NotRunning`, or `BadUser` for a hand-over to someone who
    /// cannot take the task; the instance is then unchanged.
    pub fn apply_system<O: OrgView>(&mut self, action: SystemAction, env: &Env<'_, O>) -> Result<(), ActionError> {
        if self.status != InstanceStatus::Running {
            return Err(ActionError::NotRunning);
        }
        let task = action.task();
        let i = self.tasks.iter().position(|t| t.id == task).ok_or(ActionError::UnknownTask)?;
        if self.tasks[i].status != TaskStatus::Open {
            return Err(ActionError::TaskNotOpen);
        }
        match action {
            SystemAction::MarkOverdue { .. } => self.log(None, EventKind::Overdue { task }, ""),
            SystemAction::Remind { .. } => self.log(None, EventKind::Reminded { task }, ""),
            SystemAction::AutoApprove { .. } => {
                self.tasks[i].status = TaskStatus::Approved;
                self.log(None, EventKind::AutoApproved { task }, "");
                self.after_approval(i, env);
            }
            SystemAction::AutoReturn { .. } => {
                self.log(None, EventKind::AutoReturned { task }, "");
                self.return_to_requester();
            }
            SystemAction::Escalate { to, .. } | SystemAction::HandOver { to, .. } => {
                let t = &self.tasks[i];
                let taken = self
                    .node_tasks(&t.addr, t.round)
                    .any(|o| o.assignee == to && matches!(o.status, TaskStatus::Open | TaskStatus::Waiting));
                if to <= 0 || to == t.assignee || taken || !env.org.is_active(to) {
                    return Err(ActionError::BadUser);
                }
                let new_task = self.hand_to(i, to);
                match action {
                    SystemAction::HandOver { by, comment, .. } => {
                        self.log(Some(by), EventKind::HandedOver { task, to, new_task }, &comment);
                    }
                    _ => self.log(None, EventKind::Escalated { task, to, new_task }, ""),
                }
            }
        }
        Ok(())
    }

    /// Moves an open task to someone else; returns the new task.
    fn hand_to(&mut self, i: usize, to: i64) -> u32 {
        let t = self.tasks[i].clone();
        self.tasks[i].status = TaskStatus::Transferred;
        let new_task = self.new_task(&t.node, &t.addr, t.kind, to, TaskStatus::Open, None);
        // Whoever waited on the old task now waits on the new one.
        for w in &mut self.tasks {
            if w.after == Some(t.id) && w.status == TaskStatus::Waiting {
                w.after = Some(new_task);
            }
        }
        new_task
    }

    /// Ends every open task and waits for the requester to resubmit.
    fn return_to_requester(&mut self) {
        for t in &mut self.tasks {
            if matches!(t.status, TaskStatus::Open | TaskStatus::Waiting) {
                t.status = TaskStatus::Cancelled;
            }
        }
        self.status = InstanceStatus::Returned;
    }

    /// Cancels the tasks waiting on `task`, and those waiting on them.
    fn cancel_waiters(&mut self, task: u32) {
        let mut ended = vec![task];
        while let Some(id) = ended.pop() {
            for t in &mut self.tasks {
                if t.after == Some(id) && t.status == TaskStatus::Waiting {
                    t.status = TaskStatus::Cancelled;
                    ended.push(t.id);
                }
            }
        }
    }

    /// Parallel nodes inside the part of a sequence being re-run forget their finished arms.
    fn reset_joins(&mut self, flow: &Flow, prefix: &[usize], start: usize) {
        for (id, _) in self.joined.clone() {
            if let Some(a) = find_node(flow, &id)
                && a.len() > prefix.len()
                && a[..prefix.len()] == *prefix
                && a[prefix.len()] >= start
            {
                self.joined.remove(&id);
            }
        }
    }

    fn after_approval<O: OrgView>(&mut self, i: usize, env: &Env<'_, O>) {
        let (id, addr, round) = (self.tasks[i].id, self.tasks[i].addr.clone(), self.tasks[i].round);
        let mut opened = false;
        for t in &mut self.tasks {
            if t.after == Some(id) && t.status == TaskStatus::Waiting {
                t.status = TaskStatus::Open;
                opened = true;
            }
        }
        let mode = match node_at(&env.flow.nodes, &addr) {
            Some(Node::Approver { mode, .. }) => *mode,
            _ => MultiMode::Any,
        };
        let approvals = self.node_tasks(&addr, round).filter(|t| t.status == TaskStatus::Approved).count();
        let decided = match mode {
            MultiMode::Any => !opened,
            MultiMode::Quorum { n } => !opened && approvals >= n as usize,
            MultiMode::All | MultiMode::Sequential => false,
        };
        if decided {
            // The node is decided: the others' tasks end, marked cancelled.
            for t in &mut self.tasks {
                if t.addr == addr && t.round == round && matches!(t.status, TaskStatus::Open | TaskStatus::Waiting) {
                    t.status = TaskStatus::Cancelled;
                }
            }
        }
        self.check_node_done(&addr, round, env);
    }

    fn check_node_done<O: OrgView>(&mut self, addr: &Addr, round: u32, env: &Env<'_, O>) {
        let pending = self.node_tasks(addr, round).any(|t| matches!(t.status, TaskStatus::Open | TaskStatus::Waiting));
        if !pending && self.status == InstanceStatus::Running {
            self.advance(addr, env);
        }
    }
}

/// The level at which a return from `from` to `to` happens: the sequence both sit in, where
/// `to` comes first. `None` when `to` is not an earlier node on `from`'s path (in another
/// parallel arm, or after it).
fn return_level(from: &[usize], to: &[usize]) -> Option<usize> {
    let d = from.iter().zip(to).position(|(a, b)| a != b)?;
    // Even positions are sequence indices; odd ones choose an arm.
    (d % 2 == 0 && to[d] < from[d]).then_some(d)
}

#[cfg(test)]
mod names {
    use super::*;

    #[test]
    fn names_are_the_serde_tags() {
        let events = [
            EventKind::Submitted,
            EventKind::NodeSkipped { node: "n".into() },
            EventKind::Returned { task: 1, target: ReturnTarget::Requester },
            EventKind::SignerAdded { task: 1, user: 2, position: SignerPosition::After, new_task: 3 },
            EventKind::Finished { status: InstanceStatus::Approved },
            EventKind::AutoReturned { task: 1 },
            EventKind::HandedOver { task: 1, to: 2, new_task: 3 },
        ];
        for e in events {
            assert_eq!(serde_json::to_value(&e).unwrap()["event"], e.name());
        }
        let actions = [
            SystemAction::MarkOverdue { task: 1 },
            SystemAction::AutoApprove { task: 1 },
            SystemAction::HandOver { task: 1, to: 2, by: 3, comment: String::new() },
        ];
        for a in actions {
            assert_eq!(serde_json::to_value(&a).unwrap()["action"], a.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::flow::{ApproverRule, CmpOp, Condition, ConditionArm, EmptyRule, ParallelArm};
    use crate::domain::workflow::testkit::{Demo, approver, users, with_empty, with_mode, with_request};
    use serde_json::json;

    fn expense() -> Flow {
        Flow {
            nodes: vec![
                with_empty(approver("manager", ApproverRule::Manager { levels: 1 }), EmptyRule::Admin),
                with_mode(approver("finance", users(&[8])), MultiMode::All),
                Node::Conditions {
                    id: "amount".into(),
                    name: "amount".into(),
                    arms: vec![
                        ConditionArm {
                            name: "big".into(),
                            condition: Some(Condition::Compare {
                                field: "total".into(),
                                op: CmpOp::Gt,
                                value: json!("5000"),
                            }),
                            nodes: vec![with_mode(approver("gm", users(&[1])), MultiMode::All)],
                        },
                        ConditionArm { name: "else".into(), condition: None, nodes: vec![] },
                    ],
                },
            ],
        }
    }

    fn open(i: &Instance) -> Vec<(String, i64)> {
        i.open_tasks().map(|t| (t.node.clone(), t.assignee)).collect()
    }

    fn approve_open(i: &mut Instance, env: &Env<'_, Demo>) {
        let t = i.open_tasks().next().map(|t| (t.id, t.assignee)).unwrap();
        i.apply(Action::Approve { task: t.0, comment: String::new() }, t.1, env).unwrap();
    }

    #[test]
    fn an_8000_expense_is_approved_in_turn() {
        let flow = expense();
        with_request(&flow, "8000.00", |env| {
            let mut i = Instance::start(env);
            assert_eq!(open(&i), vec![("manager".into(), 11)]);
            // Only the assignee acts on a task.
            let t = i.open_tasks().next().unwrap().id;
            assert_eq!(
                i.apply(Action::Approve { task: t, comment: String::new() }, 8, env),
                Err(ActionError::NotYourTask)
            );
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("finance".into(), 8)]);
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("gm".into(), 1)]);
            approve_open(&mut i, env);
            assert_eq!(i.status, InstanceStatus::Approved);
            assert_eq!(
                i.apply(Action::Approve { task: t, comment: String::new() }, 11, env),
                Err(ActionError::NotRunning)
            );
        });
        with_request(&flow, "3000.00", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env);
            approve_open(&mut i, env);
            assert_eq!(i.status, InstanceStatus::Approved);
        });
    }

    #[test]
    fn countersign_modes() {
        let all = Flow { nodes: vec![with_mode(approver("c", users(&[1, 8, 11])), MultiMode::All)] };
        with_request(&all, "1", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env);
            approve_open(&mut i, env);
            assert_eq!(i.status, InstanceStatus::Running);
            approve_open(&mut i, env);
            assert_eq!(i.status, InstanceStatus::Approved);
        });
        let any = Flow { nodes: vec![with_mode(approver("c", users(&[1, 8, 11])), MultiMode::Any)] };
        with_request(&any, "1", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env);
            assert_eq!(i.status, InstanceStatus::Approved);
            assert_eq!(
                i.tasks.iter().filter(|t| t.status == TaskStatus::Cancelled).count(),
                2,
                "siblings cancelled, kept"
            );
        });
        let seq = Flow { nodes: vec![with_mode(approver("c", users(&[1, 8])), MultiMode::Sequential)] };
        with_request(&seq, "1", |env| {
            let mut i = Instance::start(env);
            assert_eq!(open(&i), vec![("c".into(), 1)]);
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("c".into(), 8)]);
        });
        let quorum = Flow { nodes: vec![with_mode(approver("c", users(&[1, 8, 11])), MultiMode::Quorum { n: 2 })] };
        with_request(&quorum, "1", |env| {
            let mut i = Instance::start(env);
            let t = i.open_tasks().next().unwrap().id;
            i.apply(Action::Reject { task: t, comment: "no".into() }, 1, env).unwrap();
            assert_eq!(i.status, InstanceStatus::Running, "two can still approve");
            approve_open(&mut i, env);
            approve_open(&mut i, env);
            assert_eq!(i.status, InstanceStatus::Approved);
        });
    }

    fn parallel_flow() -> Flow {
        Flow {
            nodes: vec![
                with_mode(approver("first", users(&[11])), MultiMode::All),
                Node::Parallel {
                    id: "p".into(),
                    name: "p".into(),
                    arms: vec![
                        ParallelArm {
                            name: "a".into(),
                            nodes: vec![
                                with_mode(approver("a1", users(&[1])), MultiMode::All),
                                with_mode(approver("a2", users(&[8])), MultiMode::All),
                            ],
                        },
                        ParallelArm {
                            name: "b".into(),
                            nodes: vec![with_mode(approver("b1", users(&[5])), MultiMode::All)],
                        },
                    ],
                },
                with_mode(approver("last", users(&[1])), MultiMode::All),
            ],
        }
    }

    #[test]
    fn parallel_arms_join_before_moving_on() {
        let flow = parallel_flow();
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("a1".into(), 1), ("b1".into(), 5)]);
            let b1 = i.open_tasks().find(|t| t.node == "b1").unwrap().id;
            i.apply(Action::Approve { task: b1, comment: String::new() }, 5, env).unwrap();
            assert_eq!(open(&i), vec![("a1".into(), 1)], "arm b is done, arm a is not: no join yet");
            approve_open(&mut i, env);
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("last".into(), 1)]);
        });
    }

    #[test]
    fn returning_within_an_arm_leaves_the_other_arm_alone() {
        let flow = parallel_flow();
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env); // first
            let a1 = i.open_tasks().find(|t| t.node == "a1").unwrap().id;
            i.apply(Action::Approve { task: a1, comment: String::new() }, 1, env).unwrap();
            let a2 = i.open_tasks().find(|t| t.node == "a2").unwrap().id;
            i.apply(
                Action::Return { task: a2, target: ReturnTarget::Node { id: "a1".into() }, comment: "redo".into() },
                8,
                env,
            )
            .unwrap();
            let mut now = open(&i);
            now.sort();
            assert_eq!(now, vec![("a1".into(), 1), ("b1".into(), 5)], "b1 still open, a1 again");
            // A sibling arm is not an earlier node.
            let b1 = i.open_tasks().find(|t| t.node == "b1").unwrap().id;
            let bad =
                Action::Return { task: b1, target: ReturnTarget::Node { id: "a1".into() }, comment: String::new() };
            assert_eq!(i.apply(bad, 5, env), Err(ActionError::BadReturnTarget));
        });
    }

    #[test]
    fn returning_before_a_parallel_block_cancels_all_of_it() {
        let flow = parallel_flow();
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env); // first
            let a1 = i.open_tasks().find(|t| t.node == "a1").unwrap().id;
            i.apply(
                Action::Return { task: a1, target: ReturnTarget::Node { id: "first".into() }, comment: String::new() },
                1,
                env,
            )
            .unwrap();
            assert_eq!(open(&i), vec![("first".into(), 11)]);
            assert!(i.tasks.iter().any(|t| t.node == "b1" && t.status == TaskStatus::Cancelled));
            // Approving straight through afterwards reaches the same end.
            while i.status == InstanceStatus::Running {
                approve_open(&mut i, env);
            }
            assert_eq!(i.status, InstanceStatus::Approved);
        });
    }

    #[test]
    fn returning_into_a_finished_parallel_block_reruns_one_arm() {
        let flow = parallel_flow();
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            while open(&i) != vec![("last".to_string(), 1)] {
                approve_open(&mut i, env);
            }
            let last = i.open_tasks().next().unwrap().id;
            let to_a2 =
                Action::Return { task: last, target: ReturnTarget::Node { id: "a2".into() }, comment: String::new() };
            i.apply(to_a2, 1, env).unwrap();
            assert_eq!(open(&i), vec![("a2".into(), 8)], "arm b stays done");
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("last".into(), 1)], "the join completes again");
        });
    }

    #[test]
    fn only_nodes_passed_through_are_return_targets() {
        let flow = expense();
        with_request(&flow, "100", |env| {
            let mut i = Instance::start(env);
            approve_open(&mut i, env);
            let t = i.open_tasks().next().unwrap().id;
            // gm is in the branch a 100 CNY expense does not take.
            let to_gm =
                Action::Return { task: t, target: ReturnTarget::Node { id: "gm".into() }, comment: String::new() };
            assert_eq!(i.apply(to_gm, 8, env), Err(ActionError::BadReturnTarget));
            let to_manager =
                Action::Return { task: t, target: ReturnTarget::Node { id: "manager".into() }, comment: String::new() };
            i.apply(to_manager, 8, env).unwrap();
            assert_eq!(open(&i), vec![("manager".into(), 11)]);
        });
    }

    #[test]
    fn return_to_requester_then_resubmit() {
        let flow = expense();
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            let t = i.open_tasks().next().unwrap().id;
            assert_eq!(i.apply(Action::Withdraw, 11, env), Err(ActionError::NotRequester));
            i.apply(Action::Return { task: t, target: ReturnTarget::Requester, comment: "补充发票".into() }, 11, env)
                .unwrap();
            assert_eq!(i.status, InstanceStatus::Returned);
            assert_eq!(i.open_tasks().count(), 0);
            assert_eq!(i.apply(Action::Resubmit, 11, env), Err(ActionError::NotRequester));
            i.apply(Action::Resubmit, 12, env).unwrap();
            assert_eq!(open(&i), vec![("manager".into(), 11)]);
            assert_eq!(i.open_tasks().next().unwrap().round, 2);
        });
    }

    #[test]
    fn withdraw_only_while_untouched() {
        let flow = expense();
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            let mut j = i.clone();
            j.apply(Action::Withdraw, 12, env).unwrap();
            assert_eq!(j.status, InstanceStatus::Withdrawn);
            approve_open(&mut i, env);
            assert_eq!(i.apply(Action::Withdraw, 12, env), Err(ActionError::AlreadyActedOn));
            assert!(!i.can(&Action::Withdraw, 12));
        });
    }

    #[test]
    fn transfer_and_added_signers() {
        let flow = Flow {
            nodes: vec![
                with_mode(approver("c", users(&[11])), MultiMode::All),
                with_mode(approver("d", users(&[8])), MultiMode::All),
            ],
        };
        with_request(&flow, "1", |env| {
            let mut i = Instance::start(env);
            let t = i.open_tasks().next().unwrap().id;
            assert_eq!(
                i.apply(Action::Transfer { task: t, to: 99, comment: String::new() }, 11, env),
                Err(ActionError::BadUser)
            );
            // The requester (12) never gets a task of their own request by hand-over.
            assert_eq!(
                i.apply(Action::Transfer { task: t, to: 12, comment: String::new() }, 11, env),
                Err(ActionError::ToRequester)
            );
            for position in [SignerPosition::Before, SignerPosition::After, SignerPosition::Alongside] {
                assert_eq!(
                    i.apply(Action::AddSigner { task: t, user: 12, position, comment: String::new() }, 11, env),
                    Err(ActionError::ToRequester)
                );
            }
            i.apply(Action::Transfer { task: t, to: 1, comment: String::new() }, 11, env).unwrap();
            assert_eq!(open(&i), vec![("c".into(), 1)]);
            let t = i.open_tasks().next().unwrap().id;
            i.apply(
                Action::AddSigner { task: t, user: 5, position: SignerPosition::Before, comment: String::new() },
                1,
                env,
            )
            .unwrap();
            assert_eq!(open(&i), vec![("c".into(), 5)], "the added signer goes first");
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("c".into(), 1)]);
            let t = i.open_tasks().next().unwrap().id;
            i.apply(
                Action::AddSigner { task: t, user: 11, position: SignerPosition::After, comment: String::new() },
                1,
                env,
            )
            .unwrap();
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("c".into(), 11)], "the added signer goes after");
            approve_open(&mut i, env);
            assert_eq!(open(&i), vec![("d".into(), 8)]);
        });
    }

    #[test]
    fn deadlines_and_hand_overs_act_without_the_handler() {
        let flow = expense();
        with_request(&flow, "8000", |env| {
            let mut i = Instance::start(env);
            let t = i.open_tasks().next().unwrap().id;
            i.apply_system(SystemAction::MarkOverdue { task: t }, env).unwrap();
            i.apply_system(SystemAction::Remind { task: t }, env).unwrap();
            assert_eq!(i.status, InstanceStatus::Running);
            // Escalation to someone inactive or to the same handler is refused, unchanged.
            let before = i.clone();
            assert_eq!(i.apply_system(SystemAction::Escalate { task: t, to: 99 }, env), Err(ActionError::BadUser));
            assert_eq!(i.apply_system(SystemAction::Escalate { task: t, to: 11 }, env), Err(ActionError::BadUser));
            assert_eq!(i, before);
            i.apply_system(SystemAction::Escalate { task: t, to: 1 }, env).unwrap();
            assert_eq!(open(&i), vec![("manager".into(), 1)]);
            assert_eq!(i.tasks[0].status, TaskStatus::Transferred);
            let t = i.open_tasks().next().unwrap().id;
            i.apply_system(SystemAction::AutoApprove { task: t }, env).unwrap();
            assert_eq!(open(&i), vec![("finance".into(), 8)]);
            assert!(matches!(i.history.last().unwrap().kind, EventKind::AutoApproved { .. }));
            assert_eq!(i.history.last().unwrap().actor, None);
            let t = i.open_tasks().next().unwrap().id;
            i.apply_system(SystemAction::HandOver { task: t, to: 3, by: 5, comment: "离职交接".into() }, env).unwrap();
            assert_eq!(open(&i), vec![("finance".into(), 3)]);
            assert_eq!(i.history.last().unwrap().actor, Some(5));
            // A task that is no longer open takes no system action.
            assert_eq!(i.apply_system(SystemAction::AutoApprove { task: t }, env), Err(ActionError::TaskNotOpen));
            let t = i.open_tasks().next().unwrap().id;
            i.apply_system(SystemAction::AutoReturn { task: t }, env).unwrap();
            assert_eq!(i.status, InstanceStatus::Returned);
            assert_eq!(i.open_tasks().count(), 0);
            assert_eq!(i.apply_system(SystemAction::Remind { task: t }, env), Err(ActionError::NotRunning));
        });
    }

    #[test]
    fn addresses_and_return_levels() {
        let flow = parallel_flow();
        assert_eq!(find_node(&flow, "a2"), Some(vec![1, 0, 1]));
        assert_eq!(find_node(&flow, "last"), Some(vec![2]));
        assert_eq!(return_level(&[1, 0, 1], &[1, 0, 0]), Some(2));
        assert_eq!(return_level(&[1, 1, 0], &[1, 0, 0]), None);
        assert_eq!(return_level(&[1, 0, 1], &[0]), Some(0));
        assert_eq!(return_level(&[0], &[2]), None);
    }
}
