//! `/labels/{ID}`: a print-ready label: the signed QR code, the ID in human-readable type,
//! "Scan to verify" in both languages and the portal's host name. Two sizes: a 50×30 mm
//! sticker and an A4 sign.

use crate::components::status::GroupedId;
use crate::domain::{Lang, Lookup, RobotId};
use crate::i18n::words::id_error_message;
use crate::i18n::{tr, tr_with, use_lang};
use crate::request::redirect_to;
use crate::request::set_status;
use crate::server_fns::lookup_robot;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The label sizes offered: (query value, translation key).
const SIZES: [(&str, &str); 2] = [("label", "labels.size_label"), ("a4", "labels.size_a4")];

#[component]
pub fn LabelPage() -> impl IntoView {
    let lang = use_lang();
    let raw = use_params_map()
        .read_untracked()
        .get("id")
        .unwrap_or_default();
    let size = match use_query_map().read_untracked().get("size").as_deref() {
        Some("a4") => "a4",
        _ => "label",
    };
    let id = match RobotId::parse(&raw) {
        Err(e) => {
            set_status(400);
            return view! {
                <Title text=tr(lang, "status.malformed.title") />
                <section class="panel" role="alert">
                    <h1>{tr(lang, "status.malformed.title")}</h1>
                    <p>{id_error_message(lang, &e)}</p>
                </section>
            }
            .into_any();
        }
        Ok(id) if id.as_str() != raw => {
            redirect_to(&format!("/labels/{id}?size={size}"), 308);
            return ().into_any();
        }
        Ok(id) => id,
    };
    let lookup = Resource::new_blocking(
        {
            let id = id.to_string();
            move || id.clone()
        },
        |id| async move { lookup_robot(id).await },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let id = id.clone();
                Suspend::new(async move {
                    match lookup.await {
                        Ok(Lookup::Found(p)) => view! {
                            <Sheet id=id model=format!("{} {}", p.manufacturer.name, p.model.name) size=size />
                        }
                        .into_any(),
                        Ok(Lookup::NotRegistered { .. }) => {
                            set_status(404);
                            view! {
                                <Title text=tr(lang, "status.not_registered.title") />
                                <section class="panel" role="alert">
                                    <h1>{tr(lang, "labels.not_registered_title")}</h1>
                                    <p>{tr(lang, "labels.not_registered")}</p>
                                    <p><a href=format!("/r/{id}")>{id.display()}</a></p>
                                </section>
                            }
                            .into_any()
                        }
                        Err(_) => {
                            set_status(503);
                            view! {
                                <section class="panel" role="alert">
                                    <h1>{tr(lang, "unavailable.title")}</h1>
                                    <p>{tr(lang, "unavailable.detail")}</p>
                                </section>
                            }
                            .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Sheet(id: RobotId, model: String, size: &'static str) -> impl IntoView {
    let lang = use_lang();
    let host = crate::request::printed_host();
    view! {
        <Title text=format!("{} · {}", tr(lang, "labels.title"), id.display()) />
        <section class="label-tools no-print" aria-labelledby="labels-heading">
            <h1 id="labels-heading">{tr(lang, "labels.title")}</h1>
            <p>{tr_with(lang, "labels.intro", &[("model", &model)])}</p>
            <nav aria-label=tr(lang, "labels.sizes")>
                <ul class="size-switch">
                    {SIZES
                        .into_iter()
                        .map(|(value, key)| view! {
                            <li>
                                <a
                                    href=format!("/labels/{id}?size={value}")
                                    aria-current=(value == size).then_some("page")
                                >
                                    {tr(lang, key)}
                                </a>
                            </li>
                        })
                        .collect_view()}
                </ul>
            </nav>
            <p class="hint">{tr(lang, "labels.print_hint")}</p>
            <p><a href=format!("/r/{id}")>{tr(lang, "labels.back")}</a></p>
        </section>
        <div class=format!("sheet sheet--{size}")>
            <LabelFigure id=id.clone() host=host size=size />
        </div>
    }
}

/// One printed label: the signed QR code, "Scan to verify" in both languages, the grouped ID
/// and the registry's host, as `size` (`label`, `a4`, `sheet`) lays it out.
#[component]
pub fn LabelFigure(id: RobotId, host: String, size: &'static str) -> impl IntoView {
    let lang = use_lang();
    view! {
        <figure class="label" data-size=size>
            <img
                class="label-qr"
                src=format!("/qr/{id}.svg?size=1024")
                alt=tr_with(lang, "labels.qr_alt", &[("id", id.as_str())])
                width="1024"
                height="1024"
            />
            <figcaption>
                <span class="label-verify" lang=Lang::En.code()>{tr(Lang::En, "labels.scan_to_verify")}</span>
                <span class="label-verify" lang=Lang::ZhCn.code()>{tr(Lang::ZhCn, "labels.scan_to_verify")}</span>
                <span class="label-id"><GroupedId display=id.display() /></span>
                <span class="label-host" translate="no">{host}</span>
            </figcaption>
        </figure>
    }
}
