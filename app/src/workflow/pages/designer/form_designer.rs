//! The form designer: fields, their kinds and options, table columns, totals, a preview.

#[allow(clippy::wildcard_imports)]
use super::*;

#[component]
pub(in crate::workflow::pages::designer) fn FormDesigner(problems: Problems) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let phone = RwSignal::new(false);
    let fslot = move |i: usize| {
        let k = i.to_string();
        let k2 = k.clone();
        view! { <div class="fm-slot" data-fslot=k class:hover=move || ed.hover.with(|h| h.as_deref() == Some(k2.as_str()))></div> }
    };
    view! {
        <div class="designer-body">
            <aside class="designer-palette" aria-label=l.t(W::fields)>
                <h2>{l.t(W::drag_into_the_form)}</h2>
                {design::FIELD_TYPES.into_iter().map(|t| view! {
                    <button type="button" class="palette-item fm-item" data-field-type=t
                        on:pointerdown=move |e| {
                            if e.button() != 0 { return; }
                            e.prevent_default();
                            ed.drag.set(Some(Drag { what: DragWhat::NewField(t), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                        }
                        on:click=move |_| {
                            let label = field_label(l, t);
                            ed.edit(None, |d| { let f = design::new_field(&d.form, t, label).ok_or("unknown type")?; d.form.fields.push(f); Ok(()) });
                            ed.sel.set(Sel::Field(ed.doc.with_untracked(|d| d.form.fields.len().saturating_sub(1))));
                        }>
                        <span class="dot"></span>{field_label(l, t)}
                    </button>
                }).collect_view()}
            </aside>
            <div class="fm-canvas">
                <div class="fm-preview-switch" role="group" aria-label=l.t(W::preview_width)>
                    <button type="button" class="btn btn-sm" class:btn-primary=move || !phone.get() id="preview-desktop" on:click=move |_| phone.set(false)>{l.t(W::desktop)}</button>
                    <button type="button" class="btn btn-sm" class:btn-primary=move || phone.get() id="preview-phone" on:click=move |_| phone.set(true)>{l.t(W::phone)}</button>
                </div>
                <div class="fm-form" class:phone=move || phone.get() id="form-preview">
                    {move || {
                        let fields = ed.doc.with(|d| d.form.fields.clone());
                        let errs = problems.with(|p| p.1.clone());
                        if fields.is_empty() {
                            return view! { <div class="fm-empty" data-fslot="0" class:hover=move || ed.hover.with(|h| h.as_deref() == Some("0"))>
                                {l.t(W::drag_fields_here_from_the_left)}</div> }.into_any();
                        }
                        let mut out: Vec<AnyView> = vec![fslot(0).into_any()];
                        for (i, f) in fields.iter().enumerate() {
                            let err = errs.get(&f.key).cloned().unwrap_or_default();
                            let has_err = !err.is_empty();
                            out.push(view! {
                                <div class="fm-field" class:selected=move || ed.sel.get() == Sel::Field(i) class:has-error=has_err
                                    data-field=f.key.clone() role="button" tabindex="0"
                                    on:click=move |_| ed.sel.set(Sel::Field(i))
                                    on:keydown=move |e| { if e.key() == "Enter" { ed.sel.set(Sel::Field(i)); } }
                                    on:pointerdown=move |e| {
                                        if e.button() != 0 { return; }
                                        ed.drag.set(Some(Drag { what: DragWhat::MoveField(i), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                                    }>
                                    {preview_field(l, f)}
                                    {(!err.is_empty()).then(|| view! { <ul class="fd-errs">{err.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> })}
                                </div>
                            }.into_any());
                            out.push(fslot(i + 1).into_any());
                        }
                        out.into_any()
                    }}
                </div>
            </div>
            <aside class="designer-panel">
                {move || match ed.sel.get() {
                    Sel::Field(i) if ed.doc.with_untracked(|d| i < d.form.fields.len()) => view! { <FieldPanel i/> }.into_any(),
                    _ => view! { <p class="muted panel-section">{l.t(W::click_a_field_of_the_form_to_edit_it)}</p> }.into_any(),
                }}
            </aside>
        </div>
    }
}

/// A field as the request form shows it (inputs inert: this is the designer's preview).
pub(in crate::workflow::pages::designer) fn preview_field(l: Lang, f: &Field) -> AnyView {
    let input = match &f.kind {
        FieldKind::LongText { .. } => view! { <textarea disabled rows="2" aria-hidden="true"></textarea> }.into_any(),
        FieldKind::Select { options } | FieldKind::MultiSelect { options } => view! {
            <select disabled aria-hidden="true"><option>{options.first().map(|o| o.label.clone()).unwrap_or_default()}</option></select>
        }.into_any(),
        FieldKind::Table { columns } => view! {
            <div class="fm-table">
                <div class="fm-table-row head">{columns.iter().map(|c| view! { <span>{c.label.clone()}</span> }).collect_view()}</div>
                <div class="fm-table-row">{columns.iter().map(|_| view! { <span class="cell"></span> }).collect_view()}</div>
                <span class="muted small">{l.t(W::add_a_row)}</span>
            </div>
        }.into_any(),
        FieldKind::Total { .. } | FieldKind::WorkingDays { .. } => view! { <output class="fm-total">"0.00"</output> }.into_any(),
        FieldKind::Attachment { .. } => view! { <span class="btn btn-sm">{l.t(W::upload)}</span> }.into_any(),
        FieldKind::DateRange => view! { <span class="range"><input disabled type="date" aria-hidden="true"/>" — "<input disabled type="date" aria-hidden="true"/></span> }.into_any(),
        FieldKind::Date => view! { <input disabled type="date" aria-hidden="true"/> }.into_any(),
        FieldKind::Money { .. } => view! { <span class="money-input"><span>"¥"</span><input disabled aria-hidden="true"/></span> }.into_any(),
        _ => view! { <input disabled aria-hidden="true"/> }.into_any(),
    };
    view! {
        <div class="field">
            <label>{f.label.clone()}{f.required.then(|| view! { <span class="req">"*"</span> })}
                <small class="muted">" "{field_label(l, field_type(&f.kind))}" · "{f.key.clone()}</small></label>
            {input}
            {f.help.clone().map(|h| view! { <p class="hint">{h}</p> })}
        </div>
    }
    .into_any()
}

#[component]
pub(in crate::workflow::pages::designer) fn FieldPanel(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let f = move || ed.doc.with(|d| d.form.fields.get(i).cloned());
    let kind = Memo::new(move |_| f().map(|f| field_type(&f.kind)).unwrap_or("text"));
    let used_by = move || {
        ed.doc.with(|d| {
            let key = d.form.fields.get(i).map(|f| f.key.clone()).unwrap_or_default();
            let mut names = Vec::new();
            for n in d.flow.walk() {
                if let Node::Conditions { arms, name, .. } = n
                    && arms.iter().any(|a| a.condition.as_ref().is_some_and(|c| uses(c, &key)))
                {
                    names.push(name.clone());
                }
            }
            names
        })
    };
    view! {
        <div class="panel-section" data-panel-field=i>
            <h2>{move || field_label(l, kind.get())}</h2>
            <label class="field"><span>{l.t(W::label)}</span>
                <input class="field-label" maxlength="40" prop:value=move || f().map(|f| f.label).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.field_edit(i, "label", move |f, _| f.label = v); }/></label>
            <label class="field"><span>{l.t(W::key)}</span>
                <input class="field-key" maxlength="40" prop:value=move || f().map(|f| f.key).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.field_edit(i, "key", move |f, _| f.key = v); }/></label>
            {move || { let u = used_by(); (!u.is_empty()).then(|| view! {
                <p class="hint">{l.t(W::used_by_the_conditions_of)}{u.join("、")}</p>
            }) }}
            <label class="check"><input type="checkbox" class="field-required" prop:checked=move || f().is_some_and(|f| f.required)
                on:change=move |e| { let v = event_target_checked(&e); ed.field_edit(i, "req", move |f, _| f.required = v); }/>
                <span>{l.t(W::required)}</span></label>
            <label class="field"><span>{l.t(W::help_text)}</span>
                <input maxlength="200" prop:value=move || f().and_then(|f| f.help).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.field_edit(i, "help", move |f, _| f.help = (!v.is_empty()).then_some(v)); }/></label>
            {move || match kind.get() {
                "select" | "multi_select" => view! { <OptionsEditor i/> }.into_any(),
                "number" => view! {
                    <div class="row-form">
                        <label class="field"><span>{l.t(W::min)}</span><input type="number" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Number { min: Some(m), .. }) => m.to_string(), _ => String::new() } }
                            on:input=move |e| { let v = event_target_value(&e).parse().ok(); ed.field_edit(i, "min", move |f, _| if let FieldKind::Number { min, .. } = &mut f.kind { *min = v; }); }/></label>
                        <label class="field"><span>{l.t(W::max)}</span><input type="number" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Number { max: Some(m), .. }) => m.to_string(), _ => String::new() } }
                            on:input=move |e| { let v = event_target_value(&e).parse().ok(); ed.field_edit(i, "max", move |f, _| if let FieldKind::Number { max, .. } = &mut f.kind { *max = v; }); }/></label>
                    </div>
                }.into_any(),
                "text" | "long_text" => view! {
                    <label class="field"><span>{l.t(W::max_length)}</span><input type="number" min="1" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Text { max_len: Some(m) } | FieldKind::LongText { max_len: Some(m) }) => m.to_string(), _ => String::new() } }
                        on:input=move |e| { let v = event_target_value(&e).parse().ok(); ed.field_edit(i, "maxlen", move |f, _| match &mut f.kind { FieldKind::Text { max_len } | FieldKind::LongText { max_len } => *max_len = v, _ => {} }); }/></label>
                }.into_any(),
                "money" => view! {
                    <label class="check"><input type="checkbox" prop:checked=move || matches!(f().map(|f| f.kind), Some(FieldKind::Money { allow_negative: true }))
                        on:change=move |e| { let v = event_target_checked(&e); ed.field_edit(i, "neg", move |f, _| if let FieldKind::Money { allow_negative } = &mut f.kind { *allow_negative = v; }); }/>
                        <span>{l.t(W::allow_negative_amounts)}</span></label>
                }.into_any(),
                "attachment" => view! {
                    <label class="field"><span>{l.t(W::max_files)}</span><input type="number" min="1" max="20" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Attachment { max_files }) => max_files.to_string(), _ => String::new() } }
                        on:input=move |e| { if let Ok(v) = event_target_value(&e).parse::<u32>() { ed.field_edit(i, "files", move |f, _| if let FieldKind::Attachment { max_files } = &mut f.kind { *max_files = v; }); } }/></label>
                }.into_any(),
                "table" => view! { <ColumnsEditor i/> }.into_any(),
                "total" => view! { <TotalEditor i/> }.into_any(),
                _ => ().into_any(),
            }}
            <div class="panel-actions">
                <button type="button" class="btn btn-sm" on:click=move |_| { if i > 0 { ed.edit(None, |d| { d.form.fields.swap(i, i - 1); Ok(()) }); ed.sel.set(Sel::Field(i - 1)); } }>{l.t(W::move_up)}</button>
                <button type="button" class="btn btn-sm" on:click=move |_| { if ed.doc.with_untracked(|d| i + 1 < d.form.fields.len()) { ed.edit(None, |d| { d.form.fields.swap(i, i + 1); Ok(()) }); ed.sel.set(Sel::Field(i + 1)); } }>{l.t(W::move_down)}</button>
                <button type="button" class="btn btn-sm btn-danger" id="field-delete" on:click=move |_| { ed.edit(None, |d| { if i < d.form.fields.len() { d.form.fields.remove(i); } Ok(()) }); ed.sel.set(Sel::None); }>{l.t(W::delete_field)}</button>
            </div>
        </div>
    }
}

pub(in crate::workflow::pages::designer) fn uses(c: &Condition, key: &str) -> bool {
    match c {
        Condition::Compare { field, .. } => field == key,
        Condition::All { items } | Condition::Any { items } => items.iter().any(|i| uses(i, key)),
    }
}

/// An edit of a list inside a field (its options, a table's columns).
pub(in crate::workflow::pages::designer) type ListEdit<T> = Box<dyn FnOnce(&mut Vec<T>) + Send + Sync>;

#[component]
pub(in crate::workflow::pages::designer) fn OptionsEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let opts = move || {
        ed.doc.with(|d| match d.form.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Select { options } | FieldKind::MultiSelect { options }) => options.clone(),
            _ => vec![],
        })
    };
    let n = Memo::new(move |_| opts().len());
    let edit = move |tag: String, f: ListEdit<SelectOption>| {
        ed.field_edit(i, &tag, move |fld, _| {
            if let FieldKind::Select { options } | FieldKind::MultiSelect { options } = &mut fld.kind {
                f(options);
            }
        });
    };
    view! {
        <fieldset class="options"><legend>{l.t(W::options_label_value)}</legend>
            {move || (0..n.get()).map(|j| view! {
                <div class="row-form option-row">
                    <input aria-label=format!("{} {}", l.t(W::option_label), j + 1)
                        prop:value=move || opts().get(j).map(|o| o.label.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("ol{j}"), Box::new(move |o| if let Some(x) = o.get_mut(j) { x.label = v; })); }/>
                    <input class="opt-value" aria-label=format!("{} {}", l.t(W::option_value), j + 1) prop:value=move || opts().get(j).map(|o| o.value.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("ov{j}"), Box::new(move |o| if let Some(x) = o.get_mut(j) { x.value = v; })); }/>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label=format!("{} {}", l.t(W::remove_option), j + 1)
                        on:click=move |_| { edit("orm".into(), Box::new(move |o| { if j < o.len() { o.remove(j); } })); }>"×"</button>
                </div>
            }).collect_view()}
            <button type="button" class="btn btn-sm" on:click=move |_| edit("oadd".into(), Box::new(|o| { let k = o.len() + 1; o.push(SelectOption { value: format!("o{k}"), label: format!("选项{k}") }); }))>
                {l.t(W::add_an_option)}</button>
        </fieldset>
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn ColumnsEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let cols = move || {
        ed.doc.with(|d| match d.form.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Table { columns }) => columns.clone(),
            _ => vec![],
        })
    };
    let n = Memo::new(move |_| cols().len());
    let edit = move |tag: String, f: ListEdit<Field>| {
        ed.field_edit(i, &tag, move |fld, _| {
            if let FieldKind::Table { columns } = &mut fld.kind {
                f(columns);
            }
        });
    };
    view! {
        <fieldset class="columns"><legend>{l.t(W::columns)}</legend>
            {move || (0..n.get()).map(|j| view! {
                <div class="row-form col-row">
                    <input class="col-label" aria-label=format!("{} {}", l.t(W::column_label), j + 1) prop:value=move || cols().get(j).map(|c| c.label.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("cl{j}"), Box::new(move |c| if let Some(x) = c.get_mut(j) { x.label = v; })); }/>
                    <input class="col-key" aria-label=format!("{} {}", l.t(W::column_key), j + 1) prop:value=move || cols().get(j).map(|c| c.key.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("ck{j}"), Box::new(move |c| if let Some(x) = c.get_mut(j) { x.key = v; })); }/>
                    <select class="col-type" aria-label=format!("{} {}", l.t(W::column_type), j + 1) on:change=move |e| {
                        let t = event_target_value(&e);
                        edit("ct".into(), Box::new(move |c| if let Some(x) = c.get_mut(j) {
                            x.kind = match t.as_str() { "money" => FieldKind::Money { allow_negative: false }, "number" => FieldKind::Number { min: None, max: None }, "date" => FieldKind::Date, _ => FieldKind::Text { max_len: Some(100) } };
                        }));
                    }>
                        {["text", "number", "money", "date"].into_iter().map(|t| view! {
                            <option value=t selected=move || cols().get(j).is_some_and(|c| field_type(&c.kind) == t)>{field_label(l, t)}</option>
                        }).collect_view()}
                    </select>
                    <button type="button" class="btn btn-ghost btn-sm" aria-label=format!("{} {}", l.t(W::remove_column), j + 1)
                        on:click=move |_| { edit("crm".into(), Box::new(move |c| { if j < c.len() { c.remove(j); } })); }>"×"</button>
                </div>
            }).collect_view()}
            <button type="button" class="btn btn-sm" id="col-add" on:click=move |_| edit("cadd".into(), Box::new(|c| {
                let k = (1..).map(|n| format!("col{n}")).find(|k| !c.iter().any(|x| &x.key == k)).unwrap_or_default();
                c.push(Field { key: k, label: "新列".into(), kind: FieldKind::Text { max_len: Some(100) }, required: false, help: None });
            }))>{l.t(W::add_a_column)}</button>
        </fieldset>
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn TotalEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let cur = move || {
        ed.doc.with(|d| match d.form.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Total { table, column }) => (table.clone(), column.clone()),
            _ => Default::default(),
        })
    };
    let choices = move || {
        ed.doc.with(|d| {
            d.form
                .fields
                .iter()
                .filter_map(|f| match &f.kind {
                    FieldKind::Table { columns } => Some(
                        columns
                            .iter()
                            .filter(|c| matches!(c.kind, FieldKind::Money { .. }))
                            .map(|c| (format!("{}.{}", f.key, c.key), format!("{} · {}", f.label, c.label)))
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                })
                .flatten()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <label class="field"><span>{l.t(W::sum_of)}</span>
            <select class="total-of" on:change=move |e| {
                let v = event_target_value(&e);
                if let Some((t, c)) = v.split_once('.') {
                    let (t, c) = (t.to_owned(), c.to_owned());
                    ed.field_edit(i, "total", move |f, _| f.kind = FieldKind::Total { table: t, column: c });
                }
            }>
                <option value="">{l.t(W::choose_a_money_column_of_a_table)}</option>
                {move || choices().into_iter().map(|(v, t)| {
                    let v2 = v.clone();
                    view! { <option value=v selected=move || { let (a, b) = cur(); format!("{a}.{b}") == v2 }>{t}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}
