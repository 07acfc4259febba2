//! Helpers shared by the fuzz targets in `fuzz_targets/`: a scratch cartridge directory per
//! process, the MAMs of a well-formed cartridge, writing a cartridge's files, and the
//! "open it strictly and with recover, then read every object" check with its invariants.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libvtlcart::compress::crc32c;
use libvtlcart::index::{FLAG_CRC, TYPE_DATA};
use libvtlcart::{
    Cartridge, Density, IndexRecord, Mam, MediumType, NewMam, Object, OpenOptionsCart,
};
use zerocopy::FromBytes;

/// A cartridge directory private to this process, created on first use under
/// `$TMPDIR` (run.sh points it at a tmpfs directory that it removes afterwards).
pub fn scratch_cartridge() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("vtl-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&base).expect("create the fuzz scratch directory");
        base.join("FUZZ01L8")
    })
}

/// A media home private to this process, created on first use under `$TMPDIR` (for the
/// targets that load cartridges into a drive).
pub fn scratch_home() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = std::env::temp_dir().join(format!("vtl-fuzz-home-{}", std::process::id()));
        std::fs::create_dir_all(&base).expect("create the fuzz media home");
        base
    })
}

/// Make the cartridge directory `dir` hold exactly `files` (name, bytes): other files are
/// removed, these are written over (cheaper than a new directory each time).
pub fn write_cartridge(dir: &Path, files: &[(&str, &[u8])]) {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for e in entries {
                let e = e.expect("list the scratch cartridge");
                if !files.iter().any(|(n, _)| e.file_name() == *n) {
                    std::fs::remove_file(e.path()).expect("remove a scratch cartridge file");
                }
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir(dir).expect("create the scratch cartridge")
        }
        Err(e) => panic!("list {}: {e}", dir.display()),
    }
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).expect("write a scratch cartridge file");
    }
}

/// The MAM of a fresh LTO-8 cartridge (NULL media when `null`, else data).
pub fn new_mam(v6: bool, null: bool) -> Mam {
    Mam::new_cartridge(&NewMam {
        pcl: "FUZZ01L8",
        density: Density::lookup("LTO8").expect("LTO8 density"),
        medium_type: if null {
            MediumType::Null
        } else {
            MediumType::Data
        },
        capacity: 100 << 20,
        epoch: 1_700_000_000,
        v6,
        application_vendor: *b"vtl fuzz",
    })
}

/// The 1024-byte legacy MAM of a fresh cartridge (see [`new_mam`]).
pub fn legacy_mam_bytes(null: bool) -> Vec<u8> {
    let mut m = new_mam(false, null);
    m.base.tape_fmt_version = 3.into();
    m.base.mam_fmt_version = 3.into();
    m.to_legacy_bytes().to_vec()
}

/// The v6 `mam` and `mhvtl_data` files of a fresh cartridge (see [`new_mam`]).
pub fn v6_mam_files(null: bool) -> (Vec<u8>, Vec<u8>) {
    let mut m = new_mam(true, null);
    m.base.tape_fmt_version = 6.into();
    m.base.mam_fmt_version = 4.into();
    (m.to_mam_tlv(), m.to_mhvtl_data_tlv())
}

/// A `meta` filemark section (header with the count, 508 zero bytes, then the list).
pub fn meta_section(filemarks: &[u32]) -> Vec<u8> {
    let mut v = vec![0u8; 512];
    v[..4].copy_from_slice(&(filemarks.len() as u32).to_le_bytes());
    for f in filemarks {
        v.extend_from_slice(&f.to_le_bytes());
    }
    v
}

/// An index record of a data block stored uncompressed with its CRC.
pub fn data_record(n: u32, offset: u64, payload: &[u8]) -> IndexRecord {
    let mut r = IndexRecord::filemark(n, offset, 0);
    r.blk_type = TYPE_DATA.into();
    r.blk_flags = FLAG_CRC.into();
    r.blk_size = (payload.len() as u32).into();
    r.disk_blk_size = (payload.len() as u32).into();
    r.uncomp_crc = crc32c(payload).into();
    r
}

/// The per-record checks that need no file: every accessor of an arbitrary record.
pub fn exercise_record(bytes: &[u8]) {
    if let Ok(r) = IndexRecord::read_from_bytes(bytes) {
        let _ = r.kind();
        let _ = r.describe();
        if let Some(k) = r.block_key() {
            assert!(k.key.len() <= 32 && k.ukad.len() <= 32 && k.akad.len() <= 32);
        }
        assert!(r.end_offset() >= r.offset());
    }
}

/// Read every object of every partition with `read_at`, and sequentially with `read`, and
/// check what a successful read promises: the payload has the size the index gives and
/// matches its CRC when the record carries one; past EOD is EndOfData.
pub fn read_everything(c: &mut Cartridge) {
    let mut buf = Vec::new();
    for p in 0..c.partition_count() {
        let part = c.partition(p).expect("partition below partition_count");
        let eod = part.eod();
        let fms = part.filemarks().to_vec();
        assert!(fms.windows(2).all(|w| w[0] < w[1]), "filemarks ascend");
        assert!(fms.last().is_none_or(|&f| f < eod), "filemarks below EOD");
        let _ = (c.capacity(p), c.remaining(p));
        for b in 0..eod {
            let _ = c.record(p, b);
            match c.read_at(p, b, &mut buf) {
                Ok(Object::Data(info)) => {
                    assert_eq!(info.block, b);
                    if info.payload_present {
                        assert_eq!(buf.len(), info.size as usize, "block {b} size");
                        if info.flags & FLAG_CRC != 0 {
                            assert_eq!(crc32c(&buf), info.crc, "block {b} CRC");
                        }
                    } else {
                        assert!(buf.is_empty());
                    }
                }
                Ok(Object::Filemark) => {
                    assert!(fms.binary_search(&b).is_ok(), "filemark {b} is listed");
                    assert!(buf.is_empty());
                }
                Ok(Object::EndOfData) => panic!("EndOfData at block {b} below EOD {eod}"),
                Err(_) => {}
            }
        }
        assert_eq!(c.read_at(p, eod, &mut buf).ok(), Some(Object::EndOfData));
        assert!(c.record(p, eod).is_err());
    }
    // Sequential reading and positioning.
    for p in 0..c.partition_count() {
        c.locate(p, 0).expect("locate BOP of an existing partition");
        let eod = c.partition(p).map_or(0, |p| p.eod());
        for _ in 0..=eod {
            if let Ok(Object::EndOfData) = c.read(&mut buf) {
                break;
            }
        }
        let pos = c.position();
        assert!(pos.eod && pos.block == eod, "sequential reads reach EOD");
        c.rewind();
        let _ = c.space_filemarks(i64::MAX);
        let _ = c.space_blocks(i64::MIN);
        let _ = c.space_filemarks(-1);
        c.seek_eod();
        let _ = c.space_blocks(-3);
        let _ = c.space_filemarks(i64::MIN);
        let _ = c.space_blocks(i64::MAX);
        let _ = c.locate(p, eod / 2);
        let _ = c.read(&mut buf);
        let _ = c.position();
    }
    let _ = c.mam().attributes();
}

/// Open the cartridge in `dir` strictly and with `recover` and read all of it (see
/// [`read_everything`]); with `apply`, also apply the recovery plan and check that the
/// cartridge then opens strictly. Panics only when a promise is broken.
///
/// With `VTL_FUZZ_TRACE` set in the environment, says on stderr how each open went (to
/// check what seeds reach: `VTL_FUZZ_TRACE=1 cargo fuzz run cartridge corpus/cartridge --
/// -runs=0`).
pub fn open_and_read(dir: &Path, apply: bool) {
    let strict = Cartridge::open(dir, &OpenOptionsCart::default());
    let rec = Cartridge::open(
        dir,
        &OpenOptionsCart {
            recover: true,
            ..Default::default()
        },
    );
    if trace() {
        let objects = |c: &Cartridge| {
            (0..c.partition_count())
                .map(|p| c.partition(p).map_or(0, |p| p.eod()))
                .collect::<Vec<_>>()
        };
        eprintln!(
            "vtl-fuzz: strict open: {}; recover open: {}",
            match &strict {
                Ok(c) => format!("ok, objects per partition {:?}", objects(c)),
                Err(e) => format!("error: {e}"),
            },
            match &rec {
                Ok(c) => format!(
                    "ok, damaged partitions {}",
                    c.recovery_plans().iter().filter(|p| !p.is_clean()).count()
                ),
                Err(e) => format!("error: {e}"),
            }
        );
    }
    let opened_strictly = strict.is_ok();
    if let Ok(mut c) = strict {
        assert!(
            c.recovery_plans().iter().all(|p| p.is_clean()),
            "a strict open has clean plans"
        );
        read_everything(&mut c);
        match &rec {
            Ok(r) => assert!(
                r.recovery_plans().iter().all(|p| p.is_clean()),
                "a tape that opens strictly needs no recovery: {:?}",
                r.recovery_plans()
            ),
            Err(e) => panic!("opens strictly but not with recover: {e}"),
        }
    }
    let Ok(mut c) = rec else { return };
    for plan in c.recovery_plans() {
        assert!(u64::from(plan.keep_objects) <= plan.objects_before);
        assert_eq!(plan.index_bytes.1, u64::from(plan.keep_objects) * 512);
        assert!(plan.index_bytes.1 <= plan.index_bytes.0);
        assert!(plan.data_bytes.1 <= plan.data_bytes.0);
        assert!(plan.filemarks_after.windows(2).all(|w| w[0] < w[1]));
        assert!(
            plan.filemarks_after
                .last()
                .is_none_or(|&f| f < plan.keep_objects)
        );
    }
    let damaged = c.recovery_plans().iter().any(|p| !p.is_clean());
    if !opened_strictly {
        // (Otherwise the same objects were just read through the strict handle.)
        read_everything(&mut c);
    }
    drop(c);
    if !(apply && damaged) {
        return;
    }
    let opts = OpenOptionsCart {
        write: true,
        recover: true,
        ..Default::default()
    };
    let mut c = match Cartridge::open(dir, &opts) {
        Ok(c) => c,
        Err(e) => panic!("opens read-only with recover but not for writing: {e}"),
    };
    c.apply_recovery().expect("apply the recovery plan");
    drop(c);
    match Cartridge::open(dir, &OpenOptionsCart::default()) {
        Ok(mut c) => read_everything(&mut c),
        Err(e) => panic!("recovered cartridge does not open: {e}"),
    }
}

fn trace() -> bool {
    static TRACE: OnceLock<bool> = OnceLock::new();
    *TRACE.get_or_init(|| std::env::var_os("VTL_FUZZ_TRACE").is_some())
}

/// Split `input` into `count` pieces, each a little-endian u32 length (cut to what is
/// left) followed by that many bytes; pieces past the end of the input are empty.
pub fn split_lengths(mut input: &[u8], count: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let n = if input.len() >= 4 {
            let n = u32::from_le_bytes(input[..4].try_into().unwrap()) as usize;
            input = &input[4..];
            n.min(input.len())
        } else {
            input = &[];
            0
        };
        out.push(&input[..n]);
        input = &input[n..];
    }
    out
}

/// Everything that can be asked of a parsed MAM, and the promises of its encoders: the v6
/// TLV files and the legacy bytes each parse back to a MAM that encodes them identically.
pub fn exercise_mam(m: &Mam) {
    use libvtlcart::TextAttribute;
    let p = Path::new("mam");
    for a in m.attributes() {
        let _ = a.number();
        let _ = a.text();
    }
    for a in TextAttribute::ALL {
        assert!(m.text_attribute(a).chars().count() <= a.max_len());
    }
    let _ = (
        m.barcode(),
        m.medium_type(),
        m.media_type(),
        m.write_protected(),
    );
    let _ = m.media_type().name();
    let _ = Density::by_media_type(m.media_type());
    for n in 0..5 {
        let _ = m.partition_capacity(n);
    }
    let (t, d) = (m.to_mam_tlv(), m.to_mhvtl_data_tlv());
    assert_eq!((t.len(), d.len()), (1071, 358), "TLV sizes");
    let m2 = Mam::from_tlv(&t, p, Some((&d, p))).expect("our own TLV parses");
    assert_eq!(m2.to_mam_tlv(), t, "mam TLV round trip");
    assert_eq!(m2.to_mhvtl_data_tlv(), d, "mhvtl_data TLV round trip");
    let l = m.to_legacy_bytes();
    let m3 = Mam::from_legacy_bytes(&l, p).expect("our own legacy MAM parses");
    assert_eq!(m3.to_legacy_bytes(), l, "legacy MAM round trip");
}

/// At most this many commands are taken from one input of the SCSI targets.
pub const MAX_COMMANDS: usize = 64;

/// The commands of a SCSI target's input (after its setup byte): records
/// `[nexus << 6 | aim << 5 | cdb length][cdb][data-out length, u16 LE][data-out]`, each
/// field cut short where the input ends, at most [`MAX_COMMANDS`]. When the aim bit is set
/// (and the CDB is not empty) its op code is replaced by `ops[op % ops.len()]`, so that
/// most commands reach the parsers behind implemented op codes. Yields (nexus, CDB,
/// data-out).
pub fn commands<'a>(
    mut rest: &'a [u8],
    ops: &'a [u8],
) -> impl Iterator<Item = (u64, Vec<u8>, &'a [u8])> + 'a {
    std::iter::from_fn(move || {
        let (&head, r) = rest.split_first()?;
        let len = usize::from(head & 0x1f).min(r.len());
        let (cdb, r) = r.split_at(len);
        let mut cdb = cdb.to_vec();
        if head & 0x20 != 0 && !cdb.is_empty() && !ops.is_empty() {
            cdb[0] = ops[usize::from(cdb[0]) % ops.len()];
        }
        let (dlen, r) = match r {
            [a, b, r @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), r),
            _ => (0, &[][..]),
        };
        let (data_out, r) = r.split_at(dlen.min(r.len()));
        rest = r;
        Some((u64::from(head >> 6), cdb, data_out))
    })
    .take(MAX_COMMANDS)
}

/// Check what any SCSI reply promises: the status is GOOD, CHECK CONDITION or RESERVATION
/// CONFLICT; only CHECK CONDITION carries sense, and that sense parses; an ILLEGAL REQUEST
/// about a field (INVALID COMMAND OPERATION CODE, INVALID FIELD IN CDB / PARAMETER LIST,
/// PARAMETER LIST LENGTH ERROR) points (SKSV) inside the CDB or the data-out. Other ILLEGAL
/// REQUEST conditions (medium removal prevented, positioning or command sequence errors,
/// ...) concern no field.
pub fn check_reply(c: &vtl_scsi::Completion, cdb: &[u8], data_out: &[u8]) {
    use vtl_scsi::{SenseKey, SenseKeySpecific, Status};
    match c.status {
        Status::Good | Status::ReservationConflict => assert!(c.sense.is_empty()),
        Status::CheckCondition => {
            let s = c.sense().expect("CHECK CONDITION sense parses");
            let about_a_field = matches!(
                (s.asc.0, s.asc.1),
                (0x20, 0x00) | (0x24, 0x00) | (0x26, _) | (0x1a, 0x00)
            );
            if s.key == SenseKey::IllegalRequest && about_a_field {
                match s.specific {
                    Some(SenseKeySpecific::Field {
                        in_cdb: true, byte, ..
                    }) => assert!(
                        usize::from(byte) < cdb.len().max(1),
                        "{cdb:02x?}: pointer {byte}"
                    ),
                    Some(SenseKeySpecific::Field {
                        in_cdb: false,
                        byte,
                        ..
                    }) => assert!(
                        usize::from(byte) < data_out.len().max(1),
                        "{cdb:02x?}: param pointer {byte}"
                    ),
                    other => {
                        panic!("{cdb:02x?}: ILLEGAL REQUEST without a field pointer: {other:?}")
                    }
                }
            }
        }
        other => panic!("{cdb:02x?}: status {other:?}"),
    }
}
