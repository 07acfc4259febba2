//! Media formats the drive knows, how a cartridge's MAM is mapped to one of them, and the
//! REPORT DENSITY SUPPORT descriptors built from them (SSC-5 6.4).
//!
//! Sources:
//! * density codes, MAM density names/descriptions and mhvtl's `MediaType` enum:
//!   `../shared/spec/mhvtl-reference.md` section 1.13 and libvtlcart's [`DENSITIES`] (checked
//!   field by field by this module's tests);
//! * LTO bits per mm, tracks and tape lengths: the LTO Ultrium SCSI references of IBM and HP
//!   (REPORT DENSITY SUPPORT tables for Ultrium 1..4) and FreeBSD's mt(1)/libmt density table
//!   (LTO-5..LTO-10, "obtained from IBM specs and actual tapes/drives", commit 930486f9be5c,
//!   2026-03-02), which also gives LTO-10: density code 0x62, 21657 bits/mm, 1035 m of tape,
//!   30 TB native, and LTO-10 drives read and write LTO-10 media only;
//! * other families: mhvtl's media table (bits per mm, tracks, length as mktape writes them),
//!   native capacities from the media names (Raven 20 GB, PeakCapacity 200 GB, ...).
//!
//! LTO-10's row in libvtlcart's [`DENSITIES`] (what mktape writes) carries MediaType 0, for
//! want of an mhvtl value; such cartridges are identified by their density name.

use libvtlcart::mam::field_str;
use libvtlcart::{DENSITIES, Density, Mam, MediaType, MediumType};

/// One recording format / media generation as the drive sees it.
///
/// The SCSI fields (`density_name`, `description`, `bits_per_mm`, `media_width`, `tracks`,
/// `medium_length`, `native_bytes`) are what REPORT DENSITY SUPPORT reports (SSC-5 6.4.2,
/// 6.4.3); the `mam_*` fields are what mktape writes into the cartridge's MAM for this format
/// and are used only to recognise a cartridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaDensity {
    /// Format name, equal to mktape's `-d` name (`LTO8`, `9840A`, `E06`, ...; `LTO10`).
    pub name: &'static str,
    /// mhvtl's `MediaType` enum name of the plain generation (`LTO8`, `3592 JA`, `SDLT`, ...;
    /// empty for LTO10, which mhvtl's enum does not have).
    pub media_type_name: &'static str,
    /// SCSI density code (MODE SENSE block descriptor, MAM 0x0405 MEDIUM DENSITY CODE).
    pub density_code: u8,
    /// `media_info.density_name` as mktape writes it (trailing spaces trimmed).
    pub mam_density_name: &'static str,
    /// `media_info.description` as mktape writes it.
    pub mam_description: &'static str,
    /// DENSITY NAME reported by REPORT DENSITY SUPPORT (at most 8 ASCII characters).
    pub density_name: &'static str,
    /// DESCRIPTION reported by REPORT DENSITY SUPPORT (at most 20 ASCII characters).
    pub description: &'static str,
    /// ASSIGNING ORGANIZATION (at most 8 ASCII characters).
    pub assigning_organization: &'static str,
    /// BITS PER MM (24-bit field; 0 = not applicable).
    pub bits_per_mm: u32,
    /// MEDIA WIDTH in tenths of a millimetre.
    pub media_width: u16,
    /// TRACKS (0 = not known / not applicable).
    pub tracks: u16,
    /// MEDIUM LENGTH in metres (medium type descriptor).
    pub medium_length: u16,
    /// Native (uncompressed) capacity in decimal bytes.
    pub native_bytes: u64,
    /// MEDIUM TYPE NAME of the medium type descriptor (at most 8 ASCII characters).
    pub medium_name: &'static str,
    /// LTO generation 1..=10, 0 for every other family.
    pub lto_generation: u8,
    /// True when WORM cartridges of this format exist (LTO-3+, 3592, T10000B/C, AIT-4,
    /// SDLT600).
    pub worm_capable: bool,
    /// MODE SENSE medium type for families with a per-format code (DLT 0x81..0x85); 0 for
    /// the others (LTO codes are computed from the generation, see
    /// [`crate::personality::Personality::medium_type_code`]).
    pub medium_type_code: u8,
}

const GB: u64 = 1_000_000_000;

macro_rules! md {
    ($name:expr, $mt:expr, $code:expr, $mdn:expr, $mdesc:expr, $dn:expr, $desc:expr,
     $org:expr, $bpm:expr, $width:expr, $tracks:expr, $len:expr, $gb:expr, $mname:expr,
     $lto:expr, $worm:expr, $mtc:expr) => {
        MediaDensity {
            name: $name,
            media_type_name: $mt,
            density_code: $code,
            mam_density_name: $mdn,
            mam_description: $mdesc,
            density_name: $dn,
            description: $desc,
            assigning_organization: $org,
            bits_per_mm: $bpm,
            media_width: $width,
            tracks: $tracks,
            medium_length: $len,
            native_bytes: $gb * GB,
            medium_name: $mname,
            lto_generation: $lto,
            worm_capable: $worm,
            medium_type_code: $mtc,
        }
    };
}

/// Every format a personality can accept, LTO first, then the other families in mhvtl's
/// order. Names are unique; density codes are not (LTO2 / 9840A / 9840B share 0x42, SDLT1 /
/// SDLT220 0x48, T10KA / SDLT600 0x4a, LTO3 / 9940B 0x44, LTO4 / 9840D 0x46).
/// Columns of each row: name, mhvtl MediaType name, density code, MAM density name, MAM
/// description, SCSI density name, SCSI description, assigning organization, bits per mm,
/// media width (0.1 mm), tracks, medium length (m), native GB, medium type name, LTO
/// generation, WORM cartridges exist, MODE SENSE medium type (DLT family).
#[rustfmt::skip]
pub static MEDIA_DENSITIES: &[MediaDensity] = &[
    md!("LTO1", "LTO1", 0x40, "U-18", "Ultrium 1/8T", "U-18", "Ultrium 1/8T", "LTO-CVE", 4880, 127, 384, 609, 100, "LTO-1", 1, false, 0),
    md!("LTO2", "LTO2", 0x42, "U-28", "Ultrium 2/8T", "U-28", "Ultrium 2/8T", "LTO-CVE", 7398, 127, 512, 609, 200, "LTO-2", 2, false, 0),
    md!("LTO3", "LTO3", 0x44, "U-316", "Ultrium 3/16T", "U-316", "Ultrium 3/16T", "LTO-CVE", 9638, 127, 704, 680, 400, "LTO-3", 3, true, 0),
    md!("LTO4", "LTO4", 0x46, "U-416", "Ultrium 4/16T", "U-416", "Ultrium 4/16T", "LTO-CVE", 12725, 127, 896, 820, 800, "LTO-4", 4, true, 0),
    md!("LTO5", "LTO5", 0x58, "U-516", "Ultrium 5/16T", "U-516", "Ultrium 5/16T", "LTO-CVE", 15142, 127, 1280, 846, 1500, "LTO-5", 5, true, 0),
    md!("LTO6", "LTO6", 0x5a, "U-616", "Ultrium 6/16T", "U-616", "Ultrium 6/16T", "LTO-CVE", 15142, 127, 2176, 846, 2500, "LTO-6", 6, true, 0),
    md!("LTO7", "LTO7", 0x5c, "U-732", "Ultrium 7/32T", "U-732", "Ultrium 7/32T", "LTO-CVE", 19107, 127, 3584, 960, 6000, "LTO-7", 7, true, 0),
    md!("LTO8", "LTO8", 0x5e, "U-832", "Ultrium 8/32T", "U-832", "Ultrium 8/32T", "LTO-CVE", 20669, 127, 6656, 960, 12000, "LTO-8", 8, true, 0),
    md!("LTO9", "LTO9", 0x60, "U-932", "Ultrium 9/32T", "U-932", "Ultrium 9/32T", "LTO-CVE", 23031, 127, 8960, 1035, 18000, "LTO-9", 9, true, 0),
    // LTO-10: density code, bits/mm, length and capacity from FreeBSD libmt (see the module
    // docs); the density name and description follow the Ultrium pattern (our choice, no
    // real drive's string was found); tracks not published there (0 = not reported).
    md!("LTO10", "", 0x62, "U-1032", "Ultrium 10/32T", "U-1032", "Ultrium 10/32T", "LTO-CVE", 21657, 127, 0, 1035, 30000, "LTO-10", 10, true, 0),
    md!("AIT1", "AIT1", 0x30, "AIT-1", "AdvIntelligentTape1", "AIT-1", "AdvIntelligentTape1", "SONY", 4567, 80, 1, 384, 35, "AIT-1", 0, false, 0),
    md!("AIT2", "AIT2", 0x31, "AIT-2", "AdvIntelligentTape2", "AIT-2", "AdvIntelligentTape2", "SONY", 6102, 80, 1, 384, 50, "AIT-2", 0, false, 0),
    md!("AIT3", "AIT3", 0x32, "AIT-3", "AdvIntelligentTape3", "AIT-3", "AdvIntelligentTape3", "SONY", 6102, 80, 1, 384, 100, "AIT-3", 0, false, 0),
    md!("AIT4", "AIT4", 0x33, "AIT-4", "AdvIntelligentTape4", "AIT-4", "AdvIntelligentTape4", "SONY", 6102, 80, 1, 384, 200, "AIT-4", 0, true, 0),
    md!("DLT3", "DLT3", 0x19, "DLT-III", "DLTtape III", "DLT-III", "DLTtape III", "QUANTUM", 2048, 127, 1, 1024, 10, "DLT-III", 0, false, 0x81),
    md!("DLT4", "DLT4", 0x1b, "DLT-IV", "DLTtape IV", "DLT-IV", "DLTtape IV", "QUANTUM", 2048, 127, 1, 1024, 20, "DLT-IV", 0, false, 0x83),
    md!("SDLT1", "SDLT", 0x48, "SDLT-1", "SDLT I media", "SDLT-1", "SDLT I media", "QUANTUM", 133000, 127, 1, 1024, 100, "SDLT-I", 0, false, 0x84),
    md!("SDLT220", "SDLT220", 0x48, "SDLT220", "SDLT I media", "SDLT220", "SDLT I media", "QUANTUM", 133000, 127, 1, 1024, 110, "SDLT-I", 0, false, 0x84),
    md!("SDLT320", "SDLT320", 0x49, "SDLT320", "SDLT I media", "SDLT320", "SDLT I media", "QUANTUM", 190000, 127, 1, 1024, 160, "SDLT-I", 0, false, 0x84),
    md!("SDLT600", "SDLT600", 0x4a, "SDLT600", "SDLT II media", "SDLT600", "SDLT II media", "QUANTUM", 233000, 127, 1, 1024, 300, "SDLT-II", 0, true, 0x85),
    md!("9840A", "9840A", 0x42, "R-20", "Raven 20 GB", "R-20", "Raven 20 GB", "STK", 0, 127, 288, 1024, 20, "R-20", 0, false, 0),
    md!("9840B", "9840B", 0x42, "R-20", "Raven 20 GB", "R-20", "Raven 20 GB", "STK", 0, 127, 288, 1024, 20, "R-20", 0, false, 0),
    md!("9840C", "9840C", 0x45, "R-40", "Raven 40 GB", "R-40", "Raven 40 GB", "STK", 0, 127, 288, 1024, 40, "R-40", 0, false, 0),
    md!("9840D", "9840D", 0x46, "R-75", "Raven 75 GB", "R-75", "Raven 75 GB", "STK", 0, 127, 576, 1024, 75, "R-75", 0, false, 0),
    md!("9940A", "9940A", 0x43, "P-60", "PeakCapacity 60 GB", "P-60", "PeakCapacity 60 GB", "STK", 0, 127, 288, 1024, 60, "P-60", 0, false, 0),
    md!("9940B", "9940B", 0x44, "P-200", "PeakCapacity 200 GB", "P-200", "PeakCapacity 200 GB", "STK", 0, 127, 576, 1024, 200, "P-200", 0, false, 0),
    md!("T10KA", "T10KA", 0x4a, "T10000A", "STK T10KA media", "T10000A", "STK T10KA media", "STK", 233000, 127, 1, 1024, 500, "T10KA", 0, true, 0),
    md!("T10KB", "T10KB", 0x4b, "T10000B", "STK T10KB media", "T10000B", "STK T10KB media", "STK", 233000, 127, 1, 1024, 1000, "T10KB", 0, true, 0),
    md!("T10KC", "T10KC", 0x4c, "T10000C", "STK T10KC media", "T10000C", "STK T10KC media", "STK", 233000, 127, 1, 1024, 5000, "T10KC", 0, true, 0),
    md!("DDS1", "DDS1", 0x13, "DDS1", "4MM DDS-1 media", "DDS1", "4MM DDS-1 media", "HP", 233000, 38, 1, 1024, 2, "DDS-1", 0, false, 0),
    md!("DDS2", "DDS2", 0x24, "DDS2", "4MM DDS-2 media", "DDS2", "4MM DDS-2 media", "HP", 233000, 38, 1, 1024, 4, "DDS-2", 0, false, 0),
    md!("DDS3", "DDS3", 0x25, "DDS3", "4MM DDS-3 media", "DDS3", "4MM DDS-3 media", "HP", 233000, 38, 1, 1024, 12, "DDS-3", 0, false, 0),
    md!("DDS4", "DDS4", 0x26, "DDS4", "4MM DDS-4 media", "DDS4", "4MM DDS-4 media", "HP", 233000, 38, 1, 1024, 20, "DDS-4", 0, false, 0),
    md!("J1A", "3592 JA", 0x51, "3592J1A", "3592 J1A media", "3592J1A", "3592 J1A media", "IBM", 233000, 127, 1, 1024, 300, "3592JA", 0, true, 0),
    md!("E05", "3592 JB", 0x52, "3592E05", "3592 E05 media", "3592E05", "3592 E05 media", "IBM", 233000, 127, 1, 1024, 700, "3592JB", 0, true, 0),
    md!("E06", "3592 JX", 0x53, "3592E06", "3592 E06 media", "3592E06", "3592 E06 media", "IBM", 2048, 127, 1, 1024, 1000, "3592JX", 0, true, 0),
    md!("E07", "3592 JK", 0x54, "3592E07", "3592 E07 media", "3592E07", "3592 E07 media", "IBM", 2048, 127, 1, 1024, 4000, "3592JK", 0, true, 0),
];

impl MediaDensity {
    /// The format called `name` (exact, case-sensitive: `LTO8`, `T10KB`, `LTO10`).
    pub fn by_name(name: &str) -> Option<&'static MediaDensity> {
        MEDIA_DENSITIES.iter().find(|d| d.name == name)
    }

    /// libvtlcart's density row for this format (what mktape `-d NAME` writes); `None` for
    /// LTO10, which libvtlcart does not know yet.
    pub fn cart_density(&self) -> Option<&'static Density> {
        DENSITIES.iter().find(|d| d.name == self.name)
    }

    /// Native capacity in SSC megabytes (10^6 bytes), saturated to the 32-bit CAPACITY field.
    pub fn native_megabytes(&self) -> u32 {
        u32::try_from(self.native_bytes / 1_000_000).unwrap_or(u32::MAX)
    }

    /// The format whose mhvtl `MediaType` enum name (current enum, mhvtl 1.7-2 and later) is
    /// `mt`'s, ignoring a ` WORM` or ` cleaning` suffix.
    fn by_media_type(mt: MediaType) -> Option<&'static MediaDensity> {
        let name = mt.name()?;
        let base = name
            .strip_suffix(" WORM")
            .or_else(|| name.strip_suffix(" cleaning"))
            .unwrap_or(name);
        MEDIA_DENSITIES
            .iter()
            .find(|d| !d.media_type_name.is_empty() && d.media_type_name == base)
    }
}

/// How [`Media::identify`] recognised a cartridge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifiedBy {
    /// mhvtl's MediaType byte, trusted (value 1..=16, or it agrees with the density code and
    /// density name stored in the MAM).
    MediaType,
    /// The MAM's `media_info` density name.
    DensityName,
    /// The MAM's `media_info` description among the formats sharing the density code.
    Description,
    /// The density code alone (only one format has it).
    DensityCode,
}

/// What the drive knows about a loaded cartridge's media, identified from its MAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Media {
    /// The recording format / generation of the cartridge.
    pub density: &'static MediaDensity,
    /// MAM 0x0408 MEDIUM TYPE: data, WORM, NULL, cleaning, ...
    pub medium_type: libvtlcart::MediumType,
    /// mhvtl's MediaType byte as stored (informational; may belong to an older enum).
    pub media_type: MediaType,
    /// MAM 0x0001 MAXIMUM CAPACITY in bytes (0 when unknown).
    pub capacity: u64,
    /// Which MAM field decided the format.
    pub identified_by: IdentifiedBy,
}

impl Media {
    /// Media of format `density` with the given medium type (capacity = the format's native
    /// capacity), as a freshly made cartridge would identify.
    pub fn new(density: &'static MediaDensity, medium_type: MediumType) -> Media {
        Media {
            density,
            medium_type,
            media_type: MediaType(0),
            capacity: density.native_bytes,
            identified_by: IdentifiedBy::DensityCode,
        }
    }

    /// Identify the cartridge's format from its MAM, coping with mhvtl's MediaType enum drift
    /// (spec 1.13): the MediaType byte is trusted when it is 1..=16 (LTO1..LTO6, stable
    /// since mhvtl 1.4) or when the format it names has the MAM's MEDIUM DENSITY CODE and
    /// density name; otherwise the format is inferred from the density name, then the
    /// description among the formats with the MAM's density code, then the density code if
    /// only one format has it. `None` when nothing matches (e.g. a cartridge made by mhvtl 1.7
    /// mktape with an unknown `-d`: MediaType 0, density code 0, empty density name).
    pub fn identify(mam: &Mam) -> Option<Media> {
        let b = &mam.base;
        let code = b.medium_density_code;
        let dname = field_str(&b.density_name);
        let dname = dname.trim();
        let desc = field_str(&b.description);
        let desc = desc.trim();
        let mt = MediaType(b.media_type);
        let name_matches = |d: &MediaDensity| !dname.is_empty() && d.mam_density_name == dname;

        let found = MediaDensity::by_media_type(mt)
            .filter(|d| {
                mt.is_stable_across_releases()
                    || (d.density_code == code && (dname.is_empty() || name_matches(d)))
            })
            .map(|d| (d, IdentifiedBy::MediaType))
            .or_else(|| {
                MEDIA_DENSITIES
                    .iter()
                    .filter(|d| d.density_code == code)
                    .find(|d| name_matches(d))
                    .or_else(|| MEDIA_DENSITIES.iter().find(|d| name_matches(d)))
                    .map(|d| (d, IdentifiedBy::DensityName))
            })
            .or_else(|| {
                MEDIA_DENSITIES
                    .iter()
                    .filter(|d| d.density_code == code)
                    .find(|d| !desc.is_empty() && d.mam_description == desc)
                    .map(|d| (d, IdentifiedBy::Description))
            })
            .or_else(|| {
                let mut with_code = MEDIA_DENSITIES
                    .iter()
                    .filter(|d| code != 0 && d.density_code == code);
                match (with_code.next(), with_code.next()) {
                    (Some(d), None) => Some((d, IdentifiedBy::DensityCode)),
                    _ => None,
                }
            });
        let (density, identified_by) = found?;
        Some(Media {
            density,
            medium_type: mam.medium_type(),
            media_type: mt,
            capacity: b.max_capacity.get(),
            identified_by,
        })
    }

    /// True for a WORM cartridge (MEDIUM TYPE 1).
    pub fn is_worm(&self) -> bool {
        self.medium_type == MediumType::Worm
    }

    /// True for a cleaning cartridge (MEDIUM TYPE 6).
    pub fn is_cleaning(&self) -> bool {
        self.medium_type == MediumType::Cleaning
    }

    /// The format's SCSI density code.
    pub fn density_code(&self) -> u8 {
        self.density.density_code
    }
}

/// Length of a density support data block descriptor (SSC-5 6.4.2).
pub const DENSITY_DESCRIPTOR_LEN: usize = 52;
/// Length of a medium type descriptor (SSC-5 6.4.3).
pub const MEDIUM_TYPE_DESCRIPTOR_LEN: usize = 56;

/// Copy `s` into `out` left-aligned, ASCII space padded (SPC-5 4.3.1 ASCII fields).
fn put_ascii(out: &mut [u8], s: &str) {
    out.fill(b' ');
    let n = s.len().min(out.len());
    out[..n].copy_from_slice(&s.as_bytes()[..n]);
}

/// One density support data block descriptor (SSC-5 6.4.2), 52 bytes:
/// byte 0 PRIMARY DENSITY CODE, 1 SECONDARY DENSITY CODE (the same code: no secondary code),
/// 2 WRTOK (bit 7) DUP (bit 6, always 0: each code is reported once) DEFLT (bit 5) DLV
/// (bit 0, set), 3..5 DESCRIPTOR LENGTH (bytes that follow it: 0x002F), 5..8 BITS PER MM,
/// 8..10 MEDIA WIDTH (0.1 mm), 10..12 TRACKS, 12..16 CAPACITY (megabytes of 10^6 bytes),
/// 16..24 ASSIGNING ORGANIZATION, 24..32 DENSITY NAME, 32..52 DESCRIPTION.
pub fn density_descriptor(
    d: &MediaDensity,
    wrtok: bool,
    deflt: bool,
    capacity_mb: u32,
) -> [u8; DENSITY_DESCRIPTOR_LEN] {
    let mut o = [0u8; DENSITY_DESCRIPTOR_LEN];
    o[0] = d.density_code;
    o[1] = d.density_code;
    o[2] = (u8::from(wrtok) << 7) | (u8::from(deflt) << 5) | 0x01;
    o[3..5].copy_from_slice(&((DENSITY_DESCRIPTOR_LEN - 5) as u16).to_be_bytes());
    o[5..8].copy_from_slice(&d.bits_per_mm.min(0x00ff_ffff).to_be_bytes()[1..]);
    o[8..10].copy_from_slice(&d.media_width.to_be_bytes());
    o[10..12].copy_from_slice(&d.tracks.to_be_bytes());
    o[12..16].copy_from_slice(&capacity_mb.to_be_bytes());
    put_ascii(&mut o[16..24], d.assigning_organization);
    put_ascii(&mut o[24..32], d.density_name);
    put_ascii(&mut o[32..52], d.description);
    o
}

/// One medium type descriptor (SSC-5 6.4.3), 56 bytes: byte 0 MEDIUM TYPE, 2..4 DESCRIPTOR
/// LENGTH (0x0034), 4 NUMBER OF DENSITY CODES (1), 5..14 PRIMARY DENSITY CODES (the format's
/// code, then zeros), 14..16 MEDIA WIDTH (0.1 mm), 16..18 MEDIUM LENGTH (m), 20..28
/// ASSIGNING ORGANIZATION, 28..36 MEDIUM TYPE NAME, 36..56 DESCRIPTION.
pub fn medium_type_descriptor(
    d: &MediaDensity,
    medium_type: u8,
    worm: bool,
) -> [u8; MEDIUM_TYPE_DESCRIPTOR_LEN] {
    let mut o = [0u8; MEDIUM_TYPE_DESCRIPTOR_LEN];
    o[0] = medium_type;
    o[2..4].copy_from_slice(&((MEDIUM_TYPE_DESCRIPTOR_LEN - 4) as u16).to_be_bytes());
    o[4] = 1;
    o[5] = d.density_code;
    o[14..16].copy_from_slice(&d.media_width.to_be_bytes());
    o[16..18].copy_from_slice(&d.medium_length.to_be_bytes());
    put_ascii(&mut o[20..28], d.assigning_organization);
    put_ascii(&mut o[28..36], d.medium_name);
    if worm {
        put_ascii(&mut o[36..56], &format!("{} WORM", d.medium_name));
    } else {
        put_ascii(&mut o[36..56], d.description);
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_fields_fit() {
        for (i, d) in MEDIA_DENSITIES.iter().enumerate() {
            assert!(
                MEDIA_DENSITIES[i + 1..].iter().all(|e| e.name != d.name),
                "{}",
                d.name
            );
            assert!(d.density_name.len() <= 8, "{}", d.name);
            assert!(d.description.len() <= 20, "{}", d.name);
            assert!(d.assigning_organization.len() <= 8, "{}", d.name);
            assert!(d.medium_name.len() <= 8, "{}", d.name);
            assert!(d.bits_per_mm <= 0x00ff_ffff, "{}", d.name);
        }
    }

    /// Every libvtlcart row has a format here with the same code and MAM strings, and every
    /// format here has a libvtlcart row (mktape can make it).
    #[test]
    fn table_agrees_with_libvtlcart() {
        for c in DENSITIES {
            let d = MediaDensity::by_name(c.name).unwrap_or_else(|| panic!("{}", c.name));
            assert_eq!(d.density_code, c.density_code, "{}", c.name);
            assert_eq!(d.mam_density_name, c.density_name.trim(), "{}", c.name);
            assert_eq!(d.mam_description, c.description, "{}", c.name);
            if c.media_type != libvtlcart::MediaType::UNDEFINED {
                assert_eq!(Some(d.media_type_name), c.media_type.name(), "{}", c.name);
            } else {
                // LTO10: mhvtl has no MediaType value for it.
                assert_eq!(d.media_type_name, "", "{}", c.name);
            }
            assert_eq!(d.cart_density(), Some(c));
        }
        let extra: Vec<_> = MEDIA_DENSITIES
            .iter()
            .filter(|d| d.cart_density().is_none())
            .map(|d| d.name)
            .collect();
        assert!(extra.is_empty(), "{extra:?}");
    }

    #[test]
    fn lto10_facts() {
        let d = MediaDensity::by_name("LTO10").unwrap();
        assert_eq!(d.density_code, 0x62);
        assert_eq!(d.native_bytes, 30_000_000_000_000);
        assert_eq!(d.native_megabytes(), 30_000_000);
        assert_eq!(d.lto_generation, 10);
    }

    fn mam_for(name: &str, medium_type: MediumType) -> Mam {
        Mam::new_cartridge(&libvtlcart::NewMam {
            pcl: "T00001L8",
            density: Density::lookup(name).unwrap(),
            medium_type,
            capacity: 100 << 20,
            epoch: 1_700_000_000,
            v6: false,
            application_vendor: *b"vtl 0.1 ",
        })
    }

    #[test]
    fn every_mktape_density_identifies_to_itself() {
        for c in DENSITIES {
            let m = Media::identify(&mam_for(c.name, MediumType::Data)).unwrap();
            assert_eq!(m.density.name, c.name);
            // LTO10 carries MediaType 0 (mhvtl has no value for it): found by its name.
            let by = if c.name == "LTO10" {
                IdentifiedBy::DensityName
            } else {
                IdentifiedBy::MediaType
            };
            assert_eq!(m.identified_by, by, "{}", c.name);
            assert_eq!(m.capacity, 100 << 20);
        }
        let m = Media::identify(&mam_for("LTO7", MediumType::Worm)).unwrap();
        assert!(m.is_worm());
        assert_eq!(m.density.name, "LTO7");
    }

    /// A tape made by an older mhvtl whose MediaType byte means something else today.
    #[test]
    fn drifted_media_type_is_not_trusted() {
        // AIT1 made by mhvtl 1.6-x..1.7-1: MediaType 32 (today "3592 JX cleaning").
        let mut m = mam_for("AIT1", MediumType::Data);
        m.base.media_type = 32;
        let id = Media::identify(&m).unwrap();
        assert_eq!(id.density.name, "AIT1");
        assert_eq!(id.identified_by, IdentifiedBy::DensityName);
        // A non-LTO tape of 1.7-1 with value 23 reads as LTO9 in 1.7-2: 3592 JA here.
        let mut m = mam_for("J1A", MediumType::Data);
        m.base.media_type = 23;
        assert_eq!(Media::identify(&m).unwrap().density.name, "J1A");
        // Colliding codes are told apart by name: SDLT220 vs SDLT1 (0x48), T10KA vs SDLT600
        // (0x4a), 9840A vs LTO2 (0x42).
        for n in [
            "SDLT220", "SDLT1", "T10KA", "SDLT600", "9840A", "LTO2", "9940B",
        ] {
            let mut m = mam_for(n, MediumType::Data);
            m.base.media_type = 200;
            assert_eq!(Media::identify(&m).unwrap().density.name, n);
        }
        // Stable values (<= 16) are trusted even with a stray density name.
        let mut m = mam_for("LTO5", MediumType::Data);
        m.base.density_name = [0; 8];
        assert_eq!(Media::identify(&m).unwrap().density.name, "LTO5");
    }

    #[test]
    fn fallbacks_description_and_code() {
        // No density name: the description among the formats with the code.
        let mut m = mam_for("SDLT600", MediumType::Data);
        m.base.media_type = 0;
        m.base.density_name = [0; 8];
        let id = Media::identify(&m).unwrap();
        assert_eq!(
            (id.density.name, id.identified_by),
            ("SDLT600", IdentifiedBy::Description)
        );
        // Neither name nor description: a unique code decides, a shared one does not.
        m.base.description = [0; 32];
        assert!(Media::identify(&m).is_none());
        let mut m = mam_for("LTO8", MediumType::Data);
        m.base.media_type = 0;
        m.base.density_name = [0; 8];
        m.base.description = [0; 32];
        let id = Media::identify(&m).unwrap();
        assert_eq!(
            (id.density.name, id.identified_by),
            ("LTO8", IdentifiedBy::DensityCode)
        );
        // LTO-10 (no mktape row): recognised by its code.
        m.base.medium_density_code = 0x62;
        assert_eq!(Media::identify(&m).unwrap().density.name, "LTO10");
        // Nothing at all.
        m.base.medium_density_code = 0;
        assert!(Media::identify(&m).is_none());
    }

    #[test]
    fn density_descriptor_layout() {
        let d = MediaDensity::by_name("LTO4").unwrap();
        let b = density_descriptor(d, true, false, 800_000);
        let mut want = vec![0x46, 0x46, 0x81, 0x00, 0x2f, 0x00, 0x31, 0xb5, 0x00, 0x7f];
        want.extend_from_slice(&[0x03, 0x80, 0x00, 0x0c, 0x35, 0x00]);
        want.extend_from_slice(b"LTO-CVE U-416   Ultrium 4/16T       ");
        assert_eq!(b.to_vec(), want);
    }

    #[test]
    fn medium_type_descriptor_layout() {
        let d = MediaDensity::by_name("LTO8").unwrap();
        let b = medium_type_descriptor(d, 0x8c, true);
        let mut want = vec![0x8c, 0x00, 0x00, 0x34, 0x01, 0x5e, 0, 0, 0, 0, 0, 0, 0, 0];
        want.extend_from_slice(&[0x00, 0x7f, 0x03, 0xc0, 0x00, 0x00]);
        want.extend_from_slice(b"LTO-CVE LTO-8   LTO-8 WORM          ");
        assert_eq!(b.to_vec(), want);
    }
}
