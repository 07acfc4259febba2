//! What carries SCSI commands to a daemon's logical unit: [`Transport`], implemented by
//! [`KernelUnit`] (the vtl kernel module's `/dev/vtl/lu-C-T-L`, crate vtl-kernel) and, in
//! tests, by transports of their own.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use vtl_kernel::{Control, DeviceType, KernelError, LuAddress, Unit};
use vtl_scsi::LogicalUnit;

use crate::setup::Address;

/// A logical unit's connection to its initiators.
pub trait Transport: Send {
    /// Serve `lu` until `stop` is set (`Ok`), or until the transport fails (`Err`, the
    /// reason). Must look at `stop` at least every second.
    fn serve(&mut self, lu: &mut dyn LogicalUnit, stop: &AtomicBool) -> Result<(), String>;
    /// Where the unit is, for the log (`H:C:T:L` and its device).
    fn describe(&self) -> String;
    /// Whether the initiators' side sees the unit (for the kernel: its SCSI device exists).
    fn is_visible(&self) -> bool;
    /// A clean end: remove the unit.
    ///
    /// Errors: the removal failed (the reason).
    fn remove(self: Box<Self>) -> Result<(), String>;
}

/// A logical unit of the vtl kernel module held by this daemon, and the control device it
/// was added through (kept open, also across the privilege change, to remove the unit at the
/// end).
#[derive(Debug)]
pub struct KernelUnit {
    control: Control,
    unit: Unit,
}

impl KernelUnit {
    /// Open the control device `control` and attach to the unit at `addr` of type `ty`
    /// (added, or taken over from a daemon that died; made visible to the kernel).
    ///
    /// Errors: the module is not loaded, speaks another version, the unit is held by
    /// another daemon (EBUSY) or has another type, the device node did not appear.
    pub fn attach(
        control: &Path,
        addr: Address,
        ty: DeviceType,
    ) -> Result<KernelUnit, KernelError> {
        let control = Control::open(control)?;
        let unit = Unit::attach(
            &control,
            LuAddress::new(addr.channel, addr.target, addr.lun),
            ty,
        )?;
        Ok(KernelUnit { control, unit })
    }

    /// Whether the unit was already there (a restarted daemon took it over).
    pub fn reattached(&self) -> bool {
        self.unit.reattached()
    }
}

impl Transport for KernelUnit {
    fn serve(&mut self, lu: &mut dyn LogicalUnit, stop: &AtomicBool) -> Result<(), String> {
        self.unit.serve(lu, stop).map_err(|e| e.to_string())
    }

    fn describe(&self) -> String {
        let a = self.unit.address();
        format!(
            "{}:{}:{}:{} ({})",
            self.unit.host(),
            a.channel,
            a.target,
            a.lun,
            self.unit.path().display()
        )
    }

    fn is_visible(&self) -> bool {
        self.unit.is_visible()
    }

    fn remove(self: Box<Self>) -> Result<(), String> {
        let KernelUnit { control, unit } = *self;
        unit.remove(&control).map_err(|e| e.to_string())
    }
}
