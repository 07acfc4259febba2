//! SSC command descriptor blocks: one zerocopy struct per command of the data path, with
//! accessors for its fields, and [`Command`], the parsed form a drive executes.
//!
//! Layouts are those of SSC-5 clause 7 (and 8 for READ MEDIA SERIAL NUMBER from SPC-5 6.18).
//! [`Command::parse`] checks the length, the reserved bits (field pointer to the highest bad
//! bit) and the CONTROL byte, so the command functions can trust every field they read.

use vtl_scsi::ScsiError;
use vtl_scsi::cdb::{check_control, check_reserved, view};
use zerocopy::byteorder::big_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, KnownLayout};

/// A 24-bit big-endian unsigned field.
fn u24(b: [u8; 3]) -> u32 {
    u32::from_be_bytes([0, b[0], b[1], b[2]])
}

/// A 24-bit big-endian two's complement field (SPACE(6) COUNT).
fn i24(b: [u8; 3]) -> i32 {
    (u32::from_be_bytes([b[0], b[1], b[2], 0]) as i32) >> 8
}

/// Operation codes of the SSC commands this module parses (SSC-5 table 6, SPC-5 for 0xAB).
pub mod op {
    /// REWIND.
    pub const REWIND: u8 = 0x01;
    /// READ BLOCK LIMITS.
    pub const READ_BLOCK_LIMITS: u8 = 0x05;
    /// READ(6).
    pub const READ_6: u8 = 0x08;
    /// WRITE(6).
    pub const WRITE_6: u8 = 0x0a;
    /// SET CAPACITY.
    pub const SET_CAPACITY: u8 = 0x0b;
    /// WRITE FILEMARKS(6).
    pub const WRITE_FILEMARKS_6: u8 = 0x10;
    /// SPACE(6).
    pub const SPACE_6: u8 = 0x11;
    /// VERIFY(6).
    pub const VERIFY_6: u8 = 0x13;
    /// ERASE(6).
    pub const ERASE_6: u8 = 0x19;
    /// LOAD UNLOAD.
    pub const LOAD_UNLOAD: u8 = 0x1b;
    /// LOCATE(10).
    pub const LOCATE_10: u8 = 0x2b;
    /// READ POSITION.
    pub const READ_POSITION: u8 = 0x34;
    /// ALLOW OVERWRITE.
    pub const ALLOW_OVERWRITE: u8 = 0x82;
    /// SPACE(16).
    pub const SPACE_16: u8 = 0x91;
    /// LOCATE(16).
    pub const LOCATE_16: u8 = 0x92;
    /// SERVICE ACTION IN(12): READ MEDIA SERIAL NUMBER is its service action 0x01.
    pub const SERVICE_ACTION_IN_12: u8 = 0xab;
    /// REPORT DENSITY SUPPORT.
    pub const REPORT_DENSITY_SUPPORT: u8 = 0x44;
    /// MAINTENANCE IN: REPORT TIMESTAMP is its service action 0x0F.
    pub const MAINTENANCE_IN: u8 = 0xa3;
    /// MAINTENANCE OUT: SET TIMESTAMP is its service action 0x0F.
    pub const MAINTENANCE_OUT: u8 = 0xa4;
    /// Service action of REPORT TIMESTAMP / SET TIMESTAMP.
    pub const SA_TIMESTAMP: u8 = 0x0f;
    /// READ ATTRIBUTE (SPC-5 6.17).
    pub const READ_ATTRIBUTE: u8 = 0x8c;
    /// WRITE ATTRIBUTE (SPC-5 6.49).
    pub const WRITE_ATTRIBUTE: u8 = 0x8d;
    /// FORMAT MEDIUM (SSC-5 7.x).
    pub const FORMAT_MEDIUM: u8 = 0x04;
}

/// FORMAT MEDIUM (SSC-5 7.x): byte 1 bit 1 VERIFY, bit 0 IMMED; byte 2 bits 3..0 FORMAT
/// (0h default format, 1h partition the medium, 2h default format then partition); bytes
/// 3..4 TRANSFER LENGTH of the format parameter list (none is supported: must be 0).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct FormatMedium {
    op: u8,
    flags: u8,
    format: u8,
    length: U16,
    control: u8,
}

impl FormatMedium {
    /// VERIFY: verify the format (nothing to verify on a disk file; accepted).
    pub fn verify(&self) -> bool {
        self.flags & 2 != 0
    }
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// FORMAT field (0..=2 after parsing).
    pub fn format(&self) -> u8 {
        self.format & 0x0f
    }
    /// TRANSFER LENGTH (0 after parsing).
    pub fn transfer_length(&self) -> u16 {
        self.length.get()
    }
}

/// REWIND (SSC-5 7.9): byte 1 bit 0 IMMED.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Rewind {
    op: u8,
    flags: u8,
    reserved: [u8; 3],
    control: u8,
}

impl Rewind {
    /// IMMED: return before the rewind completes (we rewind at once either way).
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// READ(6) (SSC-5 7.6): byte 1 bit 1 SILI, bit 0 FIXED; bytes 2..4 TRANSFER LENGTH (bytes
/// when FIXED=0, logical blocks of the current block length when FIXED=1).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Read6 {
    op: u8,
    flags: u8,
    length: [u8; 3],
    control: u8,
}

impl Read6 {
    /// SILI: suppress incorrect-length indication for blocks shorter than requested.
    pub fn sili(&self) -> bool {
        self.flags & 2 != 0
    }
    /// FIXED: the transfer length counts blocks of the current fixed block length.
    pub fn fixed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// TRANSFER LENGTH (0 ..= 0xFFFFFF).
    pub fn transfer_length(&self) -> u32 {
        u24(self.length)
    }
}

/// WRITE(6) (SSC-5 7.11): byte 1 bit 0 FIXED; bytes 2..4 TRANSFER LENGTH.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Write6 {
    op: u8,
    flags: u8,
    length: [u8; 3],
    control: u8,
}

impl Write6 {
    /// FIXED: the transfer length counts blocks of the current fixed block length.
    pub fn fixed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// TRANSFER LENGTH (0 ..= 0xFFFFFF).
    pub fn transfer_length(&self) -> u32 {
        u24(self.length)
    }
}

/// WRITE FILEMARKS(6) (SSC-5 7.12): byte 1 bit 1 WSMK, bit 0 IMMED; bytes 2..4 FILEMARK
/// COUNT.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct WriteFilemarks6 {
    op: u8,
    flags: u8,
    count: [u8; 3],
    control: u8,
}

impl WriteFilemarks6 {
    /// WSMK: write setmarks instead (not supported).
    pub fn wsmk(&self) -> bool {
        self.flags & 2 != 0
    }
    /// IMMED: return before the marks are on the medium (buffered mode only).
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// FILEMARK COUNT (0 = synchronize only).
    pub fn count(&self) -> u32 {
        u24(self.count)
    }
}

/// SPACE codes (SSC-5 table 48).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceCode {
    /// 0000b: logical blocks.
    Blocks,
    /// 0001b: filemarks.
    Filemarks,
    /// 0011b: end of data.
    EndOfData,
}

/// SPACE(6) (SSC-5 7.10): byte 1 bits 3..0 CODE; bytes 2..4 COUNT (signed).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Space6 {
    op: u8,
    code: u8,
    count: [u8; 3],
    control: u8,
}

impl Space6 {
    /// COUNT, sign-extended from 24 bits (negative = toward BOP).
    pub fn count(&self) -> i64 {
        i64::from(i24(self.count))
    }
}

/// SPACE(16) (SSC-5 7.10): byte 1 bits 3..0 CODE; bytes 4..11 COUNT (signed); bytes 12..13
/// PARAMETER LENGTH (must be 0: no parameter data is defined for us).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Space16 {
    op: u8,
    code: u8,
    reserved: [u8; 2],
    count: U64,
    parameter_length: U16,
    reserved2: u8,
    control: u8,
}

impl Space16 {
    /// COUNT (negative = toward BOP).
    pub fn count(&self) -> i64 {
        self.count.get() as i64
    }
}

/// Decode a SPACE CODE field (byte 1 bits 3..0); codes 010b (sequential filemarks), 100b
/// (setmarks) and the reserved ones are INVALID FIELD IN CDB, byte 1 bit 3.
fn space_code(b: u8) -> Result<SpaceCode, ScsiError> {
    check_reserved(b, 0xf0, 1)?;
    match b & 0x0f {
        0 => Ok(SpaceCode::Blocks),
        1 => Ok(SpaceCode::Filemarks),
        3 => Ok(SpaceCode::EndOfData),
        _ => Err(ScsiError::cdb(
            1,
            Some(3),
            "SPACE code not supported (only blocks, filemarks, end of data)",
        )),
    }
}

/// VERIFY(6) (SSC-5 7.10a): byte 1 bit 5 VTE, bit 4 VLBO, bit 3 IMMED, bit 2 BYTCMP, bit 1
/// VBF, bit 0 FIXED; bytes 2..4 VERIFICATION LENGTH.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Verify6 {
    op: u8,
    flags: u8,
    length: [u8; 3],
    control: u8,
}

impl Verify6 {
    /// VTE: verify to end of data (the length is ignored).
    pub fn vte(&self) -> bool {
        self.flags & 0x20 != 0
    }
    /// VLBPM: verify logical block protection information under the protection method of
    /// mode page 0x0A/0xF0 (checked by [`crate::drive::Drive::verify6`]).
    pub fn vlbo(&self) -> bool {
        self.flags & 0x10 != 0
    }
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 0x08 != 0
    }
    /// BYTCMP: compare with the data-out buffer.
    pub fn bytcmp(&self) -> bool {
        self.flags & 0x04 != 0
    }
    /// VBF: the length counts filemarks.
    pub fn vbf(&self) -> bool {
        self.flags & 0x02 != 0
    }
    /// FIXED: the length counts blocks of the current block length.
    pub fn fixed(&self) -> bool {
        self.flags & 0x01 != 0
    }
    /// VERIFICATION LENGTH.
    pub fn length(&self) -> u32 {
        u24(self.length)
    }
}

/// READ BLOCK LIMITS (SSC-5 7.5): byte 1 bit 0 MLOC.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReadBlockLimits {
    op: u8,
    flags: u8,
    reserved: [u8; 3],
    control: u8,
}

impl ReadBlockLimits {
    /// MLOC: report the maximum logical object identifier (20-byte form).
    pub fn mloc(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// LOAD UNLOAD (SSC-5 7.2): byte 1 bit 0 IMMED; byte 4 bit 3 HOLD, bit 2 EOT, bit 1 RETEN,
/// bit 0 LOAD.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct LoadUnload {
    op: u8,
    flags: u8,
    reserved: [u8; 2],
    bits: u8,
    control: u8,
}

impl LoadUnload {
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// HOLD: keep the cartridge in the drive (load: thread only to the MAM; unload: do not
    /// eject).
    pub fn hold(&self) -> bool {
        self.bits & 8 != 0
    }
    /// EOT: unload at end of tape.
    pub fn eot(&self) -> bool {
        self.bits & 4 != 0
    }
    /// RETEN: retension.
    pub fn reten(&self) -> bool {
        self.bits & 2 != 0
    }
    /// LOAD: 1 load, 0 unload.
    pub fn load(&self) -> bool {
        self.bits & 1 != 0
    }
}

/// ERASE(6) (SSC-5 7.1): byte 1 bit 1 IMMED, bit 0 LONG.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Erase6 {
    op: u8,
    flags: u8,
    reserved: [u8; 3],
    control: u8,
}

impl Erase6 {
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 2 != 0
    }
    /// LONG: erase to the end of the partition (else a short erase: EOD here).
    pub fn long(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// SET CAPACITY (SSC-5 7.13): byte 1 bit 0 IMMED; bytes 3..4 CAPACITY PROPORTION VALUE
/// (of 65535).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct SetCapacity {
    op: u8,
    flags: u8,
    reserved: u8,
    proportion: U16,
    control: u8,
}

impl SetCapacity {
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// CAPACITY PROPORTION VALUE: the usable share of the native capacity, in 1/65535.
    pub fn proportion(&self) -> u16 {
        self.proportion.get()
    }
}

/// LOCATE(10) (SSC-5 7.3): byte 1 bit 2 BT, bit 1 CP, bit 0 IMMED; bytes 3..6 LOGICAL
/// OBJECT IDENTIFIER; byte 8 PARTITION.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Locate10 {
    op: u8,
    flags: u8,
    reserved: u8,
    id: U32,
    reserved2: u8,
    partition: u8,
    control: u8,
}

impl Locate10 {
    /// BT: the identifier is a vendor-specific block address (we treat it as the logical
    /// object identifier, which is what our block address is).
    pub fn bt(&self) -> bool {
        self.flags & 4 != 0
    }
    /// CP: change partition to [`Locate10::partition`].
    pub fn cp(&self) -> bool {
        self.flags & 2 != 0
    }
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// LOGICAL OBJECT IDENTIFIER.
    pub fn id(&self) -> u64 {
        u64::from(self.id.get())
    }
    /// PARTITION (meaningful with CP).
    pub fn partition(&self) -> u8 {
        self.partition
    }
}

/// LOCATE(16) destination types (SSC-5 table 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestType {
    /// 000b: logical object identifier.
    Object,
    /// 001b: logical file identifier.
    File,
    /// 011b: end of data.
    EndOfData,
}

/// LOCATE(16) (SSC-5 7.4): byte 1 bits 5..3 DEST_TYPE, bit 1 CP, bit 0 IMMED; byte 2 bit 0
/// BAM; byte 3 PARTITION; bytes 4..11 LOGICAL IDENTIFIER.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Locate16 {
    op: u8,
    flags: u8,
    bam: u8,
    partition: u8,
    id: U64,
    reserved: [u8; 3],
    control: u8,
}

impl Locate16 {
    /// CP.
    pub fn cp(&self) -> bool {
        self.flags & 2 != 0
    }
    /// IMMED.
    pub fn immed(&self) -> bool {
        self.flags & 1 != 0
    }
    /// PARTITION.
    pub fn partition(&self) -> u8 {
        self.partition
    }
    /// LOGICAL IDENTIFIER.
    pub fn id(&self) -> u64 {
        self.id.get()
    }
    /// DEST_TYPE (checked by [`Command::parse`]).
    pub fn dest_type(&self) -> DestType {
        match (self.flags >> 3) & 7 {
            1 => DestType::File,
            3 => DestType::EndOfData,
            _ => DestType::Object,
        }
    }
}

/// READ POSITION service actions (SSC-5 7.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPositionForm {
    /// 00h short form, block id / 01h short form, vendor specific (same data here): 20 bytes.
    Short,
    /// 06h long form: 32 bytes.
    Long,
    /// 08h extended form: 32 bytes, allocation length honoured.
    Extended,
}

/// READ POSITION (SSC-5 7.7): byte 1 bits 4..0 SERVICE ACTION; bytes 7..8 ALLOCATION
/// LENGTH (extended form only; 0 for the others).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReadPosition {
    op: u8,
    sa: u8,
    reserved: [u8; 5],
    alloc: U16,
    control: u8,
}

impl ReadPosition {
    /// The form asked for (checked by [`Command::parse`]).
    pub fn form(&self) -> ReadPositionForm {
        match self.sa & 0x1f {
            6 => ReadPositionForm::Long,
            8 => ReadPositionForm::Extended,
            _ => ReadPositionForm::Short,
        }
    }
    /// ALLOCATION LENGTH.
    pub fn allocation_length(&self) -> u16 {
        self.alloc.get()
    }
}

/// ALLOW OVERWRITE values (SSC-5 table 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowOverwriteKind {
    /// 0h: no overwrite allowed (disable a previous allowance).
    Disabled,
    /// 1h: allow one overwrite at the current position, which must equal the CDB's.
    CurrentPosition,
    /// 2h: allow FORMAT MEDIUM / SET CAPACITY.
    Format,
}

/// ALLOW OVERWRITE (SSC-5 7.1a): byte 2 bits 3..0 ALLOW OVERWRITE; byte 3 PARTITION NUMBER;
/// bytes 4..11 LOGICAL OBJECT IDENTIFIER.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct AllowOverwrite {
    op: u8,
    reserved: u8,
    allow: u8,
    partition: u8,
    id: U64,
    reserved2: [u8; 3],
    control: u8,
}

impl AllowOverwrite {
    /// ALLOW OVERWRITE (checked by [`Command::parse`]).
    pub fn kind(&self) -> AllowOverwriteKind {
        match self.allow & 0x0f {
            1 => AllowOverwriteKind::CurrentPosition,
            2 => AllowOverwriteKind::Format,
            _ => AllowOverwriteKind::Disabled,
        }
    }
    /// PARTITION NUMBER.
    pub fn partition(&self) -> u8 {
        self.partition
    }
    /// LOGICAL OBJECT IDENTIFIER.
    pub fn id(&self) -> u64 {
        self.id.get()
    }
}

/// READ MEDIA SERIAL NUMBER (SPC-5 6.18): SERVICE ACTION IN(12) with service action 01h in
/// byte 1 bits 4..0; bytes 6..9 ALLOCATION LENGTH.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReadMediaSerialNumber {
    op: u8,
    sa: u8,
    reserved: [u8; 4],
    alloc: U32,
    reserved2: u8,
    control: u8,
}

impl ReadMediaSerialNumber {
    /// ALLOCATION LENGTH.
    pub fn allocation_length(&self) -> u32 {
        self.alloc.get()
    }
}

/// REPORT DENSITY SUPPORT (SSC-5 6.4): byte 1 bit 1 MEDIUM TYPE, bit 0 MEDIA; bytes 7..8
/// ALLOCATION LENGTH.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReportDensitySupport {
    op: u8,
    flags: u8,
    reserved: [u8; 5],
    alloc: U16,
    control: u8,
}

impl ReportDensitySupport {
    /// MEDIUM TYPE: report medium type descriptors instead of density descriptors.
    pub fn medium_type(&self) -> bool {
        self.flags & 2 != 0
    }
    /// MEDIA: report only what the loaded medium supports.
    pub fn media(&self) -> bool {
        self.flags & 1 != 0
    }
    /// ALLOCATION LENGTH.
    pub fn allocation_length(&self) -> u16 {
        self.alloc.get()
    }
}

/// REPORT TIMESTAMP (SPC-5 REPORT TIMESTAMP command: MAINTENANCE IN, service action 0Fh)
/// and SET TIMESTAMP (SPC-5 SET TIMESTAMP command: MAINTENANCE OUT, service action 0Fh):
/// byte 1 bits 4..0 SERVICE ACTION; bytes 6..9 ALLOCATION LENGTH (REPORT) or PARAMETER
/// LIST LENGTH (SET).
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Timestamp {
    op: u8,
    sa: u8,
    reserved: [u8; 4],
    length: U32,
    reserved2: u8,
    control: u8,
}

impl Timestamp {
    /// ALLOCATION LENGTH (REPORT TIMESTAMP) or PARAMETER LIST LENGTH (SET TIMESTAMP).
    pub fn length(&self) -> u32 {
        self.length.get()
    }
}

/// READ ATTRIBUTE (SPC-5 6.17), 16 bytes: byte 1 bits 4..0 SERVICE ACTION; bytes 2..4
/// restricted for SMC (reserved here); byte 5 LOGICAL VOLUME NUMBER; byte 7 PARTITION
/// NUMBER; bytes 8..9 FIRST ATTRIBUTE IDENTIFIER; bytes 10..13 ALLOCATION LENGTH; byte 14
/// bit 0 CACHE.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ReadAttribute {
    op: u8,
    sa: u8,
    restricted: [u8; 3],
    volume: u8,
    reserved: u8,
    partition: u8,
    first: U16,
    alloc: U32,
    cache: u8,
    control: u8,
}

impl ReadAttribute {
    /// SERVICE ACTION (byte 1 bits 4..0): 00h ATTRIBUTE VALUES, 01h ATTRIBUTE LIST, 02h
    /// LOGICAL VOLUME LIST, 03h PARTITION LIST, 05h SUPPORTED ATTRIBUTES.
    pub fn service_action(&self) -> u8 {
        self.sa & 0x1f
    }
    /// LOGICAL VOLUME NUMBER (byte 5).
    pub fn volume(&self) -> u8 {
        self.volume
    }
    /// PARTITION NUMBER (byte 7).
    pub fn partition(&self) -> u8 {
        self.partition
    }
    /// FIRST ATTRIBUTE IDENTIFIER (bytes 8..9).
    pub fn first_attribute(&self) -> u16 {
        self.first.get()
    }
    /// ALLOCATION LENGTH in bytes (bytes 10..13).
    pub fn allocation_length(&self) -> u32 {
        self.alloc.get()
    }
    /// CACHE (byte 14 bit 0): values from a cache are acceptable (ours are always current).
    pub fn cache(&self) -> bool {
        self.cache & 1 != 0
    }
}

/// WRITE ATTRIBUTE (SPC-5 6.49), 16 bytes: byte 1 bit 0 WTC; bytes 2..4 restricted for SMC
/// (reserved here); byte 5 LOGICAL VOLUME NUMBER; byte 7 PARTITION NUMBER; bytes 10..13
/// PARAMETER LIST LENGTH.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct WriteAttribute {
    op: u8,
    wtc: u8,
    restricted: [u8; 3],
    volume: u8,
    reserved: u8,
    partition: u8,
    reserved2: [u8; 2],
    length: U32,
    reserved3: u8,
    control: u8,
}

impl WriteAttribute {
    /// WTC (byte 1 bit 0): write through the cache (every write is, here).
    pub fn wtc(&self) -> bool {
        self.wtc & 1 != 0
    }
    /// LOGICAL VOLUME NUMBER (byte 5).
    pub fn volume(&self) -> u8 {
        self.volume
    }
    /// PARTITION NUMBER (byte 7).
    pub fn partition(&self) -> u8 {
        self.partition
    }
    /// PARAMETER LIST LENGTH in bytes (bytes 10..13).
    pub fn parameter_list_length(&self) -> u32 {
        self.length.get()
    }
}

/// One parsed SSC data-path command, borrowing its CDB.
#[derive(Debug)]
pub enum Command<'a> {
    /// REWIND.
    Rewind(&'a Rewind),
    /// READ BLOCK LIMITS.
    ReadBlockLimits(&'a ReadBlockLimits),
    /// READ(6).
    Read6(&'a Read6),
    /// WRITE(6).
    Write6(&'a Write6),
    /// SET CAPACITY.
    SetCapacity(&'a SetCapacity),
    /// WRITE FILEMARKS(6).
    WriteFilemarks6(&'a WriteFilemarks6),
    /// SPACE(6) with its decoded code.
    Space6(&'a Space6, SpaceCode),
    /// VERIFY(6).
    Verify6(&'a Verify6),
    /// ERASE(6).
    Erase6(&'a Erase6),
    /// LOAD UNLOAD.
    LoadUnload(&'a LoadUnload),
    /// LOCATE(10).
    Locate10(&'a Locate10),
    /// READ POSITION.
    ReadPosition(&'a ReadPosition),
    /// ALLOW OVERWRITE.
    AllowOverwrite(&'a AllowOverwrite),
    /// SPACE(16) with its decoded code.
    Space16(&'a Space16, SpaceCode),
    /// LOCATE(16).
    Locate16(&'a Locate16),
    /// READ MEDIA SERIAL NUMBER.
    ReadMediaSerialNumber(&'a ReadMediaSerialNumber),
    /// REPORT DENSITY SUPPORT.
    ReportDensitySupport(&'a ReportDensitySupport),
    /// MAINTENANCE IN / REPORT TIMESTAMP.
    ReportTimestamp(&'a Timestamp),
    /// MAINTENANCE OUT / SET TIMESTAMP.
    SetTimestamp(&'a Timestamp),
    /// READ ATTRIBUTE.
    ReadAttribute(&'a ReadAttribute),
    /// WRITE ATTRIBUTE.
    WriteAttribute(&'a WriteAttribute),
    /// FORMAT MEDIUM.
    FormatMedium(&'a FormatMedium),
}

impl<'a> Command<'a> {
    /// Parse `cdb` as one of the SSC data-path commands, checking length, reserved bits and
    /// CONTROL.
    ///
    /// Errors: [`ScsiError::InvalidOpcode`] for any other operation code (and for service
    /// actions of 0xAB other than 01h); [`ScsiError::ShortCdb`]; INVALID FIELD IN CDB with the
    /// field pointer for reserved bits and unsupported values.
    pub fn parse(cdb: &'a [u8]) -> Result<Command<'a>, ScsiError> {
        let opcode = *cdb.first().ok_or(ScsiError::ShortCdb {
            op: 0,
            got: 0,
            need: 6,
        })?;
        Ok(match opcode {
            op::REWIND => {
                let c: &Rewind = view(cdb)?;
                check_reserved(c.flags, 0xfe, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_control(c.control, 5)?;
                Command::Rewind(c)
            }
            op::READ_BLOCK_LIMITS => {
                let c: &ReadBlockLimits = view(cdb)?;
                check_reserved(c.flags, 0xfe, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_control(c.control, 5)?;
                Command::ReadBlockLimits(c)
            }
            op::READ_6 => {
                let c: &Read6 = view(cdb)?;
                check_reserved(c.flags, 0xfc, 1)?;
                check_control(c.control, 5)?;
                if c.sili() && c.fixed() {
                    return Err(ScsiError::cdb(1, Some(1), "SILI and FIXED both set"));
                }
                Command::Read6(c)
            }
            op::WRITE_6 => {
                let c: &Write6 = view(cdb)?;
                check_reserved(c.flags, 0xfe, 1)?;
                check_control(c.control, 5)?;
                Command::Write6(c)
            }
            op::SET_CAPACITY => {
                let c: &SetCapacity = view(cdb)?;
                check_reserved(c.flags, 0xfe, 1)?;
                check_reserved(c.reserved, 0xff, 2)?;
                check_control(c.control, 5)?;
                Command::SetCapacity(c)
            }
            op::WRITE_FILEMARKS_6 => {
                let c: &WriteFilemarks6 = view(cdb)?;
                check_reserved(c.flags, 0xfc, 1)?;
                check_control(c.control, 5)?;
                if c.wsmk() {
                    return Err(ScsiError::cdb(1, Some(1), "setmarks are not supported"));
                }
                Command::WriteFilemarks6(c)
            }
            op::SPACE_6 => {
                let c: &Space6 = view(cdb)?;
                let code = space_code(c.code)?;
                check_control(c.control, 5)?;
                Command::Space6(c, code)
            }
            op::VERIFY_6 => {
                let c: &Verify6 = view(cdb)?;
                check_reserved(c.flags, 0xc0, 1)?;
                check_control(c.control, 5)?;
                if c.vbf() && (c.fixed() || c.bytcmp()) {
                    return Err(ScsiError::cdb(
                        1,
                        Some(1),
                        "VBF with FIXED or BYTCMP is not allowed",
                    ));
                }
                if c.vte() && (c.vbf() || c.bytcmp()) {
                    return Err(ScsiError::cdb(
                        1,
                        Some(5),
                        "VTE with VBF or BYTCMP is not allowed",
                    ));
                }
                Command::Verify6(c)
            }
            op::ERASE_6 => {
                let c: &Erase6 = view(cdb)?;
                check_reserved(c.flags, 0xfc, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_control(c.control, 5)?;
                Command::Erase6(c)
            }
            op::LOAD_UNLOAD => {
                let c: &LoadUnload = view(cdb)?;
                check_reserved(c.flags, 0xfe, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_reserved(c.bits, 0xf0, 4)?;
                check_control(c.control, 5)?;
                if c.eot() && c.load() {
                    return Err(ScsiError::cdb(
                        4,
                        Some(2),
                        "EOT is only valid when unloading",
                    ));
                }
                Command::LoadUnload(c)
            }
            op::LOCATE_10 => {
                let c: &Locate10 = view(cdb)?;
                check_reserved(c.flags, 0xf8, 1)?;
                check_reserved(c.reserved, 0xff, 2)?;
                check_reserved(c.reserved2, 0xff, 7)?;
                check_control(c.control, 9)?;
                Command::Locate10(c)
            }
            op::READ_POSITION => {
                let c: &ReadPosition = view(cdb)?;
                check_reserved(c.sa, 0xe0, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_control(c.control, 9)?;
                match c.sa & 0x1f {
                    0 | 1 | 6 => {
                        if c.alloc.get() != 0 {
                            return Err(ScsiError::cdb(
                                7,
                                None,
                                "allocation length must be 0 for this form",
                            ));
                        }
                    }
                    8 => {}
                    _ => {
                        return Err(ScsiError::cdb(
                            1,
                            Some(4),
                            "READ POSITION service action not supported",
                        ));
                    }
                }
                Command::ReadPosition(c)
            }
            op::FORMAT_MEDIUM => {
                let c: &FormatMedium = view(cdb)?;
                check_reserved(c.flags, 0xfc, 1)?;
                check_reserved(c.format, 0xf0, 2)?;
                check_control(c.control, 5)?;
                if c.format() > 2 {
                    return Err(ScsiError::cdb(2, Some(3), "FORMAT value reserved"));
                }
                if c.transfer_length() != 0 {
                    return Err(ScsiError::cdb(
                        3,
                        None,
                        "no format parameter list is supported",
                    ));
                }
                Command::FormatMedium(c)
            }
            op::ALLOW_OVERWRITE => {
                let c: &AllowOverwrite = view(cdb)?;
                check_reserved(c.reserved, 0xff, 1)?;
                check_reserved(c.allow, 0xf0, 2)?;
                reserved_bytes(&c.reserved2, 12)?;
                check_control(c.control, 15)?;
                if c.allow & 0x0f > 2 {
                    return Err(ScsiError::cdb(2, Some(3), "ALLOW OVERWRITE value reserved"));
                }
                Command::AllowOverwrite(c)
            }
            op::SPACE_16 => {
                let c: &Space16 = view(cdb)?;
                let code = space_code(c.code)?;
                reserved_bytes(&c.reserved, 2)?;
                check_reserved(c.reserved2, 0xff, 14)?;
                check_control(c.control, 15)?;
                if c.parameter_length.get() != 0 {
                    return Err(ScsiError::cdb(12, None, "no SPACE(16) parameter data"));
                }
                Command::Space16(c, code)
            }
            op::LOCATE_16 => {
                let c: &Locate16 = view(cdb)?;
                check_reserved(c.flags, 0xc4, 1)?;
                check_reserved(c.bam, 0xfe, 2)?;
                reserved_bytes(&c.reserved, 12)?;
                check_control(c.control, 15)?;
                if c.bam & 1 != 0 {
                    return Err(ScsiError::cdb(
                        2,
                        Some(0),
                        "block address mode is not supported",
                    ));
                }
                if !matches!((c.flags >> 3) & 7, 0 | 1 | 3) {
                    return Err(ScsiError::cdb(1, Some(5), "DEST_TYPE reserved"));
                }
                Command::Locate16(c)
            }
            op::SERVICE_ACTION_IN_12 => {
                let c: &ReadMediaSerialNumber = view(cdb)?;
                if c.sa & 0x1f != 0x01 {
                    return Err(ScsiError::InvalidOpcode {
                        op: opcode,
                        service_action: Some(u16::from(c.sa & 0x1f)),
                    });
                }
                check_reserved(c.sa, 0xe0, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_reserved(c.reserved2, 0xff, 10)?;
                check_control(c.control, 11)?;
                Command::ReadMediaSerialNumber(c)
            }
            op::REPORT_DENSITY_SUPPORT => {
                let c: &ReportDensitySupport = view(cdb)?;
                check_reserved(c.flags, 0xfc, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_control(c.control, 9)?;
                Command::ReportDensitySupport(c)
            }
            op::MAINTENANCE_IN | op::MAINTENANCE_OUT => {
                let c: &Timestamp = view(cdb)?;
                if c.sa & 0x1f != op::SA_TIMESTAMP {
                    return Err(ScsiError::InvalidOpcode {
                        op: opcode,
                        service_action: Some(u16::from(c.sa & 0x1f)),
                    });
                }
                check_reserved(c.sa, 0xe0, 1)?;
                reserved_bytes(&c.reserved, 2)?;
                check_reserved(c.reserved2, 0xff, 10)?;
                check_control(c.control, 11)?;
                if opcode == op::MAINTENANCE_IN {
                    Command::ReportTimestamp(c)
                } else {
                    Command::SetTimestamp(c)
                }
            }
            op::READ_ATTRIBUTE => {
                let c: &ReadAttribute = view(cdb)?;
                check_reserved(c.sa, 0xe0, 1)?;
                reserved_bytes(&c.restricted, 2)?;
                check_reserved(c.reserved, 0xff, 6)?;
                check_reserved(c.cache, 0xfe, 14)?;
                check_control(c.control, 15)?;
                if !matches!(c.service_action(), 0x00..=0x03 | 0x05) {
                    return Err(ScsiError::cdb(
                        1,
                        Some(4),
                        "READ ATTRIBUTE service action not supported",
                    ));
                }
                Command::ReadAttribute(c)
            }
            op::WRITE_ATTRIBUTE => {
                let c: &WriteAttribute = view(cdb)?;
                check_reserved(c.wtc, 0xfe, 1)?;
                reserved_bytes(&c.restricted, 2)?;
                check_reserved(c.reserved, 0xff, 6)?;
                reserved_bytes(&c.reserved2, 8)?;
                check_reserved(c.reserved3, 0xff, 14)?;
                check_control(c.control, 15)?;
                Command::WriteAttribute(c)
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

/// Check that every byte of a reserved run (starting at CDB byte `first`) is zero.
fn reserved_bytes(bytes: &[u8], first: u16) -> Result<(), ScsiError> {
    for (i, &b) in bytes.iter().enumerate() {
        check_reserved(b, 0xff, first + i as u16)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_four_bit_fields() {
        assert_eq!(u24([0x12, 0x34, 0x56]), 0x123456);
        assert_eq!(i24([0xff, 0xff, 0xff]), -1);
        assert_eq!(i24([0x80, 0, 0]), -0x80_0000);
        assert_eq!(i24([0x7f, 0xff, 0xff]), 0x7f_ffff);
    }

    #[test]
    fn read_flags_and_errors() {
        let Command::Read6(r) = Command::parse(&[0x08, 0x02, 0, 1, 0, 0]).unwrap() else {
            panic!()
        };
        assert!(r.sili() && !r.fixed());
        assert_eq!(r.transfer_length(), 256);
        assert_eq!(
            Command::parse(&[0x08, 0x03, 0, 0, 1, 0]).unwrap_err(),
            ScsiError::cdb(1, Some(1), "SILI and FIXED both set")
        );
        assert!(matches!(
            Command::parse(&[0x08, 0, 0]),
            Err(ScsiError::ShortCdb { op: 8, .. })
        ));
        assert!(matches!(
            Command::parse(&[0x12, 0, 0, 0, 0, 0]),
            Err(ScsiError::InvalidOpcode { op: 0x12, .. })
        ));
    }

    #[test]
    fn space_codes() {
        let e = Command::parse(&[0x11, 0x02, 0, 0, 1, 0]).unwrap_err();
        assert!(matches!(
            e,
            ScsiError::InvalidFieldInCdb {
                byte: 1,
                bit: Some(3),
                ..
            }
        ));
        let Command::Space6(s, SpaceCode::Blocks) =
            Command::parse(&[0x11, 0, 0xff, 0xff, 0xfe, 0]).unwrap()
        else {
            panic!()
        };
        assert_eq!(s.count(), -2);
    }
}
