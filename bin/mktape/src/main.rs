//! mktape: create virtual tape cartridges.
//!
//! mhvtl's command line (`-l LIB -m PCL -s MB -t TYPE -d DENSITY [-C DIR] [-H HOME] [-v]
//! [-V] [-D[N]]`, spec section 2.1) plus: several `-m` (and `FIRST..LAST` ranges) in one
//! call, `--format legacy|v6`, `--json`, `--force`.
//!
//! Exit status: 0 every cartridge was made; 1 argument error (including an unknown density
//! or barcode); 2 a directory or file could not be created, or a cartridge already exists
//! and `--force` was not given.

mod cli;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::FromArgMatches;
use cli::{Cli, FormatArg};
use libvtlcart::{
    CartError, Cartridge, CreateSpec, Density, Format, Mam, MediumType, NewMam, expand_range, home,
    validate_pcl,
};

/// A failure with the exit status it maps to.
struct Failure {
    code: u8,
    msg: String,
}

fn arg_err(msg: impl Into<String>) -> Failure {
    Failure {
        code: 1,
        msg: msg.into(),
    }
}

fn resolve_home(cli: &Cli) -> Result<PathBuf, Failure> {
    if let Some(h) = &cli.home {
        return Ok(h.clone());
    }
    let Some(lib) = cli.library else {
        return Err(arg_err(
            "-l LIB is required (or give the media home with -H HOME)",
        ));
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

fn capacity(cli: &Cli, d: &Density) -> Result<u64, Failure> {
    if cli.size_mb == 0 {
        return Ok(match cli.format {
            FormatArg::V6 => d.native_bytes,
            FormatArg::Legacy => 8000 << 20,
        });
    }
    cli.size_mb
        .checked_mul(1 << 20)
        .ok_or_else(|| arg_err(format!("-s {}: capacity too large", cli.size_mb)))
}

fn run(cli: &Cli) -> Result<Vec<serde_json::Value>, Failure> {
    let density = Density::lookup(&cli.density).ok_or_else(|| {
        arg_err(format!(
            "'{}' is not a known density; known: {}",
            cli.density,
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
    let cap = capacity(cli, density)?;
    let home = resolve_home(cli)?;
    let medium_type = MediumType::from_mktape_arg(&cli.medium_type);
    let format = match cli.format {
        FormatArg::Legacy => Format::Legacy,
        FormatArg::V6 => Format::V6,
    };
    let verbose = cli.verbose > 0 || cli.debug.is_some();
    if !home.is_dir() {
        std::fs::create_dir_all(&home).map_err(|e| Failure {
            code: 2,
            msg: format!("{}: cannot create media home: {e}", home.display()),
        })?;
        if verbose && !cli.json {
            println!("Created media home directory: {}", home.display());
        }
    }
    let epoch = libvtlcart::source_date_epoch();
    let mut results = Vec::new();
    for pcl in &pcls {
        let dir = home.join(pcl);
        let mam = Mam::new_cartridge(&NewMam {
            pcl,
            density,
            medium_type,
            capacity: cap,
            epoch,
            v6: format == Format::V6,
            application_vendor: libvtlcart::application_vendor(),
        });
        Cartridge::create(
            &dir,
            &CreateSpec {
                format,
                mam,
                force: cli.force,
            },
        )
        .map_err(|e| Failure {
            code: 2,
            msg: match e {
                CartError::Exists { .. } => {
                    format!("{e} (use --force to replace it)")
                }
                e => e.to_string(),
            },
        })?;
        let files = created_files(&dir, format);
        if verbose && !cli.json {
            println!("Creating new media directory: {}", dir.display());
            for f in &files {
                println!("Creating new media file: {}", dir.join(f).display());
            }
        }
        results.push(serde_json::json!({
            "pcl": pcl,
            "path": dir,
            "format": format.name(),
            "density": density.name,
            "medium_type": medium_type.name(),
            "capacity": cap,
            "files": files,
        }));
    }
    Ok(results)
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
        Ok(results) => {
            if cli.json {
                let doc = serde_json::json!({ "created": results });
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
