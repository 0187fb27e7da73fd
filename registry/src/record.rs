//! The lifecycle record: entries, their hash chain, and the projection folded from them.

use crate::domain::Lifecycle;
use sha2::{Digest, Sha256};

/// The hash the first entry of every robot points back to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One event in a robot's life, as filed.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    /// `YYYY-MM-DDTHH:MM:SSZ`
    pub occurred_at: String,
    pub filed_by: i64,
    pub details: serde_json::Value,
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

/// Hash of an entry, chained to the previous one of the same robot.
pub fn entry_hash(prev_hash: &str, robot_id: &str, seq: i64, entry: &Entry) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        robot_id,
        &seq.to_string(),
        entry.kind.as_str(),
        &entry.occurred_at,
        &entry.filed_by.to_string(),
        &entry.details.to_string(),
    ] {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    hex::encode(h.finalize())
}

/// What the `robots` row caches about its record. Only [`Projection::apply`] changes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub lifecycle: Lifecycle,
    pub owner_id: Option<i64>,
    pub operator_id: Option<i64>,
    pub venue_id: Option<i64>,
    pub next_inspection_due: Option<String>,
    pub entries: i64,
    pub updated_at: String,
    pub head: String,
}

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
    /// Fold one entry in; returns the entry's hash (to be stored with it).
    pub fn apply(&mut self, robot_id: &str, entry: &Entry) -> String {
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
        let hash = entry_hash(&self.head, robot_id, self.entries + 1, entry);
        self.entries += 1;
        self.updated_at = entry.occurred_at.clone();
        self.head = hash.clone();
        hash
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
        }
    }

    #[test]
    fn fold_follows_a_life() {
        let mut p = Projection::default();
        let id = "CNA1B2HX000100000000000012345";
        p.apply(id, &e(EntryKind::Produced, json!({})));
        p.apply(id, &e(EntryKind::Sold, json!({"to": 7})));
        assert_eq!(p.lifecycle, Lifecycle::NotDeployed);
        p.apply(id, &e(EntryKind::Deployed, json!({"venue": 3})));
        assert_eq!((p.lifecycle, p.venue_id), (Lifecycle::Deployed, Some(3)));
        p.apply(
            id,
            &e(EntryKind::Inspected, json!({"next_due": "2027-01-01"})),
        );
        assert_eq!(p.next_inspection_due.as_deref(), Some("2027-01-01"));
        p.apply(id, &e(EntryKind::Suspended, json!({})));
        assert_eq!(p.lifecycle, Lifecycle::Suspended);
        p.apply(id, &e(EntryKind::Reinstated, json!({})));
        assert_eq!(p.lifecycle, Lifecycle::Deployed);
        p.apply(id, &e(EntryKind::Scrapped, json!({})));
        p.apply(id, &e(EntryKind::Reinstated, json!({})));
        assert_eq!(p.lifecycle, Lifecycle::Scrapped, "scrapping is final");
        p.apply(id, &e(EntryKind::Sold, json!({"to": 9})));
        p.apply(id, &e(EntryKind::Deployed, json!({"venue": 4})));
        assert_eq!(
            (p.operator_id, p.venue_id, p.owner_id),
            (None, None, Some(9)),
            "scrap has no operator or venue"
        );
        assert_eq!(p.entries, 10);
    }

    #[test]
    fn hash_chain_detects_a_rewrite() {
        let id = "CNA1B2HX000100000000000012345";
        let a = e(EntryKind::Produced, json!({}));
        let b = e(EntryKind::Sold, json!({"to": 7}));
        let h1 = entry_hash(GENESIS_HASH, id, 1, &a);
        let h2 = entry_hash(&h1, id, 2, &b);
        let forged = e(EntryKind::Sold, json!({"to": 8}));
        assert_ne!(entry_hash(&h1, id, 2, &forged), h2);
        let h1_changed = entry_hash(GENESIS_HASH, id, 1, &e(EntryKind::Registered, json!({})));
        assert_ne!(entry_hash(&h1_changed, id, 2, &b), h2);
    }
}
