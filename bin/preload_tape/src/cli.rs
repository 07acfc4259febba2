//! preload_tape's command line, apart from the program so that the man page generator
//! (`cargo xtask man`, which includes this file) builds the very `clap::Command` that
//! `preload_tape --help` prints. Depends on clap and std only: the program attaches `-b`'s
//! parser (K and M suffixes, from this crate's library), which changes neither `--help` nor
//! the man page.

use std::path::PathBuf;

/// Printed after the options by `--help`; the man page's DESCRIPTION carries it too (without
/// the exit status, which has a section of its own).
const AFTER_HELP: &str = "\
Each input (-F, repeatable; - is standard input) becomes one tape file: blocks of BLOCKSIZE
bytes (the last one short), CRC-32C, compressed as -c says (zlib level 1 unless --zlib-level),
then one filemark. Without --append writing starts at BOT and overwrites the whole tape, as
mhvtl's preload_tape does; with --append it starts at end of data (a last tape file without a
filemark is first closed with one). An empty input writes just a filemark. NULL cartridges
record the index only. Data, index and filemark list are byte-identical to what mhvtl writes
for the same input: for NONE always; for LZO too (LZO1X-1 with liblzo2's parameters); for
ZLIB at level 1 as long as vtl links stock zlib (as built here; zlib-ng or miniz would give
other, equally valid streams); --zlib-level 2..9 is beyond mhvtl. Only the MAM differs: mhvtl
leaves it untouched, vtl records the load as a drive does (below).

The cartridge is <HOME>/<PCL>: HOME is -H, else the home of library -l in CONFDIR/device.conf,
else the first library of device.conf (in file order) whose home holds a PCL directory.
CONFDIR is -C, else $VTL_CONFIG_DIR, else /etc/vtl. A cartridge directory can be given instead
of -m.

As a drive: the load is counted (LoadCount + 1, written when writing starts) and at the end
the MAM gets the remaining capacity, MiB written in this load and in the medium's life, and the
date last written. Data is durable at each filemark.

Capacity: before anything is written (and before the load is counted) the inputs of known size
(files, standard input redirected from a file) must fit in what remains from the start point;
for LZO/ZLIB no compression gain is assumed (--force-fit drops that check and counts on
compression). Inputs whose fit is not proven this way (streams, anything after a stream, with
--force-fit) stop at early warning (2 MiB before the end): the blocks written stay, are closed
with a filemark so the tape stays well formed, and the message names the incomplete tape file.

--plan FILE.json writes many tapes in one run: a JSON array of
  {\"pcl\": \"E01001L8\", \"files\": [\"a\", \"b\"], \"block_size\": 262144, \"compression\": \"LZO\"}
(optional per tape: \"zlib_level\", \"append\"); -H/-l/-C, --append, --zlib-level and --create
apply to all. Arguments, inputs and where each cartridge is are checked before the first
tape is written; capacity and write permission are checked for each tape just before it is
written, and a tape that fails is reported while the others are still written. --create DENSITY makes missing cartridges (data
medium, legacy format unless --format v6, capacity --create-size MiB or else the density's
native capacity) in the home of -H or -l.

Speed: a reader thread, compression workers (--threads, default one per core) and the writer
(compression of block n+1 while block n is written); buffers in flight stay under about
32 MiB (8 MiB for NONE), more only for blocks over 1 MiB.
A progress bar (bytes, rate, compression ratio, ETA) is drawn on standard error when it is a
terminal; --json prints a summary on standard output.

Exit status:
  0  every input is on its tape
  1  usage or argument error (bad option, block size outside 1..16777215, unknown
     compression or density, unreadable input file or plan); nothing was written
  2  a cartridge cannot be found, opened, created or written (locked, write protected,
     cleaning, WORM with data and no --append, I/O error), or an input cannot be read
  3  the inputs do not fit; nothing was written to that cartridge
  4  the tape filled while writing: a tape file is incomplete or inputs were not written
With --plan the status is the highest of all tapes.";

/// The on-disk format chosen with `--format`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// mhvtl 1.4 .. 1.7 layout: data, indx, meta.
    Legacy,
    /// mhvtl 1.8 layout: mam, mhvtl_data, data.0, indx.0, meta.0.
    V6,
}

/// Command line.
#[derive(Debug, clap::Parser)]
#[command(
    name = "preload_tape",
    version,
    about = "Write files onto virtual tape cartridges (mhvtl-compatible)",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Barcode (PCL) of the cartridge.
    #[arg(
        short = 'm',
        long = "pcl",
        value_name = "PCL",
        required_unless_present_any = ["dir", "plan"]
    )]
    pub pcl: Option<String>,

    /// Cartridge directory, used as is instead of -m (no device.conf needed).
    #[arg(value_name = "DIR", conflicts_with_all = ["pcl", "library", "home", "config_dir"])]
    pub dir: Option<PathBuf>,

    /// Input file; repeat for several tape files; `-` reads standard input.
    #[arg(
        short = 'F',
        long = "file",
        value_name = "FILE",
        required_unless_present = "plan"
    )]
    pub files: Vec<PathBuf>,

    /// Block size in bytes (K and M suffixes allowed), 1 ..= 16777215.
    // Parsed by `preload_tape::plan::parse_block_size`, which `main.rs` attaches.
    #[arg(
        short = 'b',
        long = "block-size",
        value_name = "BLOCKSIZE",
        required_unless_present = "plan"
    )]
    pub block_size: Option<usize>,

    /// Compression: NONE, LZO or ZLIB (any case).
    #[arg(
        short = 'c',
        long = "compression",
        value_name = "NONE|LZO|ZLIB",
        default_value = "NONE"
    )]
    pub compression: String,

    /// zlib level for -c ZLIB (mhvtl always uses 1).
    #[arg(long, value_name = "1-9", default_value_t = 1)]
    pub zlib_level: u32,

    /// Library whose media home holds the cartridge (mhvtl ignores this value; we do not).
    #[arg(short = 'l', long = "library", value_name = "LIB")]
    pub library: Option<u32>,

    /// Configuration directory holding device.conf [default: $VTL_CONFIG_DIR, else /etc/vtl].
    #[arg(short = 'C', long = "config-dir", value_name = "CONFDIR")]
    pub config_dir: Option<PathBuf>,

    /// Media home directory: the cartridge is HOME/PCL (device.conf is not read).
    #[arg(
        short = 'H',
        long = "home",
        value_name = "HOME",
        conflicts_with = "library"
    )]
    pub home: Option<PathBuf>,

    /// Write at end of data instead of from BOT.
    #[arg(long)]
    pub append: bool,

    /// Write the tapes listed in a JSON plan (see below) instead of -m/-F/-b/-c.
    #[arg(long, value_name = "FILE.json", conflicts_with_all = ["pcl", "dir", "files", "block_size"])]
    pub plan: Option<PathBuf>,

    /// Create missing cartridges with this density (e.g. LTO8) in the home of -H or -l.
    #[arg(long, value_name = "DENSITY")]
    pub create: Option<String>,

    /// On-disk format of cartridges made by --create.
    #[arg(long, value_enum, default_value = "legacy", requires = "create")]
    pub format: FormatArg,

    /// Capacity in MiB of cartridges made by --create [default: the density's native capacity].
    #[arg(long, value_name = "MB", requires = "create")]
    pub create_size: Option<u64>,

    /// LZO/ZLIB: skip the capacity pre-check (count on compression; stops at early warning).
    #[arg(long)]
    pub force_fit: bool,

    /// Compression worker threads [default: number of cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print a JSON summary on standard output.
    #[arg(long)]
    pub json: bool,

    /// Never draw the progress bar (it is drawn only when standard error is a terminal).
    #[arg(long)]
    pub no_progress: bool,

    /// Print each tape file written.
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Debug (accepted for mhvtl compatibility; same as -v).
    #[arg(short = 'd')]
    pub debug: bool,
}

/// The clap command of [`Cli`], before the program attaches `-b`'s parser: what
/// `man/preload_tape.1` is made from (`preload_tape --help` prints the same).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
