//! The operation code table and REPORT SUPPORTED OPERATION CODES (MAINTENANCE IN service
//! action 0x0C, SPC-5 6.35).
//!
//! Every command a logical unit serves is described by an [`OpcodeInfo`]: operation code,
//! service action, CDB length, CDB usage data bitmap, timeouts, and the
//! [`CommandClass`] that decides how the command fares in the presence of reservations
//! (SPC-5 5.14.1, table "SPC commands that are allowed in the presence of various
//! reservations"). [`OpcodeTable`] merges the SPC core's entries with the device's.

use zerocopy::byteorder::big_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, truncate_to, view};
use crate::error::{Result, ScsiError};

/// How a command is treated when another I_T nexus holds a reservation (SPC-5 5.14.1 and
/// SPC-2 5.5.1). The device gives the class of each of its own op codes: SSC READ, SPACE,
/// LOCATE, REWIND, READ POSITION are [`CommandClass::Read`]; WRITE, WRITE FILEMARKS, ERASE,
/// LOAD/UNLOAD, FORMAT MEDIUM are [`CommandClass::Write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommandClass {
    /// Never conflicts (INQUIRY, REQUEST SENSE, REPORT LUNS, LOG SENSE, REPORT SUPPORTED
    /// OPERATION CODES, RELEASE, PREVENT ALLOW MEDIUM REMOVAL with PREVENT=0).
    Allowed,
    /// Allowed in the presence of any persistent reservation, conflicts with an SPC-2
    /// reservation held by another I_T nexus (TEST UNIT READY, PERSISTENT RESERVE IN/OUT).
    PrAllowed,
    /// Reads the medium or the device state: allowed for non-holders under the Write
    /// Exclusive types, conflicts under Exclusive Access (MODE SENSE, READ BUFFER, RECEIVE
    /// DIAGNOSTIC RESULTS, SSC READ/SPACE/LOCATE).
    Read,
    /// Changes the medium or the device state: conflicts for non-holders under every type
    /// except for registered I_T nexuses under the Registrants Only / All Registrants types
    /// (MODE SELECT, LOG SELECT, WRITE BUFFER, SEND DIAGNOSTIC, SSC WRITE).
    Write,
}

/// Largest CDB described by the table (the usage bitmap is stored in a fixed array).
pub const MAX_CDB: usize = 16;

/// One supported command: what REPORT SUPPORTED OPERATION CODES reports about it and how
/// reservations treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpcodeInfo {
    /// Operation code.
    pub op: u8,
    /// Service action (CDB byte 1 bits 4..0), for commands that have one.
    pub service_action: Option<u16>,
    /// CDB length in bytes (6, 10, 12, 16).
    pub cdb_len: u8,
    /// CDB USAGE DATA (SPC-5 6.35.3): byte 0 the op code, the service action in its field,
    /// then for every other byte a mask of the bits the device server evaluates. Only the
    /// first `cdb_len` bytes are meaningful.
    pub usage: [u8; MAX_CDB],
    /// Nominal command processing timeout, seconds (0 = not specified).
    pub nominal_timeout_s: u32,
    /// Recommended command timeout, seconds (0 = not specified).
    pub recommended_timeout_s: u32,
    /// The command's name in the standard (for logs).
    pub name: &'static str,
    /// Reservation class.
    pub class: CommandClass,
}

impl OpcodeInfo {
    /// An entry for `name` with CDB usage data `usage` (its length is the CDB length; at
    /// most [`MAX_CDB`] bytes, extra bytes are ignored); byte 0 of `usage` is the op code.
    /// No service action, no timeouts, class [`CommandClass::Write`] (the safe default).
    pub const fn new(name: &'static str, usage: &[u8]) -> OpcodeInfo {
        let mut u = [0u8; MAX_CDB];
        let mut i = 0;
        let n = if usage.len() < MAX_CDB {
            usage.len()
        } else {
            MAX_CDB
        };
        while i < n {
            u[i] = usage[i];
            i += 1;
        }
        OpcodeInfo {
            op: u[0],
            service_action: None,
            cdb_len: n as u8,
            usage: u,
            nominal_timeout_s: 0,
            recommended_timeout_s: 0,
            name,
            class: CommandClass::Write,
        }
    }

    /// With service action `sa` (the usage data's service action bits should hold it too).
    pub const fn sa(mut self, sa: u16) -> OpcodeInfo {
        self.service_action = Some(sa);
        self
    }

    /// With nominal and recommended timeouts in seconds.
    pub const fn timeouts(mut self, nominal_s: u32, recommended_s: u32) -> OpcodeInfo {
        self.nominal_timeout_s = nominal_s;
        self.recommended_timeout_s = recommended_s;
        self
    }

    /// With reservation class `class`.
    pub const fn class(mut self, class: CommandClass) -> OpcodeInfo {
        self.class = class;
        self
    }

    /// The CDB usage data (first `cdb_len` bytes of [`OpcodeInfo::usage`]).
    pub fn usage_data(&self) -> &[u8] {
        &self.usage[..usize::from(self.cdb_len).min(MAX_CDB)]
    }

    /// The 12-byte command timeouts descriptor (SPC-5 6.35.4).
    fn timeouts_descriptor(&self) -> [u8; 12] {
        let mut d = [0u8; 12];
        d[1] = 0x0a;
        d[4..8].copy_from_slice(&self.nominal_timeout_s.to_be_bytes());
        d[8..12].copy_from_slice(&self.recommended_timeout_s.to_be_bytes());
        d
    }
}

/// The merged op code table of a logical unit, sorted by (op, service action).
#[derive(Debug, Clone, Default)]
pub struct OpcodeTable {
    entries: Vec<OpcodeInfo>,
}

impl OpcodeTable {
    /// A table of `entries` (later entries replace earlier ones with the same op code and
    /// service action, so a device can override an SPC entry's timeouts).
    pub fn new(entries: impl IntoIterator<Item = OpcodeInfo>) -> OpcodeTable {
        let mut t = OpcodeTable::default();
        for e in entries {
            t.insert(e);
        }
        t
    }

    /// Add or replace an entry.
    pub fn insert(&mut self, e: OpcodeInfo) {
        let key = (e.op, e.service_action);
        match self
            .entries
            .binary_search_by_key(&key, |x| (x.op, x.service_action))
        {
            Ok(i) => self.entries[i] = e,
            Err(i) => self.entries.insert(i, e),
        }
    }

    /// All entries, sorted.
    pub fn entries(&self) -> &[OpcodeInfo] {
        &self.entries
    }

    /// True when `op` is described with service actions.
    pub fn has_service_actions(&self, op: u8) -> bool {
        self.entries
            .iter()
            .any(|e| e.op == op && e.service_action.is_some())
    }

    /// The entry for `op` (and `sa`, for op codes that have service actions).
    pub fn find(&self, op: u8, sa: Option<u16>) -> Option<&OpcodeInfo> {
        self.entries
            .iter()
            .find(|e| e.op == op && (e.service_action.is_none() || e.service_action == sa))
    }

    /// The entry describing the command in `cdb`: the service action is read from byte 1
    /// bits 4..0 for op codes the table lists with service actions.
    pub fn lookup(&self, cdb: &[u8]) -> Option<&OpcodeInfo> {
        let op = *cdb.first()?;
        if self.has_service_actions(op) {
            let sa = u16::from(*cdb.get(1)? & 0x1f);
            self.find(op, Some(sa))
        } else {
            self.find(op, None)
        }
    }
}

/// MAINTENANCE IN operation code.
pub const MAINTENANCE_IN: u8 = 0xa3;
/// REPORT SUPPORTED OPERATION CODES service action of MAINTENANCE IN.
pub const SA_REPORT_SUPPORTED_OPCODES: u16 = 0x0c;

/// REPORT SUPPORTED OPERATION CODES CDB (SPC-5 6.35.1, 12 bytes).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct RsocCdb {
    /// 0xA3.
    pub op: u8,
    /// Service action 0x0C in bits 4..0.
    pub service_action: u8,
    /// RCTD (bit 7), REPORTING OPTIONS (bits 2..0).
    pub options: u8,
    /// REQUESTED OPERATION CODE.
    pub requested_op: u8,
    /// REQUESTED SERVICE ACTION.
    pub requested_sa: U16,
    /// ALLOCATION LENGTH.
    pub alloc_len: U32,
    /// Reserved.
    pub reserved: u8,
    /// CONTROL.
    pub control: u8,
}

/// REPORT SUPPORTED OPERATION CODES (SPC-5 6.35): reporting options 000b (all commands,
/// with command timeouts descriptors when RCTD is set), 001b (one op code without service
/// action), 010b (op code + service action), 011b (op code, service action if it has
/// them). SUPPORT is 011b (supported) or 001b (not supported, CDB SIZE 0).
pub fn report_supported_opcodes(
    table: &OpcodeTable,
    cdb: &[u8],
    data_in: &mut Vec<u8>,
) -> Result<()> {
    let c: &RsocCdb = view(cdb)?;
    check_reserved(c.service_action, 0xe0, 1)?;
    check_reserved(c.options, 0x78, 2)?;
    check_reserved(c.reserved, 0xff, 10)?;
    check_control(c.control, 11)?;
    let rctd = c.options & 0x80 != 0;
    let alloc = c.alloc_len.get() as usize;
    let op = c.requested_op;
    let sa = c.requested_sa.get();
    let one = |e: Option<&OpcodeInfo>, out: &mut Vec<u8>| match e {
        None => out.extend_from_slice(&[0, 0x01, 0, 0]),
        Some(e) => {
            out.extend_from_slice(&[0, if rctd { 0x80 } else { 0 } | 0x03]);
            out.extend_from_slice(&u16::from(e.cdb_len).to_be_bytes());
            out.extend_from_slice(e.usage_data());
            if rctd {
                out.extend_from_slice(&e.timeouts_descriptor());
            }
        }
    };
    let mut out = Vec::new();
    match c.options & 0x07 {
        0 => {
            out.extend_from_slice(&[0; 4]);
            for e in table.entries() {
                out.push(e.op);
                out.push(0);
                out.extend_from_slice(&e.service_action.unwrap_or(0).to_be_bytes());
                out.push(0);
                out.push(if rctd { 0x02 } else { 0 } | u8::from(e.service_action.is_some()));
                out.extend_from_slice(&u16::from(e.cdb_len).to_be_bytes());
                if rctd {
                    out.extend_from_slice(&e.timeouts_descriptor());
                }
            }
            let len = (out.len() - 4) as u32;
            out[..4].copy_from_slice(&len.to_be_bytes());
        }
        1 => {
            if table.has_service_actions(op) {
                return Err(ScsiError::cdb(3, None, "op code has service actions"));
            }
            one(table.find(op, None), &mut out);
        }
        2 => {
            if !table.has_service_actions(op) && table.find(op, None).is_some() {
                return Err(ScsiError::cdb(3, None, "op code has no service actions"));
            }
            one(table.find(op, Some(sa)), &mut out);
        }
        3 => {
            if table.has_service_actions(op) {
                one(table.find(op, Some(sa)), &mut out);
            } else {
                one(table.find(op, None), &mut out);
            }
        }
        _ => return Err(ScsiError::cdb(2, Some(2), "reporting options")),
    }
    truncate_to(&mut out, alloc);
    data_in.extend_from_slice(&out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> OpcodeTable {
        OpcodeTable::new([
            OpcodeInfo::new("TEST UNIT READY", &[0x00, 0, 0, 0, 0, 0])
                .timeouts(1, 10)
                .class(CommandClass::PrAllowed),
            OpcodeInfo::new(
                "PERSISTENT RESERVE IN",
                &[0x5e, 0x01, 0, 0, 0, 0, 0, 0xff, 0xff, 0],
            )
            .sa(1),
            OpcodeInfo::new(
                "PERSISTENT RESERVE IN",
                &[0x5e, 0x00, 0, 0, 0, 0, 0, 0xff, 0xff, 0],
            )
            .sa(0),
        ])
    }

    fn rsoc(options: u8, op: u8, sa: u16, alloc: u32) -> Vec<u8> {
        let mut c = vec![0xa3, 0x0c, options, op];
        c.extend_from_slice(&sa.to_be_bytes());
        c.extend_from_slice(&alloc.to_be_bytes());
        c.extend_from_slice(&[0, 0]);
        c
    }

    #[test]
    fn sorted_and_lookup() {
        let t = table();
        let ops: Vec<_> = t
            .entries()
            .iter()
            .map(|e| (e.op, e.service_action))
            .collect();
        assert_eq!(ops, [(0, None), (0x5e, Some(0)), (0x5e, Some(1))]);
        assert_eq!(
            t.lookup(&[0x5e, 0x01]).map(|e| e.service_action),
            Some(Some(1))
        );
        assert!(t.lookup(&[0x5e, 0x02]).is_none());
        assert!(t.lookup(&[0x5e]).is_none());
    }

    #[test]
    fn all_commands_with_timeouts() {
        let mut d = Vec::new();
        report_supported_opcodes(&table(), &rsoc(0x80, 0, 0, 1000), &mut d).unwrap();
        assert_eq!(&d[..4], &[0, 0, 0, 60]);
        assert_eq!(
            &d[4..24],
            &[
                0x00, 0, 0, 0, 0, 0x02, 0, 6, 0, 0x0a, 0, 0, 0, 0, 0, 1, 0, 0, 0, 10
            ]
        );
        assert_eq!(&d[24..32], &[0x5e, 0, 0, 0, 0, 0x03, 0, 10]);
        let mut d = Vec::new();
        report_supported_opcodes(&table(), &rsoc(0, 0, 0, 12), &mut d).unwrap();
        assert_eq!(d, [0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 6]);
    }

    #[test]
    fn one_command() {
        let t = table();
        let mut d = Vec::new();
        report_supported_opcodes(&t, &rsoc(0x81, 0x00, 0, 100), &mut d).unwrap();
        assert_eq!(
            d,
            [
                0, 0x83, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 0, 1, 0, 0, 0, 10
            ]
        );
        d.clear();
        report_supported_opcodes(&t, &rsoc(0x02, 0x5e, 1, 100), &mut d).unwrap();
        assert_eq!(&d[..4], &[0, 0x03, 0, 10]);
        assert_eq!(&d[4..], &[0x5e, 0x01, 0, 0, 0, 0, 0, 0xff, 0xff, 0]);
        d.clear();
        report_supported_opcodes(&t, &rsoc(0x02, 0x5e, 7, 100), &mut d).unwrap();
        assert_eq!(d, [0, 0x01, 0, 0]);
        d.clear();
        report_supported_opcodes(&t, &rsoc(0x01, 0x08, 0, 100), &mut d).unwrap();
        assert_eq!(d, [0, 0x01, 0, 0]);
        assert_eq!(
            report_supported_opcodes(&t, &rsoc(0x01, 0x5e, 0, 100), &mut d),
            Err(ScsiError::cdb(3, None, "op code has service actions"))
        );
        assert_eq!(
            report_supported_opcodes(&t, &rsoc(0x02, 0x00, 0, 100), &mut d),
            Err(ScsiError::cdb(3, None, "op code has no service actions"))
        );
        assert_eq!(
            report_supported_opcodes(&t, &rsoc(0x04, 0, 0, 100), &mut d),
            Err(ScsiError::cdb(2, Some(2), "reporting options"))
        );
    }
}
