//! One partition's file triple: data, index and meta (filemark list), spec 1.3–1.5.
//!
//! This module reads and validates the files, reads and appends records, truncates for
//! overwrite, and keeps the filemark list in memory. Positioning and the SSC rules live in
//! [`crate::cartridge`].

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zerocopy::{FromBytes, FromZeros, IntoBytes};

use crate::error::{CartError, Result};
use crate::index::{
    FLAG_CRC, FLAG_ENCRYPTED, FLAG_LZO, FLAG_ZLIB, IndexRecord, RECORD_SIZE, TYPE_DATA,
    TYPE_FILEMARK,
};
use crate::layout::Layout;

/// Size of the filemark header in `meta` after any MAM: a u32 count then 508 zero bytes.
pub const META_HEADER_SIZE: u64 = 512;

/// Stored bytes of small blocks are collected in memory and written to the data file with
/// one `pwrite` once this many are buffered (and at every flush point, see
/// [`Partition`]).
pub const DATA_BUFFER_BYTES: usize = 1 << 20;

/// Blocks that store at least this many bytes (the buffer size) bypass the data buffer:
/// they are written to the data file at once, without a copy (only their index record is
/// buffered). Measured on the reference machine: for smaller blocks, down to 8 KiB, the
/// copy into the buffer costs less than one `pwrite` per block, and from 128 KiB up the two
/// are level.
pub const DIRECT_WRITE_BYTES: usize = DATA_BUFFER_BYTES;

/// Index records are collected in memory and written with one `pwrite` once this many bytes
/// (2048 records) are buffered, and at every flush point.
pub const INDEX_BUFFER_BYTES: usize = 1 << 20;

/// Index records read with one `pread` when records are read in ascending order.
const READ_AHEAD_RECORDS: u32 = 64;

/// A problem found while opening a partition: which file, where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The file at fault.
    pub file: PathBuf,
    /// Byte offset of the problem.
    pub offset: u64,
    /// What was expected and what was found.
    pub what: String,
}

impl Damage {
    /// Convert into the crate error.
    pub fn into_error(self) -> CartError {
        CartError::Corrupt {
            file: self.file,
            offset: self.offset,
            what: self.what,
        }
    }
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: offset {}: expected {}",
            self.file.display(),
            self.offset,
            self.what
        )
    }
}

/// What recovery would cut from a damaged partition to get back to its last intact object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryPlan {
    /// Partition number.
    pub partition: u32,
    /// Objects (records) kept: blocks `0..keep_objects`.
    pub keep_objects: u32,
    /// Whole or partial index records present before recovery (index bytes / 512, rounded up).
    pub objects_before: u64,
    /// Index file size before and after (bytes).
    pub index_bytes: (u64, u64),
    /// Data file size before and after (bytes).
    pub data_bytes: (u64, u64),
    /// Filemark list before (as stored, possibly inconsistent) and after (rebuilt from the
    /// kept index records).
    pub filemarks_before: Vec<u32>,
    /// Filemarks after recovery.
    pub filemarks_after: Vec<u32>,
    /// The problems that made recovery necessary.
    pub damage: Vec<Damage>,
}

impl RecoveryPlan {
    /// True when nothing needs to change.
    pub fn is_clean(&self) -> bool {
        self.damage.is_empty()
    }
}

/// An open partition.
///
/// Writes are buffered: the index records of new objects, and the stored bytes of blocks
/// smaller than [`DIRECT_WRITE_BYTES`], are kept in memory (at most [`INDEX_BUFFER_BYTES`] and
/// [`DATA_BUFFER_BYTES`]) and written out, data before index, when a buffer is full, before
/// any fsync (write_filemarks, flush, erase, unload), before the index is truncated, and when
/// the partition is dropped (best effort). Reads of buffered objects are served from memory.
/// A failed write drops every object whose index record is not yet in the index file and cuts
/// the files back to the last one that is, so a torn tail is never taken for good data.
///
/// On disk two rules hold after every single write or truncation, so wherever a process is
/// killed: every index record points at bytes that are in the data file (data is written
/// before the records that point to it and cut after them), and every filemark record in the
/// index is listed in meta (the list grows before the records are written and shrinks after
/// they are cut). A crash therefore leaves only tails that open reports without scanning the
/// index (docs/FORMAT.md, "What is durable when"; tests/crash.rs and
/// `every_crash_point_is_consistent_or_detected` check it).
pub struct Partition {
    /// Partition number (0..=3).
    pub number: u32,
    pub(crate) data: File,
    pub(crate) indx: File,
    pub(crate) meta: File,
    pub(crate) paths: [PathBuf; 3],
    /// Bytes before the filemark header in meta (1024 legacy, else 0).
    pub(crate) meta_base: u64,
    /// EOD: number of logical objects (index records).
    pub(crate) eod: u32,
    /// Where the next data block's bytes go.
    pub(crate) eod_data_offset: u64,
    /// Filemark block numbers, ascending.
    pub(crate) filemarks: Vec<u32>,
    /// NULL media: data bytes are never stored.
    pub(crate) null_media: bool,
    /// Objects `0..disk_eod` have their index records in the index file; the records of
    /// `disk_eod..eod` are in `pend_idx`.
    disk_eod: u32,
    /// Where the data of objects `0..disk_eod` ends: what a failed write cuts back to.
    disk_rec_end: u64,
    /// Bytes written to the data file: bytes `disk_data_end..eod_data_offset` are in
    /// `pend_data` (not used on NULL media).
    disk_data_end: u64,
    /// Buffered index records (512 bytes each) of objects `disk_eod..eod`.
    pend_idx: Vec<u8>,
    /// Buffered stored bytes, to be written at `disk_data_end`.
    pend_data: Vec<u8>,
    /// Read-ahead of index records from the index file (never of buffered ones).
    cache: Mutex<RecordCache>,
    /// Tests: (file 0 = data, 1 = index, bytes that may still be written to it): a write
    /// past the budget writes only up to it and fails with ENOSPC (a short write).
    #[cfg(test)]
    pub(crate) fault: Mutex<Option<(usize, u64)>>,
}

impl std::fmt::Debug for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Partition")
            .field("number", &self.number)
            .field("paths", &self.paths)
            .field("meta_base", &self.meta_base)
            .field("eod", &self.eod)
            .field("eod_data_offset", &self.eod_data_offset)
            .field("filemarks", &self.filemarks)
            .field("null_media", &self.null_media)
            .field("disk_eod", &self.disk_eod)
            .field("disk_data_end", &self.disk_data_end)
            .field("buffered_index_bytes", &self.pend_idx.len())
            .field("buffered_data_bytes", &self.pend_data.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Partition {
    /// Best effort: a handle dropped without unload or flush still writes its buffered
    /// objects (not fsync'ed, as before buffering: they were never durable). On failure the
    /// files are cut back to the last object whose index record was written.
    fn drop(&mut self) {
        let _ = self.flush_pending();
    }
}

/// Index records read ahead: records `first..first + bytes.len() / 512`.
#[derive(Debug, Default)]
struct RecordCache {
    first: u32,
    bytes: Vec<u8>,
    /// The record asked for last (to tell sequential reads from random ones).
    last: Option<u32>,
}

impl RecordCache {
    fn get(&self, n: u32) -> Option<IndexRecord> {
        let i = (n.checked_sub(self.first)? as usize).checked_mul(RECORD_SIZE)?;
        let b = self.bytes.get(i..i + RECORD_SIZE)?;
        Some(IndexRecord::read_from_bytes(b).expect("512-byte slice"))
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.last = None;
    }
}

fn open_file(path: &Path, write: bool) -> Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(write)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| open_error(path, e))
}

/// The error for a failed open of a tape file: a symbolic link (refused: O_NOFOLLOW gives
/// ELOOP) is named as such rather than as "too many levels of symbolic links".
pub(crate) fn open_error(path: &Path, e: std::io::Error) -> CartError {
    if e.raw_os_error() == Some(libc::ELOOP) {
        CartError::io(path, "open (a tape file may not be a symbolic link)", e)
    } else {
        CartError::io(path, "open", e)
    }
}

fn file_len(f: &File, path: &Path) -> Result<u64> {
    Ok(f.metadata()
        .map_err(|e| CartError::io(path, "stat", e))?
        .len())
}

/// Read exactly `buf.len()` bytes at `off`; a short file is reported as corrupt.
pub(crate) fn read_exact_at(f: &File, path: &Path, buf: &mut [u8], off: u64) -> Result<()> {
    match f.read_exact_at(buf, off) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(CartError::Corrupt {
            file: path.to_path_buf(),
            offset: off,
            what: format!("{} bytes here, but the file ends first", buf.len()),
        }),
        Err(e) => Err(CartError::io(path, "read", e)),
    }
}

pub(crate) fn write_all_at(f: &File, path: &Path, buf: &[u8], off: u64) -> Result<()> {
    #[cfg(test)]
    let buf = &buf[..crash_sim::allow(buf.len())];
    f.write_all_at(buf, off)
        .map_err(|e| CartError::io(path, "write", e))
}

pub(crate) fn set_len(f: &File, path: &Path, len: u64) -> Result<()> {
    #[cfg(test)]
    if crash_sim::allow(1) == 0 {
        return Ok(());
    }
    f.set_len(len)
        .map_err(|e| CartError::io(path, "write (truncate)", e))
}

pub(crate) fn sync(f: &File, path: &Path) -> Result<()> {
    #[cfg(test)]
    if crash_sim::armed() {
        return Ok(());
    }
    f.sync_data().map_err(|e| CartError::io(path, "fsync", e))
}

/// Sizes and contents read from the three files, before validation.
struct Raw {
    data_len: u64,
    indx_len: u64,
    meta_len: u64,
    stored_count: Option<u32>,
    stored_filemarks: Vec<u32>,
}

impl Partition {
    /// Open partition `number` of the cartridge in `dir`.
    ///
    /// With `recover` false, any inconsistency is an error naming the file and offset.
    /// With `recover` true, the partition is opened as it would be after
    /// [`Partition::recovery_plan`] (in memory only: files are not changed) and the plan is
    /// returned beside it.
    pub(crate) fn open(
        dir: &Path,
        layout: Layout,
        number: u32,
        write: bool,
        null_media: bool,
        recover: bool,
    ) -> Result<(Partition, RecoveryPlan)> {
        let paths = layout.partition_files(dir, number);
        let data = open_file(&paths[0], write)?;
        let indx = open_file(&paths[1], write)?;
        let meta = open_file(&paths[2], write)?;
        let mut p = Partition {
            number,
            data,
            indx,
            meta,
            paths,
            meta_base: layout.meta_base(),
            eod: 0,
            eod_data_offset: 0,
            filemarks: Vec::new(),
            null_media,
            disk_eod: 0,
            disk_rec_end: 0,
            disk_data_end: 0,
            pend_idx: Vec::new(),
            pend_data: Vec::new(),
            cache: Mutex::new(RecordCache::default()),
            #[cfg(test)]
            fault: Mutex::new(None),
        };
        let raw = p.read_raw()?;
        // Every whole record in the index file is readable while checking.
        p.disk_eod = u32::try_from(raw.indx_len / RECORD_SIZE as u64).unwrap_or(u32::MAX);
        let plan = p.check(&raw)?;
        if !plan.is_clean() && !recover {
            return Err(plan.damage[0].clone().into_error());
        }
        p.eod = plan.keep_objects;
        p.filemarks = plan.filemarks_after.clone();
        p.eod_data_offset = if p.eod == 0 {
            0
        } else {
            p.record(p.eod - 1)?.end_offset()
        };
        p.disk_eod = p.eod;
        p.disk_rec_end = p.eod_data_offset;
        p.disk_data_end = p.eod_data_offset;
        p.invalidate_cache();
        Ok((p, plan))
    }

    fn read_raw(&self) -> Result<Raw> {
        let data_len = file_len(&self.data, &self.paths[0])?;
        let indx_len = file_len(&self.indx, &self.paths[1])?;
        let meta_len = file_len(&self.meta, &self.paths[2])?;
        let hdr = self.meta_base + META_HEADER_SIZE;
        let mut stored_count = None;
        let mut stored_filemarks = Vec::new();
        if meta_len >= self.meta_base + 4 {
            let mut b = [0u8; 4];
            read_exact_at(&self.meta, &self.paths[2], &mut b, self.meta_base)?;
            let count = u32::from_le_bytes(b);
            stored_count = Some(count);
            // Read what is there, at most `count` entries.
            let avail = meta_len.saturating_sub(hdr) / 4;
            let n = avail.min(u64::from(count)) as usize;
            if n > 0 {
                let mut buf = vec![0u8; n * 4];
                read_exact_at(&self.meta, &self.paths[2], &mut buf, hdr)?;
                stored_filemarks = buf
                    .chunks_exact(4)
                    .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
                    .collect();
            }
        }
        Ok(Raw {
            data_len,
            indx_len,
            meta_len,
            stored_count,
            stored_filemarks,
        })
    }

    /// Validate the partition and work out the recovery plan (empty `damage` = healthy).
    ///
    /// Checks (spec 1.3–1.5, 1.10): index size a multiple of 512; the last record is a data
    /// block or filemark numbered like its slot, with sane fields, starting where the record
    /// before it ends; the data file holds every byte the index points to and nothing after
    /// it (not for NULL media); the meta header is whole, its count matches its size,
    /// filemarks ascend, lie below EOD and are filemark records, and the last record, when it
    /// is a filemark, is the last one listed. When anything is wrong, every record is checked
    /// and recovery keeps the records before the first bad one (and rebuilds the list).
    ///
    /// Every state a crash can leave (docs/FORMAT.md, "What is durable when") is either
    /// consistent or fails one of these checks; none of them scans the index.
    fn check(&self, raw: &Raw) -> Result<RecoveryPlan> {
        let mut damage = Vec::new();
        let [_, indx_path, meta_path] = &self.paths;
        let whole = raw.indx_len / RECORD_SIZE as u64;
        if !raw.indx_len.is_multiple_of(RECORD_SIZE as u64) {
            damage.push(Damage {
                file: indx_path.clone(),
                offset: whole * RECORD_SIZE as u64,
                what: format!(
                    "an index size that is a multiple of 512 bytes, found {} bytes ({} whole records and a torn record of {} bytes)",
                    raw.indx_len,
                    whole,
                    raw.indx_len % RECORD_SIZE as u64
                ),
            });
        }
        if whole > u64::from(crate::index::MAX_BLOCK_NUMBER) {
            return Err(CartError::Corrupt {
                file: indx_path.clone(),
                offset: 0,
                what: format!(
                    "at most {} records, found {whole}",
                    crate::index::MAX_BLOCK_NUMBER
                ),
            });
        }
        // Walk back from the last whole record to the last intact one.
        let mut keep = whole as u32;
        while keep > 0 {
            let n = keep - 1;
            let r = self.record(n)?;
            // Fix: the last record is also checked against the end of the one before it; a
            // damaged data_offset there would otherwise become the data end, and the next
            // write would land on top of earlier blocks' bytes.
            let prev_end = if n == 0 {
                0
            } else {
                self.record(n - 1)?.end_offset()
            };
            match self.record_problem(n, &r, prev_end, raw.data_len) {
                None => break,
                Some(d) => {
                    damage.push(d);
                    keep -= 1;
                }
            }
        }
        // Meta: header and filemark list.
        let hdr = self.meta_base + META_HEADER_SIZE;
        match raw.stored_count {
            None => damage.push(Damage {
                file: meta_path.clone(),
                offset: self.meta_base,
                what: format!(
                    "a {} byte filemark header at offset {}, file is only {} bytes",
                    META_HEADER_SIZE, self.meta_base, raw.meta_len
                ),
            }),
            Some(count) => {
                let want = hdr + 4 * u64::from(count);
                if raw.meta_len != want {
                    damage.push(Damage {
                        file: meta_path.clone(),
                        offset: self.meta_base,
                        what: format!(
                            "a file of {want} bytes for the {count} filemarks its header counts, found {} bytes",
                            raw.meta_len
                        ),
                    });
                }
            }
        }
        let fms = &raw.stored_filemarks;
        let mut listed_ok = true;
        for (i, w) in fms.windows(2).enumerate() {
            if w[1] <= w[0] {
                damage.push(Damage {
                    file: meta_path.clone(),
                    offset: hdr + 4 * (i as u64 + 1),
                    what: format!(
                        "ascending filemark block numbers, found {} after {}",
                        w[1], w[0]
                    ),
                });
                listed_ok = false;
                break;
            }
        }
        if let Some(&last) = fms.last()
            && u64::from(last) >= whole
        {
            damage.push(Damage {
                file: meta_path.clone(),
                offset: hdr + 4 * (fms.len() as u64 - 1),
                // EOD comes from the index size: name that file too (either may be the
                // damaged one).
                what: format!(
                    "the last filemark below EOD (block {whole}: {} holds {} bytes), found filemark at block {last}",
                    indx_path.display(),
                    raw.indx_len
                ),
            });
            listed_ok = false;
        }
        // The last record, when it is a filemark, must be the last listed entry. vtl's write
        // order never leaves a filemark record unlisted (see Partition::write_filemarks), but
        // mhvtl writes the records before the list, and a crash between the two leaves
        // exactly this. Only the last record can be checked without scanning the index.
        if damage.is_empty() && listed_ok && whole > 0 {
            let last = (whole - 1) as u32;
            if self.record(last)?.blk_type.get() == TYPE_FILEMARK && fms.last() != Some(&last) {
                damage.push(Damage {
                    file: meta_path.clone(),
                    offset: hdr + 4 * fms.len() as u64,
                    what: format!(
                        "filemark record {last}, the last record in {}, to be listed, found {}",
                        indx_path.display(),
                        match fms.last() {
                            Some(f) => format!("the list ending at block {f}"),
                            None => "an empty list".to_string(),
                        }
                    ),
                });
            }
        }
        // Filemark entries must name filemark records. A full scan is needed only when
        // something is already wrong (or to rebuild the list); otherwise spot-check the list.
        let mut filemarks_after: Vec<u32>;
        if damage.is_empty() && listed_ok {
            for (i, &fm) in fms.iter().enumerate() {
                let r = self.record(fm)?;
                if r.blk_type.get() != TYPE_FILEMARK {
                    damage.push(Damage {
                        file: meta_path.clone(),
                        offset: hdr + 4 * i as u64,
                        what: format!(
                            "filemark entry {i} to name a filemark record, but block {fm} in {} is of type {}",
                            indx_path.display(),
                            r.blk_type.get()
                        ),
                    });
                    break;
                }
            }
        }
        // Fix: the data file must end where the last object ends (spec 1.3 invariant). Bytes
        // after it that no record points to mean lost index records (an index cut at a record
        // boundary, which nothing else reveals when the filemark list still fits) or a block
        // whose record never reached the disk: recovery cuts them.
        if !self.null_media && keep as u64 == whole {
            let end = if keep == 0 {
                0
            } else {
                self.record(keep - 1)?.end_offset()
            };
            if raw.data_len > end {
                damage.push(Damage {
                    file: self.paths[0].clone(),
                    offset: end,
                    what: format!(
                        "the data file to end at offset {end} where the last of the {keep} records in {} ends, found {} bytes ({} bytes no record points to)",
                        indx_path.display(),
                        raw.data_len,
                        raw.data_len - end
                    ),
                });
            }
        }
        if damage.is_empty() {
            filemarks_after = fms.clone();
        } else {
            // Rebuild the list from the kept records.
            //
            // Fix: check every kept record on the way (the walk above checks only the last
            // one) and keep only the records before the first damaged one: otherwise a record
            // whose type flipped between data and filemark, or whose fields are garbage, was
            // kept and the recovered tape was neither clean nor readable.
            filemarks_after = Vec::new();
            let mut buf = vec![0u8; keep.min(4096) as usize * RECORD_SIZE];
            let mut n = 0u32;
            let mut prev_end = 0u64;
            'scan: while n < keep {
                let chunk = (keep - n).min(4096);
                let bytes = &mut buf[..chunk as usize * RECORD_SIZE];
                read_exact_at(
                    &self.indx,
                    indx_path,
                    bytes,
                    u64::from(n) * RECORD_SIZE as u64,
                )?;
                for (i, rec) in bytes.chunks_exact(RECORD_SIZE).enumerate() {
                    let b = n + i as u32;
                    let r = IndexRecord::ref_from_bytes(rec).expect("512-byte chunk");
                    if let Some(d) = self.record_problem(b, r, prev_end, raw.data_len) {
                        damage.push(d);
                        keep = b;
                        break 'scan;
                    }
                    prev_end = r.end_offset();
                    if r.blk_type.get() == TYPE_FILEMARK {
                        filemarks_after.push(b);
                    }
                }
                n += chunk;
            }
        }
        let data_after = if keep == 0 {
            0
        } else {
            self.record(keep - 1)?.end_offset()
        };
        Ok(RecoveryPlan {
            partition: self.number,
            keep_objects: keep,
            objects_before: raw.indx_len.div_ceil(RECORD_SIZE as u64),
            index_bytes: (raw.indx_len, u64::from(keep) * RECORD_SIZE as u64),
            data_bytes: (
                raw.data_len,
                if self.null_media {
                    raw.data_len
                } else {
                    data_after.min(raw.data_len)
                },
            ),
            filemarks_before: fms.clone(),
            filemarks_after,
            damage,
        })
    }

    /// Why record `n` is not an intact object, if it is not: [`Partition::record_fields_problem`],
    /// then its place in the data file: it must start where the record before it ends
    /// (`prev_end`, 0 for record 0: objects are stored back to back and a filemark records the
    /// data end) and its bytes must be in the data file (`data_len`).
    fn record_problem(
        &self,
        n: u32,
        r: &IndexRecord,
        prev_end: u64,
        data_len: u64,
    ) -> Option<Damage> {
        if let Some(d) = self.record_fields_problem(n, r) {
            return Some(d);
        }
        let t = r.blk_type.get();
        if r.offset() != prev_end {
            return Some(Damage {
                file: self.paths[1].clone(),
                offset: u64::from(n) * RECORD_SIZE as u64,
                what: format!(
                    "record {n} to start at data offset {prev_end}, where the object before it ends, found {}",
                    r.offset()
                ),
            });
        }
        let indx = self.paths[1].display();
        if t == TYPE_DATA && !self.null_media && r.end_offset() > data_len {
            return Some(Damage {
                file: self.paths[0].clone(),
                offset: data_len,
                what: format!(
                    "block {n}'s {} stored bytes at offset {}, but the data file ends at {data_len} (shorter than the index {indx} says){}",
                    r.disk_blk_size.get(),
                    r.offset(),
                    self.empty_data_hint(data_len)
                ),
            });
        }
        // A filemark records the data end at the time it was written: past the end of the
        // data file, some block before it lost its bytes (recovery must not keep it).
        if t == TYPE_FILEMARK && !self.null_media && r.offset() > data_len {
            return Some(Damage {
                file: self.paths[0].clone(),
                offset: data_len,
                what: format!(
                    "data up to offset {} before filemark {n}, but the data file ends at {data_len} (shorter than the index {indx} says){}",
                    r.offset(),
                    self.empty_data_hint(data_len)
                ),
            });
        }
        None
    }

    /// For an empty data file: only NULL media store no data, and the medium type comes from
    /// the MAM, so name the MAM's file too (a damaged medium type is one way to get here).
    fn empty_data_hint(&self, data_len: u64) -> String {
        if data_len > 0 {
            return String::new();
        }
        let mam = if self.meta_base > 0 {
            self.paths[2].clone()
        } else {
            self.paths[0].with_file_name("mam")
        };
        format!(
            "; the MAM in {} does not mark this cartridge as NULL media (which stores no data)",
            mam.display()
        )
    }

    /// Why record `n` cannot describe object `n`, judged from its own fields: a type other
    /// than data or filemark, another block number, a negative offset, a filemark that stores
    /// bytes, or a data block of 0 bytes, with unknown or contradictory flags, or stored
    /// uncompressed in a size other than its own (mhvtl writes none of these; spec 1.4).
    pub(crate) fn record_fields_problem(&self, n: u32, r: &IndexRecord) -> Option<Damage> {
        let off = u64::from(n) * RECORD_SIZE as u64;
        let bad = |what: String| {
            Some(Damage {
                file: self.paths[1].clone(),
                offset: off,
                what,
            })
        };
        let t = r.blk_type.get();
        if t != TYPE_DATA && t != TYPE_FILEMARK {
            return bad(format!(
                "record {n} to be a data block (11) or filemark (3), found type {t}"
            ));
        }
        if r.blk_number.get() != n {
            return bad(format!(
                "record {n} to carry block number {n}, found {}",
                r.blk_number.get()
            ));
        }
        if r.data_offset.get() < 0 {
            return bad(format!(
                "a non-negative data offset in record {n}, found {}",
                r.data_offset.get()
            ));
        }
        let (size, disk, f) = (r.blk_size.get(), r.disk_blk_size.get(), r.blk_flags.get());
        if t == TYPE_FILEMARK && disk != 0 {
            return bad(format!(
                "filemark record {n} to store 0 bytes, found disk_blk_size {disk}"
            ));
        }
        if t == TYPE_DATA {
            let comp = f & (FLAG_LZO | FLAG_ZLIB);
            if size == 0 {
                return bad(format!(
                    "data block {n} of 1 or more bytes, found blk_size 0"
                ));
            }
            if f & !(FLAG_ZLIB | FLAG_ENCRYPTED | FLAG_LZO | FLAG_CRC) != 0
                || comp == FLAG_LZO | FLAG_ZLIB
            {
                return bad(format!(
                    "blk_flags of record {n} to be 0x08 (CRC) with at most one of 0x04 (LZO) and 0x01 (zlib), and 0x02 (key), found 0x{f:08x}"
                ));
            }
            if comp == 0 && disk != size {
                return bad(format!(
                    "uncompressed block {n} to store its {size} bytes, found disk_blk_size {disk}"
                ));
            }
        }
        None
    }

    /// Read index record `n` (any `n` below EOD): from the write buffer, from the read-ahead
    /// cache, or from the index file. Records read in ascending order are read
    /// [`READ_AHEAD_RECORDS`] at a time.
    pub(crate) fn record(&self, n: u32) -> Result<IndexRecord> {
        let off = u64::from(n) * RECORD_SIZE as u64;
        if n >= self.disk_eod {
            let i = (n - self.disk_eod) as usize * RECORD_SIZE;
            return match self.pend_idx.get(i..i + RECORD_SIZE) {
                Some(b) => Ok(IndexRecord::read_from_bytes(b).expect("512-byte slice")),
                // As reading past the end of the index file.
                None => Err(CartError::Corrupt {
                    file: self.paths[1].clone(),
                    offset: off,
                    what: format!("{RECORD_SIZE} bytes here, but the file ends first"),
                }),
            };
        }
        // The cache is an optimisation only: when another thread holds it, read directly.
        if let Ok(mut c) = self.cache.try_lock() {
            let sequential = n > 0 && c.last == Some(n - 1);
            c.last = Some(n);
            if let Some(r) = c.get(n) {
                return Ok(r);
            }
            let count = (self.disk_eod - n).min(READ_AHEAD_RECORDS);
            if sequential && count > 1 {
                let c = &mut *c;
                c.bytes.resize(count as usize * RECORD_SIZE, 0);
                if read_exact_at(&self.indx, &self.paths[1], &mut c.bytes, off).is_ok() {
                    c.first = n;
                    return Ok(c.get(n).expect("record just read"));
                }
                // A file cut short under us: read the one record below (its own error).
                c.bytes.clear();
            }
        }
        let mut r = IndexRecord::new_zeroed();
        read_exact_at(&self.indx, &self.paths[1], r.as_mut_bytes(), off)?;
        Ok(r)
    }

    fn invalidate_cache(&mut self) {
        self.cache
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// Read `len` stored bytes at `off` of the data file into `buf` (resized): from the file,
    /// from the write buffer, or both.
    pub(crate) fn read_data(&self, off: u64, len: usize, buf: &mut Vec<u8>) -> Result<()> {
        buf.resize(len, 0);
        let end = off + len as u64;
        let split = end.min(self.disk_data_end).max(off);
        let on_disk = (split - off) as usize;
        if on_disk > 0 {
            read_exact_at(&self.data, &self.paths[0], &mut buf[..on_disk], off)?;
        }
        if split < end {
            let from = (split - self.disk_data_end) as usize;
            match self.pend_data.get(from..from + (len - on_disk)) {
                Some(b) => buf[on_disk..].copy_from_slice(b),
                None => {
                    return Err(CartError::Corrupt {
                        file: self.paths[0].clone(),
                        offset: split,
                        what: format!(
                            "{} bytes here, but the data ends first at offset {}",
                            len - on_disk,
                            self.eod_data_offset
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// Drop every object at and after `block` (spec 1.4 "Overwrite"): the index first, then
    /// the filemark list, then the data (mhvtl cuts the index first too). Objects still in
    /// the write buffers are simply dropped from them.
    ///
    /// Fix (found by the crash harness, tests/crash.rs): the list used to be cut first, so a
    /// crash before the index was cut left filemark records in the index that the list no
    /// longer named, a state no open check can see without scanning the whole index. Now the
    /// list only ever names too many filemarks: a crash between the two leaves a listed
    /// filemark at or after EOD, which open reports (and recovery rebuilds the list).
    pub(crate) fn truncate_at(&mut self, block: u32) -> Result<()> {
        if block >= self.eod {
            return Ok(());
        }
        let new_data_end = self.data_start(block)?;
        let keep_fm = self.filemarks.partition_point(|&f| f < block);
        if block >= self.disk_eod {
            self.pend_idx
                .truncate((block - self.disk_eod) as usize * RECORD_SIZE);
        } else {
            self.set_index_len(block)?;
            self.pend_idx.clear();
            self.disk_eod = block;
            self.disk_rec_end = new_data_end;
        }
        self.eod = block;
        self.eod_data_offset = new_data_end;
        if keep_fm != self.filemarks.len() {
            self.filemarks.truncate(keep_fm);
            self.write_filemark_count()?;
        }
        if self.null_media {
            self.disk_data_end = new_data_end;
        } else if new_data_end >= self.disk_data_end {
            self.pend_data
                .truncate((new_data_end - self.disk_data_end) as usize);
        } else {
            self.pend_data.clear();
            self.disk_data_end = new_data_end;
            set_len(&self.data, &self.paths[0], new_data_end)?;
        }
        Ok(())
    }

    /// Cut the index file to `records` records (the read-ahead cache goes with it).
    fn set_index_len(&mut self, records: u32) -> Result<()> {
        self.invalidate_cache();
        set_len(
            &self.indx,
            &self.paths[1],
            u64::from(records) * RECORD_SIZE as u64,
        )
    }

    /// Where object `block` (below EOD) starts in the data file: the data end after
    /// truncating there.
    ///
    /// Fix: the record's offset is checked against the end of the record before it (open
    /// checks only the last record). A damaged offset used to become the new data end of an
    /// overwrite or erase, cutting bytes of earlier blocks (or extending the file with zeros);
    /// now the write is refused with [`CartError::Corrupt`] and nothing changes.
    pub(crate) fn data_start(&self, block: u32) -> Result<u64> {
        let r = self.record(block)?;
        let prev_end = if block == 0 {
            0
        } else {
            self.record(block - 1)?.end_offset()
        };
        if r.data_offset.get() < 0 || r.offset() != prev_end {
            return Err(CartError::Corrupt {
                file: self.paths[1].clone(),
                offset: u64::from(block) * RECORD_SIZE as u64,
                what: format!(
                    "record {block} to start at data offset {prev_end}, where the object before it ends, found {} (not writing over a damaged index)",
                    r.data_offset.get()
                ),
            });
        }
        Ok(prev_end)
    }

    /// Write the filemark count and truncate `meta` to its exact size.
    fn write_filemark_count(&self) -> Result<()> {
        let n = self.filemarks.len() as u32;
        write_all_at(&self.meta, &self.paths[2], &n.to_le_bytes(), self.meta_base)?;
        set_len(
            &self.meta,
            &self.paths[2],
            self.meta_base + META_HEADER_SIZE + 4 * u64::from(n),
        )
    }

    /// Append data block `r` at EOD, storing `stored` (nothing on NULL media) at
    /// `r.offset()`, which must be the current data end.
    ///
    /// Buffered (see [`Partition`]): bytes below [`DIRECT_WRITE_BYTES`] go to the data
    /// buffer, larger ones straight to the file after the buffer; the record goes to the
    /// index buffer. A buffer that would overflow is written out first; if that fails, the
    /// buffered objects are dropped (see [`Partition::flush_pending`]) and this block is not
    /// written.
    pub(crate) fn append_block(&mut self, stored: &[u8], r: &IndexRecord) -> Result<()> {
        debug_assert_eq!(r.offset(), self.eod_data_offset);
        debug_assert_eq!(r.blk_number.get(), self.eod);
        let store = !self.null_media;
        let direct = store && stored.len() >= DIRECT_WRITE_BYTES;
        if self.pend_idx.len() + RECORD_SIZE > INDEX_BUFFER_BYTES
            || (store && !direct && self.pend_data.len() + stored.len() > DATA_BUFFER_BYTES)
        {
            self.flush_pending()?;
        }
        if direct {
            // Keep the data file contiguous: the buffered bytes go before this block's.
            self.flush_data()?;
            if let Err(e) = self.write_file(0, stored, self.disk_data_end) {
                self.revert_pending();
                return Err(e);
            }
            self.disk_data_end += stored.len() as u64;
        } else if store {
            if self.pend_data.capacity() == 0 {
                self.pend_data.reserve_exact(DATA_BUFFER_BYTES);
            }
            self.pend_data.extend_from_slice(stored);
        }
        if self.pend_idx.capacity() == 0 {
            self.pend_idx.reserve_exact(INDEX_BUFFER_BYTES);
        }
        self.pend_idx.extend_from_slice(r.as_bytes());
        self.eod += 1;
        self.eod_data_offset = r.end_offset();
        if !store {
            self.disk_data_end = self.eod_data_offset;
        }
        debug_assert!(
            self.null_media
                || self.disk_data_end + self.pend_data.len() as u64 == self.eod_data_offset
        );
        Ok(())
    }

    /// Write `buf` at `off` of the data file (`file` 0) or the index file (1).
    fn write_file(&self, file: usize, buf: &[u8], off: u64) -> Result<()> {
        let f = if file == 0 { &self.data } else { &self.indx };
        #[cfg(test)]
        if let Some((i, budget)) = self.fault.lock().unwrap().as_mut()
            && *i == file
        {
            if buf.len() as u64 > *budget {
                let n = *budget as usize;
                *budget = 0;
                write_all_at(f, &self.paths[file], &buf[..n], off)?;
                return Err(CartError::io(
                    &self.paths[file],
                    "write",
                    std::io::Error::from_raw_os_error(28),
                ));
            }
            *budget -= buf.len() as u64;
        }
        write_all_at(f, &self.paths[file], buf, off)
    }

    /// Write the buffered data bytes to the data file.
    fn flush_data(&mut self) -> Result<()> {
        if self.pend_data.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.write_file(0, &self.pend_data, self.disk_data_end) {
            self.revert_pending();
            return Err(e);
        }
        self.disk_data_end += self.pend_data.len() as u64;
        self.pend_data.clear();
        Ok(())
    }

    /// Write the buffered index records to the index file (the data they point to must be
    /// written already).
    fn flush_index(&mut self) -> Result<()> {
        debug_assert!(self.pend_data.is_empty());
        if self.pend_idx.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.write_file(
            1,
            &self.pend_idx,
            u64::from(self.disk_eod) * RECORD_SIZE as u64,
        ) {
            self.revert_pending();
            return Err(e);
        }
        self.pend_idx.clear();
        self.disk_eod = self.eod;
        self.disk_rec_end = self.eod_data_offset;
        Ok(())
    }

    /// Write both buffers out, data first (nothing is fsync'ed).
    ///
    /// On a failed or short write every object whose index record is not yet in the index
    /// file is dropped (EOD moves back to the last one that is) and the files are cut back to
    /// it: the index to its last whole record (not one further), the data file to where that
    /// record's data ends. No torn tail is left to be read as good data.
    pub(crate) fn flush_pending(&mut self) -> Result<()> {
        self.flush_data()?;
        self.flush_index()
    }

    /// After a failed write: see [`Partition::flush_pending`]. Best effort (the write already
    /// failed; a failed cut is reported by the next open).
    fn revert_pending(&mut self) {
        self.pend_idx.clear();
        self.pend_data.clear();
        let _ = self.set_index_len(self.disk_eod);
        if !self.null_media {
            let _ = set_len(&self.data, &self.paths[0], self.disk_rec_end);
        }
        self.eod = self.disk_eod;
        self.eod_data_offset = self.disk_rec_end;
        self.disk_data_end = self.disk_rec_end;
    }

    /// Append `count` filemarks at EOD and make every object durable: the buffered data is
    /// written and the data file fsync'ed; then the filemark list is appended and meta
    /// fsync'ed; then the buffered index records and the filemark records are written (one
    /// `pwrite` per [`INDEX_BUFFER_BYTES`]) and the index fsync'ed.
    ///
    /// Fix (found by the crash harness, tests/crash.rs): the list used to be written after
    /// the index records, so a crash between the two left filemark records that the list did
    /// not name, and a strict open accepted the tape with filemarks missing from its list.
    /// With the list first, the files on disk satisfy at every point: every filemark record
    /// in the index is listed, and a listed number that is not a filemark record is at or
    /// after EOD (open reports it; recovery rebuilds the list from the index).
    ///
    /// If a step after the list was extended fails, the filemarks are taken out again: the
    /// records that reached the index first, then the list (the same order as an overwrite).
    pub(crate) fn write_filemarks(&mut self, count: u32) -> Result<()> {
        self.flush_data()?;
        // Data first: no record may be written before the bytes it points to are durable.
        sync(&self.data, &self.paths[0])?;
        let first = self.eod;
        let listed = self.filemarks.len();
        let new: Vec<u32> = (first..first + count).collect();
        let res = (|| {
            self.append_filemarks(&new)?;
            sync(&self.meta, &self.paths[2])?;
            for &n in &new {
                if self.pend_idx.len() + RECORD_SIZE > INDEX_BUFFER_BYTES {
                    self.flush_index()?;
                }
                let r = IndexRecord::filemark(n, self.eod_data_offset, self.number);
                self.pend_idx.extend_from_slice(r.as_bytes());
                self.eod += 1;
            }
            self.flush_index()?;
            sync(&self.indx, &self.paths[1])
        })();
        if res.is_err() {
            // A failed index write already dropped every record not in the index file; a
            // failure before it (the list) drops the buffered records the same way. What is
            // left to undo are filemark records that reached the index, then the list.
            if !self.pend_idx.is_empty() {
                self.revert_pending();
            }
            if self.disk_eod > first {
                let _ = self.set_index_len(first);
                self.disk_eod = first;
            }
            self.eod = self.disk_eod;
            self.filemarks.truncate(listed);
            let _ = self.write_filemark_count();
        }
        res
    }

    /// Append the filemark numbers in `new` to the on-disk list: entries first, then the
    /// count, so a crash leaves either the old list or the new one (plus unused tail bytes
    /// that the size check reports).
    pub(crate) fn append_filemarks(&mut self, new: &[u32]) -> Result<()> {
        if new.is_empty() {
            return Ok(());
        }
        let hdr = self.meta_base + META_HEADER_SIZE;
        let bytes: Vec<u8> = new.iter().flat_map(|f| f.to_le_bytes()).collect();
        write_all_at(
            &self.meta,
            &self.paths[2],
            &bytes,
            hdr + 4 * self.filemarks.len() as u64,
        )?;
        self.filemarks.extend_from_slice(new);
        let n = self.filemarks.len() as u32;
        write_all_at(&self.meta, &self.paths[2], &n.to_le_bytes(), self.meta_base)
    }

    /// Write the buffers out and fsync data, then index, then meta: after this returns every
    /// object written so far is durable. The buffered data is fsync'ed before the buffered
    /// index records are written, so at every point in between the files on disk form a
    /// consistent or recoverable tape (see docs/FORMAT.md).
    pub(crate) fn sync_all(&mut self) -> Result<()> {
        self.flush_data()?;
        sync(&self.data, &self.paths[0])?;
        self.flush_index()?;
        sync(&self.indx, &self.paths[1])?;
        sync(&self.meta, &self.paths[2])
    }

    /// Apply a recovery plan to the files (truncate torn tails, rewrite the filemark list).
    ///
    /// The index is cut first, then the list rewritten, then the data cut, each fsync'ed:
    /// as in an overwrite, a crash in between leaves at worst listed filemarks at or after
    /// EOD, or data bytes after the last record, which the next open reports again.
    pub(crate) fn apply_recovery(&mut self, plan: &RecoveryPlan) -> Result<()> {
        self.flush_pending()?;
        self.invalidate_cache();
        set_len(&self.indx, &self.paths[1], plan.index_bytes.1)?;
        sync(&self.indx, &self.paths[1])?;
        let hdr = self.meta_base + META_HEADER_SIZE;
        let meta_len = file_len(&self.meta, &self.paths[2])?;
        if meta_len < hdr {
            set_len(&self.meta, &self.paths[2], hdr)?;
        }
        let bytes: Vec<u8> = plan
            .filemarks_after
            .iter()
            .flat_map(|f| f.to_le_bytes())
            .collect();
        write_all_at(&self.meta, &self.paths[2], &bytes, hdr)?;
        self.filemarks = plan.filemarks_after.clone();
        self.write_filemark_count()?;
        sync(&self.meta, &self.paths[2])?;
        if !self.null_media && plan.data_bytes.1 < plan.data_bytes.0 {
            set_len(&self.data, &self.paths[0], plan.data_bytes.1)?;
            sync(&self.data, &self.paths[0])?;
        }
        Ok(())
    }

    /// Paths of the data, index and meta files.
    pub fn paths(&self) -> &[PathBuf; 3] {
        &self.paths
    }

    /// EOD block number (= number of logical objects).
    pub fn eod(&self) -> u32 {
        self.eod
    }

    /// Offset where the next data block's bytes go (= bytes used in the data file, counting
    /// those still buffered in memory).
    pub fn eod_data_offset(&self) -> u64 {
        self.eod_data_offset
    }

    /// Filemark block numbers, ascending.
    pub fn filemarks(&self) -> &[u32] {
        &self.filemarks
    }
}

/// Create the three empty files of partition `n` (meta holds `meta_prefix` then the empty
/// filemark header). Files are created with mode 0660 (before umask), failing if they exist.
pub(crate) fn create_files(dir: &Path, layout: Layout, n: u32, meta_prefix: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let paths = layout.partition_files(dir, n);
    for (i, p) in paths.iter().enumerate() {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o660)
            .open(p)
            .map_err(|e| CartError::io(p, "create", e))?;
        if i == 2 {
            let mut m = meta_prefix.to_vec();
            m.resize(meta_prefix.len() + META_HEADER_SIZE as usize, 0);
            f.write_all(&m).map_err(|e| CartError::io(p, "write", e))?;
        }
        f.sync_all().map_err(|e| CartError::io(p, "fsync", e))?;
    }
    Ok(())
}

/// Tests: a simulated crash (a killed process). Once armed with a budget of `n` file changes
/// (writes and truncations through this module, and MAM replacements), the first `n` are
/// made and every later one is skipped, so the files stay as a crash at that point leaves
/// them while the caller carries on unaware. With `tear`, the write that meets the limit
/// writes the first half of its bytes (a write interrupted part way). fsync is skipped while
/// armed (a killed process loses nothing the kernel has). Per thread.
#[cfg(test)]
pub(crate) mod crash_sim {
    use std::cell::Cell;

    thread_local! {
        static BUDGET: Cell<Option<u64>> = const { Cell::new(None) };
        static TEAR: Cell<bool> = const { Cell::new(false) };
        static CRASHED: Cell<bool> = const { Cell::new(false) };
    }

    /// Crash after `changes` file changes.
    pub(crate) fn arm(changes: u64, tear: bool) {
        BUDGET.set(Some(changes));
        TEAR.set(tear);
        CRASHED.set(false);
    }

    /// Stop simulating; returns whether the crash happened (a change was skipped or torn).
    pub(crate) fn disarm() -> bool {
        BUDGET.set(None);
        CRASHED.replace(false)
    }

    pub(crate) fn armed() -> bool {
        BUDGET.get().is_some()
    }

    /// True once a change was skipped or torn: the simulated process is dead.
    pub(crate) fn crashed() -> bool {
        CRASHED.get()
    }

    /// A change of `len` bytes (1 for a truncation or rename) is about to be made: how many
    /// of them to make.
    pub(crate) fn allow(len: usize) -> usize {
        match BUDGET.get() {
            None => len,
            Some(0) => {
                CRASHED.set(true);
                0
            }
            Some(1) if TEAR.get() && len > 1 => {
                BUDGET.set(Some(0));
                CRASHED.set(true);
                len / 2
            }
            Some(n) => {
                BUDGET.set(Some(n - 1));
                len
            }
        }
    }
}
