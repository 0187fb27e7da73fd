//! The filing pages' forms: which kinds of entry a page offers, and the fields of each, named
//! as the entry's details are (the API takes the same names). The registry checks what is sent
//! (`registry::filing::check_details`); this only says what to ask for.

use crate::record::EntryKind;
use crate::Problem;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How a field is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    Text,
    LongText,
    Date,
    /// A whole number, or a decimal one when `decimal`.
    Number {
        decimal: bool,
    },
    /// One of the machine names of a vocabulary `family` (translated as `{family}.{name}`).
    Choice(&'static str, &'static [&'static str]),
    /// Any number of them (a list in the details).
    Choices(&'static str, &'static [&'static str]),
    /// Yes or no (true or false in the details).
    YesNo,
    /// A venue of the registry, chosen by name.
    Venue,
    /// Any organisation of the registry.
    Organisation,
    /// An operator organisation.
    Operator,
    /// A recall that covers the robot.
    Recall,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The details' key (and the form field's name).
    pub name: &'static str,
    pub input: Input,
    pub required: bool,
}

const fn f(name: &'static str, input: Input, required: bool) -> Field {
    Field {
        name,
        input,
        required,
    }
}

const RESULTS: &[&str] = &["pass", "pass_with_remarks", "fail"];
const PARTS: &[&str] = &["battery", "actuator", "camera", "lidar", "hand", "sensor"];
/// The vocabulary's words the operator's profile form offers (checked against
/// `crate::vocabulary` by a test).
const ROLES: &[&str] = &[
    "reception",
    "guidance",
    "delivery",
    "cleaning",
    "security_patrol",
    "education",
    "promotion",
    "physical_assistance",
    "child_supervision",
    "outdoor_operation",
    "crowd_control",
    "medical_care",
];
const SENSORS: &[&str] = &["video", "audio", "location", "lidar", "depth", "biometrics"];
const PURPOSES: &[&str] = &[
    "navigation_and_safety",
    "service_quality",
    "security",
    "visitor_analytics",
];
const STORAGES: &[&str] = &["on_device", "operator_cloud_cn", "manufacturer_cloud_cn"];

/// The joints a condition reading asks about on the page (the API takes any).
pub const JOINTS: [&str; 6] = [
    "left_knee",
    "right_knee",
    "left_hip",
    "right_hip",
    "left_shoulder",
    "right_shoulder",
];

/// The kinds the filing page offers, in the order it lists them. A correction is offered
/// beside the entries it may put right (`Page::corrections`).
pub const PAGE_KINDS: [EntryKind; 17] = [
    EntryKind::Inspected,
    EntryKind::Maintained,
    EntryKind::PartReplaced,
    EntryKind::FirmwareUpdated,
    EntryKind::ConditionReading,
    EntryKind::RecallRemedied,
    EntryKind::Deployed,
    EntryKind::Withdrawn,
    EntryKind::ProfileUpdated,
    EntryKind::Sold,
    EntryKind::LeaseStarted,
    EntryKind::LeaseEnded,
    EntryKind::Suspended,
    EntryKind::Reinstated,
    EntryKind::Scrapped,
    EntryKind::DataWiped,
    EntryKind::Recycled,
];

/// The fields of an entry of `kind` on the filing page (none: it says nothing but that it
/// happened).
pub fn fields(kind: EntryKind) -> Vec<Field> {
    use EntryKind as K;
    use Input::*;
    match kind {
        K::Inspected => vec![
            f("result", Choice("result", RESULTS), true),
            f("next_due", Date, true),
            f("remarks", LongText, false),
        ],
        K::Maintained => vec![f("work", LongText, true)],
        K::PartReplaced => vec![
            f("part", Choice("part", PARTS), true),
            f("part_number", Text, true),
            f("serial", Text, false),
            f("removed_serial", Text, false),
            f("position", Text, false),
        ],
        K::FirmwareUpdated => vec![f("version", Text, true), f("ai_model", Text, false)],
        K::ConditionReading => {
            let mut v = vec![
                f("battery_soh", Number { decimal: true }, false),
                f("battery_cycles", Number { decimal: false }, false),
                f("hours", Number { decimal: false }, false),
            ];
            v.extend(JOINTS.iter().map(|j| f(j, Number { decimal: true }, false)));
            v
        }
        K::RecallRemedied => vec![f("recall", Recall, true)],
        K::Deployed => vec![f("venue", Venue, true)],
        K::Withdrawn | K::Scrapped => vec![f("reason", LongText, false)],
        K::Sold => vec![f("to", Organisation, true)],
        K::LeaseStarted => vec![f("lessee", Operator, true), f("until", Date, false)],
        K::Suspended | K::Reinstated => vec![f("reason", LongText, true)],
        K::DataWiped => vec![f("method", Text, false), f("certificate", Text, false)],
        // Only what is filled in changes.
        K::ProfileUpdated => vec![
            f("approved", Choices("role", ROLES), false),
            f("not_approved", Choices("role", ROLES), false),
            f("indoor_only", YesNo, false),
            f("supervised", YesNo, false),
            f("max_speed_cms", Number { decimal: false }, false),
            f("hours", Text, false),
            f("sensors", Choices("sensor", SENSORS), false),
            f("purpose", Choice("purpose", PURPOSES), false),
            f("retention_days", Number { decimal: false }, false),
            f("storage", Choice("storage", STORAGES), false),
            f("rights_contact", Text, false),
            f("phone", Text, false),
            f("emergency_phone", Text, false),
            f("complaint_email", Text, false),
        ],
        _ => Vec::new(),
    }
}

/// Whether an entry of `kind` may be put right by a correction. Not a profile update (another
/// update puts it right: only what it names changes), nor a remedy (it closes a recall for
/// the unit; a remedy filed against the wrong recall is a matter for the recall's maker), nor
/// a correction, nor what the registry files of itself.
pub fn correctable(kind: EntryKind) -> bool {
    use EntryKind as K;
    !matches!(
        kind,
        K::Correction | K::ProfileUpdated | K::RecallRemedied | K::IncidentReported
    )
}

/// The details an entry of `kind` says, from a form's fields: `values(name)` gives every value
/// sent for the field, trimmed (empty ones left out). Or the field that is wrong, and why.
pub fn details_from_form(
    kind: EntryKind,
    values: impl Fn(&str) -> Vec<String>,
) -> Result<Value, (&'static str, Problem)> {
    let mut out = Map::new();
    let mut joints = Map::new();
    for field in fields(kind) {
        let all = values(field.name);
        let Some(value) = all.first().map(String::as_str) else {
            continue;
        };
        let bad = |problem| (field.name, problem);
        let v = match field.input {
            Input::Choices(..) => Value::from(all.clone()),
            Input::YesNo => match value {
                "yes" => Value::Bool(true),
                "no" => Value::Bool(false),
                _ => return Err(bad(Problem::BadDetails)),
            },
            Input::Number { decimal: true } => value
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Value::from)
                .ok_or(bad(Problem::BadReading))?,
            Input::Number { decimal: false } => value
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| bad(Problem::BadReading))?,
            Input::Venue | Input::Organisation | Input::Operator | Input::Recall => {
                let problem = match field.input {
                    Input::Venue => Problem::BadVenue,
                    Input::Recall => Problem::BadRecall,
                    _ => Problem::BadParty,
                };
                Value::from(value.parse::<i64>().map_err(|_| bad(problem))?)
            }
            _ => Value::from(value),
        };
        if kind == EntryKind::ConditionReading && is_joint(field.name) {
            joints.insert(field.name.to_string(), v);
        } else {
            out.insert(field.name.to_string(), v);
        }
    }
    if !joints.is_empty() {
        out.insert("joints".into(), Value::Object(joints));
    }
    Ok(Value::Object(out))
}

/// The form's fields as an entry of `kind` with these `details` fills them (the way back of
/// [`details_from_form`]): each (name, value), a list's items each on their own.
pub fn form_values(kind: EntryKind, details: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for field in fields(kind) {
        let value = if kind == EntryKind::ConditionReading && is_joint(field.name) {
            details.get("joints").and_then(|j| j.get(field.name))
        } else {
            details.get(field.name)
        };
        let name = field.name.to_string();
        match value {
            Some(Value::String(s)) => out.push((name, s.clone())),
            Some(Value::Number(n)) => out.push((name, n.to_string())),
            Some(Value::Bool(b)) => out.push((name, if *b { "yes" } else { "no" }.into())),
            Some(Value::Array(items)) => out.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (name.clone(), s.to_string())),
            ),
            _ => {}
        }
    }
    out
}

/// Whether `name` is one of the joints a condition reading's page asks about.
pub fn is_joint(name: &str) -> bool {
    JOINTS.contains(&name)
}

/// An entry the signed-in person may put right by a correction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correctable {
    /// The entry's number in the robot's record.
    pub seq: i64,
    /// Its kind (machine name).
    pub kind: String,
    /// The day it happened, where the registry is (`YYYY-MM-DD`), as it stands corrected.
    pub occurred_on: String,
}

/// The entry being corrected, and its form's fields as the entry says them now.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Correcting {
    pub entry: Correctable,
    pub values: Vec<(String, String)>,
}

/// Everything the filing page shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub robot_id: String,
    pub model: String,
    /// The kinds the signed-in person may file for this robot now (machine names).
    pub allowed: Vec<String>,
    /// The kind whose form is shown.
    pub kind: Option<String>,
    /// Choices: venues, organisations, operators, recalls covering the robot (number, name).
    pub venues: Vec<(i64, String)>,
    pub organisations: Vec<(i64, String)>,
    pub operators: Vec<(i64, String)>,
    pub recalls: Vec<(i64, String)>,
    /// What was just filed (an entry kind), to say so.
    pub done: Option<String>,
    /// Today where the registry is (`YYYY-MM-DD`), the form's default date.
    pub today: String,
    /// Whether the signed-in person engages service providers and recyclers on this robot
    /// (as its owner or operator); then who is engaged now and whom they may engage.
    pub engages: bool,
    pub engaged: Vec<(i64, String)>,
    pub engageable: Vec<(i64, String)>,
    /// An engagement just begun or ended (`engaged`, `disengaged`), to say so.
    pub engagement_done: Option<String>,
    /// The entries the signed-in person may correct, newest first (the latest
    /// [`MAX_CORRECTABLE`]).
    pub corrections: Vec<Correctable>,
    /// The entry whose correction form is shown.
    pub correcting: Option<Correcting>,
}

/// The most entries the filing page offers to correct.
pub const MAX_CORRECTABLE: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{Part, Purpose, Role, Sensor, Storage, Word};

    #[test]
    fn the_forms_offer_the_vocabulary_s_words() {
        fn names<W: Word>() -> Vec<&'static str> {
            W::all().iter().map(|w| w.name()).collect()
        }
        assert_eq!(ROLES, names::<Role>());
        assert_eq!(SENSORS, names::<Sensor>());
        assert_eq!(PURPOSES, names::<Purpose>());
        assert_eq!(STORAGES, names::<Storage>());
        assert_eq!(PARTS, names::<Part>());
    }

    #[test]
    fn a_form_s_values_give_back_the_details_they_were_made_from() {
        use serde_json::json;
        let cases = [
            (
                EntryKind::ConditionReading,
                json!({"battery_soh": 91.5, "battery_cycles": 412, "hours": 1200,
                       "joints": {"left_knee": 12.5, "right_hip": 3.0}}),
            ),
            (
                EntryKind::Inspected,
                json!({"result": "pass_with_remarks", "next_due": "2027-03-01", "remarks": "ok"}),
            ),
            (
                EntryKind::ProfileUpdated,
                json!({"approved": ["reception", "guidance"], "indoor_only": true,
                       "supervised": false, "max_speed_cms": 120}),
            ),
            (EntryKind::Deployed, json!({"venue": 7})),
            (EntryKind::LeaseEnded, json!({})),
        ];
        for (kind, details) in cases {
            let values = form_values(kind, &details);
            let back = details_from_form(kind, |name| {
                values
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap();
            assert_eq!(back, details, "{kind:?}");
        }
    }

    #[test]
    fn a_form_s_wrong_number_names_its_field() {
        let sent = |name: &str| {
            if name == "battery_cycles" {
                vec!["many".to_string()]
            } else {
                Vec::new()
            }
        };
        assert_eq!(
            details_from_form(EntryKind::ConditionReading, sent),
            Err(("battery_cycles", Problem::BadReading))
        );
    }

    #[test]
    fn every_page_kind_is_listed_once_and_its_fields_are_distinct() {
        let mut kinds: Vec<_> = PAGE_KINDS.iter().map(|k| k.as_str()).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), PAGE_KINDS.len());
        for kind in PAGE_KINDS {
            let mut names: Vec<_> = fields(kind).iter().map(|f| f.name).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), fields(kind).len(), "{kind:?}");
        }
    }
}
