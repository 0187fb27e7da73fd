//! The lookup box: a plain GET form that, hydrated, checks an ID as it is typed and goes
//! straight to the profile.

use crate::domain::{Lang, RobotId};
use crate::i18n::use_lang;
use crate::i18n::words::LookupWords;
use crate::islands::setup::IslandSetup;
use leptos::prelude::*;
use serde::Serialize;

/// Everything the lookup island starts from: its words, the hosts whose links count as this
/// portal's, and what the server's page showed in the box. Handed over through the page, not
/// as island props (see [`crate::islands::setup`]).
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
        use crate::islands::setup::js::{get, text, texts};
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
                errors: crate::i18n::words::IdErrorWords {
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
