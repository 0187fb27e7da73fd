//! The lifecycle record: the kinds of entry and the projection folded from them. The fold is
//! pure; chaining entries by hash and storing them is the registry's (`registry::record`).

use crate::status::Lifecycle;
use crate::Problem;

/// One event in a robot's life, as filed.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    /// `YYYY-MM-DDTHH:MM:SSZ`
    pub occurred_at: String,
    /// The organisation that filed it.
    pub filed_by: i64,
    pub details: serde_json::Value,
    /// The sequence number of the robot's entry this one corrects, if it is a correction.
    pub corrects: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Produced,
    Registered,
    Sold,
    Deployed,
    Inspected,
    Maintained,
    PartReplaced,
    FirmwareUpdated,
    RecallRemedied,
    IncidentReported,
    Suspended,
    Reinstated,
    Withdrawn,
    Scrapped,
    DataWiped,
    Recycled,
    LeaseStarted,
    LeaseEnded,
    ConditionReading,
    ProfileUpdated,
    IncidentConfirmed,
    Correction,
}

impl EntryKind {
    /// Every kind, in the order of a robot's life (the kinds parties began filing later last).
    pub const ALL: [EntryKind; 22] = [
        EntryKind::Produced,
        EntryKind::Registered,
        EntryKind::Sold,
        EntryKind::Deployed,
        EntryKind::Inspected,
        EntryKind::Maintained,
        EntryKind::PartReplaced,
        EntryKind::FirmwareUpdated,
        EntryKind::RecallRemedied,
        EntryKind::IncidentReported,
        EntryKind::Suspended,
        EntryKind::Reinstated,
        EntryKind::Withdrawn,
        EntryKind::Scrapped,
        EntryKind::DataWiped,
        EntryKind::Recycled,
        EntryKind::LeaseStarted,
        EntryKind::LeaseEnded,
        EntryKind::ConditionReading,
        EntryKind::ProfileUpdated,
        EntryKind::IncidentConfirmed,
        EntryKind::Correction,
    ];

    /// The kind stored as `name`.
    pub fn from_name(name: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Produced => "produced",
            EntryKind::Registered => "registered",
            EntryKind::Sold => "sold",
            EntryKind::Deployed => "deployed",
            EntryKind::Inspected => "inspected",
            EntryKind::Maintained => "maintained",
            EntryKind::PartReplaced => "part_replaced",
            EntryKind::FirmwareUpdated => "firmware_updated",
            EntryKind::RecallRemedied => "recall_remedied",
            EntryKind::IncidentReported => "incident_reported",
            EntryKind::Suspended => "suspended",
            EntryKind::Reinstated => "reinstated",
            EntryKind::Withdrawn => "withdrawn",
            EntryKind::Scrapped => "scrapped",
            EntryKind::DataWiped => "data_wiped",
            EntryKind::Recycled => "recycled",
            EntryKind::LeaseStarted => "lease_started",
            EntryKind::LeaseEnded => "lease_ended",
            EntryKind::ConditionReading => "condition_reading",
            EntryKind::ProfileUpdated => "profile_updated",
            EntryKind::IncidentConfirmed => "incident_confirmed",
            EntryKind::Correction => "correction",
        }
    }
}

/// One entry as it is stored: its place in the robot's chain and the exact text its hash covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub seq: i64,
    pub kind: EntryKind,
    pub occurred_at: String,
    pub filed_by: i64,
    /// The details as stored (JSON text): what the hash covers, byte for byte.
    pub details: String,
    pub corrects_seq: Option<i64>,
    pub prev_hash: String,
    pub hash: String,
    pub hash_version: i64,
}

/// What the `robots` row caches about its record: changed by the fold ([`Projection::apply`])
/// and by the registry's writer of the record, nothing else.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub lifecycle: Lifecycle,
    pub owner_id: Option<i64>,
    pub operator_id: Option<i64>,
    /// The lessee while a lease runs (the lessee is then also the operator).
    pub lessee_id: Option<i64>,
    pub venue_id: Option<i64>,
    pub next_inspection_due: Option<String>,
    /// Where the chain stands: how many entries, the last one's hash. Only the registry's
    /// writer of the record moves these, as it chains each entry.
    pub entries: i64,
    pub updated_at: String,
    pub head: String,
}

/// The hash the first entry of every robot points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Default for Projection {
    fn default() -> Self {
        Projection {
            lifecycle: Lifecycle::NotDeployed,
            owner_id: None,
            operator_id: None,
            lessee_id: None,
            venue_id: None,
            next_inspection_due: None,
            entries: 0,
            updated_at: String::new(),
            head: GENESIS_HASH.to_string(),
        }
    }
}

impl Projection {
    /// Fold one entry into the robot's lifecycle, parties, venue and inspection due date.
    pub fn apply(&mut self, entry: &Entry) {
        let d = &entry.details;
        let id = |key: &str| d.get(key).and_then(serde_json::Value::as_i64);
        match entry.kind {
            // A scrapped robot changes hands as scrap: no operator, no venue, ever again.
            EntryKind::Sold if self.lifecycle == Lifecycle::Scrapped => {
                self.owner_id = id("to");
            }
            EntryKind::Deployed if self.lifecycle == Lifecycle::Scrapped => {}
            EntryKind::Sold => {
                self.owner_id = id("to");
                self.operator_id = id("to");
                self.lessee_id = None;
                self.venue_id = None;
                if self.lifecycle == Lifecycle::Deployed {
                    self.lifecycle = Lifecycle::NotDeployed;
                }
            }
            EntryKind::Deployed => {
                self.venue_id = id("venue");
                if self.lifecycle == Lifecycle::NotDeployed {
                    self.lifecycle = Lifecycle::Deployed;
                }
            }
            EntryKind::Inspected => {
                if let Some(due) = d.get("next_due").and_then(|v| v.as_str()) {
                    self.next_inspection_due = Some(due.to_string());
                }
            }
            EntryKind::Suspended => {
                if self.lifecycle != Lifecycle::Scrapped {
                    self.lifecycle = Lifecycle::Suspended;
                }
            }
            EntryKind::Reinstated => {
                if self.lifecycle == Lifecycle::Suspended {
                    self.lifecycle = if self.venue_id.is_some() {
                        Lifecycle::Deployed
                    } else {
                        Lifecycle::NotDeployed
                    };
                }
            }
            EntryKind::Withdrawn => {
                self.venue_id = None;
                if self.lifecycle == Lifecycle::Deployed {
                    self.lifecycle = Lifecycle::NotDeployed;
                }
            }
            EntryKind::Scrapped => {
                self.lifecycle = Lifecycle::Scrapped;
                self.operator_id = None;
                self.lessee_id = None;
                self.venue_id = None;
            }
            EntryKind::LeaseStarted if self.lifecycle == Lifecycle::Scrapped => {}
            // The lessee operates the robot for the lease; it leaves where the owner had it.
            EntryKind::LeaseStarted | EntryKind::LeaseEnded => {
                if entry.kind == EntryKind::LeaseStarted {
                    self.lessee_id = id("lessee");
                    self.operator_id = id("lessee");
                } else {
                    self.lessee_id = None;
                    self.operator_id = if self.lifecycle == Lifecycle::Scrapped {
                        None
                    } else {
                        self.owner_id
                    };
                }
                self.venue_id = None;
                if self.lifecycle == Lifecycle::Deployed {
                    self.lifecycle = Lifecycle::NotDeployed;
                }
            }
            EntryKind::Produced
            | EntryKind::Registered
            | EntryKind::Maintained
            | EntryKind::PartReplaced
            | EntryKind::FirmwareUpdated
            | EntryKind::RecallRemedied
            | EntryKind::IncidentReported
            | EntryKind::DataWiped
            | EntryKind::Recycled
            | EntryKind::ConditionReading
            | EntryKind::ProfileUpdated
            | EntryKind::IncidentConfirmed
            // A correction's effect is the corrected entry's, folded again in its place
            // (see [`effective`]).
            | EntryKind::Correction => {}
        }
        self.updated_at = entry.occurred_at.clone();
    }
}

impl Projection {
    /// Whether the record's rules let an entry of `kind` land now; `Err` says why not (the
    /// API's 409). Who may file it is another question (`registry::filing`).
    pub fn allows(&self, kind: EntryKind) -> Result<(), Problem> {
        use EntryKind as K;
        let scrapped = self.lifecycle == Lifecycle::Scrapped;
        let suspended = self.lifecycle == Lifecycle::Suspended;
        match kind {
            // A unit is produced and registered once, by its manufacturer's registration.
            K::Produced | K::Registered => Err(Problem::AlreadyRegistered),
            // A confirmation lands with the report it confirms (`registry::incidents`).
            K::IncidentConfirmed | K::IncidentReported => Err(Problem::ConfirmThroughReport),
            // "Refurbishment and resale of scrapped robots is prohibited."
            K::Sold | K::LeaseStarted | K::Deployed | K::Reinstated if scrapped => {
                Err(Problem::RobotScrapped)
            }
            K::Scrapped if scrapped => Err(Problem::AlreadyScrapped),
            K::Recycled if !scrapped => Err(Problem::NotScrapped),
            K::Reinstated if !suspended => Err(Problem::NotSuspended),
            K::Suspended if suspended => Err(Problem::AlreadySuspended),
            K::Suspended if scrapped => Err(Problem::RobotScrapped),
            K::Deployed if suspended => Err(Problem::RobotSuspended),
            K::Withdrawn if self.venue_id.is_none() => Err(Problem::NotDeployed),
            K::LeaseStarted if self.lessee_id.is_some() => Err(Problem::LeaseActive),
            K::LeaseEnded if self.lessee_id.is_none() => Err(Problem::NoLease),
            _ => Ok(()),
        }
    }

    /// Fold `entries` (a robot's whole record, as corrected: [`effective`]) again from the
    /// start, keeping where the chain stands.
    pub fn refold(&mut self, entries: &[Entry]) {
        let mut fresh = Projection {
            entries: self.entries,
            head: std::mem::take(&mut self.head),
            ..Projection::default()
        };
        for e in entries {
            fresh.apply(e);
        }
        *self = fresh;
    }
}

/// A robot's entries as they stand after their corrections, in order: each corrected entry
/// carries its latest correction's details (and time, when the correction gives one); the
/// corrections themselves stay in place and change nothing when folded.
pub fn effective(stored: &[Stored]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = stored
        .iter()
        .map(|s| Entry {
            kind: s.kind,
            occurred_at: s.occurred_at.clone(),
            filed_by: s.filed_by,
            details: serde_json::from_str(&s.details).unwrap_or(serde_json::Value::Null),
            corrects: s.corrects_seq,
        })
        .collect();
    for i in 0..entries.len() {
        if entries[i].kind != EntryKind::Correction {
            continue;
        }
        let Some(target) = entries[i]
            .corrects
            .and_then(|seq| usize::try_from(seq - 1).ok())
        else {
            continue;
        };
        if target >= i || entries[target].kind == EntryKind::Correction {
            continue;
        }
        let correction = entries[i].details.clone();
        if let Some(details) = correction.get("details") {
            entries[target].details = details.clone();
        }
        if let Some(at) = correction.get("occurred_at").and_then(|v| v.as_str()) {
            entries[target].occurred_at = at.to_string();
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn e(kind: EntryKind, details: serde_json::Value) -> Entry {
        Entry {
            kind,
            occurred_at: "2026-01-01T09:00:00Z".into(),
            filed_by: 1,
            details,
            corrects: None,
        }
    }

    #[test]
    fn fold_follows_a_life() {
        let mut p = Projection::default();
        p.apply(&e(EntryKind::Produced, json!({})));
        p.apply(&e(EntryKind::Sold, json!({"to": 7})));
        assert_eq!(p.lifecycle, Lifecycle::NotDeployed);
        p.apply(&e(EntryKind::Deployed, json!({"venue": 3})));
        assert_eq!((p.lifecycle, p.venue_id), (Lifecycle::Deployed, Some(3)));
        p.apply(&e(EntryKind::Inspected, json!({"next_due": "2027-01-01"})));
        assert_eq!(p.next_inspection_due.as_deref(), Some("2027-01-01"));
        p.apply(&e(EntryKind::Suspended, json!({})));
        assert_eq!(p.lifecycle, Lifecycle::Suspended);
        p.apply(&e(EntryKind::Reinstated, json!({})));
        assert_eq!(p.lifecycle, Lifecycle::Deployed);
        p.apply(&e(EntryKind::Scrapped, json!({})));
        p.apply(&e(EntryKind::Reinstated, json!({})));
        assert_eq!(p.lifecycle, Lifecycle::Scrapped, "scrapping is final");
        p.apply(&e(EntryKind::Sold, json!({"to": 9})));
        p.apply(&e(EntryKind::Deployed, json!({"venue": 4})));
        assert_eq!(
            (p.operator_id, p.venue_id, p.owner_id),
            (None, None, Some(9)),
            "scrap has no operator or venue"
        );
        assert_eq!(p.updated_at, "2026-01-01T09:00:00Z");
    }

    #[test]
    fn the_rules_refuse_what_the_record_forbids() {
        let mut p = Projection::default();
        p.apply(&e(EntryKind::Sold, json!({"to": 7})));
        assert_eq!(
            p.allows(EntryKind::Registered),
            Err(Problem::AlreadyRegistered)
        );
        assert_eq!(p.allows(EntryKind::Withdrawn), Err(Problem::NotDeployed));
        assert_eq!(p.allows(EntryKind::Reinstated), Err(Problem::NotSuspended));
        assert_eq!(p.allows(EntryKind::LeaseEnded), Err(Problem::NoLease));
        assert_eq!(p.allows(EntryKind::Recycled), Err(Problem::NotScrapped));
        p.apply(&e(EntryKind::LeaseStarted, json!({"lessee": 8})));
        assert_eq!(
            (p.operator_id, p.lessee_id, p.owner_id),
            (Some(8), Some(8), Some(7))
        );
        assert_eq!(p.allows(EntryKind::LeaseStarted), Err(Problem::LeaseActive));
        p.apply(&e(EntryKind::Deployed, json!({"venue": 3})));
        p.apply(&e(EntryKind::LeaseEnded, json!({})));
        assert_eq!(
            (p.operator_id, p.lessee_id, p.venue_id),
            (Some(7), None, None)
        );
        assert_eq!(p.lifecycle, Lifecycle::NotDeployed);
        p.apply(&e(EntryKind::Suspended, json!({})));
        assert_eq!(p.allows(EntryKind::Deployed), Err(Problem::RobotSuspended));
        assert_eq!(
            p.allows(EntryKind::Suspended),
            Err(Problem::AlreadySuspended)
        );
        p.apply(&e(EntryKind::Scrapped, json!({})));
        for k in [
            EntryKind::Sold,
            EntryKind::LeaseStarted,
            EntryKind::Deployed,
            EntryKind::Reinstated,
        ] {
            assert_eq!(p.allows(k), Err(Problem::RobotScrapped), "{k:?}");
        }
        assert_eq!(p.allows(EntryKind::Scrapped), Err(Problem::AlreadyScrapped));
        assert_eq!(p.allows(EntryKind::Recycled), Ok(()));
        assert_eq!(p.allows(EntryKind::DataWiped), Ok(()));
    }

    #[test]
    fn a_correction_replaces_what_it_corrects_when_folded_again() {
        let stored = |seq: i64, kind, details: &str, corrects| Stored {
            seq,
            kind,
            occurred_at: format!("2026-01-0{seq}T09:00:00Z"),
            filed_by: 1,
            details: details.into(),
            corrects_seq: corrects,
            prev_hash: String::new(),
            hash: String::new(),
            hash_version: 2,
        };
        let record = [
            stored(
                1,
                EntryKind::Inspected,
                r#"{"next_due":"2027-01-01"}"#,
                None,
            ),
            stored(
                2,
                EntryKind::Correction,
                r#"{"details":{"next_due":"2026-07-01"},"reason":"typo"}"#,
                Some(1),
            ),
        ];
        let entries = effective(&record);
        assert_eq!(entries[0].details, json!({"next_due": "2026-07-01"}));
        let mut p = Projection {
            entries: 2,
            head: "h".into(),
            ..Projection::default()
        };
        p.refold(&entries);
        assert_eq!(p.next_inspection_due.as_deref(), Some("2026-07-01"));
        assert_eq!((p.entries, p.head.as_str()), (2, "h"));
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for k in EntryKind::ALL {
            assert_eq!(EntryKind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(EntryKind::from_name("invented"), None);
    }
}
