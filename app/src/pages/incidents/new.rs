//! `/incidents/new?robot={ID}`: report a problem with a robot. A plain multipart POST that
//! works without JavaScript; when something must be put right the form comes back with every
//! value kept (photos must be chosen again: no browser refills a file field).

use super::{word, NewReport};
use crate::components::form::{
    form_title, Checkbox, ErrorSummary, PhotoField, RadioGroup, TextArea, TextField,
};
use crate::domain::incident::MAX_PHOTOS;
use crate::domain::vocabulary::{ContactPreference, IncidentCategory, Severity, Word};
use crate::i18n::{tr, tr_with, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewReportPage() -> impl IntoView {
    let lang = use_lang();
    let page = use_context::<NewReport>().unwrap_or_default();
    let t = move |k: &str| tr(lang, &format!("incident.new.{k}"));
    let robot_text = page
        .robot
        .as_ref()
        .map_or(page.robot_text.clone(), |r| r.robot_id.clone());
    let categories = IncidentCategory::all()
        .iter()
        .map(|c| (c.name(), word(*c), None))
        .collect::<Vec<_>>();
    let severities = Severity::all()
        .iter()
        .map(|s| {
            let hint = tr(lang, &format!("incident.severity_hint.{}", s.name()));
            (s.name(), word(*s), Some(hint))
        })
        .collect::<Vec<_>>();
    let contacts = ContactPreference::all()
        .iter()
        .map(|c| (c.name(), word(*c), None))
        .collect::<Vec<_>>();
    view! {
        <Title text=form_title(&t("title")) />
        <ErrorSummary />
        <h1>{t("title")}</h1>
        {page.robot.clone().map(|r| view! {
            <p class="lead">
                {tr_with(lang, "incident.new.about", &[("model", &r.model_name)])} " "
                <a href=format!("/r/{}", r.robot_id)><code>{r.robot_id.clone()}</code></a>
            </p>
        })}
        <p>{t("intro")}</p>
        <form class="form" method="post" action="/incidents/new" enctype="multipart/form-data" novalidate>
            <TextField name="robot" label=t("robot") hint=t("robot_hint") value=robot_text />
            <TextField
                name="occurred_at"
                label=t("occurred_at")
                kind="datetime-local"
                hint=t("occurred_at_hint")
            />
            <TextField
                name="place"
                label=t("place")
                hint=t("place_hint")
                value=page.robot.as_ref().and_then(|r| r.venue.clone()).unwrap_or_default()
            />
            <RadioGroup name="category" legend=t("category") choices=categories />
            <RadioGroup name="severity" legend=t("severity") choices=severities />
            <Checkbox name="near_miss" label=t("near_miss") hint=t("near_miss_hint") />
            <TextArea name="description" label=t("description") hint=t("description_hint") rows=8 />
            <PhotoField
                name="photos"
                label=t("photos")
                hint=tr_with(lang, "incident.new.photos_hint", &[("max", &MAX_PHOTOS.to_string())])
            />
            <RadioGroup
                name="contact_preference"
                legend=t("contact_preference")
                choices=contacts
                value="email".to_string()
            />
            <TextField name="phone" label=t("phone") kind="tel" autocomplete="tel" hint=t("phone_hint") />
            <Checkbox name="share_contact" label=t("share_contact") hint=t("share_contact_hint") />
            <button type="submit" class="button">{t("submit")}</button>
        </form>
    }
}
