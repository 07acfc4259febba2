//! `mktape --generate-config DIR`: mhvtl's generate_device_conf and
//! generate_library_contents (spec 2.5) as a mode of mktape.
//!
//! Writes `DIR/device.conf` ([`vtl_config::generate::generate_device_conf`], with the media
//! home `-H`/`--home`, default /opt/vtl) and one `DIR/library_contents.<id>` per library
//! ([`vtl_config::generate::generate_library_contents`]). Refuses (exit 2, nothing written)
//! when any of them exists, unless `--force`.
//!
//! `mktape --generate-config [DIR] -C CONFDIR` ([`contents_for`]): mhvtl's
//! generate_library_contents for a device.conf that exists (a custom one): one
//! `library_contents.<id>` per `Library:` stanza of `CONFDIR/device.conf` into DIR (default
//! CONFDIR), skipping (and reporting) those that exist unless `--force`.

use std::path::{Path, PathBuf};

use libvtlcart::home::DEFAULT_HOME;
use vtl_config::generate::{DeviceConfParams, generate_device_conf, generate_library_contents};
use vtl_config::{DeviceConf, LibraryContents};

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

/// The `-C` mode (module documentation): read `conf_dir/device.conf`, write the missing
/// `library_contents.<id>` into `dest`. The JSON document: `written` and `kept` (paths),
/// `config` (the device.conf read).
///
/// Errors: device.conf unreadable or invalid (exit 1, naming file, line and key); `dest`
/// or a file cannot be written (exit 2).
pub(crate) fn contents_for(
    cli: &Cli,
    conf_dir: &Path,
    dest: &Path,
) -> Result<serde_json::Value, Failure> {
    let (conf, warnings) = DeviceConf::read(conf_dir).map_err(|e| crate::arg_err(e.to_string()))?;
    for w in &warnings {
        eprintln!("mktape: warning: {w}");
    }
    let conf_file = conf_dir.join("device.conf");
    if conf.libraries.is_empty() {
        return Err(crate::arg_err(format!(
            "{}: no Library: stanza; nothing to write",
            conf_file.display()
        )));
    }
    let fail = |msg: String| Failure { code: 2, msg };
    std::fs::create_dir_all(dest).map_err(|e| fail(format!("{}: {e}", dest.display())))?;
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for lib in &conf.libraries {
        let path = dest.join(LibraryContents::file_name(lib.id));
        if !cli.force && std::fs::symlink_metadata(&path).is_ok() {
            if !cli.json {
                println!("Kept {} (it exists; --force overwrites it)", path.display());
            }
            kept.push(path);
            continue;
        }
        let lc = generate_library_contents(lib.id, &conf);
        std::fs::write(&path, lc.to_string())
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
        if !cli.json {
            println!("Wrote {}", path.display());
        }
        written.push(path);
    }
    Ok(serde_json::json!({
        "written": written,
        "kept": kept,
        "config": conf_file,
    }))
}
