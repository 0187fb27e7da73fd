//! The one rule for "is this link the registry's own?", used by the lookup box (in the browser
//! and on the server) and by every verdict on a scanned or pasted code (`/verify`,
//! `/api/v1/verify`, the photo scan), so they cannot disagree.
//!
//! A link is ours only when its host and port are exactly one of the registry's hosts, written
//! as a browser would send them: letters, digits, dots, dashes and an IPv6 literal; no user
//! name before an `@`, no percent-encoding, no other script. Anything else, even a name that a
//! browser would turn into ours, is foreign: the registry never prints such a link, so a label
//! that carries one was not made by it. A link's host ends where a browser ends it (at `/`,
//! `\`, `?` or `#`). The scheme's default port is the same as none (`https://host:443/`).
//!
//! Parsed here rather than with the `url` crate, whose international-domain tables would add
//! hundreds of kilobytes to the hydration bundle every phone downloads.

/// Whose a link is, by [`owner`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner<'a> {
    /// One of the registry's hosts; `path` is the link's path (no query, no fragment).
    Ours { path: &'a str },
    /// Somewhere else: the host (and port) as it may be shown to a person, every character
    /// that is not printable ASCII written as its code ([`shown_host`]).
    Foreign { host: String },
    /// A scheme but no host (`https:///r/…`).
    NoHost,
}

/// Whether `text` looks like a web address rather than an ID: it has `://`, or starts with
/// `http:` or `https:`.
pub fn looks_like_url(s: &str) -> bool {
    let lower = s.get(..6).unwrap_or(s).to_ascii_lowercase();
    s.contains("://") || lower.starts_with("http:") || lower.starts_with("https:")
}

/// Whose the link `text` is (a link without a scheme is read as `https://`), against
/// `hosts`: the registry's host names, with the port when it is not the scheme's default
/// (on the server, [`OurHosts::names`]).
pub fn owner<'a, H: AsRef<str>>(text: &'a str, hosts: &[H]) -> Owner<'a> {
    let Split {
        scheme,
        authority,
        after,
    } = split(text);
    // `user@host`: only what follows the last `@` is the host, and a link with a user name in
    // it is never ours (it is how a foreign host is dressed up as ours).
    let (user, host_port) = match authority.rfind('@') {
        Some(i) => (true, &authority[i + 1..]),
        None => (false, authority),
    };
    let host_port = host_port.to_ascii_lowercase();
    if host_port.is_empty() {
        return if user {
            Owner::Foreign {
                host: shown_host(authority),
            }
        } else {
            Owner::NoHost
        };
    }
    let plain = host_port
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if user || !plain {
        return Owner::Foreign {
            host: shown_host(&host_port),
        };
    }
    let host_port = without_default_port(&host_port, &scheme);
    if hosts
        .iter()
        .any(|h| h.as_ref().eq_ignore_ascii_case(host_port))
    {
        Owner::Ours {
            path: path_and_query(after).0,
        }
    } else {
        Owner::Foreign {
            host: host_port.to_string(),
        }
    }
}

/// A link cut where a browser cuts it: the scheme (lower case; `https` when the link has none),
/// the authority (up to the first `/`, `\`, `?` or `#`: browsers end the host at a backslash
/// too, `https://evil.example\@portal/`), and what follows it.
pub struct Split<'a> {
    pub scheme: String,
    pub authority: &'a str,
    pub after: &'a str,
}

/// `text` (trimmed) cut into its [`Split`] parts.
pub fn split(text: &str) -> Split<'_> {
    let text = text.trim();
    let (scheme, rest) = match text.find("://") {
        Some(i) => (text[..i].to_ascii_lowercase(), &text[i + 3..]),
        None => ("https".to_string(), text),
    };
    let end = rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len());
    Split {
        scheme,
        authority: &rest[..end],
        after: &rest[end..],
    }
}

/// What follows a link's authority, as its path and its query (without `?`); the fragment is
/// dropped.
pub fn path_and_query(after: &str) -> (&str, Option<&str>) {
    let after = after.split('#').next().unwrap_or_default();
    match after.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (after, None),
    }
}

/// `host:port` without the port when it is `scheme`'s default (or empty), as browsers send it.
fn without_default_port<'s>(host_port: &'s str, scheme: &str) -> &'s str {
    let Some(i) = host_port.rfind(':') else {
        return host_port;
    };
    if host_port[i..].contains(']') {
        // The colons of an IPv6 literal, no port.
        return host_port;
    }
    let default = match scheme {
        "https" => "443",
        "http" => "80",
        _ => return host_port,
    };
    match &host_port[i + 1..] {
        "" => &host_port[..i],
        port if port == default => &host_port[..i],
        _ => host_port,
    }
}

/// The registry's own hosts and the origin its labels point to, worked out once from the
/// configuration. Every "is this ours" question asks it: links in the lookup box and in scanned
/// codes ([`OurHosts::owner`]) and the `Host` a request names ([`OurHosts::serves`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OurHosts {
    /// Scheme and host, e.g. `https://robopass.example`, without a trailing `/`.
    origin: String,
    /// Lower case, without the origin scheme's default port, each once; the origin's first.
    names: Vec<String>,
}

impl OurHosts {
    /// `origin`: what labels print (`https://robopass.example`); `more`: further hosts (`host`
    /// or `host:port`) the registry answers on under the same scheme.
    pub fn new(origin: &str, more: impl IntoIterator<Item = String>) -> OurHosts {
        let origin = origin.trim_end_matches('/').to_string();
        let mut hosts = OurHosts {
            origin,
            names: Vec::new(),
        };
        let first = hosts.printed_host().to_string();
        for host in std::iter::once(first).chain(more) {
            let host = host.to_ascii_lowercase();
            let host = without_default_port(&host, hosts.scheme()).to_string();
            if !host.is_empty() && !hosts.names.contains(&host) {
                hosts.names.push(host);
            }
        }
        hosts
    }

    /// The origin labels point to, e.g. `https://robopass.example`.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn scheme(&self) -> &str {
        self.origin.split_once("://").map_or("https", |(s, _)| s)
    }

    /// The registry is reached over HTTPS: cookies are `Secure`, browsers are told to keep to
    /// HTTPS, and a plain `http://` link to it is not a genuine label.
    pub fn https(&self) -> bool {
        self.scheme().eq_ignore_ascii_case("https")
    }

    /// The host (and port) printed under a label's code: where a person can check by hand.
    pub fn printed_host(&self) -> &str {
        self.origin
            .split_once("://")
            .map_or(self.origin.as_str(), |(_, h)| h)
    }

    /// The host names that are the registry's (with the port when not the default).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whose the link `text` is, by [`owner`] against these hosts.
    pub fn owner<'a>(&self, text: &'a str) -> Owner<'a> {
        owner(text, &self.names)
    }

    /// Whether a request naming `host` (its `Host` header or HTTP/2 authority) is for the
    /// registry: one of its names in any case, with or without the scheme's default port.
    /// Headers are untrusted: anything longer than a host name can be is refused unread.
    pub fn serves(&self, host: &str) -> bool {
        if host.len() > 260 {
            return false;
        }
        // Asked on every request: compared without making a lower-case copy.
        let host = without_default_port(host, self.scheme());
        self.names.iter().any(|n| n.eq_ignore_ascii_case(host))
    }
}

/// A path on this site and nothing else: `/` then anything but a second `/` or `\`, and no
/// control characters or spaces (browsers drop tabs and newlines, which would turn `/\t/host`
/// into `//host`, another site), at most 2,048 bytes. Where a form or a switch sends a person
/// back to (`next`), so that it cannot be used to send people elsewhere.
pub fn is_local_path(next: &str) -> bool {
    let mut chars = next.chars();
    next.len() <= 2048
        && chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && next.chars().all(|c| c.is_ascii_graphic())
}

/// The robot ID and label token (`KID.SIG`) of a profile path: `/r/{ID}`, `/R/{ID}` (as
/// printed on labels, in capitals for a smaller QR code) or either with `/{TOKEN}` after it;
/// empty segments are skipped as browsers and servers do. The ID is still percent-encoded.
pub fn profile_path(path: &str) -> Option<(&str, Option<&str>)> {
    let mut segments = path.split(['/', '\\']).filter(|s| !s.is_empty());
    let r = segments.next()?;
    if !r.eq_ignore_ascii_case("r") {
        return None;
    }
    let id = segments.next()?;
    let token = segments.next();
    segments.next().is_none().then_some((id, token))
}

/// A foreign host as it may be shown to a person: every character that is not printable ASCII
/// written as its code (`[U+0430]`), so that a look-alike letter, an invisible character or a
/// bidirectional override cannot make it read as the registry's own name.
pub fn shown_host(host: &str) -> String {
    let mut out = String::with_capacity(host.len());
    for c in host.chars().take(253) {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTS: &[&str] = &["robopass.example", "127.0.0.1:3000", "[::1]:3000"];

    fn ours(text: &str) -> bool {
        matches!(owner(text, HOSTS), Owner::Ours { .. })
    }

    fn foreign(text: &str) -> String {
        match owner(text, HOSTS) {
            Owner::Foreign { host } => host,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn our_hosts_exactly_with_the_default_port_or_none() {
        for link in [
            "https://robopass.example/r/X",
            "HTTPS://ROBOPASS.EXAMPLE/R/X",
            "https://robopass.example:443/r/X",
            "https://robopass.example:/r/X",
            "http://robopass.example:80/r/X",
            "robopass.example/r/X",
            "http://127.0.0.1:3000/r/X",
            "http://[::1]:3000/r/X",
        ] {
            assert!(ours(link), "{link}");
        }
        assert_eq!(
            owner("https://robopass.example/r/X?s=1#top", HOSTS),
            Owner::Ours { path: "/r/X" }
        );
    }

    #[test]
    fn another_port_user_name_encoding_or_script_is_foreign() {
        for (link, shown) in [
            ("https://robopass.example:8080/r/X", "robopass.example:8080"),
            ("http://robopass.example:443/r/X", "robopass.example:443"),
            ("https://127.0.0.1/r/X", "127.0.0.1"),
            ("https://robopass.example@evil.example/r/X", "evil.example"),
            ("https://me@robopass.example/r/X", "robopass.example"),
            (
                "https://evil.example\\@robopass.example/r/X",
                "evil.example",
            ),
            ("https://robopass%2Eexample/r/X", "robopass%2eexample"),
            (
                "https://robopass.ex\u{430}mple/r/X",
                "robopass.ex[U+0430]mple",
            ),
            (
                "https://\u{202E}elpmaxe.ssaporob/r/X",
                "[U+202E]elpmaxe.ssaporob",
            ),
            ("https://robo pass.example/r/X", "robo[U+0020]pass.example"),
            (
                "https://robopass.example.evil.example/r/X",
                "robopass.example.evil.example",
            ),
        ] {
            assert_eq!(foreign(link), shown, "{link}");
        }
        assert_eq!(owner("https:///r/X", HOSTS), Owner::NoHost);
    }

    #[test]
    fn our_hosts_are_worked_out_once_from_the_origin_and_the_extra_hosts() {
        let hosts = OurHosts::new(
            "https://robopass.example/",
            [
                "Portal.Internal:443".to_string(),
                "robopass.example".into(),
                "127.0.0.1:3000".into(),
            ],
        );
        assert_eq!(hosts.origin(), "https://robopass.example");
        assert_eq!(hosts.printed_host(), "robopass.example");
        assert!(hosts.https());
        assert_eq!(
            hosts.names(),
            ["robopass.example", "portal.internal", "127.0.0.1:3000"]
        );
        for host in [
            "robopass.example",
            "ROBOPASS.example:443",
            "portal.internal",
            "127.0.0.1:3000",
        ] {
            assert!(hosts.serves(host), "{host}");
        }
        for host in [
            "robopass.example:80",
            "robopass.example:8080",
            "127.0.0.1",
            "evil.example",
            "",
        ] {
            assert!(!hosts.serves(host), "{host}");
        }
        assert!(!hosts.serves(&"a".repeat(261)));
        assert!(matches!(
            hosts.owner("https://portal.internal/r/X"),
            Owner::Ours { .. }
        ));
        let local = OurHosts::new("http://127.0.0.1:3000", ["localhost:3000".to_string()]);
        assert!(!local.https());
        assert_eq!(local.printed_host(), "127.0.0.1:3000");
        assert!(local.serves("localhost:3000") && !local.serves("localhost"));
        let v6 = OurHosts::new("http://[::1]:80", []);
        assert_eq!(v6.names(), ["[::1]"]);
        assert!(v6.serves("[::1]:80") && v6.serves("[::1]"));
    }

    #[test]
    fn profile_paths_with_or_without_a_token() {
        assert_eq!(profile_path("/r/ID"), Some(("ID", None)));
        assert_eq!(
            profile_path("/R/ID/ABCD.SIG"),
            Some(("ID", Some("ABCD.SIG")))
        );
        assert_eq!(profile_path("//r//ID/"), Some(("ID", None)));
        assert_eq!(profile_path("/r/ID/T/more"), None);
        assert_eq!(profile_path("/about"), None);
        assert_eq!(profile_path("/r"), None);
    }
}
