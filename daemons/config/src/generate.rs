//! The default configuration mhvtl installs, made by functions instead of scripts (spec
//! 2.5: generate_device_conf, generate_library_contents). With the same parameters, the
//! files written from their results are byte-identical to those of mhvtl master's scripts.

use std::path::PathBuf;

use crate::device_conf::{
    Compression, CompressionKind, DEVICE_CONF_VERSION, DeviceConf, DriveConf, LibraryConf,
    default_naa,
};
use crate::library_contents::{Barcode, LIBRARY_CONTENTS_VERSION, Layout, LibraryContents};

/// Parameters of [`generate_device_conf`] (generate_device_conf's `-H`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceConfParams {
    /// Media home of both libraries.
    pub home: PathBuf,
}

impl Default for DeviceConfParams {
    /// Home [`libvtlcart::home::DEFAULT_HOME`].
    fn default() -> Self {
        DeviceConfParams {
            home: PathBuf::from(libvtlcart::home::DEFAULT_HOME),
        }
    }
}

/// The default device.conf (mhvtl master's generate_device_conf, spec 2.5):
///
/// * library 10 at 0:0:0, STK L700, serial `XYZZY_A`, with drives 11..14 at targets 1..4:
///   two IBM ULT3580-TD8 then two ULT3580-TD6 (revision 2160), serials `XYZZY_A1`..`A4`;
/// * library 30 at 0:8:0, STK L80, serial `XYZZY_B`, with drives 31..34 at targets 9..12:
///   STK T10000B (revision 550V), serials `XYZZY_B1`..`B4`;
/// * NAA [`default_naa`] of the library id and the unit's address; libraries PERSIST
///   False; drives compression factor 1 enabled, LZO; Backoff 400 everywhere.
///
/// mhvtl 1.7's script differs only in writing the drives' revision as a comment
/// (`#Product revision level: …`), which reads as no revision.
pub fn generate_device_conf(params: &DeviceConfParams) -> DeviceConf {
    let library = |id: u32, target: u32, product: &str, serial: &str| LibraryConf {
        vendor: Some("STK".into()),
        product: Some(product.into()),
        serial: Some(serial.into()),
        naa: Some(default_naa(id, 0, target, 0)),
        home: params.home.clone(),
        persist: false,
        backoff: Some(400),
        ..LibraryConf::new(id, 0, target, 0)
    };
    let drive = |id: u32,
                 target: u32,
                 lib: u32,
                 slot: u32,
                 vendor: &str,
                 product: &str,
                 rev: &str,
                 serial: String| DriveConf {
        library: Some((lib, slot)),
        vendor: Some(vendor.into()),
        product: Some(product.into()),
        revision: Some(rev.into()),
        serial: Some(serial),
        naa: Some(default_naa(lib, 0, target, 0)),
        compression: Compression {
            factor: 1,
            enabled: true,
            kind: Some(CompressionKind::Lzo),
        },
        backoff: Some(400),
        ..DriveConf::new(id, 0, target, 0)
    };
    let mut drives = Vec::new();
    for n in 1..=4u32 {
        let product = if n <= 2 { "ULT3580-TD8" } else { "ULT3580-TD6" };
        drives.push(drive(
            10 + n,
            n,
            10,
            n,
            "IBM",
            product,
            "2160",
            format!("XYZZY_A{n}"),
        ));
    }
    for n in 1..=4u32 {
        drives.push(drive(
            30 + n,
            8 + n,
            30,
            n,
            "STK",
            "T10000B",
            "550V",
            format!("XYZZY_B{n}"),
        ));
    }
    DeviceConf {
        libraries: vec![
            library(10, 0, "L700", "XYZZY_A"),
            library(30, 8, "L80", "XYZZY_B"),
        ],
        drives,
        version: Some(DEVICE_CONF_VERSION),
    }
}

/// The two-character media suffix of the newest media a drive product (INQUIRY product
/// identification, spec 6.2) writes: `ULT3580-TD8` → `L8`, `T10000B` → `TB`, `03592E06` →
/// `JC`, `T9840C` → `TX`, `SDX-700C` → `X3`, `SDLT 320` → `S2`, `DLT8000` → `D7`.
pub fn media_suffix_for_product(product: &str) -> Option<&'static str> {
    const LTO: [&str; 9] = ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9"];
    let lto = |g: &str| {
        let g: usize = g.parse().ok()?;
        LTO.get(g.checked_sub(1)?).copied()
    };
    for p in ["ULT3580-TD", "ULT3580-HH", "ULTRIUM-TD", "ULTRIUM-HH"] {
        if let Some(g) = product.strip_prefix(p) {
            return lto(g);
        }
    }
    if let Some(g) = product
        .strip_prefix("Ultrium ")
        .and_then(|r| r.strip_suffix("-SCSI"))
    {
        return lto(g);
    }
    Some(match product {
        "T10000A" => "TA",
        "T10000B" => "TB",
        "T10000C" => "TC",
        "03592J1A" => "JA",
        "03592E05" => "JB",
        "03592E06" => "JC",
        "03592E07" => "JK",
        "T9840A" => "TZ",
        "T9840B" => "TY",
        "T9840C" => "TX",
        "T9840D" => "TW",
        "T9940A" => "TV",
        "T9940B" => "TU",
        "SDX-300C" => "X1",
        "SDX-500C" | "SDX-500V" => "X2",
        "SDX-700C" | "SDX-700V" => "X3",
        "SDX-900V" => "X4",
        "DLT7000" | "DLT8000" => "D7",
        "SDLT 320" => "S2",
        "SDLT600" => "S3",
        _ => return None,
    })
}

/// The library_contents mhvtl's generate_library_contents writes for `library` of `conf`:
/// `VERSION: 2`; one empty drive element per drive of the library (as many as its highest
/// `Slot:`); one empty picker; four empty MAP elements (one for a library whose product
/// identification starts with `OVERLAND`, case-insensitive: the Overland address map of
/// spec 6.3 has room for a single import/export element, at address 0 below the medium
/// transport element at 1, and vtllibrary refuses more); mhvtl's comment block; then
///
/// * library 10: `E0{10}{nn}L8` in slots 1..=20, slot 21 empty (written `Slot 21: `),
///   `CLN{10}1L8` and `CLN{10}2L6` in 22 and 23, 24..=29 empty, `F0{10}{nn}L6` in 30..=39;
/// * library 30: `G0{30}{nn}TA` in slots 1..=39 and `CLN{30}3TA` in 40;
/// * any other library: `M0{id}{nn}` in slots 1..=39 followed, unlike mhvtl (whose
///   barcodes there name no media, so make_vtl_media stops on them), by the
///   [`media_suffix_for_product`] of the library's first drive with a known product.
///
/// (`{10}` is the library id as two digits, `{nn}` the slot number as two digits.)
pub fn generate_library_contents(library: u32, conf: &DeviceConf) -> LibraryContents {
    let drives = conf
        .drives_of(library)
        .filter_map(|d| d.library.map(|(_, s)| s))
        .max()
        .unwrap_or(0)
        .max(conf.drives_of(library).count() as u32);
    let bc = |s: String| Barcode::new(&s).ok();
    let mut layout = Layout {
        comment_block: true,
        spaced_empty_slots: Vec::new(),
    };
    let slots: Vec<Option<Barcode>> = match library {
        10 => {
            let mut v: Vec<_> = (1..=20)
                .map(|n| bc(format!("E0{library:02}{n:02}L8")))
                .collect();
            v.push(None);
            layout.spaced_empty_slots.push(21);
            v.push(bc(format!("CLN{library:02}1L8")));
            v.push(bc(format!("CLN{library:02}2L6")));
            v.extend((24..=29).map(|_| None));
            v.extend((30..=39).map(|n| bc(format!("F0{library:02}{n:02}L6"))));
            v
        }
        30 => {
            let mut v: Vec<_> = (1..=39)
                .map(|n| bc(format!("G0{library:02}{n:02}TA")))
                .collect();
            v.push(bc(format!("CLN{library:02}3TA")));
            v
        }
        _ => {
            let mut ds: Vec<_> = conf.drives_of(library).collect();
            ds.sort_by_key(|d| d.library.map(|(_, s)| s));
            let suffix = ds
                .iter()
                .find_map(|d| d.product.as_deref().and_then(media_suffix_for_product))
                .unwrap_or("");
            (1..=39)
                .map(|n| bc(format!("M0{library:02}{n:02}{suffix}")))
                .collect()
        }
    };
    let overland = conf
        .library(library)
        .and_then(|l| l.product.as_deref())
        .is_some_and(|p| {
            p.trim_start()
                .get(..8)
                .is_some_and(|s| s.eq_ignore_ascii_case("OVERLAND"))
        });
    LibraryContents {
        library,
        version: Some(LIBRARY_CONTENTS_VERSION),
        drives: vec![None; drives as usize],
        pickers: vec![None],
        maps: vec![None; if overland { 1 } else { 4 }],
        slots,
        layout,
    }
}
