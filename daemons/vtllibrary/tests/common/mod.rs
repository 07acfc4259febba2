//! Shared helpers: a media home with cartridges, LTO-8 drives, a library over them, and
//! CDB builders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::{Barcode, LibraryConf, LibraryContents};
use vtl_scsi::{Asc, Completion, InProcess, Sense, SenseKey};
use vtllibrary::{DriveSlot, Library};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

/// A drive handle shared between the library and the test.
pub type Drive = Arc<Mutex<TapeDrive>>;

/// An IBM LTO-8 drive with serial `serial` and media home `home`.
pub fn drive(home: &Path, serial: &str) -> Drive {
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

/// Make a cartridge (`Format`, type, density) of 8 MiB.
pub fn cart(home: &Path, pcl: &str, format: Format, ty: MediumType, density: &str) {
    make_cartridge(home, pcl, format, ty, density, 8 << 20);
}

/// The library's configuration.
pub fn conf(home: &Path, vendor: &str, product: &str) -> LibraryConf {
    let mut c = LibraryConf::new(10, 0, 0, 0);
    c.vendor = Some(vendor.into());
    c.product = Some(product.into());
    c.revision = Some("0107".into());
    c.serial = Some("LIBSN01".into());
    c.home = home.to_path_buf();
    c
}

/// library_contents with `slots`, `maps` MAP elements (empty), `drives` drives, 1 picker.
pub fn contents(slots: &[Option<&str>], maps: usize, drives: usize) -> LibraryContents {
    LibraryContents {
        library: 10,
        version: Some(2),
        drives: vec![None; drives],
        pickers: vec![None],
        maps: vec![None; maps],
        slots: slots
            .iter()
            .map(|s| s.map(|b| Barcode::new(b).unwrap()))
            .collect(),
        layout: Default::default(),
    }
}

/// The standard small library: slot 1 E01001L8 (v6 data), slot 2 E01002L8 (legacy data),
/// slot 3 CLN001L8 (cleaning), slot 4 empty, slot 5 OLD001L3 (LTO-3: the LTO-8 drives
/// refuse it), 1 MAP, 2 drives.
pub struct Fixture {
    pub home: tempfile::TempDir,
    pub drives: Vec<Drive>,
    pub lu: InProcess<Library>,
}

pub fn make_media(home: &Path) {
    cart(home, "E01001L8", Format::V6, MediumType::Data, "LTO8");
    cart(home, "E01002L8", Format::Legacy, MediumType::Data, "LTO8");
    cart(home, "CLN001L8", Format::V6, MediumType::Cleaning, "LTO8");
    cart(home, "OLD001L3", Format::V6, MediumType::Data, "LTO3");
    cart(home, "W00001L8", Format::Legacy, MediumType::Worm, "LTO8");
    cart(home, "MAP001L8", Format::Legacy, MediumType::Data, "LTO8");
    cart(home, "MAP002L8", Format::V6, MediumType::Data, "LTO8");
}

pub const SLOTS: [Option<&str>; 5] = [
    Some("E01001L8"),
    Some("E01002L8"),
    Some("CLN001L8"),
    None,
    Some("OLD001L3"),
];

pub fn fixture(vendor: &str, product: &str) -> Fixture {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = vec![drive(home.path(), "DRV0001"), drive(home.path(), "DRV0002")];
    let lib = build(home.path(), vendor, product, &SLOTS, &drives);
    let mut lu = InProcess::new(lib);
    // Clear the power-on unit attention of nexus 1.
    let c = lu.command(1, &TUR, &[], 0);
    assert_eq!(c.key_asc(), Some((6, 0x29, 0)));
    Fixture { home, drives, lu }
}

pub fn build(
    home: &Path,
    vendor: &str,
    product: &str,
    slots: &[Option<&str>],
    drives: &[Drive],
) -> Library {
    let handles = drives
        .iter()
        .map(|d| Box::new(d.clone()) as Box<dyn DriveSlot>)
        .collect();
    build_with(home, vendor, product, slots, handles, None)
}

/// Like [`build`] with any drive handles and, when given, the state file at `state`
/// (else in the media home).
pub fn build_with(
    home: &Path,
    vendor: &str,
    product: &str,
    slots: &[Option<&str>],
    handles: Vec<Box<dyn DriveSlot>>,
    state: Option<PathBuf>,
) -> Library {
    let conf = conf(home, vendor, product);
    let contents = contents(slots, 1, handles.len());
    match state {
        Some(p) => Library::with_state_file(&conf, &contents, handles, p),
        None => Library::new(&conf, &contents, handles),
    }
    .unwrap()
}

/// A drive that, while its switch is on, fails every load as a drive that cannot open
/// the cartridge does: HARDWARE ERROR / MEDIUM LOAD OR EJECT FAILED (04/53/00), the drive
/// left empty. Otherwise it is the real drive it wraps.
pub struct Refusing {
    pub drive: Drive,
    pub refuse: Arc<AtomicBool>,
}

impl Refusing {
    /// `drive`, refusing while the returned switch is on (off at first).
    pub fn new(drive: Drive) -> (Refusing, Arc<AtomicBool>) {
        let refuse = Arc::new(AtomicBool::new(false));
        (
            Refusing {
                drive,
                refuse: refuse.clone(),
            },
            refuse,
        )
    }
}

impl DriveSlot for Refusing {
    fn load(&mut self, pcl: &str) -> Result<(), Sense> {
        if self.refuse.load(Ordering::SeqCst) {
            return Err(Sense::new(
                SenseKey::HardwareError,
                Asc::MEDIUM_LOAD_OR_EJECT_FAILED,
            ));
        }
        self.drive.load(pcl)
    }

    fn unload(&mut self) -> Result<Option<String>, Sense> {
        self.drive.unload()
    }

    fn loaded_barcode(&self) -> Option<String> {
        self.drive.loaded_barcode()
    }

    fn identifier(&self) -> Vec<u8> {
        self.drive.identifier()
    }
}

/// A 48-byte element descriptor (VOLTAG, no DVCID): address, flags (FULL 0x01, ImpExp
/// 0x02, EXCEPT 0x04, ACCESS 0x08, ExEnab 0x10, InEnab 0x20), byte 9 (SVALID 0x80 |
/// MEDIUM TYPE), source element address, primary volume tag; ASC/ASCQ zero.
pub fn desc(addr: u16, flags: u8, byte9: u8, src: u16, tag: Option<&str>) -> Vec<u8> {
    let mut d = vec![0u8; 48];
    d[0..2].copy_from_slice(&addr.to_be_bytes());
    d[2] = flags;
    d[9] = byte9;
    d[10..12].copy_from_slice(&src.to_be_bytes());
    if let Some(t) = tag {
        d[12..44].fill(b' ');
        d[12..12 + t.len()].copy_from_slice(t.as_bytes());
    }
    d
}

/// An element status page of type `ty` with VOLTAG holding the 48-byte `descs`.
pub fn page(ty: u8, descs: &[Vec<u8>]) -> Vec<u8> {
    let n = (descs.len() * 48) as u32;
    let mut p = vec![ty, 0x80, 0, 48, 0];
    p.extend_from_slice(&n.to_be_bytes()[1..]);
    for d in descs {
        p.extend_from_slice(d);
    }
    p
}

/// The READ ELEMENT STATUS data of a request for every element of type `ty` with VOLTAG:
/// header (first address `first`, count, byte count) and one page of the 48-byte `descs`.
pub fn report(ty: u8, first: u16, descs: &[Vec<u8>]) -> Vec<u8> {
    let mut r = first.to_be_bytes().to_vec();
    r.extend((descs.len() as u16).to_be_bytes());
    r.push(0);
    r.extend(&((descs.len() * 48 + 8) as u32).to_be_bytes()[1..]);
    r.extend(page(ty, descs));
    r
}

/// READ ELEMENT STATUS of every element of type `ty`, VOLTAG set.
pub fn read_type(lu: &mut InProcess<Library>, ty: u8) -> Vec<u8> {
    good(lu, &res(ty, true, 0, 0xffff, false, 4096), 4096)
}

/// READ ELEMENT STATUS of every element of every type, VOLTAG set (what `mtx status`
/// reads).
pub fn read_all(lu: &mut InProcess<Library>) -> Vec<u8> {
    good(lu, &res(0, true, 0, 0xffff, false, 65535), 65535)
}

pub const TUR: [u8; 6] = [0; 6];

/// READ ELEMENT STATUS.
pub fn res(ty: u8, voltag: bool, start: u16, count: u16, dvcid: bool, alloc: u32) -> [u8; 12] {
    let s = start.to_be_bytes();
    let n = count.to_be_bytes();
    let a = alloc.to_be_bytes();
    [
        0xb8,
        ty | if voltag { 0x10 } else { 0 },
        s[0],
        s[1],
        n[0],
        n[1],
        u8::from(dvcid),
        a[1],
        a[2],
        a[3],
        0,
        0,
    ]
}

/// MOVE MEDIUM.
pub fn move_medium(transport: u16, src: u16, dst: u16) -> [u8; 12] {
    let t = transport.to_be_bytes();
    let s = src.to_be_bytes();
    let d = dst.to_be_bytes();
    [0xa5, 0, t[0], t[1], s[0], s[1], d[0], d[1], 0, 0, 0, 0]
}

/// EXCHANGE MEDIUM.
pub fn exchange(src: u16, first: u16, second: u16) -> [u8; 12] {
    let s = src.to_be_bytes();
    let f = first.to_be_bytes();
    let d = second.to_be_bytes();
    [0xa6, 0, 0, 0, s[0], s[1], f[0], f[1], d[0], d[1], 0, 0]
}

/// Expect GOOD; returns the data.
pub fn good<L: vtl_scsi::LogicalUnit>(lu: &mut InProcess<L>, cdb: &[u8], alloc: usize) -> Vec<u8> {
    let c = lu.command(1, cdb, &[], alloc);
    assert!(c.is_good(), "{cdb:02x?}: {:?}", c.sense());
    c.data
}

/// Expect CHECK CONDITION; returns the completion.
pub fn check<L: vtl_scsi::LogicalUnit>(lu: &mut InProcess<L>, cdb: &[u8]) -> Completion {
    let c = lu.command(1, cdb, &[], 0);
    assert!(!c.is_good(), "{cdb:02x?}: expected CHECK CONDITION");
    c
}

/// (key, asc, ascq, field pointer byte) of a CHECK CONDITION.
pub fn sense_of(c: &Completion) -> (u8, u8, u8, Option<u16>) {
    let s = c.sense().expect("sense");
    let fp = match s.specific {
        Some(vtl_scsi::SenseKeySpecific::Field { byte, .. }) => Some(byte),
        _ => None,
    };
    (s.key as u8, s.asc.0, s.asc.1, fp)
}

/// Every cartridge's element address, from the library's point of view.
pub fn positions(lu: &mut InProcess<Library>) -> Vec<(u16, String)> {
    lu.lu().inventory().positions()
}
