//! The status a person can trust: derived from the lifecycle record, never typed in.

use serde::{Deserialize, Serialize};

/// Where a robot stands in its life, as folded from its lifecycle entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    NotDeployed,
    Deployed,
    Suspended,
    Scrapped,
}

impl Lifecycle {
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::NotDeployed => "not_deployed",
            Lifecycle::Deployed => "deployed",
            Lifecycle::Suspended => "suspended",
            Lifecycle::Scrapped => "scrapped",
        }
    }

    pub fn from_db(s: &str) -> Option<Lifecycle> {
        Some(match s {
            "not_deployed" => Lifecycle::NotDeployed,
            "deployed" => Lifecycle::Deployed,
            "suspended" => Lifecycle::Suspended,
            "scrapped" => Lifecycle::Scrapped,
            _ => return None,
        })
    }
}

/// The public status of a registered robot. Machine names (serde) are used by the API and CLI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    InService,
    NotDeployed,
    InspectionOverdue,
    RecallOpen,
    Suspended,
    Scrapped,
}

/// The facts of the record that decide the status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusFacts<'a> {
    pub lifecycle: Lifecycle,
    pub open_recalls: usize,
    /// ISO date (`YYYY-MM-DD`) the next inspection is due, if one was ever set.
    pub next_inspection_due: Option<&'a str>,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::InService,
        Status::NotDeployed,
        Status::InspectionOverdue,
        Status::RecallOpen,
        Status::Suspended,
        Status::Scrapped,
    ];

    /// When several conditions hold, the one that tells a bystander most urgently what to do
    /// wins: scrapped (must not run at all) > suspended (regulator says stop) > open recall
    /// (known hazard) > inspection overdue > in service / not deployed. An overdue inspection
    /// only matters while the robot is deployed; a recall matters wherever the robot is.
    /// `today` is an ISO date; ISO dates compare correctly as strings.
    pub fn derive(facts: &StatusFacts<'_>, today: &str) -> Status {
        match facts.lifecycle {
            Lifecycle::Scrapped => Status::Scrapped,
            Lifecycle::Suspended => Status::Suspended,
            _ if facts.open_recalls > 0 => Status::RecallOpen,
            Lifecycle::Deployed => match facts.next_inspection_due {
                Some(due) if due < today => Status::InspectionOverdue,
                None => Status::InspectionOverdue,
                _ => Status::InService,
            },
            Lifecycle::NotDeployed => Status::NotDeployed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::InService => "in_service",
            Status::NotDeployed => "not_deployed",
            Status::InspectionOverdue => "inspection_overdue",
            Status::RecallOpen => "recall_open",
            Status::Suspended => "suspended",
            Status::Scrapped => "scrapped",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether a bystander should treat the robot as not allowed to operate.
    pub fn must_not_operate(self) -> bool {
        matches!(self, Status::Suspended | Status::Scrapped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(lifecycle: Lifecycle, recalls: usize, due: Option<&str>) -> StatusFacts<'_> {
        StatusFacts {
            lifecycle,
            open_recalls: recalls,
            next_inspection_due: due,
        }
    }

    const TODAY: &str = "2026-11-23";

    #[test]
    fn deployed_with_future_inspection_is_in_service() {
        let f = facts(Lifecycle::Deployed, 0, Some("2027-01-01"));
        assert_eq!(Status::derive(&f, TODAY), Status::InService);
        let due_today = facts(Lifecycle::Deployed, 0, Some(TODAY));
        assert_eq!(Status::derive(&due_today, TODAY), Status::InService);
    }

    #[test]
    fn deployed_past_due_is_overdue() {
        let f = facts(Lifecycle::Deployed, 0, Some("2026-11-22"));
        assert_eq!(Status::derive(&f, TODAY), Status::InspectionOverdue);
        let never = facts(Lifecycle::Deployed, 0, None);
        assert_eq!(Status::derive(&never, TODAY), Status::InspectionOverdue);
    }

    #[test]
    fn overdue_does_not_matter_in_storage() {
        let f = facts(Lifecycle::NotDeployed, 0, Some("2020-01-01"));
        assert_eq!(Status::derive(&f, TODAY), Status::NotDeployed);
    }

    #[test]
    fn precedence_scrapped_suspended_recall_overdue() {
        let all = |l| facts(l, 2, Some("2020-01-01"));
        assert_eq!(
            Status::derive(&all(Lifecycle::Scrapped), TODAY),
            Status::Scrapped
        );
        assert_eq!(
            Status::derive(&all(Lifecycle::Suspended), TODAY),
            Status::Suspended
        );
        assert_eq!(
            Status::derive(&all(Lifecycle::Deployed), TODAY),
            Status::RecallOpen
        );
        assert_eq!(
            Status::derive(&all(Lifecycle::NotDeployed), TODAY),
            Status::RecallOpen
        );
    }

    #[test]
    fn machine_names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
    }
}
