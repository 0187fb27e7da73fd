//! Venues' public pages: each venue's address in the portal (its slug, given once from its
//! name) and the robots deployed there now with their statuses. The page and its JSON are the
//! same for everyone. SQL in `db/venues.rs`.

use crate::db::venues as rows;
use crate::domain::status::{Lifecycle, Status, StatusFacts};
use crate::domain::venue::{is_slug, slug_of, VenuePage, VenueRobot, VenueSummary};
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
    let pool = registry.pool();
    let venue = rows::venue(pool, slug)
        .await?
        .ok_or(Error::NotFound(Problem::NoSuchVenue))?;
    let robots: Vec<VenueRobot> = rows::robots_at(pool, venue.id)
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
