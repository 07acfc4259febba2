//! vtlcmd's logic between its argument parser and the socket (spec 2.4): the device
//! number, which daemon it names in device.conf, whether that daemon takes the command
//! ([`resolve`]), and how a reply is printed and what exit status it gives ([`present`]).

use std::path::{Path, PathBuf};

use vtl_config::DeviceConf;

use crate::reply::Reply;
use crate::request::{DeviceKind, ParseError, Request};
use crate::runtime::socket_path;

/// Device numbers are below this (mhvtl: vtlcmd's own message queue id is 32768).
pub const DEVICE_NO_LIMIT: u32 = 32768;

/// Exit status: the daemon carried the command out.
pub const EXIT_OK: u8 = 0;
/// Exit status: a usage or validation error, device.conf unreadable, no daemon, no answer.
pub const EXIT_USAGE: u8 = 1;
/// Exit status: the daemon refused the command or it failed there.
pub const EXIT_REFUSED: u8 = 2;

/// Why a vtlcmd invocation is not sent.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// DEVICE_NO is not a number below 32768.
    #[error("DEVICE_NO '{0}' is not a number below {DEVICE_NO_LIMIT}")]
    DeviceNumber(String),
    /// The command words do not parse.
    #[error("{0}")]
    Command(#[from] ParseError),
    /// device.conf cannot be read or parsed.
    #[error("{0}")]
    Config(#[from] vtl_config::ConfigError),
    /// The number is neither a drive nor a library in device.conf.
    #[error("device {id} is not in {} (no 'Drive: {id}' nor 'Library: {id}' stanza)", conf.display())]
    UnknownDevice {
        /// The device number.
        id: u32,
        /// The device.conf read.
        conf: PathBuf,
    },
    /// The command is for the other kind of daemon.
    #[error(
        "'{command}' is a {wanted} command, but device {id} is a {kind} ('{header}: {id}' in {})",
        conf.display()
    )]
    WrongKind {
        /// The command's name.
        command: &'static str,
        /// The kind of daemon that takes it.
        wanted: DeviceKind,
        /// The device number.
        id: u32,
        /// What the device is.
        kind: DeviceKind,
        /// `Drive` or `Library`.
        header: &'static str,
        /// The device.conf read.
        conf: PathBuf,
    },
}

/// A checked invocation: which daemon, its socket, the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// The device number.
    pub id: u32,
    /// What it is in device.conf.
    pub kind: DeviceKind,
    /// Its control socket.
    pub socket: PathBuf,
    /// The command.
    pub request: Request,
}

/// DEVICE_NO: decimal digits only, below [`DEVICE_NO_LIMIT`].
pub fn device_number(word: &str) -> Result<u32, InvocationError> {
    if word.is_empty() || word.len() > 5 || !word.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvocationError::DeviceNumber(word.to_string()));
    }
    match word.parse::<u32>() {
        Ok(n) if n < DEVICE_NO_LIMIT => Ok(n),
        _ => Err(InvocationError::DeviceNumber(word.to_string())),
    }
}

/// What device `id` is in `conf`.
pub fn device_kind(conf: &DeviceConf, id: u32) -> Option<DeviceKind> {
    if conf.library(id).is_some() {
        Some(DeviceKind::Library)
    } else if conf.drive(id).is_some() {
        Some(DeviceKind::Drive)
    } else {
        None
    }
}

/// Check `vtlcmd DEVICE_NO COMMAND...` against `<conf_dir>/device.conf` and find the
/// socket in `runtime_dir`. The checks run in the order mhvtl's vtlcmd makes them: the
/// number, the command words, the device in device.conf, the command for that kind.
///
/// Errors: [`InvocationError`], each naming what is wrong.
pub fn resolve<S: AsRef<str>>(
    device: &str,
    words: &[S],
    conf_dir: &Path,
    runtime_dir: &Path,
) -> Result<Invocation, InvocationError> {
    let id = device_number(device)?;
    let request = Request::from_words(words)?;
    let (conf, _warnings) = DeviceConf::read(conf_dir)?;
    let conf_file = conf_dir.join("device.conf");
    let kind = device_kind(&conf, id).ok_or_else(|| InvocationError::UnknownDevice {
        id,
        conf: conf_file.clone(),
    })?;
    if !request.applies_to(kind) {
        let wanted = match kind {
            DeviceKind::Drive => DeviceKind::Library,
            DeviceKind::Library => DeviceKind::Drive,
        };
        return Err(InvocationError::WrongKind {
            command: request.name(),
            wanted,
            id,
            kind,
            header: match kind {
                DeviceKind::Drive => "Drive",
                DeviceKind::Library => "Library",
            },
            conf: conf_file,
        });
    }
    Ok(Invocation {
        id,
        kind,
        socket: socket_path(runtime_dir, id),
        request,
    })
}

/// What vtlcmd prints for a reply, and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    /// For standard output (with its final newline), if anything.
    pub stdout: Option<String>,
    /// For standard error (with its final newline), if anything.
    pub stderr: Option<String>,
    /// The exit status ([`EXIT_OK`] or [`EXIT_REFUSED`]).
    pub code: u8,
}

fn line(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// How vtlcmd shows `reply` to `req`: a success's text on standard output (nothing when it
/// is empty, as mhvtl for the commands it does not answer), status 0; a refusal of a
/// command whose reply mhvtl prints (`add slot`, the MAP commands) on standard output as
/// mhvtl does, any other refusal on standard error after `vtlcmd: `, status 2.
pub fn present(req: &Request, reply: &Reply) -> Printed {
    if reply.ok {
        return Printed {
            stdout: (!reply.text.is_empty()).then(|| line(&reply.text)),
            stderr: None,
            code: EXIT_OK,
        };
    }
    if req.mhvtl_prints_reply() {
        Printed {
            stdout: Some(line(&reply.text)),
            stderr: None,
            code: EXIT_REFUSED,
        }
    } else {
        Printed {
            stdout: None,
            stderr: Some(line(&format!("vtlcmd: {}", reply.text))),
            code: EXIT_REFUSED,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n \
Home directory: /tmp/x\n\nDrive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n";

    fn conf_dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("device.conf"), CONF).unwrap();
        d
    }

    #[test]
    fn device_numbers() {
        assert_eq!(device_number("0").unwrap(), 0);
        assert_eq!(device_number("32767").unwrap(), 32767);
        for bad in ["32768", "", "-1", "+1", "1a", "99999999999", " 1"] {
            assert_eq!(
                device_number(bad).unwrap_err().to_string(),
                format!("DEVICE_NO '{bad}' is not a number below 32768")
            );
        }
    }

    #[test]
    fn resolving() {
        let d = conf_dir();
        let run = Path::new("/run/x");
        let inv = resolve("10", &["open", "map"], d.path(), run).unwrap();
        assert_eq!(inv.kind, DeviceKind::Library);
        assert_eq!(inv.socket, PathBuf::from("/run/x/vtl-10.sock"));
        assert_eq!(inv.request, Request::OpenMap);
        let inv = resolve("11", &["load", "E01001L8"], d.path(), run).unwrap();
        assert_eq!(inv.kind, DeviceKind::Drive);
        let conf = d.path().join("device.conf");
        let e = resolve("11", &["open", "map"], d.path(), run).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "'open map' is a library command, but device 11 is a drive ('Drive: 11' in {})",
                conf.display()
            )
        );
        let e = resolve("10", &["load", "E01001L8"], d.path(), run).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "'load' is a drive command, but device 10 is a library ('Library: 10' in {})",
                conf.display()
            )
        );
        let e = resolve("12", &["status"], d.path(), run).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "device 12 is not in {} (no 'Drive: 12' nor 'Library: 12' stanza)",
                conf.display()
            )
        );
        let e = resolve("10", &["open", "sesame"], d.path(), run).unwrap_err();
        assert_eq!(e.to_string(), "'open': 'sesame' is not map");
        let e = resolve("10", &["status"], &d.path().join("nope"), run).unwrap_err();
        assert!(matches!(e, InvocationError::Config(_)), "{e}");
        assert!(e.to_string().contains("nope/device.conf"), "{e}");
    }

    #[test]
    fn printing() {
        let p = present(&Request::AddSlot, &Reply::ok("slot=6"));
        assert_eq!(
            p,
            Printed {
                stdout: Some("slot=6\n".into()),
                stderr: None,
                code: 0
            }
        );
        let p = present(&Request::Load("A".into()), &Reply::ok(""));
        assert_eq!((p.stdout, p.stderr, p.code), (None, None, 0));
        let p = present(
            &Request::LoadMap("A".into()),
            &Reply::error("MAP not opened"),
        );
        assert_eq!(
            (p.stdout.as_deref(), p.stderr, p.code),
            (Some("MAP not opened\n"), None, 2)
        );
        let p = present(
            &Request::Load("A".into()),
            &Reply::error("Load failed: A: x"),
        );
        assert_eq!(
            (p.stdout, p.stderr.as_deref(), p.code),
            (None, Some("vtlcmd: Load failed: A: x\n"), 2)
        );
        let p = present(&Request::Status { json: false }, &Reply::ok("a\nb\n"));
        assert_eq!(p.stdout.as_deref(), Some("a\nb\n"));
    }
}
