//! Media behaviours through the drive's SCSI commands: the WORM label exception (spec 1.14,
//! SSC-5 4.2.23), NULL media (spec 1.14), the MAM byte counters 0x0220..0x0223 (SPC-5
//! 7.4.2.2), a load into an occupied drive, short ERASE (SSC-5 7.1), LOAD UNLOAD with RETEN
//! and EOT (SSC-5 7.2) and a drive whose compression is configured but disabled.

mod common;

use std::path::Path;

use common::*;
use libvtlcart::testing::snapshot;
use libvtlcart::{Cartridge, Compression, MediumType};
use vtl_scsi::{Asc, InProcess, ScsiError, SenseKey};
use vtltape::{CompressionAlgorithm, CompressionConfig, Drive, DriveConfig, DriveError};

const NO: SenseKey = SenseKey::NoSense;
const TUR: [u8; 6] = [0, 0, 0, 0, 0, 0];
const MIB: usize = 1 << 20;
/// ERASE(6) with IMMED=0, LONG=0 (short erase).
const ERASE_SHORT: [u8; 6] = [0x19, 0, 0, 0, 0, 0];
/// TapeAlert flag 0x3C WORM medium - overwrite attempted, as a bit of `Drive::tape_alert`.
const TA_WORM_OVERWRITE: u64 = 1 << (0x3c - 1);

/// The DATA PROTECT / WORM MEDIUM - OVERWRITE ATTEMPTED (0x07/0x30/0x0C) condition of a
/// refused WORM write: no INFORMATION, no stream bits.
fn worm_refused() -> vtl_scsi::Sense {
    sense(
        SenseKey::DataProtect,
        Asc(0x30, 0x0c),
        false,
        false,
        false,
        None,
    )
}

/// The objects of partition 0 of the cartridge in `dir`, read with libvtlcart: `Some(len)`
/// for a data block, `None` for a filemark.
fn objects(dir: &Path) -> Vec<Option<Vec<u8>>> {
    let mut c = Cartridge::open(dir, &Default::default()).unwrap();
    let mut out = Vec::new();
    let mut buf = Vec::new();
    loop {
        match c.read(&mut buf).unwrap() {
            libvtlcart::Object::Data(_) => out.push(Some(buf.clone())),
            libvtlcart::Object::Filemark => out.push(None),
            libvtlcart::Object::EndOfData => return out,
        }
    }
}

// ------------------------------------------------------------------ WORM label exception

/// A WORM cartridge holding exactly one filemark (the label case of spec 1.14) may be written
/// at BOP: WRITE replaces the filemark with the label block and the tape then takes appends
/// only. No TapeAlert is raised for it.
#[test]
fn worm_label_case_allows_writing_at_bop() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "W00001L8", MediumType::Worm, "LTO8", 16 << 20);
    let mut d = lto8_drive(home.path());
    d.load_barcode("W00001L8").unwrap();
    // A blank WORM tape is at EOD: the first filemark is an append.
    good(&mut d, &wfm(1), &[]);
    good(&mut d, &REWIND, &[]);
    assert_eq!(position(&mut d), (0x80, 0, 0, 0));
    // BOP, the tape holds one filemark and nothing else: the label goes over it.
    let label = pattern(1, 80);
    write_var(&mut d, &label).unwrap();
    assert_eq!(block(&mut d), 1);
    {
        let p = d.cartridge().unwrap().partition(0).unwrap();
        assert_eq!(p.eod(), 1, "the label replaced the filemark");
        assert!(p.filemarks().is_empty());
    }
    // Appends at EOD continue.
    good(&mut d, &wfm(1), &[]);
    write_var(&mut d, &pattern(2, 100)).unwrap();
    assert_eq!(d.tape_alert() & TA_WORM_OVERWRITE, 0);
    d.unload().unwrap();
    assert_eq!(
        objects(&dir),
        [Some(label), None, Some(pattern(2, 100))],
        "label, filemark, block"
    );
}

/// WRITE FILEMARKS in the label case: the filemark at BOP may be written again.
#[test]
fn worm_label_case_allows_a_filemark_at_bop() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "W00001L8", MediumType::Worm, "LTO8", 16 << 20);
    let mut d = lto8_drive(home.path());
    d.load_barcode("W00001L8").unwrap();
    good(&mut d, &wfm(1), &[]);
    good(&mut d, &REWIND, &[]);
    good(&mut d, &wfm(2), &[]);
    assert_eq!(block(&mut d), 2);
    assert_eq!(d.tape_alert() & TA_WORM_OVERWRITE, 0);
    d.unload().unwrap();
    assert_eq!(objects(&dir), [None, None]);
}

/// A WORM tape: its barcode, the objects written on it (`Some(n)`: a block of n bytes,
/// `None`: a filemark) and the positions where writes are tried.
type WormCase = (&'static str, &'static [Option<u32>], &'static [u32]);

/// The neighbours of the label case are refused with DATA PROTECT 0x30/0x0C, raise TapeAlert
/// 0x3C and leave every file of the cartridge as it was: a tape with the label and more
/// (at BOP and at the filemark after it), a tape whose only object is a data block, a tape
/// with two filemarks.
#[test]
fn worm_writes_next_to_the_label_case_are_refused() {
    let home = tempfile::tempdir().unwrap();
    let mut d = lto8_drive(home.path());
    // (pcl, objects written: a block of that many bytes or a filemark, positions to try)
    let cases: [WormCase; 3] = [
        ("W00001L8", &[Some(80), None], &[0, 1]),
        ("W00002L8", &[Some(80)], &[0]),
        ("W00003L8", &[None, None], &[0, 1]),
    ];
    for (pcl, writes, at) in cases {
        let dir = cart(home.path(), pcl, MediumType::Worm, "LTO8", 16 << 20);
        d.load_barcode(pcl).unwrap();
        for w in writes {
            match w {
                Some(n) => write_var(&mut d, &pattern(*n, *n as usize)).unwrap(),
                None => drop(good(&mut d, &wfm(1), &[])),
            }
        }
        // REWIND is a synchronization point: the files hold everything written.
        good(&mut d, &REWIND, &[]);
        let before = snapshot(&dir);
        for &b in at {
            good(&mut d, &locate(b), &[]);
            d.clear_tape_alert();
            let (s, _) = check(&mut d, &cdb6(0x0a, 0, 80), &pattern(9, 80));
            assert_eq!(s, worm_refused(), "{pcl}: WRITE at {b}");
            assert_eq!(d.tape_alert() & TA_WORM_OVERWRITE, TA_WORM_OVERWRITE);
            let (s, _) = check(&mut d, &wfm(1), &[]);
            assert_eq!(s, worm_refused(), "{pcl}: WRITE FILEMARKS at {b}");
            let (s, _) = check(&mut d, &ERASE_SHORT, &[]);
            assert_eq!(s, worm_refused(), "{pcl}: ERASE at {b}");
            assert_eq!(block(&mut d), b, "{pcl}: no movement");
        }
        assert_eq!(snapshot(&dir), before, "{pcl}: files unchanged");
        // At EOD the same tape takes an append.
        good(&mut d, &space(3, 0), &[]);
        write_var(&mut d, &pattern(3, 10)).unwrap();
        assert_eq!(block(&mut d), writes.len() as u32 + 1);
        d.unload().unwrap();
        let objs = objects(&dir);
        assert_eq!(objs.len(), writes.len() + 1, "{pcl}");
        assert_eq!(objs.last(), Some(&Some(pattern(3, 10))));
    }
}

// ------------------------------------------------------------------ NULL media

/// NULL media (spec 1.14): writes succeed and only the index grows (the data file stays
/// empty); a block reads back as its length in zero bytes with READ's ILI rules; filemarks,
/// SPACE, READ POSITION and EOD behave as on data media. Capacity is counted as on data
/// media: each block takes its uncompressed length (NULL media never compress) plus its
/// index record, so early warning and VOLUME OVERFLOW come at the same points as in
/// `write_at_early_warning_and_past_the_end` (commands.rs).
#[test]
fn null_media_through_the_drive() {
    let home = tempfile::tempdir().unwrap();
    let reserve = vtltape::drive::FILEMARK_RESERVE_BYTES;
    let dir = cart(
        home.path(),
        "N00001L8",
        MediumType::Null,
        "LTO8",
        (8 << 20) + 10 * 512 + reserve,
    );
    // A compressing drive: NULL media store blocks uncompressed anyway.
    let mut d = Drive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        serial: "XYZZY_A1".into(),
        compression: CompressionConfig::default(),
        media_home: Some(home.path().to_path_buf()),
        ..Default::default()
    });
    d.load_barcode("N00001L8").unwrap();
    assert!(d.compression_enabled());
    // B0 FM B2..B6, then B7 past early warning.
    write_var(&mut d, &pattern(0, MIB)).unwrap();
    good(&mut d, &wfm(1), &[]);
    for n in 2..7 {
        write_var(&mut d, &pattern(n, MIB)).unwrap();
    }
    let (s, _) = check(&mut d, &cdb6(0x0a, 0, MIB as u32), &pattern(7, MIB));
    assert_eq!(s, early_warning());
    assert_eq!(position(&mut d).0 & 0x40, 0x40, "EOP past early warning");
    // A block larger than what is left: VOLUME OVERFLOW, nothing written.
    let (s, _) = check(
        &mut d,
        &cdb6(0x0a, 0, MIB as u32 + 2048),
        &pattern(8, MIB + 2048),
    );
    assert_eq!(s, volume_overflow(MIB as i64 + 2048));
    assert_eq!(block(&mut d), 8);
    // Reading: the length as zero bytes.
    good(&mut d, &REWIND, &[]);
    assert_eq!(good(&mut d, &read_var(MIB as u32), &[]), vec![0u8; MIB]);
    // The filemark: FILEMARK, past it.
    let (s, data) = check(&mut d, &read_var(100), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(100))
    );
    assert!(data.is_empty());
    assert_eq!(block(&mut d), 2);
    // A larger buffer: ILI, INFORMATION = 2 MiB − 1 MiB.
    let (s, data) = check(&mut d, &read_var(2 * MIB as u32), &[]);
    assert_eq!(
        s,
        sense(
            NO,
            Asc::NO_ADDITIONAL_SENSE,
            false,
            false,
            true,
            Some(MIB as i64)
        )
    );
    assert_eq!(data, vec![0u8; MIB]);
    // A smaller one, even with SILI: the first bytes, ILI, INFORMATION negative.
    let (s, data) = check(&mut d, &[0x08, 0x02, 0, 0, 100, 0], &[]);
    assert_eq!(
        s,
        sense(
            NO,
            Asc::NO_ADDITIONAL_SENSE,
            false,
            false,
            true,
            Some(100 - MIB as i64)
        )
    );
    assert_eq!(data, [0u8; 100]);
    assert_eq!(block(&mut d), 4);
    // SPACE: filemarks backward to before the mark; blocks forward stop past it at once,
    // then at EOD.
    good(&mut d, &space(1, -1), &[]);
    assert_eq!(block(&mut d), 1);
    let (s, _) = check(&mut d, &space(0, 10), &[]);
    assert_eq!(
        s,
        sense(NO, Asc::FILEMARK_DETECTED, true, false, false, Some(10))
    );
    assert_eq!(block(&mut d), 2);
    let (s, _) = check(&mut d, &space(0, 10), &[]);
    assert_eq!(
        s,
        sense(
            SenseKey::BlankCheck,
            Asc::END_OF_DATA_DETECTED,
            false,
            true,
            false,
            Some(4)
        ),
        "6 blocks spaced, EOD past early warning"
    );
    assert_eq!(block(&mut d), 8);
    // READ at EOD: BLANK CHECK with EOM (EOD lies past early warning).
    let (s, _) = check(&mut d, &read_var(10), &[]);
    assert_eq!(
        s,
        sense(
            SenseKey::BlankCheck,
            Asc::END_OF_DATA_DETECTED,
            false,
            true,
            false,
            Some(10)
        )
    );
    // Long form READ POSITION at EOD: EOP, partition 0, object 8, file 1.
    let p = good(&mut d, &[0x34, 6, 0, 0, 0, 0, 0, 0, 0, 0], &[]);
    assert_eq!(p[0] & 0xc0, 0x40);
    assert_eq!(p[8..16], 8u64.to_be_bytes());
    assert_eq!(p[16..24], 1u64.to_be_bytes());
    d.unload().unwrap();
    // On disk: an empty data file, eight index records, uncompressed blocks of their
    // length.
    assert_eq!(std::fs::metadata(dir.join("data.0")).unwrap().len(), 0);
    let c = Cartridge::open(&dir, &Default::default()).unwrap();
    let p = c.partition(0).unwrap();
    assert_eq!((p.eod(), p.filemarks()), (8, &[1u32][..]));
    assert_eq!(p.eod_data_offset(), 7 * MIB as u64);
    for b in [0, 2, 7] {
        let r = c.record(0, b).unwrap();
        assert_eq!(
            r.blk_flags.get(),
            0x08,
            "block {b}: CRC only, not compressed"
        );
        assert_eq!(r.blk_size.get(), MIB as u32);
    }
}

// ------------------------------------------------------------------ MAM byte counters

/// READ ATTRIBUTE (ATTRIBUTE VALUES, partition 0) of the 8-byte binary attribute `id`.
fn attribute_u64(d: &mut Drive, id: u16) -> u64 {
    let mut cdb = [0u8; 16];
    cdb[0] = 0x8c;
    cdb[8..10].copy_from_slice(&id.to_be_bytes());
    cdb[10..14].copy_from_slice(&(4u32 + 13).to_be_bytes());
    let a = good(d, &cdb, &[]);
    assert_eq!(a.len(), 17);
    // First attribute: identifier, read only + binary, length 8, value.
    assert_eq!(
        a[4..9],
        [(id >> 8) as u8, id as u8, 0x80, 0, 8],
        "{id:#06x}"
    );
    u64::from_be_bytes(a[9..17].try_into().unwrap())
}

/// The MAM counters 0x0220..0x0223 (MiB written/read in medium life, written/read in the
/// current/last load) as libvtlcart finds them in the cartridge's files.
fn mam_counters(dir: &Path) -> [u64; 4] {
    let c = Cartridge::open(dir, &Default::default()).unwrap();
    let b = &c.mam().base;
    [
        b.written_in_medium_life.get(),
        b.read_in_medium_life.get(),
        b.written_in_last_load.get(),
        b.read_in_last_load.get(),
    ]
}

/// The MAM byte counters follow what each load wrote and read (SPC-5 7.4.2.2: TOTAL
/// MBYTES WRITTEN/READ IN MEDIUM LIFE 0x0220/0x0221, IN CURRENT/LAST LOAD 0x0222/0x0223),
/// in MiB rounded up; a block read counts whole even when the host asked for fewer bytes
/// (the bytes came off the medium). READ ATTRIBUTE reports the current load while it lasts;
/// unload writes the values back; a new load starts the current-load counters at 0.
#[test]
fn mam_byte_counters_follow_each_load() {
    let (home, mut d) = loaded();
    let dir = home.path().join("E00001L8");
    for n in 0..3 {
        write_var(&mut d, &pattern(n, MIB)).unwrap();
    }
    write_var(&mut d, &pattern(3, 10)).unwrap();
    good(&mut d, &REWIND, &[]);
    // Block 0 into a 16-byte buffer (ILI), block 1 whole: 2 MiB read from the medium.
    let (s, _) = check(&mut d, &read_var(16), &[]);
    assert!(s.ili);
    assert_eq!(good(&mut d, &read_var(MIB as u32), &[]), pattern(1, MIB));
    // READ ATTRIBUTE reports this load as it stands.
    assert_eq!(attribute_u64(&mut d, 0x0220), 4);
    assert_eq!(attribute_u64(&mut d, 0x0221), 2);
    assert_eq!(attribute_u64(&mut d, 0x0222), 4);
    assert_eq!(attribute_u64(&mut d, 0x0223), 2);
    d.unload().unwrap();
    // 3 MiB + 10 bytes written: 4 MiB.
    assert_eq!(mam_counters(&dir), [4, 2, 4, 2]);
    // Second load: reads only.
    d.load_barcode("E00001L8").unwrap();
    assert_eq!(attribute_u64(&mut d, 0x0222), 0);
    assert_eq!(attribute_u64(&mut d, 0x0223), 0);
    assert_eq!(good(&mut d, &read_var(MIB as u32), &[]), pattern(0, MIB));
    assert_eq!(attribute_u64(&mut d, 0x0221), 3);
    assert_eq!(attribute_u64(&mut d, 0x0223), 1);
    d.unload().unwrap();
    assert_eq!(mam_counters(&dir), [4, 3, 0, 1]);
    // Third load, nothing moved: the life totals through READ ATTRIBUTE.
    d.load_barcode("E00001L8").unwrap();
    assert_eq!(attribute_u64(&mut d, 0x0220), 4);
    assert_eq!(attribute_u64(&mut d, 0x0221), 3);
    d.unload().unwrap();
    assert_eq!(mam_counters(&dir), [4, 3, 0, 0]);
}

// ------------------------------------------------------------------ small gaps

/// A load into a drive that holds a cartridge (threaded, or unloaded to the mouth) is
/// refused with `DriveError::Occupied` naming the cartridge in the drive; neither cartridge's
/// files change and the loaded one stays where it was.
#[test]
fn load_into_an_occupied_drive_is_refused() {
    let (home, mut d) = loaded();
    let other = cart(home.path(), "E00002L8", MediumType::Data, "LTO8", 16 << 20);
    let mine = home.path().join("E00001L8");
    write_var(&mut d, &pattern(0, 100)).unwrap();
    good(&mut d, &wfm(1), &[]);
    let (mine_before, other_before) = (snapshot(&mine), snapshot(&other));
    match d.load_barcode("E00002L8") {
        Err(DriveError::Occupied(b)) => assert_eq!(b, "E00001L8"),
        r => panic!("{r:?}"),
    }
    assert!(matches!(
        d.load_dir(&other),
        Err(DriveError::Occupied(b)) if b == "E00001L8"
    ));
    assert_eq!(snapshot(&mine), mine_before);
    assert_eq!(snapshot(&other), other_before);
    assert_eq!(d.cartridge_barcode().as_deref(), Some("E00001L8"));
    assert_eq!(block(&mut d), 2);
    // In the mouth after UNLOAD: still occupied.
    good(&mut d, &[0x1b, 0, 0, 0, 0, 0], &[]);
    let mine_unloaded = snapshot(&mine);
    assert!(matches!(
        d.load_barcode("E00002L8"),
        Err(DriveError::Occupied(b)) if b == "E00001L8"
    ));
    assert_eq!(snapshot(&mine), mine_unloaded);
    assert_eq!(snapshot(&other), other_before);
    // Once taken out, the other one loads.
    assert_eq!(d.unload().unwrap().as_deref(), Some("E00001L8"));
    d.load_barcode("E00002L8").unwrap();
    assert_eq!(d.cartridge_barcode().as_deref(), Some("E00002L8"));
}

/// A short ERASE (IMMED=0, LONG=0) in the middle of the data records EOD at the current
/// position (SSC-5 7.1): everything after it, filemarks included, is gone for good, the tape
/// does not move, READ there is BLANK CHECK and a write appends there. At EOD it changes
/// nothing.
#[test]
fn short_erase_records_eod_here() {
    let (home, mut d) = loaded();
    let dir = home.path().join("E00001L8");
    // B0 B1 FM B3 FM B5 | EOD 6
    write_var(&mut d, &pattern(0, 100)).unwrap();
    write_var(&mut d, &pattern(1, 100)).unwrap();
    good(&mut d, &wfm(1), &[]);
    write_var(&mut d, &pattern(3, 100)).unwrap();
    good(&mut d, &wfm(1), &[]);
    write_var(&mut d, &pattern(5, 100)).unwrap();
    good(&mut d, &locate(3), &[]);
    good(&mut d, &ERASE_SHORT, &[]);
    assert_eq!(position(&mut d), (0, 0, 3, 3));
    {
        let p = d.cartridge().unwrap().partition(0).unwrap();
        assert_eq!((p.eod(), p.filemarks()), (3, &[2u32][..]));
    }
    let (s, _) = check(&mut d, &read_var(100), &[]);
    assert_eq!(
        s,
        sense(
            SenseKey::BlankCheck,
            Asc::END_OF_DATA_DETECTED,
            false,
            false,
            false,
            Some(100)
        )
    );
    // The second filemark went with the rest: spacing forward over one finds EOD.
    good(&mut d, &REWIND, &[]);
    good(&mut d, &space(1, 1), &[]);
    let (s, _) = check(&mut d, &space(1, 1), &[]);
    assert_eq!(
        (s.key, s.asc, s.information),
        (SenseKey::BlankCheck, Asc::END_OF_DATA_DETECTED, Some(1))
    );
    assert_eq!(block(&mut d), 3);
    // At EOD: GOOD, nothing changes.
    good(&mut d, &ERASE_SHORT, &[]);
    assert_eq!(d.cartridge().unwrap().partition(0).unwrap().eod(), 3);
    write_var(&mut d, &pattern(7, 50)).unwrap();
    d.unload().unwrap();
    assert_eq!(
        objects(&dir),
        [
            Some(pattern(0, 100)),
            Some(pattern(1, 100)),
            None,
            Some(pattern(7, 50))
        ]
    );
}

/// LOAD UNLOAD (SSC-5 7.2) with RETEN=1 and with EOT=1. RETEN asks for a retension pass
/// (nothing to do on a virtual tape): LOAD with RETEN ends at BOP of partition 0 like any
/// LOAD, for a threaded cartridge and for one in the mouth. EOT asks that the medium be
/// positioned at end-of-medium before removal (only valid when unloading): the cartridge is
/// unloaded as with EOT=0, its data intact, with HOLD deciding between MEDIUM NOT PRESENT and
/// INITIALIZING COMMAND REQUIRED.
#[test]
fn load_with_reten_and_unload_with_eot() {
    let (_home, mut d) = loaded();
    write_var(&mut d, &pattern(0, 100)).unwrap();
    write_var(&mut d, &pattern(1, 100)).unwrap();
    // LOAD=1 RETEN=1 on a threaded cartridge: rewound.
    good(&mut d, &[0x1b, 0, 0, 0, 0x03, 0], &[]);
    assert_eq!(position(&mut d), (0x80, 0, 0, 0));
    // LOAD=0 EOT=1: unloaded to the mouth (flushed).
    good(&mut d, &[0x1b, 0, 0, 0, 0x04, 0], &[]);
    assert_eq!(
        d.ready(),
        Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT))
    );
    assert_eq!(d.cartridge_barcode().as_deref(), Some("E00001L8"));
    // LOAD=1 RETEN=1 from the mouth: threaded at BOP, the data there.
    good(&mut d, &[0x1b, 0, 0, 0, 0x03, 0], &[]);
    assert!(d.take_medium_changed());
    assert_eq!(position(&mut d), (0x80, 0, 0, 0));
    assert_eq!(good(&mut d, &read_var(100), &[]), pattern(0, 100));
    assert_eq!(good(&mut d, &read_var(100), &[]), pattern(1, 100));
    // LOAD=0 EOT=1 HOLD=1.
    good(&mut d, &[0x1b, 0, 0, 0, 0x0c, 0], &[]);
    assert_eq!(
        d.ready(),
        Err(ScsiError::not_ready(Asc::INITIALIZING_COMMAND_REQUIRED))
    );
    // LOAD=1 EOT=1 RETEN=1 is still an invalid field (byte 4 bit 2).
    let (s, _) = check(&mut d, &[0x1b, 0, 0, 0, 0x07, 0], &[]);
    assert_eq!(s, vtl_scsi::Sense::invalid_field_in_cdb(4, Some(2)));
}

/// device.conf `Compression: factor 6 enabled 0` with `Compression type: zlib` (vtl-config
/// hands the drive `CompressionConfig { algorithm: Some(Zlib), level: 6, enabled: false }`):
/// the drive starts with DCE=0 and DCC=1 in mode page 0x0F (DCE changeable), SELECT DATA
/// COMPRESSION ALGORITHM 0 in page 0x10, and stores blocks uncompressed; MODE SELECT DCE=1
/// turns zlib on.
#[test]
fn compression_configured_but_disabled_starts_off() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(home.path(), "E00001L8", MediumType::Data, "LTO8", 16 << 20);
    let config = CompressionConfig {
        algorithm: Some(CompressionAlgorithm::Zlib),
        level: 6,
        enabled: false,
    };
    let mut t = InProcess::new(lto8_lu(home.path(), config));
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
    t.lu().load_barcode("E00001L8").unwrap();
    assert_eq!(t.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0)));
    assert!(!t.lu().drive().compression_enabled());
    let sense6 = |t: &mut InProcess<vtltape::TapeDrive>, page: u8| {
        let c = t.command(1, &[0x1a, 0x08, page, 0, 255, 0], &[], 255);
        assert!(c.is_good(), "{:?}", c.key_asc());
        c.data
    };
    // Page 0x0F: DCE 0, DCC 1, DDE 1, algorithms 1.
    assert_eq!(
        sense6(&mut t, 0x0f)[4..],
        [0x8f, 0x0e, 0x40, 0x80, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    );
    assert_eq!(sense6(&mut t, 0x4f)[4 + 2], 0x80, "DCE changeable");
    assert_eq!(sense6(&mut t, 0x10)[4 + 14], 0);
    let data = vec![b'A'; 4096];
    let write = |t: &mut InProcess<vtltape::TapeDrive>| {
        let c = t.command(1, &cdb6(0x0a, 0, 4096), &data, 0);
        assert!(c.is_good(), "{:?}", c.key_asc());
    };
    write(&mut t);
    // MODE SELECT(6) page 0x0F with DCE set: the configured algorithm is used.
    let mut sel = sense6(&mut t, 0x0f);
    sel[0] = 0;
    sel[4] &= 0x3f;
    sel[6] |= 0x80;
    let c = t.command(1, &[0x15, 0x10, 0, 0, sel.len() as u8, 0], &sel, 0);
    assert!(c.is_good(), "{:?}", c.key_asc());
    write(&mut t);
    t.lu().unload().unwrap();
    let c = Cartridge::open(&dir, &Default::default()).unwrap();
    let r = c.record(0, 0).unwrap();
    assert_eq!(r.blk_flags.get(), 0x08, "CRC only");
    assert_eq!(r.disk_blk_size.get(), 4096);
    let r = c.record(0, 1).unwrap();
    assert_eq!(r.blk_flags.get(), 0x08 | Compression::Zlib(6).flag());
    assert!(r.disk_blk_size.get() < 100, "{}", r.disk_blk_size.get());
    assert_eq!(objects(&dir), [Some(data.clone()), Some(data)]);
}
