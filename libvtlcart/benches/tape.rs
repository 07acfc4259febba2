//! Throughput of the tape handle against a plain file holding the same bytes.
//!
//! Run with `cargo bench -p libvtlcart --bench tape` (a quick smoke run, one iteration per
//! case: `cargo bench -p libvtlcart --bench tape -- --test`). What each group measures and
//! the results on the reference machine are in `docs/BENCHMARKS.md`.
//!
//! * `write_256KiB` / `write_4KiB`: 32 MiB in 256 KiB blocks / 8 MiB in 4 KiB blocks written
//!   from BOP (so every iteration first truncates the previous iteration's tape), stored raw,
//!   LZO or zlib level 1. `fsync` cases end with `write_filemarks(1)` (the durability point:
//!   data, index and meta are fsync'ed); the `plain_file` baseline truncates, writes the same
//!   buffers with `write_all` and ends with `sync_data`. `nosync` cases leave both out.
//! * `read_256KiB` / `read_4KiB`: the same volume read back block by block with
//!   `Cartridge::read` (index record, data, decompression, CRC-32C check), against `pread`s
//!   of the same block sizes from a plain file. The files were just written, so these reads
//!   come from the page cache: they measure the CPU cost of the format, not the disk.
//! * `cpu_256KiB`: the in-memory pieces (CRC-32C, compression, decompression) on the same
//!   32 MiB, to tell where the time of the two groups above goes.
//!
//! Speed goals live here, never in timed tests.
//!
//! The files go to a temporary directory under `$VTL_BENCH_DIR` when set, else the system
//! temporary directory (`/tmp`).

use std::fs::{File, OpenOptions};
use std::hint::black_box;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BenchmarkGroup, Criterion, SamplingMode, Throughput, measurement::WallTime};
use libvtlcart::compress::{self, crc32c};
use libvtlcart::{
    Cartridge, Compression, CreateSpec, Density, Format, Mam, MediumType, NewMam, Object,
    OpenOptionsCart,
};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;

/// Block size and bytes moved per iteration.
#[derive(Clone, Copy)]
struct Shape {
    label: &'static str,
    block: usize,
    total: usize,
}

const BIG: Shape = Shape {
    label: "256KiB",
    block: 256 * KIB,
    total: 32 * MIB,
};
const SMALL: Shape = Shape {
    label: "4KiB",
    block: 4 * KIB,
    total: 8 * MIB,
};

const CODECS: [(&str, Compression); 3] = [
    ("raw", Compression::None),
    ("lzo", Compression::Lzo),
    ("zlib1", Compression::Zlib(1)),
];

/// xorshift64: deterministic, no extra crate.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

const TEXT: &[u8] = b"2026-11-21T10:15:32.118Z backup-01 amandad[4121]: sendbackup: \
    start [backup-01:/srv/home level 1]\n\
    2026-11-21T10:15:32.406Z backup-01 amandad[4121]: index: /srv/home/alice/projects/vtl/\
    libvtlcart/src/cartridge.rs 44312 bytes mode 0644 uid 1000 gid 1000\n\
    fn write_block(&mut self, data: &[u8], comp: Compression) -> Result<WriteOutcome> {\n\
    \x20   let stored = compress(comp, data);\n    self.append_block(data, stored)\n}\n\
    <record id=\"000118\" status=\"ok\" size=\"262144\" checksum=\"e3069283\"/>\n";

/// `len` bytes of partly compressible data: segments of 64..512 bytes, 40% of them random
/// bytes (incompressible, like already-compressed files), the rest log/source-like text
/// copied from a random point of `TEXT` with a random decimal counter spliced in.
fn test_data(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = XorShift(seed);
    let mut out = Vec::with_capacity(len + 512);
    while out.len() < len {
        let r = rng.next();
        let seg = 64 + (r % 448) as usize;
        if (r >> 32) % 10 < 4 {
            for _ in 0..seg.div_ceil(8) {
                out.extend_from_slice(&rng.next().to_le_bytes());
            }
        } else {
            let mut start = (rng.next() % TEXT.len() as u64) as usize;
            let end = out.len() + seg;
            out.extend_from_slice(format!("{} ", rng.next() % 1_000_000).as_bytes());
            while out.len() < end {
                let n = (TEXT.len() - start).min(end - out.len());
                out.extend_from_slice(&TEXT[start..start + n]);
                start = 0;
            }
        }
    }
    out.truncate(len);
    out
}

fn blocks(data: &[u8], shape: Shape) -> std::slice::ChunksExact<'_, u8> {
    data[..shape.total].chunks_exact(shape.block)
}

/// A fresh cartridge in `dir` (v6 layout, 1 GiB, far above what an iteration writes).
fn new_cartridge(dir: &Path) -> PathBuf {
    let pcl = dir.file_name().unwrap().to_str().unwrap();
    let mam = Mam::new_cartridge(&NewMam {
        pcl,
        density: Density::lookup("LTO8").unwrap(),
        medium_type: MediumType::Data,
        capacity: 1 << 30,
        epoch: 1_700_000_000,
        v6: true,
        application_vendor: *b"vtl bnch",
    });
    Cartridge::create(
        dir,
        &CreateSpec {
            format: Format::V6,
            mam,
            force: true,
        },
    )
    .expect("create cartridge");
    dir.to_path_buf()
}

fn open_rw(dir: &Path) -> Cartridge {
    Cartridge::open(
        dir,
        &OpenOptionsCart {
            write: true,
            ..Default::default()
        },
    )
    .expect("open cartridge for writing")
}

fn plain_file(path: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .expect("create plain file")
}

/// A unique directory name that is also a valid 8-character PCL.
fn pcl(n: &mut u32) -> String {
    *n += 1;
    format!("B{:05}L8", *n)
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>, shape: Shape, measure: u64) {
    group
        .throughput(Throughput::Bytes(shape.total as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1000))
        .measurement_time(Duration::from_secs(measure));
}

fn bench_write(c: &mut Criterion, root: &Path, data: &[u8], shape: Shape, n: &mut u32) {
    let mut g = c.benchmark_group(format!("write_{}", shape.label));
    configure(&mut g, shape, 4);
    for fsync in [true, false] {
        let mode = if fsync { "fsync" } else { "nosync" };

        let path = root.join(format!("plain-write-{}-{mode}", shape.label));
        let mut file = None;
        g.bench_function(format!("plain_file/{mode}"), |b| {
            let f = file.get_or_insert_with(|| plain_file(&path));
            b.iter(|| {
                f.set_len(0).unwrap();
                f.seek(SeekFrom::Start(0)).unwrap();
                for blk in blocks(data, shape) {
                    f.write_all(blk).unwrap();
                }
                if fsync {
                    f.sync_data().unwrap();
                }
            })
        });

        for (name, comp) in CODECS {
            let dir = root.join(pcl(n));
            let mut tape = None;
            g.bench_function(format!("{name}/{mode}"), |b| {
                let t = tape.get_or_insert_with(|| open_rw(&new_cartridge(&dir)));
                b.iter(|| {
                    t.rewind();
                    for blk in blocks(data, shape) {
                        t.write_block(blk, comp, None).unwrap();
                    }
                    if fsync {
                        t.write_filemarks(1).unwrap();
                    }
                })
            });
        }
    }
    g.finish();
}

/// Read the tape from BOP to its first filemark, checking the byte count.
fn read_tape(t: &mut Cartridge, buf: &mut Vec<u8>, total: usize) {
    t.rewind();
    let mut got = 0;
    loop {
        match t.read(buf).unwrap() {
            Object::Data(_) => got += black_box(&buf).len(),
            Object::Filemark => break,
            Object::EndOfData => panic!("EOD before the filemark"),
        }
    }
    assert_eq!(got, total);
}

fn bench_read(c: &mut Criterion, root: &Path, data: &[u8], shape: Shape, n: &mut u32) {
    let mut g = c.benchmark_group(format!("read_{}", shape.label));
    configure(&mut g, shape, 2);

    let path = root.join(format!("plain-read-{}", shape.label));
    let mut file = None;
    g.bench_function("plain_file", |b| {
        let f = file.get_or_insert_with(|| {
            let mut f = plain_file(&path);
            f.write_all(&data[..shape.total]).unwrap();
            f.sync_data().unwrap();
            f
        });
        let mut buf = vec![0u8; shape.block];
        b.iter(|| {
            for i in 0..shape.total / shape.block {
                f.read_exact_at(&mut buf, (i * shape.block) as u64).unwrap();
                black_box(&buf);
            }
        })
    });

    for (name, comp) in CODECS {
        let dir = root.join(pcl(n));
        let mut tape = None;
        g.bench_function(name, |b| {
            let t = tape.get_or_insert_with(|| {
                let mut w = open_rw(&new_cartridge(&dir));
                for blk in blocks(data, shape) {
                    w.write_block(blk, comp, None).unwrap();
                }
                w.write_filemarks(1).unwrap();
                let stored = w.partition(0).unwrap().eod_data_offset();
                eprintln!(
                    "read_{}/{name}: {} bytes stored for {} ({:.2}:1)",
                    shape.label,
                    stored,
                    shape.total,
                    shape.total as f64 / stored as f64
                );
                w.unload().unwrap();
                let mut r = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
                // Check the contents once, outside the timed loop.
                let mut buf = Vec::new();
                for blk in blocks(data, shape) {
                    assert!(matches!(r.read(&mut buf).unwrap(), Object::Data(_)));
                    assert!(buf == blk, "block read back differs");
                }
                r
            });
            let mut buf = Vec::new();
            b.iter(|| read_tape(t, &mut buf, shape.total))
        });
    }
    g.finish();
}

fn bench_cpu(c: &mut Criterion, data: &[u8], shape: Shape) {
    let mut g = c.benchmark_group(format!("cpu_{}", shape.label));
    configure(&mut g, shape, 3);
    g.bench_function("crc32c", |b| {
        b.iter(|| {
            blocks(data, shape)
                .map(|blk| crc32c(blk) as u64)
                .sum::<u64>()
        })
    });
    for (name, comp) in &CODECS[1..] {
        let comp = *comp;
        let mut out = Vec::new();
        g.bench_function(format!("{name}/compress"), |b| {
            b.iter(|| {
                for blk in blocks(data, shape) {
                    compress::compress(comp, blk, &mut out);
                    black_box(&out);
                }
            })
        });
        let mut stored: Option<Vec<Vec<u8>>> = None;
        g.bench_function(format!("{name}/decompress"), |b| {
            let s = stored.get_or_insert_with(|| {
                blocks(data, shape)
                    .map(|blk| {
                        let mut v = Vec::new();
                        compress::compress(comp, blk, &mut v);
                        v
                    })
                    .collect()
            });
            let mut out = Vec::new();
            b.iter(|| {
                for blk in s.iter() {
                    compress::decompress(comp, blk, shape.block, &mut out).unwrap();
                    black_box(&out);
                }
            })
        });
    }
    g.finish();
}

fn main() {
    let mut c = Criterion::default().without_plots().configure_from_args();
    let base = std::env::var_os("VTL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let root = tempfile::Builder::new()
        .prefix("vtl-bench-")
        .tempdir_in(base)
        .expect("temporary directory");
    let data = test_data(BIG.total.max(SMALL.total), 0x5eed_7a9e_0000_0001);
    let mut n = 0;
    for shape in [BIG, SMALL] {
        bench_write(&mut c, root.path(), &data, shape, &mut n);
        bench_read(&mut c, root.path(), &data, shape, &mut n);
    }
    bench_cpu(&mut c, &data, BIG);
    c.final_summary();
}
