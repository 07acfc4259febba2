//! Model-based tests of the tape handle.
//!
//! Random sequences of drive operations are applied both to a real [`Cartridge`] in a
//! temporary directory and to [`Model`], a deliberately naive in-memory tape (a `Vec` of
//! objects and a position) written from the SSC-5 rules, not from the implementation:
//!
//! * SPACE blocks forward stops *after* a filemark it meets (EOP side), backward stops
//!   *before* it (BOP side, position = the filemark's block number); the residual is the count
//!   minus the blocks actually spaced; EOD (forward) and BOP (backward) also stop the command.
//! * SPACE filemarks forward ends after the Nth filemark, backward before the Nth filemark
//!   back; EOD/BOP stop it with the residual of filemarks not spaced.
//! * LOCATE beyond EOD lands at EOD; READ at EOD returns nothing and does not move.
//! * Any write (block, filemarks, erase) before EOD first discards everything from the
//!   position on.
//! * WORM: writable only at EOD, or at BOT when the tape holds exactly one filemark (the label
//!   case); NULL media: blocks keep their size but no payload is stored.
//!
//! After every operation the outcome (space stop and residual, object kind and payload bytes,
//! error kind), `position()`, the filemark list and EOD are compared. A second set of tests
//! checks capacity: early warning within 2 MiB of the end, END OF MEDIUM refusal that writes
//! nothing.

use std::path::{Path, PathBuf};

use libvtlcart::index::{FLAG_CRC, FLAG_LZO, FLAG_ZLIB};
use libvtlcart::testing::open_writable;
use libvtlcart::{
    CartError, Cartridge, Compression, EARLY_WARNING_BYTES, Format, MediumType, Object,
    OpenOptionsCart, SpaceOutcome, SpaceStop,
};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

// ------------------------------------------------------------------ helpers

fn new_tape(home: &Path, pcl: &str, format: Format, medium: MediumType, capacity: u64) -> PathBuf {
    libvtlcart::testing::make_cartridge(home, pcl, format, medium, "LTO8", capacity)
}

fn open_ro(dir: &Path) -> Cartridge {
    Cartridge::open(dir, &OpenOptionsCart::default()).unwrap()
}

/// Deterministic block content: random, one repeated byte, text, or short runs (so that
/// compression sometimes wins big and sometimes expands).
fn payload(size: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut out = Vec::with_capacity(size);
    match seed % 4 {
        0 => out.extend((0..size).map(|_| next() as u8)),
        1 => out.resize(size, (seed >> 8) as u8),
        2 => {
            let text = b"The quick brown fox jumps over the lazy dog; tape block ";
            out.extend((0..size).map(|i| {
                if i % 97 == 0 {
                    next() as u8
                } else {
                    text[i % text.len()]
                }
            }))
        }
        _ => {
            while out.len() < size {
                let v = next();
                let run = 1 + (v >> 8) as usize % 64;
                let n = run.min(size - out.len());
                out.extend(std::iter::repeat_n(v as u8, n));
            }
        }
    }
    out
}

/// The error kinds the model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrKind {
    WriteProtected,
    EndOfMedium,
    InvalidArgument,
    Other,
}

fn kind(e: &CartError) -> ErrKind {
    match e {
        CartError::WriteProtected { .. } => ErrKind::WriteProtected,
        CartError::EndOfMedium { .. } => ErrKind::EndOfMedium,
        CartError::InvalidArgument(_) => ErrKind::InvalidArgument,
        _ => ErrKind::Other,
    }
}

// ------------------------------------------------------------------ the model

#[derive(Debug, Clone)]
enum MObj {
    Data { bytes: Vec<u8>, comp: Compression },
    Filemark,
}

/// What a READ returns, as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ReadResult {
    Data {
        block: u32,
        size: u32,
        flags: u32,
        payload: Vec<u8>,
        present: bool,
    },
    Filemark,
    EndOfData,
}

#[derive(Debug)]
struct Model {
    objs: Vec<MObj>,
    pos: usize,
    medium: MediumType,
    writable: bool,
}

impl Model {
    fn eod(&self) -> usize {
        self.objs.len()
    }

    fn is_fm(&self, n: usize) -> bool {
        matches!(self.objs[n], MObj::Filemark)
    }

    fn filemarks(&self) -> Vec<u32> {
        (0..self.eod())
            .filter(|&n| self.is_fm(n))
            .map(|n| n as u32)
            .collect()
    }

    fn file_number(&self) -> u32 {
        (0..self.pos).filter(|&n| self.is_fm(n)).count() as u32
    }

    /// May the tape be written here? (read-only load, WORM rules)
    fn may_write(&self) -> Result<(), ErrKind> {
        if !self.writable {
            return Err(ErrKind::WriteProtected);
        }
        if self.medium == MediumType::Worm {
            let at_eod = self.pos == self.eod();
            let label = self.pos == 0 && self.objs.len() == 1 && self.is_fm(0);
            if !at_eod && !label {
                return Err(ErrKind::WriteProtected);
            }
        }
        Ok(())
    }

    fn write_block(&mut self, bytes: Vec<u8>, comp: Compression) -> Result<(), ErrKind> {
        self.may_write()?;
        self.objs.truncate(self.pos);
        self.objs.push(MObj::Data { bytes, comp });
        self.pos += 1;
        Ok(())
    }

    fn write_filemarks(&mut self, n: u32) -> Result<(), ErrKind> {
        if n == 0 {
            return Ok(()); // synchronize only
        }
        self.may_write()?;
        self.objs.truncate(self.pos);
        for _ in 0..n {
            self.objs.push(MObj::Filemark);
        }
        self.pos += n as usize;
        Ok(())
    }

    fn erase(&mut self) -> Result<(), ErrKind> {
        self.may_write()?;
        self.objs.truncate(self.pos);
        Ok(())
    }

    fn space_blocks(&mut self, count: i64) -> SpaceOutcome {
        let want = count.unsigned_abs();
        let mut spaced = 0u64;
        let stop = |stop, spaced: u64| SpaceOutcome {
            stop,
            residual: want - spaced,
        };
        if count >= 0 {
            while spaced < want {
                if self.pos == self.eod() {
                    return stop(SpaceStop::Eod, spaced);
                }
                let fm = self.is_fm(self.pos);
                self.pos += 1; // over the block, or to the EOP side of the filemark
                if fm {
                    return stop(SpaceStop::Filemark, spaced);
                }
                spaced += 1;
            }
        } else {
            while spaced < want {
                if self.pos == 0 {
                    return stop(SpaceStop::Bop, spaced);
                }
                self.pos -= 1; // over the block, or to the BOP side of the filemark
                if self.is_fm(self.pos) {
                    return stop(SpaceStop::Filemark, spaced);
                }
                spaced += 1;
            }
        }
        stop(SpaceStop::Completed, spaced)
    }

    fn space_filemarks(&mut self, count: i64) -> SpaceOutcome {
        let want = count.unsigned_abs();
        let mut crossed = 0u64;
        let stop = |stop, crossed: u64| SpaceOutcome {
            stop,
            residual: want - crossed,
        };
        if count >= 0 {
            while crossed < want {
                if self.pos == self.eod() {
                    return stop(SpaceStop::Eod, crossed);
                }
                if self.is_fm(self.pos) {
                    crossed += 1;
                }
                self.pos += 1;
            }
        } else {
            while crossed < want {
                if self.pos == 0 {
                    return stop(SpaceStop::Bop, crossed);
                }
                self.pos -= 1;
                if self.is_fm(self.pos) {
                    crossed += 1;
                }
            }
        }
        stop(SpaceStop::Completed, crossed)
    }

    fn locate(&mut self, block: usize) -> SpaceOutcome {
        if block > self.eod() {
            self.pos = self.eod();
            SpaceOutcome {
                stop: SpaceStop::Eod,
                residual: 0,
            }
        } else {
            self.pos = block;
            SpaceOutcome {
                stop: SpaceStop::Completed,
                residual: 0,
            }
        }
    }

    fn expect_object(&self, n: usize) -> ReadResult {
        match &self.objs[n] {
            MObj::Filemark => ReadResult::Filemark,
            MObj::Data { bytes, comp } => {
                let null = self.medium == MediumType::Null;
                // Flags per spec 1.4: CRC always, plus the compression used (never on NULL).
                let comp_flag = match (null, comp) {
                    (true, _) | (_, Compression::None) => 0,
                    (_, Compression::Lzo) => FLAG_LZO,
                    (_, Compression::Zlib(_)) => FLAG_ZLIB,
                };
                ReadResult::Data {
                    block: n as u32,
                    size: bytes.len() as u32,
                    flags: FLAG_CRC | comp_flag,
                    payload: if null { Vec::new() } else { bytes.clone() },
                    present: !null,
                }
            }
        }
    }

    fn read(&mut self) -> ReadResult {
        if self.pos == self.eod() {
            return ReadResult::EndOfData;
        }
        let r = self.expect_object(self.pos);
        self.pos += 1;
        r
    }
}

fn real_read(obj: Object, buf: &[u8]) -> ReadResult {
    match obj {
        Object::Data(i) => ReadResult::Data {
            block: i.block,
            size: i.size,
            flags: i.flags,
            payload: buf.to_vec(),
            present: i.payload_present,
        },
        Object::Filemark => ReadResult::Filemark,
        Object::EndOfData => ReadResult::EndOfData,
    }
}

// ------------------------------------------------------------------ operations

#[derive(Debug, Clone)]
enum Op {
    Write {
        size: usize,
        comp: Compression,
        seed: u64,
    },
    Filemarks(u32),
    SpaceBlocks(i64),
    SpaceFilemarks(i64),
    /// Block = value % (EOD + 4): anywhere on the tape and up to 3 past EOD.
    Locate(u32),
    Rewind,
    SeekEod,
    Read,
    Erase,
    /// unload + open for writing again (position back at BOT).
    Reopen,
    /// unload + open read-only (writes refused until the next Reopen).
    ReopenReadOnly,
    /// Drop the handle without unload (no MAM update, no flush) and open for writing again.
    DropReopen,
}

fn comp_strategy() -> impl Strategy<Value = Compression> {
    prop_oneof![
        Just(Compression::None),
        Just(Compression::Lzo),
        (1u32..=9).prop_map(Compression::Zlib),
    ]
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let size = prop_oneof![3 => 1usize..64, 3 => 1usize..4096, 1 => 1usize..70_000];
    prop_oneof![
        6 => (size, comp_strategy(), any::<u64>())
            .prop_map(|(size, comp, seed)| Op::Write { size, comp, seed }),
        3 => (0u32..3).prop_map(Op::Filemarks),
        3 => (-20i64..20).prop_map(Op::SpaceBlocks),
        3 => (-4i64..4).prop_map(Op::SpaceFilemarks),
        2 => any::<u32>().prop_map(Op::Locate),
        1 => Just(Op::Rewind),
        1 => Just(Op::SeekEod),
        4 => Just(Op::Read),
        1 => Just(Op::Erase),
        1 => Just(Op::Reopen),
        1 => Just(Op::ReopenReadOnly),
        1 => Just(Op::DropReopen),
    ]
}

/// Compare position, filemark list and EOD of the real tape with the model.
fn check_state(c: &Cartridge, m: &Model, step: usize, op: &Op) -> Result<(), TestCaseError> {
    let p = c.position();
    let ctx = format!("after step {step} ({op:?})");
    prop_assert_eq!(p.partition, 0, "{}", ctx);
    prop_assert_eq!(p.block as usize, m.pos, "block {}", ctx);
    prop_assert_eq!(p.file_number, m.file_number(), "file number {}", ctx);
    prop_assert_eq!(p.bop, m.pos == 0, "bop {}", ctx);
    prop_assert_eq!(p.eod, m.pos == m.eod(), "eod {}", ctx);
    prop_assert!(!p.early_warning, "early warning on a 100 MiB tape {}", ctx);
    let part = c.partition(0).unwrap();
    prop_assert_eq!(part.eod() as usize, m.eod(), "EOD {}", ctx);
    prop_assert_eq!(part.filemarks(), &m.filemarks()[..], "filemarks {}", ctx);
    Ok(())
}

/// Every object (and EOD) through `read_at`, compared with the model.
fn check_whole_tape(c: &Cartridge, m: &Model) -> Result<(), TestCaseError> {
    let mut buf = Vec::new();
    for n in 0..=m.eod() {
        let got = real_read(c.read_at(0, n as u32, &mut buf).unwrap(), &buf);
        let want = if n == m.eod() {
            ReadResult::EndOfData
        } else {
            m.expect_object(n)
        };
        prop_assert_eq!(got, want, "read_at({})", n);
    }
    Ok(())
}

fn run_model(format: Format, medium: MediumType, ops: &[Op]) -> Result<(), TestCaseError> {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "MODEL1L8", format, medium, 100 << 20);
    let mut c = Some(open_writable(&dir));
    let mut m = Model {
        objs: Vec::new(),
        pos: 0,
        medium,
        writable: true,
    };
    let mut buf = Vec::new();
    for (step, op) in ops.iter().enumerate() {
        let tape = c.as_mut().unwrap();
        let ctx = format!("step {step} ({op:?})");
        match op {
            Op::Write { size, comp, seed } => {
                let data = payload(*size, *seed);
                let got = tape
                    .write_block(&data, *comp, None)
                    .map(|o| o.early_warning)
                    .map_err(|e| kind(&e));
                let want = m.write_block(data, *comp).map(|()| false);
                prop_assert_eq!(got, want, "{}", ctx);
            }
            Op::Filemarks(n) => {
                let got = tape
                    .write_filemarks(*n)
                    .map(|o| o.early_warning)
                    .map_err(|e| kind(&e));
                let want = m.write_filemarks(*n).map(|()| false);
                prop_assert_eq!(got, want, "{}", ctx);
            }
            Op::SpaceBlocks(n) => {
                let got = tape.space_blocks(*n);
                prop_assert_eq!(got, m.space_blocks(*n), "{}", ctx);
            }
            Op::SpaceFilemarks(n) => {
                let got = tape.space_filemarks(*n);
                prop_assert_eq!(got, m.space_filemarks(*n), "{}", ctx);
            }
            Op::Locate(v) => {
                let block = *v as usize % (m.eod() + 4);
                let got = tape.locate(0, block as u32).unwrap();
                prop_assert_eq!(got, m.locate(block), "{}", ctx);
            }
            Op::Rewind => {
                tape.rewind();
                m.pos = 0;
            }
            Op::SeekEod => {
                tape.seek_eod();
                m.pos = m.eod();
            }
            Op::Read => {
                let got = real_read(tape.read(&mut buf).unwrap(), &buf);
                prop_assert_eq!(got, m.read(), "{}", ctx);
            }
            Op::Erase => {
                let got = tape.erase().map_err(|e| kind(&e));
                prop_assert_eq!(got, m.erase(), "{}", ctx);
            }
            Op::Reopen | Op::ReopenReadOnly | Op::DropReopen => {
                let old = c.take().unwrap();
                if matches!(op, Op::DropReopen) {
                    drop(old);
                } else {
                    old.unload().unwrap();
                }
                let rw = !matches!(op, Op::ReopenReadOnly);
                let t = if rw {
                    open_writable(&dir)
                } else {
                    open_ro(&dir)
                };
                prop_assert_eq!(t.format(), format);
                prop_assert_eq!(t.is_write_protected(), !rw);
                c = Some(t);
                m.pos = 0;
                m.writable = rw;
            }
        }
        check_state(c.as_ref().unwrap(), &m, step, op)?;
    }
    let tape = c.take().unwrap();
    check_whole_tape(&tape, &m)?;
    tape.unload().unwrap();
    // What is on disk is what the model holds (a fresh load, read like a drive).
    let mut t = open_ro(&dir);
    prop_assert_eq!(t.partition(0).unwrap().filemarks(), &m.filemarks()[..]);
    m.pos = 0;
    loop {
        let got = real_read(t.read(&mut buf).unwrap(), &buf);
        let want = m.read();
        prop_assert_eq!(&got, &want, "sequential read after reload");
        if want == ReadResult::EndOfData {
            break;
        }
    }
    Ok(())
}

/// `cases` unless `PROPTEST_CASES` asks for more (a longer hunt: `PROPTEST_CASES=5000`).
fn config(cases: u32) -> ProptestConfig {
    let env = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok());
    ProptestConfig {
        cases: env.unwrap_or(cases),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn model_legacy_data(ops in prop::collection::vec(op_strategy(), 1..40)) {
        run_model(Format::Legacy, MediumType::Data, &ops)?;
    }

    #[test]
    fn model_v6_data(ops in prop::collection::vec(op_strategy(), 1..40)) {
        run_model(Format::V6, MediumType::Data, &ops)?;
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn model_worm(v6 in any::<bool>(), ops in prop::collection::vec(op_strategy(), 1..40)) {
        let f = if v6 { Format::V6 } else { Format::Legacy };
        run_model(f, MediumType::Worm, &ops)?;
    }

    #[test]
    fn model_null_media(v6 in any::<bool>(), ops in prop::collection::vec(op_strategy(), 1..40)) {
        let f = if v6 { Format::V6 } else { Format::Legacy };
        run_model(f, MediumType::Null, &ops)?;
    }
}

// ------------------------------------------------------------------ fixed scenarios

#[test]
fn worm_label_case_and_refusals() {
    for format in [Format::Legacy, Format::V6] {
        let home = tempfile::tempdir().unwrap();
        let dir = new_tape(home.path(), "WORM01L7", format, MediumType::Worm, 100 << 20);
        let mut c = open_writable(&dir);
        // The label case: one filemark and nothing else, written over from BOT.
        c.write_filemarks(1).unwrap();
        c.rewind();
        c.write_block(b"VOL1 label", Compression::None, None)
            .unwrap();
        c.write_filemarks(1).unwrap();
        c.write_block(b"file 1", Compression::Lzo, None).unwrap();
        c.rewind();
        let e = c.write_block(b"x", Compression::None, None).unwrap_err();
        assert!(matches!(e, CartError::WriteProtected { .. }), "{e}");
        assert!(matches!(
            c.write_filemarks(1).unwrap_err(),
            CartError::WriteProtected { .. }
        ));
        assert!(matches!(
            c.erase().unwrap_err(),
            CartError::WriteProtected { .. }
        ));
        assert_eq!(c.partition(0).unwrap().eod(), 3);
        c.seek_eod();
        c.write_filemarks(1).unwrap();
        assert_eq!(c.partition(0).unwrap().filemarks(), &[1, 3]);
    }
}

#[test]
fn refused_writes_change_nothing() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(
        home.path(),
        "ZERO01L8",
        Format::V6,
        MediumType::Data,
        100 << 20,
    );
    let mut c = open_writable(&dir);
    c.write_block(b"abc", Compression::None, None).unwrap();
    assert!(matches!(
        c.write_block(b"", Compression::None, None).unwrap_err(),
        CartError::InvalidArgument(_)
    ));
    assert_eq!(c.position().block, 1);
    c.unload().unwrap();
    // Write-protected and cleaning cartridges refuse every write.
    for (pcl, medium, wp) in [
        ("WPR001L8", MediumType::Data, true),
        ("CLN001L8", MediumType::Cleaning, false),
    ] {
        let dir = new_tape(home.path(), pcl, Format::Legacy, medium, 100 << 20);
        if wp {
            let mut c = open_writable(&dir);
            c.mam_mut().set_write_protected(true);
            c.unload().unwrap();
        }
        let mut c = open_writable(&dir);
        assert!(c.is_write_protected(), "{pcl}");
        for e in [
            c.write_block(b"x", Compression::None, None).unwrap_err(),
            c.write_filemarks(1).unwrap_err(),
            c.erase().unwrap_err(),
        ] {
            assert!(matches!(e, CartError::WriteProtected { .. }), "{pcl}: {e}");
        }
        assert_eq!(c.partition(0).unwrap().eod(), 0, "{pcl}");
    }
}

// ------------------------------------------------------------------ capacity

const MIB: u64 = 1 << 20;

fn file_sizes(dir: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A 3 MiB cartridge: early warning once fewer than 2 MiB remain, END OF MEDIUM (writing
/// nothing, truncating nothing) for a block that does not fit.
fn capacity_scenario(format: Format, medium: MediumType) {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(home.path(), "SMALL1L8", format, medium, 3 * MIB);
    let mut c = open_writable(&dir);
    let half = payload(MIB as usize / 2, 4); // random: compression cannot shrink it
    let ctx = format!("{format:?} {medium:?}");

    // 0.5 and 1 MiB used: 2.5 / 2 MiB remain, not yet early warning (fewer than 2 MiB).
    for used in [1u64, 2] {
        let o = c.write_block(&half, Compression::None, None).unwrap();
        assert!(!o.early_warning, "{ctx}: {used}/2 MiB used");
        assert!(!c.position().early_warning, "{ctx}");
        assert_eq!(c.remaining(0), 3 * MIB - used * MIB / 2, "{ctx}");
    }
    // 1.5 MiB used: early warning in the outcome and in the position.
    let o = c.write_block(&half, Compression::None, None).unwrap();
    assert!(o.early_warning, "{ctx}");
    assert!(c.position().early_warning, "{ctx}");
    assert!(c.write_filemarks(1).unwrap().early_warning, "{ctx}");
    assert_eq!(c.remaining(0), 3 * MIB / 2, "{ctx}");

    // Does not fit (1.5 MiB + 1 byte): refused, nothing on disk changes.
    let before = file_sizes(&dir);
    let big = payload(3 * MIB as usize / 2 + 1, 8);
    let e = c.write_block(&big, Compression::None, None).unwrap_err();
    match e {
        CartError::EndOfMedium {
            needed, remaining, ..
        } => {
            assert_eq!(needed, big.len() as u64, "{ctx}");
            assert_eq!(remaining, 3 * MIB / 2, "{ctx}");
        }
        e => panic!("{ctx}: expected END OF MEDIUM, got {e}"),
    }
    assert_eq!(
        file_sizes(&dir),
        before,
        "{ctx}: refused write changed files"
    );
    assert_eq!(c.position().block, 4, "{ctx}");
    assert_eq!(c.partition(0).unwrap().eod(), 4, "{ctx}");

    // An overwrite that does not fit even after truncation must not truncate either.
    c.locate(0, 1).unwrap();
    let e = c
        .write_block(
            &payload(5 * MIB as usize / 2 + 1, 12),
            Compression::None,
            None,
        )
        .unwrap_err();
    assert!(matches!(e, CartError::EndOfMedium { .. }), "{ctx}: {e}");
    assert_eq!(
        file_sizes(&dir),
        before,
        "{ctx}: refused overwrite changed files"
    );
    assert_eq!(c.partition(0).unwrap().eod(), 4, "{ctx}");
    assert_eq!(c.partition(0).unwrap().filemarks(), &[3], "{ctx}");

    // Exactly filling the tape is allowed (overwrite from block 1: 2.5 MiB free).
    let fill = payload(5 * MIB as usize / 2, 16);
    let o = c.write_block(&fill, Compression::None, None).unwrap();
    assert!(o.early_warning, "{ctx}");
    assert_eq!(c.remaining(0), 0, "{ctx}");
    assert_eq!(c.partition(0).unwrap().filemarks(), &[] as &[u32], "{ctx}");
    // Nothing more fits, but filemarks need no space.
    let e = c.write_block(b"x", Compression::None, None).unwrap_err();
    assert!(matches!(e, CartError::EndOfMedium { .. }), "{ctx}: {e}");
    c.write_filemarks(2).unwrap();
    c.unload().unwrap();

    // After a reload the same accounting holds.
    let mut c = open_writable(&dir);
    assert_eq!(c.remaining(0), 0, "{ctx}");
    c.seek_eod();
    assert!(c.position().early_warning, "{ctx}");
    assert!(
        c.write_block(b"y", Compression::None, None).is_err(),
        "{ctx}"
    );
    let mut buf = Vec::new();
    c.locate(0, 1).unwrap();
    match c.read(&mut buf).unwrap() {
        Object::Data(i) => {
            assert_eq!(i.size as usize, fill.len(), "{ctx}");
            if medium != MediumType::Null {
                assert!(buf == fill, "{ctx}: payload");
            }
        }
        o => panic!("{ctx}: {o:?}"),
    }
    // Erasing from block 1 gives the space back.
    c.locate(0, 1).unwrap();
    c.erase().unwrap();
    assert_eq!(c.remaining(0), 3 * MIB - MIB / 2, "{ctx}");
    assert!(!c.position().early_warning, "{ctx}");
}

#[test]
fn capacity_early_warning_and_end_of_medium() {
    for format in [Format::Legacy, Format::V6] {
        for medium in [MediumType::Data, MediumType::Null] {
            capacity_scenario(format, medium);
        }
    }
}

#[test]
fn capacity_counts_stored_bytes_of_compressed_blocks() {
    let home = tempfile::tempdir().unwrap();
    let dir = new_tape(
        home.path(),
        "SMALL2L8",
        Format::V6,
        MediumType::Data,
        3 * MIB,
    );
    let mut c = open_writable(&dir);
    // 8 MiB of one byte compresses to a few KiB: it fits a 3 MiB tape.
    let zeros = vec![0u8; 8 * MIB as usize];
    let o = c.write_block(&zeros, Compression::Zlib(6), None).unwrap();
    assert!(!o.early_warning);
    let used = c.partition(0).unwrap().eod_data_offset();
    assert!(used < 64 * 1024, "stored {used} bytes");
    assert_eq!(c.remaining(0), 3 * MIB - used);
    // Stored uncompressed it would not.
    let e = c.write_block(&zeros, Compression::None, None).unwrap_err();
    assert!(matches!(e, CartError::EndOfMedium { .. }), "{e}");
    assert_eq!(c.partition(0).unwrap().eod(), 1);
    // Early warning boundary: exactly EARLY_WARNING_BYTES left is not yet early warning.
    let rest = (3 * MIB - used - EARLY_WARNING_BYTES) as usize;
    let o = c
        .write_block(&payload(rest, 20), Compression::None, None)
        .unwrap();
    assert!(!o.early_warning);
    assert_eq!(c.remaining(0), EARLY_WARNING_BYTES);
    let o = c.write_block(b"1", Compression::None, None).unwrap();
    assert!(o.early_warning);
}
