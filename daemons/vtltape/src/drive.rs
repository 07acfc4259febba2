//! The drive: its configuration, the cartridge it holds, and the state SSC commands read
//! and change (block size mode, buffered mode, data compression, append-only mode, TapeAlert
//! flags, deferred errors, the pending "medium may have changed" condition).
//!
//! The commands themselves live in the modules named after them ([`crate::rw`],
//! [`crate::filemark`], [`crate::position`], [`crate::erase`], [`crate::capacity`],
//! [`crate::overwrite`], [`crate::limits`], [`crate::serial`], [`crate::loader`],
//! [`crate::attribute`]);
//! [`Drive::execute`] dispatches a parsed [`Command`] to them.

use std::path::PathBuf;

use libvtlcart::{CartError, Cartridge, Compression, MediumType};
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::cdb::Command;
use crate::counters::Counters;
use crate::error::cart_sense;
use crate::personality::{Media, MediaAccess, Personality};
use crate::tapealert::{TapeAlert, flag};
use crate::timestamp::DeviceClock;

/// The compression algorithm a drive uses for new blocks (device.conf `Compression type:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionAlgorithm {
    /// LZO1X-1.
    Lzo,
    /// zlib at [`CompressionConfig::level`].
    Zlib,
}

/// Compression settings from device.conf (spec 3.1): `Compression: factor X enabled Y` and
/// `Compression type: lzo|zlib`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompressionConfig {
    /// `Compression type:`; `None` when the key is absent (blocks are stored uncompressed).
    pub algorithm: Option<CompressionAlgorithm>,
    /// `factor X`: zlib level 1..=9 (values outside are clamped).
    pub level: u32,
    /// `enabled Y`: the power-on value of data compression (mode page 0x0F DCE).
    pub enabled: bool,
}

impl Default for CompressionConfig {
    /// LZO, level 1, enabled (what mhvtl's generated device.conf says).
    fn default() -> Self {
        CompressionConfig {
            algorithm: Some(CompressionAlgorithm::Lzo),
            level: 1,
            enabled: true,
        }
    }
}

/// What a drive is configured with (device.conf `Drive:` stanza, spec 3.1).
#[derive(Debug, Clone, Default)]
pub struct DriveConfig {
    /// INQUIRY vendor identification (up to 8 characters).
    pub vendor: String,
    /// INQUIRY product identification (up to 16 characters); selects the personality.
    pub product: String,
    /// INQUIRY product revision level (up to 4 characters).
    pub revision: String,
    /// Unit serial number (VPD 0x80).
    pub serial: String,
    /// NAA identifier (VPD 0x83), 8 bytes.
    pub naa: Option<[u8; 8]>,
    /// Data compression settings.
    pub compression: CompressionConfig,
    /// Where cartridges are found by barcode (the library's `Home directory:`).
    pub media_home: Option<PathBuf>,
    /// Logical unit number.
    pub lun: u64,
    /// Byte order of the Reed-Solomon logical block protection CRC (device.conf
    /// `LBP RSCRC BE: 1|0`, vtl-config's `DriveConf::lbp_rscrc_be` through
    /// [`crate::lbp::RsCrcOrder::from_device_conf`]; default big-endian).
    pub lbp_rscrc_order: crate::lbp::RsCrcOrder,
}

/// Which writes the ALLOW OVERWRITE command has allowed in append-only mode (SSC-5 4.2.24).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Allowance {
    /// Only appends (writes at EOD).
    #[default]
    None,
    /// One overwrite at (partition, logical object identifier).
    At(u32, u32),
}

/// A threaded cartridge.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub cart: Cartridge,
    pub barcode: String,
    pub dir: PathBuf,
    /// The personality allows reading only (older generation).
    pub read_only_format: bool,
    pub cleaning: bool,
    pub worm: bool,
    pub media: Option<Media>,
}

/// What is in the drive.
#[derive(Debug, Default)]
pub(crate) enum Slot {
    /// Nothing.
    #[default]
    Empty,
    /// A cartridge in the drive's mouth, not threaded: unloaded by UNLOAD (`hold`: HOLD bit
    /// set) or refused at load (`refused` holds the sense TEST UNIT READY reports).
    Mouth {
        dir: PathBuf,
        barcode: String,
        hold: bool,
        refused: Option<Sense>,
    },
    /// Threaded and ready.
    Loaded(Box<Loaded>),
}

/// An SSC tape drive over at most one libvtlcart [`Cartridge`].
///
/// Every command function takes its typed CDB (from [`crate::cdb`]), the data-out bytes
/// where the command has some, and a data-in buffer (cleared by the caller) and returns
/// `Ok(())` for GOOD or the CHECK CONDITION it ends with. Data-in can be non-empty with an
/// error (READ with ILI returns the block and the residue).
#[derive(Debug)]
pub struct Drive {
    pub(crate) pers: &'static Personality,
    pub(crate) config: DriveConfig,
    pub(crate) slot: Slot,
    /// Current fixed block length in bytes; 0 = variable block mode (MODE SELECT block
    /// descriptor, SSC-5 8.3.2).
    pub(crate) block_size: u32,
    /// BUFFERED MODE field of the mode parameter header (0 = unbuffered).
    pub(crate) buffered_mode: u8,
    /// DCE of mode page 0x0F.
    pub(crate) compression_enabled: bool,
    /// Append-only mode (vtlcmd `Append Only Yes|No`; SSC-5 4.2.24).
    pub(crate) append_only: bool,
    pub(crate) allowance: Allowance,
    /// ALLOW OVERWRITE = format: FORMAT MEDIUM / SET CAPACITY allowed in append-only mode.
    pub(crate) allow_format: bool,
    pub(crate) tape_alert: TapeAlert,
    /// A deferred error to report on the next command (SSC-5 4.2.17, SPC-5 4.4.4).
    pub(crate) deferred: Option<Sense>,
    /// Objects acknowledged but not yet made durable (a failure writing them out is a
    /// deferred error).
    pub(crate) unsynced: bool,
    /// False after an error that left the position unknown; READ POSITION then reports it.
    pub(crate) position_valid: bool,
    /// A cartridge became ready: the integration turns this into UNIT ATTENTION 28/00 for
    /// every I_T nexus.
    pub(crate) medium_changed: bool,
    /// A cleaning cartridge was loaded: UNIT ATTENTION 30/03 to report once.
    pub(crate) cleaning_loaded: bool,
    /// PREVENT ALLOW MEDIUM REMOVAL state.
    pub(crate) prevent_removal: bool,
    pub(crate) scratch: Vec<u8>,
    /// Data-path statistics for the log pages.
    pub(crate) counters: Counters,
    /// REPORT TIMESTAMP / SET TIMESTAMP clock.
    pub(crate) clock: DeviceClock,
    /// Partitioning asked for by MODE SELECT page 0x11, applied by FORMAT MEDIUM.
    pub(crate) pending_partitions: Option<crate::partitioning::Pending>,
    /// Programmable early warning state (page 0x10/0x01 PEWS).
    pub(crate) pew: crate::early_warning::ProgrammableEarlyWarning,
    /// Logical block protection (mode page 0x0A/0xF0).
    pub(crate) lbp: crate::lbp::Settings,
    /// Data encryption parameters (SECURITY PROTOCOL OUT).
    pub(crate) crypto: crate::encryption::Parameters,
    /// Results of the self-tests SEND DIAGNOSTIC ran (log page 0x10).
    pub(crate) self_tests: crate::self_test::SelfTestLog,
}

impl Drive {
    /// A drive with no cartridge, its personality chosen from `config.product`, variable
    /// block mode, buffered mode 1, compression as configured, append-only mode off.
    pub fn new(config: DriveConfig) -> Drive {
        let pers = Personality::for_product(&config.product);
        Drive {
            pers,
            compression_enabled: config.compression.enabled
                && config.compression.algorithm.is_some(),
            config,
            slot: Slot::Empty,
            block_size: 0,
            buffered_mode: 1,
            append_only: false,
            allowance: Allowance::None,
            allow_format: false,
            tape_alert: TapeAlert::default(),
            deferred: None,
            unsynced: false,
            position_valid: true,
            medium_changed: false,
            cleaning_loaded: false,
            prevent_removal: false,
            scratch: Vec::new(),
            counters: Counters::default(),
            clock: DeviceClock::default(),
            pending_partitions: None,
            pew: Default::default(),
            lbp: crate::lbp::Settings::default(),
            crypto: crate::encryption::Parameters::default(),
            self_tests: crate::self_test::SelfTestLog::default(),
        }
    }

    /// The personality in force.
    pub fn personality(&self) -> &'static Personality {
        self.pers
    }

    /// The configuration the drive was made with.
    pub fn config(&self) -> &DriveConfig {
        &self.config
    }

    /// INQUIRY PRODUCT REVISION LEVEL: the configured revision, or the personality's
    /// default when the configuration gives none.
    pub fn revision(&self) -> &str {
        if self.config.revision.is_empty() {
            self.pers.default_revision
        } else {
            &self.config.revision
        }
    }

    /// The self-test results (log page 0x10).
    pub fn self_tests(&self) -> &crate::self_test::SelfTestLog {
        &self.self_tests
    }

    /// Execute one SSC data-path command: a pending deferred error is reported first (and
    /// the command not executed, SPC-5 4.4.4), then the command runs.
    pub fn execute(
        &mut self,
        cmd: &Command<'_>,
        data_out: &[u8],
        data_in: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        if let Some(s) = self.deferred.take() {
            return Err(ScsiError::Check(s));
        }
        let r = match *cmd {
            Command::Rewind(c) => self.rewind(c),
            Command::ReadBlockLimits(c) => self.read_block_limits(c, data_in),
            Command::Read6(c) => self.read6(c, data_in),
            Command::Write6(c) => self.write6(c, data_out),
            Command::SetCapacity(c) => self.set_capacity(c),
            Command::WriteFilemarks6(c) => self.write_filemarks6(c),
            Command::Space6(c, code) => self.space(code, c.count()),
            Command::Space16(c, code) => self.space(code, c.count()),
            Command::Verify6(c) => self.verify6(c, data_out),
            Command::Erase6(c) => self.erase6(c),
            Command::LoadUnload(c) => self.load_unload(c),
            Command::Locate10(c) => self.locate10(c),
            Command::Locate16(c) => self.locate16(c),
            Command::ReadPosition(c) => self.read_position(c, data_in),
            Command::AllowOverwrite(c) => self.allow_overwrite(c),
            Command::ReadMediaSerialNumber(c) => self.read_media_serial_number(c, data_in),
            Command::ReportDensitySupport(c) => self.report_density_support(c, data_in),
            Command::ReportTimestamp(c) => self.report_timestamp(c, data_in),
            Command::SetTimestamp(c) => self.set_timestamp(c, data_out),
            Command::ReadAttribute(c) => self.read_attribute(c, data_in),
            Command::WriteAttribute(c) => self.write_attribute(c, data_out),
            Command::FormatMedium(c) => self.format_medium(c),
        };
        if let Command::Read6(_) = cmd {
            self.counters.host_read(data_in.len() as u64);
        }
        r
    }

    // ------------------------------------------------------------------ state accessors

    /// Current block length: 0 = variable block mode, else the fixed block length in bytes.
    pub fn block_size(&self) -> u32 {
        self.block_size
    }

    /// Set the block length (MODE SELECT block descriptor): 0 selects variable mode; a fixed
    /// length must lie within the personality's READ BLOCK LIMITS and be a multiple of
    /// 2^granularity.
    ///
    /// Errors: `Err(())` when the length is outside the limits (the caller reports INVALID
    /// FIELD IN PARAMETER LIST at the block length bytes).
    #[allow(clippy::result_unit_err)]
    pub fn set_block_size(&mut self, len: u32) -> Result<(), ()> {
        if len != 0 && !self.block_size_valid(len) {
            return Err(());
        }
        self.block_size = len;
        Ok(())
    }

    /// BUFFERED MODE (mode parameter header, 0..=7; 0 = unbuffered).
    pub fn buffered_mode(&self) -> u8 {
        self.buffered_mode
    }

    /// Set BUFFERED MODE (values above 7 are masked to 3 bits).
    pub fn set_buffered_mode(&mut self, mode: u8) {
        self.buffered_mode = mode & 7;
    }

    /// Data compression enabled (mode page 0x0F DCE).
    pub fn compression_enabled(&self) -> bool {
        self.compression_enabled
    }

    /// Set DCE. Compression stays off when the drive has no compression algorithm or the
    /// personality has no compression.
    pub fn set_compression_enabled(&mut self, on: bool) {
        self.compression_enabled = on;
    }

    /// Change the compression algorithm (vtlcmd `compression zlib|lzo`).
    pub fn set_compression_algorithm(&mut self, alg: CompressionAlgorithm) {
        self.config.compression.algorithm = Some(alg);
    }

    /// Append-only mode (vtlcmd `Append Only Yes|No`).
    pub fn append_only(&self) -> bool {
        self.append_only
    }

    /// Enter or leave append-only mode; leaving it drops any ALLOW OVERWRITE allowance.
    /// Only personalities with append-only support enter it (returns whether it is on).
    pub fn set_append_only(&mut self, on: bool) -> bool {
        self.append_only = on && self.pers.append_only;
        self.allowance = Allowance::None;
        self.allow_format = false;
        self.append_only
    }

    /// The TapeAlert flags (flag n in bit n − 1).
    pub fn tape_alert(&self) -> u64 {
        self.tape_alert.bits()
    }

    /// Replace the TapeAlert flags (vtlcmd `TapeAlert <hex64>`).
    pub fn set_tape_alert(&mut self, bits: u64) {
        self.tape_alert.set_bits(bits);
    }

    /// Clear the TapeAlert flags.
    pub fn clear_tape_alert(&mut self) {
        self.tape_alert.clear();
    }

    /// Read and clear the TapeAlert flags (log page 0x2E).
    pub fn take_tape_alert(&mut self) -> u64 {
        self.tape_alert.take()
    }

    /// The deferred error waiting to be reported, if any, removed (REQUEST SENSE returns it).
    pub fn take_deferred(&mut self) -> Option<Sense> {
        self.deferred.take()
    }

    /// Whether a cartridge became ready since the last call (cleared by this call): the
    /// integration raises UNIT ATTENTION NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED
    /// (0x28/0x00) for every I_T nexus.
    pub fn take_medium_changed(&mut self) -> bool {
        std::mem::take(&mut self.medium_changed)
    }

    /// Whether a cleaning cartridge was loaded since the last call (cleared): UNIT ATTENTION
    /// CLEANING CARTRIDGE INSTALLED (0x30/0x03).
    pub fn take_cleaning_loaded(&mut self) -> bool {
        std::mem::take(&mut self.cleaning_loaded)
    }

    /// PREVENT ALLOW MEDIUM REMOVAL: while set, UNLOAD is refused (0x53/0x02).
    pub fn set_prevent_removal(&mut self, prevent: bool) {
        self.prevent_removal = prevent;
    }

    /// Whether medium removal is prevented.
    pub fn prevent_removal(&self) -> bool {
        self.prevent_removal
    }

    /// Whether the loaded medium is write protected as MODE SENSE reports it (WP bit): the
    /// MAM flag, a read-only open, a cleaning cartridge or a generation this drive only reads.
    pub fn write_protected(&self) -> bool {
        match &self.slot {
            Slot::Loaded(l) => l.cart.is_write_protected() || l.read_only_format || l.cleaning,
            _ => false,
        }
    }

    /// The loaded medium's density code (MAM MediumDensityCode), for the MODE SENSE block
    /// descriptor.
    pub fn density_code(&self) -> Option<u8> {
        match &self.slot {
            Slot::Loaded(l) => Some(l.cart.mam().base.medium_density_code),
            _ => None,
        }
    }

    /// The loaded medium as the personality identified it.
    pub fn media(&self) -> Option<&Media> {
        match &self.slot {
            Slot::Loaded(l) => l.media.as_ref(),
            _ => None,
        }
    }

    /// The loaded cartridge (read-only access, for MODE/LOG SENSE pages and tests).
    pub fn cartridge(&self) -> Option<&Cartridge> {
        match &self.slot {
            Slot::Loaded(l) => Some(&l.cart),
            _ => None,
        }
    }

    /// The condition TEST UNIT READY reports: `Ok` when a cartridge is threaded, else NOT
    /// READY with MEDIUM NOT PRESENT (3A/00), INITIALIZING COMMAND REQUIRED (04/02, unloaded
    /// with HOLD) or the refusal sense of a cartridge left in the mouth.
    pub fn ready(&self) -> Result<(), ScsiError> {
        match &self.slot {
            Slot::Loaded(_) => Ok(()),
            Slot::Empty => Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT)),
            Slot::Mouth {
                refused: Some(s), ..
            } => Err(ScsiError::Check(*s)),
            Slot::Mouth { hold: true, .. } => {
                Err(ScsiError::not_ready(Asc::INITIALIZING_COMMAND_REQUIRED))
            }
            Slot::Mouth { .. } => Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT)),
        }
    }

    // ------------------------------------------------------------------ helpers

    /// The threaded cartridge, else the NOT READY condition of [`Drive::ready`].
    pub(crate) fn loaded(&mut self) -> Result<&mut Loaded, ScsiError> {
        self.ready()?;
        match &mut self.slot {
            Slot::Loaded(l) => Ok(l),
            _ => Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT)),
        }
    }

    /// The threaded cartridge for a command that moves or transfers data: a cleaning
    /// cartridge answers NOT READY / CLEANING CARTRIDGE INSTALLED (0x02/0x30/0x03), as IBM
    /// and HP LTO drives do, and raises TapeAlert 0x0B.
    pub(crate) fn data_medium(&mut self) -> Result<&mut Loaded, ScsiError> {
        let cleaning = self.loaded()?.cleaning;
        if cleaning {
            self.tape_alert.raise(flag::CLEANING_MEDIA);
            return Err(ScsiError::not_ready(Asc::CLEANING_CARTRIDGE_INSTALLED));
        }
        self.loaded()
    }

    /// Bytes left before early warning in the current partition are fewer than the
    /// personality's early-warning distance.
    pub(crate) fn past_early_warning(&self) -> bool {
        match &self.slot {
            Slot::Loaded(l) => {
                let part = l.cart.position().partition;
                remaining_in(&l.cart, part) < self.pers.early_warning(l.cart.capacity(part))
            }
            _ => false,
        }
    }

    /// Whether the current *position* lies past early warning (READ POSITION's EOP bit,
    /// SSC-5 7.7: the position is between early warning and the end of the partition):
    /// [`Drive::remaining_at_position`] is below the personality's early-warning distance. At
    /// EOD this is [`Drive::past_early_warning`]; a tape rewound from past early warning is
    /// not past it at BOP.
    pub(crate) fn position_past_early_warning(&self) -> bool {
        match (&self.slot, self.remaining_at_position()) {
            (Slot::Loaded(l), Some(left)) => {
                let part = l.cart.position().partition;
                left < self.pers.early_warning(l.cart.capacity(part))
            }
            _ => false,
        }
    }

    /// Bytes the host could still write in the current partition had its data ended at the
    /// current position: the capacity less the stored bytes of the objects before the
    /// position and [`OBJECT_OVERHEAD_BYTES`] for each of them (at EOD: [`remaining_in`]).
    /// What early warning means for a position before EOD. `None` without a cartridge; an
    /// index record that cannot be read counts as EOD.
    pub fn remaining_at_position(&self) -> Option<u64> {
        let Slot::Loaded(l) = &self.slot else {
            return None;
        };
        let pos = l.cart.position();
        if pos.eod {
            return Some(remaining_in(&l.cart, pos.partition));
        }
        let Ok(r) = l.cart.record(pos.partition, pos.block) else {
            return Some(remaining_in(&l.cart, pos.partition));
        };
        let objects = u64::from(pos.block).saturating_mul(OBJECT_OVERHEAD_BYTES);
        Some(
            l.cart
                .capacity(pos.partition)
                .saturating_sub(r.offset())
                .saturating_sub(objects),
        )
    }

    /// Bytes the host can still write in partition `part` of the loaded cartridge (see
    /// [`remaining_in`]); `None` without a cartridge.
    pub fn remaining(&self, part: u32) -> Option<u64> {
        match &self.slot {
            Slot::Loaded(l) => Some(remaining_in(&l.cart, part)),
            _ => None,
        }
    }

    /// Refuse a write of `objects` logical objects needing `bytes` of capacity (stored
    /// bytes, at most the uncompressed length) plus their index records when they do not
    /// fit in the current partition: VOLUME OVERFLOW, nothing written (the caller adds the
    /// residue). Data blocks (`bytes > 0`) must also leave [`FILEMARK_RESERVE_BYTES`], so
    /// that the filemarks a host writes after VOLUME OVERFLOW still fit.
    pub(crate) fn check_fits(&mut self, objects: u64, bytes: u64) -> Result<(), ScsiError> {
        let Slot::Loaded(l) = &self.slot else {
            return Ok(());
        };
        let part = l.cart.position().partition;
        let remaining = remaining_in(&l.cart, part);
        let reserve = if bytes > 0 { FILEMARK_RESERVE_BYTES } else { 0 };
        let needed = bytes
            .saturating_add(objects.saturating_mul(OBJECT_OVERHEAD_BYTES))
            .saturating_add(reserve);
        if needed > remaining {
            let e = CartError::EndOfMedium {
                partition: part,
                needed,
                remaining,
            };
            return Err(self.write_error(&e));
        }
        Ok(())
    }

    /// The compression for new blocks: the configured algorithm when DCE is on and the
    /// personality compresses, else none.
    pub(crate) fn compression(&self) -> Compression {
        if !self.compression_enabled || !self.pers.compression {
            return Compression::None;
        }
        match self.config.compression.algorithm {
            Some(CompressionAlgorithm::Lzo) => Compression::Lzo,
            Some(CompressionAlgorithm::Zlib) => {
                Compression::Zlib(self.config.compression.level.clamp(1, 9))
            }
            None => Compression::None,
        }
    }

    /// Check that a write of any kind may happen at the current position (used by WRITE,
    /// WRITE FILEMARKS, ERASE; SSC-5 4.2.9 write
    /// protection, 4.2.23 WORM, 4.2.24 append-only mode):
    ///
    /// * a generation the personality only reads: DATA PROTECT / CANNOT WRITE MEDIUM -
    ///   INCOMPATIBLE FORMAT (0x07/0x30/0x05);
    /// * write protected (MAM flag, read-only open): DATA PROTECT / WRITE PROTECTED
    ///   (0x07/0x27/0x00), TapeAlert 0x09;
    /// * WORM medium not at EOD (nor the one-filemark label case, spec 1.14): DATA PROTECT /
    ///   WORM MEDIUM - OVERWRITE ATTEMPTED (0x07/0x30/0x0C), TapeAlert 0x3C;
    /// * append-only mode not at EOD and no ALLOW OVERWRITE for this position: DATA PROTECT /
    ///   OPERATOR SELECTED WRITE PROTECT (0x07/0x5A/0x02).
    pub fn check_write_here(&mut self) -> Result<(), ScsiError> {
        let append_only = self.append_only;
        let allowance = self.allowance;
        let l = self.data_medium()?;
        let pos = l.cart.position();
        let data_protect = |asc| ScsiError::Check(Sense::new(SenseKey::DataProtect, asc));
        if l.read_only_format {
            return Err(data_protect(Asc::CANNOT_WRITE_MEDIUM_INCOMPATIBLE_FORMAT));
        }
        if l.cart.is_write_protected() {
            self.tape_alert.raise(flag::WRITE_PROTECT);
            return Err(data_protect(Asc::WRITE_PROTECTED));
        }
        if l.worm && !pos.eod {
            let label_case = l
                .cart
                .partition(pos.partition)
                .is_some_and(|p| pos.block == 0 && p.eod() == 1 && p.filemarks() == [0]);
            if !label_case {
                self.tape_alert.raise(flag::WORM_OVERWRITE_ATTEMPTED);
                return Err(data_protect(WORM_OVERWRITE_ATTEMPTED));
            }
        }
        if append_only && !pos.eod && allowance != Allowance::At(pos.partition, pos.block) {
            return Err(data_protect(OPERATOR_SELECTED_WRITE_PROTECT));
        }
        Ok(())
    }

    /// The sense for a media error met by a write-side operation: a deferred error
    /// (response code 0x71) when objects acknowledged earlier were still buffered, and the
    /// position marked valid again (libvtlcart left it at the new EOD). Raises TapeAlert
    /// 0x06 for I/O errors.
    pub(crate) fn write_error(&mut self, e: &CartError) -> ScsiError {
        let mut s = cart_sense(e);
        if matches!(e, CartError::Io { .. }) {
            self.counters.write_error();
            self.tape_alert.raise(flag::WRITE_FAILURE);
            if self.unsynced {
                s = s.deferred();
            }
            self.unsynced = false;
        }
        ScsiError::Check(s)
    }

    /// For commands with IMMED set: the work is done synchronously, but an error met while
    /// doing it is reported as a deferred error on the next command (SSC-5 4.2.17) and the
    /// command returns GOOD. What is found while validating the command — ILLEGAL REQUEST
    /// (its CDB or parameters), NOT READY, DATA PROTECT, UNIT ATTENTION — is reported at
    /// once: status is returned only after the CDB has been validated, and a deferred
    /// error's field pointer would point into a CDB the initiator no longer sees.
    pub(crate) fn immed(&mut self, immed: bool, r: Result<(), ScsiError>) -> Result<(), ScsiError> {
        let found_validating = |e: &ScsiError| {
            e.sense().is_none_or(|s| {
                matches!(
                    s.key,
                    SenseKey::IllegalRequest
                        | SenseKey::NotReady
                        | SenseKey::DataProtect
                        | SenseKey::UnitAttention
                )
            })
        };
        match r {
            Err(e) if immed && !found_validating(&e) => {
                if let Some(s) = e.sense() {
                    self.deferred = Some(s.deferred());
                }
                Ok(())
            }
            r => r,
        }
    }

    /// Flush buffered objects to the medium (a synchronization point: REWIND, UNLOAD, WRITE
    /// FILEMARKS 0). Errors are deferred errors when acknowledged objects were lost.
    pub(crate) fn sync(&mut self) -> Result<(), ScsiError> {
        let Slot::Loaded(l) = &mut self.slot else {
            return Ok(());
        };
        match l.cart.flush() {
            Ok(()) => {
                self.unsynced = false;
                Ok(())
            }
            Err(e) => Err(self.write_error(&e)),
        }
    }

    /// Identify `mam` and decide how this drive treats it.
    pub(crate) fn judge_media(
        &self,
        mam: &libvtlcart::Mam,
    ) -> (Option<Media>, Result<MediaAccess, &'static str>) {
        let media = Media::identify(mam);
        let medium_type = mam.medium_type();
        if medium_type == MediumType::Worm && !self.pers.worm {
            return (media, Err("WORM media need a drive with WORM support"));
        }
        let access = match &media {
            Some(m) => self.pers.media_access(m),
            None => self.pers.unidentified_media_access(medium_type),
        };
        match access {
            MediaAccess::Refused => (media, Err("media type not supported by this drive")),
            a => (media, Ok(a)),
        }
    }
}

/// DATA PROTECT ASC/ASCQ for a WORM overwrite attempt (SPC-5 table 52: 0x30/0x0C).
pub const WORM_OVERWRITE_ATTEMPTED: Asc = Asc(0x30, 0x0c);
/// DATA PROTECT ASC/ASCQ for a write refused by append-only mode (0x5A/0x02 OPERATOR
/// SELECTED WRITE PROTECT, as IBM LTO drives report it).
pub const OPERATOR_SELECTED_WRITE_PROTECT: Asc = Asc(0x5a, 0x02);
/// ILLEGAL REQUEST ASC/ASCQ for ALLOW OVERWRITE outside append-only mode (0x20/0x0C).
pub const ILLEGAL_COMMAND_NOT_IN_APPEND_ONLY_MODE: Asc = Asc(0x20, 0x0c);
/// ILLEGAL REQUEST ASC/ASCQ for SET CAPACITY away from BOP 0 (0x3B/0x0C POSITION PAST
/// BEGINNING OF MEDIUM).
pub const POSITION_PAST_BEGINNING_OF_MEDIUM: Asc = Asc(0x3b, 0x0c);
/// ABORTED COMMAND ASC/ASCQ for a data-out buffer shorter than the transfer length
/// (0x4B/0x00 DATA PHASE ERROR).
pub const DATA_PHASE_ERROR: Asc = Asc(0x4b, 0x00);

/// Capacity each logical object (data block or filemark) takes besides its stored bytes:
/// its 512-byte index record. Counting it keeps a host from growing a cartridge's files far
/// past its capacity with filemarks or tiny blocks (libvtlcart counts only data bytes), and
/// makes early warning and end of medium honest about the space the cartridge really uses.
pub const OBJECT_OVERHEAD_BYTES: u64 = libvtlcart::index::RECORD_SIZE as u64;

/// Capacity kept free when data blocks are written: room for 16 filemarks, so that a host
/// that met VOLUME OVERFLOW can still close its file (as a drive's physical end lies past
/// the point where it stops accepting data).
pub const FILEMARK_RESERVE_BYTES: u64 = 16 * OBJECT_OVERHEAD_BYTES;

/// Bytes the host can still write in partition `part` of `cart`: the cartridge's remaining
/// data capacity ([`Cartridge::remaining`]) less [`OBJECT_OVERHEAD_BYTES`] for every logical
/// object already in the partition. Early warning, VOLUME OVERFLOW and log page 0x31 use it.
pub fn remaining_in(cart: &Cartridge, part: u32) -> u64 {
    let objects = cart.partition(part).map_or(0, |p| u64::from(p.eod()));
    cart.remaining(part)
        .saturating_sub(objects.saturating_mul(OBJECT_OVERHEAD_BYTES))
}
