//! What every request handler can reach: the pool and the settings. No globals.

use crate::db::{Backend, LookupPool, Pool};
use leptos::prelude::LeptosOptions;

#[derive(Clone, Debug)]
pub struct Settings {
    /// The registry's own hosts (with port, when not 80/443): the configured ones only, never
    /// a request's `Host` (requests for other hosts are refused before they reach a page).
    /// Only links to these count as the registry's.
    pub portal_hosts: Vec<String>,
    /// Mark cookies `Secure` (the public origin is HTTPS).
    pub secure_cookies: bool,
    /// Scheme and host that labels point to (`PUBLIC_ORIGIN`).
    pub public_origin: String,
    /// The keys labels are signed and checked with.
    pub keys: crate::labels::Keyring,
}

impl Settings {
    /// What scanned codes are judged against.
    pub fn registry(&self) -> crate::verdict::Registry<'_> {
        crate::verdict::Registry {
            hosts: &self.portal_hosts,
            keys: &self.keys,
            https_only: self.public_origin.starts_with("https://"),
        }
    }
}

/// What handlers share. axum hands every handler (and this app's fallback) its own copy of
/// the state for each request, so [`AppState`] keeps all of it behind one `Arc`: a copy is a
/// reference count, not a clone of every pool handle and setting (that was a tenth of the
/// server's time on its cheapest answers).
#[derive(Clone, Debug)]
pub struct AppState(std::sync::Arc<Shared>);

#[derive(Debug)]
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    /// Connections for the public lookup (profile page and API), the hottest path.
    pub lookups: LookupPool,
    pub backend: Backend,
    pub settings: Settings,
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
