//! Incident reports: their references, the steps of their workflow and the limits of what a
//! report may hold. No I/O: the registry stores reports, the app shows them.

use crate::vocabulary::{IncidentCategory, IncidentEventKind, IncidentStatus, Severity};

/// Photos one report may carry, over all its additions.
pub const MAX_PHOTOS: usize = 5;
/// Longest description or note, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest place, in characters.
pub const MAX_PLACE_CHARS: usize = 200;
/// Longest phone number, in characters.
pub const MAX_PHONE_CHARS: usize = 40;

/// Hours the registry's local time (China Standard Time) is ahead of UTC: the time a reporter
/// types is local, and shown back as such.
pub const LOCAL_UTC_OFFSET_H: i8 = 8;

/// A report as one reader may see it: what they may not see is absent, not hidden.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub reference: String,
    pub robot_id: String,
    pub model_name: String,
    pub operator_name: Option<String>,
    /// Local time, `YYYY-MM-DD HH:MM`, as typed.
    pub occurred_at: String,
    pub place: String,
    pub category: IncidentCategory,
    pub severity: Severity,
    pub near_miss: bool,
    pub description: String,
    /// Machine name of a `ContactPreference`.
    pub contact_preference: &'static str,
    pub share_contact: bool,
    pub status: IncidentStatus,
    /// Local time, `YYYY-MM-DD HH:MM`, as the three below.
    pub confirmed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The reporter's details, for those who may see them.
    pub reporter: Option<Reporter>,
    pub events: Vec<Event>,
    /// What the reader may do with it.
    pub may: Permissions,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reporter {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

/// One step of a report's history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Local time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub kind: IncidentEventKind,
    pub note: String,
    pub by: Actor,
    /// The photos this step added (their ids).
    pub photos: Vec<i64>,
}

/// Who took a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The reporter: their name for those who may see it.
    Reporter(Option<String>),
    /// Someone acting for an organisation.
    Organisation { person: String, org: String },
}

/// What a reader may do with a report (each checked again on the server when done).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Permissions {
    /// Add information and photos (the reporter).
    pub add: bool,
    /// Move it through the workflow (the robot's operator), to these steps.
    pub steps: &'static [IncidentStatus],
    /// Confirm it into the robot's record (a regulator, once).
    pub confirm: bool,
}

/// A line of a list of reports.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = IncidentSummary))]
pub struct Summary {
    pub reference: String,
    pub robot_id: String,
    pub category: &'static str,
    pub severity: &'static str,
    pub status: &'static str,
    pub confirmed: bool,
    pub created_at: String,
    pub updated_at: String,
    /// `updated_at` in local time, as pages show it.
    #[serde(skip)]
    pub updated_local: String,
}

/// What awaits a person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Inbox {
    /// New reports on robots their organisation operates.
    pub new_reports: Vec<Summary>,
    /// Reports awaiting a regulator's confirmation.
    pub to_confirm: Vec<Summary>,
    /// Their own reports that others have moved on.
    pub changes: Vec<Summary>,
    /// Every report they may see, newest first.
    pub all: Vec<Summary>,
}

/// A report's public reference, `INC-{year}-{number:06}`: the year it was filed and its number.
pub fn reference(year: i32, number: i64) -> String {
    format!("INC-{year}-{number:06}")
}

/// The year and number a reference names (upper or lower case), if it is one.
pub fn parse_reference(text: &str) -> Option<(i32, i64)> {
    let text = text.trim();
    if text.len() > 32 {
        return None;
    }
    let mut parts = text.split('-');
    let (prefix, year, number) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !prefix.eq_ignore_ascii_case("INC") {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if year.len() != 4 || !digits(year) || number.len() < 6 || !digits(number) {
        return None;
    }
    Some((year.parse().ok()?, number.parse().ok().filter(|n| *n > 0)?))
}

impl IncidentStatus {
    /// Where a report in this status may go next (by the robot's operator).
    pub fn next_steps(self) -> &'static [IncidentStatus] {
        use IncidentStatus::*;
        match self {
            Submitted => &[Acknowledged, Dismissed],
            Acknowledged => &[Investigating, Dismissed],
            Investigating => &[Resolved, Dismissed],
            Resolved | Dismissed => &[],
        }
    }

    /// Whether the workflow has ended.
    pub fn is_closed(self) -> bool {
        self.next_steps().is_empty()
    }

    /// The event that records a move to this status.
    pub fn event(self) -> IncidentEventKind {
        match self {
            IncidentStatus::Submitted => IncidentEventKind::Submitted,
            IncidentStatus::Acknowledged => IncidentEventKind::Acknowledged,
            IncidentStatus::Investigating => IncidentEventKind::Investigating,
            IncidentStatus::Resolved => IncidentEventKind::Resolved,
            IncidentStatus::Dismissed => IncidentEventKind::Dismissed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Word;

    #[test]
    fn references_read_back_and_nothing_else_reads() {
        assert_eq!(reference(2026, 123), "INC-2026-000123");
        assert_eq!(parse_reference("INC-2026-000123"), Some((2026, 123)));
        assert_eq!(parse_reference("inc-2026-1234567"), Some((2026, 1_234_567)));
        for bad in [
            "",
            "INC-2026-",
            "INC-26-000123",
            "INC-2026-000000",
            "INC-2026-12",
            "INC-2026-00012a",
            "INC-2026-000123-1",
            "ABC-2026-000123",
            "INC-2026-+00123",
            "INC-2026-99999999999999999999",
        ] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_workflow_only_moves_forward_and_ends() {
        use IncidentStatus::*;
        for s in IncidentStatus::all() {
            assert!(!s.next_steps().contains(&Submitted), "{}", s.name());
            assert!(!s.next_steps().contains(s), "{}", s.name());
        }
        assert_eq!(Submitted.next_steps(), &[Acknowledged, Dismissed]);
        assert!(Resolved.is_closed() && Dismissed.is_closed() && !Investigating.is_closed());
    }
}
