//! The library's handle on its drives: [`DriveSlot`], implemented for
//! `Arc<Mutex<vtltape::TapeDrive>>` so that a test (or the daemon's transport) can keep its
//! own handle on the same drive and talk SCSI to it ([`SharedLu`]).
//!
//! How drive refusals become library sense data (the library reports the load failure to
//! the host that sent MOVE MEDIUM, after putting the cartridge back where it was, as
//! StorageTek libraries do: SL4000 SCSI reference, MOVE MEDIUM, "If the load fails, the
//! library attempts to move the tape back to the source and then returns Check
//! Condition"):
//!
//! * medium refused by the drive (generation, WORM support): ILLEGAL REQUEST /
//!   INCOMPATIBLE MEDIUM INSTALLED (05/30/00);
//! * the host prevents medium removal from the drive: ILLEGAL REQUEST / MEDIUM REMOVAL
//!   PREVENTED (05/53/02);
//! * the cartridge cannot be opened or written back, no media home: HARDWARE ERROR /
//!   MEDIUM LOAD OR EJECT FAILED (04/53/00).

use std::sync::{Arc, Mutex, MutexGuard};

use vtl_scsi::inquiry::padded;
use vtl_scsi::{Asc, LogicalUnit, Reply, Request, ResetEvent, Sense, SenseKey};
use vtltape::{DriveError, TapeDrive};

/// What the library needs of a drive.
pub trait DriveSlot: Send {
    /// Insert and thread cartridge `pcl` (MOVE MEDIUM to the drive). On error the drive is
    /// left empty (a refused cartridge is taken back out of its mouth) and the sense is
    /// what the library reports.
    fn load(&mut self, pcl: &str) -> Result<(), Sense>;
    /// Take the cartridge out (the library sends the drive an unload first if the host has
    /// not). `Ok(None)` for an empty drive.
    fn unload(&mut self) -> Result<Option<String>, Sense>;
    /// The barcode of the cartridge in the drive (threaded or in its mouth).
    fn loaded_barcode(&self) -> Option<String>;
    /// The device identifier READ ELEMENT STATUS reports with DVCID (ASCII, T10 vendor ID
    /// based: vendor 8 bytes, product 16 bytes, serial number).
    fn identifier(&self) -> Vec<u8>;
}

/// The library's sense for a drive's load or unload failure (module documentation).
pub fn drive_error_sense(e: &DriveError) -> Sense {
    match e {
        DriveError::IncompatibleMedium { .. } => {
            Sense::new(SenseKey::IllegalRequest, Asc::INCOMPATIBLE_MEDIUM_INSTALLED)
        }
        DriveError::RemovalPrevented => {
            Sense::new(SenseKey::IllegalRequest, Asc::MEDIUM_REMOVAL_PREVENTED)
        }
        DriveError::Occupied(_) => Sense::new(
            SenseKey::IllegalRequest,
            Asc::MEDIUM_DESTINATION_ELEMENT_FULL,
        ),
        DriveError::Empty => Sense::new(SenseKey::IllegalRequest, Asc::MEDIUM_SOURCE_ELEMENT_EMPTY),
        DriveError::NoMediaHome(_) | DriveError::Cart { .. } => {
            Sense::new(SenseKey::HardwareError, Asc::MEDIUM_LOAD_OR_EJECT_FAILED)
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl DriveSlot for Arc<Mutex<TapeDrive>> {
    fn load(&mut self, pcl: &str) -> Result<(), Sense> {
        let mut d = lock(self);
        match d.load_barcode(pcl) {
            Ok(()) => Ok(()),
            Err(e) => {
                // A refused cartridge stays in the drive's mouth: the robot takes it back.
                if d.cartridge_barcode().as_deref() == Some(pcl) {
                    let _ = d.unload();
                }
                Err(drive_error_sense(&e))
            }
        }
    }

    fn unload(&mut self) -> Result<Option<String>, Sense> {
        lock(self).unload().map_err(|e| drive_error_sense(&e))
    }

    fn loaded_barcode(&self) -> Option<String> {
        lock(self).cartridge_barcode()
    }

    fn identifier(&self) -> Vec<u8> {
        let d = lock(self);
        let id = d.spc().identity();
        let mut v = padded(&id.vendor, 8);
        v.extend(padded(&id.product, 16));
        v.extend(id.serial.bytes().filter(|b| (0x20..0x7f).contains(b)));
        v
    }
}

/// A logical unit shared behind a mutex (a drive the library also holds): the transport
/// side of an `Arc<Mutex<L>>`.
#[derive(Debug)]
pub struct SharedLu<L>(pub Arc<Mutex<L>>);

impl<L: LogicalUnit> LogicalUnit for SharedLu<L> {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        lock(&self.0).execute(req, data_in)
    }

    fn reset(&mut self, event: ResetEvent) {
        lock(&self.0).reset(event);
    }
}
