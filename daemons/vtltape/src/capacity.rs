//! SET CAPACITY (SSC-5 7.13).

use libvtlcart::Format;
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::cdb::SetCapacity;
use crate::drive::{
    Drive, OPERATOR_SELECTED_WRITE_PROTECT, POSITION_PAST_BEGINNING_OF_MEDIUM, Slot,
    WORM_OVERWRITE_ATTEMPTED,
};

/// The smallest capacity SET CAPACITY leaves (bytes).
pub const MIN_CAPACITY: u64 = 1 << 20;

impl Drive {
    /// SET CAPACITY: the medium becomes one partition of CAPACITY PROPORTION VALUE / 65535 of
    /// its native capacity (at least [`MIN_CAPACITY`]), and its data is erased.
    ///
    /// The native capacity is the MAM's MAXIMUM CAPACITY. On a v6 cartridge the new capacity
    /// is stored as partition 0's capacity (`mhvtl_data`), so the proportion always refers to
    /// the native capacity; a legacy cartridge has no such field, so its MAXIMUM CAPACITY
    /// itself is changed (a later SET CAPACITY is then relative to the reduced value).
    ///
    /// Errors: not at BOP of partition 0: ILLEGAL REQUEST / POSITION PAST BEGINNING OF MEDIUM
    /// (0x05/0x3B/0x0C); write protect as for writes; WORM media holding data: DATA PROTECT
    /// 0x30/0x0C; append-only mode without ALLOW OVERWRITE format and with data: DATA PROTECT
    /// 0x5A/0x02; a medium of several partitions: ILLEGAL REQUEST / CANNOT FORMAT MEDIUM -
    /// INCOMPATIBLE MEDIUM (0x30/0x06), libvtlcart cannot remove partitions yet.
    pub fn set_capacity(&mut self, c: &SetCapacity) -> Result<(), ScsiError> {
        let (append_only, allow_format) = (self.append_only, self.allow_format);
        let l = self.data_medium()?;
        let pos = l.cart.position();
        if pos.partition != 0 || pos.block != 0 {
            return Err(ScsiError::illegal(POSITION_PAST_BEGINNING_OF_MEDIUM));
        }
        let has_data = l.cart.partition(0).is_some_and(|p| p.eod() > 0);
        let worm = l.worm;
        if l.cart.partition_count() > 1 {
            return Err(ScsiError::illegal(
                Asc::CANNOT_FORMAT_MEDIUM_INCOMPATIBLE_MEDIUM,
            ));
        }
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
        let Slot::Loaded(l) = &mut self.slot else {
            unreachable!("checked by data_medium")
        };
        let r = (|| {
            l.cart.erase()?;
            let native = l.cart.mam().base.max_capacity.get();
            let p = u64::from(c.proportion());
            let cap = (u128::from(native) * u128::from(p) / 65535) as u64;
            let cap = cap.max(MIN_CAPACITY).min(native.max(MIN_CAPACITY));
            let v6 = l.cart.format() == Format::V6;
            let mam = l.cart.mam_mut();
            if v6 {
                mam.partition_capacity[0] = if p == 65535 {
                    [0; 8]
                } else {
                    cap.to_be_bytes()
                };
            } else {
                mam.base.max_capacity = cap.into();
            }
            mam.base.remaining_capacity = cap.into();
            l.cart.write_mam()
        })();
        self.allow_format = false;
        let r = match r {
            Ok(()) => {
                self.unsynced = false;
                Ok(())
            }
            Err(e) => Err(self.write_error(&e)),
        };
        self.immed(c.immed(), r)
    }
}
