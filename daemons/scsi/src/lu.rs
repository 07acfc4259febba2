//! The interface every transport (in-process for tests, the kernel module's character device)
//! uses to reach a logical unit.

use crate::task::{Nexus, Reply, Request};

/// Reset events a transport reports to a logical unit (SAM-5 6.3, 6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetEvent {
    /// Power on (the logical unit was created).
    PowerOn,
    /// Bus or host reset: every nexus gets a unit attention.
    BusReset,
    /// LOGICAL UNIT RESET / device reset task management function.
    LogicalUnitReset,
    /// One I_T nexus was lost (the initiator went away).
    NexusLoss(Nexus),
}

/// A SCSI logical unit: a tape drive (SSC), a medium changer (SMC).
///
/// `execute` runs one command to completion: it reads `req.cdb` and `req.data_out`, puts
/// data-in bytes into `data_in` (cleared first by the caller; at most the CDB's
/// allocation/transfer length), and returns status and sense. It must never panic,
/// whatever the bytes: malformed CDBs come back as CHECK CONDITION.
pub trait LogicalUnit: Send {
    /// Execute one command.
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply;

    /// A reset or nexus loss happened (sets unit attentions, clears reservations as SPC
    /// says).
    fn reset(&mut self, event: ResetEvent);
}
