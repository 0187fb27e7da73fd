//! Translation helpers. The locale is passed on every call (never the process-wide global),
//! because one server renders many languages at once.

#[cfg(feature = "ssr")]
pub mod verdict;
pub mod words;

use crate::domain::Lang;
use leptos::prelude::*;

/// The translation of `key` in `lang`.
pub fn tr(lang: Lang, key: &str) -> String {
    rust_i18n::t!(key, locale = lang.code()).into_owned()
}

/// The translation of `key` with `%{name}` placeholders filled in.
pub fn tr_with(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(&tr(lang, key), args)
}

/// `template` (a translation) with its `%{name}` placeholders filled in.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    args.iter().fold(template.to_string(), |s, (name, value)| {
        s.replace(&format!("%{{{name}}}"), value)
    })
}

/// The language of the page being rendered.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// The language a request asks for: the remembered cookie, then `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn lang_from_headers(headers: &http::HeaderMap) -> Lang {
    let cookie = crate::request::cookie(headers, crate::domain::lang::LANG_COOKIE);
    let accept = headers
        .get(http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::negotiate(cookie, accept)
}

/// The language of the request being rendered. Pages render on the server only; islands
/// get their words from the server, already translated.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|p| lang_from_headers(&p.headers))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        Lang::default()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    fn flatten(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&key, v, out);
                }
            }
            other => {
                out.insert(
                    prefix.to_string(),
                    other.as_str().unwrap_or_default().to_string(),
                );
            }
        }
    }

    fn load(lang: &str) -> BTreeMap<String, String> {
        let path = format!("{}/locales/{lang}.toml", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut out = BTreeMap::new();
        flatten("", &value, &mut out);
        out
    }

    fn placeholders(s: &str) -> BTreeSet<String> {
        regex::Regex::new(r"%\{(\w+)\}")
            .unwrap()
            .captures_iter(s)
            .map(|c| c[1].to_string())
            .collect()
    }

    /// Every key the code asks for, written literally or built from a known family.
    fn used_keys() -> BTreeSet<String> {
        let mut keys = BTreeSet::new();
        let literal = regex::Regex::new(r#"tr(?:_with)?\(\s*lang,\s*"([a-z0-9_.]+)""#).unwrap();
        let section = regex::Regex::new(r#"section\("([a-z_]+)"\)"#).unwrap();
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(src)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                keys.extend(literal.captures_iter(&text).map(|c| c[1].to_string()));
                keys.extend(
                    section
                        .captures_iter(&text)
                        .map(|c| format!("profile.{}", &c[1])),
                );
            }
        }
        for s in crate::domain::Status::ALL
            .iter()
            .map(|s| s.as_str())
            .chain(["not_registered", "malformed"])
        {
            keys.insert(format!("status.{s}.title"));
            keys.insert(format!("status.{s}.detail"));
        }
        for p in crate::domain::Problem::ALL {
            keys.insert(format!("problem.{p}"));
        }
        for k in [
            "verified_label",
            "not_issued",
            "foreign_host",
            "robot_id",
            "not_a_robot_id",
        ] {
            keys.insert(format!("verdict.title.{k}"));
        }
        for p in crate::domain::verdict::PROBLEMS {
            keys.insert(format!("verdict.problem.{p}"));
        }
        for s in crate::domain::Segment::ALL {
            keys.insert(format!("segment.{}", s.key()));
        }
        for level in 0..=5 {
            keys.insert(format!("autonomy.{level}"));
        }
        for r in ["pass", "pass_with_remarks", "fail"] {
            keys.insert(format!("result.{r}"));
        }
        keys.insert("country.CN".into());
        // Account pages' notes, picked by name.
        for k in ["after_confirmed", "after_reset"] {
            keys.insert(format!("account.sign_in.{k}"));
        }
        for k in ["done_password", "done_confirmed", "done_resent"] {
            keys.insert(format!("account.overview.{k}"));
        }
        for k in ["sign_up", "reset"] {
            keys.insert(format!("account.sent.{k}"));
        }
        // The server's mail.
        for what in ["confirm", "existing", "reset", "unknown"] {
            for part in ["subject", "body", "ignore"] {
                keys.insert(format!("mail.{what}_{part}"));
            }
        }
        {
            use crate::domain::vocabulary::*;
            // The words a profile shows. Parts and incident categories get theirs with the
            // pages that show them (filing, incident reports).
            for family in [
                RobotType::keys(),
                StopMethod::keys(),
                VenueKind::keys(),
                Hazard::keys(),
                Remedy::keys(),
                Role::keys(),
                Sensor::keys(),
                Purpose::keys(),
                Storage::keys(),
                OrgRole::keys(),
                IncidentCategory::keys(),
                Severity::keys(),
                IncidentStatus::keys(),
                IncidentEventKind::keys(),
                ContactPreference::keys(),
            ] {
                keys.extend(family);
            }
            // Incident pages: words picked by a step's or a severity's name, and the page
            // words their `t(…)` helpers ask for.
            for s in IncidentStatus::all() {
                keys.insert(format!("incident.done.{}", s.name()));
                if *s != IncidentStatus::Submitted {
                    keys.insert(format!("incident.step.{}", s.name()));
                }
            }
            for s in Severity::all() {
                keys.insert(format!("incident.severity_hint.{}", s.name()));
            }
            keys.insert("incident.done.added".into());
            keys.insert("incident.done.confirmed".into());
            for k in [
                "status",
                "details",
                "robot",
                "operator",
                "occurred_at",
                "place",
                "category",
                "severity",
                "near_miss",
                "description",
                "submitted",
                "reporter",
                "reporter_name",
                "reporter_email",
                "reporter_phone",
                "contact_preference",
                "share_contact",
                "history",
                "by_reporter",
                "back_to_inbox",
                "yes",
                "no",
                "add.title",
                "add.note",
                "add.note_hint",
                "add.submit",
                "step.title",
                "step.to",
                "step.note",
                "step.note_hint",
                "step.submit",
                "confirm.title",
                "confirm.intro",
                "confirm.note",
                "confirm.submit",
                "new.photos",
            ] {
                keys.insert(format!("incident.{k}"));
            }
            for k in [
                "title",
                "intro",
                "robot",
                "robot_hint",
                "occurred_at",
                "occurred_at_hint",
                "place",
                "place_hint",
                "category",
                "severity",
                "near_miss",
                "near_miss_hint",
                "description",
                "description_hint",
                "photos",
                "contact_preference",
                "phone",
                "phone_hint",
                "share_contact",
                "share_contact_hint",
                "submit",
            ] {
                keys.insert(format!("incident.new.{k}"));
            }
            for k in [
                "title",
                "nothing",
                "new_reports",
                "to_confirm",
                "changes",
                "all",
                "none_yet",
            ] {
                keys.insert(format!("inbox.{k}"));
            }
        }
        keys
    }

    #[test]
    fn every_language_has_every_key_with_the_same_placeholders() {
        let en = load("en");
        for lang in crate::domain::Lang::ALL {
            let other = load(lang.code());
            let missing: Vec<_> = en.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !en.contains_key(*k)).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{} has keys English lacks: {extra:?}",
                lang.code()
            );
            for (k, v) in &en {
                assert_eq!(
                    placeholders(v),
                    placeholders(&other[k]),
                    "{}: {k}",
                    lang.code()
                );
                assert!(!other[k].trim().is_empty(), "{}: {k} is empty", lang.code());
            }
        }
    }

    #[test]
    fn every_key_the_code_uses_exists() {
        let en = load("en");
        let missing: Vec<_> = used_keys()
            .into_iter()
            .filter(|k| !en.contains_key(k))
            .collect();
        assert!(
            missing.is_empty(),
            "keys used but not translated: {missing:?}"
        );
    }

    #[test]
    fn translation_is_looked_up_per_call() {
        use crate::domain::Lang;
        assert_eq!(super::tr(Lang::En, "site.name"), "Robot Passport");
        assert_ne!(super::tr(Lang::ZhCn, "site.name"), "Robot Passport");
    }

    /// The words islands receive (translated on the server) are all translations: a key
    /// misspelt in their constructors would show the key itself.
    #[test]
    fn the_words_handed_to_islands_are_all_translated() {
        use crate::domain::Lang;
        let looks_like_a_key = regex::Regex::new(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$").unwrap();
        fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::String(s) => out.push(s.clone()),
                serde_json::Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
                serde_json::Value::Object(o) => o.values().for_each(|v| strings(v, out)),
                _ => {}
            }
        }
        for lang in Lang::ALL {
            let mut said = Vec::new();
            strings(
                &serde_json::to_value(crate::i18n::words::LookupWords::new(lang)).unwrap(),
                &mut said,
            );
            strings(
                &serde_json::to_value(crate::islands::camera::CameraWords::new(lang)).unwrap(),
                &mut said,
            );
            assert_eq!(said.len(), 24, "every field is checked");
            for s in said {
                assert!(
                    !looks_like_a_key.is_match(&s),
                    "{lang:?}: {s} is not translated"
                );
            }
        }
    }
}
