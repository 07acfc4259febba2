//! One logical unit's device, `/dev/vtl/lu-C-T-L`, held by its daemon: attach (add or
//! reattach, open, make visible to the kernel), serve, remove.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use vtl_scsi::LogicalUnit;

use crate::address::{DeviceType, LuAddress};
use crate::channel::{Dispatcher, FdChannel};
use crate::control::Control;
use crate::error::KernelError;
use crate::sys;
use crate::uapi;

/// How long [`Unit::attach`] waits for the device node to appear (udev may create it
/// after `VTL_IOC_ADD_LU` returns; devtmpfs creates it before).
pub const NODE_WAIT: Duration = Duration::from_secs(5);

/// An open `/dev/vtl/lu-C-T-L`: this process is the unit's daemon until it drops it.
#[derive(Debug)]
pub struct Unit {
    file: File,
    path: PathBuf,
    addr: LuAddress,
    host: u32,
    existed: bool,
    dispatcher: Option<Dispatcher>,
}

fn open_node(path: &Path) -> Result<File, KernelError> {
    let start = Instant::now();
    loop {
        let r = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC | libc::O_NONBLOCK)
            .open(path);
        match r {
            Ok(f) => return Ok(f),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if start.elapsed() >= NODE_WAIT {
                    return Err(KernelError::NodeMissing {
                        path: path.to_path_buf(),
                        waited: NODE_WAIT,
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(KernelError::io(path, "open", e)),
        }
    }
}

impl Unit {
    /// Become the daemon of logical unit `addr` of type `ty`: add it (or find it again after
    /// a restart), open its device (waiting up to [`NODE_WAIT`] for the node) and ask the
    /// kernel to make it visible (`VTL_IOC_SCAN`, asynchronous: the kernel's INQUIRY arrives
    /// once [`Unit::serve`] runs). EBUSY ([`KernelError::is_busy`]) when another daemon
    /// holds it.
    pub fn attach(ctl: &Control, addr: LuAddress, ty: DeviceType) -> Result<Unit, KernelError> {
        let added = ctl.add(addr, ty)?;
        let file = open_node(&added.devname)?;
        sys::ioctl_none(file.as_fd(), uapi::VTL_IOC_SCAN)
            .map_err(|e| KernelError::io(&added.devname, "VTL_IOC_SCAN", e))?;
        tracing::info!(
            unit = %addr,
            host = added.host,
            device = %added.devname.display(),
            reattached = added.existed,
            "attached to the vtl kernel module"
        );
        Ok(Unit {
            file,
            path: added.devname,
            addr,
            host: added.host,
            existed: added.existed,
            dispatcher: None,
        })
    }

    /// The SCSI host number (the H of H:C:T:L).
    pub fn host(&self) -> u32 {
        self.host
    }

    /// The unit's channel, target and LUN.
    pub fn address(&self) -> LuAddress {
        self.addr
    }

    /// The unit's character device.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the unit existed before [`Unit::attach`] (a restarted daemon reattached).
    pub fn reattached(&self) -> bool {
        self.existed
    }

    /// The sysfs directory of the unit's SCSI device, /sys/class/scsi_device/H:C:T:L.
    pub fn sysfs_path(&self) -> PathBuf {
        let a = self.addr;
        PathBuf::from(format!(
            "/sys/class/scsi_device/{}:{}:{}:{}",
            self.host, a.channel, a.target, a.lun
        ))
    }

    /// Whether the kernel has the unit as a SCSI device (its sysfs directory exists), i.e.
    /// the scan's INQUIRY has been answered.
    pub fn is_visible(&self) -> bool {
        self.sysfs_path().exists()
    }

    /// Serve `lu` until `stop` is set: every command the kernel sends is executed and
    /// answered, aborts are noted, resets passed on ([`vtl_scsi::ResetEvent`]). `stop` is
    /// looked at least every 500 ms and after every signal. `Ok(())` when stopped;
    /// [`KernelError::Removed`] when the unit was removed under this daemon; another error
    /// when the device fails.
    pub fn serve(
        &mut self,
        lu: &mut dyn LogicalUnit,
        stop: &AtomicBool,
    ) -> Result<(), KernelError> {
        let dispatcher = self
            .dispatcher
            .get_or_insert_with(|| Dispatcher::new(self.path.clone(), self.addr));
        dispatcher.serve(&mut FdChannel(self.file.as_fd()), lu, stop)
    }

    /// Close the device (commands still outstanding complete with DID_NO_CONNECT) and
    /// remove the unit from the kernel ([`Control::remove`]).
    pub fn remove(self, ctl: &Control) -> Result<(), KernelError> {
        let addr = self.addr;
        drop(self);
        ctl.remove(addr)
    }
}

impl AsFd for Unit {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}
