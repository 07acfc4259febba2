//! ALLOW OVERWRITE (SSC-5 7.1a) and append-only mode (SSC-5 4.2.24).
//!
//! In append-only mode (vtlcmd `Append Only Yes`, personalities with append-only support)
//! writes are accepted only at end of data; ALLOW OVERWRITE with "current position" names the
//! one position where the next write may overwrite, "format" allows SET CAPACITY / FORMAT
//! MEDIUM. The write-permission check itself is [`Drive::check_write_here`].

use vtl_scsi::{Asc, ScsiError};

use crate::cdb::{AllowOverwrite, AllowOverwriteKind};
use crate::drive::{Allowance, Drive, ILLEGAL_COMMAND_NOT_IN_APPEND_ONLY_MODE};

impl Drive {
    /// ALLOW OVERWRITE.
    ///
    /// * Not in append-only mode: ILLEGAL REQUEST / ILLEGAL COMMAND WHEN NOT IN APPEND-ONLY
    ///   MODE (0x05/0x20/0x0C).
    /// * 0h: withdraw any allowance.
    /// * 1h: the PARTITION NUMBER and LOGICAL OBJECT IDENTIFIER must be the current position,
    ///   else ILLEGAL REQUEST / SEQUENTIAL POSITIONING ERROR (0x05/0x3B/0x00); the next
    ///   write-type command there may overwrite. Any command that moves the tape withdraws it.
    /// * 2h: allow SET CAPACITY (and FORMAT MEDIUM).
    pub fn allow_overwrite(&mut self, c: &AllowOverwrite) -> Result<(), ScsiError> {
        if !self.append_only {
            return Err(ScsiError::illegal(ILLEGAL_COMMAND_NOT_IN_APPEND_ONLY_MODE));
        }
        let pos = self.loaded()?.cart.position();
        match c.kind() {
            AllowOverwriteKind::Disabled => {
                self.allowance = Allowance::None;
                self.allow_format = false;
            }
            AllowOverwriteKind::CurrentPosition => {
                if u32::from(c.partition()) != pos.partition || c.id() != u64::from(pos.block) {
                    return Err(ScsiError::illegal(Asc::SEQUENTIAL_POSITIONING_ERROR_3B));
                }
                self.allowance = Allowance::At(pos.partition, pos.block);
            }
            AllowOverwriteKind::Format => self.allow_format = true,
        }
        Ok(())
    }
}
