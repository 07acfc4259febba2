//! What a transport hands a logical unit and what it gets back.

use crate::sense::Sense;

/// Identifies the I_T nexus (initiator port as seen through a target port) a command came
/// from. Unit attentions, sense data for REQUEST SENSE and reservations are kept per nexus.
/// The kernel transport numbers nexuses by host/channel/initiator; the in-process transport
/// lets tests pick any value.
pub type Nexus = u64;

/// SCSI status (SAM-5 5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Status {
    /// GOOD.
    Good = 0x00,
    /// CHECK CONDITION: sense data describes why.
    CheckCondition = 0x02,
    /// BUSY.
    Busy = 0x08,
    /// RESERVATION CONFLICT.
    ReservationConflict = 0x18,
    /// TASK SET FULL.
    TaskSetFull = 0x28,
}

/// One command as the logical unit receives it.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Where it came from.
    pub nexus: Nexus,
    /// The CDB bytes as received (6, 10, 12, 16 or more bytes; may be malformed).
    pub cdb: &'a [u8],
    /// Data-out buffer (WRITE data, parameter lists), as many bytes as the initiator sent.
    pub data_out: &'a [u8],
}

/// How a command completed. The data-in bytes are in the buffer given to
/// [`crate::LogicalUnit::execute`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status.
    pub status: Status,
    /// Sense data with CHECK CONDITION.
    pub sense: Option<Sense>,
    /// Send the sense in descriptor format (control mode page D_SENSE set, SPC-5 7.5.8).
    pub descriptor_sense: bool,
}

impl Reply {
    /// GOOD, no sense.
    pub const GOOD: Reply = Reply {
        status: Status::Good,
        sense: None,
        descriptor_sense: false,
    };

    /// CHECK CONDITION with `sense`.
    pub const fn check(sense: Sense) -> Reply {
        Reply {
            status: Status::CheckCondition,
            sense: Some(sense),
            descriptor_sense: false,
        }
    }

    /// The sense bytes the transport sends (fixed or descriptor format), empty without sense.
    pub fn sense_bytes(&self) -> Vec<u8> {
        match (&self.sense, self.descriptor_sense) {
            (None, _) => Vec::new(),
            (Some(s), false) => s.to_fixed().to_vec(),
            (Some(s), true) => s.to_descriptor(),
        }
    }
}

impl From<crate::ScsiError> for Reply {
    fn from(e: crate::ScsiError) -> Self {
        Reply {
            status: e.status(),
            sense: e.sense(),
            descriptor_sense: false,
        }
    }
}
