//! The medium changer logical unit: [`Library`] joins the SPC core ([`Spc`]: INQUIRY, VPD
//! 0x80/0x83, 0xC0 for vendor IBM, MODE SENSE/SELECT, LOG SENSE, REQUEST SENSE, unit attentions, reservations,
//! PREVENT ALLOW MEDIUM REMOVAL) and the SMC commands ([`Command`]) over the element
//! [`Inventory`] and the library's drives ([`DriveSlot`]).
//!
//! Each command goes through admission (unit attention, reservations), then, while the
//! library is offline (vtlcmd `offline`), NOT READY / LOGICAL UNIT NOT READY, OFFLINE
//! (02/04/12) for anything but INQUIRY, REPORT LUNS and REQUEST SENSE; then the SPC core,
//! then the SMC commands; any other op code is ILLEGAL REQUEST / INVALID COMMAND OPERATION
//! CODE.
//!
//! # Moves
//!
//! MOVE MEDIUM and EXCHANGE MEDIUM are transactions: a move into a drive loads the drive
//! first and changes the inventory only when the load succeeded; a move out of a drive
//! unloads the drive first (the library sends the unload itself when the host has not, as
//! libraries do; refused with 05/53/02 while the host prevents medium removal from the
//! drive); an exchange whose second half fails puts everything back. A refused cartridge
//! stays where it was, its files untouched. Every acknowledged change is written to the
//! [`Journal`] before GOOD is returned; when that write fails, the move is undone (drives
//! it loaded are unloaded, drives it unloaded loaded again, every element as before,
//! ImpExp and source addresses included) and the state file still holds the state before
//! it: a move happens entirely or not at all. (A cartridge loaded and unloaded again
//! keeps the load in its MAM load count, as a real one would.)
//!
//! Before a move changes anything, the configured `movecommand` is asked (module
//! [`crate::move_command`]; a refusal is HARDWARE ERROR / MECHANICAL POSITIONING ERROR,
//! 04/15/01, nothing moved) and the move is written to the status FIFO, if any (module
//! [`crate::status_fifo`]; also the state changes: Initialising and Idle at start, Online,
//! Offline, Opening MAP, Closing MAP).
//!
//! Errors (SMC-3 6.5, 6.3 and the ASC list of SPC-5 annex D), all ILLEGAL REQUEST with the
//! field pointer at the CDB's address field: an address that is no element (or a transport
//! address that is no medium transport element) → INVALID ELEMENT ADDRESS (21/01); empty
//! source → MEDIUM SOURCE ELEMENT EMPTY (3B/0E); full destination → MEDIUM DESTINATION
//! ELEMENT FULL (3B/0D); an import/export element while the MAP door is open (operator
//! access) → MEDIUM MAGAZINE NOT ACCESSIBLE (3B/11). Drive failures: see
//! [`crate::drive_slot`]. A journal write failure after a move: the move undone, then
//! HARDWARE ERROR / INTERNAL TARGET FAILURE (04/44/00).
//!
//! # Concurrency
//!
//! A `Library` is `Send` and serves one command at a time (`&mut self`): the transport
//! serializes the commands of a logical unit behind a mutex (e.g. `Arc<Mutex<InProcess<
//! Library>>>`), so a move is never interleaved with another command of the library. The
//! drives are locked (each behind its own mutex) only while the library loads or unloads
//! them; a drive never calls into the library, so there is no lock cycle.

use std::path::{Path, PathBuf};

use vtl_config::{Barcode, DeviceConf, LibraryConf, LibraryContents};
use vtl_scsi::cdb::truncate_to;
use vtl_scsi::inquiry::{Identity, PDT_MEDIUM_CHANGER, version_descriptor};
use vtl_scsi::log::LogParameter;
use vtl_scsi::opcodes::{CommandClass, OpcodeInfo};
use vtl_scsi::spc::{Spc, SpcConfig, SpcDevice};
use vtl_scsi::{Asc, LogicalUnit, Reply, Request, ResetEvent, Result, ScsiError, Sense, SenseKey};

use crate::cdb::{Command, ImportExportAction, ReadElementStatus};
use crate::drive_slot::DriveSlot;
use crate::element::{ElementRef, ElementType, Inventory, Medium, read_medium_type};
use crate::error::LibraryError;
use crate::journal::{Journal, SavedState};
use crate::move_command::{MECHANICAL_POSITIONING_ERROR, MoveCommand, MoveEnd, Refusal};
use crate::pages;
use crate::personality::{Personality, select};
use crate::status::{self, StatusRequest};
use crate::status_fifo::{State, StatusFifo, describe_move};

/// ILLEGAL REQUEST ASC/ASCQ for an import/export element the transport cannot reach
/// because the MAP door is open: MEDIUM MAGAZINE NOT ACCESSIBLE (3B/11).
pub const MEDIUM_MAGAZINE_NOT_ACCESSIBLE: Asc = Asc(0x3b, 0x11);

/// Defaults for INQUIRY fields device.conf leaves out.
pub mod defaults {
    /// Vendor identification.
    pub const VENDOR: &str = "STK";
    /// Product identification (an STK L700: addresses 1 / 10 / 500 / 1000).
    pub const PRODUCT: &str = "L700";
    /// Product revision level.
    pub const REVISION: &str = "0104";
}

/// The SMC commands' entries for REPORT SUPPORTED OPERATION CODES and the reservation
/// checks: CDB usage data (SMC-3 clause 6 layouts), class, timeouts in seconds.
pub fn smc_opcodes() -> Vec<OpcodeInfo> {
    use CommandClass::{Read, Write};
    let ff = 0xff;
    vec![
        OpcodeInfo::new("REZERO UNIT", &[0x01, 0, 0, 0, 0, 0])
            .class(Write)
            .timeouts(1, 30),
        OpcodeInfo::new("INITIALIZE ELEMENT STATUS", &[0x07, 0, 0, 0, 0, 0])
            .class(Write)
            .timeouts(60, 600),
        OpcodeInfo::new(
            "OPEN/CLOSE IMPORT/EXPORT ELEMENT",
            &[0x1b, 0, ff, ff, 0x1f, 0],
        )
        .class(Write)
        .timeouts(10, 60),
        OpcodeInfo::new(
            "POSITION TO ELEMENT",
            &[0x2b, 0, ff, ff, ff, ff, 0, 0, 0x01, 0],
        )
        .class(Write)
        .timeouts(10, 60),
        OpcodeInfo::new(
            "MOVE MEDIUM",
            &[0xa5, 0, ff, ff, ff, ff, ff, ff, 0, 0, 0x01, 0],
        )
        .class(Write)
        .timeouts(60, 600),
        OpcodeInfo::new(
            "EXCHANGE MEDIUM",
            &[0xa6, 0, ff, ff, ff, ff, ff, ff, ff, ff, 0x03, 0],
        )
        .class(Write)
        .timeouts(120, 1200),
        OpcodeInfo::new(
            "READ ELEMENT STATUS",
            &[0xb8, 0x1f, ff, ff, ff, ff, 0x03, ff, ff, ff, 0, 0],
        )
        .class(Read)
        .timeouts(1, 60),
        OpcodeInfo::new(
            "INITIALIZE ELEMENT STATUS WITH RANGE",
            &[0xe7, 0x03, ff, ff, 0, 0, ff, ff, 0, 0],
        )
        .class(Write)
        .timeouts(60, 600),
    ]
}

/// The device state SPC commands ask about.
#[derive(Debug)]
struct Hooks {
    /// Vendor IBM: VPD page 0xC0 ([`pages::firmware_build_information`]).
    ibm: bool,
    online: bool,
    prevent: bool,
    tape_alert: u64,
}

impl SpcDevice for Hooks {
    fn idle_sense(&self) -> Option<Sense> {
        (!self.online).then(|| Sense::new(SenseKey::NotReady, Asc::OFFLINE))
    }

    fn vpd_pages(&self) -> Vec<u8> {
        if self.ibm {
            vec![pages::FIRMWARE_BUILD_INFORMATION]
        } else {
            Vec::new()
        }
    }

    fn vpd_page(&mut self, page: u8) -> Option<Vec<u8>> {
        (self.ibm && page == pages::FIRMWARE_BUILD_INFORMATION)
            .then(pages::firmware_build_information)
    }

    fn log_pages(&self) -> Vec<(u8, u8)> {
        vec![(pages::TEMPERATURE, 0), (pages::TAPE_ALERT, 0)]
    }

    fn log_page(&mut self, page: u8, subpage: u8) -> Option<Vec<LogParameter>> {
        if subpage != 0 {
            return None;
        }
        pages::log_parameters(page, self.tape_alert)
    }

    fn log_page_read(&mut self, page: u8, subpage: u8, sent: &[u16]) {
        if (page, subpage) == (pages::TAPE_ALERT, 0) {
            self.tape_alert &= !pages::tape_alert_mask(sent);
        }
    }

    fn log_reset(&mut self, page: Option<(u8, u8)>) -> Result<()> {
        if page.is_none_or(|(p, _)| p == pages::TAPE_ALERT) {
            self.tape_alert = 0;
        }
        Ok(())
    }

    fn medium_removal(&mut self, prevented: bool) -> Result<()> {
        self.prevent = prevented;
        Ok(())
    }
}

/// A medium changer logical unit (SPC + SMC).
pub struct Library {
    spc: Spc,
    hooks: Hooks,
    inv: Inventory,
    drives: Vec<Box<dyn DriveSlot>>,
    drive_ids: Vec<Vec<u8>>,
    home: PathBuf,
    journal: Journal,
    personality: Personality,
    warnings: Vec<String>,
    move_command: Option<MoveCommand>,
    /// Report alternate volume tags (device.conf `Alternate volume tags: Yes`).
    alternate_tags: bool,
    last_refusal: Option<Refusal>,
    fifo: Option<StatusFifo>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("personality", &self.personality.name)
            .field("inventory", &self.inv)
            .field("online", &self.hooks.online)
            .finish_non_exhaustive()
    }
}

fn invalid_address(byte: u16) -> ScsiError {
    ScsiError::illegal_at(Asc::INVALID_ELEMENT_ADDRESS, byte, None)
}

impl Library {
    /// A powered-on library from its `Library:` stanza and `library_contents`, with
    /// `drives[i]` the drive of element `Drive i+1:`, the state file at
    /// [`Journal::default_path`] in the media home (see [`Library::with_state_file`]).
    pub fn new(
        conf: &LibraryConf,
        contents: &LibraryContents,
        drives: Vec<Box<dyn DriveSlot>>,
    ) -> std::result::Result<Library, LibraryError> {
        let path = Journal::default_path(&conf.home, conf.id);
        Library::with_state_file(conf, contents, drives, path)
    }

    /// As [`Library::new`] with the state file at `state_file`.
    ///
    /// INQUIRY: peripheral type 8 (medium changer), vendor / product / revision / serial
    /// from `conf` (defaults [`defaults`], serial `LIB<id>`), NAA from `conf` or
    /// [`DeviceConf::library_naa`], version descriptors SAM-5, SPC-4, SMC-3. The
    /// personality ([`select`]) gives the element addresses. Element contents: the state
    /// file when it exists and matches the configuration's element counts (module
    /// [`crate::journal`]), else `contents`; then the drives are asked what they hold (a
    /// cartridge found in a drive is reported there; a cartridge the state puts in an empty
    /// drive is loaded into it again, or returned to its source slot when that fails).
    ///
    /// Errors: drive count mismatch, [`LibraryError::Map`] when the personality's address
    /// map has no room for the elements ([`check_address_map`]), a barcode in two
    /// elements, the state file cannot be written.
    pub fn with_state_file(
        conf: &LibraryConf,
        contents: &LibraryContents,
        drives: Vec<Box<dyn DriveSlot>>,
        state_file: PathBuf,
    ) -> std::result::Result<Library, LibraryError> {
        if drives.len() != contents.drives.len() {
            return Err(LibraryError::DriveCount {
                elements: contents.drives.len(),
                handles: drives.len(),
            });
        }
        let vendor = conf.vendor.as_deref().unwrap_or(defaults::VENDOR);
        let product = conf.product.as_deref().unwrap_or(defaults::PRODUCT);
        let revision = conf.revision.as_deref().unwrap_or(defaults::REVISION);
        let serial = conf
            .serial
            .clone()
            .unwrap_or_else(|| format!("LIB{}", conf.id));
        let personality = select(vendor, product);
        let journal = Journal::new(state_file);
        let mut warnings = Vec::new();
        let mut fifo = match &conf.fifo {
            Some(path) => match StatusFifo::open(path, conf.id) {
                Ok(f) => Some(f),
                Err(e) => {
                    warnings.push(format!("status FIFO {}: {e}", path.display()));
                    None
                }
            },
            None => None,
        };
        if let Some(f) = &mut fifo {
            f.state(State::Initialising);
        }
        let counts = element_counts(contents);
        personality.fit(counts)?;
        let saved = match journal.load() {
            Ok(Some(st)) => {
                let n: Vec<usize> = st.elements.iter().map(Vec::len).collect();
                if n[0] == counts[0] && n[2] == counts[2] && n[3] == counts[3] && n[1] >= counts[1]
                {
                    Some(st)
                } else {
                    warnings.push(format!(
                        "{}: element counts differ from the configuration; using library_contents",
                        journal.path().display()
                    ));
                    None
                }
            }
            Ok(None) => None,
            Err(why) => {
                warnings.push(format!("state file ignored: {why}"));
                None
            }
        };
        let inv = match &saved {
            Some(st) => from_saved(personality, st, &conf.home)?,
            None => from_contents(personality, counts, contents, &conf.home)?,
        };
        let mut id = Identity::new(PDT_MEDIUM_CHANGER, vendor, product, revision, &serial);
        id.naa = DeviceConf::library_naa(conf);
        id.version_descriptors = vec![
            version_descriptor::SAM_5,
            version_descriptor::SPC_4,
            version_descriptor::SMC_3,
        ];
        let mut sc = SpcConfig::new(id, smc_opcodes());
        sc.persistent_reservations = false;
        sc.lun = u16::try_from(conf.lun).unwrap_or(u16::MAX);
        let mut spc = Spc::new(sc);
        pages::register(spc.modes_mut(), &inv);
        let drive_ids = drives.iter().map(|d| d.identifier()).collect();
        let mut lib = Library {
            spc,
            hooks: Hooks {
                ibm: vendor.trim().eq_ignore_ascii_case("IBM"),
                online: true,
                prevent: false,
                tape_alert: 0,
            },
            inv,
            drives,
            drive_ids,
            home: conf.home.clone(),
            journal,
            personality,
            warnings,
            move_command: conf
                .movecommand
                .as_ref()
                .map(|p| MoveCommand::new(p.clone(), conf.commandtimeout)),
            last_refusal: None,
            fifo,
            alternate_tags: conf.alternate_volume_tags,
        };
        lib.reconcile(true, None);
        lib.journal
            .save(&lib.inv)
            .map_err(|source| LibraryError::State {
                path: lib.journal.path().to_path_buf(),
                source,
            })?;
        lib.notify(State::Idle);
        Ok(lib)
    }

    /// The element inventory.
    pub fn inventory(&self) -> &Inventory {
        &self.inv
    }

    /// The personality (address map).
    pub fn personality(&self) -> Personality {
        self.personality
    }

    /// The SPC state.
    pub fn spc(&self) -> &Spc {
        &self.spc
    }

    /// The SPC state, mutable (vtlcmd InquiryDataChange).
    pub fn spc_mut(&mut self) -> &mut Spc {
        &mut self.spc
    }

    /// Problems met at start (ignored state file...), for the log.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The state file.
    pub fn state_file(&self) -> &Path {
        self.journal.path()
    }

    /// The media home.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Online (vtlcmd `online` / `offline`).
    pub fn is_online(&self) -> bool {
        self.hooks.online
    }

    /// PREVENT ALLOW MEDIUM REMOVAL prevents opening the MAP.
    pub fn removal_prevented(&self) -> bool {
        self.hooks.prevent
    }

    /// Set the TapeAlert flags of log page 0x2E (vtlcmd `TapeAlert <hex64>`): bit n−1 is
    /// flag n (1..=64). A LOG SENSE of page 0x2E clears the flags whose parameters it
    /// returned whole (SSC-5 / SMC-3 TapeAlert: flags are cleared when read), as the
    /// drive does.
    pub fn set_tape_alert(&mut self, flags: u64) {
        self.hooks.tape_alert = flags;
    }

    /// The TapeAlert flags currently set (bit n−1 is flag n).
    pub fn tape_alert(&self) -> u64 {
        self.hooks.tape_alert
    }

    /// The movecommand run before every move (device.conf `movecommand:`), if any.
    pub fn move_command(&self) -> Option<&MoveCommand> {
        self.move_command.as_ref()
    }

    /// Why the movecommand last refused a move (for the daemon's log), if it ever did.
    pub fn last_move_refusal(&self) -> Option<&Refusal> {
        self.last_refusal.as_ref()
    }

    /// The status FIFO (device.conf `fifo:`), if one is open.
    pub fn status_fifo(&self) -> Option<&StatusFifo> {
        self.fifo.as_ref()
    }

    /// Write state `s` to the status FIFO, if any.
    pub(crate) fn notify(&mut self, s: State) {
        if let Some(f) = &mut self.fifo {
            f.state(s);
        }
    }

    pub(crate) fn set_online(&mut self, on: bool) {
        if on && !self.hooks.online {
            self.spc.unit_attention_all(Asc::NOT_READY_TO_READY_CHANGE);
        }
        if on != self.hooks.online {
            self.notify(if on { State::Online } else { State::Offline });
        }
        self.hooks.online = on;
    }

    pub(crate) fn inv_mut(&mut self) -> &mut Inventory {
        &mut self.inv
    }

    pub(crate) fn refresh_pages(&mut self) {
        pages::register(self.spc.modes_mut(), &self.inv);
    }

    /// Write the state file.
    pub(crate) fn persist(&mut self) -> std::io::Result<()> {
        self.journal.save(&self.inv)
    }

    fn persist_scsi(&mut self) -> Result<()> {
        self.persist().map_err(|_| {
            ScsiError::Check(Sense::new(
                SenseKey::HardwareError,
                Asc::INTERNAL_TARGET_FAILURE,
            ))
        })
    }

    /// Make the drive elements in `range` (all when `None`; see [`in_range`]) agree with
    /// the drives (start, INITIALIZE ELEMENT STATUS (WITH RANGE)). `reload`: put a
    /// cartridge the inventory has in an empty drive back into it (start after a crash);
    /// otherwise, and when that fails, it goes back to its source slot or the first free
    /// slot.
    fn reconcile(&mut self, reload: bool, range: Option<(u16, u16)>) {
        for i in 0..self.drives.len() {
            let r = ElementRef {
                kind: ElementType::DataTransfer,
                index: i,
            };
            if !in_range(self.inv.get(r).address, range) {
                continue;
            }
            let actual = self.drives[i].loaded_barcode();
            let recorded = self.inv.get(r).barcode().map(str::to_string);
            if actual == recorded {
                continue;
            }
            if let Some(rec) = recorded {
                if actual.is_none() && reload && self.drives[i].load(&rec).is_ok() {
                    continue;
                }
                let e = self.inv.get_mut(r);
                let (m, src) = (e.medium.take(), e.source.take());
                if let Some(m) = m {
                    match self.inv.free_slot(src) {
                        Some(s) => {
                            let e = self.inv.get_mut(s);
                            e.medium = Some(m);
                            e.source = None;
                        }
                        None => self
                            .warnings
                            .push(format!("{rec}: no free slot to return it to; dropped")),
                    }
                }
            }
            if let Some(a) = actual {
                let Ok(bc) = Barcode::new(&a) else {
                    self.warnings
                        .push(format!("drive {}: holds {a:?}, not a barcode", i + 1));
                    continue;
                };
                let (mt, src) = match self.inv.locate(&a) {
                    Some(x) => {
                        let addr = self.inv.get(x).address;
                        let e = self.inv.get_mut(x);
                        let m = e.medium.take();
                        let s = e.source.take();
                        let src = if x.kind == ElementType::Storage {
                            Some(addr)
                        } else {
                            s
                        };
                        (m.map_or(0, |m| m.medium_type), src)
                    }
                    None => (read_medium_type(&self.home, &bc), None),
                };
                let e = self.inv.get_mut(r);
                e.medium = Some(Medium {
                    barcode: bc,
                    medium_type: mt,
                });
                e.source = src;
            }
        }
    }

    /// INITIALIZE ELEMENT STATUS (WITH RANGE, SMC-3 6.5): for the elements in `range`
    /// only (all when `None`; see [`in_range`]), ask the drives again, re-read the
    /// cartridges' MAM types and clear exceptions; re-read the drive identifiers.
    fn initialize(&mut self, range: Option<(u16, u16)>) {
        self.reconcile(false, range);
        self.drive_ids = self.drives.iter().map(|d| d.identifier()).collect();
        let home = self.home.clone();
        for t in ElementType::ALL {
            for i in 0..self.inv.count(t) {
                let e = self.inv.get_mut(ElementRef { kind: t, index: i });
                if !in_range(e.address, range) {
                    continue;
                }
                e.except = None;
                if let Some(m) = &mut e.medium {
                    m.medium_type = read_medium_type(&home, &m.barcode);
                }
            }
        }
    }

    fn resolve(&self, address: u16, byte: u16) -> Result<ElementRef> {
        self.inv.find(address).ok_or(invalid_address(byte))
    }

    fn transport(&self, address: u16, byte: u16) -> Result<()> {
        match self.inv.find(address) {
            _ if address == 0 => Ok(()),
            Some(r) if r.kind == ElementType::Transport => Ok(()),
            _ => Err(invalid_address(byte)),
        }
    }

    fn reachable(&self, r: ElementRef, byte: u16) -> Result<()> {
        if r.kind == ElementType::ImportExport && self.inv.map_open {
            return Err(ScsiError::illegal_at(
                MEDIUM_MAGAZINE_NOT_ACCESSIBLE,
                byte,
                None,
            ));
        }
        Ok(())
    }

    /// Take the cartridge out of `r` (unloading a drive); returns it and its source.
    fn take(&mut self, r: ElementRef) -> Result<(Medium, Option<u16>)> {
        if r.kind == ElementType::DataTransfer {
            self.drives[r.index].unload().map_err(ScsiError::Check)?;
        }
        let e = self.inv.get_mut(r);
        let m = e
            .medium
            .take()
            .ok_or(ScsiError::illegal(Asc::MEDIUM_SOURCE_ELEMENT_EMPTY))?;
        e.imp_exp = false;
        Ok((m, e.source.take()))
    }

    /// Put `m` into the empty element `r` (loading a drive; nothing changes on error).
    fn put(&mut self, r: ElementRef, m: &Medium, source: Option<u16>) -> Result<()> {
        if r.kind == ElementType::DataTransfer {
            self.drives[r.index]
                .load(m.barcode.as_str())
                .map_err(ScsiError::Check)?;
        }
        let e = self.inv.get_mut(r);
        e.medium = Some(m.clone());
        e.source = source;
        e.imp_exp = false;
        e.except = None;
        Ok(())
    }

    /// Put `m` back into the empty element `r` with source `source`; a drive that will not
    /// take it back is marked EXCEPT with MEDIUM LOAD OR EJECT FAILED (53/00), the
    /// cartridge still recorded there. Returns whether the drive took it (always true for
    /// other elements).
    fn restore(&mut self, r: ElementRef, m: Medium, source: Option<u16>) -> bool {
        if self.put(r, &m, source).is_ok() {
            return true;
        }
        let e = self.inv.get_mut(r);
        e.medium = Some(m);
        e.source = source;
        e.except = Some(Asc::MEDIUM_LOAD_OR_EJECT_FAILED);
        false
    }

    /// Undo a move that failed half-way or could not be written to the journal: take the
    /// cartridges out of the elements `touched` (unloading drives), then put them and the
    /// ones in `held` (cartridge, the element it was taken from, its source there) back
    /// where `before` (the inventory before the move) had them. When every cartridge is
    /// back and every drive took its cartridge again, the inventory is `before` exactly
    /// (ImpExp and sources included); otherwise what could not be put back is recorded
    /// where it is, drives that refused it marked EXCEPT (see [`Library::restore`]).
    fn roll_back(
        &mut self,
        before: Inventory,
        mut held: Vec<(Medium, ElementRef, Option<u16>)>,
        touched: &[ElementRef],
    ) {
        let mut whole = true;
        for &r in touched {
            match self.take(r) {
                Ok((m, src)) => held.push((m, r, src)),
                Err(_) => whole = false,
            }
        }
        for (m, from, src) in held {
            let empty = |r: &ElementRef| !self.inv.get(*r).is_full();
            let home = before.locate(m.barcode.as_str()).filter(empty);
            let (to, src) = match home {
                Some(h) => (h, before.get(h).source),
                None => {
                    // Its element is held by a cartridge a drive would not give back.
                    whole = false;
                    match Some(from).filter(empty).or(self.inv.free_slot(src)) {
                        Some(r) => (r, src),
                        None => {
                            self.warnings.push(format!(
                                "{}: no free slot to return it to; dropped",
                                m.barcode
                            ));
                            continue;
                        }
                    }
                }
            };
            whole &= self.restore(to, m, src);
        }
        if whole {
            self.inv = before;
        }
    }

    /// Make a move durable: write the journal; when that fails, [`Library::roll_back`] the
    /// move (`touched`: the elements it filled), so that it happened entirely or not at
    /// all, and report HARDWARE ERROR / INTERNAL TARGET FAILURE (04/44/00).
    fn commit(&mut self, before: Inventory, touched: &[ElementRef]) -> Result<()> {
        let Err(e) = self.persist_scsi() else {
            return Ok(());
        };
        self.roll_back(before, Vec::new(), touched);
        // The failed save left the previous file in place, unless it failed after the
        // rename: write the state rolled back to, if the journal works again.
        let _ = self.persist();
        Err(e)
    }

    /// The SOURCE STORAGE ELEMENT ADDRESS a cartridge taken from `r` (whose source was
    /// `old`) carries: `r` itself when it is a storage element, else the original source.
    fn origin(&self, r: ElementRef, old: Option<u16>) -> Option<u16> {
        let addr = self.inv.get(r).address;
        if r.kind == ElementType::Storage {
            Some(addr)
        } else {
            old.or(Some(addr))
        }
    }

    fn end(&self, r: ElementRef) -> MoveEnd {
        MoveEnd {
            kind: r.kind,
            number: self.inv.get(r).number,
        }
    }

    /// Ask the movecommand (module [`crate::move_command`]) whether the cartridge in `s`
    /// may move to `d`: HARDWARE ERROR / MECHANICAL POSITIONING ERROR (04/15/01) when not.
    fn ask(&mut self, s: ElementRef, d: ElementRef) -> Result<()> {
        let Some(cmd) = &self.move_command else {
            return Ok(());
        };
        let barcode = self.inv.get(s).barcode().unwrap_or_default();
        match cmd.ask(self.end(s), self.end(d), barcode) {
            Ok(()) => Ok(()),
            Err(why) => {
                self.last_refusal = Some(why);
                Err(ScsiError::Check(Sense::new(
                    SenseKey::HardwareError,
                    MECHANICAL_POSITIONING_ERROR,
                )))
            }
        }
    }

    /// The status FIFO line of a move of the cartridge in `s` to `d`.
    fn describe(&mut self, s: ElementRef, d: ElementRef) {
        if self.fifo.is_none() {
            return;
        }
        let (es, ed) = (self.end(s), self.end(d));
        let text = describe_move(
            self.inv.get(s).barcode().unwrap_or_default(),
            (es.kind, es.number),
            (ed.kind, ed.number),
        );
        if let Some(f) = &mut self.fifo {
            f.line(&text);
        }
    }

    /// [`Library::ask`] then [`Library::describe`].
    fn announce(&mut self, s: ElementRef, d: ElementRef) -> Result<()> {
        self.ask(s, d)?;
        self.describe(s, d);
        Ok(())
    }

    /// MOVE MEDIUM from `src` to `dst` (field pointers at CDB bytes 4 and 6).
    pub fn move_medium(&mut self, src: u16, dst: u16) -> Result<()> {
        let s = self.resolve(src, 4)?;
        let d = self.resolve(dst, 6)?;
        self.reachable(s, 4)?;
        self.reachable(d, 6)?;
        if !self.inv.get(s).is_full() {
            return Err(ScsiError::illegal_at(
                Asc::MEDIUM_SOURCE_ELEMENT_EMPTY,
                4,
                None,
            ));
        }
        if s == d {
            return Ok(());
        }
        if self.inv.get(d).is_full() {
            return Err(ScsiError::illegal_at(
                Asc::MEDIUM_DESTINATION_ELEMENT_FULL,
                6,
                None,
            ));
        }
        self.announce(s, d)?;
        let before = self.inv.clone();
        let (m, old) = self.take(s)?;
        let origin = self.origin(s, old);
        if let Err(e) = self.put(d, &m, origin) {
            self.roll_back(before, vec![(m, s, old)], &[]);
            return Err(e);
        }
        self.commit(before, &[d])
    }

    /// EXCHANGE MEDIUM: the cartridge in `src` to `first`, the one in `first` to `second`
    /// (field pointers at CDB bytes 4, 6, 8). `second` may be `src` (a swap).
    pub fn exchange_medium(&mut self, src: u16, first: u16, second: u16) -> Result<()> {
        let s = self.resolve(src, 4)?;
        let d1 = self.resolve(first, 6)?;
        let d2 = self.resolve(second, 8)?;
        self.reachable(s, 4)?;
        self.reachable(d1, 6)?;
        self.reachable(d2, 8)?;
        if d1 == s {
            return Err(invalid_address(6));
        }
        if d2 == d1 {
            return Err(invalid_address(8));
        }
        if !self.inv.get(s).is_full() {
            return Err(ScsiError::illegal_at(
                Asc::MEDIUM_SOURCE_ELEMENT_EMPTY,
                4,
                None,
            ));
        }
        if !self.inv.get(d1).is_full() {
            return Err(ScsiError::illegal_at(
                Asc::MEDIUM_SOURCE_ELEMENT_EMPTY,
                6,
                None,
            ));
        }
        if d2 != s && self.inv.get(d2).is_full() {
            return Err(ScsiError::illegal_at(
                Asc::MEDIUM_DESTINATION_ELEMENT_FULL,
                8,
                None,
            ));
        }
        self.ask(s, d1)?;
        self.ask(d1, d2)?;
        self.describe(s, d1);
        self.describe(d1, d2);
        let before = self.inv.clone();
        let (m1, old1) = self.take(s)?;
        let (m2, old2) = match self.take(d1) {
            Ok(x) => x,
            Err(e) => {
                self.roll_back(before, vec![(m1, s, old1)], &[]);
                return Err(e);
            }
        };
        let o1 = self.origin(s, old1);
        let o2 = self.origin(d1, old2);
        if let Err(e) = self.put(d1, &m1, o1) {
            self.roll_back(before, vec![(m1, s, old1), (m2, d1, old2)], &[]);
            return Err(e);
        }
        if let Err(e) = self.put(d2, &m2, o2) {
            self.roll_back(before, vec![(m2, d1, old2)], &[d1]);
            return Err(e);
        }
        self.commit(before, &[d1, d2])
    }

    fn read_element_status(&self, c: &ReadElementStatus, data_in: &mut Vec<u8>) -> Result<()> {
        let kind = ElementType::from_code(c.element_type());
        if self.inv.from_address(kind, c.start()).next().is_none() {
            return Err(invalid_address(2));
        }
        let req = StatusRequest {
            kind,
            start: c.start(),
            count: c.count(),
            voltag: c.voltag(),
            dvcid: c.dvcid(),
        };
        let ids = &self.drive_ids;
        let home = &self.home;
        // Alternate volume tags (device.conf `Alternate volume tags: Yes`): the MAM's
        // MEDIUM SERIAL NUMBER, read when asked (a NOBAR cartridge has none either).
        let alternate = |e: &crate::element::Element| {
            let serial = e
                .medium
                .as_ref()
                .filter(|m| m.barcode.volume_tag().is_some())
                .and_then(|m| crate::element::read_medium_serial(home, &m.barcode));
            status::alternate_tag(serial.as_deref())
        };
        let mut out = Vec::new();
        status::encode(
            &self.inv,
            &|i| ids.get(i).cloned().unwrap_or_default(),
            self.alternate_tags
                .then_some(&alternate as &status::AlternateTag<'_>),
            &req,
            &mut out,
        );
        truncate_to(&mut out, c.alloc());
        data_in.extend_from_slice(&out);
        Ok(())
    }

    fn run(&mut self, cmd: &Command<'_>, data_in: &mut Vec<u8>) -> Result<()> {
        match cmd {
            Command::RezeroUnit => Ok(()),
            Command::InitializeElementStatus => {
                self.initialize(None);
                self.persist_scsi()
            }
            Command::InitializeElementStatusWithRange(c) => {
                let range = if c.range() {
                    let end = u32::from(c.start()) + u32::from(c.count());
                    let any = self
                        .inv
                        .from_address(None, c.start())
                        .next()
                        .is_some_and(|e| u32::from(e.address) < end);
                    if !any {
                        return Err(invalid_address(2));
                    }
                    Some((c.start(), c.count()))
                } else {
                    None
                };
                self.initialize(range);
                self.persist_scsi()
            }
            Command::OpenCloseImportExport(c) => {
                let r = self.resolve(c.address(), 2)?;
                if r.kind != ElementType::ImportExport {
                    return Err(invalid_address(2));
                }
                match c.action() {
                    ImportExportAction::Open => {
                        if self.hooks.prevent {
                            return Err(ScsiError::illegal(Asc::MEDIUM_REMOVAL_PREVENTED));
                        }
                        self.notify(State::OpeningMap);
                        self.inv.map_open = true;
                    }
                    ImportExportAction::Close => {
                        self.notify(State::ClosingMap);
                        self.inv.map_open = false;
                    }
                }
                self.persist_scsi()
            }
            Command::PositionToElement(c) => {
                self.transport(c.transport(), 2)?;
                self.resolve(c.destination(), 4)?;
                Ok(())
            }
            Command::MoveMedium(c) => {
                self.transport(c.transport(), 2)?;
                self.move_medium(c.source(), c.destination())
            }
            Command::ExchangeMedium(c) => {
                self.transport(c.transport(), 2)?;
                self.exchange_medium(c.source(), c.first_destination(), c.second_destination())
            }
            Command::ReadElementStatus(c) => self.read_element_status(c, data_in),
        }
    }
}

/// Whether element address `address` is in `range`: (STARTING ELEMENT ADDRESS, NUMBER OF
/// ELEMENTS) of INITIALIZE ELEMENT STATUS WITH RANGE, the addresses start ≤ address <
/// start + number; `None` (RANGE bit zero, or INITIALIZE ELEMENT STATUS) is every element.
fn in_range(address: u16, range: Option<(u16, u16)>) -> bool {
    range.is_none_or(|(start, n)| {
        address >= start && u32::from(address) < u32::from(start) + u32::from(n)
    })
}

/// The number of elements of each type ([`ElementType::ALL`] order: pickers, slots, MAP,
/// drives) of a library with `contents`; at least one picker.
pub fn element_counts(contents: &LibraryContents) -> [usize; 4] {
    [
        contents.pickers.len().max(1),
        contents.slots.len(),
        contents.maps.len(),
        contents.drives.len(),
    ]
}

/// Check, before anything is attached, that the personality `conf`'s vendor and product
/// select (defaults [`defaults`]) has room for `contents`' elements; returns the
/// personality.
///
/// Errors: [`MapTooSmall`](crate::personality::MapTooSmall), naming the first element that
/// does not fit (what [`Library::new`] would refuse with [`LibraryError::Map`]).
pub fn check_address_map(
    conf: &LibraryConf,
    contents: &LibraryContents,
) -> std::result::Result<Personality, crate::personality::MapTooSmall> {
    let p = select(
        conf.vendor.as_deref().unwrap_or(defaults::VENDOR),
        conf.product.as_deref().unwrap_or(defaults::PRODUCT),
    );
    p.fit(element_counts(contents))?;
    Ok(p)
}

/// An inventory from library_contents.
fn from_contents(
    p: Personality,
    counts: [usize; 4],
    contents: &LibraryContents,
    home: &Path,
) -> std::result::Result<Inventory, LibraryError> {
    let mut inv = Inventory::new(p.first, counts)?;
    let mut seen = std::collections::HashSet::new();
    for (t, v) in [
        (ElementType::Transport, &contents.pickers),
        (ElementType::Storage, &contents.slots),
        (ElementType::ImportExport, &contents.maps),
    ] {
        for (i, b) in v.iter().enumerate() {
            let Some(b) = b else { continue };
            if !seen.insert(b.as_str().to_string()) {
                return Err(LibraryError::DuplicateBarcode(b.to_string()));
            }
            inv.get_mut(ElementRef { kind: t, index: i }).medium = Some(Medium {
                barcode: b.clone(),
                medium_type: read_medium_type(home, b),
            });
        }
    }
    Ok(inv)
}

/// An inventory from a state file (already checked to fit the configuration).
fn from_saved(
    p: Personality,
    st: &SavedState,
    home: &Path,
) -> std::result::Result<Inventory, LibraryError> {
    let counts = [
        st.elements[0].len(),
        st.elements[1].len(),
        st.elements[2].len(),
        st.elements[3].len(),
    ];
    let mut inv = Inventory::new(p.first, counts)?;
    inv.map_open = st.map_open;
    let mut seen = std::collections::HashSet::new();
    for t in ElementType::ALL {
        for (i, s) in st.elements[t as usize - 1].iter().enumerate() {
            let e = inv.get_mut(ElementRef { kind: t, index: i });
            if let Some(b) = &s.barcode {
                if !seen.insert(b.as_str().to_string()) {
                    return Err(LibraryError::DuplicateBarcode(b.to_string()));
                }
                e.medium = Some(Medium {
                    barcode: b.clone(),
                    medium_type: read_medium_type(home, b),
                });
                e.source = s.source;
                e.imp_exp = s.imp_exp;
            }
        }
    }
    Ok(inv)
}

impl LogicalUnit for Library {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        if let Err(e) = self.spc.admit(req) {
            return self.spc.complete(req.nexus, Err(e));
        }
        let op = req.cdb.first().copied().unwrap_or(0);
        if !self.hooks.online && !matches!(op, 0x12 | 0xa0 | 0x03) {
            return self
                .spc
                .complete(req.nexus, Err(ScsiError::not_ready(Asc::OFFLINE)));
        }
        let r = match self.spc.execute(&mut self.hooks, req, data_in) {
            Some(r) => r,
            None => Command::parse(req.cdb).and_then(|c| self.run(&c, data_in)),
        };
        self.spc.complete(req.nexus, r)
    }

    fn reset(&mut self, event: ResetEvent) {
        self.spc.reset(event);
        self.hooks.prevent = self.spc.removal_prevented();
    }
}
