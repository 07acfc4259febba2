//! Shared helpers for the integration tests: where the mhvtl fixtures are.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/fixtures/mhvtl` beside the workspace (or `$VTL_FIXTURES`), if present.
///
/// When absent the calling test prints that it was skipped and returns; with `CI=true` the
/// absence is a failure (the fixtures must be there in CI).
pub fn fixtures() -> Option<PathBuf> {
    let p = match std::env::var_os("VTL_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/mhvtl"),
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
        "SKIPPED: mhvtl fixtures not found at {} (tests that need ../shared were skipped)",
        p.display()
    );
    None
}

/// The parsed manifest.json.
pub fn manifest(root: &std::path::Path) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("parse manifest.json")
}
