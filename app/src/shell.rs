//! The HTML shell, the router, and the application frame: sidebar on desktop, bottom tab
//! bar on a phone, the language switch and the user menu.

use crate::audit::audit_page::AuditPage;
use crate::auth::api::current_user;
use crate::auth::login_page::LoginPage;
use crate::auth::profile_page::ProfilePage;
use crate::components::{ErrorPanel, Icon, Loading, role_label};
use crate::domain::permission::{Permission, Principal};
use crate::error::AppError;
use crate::i18n::*;
use crate::org::admin_pages::{DepartmentsPage, DormantPage, NewUserPage, RolesPage, UserPage, UsersPage};
use crate::org::contacts_page::ContactsPage;
use crate::workflow::api::{NotificationDto, TaskCounts, nav_counts};
use crate::workflow::pages::catalog::CatalogPage;
use crate::workflow::pages::designer::{DesignerListPage, DesignerPage};
use crate::workflow::pages::form::{NewRequestPage, ResubmitPage};
use crate::workflow::pages::instance::InstancePage;
use crate::workflow::pages::lists::ListsPage;
use crate::workflow::pages::notices::NotificationsPage;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{Lazy, LazyRoute, SsrMode, path};

/// The content security policy of a page whose inline scripts carry `nonce`. Inline script
/// runs only with the nonce (Leptos's hydration and resource scripts); WebAssembly may be
/// compiled; nothing is loaded from elsewhere; no site may frame a page.
#[must_use]
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The document around the app, rendered on the server. Its inline scripts (hydration,
/// resources) carry the request's nonce, and the response the policy that allows just those.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(opts)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(v) = http::HeaderValue::from_str(&content_security_policy(Some(&nonce)))
    {
        opts.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
    }
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#1f5fd1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                {if plain_page() {
                    // The page works as a plain form: no WASM to download. The browser fetches
                    // the main module while idle, for the page after it.
                    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
                    view! {
                        <link rel="prefetch" href=format!("{pkg}.js") r#as="script" crossorigin=""/>
                        <link rel="prefetch" href=format!("{pkg}.wasm") r#as="fetch" crossorigin=""/>
                    }
                        .into_any()
                } else {
                    view! { <HydrationScripts options/> }.into_any()
                }}
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Pages served without the hydration bundle: they are plain forms whose every message
/// comes back from the server, so a first visit downloads no WebAssembly.
pub const PLAIN_PAGES: [&str; 1] = ["/login"];

/// Whether the page being rendered is one of [`PLAIN_PAGES`] (on the server; never in the
/// browser, which only hydrates pages that carry the bundle).
fn plain_page() -> bool {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().is_some_and(|p| PLAIN_PAGES.contains(&p.uri.path()))
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Sets the language cookie read by leptos_i18n on the next request.
#[cfg(feature = "ssr")]
pub fn set_locale_cookie(locale: &str, secure: bool) {
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        let cookie = format!(
            "i18n_pref_locale={locale}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            if secure { "; Secure" } else { "" }
        );
        if let Ok(v) = http::HeaderValue::from_str(&cookie) {
            opts.append_header(http::header::SET_COOKIE, v);
        }
    }
}

/// The signed-in user, as loaded by the frame.
#[derive(Clone, Copy)]
pub struct CurrentUser(pub crate::data::Data<Result<Option<Principal>, AppError>>);

/// Pages whose code is split out of the main WASM module, one part per area, loaded when a
/// page of the area is first visited (`cargo leptos build --split`); the server renders them
/// as any other. Each page starts its own data loading, so a route has no separate data half.
///
/// One split point per area, not per page: wasm-split puts the code several split points
/// share into "chunks" of its own, one for every combination of users, and the main module
/// carries a table slot for every function called across modules and the loader a line for
/// every chunk. Eighteen split points made 250 chunks: ~12 KB brotli of table and loader in
/// the first load of every page, and a hundred requests for a request page. An area's pages
/// share most of their code anyway. The approval lists, where most visits start, stay in the
/// main module.
macro_rules! lazy_area {
    ($($area:ident / $preload:ident / $which:ident { $($route:ident => $page:ident),* $(,)? })*) => {$(
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        enum $which { $($page),* }

        /// The area's pages: the split point.
        #[allow(non_snake_case)]
        #[leptos::lazy]
        fn $area(page: $which) -> AnyView {
            match page {
                $($which::$page => view! { <$page/> }.into_any()),*
            }
        }

        $(
            struct $route;
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }
                async fn view(_this: Self) -> AnyView {
                    $area($which::$page).await
                }
                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    )*};
}

lazy_area! {
    home_area / __preload_home_area / HomeArea { HomePageRoute => HomePage }
    people_area / __preload_people_area / PeopleArea {
        LoginPageRoute => LoginPage,
        ContactsPageRoute => ContactsPage,
        ProfilePageRoute => ProfilePage,
    }
    requests_area / __preload_requests_area / RequestsArea {
        CatalogPageRoute => CatalogPage,
        NewRequestPageRoute => NewRequestPage,
        InstancePageRoute => InstancePage,
        ResubmitPageRoute => ResubmitPage,
        NotificationsPageRoute => NotificationsPage,
    }
    admin_area / __preload_admin_area / AdminArea {
        UsersPageRoute => UsersPage,
        NewUserPageRoute => NewUserPage,
        UserPageRoute => UserPage,
        DepartmentsPageRoute => DepartmentsPage,
        RolesPageRoute => RolesPage,
        AuditPageRoute => AuditPage,
        DormantPageRoute => DormantPage,
    }
    designer_area / __preload_designer_area / DesignerArea {
        DesignerListPageRoute => DesignerListPage,
        DesignerPageRoute => DesignerPage,
    }
}

/// Pauses, on the server, the effects created so far: the language context's (leptos_i18n),
/// which runs as a task of its own and reads the locale with `get()`. Its only work is for the
/// browser (the language cookie), and when the task ran after a quick page's response had
/// ended and its reactive owner was cleaned up, it panicked on the disposed signal (5 in
/// 6,000 renders of the 404 page, 2 in 3,000 of the sign-in page). A paused effect does not
/// run. Effects created later (none run on the server) and resources are not touched. In the
/// browser this is nothing at all (a plain function, not a component, to cost the WASM nothing).
#[cfg(feature = "ssr")]
fn pause_server_effects() {
    if let Some(owner) = leptos::prelude::Owner::current() {
        owner.pause();
    }
}

#[cfg(not(feature = "ssr"))]
fn pause_server_effects() {}

/// The application.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::flash::provide();
    view! {
        <I18nContextProvider>
            {pause_server_effects()}
            <Stylesheet id="leptos" href="/pkg/tongban.css"/>
            <Title formatter=|t: String| if t.is_empty() { "通办 Tongban".to_owned() } else { format!("{t} · 通办") }/>
            <Router>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/login") view={Lazy::<LoginPageRoute>::new()} ssr=SsrMode::Async/>
                    <ParentRoute path=path!("") view=AppFrame ssr=SsrMode::Async>
                        <Route path=path!("") view={Lazy::<HomePageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("contacts") view={Lazy::<ContactsPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("me") view={Lazy::<ProfilePageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("approvals") view=ListsPage ssr=SsrMode::Async/>
                        <Route path=path!("approvals/new") view={Lazy::<CatalogPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("approvals/new/:key") view={Lazy::<NewRequestPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("approvals/:id") view={Lazy::<InstancePageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("approvals/:id/resubmit") view={Lazy::<ResubmitPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("notifications") view={Lazy::<NotificationsPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/users") view={Lazy::<UsersPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/users/new") view={Lazy::<NewUserPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/users/:id") view={Lazy::<UserPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/departments") view={Lazy::<DepartmentsPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/roles") view={Lazy::<RolesPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/audit") view={Lazy::<AuditPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("admin/dormant") view={Lazy::<DormantPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("designer") view={Lazy::<DesignerListPageRoute>::new()} ssr=SsrMode::Async/>
                        <Route path=path!("designer/:key") view={Lazy::<DesignerPageRoute>::new()} ssr=SsrMode::Async/>
                    </ParentRoute>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// The frame around every signed-in page. The page itself renders outside any Suspense
/// (so it is created once); only the parts that show the user wait for them.
#[component]
fn AppFrame() -> impl IntoView {
    let i18n = use_i18n();
    let user = crate::data::blocking(|| (), |()| current_user());
    provide_context(CurrentUser(user));
    // Counts for the navigation: read with each page (an action just taken changes them
    // without a notification), then kept live by the event stream.
    let location = use_location();
    let counts = crate::data::blocking(move || location.pathname.get(), |_| nav_counts());
    let live = RwSignal::new(None::<TaskCounts>);
    Effect::new(move |_| {
        location.pathname.track();
        live.set(None);
    });
    let toast = RwSignal::new(None::<NotificationDto>);
    let arrivals = RwSignal::new(0u32);
    provide_context(crate::workflow::pages::notices::LiveArrivals(arrivals));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| crate::workflow::pages::notices::start_live(live, toast, arrivals));
    let current = move || live.get().or_else(|| counts.get().and_then(Result::ok));
    provide_context(crate::workflow::pages::notices::NavCounts(Signal::derive(current)));
    let todo_badge = move || {
        view! {
            <Suspense fallback=|| ()>
                {move || current().filter(|c| c.todo > 0).map(|c| view! { <span class="count-badge nav-count">{c.todo}</span> })}
            </Suspense>
        }
    };
    let signed_in = move || {
        Suspend::new(async move {
            match user.await {
                Ok(Some(_)) => None,
                Ok(None) => Some(view! { <Redirect path="/login"/> }.into_any()),
                Err(e) => Some(view! { <ErrorPanel err=e/> }.into_any()),
            }
        })
    };
    let admin_link = move || {
        Suspend::new(async move {
            let p = user.await.ok().flatten()?;
            p.can_administer().then(|| {
                view! {
                    <A href=admin_home(&p)>
                        <Icon name="settings"/>
                        <span>{t!(i18n, nav.admin)}</span>
                    </A>
                }
            })
        })
    };
    let designer_link = move || {
        Suspend::new(async move {
            let p = user.await.ok().flatten()?;
            p.can(Permission::TemplateManage).then(|| {
                view! {
                    <A href="/designer">
                        <Icon name="flow"/>
                        <span>{t!(i18n, nav.designer)}</span>
                    </A>
                }
            })
        })
    };
    let user_chip = move || {
        Suspend::new(async move {
            let p = user.await.ok().flatten()?;
            let initial: String = p.display_name.chars().next().map(String::from).unwrap_or_default();
            Some(view! {
                <a class="user-chip" href="/me" title=p.display_name.clone()>
                    <span class="avatar">{initial}</span>
                    <span class="user-name">{p.display_name.clone()}</span>
                </a>
            })
        })
    };
    view! {
        <div class="app">
            <aside class="sidebar" aria-label=td_string!(i18n.get_locale_untracked(), a11y.main_nav)>
                <a class="brand" href="/">
                    <span class="brand-mark">"通"</span>
                    <span class="brand-name">{t!(i18n, app_name)}</span>
                </a>
                <nav class="nav">
                    <A href="/" exact=true>
                        <Icon name="home"/>
                        <span>{t!(i18n, nav.home)}</span>
                    </A>
                    <A href="/approvals">
                        <Icon name="approve"/>
                        <span>{t!(i18n, nav.approvals)}</span>
                        {todo_badge()}
                    </A>
                    <Soon icon="doc" label=Signal::derive(move || t_string!(i18n, nav.documents).to_string())/>
                    <Soon icon="calendar" label=Signal::derive(move || t_string!(i18n, nav.meetings).to_string())/>
                    <Soon icon="megaphone" label=Signal::derive(move || t_string!(i18n, nav.announcements).to_string())/>
                    <Soon icon="chart" label=Signal::derive(move || t_string!(i18n, nav.reports).to_string())/>
                    <A href="/contacts">
                        <Icon name="contacts"/>
                        <span>{t!(i18n, nav.contacts)}</span>
                    </A>
                    <Suspense fallback=|| ()>{designer_link}</Suspense>
                    <Suspense fallback=|| ()>{admin_link}</Suspense>
                </nav>
            </aside>
            <div class="main">
                <header class="topbar">
                    <a class="brand brand-compact" href="/">
                        <span class="brand-mark">"通"</span>
                        <span class="brand-name">{t!(i18n, app_name)}</span>
                    </a>
                    <div class="topbar-right">
                        <a class="btn btn-ghost btn-icon bell" href="/notifications" title=move || t_string!(i18n, wf.notifications).to_string()>
                            <Icon name="bell"/>
                            <span class="sr-only">{t!(i18n, wf.notifications)}</span>
                            <Suspense fallback=|| ()>
                                {move || current().filter(|c| c.notifications_unread > 0).map(|c| view! {
                                    <span class="count-badge bell-count" id="bell-count">{c.notifications_unread}</span>
                                })}
                            </Suspense>
                        </a>
                        <LanguageSwitch/>
                        <Suspense fallback=|| ()>{user_chip}</Suspense>
                        <form method="post" action="/sfn/logout" class="inline">
                            <button type="submit" class="btn btn-ghost btn-icon" title=move || t_string!(i18n, login.logout).to_string()>
                                <Icon name="logout"/>
                                <span class="sr-only">{t!(i18n, login.logout)}</span>
                            </button>
                        </form>
                    </div>
                </header>
                <main class="page" id="main">
                    <Suspense fallback=|| ()>{signed_in}</Suspense>
                    <Outlet/>
                </main>
                {move || toast.get().map(|n| view! {
                    <a class="toast" role="status" id="toast" href=if n.link.is_empty() { "/notifications".to_owned() } else { n.link.clone() }>
                        <Icon name="bell"/>
                        <span><strong>{n.title.clone()}</strong><small>{n.body.clone()}</small></span>
                    </a>
                })}
            </div>
            <nav class="tabbar" aria-label=td_string!(i18n.get_locale_untracked(), a11y.tabbar)>
                <A href="/" exact=true><Icon name="home"/><span>{t!(i18n, nav.home)}</span></A>
                <A href="/approvals"><Icon name="approve"/><span>{t!(i18n, nav.approvals)}</span>{todo_badge()}</A>
                <A href="/contacts"><Icon name="contacts"/><span>{t!(i18n, nav.contacts)}</span></A>
                <A href="/me"><Icon name="user"/><span>{t!(i18n, nav.me)}</span></A>
            </nav>
        </div>
    }
}

/// The first administration page this user may open.
fn admin_home(p: &Principal) -> String {
    if p.can(Permission::UserRead) {
        "/admin/users"
    } else if p.can(Permission::DeptManage) {
        "/admin/departments"
    } else if p.can(Permission::RoleManage) {
        "/admin/roles"
    } else if p.can(Permission::AuditRead) {
        "/admin/audit"
    } else {
        "/admin/dormant"
    }
    .to_owned()
}

/// A navigation entry for an area that does not exist yet: shown, not active.
#[component]
fn Soon(icon: &'static str, label: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="nav-soon" aria-disabled="true" title=move || t_string!(i18n, nav.soon).to_string()>
            <Icon name=icon/>
            <span>{move || label.get()}</span>
            <small class="badge">{t!(i18n, nav.soon)}</small>
        </span>
    }
}

/// Switches the language with a plain form post, so it works before the WASM loads and the
/// whole page comes back in the new language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let back = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        if search.is_empty() { location.pathname.get() } else { format!("{}?{search}", location.pathname.get()) }
    };
    let other = move || if i18n.get_locale() == Locale::en { "zh-CN" } else { "en" };
    let label = move || if i18n.get_locale() == Locale::en { "中文" } else { "English" };
    view! {
        <form method="post" action="/sfn/set_locale" class="inline">
            <input type="hidden" name="locale" value=other/>
            <input type="hidden" name="back" value=back/>
            <button type="submit" class="btn btn-ghost lang-switch" title=move || t_string!(i18n, common.language).to_string()>
                <Icon name="globe"/>
                <span>{label}</span>
            </button>
        </form>
    }
}

/// The administration tabs, each shown only with its permission.
#[component]
pub fn AdminTabs() -> impl IntoView {
    let i18n = use_i18n();
    let user = expect_context::<CurrentUser>().0;
    let tabs = move || {
        Suspend::new(async move {
            let p = user.await.ok().flatten()?;
            let tab = |perm: Permission, href: &'static str, label: String| {
                p.can(perm).then(|| view! { <A href=href>{label}</A> })
            };
            Some(view! {
                <nav class="tabs" aria-label=td_string!(i18n.get_locale_untracked(), a11y.admin_tabs)>
                    {tab(Permission::UserRead, "/admin/users", t_string!(i18n, nav.users).to_string())}
                    {tab(Permission::DeptManage, "/admin/departments", t_string!(i18n, nav.departments).to_string())}
                    {tab(Permission::RoleManage, "/admin/roles", t_string!(i18n, nav.roles).to_string())}
                    {tab(Permission::AuditRead, "/admin/audit", t_string!(i18n, nav.audit).to_string())}
                    {tab(Permission::AccountReport, "/admin/dormant", t_string!(i18n, nav.dormant).to_string())}
                </nav>
            })
        })
    };
    view! { <Suspense fallback=|| ()>{tabs}</Suspense> }
}

/// The name of a permission in the current language.
pub fn permission_label(i18n: I18nContext<Locale>, p: Permission) -> String {
    match p {
        Permission::DirectoryRead => t_string!(i18n, perm.directory_read).to_string(),
        Permission::UserRead => t_string!(i18n, perm.user_read).to_string(),
        Permission::UserManage => t_string!(i18n, perm.user_manage).to_string(),
        Permission::DeptManage => t_string!(i18n, perm.dept_manage).to_string(),
        Permission::RoleManage => t_string!(i18n, perm.role_manage).to_string(),
        Permission::AuditRead => t_string!(i18n, perm.audit_read).to_string(),
        Permission::AccountReport => t_string!(i18n, perm.account_report).to_string(),
        Permission::TemplateManage => t_string!(i18n, perm.template_manage).to_string(),
        Permission::WorkflowAudit => t_string!(i18n, perm.workflow_audit).to_string(),
    }
}

/// The home page (工作台).
#[component]
fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let user = expect_context::<CurrentUser>().0;
    type Label = fn(I18nContext<Locale>) -> String;
    let modules: [(&'static str, Label); 4] = [
        ("doc", |i| t_string!(i, nav.documents).to_string()),
        ("calendar", |i| t_string!(i, nav.meetings).to_string()),
        ("megaphone", |i| t_string!(i, nav.announcements).to_string()),
        ("chart", |i| t_string!(i, nav.reports).to_string()),
    ];
    view! {
        <Title text=t_string!(i18n, nav.home).to_string()/>
        <Suspense fallback=Loading>
        {move || Suspend::new(async move { user.await.ok().flatten().map(|p| {
            let name = p.display_name.clone();
            let perms: Vec<String> = p.permissions.iter().map(|x| permission_label(i18n, *x)).collect();
            view! {
                <section class="hero">
                    <h1>{t!(i18n, home.greeting, name = name.clone())}</h1>
                    <p class="muted">{t!(i18n, home.intro)}</p>
                </section>
                <section class="card-grid">
                    <a class="card card-link" href="/approvals">
                        <Icon name="approve"/>
                        <strong>{t!(i18n, nav.approvals)}</strong>
                    </a>
                    <a class="card card-link" href="/approvals/new">
                        <Icon name="plus"/>
                        <strong>{t!(i18n, wf.new_request)}</strong>
                    </a>
                    <a class="card card-link" href="/contacts">
                        <Icon name="contacts"/>
                        <strong>{t!(i18n, nav.contacts)}</strong>
                    </a>
                    <a class="card card-link" href="/me">
                        <Icon name="user"/>
                        <strong>{t!(i18n, profile.title)}</strong>
                    </a>
                    {modules.iter().map(|(icon, label)| view! {
                        <div class="card card-soon" aria-disabled="true">
                            <Icon name=icon/>
                            <strong>{label(i18n)}</strong>
                            <small class="badge">{t!(i18n, nav.soon)}</small>
                        </div>
                    }).collect_view()}
                </section>
                <section class="card">
                    <h2>{t!(i18n, home.roles)}</h2>
                    <p class="chips">{p.roles.iter().map(|r| view! { <span class="chip">{role_label(i18n, r)}</span> }).collect_view()}</p>
                    <h2>{t!(i18n, home.permissions)}</h2>
                    <p class="chips">{perms.into_iter().map(|r| view! { <span class="chip chip-soft">{r}</span> }).collect_view()}</p>
                </section>
            }
        })})}
        </Suspense>
    }
}

/// Any path no route matches.
#[component]
fn NotFoundPage() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
        opts.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=t_string!(i18n, err.page_not_found).to_string()/>
        <main class="center-page">
            <div class="card narrow">
                <p class="big-code">"404"</p>
                <h1>{t!(i18n, err.page_not_found)}</h1>
                <p class="muted">{t!(i18n, err.page_not_found_hint)}</p>
                <a class="btn btn-primary" href="/">{t!(i18n, err.go_home)}</a>
            </div>
        </main>
    }
}
