//! systemd's readiness protocol (sd_notify(3)) without libsystemd: one datagram to
//! `$NOTIFY_SOCKET` (a path, or `@name` in the abstract namespace), sent by the daemons
//! once they serve (`READY=1`) and when they begin to stop (`STOPPING=1`), so that their
//! units can be `Type=notify`.

use std::ffi::OsStr;
use std::io;
use std::os::unix::net::UnixDatagram;

/// Send `state` (e.g. `READY=1`) to the service manager. `Ok(false)` when not run by one
/// (`$NOTIFY_SOCKET` unset or empty).
///
/// Errors: the socket cannot be reached.
pub fn notify(state: &str) -> io::Result<bool> {
    match std::env::var_os("NOTIFY_SOCKET").filter(|p| !p.is_empty()) {
        Some(path) => notify_to(&path, state).map(|()| true),
        None => Ok(false),
    }
}

/// Send `state` to the notification socket `path` (a file system path, or `@name` for
/// the abstract namespace).
///
/// Errors: the socket cannot be reached.
pub fn notify_to(path: &OsStr, state: &str) -> io::Result<()> {
    let sock = UnixDatagram::unbound()?;
    if let Some(name) = path.as_encoded_bytes().strip_prefix(b"@") {
        use std::os::linux::net::SocketAddrExt;
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name)?;
        sock.send_to_addr(state.as_bytes(), &addr)?;
    } else {
        sock.send_to(state.as_bytes(), path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_one_datagram() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        notify_to(path.as_os_str(), "READY=1").unwrap();
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");

        use std::os::linux::net::SocketAddrExt;
        let name = format!("vtl-notify-test-{}", std::process::id());
        let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let rx = UnixDatagram::bind_addr(&addr).unwrap();
        notify_to(OsStr::new(&format!("@{name}")), "STOPPING=1").unwrap();
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1");
        assert!(notify_to(dir.path().join("none").as_os_str(), "READY=1").is_err());
    }
}
