//! Every library personality of spec 6.3's table (selected by vendor, then product prefix,
//! case-insensitive), built: its element address map through MODE SENSE page 0x1D and READ
//! ELEMENT STATUS, its INQUIRY data and VPD pages 0x00, 0x80, 0x83 (and 0xC0 for IBM),
//! exact bytes.

mod common;

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::personality::{self, EXAMPLES};
use vtllibrary::{DriveSlot, Library};

/// (vendor, product, personality name, first picker / MAP / drive / slot) — spec 6.3,
/// written out here rather than taken from the crate so that a changed map fails.
const TABLE: &[(&str, &str, &str, [u16; 4])] = &[
    ("STK", "L20", "STK L20/40/80", [1, 10, 500, 1000]),
    ("stk", "l40", "STK L20/40/80", [1, 10, 500, 1000]),
    ("STK", "L80", "STK L20/40/80", [1, 10, 500, 1000]),
    ("STK", "SL500", "STK SL", [1, 10, 500, 1000]),
    ("STK", "L700", "STK L series", [1, 10, 500, 1000]),
    ("IBM", "3573-TL", "IBM TS3100", [1, 0x10, 0x100, 0x1000]),
    ("IBM", "03584L32", "IBM 03584", [1, 0x300, 0x101, 0x400]),
    ("ibm", "ULT3582-TL", "default", [0x2f0, 0x300, 1, 0x400]),
    ("HP", "MSL6480", "HP MSL", [1, 0x1c0, 0x1e0, 0x20]),
    ("HP", "ESL E-Series", "HP EML E-Series", [1, 10, 500, 1000]),
    ("OVERLAND", "OVERLAND NEO", "Overland", [1, 0, 0xff, 2]),
    ("Tandberg", "overland 2000", "Overland", [1, 0, 0xff, 2]),
    (
        "ADIC",
        "ADIC Scalar 100",
        "Scalar",
        [1, 0x10, 0x100, 0x1000],
    ),
    (
        "QUANTUM",
        "quantum i500",
        "Scalar",
        [1, 0x10, 0x100, 0x1000],
    ),
    (
        "SPECTRA",
        "PYTHON",
        "Spectra T-Series",
        [1, 0x10, 0x100, 0x1000],
    ),
    (
        "SPECTRA",
        "T950",
        "Spectra T-Series",
        [1, 0x10, 0x100, 0x1000],
    ),
    ("spectra", "Gator", "Spectra Gator", [0x2c3, 1, 0x2a3, 0x1e]),
    ("SPECTRA", "215", "Spectra Treefrog", [86, 99, 31, 1]),
    ("VTL", "LIB", "default", [0x2f0, 0x300, 1, 0x400]),
    // The vendor decides first: an STK whose product says QUANTUM is an STK.
    ("STK", "QUANTUM", "STK L series", [1, 10, 500, 1000]),
];

/// Slots, MAP elements (one for Overland, whose map has room for one), drives.
fn build(vendor: &str, product: &str, maps: usize) -> (tempfile::TempDir, InProcess<Library>) {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = [drive(home.path(), "DRV0001"), drive(home.path(), "DRV0002")];
    let handles: Vec<Box<dyn DriveSlot>> = drives
        .iter()
        .map(|d| Box::new(d.clone()) as Box<dyn DriveSlot>)
        .collect();
    let mut c = conf(home.path(), vendor, product);
    c.naa = Some([0x50, 0x01, 0x04, 0x00, 0x0a, 0xbc, 0xde, 0xf0]);
    let lib = Library::new(&c, &contents(&SLOTS, maps, 2), handles).unwrap();
    let mut lu = InProcess::new(lib);
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    (home, lu)
}

#[test]
fn every_personality_of_the_table_builds_with_its_map() {
    for &(vendor, product, name, [t, ie, dt, st]) in TABLE {
        let maps = if name == "Overland" { 1 } else { 2 };
        let (_home, mut lu) = build(vendor, product, maps);
        assert_eq!(lu.lu().personality().name, name, "{vendor} / {product}");
        let what = format!("{vendor} / {product}");

        // MODE SENSE(6), DBD, page 0x1D: header (mode data length 23, no block
        // descriptors), then PS + page code, length 0x12, first address and number of
        // each type: transport, storage, import/export, data transfer.
        let m = good(&mut lu, &[0x1a, 0x08, 0x1d, 0, 255, 0], 255);
        let mut want = vec![23, 0, 0, 0, 0x9d, 0x12];
        for (first, n) in [(t, 1u16), (st, 5), (ie, maps as u16), (dt, 2)] {
            want.extend_from_slice(&first.to_be_bytes());
            want.extend_from_slice(&n.to_be_bytes());
        }
        want.extend_from_slice(&[0, 0]);
        assert_eq!(m, want, "{what}: page 0x1D");

        // READ ELEMENT STATUS of each type from address 0: the first descriptor is the
        // type's first element, the last one its last.
        for (code, first, n) in [(1u8, t, 1u16), (2, st, 5), (3, ie, maps as u16), (4, dt, 2)] {
            let d = good(&mut lu, &res(code, false, 0, 0xffff, false, 4096), 4096);
            // Header: first address reported, count, byte count; page header: type, desc 12.
            let bytes = u32::from(n) * 12;
            let mut h = first.to_be_bytes().to_vec();
            h.extend_from_slice(&n.to_be_bytes());
            h.push(0);
            h.extend_from_slice(&(bytes + 8).to_be_bytes()[1..]);
            h.extend_from_slice(&[code, 0, 0, 12, 0]);
            h.extend_from_slice(&bytes.to_be_bytes()[1..]);
            assert_eq!(d[..16], h, "{what}: type {code} headers");
            let addrs: Vec<u16> = d[16..]
                .chunks(12)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            let want: Vec<u16> = (0..n).map(|i| first + i).collect();
            assert_eq!(addrs, want, "{what}: type {code} addresses");
        }

        // INQUIRY: medium changer, vendor / product / revision from the configuration.
        let q = good(&mut lu, &[0x12, 0, 0, 0, 96, 0], 96);
        assert_eq!(q[..8], [0x08, 0x80, 0x06, 0x12, 91, 0, 0, 0], "{what}");
        let mut id = format!("{vendor:<8}{product:<16}0107").into_bytes();
        assert_eq!(q[8..36], id[..], "{what}");
        // Version descriptors SAM-5, SPC-4, SMC-3.
        assert_eq!(
            q[58..66],
            [0x00, 0xa0, 0x04, 0x60, 0x04, 0x80, 0, 0],
            "{what}"
        );

        // VPD 0x00: IBM libraries add 0xC0.
        let ibm = vendor.eq_ignore_ascii_case("IBM");
        let v = good(&mut lu, &[0x12, 1, 0x00, 0, 255, 0], 255);
        let want: &[u8] = if ibm {
            &[0x08, 0x00, 0, 5, 0x00, 0x80, 0x83, 0x86, 0xc0]
        } else {
            &[0x08, 0x00, 0, 4, 0x00, 0x80, 0x83, 0x86]
        };
        assert_eq!(v, want, "{what}: VPD 0x00");

        // VPD 0x80: the unit serial number.
        let v = good(&mut lu, &[0x12, 1, 0x80, 0, 255, 0], 255);
        assert_eq!(v, b"\x08\x80\x00\x07LIBSN01", "{what}: VPD 0x80");

        // VPD 0x83: NAA (binary, type 3) then T10 vendor ID based (ASCII, type 1):
        // vendor (8), product (16), serial.
        let v = good(&mut lu, &[0x12, 1, 0x83, 0, 255, 0], 255);
        let mut want = vec![0x08, 0x83, 0, 47, 0x01, 0x03, 0, 8];
        want.extend_from_slice(&[0x50, 0x01, 0x04, 0x00, 0x0a, 0xbc, 0xde, 0xf0]);
        want.extend_from_slice(&[0x02, 0x01, 0, 31]);
        id.truncate(24);
        want.extend_from_slice(&id);
        want.extend_from_slice(b"LIBSN01");
        assert_eq!(v, want, "{what}: VPD 0x83");

        // VPD 0xC0 only for IBM; others: INVALID FIELD IN CDB at the page code (byte 2).
        let c = lu.command(1, &[0x12, 1, 0xc0, 0, 255, 0], &[], 255);
        if ibm {
            assert!(c.is_good(), "{what}: {:?}", c.sense());
            let mut want = vec![0x08, 0xc0, 0, 0x3c, 0, 0, 0, 0];
            want.extend_from_slice(b"0000");
            want.extend_from_slice(b"11-14-2023              ");
            want.extend_from_slice(&[0; 28]);
            assert_eq!(c.data, want, "{what}: VPD 0xC0");
        } else {
            assert_eq!(sense_of(&c), (5, 0x24, 0, Some(2)), "{what}: VPD 0xC0");
        }
        // 0xD0 and 0xFF are not built for anyone.
        let c = lu.command(1, &[0x12, 1, 0xd0, 0, 255, 0], &[], 255);
        assert_eq!(sense_of(&c), (5, 0x24, 0, Some(2)), "{what}: VPD 0xD0");
    }
}

#[test]
fn examples_select_what_they_name() {
    // The crate's examples (the fuzz target's identities) select their personality, and
    // cover every row of the table above.
    for &(v, p, want) in EXAMPLES {
        assert_eq!(personality::select(v, p), want, "{v} / {p}");
        assert!(
            TABLE.iter().any(|&(_, _, name, _)| name == want.name),
            "{v} / {p}"
        );
    }
    for &(_, _, name, _) in TABLE {
        assert!(
            EXAMPLES.iter().any(|e| e.2.name == name),
            "no example for {name}"
        );
    }
}

/// Overland with two MAP elements is refused naming the element (the daemon adds the
/// library_contents line, `vtl-daemon`'s tests).
#[test]
fn overland_with_two_map_elements_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let c = conf(home.path(), "OVERLAND", "OVERLAND NEO");
    let e = Library::new(&c, &contents(&SLOTS, 2, 0), Vec::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the Overland address map (picker 0x1, MAP 0x0, drives 0xff, slots 0x2) has room \
         for 1 MAP element(s): MAP 2 would be at element address 0x1, the address of Picker 1"
    );
}
