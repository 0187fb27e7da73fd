//! The registry's vocabulary: the closed lists a robot's record and profile are written in.
//! Each word is stored and sent by its machine name (`snake_case`), and shown to people through
//! the app's translations (`{family}.{name}`, e.g. `robot_type.reception`); a test checks every
//! word has them. Closed lists as enums, so the demo seed, filing and the translation check
//! cannot drift apart.

use strum::{IntoStaticStr, VariantArray};

/// A word of the vocabulary: its machine name and its translation family.
pub trait Word: Copy + VariantArray + Into<&'static str> + 'static {
    /// The translation family, the first part of the word's key.
    const FAMILY: &'static str;

    /// The machine name, as stored and sent.
    fn name(self) -> &'static str {
        self.into()
    }

    /// Every word of the family, in its order.
    fn all() -> &'static [Self] {
        Self::VARIANTS
    }

    /// The word whose machine name is `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::VARIANTS.iter().copied().find(|w| w.name() == name)
    }

    /// Every word's translation key, for checks that each has its words.
    fn keys() -> Vec<String> {
        Self::VARIANTS
            .iter()
            .map(|w| format!("{}.{}", Self::FAMILY, w.name()))
            .collect()
    }
}

macro_rules! words {
    ($( $(#[$meta:meta])* $name:ident = $family:literal { $( $(#[$vmeta:meta])* $variant:ident ),+ $(,)? } )+) => {
        $(
            $(#[$meta])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, IntoStaticStr, VariantArray)]
            #[strum(serialize_all = "snake_case")]
            pub enum $name { $( $(#[$vmeta])* $variant ),+ }

            impl Word for $name {
                const FAMILY: &'static str = $family;
            }
        )+
    };
}

words! {
    /// What a model is built to do.
    RobotType = "robot_type" {
        ServiceHumanoid, Reception, Guide, Delivery, SecurityPatrol, Cleaning,
        IndustrialHumanoid, Education, Companion, Research,
    }
    /// How a bystander stops the robot.
    StopMethod = "stop_method" { BackOfNeck, ChestButton, RemoteKill, HipButton }
    /// What kind of place a venue is.
    VenueKind = "venue_kind" { Mall, Hotel, Museum, Station, Hospital, Airport, Office, Library }
    /// The danger a recall names.
    Hazard = "hazard" {
        BatteryOverheating, FallRisk, PinchPoint, NavigationFault, EmergencyStopFault, Overspeed,
    }
    /// What fixes a recalled robot.
    Remedy = "remedy" {
        BatteryReplacement, FirmwareUpdate, ActuatorReplacement, InspectionAndAdjustment,
    }
    /// A job a robot may (or may not) be permitted to do where it works.
    Role = "role" {
        Reception, Guidance, Delivery, Cleaning, SecurityPatrol, Education, Promotion,
        PhysicalAssistance, ChildSupervision, OutdoorOperation, CrowdControl, MedicalCare,
    }
    /// What a robot records.
    Sensor = "sensor" { Video, Audio, Location, Lidar, Depth, Biometrics }
    /// Why it records.
    Purpose = "purpose" { NavigationAndSafety, ServiceQuality, Security, VisitorAnalytics }
    /// Where the recordings are kept.
    Storage = "storage" { OnDevice, OperatorCloudCn, ManufacturerCloudCn }
    /// A part a service provider replaces.
    Part = "part" { Battery, Actuator, Camera, Lidar, Hand, Sensor }
    /// What an incident report is about.
    IncidentCategory = "incident_category" {
        CollisionInjury, Fall, Malfunction, UnsafeBehaviour, Privacy, PropertyDamage,
        SuspectedTampering, SuspectedFakeLabel, Other,
    }
    /// What a person does for an organisation (and what kind of organisation it is).
    OrgRole = "org_role" {
        Operator, Venue, Manufacturer, ServiceProvider, Recycler, Regulator, Owner,
    }
    /// How bad an incident was.
    Severity = "severity" { Minor, Serious, Critical }
    /// Where an incident report stands.
    IncidentStatus = "incident_status" { Submitted, Acknowledged, Investigating, Resolved, Dismissed }
    /// One step in a report's history.
    IncidentEventKind = "incident_event" {
        Submitted, InformationAdded, Acknowledged, Investigating, Resolved, Dismissed, Confirmed,
    }
    /// How a reporter would like to be contacted.
    ContactPreference = "contact_preference" { Email, Phone, NoContact }
}

impl Role {
    /// Roles a deployment is commonly approved for.
    pub const APPROVABLE: [Role; 7] = [
        Role::Reception,
        Role::Guidance,
        Role::Delivery,
        Role::Cleaning,
        Role::SecurityPatrol,
        Role::Education,
        Role::Promotion,
    ];
    /// Roles a profile says a robot is not approved for.
    pub const RESTRICTED: [Role; 5] = [
        Role::PhysicalAssistance,
        Role::ChildSupervision,
        Role::OutdoorOperation,
        Role::CrowdControl,
        Role::MedicalCare,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_snake_case_and_read_back() {
        assert_eq!(RobotType::ServiceHumanoid.name(), "service_humanoid");
        assert_eq!(Storage::OperatorCloudCn.name(), "operator_cloud_cn");
        assert_eq!(Hazard::from_name("fall_risk"), Some(Hazard::FallRisk));
        assert_eq!(Hazard::from_name("Fall Risk"), None);
        assert!(Role::keys().contains(&"role.child_supervision".to_string()));
        assert_eq!(
            Role::APPROVABLE.len() + Role::RESTRICTED.len(),
            Role::VARIANTS.len()
        );
    }
}
