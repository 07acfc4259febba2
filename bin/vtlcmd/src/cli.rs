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
    about = "Send an operator command to a vtl tape drive or library daemon",
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
load map PCL: put a cartridge of the media home in the mail slot\n\n\
Exit status: 0 the daemon carried the command out (and after -h); 1 usage or validation \
error, device.conf unreadable, no daemon or no answer in time, and after -v; 2 the daemon \
refused the command or it failed there.\n\n\
Examples:\n  \
vtlcmd 10 open map\n  \
vtlcmd 10 load map E01099L8\n  \
vtlcmd 11 TapeAlert 0x0000000000000014\n  \
vtlcmd 10 status --json"
)]
pub struct Cli {
    /// Configuration directory holding device.conf [default: $VTL_CONFIG_DIR or /etc/vtl].
    #[arg(short = 'C', value_name = "CONFDIR")]
    pub config_dir: Option<PathBuf>,
    /// Directory of the daemons' control sockets (vtl-N.sock) [default: $VTL_RUNTIME_DIR or
    /// /run/vtl].
    #[arg(long, value_name = "DIR")]
    pub runtime_dir: Option<PathBuf>,
    /// Seconds to wait for the daemon's reply.
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
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
}

/// The clap command of [`Cli`]: what `vtlcmd` parses and what `man/vtlcmd.1` is made from.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
