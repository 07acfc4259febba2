//! edit_tape's command line, apart from the program so that the man page generator
//! (`cargo xtask man`, which includes this file) builds the very `clap::Command` that
//! `edit_tape --help` prints. Depends on clap and std only: `-t` and `-d` are plain strings
//! here, and the program attaches the parsers that check them against libvtlcart's tables
//! (which changes neither `--help` nor the man page).

use std::path::PathBuf;

/// Printed after the options by `--help`; the man page's DESCRIPTION carries it too (without
/// the exit status and examples, which have sections of their own).
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
#[derive(Debug, clap::Parser)]
#[command(
    name = "edit_tape",
    version,
    disable_version_flag = true,
    about = "Change a virtual cartridge's MAM: capacity, type, density, write protect, labels",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Barcode (PCL) of the cartridge; repeat, or give FIRST..LAST, for several.
    #[arg(short = 'm', long = "pcl", value_name = "PCL")]
    pub pcl: Vec<String>,

    /// Cartridge directories, used as they are instead of -m (no device.conf needed).
    #[arg(value_name = "DIR", conflicts_with_all = ["pcl", "library", "home", "config_dir"])]
    pub dirs: Vec<PathBuf>,

    /// Look only in the home of library LIB (device.conf `Home directory:`).
    #[arg(
        short = 'l',
        long = "library",
        value_name = "LIB",
        conflicts_with = "home"
    )]
    pub library: Option<u32>,

    /// Configuration directory holding device.conf [default: $VTL_CONFIG_DIR, else /etc/vtl].
    #[arg(short = 'C', long = "config-dir", value_name = "CONFDIR")]
    pub config_dir: Option<PathBuf>,

    /// Media home directory: the cartridge is HOME/PCL (device.conf is not read).
    #[arg(short = 'H', long = "home", value_name = "HOME")]
    pub home: Option<PathBuf>,

    /// New capacity in MiB (1048576 bytes), larger or smaller; 0 = the native capacity
    /// (v6) or 8000 MiB (legacy).
    #[arg(short = 's', long = "size", value_name = "MB")]
    pub size_mb: Option<u64>,

    /// Medium type: data, clean, NULL or WORM (any case).
    // Checked while parsing by the parser `main.rs` attaches (it needs libvtlcart).
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub medium_type: Option<String>,

    /// Density (media generation) whose table values are written, e.g. LTO8, T10KB, E07.
    // Checked while parsing by the parser `main.rs` attaches (it needs libvtlcart).
    #[arg(short = 'd', long = "density", value_name = "DENSITY")]
    pub density: Option<String>,

    /// Write protect: on or yes sets it, anything else (off) clears it.
    #[arg(short = 'w', long = "write-protect", value_name = "on|yes|off", value_parser = parse_write_protect)]
    pub write_protect: Option<bool>,

    /// Set USER MEDIUM TEXT LABEL (0x0803, up to 160 printable ASCII characters; "" clears).
    #[arg(long, value_name = "TEXT")]
    pub user_label: Option<String>,

    /// Set MEDIA POOL (0x0808, up to 160 printable ASCII characters; "" clears).
    #[arg(long, value_name = "TEXT")]
    pub media_pool: Option<String>,

    /// Set OWNING HOST TEXTUAL NAME (0x0807, up to 80 printable ASCII characters; "" clears).
    #[arg(long, value_name = "TEXT")]
    pub owning_host: Option<String>,

    /// Print the MAM (after any change): every attribute by its SPC-5 name, mhvtl's own
    /// fields and the partitions.
    #[arg(long, conflicts_with = "json")]
    pub show: bool,

    /// Print the MAM (after any change) and what changed as JSON: one document per
    /// cartridge, an array when several are named.
    #[arg(long)]
    pub json: bool,

    /// Print every field that changed, old and new value, and the files written.
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,

    /// Print the version and carry on.
    #[arg(short = 'V', long = "version")]
    pub version: bool,
}

/// `-w`: `on` or `yes` (any case) sets write protect, any other word clears it, as mhvtl.
pub fn parse_write_protect(s: &str) -> Result<bool, String> {
    Ok(s.eq_ignore_ascii_case("on") || s.eq_ignore_ascii_case("yes"))
}

/// The clap command of [`Cli`], before the program attaches the `-t` and `-d` parsers: what
/// `man/edit_tape.1` is made from (`edit_tape --help` prints the same).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
