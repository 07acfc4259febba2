//! The device clock of REPORT TIMESTAMP and SET TIMESTAMP (SPC-5 REPORT TIMESTAMP and SET
//! TIMESTAMP commands, timestamp parameter data format; spec 6.1: mhvtl implements both).
//!
//! The TIMESTAMP is a 48-bit count of milliseconds since 1970-01-01T00:00:00Z. At power on
//! it follows the host's system clock (TIMESTAMP ORIGIN 011b, "initialized by a method
//! outside the scope of this standard"); after SET TIMESTAMP it runs on from the value set
//! (origin 010b), measured with a monotonic clock.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use vtl_scsi::ScsiError;
use vtl_scsi::cdb::truncate_to;

use crate::cdb::Timestamp;
use crate::drive::Drive;

/// TIMESTAMP ORIGIN 010b: set by SET TIMESTAMP.
pub const ORIGIN_SET_TIMESTAMP: u8 = 0b010;
/// TIMESTAMP ORIGIN 011b: initialized outside SCSI (the host's clock).
pub const ORIGIN_OUTSIDE: u8 = 0b011;

/// Largest TIMESTAMP value (48 bits).
const MAX: u64 = (1 << 48) - 1;

/// The device clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeviceClock {
    /// Value set by SET TIMESTAMP (milliseconds) and when.
    set: Option<(u64, Instant)>,
}

impl DeviceClock {
    /// The current TIMESTAMP (milliseconds, 48 bits) and TIMESTAMP ORIGIN.
    pub fn now(&self) -> (u64, u8) {
        match self.set {
            Some((v, at)) => {
                let ms = u64::try_from(at.elapsed().as_millis()).unwrap_or(MAX);
                (v.saturating_add(ms) & MAX, ORIGIN_SET_TIMESTAMP)
            }
            None => {
                let ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(MAX));
                (ms & MAX, ORIGIN_OUTSIDE)
            }
        }
    }

    /// SET TIMESTAMP to `ms` (48 bits).
    pub fn set(&mut self, ms: u64) {
        self.set = Some((ms & MAX, Instant::now()));
    }

    /// A hard reset / power on: back to the host's clock (origin 011b).
    pub fn reset(&mut self) {
        self.set = None;
    }
}

impl Drive {
    /// REPORT TIMESTAMP: 12 bytes of timestamp parameter data — TIMESTAMP PARAMETER DATA
    /// LENGTH 000Ah, TIMESTAMP ORIGIN (byte 2 bits 2..0), TIMESTAMP (bytes 4..9), reserved
    /// bytes 10..11 — cut to the ALLOCATION LENGTH.
    pub fn report_timestamp(
        &mut self,
        c: &Timestamp,
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        let (ms, origin) = self.clock.now();
        let mut out = vec![0, 0x0a, origin, 0];
        out.extend_from_slice(&ms.to_be_bytes()[2..]);
        out.extend_from_slice(&[0, 0]);
        truncate_to(&mut out, usize::try_from(c.length()).unwrap_or(usize::MAX));
        data_in.extend_from_slice(&out);
        Ok(())
    }

    /// SET TIMESTAMP: a PARAMETER LIST LENGTH of 0 changes nothing; else the 12-byte
    /// parameter list (bytes 0..3 and 10..11 reserved, TIMESTAMP in bytes 4..9) sets the
    /// clock. A length other than 0 or 12, or a data-out buffer shorter than it: PARAMETER
    /// LIST LENGTH ERROR; reserved bytes not zero: INVALID FIELD IN PARAMETER LIST.
    pub fn set_timestamp(&mut self, c: &Timestamp, data_out: &[u8]) -> Result<(), ScsiError> {
        let len = c.length();
        if len == 0 {
            return Ok(());
        }
        if len != 12 || data_out.len() < 12 {
            return Err(ScsiError::param_list_length_at(6));
        }
        let p = &data_out[..12];
        for i in (0..4).chain(10..12) {
            if p[i] != 0 {
                return Err(ScsiError::param(i as u16, None, "reserved byte set"));
            }
        }
        let mut b = [0u8; 8];
        b[2..].copy_from_slice(&p[4..10]);
        self.clock.set(u64::from_be_bytes(b));
        Ok(())
    }
}
