//! vtltape's status FIFO (device.conf `fifo:` of the drive stanza, or `vtltape -f FIFO`;
//! spec 4.3): one line per drive state change, in the format and with the FIFO handling of
//! the library's ([`vtllibrary::status_fifo`], where the state names are).
//!
//! The drive itself knows nothing of this: the daemon derives the state around each SCSI
//! command ([`Reporting`], from the operation code) and each control request that loads or
//! unloads ([`ReportingControl`]), looking at the drive before and after ([`Activity`],
//! [`DriveStatus`]). A line is written only when the state changes:
//!
//! | what | before | after |
//! |---|---|---|
//! | start | `Initialising` | `Idle`, or the load of the cartridge restored at start |
//! | load (LOAD UNLOAD with LOAD=1 of a cartridge in the mouth, vtlcmd `load`, the library's `lload`) | `Loading` | `Loading Cleaning Tape` / `Loading WORM media` / `Loading NULL media` for those media, then `Loaded`; `Load failed` when refused |
//! | unload (LOAD UNLOAD with LOAD=0, vtlcmd `unload`, the library's `set_empty`) | `Unloading` | `Unloaded` |
//! | REWIND, SPACE, LOCATE, ERASE, VERIFY on a loaded cartridge | `Rewinding`, `Positioning`, `Erasing`, `Verifying` | `Loaded - Idle` |
//! | READ, WRITE, WRITE FILEMARKS on a loaded cartridge | `Reading`, `Writing` | unchanged: a stream of them is one line |
//! | any other command after READ or WRITE | `Loaded - Idle` | — |
//!
//! The state lock is taken before the drive's and held for the whole command, so the lines
//! of a SCSI command and of a concurrent vtlcmd `load` never interleave.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use libvtlcart::MediumType;
use vtl_control::{Control, Outcome, Request};
use vtl_scsi::{LogicalUnit, Reply, Request as ScsiRequest, ResetEvent};
use vtllibrary::status_fifo::{DriveState, StatusFifo};
use vtltape::TapeDrive;

/// What a command or control request does to the drive's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// Puts a cartridge in (or threads the one in the mouth).
    Load,
    /// Takes the cartridge out (or to the mouth).
    Unload,
    /// Works on the loaded cartridge; the state while it does.
    Busy(DriveState),
    /// Anything else (inquiries, mode pages, TEST UNIT READY, vtlcmd `status`, ...).
    Other,
}

/// The [`Activity`] of the SSC command `cdb` (by its operation code; LOAD UNLOAD by its
/// LOAD bit, byte 4 bit 0). An empty CDB is [`Activity::Other`].
pub fn scsi_activity(cdb: &[u8]) -> Activity {
    match cdb.first() {
        Some(0x01) => Activity::Busy(DriveState::Rewinding),
        Some(0x08) => Activity::Busy(DriveState::Reading),
        Some(0x0a | 0x10) => Activity::Busy(DriveState::Writing),
        Some(0x11 | 0x91 | 0x2b | 0x92) => Activity::Busy(DriveState::Positioning),
        Some(0x13) => Activity::Busy(DriveState::Verifying),
        Some(0x19) => Activity::Busy(DriveState::Erasing),
        Some(0x1b) => match cdb.get(4) {
            Some(b) if b & 1 == 1 => Activity::Load,
            Some(_) => Activity::Unload,
            None => Activity::Other,
        },
        _ => Activity::Other,
    }
}

/// The [`Activity`] of control request `req`: `load` and `lload` load, `unload` and
/// `set_empty` unload, everything else changes no state.
pub fn control_activity(req: &Request) -> Activity {
    match req {
        Request::Load(_) | Request::LibraryLoad(_) => Activity::Load,
        Request::Unload(_) | Request::SetEmpty => Activity::Unload,
        _ => Activity::Other,
    }
}

/// A drive's state and the FIFO it is reported to (none: [`DriveStatus::around`] tracks
/// nothing, as nobody would read it).
#[derive(Debug)]
pub struct DriveStatus {
    fifo: Option<StatusFifo>,
    state: DriveState,
}

/// The status as the daemon's threads share it (lock it before the drive).
pub type SharedStatus = Arc<Mutex<DriveStatus>>;

impl DriveStatus {
    /// A drive starting (`Initialising`, written at once) reporting to `fifo`.
    pub fn new(mut fifo: Option<StatusFifo>) -> Self {
        if let Some(f) = &mut fifo {
            f.drive_state(DriveState::Initialising);
        }
        DriveStatus {
            fifo,
            state: DriveState::Initialising,
        }
    }

    /// Drive `id` reporting to the FIFO at `path` (created mode 0644 if absent), or to
    /// none; the warning when the FIFO cannot be opened (the drive then runs without it).
    pub fn open(path: Option<&Path>, id: u32) -> (Self, Option<String>) {
        let Some(path) = path else {
            return (DriveStatus::new(None), None);
        };
        match StatusFifo::open(path, id) {
            Ok(f) => (DriveStatus::new(Some(f)), None),
            Err(e) => (
                DriveStatus::new(None),
                Some(format!("status FIFO {}: {e}", path.display())),
            ),
        }
    }

    /// The current state.
    pub fn state(&self) -> DriveState {
        self.state
    }

    /// Change to `s`, writing its line if it differs from the current state.
    pub fn set(&mut self, s: DriveState) {
        if s != self.state {
            self.state = s;
            if let Some(f) = &mut self.fifo {
                f.drive_state(s);
            }
        }
    }

    /// Before activity `a` on drive `d` (module documentation).
    pub fn begin(&mut self, a: Activity, d: &TapeDrive) {
        match a {
            Activity::Load if !d.is_loaded() => self.set(DriveState::Loading),
            Activity::Unload if d.drive().has_cartridge() => self.set(DriveState::Unloading),
            Activity::Busy(s) if d.is_loaded() => self.set(s),
            Activity::Other if matches!(self.state, DriveState::Reading | DriveState::Writing) => {
                self.set(DriveState::LoadedIdle)
            }
            _ => {}
        }
    }

    /// After activity `a` on drive `d` (module documentation).
    pub fn end(&mut self, a: Activity, d: &TapeDrive) {
        match a {
            Activity::Load if self.state == DriveState::Loading => {
                if d.is_loaded() {
                    let kind = d.drive().cartridge().map(|c| c.mam().medium_type());
                    match kind {
                        Some(MediumType::Cleaning) => self.set(DriveState::LoadingCleaning),
                        Some(MediumType::Worm) => self.set(DriveState::LoadingWorm),
                        Some(MediumType::Null) => self.set(DriveState::LoadingNull),
                        _ => {}
                    }
                    self.set(DriveState::Loaded);
                } else {
                    self.set(DriveState::LoadFailed);
                }
            }
            Activity::Unload if self.state == DriveState::Unloading && !d.is_loaded() => {
                self.set(DriveState::Unloaded)
            }
            Activity::Busy(s)
                if self.state == s && !matches!(s, DriveState::Reading | DriveState::Writing) =>
            {
                self.set(if d.is_loaded() {
                    DriveState::LoadedIdle
                } else {
                    DriveState::Idle
                })
            }
            _ => {}
        }
    }

    /// The start is over (after the restore, if any): `Initialising` becomes `Idle`.
    pub fn started(&mut self) {
        if self.state == DriveState::Initialising {
            self.set(DriveState::Idle);
        }
    }

    /// Run `f` on `drive` as activity `a`: [`DriveStatus::begin`], `f`, [`DriveStatus::end`],
    /// with `status` locked throughout and `drive` locked for each step.
    pub fn around<R>(
        status: &Mutex<DriveStatus>,
        drive: &Mutex<TapeDrive>,
        a: Activity,
        f: impl FnOnce() -> R,
    ) -> R {
        let mut st = status.lock().unwrap_or_else(PoisonError::into_inner);
        if st.fifo.is_none()
            || (a == Activity::Other
                && !matches!(st.state, DriveState::Reading | DriveState::Writing))
        {
            // No FIFO to write to, or nothing to report either side: the drive is not even
            // looked at (this runs around every CDB).
            drop(st);
            return f();
        }
        st.begin(a, &drive.lock().unwrap_or_else(PoisonError::into_inner));
        let r = f();
        st.end(a, &drive.lock().unwrap_or_else(PoisonError::into_inner));
        r
    }
}

/// The drive's logical unit `U` (the daemon's [`Served`](crate::served::Served)) with its
/// state reported around each command.
pub struct Reporting<U> {
    inner: U,
    drive: Arc<Mutex<TapeDrive>>,
    status: SharedStatus,
}

impl<U> std::fmt::Debug for Reporting<U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reporting")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<U: LogicalUnit> Reporting<U> {
    /// `inner`, which executes its commands on `drive`, reporting to `status`.
    pub fn new(inner: U, drive: Arc<Mutex<TapeDrive>>, status: SharedStatus) -> Self {
        Reporting {
            inner,
            drive,
            status,
        }
    }
}

impl<U: LogicalUnit> LogicalUnit for Reporting<U> {
    fn execute(&mut self, req: &ScsiRequest<'_>, data_in: &mut Vec<u8>) -> Reply {
        let inner = &mut self.inner;
        DriveStatus::around(&self.status, &self.drive, scsi_activity(req.cdb), || {
            inner.execute(req, data_in)
        })
    }

    fn reset(&mut self, event: ResetEvent) {
        self.inner.reset(event);
    }
}

/// The drive's control handler `C` (vtl_control's DriveControl) with its state reported
/// around each `load`, `lload`, `unload` and `set_empty`.
pub struct ReportingControl<C> {
    inner: C,
    drive: Arc<Mutex<TapeDrive>>,
    status: SharedStatus,
}

impl<C> std::fmt::Debug for ReportingControl<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportingControl")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl<C: Control> ReportingControl<C> {
    /// `inner`, which works on `drive`, reporting to `status`.
    pub fn new(inner: C, drive: Arc<Mutex<TapeDrive>>, status: SharedStatus) -> Self {
        ReportingControl {
            inner,
            drive,
            status,
        }
    }
}

impl<C: Control> Control for ReportingControl<C> {
    fn handle(&mut self, req: Request) -> Outcome {
        let a = control_activity(&req);
        if a == Activity::Other {
            // status, exit, verbose...: nothing to report, and no wait behind a SCSI command.
            return self.inner.handle(req);
        }
        let inner = &mut self.inner;
        DriveStatus::around(&self.status, &self.drive, a, || inner.handle(req))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities() {
        assert_eq!(
            scsi_activity(&[0x01, 0, 0, 0, 0, 0]),
            Activity::Busy(DriveState::Rewinding)
        );
        assert_eq!(
            scsi_activity(&[0x10, 0, 0, 0, 1, 0]),
            Activity::Busy(DriveState::Writing)
        );
        assert_eq!(
            scsi_activity(&[0x92; 16]),
            Activity::Busy(DriveState::Positioning)
        );
        assert_eq!(scsi_activity(&[0x1b, 0, 0, 0, 1, 0]), Activity::Load);
        assert_eq!(scsi_activity(&[0x1b, 0, 0, 0, 0, 0]), Activity::Unload);
        assert_eq!(scsi_activity(&[0x1b, 0, 0]), Activity::Other);
        assert_eq!(scsi_activity(&[0x00; 6]), Activity::Other);
        assert_eq!(scsi_activity(&[]), Activity::Other);
        assert_eq!(control_activity(&Request::SetEmpty), Activity::Unload);
        assert_eq!(
            control_activity(&Request::LibraryLoad("A".into())),
            Activity::Load
        );
        assert_eq!(
            control_activity(&Request::Status { json: false }),
            Activity::Other
        );
    }
}
