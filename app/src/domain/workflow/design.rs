//! The designers' model (SPEC DES-1..4): the template document that is saved as a draft,
//! exported and imported; the edits the process designer makes to a flow (insert a node into
//! a slot, move, delete, add, remove and reorder branches), each refused with a reason when it
//! would break the flow's shape; checks of what a flow names against the organisation; and
//! the readable difference between two versions. Runs in the browser (the designer) and on
//! the server (import, publish, history) — the same code both places.

use super::flow::{ApproverRule, ConditionArm, EmptyRule, Flow, FlowProblem, MultiMode, Node, ParallelArm, SelfRule};
use super::form::{Field, FieldKind, FormSchema};
use super::route::OrgView;
use crate::domain::error::{ErrorCode, Invalid};
use crate::domain::validate::{optional_text, required_text};
use serde::{Deserialize, Serialize};

/// The format marker of an exported template file.
pub const FORMAT: &str = "tongban.template";
/// The version of the export format this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// A template as the designer edits it and as a file carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TemplateDoc {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub icon: String,
    pub form: FormSchema,
    pub flow: Flow,
}

/// The most fields a template's form may have (a form of 200 fields is a mistake, and a bound
/// keeps a pasted file from costing the server much).
pub const MAX_FIELDS: usize = 200;
/// The most nodes a template's flow may have.
pub const MAX_NODES: usize = 500;

/// The built-in request through which a second process owner (or an administrator) approves
/// a template change its publisher should not decide alone. Nobody designs, files or
/// resubmits it by hand.
pub const REVIEW_KEY: &str = "template_publish";

/// Why a document was refused before its form and flow are even looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocRefusal {
    /// A field of the document itself (`key`, `name`, …).
    Field(Invalid),
    /// The key is reserved for a built-in template nobody designs.
    ReservedKey,
    /// More than [`MAX_FIELDS`] form fields.
    TooManyFields,
    /// More than [`MAX_NODES`] flow nodes.
    TooManyNodes,
}

impl From<Invalid> for DocRefusal {
    fn from(e: Invalid) -> Self {
        Self::Field(e)
    }
}

impl std::fmt::Display for DocRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Field(e) => e.fmt(f),
            Self::ReservedKey => write!(f, "the key {REVIEW_KEY} is reserved"),
            Self::TooManyFields => write!(f, "a form has at most {MAX_FIELDS} fields"),
            Self::TooManyNodes => write!(f, "a flow has at most {MAX_NODES} nodes"),
        }
    }
}

/// A template key, trimmed: a lower-case letter, then a-z, 0-9, `_` and `-`, at most 40.
///
/// # Errors
/// `InvalidFormat` on `key`.
pub fn template_key(key: &str) -> Result<String, Invalid> {
    let k = key.trim();
    let ok = !k.is_empty()
        && k.len() <= 40
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok { Ok(k.to_owned()) } else { Err(Invalid::new("key", ErrorCode::InvalidFormat)) }
}

impl TemplateDoc {
    /// What a document must have even while unfinished — a key, a name, bounded texts and
    /// sizes — with its texts trimmed. The one check for drafts, imports, the designer's
    /// publish, the REST publish and the built-in templates; whether the form and flow are
    /// complete is [`check_doc`]'s question.
    ///
    /// # Errors
    /// The first refusal.
    pub fn normalise(&self) -> Result<Self, DocRefusal> {
        let mut d = self.clone();
        d.key = template_key(&self.key)?;
        if d.key == REVIEW_KEY {
            return Err(DocRefusal::ReservedKey);
        }
        d.name = required_text("name", &self.name, 40)?;
        d.category = optional_text("category", &self.category, 20)?;
        d.description = optional_text("description", &self.description, 500)?;
        d.icon = optional_text("icon", &self.icon, 40)?;
        if d.form.fields.len() > MAX_FIELDS {
            return Err(DocRefusal::TooManyFields);
        }
        if d.flow.walk().len() > MAX_NODES {
            return Err(DocRefusal::TooManyNodes);
        }
        Ok(d)
    }
}

/// An exported template file: the document with its format marker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportFile {
    pub format: String,
    pub format_version: u32,
    /// The version it was exported from (0 for an unpublished draft).
    #[serde(default)]
    pub exported_version: i32,
    pub template: TemplateDoc,
}

impl ExportFile {
    /// The file of a document.
    #[must_use]
    pub fn of(doc: &TemplateDoc, version: i32) -> Self {
        Self { format: FORMAT.into(), format_version: FORMAT_VERSION, exported_version: version, template: doc.clone() }
    }

    /// The file as pretty JSON, as it is downloaded.
    #[must_use]
    pub fn to_text(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// What is wrong with a file offered for import; the designer words it in the reader's
/// language (before the file leaves the browser), the API sends [`ImportProblem::english`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    Empty,
    /// Broken JSON at this line and column.
    NotJson {
        line: usize,
        column: usize,
    },
    /// JSON of another program's format (its `format` value).
    OtherFormat {
        format: String,
    },
    /// JSON without a `format` at all.
    NotTongban,
    /// A `format_version` this server does not read.
    Version {
        version: u64,
    },
    NoVersion,
    NoTemplate,
    /// The template lacks its `form` or `flow`.
    MissingPart {
        part: &'static str,
    },
    /// A field of the wrong shape; the JSON reader's own description, naming the field.
    Malformed {
        detail: String,
    },
}

impl ImportProblem {
    /// The problem as one English sentence, for the API.
    #[must_use]
    pub fn english(&self) -> String {
        match self {
            Self::Empty => "the file is empty".into(),
            Self::NotJson { line, column } => format!("the file is not JSON (line {line}, column {column})"),
            Self::OtherFormat { format } => format!("the file is a {format:?} file, not a Tongban template"),
            Self::NotTongban => {
                "the file is not a Tongban template export (no \"format\": \"tongban.template\")".into()
            }
            Self::Version { version } => {
                format!("format version {version} is not supported (this server reads {FORMAT_VERSION})")
            }
            Self::NoVersion => "the file has no format_version".into(),
            Self::NoTemplate => "the file has no template".into(),
            Self::MissingPart { part } => format!("the template has no {part}"),
            Self::Malformed { detail } => format!("the template is malformed: {detail}"),
        }
    }
}

/// Reads an exported template file. Checks the format and the JSON's shape only; the
/// template itself is checked like any other (`check_doc`).
///
/// # Errors
/// What is wrong and where (line and column for broken JSON, the path of a field of the
/// wrong shape).
pub fn parse_export(text: &str) -> Result<TemplateDoc, ImportProblem> {
    if text.trim().is_empty() {
        return Err(ImportProblem::Empty);
    }
    let value: serde_json::Value = serde_json::from_slice(text.as_bytes())
        .map_err(|e| ImportProblem::NotJson { line: e.line(), column: e.column() })?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(FORMAT) => {}
        Some(other) => return Err(ImportProblem::OtherFormat { format: other.chars().take(40).collect() }),
        None => return Err(ImportProblem::NotTongban),
    }
    match value.get("format_version").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        Some(v) => return Err(ImportProblem::Version { version: v }),
        None => return Err(ImportProblem::NoVersion),
    }
    let Some(t) = value.get("template") else { return Err(ImportProblem::NoTemplate) };
    for part in ["form", "flow"] {
        if t.get(part).is_none() {
            return Err(ImportProblem::MissingPart { part });
        }
    }
    serde_json::from_value(t.clone()).map_err(|e| ImportProblem::Malformed { detail: e.to_string() })
}

/// Everything wrong with a document, each problem naming its field or node, in the words the
/// publish refusal uses.
#[must_use]
pub fn check_doc(doc: &TemplateDoc) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(errs) = doc.form.check() {
        problems.extend(errs.into_iter().map(|e| e.to_string()));
    }
    if let Err(errs) = doc.flow.validate(&doc.form) {
        problems.extend(errs.into_iter().map(|e| e.to_string()));
    }
    problems
}

// ---------------------------------------------------------------- references

/// What a flow names, checked against the organisation: users that exist and are active,
/// roles that exist, departments that exist. Implemented by the designer's directory and by
/// the server's database check on publish.
pub trait Known {
    fn user_active(&self, id: i64) -> bool;
    fn role_exists(&self, key: &str) -> bool;
    fn department_exists(&self, id: i64) -> bool;
}

/// A flow's references that the organisation does not have, as node problems.
#[must_use]
pub fn check_refs(flow: &Flow, known: &impl Known) -> Vec<super::flow::FlowError> {
    let mut out = Vec::new();
    for n in flow.walk() {
        let mut err = |p: FlowProblem| out.push(super::flow::FlowError::on(n, p));
        let (rules, on_empty): (Vec<&ApproverRule>, Option<&EmptyRule>) = match n {
            Node::Approver { rule, on_empty, .. } | Node::Handler { rule, on_empty, .. } => {
                (vec![rule], Some(on_empty))
            }
            Node::Cc { targets, .. } => (targets.iter().collect(), None),
            _ => (vec![], None),
        };
        for r in rules {
            match r {
                ApproverRule::Users { ids } => {
                    for id in ids.iter().filter(|id| !known.user_active(**id)) {
                        err(FlowProblem::UnknownUser { id: *id });
                    }
                }
                ApproverRule::Role { key } if !key.trim().is_empty() && !known.role_exists(key) => {
                    err(FlowProblem::UnknownRole { key: key.clone() });
                }
                ApproverRule::DepartmentHead { department: Some(d) } if !known.department_exists(*d) => {
                    err(FlowProblem::UnknownDepartment { id: *d });
                }
                _ => {}
            }
        }
        if let Some(EmptyRule::User { id }) = on_empty
            && *id > 0
            && !known.user_active(*id)
        {
            err(FlowProblem::UnknownFallback { id: *id });
        }
    }
    out
}

/// The organisation as the designer sees it: people, departments and roles with the facts
/// routing asks about. The designer's pickers list it and its simulation routes with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Directory {
    pub users: Vec<DirUser>,
    pub departments: Vec<DirDept>,
    pub roles: Vec<DirRole>,
    pub admins: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirUser {
    pub id: i64,
    pub name: String,
    pub department: Option<i64>,
    pub manager: Option<i64>,
    pub position: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirDept {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    pub head: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirRole {
    pub key: String,
    pub name: String,
    pub members: Vec<i64>,
}

impl Directory {
    /// A user by id.
    #[must_use]
    pub fn user(&self, id: i64) -> Option<&DirUser> {
        self.users.iter().find(|u| u.id == id)
    }

    /// A user's name, or `#id`.
    #[must_use]
    pub fn user_name(&self, id: i64) -> String {
        self.user(id).map_or_else(|| format!("#{id}"), |u| u.name.clone())
    }

    /// A department by id.
    #[must_use]
    pub fn department(&self, id: i64) -> Option<&DirDept> {
        self.departments.iter().find(|d| d.id == id)
    }
}

impl OrgView for Directory {
    fn manager_of(&self, user: i64) -> Option<i64> {
        self.user(user).and_then(|u| u.manager)
    }
    fn department_of(&self, user: i64) -> Option<i64> {
        self.user(user).and_then(|u| u.department)
    }
    fn parent_of(&self, department: i64) -> Option<i64> {
        self.department(department).and_then(|d| d.parent)
    }
    fn head_of(&self, department: i64) -> Option<i64> {
        self.department(department).and_then(|d| d.head)
    }
    fn role_members(&self, role: &str) -> Vec<i64> {
        self.roles
            .iter()
            .find(|r| r.key == role)
            .map(|r| r.members.iter().copied().filter(|u| self.is_active(*u)).collect())
            .unwrap_or_default()
    }
    fn administrators(&self) -> Vec<i64> {
        self.admins.iter().copied().filter(|u| self.is_active(*u)).collect()
    }
    fn is_active(&self, user: i64) -> bool {
        self.user(user).is_some_and(|u| u.active)
    }
}

impl Known for Directory {
    fn user_active(&self, id: i64) -> bool {
        self.is_active(id)
    }
    fn role_exists(&self, key: &str) -> bool {
        self.roles.iter().any(|r| r.key == key)
    }
    fn department_exists(&self, id: i64) -> bool {
        self.department(id).is_some()
    }
}

// ---------------------------------------------------------------- editing a flow

/// The kinds of node the palette offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Approver,
    Handler,
    Cc,
    Conditions,
    Parallel,
}

impl NodeKind {
    /// Every kind, in palette order.
    pub const ALL: [NodeKind; 5] = [Self::Approver, Self::Handler, Self::Cc, Self::Conditions, Self::Parallel];

    /// The kind's key (used in the page's markup and the palette's drag data).
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::Approver => "approver",
            Self::Handler => "handler",
            Self::Cc => "cc",
            Self::Conditions => "conditions",
            Self::Parallel => "parallel",
        }
    }

    /// The kind with this key.
    #[must_use]
    pub fn from_key(k: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.key() == k)
    }

    /// The kind of a node.
    #[must_use]
    pub fn of(n: &Node) -> Self {
        match n {
            Node::Approver { .. } => Self::Approver,
            Node::Handler { .. } => Self::Handler,
            Node::Cc { .. } => Self::Cc,
            Node::Conditions { .. } => Self::Conditions,
            Node::Parallel { .. } => Self::Parallel,
        }
    }
}

/// A place between nodes: `index` in the sequence of the flow (`parent: None`) or of arm
/// `arm` of the branch node with id `parent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub parent: Option<(String, usize)>,
    pub index: usize,
}

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("there is no node {0}")]
    NoNode(String),
    #[error("there is no such place in the flow")]
    NoSlot,
    #[error("a node cannot move into itself")]
    IntoItself,
    #[error("a branch node keeps at least two branches")]
    TooFewArms,
    #[error("the default branch stays last and cannot be removed")]
    DefaultArm,
    #[error("this node has no branches")]
    NotABranch,
}

/// A node id not yet used in the flow: `prefix` and the next free number.
#[must_use]
pub fn fresh_id(flow: &Flow, prefix: &str) -> String {
    let used: std::collections::HashSet<&str> = flow.walk().into_iter().map(Node::id).collect();
    (1..).map(|i| format!("{prefix}{i}")).find(|c| !used.contains(c.as_str())).unwrap_or_default()
}

/// A new node of a kind with sensible defaults (an approver goes to the requester's direct
/// manager, falling to the administrators when there is none); branch nodes come with their
/// arms, the condition arm with an empty rule the designer shows as a problem until set.
#[must_use]
pub fn new_node(flow: &Flow, kind: NodeKind, name: &str) -> Node {
    let id = fresh_id(flow, kind.key());
    let name = name.to_owned();
    match kind {
        NodeKind::Approver => Node::Approver {
            id,
            name,
            rule: ApproverRule::Manager { levels: 1 },
            mode: MultiMode::All,
            on_empty: EmptyRule::Admin,
            requester_is_approver: SelfRule::Skip,
            timeout: None,
        },
        NodeKind::Handler => Node::Handler {
            id,
            name,
            rule: ApproverRule::Manager { levels: 1 },
            on_empty: EmptyRule::Admin,
            timeout: None,
        },
        NodeKind::Cc => Node::Cc { id, name, targets: vec![] },
        NodeKind::Conditions => Node::Conditions {
            id,
            name,
            arms: vec![
                ConditionArm {
                    name: "条件 1".into(),
                    condition: Some(super::flow::Condition::All { items: vec![] }),
                    nodes: vec![],
                },
                ConditionArm { name: "其他情况".into(), condition: None, nodes: vec![] },
            ],
        },
        NodeKind::Parallel => Node::Parallel {
            id,
            name,
            arms: vec![
                ParallelArm { name: "分支 1".into(), nodes: vec![] },
                ParallelArm { name: "分支 2".into(), nodes: vec![] },
            ],
        },
    }
}

fn find_node_mut<'a>(nodes: &'a mut [Node], id: &str) -> Option<&'a mut Node> {
    for n in nodes.iter_mut() {
        if n.id() == id {
            return Some(n);
        }
        let found = match n {
            Node::Conditions { arms, .. } => arms.iter_mut().find_map(|a| find_node_mut(&mut a.nodes, id)),
            Node::Parallel { arms, .. } => arms.iter_mut().find_map(|a| find_node_mut(&mut a.nodes, id)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// The node with this id, to edit.
pub fn node_mut<'a>(flow: &'a mut Flow, id: &str) -> Option<&'a mut Node> {
    find_node_mut(&mut flow.nodes, id)
}

/// The node with this id.
#[must_use]
pub fn node<'a>(flow: &'a Flow, id: &str) -> Option<&'a Node> {
    flow.walk().into_iter().find(|n| n.id() == id)
}

fn seq_mut<'a>(flow: &'a mut Flow, parent: &Option<(String, usize)>) -> Result<&'a mut Vec<Node>, EditError> {
    match parent {
        None => Ok(&mut flow.nodes),
        Some((id, arm)) => match node_mut(flow, id).ok_or_else(|| EditError::NoNode(id.clone()))? {
            Node::Conditions { arms, .. } => arms.get_mut(*arm).map(|a| &mut a.nodes).ok_or(EditError::NoSlot),
            Node::Parallel { arms, .. } => arms.get_mut(*arm).map(|a| &mut a.nodes).ok_or(EditError::NoSlot),
            _ => Err(EditError::NotABranch),
        },
    }
}

/// Where a node is: its sequence's parent and its index there.
#[must_use]
pub fn locate(flow: &Flow, id: &str) -> Option<Slot> {
    fn go(nodes: &[Node], parent: Option<(String, usize)>, id: &str) -> Option<Slot> {
        for (i, n) in nodes.iter().enumerate() {
            if n.id() == id {
                return Some(Slot { parent, index: i });
            }
            let inner = match n {
                Node::Conditions { arms, .. } => {
                    arms.iter().enumerate().find_map(|(a, arm)| go(&arm.nodes, Some((n.id().into(), a)), id))
                }
                Node::Parallel { arms, .. } => {
                    arms.iter().enumerate().find_map(|(a, arm)| go(&arm.nodes, Some((n.id().into(), a)), id))
                }
                _ => None,
            };
            if inner.is_some() {
                return inner;
            }
        }
        None
    }
    go(&flow.nodes, None, id)
}

/// Inserts a node at a slot.
///
/// # Errors
/// `NoSlot`/`NoNode`/`NotABranch` for a place that is not in the flow.
pub fn insert(flow: &mut Flow, slot: &Slot, node: Node) -> Result<(), EditError> {
    let seq = seq_mut(flow, &slot.parent)?;
    if slot.index > seq.len() {
        return Err(EditError::NoSlot);
    }
    seq.insert(slot.index, node);
    Ok(())
}

/// Removes a node (with its branches) and returns it.
///
/// # Errors
/// `NoNode` for an unknown id.
pub fn remove(flow: &mut Flow, id: &str) -> Result<Node, EditError> {
    let at = locate(flow, id).ok_or_else(|| EditError::NoNode(id.into()))?;
    let seq = seq_mut(flow, &at.parent)?;
    Ok(seq.remove(at.index))
}

/// Moves a node to a slot (the slot as seen before the move).
///
/// # Errors
/// `IntoItself` when the slot is inside the node; the errors of `insert` and `remove`.
pub fn move_node(flow: &mut Flow, id: &str, to: &Slot) -> Result<(), EditError> {
    let from = locate(flow, id).ok_or_else(|| EditError::NoNode(id.into()))?;
    if let Some((p, _)) = &to.parent {
        // The target sequence must not be the node itself or inside it.
        let moving = node(flow, id).ok_or_else(|| EditError::NoNode(id.into()))?;
        let inside = Flow { nodes: vec![moving.clone()] };
        if inside.walk().iter().any(|n| n.id() == p) {
            return Err(EditError::IntoItself);
        }
    }
    // Check the target exists before taking the node out.
    let len = seq_mut(flow, &to.parent)?.len();
    if to.index > len {
        return Err(EditError::NoSlot);
    }
    let n = remove(flow, id)?;
    let mut index = to.index;
    if from.parent == to.parent && from.index < to.index {
        index -= 1;
    }
    insert(flow, &Slot { parent: to.parent.clone(), index }, n)
}

/// Adds a branch to a branch node: a condition branch goes before the default one.
/// Returns the new branch's index.
///
/// # Errors
/// `NoNode`, `NotABranch`.
pub fn add_arm(flow: &mut Flow, id: &str) -> Result<usize, EditError> {
    match node_mut(flow, id).ok_or_else(|| EditError::NoNode(id.into()))? {
        Node::Conditions { arms, .. } => {
            let at = arms.iter().position(|a| a.condition.is_none()).unwrap_or(arms.len());
            let n = arms.len();
            arms.insert(
                at,
                ConditionArm {
                    name: format!("条件 {n}"),
                    condition: Some(super::flow::Condition::All { items: vec![] }),
                    nodes: vec![],
                },
            );
            Ok(at)
        }
        Node::Parallel { arms, .. } => {
            arms.push(ParallelArm { name: format!("分支 {}", arms.len() + 1), nodes: vec![] });
            Ok(arms.len() - 1)
        }
        _ => Err(EditError::NotABranch),
    }
}

/// Removes a branch (and what it holds). A branch node keeps two; the default branch stays.
///
/// # Errors
/// `TooFewArms`, `DefaultArm`, `NoNode`, `NotABranch`, `NoSlot`.
pub fn remove_arm(flow: &mut Flow, id: &str, arm: usize) -> Result<(), EditError> {
    match node_mut(flow, id).ok_or_else(|| EditError::NoNode(id.into()))? {
        Node::Conditions { arms, .. } => {
            let a = arms.get(arm).ok_or(EditError::NoSlot)?;
            if a.condition.is_none() {
                return Err(EditError::DefaultArm);
            }
            if arms.len() <= 2 {
                return Err(EditError::TooFewArms);
            }
            arms.remove(arm);
            Ok(())
        }
        Node::Parallel { arms, .. } => {
            if arm >= arms.len() {
                return Err(EditError::NoSlot);
            }
            if arms.len() <= 2 {
                return Err(EditError::TooFewArms);
            }
            arms.remove(arm);
            Ok(())
        }
        _ => Err(EditError::NotABranch),
    }
}

/// Moves a condition branch one place earlier (`-1`) or later (`+1`): its priority. The
/// default branch stays last. Returns the branch's new index.
///
/// # Errors
/// `DefaultArm` when it would pass the default branch; `NoSlot` at either end.
pub fn shift_arm(flow: &mut Flow, id: &str, arm: usize, delta: i32) -> Result<usize, EditError> {
    match node_mut(flow, id).ok_or_else(|| EditError::NoNode(id.into()))? {
        Node::Conditions { arms, .. } => {
            let to = arm.checked_add_signed(delta as isize).ok_or(EditError::NoSlot)?;
            if arm >= arms.len() || to >= arms.len() {
                return Err(EditError::NoSlot);
            }
            if arms[arm].condition.is_none() || arms[to].condition.is_none() {
                return Err(EditError::DefaultArm);
            }
            arms.swap(arm, to);
            Ok(to)
        }
        Node::Parallel { arms, .. } => {
            let to = arm.checked_add_signed(delta as isize).ok_or(EditError::NoSlot)?;
            if arm >= arms.len() || to >= arms.len() {
                return Err(EditError::NoSlot);
            }
            arms.swap(arm, to);
            Ok(to)
        }
        _ => Err(EditError::NotABranch),
    }
}

// ---------------------------------------------------------------- fields

/// A new field of a type with a key not yet used and a default label.
#[must_use]
pub fn new_field(form: &FormSchema, type_key: &str, label: &str) -> Option<Field> {
    let kind = match type_key {
        "text" => FieldKind::Text { max_len: None },
        "long_text" => FieldKind::LongText { max_len: None },
        "number" => FieldKind::Number { min: None, max: None },
        "money" => FieldKind::Money { allow_negative: false },
        "date" => FieldKind::Date,
        "date_range" => FieldKind::DateRange,
        "select" => FieldKind::Select {
            options: vec![
                super::form::SelectOption { value: "a".into(), label: "选项一".into() },
                super::form::SelectOption { value: "b".into(), label: "选项二".into() },
            ],
        },
        "multi_select" => FieldKind::MultiSelect {
            options: vec![
                super::form::SelectOption { value: "a".into(), label: "选项一".into() },
                super::form::SelectOption { value: "b".into(), label: "选项二".into() },
            ],
        },
        "user" => FieldKind::User,
        "department" => FieldKind::Department,
        "attachment" => FieldKind::Attachment { max_files: 5 },
        "table" => FieldKind::Table {
            columns: vec![
                Field {
                    key: "item".into(),
                    label: "项目".into(),
                    kind: FieldKind::Text { max_len: Some(100) },
                    required: true,
                    help: None,
                },
                Field {
                    key: "amount".into(),
                    label: "金额".into(),
                    kind: FieldKind::Money { allow_negative: false },
                    required: true,
                    help: None,
                },
            ],
        },
        "total" => {
            let table = form.fields.iter().find_map(|f| match &f.kind {
                FieldKind::Table { columns } => columns
                    .iter()
                    .find(|c| matches!(c.kind, FieldKind::Money { .. }))
                    .map(|c| (f.key.clone(), c.key.clone())),
                _ => None,
            });
            let (table, column) = table.unwrap_or_default();
            FieldKind::Total { table, column }
        }
        _ => return None,
    };
    let used: std::collections::HashSet<&str> = form.fields.iter().map(|f| f.key.as_str()).collect();
    let key = (1..).map(|i| format!("{type_key}_{i}")).find(|k| !used.contains(k.as_str())).unwrap_or_default();
    Some(Field { key, label: label.to_owned(), kind, required: false, help: None })
}

/// The field type keys the form designer offers, in palette order.
pub const FIELD_TYPES: [&str; 13] = [
    "text",
    "long_text",
    "number",
    "money",
    "date",
    "date_range",
    "select",
    "multi_select",
    "user",
    "department",
    "attachment",
    "table",
    "total",
];

/// A field's type key.
#[must_use]
pub fn field_type(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Text { .. } => "text",
        FieldKind::LongText { .. } => "long_text",
        FieldKind::Number { .. } => "number",
        FieldKind::Money { .. } => "money",
        FieldKind::Date => "date",
        FieldKind::DateRange => "date_range",
        FieldKind::Select { .. } => "select",
        FieldKind::MultiSelect { .. } => "multi_select",
        FieldKind::User => "user",
        FieldKind::Department => "department",
        FieldKind::Attachment { .. } => "attachment",
        FieldKind::Table { .. } => "table",
        FieldKind::Total { .. } => "total",
        FieldKind::WorkingDays { .. } => "working_days",
    }
}

// ---------------------------------------------------------------- diff

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// One difference between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `node`, `field` or `template`.
    pub area: String,
    pub kind: ChangeKind,
    /// The node id, field key or property.
    pub id: String,
    pub name: String,
    /// What changed, one line per property ("label: 金额 → 报销金额").
    pub details: Vec<String>,
}

/// A node without the nodes of its branches, so a change inside a branch is reported on the
/// inner node only. The arms keep their names and conditions.
fn shallow(n: &Node) -> serde_json::Value {
    let mut v = serde_json::to_value(n).unwrap_or_default();
    if let Some(arms) = v.get_mut("arms").and_then(|a| a.as_array_mut()) {
        for a in arms {
            if let Some(o) = a.as_object_mut() {
                o.remove("nodes");
            }
        }
    }
    v
}

fn short(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".into(),
        serde_json::Value::String(s) => s.clone(),
        other => {
            let t = other.to_string();
            if t.chars().count() > 120 { format!("{}…", t.chars().take(120).collect::<String>()) } else { t }
        }
    }
}

fn object_details(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    details_at("", a, b, &mut out);
    out
}

/// The leaves that differ, each as `path: old → new` (`arms[0].condition.items[0].value: 5000
/// → 10000`): objects by key, lists of equal length by position, anything else whole.
fn details_at(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    if a == b {
        return;
    }
    let join = |k: &str| if path.is_empty() { k.to_owned() } else { format!("{path}.{k}") };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                details_at(&join(k), x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                details_at(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ => out.push(format!("{}: {} → {}", if path.is_empty() { "value" } else { path }, short(a), short(b))),
    }
}

/// A node's place: its parent branch and its predecessor.
type Position = (Option<(String, usize)>, Option<String>);

/// Where each node sits, to report moves.
fn positions(flow: &Flow) -> std::collections::HashMap<String, Position> {
    fn go(nodes: &[Node], parent: Option<(String, usize)>, out: &mut std::collections::HashMap<String, Position>) {
        let mut prev: Option<String> = None;
        for n in nodes {
            out.insert(n.id().into(), (parent.clone(), prev.clone()));
            prev = Some(n.id().into());
            match n {
                Node::Conditions { arms, .. } => {
                    arms.iter().enumerate().for_each(|(i, a)| go(&a.nodes, Some((n.id().into(), i)), out));
                }
                Node::Parallel { arms, .. } => {
                    arms.iter().enumerate().for_each(|(i, a)| go(&a.nodes, Some((n.id().into(), i)), out));
                }
                _ => {}
            }
        }
    }
    let mut out = std::collections::HashMap::new();
    go(&flow.nodes, None, &mut out);
    out
}

/// The differences from `a` to `b`: template properties, fields by key, nodes by id (added,
/// removed, changed — with the properties that changed — and moved).
#[must_use]
pub fn diff(a: &TemplateDoc, b: &TemplateDoc) -> Vec<Change> {
    let mut out = Vec::new();
    for (prop, x, y) in [
        ("name", &a.name, &b.name),
        ("category", &a.category, &b.category),
        ("description", &a.description, &b.description),
        ("icon", &a.icon, &b.icon),
    ] {
        if x != y {
            out.push(Change {
                area: "template".into(),
                kind: ChangeKind::Changed,
                id: prop.into(),
                name: prop.into(),
                details: vec![format!(
                    "{prop}: {} → {}",
                    if x.is_empty() { "—" } else { x },
                    if y.is_empty() { "—" } else { y }
                )],
            });
        }
    }
    for f in &a.form.fields {
        match b.form.field(&f.key) {
            None => out.push(Change {
                area: "field".into(),
                kind: ChangeKind::Removed,
                id: f.key.clone(),
                name: f.label.clone(),
                details: vec![],
            }),
            Some(g) if g != f => {
                let x = serde_json::to_value(f).unwrap_or_default();
                let y = serde_json::to_value(g).unwrap_or_default();
                out.push(Change {
                    area: "field".into(),
                    kind: ChangeKind::Changed,
                    id: f.key.clone(),
                    name: g.label.clone(),
                    details: object_details(&x, &y),
                });
            }
            Some(_) => {}
        }
    }
    let ka: Vec<&str> = a.form.fields.iter().map(|f| f.key.as_str()).collect();
    let kb: Vec<&str> = b.form.fields.iter().map(|f| f.key.as_str()).collect();
    for f in &b.form.fields {
        if a.form.field(&f.key).is_none() {
            out.push(Change {
                area: "field".into(),
                kind: ChangeKind::Added,
                id: f.key.clone(),
                name: f.label.clone(),
                details: vec![format!("type: {}", field_type(&f.kind))],
            });
        }
    }
    let common_a: Vec<&str> = ka.iter().copied().filter(|k| kb.contains(k)).collect();
    let common_b: Vec<&str> = kb.iter().copied().filter(|k| ka.contains(k)).collect();
    if common_a != common_b {
        out.push(Change {
            area: "field".into(),
            kind: ChangeKind::Changed,
            id: "order".into(),
            name: "order".into(),
            details: vec![format!("order: {} → {}", common_a.join(", "), common_b.join(", "))],
        });
    }
    let na = a.flow.walk();
    let nb = b.flow.walk();
    let (pa, pb) = (positions(&a.flow), positions(&b.flow));
    for n in &na {
        match nb.iter().find(|m| m.id() == n.id()) {
            None => out.push(Change {
                area: "node".into(),
                kind: ChangeKind::Removed,
                id: n.id().into(),
                name: n.name().into(),
                details: vec![],
            }),
            Some(m) => {
                let mut details = Vec::new();
                let (x, y) = (shallow(n), shallow(m));
                if x != y {
                    details = object_details(&x, &y);
                }
                if pa.get(n.id()) != pb.get(n.id()) {
                    details.push("moved".into());
                }
                if !details.is_empty() {
                    out.push(Change {
                        area: "node".into(),
                        kind: ChangeKind::Changed,
                        id: n.id().into(),
                        name: m.name().into(),
                        details,
                    });
                }
            }
        }
    }
    for m in &nb {
        if !na.iter().any(|n| n.id() == m.id()) {
            out.push(Change {
                area: "node".into(),
                kind: ChangeKind::Added,
                id: m.id().into(),
                name: m.name().into(),
                details: vec![format!("type: {}", NodeKind::of(m).key())],
            });
        }
    }
    out
}

/// Why publishing a template change needs a second process owner's (or an
/// administrator's) approval: the publisher could otherwise route requests to themselves or
/// wave them through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "concern", rename_all = "snake_case")]
pub enum PublishConcern {
    /// The publisher is named as an approver, handler or CC (or the fallback when a node
    /// finds nobody) at this node.
    NamesPublisher { node: String },
    /// This node lets the requester approve their own request.
    SelfApproval { node: String },
    /// This node approves by itself when its deadline passes.
    AutoApprove { node: String },
    /// The template changes something beyond the request (leave balances, accounts) and
    /// who approves it changed.
    EffectApproversChanged,
    /// No approver node at all: every request would pass without anyone deciding.
    NoApprover,
}

impl PublishConcern {
    /// The concern as one language-neutral line (`code` or `code node`), as the review
    /// request's form stores it; pages word it in the reader's language.
    #[must_use]
    pub fn line(&self) -> String {
        match self {
            Self::NamesPublisher { node } => format!("names_publisher {node}"),
            Self::SelfApproval { node } => format!("self_approval {node}"),
            Self::AutoApprove { node } => format!("auto_approve {node}"),
            Self::EffectApproversChanged => "effect_approvers_changed".into(),
            Self::NoApprover => "no_approver".into(),
        }
    }

    /// A line written by [`PublishConcern::line`]; `None` for anything else (a review request
    /// filed before concerns were stored as codes holds a sentence).
    #[must_use]
    pub fn from_line(line: &str) -> Option<Self> {
        let (code, node) = line.trim().split_once(' ').map_or((line.trim(), None), |(c, n)| (c, Some(n.trim())));
        let node = || node.filter(|n| !n.is_empty()).map(str::to_owned);
        Some(match code {
            "names_publisher" => Self::NamesPublisher { node: node()? },
            "self_approval" => Self::SelfApproval { node: node()? },
            "auto_approve" => Self::AutoApprove { node: node()? },
            "effect_approvers_changed" if node().is_none() => Self::EffectApproversChanged,
            "no_approver" if node().is_none() => Self::NoApprover,
            _ => return None,
        })
    }
}

/// The concerns as the review request's form stores them: one [`PublishConcern::line`] per
/// line, as many as fit in `max_chars` (the field's limit).
#[must_use]
pub fn concern_lines(concerns: &[PublishConcern], max_chars: usize) -> String {
    let mut out = String::new();
    for c in concerns {
        let line = c.line();
        let need = line.chars().count() + usize::from(!out.is_empty());
        if out.chars().count() + need > max_chars {
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&line);
    }
    out
}

fn names(rule: &ApproverRule, user: i64) -> bool {
    matches!(rule, ApproverRule::Users { ids } if ids.contains(&user))
}

/// Who decides, node by node: what "who approves changed" compares.
fn deciders(flow: &Flow) -> Vec<String> {
    flow.walk()
        .into_iter()
        .filter_map(|n| match n {
            Node::Approver { id, rule, mode, on_empty, requester_is_approver, .. } => {
                Some(format!("{id}:{rule:?}:{mode:?}:{on_empty:?}:{requester_is_approver:?}"))
            }
            Node::Handler { id, rule, on_empty, .. } => Some(format!("{id}:{rule:?}:{on_empty:?}")),
            _ => None,
        })
        .collect()
}

/// What in publishing `new` (over `old`, the version in force, if any) `publisher` should
/// not decide alone. `has_effect`: the template changes data when approved.
#[must_use]
pub fn publish_concerns(old: Option<&Flow>, new: &Flow, publisher: i64, has_effect: bool) -> Vec<PublishConcern> {
    let mut out = Vec::new();
    let mut approvers = 0;
    for n in new.walk() {
        let id = n.id().to_owned();
        let (named, self_approval) = match n {
            Node::Approver { rule, on_empty, requester_is_approver, .. } => {
                approvers += 1;
                let fallback = matches!(on_empty, EmptyRule::User { id } if *id == publisher);
                (names(rule, publisher) || fallback, *requester_is_approver == SelfRule::Keep)
            }
            Node::Handler { rule, on_empty, .. } => {
                (names(rule, publisher) || matches!(on_empty, EmptyRule::User { id } if *id == publisher), false)
            }
            Node::Cc { targets, .. } => (targets.iter().any(|t| names(t, publisher)), false),
            Node::Conditions { .. } | Node::Parallel { .. } => (false, false),
        };
        if named {
            out.push(PublishConcern::NamesPublisher { node: id.clone() });
        }
        let auto = match n {
            Node::Approver { timeout, .. } | Node::Handler { timeout, .. } => {
                timeout.is_some_and(|t| t.action == super::flow::TimeoutAction::AutoApprove)
            }
            _ => false,
        };
        if auto {
            out.push(PublishConcern::AutoApprove { node: id.clone() });
        }
        if self_approval {
            out.push(PublishConcern::SelfApproval { node: id });
        }
    }
    if has_effect && old.is_some_and(|o| deciders(o) != deciders(new)) {
        out.push(PublishConcern::EffectApproversChanged);
    }
    if approvers == 0 {
        out.push(PublishConcern::NoApprover);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workflow::flow::Facts;
    use crate::domain::workflow::flow::{CmpOp, Condition};
    use crate::domain::workflow::route::{Request, Step, predict};
    use serde_json::json;

    fn expense_form() -> FormSchema {
        let mut form = FormSchema::default();
        let mut items = new_field(&form, "table", "费用明细").unwrap();
        items.key = "items".into();
        form.fields.push(items);
        let mut total = new_field(&form, "total", "合计").unwrap();
        total.key = "amount".into();
        form.fields.push(total);
        form
    }

    /// The designer's edits, as the browser test makes them: manager, amount > 5000 → GM, CC
    /// finance.
    fn build_expense() -> TemplateDoc {
        let form = expense_form();
        let mut flow = Flow::default();
        let a = new_node(&flow, NodeKind::Approver, "直属主管");
        insert(&mut flow, &Slot { parent: None, index: 0 }, a).unwrap();
        let c = new_node(&flow, NodeKind::Conditions, "金额判断");
        let cid = c.id().to_owned();
        insert(&mut flow, &Slot { parent: None, index: 1 }, c).unwrap();
        let mut gm = new_node(&flow, NodeKind::Approver, "总经理");
        if let Node::Approver { rule, .. } = &mut gm {
            *rule = ApproverRule::Users { ids: vec![1] };
        }
        insert(&mut flow, &Slot { parent: Some((cid.clone(), 0)), index: 0 }, gm).unwrap();
        if let Some(Node::Conditions { arms, .. }) = node_mut(&mut flow, &cid) {
            arms[0].condition =
                Some(Condition::Compare { field: "amount".into(), op: CmpOp::Gt, value: json!("5000") });
        }
        let mut cc = new_node(&flow, NodeKind::Cc, "抄送财务");
        if let Node::Cc { targets, .. } = &mut cc {
            targets.push(ApproverRule::DepartmentHead { department: Some(4) });
        }
        insert(&mut flow, &Slot { parent: None, index: 2 }, cc).unwrap();
        TemplateDoc { key: "expense2".into(), name: "报销".into(), form, flow, ..Default::default() }
    }

    #[test]
    fn the_designers_edits_build_a_valid_expense_flow_that_routes_by_amount() {
        let doc = build_expense();
        assert_eq!(check_doc(&doc), Vec::<String>::new());
        let ids: Vec<&str> = doc.flow.walk().into_iter().map(Node::id).collect();
        assert_eq!(ids, vec!["approver1", "conditions1", "approver2", "cc1"]);
        let org = crate::domain::workflow::testkit::Demo;
        let route = |amount: &str| {
            let mut form = serde_json::Map::new();
            form.insert("amount".into(), json!(amount));
            let depts = org.departments_of(12);
            let picks = std::collections::HashMap::new();
            let req =
                Request { requester: 12, facts: Facts { form: &form, requester_departments: &depts }, picks: &picks };
            predict(&doc.flow, &req, &org)
                .into_iter()
                .filter_map(|s| match s {
                    Step::Node { id, .. } => Some(id),
                    Step::Parallel { .. } => None,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(route("8000.00"), vec!["approver1", "approver2", "cc1"]);
        assert_eq!(route("3000.00"), vec!["approver1", "cc1"]);
    }

    #[test]
    fn validation_names_the_node_and_catches_renamed_fields() {
        let mut doc = build_expense();
        // A new condition branch starts empty; a CC node without targets; a parallel with empty arms.
        add_arm(&mut doc.flow, "conditions1").unwrap();
        let cc = new_node(&doc.flow, NodeKind::Cc, "抄送");
        insert(&mut doc.flow, &Slot { parent: None, index: 0 }, cc).unwrap();
        let p = new_node(&doc.flow, NodeKind::Parallel, "并行");
        insert(&mut doc.flow, &Slot { parent: None, index: 0 }, p).unwrap();
        let problems = check_doc(&doc);
        assert!(problems.iter().any(|p| p.contains("金额判断") && p.contains("empty condition group")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("cc2") && p.contains("nobody to copy")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("parallel1") && p.contains("has no nodes")), "{problems:?}");
        // Renaming the field a condition uses.
        let mut doc = build_expense();
        doc.form.fields[1].key = "sum".into();
        let problems = check_doc(&doc);
        assert!(problems.iter().any(|p| p.contains("金额判断") && p.contains("field amount")), "{problems:?}");
        // Deleting the table the total sums.
        let mut doc = build_expense();
        doc.form.fields.remove(0);
        assert!(check_doc(&doc).iter().any(|p| p.starts_with("field amount")));
    }

    #[test]
    fn references_are_checked_against_the_directory() {
        let mut doc = build_expense();
        let dir = Directory {
            users: vec![
                DirUser {
                    id: 1,
                    name: "刘洋".into(),
                    department: Some(1),
                    manager: None,
                    position: String::new(),
                    active: true,
                },
                DirUser {
                    id: 7,
                    name: "离职".into(),
                    department: Some(1),
                    manager: None,
                    position: String::new(),
                    active: false,
                },
            ],
            departments: vec![DirDept { id: 4, name: "财务部".into(), parent: None, head: Some(1) }],
            roles: vec![DirRole { key: "finance".into(), name: "财务".into(), members: vec![1, 7] }],
            admins: vec![1],
        };
        assert!(check_refs(&doc.flow, &dir).is_empty());
        assert_eq!(dir.role_members("finance"), vec![1], "disabled members are not routed to");
        if let Some(Node::Approver { rule, .. }) = node_mut(&mut doc.flow, "approver2") {
            *rule = ApproverRule::Users { ids: vec![1, 7] };
        }
        if let Some(Node::Cc { targets, .. }) = node_mut(&mut doc.flow, "cc1") {
            targets.push(ApproverRule::Role { key: "nobody".into() });
            targets.push(ApproverRule::DepartmentHead { department: Some(40) });
        }
        let errs = check_refs(&doc.flow, &dir);
        let msgs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("总经理") && msgs[0].contains("user #7"));
        assert!(msgs[1].contains("role nobody") && msgs[2].contains("department #40"));
    }

    #[test]
    fn moving_deleting_and_branches() {
        let mut doc = build_expense();
        let f = &mut doc.flow;
        // Move the CC into the condition's default branch, then back to the top.
        move_node(f, "cc1", &Slot { parent: Some(("conditions1".into(), 1)), index: 0 }).unwrap();
        assert_eq!(locate(f, "cc1"), Some(Slot { parent: Some(("conditions1".into(), 1)), index: 0 }));
        move_node(f, "cc1", &Slot { parent: None, index: 0 }).unwrap();
        assert_eq!(f.nodes[0].id(), "cc1");
        // Moving down within one sequence lands after the node it was dropped after.
        move_node(f, "cc1", &Slot { parent: None, index: 2 }).unwrap();
        let top: Vec<&str> = f.nodes.iter().map(Node::id).collect();
        assert_eq!(top, vec!["approver1", "cc1", "conditions1"]);
        assert_eq!(
            move_node(f, "conditions1", &Slot { parent: Some(("conditions1".into(), 0)), index: 0 }),
            Err(EditError::IntoItself)
        );
        assert_eq!(move_node(f, "cc1", &Slot { parent: None, index: 9 }), Err(EditError::NoSlot));
        assert_eq!(f.walk().len(), 4, "a refused move loses nothing");
        // Branches: add goes before the default, the default cannot go or move, two stay.
        assert_eq!(add_arm(f, "conditions1"), Ok(1));
        assert_eq!(shift_arm(f, "conditions1", 1, -1), Ok(0));
        assert_eq!(shift_arm(f, "conditions1", 1, 1), Err(EditError::DefaultArm));
        assert_eq!(remove_arm(f, "conditions1", 2), Err(EditError::DefaultArm));
        remove_arm(f, "conditions1", 0).unwrap();
        assert_eq!(remove_arm(f, "conditions1", 0), Err(EditError::TooFewArms));
        assert!(matches!(remove(f, "conditions1"), Ok(Node::Conditions { .. })));
        assert!(node(f, "approver2").is_none(), "a branch node goes with what it holds");
        assert_eq!(add_arm(f, "approver1"), Err(EditError::NotABranch));
        assert_eq!(fresh_id(f, "approver"), "approver2");
    }

    #[test]
    fn export_import_round_trip_and_bad_files() {
        let doc = build_expense();
        let text = ExportFile::of(&doc, 3).to_text();
        assert_eq!(parse_export(&text).unwrap(), doc);
        assert_eq!(parse_export("  ").unwrap_err(), ImportProblem::Empty);
        assert_eq!(parse_export("{\n\"format\": ").unwrap_err(), ImportProblem::NotJson { line: 2, column: 10 });
        assert_eq!(parse_export("[1,2]").unwrap_err(), ImportProblem::NotTongban);
        assert_eq!(
            parse_export("{\"format\": \"vnd.other\"}").unwrap_err(),
            ImportProblem::OtherFormat { format: "vnd.other".into() }
        );
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["format_version"] = json!(9);
        let e = parse_export(&v.to_string()).unwrap_err();
        assert_eq!(e, ImportProblem::Version { version: 9 });
        assert!(e.english().contains("format version 9"));
        v["format_version"] = json!(1);
        v["template"]["flow"]["nodes"][0]["type"] = json!("robot");
        let e = parse_export(&v.to_string()).unwrap_err();
        assert!(matches!(&e, ImportProblem::Malformed { detail } if detail.contains("robot")), "{e:?}");
        assert!(e.english().starts_with("the template is malformed"));
        v["template"].as_object_mut().unwrap().remove("form");
        assert_eq!(parse_export(&v.to_string()).unwrap_err(), ImportProblem::MissingPart { part: "form" });
        v.as_object_mut().unwrap().remove("template");
        assert_eq!(parse_export(&v.to_string()).unwrap_err(), ImportProblem::NoTemplate);
        v.as_object_mut().unwrap().remove("format_version");
        assert_eq!(parse_export(&v.to_string()).unwrap_err().english(), "the file has no format_version");
    }

    #[test]
    fn concerns_are_stored_as_code_lines() {
        let all = vec![
            PublishConcern::NamesPublisher { node: "a".into() },
            PublishConcern::SelfApproval { node: "b".into() },
            PublishConcern::AutoApprove { node: "c".into() },
            PublishConcern::EffectApproversChanged,
            PublishConcern::NoApprover,
        ];
        let text = concern_lines(&all, 2000);
        assert_eq!(text.lines().count(), 5);
        assert_eq!(text.lines().filter_map(PublishConcern::from_line).collect::<Vec<_>>(), all);
        // Only what fits, whole lines.
        assert_eq!(concern_lines(&all, 40), "names_publisher a\nself_approval b");
        // A sentence from an older review request is no code.
        assert_eq!(PublishConcern::from_line("节点 a 指定了发布人本人"), None);
        assert_eq!(PublishConcern::from_line("names_publisher"), None);
        assert_eq!(PublishConcern::from_line("no_approver x"), None);
    }

    #[test]
    fn diff_names_what_changed() {
        let a = build_expense();
        let mut b = a.clone();
        b.name = "费用报销".into();
        b.form.fields[0].label = "明细".into();
        b.form.fields.push(new_field(&b.form, "long_text", "说明").unwrap());
        if let Some(Node::Conditions { arms, .. }) = node_mut(&mut b.flow, "conditions1") {
            arms[0].condition =
                Some(Condition::Compare { field: "amount".into(), op: CmpOp::Gt, value: json!("10000") });
        }
        remove(&mut b.flow, "cc1").unwrap();
        let h = new_node(&b.flow, NodeKind::Handler, "出纳付款");
        insert(&mut b.flow, &Slot { parent: None, index: 0 }, h).unwrap();
        move_node(&mut b.flow, "approver1", &Slot { parent: None, index: 3 }).unwrap();
        let d = diff(&a, &b);
        let has = |area: &str, kind: ChangeKind, id: &str, detail: &str| {
            d.iter()
                .any(|c| c.area == area && c.kind == kind && c.id == id && c.details.iter().any(|x| x.contains(detail)))
        };
        assert!(has("template", ChangeKind::Changed, "name", "报销 → 费用报销"), "{d:#?}");
        assert!(has("field", ChangeKind::Changed, "items", "label: 费用明细 → 明细"), "{d:#?}");
        assert!(has("field", ChangeKind::Added, "long_text_1", "long_text"), "{d:#?}");
        assert!(has("node", ChangeKind::Changed, "conditions1", "10000"), "{d:#?}");
        assert!(d.iter().any(|c| c.kind == ChangeKind::Removed && c.id == "cc1"));
        assert!(has("node", ChangeKind::Added, "handler1", "handler"), "{d:#?}");
        assert!(has("node", ChangeKind::Changed, "approver1", "moved"), "{d:#?}");
        assert!(!d.iter().any(|c| c.id == "approver2"), "an unchanged node inside a changed branch is not reported");
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn a_publisher_cannot_route_requests_to_themselves_alone() {
        let approver = |rule: ApproverRule, keep: bool| Node::Approver {
            id: "a".into(),
            name: "审批".into(),
            rule,
            mode: MultiMode::All,
            on_empty: EmptyRule::Skip,
            requester_is_approver: if keep { SelfRule::Keep } else { SelfRule::Skip },
            timeout: None,
        };
        let plain = Flow { nodes: vec![approver(ApproverRule::Manager { levels: 1 }, false)] };
        assert!(publish_concerns(None, &plain, 7, false).is_empty());
        let me = Flow { nodes: vec![approver(ApproverRule::Users { ids: vec![3, 7] }, false)] };
        assert_eq!(publish_concerns(None, &me, 7, false), vec![PublishConcern::NamesPublisher { node: "a".into() }]);
        let cc = Flow {
            nodes: vec![
                approver(ApproverRule::Manager { levels: 1 }, false),
                Node::Cc { id: "c".into(), name: "抄送".into(), targets: vec![ApproverRule::Users { ids: vec![7] }] },
            ],
        };
        assert_eq!(publish_concerns(None, &cc, 7, false), vec![PublishConcern::NamesPublisher { node: "c".into() }]);
        let own = Flow { nodes: vec![approver(ApproverRule::Role { key: "approver".into() }, true)] };
        assert_eq!(publish_concerns(None, &own, 7, false), vec![PublishConcern::SelfApproval { node: "a".into() }]);
        assert_eq!(publish_concerns(None, &Flow { nodes: vec![] }, 7, false), vec![PublishConcern::NoApprover]);
        // A template with an effect: changing who approves needs a second look; a form-only
        // change (the same deciders) does not.
        let other = Flow { nodes: vec![approver(ApproverRule::Manager { levels: 2 }, false)] };
        assert_eq!(publish_concerns(Some(&plain), &other, 7, true), vec![PublishConcern::EffectApproversChanged]);
        assert!(publish_concerns(Some(&plain), &plain, 7, true).is_empty());
        assert!(publish_concerns(Some(&plain), &other, 7, false).is_empty());
    }
}
