//! Encrypted data blocks: AES-256-GCM per block, the key never stored (docs/FORMAT.md,
//! "Encrypted blocks").
//!
//! mhvtl's "encryption" (spec 1.12, bug 12) stores the host's key, UKAD and AKAD in clear in
//! every index record written while a key is active and leaves the data in clear. vtl keeps
//! flag 0x02 and the UKAD/AKAD fields but really encrypts, and stores in the record only what
//! identifies the key: a keyed fingerprint, HMAC-SHA256(key, `"vtl key fingerprint"`), in
//! the 32-byte key field (`key_length` 32). Every record of a clear block stays byte-identical
//! to mhvtl's.
//!
//! A *sealed* block (this module's format) is recognised by [`SEAL_MAGIC`] at byte 152 of
//! its index record (mhvtl leaves bytes 152..512 zero) together with flag 0x02:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 12 | 4 | `blk_flags` = 0x0A (0x02 encrypted, 0x08 CRC; never a compression bit) |
//! | 20 | 4 | `blk_size` = `disk_blk_size` = ciphertext length |
//! | 28 | 4 | CRC-32C of the ciphertext (what the data file holds) |
//! | 32 | 4 | `key_length` = 32 |
//! | 36, 40 | 4 + 4 | UKAD and AKAD lengths, as mhvtl |
//! | 48 | 32 | key fingerprint, HMAC-SHA256(key, "vtl key fingerprint") |
//! | 80, 112 | 32 + 32 | UKAD, AKAD, as mhvtl |
//! | 152 | 8 | [`SEAL_MAGIC`] `"vtlAEAD"` + format version 1 |
//! | 160 | 1 | algorithm: 1 = AES-256-GCM |
//! | 161 | 1 | compression of the plaintext before encryption: 0x04 LZO1X-1, 0x01 zlib, 0 none (the `blk_flags` bit values) |
//! | 162 | 1 | marks: bit 0 = raw decryption disabled (SSC RDMC "protect") |
//! | 163 | 1 | reserved, 0 |
//! | 164 | 4 | LE plaintext length (the logical block length the host wrote) |
//! | 168 | 4 | LE CRC-32C of the plaintext |
//! | 172 | 12 | GCM nonce (random per block) |
//! | 184 | 16 | GCM tag |
//! | 200 | 312 | zero |
//!
//! The data file holds only the ciphertext (plaintext compressed first, then encrypted: the
//! ciphertext is as long as the compressed bytes). The GCM additional authenticated data is
//! the whole 512-byte record with `data_offset` (0..8), the ciphertext CRC (28..32), the
//! nonce and the tag (172..200) set to zero: everything else — block number, partition, sizes,
//! flags, fingerprint, UKAD, AKAD, the extension, the zero padding — is authenticated.
//!
//! To mhvtl such a record is a consistent uncompressed block with a CRC: mhvtl's tools read
//! the ciphertext only, and mhvtl's drive with decryption on compares the host's key with the
//! fingerprint and answers "incorrect key".

use aes_gcm::aead::{AeadCore, AeadInPlace, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zerocopy::{FromZeros, IntoBytes};

use crate::cartridge::{BlockInfo, Cartridge, WriteOutcome};
use crate::compress::{self, Compression};
use crate::error::{CartError, Result};
use crate::index::{
    BlockKey, FLAG_CRC, FLAG_ENCRYPTED, FLAG_LZO, FLAG_ZLIB, IndexRecord, MAX_BLOCK_NUMBER,
    MAX_KEY_LEN, TYPE_DATA,
};

/// Bytes 152..160 of a sealed block's index record: `"vtlAEAD"` and format version 1.
pub const SEAL_MAGIC: [u8; 8] = *b"vtlAEAD\x01";
/// Offset of the sealed-block extension in the index record.
pub const EXT_OFFSET: usize = 152;
/// Algorithm byte (record offset 160) of AES-256-GCM.
pub const ALGORITHM_AES256_GCM: u8 = 1;
/// Key length AES-256 needs (bytes).
pub const AES256_KEY_LEN: usize = 32;
/// GCM nonce length (bytes).
pub const NONCE_LEN: usize = 12;
/// GCM tag length (bytes).
pub const TAG_LEN: usize = 16;
/// The message whose HMAC-SHA256 under the key is the stored fingerprint.
pub const FINGERPRINT_MESSAGE: &[u8] = b"vtl key fingerprint";
/// Marks byte (record offset 162) bit: raw decryption mode disabled for this block.
pub const MARK_RAW_DECRYPTION_DISABLED: u8 = 0x01;

const OFF_ALG: usize = 160;
const OFF_COMP: usize = 161;
const OFF_MARKS: usize = 162;
const OFF_SIZE: usize = 164;
const OFF_CRC: usize = 168;
const OFF_NONCE: usize = 172;
const OFF_TAG: usize = 184;
const OFF_END: usize = 200;

/// A data encryption key as a host sent it (SSC SECURITY PROTOCOL OUT, set data encryption
/// page KEY field), with its fingerprint.
///
/// 1..=32 bytes: AES-256 needs 32 ([`DataKey::is_aes256`]); shorter keys only compare with
/// the keys mhvtl stored in its records. The bytes are overwritten with zeros when the value
/// is dropped, and `Debug` shows only the length and the start of the fingerprint.
#[derive(Clone, PartialEq, Eq)]
pub struct DataKey {
    bytes: [u8; MAX_KEY_LEN],
    len: usize,
    fingerprint: [u8; 32],
}

impl DataKey {
    /// The key `key` (1..=32 bytes).
    ///
    /// Errors: [`CartError::InvalidArgument`] for an empty key or one longer than 32 bytes.
    pub fn new(key: &[u8]) -> Result<DataKey> {
        if key.is_empty() || key.len() > MAX_KEY_LEN {
            return Err(CartError::InvalidArgument(format!(
                "a data key is 1 ..= {MAX_KEY_LEN} bytes, got {}",
                key.len()
            )));
        }
        let mut bytes = [0u8; MAX_KEY_LEN];
        bytes[..key.len()].copy_from_slice(key);
        Ok(DataKey {
            bytes,
            len: key.len(),
            fingerprint: fingerprint(key),
        })
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Whether the key can encrypt (32 bytes, AES-256).
    pub fn is_aes256(&self) -> bool {
        self.len == AES256_KEY_LEN
    }

    /// HMAC-SHA256(key, [`FINGERPRINT_MESSAGE`]): what a sealed block's record stores.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DataKey({} bytes, fingerprint {:02x}{:02x}{:02x}{:02x}…)",
            self.len,
            self.fingerprint[0],
            self.fingerprint[1],
            self.fingerprint[2],
            self.fingerprint[3]
        )
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        for b in &mut self.bytes {
            // SAFETY: `b` is a valid, aligned, exclusive reference to a u8 of this value.
            unsafe { std::ptr::write_volatile(b, 0) };
        }
    }
}

/// HMAC-SHA256(`key`, [`FINGERPRINT_MESSAGE`]) (32 bytes).
pub fn fingerprint(key: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(FINGERPRINT_MESSAGE);
    mac.finalize().into_bytes().into()
}

/// Equal-length comparison whose time does not depend on where the slices differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What is stored with a sealed block besides the key: the key-associated data (SSC
/// U-KAD and A-KAD, at most 32 bytes each, kept in the record's UKAD and AKAD fields as
/// mhvtl does) and the block's raw-decryption mark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SealOptions {
    /// Unauthenticated key-associated data (stored, readable without the key).
    pub ukad: Vec<u8>,
    /// Authenticated key-associated data (stored in clear, authenticated by the GCM tag).
    pub akad: Vec<u8>,
    /// Mark the block "raw decryption disabled" (SSC RDMC protect): a drive in RAW
    /// decryption mode refuses to return its ciphertext.
    pub raw_read_disabled: bool,
}

/// The sealed-block extension of an index record (offsets in the module table), parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBlock {
    /// Algorithm byte ([`ALGORITHM_AES256_GCM`]; any other value cannot be decrypted).
    pub algorithm: u8,
    /// How the plaintext was compressed before encryption.
    pub compression: Compression,
    /// The block is marked "raw decryption disabled".
    pub raw_read_disabled: bool,
    /// Plaintext length in bytes (the logical block length).
    pub size: u32,
    /// CRC-32C of the plaintext.
    pub crc: u32,
    /// The stored key fingerprint (record key field).
    pub fingerprint: [u8; 32],
    /// GCM nonce.
    pub nonce: [u8; NONCE_LEN],
    /// GCM tag.
    pub tag: [u8; TAG_LEN],
    /// The record as authenticated (see [`aad`]).
    aad: Box<IndexRecord>,
}

impl SealedBlock {
    /// The extension of `r` when it is a sealed data block (flag 0x02 and [`SEAL_MAGIC`]),
    /// else `None` (a clear block, or one of mhvtl's cleartext-key blocks).
    pub fn from_record(r: &IndexRecord) -> Option<SealedBlock> {
        if r.blk_type.get() != TYPE_DATA || r.blk_flags.get() & FLAG_ENCRYPTED == 0 {
            return None;
        }
        let b = r.as_bytes();
        if b[EXT_OFFSET..EXT_OFFSET + 8] != SEAL_MAGIC {
            return None;
        }
        let le32 = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let compression = match b[OFF_COMP] {
            0 => Compression::None,
            c if u32::from(c) == FLAG_LZO => Compression::Lzo,
            c if u32::from(c) == FLAG_ZLIB => Compression::Zlib(1),
            // An unknown value is kept out of the plaintext path: the GCM tag covers this
            // byte, so only a record this module did not write carries one.
            _ => Compression::None,
        };
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&b[OFF_NONCE..OFF_NONCE + NONCE_LEN]);
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&b[OFF_TAG..OFF_TAG + TAG_LEN]);
        Some(SealedBlock {
            algorithm: b[OFF_ALG],
            compression,
            raw_read_disabled: b[OFF_MARKS] & MARK_RAW_DECRYPTION_DISABLED != 0,
            size: le32(OFF_SIZE),
            crc: le32(OFF_CRC),
            fingerprint: r.key,
            nonce,
            tag,
            aad: Box::new(aad(r)),
        })
    }
}

/// Why `r` carries a sealed-block extension it cannot have: [`SEAL_MAGIC`] at byte 152 of a
/// data record whose `blk_flags` are not exactly 0x0A (flag 0x02 cleared, or a compression
/// bit set, can only be damage: a sealed block is never stored compressed outside its
/// ciphertext, and its plaintext must not be taken for the ciphertext). `None` otherwise.
pub fn seal_problem(r: &IndexRecord) -> Option<String> {
    let b = r.as_bytes();
    if r.blk_type.get() != TYPE_DATA || b[EXT_OFFSET..EXT_OFFSET + 8] != SEAL_MAGIC {
        return None;
    }
    let f = r.blk_flags.get();
    (f != FLAG_ENCRYPTED | FLAG_CRC).then(|| {
        format!("blk_flags 0x0000000a on a record with the sealed-block extension, found 0x{f:08x}")
    })
}

/// The additional authenticated data of a sealed block: its record with `data_offset`, the
/// ciphertext CRC, the nonce and the tag zeroed.
pub fn aad(r: &IndexRecord) -> IndexRecord {
    let mut a = r.clone();
    a.data_offset = 0.into();
    a.uncomp_crc = 0.into();
    a.as_mut_bytes()[OFF_NONCE..OFF_END].fill(0);
    a
}

/// Why a block's plaintext cannot be returned (the SSC DATA PROTECT conditions, SSC-5 4.2.28
/// / SPC-5 table "ASC and ASCQ assignments": 74/01, 74/03, 74/04).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// The block is not encrypted (flag 0x02 clear).
    #[error("the block is not encrypted")]
    NotEncrypted,
    /// The block is encrypted and no key was given.
    #[error("the block is encrypted and no key is set")]
    NoKey,
    /// The key is not the block's (fingerprint or mhvtl's stored key differ).
    #[error("the block was encrypted with another key")]
    IncorrectKey,
    /// The key matches the fingerprint but the block does not decrypt (GCM tag, length or
    /// plaintext CRC wrong): the block or its record was altered.
    #[error("the block fails cryptographic integrity validation")]
    IntegrityFailed,
    /// The block uses an algorithm this crate does not have.
    #[error("the block is encrypted with unknown algorithm {0}")]
    UnsupportedAlgorithm(u8),
}

/// Turn the bytes [`Cartridge::read`] returned for an encrypted block into its plaintext.
///
/// `buf` holds what the read returned for `info` (a sealed block's ciphertext, or the payload
/// of one of mhvtl's cleartext-key blocks) and is replaced by the plaintext; on error it is
/// cleared and no byte of the block is returned.
///
/// * sealed block: the key's fingerprint must equal the stored one ([`DecryptError::IncorrectKey`]),
///   the key must be AES-256 and the GCM tag must verify over the ciphertext and the record
///   ([`DecryptError::IntegrityFailed`]); then the plaintext is decompressed and its length
///   and CRC-32C checked against the record. On NULL media (nothing stored) the key is
///   checked and `buf` becomes zeros of the block's length.
/// * mhvtl block (flag 0x02, no [`SEAL_MAGIC`]): the key must equal the stored key, length
///   and bytes ([`DecryptError::IncorrectKey`]); the payload was never encrypted.
///
/// Errors: [`DecryptError::NotEncrypted`] for a clear block (`buf` untouched), [`DecryptError::NoKey`].
pub fn decrypt_block(
    info: &BlockInfo,
    key: Option<&DataKey>,
    buf: &mut Vec<u8>,
) -> std::result::Result<(), DecryptError> {
    if info.flags & FLAG_ENCRYPTED == 0 {
        return Err(DecryptError::NotEncrypted);
    }
    let res = match (key, &info.sealed, &info.key) {
        (None, _, _) => Err(DecryptError::NoKey),
        (Some(k), Some(s), _) => open_sealed(s, k, info.payload_present, buf),
        (Some(k), None, Some(stored)) => {
            if same_bytes(&stored.key, k.as_bytes()) {
                Ok(())
            } else {
                Err(DecryptError::IncorrectKey)
            }
        }
        (Some(_), None, None) => Err(DecryptError::IncorrectKey),
    };
    if res.is_err() {
        buf.clear();
    }
    res
}

fn open_sealed(
    s: &SealedBlock,
    k: &DataKey,
    payload_present: bool,
    buf: &mut Vec<u8>,
) -> std::result::Result<(), DecryptError> {
    if !same_bytes(&s.fingerprint, k.fingerprint()) {
        return Err(DecryptError::IncorrectKey);
    }
    if s.algorithm != ALGORITHM_AES256_GCM {
        return Err(DecryptError::UnsupportedAlgorithm(s.algorithm));
    }
    if !payload_present {
        buf.clear();
        buf.resize(s.size as usize, 0);
        return Ok(());
    }
    let cipher = Aes256Gcm::new_from_slice(k.as_bytes()).map_err(|_| DecryptError::IncorrectKey)?;
    cipher
        .decrypt_in_place_detached(
            Nonce::from_slice(&s.nonce),
            s.aad.as_bytes(),
            buf,
            Tag::from_slice(&s.tag),
        )
        .map_err(|_| DecryptError::IntegrityFailed)?;
    if s.compression != Compression::None {
        let mut out = Vec::new();
        compress::decompress(s.compression, buf, s.size as usize, &mut out)
            .map_err(|_| DecryptError::IntegrityFailed)?;
        *buf = out;
    }
    if buf.len() != s.size as usize || compress::crc32c(buf) != s.crc {
        return Err(DecryptError::IntegrityFailed);
    }
    Ok(())
}

impl Cartridge {
    /// WRITE one data block encrypted with `key` (AES-256-GCM, a fresh random nonce): the
    /// plaintext `data` (1 ..= u32::MAX bytes) is compressed with `comp`, encrypted, and stored
    /// with a sealed-block record (module table) carrying `opts`' UKAD, AKAD and mark. Same
    /// position, truncation, buffering and durability rules as [`Cartridge::write_block`].
    ///
    /// Errors: [`CartError::InvalidArgument`] when the key is not 32 bytes, a KAD is longer
    /// than 32 bytes or the block is empty or too long; then as [`Cartridge::write_block`].
    pub fn write_block_sealed(
        &mut self,
        data: &[u8],
        comp: Compression,
        key: &DataKey,
        opts: &SealOptions,
    ) -> Result<WriteOutcome> {
        crate::cartridge::check_block_size(data)?;
        if !key.is_aes256() {
            return Err(CartError::InvalidArgument(format!(
                "AES-256 needs a 32-byte key, got {} bytes",
                key.as_bytes().len()
            )));
        }
        self.check_writable_here()?;
        let pos = self.position();
        if pos.block >= MAX_BLOCK_NUMBER {
            return Err(CartError::InvalidArgument(format!(
                "block number {} is past the last one a partition can hold ({MAX_BLOCK_NUMBER})",
                pos.block
            )));
        }
        let comp = if self.current_is_null_media() {
            Compression::None
        } else {
            comp
        };
        let mut ct = Vec::new();
        compress::compress(comp, data, &mut ct);
        if ct.len() > u32::MAX as usize {
            return Err(CartError::InvalidArgument(format!(
                "block compresses to {} bytes, more than a record describes",
                ct.len()
            )));
        }
        let mut r = IndexRecord::new_zeroed();
        r.blk_type = TYPE_DATA.into();
        r.blk_flags = (FLAG_ENCRYPTED | FLAG_CRC).into();
        r.blk_number = pos.block.into();
        r.blk_size = (ct.len() as u32).into();
        r.disk_blk_size = (ct.len() as u32).into();
        r.partition_id = pos.partition.into();
        r.set_key(&BlockKey {
            key: key.fingerprint().to_vec(),
            ukad: opts.ukad.clone(),
            akad: opts.akad.clone(),
        })?;
        {
            let b = r.as_mut_bytes();
            b[EXT_OFFSET..EXT_OFFSET + 8].copy_from_slice(&SEAL_MAGIC);
            b[OFF_ALG] = ALGORITHM_AES256_GCM;
            b[OFF_COMP] = comp.flag() as u8;
            b[OFF_MARKS] = if opts.raw_read_disabled {
                MARK_RAW_DECRYPTION_DISABLED
            } else {
                0
            };
            b[OFF_SIZE..OFF_SIZE + 4].copy_from_slice(&(data.len() as u32).to_le_bytes());
            b[OFF_CRC..OFF_CRC + 4].copy_from_slice(&compress::crc32c(data).to_le_bytes());
        }
        let cipher = Aes256Gcm::new_from_slice(key.as_bytes())
            .map_err(|_| CartError::InvalidArgument("AES-256 key".into()))?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let tag = cipher
            .encrypt_in_place_detached(&nonce, aad(&r).as_bytes(), &mut ct)
            .map_err(|_| CartError::InvalidArgument("block too long for AES-GCM".into()))?;
        {
            let b = r.as_mut_bytes();
            b[OFF_NONCE..OFF_NONCE + NONCE_LEN].copy_from_slice(&nonce);
            b[OFF_TAG..OFF_TAG + TAG_LEN].copy_from_slice(&tag);
        }
        let crc = compress::crc32c(&ct);
        r.uncomp_crc = crc.into();
        self.append_block(ct.len(), crc, &ct, Compression::None, |rec| {
            let offset = rec.data_offset;
            *rec = r;
            rec.data_offset = offset;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_hmac_sha256_of_the_fixed_message() {
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let rfc: [u8; 32] = mac.finalize().into_bytes().into();
        assert_eq!(
            rfc[..8],
            [0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e],
            "RFC 4231 case 2"
        );
        let k = DataKey::new(&[0x42; 32]).unwrap();
        // Computed independently with Python: hmac.new(b"\x42" * 32, b"vtl key fingerprint",
        // hashlib.sha256).hexdigest().
        let hex: String = k.fingerprint().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "0fb9d86395c77b0d19e650324fc596349e8f651801638bf6f0818dec1fe68a9f"
        );
        assert_ne!(k.fingerprint(), &fingerprint(&[0x43; 32]));
        assert!(format!("{k:?}").starts_with("DataKey(32 bytes, fingerprint "));
        assert!(!format!("{k:?}").contains("4242"));
    }

    #[test]
    fn key_lengths() {
        assert!(DataKey::new(&[]).is_err());
        assert!(DataKey::new(&[1; 33]).is_err());
        assert!(!DataKey::new(&[1; 16]).unwrap().is_aes256());
        assert!(DataKey::new(&[1; 32]).unwrap().is_aes256());
        assert_eq!(DataKey::new(&[7; 5]).unwrap().as_bytes(), &[7; 5]);
    }

    #[test]
    fn aad_zeroes_only_the_unauthenticated_fields() {
        let mut r = IndexRecord::new_zeroed();
        r.as_mut_bytes().fill(0xff);
        let a = aad(&r);
        let b = a.as_bytes();
        for (i, &v) in b.iter().enumerate() {
            let zeroed = (0..8).contains(&i) || (28..32).contains(&i) || (172..200).contains(&i);
            assert_eq!(v, if zeroed { 0 } else { 0xff }, "byte {i}");
        }
    }
}
