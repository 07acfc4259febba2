//! The logical unit a daemon gives its transport: the drive or library it shares with its
//! control handler (behind a mutex, locked for one command at a time), with the command
//! logged and, for a drive, the operator's delays waited out first ([`Served`]).
//!
//! Delays (vtlcmd `delay KIND SECS`, stored in [`Settings`](vtl_control::Settings)): before
//! REWIND the rewind delay; before LOAD UNLOAD with LOAD set the load and thread delays,
//! with LOAD clear the unload delay; before SPACE(6), SPACE(16), LOCATE(10) and LOCATE(16)
//! the position delay ([`drive_delay`]). The wait is cut short when the daemon is asked to
//! stop.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use vtl_control::{Delays, SharedSettings, settings::with_settings};
use vtl_scsi::{LogicalUnit, Reply, Request, ResetEvent, Status};

/// REWIND (SSC-5 7.8).
const REWIND: u8 = 0x01;
/// LOAD UNLOAD (SSC-5 7.2).
const LOAD_UNLOAD: u8 = 0x1b;
/// SPACE(6) (SSC-5 7.12).
const SPACE6: u8 = 0x11;
/// SPACE(16) (SSC-5 7.13).
const SPACE16: u8 = 0x91;
/// LOCATE(10) (SSC-5 7.4).
const LOCATE10: u8 = 0x2b;
/// LOCATE(16) (SSC-5 7.5).
const LOCATE16: u8 = 0x92;

/// Seconds to wait before a tape drive executes `cdb` (module documentation); 0 for every
/// other command and for a CDB too short to say (the drive rejects it).
pub fn drive_delay(cdb: &[u8], d: &Delays) -> u32 {
    match cdb.first() {
        Some(&REWIND) => d.rewind,
        Some(&LOAD_UNLOAD) => match cdb.get(4) {
            Some(b) if b & 1 == 1 => d.load + d.thread,
            Some(_) => d.unload,
            None => 0,
        },
        Some(&(SPACE6 | SPACE16 | LOCATE10 | LOCATE16)) => d.position,
        _ => 0,
    }
}

/// Which delays apply to a unit's commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delaying {
    /// A tape drive: [`drive_delay`].
    Drive,
    /// A medium changer: none.
    Changer,
}

/// A shared logical unit as the transport serves it.
pub struct Served<L> {
    unit: Arc<Mutex<L>>,
    settings: SharedSettings,
    stop: Arc<AtomicBool>,
    delaying: Delaying,
}

impl<L> std::fmt::Debug for Served<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Served")
            .field("delaying", &self.delaying)
            .finish_non_exhaustive()
    }
}

impl<L: LogicalUnit> Served<L> {
    /// `unit` served with `settings` (verbosity, delays); waits end early once `stop` is
    /// set.
    pub fn new(
        unit: Arc<Mutex<L>>,
        settings: SharedSettings,
        stop: Arc<AtomicBool>,
        delaying: Delaying,
    ) -> Self {
        Served {
            unit,
            settings,
            stop,
            delaying,
        }
    }

    /// Sleep `secs` seconds, or until stop is asked.
    fn wait(&self, secs: u32) {
        let end = Instant::now() + Duration::from_secs(u64::from(secs));
        while !self.stop.load(Ordering::Relaxed) {
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }
}

/// `bytes` as hexadecimal pairs separated by spaces.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A reply for the log: `GOOD`, `CHECK CONDITION 05/24/00`, ...
pub fn describe(reply: &Reply) -> String {
    let status = match reply.status {
        Status::Good => "GOOD",
        Status::CheckCondition => "CHECK CONDITION",
        Status::Busy => "BUSY",
        Status::ReservationConflict => "RESERVATION CONFLICT",
        Status::TaskSetFull => "TASK SET FULL",
    };
    match &reply.sense {
        Some(s) => format!(
            "{status} {:02x}/{:02x}/{:02x}",
            s.key as u8, s.asc.0, s.asc.1
        ),
        None => status.to_string(),
    }
}

impl<L: LogicalUnit> LogicalUnit for Served<L> {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        if self.delaying == Delaying::Drive {
            let secs = with_settings(&self.settings, |s| drive_delay(req.cdb, &s.delays));
            if secs > 0 {
                tracing::debug!("op {:02x}: delay {secs} s", req.cdb.first().unwrap_or(&0));
                self.wait(secs);
            }
        }
        tracing::trace!(
            "nexus {} cdb [{}] data-out {} bytes",
            req.nexus,
            hex(req.cdb),
            req.data_out.len()
        );
        let reply = self
            .unit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .execute(req, data_in);
        tracing::debug!(
            "op {:02x} -> {} ({} bytes in)",
            req.cdb.first().unwrap_or(&0),
            describe(&reply),
            data_in.len()
        );
        reply
    }

    fn reset(&mut self, event: ResetEvent) {
        tracing::info!("reset: {event:?}");
        self.unit
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reset(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vtl_scsi::{Asc, Sense, SenseKey};

    #[test]
    fn delays_by_command() {
        let d = Delays {
            load: 1,
            unload: 2,
            rewind: 3,
            position: 4,
            thread: 5,
        };
        assert_eq!(drive_delay(&[0x01, 0, 0, 0, 0, 0], &d), 3);
        assert_eq!(drive_delay(&[0x1b, 0, 0, 0, 1, 0], &d), 6);
        assert_eq!(drive_delay(&[0x1b, 0, 0, 0, 0, 0], &d), 2);
        assert_eq!(
            drive_delay(&[0x1b, 0, 0, 0, 0x03, 0], &d),
            6,
            "LOAD and RETEN"
        );
        assert_eq!(drive_delay(&[0x1b, 0, 0], &d), 0, "too short to say");
        assert_eq!(drive_delay(&[0x11, 1, 0, 0, 1, 0], &d), 4);
        assert_eq!(drive_delay(&[0x91; 16], &d), 4);
        assert_eq!(drive_delay(&[0x2b; 10], &d), 4);
        assert_eq!(drive_delay(&[0x92; 16], &d), 4);
        for other in [0x00u8, 0x08, 0x0a, 0x12, 0x34] {
            assert_eq!(drive_delay(&[other, 0, 0, 0, 0, 0], &d), 0, "{other:02x}");
        }
        assert_eq!(drive_delay(&[], &d), 0);
    }

    #[test]
    fn log_texts() {
        assert_eq!(hex(&[0x08, 0, 0x1f]), "08 00 1f");
        assert_eq!(hex(&[]), "");
        assert_eq!(describe(&Reply::GOOD), "GOOD");
        assert_eq!(
            describe(&Reply::check(Sense::new(
                SenseKey::IllegalRequest,
                Asc::INVALID_FIELD_IN_CDB
            ))),
            "CHECK CONDITION 05/24/00"
        );
    }

    /// A unit that records what it was asked.
    struct Echo(Vec<Vec<u8>>);

    impl LogicalUnit for Echo {
        fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
            self.0.push(req.cdb.to_vec());
            data_in.extend_from_slice(req.cdb);
            Reply::GOOD
        }
        fn reset(&mut self, _: ResetEvent) {
            self.0.clear();
        }
    }

    #[test]
    fn passes_commands_through_and_stop_cuts_waits() {
        let unit = Arc::new(Mutex::new(Echo(Vec::new())));
        let settings = SharedSettings::default();
        with_settings(&settings, |s| s.delays.rewind = 30);
        let stop = Arc::new(AtomicBool::new(true));
        let mut served = Served::new(unit.clone(), settings, stop, Delaying::Drive);
        let mut data = Vec::new();
        let r = served.execute(
            &Request {
                nexus: 1,
                cdb: &[0x01, 0, 0, 0, 0, 0],
                data_out: &[],
            },
            &mut data,
        );
        // stop is set: the 30 s rewind delay is not waited out.
        assert_eq!(r, Reply::GOOD);
        assert_eq!(data, [0x01, 0, 0, 0, 0, 0]);
        assert_eq!(unit.lock().unwrap().0.len(), 1);
        served.reset(ResetEvent::BusReset);
        assert!(unit.lock().unwrap().0.is_empty());
    }
}
