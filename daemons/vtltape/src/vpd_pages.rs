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
//! * 0xC0 and 0xC1 of IBM drives (IBM LTO and 3592 personalities; layout as IBM's LTO
//!   drives send it and sg3_utils' `sg_vpd --vendor=ibm_lto` decodes it):
//!   * 0xC0 drive component revision levels, PAGE LENGTH 27h: bytes 4..15 CODE NAME (the
//!     INQUIRY product revision level, left-aligned ASCII, space padded), 16..22 TIME
//!     (hhmmss and a separator) and 23..30 DATE (yyyymmdd) of the firmware build, all
//!     spaces (the emulation has no firmware build to date), 31..42 PLATFORM `"vtl"`
//!     space padded;
//!   * 0xC1 drive serial numbers, PAGE LENGTH 18h: bytes 4..15 MANUFACTURING SERIAL NUMBER
//!     and 16..27 REPORTED SERIAL NUMBER, both the configured serial number left-aligned,
//!     space padded, cut to 12 characters.
//! * 0xC0..0xC5 of HP LTO drives, drive component revision levels (HP LTO Ultrium
//!   technical reference manual volume 3, INQUIRY), PAGE LENGTH 5Ch, each field a
//!   NUL-terminated ASCII string, NUL padded: bytes 4..29 COMPONENT (C0h `"Firmware"`, C1h
//!   `"Hardware"`, C2h `"PCA"`, C3h `"Mechanism"`, C4h `"Head Assy"`, C5h `"ACI"`), 30..48
//!   VERSION (the INQUIRY product revision level for the firmware, empty for the hardware
//!   components an emulation does not have), 49..72 DATE (empty), 73..95 VARIANT (the
//!   INQUIRY product identification).
//!
//! Only pages the personality lists ([`Personality::vpd_pages`]) are offered.

use crate::drive::Drive;
use crate::personality::{Family, Personality};
use crate::tapealert::flag;

/// Pages this module implements.
pub const IMPLEMENTED: &[u8] = &[0xb0, 0xb1, 0xb2, 0xb5, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5];

/// Component names of the HP drive component revision levels pages 0xC0..0xC5.
pub const HP_COMPONENTS: [&str; 6] = [
    "Firmware",
    "Hardware",
    "PCA",
    "Mechanism",
    "Head Assy",
    "ACI",
];

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

/// `s` as printable ASCII (anything else a space) in exactly `width` bytes: left-aligned
/// and padded with `pad`, cut to `width`.
fn ascii_field(s: &str, width: usize, pad: u8) -> Vec<u8> {
    let mut b: Vec<u8> = s
        .bytes()
        .map(|c| {
            if c.is_ascii_graphic() || c == b' ' {
                c
            } else {
                b' '
            }
        })
        .take(width)
        .collect();
    b.resize(width, pad);
    b
}

/// Body of IBM page 0xC0 (drive component revision levels, 39 bytes): code name
/// `revision`, no build time or date, platform `"vtl"`.
pub fn ibm_component_revision(revision: &str) -> Vec<u8> {
    let mut b = ascii_field(revision, 12, b' ');
    b.extend_from_slice(&[b' '; 7 + 8]);
    b.extend_from_slice(&ascii_field("vtl", 12, b' '));
    b
}

/// Body of IBM page 0xC1 (drive serial numbers, 24 bytes): `serial` as the manufacturing
/// and the reported serial number.
pub fn ibm_serial_numbers(serial: &str) -> Vec<u8> {
    let s = ascii_field(serial, 12, b' ');
    [s.clone(), s].concat()
}

/// Body of HP page `page` (0xC0..=0xC5, drive component revision levels, 92 bytes) for a
/// drive with `revision` and `product`; `None` for another page code. Each string keeps at
/// least one NUL after it.
pub fn hp_component_revision(page: u8, revision: &str, product: &str) -> Option<Vec<u8>> {
    let name = HP_COMPONENTS.get(usize::from(page.checked_sub(0xc0)?))?;
    let version = if page == 0xc0 { revision } else { "" };
    let field = |s: &str, width: usize| {
        let mut f = ascii_field(s.trim_end(), width - 1, 0);
        f.push(0);
        f
    };
    Some(
        [
            field(name, 26),
            field(version, 19),
            field("", 24),
            field(product, 23),
        ]
        .concat(),
    )
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
            0xc0..=0xc5 => self.vendor_vpd(page),
            _ => None,
        }
    }

    /// The vendor page `page` (0xC0..=0xC5) in the layout of the personality's maker: IBM
    /// (LTO and 3592) or HP LTO; `None` for other families.
    fn vendor_vpd(&self, page: u8) -> Option<Vec<u8>> {
        let c = self.config();
        match (self.personality().family, page) {
            (Family::IbmLto(_) | Family::Ibm3592(_), 0xc0) => {
                Some(ibm_component_revision(self.revision()))
            }
            (Family::IbmLto(_) | Family::Ibm3592(_), 0xc1) => Some(ibm_serial_numbers(&c.serial)),
            (Family::HpLto(_), _) => hp_component_revision(page, self.revision(), &c.product),
            _ => None,
        }
    }
}
