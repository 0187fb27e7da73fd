//! Build the application from its settings, and run it.

use crate::assets::Assets;
use crate::config::Config;
use crate::page_cache::PageCache;
use crate::routes;
use crate::scan_routes;
use crate::state::{AppState, Shared};
use anyhow::Context;
use app::app::{shell, App, NONCE_HEADER};
use axum::body::Body;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::Router;
use domain::link::OurHosts;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use registry::{Opening, Registry};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub struct Application {
    listener: TcpListener,
    router: Router,
    pub addr: SocketAddr,
    pub state: AppState,
    /// The rendered pages kept, for a look at their size.
    pub page_cache: Option<Arc<PageCache>>,
}

/// A client must send a request's headers within this time of starting it (or of the
/// connection going idle), or the connection is closed: slow clients cannot hold connections.
const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// No request is worked on for longer than this; it is answered 503 instead.
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Connections open at once, at most; more wait to be accepted.
const MAX_CONNECTIONS: usize = 8_192;
/// Largest request head (request line and headers) a connection may send.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long requests in flight may finish after SIGTERM before the process exits anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// CPU time a photo may take to read (see [`scan_routes::Decoder`]). A 12-megapixel phone
/// photo takes 0.2–0.45 s, the worst case (no code: every size tried) included.
pub const DECODE_CPU_BUDGET: std::time::Duration = std::time::Duration::from_millis(1200);

/// Largest request body for a photo upload: the photo plus room for a form around it.
const UPLOAD_LIMIT: usize = photo::MAX_PHOTO_BYTES + 64 * 1024;

/// The build's output name (cargo-leptos compiles it in).
const OUTPUT_NAME: &str = match option_env!("LEPTOS_OUTPUT_NAME") {
    Some(name) => name,
    None => "robopass",
};
const PKG_DIR: &str = "pkg";

/// The options Leptos renders with. Built here rather than read from Cargo.toml so the binary
/// runs the same from cargo-leptos, a release folder or a test. Pages name the build's assets
/// by their content-versioned name (see [`Assets::load`]).
fn leptos_options(config: &Config, addr: SocketAddr, assets: &Assets) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(assets.versioned_name().unwrap_or(OUTPUT_NAME))
        .site_root(config.site_root.as_str())
        .site_pkg_dir(PKG_DIR)
        .site_addr(addr)
        .build()
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(config.site_addr).await.with_context(|| {
            format!(
                "cannot listen on {}: is another server using it? Set LEPTOS_SITE_ADDR to another address",
                config.site_addr
            )
        })?;
        let addr = listener.local_addr()?;
        let keys = crate::keys::load(&config)?;
        let registry = Registry::open(
            Opening {
                database_url: &config.database_url,
                max_connections: config.db_max_connections,
                reference_ttl: std::time::Duration::from_millis(config.reference_cache_ms),
            },
            keys,
            config.our_hosts(addr),
        )
        .await
        .context("cannot open the database named by DATABASE_URL")?;
        let assets = Assets::load(
            std::path::Path::new(&config.site_root),
            PKG_DIR,
            OUTPUT_NAME,
        )?;
        let leptos_options = leptos_options(&config, addr, &assets);
        if assets.is_empty() {
            tracing::warn!(site_root = %config.site_root, "no built site found: pages render without CSS or hydration (run `make run`)");
        }
        let decoder_exe = match &config.decoder_exe {
            Some(exe) => exe.clone(),
            None => {
                std::env::current_exe().context("cannot find this program to read photos with")?
            }
        };
        let decoder = scan_routes::Decoder::new(decoder_exe, DECODE_CPU_BUDGET);
        let state = AppState::new(Shared {
            leptos_options,
            registry,
        });
        let page_cache = (config.page_cache_ms > 0).then(|| {
            PageCache::new(
                std::time::Duration::from_millis(config.page_cache_ms),
                config.page_cache_bytes,
                state.registry.lookups().clone(),
            )
        });
        let page_cache = page_cache.map(Arc::new);
        let router = router(
            state.clone(),
            Arc::new(assets),
            page_cache.clone(),
            decoder,
            config.body_read_timeout,
        );
        Ok(Application {
            listener,
            router,
            addr,
            state,
            page_cache,
        })
    }

    /// Serve until Ctrl-C or SIGTERM (what process managers and load balancers send), letting
    /// requests in flight finish for [`SHUTDOWN_GRACE`] at most.
    ///
    /// hyper serves each connection, with a timer so that [`HEADER_READ_TIMEOUT`] holds
    /// (`axum::serve` sets none, and a client sending one header byte a minute kept its
    /// connection forever).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
        use hyper_util::server::conn::auto::Builder;
        use hyper_util::server::graceful::GracefulShutdown;
        use tower::ServiceExt as _;
        let in_flight = Arc::new(InFlight::default());
        let service = hyper_util::service::TowerToHyperService::new(
            self.router
                .layer(middleware::from_fn_with_state(
                    in_flight.clone(),
                    count_in_flight,
                ))
                .map_request(|req: axum::http::Request<hyper::body::Incoming>| req.map(Body::new)),
        );
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES);
        builder
            .http2()
            .timer(TokioTimer::new())
            .max_header_list_size(MAX_HEAD_BYTES as u32)
            .max_concurrent_streams(128)
            .keep_alive_interval(Some(std::time::Duration::from_secs(30)));
        let connections = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        let graceful = GracefulShutdown::new();
        let mut stop = std::pin::pin!(shutdown_signal());
        loop {
            let Ok(room) = connections.clone().acquire_owned().await else {
                break;
            };
            let (stream, _peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, say: wait a little rather than spin.
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                },
                _ = &mut stop => break,
            };
            let _ = stream.set_nodelay(true);
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service.clone())
                .into_owned();
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                let _ = conn.await;
                drop(room);
            });
        }
        drop(self.listener);
        // Connections are told to close once their request is answered. Those still reading a
        // request head (a slow client) have no request in flight: they are not waited for, or
        // a stop would take as long as the head timeout.
        let all_closed = graceful.shutdown();
        tokio::select! {
            biased;
            _ = all_closed => {}
            _ = in_flight.none() => {}
            _ = tokio::time::sleep(SHUTDOWN_GRACE) => {
                tracing::warn!("requests still in flight after the shutdown grace period; stopping anyway");
            }
        }
        Ok(())
    }
}

/// Requests being worked on, so that a stop waits for them and for nothing else.
#[derive(Default)]
struct InFlight {
    count: std::sync::atomic::AtomicUsize,
    changed: tokio::sync::Notify,
}

impl InFlight {
    /// Resolves once no request is in flight.
    async fn none(&self) {
        use std::sync::atomic::Ordering;
        loop {
            let changed = self.changed.notified();
            if self.count.load(Ordering::SeqCst) == 0 {
                return;
            }
            changed.await;
        }
    }
}

/// Counts a request in [`InFlight`] until its answer is made (or it is dropped).
async fn count_in_flight(
    State(in_flight): State<Arc<InFlight>>,
    req: Request,
    next: Next,
) -> Response {
    use std::sync::atomic::Ordering;
    struct Counted(Arc<InFlight>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.count.fetch_sub(1, Ordering::SeqCst);
            self.0.changed.notify_waiters();
        }
    }
    in_flight.count.fetch_add(1, Ordering::SeqCst);
    let _counted = Counted(in_flight);
    next.run(req).await
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down");
}

fn router(
    state: AppState,
    assets: Arc<Assets>,
    page_cache: Option<Arc<PageCache>>,
    decoder: scan_routes::Decoder,
    // A request body must keep arriving: no gap between its pieces longer than this.
    body_read_timeout: std::time::Duration,
) -> Router {
    let routes = generate_route_list(App);
    let ctx_state = state.clone();
    let fn_state = state.clone();
    let fallback_state = state.clone();
    let hosts = Arc::new(state.registry.hosts().clone());
    Router::new()
        .route("/healthz", get(routes::health))
        .route("/api/v1/robots/{id}", get(routes::robot))
        .route("/lang/{code}", get(routes::switch_lang))
        .route("/.well-known/robopass-keys.json", get(scan_routes::keys))
        .route(
            "/qr/{file}",
            get(scan_routes::qr).layer(Extension(scan_routes::LabelCache::default())),
        )
        .route("/api/v1/verify", get(scan_routes::verify))
        .route("/verify", post(scan_routes::verify_form))
        .route(
            "/api/v1/scan",
            post(scan_routes::api_scan).layer((
                DefaultBodyLimit::max(UPLOAD_LIMIT),
                Extension(decoder.clone()),
            )),
        )
        .route(
            "/scan/photo",
            post(scan_routes::photo_form)
                .layer((DefaultBodyLimit::max(UPLOAD_LIMIT), Extension(decoder))),
        )
        .route(
            "/api/fn/{*name}",
            post(move |req: Request| {
                let state = fn_state.clone();
                async move { leptos_axum::handle_server_fns_with_context(move || provide_context(state.registry.clone()), req).await }
            }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.registry.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(move |req: Request| static_or_not_found(fallback_state.clone(), assets.clone(), req))
        .layer(middleware::from_fn_with_state(page_cache, crate::page_cache::middleware))
        .layer(middleware::from_fn_with_state(hosts, host_check))
        .layer(middleware::from_fn_with_state(
            Arc::new(state.registry.hosts().https()),
            security_headers,
        ))
        .layer(compression())
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_read_timeout))
        .layer(middleware::from_fn(time_limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Micros)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// Pages and API answers are gzipped as they go out. Static files are not: they come compressed
/// ahead of time, or as they are when compressing would not shrink them
/// ([`crate::assets::EncodingChosen`]). Gzipping those again at every request served a 130 KB
/// file that does not compress at 1,700 answers a second instead of 19,000.
pub fn compression() -> CompressionLayer<impl Predicate> {
    fn encoding_not_chosen(
        _: axum::http::StatusCode,
        _: axum::http::Version,
        _: &axum::http::HeaderMap,
        extensions: &axum::http::Extensions,
    ) -> bool {
        extensions.get::<crate::assets::EncodingChosen>().is_none()
    }
    CompressionLayer::new()
        .gzip(true)
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(encoding_not_chosen))
}

/// A plain-text answer in both languages, for where the request's language is not known (or
/// not to be trusted: it is read from the request's own headers).
fn bilingual(status: axum::http::StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// No request is worked on for more than [`REQUEST_TIMEOUT`]: it is answered 503, saying so.
async fn time_limit(req: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!("a request ran out of time");
            bilingual(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "This took too long on our side; please try again in a minute.\n处理超时，请稍后再试。\n",
            )
        }
    }
}

/// What a visitor sees if rendering a request panicked: the process goes on, the panic is
/// logged, and the answer is a plain 500 in both languages (the request's language is not
/// known here).
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "request panicked");
    bilingual(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; please try again in a minute.\n服务器出错，请稍后再试。\n",
    )
}

/// Files of the built site from memory; anything else is the app's own "not found" page.
async fn static_or_not_found(state: AppState, assets: Arc<Assets>, req: Request) -> Response {
    if let Some(resp) = assets.response(req.uri().path(), req.headers()) {
        return resp;
    }
    let options = state.leptos_options.clone();
    let registry = state.registry.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(registry.clone()),
        move || shell(options.clone()),
    );
    handler(req).await.into_response()
}

/// Requests for a host that is not the registry's get a plain 421, never the portal: under a
/// name an attacker points at it, the portal would otherwise vouch for that name's labels, and
/// every new name was a new entry in the page cache. `/healthz` answers on any host (load
/// balancers ask by address).
async fn host_check(State(hosts): State<Arc<OurHosts>>, req: Request, next: Next) -> Response {
    // HTTP/2 names the host in the request's authority, HTTP/1.1 in `Host`.
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    match host {
        Some(host) if hosts.serves(host) => next.run(req).await,
        _ if req.uri().path() == "/healthz" => next.run(req).await,
        _ => bilingual(
            axum::http::StatusCode::MISDIRECTED_REQUEST,
            "This server does not serve that host name.\n此服务器不提供该主机名的服务。\n",
        ),
    }
}

/// Headers a public service owes its visitors, and a fresh CSP nonce for each page.
/// `https` says whether the public origin is HTTPS (then browsers are told to keep to it).
async fn security_headers(
    State(https): State<Arc<bool>>,
    mut req: Request,
    next: Next,
) -> Response {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    // Never trust a nonce sent by the client.
    req.headers_mut().remove(NONCE_HEADER);
    if let Ok(v) = HeaderValue::from_str(&nonce) {
        req.headers_mut().insert(NONCE_HEADER, v);
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(v) = HeaderValue::from_str(&csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
    );
    if *https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages show live status and, later, a signed-in person's own data: a browser checks
    // again each time, and no shared cache keeps them.
    let is_html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn encoding_of(router: &Router, path: &str) -> Option<HeaderValue> {
        let req = Request::builder()
            .uri(path)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        resp.headers().get(header::CONTENT_ENCODING).cloned()
    }

    #[tokio::test]
    async fn the_compression_layer_leaves_static_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let noise = crate::assets::incompressible(64 * 1024);
        std::fs::write(dir.path().join("font.woff2"), &noise).unwrap();
        let assets = Arc::new(Assets::load(dir.path(), "pkg", "robopass").unwrap());
        let router = Router::new()
            .route("/page", get(|| async { "a page of text ".repeat(100) }))
            .fallback(move |req: Request| {
                let assets = assets.clone();
                async move { assets.response(req.uri().path(), req.headers()).unwrap() }
            })
            .layer(compression());
        assert_eq!(encoding_of(&router, "/page").await.unwrap(), "gzip");
        assert_eq!(encoding_of(&router, "/font.woff2").await, None);
    }
}
