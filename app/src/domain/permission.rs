//! Permissions, built-in roles, and the principal (who is acting) that every check runs on.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One thing a role may allow. Stored by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Browse the address book (names, departments, positions, work phone and e-mail).
    DirectoryRead,
    /// Read a user's full account record (roles, status, last login).
    UserRead,
    /// Create, edit, enable and disable accounts; reset passwords; assign roles.
    UserManage,
    /// Create, rename, move departments and set their heads.
    DeptManage,
    /// Create and edit roles.
    RoleManage,
    /// Read and export the audit log.
    AuditRead,
    /// Read account reports (dormant accounts).
    AccountReport,
    /// Design and publish approval templates; manage leave balances and the working calendar.
    TemplateManage,
    /// Read every approval instance (auditors); hand over a leaver's tasks.
    WorkflowAudit,
}

impl Permission {
    /// Every permission, in display order.
    pub const ALL: [Permission; 9] = [
        Self::DirectoryRead,
        Self::UserRead,
        Self::UserManage,
        Self::DeptManage,
        Self::RoleManage,
        Self::AuditRead,
        Self::AccountReport,
        Self::TemplateManage,
        Self::WorkflowAudit,
    ];

    /// The stable key stored in the database and used by the API.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Self::DirectoryRead => "directory_read",
            Self::UserRead => "user_read",
            Self::UserManage => "user_manage",
            Self::DeptManage => "dept_manage",
            Self::RoleManage => "role_manage",
            Self::AuditRead => "audit_read",
            Self::AccountReport => "account_report",
            Self::TemplateManage => "template_manage",
            Self::WorkflowAudit => "workflow_audit",
        }
    }

    /// The permission with this key.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// The built-in roles. A new account gets `viewer` only (least privilege).
pub const BUILTIN_ROLES: [(&str, &[Permission]); 6] = [
    ("admin", &Permission::ALL),
    ("approver", &[Permission::DirectoryRead]),
    ("operator", &[Permission::DirectoryRead, Permission::UserRead, Permission::AccountReport]),
    ("viewer", &[Permission::DirectoryRead]),
    ("auditor", &[Permission::DirectoryRead, Permission::AuditRead, Permission::WorkflowAudit]),
    // Process owners design and publish approval templates (SPEC DES-1..4).
    ("process_owner", &[Permission::DirectoryRead, Permission::TemplateManage]),
];

/// The role every new account starts with.
pub const DEFAULT_ROLE: &str = "viewer";

/// A signed-in, active user and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub permissions: BTreeSet<Permission>,
    pub locale: String,
    /// Signed in with a password someone else set (a one-time password, a reset): until a
    /// new one is chosen only the password change and signing out are open.
    #[serde(default)]
    pub must_change_password: bool,
}

impl Principal {
    /// Whether this user holds a permission.
    #[must_use]
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    /// Whether the administration area has anything for this user.
    #[must_use]
    pub fn can_administer(&self) -> bool {
        [
            Permission::UserRead,
            Permission::UserManage,
            Permission::DeptManage,
            Permission::RoleManage,
            Permission::AuditRead,
            Permission::AccountReport,
        ]
        .into_iter()
        .any(|p| self.can(p))
    }
}

/// The key of the administrators' role: it always holds every permission.
pub const ADMIN_ROLE: &str = "admin";

/// The permissions a stored role grants: the administrators' role every one, whatever its
/// stored list says; unknown keys in a stored list grant nothing.
#[must_use]
pub fn role_permissions(key: &str, stored: &[String]) -> BTreeSet<Permission> {
    if key == ADMIN_ROLE {
        return Permission::ALL.into_iter().collect();
    }
    stored.iter().filter_map(|k| Permission::from_key(k)).collect()
}

/// Whether `actor` may hand out a role (or a permission set) through any path: creating an
/// account with it, granting it, creating a role with it, adding a permission to a role.
/// Nobody grants what they do not hold themselves, and only an administrator grants the
/// administrators' role.
#[must_use]
pub fn may_grant(actor: &Principal, role_key: Option<&str>, perms: &BTreeSet<Permission>) -> bool {
    if role_key == Some(ADMIN_ROLE) && !actor.roles.iter().any(|r| r == ADMIN_ROLE) {
        return false;
    }
    perms.is_subset(&actor.permissions)
}

/// Whether `actor` may change another account's credentials, status, profile or roles.
/// Only an administrator touches an administrator's account, and nobody takes over an
/// account that can do more than they can (resetting its password would hand them its
/// rights).
#[must_use]
pub fn may_manage_account(actor: &Principal, target: &Principal) -> bool {
    if actor.user_id == target.user_id {
        return true;
    }
    let actor_admin = actor.roles.iter().any(|r| r == ADMIN_ROLE);
    if target.roles.iter().any(|r| r == ADMIN_ROLE) && !actor_admin {
        return false;
    }
    target.permissions.is_subset(&actor.permissions)
}

/// The union of the permissions of the given role permission lists.
#[must_use]
pub fn union_permissions<'a>(lists: impl IntoIterator<Item = &'a [Permission]>) -> BTreeSet<Permission> {
    lists.into_iter().flatten().copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::from_key(p.key()), Some(p));
        }
        assert_eq!(Permission::from_key("root"), None);
    }

    #[test]
    fn viewer_is_least_privileged() {
        let viewer = BUILTIN_ROLES.iter().find(|(k, _)| *k == DEFAULT_ROLE).unwrap().1;
        for (_, perms) in BUILTIN_ROLES {
            assert!(viewer.iter().all(|p| perms.contains(p)));
        }
    }

    #[test]
    fn admin_area_needs_an_admin_permission() {
        let mut p = Principal {
            user_id: 1,
            username: "u".into(),
            display_name: "U".into(),
            roles: vec![],
            permissions: [Permission::DirectoryRead].into(),
            locale: "zh-CN".into(),
            must_change_password: false,
        };
        assert!(!p.can_administer());
        p.permissions.insert(Permission::AuditRead);
        assert!(p.can_administer());
    }

    fn principal(id: i64, roles: &[&str], perms: &[Permission]) -> Principal {
        Principal {
            user_id: id,
            username: format!("u{id}"),
            display_name: "U".into(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            permissions: perms.iter().copied().collect(),
            locale: "zh-CN".into(),
            must_change_password: false,
        }
    }

    #[test]
    fn nobody_grants_what_they_do_not_hold() {
        let hr = principal(1, &["hr"], &[Permission::DirectoryRead, Permission::UserRead, Permission::UserManage]);
        let admin = principal(2, &[ADMIN_ROLE], &Permission::ALL);
        let viewer: BTreeSet<_> = [Permission::DirectoryRead].into();
        let all: BTreeSet<_> = Permission::ALL.into_iter().collect();
        let roles: BTreeSet<_> = [Permission::RoleManage].into();
        assert!(may_grant(&hr, Some("viewer"), &viewer));
        assert!(!may_grant(&hr, Some(ADMIN_ROLE), &all));
        assert!(!may_grant(&hr, Some("role_keeper"), &roles));
        assert!(may_grant(&admin, Some(ADMIN_ROLE), &all));
        // A custom role holding every permission is still not the administrators' role.
        let everything_but_admin = principal(3, &["all"], &Permission::ALL);
        assert!(!may_grant(&everything_but_admin, Some(ADMIN_ROLE), &all));
        assert_eq!(role_permissions(ADMIN_ROLE, &[]), all);
        assert_eq!(role_permissions("x", &["audit_read".into(), "root".into()]), [Permission::AuditRead].into());
    }

    #[test]
    fn only_an_administrator_manages_an_administrator() {
        let hr = principal(1, &["hr"], &[Permission::DirectoryRead, Permission::UserRead, Permission::UserManage]);
        let admin = principal(2, &[ADMIN_ROLE], &Permission::ALL);
        let other_admin = principal(4, &[ADMIN_ROLE], &Permission::ALL);
        let viewer = principal(5, &["viewer"], &[Permission::DirectoryRead]);
        let auditor = principal(6, &["auditor"], &[Permission::DirectoryRead, Permission::AuditRead]);
        assert!(!may_manage_account(&hr, &admin));
        assert!(may_manage_account(&hr, &viewer));
        assert!(!may_manage_account(&hr, &auditor), "an auditor can do what HR cannot");
        assert!(may_manage_account(&admin, &other_admin));
        assert!(may_manage_account(&hr, &hr));
    }
}
