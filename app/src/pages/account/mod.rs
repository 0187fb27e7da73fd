//! People's accounts: sign in, sign up, the message sent, confirming an address, a password
//! changed or reset, and the account's own page. Each form posts to its own address; the
//! server's `routes::account` does the work and answers with a redirect or this page again.

pub mod confirm;
pub mod overview;
pub mod password;
pub mod reset;
pub mod sent;
pub mod sign_in;
pub mod sign_up;

use crate::request::{here, redirect_to, viewer, Viewer};

/// The signed-in person, or a redirect to the sign-in page that comes back here.
pub fn require_sign_in() -> Option<Viewer> {
    let who = viewer();
    if who.is_none() {
        redirect_to(&sign_in_link(&here()), 303);
    }
    who
}

/// The sign-in page, coming back to `next` afterwards.
pub fn sign_in_link(next: &str) -> String {
    with_next("/account/sign-in", next)
}

/// `path` with `?next=` (encoded) unless `next` is the home page.
pub fn with_next(path: &str, next: &str) -> String {
    if next == "/" || next.is_empty() {
        path.to_string()
    } else {
        let next = percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC);
        format!("{path}?next={next}")
    }
}

/// Whether the link with `token` (a reset link when `reset`, else a confirmation link) still
/// works, asked of the registry before the page is sent.
#[cfg(feature = "ssr")]
pub fn link_check(token: String, reset: bool) -> leptos::prelude::Resource<bool> {
    use leptos::prelude::*;
    use registry::accounts::{link_works, Link};
    let registry = use_context::<registry::Registry>();
    let link = if reset { Link::Reset } else { Link::Confirm };
    Resource::new_blocking(
        move || token.clone(),
        move |token| {
            let registry = registry.clone();
            async move {
                match registry {
                    Some(r) => link_works(r.database(), &token, link)
                        .await
                        .unwrap_or(false),
                    None => false,
                }
            }
        },
    )
}

#[cfg(not(feature = "ssr"))]
pub fn link_check(token: String, _reset: bool) -> leptos::prelude::Resource<bool> {
    leptos::prelude::Resource::new_blocking(move || token.clone(), |_| async { false })
}
