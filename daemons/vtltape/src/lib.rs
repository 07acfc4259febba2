//! vtltape: an SSC tape drive over libvtlcart cartridges.
//!
//! * [`drive::Drive`]: the drive state and its SSC data-path commands ([`cdb::Command`]);
//! * [`loader`]: putting cartridges in and out (the changer's interface, LOAD UNLOAD);
//! * [`error`]: [`error::DriveError`] and the media-error-to-sense mapping;
//! * [`tapealert`]: TapeAlert flags;
//! * [`lu::TapeDrive`]: the SCSI logical unit (SPC core + SSC data path).
#![warn(missing_docs)]

pub mod attribute;
pub mod capacity;
pub mod cdb;
pub mod counters;
pub mod density;
pub mod drive;
pub mod early_warning;
pub mod encryption;
pub mod erase;
pub mod error;
pub mod filemark;
pub mod format;
pub mod lbp;
pub mod limits;
pub mod loader;
pub mod log_pages;
pub mod lu;
pub mod medium_configuration;
pub mod mode_pages;
pub mod overwrite;
pub mod partitioning;
pub mod performance;
pub mod personality;
pub mod position;
pub mod report_density;
pub mod rw;
pub mod security_protocol;
pub mod self_test;
pub mod serial;
pub mod tapealert;
pub mod timestamp;
pub mod vendor_mode_pages;
pub mod volume_statistics;
pub mod vpd_pages;

pub use drive::{CompressionAlgorithm, CompressionConfig, Drive, DriveConfig};
pub use error::DriveError;
pub use lu::TapeDrive;
