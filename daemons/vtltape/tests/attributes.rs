//! READ ATTRIBUTE / WRITE ATTRIBUTE (SPC-5 6.17, 6.49) through the in-process transport:
//! per-partition capacities in MiB, attribute list order, the first-attribute rule,
//! allocation-length truncation, volume and partition lists, host attribute writes that are
//! durable at GOOD and survive unload/reload, and refused writes that change nothing on disk.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use libvtlcart::cartridge::OpenOptionsCart;
use libvtlcart::{Cartridge, MediumType, TextAttribute};
use vtl_scsi::{InProcess, Status};
use vtltape::TapeDrive;
use vtltape::drive::remaining_in;

const TUR: [u8; 6] = [0, 0, 0, 0, 0, 0];
const PCL: &str = "E00001L8";

/// READ ATTRIBUTE CDB.
fn ra(sa: u8, volume: u8, part: u8, first: u16, alloc: u32) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[0] = 0x8c;
    c[1] = sa;
    c[5] = volume;
    c[7] = part;
    c[8..10].copy_from_slice(&first.to_be_bytes());
    c[10..14].copy_from_slice(&alloc.to_be_bytes());
    c
}

/// WRITE ATTRIBUTE CDB.
fn wa(part: u8, len: u32) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[0] = 0x8d;
    c[7] = part;
    c[10..14].copy_from_slice(&len.to_be_bytes());
    c
}

/// One attribute in SPC-5 7.4.1 format.
fn attr(id: u16, format: u8, value: &[u8]) -> Vec<u8> {
    let mut v = id.to_be_bytes().to_vec();
    v.push(format);
    v.extend_from_slice(&(value.len() as u16).to_be_bytes());
    v.extend_from_slice(value);
    v
}

/// A WRITE ATTRIBUTE parameter list: PARAMETER DATA LENGTH then `attrs`.
fn plist(attrs: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = attrs.concat();
    let mut v = (body.len() as u32).to_be_bytes().to_vec();
    v.extend_from_slice(&body);
    v
}

/// A drive with data cartridge PCL (LTO-8, 64 MiB) loaded and the unit attentions taken.
fn setup() -> (tempfile::TempDir, PathBuf, InProcess<TapeDrive>) {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), PCL, MediumType::Data, "LTO8", 64 << 20);
    let mut t = InProcess::new(lto8_lu(home.path(), NO_COMPRESSION));
    t.lu().load_barcode(PCL).unwrap();
    t.command(1, &TUR, &[], 0);
    t.command(1, &TUR, &[], 0);
    assert!(t.command(1, &TUR, &[], 0).is_good());
    (home, dir, t)
}

/// Every file of the cartridge directory and its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn open_ro(dir: &Path) -> Cartridge {
    Cartridge::open(
        dir,
        &OpenOptionsCart {
            write: false,
            count_load: false,
            recover: false,
        },
    )
    .unwrap()
}

/// Parse ATTRIBUTE VALUES data into (id, byte 2, value).
fn parse_values(d: &[u8]) -> Vec<(u16, u8, Vec<u8>)> {
    let n = u32::from_be_bytes(d[..4].try_into().unwrap()) as usize;
    assert_eq!(n, d.len() - 4);
    let mut out = Vec::new();
    let mut off = 4;
    while off < d.len() {
        let id = u16::from_be_bytes([d[off], d[off + 1]]);
        let len = u16::from_be_bytes([d[off + 3], d[off + 4]]) as usize;
        out.push((id, d[off + 2], d[off + 5..off + 5 + len].to_vec()));
        off += 5 + len;
    }
    out
}

/// Parse an ATTRIBUTE LIST / SUPPORTED ATTRIBUTES answer.
fn parse_ids(d: &[u8]) -> Vec<u16> {
    let n = u32::from_be_bytes(d[..4].try_into().unwrap()) as usize;
    assert_eq!(n, d.len() - 4);
    d[4..]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

#[test]
fn capacities_in_mib_and_truncation() {
    let (_home, _dir, mut t) = setup();
    let full = t.command(1, &ra(0, 0, 0, 0, 65535), &[], 65535);
    assert!(full.is_good());
    let (rem, cap) = {
        let c = t.lu().drive().cartridge().unwrap();
        (remaining_in(c, 0) >> 20, c.capacity(0) >> 20)
    };
    assert_eq!(cap, 64);
    let v = parse_values(&full.data);
    assert_eq!(v[0], (0x0000, 0x80, rem.to_be_bytes().to_vec()));
    assert_eq!(v[1], (0x0001, 0x80, cap.to_be_bytes().to_vec()));
    // 0x0401 MEDIUM SERIAL NUMBER is read only ASCII; 0x0806 BARCODE read/write ASCII.
    let serial = v.iter().find(|a| a.0 == 0x0401).unwrap();
    assert_eq!((serial.1, serial.2.len()), (0x81, 32));
    let barcode = v.iter().find(|a| a.0 == 0x0806).unwrap();
    assert_eq!(barcode.1, 0x01);
    assert!(barcode.2.starts_with(PCL.as_bytes()));
    // Truncated to 30 bytes: AVAILABLE DATA still the full length.
    let cut = t.command(1, &ra(0, 0, 0, 0, 30), &[], 30);
    assert!(cut.is_good());
    assert_eq!(cut.data, full.data[..30]);
    assert_eq!(
        u32::from_be_bytes(cut.data[..4].try_into().unwrap()) as usize,
        full.data.len() - 4
    );
    let mut head = vec![0, 0, 0x80, 0, 8];
    head.extend_from_slice(&rem.to_be_bytes());
    assert_eq!(cut.data[4..17], head);
}

#[test]
fn attribute_list_first_attribute_and_lists() {
    let (_home, _dir, mut t) = setup();
    let list = parse_ids(&t.command(1, &ra(1, 0, 0, 0, 4096), &[], 4096).data);
    assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:04x?}");
    for id in [0x0000, 0x0001, 0x0401, 0x0806] {
        assert!(list.contains(&id), "{id:04x}");
    }
    let supported = parse_ids(&t.command(1, &ra(5, 0, 0, 0, 4096), &[], 4096).data);
    assert!(supported.windows(2).all(|w| w[0] < w[1]));
    assert!(list.iter().all(|id| supported.contains(id)));
    assert!(supported.contains(&0x0807));

    // ATTRIBUTE VALUES from 0x0400: ascending, starting at 0x0400.
    let v = parse_values(&t.command(1, &ra(0, 0, 0, 0x0400, 65535), &[], 65535).data);
    assert_eq!(v[0].0, 0x0400);
    assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
    let expect: Vec<u16> = list.iter().copied().filter(|&i| i >= 0x0400).collect();
    assert_eq!(v.iter().map(|a| a.0).collect::<Vec<_>>(), expect);

    // A first identifier naming no attribute: INVALID FIELD IN CDB at byte 8.
    let c = t.command(1, &ra(0, 0, 0, 0x0008, 512), &[], 512);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(c.sense[15..18], [0xc0, 0, 8]);

    // PARTITION LIST and LOGICAL VOLUME LIST.
    assert_eq!(
        t.command(1, &ra(3, 0, 0, 0, 64), &[], 64).data,
        [0, 2, 0, 1]
    );
    assert_eq!(
        t.command(1, &ra(2, 0, 0, 0, 64), &[], 64).data,
        [0, 2, 0, 1]
    );
    // Partition 1 does not exist; volume 1 neither; service action 4 is not supported.
    let c = t.command(1, &ra(0, 0, 1, 0, 512), &[], 512);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x24, 0)), &[0xc0, 0, 7][..])
    );
    let c = t.command(1, &ra(0, 1, 0, 0, 512), &[], 512);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x24, 0)), &[0xc0, 0, 5][..])
    );
    let c = t.command(1, &ra(4, 0, 0, 0, 512), &[], 512);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x24, 0)), &[0xcc, 0, 1][..])
    );
}

#[test]
fn write_host_attributes_read_back_and_persist() {
    let (_home, dir, mut t) = setup();
    let mut label = b"weekly full".to_vec();
    label.resize(160, 0);
    let p = plist(&[attr(0x0800, 1, b"VTLTEST "), attr(0x0803, 2, &label)]);
    assert!(
        t.command(1, &wa(0, p.len() as u32), &p, 0).is_good(),
        "{:02x?}",
        t.command(1, &[3, 0, 0, 0, 18, 0], &[], 18).data
    );
    let v = parse_values(&t.command(1, &ra(0, 0, 0, 0x0800, 65535), &[], 65535).data);
    assert_eq!(v[0], (0x0800, 0x01, b"VTLTEST ".to_vec()));
    let l = v.iter().find(|a| a.0 == 0x0803).unwrap();
    assert_eq!((l.1, &l.2), (0x02, &label));

    // Durable at GOOD: the files hold it while the cartridge is still loaded.
    let c = open_ro(&dir);
    assert_eq!(&c.mam().base.application_vendor, b"VTLTEST ");
    assert_eq!(
        c.mam().text_attribute(TextAttribute::UserMediumTextLabel),
        "weekly full"
    );
    drop(c);

    // Delete 0x0803 (length 0): it leaves the attribute list; asking for it first fails.
    let p = plist(&[attr(0x0803, 2, &[])]);
    assert!(t.command(1, &wa(0, p.len() as u32), &p, 0).is_good());
    let list = parse_ids(&t.command(1, &ra(1, 0, 0, 0, 4096), &[], 4096).data);
    assert!(list.contains(&0x0800) && !list.contains(&0x0803));
    let c = t.command(1, &ra(0, 0, 0, 0x0803, 512), &[], 512);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));

    // Unload, check with libvtlcart, reload and read back.
    t.lu().unload().unwrap();
    let c = open_ro(&dir);
    assert_eq!(&c.mam().base.application_vendor, b"VTLTEST ");
    assert_eq!(
        c.mam().text_attribute(TextAttribute::UserMediumTextLabel),
        ""
    );
    drop(c);
    t.lu().load_barcode(PCL).unwrap();
    t.command(1, &TUR, &[], 0);
    let v = parse_values(&t.command(1, &ra(0, 0, 0, 0x0800, 65535), &[], 65535).data);
    assert_eq!(v[0], (0x0800, 0x01, b"VTLTEST ".to_vec()));
    assert!(v.iter().all(|a| a.0 != 0x0803));
}

#[test]
fn refused_writes_change_nothing() {
    let (_home, dir, mut t) = setup();
    let before = snapshot(&dir);
    let refused = |t: &mut InProcess<TapeDrive>, p: &[u8], len: u32| {
        let c = t.command(1, &wa(0, len), p, 0);
        assert_eq!(c.status, Status::CheckCondition);
        (
            c.key_asc().unwrap(),
            [c.sense[15], c.sense[16], c.sense[17]],
        )
    };
    // Read-only MEDIUM SERIAL NUMBER: pointer at its identifier (parameter byte 4).
    let p = plist(&[attr(0x0401, 1, &[b'X'; 32])]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x80, 0, 4])
    );
    // A valid attribute followed by one of the wrong length: nothing is written.
    let p = plist(&[attr(0x0800, 1, b"VTLTEST "), attr(0x0801, 1, b"short")]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x80, 0, 20])
    );
    // Wrong length of the first attribute: pointer at its ATTRIBUTE LENGTH.
    let p = plist(&[attr(0x0800, 1, b"VTLTEST")]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x80, 0, 7])
    );
    // Wrong FORMAT: pointer at byte 6 bit 1.
    let p = plist(&[attr(0x0800, 2, b"VTLTEST ")]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x89, 0, 6])
    );
    // Non-graphic byte in an ASCII value.
    let p = plist(&[attr(0x0800, 1, b"VTL\x01EST ")]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x80, 0, 12])
    );
    // Not ascending; unsupported identifier.
    let p = plist(&[attr(0x0801, 1, &[b'A'; 32]), attr(0x0800, 1, b"VTLTEST ")]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x80, 0, 41])
    );
    let p = plist(&[attr(0x0a00, 0, &[1])]);
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x26, 0), [0x80, 0, 4])
    );
    // PARAMETER DATA LENGTH disagreeing with PARAMETER LIST LENGTH, an attribute running
    // past the end, fewer bytes than the PARAMETER LIST LENGTH.
    let mut p = plist(&[attr(0x0800, 1, b"VTLTEST ")]);
    p[3] += 1;
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x1a, 0), [0xc0, 0, 10])
    );
    let mut p = plist(&[attr(0x0800, 1, b"VTLTEST ")]);
    p[8] = 9;
    assert_eq!(
        refused(&mut t, &p, p.len() as u32),
        ((5, 0x1a, 0), [0xc0, 0, 10])
    );
    let p = plist(&[attr(0x0800, 1, b"VTLTEST ")]);
    assert_eq!(
        refused(&mut t, &p[..10], p.len() as u32),
        ((5, 0x1a, 0), [0xc0, 0, 10])
    );
    assert_eq!(refused(&mut t, &[0, 0], 2), ((5, 0x1a, 0), [0xc0, 0, 10]));
    assert_eq!(snapshot(&dir), before);
    // PARAMETER LIST LENGTH 0: GOOD, nothing written.
    assert!(t.command(1, &wa(0, 0), &[], 0).is_good());
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn write_protected_and_no_medium() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), PCL, MediumType::Data, "LTO8", 64 << 20);
    {
        let mut c = Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                count_load: false,
                recover: false,
            },
        )
        .unwrap();
        c.mam_mut().set_write_protected(true);
        c.write_mam().unwrap();
        c.unload().unwrap();
    }
    let mut t = InProcess::new(lto8_lu(home.path(), NO_COMPRESSION));
    t.command(1, &TUR, &[], 0);
    let p = plist(&[attr(0x0800, 1, b"VTLTEST ")]);
    // No cartridge: NOT READY, MEDIUM NOT PRESENT for both commands.
    assert_eq!(
        t.command(1, &wa(0, p.len() as u32), &p, 0).key_asc(),
        Some((2, 0x3a, 0))
    );
    assert_eq!(
        t.command(1, &ra(0, 0, 0, 0, 512), &[], 512).key_asc(),
        Some((2, 0x3a, 0))
    );
    t.lu().load_barcode(PCL).unwrap();
    t.command(1, &TUR, &[], 0);
    let before = snapshot(&dir);
    assert_eq!(
        t.command(1, &wa(0, p.len() as u32), &p, 0).key_asc(),
        Some((7, 0x27, 0))
    );
    assert_eq!(snapshot(&dir), before);
    // Reading still works.
    assert!(t.command(1, &ra(0, 0, 0, 0, 512), &[], 512).is_good());
}

#[test]
fn volume_coherency_per_partition_and_legacy_mam() {
    let (_home, _dir, mut t) = setup();
    // VOLUME COHERENCY INFORMATION (binary, up to 70 bytes) of partition 0; LTFS's VOLUME
    // LOCKED (host vendor-specific, read/write).
    let vci: Vec<u8> = (1..=43).collect();
    let p = plist(&[attr(0x080c, 0, &vci), attr(0x1623, 0, &[1])]);
    assert!(t.command(1, &wa(0, p.len() as u32), &p, 0).is_good());
    let v = parse_values(&t.command(1, &ra(0, 0, 0, 0x080c, 4096), &[], 4096).data);
    let mut stored = vci.clone();
    stored.resize(70, 0);
    assert_eq!(v[0], (0x080c, 0x00, stored));
    assert_eq!(v[1], (0x1623, 0x00, vec![1]));
    // Longer than the stored field: refused at its ATTRIBUTE LENGTH.
    let p = plist(&[attr(0x080c, 0, &[7; 71])]);
    let c = t.command(1, &wa(0, p.len() as u32), &p, 0);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x26, 0)), &[0x80, 0, 7][..])
    );
    // A reserved CDB bit (byte 14 bit 1 of READ ATTRIBUTE, byte 1 bit 1 of WRITE ATTRIBUTE).
    let mut cdb = ra(0, 0, 0, 0, 512);
    cdb[14] = 0x02;
    let c = t.command(1, &cdb, &[], 512);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x24, 0)), &[0xc9, 0, 14][..])
    );
    let mut cdb = wa(0, 0);
    cdb[1] = 0x02;
    let c = t.command(1, &cdb, &[], 0);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x24, 0)), &[0xc9, 0, 1][..])
    );

    // A legacy (packed, MAM format 3) cartridge stores neither 0x080C nor 0x1623.
    let home = tempfile::tempdir().unwrap();
    cart_in(
        home.path(),
        "E00002L8",
        libvtlcart::Format::Legacy,
        64 << 20,
    );
    let mut t = InProcess::new(lto8_lu(home.path(), NO_COMPRESSION));
    t.lu().load_barcode("E00002L8").unwrap();
    t.command(1, &TUR, &[], 0);
    t.command(1, &TUR, &[], 0);
    let supported = parse_ids(&t.command(1, &ra(5, 0, 0, 0, 4096), &[], 4096).data);
    assert!(!supported.contains(&0x080c) && !supported.contains(&0x1623));
    assert!(supported.contains(&0x0806));
    let p = plist(&[attr(0x1623, 0, &[1])]);
    let c = t.command(1, &wa(0, p.len() as u32), &p, 0);
    assert_eq!(
        (c.key_asc(), &c.sense[15..18]),
        (Some((5, 0x26, 0)), &[0x80, 0, 4][..])
    );
}
