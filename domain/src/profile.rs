//! The public profile of a robot: what the page shows and `/api/v1/robots/{ID}` returns,
//! built by one function so the two can never disagree.

use super::{RobotId, Status};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: RobotId,
    pub id_display: String,
    pub status: Status,
    pub manufacturer: Manufacturer,
    pub model: Model,
    pub production_year: i64,
    pub country: String,
    pub operator: Option<Operator>,
    pub permitted_role: Option<PermittedRole>,
    pub last_inspection: Option<Inspection>,
    pub data_notice: Option<DataNotice>,
    pub complaint_channel: ComplaintChannel,
    pub venue: Option<Venue>,
    pub open_recalls: Vec<Recall>,
    pub record: RecordSummary,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Manufacturer {
    pub name: String,
    pub code: String,
    pub country: String,
    pub website: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ProfileModel))]
pub struct Model {
    pub code: String,
    pub name: String,
    /// Machine name of the robot type (`service_humanoid`, `reception`…), translated on display.
    pub robot_type: String,
    pub height_cm: i64,
    pub mass_kg: i64,
    pub max_speed_kmh: f64,
    pub payload_kg: i64,
    pub battery_wh: i64,
    pub degrees_of_freedom: i64,
    /// 0 (remote-controlled) to 5 (fully autonomous).
    pub autonomy_level: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Operator {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub emergency_contact: EmergencyContact,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmergencyContact {
    /// A number answered around the clock while the robot operates.
    pub phone: String,
    /// Machine name of where the emergency stop is (`back_of_neck`, `chest_button`…).
    pub stop_method: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PermittedRole {
    /// Machine names of roles (`reception`, `guidance`…), translated on display.
    pub approved: Vec<String>,
    pub not_approved: Vec<String>,
    pub limits: Limits,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    pub indoor_only: bool,
    pub supervised: bool,
    pub max_speed_kmh: Option<f64>,
    /// Local operating hours, e.g. `10:00-22:00`.
    pub hours: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inspection {
    pub date: String,
    pub body: String,
    /// `pass`, `pass_with_remarks` or `fail`.
    pub result: String,
    pub next_due: String,
    pub overdue: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DataNotice {
    /// Machine names of recording sensors (`video`, `audio`, `location`, `biometrics`…).
    pub sensors: Vec<String>,
    pub purpose: String,
    pub retention_days: i64,
    /// Machine name of where recordings are kept.
    pub storage: String,
    pub controller: String,
    pub rights_contact: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintChannel {
    pub operator_contact: Option<String>,
    pub regulator: String,
    pub regulator_hotline: String,
    /// Incidents a regulator confirmed into the robot's record in the last 12 months.
    #[serde(default)]
    pub confirmed_incidents_12m: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = ProfileVenue))]
pub struct Venue {
    /// Its page's address in the portal: `/v/{slug}`.
    #[serde(default)]
    pub slug: Option<String>,
    pub name: String,
    /// Machine name of the kind of place (`mall`, `hotel`, `museum`…).
    pub kind: String,
    pub address: String,
    pub city: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = OpenRecall))]
pub struct Recall {
    pub reference: String,
    pub issued_on: String,
    /// Machine names of the hazard and the remedy, translated on display.
    pub hazard: String,
    pub remedy: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordSummary {
    pub entries: i64,
    pub last_updated: String,
}

/// What a lookup of a well-formed ID finds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Lookup {
    Found(Box<Profile>),
    /// Not in the registry; registered IDs one confusable character away, if any.
    NotRegistered {
        suggestions: Vec<RobotId>,
        /// Where to report a robot operating without a valid code.
        regulator_hotline: String,
    },
}
