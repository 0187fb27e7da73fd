//! What a scanned or typed code means: the verdict shown before the profile.

use crate::domain::link::{OurHosts, Owner};
use crate::domain::RobotId;
use registry::labels::{Keyring, SigCheck};
use serde::Serialize;

/// Longest code text looked at (a QR code holds at most 2,953 bytes).
pub const MAX_CODE_LEN: usize = 3000;

/// The kinds of verdict, most trustworthy first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The registry's own label with a valid signature.
    VerifiedLabel {
        id: String,
        key_id: String,
        retired_key: bool,
        /// The label's `KID.SIG`, to carry on to the profile.
        #[serde(skip)]
        token: String,
    },
    /// A link to the registry's profile that the registry did not sign (`problem` says how).
    NotIssued {
        id: String,
        problem: &'static str,
        /// The link's signature segment, when it had one (checked only if it is plain base32).
        #[serde(skip)]
        token: Option<String>,
    },
    /// A link to somewhere else; `id` when a robot ID is inside it.
    ForeignHost { host: String, id: Option<String> },
    /// Plain text that is a robot ID.
    RobotId { id: String },
    /// Anything else; `problem` is a machine name, the message says it for people.
    NotARobotId { problem: &'static str },
}

/// A robot ID anywhere in a link: a path segment or a query value.
fn id_inside(url: &url::Url) -> Option<RobotId> {
    url.path_segments()
        .into_iter()
        .flatten()
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .chain(url.query_pairs().map(|(_, v)| v.into_owned()))
        .find_map(|s| RobotId::parse(&s).ok())
}

/// Judge the text of one code, exactly as given (no further percent-decoding).
/// `hosts` are the registry's own; `keys` check the signatures of its labels.
pub fn judge(text: &str, hosts: &OurHosts, keys: &Keyring) -> Verdict {
    let text = text.trim();
    let parsed = url::Url::parse(text).or_else(|e| {
        // `robopass.example/r/ID`: a link without its scheme.
        let (first, _) = text.split_once('/').unwrap_or((text, ""));
        if first.contains('.') && !first.contains(' ') {
            url::Url::parse(&format!("https://{text}"))
        } else {
            Err(e)
        }
    });
    let url = match parsed {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        Ok(_) => {
            return Verdict::NotARobotId {
                problem: "other_scheme",
            }
        }
        Err(_) => {
            return match RobotId::parse(text) {
                Ok(id) => Verdict::RobotId { id: id.to_string() },
                Err(e) => Verdict::NotARobotId { problem: e.code() },
            }
        }
    };
    // Ours or not by the one rule the lookup box follows too (`domain::link`).
    match hosts.owner(text) {
        Owner::Ours { .. } => {}
        Owner::Foreign { host } => {
            return Verdict::ForeignHost {
                host,
                id: id_inside(&url).map(|id| id.to_string()),
            }
        }
        Owner::NoHost => {
            return Verdict::NotARobotId {
                problem: "not_a_profile_url",
            }
        }
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let (raw_id, token) = match segments.as_slice() {
        [r, id] if r.eq_ignore_ascii_case("r") => (*id, None),
        [r, id, token] if r.eq_ignore_ascii_case("r") => (*id, Some(*token)),
        _ => {
            return Verdict::NotARobotId {
                problem: "not_a_profile_url",
            }
        }
    };
    let decoded = percent_encoding::percent_decode_str(raw_id).decode_utf8_lossy();
    let id = match RobotId::parse(&decoded) {
        Ok(id) => id,
        Err(e) => return Verdict::NotARobotId { problem: e.code() },
    };
    // Plain http to an https registry: anyone on the network could change what it shows.
    if hosts.https() && url.scheme() != "https" {
        return Verdict::NotIssued {
            id: id.to_string(),
            problem: "insecure_link",
            token: token.filter(|t| is_token_text(t)).map(str::to_string),
        };
    }
    registry_link(&id, token, keys)
}

/// Could be a `KID.SIG` segment: base32 letters and digits and one dot, nothing to escape.
fn is_token_text(t: &str) -> bool {
    !t.is_empty() && t.len() <= 128 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// The verdict on a link to the registry's profile of `id`, signed with `token` or not.
pub fn registry_link(id: &RobotId, token: Option<&str>, keys: &Keyring) -> Verdict {
    let clean = token.filter(|t| is_token_text(t)).map(str::to_string);
    match token.map(|t| keys.verify(id, t)) {
        Some(SigCheck::Valid { kid, retired }) => Verdict::VerifiedLabel {
            id: id.to_string(),
            key_id: kid,
            retired_key: retired,
            token: clean.unwrap_or_default(),
        },
        Some(check) => Verdict::NotIssued {
            id: id.to_string(),
            problem: check.problem().unwrap_or("bad_signature"),
            token: clean,
        },
        None => Verdict::NotIssued {
            id: id.to_string(),
            problem: "no_signature",
            token: None,
        },
    }
}

impl Verdict {
    /// Where this verdict leads on this site: the profile, with the label's check on top.
    /// A signed link keeps its signature segment, so the profile checks it again itself; a
    /// verdict that cannot be written in the address that way is the unsigned warning.
    pub fn next_page(&self) -> Option<String> {
        match self {
            Verdict::VerifiedLabel { id, token, .. } => Some(format!("/r/{id}/{token}")),
            Verdict::NotIssued {
                id,
                token: Some(t),
                problem,
            } if *problem != "insecure_link" => Some(format!("/r/{id}/{t}")),
            Verdict::NotIssued { id, .. } => Some(format!("/r/{id}?label=unsigned")),
            Verdict::RobotId { id } => Some(format!("/r/{id}")),
            Verdict::ForeignHost { .. } | Verdict::NotARobotId { .. } => None,
        }
    }

    /// Machine name of the verdict.
    pub fn kind(&self) -> &'static str {
        match self {
            Verdict::VerifiedLabel { .. } => "verified_label",
            Verdict::NotIssued { .. } => "not_issued",
            Verdict::ForeignHost { .. } => "foreign_host",
            Verdict::RobotId { .. } => "robot_id",
            Verdict::NotARobotId { .. } => "not_a_robot_id",
        }
    }
}

/// Every problem name a verdict can carry, for the translation check.
pub const PROBLEMS: [&str; 7] = [
    "no_signature",
    "insecure_link",
    "unknown_key",
    "bad_signature",
    "malformed_signature",
    "other_scheme",
    "not_a_profile_url",
];

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;

    const ID: &str = "CNSEJ5SE027600000000000000001";

    fn ring() -> Keyring {
        Keyring::new(SigningKey::from_bytes(&[3; 32]), vec![])
    }

    /// A registry reached over plain http (a link's scheme does not matter).
    fn hosts() -> OurHosts {
        OurHosts::new("http://127.0.0.1:3000", ["robopass.example".to_string()])
    }

    /// A registry reached over https: a plain http link to it is not genuine.
    fn https_hosts() -> OurHosts {
        OurHosts::new("https://robopass.example", ["127.0.0.1:3000".to_string()])
    }

    fn judged(text: &str) -> Verdict {
        judge(text, &hosts(), &ring())
    }

    #[test]
    fn an_official_label_is_verified() {
        let id = RobotId::parse(ID).unwrap();
        let url = ring().label_url("https://robopass.example", &id);
        assert!(matches!(judged(&url), Verdict::VerifiedLabel { .. }));
        // What a phone's browser makes of it after following it.
        assert!(matches!(
            judged(&url.replace("HTTPS://ROBOPASS.EXAMPLE", "https://robopass.example")),
            Verdict::VerifiedLabel { .. }
        ));
        let next = judged(&url).next_page().unwrap();
        assert_eq!(next, format!("/r/{ID}/{}", ring().sign(&id)));
    }

    #[test]
    fn our_link_without_a_valid_signature_was_not_issued() {
        assert_eq!(
            judged(&format!("https://robopass.example/r/{ID}")),
            Verdict::NotIssued {
                id: ID.into(),
                problem: "no_signature",
                token: None
            }
        );
        assert_eq!(
            judged(&format!("https://robopass.example/r/{ID}"))
                .next_page()
                .unwrap(),
            format!("/r/{ID}?label=unsigned")
        );
        let other = Keyring::new(SigningKey::from_bytes(&[4; 32]), vec![]);
        let forged = other.label_url("http://127.0.0.1:3000", &RobotId::parse(ID).unwrap());
        assert!(matches!(
            judged(&forged),
            Verdict::NotIssued {
                problem: "unknown_key",
                ..
            }
        ));
    }

    #[test]
    fn a_link_elsewhere_is_foreign_and_names_the_host() {
        assert_eq!(
            judged(&format!("https://robopass-verify.example.com/r/{ID}")),
            Verdict::ForeignHost {
                host: "robopass-verify.example.com".into(),
                id: Some(ID.into())
            }
        );
        // The userinfo trick: the host is what follows `@`.
        assert!(matches!(
            judged(&format!("https://robopass.example@evil.example/r/{ID}")),
            Verdict::ForeignHost { host, .. } if host == "evil.example"
        ));
        assert_eq!(
            judged("https://shop.example/buy?robot=none"),
            Verdict::ForeignHost {
                host: "shop.example".into(),
                id: None
            }
        );
    }

    #[test]
    fn only_our_exact_host_port_and_scheme_count() {
        let id = RobotId::parse(ID).unwrap();
        let label = ring().label_url("https://robopass.example", &id);
        // Another port on our host name is another server.
        let other_port = label.replace("ROBOPASS.EXAMPLE", "ROBOPASS.EXAMPLE:8080");
        assert!(
            matches!(judged(&other_port), Verdict::ForeignHost { host, .. } if host == "robopass.example:8080")
        );
        // Plain http to an https registry: not a genuine label, whatever its signature.
        let (https, keys) = (https_hosts(), ring());
        let insecure = label.replace("HTTPS://", "HTTP://");
        let v = judge(&insecure, &https, &keys);
        assert!(
            matches!(
                v,
                Verdict::NotIssued {
                    problem: "insecure_link",
                    ..
                }
            ),
            "{v:?}"
        );
        assert_eq!(v.next_page().unwrap(), format!("/r/{ID}?label=unsigned"));
        assert!(matches!(
            judge(&label, &https, &keys),
            Verdict::VerifiedLabel { .. }
        ));
    }

    /// One table of links, through the lookup box's rule and the verdict's: they agree on
    /// whose each link is, the robot it names, and the host a foreign one is named by.
    #[test]
    fn the_lookup_box_and_the_verdict_follow_one_rule() {
        let id = RobotId::parse(ID).unwrap();
        let label = ring().label_url("https://robopass.example", &id);
        let ours = [
            label.clone(),
            format!("https://robopass.example/r/{ID}"),
            format!("https://robopass.example:443/R/{ID}"),
            format!("robopass.example/r/{ID}"),
            format!("http://127.0.0.1:3000/r/{ID}"),
        ];
        let foreign = [
            (
                label.replace("ROBOPASS.EXAMPLE", "ROBOPASS.EXAMPLE:8080"),
                "robopass.example:8080",
            ),
            (format!("https://127.0.0.1/r/{ID}"), "127.0.0.1"),
            (
                format!("https://me@robopass.example/r/{ID}"),
                "robopass.example",
            ),
            (
                format!("https://robopass.example@evil.example/r/{ID}"),
                "evil.example",
            ),
            (
                format!("https://evil.example\\@robopass.example/r/{ID}"),
                "evil.example",
            ),
            (
                format!("https://robopass%2Eexample/r/{ID}"),
                "robopass%2eexample",
            ),
            (
                format!("https://robopass.ex\u{430}mple/r/{ID}"),
                "robopass.ex[U+0430]mple",
            ),
        ];
        let hosts = hosts();
        for link in &ours {
            assert_eq!(
                RobotId::parse_lookup(link, hosts.names()),
                Ok(id.clone()),
                "{link}"
            );
            let v = judged(link);
            assert!(
                matches!(&v, Verdict::VerifiedLabel { id: i, .. } | Verdict::NotIssued { id: i, .. } if i == ID),
                "{link}: {v:?}"
            );
        }
        for (link, host) in &foreign {
            assert_eq!(
                RobotId::parse_lookup(link, hosts.names()),
                Err(crate::domain::IdError::ForeignUrl {
                    host: host.to_string()
                }),
                "{link}"
            );
            assert_eq!(
                judged(link),
                Verdict::ForeignHost {
                    host: host.to_string(),
                    id: Some(ID.into())
                },
                "{link}"
            );
        }
    }

    #[test]
    fn plain_text_is_an_id_or_says_why_not() {
        assert_eq!(
            judged("cnsej5se0276-00000000000000001"),
            Verdict::RobotId { id: ID.into() }
        );
        assert!(matches!(
            judged("WIFI:S:cafe;T:WPA;P:secret;;"),
            Verdict::NotARobotId { .. }
        ));
        assert!(matches!(
            judged("hello, world"),
            Verdict::NotARobotId {
                problem: "invalid_character"
            }
        ));
        let f = crate::i18n::verdict::finding(
            "hello, world",
            &https_hosts(),
            &ring(),
            crate::domain::Lang::En,
        );
        assert!(f.message.contains("Position 6"), "{}", f.message);
        assert!(matches!(
            judged("https://robopass.example/about"),
            Verdict::NotARobotId {
                problem: "not_a_profile_url"
            }
        ));
    }
}
