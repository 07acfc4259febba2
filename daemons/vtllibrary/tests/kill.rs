//! Kill in the middle: a library serving MOVE MEDIUM and EXCHANGE MEDIUM is killed with
//! SIGKILL at random points, and the library built again from the same files must show the
//! state of the last acknowledged move, or of the move in flight (which may have completed).
//!
//! The mover is this test binary itself, run again with `VTL_LIBRARY_KILL_CHILD` set (the
//! test `kill_child` does nothing without it). It builds a [`Library`] (STK L700, 30 slots,
//! 1 MAP, 2 IBM LTO-8 [`vtltape::TapeDrive`]s) over a media home holding 20 LTO-8 data
//! cartridges (legacy and v6 layouts alternately) and its state file, prints the inventory
//! it starts from (`VTLKILL S …`), then sends, through the [`vtl_scsi::LogicalUnit`]
//! interface, an endless deterministic random stream (from a seed) of valid moves: slot to
//! slot, slot to drive, drive to slot, drive to drive, and EXCHANGE MEDIUM (swaps and
//! three-element exchanges, drives included). Before each command it prints `VTLKILL O <j>
//! <op>`, after each GOOD `VTLKILL A <j>`; any other status ends it with an error.
//!
//! The parent starts the mover, kills it after a random number of `O` lines plus a random
//! delay (or, one time in six, after a random delay from its start: mostly while the
//! library starts, reloading drives and writing its state file), then builds a new library (and new drives) from the same files and checks:
//!
//! * the library starts without warnings (the state file is never torn);
//! * every cartridge is in exactly one element;
//! * the inventory equals the one after the last acknowledged move, or the one after the
//!   move in flight; before the first `S` line, the one the previous iteration checked; an
//!   `S` line equals the one the previous iteration checked (a restart changes nothing);
//! * each drive holds exactly the cartridge the inventory puts there (reconciliation loads
//!   it again; the killed process's drives are gone);
//! * every cartridge opens with libvtlcart (strict open, no recovery).
//!
//! Iterations run one after the other on the same media home, each starting from what the
//! previous one left (cartridges in drives included). The home is on /dev/shm when it
//! exists (the state file is fsync'ed on every move), else in the temporary directory;
//! `VTL_LIBRARY_KILL_DIR` puts it elsewhere (a disk). A SIGKILL leaves the page cache
//! intact, so tmpfs loses nothing this test looks for; power loss is another matter (the
//! journal's fsyncs, module `vtllibrary::journal`).
//!
//! `cargo test` runs [`DEFAULT_ITERATIONS`]; the full run is
//! `VTL_LIBRARY_KILL_ITERATIONS=1000 cargo test -p vtllibrary --release --test kill -- --nocapture`
//! (`VTL_LIBRARY_KILL_SEED` repeats a run's move streams; kill timing is never the same
//! twice).

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use libvtlcart::testing::{SplitMix, run_and_kill};
use libvtlcart::{Cartridge, Format, MediumType, OpenOptionsCart};
use vtl_scsi::InProcess;
use vtllibrary::ElementType;

/// Set in the mover's environment: `<seed>:<media home>`.
const CHILD_ENV: &str = "VTL_LIBRARY_KILL_CHILD";
/// Iterations of the parent (default [`DEFAULT_ITERATIONS`]).
const ITERATIONS_ENV: &str = "VTL_LIBRARY_KILL_ITERATIONS";
/// Base seed of the movers' streams (default: from the clock, printed).
const SEED_ENV: &str = "VTL_LIBRARY_KILL_SEED";
/// Directory to make the media home in (default: /dev/shm when it exists, else the
/// temporary directory): a disk, to count fsync costs.
const DIR_ENV: &str = "VTL_LIBRARY_KILL_DIR";
/// Iterations in `cargo test`.
const DEFAULT_ITERATIONS: u64 = 300;
/// Prefix of the mover's protocol lines (libtest prints its own lines too).
const TAG: &str = "VTLKILL";
/// Cartridges in the library.
const CARTRIDGES: usize = 20;
/// Storage elements (the rest are empty).
const SLOTS: usize = 30;
/// A mover still running after this long stops by itself (the parent kills it long before).
const CHILD_LIFETIME: Duration = Duration::from_secs(60);
/// Most `O` lines the parent waits for before it kills (see [`sigkill_during_moves`]).
const MAX_OPS_BEFORE_KILL: u64 = 40;

/// One command of the mover, by element address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Move(u16, u16),
    Exchange(u16, u16, u16),
}

impl Op {
    fn cdb(self) -> [u8; 12] {
        match self {
            Op::Move(s, d) => move_medium(0, s, d),
            Op::Exchange(s, f, d) => exchange(s, f, d),
        }
    }

    fn encode(self) -> String {
        match self {
            Op::Move(s, d) => format!("M {s} {d}"),
            Op::Exchange(s, f, d) => format!("X {s} {f} {d}"),
        }
    }

    fn decode(w: &[&str]) -> Option<Op> {
        let n = |i: usize| w.get(i)?.parse::<u16>().ok();
        match *w.first()? {
            "M" => Some(Op::Move(n(1)?, n(2)?)),
            "X" => Some(Op::Exchange(n(1)?, n(2)?, n(3)?)),
            _ => None,
        }
    }

    /// The inventory after this command (`positions` as (address, barcode), any order).
    fn apply(self, state: &mut Positions) {
        let take = |st: &mut Positions, a: u16| {
            let i = st.iter().position(|(x, _)| *x == a).expect("source full");
            st.remove(i).1
        };
        match self {
            Op::Move(s, d) => {
                let b = take(state, s);
                state.push((d, b));
            }
            Op::Exchange(s, f, d) => {
                let b1 = take(state, s);
                let b2 = take(state, f);
                state.push((f, b1));
                state.push((d, b2));
            }
        }
        state.sort();
    }
}

type Positions = Vec<(u16, String)>;

fn encode_positions(p: &Positions) -> String {
    p.iter()
        .map(|(a, b)| format!("{a}={b}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn decode_positions(s: &str) -> Option<Positions> {
    let mut v = Vec::new();
    for item in s.split(',').filter(|s| !s.is_empty()) {
        let (a, b) = item.split_once('=')?;
        v.push((a.parse().ok()?, b.to_string()));
    }
    v.sort();
    Some(v)
}

fn barcodes() -> Vec<String> {
    (1..=CARTRIDGES).map(|i| format!("K{i:05}L8")).collect()
}

fn slot_list(names: &[String]) -> Vec<Option<&str>> {
    let mut v: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
    v.resize(SLOTS, None);
    v
}

/// The next valid command for the inventory `inv` (slots and drives only; the MAP stays
/// closed and empty).
fn next_op(rng: &mut SplitMix, inv: &vtllibrary::Inventory) -> Op {
    let split = |t: ElementType| {
        let (mut full, mut empty) = (Vec::new(), Vec::new());
        for e in inv.elements(t) {
            if e.is_full() {
                full.push(e.address);
            } else {
                empty.push(e.address);
            }
        }
        (full, empty)
    };
    let (sf, se) = split(ElementType::Storage);
    let (df, de) = split(ElementType::DataTransfer);
    loop {
        let op = match rng.below(6) {
            0 => rng
                .pick(&sf)
                .zip(rng.pick(&se))
                .map(|(s, d)| Op::Move(s, d)),
            1 | 2 => rng
                .pick(&sf)
                .zip(rng.pick(&de))
                .map(|(s, d)| Op::Move(s, d)),
            3 => rng
                .pick(&df)
                .zip(rng.pick(&se))
                .map(|(s, d)| Op::Move(s, d)),
            4 => rng
                .pick(&df)
                .zip(rng.pick(&de))
                .map(|(s, d)| Op::Move(s, d)),
            _ => {
                let full: Vec<u16> = sf.iter().chain(&df).copied().collect();
                let empty: Vec<u16> = se.iter().chain(&de).copied().collect();
                let Some(s) = rng.pick(&full) else { continue };
                let others: Vec<u16> = full.iter().copied().filter(|a| *a != s).collect();
                let Some(f) = rng.pick(&others) else { continue };
                // Prefer exchanges that involve a drive.
                if !df.contains(&s) && !df.contains(&f) && rng.below(2) == 0 {
                    continue;
                }
                let d = if rng.below(2) == 0 {
                    Some(s)
                } else {
                    rng.pick(&empty)
                };
                d.map(|d| Op::Exchange(s, f, d))
            }
        };
        if let Some(op) = op {
            return op;
        }
    }
}

fn library_drives(home: &Path) -> Vec<Drive> {
    vec![drive(home, "KILLD1"), drive(home, "KILLD2")]
}

fn sorted_positions(lu: &mut InProcess<vtllibrary::Library>) -> Positions {
    let mut p = positions(lu);
    p.sort();
    p
}

/// The mover (see the module documentation).
#[test]
fn kill_child() {
    let Ok(v) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (seed, home) = v.split_once(':').expect("seed:home");
    let seed: u64 = seed.parse().expect("seed");
    let home = PathBuf::from(home);
    let names = barcodes();
    let drives = library_drives(&home);
    let mut lu = InProcess::new(build(&home, "STK", "L700", &slot_list(&names), &drives));
    // The power-on unit attention.
    lu.command(1, &TUR, &[], 0);
    println!("{TAG} S {}", encode_positions(&sorted_positions(&mut lu)));
    let mut rng = SplitMix(seed);
    let end = Instant::now() + CHILD_LIFETIME;
    let mut j = 0u64;
    while Instant::now() < end {
        let op = next_op(&mut rng, lu.lu().inventory());
        println!("{TAG} O {j} {}", op.encode());
        let c = lu.command(1, &op.cdb(), &[], 0);
        if !c.is_good() {
            eprintln!("{op:?} failed: {:?}", c.sense());
            std::process::exit(3);
        }
        println!("{TAG} A {j}");
        j += 1;
    }
}

#[derive(Debug)]
enum Event {
    Start(Positions),
    Op(u64, Op),
    Ack(u64),
}

/// Start the mover, kill it after `ops` `O` lines plus `delay_us`, return its lines.
fn run_child(home: &Path, seed: u64, ops: u64, delay_us: u64) -> Result<Vec<Event>, String> {
    let mut seen = 0;
    let lines = run_and_kill(
        "kill_child",
        (CHILD_ENV, &format!("{seed}:{}", home.display())),
        TAG,
        |w| {
            // Only complete O lines count (a torn one does not decode).
            seen += u64::from(w.first().is_some_and(|k| k == "O") && decode(w).is_some());
            seen >= ops
        },
        Duration::from_micros(delay_us),
    )
    .map_err(|e| format!("the mover: {e}"))?;
    // A torn line (the kill came in the middle of it) decodes to nothing.
    Ok(lines.iter().filter_map(|w| decode(w)).collect())
}

/// One protocol line of the mover (the words after [`TAG`]).
fn decode(w: &[String]) -> Option<Event> {
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    match (w.first().copied(), w.get(1).map(|s| s.parse::<u64>())) {
        (Some("S"), _) => decode_positions(w.get(1).copied().unwrap_or("")).map(Event::Start),
        (Some("O"), Some(Ok(j))) => Op::decode(&w[2..]).map(|op| Event::Op(j, op)),
        (Some("A"), Some(Ok(j))) => Some(Event::Ack(j)),
        _ => None,
    }
}

#[derive(Debug, Default)]
struct Stats {
    iterations: u64,
    killed_before_start: u64,
    ops_started: u64,
    acked: u64,
    in_flight_done: u64,
    in_flight_undone: u64,
    killed_between: u64,
    exchanges: u64,
    cartridges_in_drives: u64,
}

/// Build the library again and check it against the mover's lines; returns the inventory.
fn check(
    home: &Path,
    events: &[Event],
    prev: &Positions,
    stats: &mut Stats,
) -> Result<Positions, String> {
    let base = match events.first() {
        Some(Event::Start(p)) => {
            if p != prev {
                return Err(format!(
                    "the mover started from {p:?}, but the previous check saw {prev:?}"
                ));
            }
            p.clone()
        }
        _ => {
            stats.killed_before_start += 1;
            prev.clone()
        }
    };
    let last_ack = events.iter().rev().find_map(|e| match e {
        Event::Ack(j) => Some(*j),
        _ => None,
    });
    let mut acked = base;
    let mut in_flight = None;
    for e in events {
        if let Event::Op(j, op) = e {
            stats.ops_started += 1;
            if matches!(op, Op::Exchange(..)) {
                stats.exchanges += 1;
            }
            if last_ack.is_some_and(|a| *j <= a) {
                op.apply(&mut acked);
            } else {
                in_flight = Some(*op);
            }
        }
    }
    stats.acked += last_ack.map_or(0, |a| a + 1);
    let after = in_flight.map(|op| {
        let mut s = acked.clone();
        op.apply(&mut s);
        s
    });
    let names = barcodes();
    let drives = library_drives(home);
    let mut lu = InProcess::new(build(home, "STK", "L700", &slot_list(&names), &drives));
    if !lu.lu().warnings().is_empty() {
        return Err(format!("warnings at restart: {:?}", lu.lu().warnings()));
    }
    let now = sorted_positions(&mut lu);
    let mut held: Vec<&String> = now.iter().map(|(_, b)| b).collect();
    held.sort();
    if held != names.iter().collect::<Vec<_>>() {
        return Err(format!(
            "cartridges lost or duplicated: {now:?} (in flight {in_flight:?})"
        ));
    }
    if now == acked {
        match in_flight {
            Some(_) => stats.in_flight_undone += 1,
            None => stats.killed_between += 1,
        }
    } else if after.as_ref() == Some(&now) {
        stats.in_flight_done += 1;
    } else {
        return Err(format!(
            "after restart {now:?}; after the last ACK ({last_ack:?}) {acked:?}; after the move in flight ({in_flight:?}) {after:?}"
        ));
    }
    // Reconciliation: each drive holds what the inventory says.
    let inv = lu.lu().inventory().clone();
    for (i, e) in inv.elements(ElementType::DataTransfer).iter().enumerate() {
        let held = drives[i].lock().unwrap().cartridge_barcode();
        if held.as_deref() != e.barcode() {
            return Err(format!(
                "drive {} holds {held:?}, the inventory says {:?}",
                i + 1,
                e.barcode()
            ));
        }
        stats.cartridges_in_drives += u64::from(held.is_some());
    }
    drop(lu);
    drop(drives);
    for pcl in &names {
        let dir = libvtlcart::home::cartridge_dir(home, pcl)
            .map_err(|e| format!("{pcl}: no cartridge directory: {e}"))?;
        Cartridge::open(&dir, &OpenOptionsCart::default())
            .map_err(|e| format!("{pcl} does not open: {e}"))?;
    }
    Ok(now)
}

/// The media home: in `$VTL_LIBRARY_KILL_DIR` when set, else on tmpfs when there is one.
fn scratch_home() -> tempfile::TempDir {
    if let Some(dir) = std::env::var_os(DIR_ENV) {
        return tempfile::Builder::new()
            .prefix("vtl-kill")
            .tempdir_in(dir)
            .unwrap();
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(d) = tempfile::Builder::new().prefix("vtl-kill").tempdir_in(shm)
    {
        return d;
    }
    tempfile::Builder::new()
        .prefix("vtl-kill")
        .tempdir()
        .unwrap()
}

#[test]
fn sigkill_during_moves() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let n: u64 = std::env::var(ITERATIONS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ITERATIONS);
    let base: u64 = std::env::var(SEED_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("kill harness: {n} iterations, {SEED_ENV}={base}");
    let home = scratch_home();
    let names = barcodes();
    for (i, pcl) in names.iter().enumerate() {
        let format = if i % 2 == 0 {
            Format::Legacy
        } else {
            Format::V6
        };
        cart(home.path(), pcl, format, MediumType::Data, "LTO8");
    }
    // The starting inventory: library_contents.
    let mut prev: Positions = {
        let drives = library_drives(home.path());
        let mut lu = InProcess::new(build(
            home.path(),
            "STK",
            "L700",
            &slot_list(&names),
            &drives,
        ));
        sorted_positions(&mut lu)
    };
    let mut stats = Stats::default();
    let started = Instant::now();
    for i in 0..n {
        stats.iterations += 1;
        let seed = SplitMix(base ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D)).next_u64();
        let mut timing = SplitMix(seed ^ 0x5EED_C0FF_EE00);
        // One iteration in six is killed by time alone, most often while the library
        // starts (reloading drives, writing its state file).
        let (ops, delay) = if timing.below(6) == 0 {
            (0, timing.below(20_000))
        } else {
            (timing.below(MAX_OPS_BEFORE_KILL) + 1, timing.below(3_000))
        };
        let result = run_child(home.path(), seed, ops, delay)
            .and_then(|events| check(home.path(), &events, &prev, &mut stats));
        match result {
            Ok(now) => prev = now,
            Err(msg) => {
                let kept = home.keep();
                panic!(
                    "iteration {i} (mover seed {seed}, killed after {ops} commands + {delay} µs): {msg}\nmedia home left in {}",
                    kept.display()
                );
            }
        }
    }
    let s = &stats;
    eprintln!(
        "kill harness: {} iterations in {:.1} s: {} commands started ({} EXCHANGE MEDIUM), {} acknowledged",
        s.iterations,
        started.elapsed().as_secs_f64(),
        s.ops_started,
        s.exchanges,
        s.acked
    );
    eprintln!(
        "  killed while starting: {}; between commands: {}; in flight and completed: {}; in flight and not done: {}; cartridges found in drives after restart: {}",
        s.killed_before_start,
        s.killed_between,
        s.in_flight_done,
        s.in_flight_undone,
        s.cartridges_in_drives
    );
    assert!(s.acked > 0, "no command was ever acknowledged");
}
