//! Filing the lifecycle record by each party: who may file what (the party check), what an
//! entry of each kind must say (its details), and the record's rules (`Projection::allows`),
//! all checked on the robot's row taken for writing, so that what was checked still holds when
//! the entry is chained (`record::open`, `record::write`). A refusal is answered (403: not
//! yours to file; 409: the record's rules forbid it) and kept in `filing_refusals`.

use crate::accounts::{self, Person};
use crate::api_tokens::TokenHolder;
use crate::db::filing as rows;
use crate::domain::record::{Entry, EntryKind, Projection, Stored};
use crate::domain::vocabulary::{OrgRole, Part, Word};
use crate::domain::{Problem, RobotId};
use crate::record::{self, Attempt, ATTEMPTS};
use crate::{Database, Error, Registry};
use serde_json::{Map, Value};
use time::OffsetDateTime;

/// The longest details an entry may carry, as JSON text.
pub const MAX_DETAILS_CHARS: usize = 4_000;
/// The longest free text in an entry's details.
pub const MAX_TEXT_CHARS: usize = 500;
/// How far ahead of the server's clock an entry may say it happened (clocks differ a little).
const FUTURE_SLACK_S: i64 = 300;

/// An entry as a party sends it (`POST /api/v1/robots/{ID}/entries`).
#[derive(Clone, Debug, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filing {
    pub kind: String,
    pub occurred_at: String,
    #[serde(default)]
    pub details: Value,
}

/// Who files: a signed-in person, in any role they hold, or an organisation's API token, in
/// its one role.
#[derive(Clone, Copy, Debug)]
pub enum Filer<'a> {
    Person(&'a Person),
    Token(&'a TokenHolder),
}

impl Filer<'_> {
    /// The (organisation, role) pairs it may act in.
    pub(crate) fn capacities(&self) -> Vec<(i64, OrgRole)> {
        match self {
            Filer::Person(p) => p.memberships.iter().map(|m| (m.org_id, m.role)).collect(),
            Filer::Token(t) => vec![(t.org_id, t.role)],
        }
    }
}

/// What a party check needs to know of the robot, read with its row taken.
#[derive(Clone, Debug, Default)]
pub struct Parties {
    pub manufacturer: i64,
    pub owner: Option<i64>,
    pub operator: Option<i64>,
    /// Organisations the owner or operator has engaged on the robot (service, recycling).
    pub engaged: Vec<i64>,
    /// For a correction: the corrected entry's kind and filing organisation.
    pub corrected: Option<(EntryKind, i64)>,
}

/// The roles that file entries of `kind` at all.
fn roles_for(kind: EntryKind) -> &'static [OrgRole] {
    use EntryKind as K;
    match kind {
        K::Produced | K::Registered => &[OrgRole::Manufacturer],
        K::Sold => &[OrgRole::Owner, OrgRole::Manufacturer],
        K::LeaseStarted | K::LeaseEnded => &[OrgRole::Owner],
        K::Deployed | K::Withdrawn | K::ProfileUpdated => &[OrgRole::Operator],
        K::Inspected | K::Maintained | K::PartReplaced | K::ConditionReading => {
            &[OrgRole::ServiceProvider]
        }
        K::FirmwareUpdated | K::RecallRemedied => {
            &[OrgRole::ServiceProvider, OrgRole::Manufacturer]
        }
        K::Suspended | K::Reinstated | K::IncidentConfirmed | K::IncidentReported => {
            &[OrgRole::Regulator]
        }
        K::Scrapped | K::DataWiped | K::Recycled => &[OrgRole::Recycler],
        K::Correction => &[],
    }
}

/// Whether the organisation `org`, acting in `role`, may file an entry of `kind` for a robot
/// with these `parties`.
pub fn may_file(org: i64, role: OrgRole, kind: EntryKind, parties: &Parties) -> bool {
    use EntryKind as K;
    let is = |who: Option<i64>| who == Some(org);
    let engaged = parties.engaged.contains(&org);
    match (kind, role) {
        (K::Correction, OrgRole::Regulator) => true,
        (K::Correction, _) => parties
            .corrected
            .is_some_and(|(k, by)| by == org && roles_for(k).contains(&role)),
        (_, r) if !roles_for(kind).contains(&r) => false,
        (K::Produced | K::Registered, _) => org == parties.manufacturer,
        // The first sale is the maker's; every later one the owner's.
        (K::Sold, OrgRole::Manufacturer) => parties.owner.is_none() && org == parties.manufacturer,
        (K::Sold | K::LeaseStarted | K::LeaseEnded, _) => is(parties.owner),
        (K::Deployed | K::Withdrawn | K::ProfileUpdated, _) => is(parties.operator),
        (K::FirmwareUpdated | K::RecallRemedied, OrgRole::Manufacturer) => {
            org == parties.manufacturer
        }
        (_, OrgRole::Regulator) => true,
        (_, OrgRole::ServiceProvider | OrgRole::Recycler) => engaged,
        _ => false,
    }
}

/// Why an entry of `kind` was not the asker's to file, in words about who may.
fn refusal(kind: EntryKind) -> Problem {
    use EntryKind as K;
    match kind {
        K::Produced | K::Registered => Problem::NotYourCode,
        K::Sold | K::LeaseStarted | K::LeaseEnded => Problem::NotOwner,
        K::Deployed | K::Withdrawn | K::ProfileUpdated => Problem::NotOperator,
        K::Suspended | K::Reinstated | K::IncidentConfirmed | K::IncidentReported => {
            Problem::NotRegulator
        }
        K::Correction => Problem::NotFiler,
        _ => Problem::NotEngaged,
    }
}

/// `text` as an entry's time, `YYYY-MM-DDTHH:MM:SSZ` in UTC: RFC 3339 with any offset, not
/// after `now` (give or take clocks' difference), not before 2000.
pub fn entry_time(text: &str, now: OffsetDateTime) -> Result<String, Problem> {
    let t = OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| Problem::BadTime)?
        .to_offset(time::UtcOffset::UTC);
    if t.year() < 2000 || (t - now).whole_seconds() > FUTURE_SLACK_S {
        return Err(Problem::BadTime);
    }
    Ok(accounts::stamp(t))
}

/// The time now, as an entry's.
pub fn now() -> String {
    accounts::stamp(accounts::now())
}

/// An entry's time from a form's date (`YYYY-MM-DD`): now when it is today where the registry
/// is, else noon of that day there. [`entry_time`] then refuses a date in the future.
pub fn time_of_day(date: &str) -> Result<String, Problem> {
    let day = self::date(date.trim()).ok_or(Problem::BadTime)?;
    let offset = time::Duration::hours(i64::from(crate::domain::incident::LOCAL_UTC_OFFSET_H));
    let now = accounts::now();
    let at = if day == (now + offset).date() {
        now
    } else {
        day.with_hms(12, 0, 0)
            .map_err(|_| Problem::BadTime)?
            .assume_utc()
            - offset
    };
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|_| Problem::BadTime)
}

fn date(text: &str) -> Option<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// The details of an entry of `kind` as they are stored: only the fields the kind takes, each
/// checked, or the problem with the first that is wrong. `day` is the entry's date
/// (`YYYY-MM-DD`), which a next inspection must come after.
pub fn check_details(kind: EntryKind, details: &Value, day: &str) -> Result<Value, Problem> {
    use EntryKind as K;
    let empty = Map::new();
    let given = match details {
        Value::Null => &empty,
        Value::Object(m) if details.to_string().chars().count() <= MAX_DETAILS_CHARS => m,
        _ => return Err(Problem::BadDetails),
    };
    let mut d = Fields {
        given,
        out: Map::new(),
    };
    match kind {
        K::Produced => d.text("factory", false, Problem::BadDetails)?,
        K::Registered | K::Recycled | K::LeaseEnded => {}
        K::Sold => d.id("to", Problem::BadParty)?,
        K::LeaseStarted => {
            d.id("lessee", Problem::BadParty)?;
            d.date("until", false, Problem::BadDueDate)?;
        }
        K::Deployed => {
            d.id("venue", Problem::BadVenue)?;
            d.text("role", false, Problem::BadDetails)?;
        }
        K::Withdrawn | K::Scrapped => d.text("reason", false, Problem::BadDetails)?,
        K::Inspected => {
            d.choice(
                "result",
                &["pass", "pass_with_remarks", "fail"],
                Problem::BadResult,
            )?;
            d.date("next_due", true, Problem::BadDueDate)?;
            if d.out["next_due"].as_str().is_none_or(|due| due <= day) {
                return Err(Problem::BadDueDate);
            }
            d.text("remarks", false, Problem::BadDetails)?;
        }
        K::Maintained => d.text("work", true, Problem::MissingWork)?,
        K::PartReplaced => {
            let parts: Vec<&str> = Part::all().iter().map(|p| p.name()).collect();
            d.choice("part", &parts, Problem::BadPart)?;
            d.text("part_number", true, Problem::BadPart)?;
            for key in ["serial", "removed_serial", "position"] {
                d.text(key, false, Problem::BadPart)?;
            }
        }
        K::FirmwareUpdated => {
            d.version("version", true)?;
            d.version("ai_model", false)?;
        }
        K::RecallRemedied => d.id("recall", Problem::BadRecall)?,
        K::Suspended | K::Reinstated => d.text("reason", true, Problem::ReasonNeeded)?,
        K::DataWiped => {
            d.text("method", false, Problem::BadDetails)?;
            d.text("certificate", false, Problem::BadDetails)?;
        }
        K::ConditionReading => d.reading()?,
        K::IncidentReported | K::IncidentConfirmed => {
            d.text("category", true, Problem::BadDetails)?;
            d.text("severity", true, Problem::BadDetails)?;
            d.text("reference", false, Problem::BadDetails)?;
        }
        K::ProfileUpdated => d.profile()?,
        K::Correction => {
            let Some(seq) = given
                .get("corrects")
                .and_then(Value::as_i64)
                .filter(|s| *s > 0)
            else {
                return Err(Problem::BadCorrection);
            };
            d.out.insert("corrects".into(), seq.into());
            d.text("reason", true, Problem::BadCorrection)?;
            // When the corrected entry's time was wrong too.
            if let Some(at) = given.get("occurred_at") {
                let at = at.as_str().ok_or(Problem::BadTime)?;
                d.out.insert(
                    "occurred_at".into(),
                    entry_time(at, accounts::now())?.into(),
                );
            }
            match given.get("details") {
                Some(Value::Object(m)) => {
                    d.out.insert("details".into(), Value::Object(m.clone()));
                }
                _ => return Err(Problem::BadCorrection),
            }
        }
    }
    if given.keys().any(|k| !d.out.contains_key(k)) {
        return Err(Problem::BadDetails);
    }
    Ok(Value::Object(d.out))
}

/// The details being checked, and what of them is kept.
struct Fields<'a> {
    given: &'a Map<String, Value>,
    out: Map<String, Value>,
}

impl Fields<'_> {
    fn text(&mut self, key: &str, required: bool, p: Problem) -> Result<(), Problem> {
        match self.given.get(key) {
            None | Some(Value::Null) if !required => Ok(()),
            Some(Value::String(s)) => {
                let s = s.trim();
                if s.is_empty()
                    || s.chars().count() > MAX_TEXT_CHARS
                    || s.chars().any(char::is_control)
                {
                    return Err(p);
                }
                self.out.insert(key.into(), s.into());
                Ok(())
            }
            _ => Err(p),
        }
    }

    fn id(&mut self, key: &str, p: Problem) -> Result<(), Problem> {
        let n = self
            .given
            .get(key)
            .and_then(Value::as_i64)
            .filter(|n| *n > 0);
        self.out.insert(key.into(), n.ok_or(p)?.into());
        Ok(())
    }

    fn date(&mut self, key: &str, required: bool, p: Problem) -> Result<(), Problem> {
        match self.given.get(key) {
            None | Some(Value::Null) if !required => Ok(()),
            Some(Value::String(s)) if date(s).is_some() => {
                self.out.insert(key.into(), s.as_str().into());
                Ok(())
            }
            _ => Err(p),
        }
    }

    fn choice(&mut self, key: &str, choices: &[&str], p: Problem) -> Result<(), Problem> {
        match self.given.get(key).and_then(Value::as_str) {
            Some(s) if choices.contains(&s) => {
                self.out.insert(key.into(), s.into());
                Ok(())
            }
            _ => Err(p),
        }
    }

    fn version(&mut self, key: &str, required: bool) -> Result<(), Problem> {
        let ok = |s: &str| {
            (1..=40).contains(&s.len())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
        };
        match self.given.get(key) {
            None | Some(Value::Null) if !required => Ok(()),
            Some(Value::String(s)) if ok(s) => {
                self.out.insert(key.into(), s.as_str().into());
                Ok(())
            }
            _ => Err(Problem::BadVersion),
        }
    }

    /// A condition reading: battery state of health and cycles, hours in service, joint wear
    /// by actuator; at least one of them.
    fn reading(&mut self) -> Result<(), Problem> {
        let bad = Problem::BadReading;
        let percent = |v: &Value| v.as_f64().filter(|x| (0.0..=100.0).contains(x));
        let count = |v: &Value| v.as_i64().filter(|n| (0..=10_000_000).contains(n));
        if let Some(v) = self.given.get("battery_soh") {
            self.out
                .insert("battery_soh".into(), percent(v).ok_or(bad)?.into());
        }
        for key in ["battery_cycles", "hours"] {
            if let Some(v) = self.given.get(key) {
                self.out.insert(key.into(), count(v).ok_or(bad)?.into());
            }
        }
        if let Some(v) = self.given.get("joints") {
            let Value::Object(joints) = v else {
                return Err(bad);
            };
            if joints.is_empty() || joints.len() > 64 {
                return Err(bad);
            }
            let mut out = Map::new();
            for (name, wear) in joints {
                let name_ok = (1..=40).contains(&name.chars().count())
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_- ".contains(c));
                if !name_ok {
                    return Err(bad);
                }
                out.insert(name.clone(), percent(wear).ok_or(bad)?.into());
            }
            self.out.insert("joints".into(), Value::Object(out));
        }
        if self.out.is_empty() {
            return Err(bad);
        }
        Ok(())
    }

    /// The public profile's fields an operator keeps true: the permitted role and its limits,
    /// and the data notice (what it records, why, for how long, where, and whom to ask).
    fn profile(&mut self) -> Result<(), Problem> {
        use crate::domain::vocabulary::{Purpose, Role, Sensor, Storage};
        let bad = Problem::BadDetails;
        self.names("approved", |n| Role::from_name(n).map(Word::name), false)?;
        self.names(
            "not_approved",
            |n| Role::from_name(n).map(Word::name),
            false,
        )?;
        self.names("sensors", |n| Sensor::from_name(n).map(Word::name), true)?;
        for key in ["indoor_only", "supervised"] {
            if let Some(v) = self.given.get(key) {
                self.out.insert(key.into(), v.as_bool().ok_or(bad)?.into());
            }
        }
        self.number("max_speed_cms", 1..=1_000)?;
        self.number("retention_days", 0..=3_650)?;
        let purposes: Vec<&str> = Purpose::all().iter().map(|p| p.name()).collect();
        let storages: Vec<&str> = Storage::all().iter().map(|p| p.name()).collect();
        if self.given.contains_key("purpose") {
            self.choice("purpose", &purposes, bad)?;
        }
        if self.given.contains_key("storage") {
            self.choice("storage", &storages, bad)?;
        }
        self.text("hours", false, bad)?;
        self.text("rights_contact", false, bad)?;
        // The operator's contacts, on every profile of the robots it operates.
        for (key, problem) in [
            ("phone", Problem::BadPhone),
            ("emergency_phone", Problem::BadEmergencyPhone),
        ] {
            self.text(key, false, problem)?;
            if self
                .out
                .get(key)
                .and_then(Value::as_str)
                .is_some_and(|p| !crate::incidents::phone_ok(p))
            {
                return Err(problem);
            }
        }
        self.text("complaint_email", false, Problem::BadEmail)?;
        if let Some(email) = self.out.get("complaint_email").and_then(Value::as_str) {
            accounts::check_email(email).map_err(|_| Problem::BadEmail)?;
        }
        if self.out.is_empty() {
            return Err(Problem::NothingToUpdate);
        }
        Ok(())
    }

    /// A list of words of one vocabulary under `key` (`name_of` reads one), kept as their
    /// machine names; a list that must not be empty when `filled`.
    fn names(
        &mut self,
        key: &str,
        name_of: impl Fn(&str) -> Option<&'static str>,
        filled: bool,
    ) -> Result<(), Problem> {
        let Some(v) = self.given.get(key) else {
            return Ok(());
        };
        let bad = Problem::BadDetails;
        let list = v.as_array().ok_or(bad)?;
        if (filled && list.is_empty()) || list.len() > 32 {
            return Err(bad);
        }
        let mut names = Vec::new();
        for item in list {
            let name = item.as_str().and_then(&name_of).ok_or(bad)?;
            if !names.contains(&Value::from(name)) {
                names.push(Value::from(name));
            }
        }
        self.out.insert(key.into(), Value::Array(names));
        Ok(())
    }

    /// A whole number in `range` under `key`, when given.
    fn number(&mut self, key: &str, range: std::ops::RangeInclusive<i64>) -> Result<(), Problem> {
        if let Some(v) = self.given.get(key) {
            let n = v
                .as_i64()
                .filter(|n| range.contains(n))
                .ok_or(Problem::BadDetails)?;
            self.out.insert(key.into(), n.into());
        }
        Ok(())
    }
}

/// File `filing` for the robot `id` as `filer`: checked, chained and stored with what goes
/// beside it, or refused (and the refusal kept).
pub async fn file(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
    filing: &Filing,
) -> Result<Stored, Error> {
    let database = registry.database();
    let result = check_and_file(registry, filer, id, filing).await;
    if let Err(e @ (Error::Forbidden(_) | Error::Conflict(_))) = &result {
        let (person, token) = match filer {
            Filer::Person(p) => (Some(p.id), None),
            Filer::Token(t) => (None, Some(t.token_id)),
        };
        tracing::info!(robot = %id, kind = %filing.kind, ?person, ?token, refused = e.code(), "filing refused");
        let kept = rows::insert_refusal(
            database.pool(),
            &rows::Refusal {
                at: &accounts::stamp(accounts::now()),
                robot_id: id.as_str(),
                kind: filing.kind.get(..40).unwrap_or(&filing.kind),
                person,
                token,
                problem: e.code(),
            },
        )
        .await;
        if let Err(e) = kept {
            tracing::error!(error = %e, "a refused filing could not be kept");
        }
    }
    result
}

async fn check_and_file(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
    filing: &Filing,
) -> Result<Stored, Error> {
    let kind = EntryKind::from_name(&filing.kind).ok_or(Error::Invalid(Problem::UnknownKind))?;
    let occurred_at = entry_time(&filing.occurred_at, accounts::now()).map_err(Error::Invalid)?;
    let details =
        check_details(kind, &filing.details, &occurred_at[..10]).map_err(Error::Invalid)?;
    let capacities = filer.capacities();
    if capacities.is_empty() {
        return Err(Error::Forbidden(Problem::NoFilingRole));
    }
    for attempt in 1..=ATTEMPTS {
        let tried = try_file(registry, &capacities, id, kind, &occurred_at, &details).await;
        match tried {
            Ok(Some(stored)) => {
                if kind == EntryKind::ProfileUpdated
                    && CONTACT_FIELDS.iter().any(|k| details.get(k).is_some())
                {
                    // This process's profiles show the new contacts at once; others within
                    // their reference cache's time to live.
                    registry
                        .lookups()
                        .reference()
                        .forget_organisation(stored.filed_by);
                }
                return Ok(stored);
            }
            Ok(None) => {}
            Err(Attempt::Final(e)) => return Err(e),
            Err(Attempt::Database(e))
                if attempt < ATTEMPTS && crate::db::record::is_contention(&e) => {}
            Err(Attempt::Database(e)) => return Err(e.into()),
        }
        tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(attempt))).await;
    }
    Err(Error::Unavailable)
}

async fn try_file(
    registry: &Registry,
    capacities: &[(i64, OrgRole)],
    id: &RobotId,
    kind: EntryKind,
    occurred_at: &str,
    details: &Value,
) -> Result<Option<Stored>, Attempt> {
    let final_ = |e: Error| Attempt::Final(e);
    let mut tx = registry.pool().begin().await?;
    let (pk, projection) = record::open(&mut tx, id).await?;
    let robot = rows::robot_parties(&mut tx, pk).await?;
    let mut parties = Parties {
        manufacturer: robot.manufacturer_id,
        owner: projection.owner_id,
        operator: projection.operator_id,
        engaged: rows::engaged(&mut tx, pk).await?,
        corrected: None,
    };
    let mut corrected_kind = None;
    if kind == EntryKind::Correction {
        let seq = details["corrects"].as_i64().unwrap_or(0);
        let record = crate::db::record::entries(&mut tx, pk).await?;
        let target = record
            .iter()
            .find(|e| e.seq == seq && e.kind != EntryKind::Correction)
            .ok_or(final_(Error::Invalid(Problem::BadCorrection)))?;
        parties.corrected = Some((target.kind, target.filed_by));
        // The day the corrected entry says now: the correction's, when it moves it.
        let at = details["occurred_at"]
            .as_str()
            .unwrap_or(&target.occurred_at);
        corrected_kind = Some((target.kind, at.get(..10).unwrap_or_default().to_string()));
    }
    let filed_by = capacities
        .iter()
        .find(|(org, role)| may_file(*org, *role, kind, &parties))
        .map(|(org, _)| *org)
        .ok_or(final_(Error::Forbidden(refusal(kind))))?;
    projection
        .allows(kind)
        .map_err(|p| final_(Error::Conflict(p)))?;
    if let Some((target, _)) = corrected_kind {
        if !crate::domain::filing::correctable(target) {
            return Err(final_(Error::Conflict(Problem::NotCorrectable)));
        }
    }
    let mut details = details.clone();
    if let Some((target, day)) = &corrected_kind {
        // What the corrected entry says now is checked as an entry of its own kind and day.
        details["details"] = check_details(*target, &details["details"], day)
            .map_err(|p| final_(Error::Invalid(p)))?;
    }
    named_things_exist(&mut tx, pk, &robot, kind, &details, &projection).await?;
    if kind == EntryKind::Inspected {
        details["body"] = filed_by.into();
    }
    let entry = Entry {
        kind,
        occurred_at: occurred_at.to_string(),
        filed_by,
        corrects: details.get("corrects").and_then(Value::as_i64),
        details,
    };
    let Some(stored) =
        record::write(&mut tx, registry.backend(), id, pk, projection, &entry).await?
    else {
        return Ok(None);
    };
    beside_the_entry(&mut tx, pk, &entry, &stored, corrected_kind.map(|(k, _)| k)).await?;
    tx.commit().await?;
    Ok(Some(stored))
}

/// The organisations, venues and recalls an entry names exist, and a remedy is for a recall
/// that covers the robot and has not been recorded for it.
async fn named_things_exist(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    pk: i64,
    robot: &rows::RobotParties,
    kind: EntryKind,
    details: &Value,
    projection: &Projection,
) -> Result<(), Attempt> {
    let refuse = |e: Error| Err(Attempt::Final(e));
    match kind {
        EntryKind::Sold | EntryKind::LeaseStarted => {
            let key = if kind == EntryKind::Sold {
                "to"
            } else {
                "lessee"
            };
            let org = details[key].as_i64().unwrap_or(0);
            if rows::org_kind(tx, org).await?.is_none() || Some(org) == projection.owner_id {
                return refuse(Error::Invalid(Problem::BadParty));
            }
        }
        EntryKind::Deployed => {
            if !rows::venue_exists(tx, details["venue"].as_i64().unwrap_or(0)).await? {
                return refuse(Error::Invalid(Problem::BadVenue));
            }
        }
        EntryKind::ProfileUpdated => {
            let given = |k: &&str| details.get(*k).is_some();
            let some = NOTICE_FIELDS.iter().any(given);
            if some && !NOTICE_FIELDS.iter().all(given) && !rows::has_data_notice(tx, pk).await? {
                return refuse(Error::Invalid(Problem::NoticeIncomplete));
            }
        }
        EntryKind::RecallRemedied => {
            let recall = details["recall"].as_i64().unwrap_or(0);
            let Some(cover) = rows::recall_cover(tx, recall, pk).await? else {
                return refuse(Error::Invalid(Problem::BadRecall));
            };
            let in_range = match (&cover.serial_from, &cover.serial_to) {
                (Some(from), Some(to)) => {
                    (from.as_str()..=to.as_str()).contains(&robot.serial.as_str())
                }
                _ => true,
            };
            if cover.model_id != robot.model_id || !in_range {
                return refuse(Error::Conflict(Problem::NotRecalled));
            }
            if cover.remedied > 0 {
                return refuse(Error::Conflict(Problem::AlreadyRemedied));
            }
        }
        _ => {}
    }
    Ok(())
}

/// The permitted role's fields a `profile_updated` entry may set.
const ROLE_FIELDS: [&str; 6] = [
    "approved",
    "not_approved",
    "indoor_only",
    "supervised",
    "max_speed_cms",
    "hours",
];
/// The data notice's fields a `profile_updated` entry may set: all of them at once for a robot
/// that has no notice yet.
const NOTICE_FIELDS: [&str; 5] = [
    "sensors",
    "purpose",
    "retention_days",
    "storage",
    "rights_contact",
];

/// The operator's contacts a `profile_updated` entry may set: its organisation's, shown on the
/// profile of every robot it operates.
pub(crate) const CONTACT_FIELDS: [&str; 3] = ["phone", "emergency_phone", "complaint_email"];

/// What lands with an entry beside the record: an inspection's row (the profile's last
/// inspection), a remedy's row (the recall closed for this unit), the end of engagements when
/// the robot changes hands; an inspection's row as corrected (`corrected`: the kind of the
/// entry a correction corrects).
async fn beside_the_entry(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    pk: i64,
    entry: &Entry,
    stored: &Stored,
    corrected: Option<EntryKind>,
) -> Result<(), sqlx::Error> {
    let d = &entry.details;
    let day = &entry.occurred_at[..10];
    match entry.kind {
        EntryKind::Inspected => {
            rows::insert_inspection(
                tx,
                &rows::InspectionRow {
                    robot_pk: pk,
                    entry_seq: stored.seq,
                    inspected_on: day,
                    body: entry.filed_by,
                    result: d["result"].as_str().unwrap_or("pass"),
                    next_due: d["next_due"].as_str().unwrap_or(day),
                },
            )
            .await
        }
        EntryKind::RecallRemedied => {
            rows::insert_remedy(tx, d["recall"].as_i64().unwrap_or(0), pk, day).await
        }
        EntryKind::ProfileUpdated => {
            use rows::RoleField::{Int, Text};
            // Lists are kept as comma-joined machine names, flags as 0 or 1.
            let lists: Vec<(&str, String)> = ["approved", "not_approved", "sensors"]
                .into_iter()
                .filter_map(|k| {
                    let a = d.get(k).and_then(Value::as_array)?;
                    let names: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
                    Some((k, names.join(",")))
                })
                .collect();
            let field = |key: &'static str| {
                if let Some((_, v)) = lists.iter().find(|(k, _)| *k == key) {
                    return Some(Text(key, v.as_str()));
                }
                match d.get(key)? {
                    Value::Bool(b) => Some(Int(key, i64::from(*b))),
                    Value::Number(n) => n.as_i64().map(|n| Int(key, n)),
                    Value::String(s) => Some(Text(key, s.as_str())),
                    _ => None,
                }
            };
            let role: Vec<_> = ROLE_FIELDS.into_iter().filter_map(field).collect();
            let notice: Vec<_> = NOTICE_FIELDS.into_iter().filter_map(field).collect();
            let contacts: Vec<_> = CONTACT_FIELDS.into_iter().filter_map(field).collect();
            if !contacts.is_empty() {
                rows::update_contacts(tx, entry.filed_by, &contacts).await?;
            }
            if !role.is_empty() {
                rows::update_permitted_role(tx, pk, &role).await?;
            }
            if !notice.is_empty() {
                rows::update_data_notice(tx, pk, entry.filed_by, &notice).await?;
            }
            Ok(())
        }
        EntryKind::Correction if corrected == Some(EntryKind::Inspected) => {
            let now = &d["details"];
            rows::correct_inspection(
                tx,
                pk,
                d["corrects"].as_i64().unwrap_or(0),
                d["occurred_at"].as_str().and_then(|at| at.get(..10)),
                now["result"].as_str().unwrap_or("pass"),
                now["next_due"].as_str().unwrap_or(day),
            )
            .await
        }
        EntryKind::Sold | EntryKind::Scrapped => {
            let keep = (entry.kind == EntryKind::Scrapped).then_some(entry.filed_by);
            rows::end_engagements(tx, pk, keep, &accounts::stamp(accounts::now())).await
        }
        _ => Ok(()),
    }
}

/// The filing page of the robot `id` for `filer`: the kinds they may file now and, for the
/// form of `kind` (when it is one of them), the choices its fields offer.
pub async fn page(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
    kind: Option<&str>,
    correct: Option<i64>,
) -> Result<crate::domain::filing::Page, Error> {
    use crate::domain::filing::{
        correctable, fields, form_values, Correctable, Correcting, Input, Page, MAX_CORRECTABLE,
        PAGE_KINDS,
    };
    let pool = registry.pool();
    let mut tx = pool.begin().await?;
    let (pk, projection) = crate::db::record::projection(&mut tx, id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    let robot = rows::robot_parties(&mut tx, pk).await?;
    let mut parties = Parties {
        manufacturer: robot.manufacturer_id,
        owner: projection.owner_id,
        operator: projection.operator_id,
        engaged: rows::engaged(&mut tx, pk).await?,
        corrected: None,
    };
    let stored = crate::db::record::entries(&mut tx, pk).await?;
    drop(tx);
    let capacities = filer.capacities();
    // The entries (as they stand corrected) this person may put right, newest first.
    let entries = crate::domain::record::effective(&stored);
    let mut corrections = Vec::new();
    let mut correcting = None;
    for (e, s) in entries.iter().zip(&stored).rev() {
        if !correctable(e.kind) {
            continue;
        }
        parties.corrected = Some((e.kind, s.filed_by));
        if !capacities
            .iter()
            .any(|(org, role)| may_file(*org, *role, EntryKind::Correction, &parties))
        {
            continue;
        }
        let entry = Correctable {
            seq: s.seq,
            kind: e.kind.as_str().to_string(),
            occurred_on: local_day(&e.occurred_at),
        };
        if correct == Some(s.seq) {
            correcting = Some(Correcting {
                entry: entry.clone(),
                values: form_values(e.kind, &e.details),
            });
        }
        if corrections.len() < MAX_CORRECTABLE {
            corrections.push(entry);
        } else if correcting.is_some() || correct.is_none() {
            break;
        }
    }
    parties.corrected = None;
    let allowed: Vec<EntryKind> = PAGE_KINDS
        .into_iter()
        .filter(|k| {
            capacities
                .iter()
                .any(|(org, role)| may_file(*org, *role, *k, &parties))
        })
        .filter(|k| projection.allows(*k).is_ok())
        .collect();
    let chosen = kind
        .and_then(EntryKind::from_name)
        .filter(|k| allowed.contains(k));
    let engages = capacities
        .iter()
        .any(|(org, role)| engages_as(*org, *role, &projection));
    let mut page = Page {
        robot_id: id.to_string(),
        model: rows::model_name(pool, pk).await?,
        allowed: allowed.iter().map(|k| k.as_str().to_string()).collect(),
        kind: chosen.map(|k| k.as_str().to_string()),
        today: local_day(&now()),
        engages,
        corrections,
        ..Page::default()
    };
    if engages {
        page.engaged = rows::engaged_names(pool, pk).await?;
        page.engageable = rows::engageable_choices(pool).await?;
    }
    let shown = chosen.or_else(|| {
        let c = correcting.as_ref()?;
        EntryKind::from_name(&c.entry.kind)
    });
    page.correcting = correcting;
    for field in shown.map(fields).unwrap_or_default() {
        match field.input {
            Input::Venue => page.venues = rows::venue_choices(pool).await?,
            Input::Organisation => {
                page.organisations = rows::organisation_choices(pool, None).await?
            }
            Input::Operator => {
                page.operators = rows::organisation_choices(pool, Some("operator")).await?
            }
            Input::Recall => page.recalls = rows::recall_choices(pool, pk).await?,
            _ => {}
        }
    }
    Ok(page)
}

/// The day of the UTC time `at` (`YYYY-MM-DDTHH:MM:SSZ`) where the registry is.
fn local_day(at: &str) -> String {
    let offset = time::Duration::hours(i64::from(crate::domain::incident::LOCAL_UTC_OFFSET_H));
    OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
        .map(|t| (t + offset).date().to_string())
        .unwrap_or_else(|_| at.get(..10).unwrap_or_default().to_string())
}

/// Engage the organisation `org` (a service provider or recycler) on the robot `id`, as its
/// owner or operator: whether a new engagement began (`false`: it was engaged already).
pub async fn engage(
    database: &Database,
    filer: Filer<'_>,
    id: &RobotId,
    org: i64,
) -> Result<bool, Error> {
    let (pk, by) = engager(database, filer, id).await?;
    let mut tx = database.pool().begin().await?;
    let kind = rows::org_kind(&mut tx, org).await?;
    drop(tx);
    if !matches!(kind.as_deref(), Some("service_provider" | "recycler")) {
        return Err(Error::Invalid(Problem::BadParty));
    }
    let at = accounts::stamp(accounts::now());
    Ok(rows::engage(database.pool(), pk, org, by, &at).await?)
}

/// End the engagement of `org` on the robot `id`: whether one was running.
pub async fn disengage(
    database: &Database,
    filer: Filer<'_>,
    id: &RobotId,
    org: i64,
) -> Result<bool, Error> {
    let (pk, _) = engager(database, filer, id).await?;
    let at = accounts::stamp(accounts::now());
    Ok(rows::disengage(database.pool(), pk, org, &at).await?)
}

/// Whether `org`, acting in `role`, engages service providers and recyclers on a robot whose
/// projection is `p`: as its owner, or as its operator.
fn engages_as(org: i64, role: OrgRole, p: &Projection) -> bool {
    (role == OrgRole::Owner && p.owner_id == Some(org))
        || (role == OrgRole::Operator && p.operator_id == Some(org))
}

/// The robot's key, and the organisation `filer` engages for: its owner (acting as owner) or
/// its operator (acting as operator).
async fn engager(database: &Database, filer: Filer<'_>, id: &RobotId) -> Result<(i64, i64), Error> {
    let pk = rows::robot_pk(database.pool(), id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    let (owner_id, operator_id) = rows::owner_and_operator(database.pool(), pk).await?;
    let parties = Projection {
        owner_id,
        operator_id,
        ..Projection::default()
    };
    filer
        .capacities()
        .into_iter()
        .find(|(org, role)| engages_as(*org, *role, &parties))
        .map(|(org, _)| (pk, org))
        .ok_or(Error::Forbidden(Problem::NotOwner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parties() -> Parties {
        Parties {
            manufacturer: 1,
            owner: Some(2),
            operator: Some(3),
            engaged: vec![4, 5],
            corrected: None,
        }
    }

    #[test]
    fn each_party_files_only_its_own() {
        use EntryKind as K;
        let p = parties();
        let cases: &[(i64, OrgRole, K, bool)] = &[
            (1, OrgRole::Manufacturer, K::Produced, true),
            (9, OrgRole::Manufacturer, K::Produced, false),
            (1, OrgRole::Manufacturer, K::Sold, false),
            (2, OrgRole::Owner, K::Sold, true),
            (2, OrgRole::Operator, K::Sold, false),
            (3, OrgRole::Owner, K::LeaseStarted, false),
            (3, OrgRole::Operator, K::Deployed, true),
            (2, OrgRole::Operator, K::Deployed, false),
            (4, OrgRole::ServiceProvider, K::Inspected, true),
            (6, OrgRole::ServiceProvider, K::Inspected, false),
            (1, OrgRole::Manufacturer, K::FirmwareUpdated, true),
            (1, OrgRole::Manufacturer, K::Inspected, false),
            (5, OrgRole::Recycler, K::Scrapped, true),
            (7, OrgRole::Recycler, K::Scrapped, false),
            (8, OrgRole::Regulator, K::Suspended, true),
            (3, OrgRole::Operator, K::Suspended, false),
        ];
        for (org, role, kind, allowed) in cases {
            assert_eq!(
                may_file(*org, *role, *kind, &p),
                *allowed,
                "{org} {role:?} {kind:?}"
            );
        }
        let first_sale = Parties {
            owner: None,
            ..parties()
        };
        assert!(may_file(1, OrgRole::Manufacturer, K::Sold, &first_sale));
        let correcting = Parties {
            corrected: Some((K::Inspected, 4)),
            ..parties()
        };
        assert!(may_file(
            4,
            OrgRole::ServiceProvider,
            K::Correction,
            &correcting
        ));
        assert!(!may_file(
            5,
            OrgRole::ServiceProvider,
            K::Correction,
            &correcting
        ));
        assert!(may_file(8, OrgRole::Regulator, K::Correction, &correcting));
    }

    #[test]
    fn details_keep_only_what_their_kind_takes() {
        let day = "2026-12-01";
        let ok = check_details(
            EntryKind::Inspected,
            &json!({"result": "pass", "next_due": "2027-06-01", "remarks": " fine "}),
            day,
        );
        assert_eq!(
            ok,
            Ok(json!({"result": "pass", "next_due": "2027-06-01", "remarks": "fine"}))
        );
        let wrong: &[(EntryKind, Value, Problem)] = &[
            (
                EntryKind::Inspected,
                json!({"result": "ok", "next_due": "2027-06-01"}),
                Problem::BadResult,
            ),
            (
                EntryKind::Inspected,
                json!({"result": "pass", "next_due": "2026-11-01"}),
                Problem::BadDueDate,
            ),
            (
                EntryKind::Inspected,
                json!({"result": "pass", "next_due": "2027-06-01", "extra": 1}),
                Problem::BadDetails,
            ),
            (EntryKind::Sold, json!({"to": "seven"}), Problem::BadParty),
            (
                EntryKind::Maintained,
                json!({"work": "  "}),
                Problem::MissingWork,
            ),
            (
                EntryKind::PartReplaced,
                json!({"part": "engine", "part_number": "X"}),
                Problem::BadPart,
            ),
            (
                EntryKind::FirmwareUpdated,
                json!({"version": "1.0; DROP"}),
                Problem::BadVersion,
            ),
            (EntryKind::ConditionReading, json!({}), Problem::BadReading),
            (
                EntryKind::ConditionReading,
                json!({"battery_soh": 130}),
                Problem::BadReading,
            ),
            (EntryKind::Suspended, json!({}), Problem::ReasonNeeded),
            (
                EntryKind::Correction,
                json!({"corrects": 2, "reason": "typo"}),
                Problem::BadCorrection,
            ),
            (EntryKind::Withdrawn, json!("text"), Problem::BadDetails),
            (
                EntryKind::Withdrawn,
                json!({"reason": "x".repeat(5_000)}),
                Problem::BadDetails,
            ),
        ];
        for (kind, details, problem) in wrong {
            assert_eq!(
                check_details(*kind, details, day),
                Err(*problem),
                "{kind:?} {details}"
            );
        }
        assert_eq!(
            check_details(
                EntryKind::ConditionReading,
                &json!({"battery_soh": 91.5, "battery_cycles": 412, "joints": {"left_knee": 12}}),
                day
            ),
            Ok(json!({"battery_soh": 91.5, "battery_cycles": 412, "joints": {"left_knee": 12.0}}))
        );
    }

    #[test]
    fn entry_times_are_utc_and_not_in_the_future() {
        let now = OffsetDateTime::parse(
            "2026-12-06T10:00:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(
            entry_time("2026-12-06T17:30:00+08:00", now),
            Ok("2026-12-06T09:30:00Z".into())
        );
        assert_eq!(
            entry_time("2026-12-07T10:00:00Z", now),
            Err(Problem::BadTime)
        );
        assert_eq!(
            entry_time("1999-12-31T10:00:00Z", now),
            Err(Problem::BadTime)
        );
        assert_eq!(entry_time("yesterday", now), Err(Problem::BadTime));
    }
}
