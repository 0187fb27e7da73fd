//! Who is at the other end: the client's address, for counting sign-in attempts. It is the
//! socket's peer, or, when that peer is one of `TRUSTED_PROXIES`, the nearest address in
//! `X-Forwarded-For` that is not a trusted proxy. The header is untrusted otherwise: anyone
//! can send it.

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// The socket's peer, put on each request by the server's accept loop.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// The client's address of the request whose head is `parts`, behind `trusted` proxies.
pub fn client_of(parts: &axum::http::request::Parts, trusted: &[ipnet::IpNet]) -> IpAddr {
    let peer = parts
        .extensions
        .get::<Peer>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |p| p.0.ip());
    client_address(&parts.headers, peer, trusted)
}

/// The client's address for a request from `peer` with these headers.
pub fn client_address(headers: &HeaderMap, peer: IpAddr, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Proxies append the address they received from: read from the right, past our own.
    let mut client = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(value) = value.to_str() else {
            return client;
        };
        for hop in value.rsplit(',') {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                return client;
            };
            client = ip;
            if !is_trusted(&ip) {
                return client;
            }
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let trusted: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.1, 203.0.113.9, 10.0.0.2"),
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let stranger: IpAddr = "192.0.2.5".parse().unwrap();
        // A stranger's header is ignored.
        assert_eq!(client_address(&h, stranger, &trusted), stranger);
        // Through our proxies, the first address they did not add themselves.
        assert_eq!(
            client_address(&h, proxy, &trusted),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        // Without the header, or with rubbish in it, the proxy itself (never a made-up one).
        assert_eq!(client_address(&HeaderMap::new(), proxy, &trusted), proxy);
        h.insert("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_address(&h, proxy, &trusted), proxy);
        // Nobody trusted: the header never counts.
        assert_eq!(client_address(&h, proxy, &[]), proxy);
    }
}
