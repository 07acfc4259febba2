//! TapeAlert flags (SSC-5 annex A.3, log page 0x2E): 64 one-bit flags numbered 1..=64.
//!
//! Stored as a `u64` where flag *n* is bit *n − 1* — the value `vtlcmd N TapeAlert <hex64>`
//! carries (spec 2.4). The log page reads and clears them (read-and-clear semantics belong
//! to LOG SENSE page 0x2E, built later on [`TapeAlert::take`]).

/// The TapeAlert flags this drive raises by itself (SSC-5 table A.2 numbering).
pub mod flag {
    /// 0x04 Media: the medium has a problem (unrecovered read/write error on the medium).
    pub const MEDIA: u8 = 0x04;
    /// 0x05 Read failure.
    pub const READ_FAILURE: u8 = 0x05;
    /// 0x06 Write failure.
    pub const WRITE_FAILURE: u8 = 0x06;
    /// 0x09 Write protect: a write was attempted on a write-protected cartridge.
    pub const WRITE_PROTECT: u8 = 0x09;
    /// 0x0B Cleaning media: data access was attempted with a cleaning cartridge.
    pub const CLEANING_MEDIA: u8 = 0x0b;
    /// 0x14 Clean now: the drive needs cleaning (cleared by a successful cleaning).
    pub const CLEAN_NOW: u8 = 0x14;
    /// 0x15 Clean periodic: routine cleaning is due (cleared by a successful cleaning).
    pub const CLEAN_PERIODIC: u8 = 0x15;
    /// 0x16 Expired cleaning media: the cleaning cartridge has been used up.
    pub const EXPIRED_CLEANING_MEDIA: u8 = 0x16;
    /// 0x0C Unsupported format: the cartridge is not supported by this drive.
    pub const UNSUPPORTED_FORMAT: u8 = 0x0c;
    /// 0x11 Read-only format: the cartridge is of a generation this drive only reads.
    pub const READ_ONLY_FORMAT: u8 = 0x11;
    /// 0x32 Lost statistics: the previous load ended without an unload.
    pub const LOST_STATISTICS: u8 = 0x32;
    /// 0x3C WORM medium, overwrite attempted.
    pub const WORM_OVERWRITE_ATTEMPTED: u8 = 0x3c;
}

/// The set of active TapeAlert flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TapeAlert(u64);

impl TapeAlert {
    /// All flags, flag *n* in bit *n − 1*.
    pub fn bits(self) -> u64 {
        self.0
    }

    /// Replace all flags (vtlcmd `TapeAlert <hex64>`).
    pub fn set_bits(&mut self, bits: u64) {
        self.0 = bits;
    }

    /// Raise flag `n` (1..=64; other values are ignored).
    pub fn raise(&mut self, n: u8) {
        if (1..=64).contains(&n) {
            self.0 |= 1 << (n - 1);
        }
    }

    /// Whether flag `n` (1..=64) is active.
    pub fn is_set(self, n: u8) -> bool {
        (1..=64).contains(&n) && self.0 & (1 << (n - 1)) != 0
    }

    /// Lower flag `n` (1..=64; other values are ignored).
    pub fn lower(&mut self, n: u8) {
        if (1..=64).contains(&n) {
            self.0 &= !(1 << (n - 1));
        }
    }

    /// Clear the flags set in `mask` (flag n is bit n − 1): those a LOG SENSE of page 0x2E
    /// returned.
    pub fn clear_bits(&mut self, mask: u64) {
        self.0 &= !mask;
    }

    /// Clear every flag.
    pub fn clear(&mut self) {
        self.0 = 0;
    }

    /// Return the flags and clear them (what reading log page 0x2E does).
    pub fn take(&mut self) -> u64 {
        std::mem::take(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_n_is_bit_n_minus_one() {
        let mut t = TapeAlert::default();
        t.raise(1);
        t.raise(64);
        t.raise(0);
        t.raise(65);
        assert_eq!(t.bits(), 1 | 1 << 63);
        assert!(t.is_set(64) && !t.is_set(2));
        assert_eq!(t.take(), 1 | 1 << 63);
        assert_eq!(t.bits(), 0);
    }
}
