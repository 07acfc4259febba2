//! mktape's command line, apart from the program so that the man page generator
//! (`cargo xtask man`, which includes this file) builds the very `clap::Command` that
//! `mktape --help` prints. Depends on clap and std only.

use std::path::PathBuf;

/// The on-disk format chosen with `--format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// mhvtl 1.4 .. 1.7 layout: data, indx, meta (the default, readable by every mhvtl).
    Legacy,
    /// mhvtl 1.8 layout: mam, mhvtl_data, data.0, indx.0, meta.0.
    V6,
}

/// Create virtual tape cartridges (mhvtl-compatible).
#[derive(clap::Parser, Debug)]
#[command(
    name = "mktape",
    version,
    disable_version_flag = true,
    about = "Create virtual tape cartridges in a library's media home",
    after_help = "Barcodes: up to 16 characters of A-Z a-z 0-9 - _ . + #; FIRST..LAST makes a range \
(E01001L8..E01020L8).\nDensities: LTO1..LTO10, AIT1..AIT4, DLT3, DLT4, SDLT1, SDLT220, SDLT320, SDLT600, \
9840A..9840D, 9940A, 9940B, T10KA..T10KC, DDS1..DDS4, J1A, E05, E06, E07.\n\
SOURCE_DATE_EPOCH, when set, replaces the current time in the serial number and manufacture date.\n\n\
With --library-contents, mktape does what mhvtl's make_vtl_media does: it creates every cartridge \
the library_contents.<id> files of CONFDIR name (slots, picker and MAP elements) in each library's \
media home, the density and medium type told by the barcode (last two characters: L1..L9 LTO, \
LT..LZ LTO WORM, JA JB JC JK JW JX JY 3592, TA TB TC T10000, TZ..TU 9840/9940, X1..X4 AIT, \
S1..S3 SDLT, D7 DLT; CLN... cleaning, W... WORM), -s MiB each (default 500, mhvtl.conf's \
CAPACITY default). Cartridges that exist are left alone and reported.\n\
With --generate-config DIR, mktape writes the default device.conf and library_contents.<id> \
files (mhvtl's generate_device_conf and generate_library_contents) into DIR.\n\
With --generate-config [DIR] -C CONFDIR (or --generate-config alone: CONFDIR is \
$VTL_CONFIG_DIR or /etc/vtl), mktape reads CONFDIR/device.conf as it is and writes \
library_contents.<id> into DIR (default CONFDIR) for each of its libraries that has none \
there, as mhvtl's generate_library_contents does for a custom device.conf: one Drive line \
per drive of the library, a picker, four MAP elements and 39 slots. Existing files are kept \
(and reported) unless --force.\n\n\
Exit status: 0 success; 1 argument error (unknown density, bad barcode, missing option, \
configuration unreadable, a barcode that names no media); \
2 a directory or file could not be created, or the cartridge or configuration file exists (use --force).\n\n\
Examples:\n  mktape -H /tmp/vtl -l 10 -m E01001L8..E01004L8 -s 500 -t data -d LTO8\n  \
mktape --generate-config /tmp/vtl/etc -H /tmp/vtl/media\n  \
mktape --generate-config -C /srv/vtl/etc\n  \
mktape --library-contents -C /tmp/vtl/etc --dry-run"
)]
pub struct Cli {
    /// Library number whose media home (device.conf `Home directory:`) receives the tapes;
    /// with --library-contents, repeat it to choose libraries (default: all).
    #[arg(short = 'l', value_name = "LIB")]
    pub library: Vec<u32>,
    /// Barcode (PCL) of the cartridge; repeat, or give FIRST..LAST, for several.
    #[arg(
        short = 'm',
        value_name = "PCL",
        required_unless_present_any = ["library_contents", "generate_config", "version"]
    )]
    pub pcl: Vec<String>,
    /// Capacity in MiB (1048576 bytes); 0 = the density's native capacity (v6) or 8000 MiB
    /// (legacy, as mhvtl 1.7). With --library-contents: default 500.
    #[arg(
        short = 's',
        value_name = "MB",
        required_unless_present_any = ["library_contents", "generate_config", "version"]
    )]
    pub size_mb: Option<u64>,
    /// Medium type: data, clean, WORM or NULL (case-sensitive prefix, as mhvtl).
    #[arg(
        short = 't',
        value_name = "TYPE",
        required_unless_present_any = ["library_contents", "generate_config", "version"]
    )]
    pub medium_type: Option<String>,
    /// Density (media generation), e.g. LTO8, T10KB, E07.
    #[arg(
        short = 'd',
        value_name = "DENSITY",
        required_unless_present_any = ["library_contents", "generate_config", "version"]
    )]
    pub density: Option<String>,
    /// Configuration directory holding device.conf [default: $VTL_CONFIG_DIR or /etc/vtl];
    /// with --generate-config, the device.conf to write library_contents.<id> files for.
    #[arg(short = 'C', value_name = "CONFDIR")]
    pub config_dir: Option<PathBuf>,
    /// Media home directory (no device.conf needed); with --library-contents, every
    /// library's cartridges go there; with --generate-config, the `Home directory:` written
    /// [default there: /opt/vtl].
    #[arg(short = 'H', long = "home", value_name = "HOME")]
    pub home: Option<PathBuf>,
    /// Create every cartridge the library_contents.<id> files name (mhvtl's make_vtl_media).
    #[arg(
        long,
        conflicts_with_all = ["pcl", "medium_type", "density", "generate_config"]
    )]
    pub library_contents: bool,
    /// With --library-contents: list what would be created, create nothing.
    #[arg(long, requires = "library_contents")]
    pub dry_run: bool,
    /// Write the default device.conf and library_contents.<id> files into DIR; with -C (or
    /// without DIR), the missing library_contents.<id> of CONFDIR/device.conf instead.
    #[arg(
        long,
        value_name = "DIR",
        num_args = 0..=1,
        conflicts_with_all = ["pcl", "medium_type", "density", "size_mb", "library"]
    )]
    pub generate_config: Option<Option<PathBuf>>,
    /// On-disk format of new cartridges.
    #[arg(long, value_enum, default_value = "legacy")]
    pub format: FormatArg,
    /// Replace an existing cartridge of the same barcode (its data is lost); with
    /// --generate-config, overwrite existing configuration files (with -C: existing
    /// library_contents.<id> files).
    #[arg(long)]
    pub force: bool,
    /// Print the result as one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print each directory and file created.
    #[arg(short = 'v', action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Debug level (accepted for mhvtl compatibility; same as -v).
    #[arg(short = 'D', value_name = "N", num_args = 0..=1, default_missing_value = "1")]
    pub debug: Option<u32>,
    /// Print the version and exit.
    #[arg(short = 'V', long = "version")]
    pub version: bool,
}

/// The clap command of [`Cli`]: what `mktape` parses and what `man/mktape.1` is made from.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
