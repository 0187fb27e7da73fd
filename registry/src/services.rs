//! Plain async functions behind the pages and the JSON API: one code path for both.

use crate::db::{self, ReferenceCache, Wanted};
use crate::domain::*;
use crate::{Database, Error};
use sqlx::AnyConnection;

fn split_list(s: Option<String>) -> Vec<String> {
    s.unwrap_or_default()
        .split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn kmh(cms: i64) -> f64 {
    // cm/s → km/h, one decimal.
    (cms as f64 * 0.036 * 10.0).round() / 10.0
}

/// A lookup already made for the request being served: the server's page cache checks a kept
/// page against the registry before it renders it again, and the page it renders uses that
/// answer rather than asking the database a second time.
#[derive(Clone, Debug)]
pub struct LookupDone {
    pub id: RobotId,
    /// `None`: the registry could not answer (the failure is already logged), so the page
    /// says so at once instead of trying again.
    pub lookup: Option<Lookup>,
}

/// Look up a well-formed ID: its public profile, or the registered IDs it may have been
/// misread from. One query, a second only when recalls are open (or the ID is unknown),
/// however long the robot's history; plus, for parties and models not read in the last
/// `REFERENCE_CACHE_MS`, one per table they live in.
#[tracing::instrument(skip(registry))]
pub async fn lookup(
    registry: &crate::Registry,
    id: &RobotId,
    today: &str,
) -> crate::error::Result<Lookup> {
    let pool = registry.lookups();
    let id = id.clone();
    let today = today.to_string();
    let reference = pool.reference().clone();
    pool.run(move |mut conn| {
        let (id, today, reference) = (id.clone(), today.clone(), reference.clone());
        async move {
            let result = lookup_on(&mut conn, &reference, &id, &today).await;
            (conn, result)
        }
    })
    .await
    .map_err(crate::Error::from)
}

async fn lookup_on(
    conn: &mut AnyConnection,
    reference: &ReferenceCache,
    id: &RobotId,
    today: &str,
) -> Result<Lookup, sqlx::Error> {
    let Some(row) = db::profile_row(&mut *conn, id, &year_before(today)).await? else {
        let suggestions = db::registered_among(&mut *conn, &id.confusable_neighbours()).await?;
        let regulator_hotline = reference
            .regulator(conn)
            .await?
            .and_then(|r| r.hotline.clone())
            .unwrap_or_default();
        return Ok(Lookup::NotRegistered {
            suggestions,
            regulator_hotline,
        });
    };
    let recalls = if row.open_recalls > 0 {
        db::open_recalls(&mut *conn, row.id, row.model_id, &row.serial).await?
    } else {
        Vec::new()
    };
    let refs = reference
        .resolve(
            conn,
            Wanted {
                model: row.model_id,
                operator: row.operator_id,
                venue: row.venue_id,
                controller: row.controller_id,
                inspection_body: row.insp_body_id,
            },
        )
        .await?;
    let regulator = reference.regulator(conn).await?;

    let lifecycle = Lifecycle::from_db(&row.lifecycle).unwrap_or(Lifecycle::NotDeployed);
    let status = Status::derive(
        &StatusFacts {
            lifecycle,
            open_recalls: row.open_recalls as usize,
            next_inspection_due: row.next_inspection_due.as_deref(),
        },
        today,
    );
    let model = &refs.model;
    let operator = refs.operator.as_deref().map(|op| Operator {
        name: op.name.clone(),
        phone: op.phone.clone(),
        email: op.email.clone(),
        emergency_contact: EmergencyContact {
            phone: op
                .emergency_phone
                .clone()
                .or_else(|| op.phone.clone())
                .unwrap_or_default(),
            stop_method: model.stop_method.clone(),
        },
    });
    let permitted_role = row.approved.clone().map(|approved| PermittedRole {
        approved: split_list(Some(approved)),
        not_approved: split_list(row.not_approved.clone()),
        limits: Limits {
            indoor_only: row.indoor_only == Some(1),
            supervised: row.supervised == Some(1),
            max_speed_kmh: row.role_speed_cms.map(kmh),
            hours: row.hours.clone(),
        },
    });
    let data_notice = row.sensors.clone().map(|sensors| DataNotice {
        sensors: split_list(Some(sensors)),
        purpose: row.purpose.clone().unwrap_or_default(),
        retention_days: row.retention_days.unwrap_or_default(),
        storage: row.storage.clone().unwrap_or_default(),
        controller: refs
            .controller
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        rights_contact: row.rights_contact.clone().unwrap_or_default(),
    });
    let venue = refs.venue.as_deref().map(|v| Venue {
        slug: v.slug.clone(),
        name: v.name.clone(),
        kind: v.kind.clone(),
        address: v.address.clone(),
        city: v.city.clone(),
    });
    let last_inspection = match (row.insp_date.clone(), row.insp_next_due.clone()) {
        (Some(date), Some(next_due)) => Some(Inspection {
            // The same fact the status is derived from, so card and banner agree.
            overdue: status == Status::InspectionOverdue
                || (lifecycle == Lifecycle::Deployed
                    && row
                        .next_inspection_due
                        .as_deref()
                        .is_some_and(|d| d < today)),
            date,
            body: refs
                .inspection_body
                .as_ref()
                .map(|b| b.name.clone())
                .unwrap_or_default(),
            result: row.insp_result.clone().unwrap_or_default(),
            next_due,
        }),
        _ => None,
    };
    let maker = &refs.manufacturer;
    Ok(Lookup::Found(Box::new(Profile {
        id: id.clone(),
        id_display: id.display(),
        status,
        manufacturer: Manufacturer {
            name: maker.name.clone(),
            code: maker.code.clone().unwrap_or_default(),
            country: maker.country.clone(),
            website: maker.website.clone(),
        },
        model: Model {
            code: model.code.clone(),
            name: model.name.clone(),
            robot_type: model.robot_type.clone(),
            height_cm: model.height_cm,
            mass_kg: model.mass_kg,
            max_speed_kmh: kmh(model.max_speed_cms),
            payload_kg: model.payload_kg,
            battery_wh: model.battery_wh,
            degrees_of_freedom: model.dof,
            autonomy_level: model.autonomy_level,
        },
        production_year: row.production_year,
        country: row.country,
        operator,
        permitted_role,
        last_inspection,
        data_notice,
        complaint_channel: ComplaintChannel {
            operator_contact: refs
                .operator
                .as_ref()
                .and_then(|op| op.complaint_email.clone()),
            regulator: regulator
                .as_ref()
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            regulator_hotline: regulator
                .as_ref()
                .and_then(|r| r.hotline.clone())
                .unwrap_or_default(),
            confirmed_incidents_12m: row.confirmed_incidents,
        },
        venue,
        open_recalls: recalls
            .into_iter()
            .map(|r| Recall {
                reference: r.reference,
                issued_on: r.issued_on,
                hazard: r.hazard,
                remedy: r.remedy,
            })
            .collect(),
        record: RecordSummary {
            entries: row.record_entries,
            last_updated: row.record_updated_at,
        },
    })))
}

/// The date twelve months before `today` (both `YYYY-MM-DD`): where "the last 12 months" of
/// confirmed incidents begin.
fn year_before(today: &str) -> String {
    days_after(today, -365)
}

/// The day `days` after `today` (`YYYY-MM-DD`; before it when negative), or `today` should it
/// not read as a date.
pub(crate) fn days_after(today: &str, days: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(today, &format)
        .ok()
        .and_then(|d| d.checked_add(time::Duration::days(days)))
        .map_or_else(|| today.to_string(), |d| d.to_string())
}

/// The status of the robot `id` now, or `None` when it is not registered: one query, for
/// what shows only the status (a venue's badge).
pub async fn status_now(
    registry: &crate::Registry,
    id: &RobotId,
    today: &str,
) -> Result<Option<Status>, Error> {
    // On the lookups' own connections, as a profile is: a badge is read as often as one, and
    // sqlx's pool tests each connection with a round trip every time it lends it.
    let id = id.as_str().to_string();
    let today = today.to_string();
    registry
        .lookups()
        .run(move |mut conn| {
            let (id, today) = (id.clone(), today.clone());
            async move {
                let row = db::status_facts_on(&mut conn, &id).await;
                (conn, row.map(|r| r.map(|row| status_of(&row, &today))))
            }
        })
        .await
        .map_err(Error::from)
}

/// Today's date in UTC, as the ISO text the status rules compare against.
pub fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

/// One `(status, id)` pair per status that exists in the registry, in [`Status::ALL`] order.
pub async fn demo_ids_per_status(
    database: &Database,
    today: &str,
) -> Result<Vec<(Status, RobotId)>, Error> {
    let pool = database.pool();
    let mut found: Vec<(Status, RobotId)> = Vec::new();
    let max = db::max_robot_pk(pool).await?;
    let mut after = 0;
    while after < max && found.len() < Status::ALL.len() {
        for row in db::status_facts_range(pool, after, 500).await? {
            let status = status_of(&row, today);
            if !found.iter().any(|(s, _)| *s == status) {
                if let Ok(id) = RobotId::parse(&row.robot_id) {
                    found.push((status, id));
                }
            }
        }
        after += 500;
    }
    found.sort_by_key(|(s, _)| Status::ALL.iter().position(|x| x == s));
    Ok(found)
}

/// `limit` registered robots picked evenly at random (seeded, so runs are repeatable).
pub async fn sample_ids(
    database: &Database,
    limit: usize,
    today: &str,
) -> Result<Vec<(Status, RobotId)>, Error> {
    let pool = database.pool();
    use rand::{Rng, SeedableRng};
    let max = db::max_robot_pk(pool).await?;
    if max == 0 {
        return Ok(Vec::new());
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(limit as u64);
    let mut out = Vec::with_capacity(limit);
    while out.len() < limit {
        let want = (limit - out.len()).min(500);
        let pks: Vec<i64> = (0..want).map(|_| rng.random_range(1..=max)).collect();
        for row in db::status_facts_for(pool, &pks).await? {
            if let Ok(id) = RobotId::parse(&row.robot_id) {
                out.push((status_of(&row, today), id));
            }
        }
    }
    out.truncate(limit);
    Ok(out)
}

/// Which of `ids` are registered (one query, however many candidates).
pub async fn registered_among(database: &Database, ids: &[RobotId]) -> Result<Vec<RobotId>, Error> {
    Ok(db::registered_among(database.pool(), ids).await?)
}

fn status_of(row: &db::StatusFactsRow, today: &str) -> Status {
    Status::derive(
        &StatusFacts {
            lifecycle: Lifecycle::from_db(&row.lifecycle).unwrap_or(Lifecycle::NotDeployed),
            open_recalls: row.open_recalls as usize,
            next_inspection_due: row.next_inspection_due.as_deref(),
        },
        today,
    )
}
