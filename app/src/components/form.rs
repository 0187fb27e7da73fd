//! Forms people fill in, the GOV.UK way: plain POSTs that work without JavaScript; when
//! something must be put right the page comes back (status 422) with every value kept, an
//! error summary at the top linking to each field, and the message beside the field.

use crate::domain::Problem;
use crate::i18n::{tr, tr_with, use_lang};
use leptos::prelude::*;

/// What a form sent, handed back to its page by the server when something in it must be put
/// right. Passwords are never handed back.
#[derive(Clone, Debug, Default)]
pub struct FormAnswer {
    pub values: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
}

/// What is wrong with one field.
#[derive(Clone, Debug)]
pub struct FieldError {
    /// The field's name (its element is `field-{name}`).
    pub field: &'static str,
    pub problem: Problem,
    /// For "try again in N seconds".
    pub seconds: Option<u64>,
}

impl FormAnswer {
    /// The value sent for `name`, or nothing.
    pub fn value(&self, name: &str) -> String {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    pub fn error(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// The answer the server handed this page, if any.
pub fn use_answer() -> FormAnswer {
    use_context::<FormAnswer>().unwrap_or_default()
}

/// A field error's words in the page's language.
pub fn error_message(e: &FieldError) -> String {
    let lang = use_lang();
    let seconds = e.seconds.unwrap_or(0).to_string();
    tr_with(
        lang,
        &format!("problem.{}", e.problem.as_str()),
        &[("seconds", &seconds)],
    )
}

/// A page title, with "Error: " before it when the form came back with errors (the first
/// thing a screen reader says).
pub fn form_title(title: &str) -> String {
    let lang = use_lang();
    let site = tr(lang, "site.name");
    if use_answer().has_errors() {
        format!("{}: {title} · {site}", tr(lang, "form.error_prefix"))
    } else {
        format!("{title} · {site}")
    }
}

/// The error summary at the top of a form: each problem, linking to its field. Focused when
/// the page loads (`autofocus` needs no script), so keyboard and screen reader users start
/// there.
#[component]
pub fn ErrorSummary() -> impl IntoView {
    let lang = use_lang();
    let answer = use_answer();
    (answer.has_errors()).then(|| {
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>
                <h2 id="error-summary-title">{tr(lang, "form.error_summary")}</h2>
                <ul>
                    {answer
                        .errors
                        .iter()
                        .map(|e| {
                            view! {
                                <li>
                                    <a href=format!("#field-{}", e.field)>{error_message(e)}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// A labelled input with its hint and, when the form came back, its value and its error.
#[component]
pub fn TextField(
    name: &'static str,
    label: String,
    /// `text`, `email`, `password`…
    #[prop(default = "text")]
    kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] hint: Option<String>,
    /// A value to show when the form has not come back (a default).
    #[prop(optional)]
    value: Option<String>,
) -> impl IntoView {
    let has_error = use_answer().error(name).is_some();
    // A password is never sent back to the page.
    let shown = if kind == "password" {
        String::new()
    } else {
        shown_value(name, value)
    };
    let id = format!("field-{name}");
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label for=id.clone()>{label}</label>
            {hint.clone().map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {field_error_view(name)}
            <input
                id=id.clone()
                name=name
                type=kind
                autocomplete=autocomplete
                value=shown
                aria-describedby=described_by(name, hint.is_some(), has_error)
                aria-invalid=has_error.then_some("true")
            />
        </div>
    }
}

/// The ids a field's description points to: its hint and its error, when shown.
fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> = [
        hint.then(|| format!("field-{name}-hint")),
        error.then(|| format!("field-{name}-error")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A field's error message beside it, when the form came back with one.
fn field_error_view(name: &str) -> Option<impl IntoView> {
    let lang = use_lang();
    use_answer().error(name).map(|e| {
        view! {
            <p class="field-error" id=format!("field-{name}-error")>
                <span class="visually-hidden">{tr(lang, "form.error_prefix")}": "</span>
                {error_message(e)}
            </p>
        }
    })
}

/// What a field shows: the value sent when the form came back, else `default`.
fn shown_value(name: &str, default: Option<String>) -> String {
    let answer = use_answer();
    if answer.values.is_empty() {
        default.unwrap_or_default()
    } else {
        answer.value(name)
    }
}

/// Text as the inside of a `<textarea>` must carry it. The server renderer writes a text
/// area's text as it is (unlike other text, which it escapes), and a browser reads entities
/// there but no tags, except the `</textarea>` that would end it: so `&`, `<` and `>` are
/// written as entities, and what was typed (`</textarea><script>…`) comes back as text.
fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A labelled text area, with its hint and, when the form came back, its value and its error.
#[component]
pub fn TextArea(
    name: &'static str,
    label: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] value: Option<String>,
    #[prop(default = 5)] rows: u32,
) -> impl IntoView {
    let has_error = use_answer().error(name).is_some();
    let id = format!("field-{name}");
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label for=id.clone()>{label}</label>
            {hint.clone().map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {field_error_view(name)}
            <textarea
                id=id.clone()
                name=name
                rows=rows
                aria-describedby=described_by(name, hint.is_some(), has_error)
                aria-invalid=has_error.then_some("true")
            >
                {textarea_text(&shown_value(name, value))}
            </textarea>
        </div>
    }
}

/// A labelled list to choose one of `choices` (value, label) from, with its hint and, when the
/// form came back, its choice and its error. The first option asks for a choice.
#[component]
pub fn SelectField(
    name: &'static str,
    label: String,
    choices: Vec<(String, String)>,
    placeholder: String,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let has_error = use_answer().error(name).is_some();
    let chosen = shown_value(name, None);
    let id = format!("field-{name}");
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label for=id.clone()>{label}</label>
            {hint.clone().map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            {field_error_view(name)}
            <select
                id=id.clone()
                name=name
                aria-describedby=described_by(name, hint.is_some(), has_error)
                aria-invalid=has_error.then_some("true")
            >
                <option value="">{placeholder}</option>
                {choices
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = chosen == v;
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A set of radio buttons under a legend: `choices` are (value, label, hint).
#[component]
pub fn RadioGroup(
    name: &'static str,
    legend: String,
    choices: Vec<(&'static str, String, Option<String>)>,
    #[prop(optional)] hint: Option<String>,
    /// The choice checked when the form has not come back.
    #[prop(optional)]
    value: Option<String>,
) -> impl IntoView {
    let has_error = use_answer().error(name).is_some();
    let chosen = shown_value(name, value);
    let described = described_by(name, hint.is_some(), has_error);
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset
                class="fieldset"
                id=format!("field-{name}")
                aria-describedby=described
            >
                <legend>{legend}</legend>
                {hint.map(|h| view! { <p class="hint" id=format!("field-{name}-hint")>{h}</p> })}
                {field_error_view(name)}
                <div class="radios">
                    {choices
                        .into_iter()
                        .map(|(v, label, hint)| {
                            let id = format!("field-{name}-{v}");
                            let hint_id = format!("{id}-hint");
                            view! {
                                <div class="radio">
                                    <input
                                        type="radio"
                                        id=id.clone()
                                        name=name
                                        value=v
                                        checked=chosen == v
                                        aria-describedby=hint.as_ref().map(|_| hint_id.clone())
                                    />
                                    <label for=id>{label}</label>
                                    {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// Checkboxes under a legend, any number ticked (each sent as `name=value`): `choices` are
/// (value, label). When the form came back, those that were ticked are ticked again.
#[component]
pub fn CheckboxGroup(
    name: &'static str,
    legend: String,
    choices: Vec<(&'static str, String)>,
    #[prop(optional)] hint: Option<String>,
) -> impl IntoView {
    let answer = use_answer();
    let has_error = answer.error(name).is_some();
    let ticked: Vec<String> = answer
        .values
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect();
    let described = described_by(name, hint.is_some(), has_error);
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <fieldset
                class="fieldset"
                id=format!("field-{name}")
                aria-describedby=described
            >
                <legend>{legend}</legend>
                {hint.map(|h| view! { <p class="hint" id=format!("field-{name}-hint")>{h}</p> })}
                {field_error_view(name)}
                <div class="checkboxes">
                    {choices
                        .into_iter()
                        .map(|(v, label)| {
                            let id = format!("field-{name}-{v}");
                            view! {
                                <div class="checkbox">
                                    <input
                                        type="checkbox"
                                        id=id.clone()
                                        name=name
                                        value=v
                                        checked=ticked.iter().any(|t| t == v)
                                    />
                                    <label for=id>{label}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// One checkbox with its label (sent as `name=yes` when ticked); unticked unless `checked` or
/// the form came back ticked.
#[component]
pub fn Checkbox(
    name: &'static str,
    label: String,
    #[prop(optional)] hint: Option<String>,
    #[prop(optional)] checked: bool,
) -> impl IntoView {
    let answer = use_answer();
    let ticked = if answer.values.is_empty() {
        checked
    } else {
        !answer.value(name).is_empty()
    };
    let id = format!("field-{name}");
    view! {
        <div class="form-group checkbox">
            <input
                type="checkbox"
                id=id.clone()
                name=name
                value="yes"
                checked=ticked
                aria-describedby=hint.as_ref().map(|_| format!("{id}-hint"))
            />
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
        </div>
    }
}

/// A file input for photos (several at once). A browser never refills a file input: when the
/// form comes back, its hint says the photos must be chosen again.
#[component]
pub fn PhotoField(name: &'static str, label: String, hint: String) -> impl IntoView {
    let lang = use_lang();
    let answer = use_answer();
    let has_error = answer.error(name).is_some();
    let again = answer.has_errors().then(|| tr(lang, "form.photos_again"));
    let id = format!("field-{name}");
    view! {
        <div class="form-group" class:form-group--error=has_error>
            <label for=id.clone()>{label}</label>
            <p class="hint" id=format!("{id}-hint")>{hint} {again.map(|a| format!(" {a}"))}</p>
            {field_error_view(name)}
            <input
                type="file"
                id=id
                name=name
                accept="image/jpeg,image/png,image/webp"
                multiple
                aria-describedby=described_by(name, true, has_error)
                aria-invalid=has_error.then_some("true")
            />
        </div>
    }
}
