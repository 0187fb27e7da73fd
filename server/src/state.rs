//! What every request handler can reach: the registry and the options pages render with.
//! No globals.

use crate::mail::Mailer;
use crate::middleware::session::SessionCookie;
use leptos::prelude::LeptosOptions;
use registry::throttle::Throttle;
use registry::Registry;

/// What handlers share. axum hands every handler (and this app's fallback) its own copy of
/// the state for each request, so [`AppState`] keeps all of it behind one `Arc`: a copy is a
/// reference count, not a clone of every handle and setting (that was a tenth of the server's
/// time on its cheapest answers).
#[derive(Clone, Debug)]
pub struct AppState(std::sync::Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub registry: Registry,
    pub accounts: Accounts,
}

/// What signing in, signing up and their mail need beside the registry.
pub struct Accounts {
    pub cookie: SessionCookie,
    pub throttle: Throttle,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub mailer: Mailer,
}

impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accounts")
            .field("cookie", &self.cookie)
            .field("throttle", &self.throttle)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(std::sync::Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
