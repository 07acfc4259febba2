//! The daemon loop over transports of the tests' own (no kernel here): how it stops
//! (`exit` on its socket, a signal, a failing transport), and a library daemon and a drive
//! daemon talking over their sockets as vtltape and vtllibrary do — MOVE MEDIUM sent to the
//! library reaches the drive daemon, which then answers the host's TEST UNIT READY.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::{DeviceConf, LibraryContents};
use vtl_control::{
    Client, DriveControl, LibraryControl, Reply as CReply, Request, Server, runtime,
};
use vtl_daemon::daemon::{Daemon, Ending, Stopper, run};
use vtl_daemon::served::{Delaying, Served};
use vtl_daemon::setup::{drive_setup, library_setup};
use vtl_daemon::signals::Signal;
use vtl_daemon::transport::Transport;
use vtl_scsi::{LogicalUnit, Reply, Request as ScsiRequest};
use vtllibrary::Library;
use vtltape::TapeDrive;

const T: Duration = Duration::from_secs(10);

/// A transport that executes the CDBs it is sent over a channel (one reply back for each)
/// until stopped, and records how it ended.
struct Channelled {
    commands: mpsc::Receiver<Vec<u8>>,
    replies: mpsc::Sender<(Reply, Vec<u8>)>,
    fail_after: Option<usize>,
    removed: Arc<AtomicBool>,
}

/// The test's end of a [`Channelled`].
struct Host {
    commands: mpsc::Sender<Vec<u8>>,
    replies: mpsc::Receiver<(Reply, Vec<u8>)>,
}

impl Host {
    fn command(&self, cdb: &[u8]) -> (Reply, Vec<u8>) {
        self.commands.send(cdb.to_vec()).unwrap();
        self.replies.recv_timeout(Duration::from_secs(60)).unwrap()
    }
}

fn channelled(fail_after: Option<usize>) -> (Channelled, Host, Arc<AtomicBool>) {
    let (ctx, crx) = mpsc::channel();
    let (rtx, rrx) = mpsc::channel();
    let removed = Arc::new(AtomicBool::new(false));
    (
        Channelled {
            commands: crx,
            replies: rtx,
            fail_after,
            removed: removed.clone(),
        },
        Host {
            commands: ctx,
            replies: rrx,
        },
        removed,
    )
}

impl Transport for Channelled {
    fn serve(&mut self, lu: &mut dyn LogicalUnit, stop: &AtomicBool) -> Result<(), String> {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            if self.fail_after == Some(n) {
                return Err("device went away".into());
            }
            let Ok(cdb) = self.commands.recv_timeout(Duration::from_millis(20)) else {
                continue;
            };
            let mut data = Vec::new();
            let reply = lu.execute(
                &ScsiRequest {
                    nexus: 1,
                    cdb: &cdb,
                    data_out: &[],
                },
                &mut data,
            );
            n += 1;
            let _ = self.replies.send((reply, data));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        "test transport".into()
    }

    fn is_visible(&self) -> bool {
        true
    }

    fn remove(self: Box<Self>) -> Result<(), String> {
        self.removed.store(true, Ordering::SeqCst);
        Ok(())
    }
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn home(&self) -> PathBuf {
        self.dir.path().join("media")
    }
    fn run(&self) -> PathBuf {
        self.dir.path().join("run")
    }
    fn conf(&self) -> DeviceConf {
        let text = format!(
            "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Vendor identification: STK\n \
             Product identification: L700\n Home directory: {}\n\n\
             Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n \
             Vendor identification: IBM\n Product identification: ULT3580-TD8\n \
             Unit serial number: XYZZY_A1\n",
            self.home().display()
        );
        DeviceConf::parse(&text, Path::new("device.conf"))
            .unwrap()
            .0
    }
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("media");
    std::fs::create_dir_all(&home).unwrap();
    make_cartridge(
        &home,
        "E01001L8",
        Format::V6,
        MediumType::Data,
        "LTO8",
        8 << 20,
    );
    make_cartridge(
        &home,
        "OLD001L3",
        Format::V6,
        MediumType::Data,
        "LTO3",
        8 << 20,
    );
    Env { dir }
}

/// The drive daemon of `e` on `transport`, in a thread; its stop flag.
fn drive_daemon(
    e: &Env,
    transport: Channelled,
) -> (
    std::thread::JoinHandle<Ending>,
    Arc<AtomicBool>,
    Arc<Mutex<TapeDrive>>,
) {
    let s = drive_setup(&e.conf(), 11, Path::new("device.conf"), &e.home()).unwrap();
    let drive = Arc::new(Mutex::new(TapeDrive::new(s.config)));
    let settings = vtl_control::SharedSettings::default();
    let stop = Arc::new(AtomicBool::new(false));
    let d = Daemon {
        server: Server::bind(&runtime::socket_path(&e.run(), 11)).unwrap(),
        handler: Box::new(
            DriveControl::new(11, drive.clone())
                .with_settings(settings.clone())
                .with_log(|_| {}),
        ),
        lu: Box::new(Served::new(
            drive.clone(),
            settings,
            stop.clone(),
            Delaying::Drive,
        )),
        stop: stop.clone(),
    };
    let h = std::thread::spawn(move || {
        let mut t = transport;
        run(d, &mut t)
    });
    (h, stop, drive)
}

const TUR: [u8; 6] = [0; 6];

fn move_medium(src: u16, dst: u16) -> [u8; 12] {
    let s = src.to_be_bytes();
    let d = dst.to_be_bytes();
    [0xa5, 0, 0, 0, s[0], s[1], d[0], d[1], 0, 0, 0, 0]
}

fn key_asc(r: &Reply) -> Option<(u8, u8, u8)> {
    r.sense.map(|s| (s.key as u8, s.asc.0, s.asc.1))
}

#[test]
fn exit_on_the_socket_stops_cleanly() {
    let e = env();
    let (t, host, _removed) = channelled(None);
    let (h, _stop, _) = drive_daemon(&e, t);
    let socket = runtime::socket_path(&e.run(), 11);
    // It serves: SCSI through the transport, vtlcmd through the socket.
    let (r, _) = host.command(&TUR);
    assert_eq!(key_asc(&r), Some((6, 0x29, 0)), "power-on unit attention");
    let (r, _) = host.command(&TUR);
    assert_eq!(key_asc(&r), Some((2, 0x3a, 0)), "no medium");
    let st = Client::request(&socket, &Request::Status { json: false }, T).unwrap();
    assert!(
        st.text
            .starts_with("Drive 11: IBM ULT3580-TD8 serial XYZZY_A1\n"),
        "{}",
        st.text
    );
    assert_eq!(
        Client::request(&socket, &Request::Exit, T).unwrap(),
        CReply::ok("")
    );
    assert_eq!(h.join().unwrap(), Ending::Stopped);
    assert!(!socket.exists(), "the socket is removed");
}

#[test]
fn a_signal_stops_cleanly() {
    let e = env();
    let (t, host, _) = channelled(None);
    let (h, stop, _) = drive_daemon(&e, t);
    let _ = host.command(&TUR);
    let stopper = Stopper::new(stop.clone());
    stopper.on_signal(Signal::Hup);
    assert!(!stop.load(Ordering::SeqCst), "SIGHUP does not stop");
    let socket = runtime::socket_path(&e.run(), 11);
    assert!(Client::request(&socket, &Request::Verbose, T).unwrap().ok);
    stopper.on_signal(Signal::Term);
    assert_eq!(h.join().unwrap(), Ending::Stopped);
    // The control thread was ended too: nobody answers on the socket.
    assert!(Client::request(&socket, &Request::Verbose, T).is_err());
    assert!(!socket.exists());
}

#[test]
fn a_failing_transport_ends_the_daemon() {
    let e = env();
    let (t, host, _) = channelled(Some(1));
    let (h, _stop, _) = drive_daemon(&e, t);
    let _ = host.command(&TUR);
    assert_eq!(h.join().unwrap(), Ending::Failed("device went away".into()));
    let socket = runtime::socket_path(&e.run(), 11);
    assert!(Client::request(&socket, &Request::Verbose, T).is_err());
}

/// vtllibrary and vtltape as the daemons run them, each on its own transport and socket:
/// MOVE MEDIUM to the library loads the drive daemon; the drive's host then finds it
/// ready; a refused cartridge is reported with the drive's reason; the delays set with
/// vtlcmd apply to the drive's SCSI commands.
#[test]
fn library_and_drive_daemons() {
    let e = env();
    let conf = e.conf();
    let (dt, drive_host, _) = channelled(None);
    let (dh, _, drive) = drive_daemon(&e, dt);

    let contents = LibraryContents::parse(
        "Drive 1:\nPicker 1:\nMAP 1:\nSlot 1: E01001L8\nSlot 2: OLD001L3\nSlot 3:\n",
        Path::new("library_contents.10"),
        10,
    )
    .unwrap()
    .0;
    let s = library_setup(&conf, contents, 10, Path::new("device.conf"), None).unwrap();
    let library = Library::new(&s.conf, &s.contents, s.drive_slots(&e.run(), None)).unwrap();
    let library = Arc::new(Mutex::new(library));
    let settings = vtl_control::SharedSettings::default();
    let stop = Arc::new(AtomicBool::new(false));
    let (lt, lib_host, _) = channelled(None);
    let d = Daemon {
        server: Server::bind(&runtime::socket_path(&e.run(), 10)).unwrap(),
        handler: Box::new(LibraryControl::new(10, library.clone()).with_log(|_| {})),
        lu: Box::new(Served::new(
            library.clone(),
            settings,
            stop.clone(),
            Delaying::Changer,
        )),
        stop,
    };
    let lh = std::thread::spawn(move || {
        let mut t = lt;
        run(d, &mut t)
    });

    let (r, _) = lib_host.command(&TUR);
    assert_eq!(key_asc(&r), Some((6, 0x29, 0)));
    // STK L700: drive 500, slots 1000...
    let (r, _) = lib_host.command(&move_medium(1000, 500));
    assert_eq!(r, Reply::GOOD, "{:?}", key_asc(&r));
    assert_eq!(
        drive.lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01001L8")
    );
    // The drive's host: unit attentions, then ready.
    let mut last = None;
    for _ in 0..4 {
        let (r, _) = drive_host.command(&TUR);
        last = Some(r.clone());
        if r == Reply::GOOD {
            break;
        }
    }
    assert_eq!(last, Some(Reply::GOOD));

    // A delay set with vtlcmd applies to the drive's REWIND (stop flag not set: waited).
    let dsock = runtime::socket_path(&e.run(), 11);
    assert!(
        Client::request(&dsock, &Request::parse("delay rewind 1").unwrap(), T)
            .unwrap()
            .ok
    );
    let (r, _) = drive_host.command(&[0x01, 0, 0, 0, 0, 0]);
    assert_eq!(r, Reply::GOOD);

    // Back to the slot; then the LTO-3 cartridge: refused with INCOMPATIBLE MEDIUM.
    let (r, _) = lib_host.command(&move_medium(500, 1000));
    assert_eq!(r, Reply::GOOD, "{:?}", key_asc(&r));
    assert_eq!(drive.lock().unwrap().cartridge_barcode(), None);
    let (r, _) = lib_host.command(&move_medium(1001, 500));
    assert_eq!(key_asc(&r), Some((5, 0x30, 0)));

    // The library's status through its socket says where everything is.
    let lsock = runtime::socket_path(&e.run(), 10);
    let st = Client::request(&lsock, &Request::Status { json: false }, T).unwrap();
    assert!(
        st.text.contains("Slot 1 (address 1000): E01001L8\n"),
        "{}",
        st.text
    );
    assert!(
        st.text.contains("Drive 1 (address 500): empty\n"),
        "{}",
        st.text
    );

    // The drive stops; the library reports a move to it as a communication failure.
    assert!(Client::request(&dsock, &Request::Exit, T).unwrap().ok);
    assert_eq!(dh.join().unwrap(), Ending::Stopped);
    let (r, _) = lib_host.command(&move_medium(1000, 500));
    assert_eq!(key_asc(&r), Some((4, 0x08, 0)));
    assert!(Client::request(&lsock, &Request::Exit, T).unwrap().ok);
    assert_eq!(lh.join().unwrap(), Ending::Stopped);
}

/// After the loop: a clean stop removes the unit (exit status 0), a failure leaves it for
/// a restarted daemon (exit status 2).
#[test]
fn the_unit_is_removed_only_after_a_clean_stop() {
    use std::process::ExitCode;
    use vtl_daemon::tape::finish;
    let (t, _host, removed) = channelled(None);
    assert_eq!(finish(Ending::Stopped, Box::new(t)), ExitCode::from(0));
    assert!(removed.load(Ordering::SeqCst));
    let (t, _host, removed) = channelled(None);
    assert_eq!(
        finish(Ending::Failed("gone".into()), Box::new(t)),
        ExitCode::from(2)
    );
    assert!(!removed.load(Ordering::SeqCst));
}
