//! Scenario tests: the drive driven the way real clients drive it through the Linux st
//! driver (clients.md): st's open, `mt` commands, tar archives, Bacula's btape `test` and
//! `fill`, Amanda's amtapetype, plus durability of synchronous filemarks, load statistics and
//! reading real mhvtl fixture tapes. Each scenario runs on a legacy and a v6 cartridge and
//! asserts the sense (key/ASC/ASCQ, FILEMARK/EOM/ILI, INFORMATION) and data of every step.

mod common;

use std::path::Path;

use common::st::{Errno, MtStatus, St};
use common::*;
use libvtlcart::{Cartridge, Format, Object, OpenOptionsCart};
use vtl_scsi::{Asc, SenseKey};
use vtltape::CompressionConfig;

const NO: SenseKey = SenseKey::NoSense;

/// A home with cartridge `pcl` (`format`, `capacity` bytes), an LTO-8 drive that the kernel
/// has probed (INQUIRY) and the cartridge loaded into it, and st not yet opened.
fn setup(
    format: Format,
    capacity: u64,
    comp: CompressionConfig,
    rewind_device: bool,
) -> (tempfile::TempDir, St) {
    let home = tempfile::tempdir().unwrap();
    cart_in(home.path(), "S00001L8", format, capacity);
    let mut st = St::new(lto8_lu(home.path(), comp), rewind_device);
    // The kernel's scan: INQUIRY is allowed through a pending unit attention.
    let c = st.cmd(&[0x12, 0, 0, 0, 96, 0], &[], 96);
    assert!(c.is_good());
    assert_eq!(c.data[0], 0x01, "sequential-access device");
    st.lu().load_barcode("S00001L8").unwrap();
    st.log.clear();
    (home, st)
}

/// Set up and open.
fn opened(format: Format, capacity: u64) -> (tempfile::TempDir, St) {
    let (h, mut st) = setup(format, capacity, NO_COMPRESSION, false);
    st.open().unwrap();
    st.log.clear();
    (h, st)
}

/// mt status with the fields the scenarios compare.
fn mt(st: &mut St) -> (i64, i64, bool, bool, bool) {
    let s = st.status();
    (s.file, s.block, s.bot, s.eod, s.eot)
}

/// Block `i` of `len` bytes, cheap to make and to tell apart: a fixed pseudo-random body
/// with `i` written at both ends.
fn numbered(i: u32, len: usize) -> Vec<u8> {
    let mut v = pattern(len as u32, len);
    v[..4].copy_from_slice(&i.to_be_bytes());
    let n = len - 4;
    v[n..].copy_from_slice(&i.to_be_bytes());
    v
}

/// Pseudo-random bytes (xorshift), incompressible.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(len + 8);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(len);
    v
}

// ---------------------------------------------------------------------------- 1. st open

#[test]
fn st_open_right_after_load() {
    for format in FORMATS {
        let (_h, mut st) = setup(format, 16 << 20, NO_COMPRESSION, false);
        st.open().unwrap();
        // Power on first, then the medium change, then ready.
        assert_eq!(st.attentions, [(0x29, 0x00), (0x28, 0x00)], "{format:?}");
        assert_eq!(st.take_ops(), [0x00, 0x00, 0x00, 0x05, 0x1a]);
        // READ BLOCK LIMITS: LTO-8 1 .. 8 MiB, MODE SENSE: LTO-8 density, variable mode.
        assert_eq!(st.limits, (0x80_0000, 1));
        assert_eq!((st.density, st.block_size, st.write_prot), (0x5e, 0, false));
        // READ POSITION right after load: BOP, block 0, never unknown.
        let c = st.cmd(&[0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 20);
        assert_eq!(
            c.data,
            [
                0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
            ]
        );
        assert_eq!(st.tell(), Ok(0));
        assert_eq!(
            st.status(),
            MtStatus {
                file: 0,
                block: 0,
                partition: 0,
                block_size: 0,
                density: 0x5e,
                bot: true,
                eof: false,
                eod: false,
                eot: false,
                wr_prot: false,
                online: true,
            }
        );
        // A second open (no new unit attention) goes straight to ready.
        st.attentions.clear();
        st.open().unwrap();
        assert!(st.attentions.is_empty());
    }
}

#[test]
fn st_open_sees_write_protect_and_no_medium() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart_in(home.path(), "W00001L8", Format::V6, 16 << 20);
    // Write protect the cartridge the way edit_tape -w on does (MAM flag).
    {
        let mut c = Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                count_load: false,
                recover: false,
            },
        )
        .unwrap();
        c.mam_mut().set_write_protected(true);
        c.write_mam().unwrap();
    }
    let mut st = St::new(lto8_lu(home.path(), NO_COMPRESSION), false);
    assert_eq!(st.open(), Err(Errno::Enomedium));
    assert_eq!(st.attentions, [(0x29, 0)]);
    st.lu().load_barcode("W00001L8").unwrap();
    st.open().unwrap();
    assert!(st.write_prot);
    assert!(st.status().wr_prot);
    assert_eq!(
        st.write(&[1; 512]),
        Err(Errno::Eacces),
        "st refuses by itself"
    );
    // Past st, the drive refuses too: DATA PROTECT / WRITE PROTECTED.
    let c = st.cmd(&[0x0a, 0, 0, 2, 0, 0], &[1; 512], 0);
    assert_eq!(c.key_asc(), Some((7, 0x27, 0)));
}

// ---------------------------------------------------------------------------- 2. mt

/// Three files: A0..A2 | B0..B4 | C0..C1, each block 1000 bytes, filemarks at blocks 3, 9
/// and 12 (the last written by close), EOD at 13.
fn write_three_files(st: &mut St) {
    for i in 0..3 {
        assert_eq!(st.write(&numbered(i, 1000)), Ok(1000));
    }
    st.weof(1).unwrap();
    for i in 10..15 {
        st.write(&numbered(i, 1000)).unwrap();
    }
    st.weof(1).unwrap();
    for i in 20..22 {
        st.write(&numbered(i, 1000)).unwrap();
    }
    st.log.clear();
    st.close().unwrap();
    assert_eq!(
        st.take_ops(),
        [0x10],
        "close after writing: WRITE FILEMARKS 1"
    );
}

#[test]
fn mt_positioning_commands() {
    for format in FORMATS {
        let (_h, mut st) = opened(format, 16 << 20);
        write_three_files(&mut st);
        assert_eq!(mt(&mut st), (3, 0, false, false, false));
        assert_eq!(st.tell(), Ok(13));

        st.rewind().unwrap();
        assert_eq!(mt(&mut st), (0, 0, true, false, false));
        // mt fsf 1
        st.fsf(1).unwrap();
        assert_eq!(
            (mt(&mut st), st.tell()),
            ((1, 0, false, false, false), Ok(4))
        );
        // mt fsr 2, read B2 with st's big buffer (ILI, positive residue).
        st.fsr(2).unwrap();
        assert_eq!((st.file, st.block, st.tell()), (1, 2, Ok(6)));
        assert_eq!(st.read(65536).unwrap(), numbered(12, 1000));
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::NO_ADDITIONAL_SENSE,
                false,
                false,
                true,
                Some(64536)
            ))
        );
        assert_eq!(
            st.log.last().unwrap().sense_bytes[..7],
            [0xf0, 0, 0x20, 0, 0, 0xfc, 0x18]
        );
        // mt bsr 1, re-read.
        st.bsr(1).unwrap();
        assert_eq!((st.block, st.tell()), (2, Ok(6)));
        assert_eq!(st.read(1000).unwrap(), numbered(12, 1000));
        assert_eq!(st.last_sense(), None, "exact length: GOOD");
        // mt fsr 10 runs into the filemark after B4: FILEMARK, residue 10 - 2.
        assert_eq!(st.fsr(10), Err(Errno::Eio));
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::FILEMARK_DETECTED,
                true,
                false,
                false,
                Some(8)
            ))
        );
        assert_eq!(
            (mt(&mut st), st.tell()),
            ((2, 0, false, false, false), Ok(10))
        );
        // mt bsr 1 at the start of file 2: stops on the BOP side of the filemark.
        assert_eq!(st.bsr(1), Err(Errno::Eio));
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::FILEMARK_DETECTED,
                true,
                false,
                false,
                Some(1)
            ))
        );
        assert_eq!((st.file, st.block, st.tell()), (1, -1, Ok(9)));
        // mt bsf 1: back over the filemark after A2; st knows the file, not the block.
        st.bsf(1).unwrap();
        assert_eq!((st.file, st.block, st.tell()), (0, -1, Ok(3)));
        assert_eq!(st.status().file, 0);
        // mt bsf 5 from there: BOP with EOM, residue 5 - 0 (no filemark before).
        assert_eq!(st.bsf(5), Err(Errno::Eio));
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::BEGINNING_OF_PARTITION_MEDIUM_DETECTED,
                false,
                true,
                false,
                Some(5)
            ))
        );
        assert_eq!(
            (mt(&mut st), st.tell()),
            ((0, 0, true, false, false), Ok(0))
        );
        // mt fsf 1, then mt eod the st way: SPACE 0x7FFFFF filemarks ends in BLANK CHECK
        // with the residue telling how many were passed (2: file 1 -> file 3).
        st.fsf(1).unwrap();
        st.log.clear();
        st.eod().unwrap();
        let sent = st.log.last().unwrap();
        assert_eq!(sent.cdb, [0x11, 1, 0x7f, 0xff, 0xff, 0]);
        assert_eq!(
            sent.sense,
            Some(sense(
                SenseKey::BlankCheck,
                Asc::END_OF_DATA_DETECTED,
                false,
                false,
                false,
                Some(0x7f_ffff - 2)
            ))
        );
        assert_eq!(
            (mt(&mut st), st.tell()),
            ((3, 0, false, true, false), Ok(13))
        );
        // mt eod with fast-eod: SPACE code 011b.
        st.rewind().unwrap();
        st.eod_fast().unwrap();
        assert_eq!(st.log.last().unwrap().cdb, [0x11, 3, 0, 0, 0, 0]);
        assert_eq!((st.file, st.block, st.tell()), (-1, -1, Ok(13)));
        // mt seek 6 / mt tell; read B2 there.
        st.seek(6).unwrap();
        assert_eq!(
            st.log.last().unwrap().cdb,
            [0x2b, 4, 0, 0, 0, 0, 6, 0, 0, 0]
        );
        assert_eq!((st.tell(), st.status().file), (Ok(6), -1));
        assert_eq!(st.read(65536).unwrap(), numbered(12, 1000));
        // mt seek past EOD: BLANK CHECK, at EOD.
        assert_eq!(st.seek(100), Err(Errno::Eio));
        assert_eq!(
            st.last_sense().map(|s| (s.key, s.asc)),
            Some((SenseKey::BlankCheck, Asc::END_OF_DATA_DETECTED))
        );
        assert_eq!(st.tell(), Ok(13));
        st.seek(0).unwrap();
        assert_eq!(mt(&mut st), (0, 0, true, false, false));
    }
}

#[test]
fn mt_weof_erase_setblk_offline() {
    for format in FORMATS {
        let (_h, mut st) = opened(format, 16 << 20);
        write_three_files(&mut st);
        // mt eod; write one more block; mt weof 2.
        st.eod().unwrap();
        st.write(&numbered(30, 777)).unwrap();
        assert_eq!((st.file, st.block), (3, 1));
        st.weof(2).unwrap();
        assert_eq!(st.log.last().unwrap().cdb, [0x10, 0, 0, 0, 2, 0]);
        assert_eq!(
            (mt(&mut st), st.tell()),
            ((5, 0, false, false, false), Ok(16))
        );
        // Reading on: EOD right after the two marks.
        st.bsf(2).unwrap();
        assert_eq!(st.tell(), Ok(14));
        st.fsf(1).unwrap();
        assert_eq!(st.read(1000), Ok(vec![]), "the second filemark");
        assert_eq!(st.file, 5);
        assert_eq!(st.read(1000), Ok(vec![]), "EOD reads 0 once");
        assert_eq!(
            st.last_sense(),
            Some(sense(
                SenseKey::BlankCheck,
                Asc::END_OF_DATA_DETECTED,
                false,
                false,
                false,
                Some(1000)
            ))
        );
        assert_eq!(st.read(1000), Err(Errno::Eio), "then EIO");

        // mt rewind; mt erase (long erase): the tape is empty afterwards.
        st.rewind().unwrap();
        st.log.clear();
        st.erase().unwrap();
        assert_eq!(st.take_ops(), [0x19]);
        assert_eq!(mt(&mut st), (0, 0, true, false, false));
        assert_eq!(st.read(65536), Ok(vec![]));
        assert_eq!(
            st.last_sense().map(|s| (s.key, s.asc, s.information)),
            Some((SenseKey::BlankCheck, Asc::END_OF_DATA_DETECTED, Some(65536)))
        );
        st.rewind().unwrap();

        // mt setblk 512: the drive reports it in the block descriptor.
        st.setblk(512).unwrap();
        assert_eq!(st.lu().drive().block_size(), 512);
        st.block_size = 0;
        assert_eq!(st.status().block_size, 512, "from MODE SENSE");
        // Fixed-mode writes: 4 blocks, 2 blocks, close -> filemark.
        let a = pattern(1, 4 * 512);
        let b = pattern(2, 2 * 512);
        assert_eq!(st.write(&a), Ok(2048));
        assert_eq!(st.log.last().unwrap().cdb, [0x0a, 1, 0, 0, 4, 0]);
        st.write(&b).unwrap();
        assert_eq!((st.file, st.block), (0, 6));
        st.close().unwrap();
        st.write(&pattern(3, 512)).unwrap();
        st.close().unwrap();
        st.rewind().unwrap();
        // Fixed-mode read of 8 blocks: 6 come, then FILEMARK with residue 2 blocks.
        let got = st.read(8 * 512).unwrap();
        assert_eq!(st.log.last().unwrap().cdb, [0x08, 1, 0, 0, 8, 0]);
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::FILEMARK_DETECTED,
                true,
                false,
                false,
                Some(2)
            ))
        );
        assert_eq!(got, [a, b].concat());
        assert_eq!(st.read(8 * 512), Ok(vec![]), "then 0 for the filemark");
        assert_eq!((st.file, st.block), (1, 0));
        // A read whose buffer is not a whole number of blocks still asks whole blocks.
        let got = st.read(1000).unwrap();
        assert_eq!(got, pattern(3, 512));
        assert_eq!(st.log.last().unwrap().cdb, [0x08, 1, 0, 0, 1, 0]);
        // Back to variable mode: a fixed-length block read with a big buffer has ILI.
        st.setblk(0).unwrap();
        st.rewind().unwrap();
        assert_eq!(st.read(65536).unwrap().len(), 512);
        assert_eq!(
            st.last_sense().and_then(|s| s.information),
            Some(65536 - 512)
        );

        // mt compression on a drive without a compression algorithm: DCC is 0, so DCE=0 is
        // accepted and DCE=1 refused at its bit (page byte 2 bit 7 = parameter byte 6).
        match st.compression(false) {
            None => eprintln!("SKIPPED: mt compression: no mode page 0x0F"),
            Some(r) => {
                r.unwrap();
                assert_eq!(st.compression(true), Some(Err(Errno::Eio)));
                let s = st.last_sense().unwrap();
                assert_eq!(
                    (s.key, s.asc, s.specific),
                    (
                        SenseKey::IllegalRequest,
                        Asc::INVALID_FIELD_IN_PARAMETER_LIST,
                        Some(vtl_scsi::SenseKeySpecific::Field {
                            in_cdb: false,
                            byte: 6,
                            bit: Some(7)
                        })
                    )
                );
                assert!(!st.lu().drive().compression_enabled());
            }
        }

        // mt offline: LOAD UNLOAD LOAD=0; then NOT READY / MEDIUM NOT PRESENT.
        st.offline().unwrap();
        assert_eq!(st.log.last().unwrap().cdb, [0x1b, 0, 0, 0, 0, 0]);
        let s = st.status();
        assert!(!s.online && !s.bot);
        assert_eq!(
            st.log.last().unwrap().sense.map(|s| (s.key, s.asc)),
            Some((SenseKey::NotReady, Asc::MEDIUM_NOT_PRESENT))
        );
        assert_eq!(st.open(), Err(Errno::Enomedium));
        assert_eq!(st.lu().unload().unwrap().as_deref(), Some("S00001L8"));
    }
}

/// `mt compression 0|1` on a drive with LZO: MODE SENSE page 0x0F, DCE flipped, MODE
/// SELECT; the drive follows and the next blocks are stored accordingly.
#[test]
fn mt_compression() {
    for format in FORMATS {
        let (_h, mut st) = setup(format, 16 << 20, CompressionConfig::default(), false);
        st.open().unwrap();
        let Some(r) = st.compression(false) else {
            eprintln!("SKIPPED: mt compression: no mode page 0x0F");
            return;
        };
        r.unwrap();
        assert!(!st.lu().drive().compression_enabled());
        let text = vec![b'a'; 8192];
        st.write(&text).unwrap();
        st.compression(true).unwrap().unwrap();
        assert!(st.lu().drive().compression_enabled());
        st.write(&text).unwrap();
        st.close().unwrap();
        let stored = |st: &mut St, n: u32| {
            st.lu()
                .drive()
                .cartridge()
                .unwrap()
                .record(0, n)
                .unwrap()
                .disk_blk_size
                .get()
        };
        assert_eq!(stored(&mut st, 0), 8192, "DCE=0: stored as written");
        assert!(stored(&mut st, 1) < 1024, "DCE=1: compressed");
        st.rewind().unwrap();
        assert_eq!(st.read(65536).unwrap(), text);
        assert_eq!(st.read(65536).unwrap(), text);
    }
}

// ---------------------------------------------------------------------------- 3. tar

const RECORD: usize = 10240;

fn tar_archive(seed: u32, records: u32) -> Vec<Vec<u8>> {
    (0..records)
        .map(|i| pattern(seed * 100 + i, RECORD))
        .collect()
}

/// `tar x`/`tar t`: read records with a 64 KiB buffer until the filemark (read returns 0).
fn tar_read(st: &mut St) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let r = st.read(65536).unwrap();
        if r.is_empty() {
            assert_eq!(
                st.last_sense(),
                Some(sense(
                    NO,
                    Asc::FILEMARK_DETECTED,
                    true,
                    false,
                    false,
                    Some(65536)
                ))
            );
            return out;
        }
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::NO_ADDITIONAL_SENSE,
                false,
                false,
                true,
                Some(65536 - RECORD as i64)
            )),
            "ILI, positive residue"
        );
        assert_eq!(st.log.last().unwrap().data_len, RECORD);
        out.push(r);
    }
}

#[test]
fn tar_two_archives_and_list_the_second() {
    for format in FORMATS {
        let (_h, mut st) = opened(format, 16 << 20);
        let one = tar_archive(1, 5);
        let two = tar_archive(2, 7);
        for (n, archive) in [&one, &two].into_iter().enumerate() {
            // tar cf /dev/nst0: open, records, close.
            st.open().unwrap();
            for r in archive {
                assert_eq!(st.write(r), Ok(RECORD));
            }
            st.close().unwrap();
            assert_eq!((st.file, st.block), (n as i64 + 1, 0));
        }
        st.rewind().unwrap();
        // tar xf /dev/nst0 twice.
        assert_eq!(tar_read(&mut st), one);
        assert_eq!(st.file, 1);
        assert_eq!(tar_read(&mut st), two);
        assert_eq!(st.file, 2);
        // A third tar finds end of data: 0 bytes, then EIO.
        assert_eq!(st.read(65536), Ok(vec![]));
        assert_eq!(st.read(65536), Err(Errno::Eio));
        // mt rewind; mt fsf 1; tar tf /dev/nst0.
        st.rewind().unwrap();
        st.fsf(1).unwrap();
        assert_eq!(tar_read(&mut st), two);
        // dd with a buffer smaller than the record: ENOMEM, ILI with a negative residue,
        // the first bytes transferred and the tape past the record.
        st.rewind().unwrap();
        assert_eq!(st.read(4096), Err(Errno::Enomem));
        assert_eq!(
            st.last_sense(),
            Some(sense(
                NO,
                Asc::NO_ADDITIONAL_SENSE,
                false,
                false,
                true,
                Some(4096 - RECORD as i64)
            ))
        );
        assert_eq!(st.log.last().unwrap().data_len, 4096);
        assert_eq!((st.block, st.tell()), (1, Ok(1)));
        assert_eq!(st.read(RECORD).unwrap(), one[1]);
        // tar on the rewinding device: close rewinds.
        st.rewind_device = true;
        st.eod().unwrap();
        st.write(&one[0]).unwrap();
        st.log.clear();
        st.close().unwrap();
        assert_eq!(st.take_ops(), [0x10, 0x01], "WRITE FILEMARKS 1, REWIND");
        assert_eq!(mt(&mut st), (0, 0, true, false, false));
    }
}

// ---------------------------------------------------------------------------- 4. btape

const BTAPE_BLOCK: usize = 64512;

/// `btape test`: the write/read test, positioning to file:block pairs, the append test,
/// backspace record.
#[test]
fn btape_test() {
    let n = 1000u32;
    for format in FORMATS {
        let (_h, mut st) = opened(format, 256 << 20);
        // Write n blocks, EOF, n blocks, EOF; rewind; re-read and compare.
        for f in 0..2 {
            for i in 0..n {
                assert_eq!(st.write(&numbered(f * n + i, BTAPE_BLOCK)), Ok(BTAPE_BLOCK));
            }
            st.weof(1).unwrap();
        }
        st.rewind().unwrap();
        for f in 0..2 {
            for i in 0..n {
                let got = st.read(BTAPE_BLOCK).unwrap();
                assert!(got == numbered(f * n + i, BTAPE_BLOCK), "block {f}:{i}");
                assert_eq!(st.last_sense(), None);
            }
            assert_eq!(st.read(BTAPE_BLOCK), Ok(vec![]), "EOF after file {f}");
        }
        // Reposition to file:block pairs (rewind + fsf + fsr) and re-read.
        for (f, b) in [
            (0u32, 0u32),
            (0, n - 1),
            (1, 0),
            (1, 1),
            (1, n - 1),
            (0, 100),
        ] {
            st.rewind().unwrap();
            if f > 0 {
                st.fsf(f as i32).unwrap();
            }
            if b > 0 {
                st.fsr(b as i32).unwrap();
            }
            assert_eq!((st.file, st.block), (i64::from(f), i64::from(b)));
            assert_eq!(st.tell(), Ok(f * (n + 1) + b));
            assert!(st.read(BTAPE_BLOCK).unwrap() == numbered(f * n + b, BTAPE_BLOCK));
            // The same with LOCATE.
            st.seek(f * (n + 1) + b).unwrap();
            assert!(st.read(BTAPE_BLOCK).unwrap() == numbered(f * n + b, BTAPE_BLOCK));
        }
        // Backspace record and re-read.
        st.rewind().unwrap();
        st.fsr(5).unwrap();
        let r5 = st.read(BTAPE_BLOCK).unwrap();
        st.bsr(1).unwrap();
        assert!(st.read(BTAPE_BLOCK).unwrap() == r5);
        assert_eq!(st.block, 6);

        // Append test: a fresh tape of files of 1, 2 and 3 records.
        st.rewind().unwrap();
        st.erase().unwrap();
        let mut k = 1000;
        for records in 1..=3 {
            for _ in 0..records {
                st.write(&numbered(k, 4096)).unwrap();
                k += 1;
            }
            st.weof(1).unwrap();
        }
        st.rewind().unwrap();
        st.eod().unwrap();
        assert_eq!((st.file, st.block), (3, 0), "EOD lands in file 3");
        assert_eq!(st.tell(), Ok(9));
        st.write(&numbered(k, 4096)).unwrap();
        st.weof(1).unwrap();
        st.rewind().unwrap();
        st.fsf(3).unwrap();
        assert_eq!(st.read(65536).unwrap(), numbered(k, 4096));
        assert_eq!(st.read(65536), Ok(vec![]));
        assert_eq!(st.file, 4);
        // File 2 still holds its three records.
        st.rewind().unwrap();
        st.fsf(2).unwrap();
        for j in 0..3 {
            assert_eq!(st.read(65536).unwrap(), numbered(1003 + j, 4096));
        }
        assert_eq!(st.read(65536), Ok(vec![]));
    }
}

/// `btape fill`: write until early warning (written, EOM 00/02), on until VOLUME OVERFLOW
/// (not written), then filemarks past early warning, and the rest on a second volume; read
/// both volumes back.
#[test]
fn btape_fill_spans_two_volumes() {
    for format in FORMATS {
        let home = tempfile::tempdir().unwrap();
        let cap = 8u64 << 20;
        cart_in(home.path(), "F00001L8", format, cap);
        cart_in(home.path(), "F00002L8", format, cap);
        let mut st = St::new(lto8_lu(home.path(), NO_COMPRESSION), false);
        st.lu().load_barcode("F00001L8").unwrap();
        st.open().unwrap();
        let ew = vtltape::personality::Personality::for_product("ULT3580-TD8").early_warning(cap);
        let mut written = 0u32;
        let mut ew_at = None;
        let mut enospc = 0;
        loop {
            let before = st.log.len();
            let r = st.write(&numbered(written, BTAPE_BLOCK));
            let io = st.log.len() > before;
            let sent = st.log.last().unwrap().clone();
            match r {
                Ok(n) => {
                    assert_eq!(n, BTAPE_BLOCK);
                    if let Some(s) = sent.sense {
                        // Early warning: NO SENSE, EOM, 00/02, INFORMATION 0, written.
                        assert_eq!(s, early_warning());
                        ew_at.get_or_insert(written);
                    } else {
                        assert!(ew_at.is_none(), "GOOD after early warning");
                    }
                    written += 1;
                }
                Err(Errno::Enospc) if !io => {
                    // st's ENOSPC after early warning, without I/O.
                    enospc += 1;
                }
                Err(Errno::Enospc) => {
                    let s = sent.sense.unwrap();
                    assert_eq!(s, volume_overflow(BTAPE_BLOCK as i64));
                    break;
                }
                Err(e) => panic!("write {written}: {e:?}"),
            }
        }
        let ew_at = ew_at.expect("early warning reported");
        assert!(enospc >= 1);
        // Early warning came when fewer than `ew` bytes were left; each block takes its
        // bytes and its index record (OBJECT_OVERHEAD_BYTES) of the capacity.
        let blk = BTAPE_BLOCK as u64 + vtltape::drive::OBJECT_OVERHEAD_BYTES;
        assert!(
            u64::from(ew_at) * blk <= cap - ew,
            "not before early warning"
        );
        assert!(u64::from(ew_at + 1) * blk > cap - ew, "not after");
        // The overflowing block was not written; everything before it was (data stops
        // FILEMARK_RESERVE_BYTES short of the end, kept for filemarks).
        assert_eq!(st.tell(), Ok(written));
        let data_end = cap - vtltape::drive::FILEMARK_RESERVE_BYTES;
        assert!(u64::from(written) * blk <= data_end);
        assert!(u64::from(written + 1) * blk > data_end);
        // Filemarks past early warning: written, EOM reported.
        st.weof(2).unwrap();
        assert_eq!(st.last_sense(), Some(early_warning()));
        assert_eq!(st.tell(), Ok(written + 2));
        // Second volume: offline, the changer swaps cartridges, open, write the rest.
        st.offline().unwrap();
        assert_eq!(st.lu().unload().unwrap().as_deref(), Some("F00001L8"));
        st.lu().load_barcode("F00002L8").unwrap();
        st.attentions.clear();
        st.open().unwrap();
        assert_eq!(st.attentions, [(0x28, 0)]);
        let rest = 20;
        for i in 0..rest {
            assert_eq!(
                st.write(&numbered(written + i, BTAPE_BLOCK)),
                Ok(BTAPE_BLOCK)
            );
            assert_eq!(st.last_sense(), None);
        }
        st.close().unwrap();
        // Read both volumes back.
        st.rewind().unwrap();
        for i in 0..rest {
            assert!(st.read(BTAPE_BLOCK).unwrap() == numbered(written + i, BTAPE_BLOCK));
        }
        assert_eq!(st.read(BTAPE_BLOCK), Ok(vec![]));
        st.offline().unwrap();
        st.lu().unload().unwrap();
        st.lu().load_barcode("F00001L8").unwrap();
        st.open().unwrap();
        for i in 0..written {
            assert!(
                st.read(BTAPE_BLOCK).unwrap() == numbered(i, BTAPE_BLOCK),
                "block {i}"
            );
        }
        assert_eq!(st.read(BTAPE_BLOCK), Ok(vec![]));
        assert_eq!(st.read(BTAPE_BLOCK), Ok(vec![]), "second filemark");
        assert_eq!(st.read(BTAPE_BLOCK), Ok(vec![]), "EOD");
        assert_eq!(
            st.last_sense().map(|s| (s.key, s.eom)),
            Some((SenseKey::BlankCheck, true))
        );
    }
}

// ---------------------------------------------------------------------------- 5. amtapetype

const AMANDA_BLOCK: usize = 32768;

/// Fill from BOT with blocks from `gen` until st returns ENOSPC; returns the bytes written
/// and the number of blocks.
fn fill(st: &mut St, mut make: impl FnMut(u32) -> Vec<u8>) -> (u64, u32) {
    st.rewind().unwrap();
    let (mut bytes, mut blocks) = (0u64, 0u32);
    loop {
        match st.write(&make(blocks)) {
            Ok(n) => {
                bytes += n as u64;
                blocks += 1;
            }
            Err(Errno::Enospc) => return (bytes, blocks),
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[test]
fn amtapetype_capacity_is_honest() {
    for format in FORMATS {
        let cap = 8u64 << 20;
        let ew = vtltape::personality::Personality::for_product("ULT3580-TD8").early_warning(cap);
        let blk = AMANDA_BLOCK as u64;
        // Without compression both fills count the same bytes: up to and including the block
        // that crossed early warning.
        let (_h, mut st) = opened(format, cap);
        let text: Vec<u8> = b"amanda amtapetype compressible "
            .iter()
            .copied()
            .cycle()
            .take(AMANDA_BLOCK)
            .collect();
        let (a, _) = fill(&mut st, |_| text.clone());
        let rnd = |i: u32| random_bytes(u64::from(i) + 7, AMANDA_BLOCK);
        let (b, nb) = fill(&mut st, rnd);
        // Each block takes its bytes and its index record of the capacity.
        let per = blk + vtltape::drive::OBJECT_OVERHEAD_BYTES;
        for bytes in [a, b] {
            let n = bytes / blk;
            assert_eq!(bytes % blk, 0);
            assert!(
                n * per > cap - ew && (n - 1) * per <= cap - ew,
                "{n} blocks of {per} vs {}",
                cap - ew
            );
        }
        assert_eq!(a, b);
        // What was written up to early warning reads back.
        st.close().unwrap();
        st.rewind().unwrap();
        for i in 0..nb {
            assert!(st.read(AMANDA_BLOCK).unwrap() == rnd(i), "block {i}");
        }
        assert_eq!(
            st.read(AMANDA_BLOCK),
            Ok(vec![]),
            "the filemark close wrote"
        );

        // With LZO the compressible fill holds far more host bytes; the random one no more
        // than the medium (it does not compress).
        let (_h, mut st) = setup(format, cap, CompressionConfig::default(), false);
        st.open().unwrap();
        let (a, _) = fill(&mut st, |_| text.clone());
        let (b, _) = fill(&mut st, rnd);
        assert!(a > 4 * cap, "compressible: {a}");
        assert!(b <= cap - ew + blk, "random: {b}");
        assert!(b > (cap - ew) * 9 / 10, "random: {b}");
    }
}

// ---------------------------------------------------------------------------- durability

#[test]
fn synchronous_filemark_survives_a_crash() {
    for format in FORMATS {
        let home = tempfile::tempdir().unwrap();
        let dir = cart_in(home.path(), "D00001L8", format, 64 << 20);
        let mut st = St::new(lto8_lu(home.path(), NO_COMPRESSION), false);
        st.lu().load_barcode("D00001L8").unwrap();
        st.open().unwrap();
        let blocks: Vec<Vec<u8>> = (0..40).map(|i| numbered(i, 5000 + i as usize)).collect();
        for b in &blocks[..30] {
            st.write(b).unwrap();
        }
        // WRITE FILEMARKS 1, IMMED=0: returns once everything before is on the medium.
        st.weof(1).unwrap();
        assert_eq!(st.log.last().unwrap().cdb, [0x10, 0, 0, 0, 1, 0]);
        assert_eq!(st.last_sense(), None);
        for b in &blocks[30..] {
            st.write(b).unwrap();
        }
        // The daemon dies: no unload, no flush of what came after the filemark.
        std::mem::forget(st);
        let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        let mut buf = Vec::new();
        for (i, b) in blocks[..30].iter().enumerate() {
            let o = c
                .read(&mut buf)
                .unwrap_or_else(|e| panic!("block {i}: {e}"));
            assert!(matches!(o, Object::Data(_)), "block {i}: {o:?}");
            assert!(buf == *b, "block {i}");
        }
        assert!(matches!(c.read(&mut buf).unwrap(), Object::Filemark));
        // Whatever came after the mark is either there whole or not at all.
        let mut i = 30;
        while let Ok(Object::Data(_)) = c.read(&mut buf) {
            assert!(buf == blocks[i], "block {i}");
            i += 1;
        }
    }
}

#[test]
fn unload_and_reload_count_loads() {
    for format in FORMATS {
        let home = tempfile::tempdir().unwrap();
        let dir = cart_in(home.path(), "L00001L8", format, 16 << 20);
        let loads = |d: &Path| {
            Cartridge::open(d, &OpenOptionsCart::default())
                .unwrap()
                .mam()
                .base
                .load_count
                .get()
        };
        let before = loads(&dir);
        let mut st = St::new(lto8_lu(home.path(), NO_COMPRESSION), false);
        st.lu().load_barcode("L00001L8").unwrap();
        st.open().unwrap();
        st.write(&[7; 4096]).unwrap();
        st.offline().unwrap();
        assert_eq!(st.lu().unload().unwrap().as_deref(), Some("L00001L8"));
        assert_eq!(loads(&dir), before + 1);
        st.lu().load_barcode("L00001L8").unwrap();
        st.open().unwrap();
        assert_eq!(st.read(65536).unwrap(), [7; 4096]);
        st.offline().unwrap();
        st.lu().unload().unwrap();
        assert_eq!(loads(&dir), before + 2);
    }
}

// ---------------------------------------------------------------------------- mhvtl tapes

/// Real mhvtl tapes (preload_tape of inputs/random3m.bin in 256 KiB blocks, uncompressed
/// and zlib, legacy and v6) read through the drive the way `dd bs=256k` through st would.
#[test]
fn reads_mhvtl_fixture_tapes() {
    let Some(root) = libvtlcart::testing::fixtures() else {
        return;
    };
    let input = std::fs::read(root.join("inputs/random3m.bin")).unwrap();
    let manifest = libvtlcart::testing::manifest(&root);
    let tapes = manifest["tapes"].as_array().unwrap();
    for id in [
        "legacy/FXBNO1L8",
        "v6/FXBNO1L8",
        "legacy/FXBZL1L8",
        "v6/FXBZL1L8",
    ] {
        let t = tapes.iter().find(|t| t["id"] == id).expect(id);
        let home = tempfile::tempdir().unwrap();
        let dir =
            libvtlcart::testing::copy_tape(&root.join(t["path"].as_str().unwrap()), home.path());
        let mut st = St::new(lto8_lu(home.path(), NO_COMPRESSION), false);
        st.lu().load_dir(&dir).unwrap();
        st.open().unwrap();
        let mut got = Vec::new();
        loop {
            let b = st.read(262144).unwrap();
            if b.is_empty() {
                break;
            }
            got.extend_from_slice(&b);
        }
        assert!(
            got == input,
            "{id}: payload differs from inputs/random3m.bin"
        );
        assert_eq!(st.read(262144), Ok(vec![]), "{id}: EOD");
        let eod = t["eod_block"].as_u64().unwrap() as u32;
        assert_eq!(st.tell(), Ok(eod), "{id}");
    }
}
