//! One module per route.

pub mod home;
pub mod label;
pub mod not_found;
pub mod profile;
pub mod scan;
