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

mod show;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
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

const AFTER_HELP: &str = "\
The cartridge is HOME/PCL: HOME is -H, else the home of library -l in CONFDIR/device.conf,
else the first library of device.conf (in file order) whose home holds a PCL directory.
CONFDIR is -C, else $VTL_CONFIG_DIR, else /etc/vtl. Cartridge directories may be given
instead of -m. -m may be repeated and takes ranges FIRST..LAST (E01001L8..E01020L8); each
cartridge is edited on its own and a failure on one does not stop the others.

Only the MAM is rewritten (legacy: the first 1024 bytes of meta; v6: mam and mhvtl_data,
replaced atomically), under the cartridge's lock: a cartridge in use by another process
(loaded in a drive) is refused, naming that process. Refused, leaving the cartridge as it was:
  -s below the bytes already written (a resize sets the remaining capacity to the new
     capacity minus the bytes written), or on a cartridge formatted into partitions;
  -d to another density, or -t to or from NULL, on a cartridge that holds data.
-s 0 means the density's native capacity (v6) or 8000 MiB (legacy), as mktape.
-t is not case-sensitive; clean sets MEDIUM TYPE INFORMATION to 20 (cleaning cycles), the
other types set it to 0. -w on or yes sets write protect, any other word clears it (as mhvtl).
On v6 cartridges every edit also stores the number of partitions on disk and recomputes
MAM SPACE REMAINING, as mhvtl 1.8 does. -V prints the version and carries on.

Exit status:
  0  every cartridge was edited (or shown)
  1  usage or argument error, or a change refused for a cartridge (see above)
  2  a cartridge cannot be found, opened or written (in use by another process,
     damaged, I/O error)
When several cartridges fail, the highest status is returned.

Examples:
  edit_tape -l 10 -m E01001L8 -w on
  edit_tape -H /srv/vtl -m E01001L8..E01020L8 -s 2000 --media-pool weekly -v
  edit_tape /srv/vtl/E01001L8 --show";

/// Command line.
#[derive(Debug, Parser)]
#[command(
    name = "edit_tape",
    version,
    disable_version_flag = true,
    about = "Change a virtual cartridge's MAM: capacity, type, density, write protect, labels",
    after_help = AFTER_HELP
)]
struct Cli {
    /// Barcode (PCL) of the cartridge; repeat, or give FIRST..LAST, for several.
    #[arg(short = 'm', long = "pcl", value_name = "PCL")]
    pcl: Vec<String>,

    /// Cartridge directories, used as they are instead of -m (no device.conf needed).
    #[arg(value_name = "DIR", conflicts_with_all = ["pcl", "library", "home", "config_dir"])]
    dirs: Vec<PathBuf>,

    /// Look only in the home of library LIB (device.conf `Home directory:`).
    #[arg(
        short = 'l',
        long = "library",
        value_name = "LIB",
        conflicts_with = "home"
    )]
    library: Option<u32>,

    /// Configuration directory holding device.conf [default: $VTL_CONFIG_DIR, else /etc/vtl].
    #[arg(short = 'C', long = "config-dir", value_name = "CONFDIR")]
    config_dir: Option<PathBuf>,

    /// Media home directory: the cartridge is HOME/PCL (device.conf is not read).
    #[arg(short = 'H', long = "home", value_name = "HOME")]
    home: Option<PathBuf>,

    /// New capacity in MiB (1048576 bytes), larger or smaller; 0 = the native capacity
    /// (v6) or 8000 MiB (legacy).
    #[arg(short = 's', long = "size", value_name = "MB")]
    size_mb: Option<u64>,

    /// Medium type: data, clean, NULL or WORM (any case).
    #[arg(short = 't', long = "type", value_name = "TYPE", value_parser = parse_type)]
    medium_type: Option<MediumType>,

    /// Density (media generation) whose table values are written, e.g. LTO8, T10KB, E07.
    #[arg(short = 'd', long = "density", value_name = "DENSITY", value_parser = parse_density)]
    density: Option<&'static Density>,

    /// Write protect: on or yes sets it, anything else (off) clears it.
    #[arg(short = 'w', long = "write-protect", value_name = "on|yes|off", value_parser = parse_write_protect)]
    write_protect: Option<bool>,

    /// Set USER MEDIUM TEXT LABEL (0x0803, up to 160 printable ASCII characters; "" clears).
    #[arg(long, value_name = "TEXT")]
    user_label: Option<String>,

    /// Set MEDIA POOL (0x0808, up to 160 printable ASCII characters; "" clears).
    #[arg(long, value_name = "TEXT")]
    media_pool: Option<String>,

    /// Set OWNING HOST TEXTUAL NAME (0x0807, up to 80 printable ASCII characters; "" clears).
    #[arg(long, value_name = "TEXT")]
    owning_host: Option<String>,

    /// Print the MAM (after any change): every attribute by its SPC-5 name, mhvtl's own
    /// fields and the partitions.
    #[arg(long, conflicts_with = "json")]
    show: bool,

    /// Print the MAM (after any change) and what changed as JSON: one document per
    /// cartridge, an array when several are named.
    #[arg(long)]
    json: bool,

    /// Print every field that changed, old and new value, and the files written.
    #[arg(short = 'v', long = "verbose")]
    verbose: bool,

    /// Print the version and carry on.
    #[arg(short = 'V', long = "version")]
    version: bool,
}

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

fn parse_write_protect(s: &str) -> Result<bool, String> {
    Ok(s.eq_ignore_ascii_case("on") || s.eq_ignore_ascii_case("yes"))
}

impl Cli {
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
        Cli::command().render_usage()
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
    let cli = match Cli::try_parse() {
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
        CartError::Locked { .. } => cartridge_failure(format!(
            "{pcl}: {}: cartridge is in use by {}",
            dir.display(),
            libvtlcart::lockinfo::lock_holder(dir)
                .unwrap_or_else(|| "another process (it holds the cartridge's lock)".into())
        )),
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

    if let Some(d) = cli.density {
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
                .density
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

    if let Some(t) = cli.medium_type {
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
        Cli::command().debug_assert();
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
            assert_eq!(parse_write_protect(w), Ok(on), "{w}");
        }
    }

    #[test]
    fn help_documents_exit_codes() {
        let help = Cli::command().render_long_help().to_string();
        for needle in ["Exit status:", "  0  ", "  1  ", "  2  "] {
            assert!(help.contains(needle), "{needle}");
        }
    }
}
