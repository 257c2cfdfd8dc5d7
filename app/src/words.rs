//! Words that belong to one area's pages, delivered with those pages instead of compiled into
//! the browser's main module.
//!
//! `leptos_i18n`'s texts are string constants, and a split WASM build moves only functions
//! into a page's part: every constant stays in the main module that the first page of any
//! visit downloads. So an area's own words live in `locales/areas/<area>/{zh-CN,en}.json`;
//! `build.rs` turns each into a module of [`areas`] with the keys as an enum `W` (a key that
//! does not exist does not compile, and both languages must have the same keys) and, on the
//! server only, the texts. A page of the area loads its catalogue with [`load`] — a blocking
//! resource, so the server renders with the words and sends them in the page for hydration
//! (no inline script, no extra request on a first visit) — and looks words up by key. Words
//! that several areas show (errors, navigation, the frame) stay in `leptos_i18n`.
//!
//! A new area adds its folder under `locales/areas/`, a newtype over [`Table`] with a lookup
//! by its `W` (as the designer's `Lang`), and loads the table in its pages.

use crate::error::AppError;
use crate::i18n::Locale;
use leptos::prelude::*;

/// Every area's keys (and, on the server, texts), generated from `locales/areas/`.
#[allow(clippy::all, clippy::pedantic)]
pub mod areas {
    include!(concat!(env!("OUT_DIR"), "/areas.rs"));
}

/// The catalogues' languages, in the order of each area's `TEXTS`.
pub const LANGS: [&str; 2] = ["zh-CN", "en"];

/// The position of a language in [`LANGS`].
#[must_use]
pub fn lang_index(l: Locale) -> usize {
    match l {
        Locale::zh_CN => 0,
        Locale::en => 1,
    }
}

/// One area's words in one language, indexed by the area's `W` keys. It lives as long as the
/// program: on the server the tables are built once; in the browser each area's table is kept
/// from its first arrival (one per area and language).
pub type Table = &'static [String];

/// An area's words, for its pages (signed-in users; the words are the pages' own texts).
///
/// # Errors
/// `NotFound` for an area or language that does not exist; `Unauthorized` signed out.
#[server(prefix = "/sfn", endpoint = "area_words")]
pub async fn area_words(area: String, lang: String) -> Result<Vec<String>, AppError> {
    let (_, caller) = crate::ctx::server_context().await?;
    crate::ctx::with_status(words_for(&caller, &area, &lang))
}

/// [`area_words`]'s service: the texts of `area` in `lang`.
///
/// # Errors
/// `Unauthorized` signed out; `NotFound` for an unknown area or language.
#[cfg(feature = "ssr")]
pub fn words_for(caller: &crate::ctx::Caller, area: &str, lang: &str) -> Result<Vec<String>, AppError> {
    caller.require_user()?;
    let lang = LANGS.iter().position(|l| *l == lang).ok_or(AppError::NotFound)?;
    let texts = areas::texts(area, lang).ok_or(AppError::NotFound)?;
    Ok(texts.iter().map(|t| (*t).to_owned()).collect())
}

/// The words of `area` for the page being rendered, in the page's language: a blocking
/// resource (see the module notes). In the browser a table already here is not fetched again.
#[must_use]
pub fn load(area: &'static str) -> crate::data::Data<Result<Vec<String>, AppError>> {
    let lang = lang_index(crate::i18n::use_i18n().get_locale_untracked());
    crate::data::blocking(
        || (),
        move |()| async move {
            // The server always sends the words (they go into the page for hydration).
            if cfg!(not(feature = "ssr")) && kept(area, lang).is_some() {
                return Ok(Vec::new());
            }
            area_words(area.to_owned(), LANGS[lang].to_owned()).await
        },
    )
}

/// The table for `area` in the page's language, from what [`load`] gave.
#[must_use]
pub fn table(area: &'static str, fetched: Vec<String>) -> Table {
    let lang = lang_index(crate::i18n::use_i18n().get_locale_untracked());
    if let Some(t) = kept(area, lang) {
        return t;
    }
    keep(area, lang, fetched)
}

#[cfg(feature = "ssr")]
fn server_tables() -> &'static std::collections::HashMap<(&'static str, usize), Vec<String>> {
    static TABLES: std::sync::OnceLock<std::collections::HashMap<(&'static str, usize), Vec<String>>> =
        std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut m = std::collections::HashMap::new();
        for area in areas::NAMES {
            for lang in 0..LANGS.len() {
                if let Some(t) = areas::texts(area, lang) {
                    m.insert((area, lang), t.iter().map(|s| (*s).to_owned()).collect());
                }
            }
        }
        m
    })
}

#[cfg(feature = "ssr")]
fn kept(area: &'static str, lang: usize) -> Option<Table> {
    server_tables().get(&(area, lang)).map(Vec::as_slice)
}

#[cfg(feature = "ssr")]
fn keep(_area: &'static str, _lang: usize, _fetched: Vec<String>) -> Table {
    &[]
}

#[cfg(not(feature = "ssr"))]
thread_local! {
    static KEPT: std::cell::RefCell<Vec<((&'static str, usize), Table)>> = const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(not(feature = "ssr"))]
fn kept(area: &'static str, lang: usize) -> Option<Table> {
    KEPT.with_borrow(|k| k.iter().find(|(key, _)| *key == (area, lang)).map(|(_, t)| *t))
}

#[cfg(not(feature = "ssr"))]
fn keep(area: &'static str, lang: usize, fetched: Vec<String>) -> Table {
    if fetched.is_empty() {
        return &[];
    }
    // Kept for the rest of the visit: one table per area and language.
    let t: Table = Vec::leak(fetched);
    KEPT.with_borrow_mut(|k| k.push(((area, lang), t)));
    t
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn every_area_has_its_words_in_every_language() {
        for area in areas::NAMES {
            let zh = areas::texts(area, 0).unwrap();
            let en = areas::texts(area, 1).unwrap();
            assert_eq!(zh.len(), en.len(), "{area}");
            assert!(zh.iter().chain(en).all(|t| !t.trim().is_empty()), "{area}");
        }
        assert_eq!(areas::texts("designer", 0).unwrap()[areas::designer::W::publish as usize], "发布");
        assert!(areas::texts("nope", 0).is_none());
        assert!(areas::texts("designer", 2).is_none());
    }
}
