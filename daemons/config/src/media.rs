//! Which cartridges a library_contents file asks for, and what each one is: mhvtl's
//! make_vtl_media (spec 2.5) as a function, with its barcode conventions completed.
//!
//! The media comes from the barcode's last two characters (the LTO "media identifier"
//! convention, which the other vendors' labels follow too):
//!
//! | suffix | density (mktape `-d`) |
//! |---|---|
//! | `L1`..`L9` | LTO1..LTO9 (mhvtl's pattern misses `L9`, spec 8 item 27) |
//! | `LT` `LU` `LV` `LW` `LX` `LY` `LZ` | LTO3..LTO9 WORM |
//! | `JA` | J1A; `JB` `JW` `JX` E05; `JC` E06 (mhvtl's pattern misses `JC`); `JK` `JY` E07 (`JW` `JX` `JY` WORM) |
//! | `TA` `TB` `TC` | T10KA, T10KB, T10KC |
//! | `TZ` `TY` `TX` `TW` | 9840A, 9840B, 9840C, 9840D |
//! | `TV` `TU` | 9940A, 9940B |
//! | `X1`..`X4` | AIT1..AIT4 |
//! | `S1` `S2` `S3` | SDLT220, SDLT320, SDLT600 |
//! | `D7` | DLT4 |
//!
//! The medium type: a barcode starting `CLN` is a cleaning cartridge; one starting `W`, or
//! with a WORM suffix above, is WORM; anything else is data. Unlike make_vtl_media, a
//! barcode with no known suffix is an error naming it (mhvtl passes density "UNKNOWN" to
//! mktape, which fails and stops the run), and the cartridges in picker and MAP elements are
//! listed too (make_vtl_media creates only the slots' cartridges, so a MAP cartridge could
//! never be loaded).

use std::path::{Path, PathBuf};

use libvtlcart::{Density, MediumType};

use crate::device_conf::DeviceConf;
use crate::error::{ConfigError, Result};
use crate::library_contents::{Barcode, LibraryContents};

/// One cartridge to create: `mktape -l LIBRARY -m BARCODE -t TYPE -d DENSITY -H HOME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaToCreate {
    /// The library id.
    pub library: u32,
    /// The library's media home (the cartridge is `<home>/<barcode>`).
    pub home: PathBuf,
    /// The element holding it (`Slot 3`, `MAP 1`, `Picker 1`).
    pub element: String,
    /// Its barcode.
    pub barcode: Barcode,
    /// Its density (row of [`libvtlcart::DENSITIES`]).
    pub density: &'static Density,
    /// Data, WORM or cleaning.
    pub medium_type: MediumType,
}

/// Why [`media_for_barcode`] found no media.
pub const NO_MEDIA_SUFFIX: &str = "its last two characters name no media (L1..L9, LT..LZ, JA JB JC JK JW JX JY, TA TB TC, TZ TY TX TW TV TU, X1..X4, S1..S3, D7)";

/// The density name (mktape `-d`) of a two-character media suffix, and whether the suffix
/// itself means WORM media.
pub fn density_of_suffix(suffix: &str) -> Option<(&'static str, bool)> {
    Some(match suffix {
        "L1" => ("LTO1", false),
        "L2" => ("LTO2", false),
        "L3" => ("LTO3", false),
        "L4" => ("LTO4", false),
        "L5" => ("LTO5", false),
        "L6" => ("LTO6", false),
        "L7" => ("LTO7", false),
        "L8" => ("LTO8", false),
        "L9" => ("LTO9", false),
        "LT" => ("LTO3", true),
        "LU" => ("LTO4", true),
        "LV" => ("LTO5", true),
        "LW" => ("LTO6", true),
        "LX" => ("LTO7", true),
        "LY" => ("LTO8", true),
        "LZ" => ("LTO9", true),
        "JA" => ("J1A", false),
        "JB" => ("E05", false),
        "JC" => ("E06", false),
        "JK" => ("E07", false),
        "JW" => ("E05", true),
        "JX" => ("E05", true),
        "JY" => ("E07", true),
        "TA" => ("T10KA", false),
        "TB" => ("T10KB", false),
        "TC" => ("T10KC", false),
        "TZ" => ("9840A", false),
        "TY" => ("9840B", false),
        "TX" => ("9840C", false),
        "TW" => ("9840D", false),
        "TV" => ("9940A", false),
        "TU" => ("9940B", false),
        "X1" => ("AIT1", false),
        "X2" => ("AIT2", false),
        "X3" => ("AIT3", false),
        "X4" => ("AIT4", false),
        "S1" => ("SDLT220", false),
        "S2" => ("SDLT320", false),
        "S3" => ("SDLT600", false),
        "D7" => ("DLT4", false),
        _ => return None,
    })
}

/// The density and medium type of the cartridge labelled `barcode` (see the module
/// documentation). The barcode needs at least one character before its two-character
/// suffix.
///
/// Errors: [`NO_MEDIA_SUFFIX`] when the suffix is unknown.
pub fn media_for_barcode(
    barcode: &str,
) -> std::result::Result<(&'static Density, MediumType), &'static str> {
    let n = barcode.len();
    let suffix = match barcode.get(n.saturating_sub(2)..) {
        Some(s) if n >= 3 => s,
        _ => return Err(NO_MEDIA_SUFFIX),
    };
    let (name, worm_suffix) = density_of_suffix(suffix).ok_or(NO_MEDIA_SUFFIX)?;
    let density = Density::lookup(name).ok_or(NO_MEDIA_SUFFIX)?;
    let medium_type = if barcode.starts_with("CLN") {
        MediumType::Cleaning
    } else if worm_suffix || barcode.starts_with('W') {
        MediumType::Worm
    } else {
        MediumType::Data
    };
    Ok((density, medium_type))
}

/// Every cartridge `contents` holds, with what to create it as and where: slots first, then
/// picker and MAP elements, in number order.
///
/// Errors: [`ConfigError::UnknownLibrary`] when `conf` has no stanza for the library;
/// [`ConfigError::UnknownMedia`] naming the first barcode whose media is unknown (with its
/// element).
pub fn media_to_create(
    contents: &LibraryContents,
    conf: &DeviceConf,
) -> Result<Vec<MediaToCreate>> {
    let file = Path::new(&LibraryContents::file_name(contents.library)).to_path_buf();
    let lib = conf
        .library(contents.library)
        .ok_or_else(|| ConfigError::UnknownLibrary {
            file: file.clone(),
            library: contents.library,
        })?;
    let mut out = Vec::new();
    for (kind, n, bc) in contents.cartridges() {
        let element = format!("{} {n}", kind.word());
        let (density, medium_type) =
            media_for_barcode(bc.as_str()).map_err(|why| ConfigError::UnknownMedia {
                file: file.clone(),
                element: element.clone(),
                barcode: bc.as_str().to_string(),
                why,
            })?;
        out.push(MediaToCreate {
            library: lib.id,
            home: lib.home.clone(),
            element,
            barcode: bc.clone(),
            density,
            medium_type,
        });
    }
    Ok(out)
}
