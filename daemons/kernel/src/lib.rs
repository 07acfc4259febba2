//! vtl's kernel transport: how a daemon (vtltape, vtllibrary) becomes a SCSI logical unit
//! of the Linux kernel through the `vtl.ko` pseudo host adapter (kernel-module/ of this
//! repository; the interface is kernel-module/vtl_uapi.h).
//!
//! * [`uapi`]: the header mirrored (constants, `#[repr(C)]` structures, ioctl numbers);
//!   a test checks it against the header text.
//! * [`Control`]: `/dev/vtl/control`; add, remove and query logical units.
//! * [`Unit`]: `/dev/vtl/lu-C-T-L`; attach to a unit and serve a
//!   [`vtl_scsi::LogicalUnit`] on it.
//! * [`message`]: messages decoded and checked, replies encoded; [`channel`]: the service
//!   loop over any [`channel::Channel`].
//!
//! ```no_run
//! use std::path::Path;
//! use std::sync::atomic::AtomicBool;
//! use vtl_kernel::{Control, DeviceType, LuAddress, Unit};
//! use vtltape::{DriveConfig, TapeDrive};
//!
//! // An LTO-8 drive whose cartridges live in /opt/vtl.
//! let mut drive = TapeDrive::new(DriveConfig {
//!     product: "ULT3580-TD8".into(),
//!     media_home: Some(Path::new("/opt/vtl").to_path_buf()),
//!     ..Default::default()
//! });
//! let ctl = Control::open(Path::new(Control::DEFAULT_PATH))?;
//! let mut unit = Unit::attach(&ctl, LuAddress::new(0, 0, 0), DeviceType::Tape)?;
//! let stop = AtomicBool::new(false); // set from a signal handler to stop serving
//! unit.serve(&mut drive, &stop)?;
//! # Ok::<(), vtl_kernel::KernelError>(())
//! ```
#![warn(missing_docs)]

pub mod address;
pub mod channel;
pub mod control;
pub mod error;
pub mod message;
mod sys;
pub mod uapi;
pub mod unit;

pub use address::{DeviceType, LuAddress};
pub use control::{Added, Control, Info};
pub use error::KernelError;
pub use unit::Unit;
