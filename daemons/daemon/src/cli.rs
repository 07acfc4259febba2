//! The command lines of vtltape and vtllibrary (mhvtl's `-q ID [-d] [-v[N]] [-F]`, plus
//! `-C CONFDIR`, `--runtime-dir`, `--user`), apart from the programs so that the man page
//! generator (`cargo xtask man`, which includes this file) builds the very `clap::Command`
//! that `--help` prints. Depends on clap and std only.

use std::path::PathBuf;

/// The options both daemons take.
#[derive(clap::Args, Debug, Clone, PartialEq, Eq)]
pub struct Common {
    /// The daemon's number: its 'Drive: ID' or 'Library: ID' stanza of device.conf (0 to
    /// 32767), also its vtlcmd device number.
    #[arg(short = 'q', value_name = "ID",
          value_parser = clap::value_parser!(u32).range(0..=32767))]
    pub id: u32,
    /// Configuration directory holding device.conf and library_contents.ID [default:
    /// $VTL_CONFIG_DIR or /etc/vtl].
    #[arg(short = 'C', value_name = "CONFDIR")]
    pub config_dir: Option<PathBuf>,
    /// Debug logging from the start (vtlcmd ID debug toggles it).
    #[arg(short = 'd')]
    pub debug: bool,
    /// Log verbosity 1 to 3 (-v alone is 1; vtlcmd ID verbose cycles it).
    #[arg(short = 'v', value_name = "N", num_args = 0..=1, default_missing_value = "1",
          value_parser = clap::value_parser!(u8).range(0..=3))]
    pub verbose: Option<u8>,
    /// Stay in the foreground: accepted for mhvtl's command lines; the daemon always does
    /// (vtlcmd start and systemd detach it).
    #[arg(short = 'F')]
    pub foreground: bool,
    /// Directory of the control sockets (vtl-ID.sock) [default: $VTL_RUNTIME_DIR or
    /// /run/vtl].
    #[arg(long, value_name = "DIR")]
    pub runtime_dir: Option<PathBuf>,
    /// User to run as once the kernel devices are open and the socket is bound (its
    /// primary group too); 'root' keeps root [default: vtl, when started as root and that
    /// user exists].
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// The vtl kernel module's control device.
    #[arg(long, value_name = "PATH", default_value = "/dev/vtl/control")]
    pub control: PathBuf,
}

/// The drive daemon.
#[derive(clap::Parser, Debug)]
#[command(
    name = "vtltape",
    version,
    about = "vtl's tape drive daemon: one SSC tape drive of device.conf on the vtl kernel module",
    after_help = "vtltape reads the Drive: ID stanza of CONFDIR/device.conf, creates (or, after a \
crash, takes over) the drive's logical unit at its CHANNEL, TARGET and LUN on the vtl kernel \
module's SCSI host, answers the SCSI commands the kernel sends it (st gives it /dev/nstN, sg \
/dev/sgN), and listens for vtlcmd and its library on RUNDIR/vtl-ID.sock.\n\n\
A drive with a Library ID: finds its cartridges in that library's Home directory: and takes \
the cartridge the library's state file puts in it; a stand-alone drive finds them in its own \
Home directory: (a vtl extension), else /opt/vtl, and is loaded with vtlcmd ID load PCL.\n\n\
Started as root, the daemon opens the kernel devices and binds its socket, then runs as user \
vtl (or --user NAME) and its group, which must be able to write the media home. It logs to \
standard error (journald under systemd): warnings and state changes always, each SCSI command \
with -v or -v2, its CDB bytes with -v3 or -d.\n\n\
SIGTERM, SIGINT and vtlcmd ID exit stop it cleanly: the cartridge is unloaded (it is loaded \
again at the next start) and the logical unit removed. If the daemon dies instead, the logical \
unit stays and answers NOT READY until a restarted daemon takes it over. SIGHUP is logged and \
otherwise ignored.\n\n\
Exit status: 0 stopped cleanly; 1 usage, configuration, kernel or privilege error at start (nothing \
was served); 2 the kernel interface failed while serving (the logical unit is left for a \
restarted daemon).\n\n\
With a status FIFO (fifo: in the stanza, or -f) the daemon writes one line per state change \
to it, as 'TIME - ID: - STATE': Initialising, Idle, Loading, Loading WORM media, Loading NULL \
media, Loading Cleaning Tape, Loaded, Load failed, Rewinding, Positioning, Reading, Writing, \
Erasing, Verifying, Loaded - Idle, Unloading, Unloaded. The FIFO is created (mode 0644) if \
absent; when nobody reads it, lines that do not fit in the pipe are dropped and the drive \
never waits.\n\n\
Examples:\n  \
vtltape -q 11 -F\n  \
vtltape -q 11 -f /run/vtl/drive11.fifo\n  \
vtltape -q 11 -C /srv/vtl/etc -v2 --runtime-dir /run/vtl-test\n  \
systemctl start vtltape@11"
)]
pub struct TapeCli {
    /// The options both daemons take.
    #[command(flatten)]
    pub common: Common,
    /// Status FIFO, instead of device.conf's fifo: (one line per state change).
    #[arg(short = 'f', value_name = "FIFO")]
    pub fifo: Option<PathBuf>,
}

/// The library daemon.
#[derive(clap::Parser, Debug)]
#[command(
    name = "vtllibrary",
    version,
    about = "vtl's tape library daemon: one SMC medium changer of device.conf on the vtl kernel \
module",
    after_help = "vtllibrary reads the Library: ID stanza of CONFDIR/device.conf and \
CONFDIR/library_contents.ID, creates (or takes over) the changer's logical unit at its CHANNEL, \
TARGET and LUN on the vtl kernel module's SCSI host, answers the SCSI commands the kernel sends \
it (mtx and backup software use its /dev/sgN), and listens for vtlcmd on RUNDIR/vtl-ID.sock.\n\n\
Its drives are the Drive: stanzas whose Library ID: is ID, each run by its own vtltape: \
MOVE MEDIUM to or from a drive reaches that drive's daemon through RUNDIR/vtl-DRIVE.sock. \
What each element holds is kept in the library's state file, .vtl-library-ID.state in its \
Home directory:, written before every move completes, so the library may start before or \
after its drives.\n\n\
Started as root, the daemon opens the kernel devices and binds its socket, then runs as user \
vtl (or --user NAME) and its group, which must be able to write the media home. It logs to \
standard error (journald under systemd): warnings and state changes always, each SCSI command \
with -v or -v2, its CDB bytes with -v3 or -d.\n\n\
SIGTERM, SIGINT and vtlcmd ID exit stop it cleanly and remove its logical unit. If the daemon \
dies instead, the logical unit stays and answers NOT READY until a restarted daemon takes it \
over. SIGHUP is logged and otherwise ignored.\n\n\
Exit status: 0 stopped cleanly; 1 usage, configuration, kernel or privilege error at start (nothing \
was served); 2 the kernel interface failed while serving (the logical unit is left for a \
restarted daemon).\n\n\
Examples:\n  \
vtllibrary -q 10 -F\n  \
vtllibrary -q 10 -f /run/vtl/library10.fifo -v\n  \
systemctl start vtllibrary@10"
)]
pub struct LibraryCli {
    /// The options both daemons take.
    #[command(flatten)]
    pub common: Common,
    /// Status FIFO, instead of device.conf's fifo: (one line per state change and move).
    #[arg(short = 'f', value_name = "FIFO")]
    pub fifo: Option<PathBuf>,
}

/// The clap command of [`TapeCli`]: what `vtltape` parses and what `man/vtltape.1` is made
/// from.
pub fn vtltape_command() -> clap::Command {
    <TapeCli as clap::CommandFactory>::command()
}

/// The clap command of [`LibraryCli`]: what `vtllibrary` parses and what `man/vtllibrary.1`
/// is made from.
pub fn vtllibrary_command() -> clap::Command {
    <LibraryCli as clap::CommandFactory>::command()
}
