//! The demo registry's accounts: a citizen, a buyer (a person with no rights over any robot),
//! and one person for each role at an organisation whose robots the demo shows (the operator,
//! owner, venue, manufacturer and engaged service provider of the first deployed robot; the
//! first recycler and regulator). Their passwords are public (in
//! the README), so that a new user can try every role at once. Only the demo seed makes them.

use crate::accounts;
use crate::db;
use crate::domain::vocabulary::{OrgRole, Word};
use crate::{Database, Error};

/// A demo account as `robopass demo-accounts` prints it.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct DemoAccount {
    /// `citizen`, `buyer`, or the machine name of an organisation role.
    pub role: &'static str,
    pub email: String,
    pub password: String,
    /// The organisation the role is held at (none for the citizen).
    pub org: Option<String>,
    /// A robot the organisation answers for (the operator's, the venue's and the
    /// manufacturer's demo robot), to try the role on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robot: Option<String>,
}

/// The roles of the demo accounts, the people without one first.
pub const DEMO_ROLES: [&str; 9] = [
    "citizen",
    "buyer",
    "operator",
    "owner",
    "venue",
    "manufacturer",
    "service_provider",
    "recycler",
    "regulator",
];

fn email(role: &str) -> String {
    format!("{}@demo.robopass.example", role.replace('_', "-"))
}

fn password(role: &str) -> String {
    format!("demo-{}-2026", role.replace('_', "-"))
}

fn display_name(role: &str) -> String {
    let name = match role {
        "citizen" => "Chen Jing",
        "buyer" => "Huang Tao",
        "operator" => "Wang Lei",
        "owner" => "Xu Fang",
        "venue" => "Li Na",
        "manufacturer" => "Zhang Wei",
        "service_provider" => "Liu Yang",
        "recycler" => "Zhao Min",
        _ => "Sun Hui",
    };
    format!("{name} (demo)")
}

/// Make the demo accounts (the seed calls this once, on an empty registry).
pub async fn seed(database: &Database) -> Result<(), Error> {
    let pool = database.pool();
    let deployed = db::parties_of_first_deployed_robot(pool).await?;
    for role in DEMO_ROLES {
        let person = accounts::add_person(
            database,
            &email(role),
            &display_name(role),
            &password(role),
            true,
        )
        .await?;
        let Some(role) = OrgRole::from_name(role) else {
            continue;
        };
        let org = match (role, &deployed) {
            (OrgRole::Operator, Some(d)) => Some(d.operator),
            (OrgRole::Owner, Some(d)) => d.owner,
            (OrgRole::Venue, Some(d)) => Some(d.venue),
            (OrgRole::Manufacturer, Some(d)) => Some(d.manufacturer),
            (OrgRole::ServiceProvider, Some(d)) if d.service_provider.is_some() => {
                d.service_provider
            }
            _ => db::first_organisation_of_kind(pool, role.name()).await?,
        };
        if let Some(org) = org {
            db::insert_membership(pool, person, org, role.name()).await?;
        }
    }
    Ok(())
}

/// The demo accounts that exist in this registry, with their organisations.
pub async fn list(database: &Database) -> Result<Vec<DemoAccount>, Error> {
    let mut out = Vec::new();
    let deployed = db::parties_of_first_deployed_robot(database.pool()).await?;
    for role in DEMO_ROLES {
        let key = accounts::email_key(&email(role));
        let Some(person) = db::person_by_email(database.pool(), &key).await? else {
            continue;
        };
        let org = accounts::memberships(database, person.id)
            .await?
            .into_iter()
            .find(|m| m.role.name() == role)
            .map(|m| m.org_name);
        let robot = match role {
            "operator" | "owner" | "venue" | "manufacturer" | "service_provider" => {
                deployed.as_ref().map(|d| d.robot_id.clone())
            }
            _ => None,
        };
        out.push(DemoAccount {
            role,
            email: email(role),
            password: password(role),
            org,
            robot,
        });
    }
    Ok(out)
}
