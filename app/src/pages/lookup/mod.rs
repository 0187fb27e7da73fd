//! Looking a robot up: the lookup page and the public profile.

pub mod home;
pub mod profile;
