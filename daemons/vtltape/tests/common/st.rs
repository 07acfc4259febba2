//! A replay of what the Linux st driver (drivers/scsi/st.c, as documented in
//! Documentation/scsi/st.rst and observed on real drives) sends to a tape drive for each
//! system call and ioctl, written from that public behaviour for these tests.
//!
//! [`St`] wraps an [`InProcess`] initiator on a [`TapeDrive`] and keeps st's own file and
//! block counters (`mt status` prints those, -1 when st lost track). Every SCSI command it
//! sends is logged ([`St::log`]) with its completion, so scenarios can assert the exact CDBs
//! and sense of each step; every call interprets status and sense the way st does (ILI
//! residues, FILEMARK, EOM, BLANK CHECK) and returns bytes or an errno.

use vtl_scsi::{Asc, Completion, InProcess, Sense, SenseKey, Status};
use vtltape::TapeDrive;

/// The errno values st returns to the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Errno {
    /// EIO: the command failed (SPACE stopped early, read past EOD, media error).
    Eio,
    /// ENOSPC: end of medium while writing (early warning already reported, or VOLUME
    /// OVERFLOW).
    Enospc,
    /// ENOMEM: the block is larger than the read buffer (negative ILI residue).
    Enomem,
    /// EACCES: write protected.
    Eacces,
    /// ENOMEDIUM: no cartridge (TEST UNIT READY: NOT READY 3A/00).
    Enomedium,
    /// EINVAL: READ POSITION reported the position unknown, or a bad argument.
    Einval,
}

/// One SCSI command st sent and what came back (data length only, to keep fills small).
#[derive(Debug, Clone)]
pub struct Sent {
    /// The CDB.
    pub cdb: Vec<u8>,
    /// Status.
    pub status: Status,
    /// Parsed sense (CHECK CONDITION only).
    pub sense: Option<Sense>,
    /// Raw sense bytes.
    pub sense_bytes: Vec<u8>,
    /// Data-in bytes received.
    pub data_len: usize,
}

/// `mt status` as mt-st prints it: st's counters and its general status bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MtStatus {
    /// File number (-1 unknown).
    pub file: i64,
    /// Block number within the file (-1 unknown).
    pub block: i64,
    /// Partition.
    pub partition: u8,
    /// Tape block size (0 = variable).
    pub block_size: u32,
    /// Density code from the block descriptor.
    pub density: u8,
    /// GMT_BOT.
    pub bot: bool,
    /// GMT_EOF: just passed a filemark.
    pub eof: bool,
    /// GMT_EOD.
    pub eod: bool,
    /// GMT_EOT: early warning seen while writing.
    pub eot: bool,
    /// GMT_WR_PROT.
    pub wr_prot: bool,
    /// GMT_ONLINE (else GMT_DR_OPEN).
    pub online: bool,
}

/// st's end-of-file state (a reduced `st_partstat.eof`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EofState {
    /// Nothing special.
    None,
    /// A filemark was read (the read returned 0).
    Filemark,
    /// Fixed mode: a filemark ended a read that returned data; the next read returns 0.
    FilemarkPending,
    /// Early warning seen while writing: the next write returns ENOSPC without I/O.
    EomOk,
    /// The write after the ENOSPC is let through (a trailer).
    EomTrailer,
    /// End of data was met; a read returned 0 once.
    Eod,
}

/// The st initiator.
pub struct St {
    /// The logical unit behind it.
    pub t: InProcess<TapeDrive>,
    /// The I_T nexus st uses.
    pub nexus: u64,
    /// `/dev/stN` (rewind on close) rather than `/dev/nstN`.
    pub rewind_device: bool,
    /// st's file counter (-1 unknown).
    pub file: i64,
    /// st's block counter (-1 unknown).
    pub block: i64,
    /// Block size from MODE SENSE / MTSETBLK (0 = variable).
    pub block_size: u32,
    /// Density code.
    pub density: u8,
    /// Buffered mode from the mode header.
    pub drv_buffer: u8,
    /// WP bit of the mode header.
    pub write_prot: bool,
    /// READ BLOCK LIMITS: maximum and minimum block length.
    pub limits: (u32, u16),
    /// Whether a cartridge answered ready at open.
    pub ready: bool,
    /// The last command was a write (st rw == ST_WRITING): close and moves backward write
    /// a filemark first.
    pub writing: bool,
    /// End-of-file state.
    pub eof: EofState,
    /// Unit attentions consumed by open, as (ASC, ASCQ).
    pub attentions: Vec<(u8, u8)>,
    /// Every command sent.
    pub log: Vec<Sent>,
}

fn u24(n: u32) -> [u8; 3] {
    let b = n.to_be_bytes();
    [b[1], b[2], b[3]]
}

fn i24(n: i32) -> [u8; 3] {
    let b = n.to_be_bytes();
    [b[1], b[2], b[3]]
}

impl St {
    /// An st device on `drive` (not yet opened), nexus 1.
    pub fn new(drive: TapeDrive, rewind_device: bool) -> St {
        St {
            t: InProcess::new(drive),
            nexus: 1,
            rewind_device,
            file: -1,
            block: -1,
            block_size: 0,
            density: 0,
            drv_buffer: 0,
            write_prot: false,
            limits: (0, 0),
            ready: false,
            writing: false,
            eof: EofState::None,
            attentions: Vec::new(),
            log: Vec::new(),
        }
    }

    /// The drive itself.
    pub fn lu(&mut self) -> &mut TapeDrive {
        self.t.lu()
    }

    /// Send one command, log it, return the completion.
    pub fn cmd(&mut self, cdb: &[u8], data_out: &[u8], alloc: usize) -> Completion {
        let c = self.t.command(self.nexus, cdb, data_out, alloc);
        if c.status == Status::CheckCondition {
            assert!(
                c.sense().is_some(),
                "{cdb:02x?}: CHECK CONDITION with unparseable sense {:02x?}",
                c.sense
            );
        }
        self.log.push(Sent {
            cdb: cdb.to_vec(),
            status: c.status,
            sense: c.sense(),
            sense_bytes: c.sense.clone(),
            data_len: c.data.len(),
        });
        c
    }

    /// The sense of the last command (None after GOOD).
    pub fn last_sense(&self) -> Option<Sense> {
        self.log.last().and_then(|s| s.sense)
    }

    /// The op codes sent since the log was last taken, and clear the log.
    pub fn take_ops(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.log)
            .into_iter()
            .map(|s| s.cdb[0])
            .collect()
    }

    /// Expect GOOD for a command st relies on.
    fn expect_good(&mut self, cdb: &[u8], data_out: &[u8], alloc: usize) -> Completion {
        let c = self.cmd(cdb, data_out, alloc);
        assert!(
            c.is_good(),
            "{cdb:02x?}: st expects GOOD, got {:?} {:?}",
            c.status,
            c.sense()
        );
        c
    }

    /// open(2): TEST UNIT READY until the unit attentions are consumed (st retries them),
    /// then READ BLOCK LIMITS and MODE SENSE(6) page 0 with the block descriptor (12 bytes).
    /// A unit attention starts a new session: counters at file 0, block 0.
    pub fn open(&mut self) -> Result<(), Errno> {
        self.ready = false;
        for _ in 0..8 {
            let c = self.cmd(&[0, 0, 0, 0, 0, 0], &[], 0);
            if c.is_good() {
                self.ready = true;
                break;
            }
            let s = c.sense().expect("TUR sense");
            match s.key {
                SenseKey::UnitAttention => {
                    self.attentions.push((s.asc.0, s.asc.1));
                    self.file = 0;
                    self.block = 0;
                    self.eof = EofState::None;
                    self.writing = false;
                }
                SenseKey::NotReady if s.asc == Asc::MEDIUM_NOT_PRESENT => {
                    return Err(Errno::Enomedium);
                }
                _ => {
                    eprintln!("st: TEST UNIT READY: {s:?}");
                    return Err(Errno::Eio);
                }
            }
        }
        assert!(self.ready, "TEST UNIT READY never became GOOD");
        if self.file < 0 {
            // st without a unit attention on a fresh open: position from the drive.
            self.file = 0;
            self.block = 0;
        }
        let c = self.expect_good(&[0x05, 0, 0, 0, 0, 0], &[], 6);
        assert_eq!(c.data.len(), 6, "READ BLOCK LIMITS length");
        self.limits = (
            u32::from_be_bytes([0, c.data[1], c.data[2], c.data[3]]),
            u16::from_be_bytes([c.data[4], c.data[5]]),
        );
        self.mode_sense_header()?;
        Ok(())
    }

    /// MODE SENSE(6), page 0, allocation 12: header + block descriptor (what st reads at
    /// open to learn density, block size, buffering and write protection).
    fn mode_sense_header(&mut self) -> Result<(), Errno> {
        let c = self.cmd(&[0x1a, 0, 0, 0, 12, 0], &[], 12);
        if !c.is_good() {
            eprintln!("st: MODE SENSE(6) page 0 failed: {:?}", c.sense());
            return Err(Errno::Eio);
        }
        let d = &c.data;
        assert!(d.len() >= 4, "mode header");
        self.drv_buffer = (d[2] >> 4) & 7;
        self.write_prot = d[2] & 0x80 != 0;
        if d[3] >= 8 && d.len() >= 12 {
            self.density = d[4];
            self.block_size = u32::from_be_bytes([0, d[9], d[10], d[11]]);
        }
        Ok(())
    }

    /// write(2) of `data`: one WRITE(6) (variable: one block of `data.len()` bytes; fixed:
    /// `data.len() / block_size` blocks). Early warning: the data is written and the count
    /// returned; the next write then returns ENOSPC without I/O and the one after is let
    /// through (st.rst "EOM behaviour when writing"). VOLUME OVERFLOW: ENOSPC, nothing
    /// written.
    pub fn write(&mut self, data: &[u8]) -> Result<usize, Errno> {
        if self.write_prot {
            return Err(Errno::Eacces);
        }
        match self.eof {
            EofState::EomOk => {
                self.eof = EofState::EomTrailer;
                return Err(Errno::Enospc);
            }
            EofState::EomTrailer => {}
            _ => self.eof = EofState::None,
        }
        let (fixed, count) = if self.block_size == 0 {
            (0u8, data.len() as u32)
        } else {
            assert_eq!(data.len() % self.block_size as usize, 0, "fixed-mode write");
            (1, (data.len() / self.block_size as usize) as u32)
        };
        let l = u24(count);
        let c = self.cmd(&[0x0a, fixed, l[0], l[1], l[2], 0], data, 0);
        self.writing = true;
        let blocks = i64::from(if fixed == 1 { count } else { 1 });
        if c.is_good() {
            if self.block >= 0 {
                self.block += blocks;
            }
            if self.eof == EofState::EomTrailer {
                self.eof = EofState::EomOk;
            }
            return Ok(data.len());
        }
        let s = c.sense().expect("sense");
        if s.eom {
            let undone = match (s.information, s.key) {
                (Some(i), _) => i,
                (None, SenseKey::VolumeOverflow) if fixed == 0 => 1,
                _ => 0,
            };
            let undone_blocks = if fixed == 1 { undone } else { undone.min(1) };
            if self.block >= 0 {
                self.block += blocks - undone_blocks;
            }
            self.eof = EofState::EomOk;
            if s.key == SenseKey::VolumeOverflow || undone_blocks > 0 {
                let written = (blocks - undone_blocks) as usize
                    * if fixed == 1 {
                        self.block_size as usize
                    } else {
                        data.len()
                    };
                return if written > 0 {
                    Ok(written)
                } else {
                    Err(Errno::Enospc)
                };
            }
            return Ok(data.len());
        }
        if s.key == SenseKey::DataProtect {
            return Err(Errno::Eacces);
        }
        Err(Errno::Eio)
    }

    /// read(2) with a buffer of `len` bytes. Returns the bytes; an empty vector at a
    /// filemark (EOF) and once at end of data; then EIO at end of data. A block larger than
    /// the buffer: ENOMEM (the block is skipped).
    pub fn read(&mut self, len: usize) -> Result<Vec<u8>, Errno> {
        if self.writing {
            // st flushes and writes a filemark before reading after writing; tests don't
            // read right after writing.
            panic!("read right after write");
        }
        match self.eof {
            EofState::FilemarkPending => {
                self.eof = EofState::Filemark;
                return Ok(Vec::new());
            }
            EofState::Eod => return Err(Errno::Eio),
            _ => self.eof = EofState::None,
        }
        let (fixed, count) = if self.block_size == 0 {
            (0u8, len as u32)
        } else {
            (1, (len / self.block_size as usize) as u32)
        };
        let l = u24(count);
        let c = self.cmd(&[0x08, fixed, l[0], l[1], l[2], 0], &[], len);
        if c.is_good() {
            if self.block >= 0 {
                self.block += i64::from(if fixed == 1 { count } else { 1 });
            }
            return Ok(c.data);
        }
        let s = c.sense().expect("sense");
        let residue = s.information.unwrap_or(0);
        if s.ili {
            if fixed == 0 {
                if self.block >= 0 {
                    self.block += 1;
                }
                if residue < 0 {
                    return Err(Errno::Enomem);
                }
                assert_eq!(
                    c.data.len(),
                    len - residue as usize,
                    "ILI residue and data length agree"
                );
                return Ok(c.data);
            }
            // Fixed mode, a block of another length: st reports EIO.
            if self.block >= 0 {
                self.block += i64::from(count) - residue + 1;
            }
            return Err(Errno::Eio);
        }
        if s.filemark {
            self.file += 1;
            self.block = 0;
            if fixed == 1 && residue < i64::from(count) {
                let got = (i64::from(count) - residue) as usize * self.block_size as usize;
                assert_eq!(c.data.len(), got, "fixed read up to the filemark");
                self.eof = EofState::FilemarkPending;
                return Ok(c.data);
            }
            self.eof = EofState::Filemark;
            return Ok(Vec::new());
        }
        if s.key == SenseKey::BlankCheck {
            self.eof = EofState::Eod;
            if fixed == 1 && residue < i64::from(count) {
                let n = i64::from(count) - residue;
                if self.block >= 0 {
                    self.block += n;
                }
                return Ok(c.data);
            }
            return Ok(Vec::new());
        }
        Err(Errno::Eio)
    }

    /// Write the filemark st owes after writing, before a move backward or close.
    fn flush_write(&mut self) -> Result<(), Errno> {
        if self.writing {
            self.weof(1)?;
        }
        Ok(())
    }

    /// MTWEOF: WRITE FILEMARKS(6), IMMED=0. NO SENSE with EOM (early warning) is success.
    pub fn weof(&mut self, n: u32) -> Result<(), Errno> {
        let l = u24(n);
        let c = self.cmd(&[0x10, 0, l[0], l[1], l[2], 0], &[], 0);
        self.writing = false;
        let ok = c.is_good()
            || c.sense()
                .is_some_and(|s| s.key == SenseKey::NoSense && s.eom);
        if !ok {
            return Err(Errno::Eio);
        }
        if self.file >= 0 {
            self.file += i64::from(n);
        }
        self.block = 0;
        if !c.is_good() {
            self.eof = EofState::EomOk;
        }
        Ok(())
    }

    fn space(&mut self, code: u8, count: i32) -> Completion {
        let l = i24(count);
        self.eof = EofState::None;
        self.cmd(&[0x11, code, l[0], l[1], l[2], 0], &[], 0)
    }

    /// MTFSF: SPACE(6) filemarks forward.
    pub fn fsf(&mut self, n: i32) -> Result<(), Errno> {
        self.writing = false;
        let c = self.space(1, n);
        let start = self.file;
        if c.is_good() {
            self.file = start + i64::from(n);
            self.block = 0;
            return Ok(());
        }
        let s = c.sense().expect("sense");
        let undone = s.information.unwrap_or(0);
        self.file = start + i64::from(n) - undone;
        self.block = 0;
        if s.key == SenseKey::BlankCheck {
            self.eof = EofState::Eod;
        }
        Err(Errno::Eio)
    }

    /// MTBSF: SPACE(6) filemarks backward; the tape ends before the mark, block unknown.
    pub fn bsf(&mut self, n: i32) -> Result<(), Errno> {
        self.flush_write()?;
        let c = self.space(1, -n);
        let start = self.file;
        if c.is_good() {
            self.file = start - i64::from(n);
            self.block = -1;
            return Ok(());
        }
        let s = c.sense().expect("sense");
        if s.eom && s.asc == Asc::BEGINNING_OF_PARTITION_MEDIUM_DETECTED {
            self.file = 0;
            self.block = 0;
        } else {
            self.file = -1;
            self.block = -1;
        }
        Err(Errno::Eio)
    }

    /// MTFSR: SPACE(6) blocks forward.
    pub fn fsr(&mut self, n: i32) -> Result<(), Errno> {
        self.writing = false;
        let c = self.space(0, n);
        if c.is_good() {
            if self.block >= 0 {
                self.block += i64::from(n);
            }
            return Ok(());
        }
        let s = c.sense().expect("sense");
        let undone = s.information.unwrap_or(0);
        if s.filemark {
            self.file += 1;
            self.block = 0;
            self.eof = EofState::Filemark;
        } else if s.key == SenseKey::BlankCheck {
            if self.block >= 0 {
                self.block += i64::from(n) - undone;
            }
            self.eof = EofState::Eod;
        }
        Err(Errno::Eio)
    }

    /// MTBSR: SPACE(6) blocks backward.
    pub fn bsr(&mut self, n: i32) -> Result<(), Errno> {
        self.writing = false;
        let c = self.space(0, -n);
        if c.is_good() {
            if self.block >= 0 {
                self.block -= i64::from(n);
            }
            return Ok(());
        }
        let s = c.sense().expect("sense");
        if s.filemark {
            self.file -= 1;
            self.block = -1;
        } else if s.eom {
            self.file = 0;
            self.block = 0;
        }
        Err(Errno::Eio)
    }

    /// MTEOD as st does it by default (fast-eod off): SPACE filemarks 0x7FFFFF, which ends
    /// with BLANK CHECK at EOD; the residue gives the file number.
    pub fn eod(&mut self) -> Result<(), Errno> {
        self.writing = false;
        match self.fsf(0x7f_ffff) {
            Ok(()) => panic!("spacing 0x7FFFFF filemarks succeeded"),
            Err(_) if self.eof == EofState::Eod => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// MTEOD with the fast-eod option: SPACE(6) code 011b (end of data); the file number
    /// is then unknown.
    pub fn eod_fast(&mut self) -> Result<(), Errno> {
        self.writing = false;
        let c = self.space(3, 0);
        if !c.is_good() {
            return Err(Errno::Eio);
        }
        self.file = -1;
        self.block = -1;
        self.eof = EofState::Eod;
        Ok(())
    }

    /// MTREW: REWIND (after writing, a filemark first).
    pub fn rewind(&mut self) -> Result<(), Errno> {
        self.flush_write()?;
        let c = self.cmd(&[0x01, 0, 0, 0, 0, 0], &[], 0);
        self.eof = EofState::None;
        if !c.is_good() {
            return Err(Errno::Eio);
        }
        self.file = 0;
        self.block = 0;
        Ok(())
    }

    /// MTIOCPOS (`mt tell`): READ POSITION short form with BT=1 (service action 01h);
    /// EINVAL when the drive says the position is unknown.
    pub fn tell(&mut self) -> Result<u32, Errno> {
        let c = self.expect_good(&[0x34, 1, 0, 0, 0, 0, 0, 0, 0, 0], &[], 20);
        assert_eq!(c.data.len(), 20);
        if c.data[0] & 0x04 != 0 {
            return Err(Errno::Einval);
        }
        let first = u32::from_be_bytes(c.data[4..8].try_into().unwrap());
        let last = u32::from_be_bytes(c.data[8..12].try_into().unwrap());
        assert_eq!(first, last, "nothing buffered: first = last location");
        assert_eq!(c.data[0] & 0x80 != 0, first == 0, "BOP flag iff block 0");
        Ok(first)
    }

    /// MTSEEK (`mt seek`): LOCATE(10) BT=1; afterwards st knows file and block only at 0.
    pub fn seek(&mut self, block: u32) -> Result<(), Errno> {
        self.flush_write()?;
        let b = block.to_be_bytes();
        let c = self.cmd(&[0x2b, 4, 0, b[0], b[1], b[2], b[3], 0, 0, 0], &[], 0);
        self.eof = EofState::None;
        if block == 0 && c.is_good() {
            self.file = 0;
            self.block = 0;
        } else {
            self.file = -1;
            self.block = -1;
        }
        if c.is_good() { Ok(()) } else { Err(Errno::Eio) }
    }

    /// MTERASE (`mt erase`): ERASE(6) with LONG=1, IMMED=0; st then counts from file 0,
    /// block 0 (it expects the tape at BOT).
    pub fn erase(&mut self) -> Result<(), Errno> {
        let c = self.cmd(&[0x19, 1, 0, 0, 0, 0], &[], 0);
        self.writing = false;
        self.eof = EofState::None;
        if !c.is_good() {
            return Err(
                if c.sense().is_some_and(|s| s.key == SenseKey::DataProtect) {
                    Errno::Eacces
                } else {
                    Errno::Eio
                },
            );
        }
        self.file = 0;
        self.block = 0;
        Ok(())
    }

    /// MTSETBLK: MODE SELECT(6) PF=1, header + one block descriptor with the current
    /// density and buffered mode.
    pub fn setblk(&mut self, n: u32) -> Result<(), Errno> {
        let l = u24(n);
        let p = [
            0,
            0,
            (self.drv_buffer & 7) << 4,
            8,
            self.density,
            0,
            0,
            0,
            0,
            l[0],
            l[1],
            l[2],
        ];
        let c = self.cmd(&[0x15, 0x10, 0, 0, 12, 0], &p, 0);
        if !c.is_good() {
            return Err(Errno::Eio);
        }
        self.block_size = n;
        Ok(())
    }

    /// MTCOMPRESSION: MODE SENSE(6) page 0x0F (DBD), flip DCE, MODE SELECT(6) PF=1. `None`
    /// when the drive has no page 0x0F.
    pub fn compression(&mut self, on: bool) -> Option<Result<(), Errno>> {
        let c = self.cmd(&[0x1a, 0x08, 0x0f, 0, 0xff, 0], &[], 255);
        if !c.is_good() {
            return None;
        }
        let mut d = c.data.clone();
        assert!(d.len() >= 4 + 16, "page 0x0F is 16 bytes");
        assert_eq!(d[3], 0, "DBD: no block descriptor");
        assert_eq!(d[4] & 0x3f, 0x0f);
        d[0] = 0;
        d[4] &= 0x7f; // PS is reserved in MODE SELECT
        if on {
            d[6] |= 0x80;
        } else {
            d[6] &= 0x7f;
        }
        let c = self.cmd(&[0x15, 0x10, 0, 0, d.len() as u8, 0], &d, 0);
        if !c.is_good() {
            eprintln!("st: MODE SELECT page 0x0F {d:02x?}: {:?}", c.sense());
        }
        Some(if c.is_good() { Ok(()) } else { Err(Errno::Eio) })
    }

    /// `mt status`: st's counters and status bits; the drive is asked (TEST UNIT READY,
    /// MODE SENSE(6) header, READ POSITION short form) and must agree with the counters
    /// where they are known: BOP iff st thinks file 0 block 0.
    pub fn status(&mut self) -> MtStatus {
        let online = self.cmd(&[0, 0, 0, 0, 0, 0], &[], 0).is_good();
        let mut partition = 0;
        if online {
            self.mode_sense_header().expect("MODE SENSE header");
            let c = self.expect_good(&[0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 20);
            partition = c.data[1];
            let bop = c.data[0] & 0x80 != 0;
            let known = self.file >= 0 && self.block >= 0;
            if known {
                assert_eq!(
                    bop,
                    self.file == 0 && self.block == 0,
                    "drive BOP flag vs st counters file {} block {}",
                    self.file,
                    self.block
                );
            }
        }
        MtStatus {
            file: self.file,
            block: self.block,
            partition,
            block_size: self.block_size,
            density: self.density,
            bot: online && self.file == 0 && self.block == 0,
            eof: self.eof == EofState::Filemark,
            eod: self.eof == EofState::Eod,
            eot: matches!(self.eof, EofState::EomOk | EofState::EomTrailer),
            wr_prot: online && self.write_prot,
            online,
        }
    }

    /// close(2): after writing, WRITE FILEMARKS 1; on a rewind device, REWIND.
    pub fn close(&mut self) -> Result<(), Errno> {
        self.flush_write()?;
        if self.rewind_device {
            self.rewind()?;
        }
        Ok(())
    }

    /// MTOFFL (`mt offline`): after writing a filemark, LOAD UNLOAD with LOAD=0.
    pub fn offline(&mut self) -> Result<(), Errno> {
        self.flush_write()?;
        let c = self.cmd(&[0x1b, 0, 0, 0, 0, 0], &[], 0);
        if !c.is_good() {
            return Err(Errno::Eio);
        }
        self.file = -1;
        self.block = -1;
        self.ready = false;
        Ok(())
    }
}
