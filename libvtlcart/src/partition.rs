//! One partition's file triple: data, index and meta (filemark list), spec 1.3–1.5.
//!
//! This module reads and validates the files, reads and appends records, truncates for
//! overwrite, and keeps the filemark list in memory. Positioning and the SSC rules live in
//! [`crate::cartridge`].

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use zerocopy::{FromBytes, FromZeros, IntoBytes};

use crate::error::{CartError, Result};
use crate::index::{
    FLAG_CRC, FLAG_ENCRYPTED, FLAG_LZO, FLAG_ZLIB, IndexRecord, RECORD_SIZE, TYPE_DATA,
    TYPE_FILEMARK,
};
use crate::layout::Layout;

/// Size of the filemark header in `meta` after any MAM: a u32 count then 508 zero bytes.
pub const META_HEADER_SIZE: u64 = 512;

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
#[derive(Debug)]
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
}

fn open_file(path: &Path, write: bool) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(write)
        .open(path)
        .map_err(|e| CartError::io(path, "open", e))
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
    f.write_all_at(buf, off)
        .map_err(|e| CartError::io(path, "write", e))
}

pub(crate) fn set_len(f: &File, path: &Path, len: u64) -> Result<()> {
    f.set_len(len)
        .map_err(|e| CartError::io(path, "write (truncate)", e))
}

pub(crate) fn sync(f: &File, path: &Path) -> Result<()> {
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
        };
        let raw = p.read_raw()?;
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
    /// filemarks ascend, lie below EOD and are filemark records. When anything is wrong,
    /// every record is checked and recovery keeps the records before the first bad one.
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
            let mut buf = vec![0u8; 4096 * RECORD_SIZE];
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

    /// Read index record `n` (any `n` below the index size).
    pub(crate) fn record(&self, n: u32) -> Result<IndexRecord> {
        let mut r = IndexRecord::new_zeroed();
        read_exact_at(
            &self.indx,
            &self.paths[1],
            r.as_mut_bytes(),
            u64::from(n) * RECORD_SIZE as u64,
        )?;
        Ok(r)
    }

    /// Read `len` stored bytes at `off` of the data file into `buf` (resized).
    pub(crate) fn read_data(&self, off: u64, len: usize, buf: &mut Vec<u8>) -> Result<()> {
        buf.resize(len, 0);
        read_exact_at(&self.data, &self.paths[0], buf, off)
    }

    /// Drop every object at and after `block` (spec 1.4 "Overwrite"): the filemark list
    /// first, then the index, then the data, so that a crash in between leaves a tape whose
    /// meta never names an object beyond EOD.
    pub(crate) fn truncate_at(&mut self, block: u32) -> Result<()> {
        if block >= self.eod {
            return Ok(());
        }
        let new_data_end = self.data_start(block)?;
        let keep_fm = self.filemarks.partition_point(|&f| f < block);
        if keep_fm != self.filemarks.len() {
            self.filemarks.truncate(keep_fm);
            self.write_filemark_count()?;
        }
        set_len(
            &self.indx,
            &self.paths[1],
            u64::from(block) * RECORD_SIZE as u64,
        )?;
        if !self.null_media {
            set_len(&self.data, &self.paths[0], new_data_end)?;
        }
        self.eod = block;
        self.eod_data_offset = new_data_end;
        Ok(())
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

    /// Append a record at EOD (the data bytes, if any, must already be written).
    pub(crate) fn append_record(&mut self, r: &IndexRecord) -> Result<()> {
        write_all_at(
            &self.indx,
            &self.paths[1],
            r.as_bytes(),
            u64::from(self.eod) * RECORD_SIZE as u64,
        )?;
        self.eod += 1;
        self.eod_data_offset = r.end_offset();
        Ok(())
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

    /// Write the data bytes of a new block at the data end.
    pub(crate) fn write_data(&self, bytes: &[u8]) -> Result<()> {
        if self.null_media {
            return Ok(());
        }
        let off = self.eod_data_offset;
        if let Err(e) = write_all_at(&self.data, &self.paths[0], bytes, off) {
            // Leave the data file as it was: a short write must not leave a torn tail.
            let _ = self.data.set_len(off);
            return Err(e);
        }
        Ok(())
    }

    /// fsync data, then index, then meta: after this returns every object written so far
    /// is durable, and at every point in between the files on disk form a consistent or
    /// recoverable tape (see docs/FORMAT.md).
    pub(crate) fn sync_all(&self) -> Result<()> {
        sync(&self.data, &self.paths[0])?;
        sync(&self.indx, &self.paths[1])?;
        sync(&self.meta, &self.paths[2])
    }

    /// Apply a recovery plan to the files (truncate torn tails, rewrite the filemark list).
    pub(crate) fn apply_recovery(&mut self, plan: &RecoveryPlan) -> Result<()> {
        // Meta first (never name an object beyond the new EOD), then index, then data.
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
        set_len(&self.indx, &self.paths[1], plan.index_bytes.1)?;
        sync(&self.indx, &self.paths[1])?;
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

    /// Offset where the next data block's bytes go (= bytes used in the data file).
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
