//! The media crate's one error type.
//!
//! Every variant that concerns a file names it; corruption errors also give the byte offset
//! and what was expected there, so a user can find the damage with `dump_tape` or a hex editor.
//! The drive maps these to SSC sense data (see [`CartError::sense_hint`]).

use std::path::PathBuf;

/// Result alias for this crate.
pub type Result<T, E = CartError> = std::result::Result<T, E>;

/// Everything that can go wrong with a cartridge.
#[derive(Debug, thiserror::Error)]
pub enum CartError {
    /// An I/O call failed on `path`.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done ("open", "read", "write", "fsync", ...).
        op: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file's contents break the format at `offset`.
    #[error("{file}: corrupt at offset {offset}: expected {what}")]
    Corrupt {
        /// The damaged file.
        file: PathBuf,
        /// Byte offset of the first bad byte (or of the structure that is wrong).
        offset: u64,
        /// What was expected there, and what was found.
        what: String,
    },
    /// The cartridge directory does not hold a tape in any known layout.
    #[error("{dir}: not a cartridge: {why}")]
    NotACartridge {
        /// The directory.
        dir: PathBuf,
        /// Why (which files are missing).
        why: String,
    },
    /// The cartridge's format version is not one this crate reads.
    #[error("{file}: unsupported tape format version {tape_fmt}, MAM format version {mam_fmt}")]
    UnsupportedVersion {
        /// The file holding the versions.
        file: PathBuf,
        /// tape_fmt_version found.
        tape_fmt: u32,
        /// mam_fmt_version found.
        mam_fmt: u32,
    },
    /// Another process holds the cartridge (exclusive lock on its directory).
    #[error("{}: cartridge is in use by {}", dir.display(),
        holder.as_deref().unwrap_or("another process (it holds the cartridge's lock)"))]
    Locked {
        /// The cartridge directory.
        dir: PathBuf,
        /// Who holds the lock, e.g. `pid 1234 (vtltape -q 11)`, when /proc tells
        /// ([`crate::lockinfo::lock_holder`]).
        holder: Option<String>,
    },
    /// A barcode (PCL) was refused before any path was built.
    #[error("invalid barcode {pcl:?}: {why}")]
    BadBarcode {
        /// The rejected text (debug-escaped when printed).
        pcl: String,
        /// Which rule it broke.
        why: &'static str,
    },
    /// A cartridge with this barcode already exists.
    #[error("{dir}: cartridge already exists")]
    Exists {
        /// The directory.
        dir: PathBuf,
    },
    /// The cartridge was opened read-only, is write protected, is a cleaning cartridge, or is
    /// WORM and the write is not at EOD.
    #[error("write refused: {why}")]
    WriteProtected {
        /// Which of the reasons applies.
        why: &'static str,
    },
    /// The write does not fit before the end of the partition (VOLUME OVERFLOW).
    #[error(
        "end of medium: {needed} bytes do not fit, {remaining} bytes remain in partition {partition}"
    )]
    EndOfMedium {
        /// Partition number.
        partition: u32,
        /// Bytes the write needed.
        needed: u64,
        /// Bytes left.
        remaining: u64,
    },
    /// A stored block failed its CRC-32C or decompression: no data is returned.
    #[error("{file}: block {block} at data offset {data_offset}: {what}")]
    BadBlock {
        /// The data file.
        file: PathBuf,
        /// Logical block number.
        block: u32,
        /// Where its bytes start in the data file.
        data_offset: u64,
        /// CRC mismatch or decompression failure details.
        what: String,
    },
    /// An argument was out of range (block size 0, more than 0xFFFFFFF0 objects, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

/// The SSC condition a drive should report for an error (sense key / ASC / ASCQ, SPC-5 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenseHint {
    /// Sense key.
    pub key: u8,
    /// Additional sense code.
    pub asc: u8,
    /// Additional sense code qualifier.
    pub ascq: u8,
}

impl CartError {
    pub(crate) fn io(path: impl Into<PathBuf>, op: &'static str, source: std::io::Error) -> Self {
        CartError::Io {
            path: path.into(),
            op,
            source,
        }
    }

    /// The sense a drive reports for this error: MEDIUM ERROR for I/O and bad blocks
    /// (0x03/0x11/0x00 unrecovered read error, 0x03/0x0c/0x00 write error), DATA PROTECT /
    /// WRITE PROTECTED (0x07/0x27/0x00), VOLUME OVERFLOW / END OF PARTITION (0x0d/0x00/0x02),
    /// MEDIUM FORMAT CORRUPTED (0x03/0x31/0x00) for corrupt files.
    pub fn sense_hint(&self) -> SenseHint {
        let (key, asc, ascq) = match self {
            CartError::Io { op, .. } if op.starts_with("write") || *op == "fsync" => {
                (0x03, 0x0c, 0x00)
            }
            CartError::Io { .. } => (0x03, 0x11, 0x00),
            CartError::BadBlock { .. } => (0x03, 0x11, 0x00),
            CartError::Corrupt { .. } | CartError::UnsupportedVersion { .. } => (0x03, 0x31, 0x00),
            CartError::NotACartridge { .. } => (0x02, 0x3a, 0x00),
            CartError::Locked { .. } => (0x02, 0x04, 0x00),
            CartError::WriteProtected { .. } => (0x07, 0x27, 0x00),
            CartError::EndOfMedium { .. } => (0x0d, 0x00, 0x02),
            CartError::BadBarcode { .. }
            | CartError::Exists { .. }
            | CartError::InvalidArgument(_) => (0x05, 0x24, 0x00),
        };
        SenseHint { key, asc, ascq }
    }
}
