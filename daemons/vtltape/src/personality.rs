//! Drive personalities: what a drive with a given INQUIRY product identification supports
//! and which media it accepts.
//!
//! Source: `../shared/spec/mhvtl-reference.md` section 6.2 (product ids, WORM, SP, LBP,
//! append-only, media read-write / read-only lists), 6.1 (mode, log and VPD page sets),
//! 1.13 (MODE SENSE medium types) and 1.14 (WORM, cleaning). Deliberate differences from
//! mhvtl: the T9940A reads and writes 9940A media (mhvtl lists 9840A media, so 9940A
//! cartridges never load), and LTO-9 / LTO-10 personalities exist for HP and LTO-10 for IBM.
//! Block limits are the real drives' READ BLOCK LIMITS data where a reference was found (see
//! each family's constant).

pub use crate::density::{IdentifiedBy, Media, MediaDensity};
use crate::density::{MEDIA_DENSITIES, density_descriptor, medium_type_descriptor};
use libvtlcart::MediumType;

/// The drive family and generation a personality emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IBM LTO (ULT3580 / ULTRIUM), generation 1..=10.
    IbmLto(u8),
    /// HP LTO ("Ultrium n-SCSI"), generation 1..=10.
    HpLto(u8),
    /// IBM 3592 (TS1120 .. TS1140).
    Ibm3592(Model3592),
    /// StorageTek T10000, model letter `'A'..='C'`.
    T10000(char),
    /// StorageTek T9840, model letter `'A'..='D'`.
    T9840(char),
    /// StorageTek T9940, model letter `'A'` or `'B'`.
    T9940(char),
    /// Sony AIT, generation 1..=4.
    Ait(u8),
    /// Quantum DLT, model number (7000, 8000).
    Dlt(u16),
    /// Quantum Super DLT, model number (320, 600).
    Sdlt(u16),
    /// mhvtl's "default emulation": any unknown product id.
    Default,
}

/// IBM 3592 drive models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model3592 {
    /// 03592J1A (TS1120 generation 1).
    J1A,
    /// 03592E05 (TS1120).
    E05,
    /// 03592E06 (TS1130).
    E06,
    /// 03592E07 (TS1140).
    E07,
}

impl Family {
    /// The LTO generation for IBM and HP LTO drives.
    pub fn lto_generation(self) -> Option<u8> {
        match self {
            Family::IbmLto(g) | Family::HpLto(g) => Some(g),
            _ => None,
        }
    }
}

/// Logical block protection methods the drive supports (SSC-5 8.3.6 control data protection
/// mode page; VPD page 0xB5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lbp {
    /// No logical block protection.
    None,
    /// Reed-Solomon CRC (LBP method 1).
    RsCrc,
    /// Reed-Solomon CRC and CRC32C (LBP methods 1 and 2).
    RsCrcAndCrc32c,
}

/// Whether a drive loads a cartridge, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaAccess {
    /// Loaded, readable and writable (WORM rules still apply to WORM media).
    ReadWrite,
    /// Loaded read-only (older generation, cleaning, diagnostic or firmware cartridge).
    ReadOnly,
    /// Not loaded: incompatible medium (SSC: MEDIUM NOT SUPPORTED / INCOMPATIBLE MEDIUM
    /// INSTALLED; the choice of sense is the drive's).
    Refused,
}

/// One drive personality. All tables are static; select one with
/// [`Personality::for_product`].
#[derive(Debug)]
pub struct Personality {
    /// Human name: `"IBM LTO-8"`, `"HP LTO-5"`, `"STK T10000C"`, `"default"`.
    pub name: &'static str,
    /// INQUIRY product identifications that select this personality (compared after
    /// removing trailing spaces).
    pub product_ids: &'static [&'static str],
    /// Family and generation.
    pub family: Family,
    /// Accepts WORM cartridges.
    pub worm: bool,
    /// SECURITY PROTOCOL IN/OUT with tape data encryption (SP).
    pub encryption: bool,
    /// Logical block protection support.
    pub lbp: Lbp,
    /// Append-only mode (IBM LTO-5 and later: device configuration extension page).
    pub append_only: bool,
    /// Data compression (mode page 0x0F).
    pub compression: bool,
    /// PERSISTENT RESERVE IN/OUT (SPR). The default and DLT/SDLT personalities reject them.
    pub persistent_reservation: bool,
    /// Largest distance (bytes before the end of a partition) at which early warning is
    /// reported; use [`Personality::early_warning`] to get the figure for a partition size.
    /// Real drives report EW from a physical marker that leaves roughly 0.3..0.8 % of a
    /// full-length LTO cartridge (8..19 GiB were observed past EW on LTO; serverfault
    /// question 862310), so the figure is native capacity / 256; the default personality
    /// keeps mhvtl's 2 MiB.
    pub early_warning_bytes: u64,
    /// Programmable early warning (device configuration extension page PEWS field).
    pub programmable_early_warning: bool,
    /// READ BLOCK LIMITS MAXIMUM BLOCK LENGTH LIMIT (SSC-5 7.7), bytes.
    pub max_block_size: u32,
    /// READ BLOCK LIMITS MINIMUM BLOCK LENGTH LIMIT, bytes.
    pub min_block_size: u32,
    /// READ BLOCK LIMITS GRANULARITY (block lengths are multiples of 2^granularity).
    pub granularity: u8,
    /// Maximum number of partitions (1; 2 for LTO-5/6; 4 for LTO-7 and later).
    pub max_partitions: u8,
    /// Mode pages (page, subpage) this personality has, ascending.
    pub mode_pages: &'static [(u8, u8)],
    /// Log pages (page, subpage) this personality has, ascending.
    pub log_pages: &'static [(u8, u8)],
    /// Device-specific VPD pages beyond 0x00, 0x80 and 0x83, ascending.
    pub vpd_pages: &'static [u8],
    /// INQUIRY vendor identification when the configuration gives none.
    pub default_vendor: &'static str,
    /// INQUIRY product revision level when the configuration gives none.
    pub default_revision: &'static str,
    /// INQUIRY version descriptors (SPC-5 6.7.2): SAM-5, SPC-5, SSC-5.
    pub version_descriptors: &'static [u16],
    /// LOAD DISPLAY (0x06) is accepted (StorageTek T10000 and 9x40).
    pub load_display: bool,
    /// REQUEST SENSE returns the vendor (StorageTek T10000) variant.
    pub vendor_request_sense: bool,
    /// TEST UNIT READY steps through the IBM cleaning states after a cleaning cartridge
    /// loads (IBM LTO, spec 1.14).
    pub ibm_cleaning_states: bool,
    /// Formats (by [`MediaDensity::name`]) the drive reads and writes.
    pub read_write: &'static [&'static str],
    /// Formats the drive only reads.
    pub read_only: &'static [&'static str],
    /// The default personality: every identified format is read-write.
    pub accepts_all_media: bool,
    /// The drive's own (default) format, reported with DEFLT when no medium is loaded.
    pub native_format: &'static str,
}

// ---- shared page tables -------------------------------------------------------------------

/// SAM-5 (0x00A0), SPC-5 (0x05C0), SSC-5 (0x05A0), "no version claimed" codes (SPC-5
/// table "Version descriptor values").
const VERSIONS: &[u16] = &[0x00a0, 0x05c0, 0x05a0];

const MODE_IBM_LTO_1: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x24, 0),
    (0x25, 0),
    (0x2f, 0),
];
const MODE_IBM_LTO_3: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x24, 0),
    (0x25, 0),
    (0x2f, 0),
];
const MODE_IBM_LTO_4: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x24, 0),
    (0x25, 0),
    (0x2f, 0),
    (0x30, 0x20),
];
const MODE_IBM_LTO_5: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0a, 0xf0),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x24, 0),
    (0x25, 0),
    (0x2f, 0),
    (0x30, 0x20),
];
const MODE_HP_LTO_1: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
];
const MODE_HP_LTO_3: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x1d, 0),
];
const MODE_HP_LTO_4: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x30, 0x20),
];
const MODE_3592_J1A: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x24, 0),
];
const MODE_3592_E05: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x24, 0),
    (0x30, 0x20),
];
const MODE_STK_SP: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0f, 0),
    (0x10, 0),
    (0x11, 0),
    (0x1c, 0),
    (0x30, 0x20),
];
const MODE_STK_SP_WORM: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0f, 0),
    (0x10, 0),
    (0x11, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x30, 0x20),
];
const MODE_AIT: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0f, 0),
    (0x10, 0),
    (0x11, 0),
    (0x1c, 0),
    (0x31, 0),
];
const MODE_AIT_WORM: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0f, 0),
    (0x10, 0),
    (0x11, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x31, 0),
];
const MODE_DLT: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0f, 0),
    (0x10, 0),
    (0x11, 0),
    (0x1c, 0),
];
const MODE_DLT_WORM: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0f, 0),
    (0x10, 0),
    (0x11, 0),
    (0x1c, 0),
    (0x1d, 0),
];
const MODE_DEFAULT: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
];

const LOG_IBM_LTO: &[(u8, u8)] = &[
    (0x00, 0),
    (0x02, 0),
    (0x03, 0),
    (0x0c, 0),
    (0x0d, 0),
    (0x10, 0),
    (0x11, 0),
    (0x17, 0),
    (0x2e, 0),
    (0x30, 0),
    (0x31, 0),
    (0x32, 0),
    (0x37, 0),
    (0x37, 0x64),
];
const LOG_HP_LTO: &[(u8, u8)] = &[
    (0x00, 0),
    (0x02, 0),
    (0x03, 0),
    (0x0c, 0),
    (0x0d, 0),
    (0x10, 0),
    (0x11, 0),
    (0x17, 0),
    (0x2e, 0),
    (0x30, 0),
    (0x31, 0),
    (0x32, 0),
];
const LOG_OTHER: &[(u8, u8)] = &[
    (0x00, 0),
    (0x02, 0),
    (0x03, 0),
    (0x0c, 0),
    (0x0d, 0),
    (0x11, 0),
    (0x2e, 0),
    (0x30, 0),
    (0x31, 0),
    (0x32, 0),
];

const VPD_IBM_LTO: &[u8] = &[0x86, 0xb0, 0xb1, 0xb2, 0xc0, 0xc1];
const VPD_IBM_LTO_LBP: &[u8] = &[0x86, 0xb0, 0xb1, 0xb2, 0xb5, 0xc0, 0xc1];
const VPD_HP_LTO: &[u8] = &[0x86, 0xb0, 0xb1, 0xb2, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5];
const VPD_3592: &[u8] = &[0xb0, 0xb1, 0xb2, 0xc0, 0xc1];
const VPD_OTHER: &[u8] = &[0xb0, 0xb1, 0xb2];

/// mhvtl's early-warning distance (libvtlcart's `EARLY_WARNING_BYTES`), the minimum used.
pub const MIN_EARLY_WARNING_BYTES: u64 = libvtlcart::EARLY_WARNING_BYTES;

const fn ew(native_gb: u64) -> u64 {
    let v = native_gb * 1_000_000_000 / 256;
    if v < MIN_EARLY_WARNING_BYTES {
        MIN_EARLY_WARNING_BYTES
    } else {
        v
    }
}

// ---- LTO ----------------------------------------------------------------------------------

/// Native capacity (GB) of LTO generation `g` (1..=10).
const fn lto_native_gb(g: u8) -> u64 {
    match g {
        1 => 100,
        2 => 200,
        3 => 400,
        4 => 800,
        5 => 1500,
        6 => 2500,
        7 => 6000,
        8 => 12000,
        9 => 18000,
        _ => 30000,
    }
}

const fn lto_max_partitions(g: u8) -> u8 {
    match g {
        1..=4 => 1,
        5 | 6 => 2,
        _ => 4,
    }
}

/// IBM LTO personality for generation `g`. Block limits: 0xFFFFFF / 1 (IBM Ultrium SCSI
/// Reference, READ BLOCK LIMITS: "maximum block size is set to 0xFFFFFF and the minimum
/// block size is set to 1") for generations 1..=4, 8 MiB (0x800000) for 5 and later (IBM LTO
/// SCSI Reference GA32-0928; not re-checked here).
const fn ibm_lto(
    name: &'static str,
    g: u8,
    ids: &'static [&'static str],
    rw: &'static [&'static str],
    ro: &'static [&'static str],
    native: &'static str,
) -> Personality {
    Personality {
        name,
        product_ids: ids,
        family: Family::IbmLto(g),
        worm: g >= 3,
        encryption: g >= 4,
        lbp: match g {
            1..=4 => Lbp::None,
            5 | 6 => Lbp::RsCrc,
            _ => Lbp::RsCrcAndCrc32c,
        },
        append_only: g >= 5,
        compression: true,
        persistent_reservation: true,
        early_warning_bytes: ew(lto_native_gb(g)),
        programmable_early_warning: g >= 5,
        max_block_size: if g >= 5 { 0x80_0000 } else { 0xff_ffff },
        min_block_size: 1,
        granularity: 0,
        max_partitions: lto_max_partitions(g),
        mode_pages: match g {
            1 | 2 => MODE_IBM_LTO_1,
            3 => MODE_IBM_LTO_3,
            4 => MODE_IBM_LTO_4,
            _ => MODE_IBM_LTO_5,
        },
        log_pages: LOG_IBM_LTO,
        vpd_pages: if g >= 5 { VPD_IBM_LTO_LBP } else { VPD_IBM_LTO },
        default_vendor: "IBM",
        default_revision: "0100",
        version_descriptors: VERSIONS,
        load_display: false,
        vendor_request_sense: false,
        ibm_cleaning_states: true,
        read_write: rw,
        read_only: ro,
        accepts_all_media: false,
        native_format: native,
    }
}

/// HP LTO personality for generation `g`: WORM from LTO-3, encryption from LTO-4, no LBP, no
/// append-only mode (spec 6.2). Block limits 0xFFFFFF / 1 (HP Ultrium interface manuals).
const fn hp_lto(
    name: &'static str,
    g: u8,
    ids: &'static [&'static str],
    rw: &'static [&'static str],
    ro: &'static [&'static str],
    native: &'static str,
) -> Personality {
    Personality {
        name,
        product_ids: ids,
        family: Family::HpLto(g),
        worm: g >= 3,
        encryption: g >= 4,
        lbp: Lbp::None,
        append_only: false,
        compression: true,
        persistent_reservation: true,
        early_warning_bytes: ew(lto_native_gb(g)),
        programmable_early_warning: g >= 5,
        max_block_size: 0xff_ffff,
        min_block_size: 1,
        granularity: 0,
        max_partitions: lto_max_partitions(g),
        mode_pages: match g {
            1 | 2 => MODE_HP_LTO_1,
            3 => MODE_HP_LTO_3,
            _ => MODE_HP_LTO_4,
        },
        log_pages: LOG_HP_LTO,
        vpd_pages: VPD_HP_LTO,
        default_vendor: "HP",
        default_revision: "0100",
        version_descriptors: VERSIONS,
        load_display: false,
        vendor_request_sense: false,
        ibm_cleaning_states: false,
        read_write: rw,
        read_only: ro,
        accepts_all_media: false,
        native_format: native,
    }
}

// ---- other families -------------------------------------------------------------------------

/// Shape shared by the non-LTO personalities.
#[allow(clippy::too_many_arguments)]
const fn other(
    name: &'static str,
    family: Family,
    ids: &'static [&'static str],
    worm: bool,
    encryption: bool,
    spr: bool,
    native_gb: u64,
    limits: (u32, u32, u8),
    pages: (&'static [(u8, u8)], &'static [u8]),
    vendor: &'static str,
    media: (
        &'static [&'static str],
        &'static [&'static str],
        &'static str,
    ),
) -> Personality {
    let stk = matches!(
        family,
        Family::T10000(_) | Family::T9840(_) | Family::T9940(_)
    );
    Personality {
        name,
        product_ids: ids,
        family,
        worm,
        encryption,
        lbp: Lbp::None,
        append_only: false,
        compression: true,
        persistent_reservation: spr,
        early_warning_bytes: ew(native_gb),
        programmable_early_warning: false,
        max_block_size: limits.0,
        min_block_size: limits.1,
        granularity: limits.2,
        max_partitions: 1,
        mode_pages: pages.0,
        log_pages: LOG_OTHER,
        vpd_pages: pages.1,
        default_vendor: vendor,
        default_revision: "0100",
        version_descriptors: VERSIONS,
        load_display: stk,
        vendor_request_sense: matches!(family, Family::T10000(_)),
        ibm_cleaning_states: false,
        read_write: media.0,
        read_only: media.1,
        accepts_all_media: false,
        native_format: media.2,
    }
}

/// 3592: 2 MiB maximum block (IBM 3592 SCSI reference value, as the T10000's).
const LIMITS_3592: (u32, u32, u8) = (0x20_0000, 1, 0);
/// T10000: 2,097,152 / 1 / granularity 0 (Oracle StorageTek T10000 interface reference,
/// READ BLOCK LIMITS data).
const LIMITS_T10000: (u32, u32, u8) = (0x20_0000, 1, 0);
/// T9840 / T9940: 256 KiB (the 36-track-era maximum; no StorageTek reference found).
const LIMITS_9X40: (u32, u32, u8) = (0x4_0000, 1, 0);
/// AIT: 0xFFFFFF / 1 (no Sony reference found; the common SCSI tape maximum).
const LIMITS_AIT: (u32, u32, u8) = (0xff_ffff, 1, 0);
/// DLT7000 / DLT8000: 16,777,214 / 2 / granularity 1 (Quantum DLT7000 interface guide).
const LIMITS_DLT: (u32, u32, u8) = (0xff_fffe, 2, 1);
/// SDLT: 0xFFFFFC / 4 / granularity 0 (Quantum DLT-S4 interface reference guide; assumed for
/// SDLT 320 and 600).
const LIMITS_SDLT: (u32, u32, u8) = (0xff_fffc, 4, 0);

static PERSONALITIES: [Personality; 42] = [
    ibm_lto(
        "IBM LTO-1",
        1,
        &["ULT3580-TD1", "ULTRIUM-TD1"],
        &["LTO1"],
        &[],
        "LTO1",
    ),
    ibm_lto(
        "IBM LTO-2",
        2,
        &["ULT3580-TD2", "ULT3580-HH2", "ULTRIUM-TD2", "ULTRIUM-HH2"],
        &["LTO1", "LTO2"],
        &[],
        "LTO2",
    ),
    ibm_lto(
        "IBM LTO-3",
        3,
        &["ULT3580-TD3", "ULT3580-HH3", "ULTRIUM-TD3", "ULTRIUM-HH3"],
        &["LTO2", "LTO3"],
        &["LTO1"],
        "LTO3",
    ),
    ibm_lto(
        "IBM LTO-4",
        4,
        &["ULT3580-TD4", "ULT3580-HH4", "ULTRIUM-TD4", "ULTRIUM-HH4"],
        &["LTO3", "LTO4"],
        &["LTO2"],
        "LTO4",
    ),
    ibm_lto(
        "IBM LTO-5",
        5,
        &["ULT3580-TD5", "ULT3580-HH5", "ULTRIUM-TD5", "ULTRIUM-HH5"],
        &["LTO4", "LTO5"],
        &["LTO3"],
        "LTO5",
    ),
    ibm_lto(
        "IBM LTO-6",
        6,
        &["ULT3580-TD6", "ULT3580-HH6", "ULTRIUM-TD6", "ULTRIUM-HH6"],
        &["LTO5", "LTO6"],
        &["LTO4"],
        "LTO6",
    ),
    ibm_lto(
        "IBM LTO-7",
        7,
        &["ULT3580-TD7", "ULT3580-HH7", "ULTRIUM-TD7", "ULTRIUM-HH7"],
        &["LTO6", "LTO7"],
        &["LTO5"],
        "LTO7",
    ),
    ibm_lto(
        "IBM LTO-8",
        8,
        &["ULT3580-TD8", "ULT3580-HH8", "ULTRIUM-TD8", "ULTRIUM-HH8"],
        &["LTO7", "LTO8"],
        &[],
        "LTO8",
    ),
    ibm_lto(
        "IBM LTO-9",
        9,
        &["ULT3580-TD9", "ULT3580-HH9", "ULTRIUM-TD9", "ULTRIUM-HH9"],
        &["LTO8", "LTO9"],
        &[],
        "LTO9",
    ),
    ibm_lto(
        "IBM LTO-10",
        10,
        // IBM's LTO-10 drives identify as ULT3580-TDA / ULTRIUM-TDA (IBM technote
        // 7253855, "IBM Ultrium Generation 10 drive configuration information"); the
        // numbered forms are accepted too, for configurations written by analogy.
        &[
            "ULT3580-TDA",
            "ULTRIUM-TDA",
            "ULT3580-HHA",
            "ULTRIUM-HHA",
            "ULT3580-TD10",
            "ULT3580-HH10",
            "ULTRIUM-TD10",
            "ULTRIUM-HH10",
        ],
        &["LTO10"],
        &[],
        "LTO10",
    ),
    hp_lto("HP LTO-1", 1, &["Ultrium 1-SCSI"], &["LTO1"], &[], "LTO1"),
    hp_lto(
        "HP LTO-2",
        2,
        &["Ultrium 2-SCSI"],
        &["LTO1", "LTO2"],
        &[],
        "LTO2",
    ),
    hp_lto(
        "HP LTO-3",
        3,
        &["Ultrium 3-SCSI"],
        &["LTO2", "LTO3"],
        &["LTO1"],
        "LTO3",
    ),
    hp_lto(
        "HP LTO-4",
        4,
        &["Ultrium 4-SCSI"],
        &["LTO3", "LTO4"],
        &["LTO2"],
        "LTO4",
    ),
    hp_lto(
        "HP LTO-5",
        5,
        &["Ultrium 5-SCSI"],
        &["LTO4", "LTO5"],
        &["LTO3"],
        "LTO5",
    ),
    hp_lto(
        "HP LTO-6",
        6,
        &["Ultrium 6-SCSI"],
        &["LTO5", "LTO6"],
        &["LTO4"],
        "LTO6",
    ),
    hp_lto(
        "HP LTO-7",
        7,
        &["Ultrium 7-SCSI"],
        &["LTO6", "LTO7"],
        &["LTO5"],
        "LTO7",
    ),
    hp_lto(
        "HP LTO-8",
        8,
        &["Ultrium 8-SCSI"],
        &["LTO7", "LTO8"],
        &[],
        "LTO8",
    ),
    hp_lto(
        "HP LTO-9",
        9,
        &["Ultrium 9-SCSI"],
        &["LTO8", "LTO9"],
        &[],
        "LTO9",
    ),
    // HP's product id pattern continued; no real HP LTO-10 INQUIRY string was found.
    hp_lto(
        "HP LTO-10",
        10,
        &["Ultrium 10-SCSI"],
        &["LTO10"],
        &[],
        "LTO10",
    ),
    other(
        "IBM 03592J1A",
        Family::Ibm3592(Model3592::J1A),
        &["03592J1A"],
        true,
        false,
        true,
        300,
        LIMITS_3592,
        (MODE_3592_J1A, VPD_3592),
        "IBM",
        (&["J1A"], &[], "J1A"),
    ),
    other(
        "IBM 03592E05",
        Family::Ibm3592(Model3592::E05),
        &["03592E05"],
        true,
        true,
        true,
        700,
        LIMITS_3592,
        (MODE_3592_E05, VPD_3592),
        "IBM",
        (&["J1A", "E05"], &[], "E05"),
    ),
    other(
        "IBM 03592E06",
        Family::Ibm3592(Model3592::E06),
        &["03592E06"],
        true,
        true,
        true,
        1000,
        LIMITS_3592,
        (MODE_3592_E05, VPD_3592),
        "IBM",
        (&["J1A", "E05", "E06"], &[], "E06"),
    ),
    other(
        "IBM 03592E07",
        Family::Ibm3592(Model3592::E07),
        &["03592E07"],
        true,
        true,
        true,
        4000,
        LIMITS_3592,
        (MODE_3592_E05, VPD_3592),
        "IBM",
        (&["E05", "E06", "E07"], &[], "E07"),
    ),
    other(
        "STK T10000A",
        Family::T10000('A'),
        &["T10000A"],
        false,
        true,
        true,
        500,
        LIMITS_T10000,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["T10KA"], &[], "T10KA"),
    ),
    other(
        "STK T10000B",
        Family::T10000('B'),
        &["T10000B"],
        true,
        true,
        true,
        1000,
        LIMITS_T10000,
        (MODE_STK_SP_WORM, VPD_OTHER),
        "STK",
        (&["T10KA", "T10KB"], &[], "T10KB"),
    ),
    other(
        "STK T10000C",
        Family::T10000('C'),
        &["T10000C"],
        true,
        true,
        true,
        5000,
        LIMITS_T10000,
        (MODE_STK_SP_WORM, VPD_OTHER),
        "STK",
        (&["T10KA", "T10KB", "T10KC"], &[], "T10KC"),
    ),
    other(
        "STK T9840A",
        Family::T9840('A'),
        &["T9840A"],
        false,
        true,
        true,
        20,
        LIMITS_9X40,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["9840A"], &[], "9840A"),
    ),
    other(
        "STK T9840B",
        Family::T9840('B'),
        &["T9840B"],
        false,
        true,
        true,
        20,
        LIMITS_9X40,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["9840A", "9840B"], &[], "9840B"),
    ),
    other(
        "STK T9840C",
        Family::T9840('C'),
        &["T9840C"],
        false,
        true,
        true,
        40,
        LIMITS_9X40,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["9840B", "9840C"], &["9840A"], "9840C"),
    ),
    other(
        "STK T9840D",
        Family::T9840('D'),
        &["T9840D"],
        false,
        true,
        true,
        75,
        LIMITS_9X40,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["9840C", "9840D"], &["9840A", "9840B"], "9840D"),
    ),
    // mhvtl lists 9840A media for the T9940A, so 9940A cartridges never load there; fixed.
    other(
        "STK T9940A",
        Family::T9940('A'),
        &["T9940A"],
        false,
        true,
        true,
        60,
        LIMITS_9X40,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["9940A"], &[], "9940A"),
    ),
    other(
        "STK T9940B",
        Family::T9940('B'),
        &["T9940B"],
        false,
        true,
        true,
        200,
        LIMITS_9X40,
        (MODE_STK_SP, VPD_OTHER),
        "STK",
        (&["9940A", "9940B"], &[], "9940B"),
    ),
    other(
        "Sony AIT-1",
        Family::Ait(1),
        &["SDX-300C"],
        false,
        false,
        true,
        35,
        LIMITS_AIT,
        (MODE_AIT, VPD_OTHER),
        "SONY",
        (&["AIT1"], &[], "AIT1"),
    ),
    other(
        "Sony AIT-2",
        Family::Ait(2),
        &["SDX-500C", "SDX-500V"],
        false,
        false,
        true,
        50,
        LIMITS_AIT,
        (MODE_AIT, VPD_OTHER),
        "SONY",
        (&["AIT1", "AIT2"], &[], "AIT2"),
    ),
    other(
        "Sony AIT-3",
        Family::Ait(3),
        &["SDX-700C", "SDX-700V"],
        false,
        false,
        true,
        100,
        LIMITS_AIT,
        (MODE_AIT, VPD_OTHER),
        "SONY",
        (&["AIT2", "AIT3"], &["AIT1"], "AIT3"),
    ),
    other(
        "Sony AIT-4",
        Family::Ait(4),
        &["SDX-900V"],
        true,
        false,
        true,
        200,
        LIMITS_AIT,
        (MODE_AIT_WORM, VPD_OTHER),
        "SONY",
        (&["AIT3", "AIT4"], &["AIT2"], "AIT4"),
    ),
    other(
        "Quantum DLT7000",
        Family::Dlt(7000),
        &["DLT7000"],
        false,
        false,
        false,
        20,
        LIMITS_DLT,
        (MODE_DLT, VPD_OTHER),
        "QUANTUM",
        (&["DLT4"], &["DLT3"], "DLT4"),
    ),
    other(
        "Quantum DLT8000",
        Family::Dlt(8000),
        &["DLT8000"],
        false,
        false,
        false,
        20,
        LIMITS_DLT,
        (MODE_DLT, VPD_OTHER),
        "QUANTUM",
        (&["DLT4"], &["DLT3"], "DLT4"),
    ),
    other(
        "Quantum SDLT320",
        Family::Sdlt(320),
        &["SDLT 320"],
        false,
        false,
        false,
        160,
        LIMITS_SDLT,
        (MODE_DLT, VPD_OTHER),
        "QUANTUM",
        (&["SDLT220", "SDLT320"], &["SDLT1"], "SDLT320"),
    ),
    other(
        "Quantum SDLT600",
        Family::Sdlt(600),
        &["SDLT600"],
        true,
        false,
        false,
        300,
        LIMITS_SDLT,
        (MODE_DLT_WORM, VPD_OTHER),
        "QUANTUM",
        (&["SDLT320", "SDLT600"], &["SDLT220"], "SDLT600"),
    ),
    Personality {
        name: "default",
        product_ids: &[],
        family: Family::Default,
        worm: false,
        encryption: false,
        lbp: Lbp::None,
        append_only: false,
        compression: true,
        persistent_reservation: false,
        early_warning_bytes: MIN_EARLY_WARNING_BYTES,
        programmable_early_warning: false,
        max_block_size: 0xff_ffff,
        min_block_size: 1,
        granularity: 0,
        max_partitions: 1,
        mode_pages: MODE_DEFAULT,
        log_pages: LOG_OTHER,
        vpd_pages: VPD_OTHER,
        default_vendor: "VTL",
        default_revision: "0100",
        version_descriptors: VERSIONS,
        load_display: false,
        vendor_request_sense: false,
        ibm_cleaning_states: false,
        read_write: &[],
        read_only: &[],
        accepts_all_media: true,
        native_format: "LTO8",
    },
];

impl Personality {
    /// The personality for INQUIRY product identification `product`: exact match after
    /// removing trailing spaces and NULs (mhvtl compares the 16-character space-padded field
    /// exactly, spec 6.2); anything else gets the default personality (every format
    /// read-write; no WORM, SP, SPR or LBP).
    pub fn for_product(product: &str) -> &'static Personality {
        let p = product.trim_end_matches([' ', '\0']);
        PERSONALITIES
            .iter()
            .find(|x| x.product_ids.contains(&p))
            .unwrap_or_else(Personality::default_personality)
    }

    /// The default personality (unknown product ids).
    pub fn default_personality() -> &'static Personality {
        &PERSONALITIES[PERSONALITIES.len() - 1]
    }

    /// Every personality, the default last.
    pub fn all() -> &'static [Personality] {
        &PERSONALITIES
    }

    /// Early-warning distance for a partition of `partition_capacity` bytes: 1 % of the
    /// partition, at most [`Personality::early_warning_bytes`], at least mhvtl's 2 MiB.
    pub fn early_warning(&self, partition_capacity: u64) -> u64 {
        (partition_capacity / 100)
            .min(self.early_warning_bytes)
            .max(MIN_EARLY_WARNING_BYTES)
    }

    /// How the drive treats format `d` regardless of the cartridge type.
    fn format_access(&self, d: &MediaDensity) -> MediaAccess {
        if self.accepts_all_media || self.read_write.contains(&d.name) {
            MediaAccess::ReadWrite
        } else if self.read_only.contains(&d.name) {
            MediaAccess::ReadOnly
        } else {
            MediaAccess::Refused
        }
    }

    /// Whether and how a cartridge loads (spec 6.2 media lists, 1.14):
    /// * a format the drive does not list is refused;
    /// * WORM media is refused unless the personality supports WORM, else follows the lists;
    /// * cleaning, diagnostic and firmware cartridges of a listed format load read-only (the
    ///   drive raises the cleaning UNIT ATTENTION itself);
    /// * data and NULL cartridges follow the lists; an unknown MEDIUM TYPE byte is refused.
    pub fn media_access(&self, media: &Media) -> MediaAccess {
        let f = self.format_access(media.density);
        match media.medium_type {
            _ if f == MediaAccess::Refused => MediaAccess::Refused,
            MediumType::Data | MediumType::Null => f,
            MediumType::Worm if self.worm => f,
            MediumType::Worm => MediaAccess::Refused,
            MediumType::Cleaning | MediumType::Diagnostic | MediumType::Firmware => {
                MediaAccess::ReadOnly
            }
            MediumType::Other(_) => MediaAccess::Refused,
        }
    }

    /// Whether a cartridge whose format [`Media::identify`] could not determine loads: only
    /// the default personality takes it (read-write for data/NULL, read-only for cleaning;
    /// WORM refused as the default has no WORM support).
    pub fn unidentified_media_access(&self, medium_type: MediumType) -> MediaAccess {
        if !self.accepts_all_media {
            return MediaAccess::Refused;
        }
        match medium_type {
            MediumType::Data | MediumType::Null => MediaAccess::ReadWrite,
            MediumType::Cleaning | MediumType::Diagnostic | MediumType::Firmware => {
                MediaAccess::ReadOnly
            }
            MediumType::Worm | MediumType::Other(_) => MediaAccess::Refused,
        }
    }

    /// MODE SENSE mode parameter header MEDIUM TYPE for a loaded cartridge (spec 1.13):
    /// * IBM LTO (and the default personality with LTO media): generation × 0x10 + 8
    ///   (0x18 .. 0xA8), + 4 for WORM (0x3C .. 0xAC); cleaning cartridges report the data
    ///   value of their generation;
    /// * HP LTO: 0x00 data, 0x01 WORM, 0x80 cleaning;
    /// * DLT / SDLT media: 0x81 DLTtape III, 0x83 DLTtape IV, 0x84 SDLT I, 0x85 SDLT II;
    /// * everything else 0x00.
    pub fn medium_type_code(&self, media: &Media) -> u8 {
        let d = media.density;
        match self.family {
            Family::HpLto(_) => match media.medium_type {
                MediumType::Worm => 0x01,
                MediumType::Cleaning => 0x80,
                _ => 0x00,
            },
            _ if d.lto_generation > 0 => {
                d.lto_generation * 0x10 + if media.is_worm() { 0x0c } else { 0x08 }
            }
            _ => d.medium_type_code,
        }
    }

    /// The formats this drive handles with their access (read-write first in table order,
    /// then read-only), one per density code (formats sharing a code, like 9840A/9840B,
    /// are reported once; read-write wins).
    fn supported_formats(&self) -> Vec<(&'static MediaDensity, bool)> {
        let mut v: Vec<(&'static MediaDensity, bool)> = Vec::new();
        for d in MEDIA_DENSITIES {
            let wrtok = match self.format_access(d) {
                MediaAccess::ReadWrite => true,
                MediaAccess::ReadOnly => false,
                MediaAccess::Refused => continue,
            };
            if let Some(e) = v.iter_mut().find(|e| e.0.density_code == d.density_code) {
                e.1 |= wrtok;
            } else {
                v.push((d, wrtok));
            }
        }
        v.sort_by_key(|e| e.0.density_code);
        v
    }

    /// REPORT DENSITY SUPPORT parameter data with MEDIUM TYPE = 0 (SSC-5 6.4.2): a 4-byte
    /// header (AVAILABLE DENSITY SUPPORT LENGTH = bytes that follow it, 2 reserved bytes)
    /// and one 52-byte density support data block descriptor per density code, ascending.
    ///
    /// * `media_only` false: every density the drive reads (WRTOK set where it writes);
    ///   DEFLT marks the loaded medium's density, or the drive's native density when
    ///   nothing (supported) is loaded; CAPACITY is the format's native capacity.
    /// * `media_only` true (MEDIA = 1): only the loaded medium's density, DEFLT set, WRTOK
    ///   when the cartridge loads read-write, CAPACITY from the cartridge's MAM maximum
    ///   capacity. With no (accepted) medium the list is empty; the caller reports NOT READY
    ///   first, as SSC-5 requires for MEDIA = 1 without a medium.
    ///
    /// The result is not truncated to an allocation length.
    pub fn density_support(&self, media_only: bool, current_media: Option<&Media>) -> Vec<u8> {
        let loaded = current_media.filter(|m| self.media_access(m) != MediaAccess::Refused);
        let mut out = vec![0u8; 4];
        if media_only {
            if let Some(m) = loaded {
                let cap = if m.capacity > 0 {
                    u32::try_from(m.capacity / 1_000_000).unwrap_or(u32::MAX)
                } else {
                    m.density.native_megabytes()
                };
                let wrtok = self.media_access(m) == MediaAccess::ReadWrite;
                out.extend_from_slice(&density_descriptor(m.density, wrtok, true, cap));
            }
        } else {
            let deflt_code = match loaded {
                Some(m) => m.density.density_code,
                None => MediaDensity::by_name(self.native_format)
                    .map(|d| d.density_code)
                    .unwrap_or(0),
            };
            for (d, wrtok) in self.supported_formats() {
                out.extend_from_slice(&density_descriptor(
                    d,
                    wrtok,
                    d.density_code == deflt_code,
                    d.native_megabytes(),
                ));
            }
        }
        finish_header(&mut out);
        out
    }

    /// REPORT DENSITY SUPPORT parameter data with MEDIUM TYPE = 1 (SSC-5 6.4.3): the 4-byte
    /// header and one 56-byte medium type descriptor per medium type the drive accepts (a
    /// data descriptor per format, plus a WORM descriptor where the personality supports
    /// WORM, the format has WORM cartridges and the WORM MEDIUM TYPE code differs), ordered
    /// as the formats are; `media_only` (MEDIA = 1) reports only the loaded cartridge's
    /// medium type (empty without an accepted medium).
    pub fn medium_type_support(&self, media_only: bool, current_media: Option<&Media>) -> Vec<u8> {
        let mut out = vec![0u8; 4];
        if media_only {
            if let Some(m) = current_media.filter(|m| self.media_access(m) != MediaAccess::Refused)
            {
                out.extend_from_slice(&medium_type_descriptor(
                    m.density,
                    self.medium_type_code(m),
                    m.is_worm(),
                ));
            }
        } else {
            let mut seen: Vec<(u8, u8)> = Vec::new();
            for (d, _) in self.supported_formats() {
                let data = self.medium_type_code(&Media::new(d, MediumType::Data));
                let worm = self.medium_type_code(&Media::new(d, MediumType::Worm));
                if !seen.contains(&(data, d.density_code)) {
                    seen.push((data, d.density_code));
                    out.extend_from_slice(&medium_type_descriptor(d, data, false));
                }
                if self.worm && d.worm_capable && worm != data {
                    out.extend_from_slice(&medium_type_descriptor(d, worm, true));
                }
            }
        }
        finish_header(&mut out);
        out
    }

    /// REPORT DENSITY SUPPORT parameter data for the CDB's MEDIUM TYPE and MEDIA bits.
    pub fn report_density_support(
        &self,
        medium_type: bool,
        media: bool,
        current_media: Option<&Media>,
    ) -> Vec<u8> {
        if medium_type {
            self.medium_type_support(media, current_media)
        } else {
            self.density_support(media, current_media)
        }
    }
}

/// Fill the 2-byte AVAILABLE DENSITY SUPPORT LENGTH (bytes after the field).
fn finish_header(out: &mut [u8]) {
    let n = u16::try_from(out.len() - 2).unwrap_or(u16::MAX);
    out[0..2].copy_from_slice(&n.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_ids_are_unique_and_fit_the_inquiry_field() {
        let mut seen = std::collections::HashSet::new();
        for p in Personality::all() {
            for id in p.product_ids {
                assert!(id.len() <= 16 && id.is_ascii(), "{id}");
                assert!(seen.insert(*id), "duplicate {id}");
                assert!(std::ptr::eq(Personality::for_product(id), p), "{id}");
            }
            for f in p
                .read_write
                .iter()
                .chain(p.read_only)
                .chain([&p.native_format])
            {
                assert!(MediaDensity::by_name(f).is_some(), "{}: {f}", p.name);
            }
            assert!(p.mode_pages.is_sorted(), "{}", p.name);
            assert!(p.log_pages.is_sorted(), "{}", p.name);
            assert!(p.vpd_pages.is_sorted(), "{}", p.name);
            assert!(p.early_warning_bytes >= MIN_EARLY_WARNING_BYTES);
        }
    }

    #[test]
    fn helper_functions() {
        let p = Personality::for_product("ULT3580-TD6");
        assert_eq!(p.early_warning(100 << 20), MIN_EARLY_WARNING_BYTES);
        assert_eq!(p.early_warning(500_000_000_000), 5_000_000_000);
        assert_eq!(p.early_warning(2_500_000_000_000), 2_500_000_000_000 / 256);
        assert_eq!(
            Personality::default_personality().unidentified_media_access(MediumType::Data),
            MediaAccess::ReadWrite
        );
        assert_eq!(
            p.unidentified_media_access(MediumType::Data),
            MediaAccess::Refused
        );
    }
}
