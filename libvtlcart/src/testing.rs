//! Helpers for the workspace's tests (feature `testing`): where the mhvtl fixtures are,
//! copies of fixture tapes, snapshots of a cartridge directory, and new cartridges made the
//! way mktape makes them.
//!
//! Not part of the stable API; enabled only by the test crates' dev-dependencies.

use std::path::{Path, PathBuf};

use crate::{Cartridge, CreateSpec, Density, Format, Mam, MediumType, NewMam};

/// `../shared/fixtures/mhvtl` beside the workspace (or `$VTL_FIXTURES`), if present.
///
/// When absent the calling test should print nothing more and return (this prints a
/// `SKIPPED` line); with `CI=true` the absence panics, because CI must have the fixtures.
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
        "SKIPPED: mhvtl fixtures not found at {} (tests that need ../shared were skipped; set VTL_FIXTURES)",
        p.display()
    );
    None
}

/// The fixtures' parsed `manifest.json`.
///
/// Panics when it cannot be read or parsed (a test helper).
pub fn manifest(root: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("parse manifest.json")
}

/// Copy the cartridge directory `src` into `parent/<same name>` with writable files
/// (fixture files are read-only), returning the copy's path.
pub fn copy_tape(src: &Path, parent: &Path) -> PathBuf {
    let dst = parent.join(src.file_name().expect("cartridge directory name"));
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        std::fs::copy(e.path(), &to).unwrap();
        let mut p = std::fs::metadata(&to).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        std::fs::set_permissions(&to, p).unwrap();
    }
    dst
}

/// Every file of a directory with its contents, sorted by name (to prove a run changed
/// nothing).
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

/// Make the cartridge `home/pcl` as `mktape -s … -t … -d DENSITY [--format v6]` does with
/// `SOURCE_DATE_EPOCH=1700000000` (`capacity` in bytes). Returns its directory.
pub fn make_cartridge(
    home: &Path,
    pcl: &str,
    format: Format,
    medium_type: MediumType,
    density: &str,
    capacity: u64,
) -> PathBuf {
    std::fs::create_dir_all(home).unwrap();
    let dir = home.join(pcl);
    let mam = Mam::new_cartridge(&NewMam {
        pcl,
        density: Density::lookup(density).expect("known density"),
        medium_type,
        capacity,
        epoch: 1_700_000_000,
        v6: format == Format::V6,
        application_vendor: crate::application_vendor(),
    });
    Cartridge::create(
        &dir,
        &CreateSpec {
            format,
            mam,
            force: false,
        },
    )
    .unwrap();
    dir
}
