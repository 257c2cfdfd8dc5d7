//! Administration pages: accounts, departments, roles, dormant accounts.

use crate::components::{
    Empty, ErrorPanel, Field, FieldError, FormError, Loading, Pager, fmt_time, form_error, opt, role_label,
};
use crate::domain::permission::Permission;
use crate::error::AppError;
use crate::i18n::*;
use crate::org::api::{
    CreateDepartment, CreateRole, CreateUser, DeleteDepartment, DeleteRole, DepartmentDto, ResetPassword,
    SetRolePermission, SetUserActive, SetUserRole, UpdateDepartment, UpdateUser, UserOption, dormant_accounts,
    get_user, list_departments, list_roles, list_users, user_options,
};
use crate::shell::{AdminTabs, permission_label};
use crate::url::percent_encode;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

fn status_chip(i18n: I18nContext<Locale>, active: bool) -> impl IntoView {
    if active {
        view! { <span class="chip chip-ok">{t_string!(i18n, admin.active).to_string()}</span> }
    } else {
        view! { <span class="chip chip-off">{t_string!(i18n, admin.disabled).to_string()}</span> }
    }
}

/// A `<select>` of departments (tree-indented), with an empty choice.
#[component]
fn DeptSelect(
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    depts: Vec<DepartmentDto>,
    selected: Option<i64>,
    #[prop(into)] empty_label: Signal<String>,
    #[prop(optional)] exclude: Option<i64>,
    err: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("f-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <select id=id name=name>
                <option value="" selected=selected.is_none()>{move || empty_label.get()}</option>
                {depts.into_iter().filter(|d| Some(d.id) != exclude).map(|d| {
                    let indent = "\u{3000}".repeat(d.depth as usize);
                    view! { <option value=d.id selected=selected == Some(d.id)>{format!("{indent}{}", d.name)}</option> }
                }).collect_view()}
            </select>
            <FieldError err field=name/>
        </div>
    }
}

/// A `<select>` of active users, with an empty choice.
#[component]
fn UserSelect(
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    users: Vec<UserOption>,
    selected: Option<i64>,
    err: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{name}");
    view! {
        <div class="field">
            <label for=id.clone()>{move || label.get()}</label>
            <select id=id name=name>
                <option value="" selected=selected.is_none()>{move || t_string!(i18n, common.none).to_string()}</option>
                {users.into_iter().map(|u| view! {
                    <option value=u.id selected=selected == Some(u.id)>{format!("{}（{}）", u.display_name, u.department_name)}</option>
                }).collect_view()}
            </select>
            <FieldError err field=name/>
        </div>
    }
}

/// `/admin/users`: accounts with search.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.with(|m| m.get("q")).filter(|s| !s.trim().is_empty());
    let page = move || query.with(|m| m.get("page")).and_then(|s| s.parse::<u64>().ok());
    let users = crate::data::blocking(move || (q(), page()), |(q, p)| list_users(q, p));
    view! {
        <Title text=t_string!(i18n, admin.users_title).to_string()/>
        <AdminTabs/>
        <div class="page-head">
            <h1 class="page-title">{t!(i18n, admin.users_title)}</h1>
            <a class="btn btn-primary" href="/admin/users/new">{t!(i18n, admin.new_user)}</a>
        </div>
        <Form method="GET" action="/admin/users" attr:class="searchbar" attr:role="search">
            <input type="search" name="q" value=move || q().unwrap_or_default()
                aria-label=move || t_string!(i18n, common.search).to_string()
                placeholder=move || t_string!(i18n, contacts.search_placeholder).to_string()/>
            <button type="submit" class="btn btn-primary">{t!(i18n, common.search)}</button>
        </Form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(p) if p.items.is_empty() => view! { <Empty text=Signal::derive(move || t_string!(i18n, common.empty).to_string())/> }.into_any(),
                    Ok(p) => {
                        let base = match q() { Some(q) => format!("/admin/users?q={}", percent_encode(&q)), None => "/admin/users".into() };
                        let (page, pages, total) = (p.page, p.pages(), p.total);
                        view! {
                            <div class="table-wrap card flush"><table class="table">
                                <thead><tr>
                                    <th>{t!(i18n, admin.id)}</th>
                                    <th>{t!(i18n, admin.display_name)}</th>
                                    <th>{t!(i18n, admin.username)}</th>
                                    <th>{t!(i18n, admin.department)}</th>
                                    <th>{t!(i18n, admin.position)}</th>
                                    <th>{t!(i18n, admin.roles)}</th>
                                    <th>{t!(i18n, admin.status)}</th>
                                    <th>{t!(i18n, admin.last_login)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|u| view! {
                                        <tr>
                                            <td class="num">{u.id}</td>
                                            <td><a href=format!("/admin/users/{}", u.id)>{u.display_name.clone()}</a></td>
                                            <td><code>{u.username.clone()}</code></td>
                                            <td>{opt(&u.department_name)}</td>
                                            <td>{opt(&u.position)}</td>
                                            <td>{u.roles.iter().map(|r| role_label(i18n, r)).collect::<Vec<_>>().join("、")}</td>
                                            <td>{status_chip(i18n, u.active)}</td>
                                            <td class="muted">{u.last_login_at.as_deref().map(fmt_time)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            {(pages > 1).then(|| view! { <Pager page pages total base/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/admin/users/new`: create an account.
#[component]
pub fn NewUserPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateUser>::new();
    let err = form_error(action);
    let options = crate::data::blocking(
        || (),
        |()| async { Ok::<_, AppError>((list_departments().await?, user_options().await?)) },
    );
    view! {
        <Title text=t_string!(i18n, admin.new_user).to_string()/>
        <AdminTabs/>
        <h1 class="page-title">{t!(i18n, admin.new_user)}</h1>
        <section class="card narrow-form">
            <FormError err/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok((depts, users)) => view! {
                            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                                <Field label=Signal::derive(move || t_string!(i18n, admin.username).to_string()) name="username" required=true autocomplete="off" err/>
                                <Field label=Signal::derive(move || t_string!(i18n, admin.display_name).to_string()) name="display_name" required=true err/>
                                <Field label=Signal::derive(move || t_string!(i18n, admin.initial_password).to_string()) name="password" kind="password" required=true autocomplete="new-password"
                                    hint=Signal::derive(move || t_string!(i18n, profile.password_hint).to_string()) err/>
                                <DeptSelect name="department_id" label=Signal::derive(move || t_string!(i18n, admin.department).to_string())
                                    depts selected=None empty_label=Signal::derive(move || t_string!(i18n, admin.no_department).to_string()) err/>
                                <Field label=Signal::derive(move || t_string!(i18n, admin.position).to_string()) name="position" err/>
                                <UserSelect name="manager_id" label=Signal::derive(move || t_string!(i18n, admin.manager).to_string()) users selected=None err/>
                                <Field label=Signal::derive(move || t_string!(i18n, admin.phone).to_string()) name="phone" kind="tel" err/>
                                <Field label=Signal::derive(move || t_string!(i18n, admin.email).to_string()) name="email" kind="email" err/>
                                <div class="form-actions">
                                    <a class="btn btn-ghost" href="/admin/users">{t!(i18n, common.cancel)}</a>
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>{t!(i18n, common.create)}</button>
                                </div>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `/admin/users/:id`: one account — profile, roles, status, password.
#[component]
pub fn UserPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let update = ServerAction::<UpdateUser>::new();
    let update_err = form_error(update);
    let set_active = ServerAction::<SetUserActive>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let reset_err = form_error(reset);
    let status_err = Signal::derive(move || {
        set_active.value().get().and_then(Result::err).or_else(|| set_role.value().get().and_then(Result::err))
    });
    let data = crate::data::blocking(
        move || (id(), update.version().get(), set_active.version().get(), set_role.version().get()),
        |(id, ..)| async move {
            Ok::<_, AppError>((
                get_user(id).await?,
                list_departments().await?,
                user_options().await?,
                list_roles().await?,
            ))
        },
    );
    view! {
        <Title text=t_string!(i18n, admin.users_title).to_string()/>
        <AdminTabs/>
        <p><A href="/admin/users">"← "{t!(i18n, common.back)}</A></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((u, depts, users, roles)) => {
                        let uid = u.id;
                        let users: Vec<UserOption> = users.into_iter().filter(|o| o.id != uid).collect();
                        view! {
                            <div class="page-head">
                                <h1 class="page-title">{u.display_name.clone()}" "<small class="muted"><code>{u.username.clone()}</code></small></h1>
                                {status_chip(i18n, u.active)}
                            </div>
                            <div class="grid-2">
                                <section class="card">
                                    <h2>{t!(i18n, admin.profile)}</h2>
                                    <FormError err=update_err/>
                                    {move || matches!(update.value().get(), Some(Ok(_))).then(|| view! {
                                        <div class="alert alert-ok" role="status">{t!(i18n, common.saved)}</div>
                                    })}
                                    <ActionForm action=update attr:class="stack" attr:novalidate=true>
                                        <input type="hidden" name="id" value=uid/>
                                        <Field label=Signal::derive(move || t_string!(i18n, admin.display_name).to_string()) name="display_name" value=u.display_name.clone() required=true err=update_err/>
                                        <DeptSelect name="department_id" label=Signal::derive(move || t_string!(i18n, admin.department).to_string())
                                            depts selected=u.department_id empty_label=Signal::derive(move || t_string!(i18n, admin.no_department).to_string()) err=update_err/>
                                        <Field label=Signal::derive(move || t_string!(i18n, admin.position).to_string()) name="position" value=u.position.clone() err=update_err/>
                                        <UserSelect name="manager_id" label=Signal::derive(move || t_string!(i18n, admin.manager).to_string()) users selected=u.manager_id err=update_err/>
                                        <Field label=Signal::derive(move || t_string!(i18n, admin.phone).to_string()) name="phone" kind="tel" value=u.phone.clone() err=update_err/>
                                        <Field label=Signal::derive(move || t_string!(i18n, admin.email).to_string()) name="email" kind="email" value=u.email.clone() err=update_err/>
                                        <button type="submit" class="btn btn-primary" disabled=move || update.pending().get()>{t!(i18n, common.save)}</button>
                                    </ActionForm>
                                </section>
                                <div class="stack">
                                    <section class="card">
                                        <h2>{t!(i18n, admin.security)}</h2>
                                        <FormError err=status_err/>
                                        <dl class="kv">
                                            <dt>{t!(i18n, admin.last_login)}</dt><dd>{u.last_login_at.as_deref().map(fmt_time)}</dd>
                                            <dt>{t!(i18n, admin.created_at)}</dt><dd>{fmt_time(&u.created_at)}</dd>
                                        </dl>
                                        <ActionForm action=set_active attr:class="stack">
                                            <input type="hidden" name="id" value=uid/>
                                            <input type="hidden" name="active" value=if u.active { "false" } else { "true" }/>
                                            {if u.active {
                                                view! {
                                                    <p class="hint">{t!(i18n, admin.disable_hint)}</p>
                                                    <button type="submit" class="btn btn-danger">{t!(i18n, admin.disable)}</button>
                                                }.into_any()
                                            } else {
                                                view! { <button type="submit" class="btn btn-primary">{t!(i18n, admin.enable)}</button> }.into_any()
                                            }}
                                        </ActionForm>
                                        <h3>{t!(i18n, admin.reset_password)}</h3>
                                        <FormError err=reset_err/>
                                        {move || matches!(reset.value().get(), Some(Ok(()))).then(|| view! {
                                            <div class="alert alert-ok" role="status">{t!(i18n, common.saved)}</div>
                                        })}
                                        <ActionForm action=reset attr:class="row-form">
                                            <input type="hidden" name="id" value=uid/>
                                            <Field label=Signal::derive(move || t_string!(i18n, profile.new_password).to_string()) name="password" kind="password" autocomplete="new-password" err=reset_err/>
                                            <button type="submit" class="btn">{t!(i18n, admin.reset_password)}</button>
                                        </ActionForm>
                                    </section>
                                    <section class="card">
                                        <h2>{t!(i18n, admin.roles)}</h2>
                                        <ul class="role-list">
                                            {roles.into_iter().map(|r| {
                                                let has = u.roles.contains(&r.key);
                                                view! {
                                                    <li>
                                                        <span><strong>{r.name.clone()}</strong>" "<code class="muted">{r.key.clone()}</code></span>
                                                        <ActionForm action=set_role>
                                                            <input type="hidden" name="id" value=uid/>
                                                            <input type="hidden" name="role" value=r.key.clone()/>
                                                            <input type="hidden" name="granted" value=if has { "false" } else { "true" }/>
                                                            <button type="submit" class=if has { "btn btn-sm" } else { "btn btn-sm btn-primary" }>
                                                                {if has { t_string!(i18n, admin.revoke).to_string() } else { t_string!(i18n, admin.grant).to_string() }}
                                                            </button>
                                                        </ActionForm>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                </div>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/admin/departments`: the tree; create, rename, move, set head, delete.
#[component]
pub fn DepartmentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateDepartment>::new();
    let create_err = form_error(create);
    let update = ServerAction::<UpdateDepartment>::new();
    let update_err = form_error(update);
    let delete = ServerAction::<DeleteDepartment>::new();
    let delete_err = form_error(delete);
    let data = crate::data::blocking(
        move || (create.version().get(), update.version().get(), delete.version().get()),
        |_| async { Ok::<_, AppError>((list_departments().await?, user_options().await?)) },
    );
    view! {
        <Title text=t_string!(i18n, admin.departments_title).to_string()/>
        <AdminTabs/>
        <h1 class="page-title">{t!(i18n, admin.departments_title)}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((depts, users)) => {
                        let for_create = depts.clone();
                        view! {
                            <section class="card">
                                <h2>{t!(i18n, admin.new_department)}</h2>
                                <FormError err=create_err/>
                                <ActionForm action=create attr:class="row-form">
                                    <Field label=Signal::derive(move || t_string!(i18n, admin.dept_name).to_string()) name="name" required=true err=create_err/>
                                    <DeptSelect name="parent_id" label=Signal::derive(move || t_string!(i18n, admin.parent).to_string())
                                        depts=for_create selected=None empty_label=Signal::derive(move || t_string!(i18n, admin.top_level).to_string()) err=create_err/>
                                    <button type="submit" class="btn btn-primary">{t!(i18n, common.create)}</button>
                                </ActionForm>
                            </section>
                            <FormError err=update_err/>
                            <FormError err=delete_err/>
                            {move || match delete_err.get() {
                                Some(AppError::Validation { code, .. }) => Some(view! {
                                    <div class="alert alert-error" role="alert">{crate::components::code_text(i18n, code)}</div>
                                }),
                                _ => None,
                            }}
                            <ul class="dept-list">
                                {depts.clone().into_iter().map(|d| {
                                    let all = depts.clone();
                                    let users = users.clone();
                                    let pad = format!("margin-left: {}rem", f64::from(d.depth) * 1.25);
                                    view! {
                                        <li class="card dept-row" style=pad>
                                            <ActionForm action=update attr:class="row-form">
                                                <input type="hidden" name="id" value=d.id/>
                                                <input type="hidden" name="sort_order" value=d.sort_order/>
                                                <Field label=Signal::derive(move || t_string!(i18n, admin.dept_name).to_string()) name="name" value=d.name.clone() err=update_err/>
                                                <DeptSelect name="parent_id" label=Signal::derive(move || t_string!(i18n, admin.parent).to_string())
                                                    depts=all selected=d.parent_id exclude=d.id empty_label=Signal::derive(move || t_string!(i18n, admin.top_level).to_string()) err=update_err/>
                                                <UserSelect name="head_user_id" label=Signal::derive(move || t_string!(i18n, admin.head).to_string()) users selected=d.head_user_id err=update_err/>
                                                <span class="muted">{t!(i18n, admin.members)}": "{d.member_count}</span>
                                                <button type="submit" class="btn btn-primary btn-sm">{t!(i18n, common.save)}</button>
                                            </ActionForm>
                                            <ActionForm action=delete>
                                                <input type="hidden" name="id" value=d.id/>
                                                <button type="submit" class="btn btn-danger btn-sm">{t!(i18n, common.delete)}</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/admin/roles`: the role × permission matrix; custom roles.
#[component]
pub fn RolesPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateRole>::new();
    let create_err = form_error(create);
    let toggle = ServerAction::<SetRolePermission>::new();
    let toggle_err = form_error(toggle);
    let delete = ServerAction::<DeleteRole>::new();
    let delete_err = form_error(delete);
    let roles = crate::data::blocking(
        move || (create.version().get(), toggle.version().get(), delete.version().get()),
        |_| list_roles(),
    );
    view! {
        <Title text=t_string!(i18n, admin.roles_title).to_string()/>
        <AdminTabs/>
        <h1 class="page-title">{t!(i18n, admin.roles_title)}</h1>
        <section class="card">
            <h2>{t!(i18n, admin.new_role)}</h2>
            <FormError err=create_err/>
            <ActionForm action=create attr:class="row-form">
                <Field label=Signal::derive(move || t_string!(i18n, admin.role_key).to_string()) name="key" required=true err=create_err/>
                <Field label=Signal::derive(move || t_string!(i18n, admin.role_name).to_string()) name="name" required=true err=create_err/>
                <button type="submit" class="btn btn-primary">{t!(i18n, common.create)}</button>
            </ActionForm>
        </section>
        <FormError err=toggle_err/>
        <FormError err=delete_err/>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match roles.await {
                    Ok(list) => view! {
                        <div class="table-wrap card flush"><table class="table matrix">
                            <thead><tr>
                                <th>{t!(i18n, admin.role_name)}</th>
                                {Permission::ALL.iter().map(|p| view! { <th>{permission_label(i18n, *p)}</th> }).collect_view()}
                                <th>{t!(i18n, admin.members)}</th>
                                <th>{t!(i18n, common.actions)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|r| {
                                    let locked = r.key == "admin";
                                    view! {
                                        <tr>
                                            <td>
                                                <strong>{r.name.clone()}</strong><br/>
                                                <code class="muted">{r.key.clone()}</code>
                                                {r.builtin.then(|| view! { " "<span class="chip chip-soft">{t!(i18n, admin.builtin)}</span> })}
                                            </td>
                                            {Permission::ALL.iter().map(|p| {
                                                let has = r.permissions.contains(p);
                                                let label = format!("{} / {}", r.key, p.key());
                                                view! {
                                                    <td class="center">
                                                        <ActionForm action=toggle>
                                                            <input type="hidden" name="role_id" value=r.id/>
                                                            <input type="hidden" name="permission" value=p.key()/>
                                                            <input type="hidden" name="granted" value=if has { "false" } else { "true" }/>
                                                            <button type="submit" class=if has { "toggle on" } else { "toggle" } disabled=locked
                                                                aria-pressed=if has { "true" } else { "false" }
                                                                aria-label=label>
                                                                {if has { "✓" } else { "·" }}
                                                            </button>
                                                        </ActionForm>
                                                    </td>
                                                }
                                            }).collect_view()}
                                            <td class="num">{r.member_count}</td>
                                            <td>
                                                {(!r.builtin).then(|| view! {
                                                    <ActionForm action=delete>
                                                        <input type="hidden" name="id" value=r.id/>
                                                        <button type="submit" class="btn btn-danger btn-sm">{t!(i18n, common.delete)}</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/admin/dormant`: accounts with no sign-in for N days.
#[component]
pub fn DormantPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let days = move || query.with(|m| m.get("days")).and_then(|s| s.parse::<i64>().ok()).unwrap_or(90);
    let rows = crate::data::blocking(days, dormant_accounts);
    view! {
        <Title text=t_string!(i18n, admin.dormant_title).to_string()/>
        <AdminTabs/>
        <h1 class="page-title">{t!(i18n, admin.dormant_title)}</h1>
        <p class="muted">{t!(i18n, admin.dormant_hint)}</p>
        <Form method="GET" action="/admin/dormant" attr:class="searchbar">
            <label for="f-days">{t!(i18n, admin.dormant_days)}</label>
            <input id="f-days" type="number" name="days" min="1" max="3650" value=days/>
            <button type="submit" class="btn btn-primary">{t!(i18n, common.search)}</button>
        </Form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(list) if list.is_empty() => view! { <Empty text=Signal::derive(move || t_string!(i18n, common.empty).to_string())/> }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap card flush"><table class="table">
                            <thead><tr>
                                <th>{t!(i18n, admin.display_name)}</th>
                                <th>{t!(i18n, admin.username)}</th>
                                <th>{t!(i18n, admin.department)}</th>
                                <th>{t!(i18n, admin.last_login)}</th>
                                <th>{t!(i18n, admin.idle_days)}</th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|a| view! {
                                    <tr>
                                        <td><a href=format!("/admin/users/{}", a.id)>{a.display_name.clone()}</a></td>
                                        <td><code>{a.username.clone()}</code></td>
                                        <td>{opt(&a.department_name)}</td>
                                        <td>{a.last_login_at.as_deref().map(fmt_time).unwrap_or_else(|| t_string!(i18n, profile.never).to_string())}</td>
                                        <td class="num">{a.days_idle}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                    }.into_any(),
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
