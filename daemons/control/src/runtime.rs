//! Where the sockets live: `<runtime dir>/vtl-<id>.sock`, the runtime directory being the
//! one given (vtlcmd `--runtime-dir`), else `$VTL_RUNTIME_DIR` when set and not empty, else
//! [`DEFAULT_RUNTIME_DIR`] (`/run/vtl`).

use std::path::{Path, PathBuf};

/// The runtime directory when none is given and `$VTL_RUNTIME_DIR` is unset or empty.
pub const DEFAULT_RUNTIME_DIR: &str = "/run/vtl";

/// The environment variable naming the runtime directory.
pub const RUNTIME_DIR_ENV: &str = "VTL_RUNTIME_DIR";

/// Permissions of a socket: read and write for the owner and the group (`vtl`), nothing
/// for others (connecting to a Unix socket needs write permission on it).
pub const SOCKET_MODE: u32 = 0o660;

/// The group given the sockets when it exists (best effort).
pub const SOCKET_GROUP: &str = "vtl";

/// The runtime directory: `explicit`, else `$VTL_RUNTIME_DIR` (when set and not empty),
/// else [`DEFAULT_RUNTIME_DIR`].
pub fn runtime_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match std::env::var_os(RUNTIME_DIR_ENV) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(DEFAULT_RUNTIME_DIR),
    }
}

/// The socket of daemon `id` (its device.conf `Drive:` / `Library:` number) in `dir`:
/// `dir/vtl-<id>.sock`.
pub fn socket_path(dir: &Path, id: u32) -> PathBuf {
    dir.join(format!("vtl-{id}.sock"))
}

/// The daemon id a socket path names (`…/vtl-<id>.sock`), if it follows that pattern.
pub fn id_of(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let digits = name.strip_prefix("vtl-")?.strip_suffix(".sock")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The id of group `name` in the group database text `group` (the format of
/// `/etc/group`: `name:password:gid:members`).
pub fn group_id_in(group: &str, name: &str) -> Option<u32> {
    group.lines().find_map(|line| {
        let mut f = line.split(':');
        if f.next()? != name {
            return None;
        }
        f.next()?;
        f.next()?.trim().parse().ok()
    })
}

/// The id of group `name` from `/etc/group` (groups known only to NSS services such as
/// LDAP are not found; the socket then keeps the daemon's group).
pub fn group_id(name: &str) -> Option<u32> {
    let text = std::fs::read_to_string("/etc/group").ok()?;
    group_id_in(&text, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            socket_path(Path::new("/run/vtl"), 11),
            PathBuf::from("/run/vtl/vtl-11.sock")
        );
        assert_eq!(
            runtime_dir(Some(Path::new("/tmp/x"))),
            PathBuf::from("/tmp/x")
        );
        assert_eq!(id_of(Path::new("/run/vtl/vtl-10.sock")), Some(10));
        assert_eq!(id_of(Path::new("/run/vtl/vtl-.sock")), None);
        assert_eq!(id_of(Path::new("/run/vtl/vtl-+1.sock")), None);
        assert_eq!(id_of(Path::new("/run/vtl/other.sock")), None);
    }

    #[test]
    fn groups() {
        let g = "root:x:0:\ntape:x:26:\nvtl:x:998:alice,bob\nbroken\n";
        assert_eq!(group_id_in(g, "vtl"), Some(998));
        assert_eq!(group_id_in(g, "tape"), Some(26));
        assert_eq!(group_id_in(g, "vt"), None);
        assert_eq!(group_id_in(g, "broken"), None);
    }
}
