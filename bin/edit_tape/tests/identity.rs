//! `edit_tape -w on` on a fresh cartridge gives the files mhvtl's `edit_tape -l 10 -m
//! FXWPR1L5 -w on` gave (fixture FXWPR1L5: `mktape -s 100 -t data -d LTO5`, then edit_tape),
//! byte for byte, for 1.7.2 (legacy) and 1.8 (v6), except the 8 bytes of ApplicationVendor
//! (0x0800), which name vtl instead of mhvtl.

mod common;

use std::path::Path;

use common::{edit_tape, fixtures, make, ok};
use libvtlcart::MediumType;

/// Byte range of the ApplicationVendor value in a file, per format.
fn vendor_range(file: &str, bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    match file {
        "meta" => Some(332..340),
        "mam" => {
            let mut off = 8;
            while off + 4 <= bytes.len() {
                let id = u16::from_le_bytes([bytes[off], bytes[off + 1]]);
                let len = usize::from(u16::from_le_bytes([bytes[off + 2], bytes[off + 3]]));
                if id == 0x0800 {
                    return Some(off + 4..off + 4 + len);
                }
                off += 4 + len;
            }
            panic!("no ApplicationVendor attribute in mam");
        }
        _ => None,
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn compare_dirs(ours: &Path, theirs: &Path, id: &str) {
    let theirs_names = names(theirs);
    assert_eq!(names(ours), theirs_names, "{id}: file names");
    for n in &theirs_names {
        let mut a = std::fs::read(ours.join(n)).unwrap();
        let mut b = std::fs::read(theirs.join(n)).unwrap();
        assert_eq!(a.len(), b.len(), "{id}/{n}: size");
        if let Some(r) = vendor_range(n, &b) {
            assert_eq!(&b[r.clone()][..4], b"vtl-", "{id}/{n}: mhvtl's vendor");
            assert_eq!(
                a[r.clone()],
                libvtlcart::application_vendor(),
                "{id}/{n}: our vendor"
            );
            a[r.clone()].fill(0);
            b[r].fill(0);
        }
        if a != b {
            let first = a.iter().zip(&b).position(|(x, y)| x != y).unwrap();
            panic!(
                "{id}/{n}: differs at byte {first}: ours {:02x}, mhvtl {:02x}",
                a[first], b[first]
            );
        }
    }
}

#[test]
fn write_protect_is_byte_identical_to_mhvtl() {
    let Some(root) = fixtures() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (format, v6) in [("legacy", false), ("v6", true)] {
        let home = tmp.path().join(format);
        let dir = make(&home, "FXWPR1L5", 100, MediumType::Data, "LTO5", v6);
        let r = edit_tape(["-H", home.to_str().unwrap(), "-m", "FXWPR1L5", "-w", "on"]);
        ok(&r);
        compare_dirs(&dir, &root.join(format).join("FXWPR1L5"), format);
    }
}

#[test]
fn write_protect_off_restores_the_fresh_cartridge() {
    let tmp = tempfile::tempdir().unwrap();
    for v6 in [false, true] {
        let home = tmp.path().join(if v6 { "v6" } else { "legacy" });
        let dir = make(&home, "E01001L5", 100, MediumType::Data, "LTO5", v6);
        let file = if v6 { "mhvtl_data" } else { "meta" };
        let fresh = std::fs::read(dir.join(file)).unwrap();
        ok(&edit_tape([dir.to_str().unwrap(), "-w", "yes"]));
        assert!(common::mam(&dir).write_protected());
        ok(&edit_tape([dir.to_str().unwrap(), "-w", "off"]));
        let after = std::fs::read(dir.join(file)).unwrap();
        if v6 {
            // Only num_partitions (record 0x04, value at byte 4 + 1 + 4 + 2 + 4 + 1 + 4 = 20)
            // differs: 2 partitions were recorded by mktape, 1 is on disk.
            assert_eq!(fresh[20], 2);
            assert_eq!(after[20], 1);
            let mut f = fresh.clone();
            f[20] = 1;
            assert_eq!(f, after);
        } else {
            assert_eq!(fresh, after);
        }
    }
}
