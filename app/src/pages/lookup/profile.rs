//! `/r/{ID}`: the public profile, or why there is none (malformed, not registered).

use crate::components::status::GroupedId;
use crate::components::status::LabelVerdict;
use crate::components::status::StatusBanner;
use crate::domain::robot_id::ID_LEN;
use crate::domain::*;
use crate::i18n::words::id_error_message;
use crate::i18n::{tr, tr_with, use_lang};
use crate::islands::lookup::LookupBox;
use crate::request::redirect_to;
use crate::request::set_status;
use crate::server_fns::lookup_robot;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// What a label's signature segment may not carry unescaped into a redirect.
const TOKEN_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'.');

#[component]
pub fn ProfilePage() -> impl IntoView {
    let params = use_params_map();
    let raw = move || params.read().get("id").unwrap_or_default();
    // `/r/{ID}/{KID}.{SIG}`: the address a label opens.
    let token = params.read_untracked().get("sig");
    let unsigned = use_query_map().read_untracked().get("label").as_deref() == Some("unsigned");
    let lookup = Resource::new_blocking(
        move || RobotId::parse(&raw()).ok(),
        |id| async move {
            match id {
                Some(id) => lookup_robot(id.to_string()).await.map(Some),
                None => Ok(None),
            }
        },
    );
    move || {
        let raw = raw();
        match RobotId::parse(&raw) {
            Err(err) => {
                set_status(400);
                view! { <MalformedId raw=raw err=err /> }.into_any()
            }
            Ok(id) if id.as_str() != raw => {
                // One canonical address per robot: tidy the URL, keep everything else.
                let to = match &token {
                    Some(t) => format!(
                        "/r/{id}/{}",
                        percent_encoding::utf8_percent_encode(t, TOKEN_ESCAPES)
                    ),
                    None => format!("/r/{id}"),
                };
                redirect_to(&to, 308);
                view! { <p><a href=to>{id.display()}</a></p> }.into_any()
            }
            Ok(id) => {
                let verdict =
                    crate::request::label_verdict(&id, token.as_deref(), unsigned, use_lang());
                let labelled = verdict.is_some();
                let label = verdict
                    .map(|(kind, message)| view! { <LabelVerdict kind=kind message=message /> });
                view! {
                    {label}
                    <Suspense fallback=|| ()>
                        {move || {
                            let id = id.clone();
                            Suspend::new(async move {
                                match lookup.await {
                                    Ok(Some(Lookup::Found(p))) => view! { <Profile p=*p labelled=labelled /> }.into_any(),
                                    Ok(Some(Lookup::NotRegistered { suggestions, regulator_hotline })) => {
                                        set_status(404);
                                        view! {
                                            <NotRegistered
                                                id=id.clone()
                                                suggestions=suggestions
                                                hotline=regulator_hotline
                                            />
                                        }
                                            .into_any()
                                    }
                                    Ok(None) => ().into_any(),
                                    Err(_) => {
                                        set_status(503);
                                        view! { <Unavailable /> }.into_any()
                                    }
                                }
                            })
                        }}
                    </Suspense>
                }
                    .into_any()
            }
        }
    }
}

#[component]
fn Unavailable() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=tr(lang, "unavailable.title") />
        <section class="panel" role="alert">
            <h1>{tr(lang, "unavailable.title")}</h1>
            <p>{tr(lang, "unavailable.detail")}</p>
        </section>
    }
}

/// A row of a definition list, skipped when there is nothing to say.
fn row(label: String, value: Option<String>) -> impl IntoView {
    value.map(|v| {
        view! {
            <div class="row">
                <dt>{label}</dt>
                <dd>{v}</dd>
            </div>
        }
    })
}

fn list_of(lang: Lang, prefix: &str, items: &[String]) -> String {
    let sep = if lang == Lang::ZhCn { "、" } else { ", " };
    items
        .iter()
        .map(|i| tr(lang, &format!("{prefix}.{i}")))
        .collect::<Vec<_>>()
        .join(sep)
}

#[component]
fn Profile(
    p: Profile,
    /// Reached through a label whose verdict is shown above.
    labelled: bool,
) -> impl IntoView {
    let lang = use_lang();
    let status = p.status.as_str();
    let title = format!(
        "{} · {} · {}",
        tr(lang, &format!("status.{status}.title")),
        p.id_display,
        tr(lang, "site.name")
    );
    let description = format!(
        "{} {} — {}",
        p.manufacturer.name,
        p.model.name,
        tr(lang, &format!("status.{status}.title"))
    );
    let section = |key: &'static str| tr(lang, &format!("profile.{key}"));
    let yes_no = move |b: bool| tr(lang, if b { "common.yes" } else { "common.no" });
    let m = p.model.clone();
    view! {
        <Title text=title />
        <Meta name="description" content=description />
        <article class="profile" aria-labelledby="status-heading">
            <StatusBanner kind=status id_display=p.id_display.clone() />
            // A counterfeit label may link here without a signature; a phone's camera then opens
            // this plain page, so it says what a genuine label would have shown.
            {(!labelled).then(|| view! { <p class="label-hint">{tr(lang, "profile.label_hint")}</p> })}

            {(!p.open_recalls.is_empty()).then(|| view! {
                <section class="callout callout--recall" aria-labelledby="recall-heading">
                    <h2 id="recall-heading">{section("recalls")}</h2>
                    <ul>
                        {p.open_recalls.iter().map(|r| view! {
                            <li>
                                <strong>{tr(lang, &format!("hazard.{}", r.hazard))}</strong>
                                " — " {tr_with(lang, "profile.recall_line", &[
                                    ("reference", &r.reference),
                                    ("date", &r.issued_on),
                                    ("remedy", &tr(lang, &format!("remedy.{}", r.remedy))),
                                ])}
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            })}

            <section class="card" aria-labelledby="identity-heading">
                <h2 id="identity-heading">{section("identity")}</h2>
                <div class="identity">
                    <img class="drawing" src=format!("/robots/{}.svg", drawing_for(&m.robot_type)) alt=tr_with(lang, "profile.drawing_alt", &[("type", &tr(lang, &format!("robot_type.{}", m.robot_type)))]) width="96" height="128" />
                    <dl>
                        <div class="row">
                            <dt>{section("id")}</dt>
                            <dd><GroupedId display=p.id_display.clone() /></dd>
                        </div>
                        {row(section("manufacturer"), Some(format!("{} ({})", p.manufacturer.name, p.manufacturer.code)))}
                        {row(section("model"), Some(format!("{} · {}", m.name, m.code)))}
                        {row(section("type"), Some(tr(lang, &format!("robot_type.{}", m.robot_type))))}
                        {row(section("production_year"), Some(p.production_year.to_string()))}
                        {row(section("country"), Some(tr(lang, &format!("country.{}", p.country))))}
                        {row(section("figures"), Some(tr_with(lang, "profile.figures_value", &[
                            ("height", &m.height_cm.to_string()),
                            ("mass", &m.mass_kg.to_string()),
                            ("speed", &format!("{:.1}", m.max_speed_kmh)),
                            ("payload", &m.payload_kg.to_string()),
                            ("battery", &m.battery_wh.to_string()),
                            ("dof", &m.degrees_of_freedom.to_string()),
                        ])))}
                        {row(section("autonomy"), Some(tr(lang, &format!("autonomy.{}", m.autonomy_level))))}
                    </dl>
                </div>
            </section>

            <section class="card" aria-labelledby="operator-heading">
                <h2 id="operator-heading">{section("operator")}</h2>
                {match p.operator.clone() {
                    Some(op) => view! {
                        <div class="emergency">
                            <h3>{section("emergency")}</h3>
                            <p class="emergency-phone">
                                <a href=format!("tel:{}", op.emergency_contact.phone.replace(' ', ""))>{op.emergency_contact.phone.clone()}</a>
                            </p>
                            <p>{tr(lang, &format!("stop_method.{}", op.emergency_contact.stop_method))}</p>
                        </div>
                        <dl>
                            {row(section("operator_name"), Some(op.name.clone()))}
                            {row(section("phone"), op.phone.clone())}
                            {row(section("email"), op.email.clone())}
                        </dl>
                    }.into_any(),
                    None => view! { <p>{section("no_operator")}</p> }.into_any(),
                }}
            </section>

            <section class="card" aria-labelledby="role-heading">
                <h2 id="role-heading">{section("role")}</h2>
                {match p.permitted_role.clone() {
                    Some(r) => view! {
                        <dl>
                            {row(section("approved"), Some(list_of(lang, "role", &r.approved)))}
                            <div class="row not-approved">
                                <dt>{section("not_approved")}</dt>
                                <dd><span aria-hidden="true">"✕ "</span>{list_of(lang, "role", &r.not_approved)}</dd>
                            </div>
                            {row(section("indoor_only"), Some(yes_no(r.limits.indoor_only)))}
                            {row(section("supervised"), Some(yes_no(r.limits.supervised)))}
                            {row(section("max_speed"), r.limits.max_speed_kmh.map(|s| tr_with(lang, "profile.kmh", &[("speed", &format!("{s:.1}"))])))}
                            {row(section("hours"), r.limits.hours.clone())}
                        </dl>
                    }.into_any(),
                    None => view! { <p>{section("no_role")}</p> }.into_any(),
                }}
            </section>

            <section class=if p.last_inspection.as_ref().is_some_and(|i| i.overdue) { "card card--overdue" } else { "card" } aria-labelledby="inspection-heading">
                <h2 id="inspection-heading">{section("inspection")}</h2>
                {match p.last_inspection.clone() {
                    Some(i) => view! {
                        {i.overdue.then(|| view! {
                            <p class="overdue-note"><span aria-hidden="true">"⚠ "</span>{tr_with(lang, "profile.overdue_since", &[("date", &i.next_due)])}</p>
                        })}
                        <dl>
                            {row(section("inspected_on"), Some(i.date.clone()))}
                            {row(section("inspection_body"), Some(i.body.clone()))}
                            {row(section("result"), Some(tr(lang, &format!("result.{}", i.result))))}
                            {row(section("next_due"), Some(i.next_due.clone()))}
                        </dl>
                    }.into_any(),
                    None => view! { <p>{section("no_inspection")}</p> }.into_any(),
                }}
            </section>

            <section class="card" aria-labelledby="data-heading">
                <h2 id="data-heading">{section("data")}</h2>
                {match p.data_notice.clone() {
                    Some(d) => view! {
                        <dl>
                            {row(section("sensors"), Some(list_of(lang, "sensor", &d.sensors)))}
                            {row(section("purpose"), Some(tr(lang, &format!("purpose.{}", d.purpose))))}
                            {row(section("retention"), Some(tr_with(lang, "profile.days", &[("days", &d.retention_days.to_string())])))}
                            {row(section("storage"), Some(tr(lang, &format!("storage.{}", d.storage))))}
                            {row(section("controller"), Some(d.controller.clone()))}
                            {row(section("rights"), Some(d.rights_contact.clone()))}
                        </dl>
                    }.into_any(),
                    None => view! { <p>{section("no_data_notice")}</p> }.into_any(),
                }}
            </section>

            <section class="card" aria-labelledby="complaint-heading">
                <h2 id="complaint-heading">{section("complaint")}</h2>
                <dl>
                    {row(section("operator_complaints"), p.complaint_channel.operator_contact.clone())}
                    {row(section("regulator"), Some(p.complaint_channel.regulator.clone()))}
                    <div class="row">
                        <dt>{section("regulator_hotline")}</dt>
                        <dd><a href=format!("tel:{}", p.complaint_channel.regulator_hotline)>{p.complaint_channel.regulator_hotline.clone()}</a></dd>
                    </div>
                </dl>
                <p class="incident-count">
                    {match p.complaint_channel.confirmed_incidents_12m {
                        0 => tr(lang, "profile.incidents_none"),
                        1 => tr(lang, "profile.incidents_one"),
                        n => tr_with(lang, "profile.incidents_many", &[("count", &n.to_string())]),
                    }}
                </p>
                <p>
                    <a class="button button--secondary" href=format!("/incidents/new?robot={}", p.id.as_str())>
                        {section("report_problem")}
                    </a>
                </p>
                <p class="hint">{section("incident_form_note")}</p>
            </section>

            <section class="card" aria-labelledby="venue-heading">
                <h2 id="venue-heading">{section("venue")}</h2>
                {match p.venue.clone() {
                    Some(v) => view! {
                        <dl>
                            {row(section("venue_name"), Some(v.name.clone()))}
                            {row(section("venue_kind"), Some(tr(lang, &format!("venue_kind.{}", v.kind))))}
                            {row(section("address"), Some(format!("{}, {}", v.address, v.city)))}
                        </dl>
                        {v.slug.clone().map(|slug| view! {
                            <p><a href=format!("/v/{slug}")>{tr_with(lang, "profile.venue_page", &[("venue", &v.name)])}</a></p>
                        })}
                    }.into_any(),
                    None => view! { <p>{section("no_venue")}</p> }.into_any(),
                }}
                <p class="record-summary">{tr_with(lang, "profile.record_summary", &[
                    ("entries", &p.record.entries.to_string()),
                    ("date", p.record.last_updated.get(..10).unwrap_or(&p.record.last_updated)),
                ])}</p>
                <ul class="record-links">
                    <li><a href=format!("/provenance/{}", p.id.as_str())>{section("provenance_link")}</a></li>
                    <li><a href=format!("/filing/{}", p.id.as_str())>{section("filing_link")}</a></li>
                </ul>
            </section>
        </article>
    }
}

/// Which of the drawings in `public/robots/` fits a robot type.
fn drawing_for(robot_type: &str) -> &'static str {
    match robot_type {
        "industrial_humanoid" | "research" => "industrial",
        "delivery" | "cleaning" => "wheeled",
        _ => "humanoid",
    }
}

#[component]
fn NotRegistered(id: RobotId, suggestions: Vec<RobotId>, hotline: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=format!("{} · {}", tr(lang, "status.not_registered.title"), tr(lang, "site.name")) />
        <article class="profile">
            <StatusBanner kind="not_registered" id_display=id.display() />
            <section class="card" aria-labelledby="nr-heading">
                <h2 id="nr-heading">{tr(lang, "not_registered.meaning_title")}</h2>
                <p>{tr(lang, "not_registered.meaning")}</p>
                <p>
                    {tr(lang, "not_registered.report")} " "
                    <a href=format!("tel:{hotline}")>{hotline.clone()}</a>
                </p>
            </section>
            {(!suggestions.is_empty()).then(|| view! {
                <section class="card" aria-labelledby="suggest-heading">
                    <h2 id="suggest-heading">{tr(lang, "not_registered.suggestions")}</h2>
                    <ul class="suggestions">
                        {suggestions.iter().map(|s| view! {
                            <li><a href=format!("/r/{s}")><GroupedId display=s.display() /></a></li>
                        }).collect_view()}
                    </ul>
                </section>
            })}
            <section class="card">
                <h2>{tr(lang, "lookup.again")}</h2>
                <LookupBox value=id.display() />
            </section>
        </article>
    }
}

#[component]
fn MalformedId(raw: String, err: IdError) -> impl IntoView {
    let lang = use_lang();
    let message = id_error_message(lang, &err);
    // Put what was typed back in the box, to be corrected rather than typed again.
    let typed: String = raw.chars().take(300).collect();
    // Show what was typed, character by character, with the wrong one marked.
    let bad_at = err.position();
    let mut count = 0usize;
    let shown = raw
        .trim_matches(|c: char| c.is_ascii_whitespace())
        .chars()
        .take(80)
        .map(|c| {
            let counts = !crate::domain::robot_id::is_separator(c);
            if counts {
                count += 1;
            }
            let mark = counts && Some(count) == bad_at;
            let text = if c.is_control()
                || c.is_whitespace() && c != ' '
                || c as u32 >= 0x200B && c as u32 <= 0x206F
                || c == '\u{FEFF}'
            {
                format!("[U+{:04X}]", c as u32)
            } else {
                c.to_string()
            };
            if mark {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                view! { <span>{text}</span> }.into_any()
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} · {}", tr(lang, "status.malformed.title"), tr(lang, "site.name")) />
        <article class="profile">
            <StatusBanner kind="malformed" />
            <section class="card" aria-labelledby="what-heading">
                <h2 id="what-heading">{tr(lang, "malformed.what")}</h2>
                <p class="field-error" role="alert"><span aria-hidden="true">"⚠ "</span>{message}</p>
                <p class="typed"><span class="visually-hidden">{tr(lang, "malformed.you_typed")} " "</span><code translate="no">{shown}</code></p>
                <h3>{tr(lang, "malformed.shape_title")}</h3>
                <p>{tr_with(lang, "malformed.shape", &[("len", &ID_LEN.to_string())])}</p>
                <p class="id-shape" translate="no">
                    <span><b>"CN"</b><small>{tr(lang, "segment.country")}</small></span>
                    <span><b>"A1B2"</b><small>{tr(lang, "segment.manufacturer")}</small></span>
                    <span><b>"HX0001"</b><small>{tr(lang, "segment.model")}</small></span>
                    <span><b>"00000000000012345"</b><small>{tr(lang, "segment.serial")}</small></span>
                </p>
            </section>
            <section class="card">
                <h2>{tr(lang, "lookup.again")}</h2>
                <LookupBox value=typed />
            </section>
        </article>
    }
}
