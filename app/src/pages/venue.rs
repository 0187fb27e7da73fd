//! `/v/{slug}`: a venue's public page, the same for everyone. The robots deployed there now,
//! each with its status (icon and words, not colour alone), what it is approved to do here and
//! a link to its profile, under a summary line. `/v/{slug}/display`: the same robots for a
//! screen at the entrance, in large type, with a QR code to the venue's page, kept live by
//! [`crate::islands::display::DisplayWatch`] (or, without JavaScript, a refresh every 20
//! seconds). Both are loaded by the server (`server::routes::venues`) and handed to the page in
//! its context.

use crate::components::status::status_tag;
use crate::domain::venue::VenuePage as Venue;
use crate::domain::Lang;
use crate::i18n::{tr, tr_with, use_lang};
use crate::pages::incidents::named;
use crate::written::Written;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use leptos::prelude::*;
use leptos_meta::Title;
use std::fmt::Write;
use std::sync::Arc;

fn t(key: &str) -> String {
    tr(use_lang(), &format!("venue.{key}"))
}

/// The summary line: how many robots operate here and whether all are in service, or which
/// are not and why.
pub(crate) fn summary(v: &Venue) -> String {
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

/// What a robot is approved to do here, in words.
fn roles(roles: &[String], lang: Lang) -> String {
    if roles.is_empty() {
        return tr(lang, "venue.no_role");
    }
    roles
        .iter()
        .map(|role| tr(lang, &format!("role.{role}")))
        .collect::<Vec<_>>()
        .join(tr(lang, "venue.list_sep").as_str())
}

/// The rows of the venue's list of robots, written into one string (a venue of 500 robots is
/// 2,500 cells): every text escaped here; nothing else goes in but these tags.
pub(crate) fn rows(v: &Venue, lang: Lang) -> String {
    let never = tr(lang, "venue.never");
    let mut html = String::with_capacity(v.robots.len() * 512);
    for r in &v.robots {
        let _ = write!(
            html,
            "<tr><th scope=\"row\"><a href=\"/r/{}\" translate=\"no\">{}</a></th><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            attr(&r.id),
            text(&r.display),
            text(&r.model),
            status_tag(r.status.as_str(), lang),
            text(&roles(&r.roles, lang)),
            text(r.next_inspection_due.as_deref().unwrap_or(&never)),
        );
    }
    html
}

/// The venue's robots as a table, its `rows` written by [`rows`].
#[component]
pub fn RobotsTable(rows: String) -> impl IntoView {
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
            <tbody inner_html=rows></tbody>
        </table>
    }
}

/// The entrance display's rows: the robot, its status and its role here, nothing to follow;
/// those not in service first, so that a screen too small for every row still shows them.
fn display_rows(v: &Venue, lang: Lang) -> String {
    let mut html = String::with_capacity(v.robots.len() * 384);
    let mut robots: Vec<_> = v.robots.iter().collect();
    robots.sort_by_key(|r| r.status == crate::domain::Status::InService);
    for r in robots {
        let _ = write!(
            html,
            "<tr><th scope=\"row\" translate=\"no\">{}</th><td>{}</td><td>{}</td></tr>",
            text(&r.display),
            status_tag(r.status.as_str(), lang),
            text(&roles(&r.roles, lang)),
        );
    }
    html
}

/// The lists written lately: a venue as read is shared by every request within its second.
static ROWS: Written<Venue> = Written::new(64);
static DISPLAY_ROWS: Written<Venue> = Written::new(64);

/// The venue the server read for this page.
fn venue() -> Arc<Venue> {
    use_context::<Arc<Venue>>().unwrap_or_default()
}

#[component]
pub fn VenuePage() -> impl IntoView {
    let lang = use_lang();
    let v = venue();
    let title = format!("{} · {}", v.name, tr(lang, "site.name"));
    let line = summary(&v);
    let list = (!v.robots.is_empty()).then(|| {
        let body = ROWS.get(&v, lang, || rows(&v, lang));
        view! { <RobotsTable rows=body.to_string() /> }
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
        <ul class="venue-links">
            <li><a href=format!("/v/{}/display", v.slug)>{t("display_link")}</a></li>
            <li><a href=format!("/v/{}/dashboard", v.slug)>{t("staff_link")}</a></li>
        </ul>
    }
}

/// What the entrance display shows besides the venue: the QR code to the venue's page, drawn
/// by the server (an SVG of its own making, no text from anyone in it).
#[derive(Clone, Debug, Default)]
pub struct DisplayQr(pub String);

/// `/v/{slug}/display`: for a screen at the venue's entrance, readable from three metres.
#[component]
pub fn VenueDisplay() -> impl IntoView {
    let lang = use_lang();
    let v = venue();
    let qr = use_context::<DisplayQr>().unwrap_or_default().0;
    let title = format!(
        "{} · {} · {}",
        t("display_title"),
        v.name,
        tr(lang, "site.name")
    );
    let line = summary(&v);
    // Without JavaScript the page asks again every 20 seconds (ignored where the watcher runs;
    // the same address without a fragment, which browsers would take for a scroll).
    let refresh = format!(
        "<meta http-equiv=\"refresh\" content=\"20; url=/v/{}/display\">",
        attr(&v.slug)
    );
    let list = (!v.robots.is_empty()).then(|| {
        let body = DISPLAY_ROWS.get(&v, lang, || display_rows(&v, lang));
        view! {
            <table class="display-robots">
                <caption class="visually-hidden">{t("robots_here")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("robot")}</th>
                        <th scope="col">{t("status")}</th>
                        <th scope="col">{t("role_here")}</th>
                    </tr>
                </thead>
                <tbody inner_html=body.to_string()></tbody>
            </table>
        }
    });
    let link = format!("/v/{}", v.slug);
    view! {
        <Title text=title />
        <noscript inner_html=refresh></noscript>
        <div class="entrance-display">
            <div class="display-head">
                <div>
                    <h1>{v.name.clone()}</h1>
                    <p class="display-summary">{line}</p>
                </div>
                <figure class="display-qr">
                    <div role="img" aria-label=t("display_qr") inner_html=qr></div>
                    <figcaption>{t("display_scan")}</figcaption>
                </figure>
            </div>
            // Whether the screen is live, above the list it is about.
            <crate::islands::display::DisplayWatch />
            {list}
            <p class="display-as-of">
                {tr_with(lang, "venue.display_as_of", &[("at", v.as_of.get(11..19).unwrap_or(&v.as_of))])}
            </p>
            <p class="display-back"><a href=link>{t("display_back")}</a></p>
        </div>
    }
}
