//! preload_tape against `cp` of the same file on the same file system.
//!
//! `cp` (coreutils, which copies inside the kernel with `copy_file_range`) is the physical
//! limit for moving a file's bytes into another file here. preload_tape must in addition cut
//! blocks, CRC and compress them, write an index and a filemark list, and make everything
//! durable at the filemark (fsync). So two baselines are timed: `cp` alone, and `cp` followed
//! by `sync FILE` (the same durability as the preload).
//!
//! Cases: 256 KiB blocks on a 256 MiB file and 4 KiB blocks on a 64 MiB file, NONE / LZO /
//! ZLIB (level 1), with the default number of compression workers (one per core); then LZO
//! and ZLIB at 256 KiB with a single worker, to show the scaling. The input is semi-compressible (text-like runs mixed with noise; LZO
//! stores about half of it). The library function [`preload_tape::preload`] is called
//! directly (the binary adds only argument parsing), writing from BOT each time, as `cp`
//! truncates its destination each time. Files live under `$VTL_BENCH_DIR`, else under
//! `target/bench-preload` (the same file system as the build), and stay in the page cache.
//!
//! `cargo bench --bench preload_vs_cp -- --test` runs every case once on 4 MiB files.
//! Results and their discussion: docs/BENCHMARKS.md, "preload_tape vs cp".

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use libvtlcart::{Cartridge, Compression, CreateSpec, Density, Format, Mam, MediumType, NewMam};
use preload_tape::{Input, PreloadOptions, WriteSpec, default_threads};

/// Semi-compressible bytes: text-like words and 8-byte xorshift noise.
fn make_input(path: &Path, len: usize) {
    let words: [&[u8]; 8] = [
        b"backup ",
        b"tape ",
        b"block ",
        b"filemark ",
        b"library ",
        b"/var/lib/",
        b"2024-06-01 ",
        b"\n",
    ];
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut v = Vec::with_capacity(len + 16);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if x.is_multiple_of(3) {
            v.extend_from_slice(&x.to_le_bytes());
        } else {
            v.extend_from_slice(words[(x >> 8) as usize % words.len()]);
        }
    }
    v.truncate(len);
    std::fs::write(path, v).expect("write bench input");
}

fn make_cart(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    let mam = Mam::new_cartridge(&NewMam {
        pcl: "BENCH1L8",
        density: Density::lookup("LTO8").expect("LTO8"),
        medium_type: MediumType::Data,
        capacity: 8 << 30,
        epoch: 1_700_000_000,
        v6: false,
        application_vendor: *b"vtl 0.1 ",
    });
    Cartridge::create(
        dir,
        &CreateSpec {
            format: Format::Legacy,
            mam,
            force: true,
        },
    )
    .expect("create bench cartridge");
}

fn run(cmd: &mut Command) {
    let st = cmd.status().expect("spawn");
    assert!(st.success(), "{cmd:?}: {st}");
}

/// One preload of `src` onto `cart` from BOT, checked.
fn preload_once(cart: &Path, src: &Path, spec: &WriteSpec, size: usize) {
    let input = Input::file(src).expect("input");
    let r = preload_tape::preload(
        cart,
        vec![input],
        spec,
        &PreloadOptions::default(),
        &mut |_| {},
    )
    .expect("preload");
    assert!(r.write.stop.is_none() && r.unload_error.is_none());
    assert_eq!(r.bytes_in(), size as u64);
}

/// `$VTL_BENCH_DIR` when set (to measure another file system), else `target/bench-preload`.
fn bench_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("VTL_BENCH_DIR") {
        return PathBuf::from(d);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("bench-preload")
}

fn main() {
    let test_mode = std::env::args().any(|a| a == "--test");
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(4));
    let root = bench_dir();
    std::fs::create_dir_all(&root).expect("bench dir");
    let work = tempfile::tempdir_in(&root).expect("bench temp dir");
    let cart = work.path().join("BENCH1L8");
    make_cart(&cart);
    let threads = default_threads();
    eprintln!(
        "preload_vs_cp: {} cores, {threads} compression workers, files in {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        work.path().display()
    );
    let cases: [(usize, usize, &str); 2] = if test_mode {
        [(262_144, 4 << 20, "256K"), (4096, 4 << 20, "4K")]
    } else {
        [(262_144, 256 << 20, "256K"), (4096, 64 << 20, "4K")]
    };
    for (bs, size, label) in cases {
        let src = work.path().join(format!("input-{label}"));
        let dst = work.path().join(format!("copy-{label}"));
        make_input(&src, size);
        let mut g = c.benchmark_group(format!("preload_vs_cp/{label}"));
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_function("cp", |b| {
            b.iter(|| run(Command::new("cp").arg(&src).arg(&dst)))
        });
        g.bench_function("cp+sync", |b| {
            b.iter(|| {
                run(Command::new("cp").arg(&src).arg(&dst));
                run(Command::new("sync").arg(&dst));
            })
        });
        for (name, comp) in [
            ("NONE", Compression::None),
            ("LZO", Compression::Lzo),
            ("ZLIB", Compression::Zlib(1)),
        ] {
            let spec = WriteSpec {
                block_size: bs,
                compression: comp,
                threads,
            };
            g.bench_with_input(BenchmarkId::new("preload", name), &spec, |b, spec| {
                b.iter(|| preload_once(&cart, &src, spec, size))
            });
        }
        g.finish();
        let _ = std::fs::remove_file(&dst);
        if bs == 262_144 && threads > 1 {
            // Scaling: the same compressed cases with a single worker.
            let mut g = c.benchmark_group(format!("preload_vs_cp/{label}/1-worker"));
            g.throughput(Throughput::Bytes(size as u64));
            for (name, comp) in [("LZO", Compression::Lzo), ("ZLIB", Compression::Zlib(1))] {
                let spec = WriteSpec {
                    block_size: bs,
                    compression: comp,
                    threads: 1,
                };
                g.bench_with_input(BenchmarkId::new("preload", name), &spec, |b, spec| {
                    b.iter(|| preload_once(&cart, &src, spec, size))
                });
            }
            g.finish();
        }
    }
    c.final_summary();
}
