//! READ ELEMENT STATUS data (SMC-3 6.11.2..6.11.9): the element status header, one element
//! status page per run of elements of one type, and the element descriptors.
//!
//! ```text
//! header (8)   0..1 FIRST ELEMENT ADDRESS REPORTED  2..3 NUMBER OF ELEMENTS AVAILABLE
//!              4 reserved  5..7 BYTE COUNT OF REPORT AVAILABLE (pages, header excluded)
//! page (8)     0 ELEMENT TYPE CODE  1 PVOLTAG(7) AVOLTAG(6)  2..3 ELEMENT DESCRIPTOR LENGTH
//!              4 reserved  5..7 BYTE COUNT OF DESCRIPTOR DATA AVAILABLE
//! descriptor   0..1 ELEMENT ADDRESS  2 flags  3 reserved  4 ASC  5 ASCQ  6..8 reserved /
//!              DTE bus address  9 SVALID(7) INVERT(6) ED(3) MEDIUM TYPE(2..0)
//!              10..11 SOURCE STORAGE ELEMENT ADDRESS
//!              12..47 PRIMARY VOLUME TAG (when VOLTAG)
//!              then ALTERNATE VOLUME TAG (36, when VOLTAG and the library reports them)
//!              then with DVCID: CODE SET, IDENTIFIER TYPE, reserved, IDENTIFIER LENGTH,
//!              IDENTIFIER (data transfer elements: the drive's; others: length 0)
//! ```
//!
//! Flag bits (byte 2, spec 6.3): 0x01 FULL, 0x02 ImpExp, 0x04 EXCEPT, 0x08 ACCESS, 0x10
//! ExEnab, 0x20 InEnab. The byte counts describe the whole report whatever the allocation
//! length; the data is then cut to the allocation length (SPC-5 4.2.5.6).

use crate::element::{Element, ElementType, Inventory};

/// Element descriptor flag bits (byte 2).
pub mod flag {
    /// FULL: the element holds a unit of media.
    pub const FULL: u8 = 0x01;
    /// ImpExp: placed in the import/export element by an operator.
    pub const IMP_EXP: u8 = 0x02;
    /// EXCEPT: abnormal state (ASC/ASCQ say why).
    pub const EXCEPT: u8 = 0x04;
    /// ACCESS: the medium transport can reach the element.
    pub const ACCESS: u8 = 0x08;
    /// ExEnab: the element supports exporting media.
    pub const EX_ENAB: u8 = 0x10;
    /// InEnab: the element supports importing media.
    pub const IN_ENAB: u8 = 0x20;
}

/// Length of a volume tag field (SMC-3 6.11.9): 32-byte identifier, 2 reserved, 2-byte
/// sequence number.
pub const VOLUME_TAG_LEN: usize = 36;

/// CODE SET ASCII (SPC-5 7.7.6.1).
pub const CODE_SET_ASCII: u8 = 0x02;
/// IDENTIFIER TYPE T10 vendor ID based (SPC-5 7.7.6.4).
pub const ID_TYPE_T10: u8 = 0x01;

/// What a READ ELEMENT STATUS asks for (after CDB parsing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRequest {
    /// One type, or all (ELEMENT TYPE CODE 0).
    pub kind: Option<ElementType>,
    /// STARTING ELEMENT ADDRESS.
    pub start: u16,
    /// NUMBER OF ELEMENTS (at most this many are reported).
    pub count: u16,
    /// VOLTAG.
    pub voltag: bool,
    /// DVCID.
    pub dvcid: bool,
}

/// The flag byte of element `e` (`map_open`: the MAP door is open, so the transport cannot
/// reach import/export elements).
pub fn flags(e: &Element, map_open: bool) -> u8 {
    let mut f = 0;
    if e.is_full() {
        f |= flag::FULL;
    }
    if e.except.is_some() {
        f |= flag::EXCEPT;
    }
    match e.kind {
        ElementType::Transport => {}
        ElementType::Storage | ElementType::DataTransfer => f |= flag::ACCESS,
        ElementType::ImportExport => {
            f |= flag::EX_ENAB | flag::IN_ENAB;
            if !map_open {
                f |= flag::ACCESS;
            }
            if e.imp_exp && e.is_full() {
                f |= flag::IMP_EXP;
            }
        }
    }
    f
}

/// The 36-byte primary volume tag of `e`: the barcode space padded to 32, sequence 0; all
/// zeros for an empty element or a `NOBAR…` cartridge (no readable label).
pub fn volume_tag(e: &Element) -> [u8; VOLUME_TAG_LEN] {
    let mut t = [0u8; VOLUME_TAG_LEN];
    if let Some(tag) = e.medium.as_ref().and_then(|m| m.barcode.volume_tag()) {
        t[..32].fill(b' ');
        let b = tag.as_bytes();
        let n = b.len().min(32);
        t[..n].copy_from_slice(&b[..n]);
    }
    t
}

/// Gives an element's 36-byte alternate volume tag (see [`encode`]).
pub type AlternateTag<'a> = dyn Fn(&Element) -> [u8; VOLUME_TAG_LEN] + 'a;

/// The 36-byte alternate volume tag for an alternate identifier `id` (space padded to 32,
/// sequence 0), all zeros for none (SMC-3 6.11.9).
pub fn alternate_tag(id: Option<&str>) -> [u8; VOLUME_TAG_LEN] {
    let mut t = [0u8; VOLUME_TAG_LEN];
    if let Some(id) = id {
        t[..32].fill(b' ');
        let b = id.as_bytes();
        let n = b.len().min(32);
        t[..n].copy_from_slice(&b[..n]);
    }
    t
}

/// Encode the READ ELEMENT STATUS data for `req` into `out` (whole report, not cut to an
/// allocation length). `identifier(i)` gives data transfer element `i`'s (0-based) device
/// identifier (ASCII, T10 vendor ID based: vendor 8, product 16, serial number).
/// `alternate`, when given, makes every page report AVOLTAG and every descriptor carry an
/// alternate volume tag after the primary one (with VOLTAG only): `alternate(e)` gives it.
///
/// Returns the number of elements reported; 0 when no element of the type has an address
/// ≥ `req.start` (the caller reports INVALID ELEMENT ADDRESS).
pub fn encode(
    inv: &Inventory,
    identifier: &dyn Fn(usize) -> Vec<u8>,
    alternate: Option<&AlternateTag<'_>>,
    req: &StatusRequest,
    out: &mut Vec<u8>,
) -> usize {
    let alternate = alternate.filter(|_| req.voltag);
    let base = out.len();
    out.extend_from_slice(&[0u8; 8]);
    let mut reported = 0usize;
    let mut first_addr = None;
    let mut page_start = None::<(usize, ElementType, usize)>; // (offset, type, desc len)
    let mut ids: Vec<(u16, Vec<u8>)> = Vec::new();
    let elements: Vec<&Element> = inv
        .from_address(req.kind, req.start)
        .take(usize::from(req.count))
        .collect();
    // Identifier length per data transfer page: the longest identifier reported.
    let mut id_len = 0;
    if req.dvcid {
        for e in &elements {
            if e.kind == ElementType::DataTransfer {
                let id = identifier(e.number as usize - 1);
                id_len = id_len.max(id.len().min(255));
                ids.push((e.address, id));
            }
        }
    }
    let desc_len = |t: ElementType| {
        let mut n = 12;
        if req.voltag {
            n += VOLUME_TAG_LEN;
        }
        if alternate.is_some() {
            n += VOLUME_TAG_LEN;
        }
        if req.dvcid {
            n += 4;
            if t == ElementType::DataTransfer {
                n += id_len;
            }
        }
        n
    };
    let close_page = |out: &mut Vec<u8>, start: usize| {
        let n = (out.len() - start - 8) as u32;
        out[start + 5..start + 8].copy_from_slice(&n.to_be_bytes()[1..]);
    };
    for e in elements {
        if page_start.is_none_or(|(_, t, _)| t != e.kind) {
            if let Some((s, _, _)) = page_start {
                close_page(out, s);
            }
            let s = out.len();
            let dl = desc_len(e.kind);
            let mut h = [0u8; 8];
            h[0] = e.kind.code();
            if req.voltag {
                h[1] = 0x80;
            }
            if alternate.is_some() {
                h[1] |= 0x40;
            }
            h[2..4].copy_from_slice(&(dl as u16).to_be_bytes());
            out.extend_from_slice(&h);
            page_start = Some((s, e.kind, dl));
        }
        first_addr.get_or_insert(e.address);
        reported += 1;
        let d0 = out.len();
        out.extend_from_slice(&e.address.to_be_bytes());
        out.push(flags(e, inv.map_open));
        out.push(0);
        let asc = e.except.unwrap_or(vtl_scsi::Asc(0, 0));
        out.extend_from_slice(&[asc.0, asc.1, 0, 0, 0]);
        let mt = e.medium.as_ref().map_or(0, |m| m.medium_type & 7);
        let (svalid, src) = match (e.is_full(), e.source) {
            (true, Some(s)) => (0x80, s),
            _ => (0, 0),
        };
        out.push(svalid | mt);
        out.extend_from_slice(&src.to_be_bytes());
        if req.voltag {
            out.extend_from_slice(&volume_tag(e));
        }
        if let Some(alt) = alternate {
            out.extend_from_slice(&alt(e));
        }
        if req.dvcid {
            if e.kind == ElementType::DataTransfer {
                let id = ids
                    .iter()
                    .find(|(a, _)| *a == e.address)
                    .map(|(_, i)| i.as_slice())
                    .unwrap_or(&[]);
                let n = id.len().min(255);
                out.extend_from_slice(&[CODE_SET_ASCII, ID_TYPE_T10, 0, n as u8]);
                out.extend_from_slice(&id[..n]);
            } else {
                out.extend_from_slice(&[0, 0, 0, 0]);
            }
        }
        let dl = page_start.map_or(0, |(_, _, dl)| dl);
        out.resize(d0 + dl, 0);
    }
    if let Some((s, _, _)) = page_start {
        close_page(out, s);
    }
    let total = (out.len() - base - 8) as u32;
    let h = &mut out[base..base + 8];
    h[0..2].copy_from_slice(&first_addr.unwrap_or(0).to_be_bytes());
    h[2..4].copy_from_slice(&(reported as u16).to_be_bytes());
    h[5..8].copy_from_slice(&total.to_be_bytes()[1..]);
    reported
}
