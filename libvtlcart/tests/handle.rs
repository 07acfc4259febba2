//! Scenario tests of the tape handle: locking, media rules (write protect, cleaning, WORM,
//! NULL), MAM statistics at load/unload, and writing onto mhvtl's own tapes.

mod common;

use std::path::{Path, PathBuf};

use libvtlcart::{
    CartError, Cartridge, Compression, Format, MbyteCounters, MediumType, Object, OpenOptionsCart,
};

fn new_tape(home: &Path, pcl: &str, format: Format, mt: MediumType) -> PathBuf {
    libvtlcart::testing::make_cartridge(home, pcl, format, mt, "LTO8", 64 << 20)
}

fn rw() -> OpenOptionsCart {
    OpenOptionsCart {
        write: true,
        ..Default::default()
    }
}

/// Copy a fixture tape into `dst` with writable files.
fn copy_fixture(src: &Path, dst: &Path) {
    libvtlcart::testing::copy_tape(src, dst.parent().unwrap());
}

#[test]
fn a_writer_locks_the_cartridge() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "E01001L8", Format::Legacy, MediumType::Data);
    let a = Cartridge::open(&dir, &rw()).unwrap();
    match Cartridge::open(&dir, &rw()) {
        Err(CartError::Locked { dir: d, .. }) => assert_eq!(d, dir),
        other => panic!("second writer: {other:?}"),
    }
    // Readers (dump_tape) are not blocked.
    Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    drop(a);
    Cartridge::open(&dir, &rw()).unwrap();
}

#[test]
fn read_only_handles_refuse_writes() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "E01001L8", Format::V6, MediumType::Data);
    let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    assert!(matches!(
        c.write_block(b"x", Compression::None, None),
        Err(CartError::WriteProtected { .. })
    ));
    assert!(matches!(
        c.write_filemarks(1),
        Err(CartError::WriteProtected { .. })
    ));
}

#[test]
fn cleaning_cartridges_are_never_written() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(
        home.path(),
        "CLN001L8",
        Format::Legacy,
        MediumType::Cleaning,
    );
    let mut c = Cartridge::open(&dir, &rw()).unwrap();
    assert!(c.is_write_protected());
    let e = c.write_block(b"x", Compression::None, None).unwrap_err();
    assert!(e.to_string().contains("cleaning"), "{e}");
}

#[test]
fn write_protected_fixture_refuses_writes() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for fmt in ["legacy", "v6"] {
        let dst = tmp.path().join(fmt).join("FXWPR1L5");
        copy_fixture(&root.join(fmt).join("FXWPR1L5"), &dst);
        let mut c = Cartridge::open(&dst, &rw()).unwrap();
        assert!(c.mam().write_protected());
        let e = c.write_block(b"x", Compression::None, None).unwrap_err();
        assert!(e.to_string().contains("write protected"), "{fmt}: {e}");
        assert_eq!(
            std::fs::metadata(c.partition(0).unwrap().paths()[1].clone())
                .unwrap()
                .len(),
            0
        );
    }
}

#[test]
fn worm_writes_only_at_eod() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "W01001L8", Format::Legacy, MediumType::Worm);
    let mut c = Cartridge::open(&dir, &rw()).unwrap();
    // The label case: one filemark alone may be overwritten from BOP.
    c.write_filemarks(1).unwrap();
    c.rewind();
    c.write_block(b"label", Compression::None, None).unwrap();
    c.write_filemarks(1).unwrap();
    c.write_block(b"data", Compression::None, None).unwrap();
    c.rewind();
    let e = c.write_block(b"over", Compression::None, None).unwrap_err();
    assert!(e.to_string().contains("WORM"), "{e}");
    assert!(matches!(
        c.write_filemarks(1),
        Err(CartError::WriteProtected { .. })
    ));
    c.seek_eod();
    c.write_block(b"append", Compression::None, None).unwrap();
    assert_eq!(c.partition(0).unwrap().eod(), 4);
}

#[test]
fn null_media_grow_the_index_only() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "N01001L8", Format::Legacy, MediumType::Null);
    let mut c = Cartridge::open(&dir, &rw()).unwrap();
    c.write_block(&[7u8; 5000], Compression::Lzo, None).unwrap();
    c.write_block(&[8u8; 3000], Compression::Zlib(1), None)
        .unwrap();
    c.write_filemarks(1).unwrap();
    let p = c.partition(0).unwrap();
    assert_eq!(std::fs::metadata(&p.paths()[0]).unwrap().len(), 0);
    assert_eq!(p.eod_data_offset(), 8000);
    let r = c.record(0, 1).unwrap();
    assert_eq!(r.blk_flags.get(), 0x08, "NULL media never compress");
    assert_eq!(r.offset(), 5000);
    drop(c);
    let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    let mut buf = vec![1];
    match c.read(&mut buf).unwrap() {
        Object::Data(i) => {
            assert!(!i.payload_present);
            assert_eq!(i.size, 5000);
            assert!(buf.is_empty());
        }
        o => panic!("{o:?}"),
    }
}

#[test]
fn load_and_unload_keep_mam_statistics() {
    let home = tempfile::tempdir().unwrap();
    for (i, format) in [Format::Legacy, Format::V6].into_iter().enumerate() {
        let dir = new_tape(
            home.path(),
            &format!("E0100{i}L8"),
            format,
            MediumType::Data,
        );
        let opts = OpenOptionsCart {
            write: true,
            count_load: true,
            recover: false,
        };
        let mut c = Cartridge::open(&dir, &opts).unwrap();
        assert!(!c.was_dirty_at_load());
        // The load is on disk at once: count + dirty flag.
        {
            let seen = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
            assert_eq!(seen.mam().base.load_count.get(), 1);
            assert_eq!(seen.mam().base.record_dirty, 1);
        }
        c.write_block(&vec![0x5a; 3 << 20], Compression::None, None)
            .unwrap();
        c.write_filemarks(1).unwrap();
        c.unload().unwrap();
        let c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        let b = &c.mam().base;
        assert_eq!(b.record_dirty, 0);
        assert_eq!(b.load_count.get(), 1);
        assert_eq!(b.written_in_medium_life.get(), 3);
        assert_eq!(b.written_in_last_load.get(), 3);
        assert_eq!(b.remaining_capacity.get(), (64 << 20) - (3 << 20));
        assert_eq!(b.max_capacity.get(), 64 << 20);
        assert!(b.date_time_last_written.iter().all(u8::is_ascii_digit));
        assert_eq!(c.format(), format, "the layout is never changed");

        // A load that never unloads leaves the cartridge dirty: the next load sees it.
        let c = Cartridge::open(&dir, &opts).unwrap();
        drop(c);
        let c = Cartridge::open(&dir, &opts).unwrap();
        assert!(c.was_dirty_at_load());
        assert_eq!(c.mam().base.load_count.get(), 3);
    }
}

/// `mbyte_counters` reports the current load's MiB written and read, and the life totals
/// including them, while the cartridge is loaded (what unload then stores); a read-only
/// handle reports the stored values.
#[test]
fn mbyte_counters_are_live_during_a_load() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "E01010L8", Format::V6, MediumType::Data);
    let opts = OpenOptionsCart {
        write: true,
        count_load: true,
        recover: false,
    };
    let counters = |w, r, wl, rl| MbyteCounters {
        written_in_medium_life: w,
        read_in_medium_life: r,
        written_in_load: wl,
        read_in_load: rl,
    };
    let mut c = Cartridge::open(&dir, &opts).unwrap();
    assert_eq!(c.mbyte_counters(), counters(0, 0, 0, 0));
    c.write_block(&vec![0x5a; 3 << 20], Compression::None, None)
        .unwrap();
    c.write_block(&[1; 10], Compression::None, None).unwrap();
    assert_eq!(c.mbyte_counters(), counters(4, 0, 4, 0));
    c.rewind();
    let mut buf = Vec::new();
    c.read(&mut buf).unwrap();
    assert_eq!(c.mbyte_counters(), counters(4, 3, 4, 3));
    c.unload().unwrap();
    // The next load: life totals kept, this load starts at 0.
    let mut c = Cartridge::open(&dir, &opts).unwrap();
    assert_eq!(c.mbyte_counters(), counters(4, 3, 0, 0));
    c.read(&mut buf).unwrap();
    assert_eq!(c.mbyte_counters(), counters(4, 6, 0, 3));
    c.unload().unwrap();
    // Read only: what is stored, whatever it reads.
    let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    c.read(&mut buf).unwrap();
    assert_eq!(c.mbyte_counters(), counters(4, 6, 0, 3));
    c.unload().unwrap();
    let c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    assert_eq!(c.mbyte_counters(), counters(4, 6, 0, 3));
    let b = &c.mam().base;
    assert_eq!(
        [
            b.written_in_medium_life.get(),
            b.read_in_medium_life.get(),
            b.written_in_last_load.get(),
            b.read_in_last_load.get()
        ],
        [4, 6, 0, 3]
    );
}

#[test]
fn appending_to_mhvtl_tapes_keeps_them_mhvtl_tapes() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for fixture in ["legacy/FXTXT1L8", "v6/FXTXT1L8", "v6/FXMIG1L8"] {
        let dst = tmp.path().join(fixture);
        copy_fixture(&root.join(fixture), &dst);
        let before: Vec<String> = {
            let mut v: Vec<_> = std::fs::read_dir(&dst)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        let mut c = Cartridge::open(&dst, &rw()).unwrap();
        let fmv = c.mam().base.tape_fmt_version.get();
        c.seek_eod();
        let eod = c.position().block;
        c.write_block(b"appended by vtl", Compression::Lzo, None)
            .unwrap();
        c.write_filemarks(1).unwrap();
        c.unload().unwrap();
        let mut after: Vec<_> = std::fs::read_dir(&dst)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        after.sort();
        assert_eq!(before, after, "{fixture}: same files");
        let c = Cartridge::open(&dst, &OpenOptionsCart::default()).unwrap();
        assert_eq!(c.mam().base.tape_fmt_version.get(), fmv, "{fixture}");
        let mut buf = Vec::new();
        assert!(matches!(
            c.read_at(0, eod, &mut buf).unwrap(),
            Object::Data(_)
        ));
        assert_eq!(buf, b"appended by vtl");
        assert_eq!(c.partition(0).unwrap().filemarks().last(), Some(&(eod + 1)));
        // Everything before is untouched.
        for b in 0..eod {
            c.read_at(0, b, &mut buf).unwrap();
        }
    }
}

/// A tape file replaced by a symbolic link is refused (O_NOFOLLOW), for both layouts and for
/// every file, with an error naming the file; the link's target is untouched.
#[test]
fn symlinked_tape_files_are_refused() {
    use std::os::unix::fs::symlink;
    for (format, files) in [
        (Format::Legacy, &["data", "indx", "meta"][..]),
        (
            Format::V6,
            &["mam", "mhvtl_data", "data.0", "indx.0", "meta.0"][..],
        ),
    ] {
        for name in files {
            let t = tempfile::tempdir().unwrap();
            let dir = libvtlcart::testing::make_cartridge(
                &t.path().join("home"),
                "E01001L8",
                format,
                MediumType::Data,
                "LTO8",
                100 << 20,
            );
            let victim = t.path().join("victim");
            std::fs::rename(dir.join(name), &victim).unwrap();
            symlink(&victim, dir.join(name)).unwrap();
            let before = std::fs::read(&victim).unwrap();
            let opts = OpenOptionsCart {
                write: true,
                ..Default::default()
            };
            let e = Cartridge::open(&dir, &opts).unwrap_err().to_string();
            assert!(
                e.contains(name) && e.contains("symbolic link"),
                "{format:?}/{name}: {e}"
            );
            assert_eq!(std::fs::read(&victim).unwrap(), before);
        }
    }
}
