//! People's accounts: the forms of `/account/*` (the pages are the app's). Each form is a plain
//! POST. What works answers with a redirect (303); what must be put right answers with the same
//! page again, every value but passwords kept, an error summary and the message beside each
//! field (422; 429 with `Retry-After` when attempts are spent; 503 when the registry cannot
//! answer). Messages go out by mail in the background, so that no answer, nor its timing, says
//! whether an address has an account.

use super::pages::render_page;
use crate::mail::Mail;
use crate::middleware::client::client_of;
use crate::state::AppState;
use app::components::form::{FieldError, FormAnswer};
use app::i18n::{lang_from_headers, tr, tr_with};
use app::pages::account::with_next;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::link::is_local_path;
use domain::{Lang, Problem};
use registry::accounts::{self, SignUp, SignedIn};
use registry::Error;
use std::net::IpAddr;

/// Largest form body read: a few fields of text.
const FORM_LIMIT: usize = 16 * 1024;

/// A posted form: the request's head and its fields, each decoded once.
pub(super) struct Posted {
    pub(super) parts: Parts,
    fields: Vec<(String, String)>,
}

impl Posted {
    pub(super) async fn read(req: Request) -> Result<Posted, Response> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| {
            let lang = lang_from_headers(&parts.headers);
            crate::error::Failure::invalid(Problem::TooLarge, lang, crate::error::Form::Page)
                .into_response()
        })?;
        let fields = url::form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Ok(Posted { parts, fields })
    }

    /// A form only a signed-in person sends: the form and its person, or the way to sign in and
    /// come back to `back`.
    pub(super) async fn read_signed_in(
        req: Request,
        back: &str,
    ) -> Result<(Posted, SignedIn), Response> {
        let posted = Posted::read(req).await?;
        match posted.signed_in().cloned() {
            Some(me) => Ok((posted, me)),
            None => Err(see_other(&app::pages::account::sign_in_link(back))),
        }
    }

    /// Every value of `name` (a group of checkboxes), in the order sent.
    pub(super) fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The first value of `name`, or nothing.
    pub(super) fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn lang(&self) -> Lang {
        lang_from_headers(&self.parts.headers)
    }

    pub(super) fn signed_in(&self) -> Option<&SignedIn> {
        self.parts.extensions.get::<SignedIn>()
    }

    /// Where to go afterwards: the form's `next` when it is a path on this site.
    fn next(&self) -> String {
        let next = self.get("next");
        if is_local_path(next) {
            next.to_string()
        } else {
            "/".into()
        }
    }

    /// The client's address, for counting attempts.
    pub(super) fn client(&self, state: &AppState) -> IpAddr {
        client_of(&self.parts, &state.accounts.trusted_proxies)
    }

    /// The values to hand back to the page: every field but passwords.
    pub(super) fn kept(&self) -> Vec<(String, String)> {
        self.fields
            .iter()
            .filter(|(k, _)| !k.contains("password"))
            .cloned()
            .collect()
    }
}

/// A redirect to `location` after a form (303: the browser follows with a GET).
pub(super) fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

/// The form's page again, with what was sent and what must be put right.
async fn again(
    state: AppState,
    posted: Posted,
    path: &'static str,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> Response {
    let retry_after = errors.iter().find_map(|e| e.seconds);
    let answer = FormAnswer {
        values: posted.kept(),
        errors,
    };
    let mut response = render_page(
        state,
        posted.parts.headers,
        posted.parts.extensions,
        path,
        answer,
    )
    .await;
    *response.status_mut() = status;
    if let Some(s) = retry_after.filter(|_| status == StatusCode::TOO_MANY_REQUESTS) {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    response
}

/// What a registry error means for a form: its status, and the error to show beside `field`
/// (the field the problem is about, else the form's first).
fn failed(error: Error, field: impl Fn(Problem) -> &'static str) -> (StatusCode, FieldError) {
    let (status, problem, seconds) = match error {
        Error::Invalid(p) | Error::Conflict(p) | Error::Forbidden(p) | Error::NotFound(p) => {
            (StatusCode::UNPROCESSABLE_ENTITY, p, None)
        }
        Error::BadId(_) => (StatusCode::UNPROCESSABLE_ENTITY, Problem::BadId, None),
        Error::Unauthenticated => (StatusCode::UNAUTHORIZED, Problem::Unauthenticated, None),
        Error::TooMany { retry_after_s } => (
            StatusCode::TOO_MANY_REQUESTS,
            Problem::TooManyAttempts,
            Some(retry_after_s),
        ),
        Error::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, Problem::Unavailable, None),
    };
    (
        status,
        FieldError {
            field: field(problem),
            problem,
            seconds,
        },
    )
}

/// `problem` beside the field `field`.
pub(super) fn error(field: &'static str, problem: Problem) -> FieldError {
    FieldError {
        field,
        problem,
        seconds: None,
    }
}

/// A message's text: greeting, what it is about, the link, what to do if it was not them.
fn compose(lang: Lang, greeting: String, about: &str, link: &str, ignore: &str) -> String {
    format!(
        "{greeting}\n\n{}\n\n{link}\n\n{}\n\n-- \n{}\n",
        tr(lang, about),
        tr(lang, ignore),
        tr(lang, "mail.sign_off")
    )
}

fn greeting(lang: Lang, name: &str) -> String {
    tr_with(lang, "mail.greeting", &[("name", name)])
}

/// The message with a confirmation link.
fn confirmation_mail(
    state: &AppState,
    lang: Lang,
    person: &accounts::Person,
    token: &str,
    next: &str,
) -> Mail {
    let path = format!("/account/confirm?token={token}");
    let path = if next == "/" {
        path
    } else {
        with_next(&path, next).replacen("?next=", "&next=", 1)
    };
    let link = state.accounts.mailer.link(&path);
    Mail {
        to: person.email.clone(),
        to_name: person.display_name.clone(),
        subject: tr(lang, "mail.confirm_subject"),
        body: compose(
            lang,
            greeting(lang, &person.display_name),
            "mail.confirm_body",
            &link,
            "mail.confirm_ignore",
        ),
        link,
    }
}

/// `POST /account/sign-in`: a session, and back to `next`.
pub async fn sign_in(State(state): State<AppState>, req: Request) -> Response {
    let posted = match Posted::read(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (email, password) = (posted.get("email"), posted.get("password"));
    let mut errors = Vec::new();
    if email.trim().is_empty() {
        errors.push(error("email", Problem::BadEmail));
    }
    if password.is_empty() {
        errors.push(error("password", Problem::MissingPassword));
    }
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return again(state, posted, "/account/sign-in", errors, status).await;
    }
    let client = posted.client(&state);
    let database = state.registry.database();
    match accounts::sign_in(database, &state.accounts.throttle, client, email, password).await {
        Ok(session) => {
            let mut response = see_other(&posted.next());
            response.headers_mut().append(
                header::SET_COOKIE,
                state.accounts.cookie.set(&session.token),
            );
            response
        }
        Err(e) => {
            let (status, e) = failed(e, |_| "email");
            again(state, posted, "/account/sign-in", vec![e], status).await
        }
    }
}

/// `POST /account/sign-out`: the session ends everywhere, and the cookie goes.
pub async fn sign_out(State(state): State<AppState>, req: Request) -> Response {
    if let Some(me) = req.extensions().get::<SignedIn>() {
        if let Err(e) = accounts::sign_out(state.registry.database(), &me.token).await {
            let lang = lang_from_headers(req.headers());
            return crate::error::Failure::new(e, lang, crate::error::Form::Page).into_response();
        }
    }
    let mut response = see_other("/");
    response
        .headers_mut()
        .append(header::SET_COOKIE, state.accounts.cookie.clear());
    response
}

/// `POST /account/sign-up`: "we have sent a message", whether the address is new or not.
pub async fn sign_up(State(state): State<AppState>, req: Request) -> Response {
    let posted = match Posted::read(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (name, email, password) = (
        posted.get("display_name"),
        posted.get("email"),
        posted.get("password"),
    );
    let errors: Vec<FieldError> = [
        accounts::check_name(name)
            .err()
            .map(|_| error("display_name", Problem::BadName)),
        accounts::check_email(email)
            .err()
            .map(|_| error("email", Problem::BadEmail)),
        accounts::check_password(password)
            .err()
            .map(|_| error("password", Problem::WeakPassword)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return again(state, posted, "/account/sign-up", errors, status).await;
    }
    let lang = posted.lang();
    let client = posted.client(&state);
    let throttle = &state.accounts.throttle;
    let database = state.registry.database();
    match accounts::sign_up(database, throttle, client, email, name, password).await {
        Ok(SignUp::New { person, token }) => {
            let mail = confirmation_mail(&state, lang, &person, &token, &posted.next());
            state.accounts.mailer.send_later(mail);
            see_other("/account/sent?for=sign-up")
        }
        Ok(SignUp::Existing { person }) => {
            let link = state.accounts.mailer.link("/account/reset");
            state.accounts.mailer.send_later(Mail {
                to: person.email.clone(),
                to_name: person.display_name.clone(),
                subject: tr(lang, "mail.existing_subject"),
                body: compose(
                    lang,
                    greeting(lang, &person.display_name),
                    "mail.existing_body",
                    &link,
                    "mail.existing_ignore",
                ),
                link,
            });
            see_other("/account/sent?for=sign-up")
        }
        Err(e) => {
            let (status, e) = failed(e, |_| "email");
            again(state, posted, "/account/sign-up", vec![e], status).await
        }
    }
}

/// `POST /account/confirm`: the address is confirmed; on to `next`, signing in first if need be.
pub async fn confirm(State(state): State<AppState>, req: Request) -> Response {
    let posted = match Posted::read(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match accounts::confirm(state.registry.database(), posted.get("token")).await {
        Ok(()) => {
            let next = posted.next();
            if posted.signed_in().is_some() {
                if next == "/" {
                    see_other("/account?done=confirmed")
                } else {
                    see_other(&next)
                }
            } else {
                let to = with_next("/account/sign-in", &next);
                let sep = if to.contains('?') { '&' } else { '?' };
                see_other(&format!("{to}{sep}confirmed=1"))
            }
        }
        Err(e) => {
            let (status, e) = failed(e, |_| "token");
            again(state, posted, "/account/confirm", vec![e], status).await
        }
    }
}

/// `POST /account/confirm/resend`: a new confirmation link for the signed-in person.
pub async fn resend_confirmation(State(state): State<AppState>, req: Request) -> Response {
    let posted = match Posted::read(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(me) = posted.signed_in().cloned() else {
        return see_other("/account/sign-in?next=%2Faccount");
    };
    let client = posted.client(&state);
    let throttle = &state.accounts.throttle;
    let database = state.registry.database();
    match accounts::resend_confirmation(database, throttle, client, &me.person).await {
        Ok(Some(token)) => {
            let mail = confirmation_mail(&state, posted.lang(), &me.person, &token, "/");
            state.accounts.mailer.send_later(mail);
            see_other("/account?done=resent")
        }
        Ok(None) => see_other("/account?done=confirmed"),
        Err(e) => {
            crate::error::Failure::new(e, posted.lang(), crate::error::Form::Page).into_response()
        }
    }
}

/// `POST /account/password`: a new password, given the current one; other sessions end.
pub async fn change_password(State(state): State<AppState>, req: Request) -> Response {
    let posted = match Posted::read(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let Some(me) = posted.signed_in().cloned() else {
        return see_other("/account/sign-in?next=%2Faccount%2Fpassword");
    };
    let (current, new) = (posted.get("current_password"), posted.get("new_password"));
    let errors: Vec<FieldError> = [
        current
            .is_empty()
            .then(|| error("current_password", Problem::MissingPassword)),
        accounts::check_password(new)
            .err()
            .map(|_| error("new_password", Problem::WeakPassword)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !errors.is_empty() {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return again(state, posted, "/account/password", errors, status).await;
    }
    let throttle = &state.accounts.throttle;
    let database = state.registry.database();
    match accounts::change_password(database, throttle, &me.token, current, new).await {
        Ok(()) => see_other("/account?done=password"),
        Err(Error::Unauthenticated) => see_other("/account/sign-in?next=%2Faccount%2Fpassword"),
        Err(e) => {
            let (status, e) = failed(e, |p| match p {
                Problem::WeakPassword => "new_password",
                _ => "current_password",
            });
            again(state, posted, "/account/password", vec![e], status).await
        }
    }
}

/// `POST /account/reset`: with `email`, send a reset link (or say there is no account, in the
/// message only); with `token` and `new_password`, set the password.
pub async fn reset(State(state): State<AppState>, req: Request) -> Response {
    let posted = match Posted::read(req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !posted.get("token").is_empty() {
        return set_new_password(state, posted).await;
    }
    let email = posted.get("email");
    if accounts::check_email(email).is_err() {
        let errors = vec![error("email", Problem::BadEmail)];
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return again(state, posted, "/account/reset", errors, status).await;
    }
    let lang = posted.lang();
    let client = posted.client(&state);
    let throttle = &state.accounts.throttle;
    let mailer = &state.accounts.mailer;
    match accounts::request_reset(state.registry.database(), throttle, client, email).await {
        Ok(Some((person, token))) => {
            let link = mailer.link(&format!("/account/reset?token={token}"));
            mailer.send_later(Mail {
                to: person.email.clone(),
                to_name: person.display_name.clone(),
                subject: tr(lang, "mail.reset_subject"),
                body: compose(
                    lang,
                    greeting(lang, &person.display_name),
                    "mail.reset_body",
                    &link,
                    "mail.reset_ignore",
                ),
                link,
            });
            see_other("/account/sent?for=reset")
        }
        Ok(None) => {
            let link = mailer.link("/account/sign-up");
            mailer.send_later(Mail {
                to: email.trim().to_string(),
                to_name: String::new(),
                subject: tr(lang, "mail.unknown_subject"),
                body: compose(
                    lang,
                    tr(lang, "mail.unknown_greeting"),
                    "mail.unknown_body",
                    &link,
                    "mail.unknown_ignore",
                ),
                link,
            });
            see_other("/account/sent?for=reset")
        }
        Err(e) => {
            let (status, e) = failed(e, |_| "email");
            again(state, posted, "/account/reset", vec![e], status).await
        }
    }
}

async fn set_new_password(state: AppState, posted: Posted) -> Response {
    let (token, new) = (posted.get("token"), posted.get("new_password"));
    if accounts::check_password(new).is_err() {
        let errors = vec![error("new_password", Problem::WeakPassword)];
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return again(state, posted, "/account/reset", errors, status).await;
    }
    match accounts::reset_password(state.registry.database(), token, new).await {
        Ok(()) => {
            // Every session ended, this browser's too.
            let mut response = see_other("/account/sign-in?reset=1");
            response
                .headers_mut()
                .append(header::SET_COOKIE, state.accounts.cookie.clear());
            response
        }
        Err(e) => {
            let (status, e) = failed(e, |_| "new_password");
            again(state, posted, "/account/reset", vec![e], status).await
        }
    }
}
