//! Robot Passport's domain: the rules and vocabulary that the server and the browser share.
//! No I/O, no UI, no words for people (those are the app's): this crate compiles to wasm.

pub mod account;
pub mod filing;
pub mod incident;
pub mod lang;
pub mod link;
pub mod organisation;
pub mod problem;
pub mod profile;
pub mod provenance;
pub mod record;
pub mod robot_id;
pub mod status;
pub mod venue;
pub mod verdict;
pub mod vocabulary;

pub use lang::Lang;
pub use problem::Problem;
pub use profile::*;
pub use robot_id::{IdError, RobotId, Segment};
pub use status::{Lifecycle, Status, StatusFacts};
