//! `edit_tape -w on` on a fresh cartridge gives the files mhvtl's `edit_tape -l 10 -m
//! FXWPR1L5 -w on` gave (fixture FXWPR1L5: `mktape -s 100 -t data -d LTO5`, then edit_tape),
//! byte for byte, for 1.7.2 (legacy) and 1.8 (v6), except the 8 bytes of ApplicationVendor
//! (0x0800), which name vtl instead of mhvtl.

mod common;

use common::{edit_tape, fixtures, make, ok};
use libvtlcart::MediumType;

#[test]
fn write_protect_is_byte_identical_to_mhvtl() {
    let Some(root) = fixtures() else { return };
    let tmp = tempfile::tempdir().unwrap();
    for (format, v6) in [("legacy", false), ("v6", true)] {
        let home = tmp.path().join(format);
        let dir = make(&home, "FXWPR1L5", 100, MediumType::Data, "LTO5", v6);
        let r = edit_tape(["-H", home.to_str().unwrap(), "-m", "FXWPR1L5", "-w", "on"]);
        ok(&r);
        libvtlcart::testing::assert_same_as_mhvtl(
            &dir,
            &root.join(format).join("FXWPR1L5"),
            format,
        );
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
