//! preload_tape: write files onto virtual tape cartridges.
//!
//! mhvtl's command line (`preload_tape -m PCL -F FILE -b BLOCKSIZE -c NONE|LZO|ZLIB [-l LIB]
//! [-v] [-d]`, spec section 2.2) with the same result on disk, plus `-H HOME`, `-C CONFDIR`,
//! a cartridge directory instead of `-m`, several `-F` (one tape file each), `-F -` for
//! standard input, `--append`, `--plan`, `--create`, `--json` and a progress bar. The tape
//! work is in this crate's library (`preload_tape::preload`); this file parses, finds the
//! cartridges and reports.

mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::FromArgMatches;
use cli::{Cli, FormatArg};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use libvtlcart::locate::{self, Search};
use libvtlcart::{
    CartError, Cartridge, CreateSpec, Density, Format, Mam, MediumType, NewMam, validate_pcl,
};
use preload_tape::plan::{self, parse_block_size, parse_compression};
use preload_tape::{
    Input, PreloadOptions, Progress, Refusal, Stop, TapeReport, WriteSpec, default_threads,
};
use serde_json::{Value, json};

/// Exit status: every input is on its tape.
const EXIT_OK: u8 = 0;
/// Exit status: usage or argument error; nothing was written.
const EXIT_USAGE: u8 = 1;
/// Exit status: a cartridge cannot be found, opened, created or written; an input cannot be
/// read.
const EXIT_FAIL: u8 = 2;
/// Exit status: the input does not fit; nothing was written to that cartridge.
const EXIT_NO_FIT: u8 = 3;
/// Exit status: the medium filled while writing; a tape file is incomplete or inputs were
/// not written.
const EXIT_FULL: u8 = 4;

/// A failure with its exit status.
#[derive(Debug)]
struct Failure {
    code: u8,
    msg: String,
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_USAGE,
        msg: msg.into(),
    }
}

fn fail(msg: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_FAIL,
        msg: msg.into(),
    }
}

/// One tape to write, fully checked.
struct Job {
    /// Name for messages (the PCL, or the directory's name).
    pcl: String,
    dir: PathBuf,
    /// Create the cartridge first (it is missing and --create was given).
    create: bool,
    inputs: Vec<Input>,
    spec: WriteSpec,
    append: bool,
}

/// What to do when the cartridge is missing.
struct CreateArgs {
    density: &'static Density,
    format: Format,
    capacity: u64,
}

/// The command line [`cli::command`] describes, with `-b`'s parser (which accepts K and M
/// suffixes) from this crate's library attached; it changes neither `--help` nor the man page.
fn command() -> clap::Command {
    cli::command().mut_arg("block_size", |a| a.value_parser(parse_block_size))
}

/// Parse the command line with [`command`].
fn parse_args() -> Result<Cli, clap::Error> {
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(std::env::args_os())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

fn main() -> ExitCode {
    let cli = match parse_args() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let (code, doc) = match run(&cli) {
        Ok(r) => r,
        Err(f) => {
            eprintln!("preload_tape: {}", f.msg);
            (
                f.code,
                json!({ "tapes": [], "error": f.msg, "exit_code": f.code }),
            )
        }
    };
    if cli.json {
        println!("{}", serde_json::to_string_pretty(&doc).expect("json"));
    }
    ExitCode::from(code)
}

fn create_args(cli: &Cli) -> Result<Option<CreateArgs>, Failure> {
    let Some(d) = &cli.create else {
        return Ok(None);
    };
    let density = Density::lookup(d).ok_or_else(|| {
        usage(format!(
            "--create: '{d}' is not a known density; known: {}",
            Density::names().collect::<Vec<_>>().join(", ")
        ))
    })?;
    let capacity = match cli.create_size {
        Some(0) => return Err(usage("--create-size: the capacity must be at least 1 MiB")),
        Some(mb) => mb
            .checked_mul(1 << 20)
            .ok_or_else(|| usage(format!("--create-size {mb}: too large")))?,
        None => density.native_bytes,
    };
    let format = match cli.format {
        FormatArg::Legacy => Format::Legacy,
        FormatArg::V6 => Format::V6,
    };
    Ok(Some(CreateArgs {
        density,
        format,
        capacity,
    }))
}

/// Build the inputs of one tape; `stdin_used` enforces a single `-` per run.
fn inputs(files: &[PathBuf], stdin_used: &mut bool) -> Result<Vec<Input>, Failure> {
    let mut v = Vec::with_capacity(files.len());
    for f in files {
        if f.as_os_str() == "-" {
            if std::mem::replace(stdin_used, true) {
                return Err(usage("-F -: standard input can be read only once per run"));
            }
            v.push(Input::stdin().map_err(|e| usage(format!("standard input: {e}")))?);
        } else {
            v.push(Input::file(f).map_err(|e| usage(format!("{}: {e}", f.display())))?);
        }
    }
    Ok(v)
}

/// The cartridge directory for `pcl` and whether it must be created.
fn place(
    search: &Search<'_>,
    pcl: &str,
    create: Option<&CreateArgs>,
) -> Result<(PathBuf, bool), Failure> {
    validate_pcl(pcl).map_err(|e| usage(e.to_string()))?;
    match search.cartridge(pcl) {
        Ok(dir) if dir.exists() => Ok((dir, false)),
        Ok(dir) if create.is_some() => Ok((dir, true)),
        Ok(dir) => Err(fail(format!(
            "{}: no such cartridge (make it with mktape, or give --create DENSITY)",
            dir.display()
        ))),
        Err(locate::LocateError::NotFound { .. }) if create.is_some() => {
            let home = search.media_home().map_err(|_| {
                usage(format!(
                    "cartridge {pcl} does not exist and --create needs to know where to make \
                     it: give -H HOME or -l LIB"
                ))
            })?;
            Ok((home.join(pcl), true))
        }
        Err(e) => Err(fail(e.to_string())),
    }
}

/// Check everything the command line and the plan say, before any tape is touched.
fn jobs(cli: &Cli, create: Option<&CreateArgs>) -> Result<Vec<Job>, Failure> {
    let threads = match cli.threads {
        Some(0) => return Err(usage("--threads: at least 1")),
        Some(n) => n,
        None => default_threads(),
    };
    let search = Search {
        home: cli.home.as_deref(),
        library: cli.library,
        config_dir: cli.config_dir.as_deref(),
    };
    let mut stdin_used = false;
    if let Some(p) = &cli.plan {
        let entries = plan::read_plan(p).map_err(usage)?;
        let mut out = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let ctx = |m: String| usage(format!("{} entry {i} ({}): {m}", p.display(), e.pcl));
            let block_size = e.block_size.bytes().map_err(ctx)?;
            let compression = parse_compression(
                e.compression.as_deref().unwrap_or("NONE"),
                e.zlib_level.unwrap_or(cli.zlib_level),
            )
            .map_err(ctx)?;
            let (dir, create_it) = place(&search, &e.pcl, create).map_err(|f| Failure {
                msg: format!("{} entry {i}: {}", p.display(), f.msg),
                ..f
            })?;
            out.push(Job {
                pcl: e.pcl.clone(),
                dir,
                create: create_it,
                inputs: inputs(&e.files, &mut stdin_used)?,
                spec: WriteSpec {
                    block_size,
                    compression,
                    threads,
                },
                append: e.append.unwrap_or(cli.append),
            });
        }
        return Ok(out);
    }
    let compression = parse_compression(&cli.compression, cli.zlib_level).map_err(usage)?;
    let block_size = cli.block_size.expect("clap requires -b without --plan");
    let (pcl, dir, create_it) = if let Some(dir) = &cli.dir {
        let name = locate::dir_name(dir);
        let missing = !dir.exists();
        if missing && create.is_none() {
            return Err(fail(format!(
                "{}: no such cartridge directory (make it with mktape, or give --create DENSITY)",
                dir.display()
            )));
        }
        (name, dir.clone(), missing)
    } else {
        let pcl = cli.pcl.clone().expect("clap requires -m, DIR or --plan");
        let (dir, c) = place(&search, &pcl, create)?;
        (pcl, dir, c)
    };
    Ok(vec![Job {
        pcl,
        dir,
        create: create_it,
        inputs: inputs(&cli.files, &mut stdin_used)?,
        spec: WriteSpec {
            block_size,
            compression,
            threads,
        },
        append: cli.append,
    }])
}

fn run(cli: &Cli) -> Result<(u8, Value), Failure> {
    let create = create_args(cli)?;
    let jobs = jobs(cli, create.as_ref())?;
    let verbose = cli.verbose > 0 || cli.debug;
    let draw = !cli.no_progress && std::io::stderr().is_terminal();
    let mut worst = EXIT_OK;
    let mut tapes = Vec::new();
    for job in jobs {
        let (code, doc) = run_job(cli, job, create.as_ref(), verbose, draw);
        worst = worst.max(code);
        tapes.push(doc);
    }
    Ok((worst, json!({ "tapes": tapes, "exit_code": worst })))
}

fn make_cartridge(job: &Job, c: &CreateArgs) -> Result<(), Failure> {
    let name = job
        .dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    validate_pcl(&name).map_err(|e| usage(format!("--create: {e}")))?;
    if let Some(parent) = job.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| {
            fail(format!(
                "{}: cannot create media home: {e}",
                parent.display()
            ))
        })?;
    }
    let mam = Mam::new_cartridge(&NewMam {
        pcl: &name,
        density: c.density,
        medium_type: MediumType::Data,
        capacity: c.capacity,
        epoch: libvtlcart::source_date_epoch(),
        v6: c.format == Format::V6,
        application_vendor: libvtlcart::application_vendor(),
    });
    Cartridge::create(
        &job.dir,
        &CreateSpec {
            format: c.format,
            mam,
            force: false,
        },
    )
    .map_err(|e| fail(e.to_string()))
}

/// Write one tape; returns its exit status and its JSON summary (messages go to stderr).
fn run_job(
    cli: &Cli,
    job: Job,
    create: Option<&CreateArgs>,
    verbose: bool,
    draw: bool,
) -> (u8, Value) {
    let pcl = job.pcl.clone();
    let mut doc = json!({
        "pcl": pcl,
        "path": job.dir,
        "created": false,
        "tape_files": [],
        "not_written": [],
        "bytes_in": 0,
        "bytes_stored": 0,
        "blocks": 0,
        "elapsed_s": 0.0,
        "early_warning": false,
        "closed_open_tape_file": null,
        "error": null,
        "exit_code": 0,
    });
    let finish = |mut doc: Value, code: u8, msg: Option<String>| {
        if let Some(m) = &msg {
            eprintln!("preload_tape: {pcl}: {m}");
            doc["error"] = json!(m);
        }
        doc["exit_code"] = json!(code);
        (code, doc)
    };
    if let Some(c) = create.filter(|_| job.create) {
        if let Err(f) = make_cartridge(&job, c) {
            return finish(doc, f.code, Some(f.msg));
        }
        doc["created"] = json!(true);
        if verbose && !cli.json {
            println!("{pcl}: created {}", job.dir.display());
        }
    }
    let n_inputs = job.inputs.len();
    let total: Option<u64> = job.inputs.iter().map(Input::size).sum();
    let bar = progress_bar(&pcl, total, draw);
    let mut on_progress = |p: Progress| {
        bar.set_position(p.bytes_in);
        let ratio = if p.bytes_stored > 0 {
            format!("ratio {:.2}:1", p.bytes_in as f64 / p.bytes_stored as f64)
        } else {
            String::new()
        };
        if n_inputs > 1 {
            bar.set_message(format!("file {}/{n_inputs} {ratio}", p.input + 1));
        } else {
            bar.set_message(ratio);
        }
    };
    let opts = PreloadOptions {
        append: job.append,
        force_fit: cli.force_fit,
    };
    let res = preload_tape::preload(&job.dir, job.inputs, &job.spec, &opts, &mut on_progress);
    bar.finish_and_clear();
    let report = match res {
        Ok(r) => r,
        Err(refusal) => {
            let code = match refusal {
                Refusal::DoesNotFit { .. } => EXIT_NO_FIT,
                _ => EXIT_FAIL,
            };
            return finish(doc, code, Some(refusal_message(&job.dir, refusal)));
        }
    };
    fill_doc(&mut doc, &report);
    if verbose && !cli.json {
        print_verbose(&pcl, &report);
    }
    let (code, msg) = outcome(&report);
    finish(doc, code, msg)
}

/// The message for a preload that did not start: who holds a locked cartridge, a pointer to
/// `dump_tape --recover` for a damaged one.
fn refusal_message(dir: &std::path::Path, r: Refusal) -> String {
    match r {
        Refusal::Open(e @ CartError::Corrupt { .. }) => format!(
            "{e} (the cartridge is damaged; `dump_tape --recover {}` repairs it)",
            dir.display()
        ),
        r => r.to_string(),
    }
}

fn progress_bar(pcl: &str, total: Option<u64>, draw: bool) -> ProgressBar {
    if !draw {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if total.is_some() {
        "{prefix} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}"
    } else {
        "{prefix} {spinner} {bytes} {binary_bytes_per_sec} {msg} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(pcl.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn fill_doc(doc: &mut Value, r: &TapeReport) {
    doc["tape_files"] = json!(r.write.files);
    doc["not_written"] = json!(r.write.not_written);
    doc["bytes_in"] = json!(r.bytes_in());
    doc["bytes_stored"] = json!(r.bytes_stored());
    doc["blocks"] = json!(r.blocks());
    doc["elapsed_s"] = json!((r.elapsed_s * 1000.0).round() / 1000.0);
    doc["early_warning"] = json!(r.early_warning);
    doc["closed_open_tape_file"] = json!(r.closed_open_file);
}

fn print_verbose(pcl: &str, r: &TapeReport) {
    if let Some(n) = r.closed_open_file {
        println!("{pcl}: tape file {n} had no filemark; closed it with one before appending");
    }
    for f in &r.write.files {
        println!(
            "{pcl}: tape file {}: {}: {}, {} bytes, {} stored{}",
            f.number,
            f.file,
            plural(f.blocks, "block"),
            f.bytes_in,
            f.bytes_stored,
            if f.complete { "" } else { " (INCOMPLETE)" }
        );
    }
    let secs = r.elapsed_s.max(1e-9);
    println!(
        "{pcl}: {}, {} bytes in, {} bytes stored, {} in {:.3} s ({:.1} MiB/s)",
        plural(r.write.files.len() as u64, "tape file"),
        r.bytes_in(),
        r.bytes_stored(),
        plural(r.blocks(), "block"),
        r.elapsed_s,
        r.bytes_in() as f64 / secs / (1 << 20) as f64
    );
}

/// `1 block`, `2 blocks`.
fn plural(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Exit status and message of a preload that ran.
fn outcome(r: &TapeReport) -> (u8, Option<String>) {
    let unload = r
        .unload_error
        .as_ref()
        .map(|e| format!("unload (MAM statistics not written): {e}"));
    let Some(stop) = &r.write.stop else {
        return match unload {
            Some(m) => (EXIT_FAIL, Some(m)),
            None => (EXIT_OK, None),
        };
    };
    let code = match stop {
        Stop::EarlyWarning | Stop::EndOfMedium(_) => EXIT_FULL,
        Stop::Input { .. } | Stop::Tape(_) => EXIT_FAIL,
    };
    let mut msg = match stop {
        Stop::EarlyWarning => "stopped at early warning (the tape is nearly full)".to_string(),
        Stop::EndOfMedium(e) => format!("stopped: {e}"),
        Stop::Input { .. } | Stop::Tape(_) => format!("stopped: {stop}"),
    };
    if let Some(f) = r.write.files.last().filter(|f| !f.complete) {
        msg.push_str(&format!(
            "; tape file {} ({}) is INCOMPLETE: only its first {} bytes ({}) were written{}",
            f.number,
            f.file,
            f.bytes_in,
            plural(f.blocks, "block"),
            if matches!(stop, Stop::Tape(_)) {
                ""
            } else {
                ", closed with a filemark"
            }
        ));
    }
    if !r.write.not_written.is_empty() {
        msg.push_str(&format!(
            "; not written: {}",
            r.write.not_written.join(", ")
        ));
    }
    let done = r.write.files.iter().filter(|f| f.complete).count();
    if done > 0 {
        msg.push_str(&format!(
            "; {done} complete tape files written before it are intact"
        ));
    }
    if let Some(u) = unload {
        msg.push_str(&format!("; {u}"));
    }
    (code, Some(msg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn block_size_parser_leaves_help_unchanged() {
        // The man page is made from cli::command(); the program parses with command().
        assert_eq!(
            command().render_long_help().to_string(),
            cli::command().render_long_help().to_string()
        );
        let m = command()
            .try_get_matches_from(["preload_tape", "-m", "X", "-F", "f", "-b", "64K"])
            .unwrap();
        assert_eq!(Cli::from_arg_matches(&m).unwrap().block_size, Some(65536));
    }

    #[test]
    fn compression_names_any_case() {
        use libvtlcart::Compression;
        assert_eq!(parse_compression("Lzo", 1), Ok(Compression::Lzo));
    }
}
