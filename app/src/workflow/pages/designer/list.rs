//! The list of templates a process owner may design, and importing a template file.

#[allow(clippy::wildcard_imports)]
use super::*;

/// `/designer`: the templates, a form to start a new one, and import.
#[component]
pub fn DesignerListPage() -> impl IntoView {
    view! { <WithWords><ListBody/></WithWords> }
}

#[component]
fn ListBody() -> impl IntoView {
    let l = Lang::get();
    let create = ServerAction::<DesignCreate>::new();
    let imported = RwSignal::new(None::<Result<DesignState, AppError>>);
    let list = crate::data::blocking(move || imported.with(|i| i.is_some()), |_| design_list());
    let i18n = use_i18n();
    let create_err = move || create.value().get().and_then(Result::err).map(|e| explain(i18n, &e));
    view! {
        <Title text=l.t(W::process_designer)/>
        <Stylesheet id="designer-css" href="/designer.css"/>
        <div class="page-head">
            <h1 class="page-title">{l.t(W::process_designer)}</h1>
        </div>
        <div class="designer-home">
            <section class="card">
                <h2>{l.t(W::new_template)}</h2>
                <ActionForm action=create attr:class="row-form" attr:id="new-template">
                    <label class="field"><span>{l.t(W::name)}</span>
                        <input name="name" required maxlength="40" placeholder=l.t(W::e_g_expenses)/></label>
                    <label class="field"><span>{l.t(W::key_2)}</span>
                        <input name="key" required maxlength="40" pattern="[a-z][a-z0-9_-]*" placeholder="expense_2026"/></label>
                    <label class="field"><span>{l.t(W::category)}</span>
                        <input name="category" maxlength="20" placeholder=l.t(W::e_g_finance)/></label>
                    <button type="submit" class="btn btn-primary">{l.t(W::create_and_design)}</button>
                </ActionForm>
                <p class="field-error" role="alert">{create_err}</p>
            </section>
            <ImportBox imported/>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{l.t(W::no_templates_yet)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap card">
                            <table class="table" id="design-list">
                                <thead><tr>
                                    <th>{l.t(W::template)}</th><th>{l.t(W::category)}</th>
                                    <th>{l.t(W::published)}</th><th>{l.t(W::draft)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr data-key=t.key.clone()>
                                            <td><a href=format!("/designer/{}", t.key)><strong>{t.name.clone()}</strong></a>
                                                <small class="muted">" "{t.key.clone()}</small></td>
                                            <td>{t.category.clone()}</td>
                                            <td>{if t.version > 0 { format!("v{}", t.version) } else { "—".into() }}</td>
                                            <td>{(t.draft_rev > 0).then(|| view! {
                                                <span class="badge badge-warn">{l.t(W::draft)}</span>
                                                <small class="muted">" "{t.draft_updated_by.clone().map(|u| u.display_name).unwrap_or_default()}
                                                    " "{t.draft_updated_at.clone().map(|a| fmt_time(&a)).unwrap_or_default()}</small>
                                            })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the browser found wrong with a file before sending it: a sentence, the JSON reader's
/// own words where it has them, and the template's problems one per line.
#[derive(Clone, Default)]
struct FileNote {
    headline: String,
    detail: Option<String>,
    lines: Vec<String>,
}

/// Import of an exported file: read and checked in the browser (the problems worded in the
/// reader's language before anything is sent), checked again by the server, saved as a draft.
#[component]
pub(in crate::workflow::pages::designer) fn ImportBox(
    imported: RwSignal<Option<Result<DesignState, AppError>>>,
) -> impl IntoView {
    let l = Lang::get();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let note = RwSignal::new(None::<FileNote>);
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use crate::domain::workflow::design::parse_export;
            use wasm_bindgen::JsCast;
            let Some(el) = input.get_untracked() else { return };
            let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
            let Ok(reader) = web_sys::FileReader::new() else { return };
            busy.set(true);
            note.set(None);
            imported.set(None);
            let r2 = reader.clone();
            let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
                let text = r2.result().ok().and_then(|v| v.as_string()).unwrap_or_default();
                // The same file chosen again after fixing it is a change again.
                el.set_value("");
                let found = match parse_export(&text) {
                    Err(p) => Some(FileNote {
                        headline: import_problem_text(l, &p),
                        detail: match p {
                            ImportProblem::Malformed { detail } => Some(detail),
                            _ => None,
                        },
                        lines: Vec::new(),
                    }),
                    Ok(doc) => {
                        let (_, _, lines) = doc_problems(l, &doc, None);
                        (!lines.is_empty()).then(|| FileNote {
                            headline: fill(l.t(W::import_has_problems), "count", &lines.len().to_string()),
                            detail: None,
                            lines,
                        })
                    }
                };
                if found.is_some() {
                    busy.set(false);
                    note.set(found);
                    return;
                }
                leptos::task::spawn_local(async move {
                    let res = crate::workflow::design_api::design_import(text).await;
                    busy.set(false);
                    if let Ok(s) = &res {
                        let _ = window().location().set_href(&format!("/designer/{}", s.doc.key));
                    }
                    imported.set(Some(res));
                });
            });
            reader.set_onload(Some(onload.unchecked_ref()));
            let _ = reader.read_as_text(&file);
        }
        let _ = input;
    };
    view! {
        <section class="card">
            <h2 id="import-title">{l.t(W::import_a_template)}</h2>
            <p class="muted small">{l.t(W::choose_a_json_file_exported_from)}</p>
            <label class="btn upload-btn">
                <Icon name="upload"/>
                <span>{move || if busy.get() { l.t(W::importing) } else { l.t(W::choose_file) }}</span>
                <input type="file" accept=".json,application/json" class="sr-only" id="import-file" node_ref=input on:change=on_change/>
            </label>
            <div class="field-error" role="alert" id="import-error" aria-labelledby="import-title">
                {move || imported.get().and_then(Result::err).map(|e| explain(i18n, &e))}
                {move || note.get().map(|n| view! {
                    <p>{n.headline}</p>
                    {(!n.lines.is_empty()).then(|| view! {
                        <ul class="import-problems">{n.lines.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                    })}
                    {n.detail.map(|d| view! {
                        <details class="muted small"><summary>{l.t(W::import_technical)}</summary><code>{d}</code></details>
                    })}
                })}
            </div>
        </section>
    }
}
