//! A daemon's answer to one request: success or refusal, and a text ([`Reply`]); and what a
//! handler returns to the server ([`Outcome`]: the reply and whether to shut down).

use crate::frame::FrameError;

/// The answer to one request.
///
/// `ok` is false when the daemon refused or failed the command; `text` is what mhvtl's
/// daemons answer (`OK`, `slot=7`, `MAP not opened`, ...; empty for the commands mhvtl
/// answers with nothing), a status report, or why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The command was carried out.
    pub ok: bool,
    /// The reply text (UTF-8; may hold several lines; kept byte for byte).
    pub text: String,
}

impl Reply {
    /// A success with `text`.
    pub fn ok(text: impl Into<String>) -> Reply {
        Reply {
            ok: true,
            text: text.into(),
        }
    }

    /// A refusal or failure explained by `text`.
    pub fn error(text: impl Into<String>) -> Reply {
        Reply {
            ok: false,
            text: text.into(),
        }
    }

    /// `Ok(text)` → success, `Err(text)` → refusal (the shape of vtllibrary's operator
    /// methods).
    pub fn from_result(r: Result<String, String>) -> Reply {
        match r {
            Ok(t) => Reply::ok(t),
            Err(t) => Reply::error(t),
        }
    }

    /// The bytes on the wire: `ok\n` or `error\n`, then the text (module [`crate::frame`]).
    pub fn encode(&self) -> Vec<u8> {
        let status: &[u8] = if self.ok { b"ok\n" } else { b"error\n" };
        let mut v = Vec::with_capacity(status.len() + self.text.len());
        v.extend_from_slice(status);
        v.extend_from_slice(self.text.as_bytes());
        v
    }

    /// Decode what [`Reply::encode`] wrote.
    ///
    /// Errors: [`FrameError::BadStatus`] when the first line is not `ok` or `error` (or there
    /// is no newline), [`FrameError::NotUtf8`] when the text is not UTF-8.
    pub fn decode(bytes: &[u8]) -> Result<Reply, FrameError> {
        let Some(nl) = bytes.iter().position(|&b| b == b'\n') else {
            return Err(FrameError::BadStatus(
                String::from_utf8_lossy(&bytes[..bytes.len().min(32)]).into_owned(),
            ));
        };
        let ok = match &bytes[..nl] {
            b"ok" => true,
            b"error" => false,
            other => {
                return Err(FrameError::BadStatus(
                    String::from_utf8_lossy(&other[..other.len().min(32)]).into_owned(),
                ));
            }
        };
        let text = std::str::from_utf8(&bytes[nl + 1..]).map_err(|e| FrameError::NotUtf8 {
            what: "reply",
            offset: nl + 1 + e.valid_up_to(),
        })?;
        Ok(Reply {
            ok,
            text: text.to_string(),
        })
    }
}

/// What a handler returns for one request: the reply, and whether the daemon should shut
/// down after sending it (`exit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Sent to the client.
    pub reply: Reply,
    /// The daemon was asked to exit: [`crate::Server::serve`] returns after the reply.
    pub shutdown: bool,
}

impl From<Reply> for Outcome {
    fn from(reply: Reply) -> Self {
        Outcome {
            reply,
            shutdown: false,
        }
    }
}

impl Outcome {
    /// `reply`, then shut down.
    pub fn shutdown(reply: Reply) -> Outcome {
        Outcome {
            reply,
            shutdown: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding() {
        assert_eq!(Reply::ok("").encode(), b"ok\n");
        assert_eq!(Reply::ok("slot=6").encode(), b"ok\nslot=6");
        assert_eq!(Reply::error("MAP Full").encode(), b"error\nMAP Full");
        assert_eq!(Reply::ok("a\nb\n").encode(), b"ok\na\nb\n");
        for r in [
            Reply::ok(""),
            Reply::ok("Contents: E01001L8        "),
            Reply::error("line 1\nline 2"),
            Reply::ok("ünïcödé"),
        ] {
            assert_eq!(Reply::decode(&r.encode()).unwrap(), r);
        }
    }

    #[test]
    fn decoding_errors() {
        let e = Reply::decode(b"okay\nx").unwrap_err();
        assert_eq!(
            e.to_string(),
            "malformed reply: status line \"okay\" is neither 'ok' nor 'error'"
        );
        assert!(matches!(Reply::decode(b""), Err(FrameError::BadStatus(s)) if s.is_empty()));
        assert!(matches!(Reply::decode(b"ok"), Err(FrameError::BadStatus(s)) if s == "ok"));
        assert!(matches!(
            Reply::decode(b"ok\nab\xffc"),
            Err(FrameError::NotUtf8 {
                what: "reply",
                offset: 5
            })
        ));
        assert_eq!(
            Reply::from_result(Err("MAP not opened".into())),
            Reply::error("MAP not opened")
        );
        assert!(!Outcome::from(Reply::ok("")).shutdown);
        assert!(Outcome::shutdown(Reply::ok("")).shutdown);
    }
}
