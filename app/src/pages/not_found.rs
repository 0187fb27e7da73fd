//! Any path the portal does not serve.

use crate::i18n::{tr, use_lang};
use crate::islands::lookup::LookupBox;
use crate::request::set_status;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let lang = use_lang();
    set_status(404);
    view! {
        <Title text=format!("{} · {}", tr(lang, "not_found.title"), tr(lang, "site.name")) />
        <section class="panel" aria-labelledby="nf-heading">
            <h1 id="nf-heading">{tr(lang, "not_found.title")}</h1>
            <p>{tr(lang, "not_found.detail")}</p>
            <LookupBox value=String::new() />
        </section>
    }
}
