//! The built-in templates (SPEC WF-1): leave, expense, purchase, office supplies, vehicle,
//! general request, new account. Their keys and field keys are part of the API. Published
//! as version 1 when missing; afterwards administrators may publish new versions.

use super::service::{Publication, publish_in};
use crate::ctx::{Db, begin_write};
use crate::domain::workflow::design::TemplateDoc;
use crate::domain::workflow::flow::Flow;
use crate::domain::workflow::form::FormSchema;
use crate::entities::wf_templates::Effect;
use crate::entities::{departments, wf_templates};
use crate::error::{AppError, AppResult};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};

struct Builtin {
    key: &'static str,
    name: &'static str,
    category: &'static str,
    icon: &'static str,
    description: &'static str,
    effect: Option<Effect>,
    form: Value,
    flow: Value,
}

fn half_options() -> Value {
    json!([{"value": "am", "label": "上午"}, {"value": "pm", "label": "下午"}])
}

/// The head of a department found by name, else the administrators.
fn head_or_admins(dept: Option<i64>) -> Value {
    match dept {
        Some(id) => json!({"kind": "department_head", "department": id}),
        None => json!({"kind": "role", "key": "admin"}),
    }
}

fn approver(id: &str, name: &str, rule: Value) -> Value {
    json!({"type": "approver", "id": id, "name": name, "rule": rule, "mode": "all", "on_empty": {"then": "admin"}})
}

fn handler(id: &str, name: &str, rule: Value) -> Value {
    json!({"type": "handler", "id": id, "name": name, "rule": rule, "on_empty": {"then": "admin"}})
}

fn builtins(finance: Option<i64>, hr: Option<i64>, admin_dept: Option<i64>, root: Option<i64>) -> Vec<Builtin> {
    let manager = json!({"kind": "manager", "levels": 1});
    let gm = head_or_admins(root);
    vec![
        Builtin {
            key: "leave",
            name: "请假",
            category: "人事",
            icon: "calendar",
            description: "年假、病假、事假、调休；按工作日计算天数，提交时校验余额，审批通过后扣减",
            effect: Some(Effect::Leave),
            form: json!({"fields": [
                {"key": "leave_type", "label": "请假类型", "type": "select", "required": true, "options": [
                    {"value": "annual", "label": "年假"}, {"value": "sick", "label": "病假"},
                    {"value": "personal", "label": "事假"}, {"value": "compensatory", "label": "调休"}]},
                {"key": "start_date", "label": "开始日期", "type": "date", "required": true},
                {"key": "start_half", "label": "开始时段", "type": "select", "options": half_options()},
                {"key": "end_date", "label": "结束日期", "type": "date", "required": true},
                {"key": "end_half", "label": "结束时段", "type": "select", "options": half_options()},
                {"key": "days", "label": "请假天数", "type": "working_days", "start": "start_date", "end": "end_date",
                 "start_half": "start_half", "end_half": "end_half"},
                {"key": "reason", "label": "请假事由", "type": "long_text", "required": true, "max_len": 500}
            ]}),
            flow: json!({"nodes": [
                approver("manager", "直属主管", manager.clone()),
                {"type": "conditions", "id": "length", "name": "请假时长", "arms": [
                    {"name": "超过3天", "condition": {"kind": "compare", "field": "days", "op": "gt", "value": "3"},
                     "nodes": [approver("manager2", "上级主管", json!({"kind": "manager", "levels": 2}))]},
                    {"name": "其他", "nodes": []}
                ]},
                {"type": "cc", "id": "cc_hr", "name": "抄送人事", "targets": [head_or_admins(hr)]}
            ]}),
        },
        Builtin {
            key: "expense",
            name: "报销",
            category: "财务",
            icon: "receipt",
            description: "费用明细逐行填写并附票据，合计由系统计算；超过 5000 元需总经理审批",
            effect: None,
            form: json!({"fields": [
                {"key": "reason", "label": "报销事由", "type": "text", "required": true, "max_len": 200},
                {"key": "items", "label": "费用明细", "type": "table", "required": true, "columns": [
                    {"key": "date", "label": "日期", "type": "date", "required": true},
                    {"key": "category", "label": "类别", "type": "select", "required": true, "options": [
                        {"value": "travel", "label": "差旅"}, {"value": "transport", "label": "交通"},
                        {"value": "meal", "label": "餐饮"}, {"value": "hotel", "label": "住宿"},
                        {"value": "office", "label": "办公"}, {"value": "other", "label": "其他"}]},
                    {"key": "amount", "label": "金额", "type": "money", "required": true},
                    {"key": "note", "label": "说明", "type": "text", "max_len": 200},
                    {"key": "receipt", "label": "票据", "type": "attachment", "max_files": 5}
                ]},
                {"key": "total", "label": "合计金额", "type": "total", "table": "items", "column": "amount"}
            ]}),
            flow: json!({"nodes": [
                approver("manager", "直属主管", manager.clone()),
                approver("finance", "财务负责人", head_or_admins(finance)),
                {"type": "conditions", "id": "amount", "name": "金额判断", "arms": [
                    {"name": "超过5000元", "condition": {"kind": "compare", "field": "total", "op": "gt", "value": "5000"},
                     "nodes": [approver("gm", "总经理", gm.clone())]},
                    {"name": "其他", "nodes": []}
                ]}
            ]}),
        },
        Builtin {
            key: "purchase",
            name: "采购",
            category: "行政",
            icon: "cart",
            description: "物品或服务采购；超过 10000 元需总经理审批，行政部执行",
            effect: None,
            form: json!({"fields": [
                {"key": "item", "label": "采购物品", "type": "text", "required": true, "max_len": 100},
                {"key": "category", "label": "类别", "type": "select", "required": true, "options": [
                    {"value": "equipment", "label": "设备"}, {"value": "software", "label": "软件"},
                    {"value": "service", "label": "服务"}, {"value": "other", "label": "其他"}]},
                {"key": "quantity", "label": "数量", "type": "number", "required": true, "min": 1, "max": 100000},
                {"key": "amount", "label": "预算金额", "type": "money", "required": true},
                {"key": "supplier", "label": "建议供应商", "type": "text", "max_len": 100},
                {"key": "needed_by", "label": "期望到货日期", "type": "date"},
                {"key": "reason", "label": "采购理由", "type": "long_text", "required": true, "max_len": 1000},
                {"key": "quote", "label": "报价单", "type": "attachment", "max_files": 5}
            ]}),
            flow: json!({"nodes": [
                approver("manager", "直属主管", manager.clone()),
                {"type": "conditions", "id": "amount", "name": "金额判断", "arms": [
                    {"name": "超过10000元", "condition": {"kind": "compare", "field": "amount", "op": "gt", "value": "10000"},
                     "nodes": [approver("gm", "总经理", gm.clone())]},
                    {"name": "其他", "nodes": []}
                ]},
                handler("buyer", "行政采购", head_or_admins(admin_dept))
            ]}),
        },
        Builtin {
            key: "office_supplies",
            name: "办公用品申领",
            category: "行政",
            icon: "box",
            description: "文具、耗材等办公用品申领，主管审批后行政部发放",
            effect: None,
            form: json!({"fields": [
                {"key": "items", "label": "申领明细", "type": "table", "required": true, "columns": [
                    {"key": "name", "label": "物品", "type": "text", "required": true, "max_len": 50},
                    {"key": "quantity", "label": "数量", "type": "number", "required": true, "min": 1, "max": 1000},
                    {"key": "note", "label": "备注", "type": "text", "max_len": 100}
                ]},
                {"key": "reason", "label": "用途", "type": "text", "max_len": 200}
            ]}),
            flow: json!({"nodes": [
                approver("manager", "直属主管", manager.clone()),
                handler("issue", "行政发放", head_or_admins(admin_dept))
            ]}),
        },
        Builtin {
            key: "vehicle",
            name: "车辆调度",
            category: "行政",
            icon: "car",
            description: "公务用车申请，主管与行政部审批后派车",
            effect: None,
            form: json!({"fields": [
                {"key": "use_dates", "label": "用车日期", "type": "date_range", "required": true},
                {"key": "destination", "label": "目的地", "type": "text", "required": true, "max_len": 100},
                {"key": "passengers", "label": "乘车人数", "type": "number", "required": true, "min": 1, "max": 50},
                {"key": "driver", "label": "是否需要司机", "type": "select", "required": true, "options": [
                    {"value": "yes", "label": "需要"}, {"value": "no", "label": "自驾"}]},
                {"key": "purpose", "label": "用车事由", "type": "long_text", "required": true, "max_len": 500}
            ]}),
            flow: json!({"nodes": [
                approver("manager", "直属主管", manager.clone()),
                handler("dispatch", "行政派车", head_or_admins(admin_dept))
            ]}),
        },
        Builtin {
            key: "general",
            name: "通用申请",
            category: "通用",
            icon: "file",
            description: "其他事项的申请，可自选审批人",
            effect: None,
            form: json!({"fields": [
                {"key": "subject", "label": "申请事项", "type": "text", "required": true, "max_len": 100},
                {"key": "content", "label": "申请内容", "type": "long_text", "required": true, "max_len": 5000},
                {"key": "files", "label": "附件", "type": "attachment", "max_files": 10}
            ]}),
            flow: json!({"nodes": [
                approver("manager", "直属主管", manager.clone()),
                {"type": "approver", "id": "picked", "name": "自选审批人", "rule": {"kind": "requester_picks"},
                 "mode": "sequential", "on_empty": {"then": "skip"}}
            ]}),
        },
        Builtin {
            key: super::design_server::REVIEW_KEY,
            name: "模板发布复核",
            category: "系统",
            icon: "shield",
            description: "流程变更涉及发布人本人、允许申请人自批、无人审批，或改动带自动处理的模板的审批人时，由另一位流程管理员（或管理员）复核后才发布",
            effect: Some(Effect::TemplatePublish),
            form: json!({"fields": [
                {"key": "template_key", "label": "模板标识", "type": "text", "required": true, "max_len": 64},
                {"key": "template_name", "label": "模板名称", "type": "text", "max_len": 40},
                {"key": "draft_rev", "label": "草稿修订号", "type": "text", "required": true, "max_len": 20},
                {"key": "concerns", "label": "需要复核的原因", "type": "long_text", "required": true, "max_len": 2000},
                {"key": "note", "label": "版本说明", "type": "long_text", "max_len": 200}
            ]}),
            flow: json!({"nodes": [
                {"type": "approver", "id": "review", "name": "另一位流程管理员", "rule": {"kind": "role", "key": "process_owner"},
                 "mode": "any", "on_empty": {"then": "admin"}, "requester_is_approver": "exclude"}
            ]}),
        },
        Builtin {
            key: "new_account",
            name: "开通账号",
            category: "IT",
            icon: "user-plus",
            description: "为新同事开通系统账号：部门负责人审批，IT 管理员确认后自动创建",
            effect: Some(Effect::NewAccount),
            form: json!({"fields": [
                {"key": "username", "label": "登录名", "type": "text", "required": true, "max_len": 32},
                {"key": "display_name", "label": "姓名", "type": "text", "required": true, "max_len": 40},
                {"key": "department", "label": "部门", "type": "department", "required": true},
                {"key": "position", "label": "岗位", "type": "text", "max_len": 40},
                {"key": "email", "label": "邮箱", "type": "text", "max_len": 100},
                {"key": "phone", "label": "电话", "type": "text", "max_len": 30},
                {"key": "reason", "label": "说明", "type": "long_text", "max_len": 500}
            ]}),
            flow: json!({"nodes": [
                approver("dept_head", "部门负责人", json!({"kind": "department_head"})),
                approver("it", "IT 管理员", json!({"kind": "role", "key": "admin"}))
            ]}),
        },
    ]
}

async fn dept_named(db: &DatabaseConnection, name: &str) -> AppResult<Option<i64>> {
    Ok(departments::Entity::find().filter(departments::Column::Name.eq(name)).one(db).await?.map(|d| d.id))
}

/// Publishes every built-in template that does not exist yet. Run at every start (after the
/// organisation is seeded, so department heads resolve), safe on several servers.
///
/// # Errors
/// The database error; a built-in template that fails validation (a bug).
pub async fn ensure_builtin_templates(db: &Db, now: chrono::DateTime<chrono::Utc>) -> AppResult<()> {
    let root = departments::Entity::find().filter(departments::Column::ParentId.is_null()).one(db).await?.map(|d| d.id);
    let list = builtins(
        dept_named(db, "财务部").await?,
        dept_named(db, "人力资源部").await?,
        dept_named(db, "行政部").await?,
        root,
    );
    for b in list {
        if wf_templates::Entity::find().filter(wf_templates::Column::Key.eq(b.key)).one(db).await?.is_some() {
            continue;
        }
        let form: FormSchema = serde_json::from_value(b.form).map_err(AppError::internal)?;
        let flow: Flow = serde_json::from_value(b.flow).map_err(AppError::internal)?;
        let doc = TemplateDoc {
            key: b.key.to_owned(),
            name: b.name.to_owned(),
            category: b.category.to_owned(),
            description: b.description.to_owned(),
            icon: b.icon.to_owned(),
            form,
            flow,
        };
        super::design_server::refuse_problems(&doc)?;
        let txn = begin_write(db).await?;
        // Another server may have published it meanwhile.
        if wf_templates::Entity::find().filter(wf_templates::Column::Key.eq(b.key)).one(&txn).await?.is_some() {
            continue;
        }
        publish_in(&txn, &Publication { doc: &doc, effect: b.effect, by: None, note: "内置模板", now }).await?;
        txn.commit().await?;
    }
    Ok(())
}
