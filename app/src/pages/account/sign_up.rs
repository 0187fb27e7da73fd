//! `/account/sign-up`: a name, an e-mail address and a password; a confirmation link follows
//! by mail.

use super::sign_in_link;
use crate::components::form::{form_title, use_answer, ErrorSummary, TextField};
use crate::i18n::{tr, tr_with, use_lang};
use crate::request::next_path;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignUpPage() -> impl IntoView {
    let lang = use_lang();
    let answer = use_answer();
    let next = if answer.values.is_empty() {
        next_path()
    } else {
        answer.value("next")
    };
    let min = crate::domain::account::MIN_PASSWORD_CHARS.to_string();
    view! {
        <Title text=form_title(&tr(lang, "account.sign_up.title")) />
        <ErrorSummary />
        <h1>{tr(lang, "account.sign_up.title")}</h1>
        <p class="lead">{tr(lang, "account.sign_up.intro")}</p>
        <form class="form" method="post" action="/account/sign-up" novalidate>
            <input type="hidden" name="next" value=next.clone() />
            <TextField name="display_name" label=tr(lang, "account.display_name") autocomplete="name" hint=tr(lang, "account.display_name_hint") />
            <TextField name="email" label=tr(lang, "account.email") kind="email" autocomplete="email" hint=tr(lang, "account.email_hint") />
            <TextField name="password" label=tr(lang, "account.password") kind="password" autocomplete="new-password" hint=tr_with(lang, "account.password_hint", &[("min", &min)]) />
            <button type="submit" class="button">{tr(lang, "account.sign_up.submit")}</button>
        </form>
        <p>
            {tr(lang, "account.sign_up.have_account")} " "
            <a href=sign_in_link(&next)>{tr(lang, "account.sign_in.title")}</a>
        </p>
    }
}
