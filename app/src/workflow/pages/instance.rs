//! `/approvals/:id`: one request — the flow as a diagram with each node's state, handlers
//! and time, the form as submitted with its files, the timeline, and the actions the
//! current user may take (and only those). On a phone the decision buttons sit in a bar
//! at the bottom, within thumb reach.

use super::{duration_text, event_label, node_state_label, status_label};
use crate::components::{ErrorPanel, FormError, Icon, Loading, fill, fmt_time, form_error, opt};
use crate::domain::workflow::form::{FieldKind, FormSchema};
use crate::domain::workflow::formdata;
use crate::domain::workflow::instance::InstanceStatus;
use crate::i18n::*;
use crate::org::api::search_directory;
use crate::workflow::api::{
    ActForm, AttachmentDto, CommentRequest, InstanceView, NodeState, UrgeRequest, WithdrawRequest, get_instance,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde_json::Value;

#[component]
pub fn InstancePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let act = ServerAction::<ActForm>::new();
    let comment = ServerAction::<CommentRequest>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let urge = ServerAction::<UrgeRequest>::new();
    let act_err = form_error(act);
    let comment_err = form_error(comment);
    let other_err = Signal::derive(move || {
        withdraw.value().get().and_then(Result::err).or_else(|| urge.value().get().and_then(Result::err))
    });
    let view_res = crate::data::blocking(
        move || (id(), act.version().get(), comment.version().get(), withdraw.version().get(), urge.version().get()),
        |(id, ..)| get_instance(id),
    );
    // Colleagues for transfer and add-signer (the first page of the directory).
    let people = crate::data::blocking(|| (), |()| search_directory(None, None, Some(1)));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match view_res.await {
                    Ok(v) => {
                        let people = people.await.map(|p| p.items).unwrap_or_default();
                        let submitted = query.with(|q| q.get("submitted")).is_some();
                        view! {
                            <Title text=crate::components::request_title(i18n.get_locale_untracked(), &v.requester.display_name, &v.template_name)/>
                            {submitted.then(|| view! { <div class="alert alert-ok" role="status">{t!(i18n, wf.submitted_ok)}</div> })}
                            <FormError err=act_err/>
                            <FormError err=comment_err/>
                            <FormError err=other_err/>
                            <InstanceBody v people act comment withdraw urge/>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn InstanceBody(
    v: InstanceView,
    people: Vec<crate::org::api::DirectoryEntry>,
    act: ServerAction<ActForm>,
    comment: ServerAction<CommentRequest>,
    withdraw: ServerAction<WithdrawRequest>,
    urge: ServerAction<UrgeRequest>,
) -> impl IntoView {
    // What a refused plain form post (before the WASM loads) had typed, shown again.
    let kept_decision = crate::flash::kept(<ActForm as leptos::server_fn::ServerFn>::PATH, "comment");
    let kept_comment = crate::flash::kept(<CommentRequest as leptos::server_fn::ServerFn>::PATH, "comment");
    let i18n = use_i18n();
    let (status, badge) = status_label(i18n, v.status);
    let initial: String = v.requester.display_name.chars().next().map(String::from).unwrap_or_default();
    let my_task = v.my_tasks.first().copied();
    let my_node = my_task.and_then(|t| v.tasks.iter().find(|x| x.id == t)).map(|t| t.node_name.clone());
    // Earlier nodes that finished: where a return may send the request.
    let targets: Vec<(String, String)> = v
        .nodes
        .iter()
        .filter(|n| n.state == NodeState::Done && !n.handlers.is_empty())
        .map(|n| (n.id.clone(), n.name.clone()))
        .collect();
    let lock = v.lock_version;
    let id = v.id;
    let can = v.can;
    let files = v.attachments.clone();
    view! {
        <article class="instance" class:has-actionbar=my_task.is_some()>
            <header class="card instance-head">
                <div class="instance-title">
                    <span class="avatar lg">{initial}</span>
                    <div>
                        <h1>{crate::components::request_title(i18n.get_locale_untracked(), &v.requester.display_name, &v.template_name)}</h1>
                        <p class="muted">
                            {v.template_name.clone()}" · "{t!(i18n, wf.version, v = v.version)}" · "
                            {t!(i18n, wf.submitted_at, t = fmt_time(&v.created_at))}
                        </p>
                    </div>
                    <span class=format!("badge badge-lg {badge}") id="instance-status">{status}</span>
                </div>
                {my_node.map(|n| view! { <p class="your-turn"><Icon name="approve"/>{t!(i18n, wf.your_turn, node = n)}</p> })}
                <div class="head-actions">
                    {can.resubmit.then(|| view! {
                        <a class="btn btn-primary" href=format!("/approvals/{id}/resubmit")>{t!(i18n, wf.resubmit)}</a>
                    })}
                    {can.urge.then(|| view! {
                        <ActionForm action=urge attr:class="inline">
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="btn">{t!(i18n, wf.urge)}</button>
                        </ActionForm>
                    })}
                    {can.withdraw.then(|| view! {
                        <ActionForm action=withdraw attr:class="inline">
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="btn btn-danger-ghost">{t!(i18n, wf.withdraw)}</button>
                        </ActionForm>
                    })}
                    <button type="button" class="btn btn-ghost print-btn" on:click=print_page>
                        <Icon name="print"/><span>{t!(i18n, wf.print)}</span>
                    </button>
                </div>
            </header>
            <div class="instance-grid">
                <div class="instance-main">
                    <section class="card">
                        <h2>{t!(i18n, wf.form)}</h2>
                        <FormValues schema=v.form_schema.clone() form=worded_form(i18n, &v) files=files/>
                    </section>
                    {my_task.map(|task| view! {
                        <section class="card act-card" id="act">
                            <h2>{t!(i18n, wf.comment_placeholder)}</h2>
                            <ActionForm action=act attr:class="stack" attr:id="act-form">
                                <input type="hidden" name="task" value=task/>
                                <input type="hidden" name="lock_version" value=lock/>
                                <textarea name="comment" rows="3" maxlength="2000" id="act-comment"
                                    placeholder=move || t_string!(i18n, wf.comment_placeholder).to_string()
                                    aria-label=move || t_string!(i18n, wf.comment_placeholder).to_string()>{kept_decision}</textarea>
                                <div class="decide">
                                    <button type="submit" name="action" value="approve" class="btn btn-primary btn-lg" id="btn-approve">
                                        {t!(i18n, wf.approve)}
                                    </button>
                                    <button type="submit" name="action" value="reject" class="btn btn-danger btn-lg" id="btn-reject">{t!(i18n, wf.reject)}</button>
                                </div>
                                <details class="more-actions">
                                    <summary>{t!(i18n, wf.return_back)}" / "{t!(i18n, wf.transfer)}" / "{t!(i18n, wf.add_signer)}</summary>
                                    <div class="more-grid">
                                        <label class="field">
                                            <span>{t!(i18n, wf.return_to)}</span>
                                            <select name="target_node" id="return-target">
                                                <option value="requester">{t!(i18n, wf.to_requester)}</option>
                                                {targets.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <button type="submit" name="action" value="return" class="btn" id="btn-return">{t!(i18n, wf.return_back)}</button>
                                        <label class="field">
                                            <span>{t!(i18n, wf.transfer_to)}" / "{t!(i18n, wf.signer)}</span>
                                            <select name="user">
                                                <option value="">{t!(i18n, wf.choose)}</option>
                                                {people.iter().map(|p| view! {
                                                    <option value=p.id>{format!("{} · {}", p.display_name, p.department_name)}</option>
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="field">
                                            <span>{t!(i18n, wf.add_signer)}</span>
                                            <select name="position">
                                                <option value="after">{t!(i18n, wf.after)}</option>
                                                <option value="before">{t!(i18n, wf.before)}</option>
                                                <option value="alongside">{t!(i18n, wf.alongside)}</option>
                                            </select>
                                        </label>
                                        <div class="row-buttons">
                                            <button type="submit" name="action" value="transfer" class="btn">{t!(i18n, wf.transfer)}</button>
                                            <button type="submit" name="action" value="add_signer" class="btn">{t!(i18n, wf.add_signer)}</button>
                                        </div>
                                    </div>
                                </details>
                            </ActionForm>
                        </section>
                    })}
                    <section class="card">
                        <h2>{t!(i18n, wf.timeline)}</h2>
                        <ol class="timeline">
                            {v.history.iter().rev().map(|h| {
                                let who = h.actor.as_ref().map_or_else(|| t_string!(i18n, wf.system).to_string(), |a| a.display_name.clone());
                                view! {
                                    <li>
                                        <span class="tl-dot"></span>
                                        <div class="tl-body">
                                            <p><strong>{who}</strong>" "<span class="tl-event">{event_label(i18n, &h.event)}</span>
                                               <time class="muted">{fmt_time(&h.at)}</time></p>
                                            {opt(&h.comment).map(|c| view! { <p class="tl-comment">{c}</p> })}
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {can.comment.then(|| view! {
                            <ActionForm action=comment attr:class="comment-form">
                                <input type="hidden" name="id" value=id/>
                                <input type="text" name="comment" required maxlength="2000" value=kept_comment
                                    placeholder=move || t_string!(i18n, wf.comment).to_string()
                                    aria-label=move || t_string!(i18n, wf.comment).to_string()/>
                                <button type="submit" class="btn">{t!(i18n, wf.comment)}</button>
                            </ActionForm>
                        })}
                    </section>
                </div>
                <aside class="card flow-card">
                    <h2>{t!(i18n, wf.flow)}</h2>
                    <ol class="flow-diagram" aria-label=move || t_string!(i18n, a11y.flow).to_string()>
                        <li class="flow-node state-done">
                            <span class="flow-dot"></span>
                            <div><strong>{t!(i18n, wf.requester)}</strong><p class="muted">{v.requester.display_name.clone()}</p></div>
                        </li>
                        {v.nodes.iter().map(|n| {
                            let cls = format!("flow-node state-{}", serde_json::to_value(n.state).ok().and_then(|s| s.as_str().map(str::to_owned)).unwrap_or_default());
                            let who = n.handlers.iter().map(|h| h.display_name.clone()).collect::<Vec<_>>().join("、");
                            let spent = n.spent_secs.map(|s| duration_text(i18n, s));
                            view! {
                                <li class=cls data-node=n.id.clone()>
                                    <span class="flow-dot"></span>
                                    <div>
                                        <strong>{n.name.clone()}</strong>
                                        <span class="flow-state">{node_state_label(i18n, n.state)}</span>
                                        {opt(&who).map(|w| view! { <p class="muted">{w}</p> })}
                                        {spent.map(|s| view! { <p class="muted small">{t!(i18n, wf.spent, t = s)}</p> })}
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                        <li class="flow-node" class:state-done=v.status == InstanceStatus::Approved class:state-rejected=v.status == InstanceStatus::Rejected>
                            <span class="flow-dot"></span>
                            <div><strong>{t!(i18n, wf.ev_finished)}</strong></div>
                        </li>
                    </ol>
                </aside>
            </div>
            {my_task.map(|_| view! {
                <div class="actionbar" role="toolbar">
                    <button type="submit" form="act-form" name="action" value="reject" class="btn btn-danger btn-lg">{t!(i18n, wf.reject)}</button>
                    <button type="submit" form="act-form" name="action" value="approve" class="btn btn-primary btn-lg">{t!(i18n, wf.approve)}</button>
                </div>
            })}
        </article>
    }
}

/// The request's values as the reader should see them: a template review's reasons, stored as
/// codes, worded in the reader's language (a sentence from an older request stays as it is).
fn worded_form(i18n: leptos_i18n::I18nContext<Locale>, v: &InstanceView) -> Value {
    use crate::domain::workflow::design::{PublishConcern, REVIEW_KEY};
    let mut form = v.form.clone();
    if v.template_key != REVIEW_KEY {
        return form;
    }
    let Some(text) = form.get("concerns").and_then(Value::as_str) else { return form };
    let l = i18n.get_locale_untracked();
    let worded: Vec<String> = text
        .lines()
        .map(|line| match PublishConcern::from_line(line) {
            Some(PublishConcern::NamesPublisher { node }) => {
                fill(td_string!(l, wf.concern_names_publisher), "node", &node)
            }
            Some(PublishConcern::SelfApproval { node }) => fill(td_string!(l, wf.concern_self_approval), "node", &node),
            Some(PublishConcern::AutoApprove { node }) => fill(td_string!(l, wf.concern_auto_approve), "node", &node),
            Some(PublishConcern::EffectApproversChanged) => td_string!(l, wf.concern_effect_approvers_changed).into(),
            Some(PublishConcern::NoApprover) => td_string!(l, wf.concern_no_approver).into(),
            None => line.to_owned(),
        })
        .collect();
    form["concerns"] = Value::String(worded.join("\n"));
    form
}

/// The submitted values, field by field, in the schema's order.
#[component]
pub fn FormValues(schema: FormSchema, form: Value, files: Vec<AttachmentDto>) -> impl IntoView {
    let rows = schema.fields.iter().map(|f| {
        let body = value_view(&f.kind, form.get(&f.key), &files);
        view! { <dt>{f.label.clone()}</dt><dd>{body}</dd> }
    });
    view! { <dl class="kv form-values">{rows.collect_view()}</dl> }
}

fn file_links(ids: Vec<String>, files: &[AttachmentDto]) -> AnyView {
    view! {
        <span class="file-list">
            {ids.into_iter().map(|id| {
                let name = files.iter().find(|f| f.id == id).map_or_else(|| format!("#{id}"), |f| f.filename.clone());
                view! { <a class="file-chip" href=format!("/api/v1/attachments/{id}") target="_blank" rel="noopener"><Icon name="clip"/>{name}</a> }
            }).collect_view()}
        </span>
    }
    .into_any()
}

fn value_view(kind: &FieldKind, v: Option<&Value>, files: &[AttachmentDto]) -> AnyView {
    let Some(v) = v else { return view! { <span class="muted">"—"</span> }.into_any() };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    match kind {
        FieldKind::Money { .. } | FieldKind::Total { .. } => {
            view! { <span class="money">"¥"{text(v)}</span> }.into_any()
        }
        FieldKind::Select { options } => {
            let s = text(v);
            let label = options.iter().find(|o| o.value == s).map_or(s, |o| o.label.clone());
            view! { <span>{label}</span> }.into_any()
        }
        FieldKind::MultiSelect { options } => {
            let labels: Vec<String> = formdata::list(&serde_json::json!({"v": v}), "v")
                .into_iter()
                .map(|s| options.iter().find(|o| o.value == s).map_or(s, |o| o.label.clone()))
                .collect();
            view! { <span>{labels.join("、")}</span> }.into_any()
        }
        FieldKind::DateRange => {
            view! { <span>{formdata::text(v, "start")}" ~ "{formdata::text(v, "end")}</span> }.into_any()
        }
        FieldKind::Attachment { .. } => file_links(formdata::list(&serde_json::json!({"v": v}), "v"), files),
        FieldKind::Table { columns } => {
            let rows = v.as_array().cloned().unwrap_or_default();
            view! {
                <div class="table-wrap"><table class="table detail-table">
                    <thead><tr>{columns.iter().map(|c| view! { <th>{c.label.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {rows.iter().map(|r| view! {
                            <tr>{columns.iter().map(|c| view! { <td>{value_view(&c.kind, r.get(&c.key), files)}</td> }).collect_view()}</tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }
            .into_any()
        }
        FieldKind::WorkingDays { .. } => view! { <span>{text(v)}</span> }.into_any(),
        _ => view! { <span class="pre">{text(v)}</span> }.into_any(),
    }
}

/// Opens the browser's print dialog (a handler, not an inline `onclick`: the content security
/// policy allows no inline script).
fn print_page(_: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}
