//! vtltape: an SSC tape drive over libvtlcart cartridges.
#![warn(missing_docs)]

pub mod density;
pub mod personality;
