//! The live camera scanner: an island, so it is the only part of `/scan` that needs
//! JavaScript. It reads codes with the browser's BarcodeDetector where there is one, and
//! otherwise with rqrr compiled into the page's wasm, then hands the text to `/verify`.

use crate::domain::Lang;
use crate::i18n::{tr, use_lang};
use crate::islands::setup::IslandSetup;
use leptos::prelude::*;
use serde::Serialize;

/// Everything the camera island says, translated on the server into the page's language and
/// handed over through the page (see [`crate::islands::setup`]): the browser carries no
/// translation tables. The scan page puts it in context for the island.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CameraWords {
    needs_js: String,
    hint: String,
    start: String,
    video: String,
    starting: String,
    looking: String,
    timeout: String,
    found: String,
    denied: String,
    unavailable: String,
}

impl CameraWords {
    pub fn new(lang: Lang) -> Self {
        let t = |key: &str| tr(lang, &format!("scan.camera_{key}"));
        CameraWords {
            needs_js: t("needs_js"),
            hint: t("hint"),
            start: t("start"),
            video: t("video"),
            starting: t("starting"),
            looking: t("looking"),
            timeout: t("timeout"),
            found: t("found"),
            denied: t("denied"),
            unavailable: t("unavailable"),
        }
    }
}

impl IslandSetup for CameraWords {
    const ROOT: &'static str = "div.camera";

    fn fallback() -> Self {
        CameraWords::new(use_lang())
    }

    #[cfg(feature = "hydrate")]
    fn from_js(v: &wasm_bindgen::JsValue) -> Self {
        use crate::islands::setup::js::text;
        CameraWords {
            needs_js: text(v, "needs_js"),
            hint: text(v, "hint"),
            start: text(v, "start"),
            video: text(v, "video"),
            starting: text(v, "starting"),
            looking: text(v, "looking"),
            timeout: text(v, "timeout"),
            found: text(v, "found"),
            denied: text(v, "denied"),
            unavailable: text(v, "unavailable"),
        }
    }
}

/// The live camera. Its words come from the page: put `CameraWords::new(lang)` in context
/// where it is shown.
#[island(lazy)]
pub fn CameraScanner() -> impl IntoView {
    let (words, setup_text) = CameraWords::for_island();
    // False in the server's HTML; true once the island runs, so the button only shows when
    // it can work.
    let (ready, set_ready) = signal(false);
    let (message, set_message) = signal(None::<String>);
    let (running, set_running) = signal(false);
    let video_ref = NodeRef::<leptos::html::Video>::new();
    Effect::new(move |_| set_ready.set(true));
    let said = words.clone();
    let on_start = move |_| {
        if running.get_untracked() {
            return;
        }
        set_running.set(true);
        set_message.set(Some(said.starting.clone()));
        #[cfg(feature = "hydrate")]
        if let Some(video) = video_ref.get_untracked() {
            leptos::task::spawn_local(camera::run(video, said.clone(), set_message, set_running));
        }
    };
    view! {
        <div class="camera" data-setup=setup_text>
            <p class="hint" hidden=move || ready.get()>{words.needs_js.clone()}</p>
            <div class="camera-live" hidden=move || !ready.get()>
                <p class="hint">{words.hint.clone()}</p>
                <button
                    type="button"
                    id="camera-start"
                    on:click=on_start
                    aria-disabled=move || running.get().then_some("true")
                >
                    {words.start.clone()}
                </button>
                <video
                    id="camera-video"
                    node_ref=video_ref
                    class:active=move || running.get()
                    playsinline
                    muted
                    aria-label=words.video.clone()
                ></video>
                <p id="camera-status" role="status" aria-live="polite">
                    {move || message.get()}
                </p>
            </div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod camera {
    use super::CameraWords;
    use crate::islands::setup::js::sleep;
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        CanvasRenderingContext2d, HtmlCanvasElement, HtmlFormElement, HtmlInputElement,
        HtmlVideoElement, MediaStream, MediaStreamConstraints, MediaStreamTrack,
    };

    /// Frames are shrunk to this longer side before decoding: quick on a phone, and a label
    /// held at reading distance still has several pixels a module.
    const FRAME_SIDE: f64 = 800.0;
    /// Pause between frames, in milliseconds.
    const FRAME_GAP_MS: i32 = 150;
    /// Frames looked at before the camera is switched off again (about a minute).
    const MAX_FRAMES: u32 = 400;

    async fn open(video: &HtmlVideoElement) -> Result<MediaStream, JsValue> {
        let devices = window().navigator().media_devices()?;
        let constraints = MediaStreamConstraints::new();
        let wanted = js_sys::Object::new();
        js_sys::Reflect::set(&wanted, &"facingMode".into(), &"environment".into())?;
        constraints.set_video(&wanted.into());
        constraints.set_audio(&JsValue::FALSE);
        let stream: MediaStream =
            JsFuture::from(devices.get_user_media_with_constraints(&constraints)?)
                .await?
                .dyn_into()?;
        video.set_src_object(Some(&stream));
        JsFuture::from(video.play()?).await?;
        Ok(stream)
    }

    fn stop(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            if let Ok(track) = track.dyn_into::<MediaStreamTrack>() {
                track.stop();
            }
        }
    }

    /// The browser's own QR reader, where it has one.
    fn native_detector() -> Option<JsValue> {
        let ctor = js_sys::Reflect::get(&window(), &"BarcodeDetector".into())
            .ok()?
            .dyn_into::<js_sys::Function>()
            .ok()?;
        let options = js_sys::Object::new();
        js_sys::Reflect::set(
            &options,
            &"formats".into(),
            &js_sys::Array::of1(&"qr_code".into()),
        )
        .ok()?;
        js_sys::Reflect::construct(&ctor, &js_sys::Array::of1(&options)).ok()
    }

    /// `Err` when the native reader fails (then rqrr takes over for good).
    async fn detect_native(
        detector: &JsValue,
        video: &HtmlVideoElement,
    ) -> Result<Option<String>, JsValue> {
        let detect: js_sys::Function =
            js_sys::Reflect::get(detector, &"detect".into())?.dyn_into()?;
        let promise: js_sys::Promise = detect.call1(detector, video)?.dyn_into()?;
        let found: js_sys::Array = JsFuture::from(promise).await?.dyn_into()?;
        Ok(found.iter().find_map(|c| {
            js_sys::Reflect::get(&c, &"rawValue".into())
                .ok()
                .and_then(|v| v.as_string())
        }))
    }

    /// Read one frame of the video with rqrr.
    async fn detect_wasm(video: &HtmlVideoElement, canvas: &HtmlCanvasElement) -> Option<String> {
        let (vw, vh) = (video.video_width() as f64, video.video_height() as f64);
        if vw < 1.0 || vh < 1.0 {
            return None;
        }
        let scale = (FRAME_SIDE / vw.max(vh)).min(1.0);
        let (w, h) = ((vw * scale).round() as u32, (vh * scale).round() as u32);
        canvas.set_width(w);
        canvas.set_height(h);
        let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
        ctx.draw_image_with_html_video_element_and_dw_and_dh(video, 0.0, 0.0, w as f64, h as f64)
            .ok()?;
        let rgba = ctx
            .get_image_data(0.0, 0.0, w as f64, h as f64)
            .ok()?
            .data()
            .0;
        // Rec. 601 luma, in integers.
        let luma = rgba
            .chunks_exact(4)
            .map(|p| ((p[0] as u32 * 77 + p[1] as u32 * 150 + p[2] as u32 * 29) >> 8) as u8)
            .collect();
        decode_luma(w as usize, h as usize, luma).await
    }

    /// Room for the wasm splitter to lay out the read-only data again. It gives each module
    /// (the page's, the camera's, the decoder's) its own share of the one data segment, aligned,
    /// and if the shares come out longer than the segment was, it gives up and leaves all the
    /// data to the page's wasm, the decoder's 64 KB tables included. Nothing reads these bytes
    /// (so no module keeps them), but the linker must: they are the slack that alignment
    /// padding uses up.
    #[used]
    static SPLIT_SLACK: [u8; 1024] = [0x5a; 1024];

    /// The QR decoder: split out of the page's wasm (`cargo leptos build --split`) and fetched
    /// only when a browser without a BarcodeDetector first needs it, so the profile pages every
    /// visitor opens do not carry it.
    #[leptos::lazy]
    fn decode_luma(width: usize, height: usize, luma: Vec<u8>) -> Option<String> {
        let mut img =
            rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| luma[y * width + x]);
        img.detect_grids()
            .into_iter()
            .find_map(|g| g.decode().ok().map(|(_, text)| text))
    }

    /// Open the camera and read frames until a code turns up, then go to its verdict.
    pub async fn run(
        video: HtmlVideoElement,
        words: CameraWords,
        set_message: WriteSignal<Option<String>>,
        set_running: WriteSignal<bool>,
    ) {
        let stream = match open(&video).await {
            Ok(s) => s,
            Err(e) => {
                let name = js_sys::Reflect::get(&e, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string())
                    .unwrap_or_default();
                let said = if name == "NotAllowedError" || name == "SecurityError" {
                    words.denied
                } else {
                    words.unavailable
                };
                set_message.set(Some(said));
                set_running.set(false);
                return;
            }
        };
        set_message.set(Some(words.looking.clone()));
        let Some(canvas) = document()
            .create_element("canvas")
            .ok()
            .and_then(|c| c.dyn_into::<HtmlCanvasElement>().ok())
        else {
            stop(&stream);
            return;
        };
        let mut native = native_detector();
        let mut frames = 0;
        let text = loop {
            frames += 1;
            if frames > MAX_FRAMES {
                // Nothing found for a minute: do not leave the camera running.
                stop(&stream);
                set_message.set(Some(words.timeout.clone()));
                set_running.set(false);
                return;
            }
            let _ = sleep(FRAME_GAP_MS).await;
            if let Some(detector) = &native {
                match detect_native(detector, &video).await {
                    Ok(Some(text)) => break text,
                    Ok(None) => continue,
                    Err(_) => native = None,
                }
            }
            if let Some(text) = detect_wasm(&video, &canvas).await {
                break text;
            }
        };
        stop(&stream);
        set_message.set(Some(words.found.clone()));
        submit_code(&text);
    }

    /// Asks `POST /verify` for the verdict on `text`: a code's text may be anything (a Wi-Fi
    /// password), so it goes in a form's body, never into an address kept in the history.
    fn submit_code(text: &str) {
        let document = document();
        let form = document
            .create_element("form")
            .ok()
            .and_then(|f| f.dyn_into::<HtmlFormElement>().ok());
        let input = document
            .create_element("input")
            .ok()
            .and_then(|i| i.dyn_into::<HtmlInputElement>().ok());
        let (Some(form), Some(input), Some(body)) = (form, input, document.body()) else {
            return;
        };
        form.set_method("post");
        form.set_action("/verify");
        form.set_hidden(true);
        input.set_type("hidden");
        input.set_name("code");
        input.set_value(text);
        let _ = form.append_child(&input);
        let _ = body.append_child(&form);
        let _ = form.submit();
    }
}
