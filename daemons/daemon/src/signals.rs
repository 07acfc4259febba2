//! Signals without handlers: SIGTERM, SIGINT and SIGHUP are blocked in every thread
//! ([`block`], called before any thread starts, so that the threads inherit the mask) and
//! taken by one thread with sigwait(3) ([`spawn_waiter`]), which runs ordinary code — no
//! async-signal-safety constraints, nothing that can panic in a handler. SIGPIPE is already
//! ignored by the Rust runtime (a closed socket is an error, not a death).

use std::io;
use std::thread::JoinHandle;

/// A signal the daemons act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM: stop cleanly (systemd's stop, `kill`).
    Term,
    /// SIGINT: stop cleanly (Ctrl-C in a terminal).
    Int,
    /// SIGHUP: logged, otherwise ignored (the configuration is read at start only).
    Hup,
}

impl Signal {
    /// The signal's name (`SIGTERM`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Signal::Term => "SIGTERM",
            Signal::Int => "SIGINT",
            Signal::Hup => "SIGHUP",
        }
    }

    /// Whether the daemon stops on it.
    pub fn stops(self) -> bool {
        matches!(self, Signal::Term | Signal::Int)
    }

    fn from_raw(n: libc::c_int) -> Option<Signal> {
        match n {
            libc::SIGTERM => Some(Signal::Term),
            libc::SIGINT => Some(Signal::Int),
            libc::SIGHUP => Some(Signal::Hup),
            _ => None,
        }
    }
}

/// The blocked set, to give [`spawn_waiter`].
#[derive(Clone, Copy)]
pub struct Blocked(libc::sigset_t);

impl std::fmt::Debug for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Blocked(SIGTERM, SIGINT, SIGHUP)")
    }
}

/// Block SIGTERM, SIGINT and SIGHUP in the calling thread (and so in every thread it
/// starts afterwards).
///
/// Errors: sigprocmask failed (it does not for these signals).
pub fn block() -> io::Result<Blocked> {
    // SAFETY: sigset_t is plain data initialised by sigemptyset before use; the calls only
    // read and write the set and the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        Ok(Blocked(set))
    }
}

/// Start the thread (named `signals`) that waits for the signals of `set` and calls
/// `on_signal` for each; it runs until the process ends.
///
/// Errors: the thread could not be started.
pub fn spawn_waiter(
    set: Blocked,
    mut on_signal: impl FnMut(Signal) + Send + 'static,
) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            loop {
                let mut sig: libc::c_int = 0;
                // SAFETY: `set.0` is a valid, initialised set; sigwait writes `sig`.
                let rc = unsafe { libc::sigwait(&set.0, &mut sig) };
                if rc != 0 {
                    continue;
                }
                if let Some(s) = Signal::from_raw(sig) {
                    on_signal(s);
                }
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Signal::Term.name(), "SIGTERM");
        assert!(Signal::Term.stops() && Signal::Int.stops() && !Signal::Hup.stops());
        assert_eq!(Signal::from_raw(libc::SIGHUP), Some(Signal::Hup));
        assert_eq!(Signal::from_raw(libc::SIGUSR1), None);
    }
}
