//! The interactive parts of pages (Leptos islands), the only code the browser runs: the lookup
//! box and the camera scanner, and how each gets its setup from the server's page.

pub mod camera;
pub mod lookup;
pub mod setup;
