//! Disk full: the media home fills up (ENOSPC) while a cartridge is being written.
//!
//! Each case mounts a small tmpfs (`testing::SmallFs`, needs root; skipped otherwise, a
//! failure with `CI=true`), makes a cartridge on it whose nominal capacity is far larger than
//! the space left, and writes blocks and filemarks until a call fails. Then it checks:
//!
//! * the failure is an I/O error carrying ENOSPC, and its sense hint is MEDIUM ERROR /
//!   WRITE ERROR (03/0C/00), not success and not a panic;
//! * the handle stays usable: its position is within the tape, every object acknowledged by
//!   the last successful `write_filemarks` reads back intact through the same handle;
//! * `unload` on the full disk fails or succeeds, but never destroys the MAM;
//! * a fresh strict open succeeds (no torn tail is left) and holds every acknowledged object
//!   with its payload; objects after the last durability point are either absent or intact;
//! * once space is freed the cartridge accepts writes again and they survive a reload.

use libvtlcart::testing::{SmallFs, make_cartridge};
use libvtlcart::{CartError, Cartridge, Compression, Format, MediumType, Object, OpenOptionsCart};

/// A tape object as the test wrote it.
#[derive(Debug, Clone, PartialEq)]
enum Obj {
    Data(Vec<u8>),
    Filemark,
}

/// Incompressible-ish payload of `len` bytes from `seed` (xorshift).
fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn read_all(tape: &mut Cartridge) -> Vec<Obj> {
    tape.rewind();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match tape.read(&mut buf).expect("read back") {
            Object::Data(_) => out.push(Obj::Data(buf.clone())),
            Object::Filemark => out.push(Obj::Filemark),
            Object::EndOfData => return out,
        }
    }
}

fn is_enospc(e: &CartError) -> bool {
    match e {
        CartError::Io { source, .. } => source.raw_os_error() == Some(28),
        _ => false,
    }
}

/// Write until the disk is full; return (objects acknowledged durable, objects written).
fn fill(tape: &mut Cartridge, comp: Compression, block: usize) -> (Vec<Obj>, Vec<Obj>, CartError) {
    let mut durable = Vec::new();
    let mut written = Vec::new();
    for i in 0u64.. {
        let res = if i % 5 == 4 {
            tape.write_filemarks(1).map(|_| {
                written.push(Obj::Filemark);
                durable = written.clone();
            })
        } else {
            let data = payload(i, block + (i as usize * 977) % block);
            tape.write_block(&data, comp, None)
                .map(|_| written.push(Obj::Data(data)))
        };
        if let Err(e) = res {
            return (durable, written, e);
        }
        assert!(i < 100_000, "the disk never filled up");
    }
    unreachable!()
}

fn check_case(format: Format, comp: Compression, block: usize) {
    let Some(fs) = SmallFs::mount(24 << 20) else {
        return;
    };
    let home = fs.path().join("home");
    let dir = make_cartridge(
        &home,
        "E01001L8",
        format,
        MediumType::Data,
        "LTO8",
        10 << 30,
    );
    let filler = fs.fill_leaving(5 << 20);
    let opts = OpenOptionsCart {
        write: true,
        count_load: true,
        ..Default::default()
    };
    let mut tape = Cartridge::open(&dir, &opts).unwrap();
    let (durable, written, err) = fill(&mut tape, comp, block);
    let id = format!("{format:?}/{comp:?}/{block}");
    assert!(is_enospc(&err), "{id}: expected ENOSPC, got {err}");
    let hint = err.sense_hint();
    assert_eq!(
        (hint.key, hint.asc, hint.ascq),
        (0x03, 0x0c, 0x00),
        "{id}: sense of {err}"
    );
    assert!(
        !durable.is_empty(),
        "{id}: nothing became durable before the disk filled"
    );

    // The same handle still reads what it has: the durable prefix at least, all intact.
    let pos = tape.position();
    let seen = read_all(&mut tape);
    assert!(pos.block as usize <= seen.len(), "{id}: position past EOD");
    assert!(
        seen.len() >= durable.len(),
        "{id}: durable objects lost in memory"
    );
    assert_eq!(
        &seen[..durable.len()],
        &durable[..],
        "{id}: durable objects differ"
    );
    assert_eq!(
        &seen[..],
        &written[..seen.len()],
        "{id}: objects after the last sync differ"
    );

    // Unload on a full disk: may fail (MAM rewrite needs space), must not harm the tape.
    let _ = tape.unload();
    let mut again = Cartridge::open(&dir, &OpenOptionsCart::default())
        .unwrap_or_else(|e| panic!("{id}: strict open after ENOSPC failed: {e}"));
    assert_eq!(again.mam().barcode(), "E01001L8", "{id}: MAM intact");
    let seen = read_all(&mut again);
    assert!(
        seen.len() >= durable.len(),
        "{id}: durable objects lost on disk"
    );
    assert_eq!(
        &seen[..durable.len()],
        &durable[..],
        "{id}: durable objects differ on disk"
    );
    assert_eq!(
        &seen[..],
        &written[..seen.len()],
        "{id}: later objects differ on disk"
    );
    drop(again);

    // Free the space: the tape is writable again at EOD and the writes survive a reload.
    std::fs::remove_file(filler).unwrap();
    let mut tape = Cartridge::open(&dir, &opts).unwrap();
    tape.seek_eod();
    let tail = payload(99, 4096);
    tape.write_block(&tail, comp, None).unwrap();
    tape.write_filemarks(1).unwrap();
    tape.unload().unwrap();
    let mut tape = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    let all = read_all(&mut tape);
    assert_eq!(
        &all[all.len() - 2..],
        &[Obj::Data(tail), Obj::Filemark],
        "{id}: appended after freeing space"
    );
}

#[test]
fn legacy_uncompressed_large_blocks() {
    check_case(Format::Legacy, Compression::None, 256 * 1024);
}

#[test]
fn v6_uncompressed_small_blocks() {
    // Small blocks stay in the write buffers: the failure shows up at a flush point.
    check_case(Format::V6, Compression::None, 8 * 1024);
}

#[test]
fn legacy_lzo_medium_blocks() {
    check_case(Format::Legacy, Compression::Lzo, 64 * 1024);
}

#[test]
fn v6_zlib_direct_writes() {
    // Blocks of 1 MiB and more bypass the data buffer.
    check_case(Format::V6, Compression::Zlib(1), 1024 * 1024);
}
