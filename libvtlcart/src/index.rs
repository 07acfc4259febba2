//! Index records: one 512-byte record per logical object (spec 1.4).
//!
//! Record *n* lives at byte `n * 512` of `indx`/`indx.N` and describes logical object *n*
//! (a data block or a filemark). All integers are little-endian. EOD is not stored: it is
//! the object whose number is `index_size / 512`.

use zerocopy::byteorder::{I64, LittleEndian, U32};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout, Unaligned};

type Le32 = U32<LittleEndian>;

/// Size of one index record in bytes.
pub const RECORD_SIZE: usize = 512;
/// Largest block number a partition may hold (spec 1.4).
pub const MAX_BLOCK_NUMBER: u32 = 0xFFFF_FFF0;
/// Longest key, UKAD or AKAD stored in a record (bytes).
pub const MAX_KEY_LEN: usize = 32;

/// `blk_type` of a data block.
pub const TYPE_DATA: u32 = 11;
/// `blk_type` of a filemark.
pub const TYPE_FILEMARK: u32 = 3;
/// `blk_type` mhvtl uses in memory for end of data (never stored).
pub const TYPE_EOD: u32 = 5;
/// `blk_type` "no-op" (defined by mhvtl, never written).
pub const TYPE_NOOP: u32 = 8;

/// `blk_flags`: payload is a zlib stream.
pub const FLAG_ZLIB: u32 = 0x01;
/// `blk_flags`: written while an encryption key was active (key/UKAD/AKAD in the record).
pub const FLAG_ENCRYPTED: u32 = 0x02;
/// `blk_flags`: payload is raw LZO1X-1.
pub const FLAG_LZO: u32 = 0x04;
/// `blk_flags`: `uncomp_crc` holds the CRC-32C of the uncompressed payload.
pub const FLAG_CRC: u32 = 0x08;

/// One index record, byte for byte (512 bytes, alignment 1).
#[derive(Clone, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub struct IndexRecord {
    /// 0: byte offset of the payload in the data file; for a filemark, the data end.
    pub data_offset: I64<LittleEndian>,
    /// 8: [`TYPE_DATA`] or [`TYPE_FILEMARK`].
    pub blk_type: Le32,
    /// 12: `FLAG_*` bits.
    pub blk_flags: Le32,
    /// 16: logical object number (equals the record index).
    pub blk_number: Le32,
    /// 20: uncompressed length in bytes (0 for filemarks).
    pub blk_size: Le32,
    /// 24: bytes stored in the data file.
    pub disk_blk_size: Le32,
    /// 28: CRC-32C of the uncompressed payload.
    pub uncomp_crc: Le32,
    /// 32: key length (0..=32).
    pub key_length: Le32,
    /// 36: UKAD length (0..=32).
    pub ukad_length: Le32,
    /// 40: AKAD length (0..=32).
    pub akad_length: Le32,
    /// 44: padding.
    pub pad0: Le32,
    /// 48: key bytes, zero-filled.
    pub key: [u8; 32],
    /// 80: UKAD bytes, zero-filled.
    pub ukad: [u8; 32],
    /// 112: AKAD bytes, zero-filled.
    pub akad: [u8; 32],
    /// 144: partition number (mhvtl master; 0 in legacy files).
    pub partition_id: Le32,
    /// 148: reserved.
    pub reserved: Le32,
    /// 152: padding to 512 bytes.
    pub pad: [u8; 360],
}

const _: () = assert!(std::mem::size_of::<IndexRecord>() == RECORD_SIZE);

/// Encryption parameters copied into each record written while a key is active (spec 1.12).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlockKey {
    /// The key (at most 32 bytes).
    pub key: Vec<u8>,
    /// Unauthenticated key-associated data (at most 32 bytes).
    pub ukad: Vec<u8>,
    /// Authenticated key-associated data (at most 32 bytes).
    pub akad: Vec<u8>,
}

/// What kind of logical object a record describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A data block.
    Data,
    /// A filemark.
    Filemark,
}

impl IndexRecord {
    /// A zeroed record of a filemark at `blk_number`, with the data end `data_offset`.
    pub fn filemark(blk_number: u32, data_offset: u64, partition: u32) -> Self {
        let mut r = IndexRecord::new_zeroed();
        r.data_offset = (data_offset as i64).into();
        r.blk_type = TYPE_FILEMARK.into();
        r.blk_number = blk_number.into();
        r.partition_id = partition.into();
        r
    }

    /// The kind, or `None` for a type mhvtl never writes.
    pub fn kind(&self) -> Option<ObjectKind> {
        match self.blk_type.get() {
            TYPE_DATA => Some(ObjectKind::Data),
            TYPE_FILEMARK => Some(ObjectKind::Filemark),
            _ => None,
        }
    }

    /// Data offset as unsigned (negative offsets are reported as corrupt by the loader).
    pub fn offset(&self) -> u64 {
        self.data_offset.get().max(0) as u64
    }

    /// Offset just past this object's stored bytes.
    pub fn end_offset(&self) -> u64 {
        self.offset() + u64::from(self.disk_blk_size.get())
    }

    /// The record's key material, if flag 0x02 is set.
    pub fn block_key(&self) -> Option<BlockKey> {
        if self.blk_flags.get() & FLAG_ENCRYPTED == 0 {
            return None;
        }
        let l = |v: Le32| (v.get() as usize).min(MAX_KEY_LEN);
        Some(BlockKey {
            key: self.key[..l(self.key_length)].to_vec(),
            ukad: self.ukad[..l(self.ukad_length)].to_vec(),
            akad: self.akad[..l(self.akad_length)].to_vec(),
        })
    }

    /// Fill the encryption fields from `k` and set flag 0x02.
    ///
    /// Errors when a field is longer than 32 bytes.
    pub fn set_key(&mut self, k: &BlockKey) -> crate::Result<()> {
        for (name, v) in [("key", &k.key), ("UKAD", &k.ukad), ("AKAD", &k.akad)] {
            if v.len() > MAX_KEY_LEN {
                return Err(crate::CartError::InvalidArgument(format!(
                    "{name} is {} bytes, at most {MAX_KEY_LEN} fit an index record",
                    v.len()
                )));
            }
        }
        self.blk_flags = (self.blk_flags.get() | FLAG_ENCRYPTED).into();
        self.key_length = (k.key.len() as u32).into();
        self.ukad_length = (k.ukad.len() as u32).into();
        self.akad_length = (k.akad.len() as u32).into();
        self.key[..k.key.len()].copy_from_slice(&k.key);
        self.ukad[..k.ukad.len()].copy_from_slice(&k.ukad);
        self.akad[..k.akad.len()].copy_from_slice(&k.akad);
        Ok(())
    }

    /// The text dump_tape prints after `Hdr:` for this record's type and flags
    /// (e.g. `lzoCompressed with crc`, `Encrypt/non-compressed with crc`, `Filemark`).
    pub fn describe(&self) -> String {
        match self.blk_type.get() {
            TYPE_FILEMARK => "Filemark".into(),
            TYPE_EOD => "End of Data".into(),
            TYPE_NOOP => "No Operation".into(),
            TYPE_DATA => {
                let f = self.blk_flags.get();
                let mut s = String::new();
                if f & FLAG_ENCRYPTED != 0 {
                    s.push_str("Encrypt/");
                }
                if f & FLAG_LZO != 0 {
                    s.push_str("lzoCompressed");
                } else if f & FLAG_ZLIB != 0 {
                    s.push_str("zlibCompressed");
                } else {
                    s.push_str("non-compressed");
                }
                if f & FLAG_CRC != 0 {
                    s.push_str(" with crc");
                }
                s
            }
            _ => "Unknown type".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_spec() {
        let r = IndexRecord::new_zeroed();
        let base = r.as_bytes().as_ptr() as usize;
        assert_eq!(r.blk_type.as_bytes().as_ptr() as usize - base, 8);
        assert_eq!(r.uncomp_crc.as_bytes().as_ptr() as usize - base, 28);
        assert_eq!(r.key.as_ptr() as usize - base, 48);
        assert_eq!(r.ukad.as_ptr() as usize - base, 80);
        assert_eq!(r.akad.as_ptr() as usize - base, 112);
        assert_eq!(r.partition_id.as_bytes().as_ptr() as usize - base, 144);
    }

    #[test]
    fn key_round_trip_and_limits() {
        let mut r = IndexRecord::new_zeroed();
        r.blk_type = TYPE_DATA.into();
        r.blk_flags = FLAG_CRC.into();
        let k = BlockKey {
            key: vec![0x11; 16],
            ukad: vec![0x22; 4],
            akad: vec![],
        };
        r.set_key(&k).unwrap();
        assert_eq!(r.block_key(), Some(k));
        assert_eq!(r.describe(), "Encrypt/non-compressed with crc");
        assert!(
            r.set_key(&BlockKey {
                key: vec![0; 33],
                ..Default::default()
            })
            .is_err()
        );
    }
}
