//! The medium changer as an initiator sees it: a sequence of commands (CDB + data-out) from
//! up to four nexuses, sent through the in-process transport to a `Library` (6 slots, 2 MAP
//! elements, 2 IBM LTO-8 `TapeDrive`s) over a media home with two LTO-8 data cartridges
//! (legacy and v6), a cleaning cartridge, an LTO-3 cartridge the drives refuse, and an empty
//! slot; the MAP holds one more cartridge. The input's first byte picks the INQUIRY identity
//! from `vtllibrary::personality::EXAMPLES` (one per row of spec 6.3's table: STK L20 / SL /
//! L, IBM TS3100 / 3584 / other, HP MSL / EML, Overland, ADIC and Quantum Scalar, Spectra
//! T-Series / Gator / Treefrog, default); the library must have selected that personality.
//! Overland's map has room for one MAP element, so it gets one (holding the cartridge).
//!
//! Input: `[setup byte]` then records `[nexus|len byte][cdb (len & 0x1f bytes)][data-out
//! length, u16 LE][data-out]`. When bit 5 of the len byte is set the op code is replaced by
//! one the library reports in REPORT SUPPORTED OPERATION CODES, so most commands reach the
//! field parsers (READ ELEMENT STATUS, MOVE MEDIUM, EXCHANGE MEDIUM, POSITION TO ELEMENT,
//! INITIALIZE ELEMENT STATUS WITH RANGE, OPEN/CLOSE IMPORT/EXPORT ELEMENT, MODE SELECT of
//! pages 0x1D..0x1F, LOG SELECT, PERSISTENT RESERVE OUT, ...).
//!
//! Every reply must be GOOD, CHECK CONDITION or RESERVATION CONFLICT; CHECK CONDITION must
//! carry sense that parses; ILLEGAL REQUEST about a field must point (SKSV) inside the CDB or
//! the data-out. After every command the inventory must hold each cartridge exactly once
//! (a move is all or nothing), and the state the library keeps must load again into a new
//! library over the same media home with the same element contents.
#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::{Barcode, LibraryConf, LibraryContents};
use vtl_scsi::InProcess;
use vtllibrary::{DriveSlot, ElementType, Library};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

const CARTRIDGES: &[(&str, Format, MediumType, &str)] = &[
    ("E01001L8", Format::V6, MediumType::Data, "LTO8"),
    ("E01002L8", Format::Legacy, MediumType::Data, "LTO8"),
    ("CLN001L8", Format::V6, MediumType::Cleaning, "LTO8"),
    ("OLD001L3", Format::V6, MediumType::Data, "LTO3"),
    ("MAP001L8", Format::Legacy, MediumType::Data, "LTO8"),
];

fn media_home() -> &'static Path {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let home = vtl_fuzz::scratch_home().join("library");
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).expect("create the media home");
        for &(pcl, format, medium, density) in CARTRIDGES {
            make_cartridge(&home, pcl, format, medium, density, 4 << 20);
        }
        home
    })
}

/// The op codes the library reports in REPORT SUPPORTED OPERATION CODES (the SPC core's
/// without persistent reservations, and the SMC ones), worked out once.
fn ops() -> &'static [u8] {
    static OPS: OnceLock<Vec<u8>> = OnceLock::new();
    OPS.get_or_init(|| {
        let table = vtl_scsi::opcodes::OpcodeTable::new(
            vtl_scsi::spc::spc_opcodes(false)
                .into_iter()
                .chain(vtllibrary::library::smc_opcodes()),
        );
        let mut v: Vec<u8> = table.entries().iter().map(|o| o.op).collect();
        v.dedup();
        v
    })
}

fn drive(home: &Path, serial: &str) -> Arc<Mutex<TapeDrive>> {
    Arc::new(Mutex::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: serial.into(),
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    })))
}

/// The library's configuration: personality `vendor` / `product`, media home `home`.
fn conf(home: &Path, vendor: &str, product: &str) -> LibraryConf {
    let mut conf = LibraryConf::new(10, 0, 0, 0);
    conf.vendor = Some(vendor.into());
    conf.product = Some(product.into());
    conf.revision = Some("0107".into());
    conf.serial = Some("FZLIB001".into());
    conf.home = home.to_path_buf();
    conf
}

/// 2 drives (empty), 1 picker, MAP001L8 in the first of `maps` MAP elements, 6 slots.
fn contents(maps: usize) -> LibraryContents {
    let b = |s: &str| Some(Barcode::new(s).expect("barcode"));
    LibraryContents {
        library: 10,
        version: Some(2),
        drives: vec![None; 2],
        pickers: vec![None],
        maps: std::iter::once(b("MAP001L8"))
            .chain(std::iter::repeat_n(None, maps.saturating_sub(1)))
            .collect(),
        slots: vec![
            b("E01001L8"),
            b("E01002L8"),
            b("CLN001L8"),
            None,
            b("OLD001L3"),
            None,
        ],
        layout: Default::default(),
    }
}

fn library(home: &Path, conf: &LibraryConf, contents: &LibraryContents) -> Library {
    let drives: Vec<Box<dyn DriveSlot>> = ["FZDRV001", "FZDRV002"]
        .iter()
        .map(|s| Box::new(drive(home, s)) as Box<dyn DriveSlot>)
        .collect();
    Library::new(conf, contents, drives).expect("a library over a good configuration")
}

/// Element address → barcode of every full element.
fn contents_of(lib: &Library) -> BTreeMap<u16, String> {
    let inv = lib.inventory();
    let mut m = BTreeMap::new();
    for t in ElementType::ALL {
        for e in inv.elements(t) {
            if let Some(b) = e.barcode() {
                m.insert(e.address, b.to_string());
            }
        }
    }
    m
}

fn check_inventory(lib: &Library, cdb: &[u8]) -> BTreeMap<u16, String> {
    let m = contents_of(lib);
    let mut seen: Vec<&String> = m.values().collect();
    seen.sort();
    let before = seen.len();
    seen.dedup();
    assert_eq!(
        seen.len(),
        before,
        "{cdb:02x?}: a cartridge in two elements: {m:?}"
    );
    assert_eq!(
        before,
        CARTRIDGES.len(),
        "{cdb:02x?}: a cartridge lost: {m:?}"
    );
    m
}

fuzz_target!(|input: &[u8]| {
    let Some((&setup, rest)) = input.split_first() else {
        return;
    };
    let ops = ops();
    // The cartridges are made once per process: the changer moves them but writes nothing
    // to them (a load counts in the MAM), so only the library's state file is removed.
    let home = media_home();
    let _ = std::fs::remove_file(vtllibrary::journal::Journal::default_path(home, 10));
    let examples = vtllibrary::personality::EXAMPLES;
    let (vendor, product, personality) = examples[usize::from(setup) % examples.len()];
    let conf = conf(home, vendor, product);
    // Two MAP elements where the map has room for them (not Overland's).
    let maps = if personality.fit([1, 6, 2, 2]).is_ok() {
        2
    } else {
        1
    };
    let contents = contents(maps);
    let lib = library(home, &conf, &contents);
    assert_eq!(lib.personality(), personality, "{vendor} / {product}");
    let mut t = InProcess::new(lib);
    let mut last = BTreeMap::new();
    let mut last_cdb = Vec::new();
    for (nexus, cdb, data_out) in vtl_fuzz::commands(rest, ops) {
        let c = t.command(nexus, &cdb, data_out, 1 << 24);
        vtl_fuzz::check_reply(&c, &cdb, data_out);
        last = check_inventory(t.lu(), &cdb);
        last_cdb = cdb;
    }
    // What the library acknowledged is what a library built afresh from its state finds.
    drop(t);
    let again = library(home, &conf, &contents);
    if !last.is_empty() {
        assert_eq!(
            contents_of(&again),
            last,
            "after {last_cdb:02x?}: the restarted library's contents differ"
        );
    }
});
