//! What every request handler can reach: the pool and the settings. No globals.

use crate::db::{Backend, Pool};
use leptos::prelude::LeptosOptions;

#[derive(Clone, Debug)]
pub struct Settings {
    /// Hosts (with port, when not 80/443) whose `/r/{ID}` links count as the registry's own.
    pub portal_hosts: Vec<String>,
    /// Mark cookies `Secure` (the public origin is HTTPS).
    pub secure_cookies: bool,
    /// Scheme and host that labels point to (`PUBLIC_ORIGIN`).
    pub public_origin: String,
    /// The keys labels are signed and checked with.
    pub keys: crate::labels::Keyring,
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: Pool,
    pub backend: Backend,
    pub settings: Settings,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
