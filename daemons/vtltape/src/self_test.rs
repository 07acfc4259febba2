//! The self-test results log page 0x10 (SPC-5 7.3, self-test results log page): the results
//! of the last 20 self-tests SEND DIAGNOSTIC ran ([`vtl_scsi::SpcDevice::self_test`]).
//!
//! The emulated drive has no hardware to test: every self-test passes at once (foreground
//! and background tests alike complete before SEND DIAGNOSTIC returns) and is recorded as
//! SELF-TEST RESULTS 0h. [`SelfTestLog::record`] also takes a failure, for a test that
//! could fail.
//!
//! Each parameter (codes 0001h..0014h, 0001h the most recent test) is 20 bytes: the 4-byte
//! parameter header (control byte 03h: DU 0, TSD 0, ETC 0, TMC 00b, FORMAT AND LINKING
//! 11b; PARAMETER LENGTH 10h) and
//!
//! * byte 4: SELF-TEST CODE (bits 7..5, the field of the SEND DIAGNOSTIC that ran the test;
//!   000b for SELFTEST=1), SELF-TEST RESULTS (bits 3..0: 0h completed without error, 3h
//!   completed with an error that is not one of the other codes);
//! * byte 5: SELF-TEST NUMBER (the failing segment; 0: the test has one segment);
//! * bytes 6..7: ACCUMULATED POWER ON HOURS when the test ran (hours since the drive
//!   started, FFFFh at 65535 or more);
//! * bytes 8..15: ADDRESS OF FIRST FAILURE, FFFF_FFFF_FFFF_FFFFh (no failure is tied to a
//!   logical block);
//! * byte 16 bits 3..0: SENSE KEY, byte 17 ADDITIONAL SENSE CODE, byte 18 ADDITIONAL SENSE
//!   CODE QUALIFIER of a failure (0 for a pass); byte 19 vendor specific, 0.
//!
//! Parameters that hold no result are all zero after their header, as SPC-5 says. The
//! results are kept for the life of the daemon; LOG SELECT does not reset them (SPC-5:
//! the page's parameters are not resettable).

use std::collections::VecDeque;
use std::time::Instant;

use vtl_scsi::diagnostic::SelfTest;
use vtl_scsi::log::LogParameter;
use vtl_scsi::sense::Sense;

/// Log page code.
pub const PAGE: u8 = 0x10;
/// Number of parameters the page always holds.
pub const PARAMETERS: usize = 20;
/// SELF-TEST RESULTS 0h: completed without error.
pub const RESULT_PASSED: u8 = 0x0;
/// SELF-TEST RESULTS 3h: completed with a failure of no other listed kind.
pub const RESULT_FAILED: u8 = 0x3;

/// One recorded self-test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// SELF-TEST CODE (3 bits) of the SEND DIAGNOSTIC that ran it.
    pub code: u8,
    /// SELF-TEST RESULTS (4 bits).
    pub result: u8,
    /// ACCUMULATED POWER ON HOURS when it ran.
    pub hours: u16,
    /// SENSE KEY, ASC and ASCQ of a failure (zeros for a pass).
    pub sense: (u8, u8, u8),
}

impl Outcome {
    /// The 16-byte parameter value (see the module docs).
    pub fn value(&self) -> [u8; 16] {
        let mut v = [0u8; 16];
        v[0] = (self.code & 7) << 5 | (self.result & 0x0f);
        v[2..4].copy_from_slice(&self.hours.to_be_bytes());
        v[4..12].fill(0xff);
        v[12] = self.sense.0 & 0x0f;
        v[13] = self.sense.1;
        v[14] = self.sense.2;
        v
    }
}

/// SELF-TEST CODE field value of a self-test (SPC-5 SEND DIAGNOSTIC, SELF-TEST CODE
/// field): 000b for the default self-test, 001b / 010b background short / extended, 101b /
/// 110b foreground short / extended.
pub fn code(test: SelfTest) -> u8 {
    match test {
        SelfTest::Default => 0,
        SelfTest::BackgroundShort => 1,
        SelfTest::BackgroundExtended => 2,
        SelfTest::ForegroundShort => 5,
        SelfTest::ForegroundExtended => 6,
    }
}

/// The self-test results of one drive: up to 20, most recent first, and when the drive
/// started (for ACCUMULATED POWER ON HOURS).
#[derive(Debug, Clone)]
pub struct SelfTestLog {
    results: VecDeque<Outcome>,
    powered_on: Instant,
}

impl Default for SelfTestLog {
    fn default() -> SelfTestLog {
        SelfTestLog {
            results: VecDeque::new(),
            powered_on: Instant::now(),
        }
    }
}

impl SelfTestLog {
    /// Hours since the drive started, FFFFh at most.
    pub fn power_on_hours(&self) -> u16 {
        u16::try_from(self.powered_on.elapsed().as_secs() / 3600).unwrap_or(u16::MAX)
    }

    /// Record a test run by `test` that passed (`failure` `None`) or failed with `failure`;
    /// the oldest of 20 results is dropped.
    pub fn record(&mut self, test: SelfTest, failure: Option<&Sense>) {
        let (result, sense) = match failure {
            None => (RESULT_PASSED, (0, 0, 0)),
            Some(s) => (RESULT_FAILED, (s.key as u8, s.asc.0, s.asc.1)),
        };
        self.results.push_front(Outcome {
            code: code(test),
            result,
            hours: self.power_on_hours(),
            sense,
        });
        self.results.truncate(PARAMETERS);
    }

    /// The recorded results, most recent first.
    pub fn results(&self) -> impl Iterator<Item = &Outcome> {
        self.results.iter()
    }

    /// The 20 parameters of log page 0x10 (0001h..0014h).
    pub fn parameters(&self) -> Vec<LogParameter> {
        (0..PARAMETERS)
            .map(|i| {
                let value = self.results.get(i).map_or([0u8; 16], Outcome::value);
                LogParameter::binary(i as u16 + 1, &value)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vtl_scsi::sense::{Asc, SenseKey};

    #[test]
    fn failure_and_twenty_results() {
        let mut log = SelfTestLog::default();
        let fail = Sense::new(SenseKey::HardwareError, Asc::LOGICAL_UNIT_FAILED_SELF_TEST);
        log.record(SelfTest::ForegroundShort, Some(&fail));
        assert_eq!(
            log.parameters()[0].value,
            [
                0xa3, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 4, 0x3e, 3, 0
            ]
        );
        for _ in 0..20 {
            log.record(SelfTest::BackgroundExtended, None);
        }
        let p = log.parameters();
        assert_eq!(p.len(), 20);
        assert_eq!(log.results().count(), 20);
        // The failure was pushed out; parameter 20 is the oldest pass.
        assert!(
            p.iter()
                .all(|x| x.value[0] == 0x40 && x.value[12..15] == [0, 0, 0])
        );
        assert_eq!(p[19].code, 20);
    }
}
