//! `/`: the lookup. `/?id=…` is where the form lands without JavaScript: a valid ID (or a
//! link to one of our profiles) is sent on to its profile, anything else is explained here.

use crate::domain::{RobotId, Status};
use crate::i18n::words::id_error_message;
use crate::i18n::{tr, use_lang};
use crate::islands::lookup::LookupBox;
use crate::request::redirect_to;
use crate::request::set_status;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let submitted = crate::request::query_values("id").into_iter().next();
    let (value, error) = match submitted.as_deref() {
        Some(raw) => match RobotId::parse_lookup(raw, &crate::request::our_hosts()) {
            Ok(id) => {
                redirect_to(&format!("/r/{id}"), 303);
                (raw.to_string(), None)
            }
            Err(e) => {
                set_status(400);
                // Put back no more than the box takes (its `maxlength`).
                let shown = raw.chars().take(300).collect();
                (shown, Some(id_error_message(lang, &e)))
            }
        },
        None => (String::new(), None),
    };
    view! {
        <Title text=tr(lang, "site.name") />
        <Meta name="description" content=tr(lang, "home.intro") />
        <section class="hero" aria-labelledby="home-heading">
            <h1 id="home-heading">{tr(lang, "home.title")}</h1>
            <p class="lead">{tr(lang, "home.intro")}</p>
            <LookupBox value=value error=error />
        </section>
        <section class="panel" aria-labelledby="legend-heading">
            <h2 id="legend-heading">{tr(lang, "home.legend_title")}</h2>
            <ul class="legend">
                {Status::ALL
                    .into_iter()
                    .map(|s| s.as_str())
                    .chain(["not_registered"])
                    .map(|k| {
                        view! {
                            <li class=format!("legend-item legend--{k}")>
                                <strong>{tr(lang, &format!("status.{k}.title"))}</strong>
                                " — "
                                <span>{tr(lang, &format!("status.{k}.detail"))}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
        <section class="panel" aria-labelledby="where-heading">
            <h2 id="where-heading">{tr(lang, "home.where_title")}</h2>
            <p>{tr(lang, "home.where_body")}</p>
        </section>
    }
}
