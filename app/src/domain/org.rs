//! The department tree: building it from flat rows and refusing moves that make a cycle.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A department as the tree needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeptNode {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub sort_order: i32,
}

/// Whether giving `dept` the parent `new_parent` would make it its own ancestor.
#[must_use]
pub fn would_cycle(depts: &[DeptNode], dept: i64, new_parent: Option<i64>) -> bool {
    let parents: HashMap<i64, Option<i64>> = depts.iter().map(|d| (d.id, d.parent_id)).collect();
    let mut cur = new_parent;
    let mut steps = 0;
    while let Some(id) = cur {
        if id == dept || steps > depts.len() {
            return true;
        }
        cur = parents.get(&id).copied().flatten();
        steps += 1;
    }
    false
}

/// Departments in depth-first order with their depth, children sorted by `sort_order`, name.
#[must_use]
pub fn flatten_tree(depts: &[DeptNode]) -> Vec<(DeptNode, usize)> {
    let mut children: HashMap<Option<i64>, Vec<&DeptNode>> = HashMap::new();
    let ids: std::collections::HashSet<i64> = depts.iter().map(|d| d.id).collect();
    for d in depts {
        // A parent that is missing makes the department a root rather than invisible.
        let key = d.parent_id.filter(|p| ids.contains(p));
        children.entry(key).or_default().push(d);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.sort_order.cmp(&b.sort_order).then_with(|| a.name.cmp(&b.name)).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::with_capacity(depts.len());
    fn visit(
        parent: Option<i64>,
        depth: usize,
        children: &HashMap<Option<i64>, Vec<&DeptNode>>,
        out: &mut Vec<(DeptNode, usize)>,
        guard: usize,
    ) {
        if depth > guard {
            return;
        }
        if let Some(list) = children.get(&parent) {
            for d in list {
                out.push(((*d).clone(), depth));
                visit(Some(d.id), depth + 1, children, out, guard);
            }
        }
    }
    visit(None, 0, &children, &mut out, depts.len());
    out
}

/// The ids of `root` and every department below it.
#[must_use]
pub fn subtree_ids(depts: &[DeptNode], root: i64) -> Vec<i64> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        let children: Vec<i64> =
            depts.iter().filter(|d| d.parent_id == Some(cur) && !out.contains(&d.id)).map(|d| d.id).collect();
        out.extend(children);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: i64, parent: Option<i64>, name: &str) -> DeptNode {
        DeptNode { id, name: name.into(), parent_id: parent, sort_order: 0 }
    }

    #[test]
    fn cycles() {
        let t = vec![d(1, None, "公司"), d(2, Some(1), "研发部"), d(3, Some(2), "平台组")];
        assert!(would_cycle(&t, 2, Some(3)));
        assert!(would_cycle(&t, 2, Some(2)));
        assert!(!would_cycle(&t, 3, Some(1)));
        assert!(!would_cycle(&t, 2, None));
    }

    #[test]
    fn flatten_orders_depth_first() {
        let t = vec![d(3, Some(2), "平台组"), d(1, None, "公司"), d(2, Some(1), "研发部"), d(4, Some(1), "财务部")];
        let names: Vec<(String, usize)> = flatten_tree(&t).into_iter().map(|(n, depth)| (n.name, depth)).collect();
        assert_eq!(names.len(), 4);
        assert_eq!(names[0], ("公司".into(), 0));
        assert!(names.iter().any(|n| *n == ("平台组".to_string(), 2)));
        let pos = |n: &str| names.iter().position(|x| x.0 == n).unwrap();
        assert!(pos("研发部") < pos("平台组"));
    }

    #[test]
    fn subtree() {
        let t = vec![d(1, None, "a"), d(2, Some(1), "b"), d(3, Some(2), "c"), d(4, None, "d")];
        let mut s = subtree_ids(&t, 1);
        s.sort();
        assert_eq!(s, vec![1, 2, 3]);
    }
}
