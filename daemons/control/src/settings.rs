//! What vtlcmd changes in a daemon besides its logical unit: log verbosity, debug, and the
//! drive's operation delays ([`Settings`]), shared between the control thread and the
//! daemon (`Arc<Mutex<Settings>>`, [`SharedSettings`]).
//!
//! The delays are only stored here: the daemon applies them (sleeps that long before
//! completing a LOAD, UNLOAD, REWIND, SPACE/LOCATE or thread operation), as mhvtl's vtltape
//! does; vtltape's `TapeDrive` itself never sleeps.

use std::sync::{Arc, Mutex, PoisonError};

use crate::request::DelayKind;

/// The highest log verbosity (`verbose` cycles 3 → 2 → 1 → 0 → 3).
pub const MAX_VERBOSE: u8 = 3;

/// Per-operation delays of a drive, in seconds (vtlcmd `delay <kind> <secs>`; at most 20,
/// rewind 30).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delays {
    /// Loading a cartridge.
    pub load: u32,
    /// Unloading a cartridge.
    pub unload: u32,
    /// REWIND.
    pub rewind: u32,
    /// SPACE, LOCATE.
    pub position: u32,
    /// Threading the tape.
    pub thread: u32,
}

impl Delays {
    /// The delay of `kind`, seconds.
    pub fn get(&self, kind: DelayKind) -> u32 {
        match kind {
            DelayKind::Load => self.load,
            DelayKind::Unload => self.unload,
            DelayKind::Rewind => self.rewind,
            DelayKind::Position => self.position,
            DelayKind::Thread => self.thread,
        }
    }

    /// Set the delay of `kind` to `secs`, capped at [`DelayKind::max_secs`].
    pub fn set(&mut self, kind: DelayKind, secs: u32) {
        let secs = secs.min(kind.max_secs());
        match kind {
            DelayKind::Load => self.load = secs,
            DelayKind::Unload => self.unload = secs,
            DelayKind::Rewind => self.rewind = secs,
            DelayKind::Position => self.position = secs,
            DelayKind::Thread => self.thread = secs,
        }
    }
}

/// A daemon's operator settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// Log verbosity, 0 (off) ..= [`MAX_VERBOSE`].
    pub verbose: u8,
    /// Debug logging.
    pub debug: bool,
    /// Operation delays (drives; a library keeps them at zero).
    pub delays: Delays,
}

impl Settings {
    /// `verbose`: 3 → 2 → 1 → 0 (off) → 3. Returns the new level.
    pub fn cycle_verbose(&mut self) -> u8 {
        self.verbose = match self.verbose {
            0 => MAX_VERBOSE,
            v => (v - 1).min(MAX_VERBOSE),
        };
        self.verbose
    }
}

/// Settings shared by the control thread and the daemon.
pub type SharedSettings = Arc<Mutex<Settings>>;

/// Run `f` on the settings behind `s` (a poisoned lock is taken over: the settings are
/// plain values, always consistent).
pub fn with_settings<R>(s: &SharedSettings, f: impl FnOnce(&mut Settings) -> R) -> R {
    let mut g = s.lock().unwrap_or_else(PoisonError::into_inner);
    f(&mut g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_cycles() {
        let mut s = Settings::default();
        let seq: Vec<u8> = (0..5).map(|_| s.cycle_verbose()).collect();
        assert_eq!(seq, [3, 2, 1, 0, 3]);
    }

    #[test]
    fn delays() {
        let mut d = Delays::default();
        d.set(DelayKind::Rewind, 30);
        d.set(DelayKind::Load, 99);
        assert_eq!(d.get(DelayKind::Rewind), 30);
        assert_eq!(d.get(DelayKind::Load), 20);
        assert_eq!(d.get(DelayKind::Thread), 0);
    }
}
