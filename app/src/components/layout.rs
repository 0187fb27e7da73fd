//! The frame every page shares: the skip link, the signed-in person's links and the language
//! switch.

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

/// "Sign in" for a visitor; the account's page and "Sign out" for a signed-in person. The
/// signed-out form is the same for everyone, so cached pages may carry it; the signed-in one
/// is only on pages rendered for that person (the page cache does not keep them).
#[component]
pub fn AccountNav() -> impl IntoView {
    let lang = use_lang();
    match crate::request::viewer() {
        None => {
            // The path only: a cached page is shared by every query its key ignores.
            let here = crate::request::here();
            let here = here.split('?').next().unwrap_or("/");
            let href = if here.starts_with("/account/") {
                "/account/sign-in".to_string()
            } else {
                crate::pages::account::sign_in_link(here)
            };
            view! { <a href=href>{tr(lang, "account.sign_in.title")}</a> }.into_any()
        }
        Some(me) => view! {
            <a href="/inbox">
                {tr(lang, "inbox.title")}
                {(me.inbox > 0).then(|| view! {
                    " " <span class="count">{me.inbox}</span>
                    <span class="visually-hidden">" " {tr(lang, "inbox.waiting")}</span>
                })}
            </a>
            <a href="/account">
                <span class="visually-hidden">{tr(lang, "account.signed_in_as")} " "</span>
                {me.display_name}
            </a>
            <form class="sign-out" method="post" action="/account/sign-out">
                <button type="submit">{tr(lang, "account.sign_out")}</button>
            </form>
        }
        .into_any(),
    }
}
