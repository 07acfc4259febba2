//! vtltape: one tape drive of device.conf as a daemon (see `vtltape --help` and
//! man/vtltape.1).
//!
//! Start: configuration ([`setup::drive_setup`]), the logical unit attached
//! ([`KernelUnit::attach`]), the socket bound, privileges dropped, the media home checked,
//! then — for a drive in a library — the cartridge the library's state file puts in this
//! drive loaded again ([`restore`]). Serve ([`run`]), the drive's state reported to its
//! status FIFO if it has one ([`crate::drive_status`]). End: the cartridge unloaded (written
//! back), and after a clean stop the unit removed.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};

use vtl_config::LibraryContents;
use vtl_control::{DriveControl, Server};
use vtl_kernel::DeviceType;
use vtltape::TapeDrive;

use crate::cli::TapeCli;
use crate::daemon::{Daemon, Ending, Stopper, run};
use crate::drive_status::{Activity, DriveStatus, Reporting, ReportingControl};
use crate::served::{Delaying, Served};
use crate::setup::{self, Address, DriveSetup};
use crate::signals::Blocked;
use crate::start::{self, EXIT_OK, EXIT_SERVE, EXIT_SETUP, Started};
use crate::transport::{KernelUnit, Transport};

/// The cartridge to load at start: for a drive in library `lib` as drive element `slot`,
/// the one the library's state file (in `home`) puts there; `None` for a stand-alone drive,
/// an empty element, or a state file the library will not use. Problems reading are
/// returned as warnings.
pub fn cartridge_to_restore(
    conf_dir: &Path,
    home: &Path,
    library: Option<(u32, u32)>,
) -> (Option<String>, Vec<String>) {
    let Some((lib, slot)) = library else {
        return (None, Vec::new());
    };
    let contents = match LibraryContents::read(conf_dir, lib) {
        Ok((c, _)) => c,
        Err(e) => return (None, vec![format!("not restoring a cartridge: {e}")]),
    };
    match setup::read_state(home, lib) {
        Ok(state) => (
            setup::cartridge_for_drive(state.as_ref(), &contents, slot),
            Vec::new(),
        ),
        Err(why) => (
            None,
            vec![format!(
                "not restoring a cartridge: state file of library {lib}: {why}"
            )],
        ),
    }
}

/// Load the cartridge the library's state file puts in this drive (module documentation),
/// logging what happens and reporting the load to `status`.
pub fn restore(
    drive: &Mutex<TapeDrive>,
    status: &Mutex<DriveStatus>,
    conf_dir: &Path,
    s: &DriveSetup,
) {
    let (pcl, warnings) = cartridge_to_restore(conf_dir, &s.home, s.library);
    for w in warnings {
        tracing::warn!("{w}");
    }
    let Some(pcl) = pcl else {
        return;
    };
    DriveStatus::around(status, drive, Activity::Load, || {
        let mut d = drive.lock().unwrap_or_else(PoisonError::into_inner);
        match d.load_barcode(&pcl) {
            Ok(()) => tracing::info!("{pcl} loaded again (the library's state file has it here)"),
            Err(e) => {
                if d.cartridge_barcode().as_deref() == Some(&pcl) {
                    let _ = d.unload();
                }
                tracing::warn!("{pcl}: the library's state file has it here, but: {e}")
            }
        }
    });
}

/// The drive's status FIFO: `vtltape -f`, else its stanza's `fifo:`, else none.
pub fn status_fifo<'a>(cli: &'a TapeCli, s: &'a DriveSetup) -> Option<&'a Path> {
    cli.fifo.as_deref().or(s.fifo.as_deref())
}

/// Write back and take out the cartridge at the end, whatever PREVENT ALLOW MEDIUM REMOVAL
/// said (the daemon is going away; the library's record keeps it in this drive).
pub fn unload_at_exit(drive: &Mutex<TapeDrive>) {
    let mut d = drive.lock().unwrap_or_else(PoisonError::into_inner);
    d.drive_mut().set_prevent_removal(false);
    match d.unload() {
        Ok(Some(pcl)) => tracing::info!("{pcl} unloaded"),
        Ok(None) => {}
        Err(e) => tracing::error!("unloading at exit: {e}"),
    }
}

/// `vtltape`'s main.
pub fn main(cli: TapeCli) -> ExitCode {
    let c = &cli.common;
    let id = c.id;
    let started = match start::begin(c, &format!("vtltape {id}")) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let default_home = Path::new(libvtlcart::home::DEFAULT_HOME);
    let s = match setup::drive_setup(&started.conf, id, &started.conf_file(), default_home) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    tracing::info!(
        "drive {id}: {} {} serial {} at {}, {}, media home {}",
        if s.config.vendor.is_empty() {
            "(personality's vendor)"
        } else {
            &s.config.vendor
        },
        s.config.product,
        s.config.serial,
        s.address,
        match s.library {
            Some((l, n)) => format!("drive {n} of library {l}"),
            None => "stand-alone".into(),
        },
        s.home.display()
    );
    let fifo = status_fifo(&cli, &s);

    let Attached {
        mut transport,
        reattached,
        server,
    } = match attach_and_bind(
        &started,
        &c.control,
        id,
        s.address,
        DeviceType::Tape,
        &s.home,
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };

    // After the privilege drop: the FIFO is created as the user the daemon runs as.
    let (status, warning) = DriveStatus::open(fifo, id);
    if let Some(w) = warning {
        tracing::warn!("{w}");
    }
    let status = Arc::new(Mutex::new(status));
    let drive = Arc::new(Mutex::new(TapeDrive::new(s.config.clone())));
    restore(&drive, &status, &started.conf_dir, &s);
    status
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .started();
    let stop = match stop_on_signals(started.signals) {
        Ok(stop) => stop,
        Err(e) => return fail_attached(&format!("signal thread: {e}"), transport, reattached),
    };
    let handler = ReportingControl::new(
        DriveControl::new(id, drive.clone())
            .with_settings(started.settings.clone())
            .with_log(|line| tracing::info!("{line}")),
        drive.clone(),
        status.clone(),
    );
    let lu = Reporting::new(
        Served::new(
            drive.clone(),
            started.settings.clone(),
            stop.clone(),
            Delaying::Drive,
        ),
        drive.clone(),
        status,
    );
    let ending = serve(
        Daemon {
            server,
            handler: Box::new(handler),
            lu: Box::new(lu),
            stop,
        },
        transport.as_mut(),
    );
    unload_at_exit(&drive);
    finish(ending, transport)
}

/// What both daemons hold before serving: the unit attached (added, or taken over from a
/// dead daemon), the control socket bound, privileges dropped.
pub struct Attached {
    /// The attached unit.
    pub transport: Box<dyn Transport>,
    /// Taken over from a dead daemon (then it is left in place if the start fails later).
    pub reattached: bool,
    /// The bound control socket.
    pub server: Server,
}

/// The start-up steps both daemons share once their configuration is read: attach the unit
/// at `address` through the module's `control` device, bind daemon `id`'s socket, drop
/// privileges (the media home `home` must stay writable).
///
/// Errors: the exit status, after logging (a unit this daemon added is removed again).
pub fn attach_and_bind(
    started: &Started,
    control: &Path,
    id: u32,
    address: Address,
    ty: DeviceType,
    home: &Path,
) -> Result<Attached, ExitCode> {
    let unit = KernelUnit::attach(control, address, ty).map_err(|e| fail(&e.to_string()))?;
    let reattached = unit.reattached();
    tracing::info!(
        "{} unit {}",
        if reattached { "took over" } else { "added" },
        unit.describe()
    );
    let transport: Box<dyn Transport> = Box::new(unit);
    let server = match start::bind(&started.run_dir, id, &started.decision) {
        Ok(sv) => sv,
        Err(e) => return Err(fail_attached(&e, transport, reattached)),
    };
    if let Err(e) = start::drop_privileges(&started.decision, home) {
        return Err(fail_attached(&e, transport, reattached));
    }
    Ok(Attached {
        transport,
        reattached,
        server,
    })
}

/// The stop flag, set by SIGTERM/SIGINT from a thread that waits for the signals `signals`
/// blocked at start ([`Stopper`]).
///
/// Errors: the thread could not be started.
pub fn stop_on_signals(signals: Blocked) -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let stopper = Stopper::new(stop.clone());
    crate::signals::spawn_waiter(signals, move |sig| stopper.on_signal(sig))?;
    Ok(stop)
}

/// Tell systemd the daemon is ready and [`run`] `d` on `transport`.
pub fn serve(d: Daemon, transport: &mut dyn Transport) -> Ending {
    tracing::info!("serving on {}", d.server.path().display());
    let _ = crate::notify::notify("READY=1");
    run(d, transport)
}

/// After [`run`]: remove the unit after a clean stop; the exit status.
pub fn finish(ending: Ending, transport: Box<dyn Transport>) -> ExitCode {
    match ending {
        Ending::Stopped => {
            let what = transport.describe();
            match transport.remove() {
                Ok(()) => {
                    tracing::info!("removed unit {what}; stopped");
                    ExitCode::from(EXIT_OK)
                }
                Err(e) => {
                    tracing::error!("removing unit {what}: {e}");
                    ExitCode::from(EXIT_SERVE)
                }
            }
        }
        Ending::Failed(why) => {
            tracing::error!("stopped: {why}; the unit is left for a restarted daemon");
            ExitCode::from(EXIT_SERVE)
        }
    }
}

/// A start-up error before the unit exists: logged, exit status 1.
pub fn fail(msg: &str) -> ExitCode {
    tracing::error!("{msg}");
    // Before logging is up (or if it is not), the message must still be seen.
    if !tracing::enabled!(tracing::Level::ERROR) {
        eprintln!("{msg}");
    }
    ExitCode::from(EXIT_SETUP)
}

/// A start-up error once the unit is attached: a unit this daemon added is removed again (it
/// never served); one taken over from a dead daemon is left as it was. Exit status 1.
pub fn fail_attached(msg: &str, transport: Box<dyn Transport>, reattached: bool) -> ExitCode {
    if !reattached {
        let what = transport.describe();
        if let Err(e) = transport.remove() {
            tracing::warn!("removing unit {what}: {e}");
        }
    }
    fail(msg)
}
