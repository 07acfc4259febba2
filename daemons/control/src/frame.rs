//! The bytes on the socket: one request, one reply, per connection.
//!
//! * **Request** (client → daemon): one line of UTF-8 text, at most [`MAX_REQUEST_LEN`]
//!   (1024) bytes, ended by `\n` (a `\r` before it is dropped) or by the client shutting
//!   its write side down. [`read_request`] reads at most 1025 bytes: a line without its
//!   newline by then is refused as too long, so nothing a client sends can make the daemon
//!   buffer more.
//! * **Reply** (daemon → client): a status line, `ok` or `error`, then `\n`, then the reply
//!   text (any UTF-8, possibly empty, possibly several lines, kept byte for byte: `list map`
//!   ends in padding blanks), then the daemon closes the connection. The client reads to
//!   the end, at most [`MAX_REPLY_LEN`] bytes.
//!
//! Both sides set read and write timeouts on the socket ([`std::os::unix::net::UnixStream::
//! set_read_timeout`]) so neither ever blocks for good on a silent peer; a timeout is an
//! error ([`FrameError::Timeout`]).

use std::io::{self, Read, Write};

use crate::reply::Reply;
pub use crate::request::MAX_REQUEST_LEN;

/// The longest reply a client accepts, in bytes (the status of a library with 65535
/// storage elements as JSON is about 8 MiB).
pub const MAX_REPLY_LEN: usize = 16 << 20;

/// What went wrong reading or writing a request or a reply.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// Nothing (or nothing more) arrived within the socket's read timeout.
    #[error("no data within the time limit")]
    Timeout,
    /// The request line is longer than [`MAX_REQUEST_LEN`] bytes.
    #[error("request longer than {MAX_REQUEST_LEN} bytes")]
    RequestTooLong,
    /// The connection closed before any byte of a request.
    #[error("connection closed without a request")]
    NoRequest,
    /// The reply is longer than [`MAX_REPLY_LEN`] bytes.
    #[error("reply longer than {MAX_REPLY_LEN} bytes")]
    ReplyTooLong,
    /// Bytes that are not UTF-8; `offset` is the first bad byte's.
    #[error("{what} is not UTF-8 text (bad byte at offset {offset})")]
    NotUtf8 {
        /// `request` or `reply`.
        what: &'static str,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// A NUL or other control character (other than tab) in the request line.
    #[error("request contains control character 0x{byte:02x} at offset {offset}")]
    ControlChar {
        /// The character.
        byte: u8,
        /// Its offset.
        offset: usize,
    },
    /// The reply does not start with `ok\n` or `error\n`.
    #[error("malformed reply: status line {0:?} is neither 'ok' nor 'error'")]
    BadStatus(String),
    /// Any other I/O error.
    #[error("{0}")]
    Io(#[source] io::Error),
}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            // What a socket read or write timeout returns.
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => FrameError::Timeout,
            _ => FrameError::Io(e),
        }
    }
}

/// Read one request line from `r` (see the module documentation): the text without its
/// newline.
///
/// Errors: [`FrameError::RequestTooLong`] (no newline within 1025 bytes),
/// [`FrameError::NoRequest`] (closed before a byte), [`FrameError::NotUtf8`],
/// [`FrameError::ControlChar`], [`FrameError::Timeout`], [`FrameError::Io`].
pub fn read_request(r: &mut impl Read) -> Result<String, FrameError> {
    // The line, its newline, and one byte more to see that it is too long.
    let mut buf = Vec::with_capacity(MAX_REQUEST_LEN + 2);
    let mut chunk = [0u8; 256];
    let line_end = loop {
        if let Some(i) = buf.iter().position(|&b| b == b'\n') {
            break i;
        }
        if buf.len() > MAX_REQUEST_LEN {
            return Err(FrameError::RequestTooLong);
        }
        let want = (MAX_REQUEST_LEN + 1 - buf.len()).min(chunk.len());
        let n = match r.read(&mut chunk[..want]) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            if buf.is_empty() {
                return Err(FrameError::NoRequest);
            }
            break buf.len();
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    if line_end > MAX_REQUEST_LEN {
        return Err(FrameError::RequestTooLong);
    }
    buf.truncate(line_end);
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    if let Some(offset) = buf
        .iter()
        .position(|&b| b < 0x20 && b != b'\t' || b == 0x7f)
    {
        return Err(FrameError::ControlChar {
            byte: buf[offset],
            offset,
        });
    }
    String::from_utf8(buf).map_err(|e| FrameError::NotUtf8 {
        what: "request",
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Write one request line (`line` and `\n`).
///
/// Errors: [`FrameError::RequestTooLong`] for a line over [`MAX_REQUEST_LEN`] bytes or
/// holding a newline (it would be two requests), I/O errors.
pub fn write_request(w: &mut impl Write, line: &str) -> Result<(), FrameError> {
    if line.len() > MAX_REQUEST_LEN || line.contains('\n') {
        return Err(FrameError::RequestTooLong);
    }
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    w.write_all(&bytes)?;
    w.flush()?;
    Ok(())
}

/// Write `reply` ([`Reply::encode`]).
///
/// Errors: I/O errors, [`FrameError::Timeout`] when the client does not read.
pub fn write_reply(w: &mut impl Write, reply: &Reply) -> Result<(), FrameError> {
    w.write_all(&reply.encode())?;
    w.flush()?;
    Ok(())
}

/// Read a whole reply, to the end of the stream, and decode it ([`Reply::decode`]).
///
/// Errors: [`FrameError::ReplyTooLong`], [`FrameError::Timeout`], the decoding errors, I/O.
pub fn read_reply(r: &mut impl Read) -> Result<Reply, FrameError> {
    let mut buf = Vec::new();
    let got = r
        .take(MAX_REPLY_LEN as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(FrameError::from)?;
    if got > MAX_REPLY_LEN {
        return Err(FrameError::ReplyTooLong);
    }
    Reply::decode(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns its bytes in pieces, then a timeout (as a socket with a read
    /// timeout whose peer stays silent).
    struct Slow<'a> {
        parts: Vec<&'a [u8]>,
    }

    impl Read for Slow<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.parts.is_empty() {
                return Err(io::Error::from(io::ErrorKind::WouldBlock));
            }
            let p = self.parts[0];
            let n = p.len().min(out.len());
            out[..n].copy_from_slice(&p[..n]);
            if n == p.len() {
                self.parts.remove(0);
            } else {
                self.parts[0] = &p[n..];
            }
            Ok(n)
        }
    }

    fn req(bytes: &[u8]) -> Result<String, FrameError> {
        read_request(&mut &bytes[..])
    }

    #[test]
    fn request_lines() {
        assert_eq!(req(b"open map\n").unwrap(), "open map");
        assert_eq!(req(b"open map\r\n").unwrap(), "open map");
        // closing the write side ends the line too
        assert_eq!(req(b"list map").unwrap(), "list map");
        // bytes after the newline are ignored (one request per connection)
        assert_eq!(req(b"exit\nexit\n").unwrap(), "exit");
        assert_eq!(req(b"\n").unwrap(), "");
        assert!(matches!(req(b""), Err(FrameError::NoRequest)));
        // pieces
        let mut s = Slow {
            parts: vec![b"load ", b"map E0", b"1001L8\n"],
        };
        assert_eq!(read_request(&mut s).unwrap(), "load map E01001L8");
    }

    #[test]
    fn request_limits() {
        let mut exact = vec![b'a'; MAX_REQUEST_LEN];
        exact.push(b'\n');
        assert_eq!(req(&exact).unwrap().len(), MAX_REQUEST_LEN);
        let mut over = vec![b'a'; MAX_REQUEST_LEN + 1];
        over.push(b'\n');
        assert!(matches!(req(&over), Err(FrameError::RequestTooLong)));
        // A client that never stops sending: refused after 1025 bytes, the rest unread.
        let endless = vec![b'a'; 1 << 20];
        let mut r = &endless[..];
        assert!(matches!(
            read_request(&mut r),
            Err(FrameError::RequestTooLong)
        ));
        assert_eq!(r.len(), (1 << 20) - (MAX_REQUEST_LEN + 1));
        // exactly 1025 bytes then EOF: too long too
        assert!(matches!(
            req(&vec![b'a'; MAX_REQUEST_LEN + 1]),
            Err(FrameError::RequestTooLong)
        ));
    }

    #[test]
    fn request_bad_bytes() {
        match req(b"load map \xff\xfeX\n") {
            Err(FrameError::NotUtf8 { what, offset }) => {
                assert_eq!((what, offset), ("request", 9));
            }
            other => panic!("{other:?}"),
        }
        match req(b"load\0map\n") {
            Err(e @ FrameError::ControlChar { byte: 0, offset: 4 }) => {
                assert_eq!(
                    e.to_string(),
                    "request contains control character 0x00 at offset 4"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(req("load map Ä\n".as_bytes()).unwrap(), "load map Ä");
        assert_eq!(req(b"open\tmap\n").unwrap(), "open\tmap");
    }

    #[test]
    fn request_timeout() {
        // no newline before the peer goes silent
        let mut s = Slow {
            parts: vec![b"open m"],
        };
        assert!(matches!(read_request(&mut s), Err(FrameError::Timeout)));
        let mut s = Slow { parts: vec![] };
        assert!(matches!(read_request(&mut s), Err(FrameError::Timeout)));
    }

    #[test]
    fn request_writing() {
        let mut out = Vec::new();
        write_request(&mut out, "add slot").unwrap();
        assert_eq!(out, b"add slot\n");
        assert!(matches!(
            write_request(&mut out, "a\nb"),
            Err(FrameError::RequestTooLong)
        ));
        assert!(matches!(
            write_request(&mut out, &"a".repeat(1025)),
            Err(FrameError::RequestTooLong)
        ));
    }

    #[test]
    fn replies() {
        let mut out = Vec::new();
        write_reply(&mut out, &Reply::ok("Contents: A       ")).unwrap();
        assert_eq!(out, b"ok\nContents: A       ");
        assert_eq!(
            read_reply(&mut &out[..]).unwrap(),
            Reply::ok("Contents: A       ")
        );
        let mut s = Slow {
            parts: vec![b"ok\npart"],
        };
        assert!(matches!(read_reply(&mut s), Err(FrameError::Timeout)));
        let big = vec![b'x'; MAX_REPLY_LEN + 10];
        assert!(matches!(
            read_reply(&mut &big[..]),
            Err(FrameError::ReplyTooLong)
        ));
    }
}
