//! The one error of the registry's use cases. It carries machine names only: the server says
//! it to people in their language (`server::error::Failure`) and picks the HTTP status.

use crate::domain::{IdError, Problem};

#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    /// A robot ID that is not one, and why.
    #[error(transparent)]
    BadId(#[from] IdError),
    /// What was sent cannot be used as it is.
    #[error("invalid: {0}")]
    Invalid(Problem),
    /// Nothing by that name in the registry.
    #[error("not found: {0}")]
    NotFound(Problem),
    /// Only a signed-in person may do this.
    #[error("not signed in")]
    Unauthenticated,
    /// The signed-in person may not do this.
    #[error("forbidden: {0}")]
    Forbidden(Problem),
    /// It clashes with what the registry holds already.
    #[error("conflict: {0}")]
    Conflict(Problem),
    /// Too many attempts: try again after this many seconds.
    #[error("too many attempts; retry after {retry_after_s} s")]
    TooMany { retry_after_s: u64 },
    /// The registry cannot answer just now (its database is down or overloaded). The cause is
    /// logged where it happened and never shown.
    #[error("the registry is unavailable")]
    Unavailable,
}

impl Error {
    /// The machine name of the error (the API's `error.code`).
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadId(e) => e.code(),
            Error::Invalid(p) | Error::NotFound(p) | Error::Forbidden(p) | Error::Conflict(p) => {
                p.as_str()
            }
            Error::Unauthenticated => Problem::Unauthenticated.as_str(),
            Error::TooMany { .. } => Problem::TooManyAttempts.as_str(),
            Error::Unavailable => Problem::Unavailable.as_str(),
        }
    }
}

/// A database failure is logged here, with its cause, and becomes [`Error::Unavailable`]: what
/// went wrong inside is not for the person asking.
impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Error {
        tracing::error!(error = %e, "the registry's database failed");
        Error::Unavailable
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
