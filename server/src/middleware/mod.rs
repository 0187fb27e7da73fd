//! What every request passes through, outermost last in [`crate::routes::router`]: the page
//! cache, the host check, security headers, compression, body and time limits, panics.

pub mod client;
pub mod forgery;
pub mod hosts;
pub mod limits;
pub mod page_cache;
pub mod security;
pub mod session;
