//! Log pages: [`LogParameter`] and its encoders, LOG SENSE and LOG SELECT
//! (SPC-5 6.8, 6.9, 7.3).
//!
//! The device owns the contents of its pages (counters, TapeAlert flags...) and hands them
//! out as parameter lists through [`crate::spc::SpcDevice::log_page`]; the core builds the
//! supported pages lists (0x00 and 0x00/0xFF), the page headers, the parameter pointer and
//! page control selection, and parses LOG SELECT parameter lists.

use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, check_reserved_bytes, truncate_to, view};
use crate::error::{Result, ScsiError};

/// Parameter control byte bits (SPC-5 7.3.2.2.2).
pub mod control {
    /// DU: disable update.
    pub const DU: u8 = 0x80;
    /// TSD: target save disable.
    pub const TSD: u8 = 0x20;
    /// ETC: enable threshold comparison.
    pub const ETC: u8 = 0x10;
    /// FORMAT AND LINKING 00b: bounded data counter.
    pub const BOUNDED_COUNTER: u8 = 0x00;
    /// FORMAT AND LINKING 01b: ASCII format list.
    pub const ASCII_LIST: u8 = 0x01;
    /// FORMAT AND LINKING 10b: bounded or unbounded data counter.
    pub const COUNTER: u8 = 0x02;
    /// FORMAT AND LINKING 11b: binary format list.
    pub const BINARY_LIST: u8 = 0x03;
}

/// One log parameter (SPC-5 7.3.2.2): PARAMETER CODE, the control byte, the value bytes
/// (PARAMETER LENGTH is the value's length, at most 255).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogParameter {
    /// PARAMETER CODE.
    pub code: u16,
    /// Control byte: DU, TSD, ETC, TMC (bits 3..2), FORMAT AND LINKING (bits 1..0).
    pub control: u8,
    /// PARAMETER VALUE bytes.
    pub value: Vec<u8>,
}

impl LogParameter {
    /// A parameter with the given control byte and value (cut to 255 bytes).
    pub fn new(code: u16, control: u8, value: &[u8]) -> LogParameter {
        LogParameter {
            code,
            control,
            value: value[..value.len().min(255)].to_vec(),
        }
    }

    /// A counter: `value` big-endian in `width` bytes (1..=8; higher bytes of `value` are
    /// dropped), FORMAT AND LINKING 10b (data counter).
    pub fn counter(code: u16, value: u64, width: usize) -> LogParameter {
        let w = width.clamp(1, 8);
        LogParameter::new(code, control::COUNTER, &value.to_be_bytes()[8 - w..])
    }

    /// A counter in the fewest bytes that hold `value` (at least 1).
    pub fn counter_min(code: u16, value: u64) -> LogParameter {
        let w = (8 - value.leading_zeros() as usize / 8).max(1);
        LogParameter::counter(code, value, w)
    }

    /// An ASCII format list parameter (FORMAT AND LINKING 01b).
    pub fn ascii(code: u16, s: &str) -> LogParameter {
        LogParameter::new(code, control::ASCII_LIST, s.as_bytes())
    }

    /// A binary format list parameter (FORMAT AND LINKING 11b).
    pub fn binary(code: u16, value: &[u8]) -> LogParameter {
        LogParameter::new(code, control::BINARY_LIST, value)
    }

    /// With control byte `control`.
    pub fn with_control(mut self, control: u8) -> LogParameter {
        self.control = control;
        self
    }

    /// The value read as a big-endian unsigned number (up to the last 8 bytes).
    pub fn as_u64(&self) -> u64 {
        let v = &self.value[self.value.len().saturating_sub(8)..];
        v.iter().fold(0, |a, &b| (a << 8) | u64::from(b))
    }

    /// Append the encoded parameter (4-byte header + value) to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.code.to_be_bytes());
        out.push(self.control);
        out.push(self.value.len() as u8);
        out.extend_from_slice(&self.value);
    }
}

/// Page control of LOG SENSE / LOG SELECT (SPC-5 6.8.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogPageControl {
    /// 00b threshold values.
    Threshold,
    /// 01b cumulative values.
    Cumulative,
    /// 10b default threshold values.
    DefaultThreshold,
    /// 11b default cumulative values.
    DefaultCumulative,
}

impl LogPageControl {
    fn from_bits(b: u8) -> LogPageControl {
        match b & 3 {
            0 => LogPageControl::Threshold,
            1 => LogPageControl::Cumulative,
            2 => LogPageControl::DefaultThreshold,
            _ => LogPageControl::DefaultCumulative,
        }
    }
}

/// LOG SENSE CDB (SPC-5 6.9, 10 bytes).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct LogSenseCdb {
    /// 0x4D.
    pub op: u8,
    /// SP (bit 0), PPC (bit 1, obsolete: not supported).
    pub flags: u8,
    /// PC (bits 7..6), PAGE CODE (bits 5..0).
    pub page: u8,
    /// SUBPAGE CODE.
    pub subpage: u8,
    /// Reserved.
    pub reserved: u8,
    /// PARAMETER POINTER.
    pub param_pointer: U16,
    /// ALLOCATION LENGTH.
    pub alloc_len: U16,
    /// CONTROL.
    pub control: u8,
}

fn page_header(page: u8, subpage: u8, out: &mut Vec<u8>) {
    // DS=1: parameters are not saved.
    out.push(0x80 | page | if subpage != 0 { 0x40 } else { 0 });
    out.push(subpage);
    out.extend_from_slice(&[0, 0]);
}

fn finish(out: &mut [u8]) {
    let n = (out.len() - 4).min(usize::from(u16::MAX)) as u16;
    out[2..4].copy_from_slice(&n.to_be_bytes());
}

/// The TapeAlert log page (SSC-5 8.2.3, SMC-3 7.3.2).
pub const TAPE_ALERT_PAGE: u8 = 0x2e;

/// LOG SENSE. `pages` lists the device's (page, subpage) pairs (0x00 and 0x00/0xFF are
/// added here); `fetch(page, subpage)` returns a page's parameters. Parameters with a code
/// ≥ PARAMETER POINTER are returned, in ascending code order; with PC cumulative (01b) the
/// values are returned (for the TapeAlert page 0x2E with PC 00b as well), with the other
/// page controls the values are zeros of the same
/// length (this logical unit has no thresholds and its defaults are zero).
///
/// Returns the codes of the parameters whose values went out whole (PC cumulative, or PC
/// threshold for the TapeAlert page, and only those that fit in the ALLOCATION LENGTH), so that a device can clear what was read
/// and nothing else (TapeAlert flags, SSC-5 annex A: a 4-byte read of the header clears
/// nothing).
pub fn log_sense(
    pages: &[(u8, u8)],
    mut fetch: impl FnMut(u8, u8) -> Option<Vec<LogParameter>>,
    cdb: &[u8],
    data_in: &mut Vec<u8>,
) -> Result<Vec<u16>> {
    let c: &LogSenseCdb = view(cdb)?;
    check_reserved(c.flags, 0xfe, 1)?;
    if c.flags & 1 != 0 {
        return Err(ScsiError::cdb(
            1,
            Some(0),
            "saving log parameters not supported",
        ));
    }
    check_reserved_bytes(cdb, 4..5)?;
    check_control(c.control, 9)?;
    let pc = LogPageControl::from_bits(c.page >> 6);
    let code = c.page & 0x3f;
    let sub = c.subpage;
    let pointer = c.param_pointer.get();
    let alloc = usize::from(c.alloc_len.get());
    let mut all: Vec<(u8, u8)> = pages.to_vec();
    all.extend_from_slice(&[(0, 0), (0, 0xff)]);
    all.sort_unstable();
    all.dedup();
    let mut out = Vec::new();
    let mut sent = Vec::new();
    if sub == 0xff || (code == 0 && sub == 0) {
        if pointer != 0 {
            return Err(ScsiError::cdb(5, None, "parameter pointer"));
        }
        page_header(code, sub, &mut out);
        if code == 0 && sub == 0 {
            for (p, _) in all.iter().filter(|x| x.1 == 0) {
                out.push(*p);
            }
        } else {
            let list: Vec<_> = all.iter().filter(|x| code == 0 || x.0 == code).collect();
            if list.is_empty() {
                return Err(ScsiError::cdb(2, Some(5), "log page not supported"));
            }
            for (p, s) in list {
                out.extend_from_slice(&[*p, *s]);
            }
        }
    } else {
        if !all.contains(&(code, sub)) {
            if all.iter().any(|x| x.0 == code) {
                return Err(ScsiError::cdb(3, None, "log subpage not supported"));
            }
            return Err(ScsiError::cdb(2, Some(5), "log page not supported"));
        }
        let mut params = fetch(code, sub).unwrap_or_default();
        params.sort_by_key(|p| p.code);
        if pointer != 0 && params.last().is_none_or(|p| p.code < pointer) {
            return Err(ScsiError::cdb(
                5,
                None,
                "parameter pointer beyond last parameter",
            ));
        }
        page_header(code, sub, &mut out);
        // The TapeAlert page's flags have no thresholds: its current values answer PC 00b
        // too (mtx's tapeinfo reads it with PC 00b, and drives answer it with the flags).
        let current = pc == LogPageControl::Cumulative
            || (pc == LogPageControl::Threshold && code == TAPE_ALERT_PAGE);
        for p in params.iter().filter(|p| p.code >= pointer) {
            if current {
                p.encode(&mut out);
                if out.len() <= alloc {
                    sent.push(p.code);
                }
            } else {
                LogParameter {
                    value: vec![0; p.value.len()],
                    ..p.clone()
                }
                .encode(&mut out);
            }
        }
    }
    finish(&mut out);
    truncate_to(&mut out, alloc);
    data_in.extend_from_slice(&out);
    Ok(sent)
}

/// LOG SELECT CDB (SPC-5 6.8, 10 bytes).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct LogSelectCdb {
    /// 0x4C.
    pub op: u8,
    /// PCR (bit 1), SP (bit 0).
    pub flags: u8,
    /// PC (bits 7..6), PAGE CODE (bits 5..0).
    pub page: u8,
    /// SUBPAGE CODE.
    pub subpage: u8,
    /// Reserved.
    pub reserved: [u8; 3],
    /// PARAMETER LIST LENGTH.
    pub param_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// A log page sent with LOG SELECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPageUpdate {
    /// Page code.
    pub page: u8,
    /// Subpage code.
    pub subpage: u8,
    /// Offset of the page header in the parameter list.
    pub offset: u16,
    /// The parameters, in the order sent (ascending codes).
    pub params: Vec<LogParameter>,
}

/// What a LOG SELECT asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogSelect {
    /// Nothing to do (zero-length list with PC other than 11b).
    Nothing,
    /// Reset the cumulative values to their defaults: of one (page, subpage), or all pages
    /// (`None`). PCR=1, or PC=11b with an empty list.
    Reset(Option<(u8, u8)>),
    /// Set parameter values (PC=01b).
    Update(Vec<LogPageUpdate>),
}

/// Parse a LOG SELECT against the device's `pages`. PCR=1 with a parameter list → INVALID
/// FIELD IN CDB (byte 7); SP=1 → INVALID FIELD IN CDB (byte 1 bit 0, saving not
/// supported); parameter lists need PC=01b, a page code 0 or equal to the list's, pages
/// the device has, and parameters in ascending order that fit in their page.
pub fn parse_log_select(pages: &[(u8, u8)], cdb: &[u8], data_out: &[u8]) -> Result<LogSelect> {
    let c: &LogSelectCdb = view(cdb)?;
    check_reserved(c.flags, 0xfc, 1)?;
    if c.flags & 1 != 0 {
        return Err(ScsiError::cdb(
            1,
            Some(0),
            "saving log parameters not supported",
        ));
    }
    check_reserved_bytes(cdb, 4..7)?;
    check_control(c.control, 9)?;
    let pcr = c.flags & 2 != 0;
    let pc = LogPageControl::from_bits(c.page >> 6);
    let code = c.page & 0x3f;
    let sub = c.subpage;
    let len = usize::from(c.param_len.get());
    let known = |p: u8, s: u8| pages.contains(&(p, s));
    let target = || -> Result<Option<(u8, u8)>> {
        if code == 0 && sub == 0 {
            Ok(None)
        } else if known(code, sub) {
            Ok(Some((code, sub)))
        } else if pages.iter().any(|x| x.0 == code) {
            Err(ScsiError::cdb(3, None, "log subpage not supported"))
        } else {
            Err(ScsiError::cdb(2, Some(5), "log page not supported"))
        }
    };
    if pcr {
        if len != 0 {
            return Err(ScsiError::cdb(7, None, "PCR with a parameter list"));
        }
        return Ok(LogSelect::Reset(target()?));
    }
    if len == 0 {
        return Ok(if pc == LogPageControl::DefaultCumulative {
            LogSelect::Reset(target()?)
        } else {
            target()?;
            LogSelect::Nothing
        });
    }
    if pc != LogPageControl::Cumulative {
        return Err(ScsiError::cdb(
            2,
            Some(7),
            "only cumulative values can be set",
        ));
    }
    let list = &data_out[..len.min(data_out.len())];
    let mut updates = Vec::new();
    let mut i = 0;
    while i < list.len() {
        if i + 4 > list.len() {
            return Err(ScsiError::param_list_length_at(7));
        }
        let at = i as u16;
        let p = list[i] & 0x3f;
        let spf = list[i] & 0x40 != 0;
        let s = list[i + 1];
        if !spf && s != 0 {
            return Err(ScsiError::param(at + 1, None, "subpage without SPF"));
        }
        if (code, sub) != (0, 0) && (p, s) != (code, sub) {
            return Err(ScsiError::cdb(
                2,
                Some(5),
                "page code differs from the list's",
            ));
        }
        if !known(p, s) {
            return Err(ScsiError::param(at, Some(5), "log page not supported"));
        }
        let plen = usize::from(u16::from_be_bytes([list[i + 2], list[i + 3]]));
        let end = i + 4 + plen;
        if end > list.len() {
            return Err(ScsiError::param_list_length_at(7));
        }
        let mut params: Vec<LogParameter> = Vec::new();
        let mut j = i + 4;
        while j < end {
            if j + 4 > end {
                return Err(ScsiError::param(at + 2, None, "log page length"));
            }
            let pcode = u16::from_be_bytes([list[j], list[j + 1]]);
            let vlen = usize::from(list[j + 3]);
            if j + 4 + vlen > end {
                return Err(ScsiError::param(j as u16 + 3, None, "parameter length"));
            }
            if params.last().is_some_and(|q| q.code >= pcode) {
                return Err(ScsiError::param(j as u16, None, "parameters out of order"));
            }
            params.push(LogParameter::new(
                pcode,
                list[j + 2],
                &list[j + 4..j + 4 + vlen],
            ));
            j += 4 + vlen;
        }
        updates.push(LogPageUpdate {
            page: p,
            subpage: s,
            offset: at,
            params,
        });
        i = end;
    }
    Ok(LogSelect::Update(updates))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGES: [(u8, u8); 3] = [(0x0c, 0), (0x2e, 0), (0x0c, 0x01)];

    fn fetch(p: u8, s: u8) -> Option<Vec<LogParameter>> {
        match (p, s) {
            (0x0c, 0) => Some(vec![
                LogParameter::counter(1, 0x1234, 8),
                LogParameter::counter_min(0, 0x10000),
            ]),
            _ => Some(Vec::new()),
        }
    }

    fn sense(page: u8, sub: u8, pointer: u16, alloc: u16) -> Result<Vec<u8>> {
        let mut c = vec![0x4d, 0, page, sub, 0];
        c.extend_from_slice(&pointer.to_be_bytes());
        c.extend_from_slice(&alloc.to_be_bytes());
        c.push(0);
        let mut d = Vec::new();
        log_sense(&PAGES, fetch, &c, &mut d).map(|_| d)
    }

    #[test]
    fn encoders() {
        assert_eq!(LogParameter::counter_min(5, 0).value, [0]);
        assert_eq!(LogParameter::counter_min(5, 0x1ff).value, [1, 0xff]);
        assert_eq!(LogParameter::counter(5, 0x1ff, 4).value, [0, 0, 1, 0xff]);
        let mut b = Vec::new();
        LogParameter::ascii(2, "ab").encode(&mut b);
        assert_eq!(b, [0, 2, 0x01, 2, b'a', b'b']);
        assert_eq!(LogParameter::counter(1, 77, 3).as_u64(), 77);
    }

    #[test]
    fn supported_pages() {
        assert_eq!(
            sense(0x40, 0, 0, 100).unwrap(),
            [0x80, 0, 0, 3, 0x00, 0x0c, 0x2e]
        );
        assert_eq!(
            sense(0x40, 0xff, 0, 100).unwrap(),
            [0xc0, 0xff, 0, 10, 0, 0, 0, 0xff, 0x0c, 0, 0x0c, 1, 0x2e, 0]
        );
        assert_eq!(
            sense(0x4c, 0xff, 0, 100).unwrap(),
            [0xcc, 0xff, 0, 4, 0x0c, 0, 0x0c, 1]
        );
    }

    #[test]
    fn page_with_pointer_and_pc() {
        let d = sense(0x4c, 0, 0, 100).unwrap();
        assert_eq!(
            d,
            [
                0x8c, 0, 0, 19, 0, 0, 0x02, 3, 1, 0, 0, 0, 1, 0x02, 8, 0, 0, 0, 0, 0, 0, 0x12, 0x34
            ]
        );
        let d = sense(0x4c, 0, 1, 100).unwrap();
        assert_eq!(&d[..8], &[0x8c, 0, 0, 12, 0, 1, 0x02, 8]);
        let d = sense(0xcc, 0, 1, 100).unwrap();
        assert_eq!(&d[8..], &[0; 8]);
        assert_eq!(
            sense(0x4c, 0, 2, 100),
            Err(ScsiError::cdb(
                5,
                None,
                "parameter pointer beyond last parameter"
            ))
        );
        assert_eq!(sense(0x4c, 0, 0, 6).unwrap(), [0x8c, 0, 0, 19, 0, 0]);
        assert_eq!(
            sense(0x4d, 0, 0, 100),
            Err(ScsiError::cdb(2, Some(5), "log page not supported"))
        );
        assert_eq!(
            sense(0x4c, 2, 0, 100),
            Err(ScsiError::cdb(3, None, "log subpage not supported"))
        );
    }

    fn select(flags: u8, page: u8, list: &[u8]) -> Result<LogSelect> {
        let mut c = vec![0x4c, flags, page, 0, 0, 0, 0];
        c.extend_from_slice(&(list.len() as u16).to_be_bytes());
        c.push(0);
        parse_log_select(&PAGES, &c, list)
    }

    #[test]
    fn select_forms() {
        assert_eq!(select(0x02, 0x40, &[]), Ok(LogSelect::Reset(None)));
        assert_eq!(
            select(0x02, 0x4c, &[]),
            Ok(LogSelect::Reset(Some((0x0c, 0))))
        );
        assert_eq!(select(0x00, 0xc0, &[]), Ok(LogSelect::Reset(None)));
        assert_eq!(select(0x00, 0x40, &[]), Ok(LogSelect::Nothing));
        assert_eq!(
            select(0x02, 0x40, &[0x0c, 0, 0, 0]),
            Err(ScsiError::cdb(7, None, "PCR with a parameter list"))
        );
        let list = [0x0c, 0, 0, 10, 0, 1, 0x02, 1, 9, 0, 2, 0x02, 1, 8];
        assert_eq!(
            select(0x00, 0x40, &list),
            Ok(LogSelect::Update(vec![LogPageUpdate {
                page: 0x0c,
                subpage: 0,
                offset: 0,
                params: vec![
                    LogParameter::new(1, 0x02, &[9]),
                    LogParameter::new(2, 0x02, &[8])
                ],
            }]))
        );
        let bad = [0x0c, 0, 0, 10, 0, 2, 0x02, 1, 9, 0, 1, 0x02, 1, 8];
        assert_eq!(
            select(0x00, 0x40, &bad),
            Err(ScsiError::param(9, None, "parameters out of order"))
        );
        let bad = [0x0c, 0, 0, 5, 0, 1, 0x02, 2, 9];
        assert_eq!(
            select(0x00, 0x40, &bad),
            Err(ScsiError::param(7, None, "parameter length"))
        );
        assert_eq!(
            select(0x00, 0x40, &[0x0d, 0, 0, 0]),
            Err(ScsiError::param(0, Some(5), "log page not supported"))
        );
    }
}
