//! Robot Passport's registry: what the portal does with its database, as plain async
//! functions (look a robot up, sign and check labels, seed a demo registry), server-only.
//! No HTTP and no words for people: the server and the app bring those.

/// The domain crate, under the path these modules have always used.
pub(crate) use ::domain;

pub mod db;
pub mod labels;
pub mod record;
pub mod seed;
pub mod services;
