//! Tape files: the runs of logical objects that filemarks separate (SSC-5 "file").
//!
//! Tape file 0 runs from BOP to the first filemark; tape file *n* runs from the object after
//! filemark *n − 1* to filemark *n*. Objects after the last filemark form one more tape file
//! that ends at EOD instead of at a filemark (a file that was never closed). These helpers
//! work on a partition's filemark list and EOD block number as returned by
//! [`crate::partition::Partition::filemarks`] and [`crate::partition::Partition::eod`].

use std::ops::Range;

/// Number of tape files in a partition: one per filemark, plus one when objects follow the
/// last filemark (or when objects exist and there is no filemark at all).
///
/// `filemarks` must be ascending and below `eod` (as a loaded partition guarantees).
pub fn tape_file_count(filemarks: &[u32], eod: u32) -> u32 {
    let closed = filemarks.len() as u32;
    let tail_start = filemarks.last().map_or(0, |&f| f + 1);
    if tail_start < eod { closed + 1 } else { closed }
}

/// The blocks of tape file `n`: from the object after filemark `n − 1` (BOP for `n == 0`) up
/// to, not including, filemark `n`; the last, unterminated file ends at EOD. The range is
/// empty when two filemarks are adjacent. `None` when the partition has no tape file `n`.
///
/// `filemarks` must be ascending and below `eod` (as a loaded partition guarantees).
pub fn tape_file_blocks(filemarks: &[u32], eod: u32, n: u32) -> Option<Range<u32>> {
    if n >= tape_file_count(filemarks, eod) {
        return None;
    }
    let i = n as usize;
    let start = match i.checked_sub(1) {
        Some(prev) => filemarks[prev] + 1,
        None => 0,
    };
    let end = filemarks.get(i).copied().unwrap_or(eod);
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_between_filemarks() {
        // FXMIX1L8: D D D F F D D D F D D F F D, EOD 14.
        let fms = [3, 4, 8, 11, 12];
        assert_eq!(tape_file_count(&fms, 14), 6);
        assert_eq!(tape_file_blocks(&fms, 14, 0), Some(0..3));
        assert_eq!(tape_file_blocks(&fms, 14, 1), Some(4..4));
        assert_eq!(tape_file_blocks(&fms, 14, 2), Some(5..8));
        assert_eq!(tape_file_blocks(&fms, 14, 4), Some(12..12));
        assert_eq!(tape_file_blocks(&fms, 14, 5), Some(13..14));
        assert_eq!(tape_file_blocks(&fms, 14, 6), None);
    }

    #[test]
    fn edge_cases() {
        assert_eq!(tape_file_count(&[], 0), 0);
        assert_eq!(tape_file_blocks(&[], 0, 0), None);
        assert_eq!(tape_file_count(&[], 3), 1);
        assert_eq!(tape_file_blocks(&[], 3, 0), Some(0..3));
        assert_eq!(tape_file_count(&[4], 5), 1);
        assert_eq!(tape_file_blocks(&[4], 5, 0), Some(0..4));
        assert_eq!(tape_file_blocks(&[4], 5, 1), None);
        assert_eq!(tape_file_count(&[0], 1), 1);
        assert_eq!(tape_file_blocks(&[0], 1, 0), Some(0..0));
    }
}
