//! A manufacturer's recalls: issued for one of its models, whole or a serial range, saying the
//! defect, the risk it brings and the remedy; closed by the manufacturer. While a recall is
//! open, every unit it covers shows it (the profile, the status, the provenance report) until a
//! `recall_remedied` entry closes it for that unit (`filing`). Nothing is cached between a
//! recall and the pages: each profile counts the open recalls that cover it when it is read.

use crate::db::{self, MakerRecallRow, NewRecall};
use crate::domain::vocabulary::{Hazard, Remedy, Word};
use crate::domain::Problem;
use crate::units::Maker;
use crate::{Error, Registry};

/// The longest description of a defect.
pub const MAX_DEFECT_CHARS: usize = 500;
/// How many times a recall is tried under the next number when another took it meanwhile.
const ATTEMPTS: u32 = 4;

/// A recall as the manufacturer issues it.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The model's 6-character code.
    pub model: String,
    /// The first and last serial it covers (both or neither: the whole model).
    #[serde(default)]
    pub serial_from: Option<String>,
    #[serde(default)]
    pub serial_to: Option<String>,
    pub defect: String,
    /// The danger, a word of the hazard vocabulary.
    pub risk: String,
    /// What fixes it, a word of the remedy vocabulary.
    pub remedy: String,
}

/// A recall as its manufacturer sees it: what it says, and how far its remedy has come.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Recall {
    pub id: i64,
    pub reference: String,
    pub model: String,
    pub model_name: String,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub defect: Option<String>,
    pub risk: String,
    pub remedy: String,
    pub issued_on: String,
    pub closed_on: Option<String>,
    /// Registered units it covers.
    pub units: i64,
    /// Of them, those whose remedy is recorded.
    pub remedied: i64,
}

impl From<MakerRecallRow> for Recall {
    fn from(r: MakerRecallRow) -> Recall {
        Recall {
            id: r.id,
            reference: r.reference,
            model: r.model_code,
            model_name: r.model_name,
            serial_from: r.serial_from,
            serial_to: r.serial_to,
            defect: r.defect,
            risk: r.hazard,
            remedy: r.remedy,
            issued_on: r.issued_on,
            closed_on: r.closed_on,
            units: r.units,
            remedied: r.remedied,
        }
    }
}

/// What is wrong with a notice, and in which field.
pub type Bad = crate::units::Bad;

fn bad(field: &'static str, problem: Problem) -> Bad {
    Bad { field, problem }
}

/// A serial as a recall's bound: 17 characters, A–Z and 0–9.
fn serial(text: Option<&str>) -> Result<Option<String>, Bad> {
    let Some(s) = text.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let s = s.to_ascii_uppercase();
    if s.len() == 17 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(Some(s))
    } else {
        Err(bad("serial_from", Problem::BadSerialRange))
    }
}

/// Check `notice` against the manufacturer's models (`models`: code → key): the recall to
/// write, or the first field that is wrong.
fn check<'a>(
    notice: &'a Notice,
    models: &[(String, i64)],
    issued_on: &'a str,
) -> Result<(NewRecall<'a>, Option<String>, Option<String>), Bad> {
    let code = notice.model.trim().to_ascii_uppercase();
    let model_id = models
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, id)| *id)
        .ok_or(bad("model", Problem::UnknownModel))?;
    let from = serial(notice.serial_from.as_deref())?;
    let to = serial(notice.serial_to.as_deref())?;
    match (&from, &to) {
        (Some(f), Some(t)) if f <= t => {}
        (None, None) => {}
        _ => return Err(bad("serial_from", Problem::BadSerialRange)),
    }
    let defect = notice.defect.trim();
    if defect.is_empty()
        || defect.chars().count() > MAX_DEFECT_CHARS
        || defect
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
    {
        return Err(bad("defect", Problem::MissingDefect));
    }
    let hazard = Hazard::from_name(notice.risk.trim()).ok_or(bad("risk", Problem::BadHazard))?;
    let remedy =
        Remedy::from_name(notice.remedy.trim()).ok_or(bad("remedy", Problem::BadRemedy))?;
    Ok((
        NewRecall {
            model_id,
            serial_from: None,
            serial_to: None,
            defect,
            hazard: hazard.name(),
            remedy: remedy.name(),
            issued_on,
        },
        from,
        to,
    ))
}

/// Issue a recall as `maker`: the recall as written, or what is wrong (with its field).
pub async fn issue(
    registry: &Registry,
    maker: &Maker,
    notice: &Notice,
) -> Result<Recall, (Error, &'static str)> {
    let pool = registry.pool();
    let models: Vec<(String, i64)> = db::units::models(pool, maker.org_id)
        .await
        .map_err(|e| (e.into(), "model"))?
        .into_iter()
        .map(|m| (m.code, m.id))
        .collect();
    let today = crate::services::today();
    let (mut recall, from, to) =
        check(notice, &models, &today).map_err(|b| (Error::Invalid(b.problem), b.field))?;
    recall.serial_from = from.as_deref();
    recall.serial_to = to.as_deref();
    let mut attempt = 0;
    let reference = loop {
        attempt += 1;
        match db::insert_recall(pool, &recall).await {
            Ok(reference) => break reference,
            Err(e) if attempt < ATTEMPTS && is_retryable(&e) => {}
            Err(e) => return Err((e.into(), "model")),
        }
    };
    tracing::info!(maker = maker.org_id, %reference, "recall issued");
    let written = db::maker_recall(pool, maker.org_id, &reference)
        .await
        .map_err(|e| (e.into(), "model"))?;
    written
        .map(Recall::from)
        .ok_or((Error::Unavailable, "model"))
}

fn is_retryable(e: &sqlx::Error) -> bool {
    crate::db::record::is_contention(e)
        || e.as_database_error()
            .is_some_and(|d| d.is_unique_violation())
}

/// The manufacturer's recalls, newest first.
pub async fn list(registry: &Registry, maker: &Maker) -> Result<Vec<Recall>, Error> {
    Ok(db::maker_recalls(registry.pool(), maker.org_id)
        .await?
        .into_iter()
        .map(Recall::from)
        .collect())
}

/// Close the manufacturer's recall `reference` today: the recall as closed; 404 when it has no
/// such recall, 409 when it is closed already.
pub async fn close(registry: &Registry, maker: &Maker, reference: &str) -> Result<Recall, Error> {
    let pool = registry.pool();
    let reference = reference.trim().to_ascii_uppercase();
    let found = if reference.len() <= 40 {
        db::maker_recall(pool, maker.org_id, &reference).await?
    } else {
        None
    };
    let recall = found.ok_or(Error::NotFound(Problem::NoSuchRecall))?;
    let today = crate::services::today();
    if !db::close_recall(pool, recall.id, &today).await? {
        return Err(Error::Conflict(Problem::RecallClosed));
    }
    tracing::info!(maker = maker.org_id, reference = %recall.reference, "recall closed");
    db::maker_recall(pool, maker.org_id, &reference)
        .await?
        .map(Recall::from)
        .ok_or(Error::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice() -> Notice {
        Notice {
            model: "mod001".into(),
            serial_from: None,
            serial_to: None,
            defect: "Knee actuator may seize under load".into(),
            risk: "fall_risk".into(),
            remedy: "actuator_replacement".into(),
        }
    }

    #[test]
    fn a_notice_names_a_model_of_the_maker_and_words_of_the_vocabulary() {
        let models = vec![("MOD001".to_string(), 3)];
        let day = "2026-12-07";
        let given = notice();
        let (ok, from, to) = check(&given, &models, day).unwrap_or_else(|b| panic!("{b:?}"));
        assert_eq!(
            (ok.model_id, ok.hazard, ok.remedy),
            (3, "fall_risk", "actuator_replacement")
        );
        assert_eq!((from, to), (None, None));
        let wrong: Vec<(Notice, &str, Problem)> = vec![
            (
                Notice {
                    model: "MOD002".into(),
                    ..notice()
                },
                "model",
                Problem::UnknownModel,
            ),
            (
                Notice {
                    serial_from: Some("00000000000000001".into()),
                    ..notice()
                },
                "serial_from",
                Problem::BadSerialRange,
            ),
            (
                Notice {
                    serial_from: Some("00000000000000009".into()),
                    serial_to: Some("00000000000000001".into()),
                    ..notice()
                },
                "serial_from",
                Problem::BadSerialRange,
            ),
            (
                Notice {
                    defect: " ".into(),
                    ..notice()
                },
                "defect",
                Problem::MissingDefect,
            ),
            (
                Notice {
                    risk: "fire".into(),
                    ..notice()
                },
                "risk",
                Problem::BadHazard,
            ),
            (
                Notice {
                    remedy: "prayer".into(),
                    ..notice()
                },
                "remedy",
                Problem::BadRemedy,
            ),
        ];
        for (n, field, problem) in wrong {
            let got = check(&n, &models, day)
                .map(|_| ())
                .map_err(|b| (b.field, b.problem));
            assert_eq!(got, Err((field, problem)));
        }
    }
}
