//! Crash consistency: a writer is killed with SIGKILL at random points and the cartridge it
//! leaves behind is checked against a model of what the writer did.
//!
//! The writer is this test binary itself, run again with `VTL_CRASH_CHILD` set (the test
//! `crash_child` does nothing without it). From a seed it performs an endless, deterministic
//! random sequence of operations on one cartridge: bursts of small blocks (enough to fill the
//! 2048-record index buffer), medium blocks (through the 1 MiB data buffer), blocks of 1 MiB
//! and more (written straight to the data file), stored uncompressed, LZO or zlib;
//! `write_filemarks(n)` with n = 0 (flush), 1..3 and > 2048 (several index writes); LOCATE
//! or REWIND followed by an overwrite; ERASE; unload and reload. Before each operation it
//! prints `VTLCRASH O <op>`; after each durability point (WRITE FILEMARKS, ERASE, unload)
//! returns it prints `VTLCRASH A <op>`: everything up to this operation is durable.
//!
//! The parent creates the cartridge (legacy and v6 alternately), starts the writer, kills it
//! after a random number of ACK lines or operations plus a random delay, reads what the pipe
//! still holds, and replays the same seed to rebuild every state the tape passed through since
//! the last ACK. Then it checks:
//!
//! * a strict open either succeeds or fails with [`CartError::Corrupt`] naming a partition file;
//! * an open with `recover` then `apply_recovery` always succeeds, and the recovered tape opens
//!   strictly;
//! * the tape (as opened, or as recovered) is consistent: the filemark list equals the set of
//!   filemark records found by scanning the whole index, the data file ends where the last
//!   record's data ends, every object reads back (CRC checked) and nothing is past EOD;
//! * every object acknowledged by the last ACK (and not overwritten by an operation started
//!   after it) is there with its kind and payload bytes; objects after it may be present, and
//!   then intact, or missing: the whole tape is a prefix of a state the writer passed through;
//! * a block and a filemark can be appended and survive a reload.
//!
//! `cargo test` runs [`DEFAULT_ITERATIONS`] (fewer if they take longer than [`DEFAULT_BUDGET`]:
//! the writers' pace depends on how fast the disk fsyncs); the full run is
//! `VTL_CRASH_ITERATIONS=1000 cargo test -p libvtlcart --release --test crash -- --nocapture`
//! (`VTL_CRASH_SEED` repeats a run's operations; the kill timing is never the same twice).
//! Results of full runs are recorded in docs/RELIABILITY.md.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use libvtlcart::index::{FLAG_LZO, FLAG_ZLIB, TYPE_FILEMARK};
use libvtlcart::partition::DIRECT_WRITE_BYTES;
use libvtlcart::testing::{SplitMix, run_and_kill};
use libvtlcart::{CartError, Cartridge, Compression, Format, MediumType, Object, OpenOptionsCart};

/// Set in the writer's environment: `<seed>:<cartridge directory>`.
const CHILD_ENV: &str = "VTL_CRASH_CHILD";
/// Iterations of the parent (default [`DEFAULT_ITERATIONS`]).
const ITERATIONS_ENV: &str = "VTL_CRASH_ITERATIONS";
/// Base seed of the writers' operation sequences (default: from the clock, printed).
const SEED_ENV: &str = "VTL_CRASH_SEED";
/// Iterations in `cargo test` (see [`iterations`]).
const DEFAULT_ITERATIONS: u64 = 100;
const DEFAULT_BUDGET: Duration = Duration::from_secs(25);
const MIN_ITERATIONS: u64 = 25;
/// Prefix of the writer's protocol lines (libtest prints its own lines too).
const TAG: &str = "VTLCRASH";

/// Cartridge capacity: never reached (see [`MAX_TAPE_BYTES`]).
const CAPACITY: u64 = 1 << 30;
/// Logical bytes past which the writer goes back and overwrites, so a run stays small.
const MAX_TAPE_BYTES: u64 = 12 << 20;
/// Objects past which the writer goes back and overwrites.
const MAX_TAPE_OBJECTS: usize = 12_000;
/// A writer still running after this long stops by itself (the parent kills it long before).
const CHILD_LIFETIME: Duration = Duration::from_secs(60);

// ------------------------------------------------------------------ the writer's model

/// A logical object as the writer wrote it. Data blocks are identified by their seed (every
/// block gets a new one), so two objects are equal only when they are the same write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    Data {
        size: u32,
        seed: u64,
        comp: Compression,
    },
    Filemark,
}

/// One step of the writer.
#[derive(Debug, Clone)]
enum Op {
    /// Data blocks written one after the other at the current position.
    Write(Vec<Obj>),
    /// WRITE FILEMARKS(n), IMMED=0 (n = 0 only flushes): a durability point.
    Filemarks(u32),
    Locate(u32),
    Rewind,
    /// ERASE at the current position: a durability point.
    Erase,
    /// Unload and load again: a durability point.
    Reload,
}

impl Op {
    /// True when everything up to this operation is durable once it returns.
    fn durable(&self) -> bool {
        matches!(self, Op::Filemarks(_) | Op::Erase | Op::Reload)
    }
}

/// Generates the operations from a seed and keeps the tape they make (objects, position).
/// The writer and the parent's replay run the same code, so the sequence depends only on
/// the seed.
struct Writer {
    rng: SplitMix,
    objs: Vec<Obj>,
    pos: usize,
    /// Uncompressed bytes of the data blocks in `objs`.
    bytes: u64,
}

impl Writer {
    fn new(seed: u64) -> Writer {
        Writer {
            rng: SplitMix(seed),
            objs: Vec::new(),
            pos: 0,
            bytes: 0,
        }
    }

    fn comp(&mut self) -> Compression {
        match self.rng.below(10) {
            0..=3 => Compression::None,
            4..=6 => Compression::Lzo,
            _ => Compression::Zlib(self.rng.range(1, 6) as u32),
        }
    }

    fn block(&mut self, size: u32, comp: Compression) -> Obj {
        Obj::Data {
            size,
            seed: self.rng.next_u64(),
            comp,
        }
    }

    fn burst(&mut self, count: u64, lo: u64, hi: u64) -> Op {
        let comp = self.comp();
        Op::Write(
            (0..count)
                .map(|_| {
                    let size = self.rng.size(lo, hi);
                    self.block(size, comp)
                })
                .collect(),
        )
    }

    /// The next operation (not applied yet).
    fn next_op(&mut self) -> Op {
        let len = self.objs.len() as u64;
        if self.bytes > MAX_TAPE_BYTES || self.objs.len() > MAX_TAPE_OBJECTS {
            // Go back and overwrite: first move into the first half, then write there.
            if self.pos as u64 > len / 2 {
                return Op::Locate(self.rng.below(len / 2 + 1) as u32);
            }
            let n = self.rng.range(1, 20);
            return self.burst(n, 1, 4096);
        }
        match self.rng.below(1000) {
            // Small blocks, a few at a time.
            0..400 => {
                let n = self.rng.range(1, 40);
                self.burst(n, 1, 16 << 10)
            }
            // Many tiny blocks: the index buffer (2048 records) fills and is written out.
            400..450 => {
                let n = self.rng.range(300, 2500);
                self.burst(n, 1, 600)
            }
            // Through the data buffer.
            450..550 => {
                let size = self.rng.size(16 << 10, DIRECT_WRITE_BYTES as u64 - 1);
                let comp = self.comp();
                Op::Write(vec![self.block(size, comp)])
            }
            // Straight to the data file (when the stored bytes are 1 MiB or more).
            550..610 => {
                let size = self.rng.range(DIRECT_WRITE_BYTES as u64, 3 << 20) as u32;
                let comp = if self.rng.below(10) < 6 {
                    Compression::None
                } else {
                    Compression::Zlib(1)
                };
                Op::Write(vec![self.block(size, comp)])
            }
            610..780 => Op::Filemarks(self.rng.range(1, 3) as u32),
            // More filemark records than the index buffer holds.
            780..790 => Op::Filemarks(self.rng.range(2100, 2300) as u32),
            790..830 => Op::Filemarks(0),
            // LOCATE, mostly near EOD: the next write overwrites from there.
            830..915 => {
                let b = if self.rng.below(2) == 0 {
                    self.rng.range(len.saturating_sub(20), len)
                } else {
                    self.rng.range(0, len)
                };
                Op::Locate(b as u32)
            }
            915..925 => Op::Rewind,
            925..960 => Op::Erase,
            _ => Op::Reload,
        }
    }

    /// Drop every object at and after `pos`.
    fn truncate(&mut self, pos: usize) {
        for o in self.objs.drain(pos..) {
            if let Obj::Data { size, .. } = o {
                self.bytes -= u64::from(size);
            }
        }
    }

    /// Apply `op` to the model. Returns the block from which existing objects were removed,
    /// if the operation removes any (an overwrite or erase before EOD).
    fn apply(&mut self, op: &Op) -> Option<usize> {
        let len = self.objs.len();
        let writes = match op {
            Op::Write(_) | Op::Erase => true,
            Op::Filemarks(n) => *n > 0,
            _ => false,
        };
        let cut = (writes && self.pos < len).then_some(self.pos);
        if writes {
            self.truncate(self.pos);
        }
        match op {
            Op::Write(blocks) => {
                for b in blocks {
                    if let Obj::Data { size, .. } = b {
                        self.bytes += u64::from(*size);
                    }
                    self.objs.push(*b);
                }
                self.pos = self.objs.len();
            }
            // WRITE FILEMARKS(0) only flushes: the position stays.
            Op::Filemarks(n) => {
                self.objs
                    .extend(std::iter::repeat_n(Obj::Filemark, *n as usize));
                self.pos += *n as usize;
            }
            Op::Locate(b) => self.pos = (*b as usize).min(len),
            Op::Rewind | Op::Reload => self.pos = 0,
            Op::Erase => {}
        }
        cut
    }
}

/// The payload of a data block: random, one repeated byte, text or runs, depending on the
/// seed (so that compression sometimes wins big and sometimes expands).
fn payload(size: u32, seed: u64) -> Vec<u8> {
    let size = size as usize;
    let mut rng = SplitMix(seed);
    let mut out = vec![0u8; size];
    match seed % 4 {
        0 => {
            for c in out.chunks_mut(8) {
                let v = rng.next_u64().to_le_bytes();
                c.copy_from_slice(&v[..c.len()]);
            }
        }
        1 => out.fill((seed >> 8) as u8),
        2 => {
            let text = b"The quick brown fox jumps over the lazy dog; tape block ";
            for (i, b) in out.iter_mut().enumerate() {
                *b = text[i % text.len()];
            }
            for i in (0..size).step_by(97) {
                out[i] = rng.next_u64() as u8;
            }
        }
        _ => {
            let mut i = 0;
            while i < size {
                let v = rng.next_u64();
                let run = (1 + (v >> 8) as usize % 64).min(size - i);
                out[i..i + run].fill(v as u8);
                i += run;
            }
        }
    }
    out
}

// ------------------------------------------------------------------ the writer (child)

/// The writer: runs only in the child process (with `VTL_CRASH_CHILD` set).
#[test]
fn crash_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (seed, dir) = spec.split_once(':').expect("seed:dir");
    let seed: u64 = seed.parse().expect("seed");
    let dir = PathBuf::from(dir);
    let mut out = std::io::stdout().lock();
    let mut say = |what: &str, j: u64| {
        writeln!(out, "{TAG} {what} {j}").unwrap();
        out.flush().unwrap();
    };
    let open = || {
        let o = OpenOptionsCart {
            write: true,
            count_load: true,
            ..Default::default()
        };
        Cartridge::open(&dir, &o).expect("writer: open")
    };
    let mut w = Writer::new(seed);
    let mut c = Some(open());
    let start = Instant::now();
    for j in 0u64.. {
        if start.elapsed() > CHILD_LIFETIME {
            return;
        }
        let op = w.next_op();
        say("O", j);
        let t = c.as_mut().unwrap();
        let ctx = |e: CartError| format!("op {j} {op:?}: {e}");
        match &op {
            Op::Write(blocks) => {
                for b in blocks {
                    let Obj::Data { size, seed, comp } = *b else {
                        unreachable!()
                    };
                    t.write_block(&payload(size, seed), comp, None)
                        .map_err(ctx)
                        .unwrap();
                }
            }
            Op::Filemarks(n) => {
                t.write_filemarks(*n).map_err(ctx).unwrap();
            }
            Op::Locate(b) => {
                t.locate(0, *b).map_err(ctx).unwrap();
            }
            Op::Rewind => t.rewind(),
            Op::Erase => t.erase().map_err(ctx).unwrap(),
            Op::Reload => {
                c.take().unwrap().unload().map_err(ctx).unwrap();
                c = Some(open());
            }
        }
        w.apply(&op);
        if op.durable() {
            say("A", j);
        }
    }
}

// ------------------------------------------------------------------ the parent

#[derive(Debug, Clone, Copy)]
enum Event {
    /// The writer is starting operation n.
    Op(u64),
    /// Operation n (a durability point) has returned.
    Ack(u64),
}

/// When to kill the writer.
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// After this many ACK lines, then this many microseconds.
    Acks(u64, u64),
    /// After this many operations started, then this many microseconds.
    Ops(u64, u64),
    /// After durability point number n (an operation) started, then this many
    /// microseconds: aims at the middle of a WRITE FILEMARKS, ERASE or unload.
    During(u64, u64),
}

/// One object as read back from the tape.
#[derive(Debug)]
enum DiskObj {
    Filemark,
    Data {
        size: u32,
        /// The compression bits of `blk_flags`.
        comp: u32,
        payload: Vec<u8>,
    },
}

impl DiskObj {
    fn is(&self, o: &Obj) -> bool {
        match (self, o) {
            (DiskObj::Filemark, Obj::Filemark) => true,
            (
                DiskObj::Data {
                    size,
                    comp,
                    payload: p,
                },
                Obj::Data {
                    size: s,
                    seed,
                    comp: c,
                },
            ) => size == s && *comp == c.flag() && *p == payload(*s, *seed),
            _ => false,
        }
    }
}

#[derive(Debug, Default)]
struct Stats {
    iterations: u64,
    /// A strict open succeeded.
    clean: u64,
    /// A strict open failed with Corrupt; recovery brought the tape back.
    recovered: u64,
    /// Kills before the first ACK.
    before_first_ack: u64,
    /// What the strict opens reported (first damage of the plan), by kind.
    damage: BTreeMap<String, u64>,
    /// Objects that had to be there (acknowledged, not overwritten since).
    acked: u64,
    /// Objects written after the last ACK (the operation in flight counted as done).
    unacked: u64,
    /// Of those, found intact on the tape.
    unacked_kept: u64,
    /// Of those, missing.
    unacked_dropped: u64,
    /// Objects cut by recovery.
    cut_by_recovery: u64,
    /// Durability points and operations the writers got through.
    acks: u64,
    ops: u64,
    /// Time spent creating cartridges and running writers, and checking.
    writing: Duration,
    checking: Duration,
}

fn classify(file: &Path, what: &str) -> String {
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let file = name.as_deref().unwrap_or("?");
    let file = file.split('.').next().unwrap_or(file);
    let kind = if what.starts_with("the data file to end at") {
        "bytes after the last record"
    } else if what.starts_with("an index size that is a multiple") {
        "torn index record"
    } else if what.starts_with("a file of") {
        "filemark count disagrees with the size"
    } else if what.starts_with("the last filemark below EOD") {
        "listed filemark at or past EOD"
    } else if what.contains("to be listed") {
        "last record an unlisted filemark"
    } else {
        what
    };
    format!("{file}: {kind}")
}

/// Iterations to run, and the time after which to stop early (only when the count was not
/// given: the writers' speed depends on how fast the disk fsyncs, so `cargo test` runs at
/// most [`DEFAULT_ITERATIONS`] or [`DEFAULT_BUDGET`], but at least [`MIN_ITERATIONS`]).
fn iterations() -> (u64, Option<Duration>) {
    match std::env::var(ITERATIONS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => (n, None),
        None => (DEFAULT_ITERATIONS, Some(DEFAULT_BUDGET)),
    }
}

#[test]
fn sigkill_at_random_points() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let (n, budget) = iterations();
    let base: u64 = std::env::var(SEED_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash harness: {n} iterations, {SEED_ENV}={base}");
    let home = tempfile::Builder::new()
        .prefix("vtl-crash")
        .tempdir()
        .unwrap();
    let mut stats = Stats::default();
    let started = Instant::now();
    for i in 0..n {
        if i >= MIN_ITERATIONS && budget.is_some_and(|b| started.elapsed() > b) {
            eprintln!("crash harness: time budget reached, stopping after {i} iterations");
            break;
        }
        let seed = SplitMix(base ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D)).next_u64();
        let format = if i % 2 == 0 {
            Format::Legacy
        } else {
            Format::V6
        };
        let pcl = format!("CR{:06}", i % 1_000_000);
        match iteration(home.path(), &pcl, seed, format, &mut stats) {
            Ok(()) => std::fs::remove_dir_all(home.path().join(&pcl)).unwrap(),
            Err(msg) => {
                let kept = home.keep();
                panic!(
                    "iteration {i} ({format:?}, writer seed {seed}): {msg}\ncartridge left in {}",
                    kept.join(&pcl).display()
                );
            }
        }
    }
    report(&stats, started.elapsed());
}

fn report(s: &Stats, took: Duration) {
    eprintln!(
        "crash harness: {} iterations in {:.1} s ({:.1} s writing, {:.1} s checking): writers got through {} operations and {} durability points",
        s.iterations,
        took.as_secs_f64(),
        s.writing.as_secs_f64(),
        s.checking.as_secs_f64(),
        s.ops,
        s.acks
    );
    eprintln!(
        "  strict open clean: {}; strict open Corrupt, recovered: {}; killed before the first ACK: {}",
        s.clean, s.recovered, s.before_first_ack
    );
    for (k, v) in &s.damage {
        eprintln!("    {v:6}  {k}");
    }
    eprintln!(
        "  acknowledged objects checked: {}, all intact; objects cut by recovery: {}",
        s.acked, s.cut_by_recovery
    );
    eprintln!(
        "  objects written after the last ACK: {} (kept intact: {}, dropped: {})",
        s.unacked, s.unacked_kept, s.unacked_dropped
    );
}

/// The writer's states from the last ACK on: `states[0]` is the acknowledged tape, then the
/// tape after each operation started since; `required` objects of `states[0]` must survive.
struct Expected {
    states: Vec<Vec<Obj>>,
    required: usize,
}

/// Replay the writer's operations `0..=last_op` from `seed`.
fn replay(seed: u64, last_op: Option<u64>, last_ack: Option<u64>) -> Expected {
    let mut w = Writer::new(seed);
    let mut states = vec![Vec::new()];
    let mut required = 0;
    if let Some(last) = last_op {
        for j in 0..=last {
            let op = w.next_op();
            let cut = w.apply(&op);
            if Some(j) == last_ack {
                states = vec![w.objs.clone()];
                required = w.objs.len();
            } else if last_ack.is_none_or(|a| j > a) {
                if let Some(p) = cut {
                    required = required.min(p);
                }
                states.push(w.objs.clone());
            }
        }
    }
    Expected { states, required }
}

/// Run the writer on a new cartridge, kill it, check what is left.
fn iteration(
    home: &Path,
    pcl: &str,
    seed: u64,
    format: Format,
    stats: &mut Stats,
) -> Result<(), String> {
    stats.iterations += 1;
    let t0 = Instant::now();
    let dir =
        libvtlcart::testing::make_cartridge(home, pcl, format, MediumType::Data, "LTO8", CAPACITY);
    let mut timing = SplitMix(seed ^ 0x5EED_C0FF_EE00);
    let kill = match timing.below(3) {
        0 => KillAt::Acks(timing.below(8), timing.below(20_000)),
        1 => KillAt::Ops(timing.below(300), timing.below(3_000)),
        _ => {
            // The operation number of the n-th durability point of this writer.
            let n = timing.below(8);
            let mut w = Writer::new(seed);
            let mut seen = 0;
            let j = (0u64..)
                .find(|_| {
                    let op = w.next_op();
                    w.apply(&op);
                    seen += u64::from(op.durable());
                    seen > n
                })
                .unwrap();
            KillAt::During(j, timing.below(4_000))
        }
    };
    let events = run_writer(&dir, seed, kill)?;
    let t1 = Instant::now();
    stats.writing += t1 - t0;
    let last_op = events
        .iter()
        .filter_map(|e| match e {
            Event::Op(j) => Some(*j),
            Event::Ack(_) => None,
        })
        .max();
    let last_ack = events
        .iter()
        .filter_map(|e| match e {
            Event::Ack(j) => Some(*j),
            Event::Op(_) => None,
        })
        .max();
    stats.ops += last_op.map_or(0, |j| j + 1);
    stats.acks += events.iter().filter(|e| matches!(e, Event::Ack(_))).count() as u64;
    if last_ack.is_none() {
        stats.before_first_ack += 1;
    }
    let exp = replay(seed, last_op, last_ack);
    let ctx = format!(
        "killed {kill:?}: last op started {last_op:?}, last ACK {last_ack:?}, {} objects acknowledged",
        exp.required
    );
    let disk = check_open(&dir, &exp, stats).map_err(|e| format!("{ctx}: {e}"))?;
    tally(&disk, &exp, stats);
    append_after(&dir, disk.len()).map_err(|e| format!("{ctx}: after the checks: {e}"))?;
    stats.checking += t1.elapsed();
    Ok(())
}

/// Start the writer, kill it as `kill` says, return every protocol line it wrote.
fn run_writer(dir: &Path, seed: u64, kill: KillAt) -> Result<Vec<Event>, String> {
    let decode = |w: &[String]| {
        let j = w.get(1)?.parse().ok()?;
        Some(if w.first()? == "A" {
            Event::Ack(j)
        } else {
            Event::Op(j)
        })
    };
    let (mut acks, mut ops, mut last) = (0, 0, None);
    let delay = match kill {
        KillAt::Acks(_, d) | KillAt::Ops(_, d) | KillAt::During(_, d) => d,
    };
    let lines = run_and_kill(
        "crash_child",
        (CHILD_ENV, &format!("{seed}:{}", dir.display())),
        TAG,
        |w| {
            match decode(w) {
                Some(Event::Op(j)) => {
                    ops += 1;
                    last = Some(j);
                }
                Some(Event::Ack(_)) => acks += 1,
                None => {}
            }
            match kill {
                KillAt::Acks(n, _) => acks >= n,
                KillAt::Ops(n, _) => ops >= n,
                KillAt::During(j, _) => last == Some(j),
            }
        },
        Duration::from_micros(delay),
    )
    .map_err(|e| format!("the writer: {e}"))?;
    Ok(lines.iter().filter_map(|w| decode(w)).collect())
}

/// Open the tape after the crash (strictly, then with recovery if that fails), check it and
/// the model, and return its objects.
fn check_open(dir: &Path, exp: &Expected, stats: &mut Stats) -> Result<Vec<DiskObj>, String> {
    match Cartridge::open(dir, &OpenOptionsCart::default()) {
        Ok(c) => {
            stats.clean += 1;
            let disk = read_tape(&c).map_err(|e| format!("strict open succeeded, but {e}"))?;
            matching_state(&disk, exp).map_err(|e| format!("strict open succeeded, but {e}"))?;
            Ok(disk)
        }
        Err(CartError::Corrupt { file, offset, what }) => {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let base = name.split('.').next().unwrap_or("");
            if file.parent() != Some(dir) || !["data", "indx", "meta"].contains(&base) {
                return Err(format!(
                    "strict open: Corrupt names {} (offset {offset}: {what}), not a partition file",
                    file.display()
                ));
            }
            *stats.damage.entry(classify(&file, &what)).or_default() += 1;
            let o = OpenOptionsCart {
                write: true,
                recover: true,
                ..Default::default()
            };
            let mut c = Cartridge::open(dir, &o)
                .map_err(|e| format!("open with recover after a strict open failed: {e}"))?;
            let plan = c.recovery_plans()[0].clone();
            if plan.is_clean() {
                return Err(format!(
                    "strict open failed ({name} offset {offset}: {what}) but the recovery plan is clean"
                ));
            }
            if (plan.keep_objects as usize) < exp.required {
                return Err(format!(
                    "recovery keeps {} objects, {} were acknowledged: {plan:?}",
                    plan.keep_objects, exp.required
                ));
            }
            stats.cut_by_recovery += plan.objects_before - u64::from(plan.keep_objects);
            c.apply_recovery()
                .map_err(|e| format!("apply_recovery: {e}"))?;
            drop(c);
            stats.recovered += 1;
            let c = Cartridge::open(dir, &OpenOptionsCart::default())
                .map_err(|e| format!("the recovered tape does not open: {e}"))?;
            let disk = read_tape(&c).map_err(|e| format!("after recovery, {e}"))?;
            matching_state(&disk, exp).map_err(|e| format!("after recovery, {e}"))?;
            Ok(disk)
        }
        Err(e) => Err(format!("strict open failed with a non-Corrupt error: {e}")),
    }
}

/// Check that the opened tape is consistent and read every object.
fn read_tape(c: &Cartridge) -> Result<Vec<DiskObj>, String> {
    let p = c.partition(0).unwrap();
    let eod = p.eod();
    let [data, indx, _] = p.paths();
    let len = |f: &PathBuf| std::fs::metadata(f).map(|m| m.len()).unwrap_or(u64::MAX);
    if len(indx) != u64::from(eod) * 512 {
        return Err(format!("EOD {eod} but {} bytes of index", len(indx)));
    }
    if len(data) != p.eod_data_offset() {
        return Err(format!(
            "data ends at {} but the data file holds {} bytes",
            p.eod_data_offset(),
            len(data)
        ));
    }
    // The filemark list must be exactly the filemark records (found by scanning).
    let mut scanned = Vec::new();
    for b in 0..eod {
        let r = c
            .record(0, b)
            .map_err(|e| format!("record {b} unreadable: {e}"))?;
        if r.blk_type.get() == TYPE_FILEMARK {
            scanned.push(b);
        }
    }
    if scanned != p.filemarks() {
        let missing: Vec<_> = scanned
            .iter()
            .filter(|b| !p.filemarks().contains(b))
            .collect();
        let extra: Vec<_> = p
            .filemarks()
            .iter()
            .filter(|b| !scanned.contains(b))
            .collect();
        return Err(format!(
            "the filemark list ({} entries) is not the set of filemark records ({} found): records missing from the list {missing:?}, listed but not filemark records {extra:?}",
            p.filemarks().len(),
            scanned.len()
        ));
    }
    let mut out = Vec::with_capacity(eod as usize);
    let mut buf = Vec::new();
    for b in 0..eod {
        match c.read_at(0, b, &mut buf) {
            Ok(Object::Filemark) => out.push(DiskObj::Filemark),
            Ok(Object::Data(i)) => out.push(DiskObj::Data {
                size: i.size,
                comp: i.flags & (FLAG_LZO | FLAG_ZLIB),
                payload: std::mem::take(&mut buf),
            }),
            Ok(Object::EndOfData) => return Err(format!("EOD at block {b}, before EOD {eod}")),
            Err(e) => return Err(format!("object {b} does not read back: {e}")),
        }
    }
    match c.read_at(0, eod, &mut buf) {
        Ok(Object::EndOfData) => Ok(out),
        other => Err(format!("reading at EOD {eod}: {other:?}")),
    }
}

/// The tape must be a prefix of one of the states the writer passed through since the last
/// ACK, at least `required` objects long. Returns the index of the (latest) such state.
fn matching_state(disk: &[DiskObj], exp: &Expected) -> Result<usize, String> {
    if disk.len() < exp.required {
        return Err(format!(
            "the tape holds {} objects, {} were acknowledged",
            disk.len(),
            exp.required
        ));
    }
    // For each position, which of the candidates written there the tape holds.
    let mut ok: Vec<Vec<Obj>> = Vec::with_capacity(disk.len());
    for (i, d) in disk.iter().enumerate() {
        let mut cands: Vec<Obj> = exp
            .states
            .iter()
            .filter_map(|s| s.get(i).copied())
            .collect();
        cands.dedup();
        let mut hits: Vec<Obj> = Vec::new();
        for o in cands {
            if !hits.contains(&o) && d.is(&o) {
                hits.push(o);
            }
        }
        if hits.is_empty() {
            let what = match d {
                DiskObj::Filemark => "a filemark".to_string(),
                DiskObj::Data { size, comp, .. } => {
                    format!("a data block of {size} bytes, compression flags {comp:#x}")
                }
            };
            let want: Vec<_> = exp.states.iter().filter_map(|s| s.get(i)).collect();
            return Err(format!(
                "object {i} is {what}, which the writer never put there (candidates: {want:?})"
            ));
        }
        ok.push(hits);
    }
    exp.states
        .iter()
        .rposition(|s| s.len() >= disk.len() && (0..disk.len()).all(|i| ok[i].contains(&s[i])))
        .ok_or_else(|| {
            format!(
                "its {} objects are each ones the writer wrote, but together no prefix of a state the tape passed through ({} states since the last ACK)",
                disk.len(),
                exp.states.len()
            )
        })
}

fn common_prefix(a: &[Obj], b: &[Obj]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Count the objects written after the last ACK that survived or were lost.
fn tally(disk: &[DiskObj], exp: &Expected, stats: &mut Stats) {
    let last = exp.states.last().unwrap();
    let acked = &exp.states[0];
    let base = common_prefix(acked, last);
    let on_disk = disk.iter().zip(last).take_while(|(d, o)| d.is(o)).count();
    stats.acked += exp.required as u64;
    let new = (last.len() - base) as u64;
    let kept = on_disk.saturating_sub(base) as u64;
    stats.unacked += new;
    stats.unacked_kept += kept;
    stats.unacked_dropped += new - kept;
}

/// A recovered (or clean) tape takes a new block and filemark at EOD, and they survive a
/// reload.
fn append_after(dir: &Path, eod: usize) -> Result<(), String> {
    let o = OpenOptionsCart {
        write: true,
        count_load: true,
        ..Default::default()
    };
    let mut c = Cartridge::open(dir, &o).map_err(|e| format!("open for writing: {e}"))?;
    c.seek_eod();
    let block = b"written after the crash ".repeat(100);
    c.write_block(&block, Compression::Lzo, None)
        .and_then(|_| c.write_filemarks(1))
        .map_err(|e| format!("append: {e}"))?;
    c.unload().map_err(|e| format!("unload: {e}"))?;
    let c = Cartridge::open(dir, &OpenOptionsCart::default())
        .map_err(|e| format!("reopen after append: {e}"))?;
    let p = c.partition(0).unwrap();
    let eod = eod as u32;
    if p.eod() != eod + 2 || p.filemarks().last() != Some(&(eod + 1)) {
        return Err(format!(
            "after append: EOD {} (want {}), last filemark {:?}",
            p.eod(),
            eod + 2,
            p.filemarks().last()
        ));
    }
    let mut buf = Vec::new();
    match c.read_at(0, eod, &mut buf) {
        Ok(Object::Data(_)) if buf == block => Ok(()),
        other => Err(format!("appended block reads back as {other:?}")),
    }
}
