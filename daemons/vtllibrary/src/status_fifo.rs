//! The status FIFO (device.conf `fifo:`, spec 4.3): one line per state change or move, for
//! a monitoring program to read.
//!
//! The library creates the FIFO (mode 0644) when the path does not exist, and opens it
//! read-write and non-blocking: opening never waits for a reader, and a write never blocks
//! the library. When nobody reads, the pipe buffer (64 KiB on Linux) fills and the lines
//! that do not fit are dropped (a monitor sees the newest state once it reads again). A
//! path that exists and is not a FIFO is left alone (no status lines, a warning).
//!
//! Each line is `<time> - <library id>: - <text>\n`, the time as C's `ctime()` writes it in
//! local time (`Thu Nov 14 22:13:20 2023`, without its newline), the text a state name
//! ([`State`]) or a move description ([`describe_move`], `Moving E01001L8 from Storage slot 1
//! to drive 1`). vtltape writes the same lines to its own FIFO with the drive's states
//! ([`DriveState`]). mhvtl's drive state names are off by one (spec 4.3: a loaded drive says
//! "Loading NULL media", a rewinding one "Load failed"); the names here are the right ones,
//! all in this module.

use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::element::ElementType;

/// The library states the FIFO reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Building the inventory (start).
    Initialising,
    /// Ready, waiting for commands.
    Idle,
    /// vtlcmd `online`.
    Online,
    /// vtlcmd `offline`.
    Offline,
    /// The MAP door opens (OPEN/CLOSE IMPORT/EXPORT ELEMENT, vtlcmd `open map`).
    OpeningMap,
    /// The MAP door closes.
    ClosingMap,
}

impl State {
    /// The line's text.
    pub fn text(self) -> &'static str {
        match self {
            State::Initialising => "Initialising",
            State::Idle => "Idle",
            State::Online => "Online",
            State::Offline => "Offline",
            State::OpeningMap => "Opening MAP",
            State::ClosingMap => "Closing MAP",
        }
    }
}

/// The drive states the FIFO reports (vtltape; the library's are [`State`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DriveState {
    /// The daemon is starting.
    Initialising,
    /// Started (or the cartridge taken out by the library), no cartridge.
    Idle,
    /// A cartridge was unloaded (LOAD UNLOAD with LOAD=0, vtlcmd `unload`, the library's
    /// move out of the drive).
    Unloaded,
    /// A cartridge is being loaded (its medium is not yet known).
    Loading,
    /// The cartridge being loaded is a cleaning cartridge.
    LoadingCleaning,
    /// The cartridge being loaded is a WORM cartridge.
    LoadingWorm,
    /// The cartridge being loaded is a NULL cartridge (mhvtl's: data is not stored).
    LoadingNull,
    /// A cartridge was loaded (threaded, at BOP).
    Loaded,
    /// Loaded, and the last operation on it is over.
    LoadedIdle,
    /// The load was refused (the cartridge stays in the drive's mouth).
    LoadFailed,
    /// REWIND.
    Rewinding,
    /// SPACE or LOCATE.
    Positioning,
    /// READ (until another kind of command).
    Reading,
    /// WRITE or WRITE FILEMARKS (until another kind of command).
    Writing,
    /// The cartridge is being unloaded.
    Unloading,
    /// ERASE.
    Erasing,
    /// VERIFY.
    Verifying,
}

impl DriveState {
    /// The line's text.
    pub fn text(self) -> &'static str {
        match self {
            DriveState::Initialising => "Initialising",
            DriveState::Idle => "Idle",
            DriveState::Unloaded => "Unloaded",
            DriveState::Loading => "Loading",
            DriveState::LoadingCleaning => "Loading Cleaning Tape",
            DriveState::LoadingWorm => "Loading WORM media",
            DriveState::LoadingNull => "Loading NULL media",
            DriveState::Loaded => "Loaded",
            DriveState::LoadedIdle => "Loaded - Idle",
            DriveState::LoadFailed => "Load failed",
            DriveState::Rewinding => "Rewinding",
            DriveState::Positioning => "Positioning",
            DriveState::Reading => "Reading",
            DriveState::Writing => "Writing",
            DriveState::Unloading => "Unloading",
            DriveState::Erasing => "Erasing",
            DriveState::Verifying => "Verifying",
        }
    }
}

/// How an element is named in a move description: `Storage slot 3`, `drive 1`, `MAP slot 2`,
/// `picker 1`.
pub fn element_name(kind: ElementType, number: u32) -> String {
    match kind {
        ElementType::Transport => format!("picker {number}"),
        ElementType::Storage => format!("Storage slot {number}"),
        ElementType::ImportExport => format!("MAP slot {number}"),
        ElementType::DataTransfer => format!("drive {number}"),
    }
}

/// `Moving <barcode> from <source> to <destination>` ([`element_name`]s).
pub fn describe_move(barcode: &str, src: (ElementType, u32), dst: (ElementType, u32)) -> String {
    format!(
        "Moving {barcode} from {} to {}",
        element_name(src.0, src.1),
        element_name(dst.0, dst.1)
    )
}

/// An open status FIFO.
#[derive(Debug)]
pub struct StatusFifo {
    path: PathBuf,
    file: File,
    id: u32,
}

impl StatusFifo {
    /// Create (mode 0644) or reuse the FIFO at `path` and open it read-write, non-blocking,
    /// for library or drive `id` (its device.conf number, written in every line).
    ///
    /// Errors: the FIFO cannot be created or opened, or `path` exists and is not a FIFO.
    pub fn open(path: &Path, id: u32) -> std::io::Result<StatusFifo> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_fifo() => {}
            Ok(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    format!("{}: exists and is not a FIFO", path.display()),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                mkfifo(path)?;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
            }
            Err(e) => return Err(e),
        }
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)?;
        Ok(StatusFifo {
            path: path.to_path_buf(),
            file,
            id,
        })
    }

    /// The FIFO's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write one line with `text` (dropped when the pipe is full: see the module
    /// documentation).
    pub fn line(&mut self, text: &str) {
        let line = format!("{} - {}: - {text}\n", ctime_now(), self.id);
        // One write(2) of at most PIPE_BUF bytes is atomic: a line is whole or absent.
        let _ = self.file.write(line.as_bytes());
    }

    /// Write the line of state `s`.
    pub fn state(&mut self, s: State) {
        self.line(s.text());
    }

    /// Write the line of drive state `s`.
    pub fn drive_state(&mut self, s: DriveState) {
        self.line(s.text());
    }
}

fn mkfifo(path: &Path) -> std::io::Result<()> {
    let c = CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c` is a valid NUL-terminated string that outlives the call.
    let r = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// One line of a status FIFO without its newline, `<ctime> - <id>: - <text>` (spec 4.3,
/// what [`StatusFifo::line`] writes), as the unit id and the text; `None` when the line has
/// another shape (the time is not five words of 24 characters with an `hh:mm:ss`, or the
/// separators or the id are missing).
pub fn parse_line(line: &str) -> Option<(u32, &str)> {
    let (time, rest) = line.split_at_checked(24)?;
    let w: Vec<&str> = time.split_whitespace().collect();
    if w.len() != 5 || w[3].len() != 8 {
        return None;
    }
    let (id, text) = rest.strip_prefix(" - ")?.split_once(": - ")?;
    Some((id.parse().ok()?, text))
}

/// The current local time as `ctime()` writes it, without the newline:
/// `Thu Nov 14 22:13:20 2023`.
pub fn ctime_now() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    ctime(libc::time_t::try_from(now).unwrap_or(0))
}

/// `t` (seconds since the epoch) in local time as `ctime()` writes it, without the newline.
pub fn ctime(t: libc::time_t) -> String {
    // SAFETY: an all-zero `tm` is a valid value (integers and, on glibc, a null zone
    // pointer); localtime_r only writes into it.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the call; localtime_r is thread-safe.
    if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
        return t.to_string();
    }
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day = usize::try_from(tm.tm_wday).ok().and_then(|i| DAYS.get(i));
    let month = usize::try_from(tm.tm_mon).ok().and_then(|i| MONTHS.get(i));
    format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        day.unwrap_or(&"???"),
        month.unwrap_or(&"???"),
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        i64::from(tm.tm_year) + 1900
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts() {
        assert_eq!(
            describe_move(
                "E01001L8",
                (ElementType::Storage, 1),
                (ElementType::DataTransfer, 1)
            ),
            "Moving E01001L8 from Storage slot 1 to drive 1"
        );
        assert_eq!(State::OpeningMap.text(), "Opening MAP");
        assert_eq!(State::Initialising.text(), "Initialising");
        // mhvtl's table is one off from here on (spec 4.3); these are the right ones.
        assert_eq!(DriveState::Loaded.text(), "Loaded");
        assert_eq!(DriveState::LoadedIdle.text(), "Loaded - Idle");
        assert_eq!(DriveState::LoadFailed.text(), "Load failed");
        assert_eq!(DriveState::Rewinding.text(), "Rewinding");
        assert_eq!(DriveState::Erasing.text(), "Erasing");
        assert_eq!(DriveState::Verifying.text(), "Verifying");
        // ctime's shape: day, month, 2-character day of month, time, year.
        let s = ctime(1_700_000_000);
        let w: Vec<&str> = s.split_whitespace().collect();
        assert_eq!(w.len(), 5, "{s}");
        assert_eq!(s.len(), 24, "{s}");
        assert!(w[4] == "2023", "{s}");
    }
}
