//! `/notifications`: the notification centre (newest first, unread marked, mark all read)
//! and the choice of which kinds also come by e-mail.

use crate::components::{Empty, ErrorPanel, FormError, Loading, Pager, fmt_time, form_error, opt};
use crate::i18n::*;
use crate::workflow::api::{MarkNotificationsRead, SaveNotificationPrefs, my_notifications, notification_prefs};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = move || query.with(|m| m.get("page")).and_then(|p| p.parse::<u64>().ok());
    let mark = ServerAction::<MarkNotificationsRead>::new();
    let save = ServerAction::<SaveNotificationPrefs>::new();
    let save_err = form_error(save);
    let list = crate::data::blocking(move || (page(), mark.version().get()), |(p, _)| my_notifications(p));
    let prefs = crate::data::blocking(move || save.version().get(), |_| notification_prefs());
    type Label = fn(leptos_i18n::I18nContext<Locale>) -> String;
    let kinds: [(&'static str, Label); 7] = [
        ("task", |i| t_string!(i, wf.k_task).to_string()),
        ("decided", |i| t_string!(i, wf.k_decided).to_string()),
        ("returned", |i| t_string!(i, wf.k_returned).to_string()),
        ("overdue", |i| t_string!(i, wf.k_overdue).to_string()),
        ("urged", |i| t_string!(i, wf.k_urged).to_string()),
        ("cc", |i| t_string!(i, wf.k_cc).to_string()),
        ("comment", |i| t_string!(i, wf.k_comment).to_string()),
    ];
    view! {
        <Title text=t_string!(i18n, wf.notifications).to_string()/>
        <div class="page-head">
            <h1 class="page-title">{t!(i18n, wf.notifications)}</h1>
            <ActionForm action=mark attr:class="inline">
                <button type="submit" class="btn" id="mark-all-read">{t!(i18n, wf.mark_all_read)}</button>
            </ActionForm>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty text=Signal::derive(move || t_string!(i18n, wf.no_notifications).to_string())/>
                    }.into_any(),
                    Ok(p) => {
                        let (page, pages, total) = (p.page, p.pages(), p.total);
                        view! {
                            <ul class="notice-list">
                                {p.items.into_iter().map(|n| view! {
                                    <li class="card notice" class:unread=!n.read>
                                        <a href=if n.link.is_empty() { "/notifications".to_owned() } else { n.link.clone() }>
                                            <strong>{n.title.clone()}</strong>
                                            <span>{opt(&n.body)}</span>
                                            <time class="muted">{fmt_time(&n.created_at)}</time>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                            {(pages > 1).then(|| view! { <Pager page pages total base="/notifications".to_owned()/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                }
            })}
        </Transition>
        <section class="card" id="prefs">
            <h2>{t!(i18n, wf.prefs)}</h2>
            <FormError err=save_err/>
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match prefs.await {
                        Ok(p) => view! {
                            {(!p.smtp_enabled).then(|| view! { <p class="alert alert-info">{t!(i18n, wf.prefs_no_smtp)}</p> })}
                            {if p.email.is_empty() {
                                view! { <p class="muted">{t!(i18n, wf.prefs_no_email)}</p> }.into_any()
                            } else {
                                view! { <p class="muted">{t!(i18n, wf.prefs_hint, email = p.email.clone())}</p> }.into_any()
                            }}
                            <ActionForm action=save attr:class="prefs-form">
                                <div class="check-grid">
                                    {kinds.iter().map(|(k, label)| {
                                        let on = p.email_kinds.iter().any(|x| x == k);
                                        view! {
                                            <label class="check">
                                                <input type="checkbox" name=*k value="on" checked=on/>
                                                <span>{label(i18n)}</span>
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                                <button type="submit" class="btn btn-primary">{t!(i18n, common.save)}</button>
                                {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <span class="muted">{t!(i18n, common.saved)}</span> })}
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel err=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// How many notifications arrived live since the page loaded: lists that depend on them
/// (the to-do list) read again when it changes.
#[derive(Clone, Copy)]
pub struct LiveArrivals(pub RwSignal<u32>);

/// The navigation counts the frame reads with the page and keeps live from the event
/// stream; pages show them from here instead of asking the server again.
#[derive(Clone, Copy)]
pub struct NavCounts(pub Signal<Option<crate::workflow::api::TaskCounts>>);

/// What the event stream sends.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct LiveMessage {
    pub counts: crate::workflow::api::TaskCounts,
    pub latest: Option<crate::workflow::api::NotificationDto>,
}

/// Listens to `/api/v1/events` (server-sent events): counts into `live`, a newly arrived
/// notification into `toast`. The browser reconnects by itself after a dropped connection.
#[cfg(feature = "hydrate")]
pub fn start_live(
    live: RwSignal<Option<crate::workflow::api::TaskCounts>>,
    toast: RwSignal<Option<crate::workflow::api::NotificationDto>>,
    arrivals: RwSignal<u32>,
) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let Ok(es) = web_sys::EventSource::new("/api/v1/events") else { return };
    let cb = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
        if let Some(s) = e.data().as_string()
            && let Ok(m) = crate::data::from_json::<LiveMessage>(&s)
        {
            live.set(Some(m.counts));
            if let Some(n) = m.latest {
                arrivals.update(|a| *a = a.wrapping_add(1));
                toast.set(Some(n));
                set_timeout(move || toast.set(None), std::time::Duration::from_secs(10));
            }
        }
    });
    let _ = es.add_event_listener_with_callback("counts", cb.as_ref().unchecked_ref());
    cb.forget();
}
