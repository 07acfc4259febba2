//! The read → compress → write pipeline that puts input streams onto a tape.
//!
//! Three kinds of threads:
//!
//! * **the reader** reads the inputs one after the other into buffers of whole blocks
//!   (about 1 MiB, at least one block) and numbers them;
//! * **compression workers** (`threads` of them) turn each buffer into [`PreparedBlock`]s:
//!   compression and CRC-32C, the CPU work;
//! * **the writer** — the calling thread, which owns the [`Cartridge`] — puts the batches
//!   back in order and calls [`Cartridge::write_prepared`] for each block and
//!   [`Cartridge::write_filemarks`] after each input.
//!
//! So block *n + 1* is read and compressed while block *n* is written. Without compression
//! there are no workers: the reader hands its buffers straight to the writer, which cuts them
//! into blocks with [`Cartridge::write_block`] (the CRC, about 14 GB/s, is cheaper there
//! than a fresh buffer per block would be in page faults, and the buffer can be reused).
//!
//! Plain `std::thread` and `std::sync::mpsc` channels are enough here (work is coarse, one
//! batch ≈ 1 MiB): no extra dependency. Memory is bounded by a credit channel: the reader
//! takes a credit before reading a batch and the writer returns it once the batch is on tape,
//! so at most `window` buffers exist (about 8 MiB without compression, 32 MiB with it, more
//! only for blocks over 1 MiB); written buffers go back to the reader through a pool, so
//! steady state allocates nothing but the compressed blocks.
//!
//! Reads fill whole blocks: a short read from a pipe is followed by more reads, so every
//! block but the last of an input has exactly the block size.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use libvtlcart::{CartError, Cartridge, Compression, PreparedBlock};

/// Input bytes per batch (rounded to whole blocks, at least one block).
const BATCH_BYTES: usize = 1 << 20;
/// Upper bound on the number of batches in flight (see [`window_for`]).
const MAX_WINDOW: usize = 32;
/// Bytes of input in flight the window aims for with compression.
const WINDOW_BYTES: usize = 32 << 20;

/// One input of a preload: a regular file (opened by the reader thread when its turn
/// comes, so that thousands of files never hold thousands of descriptors) or an open stream.
pub enum Input {
    /// A file by path; `size` is known when it is a regular file.
    File {
        /// The path as given.
        path: PathBuf,
        /// Its size when it is a regular file (`None` for a FIFO or a device).
        size: Option<u64>,
    },
    /// An already open stream (standard input, or a reader in tests and benchmarks).
    Stream {
        /// Name used in messages and in the JSON summary (`-` for standard input).
        name: String,
        /// The bytes.
        reader: Box<dyn Read + Send>,
        /// Its length when known in advance (standard input redirected from a regular file).
        size: Option<u64>,
    },
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("name", &self.name())
            .field("size", &self.size())
            .finish()
    }
}

impl Input {
    /// A file by path: checks now that it exists, is not a directory and can be opened for
    /// reading (so a typo is refused before anything is written), and records its size when
    /// it is a regular file.
    pub fn file(path: impl Into<PathBuf>) -> io::Result<Input> {
        let path = path.into();
        let md = std::fs::metadata(&path)?;
        if md.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "is a directory (give a file, or pipe `tar cf - DIR` into -F -)",
            ));
        }
        // Opening a FIFO for reading would block until a writer appears: only regular files
        // are test-opened here; anything else is opened by the reader thread.
        let size = if md.is_file() {
            std::fs::File::open(&path)?;
            Some(md.len())
        } else {
            None
        };
        Ok(Input::File { path, size })
    }

    /// Standard input. When it is redirected from a regular file its remaining length is
    /// known, and it is then checked against the capacity like a file.
    pub fn stdin() -> io::Result<Input> {
        use std::io::Seek;
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned()?;
        let mut f = std::fs::File::from(fd);
        let md = f.metadata()?;
        let size = if md.is_file() {
            let pos = f.stream_position()?;
            Some(md.len().saturating_sub(pos))
        } else {
            None
        };
        Ok(Input::Stream {
            name: "-".into(),
            reader: Box::new(f),
            size,
        })
    }

    /// A stream from any reader (tests, benchmarks, library users).
    pub fn reader(name: impl Into<String>, reader: Box<dyn Read + Send>) -> Input {
        Input::Stream {
            name: name.into(),
            reader,
            size: None,
        }
    }

    /// The name shown in messages: the path as given, or the stream's name.
    pub fn name(&self) -> String {
        match self {
            Input::File { path, .. } => path.display().to_string(),
            Input::Stream { name, .. } => name.clone(),
        }
    }

    /// The number of bytes it will deliver, when known before reading.
    pub fn size(&self) -> Option<u64> {
        match self {
            Input::File { size, .. } | Input::Stream { size, .. } => *size,
        }
    }

    fn open(self) -> io::Result<Box<dyn Read + Send>> {
        match self {
            Input::File { path, .. } => Ok(Box::new(std::fs::File::open(path)?)),
            Input::Stream { reader, .. } => Ok(reader),
        }
    }
}

/// How to cut and store the inputs.
#[derive(Debug, Clone, Copy)]
pub struct WriteSpec {
    /// Block size in bytes (every block but the last of an input has this size).
    pub block_size: usize,
    /// How blocks are stored.
    pub compression: Compression,
    /// Compression worker threads (ignored for [`Compression::None`]); at least 1 is used.
    pub threads: usize,
}

/// The default number of compression workers: one per core.
///
/// The reader and the writer mostly wait for the kernel (page-cache copies), so they do not
/// need a core of their own: on 2 cores, 2 workers write LZO 1.9× and zlib 1.7× faster
/// than 1 worker (docs/BENCHMARKS.md).
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .max(1)
}

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TapeFileReport {
    /// The input's name (`-` for standard input).
    pub file: String,
    /// Its tape file number (0 = the first tape file from BOT).
    pub number: u32,
    /// Data blocks written.
    pub blocks: u64,
    /// Input bytes written to the tape.
    pub bytes_in: u64,
    /// Bytes stored in the data file (after compression; on NULL media the index's sizes).
    pub bytes_stored: u64,
    /// True when all of the input is on the tape; false when writing stopped inside it (the
    /// blocks written are kept and closed with a filemark).
    pub complete: bool,
}

/// Why writing stopped before every input was on the tape.
#[derive(Debug)]
pub enum Stop {
    /// The tape passed early warning while more data of an input whose size could not be
    /// checked in advance was waiting.
    EarlyWarning,
    /// A block did not fit in what remained of the partition (nothing of it was written).
    EndOfMedium(CartError),
    /// Reading an input failed.
    Input {
        /// The input.
        file: String,
        /// The error.
        error: io::Error,
    },
    /// Writing to the cartridge failed (I/O error, write refused).
    Tape(CartError),
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stop::EarlyWarning => write!(
                f,
                "early warning: fewer than {} MiB remain on the tape",
                libvtlcart::EARLY_WARNING_BYTES >> 20
            ),
            Stop::EndOfMedium(e) => write!(f, "{e}"),
            Stop::Input { file, error } => write!(f, "{file}: read: {error}"),
            Stop::Tape(e) => write!(f, "{e}"),
        }
    }
}

/// The outcome of [`write_tape_files`].
#[derive(Debug)]
pub struct WriteReport {
    /// One entry per input that has a tape file (complete or not), in order.
    pub files: Vec<TapeFileReport>,
    /// Inputs of which nothing was written because writing had stopped.
    pub not_written: Vec<String>,
    /// Why writing stopped early, if it did.
    pub stop: Option<Stop>,
}

/// Progress of a running write, given to the callback after each batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Index of the input being written.
    pub input: usize,
    /// Input bytes on the tape so far (all inputs).
    pub bytes_in: u64,
    /// Bytes stored so far (all inputs).
    pub bytes_stored: u64,
}

/// What moves down the pipeline: a numbered buffer of whole blocks of one input.
struct Batch<P> {
    seq: u64,
    input: usize,
    payload: P,
    end: End,
}

/// A batch as the writer receives it.
enum Ready {
    /// [`Compression::None`]: the input bytes, cut into blocks by the writer.
    Raw(Vec<u8>),
    /// Compressed and checksummed blocks.
    Prepared(Vec<PreparedBlock>),
}

impl Ready {
    fn blocks(&self, bs: usize) -> usize {
        match self {
            Ready::Raw(b) => b.len().div_ceil(bs),
            Ready::Prepared(v) => v.len(),
        }
    }
}

/// How a batch ends its input.
enum End {
    /// More batches of this input follow.
    More,
    /// The input ended after these blocks.
    Eof,
    /// Reading failed after these blocks.
    Error(io::Error),
    /// Preparing a block failed (cannot happen for the sizes the reader makes).
    Prepare(CartError),
}

/// Bytes per read buffer: whole blocks, about [`BATCH_BYTES`], at least one block.
fn buffer_len(bs: usize) -> usize {
    bs * (BATCH_BYTES / bs).max(1)
}

/// Batches in flight: about 8 MiB of buffers without compression (the reader only has to
/// stay ahead of the writer), about 32 MiB with it, always 4 or more and at least two per
/// worker plus two.
fn window_for(buffer: usize, workers: usize) -> usize {
    let bytes = if workers == 0 { 8 << 20 } else { WINDOW_BYTES };
    (bytes / buffer).clamp(4, MAX_WINDOW).max(2 * workers + 2)
}

/// Read until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Fill `buf` (length `len`, reused: only bytes past its current length are zeroed) from
/// `r`; it is truncated to what was read. Returns how the batch ends.
fn read_batch(r: &mut dyn Read, buf: &mut Vec<u8>, len: usize) -> End {
    buf.resize(len, 0);
    match read_full(r, buf) {
        Ok(got) => {
            buf.truncate(got);
            if got < len { End::Eof } else { End::More }
        }
        Err(e) => {
            buf.clear();
            End::Error(e)
        }
    }
}

/// Compress and checksum the blocks of a buffer.
fn prepare(buf: &[u8], bs: usize, comp: Compression) -> (Vec<PreparedBlock>, Option<CartError>) {
    let mut blocks = Vec::with_capacity(buf.len().div_ceil(bs));
    for b in buf.chunks(bs) {
        match PreparedBlock::new(b.to_vec(), comp) {
            Ok(p) => blocks.push(p),
            Err(e) => return (blocks, Some(e)),
        }
    }
    (blocks, None)
}

/// The reader thread: every input in order, buffer by buffer, each paid for with a credit.
/// Buffers come back through `pool` once written (or compressed), so steady state allocates
/// nothing.
fn reader(
    inputs: Vec<Input>,
    buffer: usize,
    credits: Receiver<()>,
    pool: Receiver<Vec<u8>>,
    mut send: impl FnMut(Batch<Vec<u8>>) -> bool,
) {
    let mut seq = 0u64;
    for (i, input) in inputs.into_iter().enumerate() {
        let mut r = input.open();
        loop {
            if credits.recv().is_err() {
                return; // the writer stopped
            }
            let mut buf = pool.try_recv().unwrap_or_default();
            let end = match &mut r {
                Ok(r) => read_batch(r.as_mut(), &mut buf, buffer),
                Err(e) => {
                    buf.clear();
                    End::Error(std::mem::replace(e, io::Error::other("not open")))
                }
            };
            let last = !matches!(end, End::More);
            let failed = matches!(end, End::Error(_));
            if !send(Batch {
                seq,
                input: i,
                payload: buf,
                end,
            }) {
                return;
            }
            seq += 1;
            if failed {
                return;
            }
            if last {
                break;
            }
        }
    }
}

/// Write each input as one tape file (its blocks, then one filemark) at the current position
/// of `cart`, through the pipeline described in the module documentation.
///
/// `guarded[i]` says whether input *i* must stop at early warning: true for inputs whose fit
/// was not proven in advance (streams, and anything after a stream). When such an input
/// passes early warning with data still to come, writing stops: the blocks written are
/// closed with a filemark, that tape file is reported incomplete, and later inputs are not
/// written. An input that was proven to fit is written to its end, early warning or not.
///
/// A block that does not fit at all ([`CartError::EndOfMedium`]) and a read error stop the
/// same way. An error of the cartridge itself stops at once (no filemark is attempted).
/// `progress` is called after every batch written.
pub fn write_tape_files(
    cart: &mut Cartridge,
    inputs: Vec<Input>,
    spec: &WriteSpec,
    guarded: &[bool],
    progress: &mut dyn FnMut(Progress),
) -> WriteReport {
    raise_malloc_thresholds();
    let names: Vec<String> = inputs.iter().map(Input::name).collect();
    let bs = spec.block_size.max(1);
    let comp = spec.compression;
    let workers = if comp == Compression::None {
        0
    } else {
        spec.threads.max(1)
    };
    let buffer = buffer_len(bs);
    let window = window_for(buffer, workers);
    let (credit_tx, credit_rx) = mpsc::sync_channel::<()>(window);
    for _ in 0..window {
        credit_tx.send(()).expect("fresh channel has room");
    }
    let (pool_tx, pool_rx) = mpsc::sync_channel::<Vec<u8>>(window);
    let (done_tx, done_rx) = mpsc::channel::<Batch<Ready>>();
    let mut threads = Vec::with_capacity(workers + 1);
    if workers == 0 {
        let tx = done_tx.clone();
        threads.push(std::thread::spawn(move || {
            reader(inputs, buffer, credit_rx, pool_rx, |b| {
                tx.send(Batch {
                    seq: b.seq,
                    input: b.input,
                    payload: Ready::Raw(b.payload),
                    end: b.end,
                })
                .is_ok()
            });
        }));
    } else {
        let (work_tx, work_rx) = mpsc::sync_channel::<Batch<Vec<u8>>>(window);
        let work_rx = Arc::new(Mutex::new(work_rx));
        for _ in 0..workers {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let pool = pool_tx.clone();
            threads.push(std::thread::spawn(move || {
                loop {
                    // The lock is held only while waiting for the next batch.
                    let next = rx.lock().map(|r| r.recv());
                    let Ok(Ok(b)) = next else { return };
                    let (blocks, err) = prepare(&b.payload, bs, comp);
                    let _ = pool.try_send(b.payload);
                    let ready = Batch {
                        seq: b.seq,
                        input: b.input,
                        payload: Ready::Prepared(blocks),
                        end: err.map_or(b.end, End::Prepare),
                    };
                    if tx.send(ready).is_err() {
                        return;
                    }
                }
            }));
        }
        threads.push(std::thread::spawn(move || {
            reader(inputs, buffer, credit_rx, pool_rx, |b| {
                work_tx.send(b).is_ok()
            });
        }));
    }
    drop(done_tx);
    let chans = Channels {
        credits: credit_tx,
        pool: pool_tx,
        done: done_rx,
    };
    // The writer consumes the channels: when it returns, every other thread finds its
    // channel closed and ends.
    let report = writer(cart, names, bs, guarded, chans, progress);
    if report.stop.is_none() {
        // Every input was read to its end: the threads are ending; wait for them.
        for t in threads {
            let _ = t.join();
        }
    }
    // After a stop the reader may be blocked reading a stream that is quiet (a pipe whose
    // writer pauses): it is not waited for, it ends at its next read or with the process.
    report
}

/// Keep per-block allocations in the process (glibc malloc).
///
/// The codecs allocate per block: zlib about 270 KiB of deflate state, LZO its dictionary
/// and output. With glibc's default thresholds (mallopt(3): M_MMAP_THRESHOLD 128 KiB,
/// M_TRIM_THRESHOLD 128 KiB) that memory goes back to the kernel at each free and is faulted
/// in again at the next block: with 4 KiB zlib blocks that is about 20 page faults per block
/// and nearly as much system time as compression itself. glibc raises both thresholds on
/// its own ("dynamic mmap threshold") when a chunk it had mmap'ed is freed: one 4 MiB
/// allocation, freed at once, sets them to 4 and 8 MiB for the rest of the process. On other
/// allocators this is just one short-lived allocation. (The lasting fix is codec state reused
/// per thread in libvtlcart; see docs/BENCHMARKS.md.)
fn raise_malloc_thresholds() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let v = vec![1u8; 4 << 20];
        std::hint::black_box(&v);
        drop(v);
    });
}

/// The writer's ends of the pipeline's channels.
struct Channels {
    credits: SyncSender<()>,
    pool: SyncSender<Vec<u8>>,
    done: Receiver<Batch<Ready>>,
}

/// How the writer's loop ended.
enum Outcome {
    /// Every input is on the tape.
    Done,
    /// Writing stopped inside or before input `cur_idx`; the cartridge still works.
    Stopped(Stop),
    /// The cartridge failed; nothing more is attempted on it.
    Failed(CartError),
}

/// The writer: batches in sequence order onto the tape.
fn writer(
    cart: &mut Cartridge,
    names: Vec<String>,
    bs: usize,
    guarded: &[bool],
    chans: Channels,
    progress: &mut dyn FnMut(Progress),
) -> WriteReport {
    let mut report = WriteReport {
        files: Vec::new(),
        not_written: Vec::new(),
        stop: None,
    };
    if names.is_empty() {
        return report;
    }
    let null = cart.mam().medium_type() == libvtlcart::MediumType::Null;
    let new_file = |cart: &Cartridge, i: usize| TapeFileReport {
        file: names[i].clone(),
        number: cart.position().file_number,
        blocks: 0,
        bytes_in: 0,
        bytes_stored: 0,
        complete: false,
    };
    let mut pending: BTreeMap<u64, Batch<Ready>> = BTreeMap::new();
    let mut next = 0u64;
    let mut cur_idx = 0usize;
    let mut cur = new_file(cart, 0);
    let mut prog = Progress::default();
    // Early warning was passed in a guarded input at the end of a batch: whether that input
    // is complete depends on the next batch.
    let mut ew_pending = false;
    let mut started = false;
    let outcome = 'run: loop {
        let batch = match pending.remove(&next) {
            Some(b) => b,
            None => match chans.done.recv() {
                Ok(b) if b.seq == next => b,
                Ok(b) => {
                    pending.insert(b.seq, b);
                    continue;
                }
                Err(_) => {
                    break 'run Outcome::Stopped(Stop::Input {
                        file: cur.file.clone(),
                        error: io::Error::other("the reading threads ended unexpectedly"),
                    });
                }
            },
        };
        next += 1;
        let guard = guarded.get(batch.input).copied().unwrap_or(true);
        let nblocks = batch.payload.blocks(bs);
        if std::mem::take(&mut ew_pending) && nblocks > 0 {
            break 'run Outcome::Stopped(Stop::EarlyWarning);
        }
        if !std::mem::replace(&mut started, true)
            && guard
            && past_early_warning(cart)
            && nblocks > 0
        {
            // A guarded input never starts past early warning.
            break 'run Outcome::Stopped(Stop::EarlyWarning);
        }
        for k in 0..nblocks {
            // Without compression the writer computes the CRC itself (write_block) so that
            // the read buffer can go back to the reader: a PreparedBlock would consume it,
            // and a fresh buffer per block costs more in page faults than the CRC does.
            let (res, size, stored) = match &batch.payload {
                Ready::Raw(buf) => {
                    let b = &buf[k * bs..buf.len().min((k + 1) * bs)];
                    let n = b.len() as u64;
                    (cart.write_block(b, Compression::None, None), n, n)
                }
                Ready::Prepared(v) => {
                    let b = &v[k];
                    let size = u64::from(b.size());
                    let stored = if null { size } else { b.stored_len() as u64 };
                    (cart.write_prepared(b, None), size, stored)
                }
            };
            match res {
                Ok(out) => {
                    cur.blocks += 1;
                    cur.bytes_in += size;
                    cur.bytes_stored += stored;
                    prog.bytes_in += size;
                    prog.bytes_stored += stored;
                    if guard && out.early_warning {
                        if k + 1 < nblocks {
                            break 'run Outcome::Stopped(Stop::EarlyWarning);
                        }
                        ew_pending = matches!(batch.end, End::More);
                    }
                }
                Err(e @ CartError::EndOfMedium { .. }) => {
                    break 'run Outcome::Stopped(Stop::EndOfMedium(e));
                }
                Err(e) => break 'run Outcome::Failed(e),
            }
        }
        prog.input = batch.input;
        progress(prog);
        // The batch is on tape: its buffer goes back, and the reader may read another.
        if let Ready::Raw(buf) = batch.payload {
            let _ = chans.pool.try_send(buf);
        }
        let _ = chans.credits.send(());
        match batch.end {
            End::More => {}
            End::Eof => {
                if let Err(e) = cart.write_filemarks(1) {
                    break 'run Outcome::Failed(e);
                }
                cur.complete = true;
                report.files.push(cur.clone());
                cur_idx = batch.input + 1;
                if cur_idx == names.len() {
                    break 'run Outcome::Done;
                }
                cur = new_file(cart, cur_idx);
                started = false;
            }
            End::Error(error) => {
                break 'run Outcome::Stopped(Stop::Input {
                    file: names[batch.input].clone(),
                    error,
                });
            }
            End::Prepare(e) => break 'run Outcome::Failed(e),
        }
    };
    let stop = match outcome {
        Outcome::Done => return report,
        Outcome::Stopped(stop) if cur.blocks > 0 => {
            // A tape file that was started is never left open: close what was written of it
            // with a filemark, and report it as incomplete.
            match cart.write_filemarks(1) {
                Ok(_) => stop,
                Err(e) => Stop::Tape(e),
            }
        }
        Outcome::Stopped(stop) => stop,
        Outcome::Failed(e) => Stop::Tape(e),
    };
    let first_unwritten = if cur.blocks > 0 {
        report.files.push(cur);
        cur_idx + 1
    } else {
        cur_idx
    };
    report.not_written = names[first_unwritten..].to_vec();
    report.stop = Some(stop);
    report
}

/// Whether a write at the current position would start past early warning. At BOT of a
/// tape that holds data the first write truncates it, so what counts there is the whole
/// capacity, not what remains after the old end of data.
fn past_early_warning(cart: &Cartridge) -> bool {
    let p = cart.position();
    if p.bop && !p.eod {
        cart.capacity(p.partition) < libvtlcart::EARLY_WARNING_BYTES
    } else {
        p.early_warning
    }
}

/// Worst-case stored size of `size` input bytes cut into `bs`-byte blocks: LZO1X-1 may grow
/// a block to n + n/16 + 67 bytes, zlib to its `compressBound` (n + n/2^12 + n/2^14 + n/2^25
/// + 13); uncompressed blocks store exactly n bytes.
pub fn worst_case_stored(size: u64, bs: u64, comp: Compression) -> u64 {
    let per = |n: u64| match comp {
        Compression::None => n,
        Compression::Lzo => n + n / 16 + 64 + 3,
        Compression::Zlib(_) => n + (n >> 12) + (n >> 14) + (n >> 25) + 13,
    };
    let bs = bs.max(1);
    let full = size / bs;
    let rest = size % bs;
    full.saturating_mul(per(bs))
        .saturating_add(if rest > 0 { per(rest) } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cut_whole_blocks() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let mut r: &[u8] = &data;
        let mut buf = Vec::new();
        assert!(matches!(read_batch(&mut r, &mut buf, 8192), End::More));
        assert_eq!(buf, data[..8192]);
        assert!(matches!(read_batch(&mut r, &mut buf, 8192), End::Eof));
        assert_eq!(buf, data[8192..]);
        let (blocks, err) = prepare(&buf, 1000, Compression::Lzo);
        assert!(err.is_none());
        assert_eq!(
            blocks.iter().map(|b| b.size()).collect::<Vec<_>>(),
            [1000, 808]
        );
        assert!(matches!(read_batch(&mut r, &mut buf, 8192), End::Eof));
        assert!(buf.is_empty());
        assert_eq!(Ready::Raw(vec![0; 2500]).blocks(1000), 3);
    }

    #[test]
    fn buffers_and_windows_stay_bounded() {
        assert_eq!(buffer_len(4096), 1 << 20);
        assert_eq!(buffer_len(262_144), 1 << 20);
        assert_eq!(buffer_len(1000), 1_048_000);
        assert_eq!(buffer_len(3 << 20), 3 << 20);
        assert_eq!(window_for(1 << 20, 0), 8);
        assert_eq!(window_for(1 << 20, 1), 32);
        assert_eq!(window_for(16 << 20, 1), 4);
        assert_eq!(window_for(16 << 20, 7), 16);
    }

    #[test]
    fn worst_case_bounds() {
        assert_eq!(worst_case_stored(10, 4, Compression::None), 10);
        assert_eq!(worst_case_stored(0, 4, Compression::Lzo), 0);
        assert_eq!(worst_case_stored(16, 16, Compression::Lzo), 16 + 1 + 67);
        assert_eq!(
            worst_case_stored(4096, 4096, Compression::Zlib(1)),
            4096 + 1 + 13
        );
    }
}
