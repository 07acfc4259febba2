//! Shared helpers for preload_tape's integration tests: fixtures, fresh cartridges, running
//! the binary, reading tape files back through libvtlcart.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use libvtlcart::tape_file::{tape_file_blocks, tape_file_count};
use libvtlcart::{Cartridge, Format, MediumType, Object, OpenOptionsCart};

#[allow(unused_imports)]
pub use libvtlcart::testing::{fixtures, snapshot};

/// Make a fresh LTO8 cartridge `home/pcl` as mktape does (epoch 1700000000).
pub fn make_cart(
    home: &Path,
    pcl: &str,
    format: Format,
    medium: MediumType,
    capacity: u64,
) -> PathBuf {
    libvtlcart::testing::make_cartridge(home, pcl, format, medium, "LTO8", capacity)
}

/// What one run of preload_tape did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The `--json` document on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

/// Run preload_tape with `args` and `stdin` bytes on standard input (none: /dev/null), with a
/// configuration directory that does not exist (no real /etc/vtl is ever read).
pub fn preload<I, S>(args: I, stdin: Option<&[u8]>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_preload_tape"));
    cmd.args(args)
        .env("VTL_CONFIG_DIR", "/nonexistent/vtl-test-config")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = cmd.spawn().expect("run preload_tape");
    let writer = stdin.map(|bytes| {
        let mut sin = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        // preload_tape may stop reading early (early warning): ignore the broken pipe.
        std::thread::spawn(move || {
            let _ = sin.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().expect("wait for preload_tape");
    if let Some(w) = writer {
        w.join().unwrap();
    }
    Run {
        code: out.status.code().expect("exit code (not a signal)"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The payload of every tape file of partition 0, and whether each ends with a filemark,
/// read through libvtlcart (decompression and CRC checked).
pub fn tape_files(dir: &Path) -> Vec<Vec<u8>> {
    let c = Cartridge::open(dir, &OpenOptionsCart::default()).unwrap();
    let p = c.partition(0).unwrap();
    let (fms, eod) = (p.filemarks().to_vec(), p.eod());
    let mut out = Vec::new();
    let mut buf = Vec::new();
    for n in 0..tape_file_count(&fms, eod) {
        let mut file = Vec::new();
        for b in tape_file_blocks(&fms, eod, n).unwrap() {
            match c.read_at(0, b, &mut buf).unwrap() {
                Object::Data(_) => file.extend_from_slice(&buf),
                o => panic!("block {b}: {o:?}"),
            }
        }
        out.push(file);
    }
    out
}

/// Block sizes (uncompressed) of every data block of partition 0, filemarks as `None`.
pub fn objects(dir: &Path) -> Vec<Option<u32>> {
    let c = Cartridge::open(dir, &OpenOptionsCart::default()).unwrap();
    let eod = c.partition(0).unwrap().eod();
    (0..eod)
        .map(|b| {
            let r = c.record(0, b).unwrap();
            (r.blk_type.get() == 11).then(|| r.blk_size.get())
        })
        .collect()
}

/// Deterministic test bytes: a mix of text-like runs (compressible) and xorshift noise.
pub fn bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let words: [&[u8]; 6] = [b"tape ", b"block ", b"filemark ", b"vtl ", b"mhvtl ", b"\n"];
    let mut v = Vec::with_capacity(len + 16);
    while v.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if x.is_multiple_of(4) {
            v.extend_from_slice(&x.to_le_bytes());
        } else {
            v.extend_from_slice(words[(x >> 8) as usize % words.len()]);
        }
    }
    v.truncate(len);
    v
}

/// The dump_tape binary of the same build, when it has been built.
pub fn dump_tape_bin() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/<test> -> target/<profile>/dump_tape
    let p = exe.parent()?.parent()?.join("dump_tape");
    p.is_file().then_some(p)
}
