//! Dropping root: a daemon started as root opens the kernel devices and binds its socket,
//! then becomes an ordinary user — `vtl` by default, the owner of the media home — so that
//! a flaw in its SCSI or control parsing gives no more than that user's rights. The open
//! file descriptors (the kernel devices, the socket) stay open across the change.
//!
//! [`decide`] is the policy, a pure function of the effective user, the `--user` option and
//! the user database; [`apply`] carries a [`Decision`] out (supplementary groups, group,
//! user, in that order, then checks root cannot be regained); [`check_writable`] checks the
//! media home afterwards.

use std::ffi::{CStr, CString};
use std::io;
use std::path::Path;

/// The user the daemons run as when started as root and no `--user` is given.
pub const DEFAULT_USER: &str = "vtl";

/// A user of the user database (passwd(5)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// User id.
    pub uid: u32,
    /// Primary group id.
    pub gid: u32,
}

/// What to do about privileges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Stay as we are; the text says why (for the log).
    Keep(String),
    /// Become this user, with its primary group as the only group.
    Become(User),
}

/// Why the daemon must not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivilegeError {
    /// `--user NAME` names no user.
    #[error("--user {0}: no such user")]
    NoUser(String),
    /// `--user NAME` asked of a daemon that is not root and not that user.
    #[error(
        "--user {name}: cannot become {name} (uid {uid}): the daemon was not started as root (uid {euid})"
    )]
    NotRoot {
        /// The user asked for.
        name: String,
        /// Its uid.
        uid: u32,
        /// The daemon's effective uid.
        euid: u32,
    },
    /// A system call failed, or root could be regained after the change.
    #[error("cannot run as {user}: {why}")]
    Failed {
        /// The user.
        user: String,
        /// What failed.
        why: String,
    },
}

/// The policy: started as root, become `requested` (`--user`), else [`DEFAULT_USER`] when
/// that user exists, else stay root (with a reason to log); `--user root` keeps root. Not
/// started as root, keep the user we are (`--user` must then name it).
///
/// `lookup` finds a user by name ([`lookup_user`] in the daemons).
///
/// Errors: `--user` names no user; `--user` names another user while not root.
pub fn decide(
    euid: u32,
    requested: Option<&str>,
    lookup: impl Fn(&str) -> Option<User>,
) -> Result<Decision, PrivilegeError> {
    if requested == Some("root") {
        return Ok(Decision::Keep("--user root: keeps running as root".into()));
    }
    if euid != 0 {
        return match requested {
            None => Ok(Decision::Keep(format!(
                "not started as root: runs as uid {euid}"
            ))),
            Some(name) => match lookup(name) {
                None => Err(PrivilegeError::NoUser(name.into())),
                Some(u) if u.uid == euid => Ok(Decision::Keep(format!(
                    "already running as {name} (uid {euid})"
                ))),
                Some(u) => Err(PrivilegeError::NotRoot {
                    name: name.into(),
                    uid: u.uid,
                    euid,
                }),
            },
        };
    }
    match requested {
        Some(name) => lookup(name)
            .map(Decision::Become)
            .ok_or_else(|| PrivilegeError::NoUser(name.into())),
        None => Ok(match lookup(DEFAULT_USER) {
            Some(u) => Decision::Become(u),
            None => Decision::Keep(format!(
                "user {DEFAULT_USER} does not exist: keeps running as root (create it, or give --user)"
            )),
        }),
    }
}

/// The user `name` from the user database (getpwnam_r(3): files, LDAP, ... as NSS says).
pub fn lookup_user(name: &str) -> Option<User> {
    let cname = CString::new(name).ok()?;
    let mut buf = vec![0u8; 4096];
    loop {
        // SAFETY: `pwd` and `buf` outlive the call; getpwnam_r writes at most `buf.len()`
        // bytes into `buf` and sets `result` to `&pwd` or null.
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr().cast(),
                buf.len(),
                &mut result,
            )
        };
        if rc == libc::ERANGE && buf.len() < (1 << 20) {
            buf.resize(buf.len() * 2, 0);
            continue;
        }
        if rc != 0 || result.is_null() {
            return None;
        }
        // SAFETY: getpwnam_r succeeded: pw_name points to a NUL-terminated string in `buf`.
        let name = unsafe { CStr::from_ptr(pwd.pw_name) }
            .to_string_lossy()
            .into_owned();
        return Some(User {
            name,
            uid: pwd.pw_uid,
            gid: pwd.pw_gid,
        });
    }
}

/// The process's effective user id.
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

fn os_err(user: &str, what: &str) -> PrivilegeError {
    PrivilegeError::Failed {
        user: user.into(),
        why: format!("{what}: {}", io::Error::last_os_error()),
    }
}

/// Carry out `d`: for [`Decision::Become`], set the supplementary groups to the user's
/// primary group alone, then the group, then the user (real, effective and saved ids), and
/// check that root cannot be taken back. Applies to the whole process (every thread: glibc
/// broadcasts the change); call it before starting the threads that serve.
///
/// Errors: any of the calls failed, or `setuid(0)` succeeded afterwards — the daemon must
/// then stop.
pub fn apply(d: &Decision) -> Result<(), PrivilegeError> {
    let Decision::Become(u) = d else {
        return Ok(());
    };
    let gid = u.gid as libc::gid_t;
    // SAFETY: plain system calls on integers and a one-element array that outlives the call.
    unsafe {
        if libc::setgroups(1, &gid) != 0 {
            return Err(os_err(&u.name, "setgroups"));
        }
        if libc::setresgid(gid, gid, gid) != 0 {
            return Err(os_err(&u.name, "setresgid"));
        }
        if libc::setresuid(u.uid, u.uid, u.uid) != 0 {
            return Err(os_err(&u.name, "setresuid"));
        }
        if u.uid != 0 && libc::setuid(0) == 0 {
            return Err(PrivilegeError::Failed {
                user: u.name.clone(),
                why: "root could be regained after the change".into(),
            });
        }
        if libc::getuid() != u.uid || libc::geteuid() != u.uid || libc::getegid() != gid {
            return Err(PrivilegeError::Failed {
                user: u.name.clone(),
                why: "the ids did not change".into(),
            });
        }
    }
    Ok(())
}

/// Check that the process may create and remove files in `dir` (the media home: cartridges
/// are rewritten there, the library's state file lives there).
///
/// Errors: a message naming the directory and the user (`uid`), e.g. `media home /opt/vtl
/// is not writable by uid 998: Permission denied (make user vtl its owner)`.
pub fn check_writable(dir: &Path) -> Result<(), String> {
    let c = CString::new(dir.as_os_str().as_encoded_bytes())
        .map_err(|_| format!("media home {}: path holds a NUL byte", dir.display()))?;
    // SAFETY: `c` is a valid C string; access(2) reads it only. After the privilege change
    // the real ids are the effective ones, so access() checks what the daemon may do.
    let rc = unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) };
    if rc == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    if e.kind() == io::ErrorKind::NotFound {
        return Err(format!(
            "media home {} does not exist (create it, or fix Home directory: in device.conf)",
            dir.display()
        ));
    }
    Err(format!(
        "media home {} is not writable by uid {}: {e} (make user {DEFAULT_USER} its owner: chown -R {DEFAULT_USER}:{DEFAULT_USER} {})",
        dir.display(),
        // SAFETY: getuid cannot fail.
        unsafe { libc::getuid() },
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(name: &str) -> Option<User> {
        match name {
            "vtl" => Some(User {
                name: "vtl".into(),
                uid: 998,
                gid: 997,
            }),
            "backup" => Some(User {
                name: "backup".into(),
                uid: 34,
                gid: 34,
            }),
            _ => None,
        }
    }

    fn no_vtl(name: &str) -> Option<User> {
        db(name).filter(|u| u.name != "vtl")
    }

    #[test]
    fn root_becomes_vtl_or_the_user_asked_for() {
        assert_eq!(
            decide(0, None, db),
            Ok(Decision::Become(db("vtl").unwrap()))
        );
        assert_eq!(
            decide(0, Some("backup"), db),
            Ok(Decision::Become(db("backup").unwrap()))
        );
        assert_eq!(
            decide(0, Some("root"), db),
            Ok(Decision::Keep("--user root: keeps running as root".into()))
        );
        assert_eq!(
            decide(0, None, no_vtl),
            Ok(Decision::Keep(
                "user vtl does not exist: keeps running as root (create it, or give --user)".into()
            ))
        );
        assert_eq!(
            decide(0, Some("nobody-here"), db),
            Err(PrivilegeError::NoUser("nobody-here".into()))
        );
        assert_eq!(
            decide(0, Some("nobody-here"), db).unwrap_err().to_string(),
            "--user nobody-here: no such user"
        );
    }

    #[test]
    fn others_keep_their_user() {
        assert_eq!(
            decide(1000, None, db),
            Ok(Decision::Keep(
                "not started as root: runs as uid 1000".into()
            ))
        );
        assert_eq!(
            decide(998, Some("vtl"), db),
            Ok(Decision::Keep("already running as vtl (uid 998)".into()))
        );
        let e = decide(1000, Some("vtl"), db).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--user vtl: cannot become vtl (uid 998): the daemon was not started as root (uid 1000)"
        );
        assert_eq!(
            decide(1000, Some("root"), db),
            Ok(Decision::Keep("--user root: keeps running as root".into()))
        );
    }

    #[test]
    fn keeping_changes_nothing() {
        let before = effective_uid();
        apply(&Decision::Keep("test".into())).unwrap();
        assert_eq!(effective_uid(), before);
    }

    #[test]
    fn user_database() {
        let root = lookup_user("root").expect("root is in every passwd");
        assert_eq!((root.uid, root.gid), (0, 0));
        assert_eq!(lookup_user("no-such-user-for-vtl-tests"), None);
        assert_eq!(lookup_user("bad\0name"), None);
    }

    /// As root: in a forked child, become `nobody` and check the ids changed, root cannot
    /// be regained and a root-owned 0755 directory is no longer writable. Skipped when not
    /// root or without a `nobody` user.
    #[test]
    fn becoming_nobody() {
        let Some(nobody) = lookup_user("nobody") else {
            println!("SKIPPED: no user nobody");
            return;
        };
        if effective_uid() != 0 {
            println!("SKIPPED: not root");
            return;
        }
        let d = tempfile::tempdir().unwrap();
        let dir = CString::new(d.path().as_os_str().as_encoded_bytes()).unwrap();
        let decision = Decision::Become(nobody.clone());
        // SAFETY: the child makes only system calls (no allocation on the success path of
        // `apply`) and leaves with _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork: {}", io::Error::last_os_error());
        if pid == 0 {
            let ok = apply(&decision).is_ok()
                && unsafe { libc::geteuid() } == nobody.uid
                && unsafe { libc::getegid() } == nobody.gid
                && unsafe { libc::setuid(0) } != 0
                && unsafe { libc::access(dir.as_ptr(), libc::W_OK) } != 0;
            unsafe { libc::_exit(if ok { 0 } else { 1 }) };
        }
        let mut status = 0;
        // SAFETY: waiting for our own child.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "{status}"
        );
        assert_eq!(effective_uid(), 0, "the parent is unchanged");
    }

    #[test]
    fn writable_home() {
        let d = tempfile::tempdir().unwrap();
        check_writable(d.path()).unwrap();
        let missing = d.path().join("missing");
        assert_eq!(
            check_writable(&missing).unwrap_err(),
            format!(
                "media home {} does not exist (create it, or fix Home directory: in device.conf)",
                missing.display()
            )
        );
    }
}
