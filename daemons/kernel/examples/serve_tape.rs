//! Serve one LTO-8 tape drive through the vtl kernel module: the logical unit 0:0:0 (or
//! `--addr C:T:L`) backed by a real [`vtltape::TapeDrive`] with cartridge E00001L8 loaded
//! from a media home (made there, 128 MiB, if missing). The Linux st driver then sees it as
//! /dev/nstN.
//!
//! Usage: `serve_tape MEDIA_HOME [--addr C:T:L] [--remove] [--debug] [--stall OP:MS]`
//!
//! SIGTERM or SIGINT stops serving; the unit stays in the kernel (a restarted daemon
//! reattaches) unless `--remove` is given. `--debug` logs every message. `--stall OP:MS`
//! (test aid) makes commands with operation code OP (hex) take MS milliseconds, so that an
//! initiator's short timeout aborts a command the daemon has already read.
//! kernel-module/tests/vm-smoke.sh drives it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use libvtlcart::{Format, MediumType};
use vtl_kernel::{Control, DeviceType, KernelError, LuAddress, Unit};
use vtl_scsi::{LogicalUnit, Reply, Request, ResetEvent};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

const PCL: &str = "E00001L8";

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// SIGTERM and SIGINT set STOP; no SA_RESTART, so a blocked poll returns EINTR at once.
fn install_handlers() {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        // SAFETY: a zeroed sigaction with a handler that only stores to an atomic.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

fn parse_addr(s: &str) -> Option<LuAddress> {
    let mut it = s.split(':').map(|p| p.parse::<u32>().ok());
    let a = LuAddress::new(it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(a)
}

/// A logical unit whose commands with operation code `op` take `delay` longer.
struct Stall<L> {
    inner: L,
    op: u8,
    delay: Duration,
}

impl<L: LogicalUnit> LogicalUnit for Stall<L> {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        if !self.delay.is_zero() && req.cdb.first() == Some(&self.op) {
            std::thread::sleep(self.delay);
        }
        self.inner.execute(req, data_in)
    }

    fn reset(&mut self, event: ResetEvent) {
        self.inner.reset(event);
    }
}

fn parse_stall(s: &str) -> Option<(u8, Duration)> {
    let (op, ms) = s.split_once(':')?;
    Some((
        u8::from_str_radix(op, 16).ok()?,
        Duration::from_millis(ms.parse().ok()?),
    ))
}

fn drive(home: &Path) -> TapeDrive {
    if !home.join(PCL).exists() {
        libvtlcart::testing::make_cartridge(
            home,
            PCL,
            Format::V6,
            MediumType::Data,
            "LTO8",
            128 << 20,
        );
    }
    let mut d = TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "VTLSMOKE01".into(),
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    });
    if let Err(e) = d.load_barcode(PCL) {
        eprintln!("serve_tape: load {PCL}: {e}");
    }
    d
}

fn run(
    home: PathBuf,
    addr: LuAddress,
    remove: bool,
    stall: Option<(u8, Duration)>,
) -> Result<(), KernelError> {
    let ctl = Control::open(Path::new(Control::DEFAULT_PATH))?;
    // Attach first: a refused attach (another daemon serves the unit) leaves the cartridge
    // alone. The kernel's INQUIRY waits until serve() runs.
    let mut unit = Unit::attach(&ctl, addr, DeviceType::Tape)?;
    let (op, delay) = stall.unwrap_or((0, Duration::ZERO));
    let mut lu = Stall {
        inner: drive(&home),
        op,
        delay,
    };
    let info = ctl.info()?;
    println!(
        "serve_tape: serving {} as {}:{addr}{} (module: {} units, max transfer {} bytes)",
        unit.path().display(),
        unit.host(),
        if unit.reattached() {
            ", reattached"
        } else {
            ""
        },
        info.units,
        info.max_xfer
    );
    let r = unit.serve(&mut lu, &STOP);
    println!("serve_tape: stopped: {r:?}");
    if remove {
        unit.remove(&ctl)?;
        println!("serve_tape: removed {addr}");
    }
    r
}

fn main() -> ExitCode {
    let mut home = None;
    let mut addr = LuAddress::new(0, 0, 0);
    let mut remove = false;
    let mut debug = false;
    let mut stall = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--addr" => match args.next().as_deref().and_then(parse_addr) {
                Some(x) => addr = x,
                None => {
                    eprintln!("serve_tape: --addr takes C:T:L");
                    return ExitCode::from(2);
                }
            },
            "--remove" => remove = true,
            "--debug" => debug = true,
            "--stall" => match args.next().as_deref().and_then(parse_stall) {
                Some(x) => stall = Some(x),
                None => {
                    eprintln!("serve_tape: --stall takes OP:MS (OP in hex)");
                    return ExitCode::from(2);
                }
            },
            _ if home.is_none() => home = Some(PathBuf::from(a)),
            _ => {
                eprintln!(
                    "usage: serve_tape MEDIA_HOME [--addr C:T:L] [--remove] [--debug] [--stall OP:MS]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let Some(home) = home else {
        eprintln!(
            "usage: serve_tape MEDIA_HOME [--addr C:T:L] [--remove] [--debug] [--stall OP:MS]"
        );
        return ExitCode::from(2);
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(if debug {
            tracing::Level::TRACE
        } else {
            tracing::Level::INFO
        })
        .init();
    install_handlers();
    match run(home, addr, remove, stall) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_tape: {e}");
            ExitCode::FAILURE
        }
    }
}
