//! In-process transport: drive a [`LogicalUnit`] from tests and benchmarks the way an
//! initiator would, with no kernel.

use crate::lu::{LogicalUnit, ResetEvent};
use crate::sense::Sense;
use crate::task::{Nexus, Reply, Request, Status};

/// What an initiator sees of one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// Status.
    pub status: Status,
    /// Sense data as sent (fixed or descriptor format), empty without CHECK CONDITION.
    pub sense: Vec<u8>,
    /// Data-in bytes, cut to the initiator's buffer length.
    pub data: Vec<u8>,
    /// Residual: buffer length minus bytes transferred (SAM-5 data-in residual).
    pub residual: usize,
}

impl Completion {
    /// Sense data parsed back into its typed form.
    pub fn sense(&self) -> Option<Sense> {
        Sense::parse(&self.sense)
    }

    /// True for GOOD status.
    pub fn is_good(&self) -> bool {
        self.status == Status::Good
    }

    /// (sense key, ASC, ASCQ) or None, for compact assertions.
    pub fn key_asc(&self) -> Option<(u8, u8, u8)> {
        self.sense().map(|s| (s.key as u8, s.asc.0, s.asc.1))
    }
}

/// An initiator attached to one logical unit, in the same process.
#[derive(Debug)]
pub struct InProcess<L> {
    lu: L,
    buf: Vec<u8>,
}

impl<L: LogicalUnit> InProcess<L> {
    /// Attach to `lu`.
    pub fn new(lu: L) -> Self {
        InProcess {
            lu,
            buf: Vec::new(),
        }
    }

    /// The logical unit, for checks beyond what SCSI shows.
    pub fn lu(&mut self) -> &mut L {
        &mut self.lu
    }

    /// Send `cdb` from nexus `nexus` with `data_out`, accepting up to `data_in_len` bytes
    /// back.
    pub fn command(
        &mut self,
        nexus: Nexus,
        cdb: &[u8],
        data_out: &[u8],
        data_in_len: usize,
    ) -> Completion {
        self.buf.clear();
        let req = Request {
            nexus,
            cdb,
            data_out,
        };
        let reply: Reply = self.lu.execute(&req, &mut self.buf);
        let n = self.buf.len().min(data_in_len);
        Completion {
            status: reply.status,
            sense: reply.sense_bytes(),
            data: self.buf[..n].to_vec(),
            residual: data_in_len - n,
        }
    }

    /// Like [`InProcess::command`] without copying the data-in bytes: returns the reply and
    /// the number of bytes transferred (for benchmarks).
    pub fn command_into(
        &mut self,
        nexus: Nexus,
        cdb: &[u8],
        data_out: &[u8],
        data_in: &mut Vec<u8>,
    ) -> Reply {
        data_in.clear();
        let req = Request {
            nexus,
            cdb,
            data_out,
        };
        self.lu.execute(&req, data_in)
    }

    /// Report a reset to the logical unit.
    pub fn reset(&mut self, event: ResetEvent) {
        self.lu.reset(event);
    }
}
