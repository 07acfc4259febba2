//! The service loop of one logical unit: wait for a message, read it, hand a command to the
//! [`LogicalUnit`], write the reply. The device I/O sits behind [`Channel`] so that the loop
//! runs unchanged over a logical unit's character device ([`FdChannel`]) and over a test
//! double.

use std::io;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use vtl_scsi::{LogicalUnit, Request, ResetEvent};
use zerocopy::IntoBytes;

use crate::address::LuAddress;
use crate::error::KernelError;
use crate::message::{Message, encode_reply};
use crate::sys;
use crate::uapi;

/// How long one wait for a message lasts before the stop flag is looked at again.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// The three operations the service loop needs from a logical unit's device.
pub trait Channel {
    /// Wait up to `timeout` for a message: `Ok(true)` when a read may proceed,
    /// `Ok(false)` on timeout. An interrupted wait returns the EINTR error.
    fn wait_readable(&mut self, timeout: Duration) -> io::Result<bool>;

    /// Read one message (header and data-out) into `buf`, which holds
    /// [`uapi::READ_BUFFER_LEN`] bytes; returns its length.
    fn read_message(&mut self, buf: &mut [u8]) -> io::Result<usize>;

    /// Write one reply, `header` then `data`, as a single operation; returns the bytes
    /// written.
    fn write_reply(&mut self, header: &[u8], data: &[u8]) -> io::Result<usize>;
}

/// A [`Channel`] over a file descriptor: poll(2), read(2), writev(2).
#[derive(Debug)]
pub struct FdChannel<F>(pub F);

impl<F: AsFd> Channel for FdChannel<F> {
    fn wait_readable(&mut self, timeout: Duration) -> io::Result<bool> {
        sys::poll_readable(self.0.as_fd(), timeout)
    }

    fn read_message(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        sys::read(self.0.as_fd(), buf)
    }

    fn write_reply(&mut self, header: &[u8], data: &[u8]) -> io::Result<usize> {
        sys::writev2(self.0.as_fd(), header, data)
    }
}

/// The buffers of one logical unit's service loop (a read buffer of
/// [`uapi::READ_BUFFER_LEN`] bytes and a data-in buffer, both allocated once) and the
/// unit's identity for error messages.
#[derive(Debug)]
pub struct Dispatcher {
    path: PathBuf,
    addr: LuAddress,
    buf: Vec<u8>,
    data_in: Vec<u8>,
}

/// Whether an I/O error is EINTR or EAGAIN (retry).
fn is_retry(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINTR) | Some(libc::EAGAIN))
}

impl Dispatcher {
    /// Buffers for the unit `addr` whose device is `path`.
    pub fn new(path: PathBuf, addr: LuAddress) -> Dispatcher {
        Dispatcher {
            path,
            addr,
            buf: vec![0; uapi::READ_BUFFER_LEN],
            data_in: Vec::new(),
        }
    }

    /// Serve `lu` until `stop` is set (looked at least every [`POLL_INTERVAL`] and after
    /// every interrupted wait). Returns `Ok(())` when stopped,
    /// [`KernelError::Removed`] when the unit was removed under it, another error when the
    /// device fails or sends an invalid message.
    pub fn serve<C: Channel + ?Sized>(
        &mut self,
        ch: &mut C,
        lu: &mut dyn LogicalUnit,
        stop: &AtomicBool,
    ) -> Result<(), KernelError> {
        while !stop.load(Ordering::Relaxed) {
            match ch.wait_readable(POLL_INTERVAL) {
                Ok(true) => self.handle_one(ch, lu)?,
                Ok(false) => {}
                Err(e) if is_retry(&e) => {}
                Err(e) => return Err(self.error("poll", e)),
            }
        }
        Ok(())
    }

    /// Read one message and act on it: a command is executed and answered, an abort is
    /// noted, a reset is passed to `lu`. A read that finds nothing (EAGAIN, EINTR) does
    /// nothing.
    pub fn handle_one<C: Channel + ?Sized>(
        &mut self,
        ch: &mut C,
        lu: &mut dyn LogicalUnit,
    ) -> Result<(), KernelError> {
        let n = match ch.read_message(&mut self.buf) {
            Ok(n) => n,
            Err(e) if is_retry(&e) => return Ok(()),
            Err(e) => return Err(self.error("read", e)),
        };
        let msg = Message::decode(&self.buf[..n]).map_err(|source| KernelError::Protocol {
            path: self.path.clone(),
            source,
        })?;
        match msg {
            Message::Command(cmd) => {
                self.data_in.clear();
                let req = Request {
                    nexus: cmd.nexus,
                    cdb: cmd.cdb,
                    data_out: cmd.data_out,
                };
                let reply = lu.execute(&req, &mut self.data_in);
                let (hdr, len) = encode_reply(&cmd, &reply, self.data_in.len());
                tracing::trace!(
                    unit = %self.addr,
                    tag = cmd.tag,
                    op = cmd.cdb[0],
                    status = hdr.status,
                    data_in = len,
                    "command"
                );
                let (path, addr) = (&self.path, self.addr);
                write_reply(
                    ch,
                    hdr.as_bytes(),
                    &self.data_in[..len],
                    cmd.tag,
                    path,
                    addr,
                )
            }
            Message::Abort { tag } => {
                tracing::debug!(unit = %self.addr, tag, "command aborted by the initiator");
                Ok(())
            }
            Message::LuReset => {
                tracing::debug!(unit = %self.addr, "logical unit reset");
                lu.reset(ResetEvent::LogicalUnitReset);
                Ok(())
            }
            Message::BusReset => {
                tracing::debug!(unit = %self.addr, "bus reset");
                lu.reset(ResetEvent::BusReset);
                Ok(())
            }
        }
    }

    fn error(&self, op: &'static str, e: io::Error) -> KernelError {
        error_for(&self.path, self.addr, op, e)
    }
}

fn error_for(
    path: &std::path::Path,
    addr: LuAddress,
    op: &'static str,
    e: io::Error,
) -> KernelError {
    if e.raw_os_error() == Some(libc::ENODEV) {
        KernelError::Removed {
            path: path.to_path_buf(),
            addr,
        }
    } else {
        KernelError::io(path, op, e)
    }
}

/// Write one reply, retrying EINTR. ENOENT (the command was aborted or reset meanwhile) is
/// not an error.
fn write_reply<C: Channel + ?Sized>(
    ch: &mut C,
    hdr: &[u8],
    data: &[u8],
    tag: u64,
    path: &std::path::Path,
    addr: LuAddress,
) -> Result<(), KernelError> {
    loop {
        match ch.write_reply(hdr, data) {
            Ok(n) if n == hdr.len() + data.len() => return Ok(()),
            Ok(n) => {
                let e = io::Error::new(
                    io::ErrorKind::WriteZero,
                    format!("short write of {n} bytes of {}", hdr.len() + data.len()),
                );
                return Err(KernelError::io(path, "write", e));
            }
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                tracing::debug!(unit = %addr, tag, "reply to a command no longer outstanding");
                return Ok(());
            }
            Err(e) => return Err(error_for(path, addr, "write", e)),
        }
    }
}
