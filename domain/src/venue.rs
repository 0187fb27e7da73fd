//! A venue's public page (`/v/{slug}`): the robots deployed there now, each with its status
//! and what it is approved to do, and a summary line. Also its address in the portal, made
//! from its name.

use crate::status::Status;
use serde::{Deserialize, Serialize};

/// The longest slug made from a name (a suffix that keeps it unique may follow).
pub const MAX_SLUG_CHARS: usize = 60;

/// A venue's address in the portal made from its name: its ASCII letters and digits in lower
/// case, each run of anything else one `-`, at most [`MAX_SLUG_CHARS`]; `venue` when the name
/// has none (a name in Chinese characters only). The registry adds `-2`, `-3`… when another
/// venue has it already.
pub fn slug_of(name: &str) -> String {
    let mut slug = String::with_capacity(name.len().min(MAX_SLUG_CHARS));
    for c in name.chars() {
        if slug.len() >= MAX_SLUG_CHARS {
            break;
        }
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "venue".to_string()
    } else {
        slug.to_string()
    }
}

/// Whether `text` could be a venue's slug: what `/v/{slug}` looks up, and nothing else.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= MAX_SLUG_CHARS + 8
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// One robot deployed at the venue now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueRobot {
    pub id: String,
    /// The ID grouped for reading.
    pub display: String,
    pub model: String,
    pub status: Status,
    /// What it is approved to do here (the vocabulary's machine names), from its permitted role.
    pub roles: Vec<String>,
    /// When its next inspection is due (`YYYY-MM-DD`), if one was ever set.
    pub next_inspection_due: Option<String>,
}

/// How many of the venue's robots stand in each status, most trustworthy first, statuses
/// with none left out.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenueSummary {
    pub robots: usize,
    /// Pairs of a status and how many robots stand in it: `["in_service", 12]`.
    #[cfg_attr(feature = "openapi", schema(schema_with = by_status_schema))]
    pub by_status: Vec<(Status, usize)>,
    /// Whether every robot here is in service (all inspections current, no recall open,
    /// none suspended).
    pub all_in_service: bool,
}

/// `[status, count]` pairs, as serde writes a tuple.
#[cfg(feature = "openapi")]
fn by_status_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    use utoipa::PartialSchema;
    let status: Schema = match Status::schema() {
        RefOr::T(s) => s,
        RefOr::Ref(_) => ObjectBuilder::new().schema_type(Type::String).into(),
    };
    let count: Schema = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(1))
        .into();
    let pair = ArrayBuilder::new()
        .prefix_items([status, count])
        .min_items(Some(2))
        .max_items(Some(2));
    ArrayBuilder::new().items(pair).build()
}

impl VenueSummary {
    pub fn of(robots: &[VenueRobot]) -> VenueSummary {
        let by_status: Vec<(Status, usize)> = Status::ALL
            .into_iter()
            .map(|s| (s, robots.iter().filter(|r| r.status == s).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        VenueSummary {
            robots: robots.len(),
            all_in_service: robots.iter().all(|r| r.status == Status::InService),
            by_status,
        }
    }
}

/// Everything the venue's page shows, and its JSON (`/api/v1/venues/{slug}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VenuePage {
    pub slug: String,
    pub name: String,
    /// Machine name of the kind of place (`mall`, `hotel`, `museum`…).
    pub kind: String,
    pub address: String,
    pub city: String,
    /// The organisation that runs the venue.
    pub organisation: String,
    pub summary: VenueSummary,
    /// The robots deployed here now, by ID.
    pub robots: Vec<VenueRobot>,
    /// When this was read (`YYYY-MM-DDTHH:MM:SSZ`).
    pub as_of: String,
}

/// An open recall on one of a venue's robots (hazard and remedy as machine names).
#[derive(Clone, Debug, PartialEq)]
pub struct RecallAt {
    pub robot_id: String,
    pub display: String,
    pub reference: String,
    pub issued_on: String,
    pub hazard: String,
    pub remedy: String,
}

/// What a venue's own members see at `/v/{slug}/dashboard`: personal to them, never cached.
#[derive(Clone, Debug, Default)]
pub struct VenueDashboard {
    pub venue: VenuePage,
    /// The last day (`YYYY-MM-DD`) counted as due soon: 30 days from today.
    pub due_by: String,
    /// The robots whose next inspection falls due by `due_by` (or was never set), soonest
    /// first.
    pub due: Vec<VenueRobot>,
    pub recalls: Vec<RecallAt>,
    /// Incident reports on its robots still being handled, newest first.
    pub reports: Vec<crate::incident::Summary>,
}

/// Days counted as "due soon" on a venue's dashboard.
pub const DUE_WITHIN_DAYS: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_the_name_s_words_in_lower_case() {
        assert_eq!(
            slug_of("Grand Plaza Shanghai Mall"),
            "grand-plaza-shanghai-mall"
        );
        assert_eq!(slug_of("  Café & Co. (No. 2) "), "caf-co-no-2");
        assert_eq!(slug_of("上海博物馆"), "venue");
        assert_eq!(slug_of("上海 Museum 馆"), "museum");
        let long = slug_of(&"a".repeat(200));
        assert_eq!(long.len(), MAX_SLUG_CHARS);
        for name in ["Grand Plaza", "上海", "x--y", "-a-"] {
            assert!(is_slug(&slug_of(name)), "{name}");
        }
        assert!(!is_slug("") && !is_slug("Grand") && !is_slug("a/b") && !is_slug("a.b"));
    }

    #[test]
    fn the_summary_counts_each_status_once() {
        let robot = |status| VenueRobot {
            id: "x".into(),
            display: "x".into(),
            model: "m".into(),
            status,
            roles: Vec::new(),
            next_inspection_due: None,
        };
        let all = [robot(Status::InService), robot(Status::InService)];
        let s = VenueSummary::of(&all);
        assert!(s.all_in_service);
        assert_eq!(s.by_status, vec![(Status::InService, 2)]);
        let mixed = [robot(Status::InService), robot(Status::Suspended)];
        let s = VenueSummary::of(&mixed);
        assert!(!s.all_in_service);
        assert_eq!(s.robots, 2);
        assert_eq!(
            s.by_status,
            vec![(Status::InService, 1), (Status::Suspended, 1)]
        );
        assert!(VenueSummary::of(&[]).all_in_service);
    }
}
