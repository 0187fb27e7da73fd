//! The `robopass` server: settings, start-up, plain routes and static files.

pub mod assets;
pub mod config;
pub mod routes;
pub mod startup;
pub mod telemetry;
