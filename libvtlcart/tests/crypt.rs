//! Encrypted blocks (libvtlcart::crypt): round trips, tamper detection, and mhvtl's
//! cleartext-key blocks read from the fixtures in place.

mod common;

use std::path::Path;

use libvtlcart::crypt::{SEAL_MAGIC, fingerprint};
use libvtlcart::testing::{make_cartridge, open_writable};
use libvtlcart::{
    Cartridge, Compression, DataKey, DecryptError, Format, MediumType, Object, OpenOptionsCart,
    SealOptions, crypt::decrypt_block,
};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

const KEY: [u8; 32] = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
    0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
];

/// A cartridge holding `blocks` sealed with `key`, then one filemark.
fn tape_with(
    home: &Path,
    format: Format,
    blocks: &[(Vec<u8>, Compression)],
    key: &DataKey,
    opts: &SealOptions,
) -> std::path::PathBuf {
    let dir = make_cartridge(home, "E01001L8", format, MediumType::Data, "LTO8", 8 << 20);
    let mut c = open_writable(&dir);
    for (data, comp) in blocks {
        c.write_block_sealed(data, *comp, key, opts).unwrap();
    }
    c.write_filemarks(1).unwrap();
    c.unload().unwrap();
    dir
}

fn comp_strategy() -> impl Strategy<Value = Compression> {
    prop_oneof![
        Just(Compression::None),
        Just(Compression::Lzo),
        Just(Compression::Zlib(1)),
        Just(Compression::Zlib(9)),
    ]
}

fn data_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 1..3000),
        // Compressible: few distinct bytes.
        prop::collection::vec(0u8..3, 1..6000),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Whatever is written sealed reads back as the same plaintext with the key, and as
    /// nothing with another key or none; the data and index files never hold the key, and
    /// the record holds its fingerprint, the KADs and the extension.
    #[test]
    fn sealed_blocks_round_trip(
        blocks in prop::collection::vec((data_strategy(), comp_strategy()), 1..4),
        ukad in prop::collection::vec(any::<u8>(), 0..=32),
        akad in prop::collection::vec(any::<u8>(), 0..=12),
        raw_read_disabled in any::<bool>(),
        v6 in any::<bool>(),
    ) {
        let home = tempfile::tempdir().unwrap();
        let key = DataKey::new(&KEY).unwrap();
        let wrong = DataKey::new(&[0x5a; 32]).unwrap();
        let opts = SealOptions { ukad: ukad.clone(), akad: akad.clone(), raw_read_disabled };
        let format = if v6 { Format::V6 } else { Format::Legacy };
        let dir = tape_with(home.path(), format, &blocks, &key, &opts);

        let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        let mut buf = Vec::new();
        for (i, (data, _)) in blocks.iter().enumerate() {
            let info = match c.read(&mut buf).unwrap() {
                Object::Data(info) => info,
                o => panic!("block {i}: {o:?}"),
            };
            let sealed = info.sealed.as_deref().expect("sealed");
            prop_assert_eq!(sealed.size as usize, data.len());
            prop_assert_eq!(sealed.raw_read_disabled, raw_read_disabled);
            prop_assert_eq!(&sealed.fingerprint, key.fingerprint());
            prop_assert_eq!(info.flags, 0x0a);
            prop_assert_eq!(buf.len(), info.size as usize, "the read returns the ciphertext");
            let stored_key = info.key.clone().unwrap();
            prop_assert_eq!(&stored_key.key[..], &key.fingerprint()[..]);
            prop_assert_eq!(&stored_key.ukad, &ukad);
            prop_assert_eq!(&stored_key.akad, &akad);

            let ciphertext = buf.clone();
            prop_assert_eq!(decrypt_block(&info, Some(&wrong), &mut buf), Err(DecryptError::IncorrectKey));
            prop_assert!(buf.is_empty());
            buf = ciphertext.clone();
            prop_assert_eq!(decrypt_block(&info, None, &mut buf), Err(DecryptError::NoKey));
            prop_assert!(buf.is_empty());
            buf = ciphertext;
            prop_assert_eq!(decrypt_block(&info, Some(&key), &mut buf), Ok(()));
            prop_assert_eq!(&buf, data);
        }
        prop_assert_eq!(c.read(&mut buf).unwrap(), Object::Filemark);

        for (name, bytes) in libvtlcart::testing::snapshot(&dir) {
            prop_assert!(
                !bytes.windows(KEY.len()).any(|w| w == KEY),
                "{} holds the key", name
            );
        }
    }

    /// Any single flipped bit of a sealed block — in its ciphertext or anywhere in its
    /// index record (sizes, flags, fingerprint, UKAD/AKAD, nonce, tag, extension, padding) —
    /// is detected: opening, reading or decrypting fails, and no plaintext is returned.
    #[test]
    fn any_flipped_bit_is_detected(
        data in data_strategy(),
        comp in comp_strategy(),
        in_record in any::<bool>(),
        at in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let home = tempfile::tempdir().unwrap();
        let key = DataKey::new(&KEY).unwrap();
        let opts = SealOptions { ukad: b"label".to_vec(), akad: b"auth".to_vec(), raw_read_disabled: false };
        let dir = tape_with(home.path(), Format::Legacy, &[(data.clone(), comp)], &key, &opts);
        let (file, offset) = if in_record {
            ("indx", at.index(512) as u64)
        } else {
            let len = std::fs::metadata(dir.join("data")).unwrap().len();
            ("data", at.index(len as usize) as u64)
        };
        let path = dir.join(file);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[offset as usize] ^= 1 << bit;
        std::fs::write(&path, &bytes).unwrap();

        let Ok(mut c) = Cartridge::open(&dir, &OpenOptionsCart::default()) else {
            return Ok(());
        };
        let mut buf = Vec::new();
        match c.read(&mut buf) {
            Err(_) => prop_assert!(buf.is_empty()),
            Ok(Object::Data(info)) => {
                let r = decrypt_block(&info, Some(&key), &mut buf);
                prop_assert!(r.is_err(), "{file}+{offset} bit {bit}: decrypted");
                prop_assert!(buf.is_empty());
            }
            Ok(o) => prop_assert!(false, "{file}+{offset} bit {bit}: read {o:?}"),
        }
    }
}

#[test]
fn sealed_record_layout() {
    let home = tempfile::tempdir().unwrap();
    let key = DataKey::new(&KEY).unwrap();
    let opts = SealOptions {
        ukad: b"backup-2024".to_vec(),
        akad: b"A1".to_vec(),
        raw_read_disabled: true,
    };
    let data = vec![7u8; 10_000];
    let dir = tape_with(
        home.path(),
        Format::Legacy,
        &[(data.clone(), Compression::Lzo)],
        &key,
        &opts,
    );
    let indx = std::fs::read(dir.join("indx")).unwrap();
    let r = &indx[..512];
    let le = |o: usize| u32::from_le_bytes(r[o..o + 4].try_into().unwrap());
    let stored = std::fs::read(dir.join("data")).unwrap();
    assert_eq!(le(8), 11, "blk_type data");
    assert_eq!(le(12), 0x0a, "flags: encrypted + CRC, no compression bit");
    assert_eq!(le(16), 0, "block number");
    assert_eq!(
        le(20) as usize,
        stored.len(),
        "blk_size = ciphertext length"
    );
    assert_eq!(
        le(24) as usize,
        stored.len(),
        "disk_blk_size = ciphertext length"
    );
    assert!(
        stored.len() < 200,
        "compressed before encryption: {}",
        stored.len()
    );
    assert_eq!(le(28), crc32c::crc32c(&stored), "CRC-32C of the ciphertext");
    assert_eq!(
        (le(32), le(36), le(40)),
        (32, 11, 2),
        "key/UKAD/AKAD lengths"
    );
    assert_eq!(r[48..80], fingerprint(&KEY));
    assert_eq!(&r[80..91], b"backup-2024");
    assert_eq!(&r[112..114], b"A1");
    assert_eq!(r[152..160], SEAL_MAGIC);
    assert_eq!(r[160], 1, "AES-256-GCM");
    assert_eq!(r[161], 0x04, "LZO before encryption");
    assert_eq!(r[162], 0x01, "raw decryption disabled");
    assert_eq!(le(164), 10_000);
    assert_eq!(le(168), crc32c::crc32c(&data));
    assert!(r[172..200].iter().any(|&b| b != 0), "nonce and tag");
    assert!(r[200..].iter().all(|&b| b == 0));

    // A second tape with the same plaintext and key gets a different nonce and ciphertext.
    let home2 = tempfile::tempdir().unwrap();
    let dir2 = tape_with(
        home2.path(),
        Format::Legacy,
        &[(data, Compression::Lzo)],
        &key,
        &opts,
    );
    let indx2 = std::fs::read(dir2.join("indx")).unwrap();
    assert_ne!(indx[172..184], indx2[172..184], "nonce per block");
    assert_ne!(stored, std::fs::read(dir2.join("data")).unwrap());
}

#[test]
fn write_refuses_short_keys_and_long_kads() {
    let home = tempfile::tempdir().unwrap();
    let dir = make_cartridge(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        "LTO8",
        8 << 20,
    );
    let mut c = open_writable(&dir);
    let short = DataKey::new(&[1; 16]).unwrap();
    assert!(
        c.write_block_sealed(b"x", Compression::None, &short, &SealOptions::default())
            .is_err()
    );
    let key = DataKey::new(&KEY).unwrap();
    let long = SealOptions {
        ukad: vec![0; 33],
        ..Default::default()
    };
    assert!(
        c.write_block_sealed(b"x", Compression::None, &key, &long)
            .is_err()
    );
    assert!(c.position().bop, "nothing written");
}

#[test]
fn sealed_extension_without_flag_0x02_is_damage() {
    let home = tempfile::tempdir().unwrap();
    let key = DataKey::new(&KEY).unwrap();
    let dir = tape_with(
        home.path(),
        Format::Legacy,
        &[(b"secret".to_vec(), Compression::None)],
        &key,
        &SealOptions::default(),
    );
    let path = dir.join("indx");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[12] = 0x08;
    std::fs::write(&path, &bytes).unwrap();
    let mut c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    let mut buf = Vec::new();
    let e = c.read(&mut buf).unwrap_err();
    assert!(e.to_string().contains("sealed-block extension"), "{e}");
    assert!(buf.is_empty());
}

/// mhvtl's "encrypted" blocks (flag 0x02, key in the record, payload in clear) of the
/// FXMIX1L8 fixtures, read in place: the right key (as the record stores it, 32 or 16 bytes)
/// gives the payload the manifest records, another key or none gives nothing, and clear
/// blocks are reported as not encrypted.
#[test]
fn mhvtl_cleartext_key_blocks_stay_readable_with_their_key() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let manifest = common::manifest(&root);
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let mut checked = 0;
    for fmt in ["legacy", "v6"] {
        let id = format!("{fmt}/FXMIX1L8");
        let tape = manifest["tapes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id.as_str())
            .expect("FXMIX1L8 in the manifest");
        let c = Cartridge::open(&root.join(&id), &OpenOptionsCart::default()).unwrap();
        let wrong = DataKey::new(&[0x99; 32]).unwrap();
        for r in tape["partitions"][0]["records"].as_array().unwrap() {
            if r["type_name"] != "data" {
                continue;
            }
            let n = r["n"].as_u64().unwrap() as u32;
            let mut buf = Vec::new();
            let Object::Data(info) = c.read_at(0, n, &mut buf).unwrap() else {
                panic!("{id} {n}: not data");
            };
            assert!(
                info.sealed.is_none(),
                "{id} {n}: mhvtl block taken as sealed"
            );
            let klen = r["key_length"].as_u64().unwrap() as usize;
            let want = r["payload_sha256"].as_str().unwrap();
            if klen == 0 {
                assert_eq!(
                    decrypt_block(&info, Some(&wrong), &mut buf),
                    Err(DecryptError::NotEncrypted)
                );
                assert_eq!(format!("{:x}", Sha256::digest(&buf)), want, "{id} {n}");
                continue;
            }
            let key = DataKey::new(&hex(r["key"].as_str().unwrap())[..klen]).unwrap();
            let payload = buf.clone();
            assert_eq!(
                decrypt_block(&info, Some(&wrong), &mut buf),
                Err(DecryptError::IncorrectKey),
                "{id} {n}"
            );
            assert!(buf.is_empty());
            buf = payload.clone();
            assert_eq!(
                decrypt_block(&info, None, &mut buf),
                Err(DecryptError::NoKey)
            );
            // A prefix of the right key is another key (mhvtl compares the lengths too).
            buf = payload.clone();
            let prefix = DataKey::new(&key.as_bytes()[..klen - 1]).unwrap();
            assert_eq!(
                decrypt_block(&info, Some(&prefix), &mut buf),
                Err(DecryptError::IncorrectKey),
                "{id} {n}"
            );
            buf = payload;
            assert_eq!(
                decrypt_block(&info, Some(&key), &mut buf),
                Ok(()),
                "{id} {n}"
            );
            assert_eq!(format!("{:x}", Sha256::digest(&buf)), want, "{id} {n}");
            checked += 1;
        }
    }
    assert_eq!(checked, 8, "4 encrypted blocks in each FXMIX1L8");
}
