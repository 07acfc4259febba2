//! Helpers for the workspace's tests (feature `testing`): where the mhvtl fixtures are,
//! copies of fixture tapes, snapshots of a cartridge directory, and new cartridges made the
//! way mktape makes them.
//!
//! Not part of the stable API; enabled only by the test crates' dev-dependencies.

use std::path::{Path, PathBuf};

use crate::{Cartridge, CreateSpec, Density, Format, Mam, MediumType, NewMam, OpenOptionsCart};

/// `../shared/fixtures/mhvtl` beside the workspace (or `$VTL_FIXTURES`), if present.
///
/// When absent the calling test should print nothing more and return (this prints a
/// `SKIPPED` line); with `CI=true` the absence panics, because CI must have the fixtures.
pub fn fixtures() -> Option<PathBuf> {
    let p = match std::env::var_os("VTL_FIXTURES") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/mhvtl"),
    };
    if p.join("manifest.json").is_file() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "fixtures not found at {} and CI=true: ../shared must be beside the clone",
            p.display()
        );
    }
    eprintln!(
        "SKIPPED: mhvtl fixtures not found at {} (tests that need ../shared were skipped; set VTL_FIXTURES)",
        p.display()
    );
    None
}

/// The fixtures' parsed `manifest.json`.
///
/// Panics when it cannot be read or parsed (a test helper).
pub fn manifest(root: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join("manifest.json")).expect("read manifest.json");
    serde_json::from_str(&text).expect("parse manifest.json")
}

/// Copy the cartridge directory `src` into `parent/<same name>` with writable files
/// (fixture files are read-only), returning the copy's path.
pub fn copy_tape(src: &Path, parent: &Path) -> PathBuf {
    let dst = parent.join(src.file_name().expect("cartridge directory name"));
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        std::fs::copy(e.path(), &to).unwrap();
        let mut p = std::fs::metadata(&to).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        std::fs::set_permissions(&to, p).unwrap();
    }
    dst
}

/// Every file of a directory with its contents, sorted by name (to prove a run changed
/// nothing).
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Make the cartridge `home/pcl` as `mktape -s … -t … -d DENSITY [--format v6]` does with
/// `SOURCE_DATE_EPOCH=1700000000` (`capacity` in bytes). Returns its directory.
pub fn make_cartridge(
    home: &Path,
    pcl: &str,
    format: Format,
    medium_type: MediumType,
    density: &str,
    capacity: u64,
) -> PathBuf {
    std::fs::create_dir_all(home).unwrap();
    let dir = home.join(pcl);
    let mam = Mam::new_cartridge(&NewMam {
        pcl,
        density: Density::lookup(density).expect("known density"),
        medium_type,
        capacity,
        epoch: 1_700_000_000,
        v6: format == Format::V6,
        application_vendor: crate::application_vendor(),
    });
    Cartridge::create(
        &dir,
        &CreateSpec {
            format,
            mam,
            force: false,
        },
    )
    .unwrap();
    dir
}

/// Byte range of the MAM attribute 0x0800 ApplicationVendor in a cartridge file: bytes
/// 332..340 of a legacy `meta`, the TLV value in a v6 `mam`; `None` for other files.
pub fn application_vendor_range(file: &str, bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    match file {
        "meta" => Some(332..340),
        "mam" => {
            let mut off = 8;
            while off + 4 <= bytes.len() {
                let id = u16::from_le_bytes([bytes[off], bytes[off + 1]]);
                let len = usize::from(u16::from_le_bytes([bytes[off + 2], bytes[off + 3]]));
                if id == 0x0800 {
                    return Some(off + 4..off + 4 + len);
                }
                off += 4 + len;
            }
            panic!("no ApplicationVendor attribute in mam");
        }
        _ => None,
    }
}

/// Assert that the cartridge directory `ours` (made by vtl) holds the same files as
/// `theirs` (made by mhvtl), byte for byte, except ApplicationVendor: mhvtl's must start with
/// `vtl-` and ours must be [`crate::application_vendor`]. Panics naming `id`, the file and the
/// first differing byte.
pub fn assert_same_as_mhvtl(ours: &Path, theirs: &Path, id: &str) {
    let names = |d: &Path| -> Vec<String> { snapshot(d).into_iter().map(|(n, _)| n).collect() };
    let theirs_names = names(theirs);
    assert_eq!(names(ours), theirs_names, "{id}: file names");
    for n in &theirs_names {
        let mut a = std::fs::read(ours.join(n)).unwrap();
        let mut b = std::fs::read(theirs.join(n)).unwrap();
        assert_eq!(a.len(), b.len(), "{id}/{n}: size");
        if let Some(r) = application_vendor_range(n, &b) {
            assert_eq!(&b[r.clone()][..4], b"vtl-", "{id}/{n}: mhvtl's vendor");
            assert_eq!(
                a[r.clone()],
                crate::application_vendor(),
                "{id}/{n}: our vendor"
            );
            a[r.clone()].fill(0);
            b[r].fill(0);
        }
        if a != b {
            let first = a.iter().zip(&b).position(|(x, y)| x != y).unwrap();
            panic!(
                "{id}/{n}: differs at byte {first}: ours {:02x}, mhvtl {:02x}",
                a[first], b[first]
            );
        }
    }
}

/// Open the cartridge in `dir` for writing (strictly, no recovery); panics with the error.
pub fn open_writable(dir: &Path) -> Cartridge {
    let opts = OpenOptionsCart {
        write: true,
        ..Default::default()
    };
    Cartridge::open(dir, &opts)
        .unwrap_or_else(|e| panic!("open {} for writing: {e}", dir.display()))
}

/// A size-limited filesystem (tmpfs) mounted on a fresh temporary directory, for disk-full
/// tests; unmounted and removed on drop.
#[derive(Debug)]
pub struct SmallFs {
    dir: PathBuf,
}

impl SmallFs {
    /// Mount a tmpfs of `bytes` bytes (rounded up to pages by the kernel). Needs the
    /// privilege to mount (root, or CAP_SYS_ADMIN).
    ///
    /// Returns `None`, after printing a `SKIPPED` line, when mounting is not permitted;
    /// with `CI=true` that panics instead: CI runs as root and must run these tests.
    pub fn mount(bytes: u64) -> Option<SmallFs> {
        let base = std::env::temp_dir().join(format!(
            "vtl-smallfs-{}-{}",
            std::process::id(),
            SMALLFS_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&base).expect("create mount point");
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o"])
            .arg(format!("size={bytes},mode=0755"))
            .arg("tmpfs")
            .arg(&base)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallFs { dir: base }),
            other => {
                let _ = std::fs::remove_dir(&base);
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).trim().to_string(),
                    Err(e) => e.to_string(),
                };
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("cannot mount a tmpfs for the disk-full tests and CI=true: {why}");
                }
                eprintln!("SKIPPED: disk-full test needs to mount a tmpfs: {why}");
                None
            }
        }
    }

    /// The mount point.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Fill the filesystem with a file until `leave` bytes (about) remain; returns its path
    /// (remove it to free the space again).
    pub fn fill_leaving(&self, leave: u64) -> PathBuf {
        let p = self.dir.join("filler");
        let mut f = std::fs::File::create(&p).expect("create filler");
        let chunk = vec![0x5au8; 64 * 1024];
        loop {
            let free = free_bytes(&self.dir);
            if free <= leave {
                break;
            }
            let n = ((free - leave) as usize).min(chunk.len());
            use std::io::Write;
            if f.write_all(&chunk[..n]).is_err() {
                break;
            }
        }
        f.sync_all().ok();
        p
    }
}

static SMALLFS_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Bytes available on the filesystem holding `p` (`df`'s "Avail").
pub fn free_bytes(p: &Path) -> u64 {
    let out = std::process::Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(p)
        .output()
        .expect("run df");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.trim().parse().ok())
        .expect("df output")
}

impl Drop for SmallFs {
    /// Unmount and remove the mount point. A child another test thread is forking at that
    /// moment holds copies of that thread's file descriptors until it execs, which makes
    /// `umount` answer "target is busy": retry a few times, then detach the filesystem
    /// lazily (`umount -l`) so that no mount outlives the test.
    fn drop(&mut self) {
        let umount = |lazy: bool| {
            let mut c = std::process::Command::new("umount");
            if lazy {
                c.arg("-l");
            }
            c.arg(&self.dir)
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let done = (0..5).any(|i| {
            if i > 0 {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            umount(false)
        });
        if !done && !umount(true) {
            eprintln!("could not unmount {}", self.dir.display());
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// splitmix64: a small, fast pseudo-random sequence, the same on every machine, for the
/// tests' deterministic writers (a seed replays the same operations).
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Log-uniform in `lo..=hi` (lo ≥ 1): small sizes as often as large ones.
    pub fn size(&mut self, lo: u64, hi: u64) -> u32 {
        let e = self.range(u64::from(lo.ilog2()), u64::from(hi.ilog2()));
        let a = (1u64 << e).max(lo);
        let b = ((1u64 << (e + 1)) - 1).min(hi);
        self.range(a, b) as u32
    }

    /// One element of `v`, `None` when it is empty.
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> Option<T> {
        (!v.is_empty()).then(|| v[self.below(v.len() as u64) as usize])
    }
}

/// Run test `test` of the current test binary again, as a child process with the
/// environment variable `env.0` set to `env.1` (the child test does its work only when it
/// is set), and kill it with SIGKILL: `kill_when` is asked once with no words before the
/// first line, then with the words after `tag` of every line the child prints containing
/// `tag`; once it says yes (or after 30 s), the child is killed `delay` later. Returns the
/// words of every such line, in order (the last may be torn by the kill).
///
/// Errors: the child could not be started, or it ended other than by SIGKILL (the message
/// has its exit status and standard error).
pub fn run_and_kill(
    test: &str,
    env: (&str, &str),
    tag: &str,
    mut kill_when: impl FnMut(&[String]) -> bool,
    delay: std::time::Duration,
) -> Result<Vec<Vec<String>>, String> {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut child = Command::new(exe)
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {test}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = std::sync::mpsc::channel::<Vec<String>>();
    let tag = tag.to_string();
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest prints `test <name> ... ` without a newline before the first line.
            let Some(at) = line.find(&tag) else { continue };
            let words: Vec<String> = line[at + tag.len()..]
                .split_whitespace()
                .map(str::to_string)
                .collect();
            let _ = tx.send(words.clone());
            lines.push(words);
        }
        lines
    });
    let errs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut done = kill_when(&[]);
    while !done {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(words) => done = kill_when(&words),
            Err(_) => break,
        }
    }
    std::thread::sleep(delay);
    let _ = child.kill();
    let status = child.wait().map_err(|e| format!("wait: {e}"))?;
    let lines = reader.join().expect("reader thread");
    let errs = errs.join().expect("stderr thread");
    if status.signal() != Some(9) {
        return Err(format!(
            "{test} ended by itself ({status}, kill point reached: {done}); its stderr:\n{errs}"
        ));
    }
    Ok(lines)
}
