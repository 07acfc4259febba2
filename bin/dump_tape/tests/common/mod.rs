//! Shared helpers for dump_tape's integration tests: fixtures, running the binary, copies.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/fixtures/mhvtl` beside the workspace (or `$VTL_FIXTURES`), if present.
///
/// When absent the calling test prints that it was skipped and returns; with `CI=true` the
/// absence is a failure.
pub fn fixtures() -> Option<PathBuf> {
    let p = match std::env::var_os("VTL_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/mhvtl"),
    };
    if p.join("manifest.json").is_file() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "fixtures not found at {} and CI=true: ../shared must be beside the clone",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: mhvtl fixtures not found at {} (set VTL_FIXTURES)",
        p.display()
    );
    None
}

/// The parsed manifest.json.
pub fn manifest(root: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("parse manifest.json")
}

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

/// Copy the cartridge directory `src` into `parent` (same name) and make the copy writable
/// (fixture files are read-only). Returns the copy's path.
pub fn copy_tape(src: &Path, parent: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dst = parent.join(src.file_name().unwrap());
    std::fs::create_dir_all(&dst).unwrap();
    std::fs::set_permissions(&dst, std::fs::Permissions::from_mode(0o755)).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        std::fs::copy(e.path(), &to).unwrap();
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    dst
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

/// Every file of a directory with its contents (to prove a run changed nothing).
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}
