//! CDB framing and field checks shared by every command parser.
//!
//! Each command has a packed zerocopy struct (in the module of the command set that owns it)
//! with big-endian fields and small accessors; [`view`] checks the length and gives the
//! typed view, [`check_control`] and [`check_reserved`] report bad bits with the SKSV field
//! pointer SPC-5 4.4.1.2 asks for.

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::error::{Result, ScsiError};

/// Length of a CDB from its operation code's group (SPC-5 4.2.5.1): group 0 → 6 bytes,
/// groups 1 and 2 → 10, group 4 → 16, group 5 → 12; groups 3 (variable length / reserved),
/// 6 and 7 (vendor specific) → `None`.
pub const fn cdb_len(op: u8) -> Option<usize> {
    match op >> 5 {
        0 => Some(6),
        1 | 2 => Some(10),
        4 => Some(16),
        5 => Some(12),
        _ => None,
    }
}

/// The typed view of `cdb` as `T`, after checking it holds at least `size_of::<T>()` bytes.
/// Extra bytes beyond `T` are ignored (transports may pad CDBs to 16 bytes).
///
/// Errors: [`ScsiError::ShortCdb`].
pub fn view<T: FromBytes + KnownLayout + Immutable>(cdb: &[u8]) -> Result<&T> {
    let need = size_of::<T>();
    let op = cdb.first().copied().unwrap_or(0);
    match T::ref_from_prefix(cdb) {
        Ok((t, _)) => Ok(t),
        Err(_) => Err(ScsiError::ShortCdb {
            op,
            got: cdb.len(),
            need,
        }),
    }
}

/// Check the CONTROL byte (the last byte of the CDB, SAM-5 5.2): NACA (bit 2) is not
/// supported and the obsolete FLAG/LINK bits (0, 1) must be zero.
///
/// Errors: [`ScsiError::InvalidFieldInCdb`] pointing at the offending bit.
pub fn check_control(control: u8, byte: u16) -> Result<()> {
    for bit in [2u8, 1, 0] {
        if control & (1 << bit) != 0 {
            return Err(ScsiError::cdb(byte, Some(bit), "NACA/LINK not supported"));
        }
    }
    Ok(())
}

/// Check that the bits in `mask` of CDB byte `byte` (value `value`) are zero; the field
/// pointer names the highest offending bit.
///
/// Errors: [`ScsiError::InvalidFieldInCdb`].
pub fn check_reserved(value: u8, mask: u8, byte: u16) -> Result<()> {
    let bad = value & mask;
    if bad == 0 {
        return Ok(());
    }
    let bit = 7 - bad.leading_zeros() as u8;
    Err(ScsiError::cdb(byte, Some(bit), "reserved bit set"))
}

/// Like [`check_reserved`] for a whole reserved byte range `bytes` of `cdb`.
pub fn check_reserved_bytes(cdb: &[u8], bytes: std::ops::Range<usize>) -> Result<()> {
    for i in bytes {
        if let Some(&v) = cdb.get(i) {
            check_reserved(v, 0xff, i as u16)?;
        }
    }
    Ok(())
}

/// Truncate `data` to the allocation length `alloc` (SPC-5 4.2.5.6: the device returns
/// what fits, never an error for a short allocation length).
pub fn truncate_to(data: &mut Vec<u8>, alloc: usize) {
    data.truncate(alloc);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_by_group() {
        assert_eq!(cdb_len(0x08), Some(6));
        assert_eq!(cdb_len(0x2b), Some(10));
        assert_eq!(cdb_len(0x5a), Some(10));
        assert_eq!(cdb_len(0x92), Some(16));
        assert_eq!(cdb_len(0xa3), Some(12));
        assert_eq!(cdb_len(0x7f), None);
        assert_eq!(cdb_len(0xc0), None);
    }

    #[test]
    fn reserved_bits_name_the_highest_bit() {
        assert!(check_reserved(0x01, 0xfe, 1).is_ok());
        assert_eq!(
            check_reserved(0x21, 0xfe, 1),
            Err(ScsiError::cdb(1, Some(5), "reserved bit set"))
        );
        assert_eq!(
            check_control(0x04, 5),
            Err(ScsiError::cdb(5, Some(2), "NACA/LINK not supported"))
        );
    }

    #[test]
    fn short_cdb() {
        #[derive(FromBytes, KnownLayout, Immutable)]
        #[repr(C)]
        struct Six([u8; 6]);
        assert!(view::<Six>(&[0u8; 6]).is_ok());
        assert!(matches!(
            view::<Six>(&[0x12, 0, 0]),
            Err(ScsiError::ShortCdb {
                op: 0x12,
                got: 3,
                need: 6
            })
        ));
    }
}
