//! The sign-in page.

use crate::auth::api::Login;
use crate::components::{Field, FormError, form_error};
use crate::i18n::*;
use crate::shell::LanguageSwitch;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// `/login`: username and password; works before the WASM loads.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Login>::new();
    let err = form_error(action);
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).unwrap_or_else(|| "/".to_owned());
    // Someone already signed in goes straight on.
    let signed_in = crate::data::blocking(|| (), |()| crate::auth::api::current_user());
    view! {
        <Suspense>
            {move || {
                signed_in
                    .get()
                    .and_then(|r| r.ok().flatten())
                    .map(|_| view! { <Redirect path=crate::auth::api::safe_next(Some(&next()))/> })
            }}
        </Suspense>
        <Title text=t_string!(i18n, login.title).to_string()/>
        <main class="login-page">
            <div class="login-side" aria-hidden="true">
                <div class="login-side-inner">
                    <span class="brand-mark big">"通"</span>
                    <h2>{t!(i18n, app_name)}</h2>
                    <p>{t!(i18n, app_tagline)}</p>
                </div>
            </div>
            <div class="login-main">
                <div class="login-card">
                    <div class="login-head">
                        <h1>{t!(i18n, login.welcome)}</h1>
                        <p class="muted">{t!(i18n, login.subtitle)}</p>
                    </div>
                    <FormError err/>
                    <ActionForm action=action attr:class="stack" attr:novalidate=true>
                        <input type="hidden" name="next" value=next/>
                        <Field
                            label=Signal::derive(move || t_string!(i18n, login.username).to_string())
                            name="username"
                            required=true
                            autocomplete="username"
                            err
                        />
                        <Field
                            label=Signal::derive(move || t_string!(i18n, login.password).to_string())
                            name="password"
                            kind="password"
                            required=true
                            autocomplete="current-password"
                            err
                        />
                        <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>
                            {t!(i18n, login.submit)}
                        </button>
                    </ActionForm>
                    <div class="login-foot">
                        <LanguageSwitch/>
                    </div>
                </div>
            </div>
        </main>
    }
}
