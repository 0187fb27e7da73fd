//! The provenance report a used-robot buyer reads before paying: red flags first, then who
//! owned, leased and deployed the robot, its condition as service providers measured it, and
//! the whole timeline with who filed each entry. Built here, purely, from the robot's record as
//! corrected ([`crate::record::effective`]) and a few facts the registry reads beside it.

use crate::record::{Entry, EntryKind};
use crate::status::{Lifecycle, Status};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A period without any entry longer than this is a gap in the record of who held the robot.
pub const GAP_DAYS: i64 = 365;

/// Why a report may be opened, as the audit log keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OpenedVia {
    ShareCode,
    Regulator,
    Owner,
}

impl OpenedVia {
    pub fn as_str(self) -> &'static str {
        match self {
            OpenedVia::ShareCode => "share_code",
            OpenedVia::Regulator => "regulator",
            OpenedVia::Owner => "owner",
        }
    }

    pub fn from_name(name: &str) -> Option<OpenedVia> {
        [OpenedVia::ShareCode, OpenedVia::Regulator, OpenedVia::Owner]
            .into_iter()
            .find(|v| v.as_str() == name)
    }
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub robot_id: String,
    pub model: String,
    pub manufacturer: String,
    pub serial: String,
    pub production_year: i64,
    pub status: Status,
    /// When the report was made (`YYYY-MM-DDTHH:MM:SSZ`).
    pub generated_at: String,
    pub opened_via: OpenedVia,
    pub chain: ChainCheck,
    pub red_flags: Vec<RedFlag>,
    pub summary: Summary,
    /// The condition readings from the service filings, oldest first.
    // Shared: a report is kept and handed out again while the record it was made from is
    // unchanged (`registry::provenance`), and only its time of generation is new.
    pub condition: std::sync::Arc<Condition>,
    pub timeline: std::sync::Arc<Vec<TimelineEntry>>,
}

/// The robot's chain of entries, checked as the report was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChainCheck {
    pub intact: bool,
    pub entries: i64,
    /// The last entry's hash, as the robot's record holds it: printed on every copy.
    pub head: String,
    /// Where it breaks: the entry named, and how (`altered`, `gap`, `unlinked`, `truncated`).
    pub broken_entry: Option<i64>,
    pub break_kind: Option<String>,
}

/// Something a buyer must know before paying.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RedFlag {
    pub kind: RedFlagKind,
    /// Since when, where it has a date.
    pub since: Option<String>,
    /// How many, where it counts (incidents, refused resales, months without a record).
    pub count: Option<i64>,
    /// A version or an entry, where the flag names one.
    pub detail: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RedFlagKind {
    /// The record was changed behind the portal's back: nothing in it can be trusted.
    BrokenChain,
    /// Scrapped, and yet someone is showing it to a buyer.
    ScrappedOffered,
    /// Scrapped (opened by its owner or a regulator).
    Scrapped,
    /// Someone tried to sell, lease or deploy it after it was scrapped, and was refused.
    ResaleAttempted,
    Suspended,
    OpenRecall,
    InspectionOverdue,
    ConfirmedIncidents,
    /// A stretch with no record of who held it, or a transfer filed by someone who did not own it.
    OwnershipGap,
    /// Its firmware is far behind the newest release filed for its model.
    FirmwareBehind,
}

/// Who held the robot, or where it worked, from when to when (`None`: still).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub name: String,
    pub from: String,
    pub to: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ProvenanceSummary))]
pub struct Summary {
    pub owners: Vec<Period>,
    pub lessees: Vec<Period>,
    pub venues: Vec<Period>,
    /// From its first deployment to its scrapping, or to today.
    pub years_in_service: f64,
    pub inspections: i64,
    pub last_inspection: Option<String>,
    pub part_replacements: i64,
    pub firmware: Option<String>,
    /// The newest firmware filed for any robot of the model.
    pub model_firmware: Option<String>,
}

/// One measurement, with its date and the party that filed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reading {
    pub at: String,
    pub value: f64,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JointWear {
    pub joint: String,
    pub readings: Vec<Reading>,
}

/// The condition summary from the service filings, oldest reading first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    pub battery_soh: Vec<Reading>,
    pub battery_cycles: Vec<Reading>,
    pub hours: Vec<Reading>,
    pub joints: Vec<JointWear>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub seq: i64,
    pub kind: String,
    pub occurred_at: String,
    pub filed_by: String,
    /// What the entry says, as corrected.
    pub details: serde_json::Value,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
    /// The latest entry that corrects this one (its history is one click away).
    pub corrected_by: Option<i64>,
    /// What it said as first filed, when a correction changed it.
    pub original: Option<serde_json::Value>,
    /// The organisations and venues its details name by number (`to`, `lessee`, `venue`,
    /// `body`), by name.
    pub names: std::collections::BTreeMap<String, String>,
}

/// A share code as its owner's list shows it (never the code itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShareCodeInfo {
    pub id: i64,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    /// `valid`, `expired` or `revoked`.
    pub state: String,
}

/// A share code just issued, shown to its owner once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssuedCode {
    pub id: i64,
    pub code: String,
    pub expires_at: String,
}

/// One opening of a report, as the audit log shows it to the owner and regulators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ReportOpening))]
pub struct Opening {
    pub opened_at: String,
    pub via: String,
    pub person: Option<String>,
    pub organisation: Option<String>,
    pub share_code: Option<i64>,
}

/// Everything the page `/provenance/{ID}` shows: the report when it was opened (else the form
/// for a share code), and, for the robot's owner and regulators, the codes and the audit log.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub robot_id: String,
    /// Shared, not copied: the page's parts all read the one report (500 entries and more).
    pub report: Option<std::sync::Arc<Report>>,
    /// The robot's share codes (for its owner).
    pub codes: Option<Vec<ShareCodeInfo>>,
    /// A code issued by this request.
    pub issued: Option<IssuedCode>,
    /// Who opened the report (for its owner and regulators).
    pub openings: Option<Vec<Opening>>,
    /// What was just done on the page (`revoked`), to say so.
    pub done: Option<String>,
}

/// What the registry reads for a report besides the entries.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub robot_id: String,
    pub model: String,
    pub manufacturer: String,
    pub manufacturer_id: i64,
    pub serial: String,
    pub production_year: i64,
    pub lifecycle: Option<Lifecycle>,
    pub status: Option<Status>,
    pub open_recalls: i64,
    pub next_inspection_due: Option<String>,
    pub head: String,
    pub entries: i64,
    /// Organisations' and venues' names by number.
    pub orgs: HashMap<i64, String>,
    pub venues: HashMap<i64, String>,
    /// The newest firmware version filed for the model.
    pub model_firmware: Option<String>,
    /// Refused attempts to sell, lease or deploy it after it was scrapped: their times.
    pub refused_resales: Vec<String>,
    /// Where the chain breaks, if it does: (entry, how).
    pub broken: Option<(i64, String)>,
    /// What corrected entries said as first filed, by entry.
    pub originals: Vec<(i64, serde_json::Value)>,
    pub opened_via: Option<OpenedVia>,
    /// Today (`YYYY-MM-DD`) and now (`YYYY-MM-DDTHH:MM:SSZ`).
    pub today: String,
    pub now: String,
}

/// A version's numbers (`3.10.2-rc1` → [3, 10, 2]), for comparing releases.
pub fn version_numbers(v: &str) -> Vec<u64> {
    v.split(['.', '-', '+'])
        .map_while(|part| part.parse::<u64>().ok())
        .collect()
}

/// Whether `installed` is far behind `newest`: an older major release, or two or more minor
/// releases behind.
pub fn far_behind(installed: &str, newest: &str) -> bool {
    let (a, b) = (version_numbers(installed), version_numbers(newest));
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    at(&a, 0) < at(&b, 0) || (at(&a, 0) == at(&b, 0) && at(&a, 1) + 2 <= at(&b, 1))
}

/// Days since 1970-01-01 of a text that begins `YYYY-MM-DD` (civil calendar; Howard
/// Hinnant's algorithm), for placing dates on a chart.
pub fn day_number(s: &str) -> Option<i64> {
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: i64 = s.get(5..7)?.parse().ok()?;
    let d: i64 = s.get(8..10)?.parse().ok()?;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Days from the date of `a` to the date of `b` (both begin `YYYY-MM-DD`).
fn days_between(a: &str, b: &str) -> i64 {
    match (day_number(a), day_number(b)) {
        (Some(x), Some(y)) => y - x,
        _ => 0,
    }
}

fn close(periods: &mut [Period], at: &str) {
    if let Some(last) = periods.last_mut().filter(|p| p.to.is_none()) {
        last.to = Some(at.to_string());
    }
}

/// The report of a robot whose record (as corrected, in order) is `entries`, with the
/// corrections' places `corrected_by` (entry → its latest correction).
pub fn build(facts: &Facts, entries: &[Entry], corrected_by: &HashMap<i64, i64>) -> Report {
    let originals: HashMap<i64, &serde_json::Value> =
        facts.originals.iter().map(|(seq, v)| (*seq, v)).collect();
    let name = |id: i64| {
        facts
            .orgs
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("#{id}"))
    };
    let id_in = |e: &Entry, key: &str| e.details.get(key).and_then(serde_json::Value::as_i64);
    let day = |e: &Entry| e.occurred_at.get(..10).unwrap_or_default().to_string();

    let mut owners: Vec<Period> = Vec::new();
    let mut lessees: Vec<Period> = Vec::new();
    let mut venues: Vec<Period> = Vec::new();
    let mut owner: Option<i64> = None;
    let mut condition = Condition::default();
    let mut joints: Vec<JointWear> = Vec::new();
    let (mut inspections, mut parts) = (0, 0);
    let (mut last_inspection, mut firmware) = (None, None);
    let (mut first_deployed, mut scrapped_on): (Option<String>, Option<String>) = (None, None);
    let mut incidents = (0, None::<String>);
    let mut gap = (0i64, None::<String>);
    let mut foreign_transfer: Option<(i64, String)> = None;
    let mut timeline = Vec::with_capacity(entries.len());
    let mut previous: Option<&str> = None;

    for (i, e) in entries.iter().enumerate() {
        let seq = i as i64 + 1;
        let by = name(e.filed_by);
        if let Some(before) = previous {
            let silent = days_between(before, &e.occurred_at);
            if silent > GAP_DAYS && scrapped_on.is_none() && silent > gap.0 {
                gap = (
                    silent,
                    Some(before.get(..10).unwrap_or_default().to_string()),
                );
            }
        }
        previous = Some(&e.occurred_at);
        match e.kind {
            EntryKind::Sold => {
                let first_sale = owner.is_none();
                if !first_sale && owner != Some(e.filed_by) && e.filed_by != facts.manufacturer_id {
                    foreign_transfer.get_or_insert((seq, day(e)));
                }
                close(&mut owners, &day(e));
                close(&mut lessees, &day(e));
                close(&mut venues, &day(e));
                owner = id_in(e, "to");
                if let Some(to) = owner {
                    owners.push(Period {
                        name: name(to),
                        from: day(e),
                        to: None,
                    });
                }
            }
            EntryKind::LeaseStarted => {
                close(&mut venues, &day(e));
                if let Some(lessee) = id_in(e, "lessee") {
                    lessees.push(Period {
                        name: name(lessee),
                        from: day(e),
                        to: None,
                    });
                }
            }
            EntryKind::LeaseEnded => {
                close(&mut lessees, &day(e));
                close(&mut venues, &day(e));
            }
            EntryKind::Deployed => {
                close(&mut venues, &day(e));
                first_deployed.get_or_insert_with(|| day(e));
                if let Some(v) = id_in(e, "venue") {
                    let venue = facts
                        .venues
                        .get(&v)
                        .cloned()
                        .unwrap_or_else(|| format!("#{v}"));
                    venues.push(Period {
                        name: venue,
                        from: day(e),
                        to: None,
                    });
                }
            }
            EntryKind::Withdrawn => close(&mut venues, &day(e)),
            EntryKind::Scrapped => {
                close(&mut venues, &day(e));
                close(&mut lessees, &day(e));
                scrapped_on.get_or_insert_with(|| day(e));
            }
            EntryKind::Inspected => {
                inspections += 1;
                last_inspection = Some(day(e));
            }
            EntryKind::PartReplaced => parts += 1,
            EntryKind::FirmwareUpdated => {
                if let Some(v) = e.details.get("version").and_then(|v| v.as_str()) {
                    firmware = Some(v.to_string());
                }
            }
            EntryKind::IncidentReported | EntryKind::IncidentConfirmed => {
                incidents.0 += 1;
                incidents.1 = Some(day(e));
            }
            EntryKind::ConditionReading => {
                let reading = |value: f64| Reading {
                    at: day(e),
                    value,
                    by: by.clone(),
                };
                let d = &e.details;
                if let Some(v) = d.get("battery_soh").and_then(|v| v.as_f64()) {
                    condition.battery_soh.push(reading(v));
                }
                if let Some(v) = d.get("battery_cycles").and_then(|v| v.as_f64()) {
                    condition.battery_cycles.push(reading(v));
                }
                if let Some(v) = d.get("hours").and_then(|v| v.as_f64()) {
                    condition.hours.push(reading(v));
                }
                if let Some(serde_json::Value::Object(m)) = d.get("joints") {
                    for (joint, wear) in m {
                        let Some(wear) = wear.as_f64() else { continue };
                        match joints.iter_mut().find(|j| &j.joint == joint) {
                            Some(j) => j.readings.push(reading(wear)),
                            None => joints.push(JointWear {
                                joint: joint.clone(),
                                readings: vec![reading(wear)],
                            }),
                        }
                    }
                }
            }
            _ => {}
        }
        let mut names = std::collections::BTreeMap::new();
        for key in ["to", "lessee", "body"] {
            if let Some(id) = id_in(e, key) {
                names.insert(key.to_string(), name(id));
            }
        }
        if let Some(v) = id_in(e, "venue") {
            let venue = facts
                .venues
                .get(&v)
                .cloned()
                .unwrap_or_else(|| format!("#{v}"));
            names.insert("venue".to_string(), venue);
        }
        timeline.push(TimelineEntry {
            seq,
            kind: e.kind.as_str().to_string(),
            occurred_at: e.occurred_at.clone(),
            filed_by: by,
            details: e.details.clone(),
            corrects: e.corrects,
            corrected_by: corrected_by.get(&seq).copied(),
            original: originals.get(&seq).map(|v| (*v).clone()),
            names,
        });
    }
    if let Some(before) = previous {
        let silent = days_between(before, &facts.now);
        if silent > GAP_DAYS && scrapped_on.is_none() && silent > gap.0 {
            gap = (
                silent,
                Some(before.get(..10).unwrap_or_default().to_string()),
            );
        }
    }
    joints.sort_by(|a, b| a.joint.cmp(&b.joint));
    condition.joints = joints;

    let years_in_service = first_deployed.as_deref().map_or(0.0, |from| {
        let to = scrapped_on.as_deref().unwrap_or(&facts.today);
        (days_between(from, to).max(0) as f64 / 365.25 * 10.0).round() / 10.0
    });

    let mut red_flags = Vec::new();
    let flag = |kind, since: Option<String>, count: Option<i64>, detail: Option<String>| RedFlag {
        kind,
        since,
        count,
        detail,
    };
    if let Some((entry, how)) = &facts.broken {
        red_flags.push(flag(
            RedFlagKind::BrokenChain,
            None,
            Some(*entry),
            Some(how.clone()),
        ));
    }
    let scrapped = facts.lifecycle == Some(Lifecycle::Scrapped);
    if scrapped {
        let kind = if facts.opened_via == Some(OpenedVia::ShareCode) {
            RedFlagKind::ScrappedOffered
        } else {
            RedFlagKind::Scrapped
        };
        red_flags.push(flag(kind, scrapped_on.clone(), None, None));
    }
    if !facts.refused_resales.is_empty() {
        red_flags.push(flag(
            RedFlagKind::ResaleAttempted,
            facts
                .refused_resales
                .iter()
                .min()
                .map(|s| s.get(..10).unwrap_or(s).to_string()),
            Some(facts.refused_resales.len() as i64),
            None,
        ));
    }
    if facts.lifecycle == Some(Lifecycle::Suspended) {
        red_flags.push(flag(RedFlagKind::Suspended, None, None, None));
    }
    if facts.open_recalls > 0 {
        red_flags.push(flag(
            RedFlagKind::OpenRecall,
            None,
            Some(facts.open_recalls),
            None,
        ));
    }
    if !scrapped {
        if let Some(due) = facts
            .next_inspection_due
            .as_deref()
            .filter(|d| *d < facts.today.as_str())
        {
            red_flags.push(flag(
                RedFlagKind::InspectionOverdue,
                Some(due.to_string()),
                None,
                None,
            ));
        }
    }
    if incidents.0 > 0 {
        red_flags.push(flag(
            RedFlagKind::ConfirmedIncidents,
            incidents.1,
            Some(incidents.0),
            None,
        ));
    }
    if let Some((seq, on)) = foreign_transfer {
        red_flags.push(flag(
            RedFlagKind::OwnershipGap,
            Some(on),
            None,
            Some(format!("#{seq}")),
        ));
    } else if let (days, Some(since)) = gap {
        red_flags.push(flag(
            RedFlagKind::OwnershipGap,
            Some(since),
            Some(days / 30),
            None,
        ));
    }
    if let (Some(installed), Some(newest)) = (&firmware, &facts.model_firmware) {
        if far_behind(installed, newest) {
            red_flags.push(flag(
                RedFlagKind::FirmwareBehind,
                None,
                None,
                Some(newest.clone()),
            ));
        }
    }

    Report {
        robot_id: facts.robot_id.clone(),
        model: facts.model.clone(),
        manufacturer: facts.manufacturer.clone(),
        serial: facts.serial.clone(),
        production_year: facts.production_year,
        status: facts.status.unwrap_or(Status::NotDeployed),
        generated_at: facts.now.clone(),
        opened_via: facts.opened_via.unwrap_or(OpenedVia::Regulator),
        chain: ChainCheck {
            intact: facts.broken.is_none(),
            entries: facts.entries,
            head: facts.head.clone(),
            broken_entry: facts.broken.as_ref().map(|b| b.0),
            break_kind: facts.broken.as_ref().map(|b| b.1.clone()),
        },
        red_flags,
        summary: Summary {
            owners,
            lessees,
            venues,
            years_in_service,
            inspections,
            last_inspection,
            part_replacements: parts,
            firmware,
            model_firmware: facts.model_firmware.clone(),
        },
        condition: std::sync::Arc::new(condition),
        timeline: std::sync::Arc::new(timeline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn e(kind: EntryKind, at: &str, by: i64, details: serde_json::Value) -> Entry {
        Entry {
            kind,
            occurred_at: format!("{at}T09:00:00Z"),
            filed_by: by,
            details,
            corrects: None,
        }
    }

    fn facts() -> Facts {
        Facts {
            robot_id: "CNSEJ5SE027600000000000000001".into(),
            manufacturer_id: 1,
            lifecycle: Some(Lifecycle::Deployed),
            orgs: HashMap::from([
                (1, "Maker".into()),
                (2, "Owner A".into()),
                (3, "Owner B".into()),
                (4, "Service".into()),
            ]),
            venues: HashMap::from([(9, "Mall".into())]),
            today: "2026-12-06".into(),
            now: "2026-12-06T10:00:00Z".into(),
            model_firmware: Some("3.4.0".into()),
            opened_via: Some(OpenedVia::ShareCode),
            ..Facts::default()
        }
    }

    #[test]
    fn a_life_becomes_periods_readings_and_flags() {
        let entries = [
            e(EntryKind::Produced, "2024-01-01", 1, json!({})),
            e(EntryKind::Sold, "2024-02-01", 1, json!({"to": 2})),
            e(EntryKind::Deployed, "2024-02-10", 2, json!({"venue": 9})),
            e(
                EntryKind::FirmwareUpdated,
                "2024-03-01",
                1,
                json!({"version": "3.1.0"}),
            ),
            e(
                EntryKind::ConditionReading,
                "2024-06-01",
                4,
                json!({"battery_soh": 98.0, "joints": {"knee": 10}}),
            ),
            e(
                EntryKind::ConditionReading,
                "2025-01-01",
                4,
                json!({"battery_soh": 93.5, "joints": {"knee": 15}}),
            ),
            e(EntryKind::Sold, "2025-03-01", 3, json!({"to": 3})),
            e(EntryKind::IncidentConfirmed, "2025-04-01", 5, json!({})),
        ];
        let r = build(&facts(), &entries, &HashMap::from([(4, 9)]));
        assert_eq!(r.summary.owners.len(), 2);
        assert_eq!(r.summary.owners[0].to.as_deref(), Some("2025-03-01"));
        assert_eq!(
            r.summary.venues[0].to.as_deref(),
            Some("2025-03-01"),
            "a sale ends the deployment"
        );
        assert_eq!(
            r.condition
                .battery_soh
                .iter()
                .map(|r| r.value)
                .collect::<Vec<_>>(),
            [98.0, 93.5]
        );
        assert_eq!(r.condition.joints[0].readings.len(), 2);
        assert_eq!(r.condition.battery_soh[0].by, "Service");
        assert_eq!(r.timeline[3].corrected_by, Some(9));
        let kinds: Vec<_> = r.red_flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                RedFlagKind::ConfirmedIncidents,
                RedFlagKind::OwnershipGap,
                RedFlagKind::FirmwareBehind
            ],
            "owner B filed its own purchase; firmware 3.1 is two minors behind 3.4"
        );
        assert_eq!(r.summary.years_in_service, 2.8);
    }

    #[test]
    fn scrapped_and_offered_leads_with_its_flags() {
        let mut f = facts();
        f.lifecycle = Some(Lifecycle::Scrapped);
        f.refused_resales = vec!["2026-11-02T10:00:00Z".into()];
        f.broken = Some((3, "altered".into()));
        let entries = [
            e(EntryKind::Sold, "2024-02-01", 1, json!({"to": 2})),
            e(EntryKind::Scrapped, "2026-10-01", 6, json!({})),
        ];
        let r = build(&f, &entries, &HashMap::new());
        let kinds: Vec<_> = r.red_flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                RedFlagKind::BrokenChain,
                RedFlagKind::ScrappedOffered,
                RedFlagKind::ResaleAttempted,
                RedFlagKind::OwnershipGap
            ]
        );
        assert!(!r.chain.intact);
        assert_eq!(r.chain.broken_entry, Some(3));
    }

    #[test]
    fn firmware_far_behind_means_a_major_or_two_minors() {
        assert!(far_behind("2.9.9", "3.0.0"));
        assert!(far_behind("3.1.5", "3.3.0"));
        assert!(!far_behind("3.2.5", "3.3.0"));
        assert!(!far_behind("3.3.0", "3.3.0"));
        assert!(!far_behind("beta", "3.3.0"));
        assert_eq!(days_between("2024-02-28", "2024-03-01"), 2);
        assert_eq!(days_between("2025-12-31", "2026-01-01"), 1);
    }
}
