//! `/verify`: what each code means, before anything else is shown.

use super::{SubmittedCodes, MAX_CODES};
use crate::components::status::verdict_icon;
use crate::domain::Lang;
use crate::i18n::{tr, use_lang};
use crate::request::redirect_to;
use leptos::prelude::*;
use leptos_meta::Title;

/// One code's verdict, ready to show.
#[derive(Clone, Debug)]
struct Shown {
    kind: &'static str,
    found: String,
    message: String,
    profile: Option<String>,
    /// The ID inside a code that points elsewhere, to look up here instead.
    inner_id: Option<String>,
    host: Option<String>,
}

#[cfg(feature = "ssr")]
fn judge_all(codes: &[String], lang: Lang) -> Vec<Shown> {
    use crate::domain::verdict::Verdict;
    use crate::i18n::verdict::finding;
    let Some(registry) = use_context::<registry::Registry>() else {
        return Vec::new();
    };
    codes
        .iter()
        .map(|c| {
            let f = finding(c, registry.hosts(), registry.keys(), lang);
            let (inner_id, host) = match &f.verdict {
                Verdict::ForeignHost { host, id } => (id.clone(), Some(host.clone())),
                _ => (None, None),
            };
            Shown {
                kind: f.verdict.kind(),
                found: f.found,
                message: f.message,
                profile: f.profile,
                inner_id,
                host,
            }
        })
        .collect()
}

#[cfg(not(feature = "ssr"))]
fn judge_all(_: &[String], _: Lang) -> Vec<Shown> {
    Vec::new()
}

/// The `code` values of this request's query, decoded exactly once (a code's own `%2F` must
/// stay as it is: decoding it again could turn a foreign link into one that looks like ours).
fn submitted_codes() -> Vec<String> {
    if let Some(SubmittedCodes(codes)) = use_context::<SubmittedCodes>() {
        return codes;
    }
    crate::request::query_values("code")
}

/// `/verify?code=…` (one or more): where the typed form, the photo upload and the camera land.
/// A code with a robot behind it on this registry goes on to the profile, which shows the
/// label's verdict on top; a code pointing elsewhere stops here.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let lang = use_lang();
    let codes: Vec<String> = submitted_codes()
        .into_iter()
        .filter(|c| !c.trim().is_empty())
        .take(MAX_CODES)
        .collect();
    if codes.is_empty() {
        redirect_to("/scan", 303);
        return ().into_any();
    }
    let shown = judge_all(&codes, lang);
    if let [only] = shown.as_slice() {
        if let Some(next) = &only.profile {
            redirect_to(next, 303);
            return ().into_any();
        }
    }
    let title = if shown.len() == 1 {
        tr(lang, &format!("verdict.title.{}", shown[0].kind))
    } else {
        tr(lang, "verify.title_many")
    };
    view! {
        <Title text=format!("{title} · {}", tr(lang, "site.name")) />
        {(shown.len() > 1).then(|| view! {
            <section class="hero" aria-labelledby="verify-heading">
                <h1 id="verify-heading">{tr(lang, "verify.title_many")}</h1>
                <p class="lead">{tr(lang, "verify.intro_many")}</p>
            </section>
        })}
        <ol class="verdicts" role="list">
            {shown
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, s)| view! { <li><VerdictCard s=s index=i heading=shown.len() == 1 /></li> })
                .collect_view()}
        </ol>
        <p><a href="/scan">{tr(lang, "verify.scan_again")}</a></p>
    }
    .into_any()
}

#[component]
fn VerdictCard(s: Shown, index: usize, heading: bool) -> impl IntoView {
    let lang = use_lang();
    let title_id = format!("verdict-{index}");
    let title = tr(lang, &format!("verdict.title.{}", s.kind));
    let title_view = if heading {
        view! { <h1 id=title_id.clone()>{title}</h1> }.into_any()
    } else {
        view! { <h2 id=title_id.clone()>{title}</h2> }.into_any()
    };
    view! {
        <section
            class=format!("verdict verdict--{}", s.kind)
            aria-labelledby=title_id
            data-verdict=s.kind
        >
            {verdict_icon(s.kind)}
            <div>
                {title_view}
                <p class="verdict-message">{s.message}</p>
                <p class="verdict-found">
                    {tr(lang, "verify.found")} " " <code translate="no">{s.found}</code>
                </p>
                {s.host.map(|h| view! { <p class="verdict-host">{tr(lang, "verify.host")} " " <strong translate="no">{h}</strong></p> })}
                {s.profile.map(|p| view! { <p><a class="button" href=p>{tr(lang, "verify.open_profile")}</a></p> })}
                {s.inner_id.map(|id| view! {
                    <p><a class="button" href=format!("/r/{id}")>{tr(lang, "verify.lookup_inner")} " " <span translate="no">{id.clone()}</span></a></p>
                })}
            </div>
        </section>
    }
}
