//! WRITE FILEMARKS(6) (SSC-5 7.12): the durability point.

use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::cdb::WriteFilemarks6;
use crate::drive::{Allowance, Drive, Slot};

impl Drive {
    /// WRITE FILEMARKS(6).
    ///
    /// * COUNT > 0: write permission as [`Drive::check_write_here`] says, then the marks are
    ///   written and everything written before them is made durable before the command
    ///   returns (libvtlcart's `write_filemarks`: data, filemark list and index fsync'ed).
    /// * COUNT = 0: synchronize only (flush buffered objects), allowed on any medium.
    /// * IMMED=1 is accepted in buffered mode only (else INVALID FIELD IN CDB byte 1 bit 0);
    ///   the marks are still durable when the command returns, an error is reported as a
    ///   deferred error.
    /// * WSMK (setmarks) is refused when the CDB is parsed.
    /// * Past early warning: CHECK CONDITION NO SENSE, EOM, 0x00/0x02, INFORMATION = 0, the
    ///   marks written.
    pub fn write_filemarks6(&mut self, c: &WriteFilemarks6) -> Result<(), ScsiError> {
        if c.immed() && self.buffered_mode == 0 {
            return Err(ScsiError::cdb(1, Some(0), "IMMED requires buffered mode"));
        }
        self.data_medium()?;
        let count = c.count();
        if count == 0 {
            let r = self.sync();
            return self.immed(c.immed(), r);
        }
        self.check_write_here()?;
        // Filemarks may be written past early warning, not past the end of the partition.
        if let Err(e) = self.check_fits(u64::from(count), 0) {
            return Err(match e {
                ScsiError::Check(s) => ScsiError::Check(s.with_information(i64::from(count))),
                e => e,
            });
        }
        self.allowance = Allowance::None;
        let Slot::Loaded(l) = &mut self.slot else {
            unreachable!("checked by data_medium")
        };
        let r = match l.cart.write_filemarks(count) {
            Ok(_) => {
                self.counters.filemarks(u64::from(count));
                self.unsynced = false;
                if self.past_early_warning() {
                    Err(ScsiError::Check(
                        Sense::new(SenseKey::NoSense, Asc::END_OF_PARTITION_MEDIUM_DETECTED)
                            .with_eom()
                            .with_information(0),
                    ))
                } else if let Some(e) = self.programmable_early_warning() {
                    Err(e)
                } else {
                    Ok(())
                }
            }
            Err(e) => Err(match self.write_error(&e) {
                ScsiError::Check(s) => ScsiError::Check(s.with_information(i64::from(count))),
                e => e,
            }),
        };
        // Early warning is reported even with IMMED (it is not an error of the write).
        match r {
            Err(ScsiError::Check(s)) if s.key == SenseKey::NoSense => Err(ScsiError::Check(s)),
            r => self.immed(c.immed(), r),
        }
    }
}
