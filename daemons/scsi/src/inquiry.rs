//! INQUIRY (SPC-5 6.7): the logical unit's [`Identity`], its standard INQUIRY data, and the
//! NAA designator helper used when the configuration gives none.

use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, view};
use crate::error::Result;

/// Version descriptor values (SPC-5 6.7.2, T10's version descriptor list), "no version
/// claimed" forms.
pub mod version_descriptor {
    /// SAM-5.
    pub const SAM_5: u16 = 0x00a0;
    /// SPC-3.
    pub const SPC_3: u16 = 0x0300;
    /// SPC-4.
    pub const SPC_4: u16 = 0x0460;
    /// SSC-2.
    pub const SSC_2: u16 = 0x0360;
    /// SSC-3.
    pub const SSC_3: u16 = 0x0400;
    /// SMC-3.
    pub const SMC_3: u16 = 0x0480;
    /// iSCSI.
    pub const ISCSI: u16 = 0x0960;
}

/// Peripheral device type: sequential-access device (SSC).
pub const PDT_SEQUENTIAL: u8 = 0x01;
/// Peripheral device type: medium changer (SMC).
pub const PDT_MEDIUM_CHANGER: u8 = 0x08;

/// What a logical unit says about itself in INQUIRY data and VPD pages 0x80/0x83.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// PERIPHERAL DEVICE TYPE (byte 0 bits 4..0): [`PDT_SEQUENTIAL`], [`PDT_MEDIUM_CHANGER`].
    pub peripheral_type: u8,
    /// RMB: removable medium.
    pub removable: bool,
    /// VERSION (byte 2): 0x05 SPC-3, 0x06 SPC-4, 0x07 SPC-5.
    pub version: u8,
    /// T10 VENDOR IDENTIFICATION, sent as 8 ASCII bytes, space padded (longer is cut).
    pub vendor: String,
    /// PRODUCT IDENTIFICATION, 16 bytes space padded.
    pub product: String,
    /// PRODUCT REVISION LEVEL, 4 bytes space padded.
    pub revision: String,
    /// Unit serial number (VPD page 0x80), ASCII, sent as given (at most 252 bytes).
    pub serial: String,
    /// The 8-byte NAA designator value of VPD page 0x83 (SPC-5 7.7.6.6), first nibble the
    /// NAA field (5 IEEE Registered, 6 IEEE Registered Extended uses 16 bytes and is not
    /// used here). See [`derive_naa`].
    pub naa: [u8; 8],
    /// VERSION DESCRIPTORS (up to 8 are sent), see [`version_descriptor`].
    pub version_descriptors: Vec<u16>,
    /// CMDQUE bit (byte 7 bit 1): command queuing supported.
    pub cmd_que: bool,
}

impl Identity {
    /// An identity with the given strings: removable, VERSION 0x06 (SPC-4), the NAA derived
    /// with [`derive_naa`], version descriptors SAM-5 and SPC-4, no command queuing.
    pub fn new(
        peripheral_type: u8,
        vendor: &str,
        product: &str,
        revision: &str,
        serial: &str,
    ) -> Identity {
        Identity {
            peripheral_type,
            removable: true,
            version: 0x06,
            vendor: vendor.into(),
            product: product.into(),
            revision: revision.into(),
            serial: serial.into(),
            naa: derive_naa(vendor, product, serial),
            version_descriptors: vec![version_descriptor::SAM_5, version_descriptor::SPC_4],
            cmd_que: false,
        }
    }
}

/// The 24-bit company identifier used in derived NAA values: 0x2A5654. Its first octet's
/// low nibble is 0xA, so it lies in the IEEE CID (locally administered) space and cannot
/// collide with any manufacturer's OUI.
pub const VTL_COMPANY_ID: u32 = 0x2a_5654;

/// An NAA IEEE Registered designator (NAA 5, SPC-5 7.7.6.6.3) for a logical unit without a
/// configured one: NAA 5, [`VTL_COMPANY_ID`], and 36 bits of the FNV-1a hash of vendor,
/// product and serial (so different serial numbers give different designators and the
/// same configuration always gives the same one).
pub fn derive_naa(vendor: &str, product: &str, serial: &str) -> [u8; 8] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in vendor
        .bytes()
        .chain([0])
        .chain(product.bytes())
        .chain([0])
        .chain(serial.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let v = (5u64 << 60) | (u64::from(VTL_COMPANY_ID) << 36) | (h & 0xf_ffff_ffff);
    v.to_be_bytes()
}

/// `s` as exactly `n` ASCII bytes, space padded (non-printable characters become spaces).
pub fn padded(s: &str, n: usize) -> Vec<u8> {
    let mut v: Vec<u8> = s
        .bytes()
        .map(|b| if (0x20..0x7f).contains(&b) { b } else { b' ' })
        .take(n)
        .collect();
    v.resize(n, b' ');
    v
}

/// INQUIRY CDB (SPC-5 6.7.1, 6 bytes).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct InquiryCdb {
    /// 0x12.
    pub op: u8,
    /// EVPD (bit 0); bit 1 was CMDDT (obsolete, must be zero).
    pub flags: u8,
    /// PAGE CODE.
    pub page_code: u8,
    /// ALLOCATION LENGTH.
    pub alloc_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// What an INQUIRY CDB asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InquiryRequest {
    /// `Some(page)` for a VPD page (EVPD=1), `None` for standard data.
    pub vpd_page: Option<u8>,
    /// Allocation length.
    pub alloc: usize,
}

/// Parse and check an INQUIRY CDB. A page code with EVPD=0 is INVALID FIELD IN CDB byte 2.
pub fn parse_cdb(cdb: &[u8]) -> Result<InquiryRequest> {
    let c: &InquiryCdb = view(cdb)?;
    check_reserved(c.flags, 0xfe, 1)?;
    check_control(c.control, 5)?;
    let evpd = c.flags & 1 != 0;
    if !evpd && c.page_code != 0 {
        return Err(crate::ScsiError::cdb(2, None, "page code without EVPD"));
    }
    Ok(InquiryRequest {
        vpd_page: evpd.then_some(c.page_code),
        alloc: usize::from(c.alloc_len.get()),
    })
}

/// Length of the standard INQUIRY data this crate returns (ADDITIONAL LENGTH 91).
pub const STANDARD_LEN: usize = 96;

/// Standard INQUIRY data (SPC-5 6.7.2), 96 bytes: peripheral qualifier 000b and the
/// device type, RMB, VERSION, HISUP=1 and RESPONSE DATA FORMAT 2, ADDITIONAL LENGTH 91,
/// CMDQUE, vendor / product / revision, up to 8 version descriptors at bytes 58..73.
pub fn standard_data(id: &Identity) -> Vec<u8> {
    let mut d = vec![0u8; STANDARD_LEN];
    d[0] = id.peripheral_type & 0x1f;
    d[1] = if id.removable { 0x80 } else { 0 };
    d[2] = id.version;
    d[3] = 0x10 | 0x02;
    d[4] = (STANDARD_LEN - 5) as u8;
    d[7] = if id.cmd_que { 0x02 } else { 0 };
    d[8..16].copy_from_slice(&padded(&id.vendor, 8));
    d[16..32].copy_from_slice(&padded(&id.product, 16));
    d[32..36].copy_from_slice(&padded(&id.revision, 4));
    for (i, v) in id.version_descriptors.iter().take(8).enumerate() {
        d[58 + 2 * i..60 + 2 * i].copy_from_slice(&v.to_be_bytes());
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ScsiError;

    fn id() -> Identity {
        let mut id = Identity::new(PDT_SEQUENTIAL, "VTL", "ULT3580-TD8", "0107", "XYZZY_A1");
        id.version_descriptors.push(version_descriptor::SSC_3);
        id
    }

    #[test]
    fn standard_bytes() {
        let d = standard_data(&id());
        assert_eq!(d.len(), 96);
        assert_eq!(&d[..8], &[0x01, 0x80, 0x06, 0x12, 91, 0, 0, 0]);
        assert_eq!(&d[8..36], b"VTL     ULT3580-TD8     0107");
        assert_eq!(&d[36..58], &[0u8; 22]);
        assert_eq!(&d[58..66], &[0x00, 0xa0, 0x04, 0x60, 0x04, 0x00, 0, 0]);
        assert_eq!(&d[66..], &[0u8; 30]);
    }

    #[test]
    fn naa_is_stable_and_unique() {
        let a = derive_naa("VTL", "ULT3580-TD8", "XYZZY_A1");
        assert_eq!(a, derive_naa("VTL", "ULT3580-TD8", "XYZZY_A1"));
        assert_ne!(a, derive_naa("VTL", "ULT3580-TD8", "XYZZY_A2"));
        assert_eq!([a[0], a[1], a[2], a[3] & 0xf0], [0x52, 0xa5, 0x65, 0x40]);
    }

    #[test]
    fn cdb_checks() {
        assert_eq!(
            parse_cdb(&[0x12, 0, 0, 0, 36, 0]),
            Ok(InquiryRequest {
                vpd_page: None,
                alloc: 36
            })
        );
        assert_eq!(
            parse_cdb(&[0x12, 1, 0x83, 1, 0, 0]),
            Ok(InquiryRequest {
                vpd_page: Some(0x83),
                alloc: 256
            })
        );
        assert_eq!(
            parse_cdb(&[0x12, 0, 0x80, 0, 36, 0]),
            Err(ScsiError::cdb(2, None, "page code without EVPD"))
        );
        assert_eq!(
            parse_cdb(&[0x12, 2, 0, 0, 36, 0]),
            Err(ScsiError::cdb(1, Some(1), "reserved bit set"))
        );
    }
}
