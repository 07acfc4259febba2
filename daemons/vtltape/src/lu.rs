//! The tape drive as a SCSI logical unit: [`TapeDrive`] joins the SPC core
//! ([`vtl_scsi::spc::Spc`]: INQUIRY, MODE/LOG SENSE and SELECT, REQUEST SENSE, unit
//! attentions, reservations, PREVENT ALLOW MEDIUM REMOVAL, ...) and the SSC data path
//! ([`Drive`]).
//!
//! Each command goes through admission (unit attention, reservations), then the SPC core,
//! then [`Command::parse`] and [`Drive::execute`] for the SSC op codes; any other op code is
//! ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE. A cartridge becoming ready raises UNIT
//! ATTENTION NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED (28/00) for every I_T nexus
//! (except the one whose LOAD command caused it), a cleaning cartridge also CLEANING
//! CARTRIDGE INSTALLED (30/03).
//!
//! The [`Drive`] is the [`SpcDevice`]: TEST UNIT READY reports its NOT READY conditions;
//! the mode parameter header carries the personality's MEDIUM TYPE and WP (0x80) | BUFFERED
//! MODE (bits 6..4); the block descriptor the medium's density code and the current block
//! length (0 = variable); MODE SELECT sets the block length (0 or within READ BLOCK LIMITS)
//! and BUFFERED MODE and accepts density 0 or the loaded medium's density.
//!
//! The personality's mode pages come from [`mode_pages`] (registered at power on; the
//! drive-maintained fields — data compression, active partition — are written into them
//! before and after every command, and a reset that restores saved values sets the drive's
//! compression from them), its log pages from [`log_pages`] (LOG SELECT resets through
//! [`Drive::reset_log`]) and its VPD pages from [`vpd_pages`]. A load resets the per-load
//! counters ([`crate::counters::Counters::new_load`]).

use std::path::Path;

use vtl_scsi::diagnostic::SelfTest;
use vtl_scsi::inquiry::{Identity, PDT_SEQUENTIAL};
use vtl_scsi::log::LogParameter;
use vtl_scsi::mode::{BlockDescriptor, ModeHeader, ModeSelect};
use vtl_scsi::opcodes::{CommandClass, OpcodeInfo};
use vtl_scsi::spc::{Spc, SpcConfig, SpcDevice};
use vtl_scsi::{Asc, LogicalUnit, Nexus, Reply, Request, ResetEvent, Result, ScsiError};

use crate::cdb::Command;
use crate::drive::{Drive, DriveConfig};
use crate::error::DriveError;
use crate::security_protocol::{SECURITY_PROTOCOL_IN, SECURITY_PROTOCOL_OUT};
use crate::{log_pages, mode_pages, vpd_pages};

/// The SSC commands' entries for REPORT SUPPORTED OPERATION CODES and the reservation
/// checks: CDB usage data (SSC-5 clause 7 layouts), class, timeouts in seconds.
pub fn ssc_opcodes() -> Vec<OpcodeInfo> {
    use CommandClass::{Read, Write};
    let mut v = vec![
        OpcodeInfo::new("REWIND", &[0x01, 0x01, 0, 0, 0, 0]).class(Read),
        OpcodeInfo::new("READ BLOCK LIMITS", &[0x05, 0x01, 0, 0, 0, 0]).class(Read),
        OpcodeInfo::new("READ(6)", &[0x08, 0x03, 0xff, 0xff, 0xff, 0]).class(Read),
        OpcodeInfo::new("WRITE(6)", &[0x0a, 0x01, 0xff, 0xff, 0xff, 0]).class(Write),
        OpcodeInfo::new("SET CAPACITY", &[0x0b, 0x01, 0, 0xff, 0xff, 0]).class(Write),
        OpcodeInfo::new("WRITE FILEMARKS(6)", &[0x10, 0x03, 0xff, 0xff, 0xff, 0]).class(Write),
        OpcodeInfo::new("SPACE(6)", &[0x11, 0x0f, 0xff, 0xff, 0xff, 0]).class(Read),
        OpcodeInfo::new("VERIFY(6)", &[0x13, 0x3f, 0xff, 0xff, 0xff, 0]).class(Read),
        OpcodeInfo::new("ERASE(6)", &[0x19, 0x03, 0, 0, 0, 0]).class(Write),
        OpcodeInfo::new("LOAD UNLOAD", &[0x1b, 0x01, 0, 0, 0x0f, 0]).class(Write),
        OpcodeInfo::new("FORMAT MEDIUM", &[0x04, 0x03, 0x0f, 0, 0, 0]).class(Write),
        OpcodeInfo::new(
            "LOCATE(10)",
            &[0x2b, 0x07, 0, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0],
        )
        .class(Read),
        OpcodeInfo::new(
            "ALLOW OVERWRITE",
            &[
                0x82, 0, 0x0f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
            ],
        )
        .class(Write),
        OpcodeInfo::new(
            "SPACE(16)",
            &[
                0x91, 0x0f, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
            ],
        )
        .class(Read),
        OpcodeInfo::new(
            "LOCATE(16)",
            &[
                0x92, 0x3b, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
            ],
        )
        .class(Read),
        OpcodeInfo::new(
            "REPORT DENSITY SUPPORT",
            &[0x44, 0x03, 0, 0, 0, 0, 0, 0xff, 0xff, 0],
        )
        .class(Read),
        OpcodeInfo::new(
            "READ ATTRIBUTE",
            &[
                0x8c, 0x1f, 0, 0, 0, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0,
            ],
        )
        .class(Read),
        OpcodeInfo::new(
            "WRITE ATTRIBUTE",
            &[
                0x8d, 0x01, 0, 0, 0, 0xff, 0, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0,
            ],
        )
        .class(Write),
        OpcodeInfo::new(
            "REPORT TIMESTAMP",
            &[0xa3, 0x0f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0],
        )
        .sa(0x0f)
        .class(CommandClass::Allowed),
        OpcodeInfo::new(
            "SET TIMESTAMP",
            &[0xa4, 0x0f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0],
        )
        .sa(0x0f)
        .class(Write),
        OpcodeInfo::new(
            "READ MEDIA SERIAL NUMBER",
            &[0xab, 0x01, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0],
        )
        .sa(0x01)
        .class(Read),
    ];
    for sa in [0x00u8, 0x01, 0x06, 0x08] {
        let alloc = if sa == 0x08 { 0xff } else { 0 };
        v.push(
            OpcodeInfo::new("READ POSITION", &[0x34, sa, 0, 0, 0, 0, 0, alloc, alloc, 0])
                .sa(u16::from(sa))
                .class(Read),
        );
    }
    for e in &mut v {
        *e = match e.op {
            0x08 | 0x0a | 0x10 | 0x13 => e.timeouts(60, 1200),
            0x01 | 0x11 | 0x1b | 0x2b | 0x91 | 0x92 | 0x19 | 0x0b | 0x04 => e.timeouts(120, 3600),
            // MAM access: a file read, or a file replaced and synced.
            0x8c | 0x8d => e.timeouts(1, 60),
            _ => e.timeouts(1, 30),
        };
    }
    v
}

/// SECURITY PROTOCOL IN and OUT (SPC-5 6.40, 6.42) for the personalities with encryption
/// ([`crate::security_protocol`]): CDB usage data, IN reads device state, OUT changes it.
pub fn security_protocol_opcodes() -> Vec<OpcodeInfo> {
    vec![
        OpcodeInfo::new(
            "SECURITY PROTOCOL IN",
            &[
                0xa2, 0xff, 0xff, 0xff, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0, 0,
            ],
        )
        .class(CommandClass::Read)
        .timeouts(1, 30),
        OpcodeInfo::new(
            "SECURITY PROTOCOL OUT",
            &[
                0xb5, 0xff, 0xff, 0xff, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0, 0,
            ],
        )
        .class(CommandClass::Write)
        .timeouts(1, 30),
    ]
}

/// A tape drive logical unit (SPC + SSC).
#[derive(Debug)]
pub struct TapeDrive {
    spc: Spc,
    drive: Drive,
}

impl TapeDrive {
    /// A powered-on drive without a cartridge. INQUIRY data: peripheral type 1, removable,
    /// vendor / product / revision / serial from `config` (vendor and revision default to
    /// the personality's), the configured NAA or a derived one, the personality's version
    /// descriptors; persistent reservations as the personality says.
    pub fn new(config: DriveConfig) -> TapeDrive {
        let drive = Drive::new(config);
        let pers = drive.personality();
        let c = drive.config();
        let or = |s: &str, d: &'static str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        let mut id = Identity::new(
            PDT_SEQUENTIAL,
            &or(&c.vendor, pers.default_vendor),
            &c.product,
            drive.revision(),
            &c.serial,
        );
        if let Some(naa) = c.naa {
            id.naa = naa;
        }
        if !pers.version_descriptors.is_empty() {
            id.version_descriptors = pers.version_descriptors.to_vec();
        }
        let mut ops = ssc_opcodes();
        if pers.encryption {
            ops.extend(security_protocol_opcodes());
        }
        let mut sc = SpcConfig::new(id, ops);
        sc.persistent_reservations = pers.persistent_reservation;
        sc.lun = u16::try_from(c.lun).unwrap_or(u16::MAX);
        let mut spc = Spc::new(sc);
        mode_pages::register(spc.modes_mut(), &drive);
        mode_pages::sync_from_drive(spc.modes_mut(), &drive);
        TapeDrive { spc, drive }
    }

    /// The SSC drive (state, cartridge).
    pub fn drive(&self) -> &Drive {
        &self.drive
    }

    /// The SSC drive, mutable (vtlcmd settings: compression, append-only mode, TapeAlert).
    pub fn drive_mut(&mut self) -> &mut Drive {
        &mut self.drive
    }

    /// The SPC state (identity, mode pages, reservations).
    pub fn spc(&self) -> &Spc {
        &self.spc
    }

    /// The SPC state, mutable (vtlcmd InquiryDataChange, mode page registration).
    pub fn spc_mut(&mut self) -> &mut Spc {
        &mut self.spc
    }

    /// Load cartridge `pcl` from the media home ([`Drive::load_barcode`]) and raise the
    /// unit attentions of a medium change for every I_T nexus.
    pub fn load_barcode(&mut self, pcl: &str) -> std::result::Result<(), DriveError> {
        let r = self.drive.load_barcode(pcl);
        self.raise_unit_attentions(None);
        r
    }

    /// Load the cartridge in `dir` ([`Drive::load_dir`]), raising the unit attentions.
    pub fn load_dir(&mut self, dir: &Path) -> std::result::Result<(), DriveError> {
        let r = self.drive.load_dir(dir);
        self.raise_unit_attentions(None);
        r
    }

    /// Take the cartridge out ([`Drive::unload`]); refused while PREVENT ALLOW MEDIUM
    /// REMOVAL prevents removal.
    pub fn unload(&mut self) -> std::result::Result<Option<String>, DriveError> {
        self.drive.unload()
    }

    /// The barcode of the cartridge in the drive (loaded or in the mouth).
    pub fn cartridge_barcode(&self) -> Option<String> {
        self.drive.cartridge_barcode()
    }

    /// Whether a cartridge is threaded.
    pub fn is_loaded(&self) -> bool {
        self.drive.is_loaded()
    }

    fn raise_unit_attentions(&mut self, cause: Option<Nexus>) {
        let raise = |spc: &mut Spc, asc| match cause {
            Some(n) => spc.unit_attention_others(n, asc),
            None => spc.unit_attention_all(asc),
        };
        if self.drive.take_medium_changed() {
            self.drive.counters_mut().new_load();
            raise(&mut self.spc, Asc::NOT_READY_TO_READY_CHANGE);
        }
        if self.drive.take_cleaning_loaded() {
            raise(&mut self.spc, Asc::CLEANING_CARTRIDGE_INSTALLED);
        }
    }
}

impl TapeDrive {
    /// MODE SENSE(6)/(10) of page 00h, subpage 00h (vendor specific, SPC-5 7.5.1): the mode
    /// parameter header and the block descriptor without any page, what Linux st reads at
    /// open (allocation length 12) to learn density, block length, buffered mode and write
    /// protection. `None` for any other CDB (the SPC core answers it).
    fn mode_sense_page_zero(&self, cdb: &[u8], data_in: &mut Vec<u8>) -> Option<Result<()>> {
        let ten = match cdb.first()? {
            0x1a => false,
            0x5a => true,
            _ => return None,
        };
        if cdb.len() < 4 || cdb[2] & 0x3f != 0 || cdb[3] != 0 {
            return None;
        }
        // All pages of an empty table: the header and block descriptors only.
        let mut all = cdb.to_vec();
        all[2] |= 0x3f;
        Some(vtl_scsi::mode::mode_sense(
            &vtl_scsi::ModePages::default(),
            self.drive.mode_header(),
            &self.drive.block_descriptors(),
            &all,
            ten,
            data_in,
        ))
    }
}

impl LogicalUnit for TapeDrive {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        if let Err(e) = self.spc.admit(req) {
            return self.spc.complete(req.nexus, Err(e));
        }
        // The page table mirrors drive state (compression, active partition) that any
        // command or vtlcmd may have changed; only MODE SENSE and MODE SELECT read it, so it
        // is brought up to date for them alone, not around every READ and WRITE.
        if matches!(req.cdb.first(), Some(0x15 | 0x1a | 0x55 | 0x5a)) {
            mode_pages::sync_from_drive(self.spc.modes_mut(), &self.drive);
        }
        let page_zero = self.mode_sense_page_zero(req.cdb, data_in);
        let r = match page_zero.or_else(|| self.spc.execute(&mut self.drive, req, data_in)) {
            Some(r) => r,
            None => match req.cdb.first() {
                Some(&(SECURITY_PROTOCOL_IN | SECURITY_PROTOCOL_OUT))
                    if self.drive.personality().encryption =>
                {
                    let r = self.drive.security_protocol(req.cdb, req.data_out, data_in);
                    if r == Ok(true) {
                        self.spc.unit_attention_others(
                            req.nexus,
                            crate::encryption::PARAMETERS_CHANGED_BY_ANOTHER_I_T_NEXUS,
                        );
                    }
                    r.map(|_| ())
                }
                _ => Command::parse(req.cdb)
                    .and_then(|c| self.drive.execute(&c, req.data_out, data_in)),
            },
        };
        self.raise_unit_attentions(Some(req.nexus));
        self.spc.complete(req.nexus, r)
    }

    fn reset(&mut self, event: ResetEvent) {
        self.spc.reset(event);
        self.drive.set_prevent_removal(self.spc.removal_prevented());
        if !matches!(event, ResetEvent::NexusLoss(_)) {
            self.drive.encryption_reset();
            // Saved mode values were restored: the drive follows them.
            mode_pages::apply_to_drive(self.spc.modes(), &mut self.drive);
            mode_pages::sync_from_drive(self.spc.modes_mut(), &self.drive);
            self.drive.clock.reset();
        }
    }
}

impl SpcDevice for Drive {
    fn test_unit_ready(&mut self) -> Result<()> {
        if let Some(s) = self.take_deferred() {
            return Err(ScsiError::Check(s));
        }
        self.ready()
    }

    fn mode_header(&self) -> ModeHeader {
        let medium_type = self
            .media()
            .map_or(0, |m| self.personality().medium_type_code(m));
        let wp = if self.write_protected() { 0x80 } else { 0 };
        ModeHeader {
            medium_type,
            device_specific: wp | (self.buffered_mode() & 7) << 4,
        }
    }

    fn block_descriptors(&self) -> Vec<BlockDescriptor> {
        vec![BlockDescriptor {
            density: self.density_code().unwrap_or(0),
            blocks: 0,
            block_length: self.block_size(),
        }]
    }

    fn vpd_pages(&self) -> Vec<u8> {
        vpd_pages::offered(self.personality())
    }

    fn vpd_page(&mut self, page: u8) -> Option<Vec<u8>> {
        self.vpd_body(page)
    }

    fn log_pages(&self) -> Vec<(u8, u8)> {
        log_pages::offered(self.personality())
    }

    fn log_page(&mut self, page: u8, subpage: u8) -> Option<Vec<LogParameter>> {
        self.log_parameters(page, subpage)
    }

    fn log_page_read(&mut self, page: u8, subpage: u8, sent: &[u16]) {
        if (page, subpage) == (0x2e, 0) {
            self.tape_alert_read(sent);
        }
    }

    fn log_reset(&mut self, page: Option<(u8, u8)>) -> Result<()> {
        self.reset_log(page);
        Ok(())
    }

    fn mode_select(&mut self, sel: &ModeSelect) -> Result<()> {
        let compression = mode_pages::validate_select(self, sel)?;
        let partitions = crate::partitioning::from_mode_select(self, sel)?;
        let pews = crate::early_warning::from_mode_select(sel);
        let lbp = crate::lbp::validate_select(self, sel)?;
        crate::vendor_mode_pages::validate_select(self, sel)?;
        let mut block_size = self.block_size();
        for &(bd, off) in &sel.block_descriptors {
            if bd.density != 0 && self.density_code().is_some_and(|d| d != bd.density) {
                return Err(ScsiError::param(off, None, "density is not the medium's"));
            }
            if bd.block_length != 0 && !self.block_size_valid(bd.block_length) {
                return Err(ScsiError::param(
                    off + 5,
                    None,
                    "block length outside READ BLOCK LIMITS",
                ));
            }
            block_size = bd.block_length;
        }
        let _ = self.set_block_size(block_size);
        self.set_buffered_mode((sel.device_specific >> 4) & 7);
        self.set_compression_enabled(compression);
        if let Some(p) = partitions {
            self.pending_partitions = Some(p);
        }
        if let Some(mb) = pews.filter(|&mb| mb != self.programmable_early_warning_size()) {
            self.set_programmable_early_warning_size(mb);
        }
        self.lbp = lbp;
        Ok(())
    }

    fn medium_removal(&mut self, prevented: bool) -> Result<()> {
        self.set_prevent_removal(prevented);
        Ok(())
    }

    /// Every self-test passes (there is no hardware to test); the result goes to log page
    /// 0x10 ([`crate::self_test`]).
    fn self_test(&mut self, test: SelfTest) -> bool {
        self.self_tests.record(test, None);
        true
    }
}
