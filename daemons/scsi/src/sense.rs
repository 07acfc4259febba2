//! Sense data: what a logical unit reports with CHECK CONDITION (SPC-5 4.4).
//!
//! [`Sense`] is the typed form; [`Sense::to_fixed`] gives the 18-byte fixed format
//! (response code 0x70 current / 0x71 deferred, SPC-5 4.4.3) and [`Sense::to_descriptor`]
//! the descriptor format (0x72 / 0x73, SPC-5 4.4.2) with the information, sense key
//! specific and stream commands descriptors. The stream commands bits FILEMARK, EOM and
//! ILI and the INFORMATION field (residues) follow SSC-5 4.2.

/// Sense key (SPC-5 table 51).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SenseKey {
    /// No sense (also used with FILEMARK/EOM/ILI set).
    NoSense = 0x0,
    /// Recovered error.
    RecoveredError = 0x1,
    /// Not ready.
    NotReady = 0x2,
    /// Medium error.
    MediumError = 0x3,
    /// Hardware error.
    HardwareError = 0x4,
    /// Illegal request.
    IllegalRequest = 0x5,
    /// Unit attention.
    UnitAttention = 0x6,
    /// Data protect.
    DataProtect = 0x7,
    /// Blank check (SSC: end of data).
    BlankCheck = 0x8,
    /// Vendor specific.
    VendorSpecific = 0x9,
    /// Copy aborted.
    CopyAborted = 0xa,
    /// Aborted command.
    AbortedCommand = 0xb,
    /// Volume overflow (SSC: write past the end of the partition).
    VolumeOverflow = 0xd,
    /// Miscompare (VERIFY with BYTCMP).
    Miscompare = 0xe,
}

impl SenseKey {
    /// The key for a 4-bit value (0x8 and 0xc reserved keys map to their neighbours'
    /// meaning only where SPC defines them; an undefined value gives `None`).
    pub fn from_u8(v: u8) -> Option<SenseKey> {
        use SenseKey::*;
        Some(match v {
            0x0 => NoSense,
            0x1 => RecoveredError,
            0x2 => NotReady,
            0x3 => MediumError,
            0x4 => HardwareError,
            0x5 => IllegalRequest,
            0x6 => UnitAttention,
            0x7 => DataProtect,
            0x8 => BlankCheck,
            0x9 => VendorSpecific,
            0xa => CopyAborted,
            0xb => AbortedCommand,
            0xd => VolumeOverflow,
            0xe => Miscompare,
            _ => return None,
        })
    }
}

/// An additional sense code and qualifier pair (SPC-5 table 52, the ASC/ASCQ list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Asc(pub u8, pub u8);

#[allow(missing_docs)]
impl Asc {
    pub const NO_ADDITIONAL_SENSE: Asc = Asc(0x00, 0x00);
    pub const FILEMARK_DETECTED: Asc = Asc(0x00, 0x01);
    pub const END_OF_PARTITION_MEDIUM_DETECTED: Asc = Asc(0x00, 0x02);
    pub const SETMARK_DETECTED: Asc = Asc(0x00, 0x03);
    pub const BEGINNING_OF_PARTITION_MEDIUM_DETECTED: Asc = Asc(0x00, 0x04);
    pub const END_OF_DATA_DETECTED: Asc = Asc(0x00, 0x05);
    pub const OPERATION_IN_PROGRESS: Asc = Asc(0x00, 0x16);
    pub const CLEANING_REQUESTED: Asc = Asc(0x00, 0x17);
    pub const ERASE_OPERATION_IN_PROGRESS: Asc = Asc(0x00, 0x18);
    pub const LOCATE_OPERATION_IN_PROGRESS: Asc = Asc(0x00, 0x19);
    pub const REWIND_OPERATION_IN_PROGRESS: Asc = Asc(0x00, 0x1a);
    pub const NOT_READY_CAUSE_NOT_REPORTABLE: Asc = Asc(0x04, 0x00);
    pub const BECOMING_READY: Asc = Asc(0x04, 0x01);
    pub const INITIALIZING_COMMAND_REQUIRED: Asc = Asc(0x04, 0x02);
    pub const MANUAL_INTERVENTION_REQUIRED: Asc = Asc(0x04, 0x03);
    pub const FORMAT_IN_PROGRESS: Asc = Asc(0x04, 0x04);
    pub const SELF_TEST_IN_PROGRESS: Asc = Asc(0x04, 0x09);
    pub const OFFLINE: Asc = Asc(0x04, 0x12);
    pub const LOGICAL_UNIT_COMMUNICATION_FAILURE: Asc = Asc(0x08, 0x00);
    pub const WARNING: Asc = Asc(0x0b, 0x00);
    pub const WRITE_ERROR: Asc = Asc(0x0c, 0x00);
    pub const ID_CRC_OR_ECC_ERROR: Asc = Asc(0x10, 0x00);
    pub const LOGICAL_BLOCK_GUARD_CHECK_FAILED: Asc = Asc(0x10, 0x01);
    pub const UNRECOVERED_READ_ERROR: Asc = Asc(0x11, 0x00);
    pub const RECORDED_ENTITY_NOT_FOUND: Asc = Asc(0x14, 0x00);
    pub const SEQUENTIAL_POSITIONING_ERROR: Asc = Asc(0x15, 0x02);
    pub const PARAMETER_LIST_LENGTH_ERROR: Asc = Asc(0x1a, 0x00);
    pub const MISCOMPARE_DURING_VERIFY: Asc = Asc(0x1d, 0x00);
    pub const INVALID_COMMAND_OPERATION_CODE: Asc = Asc(0x20, 0x00);
    pub const LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE: Asc = Asc(0x21, 0x00);
    pub const INVALID_ELEMENT_ADDRESS: Asc = Asc(0x21, 0x01);
    pub const INVALID_FIELD_IN_CDB: Asc = Asc(0x24, 0x00);
    pub const LOGICAL_UNIT_NOT_SUPPORTED: Asc = Asc(0x25, 0x00);
    pub const INVALID_FIELD_IN_PARAMETER_LIST: Asc = Asc(0x26, 0x00);
    pub const PARAMETER_NOT_SUPPORTED: Asc = Asc(0x26, 0x01);
    pub const PARAMETER_VALUE_INVALID: Asc = Asc(0x26, 0x02);
    pub const INVALID_RELEASE_OF_PERSISTENT_RESERVATION: Asc = Asc(0x26, 0x04);
    pub const WRITE_PROTECTED: Asc = Asc(0x27, 0x00);
    pub const NOT_READY_TO_READY_CHANGE: Asc = Asc(0x28, 0x00);
    pub const IMPORT_OR_EXPORT_ELEMENT_ACCESSED: Asc = Asc(0x28, 0x01);
    pub const POWER_ON_RESET_OR_BUS_DEVICE_RESET: Asc = Asc(0x29, 0x00);
    pub const POWER_ON_OCCURRED: Asc = Asc(0x29, 0x01);
    pub const SCSI_BUS_RESET_OCCURRED: Asc = Asc(0x29, 0x02);
    pub const BUS_DEVICE_RESET_FUNCTION_OCCURRED: Asc = Asc(0x29, 0x03);
    pub const I_T_NEXUS_LOSS_OCCURRED: Asc = Asc(0x29, 0x07);
    pub const PARAMETERS_CHANGED: Asc = Asc(0x2a, 0x00);
    pub const MODE_PARAMETERS_CHANGED: Asc = Asc(0x2a, 0x01);
    pub const LOG_PARAMETERS_CHANGED: Asc = Asc(0x2a, 0x02);
    pub const RESERVATIONS_PREEMPTED: Asc = Asc(0x2a, 0x03);
    pub const RESERVATIONS_RELEASED: Asc = Asc(0x2a, 0x04);
    pub const REGISTRATIONS_PREEMPTED: Asc = Asc(0x2a, 0x05);
    pub const COMMAND_SEQUENCE_ERROR: Asc = Asc(0x2c, 0x00);
    pub const COMMANDS_CLEARED_BY_ANOTHER_INITIATOR: Asc = Asc(0x2f, 0x00);
    pub const INCOMPATIBLE_MEDIUM_INSTALLED: Asc = Asc(0x30, 0x00);
    pub const CANNOT_READ_MEDIUM_UNKNOWN_FORMAT: Asc = Asc(0x30, 0x01);
    pub const CANNOT_READ_MEDIUM_INCOMPATIBLE_FORMAT: Asc = Asc(0x30, 0x02);
    pub const CLEANING_CARTRIDGE_INSTALLED: Asc = Asc(0x30, 0x03);
    pub const CANNOT_WRITE_MEDIUM_UNKNOWN_FORMAT: Asc = Asc(0x30, 0x04);
    pub const CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT: Asc = Asc(0x30, 0x05);
    pub const CANNOT_FORMAT_MEDIUM_INCOMPATIBLE_MEDIUM: Asc = Asc(0x30, 0x06);
    pub const CLEANING_FAILURE: Asc = Asc(0x30, 0x07);
    pub const MEDIUM_FORMAT_CORRUPTED: Asc = Asc(0x31, 0x00);
    pub const TAPE_LENGTH_ERROR: Asc = Asc(0x33, 0x00);
    pub const MEDIUM_NOT_PRESENT: Asc = Asc(0x3a, 0x00);
    pub const SEQUENTIAL_POSITIONING_ERROR_3B: Asc = Asc(0x3b, 0x00);
    pub const MEDIUM_DESTINATION_ELEMENT_FULL: Asc = Asc(0x3b, 0x0d);
    pub const MEDIUM_SOURCE_ELEMENT_EMPTY: Asc = Asc(0x3b, 0x0e);
    pub const END_OF_MEDIUM_REACHED: Asc = Asc(0x3b, 0x0f);
    pub const MEDIUM_MAGAZINE_REMOVED: Asc = Asc(0x3b, 0x12);
    pub const MEDIUM_MAGAZINE_INSERTED: Asc = Asc(0x3b, 0x13);
    pub const INTERNAL_TARGET_FAILURE: Asc = Asc(0x44, 0x00);
    pub const INVALID_MESSAGE_ERROR: Asc = Asc(0x49, 0x00);
    pub const LOGICAL_UNIT_FAILED_SELF_TEST: Asc = Asc(0x3e, 0x03);
    pub const INQUIRY_DATA_HAS_CHANGED: Asc = Asc(0x3f, 0x03);
    pub const REPORTED_LUNS_DATA_HAS_CHANGED: Asc = Asc(0x3f, 0x0e);
    pub const OVERLAPPED_COMMANDS_ATTEMPTED: Asc = Asc(0x4e, 0x00);
    pub const MEDIUM_LOAD_OR_EJECT_FAILED: Asc = Asc(0x53, 0x00);
    pub const UNLOAD_TAPE_FAILURE: Asc = Asc(0x53, 0x01);
    pub const MEDIUM_REMOVAL_PREVENTED: Asc = Asc(0x53, 0x02);
    pub const SYSTEM_RESOURCE_FAILURE: Asc = Asc(0x55, 0x00);
    pub const INSUFFICIENT_REGISTRATION_RESOURCES: Asc = Asc(0x55, 0x04);
    pub const OPERATOR_MEDIUM_REMOVAL_REQUEST: Asc = Asc(0x5a, 0x01);
    pub const FAILURE_PREDICTION_THRESHOLD_EXCEEDED: Asc = Asc(0x5d, 0x00);
    pub const LOG_LIST_CODES_EXHAUSTED: Asc = Asc(0x5b, 0x03);
    pub const DATA_ENCRYPTION_ERROR: Asc = Asc(0x74, 0x00);
    pub const UNABLE_TO_DECRYPT_DATA: Asc = Asc(0x74, 0x01);
    pub const INCORRECT_DATA_ENCRYPTION_KEY: Asc = Asc(0x74, 0x05);
    pub const ENCRYPTION_PARAMETERS_NOT_USEABLE: Asc = Asc(0x74, 0x08);
}

/// Sense-key specific information (SPC-5 4.4.1.2), sent with SKSV set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenseKeySpecific {
    /// Field pointer (ILLEGAL REQUEST): which byte (and bit) of the CDB (`in_cdb`) or of
    /// the parameter list was wrong.
    Field {
        /// C/D bit: true for the CDB, false for the parameter data.
        in_cdb: bool,
        /// Byte number, from 0.
        byte: u16,
        /// Bit number 0..=7 (BPV set) when one bit is to blame.
        bit: Option<u8>,
    },
    /// Progress indication (NOT READY with an operation in progress): 0..=65535 of 65536.
    Progress(u16),
    /// Actual retry count (RECOVERED/MEDIUM/HARDWARE ERROR).
    RetryCount(u16),
}

impl SenseKeySpecific {
    /// The three bytes of the field (SKSV bit included).
    pub fn to_bytes(self) -> [u8; 3] {
        match self {
            SenseKeySpecific::Field { in_cdb, byte, bit } => {
                let mut b0 = 0x80;
                if in_cdb {
                    b0 |= 0x40;
                }
                if let Some(bit) = bit {
                    b0 |= 0x08 | (bit & 7);
                }
                let [hi, lo] = byte.to_be_bytes();
                [b0, hi, lo]
            }
            SenseKeySpecific::Progress(p) | SenseKeySpecific::RetryCount(p) => {
                let [hi, lo] = p.to_be_bytes();
                [0x80, hi, lo]
            }
        }
    }
}

/// Sense data, typed (SPC-5 4.4, SSC-5 4.2 for the stream bits and INFORMATION).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sense {
    /// Sense key.
    pub key: SenseKey,
    /// Additional sense code and qualifier.
    pub asc: Asc,
    /// FILEMARK bit (SSC: the command stopped at a filemark).
    pub filemark: bool,
    /// EOM bit (SSC: early warning or end of partition / beginning of partition).
    pub eom: bool,
    /// ILI bit: the block length did not match the requested length.
    pub ili: bool,
    /// INFORMATION field with VALID set: SSC residues (requested minus actual, in blocks,
    /// bytes or filemarks as the command defines; negative values in two's complement), or
    /// a logical block address.
    pub information: Option<i64>,
    /// COMMAND-SPECIFIC INFORMATION (bytes 8..11 of fixed format), 0 when unused.
    pub command_specific: u32,
    /// Sense-key specific field (SKSV set when present).
    pub specific: Option<SenseKeySpecific>,
    /// A deferred error (response code 0x71/0x73): it belongs to an earlier command whose
    /// status was already returned (e.g. a buffered write that failed later).
    pub deferred: bool,
}

/// Length of fixed-format sense data this crate returns.
pub const FIXED_SENSE_LEN: usize = 18;

impl Sense {
    /// Sense with `key` and `asc`, no bits, no information.
    pub const fn new(key: SenseKey, asc: Asc) -> Sense {
        Sense {
            key,
            asc,
            filemark: false,
            eom: false,
            ili: false,
            information: None,
            command_specific: 0,
            specific: None,
            deferred: false,
        }
    }

    /// NO SENSE / NO ADDITIONAL SENSE INFORMATION: what REQUEST SENSE returns when nothing
    /// is pending.
    pub const fn none() -> Sense {
        Sense::new(SenseKey::NoSense, Asc::NO_ADDITIONAL_SENSE)
    }

    /// ILLEGAL REQUEST / INVALID FIELD IN CDB pointing at `byte` (and `bit`).
    pub const fn invalid_field_in_cdb(byte: u16, bit: Option<u8>) -> Sense {
        let mut s = Sense::new(SenseKey::IllegalRequest, Asc::INVALID_FIELD_IN_CDB);
        s.specific = Some(SenseKeySpecific::Field {
            in_cdb: true,
            byte,
            bit,
        });
        s
    }

    /// ILLEGAL REQUEST / INVALID FIELD IN PARAMETER LIST pointing at `byte` (and `bit`) of
    /// the data-out buffer.
    pub const fn invalid_field_in_parameter_list(byte: u16, bit: Option<u8>) -> Sense {
        let mut s = Sense::new(
            SenseKey::IllegalRequest,
            Asc::INVALID_FIELD_IN_PARAMETER_LIST,
        );
        s.specific = Some(SenseKeySpecific::Field {
            in_cdb: false,
            byte,
            bit,
        });
        s
    }

    /// Set the INFORMATION field (VALID bit).
    pub const fn with_information(mut self, info: i64) -> Sense {
        self.information = Some(info);
        self
    }

    /// Set the FILEMARK bit.
    pub const fn with_filemark(mut self) -> Sense {
        self.filemark = true;
        self
    }

    /// Set the EOM bit.
    pub const fn with_eom(mut self) -> Sense {
        self.eom = true;
        self
    }

    /// Set the ILI bit.
    pub const fn with_ili(mut self) -> Sense {
        self.ili = true;
        self
    }

    /// Mark as a deferred error.
    pub const fn deferred(mut self) -> Sense {
        self.deferred = true;
        self
    }

    /// Fixed format sense data, 18 bytes (SPC-5 4.4.3): response code 0x70 (0x71 deferred),
    /// VALID + INFORMATION (low 32 bits, big-endian), FILEMARK/EOM/ILI in byte 2, additional
    /// length 10, command-specific information, ASC/ASCQ, sense-key specific bytes 15..17.
    pub fn to_fixed(&self) -> [u8; FIXED_SENSE_LEN] {
        let mut b = [0u8; FIXED_SENSE_LEN];
        b[0] = if self.deferred { 0x71 } else { 0x70 };
        if let Some(info) = self.information {
            b[0] |= 0x80;
            b[3..7].copy_from_slice(&(info as u32).to_be_bytes());
        }
        b[2] = self.key as u8
            | if self.filemark { 0x80 } else { 0 }
            | if self.eom { 0x40 } else { 0 }
            | if self.ili { 0x20 } else { 0 };
        b[7] = (FIXED_SENSE_LEN - 8) as u8;
        b[8..12].copy_from_slice(&self.command_specific.to_be_bytes());
        b[12] = self.asc.0;
        b[13] = self.asc.1;
        if let Some(s) = self.specific {
            b[15..18].copy_from_slice(&s.to_bytes());
        }
        b
    }

    /// Descriptor format sense data (SPC-5 4.4.2): response code 0x72 (0x73 deferred),
    /// followed by an information descriptor (type 0x00) when INFORMATION is valid, a
    /// command-specific descriptor (0x01) when non-zero, a sense-key specific descriptor
    /// (0x02) when present, and a stream commands descriptor (0x04, SSC-5 4.2.2) when any
    /// of FILEMARK, EOM, ILI is set.
    pub fn to_descriptor(&self) -> Vec<u8> {
        let mut b = vec![0u8; 8];
        b[0] = if self.deferred { 0x73 } else { 0x72 };
        b[1] = self.key as u8;
        b[2] = self.asc.0;
        b[3] = self.asc.1;
        if let Some(info) = self.information {
            b.extend_from_slice(&[0x00, 0x0a, 0x80, 0x00]);
            b.extend_from_slice(&(info as u64).to_be_bytes());
        }
        if self.command_specific != 0 {
            b.extend_from_slice(&[0x01, 0x0a, 0x00, 0x00]);
            b.extend_from_slice(&u64::from(self.command_specific).to_be_bytes());
        }
        if let Some(s) = self.specific {
            b.extend_from_slice(&[0x02, 0x06, 0x00, 0x00]);
            b.extend_from_slice(&s.to_bytes());
            b.push(0);
        }
        if self.filemark || self.eom || self.ili {
            let bits = if self.filemark { 0x80 } else { 0 }
                | if self.eom { 0x40 } else { 0 }
                | if self.ili { 0x20 } else { 0 };
            b.extend_from_slice(&[0x04, 0x02, 0x00, bits]);
        }
        b[7] = (b.len() - 8) as u8;
        b
    }

    /// Parse fixed or descriptor sense data (as an initiator would; used by tests and the
    /// kernel transport's logging). Returns `None` for data too short or with an unknown
    /// response code.
    pub fn parse(b: &[u8]) -> Option<Sense> {
        let code = *b.first()? & 0x7f;
        match code {
            0x70 | 0x71 => {
                if b.len() < 14 {
                    return None;
                }
                let mut s = Sense::new(SenseKey::from_u8(b[2] & 0x0f)?, Asc(b[12], b[13]));
                s.deferred = code == 0x71;
                s.filemark = b[2] & 0x80 != 0;
                s.eom = b[2] & 0x40 != 0;
                s.ili = b[2] & 0x20 != 0;
                if b[0] & 0x80 != 0 {
                    s.information = Some(i64::from(i32::from_be_bytes([b[3], b[4], b[5], b[6]])));
                }
                s.command_specific = u32::from_be_bytes([b[8], b[9], b[10], b[11]]);
                if b.len() >= 18 && b[15] & 0x80 != 0 {
                    s.specific = Some(parse_specific(s.key, [b[15], b[16], b[17]]));
                }
                Some(s)
            }
            0x72 | 0x73 => {
                if b.len() < 8 {
                    return None;
                }
                let mut s = Sense::new(SenseKey::from_u8(b[1] & 0x0f)?, Asc(b[2], b[3]));
                s.deferred = code == 0x73;
                let end = (8 + usize::from(b[7])).min(b.len());
                let mut i = 8;
                while i + 2 <= end {
                    let (ty, len) = (b[i], usize::from(b[i + 1]));
                    let d = b.get(i + 2..i + 2 + len)?;
                    match ty {
                        0x00 if len >= 10 && d[0] & 0x80 != 0 => {
                            s.information = Some(i64::from_be_bytes(d[2..10].try_into().ok()?));
                        }
                        0x01 if len >= 10 => {
                            s.command_specific =
                                u64::from_be_bytes(d[2..10].try_into().ok()?) as u32;
                        }
                        0x02 if len >= 5 && d[2] & 0x80 != 0 => {
                            s.specific = Some(parse_specific(s.key, [d[2], d[3], d[4]]));
                        }
                        0x04 if len >= 2 => {
                            s.filemark = d[1] & 0x80 != 0;
                            s.eom = d[1] & 0x40 != 0;
                            s.ili = d[1] & 0x20 != 0;
                        }
                        _ => {}
                    }
                    i += 2 + len;
                }
                Some(s)
            }
            _ => None,
        }
    }
}

fn parse_specific(key: SenseKey, b: [u8; 3]) -> SenseKeySpecific {
    let v = u16::from_be_bytes([b[1], b[2]]);
    match key {
        SenseKey::IllegalRequest => SenseKeySpecific::Field {
            in_cdb: b[0] & 0x40 != 0,
            byte: v,
            bit: (b[0] & 0x08 != 0).then_some(b[0] & 7),
        },
        SenseKey::NotReady | SenseKey::NoSense => SenseKeySpecific::Progress(v),
        _ => SenseKeySpecific::RetryCount(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_format_layout() {
        let s = Sense::new(SenseKey::NoSense, Asc::FILEMARK_DETECTED)
            .with_filemark()
            .with_information(3);
        let b = s.to_fixed();
        assert_eq!(
            b,
            [
                0xf0, 0, 0x80, 0, 0, 0, 3, 10, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0
            ]
        );
        assert_eq!(Sense::parse(&b), Some(s));
    }

    #[test]
    fn negative_residue_is_twos_complement() {
        let s = Sense::new(SenseKey::NoSense, Asc::NO_ADDITIONAL_SENSE)
            .with_ili()
            .with_information(-512);
        let b = s.to_fixed();
        assert_eq!(&b[3..7], &[0xff, 0xff, 0xfe, 0x00]);
        assert_eq!(b[2], 0x20);
        assert_eq!(Sense::parse(&b).unwrap().information, Some(-512));
    }

    #[test]
    fn field_pointer() {
        let s = Sense::invalid_field_in_cdb(4, Some(1));
        let b = s.to_fixed();
        assert_eq!(b[2], 0x05);
        assert_eq!((b[12], b[13]), (0x24, 0x00));
        assert_eq!(&b[15..18], &[0xc9, 0x00, 0x04]);
        let p = Sense::invalid_field_in_parameter_list(300, None).to_fixed();
        assert_eq!(&p[15..18], &[0x80, 0x01, 0x2c]);
    }

    #[test]
    fn descriptor_format_round_trip() {
        let s = Sense::new(
            SenseKey::VolumeOverflow,
            Asc::END_OF_PARTITION_MEDIUM_DETECTED,
        )
        .with_eom()
        .with_information(7);
        let b = s.to_descriptor();
        assert_eq!(&b[..4], &[0x72, 0x0d, 0x00, 0x02]);
        assert_eq!(usize::from(b[7]), b.len() - 8);
        // information descriptor then stream commands descriptor
        assert_eq!(&b[8..12], &[0x00, 0x0a, 0x80, 0x00]);
        assert_eq!(&b[20..24], &[0x04, 0x02, 0x00, 0x40]);
        assert_eq!(Sense::parse(&b), Some(s));
        let d = Sense::invalid_field_in_cdb(2, Some(0)).deferred();
        assert_eq!(Sense::parse(&d.to_descriptor()), Some(d));
    }
}
