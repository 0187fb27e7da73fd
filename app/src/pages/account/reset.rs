//! `/account/reset`: ask for a reset link by e-mail; with `?token=…` (the link), set a new
//! password. Either way the page never says whether an address has an account.

use super::link_check;
use crate::components::form::{form_title, use_answer, ErrorSummary, TextField};
use crate::i18n::{tr, tr_with, use_lang};
use crate::request::{query_values, set_status};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ResetPage() -> impl IntoView {
    let lang = use_lang();
    let answer = use_answer();
    let token = if answer.values.is_empty() {
        query_values("token").into_iter().next().unwrap_or_default()
    } else {
        answer.value("token")
    };
    if token.is_empty() {
        return view! {
            <Title text=form_title(&tr(lang, "account.reset.title")) />
            <ErrorSummary />
            <h1>{tr(lang, "account.reset.title")}</h1>
            <p class="lead">{tr(lang, "account.reset.intro")}</p>
            <form class="form" method="post" action="/account/reset" novalidate>
                <TextField name="email" label=tr(lang, "account.email") kind="email" autocomplete="email" />
                <button type="submit" class="button">{tr(lang, "account.reset.submit")}</button>
            </form>
        }
        .into_any();
    }
    let check = link_check(token.clone(), true);
    let min = crate::domain::account::MIN_PASSWORD_CHARS.to_string();
    view! {
        <Suspense fallback=|| ()>
        {move || {
        let (token, min) = (token.clone(), min.clone());
        Suspend::new(async move {
    if !check.await {
        set_status(410);
        return view! {
            <Title text=format!("{} · {}", tr(lang, "account.reset.title"), tr(lang, "site.name")) />
            <h1>{tr(lang, "account.reset.title")}</h1>
            <div class="callout callout--problem" role="alert">
                <p>{tr(lang, "problem.bad_link")}</p>
            </div>
            <p><a href="/account/reset">{tr(lang, "account.reset.ask_again")}</a></p>
        }
        .into_any();
    }
    view! {
        <Title text=form_title(&tr(lang, "account.reset.new_title")) />
        <ErrorSummary />
        <h1>{tr(lang, "account.reset.new_title")}</h1>
        <form class="form" method="post" action="/account/reset" novalidate>
            <input type="hidden" name="token" value=token />
            <TextField name="new_password" label=tr(lang, "account.new_password") kind="password" autocomplete="new-password" hint=tr_with(lang, "account.password_hint", &[("min", &min)]) />
            <button type="submit" class="button">{tr(lang, "account.reset.set")}</button>
        </form>
    }
    .into_any()
        })
        }}
        </Suspense>
    }
    .into_any()
}
