//! `/filing/{ID}`: what the signed-in person may file for a robot now (by the roles they hold
//! and the record's rules), and a plain form for each kind, posted to the server
//! (`server::routes::filing_page`), which files it through the same checks as the API.

use crate::components::form::{
    form_title, CheckboxGroup, ErrorSummary, RadioGroup, SelectField, TextArea, TextField,
};
use crate::domain::filing::{fields, Correcting, Field, Input, Page};
use crate::domain::record::EntryKind;
use crate::i18n::{tr, tr_with, use_lang};
use crate::pages::incidents::named;
use leptos::prelude::*;
use leptos_meta::Title;

fn t(key: &str) -> String {
    tr(use_lang(), &format!("filing.{key}"))
}

/// A field's label: the words the provenance report uses for the same detail.
fn label(name: &str) -> String {
    if crate::domain::filing::is_joint(name) {
        tr_with(
            use_lang(),
            "filing.joint_wear",
            &[("joint", &named("joint", name))],
        )
    } else {
        tr(use_lang(), &format!("provenance.field.{name}"))
    }
}

fn input(field: Field, page: &Page) -> AnyView {
    let name = field.name;
    // A permitted role's hours are when it works, not how long it has worked.
    let label = |name: &str| {
        if name == "hours" && page.kind.as_deref() == Some("profile_updated") {
            t("operating_hours")
        } else {
            label(name)
        }
    };
    let hint = {
        let key = format!("filing.hint.{name}");
        let text = tr(use_lang(), &key);
        (text != key).then_some(text)
    };
    let optional = |l: String| {
        if field.required {
            l
        } else {
            format!("{l} {}", t("optional"))
        }
    };
    let choices = |list: &[(i64, String)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect()
    };
    let kind = if field.input == Input::Date {
        "date"
    } else {
        "text"
    };
    match field.input {
        Input::Text | Input::Number { .. } | Input::Date => match hint {
            Some(hint) => {
                view! { <TextField name label=optional(label(name)) kind hint /> }.into_any()
            }
            None => view! { <TextField name label=optional(label(name)) kind /> }.into_any(),
        },
        Input::LongText => {
            view! { <TextArea name label=optional(label(name)) rows=3 /> }.into_any()
        }
        Input::Choices(family, names) => {
            let list = names.iter().map(|n| (*n, named(family, n))).collect();
            view! { <CheckboxGroup name legend=label(name) choices=list /> }.into_any()
        }
        Input::YesNo => {
            let list = vec![("yes", t("yes"), None), ("no", t("no"), None)];
            view! { <RadioGroup name legend=label(name) choices=list /> }.into_any()
        }
        Input::Choice(family, names) => {
            let list = names.iter().map(|n| (*n, named(family, n), None)).collect();
            view! { <RadioGroup name legend=label(name) choices=list /> }.into_any()
        }
        Input::Venue | Input::Organisation | Input::Operator | Input::Recall => {
            let list = match field.input {
                Input::Venue => choices(&page.venues),
                Input::Operator => choices(&page.operators),
                Input::Recall => choices(&page.recalls),
                _ => choices(&page.organisations),
            };
            view! { <SelectField name label=label(name) choices=list placeholder=t("choose") /> }
                .into_any()
        }
    }
}

/// For the robot's owner or operator: who is engaged on it now (each may be let go), and a
/// form to engage a service provider or recycler, who may then file for it.
fn engagements(page: &Page) -> impl IntoView {
    let lang = use_lang();
    let id = page.robot_id.clone();
    let done = page.engagement_done.clone().map(|d| {
        view! {
            <div class="callout callout--done" role="status">
                <p>{t(&format!("engagement_{d}"))}</p>
            </div>
        }
    });
    let list = if page.engaged.is_empty() {
        view! { <p>{t("nobody_engaged")}</p> }.into_any()
    } else {
        let rows = page
            .engaged
            .iter()
            .map(|(org, name)| {
                let label = t("end_engagement");
                let about = format!("{label}: {name}");
                view! {
                    <li>
                        {name.clone()} " "
                        <form method="post" action=format!("/filing/{id}/engagements/{org}/end") class="inline-form">
                            <button type="submit" class="button button--secondary" aria-label=about>{label}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="plain-list">{rows}</ul> }.into_any()
    };
    let choices: Vec<(String, String)> = page
        .engageable
        .iter()
        .map(|(org, name)| (org.to_string(), name.clone()))
        .collect();
    view! {
        <section class="card" aria-labelledby="engagements">
            <h2 id="engagements">{tr(lang, "filing.engagements")}</h2>
            <p>{t("engagements_intro")}</p>
            {done}
            {list}
            <form method="post" action=format!("/filing/{}/engagements", page.robot_id) class="form">
                <SelectField name="org" label=t("engage_whom") choices placeholder=t("choose") />
                <button type="submit" class="button">{t("engage")}</button>
            </form>
        </section>
    }
}

/// The entries the signed-in person may put right, newest first, each with a link to its
/// correction's form.
fn corrections(page: &Page) -> impl IntoView {
    let id = page.robot_id.clone();
    let rows = page
        .corrections
        .iter()
        .map(|c| {
            let kind = named("entry_kind", &c.kind);
            let about = tr_with(
                use_lang(),
                "filing.correct_entry",
                &[("kind", &kind), ("date", &c.occurred_on)],
            );
            let current = page.correcting.as_ref().is_some_and(|x| x.entry.seq == c.seq);
            view! {
                <tr>
                    <td>{c.occurred_on.clone()}</td>
                    <td>{kind}</td>
                    <td>
                        <a href=format!("/filing/{id}?correct={}#correction", c.seq) aria-label=about aria-current=current.then_some("page")>
                            {t("correct")}
                        </a>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="corrections">
            <h2 id="corrections">{t("corrections")}</h2>
            <p>{t("corrections_intro")}</p>
            <table class="table">
                <caption class="visually-hidden">{t("corrections")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("entry_date")}</th>
                        <th scope="col">{t("entry")}</th>
                        <th scope="col">{t("action")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// The correction of one entry: its fields filled with what it says now (the server hands
/// them to the form), the day it happened, and why it is corrected.
fn correction_form(page: &Page, c: &Correcting) -> Option<impl IntoView> {
    let kind = EntryKind::from_name(&c.entry.kind)?;
    let lang = use_lang();
    let title = tr_with(
        lang,
        "filing.correcting",
        &[
            ("kind", &named("entry_kind", kind.as_str())),
            ("date", &c.entry.occurred_on),
        ],
    );
    let list = fields(kind)
        .into_iter()
        .map(|f| input(f, page))
        .collect_view();
    Some(view! {
        <form method="post" action=format!("/filing/{}", page.robot_id) class="form card" id="correction">
            <h2>{title}</h2>
            <p>{t("correction_hint")}</p>
            <input type="hidden" name="kind" value="correction" />
            <input type="hidden" name="corrects" value=c.entry.seq.to_string() />
            <input type="hidden" name="corrected_kind" value=kind.as_str() />
            <input type="hidden" name="original_on" value=c.entry.occurred_on.clone() />
            <TextField name="occurred_on" label=t("occurred_on") kind="date" hint=t("occurred_on_hint") />
            {list}
            <TextArea name="reason" label=t("correction_reason") hint=t("correction_reason_hint") rows=2 />
            <button type="submit" class="button">{t("file_correction")}</button>
        </form>
    })
}

#[component]
pub fn FilingPage() -> impl IntoView {
    let lang = use_lang();
    let page = use_context::<Page>().unwrap_or_default();
    let title = tr_with(lang, "filing.title", &[("id", &page.robot_id)]);
    let id = page.robot_id.clone();
    let done = page.done.clone().map(|kind| {
        view! {
            <div class="callout callout--done" role="status">
                <p>{tr_with(lang, "filing.done", &[("kind", &named("entry_kind", &kind))])}</p>
                <p><a href=format!("/r/{id}")>{t("see_profile")}</a></p>
            </div>
        }
    });
    let kinds = page
        .allowed
        .iter()
        .map(|k| {
            let current = page.kind.as_deref() == Some(k.as_str());
            view! {
                <li>
                    <a href=format!("/filing/{}?kind={k}", page.robot_id) aria-current=current.then_some("page")>
                        {named("entry_kind", k)}
                    </a>
                </li>
            }
        })
        .collect_view();
    let form = page.kind.clone().and_then(|k| EntryKind::from_name(&k)).map(|kind| {
        let today = page.today.clone();
        let list = fields(kind).into_iter().map(|f| input(f, &page)).collect_view();
        view! {
            <form method="post" action=format!("/filing/{}", page.robot_id) class="form card">
                <h2>{named("entry_kind", kind.as_str())}</h2>
                <input type="hidden" name="kind" value=kind.as_str() />
                <TextField name="occurred_on" label=t("occurred_on") kind="date" hint=t("occurred_on_hint") value=today />
                {(kind == EntryKind::ProfileUpdated).then(|| view! { <p>{t("profile_hint")}</p> })}
                {list}
                <button type="submit" class="button">{t("submit")}</button>
            </form>
        }
    });
    let nothing = (page.allowed.is_empty() && page.corrections.is_empty())
        .then(|| view! { <p>{t("none_allowed")}</p> });
    view! {
        <Title text=form_title(&title) />
        <ErrorSummary />
        {done}
        <h1>{title}</h1>
        <p>{page.model.clone()}</p>
        <p>{t("intro")}</p>
        {nothing}
        <nav aria-label=t("kinds")>
            <ul class="kinds">{kinds}</ul>
        </nav>
        {form}
        {page.correcting.as_ref().and_then(|c| correction_form(&page, c))}
        {(!page.corrections.is_empty()).then(|| corrections(&page))}
        {page.engages.then(|| engagements(&page))}
    }
}
