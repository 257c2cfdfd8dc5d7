//! A node's settings: who approves, how several approvers decide, what happens when nobody
//! is found or a deadline passes, whom a CC node copies.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(in crate::workflow::pages::designer) fn rule_kind(r: &ApproverRule) -> &'static str {
    match r {
        ApproverRule::Users { .. } => "users",
        ApproverRule::Role { .. } => "role",
        ApproverRule::Manager { .. } => "manager",
        ApproverRule::DepartmentHead { .. } => "department_head",
        ApproverRule::RequesterPicks => "requester_picks",
    }
}

/// An editor of one approver rule, read and written through `get`/`set`.
pub(in crate::workflow::pages::designer) fn rule_editor(
    ed: Ed,
    tag: String,
    get: impl Fn(&TemplateDoc) -> Option<ApproverRule> + Copy + Send + Sync + 'static,
    set: impl Fn(&mut TemplateDoc, ApproverRule) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let l = ed.l;
    let current = move || ed.doc.with(get);
    let kind = Memo::new(move |_| current().map(|r| rule_kind(&r)).unwrap_or("manager"));
    let put = move |r: ApproverRule, t: Option<String>| {
        ed.edit(t, move |d| {
            set(d, r);
            Ok(())
        })
    };
    let tag2 = tag.clone();
    view! {
        <label class="field"><span>{l.t(W::who)}</span>
            <select class="rule-kind" on:change=move |e| {
                let r = match event_target_value(&e).as_str() {
                    "users" => ApproverRule::Users { ids: vec![] },
                    "role" => ApproverRule::Role { key: String::new() },
                    "department_head" => ApproverRule::DepartmentHead { department: None },
                    "requester_picks" => ApproverRule::RequesterPicks,
                    _ => ApproverRule::Manager { levels: 1 },
                };
                put(r, None);
            }>
                {[("users", l.t(W::named_people)), ("role", l.t(W::role)), ("manager", l.t(W::manager_2)),
                  ("department_head", l.t(W::department_head)), ("requester_picks", l.t(W::requester_picks))]
                    .into_iter().map(|(v, t)| view! { <option value=v selected=move || kind.get() == v>{t}</option> }).collect_view()}
            </select>
        </label>
        {move || match kind.get() {
            "users" => {
                let ids = move || match current() { Some(ApproverRule::Users { ids }) => ids, _ => vec![] };
                view! {
                    <div class="chips">
                        {move || ids().into_iter().map(|u| view! {
                            <span class="chip">{ed.dir.with_value(|d| d.user_name(u))}
                                <button type="button" class="chip-x" aria-label=l.t(W::remove) on:click=move |_| {
                                    let mut v = ids(); v.retain(|x| *x != u); put(ApproverRule::Users { ids: v }, None);
                                }>"×"</button></span>
                        }).collect_view()}
                    </div>
                    <label class="field"><span>{l.t(W::add_a_person)}</span>
                        <select class="add-user" on:change=move |e| {
                            if let Ok(u) = event_target_value(&e).parse::<i64>() {
                                let mut v = ids(); if !v.contains(&u) { v.push(u); } put(ApproverRule::Users { ids: v }, None);
                            }
                        }>
                            <option value="">{l.t(W::choose)}</option>
                            {ed.dir.with_value(|d| d.users.iter().filter(|u| u.active).map(|u| view! {
                                <option value=u.id>{format!("{} · {}", u.name, u.position)}</option>
                            }).collect_view())}
                        </select>
                    </label>
                }.into_any()
            }
            "role" => view! {
                <label class="field"><span>{l.t(W::role)}</span>
                    <select on:change=move |e| put(ApproverRule::Role { key: event_target_value(&e) }, None)>
                        <option value="">{l.t(W::choose)}</option>
                        {ed.dir.with_value(|d| d.roles.iter().map(|r| {
                            let k = r.key.clone();
                            view! { <option value=r.key.clone() selected=move || matches!(current(), Some(ApproverRule::Role { key }) if key == k)>{r.name.clone()}</option> }
                        }).collect_view())}
                    </select>
                </label>
            }.into_any(),
            "manager" => {
                let tag = tag2.clone();
                view! {
                    <label class="field"><span>{l.t(W::levels_up_2)}</span>
                        <input type="number" min="1" max="10" class="levels"
                            prop:value=move || { match current() { Some(ApproverRule::Manager { levels }) => levels.to_string(), _ => "1".into() } }
                            on:input=move |e| { if let Ok(n) = event_target_value(&e).parse::<u8>() { put(ApproverRule::Manager { levels: n }, Some(format!("{tag}-lv"))); } }/>
                    </label>
                }.into_any()
            }
            "department_head" => view! {
                <label class="field"><span>{l.t(W::department)}</span>
                    <select on:change=move |e| put(ApproverRule::DepartmentHead { department: event_target_value(&e).parse().ok() }, None)>
                        <option value="">{l.t(W::the_requester_s_department)}</option>
                        {ed.dir.with_value(|d| d.departments.iter().map(|x| {
                            let id = x.id;
                            view! { <option value=x.id selected=move || matches!(current(), Some(ApproverRule::DepartmentHead { department: Some(d) }) if d == id)>{x.name.clone()}</option> }
                        }).collect_view())}
                    </select>
                </label>
            }.into_any(),
            _ => view! { <p class="muted small">{l.t(W::the_requester_chooses_when_submitting)}</p> }.into_any(),
        }}
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn NodePanel(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id.clone());
    let node = move || ed.doc.with(|d| design::node(&d.flow, &idv.get_value()).cloned());
    let kind = ed.doc.with_untracked(|d| design::node(&d.flow, &id).map(NodeKind::of)).unwrap_or(NodeKind::Approver);
    let move_by = move |delta: i32| {
        let id = idv.get_value();
        ed.edit(None, move |d| {
            let at = design::locate(&d.flow, &id).ok_or("gone")?;
            let to = if delta < 0 { at.index.checked_sub(1).ok_or(l.t(W::already_first))? } else { at.index + 2 };
            design::move_node(&mut d.flow, &id, &Slot { parent: at.parent, index: to }).map_err(|e| e.to_string())
        });
    };
    let rule_get = move |d: &TemplateDoc| match design::node(&d.flow, &idv.get_value()) {
        Some(Node::Approver { rule, .. } | Node::Handler { rule, .. }) => Some(rule.clone()),
        _ => None,
    };
    let rule_set = move |d: &mut TemplateDoc, r: ApproverRule| {
        if let Some(Node::Approver { rule, .. } | Node::Handler { rule, .. }) =
            design::node_mut(&mut d.flow, &idv.get_value())
        {
            *rule = r;
        }
    };
    view! {
        <div class="panel-section" data-panel-node=id.clone()>
            <h2>{kind_label(l, kind)}</h2>
            <label class="field"><span>{l.t(W::name_3)}</span>
                <input class="node-name" maxlength="40" prop:value=move || node().map(|n| n.name().to_owned()).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.node_edit(&idv.get_value(), "name", move |n| set_name(n, v)); }/>
            </label>
            {matches!(kind, NodeKind::Approver | NodeKind::Handler).then(|| rule_editor(ed, id.clone(), rule_get, rule_set))}
            {(kind == NodeKind::Approver).then(|| view! { <ApproverOptions id=idv.get_value()/> })}
            {matches!(kind, NodeKind::Approver | NodeKind::Handler).then(|| view! { <EmptyAndTimeout id=idv.get_value()/> })}
            {(kind == NodeKind::Cc).then(|| view! { <CcTargets id=idv.get_value()/> })}
            {matches!(kind, NodeKind::Conditions | NodeKind::Parallel).then(|| view! {
                <p class="muted small">{l.t(W::click_a_branch_s_head_to_edit_its_name)}</p>
            })}
            <div class="panel-actions">
                <button type="button" class="btn btn-sm" id="node-up" on:click=move |_| move_by(-1)>{l.t(W::move_up)}</button>
                <button type="button" class="btn btn-sm" id="node-down" on:click=move |_| move_by(1)>{l.t(W::move_down)}</button>
                <button type="button" class="btn btn-sm btn-danger" id="node-delete" on:click=move |_| {
                    let id = idv.get_value();
                    ed.edit(None, move |d| design::remove(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string()));
                    ed.sel.set(Sel::None);
                }>{l.t(W::delete_node)}</button>
            </div>
        </div>
    }
}

pub(in crate::workflow::pages::designer) fn set_name(n: &mut Node, v: String) {
    match n {
        Node::Approver { name, .. }
        | Node::Handler { name, .. }
        | Node::Cc { name, .. }
        | Node::Conditions { name, .. }
        | Node::Parallel { name, .. } => *name = v,
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn ApproverOptions(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id);
    let get = move || {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Approver { mode, requester_is_approver, .. }) => (*mode, *requester_is_approver),
            _ => (MultiMode::All, SelfRule::Skip),
        })
    };
    let mode_key = move || match get().0 {
        MultiMode::All => "all",
        MultiMode::Any => "any",
        MultiMode::Sequential => "sequential",
        MultiMode::Quorum { .. } => "quorum",
    };
    let set_mode = move |m: MultiMode, tag: &str| {
        ed.node_edit(&idv.get_value(), tag, move |n| {
            if let Node::Approver { mode, .. } = n {
                *mode = m;
            }
        });
    };
    view! {
        <label class="field"><span>{l.t(W::with_several_approvers)}</span>
            <select class="multi-mode" on:change=move |e| {
                let m = match event_target_value(&e).as_str() { "any" => MultiMode::Any, "sequential" => MultiMode::Sequential, "quorum" => MultiMode::Quorum { n: 2 }, _ => MultiMode::All };
                set_mode(m, "mode");
            }>
                {[("all", l.t(W::all_must_approve_2)), ("any", l.t(W::any_one_decides_2)),
                  ("sequential", l.t(W::one_after_another_2)), ("quorum", l.t(W::a_number_of_them_2))]
                    .into_iter().map(|(v, t)| view! { <option value=v selected=move || mode_key() == v>{t}</option> }).collect_view()}
            </select>
        </label>
        {move || matches!(get().0, MultiMode::Quorum { .. }).then(|| view! {
            <label class="field"><span>{l.t(W::approvals_needed)}</span>
                <input type="number" min="1" prop:value=move || { match get().0 { MultiMode::Quorum { n } => n.to_string(), _ => String::new() } }
                    on:input=move |e| { if let Ok(n) = event_target_value(&e).parse::<u32>() { set_mode(MultiMode::Quorum { n }, "quorum"); } }/>
            </label>
        })}
        <label class="check">
            <input type="checkbox" prop:checked=move || get().1 == SelfRule::Skip on:change=move |e| {
                let skip = event_target_checked(&e);
                ed.node_edit(&idv.get_value(), "self", move |n| if let Node::Approver { requester_is_approver, .. } = n {
                    *requester_is_approver = if skip { SelfRule::Skip } else { SelfRule::Keep };
                });
            }/>
            <span>{l.t(W::skip_when_the_approver_is_the_requester)}</span>
        </label>
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn EmptyAndTimeout(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id);
    let get = move || {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Approver { on_empty, timeout, .. } | Node::Handler { on_empty, timeout, .. }) => {
                (*on_empty, *timeout)
            }
            _ => (EmptyRule::Skip, None),
        })
    };
    let set = move |tag: &str, e: Option<EmptyRule>, t: Option<Option<Timeout>>| {
        ed.node_edit(&idv.get_value(), tag, move |n| {
            if let Node::Approver { on_empty, timeout, .. } | Node::Handler { on_empty, timeout, .. } = n {
                if let Some(e) = e {
                    *on_empty = e;
                }
                if let Some(t) = t {
                    *timeout = t;
                }
            }
        });
    };
    let empty_key = move || match get().0 {
        EmptyRule::Skip => "skip",
        EmptyRule::Admin => "admin",
        EmptyRule::User { .. } => "user",
    };
    let action_key = move || match get().1.map(|t| t.action) {
        Some(TimeoutAction::Remind { .. }) | None => "remind",
        Some(TimeoutAction::Escalate) => "escalate",
        Some(TimeoutAction::AutoApprove) => "auto_approve",
        Some(TimeoutAction::AutoReturn) => "auto_return",
    };
    view! {
        <label class="field"><span>{l.t(W::when_nobody_is_found)}</span>
            <select class="on-empty" on:change=move |e| {
                let r = match event_target_value(&e).as_str() { "admin" => EmptyRule::Admin, "user" => EmptyRule::User { id: 0 }, _ => EmptyRule::Skip };
                set("empty", Some(r), None);
            }>
                {[("skip", l.t(W::skip_the_node)), ("admin", l.t(W::go_to_the_administrators)), ("user", l.t(W::go_to_a_named_person))]
                    .into_iter().map(|(v, t)| view! { <option value=v selected=move || empty_key() == v>{t}</option> }).collect_view()}
            </select>
        </label>
        {move || (empty_key() == "user").then(|| view! {
            <label class="field"><span>{l.t(W::hand_to)}</span>
                <select on:change=move |e| { if let Ok(u) = event_target_value(&e).parse::<i64>() { set("empty-user", Some(EmptyRule::User { id: u }), None); } }>
                    <option value="">{l.t(W::choose)}</option>
                    {ed.dir.with_value(|d| d.users.iter().filter(|u| u.active).map(|u| {
                        let id = u.id;
                        view! { <option value=u.id selected=move || get().0 == EmptyRule::User { id }>{u.name.clone()}</option> }
                    }).collect_view())}
                </select>
            </label>
        })}
        <label class="check">
            <input type="checkbox" class="has-timeout" prop:checked=move || get().1.is_some() on:change=move |e| {
                let on = event_target_checked(&e);
                set("timeout", None, Some(on.then_some(Timeout { after_minutes: 8 * 60, action: TimeoutAction::Remind { every_minutes: 240 } })));
            }/>
            <span>{l.t(W::deadline)}</span>
        </label>
        {move || get().1.map(|t| view! {
            <div class="row-form">
                <label class="field"><span>{l.t(W::working_hours)}</span>
                    <input type="number" min="1" prop:value=(t.after_minutes / 60).to_string() on:input=move |e| {
                        if let Ok(h) = event_target_value(&e).parse::<u32>() {
                            let cur = get().1;
                            set("to-h", None, Some(cur.map(|c| Timeout { after_minutes: h.saturating_mul(60), ..c })));
                        }
                    }/>
                </label>
                <label class="field"><span>{l.t(W::then)}</span>
                    <select on:change=move |e| {
                        let a = match event_target_value(&e).as_str() { "escalate" => TimeoutAction::Escalate, "auto_approve" => TimeoutAction::AutoApprove,
                            "auto_return" => TimeoutAction::AutoReturn, _ => TimeoutAction::Remind { every_minutes: 240 } };
                        let cur = get().1;
                        set("to-a", None, Some(cur.map(|c| Timeout { action: a, ..c })));
                    }>
                        {[("remind", l.t(W::remind)), ("escalate", l.t(W::escalate)), ("auto_approve", l.t(W::approve)), ("auto_return", l.t(W::return_word))]
                            .into_iter().map(|(v, tx)| view! { <option value=v selected=move || action_key() == v>{tx}</option> }).collect_view()}
                    </select>
                </label>
            </div>
        })}
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn CcTargets(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id);
    let count = Memo::new(move |_| {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Cc { targets, .. }) => targets.len(),
            _ => 0,
        })
    });
    view! {
        {move || (0..count.get()).map(|i| {
            let get = move |d: &TemplateDoc| match design::node(&d.flow, &idv.get_value()) {
                Some(Node::Cc { targets, .. }) => targets.get(i).cloned(),
                _ => None,
            };
            let set = move |d: &mut TemplateDoc, r: ApproverRule| {
                if let Some(Node::Cc { targets, .. }) = design::node_mut(&mut d.flow, &idv.get_value())
                    && let Some(t) = targets.get_mut(i) { *t = r; }
            };
            view! {
                <fieldset class="cc-target">
                    <legend>{format!("{} {}", l.t(W::target), i + 1)}</legend>
                    {rule_editor(ed, format!("{}-cc{i}", idv.get_value()), get, set)}
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| { ed.node_edit(&idv.get_value(), "cc-rm", move |n| { if let Node::Cc { targets, .. } = n && i < targets.len() { targets.remove(i); } }); }>
                        {l.t(W::remove)}</button>
                </fieldset>
            }
        }).collect_view()}
        <button type="button" class="btn btn-sm" id="cc-add" on:click=move |_| {
            ed.edit(None, move |d| {
                if let Some(Node::Cc { targets, .. }) = design::node_mut(&mut d.flow, &idv.get_value()) {
                    targets.push(ApproverRule::Users { ids: vec![] });
                }
                Ok(())
            });
        }>{l.t(W::add_a_target)}</button>
    }
}
