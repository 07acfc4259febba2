//! mtx, loaderinfo and tapeinfo replays: the commands those tools send, with the exact
//! bytes SMC-3 6.11 / 7.3 prescribe.

mod common;

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::SharedLu;

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

/// First element addresses of a personality (medium transport, import/export, data
/// transfer, storage), as the spec's table (mhvtl reference 6.3) gives them.
#[derive(Debug, Clone, Copy)]
struct AddressMap {
    picker: u16,
    map: u16,
    drive: u16,
    slot: u16,
}

const STK_L700: AddressMap = AddressMap {
    picker: 1,
    map: 10,
    drive: 500,
    slot: 1000,
};
const IBM_03584: AddressMap = AddressMap {
    picker: 1,
    map: 0x300,
    drive: 0x101,
    slot: 0x400,
};
const HP_MSL: AddressMap = AddressMap {
    picker: 1,
    map: 0x1c0,
    drive: 0x1e0,
    slot: 0x20,
};

/// What an element should report: empty, or (volume tag, SMC MEDIUM TYPE, source
/// element address: SVALID set when there is one).
type Held = Option<(&'static str, u8, Option<u16>)>;

/// The whole library as READ ELEMENT STATUS should report it (the fixture: 5 slots,
/// 1 MAP with its door closed, 2 drives, 1 empty picker).
#[derive(Debug, Clone, Copy)]
struct Expected {
    slots: [Held; 5],
    map: Held,
    drives: [Held; 2],
}

/// The fixture as library_contents puts it: no source addresses yet.
const START: Expected = Expected {
    slots: [
        Some(("E01001L8", 1, None)),
        Some(("E01002L8", 1, None)),
        Some(("CLN001L8", 2, None)),
        None,
        Some(("OLD001L3", 1, None)),
    ],
    map: None,
    drives: [None, None],
};

/// READ ELEMENT STATUS of every element of type `ty` must be exactly `descs`.
fn assert_type(
    lu: &mut InProcess<vtllibrary::Library>,
    ty: u8,
    first: u16,
    descs: &[Vec<u8>],
    step: &str,
) {
    assert_eq!(
        read_type(lu, ty),
        report(ty, first, descs),
        "{step}: element type {ty}"
    );
}

/// The descriptor of element `addr` holding `h` (`base`: flags of the empty element).
fn held(addr: u16, base: u8, h: Held) -> Vec<u8> {
    match h {
        None => desc(addr, base, 0, 0, None),
        Some((tag, ty, None)) => desc(addr, base | 0x01, ty, 0, Some(tag)),
        Some((tag, ty, Some(src))) => desc(addr, base | 0x01, 0x80 | ty, src, Some(tag)),
    }
}

/// Every element of the library reports exactly `e`.
fn assert_state(lu: &mut InProcess<vtllibrary::Library>, m: AddressMap, e: &Expected, step: &str) {
    assert_type(lu, 1, m.picker, &[desc(m.picker, 0, 0, 0, None)], step);
    let slots: Vec<_> = (0..5u16)
        .map(|i| held(m.slot + i, 0x08, e.slots[usize::from(i)]))
        .collect();
    assert_type(lu, 2, m.slot, &slots, step);
    assert_type(lu, 3, m.map, &[held(m.map, 0x38, e.map)], step);
    let drives: Vec<_> = (0..2u16)
        .map(|i| held(m.drive + i, 0x08, e.drives[usize::from(i)]))
        .collect();
    assert_type(lu, 4, m.drive, &drives, step);
}

/// The barcode each drive holds.
fn loaded(f: &Fixture) -> Vec<Option<String>> {
    f.drives
        .iter()
        .map(|d| d.lock().unwrap().cartridge_barcode())
        .collect()
}

/// mtx status, load, unload, transfer (slot to slot, slot to MAP), exchange (slots, and
/// through a drive) and inventory against the library `vendor`/`product`, whose first
/// addresses are `m`: after every step, the exact element status of every element
/// (addresses, FULL/ACCESS, SVALID and source element address, volume tags) and what the
/// drives hold.
fn mtx_replay(vendor: &str, product: &str, m: AddressMap) {
    let mut f = fixture(vendor, product);
    let slot = |n: u16| m.slot + n - 1;
    let drive = |n: u16| m.drive + n;
    let mut e = START;
    assert_state(&mut f.lu, m, &e, "mtx status");
    // mtx load 1 0
    good(&mut f.lu, &move_medium(m.picker, slot(1), drive(0)), 0);
    e.slots[0] = None;
    e.drives[0] = Some(("E01001L8", 1, Some(slot(1))));
    assert_state(&mut f.lu, m, &e, "mtx load 1 0");
    assert_eq!(loaded(&f), [Some("E01001L8".to_string()), None]);
    // The host talks to the drive: unit attention of the load, then ready.
    let mut host = InProcess::new(SharedLu(f.drives[0].clone()));
    assert_eq!(host.command(7, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    assert!(host.command(7, &TUR, &[], 0).is_good());
    // mtx unload 1 0 (the host did not unload: the library does)
    good(&mut f.lu, &move_medium(0, drive(0), slot(1)), 0);
    e.slots[0] = Some(("E01001L8", 1, Some(slot(1))));
    e.drives[0] = None;
    assert_state(&mut f.lu, m, &e, "mtx unload 1 0");
    assert_eq!(loaded(&f), [None, None]);
    // mtx transfer 1 4
    good(&mut f.lu, &move_medium(0, slot(1), slot(4)), 0);
    e.slots[0] = None;
    e.slots[3] = Some(("E01001L8", 1, Some(slot(1))));
    assert_state(&mut f.lu, m, &e, "mtx transfer 1 4");
    // mtx exchange 2 4: slot 2 -> slot 4, slot 4 -> slot 2
    good(&mut f.lu, &exchange(slot(2), slot(4), slot(2)), 0);
    e.slots[1] = Some(("E01001L8", 1, Some(slot(4))));
    e.slots[3] = Some(("E01002L8", 1, Some(slot(2))));
    assert_state(&mut f.lu, m, &e, "mtx exchange 2 4");
    // mtx load 4 1, then exchange through the drive: slot 2 -> drive 1, the drive's
    // cartridge -> slot 1 (its source stays the slot it came from)
    good(&mut f.lu, &move_medium(0, slot(4), drive(1)), 0);
    e.slots[3] = None;
    e.drives[1] = Some(("E01002L8", 1, Some(slot(4))));
    assert_state(&mut f.lu, m, &e, "mtx load 4 1");
    good(&mut f.lu, &exchange(slot(2), drive(1), slot(1)), 0);
    e.slots[1] = None;
    e.drives[1] = Some(("E01001L8", 1, Some(slot(2))));
    e.slots[0] = Some(("E01002L8", 1, Some(slot(4))));
    assert_state(&mut f.lu, m, &e, "exchange slot 2, drive 1, slot 1");
    assert_eq!(loaded(&f), [None, Some("E01001L8".to_string())]);
    // mtx transfer 3 6 (mtx numbers the import/export element after the slots)
    good(&mut f.lu, &move_medium(0, slot(3), m.map), 0);
    e.slots[2] = None;
    e.map = Some(("CLN001L8", 2, Some(slot(3))));
    assert_state(&mut f.lu, m, &e, "mtx transfer 3 6");
    // mtx inventory (INITIALIZE ELEMENT STATUS, then WITH RANGE over the slots): nothing
    // moves, nothing changes.
    good(&mut f.lu, &[0x07, 0, 0, 0, 0, 0], 0);
    assert_state(&mut f.lu, m, &e, "mtx inventory");
    let [a0, a1] = m.slot.to_be_bytes();
    good(&mut f.lu, &[0xe7, 1, a0, a1, 0, 0, 0, 5, 0, 0], 0);
    assert_state(&mut f.lu, m, &e, "INITIALIZE ELEMENT STATUS WITH RANGE");
    assert_eq!(loaded(&f), [None, Some("E01001L8".to_string())]);
    // No element at or above the start address: INVALID ELEMENT ADDRESS at byte 2.
    let c = check(&mut f.lu, &[0xe7, 1, 0xff, 0xf0, 0, 0, 0, 2, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
}

#[test]
fn mtx_replay_stk_l700() {
    mtx_replay("STK", "L700", STK_L700);
}

#[test]
fn mtx_replay_ibm_03584() {
    mtx_replay("IBM", "03584L32", IBM_03584);
}

#[test]
fn mtx_replay_hp_msl() {
    mtx_replay("HP", "MSL6480", HP_MSL);
}

#[test]
fn position_to_element() {
    let mut f = fixture("STK", "L700");
    good(&mut f.lu, &[0x2b, 0, 0, 1, 0x03, 0xe8, 0, 0, 0, 0], 0);
    let c = check(&mut f.lu, &[0x2b, 0, 0, 1, 0x03, 0xe7, 0, 0, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(4)));
    let c = check(&mut f.lu, &[0x2b, 0, 0, 2, 0x03, 0xe8, 0, 0, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
    let c = check(&mut f.lu, &[0x2b, 0, 0, 1, 0x03, 0xe8, 0, 0, 1, 0]);
    assert_eq!(sense_of(&c), (5, 0x24, 0x00, Some(8)));
}

/// Sense key, ASC, ASCQ and sense-key specific bytes 15..=17 of fixed-format sense.
fn raw_sense(c: &vtl_scsi::Completion) -> (u8, u8, u8, [u8; 3]) {
    let s = &c.sense;
    assert_eq!(s[0] & 0x7f, 0x70, "fixed format: {s:02x?}");
    (s[2] & 0x0f, s[12], s[13], [s[15], s[16], s[17]])
}

#[test]
fn mtx_eepos_sets_the_control_byte_vendor_bits() {
    // mtx's `eepos N` puts N in bits 7-6 of the CONTROL byte (byte 11) of MOVE MEDIUM and
    // EXCHANGE MEDIUM (0: leave the import/export tray alone; 1 and 2: vendor specific
    // tray extend/retract). Vendor specific bits of the CONTROL byte (SAM-5 5.2): accepted
    // and the move made.
    let mut f = fixture("STK", "L700");
    let with = |mut cdb: [u8; 12], control: u8| {
        cdb[11] = control;
        cdb
    };
    // mtx eepos 1 load 1 0
    good(&mut f.lu, &with(move_medium(0, 1000, 500), 0x40), 0);
    assert_eq!(loaded(&f), [Some("E01001L8".to_string()), None]);
    // mtx eepos 2 unload 1 0
    good(&mut f.lu, &with(move_medium(0, 500, 1000), 0x80), 0);
    assert_eq!(loaded(&f), [None, None]);
    // mtx eepos 1 transfer 1 6 (into the MAP), eepos 2 transfer 6 4
    good(&mut f.lu, &with(move_medium(0, 1000, 10), 0x40), 0);
    good(&mut f.lu, &with(move_medium(0, 10, 1003), 0x80), 0);
    // mtx eepos 1 exchange 2 4
    good(&mut f.lu, &with(exchange(1001, 1003, 1001), 0x40), 0);
    let after = [
        (1001, "E01001L8".to_string()),
        (1002, "CLN001L8".to_string()),
        (1003, "E01002L8".to_string()),
        (1004, "OLD001L3".to_string()),
    ];
    assert_eq!(positions(&mut f.lu), after);
    // NACA (bit 2) and the obsolete FLAG/LINK bits (1, 0) are still refused, with or
    // without eepos bits: ILLEGAL REQUEST / INVALID FIELD IN CDB, SKSV + C/D + BPV and
    // the bit, field pointer byte 11. Nothing moves.
    for (control, bit) in [(0x01, 0), (0x02, 1), (0x04, 2), (0x41, 0), (0x86, 2)] {
        let c = check(&mut f.lu, &with(move_medium(0, 1001, 500), control));
        assert_eq!(
            raw_sense(&c),
            (5, 0x24, 0, [0xc8 | bit, 0, 11]),
            "{control:#x}"
        );
        let c = check(&mut f.lu, &with(exchange(1001, 1003, 1001), control));
        assert_eq!(
            raw_sense(&c),
            (5, 0x24, 0, [0xc8 | bit, 0, 11]),
            "{control:#x}"
        );
    }
    assert_eq!(positions(&mut f.lu), after);
    assert_eq!(loaded(&f), [None, None]);
}
