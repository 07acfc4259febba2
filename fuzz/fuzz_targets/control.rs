//! vtlcmd's control channel as a daemon sees it: the input is up to eight requests
//! separated by `\n`, each read as the bytes a client sends (`frame::read_request`: length
//! limit, UTF-8, control characters), parsed (`Request::parse`) and handled by a
//! `LibraryControl` over a tiny library (1 picker, 3 slots holding one legacy and one v6
//! cartridge, 1 MAP, 1 IBM LTO-8 drive) whose media home also holds two cartridges for `load
//! map`. The library is built anew for each input.
//!
//! Checked: a request line read is at most 1024 bytes, without newline or control
//! characters; a parsed request's canonical line parses back to the same request; every
//! reply encodes and decodes to itself; the MAP commands answer mhvtl's texts (`OK`,
//! `slot=<n>`, `Contents: ` + 16-character fields, a refusal from mhvtl's list); drive
//! commands are refused; `exit` asks to shut down; the element counts never change except by
//! `add slot`, and no barcode is in two elements.
#![no_main]

use std::sync::{Arc, Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use libvtlcart::{Format, MediumType};
use vtl_config::{Barcode, LibraryConf, LibraryContents};
use vtl_control::cmdline::present;
use vtl_control::frame::read_request;
use vtl_control::{Control, LibraryControl, MAX_REQUEST_LEN, Reply, Request};
use vtllibrary::{DriveSlot, ElementType, Library};
use vtltape::{DriveConfig, TapeDrive};

/// The media home with the cartridges, made once per process.
fn home() -> &'static std::path::Path {
    static H: OnceLock<()> = OnceLock::new();
    let home = vtl_fuzz::scratch_home();
    H.get_or_init(|| {
        for (pcl, f) in [
            ("E01001L8", Format::Legacy),
            ("E01002L8", Format::V6),
            ("MAP001L8", Format::Legacy),
            ("MAP002L8", Format::V6),
        ] {
            let _ = std::fs::remove_dir_all(home.join(pcl));
            libvtlcart::testing::make_cartridge(home, pcl, f, MediumType::Data, "LTO8", 1 << 20);
        }
    });
    home
}

fn library() -> Arc<Mutex<Library>> {
    let home = home();
    let mut conf = LibraryConf::new(10, 0, 0, 0);
    conf.home = home.to_path_buf();
    let contents = LibraryContents {
        library: 10,
        version: Some(2),
        drives: vec![None],
        pickers: vec![None],
        maps: vec![None],
        slots: vec![
            Some(Barcode::new("E01001L8").expect("barcode")),
            Some(Barcode::new("E01002L8").expect("barcode")),
            None,
        ],
        layout: Default::default(),
    };
    let drive = Arc::new(Mutex::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        serial: "FUZZDRV".into(),
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    })));
    let state = home.join("fuzz-library.state");
    let _ = std::fs::remove_file(&state);
    let handles: Vec<Box<dyn DriveSlot>> = vec![Box::new(drive)];
    Arc::new(Mutex::new(
        Library::with_state_file(&conf, &contents, handles, state).expect("tiny library"),
    ))
}

/// mhvtl's refusals of `load map` (and vtl's "not found" one).
fn load_map_refusal(text: &str) -> bool {
    matches!(
        text,
        "MAP not opened"
            | "Bad barcode"
            | "barcode already in library"
            | "barcode length too long"
            | "MAP Full"
    ) || text.starts_with("Cartridge ")
}

fuzz_target!(|input: &[u8]| {
    let lib = library();
    let mut control = LibraryControl::new(10, lib.clone()).with_log(|_| {});
    let mut slots = 3;
    for bytes in input.split_inclusive(|&b| b == b'\n').take(8) {
        let line = match read_request(&mut &bytes[..]) {
            Ok(l) => l,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                continue;
            }
        };
        assert!(line.len() <= MAX_REQUEST_LEN);
        assert!(!line.bytes().any(|b| b < 0x20 && b != b'\t'), "{line:?}");
        let req = match Request::parse(&line) {
            Ok(r) => r,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                continue;
            }
        };
        let canon = req.to_string();
        assert_eq!(
            Request::parse(&canon).as_ref(),
            Ok(&req),
            "{line:?} -> {canon:?}"
        );
        let out = control.handle(req.clone());
        let r = &out.reply;
        assert_eq!(Reply::decode(&r.encode()).ok().as_ref(), Some(r));
        let p = present(&req, r);
        assert_eq!(p.code, if r.ok { 0 } else { 2 });
        assert_eq!(out.shutdown, req == Request::Exit);
        match &req {
            Request::OpenMap | Request::CloseMap | Request::EmptyMap if r.ok => {
                assert_eq!(r.text, "OK")
            }
            Request::EmptyMap => assert_eq!(r.text, "Can't empty map while MAP is closed"),
            Request::AddSlot if r.ok => {
                slots += 1;
                assert_eq!(r.text, format!("slot={slots}"));
            }
            Request::ListMap => {
                let rest = r.text.strip_prefix("Contents: ").expect("Contents: ");
                assert_eq!(rest.len() % 16, 0, "{:?}", r.text);
            }
            Request::LoadMap(_) if r.ok => assert_eq!(r.text, "OK"),
            Request::LoadMap(_) => assert!(load_map_refusal(&r.text), "{:?}", r.text),
            Request::Load(_)
            | Request::Unload(_)
            | Request::Compression(_)
            | Request::AppendOnly(_)
            | Request::Delay(..)
            | Request::Dump => assert!(!r.ok && r.text.contains("is a drive command")),
            _ => {}
        }
        let l = lib.lock().expect("library lock");
        let inv = l.inventory();
        assert_eq!(inv.count(ElementType::ImportExport), 1);
        assert_eq!(inv.count(ElementType::DataTransfer), 1);
        assert_eq!(inv.count(ElementType::Storage), slots);
        let pos = inv.positions();
        let mut barcodes: Vec<&str> = pos.iter().map(|(_, b)| b.as_str()).collect();
        barcodes.sort_unstable();
        let n = barcodes.len();
        barcodes.dedup();
        assert_eq!(barcodes.len(), n, "a barcode in two elements: {pos:?}");
    }
});
