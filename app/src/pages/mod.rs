//! One folder per area of the site, one file per page.

pub mod account;
pub mod api_guide;
pub mod filing;
pub mod incidents;
pub mod labels;
pub mod lookup;
pub mod not_found;
pub mod organisation;
pub mod provenance;
pub mod scan;
pub mod venue;
pub mod venue_dashboard;
