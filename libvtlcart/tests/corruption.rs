//! Damaged tapes: every fixture tape (both formats) is copied and then truncated and
//! bit-flipped structure by structure; the handle must never panic, never return wrong bytes
//! as good, name the damaged file when it refuses a tape, and recovery must turn every
//! damaged-but-recoverable tape into one that opens cleanly with every kept block intact.
//!
//! The expected contents come from manifest.json (computed independently of this crate).
//! A summary table is printed on stderr (`cargo test --test corruption -- --nocapture`).

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use libvtlcart::{Cartridge, Compression, Format, MediumType, Object, OpenOptionsCart};
use proptest::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

// ------------------------------------------------------------------ the fixture, as the manifest says

#[derive(Debug, Clone)]
struct Rec {
    data: bool,
    hash: Option<String>,
    offset: u64,
    disk: u64,
}

#[derive(Debug)]
struct Tape {
    id: String,
    src: PathBuf,
    legacy_mam_in_meta: bool,
    files: Vec<(String, u64)>,
    indx: String,
    meta: String,
    data: String,
    records: Vec<Rec>,
    filemarks: Vec<u32>,
    null: bool,
    mam_tlv: Vec<(u64, u64)>,
    mhvtl_data_tlv: Vec<(u64, u64)>,
}

fn tapes(root: &Path) -> Vec<Tape> {
    let m = common::manifest(root);
    let u = |v: &Value| v.as_u64().unwrap();
    let pairs = |v: &Value| -> Vec<(u64, u64)> {
        v.as_array()
            .map(|a| a.iter().map(|p| (u(&p[0]), u(&p[1]))).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for t in m["tapes"].as_array().unwrap() {
        let p0 = &t["partitions"][0];
        let files: Vec<(String, u64)> = t["files"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), u(&v["size"])))
            .collect();
        let pf = &p0["files"];
        let records = p0["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Rec {
                data: r["type"] == 11,
                hash: r["payload_sha256"].as_str().map(str::to_string),
                offset: u(&r["data_offset"]),
                disk: u(&r["disk_blk_size"]),
            })
            .collect();
        out.push(Tape {
            id: t["id"].as_str().unwrap().to_string(),
            src: root.join(t["path"].as_str().unwrap()),
            legacy_mam_in_meta: t["layout"] == "legacy",
            indx: pf["indx"].as_str().unwrap().to_string(),
            meta: pf["meta"].as_str().unwrap().to_string(),
            data: pf["data"].as_str().unwrap().to_string(),
            files,
            records,
            filemarks: p0["filemarks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| u(v) as u32)
                .collect(),
            null: t["mam"]["medium_type"] == 2,
            mam_tlv: pairs(&t["mam_tlv"]),
            mhvtl_data_tlv: pairs(&t["mhvtl_data_tlv"]),
        });
    }
    out
}

// ------------------------------------------------------------------ variants

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Truncate(u64),
    Xor(u64, u8),
}

#[derive(Debug, Clone)]
struct Variant {
    /// File name inside the tape directory.
    file: String,
    /// Summary row ("indx truncate", "legacy MAM flip", ...).
    group: String,
    /// Human description.
    what: String,
    m: Mutation,
    /// The logical object whose record or payload was changed, if one.
    object: Option<u32>,
}

/// Index record fields flipped: (name, byte offset in the record, XOR mask).
const INDEX_FLIPS: &[(&str, u64, u8)] = &[
    ("data_offset+1", 0, 0x01),
    ("data_offset negative", 7, 0x80),
    ("type 11<->3", 8, 0x08),
    ("type junk", 8, 0xff),
    ("flags ^LZO", 12, 0x04),
    ("flags ^CRC", 12, 0x08),
    ("flags ^zlib", 12, 0x01),
    ("flags unknown bits", 12, 0xf0),
    ("blk_number", 16, 0x01),
    ("blk_size+1", 20, 0x01),
    ("blk_size huge", 23, 0x80),
    ("disk_blk_size+1", 24, 0x01),
    ("disk_blk_size huge", 27, 0x80),
    ("crc", 28, 0x01),
    ("key_length", 32, 0x40),
    ("partition_id", 144, 0x01),
];

/// Which objects get per-record flips: all of a small tape, else ends, middle and filemarks.
fn chosen_objects(t: &Tape) -> Vec<u32> {
    let n = t.records.len() as u32;
    let mut v: Vec<u32> = if n <= 16 {
        (0..n).collect()
    } else {
        let mut v = vec![0, 1, 2, n / 2, n - 3, n - 2, n - 1];
        v.extend(&t.filemarks);
        v
    };
    v.sort();
    v.dedup();
    v
}

fn variants(t: &Tape) -> Vec<Variant> {
    let mut out = Vec::new();
    let mut push = |file: &str, group: &str, what: String, m: Mutation, object: Option<u32>| {
        out.push(Variant {
            file: file.to_string(),
            group: group.to_string(),
            what,
            m,
            object,
        })
    };
    // Truncations of every file.
    for (name, size) in &t.files {
        let s = *size;
        let mut pts = vec![0, 1, s / 2, s.saturating_sub(1)];
        if *name == t.indx {
            pts.extend([s.saturating_sub(200), 512 + 17, s.saturating_sub(512)]);
        }
        if *name == t.meta {
            let base = if t.legacy_mam_in_meta { 1024 } else { 0 };
            pts.extend([base, base + 4, base + 511, s.saturating_sub(4)]);
        }
        pts.retain(|&p| p < s);
        pts.sort();
        pts.dedup();
        let group = format!("{} truncate", kind_of(t, name));
        for p in pts {
            push(
                name,
                &group,
                format!("truncate {name} to {p} of {s}"),
                Mutation::Truncate(p),
                None,
            );
        }
    }
    // Index record fields.
    for n in chosen_objects(t) {
        for &(f, off, mask) in INDEX_FLIPS {
            push(
                &t.indx,
                &format!("indx flip: {f}"),
                format!("record {n}: {f}"),
                Mutation::Xor(u64::from(n) * 512 + off, mask),
                Some(n),
            );
        }
    }
    // Meta: count, header padding, filemark entries.
    let base = if t.legacy_mam_in_meta { 1024 } else { 0 };
    push(
        &t.meta,
        "meta flip",
        "count +-1".into(),
        Mutation::Xor(base, 0x01),
        None,
    );
    push(
        &t.meta,
        "meta flip",
        "count huge".into(),
        Mutation::Xor(base + 3, 0x80),
        None,
    );
    push(
        &t.meta,
        "meta flip",
        "header padding".into(),
        Mutation::Xor(base + 100, 0xff),
        None,
    );
    for i in 0..t.filemarks.len().min(8) as u64 {
        let off = base + 512 + 4 * i;
        push(
            &t.meta,
            "meta flip",
            format!("filemark entry {i} +-1"),
            Mutation::Xor(off, 0x01),
            None,
        );
        push(
            &t.meta,
            "meta flip",
            format!("filemark entry {i} huge"),
            Mutation::Xor(off + 3, 0x80),
            None,
        );
    }
    // The MAM.
    if t.legacy_mam_in_meta {
        for (what, off, mask) in [
            ("tape_fmt_version", 0, 0x01),
            ("mam_fmt_version", 4, 0x01),
            ("max_capacity", 16, 0x01),
            ("medium_type -> NULL", 320, 0x02),
            ("medium_type -> cleaning", 320, 0x06),
            ("record_dirty", 825, 0x01),
            ("flags write protect", 826, 0x02),
            ("barcode", 553, 0x20),
            ("pad", 1023, 0xff),
        ] {
            push(
                &t.meta,
                "legacy MAM flip",
                what.into(),
                Mutation::Xor(off, mask),
                None,
            );
        }
    } else {
        push(
            "mam",
            "mam flip",
            "tape_fmt_version ^1".into(),
            Mutation::Xor(0, 0x01),
            None,
        );
        push(
            "mam",
            "mam flip",
            "tape_fmt_version ^2".into(),
            Mutation::Xor(0, 0x02),
            None,
        );
        push(
            "mam",
            "mam flip",
            "mam_fmt_version".into(),
            Mutation::Xor(4, 0x01),
            None,
        );
        let mut off = 8;
        let last = t.mam_tlv.len().saturating_sub(1);
        for (i, &(id, len)) in t.mam_tlv.iter().enumerate() {
            if i == 0 || i == last || i == t.mam_tlv.len() / 2 || id == 0x0408 {
                for (what, o, mask) in [
                    ("id", 0, 0xff),
                    ("length +-1", 2, 0x01),
                    ("length huge", 3, 0x80),
                ] {
                    push(
                        "mam",
                        "mam TLV header flip",
                        format!("attribute 0x{id:04x} {what}"),
                        Mutation::Xor(off + o, mask),
                        None,
                    );
                }
            }
            if id == 0x0408 {
                for mask in [0x02, 0x06] {
                    push(
                        "mam",
                        "mam flip",
                        format!("medium type ^{mask}"),
                        Mutation::Xor(off + 4, mask),
                        None,
                    );
                }
            }
            off += 4 + len;
        }
        let mut off = 0;
        for &(id, len) in &t.mhvtl_data_tlv {
            push(
                "mhvtl_data",
                "mhvtl_data TLV header flip",
                format!("record 0x{id:02x} length +-1"),
                Mutation::Xor(off + 2, 0x01),
                None,
            );
            if id == 0x01 {
                push(
                    "mhvtl_data",
                    "mhvtl_data TLV header flip",
                    "record 0x01 id".into(),
                    Mutation::Xor(off, 0xff),
                    None,
                );
            }
            if id == 0x02 || id == 0x0d {
                push(
                    "mhvtl_data",
                    "mhvtl_data flip",
                    format!("record 0x{id:02x} value"),
                    Mutation::Xor(off + 4, 0x02),
                    None,
                );
            }
            off += 4 + len;
        }
    }
    // Payload bytes.
    if !t.null {
        for n in chosen_objects(t) {
            let r = &t.records[n as usize];
            if r.data && r.disk > 0 {
                for (what, at) in [("first", 0), ("middle", r.disk / 2), ("last", r.disk - 1)] {
                    push(
                        &t.data,
                        "payload flip",
                        format!("block {n}: {what} stored byte"),
                        Mutation::Xor(r.offset + at, 0x01),
                        Some(n),
                    );
                }
            }
        }
    }
    out
}

fn kind_of(t: &Tape, name: &str) -> &'static str {
    if name == t.indx {
        "indx"
    } else if name == t.meta {
        "meta"
    } else if name == t.data {
        "data"
    } else if name == "mam" {
        "mam"
    } else {
        "mhvtl_data"
    }
}

// ------------------------------------------------------------------ one variant

/// What happened to one variant.
#[derive(Debug, Default)]
struct Outcome {
    /// Plain open refused the tape (with the file named).
    rejected: bool,
    /// Plain open succeeded but some reads failed (errors, never wrong bytes).
    read_errors: bool,
    /// Recovery refused to open the tape (MAM or version damage).
    recover_refused: bool,
    /// Recovery was applied; objects kept / before.
    recovered: Option<(u32, u32)>,
    /// Rule violations.
    failures: Vec<String>,
}

fn sha(b: &[u8]) -> String {
    format!("{:x}", Sha256::digest(b))
}

/// Read objects 0..EOD with `read_at` and compare with the manifest. Errors are allowed
/// anywhere when `errors_ok`, else only on `mutated`. Returns the number of read errors.
fn check_reads(
    c: &Cartridge,
    t: &Tape,
    mutated: Option<u32>,
    errors_ok: bool,
    f: &mut Vec<String>,
    ctx: &str,
) -> usize {
    let eod = c.partition(0).unwrap().eod();
    let mut buf = Vec::new();
    let mut errors = 0;
    for n in 0..eod {
        let Some(m) = t.records.get(n as usize) else {
            f.push(format!("{ctx}: object {n} beyond the manifest's EOD"));
            break;
        };
        match c.read_at(0, n, &mut buf) {
            Ok(Object::Data(info)) => {
                if !m.data {
                    f.push(format!(
                        "{ctx}: block {n} read as data ({} bytes) but is a filemark",
                        buf.len()
                    ));
                } else if info.payload_present {
                    match &m.hash {
                        Some(h) if *h == sha(&buf) => {}
                        _ => f.push(format!(
                            "{ctx}: block {n}: WRONG BYTES returned as good ({} bytes)",
                            buf.len()
                        )),
                    }
                } else if !buf.is_empty() {
                    f.push(format!("{ctx}: block {n}: bytes without payload"));
                }
            }
            Ok(Object::Filemark) => {
                if m.data {
                    f.push(format!("{ctx}: block {n} read as a filemark but is data"));
                }
            }
            Ok(Object::EndOfData) => f.push(format!("{ctx}: EOD at {n} before EOD {eod}")),
            Err(e) => {
                errors += 1;
                if !errors_ok && mutated != Some(n) {
                    f.push(format!("{ctx}: kept block {n} unreadable: {e}"));
                }
            }
        }
    }
    errors
}

fn run_variant(dir: &Path, t: &Tape, v: &Variant) -> Outcome {
    let mut o = Outcome::default();
    let f = &mut o.failures;
    let file_path = dir.join(&v.file).display().to_string();
    let named = |e: &dyn std::fmt::Display| e.to_string().contains(&file_path);
    let want_eod = t.records.len() as u32;

    // 1. Plain open: refuse naming the file, or open and never return wrong bytes.
    let plain = Cartridge::open(dir, &OpenOptionsCart::default());
    match &plain {
        Err(e) => {
            o.rejected = true;
            if !named(e) {
                f.push(format!("open error does not name {}: {e}", v.file));
            }
        }
        Ok(c) => {
            let p = c.partition(0).unwrap();
            if p.eod() != want_eod || p.filemarks() != &t.filemarks[..] {
                f.push(format!(
                    "opened without error but EOD {} / filemarks {:?} differ from {want_eod} / {:?}",
                    p.eod(),
                    p.filemarks(),
                    t.filemarks
                ));
            }
            o.read_errors = check_reads(c, t, v.object, true, f, "plain open") > 0;
        }
    }
    drop(plain);

    // 2. Recovery: the plan names the damage; applying it gives a clean tape.
    let rec = Cartridge::open(
        dir,
        &OpenOptionsCart {
            recover: true,
            ..Default::default()
        },
    );
    let c = match rec {
        Err(e) => {
            o.recover_refused = true;
            if !o.rejected {
                f.push(format!("recovery refuses a tape that opens: {e}"));
            }
            if !named(&e) {
                f.push(format!("recovery error does not name {}: {e}", v.file));
            }
            return o;
        }
        Ok(c) => c,
    };
    let plans = c.recovery_plans().to_vec();
    let damaged = plans.iter().any(|p| !p.is_clean());
    if o.rejected && !damaged {
        f.push("open fails but the recovery plan finds no damage".into());
    }
    if !o.rejected && damaged {
        f.push(format!(
            "open succeeds but the recovery plan finds damage: {}",
            plans[0].damage[0]
        ));
    }
    for d in plans.iter().flat_map(|p| &p.damage) {
        if !d.file.starts_with(dir) || d.what.is_empty() {
            f.push(format!("damage entry does not name a tape file: {d}"));
        }
    }
    check_reads(&c, t, v.object, !damaged, f, "recover open");
    drop(c);
    if !damaged {
        return o;
    }
    let keep = plans[0].keep_objects;
    let rw = Cartridge::open(
        dir,
        &OpenOptionsCart {
            recover: true,
            write: true,
            ..Default::default()
        },
    );
    match rw.and_then(|mut c| c.apply_recovery().map(|()| c)) {
        Err(e) => {
            f.push(format!("apply_recovery failed: {e}"));
            return o;
        }
        Ok(c) => drop(c),
    }
    match Cartridge::open(dir, &OpenOptionsCart::default()) {
        Err(e) => f.push(format!("recovered tape does not open cleanly: {e}")),
        Ok(c) => {
            let p = c.partition(0).unwrap();
            let eod = p.eod();
            if eod != keep || eod > want_eod {
                f.push(format!(
                    "recovered EOD {eod}, plan kept {keep}, manifest EOD {want_eod}"
                ));
            }
            let want_fm: Vec<u32> = t.filemarks.iter().copied().filter(|&x| x < eod).collect();
            if p.filemarks() != &want_fm[..] {
                f.push(format!(
                    "recovered filemarks {:?}, expected {want_fm:?}",
                    p.filemarks()
                ));
            }
            check_reads(&c, t, v.object, false, f, "after recovery");
            o.recovered = Some((eod, want_eod));
            drop(c);
            append_after_recovery(dir, eod, f);
        }
    }
    o
}

/// A recovered tape takes new objects at its new EOD, and they read back after a reload.
fn append_after_recovery(dir: &Path, eod: u32, f: &mut Vec<String>) {
    let rw = OpenOptionsCart {
        write: true,
        ..Default::default()
    };
    let mut c = match Cartridge::open(dir, &rw) {
        Ok(c) => c,
        Err(e) => return f.push(format!("recovered tape does not open for writing: {e}")),
    };
    if c.is_write_protected() {
        return; // a MAM flip made it write protected or a cleaning cartridge
    }
    c.seek_eod();
    let block = b"written after recovery".repeat(50);
    if let Err(e) = c
        .write_block(&block, Compression::Lzo, None)
        .and_then(|_| c.write_filemarks(1))
    {
        return f.push(format!("append after recovery failed: {e}"));
    }
    let data_end = c.partition(0).unwrap().eod_data_offset();
    c.unload().unwrap();
    match Cartridge::open(dir, &OpenOptionsCart::default()) {
        Err(e) => f.push(format!("tape written after recovery does not open: {e}")),
        Ok(c) => {
            let p = c.partition(0).unwrap();
            let data_len = std::fs::metadata(&p.paths()[0]).unwrap().len();
            if p.eod() != eod + 2 || (data_len != data_end && data_len != 0) {
                f.push(format!(
                    "after recovery and append: EOD {} (want {}), data file {data_len} bytes, data end {data_end}",
                    p.eod(),
                    eod + 2
                ));
            }
            let mut buf = Vec::new();
            match c.read_at(0, eod, &mut buf) {
                Ok(Object::Data(i)) if !i.payload_present || buf == block => {}
                r => f.push(format!("block appended after recovery reads back as {r:?}")),
            }
        }
    }
}

// ------------------------------------------------------------------ driver

fn copy_tape(src: &Path, dst: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::create_dir_all(dst).unwrap();
    let mut orig = BTreeMap::new();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let bytes = std::fs::read(e.path()).unwrap();
        std::fs::write(dst.join(&name), &bytes).unwrap();
        orig.insert(name, bytes);
    }
    orig
}

/// Put every file back as it was (the variant or a recovery changed some).
fn restore(dir: &Path, orig: &BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if !orig.contains_key(&name) {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    for (name, bytes) in orig {
        let p = dir.join(name);
        let same = std::fs::read(&p).map(|b| b == *bytes).unwrap_or(false);
        if !same {
            std::fs::write(&p, bytes).unwrap();
        }
    }
}

fn apply(dir: &Path, v: &Variant) {
    let p = dir.join(&v.file);
    match v.m {
        Mutation::Truncate(len) => {
            let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
            f.set_len(len).unwrap();
        }
        Mutation::Xor(off, mask) => {
            let mut b = std::fs::read(&p).unwrap();
            b[off as usize] ^= mask;
            std::fs::write(&p, b).unwrap();
        }
    }
}

#[derive(Default)]
struct Row {
    variants: usize,
    rejected: usize,
    opened_ok: usize,
    opened_read_errors: usize,
    recovered: usize,
    objects_cut: u64,
    recover_refused: usize,
    panics: usize,
    failures: usize,
    seconds: f64,
}

#[test]
fn damaged_fixture_tapes_never_panic_or_lie() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let started = std::time::Instant::now();
    let tapes = tapes(&root);
    let work = tempfile::tempdir().unwrap();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut failures: Vec<String> = Vec::new();
    let prev_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {})); // panics are caught and reported below
    for t in &tapes {
        let dir = work.path().join(t.id.replace('/', "_"));
        let orig = copy_tape(&t.src, &dir);
        for v in variants(t) {
            apply(&dir, &v);
            let t0 = std::time::Instant::now();
            let res = catch_unwind(AssertUnwindSafe(|| run_variant(&dir, t, &v)));
            restore(&dir, &orig);
            let row = rows.entry(v.group.clone()).or_default();
            row.variants += 1;
            row.seconds += t0.elapsed().as_secs_f64();
            match res {
                Err(p) => {
                    row.panics += 1;
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    failures.push(format!("{} [{}]: PANIC: {msg}", t.id, v.what));
                }
                Ok(o) => {
                    if o.rejected {
                        row.rejected += 1;
                    } else if o.read_errors {
                        row.opened_read_errors += 1;
                    } else {
                        row.opened_ok += 1;
                    }
                    if o.recover_refused {
                        row.recover_refused += 1;
                    }
                    if let Some((kept, before)) = o.recovered {
                        row.recovered += 1;
                        row.objects_cut += u64::from(before - kept.min(before));
                    }
                    if !o.failures.is_empty() {
                        row.failures += 1;
                    }
                    for e in o.failures {
                        failures.push(format!("{} [{}]: {e}", t.id, v.what));
                    }
                }
            }
        }
    }
    std::panic::set_hook(prev_hook);

    let mut total = Row::default();
    eprintln!(
        "\ncorruption summary ({} fixture tapes, {:.1} s)",
        tapes.len(),
        started.elapsed().as_secs_f64()
    );
    eprintln!(
        "| {:<32} | {:>8} | {:>8} | {:>9} | {:>11} | {:>9} | {:>7} | {:>8} | {:>6} | {:>8} |",
        "variant group",
        "variants",
        "rejected",
        "opened ok",
        "read errors",
        "recovered",
        "cut obj",
        "unrecov.",
        "panics",
        "failures"
    );
    eprintln!(
        "|{:-<34}|{:->10}|{:->10}|{:->11}|{:->13}|{:->11}|{:->9}|{:->10}|{:->8}|{:->10}|",
        "", "", "", "", "", "", "", "", "", ""
    );
    let print = |name: &str, r: &Row| {
        eprintln!(
            "| {:<32} | {:>8} | {:>8} | {:>9} | {:>11} | {:>9} | {:>7} | {:>8} | {:>6} | {:>8} |",
            name,
            r.variants,
            r.rejected,
            r.opened_ok,
            r.opened_read_errors,
            r.recovered,
            r.objects_cut,
            r.recover_refused,
            r.panics,
            r.failures
        )
    };
    for (name, r) in &rows {
        print(name, r);
        total.variants += r.variants;
        total.rejected += r.rejected;
        total.opened_ok += r.opened_ok;
        total.opened_read_errors += r.opened_read_errors;
        total.recovered += r.recovered;
        total.objects_cut += r.objects_cut;
        total.recover_refused += r.recover_refused;
        total.panics += r.panics;
        total.failures += r.failures;
    }
    print("TOTAL", &total);
    for f in failures.iter().take(60) {
        eprintln!("FAIL {f}");
    }
    if let Some(p) = std::env::var_os("CORRUPTION_REPORT") {
        let timing: Vec<String> = rows
            .iter()
            .map(|(k, r)| format!("TIME {k}: {:.2} s", r.seconds))
            .collect();
        std::fs::write(p, [timing, failures.clone()].concat().join("\n")).unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} violations in {} variants (first: {})",
        failures.len(),
        total.failures,
        failures[0]
    );
    assert!(total.variants > 3000, "only {} variants", total.variants);
}

#[test]
fn overwriting_at_a_damaged_record_is_refused() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    for (fmt, indx) in [("legacy", "indx"), ("v6", "indx.0")] {
        // FXMIX1L8: blocks 0..2 data, filemarks at 3 and 4, block 5 data, ... EOD 14.
        let dir = work.path().join(fmt);
        let orig = copy_tape(&root.join(fmt).join("FXMIX1L8"), &dir);
        // Record 5's data_offset lowered by 1 (pointing into block 2's bytes): the open does
        // not see it (only the last record is checked), reading it fails its CRC, and an
        // overwrite or erase there must not cut block 2's last byte.
        apply(
            &dir,
            &Variant {
                file: indx.into(),
                group: String::new(),
                what: String::new(),
                m: Mutation::Xor(5 * 512, 0x01),
                object: Some(5),
            },
        );
        let mut c = Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap();
        let mut buf = Vec::new();
        assert!(c.read_at(0, 5, &mut buf).is_err(), "{fmt}");
        let sizes = |d: &Path| -> Vec<u64> {
            let mut v: Vec<u64> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .collect();
            v.sort();
            v
        };
        let before = sizes(&dir);
        c.locate(0, 5).unwrap();
        let e = c.write_block(b"over", Compression::None, None).unwrap_err();
        assert!(e.to_string().contains(indx), "{fmt}: {e}");
        c.locate(0, 5).unwrap();
        assert!(c.erase().is_err(), "{fmt}");
        c.locate(0, 5).unwrap();
        assert!(c.write_filemarks(1).is_err(), "{fmt}");
        assert_eq!(
            sizes(&dir),
            before,
            "{fmt}: a refused overwrite changed the files"
        );
        // Blocks before the damage still read; overwriting at block 6 (intact) works.
        for n in 0..5 {
            c.read_at(0, n, &mut buf).unwrap();
        }
        drop(c);
        restore(&dir, &orig);
    }
}

// ------------------------------------------------------------------ arbitrary bytes

/// A small tape of each format with data blocks (raw, LZO, zlib) and filemarks; returns the
/// directory and its files' bytes.
fn small_tape(home: &Path, format: Format) -> (PathBuf, BTreeMap<String, Vec<u8>>) {
    let pcl = if format == Format::V6 {
        "ARBV6"
    } else {
        "ARBLEG"
    };
    let dir =
        libvtlcart::testing::make_cartridge(home, pcl, format, MediumType::Data, "LTO6", 10 << 20);
    let mut c = Cartridge::open(
        &dir,
        &OpenOptionsCart {
            write: true,
            ..Default::default()
        },
    )
    .unwrap();
    let text: Vec<u8> = b"tape block ".iter().copied().cycle().take(3000).collect();
    c.write_block(&text, Compression::Lzo, None).unwrap();
    c.write_block(b"raw bytes", Compression::None, None)
        .unwrap();
    c.write_filemarks(1).unwrap();
    c.write_block(&text, Compression::Zlib(1), None).unwrap();
    c.write_filemarks(2).unwrap();
    c.write_block(&text[..100], Compression::None, None)
        .unwrap();
    c.unload().unwrap();
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    (dir, files)
}

/// Open (plain and recover) and read every object; everything may fail, nothing may panic.
fn open_and_read_everything(dir: &Path) {
    let mut buf = Vec::new();
    for recover in [false, true] {
        if let Ok(mut c) = Cartridge::open(
            dir,
            &OpenOptionsCart {
                recover,
                ..Default::default()
            },
        ) {
            let eod = c.partition(0).map_or(0, |p| p.eod());
            for n in 0..eod.min(64) {
                let _ = c.read_at(0, n, &mut buf);
            }
            c.rewind();
            for _ in 0..eod.min(64) + 1 {
                let _ = c.read(&mut buf);
            }
            let _ = c.space_filemarks(2);
            let _ = c.space_blocks(-3);
            let _ = c.position();
        }
    }
}

/// Index records that look plausible: small numbers near the right values, valid and invalid
/// types and flags (pure random bytes are rejected by the first check too easily).
fn plausible_index() -> impl Strategy<Value = Vec<u8>> {
    let rec = (
        prop_oneof![Just(11u32), Just(3), any::<u32>()],
        prop_oneof![Just(8u32), Just(12), Just(9), Just(0), any::<u32>()],
        0u32..8,
        prop_oneof![0u32..4000, any::<u32>()],
        prop_oneof![0u32..4000, any::<u32>()],
        prop_oneof![0i64..8000, any::<i64>()],
        any::<u32>(),
    );
    prop::collection::vec(rec, 0..8).prop_map(|recs| {
        let mut out = Vec::new();
        for (t, flags, num, size, disk, off, crc) in recs {
            let mut r = [0u8; 512];
            r[0..8].copy_from_slice(&off.to_le_bytes());
            r[8..12].copy_from_slice(&t.to_le_bytes());
            r[12..16].copy_from_slice(&flags.to_le_bytes());
            r[16..20].copy_from_slice(&num.to_le_bytes());
            r[20..24].copy_from_slice(&size.to_le_bytes());
            r[24..28].copy_from_slice(&disk.to_le_bytes());
            r[28..32].copy_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&r);
        }
        out
    })
}

fn file_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        plausible_index(),
        // A filemark header with a small count and a few small entries.
        (0u32..6, prop::collection::vec(0u32..10, 0..6)).prop_map(|(n, e)| {
            let mut v = vec![0u8; 512];
            v[0..4].copy_from_slice(&n.to_le_bytes());
            v.extend(e.iter().flat_map(|x| x.to_le_bytes()));
            v
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES=20000 for a longer hunt.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]

    /// Arbitrary bytes as the index, meta, mam or mhvtl_data file of a small tape: opening
    /// and reading may fail but never panic.
    #[test]
    fn arbitrary_metadata_files_never_panic(
        v6 in any::<bool>(),
        which in 0usize..4,
        legacy_keep_mam in any::<bool>(),
        bytes in file_bytes(),
    ) {
        let home = tempfile::tempdir().unwrap();
        let format = if v6 { Format::V6 } else { Format::Legacy };
        let (dir, files) = small_tape(home.path(), format);
        let (name, mut content) = match (v6, which) {
            (true, 0) => ("indx.0", bytes),
            (true, 1) => ("meta.0", bytes),
            (true, 2) => ("mam", bytes),
            (true, _) => ("mhvtl_data", bytes),
            (false, 0 | 2) => ("indx", bytes),
            (false, _) => ("meta", bytes),
        };
        // Legacy meta: usually keep the real MAM in front so the filemark list is reached.
        if name == "meta" && legacy_keep_mam {
            let mut m = files["meta"][..1024].to_vec();
            m.extend_from_slice(&content);
            content = m;
        }
        std::fs::write(dir.join(name), &content).unwrap();
        open_and_read_everything(&dir);
    }
}
