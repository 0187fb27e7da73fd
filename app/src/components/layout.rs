//! The frame every page shares: the skip link and the language switch.

use crate::domain::Lang;
use crate::i18n::{tr, use_lang};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn SkipLink() -> impl IntoView {
    let lang = use_lang();
    view! {
        <a class="skip-link" href="#main">
            {tr(lang, "site.skip")}
        </a>
    }
}

/// Links to the same page in every language. Plain links (no JavaScript needed): the server
/// remembers the choice in a cookie and sends the visitor back.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{}", search.trim_start_matches('?'))
        }
    };
    view! {
        <nav class="lang-switch" aria-label=tr(lang, "site.language")>
            <ul>
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        let href = move || {
                            let next = percent_encoding::utf8_percent_encode(&here(), percent_encoding::NON_ALPHANUMERIC).to_string();
                            format!("/lang/{}?next={next}", l.code())
                        };
                        view! {
                            <li>
                                <a
                                    href=href
                                    rel="external"
                                    hreflang=l.code()
                                    lang=l.code()
                                    aria-current=(l == lang).then_some("true")
                                >
                                    {l.native_name()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
