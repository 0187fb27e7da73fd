//! The lifecycle record's rows: entries, and the projection the `robots` row keeps of them.
//! Only `crate::record` writes through here.

use super::batch::{Batch, Val};
use super::Backend;
use crate::domain::record::{EntryKind, Projection, Stored};
use crate::domain::Lifecycle;
use sqlx::{Any, Transaction};

/// The columns of an entry, in the order of [`entry_values`].
pub const ENTRY_COLUMNS: &[&str] = &[
    "robot_id",
    "seq",
    "kind",
    "occurred_at",
    "filed_by",
    "details",
    "corrects_seq",
    "prev_hash",
    "hash",
    "hash_version",
];

/// The `robots` columns that hold its projection, in the order of [`projection_values`].
pub const PROJECTION_COLUMNS: &[&str] = &[
    "lifecycle",
    "owner_id",
    "operator_id",
    "lessee_id",
    "venue_id",
    "next_inspection_due",
    "record_entries",
    "record_updated_at",
    "record_head",
];

/// An entry of the robot with primary key `robot_pk`, as a row of [`ENTRY_COLUMNS`].
pub fn entry_values(robot_pk: i64, e: &Stored) -> Vec<Val> {
    vec![
        robot_pk.into(),
        e.seq.into(),
        e.kind.as_str().into(),
        e.occurred_at.clone().into(),
        e.filed_by.into(),
        e.details.clone().into(),
        e.corrects_seq.into(),
        e.prev_hash.clone().into(),
        e.hash.clone().into(),
        e.hash_version.into(),
    ]
}

/// A projection as values of [`PROJECTION_COLUMNS`].
pub fn projection_values(p: &Projection) -> Vec<Val> {
    vec![
        p.lifecycle.as_str().into(),
        p.owner_id.into(),
        p.operator_id.into(),
        p.lessee_id.into(),
        p.venue_id.into(),
        p.next_inspection_due.clone().into(),
        p.entries.into(),
        p.updated_at.clone().into(),
        p.head.clone().into(),
    ]
}

/// A batch of entries to insert.
pub fn entry_batch() -> Batch {
    Batch::new("lifecycle_entries", ENTRY_COLUMNS)
}

#[derive(sqlx::FromRow)]
struct ProjectionRow {
    id: i64,
    lifecycle: String,
    owner_id: Option<i64>,
    operator_id: Option<i64>,
    lessee_id: Option<i64>,
    venue_id: Option<i64>,
    next_inspection_due: Option<String>,
    record_entries: i64,
    record_updated_at: String,
    record_head: String,
}

/// Take the robot `robot_id`'s row for writing until the transaction ends (`false`: no such
/// robot). A write, not a read: PostgreSQL locks the row, and SQLite takes its write lock now,
/// waiting its busy timeout for another writer, rather than failing later on a stale snapshot.
pub async fn take(tx: &mut Transaction<'_, Any>, robot_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE robots SET record_head = record_head WHERE robot_id = $1")
        .bind(robot_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Whether `e` is the database saying another transaction got in the way (busy, locked, a
/// serialization failure or a deadlock), so that trying again can succeed.
pub fn is_contention(e: &sqlx::Error) -> bool {
    let Some(db) = e.as_database_error() else {
        return matches!(e, sqlx::Error::PoolTimedOut);
    };
    match db.code().as_deref() {
        // SQLite: SQLITE_BUSY, SQLITE_LOCKED and their extended codes (BUSY_SNAPSHOT is 517).
        Some(code)
            if code
                .parse::<u32>()
                .is_ok_and(|c| c & 0xff == 5 || c & 0xff == 6) =>
        {
            true
        }
        // PostgreSQL: serialization failure, deadlock.
        Some("40001" | "40P01") => true,
        _ => false,
    }
}

/// The robot `robot_id`'s primary key and projection as stored, if it is registered.
pub async fn projection(
    tx: &mut Transaction<'_, Any>,
    robot_id: &str,
) -> Result<Option<(i64, Projection)>, sqlx::Error> {
    let row = sqlx::query_as::<_, ProjectionRow>(&format!(
        "SELECT id, {} FROM robots WHERE robot_id = $1",
        PROJECTION_COLUMNS.join(", ")
    ))
    .bind(robot_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| {
        let lifecycle = Lifecycle::from_db(&r.lifecycle).unwrap_or(Lifecycle::NotDeployed);
        (
            r.id,
            Projection {
                lifecycle,
                owner_id: r.owner_id,
                operator_id: r.operator_id,
                lessee_id: r.lessee_id,
                venue_id: r.venue_id,
                next_inspection_due: r.next_inspection_due,
                entries: r.record_entries,
                updated_at: r.record_updated_at,
                head: r.record_head,
            },
        )
    }))
}

/// Store `entry` and move the robot's projection on to `after`, but only if the record still
/// ends at `head_before` (no other filing landed in between): `false` when it does not, and then
/// nothing is written.
pub async fn store(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    robot_pk: i64,
    head_before: &str,
    entry: &Stored,
    after: &Projection,
) -> Result<bool, sqlx::Error> {
    let sets: Vec<String> = PROJECTION_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let n = PROJECTION_COLUMNS.len();
    let sql = format!(
        "UPDATE robots SET {} WHERE id = ${} AND record_head = ${}",
        sets.join(", "),
        n + 1,
        n + 2
    );
    let mut q = sqlx::query(&sql);
    for v in projection_values(after) {
        q = match v {
            Val::Int(i) => q.bind(i),
            Val::Text(t) => q.bind(t),
        };
    }
    let moved = q
        .bind(robot_pk)
        .bind(head_before.to_string())
        .execute(&mut **tx)
        .await?;
    if moved.rows_affected() != 1 {
        return Ok(false);
    }
    let mut batch = entry_batch();
    batch.push(entry_values(robot_pk, entry));
    batch.flush(tx, backend).await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    robot_pk: i64,
    seq: i64,
    kind: String,
    occurred_at: String,
    filed_by: i64,
    details: String,
    corrects_seq: Option<i64>,
    prev_hash: String,
    hash: String,
    hash_version: i64,
}

impl EntryRow {
    fn stored(self) -> Stored {
        Stored {
            seq: self.seq,
            kind: EntryKind::from_name(&self.kind).unwrap_or(EntryKind::Produced),
            occurred_at: self.occurred_at,
            filed_by: self.filed_by,
            details: self.details,
            corrects_seq: self.corrects_seq,
            prev_hash: self.prev_hash,
            hash: self.hash,
            hash_version: self.hash_version,
        }
    }
}

const ENTRY_SELECT: &str =
    "SELECT e.robot_id AS robot_pk, e.seq, e.kind, e.occurred_at, e.filed_by,
        e.details, e.corrects_seq, e.prev_hash, e.hash, e.hash_version
    FROM lifecycle_entries e";

/// The robot with primary key `robot_pk`'s entries, in order, read inside `tx`.
pub async fn entries(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
) -> Result<Vec<Stored>, sqlx::Error> {
    let rows = sqlx::query_as::<_, EntryRow>(&format!(
        "{ENTRY_SELECT} WHERE e.robot_id = $1 ORDER BY e.seq"
    ))
    .bind(robot_pk)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(EntryRow::stored).collect())
}

/// The robot with primary key `robot_pk`'s entries, in order.
pub async fn entries_of(pool: &super::Pool, robot_pk: i64) -> Result<Vec<Stored>, sqlx::Error> {
    let rows = sqlx::query_as::<_, EntryRow>(&format!(
        "{ENTRY_SELECT} WHERE e.robot_id = $1 ORDER BY e.seq"
    ))
    .bind(robot_pk)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(EntryRow::stored).collect())
}

/// Where the robot with primary key `robot_pk`'s chain stands (its projection's count and head)
/// and the text of its entries, in order, as one packed text (each entry's fields joined by
/// U+001F, entries by U+001E), read by one statement, so the two agree whatever is filed
/// meanwhile. One text, not a row each: sqlx's SQLite driver hands every row over from its
/// worker thread, and a report of 500 entries spent most of its time switching threads. JSON
/// text never holds those characters unescaped; should a row written behind the portal's back
/// hold them, the text does not parse and the entries are read a row each ([`entries_of`]), so
/// the check sees exactly what is stored. The text is `None` when there are no entries;
/// [`entries_from_text`] reads the entries from it.
///
/// On PostgreSQL also the text's SHA-256 digest, taken of the same text in the same statement (as
/// [`chain_digest`] takes it alone), so that a later opening can ask for the digest only.
pub async fn chain_text(
    pool: &super::Pool,
    backend: Backend,
    robot_pk: i64,
) -> Result<(i64, String, Option<String>, Option<String>), sqlx::Error> {
    if backend == Backend::Postgres {
        return sqlx::query_as(PG_CHAIN_TEXT.as_str())
            .bind(robot_pk)
            .fetch_one(pool)
            .await;
    }
    // SQLite: the same fields as `PG_ENTRIES_TEXT`, with its own functions.
    let sql = "SELECT r.record_entries, r.record_head,
                 (SELECT group_concat(seq || char(31) || kind || char(31) || occurred_at
                     || char(31) || filed_by || char(31) || COALESCE(corrects_seq, '')
                     || char(31) || prev_hash || char(31) || hash || char(31) || hash_version
                     || char(31) || details, char(30) ORDER BY seq)
                  FROM lifecycle_entries WHERE robot_id = r.id)
             FROM robots r WHERE r.id = $1";
    let (count, head, text): (i64, String, Option<String>) =
        sqlx::query_as(sql).bind(robot_pk).fetch_one(pool).await?;
    Ok((count, head, text, None))
}

/// The entries' text as PostgreSQL packs it for [`chain_text`] (the same fields and
/// separators as SQLite's `group_concat` there).
const PG_ENTRIES_TEXT: &str = "string_agg(seq::text || chr(31) || kind || chr(31) || occurred_at
     || chr(31) || filed_by::text || chr(31) || COALESCE(corrects_seq::text, '')
     || chr(31) || prev_hash || chr(31) || hash || chr(31)
     || hash_version::text || chr(31) || details, chr(30) ORDER BY seq)";

static PG_CHAIN_TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT r.record_entries, r.record_head, t.text,
                encode(sha256(convert_to(t.text, 'UTF8')), 'hex')
         FROM robots r,
              LATERAL (SELECT {PG_ENTRIES_TEXT} AS text
                       FROM lifecycle_entries WHERE robot_id = r.id) t
         WHERE r.id = $1"
    )
});

static PG_CHAIN_DIGEST: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT r.record_entries, r.record_head,
             (SELECT encode(sha256(convert_to({PG_ENTRIES_TEXT}, 'UTF8')), 'hex')
              FROM lifecycle_entries WHERE robot_id = r.id)
         FROM robots r WHERE r.id = $1"
    )
});

/// PostgreSQL only: where the robot's projection says its chain stands, and the SHA-256 digest of
/// its entries' text as [`chain_text`] would read it, without the text. The provenance report
/// asks this first: when the digest is the one of the text it last checked, the text need not
/// travel (some 150 KB for 500 entries) nor be compared.
pub async fn chain_digest(
    pool: &super::Pool,
    robot_pk: i64,
) -> Result<(i64, String, Option<String>), sqlx::Error> {
    sqlx::query_as(PG_CHAIN_DIGEST.as_str())
        .bind(robot_pk)
        .fetch_one(pool)
        .await
}

/// The entries [`chain_text`] read, or the robot's rows read one by one when the text does
/// not read as entries.
pub async fn entries_from_text(
    pool: &super::Pool,
    robot_pk: i64,
    packed: Option<&str>,
) -> Result<Vec<Stored>, sqlx::Error> {
    let Some(packed) = packed else {
        return Ok(Vec::new());
    };
    match unpack(packed) {
        Some(entries) => Ok(entries),
        None => entries_of(pool, robot_pk).await,
    }
}

/// The entries of [`chain_text`]'s text, or `None` when it does not read as them.
fn unpack(packed: &str) -> Option<Vec<Stored>> {
    packed
        .split('\u{1e}')
        .map(|line| {
            let mut f = line.splitn(9, '\u{1f}');
            let mut next = || f.next();
            let seq = next()?.parse().ok()?;
            let kind = next()?;
            let occurred_at = next()?.to_string();
            let filed_by = next()?.parse().ok()?;
            let corrects_seq = match next()? {
                "" => None,
                n => Some(n.parse().ok()?),
            };
            let prev_hash = next()?.to_string();
            let hash = next()?.to_string();
            let hash_version = next()?.parse().ok()?;
            let details = next()?.to_string();
            Some(Stored {
                seq,
                kind: EntryKind::from_name(kind).unwrap_or(EntryKind::Produced),
                occurred_at,
                filed_by,
                details,
                corrects_seq,
                prev_hash,
                hash,
                hash_version,
            })
        })
        .collect()
}

/// A robot's chain as stored: its ID, how many entries its projection counts, its head.
pub struct StoredChain {
    pub robot_id: String,
    pub count: i64,
    pub head: String,
    pub entries: Vec<Stored>,
}

/// Which robots [`chains`] reads.
#[derive(Clone, Copy, Debug)]
pub enum Robots<'a> {
    /// Primary keys in `(after, after + limit]`.
    Range { after: i64, limit: i64 },
    /// The robot with this ID.
    One(&'a str),
}

/// The stored chains of `robots`, in key order. An entry of a kind this build does not know is
/// read as `produced`, so its hash does not match and the check names it.
pub async fn chains(
    pool: &super::Pool,
    robots: Robots<'_>,
) -> Result<Vec<StoredChain>, sqlx::Error> {
    let (filter, robots_filter) = match robots {
        Robots::One(_) => ("r.robot_id = $1", "robot_id = $1"),
        Robots::Range { .. } => ("r.id > $1 AND r.id <= $2", "id > $1 AND id <= $2"),
    };
    let heads_sql = format!(
        "SELECT id, robot_id, record_entries, record_head FROM robots WHERE {robots_filter} ORDER BY id"
    );
    let rows_sql = format!(
        "SELECT r.id AS robot_pk, e.seq, e.kind, e.occurred_at, e.filed_by, e.details,
                e.corrects_seq, e.prev_hash, e.hash, e.hash_version
         FROM lifecycle_entries e JOIN robots r ON r.id = e.robot_id
         WHERE {filter} ORDER BY r.id, e.seq"
    );
    let mut heads = sqlx::query_as::<_, (i64, String, i64, String)>(&heads_sql);
    let mut rows = sqlx::query_as::<_, EntryRow>(&rows_sql);
    match robots {
        Robots::One(id) => {
            heads = heads.bind(id.to_string());
            rows = rows.bind(id.to_string());
        }
        Robots::Range { after, limit } => {
            heads = heads.bind(after).bind(after + limit);
            rows = rows.bind(after).bind(after + limit);
        }
    }
    let heads = heads.fetch_all(pool).await?;
    let rows = rows.fetch_all(pool).await?;
    let mut chains: Vec<StoredChain> = Vec::with_capacity(heads.len());
    let mut index = std::collections::HashMap::new();
    for (pk, robot_id, count, head) in heads {
        index.insert(pk, chains.len());
        chains.push(StoredChain {
            robot_id,
            count,
            head,
            entries: Vec::new(),
        });
    }
    for r in rows {
        let Some(&i) = index.get(&r.robot_pk) else {
            continue;
        };
        chains[i].entries.push(r.stored());
    }
    Ok(chains)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_entries_read_back_or_not_at_all() {
        let line = |seq: i64, corrects: &str, details: &str| {
            format!("{seq}\u{1f}sold\u{1f}2026-01-01T09:00:00Z\u{1f}7\u{1f}{corrects}\u{1f}p\u{1f}h\u{1f}2\u{1f}{details}")
        };
        let packed = [
            line(1, "", r#"{"to":7}"#),
            line(2, "1", r#"{"a":"x\u001fy"}"#),
        ]
        .join("\u{1e}");
        let entries = unpack(&packed).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[1].corrects_seq, Some(1));
        assert_eq!(
            entries[1].details, r#"{"a":"x\u001fy"}"#,
            "escaped in JSON, not a separator"
        );
        assert_eq!(entries[0].kind, EntryKind::Sold);
        // A raw separator inside details (written behind the portal's back) does not parse.
        assert!(unpack(&line(1, "", "{\"a\":\"\u{1e}\"}")).is_none());
        assert!(unpack(&line(1, "x", "{}")).is_none());
    }
}
