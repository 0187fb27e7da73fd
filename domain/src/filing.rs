//! The filing pages' forms: which kinds of entry a page offers, and the fields of each, named
//! as the entry's details are (the API takes the same names). The registry checks what is sent
//! (`registry::filing::check_details`); this only says what to ask for.

use crate::record::EntryKind;
use serde::{Deserialize, Serialize};

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

/// The kinds the filing page offers, in the order it lists them. Corrections are filed
/// through the API.
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
        ],
        _ => Vec::new(),
    }
}

/// Whether `name` is one of the joints a condition reading's page asks about.
pub fn is_joint(name: &str) -> bool {
    JOINTS.contains(&name)
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
}

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
