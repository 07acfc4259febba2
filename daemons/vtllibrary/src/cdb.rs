//! SMC command descriptor blocks: one zerocopy struct per medium changer command, with
//! accessors, and [`Command`], the parsed form the library executes.
//!
//! Layouts are SMC-3 clause 6 (INITIALIZE ELEMENT STATUS WITH RANGE is the common vendor
//! 10-byte form, op code 0xE7). [`Command::parse`] checks the length, reserved bits (field
//! pointer to the highest bad bit) and the CONTROL byte.

use vtl_scsi::ScsiError;
use vtl_scsi::cdb::{check_control, check_reserved, view};
use zerocopy::byteorder::big_endian::U16;
use zerocopy::{FromBytes, Immutable, KnownLayout};

/// Operation codes of the SMC commands (SMC-3 table 2).
pub mod op {
    /// REZERO UNIT (SBC-era, kept by libraries as a no-op).
    pub const REZERO_UNIT: u8 = 0x01;
    /// INITIALIZE ELEMENT STATUS.
    pub const INITIALIZE_ELEMENT_STATUS: u8 = 0x07;
    /// OPEN/CLOSE IMPORT/EXPORT ELEMENT.
    pub const OPEN_CLOSE_IMPORT_EXPORT: u8 = 0x1b;
    /// POSITION TO ELEMENT.
    pub const POSITION_TO_ELEMENT: u8 = 0x2b;
    /// MOVE MEDIUM.
    pub const MOVE_MEDIUM: u8 = 0xa5;
    /// EXCHANGE MEDIUM.
    pub const EXCHANGE_MEDIUM: u8 = 0xa6;
    /// READ ELEMENT STATUS.
    pub const READ_ELEMENT_STATUS: u8 = 0xb8;
    /// INITIALIZE ELEMENT STATUS WITH RANGE (vendor specific, 10 bytes).
    pub const INITIALIZE_ELEMENT_STATUS_WITH_RANGE: u8 = 0xe7;
}

/// A CDB with no fields but the op code and CONTROL (REZERO UNIT, INITIALIZE ELEMENT
/// STATUS): bytes 1..4 reserved.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Plain6 {
    op: u8,
    reserved: [u8; 4],
    control: u8,
}

/// OPEN/CLOSE IMPORT/EXPORT ELEMENT (SMC-3 6.4): bytes 2..3 ELEMENT ADDRESS, byte 4 bits
/// 4..0 ACTION CODE (00h open, 01h close).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct OpenCloseImportExport {
    op: u8,
    reserved: u8,
    address: U16,
    action: u8,
    control: u8,
}

/// Action codes of OPEN/CLOSE IMPORT/EXPORT ELEMENT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportExportAction {
    /// 00h: open (unlock) the import/export element for the operator.
    Open,
    /// 01h: close (lock) it.
    Close,
}

impl OpenCloseImportExport {
    /// ELEMENT ADDRESS.
    pub fn address(&self) -> u16 {
        self.address.get()
    }
    /// The action (parse checked it is 0 or 1).
    pub fn action(&self) -> ImportExportAction {
        if self.action & 0x1f == 0 {
            ImportExportAction::Open
        } else {
            ImportExportAction::Close
        }
    }
}

/// POSITION TO ELEMENT (SMC-3 6.6): bytes 2..3 MEDIUM TRANSPORT ADDRESS, 4..5 DESTINATION
/// ELEMENT ADDRESS, byte 8 bit 0 INVERT.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct PositionToElement {
    op: u8,
    reserved: u8,
    transport: U16,
    destination: U16,
    reserved2: [u8; 2],
    invert: u8,
    control: u8,
}

impl PositionToElement {
    /// MEDIUM TRANSPORT ADDRESS (0 = the default transport).
    pub fn transport(&self) -> u16 {
        self.transport.get()
    }
    /// DESTINATION ELEMENT ADDRESS.
    pub fn destination(&self) -> u16 {
        self.destination.get()
    }
}

/// MOVE MEDIUM (SMC-3 6.5): bytes 2..3 MEDIUM TRANSPORT ADDRESS, 4..5 SOURCE ADDRESS, 6..7
/// DESTINATION ADDRESS, byte 10 bit 0 INVERT.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct MoveMedium {
    op: u8,
    reserved: u8,
    transport: U16,
    source: U16,
    destination: U16,
    reserved2: [u8; 2],
    invert: u8,
    control: u8,
}

impl MoveMedium {
    /// MEDIUM TRANSPORT ADDRESS (0 = the default transport).
    pub fn transport(&self) -> u16 {
        self.transport.get()
    }
    /// SOURCE ADDRESS.
    pub fn source(&self) -> u16 {
        self.source.get()
    }
    /// DESTINATION ADDRESS.
    pub fn destination(&self) -> u16 {
        self.destination.get()
    }
}

/// EXCHANGE MEDIUM (SMC-3 6.3): bytes 2..3 MEDIUM TRANSPORT ADDRESS, 4..5 SOURCE ADDRESS,
/// 6..7 FIRST DESTINATION ADDRESS, 8..9 SECOND DESTINATION ADDRESS, byte 10 bit 1 INV2,
/// bit 0 INV1. The medium in the source goes to the first destination, the medium that was
/// there to the second destination (which may be the source).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ExchangeMedium {
    op: u8,
    reserved: u8,
    transport: U16,
    source: U16,
    first: U16,
    second: U16,
    invert: u8,
    control: u8,
}

impl ExchangeMedium {
    /// MEDIUM TRANSPORT ADDRESS.
    pub fn transport(&self) -> u16 {
        self.transport.get()
    }
    /// SOURCE ADDRESS.
    pub fn source(&self) -> u16 {
        self.source.get()
    }
    /// FIRST DESTINATION ADDRESS.
    pub fn first_destination(&self) -> u16 {
        self.first.get()
    }
    /// SECOND DESTINATION ADDRESS.
    pub fn second_destination(&self) -> u16 {
        self.second.get()
    }
}

/// READ ELEMENT STATUS (SMC-3 6.11): byte 1 bit 4 VOLTAG, bits 3..0 ELEMENT TYPE CODE;
/// bytes 2..3 STARTING ELEMENT ADDRESS; 4..5 NUMBER OF ELEMENTS; byte 6 bit 1 CURDATA,
/// bit 0 DVCID; bytes 7..9 ALLOCATION LENGTH.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReadElementStatus {
    op: u8,
    flags: u8,
    start: U16,
    count: U16,
    flags2: u8,
    alloc: [u8; 3],
    reserved: u8,
    control: u8,
}

impl ReadElementStatus {
    /// VOLTAG: report volume tags.
    pub fn voltag(&self) -> bool {
        self.flags & 0x10 != 0
    }
    /// ELEMENT TYPE CODE (0 all, 1..=4 one type; parse checked the range).
    pub fn element_type(&self) -> u8 {
        self.flags & 0x0f
    }
    /// STARTING ELEMENT ADDRESS.
    pub fn start(&self) -> u16 {
        self.start.get()
    }
    /// NUMBER OF ELEMENTS.
    pub fn count(&self) -> u16 {
        self.count.get()
    }
    /// CURDATA: report current data without moving the transport (always so here).
    pub fn curdata(&self) -> bool {
        self.flags2 & 0x02 != 0
    }
    /// DVCID: report device identifiers.
    pub fn dvcid(&self) -> bool {
        self.flags2 & 0x01 != 0
    }
    /// ALLOCATION LENGTH in bytes.
    pub fn alloc(&self) -> usize {
        usize::from(self.alloc[0]) << 16
            | usize::from(self.alloc[1]) << 8
            | usize::from(self.alloc[2])
    }
}

/// INITIALIZE ELEMENT STATUS WITH RANGE (0xE7, 10 bytes): byte 1 bit 1 FAST, bit 0 RANGE;
/// bytes 2..3 STARTING ELEMENT ADDRESS; 6..7 NUMBER OF ELEMENTS (used when RANGE=1).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct InitializeElementStatusWithRange {
    op: u8,
    flags: u8,
    start: U16,
    reserved: [u8; 2],
    count: U16,
    reserved2: u8,
    control: u8,
}

impl InitializeElementStatusWithRange {
    /// RANGE: only the elements from STARTING ELEMENT ADDRESS on.
    pub fn range(&self) -> bool {
        self.flags & 1 != 0
    }
    /// STARTING ELEMENT ADDRESS.
    pub fn start(&self) -> u16 {
        self.start.get()
    }
    /// NUMBER OF ELEMENTS.
    pub fn count(&self) -> u16 {
        self.count.get()
    }
}

/// One parsed SMC command, borrowing its CDB.
#[derive(Debug)]
pub enum Command<'a> {
    /// REZERO UNIT.
    RezeroUnit,
    /// INITIALIZE ELEMENT STATUS.
    InitializeElementStatus,
    /// OPEN/CLOSE IMPORT/EXPORT ELEMENT.
    OpenCloseImportExport(&'a OpenCloseImportExport),
    /// POSITION TO ELEMENT.
    PositionToElement(&'a PositionToElement),
    /// MOVE MEDIUM.
    MoveMedium(&'a MoveMedium),
    /// EXCHANGE MEDIUM.
    ExchangeMedium(&'a ExchangeMedium),
    /// READ ELEMENT STATUS.
    ReadElementStatus(&'a ReadElementStatus),
    /// INITIALIZE ELEMENT STATUS WITH RANGE.
    InitializeElementStatusWithRange(&'a InitializeElementStatusWithRange),
}

fn reserved_bytes(bytes: &[u8], first: u16) -> Result<(), ScsiError> {
    for (i, &b) in bytes.iter().enumerate() {
        check_reserved(b, 0xff, first + i as u16)?;
    }
    Ok(())
}

impl<'a> Command<'a> {
    /// Parse `cdb` as one of the SMC commands, checking length, reserved bits and CONTROL.
    ///
    /// Errors: [`ScsiError::InvalidOpcode`] for any other operation code;
    /// [`ScsiError::ShortCdb`]; INVALID FIELD IN CDB with the field pointer for reserved
    /// bits and unsupported values (INVERT, element type codes above 4, action codes above
    /// 1).
    pub fn parse(cdb: &'a [u8]) -> Result<Command<'a>, ScsiError> {
        let opcode = *cdb.first().ok_or(ScsiError::ShortCdb {
            op: 0,
            got: 0,
            need: 6,
        })?;
        Ok(match opcode {
            op::REZERO_UNIT | op::INITIALIZE_ELEMENT_STATUS => {
                let c: &Plain6 = view(cdb)?;
                reserved_bytes(&c.reserved, 1)?;
                check_control(c.control, 5)?;
                if opcode == op::REZERO_UNIT {
                    Command::RezeroUnit
                } else {
                    Command::InitializeElementStatus
                }
            }
            op::OPEN_CLOSE_IMPORT_EXPORT => {
                let c: &OpenCloseImportExport = view(cdb)?;
                check_reserved(c.reserved, 0xff, 1)?;
                check_reserved(c.action, 0xe0, 4)?;
                check_control(c.control, 5)?;
                if c.action & 0x1f > 1 {
                    return Err(ScsiError::cdb(4, Some(4), "action code not supported"));
                }
                Command::OpenCloseImportExport(c)
            }
            op::POSITION_TO_ELEMENT => {
                let c: &PositionToElement = view(cdb)?;
                check_reserved(c.reserved, 0xff, 1)?;
                reserved_bytes(&c.reserved2, 6)?;
                check_reserved(c.invert, 0xfe, 8)?;
                check_control(c.control, 9)?;
                if c.invert & 1 != 0 {
                    return Err(ScsiError::cdb(8, Some(0), "INVERT is not supported"));
                }
                Command::PositionToElement(c)
            }
            op::MOVE_MEDIUM => {
                let c: &MoveMedium = view(cdb)?;
                check_reserved(c.reserved, 0xff, 1)?;
                reserved_bytes(&c.reserved2, 8)?;
                check_reserved(c.invert, 0xfe, 10)?;
                check_control(c.control, 11)?;
                if c.invert & 1 != 0 {
                    return Err(ScsiError::cdb(10, Some(0), "INVERT is not supported"));
                }
                Command::MoveMedium(c)
            }
            op::EXCHANGE_MEDIUM => {
                let c: &ExchangeMedium = view(cdb)?;
                check_reserved(c.reserved, 0xff, 1)?;
                check_reserved(c.invert, 0xfc, 10)?;
                check_control(c.control, 11)?;
                if c.invert & 3 != 0 {
                    let bit = if c.invert & 2 != 0 { 1 } else { 0 };
                    return Err(ScsiError::cdb(10, Some(bit), "INV1/INV2 are not supported"));
                }
                Command::ExchangeMedium(c)
            }
            op::READ_ELEMENT_STATUS => {
                let c: &ReadElementStatus = view(cdb)?;
                check_reserved(c.flags, 0xe0, 1)?;
                check_reserved(c.flags2, 0xfc, 6)?;
                check_reserved(c.reserved, 0xff, 10)?;
                check_control(c.control, 11)?;
                if c.element_type() > 4 {
                    return Err(ScsiError::cdb(1, Some(3), "element type code reserved"));
                }
                Command::ReadElementStatus(c)
            }
            op::INITIALIZE_ELEMENT_STATUS_WITH_RANGE => {
                let c: &InitializeElementStatusWithRange = view(cdb)?;
                check_reserved(c.flags, 0xfc, 1)?;
                reserved_bytes(&c.reserved, 4)?;
                check_reserved(c.reserved2, 0xff, 8)?;
                check_control(c.control, 9)?;
                Command::InitializeElementStatusWithRange(c)
            }
            _ => {
                return Err(ScsiError::InvalidOpcode {
                    op: opcode,
                    service_action: None,
                });
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_errors() {
        let Command::MoveMedium(m) =
            Command::parse(&[0xa5, 0, 0, 1, 0x03, 0xe8, 0x01, 0xf4, 0, 0, 0, 0]).unwrap()
        else {
            panic!()
        };
        assert_eq!((m.transport(), m.source(), m.destination()), (1, 1000, 500));
        assert_eq!(
            Command::parse(&[0xa5, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0]).unwrap_err(),
            ScsiError::cdb(10, Some(0), "INVERT is not supported")
        );
        let Command::ReadElementStatus(r) =
            Command::parse(&[0xb8, 0x12, 0, 0, 0xff, 0xff, 0x03, 0x01, 0x00, 0x08, 0, 0]).unwrap()
        else {
            panic!()
        };
        assert!(r.voltag() && r.curdata() && r.dvcid());
        assert_eq!(
            (r.element_type(), r.count(), r.alloc()),
            (2, 0xffff, 0x10008)
        );
        assert_eq!(
            Command::parse(&[0xb8, 0x05, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0]).unwrap_err(),
            ScsiError::cdb(1, Some(3), "element type code reserved")
        );
        assert!(matches!(
            Command::parse(&[0xa5, 0, 0]),
            Err(ScsiError::ShortCdb { op: 0xa5, .. })
        ));
        assert!(matches!(
            Command::parse(&[0x08, 0, 0, 0, 0, 0]),
            Err(ScsiError::InvalidOpcode { op: 0x08, .. })
        ));
        assert_eq!(
            Command::parse(&[0x1b, 0, 0, 10, 2, 0]).unwrap_err(),
            ScsiError::cdb(4, Some(4), "action code not supported")
        );
    }
}
