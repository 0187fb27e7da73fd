//! The 29-character robot ID: country (2) · manufacturer (4) · model (6) · serial (17).
//! Parsed once at the edge; everything past it takes a `RobotId`, never a `&str`.

use crate::link::{self, looks_like_url, Owner};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Number of characters in a canonical ID.
pub const ID_LEN: usize = 29;

/// The four segments of an ID, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    Country,
    Manufacturer,
    Model,
    Serial,
}

impl Segment {
    pub const ALL: [Segment; 4] = [
        Segment::Country,
        Segment::Manufacturer,
        Segment::Model,
        Segment::Serial,
    ];

    /// Character range of the segment inside a canonical ID.
    pub const fn range(self) -> std::ops::Range<usize> {
        match self {
            Segment::Country => 0..2,
            Segment::Manufacturer => 2..6,
            Segment::Model => 6..12,
            Segment::Serial => 12..29,
        }
    }

    /// The segment holding the character at `index` (0-based); indexes past the end belong to
    /// the serial, since extra characters run on after it.
    pub fn at(index: usize) -> Segment {
        Segment::ALL
            .into_iter()
            .find(|s| s.range().contains(&index))
            .unwrap_or(Segment::Serial)
    }

    pub const fn key(self) -> &'static str {
        match self {
            Segment::Country => "country",
            Segment::Manufacturer => "manufacturer",
            Segment::Model => "model",
            Segment::Serial => "serial",
        }
    }
}

/// What kind of wrong character was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BadChar {
    /// A character that takes no space on screen (zero-width space, BOM, bidi control…).
    Invisible,
    /// A character from another script that looks like the ASCII character it imitates.
    LookAlike { imitates: char },
    /// Anything else that is not A–Z or 0–9.
    Other,
}

/// Why an input is not a robot ID. Positions are 1-based and count the characters of the ID
/// once separators are removed, so "position 7" is the 7th character of the 29.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum IdError {
    #[error("no ID was given")]
    Empty,
    #[error("{found} characters, 29 expected")]
    Length { found: usize, segment: Segment },
    #[error("position {position}: {ch:?} (U+{:04X}) is not A–Z or 0–9", *ch as u32)]
    Character {
        position: usize,
        ch: char,
        segment: Segment,
        bad: BadChar,
    },
    #[error("this link points to {host}, not to the registry")]
    ForeignUrl { host: String },
    #[error("this link is on the registry's site but does not name a robot")]
    NotAProfileUrl,
}

impl IdError {
    /// Stable machine name, used by the JSON API.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::Empty => "empty",
            IdError::Length { .. } => "length",
            IdError::Character { bad, .. } => match bad {
                BadChar::Invisible => "invisible_character",
                BadChar::LookAlike { .. } => "look_alike_character",
                BadChar::Other => "invalid_character",
            },
            IdError::ForeignUrl { .. } => "foreign_url",
            IdError::NotAProfileUrl => "not_a_profile_url",
        }
    }

    /// 1-based position of the offending character, where one exists.
    pub fn position(&self) -> Option<usize> {
        match self {
            IdError::Character { position, .. } => Some(*position),
            _ => None,
        }
    }

    pub fn segment(&self) -> Option<Segment> {
        match self {
            IdError::Character { segment, .. } | IdError::Length { segment, .. } => Some(*segment),
            _ => None,
        }
    }
}

/// A valid, canonical robot ID (29 characters, A–Z and 0–9). The inner string is private:
/// the only ways in are [`RobotId::parse`] and [`RobotId::parse_lookup`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RobotId(String);

/// In the API's description: the canonical form, as the API writes it.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RobotId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(format!("^[A-Z0-9]{{{ID_LEN}}}$")))
            .description(Some(
                "A robot ID in canonical form: 29 characters, A-Z and 0-9.",
            ))
            .examples(["CNSEJ5SE027600000000000000001"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RobotId {}

/// Characters a person may type between groups; they carry no meaning and are removed.
pub fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '-' | '.' | '·' | '_')
}

/// Characters that render as nothing (or almost nothing) and so can hide inside a pasted ID.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{E0000}'..='\u{E007F}')
}

/// The ASCII letter or digit a foreign character imitates. Only the look-alikes of the 36
/// allowed characters matter here, so a short table beats shipping a full confusables
/// database to every phone in the hydration bundle.
fn imitates(c: char) -> Option<char> {
    let code = c as u32;
    // Full-width forms: Ｃ, ｃ, ０…
    if (0xFF21..=0xFF3A).contains(&code) {
        return char::from_u32(code - 0xFF21 + 'A' as u32);
    }
    if (0xFF41..=0xFF5A).contains(&code) {
        return char::from_u32(code - 0xFF41 + 'A' as u32);
    }
    if (0xFF10..=0xFF19).contains(&code) {
        return char::from_u32(code - 0xFF10 + '0' as u32);
    }
    let ascii = match c {
        // Cyrillic
        'А' | 'а' => 'A',
        'В' | 'в' => 'B',
        'Е' | 'е' | 'Ё' => 'E',
        'З' => '3',
        'К' | 'к' => 'K',
        'М' | 'м' => 'M',
        'Н' | 'н' => 'H',
        'О' | 'о' => 'O',
        'Р' | 'р' => 'P',
        'С' | 'с' => 'C',
        'Т' | 'т' => 'T',
        'У' | 'у' => 'Y',
        'Х' | 'х' => 'X',
        'І' | 'і' | 'Ӏ' => 'I',
        'Ј' | 'ј' => 'J',
        'Ѕ' | 'ѕ' => 'S',
        // Greek
        'Α' | 'α' => 'A',
        'Β' | 'β' => 'B',
        'Ε' | 'ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'Ι' | 'ι' => 'I',
        'Κ' | 'κ' => 'K',
        'Μ' => 'M',
        'Ν' | 'ν' => 'N',
        'Ο' | 'ο' => 'O',
        'Ρ' | 'ρ' => 'P',
        'Τ' | 'τ' => 'T',
        'Υ' | 'υ' => 'Y',
        'Χ' | 'χ' => 'X',
        // Latin letters with marks or strokes that read as plain ones
        'Ø' | 'ø' | 'Ö' | 'ö' | 'Ó' | 'ó' | 'Ò' | 'ò' => 'O',
        'İ' | 'ı' | 'Í' | 'Ì' => 'I',
        'ℓ' | 'ǀ' => 'I',
        // Roman numerals and letter-like symbols
        'Ⅰ' => 'I',
        'Ⅴ' => 'V',
        'Ⅹ' => 'X',
        'Ⅽ' => 'C',
        'Ⅿ' => 'M',
        _ => return None,
    };
    Some(ascii)
}

fn classify(c: char) -> BadChar {
    if is_invisible(c) || (c.is_whitespace() && !c.is_ascii()) {
        BadChar::Invisible
    } else if let Some(imitates) = imitates(c) {
        BadChar::LookAlike { imitates }
    } else {
        BadChar::Other
    }
}

impl RobotId {
    /// Parse an ID typed or pasted by a person: case, spaces, dashes, dots and the display
    /// separator `·` are forgiven; anything else that is not A–Z or 0–9 is an error naming it.
    pub fn parse(input: &str) -> Result<RobotId, IdError> {
        let trimmed = input.trim_matches(|c: char| c.is_ascii_whitespace());
        if looks_like_url(trimmed) {
            // A link is never an ID, even one to the registry (only the lookup box follows
            // those): name its host.
            return Err(match link::owner::<&str>(trimmed, &[]) {
                Owner::Foreign { host } => IdError::ForeignUrl { host },
                Owner::Ours { .. } | Owner::NoHost => IdError::NotAProfileUrl,
            });
        }
        let mut tidy = String::with_capacity(ID_LEN);
        let mut count = 0usize;
        for c in trimmed.chars() {
            if is_separator(c) {
                continue;
            }
            if c.is_ascii_alphanumeric() {
                tidy.push(c.to_ascii_uppercase());
                count += 1;
                continue;
            }
            return Err(IdError::Character {
                position: count + 1,
                ch: c,
                segment: Segment::at(count),
                bad: classify(c),
            });
        }
        match count {
            0 => Err(IdError::Empty),
            ID_LEN => Ok(RobotId(tidy)),
            found if found > ID_LEN => Err(IdError::Length {
                found,
                segment: Segment::Serial,
            }),
            found => Err(IdError::Length {
                found,
                segment: Segment::at(found),
            }),
        }
    }

    /// Parse what the lookup box or a scanner gives: an ID in any of the forms [`parse`]
    /// accepts, or a link to a profile on one of `portal_hosts` (`https://host/r/ID`, or a
    /// label's `HTTPS://HOST/R/{ID}/{KID}.{SIG}`), by the one rule of [`link::owner`]. A link to
    /// any other host is refused: it may be a counterfeit label.
    ///
    /// [`parse`]: RobotId::parse
    pub fn parse_lookup<H: AsRef<str>>(
        input: &str,
        portal_hosts: &[H],
    ) -> Result<RobotId, IdError> {
        let trimmed = input.trim();
        if !looks_like_url(trimmed) && !trimmed.to_ascii_lowercase().contains("/r/") {
            return RobotId::parse(trimmed);
        }
        match link::owner(trimmed, portal_hosts) {
            Owner::NoHost => Err(IdError::NotAProfileUrl),
            Owner::Foreign { host } => Err(IdError::ForeignUrl { host }),
            Owner::Ours { path } => match link::profile_path(path) {
                Some((raw, _token)) => {
                    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
                    RobotId::parse(&decoded.replace('+', " "))
                }
                None => Err(IdError::NotAProfileUrl),
            },
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn segment(&self, segment: Segment) -> &str {
        &self.0[segment.range()]
    }

    pub fn country(&self) -> &str {
        self.segment(Segment::Country)
    }

    pub fn manufacturer_code(&self) -> &str {
        self.segment(Segment::Manufacturer)
    }

    pub fn model_code(&self) -> &str {
        self.segment(Segment::Model)
    }

    pub fn serial(&self) -> &str {
        self.segment(Segment::Serial)
    }

    /// The ID grouped for reading aloud: `CN·A1B2·HX0001·00000000000012345`.
    pub fn display(&self) -> String {
        Segment::ALL
            .iter()
            .map(|s| self.segment(*s))
            .collect::<Vec<_>>()
            .join("·")
    }

    /// Every ID one confusable swap away (0/O, 1/I, 5/S, 8/B, 2/Z): what a person who misread
    /// one character of a label may have meant.
    pub fn confusable_neighbours(&self) -> Vec<RobotId> {
        let bytes = self.0.as_bytes();
        (0..ID_LEN)
            .filter_map(|i| {
                let swap = confusable_partner(bytes[i] as char)?;
                let mut next = self.0.clone().into_bytes();
                next[i] = swap as u8;
                // Only ASCII swaps, so the bytes stay valid UTF-8.
                String::from_utf8(next).ok().map(RobotId)
            })
            .collect()
    }

    /// Build an ID from its four segments (used by the registry's own generators).
    pub fn from_parts(
        country: &str,
        manufacturer: &str,
        model: &str,
        serial: &str,
    ) -> Result<RobotId, IdError> {
        RobotId::parse(&format!("{country}{manufacturer}{model}{serial}"))
    }
}

/// The character a person is likely to confuse with `c`, if any.
pub fn confusable_partner(c: char) -> Option<char> {
    Some(match c {
        '0' => 'O',
        'O' => '0',
        '1' => 'I',
        'I' => '1',
        '5' => 'S',
        'S' => '5',
        '8' => 'B',
        'B' => '8',
        '2' => 'Z',
        'Z' => '2',
        _ => return None,
    })
}

impl fmt::Display for RobotId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RobotId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RobotId::parse(&value)
    }
}

impl From<RobotId> for String {
    fn from(value: RobotId) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ID: &str = "CNA1B2HX000100000000000012345";
    const HOSTS: &[&str] = &["robopass.example", "127.0.0.1:3000"];

    #[test]
    fn canonical_id_parses_to_itself() {
        assert_eq!(RobotId::parse(ID).unwrap().as_str(), ID);
    }

    #[test]
    fn messy_forms_are_forgiven() {
        for messy in [
            "cna1b2hx000100000000000012345",
            "  CN-A1B2-HX0001-00000000000012345 ",
            "CN.A1B2.HX0001.00000000000012345",
            "CN·A1B2·HX0001·00000000000012345",
            "cn a1b2 hx0001 00000 00000 00123 45",
        ] {
            assert_eq!(RobotId::parse(messy).unwrap().as_str(), ID, "{messy}");
        }
    }

    #[test]
    fn display_groups_segments() {
        assert_eq!(
            RobotId::parse(ID).unwrap().display(),
            "CN·A1B2·HX0001·00000000000012345"
        );
    }

    #[test]
    fn segments_are_sliced_right() {
        let id = RobotId::parse(ID).unwrap();
        assert_eq!(id.country(), "CN");
        assert_eq!(id.manufacturer_code(), "A1B2");
        assert_eq!(id.model_code(), "HX0001");
        assert_eq!(id.serial(), "00000000000012345");
    }

    #[test]
    fn short_id_says_how_many_characters_and_where_it_stops() {
        let err = RobotId::parse(&ID[..28]).unwrap_err();
        assert_eq!(
            err,
            IdError::Length {
                found: 28,
                segment: Segment::Serial
            }
        );
        assert_eq!(err.to_string(), "28 characters, 29 expected");
        let err = RobotId::parse("CNA1B").unwrap_err();
        assert_eq!(err.segment(), Some(Segment::Manufacturer));
    }

    #[test]
    fn long_id_blames_the_serial() {
        let err = RobotId::parse(&format!("{ID}7")).unwrap_err();
        assert_eq!(
            err,
            IdError::Length {
                found: 30,
                segment: Segment::Serial
            }
        );
    }

    #[test]
    fn empty_input_is_its_own_error() {
        assert_eq!(RobotId::parse("  - "), Err(IdError::Empty));
    }

    #[test]
    fn bad_character_is_positioned_in_its_segment() {
        let err = RobotId::parse("CNA1B2ØX000100000000000012345").unwrap_err();
        assert_eq!(
            err,
            IdError::Character {
                position: 7,
                ch: 'Ø',
                segment: Segment::Model,
                bad: BadChar::LookAlike { imitates: 'O' }
            }
        );
        assert!(err.to_string().starts_with("position 7: 'Ø'"));
    }

    #[test]
    fn position_ignores_separators() {
        let err = RobotId::parse("CN-A1B2-HX00#1").unwrap_err();
        assert_eq!(err.position(), Some(11));
        assert_eq!(err.segment(), Some(Segment::Model));
    }

    #[test]
    fn cyrillic_and_full_width_look_alikes_are_named_not_fixed() {
        let cyrillic = RobotId::parse("\u{0421}NA1B2HX000100000000000012345").unwrap_err();
        assert_eq!(
            cyrillic,
            IdError::Character {
                position: 1,
                ch: 'С',
                segment: Segment::Country,
                bad: BadChar::LookAlike { imitates: 'C' }
            }
        );
        let full_width = RobotId::parse("\u{FF23}NA1B2HX000100000000000012345").unwrap_err();
        assert!(matches!(
            full_width,
            IdError::Character {
                bad: BadChar::LookAlike { imitates: 'C' },
                ..
            }
        ));
        assert_eq!(cyrillic.code(), "look_alike_character");
    }

    #[test]
    fn invisible_characters_are_rejected() {
        for hidden in ['\u{200B}', '\u{FEFF}', '\u{202E}', '\u{00AD}', '\u{3000}'] {
            let input = format!("CNA1B2{hidden}HX000100000000000012345");
            let err = RobotId::parse(&input).unwrap_err();
            assert_eq!(
                err,
                IdError::Character {
                    position: 7,
                    ch: hidden,
                    segment: Segment::Model,
                    bad: BadChar::Invisible
                },
                "U+{:04X}",
                hidden as u32
            );
        }
    }

    #[test]
    fn portal_url_is_accepted_on_lookup() {
        for url in [
            format!("https://robopass.example/r/{ID}"),
            format!("http://127.0.0.1:3000/r/{ID}?s=abc"),
            "robopass.example/r/cn-a1b2-hx0001-00000000000012345".to_string(),
            "https://robopass.example/r/CN%C2%B7A1B2%C2%B7HX0001%C2%B700000000000012345"
                .to_string(),
            // A label's own text, as printed in its QR code.
            format!("HTTPS://ROBOPASS.EXAMPLE/R/{ID}/ABCD.EFGH2345"),
            format!("https://robopass.example:443/r/{ID}"),
        ] {
            assert_eq!(
                RobotId::parse_lookup(&url, HOSTS).unwrap().as_str(),
                ID,
                "{url}"
            );
        }
    }

    #[test]
    fn our_host_name_on_another_port_is_another_server() {
        assert_eq!(
            RobotId::parse_lookup(&format!("https://robopass.example:8080/r/{ID}"), HOSTS),
            Err(IdError::ForeignUrl {
                host: "robopass.example:8080".into()
            })
        );
    }

    #[test]
    fn foreign_url_is_refused_with_its_host() {
        let err =
            RobotId::parse_lookup(&format!("https://evil.example/r/{ID}"), HOSTS).unwrap_err();
        assert_eq!(
            err,
            IdError::ForeignUrl {
                host: "evil.example".into()
            }
        );
        // Plain parse never follows links either.
        assert!(matches!(
            RobotId::parse(&format!("https://robopass.example/r/{ID}")),
            Err(IdError::ForeignUrl { .. })
        ));
    }

    #[test]
    fn user_info_or_a_backslash_cannot_disguise_a_foreign_host() {
        // A browser opens evil.example for both.
        for link in [
            format!("https://robopass.example@evil.example/r/{ID}"),
            format!("https://evil.example\\@robopass.example/r/{ID}"),
        ] {
            assert_eq!(
                RobotId::parse_lookup(&link, HOSTS),
                Err(IdError::ForeignUrl {
                    host: "evil.example".into()
                }),
                "{link}"
            );
        }
    }

    #[test]
    fn look_alike_and_invisible_hosts_are_shown_by_their_codes() {
        // A Cyrillic "а", and a right-to-left override that would show "elpmaxe" reversed.
        for (link, shown) in [
            (
                format!("https://robopass.ex\u{430}mple/r/{ID}"),
                "robopass.ex[U+0430]mple",
            ),
            (
                format!("https://\u{202E}elpmaxe.ssaporob/r/{ID}"),
                "[U+202E]elpmaxe.ssaporob",
            ),
        ] {
            assert_eq!(
                RobotId::parse_lookup(&link, HOSTS),
                Err(IdError::ForeignUrl { host: shown.into() }),
                "{link}"
            );
            assert_eq!(
                RobotId::parse(&link),
                Err(IdError::ForeignUrl { host: shown.into() }),
                "{link}"
            );
        }
    }

    #[test]
    fn odd_hosts_are_refused_and_named() {
        let err =
            RobotId::parse_lookup(&format!("https://robo pass.example/r/{ID}"), HOSTS).unwrap_err();
        assert!(matches!(err, IdError::ForeignUrl { .. }), "{err:?}");
        assert_eq!(
            RobotId::parse_lookup(&format!("https:///r/{ID}"), HOSTS),
            Err(IdError::NotAProfileUrl)
        );
    }

    #[test]
    fn portal_url_without_profile_path_is_not_an_id() {
        assert_eq!(
            RobotId::parse_lookup("https://robopass.example/about", HOSTS),
            Err(IdError::NotAProfileUrl)
        );
    }

    #[test]
    fn confusable_neighbours_swap_one_character() {
        let id = RobotId::parse("CNA1B2HX000100000000000012345").unwrap();
        let n = id.confusable_neighbours();
        assert!(n
            .iter()
            .any(|x| x.as_str() == "CNAIB2HX000100000000000012345"));
        assert!(n
            .iter()
            .any(|x| x.as_str() == "CNA182HX000100000000000012345"));
        assert!(n
            .iter()
            .any(|x| x.as_str() == "CNA1BZHX000100000000000012345"));
        assert!(n
            .iter()
            .any(|x| x.as_str() == "CNA1B2HXO00100000000000012345"));
        assert!(n
            .iter()
            .any(|x| x.as_str() == "CNA1B2HX00010000000000001234S"));
        for other in &n {
            let diff = other
                .as_str()
                .chars()
                .zip(id.as_str().chars())
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(diff, 1);
        }
        // 'C', 'N', 'A', 'H', 'X', '3', '4' have no partner: 29 - 7 positions swap.
        assert_eq!(n.len(), 22);
    }

    #[test]
    fn serde_round_trip_goes_through_parse() {
        let id: RobotId = serde_json::from_str(&format!("\"{ID}\"")).unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{ID}\""));
        assert!(serde_json::from_str::<RobotId>("\"CN\"").is_err());
    }

    fn canonical() -> impl Strategy<Value = String> {
        "[A-Z0-9]{29}"
    }

    proptest! {
        #[test]
        fn every_canonical_string_parses_to_itself(s in canonical()) {
            prop_assert_eq!(RobotId::parse(&s).unwrap().to_string(), s.clone());
        }

        #[test]
        fn messy_forms_parse_to_the_canonical_one(
            s in canonical(),
            lower in proptest::collection::vec(any::<bool>(), 29),
            seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("."), Just("·"), Just(" - ")], 29),
        ) {
            let messy: String = s.chars().zip(lower.iter()).zip(seps.iter())
                .map(|((c, l), sep)| format!("{}{}", sep, if *l { c.to_ascii_lowercase() } else { c }))
                .collect();
            prop_assert_eq!(RobotId::parse(&messy).unwrap().to_string(), s.clone());
            let grouped = RobotId::parse(&s).unwrap().display();
            prop_assert_eq!(RobotId::parse(&grouped).unwrap().to_string(), s.clone());
            let url = format!("https://robopass.example/r/{}", grouped.to_lowercase());
            prop_assert_eq!(RobotId::parse_lookup(&url, HOSTS).unwrap().to_string(), s.clone());
        }

        #[test]
        fn nothing_else_parses(s in "\\PC{0,40}") {
            let tidy: String = s.trim_matches(|c: char| c.is_ascii_whitespace())
                .chars().filter(|c| !is_separator(*c)).collect();
            let valid = tidy.chars().count() == ID_LEN && tidy.chars().all(|c| c.is_ascii_alphanumeric());
            if !valid {
                prop_assert!(RobotId::parse(&s).is_err());
            }
        }

        #[test]
        fn near_misses_never_parse(s in canonical(), cut in 0usize..29, extra in "[A-Z0-9]{1,5}") {
            prop_assert!(RobotId::parse(&s[..cut]).is_err());
            let long = format!("{s}{extra}");
            prop_assert!(RobotId::parse(&long).is_err());
        }

        #[test]
        fn neighbours_are_valid_and_differ_by_one(s in canonical()) {
            let id = RobotId::parse(&s).unwrap();
            for n in id.confusable_neighbours() {
                let diff = n.as_str().bytes().zip(s.bytes()).filter(|(a, b)| a != b).count();
                prop_assert_eq!(diff, 1);
            }
        }
    }
}
