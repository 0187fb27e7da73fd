//! The interactive parts of pages (Leptos islands), the only code the browser runs: the lookup
//! box, the camera scanner and the entrance display's watcher, and how each gets its setup
//! from the server's page.

pub mod camera;
pub mod display;
pub mod lookup;
pub mod setup;
