//! Versions: the published history, what changed between two, rolling back.

#[allow(clippy::wildcard_imports)]
use super::*;

#[component]
pub(in crate::workflow::pages::designer) fn Versions(
    key: String,
    tick: RwSignal<u32>,
    version: RwSignal<i32>,
) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let i18n = use_i18n();
    let keyv = StoredValue::new(key);
    let list = crate::data::streaming(move || tick.get(), move |_| design_versions(keyv.get_value()));
    let from = RwSignal::new(0i32);
    let to = RwSignal::new(0i32);
    let diff = crate::data::streaming(
        move || (from.get(), to.get()),
        move |(a, b)| async move {
            if a == 0 || b == 0 {
                Ok(Vec::new())
            } else {
                crate::workflow::design_api::design_diff(keyv.get_value(), a, b).await
            }
        },
    );
    let rollback = move |v: i32| {
        leptos::task::spawn_local(async move {
            match design_rollback(keyv.get_value(), v).await {
                Ok(t) => {
                    version.set(t.version);
                    tick.update(|x| *x += 1);
                    ed.note.set(Some((true, format!("{} v{v} → v{}", l.t(W::rolled_back), t.version))));
                }
                Err(e) => ed.note.set(Some((false, explain(i18n, &e)))),
            }
        });
    };
    view! {
        <div class="versions">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(vs) if vs.is_empty() => view! { <p class="empty">{l.t(W::not_published_yet)}</p> }.into_any(),
                        Ok(vs) => {
                            if to.get_untracked() == 0 && let Some(first) = vs.first() {
                                to.set(first.version);
                                from.set(vs.get(1).map_or(first.version, |v| v.version));
                            }
                            let options = vs.iter().map(|v| v.version).collect::<Vec<_>>();
                            view! {
                                <div class="card">
                                    <table class="table" id="version-table">
                                        <thead><tr><th>{l.t(W::version)}</th><th>{l.t(W::published_2)}</th><th>{l.t(W::by)}</th>
                                            <th>{l.t(W::note)}</th><th>{l.t(W::requests)}</th><th></th></tr></thead>
                                        <tbody>
                                            {vs.into_iter().map(|v| {
                                                let n = v.version;
                                                view! {
                                                    <tr data-version=n>
                                                        <td><strong>{format!("v{n}")}</strong>{v.current.then(|| view! { " "<span class="badge badge-ok">{l.t(W::current)}</span> })}</td>
                                                        <td>{fmt_time(&v.published_at)}</td>
                                                        <td>{v.published_by.map(|u| u.display_name).unwrap_or_else(|| l.t(W::system).into())}</td>
                                                        <td>{v.note.clone()}</td>
                                                        <td class="num">{v.instances}</td>
                                                        <td class="nowrap">
                                                            <a class="btn btn-ghost btn-sm" href=format!("/api/v1/templates/{}/export?version={n}", keyv.get_value()) download>{l.t(W::export)}</a>
                                                            {(!v.current).then(|| view! {
                                                                <button type="button" class="btn btn-sm rollback" on:click=move |_| rollback(n)>{l.t(W::roll_back_to_this)}</button>
                                                            })}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="card diff">
                                    <h2>{l.t(W::compare_versions)}</h2>
                                    <div class="row-form">
                                        <label class="field"><span>{l.t(W::from)}</span>
                                            <select id="diff-from" on:change=move |e| { if let Ok(v) = event_target_value(&e).parse() { from.set(v); } }>
                                                {options.iter().map(|v| { let v = *v; view! { <option value=v selected=move || from.get() == v>{format!("v{v}")}</option> } }).collect_view()}
                                            </select></label>
                                        <label class="field"><span>{l.t(W::to)}</span>
                                            <select id="diff-to" on:change=move |e| { if let Ok(v) = event_target_value(&e).parse() { to.set(v); } }>
                                                {options.iter().map(|v| { let v = *v; view! { <option value=v selected=move || to.get() == v>{format!("v{v}")}</option> } }).collect_view()}
                                            </select></label>
                                    </div>
                                    <Transition fallback=Loading>
                                        {move || Suspend::new(async move {
                                            match diff.await {
                                                Ok(ch) if ch.is_empty() => view! { <p class="muted">{l.t(W::the_two_versions_are_the_same)}</p> }.into_any(),
                                                Ok(ch) => view! { <ul class="diff-list" id="diff-list">{ch.into_iter().map(|c| change_view(l, c)).collect_view()}</ul> }.into_any(),
                                                Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                                            }
                                        })}
                                    </Transition>
                                </div>
                            }.into_any()
                        }
                        Err(AppError::NotFound) => view! { <p class="empty">{l.t(W::not_published_yet)}</p> }.into_any(),
                        Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

pub(in crate::workflow::pages::designer) fn change_view(l: Lang, c: Change) -> impl IntoView {
    let (cls, word) = match c.kind {
        ChangeKind::Added => ("badge-ok", l.t(W::added)),
        ChangeKind::Removed => ("badge-danger", l.t(W::removed)),
        ChangeKind::Changed => ("badge-info", l.t(W::changed)),
    };
    let area = match c.area.as_str() {
        "node" => l.t(W::node),
        "field" => l.t(W::field_4),
        _ => l.t(W::template),
    };
    view! {
        <li data-change=format!("{}:{}", c.area, c.id)>
            <span class=format!("badge {cls}")>{word}</span>" "
            <span class="muted">{area}</span>" "<strong>{c.name.clone()}</strong>" "<code>{c.id.clone()}</code>
            {(!c.details.is_empty()).then(|| view! { <ul>{c.details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul> })}
        </li>
    }
}
