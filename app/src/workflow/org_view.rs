//! The organisation as routing sees it, read from the database inside the transaction of
//! the change: only what the flow can ask about (the requester's manager chain and
//! departments, named users and departments, role members, administrators), so a transition
//! costs a handful of indexed queries however large the organisation is.

use crate::domain::workflow::flow::{ApproverRule, EmptyRule, Flow, Node};
use crate::domain::workflow::route::OrgView;
use crate::entities::{departments, roles, user_roles, users};
use crate::error::AppResult;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy)]
struct UserFacts {
    manager: Option<i64>,
    department: Option<i64>,
    active: bool,
}

#[derive(Debug, Clone, Copy)]
struct DeptFacts {
    parent: Option<i64>,
    head: Option<i64>,
}

/// A snapshot of the organisation taken for one transition.
#[derive(Debug, Default)]
pub struct DbOrg {
    users: HashMap<i64, UserFacts>,
    depts: HashMap<i64, DeptFacts>,
    roles: HashMap<String, Vec<i64>>,
    admins: Vec<i64>,
}

fn rules_of(flow: &Flow) -> Vec<(&ApproverRule, Option<EmptyRule>)> {
    let mut out = Vec::new();
    for n in flow.walk() {
        match n {
            Node::Approver { rule, on_empty, .. } | Node::Handler { rule, on_empty, .. } => {
                out.push((rule, Some(*on_empty)));
            }
            Node::Cc { targets, .. } => out.extend(targets.iter().map(|t| (t, None))),
            _ => {}
        }
    }
    out
}

impl DbOrg {
    /// Loads what `flow` may ask about a request by `requester`, plus the `extra` users
    /// (picked approvers, transfer targets, assignees being escalated).
    ///
    /// # Errors
    /// The database error.
    pub async fn load(conn: &impl ConnectionTrait, flow: &Flow, requester: i64, extra: &[i64]) -> AppResult<Self> {
        let mut org = Self::default();
        let rules = rules_of(flow);
        let mut want: HashSet<i64> = extra.iter().copied().collect();
        want.insert(requester);
        let mut levels = 1_u8;
        let mut named_depts = Vec::new();
        let mut role_keys = HashSet::new();
        let mut need_admins = false;
        for (rule, empty) in &rules {
            match rule {
                ApproverRule::Users { ids } => want.extend(ids),
                ApproverRule::Manager { levels: l } => levels = levels.max(*l),
                ApproverRule::DepartmentHead { department: Some(d) } => named_depts.push(*d),
                ApproverRule::Role { key } => {
                    role_keys.insert(key.clone());
                }
                _ => {}
            }
            match empty {
                Some(EmptyRule::Admin) => need_admins = true,
                Some(EmptyRule::User { id }) => {
                    want.insert(*id);
                }
                _ => {}
            }
        }
        org.load_users(conn, &want).await?;
        // The manager chain of the requester (and of the extra users, for escalation).
        let mut frontier: HashSet<i64> = want.clone();
        for _ in 0..levels {
            let next: HashSet<i64> = frontier
                .iter()
                .filter_map(|u| org.users.get(u).and_then(|f| f.manager))
                .filter(|m| !org.users.contains_key(m))
                .collect();
            if next.is_empty() {
                break;
            }
            org.load_users(conn, &next).await?;
            frontier = next;
        }
        // Departments are few: take them all, then the heads that routing may reach.
        for d in departments::Entity::find().all(conn).await? {
            org.depts.insert(d.id, DeptFacts { parent: d.parent_id, head: d.head_user_id });
        }
        let mut heads: HashSet<i64> = HashSet::new();
        let mut dept_ids: Vec<i64> = named_depts;
        dept_ids.extend(want.iter().filter_map(|u| org.users.get(u).and_then(|f| f.department)));
        for d in dept_ids {
            let mut cur = Some(d);
            let mut guard = 0;
            while let Some(id) = cur {
                guard += 1;
                if guard > 64 {
                    break;
                }
                let Some(f) = org.depts.get(&id) else { break };
                heads.extend(f.head);
                cur = f.parent;
            }
        }
        heads.retain(|h| !org.users.contains_key(h));
        org.load_users(conn, &heads).await?;
        for key in role_keys {
            let members = Self::members(conn, &[key.as_str()]).await?;
            for u in &members {
                org.users.entry(*u).or_insert(UserFacts { manager: None, department: None, active: true });
            }
            org.roles.insert(key, members);
        }
        if need_admins {
            org.admins = Self::members(conn, &["admin"]).await?;
            for a in &org.admins {
                org.users.entry(*a).or_insert(UserFacts { manager: None, department: None, active: true });
            }
        }
        Ok(org)
    }

    async fn load_users(&mut self, conn: &impl ConnectionTrait, ids: &HashSet<i64>) -> AppResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let rows: Vec<(i64, Option<i64>, Option<i64>, bool)> = users::Entity::find()
            .select_only()
            .columns([users::Column::Id, users::Column::ManagerId, users::Column::DepartmentId, users::Column::Active])
            .filter(users::Column::Id.is_in(ids.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        for (id, manager, department, active) in rows {
            self.users.insert(id, UserFacts { manager, department, active });
        }
        Ok(())
    }

    async fn members(conn: &impl ConnectionTrait, keys: &[&str]) -> AppResult<Vec<i64>> {
        let role_ids: Vec<i64> = roles::Entity::find()
            .select_only()
            .column(roles::Column::Id)
            .filter(roles::Column::Key.is_in(keys.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        let mut ids: Vec<i64> = user_roles::Entity::find()
            .select_only()
            .column(user_roles::Column::UserId)
            .filter(user_roles::Column::RoleId.is_in(role_ids))
            .into_tuple()
            .all(conn)
            .await?;
        let active: HashSet<i64> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .filter(users::Column::Id.is_in(ids.clone()))
            .filter(users::Column::Active.eq(true))
            .into_tuple::<i64>()
            .all(conn)
            .await?
            .into_iter()
            .collect();
        ids.retain(|u| active.contains(u));
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }
}

impl OrgView for DbOrg {
    fn manager_of(&self, user: i64) -> Option<i64> {
        self.users.get(&user)?.manager
    }
    fn department_of(&self, user: i64) -> Option<i64> {
        self.users.get(&user)?.department
    }
    fn parent_of(&self, department: i64) -> Option<i64> {
        self.depts.get(&department)?.parent
    }
    fn head_of(&self, department: i64) -> Option<i64> {
        self.depts.get(&department)?.head
    }
    fn role_members(&self, role: &str) -> Vec<i64> {
        self.roles.get(role).cloned().unwrap_or_default()
    }
    fn administrators(&self) -> Vec<i64> {
        self.admins.clone()
    }
    fn is_active(&self, user: i64) -> bool {
        self.users.get(&user).is_some_and(|u| u.active)
    }
}
