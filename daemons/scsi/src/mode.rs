//! Mode parameters: the page table and MODE SENSE(6)/(10), MODE SELECT(6)/(10)
//! (SPC-5 6.11..6.14, 7.5).
//!
//! Each [`ModePage`] holds four copies of the page — current, changeable (a mask), default
//! and saved — as the *whole page including its header* (page_0 format: 2-byte header;
//! sub_page format: 4-byte header, SPC-5 7.5.7), so byte offsets match the standards'
//! tables. Saving is in memory: SP=1 copies current to saved, a reset copies saved to
//! current.

use std::collections::BTreeMap;

use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, check_reserved_bytes, truncate_to, view};
use crate::error::{Result, ScsiError};

/// Page control field of MODE SENSE (SPC-5 6.13.1, table "Page control field").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageControl {
    /// 00b current values.
    Current,
    /// 01b changeable values (a mask: 1 = changeable bit).
    Changeable,
    /// 10b default values.
    Default,
    /// 11b saved values.
    Saved,
}

impl PageControl {
    fn from_bits(b: u8) -> PageControl {
        match b & 3 {
            0 => PageControl::Current,
            1 => PageControl::Changeable,
            2 => PageControl::Default,
            _ => PageControl::Saved,
        }
    }
}

/// One mode page with its four value sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModePage {
    page: u8,
    subpage: u8,
    current: Vec<u8>,
    changeable: Vec<u8>,
    default: Vec<u8>,
    saved: Vec<u8>,
}

impl ModePage {
    /// A page `page`/`subpage` (subpage 0 → page_0 format, else sub_page format) whose
    /// default values are `default` and changeable mask `changeable`, both given as whole
    /// pages with header (the header bytes are rewritten: PAGE CODE, SPF, SUBPAGE CODE,
    /// PAGE LENGTH from `default.len()`; the mask's header bytes are zeroed and the mask is
    /// cut or zero-padded to the page's length). Current and saved start as the default.
    pub fn new(page: u8, subpage: u8, default: &[u8], changeable: &[u8]) -> ModePage {
        let hdr = if subpage == 0 { 2 } else { 4 };
        let max = if subpage == 0 { 257 } else { 4 + 65535 };
        let mut d = default.to_vec();
        d.resize(d.len().clamp(hdr, max), 0);
        let len = d.len() - hdr;
        d[0] = page & 0x3f;
        if subpage == 0 {
            d[1] = len as u8;
        } else {
            d[0] |= 0x40;
            d[1] = subpage;
            d[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        }
        let mut m = changeable.to_vec();
        m.resize(d.len(), 0);
        m[..hdr].fill(0);
        ModePage {
            page: page & 0x3f,
            subpage,
            current: d.clone(),
            saved: d.clone(),
            default: d,
            changeable: m,
        }
    }

    /// Page code.
    pub fn page(&self) -> u8 {
        self.page
    }

    /// Subpage code (0 for page_0 format pages).
    pub fn subpage(&self) -> u8 {
        self.subpage
    }

    /// Whole page length including the header.
    pub fn len(&self) -> usize {
        self.current.len()
    }

    /// Always false: a page has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Header length: 2 (page_0) or 4 (sub_page).
    pub fn header_len(&self) -> usize {
        if self.subpage == 0 { 2 } else { 4 }
    }

    /// Current values (whole page).
    pub fn current(&self) -> &[u8] {
        &self.current
    }

    /// Changeable mask (whole page, header zero).
    pub fn changeable(&self) -> &[u8] {
        &self.changeable
    }

    /// Default values.
    pub fn default_values(&self) -> &[u8] {
        &self.default
    }

    /// Saved values.
    pub fn saved(&self) -> &[u8] {
        &self.saved
    }

    /// Set current byte `i` (offset in the whole page; header bytes and out-of-range
    /// offsets are ignored). For the device's own state (compression on, WP...).
    pub fn set(&mut self, i: usize, value: u8) {
        if i >= self.header_len()
            && let Some(b) = self.current.get_mut(i)
        {
            *b = value;
        }
    }

    /// Set or clear the bits `mask` of current byte `i`.
    pub fn set_bits(&mut self, i: usize, mask: u8, on: bool) {
        if let Some(&b) = self.current.get(i) {
            self.set(i, if on { b | mask } else { b & !mask });
        }
    }

    /// Current byte `i` (0 when out of range).
    pub fn byte(&self, i: usize) -> u8 {
        self.current.get(i).copied().unwrap_or(0)
    }

    /// Make bits changeable (or not) in the mask at byte `i`.
    pub fn set_changeable(&mut self, i: usize, mask: u8) {
        if i >= self.header_len()
            && let Some(b) = self.changeable.get_mut(i)
        {
            *b = mask;
        }
    }

    fn values(&self, pc: PageControl) -> &[u8] {
        match pc {
            PageControl::Current => &self.current,
            PageControl::Changeable => &self.changeable,
            PageControl::Default => &self.default,
            PageControl::Saved => &self.saved,
        }
    }

    fn encode(&self, pc: PageControl, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(self.values(pc));
        let hdr = self.header_len();
        // Header of the page as sent: PS set (every page is savable), SPF, codes, length.
        out[start] = 0x80 | self.page | if self.subpage != 0 { 0x40 } else { 0 };
        if self.subpage == 0 {
            out[start + 1] = (self.len() - hdr) as u8;
        } else {
            out[start + 1] = self.subpage;
            out[start + 2..start + 4].copy_from_slice(&((self.len() - hdr) as u16).to_be_bytes());
        }
    }
}

/// The mode pages of a logical unit, ordered by (page, subpage).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModePages {
    pages: BTreeMap<(u8, u8), ModePage>,
}

impl ModePages {
    /// Register (or replace) a page.
    pub fn register(&mut self, page: ModePage) {
        self.pages.insert((page.page, page.subpage), page);
    }

    /// Remove a page (a personality without it).
    pub fn remove(&mut self, page: u8, subpage: u8) -> Option<ModePage> {
        self.pages.remove(&(page, subpage))
    }

    /// Page `page`/`subpage`.
    pub fn get(&self, page: u8, subpage: u8) -> Option<&ModePage> {
        self.pages.get(&(page, subpage))
    }

    /// Page `page`/`subpage`, mutable (device-maintained values).
    pub fn get_mut(&mut self, page: u8, subpage: u8) -> Option<&mut ModePage> {
        self.pages.get_mut(&(page, subpage))
    }

    /// All pages in order.
    pub fn iter(&self) -> impl Iterator<Item = &ModePage> {
        self.pages.values()
    }

    /// Copy saved values to current (what a reset does, SPC-5 5.10).
    pub fn restore_saved(&mut self) {
        for p in self.pages.values_mut() {
            p.current.clone_from(&p.saved);
        }
    }

    /// Copy current values to saved (MODE SELECT with SP=1).
    pub fn save_all(&mut self) {
        for p in self.pages.values_mut() {
            p.saved.clone_from(&p.current);
        }
    }
}

/// Control mode page (0x0A, SPC-5 7.5.8), length 0x0A: TST 000b, D_SENSE (byte 2 bit 2)
/// and GLTSD (byte 2 bit 1) changeable, QUEUE ALGORITHM MODIFIER 0 (restricted), QERR 00b,
/// UA_INTLCK_CTRL 00b. The core registers it; [`d_sense`] reads it.
pub fn control_page() -> ModePage {
    let mut d = [0u8; 12];
    d[2] = 0x02; // GLTSD: log parameters are not saved implicitly
    let mut m = [0u8; 12];
    m[2] = 0x06;
    ModePage::new(0x0a, 0, &d, &m)
}

/// Control extension mode page (0x0A/0x01, SPC-5 7.5.9), length 0x1C, nothing changeable,
/// MAXIMUM SENSE DATA LENGTH 0 (no limit).
pub fn control_extension_page() -> ModePage {
    ModePage::new(0x0a, 0x01, &[0u8; 32], &[])
}

/// D_SENSE of the current control mode page: true → sense data in descriptor format.
pub fn d_sense(pages: &ModePages) -> bool {
    pages.get(0x0a, 0).is_some_and(|p| p.byte(2) & 0x04 != 0)
}

/// Mode parameter header values supplied by the device (SPC-5 7.5.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModeHeader {
    /// MEDIUM TYPE (SSC: from the loaded medium; 0 default).
    pub medium_type: u8,
    /// DEVICE-SPECIFIC PARAMETER (SSC-5 8.3.3: WP bit 7, BUFFERED MODE bits 6..4, SPEED
    /// bits 3..0).
    pub device_specific: u8,
}

/// A short (8-byte) general mode parameter block descriptor (SPC-5 7.5.6.1; SSC-5 8.3.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BlockDescriptor {
    /// DENSITY CODE.
    pub density: u8,
    /// NUMBER OF BLOCKS (24 bits; 0 = all remaining).
    pub blocks: u32,
    /// BLOCK LENGTH in bytes (24 bits; 0 = variable for SSC).
    pub block_length: u32,
}

impl BlockDescriptor {
    /// The 8 bytes: density, number of blocks (3), reserved, block length (3).
    pub fn to_bytes(&self) -> [u8; 8] {
        let n = self.blocks.min(0xff_ffff).to_be_bytes();
        let l = self.block_length.min(0xff_ffff).to_be_bytes();
        [self.density, n[1], n[2], n[3], 0, l[1], l[2], l[3]]
    }

    /// From 8 bytes (the reserved byte 4 is ignored).
    pub fn from_bytes(b: &[u8; 8]) -> BlockDescriptor {
        BlockDescriptor {
            density: b[0],
            blocks: u32::from_be_bytes([0, b[1], b[2], b[3]]),
            block_length: u32::from_be_bytes([0, b[5], b[6], b[7]]),
        }
    }

    /// What MODE SENSE reports with PC=01b (changeable values): density code and block
    /// length changeable, number of blocks not.
    pub const CHANGEABLE: BlockDescriptor = BlockDescriptor {
        density: 0xff,
        blocks: 0,
        block_length: 0xff_ffff,
    };
}

/// MODE SENSE(6) CDB (SPC-5 6.13).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ModeSense6Cdb {
    /// 0x1A.
    pub op: u8,
    /// DBD (bit 3).
    pub flags: u8,
    /// PC (bits 7..6), PAGE CODE (bits 5..0).
    pub page: u8,
    /// SUBPAGE CODE.
    pub subpage: u8,
    /// ALLOCATION LENGTH.
    pub alloc_len: u8,
    /// CONTROL.
    pub control: u8,
}

/// MODE SENSE(10) CDB (SPC-5 6.14).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ModeSense10Cdb {
    /// 0x5A.
    pub op: u8,
    /// LLBAA (bit 4), DBD (bit 3).
    pub flags: u8,
    /// PC (bits 7..6), PAGE CODE (bits 5..0).
    pub page: u8,
    /// SUBPAGE CODE.
    pub subpage: u8,
    /// Reserved.
    pub reserved: [u8; 3],
    /// ALLOCATION LENGTH.
    pub alloc_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// MODE SENSE(6) (`ten` false) or MODE SENSE(10): header from `header`, the block
/// descriptors `descriptors` unless DBD, then the requested pages: one page, `page`/0xFF
/// (the page and all its subpages), 0x3F/0x00 (all page_0 pages), 0x3F/0xFF (everything).
/// LLBAA is accepted; descriptors are always the short form (LONGLBA 0).
pub fn mode_sense(
    pages: &ModePages,
    header: ModeHeader,
    descriptors: &[BlockDescriptor],
    cdb: &[u8],
    ten: bool,
    data_in: &mut Vec<u8>,
) -> Result<()> {
    let (flags, pcpage, subpage, alloc) = if ten {
        let c: &ModeSense10Cdb = view(cdb)?;
        check_reserved(c.flags, 0xe7, 1)?;
        check_reserved_bytes(cdb, 4..7)?;
        check_control(c.control, 9)?;
        (c.flags, c.page, c.subpage, usize::from(c.alloc_len.get()))
    } else {
        let c: &ModeSense6Cdb = view(cdb)?;
        check_reserved(c.flags, 0xf7, 1)?;
        check_control(c.control, 5)?;
        (c.flags, c.page, c.subpage, usize::from(c.alloc_len))
    };
    let pc = PageControl::from_bits(pcpage >> 6);
    let code = pcpage & 0x3f;
    let dbd = flags & 0x08 != 0;
    let selected: Vec<&ModePage> = match (code, subpage) {
        (0x3f, 0x00) => pages.iter().filter(|p| p.subpage == 0).collect(),
        (0x3f, 0xff) => pages.iter().collect(),
        (0x3f, _) => return Err(ScsiError::cdb(3, None, "subpage of all pages")),
        (p, 0xff) => {
            let v: Vec<_> = pages.iter().filter(|x| x.page == p).collect();
            if v.is_empty() {
                return Err(ScsiError::cdb(2, Some(5), "mode page not supported"));
            }
            v
        }
        (p, s) => match pages.get(p, s) {
            Some(x) => vec![x],
            None if pages.iter().any(|x| x.page == p) => {
                return Err(ScsiError::cdb(3, None, "mode subpage not supported"));
            }
            None => return Err(ScsiError::cdb(2, Some(5), "mode page not supported")),
        },
    };
    let hlen = if ten { 8 } else { 4 };
    let mut out = vec![0u8; hlen];
    if !dbd {
        for bd in descriptors {
            let bd = if pc == PageControl::Changeable {
                BlockDescriptor::CHANGEABLE
            } else {
                *bd
            };
            out.extend_from_slice(&bd.to_bytes());
        }
    }
    let bdl = out.len() - hlen;
    for p in selected {
        p.encode(pc, &mut out);
    }
    if ten {
        let n = (out.len() - 2).min(usize::from(u16::MAX)) as u16;
        out[0..2].copy_from_slice(&n.to_be_bytes());
        out[2] = header.medium_type;
        out[3] = header.device_specific;
        out[6..8].copy_from_slice(&(bdl as u16).to_be_bytes());
    } else {
        out[0] = (out.len() - 1).min(255) as u8;
        out[1] = header.medium_type;
        out[2] = header.device_specific;
        out[3] = bdl.min(255) as u8;
    }
    truncate_to(&mut out, alloc);
    data_in.extend_from_slice(&out);
    Ok(())
}

/// MODE SELECT(6) CDB (SPC-5 6.11).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ModeSelect6Cdb {
    /// 0x15.
    pub op: u8,
    /// PF (bit 4), SP (bit 0).
    pub flags: u8,
    /// Reserved.
    pub reserved: [u8; 2],
    /// PARAMETER LIST LENGTH.
    pub param_len: u8,
    /// CONTROL.
    pub control: u8,
}

/// MODE SELECT(10) CDB (SPC-5 6.12).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ModeSelect10Cdb {
    /// 0x55.
    pub op: u8,
    /// PF (bit 4), SP (bit 0).
    pub flags: u8,
    /// Reserved.
    pub reserved: [u8; 5],
    /// PARAMETER LIST LENGTH.
    pub param_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// A parsed and validated MODE SELECT: what would change. The SPC core hands it to
/// [`crate::spc::SpcDevice::mode_select`] before committing anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeSelect {
    /// SP: save the pages.
    pub save: bool,
    /// Header MEDIUM TYPE as sent.
    pub medium_type: u8,
    /// Header DEVICE-SPECIFIC PARAMETER as sent (SSC: BUFFERED MODE, SPEED; WP ignored).
    pub device_specific: u8,
    /// Block descriptors sent, with the offset of each in the parameter list (for field
    /// pointers).
    pub block_descriptors: Vec<(BlockDescriptor, u16)>,
    /// The whole page table as it would be after the command.
    pub proposed: ModePages,
    /// Pages present in the parameter list, with the offset of each.
    pub pages: Vec<(u8, u8, u16)>,
}

impl ModeSelect {
    /// True when the current values of some page differ from `before`.
    pub fn changes(&self, before: &ModePages) -> bool {
        self.pages.iter().any(|&(p, s, _)| {
            before.get(p, s).map(|x| x.current()) != self.proposed.get(p, s).map(|x| x.current())
        })
    }
}

/// Parse a MODE SELECT(6)/(10) (`ten`) against `pages`: header, block descriptors (8-byte
/// form; LONGLBA unsupported), then pages. Each page must be registered (else INVALID FIELD
/// IN PARAMETER LIST at its page code byte), have the registered length (else at its
/// PAGE LENGTH byte), and change no bit outside the changeable mask (else at that byte and
/// bit). A zero PARAMETER LIST LENGTH is not an error and changes nothing (`Ok(None)`).
/// The PS bit and the MODE DATA LENGTH field (reserved for MODE SELECT) are ignored; PF=0
/// lists are read as the standard page format.
pub fn parse_mode_select(
    pages: &ModePages,
    cdb: &[u8],
    data_out: &[u8],
    ten: bool,
) -> Result<Option<ModeSelect>> {
    let (flags, len, len_byte) = if ten {
        let c: &ModeSelect10Cdb = view(cdb)?;
        check_reserved(c.flags, 0xee, 1)?;
        check_reserved_bytes(cdb, 2..7)?;
        check_control(c.control, 9)?;
        (c.flags, usize::from(c.param_len.get()), 7u16)
    } else {
        let c: &ModeSelect6Cdb = view(cdb)?;
        check_reserved(c.flags, 0xee, 1)?;
        check_reserved_bytes(cdb, 2..4)?;
        check_control(c.control, 5)?;
        (c.flags, usize::from(c.param_len), 4u16)
    };
    if len == 0 {
        return Ok(None);
    }
    let list = &data_out[..len.min(data_out.len())];
    let hlen = if ten { 8 } else { 4 };
    if list.len() < hlen {
        return Err(ScsiError::param_list_length_at(len_byte));
    }
    let (medium_type, device_specific, bdl, bdl_at) = if ten {
        check_reserved(list[4], 0x01, 4).map_err(to_param)?;
        (
            list[2],
            list[3],
            usize::from(u16::from_be_bytes([list[6], list[7]])),
            6u16,
        )
    } else {
        (list[1], list[2], usize::from(list[3]), 3u16)
    };
    if bdl % 8 != 0 {
        return Err(ScsiError::param(bdl_at, None, "block descriptor length"));
    }
    if hlen + bdl > list.len() {
        return Err(ScsiError::param_list_length_at(len_byte));
    }
    let mut sel = ModeSelect {
        save: flags & 0x01 != 0,
        medium_type,
        device_specific,
        block_descriptors: Vec::new(),
        proposed: pages.clone(),
        pages: Vec::new(),
    };
    for i in (hlen..hlen + bdl).step_by(8) {
        let b: [u8; 8] = list[i..i + 8].try_into().unwrap_or([0; 8]);
        sel.block_descriptors
            .push((BlockDescriptor::from_bytes(&b), i as u16));
    }
    let mut i = hlen + bdl;
    while i < list.len() {
        let at = i as u16;
        let code = list[i] & 0x3f;
        let spf = list[i] & 0x40 != 0;
        let hdr = if spf { 4 } else { 2 };
        if i + hdr > list.len() {
            return Err(ScsiError::param_list_length_at(len_byte));
        }
        let (sub, plen, len_at) = if spf {
            (
                list[i + 1],
                usize::from(u16::from_be_bytes([list[i + 2], list[i + 3]])),
                at + 2,
            )
        } else {
            (0, usize::from(list[i + 1]), at + 1)
        };
        if spf && sub == 0 {
            return Err(ScsiError::param(at, Some(6), "SPF with subpage 0"));
        }
        let Some(page) = sel.proposed.get_mut(code, sub) else {
            if spf {
                return Err(ScsiError::param(at + 1, None, "mode subpage not supported"));
            }
            return Err(ScsiError::param(at, Some(5), "mode page not supported"));
        };
        if hdr + plen != page.len() {
            return Err(ScsiError::param(len_at, None, "mode page length"));
        }
        if i + page.len() > list.len() {
            return Err(ScsiError::param_list_length_at(len_byte));
        }
        let new = &list[i..i + page.len()];
        let triples = new.iter().zip(&page.current).zip(&page.changeable);
        for (j, ((n, c), m)) in triples.enumerate().skip(hdr) {
            let bad = (n ^ c) & !m;
            if bad != 0 {
                let bit = 7 - bad.leading_zeros() as u8;
                return Err(ScsiError::param(
                    at + j as u16,
                    Some(bit),
                    "non-changeable mode parameter",
                ));
            }
        }
        page.current[hdr..].copy_from_slice(&new[hdr..]);
        sel.pages.push((code, sub, at));
        i += page.len();
    }
    if sel.save {
        sel.proposed.save_all();
    }
    Ok(Some(sel))
}

/// Turn a CDB field error (from a shared check helper) into a parameter list one.
fn to_param(e: ScsiError) -> ScsiError {
    match e {
        ScsiError::InvalidFieldInCdb { byte, bit, why } => ScsiError::param(byte, bit, why),
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ModePages {
        let mut t = ModePages::default();
        t.register(control_page());
        t.register(control_extension_page());
        // Data compression page 0x0F, length 0x0E: DCE (byte 2 bit 7) changeable.
        let mut d = [0u8; 16];
        d[2] = 0xc0;
        let mut m = [0u8; 16];
        m[2] = 0x80;
        t.register(ModePage::new(0x0f, 0, &d, &m));
        t
    }

    fn hdr() -> ModeHeader {
        ModeHeader {
            medium_type: 0x00,
            device_specific: 0x10,
        }
    }

    fn bd() -> BlockDescriptor {
        BlockDescriptor {
            density: 0x5e,
            blocks: 0,
            block_length: 512,
        }
    }

    #[test]
    fn sense6_header_descriptor_page() {
        let mut d = Vec::new();
        mode_sense(
            &table(),
            hdr(),
            &[bd()],
            &[0x1a, 0, 0x0f, 0, 0xff, 0],
            false,
            &mut d,
        )
        .unwrap();
        assert_eq!(
            d,
            [
                27, 0x00, 0x10, 8, // header
                0x5e, 0, 0, 0, 0, 0, 0x02, 0x00, // block descriptor
                0x8f, 0x0e, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 // page 0x0F
            ]
        );
        // changeable values, DBD
        d.clear();
        mode_sense(
            &table(),
            hdr(),
            &[bd()],
            &[0x1a, 8, 0x4f, 0, 0xff, 0],
            false,
            &mut d,
        )
        .unwrap();
        assert_eq!(&d[..6], &[19, 0, 0x10, 0, 0x8f, 0x0e]);
        assert_eq!(d[6], 0x80);
        // allocation length truncation
        d.clear();
        mode_sense(
            &table(),
            hdr(),
            &[bd()],
            &[0x1a, 0, 0x0f, 0, 4, 0],
            false,
            &mut d,
        )
        .unwrap();
        assert_eq!(d, [27, 0x00, 0x10, 8]);
    }

    #[test]
    fn sense10_subpages() {
        let mut d = Vec::new();
        let cdb = [0x5a, 0x08, 0x0a, 0xff, 0, 0, 0, 0x10, 0, 0];
        mode_sense(&table(), hdr(), &[bd()], &cdb, true, &mut d).unwrap();
        assert_eq!(&d[..8], &[0, 6 + 12 + 32, 0, 0x10, 0, 0, 0, 0]);
        assert_eq!(&d[8..12], &[0x8a, 0x0a, 0x02, 0]);
        assert_eq!(&d[20..24], &[0xca, 0x01, 0x00, 0x1c]);
        assert_eq!(d.len(), 8 + 12 + 32);
        // 0x3F/0x00 excludes subpages, 0x3F/0xFF includes them
        d.clear();
        let cdb = [0x5a, 0x08, 0x3f, 0x00, 0, 0, 0, 0x10, 0, 0];
        mode_sense(&table(), hdr(), &[bd()], &cdb, true, &mut d).unwrap();
        assert_eq!(d.len(), 8 + 12 + 16);
        d.clear();
        let cdb = [0x5a, 0x08, 0x3f, 0xff, 0, 0, 0, 0x10, 0, 0];
        mode_sense(&table(), hdr(), &[bd()], &cdb, true, &mut d).unwrap();
        assert_eq!(d.len(), 8 + 12 + 32 + 16);
    }

    #[test]
    fn sense_errors() {
        let mut d = Vec::new();
        let t = table();
        assert_eq!(
            mode_sense(&t, hdr(), &[], &[0x1a, 0, 0x1c, 0, 0xff, 0], false, &mut d),
            Err(ScsiError::cdb(2, Some(5), "mode page not supported"))
        );
        assert_eq!(
            mode_sense(&t, hdr(), &[], &[0x1a, 0, 0x0a, 2, 0xff, 0], false, &mut d),
            Err(ScsiError::cdb(3, None, "mode subpage not supported"))
        );
        assert_eq!(
            mode_sense(
                &t,
                hdr(),
                &[],
                &[0x1a, 0x01, 0x0a, 0, 0xff, 0],
                false,
                &mut d
            ),
            Err(ScsiError::cdb(1, Some(0), "reserved bit set"))
        );
    }

    fn select6(list: &[u8]) -> Result<Option<ModeSelect>> {
        let cdb = [0x15, 0x10, 0, 0, list.len() as u8, 0];
        parse_mode_select(&table(), &cdb, list, false)
    }

    #[test]
    fn select_applies_changeable_bits() {
        let mut list = vec![0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x04, 0];
        list.extend_from_slice(&[0x0f, 0x0e, 0x40]);
        list.extend_from_slice(&[0; 13]);
        let sel = select6(&list).unwrap().unwrap();
        assert_eq!(sel.block_descriptors[0].0.block_length, 1024);
        assert_eq!(sel.block_descriptors[0].1, 4);
        assert_eq!(sel.pages, [(0x0f, 0, 12)]);
        assert_eq!(sel.proposed.get(0x0f, 0).unwrap().byte(2), 0x40);
        assert!(sel.changes(&table()));
    }

    #[test]
    fn select_errors_point_into_the_list() {
        // DCA (byte 3 bit 7 of page 0x0F) is not changeable
        let mut list = vec![0, 0, 0, 0, 0x0f, 0x0e, 0xc0, 0x80];
        list.extend_from_slice(&[0; 12]);
        assert_eq!(
            select6(&list),
            Err(ScsiError::param(
                7,
                Some(7),
                "non-changeable mode parameter"
            ))
        );
        // wrong page length
        let list = [0, 0, 0, 0, 0x0f, 0x0d, 0xc0];
        assert_eq!(
            select6(&list),
            Err(ScsiError::param(5, None, "mode page length"))
        );
        // unknown page
        let list = [0, 0, 0, 0, 0x1c, 0x0a];
        assert_eq!(
            select6(&list),
            Err(ScsiError::param(4, Some(5), "mode page not supported"))
        );
        // block descriptor length not a multiple of 8
        let list = [0, 0, 0, 4, 0, 0, 0, 0];
        assert_eq!(
            select6(&list),
            Err(ScsiError::param(3, None, "block descriptor length"))
        );
        // truncated page
        let list = [0, 0, 0, 0, 0x0f, 0x0e, 0xc0];
        assert_eq!(select6(&list), Err(ScsiError::param_list_length_at(4)));
        assert_eq!(select6(&[]), Ok(None));
    }

    #[test]
    fn select10_subpage_and_save() {
        let mut list = vec![0, 0, 0, 0, 0, 0, 0, 0];
        let mut page = control_page().current().to_vec();
        page[2] |= 0x04;
        list.extend_from_slice(&page);
        let mut cdb = [0x55, 0x11, 0, 0, 0, 0, 0, 0, 0, 0];
        cdb[8] = list.len() as u8;
        let sel = parse_mode_select(&table(), &cdb, &list, true)
            .unwrap()
            .unwrap();
        assert!(sel.save);
        assert!(d_sense(&sel.proposed));
        assert_eq!(sel.proposed.get(0x0a, 0).unwrap().saved()[2], 0x06);
        // a page_0 page sent in sub_page format with subpage 0 is rejected
        let list = [0, 0, 0, 0, 0, 0, 0, 0, 0x4a, 0x00, 0, 10];
        cdb[8] = list.len() as u8;
        assert_eq!(
            parse_mode_select(&table(), &cdb, &list, true),
            Err(ScsiError::param(8, Some(6), "SPF with subpage 0"))
        );
    }
}
