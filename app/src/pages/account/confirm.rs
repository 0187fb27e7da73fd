//! `/account/confirm?token=…`: the link in the sign-up message. Opening it only shows a button;
//! the address is confirmed when the person presses it (a POST), so that a mail scanner that
//! follows links cannot use the link up.

use super::{link_check, with_next};
use crate::components::form::{error_message, use_answer};
use crate::i18n::{tr, use_lang};
use crate::request::{next_path, query_values, set_status};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ConfirmPage() -> impl IntoView {
    let lang = use_lang();
    let answer = use_answer();
    let token = query_values("token").into_iter().next().unwrap_or_default();
    let check = link_check(token.clone(), false);
    let next = next_path();
    let title = tr(lang, "account.confirm.title");
    view! {
        <Title text=format!("{title} · {}", tr(lang, "site.name")) />
        <h1>{title}</h1>
        <Suspense fallback=|| ()>
        {move || {
        let (answer, token, next) = (answer.clone(), token.clone(), next.clone());
        Suspend::new(async move {
        let works = check.await && !answer.has_errors();
        if !works {
            set_status(if answer.has_errors() { 422 } else { 410 });
        }
        if works {
            view! {
                <p>{tr(lang, "account.confirm.intro")}</p>
                <form class="form" method="post" action="/account/confirm">
                    <input type="hidden" name="token" value=token />
                    <input type="hidden" name="next" value=next />
                    <button type="submit" class="button">{tr(lang, "account.confirm.submit")}</button>
                </form>
            }
            .into_any()
        } else {
            let message = answer
                .errors
                .first()
                .map(error_message)
                .unwrap_or_else(|| tr(lang, "problem.bad_link"));
            view! {
                <div class="callout callout--problem" role="alert">
                    <p>{message}</p>
                </div>
                <p><a href=with_next("/account/sign-in", &next)>{tr(lang, "account.confirm.sign_in_to_resend")}</a></p>
            }
            .into_any()
        }
        })
        }}
        </Suspense>
    }
}
