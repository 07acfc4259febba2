//! The tape handle: a loaded cartridge and the operations a drive performs on it.
//!
//! Names follow SSC-5: logical objects are data blocks and filemarks, numbered from 0 per
//! partition; BOP is block 0, EOD is the block number after the last object; early warning
//! is signalled when less than [`EARLY_WARNING_BYTES`] remain in the partition.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::compress::{self, Compression, PreparedBlock};
use crate::error::{CartError, Result};
use crate::index::{
    BlockKey, FLAG_CRC, FLAG_LZO, FLAG_ZLIB, IndexRecord, MAX_BLOCK_NUMBER, ObjectKind, TYPE_DATA,
};
use crate::layout::{Format, Layout, MamStore};
use crate::mam::{self, LEGACY_MAM_SIZE, Mam};
use crate::media::MediumType;
use crate::partition::{self, Partition, RecoveryPlan, read_exact_at, write_all_at};

mod format;

/// Largest ratio of uncompressed to stored size a compressed block can have (deflate's
/// limit; LZO1X stays below it): a larger `blk_size` is index damage.
const MAX_EXPANSION: u64 = 1032;

/// Early warning: a write that leaves fewer bytes than this in the partition reports EW
/// (spec 1.15: "early warning 2 MiB before the end").
pub const EARLY_WARNING_BYTES: u64 = 2 * 1024 * 1024;

/// How to open a cartridge.
#[derive(Debug, Clone, Default)]
pub struct OpenOptionsCart {
    /// Open for writing: takes an exclusive lock on the cartridge directory.
    pub write: bool,
    /// Count this as a drive load: LoadCount + 1 and record_dirty set, written at once (like
    /// a drive threading the tape); statistics are written back by [`Cartridge::unload`].
    pub count_load: bool,
    /// Open a damaged cartridge up to its last intact object instead of failing (read-only
    /// unless [`Cartridge::apply_recovery`] is called).
    pub recover: bool,
}

/// Where the tape is (SSC READ POSITION data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Current partition.
    pub partition: u32,
    /// Logical object number of the next object to be read or written.
    pub block: u32,
    /// Logical file number: filemarks before `block`.
    pub file_number: u32,
    /// At beginning of partition (block 0).
    pub bop: bool,
    /// At end of data.
    pub eod: bool,
    /// Past early warning (fewer than [`EARLY_WARNING_BYTES`] left in the partition).
    pub early_warning: bool,
}

/// Description of one stored data block (from its index record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockInfo {
    /// Logical block number.
    pub block: u32,
    /// Uncompressed size in bytes.
    pub size: u32,
    /// Stored size in bytes.
    pub stored_size: u32,
    /// Index `blk_flags`.
    pub flags: u32,
    /// Stored CRC-32C of the uncompressed payload.
    pub crc: u32,
    /// Offset of the stored bytes in the data file.
    pub data_offset: u64,
    /// The record's key, UKAD and AKAD fields when flag 0x02 is set (for a sealed block
    /// the key field holds the key's fingerprint, see [`crate::crypt`]).
    pub key: Option<BlockKey>,
    /// The sealed-block extension when the block was really encrypted by vtl
    /// ([`crate::crypt`]): the bytes read are then its ciphertext and `size` its length.
    pub sealed: Option<Box<crate::crypt::SealedBlock>>,
    /// False on NULL media: no bytes were stored, the payload returned is empty.
    pub payload_present: bool,
}

/// One logical object read from the tape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// A data block; its uncompressed, CRC-checked payload is in the caller's buffer.
    Data(BlockInfo),
    /// A filemark (the tape moved past it).
    Filemark,
    /// End of data: nothing was read and the tape did not move (SSC BLANK CHECK).
    EndOfData,
}

/// Why a SPACE or LOCATE stopped before its count was exhausted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceStop {
    /// The full count was spaced.
    Completed,
    /// A filemark was met while spacing blocks: the tape is past it (forward) or before it
    /// (backward); SSC reports FILEMARK with the residue.
    Filemark,
    /// Beginning of partition reached while spacing backward (SSC: BEGINNING-OF-PARTITION).
    Bop,
    /// End of data reached while spacing forward (SSC: BLANK CHECK / END-OF-DATA DETECTED).
    Eod,
}

/// Result of a SPACE: where it stopped and the residue (count not spaced).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceOutcome {
    /// Why it stopped.
    pub stop: SpaceStop,
    /// Requested count minus the count actually spaced (SSC INFORMATION field).
    pub residual: u64,
}

/// Result of a write: whether the tape is now past early warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOutcome {
    /// Fewer than [`EARLY_WARNING_BYTES`] remain (SSC: EOM bit, EARLY WARNING).
    pub early_warning: bool,
}

/// What this load read and wrote (bytes, uncompressed as the host sees them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadStats {
    /// Bytes written by the host during this load.
    pub bytes_written: u64,
    /// Bytes read by the host during this load.
    pub bytes_read: u64,
}

/// The MAM byte counters (SPC-5 7.4.2.2), in MiB (2^20 bytes) rounded up: what READ
/// ATTRIBUTE reports for attributes 0x0220..0x0223 ([`Cartridge::mbyte_counters`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MbyteCounters {
    /// 0x0220 TOTAL MBYTES WRITTEN IN MEDIUM LIFE.
    pub written_in_medium_life: u64,
    /// 0x0221 TOTAL MBYTES READ IN MEDIUM LIFE.
    pub read_in_medium_life: u64,
    /// 0x0222 TOTAL MBYTES WRITTEN IN CURRENT/LAST LOAD.
    pub written_in_load: u64,
    /// 0x0223 TOTAL MBYTES READ IN CURRENT/LAST LOAD.
    pub read_in_load: u64,
}

/// A loaded cartridge.
///
/// Obtain one with [`Cartridge::open`] (or [`Cartridge::create`] then open); the
/// operations are those of an SSC drive. Dropping a handle writes out its write buffers
/// (best effort, no fsync) and releases the lock but writes no MAM: call
/// [`Cartridge::unload`] to record statistics and make everything durable.
#[derive(Debug)]
pub struct Cartridge {
    dir: PathBuf,
    layout: Layout,
    mam: Mam,
    parts: Vec<Partition>,
    cur: usize,
    pos: u32,
    writable: bool,
    counted_load: bool,
    dirty_at_load: bool,
    mam_changed: bool,
    stats: LoadStats,
    recovery: Vec<RecoveryPlan>,
    scratch: Scratch,
    /// Stored bytes of compressed blocks being read (`read_at` takes `&self`).
    read_scratch: Mutex<Scratch>,
    _lock: Option<File>,
}

/// A reusable byte buffer whose `Debug` shows only its length.
#[derive(Default)]
struct Scratch(Vec<u8>);

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Scratch({} bytes)", self.0.len())
    }
}

/// A read scratch buffer that grew past this (a huge block) is freed after use.
const MAX_KEPT_SCRATCH: usize = 16 << 20;

/// Parameters of a new cartridge.
#[derive(Debug, Clone)]
pub struct CreateSpec {
    /// On-disk format.
    pub format: Format,
    /// Its MAM (see [`Mam::new_cartridge`]); the version words are set from `format`.
    pub mam: Mam,
    /// Remove an existing cartridge of the same name first.
    pub force: bool,
}

fn io<'a>(path: &'a Path, op: &'static str) -> impl FnOnce(std::io::Error) -> CartError + 'a {
    move |e| CartError::io(path, op, e)
}

/// How long a writer waits for the cartridge lock before reporting it in use. A lock can be
/// held for an instant by a process that is letting go of the cartridge, or by a child forked
/// while the holder's descriptor was open (it closes at exec): waiting briefly keeps such
/// transients from failing a load.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

fn lock_dir(dir: &Path) -> Result<File> {
    let f = File::open(dir).map_err(io(dir, "open"))?;
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(f),
            Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(CartError::Locked {
                    dir: dir.to_path_buf(),
                    holder: crate::lockinfo::lock_holder(dir),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(CartError::io(dir, "lock", e)),
        }
    }
}

/// Read a whole small file (the v6 `mam`, `mhvtl_data`), refusing a symbolic link.
fn read_file(path: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut f = open_nofollow(path)?;
    let mut v = Vec::new();
    f.read_to_end(&mut v).map_err(io(path, "read"))?;
    Ok(v)
}

/// Open a tape file for reading without following a symbolic link (a link planted in a
/// cartridge directory must not make the drive read or overwrite a file elsewhere).
fn open_nofollow(path: &Path) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| partition::open_error(path, e))
}

/// Write `bytes` to `path` through a temporary file, fsync and rename (atomic replace).
fn replace_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    // Tests: one change (the rename is atomic), see partition::crash_sim.
    #[cfg(test)]
    if partition::crash_sim::allow(1) == 0 {
        return Ok(());
    }
    let tmp = path.with_extension("vtl-tmp");
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o660)
        .open(&tmp)
        .map_err(io(&tmp, "create"))?;
    f.write_all(bytes).map_err(io(&tmp, "write"))?;
    f.sync_all().map_err(io(&tmp, "fsync"))?;
    std::fs::rename(&tmp, path).map_err(io(path, "rename"))?;
    Ok(())
}

/// Work out a directory's layout and read its MAM.
fn detect(dir: &Path) -> Result<(Layout, Mam)> {
    if !dir.is_dir() {
        return Err(CartError::NotACartridge {
            dir: dir.to_path_buf(),
            why: "no such directory".into(),
        });
    }
    let mam_path = dir.join("mam");
    if mam_path.exists() {
        let bytes = read_file(&mam_path)?;
        let suffixed = dir.join("data.0").exists();
        if !suffixed && !dir.join("data").exists() {
            return Err(CartError::NotACartridge {
                dir: dir.to_path_buf(),
                why: "it has a mam file but neither data.0 nor data".into(),
            });
        }
        if bytes.len() < 8 {
            return Err(CartError::Corrupt {
                file: mam_path,
                offset: 0,
                what: format!("an 8-byte version header, found {} bytes", bytes.len()),
            });
        }
        let tfv = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
        let mfv = u32::from_le_bytes(bytes[4..8].try_into().unwrap());
        let (store, mam) = match (tfv, mfv) {
            (5 | 6, mam::MAM_FMT_TLV) => {
                let md_path = dir.join("mhvtl_data");
                let md = if md_path.exists() {
                    Some(read_file(&md_path)?)
                } else {
                    None
                };
                let m = Mam::from_tlv(
                    &bytes,
                    &mam_path,
                    md.as_deref().map(|b| (b, md_path.as_path())),
                )?;
                (MamStore::Tlv, m)
            }
            (4, 2 | 3) => (
                MamStore::PackedFile,
                Mam::from_legacy_bytes(&bytes, &mam_path)?,
            ),
            _ => {
                return Err(CartError::UnsupportedVersion {
                    file: mam_path,
                    tape_fmt: tfv,
                    mam_fmt: mfv,
                });
            }
        };
        return Ok((
            Layout {
                mam: store,
                suffixed,
            },
            mam,
        ));
    }
    let meta_path = dir.join("meta");
    if meta_path.exists() && dir.join("data").exists() && dir.join("indx").exists() {
        let f = open_nofollow(&meta_path)?;
        let mut buf = vec![0u8; LEGACY_MAM_SIZE];
        read_exact_at(&f, &meta_path, &mut buf, 0)?;
        let m = Mam::from_legacy_bytes(&buf, &meta_path)?;
        let tfv = m.base.tape_fmt_version.get();
        let mfv = m.base.mam_fmt_version.get();
        if tfv != mam::TAPE_FMT_LEGACY || !(2..=3).contains(&mfv) {
            return Err(CartError::UnsupportedVersion {
                file: meta_path,
                tape_fmt: tfv,
                mam_fmt: mfv,
            });
        }
        return Ok((Layout::LEGACY, m));
    }
    Err(CartError::NotACartridge {
        dir: dir.to_path_buf(),
        why: "neither a legacy (data, indx, meta) nor a v6 (mam, data.0, indx.0, meta.0) tape"
            .into(),
    })
}

impl Cartridge {
    /// Create a cartridge directory `dir` with empty partition 0, in the given format.
    ///
    /// The files are built in a temporary sibling directory and renamed into place, so a
    /// crash never leaves a half-made cartridge under the real name. Directory mode 02770 and
    /// file mode 0660, both masked by the umask (as mhvtl's mktape).
    ///
    /// Errors: [`CartError::Exists`] when `dir` exists and `force` is false; I/O errors.
    pub fn create(dir: &Path, spec: &CreateSpec) -> Result<()> {
        let name = dir.file_name().ok_or_else(|| {
            CartError::InvalidArgument(format!("{}: no file name", dir.display()))
        })?;
        let parent = dir.parent().unwrap_or(Path::new("."));
        if dir.exists() && !spec.force {
            return Err(CartError::Exists {
                dir: dir.to_path_buf(),
            });
        }
        let tmp = parent.join(format!(
            ".{}.vtl-new-{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::DirBuilder::new()
            .mode(0o2770)
            .create(&tmp)
            .map_err(io(&tmp, "create directory"))?;
        let res = (|| -> Result<()> {
            match spec.format {
                Format::Legacy => {
                    let mut m = spec.mam.clone();
                    m.base.tape_fmt_version = mam::TAPE_FMT_LEGACY.into();
                    m.base.mam_fmt_version = mam::MAM_FMT_LEGACY.into();
                    partition::create_files(&tmp, Layout::LEGACY, 0, &m.to_legacy_bytes())?;
                }
                Format::V6 => {
                    let mut m = spec.mam.clone();
                    m.base.tape_fmt_version = mam::TAPE_FMT_V6.into();
                    m.base.mam_fmt_version = mam::MAM_FMT_TLV.into();
                    for (fname, bytes) in [
                        ("mam", m.to_mam_tlv()),
                        ("mhvtl_data", m.to_mhvtl_data_tlv()),
                    ] {
                        let p = tmp.join(fname);
                        let mut f = OpenOptions::new()
                            .write(true)
                            .create_new(true)
                            .mode(0o660)
                            .open(&p)
                            .map_err(io(&p, "create"))?;
                        std::io::Write::write_all(&mut f, &bytes).map_err(io(&p, "write"))?;
                        f.sync_all().map_err(io(&p, "fsync"))?;
                    }
                    partition::create_files(&tmp, Layout::V6, 0, &[])?;
                }
            }
            Ok(())
        })();
        if let Err(e) = res {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
        if dir.exists() {
            // --force: the old cartridge goes only once the new one is complete.
            let old = parent.join(format!(
                ".{}.vtl-old-{}",
                name.to_string_lossy(),
                std::process::id()
            ));
            std::fs::rename(dir, &old).map_err(io(dir, "rename"))?;
            std::fs::rename(&tmp, dir).map_err(io(dir, "rename"))?;
            std::fs::remove_dir_all(&old).map_err(io(&old, "remove"))?;
        } else {
            std::fs::rename(&tmp, dir).map_err(io(dir, "rename"))?;
        }
        if let Ok(d) = File::open(parent) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Open (load) the cartridge in `dir`, positioned at BOP of partition 0.
    ///
    /// Reads either format natively. With `opts.write`, takes an exclusive lock on the
    /// directory ([`CartError::Locked`] if another process holds it). Consistency is checked
    /// as in spec 1.10 (index size, data size, meta count, last filemark below EOD); a problem
    /// is a [`CartError::Corrupt`] naming the file and offset unless `opts.recover` is set,
    /// in which case the cartridge opens read-only up to its last intact object and
    /// [`Cartridge::recovery_plans`] says what was left out.
    pub fn open(dir: &Path, opts: &OpenOptionsCart) -> Result<Cartridge> {
        let lock = if opts.write {
            Some(lock_dir(dir)?)
        } else {
            None
        };
        let (layout, mam) = detect(dir)?;
        let null_media = mam.medium_type() == MediumType::Null;
        let mut parts = Vec::new();
        let mut recovery = Vec::new();
        let nparts = if layout.suffixed {
            (0..layout.max_partitions())
                .take_while(|n| dir.join(format!("data.{n}")).exists())
                .count() as u32
        } else {
            1
        };
        for n in 0..nparts {
            let (p, plan) = Partition::open(dir, layout, n, opts.write, null_media, opts.recover)?;
            parts.push(p);
            recovery.push(plan);
        }
        let damaged = recovery.iter().any(|p| !p.is_clean());
        let mut c = Cartridge {
            dir: dir.to_path_buf(),
            layout,
            dirty_at_load: mam.base.record_dirty != 0,
            mam,
            parts,
            cur: 0,
            pos: 0,
            writable: opts.write && !damaged,
            counted_load: false,
            mam_changed: false,
            stats: LoadStats::default(),
            recovery,
            scratch: Scratch::default(),
            read_scratch: Mutex::new(Scratch::default()),
            _lock: lock,
        };
        if opts.count_load && c.writable {
            let lc = c.mam.base.load_count.get().saturating_add(1);
            c.mam.base.load_count = lc.into();
            c.mam.base.record_dirty = 1;
            c.mam.base.written_in_last_load = 0.into();
            c.mam.base.read_in_last_load = 0.into();
            c.counted_load = true;
            c.write_mam()?;
        }
        Ok(c)
    }

    /// The recovery plans of every partition (clean plans when nothing was damaged).
    pub fn recovery_plans(&self) -> &[RecoveryPlan] {
        &self.recovery
    }

    /// Cut the damaged tails described by [`Cartridge::recovery_plans`] from the files.
    ///
    /// Requires a cartridge opened with `write` and `recover`. Afterwards the cartridge is
    /// consistent and writable.
    pub fn apply_recovery(&mut self) -> Result<()> {
        if self._lock.is_none() {
            return Err(CartError::WriteProtected {
                why: "cartridge opened read-only",
            });
        }
        for (p, plan) in self.parts.iter_mut().zip(&self.recovery) {
            if !plan.is_clean() {
                p.apply_recovery(plan)?;
            }
        }
        for (p, plan) in self.parts.iter().zip(self.recovery.iter_mut()) {
            *plan = RecoveryPlan {
                damage: Vec::new(),
                filemarks_before: p.filemarks.clone(),
                index_bytes: (plan.index_bytes.1, plan.index_bytes.1),
                data_bytes: (plan.data_bytes.1, plan.data_bytes.1),
                objects_before: u64::from(plan.keep_objects),
                ..plan.clone()
            };
        }
        self.writable = true;
        Ok(())
    }

    // ----------------------------------------------------------------- inspection

    /// The cartridge directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file layout in use.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Legacy or v6.
    pub fn format(&self) -> Format {
        self.layout.format()
    }

    /// The MAM as loaded (and as modified during this load).
    pub fn mam(&self) -> &Mam {
        &self.mam
    }

    /// Mutable MAM (edit_tape, WRITE ATTRIBUTE): written by [`Cartridge::write_mam`] or at
    /// unload.
    pub fn mam_mut(&mut self) -> &mut Mam {
        self.mam_changed = true;
        &mut self.mam
    }

    /// True when the MAM's record_dirty was set at load: the previous load ended without an
    /// unload, so its statistics were lost (TapeAlert "lost statistics").
    pub fn was_dirty_at_load(&self) -> bool {
        self.dirty_at_load
    }

    /// Number of partitions on the medium.
    pub fn partition_count(&self) -> u32 {
        self.parts.len() as u32
    }

    /// Partition `n`, if present.
    pub fn partition(&self, n: u32) -> Option<&Partition> {
        self.parts.get(n as usize)
    }

    /// Read index record `block` of partition `part` (no movement).
    ///
    /// Errors when `block` is at or past EOD.
    pub fn record(&self, part: u32, block: u32) -> Result<IndexRecord> {
        let p = self.part(part)?;
        if block >= p.eod {
            return Err(CartError::InvalidArgument(format!(
                "block {block} is at or past EOD ({}) of partition {part}",
                p.eod
            )));
        }
        p.record(block)
    }

    fn part(&self, n: u32) -> Result<&Partition> {
        self.parts.get(n as usize).ok_or_else(|| {
            CartError::InvalidArgument(format!(
                "partition {n} does not exist (the medium has {})",
                self.parts.len()
            ))
        })
    }

    /// Capacity of partition `n` in bytes: the partition capacity from `mhvtl_data` when the
    /// medium was formatted into partitions, else the MAM's maximum capacity.
    pub fn capacity(&self, n: u32) -> u64 {
        match self.mam.partition_capacity(n as usize) {
            0 => self.mam.base.max_capacity.get(),
            c => c,
        }
    }

    /// Bytes left in partition `n` after its EOD.
    pub fn remaining(&self, n: u32) -> u64 {
        let used = self.parts.get(n as usize).map_or(0, |p| p.eod_data_offset);
        self.capacity(n).saturating_sub(used)
    }

    /// Whether writing is allowed at all on this load, and why not.
    fn write_refusal(&self) -> Option<&'static str> {
        if self._lock.is_none() {
            Some("cartridge opened read-only")
        } else if !self.writable {
            Some("cartridge is damaged; recover it first")
        } else if self.mam.write_protected() {
            Some("cartridge is write protected")
        } else if self.mam.medium_type() == MediumType::Cleaning {
            Some("cleaning cartridges are never written")
        } else {
            None
        }
    }

    /// True when writes are refused (read-only open, write protect flag, cleaning cartridge).
    pub fn is_write_protected(&self) -> bool {
        self.write_refusal().is_some()
    }

    /// Statistics of this load.
    pub fn load_stats(&self) -> LoadStats {
        self.stats
    }

    /// The MAM byte counters 0x0220..0x0223 as they stand now: when this handle will write
    /// its statistics back at [`Cartridge::unload`] (it counted the load, wrote data or
    /// changed the MAM), the current load's bytes written and read (uncompressed, as the
    /// host sees them) and the medium-life totals including them — the values unload will
    /// store; otherwise the stored values (a read-only load leaves the MAM alone).
    pub fn mbyte_counters(&self) -> MbyteCounters {
        const MIB: u64 = 1 << 20;
        let b = &self.mam.base;
        if self._lock.is_none()
            || !(self.counted_load || self.stats.bytes_written > 0 || self.mam_changed)
        {
            return MbyteCounters {
                written_in_medium_life: b.written_in_medium_life.get(),
                read_in_medium_life: b.read_in_medium_life.get(),
                written_in_load: b.written_in_last_load.get(),
                read_in_load: b.read_in_last_load.get(),
            };
        }
        let w = self.stats.bytes_written.div_ceil(MIB);
        let r = self.stats.bytes_read.div_ceil(MIB);
        MbyteCounters {
            written_in_medium_life: b.written_in_medium_life.get().saturating_add(w),
            read_in_medium_life: b.read_in_medium_life.get().saturating_add(r),
            written_in_load: w,
            read_in_load: r,
        }
    }

    // ----------------------------------------------------------------- position

    /// Current position.
    pub fn position(&self) -> Position {
        let p = &self.parts[self.cur];
        Position {
            partition: self.cur as u32,
            block: self.pos,
            file_number: p.filemarks.partition_point(|&f| f < self.pos) as u32,
            bop: self.pos == 0,
            eod: self.pos == p.eod,
            early_warning: self.remaining(self.cur as u32) < EARLY_WARNING_BYTES,
        }
    }

    /// REWIND: position at BOP of the current partition.
    pub fn rewind(&mut self) {
        self.pos = 0;
    }

    /// LOCATE to `block` of partition `part` (SSC LOCATE(10/16)).
    ///
    /// A block past EOD leaves the tape at EOD and returns [`SpaceStop::Eod`]
    /// (SSC: BLANK CHECK, END-OF-DATA DETECTED); the residual is 0.
    pub fn locate(&mut self, part: u32, block: u32) -> Result<SpaceOutcome> {
        let eod = self.part(part)?.eod;
        if part as usize != self.cur {
            // Leaving a partition: its buffered objects go to the files now rather than
            // stay in memory for as long as the host works elsewhere.
            if let Err(e) = self.parts[self.cur].flush_pending() {
                self.clamp_pos();
                return Err(e);
            }
        }
        self.cur = part as usize;
        if block > eod {
            self.pos = eod;
            return Ok(SpaceOutcome {
                stop: SpaceStop::Eod,
                residual: 0,
            });
        }
        self.pos = block;
        Ok(SpaceOutcome {
            stop: SpaceStop::Completed,
            residual: 0,
        })
    }

    /// SPACE to end of data (SSC SPACE code 011b).
    pub fn seek_eod(&mut self) {
        self.pos = self.parts[self.cur].eod;
    }

    /// SPACE `count` logical blocks: forward when positive, backward when negative.
    ///
    /// Stops at a filemark (forward: past it; backward: before it, on its BOP side), at EOD
    /// (forward) or at BOP (backward), with the residue of blocks not spaced (SSC-5 7.2.15).
    pub fn space_blocks(&mut self, count: i64) -> SpaceOutcome {
        let p = &self.parts[self.cur];
        let pos = u64::from(self.pos);
        let want = count.unsigned_abs();
        if count >= 0 {
            let target = pos.saturating_add(want);
            let i = p.filemarks.partition_point(|&f| u64::from(f) < pos);
            let fm = p.filemarks.get(i).map(|&f| u64::from(f));
            match fm {
                Some(f) if f < target => {
                    self.pos = (f + 1) as u32;
                    SpaceOutcome {
                        stop: SpaceStop::Filemark,
                        residual: want - (f - pos),
                    }
                }
                _ if target > u64::from(p.eod) => {
                    self.pos = p.eod;
                    SpaceOutcome {
                        stop: SpaceStop::Eod,
                        residual: want - (u64::from(p.eod) - pos),
                    }
                }
                _ => {
                    self.pos = target as u32;
                    SpaceOutcome {
                        stop: SpaceStop::Completed,
                        residual: 0,
                    }
                }
            }
        } else {
            // Objects pos-1, pos-2, ... down to pos-want.
            let i = p.filemarks.partition_point(|&f| u64::from(f) < pos);
            let fm = i.checked_sub(1).map(|j| u64::from(p.filemarks[j]));
            let lowest = pos.checked_sub(want);
            match (fm, lowest) {
                (Some(f), lo) if lo.is_none_or(|lo| f >= lo) => {
                    self.pos = f as u32;
                    SpaceOutcome {
                        stop: SpaceStop::Filemark,
                        residual: want - (pos - f - 1),
                    }
                }
                (_, None) => {
                    self.pos = 0;
                    SpaceOutcome {
                        stop: SpaceStop::Bop,
                        residual: want - pos,
                    }
                }
                (_, Some(lo)) => {
                    self.pos = lo as u32;
                    SpaceOutcome {
                        stop: SpaceStop::Completed,
                        residual: 0,
                    }
                }
            }
        }
    }

    /// SPACE `count` filemarks: forward (positive) ends past the `count`-th filemark,
    /// backward (negative) ends before (on the BOP side of) the `count`-th filemark back.
    /// Stops at EOD or BOP with the residue of filemarks not spaced.
    pub fn space_filemarks(&mut self, count: i64) -> SpaceOutcome {
        let p = &self.parts[self.cur];
        let want = count.unsigned_abs();
        let i = p.filemarks.partition_point(|&f| f < self.pos) as u64;
        if count >= 0 {
            if want == 0 {
                return SpaceOutcome {
                    stop: SpaceStop::Completed,
                    residual: 0,
                };
            }
            let avail = p.filemarks.len() as u64 - i;
            if want <= avail {
                self.pos = p.filemarks[(i + want - 1) as usize] + 1;
                SpaceOutcome {
                    stop: SpaceStop::Completed,
                    residual: 0,
                }
            } else {
                self.pos = p.eod;
                SpaceOutcome {
                    stop: SpaceStop::Eod,
                    residual: want - avail,
                }
            }
        } else if want <= i {
            self.pos = p.filemarks[(i - want) as usize];
            SpaceOutcome {
                stop: SpaceStop::Completed,
                residual: 0,
            }
        } else {
            self.pos = 0;
            SpaceOutcome {
                stop: SpaceStop::Bop,
                residual: want - i,
            }
        }
    }

    // ----------------------------------------------------------------- reading

    /// READ the next logical object into `buf` (replaced with the uncompressed payload).
    ///
    /// A data block's bytes are decompressed and checked against the stored CRC-32C before
    /// anything is returned; on a mismatch `buf` is cleared, [`CartError::BadBlock`] is
    /// returned and the tape moves past the block (as a drive does after an unrecovered read
    /// error). A filemark returns [`Object::Filemark`] and moves past it; at EOD nothing
    /// moves and [`Object::EndOfData`] is returned. An index record that contradicts itself
    /// or the filemark list is [`CartError::Corrupt`] (the tape moves past it too).
    pub fn read(&mut self, buf: &mut Vec<u8>) -> Result<Object> {
        let p = &self.parts[self.cur];
        if self.pos >= p.eod {
            buf.clear();
            return Ok(Object::EndOfData);
        }
        let n = self.pos;
        self.pos += 1;
        let obj = self.read_at(self.cur as u32, n, buf)?;
        if let Object::Data(ref i) = obj {
            self.stats.bytes_read += u64::from(i.size);
        }
        Ok(obj)
    }

    /// Read object `block` of partition `part` without moving (random access for dump_tape
    /// and verification). Same checks as [`Cartridge::read`].
    pub fn read_at(&self, part: u32, block: u32, buf: &mut Vec<u8>) -> Result<Object> {
        let p = self.part(part)?;
        if block >= p.eod {
            buf.clear();
            return Ok(Object::EndOfData);
        }
        let r = p.record(block)?;
        // Fix: check the record before trusting it. Open checks only the last record (a
        // full scan would read the whole index), so a damaged record in the middle used to
        // read as a filemark where a block was written, report another block number, or have
        // the reader allocate (and zero) gigabytes for a size the block never had.
        if let Some(d) = p.record_fields_problem(block, &r) {
            buf.clear();
            return Err(d.into_error());
        }
        let listed = p.filemarks.binary_search(&block).is_ok();
        if listed != (r.kind() == Some(ObjectKind::Filemark)) {
            buf.clear();
            return Err(CartError::Corrupt {
                file: p.paths[1].clone(),
                offset: u64::from(block) * crate::index::RECORD_SIZE as u64,
                what: format!(
                    "record {block} to be {} as the filemark list in {} says, found type {}",
                    if listed { "a filemark" } else { "a data block" },
                    p.paths[2].display(),
                    r.blk_type.get()
                ),
            });
        }
        match r.kind() {
            Some(ObjectKind::Filemark) => {
                buf.clear();
                Ok(Object::Filemark)
            }
            Some(ObjectKind::Data) => {
                let info = block_info(&r, !p.null_media);
                if p.null_media {
                    buf.clear();
                    return Ok(Object::Data(info));
                }
                let bad = |what: String| CartError::BadBlock {
                    file: p.paths[0].clone(),
                    block,
                    data_offset: info.data_offset,
                    what,
                };
                if let Some(why) = crate::crypt::seal_problem(&r) {
                    buf.clear();
                    return Err(bad(why));
                }
                let comp = if info.flags & FLAG_LZO != 0 {
                    Compression::Lzo
                } else if info.flags & FLAG_ZLIB != 0 {
                    Compression::Zlib(1)
                } else {
                    Compression::None
                };
                // Fix (same reason): no allocation sized by an unchecked record. The stored
                // bytes lie before the end of data, and no LZO1X or zlib stream expands more
                // than MAX_EXPANSION times (deflate's limit is 1032:1, LZO1X's about 255:1).
                let stored_end = info.data_offset + u64::from(info.stored_size);
                if stored_end > p.eod_data_offset {
                    buf.clear();
                    return Err(bad(format!(
                        "its {} stored bytes end at offset {stored_end}, past the end of data at {}",
                        info.stored_size, p.eod_data_offset
                    )));
                }
                if comp != Compression::None
                    && u64::from(info.size)
                        > u64::from(info.stored_size) * MAX_EXPANSION + MAX_EXPANSION
                {
                    buf.clear();
                    return Err(bad(format!(
                        "{} stored bytes cannot decompress to the {} bytes the index says",
                        info.stored_size, info.size
                    )));
                }
                if comp != Compression::None {
                    // Compressed bytes go to a buffer kept between reads (a fresh one when
                    // another thread is using it); its size was checked above.
                    let mut shared = self.read_scratch.try_lock().ok();
                    let mut own = Vec::new();
                    let stored = match shared.as_deref_mut() {
                        Some(s) => &mut s.0,
                        None => &mut own,
                    };
                    let res = p
                        .read_data(info.data_offset, info.stored_size as usize, stored)
                        .and_then(|()| {
                            compress::decompress(comp, stored, info.size as usize, buf).map_err(bad)
                        });
                    if stored.capacity() > MAX_KEPT_SCRATCH {
                        *stored = Vec::new();
                    }
                    if let Err(e) = res {
                        buf.clear();
                        return Err(e);
                    }
                } else if let Err(e) = p.read_data(info.data_offset, info.stored_size as usize, buf)
                {
                    buf.clear();
                    return Err(e);
                } else if info.stored_size != info.size {
                    buf.clear();
                    return Err(bad(format!(
                        "uncompressed block stores {} bytes but its size is {}",
                        info.stored_size, info.size
                    )));
                }
                if info.flags & FLAG_CRC != 0 {
                    let crc = compress::crc32c(buf);
                    if crc != info.crc {
                        buf.clear();
                        return Err(bad(format!(
                            "CRC-32C mismatch: stored {:08x}, computed {crc:08x}",
                            info.crc
                        )));
                    }
                }
                Ok(Object::Data(info))
            }
            None => Err(CartError::Corrupt {
                file: p.paths[1].clone(),
                offset: u64::from(block) * 512,
                what: format!(
                    "a data block or filemark record, found type {}",
                    r.blk_type.get()
                ),
            }),
        }
    }

    // ----------------------------------------------------------------- writing

    pub(crate) fn check_writable_here(&self) -> Result<()> {
        if let Some(why) = self.write_refusal() {
            return Err(CartError::WriteProtected { why });
        }
        if self.mam.medium_type() == MediumType::Worm {
            let p = &self.parts[self.cur];
            let label_case = self.pos == 0 && p.eod == 1 && p.filemarks == [0];
            if self.pos != p.eod && !label_case {
                return Err(CartError::WriteProtected {
                    why: "WORM cartridge: writes only at end of data",
                });
            }
        }
        Ok(())
    }

    /// WRITE one data block of `data.len()` bytes (1 ..= u32::MAX), stored with `comp`,
    /// CRC-32C always, with `key` copied into its index record when given.
    ///
    /// A write before EOD first truncates the tape there (spec 1.4, "Overwrite"). The block
    /// is buffered in memory (index record always, stored bytes below 1 MiB; see
    /// [`Partition`]) and reaches the files, data before index record, when a buffer fills
    /// or at the next flush point. Not durable until the next
    /// [`Cartridge::write_filemarks`] (or [`Cartridge::flush`]). A write error met while
    /// writing out the buffers drops the buffered blocks, moves the position back to the new
    /// EOD and is returned by the call that met it.
    ///
    /// Errors: [`CartError::WriteProtected`], [`CartError::EndOfMedium`] when the stored
    /// bytes do not fit in the partition (nothing is written), I/O errors.
    pub fn write_block(
        &mut self,
        data: &[u8],
        comp: Compression,
        key: Option<&BlockKey>,
    ) -> Result<WriteOutcome> {
        check_block_size(data)?;
        self.check_writable_here()?;
        if self.pos >= MAX_BLOCK_NUMBER {
            return Err(CartError::InvalidArgument(format!(
                "block number {} is past the last one a partition can hold ({MAX_BLOCK_NUMBER})",
                self.pos
            )));
        }
        let null = self.parts[self.cur].null_media;
        // NULL media store nothing and never compress (as mhvtl: flags 0x08 only).
        let comp = if null { Compression::None } else { comp };
        let mut scratch = std::mem::take(&mut self.scratch.0);
        let stored: &[u8] = if comp == Compression::None {
            data
        } else {
            compress::compress(comp, data, &mut scratch);
            &scratch
        };
        let res = self.append_block(data.len(), compress::crc32c(data), stored, comp, |r| {
            key.map_or(Ok(()), |k| r.set_key(k))
        });
        self.scratch.0 = scratch;
        res
    }

    /// WRITE a block that was compressed and checksummed beforehand, possibly on another
    /// thread ([`PreparedBlock::new`]): same rules, checks and on-disk result as
    /// [`Cartridge::write_block`] with the same data and compression. On NULL media the
    /// block is recorded uncompressed (flag 0x08 only) and no bytes are stored.
    pub fn write_prepared(
        &mut self,
        block: &PreparedBlock,
        key: Option<&BlockKey>,
    ) -> Result<WriteOutcome> {
        self.check_writable_here()?;
        if self.pos >= MAX_BLOCK_NUMBER {
            return Err(CartError::InvalidArgument(format!(
                "block number {} is past the last one a partition can hold ({MAX_BLOCK_NUMBER})",
                self.pos
            )));
        }
        let comp = if self.parts[self.cur].null_media {
            Compression::None
        } else {
            block.comp
        };
        self.append_block(block.size as usize, block.crc, &block.stored, comp, |r| {
            key.map_or(Ok(()), |k| r.set_key(k))
        })
    }

    /// Whether the current partition is on NULL media (nothing stored).
    pub(crate) fn current_is_null_media(&self) -> bool {
        self.parts[self.cur].null_media
    }

    /// Append one block of `size` uncompressed bytes with CRC `crc`, stored as `stored`;
    /// `fill` completes the index record (key fields, or a whole sealed record) after the
    /// common fields and `data_offset` are set.
    pub(crate) fn append_block(
        &mut self,
        size: usize,
        crc: u32,
        stored: &[u8],
        comp: Compression,
        fill: impl FnOnce(&mut IndexRecord) -> Result<()>,
    ) -> Result<WriteOutcome> {
        let cur = self.cur;
        // Where the block would go after truncation.
        let start = if self.pos < self.parts[cur].eod {
            self.parts[cur].data_start(self.pos)?
        } else {
            self.parts[cur].eod_data_offset
        };
        let cap = self.capacity(cur as u32);
        let remaining = cap.saturating_sub(start);
        let stored_len = if self.parts[cur].null_media {
            size
        } else {
            stored.len()
        } as u64;
        if stored_len > remaining {
            return Err(CartError::EndOfMedium {
                partition: cur as u32,
                needed: stored_len,
                remaining,
            });
        }
        let mut r = <IndexRecord as zerocopy::FromZeros>::new_zeroed();
        r.data_offset = (start as i64).into();
        r.blk_type = TYPE_DATA.into();
        r.blk_flags = (FLAG_CRC | comp.flag()).into();
        r.blk_number = self.pos.into();
        r.blk_size = (size as u32).into();
        r.disk_blk_size = (stored_len as u32).into();
        r.uncomp_crc = crc.into();
        r.partition_id = (cur as u32).into();
        fill(&mut r)?;
        let pos = self.pos;
        let p = &mut self.parts[cur];
        let res = p.truncate_at(pos).and_then(|()| p.append_block(stored, &r));
        if let Err(e) = res {
            self.clamp_pos();
            return Err(e);
        }
        self.pos += 1;
        self.stats.bytes_written += size as u64;
        Ok(WriteOutcome {
            early_warning: self.remaining(cur as u32) < EARLY_WARNING_BYTES,
        })
    }

    /// WRITE FILEMARKS: write `count` filemarks at the current position (truncating first
    /// when not at EOD), then make everything durable before this returns: the data is
    /// written and fsync'ed, then the filemark list (meta), then the index records, each
    /// fsync'ed (docs/FORMAT.md, "What is durable when"). `count == 0` only flushes (SSC:
    /// synchronize).
    pub fn write_filemarks(&mut self, count: u32) -> Result<WriteOutcome> {
        if count > 0 {
            self.check_writable_here()?;
            if u64::from(self.pos) + u64::from(count) > u64::from(MAX_BLOCK_NUMBER) {
                return Err(CartError::InvalidArgument(format!(
                    "{count} filemarks at block {} would pass block {MAX_BLOCK_NUMBER}",
                    self.pos
                )));
            }
            let pos = self.pos;
            let cur = self.cur;
            let p = &mut self.parts[cur];
            let res = p.truncate_at(pos).and_then(|()| p.write_filemarks(count));
            if let Err(e) = res {
                self.clamp_pos();
                return Err(e);
            }
            self.pos += count;
            // Objects written earlier in other partitions become durable at this point too
            // (docs/FORMAT.md: everything written before WRITE FILEMARKS returns).
            for (i, other) in self.parts.iter_mut().enumerate() {
                if i != cur {
                    other.sync_all()?;
                }
            }
        } else {
            self.flush()?;
        }
        Ok(WriteOutcome {
            early_warning: self.remaining(self.cur as u32) < EARLY_WARNING_BYTES,
        })
    }

    /// Make every object written so far durable: write out the write buffers and fsync
    /// data, index and meta of every partition (the data before the buffered index records
    /// are written).
    ///
    /// A write error found here drops the objects whose index records were still buffered
    /// (see [`Partition`]); the position moves back to EOD if it was past it.
    pub fn flush(&mut self) -> Result<()> {
        if self._lock.is_none() {
            return Ok(());
        }
        let res = self.parts.iter_mut().try_for_each(Partition::sync_all);
        self.clamp_pos();
        res
    }

    /// After a failed write dropped buffered objects: the position is at most EOD.
    fn clamp_pos(&mut self) {
        self.pos = self.pos.min(self.parts[self.cur].eod);
    }

    /// ERASE from the current position to the end of the partition (the tape is truncated
    /// here; SSC ERASE with LONG=1).
    pub fn erase(&mut self) -> Result<()> {
        self.check_writable_here()?;
        let pos = self.pos;
        let p = &mut self.parts[self.cur];
        let res = p.truncate_at(pos).and_then(|()| p.sync_all());
        self.clamp_pos();
        res
    }

    // ----------------------------------------------------------------- MAM

    /// Write the MAM to disk now (legacy: first 1024 bytes of `meta`; v6: `mam` and
    /// `mhvtl_data` replaced atomically). The tape format version on disk is kept as loaded,
    /// so a half-migrated tape stays readable by mhvtl.
    pub fn write_mam(&mut self) -> Result<()> {
        if self._lock.is_none() {
            return Err(CartError::WriteProtected {
                why: "cartridge opened read-only",
            });
        }
        match self.layout.mam {
            MamStore::InMeta => {
                let p = &self.parts[0];
                write_all_at(&p.meta, &p.paths[2], &self.mam.to_legacy_bytes(), 0)?;
                partition::sync(&p.meta, &p.paths[2])?;
            }
            MamStore::PackedFile => {
                replace_file(&self.dir.join("mam"), &self.mam.to_legacy_bytes())?;
            }
            MamStore::Tlv => {
                replace_file(&self.dir.join("mam"), &self.mam.to_mam_tlv())?;
                replace_file(&self.dir.join("mhvtl_data"), &self.mam.to_mhvtl_data_tlv())?;
            }
        }
        self.mam_changed = false;
        Ok(())
    }

    /// UNLOAD: flush, then (when this handle counted a load or changed anything) write the
    /// MAM back with the statistics of this load: remaining capacity of partition 0, MiB
    /// written/read in this load and in the medium's life (SPC-5 attributes 0x0220..0x0223),
    /// date last written, record_dirty cleared. Releases the lock.
    pub fn unload(mut self) -> Result<()> {
        if self._lock.is_none() {
            return Ok(());
        }
        self.flush()?;
        let wrote = self.stats.bytes_written > 0;
        if self.counted_load || wrote || self.mam_changed {
            let m = self.mbyte_counters();
            let b = &mut self.mam.base;
            b.written_in_last_load = m.written_in_load.into();
            b.read_in_last_load = m.read_in_load.into();
            b.written_in_medium_life = m.written_in_medium_life.into();
            b.read_in_medium_life = m.read_in_medium_life.into();
            if self.stats.bytes_written > 0 {
                b.date_time_last_written = timestamp_yyyymmddhhmm();
            }
            b.record_dirty = 0;
            let rem = self.remaining(0);
            self.mam.base.remaining_capacity = rem.into();
            self.write_mam()?;
        }
        Ok(())
    }
}

fn block_info(r: &IndexRecord, payload_present: bool) -> BlockInfo {
    BlockInfo {
        block: r.blk_number.get(),
        size: r.blk_size.get(),
        stored_size: r.disk_blk_size.get(),
        flags: r.blk_flags.get(),
        crc: r.uncomp_crc.get(),
        data_offset: r.offset(),
        key: r.block_key(),
        sealed: crate::crypt::SealedBlock::from_record(r).map(Box::new),
        payload_present,
    }
}

/// Current UTC time as the 12 ASCII digits YYYYMMDDHHMM (SPC-5 DATE AND TIME LAST WRITTEN),
/// honouring `SOURCE_DATE_EPOCH`.
fn timestamp_yyyymmddhhmm() -> [u8; 12] {
    let secs = crate::source_date_epoch();
    let days = (secs / 86400) as i64;
    let rem = secs % 86400;
    // Civil-from-days (Howard Hinnant's algorithm, public domain).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let s = format!(
        "{:04}{:02}{:02}{:02}{:02}",
        y,
        m,
        d,
        rem / 3600,
        (rem % 3600) / 60
    );
    let mut out = [0u8; 12];
    out.copy_from_slice(&s.as_bytes()[..12]);
    out
}

/// A block to write must hold 1 ..= u32::MAX bytes (the index record's size field):
/// [`CartError::InvalidArgument`] otherwise.
pub(crate) fn check_block_size(data: &[u8]) -> Result<()> {
    if data.is_empty() || data.len() > u32::MAX as usize {
        return Err(CartError::InvalidArgument(format!(
            "block size {} is outside 1 ..= {}",
            data.len(),
            u32::MAX
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::mam::NewMam;
    use crate::media::Density;
    use crate::partition::crash_sim;
    use crate::testing::open_writable;

    /// A block written straight to the data file, past the data buffer.
    const BIG: usize = crate::partition::DIRECT_WRITE_BYTES + 4000;

    fn tape(home: &Path, format: Format) -> PathBuf {
        let dir = home.join("BUF001L8");
        let mam = Mam::new_cartridge(&NewMam {
            pcl: "BUF001L8",
            density: Density::lookup("LTO8").unwrap(),
            medium_type: MediumType::Data,
            capacity: 64 << 20,
            epoch: 1_700_000_000,
            v6: format == Format::V6,
            application_vendor: *b"vtl test",
        });
        Cartridge::create(
            &dir,
            &CreateSpec {
                format,
                mam,
                force: false,
            },
        )
        .unwrap();
        dir
    }

    fn block(n: u32, len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| (i as u32 ^ n.wrapping_mul(131)) as u8)
            .collect()
    }

    fn len(p: &Path) -> u64 {
        std::fs::metadata(p).unwrap().len()
    }

    /// Reopen without `recover` (fails on any damage) and read every object: `want[n]` is
    /// `Some(size)` for data block `block(n, size)`, `None` for a filemark.
    fn check_tape(dir: &Path, want: &[Option<usize>]) {
        let mut c = Cartridge::open(dir, &OpenOptionsCart::default()).unwrap();
        let mut buf = Vec::new();
        for (n, w) in want.iter().enumerate() {
            match (c.read(&mut buf).unwrap(), w) {
                (Object::Data(i), Some(size)) => {
                    assert_eq!(i.block, n as u32);
                    assert!(buf == block(n as u32, *size), "block {n}");
                }
                (Object::Filemark, None) => {}
                (o, w) => panic!("object {n}: {o:?}, expected {w:?}"),
            }
        }
        assert_eq!(c.read(&mut buf).unwrap(), Object::EndOfData);
    }

    /// A tape holding blocks 0..3 (1000 bytes, LZO for block 1) and a filemark, durable.
    fn durable_start(dir: &Path) -> (Cartridge, Vec<Option<usize>>) {
        let mut c = open_writable(dir);
        for n in 0..3 {
            let comp = if n == 1 {
                Compression::Lzo
            } else {
                Compression::None
            };
            c.write_block(&block(n, 1000), comp, None).unwrap();
        }
        c.write_filemarks(1).unwrap();
        (c, vec![Some(1000), Some(1000), Some(1000), None])
    }

    #[test]
    fn buffered_blocks_read_back_before_and_after_flush() {
        let home = tempfile::tempdir().unwrap();
        let dir = tape(home.path(), Format::V6);
        let (mut c, mut want) = durable_start(&dir);
        let paths = c.partition(0).unwrap().paths().clone();
        let (data_len, indx_len) = (len(&paths[0]), len(&paths[1]));
        // Small blocks stay in memory; a large one goes to the data file at once.
        for (n, size) in [(4, 100), (5, BIG), (6, 3000), (7, 5)] {
            c.write_block(&block(n, size), Compression::None, None)
                .unwrap();
            want.push(Some(size));
        }
        assert_eq!(len(&paths[1]), indx_len, "index records are buffered");
        assert_eq!(
            len(&paths[0]),
            data_len + 100 + BIG as u64,
            "small data buffered"
        );
        // Read from the buffers (and the file) before anything is flushed.
        let mut buf = Vec::new();
        for n in 4..8u32 {
            let Object::Data(i) = c.read_at(0, n, &mut buf).unwrap() else {
                panic!("block {n}")
            };
            assert!(buf == block(n, want[n as usize].unwrap()), "block {n}");
            assert_eq!(c.record(0, n).unwrap().blk_number.get(), n);
            assert_eq!(i.block, n);
        }
        // Overwrite inside the buffered range: dropped from the buffers, not written.
        c.locate(0, 6).unwrap();
        c.write_block(&block(6, 2000), Compression::Lzo, None)
            .unwrap();
        want.truncate(6);
        want.push(Some(2000));
        // Overwrite of the large block that already reached the data file.
        c.locate(0, 5).unwrap();
        c.write_block(&block(5, 10), Compression::None, None)
            .unwrap();
        want.truncate(5);
        want.push(Some(10));
        assert_eq!(len(&paths[0]), data_len + 100, "data file cut back");
        c.write_filemarks(0).unwrap();
        check_tape(&dir, &want);
        // Dropping a handle writes its buffers out (best effort, no fsync).
        c.seek_eod();
        c.write_block(&block(6, 300), Compression::Zlib(1), None)
            .unwrap();
        want.push(Some(300));
        drop(c);
        check_tape(&dir, &want);
    }

    #[test]
    fn read_ahead_follows_overwrites() {
        let home = tempfile::tempdir().unwrap();
        let dir = tape(home.path(), Format::Legacy);
        let mut c = open_writable(&dir);
        let mut want = Vec::new();
        for n in 0..300 {
            c.write_block(&block(n, 64), Compression::None, None)
                .unwrap();
            want.push(Some(64));
        }
        c.write_filemarks(1).unwrap();
        want.push(None);
        let mut buf = Vec::new();
        c.rewind();
        for _ in 0..150 {
            c.read(&mut buf).unwrap();
        }
        // Records 150.. are in the read-ahead cache now; overwrite from 140.
        c.locate(0, 140).unwrap();
        for n in 140..160 {
            c.write_block(&block(n, 65), Compression::None, None)
                .unwrap();
        }
        want.truncate(140);
        want.extend(std::iter::repeat_n(Some(65), 20));
        c.write_filemarks(1).unwrap();
        want.push(None);
        c.locate(0, 100).unwrap();
        for n in 100..=160u32 {
            let o = c.read(&mut buf).unwrap();
            match want[n as usize] {
                Some(size) => {
                    assert!(matches!(o, Object::Data(_)), "block {n}: {o:?}");
                    assert!(buf == block(n, size), "block {n}");
                }
                None => assert_eq!(o, Object::Filemark, "block {n}"),
            }
        }
        assert_eq!(c.read(&mut buf).unwrap(), Object::EndOfData);
        c.unload().unwrap();
        check_tape(&dir, &want);
    }

    /// Short writes (the data or index write stops part way) leave no torn tail: the files
    /// are cut back to the last object whose record reached the index file (that record
    /// kept, not one fewer), the tape opens without damage and reads back.
    #[test]
    fn short_writes_cut_back_to_the_last_whole_record() {
        for (file, budget) in [(0usize, 1500u64), (1, 700), (1, 0), (0, 0)] {
            for format in [Format::Legacy, Format::V6] {
                let ctx = format!("file {file} budget {budget} {format:?}");
                let home = tempfile::tempdir().unwrap();
                let dir = tape(home.path(), format);
                let (mut c, want) = durable_start(&dir);
                let paths = c.partition(0).unwrap().paths().clone();
                let (data_len, indx_len) = (len(&paths[0]), len(&paths[1]));
                for n in 4..14 {
                    c.write_block(&block(n, 500), Compression::None, None)
                        .unwrap();
                }
                *c.parts[0].fault.lock().unwrap() = Some((file, budget));
                let e = c.write_filemarks(1).unwrap_err();
                assert!(matches!(e, CartError::Io { .. }), "{ctx}: {e}");
                assert_eq!(c.partition(0).unwrap().eod(), 4, "{ctx}");
                assert_eq!(c.position().block, 4, "{ctx}");
                assert_eq!(len(&paths[0]), data_len, "{ctx}");
                assert_eq!(len(&paths[1]), indx_len, "{ctx}");
                *c.parts[0].fault.lock().unwrap() = None;
                drop(c);
                check_tape(&dir, &want);
            }
        }
    }

    #[test]
    fn failed_direct_write_drops_only_unwritten_records() {
        let home = tempfile::tempdir().unwrap();
        let dir = tape(home.path(), Format::V6);
        let (mut c, mut want) = durable_start(&dir);
        let paths = c.partition(0).unwrap().paths().clone();
        // Make index writes go through: flush a few buffered blocks by hand.
        for n in 4..6 {
            c.write_block(&block(n, 800), Compression::None, None)
                .unwrap();
            want.push(Some(800));
        }
        c.parts[0].flush_pending().unwrap();
        let data_len = len(&paths[0]);
        c.write_block(&block(6, 900), Compression::None, None)
            .unwrap();
        // The buffered 900 bytes are written before the large block, which fails halfway.
        *c.parts[0].fault.lock().unwrap() = Some((0, 900 + 50_000));
        let e = c
            .write_block(&block(7, BIG), Compression::None, None)
            .unwrap_err();
        assert!(matches!(e, CartError::Io { .. }), "{e}");
        // Block 6's record never reached the index: it goes too; 0..6 stay.
        assert_eq!(c.partition(0).unwrap().eod(), 6);
        assert_eq!(c.position().block, 6);
        assert_eq!(len(&paths[0]), data_len);
        *c.parts[0].fault.lock().unwrap() = None;
        c.write_block(&block(6, 42), Compression::None, None)
            .unwrap();
        want.push(Some(42));
        c.unload().unwrap();
        check_tape(&dir, &want);
    }

    /// More filemarks than one index buffer holds: written in several `pwrite`s; a failure
    /// after the first ones reached the index takes them all out again.
    #[test]
    fn many_filemarks_in_one_call() {
        let home = tempfile::tempdir().unwrap();
        let dir = tape(home.path(), Format::V6);
        let (mut c, mut want) = durable_start(&dir);
        let paths = c.partition(0).unwrap().paths().clone();
        let indx_len = len(&paths[1]);
        c.write_block(&block(4, 10), Compression::None, None)
            .unwrap();
        *c.parts[0].fault.lock().unwrap() = Some((1, 3000 * 512));
        assert!(c.write_filemarks(5000).is_err());
        // Block 4 and the first filemarks reached the index; the filemarks are undone.
        assert_eq!(c.partition(0).unwrap().eod(), 5);
        assert_eq!(c.partition(0).unwrap().filemarks(), &[3]);
        assert_eq!(len(&paths[1]), indx_len + 512);
        assert_eq!(c.position().block, 5);
        *c.parts[0].fault.lock().unwrap() = None;
        want.push(Some(10));
        c.write_filemarks(5000).unwrap();
        want.extend(std::iter::repeat_n(None, 5000));
        assert_eq!(c.partition(0).unwrap().filemarks().len(), 5001);
        drop(c);
        check_tape(&dir, &want);
    }

    /// What a crashed session must have left behind.
    #[derive(Default)]
    struct Crashed {
        /// The tape as the session wrote it so far (`Some(size)`: `block(n, size)`).
        objs: Vec<Option<usize>>,
        /// The tape just before each overwrite since the last durability point: the files
        /// may still hold any prefix of one of these, or of `objs`.
        states: Vec<Vec<Option<usize>>>,
        /// Objects that must survive: those of the last durability point that returned,
        /// before any later overwrite.
        required: usize,
    }

    impl Crashed {
        /// An operation returned `res`; false once the simulated process is dead.
        fn step<T: std::fmt::Debug>(&mut self, res: Result<T>, durable: bool) -> bool {
            let dead = crash_sim::crashed();
            if let (Err(e), false) = (&res, dead) {
                panic!("error before the crash: {e}");
            }
            if durable && !dead {
                self.states.clear();
                self.required = self.objs.len();
            }
            !dead
        }

        fn cut(&mut self, at: usize) {
            if at < self.objs.len() {
                self.states.push(self.objs.clone());
                self.required = self.required.min(at);
                self.objs.truncate(at);
            }
        }

        fn put(&mut self, c: &mut Cartridge, size: usize, comp: Compression) -> Result<()> {
            let n = c.position().block;
            self.cut(n as usize);
            self.objs.push(Some(size));
            c.write_block(&block(n, size), comp, None).map(drop)
        }

        fn marks(&mut self, c: &mut Cartridge, count: u32) -> Result<()> {
            if count > 0 {
                self.cut(c.position().block as usize);
                self.objs.extend(std::iter::repeat_n(None, count as usize));
            }
            c.write_filemarks(count).map(drop)
        }
    }

    /// A session that goes through every kind of file change: buffered and direct blocks,
    /// filemarks (also more than an index buffer holds), overwrites into durable objects,
    /// erase, a full index buffer, unload and reload (MAM writes). Stops once the simulated
    /// process is dead.
    fn crash_session(dir: &Path, t: &mut Crashed) {
        macro_rules! op {
            ($res:expr, $durable:expr) => {
                let res = $res;
                if !t.step(res, $durable) {
                    return;
                }
            };
        }
        let o = OpenOptionsCart {
            write: true,
            count_load: true,
            ..Default::default()
        };
        let mut c = Cartridge::open(dir, &o).unwrap();
        op!(Ok(()), false);
        for n in 0..3 {
            let comp = if n == 1 {
                Compression::Lzo
            } else {
                Compression::None
            };
            op!(t.put(&mut c, 1000, comp), false);
        }
        op!(t.marks(&mut c, 1), true);
        for _ in 0..5 {
            op!(t.put(&mut c, 300, Compression::None), false);
        }
        op!(t.put(&mut c, BIG, Compression::None), false);
        for _ in 0..2 {
            op!(t.put(&mut c, 2000, Compression::Zlib(1)), false);
        }
        op!(t.marks(&mut c, 2), true);
        // Overwrite into durable objects, through a filemark.
        op!(c.locate(0, 2), false);
        op!(t.put(&mut c, 777, Compression::None), false);
        op!(t.put(&mut c, BIG + 1, Compression::None), false);
        op!(t.marks(&mut c, 1), true);
        // More filemark records than the index buffer holds.
        op!(t.marks(&mut c, 2050), true);
        op!(t.put(&mut c, 10, Compression::Lzo), false);
        op!(c.locate(0, 5), false);
        t.cut(5);
        op!(c.erase(), true);
        // The index buffer (2048 records) and the data buffer (1 MiB) fill up.
        for _ in 0..2060 {
            op!(t.put(&mut c, 600, Compression::None), false);
        }
        op!(t.marks(&mut c, 1), true);
        op!(t.put(&mut c, 20, Compression::None), false);
        op!(c.unload(), true);
        let mut c = Cartridge::open(dir, &o).unwrap();
        op!(Ok(()), false);
        op!(c.locate(0, 1), false);
        op!(t.put(&mut c, 55, Compression::Zlib(1)), false);
        op!(c.flush(), true);
        op!(t.put(&mut c, 11, Compression::None), false);
        drop(c);
        t.step(Ok(()), false);
    }

    /// Open the tape a crashed session left (strictly, else recover it), check it is
    /// consistent and holds what it must. Returns the strict open's error, if any.
    fn check_crashed(dir: &Path, t: &Crashed, ctx: &str) -> Option<String> {
        let (err, c) = match Cartridge::open(dir, &OpenOptionsCart::default()) {
            Ok(c) => (None, c),
            Err(CartError::Corrupt { file, what, .. }) => {
                let o = OpenOptionsCart {
                    write: true,
                    recover: true,
                    ..Default::default()
                };
                let mut c = Cartridge::open(dir, &o)
                    .unwrap_or_else(|e| panic!("{ctx}: open with recover: {e}"));
                let keep = c.recovery_plans()[0].keep_objects as usize;
                assert!(keep >= t.required, "{ctx}: recovery keeps {keep}");
                c.apply_recovery()
                    .unwrap_or_else(|e| panic!("{ctx}: apply_recovery: {e}"));
                drop(c);
                let c = Cartridge::open(dir, &OpenOptionsCart::default())
                    .unwrap_or_else(|e| panic!("{ctx}: recovered tape: {e}"));
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                let kind = [
                    ("the data file to end", "bytes after the last record"),
                    ("an index size", "torn index record"),
                    ("a file of", "filemark count disagrees with the size"),
                    (
                        "the last filemark below EOD",
                        "listed filemark at or past EOD",
                    ),
                ]
                .iter()
                .find(|(p, _)| what.starts_with(p))
                .map_or(what.as_str(), |(_, k)| k);
                let name = name.split('.').next().unwrap();
                (Some(format!("{name}: {kind}")), c)
            }
            Err(e) => panic!("{ctx}: strict open: {e}"),
        };
        let p = c.partition(0).unwrap();
        let [data, indx, _] = p.paths();
        assert_eq!(len(indx), u64::from(p.eod()) * 512, "{ctx}");
        assert_eq!(len(data), p.eod_data_offset(), "{ctx}");
        let (mut disk, mut fms, mut buf) = (Vec::new(), Vec::new(), Vec::new());
        for n in 0..p.eod() {
            let is_fm = c.record(0, n).unwrap().blk_type.get() == crate::index::TYPE_FILEMARK;
            match c.read_at(0, n, &mut buf) {
                Ok(Object::Data(_)) if !is_fm => {
                    assert!(buf == block(n, buf.len()), "{ctx}: block {n}");
                    disk.push(Some(buf.len()));
                }
                Ok(Object::Filemark) if is_fm => {
                    fms.push(n);
                    disk.push(None);
                }
                o => panic!("{ctx}: object {n}: {o:?}"),
            }
        }
        assert_eq!(fms, p.filemarks(), "{ctx}: filemark list");
        assert!(
            disk.len() >= t.required,
            "{ctx}: {} objects, {} acknowledged",
            disk.len(),
            t.required
        );
        assert!(
            t.states
                .iter()
                .chain([&t.objs])
                .any(|s| s.len() >= disk.len() && s[..disk.len()] == disk[..]),
            "{ctx}: the tape is no prefix of what the session wrote"
        );
        err
    }

    /// Crash a session after every one of its file changes (and, again, with the write at
    /// each point torn in half): every state left is either consistent or refused by a
    /// strict open with [`CartError::Corrupt`], recovery then keeps everything up to the last
    /// durability point, and the tape is a prefix of one the session wrote.
    #[test]
    fn every_crash_point_is_consistent_or_detected() {
        std::thread::scope(|s| {
            for format in [Format::Legacy, Format::V6] {
                for tear in [false, true] {
                    s.spawn(move || crash_every_change(format, tear));
                }
            }
        });
    }

    fn crash_every_change(format: Format, tear: bool) {
        let empty = tempfile::tempdir().unwrap();
        let template = tape(empty.path(), format);
        let mut outcomes: std::collections::BTreeMap<String, u32> = Default::default();
        for k in 0.. {
            let home = tempfile::tempdir().unwrap();
            let dir = home.path().join("BUF001L8");
            std::fs::create_dir(&dir).unwrap();
            for e in std::fs::read_dir(&template).unwrap() {
                let e = e.unwrap();
                std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
            }
            let mut t = Crashed::default();
            crash_sim::arm(k, tear);
            crash_session(&dir, &mut t);
            if !crash_sim::disarm() {
                // The session ran to its end.
                assert!(k > 40, "{format:?}: only {k} changes");
                break;
            }
            let ctx = format!("{format:?}, crash after {k} changes, tear {tear}");
            let what = check_crashed(&dir, &t, &ctx);
            *outcomes.entry(what.unwrap_or("clean".into())).or_default() += 1;
        }
        eprintln!("{format:?}, tear {tear}: {outcomes:?}");
    }

    #[test]
    fn handle_stays_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Cartridge>();
    }

    #[test]
    fn timestamp_format() {
        // SAFETY-free: only reads the env var in this process's test thread.
        let t = timestamp_yyyymmddhhmm();
        assert!(t.iter().all(u8::is_ascii_digit));
    }
}
