//! Logical block protection (SSC-5 4.2.28; control data protection mode page 0x0A/0xF0,
//! SSC-5 8.3.9): the two protection methods LTO and enterprise drives use, the mode page,
//! and the checks READ, WRITE and VERIFY make.
//!
//! * Method 1, Reed-Solomon CRC (ECMA-319 annex, as the IBM LTO SCSI reference gives it):
//!   the four check symbols of a Reed-Solomon code over GF(2^8) with field polynomial
//!   x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator
//!   G(x) = (x + α^126)(x + α^127)(x + α^128)(x + α^129) = x^4 + α^201·x^3 + α^246·x^2 +
//!   α^201·x + 1 (α = 0x02): the remainder of data(x)·x^4 mod G(x), the first byte the
//!   highest coefficient. Sent most significant symbol first; device.conf `LBP RSCRC BE: 0`
//!   reverses the four bytes ([`RsCrcOrder`], mhvtl issues #81 and #148).
//! * Method 2, CRC32C (Castagnoli, as the stored CRC of every block): sent least significant
//!   byte first, as IBM drives and LTFS do.
//!
//! The protection information is never stored: READ computes it from the block's bytes,
//! WRITE checks it and stores the block without it (libvtlcart keeps its own CRC-32C).
//! Units: with LBP_W (data-out) and LBP_R (data-in) every logical block travels with its 4
//! protection bytes appended. A variable-mode TRANSFER LENGTH counts the bytes transferred,
//! protection included; a fixed-mode block length counts the logical block alone, and each
//! block transfers that many bytes plus 4.

use vtl_scsi::mode::{ModePage, ModePages, ModeSelect};
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::drive::Drive;
use crate::personality::{Lbp, Personality};

/// Bytes of protection information per logical block (LOGICAL BLOCK PROTECTION
/// INFORMATION LENGTH for both methods).
pub const PI_LEN: usize = 4;

/// Page code and subpage of the control data protection mode page.
pub const PAGE: (u8, u8) = (0x0a, 0xf0);

/// Byte 6 of page 0x0A/0xF0: LBP_W (protection information with written blocks).
pub const LBP_W: u8 = 0x80;
/// Byte 6 of page 0x0A/0xF0: LBP_R (protection information with read blocks).
pub const LBP_R: u8 = 0x40;
/// Byte 6 of page 0x0A/0xF0: RBDP (with RECOVER BUFFERED DATA; kept, no effect).
pub const RBDP: u8 = 0x20;

/// Field polynomial of GF(2^8) for the Reed-Solomon CRC: x^8 + x^4 + x^3 + x^2 + 1.
pub const GF_POLY: u16 = 0x11d;
/// Coefficients of the RS-CRC generator below x^4: α^201, α^246, α^201, 1.
pub const RS_GENERATOR: [u8; 4] = [0x38, 0xcf, 0x38, 0x01];

/// Product in GF(2^8) with [`GF_POLY`].
pub const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            r ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= (GF_POLY & 0xff) as u8;
        }
        b >>= 1;
    }
    r
}

/// `v`·(x^4 mod G) for every byte `v`: one step of the division, as a 32-bit word (x^3
/// coefficient in the top byte).
const RS_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut v = 0;
    while v < 256 {
        let b = v as u8;
        t[v] = (gf_mul(b, RS_GENERATOR[0]) as u32) << 24
            | (gf_mul(b, RS_GENERATOR[1]) as u32) << 16
            | (gf_mul(b, RS_GENERATOR[2]) as u32) << 8
            | gf_mul(b, RS_GENERATOR[3]) as u32;
        v += 1;
    }
    t
};

/// The Reed-Solomon CRC of `data` continuing from `seed` (0 for a new block): the four check
/// symbols as a big-endian word (x^3 coefficient in the top byte).
pub fn rs_crc(seed: u32, data: &[u8]) -> u32 {
    data.iter().fold(seed, |crc, &d| {
        (crc << 8) ^ RS_TABLE[usize::from(d ^ (crc >> 24) as u8)]
    })
}

/// CRC32C (Castagnoli) of `data`, as libvtlcart stores it.
pub fn crc32c(data: &[u8]) -> u32 {
    libvtlcart::compress::crc32c(data)
}

/// Byte order of the Reed-Solomon CRC on the wire (device.conf `LBP RSCRC BE: 1|0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RsCrcOrder {
    /// Most significant symbol first (`LBP RSCRC BE: 1`, the default; IBM drives, LTFS).
    #[default]
    BigEndian,
    /// Least significant symbol first (`LBP RSCRC BE: 0`).
    LittleEndian,
}

impl RsCrcOrder {
    /// The order device.conf's `LBP RSCRC BE:` value gives (vtl-config's
    /// `DriveConf::lbp_rscrc_be`): `true` (1, the default) big-endian, `false` (0)
    /// little-endian.
    pub fn from_device_conf(big_endian: bool) -> RsCrcOrder {
        if big_endian {
            RsCrcOrder::BigEndian
        } else {
            RsCrcOrder::LittleEndian
        }
    }
}

/// LOGICAL BLOCK PROTECTION METHOD (page 0x0A/0xF0 byte 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// 00h: no protection information.
    #[default]
    None,
    /// 01h: Reed-Solomon CRC.
    RsCrc,
    /// 02h: CRC32C.
    Crc32c,
}

impl Method {
    /// The field value.
    pub fn code(self) -> u8 {
        match self {
            Method::None => 0,
            Method::RsCrc => 1,
            Method::Crc32c => 2,
        }
    }
}

/// The drive's logical block protection settings (the current values of page 0x0A/0xF0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// Protection method.
    pub method: Method,
    /// LBP_W: written blocks carry protection information.
    pub write: bool,
    /// LBP_R: read blocks carry protection information.
    pub read: bool,
    /// RBDP (no RECOVER BUFFERED DATA here: kept and reported only).
    pub rbdp: bool,
}

impl Settings {
    /// Protection bytes appended to each block sent to the host (0 or 4).
    pub fn read_pi_len(&self) -> usize {
        if self.read && self.method != Method::None {
            PI_LEN
        } else {
            0
        }
    }

    /// Protection bytes appended to each block the host sends (0 or 4).
    pub fn write_pi_len(&self) -> usize {
        if self.write && self.method != Method::None {
            PI_LEN
        } else {
            0
        }
    }

    /// The 4 protection bytes of `block` under this method (`None` without a method).
    pub fn protection(&self, block: &[u8], order: RsCrcOrder) -> Option<[u8; PI_LEN]> {
        match self.method {
            Method::None => None,
            Method::Crc32c => Some(crc32c(block).to_le_bytes()),
            Method::RsCrc => {
                let c = rs_crc(0, block);
                Some(match order {
                    RsCrcOrder::BigEndian => c.to_be_bytes(),
                    RsCrcOrder::LittleEndian => c.to_le_bytes(),
                })
            }
        }
    }

    /// Split a unit sent by the host (`block` + protection) and check the protection:
    /// `Some(block)` when it matches (or no method), `None` when the check fails.
    pub fn check<'a>(&self, unit: &'a [u8], order: RsCrcOrder) -> Option<&'a [u8]> {
        if self.write_pi_len() == 0 {
            return Some(unit);
        }
        let (block, pi) = unit.split_at(unit.len().checked_sub(PI_LEN)?);
        (self.protection(block, order)? == pi).then_some(block)
    }
}

/// ABORTED COMMAND / LOGICAL BLOCK GUARD CHECK FAILED (0x0B/0x10/0x01): the protection
/// information the host sent does not match its block (SSC-5 4.2.28.3, as SBC reports a
/// guard check failure), INFORMATION = `residue`.
pub fn guard_check_failed(residue: i64) -> ScsiError {
    ScsiError::Check(
        Sense::new(
            SenseKey::AbortedCommand,
            Asc::LOGICAL_BLOCK_GUARD_CHECK_FAILED,
        )
        .with_information(residue),
    )
}

/// Which methods `pers` accepts: RS-CRC for LTO-5/6, RS-CRC and CRC32C for LTO-7 and later
/// (spec 6.2 table), none elsewhere.
pub fn supports(pers: &Personality, m: Method) -> bool {
    matches!(
        (m, pers.lbp),
        (Method::None, _)
            | (Method::RsCrc, Lbp::RsCrc | Lbp::RsCrcAndCrc32c)
            | (Method::Crc32c, Lbp::RsCrcAndCrc32c)
    )
}

/// Control data protection mode page 0x0A/0xF0 (SSC-5 8.3.9), sub_page format, PAGE LENGTH
/// 1Ch: byte 4 LOGICAL BLOCK PROTECTION METHOD, byte 5 bits 5..0 LOGICAL BLOCK PROTECTION
/// INFORMATION LENGTH, byte 6 LBP_W (7), LBP_R (6), RBDP (5); bytes 7..31 reserved. Default
/// all zero (no protection); changeable: bytes 4, 5 (bits 5..0) and 6 (bits 7..5), checked
/// further by [`validate_select`].
pub fn control_data_protection_page() -> ModePage {
    let d = [0u8; 32];
    let mut m = [0u8; 32];
    m[4] = 0xff;
    m[5] = 0x3f;
    m[6] = LBP_W | LBP_R | RBDP;
    ModePage::new(PAGE.0, PAGE.1, &d, &m)
}

/// The settings a page's current bytes describe (unknown methods read as none).
pub fn from_page(p: &ModePage) -> Settings {
    let method = match p.byte(4) {
        1 => Method::RsCrc,
        2 => Method::Crc32c,
        _ => Method::None,
    };
    let b6 = p.byte(6);
    Settings {
        method,
        write: b6 & LBP_W != 0,
        read: b6 & LBP_R != 0,
        rbdp: b6 & RBDP != 0,
    }
}

/// Write `s` into the current values of page 0x0A/0xF0 of `modes`, if registered.
pub fn sync_page(modes: &mut ModePages, s: Settings) {
    if let Some(p) = modes.get_mut(PAGE.0, PAGE.1) {
        p.set(4, s.method.code());
        p.set(
            5,
            if s.method == Method::None {
                0
            } else {
                PI_LEN as u8
            },
        );
        p.set_bits(6, LBP_W, s.write);
        p.set_bits(6, LBP_R, s.read);
        p.set_bits(6, RBDP, s.rbdp);
    }
}

/// Check page 0x0A/0xF0 of a MODE SELECT and return the settings after it (the drive's
/// current ones when the page was not sent). INVALID FIELD IN PARAMETER LIST with the
/// field pointer:
///
/// * byte 4: a method the personality does not have ([`supports`]) or a reserved one;
/// * byte 5: an information length other than 4 with a method, or other than 0 without;
/// * byte 6: LBP_W, LBP_R or RBDP set without a method.
pub fn validate_select(drive: &Drive, sel: &ModeSelect) -> Result<Settings, ScsiError> {
    let Some(&(_, _, at)) = sel.pages.iter().find(|&&(p, s, _)| (p, s) == PAGE) else {
        return Ok(drive.lbp);
    };
    let Some(p) = sel.proposed.get(PAGE.0, PAGE.1) else {
        return Ok(drive.lbp);
    };
    let method = match p.byte(4) {
        0 => Method::None,
        1 => Method::RsCrc,
        2 => Method::Crc32c,
        _ => return Err(ScsiError::param(at + 4, None, "reserved protection method")),
    };
    if !supports(drive.personality(), method) {
        return Err(ScsiError::param(
            at + 4,
            None,
            "protection method not supported by this drive",
        ));
    }
    let len = p.byte(5) & 0x3f;
    let want = if method == Method::None {
        0
    } else {
        PI_LEN as u8
    };
    if len != want {
        return Err(ScsiError::param(
            at + 5,
            Some(5),
            "protection information length must be 4 with a method, 0 without",
        ));
    }
    let s = from_page(p);
    if method == Method::None && (s.write || s.read || s.rbdp) {
        return Err(ScsiError::param(
            at + 6,
            Some(7),
            "LBP_W, LBP_R and RBDP need a protection method",
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CASTOR's CRC test vectors (the primes below 256, in two blocks), which mhvtl's build
    /// checks its RS-CRC and CRC32C against.
    const BLOCK1: [u8; 37] = [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157,
    ];
    const BLOCK2: [u8; 17] = [
        163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
    ];

    #[test]
    fn rs_crc_known_vectors() {
        let c1 = rs_crc(0, &BLOCK1);
        assert_eq!(c1, 0x733D_4DCA);
        assert_eq!(rs_crc(c1, &BLOCK2), 0x754E_D37E);
        let mut all = BLOCK1.to_vec();
        all.extend_from_slice(&BLOCK2);
        assert_eq!(rs_crc(0, &all), 0x754E_D37E);
    }

    #[test]
    fn crc32c_known_vectors() {
        assert_eq!(crc32c(&BLOCK1), 0xE817_4F48);
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    fn gf_pow(a: u8, n: u32) -> u8 {
        (0..n).fold(1, |r, _| gf_mul(r, a))
    }

    /// Evaluate the polynomial with coefficients `c` (highest first) at `x`.
    fn eval(c: &[u8], x: u8) -> u8 {
        c.iter().fold(0, |acc, &v| gf_mul(acc, x) ^ v)
    }

    #[test]
    fn generator_is_the_product_of_four_consecutive_roots() {
        assert_eq!(gf_pow(2, 201), RS_GENERATOR[0]);
        assert_eq!(gf_pow(2, 246), RS_GENERATOR[1]);
        assert_eq!(gf_pow(2, 255), 1, "α has order 255: 0x11D is primitive");
        assert!((1..255).all(|n| gf_pow(2, n) != 1));
        let g = [
            1,
            RS_GENERATOR[0],
            RS_GENERATOR[1],
            RS_GENERATOR[2],
            RS_GENERATOR[3],
        ];
        for k in 126..=129 {
            assert_eq!(eval(&g, gf_pow(2, k)), 0, "α^{k} is a root");
        }
        assert_ne!(eval(&g, gf_pow(2, 130)), 0);
    }

    proptest::proptest! {
        /// data followed by its RS-CRC (big-endian) is a codeword: it vanishes at the four
        /// roots of the generator, and its own RS-CRC is 0.
        #[test]
        fn data_and_crc_form_a_codeword(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut cw = data.clone();
            cw.extend_from_slice(&rs_crc(0, &data).to_be_bytes());
            for k in 126..=129 {
                proptest::prop_assert_eq!(eval(&cw, gf_pow(2, k)), 0);
            }
            proptest::prop_assert_eq!(rs_crc(0, &cw), 0);
        }

        /// Linear over GF(2): crc(a ^ b) = crc(a) ^ crc(b) for equal lengths, and a single
        /// changed byte always changes the CRC (distance 5 code).
        #[test]
        fn rs_crc_is_linear_and_detects_any_byte_error(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..200),
            seed in proptest::prelude::any::<u64>(),
            at in proptest::prelude::any::<proptest::sample::Index>(),
            e in 1u8..=255,
        ) {
            let b: Vec<u8> = a.iter().enumerate().map(|(i, x)| x.wrapping_mul(31) ^ (seed >> (i % 56)) as u8).collect();
            let x: Vec<u8> = a.iter().zip(&b).map(|(p, q)| p ^ q).collect();
            proptest::prop_assert_eq!(rs_crc(0, &x), rs_crc(0, &a) ^ rs_crc(0, &b));
            let mut c = a.clone();
            c[at.index(a.len())] ^= e;
            proptest::prop_assert_ne!(rs_crc(0, &c), rs_crc(0, &a));
        }
    }

    #[test]
    fn protection_bytes_and_checks() {
        let rs = Settings {
            method: Method::RsCrc,
            write: true,
            read: true,
            rbdp: false,
        };
        assert_eq!(
            rs.protection(&BLOCK1, RsCrcOrder::BigEndian),
            Some([0x73, 0x3d, 0x4d, 0xca])
        );
        assert_eq!(
            rs.protection(&BLOCK1, RsCrcOrder::LittleEndian),
            Some([0xca, 0x4d, 0x3d, 0x73])
        );
        let c = Settings {
            method: Method::Crc32c,
            ..rs
        };
        assert_eq!(
            c.protection(&BLOCK1, RsCrcOrder::BigEndian),
            Some([0x48, 0x4f, 0x17, 0xe8])
        );
        let mut unit = BLOCK1.to_vec();
        unit.extend_from_slice(&[0x48, 0x4f, 0x17, 0xe8]);
        assert_eq!(c.check(&unit, RsCrcOrder::BigEndian), Some(&BLOCK1[..]));
        unit[0] ^= 1;
        assert_eq!(c.check(&unit, RsCrcOrder::BigEndian), None);
        assert_eq!(c.check(&[1, 2, 3], RsCrcOrder::BigEndian), None);
        assert_eq!(RsCrcOrder::default(), RsCrcOrder::BigEndian);
        assert_eq!(RsCrcOrder::from_device_conf(true), RsCrcOrder::BigEndian);
        assert_eq!(
            RsCrcOrder::from_device_conf(false),
            RsCrcOrder::LittleEndian
        );
        let off = Settings::default();
        assert_eq!(
            off.check(&[1, 2, 3], RsCrcOrder::BigEndian),
            Some(&[1u8, 2, 3][..])
        );
        assert_eq!(off.read_pi_len() + off.write_pi_len(), 0);
    }
}
