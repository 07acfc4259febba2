//! SSC data-path commands through `Drive::execute`: exact status, sense, INFORMATION and
//! data for each condition (SSC-5 clause 7, clients.md).

mod common;

use common::*;
use libvtlcart::{Cartridge, MediumType, Object, OpenOptionsCart};
use vtl_scsi::{Asc, ScsiError, SenseKey};

const NO: SenseKey = SenseKey::NoSense;

#[test]
fn read_position_right_after_load_is_bop_block_0() {
    let (_h, mut d) = loaded();
    assert_eq!(position(&mut d), (0x80, 0, 0, 0));
    // Long form: BOP, partition 0, object 0, file 0.
    let p = good(&mut d, &[0x34, 6, 0, 0, 0, 0, 0, 0, 0, 0], &[]);
    assert_eq!(p.len(), 32);
    assert_eq!(p[0], 0x80);
    assert!(p[4..32].iter().all(|&b| b == 0));
    // Extended form cut to the allocation length, additional length 0x1C.
    let p = good(&mut d, &[0x34, 8, 0, 0, 0, 0, 0, 0, 10, 0], &[]);
    assert_eq!(p, [0x80, 0, 0, 0x1c, 0, 0, 0, 0, 0, 0]);
    // Allocation length with the short form is an invalid field (byte 7).
    let (s, _) = check(&mut d, &[0x34, 0, 0, 0, 0, 0, 0, 0, 20, 0], &[]);
    assert_eq!(
        (s.key, s.asc),
        (SenseKey::IllegalRequest, Asc::INVALID_FIELD_IN_CDB)
    );
}

#[test]
fn variable_read_with_larger_and_smaller_buffers() {
    let (_h, mut d) = loaded();
    let b = pattern(1, 100);
    write_var(&mut d, &b).unwrap();
    write_var(&mut d, &b).unwrap();
    write_var(&mut d, &b).unwrap();
    good(&mut d, &REWIND, &[]);
    // Larger buffer: the block, ILI, INFORMATION = 200 - 100.
    let (s, data) = check(&mut d, &read_var(200), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::NO_ADDITIONAL_SENSE, false, false, true, Some(100))
    );
    assert_eq!(data, b);
    assert_eq!(s.to_fixed()[3..7], [0, 0, 0, 100]);
    // SILI suppresses it.
    let data = good(&mut d, &[0x08, 0x02, 0, 0, 200, 0], &[]);
    assert_eq!(data, b);
    // Smaller buffer: the first 40 bytes, ILI, INFORMATION = 40 - 100 (negative), even with
    // SILI; the tape is past the block.
    let (s, data) = check(&mut d, &[0x08, 0x02, 0, 0, 40, 0], &[]);
    assert_eq!(
        s,
        sense(NO, Asc::NO_ADDITIONAL_SENSE, false, false, true, Some(-60))
    );
    assert_eq!(s.to_fixed()[3..7], (-60i32).to_be_bytes());
    assert_eq!(data, b[..40]);
    assert_eq!(block(&mut d), 3);
    // Transfer length 0: GOOD, no movement.
    good(&mut d, &REWIND, &[]);
    assert!(good(&mut d, &read_var(0), &[]).is_empty());
    assert_eq!(block(&mut d), 0);
}

#[test]
fn fixed_read_stops_at_a_filemark_with_the_block_residue() {
    let (_h, mut d) = loaded();
    d.set_block_size(512).unwrap();
    let data = pattern(2, 3 * 512);
    good(&mut d, &cdb6(0x0a, 1, 3), &data);
    good(&mut d, &wfm(1), &[]);
    good(&mut d, &cdb6(0x0a, 1, 1), &pattern(3, 512));
    good(&mut d, &REWIND, &[]);
    let (s, got) = check(&mut d, &cdb6(0x08, 1, 5), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(2))
    );
    assert_eq!(got, data);
    assert_eq!(block(&mut d), 4, "past the filemark");
    // A block of the wrong length in fixed mode: ILI, residue counts it.
    d.set_block_size(1024).unwrap();
    let (s, got) = check(&mut d, &cdb6(0x08, 1, 2), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::NO_ADDITIONAL_SENSE, false, false, true, Some(2))
    );
    assert_eq!(got, pattern(3, 512));
    assert_eq!(block(&mut d), 5);
    // FIXED in variable mode, FIXED with SILI.
    d.set_block_size(0).unwrap();
    let (s, _) = check(&mut d, &cdb6(0x08, 1, 1), &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(1, Some(0)));
    let (s, _) = check(&mut d, &cdb6(0x08, 3, 1), &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(1, Some(1)));
    assert!(d.set_block_size(3).is_ok(), "granularity 0, minimum 1");
    assert!(
        d.set_block_size(0x80_0001).is_err(),
        "above the LTO-8 maximum"
    );
    assert_eq!(d.block_size(), 3);
}

#[test]
fn read_at_eod_is_blank_check_and_filemark_moves_past() {
    let (_h, mut d) = loaded();
    let (s, data) = check(&mut d, &read_var(1000), &[]);
    assert_eq!(
        s,
        sense(
            SenseKey::BlankCheck,
            Asc::END_OF_DATA_DETECTED,
            false,
            false,
            false,
            Some(1000)
        )
    );
    assert!(data.is_empty());
    good(&mut d, &wfm(1), &[]);
    good(&mut d, &REWIND, &[]);
    let (s, _) = check(&mut d, &read_var(10), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(10))
    );
    assert_eq!(block(&mut d), 1);
    let (s, _) = check(&mut d, &read_var(10), &[]);
    assert_eq!(s.key, SenseKey::BlankCheck);
    assert_eq!(block(&mut d), 1, "EOD does not move");
}

#[test]
fn space_reports_every_stop() {
    let (_h, mut d) = loaded();
    // B0 B1 FM B3 B4 FM B6 | EOD at 7
    for n in 0..2 {
        write_var(&mut d, &pattern(n, 10)).unwrap();
    }
    good(&mut d, &wfm(1), &[]);
    for n in 3..5 {
        write_var(&mut d, &pattern(n, 10)).unwrap();
    }
    good(&mut d, &wfm(1), &[]);
    write_var(&mut d, &pattern(6, 10)).unwrap();
    good(&mut d, &REWIND, &[]);
    // Blocks forward over a filemark: past it, residue 5 - 2.
    let (s, _) = check(&mut d, &space(0, 5), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(3))
    );
    assert_eq!(block(&mut d), 3);
    // Blocks backward over a filemark: before it, residue magnitude 4 - 0.
    let (s, _) = check(&mut d, &space(0, -4), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(4))
    );
    assert_eq!(block(&mut d), 2);
    // Blocks backward to BOP.
    good(&mut d, &locate(1), &[]);
    let (s, _) = check(&mut d, &space(0, -3), &[]);
    assert_eq!(
        s,
        sense(
            NO,
            Asc::BEGINNING_OF_PARTITION_MEDIUM_DETECTED,
            false,
            true,
            false,
            Some(2)
        )
    );
    assert_eq!(block(&mut d), 0);
    // Filemarks forward: past the 2nd, then to EOD with residue.
    good(&mut d, &space(1, 2), &[]);
    assert_eq!(block(&mut d), 6);
    let (s, _) = check(&mut d, &space(1, 3), &[]);
    assert_eq!(
        s,
        sense(
            SenseKey::BlankCheck,
            Asc::END_OF_DATA_DETECTED,
            false,
            false,
            false,
            Some(3)
        )
    );
    assert_eq!(block(&mut d), 7);
    // Filemarks backward: before the 2nd mark back, then BOP.
    good(&mut d, &space(1, -2), &[]);
    assert_eq!(block(&mut d), 2);
    let (s, _) = check(&mut d, &space(1, -2), &[]);
    assert_eq!(
        s,
        sense(
            NO,
            Asc::BEGINNING_OF_PARTITION_MEDIUM_DETECTED,
            false,
            true,
            false,
            Some(2)
        )
    );
    // Blocks forward to EOD.
    good(&mut d, &locate(6), &[]);
    let (s, _) = check(&mut d, &space(0, 3), &[]);
    assert_eq!(
        s,
        sense(
            SenseKey::BlankCheck,
            Asc::END_OF_DATA_DETECTED,
            false,
            false,
            false,
            Some(2)
        )
    );
    // End of data, count 0, unsupported codes.
    good(&mut d, &REWIND, &[]);
    good(&mut d, &space(3, 0), &[]);
    assert_eq!(block(&mut d), 7);
    good(&mut d, &space(0, 0), &[]);
    assert_eq!(block(&mut d), 7);
    for code in [2, 4] {
        let (s, _) = check(&mut d, &space(code, 1), &[]);
        assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(1, Some(3)));
    }
    // SPACE(16) forward 1 filemark from BOP.
    good(&mut d, &REWIND, &[]);
    let mut c16 = [0u8; 16];
    c16[0] = 0x91;
    c16[1] = 1;
    c16[4..12].copy_from_slice(&1i64.to_be_bytes());
    good(&mut d, &c16, &[]);
    assert_eq!(block(&mut d), 3);
}

#[test]
fn locate_past_eod_and_to_files() {
    let (_h, mut d) = loaded();
    write_var(&mut d, &pattern(0, 10)).unwrap();
    good(&mut d, &wfm(1), &[]);
    write_var(&mut d, &pattern(2, 10)).unwrap();
    let (s, _) = check(&mut d, &locate(10), &[]);
    assert_eq!(
        (s.key, s.asc, s.information),
        (SenseKey::BlankCheck, Asc::END_OF_DATA_DETECTED, None)
    );
    assert_eq!(block(&mut d), 3);
    good(&mut d, &locate(1), &[]);
    assert_eq!(position(&mut d), (0, 0, 1, 1));
    // CP to a partition that does not exist.
    let (s, _) = check(&mut d, &[0x2b, 2, 0, 0, 0, 0, 0, 0, 1, 0], &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(8, None));
    // LOCATE(16) to logical file 1 and to EOD.
    let mut c = [0u8; 16];
    c[0] = 0x92;
    c[1] = 1 << 3;
    c[4..12].copy_from_slice(&1u64.to_be_bytes());
    good(&mut d, &c, &[]);
    assert_eq!(block(&mut d), 2);
    c[1] = 3 << 3;
    good(&mut d, &c, &[]);
    assert_eq!(block(&mut d), 3);
    // Logical file 5 does not exist: EOD, BLANK CHECK, 4 files short.
    c[1] = 1 << 3;
    c[4..12].copy_from_slice(&5u64.to_be_bytes());
    let (s, _) = check(&mut d, &c, &[]);
    assert_eq!((s.key, s.information), (SenseKey::BlankCheck, Some(4)));
}

#[test]
fn write_at_early_warning_and_past_the_end() {
    let home = tempfile::tempdir().unwrap();
    // 8 MiB of data plus the index records of the 10 objects this test writes (each
    // object takes OBJECT_OVERHEAD_BYTES of capacity) plus the reserve data writes leave
    // for filemarks: the LTO-8 personality's early warning is its 2 MiB minimum.
    assert_eq!(vtltape::drive::OBJECT_OVERHEAD_BYTES, 512);
    let reserve = vtltape::drive::FILEMARK_RESERVE_BYTES;
    assert_eq!(reserve, 8192);
    cart(
        home.path(),
        "EW0001L8",
        MediumType::Data,
        "LTO8",
        (8 << 20) + 10 * 512 + reserve,
    );
    let mut d = lto8_drive(home.path());
    d.load_barcode("EW0001L8").unwrap();
    let mib = 1usize << 20;
    for n in 0..6 {
        write_var(&mut d, &pattern(n, mib)).unwrap();
    }
    // 2 MiB + 10 KiB left: not yet below early warning. The 7th leaves 1 MiB + 9.5 KiB:
    // written, EOM.
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, mib as u32), &pattern(6, mib));
    assert_eq!(s, early_warning());
    assert_eq!(block(&mut d), 7);
    let (flags, ..) = position(&mut d);
    assert_eq!(flags & 0x40, 0x40, "EOP flag past early warning");
    // 1 MiB + 2 KiB (plus its index record and the reserve) does not fit: VOLUME
    // OVERFLOW, nothing written, residue = the byte count.
    let (s, _) = check(
        &mut d,
        &cdb6(0x0a, 0, mib as u32 + 2048),
        &pattern(7, mib + 2048),
    );
    assert_eq!(s, volume_overflow(mib as i64 + 2048));
    assert_eq!(block(&mut d), 7);
    // Fixed mode: 2 blocks of 512 KiB fit, the third does not: residue 1 block.
    d.set_block_size(512 << 10).unwrap();
    let (s, _) = check(&mut d, &cdb6(0x0a, 1, 3), &pattern(8, 3 * (512 << 10)));
    assert_eq!(
        (s.key, s.eom, s.information),
        (SenseKey::VolumeOverflow, true, Some(1))
    );
    assert_eq!(block(&mut d), 9);
    // Data writes stopped short of the reserve; filemarks may use it: one filemark is
    // written with early warning, then 16 more fit but 17 do not (nothing written).
    let (s, _) = check(&mut d, &wfm(1), &[]);
    assert_eq!(
        (s.key, s.eom, s.asc),
        (NO, true, Asc::END_OF_PARTITION_MEDIUM_DETECTED)
    );
    let (s, _) = check(&mut d, &wfm(17), &[]);
    assert_eq!(
        (s.key, s.eom, s.asc, s.information),
        (
            SenseKey::VolumeOverflow,
            true,
            Asc::END_OF_PARTITION_MEDIUM_DETECTED,
            Some(17)
        )
    );
    assert_eq!(block(&mut d), 10);
    let (s, _) = check(&mut d, &wfm(16), &[]);
    assert_eq!((s.key, s.eom), (NO, true));
    assert_eq!(block(&mut d), 26);
    good(&mut d, &REWIND, &[]);
    // Everything written reads back.
    d.set_block_size(0).unwrap();
    good(&mut d, &REWIND, &[]);
    for n in 0..7 {
        assert_eq!(
            good(&mut d, &read_var(mib as u32), &[]),
            pattern(n, mib),
            "block {n}"
        );
    }
}

/// READ POSITION's EOP and BPEW bits describe the position (SSC-5 7.7: EOP "the logical
/// position is between early warning and end of partition"): on a tape whose EOD lies past
/// early warning they are set at EOD and clear after REWIND and on the blocks before the
/// warning points.
#[test]
fn read_position_eop_and_bpew_follow_the_position() {
    let home = tempfile::tempdir().unwrap();
    let reserve = vtltape::drive::FILEMARK_RESERVE_BYTES;
    // As in write_at_early_warning_and_past_the_end: early warning (2 MiB) is crossed by
    // the 7th 1 MiB block.
    cart(
        home.path(),
        "EW0001L8",
        MediumType::Data,
        "LTO8",
        (8 << 20) + 10 * 512 + reserve,
    );
    let mut d = lto8_drive(home.path());
    d.load_barcode("EW0001L8").unwrap();
    // Programmable early warning 2 × 10^6 bytes before early warning.
    d.set_programmable_early_warning_size(2);
    let mib = 1usize << 20;
    for n in 0..7 {
        let _ = run(&mut d, &cdb6(0x0a, 0, mib as u32), &pattern(n, mib));
    }
    assert_eq!(position(&mut d), (0x41, 0, 7, 7), "EOD: EOP and BPEW");
    good(&mut d, &REWIND, &[]);
    assert_eq!(position(&mut d), (0x80, 0, 0, 0), "BOP only");
    // Block 3: 5 MiB + 11.5 KiB left there, outside both zones.
    good(&mut d, &locate(3), &[]);
    assert_eq!(position(&mut d), (0, 0, 3, 3));
    // Block 5: 3 MiB + 10.5 KiB left, inside the programmable zone (2 MiB + 2 MB) only.
    good(&mut d, &locate(5), &[]);
    assert_eq!(position(&mut d), (0x01, 0, 5, 5));
    let p = good(&mut d, &[0x34, 6, 0, 0, 0, 0, 0, 0, 0, 0], &[]);
    assert_eq!(p[0], 0x01, "long form");
    // Block 6: 2 MiB + 10 KiB left, not yet past early warning.
    good(&mut d, &locate(6), &[]);
    assert_eq!(position(&mut d), (0x01, 0, 6, 6));
    good(&mut d, &space(3, 0), &[]);
    assert_eq!(position(&mut d), (0x41, 0, 7, 7));
}

#[test]
fn worm_overwrite_is_refused_append_is_not() {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "W00001L8", MediumType::Worm, "LTO8", 16 << 20);
    let mut d = lto8_drive(home.path());
    d.load_barcode("W00001L8").unwrap();
    write_var(&mut d, &pattern(0, 100)).unwrap();
    write_var(&mut d, &pattern(1, 100)).unwrap();
    good(&mut d, &REWIND, &[]);
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 10), &[0; 10]);
    assert_eq!((s.key, s.asc), (SenseKey::DataProtect, Asc(0x30, 0x0c)));
    let (s, _) = check(&mut d, &wfm(1), &[]);
    assert_eq!((s.key, s.asc), (SenseKey::DataProtect, Asc(0x30, 0x0c)));
    let (s, _) = check(&mut d, &[0x19, 1, 0, 0, 0, 0], &[]);
    assert_eq!((s.key, s.asc), (SenseKey::DataProtect, Asc(0x30, 0x0c)));
    assert_eq!(d.tape_alert() & (1 << (0x3c - 1)), 1 << (0x3c - 1));
    good(&mut d, &space(3, 0), &[]);
    write_var(&mut d, &pattern(2, 100)).unwrap();
    assert_eq!(block(&mut d), 3);
    // A WORM cartridge in a drive without WORM support (LTO-2) is refused.
    d.unload().unwrap();
    let mut old = vtltape::Drive::new(vtltape::DriveConfig {
        product: "ULT3580-TD2".into(),
        media_home: Some(home.path().to_path_buf()),
        ..Default::default()
    });
    cart(home.path(), "W00002L2", MediumType::Worm, "LTO2", 16 << 20);
    assert!(matches!(
        old.load_barcode("W00002L2"),
        Err(vtltape::DriveError::IncompatibleMedium { .. })
    ));
}

#[test]
fn write_protected_cartridge_loads_read_only() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "P00001L8", MediumType::Data, "LTO8", 16 << 20);
    {
        let mut c = Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap();
        c.write_block(b"hello", libvtlcart::Compression::None, None)
            .unwrap();
        c.write_filemarks(1).unwrap();
        c.mam_mut().set_write_protected(true);
        c.write_mam().unwrap();
        c.unload().unwrap();
    }
    let before = libvtlcart::testing::snapshot(&dir);
    let mut d = lto8_drive(home.path());
    d.load_barcode("P00001L8").unwrap();
    assert!(d.write_protected());
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 5), b"abcde");
    assert_eq!(
        s,
        vtl_scsi::Sense::new(SenseKey::DataProtect, Asc::WRITE_PROTECTED)
    );
    let (s, _) = check(&mut d, &wfm(1), &[]);
    assert_eq!(s.asc, Asc::WRITE_PROTECTED);
    let (s, _) = check(&mut d, &[0x19, 0, 0, 0, 0, 0], &[]);
    assert_eq!(s.asc, Asc::WRITE_PROTECTED);
    // Reading works; WRITE FILEMARKS 0 (synchronize) is allowed.
    assert_eq!(good(&mut d, &read_var(5), &[]), b"hello");
    good(&mut d, &wfm(0), &[]);
    assert_eq!(d.unload().unwrap().as_deref(), Some("P00001L8"));
    assert_eq!(
        libvtlcart::testing::snapshot(&dir),
        before,
        "nothing written"
    );
}

#[test]
fn cleaning_cartridge_raises_its_unit_attention_and_refuses_data_access() {
    let home = tempfile::tempdir().unwrap();
    cart(
        home.path(),
        "CLN001L1",
        MediumType::Cleaning,
        "LTO8",
        16 << 20,
    );
    let mut d = lto8_drive(home.path());
    d.load_barcode("CLN001L1").unwrap();
    assert!(d.take_medium_changed());
    assert!(d.take_cleaning_loaded());
    assert!(!d.take_cleaning_loaded(), "reported once");
    assert!(d.write_protected());
    let (s, _) = check(&mut d, &read_var(10), &[]);
    assert_eq!(
        s,
        vtl_scsi::Sense::new(SenseKey::NotReady, Asc::CLEANING_CARTRIDGE_INSTALLED)
    );
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 1), &[0]);
    assert_eq!(s.asc, Asc::CLEANING_CARTRIDGE_INSTALLED);
    d.unload().unwrap();
}

#[test]
fn refused_media_leaves_the_cartridge_byte_identical() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "OLD001L3", MediumType::Data, "LTO3", 16 << 20);
    let before = libvtlcart::testing::snapshot(&dir);
    let mut d = lto8_drive(home.path());
    let e = d.load_barcode("OLD001L3").unwrap_err();
    assert!(
        matches!(e, vtltape::DriveError::IncompatibleMedium { .. }),
        "{e}"
    );
    assert_eq!(
        e.sense(),
        vtl_scsi::Sense::new(SenseKey::NotReady, Asc::INCOMPATIBLE_MEDIUM_INSTALLED)
    );
    assert!(!d.is_loaded() && d.has_cartridge());
    assert!(!d.take_medium_changed());
    assert_eq!(
        d.ready(),
        Err(ScsiError::not_ready(Asc::INCOMPATIBLE_MEDIUM_INSTALLED))
    );
    let (s, _) = check(&mut d, &read_var(10), &[]);
    assert_eq!(s.asc, Asc::INCOMPATIBLE_MEDIUM_INSTALLED);
    assert_eq!(d.unload().unwrap().as_deref(), Some("OLD001L3"));
    assert_eq!(libvtlcart::testing::snapshot(&dir), before);
    // A later load of a good cartridge is not marked dirty (no lost-statistics alert).
    cart(home.path(), "NEW001L8", MediumType::Data, "LTO8", 16 << 20);
    d.clear_tape_alert();
    d.load_barcode("NEW001L8").unwrap();
    assert_eq!(d.tape_alert() & (1 << (0x32 - 1)), 0);
    // An LTO-7 cartridge in the LTO-8 drive loads read-write.
    d.unload().unwrap();
    cart(home.path(), "SEV001L7", MediumType::Data, "LTO7", 16 << 20);
    d.load_barcode("SEV001L7").unwrap();
    assert!(!d.write_protected());
}

#[test]
fn write_filemarks_immed_0_is_durable() {
    let (h, mut d) = loaded();
    for n in 0..3 {
        write_var(&mut d, &pattern(n, 5000)).unwrap();
    }
    good(&mut d, &wfm(1), &[]);
    // Another reader opens the files from disk while the drive still holds the cartridge.
    let mut c = Cartridge::open(&h.path().join("E00001L8"), &OpenOptionsCart::default()).unwrap();
    let mut buf = Vec::new();
    for n in 0..3 {
        assert!(matches!(c.read(&mut buf).unwrap(), Object::Data(_)));
        assert_eq!(buf, pattern(n, 5000));
    }
    assert_eq!(c.read(&mut buf).unwrap(), Object::Filemark);
    assert_eq!(c.read(&mut buf).unwrap(), Object::EndOfData);
    // IMMED=1 is refused in unbuffered mode; WSMK is refused.
    d.set_buffered_mode(0);
    let (s, _) = check(&mut d, &cdb6(0x10, 1, 1), &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(1, Some(0)));
    let (s, _) = check(&mut d, &cdb6(0x10, 2, 1), &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(1, Some(1)));
}

#[test]
fn append_only_mode_and_allow_overwrite() {
    let (_h, mut d) = loaded();
    let mut ao = [0u8; 16];
    ao[0] = 0x82;
    ao[2] = 1;
    let (s, _) = check(&mut d, &ao, &[]);
    assert_eq!((s.key, s.asc), (SenseKey::IllegalRequest, Asc(0x20, 0x0c)));
    assert!(d.set_append_only(true));
    for n in 0..3 {
        write_var(&mut d, &pattern(n, 10)).unwrap();
    }
    good(&mut d, &locate(1), &[]);
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 10), &[0; 10]);
    assert_eq!((s.key, s.asc), (SenseKey::DataProtect, Asc(0x5a, 0x02)));
    // ALLOW OVERWRITE naming another position: SEQUENTIAL POSITIONING ERROR.
    ao[11] = 2;
    let (s, _) = check(&mut d, &ao, &[]);
    assert_eq!((s.key, s.asc), (SenseKey::IllegalRequest, Asc(0x3b, 0x00)));
    ao[11] = 1;
    good(&mut d, &ao, &[]);
    write_var(&mut d, &pattern(9, 10)).unwrap();
    assert_eq!(block(&mut d), 2);
    // The allowance was used up by moving on; back at 1 it is refused again.
    good(&mut d, &locate(1), &[]);
    let (s, _) = check(&mut d, &wfm(1), &[]);
    assert_eq!(s.asc, Asc(0x5a, 0x02));
    // Appending at EOD is always allowed.
    good(&mut d, &space(3, 0), &[]);
    good(&mut d, &wfm(1), &[]);
}

#[test]
fn erase_truncates_here_and_set_capacity_needs_bop() {
    let (_h, mut d) = loaded();
    for n in 0..4 {
        write_var(&mut d, &pattern(n, 10)).unwrap();
    }
    good(&mut d, &locate(2), &[]);
    good(&mut d, &[0x19, 1, 0, 0, 0, 0], &[]);
    good(&mut d, &space(3, 0), &[]);
    assert_eq!(block(&mut d), 2);
    // SET CAPACITY away from BOP.
    let (s, _) = check(&mut d, &[0x0b, 0, 0, 0x80, 0, 0], &[]);
    assert_eq!((s.key, s.asc), (SenseKey::IllegalRequest, Asc(0x3b, 0x0c)));
    good(&mut d, &REWIND, &[]);
    good(&mut d, &[0x0b, 0, 0, 0x80, 0x00, 0], &[]);
    let c = d.cartridge().unwrap();
    assert_eq!(c.capacity(0), ((64u128 << 20) * 0x8000 / 65535) as u64);
    assert_eq!(c.partition(0).unwrap().eod(), 0, "erased");
}

#[test]
fn verify_checks_blocks_and_compares_bytes() {
    let (_h, mut d) = loaded();
    d.set_block_size(100).unwrap();
    let data = pattern(4, 300);
    good(&mut d, &cdb6(0x0a, 1, 3), &data);
    good(&mut d, &wfm(1), &[]);
    good(&mut d, &REWIND, &[]);
    // VERIFY 3 blocks with BYTCMP: equal.
    good(&mut d, &cdb6(0x13, 0x05, 3), &data);
    assert_eq!(block(&mut d), 3);
    // A difference in the 2nd block: MISCOMPARE, residue 2, past that block.
    good(&mut d, &REWIND, &[]);
    let mut other = data.clone();
    other[150] ^= 1;
    let (s, _) = check(&mut d, &cdb6(0x13, 0x05, 3), &other);
    assert_eq!(
        s,
        sense(
            SenseKey::Miscompare,
            Asc::MISCOMPARE_DURING_VERIFY,
            false,
            false,
            false,
            Some(2)
        )
    );
    assert_eq!(block(&mut d), 2);
    // VTE: to EOD, over the filemark.
    good(&mut d, &REWIND, &[]);
    good(&mut d, &cdb6(0x13, 0x20, 0), &[]);
    assert_eq!(block(&mut d), 4);
    // Fixed verify into the filemark.
    good(&mut d, &locate(2), &[]);
    let (s, _) = check(&mut d, &cdb6(0x13, 0x01, 3), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(2))
    );
}

#[test]
fn block_limits_serial_number_and_no_medium() {
    let home = tempfile::tempdir().unwrap();
    let mut d = lto8_drive(home.path());
    let l = good(&mut d, &[0x05, 0, 0, 0, 0, 0], &[]);
    assert_eq!(l, [0x00, 0x80, 0x00, 0x00, 0x00, 0x01]);
    let l = good(&mut d, &[0x05, 1, 0, 0, 0, 0], &[]);
    assert_eq!(l.len(), 20);
    assert_eq!(l[12..20], 0xFFFF_FFEFu64.to_be_bytes());
    for c in [
        read_var(10).to_vec(),
        cdb6(0x0a, 0, 1).to_vec(),
        REWIND.to_vec(),
        vec![0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ] {
        let (s, _) = check(&mut d, &c, &[0]);
        assert_eq!(
            s,
            vtl_scsi::Sense::new(SenseKey::NotReady, Asc::MEDIUM_NOT_PRESENT)
        );
    }
    cart(home.path(), "SER001L8", MediumType::Data, "LTO8", 16 << 20);
    d.load_barcode("SER001L8").unwrap();
    let r = good(&mut d, &[0xab, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], &[]);
    let len = u32::from_be_bytes(r[0..4].try_into().unwrap()) as usize;
    assert_eq!(len % 4, 0);
    assert_eq!(r.len(), 4 + len);
    assert!(r[4..].starts_with(b"SER001L8_1700000000"), "{:?}", &r[4..]);
    let r = good(&mut d, &[0xab, 1, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0], &[]);
    assert_eq!(r.len(), 6);
    let (s, _) = check(&mut d, &[0xab, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], &[]);
    assert_eq!(s.asc, Asc::INVALID_COMMAND_OPERATION_CODE);
}

#[test]
fn load_unload_cycle() {
    let (h, mut d) = loaded();
    write_var(&mut d, &pattern(0, 10)).unwrap();
    // PREVENT blocks UNLOAD.
    d.set_prevent_removal(true);
    let (s, _) = check(&mut d, &[0x1b, 0, 0, 0, 0, 0], &[]);
    assert_eq!(
        (s.key, s.asc),
        (SenseKey::IllegalRequest, Asc::MEDIUM_REMOVAL_PREVENTED)
    );
    assert!(matches!(
        d.unload(),
        Err(vtltape::DriveError::RemovalPrevented)
    ));
    d.set_prevent_removal(false);
    // UNLOAD: the cartridge stays in the mouth, not ready; it was flushed and released.
    good(&mut d, &[0x1b, 0, 0, 0, 0, 0], &[]);
    assert_eq!(
        d.ready(),
        Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT))
    );
    assert_eq!(d.cartridge_barcode().as_deref(), Some("E00001L8"));
    let c = Cartridge::open(
        &h.path().join("E00001L8"),
        &OpenOptionsCart {
            write: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.partition(0).unwrap().eod(), 1);
    assert_eq!(c.mam().base.record_dirty, 0);
    drop(c);
    // LOAD threads it again: BOP, medium changed.
    good(&mut d, &[0x1b, 0, 0, 0, 1, 0], &[]);
    assert!(d.take_medium_changed());
    assert_eq!(position(&mut d), (0x80, 0, 0, 0));
    // EOT with LOAD is invalid; HOLD unload gives INITIALIZING COMMAND REQUIRED.
    let (s, _) = check(&mut d, &[0x1b, 0, 0, 0, 5, 0], &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(4, Some(2)));
    good(&mut d, &[0x1b, 0, 0, 0, 8, 0], &[]);
    assert_eq!(
        d.ready(),
        Err(ScsiError::not_ready(Asc::INITIALIZING_COMMAND_REQUIRED))
    );
    assert_eq!(d.unload().unwrap().as_deref(), Some("E00001L8"));
    assert!(!d.has_cartridge());
    let (s, _) = check(&mut d, &[0x1b, 0, 0, 0, 1, 0], &[]);
    assert_eq!(s.asc, Asc::MEDIUM_NOT_PRESENT);
    // Bad barcodes never become paths.
    assert!(d.load_barcode("../etc").is_err());
    assert!(matches!(
        d.load_barcode("NOPE01L8"),
        Err(vtltape::DriveError::Cart { .. })
    ));
    assert!(
        !d.has_cartridge(),
        "a cartridge that does not exist is not in the drive"
    );
}

#[test]
fn short_data_out_writes_nothing() {
    let (_h, mut d) = loaded();
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 100), &[0; 50]);
    assert_eq!((s.key, s.asc), (SenseKey::AbortedCommand, Asc(0x4b, 0)));
    assert_eq!(block(&mut d), 0);
    // Variable block longer than the limit.
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 0x80_0001), &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(2, None));
}

#[test]
fn immed_errors_come_back_as_deferred_errors() {
    let (_h, mut d) = loaded();
    write_var(&mut d, &pattern(0, 10)).unwrap();
    // LOCATE IMMED=1 past EOD: GOOD now, BLANK CHECK as a deferred error on the next
    // command, which is not executed.
    let mut c = locate(10);
    c[1] = 1;
    good(&mut d, &c, &[]);
    let (s, _) = check(&mut d, &read_var(10), &[]);
    assert!(s.deferred);
    assert_eq!(
        (s.key, s.asc),
        (SenseKey::BlankCheck, Asc::END_OF_DATA_DETECTED)
    );
    assert_eq!(s.to_fixed()[0], 0x71);
    assert_eq!(block(&mut d), 1, "the READ did not run");
    assert!(d.take_deferred().is_none());
}

/// A cleaning cartridge cleans the drive (TapeAlert "clean now"/"clean periodic" lowered)
/// and counts its use in the MAM load count; past its MEDIUM TYPE INFORMATION cycles it is
/// expired (TapeAlert 0x16) and cleans nothing.
#[test]
fn cleaning_cartridge_life_cycle() {
    use vtltape::tapealert::flag;
    let home = tempfile::tempdir().unwrap();
    let dir = cart(
        home.path(),
        "CLN001L8",
        MediumType::Cleaning,
        "LTO8",
        16 << 20,
    );
    let bit = |n: u8| 1u64 << (n - 1);
    let mut d = lto8_drive(home.path());
    d.set_tape_alert(bit(flag::CLEAN_NOW) | bit(flag::CLEAN_PERIODIC));
    d.load_barcode("CLN001L8").unwrap();
    assert!(d.take_cleaning_loaded());
    assert_eq!(
        d.tape_alert() & (bit(flag::CLEAN_NOW) | bit(flag::CLEAN_PERIODIC)),
        0
    );
    d.unload().unwrap();
    let mam = libvtlcart::Cartridge::open(&dir, &Default::default())
        .unwrap()
        .mam()
        .clone();
    assert_eq!(mam.base.load_count.get(), 1);
    assert_eq!(mam.base.medium_type_information.get(), 20);
    // Used up: 20 loads recorded, the 21st is past the 20 cycles.
    {
        let mut c = libvtlcart::Cartridge::open(
            &dir,
            &libvtlcart::OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap();
        c.mam_mut().base.load_count = 20.into();
        c.write_mam().unwrap();
    }
    d.set_tape_alert(bit(flag::CLEAN_NOW));
    d.load_barcode("CLN001L8").unwrap();
    assert_eq!(
        d.tape_alert(),
        bit(flag::CLEAN_NOW) | bit(flag::EXPIRED_CLEANING_MEDIA)
    );
    // The cartridge is never written, whatever the host asks.
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, 4), b"data");
    assert_eq!(s.key, SenseKey::NotReady);
}

/// Each load records the drive (vendor + serial number) in the MAM attribute 0x020A, the
/// previous ones moving to 0x020B..0x020D.
#[test]
fn last_load_drives_are_recorded() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "E00009L8", MediumType::Data, "LTO8", 16 << 20);
    let entry = |vendor: &str, serial: &str| {
        let mut e = [b' '; 40];
        e[..vendor.len()].copy_from_slice(vendor.as_bytes());
        e[8..8 + serial.len()].copy_from_slice(serial.as_bytes());
        e
    };
    for serial in ["DRIVE_A", "DRIVE_B", "DRIVE_C"] {
        let mut d = vtltape::Drive::new(vtltape::DriveConfig {
            vendor: "IBM".into(),
            product: "ULT3580-TD8".into(),
            serial: serial.into(),
            media_home: Some(home.path().to_path_buf()),
            ..Default::default()
        });
        d.load_barcode("E00009L8").unwrap();
        d.unload().unwrap();
    }
    let c = libvtlcart::Cartridge::open(&dir, &Default::default()).unwrap();
    let hist = c.mam().base.dev_make_serial_last_load;
    assert_eq!(hist[0], entry("IBM", "DRIVE_C"));
    assert_eq!(hist[1], entry("IBM", "DRIVE_B"));
    assert_eq!(hist[2], entry("IBM", "DRIVE_A"));
    assert_eq!(hist[3], [0u8; 40]);
    assert_eq!(c.mam().base.load_count.get(), 3);
}

/// IMMED=1 returns status once the CDB is validated: an invalid field is reported at once,
/// not as a deferred error on the next command (whose CDB the pointer would not fit; found
/// by the scsi_tape fuzz target).
#[test]
fn immed_validation_errors_are_not_deferred() {
    let (_home, mut d) = loaded();
    // LOCATE(10), IMMED=1, CP=1 to partition 1 of a single-partition medium.
    let (s, _) = check(&mut d, &[0x2b, 0x03, 0, 0, 0, 0, 0, 0, 1, 0], &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(8, None));
    assert!(!s.deferred);
    // Nothing is left pending for the next command.
    assert!(d.take_deferred().is_none());
    good(&mut d, &REWIND, &[]);
}

/// An LTO-10 cartridge (as `mktape -d LTO10` makes it: density code 0x62, MediaType 0)
/// loads in an LTO-10 drive (IBM's product id ULT3580-TDA) and is refused by an LTO-9 one.
#[test]
fn lto10_media_and_drive() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "A00001LA", MediumType::Data, "LTO10", 16 << 20);
    let drive = |product: &str| {
        vtltape::Drive::new(vtltape::DriveConfig {
            vendor: "IBM".into(),
            product: product.into(),
            media_home: Some(home.path().to_path_buf()),
            ..Default::default()
        })
    };
    let mut d9 = drive("ULT3580-TD9");
    let before = libvtlcart::testing::snapshot(&dir);
    assert!(d9.load_barcode("A00001LA").is_err());
    assert_eq!(libvtlcart::testing::snapshot(&dir), before);
    let mut d10 = drive("ULT3580-TDA");
    d10.load_barcode("A00001LA").unwrap();
    assert_eq!(d10.density_code(), Some(0x62));
    write_var(&mut d10, b"ten").unwrap();
}

/// A cartridge directory that is a symbolic link out of the media home is not loaded; one
/// that links inside the home is.
#[test]
fn cartridge_links_out_of_the_home_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("home");
    let outside = t.path().join("outside");
    cart(&outside, "E00077L8", MediumType::Data, "LTO8", 16 << 20);
    cart(&home, "E00078L8", MediumType::Data, "LTO8", 16 << 20);
    std::os::unix::fs::symlink(outside.join("E00077L8"), home.join("E00077L8")).unwrap();
    std::os::unix::fs::symlink(home.join("E00078L8"), home.join("E00079L8")).unwrap();
    let mut d = lto8_drive(&home);
    let e = d.load_barcode("E00077L8").unwrap_err().to_string();
    assert!(e.contains("outside the media home"), "{e}");
    assert!(!d.is_loaded());
    d.load_barcode("E00079L8").unwrap();
}
