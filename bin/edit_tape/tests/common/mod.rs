//! Shared helpers for edit_tape's integration tests: fixtures, making cartridges, running
//! the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use libvtlcart::{Cartridge, Compression, Format, Mam, MediumType, OpenOptionsCart};

#[allow(unused_imports)]
pub use libvtlcart::testing::fixtures;

/// Make a cartridge `home/pcl` as `mktape -s MB -t TYPE -d DENSITY [--format v6]` does, with
/// SOURCE_DATE_EPOCH=1700000000. Returns its directory.
pub fn make(home: &Path, pcl: &str, mb: u64, ty: MediumType, density: &str, v6: bool) -> PathBuf {
    let format = if v6 { Format::V6 } else { Format::Legacy };
    libvtlcart::testing::make_cartridge(home, pcl, format, ty, density, mb << 20)
}

/// Write `blocks` uncompressed blocks of `size` bytes and a filemark, as a drive would.
pub fn write_blocks(dir: &Path, blocks: usize, size: usize) {
    let mut c = Cartridge::open(
        dir,
        &OpenOptionsCart {
            write: true,
            count_load: true,
            ..Default::default()
        },
    )
    .unwrap();
    let data = vec![0x5a; size];
    for _ in 0..blocks {
        c.write_block(&data, Compression::None, None).unwrap();
    }
    c.write_filemarks(1).unwrap();
    c.unload().unwrap();
}

/// The MAM as read back from disk.
pub fn mam(dir: &Path) -> Mam {
    Cartridge::open(dir, &OpenOptionsCart::default())
        .unwrap()
        .mam()
        .clone()
}

/// What one run of edit_tape did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Run edit_tape with `args`, with a configuration directory that does not exist (so no real
/// /etc/vtl is ever read by accident).
pub fn edit_tape<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    edit_tape_env(args, "/nonexistent/vtl-test-config")
}

/// Run edit_tape with `args` and `VTL_CONFIG_DIR=conf`.
pub fn edit_tape_env<I, S>(args: I, conf: impl AsRef<std::ffi::OsStr>) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_edit_tape"))
        .args(args)
        .env("VTL_CONFIG_DIR", conf)
        .output()
        .expect("run edit_tape");
    Run {
        code: out.status.code().expect("exit code (not a signal)"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Assert a run succeeded, showing its stderr otherwise.
pub fn ok(r: &Run) {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
}
