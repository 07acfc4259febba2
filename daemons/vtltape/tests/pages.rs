//! Mode, log and VPD pages, REPORT DENSITY SUPPORT and the timestamp commands through the
//! logical unit (in-process transport), with exact bytes.

mod common;

use common::*;
use libvtlcart::MediumType;
use vtl_scsi::{Completion, InProcess};
use vtltape::personality::Personality;
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

const TUR: [u8; 6] = [0, 0, 0, 0, 0, 0];

fn lu_for(
    home: &std::path::Path,
    product: &str,
    compression: CompressionConfig,
) -> InProcess<TapeDrive> {
    let mut t = InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: product.into(),
        revision: "2160".into(),
        serial: "XYZZY_A1".into(),
        compression,
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }));
    // Consume the power on unit attention.
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    t
}

/// An IBM LTO-8 logical unit compressing with LZO, and cartridge E00001L8 (`capacity`) in
/// its media home, loaded when `load`.
fn lto8(load: bool, capacity: u64) -> (tempfile::TempDir, InProcess<TapeDrive>) {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "E00001L8", MediumType::Data, "LTO8", capacity);
    let mut t = lu_for(home.path(), "ULT3580-TD8", CompressionConfig::default());
    if load {
        t.lu().load_barcode("E00001L8").unwrap();
        assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0)));
    }
    (home, t)
}

fn good(t: &mut InProcess<TapeDrive>, cdb: &[u8], out: &[u8], alloc: usize) -> Vec<u8> {
    let c = t.command(1, cdb, out, alloc);
    assert!(c.is_good(), "{cdb:02x?}: {:?}", c.key_asc());
    c.data
}

fn mode_sense6(t: &mut InProcess<TapeDrive>, page: u8, sub: u8, dbd: bool) -> Vec<u8> {
    good(
        t,
        &[0x1a, if dbd { 8 } else { 0 }, page, sub, 255, 0],
        &[],
        255,
    )
}

fn mode_select6(t: &mut InProcess<TapeDrive>, list: &[u8]) -> Completion {
    t.command(1, &[0x15, 0x10, 0, 0, list.len() as u8, 0], list, 0)
}

fn log_sense(t: &mut InProcess<TapeDrive>, page: u8) -> Vec<u8> {
    good(
        t,
        &[0x4d, 0, 0x40 | page, 0, 0, 0, 0, 0x10, 0, 0],
        &[],
        4096,
    )
}

/// The value of parameter `code` in a LOG SENSE response.
fn param(page: &[u8], code: u16) -> Option<u64> {
    let mut i = 4;
    while i + 4 <= page.len() {
        let c = u16::from_be_bytes([page[i], page[i + 1]]);
        let len = usize::from(page[i + 3]);
        let v = &page[i + 4..i + 4 + len];
        if c == code {
            return Some(v.iter().fold(0, |a, &b| (a << 8) | u64::from(b)));
        }
        i += 4 + len;
    }
    None
}

/// Incompressible bytes (xorshift64).
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn write(t: &mut InProcess<TapeDrive>, data: &[u8]) {
    good(t, &cdb6(0x0a, 0, data.len() as u32), data, 0);
}

/// INVALID FIELD IN PARAMETER LIST with the field pointer at `byte` / `bit`.
fn assert_param_error(c: &Completion, byte: u16, bit: u8) {
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    let b = byte.to_be_bytes();
    assert_eq!(c.sense[15..18], [0x80 | 0x08 | bit, b[0], b[1]]);
}

#[test]
fn mode_pages_0f_and_10_exact_bytes() {
    let (_h, mut t) = lto8(false, 16 << 20);
    // Header (buffered mode 1, no medium), block descriptor, page 0x0F: DCE=1 DCC=1, DDE=1,
    // compression / decompression algorithm 1.
    assert_eq!(
        mode_sense6(&mut t, 0x0f, 0, false),
        [
            27, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0, 0, //
            0x8f, 0x0e, 0xc0, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0
        ]
    );
    // Page 0x10: LOIS, EEG+SEW, SELECT DATA COMPRESSION ALGORITHM 1.
    assert_eq!(
        mode_sense6(&mut t, 0x10, 0, true),
        [
            19, 0, 0x10, 0, 0x90, 0x0e, 0, 0, 0, 0, 0, 0, 0x40, 0, 0x18, 0, 0, 0, 1, 0
        ]
    );
    // Changeable masks: DCE only; WRITE DELAY TIME and byte 14.
    assert_eq!(
        mode_sense6(&mut t, 0x4f, 0, true)[4..],
        [0x8f, 0x0e, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        mode_sense6(&mut t, 0x50, 0, true)[4..],
        [
            0x90, 0x0e, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xff, 0
        ]
    );
    // Informational exceptions: MRIE 3; DEXCPT, MRIE, timer and count changeable.
    assert_eq!(
        mode_sense6(&mut t, 0x1c, 0, true)[4..],
        [0x9c, 0x0a, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(
        mode_sense6(&mut t, 0x5c, 0, true)[4..],
        [
            0x9c, 0x0a, 0x08, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
        ]
    );
}

#[test]
fn without_an_algorithm_compression_is_not_changeable() {
    let home = tempfile::tempdir().unwrap();
    let mut t = lu_for(home.path(), "ULT3580-TD8", NO_COMPRESSION);
    assert_eq!(
        mode_sense6(&mut t, 0x0f, 0, true)[4..12],
        [0x8f, 0x0e, 0x00, 0x80, 0, 0, 0, 0]
    );
    assert_eq!(mode_sense6(&mut t, 0x4f, 0, true)[6], 0);
    let mut list = vec![0, 0, 0, 0];
    list.extend_from_slice(&[0x0f, 0x0e, 0x80, 0x80]);
    list.extend_from_slice(&[0; 12]);
    assert_param_error(&mode_select6(&mut t, &list), 6, 7);
}

#[test]
fn mt_compression_off_stores_blocks_uncompressed() {
    let (_h, mut t) = lto8(true, 16 << 20);
    let data = vec![b'A'; 4096];
    write(&mut t, &data);
    // `mt compression 0`: MODE SENSE(6) page 0x0F without block descriptors, then MODE
    // SELECT(6) of the page with DCE cleared (st clears the mode data length and PS).
    let mut sel = mode_sense6(&mut t, 0x0f, 0, true);
    sel[0] = 0;
    sel[4] &= 0x3f;
    sel[6] &= !0x80;
    assert!(mode_select6(&mut t, &sel).is_good());
    write(&mut t, &data);
    {
        let cart = t.lu().drive().cartridge().unwrap();
        let lzo = libvtlcart::Compression::Lzo.flag();
        assert_eq!(cart.record(0, 0).unwrap().blk_flags.get(), 0x08 | lzo);
        assert_eq!(cart.record(0, 1).unwrap().blk_flags.get(), 0x08);
        assert_eq!(cart.record(0, 1).unwrap().disk_blk_size.get(), 4096);
    }
    assert!(!t.lu().drive().compression_enabled());
    assert_eq!(mode_sense6(&mut t, 0x0f, 0, true)[6], 0x40);
    assert_eq!(mode_sense6(&mut t, 0x10, 0, true)[4 + 14], 0);
    // Page 0x10 byte 14 = 1 switches compression back on, and page 0x0F follows.
    let mut sel = mode_sense6(&mut t, 0x10, 0, true);
    sel[0] = 0;
    sel[4] &= 0x3f;
    sel[4 + 14] = 1;
    assert!(mode_select6(&mut t, &sel).is_good());
    assert!(t.lu().drive().compression_enabled());
    assert_eq!(mode_sense6(&mut t, 0x0f, 0, true)[6], 0xc0);
    // The drive's own setting (vtlcmd) shows in both pages.
    t.lu().drive_mut().set_compression_enabled(false);
    assert_eq!(mode_sense6(&mut t, 0x0f, 0, true)[6], 0x40);
    assert_eq!(mode_sense6(&mut t, 0x10, 0, true)[4 + 14], 0);
}

#[test]
fn mode_select_rejects_non_changeable_and_reserved_values() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let page0f = {
        let mut p = mode_sense6(&mut t, 0x0f, 0, true);
        p[0] = 0;
        p[4] &= 0x3f;
        p
    };
    // DDE (byte 3 bit 7 of the page, list byte 7) is not changeable.
    let mut l = page0f.clone();
    l[7] = 0;
    assert_param_error(&mode_select6(&mut t, &l), 7, 7);
    // Nor is the compression algorithm (list bytes 8..11).
    let mut l = page0f.clone();
    l[11] = 3;
    assert_param_error(&mode_select6(&mut t, &l), 11, 1);
    // SELECT DATA COMPRESSION ALGORITHM 2 is reserved: pointer to byte 14 of the page.
    let mut l = mode_sense6(&mut t, 0x10, 0, true);
    l[0] = 0;
    l[4] &= 0x3f;
    l[4 + 14] = 2;
    let c = mode_select6(&mut t, &l);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    assert_eq!(c.sense[15..18], [0x80, 0, 18]);
    // MRIE 7 is reserved.
    let mut l = mode_sense6(&mut t, 0x1c, 0, true);
    l[0] = 0;
    l[4] &= 0x3f;
    l[4 + 3] = 7;
    assert_param_error(&mode_select6(&mut t, &l), 7, 3);
    // Nothing changed.
    assert!(t.lu().drive().compression_enabled());
    assert_eq!(mode_sense6(&mut t, 0x1c, 0, true)[7], 3);
    // MRIE 6 and DEXCPT are accepted.
    l[4 + 2] = 0x08;
    l[4 + 3] = 6;
    assert!(mode_select6(&mut t, &l).is_good());
    assert_eq!(mode_sense6(&mut t, 0x1c, 0, true)[6..8], [0x08, 6]);
}

/// (page, subpage) of every page in a MODE SENSE(6) response without block descriptors.
fn pages_of(d: &[u8]) -> Vec<(u8, u8)> {
    let mut v = Vec::new();
    let mut i = 4;
    while i < d.len() {
        if d[i] & 0x40 != 0 {
            v.push((d[i] & 0x3f, d[i + 1]));
            i += 4 + usize::from(u16::from_be_bytes([d[i + 2], d[i + 3]]));
        } else {
            v.push((d[i] & 0x3f, 0));
            i += 2 + usize::from(d[i + 1]);
        }
    }
    v
}

/// MODE SENSE(10) of all pages (0x3F) with `sub`, no block descriptors.
fn mode_sense10_all(t: &mut InProcess<TapeDrive>, sub: u8) -> Vec<u8> {
    good(t, &[0x5a, 8, 0x3f, sub, 0, 0, 0, 0x10, 0, 0], &[], 4096)
}

/// The pages of a MODE SENSE(10) reply without block descriptors.
fn pages_of10(d: &[u8]) -> Vec<(u8, u8)> {
    let mut six = vec![0u8; 4];
    six.extend_from_slice(&d[8..]);
    pages_of(&six)
}

#[test]
fn all_pages_are_the_personalitys() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let lto = [
        (1, 0),
        (2, 0),
        (0x0a, 0),
        (0x0f, 0),
        (0x10, 0),
        (0x11, 0),
        (0x1a, 0),
        (0x1c, 0),
        (0x1d, 0),
        (0x24, 0),
        (0x25, 0),
    ];
    assert_eq!(pages_of10(&mode_sense10_all(&mut t, 0)), lto);
    // MODE SENSE(6) stops at 255 bytes, a whole page at a time.
    let all = pages_of10(&mode_sense10_all(&mut t, 0xff));
    let six = pages_of(&mode_sense6(&mut t, 0x3f, 0xff, true));
    assert!(six.len() < all.len() && all.starts_with(&six), "{six:02x?}");
    assert_eq!(
        pages_of10(&mode_sense10_all(&mut t, 0xff)),
        [
            (1, 0),
            (2, 0),
            (0x0a, 0),
            (0x0a, 1),
            (0x0a, 0xf0),
            (0x0f, 0),
            (0x10, 0),
            (0x10, 1),
            (0x11, 0),
            (0x1a, 0),
            (0x1c, 0),
            (0x1d, 0),
            (0x24, 0),
            (0x25, 0)
        ]
    );
    let pers = Personality::for_product("ULT3580-TD8");
    for p in pages_of10(&mode_sense10_all(&mut t, 0xff)) {
        assert!(pers.mode_pages.contains(&p), "{p:02x?}");
    }
    // A page the personality does not have.
    let c = t.command(1, &[0x1a, 8, 0x0e, 0, 255, 0], &[], 255);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    // DLT: no control extension page; DCLZ (10h) algorithm.
    let home = tempfile::tempdir().unwrap();
    let mut d = lu_for(home.path(), "DLT7000", CompressionConfig::default());
    assert_eq!(
        pages_of(&mode_sense6(&mut d, 0x3f, 0xff, true)),
        [
            (1, 0),
            (2, 0),
            (0x0a, 0),
            (0x0f, 0),
            (0x10, 0),
            (0x11, 0),
            (0x1c, 0)
        ]
    );
    assert_eq!(
        mode_sense6(&mut d, 0x0f, 0, true)[8..16],
        [0, 0, 0, 0x10, 0, 0, 0, 0x10]
    );
}

#[test]
fn supported_log_pages() {
    let (_h, mut t) = lto8(false, 16 << 20);
    assert_eq!(
        log_sense(&mut t, 0x00),
        [
            0x80, 0, 0, 13, 0x00, 0x02, 0x03, 0x0c, 0x0d, 0x10, 0x11, 0x17, 0x2e, 0x30, 0x31, 0x32,
            0x37
        ]
    );
    // A page the personality does not list (0x10 is not in the DLT set).
    let home = tempfile::tempdir().unwrap();
    let mut d = lu_for(home.path(), "DLT7000", CompressionConfig::default());
    let c = d.command(1, &[0x4d, 0, 0x50, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(c.sense[15..18], [0xc8 | 5, 0, 2]);
}

#[test]
fn sequential_access_counters_and_reset() {
    let (_h, mut t) = lto8(true, 16 << 20);
    let blocks = [noise(1, 1000), noise(2, 3000), noise(3, 500)];
    for b in &blocks {
        write(&mut t, b);
    }
    good(&mut t, &cdb6(0x10, 0, 1), &[], 0);
    let p = log_sense(&mut t, 0x0c);
    assert_eq!(param(&p, 0x0000), Some(4500));
    // Random data does not shrink: bytes written to the medium at least as many.
    let stored = param(&p, 0x0001).unwrap();
    assert!(stored >= 4500, "{stored}");
    assert_eq!(param(&p, 0x0002), Some(0));
    assert_eq!(param(&p, 0x0003), Some(0));
    assert_eq!(param(&p, 0x0100), Some(0));
    // Read two blocks back (the second into a smaller buffer: 2000 bytes transferred).
    good(&mut t, &REWIND, &[], 0);
    good(&mut t, &read_var(1000), &[], 1000);
    let c = t.command(1, &read_var(2000), &[], 2000);
    assert_eq!(c.key_asc(), Some((0, 0, 0)));
    let p = log_sense(&mut t, 0x0c);
    assert_eq!(param(&p, 0x0003), Some(3000));
    assert!(param(&p, 0x0002).unwrap() >= 4000);
    // Page 0x03 counts the bytes processed by reads, 0x02 by writes.
    assert_eq!(param(&log_sense(&mut t, 0x02), 0x0005), Some(4500));
    assert_eq!(param(&log_sense(&mut t, 0x02), 0x0006), Some(0));
    assert_eq!(param(&log_sense(&mut t, 0x03), 0x0005), Some(3000));
    // LOG SELECT PCR=1 for page 0x0C.
    good(&mut t, &[0x4c, 0x02, 0x4c, 0, 0, 0, 0, 0, 0, 0], &[], 0);
    let p = log_sense(&mut t, 0x0c);
    for code in 0..4 {
        assert_eq!(param(&p, code), Some(0), "{code}");
    }
    // Capacity from BOP to EOD (megabytes) is not a counter: still there.
    assert_eq!(param(&p, 0x0004), Some(0));
}

#[test]
fn tape_capacity_matches_the_cartridge() {
    let (_h, mut t) = lto8(false, 64 << 20);
    assert_eq!(
        log_sense(&mut t, 0x31),
        [
            0xb1, 0, 0, 32, 0, 1, 2, 4, 0, 0, 0, 0, 0, 2, 2, 4, 0, 0, 0, 0, 0, 3, 2, 4, 0, 0, 0, 0,
            0, 4, 2, 4, 0, 0, 0, 0
        ]
    );
    t.lu().load_barcode("E00001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    write(&mut t, &noise(7, 3 << 20));
    good(&mut t, &cdb6(0x10, 0, 1), &[], 0);
    let p = log_sense(&mut t, 0x31);
    let cart = t.lu().drive().cartridge().unwrap();
    assert_eq!(param(&p, 1), Some(cart.remaining(0) >> 20));
    assert_eq!(param(&p, 3), Some(cart.capacity(0) >> 20));
    assert_eq!(param(&p, 3), Some(64));
    assert!(param(&p, 1).unwrap() < 61);
    assert_eq!(param(&p, 2), Some(0));
    assert_eq!(param(&p, 4), Some(0));
}

#[test]
fn tape_alert_is_read_once() {
    let (_h, mut t) = lto8(false, 16 << 20);
    t.lu().drive_mut().set_tape_alert(1 << 2);
    let p = log_sense(&mut t, 0x2e);
    assert_eq!(&p[..4], &[0xae, 0, 1, 64]);
    assert_eq!(p.len(), 4 + 64 * 5);
    for n in 1..=64u16 {
        let i = 4 + (usize::from(n) - 1) * 5;
        let flag = u8::from(n == 3);
        assert_eq!(p[i..i + 5], [0, n as u8, 0x03, 1, flag], "flag {n}");
    }
    assert_eq!(t.lu().drive().tape_alert(), 0);
    let p = log_sense(&mut t, 0x2e);
    assert!((1..=64).all(|n| param(&p, n) == Some(0)));
}

/// sg_logs first reads 4 bytes to learn the page length: that read must not clear flags it
/// did not return (found through sg_logs in the VM end-to-end test); a read that stops
/// inside the page clears only the flags it returned whole.
#[test]
fn tape_alert_cleared_only_when_returned() {
    let (_h, mut t) = lto8(false, 16 << 20);
    t.lu().drive_mut().set_tape_alert(1 << 2 | 1 << 4);
    let head = good(&mut t, &[0x4d, 0, 0x6e, 0, 0, 0, 0, 0, 4, 0], &[], 4);
    assert_eq!(head, [0xae, 0, 1, 64]);
    assert_eq!(t.lu().drive().tape_alert(), 1 << 2 | 1 << 4);
    // Header and flags 1..=3 whole, flag 4 cut in the middle.
    let part = good(
        &mut t,
        &[0x4d, 0, 0x6e, 0, 0, 0, 0, 0, 4 + 3 * 5 + 2, 0],
        &[],
        64,
    );
    assert_eq!(part.len(), 4 + 3 * 5 + 2);
    assert_eq!(part[4 + 2 * 5..4 + 3 * 5], [0, 3, 0x03, 1, 1]);
    assert_eq!(t.lu().drive().tape_alert(), 1 << 4);
    // Default values (PC 10b) are zeros and clear nothing.
    let p = good(&mut t, &[0x4d, 0, 0xae, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(param(&p, 5), Some(0));
    assert_eq!(t.lu().drive().tape_alert(), 1 << 4);
    // PC 00b, as mtx's tapeinfo asks: the flags, read and cleared.
    let p = good(&mut t, &[0x4d, 0, 0x2e, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(param(&p, 5), Some(1));
    assert_eq!(t.lu().drive().tape_alert(), 0);
}

#[test]
fn data_compression_ratio() {
    let (_h, mut t) = lto8(true, 16 << 20);
    let data = vec![b'x'; 64 * 1024];
    for _ in 0..4 {
        write(&mut t, &data);
    }
    let p = log_sense(&mut t, 0x32);
    let ratio = param(&p, 0x0001).unwrap();
    assert!(ratio > 100, "{ratio}");
    // 256 KiB from the host: 0 MiB (rounded) + 262144 bytes.
    assert_eq!(param(&p, 0x0006), Some(0));
    assert_eq!(param(&p, 0x0007), Some(256 * 1024));
    let on_tape = param(&p, 0x0009).unwrap();
    assert_eq!(ratio, 256 * 1024 * 100 / on_tape);
    // Nothing read yet: ratio 0.
    assert_eq!(param(&p, 0x0000), Some(0));
    // A new load starts the page over.
    good(&mut t, &[0x1b, 0, 0, 0, 0, 0], &[], 0);
    good(&mut t, &[0x1b, 0, 0, 0, 1, 0], &[], 0);
    let p = log_sense(&mut t, 0x32);
    assert_eq!(param(&p, 0x0001), Some(0));
    assert_eq!(param(&p, 0x0007), Some(0));
}

#[test]
fn device_status_and_usage() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let p = log_sense(&mut t, 0x11);
    assert_eq!(p, [0x91, 0, 0, 8, 0, 0, 0x03, 4, 0x11, 0x20, 0, 0]);
    t.lu().load_barcode("E00001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    let p = log_sense(&mut t, 0x11);
    // MACC, CMPR, DINIT; RAA, MPRSNT, MSTD, MTHRD, MOUNTED.
    assert_eq!(p[8..12], [0x31, 0x37, 0, 0]);
    let p = log_sense(&mut t, 0x30);
    assert_eq!(param(&p, 0x0001), Some(1));
    write(&mut t, &noise(1, 3 << 20));
    let p = log_sense(&mut t, 0x30);
    assert_eq!(param(&p, 0x0002), Some(3));
    // Temperature not measured.
    assert_eq!(
        log_sense(&mut t, 0x0d),
        [
            0x8d, 0, 0, 12, 0, 0, 0x03, 2, 0, 0xff, 0, 1, 0x03, 2, 0, 0xff
        ]
    );
}

#[test]
fn vpd_pages() {
    let (_h, mut t) = lto8(false, 16 << 20);
    assert_eq!(
        good(&mut t, &[0x12, 1, 0x00, 0, 255, 0], &[], 255),
        [
            1, 0, 0, 10, 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2, 0xb5, 0xc0, 0xc1
        ]
    );
    assert_eq!(
        good(&mut t, &[0x12, 1, 0xb0, 0, 255, 0], &[], 255),
        [1, 0xb0, 0, 2, 1, 0]
    );
    assert_eq!(
        good(&mut t, &[0x12, 1, 0xb1, 0, 255, 0], &[], 255),
        [
            1, 0xb1, 0, 12, b' ', b' ', b' ', b' ', b'X', b'Y', b'Z', b'Z', b'Y', b'_', b'A', b'1'
        ]
    );
    assert_eq!(
        good(&mut t, &[0x12, 1, 0xb2, 0, 255, 0], &[], 255),
        [
            1, 0xb2, 0, 12, 0x1c, 0xb0, 0x80, 0, 0, 0, 0x40, 0x10, 0, 0, 0, 0
        ]
    );
    // LTO-2 has no WORM.
    let home = tempfile::tempdir().unwrap();
    let mut t = lu_for(home.path(), "ULT3580-TD2", CompressionConfig::default());
    assert_eq!(
        good(&mut t, &[0x12, 1, 0xb0, 0, 255, 0], &[], 255),
        [1, 0xb0, 0, 2, 0, 0]
    );
    // DLT has no vendor pages.
    let home = tempfile::tempdir().unwrap();
    let mut t = lu_for(home.path(), "DLT7000", CompressionConfig::default());
    let c = t.command(1, &[0x12, 1, 0xc0, 0, 255, 0], &[], 255);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(c.sense[15..18], [0xc0, 0, 2]);
}

#[test]
fn report_density_support() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let pers = Personality::for_product("ULT3580-TD8");
    // MEDIA=1 without a medium.
    let c = t.command(1, &[0x44, 1, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(c.key_asc(), Some((2, 0x3a, 0)));
    // All densities: LTO7 and LTO8 (52 bytes each), LTO8 the default.
    let d = good(&mut t, &[0x44, 0, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(d, pers.report_density_support(false, false, None));
    assert_eq!(d.len(), 4 + 2 * 52);
    assert_eq!(&d[..4], &[0, 106, 0, 0]);
    assert_eq!(&d[4..7], &[0x5c, 0x5c, 0x81]);
    assert_eq!(&d[56..59], &[0x5e, 0x5e, 0xa1]);
    // Allocation length truncation.
    let d = good(&mut t, &[0x44, 0, 0, 0, 0, 0, 0, 0, 6, 0], &[], 6);
    assert_eq!(d, [0, 106, 0, 0, 0x5c, 0x5c]);
    // Medium types.
    let d = good(&mut t, &[0x44, 2, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(d, pers.report_density_support(true, false, None));
    // Reserved bit in byte 1.
    let c = t.command(1, &[0x44, 4, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(c.sense[15..18], [0xc8 | 2, 0, 1]);
    // With the medium: only LTO8, DEFLT and WRTOK, capacity from the cartridge.
    t.lu().load_barcode("E00001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    let d = good(&mut t, &[0x44, 1, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(d.len(), 4 + 52);
    assert_eq!(&d[..7], &[0, 54, 0, 0, 0x5e, 0x5e, 0xa1]);
    assert_eq!(&d[16..20], &16u32.to_be_bytes());
    // REPORT SUPPORTED OPERATION CODES knows it.
    let c = good(
        &mut t,
        &[0xa3, 0x0c, 0x01, 0x44, 0, 0, 0, 0, 0, 32, 0, 0],
        &[],
        32,
    );
    assert_eq!(c[1] & 7, 3);
    assert_eq!(&c[2..4], &[0, 10]);
    assert_eq!(&c[4..6], &[0x44, 0x03]);
}

#[test]
fn timestamps() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let c = good(
        &mut t,
        &[0xa3, 0x0f, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0],
        &[],
        12,
    );
    assert_eq!(&c[..4], &[0, 10, 3, 0]);
    let set: u64 = 0x0123_4567_89ab;
    let mut list = vec![0u8; 12];
    list[4..10].copy_from_slice(&set.to_be_bytes()[2..]);
    good(
        &mut t,
        &[0xa4, 0x0f, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0],
        &list,
        0,
    );
    let c = good(
        &mut t,
        &[0xa3, 0x0f, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0],
        &[],
        12,
    );
    assert_eq!(&c[..4], &[0, 10, 2, 0]);
    let mut b = [0u8; 8];
    b[2..].copy_from_slice(&c[4..10]);
    assert!(u64::from_be_bytes(b) >= set);
    // Wrong parameter list length; reserved byte set; an unknown service action.
    let c = t.command(1, &[0xa4, 0x0f, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0], &list, 0);
    assert_eq!(c.key_asc(), Some((5, 0x1a, 0)));
    list[0] = 1;
    let c = t.command(1, &[0xa4, 0x0f, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0], &list, 0);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    let c = t.command(1, &[0xa3, 0x05, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0], &[], 12);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
}

#[test]
fn reset_restores_the_saved_compression_setting() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let mut sel = mode_sense6(&mut t, 0x0f, 0, true);
    sel[0] = 0;
    sel[4] &= 0x3f;
    sel[6] &= !0x80;
    // SP=0: the current value only.
    assert!(mode_select6(&mut t, &sel).is_good());
    assert!(!t.lu().drive().compression_enabled());
    t.reset(vtl_scsi::ResetEvent::LogicalUnitReset);
    assert!(t.lu().drive().compression_enabled());
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    assert_eq!(mode_sense6(&mut t, 0x10, 0, true)[4 + 14], 1);
    // SP=1: saved too, so a reset keeps it off.
    let c = t.command(1, &[0x15, 0x11, 0, 0, sel.len() as u8, 0], &sel, 0);
    assert!(c.is_good());
    t.reset(vtl_scsi::ResetEvent::LogicalUnitReset);
    assert!(!t.lu().drive().compression_enabled());
    t.command(1, &TUR, &[], 0);
    assert_eq!(mode_sense6(&mut t, 0x0f, 0, true)[6], 0x40);
    assert_eq!(mode_sense6(&mut t, 0x10, 0, true)[4 + 14], 0);
}

/// MODE SENSE(10) with block descriptors, as LTFS's IBM back ends send it (48 bytes for
/// page 0x25, 40 for page 0x24: 8-byte header, 8-byte block descriptor, the page).
fn mode_sense10(t: &mut InProcess<TapeDrive>, page: u8, alloc: u16) -> Vec<u8> {
    let a = alloc.to_be_bytes();
    good(
        t,
        &[0x5a, 0, page, 0, 0, 0, 0, a[0], a[1], 0],
        &[],
        usize::from(alloc),
    )
}

#[test]
fn ibm_vendor_mode_pages() {
    let (_h, mut t) = lto8(true, 16 << 20);
    // 0x24: LTO-8 accepts RS-CRC and CRC32C; LTFS tests byte 0x12 of its buffer for 0x20.
    let p24 = mode_sense10(&mut t, 0x24, 40);
    assert_eq!(p24.len(), 40);
    assert_eq!(p24[16..18], [0x80 | 0x24, 0x16]);
    assert_eq!(p24[0x12], 0x60);
    assert!(p24[19..].iter().all(|&b| b == 0));
    // Nothing in it is changeable.
    let ch = good(
        &mut t,
        &[0x5a, 0, 0x40 | 0x24, 0, 0, 0, 0, 0, 40, 0],
        &[],
        40,
    );
    assert!(ch[18..].iter().all(|&b| b == 0), "{ch:02x?}");
    // LTO-5: RS-CRC only; LTO-4: no protection.
    for (product, bits) in [("ULT3580-TD5", 0x40), ("ULT3580-TD4", 0)] {
        let home = tempfile::tempdir().unwrap();
        let mut d = lu_for(home.path(), product, CompressionConfig::default());
        assert_eq!(mode_sense10(&mut d, 0x24, 40)[0x12], bits, "{product}");
    }

    // 0x25: LTFS's tape_update_density: read the page, clear MODE DATA LENGTH, set byte 26
    // (page byte 10) to a density, select it back.
    let mut p25 = mode_sense10(&mut t, 0x25, 48);
    assert_eq!(p25.len(), 48);
    assert_eq!(p25[16..18], [0x80 | 0x25, 0x1e]);
    assert!(p25[18..].iter().all(|&b| b == 0));
    let density = p25[8];
    assert_eq!(density, 0x5e, "LTO-8 density in the block descriptor");
    let select10 = |t: &mut InProcess<TapeDrive>, list: &[u8]| {
        let n = (list.len() as u16).to_be_bytes();
        t.command(1, &[0x55, 0x10, 0, 0, 0, 0, 0, n[0], n[1], 0], list, 0)
    };
    p25[0] = 0;
    p25[1] = 0;
    p25[26] = 0x5c; // LTO-7's density: this cartridge is not written in it
    let c = select10(&mut t, &p25);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    assert_eq!(c.sense[15..18], [0x80, 0, 26]);
    assert_eq!(mode_sense10(&mut t, 0x25, 48)[26], 0);
    p25[26] = density;
    assert!(select10(&mut t, &p25).is_good());
    assert_eq!(mode_sense10(&mut t, 0x25, 48)[26], density);
    // Another byte of the page is not changeable.
    p25[24] = 0x0c;
    let c = select10(&mut t, &p25);
    assert_param_error(&c, 24, 3);
    // Gone with the cartridge.
    good(&mut t, &[0x1b, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(mode_sense10(&mut t, 0x25, 48)[26], 0);
}

#[test]
fn performance_log_page() {
    let (_h, mut t) = lto8(true, 16 << 20);
    let p = log_sense(&mut t, 0x37);
    assert_eq!(p, [0xb7, 0, 0, 5, 0, 1, 0x03, 1, 100]);
    // Subpage 0x64 (SPF set in the response).
    let p = good(
        &mut t,
        &[0x4d, 0, 0x40 | 0x37, 0x64, 0, 0, 0, 0x10, 0, 0],
        &[],
        4096,
    );
    assert_eq!(p, [0xf7, 0x64, 0, 8, 0x71, 0x13, 0x03, 4, 0, 0, 0, 0]);
    // The supported pages and subpages list names both.
    let all = good(
        &mut t,
        &[0x4d, 0, 0x40, 0xff, 0, 0, 0, 0x10, 0, 0],
        &[],
        4096,
    );
    let pairs: Vec<(u8, u8)> = all[4..].chunks(2).map(|c| (c[0], c[1])).collect();
    assert!(
        pairs.contains(&(0x37, 0)) && pairs.contains(&(0x37, 0x64)),
        "{pairs:02x?}"
    );
    // A subpage it does not have.
    let c = t.command(1, &[0x4d, 0, 0x77, 0x65, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    // HP LTO drives do not list it.
    let home = tempfile::tempdir().unwrap();
    let mut d = lu_for(home.path(), "Ultrium 6-SCSI", CompressionConfig::default());
    let c = d.command(1, &[0x4d, 0, 0x77, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
}

#[test]
fn logical_block_protection_vpd_page() {
    let (_h, mut t) = lto8(false, 16 << 20);
    assert_eq!(
        good(&mut t, &[0x12, 1, 0xb5, 0, 255, 0], &[], 255),
        [
            1, 0xb5, 0, 20, 0, 0, 0, 0, // header, reserved
            7, 1, 4, 0xe0, 0, 0, 0, 0, // RS-CRC
            7, 2, 4, 0xe0, 0, 0, 0, 0, // CRC32C
        ]
    );
    let home = tempfile::tempdir().unwrap();
    let mut d = lu_for(home.path(), "ULT3580-TD5", CompressionConfig::default());
    assert_eq!(
        good(&mut d, &[0x12, 1, 0xb5, 0, 255, 0], &[], 255),
        [1, 0xb5, 0, 12, 0, 0, 0, 0, 7, 1, 4, 0xe0, 0, 0, 0, 0]
    );
    // LTO-4 has no logical block protection and does not offer the page.
    let home = tempfile::tempdir().unwrap();
    let mut d = lu_for(home.path(), "ULT3580-TD4", CompressionConfig::default());
    let c = d.command(1, &[0x12, 1, 0xb5, 0, 255, 0], &[], 255);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
}

/// A page read back with MODE SENSE(6), made ready to send with MODE SELECT: MODE DATA
/// LENGTH and PS cleared (no block descriptors).
fn selectable(t: &mut InProcess<TapeDrive>, page: u8) -> Vec<u8> {
    let mut p = mode_sense6(t, page, 0, true);
    p[0] = 0;
    p[4] &= 0x3f;
    p
}

#[test]
fn error_recovery_and_disconnect_pages_exact_bytes() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let mut p01 = vec![0x81, 0x0a];
    p01.extend_from_slice(&[0; 10]);
    let mut p02 = vec![0x82, 0x0e];
    p02.extend_from_slice(&[0; 14]);
    for pc in [0x00, 0x80, 0xc0] {
        assert_eq!(mode_sense6(&mut t, pc | 0x01, 0, true)[4..], p01[..]);
        assert_eq!(mode_sense6(&mut t, pc | 0x02, 0, true)[4..], p02[..]);
    }
    // Nothing is changeable.
    let mut m = vec![0x81, 0x0a];
    m.extend_from_slice(&[0; 10]);
    assert_eq!(mode_sense6(&mut t, 0x41, 0, true)[4..], m[..]);
    let mut m = vec![0x82, 0x0e];
    m.extend_from_slice(&[0; 14]);
    assert_eq!(mode_sense6(&mut t, 0x42, 0, true)[4..], m[..]);
    // READ RETRY COUNT (byte 3 of page 0x01) cannot be set.
    let mut l = selectable(&mut t, 0x01);
    l[4 + 3] = 1;
    assert_param_error(&mode_select6(&mut t, &l), 7, 0);
}

#[test]
fn compression_page_default_and_saved_values() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let page = |dce: u8| {
        [
            0x8f,
            0x0e,
            dce | 0x40,
            0x80,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            1,
            0,
            0,
            0,
            0,
        ]
    };
    // Before any MODE SELECT: default (PC 10b) and saved (PC 11b) values are the
    // configuration's, DCE set.
    assert_eq!(mode_sense6(&mut t, 0x8f, 0, true)[4..], page(0x80));
    assert_eq!(mode_sense6(&mut t, 0xcf, 0, true)[4..], page(0x80));
    // SP=0 changes the current values only.
    let mut sel = selectable(&mut t, 0x0f);
    sel[6] &= !0x80;
    assert!(mode_select6(&mut t, &sel).is_good());
    assert_eq!(mode_sense6(&mut t, 0x0f, 0, true)[4..], page(0));
    assert_eq!(mode_sense6(&mut t, 0xcf, 0, true)[4..], page(0x80));
    // SP=1 saves them: saved follows, default does not.
    let c = t.command(1, &[0x15, 0x11, 0, 0, sel.len() as u8, 0], &sel, 0);
    assert!(c.is_good(), "{:?}", c.key_asc());
    assert_eq!(mode_sense6(&mut t, 0xcf, 0, true)[4..], page(0));
    assert_eq!(mode_sense6(&mut t, 0x8f, 0, true)[4..], page(0x80));
    assert_eq!(mode_sense6(&mut t, 0x0f, 0, true)[4..], page(0));
}

#[test]
fn power_condition_page() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let mut page = vec![0x9a, 0x26];
    page.extend_from_slice(&[0; 37]);
    page.push(0x54);
    assert_eq!(mode_sense6(&mut t, 0x1a, 0, true)[4..], page[..]);
    assert_eq!(mode_sense6(&mut t, 0x9a, 0, true)[4..], page[..]);
    // Changeable: IDLE_A, STANDBY_Z and their timers.
    let mut mask = vec![0x9a, 0x26, 0, 0x03];
    mask.extend_from_slice(&[0xff; 8]);
    mask.extend_from_slice(&[0; 28]);
    assert_eq!(mode_sense6(&mut t, 0x5a, 0, true)[4..], mask[..]);
    // IDLE_A on after 30 s (300 × 100 ms), saved.
    let mut sel = selectable(&mut t, 0x1a);
    sel[4 + 3] = 0x02;
    sel[4 + 4..4 + 8].copy_from_slice(&300u32.to_be_bytes());
    let c = t.command(1, &[0x15, 0x11, 0, 0, sel.len() as u8, 0], &sel, 0);
    assert!(c.is_good(), "{:?}", c.key_asc());
    let mut set = page.clone();
    set[3] = 0x02;
    set[4..8].copy_from_slice(&[0, 0, 1, 0x2c]);
    assert_eq!(mode_sense6(&mut t, 0x1a, 0, true)[4..], set[..]);
    assert_eq!(mode_sense6(&mut t, 0xda, 0, true)[4..], set[..]);
    assert_eq!(mode_sense6(&mut t, 0x9a, 0, true)[4..], page[..]);
    // A reset restores the saved values (here the same).
    t.reset(vtl_scsi::ResetEvent::LogicalUnitReset);
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    assert_eq!(mode_sense6(&mut t, 0x1a, 0, true)[4..], set[..]);
    // IDLE_B (byte 3 bit 2) is not implemented; nor the IDLE_B timer (bytes 12..15).
    let mut l = selectable(&mut t, 0x1a);
    l[4 + 3] |= 0x04;
    assert_param_error(&mode_select6(&mut t, &l), 7, 2);
    let mut l = selectable(&mut t, 0x1a);
    l[4 + 15] = 1;
    assert_param_error(&mode_select6(&mut t, &l), 19, 0);
    // HP LTO lists it; DLT does not.
    let home = tempfile::tempdir().unwrap();
    let mut d = lu_for(home.path(), "Ultrium 6-SCSI", CompressionConfig::default());
    assert_eq!(mode_sense6(&mut d, 0x1a, 0, true)[4..], page[..]);
    let mut d = lu_for(home.path(), "DLT7000", CompressionConfig::default());
    let c = d.command(1, &[0x1a, 8, 0x1a, 0, 255, 0], &[], 255);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(c.sense[15..18], [0xc8 | 5, 0, 2]);
}

/// The 20 parameters of an empty self-test results page.
fn empty_self_test_page() -> Vec<u8> {
    let mut p = vec![0x90, 0, 0x01, 0x90];
    for n in 1..=20u8 {
        p.extend_from_slice(&[0, n, 0x03, 0x10]);
        p.extend_from_slice(&[0; 16]);
    }
    p
}

#[test]
fn self_test_results_page() {
    let (_h, mut t) = lto8(false, 16 << 20);
    assert_eq!(log_sense(&mut t, 0x10), empty_self_test_page());
    // SELFTEST=1: the default self-test, code 000b, passed.
    good(&mut t, &[0x1d, 0x04, 0, 0, 0, 0], &[], 0);
    let mut want = empty_self_test_page();
    want[8..24].copy_from_slice(&[
        0x00, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
    ]);
    assert_eq!(log_sense(&mut t, 0x10), want);
    // A background short self-test (001b) goes first, the earlier one second.
    good(&mut t, &[0x1d, 0x20, 0, 0, 0, 0], &[], 0);
    let p = log_sense(&mut t, 0x10);
    assert_eq!(
        p[4..24],
        [
            0, 1, 0x03, 0x10, 0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
            0, 0
        ]
    );
    assert_eq!(
        p[24..44],
        [
            0, 2, 0x03, 0x10, 0x00, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
            0, 0
        ]
    );
    assert_eq!(p[44..], empty_self_test_page()[44..]);
    // Neither SEND DIAGNOSTIC without a test nor LOG SELECT PCR=1 touches the results.
    good(&mut t, &[0x1d, 0x00, 0, 0, 0, 0], &[], 0);
    good(&mut t, &[0x4c, 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(log_sense(&mut t, 0x10), p);
    // Only the 20 most recent are kept: after 20 foreground extended tests (110b) all
    // parameters show one.
    for _ in 0..20 {
        good(&mut t, &[0x1d, 0xc0, 0, 0, 0, 0], &[], 0);
    }
    let p = log_sense(&mut t, 0x10);
    for n in 0..20 {
        assert_eq!(p[4 + 20 * n + 4], 0xc0, "parameter {}", n + 1);
    }
}

#[test]
fn ibm_vendor_vpd_pages() {
    let (_h, mut t) = lto8(false, 16 << 20);
    let mut c0 = vec![1, 0xc0, 0, 0x27];
    c0.extend_from_slice(b"2160        ");
    c0.extend_from_slice(&[b' '; 15]);
    c0.extend_from_slice(b"vtl         ");
    assert_eq!(good(&mut t, &[0x12, 1, 0xc0, 0, 255, 0], &[], 255), c0);
    let mut c1 = vec![1, 0xc1, 0, 0x18];
    c1.extend_from_slice(b"XYZZY_A1    XYZZY_A1    ");
    assert_eq!(good(&mut t, &[0x12, 1, 0xc1, 0, 255, 0], &[], 255), c1);
    // IBM lists only 0xC0 and 0xC1.
    let c = t.command(1, &[0x12, 1, 0xc2, 0, 255, 0], &[], 255);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    // 3592: the same layout; no revision configured gives the personality's default.
    let home = tempfile::tempdir().unwrap();
    let mut d = InProcess::new(TapeDrive::new(DriveConfig {
        product: "03592E07".into(),
        serial: "SERIAL_NUMBER_LONG".into(),
        media_home: Some(home.path().to_path_buf()),
        ..Default::default()
    }));
    let mut c0 = vec![1, 0xc0, 0, 0x27];
    c0.extend_from_slice(b"0100        ");
    c0.extend_from_slice(&[b' '; 15]);
    c0.extend_from_slice(b"vtl         ");
    assert_eq!(good(&mut d, &[0x12, 1, 0xc0, 0, 255, 0], &[], 255), c0);
    let mut c1 = vec![1, 0xc1, 0, 0x18];
    c1.extend_from_slice(b"SERIAL_NUMBESERIAL_NUMBE");
    assert_eq!(good(&mut d, &[0x12, 1, 0xc1, 0, 255, 0], &[], 255), c1);
}

#[test]
fn hp_vendor_vpd_pages() {
    let home = tempfile::tempdir().unwrap();
    let mut t = InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "HP".into(),
        product: "Ultrium 6-SCSI".into(),
        revision: "35GD".into(),
        serial: "HU1234".into(),
        media_home: Some(home.path().to_path_buf()),
        ..Default::default()
    }));
    assert_eq!(
        good(&mut t, &[0x12, 1, 0x00, 0, 255, 0], &[], 255),
        [
            1, 0, 0, 13, 0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4,
            0xc5
        ]
    );
    let names: [&[u8]; 6] = [
        b"Firmware",
        b"Hardware",
        b"PCA",
        b"Mechanism",
        b"Head Assy",
        b"ACI",
    ];
    for (i, name) in names.iter().enumerate() {
        let page = 0xc0 + i as u8;
        let mut want = vec![1, page, 0, 0x5c];
        let mut field = |s: &[u8], width: usize| {
            want.extend_from_slice(s);
            want.extend(std::iter::repeat_n(0, width - s.len()));
        };
        field(name, 26);
        field(if page == 0xc0 { b"35GD" } else { b"" }, 19);
        field(b"", 24);
        field(b"Ultrium 6-SCSI", 23);
        let got = good(&mut t, &[0x12, 1, page, 0, 255, 0], &[], 255);
        assert_eq!(got.len(), 96);
        assert_eq!(got, want, "page {page:#x}");
    }
    // Allocation length cuts the page.
    assert_eq!(
        good(&mut t, &[0x12, 1, 0xc0, 0, 8, 0], &[], 8),
        [1, 0xc0, 0, 0x5c, b'F', b'i', b'r', b'm']
    );
}
