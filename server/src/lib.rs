//! The `robopass` server: settings, start-up, plain routes and static files.
#![recursion_limit = "512"]

pub mod assets;
pub mod config;
pub mod error;
pub mod keys;
pub mod page_cache;
pub mod routes;
pub mod scan;
pub mod scan_routes;
pub mod session;
pub mod startup;
pub mod state;
pub mod telemetry;
