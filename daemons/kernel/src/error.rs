//! Errors of the kernel transport: each names the device path and the operation, and keeps
//! the operating system's error.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::address::LuAddress;
use crate::message::DecodeError;

/// What went wrong talking to `vtl.ko`.
#[derive(Debug, thiserror::Error)]
pub enum KernelError {
    /// The control device does not exist: the module is not loaded.
    #[error(
        "{path}: no such device; is the vtl kernel module loaded? (modprobe vtl, or insmod vtl.ko)"
    )]
    ModuleNotLoaded {
        /// The control device path tried.
        path: PathBuf,
    },
    /// The module speaks another interface version than this program.
    #[error(
        "{path}: the vtl kernel module speaks interface version {module}, this program version {ours}"
    )]
    VersionMismatch {
        /// The control device path.
        path: PathBuf,
        /// `VTL_UAPI_VERSION` of the module.
        module: u32,
        /// `VTL_UAPI_VERSION` of this program.
        ours: u32,
    },
    /// An address outside the module's limits.
    #[error(
        "logical unit address {addr} out of range (channel 0..=15, target 0..=255, LUN 0..=255)"
    )]
    AddressOutOfRange {
        /// The address given.
        addr: LuAddress,
    },
    /// The logical unit was removed (`VTL_IOC_REMOVE_LU` or module unload) while this
    /// program held its device: reads and writes get ENODEV.
    #[error("{path}: logical unit {addr} was removed")]
    Removed {
        /// The unit's device path.
        path: PathBuf,
        /// The unit's address.
        addr: LuAddress,
    },
    /// The unit's device node did not appear after `VTL_IOC_ADD_LU`.
    #[error("{path}: device node did not appear within {waited:?} (udev or devtmpfs missing?)")]
    NodeMissing {
        /// The node expected.
        path: PathBuf,
        /// How long it was waited for.
        waited: Duration,
    },
    /// The module sent bytes that are not a valid message.
    #[error("{path}: bad message from the kernel module: {source}")]
    Protocol {
        /// The unit's device path.
        path: PathBuf,
        /// What is wrong with it.
        #[source]
        source: DecodeError,
    },
    /// A system call failed.
    #[error("{path}: {op}: {source}")]
    Io {
        /// The device path.
        path: PathBuf,
        /// The operation ("open", "VTL_IOC_ADD_LU", "read", ...).
        op: &'static str,
        /// The operating system's error.
        #[source]
        source: io::Error,
    },
}

impl KernelError {
    pub(crate) fn io(path: impl Into<PathBuf>, op: &'static str, source: io::Error) -> Self {
        KernelError::Io {
            path: path.into(),
            op,
            source,
        }
    }

    /// The operating system's error number, for [`KernelError::Io`].
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            KernelError::Io { source, .. } => source.raw_os_error(),
            _ => None,
        }
    }

    /// EBUSY: another daemon holds the unit, or the address has a unit of another type.
    pub fn is_busy(&self) -> bool {
        self.raw_os_error() == Some(libc::EBUSY)
    }

    /// The unit was removed under its daemon.
    pub fn is_removed(&self) -> bool {
        matches!(self, KernelError::Removed { .. })
    }
}
