//! `/designer` and `/designer/:key`: the process designer, the form designer, simulation and
//! versions (SPEC DES-1..4), for process owners and administrators.
//!
//! The flow is drawn top to bottom as DingTalk and Feishu draw it. Nodes come from a palette
//! by dragging them onto a "+" slot (pointer events, so mouse, pen and touch all work) or, from
//! the keyboard, through the slot's own menu; existing nodes are dragged to move them. Every
//! edit is one of `domain::workflow::design`'s operations, validation is the engine's own
//! (`check_doc`, `check_refs`) and simulation is the engine's routing (`route::predict`) — the
//! same Rust code the server runs on publish and at submit, compiled to WASM.
//!
//! The designer's words live here with its code rather than in the app's locale files. Its
//! code is its own WASM part, but a split moves only functions: these strings, like every
//! part's constants, still sit in the main module's data (about 3 KB brotli of the first load).

use crate::components::{ErrorPanel, Icon, Loading, error_text, fmt_time};
use crate::domain::workflow::design::{
    self, Change, ChangeKind, Directory, NodeKind, Slot, TemplateDoc, check_refs, field_type,
};
use crate::domain::workflow::flow::{
    ApproverRule, CmpOp, Condition, EmptyRule, Facts, MultiMode, Node, REQUESTER_DEPARTMENT, SelfRule, Timeout,
    TimeoutAction,
};
use crate::domain::workflow::form::{Field, FieldKind, FormSchema, SelectOption};
use crate::domain::workflow::route::{Assignment, OrgView, Request, Step, chosen_arm, predict};
use crate::error::AppError;
use crate::i18n::*;
use crate::workflow::design_api::{
    DesignCreate, DesignState, design_directory, design_discard, design_list, design_open, design_publish,
    design_rollback, design_save, design_versions,
};
use leptos::prelude::*;
use leptos_meta::{Stylesheet, Title};
use leptos_router::hooks::use_params_map;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// The page's language: Chinese unless the user chose English.
#[derive(Clone, Copy)]
struct Lang(bool);

impl Lang {
    fn get() -> Self {
        Self(use_i18n().get_locale_untracked() == Locale::en)
    }
    fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        if self.0 { en } else { zh }
    }
}

fn kind_label(l: Lang, k: NodeKind) -> &'static str {
    match k {
        NodeKind::Approver => l.t("审批人", "Approver"),
        NodeKind::Handler => l.t("办理人", "Handler"),
        NodeKind::Cc => l.t("抄送人", "CC"),
        NodeKind::Conditions => l.t("条件分支", "Condition branch"),
        NodeKind::Parallel => l.t("并行分支", "Parallel branch"),
    }
}

fn field_label(l: Lang, t: &str) -> &'static str {
    match t {
        "text" => l.t("单行文本", "Text"),
        "long_text" => l.t("多行文本", "Long text"),
        "number" => l.t("数字", "Number"),
        "money" => l.t("金额", "Money"),
        "date" => l.t("日期", "Date"),
        "date_range" => l.t("日期区间", "Date range"),
        "select" => l.t("单选", "Select"),
        "multi_select" => l.t("多选", "Multi-select"),
        "user" => l.t("人员", "Person"),
        "department" => l.t("部门", "Department"),
        "attachment" => l.t("附件", "Attachment"),
        "table" => l.t("明细表", "Detail table"),
        "total" => l.t("合计", "Total"),
        "working_days" => l.t("工作日天数", "Working days"),
        _ => "?",
    }
}

/// An error in words, with the server's sentence where it says more than the kind of error
/// (what is wrong with an imported file) and the field a validation error is about.
fn explain(i18n: leptos_i18n::I18nContext<Locale>, e: &AppError) -> String {
    match e {
        AppError::BadRequest { message } => format!("{}：{message}", error_text(i18n, e)),
        AppError::Validation { field, .. } => format!("{field}：{}", error_text(i18n, e)),
        _ => error_text(i18n, e),
    }
}

// ---------------------------------------------------------------- the list

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
        <Title text=l.t("流程设计", "Process designer")/>
        <Stylesheet id="designer-css" href="/designer.css"/>
        <div class="page-head">
            <h1 class="page-title">{l.t("流程设计", "Process designer")}</h1>
        </div>
        <div class="designer-home">
            <section class="card">
                <h2>{l.t("新建审批模板", "New template")}</h2>
                <ActionForm action=create attr:class="row-form" attr:id="new-template">
                    <label class="field"><span>{l.t("名称", "Name")}</span>
                        <input name="name" required maxlength="40" placeholder=l.t("如：费用报销", "e.g. Expenses")/></label>
                    <label class="field"><span>{l.t("标识（英文）", "Key")}</span>
                        <input name="key" required maxlength="40" pattern="[a-z][a-z0-9_-]*" placeholder="expense_2026"/></label>
                    <label class="field"><span>{l.t("分类", "Category")}</span>
                        <input name="category" maxlength="20" placeholder=l.t("如：财务", "e.g. Finance")/></label>
                    <button type="submit" class="btn btn-primary">{l.t("创建并设计", "Create and design")}</button>
                </ActionForm>
                <p class="field-error" role="alert">{create_err}</p>
            </section>
            <ImportBox imported/>
        </div>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{l.t("还没有模板", "No templates yet")}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap card">
                            <table class="table" id="design-list">
                                <thead><tr>
                                    <th>{l.t("模板", "Template")}</th><th>{l.t("分类", "Category")}</th>
                                    <th>{l.t("已发布", "Published")}</th><th>{l.t("草稿", "Draft")}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|t| view! {
                                        <tr data-key=t.key.clone()>
                                            <td><a href=format!("/designer/{}", t.key)><strong>{t.name.clone()}</strong></a>
                                                <small class="muted">" "{t.key.clone()}</small></td>
                                            <td>{t.category.clone()}</td>
                                            <td>{if t.version > 0 { format!("v{}", t.version) } else { "—".into() }}</td>
                                            <td>{(t.draft_rev > 0).then(|| view! {
                                                <span class="badge badge-warn">{l.t("草稿", "Draft")}</span>
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
fn ImportBox(imported: RwSignal<Option<Result<DesignState, AppError>>>) -> impl IntoView {
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
            <h2>{l.t("导入模板", "Import a template")}</h2>
            <p class="muted small">{l.t("选择从通办导出的 .json 文件；导入后成为草稿，检查无误再发布。",
                "Choose a .json file exported from Tongban; it becomes a draft to check and publish.")}</p>
            <label class="btn upload-btn">
                <Icon name="upload"/>
                <span>{move || if busy.get() { l.t("正在导入…", "Importing…") } else { l.t("选择文件", "Choose file") }}</span>
                <input type="file" accept=".json,application/json" class="sr-only" id="import-file" node_ref=input on:change=on_change/>
            </label>
            <p class="field-error" role="alert" id="import-error">
                {move || imported.get().and_then(Result::err).map(|e| explain(i18n, &e))}
            </p>
        </section>
    }
}

// ---------------------------------------------------------------- the editor's state

#[derive(Debug, Clone, PartialEq)]
enum Sel {
    None,
    Node(String),
    Arm(String, usize),
    Field(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum DragWhat {
    NewNode(NodeKind),
    MoveNode(String),
    NewField(&'static str),
    MoveField(usize),
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Pan {
        left: i32,
        top: i32,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Drag {
    what: DragWhat,
    ox: i32,
    oy: i32,
    x: i32,
    y: i32,
    started: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Flow,
    Form,
    Simulate,
    Versions,
}

/// The editor: the document with undo and redo, the selection, the drag under way.
#[derive(Clone, Copy)]
struct Ed {
    doc: RwSignal<TemplateDoc>,
    undo: StoredValue<Vec<TemplateDoc>>,
    redo: StoredValue<Vec<TemplateDoc>>,
    last_tag: StoredValue<Option<String>>,
    dirty: RwSignal<bool>,
    sel: RwSignal<Sel>,
    dir: StoredValue<Directory>,
    drag: RwSignal<Option<Drag>>,
    hover: RwSignal<Option<String>>,
    note: RwSignal<Option<(bool, String)>>,
    /// The kind menu of a "+" slot opened from the keyboard or a click.
    menu: RwSignal<Option<String>>,
    l: Lang,
}

impl Ed {
    /// Applies an edit. Edits with the same `tag` in a row (typing into one input) make one
    /// undo step. A refused edit changes nothing and says why.
    fn edit(&self, tag: Option<String>, f: impl FnOnce(&mut TemplateDoc) -> Result<(), String>) {
        let mut next = self.doc.get_untracked();
        match f(&mut next) {
            Ok(()) => {
                let same = tag.is_some() && self.last_tag.get_value() == tag;
                if !same {
                    let prev = self.doc.get_untracked();
                    self.undo.update_value(|u| {
                        u.push(prev);
                        if u.len() > 200 {
                            u.remove(0);
                        }
                    });
                }
                self.last_tag.set_value(tag);
                self.redo.set_value(Vec::new());
                self.doc.set(next);
                self.dirty.set(true);
                self.fix_sel();
            }
            Err(e) => self.note.set(Some((false, e))),
        }
    }

    /// After the document changed under it (undo, redo, a delete), a selection of something
    /// that no longer exists is dropped, so the side panel never edits a ghost.
    fn fix_sel(&self) {
        let gone = self.doc.with_untracked(|d| match self.sel.get_untracked() {
            Sel::None => false,
            Sel::Node(id) => design::node(&d.flow, &id).is_none(),
            Sel::Arm(id, a) => match design::node(&d.flow, &id) {
                Some(Node::Conditions { arms, .. }) => a >= arms.len(),
                Some(Node::Parallel { arms, .. }) => a >= arms.len(),
                _ => true,
            },
            Sel::Field(i) => i >= d.form.fields.len(),
        });
        if gone {
            self.sel.set(Sel::None);
        }
    }

    fn undo(&self) {
        if let Some(prev) = self.undo.try_update_value(Vec::pop).flatten() {
            let cur = self.doc.get_untracked();
            self.redo.update_value(|r| r.push(cur));
            self.last_tag.set_value(None);
            self.doc.set(prev);
            self.dirty.set(true);
            self.fix_sel();
        }
    }

    fn redo(&self) {
        if let Some(next) = self.redo.try_update_value(Vec::pop).flatten() {
            let cur = self.doc.get_untracked();
            self.undo.update_value(|u| u.push(cur));
            self.last_tag.set_value(None);
            self.doc.set(next);
            self.dirty.set(true);
            self.fix_sel();
        }
    }

    fn insert_kind(&self, slot: &Slot, kind: NodeKind) {
        let l = self.l;
        let mut new_id = String::new();
        self.edit(None, |d| {
            let n = design::new_node(&d.flow, kind, kind_label(l, kind));
            new_id = n.id().to_owned();
            design::insert(&mut d.flow, slot, n).map_err(|e| e.to_string())
        });
        if !new_id.is_empty() {
            self.sel.set(Sel::Node(new_id));
        }
    }

    fn node_edit(&self, id: &str, tag: &str, f: impl FnOnce(&mut Node)) {
        let id = id.to_owned();
        self.edit(Some(format!("{tag}:{id}")), move |d| {
            let n = design::node_mut(&mut d.flow, &id).ok_or_else(|| format!("no node {id}"))?;
            f(n);
            Ok(())
        });
    }

    fn field_edit(&self, i: usize, tag: &str, f: impl FnOnce(&mut Field, &FormSchema)) {
        self.edit(Some(format!("{tag}:{i}")), move |d| {
            let snapshot = d.form.clone();
            let fld = d.form.fields.get_mut(i).ok_or("no such field")?;
            f(fld, &snapshot);
            Ok(())
        });
    }
}

fn slot_key(s: &Slot) -> String {
    match &s.parent {
        None => format!("root/{}", s.index),
        Some((id, arm)) => format!("{id}/{arm}/{}", s.index),
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn parse_slot(k: &str) -> Option<Slot> {
    let parts: Vec<&str> = k.split('/').collect();
    match parts.as_slice() {
        ["root", i] => Some(Slot { parent: None, index: i.parse().ok()? }),
        [id, arm, i] => Some(Slot { parent: Some(((*id).to_owned(), arm.parse().ok()?)), index: i.parse().ok()? }),
        _ => None,
    }
}

/// The slot (`data-slot`) or field slot (`data-fslot`) under the pointer.
#[cfg(feature = "hydrate")]
fn target_at(x: i32, y: i32, attr: &str) -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let el = doc.element_from_point(x as f32, y as f32)?;
    let hit = el.closest(&format!("[{attr}]")).ok().flatten()?;
    hit.get_attribute(attr)
}

// ---------------------------------------------------------------- the editor page

/// `/designer/:key`.
#[component]
pub fn DesignerPage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| p.get("key")).unwrap_or_default();
    let state = crate::data::blocking(key, design_open);
    let dir = crate::data::blocking(|| (), |()| design_directory());
    view! {
        <Stylesheet id="designer-css" href="/designer.css"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match (state.await, dir.await) {
                    (Ok(s), Ok(d)) => view! { <Editor state=s dir=d/> }.into_any(),
                    (Err(e), _) | (_, Err(e)) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Editor(state: DesignState, dir: Directory) -> impl IntoView {
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
    let problems = Memo::new(move |_| {
        ed.doc.with(|d| {
            let mut by_node: HashMap<String, Vec<String>> = HashMap::new();
            let mut general: Vec<String> = Vec::new();
            let mut by_field: HashMap<String, Vec<String>> = HashMap::new();
            if let Err(errs) = d.form.check() {
                for e in errs {
                    by_field.entry(e.field.clone()).or_default().push(e.message.clone());
                    general.push(format!("{} {}: {}", l.t("字段", "field"), e.field, e.message));
                }
            }
            let mut flow_errs = d.flow.validate(&d.form).err().unwrap_or_default();
            flow_errs.extend(ed.dir.with_value(|dir| check_refs(&d.flow, dir)));
            for e in flow_errs {
                if e.node_id.is_empty() {
                    general.push(e.message.clone());
                } else {
                    by_node.entry(e.node_id.clone()).or_default().push(e.message.clone());
                    general.push(format!("{}: {}", e.node_name, e.message));
                }
            }
            (by_node, by_field, general)
        })
    });
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
                Ok(()) => ed.note.set(Some((true, l.t("草稿已保存", "Draft saved").into()))),
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
                    ed.note
                        .set(Some((true, format!("{} v{}", l.t("已发布为版本", "Published as version"), t.version))));
                }
                Ok(crate::workflow::design_api::PublishOutcome::UnderReview { instance_id, .. }) => {
                    publish_note.set(String::new());
                    ed.note.set(Some((
                        true,
                        format!(
                            "{} #{instance_id}",
                            l.t(
                                "这次改动需要另一位流程管理员复核，已提交复核申请，批准后自动发布：申请",
                                "This change needs another process owner's review; it publishes when approved: request"
                            )
                        ),
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
                        ed.note.set(Some((true, l.t("草稿已放弃", "Draft discarded").into())));
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
    let tab_btn = move |t: Tab, zh: &'static str, en: &'static str| {
        view! {
            <button type="button" role="tab" class="tab" class:active=move || tab.get() == t aria-selected=move || (tab.get() == t).to_string()
                data-tab=format!("{t:?}").to_lowercase() on:click=move |_| { tab.set(t); ed.sel.set(Sel::None); }>{l.t(zh, en)}</button>
        }
    };
    view! {
        // A plain string, read once: leptos_axum renders the <title> after the page, where a
        // reactive read can find its owner gone (a panic that dropped the response).
        <Title text=format!("{} · {}", ed.doc.with_untracked(|d| d.name.clone()), l.t("流程设计", "Designer"))/>
        <div class="designer" class:dragging=move || ed.drag.with(|d| d.as_ref().is_some_and(|d| d.started))>
            <div class="designer-bar">
                <a href="/designer" class="btn btn-ghost btn-sm">"‹ "{l.t("全部模板", "All templates")}</a>
                <h1 class="designer-title">{move || ed.doc.with(|d| d.name.clone())}</h1>
                <span class="badge badge-info" id="version-badge">{move || if version.get() > 0 { format!("{} v{}", l.t("已发布", "Published"), version.get()) } else { l.t("未发布", "Not published").to_owned() }}</span>
                {move || (rev.get() > 0 || ed.dirty.get()).then(|| view! { <span class="badge badge-warn" id="draft-badge">{move || if ed.dirty.get() { l.t("有未保存修改", "Unsaved changes") } else { l.t("草稿", "Draft") }}</span> })}
                <span class="spacer"></span>
                <button type="button" class="btn btn-ghost btn-sm" id="undo" title=l.t("撤销 (Ctrl+Z)", "Undo (Ctrl+Z)")
                    disabled=move || { ed.doc.track(); ed.undo.with_value(Vec::is_empty) } on:click=move |_| ed.undo()>{l.t("撤销", "Undo")}</button>
                <button type="button" class="btn btn-ghost btn-sm" id="redo" title=l.t("重做 (Ctrl+Y)", "Redo (Ctrl+Y)")
                    disabled=move || { ed.doc.track(); ed.redo.with_value(Vec::is_empty) } on:click=move |_| ed.redo()>{l.t("重做", "Redo")}</button>
                {move || (rev.get() > 0).then(|| view! {
                    <button type="button" class="btn btn-ghost btn-sm" id="discard" disabled=move || busy.get() on:click=on_discard>{l.t("放弃草稿", "Discard draft")}</button>
                })}
                <button type="button" class="btn btn-sm" id="save" disabled=move || busy.get() on:click=on_save>{l.t("保存草稿", "Save draft")}</button>
                <input class="publish-note" id="publish-note" maxlength="200" placeholder=l.t("版本说明（可选）", "Version note (optional)")
                    prop:value=move || publish_note.get() on:input=move |e| publish_note.set(event_target_value(&e))/>
                <button type="button" class="btn btn-primary btn-sm" id="publish"
                    disabled=move || { busy.get() || problem_count() > 0 }
                    title=move || { if problem_count() > 0 { format!("{} {}", problem_count(), l.t("个问题待解决", "problems to fix")) } else { String::new() } }
                    on:click=on_publish>{l.t("发布", "Publish")}</button>
            </div>
            {move || ed.note.get().map(|(ok, text)| view! {
                <div class=if ok { "alert alert-ok designer-note" } else { "alert alert-error designer-note" } role="status" id="designer-note">
                    <span>{text}</span>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| ed.note.set(None)>"×"</button>
                </div>
            })}
            <div class="tabs designer-tabs" role="tablist">
                {tab_btn(Tab::Flow, "流程设计", "Flow")}
                {tab_btn(Tab::Form, "表单设计", "Form")}
                {tab_btn(Tab::Simulate, "模拟运行", "Simulate")}
                {tab_btn(Tab::Versions, "版本历史", "Versions")}
                <span class="problem-count" id="problem-count" class:ok=move || problem_count() == 0>
                    {move || if problem_count() == 0 { l.t("✓ 校验通过", "✓ No problems").to_owned() } else { format!("{} {}", problem_count(), l.t("个问题", "problems")) }}
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
                                <button type="button" class="btn btn-ghost btn-sm zoom-level" id="zoom-reset" title=l.t("恢复 100%", "Back to 100%")
                                    on:click=move |_| zoom.set(1.0)>{move || format!("{:.0}%", zoom.get() * 100.0)}</button>
                                <button type="button" class="btn btn-ghost btn-sm" id="zoom-in" on:click=move |_| zoom.update(|z| *z = (*z + 0.1).min(2.0))>"+"</button>
                                <button type="button" class="btn btn-ghost btn-sm" id="zoom-fit" title=l.t("缩放到整个流程的宽度", "Zoom to the whole flow's width")
                                    on:click=move |_| fit()>{l.t("适应宽度", "Fit width")}</button>
                            </div>
                            <div class="fd-flow" style=move || format!("zoom:{}", zoom.get())>
                                <div class="fd-start">{l.t("发起人", "Requester")}</div>
                                {move || {
                                    let d = ed.doc.get();
                                    let errs = problems.with(|p| p.0.clone());
                                    seq_view(ed, &d.flow.nodes, None, &errs, None)
                                }}
                                <div class="fd-end">{l.t("流程结束", "End")}</div>
                            </div>
                        </div>
                        <aside class="designer-panel" aria-label=l.t("属性", "Properties")>
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

// ---------------------------------------------------------------- the flow canvas

fn rule_text(l: Lang, r: &ApproverRule, dir: &Directory) -> String {
    match r {
        ApproverRule::Users { ids } if ids.is_empty() => l.t("未指定人员", "Nobody named").into(),
        ApproverRule::Users { ids } => ids.iter().map(|i| dir.user_name(*i)).collect::<Vec<_>>().join("、"),
        ApproverRule::Role { key } => {
            let name = dir.roles.iter().find(|r| &r.key == key).map_or_else(|| key.clone(), |r| r.name.clone());
            format!("{}：{name}", l.t("角色", "Role"))
        }
        ApproverRule::Manager { levels: 1 } => l.t("直属主管", "Direct manager").into(),
        ApproverRule::Manager { levels } => format!("{} {levels} {}", l.t("第", "Manager"), l.t("级主管", "levels up")),
        ApproverRule::DepartmentHead { department: None } => {
            l.t("发起人部门负责人", "Head of the requester's department").into()
        }
        ApproverRule::DepartmentHead { department: Some(d) } => {
            let name = dir.department(*d).map_or_else(|| format!("#{d}"), |d| d.name.clone());
            format!("{name}{}", l.t("负责人", " head"))
        }
        ApproverRule::RequesterPicks => l.t("发起人自选", "Requester picks").into(),
    }
}

fn cond_text(l: Lang, c: &Option<Condition>, form: &FormSchema, dir: &Directory) -> String {
    fn one(l: Lang, c: &Condition, form: &FormSchema, dir: &Directory) -> String {
        match c {
            Condition::Compare { field, op, value } => {
                let name = if field == REQUESTER_DEPARTMENT {
                    l.t("发起人部门", "Requester's department").to_owned()
                } else {
                    form.field(field).map_or_else(|| field.clone(), |f| f.label.clone())
                };
                let v = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                let v = if field == REQUESTER_DEPARTMENT {
                    v.parse::<i64>().ok().and_then(|d| dir.department(d)).map_or(v, |d| d.name.clone())
                } else {
                    v
                };
                format!("{name} {} {v}", op_label(l, *op))
            }
            Condition::All { items } | Condition::Any { items } if items.is_empty() => {
                l.t("（未设置条件）", "(no condition set)").into()
            }
            Condition::All { items } => {
                items.iter().map(|i| one(l, i, form, dir)).collect::<Vec<_>>().join(l.t(" 且 ", " and "))
            }
            Condition::Any { items } => {
                items.iter().map(|i| one(l, i, form, dir)).collect::<Vec<_>>().join(l.t(" 或 ", " or "))
            }
        }
    }
    match c {
        None => l.t("其他情况（默认）", "Otherwise (default)").into(),
        Some(c) => one(l, c, form, dir),
    }
}

fn op_label(l: Lang, op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "≠",
        CmpOp::Lt => "<",
        CmpOp::Le => "≤",
        CmpOp::Gt => ">",
        CmpOp::Ge => "≥",
        CmpOp::In => l.t("属于", "in"),
        CmpOp::Contains => l.t("包含", "contains"),
        CmpOp::IsEmpty => l.t("为空", "is empty"),
    }
}

fn node_summary(l: Lang, n: &Node, dir: &Directory) -> String {
    match n {
        Node::Approver { rule, mode, .. } => {
            let m = match mode {
                MultiMode::All => l.t("会签", "all must approve"),
                MultiMode::Any => l.t("或签", "any one decides"),
                MultiMode::Sequential => l.t("依次审批", "one after another"),
                MultiMode::Quorum { .. } => l.t("按人数", "a number of them"),
            };
            format!("{} · {m}", rule_text(l, rule, dir))
        }
        Node::Handler { rule, .. } => rule_text(l, rule, dir),
        Node::Cc { targets, .. } if targets.is_empty() => l.t("未设置抄送人", "Nobody to copy").into(),
        Node::Cc { targets, .. } => targets.iter().map(|t| rule_text(l, t, dir)).collect::<Vec<_>>().join("；"),
        Node::Conditions { arms, .. } => format!("{} {}", arms.len(), l.t("个条件", "branches")),
        Node::Parallel { arms, .. } => format!("{} {}", arms.len(), l.t("条分支", "branches")),
    }
}

/// The simulation's result on the canvas: nodes on the path and the arms taken.
#[derive(Clone, Default, PartialEq)]
struct PathMark {
    nodes: HashSet<String>,
    arms: HashSet<(String, usize)>,
}

fn add_slot(ed: Ed, slot: Slot) -> AnyView {
    let key = slot_key(&slot);
    let k2 = key.clone();
    let k3 = key.clone();
    let k4 = key.clone();
    let l = ed.l;
    let s2 = slot.clone();
    view! {
        <div class="fd-slot" data-slot=key.clone() class:hover=move || ed.hover.with(|h| h.as_deref() == Some(k2.as_str()))>
            <button type="button" class="fd-add" aria-label=l.t("在此处添加节点", "Add a node here") aria-haspopup="menu"
                on:click=move |_| ed.menu.update(|m| *m = if m.as_deref() == Some(k3.as_str()) { None } else { Some(k3.clone()) })>"+"</button>
            {move || (ed.menu.with(|m| m.as_deref() == Some(k4.as_str()))).then(|| {
                let s3 = s2.clone();
                view! {
                    <div class="fd-menu" role="menu">
                        {NodeKind::ALL.into_iter().map(|k| {
                            let s = s3.clone();
                            view! { <button type="button" role="menuitem" class=format!("fd-menu-item fd-k-{}", k.key()) data-kind=k.key()
                                on:click=move |_| { ed.menu.set(None); ed.insert_kind(&s, k); }>{kind_label(l, k)}</button> }
                        }).collect_view()}
                    </div>
                }
            })}
        </div>
    }
    .into_any()
}

fn seq_view(
    ed: Ed,
    nodes: &[Node],
    parent: Option<(String, usize)>,
    errs: &HashMap<String, Vec<String>>,
    path: Option<&PathMark>,
) -> AnyView {
    let mut out: Vec<AnyView> = Vec::new();
    if path.is_none() {
        out.push(add_slot(ed, Slot { parent: parent.clone(), index: 0 }));
    }
    for (i, n) in nodes.iter().enumerate() {
        out.push(node_view(ed, n, errs, path));
        if path.is_none() {
            out.push(add_slot(ed, Slot { parent: parent.clone(), index: i + 1 }));
        } else {
            out.push(view! { <div class="fd-line"></div> }.into_any());
        }
    }
    view! { <div class="fd-seq">{out}</div> }.into_any()
}

fn node_view(ed: Ed, n: &Node, errs: &HashMap<String, Vec<String>>, path: Option<&PathMark>) -> AnyView {
    let l = ed.l;
    let id = n.id().to_owned();
    let kind = NodeKind::of(n);
    let my_errs = errs.get(&id).cloned().unwrap_or_default();
    let has_err = !my_errs.is_empty();
    let summary = ed.dir.with_value(|d| node_summary(l, n, d));
    let on_path = path.map(|p| p.nodes.contains(&id));
    let sim = path.is_some();
    let id_sel = id.clone();
    let selected = move || ed.sel.with(|s| matches!(s, Sel::Node(x) if *x == id_sel));
    let id_click = id.clone();
    let id_down = id.clone();
    let id_key = id.clone();
    let id_del = id.clone();
    let card = view! {
        <div class=format!("fd-node fd-k-{}", kind.key()) class:selected=selected class:has-error=has_err
            class:on-path=on_path == Some(true) class:off-path=on_path == Some(false)
            data-node=id.clone() role="button" tabindex="0" aria-label=format!("{} {}", kind_label(l, kind), n.name())
            on:click=move |_| ed.sel.set(Sel::Node(id_click.clone()))
            on:pointerdown=move |e| {
                if e.button() != 0 || sim { return; }
                ed.drag.set(Some(Drag { what: DragWhat::MoveNode(id_down.clone()), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
            }
            on:keydown=move |e| {
                let k = e.key();
                if k == "Enter" || k == " " { e.prevent_default(); ed.sel.set(Sel::Node(id_key.clone())); }
                if k == "Delete" || k == "Backspace" {
                    e.prevent_default();
                    let id = id_key.clone();
                    ed.edit(None, move |d| design::remove(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string()));
                    ed.sel.set(Sel::None);
                }
            }>
            <div class="fd-node-head">
                <span class="fd-kind">{kind_label(l, kind)}</span>
                {(path.is_none()).then(|| view! {
                    <button type="button" class="fd-del" aria-label=l.t("删除节点", "Delete node") title=l.t("删除", "Delete")
                        on:pointerdown=|e| e.stop_propagation()
                        on:click=move |e| {
                            e.stop_propagation();
                            let id = id_del.clone();
                            ed.edit(None, move |d| design::remove(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string()));
                            ed.sel.set(Sel::None);
                        }>"×"</button>
                })}
            </div>
            <div class="fd-node-name">{n.name().to_owned()}</div>
            <div class="fd-node-sum">{summary}</div>
            {has_err.then(|| view! { <ul class="fd-errs">{my_errs.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> })}
        </div>
    };
    match n {
        Node::Conditions { .. } | Node::Parallel { .. } => {
            let is_cond = matches!(n, Node::Conditions { .. });
            let arm_list: Vec<(String, Option<Option<Condition>>, Vec<Node>)> = match n {
                Node::Conditions { arms, .. } => {
                    arms.iter().map(|a| (a.name.clone(), Some(a.condition.clone()), a.nodes.clone())).collect()
                }
                Node::Parallel { arms, .. } => arms.iter().map(|a| (a.name.clone(), None, a.nodes.clone())).collect(),
                _ => vec![],
            };
            let id_add = id.clone();
            let form = ed.doc.with_untracked(|d| d.form.clone());
            let arms_view = arm_list
                .into_iter()
                .enumerate()
                .map(|(ai, (name, cond, nodes))| {
                    let id_a = id.clone();
                    let id_s = id.clone();
                    let taken = path.map(|p| p.arms.contains(&(id.clone(), ai)));
                    let sel_arm = move || ed.sel.with(|s| matches!(s, Sel::Arm(x, a) if *x == id_s && *a == ai));
                    let text = cond.as_ref().map(|c| ed.dir.with_value(|d| cond_text(l, c, &form, d)));
                    let is_default = matches!(cond, Some(None));
                    view! {
                        <div class="fd-arm" class:taken=taken == Some(true) class:not-taken=taken == Some(false)>
                            <div class="fd-arm-head" class:selected=sel_arm class:default=is_default role="button" tabindex="0"
                                data-arm=format!("{id}/{ai}")
                                on:click=move |_| ed.sel.set(Sel::Arm(id_a.clone(), ai))
                                on:keydown={
                                    let id_k = id.clone();
                                    move |e| if e.key() == "Enter" { ed.sel.set(Sel::Arm(id_k.clone(), ai)); }
                                }>
                                <strong>{name}</strong>
                                {is_cond.then(|| view! { <small>{if is_default { String::new() } else { format!("{} {}", l.t("优先级", "priority"), ai + 1) }}</small> })}
                                {text.map(|t| view! { <span class="fd-cond">{t}</span> })}
                            </div>
                            {seq_view(ed, &nodes, Some((id.clone(), ai)), errs, path)}
                        </div>
                    }
                })
                .collect_view();
            view! {
                <div class="fd-branch" class:fd-cond-branch=is_cond>
                    {card}
                    {path.is_none().then(|| view! {
                        <button type="button" class="btn btn-sm fd-add-arm" data-add-arm=id_add.clone()
                            on:click=move |_| { let id = id_add.clone(); ed.edit(None, move |d| design::add_arm(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string())); }>
                            {if is_cond { l.t("+ 添加条件", "+ Add condition") } else { l.t("+ 添加分支", "+ Add branch") }}
                        </button>
                    })}
                    <div class="fd-arms">{arms_view}</div>
                </div>
            }
            .into_any()
        }
        _ => card.into_any(),
    }
}

#[component]
fn NodePalette() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    view! {
        <aside class="designer-palette" aria-label=l.t("节点", "Nodes")>
            <h2>{l.t("拖入流程", "Drag into the flow")}</h2>
            {NodeKind::ALL.into_iter().map(|k| view! {
                <button type="button" class=format!("palette-item fd-k-{}", k.key()) data-palette=k.key()
                    title=l.t("拖到流程中的 + 处；或点击添加到末尾", "Drag onto a + in the flow, or click to add at the end")
                    on:pointerdown=move |e| {
                        if e.button() != 0 { return; }
                        e.prevent_default();
                        ed.drag.set(Some(Drag { what: DragWhat::NewNode(k), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                    }
                    on:click=move |_| {
                        let end = ed.doc.with_untracked(|d| d.flow.nodes.len());
                        ed.insert_kind(&Slot { parent: None, index: end }, k);
                    }>
                    <span class="dot"></span>{kind_label(l, k)}
                </button>
            }).collect_view()}
            <p class="muted small">{l.t("键盘：Tab 到 + 按回车选择节点类型；节点上按 Delete 删除；Ctrl+Z 撤销。",
                "Keyboard: Tab to a + and press Enter to pick a kind; Delete removes the focused node; Ctrl+Z undoes.")}</p>
        </aside>
    }
}

// ---------------------------------------------------------------- the side panel

type Problems = Memo<(HashMap<String, Vec<String>>, HashMap<String, Vec<String>>, Vec<String>)>;

#[component]
fn SidePanel(problems: Problems) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    move || {
        match ed.sel.get() {
        Sel::Node(id) if ed.doc.with_untracked(|d| design::node(&d.flow, &id).is_some()) => {
            view! { <NodePanel id/> }.into_any()
        }
        Sel::Arm(id, a) => view! { <ArmPanel id arm=a/> }.into_any(),
        _ => view! {
            <div class="panel-section">
                <h2>{l.t("模板", "Template")}</h2>
                <TemplateProps/>
                <h3>{l.t("校验", "Checks")}</h3>
                {move || {
                    let all = problems.with(|p| p.2.clone());
                    if all.is_empty() {
                        view! { <p class="ok-text">{l.t("没有问题，可以发布。", "No problems: ready to publish.")}</p> }.into_any()
                    } else {
                        view! { <ul class="problem-list" id="problem-list">{all.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
        }
        .into_any(),
    }
    }
}

#[component]
fn TemplateProps() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let text = move |label: &'static str,
                     get: fn(&TemplateDoc) -> String,
                     set: fn(&mut TemplateDoc, String),
                     tag: &'static str| {
        view! {
            <label class="field"><span>{label}</span>
                <input prop:value=move || ed.doc.with(get) on:input=move |e| { let v = event_target_value(&e); ed.edit(Some(tag.into()), move |d| { set(d, v); Ok(()) }); }/>
            </label>
        }
    };
    view! {
        {text(l.t("名称", "Name"), |d| d.name.clone(), |d, v| d.name = v, "t-name")}
        {text(l.t("分类", "Category"), |d| d.category.clone(), |d, v| d.category = v, "t-cat")}
        {text(l.t("说明", "Description"), |d| d.description.clone(), |d, v| d.description = v, "t-desc")}
        <label class="field"><span>{l.t("图标", "Icon")}</span>
            <select on:change=move |e| { let v = event_target_value(&e); ed.edit(None, move |d| { d.icon = v; Ok(()) }); }>
                {["doc", "receipt", "calendar", "cart", "box", "car", "user-plus"].into_iter().map(|i| view! {
                    <option value=i selected=move || ed.doc.with(|d| d.icon == i)>{i}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

fn rule_kind(r: &ApproverRule) -> &'static str {
    match r {
        ApproverRule::Users { .. } => "users",
        ApproverRule::Role { .. } => "role",
        ApproverRule::Manager { .. } => "manager",
        ApproverRule::DepartmentHead { .. } => "department_head",
        ApproverRule::RequesterPicks => "requester_picks",
    }
}

/// An editor of one approver rule, read and written through `get`/`set`.
fn rule_editor(
    ed: Ed,
    tag: String,
    get: impl Fn(&TemplateDoc) -> Option<ApproverRule> + Copy + Send + Sync + 'static,
    set: impl Fn(&mut TemplateDoc, ApproverRule) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let l = ed.l;
    let current = move || ed.doc.with(get);
    let kind = Memo::new(move |_| current().map(|r| rule_kind(&r)).unwrap_or("manager"));
    let put = move |r: ApproverRule, t: Option<String>| {
        ed.edit(t, move |d| {
            set(d, r);
            Ok(())
        })
    };
    let tag2 = tag.clone();
    view! {
        <label class="field"><span>{l.t("谁来处理", "Who")}</span>
            <select class="rule-kind" on:change=move |e| {
                let r = match event_target_value(&e).as_str() {
                    "users" => ApproverRule::Users { ids: vec![] },
                    "role" => ApproverRule::Role { key: String::new() },
                    "department_head" => ApproverRule::DepartmentHead { department: None },
                    "requester_picks" => ApproverRule::RequesterPicks,
                    _ => ApproverRule::Manager { levels: 1 },
                };
                put(r, None);
            }>
                {[("users", l.t("指定成员", "Named people")), ("role", l.t("角色", "Role")), ("manager", l.t("主管", "Manager")),
                  ("department_head", l.t("部门负责人", "Department head")), ("requester_picks", l.t("发起人自选", "Requester picks"))]
                    .into_iter().map(|(v, t)| view! { <option value=v selected=move || kind.get() == v>{t}</option> }).collect_view()}
            </select>
        </label>
        {move || match kind.get() {
            "users" => {
                let ids = move || match current() { Some(ApproverRule::Users { ids }) => ids, _ => vec![] };
                view! {
                    <div class="chips">
                        {move || ids().into_iter().map(|u| view! {
                            <span class="chip">{ed.dir.with_value(|d| d.user_name(u))}
                                <button type="button" class="chip-x" aria-label=l.t("移除", "Remove") on:click=move |_| {
                                    let mut v = ids(); v.retain(|x| *x != u); put(ApproverRule::Users { ids: v }, None);
                                }>"×"</button></span>
                        }).collect_view()}
                    </div>
                    <label class="field"><span>{l.t("添加成员", "Add a person")}</span>
                        <select class="add-user" on:change=move |e| {
                            if let Ok(u) = event_target_value(&e).parse::<i64>() {
                                let mut v = ids(); if !v.contains(&u) { v.push(u); } put(ApproverRule::Users { ids: v }, None);
                            }
                        }>
                            <option value="">{l.t("选择…", "Choose…")}</option>
                            {ed.dir.with_value(|d| d.users.iter().filter(|u| u.active).map(|u| view! {
                                <option value=u.id>{format!("{} · {}", u.name, u.position)}</option>
                            }).collect_view())}
                        </select>
                    </label>
                }.into_any()
            }
            "role" => view! {
                <label class="field"><span>{l.t("角色", "Role")}</span>
                    <select on:change=move |e| put(ApproverRule::Role { key: event_target_value(&e) }, None)>
                        <option value="">{l.t("选择…", "Choose…")}</option>
                        {ed.dir.with_value(|d| d.roles.iter().map(|r| {
                            let k = r.key.clone();
                            view! { <option value=r.key.clone() selected=move || matches!(current(), Some(ApproverRule::Role { key }) if key == k)>{r.name.clone()}</option> }
                        }).collect_view())}
                    </select>
                </label>
            }.into_any(),
            "manager" => {
                let tag = tag2.clone();
                view! {
                    <label class="field"><span>{l.t("向上第几级主管", "Levels up")}</span>
                        <input type="number" min="1" max="10" class="levels"
                            prop:value=move || { match current() { Some(ApproverRule::Manager { levels }) => levels.to_string(), _ => "1".into() } }
                            on:input=move |e| { if let Ok(n) = event_target_value(&e).parse::<u8>() { put(ApproverRule::Manager { levels: n }, Some(format!("{tag}-lv"))); } }/>
                    </label>
                }.into_any()
            }
            "department_head" => view! {
                <label class="field"><span>{l.t("部门", "Department")}</span>
                    <select on:change=move |e| put(ApproverRule::DepartmentHead { department: event_target_value(&e).parse().ok() }, None)>
                        <option value="">{l.t("发起人所在部门", "The requester's department")}</option>
                        {ed.dir.with_value(|d| d.departments.iter().map(|x| {
                            let id = x.id;
                            view! { <option value=x.id selected=move || matches!(current(), Some(ApproverRule::DepartmentHead { department: Some(d) }) if d == id)>{x.name.clone()}</option> }
                        }).collect_view())}
                    </select>
                </label>
            }.into_any(),
            _ => view! { <p class="muted small">{l.t("发起人提交时选择审批人。", "The requester chooses when submitting.")}</p> }.into_any(),
        }}
    }
}

#[component]
fn NodePanel(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id.clone());
    let node = move || ed.doc.with(|d| design::node(&d.flow, &idv.get_value()).cloned());
    let kind = ed.doc.with_untracked(|d| design::node(&d.flow, &id).map(NodeKind::of)).unwrap_or(NodeKind::Approver);
    let move_by = move |delta: i32| {
        let id = idv.get_value();
        ed.edit(None, move |d| {
            let at = design::locate(&d.flow, &id).ok_or("gone")?;
            let to = if delta < 0 {
                at.index.checked_sub(1).ok_or(l.t("已在最前", "Already first"))?
            } else {
                at.index + 2
            };
            design::move_node(&mut d.flow, &id, &Slot { parent: at.parent, index: to }).map_err(|e| e.to_string())
        });
    };
    let rule_get = move |d: &TemplateDoc| match design::node(&d.flow, &idv.get_value()) {
        Some(Node::Approver { rule, .. } | Node::Handler { rule, .. }) => Some(rule.clone()),
        _ => None,
    };
    let rule_set = move |d: &mut TemplateDoc, r: ApproverRule| {
        if let Some(Node::Approver { rule, .. } | Node::Handler { rule, .. }) =
            design::node_mut(&mut d.flow, &idv.get_value())
        {
            *rule = r;
        }
    };
    view! {
        <div class="panel-section" data-panel-node=id.clone()>
            <h2>{kind_label(l, kind)}</h2>
            <label class="field"><span>{l.t("节点名称", "Name")}</span>
                <input class="node-name" maxlength="40" prop:value=move || node().map(|n| n.name().to_owned()).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.node_edit(&idv.get_value(), "name", move |n| set_name(n, v)); }/>
            </label>
            {matches!(kind, NodeKind::Approver | NodeKind::Handler).then(|| rule_editor(ed, id.clone(), rule_get, rule_set))}
            {(kind == NodeKind::Approver).then(|| view! { <ApproverOptions id=idv.get_value()/> })}
            {matches!(kind, NodeKind::Approver | NodeKind::Handler).then(|| view! { <EmptyAndTimeout id=idv.get_value()/> })}
            {(kind == NodeKind::Cc).then(|| view! { <CcTargets id=idv.get_value()/> })}
            {matches!(kind, NodeKind::Conditions | NodeKind::Parallel).then(|| view! {
                <p class="muted small">{l.t("点击分支顶部编辑其名称与条件；条件按优先级从上到下（从左到右）判断，都不满足时走默认分支。",
                    "Click a branch's head to edit its name and condition; conditions are tried in priority order, left to right, and the default branch runs when none holds.")}</p>
            })}
            <div class="panel-actions">
                <button type="button" class="btn btn-sm" id="node-up" on:click=move |_| move_by(-1)>{l.t("上移", "Move up")}</button>
                <button type="button" class="btn btn-sm" id="node-down" on:click=move |_| move_by(1)>{l.t("下移", "Move down")}</button>
                <button type="button" class="btn btn-sm btn-danger" id="node-delete" on:click=move |_| {
                    let id = idv.get_value();
                    ed.edit(None, move |d| design::remove(&mut d.flow, &id).map(|_| ()).map_err(|e| e.to_string()));
                    ed.sel.set(Sel::None);
                }>{l.t("删除节点", "Delete node")}</button>
            </div>
        </div>
    }
}

fn set_name(n: &mut Node, v: String) {
    match n {
        Node::Approver { name, .. }
        | Node::Handler { name, .. }
        | Node::Cc { name, .. }
        | Node::Conditions { name, .. }
        | Node::Parallel { name, .. } => *name = v,
    }
}

#[component]
fn ApproverOptions(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id);
    let get = move || {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Approver { mode, requester_is_approver, .. }) => (*mode, *requester_is_approver),
            _ => (MultiMode::All, SelfRule::Skip),
        })
    };
    let mode_key = move || match get().0 {
        MultiMode::All => "all",
        MultiMode::Any => "any",
        MultiMode::Sequential => "sequential",
        MultiMode::Quorum { .. } => "quorum",
    };
    let set_mode = move |m: MultiMode, tag: &str| {
        ed.node_edit(&idv.get_value(), tag, move |n| {
            if let Node::Approver { mode, .. } = n {
                *mode = m;
            }
        });
    };
    view! {
        <label class="field"><span>{l.t("多人审批时", "With several approvers")}</span>
            <select class="multi-mode" on:change=move |e| {
                let m = match event_target_value(&e).as_str() { "any" => MultiMode::Any, "sequential" => MultiMode::Sequential, "quorum" => MultiMode::Quorum { n: 2 }, _ => MultiMode::All };
                set_mode(m, "mode");
            }>
                {[("all", l.t("会签（须所有人同意）", "All must approve")), ("any", l.t("或签（一人同意即可）", "Any one decides")),
                  ("sequential", l.t("依次审批", "One after another")), ("quorum", l.t("按人数通过", "A number of them"))]
                    .into_iter().map(|(v, t)| view! { <option value=v selected=move || mode_key() == v>{t}</option> }).collect_view()}
            </select>
        </label>
        {move || matches!(get().0, MultiMode::Quorum { .. }).then(|| view! {
            <label class="field"><span>{l.t("需要同意的人数", "Approvals needed")}</span>
                <input type="number" min="1" prop:value=move || { match get().0 { MultiMode::Quorum { n } => n.to_string(), _ => String::new() } }
                    on:input=move |e| { if let Ok(n) = event_target_value(&e).parse::<u32>() { set_mode(MultiMode::Quorum { n }, "quorum"); } }/>
            </label>
        })}
        <label class="check">
            <input type="checkbox" prop:checked=move || get().1 == SelfRule::Skip on:change=move |e| {
                let skip = event_target_checked(&e);
                ed.node_edit(&idv.get_value(), "self", move |n| if let Node::Approver { requester_is_approver, .. } = n {
                    *requester_is_approver = if skip { SelfRule::Skip } else { SelfRule::Keep };
                });
            }/>
            <span>{l.t("审批人是发起人本人时自动跳过", "Skip when the approver is the requester")}</span>
        </label>
    }
}

#[component]
fn EmptyAndTimeout(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id);
    let get = move || {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Approver { on_empty, timeout, .. } | Node::Handler { on_empty, timeout, .. }) => {
                (*on_empty, *timeout)
            }
            _ => (EmptyRule::Skip, None),
        })
    };
    let set = move |tag: &str, e: Option<EmptyRule>, t: Option<Option<Timeout>>| {
        ed.node_edit(&idv.get_value(), tag, move |n| {
            if let Node::Approver { on_empty, timeout, .. } | Node::Handler { on_empty, timeout, .. } = n {
                if let Some(e) = e {
                    *on_empty = e;
                }
                if let Some(t) = t {
                    *timeout = t;
                }
            }
        });
    };
    let empty_key = move || match get().0 {
        EmptyRule::Skip => "skip",
        EmptyRule::Admin => "admin",
        EmptyRule::User { .. } => "user",
    };
    let action_key = move || match get().1.map(|t| t.action) {
        Some(TimeoutAction::Remind { .. }) | None => "remind",
        Some(TimeoutAction::Escalate) => "escalate",
        Some(TimeoutAction::AutoApprove) => "auto_approve",
        Some(TimeoutAction::AutoReturn) => "auto_return",
    };
    view! {
        <label class="field"><span>{l.t("找不到审批人时", "When nobody is found")}</span>
            <select class="on-empty" on:change=move |e| {
                let r = match event_target_value(&e).as_str() { "admin" => EmptyRule::Admin, "user" => EmptyRule::User { id: 0 }, _ => EmptyRule::Skip };
                set("empty", Some(r), None);
            }>
                {[("skip", l.t("自动跳过", "Skip the node")), ("admin", l.t("转交管理员", "Go to the administrators")), ("user", l.t("转交指定人员", "Go to a named person"))]
                    .into_iter().map(|(v, t)| view! { <option value=v selected=move || empty_key() == v>{t}</option> }).collect_view()}
            </select>
        </label>
        {move || (empty_key() == "user").then(|| view! {
            <label class="field"><span>{l.t("转交给", "Hand to")}</span>
                <select on:change=move |e| { if let Ok(u) = event_target_value(&e).parse::<i64>() { set("empty-user", Some(EmptyRule::User { id: u }), None); } }>
                    <option value="">{l.t("选择…", "Choose…")}</option>
                    {ed.dir.with_value(|d| d.users.iter().filter(|u| u.active).map(|u| {
                        let id = u.id;
                        view! { <option value=u.id selected=move || get().0 == EmptyRule::User { id }>{u.name.clone()}</option> }
                    }).collect_view())}
                </select>
            </label>
        })}
        <label class="check">
            <input type="checkbox" class="has-timeout" prop:checked=move || get().1.is_some() on:change=move |e| {
                let on = event_target_checked(&e);
                set("timeout", None, Some(on.then_some(Timeout { after_minutes: 8 * 60, action: TimeoutAction::Remind { every_minutes: 240 } })));
            }/>
            <span>{l.t("限时处理", "Deadline")}</span>
        </label>
        {move || get().1.map(|t| view! {
            <div class="row-form">
                <label class="field"><span>{l.t("工作小时", "Working hours")}</span>
                    <input type="number" min="1" prop:value=(t.after_minutes / 60).to_string() on:input=move |e| {
                        if let Ok(h) = event_target_value(&e).parse::<u32>() {
                            let cur = get().1;
                            set("to-h", None, Some(cur.map(|c| Timeout { after_minutes: h.saturating_mul(60), ..c })));
                        }
                    }/>
                </label>
                <label class="field"><span>{l.t("超时后", "Then")}</span>
                    <select on:change=move |e| {
                        let a = match event_target_value(&e).as_str() { "escalate" => TimeoutAction::Escalate, "auto_approve" => TimeoutAction::AutoApprove,
                            "auto_return" => TimeoutAction::AutoReturn, _ => TimeoutAction::Remind { every_minutes: 240 } };
                        let cur = get().1;
                        set("to-a", None, Some(cur.map(|c| Timeout { action: a, ..c })));
                    }>
                        {[("remind", l.t("提醒", "Remind")), ("escalate", l.t("转交上级", "Escalate")), ("auto_approve", l.t("自动通过", "Approve")), ("auto_return", l.t("自动退回", "Return"))]
                            .into_iter().map(|(v, tx)| view! { <option value=v selected=move || action_key() == v>{tx}</option> }).collect_view()}
                    </select>
                </label>
            </div>
        })}
    }
}

#[component]
fn CcTargets(id: String) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id);
    let count = Memo::new(move |_| {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Cc { targets, .. }) => targets.len(),
            _ => 0,
        })
    });
    view! {
        {move || (0..count.get()).map(|i| {
            let get = move |d: &TemplateDoc| match design::node(&d.flow, &idv.get_value()) {
                Some(Node::Cc { targets, .. }) => targets.get(i).cloned(),
                _ => None,
            };
            let set = move |d: &mut TemplateDoc, r: ApproverRule| {
                if let Some(Node::Cc { targets, .. }) = design::node_mut(&mut d.flow, &idv.get_value())
                    && let Some(t) = targets.get_mut(i) { *t = r; }
            };
            view! {
                <fieldset class="cc-target">
                    <legend>{format!("{} {}", l.t("抄送对象", "Target"), i + 1)}</legend>
                    {rule_editor(ed, format!("{}-cc{i}", idv.get_value()), get, set)}
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| { ed.node_edit(&idv.get_value(), "cc-rm", move |n| { if let Node::Cc { targets, .. } = n && i < targets.len() { targets.remove(i); } }); }>
                        {l.t("移除", "Remove")}</button>
                </fieldset>
            }
        }).collect_view()}
        <button type="button" class="btn btn-sm" id="cc-add" on:click=move |_| {
            ed.edit(None, move |d| {
                if let Some(Node::Cc { targets, .. }) = design::node_mut(&mut d.flow, &idv.get_value()) {
                    targets.push(ApproverRule::Users { ids: vec![] });
                }
                Ok(())
            });
        }>{l.t("+ 添加抄送对象", "+ Add a target")}</button>
    }
}

/// One comparison of a condition, as the panel edits it.
fn compare_parts(c: &Condition) -> Option<(String, CmpOp, String)> {
    match c {
        Condition::Compare { field, op, value } => Some((
            field.clone(),
            *op,
            match value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            },
        )),
        _ => None,
    }
}

/// The condition as a group of comparisons (all or any). A single comparison is a group of one.
fn as_group(c: &Option<Condition>) -> (bool, Vec<Condition>) {
    match c {
        Some(Condition::Any { items }) => (false, items.clone()),
        Some(Condition::All { items }) => (true, items.clone()),
        Some(other) => (true, vec![other.clone()]),
        None => (true, vec![]),
    }
}

fn value_for(field: &str, op: CmpOp, text: &str) -> Value {
    if op == CmpOp::IsEmpty {
        return Value::Null;
    }
    if op == CmpOp::In {
        return Value::Array(
            text.split([',', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        );
    }
    let _ = field;
    Value::String(text.trim().to_owned())
}

#[component]
fn ArmPanel(id: String, arm: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let idv = StoredValue::new(id.clone());
    let arm_sig = RwSignal::new(arm);
    let info = move || {
        ed.doc.with(|d| match design::node(&d.flow, &idv.get_value()) {
            Some(Node::Conditions { arms, .. }) => {
                arms.get(arm_sig.get()).map(|a| (a.name.clone(), Some(a.condition.clone())))
            }
            Some(Node::Parallel { arms, .. }) => arms.get(arm_sig.get()).map(|a| (a.name.clone(), None)),
            _ => None,
        })
    };
    let is_cond = ed.doc.with_untracked(|d| matches!(design::node(&d.flow, &id), Some(Node::Conditions { .. })));
    let is_default = move || matches!(info(), Some((_, Some(None))));
    let set_cond = move |all: bool, items: Vec<Condition>, tag: Option<String>| {
        let a = arm_sig.get_untracked();
        ed.edit(tag, move |d| {
            if let Some(Node::Conditions { arms, .. }) = design::node_mut(&mut d.flow, &idv.get_value())
                && let Some(x) = arms.get_mut(a)
            {
                x.condition = Some(if all { Condition::All { items } } else { Condition::Any { items } });
            }
            Ok(())
        });
    };
    let group = move || info().and_then(|(_, c)| c).map(|c| as_group(&c)).unwrap_or((true, vec![]));
    let n_items = Memo::new(move |_| group().1.len());
    let fields = move || {
        ed.doc.with(|d| {
            d.form
                .fields
                .iter()
                .filter(|f| !matches!(f.kind, FieldKind::Table { .. } | FieldKind::Attachment { .. }))
                .map(|f| (f.key.clone(), f.label.clone()))
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="panel-section" data-panel-arm=format!("{id}/{arm}")>
            <h2>{if is_cond { l.t("条件分支", "Condition branch") } else { l.t("并行分支", "Parallel branch") }}</h2>
            <label class="field"><span>{l.t("分支名称", "Name")}</span>
                <input class="arm-name" maxlength="40" prop:value=move || info().map(|i| i.0).unwrap_or_default() on:input=move |e| {
                    let v = event_target_value(&e);
                    let a = arm_sig.get_untracked();
                    ed.edit(Some(format!("arm-name:{}:{a}", idv.get_value())), move |d| {
                        match design::node_mut(&mut d.flow, &idv.get_value()) {
                            Some(Node::Conditions { arms, .. }) => if let Some(x) = arms.get_mut(a) { x.name = v; },
                            Some(Node::Parallel { arms, .. }) => if let Some(x) = arms.get_mut(a) { x.name = v; },
                            _ => {}
                        }
                        Ok(())
                    });
                }/>
            </label>
            {move || (is_cond && !is_default()).then(|| view! {
                <label class="field"><span>{l.t("满足", "Match")}</span>
                    <select class="group-mode" on:change=move |e| { let (_, items) = group(); set_cond(event_target_value(&e) == "all", items, None); }>
                        <option value="all" selected=move || group().0>{l.t("以下全部条件（且）", "all of these (and)")}</option>
                        <option value="any" selected=move || !group().0>{l.t("以下任一条件（或）", "any of these (or)")}</option>
                    </select>
                </label>
                {move || (0..n_items.get()).map(|i| {
                    let part = move || group().1.get(i).and_then(compare_parts);
                    let put = move |f: Option<String>, op: Option<CmpOp>, v: Option<String>, tag: Option<String>| {
                        let (all, mut items) = group();
                        let (of, oo, ov) = items.get(i).and_then(compare_parts).unwrap_or((String::new(), CmpOp::Eq, String::new()));
                        let field = f.unwrap_or(of);
                        let op = op.unwrap_or(oo);
                        let text = v.unwrap_or(ov);
                        if i < items.len() {
                            items[i] = Condition::Compare { value: value_for(&field, op, &text), field, op };
                        }
                        set_cond(all, items, tag);
                    };
                    view! {
                        <div class="cond-row" data-cond=i>
                            <select class="cond-field" on:change=move |e| put(Some(event_target_value(&e)), None, None, None)>
                                <option value="">{l.t("字段…", "Field…")}</option>
                                {move || fields().into_iter().map(|(k, lab)| {
                                    let k2 = k.clone();
                                    view! { <option value=k selected=move || part().is_some_and(|p| p.0 == k2)>{lab}</option> }
                                }).collect_view()}
                                <option value=REQUESTER_DEPARTMENT selected=move || part().is_some_and(|p| p.0 == REQUESTER_DEPARTMENT)>{l.t("发起人部门", "Requester's department")}</option>
                            </select>
                            <select class="cond-op" on:change=move |e| {
                                let op: Option<CmpOp> = serde_json::from_value(Value::String(event_target_value(&e))).ok();
                                put(None, op, None, None);
                            }>
                                {[CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le, CmpOp::In, CmpOp::Contains, CmpOp::IsEmpty].into_iter().map(|op| {
                                    let key = serde_json::to_value(op).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                                    view! { <option value=key selected=move || part().is_some_and(|p| p.1 == op)>{op_label(l, op)}</option> }
                                }).collect_view()}
                            </select>
                            {move || if part().is_some_and(|p| p.0 == REQUESTER_DEPARTMENT) {
                                view! {
                                    <select class="cond-value" on:change=move |e| put(None, None, Some(event_target_value(&e)), None)>
                                        <option value="">{l.t("部门…", "Department…")}</option>
                                        {ed.dir.with_value(|d| d.departments.iter().map(|x| {
                                            let v = x.id.to_string();
                                            let v2 = v.clone();
                                            view! { <option value=v selected=move || part().is_some_and(|p| p.2 == v2)>{x.name.clone()}</option> }
                                        }).collect_view())}
                                    </select>
                                }.into_any()
                            } else {
                                view! {
                                    <input class="cond-value" placeholder=l.t("值", "Value") prop:value=move || part().map(|p| p.2).unwrap_or_default()
                                        on:input=move |e| put(None, None, Some(event_target_value(&e)), Some(format!("cv:{i}")))/>
                                }.into_any()
                            }}
                            <button type="button" class="btn btn-ghost btn-sm" aria-label=l.t("删除条件", "Remove condition") on:click=move |_| {
                                let (all, mut items) = group();
                                if i < items.len() { items.remove(i); }
                                set_cond(all, items, None);
                            }>"×"</button>
                        </div>
                    }
                }).collect_view()}
                <button type="button" class="btn btn-sm" id="cond-add" on:click=move |_| {
                    let (all, mut items) = group();
                    let first = ed.doc.with_untracked(|d| d.form.fields.iter().find(|f| !matches!(f.kind, FieldKind::Table { .. } | FieldKind::Attachment { .. })).map(|f| f.key.clone())).unwrap_or_default();
                    items.push(Condition::Compare { field: first, op: CmpOp::Gt, value: Value::String(String::new()) });
                    set_cond(all, items, None);
                }>{l.t("+ 添加条件", "+ Add a comparison")}</button>
            })}
            {move || is_default().then(|| view! { <p class="muted small">{l.t("默认分支：其他条件都不满足时执行。", "The default branch runs when no other condition holds.")}</p> })}
            <div class="panel-actions">
                {move || (!is_default()).then(|| view! {
                    <button type="button" class="btn btn-sm" id="arm-earlier" on:click=move |_| {
                        let a = arm_sig.get_untracked();
                        let mut to = a;
                        ed.edit(None, |d| design::shift_arm(&mut d.flow, &idv.get_value(), a, -1).map(|t| to = t).map_err(|e| e.to_string()));
                        arm_sig.set(to);
                        ed.sel.set(Sel::Arm(idv.get_value(), to));
                    }>{if is_cond { l.t("提高优先级", "Higher priority") } else { l.t("左移", "Move left") }}</button>
                    <button type="button" class="btn btn-sm" id="arm-later" on:click=move |_| {
                        let a = arm_sig.get_untracked();
                        let mut to = a;
                        ed.edit(None, |d| design::shift_arm(&mut d.flow, &idv.get_value(), a, 1).map(|t| to = t).map_err(|e| e.to_string()));
                        arm_sig.set(to);
                        ed.sel.set(Sel::Arm(idv.get_value(), to));
                    }>{if is_cond { l.t("降低优先级", "Lower priority") } else { l.t("右移", "Move right") }}</button>
                    <button type="button" class="btn btn-sm btn-danger" id="arm-remove" on:click=move |_| {
                        let a = arm_sig.get_untracked();
                        ed.edit(None, |d| design::remove_arm(&mut d.flow, &idv.get_value(), a).map_err(|e| e.to_string()));
                        ed.sel.set(Sel::None);
                    }>{l.t("删除分支", "Remove branch")}</button>
                })}
            </div>
        </div>
    }
}

// ---------------------------------------------------------------- the form designer

#[component]
fn FormDesigner(problems: Problems) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let phone = RwSignal::new(false);
    let fslot = move |i: usize| {
        let k = i.to_string();
        let k2 = k.clone();
        view! { <div class="fm-slot" data-fslot=k class:hover=move || ed.hover.with(|h| h.as_deref() == Some(k2.as_str()))></div> }
    };
    view! {
        <div class="designer-body">
            <aside class="designer-palette" aria-label=l.t("字段", "Fields")>
                <h2>{l.t("拖入表单", "Drag into the form")}</h2>
                {design::FIELD_TYPES.into_iter().map(|t| view! {
                    <button type="button" class="palette-item fm-item" data-field-type=t
                        on:pointerdown=move |e| {
                            if e.button() != 0 { return; }
                            e.prevent_default();
                            ed.drag.set(Some(Drag { what: DragWhat::NewField(t), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                        }
                        on:click=move |_| {
                            let label = field_label(l, t);
                            ed.edit(None, |d| { let f = design::new_field(&d.form, t, label).ok_or("unknown type")?; d.form.fields.push(f); Ok(()) });
                            ed.sel.set(Sel::Field(ed.doc.with_untracked(|d| d.form.fields.len().saturating_sub(1))));
                        }>
                        <span class="dot"></span>{field_label(l, t)}
                    </button>
                }).collect_view()}
            </aside>
            <div class="fm-canvas">
                <div class="fm-preview-switch" role="group" aria-label=l.t("预览宽度", "Preview width")>
                    <button type="button" class="btn btn-sm" class:btn-primary=move || !phone.get() id="preview-desktop" on:click=move |_| phone.set(false)>{l.t("电脑", "Desktop")}</button>
                    <button type="button" class="btn btn-sm" class:btn-primary=move || phone.get() id="preview-phone" on:click=move |_| phone.set(true)>{l.t("手机", "Phone")}</button>
                </div>
                <div class="fm-form" class:phone=move || phone.get() id="form-preview">
                    {move || {
                        let fields = ed.doc.with(|d| d.form.fields.clone());
                        let errs = problems.with(|p| p.1.clone());
                        if fields.is_empty() {
                            return view! { <div class="fm-empty" data-fslot="0" class:hover=move || ed.hover.with(|h| h.as_deref() == Some("0"))>
                                {l.t("把左侧的字段拖到这里", "Drag fields here from the left")}</div> }.into_any();
                        }
                        let mut out: Vec<AnyView> = vec![fslot(0).into_any()];
                        for (i, f) in fields.iter().enumerate() {
                            let err = errs.get(&f.key).cloned().unwrap_or_default();
                            let has_err = !err.is_empty();
                            out.push(view! {
                                <div class="fm-field" class:selected=move || ed.sel.get() == Sel::Field(i) class:has-error=has_err
                                    data-field=f.key.clone() role="button" tabindex="0"
                                    on:click=move |_| ed.sel.set(Sel::Field(i))
                                    on:keydown=move |e| { if e.key() == "Enter" { ed.sel.set(Sel::Field(i)); } }
                                    on:pointerdown=move |e| {
                                        if e.button() != 0 { return; }
                                        ed.drag.set(Some(Drag { what: DragWhat::MoveField(i), ox: e.client_x(), oy: e.client_y(), x: e.client_x(), y: e.client_y(), started: false }));
                                    }>
                                    {preview_field(l, f)}
                                    {(!err.is_empty()).then(|| view! { <ul class="fd-errs">{err.into_iter().map(|e| view! { <li>{e}</li> }).collect_view()}</ul> })}
                                </div>
                            }.into_any());
                            out.push(fslot(i + 1).into_any());
                        }
                        out.into_any()
                    }}
                </div>
            </div>
            <aside class="designer-panel">
                {move || match ed.sel.get() {
                    Sel::Field(i) if ed.doc.with_untracked(|d| i < d.form.fields.len()) => view! { <FieldPanel i/> }.into_any(),
                    _ => view! { <p class="muted panel-section">{l.t("点击表单中的字段编辑其属性。", "Click a field of the form to edit it.")}</p> }.into_any(),
                }}
            </aside>
        </div>
    }
}

/// A field as the request form shows it (inputs inert: this is the designer's preview).
fn preview_field(l: Lang, f: &Field) -> AnyView {
    let input = match &f.kind {
        FieldKind::LongText { .. } => view! { <textarea disabled rows="2"></textarea> }.into_any(),
        FieldKind::Select { options } | FieldKind::MultiSelect { options } => view! {
            <select disabled><option>{options.first().map(|o| o.label.clone()).unwrap_or_default()}</option></select>
        }.into_any(),
        FieldKind::Table { columns } => view! {
            <div class="fm-table">
                <div class="fm-table-row head">{columns.iter().map(|c| view! { <span>{c.label.clone()}</span> }).collect_view()}</div>
                <div class="fm-table-row">{columns.iter().map(|_| view! { <span class="cell"></span> }).collect_view()}</div>
                <span class="muted small">{l.t("+ 添加一行", "+ Add a row")}</span>
            </div>
        }.into_any(),
        FieldKind::Total { .. } | FieldKind::WorkingDays { .. } => view! { <output class="fm-total">"0.00"</output> }.into_any(),
        FieldKind::Attachment { .. } => view! { <span class="btn btn-sm">{l.t("上传附件", "Upload")}</span> }.into_any(),
        FieldKind::DateRange => view! { <span class="range"><input disabled type="date"/>" — "<input disabled type="date"/></span> }.into_any(),
        FieldKind::Date => view! { <input disabled type="date"/> }.into_any(),
        FieldKind::Money { .. } => view! { <span class="money-input"><span>"¥"</span><input disabled/></span> }.into_any(),
        _ => view! { <input disabled/> }.into_any(),
    };
    view! {
        <div class="field">
            <label>{f.label.clone()}{f.required.then(|| view! { <span class="req">"*"</span> })}
                <small class="muted">" "{field_label(l, field_type(&f.kind))}" · "{f.key.clone()}</small></label>
            {input}
            {f.help.clone().map(|h| view! { <p class="hint">{h}</p> })}
        </div>
    }
    .into_any()
}

#[component]
fn FieldPanel(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let f = move || ed.doc.with(|d| d.form.fields.get(i).cloned());
    let kind = Memo::new(move |_| f().map(|f| field_type(&f.kind)).unwrap_or("text"));
    let used_by = move || {
        ed.doc.with(|d| {
            let key = d.form.fields.get(i).map(|f| f.key.clone()).unwrap_or_default();
            let mut names = Vec::new();
            for n in d.flow.walk() {
                if let Node::Conditions { arms, name, .. } = n
                    && arms.iter().any(|a| a.condition.as_ref().is_some_and(|c| uses(c, &key)))
                {
                    names.push(name.clone());
                }
            }
            names
        })
    };
    view! {
        <div class="panel-section" data-panel-field=i>
            <h2>{move || field_label(l, kind.get())}</h2>
            <label class="field"><span>{l.t("标题", "Label")}</span>
                <input class="field-label" maxlength="40" prop:value=move || f().map(|f| f.label).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.field_edit(i, "label", move |f, _| f.label = v); }/></label>
            <label class="field"><span>{l.t("字段标识", "Key")}</span>
                <input class="field-key" maxlength="40" prop:value=move || f().map(|f| f.key).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.field_edit(i, "key", move |f, _| f.key = v); }/></label>
            {move || { let u = used_by(); (!u.is_empty()).then(|| view! {
                <p class="hint">{l.t("被这些条件使用：", "Used by the conditions of: ")}{u.join("、")}</p>
            }) }}
            <label class="check"><input type="checkbox" class="field-required" prop:checked=move || f().is_some_and(|f| f.required)
                on:change=move |e| { let v = event_target_checked(&e); ed.field_edit(i, "req", move |f, _| f.required = v); }/>
                <span>{l.t("必填", "Required")}</span></label>
            <label class="field"><span>{l.t("填写说明", "Help text")}</span>
                <input maxlength="200" prop:value=move || f().and_then(|f| f.help).unwrap_or_default()
                    on:input=move |e| { let v = event_target_value(&e); ed.field_edit(i, "help", move |f, _| f.help = (!v.is_empty()).then_some(v)); }/></label>
            {move || match kind.get() {
                "select" | "multi_select" => view! { <OptionsEditor i/> }.into_any(),
                "number" => view! {
                    <div class="row-form">
                        <label class="field"><span>{l.t("最小值", "Min")}</span><input type="number" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Number { min: Some(m), .. }) => m.to_string(), _ => String::new() } }
                            on:input=move |e| { let v = event_target_value(&e).parse().ok(); ed.field_edit(i, "min", move |f, _| if let FieldKind::Number { min, .. } = &mut f.kind { *min = v; }); }/></label>
                        <label class="field"><span>{l.t("最大值", "Max")}</span><input type="number" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Number { max: Some(m), .. }) => m.to_string(), _ => String::new() } }
                            on:input=move |e| { let v = event_target_value(&e).parse().ok(); ed.field_edit(i, "max", move |f, _| if let FieldKind::Number { max, .. } = &mut f.kind { *max = v; }); }/></label>
                    </div>
                }.into_any(),
                "text" | "long_text" => view! {
                    <label class="field"><span>{l.t("最多字数", "Max length")}</span><input type="number" min="1" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Text { max_len: Some(m) } | FieldKind::LongText { max_len: Some(m) }) => m.to_string(), _ => String::new() } }
                        on:input=move |e| { let v = event_target_value(&e).parse().ok(); ed.field_edit(i, "maxlen", move |f, _| match &mut f.kind { FieldKind::Text { max_len } | FieldKind::LongText { max_len } => *max_len = v, _ => {} }); }/></label>
                }.into_any(),
                "money" => view! {
                    <label class="check"><input type="checkbox" prop:checked=move || matches!(f().map(|f| f.kind), Some(FieldKind::Money { allow_negative: true }))
                        on:change=move |e| { let v = event_target_checked(&e); ed.field_edit(i, "neg", move |f, _| if let FieldKind::Money { allow_negative } = &mut f.kind { *allow_negative = v; }); }/>
                        <span>{l.t("允许负数", "Allow negative amounts")}</span></label>
                }.into_any(),
                "attachment" => view! {
                    <label class="field"><span>{l.t("最多文件数", "Max files")}</span><input type="number" min="1" max="20" prop:value=move || { match f().map(|f| f.kind) { Some(FieldKind::Attachment { max_files }) => max_files.to_string(), _ => String::new() } }
                        on:input=move |e| { if let Ok(v) = event_target_value(&e).parse::<u32>() { ed.field_edit(i, "files", move |f, _| if let FieldKind::Attachment { max_files } = &mut f.kind { *max_files = v; }); } }/></label>
                }.into_any(),
                "table" => view! { <ColumnsEditor i/> }.into_any(),
                "total" => view! { <TotalEditor i/> }.into_any(),
                _ => ().into_any(),
            }}
            <div class="panel-actions">
                <button type="button" class="btn btn-sm" on:click=move |_| { if i > 0 { ed.edit(None, |d| { d.form.fields.swap(i, i - 1); Ok(()) }); ed.sel.set(Sel::Field(i - 1)); } }>{l.t("上移", "Move up")}</button>
                <button type="button" class="btn btn-sm" on:click=move |_| { if ed.doc.with_untracked(|d| i + 1 < d.form.fields.len()) { ed.edit(None, |d| { d.form.fields.swap(i, i + 1); Ok(()) }); ed.sel.set(Sel::Field(i + 1)); } }>{l.t("下移", "Move down")}</button>
                <button type="button" class="btn btn-sm btn-danger" id="field-delete" on:click=move |_| { ed.edit(None, |d| { if i < d.form.fields.len() { d.form.fields.remove(i); } Ok(()) }); ed.sel.set(Sel::None); }>{l.t("删除字段", "Delete field")}</button>
            </div>
        </div>
    }
}

fn uses(c: &Condition, key: &str) -> bool {
    match c {
        Condition::Compare { field, .. } => field == key,
        Condition::All { items } | Condition::Any { items } => items.iter().any(|i| uses(i, key)),
    }
}

/// An edit of a list inside a field (its options, a table's columns).
type ListEdit<T> = Box<dyn FnOnce(&mut Vec<T>) + Send + Sync>;

#[component]
fn OptionsEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let opts = move || {
        ed.doc.with(|d| match d.form.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Select { options } | FieldKind::MultiSelect { options }) => options.clone(),
            _ => vec![],
        })
    };
    let n = Memo::new(move |_| opts().len());
    let edit = move |tag: String, f: ListEdit<SelectOption>| {
        ed.field_edit(i, &tag, move |fld, _| {
            if let FieldKind::Select { options } | FieldKind::MultiSelect { options } = &mut fld.kind {
                f(options);
            }
        });
    };
    view! {
        <fieldset class="options"><legend>{l.t("选项（显示文字 / 值）", "Options (label / value)")}</legend>
            {move || (0..n.get()).map(|j| view! {
                <div class="row-form option-row">
                    <input prop:value=move || opts().get(j).map(|o| o.label.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("ol{j}"), Box::new(move |o| if let Some(x) = o.get_mut(j) { x.label = v; })); }/>
                    <input class="opt-value" prop:value=move || opts().get(j).map(|o| o.value.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("ov{j}"), Box::new(move |o| if let Some(x) = o.get_mut(j) { x.value = v; })); }/>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| { edit("orm".into(), Box::new(move |o| { if j < o.len() { o.remove(j); } })); }>"×"</button>
                </div>
            }).collect_view()}
            <button type="button" class="btn btn-sm" on:click=move |_| edit("oadd".into(), Box::new(|o| { let k = o.len() + 1; o.push(SelectOption { value: format!("o{k}"), label: format!("选项{k}") }); }))>
                {l.t("+ 添加选项", "+ Add an option")}</button>
        </fieldset>
    }
}

#[component]
fn ColumnsEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let cols = move || {
        ed.doc.with(|d| match d.form.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Table { columns }) => columns.clone(),
            _ => vec![],
        })
    };
    let n = Memo::new(move |_| cols().len());
    let edit = move |tag: String, f: ListEdit<Field>| {
        ed.field_edit(i, &tag, move |fld, _| {
            if let FieldKind::Table { columns } = &mut fld.kind {
                f(columns);
            }
        });
    };
    view! {
        <fieldset class="columns"><legend>{l.t("明细列", "Columns")}</legend>
            {move || (0..n.get()).map(|j| view! {
                <div class="row-form col-row">
                    <input class="col-label" prop:value=move || cols().get(j).map(|c| c.label.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("cl{j}"), Box::new(move |c| if let Some(x) = c.get_mut(j) { x.label = v; })); }/>
                    <input class="col-key" prop:value=move || cols().get(j).map(|c| c.key.clone()).unwrap_or_default()
                        on:input=move |e| { let v = event_target_value(&e); edit(format!("ck{j}"), Box::new(move |c| if let Some(x) = c.get_mut(j) { x.key = v; })); }/>
                    <select class="col-type" on:change=move |e| {
                        let t = event_target_value(&e);
                        edit("ct".into(), Box::new(move |c| if let Some(x) = c.get_mut(j) {
                            x.kind = match t.as_str() { "money" => FieldKind::Money { allow_negative: false }, "number" => FieldKind::Number { min: None, max: None }, "date" => FieldKind::Date, _ => FieldKind::Text { max_len: Some(100) } };
                        }));
                    }>
                        {["text", "number", "money", "date"].into_iter().map(|t| view! {
                            <option value=t selected=move || cols().get(j).is_some_and(|c| field_type(&c.kind) == t)>{field_label(l, t)}</option>
                        }).collect_view()}
                    </select>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| { edit("crm".into(), Box::new(move |c| { if j < c.len() { c.remove(j); } })); }>"×"</button>
                </div>
            }).collect_view()}
            <button type="button" class="btn btn-sm" id="col-add" on:click=move |_| edit("cadd".into(), Box::new(|c| {
                let k = (1..).map(|n| format!("col{n}")).find(|k| !c.iter().any(|x| &x.key == k)).unwrap_or_default();
                c.push(Field { key: k, label: "新列".into(), kind: FieldKind::Text { max_len: Some(100) }, required: false, help: None });
            }))>{l.t("+ 添加列", "+ Add a column")}</button>
        </fieldset>
    }
}

#[component]
fn TotalEditor(i: usize) -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let cur = move || {
        ed.doc.with(|d| match d.form.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Total { table, column }) => (table.clone(), column.clone()),
            _ => Default::default(),
        })
    };
    let choices = move || {
        ed.doc.with(|d| {
            d.form
                .fields
                .iter()
                .filter_map(|f| match &f.kind {
                    FieldKind::Table { columns } => Some(
                        columns
                            .iter()
                            .filter(|c| matches!(c.kind, FieldKind::Money { .. }))
                            .map(|c| (format!("{}.{}", f.key, c.key), format!("{} · {}", f.label, c.label)))
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                })
                .flatten()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <label class="field"><span>{l.t("合计哪一列", "Sum of")}</span>
            <select class="total-of" on:change=move |e| {
                let v = event_target_value(&e);
                if let Some((t, c)) = v.split_once('.') {
                    let (t, c) = (t.to_owned(), c.to_owned());
                    ed.field_edit(i, "total", move |f, _| f.kind = FieldKind::Total { table: t, column: c });
                }
            }>
                <option value="">{l.t("选择明细表的金额列…", "Choose a money column of a table…")}</option>
                {move || choices().into_iter().map(|(v, t)| {
                    let v2 = v.clone();
                    view! { <option value=v selected=move || { let (a, b) = cur(); format!("{a}.{b}") == v2 }>{t}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

// ---------------------------------------------------------------- simulation

#[component]
fn Simulator() -> impl IntoView {
    let ed = expect_context::<Ed>();
    let l = ed.l;
    let first_user =
        ed.dir.with_value(|d| d.users.iter().find(|u| u.active && u.manager.is_some()).map(|u| u.id)).unwrap_or(0);
    let requester = RwSignal::new(first_user);
    let values = RwSignal::new(HashMap::<String, String>::new());
    let inputs = move || {
        ed.doc.with(|d| {
            d.form
                .fields
                .iter()
                .filter(|f| {
                    !matches!(f.kind, FieldKind::Table { .. } | FieldKind::Attachment { .. } | FieldKind::DateRange)
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let result = Memo::new(move |_| {
        let doc = ed.doc.get();
        let vals = values.get();
        let who = requester.get();
        let mut form = Map::new();
        for (k, v) in vals {
            if !v.trim().is_empty() {
                form.insert(k, Value::String(v.trim().to_owned()));
            }
        }
        ed.dir.with_value(|dir| {
            let depts = dir.departments_of(who);
            let picks = HashMap::new();
            let facts = Facts { form: &form, requester_departments: &depts };
            let req = Request { requester: who, facts, picks: &picks };
            let steps = predict(&doc.flow, &req, dir);
            let mut mark = PathMark::default();
            fn mark_steps(steps: &[Step], m: &mut PathMark) {
                for s in steps {
                    match s {
                        Step::Node { id, .. } => {
                            m.nodes.insert(id.clone());
                        }
                        Step::Parallel { id, arms, .. } => {
                            m.nodes.insert(id.clone());
                            for (_, st) in arms {
                                mark_steps(st, m);
                            }
                        }
                    }
                }
            }
            mark_steps(&steps, &mut mark);
            // The arms taken, along the path.
            let facts = Facts { form: &form, requester_departments: &depts };
            fn arms_taken(nodes: &[Node], facts: &Facts<'_>, m: &mut PathMark) {
                for n in nodes {
                    match n {
                        Node::Conditions { id, arms, .. } => {
                            if let Some(a) = chosen_arm(arms, facts) {
                                let idx = arms.iter().position(|x| std::ptr::eq(x, a)).unwrap_or(0);
                                m.nodes.insert(id.clone());
                                m.arms.insert((id.clone(), idx));
                                arms_taken(&a.nodes, facts, m);
                            }
                        }
                        Node::Parallel { id, arms, .. } => {
                            for (i, a) in arms.iter().enumerate() {
                                m.arms.insert((id.clone(), i));
                                arms_taken(&a.nodes, facts, m);
                            }
                        }
                        _ => {}
                    }
                }
            }
            arms_taken(&doc.flow.nodes, &facts, &mut mark);
            let lines = step_lines(l, &steps, dir);
            (mark, lines)
        })
    });
    view! {
        <div class="designer-body sim">
            <aside class="designer-palette sim-inputs" aria-label=l.t("样例", "Sample")>
                <h2>{l.t("样例数据", "Sample request")}</h2>
                <label class="field"><span>{l.t("发起人", "Requester")}</span>
                    <select id="sim-requester" on:change=move |e| { if let Ok(u) = event_target_value(&e).parse() { requester.set(u); } }>
                        {ed.dir.with_value(|d| d.users.iter().filter(|u| u.active).map(|u| {
                            let id = u.id;
                            view! { <option value=u.id selected=move || requester.get() == id>{format!("{} · {}", u.name, u.position)}</option> }
                        }).collect_view())}
                    </select>
                </label>
                {move || inputs().into_iter().map(|f| {
                    let k = f.key.clone();
                    let k2 = f.key.clone();
                    let input = match &f.kind {
                        FieldKind::Select { options } | FieldKind::MultiSelect { options } => view! {
                            <select data-sim=k.clone() on:change=move |e| { let v = event_target_value(&e); values.update(|m| { m.insert(k2.clone(), v); }); }>
                                <option value="">"—"</option>
                                {options.iter().map(|o| view! { <option value=o.value.clone()>{o.label.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any(),
                        _ => view! {
                            <input data-sim=k.clone() prop:value=move || values.with(|m| m.get(&k).cloned().unwrap_or_default())
                                on:input=move |e| { let v = event_target_value(&e); values.update(|m| { m.insert(k2.clone(), v); }); }/>
                        }.into_any(),
                    };
                    view! { <label class="field"><span>{f.label.clone()}</span>{input}</label> }
                }).collect_view()}
                <p class="muted small">{l.t("用引擎自己的路由规则在浏览器中计算，与提交后的实际流转一致。",
                    "Computed in the browser by the engine's own routing: what a real request would do.")}</p>
            </aside>
            <div class="fd-canvas">
                <div class="fd-flow">
                    <div class="fd-start">{l.t("发起人", "Requester")}</div>
                    {move || {
                        let d = ed.doc.get();
                        let (mark, _) = result.get();
                        seq_view(ed, &d.flow.nodes, None, &HashMap::new(), Some(&mark))
                    }}
                    <div class="fd-end">{l.t("流程结束", "End")}</div>
                </div>
            </div>
            <aside class="designer-panel">
                <div class="panel-section">
                    <h2>{l.t("审批路径", "Path")}</h2>
                    <ol class="sim-steps" id="sim-steps">
                        {move || result.get().1.into_iter().map(|(name, who)| view! { <li><strong>{name}</strong><span>{who}</span></li> }).collect_view()}
                    </ol>
                </div>
            </aside>
        </div>
    }
}

fn step_lines(l: Lang, steps: &[Step], dir: &Directory) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in steps {
        match s {
            Step::Node { name, assignment, .. } => {
                let who = match assignment {
                    Assignment::Assigned { users } => {
                        users.iter().map(|u| dir.user_name(*u)).collect::<Vec<_>>().join("、")
                    }
                    Assignment::Skipped { .. } => l.t("（跳过：无人处理）", "(skipped: nobody)").to_owned(),
                };
                out.push((name.clone(), who));
            }
            Step::Parallel { name, arms, .. } => {
                for (arm, st) in arms {
                    for (n, w) in step_lines(l, st, dir) {
                        out.push((format!("{name} / {arm} / {n}"), w));
                    }
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------- versions

#[component]
fn Versions(key: String, tick: RwSignal<u32>, version: RwSignal<i32>) -> impl IntoView {
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
                    ed.note.set(Some((true, format!("{} v{v} → v{}", l.t("已回滚", "Rolled back"), t.version))));
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
                        Ok(vs) if vs.is_empty() => view! { <p class="empty">{l.t("还没有发布过。", "Not published yet.")}</p> }.into_any(),
                        Ok(vs) => {
                            if to.get_untracked() == 0 && let Some(first) = vs.first() {
                                to.set(first.version);
                                from.set(vs.get(1).map_or(first.version, |v| v.version));
                            }
                            let options = vs.iter().map(|v| v.version).collect::<Vec<_>>();
                            view! {
                                <div class="card">
                                    <table class="table" id="version-table">
                                        <thead><tr><th>{l.t("版本", "Version")}</th><th>{l.t("发布时间", "Published")}</th><th>{l.t("发布人", "By")}</th>
                                            <th>{l.t("说明", "Note")}</th><th>{l.t("使用中的申请", "Requests")}</th><th></th></tr></thead>
                                        <tbody>
                                            {vs.into_iter().map(|v| {
                                                let n = v.version;
                                                view! {
                                                    <tr data-version=n>
                                                        <td><strong>{format!("v{n}")}</strong>{v.current.then(|| view! { " "<span class="badge badge-ok">{l.t("当前", "Current")}</span> })}</td>
                                                        <td>{fmt_time(&v.published_at)}</td>
                                                        <td>{v.published_by.map(|u| u.display_name).unwrap_or_else(|| l.t("系统", "System").into())}</td>
                                                        <td>{v.note.clone()}</td>
                                                        <td class="num">{v.instances}</td>
                                                        <td class="nowrap">
                                                            <a class="btn btn-ghost btn-sm" href=format!("/api/v1/templates/{}/export?version={n}", keyv.get_value()) download>{l.t("导出", "Export")}</a>
                                                            {(!v.current).then(|| view! {
                                                                <button type="button" class="btn btn-sm rollback" on:click=move |_| rollback(n)>{l.t("回滚到此版本", "Roll back to this")}</button>
                                                            })}
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <div class="card diff">
                                    <h2>{l.t("版本对比", "Compare versions")}</h2>
                                    <div class="row-form">
                                        <label class="field"><span>{l.t("从", "From")}</span>
                                            <select id="diff-from" on:change=move |e| { if let Ok(v) = event_target_value(&e).parse() { from.set(v); } }>
                                                {options.iter().map(|v| { let v = *v; view! { <option value=v selected=move || from.get() == v>{format!("v{v}")}</option> } }).collect_view()}
                                            </select></label>
                                        <label class="field"><span>{l.t("到", "To")}</span>
                                            <select id="diff-to" on:change=move |e| { if let Ok(v) = event_target_value(&e).parse() { to.set(v); } }>
                                                {options.iter().map(|v| { let v = *v; view! { <option value=v selected=move || to.get() == v>{format!("v{v}")}</option> } }).collect_view()}
                                            </select></label>
                                    </div>
                                    <Transition fallback=Loading>
                                        {move || Suspend::new(async move {
                                            match diff.await {
                                                Ok(ch) if ch.is_empty() => view! { <p class="muted">{l.t("两个版本相同。", "The two versions are the same.")}</p> }.into_any(),
                                                Ok(ch) => view! { <ul class="diff-list" id="diff-list">{ch.into_iter().map(|c| change_view(l, c)).collect_view()}</ul> }.into_any(),
                                                Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                                            }
                                        })}
                                    </Transition>
                                </div>
                            }.into_any()
                        }
                        Err(AppError::NotFound) => view! { <p class="empty">{l.t("还没有发布过。", "Not published yet.")}</p> }.into_any(),
                        Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

fn change_view(l: Lang, c: Change) -> impl IntoView {
    let (cls, word) = match c.kind {
        ChangeKind::Added => ("badge-ok", l.t("新增", "Added")),
        ChangeKind::Removed => ("badge-danger", l.t("删除", "Removed")),
        ChangeKind::Changed => ("badge-info", l.t("修改", "Changed")),
    };
    let area = match c.area.as_str() {
        "node" => l.t("节点", "Node"),
        "field" => l.t("字段", "Field"),
        _ => l.t("模板", "Template"),
    };
    view! {
        <li data-change=format!("{}:{}", c.area, c.id)>
            <span class=format!("badge {cls}")>{word}</span>" "
            <span class="muted">{area}</span>" "<strong>{c.name.clone()}</strong>" "<code>{c.id.clone()}</code>
            {(!c.details.is_empty()).then(|| view! { <ul>{c.details.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul> })}
        </li>
    }
}
