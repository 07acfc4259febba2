//! vtltape: an SSC tape drive over libvtlcart cartridges.
#![warn(missing_docs)]
