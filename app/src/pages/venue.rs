//! `/v/{slug}`: a venue's public page, the same for everyone. The robots deployed there now,
//! each with its status (icon and words, not colour alone), what it is approved to do here and
//! a link to its profile, under a summary line. Loaded by the server
//! (`server::routes::venues`) and handed to this page in its context.

use crate::components::status::StatusTag;
use crate::domain::venue::VenuePage as Venue;
use crate::i18n::{tr, tr_with, use_lang};
use crate::pages::incidents::named;
use leptos::prelude::*;
use leptos_meta::Title;

fn t(key: &str) -> String {
    tr(use_lang(), &format!("venue.{key}"))
}

/// The summary line: how many robots operate here and whether all are in service, or which
/// are not and why.
fn summary(v: &Venue) -> String {
    let lang = use_lang();
    let count = v.summary.robots.to_string();
    if v.summary.robots == 0 {
        return t("none_here");
    }
    let head = if v.summary.robots == 1 {
        t("operates_one")
    } else {
        tr_with(lang, "venue.operates", &[("count", &count)])
    };
    if v.summary.all_in_service {
        return format!("{head} {}", t("all_current"));
    }
    let parts: Vec<String> = v
        .summary
        .by_status
        .iter()
        .map(|(status, n)| {
            tr_with(
                lang,
                &format!("venue.count.{}", status.as_str()),
                &[("count", &n.to_string())],
            )
        })
        .collect();
    format!(
        "{head} {}",
        tr_with(
            lang,
            "venue.of_which",
            &[("list", &parts.join(t("list_sep").as_str()))]
        )
    )
}

#[component]
pub fn VenuePage() -> impl IntoView {
    let lang = use_lang();
    let v = use_context::<Venue>().unwrap_or_default();
    let title = format!("{} · {}", v.name, tr(lang, "site.name"));
    let line = summary(&v);
    let rows = v
        .robots
        .iter()
        .map(|r| {
            let roles = if r.roles.is_empty() {
                t("no_role")
            } else {
                r.roles
                    .iter()
                    .map(|role| named("role", role))
                    .collect::<Vec<_>>()
                    .join(t("list_sep").as_str())
            };
            view! {
                <tr>
                    <th scope="row">
                        <a href=format!("/r/{}", r.id) translate="no">{r.display.clone()}</a>
                    </th>
                    <td>{r.model.clone()}</td>
                    <td><StatusTag kind=r.status.as_str() /></td>
                    <td>{roles}</td>
                    <td>{r.next_inspection_due.clone().unwrap_or_else(|| t("never"))}</td>
                </tr>
            }
        })
        .collect_view();
    let list = (!v.robots.is_empty()).then(|| {
        view! {
            <table class="table venue-robots">
                <caption>{t("robots_here")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("robot")}</th>
                        <th scope="col">{t("model")}</th>
                        <th scope="col">{t("status")}</th>
                        <th scope="col">{t("role_here")}</th>
                        <th scope="col">{t("next_inspection")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        <Title text=title />
        <h1>{v.name.clone()}</h1>
        <p class="venue-where">
            {named("venue_kind", &v.kind)} " · " {v.address.clone()} ", " {v.city.clone()}
        </p>
        <p class="venue-by">{tr_with(lang, "venue.run_by", &[("org", &v.organisation)])}</p>
        <p class="venue-summary">{line}</p>
        {list}
        <p class="hint">{tr_with(lang, "venue.as_of", &[("at", &v.as_of)])}</p>
    }
}
