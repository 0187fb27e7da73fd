//! Labels to print.

pub mod label;
