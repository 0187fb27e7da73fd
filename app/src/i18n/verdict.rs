//! Verdicts in words: what a scanned or typed code means, said in the reader's language. The
//! rules themselves (`domain::verdict`) carry machine names only.

use super::words::id_error_message;
use super::{tr, tr_with};
use crate::domain::link::OurHosts;
use crate::domain::verdict::{judge, Verdict, MAX_CODE_LEN};
use crate::domain::{Lang, RobotId};
use registry::labels::Keyring;
use serde::Serialize;

/// How much of a code is shown back to the person.
const SHOWN_LEN: usize = 200;

/// One code and its verdict, as the API returns it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// The code's text (shortened when long).
    pub found: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Where to go next on this site, when there is a robot to show.
    pub profile: Option<String>,
    /// The verdict in words, in the request's language.
    pub message: String,
}

fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(SHOWN_LEN).collect();
    if text.chars().count() > SHOWN_LEN {
        s.push('…');
    }
    s
}

/// The verdict in words, in `lang`; `text` is the code it was given.
pub fn message(verdict: &Verdict, lang: Lang, text: &str) -> String {
    match verdict {
        Verdict::VerifiedLabel { retired_key, .. } => {
            let mut m = tr(lang, "verdict.verified_label");
            if *retired_key {
                m.push(' ');
                m.push_str(&tr(lang, "verdict.retired_key"));
            }
            m
        }
        Verdict::NotIssued { problem, .. } => format!(
            "{} {}",
            tr(lang, "verdict.not_issued"),
            tr(lang, &format!("verdict.problem.{problem}"))
        ),
        Verdict::ForeignHost { host, .. } => {
            tr_with(lang, "verdict.foreign_host", &[("host", host)])
        }
        Verdict::RobotId { .. } => tr(lang, "verdict.robot_id"),
        Verdict::NotARobotId { problem } => {
            let why = match *problem {
                "other_scheme" | "not_a_profile_url" => {
                    tr(lang, &format!("verdict.problem.{problem}"))
                }
                _ => match RobotId::parse(text.trim()) {
                    Err(e) => id_error_message(lang, &e),
                    Ok(_) => String::new(),
                },
            };
            format!("{} {why}", tr(lang, "verdict.not_a_robot_id"))
        }
    }
}

/// Judge a code against the registry's `hosts` and `keys`, and say it in `lang`.
pub fn finding(text: &str, hosts: &OurHosts, keys: &Keyring, lang: Lang) -> Finding {
    let text: String = text.chars().take(MAX_CODE_LEN).collect();
    let verdict = judge(&text, hosts, |id, token| keys.verify(id, token));
    Finding {
        found: shown(&text),
        profile: verdict.next_page(),
        message: message(&verdict, lang, &text),
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_says_why_in_words() {
        let keys = Keyring::new(ed25519_dalek::SigningKey::from_bytes(&[3; 32]), vec![]);
        let hosts = OurHosts::new("https://robopass.example", []);
        let f = finding("hello, world", &hosts, &keys, Lang::En);
        assert_eq!(f.verdict.kind(), "not_a_robot_id");
        assert!(f.message.contains("Position 6"), "{}", f.message);
        let zh = finding("hello, world", &hosts, &keys, Lang::ZhCn);
        assert_ne!(zh.message, f.message);
    }
}
