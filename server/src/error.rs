//! The one way a failed request is answered: [`Failure`], from the registry's [`Error`] (or a
//! photo that could not be read), in the request's language, as JSON for the API or as a page
//! for people, with the HTTP status the error calls for.

use app::i18n::words::{error_message, problem_message};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{Lang, Problem, RobotId, Segment};
use photo::PhotoError;
use registry::Error;
use serde::Serialize;

/// How a failure is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `{"error": {"code", "message", …}}` for programs.
    Json,
    /// A small HTML page for a person who opened the address in a browser.
    Page,
}

/// Every error the API answers with, whatever its status: `{"error": {"code", "message", …}}`,
/// with what helps beside it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// Registered IDs one confusable character away from an ID that is not registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<RobotId>>,
    /// Every bad row of a CSV file that was not imported.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowError>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A machine name (`not_registered`, `not_yours`, `too_many_attempts`, `bad_details`…):
    /// what a program decides on. It never changes with the language.
    pub code: &'static str,
    /// The error in words, in the request's language (`Accept-Language`: `en` or `zh-CN`).
    pub message: String,
    /// The field of what was sent that is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// 1-based position of the offending character of a bad robot ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<usize>,
    /// The part of a bad robot ID that is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<Segment>,
}

/// One bad row of a CSV file.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The line of the file, counting the header as line 1.
    pub line: u64,
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

/// A request that could not be answered as asked.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    body: ErrorBody,
    retry_after_s: Option<u64>,
    lang: Lang,
    form: Form,
}

/// The HTTP status for each kind of error.
fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::BadId(_) | Error::Invalid(_) => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

impl Failure {
    /// The registry's `error`, said in `lang`.
    pub fn new(error: Error, lang: Lang, form: Form) -> Failure {
        let (position, segment) = match &error {
            Error::BadId(e) => (e.position(), e.segment()),
            _ => (None, None),
        };
        let detail = ErrorDetail {
            code: error.code(),
            message: error_message(lang, &error),
            field: None,
            position,
            segment,
        };
        Failure {
            status: status_of(&error),
            body: ErrorBody::of(detail),
            retry_after_s: match error {
                Error::TooMany { retry_after_s } => Some(retry_after_s),
                _ => None,
            },
            lang,
            form,
        }
    }

    /// A photo that could not be read, said in `lang`.
    pub fn photo(error: &PhotoError, lang: Lang, form: Form) -> Failure {
        Failure {
            status: StatusCode::from_u16(error.status())
                .unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            body: ErrorBody::of(ErrorDetail {
                code: error.code(),
                message: problem_message(lang, error.problem()),
                field: None,
                position: None,
                segment: None,
            }),
            retry_after_s: None,
            lang,
            form,
        }
    }

    /// A problem with what was sent (400), said in `lang`.
    pub fn invalid(problem: Problem, lang: Lang, form: Form) -> Failure {
        Failure::new(Error::Invalid(problem), lang, form)
    }

    /// The same failure with the registered IDs one character away beside it.
    pub fn suggesting(mut self, ids: Vec<RobotId>) -> Failure {
        self.body.suggestions = Some(ids);
        self
    }

    /// The same failure with every bad row of a file beside it.
    pub fn rows(mut self, rows: Vec<RowError>) -> Failure {
        self.body.rows = Some(rows);
        self
    }

    /// The same failure naming the `field` of what was sent that is wrong (`error.field`).
    pub fn field(mut self, field: &str) -> Failure {
        self.body.error.field = Some(field.to_string());
        self
    }
}

impl ErrorBody {
    fn of(error: ErrorDetail) -> ErrorBody {
        ErrorBody {
            error,
            suggestions: None,
            rows: None,
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = match self.form {
            Form::Json => (self.status, Json(self.body)).into_response(),
            Form::Page => (
                self.status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page(self.lang, self.status, &self.body.error.message),
            )
                .into_response(),
        };
        if let Some(s) = self.retry_after_s {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        response
    }
}

/// A whole page saying `message`: the language marked, a heading, a way back to the lookup.
/// Every piece of text is escaped.
fn page(lang: Lang, status: StatusCode, message: &str) -> String {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default()
    );
    let home = app::i18n::tr(lang, "site.name");
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {home}</title></head>\
         <body><main><h1>{message}</h1><p><a href=\"/\">{home}</a></p></main></body></html>\n",
        lang = lang.code(),
        title = escape(&title),
        home = escape(&home),
        message = escape(message),
    )
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    async fn body(response: Response) -> (StatusCode, String) {
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn each_error_gets_its_status_code_and_words_in_both_languages() {
        let cases = [
            (Error::Invalid(Problem::MissingCode), 400, "missing_code"),
            (
                Error::NotFound(Problem::NotRegistered),
                404,
                "not_registered",
            ),
            (Error::Unauthenticated, 401, "unauthenticated"),
            (
                Error::Forbidden(Problem::Unauthenticated),
                403,
                "unauthenticated",
            ),
            (Error::Conflict(Problem::NoLabel), 409, "no_label"),
            (
                Error::TooMany { retry_after_s: 7 },
                429,
                "too_many_attempts",
            ),
            (Error::Unavailable, 503, "unavailable"),
        ];
        for (error, status, code) in cases {
            let mut said = Vec::new();
            for lang in Lang::ALL {
                let response = Failure::new(error.clone(), lang, Form::Json).into_response();
                let retry = response.headers().get(header::RETRY_AFTER).cloned();
                let (got, text) = body(response).await;
                assert_eq!(got.as_u16(), status, "{code}");
                let json: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(json["error"]["code"], code);
                let message = json["error"]["message"].as_str().unwrap().to_string();
                assert!(
                    !message.is_empty() && !message.starts_with("problem."),
                    "{message}"
                );
                if status == 429 {
                    assert_eq!(retry.unwrap(), "7");
                    assert!(message.contains('7'), "{message}");
                }
                said.push(message);
            }
            assert_ne!(said[0], said[1], "{code} is said in both languages");
        }
    }

    #[tokio::test]
    async fn a_bad_id_says_where_and_a_page_is_escaped_html() {
        // A Cyrillic "С" where the country code's Latin "C" belongs.
        let bad = domain::RobotId::parse("\u{0421}NSEJ5SE027600000000000000001").unwrap_err();
        let response = Failure::new(bad.into(), Lang::En, Form::Json).into_response();
        let (status, text) = body(response).await;
        assert_eq!(status, 400);
        let json: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["error"]["code"], "look_alike_character");
        assert_eq!(json["error"]["position"], 1);
        assert_eq!(json["error"]["segment"], "country");
        let response =
            Failure::new(Error::NotFound(Problem::NoLabel), Lang::ZhCn, Form::Page).into_response();
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        let (status, text) = body(response).await;
        assert_eq!(status, 404);
        assert!(
            text.contains("lang=\"zh-CN\"") && text.contains("<main>"),
            "{text}"
        );
        let page = page(Lang::En, StatusCode::NOT_FOUND, "<script>alert(1)</script>");
        assert!(
            page.contains("&lt;script&gt;") && !page.contains("<script>"),
            "{page}"
        );
    }
}
