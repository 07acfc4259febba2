//! preload_tape writes what mhvtl's preload_tape writes: for the fixture tapes FXTXT1L8
//! (LZO, 16 KiB), FXBZL1L8 (ZLIB, 64 KiB), FXBNO1L8 (NONE, 256 KiB) and FXNUL2L8 (a NULL
//! cartridge, LZO asked), in both formats, a fresh cartridge preloaded with the fixture's
//! arguments has a data file, an index and a filemark list byte-identical to mhvtl's.
//! (The MAM may differ: vtl records the load and the statistics as a drive does.)

mod common;

use libvtlcart::{Format, MediumType};

fn check(pcl: &str, input: &str, block_size: &str, comp: &str, medium: MediumType) {
    let Some(root) = common::fixtures() else {
        return;
    };
    for (fmt, format) in [("legacy", Format::Legacy), ("v6", Format::V6)] {
        let home = tempfile::tempdir().unwrap();
        let dir = common::make_cart(home.path(), pcl, format, medium, 100 << 20);
        let input_path = root.join("inputs").join(input);
        let r = common::preload(
            [
                "-H".as_ref(),
                home.path().as_os_str(),
                "-m".as_ref(),
                pcl.as_ref(),
                "-F".as_ref(),
                input_path.as_os_str(),
                "-b".as_ref(),
                block_size.as_ref(),
                "-c".as_ref(),
                comp.as_ref(),
            ],
            None,
        );
        assert_eq!(r.code, 0, "{fmt}/{pcl}: {r:?}");
        assert!(r.stdout.is_empty(), "quiet without -v: {r:?}");
        let fixture = root.join(fmt).join(pcl);
        let (files, meta_skip): (&[&str], usize) = match format {
            Format::Legacy => (&["data", "indx"], 1024),
            Format::V6 => (&["data.0", "indx.0"], 0),
        };
        for f in files {
            let ours = std::fs::read(dir.join(f)).unwrap();
            let theirs = std::fs::read(fixture.join(f)).unwrap();
            assert!(
                ours == theirs,
                "{fmt}/{pcl}/{f}: {} bytes written, mhvtl has {} (contents differ)",
                ours.len(),
                theirs.len()
            );
        }
        let meta = if format == Format::Legacy {
            "meta"
        } else {
            "meta.0"
        };
        let ours = std::fs::read(dir.join(meta)).unwrap();
        let theirs = std::fs::read(fixture.join(meta)).unwrap();
        assert_eq!(
            ours[meta_skip..],
            theirs[meta_skip..],
            "{fmt}/{pcl}/{meta}: filemark part differs"
        );
    }
}

#[test]
fn lzo_16k_text_is_byte_identical() {
    check("FXTXT1L8", "pattern.txt", "16384", "LZO", MediumType::Data);
}

#[test]
fn zlib_64k_random_is_byte_identical() {
    check(
        "FXBZL1L8",
        "random3m.bin",
        "65536",
        "ZLIB",
        MediumType::Data,
    );
}

#[test]
fn none_256k_random_is_byte_identical() {
    check(
        "FXBNO1L8",
        "random3m.bin",
        "262144",
        "NONE",
        MediumType::Data,
    );
}

#[test]
fn null_cartridge_is_byte_identical() {
    check("FXNUL2L8", "pattern.txt", "16384", "LZO", MediumType::Null);
}

#[test]
fn compression_name_is_case_insensitive() {
    check("FXTXT1L8", "pattern.txt", "16384", "lzo", MediumType::Data);
}
