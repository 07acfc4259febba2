//! SECURITY PROTOCOL IN (0xA2, SPC-5 6.40) and SECURITY PROTOCOL OUT (0xB5, SPC-5 6.42) for
//! tape data encryption (security protocol 20h, SSC-5 8.5), as LTO-4 and later, 3592 and
//! StorageTek drives present them to stenc and backup software. Only personalities with
//! encryption (spec 6.2 "SP") answer them; the others report INVALID COMMAND OPERATION CODE.
//!
//! SECURITY PROTOCOL IN pages (data-in cut to the ALLOCATION LENGTH, in 512-byte units when
//! INC_512 is set):
//!
//! | protocol / page | content |
//! |---|---|
//! | 00h / 0000h | supported security protocols: 00h, 20h (SPC-5 7.7.1) |
//! | 00h / 0001h | certificate data: none (length 0) |
//! | 20h / 0000h | tape data encryption in support: 0000h 0001h 0010h 0011h 0012h 0020h 0021h |
//! | 20h / 0001h | tape data encryption out support: 0010h |
//! | 20h / 0010h | data encryption capabilities ([`capabilities_page`]) |
//! | 20h / 0011h | supported key formats: 00h (plaintext key) |
//! | 20h / 0012h | data encryption management capabilities ([`management_capabilities_page`]) |
//! | 20h / 0020h | data encryption status ([`status_page`]) |
//! | 20h / 0021h | next block encryption status ([`next_block_status_page`]; NOT READY without a medium) |
//!
//! SECURITY PROTOCOL OUT accepts protocol 20h page 0010h set data encryption
//! ([`parse_set_data_encryption`]); a change raises UNIT ATTENTION DATA ENCRYPTION
//! PARAMETERS CHANGED BY ANOTHER I_T NEXUS (2A/11) for the other nexuses (done by
//! [`crate::lu::TapeDrive`]).

use libvtlcart::crypt::SealedBlock;
use libvtlcart::index::{FLAG_LZO, FLAG_ZLIB, IndexRecord, ObjectKind};
use libvtlcart::{Compression, DataKey};
use vtl_scsi::cdb::{check_control, check_reserved, view};
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};
use zerocopy::byteorder::big_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::drive::{Drive, Slot};
use crate::encryption::{
    AES256_GCM_ALGORITHM_CODE, ALGORITHM_INDEX, DecryptionMode, EncryptionMode, KEY_SIZE,
    Parameters, Profile, profile,
};

/// SECURITY PROTOCOL IN operation code.
pub const SECURITY_PROTOCOL_IN: u8 = 0xa2;
/// SECURITY PROTOCOL OUT operation code.
pub const SECURITY_PROTOCOL_OUT: u8 = 0xb5;
/// Security protocol 00h: security protocol information.
pub const PROTOCOL_INFORMATION: u8 = 0x00;
/// Security protocol 20h: tape data encryption.
pub const PROTOCOL_TAPE_DATA_ENCRYPTION: u8 = 0x20;
/// Tape data encryption IN pages, ascending.
pub const IN_PAGES: &[u16] = &[0x0000, 0x0001, 0x0010, 0x0011, 0x0012, 0x0020, 0x0021];
/// Tape data encryption OUT pages.
pub const OUT_PAGES: &[u16] = &[0x0010];
/// Set data encryption page code.
pub const SET_DATA_ENCRYPTION: u16 = 0x0010;

/// KEY DESCRIPTOR TYPE of a U-KAD.
pub const KAD_UKAD: u8 = 0;
/// KEY DESCRIPTOR TYPE of an A-KAD.
pub const KAD_AKAD: u8 = 1;
/// KEY DESCRIPTOR TYPE of a nonce (not accepted: the drive makes its own, NONCE_C 1).
pub const KAD_NONCE: u8 = 2;
/// KEY DESCRIPTOR TYPE of metadata (EXTERNAL mode only, not accepted).
pub const KAD_METADATA: u8 = 3;

/// The SECURITY PROTOCOL IN / OUT CDB (SPC-5 6.40, 6.42), 12 bytes: byte 1 SECURITY
/// PROTOCOL, 2..3 SECURITY PROTOCOL SPECIFIC, byte 4 bit 7 INC_512, 6..9 ALLOCATION LENGTH
/// (IN) or TRANSFER LENGTH (OUT), 11 CONTROL; bytes 4 bits 6..0, 5 and 10 reserved.
#[derive(Debug, FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct SecurityProtocolCdb {
    op: u8,
    protocol: u8,
    specific: U16,
    flags: u8,
    reserved: u8,
    length: U32,
    reserved2: u8,
    control: u8,
}

impl SecurityProtocolCdb {
    /// Parse and check reserved fields and CONTROL.
    pub fn parse(cdb: &[u8]) -> Result<&SecurityProtocolCdb, ScsiError> {
        let c: &SecurityProtocolCdb = view(cdb)?;
        check_reserved(c.flags, 0x7f, 4)?;
        check_reserved(c.reserved, 0xff, 5)?;
        check_reserved(c.reserved2, 0xff, 10)?;
        check_control(c.control, 11)?;
        Ok(c)
    }

    /// SECURITY PROTOCOL.
    pub fn protocol(&self) -> u8 {
        self.protocol
    }

    /// SECURITY PROTOCOL SPECIFIC (the page).
    pub fn specific(&self) -> u16 {
        self.specific.get()
    }

    /// ALLOCATION / TRANSFER LENGTH in bytes (× 512 with INC_512).
    pub fn length(&self) -> u64 {
        let n = u64::from(self.length.get());
        if self.flags & 0x80 != 0 { n * 512 } else { n }
    }
}

/// A page with the 4-byte tape data encryption header (2-byte page code, 2-byte length).
fn page(code: u16, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(4 + body.len());
    v.extend_from_slice(&code.to_be_bytes());
    v.extend_from_slice(&(body.len().min(0xffff) as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A key-associated data descriptor: type, AUTHENTICATED, 2-byte length, the bytes.
fn kad(kind: u8, authenticated: u8, data: &[u8], out: &mut Vec<u8>) {
    out.push(kind);
    out.push(authenticated & 7);
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
}

/// Data encryption capabilities page 0010h (SSC-5 8.5.2.4), 44 bytes: byte 4 CFG_P 01b
/// (parameters can be changed), EXTDECC 00b; one algorithm descriptor at byte 20: ALGORITHM
/// INDEX 1, DESCRIPTOR LENGTH 20, byte 24 AVFMV (a writable medium is loaded) | MAC_C |
/// DELB_C | DECRYPT_C 10b | ENCRYPT_C 10b (0x3A, as IBM and HP LTO drives), byte 25 NONCE_C
/// 01b (the drive makes the nonces), 26..27 MAXIMUM U-KAD BYTES, 28..29 MAXIMUM A-KAD
/// BYTES, 30..31 KEY SIZE 32, byte 32 RDMC_C 100b (the RDMC field is honoured) | EAREM,
/// 40..43 SECURITY ALGORITHM CODE 0x00010014 (AES-256-GCM).
pub fn capabilities_page(p: Profile, medium_usable: bool) -> Vec<u8> {
    let mut b = vec![0u8; 40];
    b[0] = 0x01;
    b[16] = ALGORITHM_INDEX;
    b[18..20].copy_from_slice(&20u16.to_be_bytes());
    b[20] = 0x3a | if medium_usable { 0x80 } else { 0 };
    b[21] = 0x10;
    b[22..24].copy_from_slice(&p.max_ukad.to_be_bytes());
    b[24..26].copy_from_slice(&p.max_akad.to_be_bytes());
    b[26..28].copy_from_slice(&KEY_SIZE.to_be_bytes());
    b[28] = 0x08 | 0x01;
    b[36..40].copy_from_slice(&AES256_GCM_ALGORITHM_CODE.to_be_bytes());
    page(0x0010, &b)
}

/// Data encryption management capabilities page 0012h (SSC-5 8.5.2.6), 16 bytes: LOCK_C 0,
/// CKOD_C 1, CKORP_C 0, CKORL_C 0, AITN_C 1, LOCAL_C 0, PUBLIC_C 1.
pub fn management_capabilities_page() -> Vec<u8> {
    let mut b = vec![0u8; 12];
    b[1] = 0x04;
    b[3] = 0x05;
    page(0x0012, &b)
}

/// Data encryption status page 0020h (SSC-5 8.5.2.7): byte 4 I_T NEXUS SCOPE (7..5) and KEY
/// SCOPE (2..0), 5 ENCRYPTION MODE, 6 DECRYPTION MODE, 7 ALGORITHM INDEX, 8..11 KEY
/// INSTANCE COUNTER, byte 12 PARAMETERS CONTROL 001b | VCELB 0 | CEEMS | RDMD, 13 KAD
/// FORMAT, 14..15 ASDK COUNT 0, 16..23 reserved, then the U-KAD and A-KAD descriptors
/// (AUTHENTICATED 0) that encrypted writes carry, while ENCRYPTION MODE is ENCRYPT.
pub fn status_page(c: &Parameters) -> Vec<u8> {
    let mut b = vec![0u8; 20];
    b[0] = (c.scope & 7) << 5 | (c.scope & 7);
    b[1] = c.encryption.code();
    b[2] = c.decryption.code();
    b[3] = c.algorithm_index();
    b[4..8].copy_from_slice(&c.key_instance_counter.to_be_bytes());
    b[8] = 0x10 | (c.ceem & 3) << 1 | u8::from(c.raw_read_disabled());
    b[9] = c.kad_format;
    if c.encryption == EncryptionMode::Encrypt {
        if !c.ukad.is_empty() {
            kad(KAD_UKAD, 0, &c.ukad, &mut b);
        }
        if !c.akad.is_empty() {
            kad(KAD_AKAD, 0, &c.akad, &mut b);
        }
    }
    page(0x0020, &b)
}

/// What the next logical object is, for the next block encryption status page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextObject {
    /// End of data (or the record could not be read): status 1h "not able at this time".
    Unavailable,
    /// A filemark: status 2h "not a logical block".
    Filemark,
    /// A data block, from its index record.
    Block(Box<IndexRecord>),
}

/// Next block encryption status page 0021h (SSC-5 8.5.2.8) for object `number`: bytes 4..11
/// LOGICAL OBJECT NUMBER, byte 12 COMPRESSION STATUS (7..4: 1h unavailable, 2h not a block,
/// 3h not compressed, 4h compressed) and ENCRYPTION STATUS (3..0: 1h unavailable, 2h not a
/// block, 3h not encrypted, 5h encrypted and decryptable with the current key and mode, 6h
/// encrypted but not decryptable now, 4h unknown algorithm), 13 ALGORITHM INDEX (1 for an
/// encrypted block), 14 EMES 0 | RDMDS (block marked raw-decryption disabled), 15 NEXT
/// BLOCK KAD FORMAT 0, then the block's U-KAD (AUTHENTICATED 001b) and A-KAD (001b: checked
/// when the block is read, not by this report) descriptors.
pub fn next_block_status_page(number: u64, next: &NextObject, c: &Parameters) -> Vec<u8> {
    let mut b = vec![0u8; 12];
    b[0..8].copy_from_slice(&number.to_be_bytes());
    match next {
        NextObject::Unavailable => b[8] = 0x11,
        NextObject::Filemark => b[8] = 0x22,
        NextObject::Block(r) => {
            let sealed = SealedBlock::from_record(r);
            let compressed = match &sealed {
                Some(s) => s.compression != Compression::None,
                None => r.blk_flags.get() & (FLAG_LZO | FLAG_ZLIB) != 0,
            };
            let comp = if compressed { 4 } else { 3 };
            let Some(k) = r.block_key() else {
                b[8] = comp << 4 | 3;
                return page(0x0021, &b);
            };
            let decrypting = matches!(
                c.decryption,
                DecryptionMode::Decrypt | DecryptionMode::Mixed
            );
            let key_fits = match (&c.key, &sealed) {
                (Some(key), Some(s)) => s.fingerprint == *key.fingerprint(),
                (Some(key), None) => k.key == key.as_bytes(),
                (None, _) => false,
            };
            let status = match &sealed {
                Some(s) if s.algorithm != libvtlcart::crypt::ALGORITHM_AES256_GCM => 4,
                _ if decrypting && key_fits => 5,
                _ => 6,
            };
            b[8] = comp << 4 | status;
            b[9] = ALGORITHM_INDEX;
            b[10] = u8::from(sealed.as_ref().is_some_and(|s| s.raw_read_disabled));
            if !k.ukad.is_empty() {
                kad(KAD_UKAD, 1, &k.ukad, &mut b);
            }
            if !k.akad.is_empty() {
                kad(KAD_AKAD, 1, &k.akad, &mut b);
            }
        }
    }
    page(0x0021, &b)
}

/// INVALID FIELD IN PARAMETER LIST at `byte` (bit `bit`).
fn bad(byte: usize, bit: Option<u8>, why: &'static str) -> ScsiError {
    ScsiError::param(u16::try_from(byte).unwrap_or(u16::MAX), bit, why)
}

/// Parse a set data encryption page (SSC-5 8.5.3.2) sent by SECURITY PROTOCOL OUT and return
/// the parameters it sets (`None`: SCOPE PUBLIC, which only joins the shared parameters).
/// `current` gives the KEY INSTANCE COUNTER; `medium` whether a medium is mounted (CKOD needs
/// one).
///
/// Layout: 0..1 PAGE CODE 0010h, 2..3 PAGE LENGTH, byte 4 SCOPE (7..5) and LOCK (0), byte
/// 5 CEEM (7..6), RDMC (5..4), SDK (3), CKOD (2), CKORP (1), CKORL (0), 6 ENCRYPTION MODE,
/// 7 DECRYPTION MODE, 8 ALGORITHM INDEX, 9 LOGICAL BLOCK ENCRYPTION KEY FORMAT, 10 KAD
/// FORMAT, 11..17 reserved, 18..19 KEY LENGTH, 20.. KEY, then key-associated data
/// descriptors (type, AUTHENTICATED, 2-byte length, bytes) in ascending type order.
///
/// Errors (field pointers into the parameter list):
/// * PARAMETER LIST LENGTH ERROR, field pointer on the CDB's TRANSFER LENGTH (byte 6), when
///   the list is shorter than the page it announces or than 20 bytes;
/// * INVALID FIELD IN PARAMETER LIST: page code (byte 0); SCOPE LOCAL or reserved (byte 4
///   bit 7), LOCK (byte 4 bit 0; LOCK_C 0); RDMC 01b (byte 5 bit 5), SDK (bit 3), CKORP
///   (bit 1), CKORL (bit 0); ENCRYPTION MODE EXTERNAL or reserved (byte 6); DECRYPTION MODE
///   reserved (byte 7); ALGORITHM INDEX other than 1 while a mode is not DISABLE (byte 8);
///   KEY FORMAT other than plaintext (byte 9); KAD FORMAT above 2 (byte 10); reserved bytes
///   11..17; KEY LENGTH (byte 18): not 32 with ENCRYPT, 0 or above 32 when decrypting, past
///   the page; a descriptor running past the page (its length field), of type nonce or
///   metadata or unknown (its type byte), repeated or out of order (its type byte), longer
///   than the profile allows (its length field), or with an AUTHENTICATED value (byte 1);
/// * NOT READY / MEDIUM NOT PRESENT for CKOD without a mounted medium.
pub fn parse_set_data_encryption(
    data: &[u8],
    p: Profile,
    current: &Parameters,
    medium: bool,
) -> Result<Option<Parameters>, ScsiError> {
    if data.len() < 4 {
        // The page header is 4 bytes: the TRANSFER LENGTH (CDB byte 6) is too short.
        return Err(ScsiError::param_list_length_at(6));
    }
    let code = u16::from_be_bytes([data[0], data[1]]);
    if code != SET_DATA_ENCRYPTION {
        return Err(bad(
            0,
            None,
            "page code must match SECURITY PROTOCOL SPECIFIC",
        ));
    }
    let end = 4 + usize::from(u16::from_be_bytes([data[2], data[3]]));
    if end > data.len() || end < 20 {
        // The page runs past the list, or is shorter than its 20 fixed bytes.
        return Err(ScsiError::param_list_length_at(6));
    }
    let d = &data[..end];
    let scope = d[4] >> 5;
    if d[4] & 0x1e != 0 {
        return Err(bad(4, Some(4), "reserved bits"));
    }
    if d[4] & 0x01 != 0 {
        return Err(bad(4, Some(0), "LOCK is not supported (LOCK_C 0)"));
    }
    match scope {
        0 => return Ok(None),
        2 => {}
        1 => return Err(bad(4, Some(7), "scope LOCAL is not supported (LOCAL_C 0)")),
        _ => return Err(bad(4, Some(7), "reserved scope")),
    }
    let ceem = d[5] >> 6;
    let rdmc = (d[5] >> 4) & 3;
    if rdmc == 1 {
        return Err(bad(5, Some(5), "reserved RDMC value"));
    }
    if d[5] & 0x08 != 0 {
        return Err(bad(5, Some(3), "SDK is not supported"));
    }
    if d[5] & 0x02 != 0 {
        return Err(bad(5, Some(1), "CKORP is not supported (CKORP_C 0)"));
    }
    if d[5] & 0x01 != 0 {
        return Err(bad(5, Some(0), "CKORL is not supported (CKORL_C 0)"));
    }
    let ckod = d[5] & 0x04 != 0;
    let encryption = match d[6] {
        0 => EncryptionMode::Disable,
        2 => EncryptionMode::Encrypt,
        1 => {
            return Err(bad(
                6,
                None,
                "EXTERNAL encryption is not supported (EXTDECC 0)",
            ));
        }
        _ => return Err(bad(6, None, "reserved encryption mode")),
    };
    let decryption =
        DecryptionMode::from_code(d[7]).ok_or_else(|| bad(7, None, "reserved decryption mode"))?;
    let active = encryption != EncryptionMode::Disable || decryption != DecryptionMode::Disable;
    if active && d[8] != ALGORITHM_INDEX {
        return Err(bad(
            8,
            None,
            "algorithm index 1 (AES-256-GCM) is the only one",
        ));
    }
    let needs_key = encryption == EncryptionMode::Encrypt
        || matches!(decryption, DecryptionMode::Decrypt | DecryptionMode::Mixed);
    if needs_key && d[9] != 0 {
        return Err(bad(9, None, "only plaintext keys (key format 00h)"));
    }
    if d[10] > 2 {
        return Err(bad(10, None, "reserved KAD format"));
    }
    if let Some(i) = (11..18).find(|&i| d[i] != 0) {
        return Err(bad(i, None, "reserved byte"));
    }
    let klen = usize::from(u16::from_be_bytes([d[18], d[19]]));
    if 20 + klen > end {
        return Err(bad(18, None, "the key runs past the page"));
    }
    let key = if needs_key {
        let ok = if encryption == EncryptionMode::Encrypt {
            klen == usize::from(KEY_SIZE)
        } else {
            (1..=32).contains(&klen)
        };
        if !ok {
            return Err(bad(18, None, "key length must be the key size (32 bytes)"));
        }
        Some(DataKey::new(&d[20..20 + klen]).map_err(|_| bad(18, None, "key length"))?)
    } else {
        None
    };
    let mut ukad = Vec::new();
    let mut akad = Vec::new();
    let mut at = 20 + klen;
    let mut last_type: Option<u8> = None;
    while at < end {
        if at + 4 > end {
            return Err(bad(at, None, "truncated key-associated data descriptor"));
        }
        let kind = d[at];
        let len = usize::from(u16::from_be_bytes([d[at + 2], d[at + 3]]));
        if at + 4 + len > end {
            return Err(bad(at + 2, None, "descriptor runs past the page"));
        }
        if last_type.is_some_and(|t| kind <= t) {
            return Err(bad(at, None, "descriptors repeated or out of type order"));
        }
        if d[at + 1] != 0 {
            return Err(bad(at + 1, None, "AUTHENTICATED is reserved in a set page"));
        }
        let bytes = &d[at + 4..at + 4 + len];
        match kind {
            KAD_UKAD if len <= usize::from(p.max_ukad) => ukad = bytes.to_vec(),
            KAD_AKAD if len <= usize::from(p.max_akad) => akad = bytes.to_vec(),
            KAD_UKAD | KAD_AKAD => {
                return Err(bad(
                    at + 2,
                    None,
                    "key-associated data longer than supported",
                ));
            }
            KAD_NONCE => return Err(bad(at, None, "host nonces are not supported (NONCE_C 1)")),
            KAD_METADATA => return Err(bad(at, None, "metadata KAD is for EXTERNAL mode")),
            _ => return Err(bad(at, None, "reserved key descriptor type")),
        }
        last_type = Some(kind);
        at += 4 + len;
    }
    if ckod && !medium {
        return Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT));
    }
    if encryption == EncryptionMode::Disable {
        // KADs go with encrypted writes only; with encryption disabled they are ignored.
        ukad.clear();
        akad.clear();
    }
    Ok(Some(Parameters {
        scope,
        encryption,
        decryption,
        key,
        ukad,
        akad,
        kad_format: d[10],
        ceem,
        rdmc,
        ckod,
        key_instance_counter: current.key_instance_counter.wrapping_add(1),
    }))
}

impl Drive {
    /// Whether AVFMV holds: a medium the drive can write is loaded.
    fn medium_usable_for_encryption(&self) -> bool {
        matches!(&self.slot, Slot::Loaded(l) if !l.read_only_format && !l.cleaning)
    }

    /// SECURITY PROTOCOL IN or OUT (`cdb[0]` 0xA2 / 0xB5) on a personality with encryption.
    /// Returns whether the data encryption parameters changed (OUT). A pending deferred error
    /// is reported first, as for the other SSC commands.
    ///
    /// Errors: INVALID COMMAND OPERATION CODE on a personality without encryption; INVALID
    /// FIELD IN CDB for an unknown SECURITY PROTOCOL (byte 1) or page (byte 2), reserved bits;
    /// the conditions of [`parse_set_data_encryption`]; NOT READY / MEDIUM NOT PRESENT for
    /// page 0021h without a medium.
    pub fn security_protocol(
        &mut self,
        cdb: &[u8],
        data_out: &[u8],
        data_in: &mut Vec<u8>,
    ) -> Result<bool, ScsiError> {
        let op = cdb.first().copied().unwrap_or(0);
        let Some(prof) = profile(self.personality()) else {
            return Err(ScsiError::InvalidOpcode {
                op,
                service_action: None,
            });
        };
        let c = SecurityProtocolCdb::parse(cdb)?;
        if let Some(s) = self.deferred.take() {
            return Err(ScsiError::Check(s));
        }
        if op == SECURITY_PROTOCOL_OUT {
            return self.security_protocol_out(c, prof, data_out);
        }
        let body = match (c.protocol(), c.specific()) {
            (PROTOCOL_INFORMATION, 0x0000) => {
                vec![
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    0,
                    2,
                    PROTOCOL_INFORMATION,
                    PROTOCOL_TAPE_DATA_ENCRYPTION,
                ]
            }
            (PROTOCOL_INFORMATION, 0x0001) => vec![0, 0, 0, 0],
            (PROTOCOL_INFORMATION, _) => {
                return Err(ScsiError::cdb(
                    2,
                    None,
                    "security protocol information page",
                ));
            }
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0000) => {
                let b: Vec<u8> = IN_PAGES.iter().flat_map(|p| p.to_be_bytes()).collect();
                page(0x0000, &b)
            }
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0001) => {
                let b: Vec<u8> = OUT_PAGES.iter().flat_map(|p| p.to_be_bytes()).collect();
                page(0x0001, &b)
            }
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0010) => {
                capabilities_page(prof, self.medium_usable_for_encryption())
            }
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0011) => page(0x0011, &[0x00]),
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0012) => management_capabilities_page(),
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0020) => status_page(&self.crypto),
            (PROTOCOL_TAPE_DATA_ENCRYPTION, 0x0021) => {
                let (number, next) = self.next_object_status()?;
                next_block_status_page(number, &next, &self.crypto)
            }
            (PROTOCOL_TAPE_DATA_ENCRYPTION, _) => {
                return Err(ScsiError::cdb(
                    2,
                    None,
                    "tape data encryption page not supported",
                ));
            }
            _ => return Err(ScsiError::cdb(1, None, "security protocol not supported")),
        };
        let n = usize::try_from(c.length())
            .unwrap_or(usize::MAX)
            .min(body.len());
        data_in.extend_from_slice(&body[..n]);
        Ok(false)
    }

    /// The next logical object's number and what it is (page 0021h).
    fn next_object_status(&mut self) -> Result<(u64, NextObject), ScsiError> {
        let l = self.loaded()?;
        let pos = l.cart.position();
        let number = u64::from(pos.block);
        if pos.eod {
            return Ok((number, NextObject::Unavailable));
        }
        let next = match l.cart.record(pos.partition, pos.block) {
            Ok(r) => match r.kind() {
                Some(ObjectKind::Filemark) => NextObject::Filemark,
                Some(ObjectKind::Data) => NextObject::Block(Box::new(r)),
                None => NextObject::Unavailable,
            },
            Err(_) => NextObject::Unavailable,
        };
        Ok((number, next))
    }

    fn security_protocol_out(
        &mut self,
        c: &SecurityProtocolCdb,
        prof: Profile,
        data_out: &[u8],
    ) -> Result<bool, ScsiError> {
        if c.protocol() != PROTOCOL_TAPE_DATA_ENCRYPTION {
            return Err(ScsiError::cdb(1, None, "security protocol not supported"));
        }
        if c.specific() != SET_DATA_ENCRYPTION {
            return Err(ScsiError::cdb(
                2,
                None,
                "tape data encryption out page not supported",
            ));
        }
        let len = usize::try_from(c.length()).unwrap_or(usize::MAX);
        if len == 0 {
            return Ok(false);
        }
        if data_out.len() < len {
            return Err(ScsiError::Check(Sense::new(
                SenseKey::AbortedCommand,
                crate::drive::DATA_PHASE_ERROR,
            )));
        }
        let medium = self.is_loaded();
        match parse_set_data_encryption(&data_out[..len], prof, &self.crypto, medium)? {
            None => Ok(false),
            Some(p) => {
                self.crypto = p;
                Ok(true)
            }
        }
    }
}
