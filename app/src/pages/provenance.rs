//! `/provenance/{ID}`: the provenance report a used-robot buyer reads before paying. The
//! server opens it (deciding who may: a regulator, the owner, or the holder of a share code)
//! and hands it to this page in its context (`server::routes::provenance`); without a right to
//! it, the page asks for the owner's share code. Red flags first, then the summary, the
//! condition with small charts drawn here as SVG (no chart library, nothing in the wasm), and
//! the whole timeline. Print-ready: the printed copy carries the robot ID, the time and the
//! chain's head hash. The owner also issues and revokes codes here; the owner and regulators
//! read who opened the report.

use crate::components::form::{form_title, ErrorSummary, TextField};
use crate::domain::provenance::{
    day_number, Page, Period, Reading, RedFlag, Report, Summary as ReportSummary, TimelineEntry,
};
use crate::i18n::{tr, tr_with, use_lang};
use crate::pages::incidents::named;
use leptos::prelude::*;
use leptos_meta::Title;
use std::fmt::Write;
use std::sync::Arc;

fn t(key: &str) -> String {
    tr(use_lang(), &format!("provenance.{key}"))
}

#[component]
pub fn ProvenancePage() -> impl IntoView {
    let lang = use_lang();
    let page = use_context::<Page>().unwrap_or_default();
    let title = tr_with(lang, "provenance.page_title", &[("id", &page.robot_id)]);
    let body = match page.report.clone() {
        Some(report) => view! { <ReportView report page=page.clone() /> }.into_any(),
        None => view! { <CodeForm robot_id=page.robot_id.clone() /> }.into_any(),
    };
    let done = (page.done.as_deref() == Some("revoked")).then(|| {
        view! {
            <div class="callout callout--done" role="status">
                <p>{t("revoked")}</p>
            </div>
        }
    });
    view! {
        <Title text=form_title(&title) />
        <ErrorSummary />
        {done}
        <h1>{title}</h1>
        {body}
    }
}

/// The form a buyer opens the report with: the owner's share code, posted (never in the
/// address, where it would be kept in histories and logs).
#[component]
fn CodeForm(robot_id: String) -> impl IntoView {
    view! {
        <p>{t("intro")}</p>
        <form method="post" action=format!("/provenance/{robot_id}") class="card">
            <TextField
                name="share_code"
                label=t("code_label")
                hint=t("code_hint")
                autocomplete="off"
            />
            <button type="submit" class="button">{t("open")}</button>
        </form>
    }
}

#[component]
fn ReportView(report: Arc<Report>, page: Page) -> impl IntoView {
    let lang = use_lang();
    let r = report;
    let chain = if r.chain.intact {
        view! {
            <div class="callout callout--done chain" role="status">
                <p>
                    <span aria-hidden="true">"✔ "</span>
                    {tr_with(lang, "provenance.chain_intact", &[("entries", &r.chain.entries.to_string())])}
                </p>
            </div>
        }
        .into_any()
    } else {
        let entry = r.chain.broken_entry.unwrap_or_default().to_string();
        let how = t(&format!(
            "break.{}",
            r.chain.break_kind.clone().unwrap_or_default()
        ));
        view! {
            <div class="callout callout--problem chain" role="alert">
                <p>
                    <span aria-hidden="true">"✖ "</span>
                    {tr_with(lang, "provenance.chain_broken", &[("entry", &entry), ("how", &how)])}
                </p>
            </div>
        }
        .into_any()
    };
    let facts = [
        (t("robot"), r.robot_id.clone()),
        (t("model"), r.model.clone()),
        (t("manufacturer"), r.manufacturer.clone()),
        (t("serial"), r.serial.clone()),
        (t("production_year"), r.production_year.to_string()),
        (
            t("status"),
            tr(lang, &format!("status.{}.title", r.status.as_str())),
        ),
    ];
    view! {
        <p class="print-only print-stamp">
            {tr_with(lang, "provenance.printed", &[("id", &r.robot_id), ("at", &r.generated_at), ("head", &r.chain.head)])}
        </p>
        {chain}
        <section class="card" aria-labelledby="prov-flags">
            <h2 id="prov-flags">{t("red_flags")}</h2>
            <Flags flags=r.red_flags.clone() />
        </section>
        <section class="card" aria-labelledby="prov-robot">
            <h2 id="prov-robot">{t("the_robot")}</h2>
            <dl>
                {facts.into_iter().map(|(k, v)| view! { <div class="row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
                <div class="row">
                    <dt>{t("generated")}</dt>
                    <dd>{r.generated_at.clone()}</dd>
                </div>
                <div class="row">
                    <dt>{t("head")}</dt>
                    <dd><code class="hash">{r.chain.head.clone()}</code></dd>
                </div>
            </dl>
        </section>
        <Summary summary=r.summary.clone() />
        <Condition report=r.clone() />
        <Timeline report=r.clone() />
        <OwnerTools page />
    }
}

/// The red flags, each in words with a mark (never colour alone), or that there are none.
#[component]
fn Flags(flags: Vec<RedFlag>) -> impl IntoView {
    let lang = use_lang();
    if flags.is_empty() {
        return view! { <p class="no-flags"><span aria-hidden="true">"✔ "</span>{t("no_red_flags")}</p> }
            .into_any();
    }
    let items = flags
        .into_iter()
        .map(|f| {
            let kind = serde_json::to_value(f.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let args = [
                ("since", f.since.clone().unwrap_or_default()),
                ("count", f.count.map(|c| c.to_string()).unwrap_or_default()),
                ("detail", f.detail.clone().unwrap_or_default()),
            ];
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            view! {
                <li class="flag">
                    <span class="flag-mark" aria-hidden="true">"⚠"</span>
                    <strong>{tr(lang, &format!("provenance.flag.{kind}.title"))}</strong>
                    " "
                    {tr_with(lang, &format!("provenance.flag.{kind}.text"), &args)}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="flags">{items}</ul> }.into_any()
}

fn periods(caption: String, list: Vec<Period>) -> impl IntoView {
    let lang = use_lang();
    (!list.is_empty()).then(|| {
        let rows = list
            .into_iter()
            .map(|p| {
                let to = p.to.clone().unwrap_or_else(|| tr(lang, "provenance.now"));
                view! { <tr><td>{p.name}</td><td>{p.from}</td><td>{to}</td></tr> }
            })
            .collect_view();
        view! {
            <table class="periods">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("who")}</th>
                        <th scope="col">{t("from")}</th>
                        <th scope="col">{t("to")}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    })
}

#[component]
fn Summary(summary: ReportSummary) -> impl IntoView {
    let s = summary;
    let none = || t("none");
    let firmware = match (&s.firmware, &s.model_firmware) {
        (Some(f), Some(m)) if f != m => tr_with(
            use_lang(),
            "provenance.firmware_of",
            &[("installed", f), ("newest", m)],
        ),
        (Some(f), _) => f.clone(),
        _ => none(),
    };
    let rows = [
        (t("years_in_service"), format!("{:.1}", s.years_in_service)),
        (t("inspections"), s.inspections.to_string()),
        (
            t("last_inspection"),
            s.last_inspection.clone().unwrap_or_else(none),
        ),
        (t("part_replacements"), s.part_replacements.to_string()),
        (t("firmware"), firmware),
    ];
    view! {
        <section class="card" aria-labelledby="prov-summary">
            <h2 id="prov-summary">{t("summary")}</h2>
            <dl>
                {rows.into_iter().map(|(k, v)| view! { <div class="row"><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}
            </dl>
            {periods(t("owners"), s.owners)}
            {periods(t("lessees"), s.lessees)}
            {periods(t("venues"), s.venues)}
        </section>
    }
}

/// A small line chart of readings over time, drawn as SVG on the server; the same readings
/// follow in a table for those who would rather read them.
#[component]
fn Chart(
    title: String,
    series: Vec<(String, Vec<Reading>)>,
    max: f64,
    unit: &'static str,
) -> impl IntoView {
    const W: f64 = 640.0;
    const H: f64 = 200.0;
    const PAD: f64 = 36.0;
    let days: Vec<i64> = series
        .iter()
        .flat_map(|(_, r)| r.iter().filter_map(|x| day_number(&x.at)))
        .collect();
    let (first, last) = (
        days.iter().copied().min().unwrap_or(0),
        days.iter().copied().max().unwrap_or(1),
    );
    let span = (last - first).max(1) as f64;
    let x = move |at: &str| {
        PAD + (day_number(at).unwrap_or(first) - first) as f64 / span * (W - 2.0 * PAD)
    };
    let y = move |v: f64| H - PAD / 2.0 - (v / max).clamp(0.0, 1.0) * (H - PAD);
    let styles = ["solid", "6 3", "2 3", "10 4 2 4", "1 2", "8 2"];
    // The lines and their dots, written into one string (a view per dot cost more than the
    // rest of the chart); nothing goes in but numbers and this function's own tags.
    let mut marks = String::with_capacity(series.iter().map(|(_, r)| r.len() * 96).sum());
    for (i, (_, readings)) in series.iter().enumerate() {
        let dash = styles[i % styles.len()];
        marks.push_str("<path d=\"");
        for (k, r) in readings.iter().enumerate() {
            marks.push(if k == 0 { 'M' } else { 'L' });
            push_tenths(&mut marks, x(&r.at));
            marks.push(',');
            push_tenths(&mut marks, y(r.value));
            marks.push(' ');
        }
        let _ = write!(marks, "\" class=\"line line-{}\"", i % 6);
        if dash != "solid" {
            let _ = write!(marks, " stroke-dasharray=\"{dash}\"");
        }
        marks.push_str(" fill=\"none\"></path>");
        for r in readings {
            marks.push_str("<circle cx=\"");
            push_tenths(&mut marks, x(&r.at));
            marks.push_str("\" cy=\"");
            push_tenths(&mut marks, y(r.value));
            let _ = write!(marks, "\" r=\"3.5\" class=\"dot line-{}\"></circle>", i % 6);
        }
    }
    let first_label = series
        .iter()
        .flat_map(|(_, r)| r.first())
        .map(|r| r.at.clone())
        .min()
        .unwrap_or_default();
    let last_label = series
        .iter()
        .flat_map(|(_, r)| r.last())
        .map(|r| r.at.clone())
        .max()
        .unwrap_or_default();
    let legend = (series.len() > 1).then(|| {
        let items = series
            .iter()
            .enumerate()
            .map(|(i, (name, _))| {
                view! {
                    <li>
                        <svg viewBox="0 0 28 10" width="28" height="10" aria-hidden="true">
                            <line x1="0" x2="28" y1="5" y2="5" class=format!("line line-{}", i % 6)
                                stroke-dasharray=(styles[i % 6] != "solid").then_some(styles[i % 6]) />
                        </svg>
                        " " {name.clone()}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="legend">{items}</ul> }
    });
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-labelledby=format!("{}-t", slug(&title)) width="100%">
                <title id=format!("{}-t", slug(&title))>{title.clone()}</title>
                <line x1=PAD x2=W - PAD y1=y(0.0) y2=y(0.0) class="axis" />
                <line x1=PAD x2=PAD y1=y(0.0) y2=y(max) class="axis" />
                <text x=4.0 y=y(max) + 4.0 class="tick">{format!("{max:.0}{unit}")}</text>
                <text x=4.0 y=y(0.0) + 4.0 class="tick">{format!("0{unit}")}</text>
                <text x=PAD y=H - 2.0 class="tick">{first_label}</text>
                <text x=W - PAD y=H - 2.0 class="tick" text-anchor="end">{last_label}</text>
                <g inner_html=marks></g>
            </svg>
            {legend}
            <figcaption>{title}</figcaption>
        </figure>
    }
}

/// `v` with one decimal, written as integers are (formatting a float to a precision costs
/// several times more, and a chart writes hundreds).
fn push_tenths(out: &mut String, v: f64) {
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let t = tenths.unsigned_abs();
    let _ = write!(out, "{}.{}", t / 10, t % 10);
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The readings' rows as HTML in one string, escaped here, as the timeline's rows are.
fn readings_rows(rows: &[(String, Reading)], unit: &str) -> String {
    use html_escape::encode_text as text;
    let mut body = String::with_capacity(rows.len() * 96);
    for (what, r) in rows {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
            text(&r.at),
            text(what),
            r.value,
            text(unit),
            text(&r.by)
        );
    }
    body
}

/// The readings in a table: date, value, who filed it.
fn readings_table(
    caption: String,
    rows: Vec<(String, Reading)>,
    unit: &'static str,
) -> impl IntoView {
    let body = readings_rows(&rows, unit);
    view! {
        <table class="readings">
            <caption>{caption}</caption>
            <thead>
                <tr>
                    <th scope="col">{t("date")}</th>
                    <th scope="col">{t("measure")}</th>
                    <th scope="col">{t("value")}</th>
                    <th scope="col">{t("filed_by")}</th>
                </tr>
            </thead>
            <tbody inner_html=body></tbody>
        </table>
    }
}

#[component]
fn Condition(report: Arc<Report>) -> impl IntoView {
    let c = &report.condition;
    let nothing = c.battery_soh.is_empty()
        && c.joints.is_empty()
        && c.hours.is_empty()
        && c.battery_cycles.is_empty();
    let mut table: Vec<(String, Reading)> = Vec::new();
    for (key, list) in [
        ("battery_soh", &c.battery_soh),
        ("battery_cycles", &c.battery_cycles),
        ("hours", &c.hours),
    ] {
        table.extend(list.iter().map(|r| (t(key), r.clone())));
    }
    for j in &c.joints {
        let name = named("joint", &j.joint);
        table.extend(j.readings.iter().map(|r| (name.clone(), r.clone())));
    }
    table.sort_by(|a, b| a.1.at.cmp(&b.1.at));
    let battery = (!c.battery_soh.is_empty()).then(|| {
        view! { <Chart title=t("battery_chart") series=vec![(t("battery_soh"), c.battery_soh.clone())] max=100.0 unit="%" /> }
    });
    let joints = (!c.joints.is_empty()).then(|| {
        let series: Vec<(String, Vec<Reading>)> = c
            .joints
            .iter()
            .map(|j| (named("joint", &j.joint), j.readings.clone()))
            .collect();
        let top = series
            .iter()
            .flat_map(|(_, r)| r.iter().map(|x| x.value))
            .fold(10.0_f64, f64::max);
        let max = (top / 10.0).ceil() * 10.0;
        view! { <Chart title=t("joints_chart") series max unit="%" /> }
    });
    view! {
        <section class="card" aria-labelledby="prov-condition">
            <h2 id="prov-condition">{t("condition")}</h2>
            {if nothing {
                view! { <p>{t("no_readings")}</p> }.into_any()
            } else {
                view! {
                    <div class="charts">{battery}{joints}</div>
                    <details class="readings-all">
                        <summary>{t("all_readings")}</summary>
                        {readings_table(t("all_readings"), table, "")}
                    </details>
                }
                .into_any()
            }}
        </section>
    }
}

/// Words looked up once per page: a timeline of 500 entries names the same few kinds and
/// fields again and again.
struct Words {
    lang: crate::domain::Lang,
    known: std::collections::HashMap<String, String>,
}

impl Words {
    fn new(lang: crate::domain::Lang) -> Words {
        Words {
            lang,
            known: std::collections::HashMap::new(),
        }
    }

    /// The translation of `key`.
    fn of(&mut self, key: String) -> String {
        let lang = self.lang;
        self.known
            .entry(key)
            .or_insert_with_key(|k| tr(lang, k))
            .clone()
    }
}

/// An entry's details in words: its names (organisations, venues) and its other fields.
fn details_text(
    details: &serde_json::Value,
    names: &std::collections::BTreeMap<String, String>,
    words: &mut Words,
) -> String {
    let Some(map) = details.as_object() else {
        return String::new();
    };
    map.iter()
        .filter(|(k, _)| k.as_str() != "corrects")
        .map(|(k, v)| {
            let value = match (names.get(k), k.as_str(), v.as_str()) {
                (Some(name), _, _) => name.clone(),
                (None, "result" | "part", Some(word)) => words.of(format!("{k}.{word}")),
                _ => match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Object(o) => o
                        .iter()
                        .map(|(a, b)| format!("{} {b}", words.of(format!("joint.{a}"))))
                        .collect::<Vec<_>>()
                        .join(", "),
                    other => other.to_string(),
                },
            };
            format!("{}: {value}", words.of(format!("provenance.field.{k}")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The timeline's rows as HTML, written into one string: a view per cell cost more than the
/// rest of the report. Every piece of text is escaped here (`html_escape`); nothing else
/// goes in but this function's own tags.
fn timeline_rows(timeline: &[TimelineEntry], lang: crate::domain::Lang) -> String {
    use html_escape::encode_text as text;
    let mut words = Words::new(lang);
    let mut html = String::with_capacity(timeline.len() * 256);
    for e in timeline {
        let kind = words.of(format!("entry_kind.{}", e.kind));
        let said = if e.kind == "correction" {
            tr_with(
                lang,
                "provenance.corrects",
                &[("seq", &e.corrects.unwrap_or_default().to_string())],
            )
        } else {
            details_text(&e.details, &e.names, &mut words)
        };
        let day = e.occurred_at.get(..10).unwrap_or_default();
        let _ = write!(
            html,
            "<tr id=\"entry-{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}",
            e.seq,
            e.seq,
            text(day),
            text(&kind),
            text(&said)
        );
        if let Some(by) = e.corrected_by {
            let original = e
                .original
                .as_ref()
                .map(|o| details_text(o, &e.names, &mut words))
                .unwrap_or_default();
            let summary = tr_with(lang, "provenance.corrected_by", &[("seq", &by.to_string())]);
            let first = words.of("provenance.as_first_filed".into());
            let _ = write!(
                html,
                "<details class=\"correction-history\"><summary>{}</summary><p>{}: {}</p></details>",
                text(&summary),
                text(&first),
                text(&original)
            );
        }
        let _ = write!(html, "</td><td>{}</td></tr>", text(&e.filed_by));
    }
    html
}

/// The timeline rows written lately: a report handed out again shares its timeline
/// (`registry::provenance::Made`), so its rows are written once, not at every opening.
static WRITTEN: crate::written::Written<Vec<TimelineEntry>> = crate::written::Written::new(32);

fn written_rows(timeline: &Arc<Vec<TimelineEntry>>, lang: crate::domain::Lang) -> Arc<str> {
    WRITTEN.get(timeline, lang, || timeline_rows(timeline, lang))
}

#[component]
fn Timeline(report: Arc<Report>) -> impl IntoView {
    let rows = written_rows(&report.timeline, use_lang());
    view! {
        <section class="card" aria-labelledby="prov-timeline">
            <h2 id="prov-timeline">{t("timeline")}</h2>
            <table class="timeline">
                <caption class="visually-hidden">{t("timeline")}</caption>
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">{t("date")}</th>
                        <th scope="col">{t("what")}</th>
                        <th scope="col">{t("details")}</th>
                        <th scope="col">{t("filed_by")}</th>
                    </tr>
                </thead>
                <tbody inner_html=rows></tbody>
            </table>
        </section>
    }
}

/// For the owner: the share codes, a form for a new one, the code just issued; for the owner
/// and regulators: who opened the report. Not printed.
#[component]
fn OwnerTools(page: Page) -> impl IntoView {
    let lang = use_lang();
    let id = page.robot_id.clone();
    let issued = page.issued.clone().map(|c| {
        view! {
            <div class="callout callout--done" role="status">
                <p>{tr_with(lang, "provenance.issued", &[("expires", &c.expires_at)])}</p>
                <p class="share-code"><code>{c.code}</code></p>
            </div>
        }
    });
    let codes = page.codes.clone().map(|codes| {
        let rows = codes
            .into_iter()
            .map(|c| {
                let revoke = (c.state == "valid").then(|| {
                    view! {
                        <form method="post" action=format!("/provenance/{id}/share-codes/{}/revoke", c.id)>
                            <button type="submit" class="button button--secondary">
                                {t("revoke")}<span class="visually-hidden">" #" {c.id}</span>
                            </button>
                        </form>
                    }
                });
                view! {
                    <tr>
                        <td>{c.id}</td>
                        <td>{c.created_at}</td>
                        <td>{c.expires_at}</td>
                        <td>{t(&format!("state.{}", c.state))}</td>
                        <td>{revoke}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="card no-print" aria-labelledby="prov-codes">
                <h2 id="prov-codes">{t("share_codes")}</h2>
                <p>{t("share_codes_intro")}</p>
                {issued}
                <form method="post" action=format!("/provenance/{}/share-codes", page.robot_id) class="inline-form">
                    <TextField name="days" label=t("days_label") hint=t("days_hint") kind="number" value="14".to_string() />
                    <button type="submit" class="button">{t("issue")}</button>
                </form>
                <table>
                    <caption>{t("share_codes")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">{t("issued_at")}</th>
                            <th scope="col">{t("expires_at")}</th>
                            <th scope="col">{t("state_col")}</th>
                            <th scope="col"><span class="visually-hidden">{t("revoke")}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    let openings = page.openings.clone().map(|list| {
        let rows = list
            .into_iter()
            .map(|o| {
                let who = o.person.or(o.organisation).unwrap_or_default();
                view! { <tr><td>{o.opened_at}</td><td>{who}</td><td>{t(&format!("via.{}", o.via))}</td></tr> }
            })
            .collect_view();
        view! {
            <section class="card no-print" aria-labelledby="prov-log">
                <h2 id="prov-log">{t("audit")}</h2>
                <p>{t("audit_latest")}</p>
                <table>
                    <caption class="visually-hidden">{t("audit")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t("opened_at")}</th>
                            <th scope="col">{t("who")}</th>
                            <th scope="col">{t("via_col")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    view! { {codes}{openings} }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_timeline_escapes_whatever_an_entry_says() {
        let entry = TimelineEntry {
            seq: 3,
            kind: "maintained".into(),
            occurred_at: "2026-12-01T10:00:00Z".into(),
            filed_by: "A & B <Co>".into(),
            details: json!({"work": "</td><script>alert(1)</script>"}),
            corrects: None,
            corrected_by: Some(4),
            original: Some(json!({"work": "<b>first</b>"})),
            names: Default::default(),
        };
        let html = timeline_rows(&[entry], crate::domain::Lang::En);
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(
            html.contains("&lt;&#x2F;td&gt;&lt;script&gt;")
                || html.contains("&lt;/td&gt;&lt;script&gt;"),
            "{html}"
        );
        assert!(html.contains("A &amp; B &lt;Co&gt;"), "{html}");
        assert!(
            html.starts_with("<tr id=\"entry-3\"><td>3</td><td>2026-12-01</td><td>Maintained</td>"),
            "{html}"
        );
        assert!(html.contains("<details class=\"correction-history\">"));
    }

    #[test]
    fn a_timeline_s_rows_are_written_once_per_language() {
        let entry = |work: &str| TimelineEntry {
            seq: 1,
            kind: "maintained".into(),
            occurred_at: "2026-12-01T10:00:00Z".into(),
            filed_by: "A".into(),
            details: json!({ "work": work }),
            corrects: None,
            corrected_by: None,
            original: None,
            names: Default::default(),
        };
        let one = Arc::new(vec![entry("first")]);
        let en = written_rows(&one, crate::domain::Lang::En);
        assert!(Arc::ptr_eq(
            &en,
            &written_rows(&one, crate::domain::Lang::En)
        ));
        assert!(!Arc::ptr_eq(
            &en,
            &written_rows(&one, crate::domain::Lang::ZhCn)
        ));
        let other = Arc::new(vec![entry("second")]);
        assert!(written_rows(&other, crate::domain::Lang::En).contains("second"));
        drop(one);
        let again = Arc::new(vec![entry("third")]);
        assert!(written_rows(&again, crate::domain::Lang::En).contains("third"));
    }

    #[test]
    fn readings_are_escaped_and_tenths_written_as_numbers() {
        let r = Reading {
            at: "2026-12-01".into(),
            value: 91.5,
            by: "</td><script>x</script>".into(),
        };
        let html = readings_rows(&[("Battery <b>".into(), r)], "%");
        assert!(
            !html.contains("<script>") && !html.contains("<b>"),
            "{html}"
        );
        assert!(html.starts_with("<tr><td>2026-12-01</td><td>Battery &lt;b&gt;</td><td>91.5%</td>"));
        let mut out = String::new();
        for v in [0.0, 3.04, 3.05, 12.96, 604.0, -1.25] {
            push_tenths(&mut out, v);
            out.push(' ');
        }
        assert_eq!(out, "0.0 3.0 3.1 13.0 604.0 -1.3 ");
    }
}
