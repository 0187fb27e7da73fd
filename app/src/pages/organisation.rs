//! `/orgs/{ORG}`: an organisation's own page for its members. Its API tokens (made here, shown
//! once, revoked here) and, for a manufacturer, its units (one at a time, or a CSV file whose
//! import shows its progress, the page refreshing itself while it runs) and its recalls. The
//! server loads and checks everything (`server::routes::org_page`); every form is a plain POST.

use crate::components::form::{
    error_message, form_title, use_answer, ErrorSummary, SelectField, TextArea, TextField,
};
use crate::domain::organisation::{ImportLine, MakerPart, Page, RecallLine, TokenLine};
use crate::domain::vocabulary::{Hazard, Remedy, Word};
use crate::i18n::{tr, tr_with, use_lang};
use crate::pages::incidents::named;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

fn t(key: &str) -> String {
    tr(use_lang(), &format!("org.{key}"))
}

/// A form's submit button that acts on one thing, named for people who hear the page.
fn action_button(label: String, about: String) -> impl IntoView {
    let named = format!("{label}: {about}");
    view! {
        <button type="submit" class="button button--secondary" aria-label=named>
            {label}
        </button>
    }
}

fn token_row(org: i64, token: TokenLine) -> impl IntoView {
    let state = match &token.revoked_at {
        Some(at) => tr_with(use_lang(), "org.token_revoked_at", &[("at", at)]),
        None => t("token_live"),
    };
    let revoke = token.revoked_at.is_none().then(|| {
        view! {
            <form method="post" action=format!("/orgs/{org}/tokens/{}/revoke", token.id)>
                {action_button(t("revoke"), token.name.clone())}
            </form>
        }
    });
    view! {
        <tr>
            <td>{token.name.clone()}</td>
            <td>{named("org_role", &token.role)}</td>
            <td>{token.created_at.clone()}</td>
            <td>{state}</td>
            <td>{revoke}</td>
        </tr>
    }
}

fn tokens_section(page: &Page) -> impl IntoView {
    let org = page.id;
    let shown = page.new_token.clone().map(|token| {
        view! {
            <div class="callout callout--done" role="status">
                <p>{t("token_made")}</p>
                <p><code class="token">{token}</code></p>
            </div>
        }
    });
    let rows = page
        .tokens
        .iter()
        .cloned()
        .map(|tok| token_row(org, tok))
        .collect_view();
    let list = if page.tokens.is_empty() {
        view! { <p>{t("no_tokens")}</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <caption class="visually-hidden">{t("tokens")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("token_name")}</th>
                        <th scope="col">{t("role")}</th>
                        <th scope="col">{t("created")}</th>
                        <th scope="col">{t("state")}</th>
                        <th scope="col"><span class="visually-hidden">{t("actions")}</span></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let roles: Vec<(String, String)> = page
        .roles
        .iter()
        .map(|r| (r.clone(), named("org_role", r)))
        .collect();
    let role_field = (roles.len() > 1).then(|| {
        view! { <SelectField name="role" label=t("role") choices=roles placeholder=t("any_role") /> }
    });
    view! {
        <section aria-labelledby="tokens" class="card">
            <h2 id="tokens">{t("tokens")}</h2>
            <p>{t("tokens_intro")}</p>
            {shown}
            {list}
            <form method="post" action=format!("/orgs/{org}/tokens") class="form">
                <h3>{t("new_token")}</h3>
                <TextField name="token_name" label=t("token_name") hint=t("token_name_hint") />
                {role_field}
                <button type="submit" class="button">{t("make_token")}</button>
            </form>
        </section>
    }
}

fn import_progress(org: i64, import: ImportLine) -> impl IntoView {
    let lang = use_lang();
    let running = import.state == "running";
    let total = import.total.to_string();
    let written = import.written.to_string();
    let seconds = format!("{:.1}", import.seconds);
    let words = match import.state.as_str() {
        "done" => tr_with(
            lang,
            "org.import_done",
            &[("total", &total), ("seconds", &seconds)],
        ),
        "failed" => {
            let why = import
                .problem
                .as_deref()
                .and_then(crate::domain::Problem::from_name)
                .map(|p| tr(lang, &format!("problem.{p}")))
                .unwrap_or_default();
            format!("{} {why}", t("import_failed"))
        }
        _ => tr_with(
            lang,
            "org.import_running",
            &[("written", &written), ("total", &total)],
        ),
    };
    view! {
        // The address differs from the page's own beyond its fragment (`at`, the import's age):
        // a refresh to the same address and fragment is only a scroll in Chromium, not a reload.
        {running.then(|| view! { <Meta http_equiv="refresh" content=format!("1; url=/orgs/{org}?import={}&at={seconds}#import", import.id) /> })}
        <div class=if import.state == "failed" { "callout callout--warning" } else { "callout callout--done" } role="status">
            <p>{words}</p>
            <progress max=import.total.max(1) value=import.written aria-label=t("import_progress")></progress>
        </div>
    }
}

fn units_section(org: i64, maker: &MakerPart, registered: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let models: Vec<(String, String)> = maker
        .models
        .iter()
        .map(|(code, name)| (code.clone(), format!("{code} · {name}")))
        .collect();
    let done = registered.map(|id| {
        view! {
            <div class="callout callout--done" role="status">
                <p>{tr_with(lang, "org.unit_registered", &[("id", &id)])}</p>
                <p><a href=format!("/r/{id}")>{t("see_profile")}</a></p>
            </div>
        }
    });
    let answer = use_answer();
    let file_error = answer.error("file").cloned();
    let bad_rows = maker.bad_rows.clone();
    let rows = (!bad_rows.is_empty()).then(|| {
        let count = bad_rows.len().to_string();
        view! {
            <table class="table">
                <caption>{tr_with(lang, "org.bad_rows", &[("count", &count)])}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("line")}</th>
                        <th scope="col">{t("column")}</th>
                        <th scope="col">{t("what_is_wrong")}</th>
                    </tr>
                </thead>
                <tbody>
                    {bad_rows
                        .into_iter()
                        .map(|r| view! {
                            <tr>
                                <td>{r.line}</td>
                                <td><code>{r.field}</code></td>
                                <td>{tr(lang, &format!("problem.{}", r.problem))}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        }
    });
    let has_file_error = file_error.is_some();
    view! {
        <section aria-labelledby="units" class="card">
            <h2 id="units">{t("units")}</h2>
            <p>{tr_with(lang, "org.units_intro", &[("code", &maker.code)])}</p>
            {done}
            <form method="post" action=format!("/orgs/{org}/units") class="form">
                <h3>{t("register_unit")}</h3>
                <SelectField name="model" label=t("model") choices=models placeholder=t("choose") />
                <TextField name="serial" label=t("serial") hint=t("serial_hint") />
                <TextField name="produced_on" label=t("produced_on") kind="date" />
                <TextField name="country" label=format!("{} {}", t("country"), t("optional")) hint=t("country_hint") />
                <TextField name="factory" label=format!("{} {}", t("factory"), t("optional")) />
                <button type="submit" class="button">{t("register")}</button>
            </form>
            <form method="post" action=format!("/orgs/{org}/units/import") enctype="multipart/form-data" class="form" id="import">
                <h3>{t("import")}</h3>
                {maker.import.clone().map(|i| import_progress(org, i))}
                <div class="form-group" class:form-group--error=has_file_error>
                    <label for="field-file">{t("csv_file")}</label>
                    <p class="hint" id="field-file-hint">{t("csv_hint")}</p>
                    {file_error.map(|e| view! {
                        <p class="field-error" id="field-file-error">
                            <span class="visually-hidden">{tr(lang, "form.error_prefix")}": "</span>
                            {error_message(&e)}
                        </p>
                    })}
                    <input
                        id="field-file"
                        name="file"
                        type="file"
                        accept=".csv,text/csv"
                        aria-describedby=if has_file_error { "field-file-hint field-file-error" } else { "field-file-hint" }
                        aria-invalid=has_file_error.then_some("true")
                    />
                </div>
                {rows}
                <button type="submit" class="button">{t("upload")}</button>
            </form>
        </section>
    }
}

fn recall_row(org: i64, r: RecallLine) -> impl IntoView {
    let lang = use_lang();
    let range = match (&r.serial_from, &r.serial_to) {
        (Some(from), Some(to)) => format!("{from} – {to}"),
        _ => t("whole_model"),
    };
    let progress = tr_with(
        lang,
        "org.remedied_of",
        &[
            ("remedied", &r.remedied.to_string()),
            ("units", &r.units.to_string()),
        ],
    );
    let state = match &r.closed_on {
        Some(day) => tr_with(lang, "org.closed_on", &[("day", day)]),
        None => t("open"),
    };
    let close = r.closed_on.is_none().then(|| {
        view! {
            <form method="post" action=format!("/orgs/{org}/recalls/{}/close", r.reference)>
                {action_button(t("close_recall"), r.reference.clone())}
            </form>
        }
    });
    view! {
        <tr>
            <th scope="row">{r.reference.clone()}</th>
            <td>{r.model.clone()}<br />{range}</td>
            <td>
                {r.defect.clone()}
                {r.defect.is_some().then(|| view! { <br /> })}
                {named("hazard", &r.risk)}
            </td>
            <td>{named("remedy", &r.remedy)}</td>
            <td>{r.issued_on.clone()}</td>
            <td>{progress}</td>
            <td>{state}</td>
            <td>{close}</td>
        </tr>
    }
}

fn recalls_section(org: i64, maker: &MakerPart) -> impl IntoView {
    let models: Vec<(String, String)> = maker
        .models
        .iter()
        .map(|(code, name)| (code.clone(), format!("{code} · {name}")))
        .collect();
    let hazards: Vec<(String, String)> = Hazard::all()
        .iter()
        .map(|h| (h.name().to_string(), named("hazard", h.name())))
        .collect();
    let remedies: Vec<(String, String)> = Remedy::all()
        .iter()
        .map(|r| (r.name().to_string(), named("remedy", r.name())))
        .collect();
    let list = if maker.recalls.is_empty() {
        view! { <p>{t("no_recalls")}</p> }.into_any()
    } else {
        let rows = maker
            .recalls
            .iter()
            .cloned()
            .map(|r| recall_row(org, r))
            .collect_view();
        view! {
            <div class="table-scroll" tabindex="0" role="region" aria-label=t("recalls")>
                <table class="table">
                    <caption class="visually-hidden">{t("recalls")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t("reference")}</th>
                            <th scope="col">{t("covers")}</th>
                            <th scope="col">{t("defect_and_risk")}</th>
                            <th scope="col">{t("remedy")}</th>
                            <th scope="col">{t("issued_on")}</th>
                            <th scope="col">{t("remedied")}</th>
                            <th scope="col">{t("state")}</th>
                            <th scope="col"><span class="visually-hidden">{t("actions")}</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="recalls" class="card">
            <h2 id="recalls">{t("recalls")}</h2>
            <p>{t("recalls_intro")}</p>
            {list}
            <form method="post" action=format!("/orgs/{org}/recalls") class="form">
                <h3>{t("issue_recall")}</h3>
                <SelectField name="recall_model" label=t("model") choices=models placeholder=t("choose") />
                <TextField name="serial_from" label=format!("{} {}", t("serial_from"), t("optional")) hint=t("serial_range_hint") />
                <TextField name="serial_to" label=format!("{} {}", t("serial_to"), t("optional")) />
                <TextArea name="defect" label=t("defect") rows=3 />
                <SelectField name="risk" label=t("risk") choices=hazards placeholder=t("choose") />
                <SelectField name="remedy" label=t("remedy") choices=remedies placeholder=t("choose") />
                <button type="submit" class="button">{t("issue")}</button>
            </form>
        </section>
    }
}

#[component]
pub fn OrganisationPage() -> impl IntoView {
    let lang = use_lang();
    let page = use_context::<Page>().unwrap_or_default();
    // A unit's registration is said in its own section, with the link to the robot.
    let done = page
        .done
        .clone()
        .filter(|d| d != "unit_registered")
        .map(|d| {
            view! {
                <div class="callout callout--done" role="status">
                    <p>{t(&format!("done_{d}"))}</p>
                </div>
            }
        });
    let roles = page
        .roles
        .iter()
        .map(|r| named("org_role", r))
        .collect::<Vec<_>>()
        .join(", ");
    let maker = page.maker.clone().map(|m| {
        view! {
            {units_section(page.id, &m, page.registered.clone())}
            {recalls_section(page.id, &m)}
        }
    });
    view! {
        <Title text=form_title(&page.name) />
        <ErrorSummary />
        {done}
        <h1>{page.name.clone()}</h1>
        <p>{tr_with(lang, "org.you_act_as", &[("roles", &roles)])}</p>
        {venues_section(&page)}
        {tokens_section(&page)}
        {maker}
    }
}

/// The venues the organisation runs, each with its dashboard, its entrance display and its
/// public page.
fn venues_section(page: &Page) -> Option<impl IntoView> {
    (!page.venues.is_empty()).then(|| {
        let rows = page
            .venues
            .iter()
            .map(|(slug, name)| {
                view! {
                    <li>
                        <a href=format!("/v/{slug}/dashboard")>{name.clone()}</a>
                        " · "
                        <a href=format!("/v/{slug}/display")>{t("venue_display")}</a>
                        " · "
                        <a href=format!("/v/{slug}")>{t("venue_public")}</a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <section aria-labelledby="venues-heading">
                <h2 id="venues-heading">{t("venues")}</h2>
                <p>{t("venues_hint")}</p>
                <ul class="org-venues">{rows}</ul>
            </section>
        }
    })
}
