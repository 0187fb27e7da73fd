//! How the server hands an island what it worked out for it (its words in the page's
//! language, the portal's hosts, what the page showed), without island props.
//!
//! Leptos decodes island props with serde_json, whose decoder (with the float formatting its
//! error messages pull in) was a quarter of the wasm every page loads. Instead, the component
//! that shows an island puts the island's setup in context; on the server the island takes it
//! and writes it as JSON into `data-setup` on its root element; in the browser it reads that
//! back with the browser's own `JSON.parse` and [`IslandSetup::from_js`].

use leptos::prelude::*;
use serde::Serialize;

/// The setup of one kind of island.
pub trait IslandSetup: Clone + Default + Serialize + Send + Sync + 'static {
    /// A CSS selector for the island's root element, which carries `data-setup`.
    const ROOT: &'static str;

    /// On the server, when the page put no setup in context.
    fn fallback() -> Self;

    /// In the browser, from what `JSON.parse` made of the setup's JSON. A missing or mistyped
    /// field reads as empty (the server wrote it, so that only happens to an altered page).
    #[cfg(feature = "hydrate")]
    fn from_js(v: &wasm_bindgen::JsValue) -> Self;

    /// The setup this island starts from, and the `data-setup` text to write on its root: on
    /// the server, the JSON; in the browser `None`, so hydrating does not write back what was
    /// taken.
    fn for_island() -> (Self, Option<String>) {
        #[cfg(feature = "ssr")]
        {
            // Taken, not read: a later island of the same kind must not start from this one's.
            let setup = take_context::<Self>().unwrap_or_else(Self::fallback);
            let text = serde_json::to_string(&setup).unwrap_or_default();
            (setup, Some(text))
        }
        #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
        {
            // Islands hydrate in page order: this one's root is the first whose setup has not
            // been taken yet. The attribute goes once read.
            let selector = format!("{}[data-setup]", Self::ROOT);
            let root = document().query_selector(&selector).ok().flatten();
            let text = root
                .as_ref()
                .and_then(|r| r.get_attribute("data-setup"))
                .unwrap_or_default();
            if let Some(r) = &root {
                let _ = r.remove_attribute("data-setup");
            }
            let setup = match js_sys::JSON::parse(&text) {
                Ok(v) => Self::from_js(&v),
                Err(_) => {
                    leptos::logging::warn!("{}: no readable data-setup on the page", Self::ROOT);
                    Self::default()
                }
            };
            (setup, None)
        }
        #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
        {
            (Self::default(), None)
        }
    }
}

/// Reading fields of a parsed setup.
#[cfg(feature = "hydrate")]
pub mod js {
    use wasm_bindgen::JsValue;

    /// Field `key` of `v` (`undefined` when there is none).
    pub fn get(v: &JsValue, key: &str) -> JsValue {
        js_sys::Reflect::get(v, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// Text field `key` of `v`, empty when missing.
    pub fn text(v: &JsValue, key: &str) -> String {
        get(v, key).as_string().unwrap_or_default()
    }

    /// The texts in list field `key` of `v`, none when missing.
    pub fn texts(v: &JsValue, key: &str) -> Vec<String> {
        let list = get(v, key);
        if js_sys::Array::is_array(&list) {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|x| x.as_string())
                .collect()
        } else {
            Vec::new()
        }
    }

    /// A future that resolves after `ms` milliseconds (the browser's timer).
    pub fn sleep(ms: i32) -> wasm_bindgen_futures::JsFuture {
        wasm_bindgen_futures::JsFuture::from(js_sys::Promise::new(&mut |resolve, _| {
            let _ = leptos::prelude::window()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }))
    }
}
