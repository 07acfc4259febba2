//! The `movecommand` hook (device.conf `movecommand:` and `commandtimeout:`, spec 3.1): an
//! external program run before every move of the medium transport, which may refuse it
//! (a site's robot control, an audit log, a test's fault injection).
//!
//! For each move, before anything changes, the library runs
//!
//! ```text
//! <movecommand> <source type> <source number> <destination type> <destination number> <barcode>
//! ```
//!
//! with the types `Picker`, `Storage`, `MAP` or `Drive` (mhvtl's words; mhvtl also has
//! `ANY`, for element type code 0, which no resolved element has) and the numbers 1-based
//! within the type (`Storage 1` is the first slot, whatever its element address). The
//! program is run directly (no shell), stdin from /dev/null, stdout and stderr inherited
//! (the daemon's log), in a process group of its own.
//!
//! Exit status 0 lets the move happen. Any other exit status, death by a signal, a program
//! that cannot be started, or one still running after `commandtimeout` seconds (its whole
//! process group is then killed with SIGKILL) refuses the move: nothing moves, and the
//! command ends in CHECK CONDITION, HARDWARE ERROR / MECHANICAL POSITIONING ERROR (04/15/01,
//! [`MECHANICAL_POSITIONING_ERROR`]), what libraries report when the robot fails to get or
//! put a cartridge (Quantum Scalar i500 / Dell ML6000: "the move media command has failed
//! with an ASC/ASCQ of 4h/15h/01h"). mhvtl reports HARDWARE ERROR with LOGICAL UNIT NOT
//! READY, MANUAL INTERVENTION REQUIRED (04/04/03), an ASC SPC-5 defines for NOT READY.
//!
//! EXCHANGE MEDIUM is two moves (source to first destination, first destination's
//! cartridge to second destination): both are asked, in that order, before anything moves.
//!
//! The library serves one command at a time, so a slow program delays every command of the
//! library (at most `commandtimeout` seconds per move).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use vtl_scsi::Asc;

use crate::element::ElementType;

/// HARDWARE ERROR ASC/ASCQ of a move the movecommand refused: MECHANICAL POSITIONING ERROR
/// (15/01, SPC-5 annex D).
pub const MECHANICAL_POSITIONING_ERROR: Asc = Asc(0x15, 0x01);

/// How often a running movecommand is polled for its exit.
const POLL: Duration = Duration::from_millis(5);

/// The word for element type `t` in the movecommand's arguments.
pub fn type_word(t: ElementType) -> &'static str {
    match t {
        ElementType::Transport => "Picker",
        ElementType::Storage => "Storage",
        ElementType::ImportExport => "MAP",
        ElementType::DataTransfer => "Drive",
    }
}

/// One end of a move: element type and number (1-based within the type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveEnd {
    /// Element type.
    pub kind: ElementType,
    /// Element number, from 1.
    pub number: u32,
}

/// Why the movecommand refused a move (for the log).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The program ran and failed.
    #[error("{program}: {status}")]
    Failed {
        /// The program.
        program: PathBuf,
        /// Its exit status.
        status: String,
    },
    /// The program was still running at the timeout and was killed.
    #[error("{program}: still running after {secs} s, killed")]
    Timeout {
        /// The program.
        program: PathBuf,
        /// The timeout in seconds.
        secs: u32,
    },
    /// The program could not be started.
    #[error("{program}: cannot run: {why}")]
    Spawn {
        /// The program.
        program: PathBuf,
        /// The error.
        why: String,
    },
}

/// A configured movecommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveCommand {
    program: PathBuf,
    timeout_secs: u32,
}

impl MoveCommand {
    /// `program` with a timeout of `timeout_secs` seconds (device.conf `commandtimeout:`,
    /// default 20).
    pub fn new(program: PathBuf, timeout_secs: u32) -> MoveCommand {
        MoveCommand {
            program,
            timeout_secs,
        }
    }

    /// The program.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The timeout in seconds.
    pub fn timeout_secs(&self) -> u32 {
        self.timeout_secs
    }

    /// The argument list for a move of `barcode` from `src` to `dst`.
    pub fn args(src: MoveEnd, dst: MoveEnd, barcode: &str) -> [String; 5] {
        [
            type_word(src.kind).to_string(),
            src.number.to_string(),
            type_word(dst.kind).to_string(),
            dst.number.to_string(),
            barcode.to_string(),
        ]
    }

    /// Run the program for a move of `barcode` from `src` to `dst` and wait for it (at most
    /// the timeout). `Ok(())`: exit status 0, the move may happen.
    pub fn ask(&self, src: MoveEnd, dst: MoveEnd, barcode: &str) -> Result<(), Refusal> {
        let mut child = Command::new(&self.program)
            .args(Self::args(src, dst, barcode))
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| Refusal::Spawn {
                program: self.program.clone(),
                why: e.to_string(),
            })?;
        let deadline = Instant::now() + Duration::from_secs(u64::from(self.timeout_secs));
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return self.verdict(status),
                Ok(None) => {}
                Err(e) => {
                    kill_group(&mut child);
                    return Err(Refusal::Spawn {
                        program: self.program.clone(),
                        why: e.to_string(),
                    });
                }
            }
            if Instant::now() >= deadline {
                kill_group(&mut child);
                return Err(Refusal::Timeout {
                    program: self.program.clone(),
                    secs: self.timeout_secs,
                });
            }
            std::thread::sleep(POLL);
        }
    }

    fn verdict(&self, status: ExitStatus) -> Result<(), Refusal> {
        if status.success() {
            Ok(())
        } else {
            Err(Refusal::Failed {
                program: self.program.clone(),
                status: status.to_string(),
            })
        }
    }
}

/// SIGKILL the child's process group (the program and whatever it started), then reap it.
fn kill_group(child: &mut std::process::Child) {
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads
        // (process_group(0) made it the leader); no memory is involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}
