//! Putting cartridges into and taking them out of the drive: the interface the changer (and
//! vtlcmd `load`/`unload`) uses, and the SCSI LOAD UNLOAD command (SSC-5 7.2).
//!
//! A cartridge goes through three states: not in the drive; in the drive's mouth (inserted
//! but not threaded: after an UNLOAD command, or refused by the personality); loaded
//! (threaded, positioned at BOP of partition 0, ready).
//!
//! * [`Drive::load_barcode`] / [`Drive::load_dir`]: insert and thread (the changer's MOVE
//!   MEDIUM to a drive, vtlcmd `load`). The cartridge is first opened read-only to identify
//!   its medium; only when the personality accepts it is it reopened for writing with the
//!   load counted in its MAM, so a refused cartridge is left byte-identical on disk (unlike
//!   mhvtl, spec section 8 item 28). A refused cartridge stays in the mouth and TEST UNIT
//!   READY reports NOT READY / INCOMPATIBLE MEDIUM INSTALLED until it is taken out.
//! * [`Drive::unload`]: flush, write the MAM statistics back, release the cartridge and take
//!   it out of the drive (the changer's MOVE MEDIUM from a drive, vtlcmd `unload`).
//! * LOAD UNLOAD with LOAD=0 unloads to the mouth; LOAD=1 threads a cartridge in the mouth.

use std::path::Path;

use libvtlcart::{CartError, Cartridge, MediumType, OpenOptionsCart, validate_pcl};
use vtl_scsi::{Asc, ScsiError};

use crate::cdb::LoadUnload;
use crate::drive::{Allowance, Drive, Loaded, Slot};
use crate::error::DriveError;
use crate::personality::MediaAccess;
use crate::tapealert::flag;

impl Drive {
    /// Load the cartridge `pcl` from the media home (validated with
    /// [`libvtlcart::validate_pcl`] before any path is built; a cartridge directory that is
    /// a symbolic link out of the media home is refused: [`libvtlcart::home::cartridge_dir`]).
    ///
    /// Errors: as [`Drive::load_dir`], plus [`DriveError::NoMediaHome`], a bad barcode or a
    /// link out of the home ([`DriveError::Cart`]).
    pub fn load_barcode(&mut self, pcl: &str) -> Result<(), DriveError> {
        validate_pcl(pcl).map_err(|source| DriveError::Cart {
            dir: pcl.into(),
            source,
        })?;
        let home = self
            .config
            .media_home
            .clone()
            .ok_or_else(|| DriveError::NoMediaHome(pcl.to_string()))?;
        let dir =
            libvtlcart::home::cartridge_dir(&home, pcl).map_err(|source| DriveError::Cart {
                dir: home.join(pcl),
                source,
            })?;
        self.load_dir(&dir)
    }

    /// Insert and thread the cartridge in directory `dir`.
    ///
    /// On success the drive is at BOP of partition 0 and [`Drive::take_medium_changed`]
    /// reports the change (and [`Drive::take_cleaning_loaded`] for a cleaning cartridge).
    /// The cartridge is opened for writing (exclusive lock, load counted in its MAM) unless it
    /// is write protected, a cleaning cartridge or of a generation the personality only
    /// reads.
    ///
    /// Errors: [`DriveError::Occupied`] when a cartridge is already in the drive;
    /// [`DriveError::IncompatibleMedium`] (the cartridge stays in the mouth, untouched);
    /// [`DriveError::Cart`] when the cartridge cannot be opened (it stays in the mouth too,
    /// TEST UNIT READY reporting the media error).
    pub fn load_dir(&mut self, dir: &Path) -> Result<(), DriveError> {
        if let Some(b) = self.cartridge_barcode() {
            return Err(DriveError::Occupied(b));
        }
        if !dir.is_dir() {
            return Err(DriveError::Cart {
                dir: dir.to_path_buf(),
                source: libvtlcart::CartError::NotACartridge {
                    dir: dir.to_path_buf(),
                    why: "no such directory".into(),
                },
            });
        }
        let barcode = libvtlcart::locate::dir_name(dir);
        self.slot = Slot::Mouth {
            dir: dir.to_path_buf(),
            barcode,
            hold: false,
            refused: None,
        };
        self.thread()
    }

    /// Thread the cartridge in the mouth (see [`Drive::load_dir`]).
    fn thread(&mut self) -> Result<(), DriveError> {
        let Slot::Mouth { dir, barcode, .. } = &self.slot else {
            return match &self.slot {
                Slot::Loaded(_) => Ok(()),
                _ => Err(DriveError::Empty),
            };
        };
        let (dir, barcode) = (dir.clone(), barcode.clone());
        let refuse = |this: &mut Drive, e: DriveError| {
            this.slot = Slot::Mouth {
                dir: dir.clone(),
                barcode: barcode.clone(),
                hold: false,
                refused: Some(e.sense()),
            };
            Err(e)
        };
        // Identify the medium without touching the cartridge (a damaged tail is no reason to
        // refuse it: the open below cuts it back).
        let looking = OpenOptionsCart {
            recover: true,
            ..OpenOptionsCart::default()
        };
        let probe = match Cartridge::open(&dir, &looking) {
            Ok(c) => c,
            Err(source) => {
                let dir = dir.clone();
                return refuse(self, DriveError::Cart { dir, source });
            }
        };
        let (media, verdict) = self.judge_media(probe.mam());
        let mam = probe.mam().clone();
        drop(probe);
        let access = match verdict {
            Ok(a) => a,
            Err(why) => {
                self.tape_alert.raise(flag::UNSUPPORTED_FORMAT);
                let barcode = barcode.clone();
                return refuse(self, DriveError::IncompatibleMedium { barcode, why });
            }
        };
        let cleaning = mam.medium_type() == MediumType::Cleaning;
        // Cleaning cartridges come back read-only from the personality; that is not a
        // "read-only format" (TapeAlert 0x11) but the cleaning rules (NOT READY 30/03 for
        // data access). It is opened for writing: its data is never written (libvtlcart
        // refuses), but its load count is its usage count.
        let read_only_format = access == MediaAccess::ReadOnly && !cleaning;
        let write = !read_only_format && !mam.write_protected();
        let opts = OpenOptionsCart {
            write,
            count_load: write,
            recover: false,
        };
        let mut cart = match open_recovering(&dir, &opts) {
            Ok(c) => c,
            Err(source) => {
                let dir = dir.clone();
                return refuse(self, DriveError::Cart { dir, source });
            }
        };
        if write {
            self.record_last_load(&mut cart);
        }
        if cleaning {
            self.clean(&cart);
        }
        if cart.was_dirty_at_load() {
            self.tape_alert.raise(flag::LOST_STATISTICS);
        }
        if read_only_format {
            self.tape_alert.raise(flag::READ_ONLY_FORMAT);
        }
        let worm = mam.medium_type() == MediumType::Worm;
        self.slot = Slot::Loaded(Box::new(Loaded {
            cart,
            barcode,
            dir,
            read_only_format,
            cleaning,
            worm,
            media,
        }));
        self.medium_changed = true;
        self.cleaning_loaded = cleaning;
        self.position_valid = true;
        self.allowance = Allowance::None;
        self.allow_format = false;
        self.unsynced = false;
        self.deferred = None;
        Ok(())
    }

    /// Record this drive in the MAM attributes DEVICE VENDOR/SERIAL NUMBER AT LAST LOAD
    /// (0x020A, and 0x020B..0x020D for the three loads before it: SPC-5 7.4.2.2.9): the
    /// older entries move down one place and 0x020A becomes the 8-byte vendor identification
    /// followed by the 32-byte unit serial number, space padded. Written with the rest of
    /// the MAM at unload.
    fn record_last_load(&self, cart: &mut Cartridge) {
        let mut entry = [b' '; 40];
        for (dst, src) in entry[..8].iter_mut().zip(self.config.vendor.bytes()) {
            *dst = src;
        }
        for (dst, src) in entry[8..].iter_mut().zip(self.config.serial.bytes()) {
            *dst = src;
        }
        let hist = &mut cart.mam_mut().base.dev_make_serial_last_load;
        hist.copy_within(0..3, 1);
        hist[0] = entry;
    }

    /// A cleaning cartridge was threaded (its load was counted): while its load count is
    /// within MEDIUM TYPE INFORMATION (the number of cleaning cycles it is good for, SPC-5
    /// 7.4.2.3.4; mhvtl stores 20) the drive is cleaned: TapeAlert "clean now" and "clean
    /// periodic" are lowered. Past it, TapeAlert 0x16 "expired cleaning media" is raised
    /// and nothing is cleaned.
    fn clean(&mut self, cart: &Cartridge) {
        let b = &cart.mam().base;
        let cycles = match b.medium_type_information.get() {
            0 => libvtlcart::mam::CLEANING_CYCLES,
            n => n,
        };
        if b.load_count.get() > u64::from(cycles) {
            self.tape_alert.raise(flag::EXPIRED_CLEANING_MEDIA);
        } else {
            self.tape_alert.lower(flag::CLEAN_NOW);
            self.tape_alert.lower(flag::CLEAN_PERIODIC);
            self.tape_alert.lower(flag::EXPIRED_CLEANING_MEDIA);
        }
    }

    /// Take the cartridge out of the drive: flush, write its MAM statistics back
    /// ([`Cartridge::unload`]), release it. Returns its barcode, `None` for an empty drive.
    ///
    /// Errors: [`DriveError::RemovalPrevented`] while PREVENT ALLOW MEDIUM REMOVAL prevents
    /// removal (nothing changes); [`DriveError::Cart`] when writing back failed (the cartridge
    /// is released anyway: what the files hold is what libvtlcart made durable).
    pub fn unload(&mut self) -> Result<Option<String>, DriveError> {
        if self.prevent_removal && self.is_loaded() {
            return Err(DriveError::RemovalPrevented);
        }
        match std::mem::take(&mut self.slot) {
            Slot::Empty => Ok(None),
            Slot::Mouth { barcode, .. } => Ok(Some(barcode)),
            Slot::Loaded(l) => {
                let Loaded {
                    cart, barcode, dir, ..
                } = *l;
                self.unsynced = false;
                self.encryption_on_demount();
                cart.unload()
                    .map_err(|source| DriveError::Cart { dir, source })?;
                Ok(Some(barcode))
            }
        }
    }

    /// The barcode of the cartridge in the drive (loaded or in the mouth).
    pub fn cartridge_barcode(&self) -> Option<String> {
        match &self.slot {
            Slot::Empty => None,
            Slot::Mouth { barcode, .. } => Some(barcode.clone()),
            Slot::Loaded(l) => Some(l.barcode.clone()),
        }
    }

    /// Whether a cartridge is threaded (ready).
    pub fn is_loaded(&self) -> bool {
        matches!(self.slot, Slot::Loaded(_))
    }

    /// Whether a cartridge is in the drive at all (loaded or in the mouth).
    pub fn has_cartridge(&self) -> bool {
        !matches!(self.slot, Slot::Empty)
    }

    /// LOAD UNLOAD (SSC-5 7.2).
    ///
    /// * LOAD=1: thread the cartridge in the mouth (NOT READY / MEDIUM NOT PRESENT when there
    ///   is none; the refusal sense when the personality refuses it); a loaded cartridge is
    ///   rewound to BOP of partition 0 (RETEN and HOLD change nothing more here).
    /// * LOAD=0: flush and unload to the mouth; HOLD=1 keeps it ready to be re-threaded (TEST
    ///   UNIT READY: 04/02), HOLD=0 ejects it (3A/00) for the changer to take. Refused with
    ///   ILLEGAL REQUEST / MEDIUM REMOVAL PREVENTED while removal is prevented.
    /// * IMMED=1: the work is done before returning anyway; an error is then reported as a
    ///   deferred error on the next command.
    pub fn load_unload(&mut self, c: &LoadUnload) -> Result<(), ScsiError> {
        let r = if c.load() {
            self.load_command()
        } else {
            self.unload_command(c.hold())
        };
        self.immed(c.immed(), r)
    }

    fn load_command(&mut self) -> Result<(), ScsiError> {
        match &mut self.slot {
            Slot::Empty => Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT)),
            Slot::Loaded(_) => {
                self.sync()?;
                let l = self.loaded()?;
                l.cart
                    .locate(0, 0)
                    .map_err(|e| ScsiError::Check(crate::error::cart_sense(&e)))?;
                self.allowance = Allowance::None;
                self.position_valid = true;
                Ok(())
            }
            Slot::Mouth { .. } => self.thread().map_err(|e| ScsiError::Check(e.sense())),
        }
    }

    fn unload_command(&mut self, hold: bool) -> Result<(), ScsiError> {
        match &self.slot {
            Slot::Empty => return Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT)),
            Slot::Mouth { .. } => return Ok(()),
            Slot::Loaded(_) => {}
        }
        if self.prevent_removal {
            return Err(ScsiError::illegal(Asc::MEDIUM_REMOVAL_PREVENTED));
        }
        let sync = self.sync();
        let Slot::Loaded(l) = std::mem::take(&mut self.slot) else {
            return Ok(());
        };
        let Loaded {
            cart, barcode, dir, ..
        } = *l;
        let res = cart.unload();
        self.slot = Slot::Mouth {
            dir,
            barcode,
            hold,
            refused: None,
        };
        self.allowance = Allowance::None;
        self.encryption_on_demount();
        sync?;
        res.map_err(|e| self.write_error(&e))
    }
}

/// Open a cartridge for a load, the way a drive threads a tape whose last session ended
/// without an unload (the drive's process killed, the machine lost power): a cartridge that
/// opens strictly is used as it is. One that fails with `CartError::Corrupt` (data after the
/// last index record, a filemark listed at or after EOD, a torn record — the torn tails of
/// docs/FORMAT.md, "What a crash leaves") *and* whose MAM says its last load never ended
/// (record_dirty still set: no unload wrote the statistics back) is a crashed session: when
/// the load may write, it is cut back to its last intact object and then opened strictly; a
/// read-only load sees the intact objects and leaves the files alone. Everything a WRITE
/// FILEMARKS with IMMED=0 acknowledged before the crash lies before that point, so nothing
/// durable is lost. A damaged cartridge that was unloaded cleanly did not crash: it is
/// refused with the open's error (`dump_tape --recover` shows and cuts the damage).
///
/// Errors: what [`Cartridge::open`] and [`Cartridge::apply_recovery`] return.
fn open_recovering(dir: &Path, opts: &OpenOptionsCart) -> Result<Cartridge, CartError> {
    match Cartridge::open(dir, opts) {
        Err(e @ CartError::Corrupt { .. }) => {
            let recovering = OpenOptionsCart {
                write: opts.write,
                count_load: false,
                recover: true,
            };
            let mut c = Cartridge::open(dir, &recovering)?;
            if !c.was_dirty_at_load() {
                return Err(e);
            }
            if !opts.write {
                return Ok(c);
            }
            c.apply_recovery()?;
            drop(c);
            Cartridge::open(dir, opts)
        }
        other => other,
    }
}
