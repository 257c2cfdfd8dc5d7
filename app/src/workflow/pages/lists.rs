//! `/approvals`: to-do (待办), done (已办), my requests (我发起的), CC'd to me (抄送我的) —
//! counts, filters, search, paging, and batch approve/reject on the to-do list.

use super::{duration_text, status_label};
use crate::components::{Empty, ErrorPanel, Icon, Loading, Pager, error_text, fmt_time, opt};
use crate::i18n::*;
use crate::url::percent_encode;
use crate::workflow::api::{TaskBox, TaskQuery, list_tasks, list_templates};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn box_of(s: Option<String>) -> TaskBox {
    match s.as_deref() {
        Some("done") => TaskBox::Done,
        Some("mine") => TaskBox::Mine,
        Some("cc") => TaskBox::Cc,
        _ => TaskBox::Todo,
    }
}

fn box_key(b: TaskBox) -> &'static str {
    match b {
        TaskBox::Todo => "todo",
        TaskBox::Done => "done",
        TaskBox::Mine => "mine",
        TaskBox::Cc => "cc",
    }
}

#[component]
pub fn ListsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.with(|m| m.get(k)).filter(|s| !s.trim().is_empty());
    let tq = move || TaskQuery {
        r#box: box_of(get("box")),
        template: get("template"),
        status: get("status"),
        q: get("q"),
        from: get("from"),
        to: get("to"),
        page: get("page").and_then(|p| p.parse().ok()),
    };
    // A task that arrives while the list is open shows up without a reload.
    let arrivals = use_context::<super::notices::LiveArrivals>().map(|a| a.0);
    let arrived = move || arrivals.map_or(0, |a| a.get());
    let items = crate::data::blocking(move || (tq(), arrived()), |(q, _)| list_tasks(q));
    // The frame's counts, kept live by the event stream: not read a second time here.
    let counts = use_context::<super::notices::NavCounts>().map(|c| c.0);
    let templates = crate::data::blocking(|| (), |()| list_templates());
    // The results of a batch decision posted as a plain form (`/approvals/batch`), shown once.
    let batch = crate::flash::results().map(|rows| {
        let ok = rows.iter().filter(|r| r.error.is_none()).count();
        let failed = rows.len() - ok;
        view! {
            <div class=if failed == 0 { "alert alert-ok" } else { "alert alert-warn" } role="status" id="batch-result">
                <p><strong>{t!(i18n, wf.batch_result, ok = ok, failed = failed)}</strong></p>
                <ul class="batch-rows">
                    {rows.into_iter().map(|r| {
                        let text = r.error.as_ref().map(|e| error_text(i18n, e));
                        let ok = text.is_none();
                        let label = match r.label {
                            crate::flash::Label::Text(t) => t,
                            crate::flash::Label::Request { requester, template } => {
                                crate::components::request_title(i18n.get_locale_untracked(), &requester, &template)
                            }
                        };
                        view! {
                            <li class:ok=ok class:failed=!ok>
                                {match r.href {
                                    Some(href) => view! { <a href=href>{label}</a> }.into_any(),
                                    None => view! { <span>{label}</span> }.into_any(),
                                }}
                                <span class="muted">{text.unwrap_or_else(|| "✓".into())}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        }
    });
    let tab = move |b: TaskBox, label: String| {
        let current = box_of(get("box")) == b;
        view! {
            <a href=format!("/approvals?box={}", box_key(b)) class="tab" class:active=current aria-current=move || current.then_some("page")>
                {label}
                {move || (b == TaskBox::Todo).then(|| view! {
                    <Suspense fallback=|| ()>
                        {move || counts.and_then(|c| c.get()).filter(|c| c.todo > 0).map(|c| view! { <span class="count-badge" id="todo-count">{c.todo}</span> })}
                    </Suspense>
                })}
            </a>
        }
    };
    view! {
        <Title text=t_string!(i18n, nav.approvals).to_string()/>
        <div class="page-head">
            <h1 class="page-title">{t!(i18n, nav.approvals)}</h1>
            <a class="btn btn-primary" href="/approvals/new"><Icon name="plus"/><span>{t!(i18n, wf.new_request)}</span></a>
        </div>
        <nav class="tabs box-tabs" aria-label=td_string!(i18n.get_locale_untracked(), a11y.lists)>
            {tab(TaskBox::Todo, t_string!(i18n, wf.todo).to_string())}
            {tab(TaskBox::Done, t_string!(i18n, wf.done).to_string())}
            {tab(TaskBox::Mine, t_string!(i18n, wf.mine).to_string())}
            {tab(TaskBox::Cc, t_string!(i18n, wf.cc).to_string())}
        </nav>
        {batch}
        <details class="card filter-box" open=move || get("template").or(get("status")).or(get("from")).or(get("to")).is_some()>
            <summary><Icon name="filter"/><span>{t!(i18n, wf.filters)}</span></summary>
            <form method="get" action="/approvals" class="filter-form">
                <input type="hidden" name="box" value=move || box_key(box_of(get("box")))/>
                <label class="field">
                    <span>{t!(i18n, wf.template)}</span>
                    <select name="template">
                        <option value="">{t!(i18n, wf.all_templates)}</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let cur = get("template").unwrap_or_default();
                                templates.await.unwrap_or_default().into_iter().map(|t| {
                                    let sel = t.key == cur;
                                    view! { <option value=t.key.clone() selected=sel>{t.name.clone()}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </label>
                <label class="field">
                    <span>{t!(i18n, wf.status)}</span>
                    <select name="status">
                        <option value="">{t!(i18n, wf.all_status)}</option>
                        {["running", "returned", "approved", "rejected", "withdrawn"].into_iter().map(|s| {
                            let label = match s {
                                "running" => t_string!(i18n, wf.status_running),
                                "returned" => t_string!(i18n, wf.status_returned),
                                "approved" => t_string!(i18n, wf.status_approved),
                                "rejected" => t_string!(i18n, wf.status_rejected),
                                _ => t_string!(i18n, wf.status_withdrawn),
                            }.to_string();
                            view! { <option value=s selected=move || get("status").as_deref() == Some(s)>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field"><span>{t!(i18n, wf.from)}</span><input type="date" name="from" value=move || get("from").unwrap_or_default()/></label>
                <label class="field"><span>{t!(i18n, wf.to)}</span><input type="date" name="to" value=move || get("to").unwrap_or_default()/></label>
                <label class="field grow"><span>{t!(i18n, common.search)}</span><input type="search" name="q" value=move || get("q").unwrap_or_default()/></label>
                <button type="submit" class="btn btn-primary">{t!(i18n, wf.apply)}</button>
            </form>
        </details>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let b = box_of(get("box"));
                match items.await {
                    Ok(p) if p.items.is_empty() => {
                        let text = if b == TaskBox::Todo { t_string!(i18n, wf.empty_todo) } else { t_string!(i18n, wf.empty_list) }.to_string();
                        view! { <Empty text=Signal::derive(move || text.clone())/> }.into_any()
                    }
                    Ok(p) => {
                        let mut base = format!("/approvals?box={}", box_key(b));
                        for k in ["template", "status", "q", "from", "to"] {
                            if let Some(v) = get(k) { base.push_str(&format!("&{k}={}", percent_encode(&v))); }
                        }
                        let (page, pages, total) = (p.page, p.pages(), p.total);
                        let todo = b == TaskBox::Todo;
                        let back = base.clone();
                        let rows = p.items.into_iter().map(|it| {
                            let href = format!("/approvals/{}", it.instance_id);
                            let (status, badge) = status_label(i18n, it.instance_status);
                            let waited = duration_text(i18n, it.waited_secs);
                            let node = it.node_name.clone().unwrap_or_else(|| it.current_nodes.clone());
                            let initial: String = it.requester.display_name.chars().next().map(String::from).unwrap_or_default();
                            let title = crate::components::request_title(i18n.get_locale_untracked(), &it.requester.display_name, &it.template_name);
                            view! {
                                <li class="inbox-row card" class:overdue=it.overdue>
                                    {todo.then(|| it.task_id.map(|t| view! {
                                        <label class="row-check">
                                            <input type="checkbox" name="task" value=t form="batch-form" aria-label=crate::components::fill(t_string!(i18n, a11y.select_item), "title", &title)/>
                                        </label>
                                    }))}
                                    <a class="inbox-main" href=href>
                                        <span class="avatar">{initial}</span>
                                        <span class="inbox-body">
                                            <span class="inbox-title">
                                                <strong>{title.clone()}</strong>
                                                <span class=format!("badge {badge}")>{status}</span>
                                                {it.overdue.then(|| view! { <span class="badge badge-danger">{t!(i18n, wf.overdue)}</span> })}
                                            </span>
                                            <span class="inbox-summary">{opt(&it.summary)}</span>
                                            <span class="inbox-meta muted">
                                                <span>{it.template_name.clone()}</span>
                                                {opt(&node).map(|n| view! { <span>{t!(i18n, wf.at_node, node = n)}</span> })}
                                                <span title=fmt_time(&it.since)>{if todo { t_string!(i18n, wf.waited, t = waited.clone()).to_string() } else { fmt_time(&it.since) }}</span>
                                            </span>
                                        </span>
                                        <Icon name="chevron"/>
                                    </a>
                                </li>
                            }
                        }).collect_view();
                        view! {
                            {todo.then(|| view! {
                                <form id="batch-form" method="post" action="/approvals/batch" class="batch-bar card">
                                    <input type="hidden" name="_back" value=back.clone()/>
                                    <input type="text" name="comment" maxlength="2000" placeholder=move || t_string!(i18n, wf.batch_comment).to_string()
                                        aria-label=move || t_string!(i18n, wf.batch_comment).to_string()/>
                                    <button type="submit" name="action" value="approve" class="btn btn-primary" id="batch-approve">{t!(i18n, wf.batch_approve)}</button>
                                    <button type="submit" name="action" value="reject" class="btn btn-danger" id="batch-reject">{t!(i18n, wf.batch_reject)}</button>
                                </form>
                            })}
                            <p class="muted count">{t!(i18n, common.page_of, page = page, pages = pages, total = total)}</p>
                            <ul class="inbox">{rows}</ul>
                            {(pages > 1).then(|| view! { <Pager page pages total base/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
