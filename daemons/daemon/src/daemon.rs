//! The running daemon: two threads around one logical unit.
//!
//! * **serve** (the calling thread): the [`Transport`] executes the SCSI commands on the
//!   unit until the stop flag is set;
//! * **control**: the control socket's [`Server`] answers vtlcmd (and, for a drive, its
//!   library) with the daemon's handler, until `exit`.
//!
//! Stopping: `exit` on the socket sets the stop flag (the serve loop notices it within a
//! second); SIGTERM/SIGINT set it too ([`Stopper::stop`]), and once the serve loop has
//! returned the daemon sends `exit` to its own socket to end the control thread. A failing
//! transport ends the same way, and so does a control socket that fails (accept errors):
//! both are [`Ending::Failed`]. [`run`] returns when both threads are done; what to do
//! next (unload, remove the unit) is the caller's, according to the [`Ending`].

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use vtl_control::{Client, Control, Outcome, Request, Server};
use vtl_scsi::LogicalUnit;

use crate::signals::Signal;
use crate::transport::Transport;

/// How long the daemon waits for its own control thread to take `exit`.
pub const SELF_EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Asked to stop (`exit`, SIGTERM, SIGINT): a clean end.
    Stopped,
    /// The transport failed; the text says how. The unit is left for a restarted daemon.
    Failed(String),
}

/// Sets a daemon's stop flag, from a signal or anywhere else.
#[derive(Debug, Clone)]
pub struct Stopper(Arc<AtomicBool>);

impl Stopper {
    /// A stopper of `flag`.
    pub fn new(flag: Arc<AtomicBool>) -> Self {
        Stopper(flag)
    }

    /// Ask the daemon to stop.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// What the daemon does on `sig`: stop on SIGTERM and SIGINT (logged, and told to
    /// systemd), log SIGHUP.
    pub fn on_signal(&self, sig: Signal) {
        if sig.stops() {
            tracing::info!("{}: stopping", sig.name());
            let _ = crate::notify::notify("STOPPING=1");
            self.stop();
        } else {
            tracing::info!(
                "{}: ignored (the configuration is read at start; restart the daemon to apply changes)",
                sig.name()
            );
        }
    }
}

/// One daemon's parts.
pub struct Daemon {
    /// The bound control socket.
    pub server: Server,
    /// The control handler (vtl_control's DriveControl or LibraryControl).
    pub handler: Box<dyn Control + Send>,
    /// The logical unit the transport serves.
    pub lu: Box<dyn LogicalUnit>,
    /// The stop flag (shared with the [`Stopper`]s and the unit's delays).
    pub stop: Arc<AtomicBool>,
}

impl std::fmt::Debug for Daemon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Daemon")
            .field("server", &self.server)
            .field("stop", &self.stop)
            .finish_non_exhaustive()
    }
}

/// Run `d` on `transport` until it is asked to stop or the transport fails (module
/// documentation). The control socket is gone when this returns.
pub fn run(d: Daemon, transport: &mut dyn Transport) -> Ending {
    let Daemon {
        server,
        mut handler,
        mut lu,
        stop,
    } = d;
    let socket: PathBuf = server.path().to_path_buf();
    let control_done = Arc::new(AtomicBool::new(false));
    let (done, stop2) = (control_done.clone(), stop.clone());
    let wrapped = move |req: Request| -> Outcome {
        let line = req.to_string();
        let out = handler.handle(req);
        // The reply's first line only (a status report has many).
        let first = out.reply.text.lines().next().unwrap_or_default();
        if out.reply.ok {
            tracing::debug!("control: {line}: ok {first}");
        } else {
            tracing::info!("control: {line}: refused: {first}");
        }
        if out.shutdown {
            done.store(true, Ordering::SeqCst);
            stop2.store(true, Ordering::SeqCst);
        }
        out
    };
    let stop3 = stop.clone();
    let control = std::thread::Builder::new()
        .name("control".into())
        .spawn(move || {
            let r = server.serve(wrapped);
            // Without its control socket the daemon cannot be managed: it stops too.
            stop3.store(true, Ordering::SeqCst);
            r
        });
    let control = match control {
        Ok(h) => h,
        Err(e) => return Ending::Failed(format!("cannot start the control thread: {e}")),
    };

    let served = transport.serve(lu.as_mut(), &stop);
    stop.store(true, Ordering::SeqCst);
    let mut ending = match served {
        Ok(()) => Ending::Stopped,
        Err(e) => {
            tracing::error!("serving {}: {e}", transport.describe());
            Ending::Failed(e)
        }
    };
    if !control_done.load(Ordering::SeqCst) {
        // The control thread is still answering: end it with its own `exit`.
        if let Err(e) = Client::request(&socket, &Request::Exit, SELF_EXIT_TIMEOUT) {
            tracing::debug!("exit to own control socket: {e}");
        }
    }
    let failed = match control.join() {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(format!("control socket {}: {e}", socket.display())),
        Err(_) => Some("the control thread panicked".to_string()),
    };
    if let Some(why) = failed {
        tracing::error!("{why}");
        if ending == Ending::Stopped {
            ending = Ending::Failed(why);
        }
    }
    ending
}
