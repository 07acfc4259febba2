//! dump_tape: list, verify, extract from and recover virtual tape cartridges.
//!
//! mhvtl's command line (`dump_tape -m PCL [-l LIB] [-D] [-v]`, spec section 2.2) plus
//! `-C CONFDIR`, `-H HOME`, a cartridge directory given as a positional argument,
//! `--json`, `--verify`, `--extract`, `--extract-block` and `--recover`.
//!
//! The human listing follows mhvtl 1.7's layout column for column (header lines, one `Hdr:`
//! line per index record, key lines for "encrypted" blocks, the `End of Data` line), with
//! three deliberate differences: the offset column is labelled `data_offset:` (as mhvtl
//! master) instead of `data:`, the UKAD of a block with a 32-byte key is shown with its real
//! first byte (mhvtl shows `00`), and v6 cartridges get a `Dumping partition k` line before
//! each partition. Unlike mhvtl, `-D` never loops or skips blocks, and `-l` is honoured.
//!
//! The binary only parses arguments and prints; reading the tape is libvtlcart's job.

mod cli;

use std::cell::RefCell;
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::FromArgMatches;
use cli::Cli;
use libvtlcart::cartridge::{Cartridge, Object, OpenOptionsCart};
use libvtlcart::error::CartError;
use libvtlcart::index::{FLAG_ENCRYPTED, IndexRecord, MAX_KEY_LEN, ObjectKind, TYPE_EOD};
use libvtlcart::layout::Format;
use libvtlcart::mam::field_str;
use libvtlcart::partition::RecoveryPlan;
use libvtlcart::{locate, tape_file};
use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Exit status: success.
const EXIT_OK: u8 = 0;
/// Exit status: the cartridge cannot be found or opened, bad arguments, I/O errors.
const EXIT_FAIL: u8 = 1;
/// Exit status: `--verify` (or `--extract`) met blocks that fail decompression or CRC.
const EXIT_BAD_BLOCKS: u8 = 3;

/// Why the run failed: exit status and the message for stderr (printed after `dump_tape: `).
#[derive(Debug)]
struct Failure {
    code: u8,
    msg: String,
    hint: Option<String>,
}

impl Failure {
    fn new(msg: impl Into<String>) -> Self {
        Failure {
            code: EXIT_FAIL,
            msg: msg.into(),
            hint: None,
        }
    }
}

impl From<CartError> for Failure {
    fn from(e: CartError) -> Self {
        Failure::new(e.to_string())
    }
}

/// Standard output went away (`dump_tape | head`): stop quietly.
const BROKEN_PIPE: &str = "\0broken pipe";

fn stdout_err(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure {
            code: EXIT_OK,
            msg: BROKEN_PIPE.into(),
            hint: None,
        }
    } else {
        Failure::new(format!("standard output: write: {e}"))
    }
}

/// Parse the command line with [`cli::command`] (the command the man page is made from).
fn parse_args() -> Result<Cli, clap::Error> {
    let mut cmd = cli::command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

fn main() -> ExitCode {
    let cli = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_FAIL } else { EXIT_OK });
        }
    };
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            if f.msg != BROKEN_PIPE {
                eprintln!("dump_tape: {}", f.msg);
                if let Some(h) = &f.hint {
                    eprintln!("dump_tape: {h}");
                }
            }
            ExitCode::from(f.code)
        }
    }
}

fn run(cli: &Cli) -> Result<u8, Failure> {
    let (pcl, dir) = locate(cli)?;
    if cli.recover {
        return recover(&dir, cli.dry_run);
    }
    let cart = open_read_only(&dir)?;
    if let Some(n) = cli.extract {
        return extract(&cart, cli.partition, Extract::TapeFile(n), output(cli));
    }
    if let Some(b) = cli.extract_block {
        return extract(&cart, cli.partition, Extract::Block(b), output(cli));
    }
    let state = RefCell::new(VerifyState::default());
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if cli.json {
        let doc = json_document(&pcl, &cart, cli.verify, &state);
        serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| {
            if e.is_io() {
                stdout_err(io::Error::from(e))
            } else {
                Failure::new(e.to_string())
            }
        })?;
        writeln!(out).map_err(stdout_err)?;
    } else {
        dump_text(&mut out, &cart, cli.verbose, cli.verify, &state)?;
    }
    out.flush().map_err(stdout_err)?;
    let st = state.into_inner();
    if !st.bad.is_empty() {
        eprintln!(
            "dump_tape: verify failed: {} of {} data blocks are bad",
            st.bad.len(),
            st.data_blocks
        );
        return Ok(EXIT_BAD_BLOCKS);
    }
    Ok(EXIT_OK)
}

fn output(cli: &Cli) -> &Path {
    cli.output.as_deref().expect("clap requires --output")
}

// ------------------------------------------------------------------------------ locating

/// Work out the cartridge directory (and the name to report as its PCL): the rules are
/// libvtlcart's [`locate`], shared by the media tools.
fn locate(cli: &Cli) -> Result<(String, PathBuf), Failure> {
    if let Some(dir) = &cli.dir {
        return Ok((locate::dir_name(dir), dir.clone()));
    }
    let pcl = cli.pcl.as_deref().expect("clap requires -m or DIR");
    let search = locate::Search {
        home: cli.home.as_deref(),
        library: cli.library,
        config_dir: cli.config_dir.as_deref(),
    };
    let dir = search
        .cartridge(pcl)
        .map_err(|e| Failure::new(e.to_string()))?;
    Ok((pcl.to_string(), dir))
}

/// Open for reading only. A damaged cartridge is reported with a pointer to `--recover`
/// when recovery can open it.
fn open_read_only(dir: &Path) -> Result<Cartridge, Failure> {
    match Cartridge::open(dir, &OpenOptionsCart::default()) {
        Ok(c) => Ok(c),
        Err(e @ CartError::Corrupt { .. }) => {
            let recoverable = Cartridge::open(
                dir,
                &OpenOptionsCart {
                    recover: true,
                    ..Default::default()
                },
            )
            .is_ok();
            let mut f = Failure::from(e);
            if recoverable {
                f.hint = Some(format!(
                    "the cartridge is damaged; `dump_tape --recover --dry-run {0}` shows what \
                     recovery would cut, `dump_tape --recover {0}` does it",
                    dir.display()
                ));
            }
            Err(f)
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------------------ verifying

/// A data block that failed to read.
#[derive(Debug, Clone)]
struct BadBlock {
    partition: u32,
    block: u32,
    data_offset: u64,
    file: PathBuf,
    reason: String,
}

impl fmt::Display for BadBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: bad block: partition {}, block {}, data offset {}: {}",
            self.file.display(),
            self.partition,
            self.block,
            self.data_offset,
            self.reason
        )
    }
}

/// What `--verify` found so far.
#[derive(Debug, Default)]
struct VerifyState {
    data_blocks: u64,
    no_payload: u64,
    bad: Vec<BadBlock>,
}

/// Result of reading one data block.
enum Checked {
    /// Read, decompressed and CRC-checked; SHA-256 of the payload when asked for and stored.
    Good(Option<String>),
    /// Failed.
    Bad(BadBlock),
}

/// Read the block of record `rec` through libvtlcart's read path and record the outcome.
///
/// Called for every record that is not a filemark: a record of a type mhvtl never writes
/// is reported as a bad (data) block, since nothing can be read from it.
fn check_block(
    cart: &Cartridge,
    part: u32,
    rec: &IndexRecord,
    want_hash: bool,
    buf: &mut Vec<u8>,
    state: &RefCell<VerifyState>,
) -> Checked {
    let block = rec.blk_number.get();
    let data_file = cart
        .partition(part)
        .map(|p| p.paths()[0].clone())
        .unwrap_or_default();
    let res = cart.read_at(part, block, buf);
    let mut st = state.borrow_mut();
    st.data_blocks += 1;
    let (file, reason) = match res {
        Ok(Object::Data(info)) => {
            if !info.payload_present {
                st.no_payload += 1;
                return Checked::Good(None);
            }
            let hash = want_hash.then(|| format!("{:x}", Sha256::digest(&buf[..])));
            return Checked::Good(hash);
        }
        Ok(Object::Filemark) => (
            data_file,
            "the index record changed to a filemark while reading".to_string(),
        ),
        Ok(Object::EndOfData) => (data_file, "the block is past end of data".to_string()),
        Err(CartError::BadBlock { file, what, .. }) => (file, what),
        Err(CartError::Corrupt { file, offset, what }) => {
            (file, format!("corrupt at offset {offset}: expected {what}"))
        }
        Err(CartError::Io { path, op, source }) => (path, format!("{op}: {source}")),
        Err(e) => (data_file, e.to_string()),
    };
    let bad = BadBlock {
        partition: part,
        block,
        data_offset: rec.offset(),
        file,
        reason,
    };
    eprintln!("dump_tape: {bad}");
    st.bad.push(bad.clone());
    Checked::Bad(bad)
}

// ------------------------------------------------------------------------------ text

/// mhvtl's unit multiplier: divide by 1024 while the value exceeds 5121.
fn human(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["", "K", "M", "G", "T", "P", "E"];
    let mut v = bytes;
    let mut i = 0;
    while v > 5121 && i + 1 < UNITS.len() {
        v /= 1024;
        i += 1;
    }
    format!("{bytes} ({v} {}Bytes)", UNITS[i])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key bytes of a field, at most 32 even if the stored length says more.
fn key_field(field: &[u8; 32], len: u32) -> &[u8] {
    &field[..(len as usize).min(MAX_KEY_LEN)]
}

/// One `Hdr:` line in mhvtl 1.7's column layout (`data_offset:` as master labels it).
#[allow(clippy::too_many_arguments)]
fn hdr_line(
    what: &str,
    blk_type: u32,
    flags: u32,
    stored: u32,
    size: u32,
    block: u32,
    data_offset: i64,
    crc: u32,
) -> String {
    format!(
        "Hdr:{what:<32}(0x{blk_type:02x}/0x{flags:02x}), sz: {stored:6}/{size:<6}, \
         Blk No.: {block:7}, data_offset: {data_offset:10}, CRC: {crc:08x}"
    )
}

fn record_lines(out: &mut impl Write, r: &IndexRecord) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        hdr_line(
            &r.describe(),
            r.blk_type.get(),
            r.blk_flags.get(),
            r.disk_blk_size.get(),
            r.blk_size.get(),
            r.blk_number.get(),
            r.data_offset.get(),
            r.uncomp_crc.get(),
        )
    )?;
    if r.kind() == Some(ObjectKind::Data) && r.blk_flags.get() & FLAG_ENCRYPTED != 0 {
        let (k, u, a) = (r.key_length.get(), r.ukad_length.get(), r.akad_length.get());
        writeln!(
            out,
            "   => Encr key length {k}, ukad length {u}, akad length {a}"
        )?;
        if k > 0 {
            writeln!(out, "         Key : {}", hex(key_field(&r.key, k)))?;
        }
        if u > 0 {
            writeln!(out, "        Ukad : {:>32}", hex(key_field(&r.ukad, u)))?;
        }
        if a > 0 {
            writeln!(out, "        Akad : {:>32}", hex(key_field(&r.akad, a)))?;
        }
    }
    Ok(())
}

fn media_header(out: &mut impl Write, cart: &Cartridge) -> io::Result<()> {
    let m = cart.mam();
    let b = &m.base;
    writeln!(out, "Media density code: 0x{:02x}", b.medium_density_code)?;
    writeln!(out, "Media type code   : 0x{:02x}", b.media_type)?;
    writeln!(out, "Media description : {}", field_str(&b.description))?;
    writeln!(out, "Tape Capacity     : {}", human(b.max_capacity.get()))?;
    writeln!(
        out,
        "Media type        : {}",
        m.medium_type().dump_description()
    )?;
    writeln!(
        out,
        "Media             : {}",
        if m.write_protected() {
            "Write-protected"
        } else {
            "read-write"
        }
    )?;
    writeln!(
        out,
        "Remaining Tape Capacity : {}",
        human(b.remaining_capacity.get())
    )
}

/// The human listing of every partition.
fn dump_text(
    out: &mut impl Write,
    cart: &Cartridge,
    verbose: bool,
    verify: bool,
    state: &RefCell<VerifyState>,
) -> Result<(), Failure> {
    let v6 = cart.format() == Format::V6;
    let mut buf = Vec::new();
    for n in 0..cart.partition_count() {
        let p = cart.partition(n).expect("partition below count");
        if v6 {
            writeln!(out, "Dumping partition {n}").map_err(stdout_err)?;
        }
        if n == 0 {
            media_header(out, cart).map_err(stdout_err)?;
        }
        writeln!(out, "Total num of filemarks: {}", p.filemarks().len()).map_err(stdout_err)?;
        if verbose {
            writeln!(out, "Dumping filemark meta info").map_err(stdout_err)?;
            for f in p.filemarks() {
                writeln!(out, "Filemark: {f}").map_err(stdout_err)?;
            }
        }
        for blk in 0..p.eod() {
            let r = cart.record(n, blk)?;
            record_lines(out, &r).map_err(stdout_err)?;
            if verify && r.kind() != Some(ObjectKind::Filemark) {
                check_block(cart, n, &r, false, &mut buf, state);
            }
        }
        let eod_line = hdr_line(
            "End of Data",
            TYPE_EOD,
            0,
            0,
            0,
            p.eod(),
            p.eod_data_offset() as i64,
            0,
        );
        writeln!(out, "{eod_line}").map_err(stdout_err)?;
    }
    if verify {
        let st = state.borrow();
        let note = if st.no_payload > 0 {
            format!(
                " ({} on NULL media store no payload and were not checked)",
                st.no_payload
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "Verified {} data blocks: {} bad{note}",
            st.data_blocks,
            st.bad.len()
        )
        .map_err(stdout_err)?;
    }
    Ok(())
}

// ------------------------------------------------------------------------------ JSON

/// The whole document of `--json`.
#[derive(Serialize)]
struct DumpJson<'a> {
    pcl: String,
    directory: String,
    format: &'static str,
    tape_format_version: u32,
    mam_format_version: u32,
    mam: MamJson,
    partitions: Vec<PartitionJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify: Option<VerifySummary<'a>>,
}

/// MAM fields of `--json`.
#[derive(Serialize)]
struct MamJson {
    medium_type: u8,
    medium_type_name: &'static str,
    media_type: u8,
    media_type_name: String,
    density_code: u8,
    formatted_density_code: u8,
    max_capacity: u64,
    remaining_capacity: u64,
    write_protected: bool,
    flags: u16,
    barcode: String,
    serial: String,
    description: String,
    density_name: String,
    load_count: u64,
    medium_manufacturer: String,
    medium_manufacture_date: String,
    application_vendor: String,
    application_version: String,
    mam_capacity: u64,
    mam_space_remaining: u64,
    max_partitions: u8,
    num_partitions: u8,
    record_dirty: u8,
}

/// One partition of `--json`.
#[derive(Serialize)]
struct PartitionJson<'a> {
    number: u32,
    data_file: String,
    capacity: u64,
    filemarks: Vec<u32>,
    eod: u32,
    eod_data_offset: u64,
    records: RecordsJson<'a>,
}

/// One index record of `--json`.
#[derive(Serialize)]
struct RecordJson {
    block: u32,
    kind: &'static str,
    #[serde(rename = "type")]
    blk_type: u32,
    flags: u32,
    size: u32,
    stored_size: u32,
    crc: String,
    data_offset: i64,
    key_length: u32,
    ukad_length: u32,
    akad_length: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ukad: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    akad: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// The records of a partition, read from the index while they are serialized (so a tape
/// with millions of blocks is never held in memory).
struct RecordsJson<'a> {
    cart: &'a Cartridge,
    part: u32,
    eod: u32,
    verify: bool,
    state: &'a RefCell<VerifyState>,
}

impl Serialize for RecordsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.eod as usize))?;
        let mut buf = Vec::new();
        for blk in 0..self.eod {
            let r = self.cart.record(self.part, blk).map_err(S::Error::custom)?;
            let mut j = record_json(&r);
            if self.verify && r.kind() != Some(ObjectKind::Filemark) {
                match check_block(self.cart, self.part, &r, true, &mut buf, self.state) {
                    Checked::Good(h) => j.sha256 = h,
                    Checked::Bad(b) => j.error = Some(b.reason),
                }
            }
            seq.serialize_element(&j)?;
        }
        seq.end()
    }
}

/// `"verify"` of `--json`: filled in after the partitions were serialized (and read).
struct VerifySummary<'a>(&'a RefCell<VerifyState>);

impl Serialize for VerifySummary<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Bad<'b> {
            partition: u32,
            block: u32,
            data_offset: u64,
            file: String,
            reason: &'b str,
        }
        #[derive(Serialize)]
        struct Summary<'b> {
            data_blocks: u64,
            without_payload: u64,
            bad_blocks: Vec<Bad<'b>>,
        }
        let st = self.0.borrow();
        Summary {
            data_blocks: st.data_blocks,
            without_payload: st.no_payload,
            bad_blocks: st
                .bad
                .iter()
                .map(|b| Bad {
                    partition: b.partition,
                    block: b.block,
                    data_offset: b.data_offset,
                    file: b.file.display().to_string(),
                    reason: &b.reason,
                })
                .collect(),
        }
        .serialize(s)
    }
}

fn record_json(r: &IndexRecord) -> RecordJson {
    let kind = match r.kind() {
        Some(ObjectKind::Data) => "data",
        Some(ObjectKind::Filemark) => "filemark",
        None => "unknown",
    };
    let enc = r.kind() == Some(ObjectKind::Data) && r.blk_flags.get() & FLAG_ENCRYPTED != 0;
    let field = |f: &[u8; 32], len: u32| enc.then(|| hex(key_field(f, len)));
    RecordJson {
        block: r.blk_number.get(),
        kind,
        blk_type: r.blk_type.get(),
        flags: r.blk_flags.get(),
        size: r.blk_size.get(),
        stored_size: r.disk_blk_size.get(),
        crc: format!("{:08x}", r.uncomp_crc.get()),
        data_offset: r.data_offset.get(),
        key_length: r.key_length.get(),
        ukad_length: r.ukad_length.get(),
        akad_length: r.akad_length.get(),
        key: field(&r.key, r.key_length.get()),
        ukad: field(&r.ukad, r.ukad_length.get()),
        akad: field(&r.akad, r.akad_length.get()),
        sha256: None,
        error: None,
    }
}

fn json_document<'a>(
    pcl: &str,
    cart: &'a Cartridge,
    verify: bool,
    state: &'a RefCell<VerifyState>,
) -> DumpJson<'a> {
    let m = cart.mam();
    let b = &m.base;
    let mam = MamJson {
        medium_type: b.medium_type,
        medium_type_name: m.medium_type().name(),
        media_type: b.media_type,
        media_type_name: m.media_type().to_string(),
        density_code: b.medium_density_code,
        formatted_density_code: b.formatted_density_code,
        max_capacity: b.max_capacity.get(),
        remaining_capacity: b.remaining_capacity.get(),
        write_protected: m.write_protected(),
        flags: m.flags(),
        barcode: m.barcode(),
        serial: field_str(&b.medium_serial_number),
        description: field_str(&b.description),
        density_name: field_str(&b.density_name),
        load_count: b.load_count.get(),
        medium_manufacturer: field_str(&b.medium_manufacturer),
        medium_manufacture_date: field_str(&b.medium_manufacture_date),
        application_vendor: field_str(&b.application_vendor),
        application_version: field_str(&b.application_version),
        mam_capacity: b.mam_capacity.get(),
        mam_space_remaining: b.mam_space_remaining.get(),
        max_partitions: b.max_partitions,
        num_partitions: b.num_partitions,
        record_dirty: b.record_dirty,
    };
    let partitions = (0..cart.partition_count())
        .map(|n| {
            let p = cart.partition(n).expect("partition below count");
            PartitionJson {
                number: n,
                data_file: p.paths()[0].display().to_string(),
                capacity: cart.capacity(n),
                filemarks: p.filemarks().to_vec(),
                eod: p.eod(),
                eod_data_offset: p.eod_data_offset(),
                records: RecordsJson {
                    cart,
                    part: n,
                    eod: p.eod(),
                    verify,
                    state,
                },
            }
        })
        .collect();
    DumpJson {
        pcl: pcl.to_string(),
        directory: cart.dir().display().to_string(),
        format: cart.format().name(),
        tape_format_version: b.tape_fmt_version.get(),
        mam_format_version: b.mam_fmt_version.get(),
        mam,
        partitions,
        verify: verify.then_some(VerifySummary(state)),
    }
}

// ------------------------------------------------------------------------------ extract

/// What `--extract` / `--extract-block` writes.
#[derive(Debug, Clone, Copy)]
enum Extract {
    TapeFile(u32),
    Block(u32),
}

/// Where extracted bytes go: a file (removed again on failure) or standard output.
enum Sink {
    File(PathBuf, BufWriter<File>),
    Stdout(io::Stdout),
}

impl Sink {
    fn open(path: &Path) -> Result<Sink, Failure> {
        if path == Path::new("-") {
            return Ok(Sink::Stdout(io::stdout()));
        }
        let f = File::create(path)
            .map_err(|e| Failure::new(format!("{}: create: {e}", path.display())))?;
        Ok(Sink::File(path.to_path_buf(), BufWriter::new(f)))
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        match self {
            Sink::File(p, w) => w
                .write_all(bytes)
                .map_err(|e| Failure::new(format!("{}: write: {e}", p.display()))),
            Sink::Stdout(s) => s.lock().write_all(bytes).map_err(stdout_err),
        }
    }

    fn finish(self) -> Result<(), Failure> {
        match self {
            Sink::File(p, w) => {
                let f = w
                    .into_inner()
                    .map_err(|e| Failure::new(format!("{}: write: {}", p.display(), e.error())))?;
                f.sync_all()
                    .map_err(|e| Failure::new(format!("{}: fsync: {e}", p.display())))
            }
            Sink::Stdout(s) => s.lock().flush().map_err(stdout_err),
        }
    }

    fn discard(self) {
        if let Sink::File(p, w) = self {
            drop(w);
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Creating the output truncates it: never let that be one of the cartridge's own files.
fn refuse_output_inside(dir: &Path, out: &Path) -> Result<(), Failure> {
    if out == Path::new("-") {
        return Ok(());
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (parent.canonicalize(), dir.canonicalize()) {
        (Ok(a), Ok(b)) if a == b => Err(Failure::new(format!(
            "{}: refusing to write into the cartridge directory {}",
            out.display(),
            dir.display()
        ))),
        _ => Ok(()),
    }
}

fn extract(cart: &Cartridge, part: u32, what: Extract, path: &Path) -> Result<u8, Failure> {
    let p = cart.partition(part).ok_or_else(|| {
        Failure::new(format!(
            "{}: partition {part} does not exist (the cartridge has {})",
            cart.dir().display(),
            cart.partition_count()
        ))
    })?;
    let blocks = match what {
        Extract::TapeFile(n) => {
            tape_file::tape_file_blocks(p.filemarks(), p.eod(), n).ok_or_else(|| {
                Failure::new(format!(
                    "{}: partition {part} has no tape file {n} (it holds {} tape files)",
                    cart.dir().display(),
                    tape_file::tape_file_count(p.filemarks(), p.eod())
                ))
            })?
        }
        Extract::Block(b) if b < p.eod() => b..b + 1,
        Extract::Block(b) => {
            return Err(Failure::new(format!(
                "{}: block {b} is at or past end of data (block {}) of partition {part}",
                cart.dir().display(),
                p.eod()
            )));
        }
    };
    refuse_output_inside(cart.dir(), path)?;
    let mut sink = Sink::open(path)?;
    let mut buf = Vec::new();
    let mut total = 0u64;
    for blk in blocks.clone() {
        let res = match cart.read_at(part, blk, &mut buf) {
            Ok(Object::Data(info)) if !info.payload_present => Err(Failure::new(format!(
                "{}: block {blk}: NULL cartridge, no data was stored",
                cart.dir().display()
            ))),
            Ok(Object::Data(_)) => sink.write(&buf).map(|()| total += buf.len() as u64),
            Ok(Object::Filemark) => Err(Failure::new(format!(
                "{}: partition {part} block {blk} is a filemark, not a data block",
                cart.dir().display()
            ))),
            Ok(Object::EndOfData) => Err(Failure::new(format!(
                "{}: block {blk} is past end of data",
                cart.dir().display()
            ))),
            Err(e @ CartError::BadBlock { .. }) => Err(Failure {
                code: EXIT_BAD_BLOCKS,
                msg: format!("partition {part}: {e}"),
                hint: None,
            }),
            Err(e) => Err(e.into()),
        };
        if let Err(f) = res {
            sink.discard();
            return Err(f);
        }
    }
    let to_stdout = matches!(sink, Sink::Stdout(_));
    sink.finish()?;
    if !to_stdout {
        let what = match what {
            Extract::TapeFile(n) => {
                format!("tape file {n}, blocks {}..{}", blocks.start, blocks.end)
            }
            Extract::Block(b) => format!("block {b}"),
        };
        println!(
            "Wrote {total} bytes ({what} of partition {part}) to {}",
            path.display()
        );
    }
    Ok(EXIT_OK)
}

// ------------------------------------------------------------------------------ recover

fn print_plan(out: &mut impl Write, plan: &RecoveryPlan) -> io::Result<()> {
    let n = plan.partition;
    if plan.is_clean() {
        return writeln!(out, "Partition {n}: no damage");
    }
    writeln!(out, "Partition {n}: damaged")?;
    // One entry per dropped record: a data file cut short under a long index lists many.
    const SHOWN: usize = 20;
    for d in plan.damage.iter().take(SHOWN) {
        writeln!(out, "  damage: {d}")?;
    }
    if plan.damage.len() > SHOWN {
        writeln!(
            out,
            "  damage: ... and {} more records past the last intact object",
            plan.damage.len() - SHOWN
        )?;
    }
    let dropped = plan
        .objects_before
        .saturating_sub(u64::from(plan.keep_objects));
    writeln!(
        out,
        "  objects: keep {} of {} (drop {dropped}; the new end of data is block {})",
        plan.keep_objects, plan.objects_before, plan.keep_objects
    )?;
    writeln!(
        out,
        "  index bytes: {} -> {}",
        plan.index_bytes.0, plan.index_bytes.1
    )?;
    writeln!(
        out,
        "  data bytes: {} -> {}",
        plan.data_bytes.0, plan.data_bytes.1
    )?;
    writeln!(
        out,
        "  filemarks: {:?} -> {:?}",
        plan.filemarks_before, plan.filemarks_after
    )
}

fn recover(dir: &Path, dry_run: bool) -> Result<u8, Failure> {
    match Cartridge::open(dir, &OpenOptionsCart::default()) {
        Ok(_) => {
            println!("{}: no damage found, nothing to recover", dir.display());
            return Ok(EXIT_OK);
        }
        Err(CartError::Corrupt { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    let opts = OpenOptionsCart {
        write: !dry_run,
        recover: true,
        ..Default::default()
    };
    let mut cart = Cartridge::open(dir, &opts).map_err(|e| {
        Failure::new(format!(
            "{e} (the damage is not in a part that recovery can cut away)"
        ))
    })?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "Recovery plan for {}:", dir.display()).map_err(stdout_err)?;
    for plan in cart.recovery_plans() {
        print_plan(&mut out, plan).map_err(stdout_err)?;
    }
    if dry_run {
        writeln!(out, "Dry run: nothing was changed.").map_err(stdout_err)?;
        return Ok(EXIT_OK);
    }
    cart.apply_recovery()?;
    cart.unload()?;
    // Prove the result loads cleanly.
    Cartridge::open(dir, &OpenOptionsCart::default()).map_err(|e| {
        Failure::new(format!(
            "recovery was applied but the cartridge still does not load: {e}"
        ))
    })?;
    writeln!(
        out,
        "Recovered: {} now loads without errors.",
        dir.display()
    )
    .map_err(stdout_err)?;
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_follow_mhvtl() {
        assert_eq!(human(104_857_600), "104857600 (100 MBytes)");
        assert_eq!(human(8_388_608_000), "8388608000 (7 GBytes)");
        assert_eq!(human(12_000_000_000_000), "12000000000000 (10 TBytes)");
        assert_eq!(human(5121), "5121 (5121 Bytes)");
        assert_eq!(human(5122), "5122 (5 KBytes)");
        assert_eq!(human(u64::MAX), "18446744073709551615 (15 EBytes)");
    }

    #[test]
    fn hdr_columns() {
        assert_eq!(
            hdr_line(
                "lzoCompressed with crc",
                11,
                12,
                811,
                4096,
                1,
                1000,
                0x9b5a93db
            ),
            "Hdr:lzoCompressed with crc          (0x0b/0x0c), sz:    811/4096  , \
             Blk No.:       1, data_offset:       1000, CRC: 9b5a93db"
        );
    }

    #[test]
    fn cli_is_consistent() {
        cli::command().debug_assert();
    }
}
