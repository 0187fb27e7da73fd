//! Provenance reports: who may open one (a regulator, the robot's owner, or whoever holds a
//! live share code for it, guesses throttled like sign-in), the report made from the record as
//! it stands, its chain checked each time, and every opening written to an append-only audit
//! log that the owner and the regulator read.

use crate::accounts;
use crate::db::provenance as rows;
use crate::db::record as chain_rows;
use crate::db::Backend;
use crate::domain::provenance::{self, Facts, OpenedVia, Report};
use crate::domain::record::{effective, EntryKind, Stored};
use crate::domain::status::{Lifecycle, Status, StatusFacts};
use crate::domain::vocabulary::OrgRole;
use crate::domain::{Problem, RobotId};
use crate::filing::Filer;
use crate::record::{verify, Break};
use crate::throttle::{address_key, Throttle};
use crate::{share_codes, Error, Registry};
use std::collections::HashMap;
use std::net::IpAddr;

pub use crate::domain::provenance::Opening;

/// How many openings the API's audit log lists at once.
pub const LOG_LIMIT: i64 = 500;
/// How many the report's page shows: the latest, beside the report (reading 500 rows made a
/// regulator's page of a robot much opened three times slower).
pub const PAGE_LOG_LIMIT: i64 = 50;

/// By what right `reader` may open the report of the robot whose owner is `owner` without a
/// code: as a regulator, or as its owner; and the organisation that right is held at.
fn right_of(reader: Filer<'_>, owner: Option<i64>) -> Option<(OpenedVia, i64)> {
    let capacities = reader.capacities();
    if let Some((org, _)) = capacities.iter().find(|(_, r)| *r == OrgRole::Regulator) {
        return Some((OpenedVia::Regulator, *org));
    }
    capacities
        .iter()
        .find(|(org, role)| *role == OrgRole::Owner && Some(*org) == owner)
        .map(|(org, _)| (OpenedVia::Owner, *org))
}

/// Open the report of the robot `id` as `reader`, with the share code `code` when they are
/// neither a regulator nor its owner. `client` is the address wrong codes are counted against,
/// with the reader, under `throttle`.
pub async fn open(
    registry: &Registry,
    reader: Filer<'_>,
    id: &RobotId,
    code: Option<&str>,
    client: Option<IpAddr>,
    throttle: &Throttle,
) -> Result<Report, Error> {
    let facts = rows::facts(registry.pool(), id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    let pk = facts.pk;
    let (via, org, share_code) = match right_of(reader, facts.owner_id) {
        Some((via, org)) => (via, Some(org), None),
        None => {
            let code = code
                .filter(|c| !c.trim().is_empty())
                .ok_or(Error::Forbidden(Problem::ShareCodeNeeded))?;
            let who = match reader {
                Filer::Person(p) => format!("share:person:{}", p.id),
                Filer::Token(t) => format!("share:token:{}", t.token_id),
            };
            let mut buckets = vec![(who.as_str(), throttle.per_account)];
            let address = client.map(|a| format!("share:address:{}", address_key(a)));
            if let Some(a) = &address {
                buckets.push((a.as_str(), throttle.per_address));
            }
            throttle.hit(registry.database(), &buckets).await?;
            let number = share_codes::check(registry, pk, code).await?;
            (OpenedVia::ShareCode, None, Some(number))
        }
    };
    let report = report(registry, facts, via).await?;
    let (person, token) = match reader {
        Filer::Person(p) => (Some(p.id), None),
        Filer::Token(t) => (None, Some(t.token_id)),
    };
    registry
        .audit()
        .write(AuditEntry {
            robot_pk: pk,
            at: report.generated_at.clone(),
            person,
            token,
            org,
            via: via.as_str(),
            share_code,
        })
        .await?;
    tracing::info!(robot = %id, via = via.as_str(), ?person, ?token, "provenance report opened");
    Ok(report)
}

/// The robot's record as read for a report: its entries' text as stored, and where the
/// robot's projection says the chain stands, read together (`chain_text`: one statement). On
/// PostgreSQL also the text's digest, and the text only when the digest is not that of the
/// report made last (`text` is then `None`; the last report's stands).
struct Chain {
    text: Option<String>,
    digest: Option<String>,
    count: i64,
    head: String,
}

impl Chain {
    /// Whether `made` was made from this very record, to the byte.
    fn made(&self, made: &Made) -> bool {
        let same_text = match (&self.digest, &made.digest) {
            (Some(now), Some(then)) => now == then,
            _ => self.text == made.text,
        };
        same_text && self.count == made.count && self.head == made.head
    }
}

async fn read_chain(registry: &Registry, pk: i64, last: Option<&Made>) -> Result<Chain, Error> {
    let pool = registry.pool();
    if let (Some(last), Backend::Postgres) = (last, registry.backend()) {
        let (count, head, digest) = chain_rows::chain_digest(pool, pk).await?;
        let chain = Chain {
            text: None,
            digest,
            count,
            head,
        };
        if chain.digest.is_some() && chain.made(last) {
            return Ok(chain);
        }
    }
    let (count, head, text, digest) = chain_rows::chain_text(pool, registry.backend(), pk).await?;
    Ok(Chain {
        text,
        digest,
        count,
        head,
    })
}

/// The record as a report reads it: checked, as corrected, and what it names.
struct Read {
    stored: Vec<Stored>,
    entries: Vec<crate::domain::record::Entry>,
    broken: Option<(i64, String)>,
    /// The organisations and venues the entries name (not the manufacturer).
    org_ids: Vec<i64>,
    venue_ids: Vec<i64>,
}

async fn read_entries(
    registry: &Registry,
    robot_id: &RobotId,
    pk: i64,
    chain: &Chain,
) -> Result<Read, Error> {
    let stored = chain_rows::entries_from_text(registry.pool(), pk, chain.text.as_deref()).await?;
    let broken = verify(robot_id, &stored, chain.count, &chain.head)
        .err()
        .map(|b| break_of(&b));
    let entries = effective(&stored);
    let (mut org_ids, mut venue_ids) = (Vec::new(), Vec::new());
    for e in &entries {
        org_ids.push(e.filed_by);
        for key in ["to", "lessee", "body"] {
            org_ids.extend(e.details.get(key).and_then(|v| v.as_i64()));
        }
        venue_ids.extend(e.details.get("venue").and_then(|v| v.as_i64()));
    }
    org_ids.sort_unstable();
    org_ids.dedup();
    venue_ids.sort_unstable();
    venue_ids.dedup();
    Ok(Read {
        stored,
        entries,
        broken,
        org_ids,
        venue_ids,
    })
}

/// A report as last made for a robot and everything it was made from. The next opening reads
/// all of it again (the record's text as stored, the head, the facts, the names…) and, when
/// every byte is the same, hands the same report out with this opening's time: the chain was
/// checked on exactly that text, so checking it again could only say the same.
pub(crate) struct Made {
    /// The record's text; on PostgreSQL not kept, its digest is.
    text: Option<String>,
    digest: Option<String>,
    count: i64,
    head: String,
    facts: String,
    names: Vec<(i64, i64, String)>,
    firmware: Option<String>,
    refused: Vec<String>,
    today: String,
    via: OpenedVia,
    org_ids: Vec<i64>,
    venue_ids: Vec<i64>,
    report: Report,
    weight: u32,
}

impl Made {
    /// About how many bytes it holds (the text, when kept, and the report made from it).
    pub(crate) fn weight(&self) -> u32 {
        self.weight
    }
}

fn break_of(b: &Break) -> (i64, String) {
    match b {
        Break::Gap { expected, .. } => (*expected, "gap".into()),
        Break::Unlinked { seq } => (*seq, "unlinked".into()),
        Break::Altered { seq } => (*seq, "altered".into()),
        Break::Truncated { seq } => (*seq, "truncated".into()),
    }
}

/// The report of the robot whose facts are `f`, as it stands now.
async fn report(registry: &Registry, f: rows::FactsRow, via: OpenedVia) -> Result<Report, Error> {
    let pool = registry.pool();
    let robot_id = RobotId::parse(&f.robot_id)?;
    let last = registry.reports().get(&f.pk);
    let mut chain = read_chain(registry, f.pk, last.as_deref()).await?;
    let now = accounts::stamp(accounts::now());
    let today = now[..10].to_string();
    let facts_key = format!("{f:?}");
    // The last report's record, when the record read now is the same to the byte.
    let last = last.filter(|m| chain.made(m));
    let mut read = match &last {
        Some(_) => None,
        None => Some(read_entries(registry, &robot_id, f.pk, &chain).await?),
    };
    let (mut org_ids, venue_ids) = match (&last, &read) {
        (Some(m), _) => (m.org_ids.clone(), m.venue_ids.clone()),
        (None, Some(r)) => (r.org_ids.clone(), r.venue_ids.clone()),
        (None, None) => (Vec::new(), Vec::new()),
    };
    let entry_orgs = org_ids.clone();
    org_ids.push(f.manufacturer_id);
    org_ids.sort_unstable();
    org_ids.dedup();
    let names = rows::names(pool, &org_ids, &venue_ids).await?;
    let model_firmware = current_firmware(registry, f.model_id).await?;
    let lifecycle = Lifecycle::from_db(&f.lifecycle).unwrap_or(Lifecycle::NotDeployed);
    // Refused resales are of a scrapped robot only (the record's rules refuse nothing else so).
    let refused_resales = if lifecycle == Lifecycle::Scrapped {
        rows::refused_resales(pool, &f.robot_id).await?
    } else {
        Vec::new()
    };
    if let Some(m) = &last {
        let same = m.facts == facts_key
            && m.names == names
            && m.firmware == model_firmware
            && m.refused == refused_resales
            && m.today == today
            && m.via == via;
        if same {
            let mut report = m.report.clone();
            report.generated_at = now;
            return Ok(report);
        }
    }
    let r = match read.take() {
        Some(r) => r,
        None => {
            if chain.text.is_none() && chain.digest.is_some() {
                // Only the digest was read (the record is the last report's); something else
                // changed, so the report is made again, from the text.
                chain = read_chain(registry, f.pk, None).await?;
            }
            read_entries(registry, &robot_id, f.pk, &chain).await?
        }
    };
    let mut corrected_by = HashMap::new();
    for (i, e) in r.entries.iter().enumerate() {
        if let (EntryKind::Correction, Some(target)) = (e.kind, e.corrects) {
            corrected_by.insert(target, i as i64 + 1);
        }
    }
    // What each corrected entry said as first filed.
    let originals = r
        .stored
        .iter()
        .filter(|s| corrected_by.contains_key(&s.seq))
        .map(|s| (s.seq, serde_json::from_str(&s.details).unwrap_or_default()))
        .collect();
    let (mut orgs, mut venues) = (HashMap::new(), HashMap::new());
    for (venue, id, name) in &names {
        if *venue == 1 { &mut venues } else { &mut orgs }.insert(*id, name.clone());
    }
    let status = Status::derive(
        &StatusFacts {
            lifecycle,
            open_recalls: usize::try_from(f.open_recalls).unwrap_or(0),
            next_inspection_due: f.next_inspection_due.as_deref(),
        },
        &today,
    );
    let pk = f.pk;
    let facts = Facts {
        robot_id: f.robot_id,
        model: f.model,
        manufacturer: f.manufacturer,
        manufacturer_id: f.manufacturer_id,
        serial: f.serial,
        production_year: f.production_year,
        lifecycle: Some(lifecycle),
        status: Some(status),
        open_recalls: f.open_recalls,
        next_inspection_due: f.next_inspection_due,
        head: f.record_head,
        entries: f.record_entries,
        orgs,
        venues,
        model_firmware: model_firmware.clone(),
        refused_resales: refused_resales.clone(),
        broken: r.broken,
        originals,
        opened_via: Some(via),
        today: today.clone(),
        now,
    };
    let report = provenance::build(&facts, &r.entries, &corrected_by);
    {
        let text = chain.text.as_ref().map_or(0, String::len);
        // The report is about twice the text; the text itself, when kept, once more.
        let kept = if chain.digest.is_none() { 3 } else { 2 };
        let made = Made {
            weight: u32::try_from(text.saturating_mul(kept)).unwrap_or(u32::MAX),
            // With a digest to compare, the text need not be kept.
            text: chain.text.filter(|_| chain.digest.is_none()),
            digest: chain.digest,
            count: chain.count,
            head: chain.head,
            facts: facts_key,
            names,
            firmware: model_firmware,
            refused: refused_resales,
            today,
            via,
            org_ids: entry_orgs,
            venue_ids,
            report: report.clone(),
        };
        registry.reports().insert(pk, std::sync::Arc::new(made));
    }
    Ok(report)
}

/// The model's current firmware release: the highest version filed for any robot of the model.
/// Kept for a minute per model (`Registry::firmware`): reading it means reading every robot of
/// the model's firmware entries, and a release a minute late to count as current changes no
/// red flag that matters (a robot "far behind" is several releases behind).
async fn current_firmware(registry: &Registry, model_id: i64) -> Result<Option<String>, Error> {
    if let Some(known) = registry.firmware().get(&model_id) {
        return Ok(known);
    }
    let current = rows::model_firmware(registry.pool(), registry.backend(), model_id)
        .await?
        .iter()
        .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
        .filter_map(|d| {
            d.get("version")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .max_by(|a, b| provenance::version_numbers(a).cmp(&provenance::version_numbers(b)));
    registry.firmware().insert(model_id, current.clone());
    Ok(current)
}

/// An opening on its way to the audit log.
pub(crate) struct AuditEntry {
    robot_pk: i64,
    at: String,
    person: Option<i64>,
    token: Option<i64>,
    org: Option<i64>,
    via: &'static str,
    share_code: Option<i64>,
}

type AuditRequest = (AuditEntry, tokio::sync::oneshot::Sender<bool>);

/// The audit log's one writer. Every opening is written before its report is answered, but
/// the openings that arrive together are written in one transaction by one task: sixteen
/// readers each taking SQLite's write lock in turn (and sleeping in its busy handler) made the
/// report's slowest answers three times its usual ones.
pub(crate) struct AuditLog {
    queue: tokio::sync::mpsc::Sender<AuditRequest>,
}

/// The most openings written in one transaction.
const AUDIT_BATCH: usize = 256;

impl AuditLog {
    /// The writer, on the runtime this is called on, writing to `database`.
    pub(crate) fn start(database: crate::Database) -> AuditLog {
        let (queue, mut arriving) = tokio::sync::mpsc::channel::<AuditRequest>(4 * AUDIT_BATCH);
        tokio::spawn(async move {
            while let Some(first) = arriving.recv().await {
                let mut batch = vec![first];
                while batch.len() < AUDIT_BATCH {
                    match arriving.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let rows: Vec<rows::Opening<'_>> = batch
                    .iter()
                    .map(|(e, _)| rows::Opening {
                        robot_pk: e.robot_pk,
                        at: &e.at,
                        person: e.person,
                        token: e.token,
                        org: e.org,
                        via: e.via,
                        share_code: e.share_code,
                    })
                    .collect();
                let written =
                    rows::insert_openings(database.pool(), database.backend(), &rows).await;
                if let Err(e) = &written {
                    tracing::error!(error = %e, openings = batch.len(), "the audit log could not be written");
                }
                for (_, done) in batch {
                    let _ = done.send(written.is_ok());
                }
            }
        });
        AuditLog { queue }
    }

    /// Write `entry`, and wait until it is written.
    async fn write(&self, entry: AuditEntry) -> Result<(), Error> {
        let (done, written) = tokio::sync::oneshot::channel();
        self.queue
            .send((entry, done))
            .await
            .map_err(|_| Error::Unavailable)?;
        match written.await {
            Ok(true) => Ok(()),
            _ => Err(Error::Unavailable),
        }
    }
}

/// Who opened the robot's report and when, newest first: for its owner and for regulators.
pub async fn openings(
    registry: &Registry,
    reader: Filer<'_>,
    id: &RobotId,
    limit: i64,
) -> Result<Vec<Opening>, Error> {
    let (pk, owner) = rows::robot_owner(registry.pool(), id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    if right_of(reader, owner).is_none() {
        return Err(Error::Forbidden(Problem::NotOwner));
    }
    Ok(
        rows::openings(registry.pool(), pk, limit.clamp(1, LOG_LIMIT))
            .await?
            .into_iter()
            .map(|o| Opening {
                opened_at: o.opened_at,
                via: o.via,
                person: o.person,
                organisation: o.organisation,
                share_code: o.share_code,
            })
            .collect(),
    )
}
