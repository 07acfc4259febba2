//! FORMAT MEDIUM (SSC-5 7.x): lay the loaded cartridge out as one partition or as the
//! partitions MODE SELECT of page 0x11 asked for ([`crate::partitioning`]).

use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::cdb::FormatMedium;
use crate::drive::{
    Allowance, Drive, OPERATOR_SELECTED_WRITE_PROTECT, POSITION_PAST_BEGINNING_OF_MEDIUM, Slot,
    WORM_OVERWRITE_ATTEMPTED,
};
use crate::partitioning::{PartitionRequest, plan_request};

impl Drive {
    /// The checks FORMAT MEDIUM and SET CAPACITY share (SSC-5 7.x, 7.13): the medium must
    /// be at BOP of partition 0 (else ILLEGAL REQUEST / POSITION PAST BEGINNING OF MEDIUM,
    /// 0x05/0x3B/0x0C); a WORM medium holding data is DATA PROTECT / WORM MEDIUM -
    /// OVERWRITE ATTEMPTED (0x07/0x30/0x0C); append-only mode with data and no ALLOW
    /// OVERWRITE format is DATA PROTECT / OPERATOR SELECTED WRITE PROTECT (0x07/0x5A/0x02);
    /// write protection and a generation the drive only reads as for writes
    /// ([`Drive::check_write_here`]).
    pub(crate) fn check_format_allowed(&mut self) -> Result<(), ScsiError> {
        let (append_only, allow_format) = (self.append_only, self.allow_format);
        let l = self.data_medium()?;
        let pos = l.cart.position();
        if pos.partition != 0 || pos.block != 0 {
            return Err(ScsiError::illegal(POSITION_PAST_BEGINNING_OF_MEDIUM));
        }
        let has_data =
            (0..l.cart.partition_count()).any(|p| l.cart.partition(p).is_some_and(|p| p.eod() > 0));
        let worm = l.worm;
        if worm && has_data {
            return Err(ScsiError::Check(Sense::new(
                SenseKey::DataProtect,
                WORM_OVERWRITE_ATTEMPTED,
            )));
        }
        if append_only && has_data && !allow_format {
            return Err(ScsiError::Check(Sense::new(
                SenseKey::DataProtect,
                OPERATOR_SELECTED_WRITE_PROTECT,
            )));
        }
        // Write protection (at BOP the WORM / append-only rules above already decided).
        let saved_append = std::mem::replace(&mut self.append_only, false);
        let check = self.check_write_here();
        self.append_only = saved_append;
        if !worm || !has_data {
            check?;
        }
        Ok(())
    }

    /// Lay the loaded cartridge out with partitions of `caps` bytes
    /// ([`libvtlcart::Cartridge::format_partitions`]) and reset what a format resets: the
    /// pending partition request, ALLOW OVERWRITE, programmable early warning; position
    /// BOP of partition 0. A media error is reported as for writes.
    pub(crate) fn apply_format(&mut self, caps: &[u64]) -> Result<(), ScsiError> {
        let Slot::Loaded(l) = &mut self.slot else {
            return Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT));
        };
        let r = l.cart.format_partitions(caps);
        self.allow_format = false;
        self.allowance = Allowance::None;
        self.pending_partitions = None;
        self.pew.reset();
        self.position_valid = true;
        match r {
            Ok(()) => {
                self.unsynced = false;
                Ok(())
            }
            Err(e) => Err(self.write_error(&e)),
        }
    }

    /// FORMAT MEDIUM: erase the medium and lay it out anew.
    ///
    /// * FORMAT 0h (default format): one partition of the whole native capacity (the MAM's
    ///   MAXIMUM CAPACITY; this also undoes SET CAPACITY).
    /// * FORMAT 1h (partition) and 2h (default format, then partition — the same here): the
    ///   partitions MODE SELECT of page 0x11 asked for, or, when it asked for nothing since
    ///   this cartridge was loaded, the partitions the medium has now (sizes as they are).
    ///
    /// Checks as [`Drive::check_format_allowed`] says; a request the loaded medium cannot
    /// hold (more partitions than [`Drive::medium_max_partitions`], sizes that do not fit)
    /// is ILLEGAL REQUEST / CANNOT FORMAT MEDIUM - INCOMPATIBLE MEDIUM (0x05/0x30/0x06).
    /// VERIFY is accepted (nothing to verify). IMMED=1 returns GOOD and reports a media
    /// error as a deferred error.
    pub fn format_medium(&mut self, c: &FormatMedium) -> Result<(), ScsiError> {
        self.check_format_allowed()?;
        let max = usize::from(self.medium_max_partitions());
        let Slot::Loaded(l) = &self.slot else {
            return Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT));
        };
        let native = l.cart.mam().base.max_capacity.get();
        let caps = match c.format() {
            0 => vec![native],
            _ => match self.pending_partitions() {
                Some(p) => {
                    let request = p.request.clone();
                    let n = match &request {
                        PartitionRequest::Single => 1,
                        PartitionRequest::Equal(n) => *n,
                        PartitionRequest::Sizes(s) => s.len(),
                    };
                    if n > max {
                        return Err(ScsiError::illegal(
                            Asc::CANNOT_FORMAT_MEDIUM_INCOMPATIBLE_MEDIUM,
                        ));
                    }
                    plan_request(native, &request).map_err(|_| {
                        ScsiError::illegal(Asc::CANNOT_FORMAT_MEDIUM_INCOMPATIBLE_MEDIUM)
                    })?
                }
                None => self.partition_capacities(),
            },
        };
        let r = self.apply_format(&caps);
        self.immed(c.immed(), r)
    }
}
