//! Shared helpers of the drive's integration tests: cartridges in a temporary media home, a
//! drive loaded with one, and CDB builders.
#![allow(dead_code)]

pub mod st;

use std::path::{Path, PathBuf};

use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_scsi::{Asc, Completion, InProcess, ScsiError, Sense, SenseKey, SenseKeySpecific};
use vtltape::cdb::Command;
use vtltape::{CompressionConfig, Drive, DriveConfig, TapeDrive};

/// An IBM LTO-8 drive (reads and writes LTO7/LTO8) without compression, media home `home`.
pub fn lto8_drive(home: &Path) -> Drive {
    Drive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "XYZZY_A1".into(),
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    })
}

/// Make cartridge `pcl` (LTO8 unless `density` says otherwise) of `capacity` bytes.
pub fn cart(home: &Path, pcl: &str, ty: MediumType, density: &str, capacity: u64) -> PathBuf {
    make_cartridge(home, pcl, Format::V6, ty, density, capacity)
}

/// A temporary home holding data cartridge `E00001L8` (64 MiB) and an LTO-8 drive with it
/// loaded.
pub fn loaded() -> (tempfile::TempDir, Drive) {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "E00001L8", MediumType::Data, "LTO8", 64 << 20);
    let mut d = lto8_drive(home.path());
    d.load_barcode("E00001L8").unwrap();
    assert!(d.take_medium_changed());
    (home, d)
}

/// Run `cdb` with `data_out`; returns the result and the data-in bytes.
pub fn run(d: &mut Drive, cdb: &[u8], data_out: &[u8]) -> (Result<(), ScsiError>, Vec<u8>) {
    let mut data_in = Vec::new();
    let r = Command::parse(cdb).and_then(|c| d.execute(&c, data_out, &mut data_in));
    (r, data_in)
}

/// Run `cdb` and expect GOOD; returns data-in.
pub fn good(d: &mut Drive, cdb: &[u8], data_out: &[u8]) -> Vec<u8> {
    let (r, data) = run(d, cdb, data_out);
    if let Err(e) = r {
        panic!("{cdb:02x?}: expected GOOD, got {e:?}");
    }
    data
}

/// Run `cdb` and expect CHECK CONDITION; returns the sense and data-in.
pub fn check(d: &mut Drive, cdb: &[u8], data_out: &[u8]) -> (Sense, Vec<u8>) {
    let (r, data) = run(d, cdb, data_out);
    match r {
        Ok(()) => panic!("{cdb:02x?}: expected CHECK CONDITION, got GOOD"),
        Err(e) => (e.sense().expect("sense"), data),
    }
}

/// A 6-byte CDB with a 24-bit length in bytes 2..4.
pub fn cdb6(op: u8, b1: u8, len: u32) -> [u8; 6] {
    let l = len.to_be_bytes();
    [op, b1, l[1], l[2], l[3], 0]
}

/// READ(6) variable.
pub fn read_var(len: u32) -> [u8; 6] {
    cdb6(0x08, 0, len)
}

/// WRITE(6) variable of `data.len()` bytes.
pub fn write_var(d: &mut Drive, data: &[u8]) -> Result<(), ScsiError> {
    run(d, &cdb6(0x0a, 0, data.len() as u32), data).0
}

/// WRITE FILEMARKS(6) IMMED=0.
pub fn wfm(n: u32) -> [u8; 6] {
    cdb6(0x10, 0, n)
}

/// SPACE(6) with `code` and signed `count`.
pub fn space(code: u8, count: i32) -> [u8; 6] {
    let c = count.to_be_bytes();
    [0x11, code, c[1], c[2], c[3], 0]
}

/// REWIND.
pub const REWIND: [u8; 6] = [0x01, 0, 0, 0, 0, 0];

/// LOCATE(10) to `block` of the current partition.
pub fn locate(block: u32) -> [u8; 10] {
    let b = block.to_be_bytes();
    [0x2b, 0, 0, b[0], b[1], b[2], b[3], 0, 0, 0]
}

/// READ POSITION short form: (flags byte, partition, first block, last block).
pub fn position(d: &mut Drive) -> (u8, u8, u32, u32) {
    let p = good(d, &[0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[]);
    assert_eq!(p.len(), 20);
    (
        p[0],
        p[1],
        u32::from_be_bytes(p[4..8].try_into().unwrap()),
        u32::from_be_bytes(p[8..12].try_into().unwrap()),
    )
}

/// The current block number from READ POSITION.
pub fn block(d: &mut Drive) -> u32 {
    position(d).2
}

/// The current block number from READ POSITION (short form) through the logical unit.
pub fn block_number(t: &mut InProcess<TapeDrive>) -> u32 {
    let c = t.command(1, &[0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 20);
    assert!(c.is_good());
    u32::from_be_bytes(c.data[4..8].try_into().unwrap())
}

/// The field pointer (byte, bit) of an INVALID FIELD IN PARAMETER LIST reply; panics on any
/// other reply.
pub fn param_field(c: &Completion) -> (u16, Option<u8>) {
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)), "{:?}", c.key_asc());
    match c.sense().unwrap().specific {
        Some(SenseKeySpecific::Field {
            in_cdb: false,
            byte,
            bit,
        }) => (byte, bit),
        o => panic!("{o:?}"),
    }
}

/// Sense with `key`/`asc` and the stream bits and INFORMATION given.
pub fn sense(key: SenseKey, asc: Asc, fm: bool, eom: bool, ili: bool, info: Option<i64>) -> Sense {
    let mut s = Sense::new(key, asc);
    s.filemark = fm;
    s.eom = eom;
    s.ili = ili;
    s.information = info;
    s
}

/// A WRITE past early warning (SSC-5 4.2.5): NO SENSE, EOM, END-OF-PARTITION/MEDIUM
/// DETECTED, INFORMATION 0 (the block was written).
pub fn early_warning() -> Sense {
    sense(
        SenseKey::NoSense,
        Asc::END_OF_PARTITION_MEDIUM_DETECTED,
        false,
        true,
        false,
        Some(0),
    )
}

/// A WRITE that does not fit (SSC-5 4.2.5): VOLUME OVERFLOW, EOM, END-OF-PARTITION/MEDIUM
/// DETECTED, INFORMATION = `residue` (nothing written).
pub fn volume_overflow(residue: i64) -> Sense {
    sense(
        SenseKey::VolumeOverflow,
        Asc::END_OF_PARTITION_MEDIUM_DETECTED,
        false,
        true,
        false,
        Some(residue),
    )
}

/// Deterministic block contents.
pub fn pattern(seed: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u32)
                .wrapping_mul(31)
                .wrapping_add(seed.wrapping_mul(7919)) as u8
        })
        .collect()
}

/// An IBM LTO-8 logical unit (media home `home`) with `compression` settings.
pub fn lto8_lu(home: &Path, compression: CompressionConfig) -> vtltape::TapeDrive {
    vtltape::TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "XYZZY_A1".into(),
        compression,
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    })
}

/// No compression (blocks stored as written).
pub const NO_COMPRESSION: CompressionConfig = CompressionConfig {
    algorithm: None,
    level: 1,
    enabled: false,
};

/// Both on-disk formats, for scenarios run on each.
pub const FORMATS: [Format; 2] = [Format::Legacy, Format::V6];

/// Make data cartridge `pcl` (LTO8) of `capacity` bytes in `format`.
pub fn cart_in(home: &Path, pcl: &str, format: Format, capacity: u64) -> PathBuf {
    make_cartridge(home, pcl, format, MediumType::Data, "LTO8", capacity)
}
