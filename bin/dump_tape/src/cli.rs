//! dump_tape's command line, apart from the program so that the man page generator
//! (`cargo xtask man`, which includes this file) builds the very `clap::Command` that
//! `dump_tape --help` prints. Depends on clap and std only.

use std::path::PathBuf;

/// Printed after the options by `--help`; the man page's DESCRIPTION carries it too (without
/// the exit status, which has a section of its own).
const AFTER_HELP: &str = "\
The cartridge is <HOME>/<PCL>: HOME is -H, else the home of library -l in CONFDIR/device.conf,
else the first library of device.conf (in file order) whose home holds a PCL directory.
CONFDIR is -C, else $VTL_CONFIG_DIR, else /etc/vtl. A cartridge directory can be given
instead of -m (for copies taken for forensics). The cartridge is opened read-only except by
--recover without --dry-run.

Exit status:
  0  success
  1  the cartridge cannot be found or opened (a damaged one says so and suggests --recover),
     invalid arguments (usage errors included), I/O errors
  3  --verify found blocks that fail decompression or their CRC-32C (each is named on
     stderr with partition, block and data offset), or --extract met such a block";

/// Command line.
#[derive(Debug, clap::Parser)]
#[command(
    name = "dump_tape",
    version,
    about = "List, verify, extract from and recover virtual tape cartridges (mhvtl-compatible)",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Barcode (PCL) of the cartridge.
    #[arg(
        short = 'm',
        long = "pcl",
        value_name = "PCL",
        required_unless_present = "dir"
    )]
    pub pcl: Option<String>,

    /// Cartridge directory, used as is instead of -m (no device.conf needed).
    #[arg(value_name = "DIR", conflicts_with_all = ["pcl", "library", "home", "config_dir"])]
    pub dir: Option<PathBuf>,

    /// Look only in the home of library LIB (mhvtl ignores this value; we do not).
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

    /// Also list the filemark table.
    #[arg(short = 'v', long = "verbose")]
    pub verbose: bool,

    /// Read every data block through decompression and CRC-32C check; report bad blocks.
    #[arg(short = 'D', long = "verify")]
    pub verify: bool,

    /// Print one JSON document instead of the listing (with --verify: each payload's SHA-256).
    #[arg(long)]
    pub json: bool,

    /// Write tape file N (the blocks between filemark N-1 and filemark N; 0 starts at BOP,
    /// the last may end at EOD) of --partition to --output.
    #[arg(long, value_name = "N", requires = "output", conflicts_with_all = ["extract_block", "json"])]
    pub extract: Option<u32>,

    /// Write the payload of block B of --partition to --output.
    #[arg(long, value_name = "B", requires = "output", conflicts_with = "json")]
    pub extract_block: Option<u32>,

    /// Output file of --extract / --extract-block (`-` = standard output).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Partition for --extract / --extract-block.
    #[arg(long, value_name = "P", default_value_t = 0)]
    pub partition: u32,

    /// Repair a damaged cartridge: print what recovery drops (damage, objects, index and data
    /// bytes, filemarks), then cut the files back to the last intact object.
    #[arg(long, conflicts_with_all = ["json", "verify", "extract", "extract_block"])]
    pub recover: bool,

    /// With --recover: only print the plan, change nothing.
    #[arg(long, requires = "recover")]
    pub dry_run: bool,
}

/// The clap command of [`Cli`]: what `dump_tape` parses and what `man/dump_tape.1` is made
/// from.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
