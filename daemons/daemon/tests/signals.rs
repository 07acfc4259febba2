//! Real signals (a test binary of its own, without the test harness, because the signals
//! must be blocked before any other thread starts): SIGTERM, SIGINT and SIGHUP sent to the
//! process reach the waiter thread as values, and the process survives them.

use std::sync::mpsc;
use std::time::Duration;

use vtl_daemon::signals::{self, Signal};

fn main() {
    let set = signals::block().expect("block");
    let (tx, rx) = mpsc::channel();
    signals::spawn_waiter(set, move |s| {
        let _ = tx.send(s);
    })
    .expect("waiter");
    for (raw, want) in [
        (libc::SIGHUP, Signal::Hup),
        (libc::SIGTERM, Signal::Term),
        (libc::SIGINT, Signal::Int),
    ] {
        // SAFETY: sending a signal to this process, which has it blocked in every thread.
        assert_eq!(unsafe { libc::kill(libc::getpid(), raw) }, 0);
        let got = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|e| panic!("{}: {e}", want.name()));
        assert_eq!(got, want);
    }
    println!("3 passed, 0 failed");
}
