//! `/approvals/new/:key` and `/approvals/:id/resubmit`: the request form, rendered from
//! the template's schema — one renderer for every template, desktop and phone.
//!
//! It is a plain HTML form posting to `/approvals/form` (files included), so it works
//! before the WASM loads; a refused post comes back as a draft with inline errors. Once
//! the WASM runs, the same form gets live totals and working days, rows added and removed
//! in place, uploads with progress, the predicted path as values change, and validation
//! with the server's own code before anything is sent.

use crate::components::{ErrorPanel, Icon, Loading, code_text, error_text};
use crate::domain::workflow::calendar::Half;
use crate::domain::workflow::form::{Field, FieldError, FieldKind, FormSchema};
use crate::domain::workflow::formdata;
use crate::error::AppError;
use crate::i18n::*;
use crate::workflow::api::{AttachmentDto, FormPage, PersonOption, PredictedStep, get_form_page};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::Value;
use std::collections::HashMap;

#[component]
pub fn NewRequestPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let res = crate::data::blocking(
        move || (params.with(|p| p.get("key")), query.with(|q| q.get("draft")).and_then(|d| d.parse::<i64>().ok())),
        |(key, draft)| get_form_page(key, draft, None),
    );
    view! { <FormLoader res/> }
}

#[component]
pub fn ResubmitPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let res = crate::data::blocking(
        move || {
            (
                params.with(|p| p.get("id")).and_then(|d| d.parse::<i64>().ok()),
                query.with(|q| q.get("draft")).and_then(|d| d.parse::<i64>().ok()),
            )
        },
        |(id, draft)| get_form_page(None, draft, id),
    );
    view! { <FormLoader res/> }
}

#[component]
fn FormLoader(res: crate::data::Data<Result<FormPage, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match res.await {
                    Ok(data) => view! { <RequestForm data/> }.into_any(),
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An upload under way (with JavaScript).
#[derive(Clone, PartialEq)]
struct Uploading {
    key: u32,
    path: String,
    name: String,
    pct: u32,
    error: Option<String>,
}

/// The form's live state, shared by every field.
#[derive(Clone, Copy)]
struct Cx {
    values: RwSignal<Value>,
    errors: RwSignal<Vec<FieldError>>,
    /// Attachment ids by the path of their field, with the file's details.
    attached: RwSignal<Vec<(String, AttachmentDto)>>,
    uploads: RwSignal<Vec<Uploading>>,
    rows: RwSignal<HashMap<String, Vec<usize>>>,
    people: StoredValue<Vec<PersonOption>>,
    depts: StoredValue<Vec<(i64, String, u32)>>,
    initial: StoredValue<Value>,
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    max_upload: u64,
}

impl Cx {
    fn error(&self, i18n: leptos_i18n::I18nContext<Locale>, path: &str) -> Option<String> {
        self.errors.with(|e| e.iter().find(|x| x.path == path).map(|x| code_text(i18n, x.code)))
    }
}

fn attachment_paths(schema: &FormSchema, form: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for f in &schema.fields {
        match &f.kind {
            FieldKind::Attachment { .. } => {
                out.extend(formdata::list(form, &f.key).into_iter().map(|id| (f.key.clone(), id)));
            }
            FieldKind::Table { columns } => {
                let rows = form.get(&f.key).and_then(Value::as_array).cloned().unwrap_or_default();
                for (n, r) in rows.iter().enumerate() {
                    for c in columns.iter().filter(|c| matches!(c.kind, FieldKind::Attachment { .. })) {
                        out.extend(
                            formdata::list(r, &c.key).into_iter().map(|id| (format!("{}[{n}].{}", f.key, c.key), id)),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Where the request form posts (a form route of the server, so it takes files without
/// JavaScript); also the source its errors are left for ([`crate::flash`]).
pub const FORM_ACTION: &str = "/approvals/form";

#[component]
fn RequestForm(data: FormPage) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let (field_errors, banner_err) = match crate::flash::error_for(FORM_ACTION) {
        Some(AppError::InvalidForm { errors }) => (errors, None),
        Some(AppError::Validation { field, code }) => (vec![FieldError { path: field, code }], None),
        other => (vec![], other),
    };
    let saved = query.with_untracked(|q| q.get("saved")).is_some();
    let rows: HashMap<String, Vec<usize>> = data
        .schema
        .fields
        .iter()
        .filter(|f| matches!(f.kind, FieldKind::Table { .. }))
        .map(|f| {
            let n = data.form.get(&f.key).and_then(Value::as_array).map_or(0, Vec::len);
            // One spare row: without JavaScript it is where a new line item goes.
            (f.key.clone(), (0..=n).collect())
        })
        .collect();
    let files = data.files.clone();
    let attached: Vec<(String, AttachmentDto)> = attachment_paths(&data.schema, &data.form)
        .into_iter()
        .filter_map(|(p, id)| files.iter().find(|f| f.id == id).map(|f| (p, f.clone())))
        .collect();
    let cx = Cx {
        values: RwSignal::new(data.form.clone()),
        errors: RwSignal::new(field_errors),
        attached: RwSignal::new(attached),
        uploads: RwSignal::new(vec![]),
        rows: RwSignal::new(rows),
        people: StoredValue::new(data.people.clone()),
        depts: StoredValue::new(data.departments.clone()),
        initial: StoredValue::new(data.form.clone()),
        max_upload: data.max_upload_bytes,
    };
    let banner = RwSignal::new(banner_err);
    let predicted = RwSignal::new(data.predicted.clone());
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let schema = StoredValue::new(data.schema.clone());
    let calendar = StoredValue::new(data.calendar.clone());
    let key = data.key.clone();
    let resubmit = data.resubmit.clone();
    let title = match &resubmit {
        Some(r) => format!("{} · {}", t_string!(i18n, wf.resubmit), r.title),
        None => data.name.clone(),
    };
    let error_count = move || cx.errors.with(Vec::len);

    // With JavaScript: keep the values live as the user types, and the predicted path
    // with them (asked of the server once typing pauses).
    let predict_gen = StoredValue::new(0u32);
    let predict_key = StoredValue::new(key.clone());
    let schedule_predict = move || {
        let round = predict_gen.get_value().wrapping_add(1);
        predict_gen.set_value(round);
        set_timeout(
            move || {
                if predict_gen.get_value() != round {
                    return;
                }
                let (key, form) = (predict_key.get_value(), cx.values.get_untracked());
                leptos::task::spawn_local(async move {
                    if let Ok(p) = crate::workflow::api::predict_request(key, form, HashMap::new()).await
                        && predict_gen.get_value() == round
                    {
                        predicted.set(p);
                    }
                });
            },
            std::time::Duration::from_millis(300),
        );
    };
    let on_input = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(pairs) = client::pairs_of_event(&ev) {
            let v = schema.with_value(|s| formdata::from_pairs(s, &pairs));
            cx.values.set(v);
            // Only the changed field's own message goes; the others stay until fixed.
            if let Some(name) = client::target_name(&ev) {
                let name = name.strip_prefix("file:").unwrap_or(&name).to_owned();
                let related = |p: &str| {
                    p == name
                        || p.strip_prefix(name.as_str()).is_some_and(|r| r.starts_with('.'))
                        || name.strip_prefix(p).is_some_and(|r| r.starts_with('.') || r.starts_with('['))
                };
                cx.errors.update(|e| e.retain(|x| !related(&x.path)));
            }
            schedule_predict();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, schedule_predict);
    };
    let on_change = on_input;
    // A row removed changes the values without an input event: read the form again once
    // the row has left the page.
    #[cfg(feature = "hydrate")]
    Effect::new(move |prev: Option<()>| {
        cx.rows.track();
        if prev.is_some() {
            request_animation_frame(move || {
                if let Some(pairs) = client::pairs_of_page_form() {
                    cx.values.set(schema.with_value(|s| formdata::from_pairs(s, &pairs)));
                    schedule_predict();
                }
            });
        }
    });
    // Validate with the server's own code before sending; drafts go as they are.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            if client::submitter_op(&ev).as_deref() == Some("draft") {
                return;
            }
            let Some(pairs) = client::pairs_of_submit(&ev) else { return };
            let form = schema.with_value(|s| formdata::from_pairs(s, &pairs));
            let mut errs = match schema.with_value(|s| s.validate(&form)) {
                Ok(mut ok) => calendar
                    .with_value(|c| schema.with_value(|s| s.fill_working_days(&mut ok, c)))
                    .err()
                    .unwrap_or_default(),
                Err(e) => e,
            };
            if cx.uploads.with(|u| u.iter().any(|x| x.error.is_none())) {
                errs.push(FieldError { path: "_uploads".into(), code: crate::error::ErrorCode::Required });
            }
            if !errs.is_empty() {
                ev.prevent_default();
                cx.errors.set(errs);
                client::focus_first_error();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let fields = data.schema.fields.clone();
    let picks = data.picks.clone();
    let balances = data.balances.clone();
    let returns = resubmit.as_ref().map(|r| r.returns.clone()).unwrap_or_default();
    view! {
        <Title text=title.clone()/>
        <div class="page-head">
            <h1 class="page-title">{title.clone()}</h1>
            <a class="btn btn-ghost" href="/approvals/new">{t!(i18n, common.back)}</a>
        </div>
        {saved.then(|| view! { <div class="alert alert-ok" role="status">{t!(i18n, wf.draft_saved)}</div> })}
        {move || banner.get().map(|e| view! { <div class="alert alert-error" role="alert">{error_text(i18n, &e)}</div> })}
        {move || (error_count() > 0).then(|| view! {
            <div class="alert alert-error" role="alert" id="form-errors">{t!(i18n, wf.fix_errors, n = error_count())}</div>
        })}
        {(!returns.is_empty()).then(|| view! {
            <section class="card returned-notice">
                <h2>{t!(i18n, wf.returned_notice)}</h2>
                <ul>
                    {returns.iter().map(|h| view! {
                        <li>
                            <strong>{h.actor.as_ref().map(|a| a.display_name.clone()).unwrap_or_default()}</strong>
                            " "{super::event_label(i18n, &h.event)}
                            {crate::components::opt(&h.comment).map(|c| view! { <q>{c}</q> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <div class="form-layout">
            <form method="post" action=FORM_ACTION enctype="multipart/form-data" class="card request-form"
                id="request-form" novalidate=move || hydrated.get()
                on:input=on_input on:change=on_change on:submit=on_submit>
                <input type="hidden" name="_template" value=key.clone()/>
                {data.draft_id.map(|d| view! { <input type="hidden" name="_draft" value=d/> })}
                {resubmit.as_ref().map(|r| view! {
                    <input type="hidden" name="_instance" value=r.id/>
                    <input type="hidden" name="_lock" value=r.lock_version/>
                })}
                <p class="muted small">{t!(i18n, wf.required_hint)}</p>
                {fields.into_iter().map(|f| field_row(&f, f.key.clone(), cx, schema, calendar)).collect_view()}
                {(!picks.is_empty()).then(|| view! {
                    <fieldset class="picks">
                        <legend>{t!(i18n, wf.picks)}</legend>
                        {picks.iter().map(|(node, name)| view! {
                            <label class="field">
                                <span>{name.clone()}</span>
                                <select name=format!("_pick.{node}") multiple size="4">
                                    {person_options(cx, String::new())}
                                </select>
                            </label>
                        }).collect_view()}
                    </fieldset>
                })}
                <div class="form-actions">
                    <button type="submit" name="_op" value="draft" class="btn" id="save-draft">{t!(i18n, wf.save_draft)}</button>
                    <button type="submit" name="_op" value="submit" class="btn btn-primary btn-lg" id="submit-request">
                        {if resubmit.is_some() { t_string!(i18n, wf.resubmit) } else { t_string!(i18n, wf.submit) }}
                    </button>
                </div>
            </form>
            <aside class="form-side">
                {(!balances.is_empty()).then(|| view! {
                    <section class="card balances" id="balances">
                        <h2>{t!(i18n, wf.balances)}</h2>
                        <ul class="balance-list">
                            {balances.iter().map(|b| {
                                let lt = b.leave_type.clone();
                                view! {
                                    <li class:chosen=move || formdata::text(&cx.values.get(), "leave_type") == lt data-type=b.leave_type.clone()>
                                        <span>{b.label.clone()}</span>
                                        <strong class="balance-available">{b.available_days.clone()}</strong>
                                        <small class="muted">{t!(i18n, wf.used)}" "{b.used_days.clone()}" · "{t!(i18n, wf.held)}" "{b.held_days.clone()}</small>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })}
                <section class="card path-preview" id="path-preview">
                    <h2>{t!(i18n, wf.path)}</h2>
                    <p class="muted small">{t!(i18n, wf.path_hint)}</p>
                    <ol class="flow-diagram compact">
                        <li class="flow-node state-done"><span class="flow-dot"></span><div><strong>{t!(i18n, wf.requester)}</strong></div></li>
                        {move || predicted.get().into_iter().map(|s| step_view(i18n, s)).collect_view()}
                    </ol>
                </section>
            </aside>
        </div>
    }
}

fn step_view(i18n: leptos_i18n::I18nContext<Locale>, s: PredictedStep) -> impl IntoView {
    let who = s.users.iter().map(|u| u.display_name.clone()).collect::<Vec<_>>().join("、");
    let cls = if s.skipped { "flow-node state-skipped" } else { "flow-node state-waiting" };
    view! {
        <li class=cls data-node=s.node_id.clone() style=format!("margin-left: {}rem", s.depth)>
            <span class="flow-dot"></span>
            <div>
                <strong>{s.node_name.clone()}</strong>
                <p class="muted">{if s.skipped { t_string!(i18n, wf.skipped).to_string() } else if who.is_empty() { t_string!(i18n, wf.nobody).to_string() } else { who }}</p>
            </div>
        </li>
    }
}

fn person_options(cx: Cx, selected: String) -> impl IntoView {
    let people = cx.people.get_value();
    let mut groups: Vec<(String, Vec<PersonOption>)> = Vec::new();
    for p in people {
        match groups.iter_mut().find(|(d, _)| *d == p.department) {
            Some((_, list)) => list.push(p),
            None => groups.push((p.department.clone(), vec![p])),
        }
    }
    groups
        .into_iter()
        .map(|(dept, list)| {
            let sel = selected.clone();
            view! {
                <optgroup label=dept>
                    {list.into_iter().map(|p| {
                        let on = p.id.to_string() == sel;
                        view! { <option value=p.id selected=on>{p.display_name}</option> }
                    }).collect_view()}
                </optgroup>
            }
        })
        .collect_view()
}

/// One field with its label, input, help and inline error; `path` is its input name.
fn field_row(
    f: &Field,
    path: String,
    cx: Cx,
    schema: StoredValue<FormSchema>,
    calendar: StoredValue<crate::domain::workflow::calendar::WorkCalendar>,
) -> AnyView {
    let i18n = use_i18n();
    let id = format!("f-{path}");
    let err_path = path.clone();
    let err = move || cx.error(i18n, &err_path);
    let err2 = err.clone();
    let required = f.required && !matches!(f.kind, FieldKind::Total { .. } | FieldKind::WorkingDays { .. });
    let wide = matches!(f.kind, FieldKind::Table { .. } | FieldKind::LongText { .. } | FieldKind::Attachment { .. });
    let input = field_input(f, &path, &id, cx, schema, calendar);
    view! {
        <div class="field" class:wide=wide class:has-error=move || err2().is_some() data-path=path.clone()>
            <label for=id.clone()>
                {f.label.clone()}
                {required.then(|| view! { <span class="req" aria-hidden="true">"*"</span> })}
            </label>
            {input}
            {f.help.clone().map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" role="alert">{err}</p>
        </div>
    }
    .into_any()
}

fn initial_at(cx: Cx, path: &str) -> Option<Value> {
    // `items[2].amount` → form.items[2].amount
    cx.initial.with_value(|v| {
        let mut cur = v.clone();
        for part in path.split('.') {
            cur = match part.split_once('[') {
                Some((k, rest)) => {
                    let i: usize = rest.trim_end_matches(']').parse().ok()?;
                    cur.get(k)?.get(i)?.clone()
                }
                None => cur.get(part)?.clone(),
            };
        }
        Some(cur)
    })
}

fn field_input(
    f: &Field,
    path: &str,
    id: &str,
    cx: Cx,
    schema: StoredValue<FormSchema>,
    calendar: StoredValue<crate::domain::workflow::calendar::WorkCalendar>,
) -> AnyView {
    let i18n = use_i18n();
    let init = initial_at(cx, path);
    let text = init.as_ref().map(|v| match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    });
    let path = path.to_owned();
    let id = id.to_owned();
    match &f.kind {
        FieldKind::Text { max_len } => view! {
            <input id=id name=path type="text" value=text maxlength=max_len.unwrap_or(200) aria-required=f.required.to_string()/>
        }
        .into_any(),
        FieldKind::LongText { max_len } => view! {
            <textarea id=id name=path rows="4" maxlength=max_len.unwrap_or(5000) aria-required=f.required.to_string()>{text}</textarea>
        }
        .into_any(),
        FieldKind::Number { min, max } => view! {
            <input id=id name=path type="number" inputmode="numeric" step="1" value=text min=*min max=*max/>
        }
        .into_any(),
        FieldKind::Money { .. } => view! {
            <div class="money-input">
                <span class="prefix">"¥"</span>
                <input id=id name=path type="text" inputmode="decimal" autocomplete="off" value=text placeholder="0.00"/>
            </div>
        }
        .into_any(),
        FieldKind::Date => view! { <input id=id name=path type="date" value=text/> }.into_any(),
        FieldKind::DateRange => {
            let start = init.as_ref().map(|v| formdata::text(v, "start"));
            let end = init.as_ref().map(|v| formdata::text(v, "end"));
            view! {
                <div class="range">
                    <input id=id name=format!("{path}.start") type="date" value=start aria-label=move || t_string!(i18n, a11y.start_date).to_string()/>
                    <span>"~"</span>
                    <input name=format!("{path}.end") type="date" value=end aria-label=move || t_string!(i18n, a11y.end_date).to_string()/>
                </div>
            }
            .into_any()
        }
        FieldKind::Select { options } => {
            let cur = text.unwrap_or_default();
            view! {
                <select id=id name=path>
                    <option value="">{t!(i18n, wf.choose)}</option>
                    {options.iter().map(|o| view! { <option value=o.value.clone() selected=o.value == cur>{o.label.clone()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        FieldKind::MultiSelect { options } => {
            let cur = init.map(|v| formdata::list(&serde_json::json!({"v": v}), "v")).unwrap_or_default();
            view! {
                <div class="check-grid" id=id>
                    {options.iter().map(|o| view! {
                        <label class="check">
                            <input type="checkbox" name=path.clone() value=o.value.clone() checked=cur.contains(&o.value)/>
                            <span>{o.label.clone()}</span>
                        </label>
                    }).collect_view()}
                </div>
            }
            .into_any()
        }
        FieldKind::User => view! {
            <select id=id name=path>
                <option value="">{t!(i18n, wf.choose)}</option>
                {person_options(cx, text.unwrap_or_default())}
            </select>
        }
        .into_any(),
        FieldKind::Department => {
            let cur = text.unwrap_or_default();
            view! {
                <select id=id name=path>
                    <option value="">{t!(i18n, wf.choose)}</option>
                    {cx.depts.get_value().into_iter().map(|(d, name, depth)| {
                        let label = format!("{}{}", "　".repeat(depth as usize), name);
                        view! { <option value=d selected=d.to_string() == cur>{label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        FieldKind::Attachment { max_files } => attachment_input(&path, &id, *max_files, cx),
        FieldKind::Table { columns } => {
            let key = path.clone();
            let columns = StoredValue::new(columns.clone());
            let add_key = key.clone();
            let on_add = move |ev: leptos::ev::MouseEvent| {
                ev.prevent_default();
                cx.rows.update(|r| {
                    let list = r.entry(add_key.clone()).or_default();
                    let next = list.iter().max().map_or(0, |m| m + 1);
                    list.push(next);
                });
            };
            let each_key = key.clone();
            view! {
                <div class="detail-rows" id=id>
                    <For
                        each=move || cx.rows.with(|r| r.get(&each_key).cloned().unwrap_or_default())
                        key=|i| *i
                        children=move |i| {
                            let key = key.clone();
                            let rm_key = key.clone();
                            let on_remove = move |_| cx.rows.update(|r| {
                                if let Some(list) = r.get_mut(&rm_key) { list.retain(|x| *x != i); }
                            });
                            view! {
                                <fieldset class="detail-row">
                                    <legend>{t!(i18n, wf.row, n = i + 1)}</legend>
                                    <button type="button" class="btn btn-ghost btn-sm row-remove" on:click=on_remove
                                        aria-label=move || t_string!(i18n, wf.remove_row).to_string()>"×"</button>
                                    <div class="row-grid">
                                        {columns.get_value().into_iter().map(|c| field_row(&c, format!("{key}[{i}].{}", c.key), cx, schema, calendar)).collect_view()}
                                    </div>
                                </fieldset>
                            }
                        }
                    />
                    <button type="submit" name="_op" value="draft" class="btn add-row" on:click=on_add>
                        <Icon name="plus"/><span>{t!(i18n, wf.add_row)}</span>
                    </button>
                    <p class="hint">{t!(i18n, wf.row_hint)}</p>
                </div>
            }
            .into_any()
        }
        FieldKind::Total { table, column } => {
            let (table, column) = (table.clone(), column.clone());
            view! {
                <output id=id class="total" aria-live="polite">
                    "¥"{move || cx.values.with(|v| formdata::live_total(v, &table, &column).to_string())}
                </output>
            }
            .into_any()
        }
        FieldKind::WorkingDays { start, end, start_half, end_half } => {
            let (start, end, sh, eh) = (start.clone(), end.clone(), start_half.clone(), end_half.clone());
            let days = move || {
                cx.values.with(|v| {
                    let date = |k: &str| crate::domain::time::parse_day(&formdata::text(v, k));
                    let half = |k: &Option<String>, d: Half| match k.as_deref().map(|k| formdata::text(v, k)).as_deref() {
                        Some("pm") => Half::Pm,
                        Some("am") => Half::Am,
                        _ => d,
                    };
                    let (a, b) = (date(&start)?, date(&end)?);
                    let halves = calendar.with_value(|c| c.leave_half_days(a, half(&sh, Half::Am), b, half(&eh, Half::Pm)));
                    Some(halves.map(|h| {
                        let n = f64::from(h) / 2.0;
                        if h % 2 == 0 { format!("{}", h / 2) } else { format!("{n:.1}") }
                    }))
                })
            };
            view! {
                <output id=id class="working-days" aria-live="polite">
                    {move || match days() {
                        None => "—".to_owned(),
                        Some(Some(n)) => t_string!(i18n, wf.days, n = n).to_string(),
                        Some(None) => code_text(i18n, crate::error::ErrorCode::OutOfRange),
                    }}
                </output>
            }
            .into_any()
        }
    }
}

fn attachment_input(path: &str, id: &str, max_files: u32, cx: Cx) -> AnyView {
    let i18n = use_i18n();
    let path = path.to_owned();
    let list_path = path.clone();
    let up_path = path.clone();
    let accept = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.heic,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt,.csv,.zip,.ofd";
    let on_files = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        client::upload_from_input(&ev, up_path.clone(), cx.attached, cx.uploads, cx.max_upload, i18n);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &up_path);
    };
    let on_camera = on_files.clone();
    let prog_path = path.clone();
    view! {
        <div class="attachments" id=id.to_owned()>
            <ul class="file-list">
                {move || cx.attached.with(|a| a.iter().filter(|(p, _)| *p == list_path).cloned().collect::<Vec<_>>()).into_iter().map(|(p, f)| {
                    let rm_id = f.id.clone();
                    let rm_path = p.clone();
                    view! {
                        <li class="file-chip">
                            <input type="hidden" name=p.clone() value=f.id.clone()/>
                            <Icon name="clip"/>
                            <a href=format!("/api/v1/attachments/{}", f.id) target="_blank" rel="noopener">{f.filename.clone()}</a>
                            <small class="muted">{format!("{:.0} KB", (f.size as f64 / 1024.0).ceil())}</small>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| cx.attached.update(|a| a.retain(|(pp, ff)| !(pp == &rm_path && ff.id == rm_id)))
                                aria-label=move || t_string!(i18n, wf.remove).to_string()>"×"</button>
                        </li>
                    }
                }).collect_view()}
                {move || cx.uploads.with(|u| u.iter().filter(|x| x.path == prog_path).cloned().collect::<Vec<_>>()).into_iter().map(|u| view! {
                    <li class="file-chip uploading" class:failed=u.error.is_some()>
                        <span>{u.name.clone()}</span>
                        {match u.error.clone() {
                            Some(e) => view! { <span class="field-error">{e}</span> }.into_any(),
                            None => view! {
                                <progress max="100" value=u.pct></progress>
                                <small>{t!(i18n, wf.uploading, pct = u.pct)}</small>
                            }.into_any(),
                        }}
                    </li>
                }).collect_view()}
            </ul>
            <div class="upload-buttons">
                <label class="btn upload-btn">
                    <Icon name="upload"/><span>{t!(i18n, wf.upload)}</span>
                    <input type="file" name=format!("file:{path}") multiple={max_files > 1} accept=accept class="file-input" on:change=on_files/>
                </label>
                <label class="btn upload-btn camera-btn">
                    <Icon name="camera"/><span>{t!(i18n, wf.take_photo)}</span>
                    <input type="file" name=format!("file:{path}") accept="image/*" capture="environment" class="file-input" on:change=on_camera/>
                </label>
            </div>
        </div>
    }
    .into_any()
}

/// Browser-only helpers (the WASM build).
#[cfg(feature = "hydrate")]
mod client {
    use super::Uploading;
    use crate::i18n::*;
    use crate::workflow::api::AttachmentDto;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    fn pairs_of_form(form: &web_sys::HtmlFormElement) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Ok(fd) = web_sys::FormData::new_with_form(form) else { return out };
        if let Ok(Some(iter)) = js_sys::try_iter(&fd) {
            for entry in iter.flatten() {
                let pair: js_sys::Array = entry.unchecked_into();
                if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                    out.push((k, v));
                }
            }
        }
        out
    }

    pub fn pairs_of_event(ev: &web_sys::Event) -> Option<Vec<(String, String)>> {
        let form: web_sys::HtmlFormElement = ev.current_target()?.dyn_into().ok()?;
        Some(pairs_of_form(&form))
    }

    /// The name of the input an event came from.
    pub fn target_name(ev: &web_sys::Event) -> Option<String> {
        let t = ev.target()?;
        if let Some(i) = t.dyn_ref::<web_sys::HtmlInputElement>() {
            return Some(i.name());
        }
        if let Some(s) = t.dyn_ref::<web_sys::HtmlSelectElement>() {
            return Some(s.name());
        }
        t.dyn_ref::<web_sys::HtmlTextAreaElement>().map(|a| a.name())
    }

    /// The request form's pairs as they are now (after rows were added or removed).
    pub fn pairs_of_page_form() -> Option<Vec<(String, String)>> {
        let doc = web_sys::window()?.document()?;
        let form: web_sys::HtmlFormElement = doc.get_element_by_id("request-form")?.dyn_into().ok()?;
        Some(pairs_of_form(&form))
    }

    pub fn pairs_of_submit(ev: &web_sys::SubmitEvent) -> Option<Vec<(String, String)>> {
        let form: web_sys::HtmlFormElement = ev.current_target()?.dyn_into().ok()?;
        Some(pairs_of_form(&form))
    }

    pub fn submitter_op(ev: &web_sys::SubmitEvent) -> Option<String> {
        let b: web_sys::HtmlButtonElement = ev.submitter()?.dyn_into().ok()?;
        (b.name() == "_op").then(|| b.value())
    }

    pub fn focus_first_error() {
        let doc = web_sys::window().and_then(|w| w.document());
        if let Some(el) = doc.and_then(|d| {
            d.query_selector(".field.has-error input, .field.has-error select, .field.has-error textarea, #form-errors")
                .ok()
                .flatten()
        }) {
            el.scroll_into_view_with_bool(false);
            if let Ok(h) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        }
    }

    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);

    /// Uploads the chosen files one request each, with progress; on success the file's id
    /// joins the field (a hidden input) and the file input is cleared so the form post does
    /// not send the bytes again.
    pub fn upload_from_input(
        ev: &web_sys::Event,
        path: String,
        attached: RwSignal<Vec<(String, AttachmentDto)>>,
        uploads: RwSignal<Vec<Uploading>>,
        max: u64,
        i18n: leptos_i18n::I18nContext<Locale>,
    ) {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(files) = input.files() else { return };
        for n in 0..files.length() {
            let Some(file) = files.get(n) else { continue };
            let key = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let name = file.name();
            let too_big = file.size() > max as f64;
            uploads.update(|u| {
                u.push(Uploading {
                    key,
                    path: path.clone(),
                    name: name.clone(),
                    pct: 0,
                    error: too_big.then(|| t_string!(i18n, wf.file_too_large).to_string()),
                })
            });
            if too_big {
                continue;
            }
            let Ok(xhr) = web_sys::XmlHttpRequest::new() else { continue };
            let url = format!("/api/v1/attachments?filename={}", crate::url::percent_encode(&name));
            if xhr.open("POST", &url).is_err() {
                continue;
            }
            let _ = xhr.set_request_header("Content-Type", &file.type_());
            let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    let pct = (e.loaded() / e.total() * 100.0).round() as u32;
                    uploads.update(|u| {
                        if let Some(x) = u.iter_mut().find(|x| x.key == key) {
                            x.pct = pct.min(100);
                        }
                    });
                }
            });
            if let Ok(up) = xhr.upload() {
                up.set_onprogress(Some(progress.as_ref().unchecked_ref()));
            }
            progress.forget();
            let x2 = xhr.clone();
            let p2 = path.clone();
            let done = Closure::<dyn FnMut()>::new(move || {
                let body = x2.response_text().ok().flatten().unwrap_or_default();
                if x2.status().unwrap_or(0) == 201
                    && let Ok(a) = crate::data::from_json::<AttachmentDto>(&body)
                {
                    attached.update(|l| l.push((p2.clone(), a)));
                    uploads.update(|u| u.retain(|x| x.key != key));
                } else {
                    let msg = crate::data::from_json::<crate::error::AppError>(&body)
                        .map(|e| crate::components::error_text(i18n, &e))
                        .unwrap_or_else(|_| format!("HTTP {}", x2.status().unwrap_or(0)));
                    uploads.update(|u| {
                        if let Some(x) = u.iter_mut().find(|x| x.key == key) {
                            x.error = Some(msg);
                        }
                    });
                }
            });
            xhr.set_onloadend(Some(done.as_ref().unchecked_ref()));
            done.forget();
            let _ = xhr.send_with_opt_blob(Some(&file));
        }
        input.set_value("");
    }
}
