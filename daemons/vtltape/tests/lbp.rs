//! Logical block protection through the SCSI logical unit: mode page 0x0A/0xF0, WRITE with
//! LBP_W (good and bad protection bytes, both methods, both RS-CRC byte orders), READ with
//! LBP_R, VERIFY with VLBPM and BYTCMP.

mod common;

use common::{block_number, cart, param_field};
use libvtlcart::MediumType;
use vtl_scsi::{InProcess, SenseKeySpecific};
use vtltape::lbp::RsCrcOrder;
use vtltape::{DriveConfig, TapeDrive};

const TUR: [u8; 6] = [0; 6];
const REWIND: [u8; 6] = [0x01, 0, 0, 0, 0, 0];

/// CASTOR's test block (the primes 2..157) with its known RS-CRC 0x733D4DCA and CRC32C
/// 0xE8174F48.
const BLOCK: [u8; 37] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157,
];
const RS_BE: [u8; 4] = [0x73, 0x3d, 0x4d, 0xca];
const RS_LE: [u8; 4] = [0xca, 0x4d, 0x3d, 0x73];
const CRC32C_LE: [u8; 4] = [0x48, 0x4f, 0x17, 0xe8];

fn drive(product: &str, order: RsCrcOrder) -> (tempfile::TempDir, InProcess<TapeDrive>) {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "E00001L8", MediumType::Data, "LTO8", 16 << 20);
    cart(home.path(), "E00002L6", MediumType::Data, "LTO6", 16 << 20);
    let mut t = InProcess::new(TapeDrive::new(DriveConfig {
        product: product.into(),
        media_home: Some(home.path().to_path_buf()),
        lbp_rscrc_order: order,
        ..Default::default()
    }));
    let pcl = if product.ends_with('8') {
        "E00001L8"
    } else {
        "E00002L6"
    };
    t.lu().load_barcode(pcl).unwrap();
    for _ in 0..3 {
        if t.command(1, &TUR, &[], 0).is_good() {
            break;
        }
    }
    (home, t)
}

/// MODE SELECT(6) of page 0x0A/0xF0 with `method`, `len`, byte 6 `bits`.
fn select(t: &mut InProcess<TapeDrive>, method: u8, len: u8, bits: u8) -> vtl_scsi::Completion {
    let mut l = vec![0u8; 4];
    let mut p = vec![0u8; 32];
    p[0] = 0x4a;
    p[1] = 0xf0;
    p[3] = 0x1c;
    p[4] = method;
    p[5] = len;
    p[6] = bits;
    l.extend_from_slice(&p);
    t.command(1, &[0x15, 0x10, 0, 0, l.len() as u8, 0], &l, 0)
}

fn page(t: &mut InProcess<TapeDrive>) -> Vec<u8> {
    let c = t.command(1, &[0x1a, 0x08, 0x0a, 0xf0, 255, 0], &[], 255);
    assert!(c.is_good(), "{:?}", c.key_asc());
    c.data[4..].to_vec()
}

fn write(t: &mut InProcess<TapeDrive>, fixed: bool, len: u32, data: &[u8]) -> vtl_scsi::Completion {
    let l = len.to_be_bytes();
    t.command(1, &[0x0a, u8::from(fixed), l[1], l[2], l[3], 0], data, 0)
}

fn read(t: &mut InProcess<TapeDrive>, fixed: bool, len: u32, alloc: usize) -> vtl_scsi::Completion {
    let l = len.to_be_bytes();
    t.command(1, &[0x08, u8::from(fixed), l[1], l[2], l[3], 0], &[], alloc)
}

fn unit(block: &[u8], pi: [u8; 4]) -> Vec<u8> {
    let mut v = block.to_vec();
    v.extend_from_slice(&pi);
    v
}

#[test]
fn mode_page_defaults_changeable_values_and_checks() {
    let (_h, mut t) = drive("ULT3580-TD8", RsCrcOrder::BigEndian);
    let mut want = vec![0u8; 32];
    want[0] = 0xca; // PS, SPF, page 0x0A
    want[1] = 0xf0;
    want[3] = 0x1c;
    assert_eq!(page(&mut t), want);
    let c = t.command(1, &[0x1a, 0x08, 0x4a, 0xf0, 255, 0], &[], 255);
    assert_eq!(c.data[8..11], [0xff, 0x3f, 0xe0], "changeable");

    assert!(select(&mut t, 1, 4, 0xc0).is_good());
    want[4] = 1;
    want[5] = 4;
    want[6] = 0xc0;
    assert_eq!(page(&mut t), want);
    assert!(select(&mut t, 2, 4, 0x40).is_good());
    assert_eq!(page(&mut t)[4..7], [2, 4, 0x40]);
    assert!(select(&mut t, 0, 0, 0).is_good());
    assert_eq!(page(&mut t)[4..7], [0, 0, 0]);

    // Reserved method, wrong length, bits without a method: the field in the list.
    assert_eq!(param_field(&select(&mut t, 3, 4, 0xc0)), (8, None));
    assert_eq!(param_field(&select(&mut t, 1, 8, 0xc0)), (9, Some(5)));
    assert_eq!(param_field(&select(&mut t, 0, 4, 0)), (9, Some(5)));
    assert_eq!(param_field(&select(&mut t, 0, 0, 0x80)), (10, Some(7)));
    assert_eq!(page(&mut t)[4..7], [0, 0, 0], "nothing changed");
}

#[test]
fn lto6_has_rs_crc_only_and_lto4_no_page() {
    let (_h, mut t) = drive("ULT3580-TD6", RsCrcOrder::BigEndian);
    assert!(select(&mut t, 1, 4, 0xc0).is_good());
    assert_eq!(param_field(&select(&mut t, 2, 4, 0xc0)), (8, None));
    let home = tempfile::tempdir().unwrap();
    let mut t4 = InProcess::new(TapeDrive::new(DriveConfig {
        product: "ULT3580-TD4".into(),
        media_home: Some(home.path().to_path_buf()),
        ..Default::default()
    }));
    let _ = t4.command(1, &TUR, &[], 0);
    let c = t4.command(1, &[0x1a, 0x08, 0x0a, 0xf0, 255, 0], &[], 255);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
}

/// Write with the protection bytes, read them back, in both methods and orders.
#[test]
fn write_checks_and_read_appends_protection() {
    for (product, method, order, pi, other) in [
        ("ULT3580-TD8", 1, RsCrcOrder::BigEndian, RS_BE, RS_LE),
        ("ULT3580-TD6", 1, RsCrcOrder::LittleEndian, RS_LE, RS_BE),
        ("ULT3580-TD8", 2, RsCrcOrder::BigEndian, CRC32C_LE, RS_BE),
    ] {
        let ctx = format!("{product} method {method} {order:?}");
        let (_h, mut t) = drive(product, order);
        assert!(select(&mut t, method, 4, 0xc0).is_good());
        // A wrong CRC (the other order or method): ABORTED COMMAND, nothing written.
        let c = write(&mut t, false, 41, &unit(&BLOCK, other));
        assert_eq!(c.key_asc(), Some((0x0b, 0x10, 0x01)), "{ctx}");
        assert_eq!(c.sense().unwrap().information, Some(41));
        assert_eq!(block_number(&mut t), 0, "{ctx}");
        // One flipped data bit: refused too.
        let mut bad = unit(&BLOCK, pi);
        bad[3] ^= 0x10;
        assert_eq!(
            write(&mut t, false, 41, &bad).key_asc(),
            Some((0x0b, 0x10, 0x01))
        );
        // Transfer length not above the protection bytes.
        assert_eq!(write(&mut t, false, 4, &pi).key_asc(), Some((5, 0x24, 0)));
        // The right CRC: the 37-byte block is written.
        assert!(
            write(&mut t, false, 41, &unit(&BLOCK, pi)).is_good(),
            "{ctx}"
        );
        assert_eq!(block_number(&mut t), 1);
        assert!(t.command(1, &REWIND, &[], 0).is_good());
        // READ with LBP_R: the block and its 4 bytes, counted in the transfer length.
        let c = read(&mut t, false, 41, 41);
        assert!(c.is_good(), "{ctx}: {:?}", c.key_asc());
        assert_eq!(c.data, unit(&BLOCK, pi), "{ctx}");
        // Without LBP_R the block alone; without LBP_W it is stored as sent.
        assert!(select(&mut t, method, 4, 0x00).is_good());
        assert!(t.command(1, &REWIND, &[], 0).is_good());
        let c = read(&mut t, false, 37, 37);
        assert!(c.is_good());
        assert_eq!(c.data, BLOCK);
    }
}

#[test]
fn read_length_rules_count_the_protection_bytes() {
    let (_h, mut t) = drive("ULT3580-TD8", RsCrcOrder::BigEndian);
    assert!(write(&mut t, false, 37, &BLOCK).is_good());
    assert!(select(&mut t, 1, 4, 0x40).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    // Asking for 37: the block and its CRC are 41 bytes, 4 too many: ILI, INFORMATION -4.
    let c = read(&mut t, false, 37, 37);
    assert_eq!(c.key_asc(), Some((0, 0, 0)));
    let s = c.sense().unwrap();
    assert!(s.ili);
    assert_eq!(s.information, Some(-4));
    assert_eq!(c.data, BLOCK);
}

#[test]
fn fixed_blocks_each_carry_their_protection() {
    let (_h, mut t) = drive("ULT3580-TD8", RsCrcOrder::BigEndian);
    // Fixed block length 37 (mode parameter block descriptor).
    let l = [0u8, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0, 37];
    assert!(t.command(1, &[0x15, 0x10, 0, 0, 12, 0], &l, 0).is_good());
    assert!(select(&mut t, 2, 4, 0xc0).is_good());
    let mut two = unit(&BLOCK, CRC32C_LE);
    two.extend_from_slice(&unit(&BLOCK, CRC32C_LE));
    assert!(write(&mut t, true, 2, &two).is_good());
    let mut bad = two.clone();
    bad[80] ^= 1;
    let c = write(&mut t, true, 2, &bad);
    assert_eq!(c.key_asc(), Some((0x0b, 0x10, 0x01)));
    assert_eq!(c.sense().unwrap().information, Some(2));
    assert_eq!(
        block_number(&mut t),
        2,
        "nothing of the bad transfer written"
    );
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    let c = read(&mut t, true, 2, 82);
    assert!(c.is_good(), "{:?}", c.key_asc());
    assert_eq!(c.data, two);
}

#[test]
fn verify_with_vlbpm_and_bytcmp() {
    let (_h, mut t) = drive("ULT3580-TD8", RsCrcOrder::BigEndian);
    assert!(write(&mut t, false, 37, &BLOCK).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    // VLBPM without a method: INVALID FIELD IN CDB byte 1 bit 4.
    let c = t.command(1, &[0x13, 0x10, 0, 0, 37, 0], &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    match c.sense().unwrap().specific {
        Some(SenseKeySpecific::Field {
            in_cdb: true,
            byte: 1,
            bit: Some(4),
        }) => {}
        o => panic!("{o:?}"),
    }
    assert!(select(&mut t, 1, 4, 0xc0).is_good());
    assert!(t.command(1, &[0x13, 0x10, 0, 0, 37, 0], &[], 0).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    // BYTCMP with LBP_W: the data-out block carries its CRC.
    let bytcmp = [0x13, 0x04, 0, 0, 41, 0];
    assert!(t.command(1, &bytcmp, &unit(&BLOCK, RS_BE), 0).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    let c = t.command(1, &bytcmp, &unit(&BLOCK, RS_LE), 0);
    assert_eq!(c.key_asc(), Some((0x0b, 0x10, 0x01)));
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    let mut other = BLOCK;
    other[0] = 99;
    let pi = vtltape::lbp::rs_crc(0, &other).to_be_bytes();
    let c = t.command(1, &bytcmp, &unit(&other, pi), 0);
    assert_eq!(c.key_asc(), Some((0x0e, 0x1d, 0)));
}

/// With encryption on, the protection bytes are those of the plaintext the host wrote and
/// reads back.
#[test]
fn protection_covers_the_plaintext_of_encrypted_blocks() {
    let (_h, mut t) = drive("ULT3580-TD8", RsCrcOrder::BigEndian);
    let key = [0x5c; 32];
    let mut p = vec![0u8; 20];
    p[1] = 0x10;
    p[3] = 16 + 32;
    p[4] = 0x40;
    p[6] = 2;
    p[7] = 2;
    p[8] = 1;
    p[19] = 32;
    p.extend_from_slice(&key);
    let c = t.command(1, &[0xb5, 0x20, 0, 0x10, 0, 0, 0, 0, 0, 52, 0, 0], &p, 0);
    assert!(c.is_good(), "{:?}", c.key_asc());
    assert!(select(&mut t, 2, 4, 0xc0).is_good());
    assert!(write(&mut t, false, 41, &unit(&BLOCK, CRC32C_LE)).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    let c = read(&mut t, false, 41, 41);
    assert!(c.is_good(), "{:?}", c.key_asc());
    assert_eq!(c.data, unit(&BLOCK, CRC32C_LE));
}
