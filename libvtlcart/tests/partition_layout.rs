//! A cartridge we partition has, byte for byte, the v6 layout mhvtl master gives a
//! partitioned tape (spec 1.15, 1.8): a fresh LTO-8 tape made by mhvtl, formatted into two
//! partitions, is the fixture's files plus `data.1`, `indx.1`, `meta.1` exactly like the
//! fixture's empty partition 0, with `mhvtl_data` records 0x0d/0x0e holding the partition
//! capacities (big-endian) and the MAM's REMAINING CAPACITY that of partition 0 — every
//! other byte as mhvtl wrote it. Formatting back to one partition restores the fixture's
//! bytes except the partition count, which becomes the real 1.

use libvtlcart::testing::{copy_tape, fixtures};
use libvtlcart::{Cartridge, OpenOptionsCart};

const MIB: u64 = 1 << 20;

/// Offset of the value of TLV record `id` (u16 id, u16 length, little-endian headers)
/// in `bytes`, starting after `skip` bytes of header.
fn tlv_value(bytes: &[u8], skip: usize, id: u16) -> std::ops::Range<usize> {
    let mut i = skip;
    while i + 4 <= bytes.len() {
        let rid = u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let n = usize::from(u16::from_le_bytes([bytes[i + 2], bytes[i + 3]]));
        if rid == id {
            return i + 4..i + 4 + n;
        }
        i += 4 + n;
    }
    panic!("record {id:#06x} missing");
}

#[test]
fn two_partitions_match_the_v6_layout() {
    let Some(root) = fixtures() else { return };
    let src = root.join("v6/FXDLTO8");
    let home = tempfile::tempdir().unwrap();
    let dir = copy_tape(&src, home.path());
    let open = || {
        Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let (p0, p1) = (20 * MIB, 80 * MIB);
    let mut c = open();
    c.format_partitions(&[p0, p1]).unwrap();
    c.unload().unwrap();

    let theirs = |f: &str| std::fs::read(src.join(f)).unwrap();
    let ours = |f: &str| std::fs::read(dir.join(f)).unwrap();
    // Partition files: partition 1 is built exactly as mhvtl built partition 0.
    for n in ["0", "1"] {
        assert_eq!(ours(&format!("data.{n}")), theirs("data.0"), "data.{n}");
        assert_eq!(ours(&format!("indx.{n}")), theirs("indx.0"), "indx.{n}");
        assert_eq!(ours(&format!("meta.{n}")), theirs("meta.0"), "meta.{n}");
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "data.0",
            "data.1",
            "indx.0",
            "indx.1",
            "mam",
            "meta.0",
            "meta.1",
            "mhvtl_data"
        ]
    );
    // mhvtl_data: capacities in 0x0d/0x0e, num_partitions 2 (mhvtl already writes 2 for
    // LTO-8), nothing else changed.
    let mut want = theirs("mhvtl_data");
    let r = tlv_value(&want, 0, 0x0d);
    want[r].copy_from_slice(&p0.to_be_bytes());
    let r = tlv_value(&want, 0, 0x0e);
    want[r].copy_from_slice(&p1.to_be_bytes());
    assert_eq!(want[tlv_value(&want, 0, 0x04)], [2]);
    assert_eq!(ours("mhvtl_data"), want);
    // mam: REMAINING CAPACITY is partition 0's, every other byte as mhvtl wrote it.
    let mut want = theirs("mam");
    let r = tlv_value(&want, 8, 0x0000);
    want[r].copy_from_slice(&p0.to_be_bytes());
    assert_eq!(ours("mam"), want);

    // Reloaded: two partitions with those capacities.
    let mut c = open();
    assert_eq!(c.partition_count(), 2);
    assert_eq!((c.capacity(0), c.capacity(1)), (p0, p1));
    // One partition again: the fixture's bytes, except num_partitions, now the real count
    // 1 (mhvtl writes 2 at creation and master rewrites it with the number of data.N files
    // at the next MAM write, spec 8.7).
    c.format_partitions(&[100 * MIB]).unwrap();
    c.unload().unwrap();
    assert!(!dir.join("data.1").exists());
    let mut want = theirs("mhvtl_data");
    let r = tlv_value(&want, 0, 0x04);
    want[r].copy_from_slice(&[1]);
    assert_eq!(ours("mhvtl_data"), want);
    assert_eq!(ours("mam"), theirs("mam"));
    assert_eq!(ours("meta.0"), theirs("meta.0"));
}
