//! `/admin/audit`: the audit viewer with filters and CSV export.

use crate::audit::api::{AuditFilter, search_audit};
use crate::components::{Empty, ErrorPanel, Loading, Pager, fmt_time, opt};
use crate::i18n::*;
use crate::shell::AdminTabs;
use crate::url::percent_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The result of an audited operation in the current language.
fn outcome_label(i18n: leptos_i18n::I18nContext<Locale>, result: &str) -> String {
    match result {
        "ok" => t_string!(i18n, outcome.ok).to_string(),
        "denied" => t_string!(i18n, outcome.denied).to_string(),
        "failed" => t_string!(i18n, outcome.failed).to_string(),
        other => other.to_owned(),
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.with(|m| m.get(k)).filter(|s| !s.trim().is_empty());
    let filter = move || AuditFilter {
        actor: get("actor"),
        action: get("action"),
        from: get("from"),
        to: get("to"),
        page: get("page").and_then(|s| s.parse().ok()),
        per_page: None,
    };
    let rows = crate::data::blocking(filter, search_audit);
    let qs = move || {
        ["actor", "action", "from", "to"]
            .iter()
            .filter_map(|k| get(k).map(|v| format!("{k}={}", percent_encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    };
    view! {
        <Title text=t_string!(i18n, admin.audit_title).to_string()/>
        <AdminTabs/>
        <div class="page-head">
            <h1 class="page-title">{t!(i18n, admin.audit_title)}</h1>
            <a class="btn" href=move || format!("/api/v1/audit/export?{}", qs()) download="audit.csv">{t!(i18n, admin.export_csv)}</a>
        </div>
        <Form method="GET" action="/admin/audit" attr:class="filters card">
            <div class="field">
                <label for="f-actor">{t!(i18n, admin.actor)}</label>
                <input id="f-actor" name="actor" value=move || get("actor").unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="f-action">{t!(i18n, admin.action)}</label>
                <input id="f-action" name="action" placeholder="user." value=move || get("action").unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="f-from">{t!(i18n, admin.from)}</label>
                <input id="f-from" type="date" name="from" value=move || get("from").unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="f-to">{t!(i18n, admin.to)}</label>
                <input id="f-to" type="date" name="to" value=move || get("to").unwrap_or_default()/>
            </div>
            <div class="form-actions">
                <a class="btn btn-ghost" href="/admin/audit">{t!(i18n, common.reset)}</a>
                <button type="submit" class="btn btn-primary">{t!(i18n, common.search)}</button>
            </div>
        </Form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(p) if p.items.is_empty() => view! { <Empty text=Signal::derive(move || t_string!(i18n, common.empty).to_string())/> }.into_any(),
                    Ok(p) => {
                        let q = qs();
                        let base = if q.is_empty() { "/admin/audit".to_owned() } else { format!("/admin/audit?{q}") };
                        let (page, pages, total) = (p.page, p.pages(), p.total);
                        view! {
                            <div class="table-wrap card flush"><table class="table audit">
                                <thead><tr>
                                    <th>"#"</th>
                                    <th>{t!(i18n, admin.time)}</th>
                                    <th>{t!(i18n, admin.actor)}</th>
                                    <th>{t!(i18n, admin.action)}</th>
                                    <th>{t!(i18n, admin.target)}</th>
                                    <th>{t!(i18n, admin.result)}</th>
                                    <th>{t!(i18n, admin.client_addr)}</th>
                                    <th>{t!(i18n, admin.detail)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|r| {
                                        let cls = format!("chip chip-{}", r.result);
                                        view! {
                                            <tr>
                                                <td class="num">{r.seq}</td>
                                                <td class="nowrap">{fmt_time(&r.at)}</td>
                                                <td>{r.actor.clone()}</td>
                                                <td><code>{r.action.clone()}</code></td>
                                                <td>{opt(&r.target)}</td>
                                                <td><span class=cls>{outcome_label(i18n, &r.result)}</span></td>
                                                <td class="muted">{r.client_addr.clone()}</td>
                                                <td class="muted wrap">{opt(&r.detail)}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            {(pages > 1).then(|| view! { <Pager page pages total base/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
