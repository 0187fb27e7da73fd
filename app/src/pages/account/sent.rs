//! `/account/sent?for=sign-up|reset`: "we have sent a message to that address", whether or not
//! the address has an account (the message itself says what applies).

use crate::i18n::{tr, use_lang};
use crate::request::query_values;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SentPage() -> impl IntoView {
    let lang = use_lang();
    let reset = query_values("for").first().is_some_and(|f| f == "reset");
    let key = if reset { "reset" } else { "sign_up" };
    view! {
        <Title text=format!("{} · {}", tr(lang, "account.sent.title"), tr(lang, "site.name")) />
        <div class="callout callout--done" role="status">
            <h1>{tr(lang, "account.sent.title")}</h1>
            <p>{tr(lang, &format!("account.sent.{key}"))}</p>
        </div>
        <p>{tr(lang, "account.sent.nothing_came")}</p>
        <p><a href="/account/sign-in">{tr(lang, "account.sign_in.title")}</a></p>
    }
}
