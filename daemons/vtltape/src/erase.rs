//! ERASE(6) (SSC-5 7.1).

use vtl_scsi::ScsiError;

use crate::cdb::Erase6;
use crate::drive::{Allowance, Drive, Slot};

impl Drive {
    /// ERASE(6): LONG=1 erases from the current position to the end of the partition; LONG=0
    /// (short erase) records end of data at the current position. Both truncate the
    /// partition here, durably, at any position (SSC allows it; mhvtl only at BOT).
    ///
    /// Write permission as [`Drive::check_write_here`] says (DATA PROTECT for write protect,
    /// WORM before EOD, append-only mode before EOD). IMMED=1 defers an error.
    pub fn erase6(&mut self, c: &Erase6) -> Result<(), ScsiError> {
        self.data_medium()?;
        self.check_write_here()?;
        self.allowance = Allowance::None;
        let Slot::Loaded(l) = &mut self.slot else {
            unreachable!("checked by data_medium")
        };
        let r = match l.cart.erase() {
            Ok(()) => {
                self.unsynced = false;
                Ok(())
            }
            Err(e) => Err(self.write_error(&e)),
        };
        self.immed(c.immed(), r)
    }
}
