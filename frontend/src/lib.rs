//! The browser entry point: hydrates the server-rendered page.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(
    inline_js = "export function mark_hydrated() { window.__TB_HYDRATED_AT__ = performance.now(); window.__TB_HYDRATED__ = true; }"
)]
extern "C" {
    /// Lets browser tests wait for hydration instead of guessing.
    fn mark_hydrated();
}

/// Called by the generated loader once the WASM is instantiated.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    mark_hydrated();
}
