//! Incident reports: filed by a signed-in person from a robot's profile, moved through their
//! workflow by the robot's operator, confirmed into the robot's record by a regulator. Who may
//! see and do what is decided here, for every page and API alike:
//!
//! - the reporter sees their own reports and every step, and may add information and photos;
//! - the robot's operator sees and moves reports on its robots, and sees the reporter's
//!   details only when the reporter chose to share them;
//! - the robot's manufacturer sees reports on its models, without the reporter's details;
//! - a regulator sees every report, and may confirm one: it then enters the robot's record;
//! - anyone else is refused exactly as if the report did not exist.
//!
//! A report, its first event and its photos are saved in one transaction, or not at all.

use crate::accounts::{now, stamp, Person};
use crate::db::incidents::{self as rows, Among, NewReportRow, ReportRow};
use crate::domain::incident::{
    self, Actor, Event, Inbox, Permissions, Report, Reporter, Summary, LOCAL_UTC_OFFSET_H,
    MAX_PHONE_CHARS, MAX_PHOTOS, MAX_PLACE_CHARS, MAX_TEXT_CHARS,
};
use crate::domain::record::{Entry, EntryKind};
use crate::domain::vocabulary::{
    ContactPreference, IncidentCategory, IncidentEventKind, IncidentStatus, OrgRole, Severity, Word,
};
use crate::domain::{Problem, RobotId};
use crate::record::{file_within, Attempt, ATTEMPTS};
use crate::{Database, Error, Registry};

/// Most reports a list shows.
pub const LIST_LIMIT: i64 = 200;

/// A report as typed into the form, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    pub robot: String,
    /// Local time, `YYYY-MM-DDTHH:MM` (a `datetime-local` field).
    pub occurred_at: String,
    pub place: String,
    pub category: String,
    pub severity: String,
    pub near_miss: bool,
    pub description: String,
    pub contact_preference: String,
    pub phone: String,
    pub share_contact: bool,
}

/// A photo ready to keep: re-encoded, without metadata.
#[derive(Clone, Debug)]
pub struct Photo {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// What is wrong with a draft, field by field (empty: nothing). `photos` is how many come with
/// it.
pub fn check(draft: &Draft, photos: usize) -> Vec<(&'static str, Problem)> {
    let mut wrong = Vec::new();
    if RobotId::parse(draft.robot.trim()).is_err() {
        wrong.push(("robot", Problem::BadId));
    }
    if local_time(&draft.occurred_at).is_none() {
        wrong.push(("occurred_at", Problem::BadTime));
    }
    let place = draft.place.trim();
    if place.is_empty() {
        wrong.push(("place", Problem::MissingPlace));
    } else if place.chars().count() > MAX_PLACE_CHARS {
        wrong.push(("place", Problem::TextTooLong));
    }
    if IncidentCategory::from_name(&draft.category).is_none() {
        wrong.push(("category", Problem::MissingCategory));
    }
    if Severity::from_name(&draft.severity).is_none() {
        wrong.push(("severity", Problem::MissingSeverity));
    }
    let description = draft.description.trim();
    if description.is_empty() {
        wrong.push(("description", Problem::MissingDescription));
    } else if description.chars().count() > MAX_TEXT_CHARS {
        wrong.push(("description", Problem::TextTooLong));
    }
    match ContactPreference::from_name(&draft.contact_preference) {
        None => wrong.push(("contact_preference", Problem::MissingContact)),
        Some(ContactPreference::Phone) if !phone_ok(&draft.phone) => {
            wrong.push(("phone", Problem::MissingPhone));
        }
        _ => {}
    }
    if draft.phone.chars().count() > MAX_PHONE_CHARS {
        wrong.push(("phone", Problem::TextTooLong));
    }
    if photos > MAX_PHOTOS {
        wrong.push(("photos", Problem::TooManyPhotos));
    }
    wrong
}

/// A phone number as people dial it: 5 to 20 digits, with spaces and `+-()` allowed.
pub(crate) fn phone_ok(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +-()".contains(c))
}

/// A typed local time (`YYYY-MM-DDTHH:MM`, seconds allowed) as it is kept, if it is one and is
/// not in the future nor before 2000.
pub fn local_time(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text
        .get(..16)
        .filter(|_| text.len() == 16 || text.len() == 19)?;
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let at = time::PrimitiveDateTime::parse(text, &format).ok()?;
    let offset = time::UtcOffset::from_hms(LOCAL_UTC_OFFSET_H, 0, 0).ok()?;
    let local_now = now().to_offset(offset);
    let local_now = time::PrimitiveDateTime::new(local_now.date(), local_now.time());
    let slack = time::Duration::minutes(5);
    (at.year() >= 2000 && at <= local_now + slack).then(|| text.to_string())
}

/// A UTC stamp as the registry's local time, `YYYY-MM-DD HH:MM`, the way people read it.
pub fn local_of(stamp: &str) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    let shown = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let Ok(offset) = time::UtcOffset::from_hms(LOCAL_UTC_OFFSET_H, 0, 0) else {
        return stamp.to_string();
    };
    time::PrimitiveDateTime::parse(stamp, &format)
        .ok()
        .and_then(|t| t.assume_utc().to_offset(offset).format(&shown).ok())
        .unwrap_or_else(|| stamp.to_string())
}

/// A kept local time as UTC, the way the record writes times.
fn local_to_utc(local: &str) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let Ok(at) = time::PrimitiveDateTime::parse(local, &format) else {
        return stamp(now());
    };
    let offset =
        time::UtcOffset::from_hms(LOCAL_UTC_OFFSET_H, 0, 0).unwrap_or(time::UtcOffset::UTC);
    stamp(at.assume_offset(offset).to_offset(time::UtcOffset::UTC))
}

/// What the robot `robot` (an ID as typed) offers a new report: its ID, model and where it is
/// (to preselect the place), or why there is none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RobotForReport {
    pub robot_id: String,
    pub model_name: String,
    /// The venue, as "name, address, city", if it is deployed at one.
    pub venue: Option<String>,
}

pub async fn robot_for_report(database: &Database, robot: &str) -> Result<RobotForReport, Error> {
    let id = RobotId::parse(robot.trim())?;
    let facts = rows::robot_facts(database.pool(), id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    Ok(RobotForReport {
        robot_id: facts.robot_id,
        model_name: facts.model_name,
        venue: match (facts.venue_name, facts.venue_address, facts.venue_city) {
            (Some(n), Some(a), Some(c)) => Some(format!("{n}, {a}, {c}")),
            _ => None,
        },
    })
}

/// File a report: the reporter is `who`, the photos are ready to keep. Its reference, at once.
pub async fn submit(
    database: &Database,
    who: &Person,
    draft: &Draft,
    photos: &[Photo],
) -> Result<String, Error> {
    if let Some((_, problem)) = check(draft, photos.len()).first() {
        return Err(Error::Invalid(*problem));
    }
    let id = RobotId::parse(draft.robot.trim())?;
    let robot = rows::robot_facts(database.pool(), id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    let occurred_at = local_time(&draft.occurred_at).ok_or(Error::Invalid(Problem::BadTime))?;
    let preference = ContactPreference::from_name(&draft.contact_preference)
        .ok_or(Error::Invalid(Problem::MissingContact))?;
    let phone = draft.phone.trim();
    let at = stamp(now());
    let mut tx = database.pool().begin().await?;
    let report = rows::insert_report(
        &mut tx,
        &NewReportRow {
            robot_pk: robot.pk,
            reporter: who.id,
            occurred_at: &occurred_at,
            place: draft.place.trim(),
            category: &draft.category,
            severity: &draft.severity,
            near_miss: draft.near_miss,
            description: draft.description.trim(),
            contact_preference: preference.name(),
            phone: (!phone.is_empty()).then_some(phone),
            share_contact: draft.share_contact,
            now: &at,
        },
    )
    .await?;
    let kind = IncidentEventKind::Submitted;
    let event = reporters_step(&mut tx, report, &at, who, kind, "", photos).await?;
    tx.commit().await?;
    // The reporter has seen their own step.
    rows::mark_seen(database.pool(), report, event).await?;
    Ok(reference_of(report, &at))
}

/// A step the reporter takes (filing, adding information) with the photos it brings, inside
/// the caller's transaction: the event's id.
async fn reporters_step(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    report: i64,
    at: &str,
    who: &Person,
    kind: IncidentEventKind,
    note: &str,
    photos: &[Photo],
) -> Result<i64, sqlx::Error> {
    let event = rows::insert_event(tx, report, at, who.id, None, kind.name(), note).await?;
    for photo in photos {
        rows::insert_photo(tx, report, event, &photo.jpeg, photo.width, photo.height).await?;
    }
    Ok(event)
}

fn reference_of(id: i64, created_at: &str) -> String {
    let year = created_at
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2026);
    incident::reference(year, id)
}

/// The report a reference names and what `who` may do with it; refused alike whether it does
/// not exist or `who` may not see it.
async fn visible(
    database: &Database,
    who: &Person,
    reference: &str,
) -> Result<(ReportRow, Rights), Error> {
    let refused = Error::Forbidden(Problem::NotAllowed);
    let (year, id) = incident::parse_reference(reference).ok_or(refused.clone())?;
    let row = rows::report(database.pool(), id)
        .await?
        .ok_or(refused.clone())?;
    if !row.created_at.starts_with(&year.to_string()) {
        return Err(refused);
    }
    let rights = Rights::of(who, &row);
    if !rights.sees() {
        return Err(refused);
    }
    Ok((row, rights))
}

/// Why a person may see a report.
#[derive(Clone, Copy, Debug, Default)]
struct Rights {
    reporter: bool,
    /// The operator organisation they act for.
    operator: Option<i64>,
    manufacturer: bool,
    /// The regulator they act for.
    regulator: Option<i64>,
}

impl Rights {
    fn of(who: &Person, row: &ReportRow) -> Rights {
        let holds = |role: OrgRole, org: Option<i64>| {
            who.memberships
                .iter()
                .find(|m| m.role == role && org.is_none_or(|o| o == m.org_id))
                .map(|m| m.org_id)
        };
        Rights {
            reporter: row.reporter_id == who.id,
            operator: row
                .operator_id
                .and_then(|op| holds(OrgRole::Operator, Some(op))),
            manufacturer: holds(OrgRole::Manufacturer, Some(row.manufacturer_id)).is_some(),
            regulator: holds(OrgRole::Regulator, None),
        }
    }

    fn sees(self) -> bool {
        self.reporter || self.operator.is_some() || self.manufacturer || self.regulator.is_some()
    }

    /// Whether the reporter's name and contact may be shown.
    fn sees_reporter(self, row: &ReportRow) -> bool {
        self.reporter
            || self.regulator.is_some()
            || (self.operator.is_some() && row.share_contact == 1)
    }

    fn permissions(self, row: &ReportRow) -> Permissions {
        let status = IncidentStatus::from_name(&row.status).unwrap_or(IncidentStatus::Submitted);
        Permissions {
            add: self.reporter && !status.is_closed(),
            steps: if self.operator.is_some() {
                status.next_steps()
            } else {
                &[]
            },
            confirm: self.regulator.is_some()
                && row.confirmed_at.is_none()
                && status != IncidentStatus::Dismissed,
        }
    }
}

/// The report `reference` as `who` may see it. Opening it marks its history seen by the
/// reporter.
pub async fn view(database: &Database, who: &Person, reference: &str) -> Result<Report, Error> {
    let (row, rights) = visible(database, who, reference).await?;
    let events = rows::events(database.pool(), row.id).await?;
    let photos = rows::photos(database.pool(), row.id).await?;
    if rights.reporter {
        if let Some(last) = events.last() {
            rows::mark_seen(database.pool(), row.id, last.id).await?;
        }
    }
    let sees_reporter = rights.sees_reporter(&row);
    let events = events
        .into_iter()
        .map(|e| Event {
            at: local_of(&e.at),
            kind: IncidentEventKind::from_name(&e.kind)
                .unwrap_or(IncidentEventKind::InformationAdded),
            note: e.note,
            by: match e.org_name {
                Some(org) => Actor::Organisation {
                    person: e.person_name,
                    org,
                },
                None => Actor::Reporter(sees_reporter.then_some(e.person_name)),
            },
            photos: photos
                .iter()
                .filter(|(_, event)| *event == e.id)
                .map(|(id, _)| *id)
                .collect(),
        })
        .collect();
    Ok(Report {
        reference: reference_of(row.id, &row.created_at),
        may: rights.permissions(&row),
        reporter: sees_reporter.then(|| Reporter {
            name: row.reporter_name.clone(),
            email: row.reporter_email.clone(),
            phone: row.phone.clone(),
        }),
        robot_id: row.robot_id,
        model_name: row.model_name,
        operator_name: row.operator_name,
        occurred_at: row.occurred_at.replacen('T', " ", 1),
        place: row.place,
        category: IncidentCategory::from_name(&row.category).unwrap_or(IncidentCategory::Other),
        severity: Severity::from_name(&row.severity).unwrap_or(Severity::Minor),
        near_miss: row.near_miss == 1,
        description: row.description,
        contact_preference: ContactPreference::from_name(&row.contact_preference)
            .unwrap_or(ContactPreference::NoContact)
            .name(),
        share_contact: row.share_contact == 1,
        status: IncidentStatus::from_name(&row.status).unwrap_or(IncidentStatus::Submitted),
        confirmed_at: row.confirmed_at.as_deref().map(local_of),
        created_at: local_of(&row.created_at),
        updated_at: local_of(&row.updated_at),
        events,
    })
}

/// A photo of the report `reference`, for those who may see the report.
pub async fn photo(
    database: &Database,
    who: &Person,
    reference: &str,
    photo: i64,
) -> Result<Vec<u8>, Error> {
    let (row, _) = visible(database, who, reference).await?;
    rows::photo(database.pool(), row.id, photo)
        .await?
        .ok_or(Error::Forbidden(Problem::NotAllowed))
}

/// The reporter adds a note and photos to their report.
pub async fn add_information(
    database: &Database,
    who: &Person,
    reference: &str,
    note: &str,
    photos: &[Photo],
) -> Result<(), Error> {
    let (row, rights) = visible(database, who, reference).await?;
    if !rights.permissions(&row).add {
        return Err(Error::Forbidden(Problem::NotAllowed));
    }
    let note = note.trim();
    if note.is_empty() && photos.is_empty() {
        return Err(Error::Invalid(Problem::MissingNote));
    }
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::Invalid(Problem::TextTooLong));
    }
    let at = stamp(now());
    let mut tx = database.pool().begin().await?;
    let kept = usize::try_from(rows::photo_count(&mut tx, row.id).await?).unwrap_or(MAX_PHOTOS);
    if kept + photos.len() > MAX_PHOTOS {
        return Err(Error::Invalid(Problem::TooManyPhotos));
    }
    let kind = IncidentEventKind::InformationAdded;
    let event = reporters_step(&mut tx, row.id, &at, who, kind, note, photos).await?;
    tx.commit().await?;
    rows::mark_seen(database.pool(), row.id, event).await?;
    Ok(())
}

/// The robot's operator moves the report on to `to`, with a note (required to dismiss: the
/// reason).
pub async fn step(
    database: &Database,
    who: &Person,
    reference: &str,
    to: IncidentStatus,
    note: &str,
) -> Result<(), Error> {
    let (row, rights) = visible(database, who, reference).await?;
    let Some(org) = rights.operator else {
        return Err(Error::Forbidden(Problem::NotAllowed));
    };
    if !rights.permissions(&row).steps.contains(&to) {
        return Err(Error::Conflict(Problem::BadStep));
    }
    let note = note.trim();
    if to == IncidentStatus::Dismissed && note.is_empty() {
        return Err(Error::Invalid(Problem::MissingReason));
    }
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::Invalid(Problem::TextTooLong));
    }
    let at = stamp(now());
    let mut tx = database.pool().begin().await?;
    if !rows::move_status(&mut tx, row.id, &row.status, to.name()).await? {
        // Someone else moved it first.
        return Err(Error::Conflict(Problem::BadStep));
    }
    rows::insert_event(
        &mut tx,
        row.id,
        &at,
        who.id,
        Some(org),
        to.event().name(),
        note,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A regulator confirms the report: it is marked confirmed, the step is in its history, and an
/// `incident_confirmed` entry enters the robot's record (filed by the regulator), all at once.
pub async fn confirm(
    registry: &Registry,
    who: &Person,
    reference: &str,
    note: &str,
) -> Result<(), Error> {
    let database = registry.database();
    let (row, rights) = visible(database, who, reference).await?;
    let Some(regulator) = rights.regulator else {
        return Err(Error::Forbidden(Problem::NotAllowed));
    };
    if !rights.permissions(&row).confirm {
        return Err(Error::Conflict(Problem::AlreadyConfirmed));
    }
    let note = note.trim();
    if note.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::Invalid(Problem::TextTooLong));
    }
    let robot = RobotId::parse(&row.robot_id)?;
    let reference = reference_of(row.id, &row.created_at);
    let entry = Entry {
        kind: EntryKind::IncidentConfirmed,
        occurred_at: local_to_utc(&row.occurred_at),
        filed_by: regulator,
        details: serde_json::json!({
            "category": row.category,
            "severity": row.severity,
            "reference": reference,
        }),
        corrects: None,
    };
    for attempt in 1..=ATTEMPTS {
        let at = stamp(now());
        let mut tx = database.pool().begin().await?;
        if !rows::mark_confirmed(&mut tx, row.id, &at).await? {
            return Err(Error::Conflict(Problem::AlreadyConfirmed));
        }
        let kind = IncidentEventKind::Confirmed.name();
        rows::insert_event(&mut tx, row.id, &at, who.id, Some(regulator), kind, note).await?;
        match file_within(&mut tx, registry.backend(), &robot, &entry).await {
            Ok(Some(_)) => {
                tx.commit().await?;
                return Ok(());
            }
            Ok(None) => {}
            Err(Attempt::Final(e)) => return Err(e),
            Err(Attempt::Database(e))
                if attempt < ATTEMPTS && crate::db::record::is_contention(&e) => {}
            Err(Attempt::Database(e)) => return Err(e.into()),
        }
        drop(tx);
        tokio::time::sleep(std::time::Duration::from_millis(5 * u64::from(attempt))).await;
    }
    Err(Error::Unavailable)
}

fn summary(row: &ReportRow) -> Summary {
    Summary {
        reference: reference_of(row.id, &row.created_at),
        robot_id: row.robot_id.clone(),
        category: IncidentCategory::from_name(&row.category)
            .unwrap_or(IncidentCategory::Other)
            .name(),
        severity: Severity::from_name(&row.severity)
            .unwrap_or(Severity::Minor)
            .name(),
        status: IncidentStatus::from_name(&row.status)
            .unwrap_or(IncidentStatus::Submitted)
            .name(),
        confirmed: row.confirmed_at.is_some(),
        created_at: row.created_at.clone(),
        updated_at: row.updated_at.clone(),
        updated_local: local_of(&row.updated_at),
    }
}

fn orgs(who: &Person, role: OrgRole) -> Vec<i64> {
    let mut orgs: Vec<i64> = who
        .memberships
        .iter()
        .filter(|m| m.role == role)
        .map(|m| m.org_id)
        .collect();
    orgs.dedup();
    orgs
}

/// Every report `who` may see, newest first (at most [`LIST_LIMIT`]).
pub async fn list(database: &Database, who: &Person) -> Result<Vec<Summary>, Error> {
    let pool = database.pool();
    let mut found: Vec<ReportRow> = Vec::new();
    let mut among = vec![Among::ReportedBy(who.id)];
    if !orgs(who, OrgRole::Regulator).is_empty() {
        among = vec![Among::All];
    } else {
        among.extend(
            orgs(who, OrgRole::Operator)
                .into_iter()
                .map(Among::OperatedBy),
        );
        among.extend(
            orgs(who, OrgRole::Manufacturer)
                .into_iter()
                .map(Among::MadeBy),
        );
    }
    for a in among {
        found.extend(rows::reports(pool, a, LIST_LIMIT).await?);
    }
    found.sort_by(|a, b| b.id.cmp(&a.id));
    found.dedup_by_key(|r| r.id);
    found.truncate(usize::try_from(LIST_LIMIT).unwrap_or(200));
    Ok(found.iter().map(summary).collect())
}

/// The reports on the robots deployed at the venue `venue` now that are still being handled,
/// newest first (at most [`LIST_LIMIT`]), for the venue's own dashboard: what each is about and
/// where it stands, nothing of who reported it. The caller checks that the person is the
/// venue's (`venues::dashboard`).
pub(crate) async fn open_at_venue(database: &Database, venue: i64) -> Result<Vec<Summary>, Error> {
    let found = rows::reports(database.pool(), Among::OpenAtVenue(venue), LIST_LIMIT).await?;
    Ok(found.iter().map(summary).collect())
}

/// What awaits `who`, and every report they may see.
pub async fn inbox(database: &Database, who: &Person) -> Result<Inbox, Error> {
    let pool = database.pool();
    let mut new_reports = Vec::new();
    for org in orgs(who, OrgRole::Operator) {
        new_reports.extend(rows::new_for_operator(pool, org, LIST_LIMIT).await?);
    }
    let to_confirm = if orgs(who, OrgRole::Regulator).is_empty() {
        Vec::new()
    } else {
        rows::to_confirm(pool, LIST_LIMIT).await?
    };
    let changes = rows::changed_for_reporter(pool, who.id, LIST_LIMIT).await?;
    Ok(Inbox {
        new_reports: new_reports.iter().map(summary).collect(),
        to_confirm: to_confirm.iter().map(summary).collect(),
        changes: changes.iter().map(summary).collect(),
        all: list(database, who).await?,
    })
}

/// How many things await `who` (the count in the page header).
pub async fn inbox_count(database: &Database, who: &Person) -> Result<i64, Error> {
    let regulator = !orgs(who, OrgRole::Regulator).is_empty();
    Ok(rows::inbox_counts(
        database.pool(),
        who.id,
        &orgs(who, OrgRole::Operator),
        regulator,
    )
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            robot: "CNSEJ5SE027600000000000000001".into(),
            occurred_at: "2026-01-15T14:30".into(),
            place: "Hall 2".into(),
            category: "fall".into(),
            severity: "minor".into(),
            near_miss: false,
            description: "It fell over.".into(),
            contact_preference: "email".into(),
            phone: String::new(),
            share_contact: false,
        }
    }

    #[test]
    fn a_draft_is_checked_field_by_field() {
        assert_eq!(check(&draft(), 0), vec![]);
        let mut d = draft();
        d.robot = "nonsense".into();
        d.occurred_at = "2999-01-01T00:00".into();
        d.place = " ".into();
        d.category = "explosion".into();
        d.severity = String::new();
        d.description = "x".repeat(MAX_TEXT_CHARS + 1);
        d.contact_preference = "phone".into();
        d.phone = "call me".into();
        let fields: Vec<_> = check(&d, MAX_PHOTOS + 1)
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(
            fields,
            [
                "robot",
                "occurred_at",
                "place",
                "category",
                "severity",
                "description",
                "phone",
                "photos"
            ]
        );
        d = draft();
        d.contact_preference = "phone".into();
        d.phone = "+86 (10) 6512-3456".into();
        assert_eq!(check(&d, 0), vec![]);
    }

    #[test]
    fn times_are_typed_locally_and_kept_in_utc() {
        assert_eq!(
            local_time("2026-01-15T14:30"),
            Some("2026-01-15T14:30".into())
        );
        assert_eq!(
            local_time("2026-01-15T14:30:59"),
            Some("2026-01-15T14:30".into())
        );
        for bad in [
            "",
            "2026-01-15",
            "1999-12-31T23:59",
            "2026-13-01T00:00",
            "9999-01-01T00:00",
            "2026-01-15T14:30Z",
        ] {
            assert_eq!(local_time(bad), None, "{bad}");
        }
        assert_eq!(local_to_utc("2026-01-15T06:30"), "2026-01-14T22:30:00Z");
        assert_eq!(local_of("2026-12-31T16:00:00Z"), "2027-01-01 00:00");
        assert_eq!(local_of("not a time"), "not a time");
    }
}
