//! A venue's own pages, for the members of the organisation that runs it (checked by the
//! server, `server::routes::venues`, which hands the page the dashboard in its context):
//! `/v/{slug}/dashboard` (the robots on site, inspections due within 30 days, open recalls
//! and incident reports on its robots) and `/v/{slug}/labels` (every robot's signed label on
//! A4 sheets, several a page with cut marks, to print at once).

use crate::components::status::status_tag;
use crate::domain::venue::{VenueDashboard, VenueRobot, DUE_WITHIN_DAYS};
use crate::domain::{Lang, RobotId};
use crate::i18n::{tr, tr_with, use_lang};
use crate::pages::incidents::{named, ReportTable};
use crate::pages::labels::label::LabelFigure;
use crate::pages::venue::RobotsTable;
use leptos::prelude::*;
use leptos_meta::Title;
use std::sync::Arc;

fn t(key: &str) -> String {
    tr(use_lang(), &format!("dashboard.{key}"))
}

fn board() -> Arc<VenueDashboard> {
    use_context::<Arc<VenueDashboard>>().unwrap_or_default()
}

/// The robots due for inspection, soonest first, with their statuses.
fn due_rows(due: &[VenueRobot], lang: Lang) -> impl IntoView {
    due.iter()
        .map(|r| {
            let when = r
                .next_inspection_due
                .clone()
                .unwrap_or_else(|| tr(lang, "venue.never"));
            view! {
                <tr>
                    <th scope="row"><a href=format!("/r/{}", r.id) translate="no">{r.display.clone()}</a></th>
                    <td>{r.model.clone()}</td>
                    <td>{when}</td>
                    <td inner_html=status_tag(r.status.as_str(), lang)></td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
pub fn VenueDashboardPage() -> impl IntoView {
    let lang = use_lang();
    let b = board();
    let v = &b.venue;
    let title = tr_with(lang, "dashboard.title", &[("venue", &v.name)]);
    let robots = if v.robots.is_empty() {
        view! { <p>{tr(lang, "venue.none_here")}</p> }.into_any()
    } else {
        view! { <RobotsTable rows=crate::pages::venue::rows(v, lang) /> }.into_any()
    };
    let due = if b.due.is_empty() {
        view! { <p>{tr_with(lang, "dashboard.none_due", &[("days", &DUE_WITHIN_DAYS.to_string())])}</p> }
            .into_any()
    } else {
        view! {
            <table class="table">
                <caption>{tr_with(lang, "dashboard.due_caption", &[("date", &b.due_by)])}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(lang, "venue.robot")}</th>
                        <th scope="col">{tr(lang, "venue.model")}</th>
                        <th scope="col">{tr(lang, "venue.next_inspection")}</th>
                        <th scope="col">{tr(lang, "venue.status")}</th>
                    </tr>
                </thead>
                <tbody>{due_rows(&b.due, lang)}</tbody>
            </table>
        }
        .into_any()
    };
    let recalls = if b.recalls.is_empty() {
        view! { <p>{t("no_recalls")}</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <caption>{t("recalls_caption")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{tr(lang, "venue.robot")}</th>
                        <th scope="col">{t("recall_reference")}</th>
                        <th scope="col">{t("recall_issued")}</th>
                        <th scope="col">{t("recall_hazard")}</th>
                        <th scope="col">{t("recall_remedy")}</th>
                    </tr>
                </thead>
                <tbody>
                    {b.recalls
                        .iter()
                        .map(|r| view! {
                            <tr>
                                <th scope="row"><a href=format!("/r/{}", r.robot_id) translate="no">{r.display.clone()}</a></th>
                                <td>{r.reference.clone()}</td>
                                <td>{r.issued_on.clone()}</td>
                                <td>{named("hazard", &r.hazard)}</td>
                                <td>{named("remedy", &r.remedy)}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let reports = if b.reports.is_empty() {
        view! { <p>{t("no_reports")}</p> }.into_any()
    } else {
        view! { <ReportTable reports=b.reports.clone() caption=t("reports_caption") linked=false /> }
            .into_any()
    };
    view! {
        <Title text=format!("{title} · {}", tr(lang, "site.name")) />
        <h1>{title}</h1>
        <p class="venue-summary">{crate::pages::venue::summary(v)}</p>
        <ul class="dashboard-links">
            <li><a href=format!("/v/{}/labels", v.slug)>{tr_with(lang, "dashboard.print_labels", &[("count", &v.robots.len().to_string())])}</a></li>
            <li><a href=format!("/v/{}", v.slug)>{t("public_page")}</a></li>
            <li><a href=format!("/v/{}/display", v.slug)>{tr(lang, "venue.display_link")}</a></li>
        </ul>
        <section aria-labelledby="due-heading">
            <h2 id="due-heading">{t("due_heading")}</h2>
            {due}
        </section>
        <section aria-labelledby="recalls-heading">
            <h2 id="recalls-heading">{t("recalls_heading")}</h2>
            {recalls}
        </section>
        <section aria-labelledby="reports-heading">
            <h2 id="reports-heading">{t("reports_heading")}</h2>
            <p class="hint">{t("reports_hint")}</p>
            {reports}
        </section>
        <section aria-labelledby="robots-heading">
            <h2 id="robots-heading">{t("robots_heading")}</h2>
            {robots}
        </section>
        <section aria-labelledby="embed-heading">
            <h2 id="embed-heading">{t("embed_heading")}</h2>
            <p>{t("embed_hint")}</p>
            <pre class="embed"><code>{embed_snippet(&b)}</code></pre>
        </section>
    }
}

/// What a venue pastes into its own website to show a robot's live status: the badge of its
/// first robot, linked to the robot's profile (the same for any of its robots).
fn embed_snippet(b: &VenueDashboard) -> String {
    let origin = crate::request::origin();
    let Some(r) = b.venue.robots.first() else {
        return String::new();
    };
    format!(
        "<a href=\"{origin}/r/{id}\"><img src=\"{origin}/badge/{id}.svg?lang=en\" \
         alt=\"Robot Passport: robot {display}\" height=\"40\"></a>",
        id = r.id,
        display = r.display
    )
}

#[component]
pub fn VenueLabels() -> impl IntoView {
    let lang = use_lang();
    let b = board();
    let v = &b.venue;
    let host = crate::request::printed_host();
    let title = tr_with(lang, "dashboard.labels_title", &[("venue", &v.name)]);
    let labels = v
        .robots
        .iter()
        .filter_map(|r| RobotId::parse(&r.id).ok())
        .map(|id| view! { <LabelFigure id=id host=host.clone() size="sheet" /> })
        .collect_view();
    view! {
        <Title text=format!("{title} · {}", tr(lang, "site.name")) />
        <section class="label-tools no-print" aria-labelledby="labels-heading">
            <h1 id="labels-heading">{title}</h1>
            <p>{tr_with(lang, "dashboard.labels_intro", &[("count", &v.robots.len().to_string())])}</p>
            <p class="hint">{tr(lang, "labels.print_hint")}</p>
            <p><a href=format!("/v/{}/dashboard", v.slug)>{t("back")}</a></p>
        </section>
        <div class="sheet sheet--sheet">{labels}</div>
    }
}
