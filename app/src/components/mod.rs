//! Pieces several pages show: the page frame (`layout`) and status (`status`).

pub mod form;
pub mod layout;
pub mod status;
