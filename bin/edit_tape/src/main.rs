//! edit_tape: change a virtual cartridge's MAM: capacity, medium type, density, write
//! protect and the host text attributes; show the MAM as text or JSON.
//!
//! mhvtl's command line (`edit_tape -m PCL [-l LIB] [-s MB] [-t TYPE] [-d DENSITY]
//! [-w on|yes|off] [-v] [-V]`, spec section 2.3) with the same on-disk effect, plus `-H HOME`,
//! `-C CONFDIR`, cartridge directories instead of `-m`, several `-m` and `FIRST..LAST` ranges,
//! a checked resize, `--user-label`, `--media-pool`, `--owning-host`, `--show` and `--json`.
//!
//! Editing takes the cartridge's lock (as a drive does when it loads the tape), so a
//! cartridge in use is refused, naming the process that holds it. Only the MAM is rewritten,
//! with [`Cartridge::write_mam`]; no load is counted and no statistics are touched.
//!
//! The binary parses arguments, decides what to change and prints; the MAM encodings are
//! libvtlcart's job.

mod cli;
mod show;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::FromArgMatches;
use cli::Cli;
use libvtlcart::error::CartError;
use libvtlcart::layout::MamStore;
use libvtlcart::mam::{CLEANING_CYCLES, field_str};
use libvtlcart::{
    Cartridge, Density, Mam, MediumType, OpenOptionsCart, TextAttribute, expand_range, home,
    validate_pcl,
};
use serde_json::{Value, json};

/// Exit status: every cartridge was edited or shown.
const EXIT_OK: u8 = 0;
/// Exit status: usage or argument error, or a change refused for a cartridge.
const EXIT_USAGE: u8 = 1;
/// Exit status: a cartridge cannot be found, opened or written.
const EXIT_CARTRIDGE: u8 = 2;

const MIB: u64 = 1 << 20;
/// `-s 0` on a legacy cartridge: 8000 MiB, as mhvtl 1.7's mktape.
const LEGACY_DEFAULT_MB: u64 = 8000;

fn parse_type(s: &str) -> Result<MediumType, String> {
    MediumType::from_edit_tape_arg(s)
        .ok_or_else(|| "the medium type is one of data, clean, NULL or WORM".to_string())
}

fn parse_density(s: &str) -> Result<&'static Density, String> {
    Density::lookup(s).ok_or_else(|| {
        format!(
            "not a known density; known: {}",
            Density::names().collect::<Vec<_>>().join(", ")
        )
    })
}

/// A parser for `-t` or `-d` that checks the word with `parse` and keeps it as given, so that
/// clap reports a bad one exactly as a typed parser would (`Cli` holds plain strings).
fn checked<T: 'static>(
    parse: fn(&str) -> Result<T, String>,
) -> impl Fn(&str) -> Result<String, String> + Clone + Send + Sync + 'static {
    move |s: &str| parse(s).map(|_| s.to_string())
}

/// The command line [`cli::command`] describes, with the `-t` and `-d` checks attached (they
/// change neither `--help` nor the man page).
fn command() -> clap::Command {
    cli::command()
        .mut_arg("medium_type", |a| a.value_parser(checked(parse_type)))
        .mut_arg("density", |a| a.value_parser(checked(parse_density)))
}

/// Parse the command line with [`command`].
fn parse_args() -> Result<Cli, clap::Error> {
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

impl Cli {
    /// `-t`, already checked by [`command`]'s parser.
    fn medium_type(&self) -> Option<MediumType> {
        self.medium_type
            .as_deref()
            .map(|s| parse_type(s).expect("-t is checked while parsing"))
    }

    /// `-d`, already checked by [`command`]'s parser.
    fn density(&self) -> Option<&'static Density> {
        self.density
            .as_deref()
            .map(|s| parse_density(s).expect("-d is checked while parsing"))
    }

    /// True when the command line asks for a change (as opposed to only showing).
    fn has_changes(&self) -> bool {
        self.size_mb.is_some()
            || self.medium_type.is_some()
            || self.density.is_some()
            || self.write_protect.is_some()
            || self.texts().next().is_some()
    }

    /// The text attributes to set, with their values.
    fn texts(&self) -> impl Iterator<Item = (TextAttribute, &str)> {
        [
            (TextAttribute::UserMediumTextLabel, &self.user_label),
            (TextAttribute::OwningHostTextualName, &self.owning_host),
            (TextAttribute::MediaPool, &self.media_pool),
        ]
        .into_iter()
        .filter_map(|(a, v)| v.as_deref().map(|v| (a, v)))
    }
}

/// Why something failed: exit status and the message for stderr (after `edit_tape: `).
#[derive(Debug)]
struct Failure {
    code: u8,
    msg: String,
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_USAGE,
        msg: msg.into(),
    }
}

/// A usage error followed by the usage line (the command line cannot work at all).
fn usage_with_synopsis(msg: &str) -> Failure {
    usage(format!(
        "{msg}\n{}\nFor more information, try '--help'.",
        command().render_usage()
    ))
}

fn cartridge_failure(msg: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_CARTRIDGE,
        msg: msg.into(),
    }
}

/// A cartridge to work on.
#[derive(Debug)]
struct Target {
    /// Its barcode (the directory name when a directory was given).
    pcl: String,
    /// Its directory, or why it could not be found.
    dir: Result<PathBuf, Failure>,
}

fn main() -> ExitCode {
    let cli = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if cli.version {
        println!("edit_tape: version {}", env!("CARGO_PKG_VERSION"));
        if cli.pcl.is_empty() && cli.dirs.is_empty() {
            return ExitCode::SUCCESS;
        }
    }
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("edit_tape: {}", f.msg);
            ExitCode::from(f.code)
        }
    }
}

/// Check the whole command line before any cartridge is touched.
fn check_arguments(cli: &Cli) -> Result<(), Failure> {
    if cli.pcl.is_empty() && cli.dirs.is_empty() {
        return Err(usage_with_synopsis(
            "no cartridge: give -m PCL (or a cartridge directory)",
        ));
    }
    if !cli.has_changes() && !cli.show && !cli.json {
        return Err(usage_with_synopsis(
            "nothing to do: give a change (-s, -t, -d, -w, --user-label, --media-pool, \
             --owning-host) or --show / --json",
        ));
    }
    if cli.library == Some(0) {
        return Err(usage("-l: the library number must be a non-zero integer"));
    }
    if let Some(mb) = cli.size_mb
        && mb.checked_mul(MIB).is_none()
    {
        return Err(usage(format!("-s {mb}: capacity too large")));
    }
    for (a, v) in cli.texts() {
        a.check(v).map_err(|e| match e {
            CartError::InvalidArgument(m) => usage(m),
            e => usage(e.to_string()),
        })?;
    }
    Ok(())
}

fn run(cli: &Cli) -> Result<u8, Failure> {
    check_arguments(cli)?;
    let targets = targets(cli)?;
    let several = targets.len() > 1;
    let mut status = EXIT_OK;
    let mut docs = Vec::new();
    let mut shown = 0;
    for t in targets {
        let res = t.dir.and_then(|dir| edit(&t.pcl, &dir, cli));
        match res {
            Ok(e) => {
                if cli.json {
                    let mut doc = show::json(&t.pcl, &e.cart, &e.changes);
                    doc["written"] = json!(e.written);
                    docs.push(doc);
                    continue;
                }
                if cli.verbose {
                    for (field, old, new) in &e.changes {
                        println!("{}: {field}: {old} -> {new}", t.pcl);
                    }
                    if e.written {
                        let files: Vec<String> = mam_files(&e.cart)
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect();
                        println!("{}: written: {}", t.pcl, files.join(", "));
                    } else if cli.has_changes() {
                        println!("{}: unchanged", t.pcl);
                    }
                }
                if cli.show {
                    if shown > 0 {
                        println!();
                    }
                    print!("{}", show::text(&t.pcl, &e.cart));
                    shown += 1;
                }
            }
            Err(f) => {
                eprintln!("edit_tape: {}", f.msg);
                status = status.max(f.code);
                if cli.json {
                    docs.push(json!({
                        "pcl": t.pcl,
                        "error": f.msg,
                        "exit_code": f.code,
                    }));
                }
            }
        }
    }
    if cli.json {
        let doc = if several {
            Value::Array(docs)
        } else {
            docs.pop().unwrap_or(Value::Null)
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&doc).expect("JSON of plain values")
        );
    }
    Ok(status)
}

// ------------------------------------------------------------------------------ locating

/// Every cartridge named on the command line, in order.
///
/// Errors (exit 1): a bad barcode or range, device.conf unreadable or without the library.
/// A cartridge that is not in any library's home is a per-cartridge failure (exit 2).
fn targets(cli: &Cli) -> Result<Vec<Target>, Failure> {
    if !cli.dirs.is_empty() {
        return Ok(cli
            .dirs
            .iter()
            .map(|d| Target {
                pcl: d
                    .canonicalize()
                    .unwrap_or_else(|_| d.clone())
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| d.display().to_string()),
                dir: Ok(d.clone()),
            })
            .collect());
    }
    let mut pcls = Vec::new();
    for m in &cli.pcl {
        let expanded = expand_range(m).map_err(|e| match e {
            CartError::InvalidArgument(msg) => usage(msg),
            e => usage(e.to_string()),
        })?;
        for p in expanded {
            validate_pcl(&p).map_err(|e| usage(e.to_string()))?;
            pcls.push(p);
        }
    }
    if let Some(h) = &cli.home {
        return Ok(pcls
            .into_iter()
            .map(|pcl| Target {
                dir: Ok(h.join(&pcl)),
                pcl,
            })
            .collect());
    }
    let conf = home::config_dir(cli.config_dir.as_deref());
    let hint = "(give the media home with -H HOME, or the configuration directory with -C)";
    if let Some(lib) = cli.library {
        let h = home::library_home(&conf, lib).map_err(|e| usage(format!("{e} {hint}")))?;
        return Ok(pcls
            .into_iter()
            .map(|pcl| Target {
                dir: Ok(h.join(&pcl)),
                pcl,
            })
            .collect());
    }
    let homes = home::library_homes(&conf).map_err(|e| usage(format!("{e} {hint}")))?;
    Ok(pcls
        .into_iter()
        .map(|pcl| {
            let dir = match homes.iter().find(|h| h.home.join(&pcl).is_dir()) {
                Some(h) => Ok(h.home.join(&pcl)),
                None => {
                    let searched: Vec<String> = homes
                        .iter()
                        .map(|h| format!("library {} ({})", h.id, h.home.display()))
                        .collect();
                    Err(cartridge_failure(format!(
                        "{pcl}: {}: cartridge not found in the home of any library ({})",
                        conf.join("device.conf").display(),
                        if searched.is_empty() {
                            "no Library: stanza".to_string()
                        } else {
                            format!("searched {}", searched.join(", "))
                        }
                    )))
                }
            };
            Target { pcl, dir }
        })
        .collect())
}

// ------------------------------------------------------------------------------ editing

/// A cartridge after editing (still open, lock held until dropped).
struct Edited {
    cart: Cartridge,
    /// (field, old, new) for every field that changed.
    changes: Vec<(String, String, String)>,
    /// True when the MAM was rewritten.
    written: bool,
}

/// The files holding the MAM of `cart`.
fn mam_files(cart: &Cartridge) -> Vec<PathBuf> {
    let dir = cart.dir();
    match cart.layout().mam {
        MamStore::InMeta => cart
            .partition(0)
            .map(|p| vec![p.paths()[2].clone()])
            .unwrap_or_else(|| vec![dir.join("meta")]),
        MamStore::PackedFile => vec![dir.join("mam")],
        MamStore::Tlv => vec![dir.join("mam"), dir.join("mhvtl_data")],
    }
}

/// Open one cartridge, apply the changes asked for and write its MAM back.
fn edit(pcl: &str, dir: &Path, cli: &Cli) -> Result<Edited, Failure> {
    if !dir.is_dir() {
        return Err(cartridge_failure(format!(
            "{pcl}: {}: no such cartridge directory",
            dir.display()
        )));
    }
    let write = cli.has_changes();
    let mut cart = Cartridge::open(
        dir,
        &OpenOptionsCart {
            write,
            ..Default::default()
        },
    )
    .map_err(|e| open_failure(pcl, dir, e))?;
    if !write {
        return Ok(Edited {
            cart,
            changes: Vec::new(),
            written: false,
        });
    }
    let new = plan(pcl, &cart, cli)?;
    let changes = show::diff(&show::fields(cart.mam()), &show::fields(&new));
    let written = new.to_legacy_bytes() != cart.mam().to_legacy_bytes();
    if written {
        if cart.mam().base.record_dirty != 0 {
            eprintln!(
                "edit_tape: warning: {pcl}: {}: record_dirty is set: the cartridge may be loaded \
                 by another (mhvtl) tape daemon, or its last load ended without an unload",
                mam_files(&cart)[0].display()
            );
        }
        *cart.mam_mut() = new;
        cart.write_mam()
            .map_err(|e| cartridge_failure(format!("{pcl}: {e}")))?;
    }
    Ok(Edited {
        cart,
        changes,
        written,
    })
}

/// The message for a cartridge that cannot be opened: who holds a locked one, a pointer to
/// `dump_tape --recover` for a damaged one.
fn open_failure(pcl: &str, dir: &Path, e: CartError) -> Failure {
    match e {
        e @ CartError::Corrupt { .. } => cartridge_failure(format!(
            "{pcl}: {e} (the cartridge is damaged; `dump_tape --recover {}` repairs it)",
            dir.display()
        )),
        e => cartridge_failure(format!("{pcl}: {e}")),
    }
}

/// A change refused for this cartridge (exit 1), naming the cartridge and the file.
fn refuse(pcl: &str, file: &Path, why: impl std::fmt::Display) -> Failure {
    usage(format!("{pcl}: {}: {why}", file.display()))
}

/// The MAM after every requested change, or why a change is refused.
fn plan(pcl: &str, cart: &Cartridge, cli: &Cli) -> Result<Mam, Failure> {
    let old = cart.mam();
    let mut m = old.clone();
    let tlv = show::is_tlv(old);
    let parts: Vec<_> = (0..cart.partition_count())
        .filter_map(|n| cart.partition(n))
        .collect();
    let objects: u64 = parts.iter().map(|p| u64::from(p.eod())).sum();
    // The data file of the first partition that holds something (else partition 0's).
    let data_file = parts
        .iter()
        .find(|p| p.eod() > 0)
        .or(parts.first())
        .map(|p| p.paths()[0].clone())
        .unwrap_or_else(|| cart.dir().to_path_buf());

    if let Some(d) = cli.density() {
        let b = &old.base;
        let other = d.media_type.0 != b.media_type
            || d.density_code != b.medium_density_code
            || field_str(&b.density_name) != d.density_name;
        if other && objects > 0 {
            return Err(refuse(
                pcl,
                &data_file,
                format!(
                    "-d {}: the cartridge holds {objects} objects written at density {}; \
                     changing the density of a written cartridge is refused",
                    d.name,
                    show::current_density(old).map_or("(unknown)", |d| d.name)
                ),
            ));
        }
        if tlv && cart.partition_count() > u32::from(d.max_partitions_v6) {
            return Err(refuse(
                pcl,
                cart.dir(),
                format!(
                    "-d {}: the cartridge has {} partitions, {} media hold at most {}",
                    d.name,
                    cart.partition_count(),
                    d.name,
                    d.max_partitions_v6
                ),
            ));
        }
        m.apply_density(d, tlv);
    }

    if let Some(mb) = cli.size_mb {
        if (0..4).any(|p| old.partition_capacity(p) != 0) {
            return Err(refuse(
                pcl,
                &cart.dir().join("mhvtl_data"),
                format!(
                    "-s {mb}: the cartridge was formatted into partitions with their own \
                     capacities; -s resizes only unpartitioned cartridges"
                ),
            ));
        }
        let cap = if mb != 0 {
            mb * MIB
        } else if tlv {
            let d = cli
                .density()
                .or_else(|| show::current_density(&m))
                .ok_or_else(|| {
                    refuse(
                        pcl,
                        &mam_files(cart)[0],
                        format!(
                            "-s 0: MediaType {} is not in the density table, so its native \
                             capacity is unknown; give the size in MiB",
                            m.base.media_type
                        ),
                    )
                })?;
            d.native_bytes
        } else {
            LEGACY_DEFAULT_MB * MIB
        };
        if let Some(p) = parts.iter().max_by_key(|p| p.eod_data_offset())
            && cap < p.eod_data_offset()
        {
            return Err(refuse(
                pcl,
                &p.paths()[0],
                format!(
                    "-s {mb}: the new capacity of {cap} bytes is less than the {} bytes \
                     already written",
                    p.eod_data_offset()
                ),
            ));
        }
        let used = parts.first().map_or(0, |p| p.eod_data_offset());
        m.base.max_capacity = cap.into();
        m.base.remaining_capacity = (cap - used).into();
    }

    if let Some(t) = cli.medium_type() {
        let was_null = old.medium_type() == MediumType::Null;
        if (t == MediumType::Null) != was_null && objects > 0 {
            return Err(refuse(
                pcl,
                &data_file,
                format!(
                    "-t {}: the cartridge holds {objects} objects; a NULL cartridge stores no \
                     data bytes, so a written cartridge cannot change to or from NULL",
                    t.name()
                ),
            ));
        }
        m.base.medium_type = t.to_byte();
        m.base.medium_type_information = if t == MediumType::Cleaning {
            CLEANING_CYCLES
        } else {
            0
        }
        .into();
    }

    if let Some(on) = cli.write_protect {
        m.set_write_protected(on);
    }

    for (a, v) in cli.texts() {
        m.set_text_attribute(a, v)
            .map_err(|e| refuse(pcl, &mam_files(cart)[0], e))?;
    }

    if tlv {
        // As mhvtl 1.8: the partitions found on disk, and the MAM space left.
        m.base.num_partitions = u8::try_from(cart.partition_count()).unwrap_or(u8::MAX);
        m.recompute_mam_space_remaining();
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn checks_leave_help_unchanged() {
        // The man page is made from cli::command(); the program parses with command().
        assert_eq!(
            command().render_long_help().to_string(),
            cli::command().render_long_help().to_string()
        );
        assert_eq!(
            command().render_help().to_string(),
            cli::command().render_help().to_string()
        );
    }

    #[test]
    fn checks_reject_as_typed_parsers_did() {
        let e = command()
            .try_get_matches_from(["edit_tape", "-m", "X", "-t", "bogus"])
            .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(e.to_string().contains("data, clean, NULL or WORM"), "{e}");
        let e = command()
            .try_get_matches_from(["edit_tape", "-m", "X", "-d", "XYZ"])
            .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation);
        let m = command()
            .try_get_matches_from(["edit_tape", "-m", "X", "-t", "clean", "-d", "LTO8"])
            .unwrap();
        let cli = Cli::from_arg_matches(&m).unwrap();
        assert_eq!(cli.medium_type(), Some(MediumType::Cleaning));
        assert_eq!(cli.density().map(|d| d.name), Some("LTO8"));
    }

    #[test]
    fn write_protect_words_follow_mhvtl() {
        for (w, on) in [
            ("on", true),
            ("yes", true),
            ("ON", true),
            ("off", false),
            ("no", false),
            ("x", false),
        ] {
            assert_eq!(cli::parse_write_protect(w), Ok(on), "{w}");
        }
    }

    #[test]
    fn help_documents_exit_codes() {
        let help = command().render_long_help().to_string();
        for needle in ["Exit status:", "  0  ", "  1  ", "  2  "] {
            assert!(help.contains(needle), "{needle}");
        }
    }
}
