//! Build the application from its settings, and run it.

use crate::assets::Assets;
use crate::config::Config;
use crate::middleware::page_cache::PageCache;
use crate::state::{AppState, Shared};
use anyhow::Context;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use leptos::prelude::*;
use registry::{Opening, Registry};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

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
/// Connections open at once, at most; more wait to be accepted.
const MAX_CONNECTIONS: usize = 8_192;
/// Largest request head (request line and headers) a connection may send.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long requests in flight may finish after SIGTERM before the process exits anyway.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);
/// CPU time a photo may take to read (see [`crate::routes::scan::Decoder`]). A 12-megapixel phone
/// photo takes 0.2–0.45 s, the worst case (no code: every size tried) included.
pub const DECODE_CPU_BUDGET: std::time::Duration = std::time::Duration::from_millis(1200);

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
        let decoder = crate::routes::scan::Decoder::new(decoder_exe, DECODE_CPU_BUDGET);
        let mailer = crate::mail::Mailer::new(&config.accounts, registry.hosts().origin())?;
        let accounts = crate::state::Accounts {
            cookie: crate::middleware::session::SessionCookie::new(registry.hosts().https()),
            throttle: config.accounts.throttle,
            trusted_proxies: config.accounts.trusted_proxies.clone(),
            mailer,
        };
        let state = AppState::new(Shared {
            leptos_options,
            registry,
            accounts,
        });
        let page_cache = (config.page_cache_ms > 0).then(|| {
            PageCache::new(
                std::time::Duration::from_millis(config.page_cache_ms),
                config.page_cache_bytes,
                state.registry.clone(),
            )
        });
        let page_cache = page_cache.map(Arc::new);
        let router = crate::routes::router(
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
        let router = self.router.layer(middleware::from_fn_with_state(
            in_flight.clone(),
            count_in_flight,
        ));
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
            let (stream, peer) = tokio::select! {
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
            // Each request learns the socket's peer (the client, or the proxy in front).
            let peer = crate::middleware::client::Peer(peer);
            let service =
                hyper_util::service::TowerToHyperService::new(router.clone().map_request(
                    move |req: axum::http::Request<hyper::body::Incoming>| {
                        let mut req = req.map(Body::new);
                        req.extensions_mut().insert(peer);
                        req
                    },
                ));
            let conn = builder
                .serve_connection_with_upgrades(TokioIo::new(stream), service)
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
