//! `/incidents/{REF}`: one report as the reader may see it, its history and photos, and the
//! forms for what the reader may do: add information (the reporter), move it on (the robot's
//! operator), confirm it into the robot's record (a regulator). Every form is a plain POST.

use super::{word, Done};
use crate::components::form::{form_title, ErrorSummary, PhotoField, RadioGroup, TextArea};
use crate::domain::incident::{Actor, Report, MAX_PHOTOS};
use crate::domain::vocabulary::Word;
use crate::i18n::{tr, tr_with, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ReportPage() -> impl IntoView {
    let lang = use_lang();
    let Some(r) = use_context::<Report>() else {
        return view! { <crate::pages::not_found::NotFoundPage /> }.into_any();
    };
    let done = use_context::<Done>().unwrap_or_default().0;
    let t = move |k: &str| tr(lang, &format!("incident.{k}"));
    let title = tr_with(lang, "incident.page_title", &[("reference", &r.reference)]);
    let yes_no = move |b: bool| t(if b { "yes" } else { "no" });
    let row = |label: String, value: String| {
        view! {
            <div class="row">
                <dt>{label}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let notice = (!done.is_empty()).then(|| {
        let key = format!("incident.done.{done}");
        let text = tr_with(lang, &key, &[("reference", &r.reference)]);
        // An unknown `done` says nothing rather than a key.
        (text != key).then(|| {
            view! {
                <div class="callout callout--done" role="status">
                    <p>{text}</p>
                </div>
            }
        })
    });
    let steps = r.may.steps;
    let reference = r.reference.clone();
    view! {
        <Title text=form_title(&title) />
        <ErrorSummary />
        {notice}
        <h1>{title.clone()}</h1>
        <p class="report-status">
            <strong>{t("status")}": "</strong>{word(r.status)}
            {r.confirmed_at.clone().map(|at| view! {
                " · " <strong>{tr_with(lang, "incident.confirmed_on", &[("date", &at)])}</strong>
            })}
        </p>
        <section class="card" aria-labelledby="report-details">
            <h2 id="report-details">{t("details")}</h2>
            <dl>
                <div class="row">
                    <dt>{t("robot")}</dt>
                    <dd><a href=format!("/r/{}", r.robot_id)><code>{r.robot_id.clone()}</code></a> " (" {r.model_name.clone()} ")"</dd>
                </div>
                {r.operator_name.clone().map(|o| row(t("operator"), o))}
                {row(t("occurred_at"), r.occurred_at.clone())}
                {row(t("place"), r.place.clone())}
                {row(t("category"), word(r.category))}
                {row(t("severity"), word(r.severity))}
                {row(t("near_miss"), yes_no(r.near_miss))}
                <div class="row">
                    <dt>{t("description")}</dt>
                    <dd class="prose">{r.description.clone()}</dd>
                </div>
                {row(t("submitted"), r.created_at.clone())}
            </dl>
        </section>
        {r.reporter.clone().map(|p| view! {
            <section class="card" aria-labelledby="report-reporter">
                <h2 id="report-reporter">{t("reporter")}</h2>
                <dl>
                    {row(t("reporter_name"), p.name.clone())}
                    <div class="row">
                        <dt>{t("reporter_email")}</dt>
                        <dd><a href=format!("mailto:{}", p.email)>{p.email.clone()}</a></dd>
                    </div>
                    {p.phone.clone().map(|ph| row(t("reporter_phone"), ph))}
                    {row(t("contact_preference"), tr(lang, &format!("contact_preference.{}", r.contact_preference)))}
                    {row(t("share_contact"), yes_no(r.share_contact))}
                </dl>
            </section>
        })}
        <section class="card" aria-labelledby="report-history">
            <h2 id="report-history">{t("history")}</h2>
            <ol class="history">
                {r.events.iter().map(|e| {
                    let by = match &e.by {
                        Actor::Reporter(Some(name)) => tr_with(lang, "incident.by_reporter_named", &[("name", name)]),
                        Actor::Reporter(None) => t("by_reporter"),
                        Actor::Organisation { person, org } => tr_with(lang, "incident.by_org", &[("person", person), ("org", org)]),
                    };
                    let reference = reference.clone();
                    view! {
                        <li>
                            <p>
                                <strong>{word(e.kind)}</strong>
                                " · " <time>{e.at.clone()}</time>
                                " · " {by}
                            </p>
                            {(!e.note.is_empty()).then(|| view! { <p class="prose">{e.note.clone()}</p> })}
                            {(!e.photos.is_empty()).then(|| view! {
                                <ul class="photos">
                                    {e.photos.iter().enumerate().map(|(i, id)| {
                                        let src = format!("/incidents/{reference}/photos/{id}");
                                        let href = src.clone();
                                        let alt = tr_with(lang, "incident.photo_alt", &[("n", &(i + 1).to_string())]);
                                        view! {
                                            <li><a href=href><img src=src alt=alt loading="lazy" width="240" /></a></li>
                                        }
                                    }).collect_view()}
                                </ul>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
        {r.may.add.then(|| view! {
            <section class="card" aria-labelledby="report-add">
                <h2 id="report-add">{t("add.title")}</h2>
                <form class="form" method="post" action=format!("/incidents/{}/add", r.reference) enctype="multipart/form-data" novalidate>
                    <TextArea name="note" label=t("add.note") hint=t("add.note_hint") />
                    <PhotoField
                        name="photos"
                        label=t("new.photos")
                        hint=tr_with(lang, "incident.new.photos_hint", &[("max", &MAX_PHOTOS.to_string())])
                    />
                    <button type="submit" class="button">{t("add.submit")}</button>
                </form>
            </section>
        })}
        {(!steps.is_empty()).then(|| {
            let choices = steps
                .iter()
                .map(|s| (s.name(), tr(lang, &format!("incident.step.{}", s.name())), None))
                .collect::<Vec<_>>();
            view! {
                <section class="card" aria-labelledby="report-step">
                    <h2 id="report-step">{t("step.title")}</h2>
                    <form class="form" method="post" action=format!("/incidents/{}/step", r.reference) novalidate>
                        <RadioGroup name="to" legend=t("step.to") choices=choices value=steps[0].name().to_string() />
                        <TextArea name="note" label=t("step.note") hint=t("step.note_hint") />
                        <button type="submit" class="button">{t("step.submit")}</button>
                    </form>
                </section>
            }
        })}
        {r.may.confirm.then(|| view! {
            <section class="card" aria-labelledby="report-confirm">
                <h2 id="report-confirm">{t("confirm.title")}</h2>
                <p>{t("confirm.intro")}</p>
                <form class="form" method="post" action=format!("/incidents/{}/confirm", r.reference) novalidate>
                    <TextArea name="confirm_note" label=t("confirm.note") rows=3 />
                    <button type="submit" class="button">{t("confirm.submit")}</button>
                </form>
            </section>
        })}
        <p><a href="/inbox">{t("back_to_inbox")}</a></p>
    }
    .into_any()
}
