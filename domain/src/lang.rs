//! The interface languages. Adding one is adding a locale file and a variant here.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

/// Name of the cookie that remembers the visitor's choice.
pub const LANG_COOKIE: &str = "lang";

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The BCP 47 tag, used for `<html lang>`, the cookie and the locale file name.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, shown in the switcher so a reader finds theirs.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    /// Accepts the tags a browser or a person may send: `zh`, `zh-cn`, `zh-Hans`, `en-GB`…
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "en" => Some(Lang::En),
            // Traditional-script variants are not served yet; Simplified is the closer fallback.
            "zh" => Some(Lang::ZhCn),
            _ => None,
        }
    }

    /// The language for a request: the remembered cookie first, then the browser's
    /// `Accept-Language` preferences, then English.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(lang) = cookie.and_then(Lang::from_tag) {
            return lang;
        }
        accept_language
            .map(preferences)
            .unwrap_or_default()
            .iter()
            .find_map(|tag| Lang::from_tag(tag))
            .unwrap_or_default()
    }
}

/// Entries of an `Accept-Language` header read at most; a browser sends a handful.
const MAX_PREFERENCES: usize = 32;

/// The language tags of an `Accept-Language` header, most wanted first (RFC 9110 §12.5.4).
/// The header is untrusted input: a weight that is not a number from 0 to 1 (`q=NaN`, `q=7`)
/// counts as 0, entries past [`MAX_PREFERENCES`] are ignored, and equal weights keep the
/// header's order. (The `accept-language` crate sorted by a comparison that NaN breaks, and
/// its sort panicked on 21 such entries.)
fn preferences(header: &str) -> Vec<&str> {
    let mut weighted: Vec<(&str, f32)> = header
        .split(',')
        .take(MAX_PREFERENCES)
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            if tag.is_empty() || tag == "*" {
                return None;
            }
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
                .filter(|q| (0.0..=1.0).contains(q))
                .unwrap_or(0.0);
            (q > 0.0).then_some((tag, q))
        })
        .collect();
    // Stable, and a total order: the header's order decides between equal weights.
    weighted.sort_by(|a, b| b.1.total_cmp(&a.1));
    weighted.into_iter().map(|(tag, _)| tag).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_languages() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh-Hans"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
    }

    #[test]
    fn cookie_beats_accept_language_which_beats_default() {
        assert_eq!(
            Lang::negotiate(Some("en"), Some("zh-CN,zh;q=0.9")),
            Lang::En
        );
        assert_eq!(
            Lang::negotiate(None, Some("fr;q=1,zh-CN;q=0.8,en;q=0.5")),
            Lang::ZhCn
        );
        assert_eq!(Lang::negotiate(Some("xx"), Some("de")), Lang::En);
        assert_eq!(Lang::negotiate(None, None), Lang::En);
    }

    #[test]
    fn hostile_accept_language_headers_are_read_without_panicking() {
        let nan = vec!["fr;q=NaN"; 40].join(",");
        assert_eq!(Lang::negotiate(None, Some(&nan)), Lang::En);
        let mixed = format!("{nan},zh-CN;q=0.9");
        // Past the first 32 entries nothing is read.
        assert_eq!(Lang::negotiate(None, Some(&mixed)), Lang::En);
        assert_eq!(
            Lang::negotiate(None, Some("en;q=NaN,zh;q=0.2,en;q=7")),
            Lang::ZhCn
        );
        assert_eq!(Lang::negotiate(None, Some("zh;q=0.5,en;q=0.5")), Lang::ZhCn);
        assert_eq!(Lang::negotiate(None, Some(";;;,,,q=,;q=1")), Lang::En);
    }
}
