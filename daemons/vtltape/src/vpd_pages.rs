//! The tape drive's own VPD pages (SSC-5 8.4); the SPC core serves 0x00, 0x80, 0x83 and
//! 0x86 and wraps these bodies in the 4-byte page header.
//!
//! * 0xB0 sequential-access device capabilities (SSC-5 8.4): PAGE LENGTH 2, byte 4 bit 0
//!   WORM (the personality accepts WORM media), everything else 0;
//! * 0xB1 manufacturer-assigned serial number (SSC-5 8.4): the drive's serial number,
//!   right-aligned ASCII in at least 12 bytes (space padded on the left);
//! * 0xB2 TapeAlert supported flags (SSC-5 8.4): PAGE LENGTH 12, bytes 4..11 a bitmap of
//!   the flags the drive raises itself (flag 1 = byte 4 bit 7 ... flag 64 = byte 11 bit
//!   0), bytes 12..15 reserved.
//!
//! * 0xB5 logical block protection (SSC-5 8.4): 4 reserved bytes, then one 8-byte
//!   descriptor per protection method the personality accepts ([`crate::lbp::supports`]):
//!   byte 0 DESCRIPTOR LENGTH 07h, byte 1 LOGICAL BLOCK PROTECTION METHOD (1 RS-CRC, 2
//!   CRC32C), byte 2 bits 5..0 LOGICAL BLOCK PROTECTION INFORMATION LENGTH (4), byte 3
//!   LBP_W_C (bit 7), LBP_R_C (bit 6) and RBDP_C (bit 5) all set (the drive checks on write,
//!   appends on read and protects recovered-buffer data alike), bytes 4..7 reserved.
//!
//! Only pages the personality lists ([`Personality::vpd_pages`]) are offered; the vendor
//! pages 0xC0..0xC5 are not offered yet.

use crate::drive::Drive;
use crate::personality::Personality;
use crate::tapealert::flag;

/// Pages this module implements.
pub const IMPLEMENTED: &[u8] = &[0xb0, 0xb1, 0xb2, 0xb5];

/// The TapeAlert flags the drive raises itself (listed in VPD page 0xB2).
pub const SUPPORTED_TAPE_ALERTS: &[u8] = &[
    flag::MEDIA,
    flag::READ_FAILURE,
    flag::WRITE_FAILURE,
    flag::WRITE_PROTECT,
    flag::CLEANING_MEDIA,
    flag::UNSUPPORTED_FORMAT,
    flag::READ_ONLY_FORMAT,
    flag::LOST_STATISTICS,
    flag::WORM_OVERWRITE_ATTEMPTED,
];

/// The VPD pages `pers` lists that this module implements, ascending.
pub fn offered(pers: &Personality) -> Vec<u8> {
    pers.vpd_pages
        .iter()
        .copied()
        .filter(|p| IMPLEMENTED.contains(p))
        .collect()
}

/// Body of page 0xB2: the 8-byte flag bitmap of `flags` (1..=64) and 4 reserved bytes.
pub fn tape_alert_supported(flags: &[u8]) -> Vec<u8> {
    let mut b = vec![0u8; 12];
    for &f in flags.iter().filter(|f| (1..=64).contains(*f)) {
        let i = usize::from(f - 1);
        b[i / 8] |= 0x80 >> (i % 8);
    }
    b
}

/// Body of page 0xB1: `serial` right-aligned in max(12, its length) bytes.
pub fn manufacturer_serial(serial: &str) -> Vec<u8> {
    let s: Vec<u8> = serial
        .bytes()
        .map(|c| if c.is_ascii_graphic() { c } else { b' ' })
        .take(252)
        .collect();
    let mut b = vec![b' '; 12usize.saturating_sub(s.len())];
    b.extend_from_slice(&s);
    b
}

/// Body of page 0xB5 (SSC-5 8.4, logical block protection VPD page): 4 reserved bytes and
/// an 8-byte descriptor for each method `pers` accepts, RS-CRC (1) before CRC32C (2).
pub fn logical_block_protection(pers: &Personality) -> Vec<u8> {
    use crate::lbp::{LBP_R, LBP_W, Method, PI_LEN, RBDP, supports};
    let mut b = vec![0u8; 4];
    for m in [Method::RsCrc, Method::Crc32c] {
        if supports(pers, m) {
            // LBP_W_C, LBP_R_C and RBDP_C sit where page 0x0A/0xF0 keeps LBP_W, LBP_R, RBDP.
            b.extend_from_slice(&[7, m.code(), PI_LEN as u8, LBP_W | LBP_R | RBDP, 0, 0, 0, 0]);
        }
    }
    b
}

impl Drive {
    /// The body of VPD page `page` (without the 4-byte header), `None` when the drive does
    /// not offer it.
    pub fn vpd_body(&self, page: u8) -> Option<Vec<u8>> {
        if !offered(self.personality()).contains(&page) {
            return None;
        }
        match page {
            0xb0 => Some(vec![u8::from(self.personality().worm), 0]),
            0xb1 => Some(manufacturer_serial(&self.config().serial)),
            0xb2 => Some(tape_alert_supported(SUPPORTED_TAPE_ALERTS)),
            0xb5 => Some(logical_block_protection(self.personality())),
            _ => None,
        }
    }
}
