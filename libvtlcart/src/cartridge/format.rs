//! Formatting a loaded cartridge into partitions (what SSC FORMAT MEDIUM and SET CAPACITY do
//! to the medium; spec 1.15, docs/FORMAT.md "Partitions").
//!
//! A v6 cartridge holds up to four partitions, partition *N* being the file triple
//! `data.N`, `indx.N`, `meta.N`; the byte capacity of each is stored in `mhvtl_data` records
//! 0x0d..0x10 (big-endian, 0 = never partitioned: the MAM's maximum capacity applies). A
//! legacy cartridge has one partition and no such records.
//!
//! [`Cartridge::format_partitions`] erases every partition and lays the medium out anew. The
//! order of the file changes keeps every crash point a consistent cartridge that never
//! claims more capacity than the medium has:
//!
//! 1. every existing partition is truncated to empty, durably (as ERASE does);
//! 2. the files of partitions beyond the new count are removed, `data.N` first (a partition
//!    exists when its `data.N` does, so a crash leaves at worst stray `indx.N`/`meta.N`
//!    files that are ignored and replaced later);
//! 3. the MAM is replaced atomically with the new capacities and partition count;
//! 4. the new partitions' files are created, `indx.N` and `meta.N` before `data.N`, each
//!    fsync'ed, then the directory.
//!
//! A crash between 3 and 4 leaves fewer partitions than the MAM describes, each with the
//! capacity the MAM gives it; formatting again completes the layout.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use super::Cartridge;
use crate::error::{CartError, Result};
use crate::layout::{Layout, MamStore};
use crate::partition::{self, META_HEADER_SIZE, Partition, RecoveryPlan};

impl Cartridge {
    /// FORMAT: erase the whole medium and lay it out as `capacities.len()` empty partitions
    /// of the given byte capacities, then position at BOP of partition 0.
    ///
    /// * `capacities[i]` is partition *i*'s capacity in bytes; their sum must not exceed
    ///   the MAM's MAXIMUM CAPACITY (the native capacity). One partition of capacity 0 or
    ///   of the whole native capacity is the unpartitioned medium: the stored capacities are
    ///   cleared (`mhvtl_data` 0x0d..0x10 all 0), exactly as a new cartridge has them.
    /// * v6 layouts hold 1..=4 partitions; legacy layouts (and transitional ones with
    ///   unsuffixed file names) hold one: a smaller capacity is stored as the MAM's
    ///   MAXIMUM CAPACITY there, since they have no partition capacity records.
    /// * The MAM's NumPartitions becomes the new count and REMAINING CAPACITY (0x0000)
    ///   partition 0's capacity; the MAM is written before this returns.
    ///
    /// Errors: [`CartError::WriteProtected`] (read-only open, write protect flag, cleaning
    /// cartridge, damaged); [`CartError::InvalidArgument`] for a count the layout cannot
    /// hold, a zero capacity in a multi-partition layout or capacities larger than the
    /// medium (nothing is changed then); I/O errors (the cartridge is then as a crash at
    /// that point would leave it, see the module documentation).
    pub fn format_partitions(&mut self, capacities: &[u64]) -> Result<()> {
        if let Some(why) = self.write_refusal() {
            return Err(CartError::WriteProtected { why });
        }
        let n = capacities.len();
        let native = self.mam.base.max_capacity.get();
        let max = self.layout.max_partitions() as usize;
        if n == 0 || n > max {
            return Err(CartError::InvalidArgument(format!(
                "{n} partitions requested; this cartridge's layout holds 1..={max}"
            )));
        }
        if n > 1 && capacities.contains(&0) {
            return Err(CartError::InvalidArgument(
                "a partition of a multi-partition medium cannot have capacity 0".into(),
            ));
        }
        let total = capacities
            .iter()
            .try_fold(0u64, |a, &c| a.checked_add(c))
            .unwrap_or(u64::MAX);
        if total > native {
            return Err(CartError::InvalidArgument(format!(
                "partition capacities add up to {total} bytes, more than the medium's {native}"
            )));
        }
        // 1. Empty every partition, durably.
        for p in &mut self.parts {
            p.flush_pending()?;
            p.truncate_at(0)?;
            p.sync_all()?;
        }
        self.cur = 0;
        self.pos = 0;
        // 2. Remove the partitions beyond the new count, highest first, data.N first.
        let old = self.parts.len();
        if old > n {
            self.parts.truncate(n);
            self.recovery.truncate(n);
            for k in (n..old).rev() {
                for path in self.layout.partition_files(&self.dir, k as u32) {
                    match std::fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(CartError::io(&path, "remove", e)),
                    }
                }
            }
            sync_dir(&self.dir)?;
        }
        // 3. The MAM: capacities, partition count, remaining capacity.
        let whole = n == 1 && (capacities[0] == 0 || capacities[0] == native);
        {
            let tlv = self.layout.mam == MamStore::Tlv;
            let m = &mut self.mam;
            for (i, slot) in m.partition_capacity.iter_mut().enumerate() {
                *slot = match capacities.get(i) {
                    Some(&c) if !whole && tlv => c.to_be_bytes(),
                    _ => [0; 8],
                };
            }
            if !whole && !tlv {
                m.base.max_capacity = capacities[0].into();
            }
            m.base.num_partitions = n as u8;
        }
        let first = self.capacity(0);
        self.mam.base.remaining_capacity = first.into();
        self.mam_changed = true;
        self.write_mam()?;
        // 4. Create the new partitions' files and open them.
        if n > old {
            for k in old..n {
                create_partition_files(&self.dir, self.layout, k as u32)?;
            }
            sync_dir(&self.dir)?;
            let null = self.parts.first().is_some_and(|p| p.null_media);
            for k in old..n {
                let (p, plan) =
                    Partition::open(&self.dir, self.layout, k as u32, true, null, false)?;
                self.parts.push(p);
                self.recovery.push(plan);
            }
        }
        for plan in &mut self.recovery {
            *plan = RecoveryPlan {
                damage: Vec::new(),
                ..plan.clone()
            };
        }
        Ok(())
    }
}

/// Create (or replace stray leftovers of) partition `n`'s files: `indx.N` empty, `meta.N`
/// the empty filemark header, then `data.N` empty, each fsync'ed; mode 0660 before umask.
fn create_partition_files(dir: &std::path::Path, layout: Layout, n: u32) -> Result<()> {
    let [data, indx, meta] = layout.partition_files(dir, n);
    let header = vec![0u8; (layout.meta_base() + META_HEADER_SIZE) as usize];
    for (path, bytes) in [(&indx, &[][..]), (&meta, &header[..]), (&data, &[][..])] {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o660)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| CartError::io(path, "create", e))?;
        f.write_all(bytes)
            .map_err(|e| CartError::io(path, "write", e))?;
        partition::sync(&f, path)?;
    }
    Ok(())
}

/// fsync a directory (new or removed entries become durable).
fn sync_dir(dir: &std::path::Path) -> Result<()> {
    let d = std::fs::File::open(dir).map_err(|e| CartError::io(dir, "open", e))?;
    partition::sync(&d, dir)
}

#[cfg(test)]
mod tests {
    use crate::testing::{make_cartridge, open_writable};
    use crate::{CartError, Cartridge, Compression, Format, MediumType, Object, OpenOptionsCart};

    const MIB: u64 = 1 << 20;

    #[test]
    fn two_partitions_then_back_to_one() {
        let home = tempfile::tempdir().unwrap();
        let dir = make_cartridge(
            home.path(),
            "PAR001L8",
            Format::V6,
            MediumType::Data,
            "LTO8",
            64 * MIB,
        );
        let mut c = open_writable(&dir);
        c.write_block(b"old data", Compression::None, None).unwrap();
        c.write_filemarks(1).unwrap();
        c.format_partitions(&[8 * MIB, 56 * MIB]).unwrap();
        assert_eq!(c.partition_count(), 2);
        assert_eq!((c.capacity(0), c.capacity(1)), (8 * MIB, 56 * MIB));
        assert_eq!(c.position().partition, 0);
        assert_eq!(c.partition(0).unwrap().eod(), 0);
        c.locate(1, 0).unwrap();
        c.write_block(b"in partition 1", Compression::None, None)
            .unwrap();
        c.write_filemarks(1).unwrap();
        c.unload().unwrap();
        for f in ["data.1", "indx.1", "meta.1"] {
            assert!(dir.join(f).is_file(), "{f}");
        }
        // Reload: the geometry and the data are there.
        let mut c = open_writable(&dir);
        assert_eq!(c.partition_count(), 2);
        assert_eq!(c.mam().partition_capacity(0), 8 * MIB);
        assert_eq!(c.mam().partition_capacity(1), 56 * MIB);
        assert_eq!(c.mam().base.num_partitions, 2);
        assert_eq!(c.mam().base.remaining_capacity.get(), 8 * MIB);
        let mut buf = Vec::new();
        c.locate(1, 0).unwrap();
        assert!(matches!(c.read(&mut buf).unwrap(), Object::Data(_)));
        assert_eq!(buf, b"in partition 1");
        // Back to one partition of the whole medium: the records are cleared.
        c.format_partitions(&[64 * MIB]).unwrap();
        assert_eq!(c.partition_count(), 1);
        assert!(!dir.join("data.1").exists());
        assert!(!dir.join("indx.1").exists());
        assert!(!dir.join("meta.1").exists());
        assert_eq!(c.mam().partition_capacity(0), 0);
        assert_eq!(c.mam().partition_capacity(1), 0);
        c.unload().unwrap();
        let c = open_writable(&dir);
        assert_eq!(c.partition_count(), 1);
        assert_eq!(c.capacity(0), 64 * MIB);
    }

    #[test]
    fn refusals_change_nothing() {
        let home = tempfile::tempdir().unwrap();
        let dir = make_cartridge(
            home.path(),
            "PAR002L8",
            Format::V6,
            MediumType::Data,
            "LTO8",
            64 * MIB,
        );
        let mut c = open_writable(&dir);
        c.write_block(b"keep", Compression::None, None).unwrap();
        c.write_filemarks(1).unwrap();
        for caps in [
            &[][..],
            &[MIB; 5][..],
            &[MIB, 0][..],
            &[40 * MIB, 40 * MIB][..],
        ] {
            let e = c.format_partitions(caps).unwrap_err();
            assert!(matches!(e, CartError::InvalidArgument(_)), "{caps:?}: {e}");
        }
        assert_eq!(c.partition(0).unwrap().eod(), 2);
        // Legacy: one partition only; a smaller one becomes the maximum capacity.
        let dir = make_cartridge(
            home.path(),
            "PAR003L8",
            Format::Legacy,
            MediumType::Data,
            "LTO8",
            64 * MIB,
        );
        let mut c = open_writable(&dir);
        assert!(matches!(
            c.format_partitions(&[MIB, MIB]),
            Err(CartError::InvalidArgument(_))
        ));
        c.format_partitions(&[32 * MIB]).unwrap();
        assert_eq!(c.capacity(0), 32 * MIB);
        drop(c);
        let mut ro = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        assert!(matches!(
            ro.format_partitions(&[MIB]),
            Err(CartError::WriteProtected { .. })
        ));
    }

    #[test]
    fn stray_files_of_an_interrupted_format_are_replaced() {
        let home = tempfile::tempdir().unwrap();
        let dir = make_cartridge(
            home.path(),
            "PAR004L8",
            Format::V6,
            MediumType::Data,
            "LTO8",
            64 * MIB,
        );
        // What a crash between removing data.2 and removing indx.2/meta.2 leaves.
        std::fs::write(dir.join("indx.1"), [1u8; 512]).unwrap();
        std::fs::write(dir.join("meta.1"), [7u8; 600]).unwrap();
        let mut c = open_writable(&dir);
        assert_eq!(c.partition_count(), 1);
        c.format_partitions(&[16 * MIB, 16 * MIB]).unwrap();
        assert_eq!(c.partition(1).unwrap().eod(), 0);
        assert_eq!(std::fs::read(dir.join("indx.1")).unwrap(), b"");
        assert_eq!(std::fs::read(dir.join("meta.1")).unwrap(), vec![0u8; 512]);
        assert_eq!(std::fs::read(dir.join("data.1")).unwrap(), b"");
    }
}
