//! The cartridge's Medium Auxiliary Memory (MAM) and mhvtl's private per-cartridge fields.
//!
//! One in-memory model, [`Mam`], serves both on-disk encodings:
//!
//! * legacy (tape/MAM format 3): the packed 1024-byte structure at the start of `meta`
//!   ([`LegacyMam`], spec section 1.6);
//! * v6: the TLV files `mam` (spec 1.7) and `mhvtl_data` (spec 1.8).
//!
//! Every field keeps the bytes it has on disk: attribute values are in SCSI (big-endian) order
//! because READ ATTRIBUTE returns them verbatim, while `Flags` and `MediumTypeInformation` are
//! little-endian (spec 1.9). The zerocopy byte-order types make each field's order explicit, and
//! the struct has no implicit padding: the two alignment bytes of mhvtl's nested media-info
//! struct are the explicit field [`LegacyMam::media_info_pad`] at offset 874.

use zerocopy::byteorder::{BigEndian, LittleEndian, U16, U32, U64};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

use crate::error::{CartError, Result};
use crate::media::{Density, MediaType, MediumType};

type Be16 = U16<BigEndian>;
type Be32 = U32<BigEndian>;
type Be64 = U64<BigEndian>;
type Le16 = U16<LittleEndian>;
type Le32 = U32<LittleEndian>;

/// Size of the packed legacy MAM at the start of a legacy `meta` file (bytes).
pub const LEGACY_MAM_SIZE: usize = 1024;
/// `tape_fmt_version` of the legacy layout.
pub const TAPE_FMT_LEGACY: u32 = 3;
/// `tape_fmt_version` of the v6 layout.
pub const TAPE_FMT_V6: u32 = 6;
/// `mam_fmt_version` of the packed legacy MAM.
pub const MAM_FMT_LEGACY: u32 = 3;
/// `mam_fmt_version` of the TLV `mam` file.
pub const MAM_FMT_TLV: u32 = 4;
/// Length of one VolumeCoherencyInformation value in mhvtl master (1.8.0 wrote 46).
pub const VCI_LEN: usize = 70;

/// Flags bit: the cartridge was written in the 3592 "encryption format" (spec 1.12).
pub const FLAG_ENCRYPTION_FORMAT: u16 = 0x0001;
/// Flags bit: write protected (`edit_tape -w on`, spec 1.14).
pub const FLAG_WRITE_PROTECT: u16 = 0x0002;

/// The packed legacy MAM, byte for byte (spec 1.6). 1024 bytes, alignment 1.
#[derive(Clone, Debug, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct LegacyMam {
    /// 0: tape format version (LE): 3 legacy, 4/5 mid-migration, 6 v6.
    pub tape_fmt_version: Le32,
    /// 4: MAM format version (LE): 3 packed, 4 TLV.
    pub mam_fmt_version: Le32,
    /// 8: attribute 0x0000 REMAINING CAPACITY IN PARTITION, bytes (BE).
    pub remaining_capacity: Be64,
    /// 16: attribute 0x0001 MAXIMUM CAPACITY IN PARTITION, bytes (BE).
    pub max_capacity: Be64,
    /// 24: attribute 0x0002 TAPEALERT FLAGS (BE).
    pub tape_alert: Be64,
    /// 32: attribute 0x0003 LOAD COUNT (BE).
    pub load_count: Be64,
    /// 40: attribute 0x0004 MAM SPACE REMAINING, bytes (BE).
    pub mam_space_remaining: Be64,
    /// 48: attribute 0x0005 ASSIGNING ORGANIZATION (ASCII).
    pub assigning_organization_1: [u8; 8],
    /// 56: attribute 0x0007 INITIALIZATION COUNT (BE).
    pub initialization_count: Be16,
    /// 58: attributes 0x020a..0x020d DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD and the 3 before.
    pub dev_make_serial_last_load: [[u8; 40]; 4],
    /// 218: attribute 0x0220 TOTAL MBYTES WRITTEN IN MEDIUM LIFE (BE).
    pub written_in_medium_life: Be64,
    /// 226: attribute 0x0221 TOTAL MBYTES READ IN MEDIUM LIFE (BE).
    pub read_in_medium_life: Be64,
    /// 234: attribute 0x0222 TOTAL MBYTES WRITTEN IN CURRENT/LAST LOAD (BE).
    pub written_in_last_load: Be64,
    /// 242: attribute 0x0223 TOTAL MBYTES READ IN CURRENT/LAST LOAD (BE).
    pub read_in_last_load: Be64,
    /// 250: attribute 0x0400 MEDIUM MANUFACTURER (ASCII).
    pub medium_manufacturer: [u8; 8],
    /// 258: attribute 0x0401 MEDIUM SERIAL NUMBER (ASCII, NUL filled).
    pub medium_serial_number: [u8; 32],
    /// 290: attribute 0x0402 MEDIUM LENGTH (BE).
    pub medium_length: Be32,
    /// 294: attribute 0x0403 MEDIUM WIDTH (BE).
    pub medium_width: Be32,
    /// 298: attribute 0x0404 ASSIGNING ORGANIZATION (ASCII).
    pub assigning_organization_2: [u8; 8],
    /// 306: attribute 0x0406 MEDIUM MANUFACTURE DATE: mhvtl stores epoch seconds as text.
    pub medium_manufacture_date: [u8; 12],
    /// 318: attribute 0x0006 FORMATTED DENSITY CODE.
    pub formatted_density_code: u8,
    /// 319: attribute 0x0405 MEDIUM DENSITY CODE.
    pub medium_density_code: u8,
    /// 320: attribute 0x0408 MEDIUM TYPE (see [`MediumType`]).
    pub medium_type: u8,
    /// 321: mhvtl MediaType enum byte (see [`MediaType`]).
    pub media_type: u8,
    /// 322: attribute 0x0407 MAM CAPACITY, bytes (BE).
    pub mam_capacity: Be64,
    /// 330: attribute 0x0409 MEDIUM TYPE INFORMATION (**LE**; max cleanings for cleaning media).
    pub medium_type_information: Le16,
    /// 332: attribute 0x0800 APPLICATION VENDOR (ASCII).
    pub application_vendor: [u8; 8],
    /// 340: attribute 0x0801 APPLICATION NAME (ASCII).
    pub application_name: [u8; 32],
    /// 372: attribute 0x0802 APPLICATION VERSION (ASCII).
    pub application_version: [u8; 8],
    /// 380: attribute 0x0803 USER MEDIUM TEXT LABEL (text).
    pub user_medium_text_label: [u8; 160],
    /// 540: attribute 0x0804 DATE AND TIME LAST WRITTEN (ASCII YYYYMMDDHHMM).
    pub date_time_last_written: [u8; 12],
    /// 552: attribute 0x0805 TEXT LOCALIZATION IDENTIFIER.
    pub localization_identifier: u8,
    /// 553: attribute 0x0806 BARCODE: PCL space-padded to 31, then NUL.
    pub barcode: [u8; 32],
    /// 585: attribute 0x0807 OWNING HOST TEXTUAL NAME (text).
    pub owning_host_textual_name: [u8; 80],
    /// 665: attribute 0x0808 MEDIA POOL (text).
    pub media_pool: [u8; 160],
    /// 825: mhvtl: 1 while loaded in a drive.
    pub record_dirty: u8,
    /// 826: mhvtl Flags (**LE**): [`FLAG_ENCRYPTION_FORMAT`], [`FLAG_WRITE_PROTECT`].
    pub flags: Le16,
    /// 828: media_info.bits_per_mm (BE).
    pub bits_per_mm: Be32,
    /// 832: media_info.tracks (BE).
    pub tracks: Be16,
    /// 834: media_info.density_name (ASCII).
    pub density_name: [u8; 8],
    /// 842: media_info.description (ASCII).
    pub description: [u8; 32],
    /// 874: alignment padding of mhvtl's nested media_info struct (always 0).
    pub media_info_pad: [u8; 2],
    /// 876: mhvtl max_partitions.
    pub max_partitions: u8,
    /// 877: mhvtl num_partitions.
    pub num_partitions: u8,
    /// 878: reserved to 1024.
    pub pad: [u8; 146],
}

const _: () = assert!(std::mem::size_of::<LegacyMam>() == LEGACY_MAM_SIZE);

/// The whole MAM of a cartridge: every legacy field plus the v6 additions.
///
/// The legacy fields live in [`Mam::base`] with their on-disk byte order; the v6-only
/// attributes are kept as raw big-endian/ASCII bytes beside them.
#[derive(Clone, Debug)]
pub struct Mam {
    /// The fields shared by both layouts, in legacy byte layout.
    pub base: LegacyMam,
    /// Attribute 0x0009 VOLUME CHANGE REFERENCE (BE, v6).
    pub volume_change_reference: [u8; 4],
    /// Attribute 0x080b APPLICATION FORMAT VERSION (ASCII, v6).
    pub application_format_version: [u8; 16],
    /// Attribute 0x080c VOLUME COHERENCY INFORMATION per partition 0..3 (v6: partition 0 in
    /// `mam`, 1..3 in `mhvtl_data` 0x0a..0x0c).
    pub volume_coherency: [[u8; VCI_LEN]; 4],
    /// Attribute 0x1623 VOLUME LOCKED (LTFS, v6).
    pub volume_lock: u8,
    /// `mhvtl_data` 0x0d..0x10: capacity of each partition in bytes (BE); 0 = never formatted.
    pub partition_capacity: [[u8; 8]; 4],
}

/// A MAM attribute field of the v6 `mam` TLV: its id, stored length and where it lives.
struct TlvField {
    id: u16,
    len: usize,
    get: fn(&Mam) -> &[u8],
    get_mut: fn(&mut Mam) -> &mut [u8],
}

macro_rules! field {
    ($id:expr, $len:expr, |$m:ident| $e:expr) => {
        TlvField {
            id: $id,
            len: $len,
            get: |$m: &Mam| $e.as_bytes(),
            get_mut: |$m: &mut Mam| $e.as_mut_bytes(),
        }
    };
}

/// The `mam` TLV attributes in the order and with the lengths mhvtl master writes (spec 1.7).
fn mam_tlv_fields() -> [TlvField; 39] {
    [
        field!(0x0000, 8, |m| m.base.remaining_capacity),
        field!(0x0001, 8, |m| m.base.max_capacity),
        field!(0x0002, 8, |m| m.base.tape_alert),
        field!(0x0003, 8, |m| m.base.load_count),
        field!(0x0004, 8, |m| m.base.mam_space_remaining),
        field!(0x0005, 8, |m| m.base.assigning_organization_1),
        field!(0x0006, 1, |m| m.base.formatted_density_code),
        field!(0x0007, 2, |m| m.base.initialization_count),
        field!(0x0009, 4, |m| m.volume_change_reference),
        field!(0x020a, 40, |m| m.base.dev_make_serial_last_load[0]),
        field!(0x020b, 40, |m| m.base.dev_make_serial_last_load[1]),
        field!(0x020c, 40, |m| m.base.dev_make_serial_last_load[2]),
        field!(0x020d, 40, |m| m.base.dev_make_serial_last_load[3]),
        field!(0x0220, 8, |m| m.base.written_in_medium_life),
        field!(0x0221, 8, |m| m.base.read_in_medium_life),
        field!(0x0222, 8, |m| m.base.written_in_last_load),
        field!(0x0223, 8, |m| m.base.read_in_last_load),
        field!(0x0400, 8, |m| m.base.medium_manufacturer),
        field!(0x0401, 32, |m| m.base.medium_serial_number),
        field!(0x0402, 4, |m| m.base.medium_length),
        field!(0x0403, 4, |m| m.base.medium_width),
        field!(0x0404, 8, |m| m.base.assigning_organization_2),
        field!(0x0405, 1, |m| m.base.medium_density_code),
        field!(0x0406, 12, |m| m.base.medium_manufacture_date),
        field!(0x0407, 8, |m| m.base.mam_capacity),
        field!(0x0408, 1, |m| m.base.medium_type),
        field!(0x0409, 2, |m| m.base.medium_type_information),
        field!(0x0800, 8, |m| m.base.application_vendor),
        field!(0x0801, 32, |m| m.base.application_name),
        field!(0x0802, 8, |m| m.base.application_version),
        field!(0x0803, 160, |m| m.base.user_medium_text_label),
        field!(0x0804, 12, |m| m.base.date_time_last_written),
        field!(0x0805, 1, |m| m.base.localization_identifier),
        field!(0x0806, 32, |m| m.base.barcode),
        field!(0x0807, 80, |m| m.base.owning_host_textual_name),
        field!(0x0808, 160, |m| m.base.media_pool),
        field!(0x080b, 16, |m| m.application_format_version),
        field!(0x080c, VCI_LEN, |m| m.volume_coherency[0]),
        field!(0x1623, 1, |m| m.volume_lock),
    ]
}

/// The `mhvtl_data` TLV records in the order mhvtl master writes them (spec 1.8).
fn mhvtl_data_fields() -> [TlvField; 16] {
    [
        field!(0x01, 1, |m| m.base.record_dirty),
        field!(0x02, 2, |m| m.base.flags),
        field!(0x03, 1, |m| m.base.max_partitions),
        field!(0x04, 1, |m| m.base.num_partitions),
        field!(0x05, 1, |m| m.base.media_type),
        field!(0x0a, VCI_LEN, |m| m.volume_coherency[1]),
        field!(0x0b, VCI_LEN, |m| m.volume_coherency[2]),
        field!(0x0c, VCI_LEN, |m| m.volume_coherency[3]),
        field!(0x0d, 8, |m| m.partition_capacity[0]),
        field!(0x0e, 8, |m| m.partition_capacity[1]),
        field!(0x0f, 8, |m| m.partition_capacity[2]),
        field!(0x10, 8, |m| m.partition_capacity[3]),
        field!(0x06, 4, |m| m.base.bits_per_mm),
        field!(0x07, 2, |m| m.base.tracks),
        field!(0x08, 8, |m| m.base.density_name),
        field!(0x09, 32, |m| m.base.description),
    ]
}

/// What the v6 MAM of HEAD costs in MAM space: Σ(length + 5) over the `mam` attributes
/// (1102 bytes); MAMSpaceRemaining = MAMCapacity − this (spec 1.7).
pub fn v6_attribute_space() -> u64 {
    mam_tlv_fields().iter().map(|f| f.len as u64 + 5).sum()
}

/// Settings for a brand-new cartridge's MAM (what mktape writes).
#[derive(Debug, Clone)]
pub struct NewMam<'a> {
    /// The cartridge's barcode (already validated).
    pub pcl: &'a str,
    /// Density row from the table.
    pub density: &'a Density,
    /// Data, WORM, NULL or cleaning.
    pub medium_type: MediumType,
    /// Capacity in bytes (already resolved from `-s`).
    pub capacity: u64,
    /// Seconds since the epoch used for serial number and manufacture date
    /// (`SOURCE_DATE_EPOCH` when set).
    pub epoch: u64,
    /// Target layout: decides the mhvtl-version-dependent defaults (MAM capacity, max
    /// partitions, application version).
    pub v6: bool,
    /// The 8 bytes written into ApplicationVendor (0x0800).
    pub application_vendor: [u8; 8],
}

/// Copy `s` into a fixed field, truncating; the rest stays as it was (zero for new fields).
fn put_str(dst: &mut [u8], s: &str) {
    let n = s.len().min(dst.len());
    dst[..n].copy_from_slice(&s.as_bytes()[..n]);
}

/// Copy `s` into a fixed field and NUL-fill the rest (truncating a longer `s`).
fn fill_str(dst: &mut [u8], s: &str) {
    dst.fill(0);
    put_str(dst, s);
}

/// MediumTypeInformation of a cleaning cartridge: the number of cleaning loads (mhvtl: 20).
pub const CLEANING_CYCLES: u16 = 20;

/// The three host text attributes a user may set (SPC-5 7.4.2.4, format TEXT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextAttribute {
    /// 0x0803 USER MEDIUM TEXT LABEL (160 bytes).
    UserMediumTextLabel,
    /// 0x0807 OWNING HOST TEXTUAL NAME (80 bytes).
    OwningHostTextualName,
    /// 0x0808 MEDIA POOL (160 bytes).
    MediaPool,
}

impl TextAttribute {
    /// All three, in attribute-id order.
    pub const ALL: [TextAttribute; 3] = [
        TextAttribute::UserMediumTextLabel,
        TextAttribute::OwningHostTextualName,
        TextAttribute::MediaPool,
    ];

    /// The attribute identifier.
    pub fn id(self) -> u16 {
        match self {
            TextAttribute::UserMediumTextLabel => 0x0803,
            TextAttribute::OwningHostTextualName => 0x0807,
            TextAttribute::MediaPool => 0x0808,
        }
    }

    /// The SPC-5 name.
    pub fn name(self) -> &'static str {
        attribute_info(self.id()).map_or("", |(n, _)| n)
    }

    /// Longest value in bytes.
    pub fn max_len(self) -> usize {
        match self {
            TextAttribute::OwningHostTextualName => 80,
            _ => 160,
        }
    }

    /// Check a value for this attribute (see [`Mam::set_text_attribute`]).
    ///
    /// Errors: [`CartError::InvalidArgument`] saying what is wrong.
    pub fn check(self, value: &str) -> Result<()> {
        if let Some(c) = value.chars().find(|c| !(' '..='~').contains(c)) {
            return Err(CartError::InvalidArgument(format!(
                "{} (0x{:04x}): only printable ASCII is allowed, found {c:?}",
                self.name(),
                self.id()
            )));
        }
        if value.len() > self.max_len() {
            return Err(CartError::InvalidArgument(format!(
                "{} (0x{:04x}) holds at most {} bytes, the value has {}",
                self.name(),
                self.id(),
                self.max_len(),
                value.len()
            )));
        }
        Ok(())
    }
}

/// How an attribute's value is encoded (SPC-5 attribute FORMAT field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttributeFormat {
    /// 00b BINARY: a number (big-endian) or a byte string.
    Binary,
    /// 01b ASCII: printable ASCII, left-aligned, space padded.
    Ascii,
    /// 10b TEXT: in the character set of TEXT LOCALIZATION IDENTIFIER.
    Text,
}

impl AttributeFormat {
    /// `binary`, `ascii` or `text`.
    pub fn name(self) -> &'static str {
        match self {
            AttributeFormat::Binary => "binary",
            AttributeFormat::Ascii => "ascii",
            AttributeFormat::Text => "text",
        }
    }
}

/// The SPC-5 name and format of a MAM attribute this crate stores (`None` for other ids).
/// 0x1623 is LTFS's VOLUME LOCKED (host vendor-specific range).
pub fn attribute_info(id: u16) -> Option<(&'static str, AttributeFormat)> {
    use AttributeFormat::{Ascii, Binary, Text};
    Some(match id {
        0x0000 => ("REMAINING CAPACITY IN PARTITION", Binary),
        0x0001 => ("MAXIMUM CAPACITY IN PARTITION", Binary),
        0x0002 => ("TAPEALERT FLAGS", Binary),
        0x0003 => ("LOAD COUNT", Binary),
        0x0004 => ("MAM SPACE REMAINING", Binary),
        0x0005 => ("ASSIGNING ORGANIZATION", Ascii),
        0x0006 => ("FORMATTED DENSITY CODE", Binary),
        0x0007 => ("INITIALIZATION COUNT", Binary),
        0x0009 => ("VOLUME CHANGE REFERENCE", Binary),
        0x020a => ("DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD", Ascii),
        0x020b => ("DEVICE VENDOR/SERIAL NUMBER AT LOAD-1", Ascii),
        0x020c => ("DEVICE VENDOR/SERIAL NUMBER AT LOAD-2", Ascii),
        0x020d => ("DEVICE VENDOR/SERIAL NUMBER AT LOAD-3", Ascii),
        0x0220 => ("TOTAL MBYTES WRITTEN IN MEDIUM LIFE", Binary),
        0x0221 => ("TOTAL MBYTES READ IN MEDIUM LIFE", Binary),
        0x0222 => ("TOTAL MBYTES WRITTEN IN CURRENT/LAST LOAD", Binary),
        0x0223 => ("TOTAL MBYTES READ IN CURRENT/LAST LOAD", Binary),
        0x0400 => ("MEDIUM MANUFACTURER", Ascii),
        0x0401 => ("MEDIUM SERIAL NUMBER", Ascii),
        0x0402 => ("MEDIUM LENGTH", Binary),
        0x0403 => ("MEDIUM WIDTH", Binary),
        0x0404 => ("ASSIGNING ORGANIZATION", Ascii),
        0x0405 => ("MEDIUM DENSITY CODE", Binary),
        0x0406 => ("MEDIUM MANUFACTURE DATE", Ascii),
        0x0407 => ("MAM CAPACITY", Binary),
        0x0408 => ("MEDIUM TYPE", Binary),
        0x0409 => ("MEDIUM TYPE INFORMATION", Binary),
        0x0800 => ("APPLICATION VENDOR", Ascii),
        0x0801 => ("APPLICATION NAME", Ascii),
        0x0802 => ("APPLICATION VERSION", Ascii),
        0x0803 => ("USER MEDIUM TEXT LABEL", Text),
        0x0804 => ("DATE AND TIME LAST WRITTEN", Ascii),
        0x0805 => ("TEXT LOCALIZATION IDENTIFIER", Binary),
        0x0806 => ("BARCODE", Ascii),
        0x0807 => ("OWNING HOST TEXTUAL NAME", Text),
        0x0808 => ("MEDIA POOL", Text),
        0x080b => ("APPLICATION FORMAT VERSION", Ascii),
        0x080c => ("VOLUME COHERENCY INFORMATION", Binary),
        0x1623 => ("VOLUME LOCKED", Binary),
        _ => return None,
    })
}

/// One MAM attribute as stored: see [`Mam::attributes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// Attribute identifier.
    pub id: u16,
    /// SPC-5 name.
    pub name: &'static str,
    /// Encoding of the value.
    pub format: AttributeFormat,
    /// The stored bytes (fixed length).
    pub value: &'a [u8],
}

impl Attribute<'_> {
    /// The value as a number, for binary attributes of at most 8 bytes. Big-endian, except
    /// MEDIUM TYPE INFORMATION (0x0409), which mhvtl stores little-endian (spec 1.9).
    pub fn number(&self) -> Option<u64> {
        if self.format != AttributeFormat::Binary || self.value.len() > 8 {
            return None;
        }
        let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
        Some(if self.id == 0x0409 {
            self.value.iter().rev().fold(0, fold)
        } else {
            self.value.iter().fold(0, fold)
        })
    }

    /// The value as text, for ASCII and text attributes: up to the first NUL, trailing spaces
    /// removed, bytes that are not UTF-8 replaced.
    pub fn text(&self) -> Option<String> {
        match self.format {
            AttributeFormat::Binary => None,
            _ => Some(field_str(self.value).trim_end().to_string()),
        }
    }
}

/// Decode an ASCII/text field: stop at the first NUL; keep trailing spaces.
pub fn field_str(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The barcode field value for `pcl`: left-justified, space-padded to 31 bytes, then NUL.
pub fn barcode_field(pcl: &str) -> [u8; 32] {
    let mut f = [b' '; 32];
    f[31] = 0;
    put_str(&mut f[..31], pcl);
    f
}

impl Mam {
    /// An all-zero MAM (every attribute zero), version words as given.
    pub fn zeroed(tape_fmt_version: u32, mam_fmt_version: u32) -> Self {
        let mut base = LegacyMam::new_zeroed();
        base.tape_fmt_version = tape_fmt_version.into();
        base.mam_fmt_version = mam_fmt_version.into();
        Mam {
            base,
            volume_change_reference: [0; 4],
            application_format_version: [0; 16],
            volume_coherency: [[0; VCI_LEN]; 4],
            volume_lock: 0,
            partition_capacity: [[0; 8]; 4],
        }
    }

    /// The MAM mktape writes for a new cartridge, field for field as mhvtl 1.7.2 (legacy) or
    /// master (v6) does (spec 1.6, 1.7, 1.13, 2.1 and section 7).
    pub fn new_cartridge(n: &NewMam<'_>) -> Self {
        let (tfv, mfv) = if n.v6 {
            (TAPE_FMT_V6, MAM_FMT_TLV)
        } else {
            (TAPE_FMT_LEGACY, MAM_FMT_LEGACY)
        };
        let mut m = Mam::zeroed(tfv, mfv);
        let b = &mut m.base;
        b.remaining_capacity = n.capacity.into();
        b.max_capacity = n.capacity.into();
        put_str(&mut b.medium_manufacturer, "linuxVTL");
        put_str(
            &mut b.medium_serial_number,
            &format!("{}_{}", n.pcl, n.epoch),
        );
        put_str(&mut b.medium_manufacture_date, &n.epoch.to_string());
        b.medium_type = n.medium_type.to_byte();
        if n.medium_type == MediumType::Cleaning {
            b.medium_type_information = CLEANING_CYCLES.into();
        }
        b.application_vendor = n.application_vendor;
        put_str(&mut b.application_version, if n.v6 { "6" } else { "3" });
        b.barcode = barcode_field(n.pcl);
        m.apply_density(n.density, n.v6);
        if !n.v6 {
            m.base.mam_space_remaining = (m.base.pad.len() as u64).into();
        }
        m
    }

    /// Write every field the density table decides, as `mktape -d` (and `edit_tape -d`) do:
    /// MediaType, formatted and medium density codes, assigning organization, medium length
    /// and width, bits per mm, tracks, density name, description, max/num partitions and the
    /// MAM capacity. `v6` picks mhvtl master's values (max partitions, MAM capacity, with
    /// MAMSpaceRemaining recomputed) instead of 1.7's (MAM capacity 0; MAMSpaceRemaining is
    /// left as it is). Text fields are NUL-filled past the new value. Capacities, medium type,
    /// serial number and the other attributes are not touched.
    pub fn apply_density(&mut self, d: &Density, v6: bool) {
        let b = &mut self.base;
        fill_str(&mut b.assigning_organization_1, d.assigning_organization);
        b.medium_length = d.medium_length.into();
        b.medium_width = d.medium_width.into();
        b.formatted_density_code = d.density_code;
        b.medium_density_code = d.density_code;
        b.media_type = d.media_type.0;
        b.bits_per_mm = d.bits_per_mm.into();
        b.tracks = d.tracks.into();
        fill_str(&mut b.density_name, d.density_name);
        fill_str(&mut b.description, d.description);
        b.num_partitions = d.num_partitions;
        if v6 {
            b.max_partitions = d.max_partitions_v6;
            b.mam_capacity = d.mam_capacity.into();
            self.recompute_mam_space_remaining();
        } else {
            b.max_partitions = d.max_partitions_legacy;
            b.mam_capacity = 0.into();
        }
    }

    /// The value of a host text attribute, up to its first NUL, trailing spaces removed.
    pub fn text_attribute(&self, a: TextAttribute) -> String {
        field_str(self.text_field(a)).trim_end().to_string()
    }

    /// Set a host text attribute (USER MEDIUM TEXT LABEL, OWNING HOST TEXTUAL NAME, MEDIA
    /// POOL): the value is stored left-aligned and the rest of the field NUL-filled; an empty
    /// value clears the attribute.
    ///
    /// Errors: [`CartError::InvalidArgument`] when the value is longer than the attribute
    /// ([`TextAttribute::max_len`] bytes) or holds anything but printable ASCII (the MAM's
    /// TEXT LOCALIZATION IDENTIFIER says ASCII); nothing is changed then.
    pub fn set_text_attribute(&mut self, a: TextAttribute, value: &str) -> Result<()> {
        a.check(value)?;
        fill_str(self.text_field_mut(a), value);
        Ok(())
    }

    fn text_field(&self, a: TextAttribute) -> &[u8] {
        match a {
            TextAttribute::UserMediumTextLabel => &self.base.user_medium_text_label,
            TextAttribute::OwningHostTextualName => &self.base.owning_host_textual_name,
            TextAttribute::MediaPool => &self.base.media_pool,
        }
    }

    fn text_field_mut(&mut self, a: TextAttribute) -> &mut [u8] {
        match a {
            TextAttribute::UserMediumTextLabel => &mut self.base.user_medium_text_label,
            TextAttribute::OwningHostTextualName => &mut self.base.owning_host_textual_name,
            TextAttribute::MediaPool => &mut self.base.media_pool,
        }
    }

    /// Every MAM attribute this MAM's encoding stores, in the order of the v6 `mam` file, with
    /// its SPC-5 name and format and its bytes as stored: 39 attributes for a TLV MAM (MAM
    /// format 4), the 35 of the packed legacy MAM otherwise (without VOLUME CHANGE REFERENCE,
    /// APPLICATION FORMAT VERSION, VOLUME COHERENCY INFORMATION and VOLUME LOCKED).
    pub fn attributes(&self) -> Vec<Attribute<'_>> {
        let tlv = self.base.mam_fmt_version.get() == MAM_FMT_TLV;
        mam_tlv_fields()
            .iter()
            .filter(|f| tlv || !matches!(f.id, 0x0009 | 0x080b | 0x080c | 0x1623))
            .map(|f| {
                let (name, format) = attribute_info(f.id).unwrap_or(("", AttributeFormat::Binary));
                Attribute {
                    id: f.id,
                    name,
                    format,
                    value: (f.get)(self),
                }
            })
            .collect()
    }

    /// MAMSpaceRemaining = MAMCapacity − attribute space (v6 rule, spec 1.7); saturates at 0.
    pub fn recompute_mam_space_remaining(&mut self) {
        let cap = self.base.mam_capacity.get();
        self.base.mam_space_remaining = cap.saturating_sub(v6_attribute_space()).into();
    }

    /// Parse the packed legacy MAM from the first 1024 bytes of `bytes`.
    ///
    /// Errors: [`CartError::Corrupt`] naming `file` when fewer than 1024 bytes are given.
    pub fn from_legacy_bytes(bytes: &[u8], file: &std::path::Path) -> Result<Self> {
        let (base, _) = LegacyMam::read_from_prefix(bytes).map_err(|_| CartError::Corrupt {
            file: file.to_path_buf(),
            offset: bytes.len() as u64,
            what: format!(
                "a {LEGACY_MAM_SIZE}-byte MAM, found only {} bytes",
                bytes.len()
            ),
        })?;
        let mut m = Mam::zeroed(0, 0);
        m.base = base;
        Ok(m)
    }

    /// The packed legacy encoding (1024 bytes).
    pub fn to_legacy_bytes(&self) -> [u8; LEGACY_MAM_SIZE] {
        let mut out = [0u8; LEGACY_MAM_SIZE];
        out.copy_from_slice(self.base.as_bytes());
        out
    }

    /// Parse a v6 `mam` file (and optionally `mhvtl_data`).
    ///
    /// Readers follow mhvtl master: any order, unknown ids skipped, `min(stored, expected)`
    /// bytes taken, a short value only overwrites the leading bytes. A TLV header or value that
    /// runs past the end of the file is an error naming the file and offset.
    pub fn from_tlv(
        mam: &[u8],
        mam_file: &std::path::Path,
        mhvtl_data: Option<(&[u8], &std::path::Path)>,
    ) -> Result<Self> {
        if mam.len() < 8 {
            return Err(CartError::Corrupt {
                file: mam_file.to_path_buf(),
                offset: 0,
                what: format!(
                    "an 8-byte header (tape and MAM format versions), found {} bytes",
                    mam.len()
                ),
            });
        }
        let tfv = u32::from_le_bytes(mam[0..4].try_into().unwrap());
        let mfv = u32::from_le_bytes(mam[4..8].try_into().unwrap());
        let mut m = Mam::zeroed(tfv, mfv);
        let fields = mam_tlv_fields();
        parse_tlv(&mut m, &mam[8..], 8, mam_file, &fields)?;
        if let Some((md, md_file)) = mhvtl_data {
            let fields = mhvtl_data_fields();
            parse_tlv(&mut m, md, 0, md_file, &fields)?;
        }
        Ok(m)
    }

    /// Encode the v6 `mam` file: version words then every attribute (spec 1.7). 1071 bytes.
    pub fn to_mam_tlv(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1100);
        out.extend_from_slice(self.base.tape_fmt_version.as_bytes());
        out.extend_from_slice(self.base.mam_fmt_version.as_bytes());
        emit_tlv(self, &mut out, &mam_tlv_fields());
        out
    }

    /// Encode the v6 `mhvtl_data` file (spec 1.8). 358 bytes.
    pub fn to_mhvtl_data_tlv(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(400);
        emit_tlv(self, &mut out, &mhvtl_data_fields());
        out
    }

    /// The cartridge's medium type (MAM 0x0408).
    pub fn medium_type(&self) -> MediumType {
        MediumType::from_byte(self.base.medium_type)
    }

    /// mhvtl's MediaType byte.
    pub fn media_type(&self) -> MediaType {
        MediaType(self.base.media_type)
    }

    /// The Flags word (LE on disk).
    pub fn flags(&self) -> u16 {
        self.base.flags.get()
    }

    /// True when Flags bit 0x0002 is set.
    pub fn write_protected(&self) -> bool {
        self.flags() & FLAG_WRITE_PROTECT != 0
    }

    /// Set or clear the write-protect flag.
    pub fn set_write_protected(&mut self, on: bool) {
        let f = self.flags();
        let f = if on {
            f | FLAG_WRITE_PROTECT
        } else {
            f & !FLAG_WRITE_PROTECT
        };
        self.base.flags = f.into();
    }

    /// Barcode with trailing spaces and NULs removed.
    pub fn barcode(&self) -> String {
        field_str(&self.base.barcode).trim_end().to_string()
    }

    /// Partition capacity `p` from `mhvtl_data` (bytes; 0 = not formatted).
    pub fn partition_capacity(&self, p: usize) -> u64 {
        self.partition_capacity
            .get(p)
            .map(|b| u64::from_be_bytes(*b))
            .unwrap_or(0)
    }
}

fn parse_tlv(
    m: &mut Mam,
    mut bytes: &[u8],
    mut offset: u64,
    file: &std::path::Path,
    fields: &[TlvField],
) -> Result<()> {
    while !bytes.is_empty() {
        if bytes.len() < 4 {
            return Err(CartError::Corrupt {
                file: file.to_path_buf(),
                offset,
                what: format!(
                    "a 4-byte attribute header (id, length), found {} trailing bytes",
                    bytes.len()
                ),
            });
        }
        let id = u16::from_le_bytes([bytes[0], bytes[1]]);
        let len = usize::from(u16::from_le_bytes([bytes[2], bytes[3]]));
        if bytes.len() - 4 < len {
            return Err(CartError::Corrupt {
                file: file.to_path_buf(),
                offset,
                what: format!(
                    "attribute 0x{id:04x} of {len} bytes, but only {} bytes remain",
                    bytes.len() - 4
                ),
            });
        }
        let value = &bytes[4..4 + len];
        if let Some(f) = fields.iter().find(|f| f.id == id && len > 0) {
            let dst = (f.get_mut)(m);
            let n = len.min(dst.len());
            dst[..n].copy_from_slice(&value[..n]);
        }
        bytes = &bytes[4 + len..];
        offset += 4 + len as u64;
    }
    Ok(())
}

fn emit_tlv(m: &Mam, out: &mut Vec<u8>, fields: &[TlvField]) {
    for f in fields {
        let v = (f.get)(m);
        debug_assert_eq!(v.len(), f.len);
        out.extend_from_slice(&f.id.to_le_bytes());
        out.extend_from_slice(&(f.len as u16).to_le_bytes());
        out.extend_from_slice(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zerocopy::IntoBytes;

    #[test]
    fn legacy_offsets_match_spec() {
        let mut m = LegacyMam::new_zeroed();
        let base = m.as_bytes().as_ptr() as usize;
        let off = |p: *const u8| p as usize - base;
        assert_eq!(off(m.remaining_capacity.as_bytes().as_ptr()), 8);
        assert_eq!(off(m.initialization_count.as_bytes().as_ptr()), 56);
        assert_eq!(off(m.dev_make_serial_last_load.as_ptr().cast()), 58);
        assert_eq!(off(m.written_in_medium_life.as_bytes().as_ptr()), 218);
        assert_eq!(off(m.medium_serial_number.as_ptr()), 258);
        assert_eq!(off(m.medium_manufacture_date.as_ptr()), 306);
        assert_eq!(off(&m.formatted_density_code), 318);
        assert_eq!(off(&m.media_type), 321);
        assert_eq!(off(m.medium_type_information.as_bytes().as_ptr()), 330);
        assert_eq!(off(m.user_medium_text_label.as_ptr()), 380);
        assert_eq!(off(m.barcode.as_ptr()), 553);
        assert_eq!(off(&m.record_dirty), 825);
        assert_eq!(off(m.flags.as_bytes().as_ptr()), 826);
        assert_eq!(off(m.bits_per_mm.as_bytes().as_ptr()), 828);
        assert_eq!(off(m.description.as_ptr()), 842);
        assert_eq!(off(m.media_info_pad.as_ptr()), 874);
        assert_eq!(off(&m.max_partitions), 876);
        assert_eq!(off(m.pad.as_ptr()), 878);
        m.flags = 2.into();
        assert_eq!(m.as_bytes()[826..828], [2, 0]);
        m.medium_type_information = 20.into();
        assert_eq!(m.as_bytes()[330..332], [20, 0]);
        m.max_capacity = 0x0640_0000.into();
        assert_eq!(m.as_bytes()[16..24], [0, 0, 0, 0, 6, 0x40, 0, 0]);
    }

    #[test]
    fn tlv_sizes_match_mhvtl_head() {
        let m = Mam::zeroed(6, 4);
        assert_eq!(m.to_mam_tlv().len(), 1071);
        assert_eq!(m.to_mhvtl_data_tlv().len(), 358);
        assert_eq!(v6_attribute_space(), 1102);
    }

    #[test]
    fn tlv_tolerates_short_unknown_and_zero_records() {
        let mut mam = vec![6, 0, 0, 0, 4, 0, 0, 0];
        // 0x0001 max capacity, only 4 bytes stored: overwrites the leading 4 bytes
        mam.extend_from_slice(&[1, 0, 4, 0, 0, 0, 0, 1]);
        // unknown id 0x7777, 3 bytes
        mam.extend_from_slice(&[0x77, 0x77, 3, 0, 9, 9, 9]);
        // VCI with 46 bytes (1.8.0)
        mam.extend_from_slice(&[0x0c, 0x08, 46, 0]);
        mam.extend_from_slice(&[0xab; 46]);
        let md = [0u8, 0, 0, 0, 2, 0, 2, 0, 2, 0, 5, 0, 1, 0, 20];
        let m = Mam::from_tlv(
            &mam,
            std::path::Path::new("mam"),
            Some((&md, std::path::Path::new("mhvtl_data"))),
        )
        .unwrap();
        assert_eq!(m.base.max_capacity.get(), 1 << 32);
        assert_eq!(m.volume_coherency[0][..46], [0xab; 46]);
        assert_eq!(m.volume_coherency[0][46..], [0; 24]);
        assert!(m.write_protected());
        assert_eq!(m.base.media_type, 20);
    }

    #[test]
    fn tlv_truncated_is_an_error_not_a_panic() {
        let mam = [6u8, 0, 0, 0, 4, 0, 0, 0, 1, 0, 8, 0, 1, 2];
        let e = Mam::from_tlv(&mam, std::path::Path::new("x/mam"), None).unwrap_err();
        assert!(e.to_string().contains("x/mam"), "{e}");
        assert!(e.to_string().contains("offset 8"), "{e}");
    }

    fn lto(name: &str, v6: bool) -> Mam {
        Mam::new_cartridge(&NewMam {
            pcl: "E01001L8",
            density: Density::lookup(name).unwrap(),
            medium_type: MediumType::Data,
            capacity: 100 << 20,
            epoch: 1_700_000_000,
            v6,
            application_vendor: *b"vtl 0.1 ",
        })
    }

    #[test]
    fn apply_density_rewrites_every_density_field() {
        for v6 in [false, true] {
            let mut m = lto("LTO8", v6);
            m.apply_density(Density::lookup("DLT4").unwrap(), v6);
            let fresh = lto("DLT4", v6);
            assert_eq!(m.base.as_bytes(), fresh.base.as_bytes(), "v6={v6}");
            assert_eq!(field_str(&m.base.description), "DLTtape IV");
            assert_eq!(m.base.description[10..], [0; 22]);
        }
    }

    #[test]
    fn text_attributes_round_trip_and_refuse_bad_values() {
        let mut m = lto("LTO5", true);
        let a = TextAttribute::OwningHostTextualName;
        m.set_text_attribute(a, "backup01.example.com").unwrap();
        assert_eq!(m.text_attribute(a), "backup01.example.com");
        m.set_text_attribute(a, "b").unwrap();
        assert_eq!(m.base.owning_host_textual_name[..2], [b'b', 0]);
        assert!(m.base.owning_host_textual_name[1..].iter().all(|&b| b == 0));
        let long = "x".repeat(81);
        let e = m.set_text_attribute(a, &long).unwrap_err().to_string();
        assert!(
            e.contains("OWNING HOST TEXTUAL NAME") && e.contains("80"),
            "{e}"
        );
        assert!(m.set_text_attribute(a, "tab\there").is_err());
        assert!(m.set_text_attribute(a, "caf\u{e9}").is_err());
        assert_eq!(m.text_attribute(a), "b", "unchanged after a refusal");
        m.set_text_attribute(TextAttribute::MediaPool, &"p".repeat(160))
            .unwrap();
        m.set_text_attribute(TextAttribute::MediaPool, "").unwrap();
        assert!(m.base.media_pool.iter().all(|&b| b == 0));
    }

    #[test]
    fn attribute_list_names_values_per_encoding() {
        let mut m = lto("LTO5", true);
        m.base.medium_type_information = 20.into();
        let attrs = m.attributes();
        assert_eq!(attrs.len(), 39);
        assert!(attrs.iter().all(|a| !a.name.is_empty()));
        let get = |id| *attrs.iter().find(|a| a.id == id).unwrap();
        assert_eq!(get(0x0001).number(), Some(100 << 20));
        assert_eq!(get(0x0409).number(), Some(20));
        assert_eq!(get(0x0806).text().unwrap(), "E01001L8");
        assert_eq!(get(0x080c).number(), None);
        assert_eq!(lto("LTO5", false).attributes().len(), 35);
    }
}
