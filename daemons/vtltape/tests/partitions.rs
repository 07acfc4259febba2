//! Partitions through the logical unit: MODE SELECT page 0x11 refusals with their field
//! pointers, FORMAT MEDIUM refusals, SET CAPACITY on a partitioned medium, a legacy
//! cartridge's single partition, per-partition early warning and programmable early
//! warning (page 0x10/0x01 PEWS, 00/07 once per crossing, BPEW in READ POSITION).

mod common;

use common::{NO_COMPRESSION, cart, cart_in, lto8_lu, pattern};
use libvtlcart::{Format, MediumType};
use vtl_scsi::{InProcess, Status};
use vtltape::TapeDrive;

const MIB: u64 = 1 << 20;
const TUR: [u8; 6] = [0; 6];

fn lu(home: &std::path::Path, pcl: &str) -> InProcess<TapeDrive> {
    let mut t = InProcess::new(lto8_lu(home, NO_COMPRESSION));
    t.command(1, &TUR, &[], 0);
    t.lu().load_barcode(pcl).unwrap();
    t.command(1, &TUR, &[], 0);
    assert!(t.command(1, &TUR, &[], 0).is_good());
    t
}

/// MODE SENSE(10) of `page`/`sub` with block descriptor (64 bytes).
fn sense10(t: &mut InProcess<TapeDrive>, page: u8, sub: u8) -> Vec<u8> {
    let c = t.command(1, &[0x5a, 0, page, sub, 0, 0, 0, 0, 64, 0], &[], 64);
    assert!(c.is_good(), "{:?}", c.sense());
    c.data
}

/// MODE SELECT(10) of `list`; the completion.
fn select10(t: &mut InProcess<TapeDrive>, list: &[u8]) -> vtl_scsi::Completion {
    let l = (list.len() as u16).to_be_bytes();
    t.command(1, &[0x55, 0x10, 0, 0, 0, 0, 0, l[0], l[1], 0], list, 0)
}

/// The page 0x11 MODE SELECT list for `count` partitions with IDP, PSUM 11b, units `u` and
/// `sizes` (header and block descriptor as sensed, page at 16).
fn partition_list(t: &mut InProcess<TapeDrive>, flags: u8, u: u8, sizes: &[u16]) -> Vec<u8> {
    let mut d = sense10(t, 0x11, 0);
    d.truncate(16 + 16);
    d[0] = 0;
    d[1] = 0;
    d[19] = sizes.len().max(1) as u8 - 1;
    d[20] = flags | 0x1c;
    d[22] = u;
    for (i, s) in sizes.iter().enumerate() {
        d[24 + 2 * i..26 + 2 * i].copy_from_slice(&s.to_be_bytes());
    }
    d
}

/// Sense-key specific bytes 15..17 (SKSV, C/D, BPV, bit; field pointer).
fn sks(c: &vtl_scsi::Completion) -> [u8; 3] {
    c.sense[15..18].try_into().unwrap()
}

fn write(t: &mut InProcess<TapeDrive>, data: &[u8]) -> vtl_scsi::Completion {
    let l = (data.len() as u32).to_be_bytes();
    t.command(1, &[0x0a, 0, l[1], l[2], l[3], 0], data, 0)
}

#[test]
fn mode_select_page_0x11_refusals_point_at_the_field() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "PAR001L8", MediumType::Data, "LTO8", 64 * MIB);
    let mut t = lu(home.path(), "PAR001L8");
    // Two partitions taking the rest: second descriptor (page byte 10 = list byte 26).
    let l = partition_list(&mut t, 0x20, 6, &[0xffff, 0xffff]);
    let c = select10(&mut t, &l);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    assert_eq!(sks(&c), [0x80, 0, 26]);
    // A size of 0 for a defined partition.
    let l = partition_list(&mut t, 0x20, 6, &[10, 0]);
    let c = select10(&mut t, &l);
    assert_eq!(sks(&c), [0x80, 0, 26]);
    // FDP and IDP together: byte 4 (list byte 20), the lower bit (IDP, bit 5).
    let l = partition_list(&mut t, 0xa0, 6, &[10, 0xffff]);
    let c = select10(&mut t, &l);
    assert_eq!(sks(&c), [0x80 | 0x08 | 5, 0, 20]);
    // Five partitions (ADDITIONAL PARTITIONS DEFINED 4 > 3): byte 3 (list byte 19).
    let l = partition_list(&mut t, 0x20, 6, &[10, 10, 10, 10]);
    let mut l5 = l.clone();
    l5[19] = 4;
    let c = select10(&mut t, &l5);
    assert_eq!(sks(&c), [0x80, 0, 19]);
    // Four 60 MB partitions on a 64 MiB medium: they scale; five 8 MiB minimums would not.
    let l = partition_list(&mut t, 0x20, 6, &[60, 60, 60, 60]);
    assert!(select10(&mut t, &l).is_good());
    // POFM is not changeable: byte 20 bit 2.
    let mut l = partition_list(&mut t, 0x20, 6, &[10, 0xffff]);
    l[20] &= !0x04;
    let c = select10(&mut t, &l);
    assert_eq!(sks(&c), [0x80 | 0x08 | 2, 0, 20]);
    // FORMAT MEDIUM 1h then makes the four equal-requested partitions: 60 MB rounds up to
    // 58 MiB, four of them do not fit 64 MiB, scaled to 16 MiB each.
    assert!(t.command(1, &[0x04, 0, 1, 0, 0, 0], &[], 0).is_good());
    let caps = t.lu().drive().partition_capacities();
    assert_eq!(caps, [16 * MIB; 4]);
    // SDP: two equal partitions.
    let l = partition_list(&mut t, 0x40, 0, &[0, 0]);
    assert!(select10(&mut t, &l).is_good());
    assert!(t.command(1, &[0x04, 0, 2, 0, 0, 0], &[], 0).is_good());
    assert_eq!(t.lu().drive().partition_capacities(), [32 * MIB; 2]);
}

#[test]
fn format_medium_refusals() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "PAR002L8", MediumType::Data, "LTO8", 64 * MIB);
    let mut t = lu(home.path(), "PAR002L8");
    // FORMAT 3h reserved (byte 2 bit 3), a parameter list (byte 3), reserved bits.
    let c = t.command(1, &[0x04, 0, 3, 0, 0, 0], &[], 0);
    assert_eq!(
        (c.key_asc(), sks(&c)),
        (Some((5, 0x24, 0)), [0xc8 | 3, 0, 2])
    );
    let c = t.command(1, &[0x04, 0, 0, 0, 4, 0], &[], 0);
    assert_eq!((c.key_asc(), sks(&c)), (Some((5, 0x24, 0)), [0xc0, 0, 3]));
    let c = t.command(1, &[0x04, 0x04, 0, 0, 0, 0], &[], 0);
    assert_eq!(
        (c.key_asc(), sks(&c)),
        (Some((5, 0x24, 0)), [0xc8 | 2, 0, 1])
    );
    // Not at BOP of partition 0.
    assert!(write(&mut t, &pattern(1, 100)).is_good());
    let c = t.command(1, &[0x04, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x3b, 0x0c)));
    // At BOP: FORMAT 0h erases.
    assert!(t.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert!(t.command(1, &[0x04, 0, 0, 0, 0, 0], &[], 0).is_good());
    let cart = t.lu().drive().cartridge().unwrap();
    assert_eq!(cart.partition(0).unwrap().eod(), 0);
    // WORM with data: DATA PROTECT 30/0C.
    cart_in(home.path(), "PAR003L8", Format::V6, 64 * MIB);
    let dir = libvtlcart::testing::make_cartridge(
        home.path(),
        "WRM001L8",
        Format::V6,
        MediumType::Worm,
        "LTO8",
        64 * MIB,
    );
    let _ = dir;
    t.lu().unload().unwrap();
    t.lu().load_barcode("WRM001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    assert!(write(&mut t, &pattern(2, 100)).is_good());
    assert!(t.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0).is_good());
    let c = t.command(1, &[0x04, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.key_asc(), Some((7, 0x30, 0x0c)));
    // MODE SENSE page 0x1D reports WORMM.
    assert_eq!(sense10(&mut t, 0x1d, 0)[16..22], [0x9d, 0x1e, 1, 0, 1, 0]);
    // A legacy cartridge holds one partition: MAXIMUM ADDITIONAL PARTITIONS 0, and asking
    // for two is refused at ADDITIONAL PARTITIONS DEFINED.
    t.lu().unload().unwrap();
    cart_in(home.path(), "LEG001L8", Format::Legacy, 64 * MIB);
    t.lu().load_barcode("LEG001L8").unwrap();
    t.command(1, &TUR, &[], 0);
    assert_eq!(sense10(&mut t, 0x11, 0)[18..20], [0, 0]);
    let l = partition_list(&mut t, 0x20, 6, &[10, 0xffff]);
    let c = select10(&mut t, &l);
    assert_eq!((c.key_asc(), sks(&c)), (Some((5, 0x26, 0)), [0x80, 0, 19]));
    assert_eq!(sense10(&mut t, 0x1d, 0)[18], 0, "not WORM");
}

#[test]
fn set_capacity_makes_one_partition_again() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "PAR004L8", MediumType::Data, "LTO8", 64 * MIB);
    let mut t = lu(home.path(), "PAR004L8");
    let l = partition_list(&mut t, 0x20, 6, &[16, 0xffff]);
    assert!(select10(&mut t, &l).is_good());
    assert!(t.command(1, &[0x04, 0, 1, 0, 0, 0], &[], 0).is_good());
    assert_eq!(t.lu().drive().partition_capacities(), [16 * MIB, 48 * MIB]);
    assert!(dir.join("data.1").exists());
    // SET CAPACITY to half: one partition of 32 MiB, partition 1 gone.
    assert!(t.command(1, &[0x0b, 0, 0, 0x80, 0, 0], &[], 0).is_good());
    assert_eq!(
        t.lu().drive().partition_capacities(),
        [0x8000 * 64 * MIB / 65535]
    );
    assert!(!dir.join("data.1").exists());
    // LOCATE(10) with CP to partition 1 no longer exists: byte 8.
    let c = t.command(1, &[0x2b, 0x02, 0, 0, 0, 0, 0, 0, 1, 0], &[], 0);
    assert_eq!((c.key_asc(), sks(&c)), (Some((5, 0x24, 0)), [0xc0, 0, 8]));
}

#[test]
fn programmable_early_warning_is_reported_once_per_crossing() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "PEW001L8", MediumType::Data, "LTO8", 64 * MIB);
    let mut t = lu(home.path(), "PEW001L8");
    // Page 0x10/0x01: PEWS 0, changeable on LTO-8.
    let d = sense10(&mut t, 0x10, 0x01);
    assert_eq!(d[16..24], [0xd0, 0x01, 0, 0x1c, 0, 0, 0, 0]);
    let c = t.command(1, &[0x5a, 0, 0x50, 0x01, 0, 0, 0, 0, 64, 0], &[], 64);
    assert_eq!(c.data[22..24], [0xff, 0xff], "PEWS changeable");
    // PEWS = 10 MB: the PEW point lies 10 MB before early warning (2 MiB before the end of
    // the 64 MiB partition).
    let mut l = d[..48].to_vec();
    l[0] = 0;
    l[1] = 0;
    l[22] = 0;
    l[23] = 10;
    assert!(select10(&mut t, &l).is_good());
    assert_eq!(t.lu().drive().programmable_early_warning_size(), 10);
    let pew_at = 64 * MIB - 2 * MIB - 10_000_000;
    let block = vec![0x5au8; 1 << 20];
    let mut written = 0u64;
    let mut reported = 0;
    while written + (1 << 20) + 512 < 64 * MIB - 2 * MIB - (1 << 19) {
        let c = write(&mut t, &block);
        written += (1 << 20) + 512;
        if written >= pew_at && reported == 0 {
            // The crossing: NO SENSE, 00/07, INFORMATION 0, no EOM; the block is written.
            assert_eq!(c.status, Status::CheckCondition);
            assert_eq!(c.sense[..8], [0xf0, 0, 0x00, 0, 0, 0, 0, 10]);
            assert_eq!(c.sense[12..14], [0x00, 0x07]);
            reported += 1;
            let rp = t.command(1, &[0x34, 0x06, 0, 0, 0, 0, 0, 0, 0, 0], &[], 32);
            assert_eq!(rp.data[0], 0x01, "BPEW, not EOP");
            let rp = t.command(1, &[0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 20);
            assert_eq!(rp.data[0], 0x01, "short form BPEW");
        } else {
            assert!(c.is_good(), "{written}: {:?}", c.sense());
        }
    }
    assert_eq!(reported, 1);
    // Back before the PEW point and across it again: reported again.
    let blocks = (written / ((1 << 20) + 512)) as u32;
    let back = blocks - 12;
    let b = back.to_be_bytes();
    assert!(
        t.command(1, &[0x2b, 0, 0, b[0], b[1], b[2], b[3], 0, 0, 0], &[], 0)
            .is_good()
    );
    let mut again = 0;
    for _ in 0..12 {
        let c = write(&mut t, &block);
        if c.status == Status::CheckCondition {
            assert_eq!(c.sense[12..14], [0x00, 0x07]);
            again += 1;
        }
    }
    assert_eq!(again, 1);
}
