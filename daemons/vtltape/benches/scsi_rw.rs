//! SCSI layer overhead: WRITE(6) and READ(6) in variable block mode through
//! `InProcess<TapeDrive>` (CDB parsing, admission, sense, data-in buffer) against the same
//! blocks written and read with libvtlcart's `Cartridge::write_block` / `read` directly, on a
//! cartridge in a temporary directory, no compression. Throughput in bytes per second.
//!
//! Writes rewind every `WRAP_BYTES` so the data file stays small (a write at BOP truncates);
//! reads go over a prefilled cartridge and rewind at the filemark that ends it.

use std::hint::black_box;
use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use libvtlcart::testing::make_cartridge;
use libvtlcart::{Cartridge, Compression, Format, MediumType, Object, OpenOptionsCart};
use vtl_scsi::{InProcess, Status};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

/// Bytes written before the benchmark rewinds (and so truncates) the tape.
const WRAP_BYTES: usize = 64 << 20;
/// Block sizes measured.
const SIZES: [(usize, &str); 2] = [(256 << 10, "256KiB"), (4 << 10, "4KiB")];

fn cdb6(op: u8, len: usize) -> [u8; 6] {
    let l = (len as u32).to_be_bytes();
    [op, 0, l[1], l[2], l[3], 0]
}

/// A cartridge `B00001L8` in `home` (v6, 4 GiB so early warning is never reached).
fn cartridge(home: &Path) -> std::path::PathBuf {
    make_cartridge(
        home,
        "B00001L8",
        Format::V6,
        MediumType::Data,
        "LTO8",
        4 << 30,
    )
}

/// An LTO-8 drive with the cartridge loaded and the unit attentions consumed.
fn drive(home: &Path) -> InProcess<TapeDrive> {
    let mut t = InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }));
    t.lu().load_barcode("B00001L8").unwrap();
    while !t.command(1, &[0; 6], &[], 0).is_good() {}
    t
}

fn direct(dir: &Path) -> Cartridge {
    Cartridge::open(
        dir,
        &OpenOptionsCart {
            write: true,
            count_load: false,
            recover: false,
        },
    )
    .unwrap()
}

fn block(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 + i / 7) as u8).collect()
}

fn write(c: &mut Criterion) {
    let mut g = c.benchmark_group("write6_variable");
    for (len, name) in SIZES {
        let data = block(len);
        let wrap = WRAP_BYTES / len;
        g.throughput(Throughput::Bytes(len as u64));

        let home = tempfile::tempdir().unwrap();
        cartridge(home.path());
        let mut t = drive(home.path());
        let cdb = cdb6(0x0a, len);
        let mut buf = Vec::new();
        let mut n = 0;
        g.bench_function(BenchmarkId::new("scsi", name), |b| {
            b.iter(|| {
                if n == wrap {
                    t.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0);
                    n = 0;
                }
                let r = t.command_into(1, &cdb, black_box(&data), &mut buf);
                assert_eq!(r.status, Status::Good);
                n += 1;
            })
        });
        drop(t);

        let home = tempfile::tempdir().unwrap();
        let mut cart = direct(&cartridge(home.path()));
        let mut n = 0;
        g.bench_function(BenchmarkId::new("libvtlcart", name), |b| {
            b.iter(|| {
                if n == wrap {
                    cart.flush().unwrap();
                    cart.rewind();
                    n = 0;
                }
                cart.write_block(black_box(&data), Compression::None, None)
                    .unwrap();
                n += 1;
            })
        });
    }
    g.finish();
}

fn read(c: &mut Criterion) {
    let mut g = c.benchmark_group("read6_variable");
    for (len, name) in SIZES {
        let data = block(len);
        let blocks = (WRAP_BYTES / 4 / len).max(1);
        g.throughput(Throughput::Bytes(len as u64));

        let home = tempfile::tempdir().unwrap();
        let dir = cartridge(home.path());
        {
            let mut cart = direct(&dir);
            for _ in 0..blocks {
                cart.write_block(&data, Compression::None, None).unwrap();
            }
            cart.write_filemarks(1).unwrap();
            cart.unload().unwrap();
        }
        let mut t = drive(home.path());
        let cdb = cdb6(0x08, len);
        let mut buf = Vec::with_capacity(len);
        g.bench_function(BenchmarkId::new("scsi", name), |b| {
            b.iter(|| {
                let r = t.command_into(1, &cdb, &[], &mut buf);
                if r.status != Status::Good {
                    // The filemark after the last block: back to the start.
                    t.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0);
                    let r = t.command_into(1, &cdb, &[], &mut buf);
                    assert_eq!(r.status, Status::Good);
                }
                black_box(buf.len());
            })
        });
        t.lu().unload().unwrap();
        drop(t);

        let mut cart = direct(&dir);
        let mut buf = Vec::with_capacity(len);
        g.bench_function(BenchmarkId::new("libvtlcart", name), |b| {
            b.iter(|| {
                if !matches!(cart.read(&mut buf).unwrap(), Object::Data(_)) {
                    cart.rewind();
                    cart.read(&mut buf).unwrap();
                }
                black_box(buf.len());
            })
        });
    }
    g.finish();
}

criterion_group!(benches, write, read);
criterion_main!(benches);
