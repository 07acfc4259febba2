//! SEND DIAGNOSTIC and RECEIVE DIAGNOSTIC RESULTS (SPC-5 6.42, 6.32, 5.11): self-tests
//! run through [`crate::spc::SpcDevice::self_test`]; the only diagnostic page is 00h
//! (supported diagnostic pages).

use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, check_reserved_bytes, truncate_to, view};
use crate::error::{Result, ScsiError};

/// Which self-test a SEND DIAGNOSTIC asks for (SPC-5 table "SELF-TEST CODE field").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTest {
    /// SELFTEST=1: the default self-test, in the foreground.
    Default,
    /// 001b background short self-test.
    BackgroundShort,
    /// 010b background extended self-test.
    BackgroundExtended,
    /// 101b foreground short self-test.
    ForegroundShort,
    /// 110b foreground extended self-test.
    ForegroundExtended,
}

impl SelfTest {
    /// True for the background forms (the command completes before the test; its result
    /// is only recorded).
    pub fn background(self) -> bool {
        matches!(
            self,
            SelfTest::BackgroundShort | SelfTest::BackgroundExtended
        )
    }
}

/// What a SEND DIAGNOSTIC asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendDiagnostic {
    /// Nothing (SELFTEST=0, code 000b, no parameter list).
    Nothing,
    /// Run a self-test.
    SelfTest(SelfTest),
    /// 100b abort background self-test (none is ever running: GOOD).
    AbortBackground,
    /// Diagnostic page 00h sent: RECEIVE DIAGNOSTIC RESULTS returns page 00h.
    SupportedPages,
}

/// SEND DIAGNOSTIC CDB (SPC-5 6.42.1).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct SendDiagnosticCdb {
    /// 0x1D.
    pub op: u8,
    /// SELF-TEST CODE (7..5), PF (4), SELFTEST (2), DEVOFFL (1), UNITOFFL (0).
    pub flags: u8,
    /// Reserved.
    pub reserved: u8,
    /// PARAMETER LIST LENGTH.
    pub param_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// Parse SEND DIAGNOSTIC: SELFTEST=1 needs SELF-TEST CODE 000b and no parameter list;
/// codes 011b and 111b are reserved; a parameter list needs PF=1 and holds diagnostic pages
/// of which only 00h exists (page code or length wrong → INVALID FIELD IN PARAMETER LIST).
pub fn parse_send_diagnostic(cdb: &[u8], data_out: &[u8]) -> Result<SendDiagnostic> {
    let c: &SendDiagnosticCdb = view(cdb)?;
    check_reserved(c.flags, 0x08, 1)?;
    check_reserved_bytes(cdb, 2..3)?;
    check_control(c.control, 5)?;
    let code = c.flags >> 5;
    let selftest = c.flags & 0x04 != 0;
    let pf = c.flags & 0x10 != 0;
    let len = usize::from(c.param_len.get());
    if selftest {
        if code != 0 {
            return Err(ScsiError::cdb(1, Some(7), "self-test code with SELFTEST"));
        }
        if len != 0 {
            return Err(ScsiError::cdb(3, None, "parameter list with SELFTEST"));
        }
        return Ok(SendDiagnostic::SelfTest(SelfTest::Default));
    }
    let test = match code {
        0 => None,
        1 => Some(SendDiagnostic::SelfTest(SelfTest::BackgroundShort)),
        2 => Some(SendDiagnostic::SelfTest(SelfTest::BackgroundExtended)),
        4 => Some(SendDiagnostic::AbortBackground),
        5 => Some(SendDiagnostic::SelfTest(SelfTest::ForegroundShort)),
        6 => Some(SendDiagnostic::SelfTest(SelfTest::ForegroundExtended)),
        _ => return Err(ScsiError::cdb(1, Some(7), "self-test code")),
    };
    if let Some(t) = test {
        if len != 0 {
            return Err(ScsiError::cdb(
                3,
                None,
                "parameter list with a self-test code",
            ));
        }
        return Ok(t);
    }
    if len == 0 {
        return Ok(SendDiagnostic::Nothing);
    }
    if !pf {
        return Err(ScsiError::cdb(
            1,
            Some(4),
            "vendor specific diagnostic pages",
        ));
    }
    let list = &data_out[..len.min(data_out.len())];
    if list.len() < 4 {
        return Err(ScsiError::param_list_length_at(3));
    }
    if list[0] != 0 {
        return Err(ScsiError::param(0, None, "diagnostic page not supported"));
    }
    if list[2..4] != [0, 0] || list.len() != 4 {
        return Err(ScsiError::param(2, None, "diagnostic page length"));
    }
    Ok(SendDiagnostic::SupportedPages)
}

/// RECEIVE DIAGNOSTIC RESULTS CDB (SPC-5 6.32.1).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReceiveDiagnosticCdb {
    /// 0x1C.
    pub op: u8,
    /// PCV (bit 0).
    pub flags: u8,
    /// PAGE CODE (with PCV=1).
    pub page_code: u8,
    /// ALLOCATION LENGTH.
    pub alloc_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// RECEIVE DIAGNOSTIC RESULTS: with PCV=1 the page given (only 00h); with PCV=0 the page
/// the last SEND DIAGNOSTIC asked for, which is always 00h here.
pub fn receive_diagnostic(cdb: &[u8], data_in: &mut Vec<u8>) -> Result<()> {
    let c: &ReceiveDiagnosticCdb = view(cdb)?;
    check_reserved(c.flags, 0xfe, 1)?;
    check_control(c.control, 5)?;
    if c.flags & 1 != 0 && c.page_code != 0 {
        return Err(ScsiError::cdb(2, None, "diagnostic page not supported"));
    }
    let mut out = vec![0x00, 0x00, 0x00, 0x01, 0x00];
    truncate_to(&mut out, usize::from(c.alloc_len.get()));
    data_in.extend_from_slice(&out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_forms() {
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x04, 0, 0, 0, 0], &[]),
            Ok(SendDiagnostic::SelfTest(SelfTest::Default))
        );
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x20, 0, 0, 0, 0], &[]),
            Ok(SendDiagnostic::SelfTest(SelfTest::BackgroundShort))
        );
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x24, 0, 0, 0, 0], &[]),
            Err(ScsiError::cdb(1, Some(7), "self-test code with SELFTEST"))
        );
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x60, 0, 0, 0, 0], &[]),
            Err(ScsiError::cdb(1, Some(7), "self-test code"))
        );
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x10, 0, 0, 4, 0], &[0, 0, 0, 0]),
            Ok(SendDiagnostic::SupportedPages)
        );
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x10, 0, 0, 4, 0], &[0x80, 0, 0, 0]),
            Err(ScsiError::param(0, None, "diagnostic page not supported"))
        );
        assert_eq!(
            parse_send_diagnostic(&[0x1d, 0x00, 0, 0, 4, 0], &[0, 0, 0, 0]),
            Err(ScsiError::cdb(
                1,
                Some(4),
                "vendor specific diagnostic pages"
            ))
        );
    }

    #[test]
    fn receive() {
        let mut d = Vec::new();
        receive_diagnostic(&[0x1c, 1, 0, 0, 0xff, 0], &mut d).unwrap();
        assert_eq!(d, [0, 0, 0, 1, 0]);
        assert_eq!(
            receive_diagnostic(&[0x1c, 1, 0x80, 0, 0xff, 0], &mut d),
            Err(ScsiError::cdb(2, None, "diagnostic page not supported"))
        );
    }
}
