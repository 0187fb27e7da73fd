//! Filing the lifecycle record over the API, on SQLite and PostgreSQL: each party files what is
//! its own and is refused (403, said why, and kept) what is not; the record's rules (409); the
//! derived status and public profile after each kind of entry; a correction; a recall remedied
//! per unit; engagements; an organisation's API tokens, which stop at once when revoked; and
//! sixteen filings at once on one robot, which leave one unbroken chain.

mod helpers;

use helpers::{api, demo, demo_sessions, sign_in, Auth, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;

const ROLES: [&str; 8] = [
    "citizen",
    "buyer",
    "operator",
    "owner",
    "manufacturer",
    "service_provider",
    "recycler",
    "regulator",
];

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

fn in_days(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

/// What a step expects: the entry filed, or refused with this status and code.
#[derive(Clone, Copy, Debug)]
enum Then {
    Filed,
    No(u16, &'static str),
}
use Then::{Filed, No};

/// One robot and the demo accounts' sessions, to file on it.
struct Desk<'a> {
    app: &'a TestApp,
    robot: String,
    sessions: HashMap<String, String>,
}

impl Desk<'_> {
    fn auth<'s>(&'s self, who: &'s str) -> Auth<'s> {
        match who {
            "nobody" => Auth::Nobody,
            token if token.starts_with("rpt_") => Auth::Bearer(token),
            role => Auth::Session(&self.sessions[role]),
        }
    }

    /// Call any API address as `who`.
    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        who: &str,
    ) -> (u16, Value) {
        api(self.app, method, path, body, self.auth(who)).await
    }

    async fn send(&self, who: &str, body: Value) -> (u16, Value) {
        let path = format!("/api/v1/robots/{}/entries", self.robot);
        api(self.app, Method::POST, &path, Some(body), self.auth(who)).await
    }

    /// File `kind` now as `who` (a role, a token, or `nobody`) and check the answer.
    async fn step(&self, who: &str, kind: &str, details: Value, then: Then) -> Value {
        let body = json!({ "kind": kind, "occurred_at": now(), "details": details });
        let (status, answer) = self.send(who, body).await;
        match then {
            Filed => {
                assert_eq!(status, 201, "{who} {kind} {details}: {answer}");
                assert_eq!(answer["kind"], kind);
            }
            No(want, code) => {
                let got = (status, answer["error"]["code"].as_str());
                assert_eq!(got, (want, Some(code)), "{who} {kind} {details}: {answer}");
                let message = answer["error"]["message"].as_str().unwrap_or_default();
                assert!(message.len() > 10, "a message says why: {answer}");
            }
        }
        answer
    }

    async fn steps(&self, steps: &[(&str, &str, Value, Then)]) {
        for (who, kind, details, then) in steps {
            self.step(who, kind, details.clone(), *then).await;
        }
    }

    async fn profile(&self) -> Value {
        self.app
            .get_json(&format!("/api/v1/robots/{}", self.robot))
            .await
    }

    async fn status(&self) -> String {
        self.profile().await["status"].as_str().unwrap().to_string()
    }

    /// Lifecycle, owner, operator and lessee, as the robot's row projects them.
    async fn projection(&self) -> (String, Option<i64>, Option<i64>, Option<i64>) {
        sqlx::query_as(
            "SELECT lifecycle, owner_id, operator_id, lessee_id FROM robots WHERE robot_id = $1",
        )
        .bind(&self.robot)
        .fetch_one(&self.app.pool)
        .await
        .unwrap()
    }

    async fn chain_is_whole(&self) {
        let id = domain::RobotId::parse(&self.robot).unwrap();
        let database = self.app.registry.database();
        let broken = registry::record::check(database, Some(&id), &|_| {})
            .await
            .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
    }
}

/// The demo robot: the first deployed one, which the demo operator, owner, manufacturer and
/// service provider answer for.
async fn deployed_robot(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT robot_id FROM robots WHERE operator_id IS NOT NULL AND venue_id IS NOT NULL
         ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn org_of(app: &TestApp, role: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT m.org_id FROM memberships m JOIN people p ON p.id = m.person_id
         WHERE p.email_key = $1 AND m.role = $2",
    )
    .bind(demo(role).0)
    .bind(role)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn filing(app: &TestApp) {
    let robot = deployed_robot(app).await;
    let desk = Desk {
        app,
        robot: robot.clone(),
        sessions: demo_sessions(app, &ROLES).await,
    };
    let operator_org = org_of(app, "operator").await;
    let venue: i64 = sqlx::query_scalar("SELECT id FROM venues ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let lessee: i64 = sqlx::query_scalar(
        "SELECT id FROM organisations WHERE kind = 'operator' AND id <> $1 ORDER BY id LIMIT 1",
    )
    .bind(operator_org)
    .fetch_one(&app.pool)
    .await
    .unwrap();

    // Who is asking, and what they sent.
    desk.step(
        "nobody",
        "maintained",
        json!({"work": "x"}),
        No(401, "unauthenticated"),
    )
    .await;
    let (status, body) = desk.send("service_provider", json!("not an entry")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_details"))
    );
    let later = format!("{}T09:00:00Z", in_days(2));
    let body = json!({"kind": "maintained", "occurred_at": later, "details": {"work": "x"}});
    let (status, body) = desk.send("service_provider", body).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_time"))
    );
    desk.step(
        "service_provider",
        "teleported",
        json!({}),
        No(400, "unknown_kind"),
    )
    .await;
    let elsewhere = Desk {
        robot: app.unregistered_neighbour(&robot),
        sessions: desk.sessions.clone(),
        app,
    };
    let reason = json!({"reason": "x"});
    elsewhere
        .step(
            "regulator",
            "suspended",
            reason.clone(),
            No(404, "not_registered"),
        )
        .await;

    if desk.projection().await.0 == "suspended" {
        desk.step(
            "regulator",
            "reinstated",
            json!({"reason": "cleared"}),
            Filed,
        )
        .await;
    }

    // A service provider engaged on the robot inspects it: the public profile shows it at once.
    let due = in_days(180);
    let inspected =
        json!({"result": "pass_with_remarks", "next_due": due, "remarks": "grip re-calibrated"});
    let inspection = desk
        .step("service_provider", "inspected", inspected, Filed)
        .await;
    let p = desk.profile().await;
    assert_eq!(p["last_inspection"]["date"], now()[..10]);
    assert_eq!(p["last_inspection"]["next_due"], due);
    assert_eq!(p["last_inspection"]["result"], "pass_with_remarks");
    assert_eq!(p["status"], "in_service");
    let pass = json!({"result": "pass", "next_due": due});
    let battery = json!({"part": "battery", "part_number": "BT-48V-20AH", "serial": "B2026-1188"});
    let reading = json!({"battery_soh": 97.5, "battery_cycles": 12, "hours": 5120,
        "joints": {"left_knee": 18, "right_knee": 21.5}});
    desk.steps(&[
        (
            "operator",
            "inspected",
            pass.clone(),
            No(403, "not_engaged"),
        ),
        (
            "manufacturer",
            "inspected",
            pass.clone(),
            No(403, "not_engaged"),
        ),
        (
            "recycler",
            "inspected",
            pass.clone(),
            No(403, "not_engaged"),
        ),
        (
            "buyer",
            "inspected",
            pass.clone(),
            No(403, "no_filing_role"),
        ),
        (
            "citizen",
            "inspected",
            pass.clone(),
            No(403, "no_filing_role"),
        ),
        (
            "service_provider",
            "inspected",
            json!({"result": "ok", "next_due": due}),
            No(400, "bad_result"),
        ),
        ("service_provider", "part_replaced", battery, Filed),
        (
            "service_provider",
            "part_replaced",
            json!({"part": "engine", "part_number": "X"}),
            No(400, "bad_part"),
        ),
        ("service_provider", "condition_reading", reading, Filed),
        (
            "service_provider",
            "condition_reading",
            json!({"battery_soh": 140}),
            No(400, "bad_reading"),
        ),
        (
            "service_provider",
            "maintained",
            json!({"work": "  "}),
            No(400, "missing_work"),
        ),
    ])
    .await;

    // The operator withdraws and deploys; the rules refuse a second withdrawal.
    desk.step("operator", "withdrawn", json!({"reason": "refit"}), Filed)
        .await;
    assert_eq!(desk.status().await, "not_deployed");
    desk.steps(&[
        ("operator", "withdrawn", json!({}), No(409, "not_deployed")),
        (
            "operator",
            "deployed",
            json!({"venue": 999_999}),
            No(400, "bad_venue"),
        ),
        (
            "owner",
            "deployed",
            json!({"venue": venue}),
            No(403, "not_operator"),
        ),
        ("operator", "deployed", json!({"venue": venue}), Filed),
    ])
    .await;
    assert_eq!(desk.status().await, "in_service");

    // The operator keeps the profile's permitted role true; the profile shows it at once.
    let role = json!({"approved": ["reception", "guidance"], "not_approved": ["child_supervision"],
        "supervised": true, "max_speed_cms": 100, "hours": "10:00-22:00"});
    desk.steps(&[
        ("operator", "profile_updated", role, Filed),
        (
            "operator",
            "profile_updated",
            json!({"approved": ["juggling"]}),
            No(400, "bad_details"),
        ),
        (
            "service_provider",
            "profile_updated",
            json!({"supervised": false}),
            No(403, "not_operator"),
        ),
    ])
    .await;
    let role = &desk.profile().await["permitted_role"];
    assert_eq!(role["approved"], json!(["reception", "guidance"]));
    assert_eq!(role["not_approved"], json!(["child_supervision"]));
    assert_eq!(role["limits"]["supervised"], true);
    assert_eq!(role["limits"]["max_speed_kmh"], 3.6);
    assert_eq!(role["limits"]["hours"], "10:00-22:00");
    // And the data notice: what it records, why, how long, where, whom to ask.
    let notice = json!({"sensors": ["video", "lidar"], "purpose": "security",
        "retention_days": 14, "storage": "on_device", "rights_contact": "dpo@operator.example"});
    desk.steps(&[
        ("operator", "profile_updated", notice, Filed),
        (
            "operator",
            "profile_updated",
            json!({"retention_days": 9_999}),
            No(400, "bad_details"),
        ),
        (
            "operator",
            "profile_updated",
            json!({}),
            No(400, "nothing_to_update"),
        ),
        (
            "operator",
            "profile_updated",
            json!({"retention_days": 7}),
            Filed,
        ),
    ])
    .await;
    let shown = &desk.profile().await["data_notice"];
    assert_eq!(shown["sensors"], json!(["video", "lidar"]));
    assert_eq!(
        (shown["purpose"].as_str(), shown["retention_days"].as_i64()),
        (Some("security"), Some(7))
    );
    assert_eq!(shown["rights_contact"], "dpo@operator.example");
    // A robot without a notice gets one only whole.
    sqlx::query(
        "DELETE FROM data_notices WHERE robot_id = (SELECT id FROM robots WHERE robot_id = $1)",
    )
    .bind(&desk.robot)
    .execute(&desk.app.pool)
    .await
    .unwrap();
    let whole = json!({"sensors": ["audio"], "purpose": "service_quality",
        "retention_days": 30, "storage": "operator_cloud_cn", "rights_contact": "privacy@op.example"});
    desk.steps(&[
        (
            "operator",
            "profile_updated",
            json!({"purpose": "security"}),
            No(400, "notice_incomplete"),
        ),
        ("operator", "profile_updated", whole, Filed),
    ])
    .await;
    assert_eq!(
        desk.profile().await["data_notice"]["sensors"],
        json!(["audio"])
    );

    // A regulator suspends, with a reason, and reinstates; no one else may.
    let investigation = json!({"reason": "incident under investigation"});
    desk.steps(&[
        (
            "regulator",
            "suspended",
            json!({}),
            No(400, "reason_needed"),
        ),
        (
            "operator",
            "suspended",
            reason.clone(),
            No(403, "not_regulator"),
        ),
        ("regulator", "suspended", investigation, Filed),
    ])
    .await;
    assert_eq!(desk.status().await, "suspended");
    desk.steps(&[
        (
            "regulator",
            "suspended",
            reason.clone(),
            No(409, "already_suspended"),
        ),
        (
            "operator",
            "deployed",
            json!({"venue": venue}),
            No(409, "robot_suspended"),
        ),
        (
            "regulator",
            "reinstated",
            json!({"reason": "investigation closed"}),
            Filed,
        ),
    ])
    .await;
    assert_eq!(desk.status().await, "in_service");
    desk.step(
        "regulator",
        "reinstated",
        reason.clone(),
        No(409, "not_suspended"),
    )
    .await;

    // The owner leases the robot out: the lessee operates it until the lease ends.
    let lease = json!({"lessee": lessee, "until": in_days(90)});
    desk.steps(&[
        (
            "operator",
            "lease_started",
            lease.clone(),
            No(403, "not_owner"),
        ),
        ("owner", "lease_ended", json!({}), No(409, "no_lease")),
        (
            "owner",
            "lease_started",
            json!({"lessee": 999_999}),
            No(400, "bad_party"),
        ),
        ("owner", "lease_started", lease.clone(), Filed),
    ])
    .await;
    let (lifecycle, owner, operator, lessee_now) = desk.projection().await;
    assert_eq!(
        (lifecycle.as_str(), operator, lessee_now),
        ("not_deployed", Some(lessee), Some(lessee))
    );
    assert_eq!(
        owner,
        Some(operator_org),
        "the seed sells every robot to its operator"
    );
    desk.steps(&[
        (
            "operator",
            "deployed",
            json!({"venue": venue}),
            No(403, "not_operator"),
        ),
        ("owner", "lease_started", lease, No(409, "lease_active")),
        ("owner", "lease_ended", json!({}), Filed),
    ])
    .await;
    assert_eq!(desk.projection().await.2, Some(operator_org));
    desk.step("operator", "deployed", json!({"venue": venue}), Filed)
        .await;

    // A correction: by the party that filed the entry (or a regulator), never by another.
    let seq = inspection["seq"].as_i64().unwrap();
    let fixed_due = in_days(120);
    let correction = json!({"corrects": seq, "reason": "next due date mistyped",
        "details": {"result": "pass_with_remarks", "next_due": fixed_due}});
    let nothing = json!({"corrects": 999, "reason": "x", "details": {}});
    let wrong = json!({"corrects": seq, "reason": "x", "details": {"result": "maybe", "next_due": fixed_due}});
    desk.steps(&[
        (
            "operator",
            "correction",
            correction.clone(),
            No(403, "not_filer"),
        ),
        (
            "service_provider",
            "correction",
            nothing,
            No(400, "bad_correction"),
        ),
        (
            "service_provider",
            "correction",
            wrong,
            No(400, "bad_result"),
        ),
    ])
    .await;
    let c = desk
        .step("service_provider", "correction", correction, Filed)
        .await;
    assert_eq!(c["corrects"], seq);
    let p = desk.profile().await;
    assert_eq!(
        p["last_inspection"]["next_due"], fixed_due,
        "the profile shows the corrected value"
    );
    let due_now: Option<String> =
        sqlx::query_scalar("SELECT next_inspection_due FROM robots WHERE robot_id = $1")
            .bind(&robot)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        due_now,
        Some(fixed_due),
        "the status reads the corrected date"
    );

    // The manufacturer updates firmware; it does not sell what someone else owns.
    let firmware = json!({"version": "3.2.0", "ai_model": "nav-7b-2026.11"});
    desk.steps(&[
        ("manufacturer", "firmware_updated", firmware, Filed),
        (
            "manufacturer",
            "firmware_updated",
            json!({"version": "3.2.0; rm -rf"}),
            No(400, "bad_version"),
        ),
        (
            "manufacturer",
            "sold",
            json!({"to": lessee}),
            No(403, "not_owner"),
        ),
        (
            "manufacturer",
            "registered",
            json!({}),
            No(409, "already_registered"),
        ),
        (
            "regulator",
            "incident_confirmed",
            json!({"category": "fall", "severity": "minor"}),
            No(409, "confirm_through_report"),
        ),
    ])
    .await;

    api_tokens(&desk).await;
    recall_remedied_per_unit(app).await;
    at_once(&desk).await;

    // Scrapped: nothing may bring it back or sell it on.
    let recycler = org_of(app, "recycler").await;
    desk.step("recycler", "scrapped", json!({}), No(403, "not_engaged"))
        .await;
    let engagements = format!("/api/v1/robots/{robot}/engagements");
    let engage = |who| {
        api(
            app,
            Method::POST,
            &engagements,
            Some(json!({"org": recycler})),
            who,
        )
    };
    let (status, body) = engage(desk.auth("buyer")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("not_owner"))
    );
    assert_eq!(engage(desk.auth("owner")).await.0, 201);
    assert_eq!(engage(desk.auth("owner")).await.0, 200, "engaged already");
    let scrap = json!({"reason": "frame cracked beyond repair"});
    let wipe = json!({"method": "secure_erase", "certificate": "DW-2026-0042"});
    desk.steps(&[
        ("recycler", "recycled", json!({}), No(409, "not_scrapped")),
        ("recycler", "scrapped", scrap, Filed),
        (
            "service_provider",
            "maintained",
            json!({"work": "x"}),
            No(403, "not_engaged"),
        ),
        (
            "owner",
            "sold",
            json!({"to": lessee}),
            No(409, "robot_scrapped"),
        ),
        (
            "owner",
            "lease_started",
            json!({"lessee": lessee}),
            No(409, "robot_scrapped"),
        ),
        ("regulator", "reinstated", reason, No(409, "robot_scrapped")),
        ("recycler", "data_wiped", wipe, Filed),
        ("recycler", "recycled", json!({}), Filed),
    ])
    .await;
    assert_eq!(desk.status().await, "scrapped");

    // Every refusal on a registered robot is kept, with why.
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT problem FROM filing_refusals WHERE robot_id = $1")
            .bind(&robot)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    for problem in [
        "not_engaged",
        "no_filing_role",
        "not_regulator",
        "not_owner",
        "robot_scrapped",
        "not_filer",
    ] {
        assert!(
            kept.iter().any(|k| k == problem),
            "{problem} kept: {kept:?}"
        );
    }
    desk.chain_is_whole().await;
}

/// An organisation's API token files in its organisation's role and no other, cannot make
/// tokens, and stops at once when revoked.
async fn api_tokens(desk: &Desk<'_>) {
    let app = desk.app;
    let maker = org_of(app, "manufacturer").await;
    let tokens = format!("/api/v1/orgs/{maker}/tokens");
    let named = Some(json!({"name": "Firmware pipeline"}));

    let (status, body) = desk
        .call(
            Method::POST,
            &tokens,
            Some(json!({"name": ""})),
            "manufacturer",
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("bad_token_name"))
    );
    let (status, body) = desk
        .call(Method::POST, &tokens, named.clone(), "operator")
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("not_allowed"))
    );
    let (status, made) = desk
        .call(Method::POST, &tokens, named, "manufacturer")
        .await;
    assert_eq!(status, 201, "{made}");
    let token = made["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("rpt_") && token.len() > 40);
    assert_eq!(made["role"], "manufacturer");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE token_hash = $1")
        .bind(&token)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "only the token's hash is kept");
    let (status, list) = desk.call(Method::GET, &tokens, None, "manufacturer").await;
    assert_eq!(status, 200);
    assert_eq!(list["tokens"][0]["name"], "Firmware pipeline");
    assert!(
        !list.to_string().contains(&token),
        "the list never shows a token"
    );
    assert_eq!(
        desk.call(Method::GET, &tokens, None, "operator").await.0,
        403
    );

    let done = desk
        .step(
            &token,
            "firmware_updated",
            json!({"version": "3.2.1"}),
            Filed,
        )
        .await;
    assert_eq!(done["filed_by"], maker);
    desk.step(&token, "withdrawn", json!({}), No(403, "not_operator"))
        .await;
    let (status, _) = desk
        .call(Method::POST, &tokens, Some(json!({"name": "more"})), &token)
        .await;
    assert_eq!(status, 403, "a token makes no tokens");
    let guess = json!({"version": "1"});
    desk.step(
        "rpt_guessed",
        "firmware_updated",
        guess,
        No(401, "unauthenticated"),
    )
    .await;

    let revoke = format!("{tokens}/{}", made["id"]);
    assert_eq!(
        desk.call(Method::DELETE, &revoke, None, "operator").await.0,
        403
    );
    assert_eq!(
        desk.call(Method::DELETE, &revoke, None, "manufacturer")
            .await
            .0,
        200
    );
    let after = json!({"version": "3.2.2"});
    desk.step(
        &token,
        "firmware_updated",
        after,
        No(401, "unauthenticated"),
    )
    .await;
    assert_eq!(
        desk.call(Method::DELETE, &revoke, None, "manufacturer")
            .await
            .0,
        404
    );
}

/// A recall stays open on a unit until its remedy is filed for that unit, once.
async fn recall_remedied_per_unit(app: &TestApp) {
    let robot = app.id_for(domain::Status::RecallOpen);
    let (maker, recall): (i64, i64) = sqlx::query_as(
        "SELECT m.manufacturer_id, c.id FROM robots r JOIN models m ON m.id = r.model_id
         JOIN recalls c ON c.model_id = r.model_id AND c.closed_on IS NULL
         WHERE r.robot_id = $1 AND NOT EXISTS (SELECT 1 FROM recall_remedies x
             WHERE x.recall_id = c.id AND x.robot_id = r.id)
         ORDER BY c.id LIMIT 1",
    )
    .bind(&robot)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (email, password) = ("recalls@maker.example", "recall desk password 2026");
    let person = app.add_person(email, "Recall desk", password).await;
    sqlx::query(
        "INSERT INTO memberships (person_id, org_id, role) VALUES ($1, $2, 'manufacturer')",
    )
    .bind(person)
    .bind(maker)
    .execute(&app.pool)
    .await
    .unwrap();
    let desk = Desk {
        app,
        robot,
        sessions: HashMap::from([("maker".into(), sign_in(app, email, password).await)]),
    };
    assert_eq!(desk.status().await, "recall_open");
    desk.steps(&[
        (
            "maker",
            "recall_remedied",
            json!({"recall": 999_999}),
            No(400, "bad_recall"),
        ),
        ("maker", "recall_remedied", json!({"recall": recall}), Filed),
    ])
    .await;
    assert_ne!(
        desk.status().await,
        "recall_open",
        "the remedy closes it for this unit"
    );
    let again = json!({"recall": recall});
    desk.step(
        "maker",
        "recall_remedied",
        again,
        No(409, "already_remedied"),
    )
    .await;
    desk.chain_is_whole().await;
}

/// Sixteen filings for one robot at the same moment: all land, one after another, in one chain.
async fn at_once(desk: &Desk<'_>) {
    let before: i64 = sqlx::query_scalar("SELECT record_entries FROM robots WHERE robot_id = $1")
        .bind(&desk.robot)
        .fetch_one(&desk.app.pool)
        .await
        .unwrap();
    let filings = (0..16).map(|i| {
        let body = json!({"kind": "maintained", "occurred_at": now(),
            "details": {"work": format!("parallel job {i}")}});
        desk.send("service_provider", body)
    });
    let mut seqs: Vec<i64> = futures::future::join_all(filings)
        .await
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 201, "{body}");
            body["seq"].as_i64().unwrap()
        })
        .collect();
    seqs.sort();
    let expected: Vec<i64> = ((before + 1)..=(before + 16)).collect();
    assert_eq!(seqs, expected, "no entry lost, none forked");
    desk.chain_is_whole().await;
}

helpers::on_both!(filing);

/// The filing page, without JavaScript: a service provider sees the kinds it may file, files an
/// inspection through the plain form (mistakes come back beside their fields, values kept), and
/// the public profile's last inspection changes; what is not theirs is refused with why.
async fn filing_page(app: &TestApp) {
    let robot = deployed_robot(app).await;
    let sessions = demo_sessions(app, &["service_provider", "citizen", "regulator"]).await;
    let path = format!("/filing/{robot}");
    let page = |session: Option<&str>, query: &str| {
        let mut req = app
            .client
            .get(format!("{}{path}{query}", app.base))
            .header("accept-language", "en");
        if let Some(s) = session {
            req = req.header("cookie", format!("{}={s}", helpers::COOKIE));
        }
        req.send()
    };
    let post = |session: &str, form: Vec<(&str, String)>| {
        app.client
            .post(format!("{}{path}", app.base))
            .header(helpers::SAME_SITE.0, helpers::SAME_SITE.1)
            .header("accept-language", "en")
            .header("cookie", format!("{}={session}", helpers::COOKIE))
            .form(&form)
            .send()
    };
    let signed_out = page(None, "").await.unwrap();
    assert_eq!(signed_out.status(), 303);

    let provider = sessions["service_provider"].as_str();
    let html = page(Some(provider), "")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(&format!(r#"href="{path}?kind=inspected""#)),
        "inspections are its to file"
    );
    assert!(!html.contains("?kind=suspended"), "suspensions are not");
    let html = page(Some(provider), "?kind=inspected")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"name="next_due""#) && html.contains(r#"type="radio""#));

    let today = time::OffsetDateTime::now_utc().date();
    let due = (today + time::Duration::days(200)).to_string();
    let mut form = vec![
        ("kind", "inspected".to_string()),
        ("occurred_on", today.to_string()),
        ("next_due", due.clone()),
        (
            "remarks",
            "Brakes <b>checked</b> & </textarea><script>alert(1)</script>".to_string(),
        ),
    ];
    let wrong = post(provider, form.clone()).await.unwrap();
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("error-summary") && html.contains("Give the inspection"),
        "the result is missing"
    );
    assert!(html.contains(&due), "what was sent is kept");
    assert!(
        html.contains("Brakes &lt;b&gt;checked&lt;/b&gt; &amp; &lt;/textarea&gt;&lt;script&gt;")
            && !html.contains("<script>alert"),
        "and shown as text: {}",
        html.split("Brakes")
            .nth(1)
            .unwrap_or("(not there)")
            .chars()
            .take(60)
            .collect::<String>()
    );
    form.push(("result", "pass".to_string()));
    let done = post(provider, form).await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"].to_str().unwrap(),
        format!("{path}?done=inspected")
    );
    let profile = app.get_json(&format!("/api/v1/robots/{robot}")).await;
    assert_eq!(profile["last_inspection"]["next_due"], due);
    assert_eq!(profile["last_inspection"]["result"], "pass");

    let citizen = sessions["citizen"].as_str();
    let html = page(Some(citizen), "").await.unwrap().text().await.unwrap();
    assert!(html.contains("You may not file anything for this robot now."));
    let refused = post(
        provider,
        vec![
            ("kind", "suspended".to_string()),
            ("occurred_on", today.to_string()),
            ("reason", "x".to_string()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Only a regulator may file this."));
    let regulator = sessions["regulator"].as_str();
    let unexplained = vec![
        ("kind", "suspended".to_string()),
        ("occurred_on", today.to_string()),
    ];
    let answer = post(regulator, unexplained).await.unwrap();
    assert_eq!(answer.status(), 422);
    assert!(answer.text().await.unwrap().contains("Give the reason"));
    let future = vec![
        ("kind", "maintained".to_string()),
        ("occurred_on", (today + time::Duration::days(3)).to_string()),
        ("work", "x".to_string()),
    ];
    assert_eq!(post(provider, future).await.unwrap().status(), 422);
}

helpers::on_both!(filing_page);

/// Engagements on the filing page, without JavaScript: the robot's owner sees who is engaged,
/// engages a recycler (who may then file for the robot) and ends it (who may not); nobody else
/// sees the section or may engage.
async fn engagements_page(app: &TestApp) {
    let robot = deployed_robot(app).await;
    let sessions = demo_sessions(app, &["owner", "service_provider", "recycler"]).await;
    let recycler = org_of(app, "recycler").await;
    let recycler_name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
        .bind(recycler)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let path = format!("/filing/{robot}");
    let send = |session: &str, method: Method, to: String, form: Vec<(&str, String)>| {
        app.client
            .request(method, format!("{}{to}", app.base))
            .header(helpers::SAME_SITE.0, helpers::SAME_SITE.1)
            .header("accept-language", "en")
            .header("cookie", format!("{}={session}", helpers::COOKIE))
            .form(&form)
            .send()
    };
    let owner = sessions["owner"].as_str();
    let html = send(owner, Method::GET, path.clone(), vec![])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Service providers and recyclers"));
    let provider = sessions["service_provider"].as_str();
    let theirs = send(provider, Method::GET, path.clone(), vec![])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !theirs.contains("Organisation to engage"),
        "only the owner or operator engages"
    );
    let refused = send(
        provider,
        Method::POST,
        format!("{path}/engagements"),
        vec![("org", recycler.to_string())],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), 403);

    let nothing = send(
        owner,
        Method::POST,
        format!("{path}/engagements"),
        vec![("org", String::new())],
    )
    .await
    .unwrap();
    assert_eq!(nothing.status(), 422);
    let engaged = send(
        owner,
        Method::POST,
        format!("{path}/engagements"),
        vec![("org", recycler.to_string())],
    )
    .await
    .unwrap();
    assert_eq!(engaged.status(), 303);
    let next = engaged.headers()["location"].to_str().unwrap().to_string();
    let html = send(owner, Method::GET, next, vec![])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Engaged: the organisation may now file for this robot."));
    assert!(
        html.contains(&format!("/engagements/{recycler}/end")),
        "{recycler_name} listed with its end button"
    );
    let desk = Desk {
        app,
        robot: robot.clone(),
        sessions: sessions.clone(),
    };
    desk.step(
        "recycler",
        "data_wiped",
        json!({"method": "secure erase"}),
        Filed,
    )
    .await;

    let ended = send(
        owner,
        Method::POST,
        format!("{path}/engagements/{recycler}/end"),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(ended.status(), 303);
    desk.step("recycler", "data_wiped", json!({}), No(403, "not_engaged"))
        .await;
    let again = send(
        owner,
        Method::POST,
        format!("{path}/engagements/{recycler}/end"),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(again.status(), 404);
}

helpers::on_both!(engagements_page);

/// The operator keeps the public profile true through the filing page, without JavaScript:
/// roles ticked, a limit chosen, the notice's retention; only what is filled in changes.
async fn profile_form(app: &TestApp) {
    let robot = deployed_robot(app).await;
    let sessions = demo_sessions(app, &["operator"]).await;
    let operator = sessions["operator"].as_str();
    let path = format!("/filing/{robot}");
    let send = |method: Method, to: String, form: Vec<(&str, String)>| {
        app.client
            .request(method, format!("{}{to}", app.base))
            .header(helpers::SAME_SITE.0, helpers::SAME_SITE.1)
            .header("accept-language", "en")
            .header("cookie", format!("{}={operator}", helpers::COOKIE))
            .form(&form)
            .send()
    };
    let html = send(Method::GET, format!("{path}?kind=profile_updated"), vec![])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"type="checkbox""#) && html.contains("Operating hours"));
    let before = app.get_json(&format!("/api/v1/robots/{robot}")).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let base = vec![
        ("kind", "profile_updated".to_string()),
        ("occurred_on", today),
    ];
    let empty = send(Method::POST, path.clone(), base.clone())
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    assert!(empty
        .text()
        .await
        .unwrap()
        .contains("Fill in or tick at least one thing"));
    let mut form = base.clone();
    form.extend([
        ("approved", "reception".to_string()),
        ("approved", "delivery".to_string()),
        ("supervised", "yes".to_string()),
        ("retention_days", "21".to_string()),
    ]);
    let filed = send(Method::POST, path.clone(), form).await.unwrap();
    assert_eq!(filed.status(), 303);
    let after = app.get_json(&format!("/api/v1/robots/{robot}")).await;
    assert_eq!(
        after["permitted_role"]["approved"],
        json!(["reception", "delivery"])
    );
    assert_eq!(after["permitted_role"]["limits"]["supervised"], true);
    assert_eq!(after["data_notice"]["retention_days"], 21);
    assert_eq!(
        after["permitted_role"]["not_approved"], before["permitted_role"]["not_approved"],
        "what was not filled in stays"
    );
    assert_eq!(
        after["data_notice"]["purpose"],
        before["data_notice"]["purpose"]
    );

    // The operator's contacts: its own, on every robot it operates, at once.
    let mut form = base.clone();
    form.extend([
        ("phone", "+86 21 5555 0100".to_string()),
        ("emergency_phone", "call me".to_string()),
    ]);
    let wrong = send(Method::POST, path.clone(), form).await.unwrap();
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(
        html.contains("field-emergency_phone-error") && html.contains("+86 21 5555 0100"),
        "the emergency number is wrong, what was sent is kept"
    );
    let mut form = base.clone();
    form.extend([
        ("emergency_phone", "+86 21 5555 0199".to_string()),
        ("complaint_email", "complaints@operator.example".to_string()),
    ]);
    let filed = send(Method::POST, path.clone(), form).await.unwrap();
    assert_eq!(filed.status(), 303);
    let other: String = sqlx::query_scalar(
        "SELECT r.robot_id FROM robots r JOIN robots me ON me.robot_id = $1
         WHERE r.operator_id = me.operator_id AND r.robot_id <> me.robot_id LIMIT 1",
    )
    .bind(&robot)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    for id in [&robot, &other] {
        let p = app.get_json(&format!("/api/v1/robots/{id}")).await;
        assert_eq!(
            p["operator"]["emergency_contact"]["phone"], "+86 21 5555 0199",
            "{id}"
        );
        assert_eq!(
            p["complaint_channel"]["operator_contact"],
            "complaints@operator.example"
        );
        assert_eq!(p["operator"]["phone"], before["operator"]["phone"], "kept");
    }
}

helpers::on_both!(profile_form);

/// A correction on the filing page, without JavaScript: the service provider who filed an
/// inspection finds it among the entries it may put right, opens its form filled with what the
/// entry says now, and files the corrected values and day with a reason; the profile shows
/// them. Nobody else may correct it; a profile update is put right by another, not corrected.
async fn correction_page(app: &TestApp) {
    let robot = deployed_robot(app).await;
    let sessions = demo_sessions(app, &["service_provider", "operator"]).await;
    let desk = Desk {
        app,
        robot: robot.clone(),
        sessions: sessions.clone(),
    };
    let due = in_days(150);
    let filed = desk
        .step(
            "service_provider",
            "inspected",
            json!({"result": "fail", "next_due": due, "remarks": "left hand slips"}),
            Filed,
        )
        .await;
    let seq = filed["seq"].as_i64().unwrap();
    let path = format!("/filing/{robot}");
    let send = |who: &str, method: Method, to: String, form: Vec<(&str, String)>| {
        app.client
            .request(method, format!("{}{to}", app.base))
            .header(helpers::SAME_SITE.0, helpers::SAME_SITE.1)
            .header("accept-language", "en")
            .header("cookie", format!("{}={}", helpers::COOKIE, sessions[who]))
            .form(&form)
            .send()
    };
    let link = format!("{path}?correct={seq}#correction");
    let html = send("service_provider", Method::GET, path.clone(), vec![])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Put an entry right") && html.contains(&format!(r#"href="{link}""#)),
        "the inspection it filed may be corrected"
    );
    let operator = send("operator", Method::GET, path.clone(), vec![])
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!operator.contains(&link), "not by the operator");
    let others = send(
        "operator",
        Method::GET,
        format!("{path}?correct={seq}"),
        vec![],
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(!others.contains(r#"name="corrects""#), "nor its form");

    let form_page = send(
        "service_provider",
        Method::GET,
        format!("{path}?correct={seq}"),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(form_page.status(), 200);
    let html = form_page.text().await.unwrap();
    assert!(
        html.contains(&format!(r#"value="{due}""#))
            && html.contains("left hand slips")
            && html.contains(r#"value="fail" checked"#),
        "the form starts from what the entry says"
    );
    let day = |html: &str| {
        html.split(r#"name="original_on" value=""#)
            .nth(1)
            .and_then(|rest| rest.get(..10))
            .map(String::from)
            .expect("the entry's day")
    };
    let original_on = day(&html);
    let yesterday = (time::OffsetDateTime::now_utc().date() - time::Duration::days(1)).to_string();
    let fixed_due = in_days(160);
    let mut form = vec![
        ("kind", "correction".to_string()),
        ("corrects", seq.to_string()),
        ("corrected_kind", "inspected".to_string()),
        ("original_on", original_on),
        ("occurred_on", yesterday.clone()),
        ("result", "pass_with_remarks".to_string()),
        ("next_due", fixed_due.clone()),
        ("remarks", "left hand slips; adjusted".to_string()),
    ];
    let unexplained = send("service_provider", Method::POST, path.clone(), form.clone())
        .await
        .unwrap();
    assert_eq!(unexplained.status(), 422);
    let html = unexplained.text().await.unwrap();
    assert!(
        html.contains("Give the reason") && html.contains(&fixed_due),
        "kept"
    );
    assert!(
        html.contains(r#"name="corrects""#),
        "the correction's form again"
    );
    form.push(("reason", "result and due date mistyped".to_string()));
    let done = send("service_provider", Method::POST, path.clone(), form)
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"].to_str().unwrap(),
        format!("{path}?done=correction")
    );
    let profile = desk.profile().await;
    assert_eq!(profile["last_inspection"]["next_due"], fixed_due);
    assert_eq!(profile["last_inspection"]["result"], "pass_with_remarks");
    assert_eq!(
        profile["last_inspection"]["date"], yesterday,
        "the day moved"
    );
    desk.chain_is_whole().await;

    // A profile update is not corrected but put right by another.
    let update = desk
        .step(
            "operator",
            "profile_updated",
            json!({"supervised": true}),
            Filed,
        )
        .await;
    desk.step(
        "operator",
        "correction",
        json!({"corrects": update["seq"], "reason": "x", "details": {"supervised": false}}),
        No(409, "not_correctable"),
    )
    .await;
}

helpers::on_both!(correction_page);
