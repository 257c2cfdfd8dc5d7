//! The browser entry point: hydrates the server-rendered page.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(
    inline_js = "export function mark_hydrated() { window.__TB_HYDRATED_AT__ = performance.now(); window.__TB_HYDRATED__ = true; }"
)]
extern "C" {
    /// Lets browser tests wait for hydration instead of guessing.
    fn mark_hydrated();
}

/// Called by the generated loader once the WASM is instantiated. Pages are split out of
/// the main module (lazy routes), so hydration first loads the current page's part and
/// then hydrates; the page is marked hydrated only when that is done.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async move {
        let body = leptos::prelude::document().body().expect("the document has a body");
        let handle = leptos::mount::hydrate_from_async(body, app::App).await;
        handle.forget();
        mark_hydrated();
    });
}
