//! Types shared by the server and the browser.

pub mod lang;
pub mod profile;
pub mod robot_id;
pub mod status;

pub use lang::Lang;
pub use profile::*;
pub use robot_id::{IdError, RobotId, Segment};
pub use status::{Lifecycle, Status, StatusFacts};
