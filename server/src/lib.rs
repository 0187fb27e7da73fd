//! The `robopass` server: settings, start-up, the route table (`routes`), what every request
//! passes through (`middleware`), and static files.
#![recursion_limit = "512"]

pub mod assets;
pub mod config;
pub mod error;
pub mod fresh;
pub mod keys;
pub mod mail;
pub mod middleware;
pub mod routes;
pub mod scan;
pub mod startup;
pub mod state;
pub mod telemetry;
