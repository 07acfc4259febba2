//! LTFS against the drive: the command sequence LTFS's IBM `sg` backend issues for mkltfs
//! (format into two partitions), a mount that writes data and unmounts (index at the end of
//! each partition, MAM volume coherency per partition), a check that reads both indexes
//! back, and the geometry surviving unload/reload and a restart of the drive. Every status,
//! sense and data byte LTFS looks at is asserted.

mod common;

use std::path::Path;

use common::{cart, pattern};
use libvtlcart::MediumType;
use vtl_scsi::{InProcess, Status};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

const MIB: u64 = 1 << 20;
const TUR: [u8; 6] = [0; 6];
const I: u64 = 7; // the LTFS host's I_T nexus

fn drive(home: &Path) -> InProcess<TapeDrive> {
    InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "HB81".into(),
        serial: "1013000001".into(),
        // No compression: the capacities asserted are the bytes written.
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }))
}

fn good(t: &mut InProcess<TapeDrive>, cdb: &[u8], out: &[u8], alloc: usize) -> Vec<u8> {
    let c = t.command(I, cdb, out, alloc);
    assert!(c.is_good(), "{cdb:02x?}: {:?}", c.sense());
    c.data
}

/// MODE SENSE(10), current values, DBD=0, as `sg_modesense` builds it.
fn mode_sense10(t: &mut InProcess<TapeDrive>, page: u8, sub: u8, alloc: u16) -> Vec<u8> {
    let a = alloc.to_be_bytes();
    good(
        t,
        &[0x5a, 0, page, sub, 0, 0, 0, a[0], a[1], 0],
        &[],
        alloc.into(),
    )
}

/// MODE SELECT(10) with PF, as `sg_modeselect` builds it.
fn mode_select10(t: &mut InProcess<TapeDrive>, list: &[u8]) {
    let l = (list.len() as u16).to_be_bytes();
    good(t, &[0x55, 0x10, 0, 0, 0, 0, 0, l[0], l[1], 0], list, 0);
}

/// LOG SENSE, current cumulative values, allocation 0xFFFF (`sg_logsense`).
fn log_sense(t: &mut InProcess<TapeDrive>, page: u8) -> Vec<u8> {
    good(
        t,
        &[0x4d, 0, 0x40 | page, 0, 0, 0, 0, 0xff, 0xff, 0],
        &[],
        0xffff,
    )
}

/// The value of parameter `code` of a log page (LTFS's `_parse_logPage`).
fn log_param(page: &[u8], code: u16) -> Vec<u8> {
    let len = usize::from(u16::from_be_bytes([page[2], page[3]])) + 4;
    let mut i = 4;
    while i + 4 <= len {
        let c = u16::from_be_bytes([page[i], page[i + 1]]);
        let n = usize::from(page[i + 3]);
        if c == code {
            return page[i + 4..i + 4 + n].to_vec();
        }
        i += 4 + n;
    }
    panic!("log parameter {code:04x} missing");
}

/// LOCATE(16) as `sg_locate` builds it (CP when the partition changes).
fn locate16(cp: bool, part: u8, block: u64) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[0] = 0x92;
    c[1] = if cp { 0x02 } else { 0 };
    c[3] = part;
    c[4..12].copy_from_slice(&block.to_be_bytes());
    c
}

/// SPACE(16) (`sg_space`): code 0 blocks, 1 filemarks, 3 end of data.
fn space16(code: u8, count: i64) -> [u8; 16] {
    let mut c = [0u8; 16];
    c[0] = 0x91;
    c[1] = code;
    c[4..12].copy_from_slice(&count.to_be_bytes());
    c
}

/// READ POSITION long form: (flags, partition, block, file number).
fn readpos(t: &mut InProcess<TapeDrive>) -> (u8, u32, u64, u64) {
    let d = good(t, &[0x34, 0x06, 0, 0, 0, 0, 0, 0, 0, 0], &[], 32);
    assert_eq!(d.len(), 32);
    assert_eq!(d[24..32], [0; 8], "logical set identifier");
    (
        d[0],
        u32::from_be_bytes(d[4..8].try_into().unwrap()),
        u64::from_be_bytes(d[8..16].try_into().unwrap()),
        u64::from_be_bytes(d[16..24].try_into().unwrap()),
    )
}

fn write(t: &mut InProcess<TapeDrive>, data: &[u8]) {
    let l = (data.len() as u32).to_be_bytes();
    good(t, &[0x0a, 0, l[1], l[2], l[3], 0], data, 0);
}

fn writefm(t: &mut InProcess<TapeDrive>, n: u8) {
    good(t, &[0x10, 0, 0, 0, n, 0], &[], 0);
}

fn read(t: &mut InProcess<TapeDrive>, len: u32) -> Vec<u8> {
    let l = len.to_be_bytes();
    let c = t.command(I, &[0x08, 0x02, l[1], l[2], l[3], 0], &[], len as usize);
    assert!(c.is_good(), "{:?}", c.sense());
    c.data
}

/// The 70-byte VOLUME COHERENCY INFORMATION value LTFS writes (`tape_set_cart_coherency`).
fn coherency(vcr: u64, count: u64, uuid: &[u8; 36]) -> Vec<u8> {
    let mut v = vec![8u8];
    v.extend_from_slice(&vcr.to_be_bytes());
    v.extend_from_slice(&count.to_be_bytes());
    v.extend_from_slice(&0u64.to_be_bytes());
    v.extend_from_slice(&[0, 43]);
    v.extend_from_slice(b"LTFS\0");
    v.extend_from_slice(uuid);
    v.push(0);
    v.push(1);
    assert_eq!(v.len(), 70);
    v
}

/// WRITE ATTRIBUTE with write-through of one attribute in partition `part`.
fn write_attribute(t: &mut InProcess<TapeDrive>, part: u8, id: u16, format: u8, value: &[u8]) {
    let mut list = vec![0u8; 4];
    list.extend_from_slice(&id.to_be_bytes());
    list.push(format);
    list.extend_from_slice(&(value.len() as u16).to_be_bytes());
    list.extend_from_slice(value);
    let n = list.len() as u32;
    list[0..4].copy_from_slice(&n.to_be_bytes());
    let l = n.to_be_bytes();
    let cdb = [
        0x8d, 0x01, 0, 0, 0, 0, 0, part, 0, 0, l[0], l[1], l[2], l[3], 0, 0,
    ];
    good(t, &cdb, &list, 0);
}

/// READ ATTRIBUTE values from `id` in partition `part` (`sg_read_attribute`): the first
/// attribute returned, header and value.
fn read_attribute(t: &mut InProcess<TapeDrive>, part: u8, id: u16, len: usize) -> Vec<u8> {
    let a = ((len + 5 + 4) as u32).to_be_bytes();
    let i = id.to_be_bytes();
    let cdb = [
        0x8c, 0, 0, 0, 0, 0, 0, part, i[0], i[1], a[0], a[1], a[2], a[3], 0, 0,
    ];
    let d = good(t, &cdb, &[], len + 9);
    d[4..].to_vec()
}

/// mkltfs: `tape_format` — MODE SENSE page 0x11 (28 bytes), set two partitions with IDP,
/// units cleared, partition 0 size 1 (rounded up to the minimum) and partition 1 the rest,
/// MODE SELECT of the length the drive reported, FORMAT MEDIUM 2h.
fn ltfs_format(t: &mut InProcess<TapeDrive>) {
    good(t, &[0x1b, 0, 0, 0, 1, 0], &[], 0);
    let mut mp = mode_sense10(t, 0x11, 0, 28);
    assert_eq!(mp.len(), 28);
    // Header: mode data length 30 (the whole 32 bytes), medium type LTO-8, buffered mode;
    // block descriptor: density 5Eh, variable blocks.
    assert_eq!(mp[..8], [0, 30, 0x88, 0x10, 0, 0, 0, 8]);
    assert_eq!(mp[8..16], [0x5e, 0, 0, 0, 0, 0, 0, 0]);
    // Page 0x11 (PS set), length 0Eh: up to 3 additional partitions, none defined, PSUM
    // 11b and POFM, format recognition 03h, units 10^4, partition 0 = 6710 × 10^4 bytes.
    assert_eq!(
        mp[16..28],
        [0x91, 0x0e, 3, 0, 0x1c, 0x03, 4, 0, 0x1a, 0x36, 0, 0]
    );
    let pagelen = usize::from(u16::from_be_bytes([mp[0], mp[1]])) + 2;
    mp.resize(32, 0);
    mp[0] = 0;
    mp[1] = 0;
    mp[19] = 0x01;
    mp[20] = 0x20 | (mp[20] & 0x1f);
    mp[22] = 0x00;
    mp[24] = 0x00;
    mp[25] = 1;
    mp[26] = 0xff;
    mp[27] = 0xff;
    mode_select10(t, &mp[..pagelen]);
    // Until FORMAT MEDIUM, MODE SENSE shows the request.
    let pending = mode_sense10(t, 0x11, 0, 32);
    assert_eq!(
        pending[16..32],
        [
            0x91, 0x0e, 3, 1, 0x3c, 0x03, 0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 0
        ]
    );
    good(t, &[0x04, 0, 0x02, 0, 0, 0], &[], 0);
}

/// The partition page, log pages 0x17 and 0x31 and the MAM of a freshly formatted 64 MiB
/// cartridge: partition 0 of 8 MiB (the minimum), partition 1 of the remaining 56 MiB.
fn assert_geometry(t: &mut InProcess<TapeDrive>, used: [u64; 2]) {
    let mp = mode_sense10(t, 0x11, 0, 32);
    // 8388 × 10^3 and 58720 × 10^3 bytes (8 MiB and 56 MiB rounded down).
    assert_eq!(
        mp[16..32],
        [
            0x91, 0x0e, 3, 1, 0x3c, 0x03, 3, 0, 0x20, 0xc4, 0xe5, 0x60, 0, 0, 0, 0
        ]
    );
    let lp = log_sense(t, 0x17);
    assert_eq!(lp[0] & 0x3f, 0x17);
    let rec = |p: u8, v: u32| {
        let mut r = vec![7, 0, 0, p];
        r.extend_from_slice(&v.to_be_bytes());
        r
    };
    let two = |a: u32, b: u32| [rec(0, a), rec(1, b)].concat();
    // Native capacity of partitions, MB: 8 388 608 and 58 720 256 bytes.
    assert_eq!(log_param(&lp, 0x0202), two(8, 58));
    // Used: what the objects take (stored bytes + 512 per object), MB.
    let u = |p: usize| (used[p] / 1_000_000) as u32;
    assert_eq!(log_param(&lp, 0x0203), two(u(0), u(1)));
    // Remaining to early warning (2 MiB before the end of each partition), MB.
    let left = |p: usize, cap: u64| ((cap - used[p] - 2 * MIB) / 1_000_000) as u32;
    assert_eq!(
        log_param(&lp, 0x0204),
        two(left(0, 8 * MIB), left(1, 56 * MIB))
    );
    assert_eq!(log_param(&lp, 0x0000), [1]);
    // Tape capacity page 0x31 (what LTFS reads on LTO-5), MiB.
    let lp = log_sense(t, 0x31);
    let mib = |p: usize, cap: u64| ((cap - used[p]) / MIB) as u32;
    assert_eq!(
        log_param(&lp, 1),
        mib(0, 8 * MIB).to_be_bytes(),
        "remaining p0"
    );
    assert_eq!(
        log_param(&lp, 2),
        mib(1, 56 * MIB).to_be_bytes(),
        "remaining p1"
    );
    assert_eq!(log_param(&lp, 3), 8u32.to_be_bytes());
    assert_eq!(log_param(&lp, 4), 56u32.to_be_bytes());
    // Cartridge health (get_cartridge_health) and the mediaCQsLossRate attribute: log page
    // 0x37, parameter 0001h of subpage 00h and 7113h (4 bytes) of subpage 64h.
    assert_eq!(log_param(&log_sense(t, 0x37), 0x0001), [100]);
    let lp = good(
        t,
        &[0x4d, 0, 0x40 | 0x37, 0x64, 0, 0, 0, 0xff, 0xff, 0],
        &[],
        0xffff,
    );
    assert_eq!(log_param(&lp, 0x7113), [0, 0, 0, 0]);
    // MAM: maximum capacity per partition (MiB) and the partition list.
    assert_eq!(
        read_attribute(t, 0, 0x0001, 8),
        [0, 0x01, 0x80, 0, 8, 0, 0, 0, 0, 0, 0, 0, 8]
    );
    assert_eq!(
        read_attribute(t, 1, 0x0001, 8),
        [0, 0x01, 0x80, 0, 8, 0, 0, 0, 0, 0, 0, 0, 56]
    );
    let d = good(
        t,
        &[0x8c, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0],
        &[],
        64,
    );
    assert_eq!(d, [0, 2, 0, 1], "partition list: first 0, count 2");
}

#[test]
fn mkltfs_mount_write_unmount_check() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "LTF001L8", MediumType::Data, "LTO8", 64 * MIB);
    let mut t = drive(home.path());
    assert_eq!(t.command(I, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    // REPORT SUPPORTED OPERATION CODES for FORMAT MEDIUM (one command, with timeouts).
    let d = good(
        &mut t,
        &[0xa3, 0x0c, 0x81, 0x04, 0, 0, 0, 0, 0, 64, 0, 0],
        &[],
        64,
    );
    assert_eq!(d[..4], [0, 0x83, 0, 6], "CTDP, supported, CDB size 6");
    assert_eq!(d[4..10], [0x04, 0x03, 0x0f, 0, 0, 0]);
    assert_eq!(d[10..12], [0, 0x0a], "timeouts descriptor length");
    t.lu().load_barcode("LTF001L8").unwrap();
    assert_eq!(t.command(I, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0)));
    // Reserve: REGISTER a key, then RESERVE exclusive access; PREVENT removal.
    let key = 0x4c54_4653_0000_0001u64;
    let mut pl = [0u8; 24];
    pl[8..16].copy_from_slice(&key.to_be_bytes());
    good(&mut t, &[0x5f, 0x00, 0, 0, 0, 0, 0, 0, 24, 0], &pl, 0);
    pl[8..16].fill(0);
    pl[0..8].copy_from_slice(&key.to_be_bytes());
    good(&mut t, &[0x5f, 0x01, 0x03, 0, 0, 0, 0, 0, 24, 0], &pl, 0);
    good(&mut t, &[0x1e, 0, 0, 0, 1, 0], &[], 0);
    // Cartridge type and density from MODE SENSE(10) of all pages.
    let all = mode_sense10(&mut t, 0x3f, 0, 0xff);
    assert_eq!((all[2], all[8]), (0x88, 0x5e));

    ltfs_format(&mut t);
    assert_eq!(readpos(&mut t), (0x80, 0, 0, 0), "BOP of partition 0");
    assert_geometry(&mut t, [0, 0]);
    // Barcode into the MAM.
    let mut bc = [b' '; 32];
    bc[..8].copy_from_slice(b"LTF001L8");
    write_attribute(&mut t, 0, 0x0806, 0x01, &bc);

    // Labels: VOL1 + filemark + LTFS label + filemark in each partition.
    let vol1 = {
        let mut v = [b' '; 80];
        v[..10].copy_from_slice(b"VOL1LTF001");
        v[24..28].copy_from_slice(b"LTFS");
        v[79] = b'4';
        v
    };
    let label = pattern(11, 1000);
    for p in [0u8, 1] {
        let cp = readpos(&mut t).1 != u32::from(p);
        good(&mut t, &locate16(cp, p, 0), &[], 0);
        write(&mut t, &vol1);
        writefm(&mut t, 1);
        write(&mut t, &label);
        writefm(&mut t, 1);
        assert_eq!(readpos(&mut t), (0, u32::from(p), 4, 2));
    }
    // First index: data partition, then index partition.
    let index1 = pattern(12, 3000);
    write(&mut t, &index1);
    writefm(&mut t, 1);
    good(&mut t, &locate16(true, 0, 4), &[], 0);
    write(&mut t, &index1);
    writefm(&mut t, 1);
    assert_eq!(readpos(&mut t), (0, 0, 6, 3));
    let uuid = *b"2b8c1a5e-7d3f-4e6a-9b0c-1d2e3f405162";
    write_attribute(&mut t, 0, 0x080c, 0x00, &coherency(1, 1, &uuid));
    write_attribute(&mut t, 1, 0x080c, 0x00, &coherency(1, 1, &uuid));
    // Unmount of mkltfs: sync, rewind, allow removal, release, unload.
    writefm(&mut t, 0);
    good(&mut t, &[0x01, 0, 0, 0, 0, 0], &[], 0);
    good(&mut t, &[0x1e, 0, 0, 0, 0, 0], &[], 0);
    good(&mut t, &[0x1b, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(t.command(I, &TUR, &[], 0).key_asc(), Some((2, 0x3a, 0)));

    // ltfs mount: load, read both labels, append data + index to the data partition.
    good(&mut t, &[0x1b, 0, 0, 0, 1, 0], &[], 0);
    let labelled = 6 * 512 + 80 + 1000 + 3000;
    assert_geometry(&mut t, [labelled, labelled]);
    for p in [0u8, 1] {
        let cp = readpos(&mut t).1 != u32::from(p);
        good(&mut t, &locate16(cp, p, 0), &[], 0);
        assert_eq!(read(&mut t, 80), vol1);
    }
    // To EOD of the data partition the way LTFS does it: LOCATE(16) to the largest block,
    // which ends BLANK CHECK / END-OF-DATA DETECTED at EOD.
    let c = t.command(I, &locate16(false, 1, u64::MAX), &[], 0);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(c.key_asc(), Some((0x08, 0x00, 0x05)));
    assert_eq!(readpos(&mut t), (0, 1, 6, 3));
    let file = pattern(13, 200_000);
    for chunk in file.chunks(65536) {
        write(&mut t, chunk);
    }
    writefm(&mut t, 1);
    let index2 = pattern(14, 3500);
    write(&mut t, &index2);
    writefm(&mut t, 1);
    assert_eq!(readpos(&mut t), (0, 1, 13, 5));
    // Unmount: index to the index partition, overwriting the previous one.
    good(&mut t, &locate16(true, 0, 4), &[], 0);
    write(&mut t, &index2);
    writefm(&mut t, 1);
    write_attribute(&mut t, 0, 0x080c, 0x00, &coherency(2, 2, &uuid));
    write_attribute(&mut t, 1, 0x080c, 0x00, &coherency(2, 2, &uuid));
    good(&mut t, &[0x1b, 0, 0, 0, 0, 0], &[], 0);

    // The drive restarts (daemon restart): a new drive, the same cartridge.
    drop(t);
    let mut t = drive(home.path());
    t.command(I, &TUR, &[], 0);
    t.lu().load_barcode("LTF001L8").unwrap();
    t.command(I, &TUR, &[], 0);
    let ip_used = 4 * 512 + 80 + 1000 + 3500 + 2 * 512;
    let dp_used = 8 * 512 + 80 + 1000 + 3000 + 200_000 + 3500 + 4 * 512;
    assert_geometry(&mut t, [ip_used, dp_used]);
    // ltfsck: coherency of both partitions, then the last index of each partition found by
    // spacing back from EOD.
    for p in [0u8, 1] {
        let v = read_attribute(&mut t, p, 0x080c, 70);
        assert_eq!(v[..5], [0x08, 0x0c, 0x00, 0, 70]);
        assert_eq!(v[5..75], coherency(2, 2, &uuid)[..]);
    }
    let c = t.command(I, &locate16(true, 1, u64::MAX), &[], 0);
    assert_eq!(c.key_asc(), Some((0x08, 0x00, 0x05)));
    good(&mut t, &space16(1, -2), &[], 0);
    good(&mut t, &space16(1, 1), &[], 0);
    assert_eq!(readpos(&mut t), (0, 1, 11, 4));
    assert_eq!(read(&mut t, 65536), index2);
    good(&mut t, &space16(3, 0), &[], 0);
    assert_eq!(readpos(&mut t), (0, 1, 13, 5));
    let c = t.command(I, &locate16(true, 0, u64::MAX), &[], 0);
    assert_eq!(c.key_asc(), Some((0x08, 0x00, 0x05)));
    assert_eq!(readpos(&mut t), (0, 0, 6, 3));
    good(&mut t, &space16(1, -2), &[], 0);
    good(&mut t, &space16(1, 1), &[], 0);
    assert_eq!(read(&mut t, 65536), index2);
    // READ POSITION extended: partition in byte 1, next block to transfer at 16..23.
    let d = good(&mut t, &[0x34, 0x08, 0, 0, 0, 0, 0, 0, 32, 0], &[], 32);
    assert_eq!(d[..4], [0, 0, 0, 0x1c]);
    assert_eq!(d[16..24], 5u64.to_be_bytes());

    // On disk: the v6 layout with both partitions and their capacities.
    let md = std::fs::read(dir.join("mhvtl_data")).unwrap();
    let rec = |id: u16| {
        let mut i = 0;
        while i + 4 <= md.len() {
            let rid = u16::from_le_bytes([md[i], md[i + 1]]);
            let n = usize::from(u16::from_le_bytes([md[i + 2], md[i + 3]]));
            if rid == id {
                return md[i + 4..i + 4 + n].to_vec();
            }
            i += 4 + n;
        }
        panic!("mhvtl_data record {id:#x} missing")
    };
    assert_eq!(rec(0x0d), (8 * MIB).to_be_bytes());
    assert_eq!(rec(0x0e), (56 * MIB).to_be_bytes());
    assert_eq!(rec(0x0f), [0; 8]);
    assert_eq!(rec(0x04), [2], "num_partitions");
    for f in ["data.0", "indx.0", "meta.0", "data.1", "indx.1", "meta.1"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    assert!(!dir.join("data.2").exists());
    assert_eq!(
        std::fs::metadata(dir.join("indx.1")).unwrap().len(),
        13 * 512
    );
}
