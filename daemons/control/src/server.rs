//! The daemon's side: [`Server::bind`] makes the socket, [`Server::serve`] answers
//! connections one at a time with a [`Control`] handler until the handler asks to shut
//! down.
//!
//! # The socket file
//!
//! [`Server::bind`] creates the parent directory when it is missing (mode 0755), refuses a
//! path where another daemon answers (`AddrInUse`) or that is not a socket
//! (`AlreadyExists`), and replaces the socket file of a dead daemon (connecting to it is
//! refused). The socket is bound under a temporary name in the same directory, given mode
//! [`SOCKET_MODE`] (0660) and, when group [`SOCKET_GROUP`] (`vtl`) exists in `/etc/group`,
//! that group (best effort: a daemon not running as root keeps its own group), and only
//! then renamed to its final name, so a client never finds it with other permissions. The
//! file is removed when the [`Server`] is dropped, unless another daemon has replaced it
//! since.
//!
//! # Connections
//!
//! One request per connection (module [`crate::frame`]): the server reads the line with a
//! read timeout ([`Server::set_timeout`], default [`DEFAULT_IO_TIMEOUT`]), parses it
//! ([`Request::parse`]; a line that does not parse is answered `error` with the parser's
//! message and the handler never sees it), calls the handler, writes the reply with the
//! same timeout as write timeout, discards what the client sent after its line (up to 64
//! KiB: Linux resets a connection closed with unread bytes, and the client would lose the
//! reply) and closes the connection. A client that sends nothing is dropped after the
//! timeout with an `error` reply. Connections are served one after the other, so the
//! handler is never called concurrently; a slow client delays the next one by at most three
//! times the timeout (reading its request, writing the reply, draining), each a deadline
//! for the whole step, not for each read.

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::frame::{FrameError, read_request, write_reply};
use crate::reply::{Outcome, Reply};
use crate::request::Request;
use crate::runtime::{SOCKET_GROUP, SOCKET_MODE, group_id};

/// How long the server waits for a request line, and for the client to take the reply.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A daemon's command handler: one [`Request`] in, one [`Outcome`] out. Implemented by
/// [`crate::DriveControl`], [`crate::LibraryControl`] and by any `FnMut(Request) ->
/// Outcome` closure.
pub trait Control {
    /// Carry out `req`.
    fn handle(&mut self, req: Request) -> Outcome;
}

impl<F: FnMut(Request) -> Outcome> Control for F {
    fn handle(&mut self, req: Request) -> Outcome {
        self(req)
    }
}

/// What one connection brought (for the daemon's log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The request line as received (`None` when it could not be read).
    pub line: Option<String>,
    /// The reply sent (or attempted).
    pub reply: Reply,
    /// The handler asked to shut down.
    pub shutdown: bool,
}

/// A listening control socket.
#[derive(Debug)]
pub struct Server {
    listener: UnixListener,
    path: PathBuf,
    /// (device, inode) of the socket file, to remove only our own at drop.
    ident: (u64, u64),
    timeout: Duration,
}

fn err(kind: io::ErrorKind, path: &Path, what: impl std::fmt::Display) -> io::Error {
    io::Error::new(kind, format!("{}: {what}", path.display()))
}

impl Server {
    /// Listen on `path` (see the module documentation for what happens to an existing
    /// file, the permissions and the group).
    ///
    /// Errors: `AddrInUse` when a daemon answers on `path`; `AlreadyExists` when `path` is
    /// not a socket; any error creating the directory, binding, setting the mode or
    /// renaming (each message names the path).
    pub fn bind(path: &Path) -> io::Result<Server> {
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_socket() => {
                // Refused: the daemon that made it is gone; replaced by the rename below.
                if UnixStream::connect(path).is_ok() {
                    return Err(err(
                        io::ErrorKind::AddrInUse,
                        path,
                        "another daemon is listening on this socket",
                    ));
                }
            }
            Ok(_) => {
                return Err(err(
                    io::ErrorKind::AlreadyExists,
                    path,
                    "exists and is not a socket",
                ));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(err(e.kind(), path, e)),
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o755)
                .create(&dir)
                .map_err(|e| err(e.kind(), &dir, format_args!("create directory: {e}")))?;
        }
        let name = path
            .file_name()
            .ok_or_else(|| err(io::ErrorKind::InvalidInput, path, "no file name"))?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_file(&tmp);
        let listener =
            UnixListener::bind(&tmp).map_err(|e| err(e.kind(), &tmp, format_args!("bind: {e}")))?;
        let finish = || -> io::Result<()> {
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(SOCKET_MODE))
                .map_err(|e| err(e.kind(), &tmp, format_args!("chmod: {e}")))?;
            if let Some(gid) = group_id(SOCKET_GROUP) {
                // Best effort: only root (or a member of the group) may do this.
                let _ = std::os::unix::fs::chown(&tmp, None, Some(gid));
            }
            std::fs::rename(&tmp, path).map_err(|e| {
                err(
                    e.kind(),
                    path,
                    format_args!("rename from {}: {e}", tmp.display()),
                )
            })
        };
        if let Err(e) = finish() {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        let m = std::fs::symlink_metadata(path).map_err(|e| err(e.kind(), path, e))?;
        Ok(Server {
            listener,
            path: path.to_path_buf(),
            ident: (m.dev(), m.ino()),
            timeout: DEFAULT_IO_TIMEOUT,
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Set how long to wait for a client's request and for it to take the reply (must not
    /// be zero; zero is taken as one millisecond).
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout.max(Duration::from_millis(1));
    }

    /// Accept one connection and answer it with `handler`.
    ///
    /// Errors: only accepting fails this call; a client's misbehaviour (timeout, bad bytes,
    /// going away) is in the returned [`Served`].
    pub fn serve_one(&self, handler: &mut impl Control) -> io::Result<Served> {
        let (stream, _) = self.listener.accept()?;
        Ok(self.answer(stream, handler))
    }

    fn answer(&self, mut stream: UnixStream, handler: &mut impl Control) -> Served {
        let _ = stream.set_write_timeout(Some(self.timeout));
        let mut reader = Deadline::new(&stream, self.timeout);
        let (line, outcome) = match read_request(&mut reader) {
            Ok(line) => {
                let outcome = match Request::parse(&line) {
                    Ok(req) => handler.handle(req),
                    Err(e) => Reply::error(e.to_string()).into(),
                };
                (Some(line), outcome)
            }
            Err(FrameError::NoRequest) => {
                (None, Reply::error(FrameError::NoRequest.to_string()).into())
            }
            Err(FrameError::Timeout) => (
                None,
                Reply::error(format!(
                    "no request line within {}",
                    crate::client::format_duration(self.timeout)
                ))
                .into(),
            ),
            Err(e) => (None, Reply::error(e.to_string()).into()),
        };
        let _ = write_reply(&mut stream, &outcome.reply);
        drain(&stream, line.is_none(), self.timeout);
        let _ = stream.shutdown(std::net::Shutdown::Both);
        Served {
            line,
            reply: outcome.reply,
            shutdown: outcome.shutdown,
        }
    }

    /// Answer connections until the handler asks to shut down (after its reply was sent).
    ///
    /// Errors: accepting failed other than by an interrupted or aborted connection.
    pub fn serve(&self, mut handler: impl Control) -> io::Result<()> {
        loop {
            match self.serve_one(&mut handler) {
                Ok(s) if s.shutdown => return Ok(()),
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// [`Server::serve`] on a thread of its own named `vtl-control`; the socket file is
    /// removed when it returns.
    ///
    /// Errors: the thread could not be created.
    pub fn spawn(
        self,
        handler: impl Control + Send + 'static,
    ) -> io::Result<JoinHandle<io::Result<()>>> {
        std::thread::Builder::new()
            .name("vtl-control".into())
            .spawn(move || self.serve(handler))
    }
}

/// The most bytes read and thrown away after a request ([`drain`]).
const DRAIN_LIMIT: usize = 64 << 10;

/// A reader over a socket that fails with `WouldBlock` once `deadline` has passed: the
/// socket's read timeout is set to what remains before each read, so a client sending a byte
/// now and then cannot hold the server longer than the timeout in all.
struct Deadline<'a> {
    stream: &'a UnixStream,
    deadline: Instant,
}

impl<'a> Deadline<'a> {
    fn new(stream: &'a UnixStream, timeout: Duration) -> Self {
        Deadline {
            stream,
            deadline: Instant::now() + timeout,
        }
    }
}

impl io::Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut s = self.stream;
        s.read(buf)
    }
}

/// Read and discard what the client sent after its request line, at most [`DRAIN_LIMIT`]
/// bytes: Linux resets a Unix stream connection closed with unread bytes in its receive
/// queue, and the client would then lose the reply it has not read yet. After a request that
/// could not be read (`wait`), wait for the client's end of stream (up to `timeout` in all)
/// because it may still be sending; otherwise take only what has already arrived.
fn drain(stream: &UnixStream, wait: bool, timeout: Duration) {
    use std::io::Read;
    if !wait && stream.set_nonblocking(true).is_err() {
        return;
    }
    let mut r = Deadline::new(stream, timeout);
    let mut buf = [0u8; 4096];
    let mut total = 0;
    while total < DRAIN_LIMIT {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(m) = std::fs::symlink_metadata(&self.path)
            && (m.dev(), m.ino()) == self.ident
        {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
