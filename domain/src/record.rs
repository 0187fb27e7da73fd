//! The lifecycle record: the kinds of entry and the projection folded from them. The fold is
//! pure; chaining entries by hash and storing them is the registry's (`registry::record`).

use crate::status::Lifecycle;

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
}

impl EntryKind {
    /// Every kind, in the order of a robot's life.
    pub const ALL: [EntryKind; 16] = [
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
                self.venue_id = None;
            }
            EntryKind::Produced
            | EntryKind::Registered
            | EntryKind::Maintained
            | EntryKind::PartReplaced
            | EntryKind::FirmwareUpdated
            | EntryKind::RecallRemedied
            | EntryKind::IncidentReported
            | EntryKind::DataWiped
            | EntryKind::Recycled => {}
        }
        self.updated_at = entry.occurred_at.clone();
    }
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
    fn every_kind_reads_back_from_its_name() {
        for k in EntryKind::ALL {
            assert_eq!(EntryKind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(EntryKind::from_name("invented"), None);
    }
}
