//! `mktape --library-contents`: mhvtl's make_vtl_media (spec 2.5) as a mode of mktape.
//!
//! Every cartridge the `library_contents.<id>` files of the configuration directory name
//! (all libraries of device.conf, or the `-l` ones), in slots, picker and MAP elements, is
//! created in its library's media home (`-H` puts them all in one home), with the density
//! and medium type [`vtl_config::media_to_create`] tells from the barcode, `-s` MiB each
//! ([`DEFAULT_SIZE_MB`] when not given: mhvtl.conf's `CAPACITY` default; `-s 0` is the
//! density's native capacity in v6, 8000 MiB in legacy).
//!
//! Every barcode is checked before anything is created: one whose media cannot be told
//! fails the run (exit 1) naming the file, the element and the barcode. A cartridge that
//! exists is left alone and reported as such (`--force` replaces it, as make_vtl_media's
//! `-f`). `--dry-run` lists what would be done and creates nothing.

use std::collections::HashSet;
use std::path::PathBuf;

use libvtlcart::{CartError, home};
use vtl_config::{ConfigError, DeviceConf, LibraryContents, media_to_create};

use crate::cli::Cli;
use crate::{Failure, NewCartridge, arg_err, capacity, create_one, ensure_home, format_of};

/// Capacity in MiB of each cartridge when `-s` is not given (mhvtl.conf `CAPACITY`'s
/// default, spec 3.3).
pub(crate) const DEFAULT_SIZE_MB: u64 = 500;

/// Run the mode; the JSON document: `created`, `existing` (each with library, element,
/// pcl, path, density, medium_type, capacity) and `dry_run`.
pub(crate) fn run(cli: &Cli) -> Result<serde_json::Value, Failure> {
    let conf_dir = home::config_dir(cli.config_dir.as_deref());
    let (conf, _) = DeviceConf::read(&conf_dir).map_err(|e| arg_err(e.to_string()))?;
    let ids: Vec<u32> = if cli.library.is_empty() {
        conf.libraries.iter().map(|l| l.id).collect()
    } else {
        for id in &cli.library {
            if conf.library(*id).is_none() {
                return Err(arg_err(format!(
                    "-l {id}: {} has no 'Library: {id}' stanza",
                    conf_dir.join("device.conf").display()
                )));
            }
        }
        cli.library.clone()
    };
    // Plan everything first: a barcode without media stops the run before anything is made.
    let mut plan = Vec::new();
    for id in ids {
        let (lc, _) = LibraryContents::read(&conf_dir, id).map_err(|e| arg_err(e.to_string()))?;
        let media = media_to_create(&lc, &conf).map_err(|e| match e {
            ConfigError::UnknownMedia {
                file,
                element,
                barcode,
                why,
            } => arg_err(format!(
                "{}: {element}: barcode {barcode}: {why}; nothing was created",
                conf_dir.join(file).display()
            )),
            e => arg_err(e.to_string()),
        })?;
        plan.extend(media);
    }
    let size_mb = cli.size_mb.unwrap_or(DEFAULT_SIZE_MB);
    let format = format_of(cli.format);
    let verbose = (cli.verbose > 0 || cli.debug.is_some()) && !cli.json;
    let epoch = libvtlcart::source_date_epoch();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let (mut created, mut existing) = (Vec::new(), Vec::new());
    for m in &plan {
        let home = cli.home.clone().unwrap_or_else(|| m.home.clone());
        let pcl = m.barcode.as_str();
        let cap = capacity(size_mb, cli.format, m.density)?;
        let dir = home::cartridge_dir(&home, pcl).map_err(|e| arg_err(e.to_string()))?;
        let entry = serde_json::json!({
            "library": m.library,
            "element": m.element,
            "pcl": pcl,
            "path": dir,
            "format": format.name(),
            "density": m.density.name,
            "medium_type": m.medium_type.name(),
            "capacity": cap,
        });
        let what = format!(
            "{pcl} ({}, {}, {} MiB) in {} [library {}, {}]",
            m.density.name,
            m.medium_type.name(),
            cap >> 20,
            home.display(),
            m.library,
            m.element
        );
        // A cartridge two elements (or two libraries sharing a home) name is made once.
        let listed_twice = !seen.insert(dir.clone());
        let exists = listed_twice || std::fs::symlink_metadata(&dir).is_ok();
        let replace = cli.force && !listed_twice;
        if exists && !replace {
            if !cli.json {
                println!("Exists, skipped: {what}");
            }
            existing.push(entry);
            continue;
        }
        if cli.dry_run {
            if !cli.json {
                let verb = if exists { "replace" } else { "create" };
                println!("Would {verb}: {what}");
            }
            created.push(entry);
            continue;
        }
        ensure_home(&home, verbose)?;
        let c = NewCartridge {
            home: &home,
            pcl,
            density: m.density,
            medium_type: m.medium_type,
            capacity: cap,
            format,
            force: cli.force,
            epoch,
        };
        create_one(&c, verbose).map_err(|e| Failure {
            code: 2,
            msg: match e {
                CartError::Exists { .. } => format!("{e} (use --force to replace it)"),
                e => format!("{pcl}: {e}"),
            },
        })?;
        if !cli.json {
            println!("Created: {what}");
        }
        created.push(entry);
    }
    if !cli.json {
        let verb = if cli.dry_run { "to create" } else { "created" };
        println!(
            "{} cartridges {verb}, {} already there",
            created.len(),
            existing.len()
        );
    }
    Ok(serde_json::json!({
        "created": created,
        "existing": existing,
        "dry_run": cli.dry_run,
    }))
}
