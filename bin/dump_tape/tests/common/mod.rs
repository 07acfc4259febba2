//! Shared helpers for dump_tape's integration tests: fixtures, running the binary, copies.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

#[allow(unused_imports)]
pub use libvtlcart::testing::{copy_tape, fixtures, manifest, snapshot};

/// What one run of dump_tape did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub raw_stdout: Vec<u8>,
}

/// Run dump_tape with `args`, with a configuration directory that does not exist (so no
/// real /etc/vtl is ever read by accident).
pub fn dump_tape<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_dump_tape"))
        .args(args)
        .env("VTL_CONFIG_DIR", "/nonexistent/vtl-test-config")
        .output()
        .expect("run dump_tape");
    Run {
        code: out.status.code().expect("exit code (not a signal)"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw_stdout: out.stdout,
    }
}

/// Set the size of `path`.
pub fn truncate(path: &Path, len: u64) {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}
