//! mktape: create virtual tape cartridges.
//!
//! mhvtl's command line (`-l LIB -m PCL -s MB -t TYPE -d DENSITY [-C DIR] [-H HOME] [-v]
//! [-V] [-D[N]]`, spec section 2.1) plus: several `-m` (and `FIRST..LAST` ranges) in one
//! call, `--format legacy|v6`, `--json`, `--force`; and two modes standing for mhvtl's
//! scripts (spec 2.5): `--library-contents` (make_vtl_media, module [`contents`]) and
//! `--generate-config DIR` (generate_device_conf and generate_library_contents, module
//! [`generate`]; with `-C CONFDIR`, library_contents for an existing device.conf).
//!
//! Exit status: 0 every cartridge was made; 1 argument error (including an unknown density
//! or barcode); 2 a directory or file could not be created, or a cartridge already exists
//! and `--force` was not given.

mod cli;
mod contents;
mod generate;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::FromArgMatches;
use cli::{Cli, FormatArg};
use libvtlcart::{
    CartError, Cartridge, CreateSpec, Density, Format, Mam, MediumType, NewMam, expand_range, home,
    validate_pcl,
};

/// A failure with the exit status it maps to.
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) msg: String,
}

pub(crate) fn arg_err(msg: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        msg: msg.into(),
    }
}

fn resolve_home(cli: &Cli) -> Result<PathBuf, Failure> {
    if let Some(h) = &cli.home {
        return Ok(h.clone());
    }
    let lib = match cli.library[..] {
        [] => {
            return Err(arg_err(
                "-l LIB is required (or give the media home with -H HOME)",
            ));
        }
        [lib] => lib,
        _ => {
            return Err(arg_err(
                "-l may be given once (except with --library-contents)",
            ));
        }
    };
    if lib == 0 {
        return Err(arg_err("-l: the library number must be a non-zero integer"));
    }
    let conf = home::config_dir(cli.config_dir.as_deref());
    home::library_home(&conf, lib).map_err(|e| {
        arg_err(format!(
            "{e} (give the media home with -H HOME, or the configuration directory with -C)"
        ))
    })
}

/// The capacity in bytes of a cartridge of density `d`: `size_mb` MiB, or for 0 the
/// density's native capacity (v6) or 8000 MiB (legacy, as mhvtl 1.7).
pub(crate) fn capacity(size_mb: u64, format: FormatArg, d: &Density) -> Result<u64, Failure> {
    if size_mb == 0 {
        return Ok(match format {
            FormatArg::V6 => d.native_bytes,
            FormatArg::Legacy => 8000 << 20,
        });
    }
    size_mb
        .checked_mul(1 << 20)
        .ok_or_else(|| arg_err(format!("-s {size_mb}: capacity too large")))
}

pub(crate) fn format_of(f: FormatArg) -> Format {
    match f {
        FormatArg::Legacy => Format::Legacy,
        FormatArg::V6 => Format::V6,
    }
}

/// Create the media home `home` if it does not exist.
pub(crate) fn ensure_home(home: &Path, verbose: bool) -> Result<(), Failure> {
    if !home.is_dir() {
        std::fs::create_dir_all(home).map_err(|e| Failure {
            code: 2,
            msg: format!("{}: cannot create media home: {e}", home.display()),
        })?;
        if verbose {
            println!("Created media home directory: {}", home.display());
        }
    }
    Ok(())
}

/// One cartridge to make.
pub(crate) struct NewCartridge<'a> {
    pub(crate) home: &'a Path,
    pub(crate) pcl: &'a str,
    pub(crate) density: &'static Density,
    pub(crate) medium_type: MediumType,
    pub(crate) capacity: u64,
    pub(crate) format: Format,
    pub(crate) force: bool,
    pub(crate) epoch: u64,
}

/// Make one cartridge; returns its JSON description. `Err` with code 2 and
/// [`CartError::Exists`] in the message when it exists and `force` is false.
pub(crate) fn create_one(
    c: &NewCartridge<'_>,
    verbose: bool,
) -> Result<serde_json::Value, CartError> {
    let dir = c.home.join(c.pcl);
    let mam = Mam::new_cartridge(&NewMam {
        pcl: c.pcl,
        density: c.density,
        medium_type: c.medium_type,
        capacity: c.capacity,
        epoch: c.epoch,
        v6: c.format == Format::V6,
        application_vendor: libvtlcart::application_vendor(),
    });
    Cartridge::create(
        &dir,
        &CreateSpec {
            format: c.format,
            mam,
            force: c.force,
        },
    )?;
    let files = created_files(&dir, c.format);
    if verbose {
        println!("Creating new media directory: {}", dir.display());
        for f in &files {
            println!("Creating new media file: {}", dir.join(f).display());
        }
    }
    Ok(serde_json::json!({
        "pcl": c.pcl,
        "path": dir,
        "format": c.format.name(),
        "density": c.density.name,
        "medium_type": c.medium_type.name(),
        "capacity": c.capacity,
        "files": files,
    }))
}

fn run(cli: &Cli) -> Result<serde_json::Value, Failure> {
    if let Some(dir) = &cli.generate_config {
        return match (dir, &cli.config_dir) {
            (Some(dir), None) => generate::run(cli, dir),
            (dir, conf) => {
                if cli.home.is_some() {
                    return Err(arg_err(
                        "-H: with --generate-config for an existing device.conf (-C, or no DIR) \
                         the media homes are device.conf's",
                    ));
                }
                let conf = home::config_dir(conf.as_deref());
                let dest = dir.clone().unwrap_or_else(|| conf.clone());
                generate::contents_for(cli, &conf, &dest)
            }
        };
    }
    if cli.library_contents {
        return contents::run(cli);
    }
    // clap enforces -m, -s, -t and -d in this mode.
    let (Some(density_arg), Some(size_mb), Some(type_arg)) =
        (&cli.density, cli.size_mb, &cli.medium_type)
    else {
        return Err(arg_err("-m, -s, -t and -d are required"));
    };
    let density = Density::lookup(density_arg).ok_or_else(|| {
        arg_err(format!(
            "'{density_arg}' is not a known density; known: {}",
            Density::names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let mut pcls = Vec::new();
    for m in &cli.pcl {
        let expanded = expand_range(m).map_err(|e| match e {
            CartError::InvalidArgument(msg) => arg_err(msg),
            e => arg_err(e.to_string()),
        })?;
        for p in expanded {
            validate_pcl(&p).map_err(|e| arg_err(e.to_string()))?;
            pcls.push(p);
        }
    }
    let format = format_of(cli.format);
    let cap = capacity(size_mb, cli.format, density)?;
    let home = resolve_home(cli)?;
    let medium_type = MediumType::from_mktape_arg(type_arg);
    let verbose = (cli.verbose > 0 || cli.debug.is_some()) && !cli.json;
    ensure_home(&home, verbose)?;
    let epoch = libvtlcart::source_date_epoch();
    let mut results = Vec::new();
    for pcl in &pcls {
        let c = NewCartridge {
            home: &home,
            pcl,
            density,
            medium_type,
            capacity: cap,
            format,
            force: cli.force,
            epoch,
        };
        let made = create_one(&c, verbose).map_err(|e| Failure {
            code: 2,
            msg: match e {
                CartError::Exists { .. } => {
                    format!("{e} (use --force to replace it)")
                }
                e => e.to_string(),
            },
        })?;
        results.push(made);
    }
    Ok(serde_json::json!({ "created": results }))
}

fn created_files(dir: &Path, format: Format) -> Vec<String> {
    let names: &[&str] = match format {
        Format::Legacy => &["data", "indx", "meta"],
        Format::V6 => &["mam", "mhvtl_data", "data.0", "indx.0", "meta.0"],
    };
    names
        .iter()
        .filter(|n| dir.join(n).exists())
        .map(|n| n.to_string())
        .collect()
}

/// Parse the command line with [`cli::command`] (the command the man page is made from).
fn parse_args() -> Result<Cli, clap::Error> {
    let mut cmd = cli::command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

fn main() -> ExitCode {
    let cli = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                _ => 1,
            };
            // Print through clap (it knows whether this goes to stdout or stderr).
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.version {
        println!("mktape: version {}", env!("CARGO_PKG_VERSION"));
        println!("    large file support");
        return ExitCode::SUCCESS;
    }
    match run(&cli) {
        Ok(doc) => {
            if cli.json {
                println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
            }
            ExitCode::SUCCESS
        }
        Err(f) => {
            if cli.json {
                let doc = serde_json::json!({ "error": f.msg, "exit_code": f.code });
                println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
            }
            eprintln!("mktape: {}", f.msg);
            ExitCode::from(f.code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        cli::command().debug_assert();
    }
}
