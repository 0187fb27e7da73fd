//! Words the server translates and hands over whole: why an input is not an ID, and
//! everything the lookup island shows.

use super::{fill, tr};
use crate::domain::robot_id::BadChar;
use crate::domain::{IdError, Lang, Problem, Segment};
use serde::Serialize;

/// The words that explain why an input is not an ID, in one language. The server translates
/// them and hands them to the lookup island (see [`crate::islands::lookup::LookupSetup`]), so the
/// browser carries no translation tables (they were a third of the page's wasm).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IdErrorWords {
    pub(crate) empty: String,
    pub(crate) length: String,
    pub(crate) invisible: String,
    pub(crate) look_alike: String,
    pub(crate) character: String,
    pub(crate) foreign_url: String,
    pub(crate) not_a_profile_url: String,
    /// The segments' names, in the order of [`Segment::ALL`].
    pub(crate) segments: [String; 4],
}

impl IdErrorWords {
    pub fn new(lang: Lang) -> Self {
        let t = |key: &str| tr(lang, &format!("id_error.{key}"));
        IdErrorWords {
            empty: t("empty"),
            length: t("length"),
            invisible: t("invisible"),
            look_alike: t("look_alike"),
            character: t("character"),
            foreign_url: t("foreign_url"),
            not_a_profile_url: t("not_a_profile_url"),
            segments: Segment::ALL.map(|s| tr(lang, &format!("segment.{}", s.key()))),
        }
    }

    /// A person-readable explanation of why an input is not an ID.
    pub fn explain(&self, err: &IdError) -> String {
        let segment = |s: Segment| {
            let i = Segment::ALL.iter().position(|x| *x == s).unwrap_or(0);
            self.segments[i].as_str()
        };
        match err {
            IdError::Empty => self.empty.clone(),
            IdError::Length { found, segment: s } => fill(
                &self.length,
                &[("found", &found.to_string()), ("segment", segment(*s))],
            ),
            IdError::Character {
                position,
                ch,
                segment: s,
                bad,
            } => {
                let code = format!("U+{:04X}", *ch as u32);
                let (template, imitates) = match bad {
                    BadChar::Invisible => (&self.invisible, String::new()),
                    BadChar::LookAlike { imitates } => (&self.look_alike, imitates.to_string()),
                    BadChar::Other => (&self.character, String::new()),
                };
                fill(
                    template,
                    &[
                        ("position", &position.to_string()),
                        ("segment", segment(*s)),
                        ("ch", &ch.to_string()),
                        ("code", &code),
                        ("imitates", &imitates),
                    ],
                )
            }
            IdError::ForeignUrl { host } => fill(&self.foreign_url, &[("host", host)]),
            IdError::NotAProfileUrl => self.not_a_profile_url.clone(),
        }
    }
}

/// A person-readable explanation, in `lang`, of why an input is not an ID.
pub fn id_error_message(lang: Lang, err: &IdError) -> String {
    IdErrorWords::new(lang).explain(err)
}

/// Everything the lookup island shows, in the page's language (see [`IdErrorWords`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LookupWords {
    pub(crate) label: String,
    pub(crate) hint: String,
    pub(crate) submit: String,
    pub(crate) errors: IdErrorWords,
}

impl LookupWords {
    pub fn new(lang: Lang) -> Self {
        LookupWords {
            label: tr(lang, "lookup.label"),
            hint: tr(lang, "lookup.hint"),
            submit: tr(lang, "lookup.submit"),
            errors: IdErrorWords::new(lang),
        }
    }
}

/// Why a request could not be done, in `lang` (`problem.{name}`).
pub fn problem_message(lang: Lang, problem: Problem) -> String {
    tr(lang, &format!("problem.{problem}"))
}

/// The registry's error, in `lang`: what the person can do about it, never its cause.
#[cfg(feature = "ssr")]
pub fn error_message(lang: Lang, error: &registry::Error) -> String {
    use registry::Error;
    match error {
        Error::BadId(e) => id_error_message(lang, e),
        Error::Invalid(p) | Error::NotFound(p) | Error::Forbidden(p) | Error::Conflict(p) => {
            problem_message(lang, *p)
        }
        Error::Unauthenticated => problem_message(lang, Problem::Unauthenticated),
        Error::TooMany { retry_after_s } => super::tr_with(
            lang,
            "problem.too_many_attempts",
            &[("seconds", &retry_after_s.to_string())],
        ),
        Error::Unavailable => problem_message(lang, Problem::Unavailable),
    }
}
