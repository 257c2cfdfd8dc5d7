//! Property tests of the instance state machine: random block-structured flows, random
//! action sequences, and the invariants that must hold after every step.

use super::flow::{ApproverRule, CmpOp, Condition, ConditionArm, EmptyRule, Flow, MultiMode, Node, ParallelArm};
use super::instance::{Action, Env, Instance, InstanceStatus, ReturnTarget, SignerPosition, TaskStatus, find_node};
use super::testkit::{Demo, approver, with_empty, with_mode, with_request};
use proptest::prelude::*;
use serde_json::json;

const PEOPLE: [i64; 4] = [1, 5, 8, 11];

fn mode() -> impl Strategy<Value = MultiMode> {
    prop_oneof![
        Just(MultiMode::All),
        Just(MultiMode::Any),
        Just(MultiMode::Sequential),
        (1_u32..=2).prop_map(|n| MultiMode::Quorum { n }),
    ]
}

fn leaf() -> impl Strategy<Value = Node> {
    prop_oneof![
        4 => (proptest::sample::subsequence(PEOPLE.to_vec(), 2..=3), mode())
            .prop_map(|(ids, mode)| with_mode(approver("", ApproverRule::Users { ids }), mode)),
        1 => Just(with_empty(approver("", ApproverRule::Manager { levels: 1 }), EmptyRule::Admin)),
        1 => Just(Node::Cc { id: String::new(), name: "cc".into(), targets: vec![ApproverRule::Users { ids: vec![8] }] }),
    ]
}

fn node() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(2, 12, 3, |inner| {
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 0..3),
                proptest::collection::vec(inner.clone(), 0..3),
                0_i64..10_000
            )
                .prop_map(|(a, b, limit)| Node::Conditions {
                    id: String::new(),
                    name: "c".into(),
                    arms: vec![
                        ConditionArm {
                            name: "big".into(),
                            condition: Some(Condition::Compare {
                                field: "total".into(),
                                op: CmpOp::Gt,
                                value: json!(limit.to_string())
                            }),
                            nodes: a,
                        },
                        ConditionArm { name: "else".into(), condition: None, nodes: b },
                    ],
                }),
            (proptest::collection::vec(inner.clone(), 1..3), proptest::collection::vec(inner, 1..3)).prop_map(
                |(a, b)| Node::Parallel {
                    id: String::new(),
                    name: "p".into(),
                    arms: vec![ParallelArm { name: "x".into(), nodes: a }, ParallelArm { name: "y".into(), nodes: b }],
                }
            ),
        ]
    })
}

fn number(nodes: &mut [Node], next: &mut usize) {
    for n in nodes {
        *next += 1;
        let id = format!("n{next}");
        match n {
            Node::Approver { id: i, .. } | Node::Handler { id: i, .. } | Node::Cc { id: i, .. } => *i = id,
            Node::Conditions { id: i, arms, .. } => {
                *i = id;
                arms.iter_mut().for_each(|a| number(&mut a.nodes, next));
            }
            Node::Parallel { id: i, arms, .. } => {
                *i = id;
                arms.iter_mut().for_each(|a| number(&mut a.nodes, next));
            }
        }
    }
}

fn flow() -> impl Strategy<Value = Flow> {
    proptest::collection::vec(node(), 1..4).prop_map(|mut nodes| {
        number(&mut nodes, &mut 0);
        Flow { nodes }
    })
}

fn check_invariants(i: &Instance, flow: &Flow) -> Result<(), TestCaseError> {
    let open = i.open_tasks().count();
    match i.status {
        InstanceStatus::Running => prop_assert!(open > 0, "a running instance has an open task"),
        _ => prop_assert!(
            i.tasks.iter().all(|t| !matches!(t.status, TaskStatus::Open | TaskStatus::Waiting)),
            "a stopped instance has no live task"
        ),
    }
    for t in &i.tasks {
        if t.status == TaskStatus::Waiting {
            let parent = i.tasks.iter().find(|p| Some(p.id) == t.after);
            prop_assert!(
                parent.is_some_and(|p| matches!(p.status, TaskStatus::Open | TaskStatus::Waiting)),
                "task {} waits on a task that will never finish",
                t.id
            );
        }
        prop_assert_eq!(find_node(flow, &t.node), Some(t.addr.clone()), "every task sits on its node");
    }
    let approvals = i.history.iter().filter(|e| matches!(e.kind, super::instance::EventKind::Approved { .. })).count();
    let approved = i.tasks.iter().filter(|t| t.status == TaskStatus::Approved).count();
    prop_assert_eq!(approvals, approved, "every approval is in the history");
    Ok(())
}

fn drive(i: &mut Instance, env: &Env<'_, Demo>, flow: &Flow, choices: &[(u8, u8, u8)]) -> Result<(), TestCaseError> {
    let ids: Vec<String> = flow.walk().iter().map(|n| n.id().to_owned()).collect();
    for (kind, pick, arg) in choices {
        if i.status == InstanceStatus::Returned {
            i.apply(Action::Resubmit, i.requester, env).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            check_invariants(i, flow)?;
            continue;
        }
        if i.status != InstanceStatus::Running {
            break;
        }
        let open: Vec<(u32, i64)> = i.open_tasks().map(|t| (t.id, t.assignee)).collect();
        let (task, actor) = open[*pick as usize % open.len()];
        let other = PEOPLE[*arg as usize % PEOPLE.len()];
        let action = match kind % 10 {
            0 => Action::Reject { task, comment: "no".into() },
            1 => Action::Return { task, target: ReturnTarget::Requester, comment: "fix".into() },
            2 => Action::Return {
                task,
                target: ReturnTarget::Node { id: ids[*arg as usize % ids.len()].clone() },
                comment: String::new(),
            },
            3 => Action::Transfer { task, to: other, comment: String::new() },
            4 => Action::AddSigner {
                task,
                user: other,
                position: [SignerPosition::Before, SignerPosition::After, SignerPosition::Alongside][*arg as usize % 3],
                comment: String::new(),
            },
            _ => Action::Approve { task, comment: String::new() },
        };
        let before = i.clone();
        if i.apply(action, actor, env).is_err() {
            prop_assert_eq!(&*i, &before, "a refused action changes nothing");
        }
        check_invariants(i, flow)?;
    }
    Ok(())
}

/// Approves the first open task until the instance stops; it must end approved.
fn approve_through(i: &mut Instance, env: &Env<'_, Demo>, flow: &Flow) -> Result<(), TestCaseError> {
    for _ in 0..500 {
        if i.status == InstanceStatus::Returned {
            i.apply(Action::Resubmit, i.requester, env).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        }
        if i.status != InstanceStatus::Running {
            break;
        }
        let (task, actor) =
            i.open_tasks().map(|t| (t.id, t.assignee)).next().ok_or_else(|| TestCaseError::fail("no open task"))?;
        i.apply(Action::Approve { task, comment: String::new() }, actor, env)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        check_invariants(i, flow)?;
    }
    prop_assert_eq!(i.status, InstanceStatus::Approved);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_any_actions(flow in flow(), total in 0_i64..20_000, choices in proptest::collection::vec(any::<(u8, u8, u8)>(), 0..40)) {
        with_request(&flow, &total.to_string(), |env| {
            let mut i = Instance::start(env);
            check_invariants(&i, &flow)?;
            drive(&mut i, env, &flow, &choices)?;
            // Whatever happened, if it is still going, approving straight through finishes it.
            if matches!(i.status, InstanceStatus::Running | InstanceStatus::Returned) {
                approve_through(&mut i, env, &flow)?;
            }
            Ok::<(), TestCaseError>(())
        })?;
    }

    #[test]
    fn approving_straight_through_always_ends_approved(flow in flow(), total in 0_i64..20_000) {
        with_request(&flow, &total.to_string(), |env| {
            let mut i = Instance::start(env);
            approve_through(&mut i, env, &flow)
        })?;
    }
}
