//! vtl-control: the control channel between `vtlcmd` and vtl's daemons (spec section 2.4
//! for the commands, section 4 for what mhvtl did instead).
//!
//! # Design
//!
//! * **One Unix domain socket per daemon**, `<runtime dir>/vtl-<id>.sock` ([`runtime`]):
//!   the runtime directory is vtlcmd's `--runtime-dir`, else `$VTL_RUNTIME_DIR`, else
//!   `/run/vtl`; `<id>` is the daemon's device.conf `Drive:` / `Library:` number. The
//!   socket has mode 0660 and, when group `vtl` exists, that group (best effort); a socket
//!   file left by a dead daemon is replaced when the next one binds ([`Server::bind`]).
//! * **One request per connection, one reply, then close** ([`frame`]). mhvtl shares one
//!   System V message queue among all daemons and vtlcmd, and leaves the drive's `Unloaded
//!   OK` in it for the next vtlcmd to read as its own reply (spec 8 items 17, 18); here a
//!   reply can only reach the connection that asked for it, and lengths are exact.
//! * **Request**: one line of UTF-8 text, at most 1024 bytes — the words of the mhvtl
//!   command (`load map E01001L8`, `TapeAlert 0x00000000000000ff`) — parsed into a typed
//!   [`Request`] whose errors name the wrong word ([`request`]).
//! * **Reply**: a status line `ok` or `error`, then the text — mhvtl's reply texts (`OK`,
//!   `slot=7`, `MAP not opened`, ...), nothing for the commands mhvtl does not answer, or
//!   the status report, as text or JSON (`status --json`) ([`Reply`]).
//! * **Nobody waits for ever**: both sides set read and write timeouts; the client also
//!   bounds the whole exchange ([`Client::request`]); the server reads at most 1025 bytes
//!   of a request.
//! * **vtlcmd** ([`cmdline`]): the device number, its kind in device.conf, the command
//!   checked against it, the reply printed as mhvtl's vtlcmd prints it.
//! * **Handlers** ([`Control`]): [`DriveControl`] over a vtltape [`vtltape::TapeDrive`] and
//!   [`LibraryControl`] over a vtllibrary [`vtllibrary::Library`], each reached through
//!   [`Shared`] (`Arc<Mutex<_>>`, or `Arc<Mutex<InProcess<_>>>`); `exit` makes
//!   [`Server::serve`] return. Log verbosity, debug and the drive delays live in
//!   [`Settings`], shared with the daemon, which applies the delays.
//! * **A library's drives in other processes** ([`RemoteDrive`], [`remote_drive`]): the
//!   library daemon reaches each drive daemon over the same sockets with mhvtl's words
//!   `lload`, `set_empty` and `mount_state`; a refusal carries the sense the library reports.
//!
//! ```no_run
//! use std::path::Path;
//! use std::sync::{Arc, Mutex};
//! use std::time::Duration;
//! use vtl_control::{Client, DriveControl, Request, Server, runtime};
//! use vtltape::{DriveConfig, TapeDrive};
//!
//! // An LTO-8 drive whose cartridges live in /opt/vtl (E01001L8 made there by mktape).
//! let drive = TapeDrive::new(DriveConfig {
//!     product: "ULT3580-TD8".into(),
//!     media_home: Some(Path::new("/opt/vtl").to_path_buf()),
//!     ..Default::default()
//! });
//! let path = runtime::socket_path(&runtime::runtime_dir(None), 11);
//! let server = Server::bind(&path)?;
//! let control = DriveControl::new(11, Arc::new(Mutex::new(drive)));
//! let thread = server.spawn(control)?;
//! let reply = Client::request(&path, &Request::parse("load E01001L8")?, Duration::from_secs(10))?;
//! assert!(reply.ok);
//! Client::request(&path, &Request::Exit, Duration::from_secs(10))?;
//! thread.join().expect("control thread")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod client;
pub mod cmdline;
pub mod drive;
pub mod frame;
pub mod library;
pub mod remote_drive;
pub mod reply;
pub mod request;
pub mod runtime;
pub mod server;
pub mod settings;
pub mod shared;

pub use client::{Client, ControlError};
pub use drive::DriveControl;
pub use frame::{FrameError, MAX_REPLY_LEN};
pub use library::LibraryControl;
pub use remote_drive::RemoteDrive;
pub use reply::{Outcome, Reply};
pub use request::{
    Applies, Compression, DelayKind, DeviceKind, MAX_REQUEST_LEN, ParseError, Request,
};
pub use server::{Control, Served, Server};
pub use settings::{Delays, Settings, SharedSettings};
pub use shared::Shared;

/// Where a handler writes its log lines (`verbose`/`debug` changes, `dump`).
pub type Log = Box<dyn FnMut(&str) + Send>;

/// `v` as `0x` and 16 hexadecimal digits (how TapeAlert flags are shown).
pub fn hex64(v: u64) -> String {
    format!("0x{v:016x}")
}

/// The commands every daemon answers the same way: `verbose`, `debug`, `exit`, and the
/// refusal of a command meant for the other kind of daemon. `None` for the others.
fn common(
    req: &Request,
    kind: DeviceKind,
    id: u32,
    settings: &SharedSettings,
    log: &mut Log,
) -> Option<Outcome> {
    if !req.applies_to(kind) {
        let other = match kind {
            DeviceKind::Drive => DeviceKind::Library,
            DeviceKind::Library => DeviceKind::Drive,
        };
        return Some(
            Reply::error(format!(
                "'{}' is a {other} command; device {id} is a {kind}",
                req.name()
            ))
            .into(),
        );
    }
    match req {
        Request::Verbose => {
            let v = settings::with_settings(settings, Settings::cycle_verbose);
            log(&if v == 0 {
                "verbose off".to_string()
            } else {
                format!("verbose level {v}")
            });
            Some(Reply::ok("").into())
        }
        Request::Debug => {
            let on = settings::with_settings(settings, |s| {
                s.debug = !s.debug;
                s.debug
            });
            log(if on { "debug on" } else { "debug off" });
            Some(Reply::ok("").into())
        }
        Request::Exit => {
            log("exit requested");
            Some(Outcome::shutdown(Reply::ok("")))
        }
        _ => None,
    }
}
