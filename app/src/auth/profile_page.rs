//! `/me`: the user's own account, password and API tokens.

use crate::auth::api::{ChangePassword, CreateApiToken, DeleteApiToken, list_api_tokens};
use crate::components::{Empty, ErrorPanel, Field, FormError, Loading, fmt_time, form_error, opt, role_label};
use crate::i18n::*;
use crate::org::api::my_account;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let account = crate::data::blocking(|| (), |()| my_account());
    let change = ServerAction::<ChangePassword>::new();
    let change_err = form_error(change);
    let create = ServerAction::<CreateApiToken>::new();
    let create_err = form_error(create);
    let delete = ServerAction::<DeleteApiToken>::new();
    let tokens = crate::data::blocking(move || (create.version().get(), delete.version().get()), |_| list_api_tokens());
    // Sent here after signing in with a password someone else set (see the server's
    // authentication middleware): nothing else opens until it is changed.
    let query = leptos_router::hooks::use_query_map();
    let must_change =
        move || query.with(|q| q.get("must_change").is_some()) && !matches!(change.value().get(), Some(Ok(())));
    view! {
        <Title text=t_string!(i18n, profile.title).to_string()/>
        <h1 class="page-title">{t!(i18n, profile.title)}</h1>
        {move || must_change().then(|| view! {
            <div class="alert alert-warn" role="alert">{t!(i18n, profile.must_change)}</div>
        })}
        <div class="grid-2">
            <section class="card">
                <h2>{t!(i18n, profile.account)}</h2>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(u) => view! {
                                <dl class="kv">
                                    <dt>{t!(i18n, admin.username)}</dt><dd>{u.username.clone()}</dd>
                                    <dt>{t!(i18n, admin.display_name)}</dt><dd>{u.display_name.clone()}</dd>
                                    <dt>{t!(i18n, admin.department)}</dt><dd>{u.department_name.as_deref().and_then(opt)}</dd>
                                    <dt>{t!(i18n, admin.position)}</dt><dd>{opt(&u.position)}</dd>
                                    <dt>{t!(i18n, admin.manager)}</dt><dd>{u.manager_name.as_deref().and_then(opt)}</dd>
                                    <dt>{t!(i18n, admin.roles)}</dt><dd>{u.roles.iter().map(|r| role_label(i18n, r)).collect::<Vec<_>>().join("、")}</dd>
                                    <dt>{t!(i18n, admin.last_login)}</dt><dd>{u.last_login_at.as_deref().map(fmt_time).unwrap_or_default()}</dd>
                                </dl>
                            }.into_any(),
                            Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <section class="card">
                <h2>{t!(i18n, profile.change_password)}</h2>
                <FormError err=change_err/>
                {move || matches!(change.value().get(), Some(Ok(()))).then(|| view! {
                    <div class="alert alert-ok" role="status">{t!(i18n, profile.password_changed)}</div>
                })}
                <ActionForm action=change attr:class="stack">
                    <Field label=Signal::derive(move || t_string!(i18n, profile.current_password).to_string())
                        name="current_password" kind="password" required=true autocomplete="current-password" err=change_err/>
                    <Field label=Signal::derive(move || t_string!(i18n, profile.new_password).to_string())
                        name="new_password" kind="password" required=true autocomplete="new-password" err=change_err
                        hint=Signal::derive(move || t_string!(i18n, profile.password_hint).to_string())/>
                    <Field label=Signal::derive(move || t_string!(i18n, profile.confirm_password).to_string())
                        name="confirm_password" kind="password" required=true autocomplete="new-password" err=change_err/>
                    <button type="submit" class="btn btn-primary" disabled=move || change.pending().get()>{t!(i18n, common.save)}</button>
                </ActionForm>
            </section>
        </div>
        <section class="card">
            <h2>{t!(i18n, profile.tokens)}</h2>
            <p class="muted">{t!(i18n, profile.tokens_hint)}</p>
            <FormError err=create_err/>
            {move || create.value().get().and_then(Result::ok).map(|c| view! {
                <div class="alert alert-ok" role="status">
                    <p>{t!(i18n, profile.token_created)}</p>
                    <code class="secret">{c.token}</code>
                </div>
            })}
            <ActionForm action=create attr:class="row-form">
                <Field label=Signal::derive(move || t_string!(i18n, profile.token_name).to_string()) name="name" required=true err=create_err/>
                <Field label=Signal::derive(move || t_string!(i18n, profile.token_days).to_string()) name="expires_in_days" kind="number"
                    value="90" hint=Signal::derive(move || t_string!(i18n, profile.token_days_hint).to_string()) err=create_err/>
                <Field label=Signal::derive(move || t_string!(i18n, profile.token_password).to_string()) name="password" kind="password"
                    required=true autocomplete="current-password" err=create_err/>
                <label class="check"><input type="checkbox" name="read_only" value="on"/>{t!(i18n, profile.token_read_only)}</label>
                <button type="submit" class="btn btn-primary">{t!(i18n, common.create)}</button>
            </ActionForm>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <Empty text=Signal::derive(move || t_string!(i18n, common.empty).to_string())/> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap"><table class="table">
                                <thead><tr>
                                    <th>{t!(i18n, profile.token_name)}</th>
                                    <th>{t!(i18n, profile.token_prefix)}</th>
                                    <th>{t!(i18n, profile.token_last_used)}</th>
                                    <th>{t!(i18n, profile.token_expires)}</th>
                                    <th>{t!(i18n, profile.token_scope)}</th>
                                    <th>{t!(i18n, common.actions)}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|tk| view! {
                                        <tr>
                                            <td>{tk.name.clone()}</td>
                                            <td><code>{tk.prefix.clone()}"…"</code></td>
                                            <td>{tk.last_used_at.as_deref().map(fmt_time).unwrap_or_else(|| t_string!(i18n, profile.never).to_string())}</td>
                                            <td>{tk.expires_at.as_deref().map(fmt_time).unwrap_or_else(|| t_string!(i18n, profile.no_expiry).to_string())}</td>
                                            <td>{if tk.read_only { t_string!(i18n, profile.token_read_only_short).to_string() } else { t_string!(i18n, profile.token_full).to_string() }}</td>
                                            <td>
                                                <ActionForm action=delete>
                                                    <input type="hidden" name="id" value=tk.id/>
                                                    <button type="submit" class="btn btn-danger btn-sm">{t!(i18n, common.delete)}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
