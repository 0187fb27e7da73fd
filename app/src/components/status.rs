//! Status shown to people: icons (never colour alone), the grouped ID, the status banner and
//! the verdict on the label that led to a profile.

use crate::i18n::{tr, use_lang};
use leptos::prelude::*;

/// The status banner's icon: shape as well as colour tells the status apart.
fn status_icon(kind: &str) -> impl IntoView {
    icon("banner-icon", status_path(kind))
}

/// A status in a list, as HTML for lists written into one string: its icon and its words
/// (escaped), on its colour (never colour alone).
pub fn status_tag(kind: &str, lang: crate::domain::Lang) -> String {
    format!(
        "<span class=\"status-tag status-tag--{kind}\"><svg class=\"tag-icon\" viewBox=\"0 0 24 24\" \
         width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\"><path d=\"{}\" \
         fill=\"currentColor\"></path></svg>{}</span>",
        status_path(kind),
        html_escape::encode_text(&tr(lang, &format!("status.{kind}.title")))
    )
}

/// The path of a status's icon.
pub fn status_path(kind: &str) -> &'static str {
    match kind {
        "in_service" => "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
        "not_deployed" => "M6 5h4v14H6zm8 0h4v14h-4z",
        "inspection_overdue" => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 11h-5v-2h3V6h2z",
        "recall_open" => "M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z",
        "suspended" => "M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9zM7 11v2h10v-2z",
        "scrapped" => "M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6zM19 4h-3.5l-1-1h-5l-1 1H5v2h14z",
        _ => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 17h-2v-2h2zm2.1-7.8-.9.9C13.5 12.9 13 13.5 13 15h-2v-.5c0-1.1.5-2.1 1.2-2.8l1.2-1.3A2 2 0 1 0 10 9H8a4 4 0 1 1 7.1 2.2z",
    }
}

/// A 40-pixel decorative icon (the words next to it say the same).
fn icon(class: &'static str, path: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 24 24" width="40" height="40" aria-hidden="true" focusable="false">
            <path d=path fill="currentColor" />
        </svg>
    }
}

/// An ID grouped for reading, breaking lines only between groups.
#[component]
pub fn GroupedId(display: String) -> impl IntoView {
    let groups: Vec<String> = display.split('·').map(str::to_string).collect();
    let last = groups.len().saturating_sub(1);
    view! {
        <span class="robot-id" translate="no">
            {groups
                .into_iter()
                .enumerate()
                .map(|(i, g)| {
                    view! {
                        <span class="seg">{g}{(i < last).then_some("·")}</span>
                        {(i < last).then(|| view! { <wbr /> })}
                    }
                })
                .collect_view()}
        </span>
    }
}

/// The one banner every public page leads with: colour, icon and words.
#[component]
pub fn StatusBanner(
    /// Machine name of the status (`in_service`…, or `not_registered`, `malformed`).
    kind: &'static str,
    /// The ID as read aloud, when there is one.
    #[prop(optional)]
    id_display: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class=format!("banner banner--{kind}") aria-labelledby="status-heading">
            {status_icon(kind)}
            <div>
                <h1 id="status-heading">{tr(lang, &format!("status.{kind}.title"))}</h1>
                <p class="banner-detail">{tr(lang, &format!("status.{kind}.detail"))}</p>
                {id_display
                    .map(|d| {
                        view! {
                            <p class="banner-id">
                                <span class="visually-hidden">{tr(lang, "profile.id_label")} " "</span>
                                <GroupedId display=d />
                            </p>
                        }
                    })}
            </div>
        </section>
    }
}

/// The icon of a label verdict: a shield with a tick, a warning triangle, a stop hand…
pub fn verdict_icon(kind: &str) -> impl IntoView {
    let path = match kind {
        "verified_label" => "M12 1 3 5v6c0 5.5 3.8 10.7 9 12 5.2-1.3 9-6.5 9-12V5zm-2 16-4-4 1.4-1.4 2.6 2.6 6.6-6.6L18 9z",
        "not_issued" => "M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z",
        "foreign_host" => "M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9zM11 6v8h2V6zm0 10v2h2v-2z",
        "robot_id" => "M3 5v14h18V5zm2 2h14v10H5zm2 2v2h4V9zm0 4v2h10v-2z",
        _ => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 17h-2v-2h2zm2.1-7.8-.9.9C13.5 12.9 13 13.5 13 15h-2v-.5c0-1.1.5-2.1 1.2-2.8l1.2-1.3A2 2 0 1 0 10 9H8a4 4 0 1 1 7.1 2.2z",
    };
    icon("verdict-icon", path)
}

/// What the label that led here says about itself, shown above the profile.
#[component]
pub fn LabelVerdict(
    /// `verified_label` or `not_issued`.
    kind: &'static str,
    message: String,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section
            class=format!("verdict verdict--{kind} verdict--on-profile")
            role=if kind == "verified_label" { "status" } else { "alert" }
            aria-labelledby="label-verdict-title"
            data-verdict=kind
        >
            {verdict_icon(kind)}
            <div>
                <p class="verdict-title" id="label-verdict-title">
                    <strong>{tr(lang, &format!("verdict.title.{kind}"))}</strong>
                </p>
                <p class="verdict-message">{message}</p>
            </div>
        </section>
    }
}
