//! `/contacts`: the address book (通讯录) — department tree, search, colleague cards.

use crate::components::{Empty, ErrorPanel, Icon, Loading, Pager, opt};
use crate::i18n::*;
use crate::org::api::{list_departments, search_directory};
use crate::url::percent_encode;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q")).filter(|s| !s.trim().is_empty());
    let dept = move || query.with(|m| m.get("dept")).and_then(|s| s.parse::<i64>().ok());
    let page = move || query.with(|m| m.get("page")).and_then(|s| s.parse::<u64>().ok());
    let depts = crate::data::blocking(|| (), |()| list_departments());
    let people = crate::data::blocking(move || (q(), dept(), page()), |(q, d, p)| search_directory(q, d, p));
    view! {
        <Title text=t_string!(i18n, contacts.title).to_string()/>
        <h1 class="page-title">{t!(i18n, contacts.title)}</h1>
        <div class="split">
            <aside class="card tree" aria-label=move || t_string!(i18n, a11y.departments).to_string()>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        let current = dept();
                        match depts.await {
                            Ok(list) => view! {
                                <ul class="tree-list">
                                    <li>
                                        <a href="/contacts" class:active=current.is_none()>{t!(i18n, contacts.all)}</a>
                                    </li>
                                    {list.into_iter().map(|d| {
                                        let pad = format!("padding-left: {}rem", 0.75 + f64::from(d.depth) * 1.0);
                                        view! {
                                            <li>
                                                <a href=format!("/contacts?dept={}", d.id) style=pad class:active=current == Some(d.id)>
                                                    <span>{d.name.clone()}</span>
                                                    <small class="muted">{d.member_count}</small>
                                                </a>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </aside>
            <section class="split-main">
                <Form method="GET" action="/contacts" attr:class="searchbar" attr:role="search">
                    {move || dept().map(|d| view! { <input type="hidden" name="dept" value=d/> })}
                    <Icon name="search"/>
                    <input
                        type="search"
                        name="q"
                        value=move || q().unwrap_or_default()
                        aria-label=move || t_string!(i18n, common.search).to_string()
                        placeholder=move || t_string!(i18n, contacts.search_placeholder).to_string()
                    />
                    <button type="submit" class="btn btn-primary">{t!(i18n, common.search)}</button>
                </Form>
                <Transition fallback=Loading>
                    {move || Suspend::new(async move {
                        match people.await {
                            Ok(p) if p.items.is_empty() => view! {
                                <Empty text=Signal::derive(move || t_string!(i18n, contacts.no_match).to_string())/>
                            }.into_any(),
                            Ok(p) => {
                                let mut base = String::from("/contacts?");
                                if let Some(d) = dept() { base.push_str(&format!("dept={d}&")); }
                                if let Some(q) = q() { base.push_str(&format!("q={}&", percent_encode(&q))); }
                                let base = base.trim_end_matches(['&', '?']).to_owned();
                                let (page, pages, total) = (p.page, p.pages(), p.total);
                                view! {
                                    <p class="muted count">{t!(i18n, contacts.members, count = total)}</p>
                                    <ul class="people">
                                        {p.items.into_iter().map(|e| {
                                            let initial: String = e.display_name.chars().next().map(String::from).unwrap_or_default();
                                            let tel = format!("tel:{}", e.phone.replace(' ', ""));
                                            let mail = format!("mailto:{}", e.email);
                                            view! {
                                                <li class="person card">
                                                    <span class="avatar lg">{initial}</span>
                                                    <div class="person-body">
                                                        <p class="person-name">
                                                            <strong>{e.display_name.clone()}</strong>
                                                            <span class="muted">{opt(&e.position)}</span>
                                                        </p>
                                                        <p class="muted">{opt(&e.department_name)}</p>
                                                        <p class="person-links">
                                                            {(!e.phone.is_empty()).then(|| view! {
                                                                <a href=tel.clone()><Icon name="phone"/><span>{e.phone.clone()}</span></a>
                                                            })}
                                                            {(!e.email.is_empty()).then(|| view! {
                                                                <a href=mail.clone()><Icon name="mail"/><span>{e.email.clone()}</span></a>
                                                            })}
                                                        </p>
                                                    </div>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                    {(pages > 1).then(|| view! { <Pager page pages total base/> })}
                                }.into_any()
                            }
                            Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}
