//! The demo registry's accounts: a citizen, and one person for each role at an organisation
//! whose robots the demo shows (the operator, venue and manufacturer of the first deployed
//! robot; the first service provider, recycler and regulator). Their passwords are public (in
//! the README), so that a new user can try every role at once. Only the demo seed makes them.

use crate::accounts;
use crate::db;
use crate::domain::vocabulary::{OrgRole, Word};
use crate::{Database, Error};

/// A demo account as `robopass demo-accounts` prints it.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct DemoAccount {
    /// `citizen`, or the machine name of an organisation role.
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

/// The roles of the demo accounts, the citizen first.
pub const DEMO_ROLES: [&str; 7] = [
    "citizen",
    "operator",
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
        "operator" => "Wang Lei",
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
            (OrgRole::Operator, Some((_, operator, _, _))) => Some(*operator),
            (OrgRole::Venue, Some((_, _, venue, _))) => Some(*venue),
            (OrgRole::Manufacturer, Some((_, _, _, maker))) => Some(*maker),
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
            "operator" | "venue" | "manufacturer" => deployed.as_ref().map(|d| d.0.clone()),
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
