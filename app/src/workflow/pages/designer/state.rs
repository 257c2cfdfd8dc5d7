//! The editor's state: the document being edited, the selection, drags, the open tab, and
//! every edit as one of `domain::workflow::design`'s operations.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq)]
pub(in crate::workflow::pages::designer) enum Sel {
    None,
    Node(String),
    Arm(String, usize),
    Field(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub(in crate::workflow::pages::designer) enum DragWhat {
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
pub(in crate::workflow::pages::designer) struct Drag {
    pub(in crate::workflow::pages::designer) what: DragWhat,
    pub(in crate::workflow::pages::designer) ox: i32,
    pub(in crate::workflow::pages::designer) oy: i32,
    pub(in crate::workflow::pages::designer) x: i32,
    pub(in crate::workflow::pages::designer) y: i32,
    pub(in crate::workflow::pages::designer) started: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::workflow::pages::designer) enum Tab {
    Flow,
    Form,
    Simulate,
    Versions,
}

/// The editor: the document with undo and redo, the selection, the drag under way.
#[derive(Clone, Copy)]
pub(in crate::workflow::pages::designer) struct Ed {
    pub(in crate::workflow::pages::designer) doc: RwSignal<TemplateDoc>,
    pub(in crate::workflow::pages::designer) undo: StoredValue<Vec<TemplateDoc>>,
    pub(in crate::workflow::pages::designer) redo: StoredValue<Vec<TemplateDoc>>,
    pub(in crate::workflow::pages::designer) last_tag: StoredValue<Option<String>>,
    pub(in crate::workflow::pages::designer) dirty: RwSignal<bool>,
    pub(in crate::workflow::pages::designer) sel: RwSignal<Sel>,
    pub(in crate::workflow::pages::designer) dir: StoredValue<Directory>,
    pub(in crate::workflow::pages::designer) drag: RwSignal<Option<Drag>>,
    pub(in crate::workflow::pages::designer) hover: RwSignal<Option<String>>,
    pub(in crate::workflow::pages::designer) note: RwSignal<Option<(bool, String)>>,
    /// The kind menu of a "+" slot opened from the keyboard or a click.
    pub(in crate::workflow::pages::designer) menu: RwSignal<Option<String>>,
    pub(in crate::workflow::pages::designer) l: Lang,
}

impl Ed {
    /// Applies an edit. Edits with the same `tag` in a row (typing into one input) make one
    /// undo step. A refused edit changes nothing and says why.
    pub(in crate::workflow::pages::designer) fn edit(
        &self,
        tag: Option<String>,
        f: impl FnOnce(&mut TemplateDoc) -> Result<(), String>,
    ) {
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
    pub(in crate::workflow::pages::designer) fn fix_sel(&self) {
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

    pub(in crate::workflow::pages::designer) fn undo(&self) {
        if let Some(prev) = self.undo.try_update_value(Vec::pop).flatten() {
            let cur = self.doc.get_untracked();
            self.redo.update_value(|r| r.push(cur));
            self.last_tag.set_value(None);
            self.doc.set(prev);
            self.dirty.set(true);
            self.fix_sel();
        }
    }

    pub(in crate::workflow::pages::designer) fn redo(&self) {
        if let Some(next) = self.redo.try_update_value(Vec::pop).flatten() {
            let cur = self.doc.get_untracked();
            self.undo.update_value(|u| u.push(cur));
            self.last_tag.set_value(None);
            self.doc.set(next);
            self.dirty.set(true);
            self.fix_sel();
        }
    }

    pub(in crate::workflow::pages::designer) fn insert_kind(&self, slot: &Slot, kind: NodeKind) {
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

    pub(in crate::workflow::pages::designer) fn node_edit(&self, id: &str, tag: &str, f: impl FnOnce(&mut Node)) {
        let id = id.to_owned();
        self.edit(Some(format!("{tag}:{id}")), move |d| {
            let n = design::node_mut(&mut d.flow, &id).ok_or_else(|| format!("no node {id}"))?;
            f(n);
            Ok(())
        });
    }

    pub(in crate::workflow::pages::designer) fn field_edit(
        &self,
        i: usize,
        tag: &str,
        f: impl FnOnce(&mut Field, &FormSchema),
    ) {
        self.edit(Some(format!("{tag}:{i}")), move |d| {
            let snapshot = d.form.clone();
            let fld = d.form.fields.get_mut(i).ok_or("no such field")?;
            f(fld, &snapshot);
            Ok(())
        });
    }
}

pub(in crate::workflow::pages::designer) fn slot_key(s: &Slot) -> String {
    match &s.parent {
        None => format!("root/{}", s.index),
        Some((id, arm)) => format!("{id}/{arm}/{}", s.index),
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub(in crate::workflow::pages::designer) fn parse_slot(k: &str) -> Option<Slot> {
    let parts: Vec<&str> = k.split('/').collect();
    match parts.as_slice() {
        ["root", i] => Some(Slot { parent: None, index: i.parse().ok()? }),
        [id, arm, i] => Some(Slot { parent: Some(((*id).to_owned(), arm.parse().ok()?)), index: i.parse().ok()? }),
        _ => None,
    }
}

/// The slot (`data-slot`) or field slot (`data-fslot`) under the pointer.
#[cfg(feature = "hydrate")]
pub(in crate::workflow::pages::designer) fn target_at(x: i32, y: i32, attr: &str) -> Option<String> {
    let doc = web_sys::window()?.document()?;
    let el = doc.element_from_point(x as f32, y as f32)?;
    let hit = el.closest(&format!("[{attr}]")).ok().flatten()?;
    hit.get_attribute(attr)
}
