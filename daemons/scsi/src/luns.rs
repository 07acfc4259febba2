//! REPORT LUNS (SPC-5 6.33) and the single level LUN format (SAM-5 4.7).

use zerocopy::byteorder::big_endian::U32;
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved_bytes, truncate_to, view};
use crate::error::{Result, ScsiError};

/// REPORT LUNS op code.
pub const REPORT_LUNS: u8 = 0xa0;

/// REPORT LUNS CDB (SPC-5 6.33.1, 12 bytes).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReportLunsCdb {
    /// 0xA0.
    pub op: u8,
    /// Reserved.
    pub reserved1: u8,
    /// SELECT REPORT.
    pub select_report: u8,
    /// Reserved.
    pub reserved2: [u8; 3],
    /// ALLOCATION LENGTH (at least 16).
    pub alloc_len: U32,
    /// Reserved.
    pub reserved3: u8,
    /// CONTROL.
    pub control: u8,
}

/// The 8-byte LUN for `lun` (SAM-5 4.7): peripheral device addressing (00b) below 256,
/// flat space addressing (01b) up to 16383; larger numbers are cut to 14 bits.
pub fn encode_lun(lun: u16) -> [u8; 8] {
    let mut b = [0u8; 8];
    if lun < 256 {
        b[1] = lun as u8;
    } else {
        let l = lun & 0x3fff;
        b[0] = 0x40 | (l >> 8) as u8;
        b[1] = l as u8;
    }
    b
}

/// REPORT LUNS for a logical unit whose LUN is `lun`: SELECT REPORT 00h and 02h list it,
/// 01h (well-known LUNs only) gives an empty list; others → INVALID FIELD IN CDB byte 2.
/// An ALLOCATION LENGTH below 16 → INVALID FIELD IN CDB byte 6.
pub fn report_luns(lun: u16, cdb: &[u8], data_in: &mut Vec<u8>) -> Result<()> {
    let c: &ReportLunsCdb = view(cdb)?;
    check_reserved_bytes(cdb, 1..2)?;
    check_reserved_bytes(cdb, 3..6)?;
    check_reserved_bytes(cdb, 10..11)?;
    check_control(c.control, 11)?;
    let alloc = c.alloc_len.get() as usize;
    if alloc < 16 {
        return Err(ScsiError::cdb(6, None, "allocation length below 16"));
    }
    let luns: Vec<[u8; 8]> = match c.select_report {
        0x00 | 0x02 => vec![encode_lun(lun)],
        0x01 => Vec::new(),
        _ => return Err(ScsiError::cdb(2, None, "select report")),
    };
    let mut out = ((luns.len() * 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&[0; 4]);
    for l in luns {
        out.extend_from_slice(&l);
    }
    truncate_to(&mut out, alloc);
    data_in.extend_from_slice(&out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdb(sel: u8, alloc: u32) -> Vec<u8> {
        let mut c = vec![0xa0, 0, sel, 0, 0, 0];
        c.extend_from_slice(&alloc.to_be_bytes());
        c.extend_from_slice(&[0, 0]);
        c
    }

    #[test]
    fn lists() {
        let mut d = Vec::new();
        report_luns(3, &cdb(0, 100), &mut d).unwrap();
        assert_eq!(d, [0, 0, 0, 8, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0]);
        d.clear();
        report_luns(3, &cdb(1, 100), &mut d).unwrap();
        assert_eq!(d, [0; 8]);
        assert_eq!(encode_lun(300), [0x41, 0x2c, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            report_luns(3, &cdb(0, 15), &mut d),
            Err(ScsiError::cdb(6, None, "allocation length below 16"))
        );
        assert_eq!(
            report_luns(3, &cdb(0x10, 16), &mut d),
            Err(ScsiError::cdb(2, None, "select report"))
        );
    }
}
