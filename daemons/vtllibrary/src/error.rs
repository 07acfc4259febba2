//! Errors of building a library (configuration that cannot be served, state file trouble).
//! SCSI command paths use [`vtl_scsi::ScsiError`].

use std::path::PathBuf;

/// Why a [`Library`](crate::Library) could not be built or an operation could not be done.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// An element address range passes 0xFFFF (SMC-3 element addresses are 16 bits).
    #[error("{count} {kind} elements do not fit in 16-bit element addresses")]
    AddressOverflow {
        /// Element type word (`Slot`, `MAP`...).
        kind: &'static str,
        /// How many elements were asked for.
        count: usize,
    },
    /// Two element types would share an address with this personality's address map.
    #[error("{kind} element address {address:#x} is already a {other} element address")]
    AddressOverlap {
        /// The type being placed.
        kind: &'static str,
        /// The type already there.
        other: &'static str,
        /// The address.
        address: u16,
    },
    /// The personality's address map has no room for the configured elements.
    #[error(transparent)]
    Map(#[from] crate::personality::MapTooSmall),
    /// library_contents names a different number of drives than drive handles were given.
    #[error("library_contents has {elements} drives but {handles} drives were attached")]
    DriveCount {
        /// `Drive n:` lines.
        elements: usize,
        /// Handles given.
        handles: usize,
    },
    /// The same barcode is in two elements.
    #[error("barcode {0} is in more than one element")]
    DuplicateBarcode(String),
    /// The state file could not be written.
    #[error("{path}: {source}")]
    State {
        /// The state file.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}
