//! Shared helpers for the integration tests: where the mhvtl fixtures are.
#![allow(dead_code)]

#[allow(unused_imports)]
pub use libvtlcart::testing::{fixtures, manifest};
