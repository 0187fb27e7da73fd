//! `/account/sign-in`: e-mail and password (fields `email`, `password`; `next` to come back to).

use super::with_next;
use crate::components::form::{form_title, use_answer, ErrorSummary, TextField};
use crate::i18n::{tr, use_lang};
use crate::request::{next_path, query_values};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = use_lang();
    let answer = use_answer();
    let next = if answer.values.is_empty() {
        next_path()
    } else {
        answer.value("next")
    };
    // A note from the step before: an address just confirmed, a password just reset.
    let note = ["confirmed", "reset"]
        .into_iter()
        .find(|k| !query_values(k).is_empty())
        .filter(|_| !answer.has_errors());
    view! {
        <Title text=form_title(&tr(lang, "account.sign_in.title")) />
        <ErrorSummary />
        {note.map(|k| view! {
            <div class="callout callout--done" role="status">
                <p>{tr(lang, &format!("account.sign_in.after_{k}"))}</p>
            </div>
        })}
        <h1>{tr(lang, "account.sign_in.title")}</h1>
        <form class="form" method="post" action="/account/sign-in" novalidate>
            <input type="hidden" name="next" value=next.clone() />
            <TextField name="email" label=tr(lang, "account.email") kind="email" autocomplete="username" />
            <TextField name="password" label=tr(lang, "account.password") kind="password" autocomplete="current-password" />
            <button type="submit" class="button">{tr(lang, "account.sign_in.submit")}</button>
        </form>
        <p><a href="/account/reset">{tr(lang, "account.sign_in.forgot")}</a></p>
        <p>
            {tr(lang, "account.sign_in.no_account")} " "
            <a href=with_next("/account/sign-up", &next)>{tr(lang, "account.sign_up.title")}</a>
        </p>
    }
}
