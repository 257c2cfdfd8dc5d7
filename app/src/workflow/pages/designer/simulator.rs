//! Simulation: the path a request would take for a chosen requester and form values, with
//! who would act at each node — the engine's own routing (`route::predict`).

#[allow(clippy::wildcard_imports)]
use super::*;

#[component]
pub(in crate::workflow::pages::designer) fn Simulator() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let first_user =
        ed.dir.with_value(|d| d.users.iter().find(|u| u.active && u.manager.is_some()).map(|u| u.id)).unwrap_or(0);
    let requester = RwSignal::new(first_user);
    let values = RwSignal::new(HashMap::<String, String>::new());
    let inputs = move || {
        ed.doc.with(|d| {
            d.form
                .fields
                .iter()
                .filter(|f| {
                    !matches!(f.kind, FieldKind::Table { .. } | FieldKind::Attachment { .. } | FieldKind::DateRange)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let result = Memo::new(move |_| {
        let doc = ed.doc.get();
        let vals = values.get();
        let who = requester.get();
        let mut form = Map::new();
        for (k, v) in vals {
            if !v.trim().is_empty() {
                form.insert(k, Value::String(v.trim().to_owned()));
            }
        }
        ed.dir.with_value(|dir| {
            let depts = dir.departments_of(who);
            let picks = HashMap::new();
            let facts = Facts { form: &form, requester_departments: &depts };
            let req = Request { requester: who, facts, picks: &picks };
            let steps = predict(&doc.flow, &req, dir);
            let mut mark = PathMark::default();
            fn mark_steps(steps: &[Step], m: &mut PathMark) {
                for s in steps {
                    match s {
                        Step::Node { id, .. } => {
                            m.nodes.insert(id.clone());
                        }
                        Step::Parallel { id, arms, .. } => {
                            m.nodes.insert(id.clone());
                            for (_, st) in arms {
                                mark_steps(st, m);
                            }
                        }
                    }
                }
            }
            mark_steps(&steps, &mut mark);
            // The arms taken, along the path.
            let facts = Facts { form: &form, requester_departments: &depts };
            fn arms_taken(nodes: &[Node], facts: &Facts<'_>, m: &mut PathMark) {
                for n in nodes {
                    match n {
                        Node::Conditions { id, arms, .. } => {
                            if let Some(a) = chosen_arm(arms, facts) {
                                let idx = arms.iter().position(|x| std::ptr::eq(x, a)).unwrap_or(0);
                                m.nodes.insert(id.clone());
                                m.arms.insert((id.clone(), idx));
                                arms_taken(&a.nodes, facts, m);
                            }
                        }
                        Node::Parallel { id, arms, .. } => {
                            for (i, a) in arms.iter().enumerate() {
                                m.arms.insert((id.clone(), i));
                                arms_taken(&a.nodes, facts, m);
                            }
                        }
                        _ => {}
                    }
                }
            }
            arms_taken(&doc.flow.nodes, &facts, &mut mark);
            let lines = step_lines(l, &steps, dir);
            (mark, lines)
        })
    });
    view! {
        <div class="designer-body sim">
            <aside class="designer-palette sim-inputs" aria-label=l.t(W::sample)>
                <h2>{l.t(W::sample_request)}</h2>
                <label class="field"><span>{l.t(W::requester)}</span>
                    <select id="sim-requester" on:change=move |e| { if let Ok(u) = event_target_value(&e).parse() { requester.set(u); } }>
                        {ed.dir.with_value(|d| d.users.iter().filter(|u| u.active).map(|u| {
                            let id = u.id;
                            view! { <option value=u.id selected=move || requester.get() == id>{format!("{} · {}", u.name, u.position)}</option> }
                        }).collect_view())}
                    </select>
                </label>
                {move || inputs().into_iter().map(|f| {
                    let k = f.key.clone();
                    let k2 = f.key.clone();
                    let input = match &f.kind {
                        FieldKind::Select { options } | FieldKind::MultiSelect { options } => view! {
                            <select data-sim=k.clone() on:change=move |e| { let v = event_target_value(&e); values.update(|m| { m.insert(k2.clone(), v); }); }>
                                <option value="">"—"</option>
                                {options.iter().map(|o| view! { <option value=o.value.clone()>{o.label.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        _ => view! {
                            <input data-sim=k.clone() prop:value=move || values.with(|m| m.get(&k).cloned().unwrap_or_default())
                                on:input=move |e| { let v = event_target_value(&e); values.update(|m| { m.insert(k2.clone(), v); }); }/>
                        }.into_any(),
                    };
                    view! { <label class="field"><span>{f.label.clone()}</span>{input}</label> }
                }).collect_view()}
                <p class="muted small">{l.t(W::computed_in_the_browser_by_the_engine_s)}</p>
            </aside>
            <div class="fd-canvas">
                <div class="fd-flow">
                    <div class="fd-start">{l.t(W::requester)}</div>
                    {move || {
                        let d = ed.doc.get();
                        let (mark, _) = result.get();
                        seq_view(ed, &d.flow.nodes, None, &HashMap::new(), Some(&mark))
                    }}
                    <div class="fd-end">{l.t(W::end)}</div>
                </div>
            </div>
            <aside class="designer-panel">
                <div class="panel-section">
                    <h2>{l.t(W::path)}</h2>
                    <ol class="sim-steps" id="sim-steps">
                        {move || result.get().1.into_iter().map(|(name, who)| view! { <li><strong>{name}</strong><span>{who}</span></li> }).collect_view()}
                    </ol>
                </div>
            </aside>
        </div>
    }
}

pub(in crate::workflow::pages::designer) fn step_lines(
    l: Lang,
    steps: &[Step],
    dir: &Directory,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Node { name, assignment, .. } => {
                let who = match assignment {
                    Assignment::Assigned { users } => {
                        users.iter().map(|u| dir.user_name(*u)).collect::<Vec<_>>().join("、")
                    }
                    Assignment::Skipped { .. } => l.t(W::skipped_nobody).to_owned(),
                };
                out.push((name.clone(), who));
            }
            Step::Parallel { name, arms, .. } => {
                for (arm, st) in arms {
                    for (n, w) in step_lines(l, st, dir) {
                        out.push((format!("{name} / {arm} / {n}"), w));
                    }
                }
            }
        }
    }
    out
}
