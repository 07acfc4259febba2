//! READ(6), WRITE(6) and VERIFY(6) (SSC-5 7.6, 7.11, 7.10a; residues and stream bits SSC-5
//! 4.2.22 and clients.md).
//!
//! Data leaves the drive only after libvtlcart checked the block's CRC-32C and
//! decompression; a bad block is MEDIUM ERROR / UNRECOVERED READ ERROR with nothing
//! returned for it (the tape moves past it).
//!
//! Encryption ([`crate::encryption`]) applies to every block read (READ, VERIFY) and
//! written (WRITE); logical block protection ([`crate::lbp`]) adds 4 protection bytes to each
//! block READ returns (LBP_R) and checks the 4 bytes each block WRITE and VERIFY with BYTCMP
//! receive (LBP_W).

use libvtlcart::{CartError, Object, SpaceStop};
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::cdb::{Read6, Verify6, Write6};
use crate::drive::{DATA_PHASE_ERROR, Drive};
use crate::error::cart_sense;
use crate::tapealert::flag;

/// One object as a read-type command sees it.
enum Got {
    /// A data block of this length (its bytes in the drive's scratch buffer).
    Block(usize),
    /// A filemark (the tape is past it).
    Filemark,
    /// End of data (no movement).
    Eod,
}

impl Drive {
    /// Read the next object into `self.scratch`.
    fn next_object(&mut self) -> Result<Got, ScsiError> {
        let mut buf = std::mem::take(&mut self.scratch);
        let res = {
            let l = self.data_medium()?;
            l.cart.read(&mut buf)
        };
        let out = match res {
            Ok(Object::Data(info)) => {
                self.counters.block_read(u64::from(info.stored_size));
                if !info.payload_present {
                    // NULL media: the index knows the length, no bytes were stored.
                    buf.clear();
                    buf.resize(info.size as usize, 0);
                }
                if let Err(e) = self.decrypt_read(&info, &mut buf) {
                    self.scratch = buf;
                    return Err(e);
                }
                Ok(Got::Block(buf.len()))
            }
            Ok(Object::Filemark) => Ok(Got::Filemark),
            Ok(Object::EndOfData) => Ok(Got::Eod),
            Err(e) => Err(e),
        };
        self.scratch = buf;
        out.map_err(|e| self.read_error(&e))
    }

    /// Append the LBP_R protection bytes of the `n`-byte block in `self.scratch` to it;
    /// returns how many were appended (0 or 4).
    fn append_read_protection(&mut self, n: usize) -> usize {
        if self.lbp.read_pi_len() == 0 {
            return 0;
        }
        self.scratch.truncate(n);
        match self
            .lbp
            .protection(&self.scratch, self.config.lbp_rscrc_order)
        {
            Some(pi) => {
                self.scratch.extend_from_slice(&pi);
                pi.len()
            }
            None => 0,
        }
    }

    /// Put the first `n` bytes of the block in `self.scratch` into `data_in`: an empty
    /// `data_in` trades buffers with the scratch (no copy of the block; both keep their
    /// capacity for the next read), else the bytes are appended.
    fn take_scratch_into(&mut self, data_in: &mut Vec<u8>, n: usize) {
        if data_in.is_empty() {
            std::mem::swap(data_in, &mut self.scratch);
            data_in.truncate(n);
        } else {
            data_in.extend_from_slice(&self.scratch[..n]);
        }
    }

    /// MEDIUM ERROR for a read failure (TapeAlert 0x05 read failure, 0x04 media).
    fn read_error(&mut self, e: &CartError) -> ScsiError {
        self.count_read_error(e);
        match e {
            CartError::BadBlock { .. } | CartError::Corrupt { .. } => {
                self.tape_alert.raise(flag::MEDIA);
                self.tape_alert.raise(flag::READ_FAILURE);
            }
            CartError::Io { .. } => self.tape_alert.raise(flag::READ_FAILURE),
            _ => {}
        }
        ScsiError::Check(cart_sense(e))
    }

    /// BLANK CHECK / END-OF-DATA DETECTED with `residue`, EOM set when EOD lies past early
    /// warning.
    pub(crate) fn blank_check(&self, residue: Option<i64>) -> ScsiError {
        let mut s = Sense::new(SenseKey::BlankCheck, Asc::END_OF_DATA_DETECTED);
        s.information = residue;
        s.eom = self.past_early_warning();
        ScsiError::Check(s)
    }

    /// The fixed block length for a FIXED=1 command: INVALID FIELD IN CDB byte 1 bit 0 in
    /// variable block mode.
    fn fixed_length(&self) -> Result<usize, ScsiError> {
        match self.block_size {
            0 => Err(ScsiError::cdb(1, Some(0), "FIXED=1 in variable block mode")),
            n => Ok(n as usize),
        }
    }

    /// READ(6) (SSC-5 7.6).
    ///
    /// Variable mode (FIXED=0), transfer length L bytes, block of n bytes:
    /// * n = L: GOOD;
    /// * n < L: the block; CHECK CONDITION NO SENSE, ILI, INFORMATION = L − n, unless SILI
    ///   (then GOOD);
    /// * n > L: the first L bytes; ILI, INFORMATION = L − n (negative), tape past the block.
    ///
    /// Fixed mode (FIXED=1, L blocks of the current block length): blocks of another length
    /// stop the transfer with ILI and INFORMATION = blocks not read including it (its first
    /// bytes, up to the block length, are transferred), tape past it.
    ///
    /// Both modes: a filemark gives NO SENSE, FILEMARK, FILEMARK DETECTED (0x00/0x01) with
    /// INFORMATION = residue (bytes or blocks), tape past the mark; EOD gives BLANK CHECK,
    /// END-OF-DATA DETECTED (0x00/0x05) with the residue, EOM when past early warning; a bad
    /// block MEDIUM ERROR 0x11/0x00 with the residue; a block the decryption mode refuses
    /// DATA PROTECT 0x74/xx with the residue ([`crate::encryption`]). L = 0: GOOD, no
    /// movement.
    ///
    /// LBP_R: each block is followed by its 4 protection bytes, counted in a variable-mode
    /// transfer length (a block of n bytes transfers n + 4); a fixed-mode block transfers
    /// the block length + 4 bytes.
    pub fn read6(&mut self, c: &Read6, data_in: &mut Vec<u8>) -> Result<(), ScsiError> {
        self.data_medium()?;
        self.allowance = crate::drive::Allowance::None;
        let len = c.transfer_length();
        if len == 0 {
            return Ok(());
        }
        if !c.fixed() {
            let want = len as usize;
            let residue = i64::from(len);
            match self.next_object() {
                Err(ScsiError::Check(s)) => Err(ScsiError::Check(s.with_information(residue))),
                Err(e) => Err(e),
                Ok(Got::Eod) => Err(self.blank_check(Some(residue))),
                Ok(Got::Filemark) => Err(filemark(residue)),
                Ok(Got::Block(n)) => {
                    let n = n + self.append_read_protection(n);
                    self.take_scratch_into(data_in, n.min(want));
                    if n == want || (n < want && c.sili()) {
                        Ok(())
                    } else {
                        Err(ili(want as i64 - n as i64))
                    }
                }
            }
        } else {
            let bs = self.fixed_length()?;
            for done in 0..len {
                let residue = i64::from(len - done);
                match self.next_object() {
                    Err(ScsiError::Check(s)) => {
                        return Err(ScsiError::Check(s.with_information(residue)));
                    }
                    Err(e) => return Err(e),
                    Ok(Got::Eod) => return Err(self.blank_check(Some(residue))),
                    Ok(Got::Filemark) => return Err(filemark(residue)),
                    Ok(Got::Block(n)) => {
                        if n != bs {
                            data_in.extend_from_slice(&self.scratch[..n.min(bs)]);
                            return Err(ili(residue));
                        }
                        let t = n + self.append_read_protection(n);
                        data_in.extend_from_slice(&self.scratch[..t]);
                    }
                }
            }
            Ok(())
        }
    }

    /// WRITE(6) (SSC-5 7.11).
    ///
    /// Variable mode: one block of TRANSFER LENGTH bytes (within the block limits, else
    /// INVALID FIELD IN CDB byte 2). Fixed mode: TRANSFER LENGTH blocks of the current block
    /// length. Write permission as [`Drive::check_write_here`] says. Blocks are compressed as
    /// configured (mode page 0x0F DCE).
    ///
    /// * Early warning: when fewer than the personality's early-warning bytes are left after
    ///   the write, the data is written and the command ends CHECK CONDITION NO SENSE, EOM,
    ///   END-OF-PARTITION/MEDIUM DETECTED (0x00/0x02), INFORMATION = 0.
    /// * End of partition: a block that does not fit is not written: VOLUME OVERFLOW, EOM,
    ///   0x00/0x02, INFORMATION = blocks not written (fixed) or the transfer length
    ///   (variable).
    /// * A data-out buffer shorter than the transfer length: ABORTED COMMAND / DATA PHASE
    ///   ERROR (0x0B/0x4B/0x00), nothing written (a transport fault, never half a block).
    /// * LBP_W: each block arrives with its 4 protection bytes (counted in a variable-mode
    ///   transfer length; added to each fixed-mode block), all checked before anything is
    ///   written: a mismatch is ABORTED COMMAND / LOGICAL BLOCK GUARD CHECK FAILED
    ///   (0x0B/0x10/0x01), nothing written, INFORMATION as for VOLUME OVERFLOW. A transfer
    ///   length not above 4: INVALID FIELD IN CDB byte 2.
    /// * ENCRYPTION MODE ENCRYPT: blocks are stored encrypted ([`crate::encryption`]).
    pub fn write6(&mut self, c: &Write6, data_out: &[u8]) -> Result<(), ScsiError> {
        self.data_medium()?;
        let len = c.transfer_length();
        if len == 0 {
            return Ok(());
        }
        let pi = self.lbp.write_pi_len();
        let (bs, count) = if c.fixed() {
            (self.fixed_length()? + pi, len)
        } else {
            if !self.block_size_valid(len) {
                return Err(ScsiError::cdb(
                    2,
                    None,
                    "transfer length outside block limits",
                ));
            }
            if len as usize <= pi {
                return Err(ScsiError::cdb(
                    2,
                    None,
                    "transfer length must exceed the 4 protection bytes",
                ));
            }
            (len as usize, 1)
        };
        let total = bs.saturating_mul(count as usize);
        if data_out.len() < total {
            return Err(ScsiError::Check(Sense::new(
                SenseKey::AbortedCommand,
                DATA_PHASE_ERROR,
            )));
        }
        self.check_write_here()?;
        let order = self.config.lbp_rscrc_order;
        if data_out[..total]
            .chunks_exact(bs)
            .any(|u| self.lbp.check(u, order).is_none())
        {
            return Err(crate::lbp::guard_check_failed(if c.fixed() {
                i64::from(count)
            } else {
                i64::from(len)
            }));
        }
        let comp = self.compression();
        self.allowance = crate::drive::Allowance::None;
        for (i, unit) in data_out[..total].chunks_exact(bs).enumerate() {
            let block = &unit[..unit.len() - pi];
            let not_written = if c.fixed() {
                i64::from(count) - i as i64
            } else {
                i64::from(len)
            };
            // The uncompressed length bounds the stored bytes: near the end a block that
            // might only fit compressed is refused (nothing written), as drives do at EOP.
            if let Err(e) = self.check_fits(1, block.len() as u64) {
                return Err(match e {
                    ScsiError::Check(s) => ScsiError::Check(s.with_information(not_written)),
                    e => e,
                });
            }
            if let Err(e) = self.store_block(block, comp) {
                let not_written = if c.fixed() {
                    i64::from(count) - i as i64
                } else {
                    i64::from(len)
                };
                let err = self.write_error(&e);
                return Err(match err {
                    ScsiError::Check(s) => ScsiError::Check(s.with_information(not_written)),
                    e => e,
                });
            }
            self.unsynced = true;
            self.count_block_written(block.len());
        }
        if self.past_early_warning() {
            return Err(ScsiError::Check(
                Sense::new(SenseKey::NoSense, Asc::END_OF_PARTITION_MEDIUM_DETECTED)
                    .with_eom()
                    .with_information(0),
            ));
        }
        if let Some(e) = self.programmable_early_warning() {
            return Err(e);
        }
        Ok(())
    }

    /// VERIFY(6) (SSC-5 7.10a): read and check blocks (CRC-32C, decompression) without
    /// returning them.
    ///
    /// * VTE=1: verify every block from here to EOD (filemarks are passed), GOOD at EOD.
    /// * VBF=1: verify until LENGTH filemarks have been passed.
    /// * else LENGTH blocks (FIXED=1, of the current block length) or one block of LENGTH
    ///   bytes (FIXED=0), with READ's ILI, FILEMARK and BLANK CHECK rules (INFORMATION =
    ///   residue).
    /// * BYTCMP=1: the blocks are compared with the data-out bytes: MISCOMPARE / MISCOMPARE
    ///   DURING VERIFY OPERATION (0x0E/0x1D/0x00), INFORMATION = residue (blocks not verified
    ///   including the one that differs, or LENGTH in variable mode), tape past that block.
    /// * A bad block: MEDIUM ERROR 0x11/0x00 with the residue; a block the decryption mode
    ///   refuses: DATA PROTECT 0x74/xx with the residue (blocks are decrypted to be verified).
    /// * VLBPM (byte 1 bit 4): verify each block's recorded protection — the CRC-32C stored
    ///   with it, which every read checks — under the protection method of mode page
    ///   0x0A/0xF0; INVALID FIELD IN CDB byte 1 bit 4 when no method is set.
    /// * BYTCMP with LBP_W: each data-out block carries its 4 protection bytes (counted in a
    ///   variable-mode LENGTH, added to each fixed-mode block), checked before comparing:
    ///   ABORTED COMMAND / LOGICAL BLOCK GUARD CHECK FAILED (0x0B/0x10/0x01) with the residue.
    pub fn verify6(&mut self, c: &Verify6, data_out: &[u8]) -> Result<(), ScsiError> {
        if c.vlbo() && self.lbp.method == crate::lbp::Method::None {
            return Err(ScsiError::cdb(
                1,
                Some(4),
                "VLBPM needs a protection method (mode page 0x0A/0xF0)",
            ));
        }
        self.data_medium()?;
        self.allowance = crate::drive::Allowance::None;
        let r = self.verify_inner(c, data_out);
        self.immed(c.immed(), r)
    }

    fn verify_inner(&mut self, c: &Verify6, data_out: &[u8]) -> Result<(), ScsiError> {
        let len = c.length();
        if c.vte() {
            loop {
                match self.next_object()? {
                    Got::Eod => return Ok(()),
                    Got::Filemark | Got::Block(_) => {}
                }
            }
        }
        if len == 0 {
            return Ok(());
        }
        if c.vbf() {
            let mut passed = 0;
            while passed < len {
                match self.next_object() {
                    Err(ScsiError::Check(s)) => {
                        return Err(ScsiError::Check(
                            s.with_information(i64::from(len - passed)),
                        ));
                    }
                    Err(e) => return Err(e),
                    Ok(Got::Eod) => return Err(self.blank_check(Some(i64::from(len - passed)))),
                    Ok(Got::Filemark) => passed += 1,
                    Ok(Got::Block(_)) => {}
                }
            }
            return Ok(());
        }
        let pi = if c.bytcmp() {
            self.lbp.write_pi_len()
        } else {
            0
        };
        // `unit`: data-out bytes per block; `bs`: the logical block length compared.
        let (unit, bs, count) = if c.fixed() {
            let bs = self.fixed_length()?;
            (bs + pi, bs, len)
        } else {
            if (len as usize) <= pi {
                return Err(ScsiError::cdb(
                    2,
                    None,
                    "verification length must exceed the 4 protection bytes",
                ));
            }
            (len as usize, len as usize - pi, 1)
        };
        if c.bytcmp() && data_out.len() < unit.saturating_mul(count as usize) {
            return Err(ScsiError::Check(Sense::new(
                SenseKey::AbortedCommand,
                DATA_PHASE_ERROR,
            )));
        }
        for done in 0..count {
            let residue = if c.fixed() {
                i64::from(count - done)
            } else {
                i64::from(len)
            };
            match self.next_object() {
                Err(ScsiError::Check(s)) => {
                    return Err(ScsiError::Check(s.with_information(residue)));
                }
                Err(e) => return Err(e),
                Ok(Got::Eod) => return Err(self.blank_check(Some(residue))),
                Ok(Got::Filemark) => return Err(filemark(residue)),
                Ok(Got::Block(n)) => {
                    if n != bs {
                        let info = if c.fixed() {
                            residue
                        } else {
                            bs as i64 - n as i64
                        };
                        return Err(ili(info));
                    }
                    if c.bytcmp() {
                        let off = done as usize * unit;
                        let order = self.config.lbp_rscrc_order;
                        let Some(expected) = self.lbp.check(&data_out[off..off + unit], order)
                        else {
                            return Err(crate::lbp::guard_check_failed(residue));
                        };
                        if self.scratch[..n] != *expected {
                            let mut s =
                                Sense::new(SenseKey::Miscompare, Asc::MISCOMPARE_DURING_VERIFY);
                            s.information = Some(residue);
                            return Err(ScsiError::Check(s));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// NO SENSE, FILEMARK, FILEMARK DETECTED with INFORMATION = `residue`.
pub(crate) fn filemark(residue: i64) -> ScsiError {
    ScsiError::Check(
        Sense::new(SenseKey::NoSense, Asc::FILEMARK_DETECTED)
            .with_filemark()
            .with_information(residue),
    )
}

/// NO SENSE, ILI with INFORMATION = `info`.
fn ili(info: i64) -> ScsiError {
    ScsiError::Check(
        Sense::new(SenseKey::NoSense, Asc::NO_ADDITIONAL_SENSE)
            .with_ili()
            .with_information(info),
    )
}

/// Map a SPACE/LOCATE stop to its SSC condition (SSC-5 7.10): a filemark met while spacing
/// blocks is NO SENSE + FILEMARK 0x00/0x01; EOD is BLANK CHECK 0x00/0x05; BOP is NO SENSE +
/// EOM, BEGINNING-OF-PARTITION/MEDIUM DETECTED 0x00/0x04. INFORMATION is the residue as a
/// magnitude (count not spaced, positive in both directions, as Linux st expects).
pub(crate) fn stop_sense(drive: &Drive, stop: SpaceStop, residual: u64) -> Result<(), ScsiError> {
    let info = i64::try_from(residual).unwrap_or(i64::MAX);
    match stop {
        SpaceStop::Completed => Ok(()),
        SpaceStop::Filemark => Err(filemark(info)),
        SpaceStop::Eod => Err(drive.blank_check(Some(info))),
        SpaceStop::Bop => Err(ScsiError::Check(
            Sense::new(
                SenseKey::NoSense,
                Asc::BEGINNING_OF_PARTITION_MEDIUM_DETECTED,
            )
            .with_eom()
            .with_information(info),
        )),
    }
}
