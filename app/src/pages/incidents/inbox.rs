//! `/inbox`: what awaits the signed-in person (new reports on the robots they operate, reports
//! to confirm, changes to their own reports) and every report they may see.

use super::ReportTable;
use crate::domain::incident::Inbox;
use crate::i18n::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn InboxPage() -> impl IntoView {
    let lang = use_lang();
    let inbox = use_context::<Inbox>().unwrap_or_default();
    let t = move |k: &str| tr(lang, &format!("inbox.{k}"));
    let nothing =
        inbox.new_reports.is_empty() && inbox.to_confirm.is_empty() && inbox.changes.is_empty();
    let part = move |key: &'static str, reports: Vec<crate::domain::incident::Summary>| {
        (!reports.is_empty()).then(|| {
            view! {
                <section class="card" aria-labelledby=format!("inbox-{key}")>
                    <h2 id=format!("inbox-{key}")>{t(key)} " (" {reports.len()} ")"</h2>
                    <ReportTable reports caption=t(key) />
                </section>
            }
        })
    };
    view! {
        <Title text=format!("{} · {}", t("title"), tr(lang, "site.name")) />
        <h1>{t("title")}</h1>
        {nothing.then(|| view! { <p>{t("nothing")}</p> })}
        {part("new_reports", inbox.new_reports.clone())}
        {part("to_confirm", inbox.to_confirm.clone())}
        {part("changes", inbox.changes.clone())}
        <section class="card" aria-labelledby="inbox-all">
            <h2 id="inbox-all">{t("all")}</h2>
            {if inbox.all.is_empty() {
                view! { <p>{t("none_yet")}</p> }.into_any()
            } else {
                view! { <ReportTable reports=inbox.all.clone() caption=t("all") /> }.into_any()
            }}
        </section>
    }
}
