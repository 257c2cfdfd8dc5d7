//! The flow canvas: nodes top to bottom, the "+" slots, the palette, drag and drop.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(in crate::workflow::pages::designer) fn rule_text(l: Lang, r: &ApproverRule, dir: &Directory) -> String {
    match r {
        ApproverRule::Users { ids } if ids.is_empty() => l.t(W::nobody_named).into(),
        ApproverRule::Users { ids } => ids.iter().map(|i| dir.user_name(*i)).collect::<Vec<_>>().join("、"),
        ApproverRule::Role { key } => {
            let name = dir.roles.iter().find(|r| &r.key == key).map_or_else(|| key.clone(), |r| r.name.clone());
            format!("{}：{name}", l.t(W::role))
        }
        ApproverRule::Manager { levels: 1 } => l.t(W::direct_manager).into(),
        ApproverRule::Manager { levels } => {
            format!("{} {levels} {}", l.t(W::manager), l.t(W::levels_up))
        }
        ApproverRule::DepartmentHead { department: None } => l.t(W::head_of_the_requester_s_department).into(),
        ApproverRule::DepartmentHead { department: Some(d) } => {
            let name = dir.department(*d).map_or_else(|| format!("#{d}"), |d| d.name.clone());
            format!("{name}{}", l.t(W::head))
        }
        ApproverRule::RequesterPicks => l.t(W::requester_picks).into(),
    }
}

pub(in crate::workflow::pages::designer) fn cond_text(
    l: Lang,
    c: &Option<Condition>,
    form: &FormSchema,
    dir: &Directory,
) -> String {
    fn one(l: Lang, c: &Condition, form: &FormSchema, dir: &Directory) -> String {
        match c {
            Condition::Compare { field, op, value } => {
                let name = if field == REQUESTER_DEPARTMENT {
                    l.t(W::requester_s_department).to_owned()
                } else {
                    form.field(field).map_or_else(|| field.clone(), |f| f.label.clone())
                };
                let v = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                let v = if field == REQUESTER_DEPARTMENT {
                    v.parse::<i64>().ok().and_then(|d| dir.department(d)).map_or(v, |d| d.name.clone())
                } else {
                    v
                };
                format!("{name} {} {v}", op_label(l, *op))
            }
            Condition::All { items } | Condition::Any { items } if items.is_empty() => l.t(W::no_condition_set).into(),
            Condition::All { items } => {
                items.iter().map(|i| one(l, i, form, dir)).collect::<Vec<_>>().join(l.t(W::and))
            }
            Condition::Any { items } => items.iter().map(|i| one(l, i, form, dir)).collect::<Vec<_>>().join(l.t(W::or)),
        }
    }
    match c {
        None => l.t(W::otherwise_default).into(),
        Some(c) => one(l, c, form, dir),
    }
}

pub(in crate::workflow::pages::designer) fn op_label(l: Lang, op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "≠",
        CmpOp::Lt => "<",
        CmpOp::Le => "≤",
        CmpOp::Gt => ">",
        CmpOp::Ge => "≥",
        CmpOp::In => l.t(W::op_in),
        CmpOp::Contains => l.t(W::contains),
        CmpOp::IsEmpty => l.t(W::is_empty),
    }
}

pub(in crate::workflow::pages::designer) fn node_summary(l: Lang, n: &Node, dir: &Directory) -> String {
    match n {
        Node::Approver { rule, mode, .. } => {
            let m = match mode {
                MultiMode::All => l.t(W::all_must_approve),
                MultiMode::Any => l.t(W::any_one_decides),
                MultiMode::Sequential => l.t(W::one_after_another),
                MultiMode::Quorum { .. } => l.t(W::a_number_of_them),
            };
            format!("{} · {m}", rule_text(l, rule, dir))
        }
        Node::Handler { rule, .. } => rule_text(l, rule, dir),
        Node::Cc { targets, .. } if targets.is_empty() => l.t(W::nobody_to_copy).into(),
        Node::Cc { targets, .. } => targets.iter().map(|t| rule_text(l, t, dir)).collect::<Vec<_>>().join("；"),
        Node::Conditions { arms, .. } => format!("{} {}", arms.len(), l.t(W::branches)),
        Node::Parallel { arms, .. } => format!("{} {}", arms.len(), l.t(W::branches_2)),
    }
}

/// The simulation's result on the canvas: nodes on the path and the arms taken.
#[derive(Clone, Default, PartialEq)]
pub(in crate::workflow::pages::designer) struct PathMark {
    pub(in crate::workflow::pages::designer) nodes: HashSet<String>,
    pub(in crate::workflow::pages::designer) arms: HashSet<(String, usize)>,
}

pub(in crate::workflow::pages::designer) fn add_slot(ed: Ed, slot: Slot) -> AnyView {
    let key = slot_key(&slot);
    let k2 = key.clone();
    let k3 = key.clone();
    let k4 = key.clone();
    let l = ed.l;
    let s2 = slot.clone();
    view! {
        <div class="fd-slot" data-slot=key.clone() class:hover=move || ed.hover.with(|h| h.as_deref() == Some(k2.as_str()))>
            <button type="button" class="fd-add" aria-label=l.t(W::add_a_node_here) aria-haspopup="menu"
                on:click=move |_| ed.menu.update(|m| *m = if m.as_deref() == Some(k3.as_str()) { None } else { Some(k3.clone()) })>"+"</button>
            {move || (ed.menu.with(|m| m.as_deref() == Some(k4.as_str()))).then(|| {
                let s3 = s2.clone();
                view! {
                    <div class="fd-menu" role="menu">
                        {NodeKind::ALL.into_iter().map(|k| {
                            let s = s3.clone();
                            view! { <button type="button" role="menuitem" class=format!("fd-menu-item fd-k-{}", k.key()) data-kind=k.key()
                                on:click=move |_| { ed.menu.set(None); ed.insert_kind(&s, k); }>{kind_label(l, k)}</button> }
                        }).collect_view()}
                    </div>
                }
            })}
        </div>
    }
    .into_any()
}

pub(in crate::workflow::pages::designer) fn seq_view(
    ed: Ed,
    nodes: &[Node],
    parent: Option<(String, usize)>,
    errs: &HashMap<String, Vec<String>>,
    path: Option<&PathMark>,
) -> AnyView {
    let mut out: Vec<AnyView> = Vec::new();
    if path.is_none() {
        out.push(add_slot(ed, Slot { parent: parent.clone(), index: 0 }));
    }
    for (i, n) in nodes.iter().enumerate() {
        out.push(node_view(ed, n, errs, path));
        if path.is_none() {
            out.push(add_slot(ed, Slot { parent: parent.clone(), index: i + 1 }));
        } else {
            out.push(view! { <div class="fd-line"></div> }.into_any());
        }
    }
    view! { <div class="fd-seq">{out}</div> }.into_any()
}

pub(in crate::workflow::pages::designer) fn node_view(
    ed: Ed,
    n: &Node,
    errs: &HashMap<String, Vec<String>>,
    path: Option<&PathMark>,
) -> AnyView {
    let l = ed.l;
    let id = n.id().to_owned();
    let kind = NodeKind::of(n);
    let my_errs = errs.get(&id).cloned().unwrap_or_default();
    let has_err = !my_errs.is_empty();
    let summary = ed.dir.with_value(|d| node_summary(l, n, d));
    let on_path = path.map(|p| p.nodes.contains(&id));
    let sim = path.is_some();
    let id_sel = id.clone();
    let selected = move || ed.sel.with(|s| matches!(s, Sel::Node(x) if *x == id_sel));
    let id_click = id.clone();
    let id_down = id.clone();
    let id_key = id.clone();
    let id_del = id.clone();
    let card = view! {
        <div class=format!("fd-node fd-k-{}", kind.key()) class:selected=selected class:has-error=has_err
            class:on-path=on_path == Some(true) class:off-path=on_path == Some(false)
            data-node=id.clone() role="button" tabindex="0" aria-label=format!("{} {}", kind_label(l, kind), n.name())
            on:click=move |_| ed.sel.set(Sel::Node(id_click.clone()))
            on:pointerdown=move |e| {
                if e.button() != 0 || sim { return; }
                ed.drag.set(Some(Drag { what: DragWhat::MoveNode(id_down.clone()), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
            }
            on:keydown=move |e| {
                let k = e.key();
                if k == "Enter" || k == " " { e.prevent_default(); ed.sel.set(Sel::Node(id_key.clone())); }
                if k == "Delete" || k == "Backspace" {
                    e.prevent_default();
                    let id = id_key.clone();
                    ed.edit(None, move |d| design::remove(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string()));
                    ed.sel.set(Sel::None);
                }
            }>
            <div class="fd-node-head">
                <span class="fd-kind">{kind_label(l, kind)}</span>
                {(path.is_none()).then(|| view! {
                    // Not a button: the node is one already, and a control inside a control is
                    // lost to screen readers. Keyboard users delete the focused node with Delete
                    // or the panel's button.
                    <span class="fd-del" aria-hidden="true" title=l.t(W::delete)
                        on:pointerdown=|e| e.stop_propagation()
                        on:click=move |e| {
                            e.stop_propagation();
                            let id = id_del.clone();
                            ed.edit(None, move |d| design::remove(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string()));
                            ed.sel.set(Sel::None);
                        }>"×"</span>
                })}
            </div>
            <div class="fd-node-name">{n.name().to_owned()}</div>
            <div class="fd-node-sum">{summary}</div>
            {has_err.then(|| view! { <ul class="fd-errs">{my_errs.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> })}
        </div>
    };
    match n {
        Node::Conditions { .. } | Node::Parallel { .. } => {
            let is_cond = matches!(n, Node::Conditions { .. });
            let arm_list: Vec<(String, Option<Option<Condition>>, Vec<Node>)> = match n {
                Node::Conditions { arms, .. } => {
                    arms.iter().map(|a| (a.name.clone(), Some(a.condition.clone()), a.nodes.clone())).collect()
                }
                Node::Parallel { arms, .. } => arms.iter().map(|a| (a.name.clone(), None, a.nodes.clone())).collect(),
                _ => vec![],
            };
            let id_add = id.clone();
            let form = ed.doc.with_untracked(|d| d.form.clone());
            let arms_view = arm_list
                .into_iter()
                .enumerate()
                .map(|(ai, (name, cond, nodes))| {
                    let id_a = id.clone();
                    let id_s = id.clone();
                    let taken = path.map(|p| p.arms.contains(&(id.clone(), ai)));
                    let sel_arm = move || ed.sel.with(|s| matches!(s, Sel::Arm(x, a) if *x == id_s && *a == ai));
                    let text = cond.as_ref().map(|c| ed.dir.with_value(|d| cond_text(l, c, &form, d)));
                    let is_default = matches!(cond, Some(None));
                    view! {
                        <div class="fd-arm" class:taken=taken == Some(true) class:not-taken=taken == Some(false)>
                            <div class="fd-arm-head" class:selected=sel_arm class:default=is_default role="button" tabindex="0"
                                data-arm=format!("{id}/{ai}")
                                on:click=move |_| ed.sel.set(Sel::Arm(id_a.clone(), ai))
                                on:keydown={
                                    let id_k = id.clone();
                                    move |e| if e.key() == "Enter" { ed.sel.set(Sel::Arm(id_k.clone(), ai)); }
                                }>
                                <strong>{name}</strong>
                                {is_cond.then(|| view! { <small>{if is_default { String::new() } else { format!("{} {}", l.t(W::priority), ai + 1) }}</small> })}
                                {text.map(|t| view! { <span class="fd-cond">{t}</span> })}
                            </div>
                            {seq_view(ed, &nodes, Some((id.clone(), ai)), errs, path)}
                        </div>
                    }
                })
                .collect_view();
            view! {
                <div class="fd-branch" class:fd-cond-branch=is_cond>
                    {card}
                    {path.is_none().then(|| view! {
                        <button type="button" class="btn btn-sm fd-add-arm" data-add-arm=id_add.clone()
                            on:click=move |_| { let id = id_add.clone(); ed.edit(None, move |d| design::add_arm(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string())); }>
                            {if is_cond { l.t(W::add_condition) } else { l.t(W::add_branch) }}
                        </button>
                    })}
                    <div class="fd-arms">{arms_view}</div>
                </div>
            }
            .into_any()
        }
        _ => card.into_any(),
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn NodePalette() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    view! {
        <aside class="designer-palette" aria-label=l.t(W::nodes)>
            <h2>{l.t(W::drag_into_the_flow)}</h2>
            {NodeKind::ALL.into_iter().map(|k| view! {
                <button type="button" class=format!("palette-item fd-k-{}", k.key()) data-palette=k.key()
                    title=l.t(W::drag_onto_a_in_the_flow_or_click_to_add)
                    on:pointerdown=move |e| {
                        if e.button() != 0 { return; }
                        e.prevent_default();
                        ed.drag.set(Some(Drag { what: DragWhat::NewNode(k), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                    }
                    on:click=move |_| {
                        let end = ed.doc.with_untracked(|d| d.flow.nodes.len());
                        ed.insert_kind(&Slot { parent: None, index: end }, k);
                    }>
                    <span class="dot"></span>{kind_label(l, k)}
                </button>
            }).collect_view()}
            <p class="muted small">{l.t(W::keyboard_tab_to_a_and_press_enter_to)}</p>
        </aside>
    }
}
