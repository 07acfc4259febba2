//! `mktape --generate-config DIR`: mhvtl's generate_device_conf and
//! generate_library_contents (spec 2.5) as a mode of mktape.
//!
//! Writes `DIR/device.conf` ([`vtl_config::generate::generate_device_conf`], with the media
//! home `-H`/`--home`, default /opt/vtl) and one `DIR/library_contents.<id>` per library
//! ([`vtl_config::generate::generate_library_contents`]). Refuses (exit 2, nothing written)
//! when any of them exists, unless `--force`.

use std::path::{Path, PathBuf};

use libvtlcart::home::DEFAULT_HOME;
use vtl_config::LibraryContents;
use vtl_config::generate::{DeviceConfParams, generate_device_conf, generate_library_contents};

use crate::Failure;
use crate::cli::Cli;

/// Run the mode; the JSON document: `written` (the paths) and `home`.
pub(crate) fn run(cli: &Cli, dir: &Path) -> Result<serde_json::Value, Failure> {
    let home = cli
        .home
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_HOME));
    let conf = generate_device_conf(&DeviceConfParams { home: home.clone() });
    let mut files = vec![(dir.join("device.conf"), conf.to_string())];
    for lib in &conf.libraries {
        let lc = generate_library_contents(lib.id, &conf);
        files.push((dir.join(LibraryContents::file_name(lib.id)), lc.to_string()));
    }
    let fail = |msg: String| Failure { code: 2, msg };
    if !cli.force {
        let present: Vec<String> = files
            .iter()
            .filter(|(p, _)| std::fs::symlink_metadata(p).is_ok())
            .map(|(p, _)| p.display().to_string())
            .collect();
        if !present.is_empty() {
            return Err(fail(format!(
                "{} already exist{} (use --force to overwrite); nothing was written",
                present.join(", "),
                if present.len() == 1 { "s" } else { "" }
            )));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    for (path, text) in &files {
        std::fs::write(path, text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
        if !cli.json {
            println!("Wrote {}", path.display());
        }
    }
    Ok(serde_json::json!({
        "written": files.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        "home": home,
    }))
}
