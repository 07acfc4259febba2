//! Tape data encryption (SSC-5 4.2.27 "Data encryption"): the drive's data encryption
//! parameters, set by SECURITY PROTOCOL OUT ([`crate::security_protocol`]), and what they do
//! to WRITE, READ and VERIFY.
//!
//! With ENCRYPTION MODE = ENCRYPT every data block is compressed (as mode page 0x0F says),
//! then encrypted with AES-256-GCM under the key and stored as a sealed block
//! ([`libvtlcart::crypt`]: the key is never stored, only its fingerprint, the U-KAD and the
//! A-KAD). On READ and VERIFY the DECRYPTION MODE decides:
//!
//! | block | DISABLE | RAW | DECRYPT | MIXED |
//! |---|---|---|---|---|
//! | clear | returned | returned | 74/02 UNENCRYPTED DATA ENCOUNTERED WHILE DECRYPTING | returned |
//! | encrypted | 74/01 UNABLE TO DECRYPT DATA | the stored bytes (a sealed block's ciphertext), or 74/0A ENCRYPTED BLOCK NOT RAW READ ENABLED when written with RDMC protect | plaintext, 74/03 INCORRECT DATA ENCRYPTION KEY, 74/04 CRYPTOGRAPHIC INTEGRITY VALIDATION FAILED | as DECRYPT |
//!
//! All with sense key DATA PROTECT. After 74/01, 74/02, 74/03 and 74/0A the tape stays before
//! the block (the host can ask the next block encryption status, set another key and read it
//! again); after 74/04 it is past the block, as after an unrecovered read error. Blocks mhvtl
//! wrote with its cleartext-key scheme count as encrypted and decrypt with the key mhvtl
//! stored (any length 1..=32, which is why decrypt-only parameters accept short keys).
//!
//! Demount with CKOD set, a power-on and a hard reset clear the parameters (modes DISABLE,
//! no key); a change of parameters increments the KEY INSTANCE COUNTER.

use libvtlcart::crypt::{DecryptError, decrypt_block};
use libvtlcart::index::FLAG_ENCRYPTED;
use libvtlcart::{BlockInfo, CartError, Compression, DataKey, SealOptions};
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::drive::{Drive, Slot};
use crate::personality::{Family, Personality};

/// DATA PROTECT ASC/ASCQ: UNABLE TO DECRYPT DATA (74/01).
pub const UNABLE_TO_DECRYPT_DATA: Asc = Asc(0x74, 0x01);
/// DATA PROTECT ASC/ASCQ: UNENCRYPTED DATA ENCOUNTERED WHILE DECRYPTING (74/02).
pub const UNENCRYPTED_DATA_ENCOUNTERED_WHILE_DECRYPTING: Asc = Asc(0x74, 0x02);
/// DATA PROTECT ASC/ASCQ: INCORRECT DATA ENCRYPTION KEY (74/03).
pub const INCORRECT_DATA_ENCRYPTION_KEY: Asc = Asc(0x74, 0x03);
/// DATA PROTECT ASC/ASCQ: CRYPTOGRAPHIC INTEGRITY VALIDATION FAILED (74/04).
pub const CRYPTOGRAPHIC_INTEGRITY_VALIDATION_FAILED: Asc = Asc(0x74, 0x04);
/// DATA PROTECT ASC/ASCQ: ENCRYPTED BLOCK NOT RAW READ ENABLED (74/0A).
pub const ENCRYPTED_BLOCK_NOT_RAW_READ_ENABLED: Asc = Asc(0x74, 0x0a);
/// UNIT ATTENTION ASC/ASCQ: DATA ENCRYPTION PARAMETERS CHANGED BY ANOTHER I_T NEXUS (2A/11).
pub const PARAMETERS_CHANGED_BY_ANOTHER_I_T_NEXUS: Asc = Asc(0x2a, 0x11);

/// The ALGORITHM INDEX of the one algorithm, AES-256-GCM.
pub const ALGORITHM_INDEX: u8 = 1;
/// SECURITY ALGORITHM CODE of AES-256-GCM (SSC-5 table "Security algorithm codes").
pub const AES256_GCM_ALGORITHM_CODE: u32 = 0x0001_0014;
/// KEY SIZE of the algorithm (bytes).
pub const KEY_SIZE: u16 = 32;

/// ENCRYPTION MODE (set data encryption page byte 6). EXTERNAL (01h) is not supported
/// (EXTDECC 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncryptionMode {
    /// 00h: written blocks are not encrypted.
    #[default]
    Disable,
    /// 02h: written blocks are encrypted with the key.
    Encrypt,
}

/// DECRYPTION MODE (set data encryption page byte 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecryptionMode {
    /// 00h: encrypted blocks are not returned.
    #[default]
    Disable,
    /// 01h: encrypted blocks are returned as stored.
    Raw,
    /// 02h: every block must be encrypted and is decrypted.
    Decrypt,
    /// 03h: encrypted blocks are decrypted, clear ones returned.
    Mixed,
}

impl EncryptionMode {
    /// The field value.
    pub fn code(self) -> u8 {
        match self {
            EncryptionMode::Disable => 0,
            EncryptionMode::Encrypt => 2,
        }
    }
}

impl DecryptionMode {
    /// The field value.
    pub fn code(self) -> u8 {
        match self {
            DecryptionMode::Disable => 0,
            DecryptionMode::Raw => 1,
            DecryptionMode::Decrypt => 2,
            DecryptionMode::Mixed => 3,
        }
    }

    /// The mode for a field value (`None` for reserved values).
    pub fn from_code(v: u8) -> Option<DecryptionMode> {
        Some(match v {
            0 => DecryptionMode::Disable,
            1 => DecryptionMode::Raw,
            2 => DecryptionMode::Decrypt,
            3 => DecryptionMode::Mixed,
            _ => return None,
        })
    }
}

/// What a personality's data encryption capabilities page reports and its set data
/// encryption page accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// MAXIMUM UNAUTHENTICATED KEY-ASSOCIATED DATA BYTES.
    pub max_ukad: u16,
    /// MAXIMUM AUTHENTICATED KEY-ASSOCIATED DATA BYTES (0: A-KAD not accepted).
    pub max_akad: u16,
}

/// The encryption profile of `pers`, `None` when it has no encryption (spec 6.2 "SP"):
/// LTO-4 and later and 3592 accept a 32-byte U-KAD and a 12-byte A-KAD (spec 1.12); the
/// StorageTek drives a 30-byte U-KAD and no A-KAD (T10000 interface reference, "Key
/// Association Descriptor Format").
pub fn profile(pers: &Personality) -> Option<Profile> {
    if !pers.encryption {
        return None;
    }
    Some(match pers.family {
        Family::T10000(_) | Family::T9840(_) | Family::T9940(_) => Profile {
            max_ukad: 30,
            max_akad: 0,
        },
        _ => Profile {
            max_ukad: 32,
            max_akad: 12,
        },
    })
}

/// The drive's data encryption parameters (SSC-5 8.5.4 set data encryption page, as the
/// data encryption status page reports them). One set for every I_T nexus (scope ALL I_T
/// NEXUS; PUBLIC joins it).
#[derive(Debug, Clone, Default)]
pub struct Parameters {
    /// I_T NEXUS SCOPE / KEY SCOPE reported: 0 (PUBLIC) until a set data encryption page
    /// with scope ALL I_T NEXUS (2) is accepted.
    pub scope: u8,
    /// ENCRYPTION MODE.
    pub encryption: EncryptionMode,
    /// DECRYPTION MODE.
    pub decryption: DecryptionMode,
    /// The key (needed by ENCRYPT, DECRYPT and MIXED).
    pub key: Option<DataKey>,
    /// U-KAD written with every encrypted block.
    pub ukad: Vec<u8>,
    /// A-KAD written with every encrypted block.
    pub akad: Vec<u8>,
    /// KAD FORMAT as set (0 unspecified, 1 binary, 2 ASCII).
    pub kad_format: u8,
    /// CEEM as set (reported as CEEMS; no external encryption here, so it changes nothing).
    pub ceem: u8,
    /// RDMC as set: 3 (protect) marks written blocks raw-decryption disabled.
    pub rdmc: u8,
    /// CKOD: clear the parameters when the medium is demounted.
    pub ckod: bool,
    /// KEY INSTANCE COUNTER: incremented on every change of the parameters.
    pub key_instance_counter: u32,
}

impl Parameters {
    /// Blocks written now are marked raw-decryption disabled (RDMC 11b).
    pub fn raw_read_disabled(&self) -> bool {
        self.rdmc == 3
    }

    /// ALGORITHM INDEX reported: 1 while a mode is not DISABLE, else 0.
    pub fn algorithm_index(&self) -> u8 {
        if self.encryption == EncryptionMode::Disable && self.decryption == DecryptionMode::Disable
        {
            0
        } else {
            ALGORITHM_INDEX
        }
    }

    /// Back to the defaults (both modes DISABLE, no key, no KAD), counting a change when
    /// anything was set.
    pub fn clear(&mut self) {
        let counter = self.key_instance_counter;
        let changed = self.encryption != EncryptionMode::Disable
            || self.decryption != DecryptionMode::Disable
            || self.key.is_some();
        *self = Parameters {
            key_instance_counter: counter.wrapping_add(u32::from(changed)),
            ..Parameters::default()
        };
    }
}

/// Whether the block `info` describes was encrypted (flag 0x02: sealed by vtl, or mhvtl's
/// cleartext-key scheme).
pub fn is_encrypted(info: &BlockInfo) -> bool {
    info.flags & FLAG_ENCRYPTED != 0
}

fn data_protect(asc: Asc) -> ScsiError {
    ScsiError::Check(Sense::new(SenseKey::DataProtect, asc))
}

impl Drive {
    /// The data encryption parameters.
    pub fn encryption(&self) -> &Parameters {
        &self.crypto
    }

    /// Store one data block at the current position: sealed with the key when ENCRYPTION
    /// MODE is ENCRYPT, else as a clear block (mhvtl's layout). The caller has checked write
    /// permission and capacity.
    pub(crate) fn store_block(&mut self, block: &[u8], comp: Compression) -> Result<(), CartError> {
        let Slot::Loaded(l) = &mut self.slot else {
            return Err(CartError::InvalidArgument("no cartridge".into()));
        };
        let c = &self.crypto;
        match (&c.key, c.encryption) {
            (Some(key), EncryptionMode::Encrypt) => {
                let opts = SealOptions {
                    ukad: c.ukad.clone(),
                    akad: c.akad.clone(),
                    raw_read_disabled: c.raw_read_disabled(),
                };
                l.cart.write_block_sealed(block, comp, key, &opts)?;
            }
            _ => {
                l.cart.write_block(block, comp, None)?;
            }
        }
        Ok(())
    }

    /// Apply the decryption mode to the block just read (`buf` holds what libvtlcart
    /// returned): `Ok` with the bytes to return in `buf`, or the DATA PROTECT condition of
    /// the module table with `buf` cleared and the tape moved back before the block (except
    /// for 74/04).
    pub(crate) fn decrypt_read(
        &mut self,
        info: &BlockInfo,
        buf: &mut Vec<u8>,
    ) -> Result<(), ScsiError> {
        let mode = self.crypto.decryption;
        let refused = if !is_encrypted(info) {
            (mode == DecryptionMode::Decrypt)
                .then_some(UNENCRYPTED_DATA_ENCOUNTERED_WHILE_DECRYPTING)
        } else {
            match mode {
                DecryptionMode::Disable => Some(UNABLE_TO_DECRYPT_DATA),
                DecryptionMode::Raw => info
                    .sealed
                    .as_ref()
                    .is_some_and(|s| s.raw_read_disabled)
                    .then_some(ENCRYPTED_BLOCK_NOT_RAW_READ_ENABLED),
                DecryptionMode::Decrypt | DecryptionMode::Mixed => {
                    match decrypt_block(info, self.crypto.key.as_ref(), buf) {
                        Ok(()) | Err(DecryptError::NotEncrypted) => None,
                        Err(DecryptError::NoKey | DecryptError::UnsupportedAlgorithm(_)) => {
                            Some(UNABLE_TO_DECRYPT_DATA)
                        }
                        Err(DecryptError::IncorrectKey) => Some(INCORRECT_DATA_ENCRYPTION_KEY),
                        Err(DecryptError::IntegrityFailed) => {
                            buf.clear();
                            return Err(data_protect(CRYPTOGRAPHIC_INTEGRITY_VALIDATION_FAILED));
                        }
                    }
                }
            }
        };
        let Some(asc) = refused else {
            return Ok(());
        };
        buf.clear();
        if let Slot::Loaded(l) = &mut self.slot {
            let part = l.cart.position().partition;
            if l.cart.locate(part, info.block).is_err() {
                self.position_valid = false;
            }
        }
        Err(data_protect(asc))
    }

    /// Clear the parameters when the medium leaves the drive and CKOD was set.
    pub(crate) fn encryption_on_demount(&mut self) {
        if self.crypto.ckod {
            self.crypto.clear();
        }
    }

    /// Clear the parameters (power on, hard reset, logical unit reset).
    pub fn encryption_reset(&mut self) {
        self.crypto.clear();
    }
}
