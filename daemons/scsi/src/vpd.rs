//! Vital product data pages the SPC core builds (SPC-5 7.7): 0x00 supported VPD pages,
//! 0x80 unit serial number, 0x83 device identification, 0x86 extended INQUIRY data.
//! Device-specific pages (SSC 0xB0, 0xB2, vendor pages...) come from
//! [`crate::spc::SpcDevice::vpd_page`] as bodies and are wrapped by [`wrap`].

use crate::inquiry::{Identity, padded};

/// VPD page codes the core serves.
pub const CORE_PAGES: [u8; 4] = [0x00, 0x80, 0x83, 0x86];

/// A VPD page from its body: byte 0 peripheral qualifier (000b) and device type, byte 1
/// the page code, bytes 2..3 PAGE LENGTH, then `body` (at most 65535 bytes are kept).
pub fn wrap(peripheral_type: u8, page: u8, body: &[u8]) -> Vec<u8> {
    let body = &body[..body.len().min(usize::from(u16::MAX))];
    let mut d = Vec::with_capacity(4 + body.len());
    d.push(peripheral_type & 0x1f);
    d.push(page);
    d.extend_from_slice(&(body.len() as u16).to_be_bytes());
    d.extend_from_slice(body);
    d
}

/// Page 0x00 (SPC-5 7.7.16): `pages` sorted ascending, duplicates removed, 0x00 included.
pub fn supported_pages(peripheral_type: u8, pages: &[u8]) -> Vec<u8> {
    let mut p: Vec<u8> = pages.iter().copied().chain([0]).collect();
    p.sort_unstable();
    p.dedup();
    wrap(peripheral_type, 0x00, &p)
}

/// Page 0x80 unit serial number (SPC-5 7.7.19): the serial number's ASCII bytes.
pub fn unit_serial(id: &Identity) -> Vec<u8> {
    let n = id.serial.len().min(252);
    wrap(id.peripheral_type, 0x80, &padded(&id.serial, n))
}

/// Page 0x83 device identification (SPC-5 7.7.6) with two designation descriptors, both
/// associated with the logical unit:
/// 1. NAA (designator type 3, binary code set 1), the 8 bytes of [`Identity::naa`];
/// 2. T10 vendor ID based (type 1, ASCII code set 2): vendor (8, space padded), then
///    product (16, space padded) and the serial number as the vendor specific identifier.
pub fn device_identification(id: &Identity) -> Vec<u8> {
    let mut b = vec![0x01, 0x03, 0x00, 0x08];
    b.extend_from_slice(&id.naa);
    let mut t10 = padded(&id.vendor, 8);
    t10.extend_from_slice(&padded(&id.product, 16));
    let n = id.serial.len().min(200);
    t10.extend_from_slice(&padded(&id.serial, n));
    b.extend_from_slice(&[0x02, 0x01, 0x00, t10.len() as u8]);
    b.extend_from_slice(&t10);
    wrap(id.peripheral_type, 0x83, &b)
}

/// Page 0x86 extended INQUIRY data (SPC-5 7.7.7), page length 60: HEADSUP, ORDSUP and
/// SIMPSUP set (task attributes accepted; commands run in order), LUICLR set (unit
/// attentions are cleared per I_T nexus when reported), everything else zero.
pub fn extended_inquiry(id: &Identity) -> Vec<u8> {
    let mut b = vec![0u8; 60];
    b[1] = 0x07;
    b[3] = 0x01;
    wrap(id.peripheral_type, 0x86, &b)
}

/// The core page `page` for `id`, or `None` (0x00 is built by the caller, who knows the
/// device's pages).
pub fn core_page(id: &Identity, page: u8) -> Option<Vec<u8>> {
    match page {
        0x80 => Some(unit_serial(id)),
        0x83 => Some(device_identification(id)),
        0x86 => Some(extended_inquiry(id)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inquiry::PDT_SEQUENTIAL;

    fn id() -> Identity {
        let mut id = Identity::new(PDT_SEQUENTIAL, "VTL", "TOY", "0001", "SN42");
        id.naa = [0x50, 1, 2, 3, 4, 5, 6, 7];
        id
    }

    #[test]
    fn pages() {
        assert_eq!(
            supported_pages(1, &[0xb0, 0x80, 0x83, 0x80]),
            [1, 0, 0, 4, 0x00, 0x80, 0x83, 0xb0]
        );
        assert_eq!(unit_serial(&id()), [1, 0x80, 0, 4, b'S', b'N', b'4', b'2']);
        let d = device_identification(&id());
        let mut want = vec![1, 0x83, 0, 44, 0x01, 0x03, 0, 8, 0x50, 1, 2, 3, 4, 5, 6, 7];
        want.extend_from_slice(&[0x02, 0x01, 0, 28]);
        want.extend_from_slice(b"VTL     TOY             SN42");
        assert_eq!(d, want);
        let e = extended_inquiry(&id());
        assert_eq!(e.len(), 64);
        assert_eq!(&e[..8], &[1, 0x86, 0, 60, 0, 0x07, 0, 0x01]);
    }
}
