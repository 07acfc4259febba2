//! SET CAPACITY (SSC-5 7.13).

use vtl_scsi::ScsiError;

use crate::cdb::SetCapacity;
use crate::drive::{Drive, Slot};

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
    /// The medium becomes one partition whatever it had before: SET CAPACITY on a
    /// partitioned cartridge removes the other partitions (spec 1.15).
    ///
    /// Errors as [`Drive::check_format_allowed`] says (not at BOP of partition 0, WORM with
    /// data, append-only mode, write protection).
    pub fn set_capacity(&mut self, c: &SetCapacity) -> Result<(), ScsiError> {
        self.check_format_allowed()?;
        let Slot::Loaded(l) = &self.slot else {
            unreachable!("checked by check_format_allowed")
        };
        let native = l.cart.mam().base.max_capacity.get();
        let p = u64::from(c.proportion());
        let cap = (u128::from(native) * u128::from(p) / 65535) as u64;
        let cap = cap.max(MIN_CAPACITY).min(native);
        let r = self.apply_format(&[cap]);
        self.immed(c.immed(), r)
    }
}
