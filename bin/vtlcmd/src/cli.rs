//! vtlcmd's command line, apart from the program so that the man page generator
//! (`cargo xtask man`, which includes this file) builds the very `clap::Command` that
//! `vtlcmd --help` prints. Depends on clap and std only.

use std::path::PathBuf;

/// Send an operator command to a vtl drive or library daemon (mhvtl-compatible).
#[derive(clap::Parser, Debug)]
#[command(
    name = "vtlcmd",
    version,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_negates_reqs = true,
    about = "Send an operator command to a vtl tape drive or library daemon; start or stop them all",
    after_help = "Options go before DEVICE_NO: every word after it is part of the command. \
-help and /h are -h, as in mhvtl.\n\n\
Commands for any device:\n  \
verbose: log verbosity 3, 2, 1, off, 3...\n  \
debug: debug logging on or off\n  \
exit: the daemon shuts down\n  \
TapeAlert HEX64: set the TapeAlert flags (flag n is bit n-1)\n  \
InquiryDataChange: unit attention INQUIRY DATA HAS CHANGED\n  \
status [--json]: what the daemon holds, as text or JSON\n\
Commands for a drive:\n  \
load PCL, unload PCL: put the cartridge in the drive, take it out\n  \
compression zlib|lzo: compression algorithm for new blocks\n  \
Append Only Yes|No: append-only mode\n  \
delay load|unload|rewind|position|thread SECS: added delay (at most 20 s, rewind 30 s)\n  \
dump: the drive's state to the daemon's log\n\
Commands for a library (replies as mhvtl's):\n  \
online, offline: serve SCSI commands, or answer NOT READY\n  \
add slot: one more storage slot; prints slot=N\n  \
open map, close map: open or close the mail slot door; prints OK\n  \
empty map: take every cartridge out of the mail slot\n  \
list map: prints Contents: and the barcodes in the mail slot\n  \
load map PCL: put a cartridge of the media home in the mail slot\n\
Commands without DEVICE_NO, for every daemon of device.conf:\n  \
start: start them, return once all are ready\n  \
stop: stop them, remove the logical units dead daemons left\n\n\
vtlcmd start starts a vtllibrary for every Library: and a vtltape for every Drive: of \
device.conf (libraries first; daemons already running are left alone), each detached in a \
session of its own with its output appended to RUNDIR/vtl-ID.log, and returns once every \
logical unit is visible to the kernel and every daemon answers on its socket. If one fails \
or is not ready within --wait seconds, it names that daemon and prints the end of its log, \
stops the daemons it started and exits with status 1. vtlcmd stop sends exit to every \
daemon of device.conf, waits for them to end, then removes the logical units daemons that \
died have left. The daemons are found in $VTL_DAEMON_DIR, else next to vtlcmd, else on $PATH; \
without systemd (containers, virtual machines) these are the way to run vtl.\n\n\
Exit status: 0 the daemon carried the command out, every daemon is ready (start) or gone \
(stop), and after -h; 1 usage or validation error, device.conf unreadable, no daemon or no \
answer in time, a daemon that failed to start or to stop, and after -v; 2 the daemon \
refused the command or it failed there.\n\n\
Examples:\n  \
vtlcmd 10 open map\n  \
vtlcmd 10 load map E01099L8\n  \
vtlcmd 11 TapeAlert 0x0000000000000014\n  \
vtlcmd 10 status --json\n  \
vtlcmd start -C /etc/vtl\n  \
vtlcmd stop"
)]
pub struct Cli {
    /// Configuration directory holding device.conf [default: $VTL_CONFIG_DIR or /etc/vtl].
    #[arg(short = 'C', value_name = "CONFDIR", global = true)]
    pub config_dir: Option<PathBuf>,
    /// Directory of the daemons' control sockets (vtl-N.sock) [default: $VTL_RUNTIME_DIR or
    /// /run/vtl].
    #[arg(long, value_name = "DIR", global = true)]
    pub runtime_dir: Option<PathBuf>,
    /// Seconds to wait for the daemon's reply.
    #[arg(long, value_name = "SECS", default_value_t = 10, global = true,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// start, stop: seconds to wait for every daemon to be ready, or gone.
    #[arg(long, value_name = "SECS", default_value_t = 30, global = true,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub wait: u64,
    /// start, stop: the vtl kernel module's control device.
    #[arg(
        long,
        value_name = "PATH",
        default_value = "/dev/vtl/control",
        global = true
    )]
    pub control: PathBuf,
    /// Print the version on standard error and exit with status 1 (as mhvtl's vtlcmd).
    #[arg(short = 'v')]
    pub version: bool,
    /// Device number: a 'Drive: N' or 'Library: N' of device.conf, below 32768.
    #[arg(value_name = "DEVICE_NO", required_unless_present = "version")]
    pub device: Option<String>,
    /// The command and its arguments (see the list below), e.g. load map E01001L8.
    #[arg(
        value_name = "COMMAND",
        required_unless_present = "version",
        num_args = 1..,
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub command: Vec<String>,
    /// start or stop every daemon of device.conf.
    #[command(subcommand)]
    pub action: Option<Action>,
}

/// vtlcmd's own commands, for every daemon of device.conf at once.
#[derive(clap::Subcommand, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Start a vtllibrary for every Library: and a vtltape for every Drive: of device.conf;
    /// return once all are ready.
    Start,
    /// Stop every daemon of device.conf and remove the logical units dead daemons left.
    Stop,
}

/// The clap command of [`Cli`]: what `vtlcmd` parses and what `man/vtlcmd.1` is made from.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
