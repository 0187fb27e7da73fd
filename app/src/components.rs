//! Pieces shared by several pages.

use crate::domain::{Lang, RobotId};
pub use crate::i18n::words::{id_error_message, IdErrorWords, LookupWords};
use crate::i18n::{tr, use_lang};
use crate::island_setup::IslandSetup;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::Serialize;

/// Set the HTTP status of the page being rendered on the server (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(
            http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Answer the request with a redirect to `path`. Pages render on the server only (islands),
/// so there is no browser side to this.
pub fn redirect_to(path: &str, code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::SEE_OTHER));
        if let Ok(v) = http::HeaderValue::from_str(path) {
            resp.insert_header(http::header::LOCATION, v);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = (path, code);
}

#[component]
pub fn SkipLink() -> impl IntoView {
    let lang = use_lang();
    view! {
        <a class="skip-link" href="#main">
            {tr(lang, "site.skip")}
        </a>
    }
}

/// Links to the same page in every language. Plain links (no JavaScript needed): the server
/// remembers the choice in a cookie and sends the visitor back.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let here = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() {
            path
        } else {
            format!("{path}?{}", search.trim_start_matches('?'))
        }
    };
    view! {
        <nav class="lang-switch" aria-label=tr(lang, "site.language")>
            <ul>
                {Lang::ALL
                    .into_iter()
                    .map(|l| {
                        let href = move || {
                            let next = percent_encoding::utf8_percent_encode(&here(), percent_encoding::NON_ALPHANUMERIC).to_string();
                            format!("/lang/{}?next={next}", l.code())
                        };
                        view! {
                            <li>
                                <a
                                    href=href
                                    rel="external"
                                    hreflang=l.code()
                                    lang=l.code()
                                    aria-current=(l == lang).then_some("true")
                                >
                                    {l.native_name()}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

/// The status banner's icon: shape as well as colour tells the status apart.
fn status_icon(kind: &str) -> impl IntoView {
    let path = match kind {
        "in_service" => "M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z",
        "not_deployed" => "M6 5h4v14H6zm8 0h4v14h-4z",
        "inspection_overdue" => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 11h-5v-2h3V6h2z",
        "recall_open" => "M1 21h22L12 2zm12-3h-2v-2h2zm0-4h-2v-4h2z",
        "suspended" => "M7.9 2h8.2L22 7.9v8.2L16.1 22H7.9L2 16.1V7.9zM7 11v2h10v-2z",
        "scrapped" => "M6 19a2 2 0 0 0 2 2h8a2 2 0 0 0 2-2V7H6zM19 4h-3.5l-1-1h-5l-1 1H5v2h14z",
        _ => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 17h-2v-2h2zm2.1-7.8-.9.9C13.5 12.9 13 13.5 13 15h-2v-.5c0-1.1.5-2.1 1.2-2.8l1.2-1.3A2 2 0 1 0 10 9H8a4 4 0 1 1 7.1 2.2z",
    };
    icon("banner-icon", path)
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

/// Everything the lookup island starts from: its words, the hosts whose links count as this
/// portal's, and what the server's page showed in the box. Handed over through the page, not
/// as island props (see [`crate::island_setup`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LookupSetup {
    words: LookupWords,
    hosts: Vec<String>,
    value: String,
    error: Option<String>,
}

impl LookupSetup {
    /// The setup for this page: in `lang`, with this request's portal hosts.
    pub fn new(lang: Lang, value: String, error: Option<String>) -> Self {
        LookupSetup {
            words: LookupWords::new(lang),
            hosts: crate::request::our_hosts(),
            value,
            error,
        }
    }
}

impl IslandSetup for LookupSetup {
    const ROOT: &'static str = "form.lookup";

    fn fallback() -> Self {
        LookupSetup::new(use_lang(), String::new(), None)
    }

    #[cfg(feature = "hydrate")]
    fn from_js(v: &wasm_bindgen::JsValue) -> Self {
        use crate::island_setup::js::{get, text, texts};
        let words = get(v, "words");
        let errors = get(&words, "errors");
        let mut segments: [String; 4] = Default::default();
        for (slot, name) in segments.iter_mut().zip(texts(&errors, "segments")) {
            *slot = name;
        }
        LookupSetup {
            words: LookupWords {
                label: text(&words, "label"),
                hint: text(&words, "hint"),
                submit: text(&words, "submit"),
                errors: IdErrorWords {
                    empty: text(&errors, "empty"),
                    length: text(&errors, "length"),
                    invisible: text(&errors, "invisible"),
                    look_alike: text(&errors, "look_alike"),
                    character: text(&errors, "character"),
                    foreign_url: text(&errors, "foreign_url"),
                    not_a_profile_url: text(&errors, "not_a_profile_url"),
                    segments,
                },
            },
            hosts: texts(v, "hosts"),
            value: text(v, "value"),
            error: get(v, "error").as_string(),
        }
    }
}

/// The lookup form as pages show it: in the page's language, taking links to this portal's
/// hosts (the words and hosts are worked out here, on the server, and handed to the island).
#[component]
pub fn LookupBox(
    /// What the visitor typed last, to put back in the box.
    value: String,
    /// The error for `value`, shown from the server's render.
    #[prop(optional_no_strip)]
    error: Option<String>,
) -> impl IntoView {
    provide_context(LookupSetup::new(use_lang(), value, error));
    view! { <LookupForm /> }
}

/// The lookup form. Works as a plain GET form; with JavaScript (it is an island) it also
/// checks as you type and goes straight to the profile. Pages use it through [`LookupBox`],
/// which gives it its [`LookupSetup`].
#[island]
pub fn LookupForm() -> impl IntoView {
    let (
        LookupSetup {
            words,
            hosts,
            value,
            error,
        },
        setup_text,
    ) = LookupSetup::for_island();
    let (message, set_message) = signal(error);
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let hosts_for_check = hosts.clone();
    let errors = words.errors.clone();
    let check = move |text: &str| -> Option<String> {
        if text.trim().is_empty() {
            return None;
        }
        RobotId::parse_lookup(text, &hosts_for_check)
            .err()
            .map(|e| errors.explain(&e))
    };
    let on_input = move |ev: leptos::ev::Event| {
        set_message.set(check(&event_target_value(&ev)));
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let Some(input) = input_ref.get() else { return };
        let text = input.value();
        match RobotId::parse_lookup(&text, &hosts) {
            Ok(id) => {
                ev.prevent_default();
                #[cfg(feature = "hydrate")]
                let _ = window().location().set_href(&format!("/r/{id}"));
                #[cfg(not(feature = "hydrate"))]
                let _ = id;
            }
            Err(e) => {
                ev.prevent_default();
                set_message.set(Some(words.errors.explain(&e)));
                let _ = input.focus();
            }
        }
    };
    view! {
        <form
            class="lookup"
            method="get"
            action="/"
            on:submit=on_submit
            novalidate
            data-setup=setup_text
        >
            <label for="robot-id">{words.label.clone()}</label>
            <p id="robot-id-hint" class="hint">{words.hint.clone()}</p>
            <div class="lookup-row">
                <input
                    id="robot-id"
                    name="id"
                    type="text"
                    inputmode="text"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    maxlength="300"
                    value=value
                    node_ref=input_ref
                    aria-describedby="robot-id-hint robot-id-error"
                    aria-invalid=move || message.get().is_some().then_some("true")
                    on:input=on_input
                />
                <button type="submit">{words.submit.clone()}</button>
            </div>
            <p id="robot-id-error" class="field-error" aria-live="polite">
                {move || {
                    message
                        .get()
                        .map(|m| {
                            view! {
                                <span class="error-icon" aria-hidden="true">"⚠ "</span>
                                <span>{m}</span>
                            }
                        })
                }}
            </p>
        </form>
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
