//! Robot Passport: pages, server functions and the domain shared by server and browser.
#![recursion_limit = "512"]

rust_i18n::i18n!("locales", fallback = "en");

pub mod app;
pub mod components;
/// The domain crate, as `crate::domain` inside the app.
pub(crate) use ::domain;
pub mod i18n;
pub mod islands;
pub mod pages;
pub mod request;
pub mod server_fns;
pub mod written;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: pages are server-rendered HTML; only the interactive parts (the lookup form)
    // ship to the browser, which keeps the download small on a phone.
    leptos::mount::hydrate_islands();
    // A marker for people and tests alike: the page is interactive now.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
