//! The drive as a logical unit through the in-process transport: unit attentions around
//! loads, TEST UNIT READY, MODE SENSE/SELECT header and block descriptor, PREVENT and
//! UNLOAD, sense bytes as the initiator sees them.

mod common;

use common::*;
use libvtlcart::MediumType;
use vtl_scsi::{InProcess, Status};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

const TUR: [u8; 6] = [0, 0, 0, 0, 0, 0];

fn lu(home: &std::path::Path) -> InProcess<TapeDrive> {
    InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "XYZZY_A1".into(),
        compression: CompressionConfig::default(),
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }))
}

#[test]
fn load_raises_medium_changed_after_power_on() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "E00001L8", MediumType::Data, "LTO8", 16 << 20);
    let mut t = lu(home.path());
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((2, 0x3a, 0)));
    t.lu().load_barcode("E00001L8").unwrap();
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0)));
    assert!(t.command(1, &TUR, &[], 0).is_good());
    // A nexus that never spoke sees power on first, then is ready.
    assert_eq!(t.command(2, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    assert!(t.command(2, &TUR, &[], 0).is_good());
    // INQUIRY: sequential access, removable, the configured strings.
    let c = t.command(1, &[0x12, 0, 0, 0, 36, 0], &[], 36);
    assert_eq!(c.data[0], 0x01);
    assert_eq!(c.data[1], 0x80);
    assert_eq!(&c.data[8..36], b"IBM     ULT3580-TD8     2160");
    // READ POSITION right after the load.
    let c = t.command(1, &[0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 20);
    assert_eq!(
        c.data,
        [
            0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        ]
    );
}

#[test]
fn read_ili_sense_bytes_and_data() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "E00001L8", MediumType::Data, "LTO8", 16 << 20);
    let mut t = lu(home.path());
    t.lu().load_barcode("E00001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    t.command(1, &TUR, &[], 0);
    let b = pattern(5, 1000);
    assert!(t.command(1, &cdb6(0x0a, 0, 1000), &b, 0).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    let c = t.command(1, &read_var(4096), &[], 4096);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(c.data, b);
    assert_eq!(c.residual, 3096);
    assert_eq!(
        c.sense[..14],
        [0xf0, 0, 0x20, 0, 0, 0x0c, 0x18, 10, 0, 0, 0, 0, 0, 0]
    );
    // REQUEST SENSE returns it once more.
    let c = t.command(1, &[0x03, 0, 0, 0, 18, 0], &[], 18);
    assert_eq!(c.data[2], 0x20);
    // An op code the drive does not implement.
    let c = t.command(1, &[0x06, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x20, 0)));
}

#[test]
fn mode_sense_header_and_block_descriptor_follow_the_drive() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "E00001L8", MediumType::Data, "LTO8", 16 << 20);
    let mut t = lu(home.path());
    t.command(1, &TUR, &[], 0);
    t.lu().load_barcode("E00001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    // MODE SENSE(6) of the control page: header + block descriptor.
    let c = t.command(1, &[0x1a, 0, 0x0a, 0, 0xff, 0], &[], 255);
    assert!(c.is_good(), "{:?}", c.sense());
    assert_eq!(c.data[1], 0x88, "IBM LTO-8 data cartridge");
    assert_eq!(c.data[2], 0x10, "buffered mode 1, not write protected");
    assert_eq!(c.data[3], 8);
    assert_eq!(c.data[4..12], [0x5e, 0, 0, 0, 0, 0, 0, 0]);
    // MODE SELECT(6): fixed 512-byte blocks.
    let sel = [0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0, 0x02, 0x00];
    let c = t.command(1, &[0x15, 0x10, 0, 0, 12, 0], &sel, 0);
    assert!(c.is_good(), "{:?}", c.sense());
    assert_eq!(t.lu().drive().block_size(), 512);
    let c = t.command(1, &[0x1a, 0x00, 0x0a, 0, 0xff, 0], &[], 255);
    assert_eq!(c.data[9..12], [0, 2, 0]);
    // A block length above the limits, a foreign density: INVALID FIELD IN PARAMETER LIST.
    let bad = [0, 0, 0x10, 8, 0, 0, 0, 0, 0, 0x80, 0, 1];
    let c = t.command(1, &[0x15, 0x10, 0, 0, 12, 0], &bad, 0);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    let bad = [0, 0, 0x10, 8, 0x44, 0, 0, 0, 0, 0, 0, 0];
    let c = t.command(1, &[0x15, 0x10, 0, 0, 12, 0], &bad, 0);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    assert_eq!(t.lu().drive().block_size(), 512, "unchanged");
}

#[test]
fn prevent_blocks_unload_and_cleaning_cartridges_announce_themselves() {
    let home = tempfile::tempdir().unwrap();
    cart(
        home.path(),
        "CLN001L1",
        MediumType::Cleaning,
        "LTO8",
        16 << 20,
    );
    let mut t = lu(home.path());
    t.command(1, &TUR, &[], 0);
    t.lu().load_barcode("CLN001L1").unwrap();
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0)));
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x30, 3)));
    // Write protected in the mode header.
    let c = t.command(1, &[0x1a, 0x08, 0x0a, 0, 0xff, 0], &[], 255);
    assert_eq!(c.data[2] & 0x80, 0x80);
    // PREVENT, then UNLOAD is refused, ALLOW lets it through.
    assert!(t.command(1, &[0x1e, 0, 0, 0, 1, 0], &[], 0).is_good());
    let c = t.command(1, &[0x1b, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x53, 2)));
    assert!(t.lu().unload().is_err());
    assert!(t.command(1, &[0x1e, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert!(t.command(1, &[0x1b, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((2, 0x3a, 0)));
    assert_eq!(t.lu().unload().unwrap().as_deref(), Some("CLN001L1"));
}
