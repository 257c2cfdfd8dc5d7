//! A condition arm's settings: the comparisons that choose it.

#[allow(clippy::wildcard_imports)]
use super::*;

/// One comparison of a condition, as the panel edits it.
pub(in crate::workflow::pages::designer) fn compare_parts(c: &Condition) -> Option<(String, CmpOp, String)> {
    match c {
        Condition::Compare { field, op, value } => Some((
            field.clone(),
            *op,
            match value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            },
        )),
        _ => None,
    }
}

/// The condition as a group of comparisons (all or any). A single comparison is a group of one.
pub(in crate::workflow::pages::designer) fn as_group(c: &Option<Condition>) -> (bool, Vec<Condition>) {
    match c {
        Some(Condition::Any { items }) => (false, items.clone()),
        Some(Condition::All { items }) => (true, items.clone()),
        Some(other) => (true, vec![other.clone()]),
        None => (true, vec![]),
    }
}

pub(in crate::workflow::pages::designer) fn value_for(field: &str, op: CmpOp, text: &str) -> Value {
    if op == CmpOp::IsEmpty {
        return Value::Null;
    }
    if op == CmpOp::In {
        return Value::Array(
            text.split([',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        );
    }
    let _ = field;
    Value::String(text.trim().to_owned())
}

#[component]
pub(in crate::workflow::pages::designer) fn ArmPanel(id: String, arm: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id.clone());
    let arm_sig = RwSignal::new(arm);
    let info = move || {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Conditions { arms, .. }) => {
                arms.get(arm_sig.get()).map(|a| (a.name.clone(), Some(a.condition.clone())))
            }
            Some(Node::Parallel { arms, .. }) => arms.get(arm_sig.get()).map(|a| (a.name.clone(), None)),
            _ => None,
        })
    };
    let is_cond = ed.doc.with_untracked(|d| matches!(design::node(&d.flow, &id), Some(Node::Conditions { .. })));
    let is_default = move || matches!(info(), Some((_, Some(None))));
    let set_cond = move |all: bool, items: Vec<Condition>, tag: Option<String>| {
        let a = arm_sig.get_untracked();
        ed.edit(tag, move |d| {
            if let Some(Node::Conditions { arms, .. }) = design::node_mut(&mut d.flow, &idv.get_value())
                && let Some(x) = arms.get_mut(a)
            {
                x.condition = Some(if all { Condition::All { items } } else { Condition::Any { items } });
            }
            Ok(())
        });
    };
    let group = move || info().and_then(|(_, c)| c).map(|c| as_group(&c)).unwrap_or((true, vec![]));
    let n_items = Memo::new(move |_| group().1.len());
    let fields = move || {
        ed.doc.with(|d| {
            d.form
                .fields
                .iter()
                .filter(|f| !matches!(f.kind, FieldKind::Table { .. } | FieldKind::Attachment { .. }))
                .map(|f| (f.key.clone(), f.label.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="panel-section" data-panel-arm=format!("{id}/{arm}")>
            <h2>{if is_cond { l.t(W::condition_branch) } else { l.t(W::parallel_branch) }}</h2>
            <label class="field"><span>{l.t(W::name_2)}</span>
                <input class="arm-name" maxlength="40" prop:value=move || info().map(|i| i.0).unwrap_or_default() on:input=move |e| {
                    let v = event_target_value(&e);
                    let a = arm_sig.get_untracked();
                    ed.edit(Some(format!("arm-name:{}:{a}", idv.get_value())), move |d| {
                        match design::node_mut(&mut d.flow, &idv.get_value()) {
                            Some(Node::Conditions { arms, .. }) => if let Some(x) = arms.get_mut(a) { x.name = v; },
                            Some(Node::Parallel { arms, .. }) => if let Some(x) = arms.get_mut(a) { x.name = v; },
                            _ => {}
                        }
                        Ok(())
                    });
                }/>
            </label>
            {move || (is_cond && !is_default()).then(|| view! {
                <label class="field"><span>{l.t(W::match_word)}</span>
                    <select class="group-mode" on:change=move |e| { let (_, items) = group(); set_cond(event_target_value(&e) == "all", items, None); }>
                        <option value="all" selected=move || group().0>{l.t(W::all_of_these_and)}</option>
                        <option value="any" selected=move || !group().0>{l.t(W::any_of_these_or)}</option>
                    </select>
                </label>
                {move || (0..n_items.get()).map(|i| {
                    let part = move || group().1.get(i).and_then(compare_parts);
                    let put = move |f: Option<String>, op: Option<CmpOp>, v: Option<String>, tag: Option<String>| {
                        let (all, mut items) = group();
                        let (of, oo, ov) = items.get(i).and_then(compare_parts).unwrap_or((String::new(), CmpOp::Eq, String::new()));
                        let field = f.unwrap_or(of);
                        let op = op.unwrap_or(oo);
                        let text = v.unwrap_or(ov);
                        if i < items.len() {
                            items[i] = Condition::Compare { value: value_for(&field, op, &text), field, op };
                        }
                        set_cond(all, items, tag);
                    };
                    view! {
                        <div class="cond-row" data-cond=i>
                            <select class="cond-field" aria-label=l.t(W::field_2) on:change=move |e| put(Some(event_target_value(&e)), None, None, None)>
                                <option value="">{l.t(W::field_3)}</option>
                                {move || fields().into_iter().map(|(k, lab)| {
                                    let k2 = k.clone();
                                    view! { <option value=k selected=move || part().is_some_and(|p| p.0 == k2)>{lab}</option> }
                                }).collect_view()}
                                <option value=REQUESTER_DEPARTMENT selected=move || part().is_some_and(|p| p.0 == REQUESTER_DEPARTMENT)>{l.t(W::requester_s_department)}</option>
                            </select>
                            <select class="cond-op" aria-label=l.t(W::comparison) on:change=move |e| {
                                let op: Option<CmpOp> = serde_json::from_value(Value::String(event_target_value(&e))).ok();
                                put(None, op, None, None);
                            }>
                                {[CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le, CmpOp::In, CmpOp::Contains, CmpOp::IsEmpty].into_iter().map(|op| {
                                    let key = serde_json::to_value(op).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                                    view! { <option value=key selected=move || part().is_some_and(|p| p.1 == op)>{op_label(l, op)}</option> }
                                }).collect_view()}
                            </select>
                            {move || if part().is_some_and(|p| p.0 == REQUESTER_DEPARTMENT) {
                                view! {
                                    <select class="cond-value" aria-label=l.t(W::value) on:change=move |e| put(None, None, Some(event_target_value(&e)), None)>
                                        <option value="">{l.t(W::department_2)}</option>
                                        {ed.dir.with_value(|d| d.departments.iter().map(|x| {
                                            let v = x.id.to_string();
                                            let v2 = v.clone();
                                            view! { <option value=v selected=move || part().is_some_and(|p| p.2 == v2)>{x.name.clone()}</option> }
                                        }).collect_view())}
                                    </select>
                                }.into_any()
                            } else {
                                view! {
                                    <input class="cond-value" aria-label=l.t(W::value) placeholder=l.t(W::value_2) prop:value=move || part().map(|p| p.2).unwrap_or_default()
                                        on:input=move |e| put(None, None, Some(event_target_value(&e)), Some(format!("cv:{i}")))/>
                                }.into_any()
                            }}
                            <button type="button" class="btn btn-ghost btn-sm" aria-label=l.t(W::remove_condition) on:click=move |_| {
                                let (all, mut items) = group();
                                if i < items.len() { items.remove(i); }
                                set_cond(all, items, None);
                            }>"×"</button>
                        </div>
                    }
                }).collect_view()}
                <button type="button" class="btn btn-sm" id="cond-add" on:click=move |_| {
                    let (all, mut items) = group();
                    let first = ed.doc.with_untracked(|d| d.form.fields.iter().find(|f| !matches!(f.kind, FieldKind::Table { .. } | FieldKind::Attachment { .. })).map(|f| f.key.clone())).unwrap_or_default();
                    items.push(Condition::Compare { field: first, op: CmpOp::Gt, value: Value::String(String::new()) });
                    set_cond(all, items, None);
                }>{l.t(W::add_a_comparison)}</button>
            })}
            {move || is_default().then(|| view! { <p class="muted small">{l.t(W::the_default_branch_runs_when_no_other)}</p> })}
            <div class="panel-actions">
                {move || (!is_default()).then(|| view! {
                    <button type="button" class="btn btn-sm" id="arm-earlier" on:click=move |_| {
                        let a = arm_sig.get_untracked();
                        let mut to = a;
                        ed.edit(None, |d| design::shift_arm(&mut d.flow, &idv.get_value(), a, -1).map(|t| to = t).map_err(|e| e.to_string()));
                        arm_sig.set(to);
                        ed.sel.set(Sel::Arm(idv.get_value(), to));
                    }>{if is_cond { l.t(W::higher_priority) } else { l.t(W::move_left) }}</button>
                    <button type="button" class="btn btn-sm" id="arm-later" on:click=move |_| {
                        let a = arm_sig.get_untracked();
                        let mut to = a;
                        ed.edit(None, |d| design::shift_arm(&mut d.flow, &idv.get_value(), a, 1).map(|t| to = t).map_err(|e| e.to_string()));
                        arm_sig.set(to);
                        ed.sel.set(Sel::Arm(idv.get_value(), to));
                    }>{if is_cond { l.t(W::lower_priority) } else { l.t(W::move_right) }}</button>
                    <button type="button" class="btn btn-sm btn-danger" id="arm-remove" on:click=move |_| {
                        let a = arm_sig.get_untracked();
                        ed.edit(None, |d| design::remove_arm(&mut d.flow, &idv.get_value(), a).map_err(|e| e.to_string()));
                        ed.sel.set(Sel::None);
                    }>{l.t(W::remove_branch)}</button>
                })}
            </div>
        </div>
    }
}
