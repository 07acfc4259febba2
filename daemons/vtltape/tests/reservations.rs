//! PERSISTENT RESERVE against the tape drive with two initiators (two I_T nexuses of the
//! transport): register, WRITE EXCLUSIVE, the other initiator's writes conflict while its
//! reads pass, preempt, release — and FORMAT MEDIUM is a write-class command.

mod common;

use common::{cart, pattern};
use libvtlcart::MediumType;
use vtl_scsi::{InProcess, Status};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

const A: u64 = 1;
const B: u64 = 2;
const KEY_A: u64 = 0xaaaa_0000_0000_0001;
const KEY_B: u64 = 0xbbbb_0000_0000_0002;
const TUR: [u8; 6] = [0; 6];

/// PERSISTENT RESERVE OUT `sa` (type `ty`, scope LU) with RESERVATION KEY `key` and
/// SERVICE ACTION RESERVATION KEY `sa_key`.
fn prout(t: &mut InProcess<TapeDrive>, n: u64, sa: u8, ty: u8, key: u64, sa_key: u64) -> Status {
    let mut pl = [0u8; 24];
    pl[0..8].copy_from_slice(&key.to_be_bytes());
    pl[8..16].copy_from_slice(&sa_key.to_be_bytes());
    t.command(n, &[0x5f, sa, ty, 0, 0, 0, 0, 0, 24, 0], &pl, 0)
        .status
}

fn write(t: &mut InProcess<TapeDrive>, n: u64, data: &[u8]) -> vtl_scsi::Completion {
    let l = (data.len() as u32).to_be_bytes();
    t.command(n, &[0x0a, 0, l[1], l[2], l[3], 0], data, 0)
}

#[test]
fn write_exclusive_between_two_initiators() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "RES001L8", MediumType::Data, "LTO8", 32 << 20);
    let mut t = InProcess::new(TapeDrive::new(DriveConfig {
        product: "ULT3580-TD8".into(),
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.path().to_path_buf()),
        ..Default::default()
    }));
    t.lu().load_barcode("RES001L8").unwrap();
    for n in [A, B] {
        assert_eq!(t.command(n, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
        assert!(t.command(n, &TUR, &[], 0).is_good());
    }
    let block = pattern(3, 4096);
    assert!(write(&mut t, B, &block).is_good());
    // Both register; A reserves WRITE EXCLUSIVE (type 1).
    assert_eq!(prout(&mut t, A, 0x00, 0, 0, KEY_A), Status::Good);
    assert_eq!(prout(&mut t, B, 0x00, 0, 0, KEY_B), Status::Good);
    assert_eq!(prout(&mut t, A, 0x01, 0x01, KEY_A, 0), Status::Good);
    // READ RESERVATION: generation 2 (two registrations; RESERVE does not count), A's
    // key, scope LU, type 1.
    let d = t
        .command(B, &[0x5e, 0x01, 0, 0, 0, 0, 0, 0, 32, 0], &[], 32)
        .data;
    let mut want = vec![0, 0, 0, 2, 0, 0, 0, 16];
    want.extend_from_slice(&KEY_A.to_be_bytes());
    want.extend_from_slice(&[0, 0, 0, 0, 0, 0x01, 0, 0]);
    assert_eq!(d, want);
    // B: writes, filemarks, erase and format conflict; nothing is written.
    let c = write(&mut t, B, &block);
    assert_eq!(c.status, Status::ReservationConflict);
    assert!(c.sense.is_empty());
    for cdb in [
        &[0x10, 0, 0, 0, 1, 0][..],
        &[0x19, 1, 0, 0, 0, 0][..],
        &[0x04, 0, 0, 0, 0, 0][..],
        &[0x0b, 0, 0, 0x80, 0, 0][..],
    ] {
        assert_eq!(
            t.command(B, cdb, &[], 0).status,
            Status::ReservationConflict,
            "{cdb:02x?}"
        );
    }
    assert_eq!(
        t.lu()
            .drive()
            .cartridge()
            .unwrap()
            .partition(0)
            .unwrap()
            .eod(),
        1
    );
    // B: reads and positioning pass.
    assert!(t.command(B, &[0x01, 0, 0, 0, 0, 0], &[], 0).is_good());
    let c = t.command(B, &[0x08, 0, 0, 0x10, 0, 0], &[], 4096);
    assert!(c.is_good(), "{:?}", c.sense());
    assert_eq!(c.data, block);
    let c = t.command(B, &[0x34, 0x06, 0, 0, 0, 0, 0, 0, 0, 0], &[], 32);
    assert_eq!(c.data[8..16], 1u64.to_be_bytes());
    // A, the holder, writes.
    assert!(write(&mut t, A, &block).is_good());
    // B preempts A's reservation (PREEMPT, type 1): A loses its registration and hears
    // REGISTRATIONS PREEMPTED; now A's writes conflict and B's pass.
    assert_eq!(prout(&mut t, B, 0x04, 0x01, KEY_B, KEY_A), Status::Good);
    assert_eq!(t.command(A, &TUR, &[], 0).key_asc(), Some((6, 0x2a, 0x05)));
    assert_eq!(write(&mut t, A, &block).status, Status::ReservationConflict);
    assert!(write(&mut t, B, &block).is_good());
    // A, unregistered, may still read (WRITE EXCLUSIVE).
    assert!(t.command(A, &[0x01, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert!(t.command(A, &[0x08, 0, 0, 0x10, 0, 0], &[], 4096).is_good());
    // B releases (only registrants hear of it, and A is no longer one); A writes again.
    assert_eq!(prout(&mut t, B, 0x02, 0x01, KEY_B, 0), Status::Good);
    assert!(t.command(A, &[0x11, 0x03, 0, 0, 0, 0], &[], 0).is_good());
    assert!(write(&mut t, A, &block).is_good());
    assert_eq!(
        t.lu()
            .drive()
            .cartridge()
            .unwrap()
            .partition(0)
            .unwrap()
            .eod(),
        4
    );
    // READ KEYS: generation 3 (the preemption), only B is registered.
    let d = t
        .command(A, &[0x5e, 0x00, 0, 0, 0, 0, 0, 0, 32, 0], &[], 32)
        .data;
    let mut want = vec![0, 0, 0, 3, 0, 0, 0, 8];
    want.extend_from_slice(&KEY_B.to_be_bytes());
    assert_eq!(d, want);
}
