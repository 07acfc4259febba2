//! [`DriveControl`]: the handler of a tape drive daemon (vtltape), over its
//! [`TapeDrive`].
//!
//! | command | effect | reply text |
//! |---|---|---|
//! | `load <PCL>` | [`TapeDrive::load_barcode`] from the drive's media home | none; refusal `Load failed: <PCL>: <why>` |
//! | `unload <PCL>` | [`TapeDrive::unload`] when the drive holds `<PCL>` | none; refusal `Unload failed: ...` |
//! | `lload <PCL>` | as `load`; a refused cartridge is taken back out of the drive's mouth | none; refusal `<SK>/<ASC>/<ASCQ> Load failed: <PCL>: <why>` ([`crate::remote_drive`]) |
//! | `set_empty` | [`TapeDrive::unload`] of whatever the drive holds | the barcode taken out, or none; refusal `<SK>/<ASC>/<ASCQ> Unload failed: <why>` |
//! | `mount_state` | — | the barcode in the drive, or none |
//! | `TapeAlert <hex64>` | TapeAlert flags (log page 0x2E) replaced | none |
//! | `compression zlib\|lzo` | algorithm of new blocks | none |
//! | `Append Only Yes\|No` | append-only mode; refused by drives without it | none |
//! | `delay <kind> <secs>` | stored in the [`Settings`](crate::Settings); `load`, `thread` and `unload` are waited out here before `load`/`lload` and `unload`/`set_empty`, the others by the daemon's SCSI path | none |
//! | `InquiryDataChange` | UNIT ATTENTION 3F/03 for every I_T nexus | none |
//! | `verbose`, `debug` | [`Settings`](crate::Settings) changed (and logged) | none |
//! | `dump` | the status text written to the log | none |
//! | `exit` | [`Outcome::shutdown`] | none |
//! | `status [--json]` | — | the status, text or JSON |
//!
//! Library commands are refused (`'open map' is a library command; device 11 is a drive`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use vtllibrary::drive_slot::drive_error_sense;
use vtltape::{CompressionAlgorithm, TapeDrive};

use crate::remote_drive::refusal_text;
use crate::reply::{Outcome, Reply};
use crate::request::{Compression, DelayKind, DeviceKind, Request};
use crate::server::Control;
use crate::settings::{SharedSettings, with_settings};
use crate::shared::Shared;
use crate::{Log, common, hex64};

/// How a handler waits out a delay (`std::thread::sleep`, or a test's recorder).
pub type Pause = Box<dyn FnMut(Duration) + Send>;

/// The control handler of drive `id`.
pub struct DriveControl<S = Arc<Mutex<TapeDrive>>> {
    id: u32,
    drive: S,
    settings: SharedSettings,
    log: Log,
    pause: Pause,
}

impl<S> std::fmt::Debug for DriveControl<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriveControl")
            .field("id", &self.id)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<S: Shared<TapeDrive>> DriveControl<S> {
    /// Control of drive `id` (its device.conf `Drive:` number) reached through `drive`;
    /// default settings; log lines go to standard error as `vtl drive <id>: <text>`.
    pub fn new(id: u32, drive: S) -> Self {
        DriveControl {
            id,
            drive,
            settings: SharedSettings::default(),
            log: Box::new(move |s| eprintln!("vtl drive {id}: {s}")),
            pause: Box::new(std::thread::sleep),
        }
    }

    /// Wait out the `load`, `thread` and `unload` delays with `pause` instead of sleeping
    /// (it is called only for a delay that is not zero).
    pub fn with_pause(mut self, pause: impl FnMut(Duration) + Send + 'static) -> Self {
        self.pause = Box::new(pause);
        self
    }

    /// Wait `secs` seconds (nothing for 0).
    fn delay(&mut self, secs: u32) {
        if secs > 0 {
            (self.pause)(Duration::from_secs(u64::from(secs)));
        }
    }

    /// The load delay plus the thread delay: a cartridge is put in, then threaded.
    fn load_delay(&mut self) {
        let d = with_settings(&self.settings, |s| s.delays.load + s.delays.thread);
        self.delay(d);
    }

    fn unload_delay(&mut self) {
        let d = with_settings(&self.settings, |s| s.delays.unload);
        self.delay(d);
    }

    /// Send log lines (`verbose`/`debug` changes, `dump`) to `log` instead.
    pub fn with_log(mut self, log: impl FnMut(&str) + Send + 'static) -> Self {
        self.log = Box::new(log);
        self
    }

    /// Use `settings` (shared with the daemon, which reads the verbosity and applies the
    /// delays).
    pub fn with_settings(mut self, settings: SharedSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The settings vtlcmd changes.
    pub fn settings(&self) -> SharedSettings {
        self.settings.clone()
    }

    /// The status report as text: identity, cartridge, compression, append-only mode,
    /// TapeAlert flags, verbosity, delays; one item per line.
    pub fn status_text(&self) -> String {
        let st = with_settings(&self.settings, |s| *s);
        self.drive.with(|t| {
            let d = t.drive();
            let c = d.config();
            let cart = match (t.cartridge_barcode(), t.is_loaded()) {
                (None, _) => "none".to_string(),
                (Some(b), true) => {
                    let wp = if d.write_protected() {
                        ", write protected"
                    } else {
                        ""
                    };
                    format!("{b} (loaded{wp})")
                }
                (Some(b), false) => format!("{b} (in the drive, not loaded)"),
            };
            let delays = DelayKind::ALL
                .iter()
                .map(|k| format!("{} {}", k.word(), st.delays.get(*k)))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "Drive {}: {} {} serial {}\nCartridge: {cart}\nCompression: {}, {}\n\
                 Append only: {}\nTapeAlert: {}\nVerbose: {}\nDebug: {}\nDelays (s): {delays}\n",
                self.id,
                c.vendor,
                c.product,
                c.serial,
                algorithm_name(c.compression.algorithm),
                if d.compression_enabled() {
                    "enabled"
                } else {
                    "disabled"
                },
                yes_no(d.append_only()),
                hex64(d.tape_alert()),
                st.verbose,
                if st.debug { "on" } else { "off" },
            )
        })
    }

    /// The status report as JSON: `{"kind": "drive", "id", "vendor", "product", "serial",
    /// "cartridge" (barcode or null), "loaded", "write_protected", "compression":
    /// {"algorithm" ("lzo" / "zlib" / null), "enabled"}, "append_only", "tape_alert"
    /// ("0x" + 16 hex digits), "verbose", "debug", "delays": {"load", "unload", "rewind",
    /// "position", "thread"} (seconds)}`.
    pub fn status_json(&self) -> serde_json::Value {
        let st = with_settings(&self.settings, |s| *s);
        self.drive.with(|t| {
            let d = t.drive();
            let c = d.config();
            json!({
                "kind": "drive",
                "id": self.id,
                "vendor": c.vendor,
                "product": c.product,
                "serial": c.serial,
                "cartridge": t.cartridge_barcode(),
                "loaded": t.is_loaded(),
                "write_protected": d.write_protected(),
                "compression": {
                    "algorithm": c.compression.algorithm.map(|a| algorithm_name(Some(a))),
                    "enabled": d.compression_enabled(),
                },
                "append_only": d.append_only(),
                "tape_alert": hex64(d.tape_alert()),
                "verbose": st.verbose,
                "debug": st.debug,
                "delays": {
                    "load": st.delays.load,
                    "unload": st.delays.unload,
                    "rewind": st.delays.rewind,
                    "position": st.delays.position,
                    "thread": st.delays.thread,
                },
            })
        })
    }

    fn load(&mut self, pcl: &str) -> Reply {
        self.load_delay();
        match self.drive.with(|t| t.load_barcode(pcl)) {
            Ok(()) => Reply::ok(""),
            Err(e) => Reply::error(format!("Load failed: {pcl}: {e}")),
        }
    }

    /// `lload`: as [`DriveSlot::load`](vtllibrary::DriveSlot::load) for a drive in the same
    /// process: a refused cartridge is taken back out of the drive's mouth, and the refusal
    /// carries the library's sense ([`drive_error_sense`]).
    fn library_load(&mut self, pcl: &str) -> Reply {
        self.load_delay();
        self.drive.with(|t| match t.load_barcode(pcl) {
            Ok(()) => Reply::ok(""),
            Err(e) => {
                if t.cartridge_barcode().as_deref() == Some(pcl) {
                    let _ = t.unload();
                }
                Reply::error(refusal_text(
                    &drive_error_sense(&e),
                    &format!("Load failed: {pcl}: {e}"),
                ))
            }
        })
    }

    /// `set_empty`: unload whatever the drive holds; the reply is its barcode.
    fn set_empty(&mut self) -> Reply {
        if self.drive.with(|t| t.cartridge_barcode()).is_some() {
            self.unload_delay();
        }
        self.drive.with(|t| match t.unload() {
            Ok(Some(b)) => Reply::ok(b),
            Ok(None) => Reply::ok(""),
            Err(e) => Reply::error(refusal_text(
                &drive_error_sense(&e),
                &format!("Unload failed: {e}"),
            )),
        })
    }

    fn unload(&mut self, pcl: &str) -> Reply {
        if self.drive.with(|t| t.cartridge_barcode()).as_deref() == Some(pcl) {
            self.unload_delay();
        }
        self.drive.with(|t| match t.cartridge_barcode() {
            None => Reply::error(format!("Unload failed: {pcl}: the drive is empty")),
            Some(b) if b != pcl => {
                Reply::error(format!("Unload failed: {pcl}: the drive holds {b}"))
            }
            Some(_) => match t.unload() {
                Ok(_) => Reply::ok(""),
                Err(e) => Reply::error(format!("Unload failed: {pcl}: {e}")),
            },
        })
    }
}

fn algorithm_name(a: Option<CompressionAlgorithm>) -> &'static str {
    match a {
        Some(CompressionAlgorithm::Lzo) => "lzo",
        Some(CompressionAlgorithm::Zlib) => "zlib",
        None => "none",
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl<S: Shared<TapeDrive>> Control for DriveControl<S> {
    fn handle(&mut self, req: Request) -> Outcome {
        if let Some(o) = common(
            &req,
            DeviceKind::Drive,
            self.id,
            &self.settings,
            &mut self.log,
        ) {
            return o;
        }
        let reply = match &req {
            Request::Load(pcl) => self.load(pcl),
            Request::Unload(pcl) => self.unload(pcl),
            Request::LibraryLoad(pcl) => self.library_load(pcl),
            Request::SetEmpty => self.set_empty(),
            Request::MountState => Reply::ok(
                self.drive
                    .with(|t| t.cartridge_barcode())
                    .unwrap_or_default(),
            ),
            Request::TapeAlert(bits) => {
                self.drive.with(|t| t.drive_mut().set_tape_alert(*bits));
                Reply::ok("")
            }
            Request::InquiryDataChange => {
                self.drive.with(|t| t.spc_mut().inquiry_data_changed());
                Reply::ok("")
            }
            Request::Compression(c) => {
                let alg = match c {
                    Compression::Zlib => CompressionAlgorithm::Zlib,
                    Compression::Lzo => CompressionAlgorithm::Lzo,
                };
                self.drive
                    .with(|t| t.drive_mut().set_compression_algorithm(alg));
                Reply::ok("")
            }
            Request::AppendOnly(on) => {
                let (now, product) = self.drive.with(|t| {
                    let now = t.drive_mut().set_append_only(*on);
                    (now, t.drive().config().product.clone())
                });
                if now == *on {
                    Reply::ok("")
                } else {
                    Reply::error(format!(
                        "Append Only: this drive ({product}) has no append-only mode"
                    ))
                }
            }
            Request::Delay(kind, secs) => {
                with_settings(&self.settings, |s| s.delays.set(*kind, *secs));
                Reply::ok("")
            }
            Request::Dump => {
                let text = self.status_text();
                for line in text.lines() {
                    (self.log)(line);
                }
                Reply::ok("")
            }
            Request::Status { json: false } => Reply::ok(self.status_text()),
            Request::Status { json: true } => Reply::ok(self.status_json().to_string()),
            // `common` answered the rest (other commands, library commands).
            other => Reply::error(format!("'{}' is not handled by a drive", other.name())),
        };
        reply.into()
    }
}
