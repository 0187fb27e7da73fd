//! `/account`: the signed-in person's own page: who they are, whether their address is
//! confirmed, and what they can do next.

use super::require_sign_in;
use crate::i18n::{tr, use_lang};
use crate::request::query_values;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let lang = use_lang();
    let Some(me) = require_sign_in() else {
        return ().into_any();
    };
    let done = ["password", "confirmed", "resent"]
        .into_iter()
        .find(|k| query_values("done").iter().any(|d| d == k));
    view! {
        <Title text=format!("{} · {}", tr(lang, "account.overview.title"), tr(lang, "site.name")) />
        {done.map(|k| view! {
            <div class="callout callout--done" role="status">
                <p>{tr(lang, &format!("account.overview.done_{k}"))}</p>
            </div>
        })}
        <h1>{tr(lang, "account.overview.title")}</h1>
        <dl class="card">
            <div class="row">
                <dt>{tr(lang, "account.display_name")}</dt>
                <dd>{me.display_name}</dd>
            </div>
            <div class="row">
                <dt>{tr(lang, "account.email")}</dt>
                <dd>
                    {me.email} " "
                    <span class="tag">
                        {if me.confirmed {
                            tr(lang, "account.overview.confirmed")
                        } else {
                            tr(lang, "account.overview.unconfirmed")
                        }}
                    </span>
                </dd>
            </div>
            <div class="row">
                <dt>{tr(lang, "account.overview.roles")}</dt>
                <dd>
                    {if me.memberships.is_empty() {
                        tr(lang, "account.overview.no_roles").into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {me
                                    .memberships
                                    .iter()
                                    .map(|(id, org, role)| view! {
                                        <li>
                                            {tr(lang, &format!("org_role.{role}"))} " · "
                                            <a href=format!("/orgs/{id}")>{org.clone()}</a>
                                        </li>
                                    })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                </dd>
            </div>
        </dl>
        {(!me.confirmed).then(|| view! {
            <form method="post" action="/account/confirm/resend">
                <button type="submit" class="button button--secondary">{tr(lang, "account.confirm.resend")}</button>
            </form>
        })}
        <ul>
            <li><a href="/account/password">{tr(lang, "account.password_page.title")}</a></li>
        </ul>
        <form method="post" action="/account/sign-out">
            <button type="submit" class="button button--secondary">{tr(lang, "account.sign_out")}</button>
        </form>
    }
    .into_any()
}
