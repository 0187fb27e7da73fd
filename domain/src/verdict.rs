//! What a scanned or typed code means: the verdict shown before the profile, as machine names
//! (the app says it in words). Whether a link is the registry's is the one rule of
//! [`crate::link`]; whether a label's signature is the registry's is the caller's to check (the
//! keys are the server's), handed in as `check`.

use crate::link::{self, OurHosts, Owner};
use crate::robot_id::RobotId;
use serde::Serialize;

/// The answer to "was this label issued by the registry?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigCheck {
    /// Signed by one of the registry's keys; `retired` when that key is no longer used to sign.
    Valid { kid: String, retired: bool },
    /// Well formed, but no key of the registry has this id.
    UnknownKey { kid: String },
    /// A key of the registry, but the signature does not match this ID.
    BadSignature { kid: String },
    /// Not of the `KID.SIG` form at all.
    Malformed,
}

impl SigCheck {
    /// Machine name of why a label is not the registry's (`None` when it is).
    pub fn problem(&self) -> Option<&'static str> {
        match self {
            SigCheck::Valid { .. } => None,
            SigCheck::UnknownKey { .. } => Some("unknown_key"),
            SigCheck::BadSignature { .. } => Some("bad_signature"),
            SigCheck::Malformed => Some("malformed_signature"),
        }
    }
}

/// Longest code text looked at (a QR code holds at most 2,953 bytes).
pub const MAX_CODE_LEN: usize = 3000;

/// The kinds of verdict, most trustworthy first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Text decoded as a form's value: `+` is a space, then percent-decoding, once.
fn form_decoded(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// A robot ID anywhere in a link: a path segment or a query value.
fn id_inside(text: &str) -> Option<RobotId> {
    let (path, query) = link::path_and_query(link::split(text).after);
    path.split(['/', '\\'])
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .chain(
            query
                .into_iter()
                .flat_map(|q| q.split('&'))
                .map(|pair| form_decoded(pair.split_once('=').map_or("", |(_, v)| v))),
        )
        .find_map(|s| RobotId::parse(&s).ok())
}

/// The scheme a text starts with (`name:` as URLs write it, lower case), if any.
fn scheme_of(text: &str) -> Option<String> {
    let (name, _) = text.split_once(':')?;
    let mut chars = name.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    (starts && rest).then(|| name.to_ascii_lowercase())
}

/// Judge the text of one code, exactly as given (no further percent-decoding): a robot ID, a
/// link to the registry (signed or not), a link elsewhere, or something else. `hosts` are the
/// registry's own; `check` says whether a label's `KID.SIG` signs an ID.
pub fn judge(text: &str, hosts: &OurHosts, check: impl Fn(&RobotId, &str) -> SigCheck) -> Verdict {
    let text = text.trim();
    match scheme_of(text).as_deref() {
        Some("http" | "https") => {}
        Some(_) => {
            return Verdict::NotARobotId {
                problem: "other_scheme",
            }
        }
        None => {
            // An ID, or `robopass.example/r/ID`: a link without its scheme.
            let id_error = match RobotId::parse(text) {
                Ok(id) => return Verdict::RobotId { id: id.to_string() },
                Err(e) => e,
            };
            let (first, _) = text.split_once('/').unwrap_or((text, ""));
            if !first.contains('.') || first.contains(' ') {
                return Verdict::NotARobotId {
                    problem: id_error.code(),
                };
            }
        }
    }
    // Ours or not by the one rule the lookup box follows too.
    let path = match hosts.owner(text) {
        Owner::Ours { path } => path,
        Owner::Foreign { host } => {
            return Verdict::ForeignHost {
                host,
                id: id_inside(text).map(|id| id.to_string()),
            }
        }
        Owner::NoHost => {
            return Verdict::NotARobotId {
                problem: "not_a_profile_url",
            }
        }
    };
    let Some((raw_id, token)) = link::profile_path(path) else {
        return Verdict::NotARobotId {
            problem: "not_a_profile_url",
        };
    };
    let decoded = percent_encoding::percent_decode_str(raw_id).decode_utf8_lossy();
    let id = match RobotId::parse(&decoded) {
        Ok(id) => id,
        Err(e) => return Verdict::NotARobotId { problem: e.code() },
    };
    // Plain http to an https registry: anyone on the network could change what it shows.
    if hosts.https() && link::split(text).scheme != "https" {
        return Verdict::NotIssued {
            id: id.to_string(),
            problem: "insecure_link",
            token: token.filter(|t| is_token_text(t)).map(str::to_string),
        };
    }
    registry_link(&id, token, check)
}

/// Could be a `KID.SIG` segment: base32 letters and digits and one dot, nothing to escape.
fn is_token_text(t: &str) -> bool {
    !t.is_empty() && t.len() <= 128 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// The verdict on a link to the registry's profile of `id`, signed with `token` or not
/// (`check` says whether it signs `id`).
pub fn registry_link(
    id: &RobotId,
    token: Option<&str>,
    check: impl Fn(&RobotId, &str) -> SigCheck,
) -> Verdict {
    let clean = token.filter(|t| is_token_text(t)).map(str::to_string);
    match token.map(|t| check(id, t)) {
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
