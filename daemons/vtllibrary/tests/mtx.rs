//! mtx, loaderinfo and tapeinfo replays: the commands those tools send, with the exact
//! bytes SMC-3 6.11 / 7.3 prescribe.

mod common;

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::SharedLu;

/// A 48-byte element descriptor (VOLTAG, no DVCID).
fn desc(addr: u16, flags: u8, byte9: u8, src: u16, tag: Option<&str>) -> Vec<u8> {
    let mut d = vec![0u8; 48];
    d[0..2].copy_from_slice(&addr.to_be_bytes());
    d[2] = flags;
    d[9] = byte9;
    d[10..12].copy_from_slice(&src.to_be_bytes());
    if let Some(t) = tag {
        d[12..44].fill(b' ');
        d[12..12 + t.len()].copy_from_slice(t.as_bytes());
    }
    d
}

fn page(ty: u8, descs: &[Vec<u8>]) -> Vec<u8> {
    let n = (descs.len() * 48) as u32;
    let mut p = vec![ty, 0x80, 0, 48, 0];
    p.extend_from_slice(&n.to_be_bytes()[1..]);
    for d in descs {
        p.extend_from_slice(d);
    }
    p
}

#[test]
fn mtx_status_stk_l700_exact_bytes() {
    let mut f = fixture("STK", "L700");
    // mtx: first the header only, to learn the size, then everything.
    let h = good(&mut f.lu, &res(0, true, 0, 0xffff, false, 8), 8);
    assert_eq!(h, [0, 1, 0, 9, 0, 0, 0x01, 0xd0]);
    let all = good(
        &mut f.lu,
        &res(0, true, 0, 0xffff, false, 8 + 0x1d0),
        0x10000,
    );
    let mut want = h.clone();
    want.extend(page(1, &[desc(1, 0x00, 0, 0, None)]));
    want.extend(page(3, &[desc(10, 0x38, 0, 0, None)]));
    want.extend(page(
        4,
        &[desc(500, 0x08, 0, 0, None), desc(501, 0x08, 0, 0, None)],
    ));
    want.extend(page(
        2,
        &[
            desc(1000, 0x09, 1, 0, Some("E01001L8")),
            // legacy-layout cartridge: type read from its meta file (mhvtl bug 22)
            desc(1001, 0x09, 1, 0, Some("E01002L8")),
            desc(1002, 0x09, 2, 0, Some("CLN001L8")),
            desc(1003, 0x08, 0, 0, None),
            desc(1004, 0x09, 1, 0, Some("OLD001L3")),
        ],
    ));
    assert_eq!(all.len(), want.len());
    assert_eq!(all, want);
    // A short allocation length cuts the data; the counts stay those of the full report.
    let cut = good(&mut f.lu, &res(0, true, 0, 0xffff, false, 20), 0x10000);
    assert_eq!(cut, want[..20]);
    // Storage only, from the third slot, two elements, no volume tags.
    let st = good(&mut f.lu, &res(2, false, 1002, 2, false, 1024), 1024);
    assert_eq!(
        st,
        [
            0x03, 0xea, 0, 2, 0, 0, 0, 32, //
            2, 0, 0, 12, 0, 0, 0, 24, //
            0x03, 0xea, 0x09, 0, 0, 0, 0, 0, 0, 2, 0, 0, //
            0x03, 0xeb, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ]
    );
    // A starting address between types starts at the next element of the type.
    let dt = good(&mut f.lu, &res(4, false, 11, 10, false, 1024), 1024);
    assert_eq!(&dt[..4], &[0x01, 0xf4, 0, 2]);
    // No element at or above the starting address: INVALID ELEMENT ADDRESS at byte 2.
    let c = check(&mut f.lu, &res(3, false, 11, 1, false, 1024));
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
}

#[test]
fn ibm_03584_address_map_and_dvcid() {
    let mut f = fixture("IBM", "03584L32");
    // Element address assignment page: 1 / 0x400 / 0x300 / 0x101.
    let p = good(&mut f.lu, &[0x1a, 0x08, 0x1d, 0, 255, 0], 255);
    assert_eq!(
        p,
        [
            23, 0, 0, 0, 0x9d, 0x12, 0, 1, 0, 1, 0x04, 0x00, 0, 5, 0x03, 0x00, 0, 1, 0x01, 0x01, 0,
            2, 0, 0
        ]
    );
    // Drives with VOLTAG and DVCID: T10 vendor ID based ASCII identifiers.
    let mut id = b"IBM     ULT3580-TD8     ".to_vec();
    id.extend_from_slice(b"DRV0001");
    let dl = 12 + 36 + 4 + id.len();
    let d = good(&mut f.lu, &res(4, true, 0, 10, true, 4096), 4096);
    let n = 2 * dl as u32;
    assert_eq!(&d[..8], &[0x01, 0x01, 0, 2, 0, 0, 0, (8 + n) as u8]);
    assert_eq!(&d[8..16], &[4, 0x80, 0, dl as u8, 0, 0, 0, n as u8]);
    let d0 = &d[16..16 + dl];
    assert_eq!(&d0[..12], &[0x01, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(&d0[48..52], &[0x02, 0x01, 0, id.len() as u8]);
    assert_eq!(&d0[52..], &id[..]);
    let d1 = &d[16 + dl..];
    assert_eq!(&d1[..2], &[0x01, 0x02]);
    assert_eq!(&d1[52..52 + 24], &id[..24]);
    assert_eq!(&d1[76..], b"DRV0002");
    // All elements in address order: picker 1, drives 0x101.., MAP 0x300, slots 0x400...
    let all = good(&mut f.lu, &res(0, true, 0, 0xffff, true, 65535), 65535);
    let mut at = 8;
    let mut order = Vec::new();
    while at < all.len() {
        let ty = all[at];
        let len = usize::from(u16::from_be_bytes([all[at + 2], all[at + 3]]));
        let bytes = u32::from_be_bytes([0, all[at + 5], all[at + 6], all[at + 7]]) as usize;
        // non-drive pages carry the 4-byte empty identifier header with DVCID
        if ty != 4 {
            assert_eq!(len, 52);
        }
        order.push((
            ty,
            u16::from_be_bytes([all[at + 8], all[at + 9]]),
            bytes / len,
        ));
        at += 8 + bytes;
    }
    assert_eq!(
        order,
        [(1, 1, 1), (4, 0x101, 2), (3, 0x300, 1), (2, 0x400, 5)]
    );
}

#[test]
fn loaderinfo_mode_pages() {
    let mut f = fixture("STK", "L700");
    let p = good(&mut f.lu, &[0x1a, 0x08, 0x1e, 0, 255, 0], 255);
    assert_eq!(p, [7, 0, 0, 0, 0x9e, 0x02, 0, 0]);
    let p = good(&mut f.lu, &[0x1a, 0x08, 0x1f, 0, 255, 0], 255);
    let mut want = vec![23, 0, 0, 0, 0x9f, 0x12, 0x0f, 0, 0x0f, 0x0f, 0x0f, 0x0f];
    want.extend([0, 0, 0, 0, 0x0f, 0x0f, 0x0f, 0x0f, 0, 0, 0, 0]);
    assert_eq!(p, want);
    let p = good(&mut f.lu, &[0x1a, 0x08, 0x1d, 0, 255, 0], 255);
    assert_eq!(
        &p[4..],
        &[
            0x9d, 0x12, 0, 1, 0, 1, 0x03, 0xe8, 0, 5, 0, 10, 0, 1, 0x01, 0xf4, 0, 2, 0, 0
        ]
    );
    // INQUIRY: medium changer, vendor / product / revision from the configuration.
    let q = good(&mut f.lu, &[0x12, 0, 0, 0, 36, 0], 36);
    assert_eq!(q[0], 0x08);
    assert_eq!(&q[8..36], b"STK     L700            0107");
    let s = good(&mut f.lu, &[0x12, 1, 0x80, 0, 255, 0], 255);
    assert_eq!(&s[4..], b"LIBSN01");
    // tapeinfo: TapeAlert log page of the library: 64 flags, all clear.
    let t = good(&mut f.lu, &[0x4d, 0, 0x6e, 0, 0, 0, 0, 0x04, 0, 0], 1024);
    // DS (byte 0 bit 7) set by the core: log parameters are not saved.
    assert_eq!(&t[..4], &[0xae, 0, 0x01, 0x40]);
    assert_eq!(&t[4..9], &[0, 1, 0x03, 1, 0]);
    // REZERO UNIT: GOOD.
    good(&mut f.lu, &[0x01, 0, 0, 0, 0, 0], 0);
}

#[test]
fn mtx_load_unload_transfer_exchange_inventory_position() {
    let mut f = fixture("STK", "L700");
    // mtx load 1 0
    good(&mut f.lu, &move_medium(1, 1000, 500), 0);
    {
        let d = f.drives[0].lock().unwrap();
        assert!(d.is_loaded());
        assert_eq!(d.cartridge_barcode().as_deref(), Some("E01001L8"));
    }
    let dt = good(&mut f.lu, &res(4, true, 500, 1, false, 100), 100);
    assert_eq!(
        &dt[16..28],
        &[0x01, 0xf4, 0x09, 0, 0, 0, 0, 0, 0, 0x81, 0x03, 0xe8]
    );
    assert_eq!(&dt[28..36], b"E01001L8");
    // The host talks to the drive: unit attention of the load, then ready.
    let mut host = InProcess::new(SharedLu(f.drives[0].clone()));
    assert_eq!(host.command(7, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    assert!(host.command(7, &TUR, &[], 0).is_good());
    // mtx unload 1 0 (the host did not unload: the library does)
    good(&mut f.lu, &move_medium(0, 500, 1000), 0);
    assert_eq!(f.drives[0].lock().unwrap().cartridge_barcode(), None);
    let st = good(&mut f.lu, &res(2, true, 1000, 1, false, 100), 100);
    assert_eq!(
        &st[16..28],
        &[0x03, 0xe8, 0x09, 0, 0, 0, 0, 0, 0, 0x81, 0x03, 0xe8]
    );
    // mtx transfer 1 4
    good(&mut f.lu, &move_medium(0, 1000, 1003), 0);
    // mtx exchange 2 4: slot 2 <-> slot 4
    good(&mut f.lu, &exchange(1001, 1003, 1001), 0);
    assert_eq!(
        positions(&mut f.lu),
        [
            (1001, "E01001L8".to_string()),
            (1002, "CLN001L8".to_string()),
            (1003, "E01002L8".to_string()),
            (1004, "OLD001L3".to_string()),
        ]
    );
    // exchange through a drive: slot 2 -> drive 1, the drive's cartridge -> slot 1
    good(&mut f.lu, &move_medium(0, 1003, 501), 0);
    good(&mut f.lu, &exchange(1001, 501, 1000), 0);
    assert_eq!(
        f.drives[1].lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01001L8")
    );
    assert_eq!(
        positions(&mut f.lu)[..3],
        [
            (501, "E01001L8".to_string()),
            (1000, "E01002L8".to_string()),
            (1002, "CLN001L8".to_string()),
        ]
    );
    // mtx inventory
    good(&mut f.lu, &[0x07, 0, 0, 0, 0, 0], 0);
    good(&mut f.lu, &[0xe7, 1, 0x03, 0xe8, 0, 0, 0, 2, 0, 0], 0);
    let c = check(&mut f.lu, &[0xe7, 1, 0x07, 0xd0, 0, 0, 0, 2, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
    // mtx eepos / POSITION TO ELEMENT
    good(&mut f.lu, &[0x2b, 0, 0, 1, 0x03, 0xe8, 0, 0, 0, 0], 0);
    let c = check(&mut f.lu, &[0x2b, 0, 0, 1, 0x03, 0xe7, 0, 0, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(4)));
    let c = check(&mut f.lu, &[0x2b, 0, 0, 2, 0x03, 0xe8, 0, 0, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
    let c = check(&mut f.lu, &[0x2b, 0, 0, 1, 0x03, 0xe8, 0, 0, 1, 0]);
    assert_eq!(sense_of(&c), (5, 0x24, 0x00, Some(8)));
}
