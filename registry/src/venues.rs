//! Venues' public pages: each venue's address in the portal (its slug, given once from its
//! name) and the robots deployed there now with their statuses. The page and its JSON are the
//! same for everyone. The dashboard of a venue's own members. SQL in `db/venues.rs`.

use crate::accounts::Person;
use crate::db::venues as rows;
use crate::domain::status::{Lifecycle, Status, StatusFacts};
use crate::domain::venue::{
    is_slug, slug_of, RecallAt, VenueDashboard, VenuePage, VenueRobot, VenueSummary,
    DUE_WITHIN_DAYS,
};
use crate::domain::{Problem, RobotId};
use crate::{Database, Error, Registry};
use std::collections::HashSet;

/// Give every venue without a slug one, made from its name and unique among venues (`-2`,
/// `-3`… when taken). Run when the registry opens and after the demo seed writes venues.
pub async fn fill_slugs(database: &Database) -> Result<u64, sqlx::Error> {
    let pool = database.pool();
    let missing = rows::without_slug(pool).await?;
    if missing.is_empty() {
        return Ok(0);
    }
    let mut taken: HashSet<String> = rows::slugs(pool).await?.into_iter().collect();
    let mut tx = pool.begin().await?;
    for (id, name) in &missing {
        let base = slug_of(name);
        let mut slug = base.clone();
        let mut n = 1;
        while taken.contains(&slug) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        rows::set_slug(&mut tx, *id, &slug).await?;
        taken.insert(slug);
    }
    tx.commit().await?;
    Ok(missing.len() as u64)
}

/// The public page of the venue at `slug`, as it stands now (`today`: `YYYY-MM-DD`, which
/// decides an overdue inspection).
pub async fn page(registry: &Registry, slug: &str, today: &str) -> Result<VenuePage, Error> {
    if !is_slug(slug) {
        return Err(Error::NotFound(Problem::NoSuchVenue));
    }
    let venue = rows::venue(registry.pool(), slug)
        .await?
        .ok_or(Error::NotFound(Problem::NoSuchVenue))?;
    page_of(registry, venue, today).await
}

/// The page of the venue in the row `venue`.
async fn page_of(
    registry: &Registry,
    venue: rows::VenueRow,
    today: &str,
) -> Result<VenuePage, Error> {
    let robots: Vec<VenueRobot> = rows::robots_at(registry.pool(), venue.id)
        .await?
        .into_iter()
        .map(|r| {
            let lifecycle = Lifecycle::from_db(&r.lifecycle).unwrap_or(Lifecycle::NotDeployed);
            let status = Status::derive(
                &StatusFacts {
                    lifecycle,
                    open_recalls: usize::try_from(r.open_recalls).unwrap_or(0),
                    next_inspection_due: r.next_inspection_due.as_deref(),
                },
                today,
            );
            let display = RobotId::parse(&r.robot_id)
                .map(|id| id.display())
                .unwrap_or_else(|_| r.robot_id.clone());
            VenueRobot {
                id: r.robot_id,
                display,
                model: r.model,
                status,
                roles: r
                    .approved
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                next_inspection_due: r.next_inspection_due,
            }
        })
        .collect();
    Ok(VenuePage {
        slug: venue.slug,
        name: venue.name,
        kind: venue.kind,
        address: venue.address,
        city: venue.city,
        organisation: venue.organisation,
        summary: VenueSummary::of(&robots),
        robots,
        as_of: crate::accounts::stamp(crate::accounts::now()),
    })
}

/// The dashboard of the venue at `slug` for `who`, who must be a member of the organisation
/// that runs it (any role there: the venue's staff): its robots, the inspections due within
/// [`DUE_WITHIN_DAYS`] days (or never done), the open recalls and the incident reports still
/// being handled on its robots. Not found and not allowed are told apart only for members.
pub async fn dashboard(
    registry: &Registry,
    who: &Person,
    slug: &str,
    today: &str,
) -> Result<VenueDashboard, Error> {
    if !is_slug(slug) {
        return Err(Error::NotFound(Problem::NoSuchVenue));
    }
    let venue = rows::venue(registry.pool(), slug)
        .await?
        .ok_or(Error::NotFound(Problem::NoSuchVenue))?;
    if !who.memberships.iter().any(|m| m.org_id == venue.org_id) {
        return Err(Error::Forbidden(Problem::NotAllowed));
    }
    let id = venue.id;
    let page = page_of(registry, venue, today).await?;
    let due_by = crate::services::days_after(today, DUE_WITHIN_DAYS);
    let mut due: Vec<VenueRobot> = page
        .robots
        .iter()
        .filter(|r| {
            r.next_inspection_due
                .as_deref()
                .is_none_or(|d| d <= due_by.as_str())
        })
        .cloned()
        .collect();
    due.sort_by(|a, b| a.next_inspection_due.cmp(&b.next_inspection_due));
    let recalls = rows::open_recalls_at(registry.pool(), id)
        .await?
        .into_iter()
        .map(|r| RecallAt {
            display: RobotId::parse(&r.robot_id)
                .map(|id| id.display())
                .unwrap_or_else(|_| r.robot_id.clone()),
            robot_id: r.robot_id,
            reference: r.reference,
            issued_on: r.issued_on,
            hazard: r.hazard,
            remedy: r.remedy,
        })
        .collect();
    let reports = crate::incidents::open_at_venue(registry.database(), id).await?;
    Ok(VenueDashboard {
        venue: page,
        due_by,
        due,
        recalls,
        reports,
    })
}

/// The venues the organisation `org` runs, as (slug, name), by name, for its members' page
/// (the caller has checked that the person is one).
pub async fn of_organisation(
    registry: &Registry,
    org: i64,
) -> Result<Vec<(String, String)>, Error> {
    Ok(rows::of_organisation(registry.pool(), org).await?)
}
