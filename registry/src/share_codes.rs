//! Share codes: how an owner lets a buyer read its robot's provenance report. A code is 12
//! characters of Crockford's base-32 (60 random bits; no I, L, O or U, and those typed by
//! mistake read as 1, 1, 0), shown in three groups of four (`7K3M-9QX2-HD4P`). It opens one robot's report,
//! until it expires or is revoked, and only while the organisation that issued it owns the
//! robot. Only its keyed hash is kept (`Keyring::share_hash`).

use crate::accounts;
use crate::db::provenance as rows;
use crate::domain::vocabulary::OrgRole;
use crate::domain::{Problem, RobotId};
use crate::filing::Filer;
use crate::{Error, Registry};

/// Characters a code is made of.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const CODE_LEN: usize = 12;
/// How long a code works unless its owner says otherwise, and at most.
pub const DEFAULT_DAYS: u32 = 14;
pub const MAX_DAYS: u32 = 90;

/// A code as typed (any case, spaces and dashes anywhere, O for 0 and I or L for 1) in its
/// canonical form, if it is one.
pub fn normalise(typed: &str) -> Option<String> {
    if typed.len() > 64 {
        return None;
    }
    let mut code = String::with_capacity(CODE_LEN);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            ' ' | '-' | '\u{2010}'..='\u{2015}' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
            _ => return None,
        };
        code.push(c);
    }
    (code.len() == CODE_LEN).then_some(code)
}

/// A code in three groups of four, for reading aloud and typing (`7K3M-9QX2-HD4P`).
pub fn grouped(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn new_code() -> String {
    use rand::Rng as _;
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

pub use crate::domain::provenance::{IssuedCode as Issued, ShareCodeInfo as Listed};

/// The robot's key and the owner organisation `filer` acts for, or why not.
async fn as_owner(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
) -> Result<(i64, i64), Error> {
    let (pk, owner) = rows::robot_owner(registry.pool(), id.as_str())
        .await?
        .ok_or(Error::NotFound(Problem::NotRegistered))?;
    let org = filer
        .capacities()
        .into_iter()
        .find(|(org, role)| *role == OrgRole::Owner && Some(*org) == owner)
        .map(|(org, _)| org)
        .ok_or(Error::Forbidden(Problem::NotOwner))?;
    Ok((pk, org))
}

/// Issue a code for the robot `id`, as its owner, working for `days` (default
/// [`DEFAULT_DAYS`], at most [`MAX_DAYS`]).
pub async fn issue(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
    days: Option<u32>,
) -> Result<Issued, Error> {
    let days = days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Error::Invalid(Problem::BadExpiry));
    }
    let (pk, org) = as_owner(registry, filer, id).await?;
    let now = accounts::now();
    let expires_at = accounts::stamp(now + time::Duration::days(i64::from(days)));
    let person = match filer {
        Filer::Person(p) => Some(p.id),
        Filer::Token(_) => None,
    };
    // 60 random bits: a clash is all but impossible, and then another code is drawn.
    for _ in 0..3 {
        let code = new_code();
        let row = rows::NewCode {
            robot_pk: pk,
            hash: &registry.keys().share_hash(&code),
            org,
            person,
            created_at: &accounts::stamp(now),
            expires_at: &expires_at,
        };
        if let Some(id) = rows::insert(registry.pool(), &row).await? {
            tracing::info!(robot_pk = pk, share_code = id, "share code issued");
            return Ok(Issued {
                id,
                code: grouped(&code),
                expires_at,
            });
        }
    }
    Err(Error::Unavailable)
}

/// The robot's codes, for its owner, newest first.
pub async fn list(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
) -> Result<Vec<Listed>, Error> {
    let (pk, _) = as_owner(registry, filer, id).await?;
    let now = accounts::stamp(accounts::now());
    Ok(rows::list(registry.pool(), pk)
        .await?
        .into_iter()
        .map(|r| Listed {
            state: match (&r.revoked_at, r.expires_at <= now) {
                (Some(_), _) => "revoked",
                (None, true) => "expired",
                (None, false) => "valid",
            }
            .to_string(),
            id: r.id,
            created_at: r.created_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

/// Revoke one of the robot's codes, named by its number or by the code itself, as its
/// owner: whether it was live.
pub async fn revoke(
    registry: &Registry,
    filer: Filer<'_>,
    id: &RobotId,
    which: &str,
) -> Result<bool, Error> {
    let (pk, _) = as_owner(registry, filer, id).await?;
    let at = accounts::stamp(accounts::now());
    let revoked = match (which.parse::<i64>(), normalise(which)) {
        (Ok(number), _) => rows::revoke_by_id(registry.pool(), pk, number, &at).await?,
        (_, Some(code)) => {
            let hash = registry.keys().share_hash(&code);
            rows::revoke_by_hash(registry.pool(), pk, &hash, &at).await?
        }
        _ => false,
    };
    Ok(revoked)
}

/// The number of the live code `typed` for the robot with key `pk`, or why it opens nothing.
pub(crate) async fn check(registry: &Registry, pk: i64, typed: &str) -> Result<i64, Error> {
    let code = normalise(typed).ok_or(Error::Forbidden(Problem::BadShareCode))?;
    let hash = registry.keys().share_hash(&code);
    let row = rows::by_hash(registry.pool(), &hash)
        .await?
        .filter(|r| r.robot_pk == pk)
        .ok_or(Error::Forbidden(Problem::BadShareCode))?;
    let now = accounts::stamp(accounts::now());
    if row.revoked_at.is_some() || row.expires_at <= now || row.owner != Some(row.org_id) {
        return Err(Error::Forbidden(Problem::ShareCodeEnded));
    }
    Ok(row.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = new_code();
        assert_eq!(code.len(), CODE_LEN);
        assert_eq!(normalise(&code), Some(code.clone()));
        assert_eq!(
            normalise(&grouped(&code).to_lowercase()),
            Some(code.clone())
        );
        assert_eq!(normalise("7k3m 9qx2 hd4p"), Some("7K3M9QX2HD4P".into()));
        assert_eq!(normalise("OIL0-1111-2222"), Some("011011112222".into()));
        assert_eq!(grouped("7K3M9QX2HD4P"), "7K3M-9QX2-HD4P");
        for bad in [
            "7K3M9QX2HD4",
            "7K3M9QX2HD4PP",
            "7K3M9QX2HD4U",
            "7K3M9QX2HD4Ü",
            "",
        ] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
