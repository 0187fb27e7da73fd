//! The host check: requests name one of the registry's own hosts ([`OurHosts`]) or get a 421.

use super::limits::bilingual;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use domain::link::OurHosts;
use std::sync::Arc;

/// Requests for a host that is not the registry's get a plain 421, never the portal: under a
/// name an attacker points at it, the portal would otherwise vouch for that name's labels, and
/// every new name was a new entry in the page cache. `/healthz` answers on any host (load
/// balancers ask by address).
pub async fn host_check(State(hosts): State<Arc<OurHosts>>, req: Request, next: Next) -> Response {
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
