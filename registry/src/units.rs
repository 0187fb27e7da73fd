//! A manufacturer's units: registered under its own manufacturer code and its own models, one
//! at a time or many from a CSV file. A unit is a robot row and the first two entries of its
//! record (`produced`, `registered`), chained by the record's one writer ([`record::append`]).
//!
//! A file is checked whole before anything is written: every bad row is reported with its line
//! and why, and nothing is imported when any row is bad. A good file is written in the
//! background, in one transaction (so a failure half-way leaves nothing), while its progress is
//! kept in memory for the page and the API to show ([`Imports`]).

use crate::accounts;
use crate::db::batch::Val;
use crate::db::record::projection_values;
use crate::db::units::{self as rows, NewRobot};
use crate::domain::record::{Entry, EntryKind, Projection};
use crate::domain::vocabulary::OrgRole;
use crate::domain::{Problem, RobotId};
use crate::filing::Filer;
use crate::record;
use crate::{Error, Registry};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most units one file may hold.
pub const MAX_IMPORT_ROWS: usize = 50_000;
/// The largest file, in bytes (a unit's row is about 60).
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;
/// Units written per statement group; progress moves on after each.
const WRITE_CHUNK: usize = 500;
/// How long a finished import's outcome is kept for its page.
const KEEP_FINISHED: Duration = Duration::from_secs(3_600);
/// Imports running at once, across all manufacturers (each holds its file's rows in memory).
const MAX_RUNNING: usize = 4;
/// The longest factory name.
const MAX_FACTORY_CHARS: usize = 500;
/// Where the registry keeps its calendar: a production date is a day there.
const LOCAL_OFFSET_H: i64 = crate::domain::incident::LOCAL_UTC_OFFSET_H as i64;

/// The manufacturer a caller acts for: the organisation holding the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maker {
    pub org_id: i64,
    pub name: String,
    pub code: String,
}

/// The manufacturer holding `code`, if `filer` acts for it as its manufacturer; anyone else is
/// refused with the same answer whether or not the code is held.
pub async fn maker(registry: &Registry, filer: Filer<'_>, code: &str) -> Result<Maker, Error> {
    let code = code.trim().to_ascii_uppercase();
    let well_formed = code.len() == 4 && code.bytes().all(|b| b.is_ascii_alphanumeric());
    let found = if well_formed {
        rows::maker_by_code(registry.pool(), &code).await?
    } else {
        None
    };
    let refused = Error::Forbidden(Problem::NotYourCode);
    let (org_id, name) = found.ok_or(refused.clone())?;
    let acts = filer
        .capacities()
        .iter()
        .any(|(org, role)| *org == org_id && *role == OrgRole::Manufacturer);
    if !acts {
        return Err(refused);
    }
    Ok(Maker { org_id, name, code })
}

/// The organisation `org` as one of its members sees it on its page: its name and kind, and
/// the manufacturer it is when `filer` acts for it as one; refused to anyone else.
pub async fn organisation(
    registry: &Registry,
    filer: Filer<'_>,
    org: i64,
) -> Result<(String, String, Option<Maker>), Error> {
    let capacities = filer.capacities();
    let refused = Error::Forbidden(Problem::NotAllowed);
    if !capacities.iter().any(|(o, _)| *o == org) {
        return Err(refused);
    }
    let (name, kind, code) = rows::organisation(registry.pool(), org)
        .await?
        .ok_or(refused)?;
    let acts_as_maker = capacities
        .iter()
        .any(|(o, role)| *o == org && *role == OrgRole::Manufacturer);
    let maker = code.filter(|_| acts_as_maker).map(|code| Maker {
        org_id: org,
        name: name.clone(),
        code,
    });
    Ok((name, kind, maker))
}

/// A model of the manufacturer's, as its forms offer it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelChoice {
    pub code: String,
    pub name: String,
}

/// The manufacturer's models.
pub async fn models(registry: &Registry, maker: &Maker) -> Result<Vec<ModelChoice>, Error> {
    Ok(rows::models(registry.pool(), maker.org_id)
        .await?
        .into_iter()
        .map(|m| ModelChoice {
            code: m.code,
            name: m.name,
        })
        .collect())
}

/// A unit as the manufacturer describes it (a JSON body, or a CSV row).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// The model's 6-character code.
    pub model: String,
    /// 17 characters, A–Z and 0–9.
    pub serial: String,
    /// `YYYY-MM-DD`.
    pub produced_on: String,
    /// Two letters; `CN` when not given.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub factory: Option<String>,
}

/// What is wrong with a unit, and in which field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bad {
    pub field: &'static str,
    pub problem: Problem,
}

fn bad(field: &'static str, problem: Problem) -> Bad {
    Bad { field, problem }
}

/// A unit checked: its ID and its rows, ready to write.
struct Checked {
    id: RobotId,
    rows: NewRobot,
}

/// Check `unit` as one of `maker`'s (its models by code: `models`) on `today` (in the registry's
/// calendar), and build its rows: the robot and its `produced` and `registered` entries,
/// registered `now`.
fn check(
    unit: &Unit,
    maker: &Maker,
    models: &HashMap<String, i64>,
    today: time::Date,
    now: &str,
) -> Result<Checked, Bad> {
    let model = unit.model.trim().to_ascii_uppercase();
    let model_id = *models
        .get(&model)
        .ok_or(bad("model", Problem::UnknownModel))?;
    let serial = unit.serial.trim().to_ascii_uppercase();
    if serial.len() != 17 || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("serial", Problem::BadSerial));
    }
    let country = unit
        .country
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("CN")
        .to_ascii_uppercase();
    if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad("country", Problem::BadCountry));
    }
    let produced = time::Date::parse(
        unit.produced_on.trim(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .filter(|d| d.year() >= 2000 && *d <= today)
    .ok_or(bad("produced_on", Problem::BadProductionDate))?;
    let factory = unit.factory.as_deref().map(str::trim).unwrap_or_default();
    if factory.chars().count() > MAX_FACTORY_CHARS || factory.chars().any(char::is_control) {
        return Err(bad("factory", Problem::BadFactory));
    }
    let id = RobotId::from_parts(&country, &maker.code, &model, &serial)
        .map_err(|_| bad("serial", Problem::BadSerial))?;
    // Produced at the start of its day where the registry keeps its calendar.
    let produced_at =
        accounts::stamp(produced.midnight().assume_utc() - time::Duration::hours(LOCAL_OFFSET_H));
    let mut projection = Projection::default();
    let details = if factory.is_empty() {
        serde_json::json!({})
    } else {
        serde_json::json!({ "factory": factory })
    };
    let entries = [
        (EntryKind::Produced, produced_at, details),
        (
            EntryKind::Registered,
            now.to_string(),
            serde_json::json!({}),
        ),
    ]
    .into_iter()
    .map(|(kind, occurred_at, details)| {
        let entry = Entry {
            kind,
            occurred_at,
            filed_by: maker.org_id,
            details,
            corrects: None,
        };
        record::append(&mut projection, &id, &entry)
    })
    .collect();
    let mut values: Vec<Val> = vec![
        id.as_str().into(),
        model_id.into(),
        serial.into(),
        i64::from(produced.year()).into(),
        country.into(),
    ];
    values.extend(projection_values(&projection));
    Ok(Checked {
        rows: NewRobot {
            robot_id: id.to_string(),
            values,
            entries,
        },
        id,
    })
}

/// Today in the registry's calendar, and now as an entry's time.
fn clock() -> (time::Date, String) {
    let now = accounts::now();
    let today = (now + time::Duration::hours(LOCAL_OFFSET_H)).date();
    (today, accounts::stamp(now))
}

async fn model_map(registry: &Registry, maker: &Maker) -> Result<HashMap<String, i64>, Error> {
    Ok(rows::models(registry.pool(), maker.org_id)
        .await?
        .into_iter()
        .map(|m| (m.code, m.id))
        .collect())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Register one unit as `maker`: its ID, or what is wrong (400, naming the field), or 409 when
/// it is registered already.
pub async fn register(
    registry: &Registry,
    maker: &Maker,
    unit: &Unit,
) -> Result<RobotId, (Error, &'static str)> {
    let models = model_map(registry, maker).await.map_err(|e| (e, "model"))?;
    let (today, now) = clock();
    let checked = check(unit, maker, &models, today, &now)
        .map_err(|b| (Error::Invalid(b.problem), b.field))?;
    let conflict = (Error::Conflict(Problem::AlreadyRegistered), "serial");
    let written = async {
        let mut tx = registry.pool().begin().await?;
        rows::insert_units(
            &mut tx,
            registry.backend(),
            std::slice::from_ref(&checked.rows),
        )
        .await?;
        tx.commit().await
    }
    .await;
    match written {
        Ok(()) => {
            tracing::info!(robot = %checked.id, maker = maker.org_id, "unit registered");
            Ok(checked.id)
        }
        Err(e) if is_unique_violation(&e) => Err(conflict),
        Err(e) => Err((e.into(), "model")),
    }
}

/// A bad row of a file: its line (1 is the header) and what is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub field: &'static str,
    pub problem: Problem,
}

/// Why a file was not imported.
#[derive(Debug)]
pub enum Refused {
    /// The file as a whole (too large, not CSV, no such columns) or the import (another one
    /// running, the database unavailable).
    Whole(Error),
    /// These rows are bad: nothing was imported.
    Rows(Vec<RowError>),
}

impl From<Error> for Refused {
    fn from(e: Error) -> Self {
        Refused::Whole(e)
    }
}

const COLUMNS: [&str; 5] = ["model", "serial", "produced_on", "country", "factory"];

/// The good rows of a file, with their lines, and the bad ones.
type Read = (Vec<(u64, Checked)>, Vec<RowError>);

/// Read and check a whole file (pure: no database): its good rows and its bad ones; refused
/// whole when it is too large or its header is not the columns'.
fn read_file(
    bytes: &[u8],
    maker: &Maker,
    models: &HashMap<String, i64>,
    today: time::Date,
    now: &str,
) -> Result<Read, Refused> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(Refused::Whole(Error::Invalid(Problem::TooManyRows)));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header_error = Refused::Rows(vec![RowError {
        line: 1,
        field: "header",
        problem: Problem::BadCsv,
    }]);
    let Ok(headers) = reader.headers().cloned() else {
        return Err(header_error);
    };
    // Where each known column is; an unknown or repeated column, or a required one missing,
    // is a bad header.
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, name) in headers.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(c) if !at.contains_key(c) => {
                at.insert(c, i);
            }
            _ => return Err(header_error),
        }
    }
    if COLUMNS[..3].iter().any(|c| !at.contains_key(c)) {
        return Err(header_error);
    }
    let mut good = Vec::new();
    let mut errors = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let mut count = 0;
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                errors.push(RowError {
                    line,
                    field: "row",
                    problem: Problem::BadCsv,
                });
                // A row that is not UTF-8 is skipped; anything else stops the reading.
                if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    continue;
                }
                break;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        count += 1;
        if count > MAX_IMPORT_ROWS {
            return Err(Refused::Whole(Error::Invalid(Problem::TooManyRows)));
        }
        if record.len() != headers.len() {
            errors.push(RowError {
                line,
                field: "row",
                problem: Problem::BadCsv,
            });
            continue;
        }
        let get = |c: &str| at.get(c).and_then(|i| record.get(*i)).unwrap_or_default();
        let optional = |c: &str| Some(get(c).to_string()).filter(|s| !s.is_empty());
        let unit = Unit {
            model: get("model").to_string(),
            serial: get("serial").to_string(),
            produced_on: get("produced_on").to_string(),
            country: optional("country"),
            factory: optional("factory"),
        };
        match check(&unit, maker, models, today, now) {
            Ok(checked) => {
                if first_line.contains_key(checked.id.as_str()) {
                    errors.push(RowError {
                        line,
                        field: "serial",
                        problem: Problem::DuplicateUnit,
                    });
                } else {
                    first_line.insert(checked.id.to_string(), line);
                    good.push((line, checked));
                }
            }
            Err(b) => errors.push(RowError {
                line,
                field: b.field,
                problem: b.problem,
            }),
        }
    }
    if count == 0 && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            field: "row",
            problem: Problem::BadCsv,
        });
    }
    Ok((good, errors))
}

/// Where an import stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportState {
    Running,
    Done,
    Failed,
}

impl ImportState {
    /// Its machine name, as the API says it.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportState::Running => "running",
            ImportState::Done => "done",
            ImportState::Failed => "failed",
        }
    }
}

/// An import as its page and the API show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub id: String,
    pub state: ImportState,
    /// Units in the file.
    pub total: usize,
    /// Units written so far (made visible all at once when the import is done).
    pub written: usize,
    /// Seconds from the file's arrival to now, or to the end.
    pub seconds: f64,
    /// Why it failed, as a problem's name (nothing was imported).
    pub problem: Option<&'static str>,
}

struct Job {
    org_id: i64,
    total: usize,
    written: AtomicUsize,
    started: Instant,
    /// Set when it ends: when, and the problem if it failed.
    ended: Mutex<Option<(Instant, Option<Problem>)>>,
}

impl Job {
    fn progress(&self, id: &str) -> Progress {
        let ended = *self.ended.lock().unwrap_or_else(|p| p.into_inner());
        let (state, until, problem) = match ended {
            None => (ImportState::Running, Instant::now(), None),
            Some((at, None)) => (ImportState::Done, at, None),
            Some((at, Some(p))) => (ImportState::Failed, at, Some(p.as_str())),
        };
        Progress {
            id: id.to_string(),
            state,
            total: self.total,
            written: self.written.load(Ordering::Relaxed),
            seconds: (until - self.started).as_secs_f64(),
            problem,
        }
    }

    fn finished_before(&self, t: Instant) -> bool {
        self.ended
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|(at, _)| at < t)
    }

    fn running(&self) -> bool {
        self.ended
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }
}

/// The imports of this server process: running, or finished within the last hour. Kept in
/// memory: a page asking for progress must not wait behind the import's own write transaction,
/// which SQLite would make it do.
#[derive(Default)]
pub struct Imports {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
}

impl Imports {
    /// Make room and enter a new job for `org_id`, or say why not.
    fn start(&self, org_id: i64, total: usize) -> Result<(String, Arc<Job>), Error> {
        let mut jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        let horizon = Instant::now().checked_sub(KEEP_FINISHED);
        if let Some(h) = horizon {
            jobs.retain(|_, j| !j.finished_before(h));
        }
        if jobs.values().any(|j| j.org_id == org_id && j.running()) {
            return Err(Error::Conflict(Problem::ImportRunning));
        }
        if jobs.values().filter(|j| j.running()).count() >= MAX_RUNNING {
            return Err(Error::TooMany { retry_after_s: 30 });
        }
        let id = hex::encode(rand::random::<[u8; 12]>());
        let job = Arc::new(Job {
            org_id,
            total,
            written: AtomicUsize::new(0),
            started: Instant::now(),
            ended: Mutex::new(None),
        });
        jobs.insert(id.clone(), job.clone());
        Ok((id, job))
    }

    fn get(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
    }
}

/// Check the CSV file `bytes` as `maker`'s and, when every row is good, start writing it in
/// the background: the import's progress as it starts.
pub async fn import(
    registry: &Registry,
    maker: &Maker,
    bytes: Vec<u8>,
) -> Result<Progress, Refused> {
    let models = model_map(registry, maker).await?;
    let (today, now) = clock();
    let who = maker.clone();
    let (checked, mut errors) =
        tokio::task::spawn_blocking(move || read_file(&bytes, &who, &models, today, &now))
            .await
            .map_err(|_| Refused::Whole(Error::Unavailable))??;
    // Units registered already, found with the file's IDs (a few queries of many IDs each).
    let ids: Vec<&str> = checked.iter().map(|(_, c)| c.id.as_str()).collect();
    let taken = rows::registered(registry.pool(), &ids)
        .await
        .map_err(Error::from)?;
    errors.extend(
        checked
            .iter()
            .filter(|(_, c)| taken.contains(c.id.as_str()))
            .map(|(line, _)| RowError {
                line: *line,
                field: "serial",
                problem: Problem::AlreadyRegistered,
            }),
    );
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(Refused::Rows(errors));
    }
    let units: Vec<NewRobot> = checked.into_iter().map(|(_, c)| c.rows).collect();
    let (id, job) = registry.imports().start(maker.org_id, units.len())?;
    tracing::info!(import = %id, maker = maker.org_id, units = units.len(), "import started");
    let registry2 = registry.clone();
    let job2 = job.clone();
    let import_id = id.clone();
    tokio::spawn(async move {
        let outcome = write_all(&registry2, &units, &job2).await;
        let problem = match outcome {
            Ok(()) => None,
            Err(e) if is_unique_violation(&e) => Some(Problem::AlreadyRegistered),
            Err(e) => {
                tracing::error!(import = %import_id, error = %e, "import failed; nothing was imported");
                Some(Problem::Unavailable)
            }
        };
        if problem.is_none() {
            tracing::info!(import = %import_id, units = units.len(), "import done");
        }
        *job2.ended.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), problem));
    });
    Ok(job.progress(&id))
}

/// Write every unit in one transaction, moving the job's count on after each chunk.
async fn write_all(registry: &Registry, units: &[NewRobot], job: &Job) -> Result<(), sqlx::Error> {
    let mut tx = registry.pool().begin().await?;
    for chunk in units.chunks(WRITE_CHUNK) {
        rows::insert_units(&mut tx, registry.backend(), chunk).await?;
        job.written.fetch_add(chunk.len(), Ordering::Relaxed);
    }
    tx.commit().await
}

/// The import `id` of `maker`'s, as it stands.
pub fn progress(registry: &Registry, maker: &Maker, id: &str) -> Result<Progress, Error> {
    registry
        .imports()
        .get(id)
        .filter(|j| j.org_id == maker.org_id)
        .map(|j| j.progress(id))
        .ok_or(Error::NotFound(Problem::NoSuchImport))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maker() -> Maker {
        Maker {
            org_id: 7,
            name: "Maker".into(),
            code: "ABCD".into(),
        }
    }

    fn models() -> HashMap<String, i64> {
        HashMap::from([("MOD001".to_string(), 3)])
    }

    fn today() -> time::Date {
        time::macros::date!(2026 - 12 - 07)
    }

    fn read(text: &str) -> Result<Read, Refused> {
        read_file(
            text.as_bytes(),
            &maker(),
            &models(),
            today(),
            "2026-12-07T01:00:00Z",
        )
    }

    fn errors(text: &str) -> Vec<(u64, &'static str, Problem)> {
        let rows = match read(text) {
            Err(Refused::Rows(rows)) | Ok((_, rows)) => rows,
            Err(Refused::Whole(e)) => panic!("whole file refused: {e}"),
        };
        rows.iter().map(|r| (r.line, r.field, r.problem)).collect()
    }

    #[test]
    fn a_good_file_becomes_units_with_their_first_two_entries() {
        let Ok((good, bad)) = read(
            "\u{feff}model,serial,produced_on,factory\n\
             MOD001,00000000000000001,2026-11-30,Shenzhen\n\
             mod001,\"00000000000000002\",2026-12-07,\n",
        ) else {
            panic!("a good file")
        };
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(good.len(), 2);
        let (line, first) = &good[0];
        assert_eq!(*line, 2);
        assert_eq!(first.id.as_str(), "CNABCDMOD00100000000000000001");
        let kinds: Vec<_> = first.rows.entries.iter().map(|e| e.kind).collect();
        assert_eq!(kinds, [EntryKind::Produced, EntryKind::Registered]);
        assert_eq!(first.rows.entries[0].occurred_at, "2026-11-29T16:00:00Z");
        assert_eq!(first.rows.entries[1].prev_hash, first.rows.entries[0].hash);
        assert_eq!(good[1].1.id.as_str(), "CNABCDMOD00100000000000000002");
    }

    #[test]
    fn every_bad_row_is_named_by_its_line() {
        let found = errors(
            "model,serial,produced_on,country\n\
             MOD001,00000000000000001,2026-11-30,CN\n\
             MOD999,00000000000000002,2026-11-30,CN\n\
             MOD001,short,2026-11-30,CN\n\
             MOD001,00000000000000003,2027-01-01,CN\n\
             MOD001,00000000000000004,2026-11-30,C1\n\
             MOD001,00000000000000001,2026-11-30,CN\n\
             MOD001,00000000000000005\n",
        );
        assert_eq!(
            found,
            [
                (3, "model", Problem::UnknownModel),
                (4, "serial", Problem::BadSerial),
                (5, "produced_on", Problem::BadProductionDate),
                (6, "country", Problem::BadCountry),
                (7, "serial", Problem::DuplicateUnit),
                (8, "row", Problem::BadCsv),
            ]
        );
    }

    #[test]
    fn a_file_without_its_columns_or_rows_is_refused() {
        assert_eq!(
            errors("serial,produced_on\n"),
            [(1, "header", Problem::BadCsv)]
        );
        assert_eq!(
            errors("model,serial,produced_on,colour\nMOD001,00000000000000001,2026-11-30,red\n"),
            [(1, "header", Problem::BadCsv)]
        );
        assert_eq!(
            errors("model,serial,produced_on\n"),
            [(2, "row", Problem::BadCsv)]
        );
        let mut huge = String::from("model,serial,produced_on\n");
        for i in 0..=MAX_IMPORT_ROWS {
            huge.push_str(&format!("MOD001,{i:017},2026-11-30\n"));
        }
        assert!(matches!(
            read(&huge),
            Err(Refused::Whole(Error::Invalid(Problem::TooManyRows)))
        ));
    }
}
