//! `/dev/vtl/control`: add, remove and query the module's logical units
//! (`VTL_IOC_ADD_LU`, `VTL_IOC_REMOVE_LU`, `VTL_IOC_INFO` of vtl_uapi.h).

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use zerocopy::FromZeros;

use crate::address::{DeviceType, LuAddress};
use crate::error::KernelError;
use crate::sys;
use crate::uapi::{self, VtlAddLu, VtlInfo, VtlLuAddr};

/// What the module reports about itself (`VTL_IOC_INFO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// The module's `VTL_UAPI_VERSION`.
    pub version: u32,
    /// Its SCSI host number (the H of H:C:T:L).
    pub host: u32,
    /// Largest data transfer of one command, in bytes (`VTL_MAX_XFER`).
    pub max_xfer: u32,
    /// Logical units present.
    pub units: u32,
}

/// A logical unit added (or found again) by [`Control::add`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// SCSI host number.
    pub host: u32,
    /// The unit existed already, with no daemon attached (a restarted daemon reattaches).
    pub existed: bool,
    /// Its character device, e.g. /dev/vtl/lu-0-1-0.
    pub devname: PathBuf,
}

/// An open `/dev/vtl/control`.
#[derive(Debug)]
pub struct Control {
    file: File,
    path: PathBuf,
}

impl Control {
    /// Where the module's control device appears.
    pub const DEFAULT_PATH: &'static str = "/dev/vtl/control";

    /// Open the control device at `path` and check that the module speaks this program's
    /// interface version. [`KernelError::ModuleNotLoaded`] when `path` does not exist.
    pub fn open(path: &Path) -> Result<Control, KernelError> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(path)
            .map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => KernelError::ModuleNotLoaded {
                    path: path.to_path_buf(),
                },
                _ => KernelError::io(path, "open", e),
            })?;
        let ctl = Control {
            file,
            path: path.to_path_buf(),
        };
        let info = ctl.info()?;
        if info.version != uapi::VTL_UAPI_VERSION {
            return Err(KernelError::VersionMismatch {
                path: ctl.path,
                module: info.version,
                ours: uapi::VTL_UAPI_VERSION,
            });
        }
        Ok(ctl)
    }

    /// The control device's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The module's version, host number, transfer limit and unit count.
    pub fn info(&self) -> Result<Info, KernelError> {
        let mut arg = VtlInfo::new_zeroed();
        sys::ioctl_arg(self.file.as_fd(), uapi::VTL_IOC_INFO, &mut arg)
            .map_err(|e| KernelError::io(&self.path, "VTL_IOC_INFO", e))?;
        Ok(Info {
            version: arg.version,
            host: arg.host,
            max_xfer: arg.max_xfer,
            units: arg.units,
        })
    }

    /// Create the logical unit `addr` of type `ty`, or find the one already there with no
    /// daemon attached (`existed`). EBUSY ([`KernelError::is_busy`]) when a daemon holds it
    /// or its type differs; ENOSPC when the module holds its maximum of units.
    pub fn add(&self, addr: LuAddress, ty: DeviceType) -> Result<Added, KernelError> {
        if !addr.is_valid() {
            return Err(KernelError::AddressOutOfRange { addr });
        }
        let mut arg = VtlAddLu::new_zeroed();
        arg.version = uapi::VTL_UAPI_VERSION;
        arg.channel = addr.channel;
        arg.target = addr.target;
        arg.lun = addr.lun;
        arg.r#type = ty.code();
        sys::ioctl_arg(self.file.as_fd(), uapi::VTL_IOC_ADD_LU, &mut arg)
            .map_err(|e| KernelError::io(&self.path, "VTL_IOC_ADD_LU", e))?;
        let end = arg.devname.iter().position(|&b| b == 0).unwrap_or(0);
        let name = String::from_utf8_lossy(&arg.devname[..end]);
        let devname = if name.is_empty() {
            Path::new("/dev").join(addr.devname())
        } else {
            Path::new("/dev").join(name.as_ref())
        };
        Ok(Added {
            host: arg.host,
            existed: arg.flags & uapi::VTL_LU_EXISTED != 0,
            devname,
        })
    }

    /// Remove the logical unit `addr`: out of the SCSI midlayer (its /dev/nstN goes), its
    /// character device deleted; a daemon still holding it gets
    /// [`KernelError::Removed`]. ENOENT when there is no unit there.
    pub fn remove(&self, addr: LuAddress) -> Result<(), KernelError> {
        if !addr.is_valid() {
            return Err(KernelError::AddressOutOfRange { addr });
        }
        let mut arg = VtlLuAddr {
            version: uapi::VTL_UAPI_VERSION,
            channel: addr.channel,
            target: addr.target,
            lun: addr.lun,
        };
        sys::ioctl_arg(self.file.as_fd(), uapi::VTL_IOC_REMOVE_LU, &mut arg)
            .map_err(|e| KernelError::io(&self.path, "VTL_IOC_REMOVE_LU", e))
    }
}
