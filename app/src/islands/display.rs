//! The entrance display's watcher: an island that asks the venue's JSON every few seconds
//! whether anything changed (its ETag), reloads the page when it has, and says plainly when the
//! server stops answering, dimming the statuses, instead of showing stale status as current.
//! Without JavaScript the page refreshes itself (`pages::venue::VenueDisplay`).

use crate::domain::Lang;
use crate::i18n::{tr, tr_with};
use crate::islands::setup::IslandSetup;
use leptos::prelude::*;
use serde::Serialize;

/// How often the display asks, in milliseconds: a change shows within this and the second the
/// server keeps a venue (the issue asks for 30 seconds).
pub const EVERY_MS: u32 = 5_000;
/// How long one ask may take before it counts as no answer.
pub const ANSWER_MS: u32 = 4_000;

/// What the watcher needs, written by the server: what to ask, the answer the page shows (its
/// ETag), and its words in the page's language (`{time}` stands for a time of day).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DisplaySetup {
    pub slug: String,
    pub etag: String,
    pub every_ms: u32,
    /// The page's language, for times of day (`en`, `zh-CN`).
    pub locale: String,
    pub needs_js: String,
    pub live: String,
    pub lost: String,
}

impl DisplaySetup {
    pub fn new(lang: Lang, slug: &str, etag: &str) -> Self {
        let t = |key: &str| tr_with(lang, &format!("venue.display_{key}"), &[("time", "{time}")]);
        DisplaySetup {
            slug: slug.to_string(),
            etag: etag.to_string(),
            every_ms: EVERY_MS,
            locale: lang.code().to_string(),
            needs_js: tr(lang, "venue.display_needs_js"),
            live: t("live"),
            lost: t("lost"),
        }
    }
}

impl IslandSetup for DisplaySetup {
    const ROOT: &'static str = "div.display-watch";

    fn fallback() -> Self {
        DisplaySetup::default()
    }

    #[cfg(feature = "hydrate")]
    fn from_js(v: &wasm_bindgen::JsValue) -> Self {
        use crate::islands::setup::js::{get, text};
        DisplaySetup {
            slug: text(v, "slug"),
            etag: text(v, "etag"),
            every_ms: get(v, "every_ms")
                .as_f64()
                .map(|ms| ms.clamp(1_000.0, 30_000.0) as u32)
                .unwrap_or(EVERY_MS),
            locale: text(v, "locale"),
            needs_js: text(v, "needs_js"),
            live: text(v, "live"),
            lost: text(v, "lost"),
        }
    }
}

/// Whether the display is live, and since when it is not.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// Not yet asked (the server's HTML, or JavaScript not running).
    Unknown,
    /// The last answer came at this time of day.
    Live(String),
    /// No answer since this time of day.
    Lost(String),
}

/// The watcher. Its setup comes from the page: put `DisplaySetup::new(…)` in context where it
/// is shown.
#[island(lazy)]
pub fn DisplayWatch() -> impl IntoView {
    let (setup, setup_text) = DisplaySetup::for_island();
    let (link, set_link) = signal(Link::Unknown);
    // Only the browser asks; the server writes the page as not yet asked.
    #[cfg(not(feature = "hydrate"))]
    let _ = set_link;
    #[cfg(feature = "hydrate")]
    {
        let setup = setup.clone();
        Effect::new(move |_| {
            leptos::task::spawn_local(watch::run(setup.clone(), set_link));
        });
    }
    let words = setup.clone();
    // The live region is always there; only what it says comes and goes.
    let status = move || match link.get() {
        Link::Lost(at) => Some(view! {
            <span class="display-lost-message">{words.lost.replace("{time}", &at)}</span>
        }),
        Link::Unknown | Link::Live(_) => None,
    };
    let live = setup.live.clone();
    let checked = move || match link.get() {
        Link::Live(at) => live.replace("{time}", &at),
        _ => String::new(),
    };
    view! {
        <div class="display-watch" data-setup=setup_text>
            <p class="display-lost" role="status" aria-live="assertive">{status}</p>
            <p class="display-live">{checked}</p>
            <noscript><p class="hint">{setup.needs_js.clone()}</p></noscript>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod watch {
    use super::{DisplaySetup, Link, ANSWER_MS};
    use crate::islands::setup::js::sleep;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortSignal, RequestCache, RequestInit, Response};

    /// What one ask found.
    enum Answer {
        /// The venue as the page shows it.
        Same,
        /// Something changed, or the venue is gone: the page must be read again.
        Changed,
        /// No answer, or the server failed.
        None,
    }

    /// The time of day now, as the page's language writes it.
    fn now(locale: &str) -> String {
        let date = js_sys::Date::new_0();
        date.to_locale_time_string(locale).into()
    }

    async fn ask(url: &str, etag: &str) -> Answer {
        let init = RequestInit::new();
        // Revalidated every time (the browser sends the ETag it holds and keeps the body).
        init.set_cache(RequestCache::NoCache);
        init.set_signal(Some(&AbortSignal::timeout_with_u32(ANSWER_MS)));
        let asked = window().fetch_with_str_and_init(url, &init);
        let response: Response = match JsFuture::from(asked).await.map(|r| r.dyn_into()) {
            Ok(Ok(r)) => r,
            _ => return Answer::None,
        };
        match response.status() {
            200..=299 => match response.headers().get("etag") {
                Ok(Some(now)) if now != etag => Answer::Changed,
                Ok(Some(_)) => Answer::Same,
                _ => Answer::None,
            },
            404 | 410 => Answer::Changed,
            _ => Answer::None,
        }
    }

    /// Asks every `setup.every_ms` until the page is reloaded.
    pub async fn run(setup: DisplaySetup, set_link: WriteSignal<Link>) {
        let url = format!("/api/v1/venues/{}", setup.slug);
        let body = document().body();
        let mut lost = false;
        loop {
            let _ = sleep(setup.every_ms as i32).await;
            match ask(&url, &setup.etag).await {
                Answer::Changed => {
                    let _ = window().location().reload();
                    return;
                }
                Answer::Same => {
                    if lost {
                        if let Some(b) = &body {
                            let _ = b.class_list().remove_1("display-is-lost");
                        }
                        lost = false;
                    }
                    set_link.set(Link::Live(now(&setup.locale)));
                }
                Answer::None => {
                    if !lost {
                        if let Some(b) = &body {
                            let _ = b.class_list().add_1("display-is-lost");
                        }
                        lost = true;
                        set_link.set(Link::Lost(now(&setup.locale)));
                    }
                }
            }
        }
    }
}
