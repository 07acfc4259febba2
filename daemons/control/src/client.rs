//! vtlcmd's side: [`Client::request`] connects to a daemon's socket, sends one request,
//! reads the reply, within a deadline.
//!
//! The whole exchange (connect, write, read) runs on a helper thread whose socket has read
//! and write timeouts; the caller waits for it at most the given time, so a daemon that
//! accepts but never answers — or a connect that blocks on a full listen queue — costs the
//! caller that time and no more.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use crate::frame::{FrameError, read_reply, write_request};
use crate::reply::Reply;
use crate::request::Request;
use crate::runtime::id_of;

/// Why a request got no reply.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// No socket file: the daemon is not running (or uses another runtime directory).
    #[error("{daemon} is not running (no {})", path.display())]
    NotRunning {
        /// `vtl daemon <id>`.
        daemon: String,
        /// The socket path.
        path: PathBuf,
    },
    /// The socket file exists but nobody listens: the daemon died without removing it.
    #[error("{daemon} is not running (stale socket {})", path.display())]
    Stale {
        /// `vtl daemon <id>`.
        daemon: String,
        /// The socket path.
        path: PathBuf,
    },
    /// Connecting is not allowed.
    #[error(
        "{}: permission denied (run as root or as a member of group vtl)",
        path.display()
    )]
    PermissionDenied {
        /// The socket path.
        path: PathBuf,
    },
    /// No (complete) reply within the time limit.
    #[error("{daemon} did not answer within {within}")]
    Timeout {
        /// `vtl daemon <id>`.
        daemon: String,
        /// The time limit, e.g. `10 s`.
        within: String,
    },
    /// The request line cannot be sent (too long or holding a newline).
    #[error("request not sent: {0}")]
    BadRequest(#[source] FrameError),
    /// The daemon's reply is malformed.
    #[error("{daemon}: {source}")]
    Protocol {
        /// `vtl daemon <id>`.
        daemon: String,
        /// What is wrong with it.
        #[source]
        source: FrameError,
    },
    /// Another I/O error on the socket.
    #[error("{}: {source}", path.display())]
    Io {
        /// The socket path.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
}

/// `d` for messages: `10 s`, `2.5 s`, `250 ms`.
pub fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else if d.as_secs() > 0 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Talks to daemons.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client;

impl Client {
    /// Send `req` to the daemon listening on `path` and return its reply, waiting at most
    /// `timeout` in all.
    ///
    /// Errors ([`ControlError`]): no socket → `vtl daemon <id> is not running (no <path>)`;
    /// connection refused → `... is not running (stale socket <path>)`; no reply in time →
    /// `vtl daemon <id> did not answer within <N> s`; permission denied; a malformed reply.
    pub fn request(path: &Path, req: &Request, timeout: Duration) -> Result<Reply, ControlError> {
        Client::request_line(path, &req.to_string(), timeout)
    }

    /// As [`Client::request`] with the request line as text (sent as it is: the daemon
    /// parses it).
    pub fn request_line(path: &Path, line: &str, timeout: Duration) -> Result<Reply, ControlError> {
        let daemon = match id_of(path) {
            Some(id) => format!("vtl daemon {id}"),
            None => format!("the vtl daemon at {}", path.display()),
        };
        let timeout = timeout.max(Duration::from_millis(1));
        let (tx, rx) = mpsc::channel();
        let (p, l) = (path.to_path_buf(), line.to_string());
        std::thread::Builder::new()
            .name("vtl-control-client".into())
            .spawn(move || {
                let _ = tx.send(exchange(&p, &l, timeout));
            })
            .map_err(|source| ControlError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        let timed_out = || ControlError::Timeout {
            daemon: daemon.clone(),
            within: format_duration(timeout),
        };
        match rx.recv_timeout(timeout) {
            Ok(Ok(reply)) => Ok(reply),
            Ok(Err(Step::Connect(e))) => Err(match e.kind() {
                io::ErrorKind::NotFound => ControlError::NotRunning {
                    daemon,
                    path: path.to_path_buf(),
                },
                io::ErrorKind::ConnectionRefused => ControlError::Stale {
                    daemon,
                    path: path.to_path_buf(),
                },
                io::ErrorKind::PermissionDenied => ControlError::PermissionDenied {
                    path: path.to_path_buf(),
                },
                _ => ControlError::Io {
                    path: path.to_path_buf(),
                    source: e,
                },
            }),
            Ok(Err(Step::Send(FrameError::Timeout) | Step::Receive(FrameError::Timeout))) => {
                Err(timed_out())
            }
            Ok(Err(Step::Send(FrameError::Io(e)))) => Err(ControlError::Io {
                path: path.to_path_buf(),
                source: e,
            }),
            Ok(Err(Step::Send(e))) => Err(ControlError::BadRequest(e)),
            Ok(Err(Step::Receive(source))) => Err(ControlError::Protocol { daemon, source }),
            Err(_) => Err(timed_out()),
        }
    }
}

/// Where the exchange failed.
enum Step {
    Connect(io::Error),
    Send(FrameError),
    Receive(FrameError),
}

fn exchange(path: &Path, line: &str, timeout: Duration) -> Result<Reply, Step> {
    if line.len() > crate::MAX_REQUEST_LEN || line.contains('\n') {
        return Err(Step::Send(FrameError::RequestTooLong));
    }
    let mut s = UnixStream::connect(path).map_err(Step::Connect)?;
    s.set_read_timeout(Some(timeout))
        .and_then(|()| s.set_write_timeout(Some(timeout)))
        .map_err(|e| Step::Send(e.into()))?;
    write_request(&mut s, line).map_err(Step::Send)?;
    let _ = s.shutdown(std::net::Shutdown::Write);
    read_reply(&mut s).map_err(Step::Receive)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(format_duration(Duration::from_secs(10)), "10 s");
        assert_eq!(format_duration(Duration::from_millis(2500)), "2.5 s");
        assert_eq!(format_duration(Duration::from_millis(250)), "250 ms");
    }
}
