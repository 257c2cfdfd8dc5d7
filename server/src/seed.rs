//! The demo organisation, seeded by `tongban seed-demo` and on the first start of an empty
//! database. Later features and their tests route through these people.

use app::auth::server::hash_password;
use app::ctx::{Caller, begin_write};
use app::entities::{departments, roles, user_roles, users};
use app::error::{AppError, AppResult};
use app::org::server::{AccountFields, new_account};
use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use std::collections::HashMap;

/// (key, name, parent key)
const DEPARTMENTS: [(&str, &str, Option<&str>); 9] = [
    ("company", "通办科技", None),
    ("gmo", "总经办", Some("company")),
    ("admin", "行政部", Some("company")),
    ("finance", "财务部", Some("company")),
    ("hr", "人力资源部", Some("company")),
    ("rd", "研发部", Some("company")),
    ("rd-platform", "平台组", Some("rd")),
    ("rd-apps", "应用组", Some("rd")),
    ("sales", "销售部", Some("company")),
];

/// (username, name, department key, position, manager, phone, roles)
type DemoUser = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static [&'static str],
);

const USERS: [DemoUser; 21] = [
    ("liu.yang", "刘洋", "gmo", "总经理", None, "138 0010 0001", &["approver"]),
    ("he.jing", "何静", "gmo", "总经理助理", Some("liu.yang"), "138 0010 0002", &["viewer"]),
    ("chen.jing", "陈静", "hr", "人力行政总监", Some("liu.yang"), "138 0010 0003", &["approver"]),
    ("han.mei", "韩梅", "hr", "人事专员", Some("chen.jing"), "138 0010 0004", &["viewer", "process_owner"]),
    ("admin", "系统管理员", "admin", "IT 管理员", Some("chen.jing"), "138 0010 0005", &["admin"]),
    ("yang.guang", "杨光", "admin", "行政专员", Some("chen.jing"), "138 0010 0006", &["viewer"]),
    ("xu.ming", "许明", "admin", "OA 操作员", Some("chen.jing"), "138 0010 0007", &["operator"]),
    ("wang.fang", "王芳", "finance", "财务总监", Some("liu.yang"), "138 0010 0008", &["approver"]),
    ("feng.xue", "冯雪", "finance", "会计", Some("wang.fang"), "138 0010 0009", &["viewer"]),
    ("chu.yan", "褚燕", "finance", "出纳", Some("wang.fang"), "138 0010 0010", &["viewer"]),
    ("li.na", "李娜", "rd", "研发总监", Some("liu.yang"), "138 0010 0011", &["approver"]),
    ("zhang.wei", "张伟", "rd", "软件工程师", Some("li.na"), "138 0010 0012", &["viewer"]),
    ("zhao.lei", "赵磊", "rd-platform", "平台组组长", Some("li.na"), "138 0010 0013", &["approver"]),
    ("zhou.jie", "周杰", "rd-platform", "后端工程师", Some("zhao.lei"), "138 0010 0014", &["viewer"]),
    ("sun.li", "孙丽", "rd-apps", "应用组组长", Some("li.na"), "138 0010 0015", &["approver"]),
    ("wu.min", "吴敏", "rd-apps", "前端工程师", Some("sun.li"), "138 0010 0016", &["viewer"]),
    ("zheng.hao", "郑浩", "rd-apps", "测试工程师", Some("sun.li"), "138 0010 0017", &["viewer"]),
    ("wei.qiang", "卫强", "sales", "销售总监", Some("liu.yang"), "138 0010 0018", &["approver"]),
    ("jiang.tao", "蒋涛", "sales", "销售经理", Some("wei.qiang"), "138 0010 0019", &["viewer"]),
    ("shen.yue", "沈悦", "sales", "销售代表", Some("wei.qiang"), "138 0010 0020", &["viewer"]),
    ("qin.fen", "秦芬", "sales", "商务专员", Some("wei.qiang"), "138 0010 0021", &["viewer"]),
];

/// Department heads: (department key, username).
const HEADS: [(&str, &str); 9] = [
    ("company", "liu.yang"),
    ("gmo", "liu.yang"),
    ("admin", "chen.jing"),
    ("finance", "wang.fang"),
    ("hr", "chen.jing"),
    ("rd", "li.na"),
    ("rd-platform", "zhao.lei"),
    ("rd-apps", "sun.li"),
    ("sales", "wei.qiang"),
];

/// A password that meets the policy: letters, digits and a symbol.
#[must_use]
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let body: String = (0..12).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect();
    format!("Tb-{body}-{}", rng.gen_range(10..99))
}

/// Whether the database has no accounts yet.
///
/// # Errors
/// The database error.
pub async fn is_empty(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(users::Entity::find().count(db).await? == 0)
}

/// Seeds the demo organisation with every user's password set to `password`. Returns false
/// (and changes nothing) when accounts exist already.
///
/// # Errors
/// The database error; `Validation` if the password breaks the policy.
///
/// `must_change`: every demo user has to choose their own password at their first sign-in
/// (the shared one was generated and printed, not chosen by the operator).
pub async fn seed_demo(db: &app::ctx::Db, password: &str, now: DateTime<Utc>, must_change: bool) -> AppResult<bool> {
    for (u, ..) in USERS {
        app::auth::server::check_new_password(u, password).map_err(|c| AppError::field("TONGBAN_DEMO_PASSWORD", c))?;
    }
    // One hash for everyone: argon2 is deliberately slow and they share the password.
    let hash = hash_password(password)?;
    let txn = begin_write(db).await?;
    if users::Entity::find().count(&txn).await? > 0 {
        return Ok(false);
    }
    app::org::server::ensure_builtin_roles(&txn, now).await?;
    let mut dept_ids: HashMap<&str, i64> = HashMap::new();
    for (i, (key, name, parent)) in DEPARTMENTS.iter().enumerate() {
        let d = departments::ActiveModel {
            name: Set((*name).to_owned()),
            parent_id: Set(parent.and_then(|p| dept_ids.get(p).copied())),
            head_user_id: Set(None),
            sort_order: Set(i as i32),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        dept_ids.insert(key, d.id);
    }
    let role_ids: HashMap<String, i64> =
        roles::Entity::find().all(&txn).await?.into_iter().map(|r| (r.key, r.id)).collect();
    let mut user_ids: HashMap<&str, i64> = HashMap::new();
    for (username, name, dept, position, manager, phone, user_roles_list) in USERS {
        let fields = AccountFields {
            username: (*username).to_owned(),
            display_name: (*name).to_owned(),
            password_hash: hash.clone(),
            department_id: dept_ids.get(dept).copied(),
            position: (*position).to_owned(),
            manager_id: manager.and_then(|m| user_ids.get(m).copied()),
            phone: (*phone).to_owned(),
            email: format!("{username}@tongban.example"),
            must_change_password: must_change,
        };
        let u = new_account(fields, now).insert(&txn).await?;
        user_ids.insert(username, u.id);
        for r in user_roles_list {
            let rid = *role_ids.get(*r).ok_or_else(|| AppError::internal(format!("role {r} missing")))?;
            user_roles::Entity::insert(user_roles::ActiveModel { user_id: Set(u.id), role_id: Set(rid) })
                .exec(&txn)
                .await?;
        }
    }
    for (dept, head) in HEADS {
        departments::Entity::update_many()
            .col_expr(departments::Column::HeadUserId, sea_orm::sea_query::Expr::value(user_ids.get(head).copied()))
            .filter(departments::Column::Id.eq(dept_ids[dept]))
            .exec(&txn)
            .await?;
    }
    app::audit::server::record(
        &txn,
        &Caller::system(),
        now,
        "org.seed_demo",
        "organisation",
        app::audit::server::Outcome::Ok,
        &format!("{} departments, {} users", DEPARTMENTS.len(), USERS.len()),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Gives an empty database its first account: `admin`, an administrator, with a generated
/// one-time password that must be changed at the first sign-in. Returns the password, or
/// `None` when the database already has accounts.
///
/// # Errors
/// The database error.
pub async fn seed_first_admin(db: &app::ctx::Db, now: DateTime<Utc>) -> AppResult<Option<String>> {
    let password = generate_password();
    let hash = app::auth::server::hash_password_async(&password).await?;
    let txn = begin_write(db).await?;
    if users::Entity::find().count(&txn).await? > 0 {
        return Ok(None);
    }
    app::org::server::ensure_builtin_roles(&txn, now).await?;
    let admin_role = roles::Entity::find()
        .filter(roles::Column::Key.eq(app::domain::permission::ADMIN_ROLE))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("the admin role is missing"))?;
    let fields = AccountFields {
        username: "admin".to_owned(),
        display_name: "系统管理员".to_owned(),
        password_hash: hash,
        department_id: None,
        position: String::new(),
        manager_id: None,
        phone: String::new(),
        email: String::new(),
        must_change_password: true,
    };
    let u = new_account(fields, now).insert(&txn).await?;
    user_roles::Entity::insert(user_roles::ActiveModel { user_id: Set(u.id), role_id: Set(admin_role.id) })
        .exec(&txn)
        .await?;
    app::audit::server::record(
        &txn,
        &Caller::system(),
        now,
        "org.first_admin",
        "user:admin",
        app::audit::server::Outcome::Ok,
        "one-time password written to the data directory",
    )
    .await?;
    txn.commit().await?;
    Ok(Some(password))
}
