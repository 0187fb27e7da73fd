//! Server functions: thin wrappers that call one plain function each.

use crate::domain::Lookup;
use leptos::prelude::*;

/// Look up a robot by ID for the profile page.
#[server(prefix = "/api/fn", endpoint = "lookup")]
pub async fn lookup_robot(id: String) -> Result<Lookup, ServerFnError> {
    use crate::domain::RobotId;
    let id = RobotId::parse(&id).map_err(|e| ServerFnError::new(e.to_string()))?;
    let done = with_context::<http::request::Parts, _>(|req| {
        req.extensions
            .get::<registry::services::LookupDone>()
            .filter(|done| done.id == id)
            .map(|done| done.lookup.clone())
    });
    match done.flatten() {
        Some(Some(lookup)) => return Ok(lookup),
        // The page cache's check just failed on this request; a second try would wait as long.
        Some(None) => return Err(ServerFnError::new(registry::Error::Unavailable.to_string())),
        None => {}
    }
    let registry = expect_context::<registry::Registry>();
    registry::services::lookup(&registry, &id, &registry::services::today())
        .await
        // The cause is logged where it happened (`registry::Error`).
        .map_err(|e| ServerFnError::new(e.to_string()))
}
