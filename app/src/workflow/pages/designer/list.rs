//! The list of templates a process owner may design, and importing a template file.

#[allow(clippy::wildcard_imports)]
use super::*;

/// `/designer`: the templates, a form to start a new one, and import.
#[component]
pub fn DesignerListPage() -> impl IntoView {
    let l = Lang::get();
    let create = ServerAction::<DesignCreate>::new();
    let imported = RwSignal::new(None::<Result<DesignState, AppError>>);
    let list = crate::data::blocking(move || imported.with(|i| i.is_some()), |_| design_list());
    let i18n = use_i18n();
    let create_err = move || create.value().get().and_then(Result::err).map(|e| explain(i18n, &e));
    view! {
        <Title text=td_string!(l.0, designer.process_designer)/>
        <Stylesheet id="designer-css" href="/designer.css"/>
        <div class="page-head">
            <h1 class="page-title">{td_string!(l.0, designer.process_designer)}</h1>
        </div>
        <div class="designer-home">
            <section class="card">
                <h2>{td_string!(l.0, designer.new_template)}</h2>
                <ActionForm action=create attr:class="row-form" attr:id="new-template">
                    <label class="field"><span>{td_string!(l.0, designer.name)}</span>
                        <input name="name" required maxlength="40" placeholder=td_string!(l.0, designer.e_g_expenses)/></label>
                    <label class="field"><span>{td_string!(l.0, designer.key_2)}</span>
                        <input name="key" required maxlength="40" pattern="[a-z][a-z0-9_-]*" placeholder="expense_2026"/></label>
                    <label class="field"><span>{td_string!(l.0, designer.category)}</span>
                        <input name="category" maxlength="20" placeholder=td_string!(l.0, designer.e_g_finance)/></label>
                    <button type="submit" class="btn btn-primary">{td_string!(l.0, designer.create_and_design)}</button>
                </ActionForm>
                <p class="field-error" role="alert">{create_err}</p>
            </section>
            <ImportBox imported/>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{td_string!(l.0, designer.no_templates_yet)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap card">
                            <table class="table" id="design-list">
                                <thead><tr>
                                    <th>{td_string!(l.0, designer.template)}</th><th>{td_string!(l.0, designer.category)}</th>
                                    <th>{td_string!(l.0, designer.published)}</th><th>{td_string!(l.0, designer.draft)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr data-key=t.key.clone()>
                                            <td><a href=format!("/designer/{}", t.key)><strong>{t.name.clone()}</strong></a>
                                                <small class="muted">" "{t.key.clone()}</small></td>
                                            <td>{t.category.clone()}</td>
                                            <td>{if t.version > 0 { format!("v{}", t.version) } else { "—".into() }}</td>
                                            <td>{(t.draft_rev > 0).then(|| view! {
                                                <span class="badge badge-warn">{td_string!(l.0, designer.draft)}</span>
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

/// Import of an exported file: read in the browser, checked by the server, saved as a draft.
#[component]
pub(in crate::workflow::pages::designer) fn ImportBox(
    imported: RwSignal<Option<Result<DesignState, AppError>>>,
) -> impl IntoView {
    let l = Lang::get();
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();
    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(el) = input.get_untracked() else { return };
            let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
            let Ok(reader) = web_sys::FileReader::new() else { return };
            busy.set(true);
            let r2 = reader.clone();
            let onload = wasm_bindgen::closure::Closure::once_into_js(move || {
                let text = r2.result().ok().and_then(|v| v.as_string()).unwrap_or_default();
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
            <h2>{td_string!(l.0, designer.import_a_template)}</h2>
            <p class="muted small">{td_string!(l.0, designer.choose_a_json_file_exported_from)}</p>
            <label class="btn upload-btn">
                <Icon name="upload"/>
                <span>{move || if busy.get() { td_string!(l.0, designer.importing) } else { td_string!(l.0, designer.choose_file) }}</span>
                <input type="file" accept=".json,application/json" class="sr-only" id="import-file" node_ref=input on:change=on_change/>
            </label>
            <p class="field-error" role="alert" id="import-error">
                {move || imported.get().and_then(Result::err).map(|e| explain(i18n, &e))}
            </p>
        </section>
    }
}
