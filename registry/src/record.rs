//! The one writer of the lifecycle record. Every entry, the demo seed's and (next) each
//! party's filing, goes through [`append`]: it folds the entry into the robot's projection and
//! chains it to the robot's previous entry by hash, so the chain and the projection cannot
//! drift apart. [`verify`] recomputes a robot's chain from its stored rows.

use crate::db::record::{self as rows, Robots};
pub use crate::domain::record::{Entry, EntryKind, Projection, Stored, GENESIS_HASH};
use crate::domain::{Problem, RobotId};
use crate::{Error, Registry};
use sha2::{Digest, Sha256};

/// How often a filing is tried again when another filing for the same robot landed between
/// reading where its record stands and writing after it.
pub(crate) const ATTEMPTS: u32 = 8;
/// Robots whose chains are read at once by [`check`].
const CHECK_CHUNK: i64 = 2_000;

/// What the hash of a new entry covers (see [`entry_hash`]). Stored with each entry, so a
/// later change of what it covers leaves the old entries checkable.
pub const HASH_VERSION: i64 = 2;

/// Fold `entry` into `projection` (the robot `robot_id`'s, as it stands) and chain it: the
/// entry as it is to be stored, with the projection moved on to it.
pub fn append(projection: &mut Projection, robot_id: &RobotId, entry: &Entry) -> Stored {
    projection.apply(entry);
    let mut stored = Stored {
        seq: projection.entries + 1,
        kind: entry.kind,
        occurred_at: entry.occurred_at.clone(),
        filed_by: entry.filed_by,
        details: entry.details.to_string(),
        corrects_seq: entry.corrects,
        prev_hash: projection.head.clone(),
        hash: String::new(),
        hash_version: HASH_VERSION,
    };
    stored.hash = entry_hash(robot_id.as_str(), &stored).unwrap_or_default();
    projection.entries = stored.seq;
    projection.head = stored.hash.clone();
    stored
}

/// The hash of a stored entry under its `hash_version` (`None`: a version this build does not
/// know). Each part is followed by a newline, and no part can hold one unescaped (JSON text,
/// timestamps, names and numbers), so parts cannot be shifted from one into the next.
///
/// - Version 2 covers the robot, the entry's place (`seq`, the previous hash) and everything
///   the entry says: kind, time, filing party, details as stored, the entry it corrects.
/// - Version 1 (the first demo registries) covered the details as re-serialised JSON and not
///   the corrected entry.
pub fn entry_hash(robot_id: &str, e: &Stored) -> Option<String> {
    let seq = e.seq.to_string();
    let filed_by = e.filed_by.to_string();
    let (v1_details, corrects);
    let mut parts: Vec<&str> = Vec::with_capacity(9);
    match e.hash_version {
        1 | 2 => {}
        _ => return None,
    }
    if e.hash_version == 2 {
        parts.push("robopass-entry-v2");
    }
    parts.extend([
        e.prev_hash.as_str(),
        robot_id,
        &seq,
        e.kind.as_str(),
        &e.occurred_at,
        &filed_by,
    ]);
    if e.hash_version == 1 {
        v1_details = serde_json::from_str::<serde_json::Value>(&e.details)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| e.details.clone());
        parts.push(&v1_details);
    } else {
        corrects = e.corrects_seq.map(|s| s.to_string()).unwrap_or_default();
        parts.extend([e.details.as_str(), &corrects]);
    }
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update(b"\n");
    }
    Some(hex::encode(h.finalize()))
}

/// Where a robot's stored chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    /// An entry is missing, or one was inserted: the numbers do not run 1, 2, 3…
    #[error("entry {found} is where entry {expected} should be")]
    Gap { expected: i64, found: i64 },
    /// The entry does not point at the hash of the one before it.
    #[error("entry {seq} does not point at the entry before it")]
    Unlinked { seq: i64 },
    /// The entry's content does not match its hash: it was changed after it was written.
    #[error("entry {seq} was changed after it was written")]
    Altered { seq: i64 },
    /// The robot's record says it has more entries, or another last one, than are stored.
    #[error("the record ends at entry {seq}, not where the robot's projection says")]
    Truncated { seq: i64 },
}

/// Check a robot's stored entries (in `seq` order) against each other and against the head
/// its projection records (`head`, `count`).
pub fn verify(robot_id: &RobotId, entries: &[Stored], count: i64, head: &str) -> Result<(), Break> {
    let mut prev = GENESIS_HASH;
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(Break::Gap {
                expected,
                found: e.seq,
            });
        }
        if e.prev_hash != prev {
            return Err(Break::Unlinked { seq: e.seq });
        }
        if entry_hash(robot_id.as_str(), e).as_deref() != Some(e.hash.as_str()) {
            return Err(Break::Altered { seq: e.seq });
        }
        prev = &e.hash;
    }
    let last = entries.len() as i64;
    if last != count || prev != head {
        return Err(Break::Truncated { seq: last });
    }
    Ok(())
}

/// File `entry` for the robot `id`: fold it into the robot's projection, chain it after the
/// robot's last entry and store both in one transaction. Two filings for one robot at the same
/// moment never fork the chain: each takes the robot's row for writing before it reads where
/// the record stands, so the second waits for the first and chains after it; and the projection
/// is moved on only from the head that was read.
pub async fn file(registry: &Registry, id: &RobotId, entry: &Entry) -> Result<Stored, Error> {
    for attempt in 1..=ATTEMPTS {
        match try_file(registry, id, entry).await {
            Ok(Some(stored)) => return Ok(stored),
            Ok(None) => {}
            Err(Attempt::Final(e)) => return Err(e),
            Err(Attempt::Database(e)) if attempt < ATTEMPTS && rows::is_contention(&e) => {
                tracing::debug!(error = %e, attempt, "filing met another; trying again");
            }
            Err(Attempt::Database(e)) => return Err(e.into()),
        }
        tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(attempt))).await;
    }
    tracing::warn!(robot = %id, "filing kept meeting other filings; given up");
    Err(Error::Unavailable)
}

pub(crate) enum Attempt {
    /// Not worth trying again.
    Final(Error),
    Database(sqlx::Error),
}

impl From<sqlx::Error> for Attempt {
    fn from(e: sqlx::Error) -> Attempt {
        Attempt::Database(e)
    }
}

/// One try at [`file`]: `None` when the record moved on between reading and writing (which
/// taking the row first should make impossible; it is checked all the same).
async fn try_file(
    registry: &Registry,
    id: &RobotId,
    entry: &Entry,
) -> Result<Option<Stored>, Attempt> {
    let mut tx = registry.pool().begin().await?;
    let stored = file_within(&mut tx, registry.backend(), id, entry).await?;
    if stored.is_some() {
        tx.commit().await?;
    }
    Ok(stored)
}

/// File `entry` inside the caller's transaction `tx`, so that it lands with the caller's own
/// writes or not at all (a confirmed incident report: its confirmation and its entry). `None`
/// when the record moved on under it; the caller rolls back and may try again, as [`file`]
/// does.
pub(crate) async fn file_within(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    id: &RobotId,
    entry: &Entry,
) -> Result<Option<Stored>, Attempt> {
    let (pk, projection) = open(tx, id).await?;
    write(tx, backend, id, pk, projection, entry).await
}

/// Take the robot `id`'s row for writing until `tx` ends, and read where its record stands:
/// its primary key and projection. What is read cannot change before `tx` ends, so checks
/// made on it (`registry::filing`) still hold when [`write`] chains the entry.
pub(crate) async fn open(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &RobotId,
) -> Result<(i64, Projection), Attempt> {
    if !rows::take(tx, id.as_str()).await? {
        return Err(Attempt::Final(Error::NotFound(Problem::NotRegistered)));
    }
    rows::projection(tx, id.as_str())
        .await?
        .ok_or(Attempt::Final(Error::NotFound(Problem::NotRegistered)))
}

/// Chain `entry` after the record [`open`] read (`pk`, `projection`) and store it with the
/// projection moved on; a correction folds the whole record again, as corrected. `None`: the
/// record moved on under it.
pub(crate) async fn write(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    id: &RobotId,
    pk: i64,
    mut projection: Projection,
    entry: &Entry,
) -> Result<Option<Stored>, Attempt> {
    let head_before = projection.head.clone();
    let stored = append(&mut projection, id, entry);
    if entry.kind == EntryKind::Correction {
        let mut record = rows::entries(tx, pk).await?;
        record.push(stored.clone());
        projection.refold(&crate::domain::record::effective(&record));
    }
    if !rows::store(tx, backend, pk, &head_before, &stored, &projection).await? {
        return Ok(None);
    }
    Ok(Some(stored))
}

/// Check the stored chain of every robot, or of the robot `only`, against its entries' hashes
/// and its projection's head: each robot whose record is broken, with where. `progress` is told
/// how many robots have been checked.
pub async fn check(
    database: &crate::Database,
    only: Option<&RobotId>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Vec<(String, Break)>, Error> {
    let pool = database.pool();
    let mut broken = Vec::new();
    let mut done = 0u64;
    let mut look = |chains: Vec<rows::StoredChain>| {
        for c in chains {
            done += 1;
            let Ok(id) = RobotId::parse(&c.robot_id) else {
                continue;
            };
            if let Err(b) = verify(&id, &c.entries, c.count, &c.head) {
                broken.push((c.robot_id, b));
            }
        }
        done
    };
    match only {
        Some(id) => {
            let chains = rows::chains(pool, Robots::One(id.as_str())).await?;
            if chains.is_empty() {
                return Err(Error::NotFound(Problem::NotRegistered));
            }
            progress(look(chains));
        }
        None => {
            let last = crate::db::max_robot_pk(pool).await?;
            let mut after = 0;
            while after < last {
                let range = Robots::Range {
                    after,
                    limit: CHECK_CHUNK,
                };
                let chains = rows::chains(pool, range).await?;
                progress(look(chains));
                after += CHECK_CHUNK;
            }
        }
    }
    Ok(broken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id() -> RobotId {
        RobotId::parse("CNA1B2HX000100000000000012345").unwrap()
    }

    fn e(kind: EntryKind, details: serde_json::Value) -> Entry {
        Entry {
            kind,
            occurred_at: "2026-01-01T09:00:00Z".into(),
            filed_by: 1,
            details,
            corrects: None,
        }
    }

    fn chain(entries: &[Entry]) -> (Projection, Vec<Stored>) {
        let mut p = Projection::default();
        let stored = entries.iter().map(|x| append(&mut p, &id(), x)).collect();
        (p, stored)
    }

    #[test]
    fn append_folds_and_chains() {
        let (p, stored) = chain(&[
            e(EntryKind::Produced, json!({})),
            e(EntryKind::Sold, json!({"to": 7})),
        ]);
        assert_eq!(p.owner_id, Some(7));
        assert_eq!(p.entries, 2);
        assert_eq!(stored[0].prev_hash, GENESIS_HASH);
        assert_eq!(stored[1].prev_hash, stored[0].hash);
        assert_eq!(p.head, stored[1].hash);
        assert_eq!(stored[1].details, r#"{"to":7}"#);
        assert_eq!(verify(&id(), &stored, 2, &p.head), Ok(()));
    }

    #[test]
    fn the_hash_covers_everything_an_entry_says() {
        let (_, stored) = chain(&[e(EntryKind::Produced, json!({"factory": "Shenzhen"}))]);
        let original = &stored[0];
        let changes: [fn(&mut Stored); 6] = [
            |s| s.kind = EntryKind::Registered,
            |s| s.occurred_at = "2026-01-02T09:00:00Z".into(),
            |s| s.filed_by = 2,
            |s| s.details = r#"{"factory":"Suzhou"}"#.into(),
            // The same JSON written differently is a different text: the hash covers it as stored.
            |s| s.details = r#"{ "factory": "Shenzhen" }"#.into(),
            |s| s.corrects_seq = Some(1),
        ];
        for change in changes {
            let mut forged = original.clone();
            change(&mut forged);
            assert_ne!(
                entry_hash(id().as_str(), &forged),
                Some(original.hash.clone()),
                "{forged:?}"
            );
        }
        let mut other_version = original.clone();
        other_version.hash_version = 99;
        assert_eq!(entry_hash(id().as_str(), &other_version), None);
    }

    #[test]
    fn verify_names_the_entry_that_breaks() {
        let entries = [
            e(EntryKind::Produced, json!({})),
            e(EntryKind::Sold, json!({"to": 7})),
            e(EntryKind::Deployed, json!({"venue": 3})),
        ];
        let (p, stored) = chain(&entries);
        let mut edited = stored.clone();
        edited[1].details = r#"{"to":8}"#.into();
        assert_eq!(
            verify(&id(), &edited, 3, &p.head),
            Err(Break::Altered { seq: 2 })
        );
        let mut deleted = stored.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&id(), &deleted, 3, &p.head),
            Err(Break::Gap {
                expected: 2,
                found: 3
            })
        );
        let mut relinked = stored.clone();
        relinked[2].prev_hash = stored[0].hash.clone();
        assert_eq!(
            verify(&id(), &relinked, 3, &p.head),
            Err(Break::Unlinked { seq: 3 })
        );
        assert_eq!(
            verify(&id(), &stored[..2], 3, &p.head),
            Err(Break::Truncated { seq: 2 })
        );
    }

    #[test]
    fn version_one_entries_still_check() {
        // An entry hashed as the first demo registries did: details re-serialised, no `corrects`.
        let mut h = Sha256::new();
        for p in [
            GENESIS_HASH,
            id().as_str(),
            "1",
            "sold",
            "2026-01-01T09:00:00Z",
            "1",
            r#"{"to":7}"#,
        ] {
            h.update(p.as_bytes());
            h.update(b"\n");
        }
        let old = Stored {
            seq: 1,
            kind: EntryKind::Sold,
            occurred_at: "2026-01-01T09:00:00Z".into(),
            filed_by: 1,
            details: r#"{"to": 7}"#.into(),
            corrects_seq: None,
            prev_hash: GENESIS_HASH.into(),
            hash: hex::encode(h.finalize()),
            hash_version: 1,
        };
        assert_eq!(
            verify(&id(), std::slice::from_ref(&old), 1, &old.hash),
            Ok(())
        );
    }
}
