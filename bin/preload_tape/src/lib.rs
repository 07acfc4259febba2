//! preload_tape as a library: write files onto a virtual tape cartridge as a drive would.
//!
//! The binary (`src/main.rs`) parses mhvtl's command line and the extensions, finds or creates
//! the cartridges and prints; everything that touches a tape is here, so that tests and the
//! benchmark call the same code:
//!
//! * [`preload`] opens one cartridge, checks that the inputs can fit, counts the load,
//!   positions (BOT, or EOD with `append`), writes each input as one tape file through the
//!   [`pipeline`] and unloads (MAM statistics written back);
//! * [`plan`] reads a `--plan` file (many tapes in one run).

#![warn(missing_docs)]

pub mod pipeline;
pub mod plan;

use std::path::{Path, PathBuf};
use std::time::Instant;

use libvtlcart::{CartError, Cartridge, Compression, MediumType, OpenOptionsCart};

pub use pipeline::{
    Input, Progress, Stop, TapeFileReport, WriteReport, WriteSpec, default_threads,
    worst_case_stored,
};

/// Largest block size accepted: 16 MiB − 1, the largest MAXIMUM BLOCK LENGTH that SSC READ
/// BLOCK LIMITS can report (a 24-bit field), so every block written can be read back by a
/// drive.
pub const MAX_BLOCK_SIZE: usize = (1 << 24) - 1;

/// Options of one preload beyond the block size and compression.
#[derive(Debug, Clone, Copy, Default)]
pub struct PreloadOptions {
    /// Write at end of data instead of from BOT.
    pub append: bool,
    /// For LZO/ZLIB: skip the capacity pre-check (count on compression); inputs then stop at
    /// early warning like streams.
    pub force_fit: bool,
}

/// Why a preload did not start: nothing was written and the cartridge is unchanged.
#[derive(Debug)]
pub enum Refusal {
    /// The cartridge cannot be opened (missing, damaged, locked, unreadable).
    Open(CartError),
    /// Writes are refused: write protect, cleaning cartridge, WORM not at end of data.
    WriteRefused(String),
    /// The inputs cannot fit in what remains.
    DoesNotFit {
        /// Input bytes of the inputs whose size is known.
        needed: u64,
        /// Bytes that remain where writing would start.
        remaining: u64,
        /// Where writing would start (`BOT` or `end of data`).
        from: &'static str,
    },
    /// An I/O error while counting the load (writing the MAM).
    Tape(CartError),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Open(e) | Refusal::Tape(e) => write!(f, "{e}"),
            Refusal::WriteRefused(why) => write!(f, "write refused: {why}"),
            Refusal::DoesNotFit {
                needed,
                remaining,
                from,
            } => write!(
                f,
                "the input does not fit: {needed} bytes to write, {remaining} bytes remain from \
                 {from}; nothing was written"
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// What one preload did to one cartridge.
#[derive(Debug)]
pub struct TapeReport {
    /// The cartridge directory.
    pub dir: PathBuf,
    /// Tape files written (complete or not) and inputs not written.
    pub write: WriteReport,
    /// With `append` on a tape whose last tape file had no filemark: the number of that tape
    /// file, which was closed with a filemark before the new ones.
    pub closed_open_file: Option<u32>,
    /// The tape is past early warning after the preload.
    pub early_warning: bool,
    /// Unloading (flush and MAM statistics) failed.
    pub unload_error: Option<CartError>,
    /// Wall-clock seconds from open to unload.
    pub elapsed_s: f64,
}

impl TapeReport {
    /// Input bytes written.
    pub fn bytes_in(&self) -> u64 {
        self.write.files.iter().map(|f| f.bytes_in).sum()
    }
    /// Bytes stored.
    pub fn bytes_stored(&self) -> u64 {
        self.write.files.iter().map(|f| f.bytes_stored).sum()
    }
    /// Data blocks written.
    pub fn blocks(&self) -> u64 {
        self.write.files.iter().map(|f| f.blocks).sum()
    }
}

/// Count a drive load in the MAM and write it now, as a drive threading the tape does:
/// LoadCount + 1, record_dirty set (cleared again by [`Cartridge::unload`]), this load's
/// read/written counters reset.
fn count_load(cart: &mut Cartridge) -> Result<(), CartError> {
    let b = &mut cart.mam_mut().base;
    b.load_count = b.load_count.get().saturating_add(1).into();
    b.record_dirty = 1;
    b.written_in_last_load = 0.into();
    b.read_in_last_load = 0.into();
    cart.write_mam()
}

/// Preload `inputs` onto the cartridge in `dir`: each input becomes one tape file (its
/// blocks, then one filemark), from BOT (overwriting the tape, as mhvtl) or, with
/// `opts.append`, at end of data.
///
/// Before anything is written — and before the load is counted, so a refusal leaves the
/// cartridge byte for byte as it was — the cartridge is opened for writing (exclusive lock),
/// write protect / cleaning / WORM are checked, and the inputs of known size are checked
/// against the bytes that remain: their total must not exceed them (for LZO/ZLIB assuming no
/// compression gain, unless `opts.force_fit`). Inputs whose fit is not proven stop at early
/// warning (see [`pipeline::write_tape_files`]).
///
/// The cartridge is unloaded at the end (flush, MAM statistics: remaining capacity, MiB
/// written in this load and in the medium's life, date last written, LoadCount + 1).
pub fn preload(
    dir: &Path,
    inputs: Vec<Input>,
    spec: &WriteSpec,
    opts: &PreloadOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<TapeReport, Refusal> {
    let t0 = Instant::now();
    let mut cart = Cartridge::open(
        dir,
        &OpenOptionsCart {
            write: true,
            ..Default::default()
        },
    )
    .map_err(Refusal::Open)?;
    if let Some(why) = write_refusal(&cart, opts.append) {
        return Err(Refusal::WriteRefused(why));
    }
    let p = cart.partition(0).expect("a cartridge has partition 0");
    let (eod, last_fm) = (p.eod(), p.filemarks().last().copied());
    let open_tail = opts.append && eod > 0 && last_fm != Some(eod - 1);
    let (remaining, from) = if opts.append {
        (cart.remaining(0), "end of data")
    } else {
        (cart.capacity(0), "BOT")
    };
    let null = cart.mam().medium_type() == MediumType::Null;
    let comp = if null {
        Compression::None
    } else {
        spec.compression
    };
    let known: u64 = inputs.iter().filter_map(Input::size).sum();
    let must_fit = comp == Compression::None || !opts.force_fit;
    if must_fit && known > remaining {
        return Err(Refusal::DoesNotFit {
            needed: known,
            remaining,
            from,
        });
    }
    // Inputs proven to fit are written to their end; the rest stop at early warning.
    let mut guarded = Vec::with_capacity(inputs.len());
    let mut worst = 0u64;
    let mut proven = !(opts.force_fit && comp != Compression::None);
    for i in &inputs {
        match i.size() {
            Some(s) if proven => {
                worst = worst.saturating_add(worst_case_stored(s, spec.block_size as u64, comp));
                proven = worst <= remaining;
            }
            _ => proven = false,
        }
        guarded.push(!proven);
    }
    count_load(&mut cart).map_err(Refusal::Tape)?;
    let mut closed_open_file = None;
    let mut write = if opts.append {
        cart.seek_eod();
        if open_tail {
            let n = cart.position().file_number;
            match cart.write_filemarks(1) {
                Ok(_) => {
                    closed_open_file = Some(n);
                    None
                }
                Err(e) => Some(WriteReport {
                    files: Vec::new(),
                    not_written: inputs.iter().map(Input::name).collect(),
                    stop: Some(Stop::Tape(e)),
                }),
            }
        } else {
            None
        }
    } else {
        cart.rewind();
        None
    };
    if write.is_none() {
        write = Some(pipeline::write_tape_files(
            &mut cart, inputs, spec, &guarded, progress,
        ));
    }
    let write = write.expect("set above");
    let early_warning = cart.position().early_warning;
    // The statistics are written at unload even when only filemarks were written (the load
    // was counted and record_dirty must be cleared).
    cart.mam_mut();
    let unload_error = cart.unload().err();
    Ok(TapeReport {
        dir: dir.to_path_buf(),
        write,
        closed_open_file,
        early_warning,
        unload_error,
        elapsed_s: t0.elapsed().as_secs_f64(),
    })
}

/// Why this cartridge cannot be written where the preload would start, if it cannot.
fn write_refusal(cart: &Cartridge, append: bool) -> Option<String> {
    let m = cart.mam();
    if m.medium_type() == MediumType::Cleaning {
        return Some("cleaning cartridges are never written".into());
    }
    if m.write_protected() {
        return Some("cartridge is write protected".into());
    }
    if cart.is_write_protected() {
        return Some("cartridge cannot be written (damaged or read-only)".into());
    }
    if m.medium_type() == MediumType::Worm && !append {
        let p = cart.partition(0).expect("partition 0");
        // Writing at BOT of a WORM tape is allowed only while it is blank (or holds just the
        // one filemark a labelling application may overwrite).
        let blank = p.eod() == 0 || (p.eod() == 1 && p.filemarks() == [0]);
        if !blank {
            return Some(
                "WORM cartridge holds data: it can only be appended to (use --append)".into(),
            );
        }
    }
    None
}
