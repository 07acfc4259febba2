//! Tape data encryption through the SCSI logical unit, as stenc and backup software drive
//! it: SECURITY PROTOCOL IN pages byte for byte, SECURITY PROTOCOL OUT set data encryption,
//! encrypted writes, and reads with the wrong key, no key, RAW and the right key.

mod common;

use common::{FORMATS, block_number, cart_in, param_field};
use libvtlcart::crypt::{SEAL_MAGIC, fingerprint};
use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_scsi::{InProcess, ResetEvent, SenseKeySpecific};
use vtltape::{CompressionAlgorithm, CompressionConfig, DriveConfig, TapeDrive};

const KEY: [u8; 32] = *b"0123456789abcdef0123456789ABCDEF";
const WRONG: [u8; 32] = [0x77; 32];
const TUR: [u8; 6] = [0; 6];
const REWIND: [u8; 6] = [0x01, 0, 0, 0, 0, 0];

fn drive(home: &std::path::Path, product: &str) -> InProcess<TapeDrive> {
    InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: product.into(),
        serial: "ENC00001".into(),
        compression: CompressionConfig {
            algorithm: Some(CompressionAlgorithm::Lzo),
            level: 1,
            enabled: true,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }))
}

/// An IBM LTO-8 with E00001L8 (in `format`) loaded and the unit attention taken.
fn loaded(format: Format) -> (tempfile::TempDir, InProcess<TapeDrive>) {
    let home = tempfile::tempdir().unwrap();
    cart_in(home.path(), "E00001L8", format, 64 << 20);
    let mut t = drive(home.path(), "ULT3580-TD8");
    t.lu().load_barcode("E00001L8").unwrap();
    for nexus in [1, 2] {
        clear_unit_attentions(&mut t, nexus);
    }
    (home, t)
}

/// TEST UNIT READY until the unit attentions of `nexus` (power on, medium changed) are taken.
fn clear_unit_attentions(t: &mut InProcess<TapeDrive>, nexus: u64) {
    for _ in 0..4 {
        if t.command(nexus, &TUR, &[], 0).is_good() {
            return;
        }
    }
    panic!("nexus {nexus} stays in CHECK CONDITION");
}

fn spin_cdb(protocol: u8, page: u16, alloc: u32) -> [u8; 12] {
    let p = page.to_be_bytes();
    let a = alloc.to_be_bytes();
    [
        0xa2, protocol, p[0], p[1], 0, 0, a[0], a[1], a[2], a[3], 0, 0,
    ]
}

fn spin(t: &mut InProcess<TapeDrive>, protocol: u8, page: u16) -> Vec<u8> {
    let c = t.command(1, &spin_cdb(protocol, page, 8192), &[], 8192);
    assert!(
        c.is_good(),
        "SPIN {protocol:02x}/{page:04x}: {:?}",
        c.key_asc()
    );
    c.data
}

/// A set data encryption page: scope ALL I_T NEXUS, CEEM 01b (as stenc sends), `flags`
/// ORed into byte 5, the modes, algorithm index 1, KAD format 1, the key and the KADs.
fn sde(flags: u8, enc: u8, dec: u8, key: &[u8], kads: &[(u8, &[u8])]) -> Vec<u8> {
    let mut p = vec![0u8; 20];
    p[0..2].copy_from_slice(&0x0010u16.to_be_bytes());
    p[4] = 2 << 5;
    p[5] = 0x40 | flags;
    p[6] = enc;
    p[7] = dec;
    p[8] = 1;
    p[10] = 1;
    p[18..20].copy_from_slice(&(key.len() as u16).to_be_bytes());
    p.extend_from_slice(key);
    for (kind, bytes) in kads {
        p.push(*kind);
        p.push(0);
        p.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        p.extend_from_slice(bytes);
    }
    let len = (p.len() - 4) as u16;
    p[2..4].copy_from_slice(&len.to_be_bytes());
    p
}

fn spout_cdb(len: usize) -> [u8; 12] {
    let a = (len as u32).to_be_bytes();
    [0xb5, 0x20, 0x00, 0x10, 0, 0, a[0], a[1], a[2], a[3], 0, 0]
}

fn spout(t: &mut InProcess<TapeDrive>, page: &[u8]) -> vtl_scsi::Completion {
    t.command(1, &spout_cdb(page.len()), page, 0)
}

fn set(t: &mut InProcess<TapeDrive>, page: &[u8]) {
    let c = spout(t, page);
    assert!(c.is_good(), "SPOUT: {:?}", c.key_asc());
}

fn write(t: &mut InProcess<TapeDrive>, data: &[u8]) {
    let l = (data.len() as u32).to_be_bytes();
    let c = t.command(1, &[0x0a, 0, l[1], l[2], l[3], 0], data, 0);
    assert!(c.is_good(), "WRITE: {:?}", c.key_asc());
}

fn read(t: &mut InProcess<TapeDrive>, len: u32) -> vtl_scsi::Completion {
    let l = len.to_be_bytes();
    t.command(1, &[0x08, 0, l[1], l[2], l[3], 0], &[], len as usize)
}

/// DATA PROTECT with `ascq` under ASC 0x74, INFORMATION = `info`, tape at `block`.
fn data_protect(t: &mut InProcess<TapeDrive>, c: &vtl_scsi::Completion, ascq: u8, block: u32) {
    assert_eq!(c.key_asc(), Some((7, 0x74, ascq)));
    assert!(c.data.is_empty(), "no byte of the block is returned");
    assert_eq!(c.sense().unwrap().information, Some(65536));
    assert_eq!(block_number(t), block);
}

fn blocks() -> Vec<Vec<u8>> {
    vec![
        b"payroll 2024 ".repeat(2000),
        (0..40_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect(),
        b"last".to_vec(),
    ]
}

const STATUS_DEFAULT: [u8; 24] = [
    0x00, 0x20, 0x00, 0x14, // page 0020h, length 20
    0x00, 0x00, 0x00, 0x00, // scope public, modes disable, algorithm index 0
    0x00, 0x00, 0x00, 0x00, // key instance counter
    0x10, 0x00, 0x00, 0x00, // parameters control 001b, KAD format, ASDK count
    0, 0, 0, 0, 0, 0, 0, 0,
];

#[test]
fn security_protocol_in_pages_byte_for_byte() {
    let (_h, mut t) = loaded(Format::V6);
    assert_eq!(
        spin(&mut t, 0x00, 0x0000),
        [0, 0, 0, 0, 0, 0, 0, 2, 0x00, 0x20]
    );
    assert_eq!(spin(&mut t, 0x00, 0x0001), [0, 0, 0, 0]);
    assert_eq!(
        spin(&mut t, 0x20, 0x0000),
        [
            0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00, 0x11, 0x00, 0x12,
            0x00, 0x20, 0x00, 0x21
        ]
    );
    assert_eq!(
        spin(&mut t, 0x20, 0x0001),
        [0x00, 0x01, 0x00, 0x02, 0x00, 0x10]
    );
    let caps: [u8; 44] = [
        0x00, 0x10, 0x00, 0x28, // page 0010h, length 40
        0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // CFG_P 01b, bytes 5..19 reserved
        0x01, 0x00, 0x00, 0x14, // algorithm index 1, descriptor length 20
        0xba, // AVFMV, MAC_C, DELB_C, DECRYPT_C 10b, ENCRYPT_C 10b
        0x10, // NONCE_C 01b
        0x00, 0x20, 0x00, 0x0c, 0x00, 0x20, // U-KAD 32, A-KAD 12, key size 32
        0x09, // RDMC_C 100b, EAREM
        0, 0, 0, 0, 0, 0, 0, // reserved
        0x00, 0x01, 0x00, 0x14, // AES-256-GCM
    ];
    assert_eq!(spin(&mut t, 0x20, 0x0010), caps);
    assert_eq!(spin(&mut t, 0x20, 0x0011), [0x00, 0x11, 0x00, 0x01, 0x00]);
    assert_eq!(
        spin(&mut t, 0x20, 0x0012),
        [
            0x00, 0x12, 0x00, 0x0c, 0x00, 0x04, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0
        ]
    );
    assert_eq!(spin(&mut t, 0x20, 0x0020), STATUS_DEFAULT);
    // Next block status at BOT of a blank tape: nothing to report (EOD).
    assert_eq!(
        spin(&mut t, 0x20, 0x0021),
        [
            0x00, 0x21, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0, 0, 0
        ]
    );
    // The allocation length cuts the page; INC_512 counts 512-byte units.
    let c = t.command(1, &spin_cdb(0x20, 0x0010, 6), &[], 6);
    assert_eq!(c.data, caps[..6]);
    let mut cdb = spin_cdb(0x20, 0x0010, 1);
    cdb[4] = 0x80;
    assert_eq!(t.command(1, &cdb, &[], 512).data, caps);
    // Without a cartridge: AVFMV clear, and no next block.
    t.lu().unload().unwrap();
    let c = t.command(1, &spin_cdb(0x20, 0x0010, 100), &[], 100);
    assert_eq!(c.data[24], 0x3a);
    let c = t.command(1, &spin_cdb(0x20, 0x0021, 100), &[], 100);
    assert_eq!(c.key_asc(), Some((2, 0x3a, 0)));
}

#[test]
fn security_protocol_in_refuses_unknown_protocols_pages_and_reserved_bits() {
    let (_h, mut t) = loaded(Format::V6);
    let field = |c: &vtl_scsi::Completion| match c.sense().unwrap().specific {
        Some(SenseKeySpecific::Field { in_cdb, byte, bit }) => (in_cdb, byte, bit),
        o => panic!("{o:?}"),
    };
    let c = t.command(1, &spin_cdb(0x21, 0, 100), &[], 100);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(field(&c), (true, 1, None));
    let c = t.command(1, &spin_cdb(0x20, 0x0030, 100), &[], 100);
    assert_eq!(
        (c.key_asc(), field(&c)),
        (Some((5, 0x24, 0)), (true, 2, None))
    );
    let c = t.command(1, &spin_cdb(0x00, 0x0002, 100), &[], 100);
    assert_eq!(
        (c.key_asc(), field(&c)),
        (Some((5, 0x24, 0)), (true, 2, None))
    );
    let mut cdb = spin_cdb(0x20, 0x0020, 100);
    cdb[5] = 1;
    let c = t.command(1, &cdb, &[], 100);
    assert_eq!(field(&c), (true, 5, Some(0)));
    // SECURITY PROTOCOL OUT of another protocol or page.
    let page = sde(0, 2, 2, &KEY, &[]);
    let mut cdb = spout_cdb(page.len());
    cdb[3] = 0x11;
    let c = t.command(1, &cdb, &page, 0);
    assert_eq!(field(&c), (true, 2, None));
}

#[test]
fn drives_without_encryption_do_not_know_the_op_codes() {
    let home = tempfile::tempdir().unwrap();
    let mut t = drive(home.path(), "ULT3580-TD3");
    let _ = t.command(1, &TUR, &[], 0);
    let c = t.command(1, &spin_cdb(0x20, 0x0020, 100), &[], 100);
    assert_eq!(c.key_asc(), Some((5, 0x20, 0)));
    let page = sde(0, 2, 2, &KEY, &[]);
    let c = t.command(1, &spout_cdb(page.len()), &page, 0);
    assert_eq!(c.key_asc(), Some((5, 0x20, 0)));
}

/// stenc's life cycle: set a key with a key name (U-KAD), write, read back with a wrong key,
/// with decryption off, raw, and with the right key; the key never reaches the disk.
#[test]
fn stenc_scenario_set_key_write_read_wrong_none_raw_right() {
    for format in FORMATS {
        let (home, mut t) = loaded(format);
        set(&mut t, &sde(0, 2, 2, &KEY, &[(0, b"KEY-A")]));
        // The other nexus learns that the parameters changed.
        assert_eq!(t.command(2, &TUR, &[], 0).key_asc(), Some((6, 0x2a, 0x11)));
        assert!(t.command(2, &TUR, &[], 0).is_good());
        assert!(t.command(1, &TUR, &[], 0).is_good());
        let mut status = STATUS_DEFAULT.to_vec();
        status[3] = 20 + 9;
        status[4] = 0x42; // I_T nexus scope and key scope: ALL I_T NEXUS
        status[5] = 2;
        status[6] = 2;
        status[7] = 1;
        status[11] = 1; // key instance counter
        status[12] = 0x12; // parameters control 001b, CEEMS 01b
        status[13] = 1; // KAD format binary
        status.extend_from_slice(&[0x00, 0x00, 0x00, 0x05]);
        status.extend_from_slice(b"KEY-A");
        assert_eq!(spin(&mut t, 0x20, 0x0020), status);

        let data = blocks();
        for b in &data {
            write(&mut t, b);
        }
        assert!(t.command(1, &[0x10, 0, 0, 0, 1, 0], &[], 0).is_good());

        // On disk: ciphertext only, the fingerprint instead of the key, the key name.
        let dir = home.path().join("E00001L8");
        let suffix = if format == Format::V6 { ".0" } else { "" };
        let stored = std::fs::read(dir.join(format!("data{suffix}"))).unwrap();
        let indx = std::fs::read(dir.join(format!("indx{suffix}"))).unwrap();
        for b in &data {
            assert!(
                !stored
                    .windows(b.len().min(64))
                    .any(|w| w == &b[..b.len().min(64)])
            );
        }
        for snapshot in libvtlcart::testing::snapshot(&dir) {
            assert!(!snapshot.1.windows(32).any(|w| w == KEY), "{}", snapshot.0);
        }
        for n in 0..3 {
            let r = &indx[n * 512..(n + 1) * 512];
            assert_eq!(r[12], 0x0a, "record {n} flags");
            assert_eq!(r[48..80], fingerprint(&KEY));
            assert_eq!(&r[80..85], b"KEY-A");
            assert_eq!(r[152..160], SEAL_MAGIC);
        }
        assert!(
            stored.len() < 30_000,
            "compressed before encryption: {}",
            stored.len()
        );

        // Next block status at BOT: encrypted (5), LZO-compressed (4), the key name.
        assert!(t.command(1, &REWIND, &[], 0).is_good());
        let mut nbes = vec![
            0x00, 0x21, 0x00, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0x45, 0x01, 0x00, 0x00,
        ];
        nbes.extend_from_slice(&[0x00, 0x01, 0x00, 0x05]);
        nbes.extend_from_slice(b"KEY-A");
        assert_eq!(spin(&mut t, 0x20, 0x0021), nbes);

        // Wrong key: INCORRECT DATA ENCRYPTION KEY, the tape stays before the block.
        set(&mut t, &sde(0, 0, 2, &WRONG, &[]));
        let c = read(&mut t, 65536);
        data_protect(&mut t, &c, 0x03, 0);
        nbes[12] = 0x46;
        assert_eq!(spin(&mut t, 0x20, 0x0021), nbes);
        // MIXED with the wrong key: the same.
        set(&mut t, &sde(0, 0, 3, &WRONG, &[]));
        let c = read(&mut t, 65536);
        data_protect(&mut t, &c, 0x03, 0);

        // No key, decryption disabled: UNABLE TO DECRYPT DATA.
        set(&mut t, &sde(0, 0, 0, &[], &[]));
        let c = read(&mut t, 65536);
        data_protect(&mut t, &c, 0x01, 0);

        // RAW: the ciphertext as stored.
        set(&mut t, &sde(0, 0, 1, &[], &[]));
        let first_len = u32::from_le_bytes(indx[24..28].try_into().unwrap()) as usize;
        let c = read(&mut t, 65536);
        assert_eq!(c.key_asc(), Some((0, 0, 0)), "ILI: shorter than asked");
        assert_eq!(c.data, stored[..first_len]);
        assert_ne!(c.data, data[0][..first_len]);
        assert_eq!(block_number(&mut t), 1);

        // The right key: the plaintext, then the filemark.
        set(&mut t, &sde(0, 0, 2, &KEY, &[]));
        assert!(t.command(1, &REWIND, &[], 0).is_good());
        for b in &data {
            let c = read(&mut t, b.len() as u32);
            assert!(c.is_good(), "{:?}", c.key_asc());
            assert_eq!(&c.data, b);
        }
        assert_eq!(read(&mut t, 100).key_asc(), Some((0, 0, 1)));

        // A clear block appended with encryption off: DECRYPT refuses it (74/02), MIXED
        // and DISABLE return it.
        set(&mut t, &sde(0, 0, 2, &KEY, &[]));
        write(&mut t, b"clear text");
        let at = block_number(&mut t) - 1;
        let loc = at.to_be_bytes();
        let locate = [0x2b, 0, 0, loc[0], loc[1], loc[2], loc[3], 0, 0, 0];
        assert!(t.command(1, &locate, &[], 0).is_good());
        let c = read(&mut t, 65536);
        data_protect(&mut t, &c, 0x02, at);
        set(&mut t, &sde(0, 0, 3, &KEY, &[]));
        let c = read(&mut t, 10);
        assert!(c.is_good());
        assert_eq!(c.data, b"clear text");
    }
}

#[test]
fn raw_read_of_a_protected_block_and_integrity_failure() {
    let (home, mut t) = loaded(Format::Legacy);
    // RDMC 11b: blocks written now refuse RAW reads.
    set(&mut t, &sde(0x30, 2, 2, &KEY, &[]));
    let data = blocks();
    write(&mut t, &data[1]);
    write(&mut t, &data[2]);
    assert!(t.command(1, &[0x10, 0, 0, 0, 1, 0], &[], 0).is_good());
    assert!(t.command(1, &REWIND, &[], 0).is_good());
    // Status page reports RDMD; next block status RDMDS.
    assert_eq!(spin(&mut t, 0x20, 0x0020)[12], 0x13);
    assert_eq!(spin(&mut t, 0x20, 0x0021)[14], 0x01);
    set(&mut t, &sde(0, 0, 1, &[], &[]));
    let c = read(&mut t, 65536);
    data_protect(&mut t, &c, 0x0a, 0);

    // A tag altered on disk: CRYPTOGRAPHIC INTEGRITY VALIDATION FAILED, past the block.
    t.lu().unload().unwrap();
    let indx = home.path().join("E00001L8/indx");
    let mut b = std::fs::read(&indx).unwrap();
    b[190] ^= 0x40;
    std::fs::write(&indx, &b).unwrap();
    t.lu().load_barcode("E00001L8").unwrap();
    let _ = t.command(1, &TUR, &[], 0);
    set(&mut t, &sde(0, 0, 2, &KEY, &[]));
    let c = read(&mut t, 65536);
    assert_eq!(c.key_asc(), Some((7, 0x74, 0x04)));
    assert!(c.data.is_empty());
    assert_eq!(block_number(&mut t), 1);
    let c = read(&mut t, data[2].len() as u32);
    assert!(c.is_good());
    assert_eq!(c.data, data[2]);
}

#[test]
fn set_data_encryption_page_errors_point_at_the_field() {
    let (_h, mut t) = loaded(Format::V6);
    // ENCRYPT needs the 32-byte key.
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 2, 2, &KEY[..16], &[]))),
        (18, None)
    );
    // DECRYPT needs a key.
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 0, 2, &[], &[]))),
        (18, None)
    );
    // EXTERNAL mode, reserved decryption mode.
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 1, 0, &[], &[]))),
        (6, None)
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 0, 4, &[], &[]))),
        (7, None)
    );
    // LOCAL scope, LOCK.
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[4] = 1 << 5;
    assert_eq!(param_field(&spout(&mut t, &p)), (4, Some(7)));
    p[4] = 2 << 5 | 1;
    assert_eq!(param_field(&spout(&mut t, &p)), (4, Some(0)));
    // RDMC 01b, SDK, CKORP, CKORL.
    assert_eq!(
        param_field(&spout(&mut t, &sde(0x10, 2, 2, &KEY, &[]))),
        (5, Some(5))
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0x08, 2, 2, &KEY, &[]))),
        (5, Some(3))
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0x02, 2, 2, &KEY, &[]))),
        (5, Some(1))
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0x01, 2, 2, &KEY, &[]))),
        (5, Some(0))
    );
    // Algorithm index, key format, KAD format, a reserved byte.
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[8] = 2;
    assert_eq!(param_field(&spout(&mut t, &p)), (8, None));
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[9] = 2;
    assert_eq!(param_field(&spout(&mut t, &p)), (9, None));
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[10] = 3;
    assert_eq!(param_field(&spout(&mut t, &p)), (10, None));
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[15] = 1;
    assert_eq!(param_field(&spout(&mut t, &p)), (15, None));
    // KADs: too long (its length field), a nonce (its type), out of order, AUTHENTICATED.
    let long = [0u8; 33];
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 2, 2, &KEY, &[(0, &long)]))),
        (54, None)
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 2, 2, &KEY, &[(1, &long[..13])]))),
        (54, None)
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 2, 2, &KEY, &[(2, b"n")]))),
        (52, None)
    );
    assert_eq!(
        param_field(&spout(&mut t, &sde(0, 2, 2, &KEY, &[(1, b"a"), (0, b"u")]))),
        (57, None)
    );
    let mut p = sde(0, 2, 2, &KEY, &[(0, b"u")]);
    p[53] = 1;
    assert_eq!(param_field(&spout(&mut t, &p)), (53, None));
    // A descriptor running past the page.
    let mut p = sde(0, 2, 2, &KEY, &[(0, b"u")]);
    p[55] = 9;
    assert_eq!(param_field(&spout(&mut t, &p)), (54, None));
    // Page code other than the CDB's.
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[1] = 0x11;
    assert_eq!(param_field(&spout(&mut t, &p)), (0, None));
    // Shorter than the page it announces, or than 20 bytes.
    let p = sde(0, 2, 2, &KEY, &[]);
    let c = t.command(1, &spout_cdb(30), &p[..30], 0);
    assert_eq!(c.key_asc(), Some((5, 0x1a, 0)));
    assert_eq!(
        c.sense().unwrap().specific,
        Some(SenseKeySpecific::Field {
            in_cdb: true,
            byte: 6,
            bit: None
        })
    );
    // Nothing changed.
    assert_eq!(spin(&mut t, 0x20, 0x0020), STATUS_DEFAULT);
    // Transfer length 0: nothing to do.
    assert!(t.command(1, &spout_cdb(0), &[], 0).is_good());
    // SCOPE PUBLIC: joins the shared parameters, changes nothing.
    let mut p = sde(0, 2, 2, &KEY, &[]);
    p[4] = 0;
    set(&mut t, &p);
    assert_eq!(spin(&mut t, 0x20, 0x0020), STATUS_DEFAULT);
}

#[test]
fn storagetek_profile_and_kad_limits() {
    let home = tempfile::tempdir().unwrap();
    let mut t = drive(home.path(), "T10000C");
    let _ = t.command(1, &TUR, &[], 0);
    let caps = spin(&mut t, 0x20, 0x0010);
    assert_eq!(caps[26..32], [0x00, 0x1e, 0x00, 0x00, 0x00, 0x20]);
    let c = spout(&mut t, &sde(0, 2, 2, &KEY, &[(0, &[1; 31])]));
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    let c = spout(&mut t, &sde(0, 2, 2, &KEY, &[(1, b"a")]));
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    set(&mut t, &sde(0, 2, 2, &KEY, &[(0, &[1; 30])]));
}

#[test]
fn ckod_demount_and_reset_clear_the_parameters() {
    let (_h, mut t) = loaded(Format::V6);
    // CKOD needs a mounted volume.
    t.lu().unload().unwrap();
    let c = spout(&mut t, &sde(0x04, 2, 2, &KEY, &[]));
    assert_eq!(c.key_asc(), Some((2, 0x3a, 0)));
    t.lu().load_barcode("E00001L8").unwrap();
    let _ = t.command(1, &TUR, &[], 0);
    set(&mut t, &sde(0x04, 2, 2, &KEY, &[]));
    assert_eq!(spin(&mut t, 0x20, 0x0020)[5..12], [2, 2, 1, 0, 0, 0, 1]);
    // LOAD UNLOAD (unload): the key is gone, the counter moved on.
    assert!(t.command(1, &[0x1b, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert_eq!(spin(&mut t, 0x20, 0x0020)[5..12], [0, 0, 0, 0, 0, 0, 2]);
    // Without CKOD the parameters survive a demount, not a reset.
    assert!(t.command(1, &[0x1b, 0, 0, 0, 1, 0], &[], 0).is_good());
    clear_unit_attentions(&mut t, 1);
    set(&mut t, &sde(0, 2, 2, &KEY, &[]));
    t.lu().unload().unwrap();
    assert_eq!(spin(&mut t, 0x20, 0x0020)[5..12], [2, 2, 1, 0, 0, 0, 3]);
    t.reset(ResetEvent::PowerOn);
    let _ = t.command(1, &TUR, &[], 0);
    assert_eq!(spin(&mut t, 0x20, 0x0020)[5..12], [0, 0, 0, 0, 0, 0, 4]);
}

/// Blocks in mhvtl's cleartext-key layout (flag 0x02, the key, U-KAD and A-KAD in the
/// record, the payload in clear: what libvtlcart writes byte-identical to mhvtl, and what
/// the FXMIX1L8 fixtures hold, read in place by libvtlcart's tests): decryption off refuses
/// them, the key the record holds (32 or 16 bytes) reads them, another key does not.
#[test]
fn mhvtl_cleartext_key_blocks_through_the_drive() {
    let home = tempfile::tempdir().unwrap();
    let dir = cart_in(home.path(), "E00001L8", Format::Legacy, 16 << 20);
    let key32: Vec<u8> = (0x11..=0x30).collect();
    let key16: Vec<u8> = (0x11..=0x20).collect();
    let ukad: Vec<u8> = (0x22..=0x29).collect();
    {
        let mut c = libvtlcart::Cartridge::open(
            &dir,
            &libvtlcart::OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap();
        let k = |key: &[u8], ukad: &[u8]| libvtlcart::BlockKey {
            key: key.to_vec(),
            ukad: ukad.to_vec(),
            akad: vec![],
        };
        c.write_block(
            &[0x44; 100],
            libvtlcart::Compression::None,
            Some(&k(&key32, &ukad)),
        )
        .unwrap();
        c.write_block(b"clear block", libvtlcart::Compression::None, None)
            .unwrap();
        c.write_block(
            &[0x45; 2048],
            libvtlcart::Compression::Zlib(1),
            Some(&k(&key16, &ukad[..4])),
        )
        .unwrap();
        c.write_filemarks(1).unwrap();
        c.unload().unwrap();
    }
    let mut t = drive(home.path(), "ULT3580-TD8");
    t.lu().load_barcode("E00001L8").unwrap();
    let _ = t.command(1, &TUR, &[], 0);
    let c = read(&mut t, 65536);
    data_protect(&mut t, &c, 0x01, 0);
    let nbes = spin(&mut t, 0x20, 0x0021);
    assert_eq!(nbes[12..14], [0x36, 0x01], "encrypted, not decryptable now");
    assert_eq!(nbes[16..20], [0x00, 0x01, 0x00, 0x08]);
    assert_eq!(nbes[20..28], ukad[..]);
    set(&mut t, &sde(0, 0, 2, &key16, &[]));
    let c = read(&mut t, 65536);
    data_protect(&mut t, &c, 0x03, 0);
    set(&mut t, &sde(0, 0, 2, &key32, &[]));
    assert_eq!(spin(&mut t, 0x20, 0x0021)[12], 0x35);
    let c = read(&mut t, 100);
    assert!(c.is_good(), "{:?}", c.key_asc());
    assert_eq!(c.data, [0x44; 100]);
    // The clear block: DECRYPT refuses it, MIXED returns it.
    let c = read(&mut t, 65536);
    data_protect(&mut t, &c, 0x02, 1);
    set(&mut t, &sde(0, 0, 3, &key16, &[]));
    assert_eq!(read(&mut t, 11).data, b"clear block");
    assert_eq!(
        spin(&mut t, 0x20, 0x0021)[12],
        0x45,
        "zlib-compressed, decryptable"
    );
    let c = read(&mut t, 2048);
    assert!(c.is_good(), "{:?}", c.key_asc());
    assert_eq!(c.data, [0x45; 2048]);
}

/// A fresh drive (power on) starts with decryption disabled, so a tape another drive wrote
/// encrypted is not read by accident.
#[test]
fn a_new_drive_refuses_encrypted_blocks() {
    let home = tempfile::tempdir().unwrap();
    make_cartridge(
        home.path(),
        "E00001L8",
        Format::V6,
        MediumType::Data,
        "LTO8",
        16 << 20,
    );
    let mut t = drive(home.path(), "ULT3580-TD8");
    t.lu().load_barcode("E00001L8").unwrap();
    let _ = t.command(1, &TUR, &[], 0);
    set(&mut t, &sde(0, 2, 2, &KEY, &[]));
    write(&mut t, b"secret");
    t.lu().unload().unwrap();
    let mut t2 = drive(home.path(), "ULT3580-TD8");
    t2.lu().load_barcode("E00001L8").unwrap();
    let _ = t2.command(1, &TUR, &[], 0);
    let c = read(&mut t2, 65536);
    data_protect(&mut t2, &c, 0x01, 0);
}
