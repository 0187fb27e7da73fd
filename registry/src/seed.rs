//! The demo registry: a deterministic generator (fixed seed) of organisations, models, venues,
//! recalls and robots with believable lifecycle records, at any scale. Dates are laid out
//! relative to the day of seeding so the registry looks alive; which robot gets which fate
//! depends on the seed alone, so the demo IDs in the README stay true.

use crate::db::batch::{Batch, Val};
use crate::db::record::{entry_batch, entry_values, projection_values, PROJECTION_COLUMNS};
use crate::db::Backend;
use crate::domain::vocabulary::{
    Hazard, IncidentCategory, Part, Purpose, Remedy, RobotType, Role, Sensor, StopMethod, Storage,
    VenueKind, Word,
};
use crate::domain::{Lifecycle, RobotId, Status, StatusFacts};
use crate::record::{append, Entry, EntryKind, Projection};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use strum::VariantArray;
use time::{Date, Duration, OffsetDateTime};

/// The fixed seed: the same number of robots always gives the same registry.
pub const SEED: u64 = 20_260_523;
/// Robots written per transaction.
const CHUNK: usize = 2_000;

pub const MANUFACTURERS: usize = 120;
const OPERATORS: usize = 80;
const VENUE_ORGS: usize = 40;
const VENUES_PER_ORG: usize = 5;
const SERVICE_PROVIDERS: usize = 20;
const RECYCLERS: usize = 6;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the registry already holds data ({0} robots); seed an empty database (a new DATABASE_URL, or delete the SQLite file)")]
    NotEmpty(i64),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error("the demo accounts could not be made")]
    Accounts,
}

/// What a seeding run wrote.
#[derive(Debug, Default, Clone)]
pub struct SeedReport {
    pub robots: u64,
    pub entries: u64,
    pub by_status: HashMap<Status, u64>,
}

const CITIES: &[&str] = &[
    "Beijing",
    "Shanghai",
    "Shenzhen",
    "Guangzhou",
    "Hangzhou",
    "Chengdu",
    "Wuhan",
    "Nanjing",
    "Suzhou",
    "Xi'an",
    "Tianjin",
    "Chongqing",
    "Hefei",
    "Qingdao",
    "Xiamen",
    "Changsha",
];
const NAME_STEMS: &[&str] = &[
    "Huaxin",
    "Tianyu",
    "Kunpeng",
    "Longma",
    "Qingfeng",
    "Xingchen",
    "Yunhai",
    "Zhiyuan",
    "Jinqiao",
    "Baihe",
    "Dongfang",
    "Lingxi",
    "Mingde",
    "Pengcheng",
    "Ruixiang",
    "Shengtai",
    "Taihang",
    "Weilan",
    "Xinghe",
    "Yaoguang",
    "Zhongke",
    "Anbo",
    "Boyuan",
    "Chuangxin",
    "Dahua",
    "Fenghuo",
    "Guanghe",
    "Haoyun",
    "Jiayu",
    "Kaiyuan",
    "Lanting",
    "Moxing",
    "Nanshan",
    "Qiming",
    "Shanhe",
    "Tongda",
    "Wanxiang",
    "Xiaoyao",
    "Yichen",
    "Zhaoming",
];
const MAKER_SUFFIXES: &[&str] = &[
    "Robotics",
    "Intelligent Machines",
    "Dynamics",
    "Humanoid Tech",
];
const OPERATOR_SUFFIXES: &[&str] = &[
    "Robot Services",
    "Smart Operations",
    "Automation Leasing",
    "Service Robotics",
];
const VENUE_ORG_SUFFIXES: &[&str] = &[
    "Commercial Group",
    "Hospitality",
    "Cultural Venues",
    "Transport Hubs",
];
const SERVICE_SUFFIXES: &[&str] = &[
    "Inspection & Certification",
    "Robot Maintenance",
    "Testing Centre",
];
const RECYCLER_SUFFIXES: &[&str] = &["Electronics Recycling", "Renewable Resources"];
const SERIES: &[&str] = &[
    "Walker",
    "Atlas",
    "Guide",
    "Pathfinder",
    "Helper",
    "Steward",
    "Sentinel",
    "Mentor",
    "Porter",
    "Aide",
    "Scout",
    "Greeter",
    "Nova",
    "Orion",
    "Vega",
    "Lyra",
];
/// Parts the demo's service providers replace, in the order the seed has always drawn them.
const SEEDED_PARTS: [Part; 5] = [
    Part::Battery,
    Part::Actuator,
    Part::Camera,
    Part::Lidar,
    Part::Hand,
];
/// What the demo's incident reports are about, in the seed's order.
const SEEDED_INCIDENTS: [IncidentCategory; 6] = [
    IncidentCategory::CollisionInjury,
    IncidentCategory::Fall,
    IncidentCategory::Malfunction,
    IncidentCategory::UnsafeBehaviour,
    IncidentCategory::Privacy,
    IncidentCategory::PropertyDamage,
];
const STREETS: &[&str] = &[
    "Renmin Road",
    "Jiefang Avenue",
    "Zhongshan Road",
    "Century Avenue",
    "Binhe Road",
    "Xinhua Street",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fate {
    InService,
    NotDeployed,
    Overdue,
    RecallOpen,
    Suspended,
    Scrapped,
}

/// The first six robots take one fate each, so even a tiny registry shows every status.
const FORCED: [Fate; 6] = [
    Fate::InService,
    Fate::NotDeployed,
    Fate::Overdue,
    Fate::RecallOpen,
    Fate::Suspended,
    Fate::Scrapped,
];

fn pick_fate(rng: &mut ChaCha8Rng) -> Fate {
    match rng.random_range(0..100) {
        0..56 => Fate::InService,
        56..68 => Fate::NotDeployed,
        68..78 => Fate::Overdue,
        78..85 => Fate::RecallOpen,
        85..90 => Fate::Suspended,
        _ => Fate::Scrapped,
    }
}

struct Model {
    id: i64,
    mfr_code: String,
    code: String,
    robot_type: RobotType,
    max_speed_cms: i64,
    next_serial: u64,
    recall: Option<RecallCover>,
    mfr_org: i64,
}

#[derive(Clone)]
struct RecallCover {
    id: i64,
    issued_on: Date,
    /// Last serial number covered; `None` covers the whole model.
    serial_to: Option<u64>,
}

impl RecallCover {
    fn covers(&self, serial: u64) -> bool {
        self.serial_to.is_none_or(|to| serial <= to)
    }
}

struct Orgs {
    regulator: i64,
    operators: Vec<i64>,
    service: Vec<i64>,
    recyclers: Vec<i64>,
    /// (venue id, owning venue organisation)
    venues: Vec<i64>,
}

fn ts(date: Date, rng: &mut ChaCha8Rng) -> String {
    format!(
        "{date}T{:02}:{:02}:00Z",
        rng.random_range(8..19),
        rng.random_range(0..60)
    )
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    format!(
        "+86 {} {:04} {:04}",
        rng.random_range(20..29),
        rng.random_range(1000..9999),
        rng.random_range(0..9999)
    )
}

/// One of `words`, drawn as the seed has always drawn from its lists.
fn pick<W: Word>(rng: &mut ChaCha8Rng, words: &[W]) -> W {
    *words.choose(rng).unwrap_or(&words[0])
}

/// Words as stored in a list column: machine names joined by commas.
fn names<W: Word>(words: &[W]) -> String {
    words.iter().map(|w| w.name()).collect::<Vec<_>>().join(",")
}

fn slug(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("org")
        .to_ascii_lowercase()
}

/// Fill an empty registry with `robots` robots and everything around them.
pub async fn seed(
    database: &crate::Database,
    robots: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SeedReport, SeedError> {
    let (pool, backend) = (database.pool(), database.backend());
    if !crate::db::registry_is_empty(pool).await? {
        return Err(SeedError::NotEmpty(crate::db::robot_count(pool).await?));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let today = OffsetDateTime::now_utc().date();
    let mut tx = pool.begin().await?;
    let (orgs, mut models) = seed_parties(&mut tx, backend, &mut rng, today).await?;
    tx.commit().await?;
    crate::venues::fill_slugs(database).await?;

    let mut report = SeedReport::default();
    let mut entry_id: i64 = 0;
    let mut next_robot: u64 = 0;
    while next_robot < robots {
        let end = (next_robot + CHUNK as u64).min(robots);
        let mut w = RobotWriter::new();
        for n in next_robot..end {
            let fate = FORCED
                .get(n as usize)
                .copied()
                .unwrap_or_else(|| pick_fate(&mut rng));
            let status = w.robot(
                &mut rng,
                n as i64 + 1,
                fate,
                &mut models,
                &orgs,
                today,
                &mut entry_id,
            );
            *report.by_status.entry(status).or_default() += 1;
        }
        let mut tx = pool.begin().await?;
        w.flush(&mut tx, backend).await?;
        tx.commit().await?;
        report.entries = entry_id as u64;
        next_robot = end;
        progress(next_robot);
    }
    report.robots = robots;
    if backend == Backend::Postgres {
        // Rows were written with explicit ids; move each identity past them.
        for table in [
            "organisations",
            "models",
            "venues",
            "robots",
            "lifecycle_entries",
            "inspections",
            "recalls",
        ] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(pool)
            .await?;
        }
    }
    crate::demo_accounts::seed(database)
        .await
        .map_err(|_| SeedError::Accounts)?;
    Ok(report)
}

async fn seed_parties(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    rng: &mut ChaCha8Rng,
    today: Date,
) -> Result<(Orgs, Vec<Model>), sqlx::Error> {
    let mut org = Batch::new(
        "organisations",
        &[
            "id",
            "kind",
            "name",
            "code",
            "country",
            "city",
            "phone",
            "email",
            "emergency_phone",
            "complaint_email",
            "hotline",
            "website",
        ],
    );
    let mut next_org: i64 = 0;
    let mut add_org = |org: &mut Batch,
                       rng: &mut ChaCha8Rng,
                       kind: &str,
                       name: String,
                       code: Option<String>|
     -> i64 {
        next_org += 1;
        let city = *CITIES.choose(rng).unwrap_or(&"Beijing");
        let domain = format!("{}{}.example", slug(&name), next_org);
        let is_operator = kind == "operator";
        org.push(vec![
            next_org.into(),
            kind.into(),
            name.into(),
            code.into(),
            "CN".into(),
            city.into(),
            phone(rng).into(),
            format!("contact@{domain}").into(),
            Val::Text(is_operator.then(|| {
                format!(
                    "+86 400 {:03} {:04}",
                    rng.random_range(100..999),
                    rng.random_range(0..9999)
                )
            })),
            Val::Text(is_operator.then(|| format!("complaints@{domain}"))),
            Val::Text((kind == "regulator").then(|| "12345".to_string())),
            format!("https://www.{domain}").into(),
        ]);
        next_org
    };
    let regulator = add_org(
        &mut org,
        rng,
        "regulator",
        "National Humanoid Robot Registry Authority (demo)".into(),
        None,
    );
    let name_for = |i: usize, suffixes: &[&str]| {
        format!(
            "{} {}",
            NAME_STEMS[i % NAME_STEMS.len()],
            suffixes[(i / NAME_STEMS.len()) % suffixes.len()]
        )
    };
    let mut codes = HashSet::new();
    let mut makers = Vec::new();
    for i in 0..MANUFACTURERS {
        let name = name_for(i, MAKER_SUFFIXES);
        let code = loop {
            let first = name.as_bytes()[0] as char;
            let c: String = std::iter::once(first)
                .chain((0..3).map(|_| {
                    *b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
                        .choose(rng)
                        .unwrap_or(&b'0') as char
                }))
                .collect();
            if codes.insert(c.clone()) {
                break c;
            }
        };
        let id = add_org(&mut org, rng, "manufacturer", name, Some(code.clone()));
        makers.push((id, code));
    }
    let operators: Vec<i64> = (0..OPERATORS)
        .map(|i| {
            let n = name_for(i + 7, OPERATOR_SUFFIXES);
            add_org(&mut org, rng, "operator", n, None)
        })
        .collect();
    let venue_orgs: Vec<i64> = (0..VENUE_ORGS)
        .map(|i| {
            let n = name_for(i + 13, VENUE_ORG_SUFFIXES);
            add_org(&mut org, rng, "venue", n, None)
        })
        .collect();
    let service: Vec<i64> = (0..SERVICE_PROVIDERS)
        .map(|i| {
            let n = name_for(i + 3, SERVICE_SUFFIXES);
            add_org(&mut org, rng, "service_provider", n, None)
        })
        .collect();
    let recyclers: Vec<i64> = (0..RECYCLERS)
        .map(|i| {
            let n = name_for(i + 21, RECYCLER_SUFFIXES);
            add_org(&mut org, rng, "recycler", n, None)
        })
        .collect();
    org.flush(tx, backend).await?;

    let mut venue_rows = Batch::new(
        "venues",
        &["id", "org_id", "name", "kind", "address", "city"],
    );
    let mut venues = Vec::new();
    for (i, owner) in venue_orgs.iter().enumerate() {
        for j in 0..VENUES_PER_ORG {
            let id = venues.len() as i64 + 1;
            let kind = VenueKind::VARIANTS[(i + j) % VenueKind::VARIANTS.len()].name();
            let city = CITIES[(i * 3 + j) % CITIES.len()];
            let name = format!(
                "{} {} {}",
                NAME_STEMS[(i * 5 + j) % NAME_STEMS.len()],
                city,
                title_case(kind)
            );
            let address = format!(
                "{} {}",
                rng.random_range(1..999),
                STREETS.choose(rng).unwrap_or(&STREETS[0])
            );
            venue_rows.push(vec![
                id.into(),
                (*owner).into(),
                name.into(),
                kind.into(),
                address.into(),
                city.into(),
            ]);
            venues.push(id);
        }
    }
    venue_rows.flush(tx, backend).await?;

    let mut model_rows = Batch::new(
        "models",
        &[
            "id",
            "manufacturer_id",
            "code",
            "name",
            "robot_type",
            "height_cm",
            "mass_kg",
            "max_speed_cms",
            "payload_kg",
            "battery_wh",
            "dof",
            "autonomy_level",
            "stop_method",
        ],
    );
    let mut models = Vec::new();
    for (mi, (mfr, code)) in makers.iter().enumerate() {
        // Every maker has at least one model; the first ones have more, to pass 200 models.
        let count = if mi % 3 == 0 { 3 } else { 1 + (mi % 2) };
        for k in 0..count {
            let id = models.len() as i64 + 1;
            let prefix: String = code[..2].to_string();
            let model_code = format!("{prefix}{:04}", 100 * (k + 1) + rng.random_range(0..99));
            let robot_type = RobotType::VARIANTS[(mi + k) % RobotType::VARIANTS.len()];
            let industrial = robot_type == RobotType::IndustrialHumanoid;
            let name = format!(
                "{} {}{}",
                SERIES[(mi + 3 * k) % SERIES.len()],
                ["X", "S", "Pro ", "M"][k % 4],
                rng.random_range(1..9)
            );
            let max_speed_cms: i64 = rng.random_range(80..200);
            model_rows.push(vec![
                id.into(),
                (*mfr).into(),
                model_code.clone().into(),
                name.into(),
                robot_type.name().into(),
                rng.random_range(if industrial { 165..185 } else { 120..178 })
                    .into(),
                rng.random_range(if industrial { 55..90 } else { 30..70 })
                    .into(),
                max_speed_cms.into(),
                rng.random_range(if industrial { 15..30 } else { 2..12 })
                    .into(),
                rng.random_range(500..2200i64).into(),
                rng.random_range(20..48i64).into(),
                rng.random_range(2..5i64).into(),
                pick(rng, StopMethod::VARIANTS).name().into(),
            ]);
            models.push(Model {
                id,
                mfr_code: code.clone(),
                code: model_code,
                robot_type,
                max_speed_cms,
                next_serial: 1,
                recall: None,
                mfr_org: *mfr,
            });
        }
    }
    model_rows.flush(tx, backend).await?;

    // About one model in ten has a recall: most cover the whole model, some a serial range.
    let mut recall_rows = Batch::new(
        "recalls",
        &[
            "id",
            "model_id",
            "serial_from",
            "serial_to",
            "reference",
            "issued_on",
            "hazard",
            "remedy",
            "closed_on",
        ],
    );
    let mut recall_id = 0;
    for (i, m) in models.iter_mut().enumerate() {
        if i % 10 != 4 {
            continue;
        }
        recall_id += 1;
        let issued_on = today - Duration::days(rng.random_range(30..500));
        let serial_to = (recall_id % 3 == 0).then_some(4_000u64);
        recall_rows.push(vec![
            recall_id.into(),
            m.id.into(),
            Val::Text(serial_to.map(|_| format!("{:017}", 1))),
            Val::Text(serial_to.map(|to| format!("{to:017}"))),
            format!("RC-{}-{:04}", issued_on.year(), recall_id).into(),
            issued_on.to_string().into(),
            pick(rng, Hazard::VARIANTS).name().into(),
            pick(rng, Remedy::VARIANTS).name().into(),
            Val::Text(None),
        ]);
        m.recall = Some(RecallCover {
            id: recall_id,
            issued_on,
            serial_to,
        });
    }
    recall_rows.flush(tx, backend).await?;

    Ok((
        Orgs {
            regulator,
            operators,
            service,
            recyclers,
            venues,
        },
        models,
    ))
}

fn title_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The parts of a robot's life the first demo registries did not tell: a leasing company that
/// owns it and leases it to its operator, condition readings with its inspections, part
/// numbers and serials of replaced parts.
struct Story {
    operator: i64,
    inspector: i64,
    deployed_at: Option<Date>,
    today: Date,
}

/// Actuators whose wear the demo's service providers read.
const JOINTS: [&str; 6] = [
    "left_knee",
    "right_knee",
    "left_hip",
    "right_hip",
    "left_shoulder",
    "right_shoulder",
];

impl Story {
    /// Entries to add to `events` (which may be changed: a sale to a leasing company), each
    /// with its date.
    fn tell(
        &self,
        rng: &mut ChaCha8Rng,
        pk: i64,
        events: &mut [(Date, Entry)],
        orgs: &Orgs,
    ) -> Vec<(Date, Entry)> {
        let mut added = Vec::new();
        let mk = |kind, filed_by, details| Entry {
            kind,
            occurred_at: String::new(),
            filed_by,
            details,
            corrects: None,
        };
        // About one deployed robot in eleven is owned by a leasing company (another operator)
        // and leased to the operator that deploys it, from the day it was sold.
        if self.deployed_at.is_some() && pk % 11 == 4 && orgs.operators.len() > 1 {
            let lessor = loop {
                let o = *orgs.operators.choose(rng).unwrap_or(&self.operator);
                if o != self.operator {
                    break o;
                }
            };
            if let Some((sold_on, sale)) =
                events.iter_mut().find(|(_, e)| e.kind == EntryKind::Sold)
            {
                sale.details = json!({ "to": lessor });
                added.push((
                    *sold_on,
                    mk(
                        EntryKind::LeaseStarted,
                        lessor,
                        json!({ "lessee": self.operator }),
                    ),
                ));
            }
        }
        // A condition reading with every other inspection, and with the latest.
        let since = self.deployed_at.unwrap_or(self.today);
        let wear: Vec<f64> = JOINTS.iter().map(|_| rng.random_range(0.6..1.4)).collect();
        let inspections: Vec<Date> = events
            .iter()
            .filter(|(_, e)| e.kind == EntryKind::Inspected && e.filed_by == self.inspector)
            .map(|(d, _)| *d)
            .collect();
        for (k, on) in inspections.iter().enumerate() {
            if k % 2 == 0 && k + 1 != inspections.len() {
                continue;
            }
            let months = ((*on - since).whole_days().max(0) as f64) / 30.4;
            let soh = (100.0 - 0.42 * months - rng.random_range(0.0..2.0)).clamp(55.0, 100.0);
            let joints: serde_json::Map<String, serde_json::Value> = JOINTS
                .iter()
                .zip(&wear)
                .map(|(j, w)| {
                    let pct = (0.55 * months * w + rng.random_range(0.0..1.5)).clamp(0.0, 100.0);
                    (j.to_string(), json!((pct * 10.0).round() / 10.0))
                })
                .collect();
            added.push((
                *on,
                mk(
                    EntryKind::ConditionReading,
                    self.inspector,
                    json!({
                        "battery_soh": (soh * 10.0).round() / 10.0,
                        "battery_cycles": (months * 22.0) as i64 + rng.random_range(0..15),
                        "hours": (months * 290.0) as i64 + rng.random_range(0..120),
                        "joints": joints,
                    }),
                ),
            ));
        }
        added
    }
}

/// A replaced part's number and serial, for a part the first demo registries named only.
fn part_numbers(rng: &mut ChaCha8Rng, details: &mut serde_json::Value) {
    let prefix = match details.get("part").and_then(|p| p.as_str()) {
        Some("battery") => "BT",
        Some("actuator") => "AC",
        Some("camera") => "CM",
        Some("lidar") => "LD",
        Some("hand") => "HD",
        _ => "PT",
    };
    details["part_number"] = json!(format!(
        "{prefix}-{:04}-{}",
        rng.random_range(1000..9999),
        rng.random_range(1..9)
    ));
    details["serial"] = json!(format!(
        "{prefix}{:010}",
        rng.random_range(0..10_000_000_000u64)
    ));
}

/// Rows for one chunk of robots, written together.
struct RobotWriter {
    robots: Batch,
    entries: Batch,
    inspections: Batch,
    roles: Batch,
    notices: Batch,
    remedies: Batch,
    engagements: Batch,
}

impl RobotWriter {
    fn new() -> RobotWriter {
        RobotWriter {
            robots: Batch::new(
                "robots",
                &[
                    &[
                        "id",
                        "robot_id",
                        "model_id",
                        "serial",
                        "production_year",
                        "country",
                    ][..],
                    PROJECTION_COLUMNS,
                ]
                .concat(),
            ),
            entries: entry_batch(),
            inspections: Batch::new(
                "inspections",
                &[
                    "id",
                    "robot_id",
                    "entry_seq",
                    "inspected_on",
                    "body_id",
                    "result",
                    "next_due",
                ],
            ),
            roles: Batch::new(
                "permitted_roles",
                &[
                    "robot_id",
                    "approved",
                    "not_approved",
                    "indoor_only",
                    "supervised",
                    "max_speed_cms",
                    "hours",
                ],
            ),
            notices: Batch::new(
                "data_notices",
                &[
                    "robot_id",
                    "sensors",
                    "purpose",
                    "retention_days",
                    "storage",
                    "controller_id",
                    "rights_contact",
                ],
            ),
            remedies: Batch::new("recall_remedies", &["recall_id", "robot_id", "remedied_on"]),
            engagements: Batch::new(
                "engagements",
                &["robot_id", "org_id", "engaged_by", "started_at", "ended_at"],
            ),
        }
    }

    async fn flush(
        &mut self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        backend: Backend,
    ) -> Result<(), sqlx::Error> {
        self.robots.flush(tx, backend).await?;
        self.entries.flush(tx, backend).await?;
        self.inspections.flush(tx, backend).await?;
        self.roles.flush(tx, backend).await?;
        self.notices.flush(tx, backend).await?;
        self.remedies.flush(tx, backend).await?;
        self.engagements.flush(tx, backend).await?;
        Ok(())
    }

    /// Invent one robot's life for `fate`, fold its record, queue its rows; returns the status
    /// derived from what was written.
    #[allow(clippy::too_many_arguments)]
    fn robot(
        &mut self,
        rng: &mut ChaCha8Rng,
        pk: i64,
        fate: Fate,
        models: &mut [Model],
        orgs: &Orgs,
        today: Date,
        entry_id: &mut i64,
    ) -> Status {
        // An open recall needs a model whose recall covers the next serial.
        let mi = loop {
            let i = rng.random_range(0..models.len());
            let m = &models[i];
            let covered = m.recall.as_ref().is_some_and(|r| r.covers(m.next_serial));
            if fate != Fate::RecallOpen || covered {
                break i;
            }
        };
        let model = &mut models[mi];
        let serial_no = model.next_serial;
        model.next_serial += 1;
        let serial = format!("{serial_no:017}");
        let id = match RobotId::from_parts("CN", &model.mfr_code, &model.code, &serial) {
            Ok(id) => id,
            Err(e) => unreachable!("generated IDs are well-formed: {e}"),
        };
        let period: i64 = if rng.random_bool(0.5) { 180 } else { 365 };
        let age_days: i64 = match fate {
            Fate::Overdue | Fate::Scrapped => rng.random_range(period + 400..1900),
            _ => rng.random_range(90..1800),
        };
        let produced = today - Duration::days(age_days);
        let mut events: Vec<(Date, Entry)> = Vec::new();
        let mk = |kind, filed_by, details| Entry {
            kind,
            occurred_at: String::new(),
            filed_by,
            details,
            corrects: None,
        };
        let factory_city = *CITIES.choose(rng).unwrap_or(&CITIES[0]);
        events.push((
            produced,
            mk(
                EntryKind::Produced,
                model.mfr_org,
                json!({ "factory": factory_city }),
            ),
        ));
        events.push((
            produced + Duration::days(rng.random_range(1..10)),
            mk(EntryKind::Registered, model.mfr_org, json!({})),
        ));

        let deploys = match fate {
            Fate::NotDeployed => rng.random_bool(0.5),
            Fate::RecallOpen => rng.random_bool(0.7),
            _ => true,
        };
        let operator = *orgs.operators.choose(rng).unwrap_or(&orgs.operators[0]);
        let sold_on = produced + Duration::days(rng.random_range(12..40));
        let inspector = *orgs.service.choose(rng).unwrap_or(&orgs.service[0]);
        let mut deployed_at = None;
        let suspend_on = today - Duration::days(rng.random_range(5..25));
        let mut stop_on = today;
        if deploys || rng.random_bool(0.5) {
            events.push((
                sold_on,
                mk(EntryKind::Sold, model.mfr_org, json!({ "to": operator })),
            ));
        }
        if deploys {
            let deploy_on = sold_on + Duration::days(rng.random_range(3..20));
            let venue = *orgs.venues.choose(rng).unwrap_or(&orgs.venues[0]);
            events.push((
                deploy_on,
                mk(EntryKind::Deployed, operator, json!({ "venue": venue })),
            ));
            deployed_at = Some(deploy_on);
            // Inspections run from deployment until the robot leaves service, is suspended,
            // or (for the overdue ones) stopped being inspected.
            let stop = match fate {
                Fate::Overdue => today - Duration::days(period + rng.random_range(10..150)),
                Fate::Scrapped | Fate::NotDeployed => {
                    today - Duration::days(rng.random_range(40..age_days.clamp(41, 300)))
                }
                Fate::Suspended => suspend_on,
                _ => today - Duration::days(1),
            };
            let mut dates = Vec::new();
            let mut d = deploy_on + Duration::days(rng.random_range(2..10));
            while d <= stop {
                dates.push(d);
                d += Duration::days(period);
            }
            // A robot in service is inspected in time: add an early re-inspection when the
            // regular one would fall due within two weeks.
            if matches!(fate, Fate::InService | Fate::RecallOpen) {
                let due = dates.last().map(|l| *l + Duration::days(period));
                if due.is_none_or(|due| due < today + Duration::days(14)) {
                    dates.push(
                        (today - Duration::days(rng.random_range(1..14)))
                            .max(deploy_on + Duration::days(1)),
                    );
                }
            }
            stop_on = stop;
            for (k, date) in dates.iter().enumerate() {
                let latest = k + 1 == dates.len();
                let result = match rng.random_range(0..100) {
                    0..88 => "pass",
                    88..98 => "pass_with_remarks",
                    _ if !latest => "fail",
                    _ => "pass_with_remarks",
                };
                let due = *date + Duration::days(period);
                events.push((
                    *date,
                    mk(
                        EntryKind::Inspected,
                        inspector,
                        json!({ "result": result, "next_due": due.to_string(), "body": inspector }),
                    ),
                ));
            }
            // Service history between deployment and today.
            let span = (stop_on - deploy_on).whole_days().max(1);
            for _ in 0..rng.random_range(0..4) {
                let on = deploy_on + Duration::days(rng.random_range(1..=span));
                let entry = match rng.random_range(0..3) {
                    0 => mk(
                        EntryKind::Maintained,
                        inspector,
                        json!({ "work": "scheduled_service" }),
                    ),
                    1 => mk(
                        EntryKind::FirmwareUpdated,
                        model.mfr_org,
                        json!({ "version": format!("{}.{}.{}", rng.random_range(1..4), rng.random_range(0..10), rng.random_range(0..20)) }),
                    ),
                    _ => mk(
                        EntryKind::PartReplaced,
                        inspector,
                        json!({ "part": pick(rng, &SEEDED_PARTS).name() }),
                    ),
                };
                events.push((on, entry));
            }
        }
        // Recalls: covered robots are remedied unless this one is meant to show the open recall.
        if let Some(recall) = model.recall.clone().filter(|r| r.covers(serial_no)) {
            if fate != Fate::RecallOpen {
                let on = (recall.issued_on.max(produced) + Duration::days(rng.random_range(5..60)))
                    .min(today - Duration::days(1));
                events.push((
                    on,
                    mk(
                        EntryKind::RecallRemedied,
                        inspector,
                        json!({ "recall": recall.id }),
                    ),
                ));
                self.remedies
                    .push(vec![recall.id.into(), pk.into(), on.to_string().into()]);
            }
        }
        // Fate-specific endings.
        match fate {
            Fate::Suspended => {
                let on = suspend_on;
                let category = pick(rng, &SEEDED_INCIDENTS).name();
                events.push((
                    on - Duration::days(2),
                    mk(
                        EntryKind::IncidentReported,
                        operator,
                        json!({ "category": category, "severity": "serious" }),
                    ),
                ));
                events.push((
                    on,
                    mk(
                        EntryKind::Suspended,
                        orgs.regulator,
                        json!({ "reason": "incident_under_investigation" }),
                    ),
                ));
            }
            Fate::Scrapped => {
                let withdrawn = (stop_on + Duration::days(rng.random_range(5..20)))
                    .min(today - Duration::days(20))
                    .max(deployed_at.unwrap_or(sold_on) + Duration::days(1));
                let recycler = *orgs.recyclers.choose(rng).unwrap_or(&orgs.recyclers[0]);
                if deployed_at.is_some() {
                    events.push((withdrawn, mk(EntryKind::Withdrawn, operator, json!({}))));
                }
                events.push((
                    withdrawn + Duration::days(7),
                    mk(EntryKind::Scrapped, recycler, json!({})),
                ));
                events.push((
                    withdrawn + Duration::days(9),
                    mk(
                        EntryKind::DataWiped,
                        recycler,
                        json!({ "method": "secure_erase" }),
                    ),
                ));
                if rng.random_bool(0.5) {
                    events.push((
                        withdrawn + Duration::days(12),
                        mk(EntryKind::Recycled, recycler, json!({})),
                    ));
                }
            }
            Fate::NotDeployed if deployed_at.is_some() => {
                let on = (stop_on + Duration::days(rng.random_range(5..30)))
                    .min(today - Duration::days(1))
                    .max(deployed_at.unwrap_or(sold_on) + Duration::days(1));
                events.push((on, mk(EntryKind::Withdrawn, operator, json!({}))));
            }
            Fate::InService if rng.random_bool(0.04) => {
                let on = today - Duration::days(rng.random_range(10..200));
                let category = pick(rng, &SEEDED_INCIDENTS).name();
                events.push((
                    on,
                    mk(
                        EntryKind::IncidentReported,
                        operator,
                        json!({ "category": category, "severity": "minor" }),
                    ),
                ));
                // Once drawn for a summary table that is gone; still drawn, so that the demo
                // registry stays the same robot for robot.
                let _ = rng.random_bool(0.5);
            }
            _ => {}
        }
        // Dates were drawn per kind of event; the record is in time order.
        events.sort_by_key(|(d, _)| *d);
        // What later issues added to a robot's life (leases, condition readings, part numbers)
        // is drawn from a generator of its own, so that everything drawn before stays the same
        // robot for robot.
        let mut more =
            ChaCha8Rng::seed_from_u64(SEED ^ (pk as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let story = Story {
            operator,
            inspector,
            deployed_at,
            today,
        };
        let extra = story.tell(&mut more, pk, &mut events, orgs);
        let mut record: Vec<(Date, Entry, bool)> = events
            .into_iter()
            .map(|(d, e)| (d, e, false))
            .chain(extra.into_iter().map(|(d, e)| (d, e, true)))
            .collect();
        // Stable: the first-drawn events keep their order, the added ones follow on their day.
        record.sort_by_key(|(d, _, added)| (*d, *added));
        let mut projection = Projection::default();
        // Who served the robot, engaged from their first filing: (organisation, since).
        let mut engaged: Vec<(i64, String)> = Vec::new();
        let mut scrapped_at = None;
        let mut last_at = String::new();
        for (date, mut entry, added) in record {
            entry.occurred_at = if added {
                ts(date, &mut more).max(last_at.clone())
            } else {
                ts(date, rng)
            };
            last_at.clone_from(&entry.occurred_at);
            if entry.kind == EntryKind::PartReplaced && entry.details.get("part_number").is_none() {
                part_numbers(&mut more, &mut entry.details);
            }
            // The one writer of the record: the same fold and chain as every filing.
            let stored = append(&mut projection, &id, &entry);
            self.entries.push(entry_values(pk, &stored));
            let serves = matches!(
                entry.kind,
                EntryKind::Inspected
                    | EntryKind::Maintained
                    | EntryKind::PartReplaced
                    | EntryKind::RecallRemedied
                    | EntryKind::Scrapped
            );
            if serves
                && entry.filed_by != model.mfr_org
                && !engaged.iter().any(|(org, _)| *org == entry.filed_by)
            {
                engaged.push((entry.filed_by, entry.occurred_at.clone()));
            }
            if entry.kind == EntryKind::Scrapped {
                scrapped_at = Some((entry.filed_by, entry.occurred_at.clone()));
            }
            *entry_id += 1;
            let seq = stored.seq;
            if entry.kind == EntryKind::Inspected {
                let d = &entry.details;
                self.inspections.push(vec![
                    (*entry_id).into(),
                    pk.into(),
                    seq.into(),
                    date.to_string().into(),
                    inspector.into(),
                    d["result"].as_str().unwrap_or("pass").into(),
                    d["next_due"].as_str().unwrap_or_default().into(),
                ]);
            }
        }
        // Scrapping ends every engagement but the recycler's.
        let engaged_by = projection.owner_id.unwrap_or(model.mfr_org);
        for (org, since) in engaged {
            let ended = match &scrapped_at {
                Some((recycler, at)) if *recycler != org => Some(at.clone()),
                _ => None,
            };
            self.engagements.push(vec![
                pk.into(),
                org.into(),
                engaged_by.into(),
                since.into(),
                ended.into(),
            ]);
        }
        if projection.operator_id.is_some() {
            let n = rng.random_range(1..3);
            let mut approved: Vec<Role> =
                Role::APPROVABLE.choose_multiple(rng, n).copied().collect();
            let typed = match model.robot_type {
                RobotType::Reception => Role::Reception,
                RobotType::Guide => Role::Guidance,
                RobotType::Delivery => Role::Delivery,
                RobotType::Cleaning => Role::Cleaning,
                RobotType::SecurityPatrol => Role::SecurityPatrol,
                RobotType::Education => Role::Education,
                _ => Role::Promotion,
            };
            if !approved.contains(&typed) {
                approved.insert(0, typed);
            }
            let n = rng.random_range(1..4);
            let not_approved: Vec<Role> =
                Role::RESTRICTED.choose_multiple(rng, n).copied().collect();
            let indoor = rng.random_bool(0.8);
            self.roles.push(vec![
                pk.into(),
                names(&approved).into(),
                names(&not_approved).into(),
                i64::from(indoor).into(),
                i64::from(rng.random_bool(0.6)).into(),
                // Permitted speed here never exceeds what the model can do.
                Val::Int(Some(rng.random_range(40..=model.max_speed_cms))),
                Val::Text(rng.random_bool(0.7).then(|| {
                    format!(
                        "{:02}:00-{:02}:00",
                        rng.random_range(7..11),
                        rng.random_range(18..23)
                    )
                })),
            ]);
            let mut sensors: Vec<Sensor> = vec![Sensor::Video, Sensor::Location];
            let n = rng.random_range(0..3);
            sensors.extend(Sensor::VARIANTS[2..].choose_multiple(rng, n).copied());
            if rng.random_bool(0.6) {
                sensors.insert(1, Sensor::Audio);
            }
            self.notices.push(vec![
                pk.into(),
                names(&sensors).into(),
                pick(rng, Purpose::VARIANTS).name().into(),
                [7i64, 30, 90, 180]
                    .choose(rng)
                    .copied()
                    .unwrap_or(30)
                    .into(),
                pick(rng, Storage::VARIANTS).name().into(),
                projection.operator_id.into(),
                format!(
                    "privacy@operator{}.example",
                    projection.operator_id.unwrap_or_default()
                )
                .into(),
            ]);
        }
        let mut row: Vec<Val> = vec![
            pk.into(),
            id.as_str().into(),
            model.id.into(),
            serial.into(),
            (produced.year() as i64).into(),
            "CN".into(),
        ];
        row.extend(projection_values(&projection));
        self.robots.push(row);
        let open = usize::from(fate == Fate::RecallOpen);
        let status = Status::derive(
            &StatusFacts {
                lifecycle: projection.lifecycle,
                open_recalls: open,
                next_inspection_due: projection.next_inspection_due.as_deref(),
            },
            &today.to_string(),
        );
        debug_assert!(projection.lifecycle != Lifecycle::Scrapped || fate == Fate::Scrapped);
        status
    }
}
