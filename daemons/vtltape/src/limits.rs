//! READ BLOCK LIMITS (SSC-5 7.5) and the block-length rules MODE SELECT and WRITE use.

use libvtlcart::index::MAX_BLOCK_NUMBER;
use vtl_scsi::ScsiError;

use crate::cdb::ReadBlockLimits;
use crate::drive::Drive;

/// Length of the READ BLOCK LIMITS data with MLOC=0.
pub const BLOCK_LIMITS_LEN: usize = 6;
/// Length of the READ BLOCK LIMITS data with MLOC=1.
pub const MLOC_LEN: usize = 20;

impl Drive {
    /// Largest block length this drive accepts (personality, capped to the 24-bit field).
    pub fn max_block_size(&self) -> u32 {
        self.pers.max_block_size.min(0x00ff_ffff)
    }

    /// Smallest block length (personality, at least 1).
    pub fn min_block_size(&self) -> u32 {
        self.pers.min_block_size.max(1)
    }

    /// Whether `len` bytes is a block length this drive accepts: within
    /// [`Drive::min_block_size`]..=[`Drive::max_block_size`] and a multiple of
    /// 2^GRANULARITY.
    pub fn block_size_valid(&self, len: u32) -> bool {
        let gran = u32::from(self.pers.granularity).min(31);
        len >= self.min_block_size()
            && len <= self.max_block_size()
            && len.is_multiple_of(1 << gran)
    }

    /// READ BLOCK LIMITS: MLOC=0 returns 6 bytes (byte 0 bits 4..0 GRANULARITY, bytes 1..3
    /// MAXIMUM BLOCK LENGTH LIMIT, bytes 4..5 MINIMUM BLOCK LENGTH LIMIT); MLOC=1 returns 20
    /// bytes with the MAXIMUM LOGICAL OBJECT IDENTIFIER in bytes 12..19 (the last block
    /// number a partition can hold). Needs no medium.
    pub fn read_block_limits(
        &mut self,
        c: &ReadBlockLimits,
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        if c.mloc() {
            let mut d = [0u8; MLOC_LEN];
            d[12..20].copy_from_slice(&u64::from(MAX_BLOCK_NUMBER - 1).to_be_bytes());
            data_in.extend_from_slice(&d);
        } else {
            let mut d = [0u8; BLOCK_LIMITS_LEN];
            d[0] = self.pers.granularity & 0x1f;
            d[1..4].copy_from_slice(&self.max_block_size().to_be_bytes()[1..]);
            let min = u16::try_from(self.min_block_size()).unwrap_or(u16::MAX);
            d[4..6].copy_from_slice(&min.to_be_bytes());
            data_in.extend_from_slice(&d);
        }
        Ok(())
    }
}
