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

/// A demo share code as `robopass demo-share-codes` prints it.
#[derive(Clone, Debug, serde::Serialize, PartialEq, Eq)]
pub struct DemoShareCode {
    /// The robot it opens.
    pub id: String,
    pub code: &'static str,
    /// `valid`, `expired` or `revoked`.
    pub state: &'static str,
}

/// Which demo robot a demo code is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeFor {
    /// The demo robot, in service.
    InService,
    /// A robot that has been scrapped, and that someone is offering anyway (the code its owner
    /// gave them).
    Scrapped,
}

/// The demo share codes: public (in the README), so that anyone can open a report as a buyer.
const DEMO_CODES: [(&str, CodeFor, &str); 4] = [
    ("DEM0-2026-AAA1", CodeFor::InService, "valid"),
    ("DEM0-2026-SCR4", CodeFor::Scrapped, "valid"),
    ("DEM0-2026-EXP1", CodeFor::InService, "expired"),
    ("DEM0-2026-REV0", CodeFor::InService, "revoked"),
];

/// A robot a demo code is for: its key, ID and owner.
type CodeRobot = Option<(i64, String, i64)>;

/// The robots the demo codes are for (`None`: not in this registry) and the demo owner, or
/// nothing when this registry has no demo owner.
async fn code_robots(
    database: &Database,
) -> Result<Option<(Option<i64>, CodeRobot, CodeRobot)>, Error> {
    let pool = database.pool();
    let Some(d) = db::parties_of_first_deployed_robot(pool).await? else {
        return Ok(None);
    };
    let Some(owner) = d.owner else {
        return Ok(None);
    };
    let person = db::person_by_email(pool, &accounts::email_key(&email("owner")))
        .await?
        .map(|p| p.id);
    let in_service = db::provenance::robot_owner(pool, &d.robot_id)
        .await?
        .map(|(pk, _)| (pk, d.robot_id.clone(), owner));
    let scrapped = db::provenance::first_scrapped_robot(pool).await?;
    Ok(Some((person, in_service, scrapped)))
}

/// Issue the demo share codes (hashed under `keys`) and leave the trace of someone trying to
/// sell the scrapped robot; a registry without the demo owner gets none.
pub async fn seed_share_codes(
    database: &Database,
    keys: &crate::labels::Keyring,
) -> Result<(), Error> {
    let Some((person, in_service, scrapped)) = code_robots(database).await? else {
        return Ok(());
    };
    let now = accounts::now();
    let created = accounts::stamp(now - time::Duration::days(3));
    for (code, robot, state) in DEMO_CODES {
        let target = match robot {
            CodeFor::InService => &in_service,
            CodeFor::Scrapped => &scrapped,
        };
        let Some((pk, _, owner)) = target else {
            continue;
        };
        // The demo owner issued the demo robot's codes; the scrapped robot's owner its own.
        let issuer = if robot == CodeFor::InService {
            person
        } else {
            None
        };
        let expires_at = match state {
            "expired" => accounts::stamp(now - time::Duration::days(1)),
            _ => accounts::stamp(now + time::Duration::days(365)),
        };
        let revoked_at =
            (state == "revoked").then(|| accounts::stamp(now - time::Duration::days(2)));
        let normal = crate::share_codes::normalise(code).unwrap_or_default();
        db::provenance::insert_demo_code(
            database.pool(),
            &db::provenance::DemoCode {
                robot_pk: *pk,
                hash: &keys.share_hash(&normal),
                org: *owner,
                person: issuer,
                created_at: &created,
                expires_at: &expires_at,
                revoked_at: revoked_at.as_deref(),
            },
        )
        .await?;
    }
    if let Some((_, id, _)) = &scrapped {
        // Someone tried to sell the scrapped robot; the record refused it.
        db::filing::insert_refusal(
            database.pool(),
            &db::filing::Refusal {
                at: &created,
                robot_id: id,
                kind: "sold",
                person: None,
                token: None,
                problem: "robot_scrapped",
            },
        )
        .await?;
    }
    Ok(())
}

/// The demo share codes this registry has, with the robots they are for.
pub async fn share_codes(database: &Database) -> Result<Vec<DemoShareCode>, Error> {
    let Some((_, in_service, scrapped)) = code_robots(database).await? else {
        return Ok(Vec::new());
    };
    Ok(DEMO_CODES
        .iter()
        .filter_map(|(code, robot, state)| {
            let target = match robot {
                CodeFor::InService => &in_service,
                CodeFor::Scrapped => &scrapped,
            };
            target.as_ref().map(|(_, id, _)| DemoShareCode {
                id: id.clone(),
                code,
                state,
            })
        })
        .collect())
}

/// `robopass demo-tamper`: rewrite one entry of one of the demo owner's robots directly in the
/// database, as someone faking an inspection would (a pass, due a year later), so that the demo
/// can show a broken record. The robot's ID and the entry's number.
pub async fn tamper(database: &Database) -> Result<Option<(String, i64)>, Error> {
    let pool = database.pool();
    let Some(d) = db::parties_of_first_deployed_robot(pool).await? else {
        return Ok(None);
    };
    let Some(owner) = d.owner else {
        return Ok(None);
    };
    let Some((pk, id)) = db::provenance::inspected_robots_of(pool, owner, &d.robot_id)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let Some((seq, details)) = db::provenance::first_inspection(pool, pk).await? else {
        return Ok(None);
    };
    let mut faked: serde_json::Value = serde_json::from_str(&details).unwrap_or_default();
    let later = faked["next_due"]
        .as_str()
        .and_then(|d| {
            d.get(..4)?
                .parse::<i32>()
                .ok()
                .map(|y| format!("{}{}", y + 1, &d[4..]))
        })
        .unwrap_or_else(|| "2030-01-01".into());
    faked["result"] = "pass".into();
    faked["next_due"] = later.into();
    db::provenance::edit_entry_behind_the_portal(
        pool,
        database.backend(),
        pk,
        seq,
        &faked.to_string(),
    )
    .await?;
    Ok(Some((id, seq)))
}
