//! `/account/password`: change the password, given the current one. Every other session ends.

use super::require_sign_in;
use crate::components::form::{form_title, ErrorSummary, TextField};
use crate::i18n::{tr, tr_with, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let lang = use_lang();
    if require_sign_in().is_none() {
        return ().into_any();
    }
    let min = crate::domain::account::MIN_PASSWORD_CHARS.to_string();
    view! {
        <Title text=form_title(&tr(lang, "account.password_page.title")) />
        <ErrorSummary />
        <h1>{tr(lang, "account.password_page.title")}</h1>
        <p class="lead">{tr(lang, "account.password_page.intro")}</p>
        <form class="form" method="post" action="/account/password" novalidate>
            <TextField name="current_password" label=tr(lang, "account.current_password") kind="password" autocomplete="current-password" />
            <TextField name="new_password" label=tr(lang, "account.new_password") kind="password" autocomplete="new-password" hint=tr_with(lang, "account.password_hint", &[("min", &min)]) />
            <button type="submit" class="button">{tr(lang, "account.password_page.submit")}</button>
        </form>
        <p><a href="/account">{tr(lang, "account.back")}</a></p>
    }
    .into_any()
}
