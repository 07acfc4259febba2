//! Crash consistency of the drive: a process writing through SCSI commands (WRITE(6),
//! WRITE FILEMARKS(6) with IMMED=0 and 1, LOCATE(10) followed by overwrites, REWIND, unload
//! and reload) is killed with SIGKILL at random points; a new drive then loads the cartridge
//! and reads it back through SCSI READ(6), the way a restarted vtltape daemon would.
//!
//! The writer is this test binary, run again with `VTL_DRIVE_CRASH_CHILD=<seed>:<home>:<z>`
//! (the test `drive_crash_child` does nothing without it). From the seed it runs an endless,
//! deterministic random sequence of operations; before each it prints `VTLDRIVE O <n>`, and
//! after each durability point it prints `VTLDRIVE A <n>`: a WRITE FILEMARKS with IMMED=0
//! (count 0 included) that returned GOOD, or an unload. Every data block carries its
//! operation number in its first 8 bytes and a pattern derived from it after them.
//!
//! The parent replays the seed and checks, after each kill (SSC-5 4.2.10: a WRITE FILEMARKS
//! with IMMED=0 returns once the buffered logical objects are on the medium):
//!
//! * the new drive loads the cartridge (a damaged tail is cut back by the load, see
//!   `open_recovering` in loader.rs) and every object reads back with GOOD, FILEMARK or, at
//!   the end, BLANK CHECK / END-OF-DATA DETECTED — never an error, and never a block whose
//!   bytes differ from what was written (every block's whole content is checked);
//! * what is on the tape is a prefix of a state the writer passed through since its last
//!   durability point, and holds every object of that point's state that no later operation
//!   overwrote: nothing acknowledged is lost;
//! * the tape takes a new block and filemark after it, and they survive an unload and reload.
//!
//! `cargo test` runs [`DEFAULT_ITERATIONS`] (fewer, but at least [`MIN_ITERATIONS`], if they
//! take longer than [`DEFAULT_BUDGET`]); the full run is
//! `VTL_DRIVE_CRASH_ITERATIONS=1000 cargo test -p vtltape --release --test crash -- --nocapture`
//! (`VTL_DRIVE_CRASH_SEED` repeats a run's operations). Results: docs/RELIABILITY.md.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{REWIND, cart_in, cdb6, locate, read_var, run, wfm};
use libvtlcart::Format;
use libvtlcart::testing::{SplitMix, run_and_kill};
use vtl_scsi::{Asc, SenseKey};
use vtltape::{CompressionAlgorithm, CompressionConfig, Drive, DriveConfig};

const CHILD_ENV: &str = "VTL_DRIVE_CRASH_CHILD";
const ITERATIONS_ENV: &str = "VTL_DRIVE_CRASH_ITERATIONS";
const SEED_ENV: &str = "VTL_DRIVE_CRASH_SEED";
const DEFAULT_ITERATIONS: u64 = 100;
const MIN_ITERATIONS: u64 = 25;
const DEFAULT_BUDGET: Duration = Duration::from_secs(25);
const TAG: &str = "VTLDRIVE";
const PCL: &str = "C00001L8";
/// Never reached: the writer goes back and overwrites before (see [`MAX_OBJECTS`]).
const CAPACITY: u64 = 1 << 30;
/// Objects past which the writer locates back to block 0..=16 and overwrites.
const MAX_OBJECTS: usize = 600;
/// Largest block, bytes.
const MAX_BLOCK: u64 = 256 << 10;
/// A writer still alive after this long stops by itself (the parent kills it long before).
const CHILD_LIFETIME: Duration = Duration::from_secs(60);

/// A logical object: a data block (by the operation that wrote it, and its length in bytes)
/// or a filemark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obj {
    Block { op: u64, len: u32 },
    Filemark,
}

/// One operation of the writer.
#[derive(Debug, Clone, Copy)]
enum Op {
    /// WRITE(6) variable, one block of `len` bytes.
    Write(u32),
    /// WRITE FILEMARKS(6) of `count`, IMMED as given (IMMED=0: a durability point).
    Filemarks { count: u32, immed: bool },
    /// LOCATE(10) to a logical object number.
    Locate(u32),
    /// REWIND.
    Rewind,
    /// UNLOAD, then load again (a durability point).
    Reload,
}

impl Op {
    fn durable(self) -> bool {
        matches!(self, Op::Filemarks { immed: false, .. } | Op::Reload)
    }
}

/// The writer's deterministic sequence and the tape it should leave.
struct Writer {
    rng: SplitMix,
    objs: Vec<Obj>,
    pos: usize,
}

impl Writer {
    fn new(seed: u64) -> Writer {
        Writer {
            rng: SplitMix(seed),
            objs: Vec::new(),
            pos: 0,
        }
    }

    /// The next operation (does not apply it).
    fn next_op(&mut self) -> Op {
        if self.objs.len() > MAX_OBJECTS {
            return Op::Locate(self.rng.below(17) as u32);
        }
        match self.rng.below(100) {
            // Log-uniform 9 B ..= 256 KiB: small blocks as often as large ones.
            0..55 => Op::Write(self.rng.size(9, MAX_BLOCK)),
            55..75 => Op::Filemarks {
                count: self.rng.below(3) as u32,
                immed: false,
            },
            75..83 => Op::Filemarks {
                count: 1,
                immed: true,
            },
            83..94 => Op::Locate(self.rng.below(self.objs.len() as u64 + 1) as u32),
            94..97 => Op::Rewind,
            _ => Op::Reload,
        }
    }

    /// Apply operation number `n` to the model; returns the object number from which it
    /// replaced the tape's contents, if it wrote.
    fn apply(&mut self, n: u64, op: Op) -> Option<usize> {
        match op {
            Op::Write(len) => {
                let at = self.pos;
                self.objs.truncate(at);
                self.objs.push(Obj::Block { op: n, len });
                self.pos += 1;
                Some(at)
            }
            Op::Filemarks { count, .. } => {
                let at = self.pos;
                if count == 0 {
                    // A flush writes nothing; it does not cut the tape either.
                    return None;
                }
                self.objs.truncate(at);
                for _ in 0..count {
                    self.objs.push(Obj::Filemark);
                }
                self.pos += count as usize;
                Some(at)
            }
            Op::Locate(b) => {
                self.pos = b as usize;
                None
            }
            Op::Rewind | Op::Reload => {
                self.pos = 0;
                None
            }
        }
    }
}

/// The bytes of the block operation `op` writes.
fn block_bytes(op: u64, len: u32) -> Vec<u8> {
    let mut v: Vec<u8> = (0..len as usize)
        .map(|i| {
            (i as u64)
                .wrapping_mul(131)
                .wrapping_add(op.wrapping_mul(7919)) as u8
        })
        .collect();
    let id = op.to_le_bytes();
    let n = v.len().min(8);
    v[..n].copy_from_slice(&id[..n]);
    v
}

fn drive(home: &Path, compress: bool) -> Drive {
    Drive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "CRASH_01".into(),
        compression: CompressionConfig {
            algorithm: Some(CompressionAlgorithm::Lzo),
            level: 1,
            enabled: compress,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    })
}

/// The writer (runs only in the child process).
#[test]
fn drive_crash_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut it = spec.splitn(3, ':');
    let seed: u64 = it.next().unwrap().parse().unwrap();
    let compress = it.next().unwrap() == "z";
    let home = PathBuf::from(it.next().unwrap());
    let mut d = drive(&home, compress);
    d.load_barcode(PCL).expect("load");
    let mut w = Writer::new(seed);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < CHILD_LIFETIME {
        let op = w.next_op();
        println!("{TAG} O {n}");
        let (r, _) = match op {
            Op::Write(len) => {
                let data = block_bytes(n, len);
                run(&mut d, &cdb6(0x0a, 0, len), &data)
            }
            Op::Filemarks { count, immed } => run(&mut d, &cdb6(0x10, u8::from(immed), count), &[]),
            Op::Locate(b) => run(&mut d, &locate(b), &[]),
            Op::Rewind => run(&mut d, &REWIND, &[]),
            Op::Reload => {
                d.unload().expect("unload");
                d.load_barcode(PCL).expect("reload");
                (Ok(()), Vec::new())
            }
        };
        if let Err(e) = r {
            panic!("operation {n} {op:?} failed: {e:?}");
        }
        w.apply(n, op);
        if op.durable() {
            println!("{TAG} A {n}");
        }
        n += 1;
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Op(u64),
    Ack(u64),
}

/// Start the writer, kill it after `ops` operations plus `delay_us`, return its lines.
fn run_writer(home: &Path, seed: u64, compress: bool, ops: u64, delay_us: u64) -> Vec<Event> {
    let z = if compress { "z" } else { "-" };
    let mut started = 0;
    let lines = run_and_kill(
        "drive_crash_child",
        (CHILD_ENV, &format!("{seed}:{z}:{}", home.display())),
        TAG,
        |w| {
            started += u64::from(w.first().is_some_and(|k| k == "O"));
            started >= ops
        },
        Duration::from_micros(delay_us),
    )
    .unwrap_or_else(|e| panic!("the writer: {e}"));
    lines
        .iter()
        .filter_map(|w| {
            let n = w.get(1)?.parse().ok()?;
            match w.first()?.as_str() {
                "A" => Some(Event::Ack(n)),
                "O" => Some(Event::Op(n)),
                _ => None,
            }
        })
        .collect()
}

/// Read the whole tape through a new drive: its objects, or why it could not be read.
fn read_back(home: &Path) -> Result<Vec<Obj>, String> {
    let mut d = drive(home, false);
    d.load_barcode(PCL).map_err(|e| format!("load: {e:?}"))?;
    let mut objs = Vec::new();
    loop {
        let (r, data) = run(&mut d, &read_var(1 << 20), &[]);
        let sense = match r {
            Ok(()) => return Err(format!("object {}: a block of 1 MiB or more", objs.len())),
            Err(e) => e
                .sense()
                .ok_or_else(|| format!("object {}: {e:?}", objs.len()))?,
        };
        if sense.filemark {
            objs.push(Obj::Filemark);
        } else if sense.key == SenseKey::BlankCheck && sense.asc == Asc::END_OF_DATA_DETECTED {
            return Ok(objs);
        } else if sense.ili && sense.key == SenseKey::NoSense {
            if data.len() < 8 {
                return Err(format!(
                    "object {}: a {}-byte block",
                    objs.len(),
                    data.len()
                ));
            }
            let op = u64::from_le_bytes(data[..8].try_into().unwrap());
            let len = data.len() as u32;
            if data != block_bytes(op, len) {
                return Err(format!(
                    "object {}: block of operation {op} ({len} bytes) returned with wrong bytes",
                    objs.len()
                ));
            }
            objs.push(Obj::Block { op, len });
        } else {
            return Err(format!("object {}: unexpected sense {sense:?}", objs.len()));
        }
    }
}

/// What one kill left, for the tallies printed at the end.
#[derive(Debug, Default)]
struct Tally {
    /// Iterations whose cartridge opened strictly (no torn tail).
    clean: u64,
    /// Iterations whose cartridge had a torn tail the load cut back.
    cut_back: u64,
    /// Acknowledged objects checked.
    acknowledged: u64,
    /// Objects written after the last durability point found on the tape.
    kept_after: u64,
}

/// One kill and its checks.
fn iteration(seed: u64, timing: &mut SplitMix, tally: &mut Tally) -> Result<(), String> {
    let home = tempfile::tempdir().unwrap();
    let format = if seed.is_multiple_of(2) {
        Format::V6
    } else {
        Format::Legacy
    };
    let compress = seed % 4 >= 2;
    cart_in(home.path(), PCL, format, CAPACITY);
    let ops = timing.below(400);
    let events = run_writer(home.path(), seed, compress, ops, timing.below(3_000));
    let last_started = events.iter().rev().find_map(|e| match e {
        Event::Op(j) => Some(*j),
        Event::Ack(_) => None,
    });
    let last_ack = events.iter().rev().find_map(|e| match e {
        Event::Ack(j) => Some(*j),
        Event::Op(_) => None,
    });
    // The states since the last durability point (before its first operation when none).
    let mut w = Writer::new(seed);
    let first = last_ack.map_or(0, |a| a + 1);
    for n in 0..first {
        let op = w.next_op();
        w.apply(n, op);
    }
    let acked = w.objs.clone();
    let mut required = acked.len();
    let mut states = vec![acked.clone()];
    if let Some(last) = last_started {
        for n in first..=last {
            let op = w.next_op();
            if let Some(at) = w.apply(n, op) {
                required = required.min(at);
            }
            states.push(w.objs.clone());
        }
    }
    let ctx = format!(
        "seed {seed} ({format:?}, compression {compress}): killed after op {last_started:?}, \
         last durability point {last_ack:?}"
    );
    let strict = libvtlcart::Cartridge::open(
        &home.path().join(PCL),
        &libvtlcart::OpenOptionsCart::default(),
    );
    match strict {
        Ok(_) => tally.clean += 1,
        Err(libvtlcart::CartError::Corrupt { .. }) => tally.cut_back += 1,
        Err(e) => return Err(format!("{ctx}: strict open: {e}")),
    }
    let tape = read_back(home.path()).map_err(|e| format!("{ctx}: {e}"))?;
    tally.acknowledged += required as u64;
    tally.kept_after += tape.len().saturating_sub(required) as u64;
    if tape.len() < required || tape[..required] != acked[..required] {
        return Err(format!(
            "{ctx}: acknowledged objects lost: {required} required, the tape has {} and \
             differs at {:?}",
            tape.len(),
            tape.iter().zip(&acked).position(|(a, b)| a != b)
        ));
    }
    if !states.iter().any(|s| s.starts_with(&tape)) {
        return Err(format!(
            "{ctx}: the tape ({} objects) is no prefix of a state the writer passed through",
            tape.len()
        ));
    }
    // The drive goes on: append at EOD, reload, read the new objects back.
    let mut d = drive(home.path(), false);
    d.load_barcode(PCL)
        .map_err(|e| format!("{ctx}: reload: {e:?}"))?;
    let eod = tape.len() as u32;
    let extra = block_bytes(u64::MAX - 1, 4096);
    for (what, (r, _)) in [
        ("locate", run(&mut d, &locate(eod), &[])),
        ("write", run(&mut d, &cdb6(0x0a, 0, 4096), &extra)),
        ("write filemarks", run(&mut d, &wfm(1), &[])),
    ] {
        r.map_err(|e| format!("{ctx}: {what} after the crash: {e:?}"))?;
    }
    d.unload().map_err(|e| format!("{ctx}: unload: {e:?}"))?;
    drop(d);
    let again = read_back(home.path()).map_err(|e| format!("{ctx}: after appending: {e}"))?;
    let mut want = tape;
    want.push(Obj::Block {
        op: u64::MAX - 1,
        len: 4096,
    });
    want.push(Obj::Filemark);
    if again != want {
        return Err(format!(
            "{ctx}: the appended block and filemark did not survive"
        ));
    }
    Ok(())
}

#[test]
fn sigkill_during_scsi_writes() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let (n, budget) = match std::env::var(ITERATIONS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(n) => (n, None),
        None => (DEFAULT_ITERATIONS, Some(DEFAULT_BUDGET)),
    };
    let base: u64 = std::env::var(SEED_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("drive crash harness: {n} iterations, {SEED_ENV}={base}");
    let mut timing = SplitMix(base ^ 0x5555_5555);
    let start = Instant::now();
    let mut done = 0;
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    for i in 0..n {
        if let Some(b) = budget
            && i >= MIN_ITERATIONS
            && start.elapsed() > b
        {
            break;
        }
        if let Err(e) = iteration(base.wrapping_add(i), &mut timing, &mut tally) {
            failures.push(e);
        }
        done += 1;
    }
    eprintln!(
        "drive crash harness: {done} iterations in {:.1} s, {} violations",
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    eprintln!("drive crash harness: {tally:?}");
    assert!(failures.is_empty(), "violations:\n{}", failures.join("\n"));
}

/// Damage found on a cartridge that was unloaded cleanly is not a crash: the load refuses it
/// (the drive cuts back only what a session that never unloaded left behind).
#[test]
fn damage_after_a_clean_unload_is_refused() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = cart_in(home.path(), PCL, Format::V6, CAPACITY);
    let mut d = drive(home.path(), false);
    d.load_barcode(PCL).unwrap();
    for n in 0..3 {
        let (r, _) = run(&mut d, &cdb6(0x0a, 0, 100), &block_bytes(n, 100));
        r.unwrap();
    }
    run(&mut d, &wfm(1), &[]).0.unwrap();
    d.unload().unwrap();
    drop(d);
    // Bytes no index record points to, after a clean unload.
    let data = dir.join("data.0");
    let mut bytes = std::fs::read(&data).unwrap();
    bytes.extend_from_slice(&[0xa5; 77]);
    std::fs::write(&data, &bytes).unwrap();
    let mut d = drive(home.path(), false);
    match d.load_barcode(PCL) {
        Err(vtltape::DriveError::Cart {
            source: libvtlcart::CartError::Corrupt { file, .. },
            ..
        }) => assert_eq!(file, data),
        other => panic!("expected the load to be refused as corrupt, got {other:?}"),
    }
    // The files are as they were: nothing was cut.
    assert_eq!(std::fs::read(&data).unwrap(), bytes);
}
