//! Positioning: SPACE(6)/(16), LOCATE(10)/(16), REWIND and READ POSITION (SSC-5 7.3, 7.4,
//! 7.7, 7.9, 7.10).

use vtl_scsi::ScsiError;

use crate::cdb::{DestType, Locate10, Locate16, ReadPosition, ReadPositionForm, Rewind, SpaceCode};
use crate::drive::{Allowance, Drive, Slot};
use crate::error::cart_sense;
use crate::rw::stop_sense;

/// Length of the short form READ POSITION data (SSC-5 7.7.2).
pub const SHORT_FORM_LEN: usize = 20;
/// Length of the long and extended forms (SSC-5 7.7.3, 7.7.4).
pub const LONG_FORM_LEN: usize = 32;

impl Drive {
    /// SPACE(6)/(16) by `code` and signed `count` (SSC-5 7.10): blocks and filemarks in
    /// both directions, or to end of data (count ignored). Count 0 does not move.
    ///
    /// Stops: a filemark met while spacing blocks gives NO SENSE + FILEMARK (0x00/0x01), the
    /// tape past it going forward and before it going backward; EOD gives BLANK CHECK
    /// (0x00/0x05); BOP gives NO SENSE + EOM (0x00/0x04); INFORMATION is the count not spaced
    /// (a magnitude).
    pub fn space(&mut self, code: SpaceCode, count: i64) -> Result<(), ScsiError> {
        self.data_medium()?;
        self.allowance = Allowance::None;
        let Slot::Loaded(l) = &mut self.slot else {
            unreachable!("checked by data_medium")
        };
        let out = match code {
            SpaceCode::EndOfData => {
                l.cart.seek_eod();
                return Ok(());
            }
            _ if count == 0 => return Ok(()),
            SpaceCode::Blocks => l.cart.space_blocks(count),
            SpaceCode::Filemarks => l.cart.space_filemarks(count),
        };
        self.position_valid = true;
        stop_sense(self, out.stop, out.residual)
    }

    /// REWIND (SSC-5 7.9): buffered objects are written out first, then the tape is at BOP
    /// of the current partition. IMMED=1 defers an error of the flush.
    pub fn rewind(&mut self, c: &Rewind) -> Result<(), ScsiError> {
        self.data_medium()?;
        self.allowance = Allowance::None;
        let r = self.sync();
        if let Slot::Loaded(l) = &mut self.slot {
            l.cart.rewind();
        }
        self.position_valid = true;
        self.immed(c.immed(), r)
    }

    /// LOCATE(10) (SSC-5 7.3): to logical object identifier `id` of the current partition
    /// or, with CP, of PARTITION. BT=1 addresses are the same numbers here.
    pub fn locate10(&mut self, c: &Locate10) -> Result<(), ScsiError> {
        let part = if c.cp() { Some(c.partition()) } else { None };
        let r = self.locate_to(part, 8, Target::Object(c.id()));
        self.immed(c.immed(), r)
    }

    /// LOCATE(16) (SSC-5 7.4): DEST_TYPE logical object, logical file (the object after the
    /// id-th filemark; file 0 is BOP) or end of data.
    pub fn locate16(&mut self, c: &Locate16) -> Result<(), ScsiError> {
        let part = if c.cp() { Some(c.partition()) } else { None };
        let target = match c.dest_type() {
            DestType::Object => Target::Object(c.id()),
            DestType::File => Target::File(c.id()),
            DestType::EndOfData => Target::Eod,
        };
        let r = self.locate_to(part, 3, target);
        self.immed(c.immed(), r)
    }

    /// Locate in `part` (None = current). A partition that does not exist is INVALID FIELD
    /// IN CDB at `part_byte`; a target past EOD leaves the tape at EOD with BLANK CHECK /
    /// END-OF-DATA DETECTED (0x08/0x00/0x05); a missing logical file likewise, INFORMATION =
    /// files not found.
    fn locate_to(
        &mut self,
        part: Option<u8>,
        part_byte: u16,
        target: Target,
    ) -> Result<(), ScsiError> {
        self.data_medium()?;
        self.allowance = Allowance::None;
        let sync = self.sync();
        let Slot::Loaded(l) = &mut self.slot else {
            unreachable!("checked by data_medium")
        };
        let part = match part {
            None => l.cart.position().partition,
            Some(p) if u32::from(p) < l.cart.partition_count() => u32::from(p),
            Some(_) => return Err(ScsiError::cdb(part_byte, None, "no such partition")),
        };
        sync?;
        let res = match target {
            Target::Object(id) => {
                let block = u32::try_from(id).unwrap_or(u32::MAX);
                l.cart.locate(part, block).map(|o| (o.stop, None))
            }
            Target::File(n) => l.cart.locate(part, 0).map(|_| {
                let o = l.cart.space_filemarks(i64::try_from(n).unwrap_or(i64::MAX));
                (o.stop, Some(o.residual))
            }),
            Target::Eod => l.cart.locate(part, 0).map(|_| {
                l.cart.seek_eod();
                (libvtlcart::SpaceStop::Completed, None)
            }),
        };
        match res {
            Err(e) => {
                self.position_valid = false;
                Err(ScsiError::Check(cart_sense(&e)))
            }
            Ok((libvtlcart::SpaceStop::Eod, residue)) => {
                self.position_valid = true;
                Err(self.blank_check(residue.map(|r| i64::try_from(r).unwrap_or(i64::MAX))))
            }
            Ok(_) => {
                self.position_valid = true;
                Ok(())
            }
        }
    }

    /// READ POSITION (SSC-5 7.7). Every object acknowledged is counted at its place, so the
    /// object buffer is reported empty (first = last location, 0 objects, 0 bytes).
    ///
    /// * short form (service action 00h/01h), 20 bytes: byte 0 BOP (0x80), EOP (0x40, the
    ///   position past early warning: [`Drive::remaining_at_position`]), LOLU (0x04, position
    ///   unknown), BPEW (0x01, the position past programmable early warning,
    ///   [`crate::early_warning`]); byte 1 partition; bytes 4..7 first and
    ///   8..11 last logical object location;
    /// * long form (06h), 32 bytes: byte 0 BOP, EOP, MPU/LONU when unknown, BPEW; bytes 4..7
    ///   partition; 8..15 logical object number; 16..23 logical file identifier; 24..31
    ///   logical set identifier (0);
    /// * extended form (08h), 32 bytes cut to the allocation length: byte 0 as the short
    ///   form, byte 1 partition, bytes 2..3 additional length 0x1C, 8..15 first and 16..23
    ///   last logical object location.
    ///
    /// Right after a load the tape is at BOP of partition 0, block 0.
    pub fn read_position(
        &mut self,
        c: &ReadPosition,
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        let valid = self.position_valid;
        let ew = self.position_past_early_warning();
        let bpew = self.position_past_programmable_early_warning();
        let l = self.loaded()?;
        let pos = l.cart.position();
        let mut flags = 0u8;
        if pos.bop && valid {
            flags |= 0x80;
        }
        if ew {
            flags |= 0x40;
        }
        // BPEW (byte 0 bit 0 of the short and long forms; the extended form has none).
        let bpew = u8::from(bpew && c.form() != ReadPositionForm::Extended);
        flags |= bpew;
        match c.form() {
            ReadPositionForm::Short => {
                let mut d = [0u8; SHORT_FORM_LEN];
                if !valid {
                    flags |= 0x04;
                } else {
                    d[4..8].copy_from_slice(&pos.block.to_be_bytes());
                    d[8..12].copy_from_slice(&pos.block.to_be_bytes());
                }
                d[0] = flags;
                d[1] = pos.partition as u8;
                data_in.extend_from_slice(&d);
            }
            ReadPositionForm::Long => {
                let mut d = [0u8; LONG_FORM_LEN];
                if !valid {
                    flags |= 0x0c;
                } else {
                    d[8..16].copy_from_slice(&u64::from(pos.block).to_be_bytes());
                    d[16..24].copy_from_slice(&u64::from(pos.file_number).to_be_bytes());
                }
                d[0] = flags;
                d[4..8].copy_from_slice(&pos.partition.to_be_bytes());
                data_in.extend_from_slice(&d);
            }
            ReadPositionForm::Extended => {
                let mut d = [0u8; LONG_FORM_LEN];
                if !valid {
                    flags |= 0x04;
                } else {
                    d[8..16].copy_from_slice(&u64::from(pos.block).to_be_bytes());
                    d[16..24].copy_from_slice(&u64::from(pos.block).to_be_bytes());
                }
                d[0] = flags;
                d[1] = pos.partition as u8;
                d[2..4].copy_from_slice(&((LONG_FORM_LEN - 4) as u16).to_be_bytes());
                let n = usize::from(c.allocation_length()).min(LONG_FORM_LEN);
                data_in.extend_from_slice(&d[..n]);
            }
        }
        Ok(())
    }
}

/// A LOCATE destination.
#[derive(Debug, Clone, Copy)]
enum Target {
    Object(u64),
    File(u64),
    Eod,
}
