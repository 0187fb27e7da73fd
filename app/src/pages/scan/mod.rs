//! `/scan`: three ways to read a label (camera, photo, typing); `/verify` (in `verify.rs`):
//! what a code means, before anything else is shown.

pub mod verify;

use crate::domain::Problem;
use crate::i18n::words::problem_message;
use crate::i18n::{tr, use_lang};
use crate::islands::camera::CameraScanner;
use crate::request::set_status;
use leptos::prelude::*;
use leptos_meta::Title;

/// A photo that could not be read, handed to the scanner page by the upload route.
#[derive(Clone, Debug)]
pub struct ScanProblem {
    pub status: u16,
    pub problem: Problem,
}

/// Codes handed to `/verify` in a request's body (a photo upload, the camera's form), not in
/// its address.
#[derive(Clone, Debug)]
pub struct SubmittedCodes(pub Vec<String>);

/// Most codes one photo is judged for.
pub const MAX_CODES: usize = 8;

#[component]
pub fn ScanPage() -> impl IntoView {
    let lang = use_lang();
    let problem = use_context::<ScanProblem>();
    if let Some(p) = &problem {
        set_status(p.status);
    }
    // What the camera island says, for it to take (see `crate::island_setup`).
    provide_context(crate::islands::camera::CameraWords::new(lang));
    view! {
        <Title text=format!("{} · {}", tr(lang, "scan.title"), tr(lang, "site.name")) />
        <section class="hero" aria-labelledby="scan-heading">
            <h1 id="scan-heading">{tr(lang, "scan.title")}</h1>
            <p class="lead">{tr(lang, "scan.intro")}</p>
        </section>
        {problem.map(|p| view! {
            <div class="callout callout--problem" role="alert" id="scan-problem">
                <p><span aria-hidden="true">"⚠ "</span>{problem_message(lang, p.problem)}</p>
            </div>
        })}
        <section class="panel" aria-labelledby="camera-heading">
            <h2 id="camera-heading">{tr(lang, "scan.camera_title")}</h2>
            <CameraScanner />
        </section>
        <section class="panel" aria-labelledby="photo-heading">
            <h2 id="photo-heading">{tr(lang, "scan.photo_title")}</h2>
            <form class="scan-form" method="post" action="/scan/photo" enctype="multipart/form-data">
                <label for="photo">{tr(lang, "scan.photo_label")}</label>
                <p id="photo-hint" class="hint">{tr(lang, "scan.photo_hint")}</p>
                <input id="photo" name="photo" type="file" accept="image/*" required aria-describedby="photo-hint" />
                <button type="submit">{tr(lang, "scan.photo_submit")}</button>
            </form>
        </section>
        <section class="panel" aria-labelledby="type-heading">
            <h2 id="type-heading">{tr(lang, "scan.type_title")}</h2>
            <form class="scan-form" method="get" action="/verify">
                <label for="code">{tr(lang, "scan.type_label")}</label>
                <p id="code-hint" class="hint">{tr(lang, "scan.type_hint")}</p>
                <div class="lookup-row">
                    <input
                        id="code"
                        name="code"
                        type="text"
                        autocomplete="off"
                        autocapitalize="characters"
                        spellcheck="false"
                        maxlength="3000"
                        required
                        aria-describedby="code-hint"
                    />
                    <button type="submit">{tr(lang, "scan.type_submit")}</button>
                </div>
            </form>
        </section>
    }
}
