//! `/approvals/new`: the request types by category, with search, and the user's drafts.

use super::template_icon;
use crate::components::{Empty, ErrorPanel, Icon, Loading, fmt_time};
use crate::i18n::*;
use crate::workflow::api::{DeleteDraft, list_my_drafts, list_templates};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q")).unwrap_or_default().trim().to_lowercase();
    let templates = crate::data::blocking(|| (), |()| list_templates());
    let delete = ServerAction::<DeleteDraft>::new();
    let drafts = crate::data::blocking(move || delete.version().get(), |_| list_my_drafts());
    view! {
        <Title text=t_string!(i18n, wf.new_request).to_string()/>
        <div class="page-head">
            <h1 class="page-title">{t!(i18n, wf.new_request)}</h1>
        </div>
        <form method="get" action="/approvals/new" class="searchbar" role="search">
            <Icon name="search"/>
            <input type="search" name="q" value=move || query.with(|m| m.get("q")).unwrap_or_default()
                placeholder=move || t_string!(i18n, wf.search_templates).to_string()
                aria-label=move || t_string!(i18n, wf.search_templates).to_string()/>
            <button type="submit" class="btn btn-primary">{t!(i18n, common.search)}</button>
        </form>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match templates.await {
                    Ok(list) => {
                        let needle = q();
                        let list: Vec<_> = list.into_iter().filter(|t| needle.is_empty()
                            || t.name.to_lowercase().contains(&needle)
                            || t.category.to_lowercase().contains(&needle)
                            || t.description.to_lowercase().contains(&needle)
                            || t.key.contains(&needle)).collect();
                        if list.is_empty() {
                            return view! { <Empty text=Signal::derive(move || t_string!(i18n, wf.no_templates).to_string())/> }.into_any();
                        }
                        let mut cats: Vec<String> = Vec::new();
                        for t in &list { if !cats.contains(&t.category) { cats.push(t.category.clone()); } }
                        cats.into_iter().map(|c| {
                            let items: Vec<_> = list.iter().filter(|t| t.category == c).cloned().collect();
                            view! {
                                <section class="catalog-group">
                                    <h2>{c.clone()}</h2>
                                    <div class="catalog">
                                        {items.into_iter().map(|t| view! {
                                            <a class="card card-link template-card" href=format!("/approvals/new/{}", t.key) data-key=t.key.clone()>
                                                <span class="template-icon"><Icon name=template_icon(&t.icon)/></span>
                                                <span class="template-text">
                                                    <strong>{t.name.clone()}</strong>
                                                    <small class="muted">{t.description.clone()}</small>
                                                </span>
                                            </a>
                                        }).collect_view()}
                                    </div>
                                </section>
                            }
                        }).collect_view().into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let list = drafts.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card drafts">
                        <h2>{t!(i18n, wf.drafts)}</h2>
                        <ul class="draft-list">
                            {list.into_iter().map(|d| {
                                let href = match d.instance_id {
                                    Some(i) => format!("/approvals/{i}/resubmit?draft={}", d.id),
                                    None => format!("/approvals/new/{}?draft={}", d.template_key, d.id),
                                };
                                view! {
                                    <li>
                                        <a href=href><strong>{d.template_name.clone()}</strong></a>
                                        <span class="muted">{fmt_time(&d.updated_at)}</span>
                                        <ActionForm action=delete attr:class="inline">
                                            <input type="hidden" name="id" value=d.id/>
                                            <button type="submit" class="btn btn-ghost btn-sm">{t!(i18n, common.delete)}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}
