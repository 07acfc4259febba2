//! Who holds a cartridge's lock.
//!
//! A process that opens a cartridge for writing holds an exclusive `flock(2)` lock on the
//! cartridge directory ([`crate::Cartridge::open`]); a second writer gets
//! [`crate::CartError::Locked`]. To tell the user *who* holds it, Linux lists every lock in
//! `/proc/locks`, one per line:
//!
//! ```text
//! 1: FLOCK  ADVISORY  WRITE 1234 fd:01:3146000 0 EOF
//! ```
//!
//! (ordinal, kind, mode, access, the pid of the process that took the lock, the device as
//! hexadecimal `major:minor` and the inode number, then the byte range). Lines with `->` after
//! the ordinal are waiters, not holders. The pid's `/proc/<pid>/cmdline` (or `comm`) names the
//! program.
//!
//! This is best effort: outside Linux, without `/proc`, for a holder in another PID namespace
//! (listed as pid 0), or when the holder exited and left the lock to a child it forked, the
//! answer may be `None` or name only the pid.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Longest command line quoted in a description (characters).
const MAX_CMDLINE: usize = 200;

/// Describe the process holding the `flock(2)` lock on `dir`, e.g.
/// `pid 1234 (vtltape -q 11)`.
///
/// The program is named by its command line (argument 0 without its directory, then the
/// arguments), else by the kernel's short name (`comm`); when neither is readable only the pid
/// is given. Returns `None` when no lock on `dir` is listed in `/proc/locks` or the lookup is
/// impossible (no `/proc`, `dir` cannot be stat'ed, holder outside our PID namespace).
pub fn lock_holder(dir: &Path) -> Option<String> {
    let meta = std::fs::metadata(dir).ok()?;
    let locks = std::fs::read_to_string("/proc/locks").ok()?;
    let pid = holder_pid(&locks, meta.dev(), meta.ino(), dir)?;
    Some(describe_pid(pid))
}

/// One holder line of `/proc/locks`.
#[derive(Debug, PartialEq, Eq)]
struct LockLine {
    pid: u32,
    major: u64,
    minor: u64,
    ino: u64,
}

/// Parse one line of `/proc/locks`; `None` for waiters (`->`), non-FLOCK locks and anything
/// unexpected.
fn parse_line(line: &str) -> Option<LockLine> {
    let mut w = line.split_whitespace();
    w.next()?; // "N:"
    let kind = w.next()?;
    if kind != "FLOCK" {
        return None; // "->" waiters, POSIX, OFDLCK, LEASE, DELEG
    }
    w.next()?; // ADVISORY / MANDATORY
    w.next()?; // READ / WRITE
    let pid: u32 = w.next()?.parse().ok()?;
    let mut id = w.next()?.split(':');
    let major = u64::from_str_radix(id.next()?, 16).ok()?;
    let minor = u64::from_str_radix(id.next()?, 16).ok()?;
    let ino: u64 = id.next()?.parse().ok()?;
    Some(LockLine {
        pid,
        major,
        minor,
        ino,
    })
}

/// The major number of a Linux `dev_t` (glibc's encoding).
fn dev_major(dev: u64) -> u64 {
    ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)
}

/// The minor number of a Linux `dev_t` (glibc's encoding).
fn dev_minor(dev: u64) -> u64 {
    (dev & 0xff) | ((dev >> 12) & !0xff)
}

/// The pid listed for a FLOCK lock on (`dev`, `ino`).
///
/// An exact device and inode match wins. Some file systems (btrfs subvolumes, overlayfs)
/// report a different device to `stat(2)` than the one `/proc/locks` prints; then a lock on
/// the same inode number is taken only when that process has `dir` itself open.
fn holder_pid(locks: &str, dev: u64, ino: u64, dir: &Path) -> Option<u32> {
    let lines: Vec<LockLine> = locks
        .lines()
        .filter_map(parse_line)
        .filter(|l| l.ino == ino && l.pid != 0)
        .collect();
    if let Some(l) = lines
        .iter()
        .find(|l| l.major == dev_major(dev) && l.minor == dev_minor(dev))
    {
        return Some(l.pid);
    }
    let canon = dir.canonicalize().ok()?;
    lines
        .iter()
        .find(|l| has_open(l.pid, &canon))
        .map(|l| l.pid)
}

/// True when process `pid` has `path` open (one of its `/proc/<pid>/fd` links points there).
fn has_open(pid: u32, path: &Path) -> bool {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten()
        .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == path))
}

/// `pid N (program args)`, `pid N (comm)` or `pid N`.
fn describe_pid(pid: u32) -> String {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let mut args = cmdline
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned());
    let program = args.next().map(|a0| match a0.rsplit_once('/') {
        Some((_, base)) if !base.is_empty() => base.to_string(),
        _ => a0,
    });
    let name = match program {
        Some(p) => {
            let mut s = std::iter::once(p).chain(args).collect::<Vec<_>>().join(" ");
            if s.chars().count() > MAX_CMDLINE {
                s = s.chars().take(MAX_CMDLINE).collect::<String>() + "...";
            }
            Some(s)
        }
        None => std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .ok()
            .map(|c| c.trim_end().to_string())
            .filter(|c| !c.is_empty()),
    };
    let name = name.map(|n| {
        n.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect::<String>()
    });
    match name {
        Some(n) => format!("pid {pid} ({n})"),
        None => format!("pid {pid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_holders_and_skips_waiters() {
        let text = "1: FLOCK  ADVISORY  WRITE 1234 fd:01:3146000 0 EOF\n\
                    1: -> FLOCK  ADVISORY  WRITE 99 fd:01:3146000 0 EOF\n\
                    2: POSIX  ADVISORY  WRITE 77 00:2f:12 0 EOF\n\
                    3: OFDLCK ADVISORY  READ  -1 00:06:1057 0 EOF\n";
        let v: Vec<LockLine> = text.lines().filter_map(parse_line).collect();
        assert_eq!(
            v,
            [LockLine {
                pid: 1234,
                major: 0xfd,
                minor: 1,
                ino: 3_146_000
            }]
        );
    }

    #[test]
    fn dev_numbers_split_like_glibc() {
        // makedev(253, 1) and makedev(259, 70000), glibc's encoding
        let makedev = |maj: u64, min: u64| {
            ((maj & 0xfff) << 8) | ((maj & !0xfff) << 32) | (min & 0xff) | ((min & !0xff) << 12)
        };
        assert_eq!((dev_major(0xfd01), dev_minor(0xfd01)), (253, 1));
        let dev = makedev(259, 70000);
        assert_eq!((dev_major(dev), dev_minor(dev)), (259, 70000));
    }

    #[test]
    fn names_this_process_as_holder() {
        if !Path::new("/proc/locks").exists() {
            eprintln!("SKIPPED: no /proc/locks");
            return;
        }
        let d = tempfile::tempdir().unwrap();
        assert_eq!(lock_holder(d.path()), None, "nothing holds it yet");
        let f = std::fs::File::open(d.path()).unwrap();
        f.try_lock().unwrap();
        let who = lock_holder(d.path()).expect("our lock is listed");
        assert!(
            who.starts_with(&format!("pid {} (", std::process::id())),
            "{who}"
        );
        // The test binary's name (without its directory) is in the description.
        let exe = std::env::args().next().unwrap();
        let base = exe.rsplit('/').next().unwrap();
        assert!(who.contains(base), "{who} should name {base}");
        drop(f);
        assert_eq!(lock_holder(d.path()), None, "released");
    }

    #[test]
    fn describes_a_missing_process_by_pid_only() {
        // pid_max is at most 2^22 on Linux.
        assert_eq!(describe_pid(u32::MAX - 1), format!("pid {}", u32::MAX - 1));
    }
}
