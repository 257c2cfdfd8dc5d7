//! The editor page: loading a draft, the toolbar (save, publish, discard), the tabs.

#[allow(clippy::wildcard_imports)]
use super::*;

/// `/designer/:key`.
#[component]
pub fn DesignerPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key")).unwrap_or_default();
    let state = crate::data::blocking(key, design_open);
    let dir = crate::data::blocking(|| (), |()| design_directory());
    let words = crate::words::load("designer");
    view! {
        <Stylesheet id="designer-css" href="/designer.css"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (state.await, dir.await, words.await) {
                    (Ok(s), Ok(d), Ok(w)) => {
                        provide_context(Lang(crate::words::table("designer", w)));
                        view! { <Editor state=s dir=d/> }.into_any()
                    }
                    (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub(in crate::workflow::pages::designer) fn Editor(state: DesignState, dir: Directory) -> impl IntoView {
    let l = Lang::get();
    let i18n = use_i18n();
    let ed = Ed {
        doc: RwSignal::new(state.doc.clone()),
        undo: StoredValue::new(Vec::new()),
        redo: StoredValue::new(Vec::new()),
        last_tag: StoredValue::new(None),
        dirty: RwSignal::new(false),
        sel: RwSignal::new(Sel::None),
        dir: StoredValue::new(dir),
        drag: RwSignal::new(None),
        hover: RwSignal::new(None),
        note: RwSignal::new(None),
        menu: RwSignal::new(None),
        l,
    };
    provide_context(ed);
    let key = StoredValue::new(state.doc.key.clone());
    let rev = RwSignal::new(state.draft_rev);
    let version = RwSignal::new(state.version);
    let tab = RwSignal::new(Tab::Flow);
    let zoom = RwSignal::new(1.0_f64);
    let busy = RwSignal::new(false);
    let publish_note = RwSignal::new(String::new());
    let versions_tick = RwSignal::new(0u32);
    // Live validation: the engine's own checks, and what the flow names against the directory.
    let problems = Memo::new(move |_| ed.doc.with(|d| ed.dir.with_value(|dir| doc_problems(l, d, Some(dir)))));
    let problem_count = move || problems.with(|p| p.2.len());

    let save = move || async move {
        let doc = ed.doc.get_untracked();
        let r = design_save(crate::workflow::design_api::SaveDesign { doc, rev: rev.get_untracked() }).await;
        match r {
            Ok(s) => {
                rev.set(s.draft_rev);
                ed.dirty.set(false);
                Ok(())
            }
            Err(e) => Err(e),
        }
    };
    let on_save = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match save().await {
                Ok(()) => ed.note.set(Some((true, l.t(W::draft_saved).into()))),
                Err(e) => ed.note.set(Some((false, explain(i18n, &e)))),
            }
            busy.set(false);
        });
    };
    let on_publish = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let saved = if ed.dirty.get_untracked() || rev.get_untracked() == 0 { save().await } else { Ok(()) };
            let r = match saved {
                Ok(()) => design_publish(key.get_value(), rev.get_untracked(), publish_note.get_untracked()).await,
                Err(e) => Err(e),
            };
            match r {
                Ok(crate::workflow::design_api::PublishOutcome::Published { template: t }) => {
                    version.set(t.version);
                    rev.set(0);
                    publish_note.set(String::new());
                    versions_tick.update(|v| *v += 1);
                    ed.note.set(Some((true, format!("{} v{}", l.t(W::published_as_version), t.version))));
                }
                Ok(crate::workflow::design_api::PublishOutcome::UnderReview { instance_id, .. }) => {
                    publish_note.set(String::new());
                    ed.note.set(Some((
                        true,
                        format!("{} #{instance_id}", l.t(W::this_change_needs_another_process_owner)),
                    )));
                }
                Err(e) => ed.note.set(Some((false, explain(i18n, &e)))),
            }
            busy.set(false);
        });
    };
    let on_discard = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match design_discard(key.get_value()).await {
                Ok(()) => match design_open(key.get_value()).await {
                    Ok(s) => {
                        ed.doc.set(s.doc);
                        rev.set(s.draft_rev);
                        ed.dirty.set(false);
                        ed.note.set(Some((true, l.t(W::draft_discarded).into())));
                    }
                    Err(_) => {
                        let _ = window().location().set_href("/designer");
                    }
                },
                Err(e) => ed.note.set(Some((false, explain(i18n, &e)))),
            }
            busy.set(false);
        });
    };

    // Pointer drags: from the palettes, of nodes and fields, and panning the canvas.
    let canvas = NodeRef::<leptos::html::Div>::new();
    #[cfg(feature = "hydrate")]
    {
        let mv = window_event_listener(leptos::ev::pointermove, move |e| {
            let Some(mut d) = ed.drag.get_untracked() else { return };
            let (x, y) = (e.client_x(), e.client_y());
            if !d.started && (x - d.ox).abs() + (y - d.oy).abs() < 6 {
                return;
            }
            d.started = true;
            d.x = x;
            d.y = y;
            match &d.what {
                DragWhat::Pan { left, top } => {
                    if let Some(c) = canvas.get_untracked() {
                        c.set_scroll_left(left - (x - d.ox));
                        c.set_scroll_top(top - (y - d.oy));
                    }
                }
                DragWhat::NewField(_) | DragWhat::MoveField(_) => ed.hover.set(target_at(x, y, "data-fslot")),
                _ => ed.hover.set(target_at(x, y, "data-slot")),
            }
            ed.drag.set(Some(d));
        });
        let up = window_event_listener(leptos::ev::pointerup, move |_| {
            let Some(d) = ed.drag.get_untracked() else { return };
            ed.drag.set(None);
            let hover = ed.hover.get_untracked();
            ed.hover.set(None);
            if !d.started {
                return;
            }
            match (d.what, hover) {
                (DragWhat::NewNode(k), Some(h)) => {
                    if let Some(s) = parse_slot(&h) {
                        ed.insert_kind(&s, k);
                    }
                }
                (DragWhat::MoveNode(id), Some(h)) => {
                    if let Some(s) = parse_slot(&h) {
                        ed.edit(None, |doc| design::move_node(&mut doc.flow, &id, &s).map_err(|e| e.to_string()));
                    }
                }
                (DragWhat::NewField(t), Some(h)) => {
                    if let Ok(i) = h.parse::<usize>() {
                        let label = field_label(l, t);
                        ed.edit(None, |doc| {
                            let f = design::new_field(&doc.form, t, label).ok_or("unknown field type")?;
                            let i = i.min(doc.form.fields.len());
                            doc.form.fields.insert(i, f);
                            Ok(())
                        });
                        ed.sel.set(Sel::Field(i.min(ed.doc.with_untracked(|d| d.form.fields.len().saturating_sub(1)))));
                    }
                }
                (DragWhat::MoveField(from), Some(h)) => {
                    if let Ok(to) = h.parse::<usize>() {
                        ed.edit(None, |doc| {
                            if from >= doc.form.fields.len() {
                                return Err("no such field".into());
                            }
                            let f = doc.form.fields.remove(from);
                            let to = if to > from { to - 1 } else { to }.min(doc.form.fields.len());
                            doc.form.fields.insert(to, f);
                            Ok(())
                        });
                        ed.sel.set(Sel::None);
                    }
                }
                _ => {}
            }
        });
        let keys = window_event_listener(leptos::ev::keydown, move |e| {
            let k = e.key();
            let ctrl = e.ctrl_key() || e.meta_key();
            if ctrl && (k == "z" || k == "Z") && !e.shift_key() {
                e.prevent_default();
                ed.undo();
            } else if ctrl && (k == "y" || ((k == "z" || k == "Z") && e.shift_key())) {
                e.prevent_default();
                ed.redo();
            } else if k == "Escape" {
                ed.drag.set(None);
                ed.hover.set(None);
                ed.menu.set(None);
            }
        });
        on_cleanup(move || {
            mv.remove();
            up.remove();
            keys.remove();
        });
    }
    // The flow is centred in its canvas when shown and after zooming; "fit" zooms so the whole
    // width shows (large flows with many branches).
    #[cfg(feature = "hydrate")]
    let center = move || {
        request_animation_frame(move || {
            if let Some(c) = canvas.get_untracked() {
                let over = c.scroll_width() - c.client_width();
                c.set_scroll_left(over.max(0) / 2);
            }
        });
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        zoom.track();
        if tab.get() == Tab::Flow {
            center();
        }
    });
    let fit = move || {
        #[cfg(feature = "hydrate")]
        if let Some(c) = canvas.get_untracked()
            && let Ok(Some(seq)) = c.query_selector(".fd-flow > .fd-seq")
        {
            let natural = seq.get_bounding_client_rect().width() / zoom.get_untracked();
            if natural > 0.0 {
                let room = f64::from(c.client_width() - 48);
                zoom.set(((room / natural * 10.0).floor() / 10.0).clamp(0.3, 1.0));
            }
        }
    };
    let ghost = move || {
        ed.drag.get().filter(|d| d.started && !matches!(d.what, DragWhat::Pan { .. })).map(|d| {
            let text = match &d.what {
                DragWhat::NewNode(k) => kind_label(l, *k).to_owned(),
                DragWhat::MoveNode(id) => ed
                    .doc
                    .with_untracked(|doc| design::node(&doc.flow, id).map(|n| n.name().to_owned()).unwrap_or_default()),
                DragWhat::NewField(t) => field_label(l, t).to_owned(),
                DragWhat::MoveField(i) => {
                    ed.doc.with_untracked(|doc| doc.form.fields.get(*i).map(|f| f.label.clone()).unwrap_or_default())
                }
                DragWhat::Pan { .. } => String::new(),
            };
            view! { <div class="fd-ghost" style=format!("left:{}px;top:{}px", d.x + 8, d.y + 8)>{text}</div> }
        })
    };
    let tab_btn = move |t: Tab, label: &'static str| {
        view! {
            <button type="button" role="tab" class="tab" class:active=move || tab.get() == t aria-selected=move || (tab.get() == t).to_string()
                data-tab=format!("{t:?}").to_lowercase() on:click=move |_| { tab.set(t); ed.sel.set(Sel::None); }>{label}</button>
        }
    };
    view! {
        // A plain string, read once: leptos_axum renders the <title> after the page, where a
        // reactive read can find its owner gone (a panic that dropped the response).
        <Title text=format!("{} · {}", ed.doc.with_untracked(|d| d.name.clone()), l.t(W::designer))/>
        <div class="designer" class:dragging=move || ed.drag.with(|d| d.as_ref().is_some_and(|d| d.started))>
            <div class="designer-bar">
                <a href="/designer" class="btn btn-ghost btn-sm">"‹ "{l.t(W::all_templates)}</a>
                <h1 class="designer-title">{move || ed.doc.with(|d| d.name.clone())}</h1>
                <span class="badge badge-info" id="version-badge">{move || if version.get() > 0 { format!("{} v{}", l.t(W::published), version.get()) } else { l.t(W::not_published).to_owned() }}</span>
                {move || (rev.get() > 0 || ed.dirty.get()).then(|| view! { <span class="badge badge-warn" id="draft-badge">{move || if ed.dirty.get() { l.t(W::unsaved_changes) } else { l.t(W::draft) }}</span> })}
                <span class="spacer"></span>
                <button type="button" class="btn btn-ghost btn-sm" id="undo" title=l.t(W::undo_ctrl_z)
                    disabled=move || { ed.doc.track(); ed.undo.with_value(Vec::is_empty) } on:click=move |_| ed.undo()>{l.t(W::undo)}</button>
                <button type="button" class="btn btn-ghost btn-sm" id="redo" title=l.t(W::redo_ctrl_y)
                    disabled=move || { ed.doc.track(); ed.redo.with_value(Vec::is_empty) } on:click=move |_| ed.redo()>{l.t(W::redo)}</button>
                {move || (rev.get() > 0).then(|| view! {
                    <button type="button" class="btn btn-ghost btn-sm" id="discard" disabled=move || busy.get() on:click=on_discard>{l.t(W::discard_draft)}</button>
                })}
                <button type="button" class="btn btn-sm" id="save" disabled=move || busy.get() on:click=on_save>{l.t(W::save_draft)}</button>
                <input class="publish-note" id="publish-note" maxlength="200" placeholder=l.t(W::version_note_optional)
                    prop:value=move || publish_note.get() on:input=move |e| publish_note.set(event_target_value(&e))/>
                <button type="button" class="btn btn-primary btn-sm" id="publish"
                    disabled=move || { busy.get() || problem_count() > 0 }
                    title=move || { if problem_count() > 0 { format!("{} {}", problem_count(), l.t(W::problems_to_fix)) } else { String::new() } }
                    on:click=on_publish>{l.t(W::publish)}</button>
            </div>
            {move || ed.note.get().map(|(ok, text)| view! {
                <div class=if ok { "alert alert-ok designer-note" } else { "alert alert-error designer-note" } role="status" id="designer-note">
                    <span>{text}</span>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| ed.note.set(None)>"×"</button>
                </div>
            })}
            <div class="tabs designer-tabs" role="tablist">
                {tab_btn(Tab::Flow, l.t(W::tab_flow))}
                {tab_btn(Tab::Form, l.t(W::tab_form))}
                {tab_btn(Tab::Simulate, l.t(W::tab_simulate))}
                {tab_btn(Tab::Versions, l.t(W::tab_versions))}
                <span class="problem-count" id="problem-count" class:ok=move || problem_count() == 0>
                    {move || if problem_count() == 0 { l.t(W::no_problems).to_owned() } else { format!("{} {}", problem_count(), l.t(W::problems)) }}
                </span>
            </div>
            {move || match tab.get() {
                Tab::Flow => view! {
                    <div class="designer-body">
                        <NodePalette/>
                        <div class="fd-canvas" node_ref=canvas tabindex="-1"
                            on:pointerdown=move |e| {
                                // Dragging the background pans the canvas.
                                #[cfg(feature = "hydrate")]
                                {
                                    use wasm_bindgen::JsCast;
                                    let on_bg = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                                        .is_some_and(|t| t.closest(".fd-node, .fd-add, .fd-arm-head, .fd-zoom, button, input, select").ok().flatten().is_none());
                                    if on_bg && let Some(c) = canvas.get_untracked() {
                                        ed.drag.set(Some(Drag { what: DragWhat::Pan { left: c.scroll_left(), top: c.scroll_top() }, ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                                    }
                                }
                                let _ = &e;
                            }>
                            <div class="fd-zoom">
                                <button type="button" class="btn btn-ghost btn-sm" id="zoom-out" on:click=move |_| zoom.update(|z| *z = (*z - 0.1).max(0.3))>"−"</button>
                                <button type="button" class="btn btn-ghost btn-sm zoom-level" id="zoom-reset" title=l.t(W::back_to_100)
                                    on:click=move |_| zoom.set(1.0)>{move || format!("{:.0}%", zoom.get() * 100.0)}</button>
                                <button type="button" class="btn btn-ghost btn-sm" id="zoom-in" on:click=move |_| zoom.update(|z| *z = (*z + 0.1).min(2.0))>"+"</button>
                                <button type="button" class="btn btn-ghost btn-sm" id="zoom-fit" title=l.t(W::zoom_to_the_whole_flow_s_width)
                                    on:click=move |_| fit()>{l.t(W::fit_width)}</button>
                            </div>
                            <div class="fd-flow" style=move || format!("zoom:{}", zoom.get())>
                                <div class="fd-start">{l.t(W::requester)}</div>
                                {move || {
                                    let d = ed.doc.get();
                                    let errs = problems.with(|p| p.0.clone());
                                    seq_view(ed, &d.flow.nodes, None, &errs, None)
                                }}
                                <div class="fd-end">{l.t(W::end)}</div>
                            </div>
                        </div>
                        <aside class="designer-panel" aria-label=l.t(W::properties)>
                            <SidePanel problems/>
                        </aside>
                    </div>
                }.into_any(),
                Tab::Form => view! { <FormDesigner problems/> }.into_any(),
                Tab::Simulate => view! { <Simulator/> }.into_any(),
                Tab::Versions => view! { <Versions key=key.get_value() tick=versions_tick version/> }.into_any(),
            }}
            {ghost}
        </div>
    }
}
