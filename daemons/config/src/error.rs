//! The crate's one error type and the warnings a parse returns beside its result.
//!
//! Every error about a configuration file names the file, the 1-based line and the key
//! (`device.conf:14: Unit serial number: "ABCDEFGHIJKLMNOPQ" is 17 characters, at most 16`).
//! Unknown keys and other harmless oddities are [`Warning`]s: the parse goes on.

use std::fmt;
use std::path::{Path, PathBuf};

/// A configuration file that cannot be used, or a file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {source}", file.display())]
    Io {
        /// The file.
        file: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A value longer than its field allows (INQUIRY vendor 8, product revision 4, unit
    /// serial number 16, barcode 16 characters).
    #[error("{}:{line}: {key}: {value:?} is {len} characters, at most {max}", file.display())]
    TooLong {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The key (`Unit serial number`, `Slot 7`, ...).
        key: String,
        /// The value as written.
        value: String,
        /// Its length in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// A number was expected.
    #[error("{}:{line}: {key}: {value:?} is not a number", file.display())]
    NotANumber {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
    },
    /// A number outside the range the key accepts.
    #[error("{}:{line}: {key}: {value} is out of range ({range})", file.display())]
    OutOfRange {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// The accepted range, in words (`2..=9999`).
        range: &'static str,
    },
    /// A value that is not one of those the key accepts.
    #[error("{}:{line}: {key}: {value:?} {why}", file.display())]
    BadValue {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The key.
        key: String,
        /// The value as written.
        value: String,
        /// What is wrong with it (`is not True, Yes, False or No`).
        why: String,
    },
    /// A line that breaks the file's structure: a key outside any stanza, a stanza header
    /// without its address, an element given twice, a key without a value.
    #[error("{}:{line}: {key}: {why}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The key (or the start of the line).
        key: String,
        /// What is wrong.
        why: String,
    },
    /// A barcode whose media cannot be told from its last two characters (spec 2.5,
    /// make_vtl_media): nothing can be created for it.
    #[error("{}: {element}: barcode {barcode:?}: {why}", file.display())]
    UnknownMedia {
        /// The library_contents file (`library_contents.<id>`).
        file: PathBuf,
        /// The element holding the cartridge (`Slot 7`, `MAP 1`, `Picker 1`).
        element: String,
        /// The barcode.
        barcode: String,
        /// Why no media was found.
        why: &'static str,
    },
    /// A library_contents file of a library that device.conf does not define.
    #[error("{}: no 'Library: {library}' stanza in device.conf", file.display())]
    UnknownLibrary {
        /// The library_contents file.
        file: PathBuf,
        /// Its library id.
        library: u32,
    },
}

impl ConfigError {
    /// The file the error is about.
    pub fn file(&self) -> &Path {
        match self {
            Self::Io { file, .. }
            | Self::TooLong { file, .. }
            | Self::NotANumber { file, .. }
            | Self::OutOfRange { file, .. }
            | Self::BadValue { file, .. }
            | Self::Syntax { file, .. }
            | Self::UnknownMedia { file, .. }
            | Self::UnknownLibrary { file, .. } => file,
        }
    }

    /// The 1-based line, for errors about one line of a file.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::TooLong { line, .. }
            | Self::NotANumber { line, .. }
            | Self::OutOfRange { line, .. }
            | Self::BadValue { line, .. }
            | Self::Syntax { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The key (or element) the error is about, when there is one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::TooLong { key, .. }
            | Self::NotANumber { key, .. }
            | Self::OutOfRange { key, .. }
            | Self::BadValue { key, .. }
            | Self::Syntax { key, .. } => Some(key),
            Self::UnknownMedia { element, .. } => Some(element),
            _ => None,
        }
    }
}

/// Something in a configuration file that was ignored or replaced by a default, with where
/// it is. Printed as `file:line: key: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The key (or the start of the line when it has no key).
    pub key: String,
    /// What was done about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file.display(),
            self.line,
            self.key,
            self.message
        )
    }
}

/// Result of this crate.
pub type Result<T, E = ConfigError> = std::result::Result<T, E>;
