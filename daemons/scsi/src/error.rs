//! The SCSI core's one error type: every way a command can end in CHECK CONDITION or
//! another non-GOOD status, each mapping to the status and sense data SPC-5 prescribes.

use crate::sense::{Asc, Sense, SenseKey};
use crate::task::Status;

/// Result alias for command execution.
pub type Result<T, E = ScsiError> = std::result::Result<T, E>;

/// Why a command did not complete GOOD.
///
/// [`ScsiError::status`] and [`ScsiError::sense`] give what the initiator sees. Device crates
/// express their own conditions (SSC filemark/EOM, SMC element errors) as
/// [`ScsiError::Check`] with the sense built by them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScsiError {
    /// Op code (or service action) not implemented by this logical unit: ILLEGAL REQUEST /
    /// INVALID COMMAND OPERATION CODE (0x05/0x20/0x00), field pointer to CDB byte 0 (or to
    /// the service action byte).
    #[error("invalid command operation code {op:#04x}")]
    InvalidOpcode {
        /// The operation code.
        op: u8,
        /// The service action, for commands that have one.
        service_action: Option<u16>,
    },
    /// The CDB is shorter than its operation code requires: ILLEGAL REQUEST / INVALID FIELD
    /// IN CDB pointing at byte 0 (the op code whose group fixes the length).
    #[error("CDB of {got} bytes is too short for op code {op:#04x} ({need} bytes)")]
    ShortCdb {
        /// The operation code.
        op: u8,
        /// Bytes received.
        got: usize,
        /// Bytes the op code needs.
        need: usize,
    },
    /// A CDB field is invalid or a reserved bit is set: ILLEGAL REQUEST / INVALID FIELD IN
    /// CDB (0x05/0x24/0x00) with the field pointer.
    #[error("invalid field in CDB byte {byte}{}: {why}", bit.map(|b| format!(" bit {b}")).unwrap_or_default())]
    InvalidFieldInCdb {
        /// Byte of the CDB.
        byte: u16,
        /// Bit, when a single bit is to blame.
        bit: Option<u8>,
        /// What is wrong (logged, not sent).
        why: &'static str,
    },
    /// A field of the parameter list (data-out) is invalid: ILLEGAL REQUEST / INVALID FIELD
    /// IN PARAMETER LIST (0x05/0x26/0x00) with the field pointer.
    #[error("invalid field in parameter list byte {byte}{}: {why}", bit.map(|b| format!(" bit {b}")).unwrap_or_default())]
    InvalidFieldInParameterList {
        /// Byte of the parameter data.
        byte: u16,
        /// Bit, when a single bit is to blame.
        bit: Option<u8>,
        /// What is wrong.
        why: &'static str,
    },
    /// The parameter list is shorter or longer than its own headers say: ILLEGAL REQUEST /
    /// PARAMETER LIST LENGTH ERROR (0x05/0x1a/0x00).
    #[error("parameter list length error: {why}")]
    ParameterListLength {
        /// What did not add up.
        why: &'static str,
    },
    /// The logical unit is reserved by another initiator: RESERVATION CONFLICT status, no
    /// sense data.
    #[error("reservation conflict")]
    ReservationConflict,
    /// A condition with its sense data built by the caller (NOT READY, UNIT ATTENTION,
    /// SSC/SMC conditions...).
    #[error("check condition: {0:?}")]
    Check(Sense),
}

impl ScsiError {
    /// NOT READY with `asc` (e.g. [`Asc::MEDIUM_NOT_PRESENT`]).
    pub const fn not_ready(asc: Asc) -> ScsiError {
        ScsiError::Check(Sense::new(SenseKey::NotReady, asc))
    }

    /// ILLEGAL REQUEST with `asc` and no field pointer.
    pub const fn illegal(asc: Asc) -> ScsiError {
        ScsiError::Check(Sense::new(SenseKey::IllegalRequest, asc))
    }

    /// INVALID FIELD IN CDB at `byte` / `bit`.
    pub const fn cdb(byte: u16, bit: Option<u8>, why: &'static str) -> ScsiError {
        ScsiError::InvalidFieldInCdb { byte, bit, why }
    }

    /// INVALID FIELD IN PARAMETER LIST at `byte` / `bit`.
    pub const fn param(byte: u16, bit: Option<u8>, why: &'static str) -> ScsiError {
        ScsiError::InvalidFieldInParameterList { byte, bit, why }
    }

    /// PARAMETER LIST LENGTH ERROR (0x05/0x1a/0x00) with the field pointer at CDB byte
    /// `cdb_byte` (the PARAMETER LIST LENGTH field), so every ILLEGAL REQUEST carries SKSV.
    pub const fn param_list_length_at(cdb_byte: u16) -> ScsiError {
        ScsiError::illegal_at(Asc::PARAMETER_LIST_LENGTH_ERROR, cdb_byte, None)
    }

    /// ILLEGAL REQUEST with `asc` and the field pointer at CDB byte `byte` / `bit` (for
    /// conditions other than INVALID FIELD IN CDB that still name a CDB field, e.g.
    /// INVALID RELEASE OF PERSISTENT RESERVATION at the TYPE field).
    pub const fn illegal_at(asc: Asc, byte: u16, bit: Option<u8>) -> ScsiError {
        let mut s = Sense::new(SenseKey::IllegalRequest, asc);
        s.specific = Some(crate::sense::SenseKeySpecific::Field {
            in_cdb: true,
            byte,
            bit,
        });
        ScsiError::Check(s)
    }

    /// The status this error completes the command with.
    pub fn status(&self) -> Status {
        match self {
            ScsiError::ReservationConflict => Status::ReservationConflict,
            _ => Status::CheckCondition,
        }
    }

    /// The sense data (None for statuses without sense: RESERVATION CONFLICT).
    pub fn sense(&self) -> Option<Sense> {
        Some(match *self {
            ScsiError::InvalidOpcode { service_action, .. } => {
                let mut s = Sense::new(
                    SenseKey::IllegalRequest,
                    Asc::INVALID_COMMAND_OPERATION_CODE,
                );
                s.specific = Some(crate::sense::SenseKeySpecific::Field {
                    in_cdb: true,
                    byte: if service_action.is_some() { 1 } else { 0 },
                    bit: None,
                });
                s
            }
            ScsiError::ShortCdb { .. } => Sense::invalid_field_in_cdb(0, None),
            ScsiError::InvalidFieldInCdb { byte, bit, .. } => {
                Sense::invalid_field_in_cdb(byte, bit)
            }
            ScsiError::InvalidFieldInParameterList { byte, bit, .. } => {
                Sense::invalid_field_in_parameter_list(byte, bit)
            }
            ScsiError::ParameterListLength { .. } => {
                Sense::new(SenseKey::IllegalRequest, Asc::PARAMETER_LIST_LENGTH_ERROR)
            }
            ScsiError::ReservationConflict => return None,
            ScsiError::Check(s) => s,
        })
    }
}

impl From<Sense> for ScsiError {
    fn from(s: Sense) -> Self {
        ScsiError::Check(s)
    }
}
