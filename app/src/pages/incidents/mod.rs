//! Incident reports: the form that files one, each report's page, and the inbox. What they
//! show is personal: the server loads it (deciding who may see it) and hands it to the page in
//! its context (`server::routes::incidents`); these pages are never cached.

pub mod inbox;
pub mod new;
pub mod report;

use crate::domain::vocabulary::Word;
use crate::i18n::{tr, use_lang};
use leptos::prelude::*;

/// What the new-report form is given: the robot ID as asked for, and the robot when it is one.
#[derive(Clone, Debug, Default)]
pub struct NewReport {
    pub robot_text: String,
    pub robot: Option<RobotForReport>,
}

/// The robot a report is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotForReport {
    pub robot_id: String,
    pub model_name: String,
    /// Where it works, to preselect the place.
    pub venue: Option<String>,
}

/// What was just done on a report's page (`?done=`), to say so.
#[derive(Clone, Debug, Default)]
pub struct Done(pub String);

/// A word of the vocabulary in the page's language.
pub fn word<W: Word>(w: W) -> String {
    tr(use_lang(), &format!("{}.{}", W::FAMILY, w.name()))
}

/// A machine name of a family in the page's language.
pub fn named(family: &str, name: &str) -> String {
    tr(use_lang(), &format!("{family}.{name}"))
}

/// A list of reports: reference, robot, what, status, last change.
#[component]
pub fn ReportTable(
    reports: Vec<crate::domain::incident::Summary>,
    caption: String,
    /// Whether each reference links to its report (not where the reader may not open it).
    #[prop(default = true)]
    linked: bool,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <table class="reports">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{tr(lang, "incident.reference")}</th>
                    <th scope="col">{tr(lang, "incident.robot")}</th>
                    <th scope="col">{tr(lang, "incident.category")}</th>
                    <th scope="col">{tr(lang, "incident.status")}</th>
                    <th scope="col">{tr(lang, "incident.updated")}</th>
                </tr>
            </thead>
            <tbody>
                {reports
                    .into_iter()
                    .map(|s| {
                        let confirmed = s.confirmed.then(|| tr(lang, "incident.confirmed_short"));
                        view! {
                            <tr>
                                <td>
                                    {if linked {
                                        view! { <a href=format!("/incidents/{}", s.reference)>{s.reference.clone()}</a> }.into_any()
                                    } else {
                                        s.reference.clone().into_any()
                                    }}
                                </td>
                                <td><code>{s.robot_id.clone()}</code></td>
                                <td>{named("incident_category", s.category)}</td>
                                <td>
                                    {named("incident_status", s.status)}
                                    {confirmed.map(|c| view! { <span class="tag">{c}</span> })}
                                </td>
                                <td>{s.updated_local.clone()}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
