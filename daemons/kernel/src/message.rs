//! Messages as `read()` returns them (decoded and checked) and replies as `write()` takes
//! them (encoded from a [`vtl_scsi::Reply`]); the wire layouts are in [`crate::uapi`].

use vtl_scsi::Reply;
use zerocopy::FromBytes;

use crate::uapi::{self, VtlMsg, VtlReply};

/// Length of a message header in bytes (`sizeof(struct vtl_msg)`).
pub const MSG_LEN: usize = size_of::<VtlMsg>();

/// Data direction of a command (`VTL_DIR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// No data transfer.
    None,
    /// Data-out: the initiator sends `data_len` bytes (WRITE data, parameter lists).
    ToDevice,
    /// Data-in: the initiator's buffer holds `data_len` bytes.
    FromDevice,
}

/// One SCSI command (`VTL_MSG_COMMAND`), borrowing the read buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    /// Identifier to answer with.
    pub tag: u64,
    /// The CDB, `cdb_len` bytes (1..=32).
    pub cdb: &'a [u8],
    /// Data direction.
    pub direction: Direction,
    /// SAM task attribute (0 simple, 1 head of queue, 2 ordered).
    pub task_attr: u8,
    /// Data-out length, or the size of the initiator's data-in buffer, in bytes
    /// (at most [`uapi::VTL_MAX_XFER`]).
    pub data_len: u32,
    /// I_T nexus (the initiator's SCSI host number).
    pub nexus: u64,
    /// The data-out bytes (`data_len` of them with [`Direction::ToDevice`], else empty).
    pub data_out: &'a [u8],
}

/// A message from the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message<'a> {
    /// A command to execute and answer.
    Command(Command<'a>),
    /// The midlayer aborted the command with this tag: it must not be answered (an answer
    /// already on its way gets ENOENT, which is harmless).
    Abort {
        /// The aborted command's tag.
        tag: u64,
    },
    /// LOGICAL UNIT RESET (SAM-5 7.7): every outstanding command is gone.
    LuReset,
    /// Bus or host reset (SAM-5 6.3.2 hard reset): every outstanding command is gone.
    BusReset,
}

/// Why bytes read from a logical unit's device are not a valid message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer bytes than a message header.
    #[error("message of {len} bytes, shorter than the {MSG_LEN}-byte header")]
    Short {
        /// Bytes read.
        len: usize,
    },
    /// `magic` is not `VTL_MSG_MAGIC`.
    #[error(
        "bad message magic {found:#010x} (expected {:#010x})",
        uapi::VTL_MSG_MAGIC
    )]
    BadMagic {
        /// The magic found.
        found: u32,
    },
    /// `version` is not this program's `VTL_UAPI_VERSION`.
    #[error(
        "message of interface version {found}, this program speaks version {}",
        uapi::VTL_UAPI_VERSION
    )]
    BadVersion {
        /// The version found.
        found: u16,
    },
    /// `kind` is none of `VTL_MSG_*`.
    #[error("unknown message kind {kind}")]
    UnknownKind {
        /// The kind found.
        kind: u16,
    },
    /// `cdb_len` is 0 or above `VTL_CDB_MAX`.
    #[error("CDB length {len} outside 1..={}", uapi::VTL_CDB_MAX)]
    CdbLength {
        /// The CDB length found.
        len: u16,
    },
    /// `direction` is none of `VTL_DIR_*`.
    #[error("unknown data direction {direction}")]
    Direction {
        /// The direction found.
        direction: u8,
    },
    /// `data_len` above `VTL_MAX_XFER`.
    #[error(
        "data length {data_len} above the maximum transfer {}",
        uapi::VTL_MAX_XFER
    )]
    DataLength {
        /// The data length found.
        data_len: u32,
    },
    /// The bytes read do not match the header (header plus data-out for a data-out
    /// command, the header alone otherwise).
    #[error("message of {got} bytes where its header says {expected}")]
    Length {
        /// Bytes the header implies.
        expected: usize,
        /// Bytes read.
        got: usize,
    },
}

impl<'a> Message<'a> {
    /// Decode the bytes of one `read()`: a [`VtlMsg`] header, then for a data-out command
    /// exactly `data_len` data-out bytes. Every header field is checked.
    pub fn decode(buf: &'a [u8]) -> Result<Message<'a>, DecodeError> {
        let (hdr, rest) =
            VtlMsg::read_from_prefix(buf).map_err(|_| DecodeError::Short { len: buf.len() })?;
        if hdr.magic != uapi::VTL_MSG_MAGIC {
            return Err(DecodeError::BadMagic { found: hdr.magic });
        }
        if u32::from(hdr.version) != uapi::VTL_UAPI_VERSION {
            return Err(DecodeError::BadVersion { found: hdr.version });
        }
        let expect_len = |n: usize| {
            if buf.len() == n {
                Ok(())
            } else {
                Err(DecodeError::Length {
                    expected: n,
                    got: buf.len(),
                })
            }
        };
        match hdr.kind {
            uapi::VTL_MSG_COMMAND => {}
            uapi::VTL_MSG_ABORT => {
                expect_len(MSG_LEN)?;
                return Ok(Message::Abort { tag: hdr.tag });
            }
            uapi::VTL_MSG_LU_RESET => {
                expect_len(MSG_LEN)?;
                return Ok(Message::LuReset);
            }
            uapi::VTL_MSG_BUS_RESET => {
                expect_len(MSG_LEN)?;
                return Ok(Message::BusReset);
            }
            kind => return Err(DecodeError::UnknownKind { kind }),
        }
        let cdb_len = usize::from(hdr.cdb_len);
        if cdb_len == 0 || cdb_len > uapi::VTL_CDB_MAX {
            return Err(DecodeError::CdbLength { len: hdr.cdb_len });
        }
        let direction = match hdr.direction {
            uapi::VTL_DIR_NONE => Direction::None,
            uapi::VTL_DIR_TO_DEVICE => Direction::ToDevice,
            uapi::VTL_DIR_FROM_DEVICE => Direction::FromDevice,
            direction => return Err(DecodeError::Direction { direction }),
        };
        if hdr.data_len > uapi::VTL_MAX_XFER {
            return Err(DecodeError::DataLength {
                data_len: hdr.data_len,
            });
        }
        let data_out_len = if direction == Direction::ToDevice {
            hdr.data_len as usize
        } else {
            0
        };
        expect_len(MSG_LEN + data_out_len)?;
        // The header was copied out; the CDB is taken from the buffer to borrow it.
        let cdb_at = std::mem::offset_of!(VtlMsg, cdb);
        Ok(Message::Command(Command {
            tag: hdr.tag,
            cdb: &buf[cdb_at..cdb_at + cdb_len],
            direction,
            task_attr: hdr.task_attr,
            data_len: hdr.data_len,
            nexus: hdr.nexus,
            data_out: &rest[..data_out_len],
        }))
    }
}

/// The reply header for `reply` to `cmd` and how many of the `data_in_len` bytes the
/// logical unit produced go with it: data-in is cut to the initiator's buffer (`data_len`)
/// and sent only for a data-in command; the sense data ([`Reply::sense_bytes`]) is cut to
/// `VTL_SENSE_MAX` bytes. The module completes the command with this status and sense and
/// the residual `data_len - sent`.
pub fn encode_reply(cmd: &Command<'_>, reply: &Reply, data_in_len: usize) -> (VtlReply, usize) {
    let data = match cmd.direction {
        Direction::FromDevice => data_in_len.min(cmd.data_len as usize),
        Direction::None | Direction::ToDevice => 0,
    };
    // `data` is at most cmd.data_len, itself at most VTL_MAX_XFER (checked at decode).
    let hdr = reply_header(
        cmd.tag,
        reply.status as u8,
        &reply.sense_bytes(),
        data as u32,
    );
    (hdr, data)
}

/// A reply header: command `tag`, SAM `status`, `sense` (cut to `VTL_SENSE_MAX` bytes),
/// `data_len` data-in bytes to follow.
pub fn reply_header(tag: u64, status: u8, sense: &[u8], data_len: u32) -> VtlReply {
    let sense_len = sense.len().min(uapi::VTL_SENSE_MAX);
    let mut buf = [0u8; uapi::VTL_SENSE_MAX];
    buf[..sense_len].copy_from_slice(&sense[..sense_len]);
    VtlReply {
        magic: uapi::VTL_REPLY_MAGIC,
        version: uapi::VTL_UAPI_VERSION as u16,
        status,
        sense_len: sense_len as u8,
        tag,
        data_len,
        reserved: 0,
        sense: buf,
    }
}
