//! The daemon loop over transports of the tests' own (no kernel here): how it stops
//! (`exit` on its socket, a signal, a failing transport), and a library daemon and a drive
//! daemon talking over their sockets as vtltape and vtllibrary do — MOVE MEDIUM sent to the
//! library reaches the drive daemon, which then answers the host's TEST UNIT READY; and
//! the library's SCSI commands and vtlcmd's requests serialized behind a move in flight.

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
    commands: mpsc::Receiver<(u64, Vec<u8>)>,
    replies: mpsc::Sender<(Reply, Vec<u8>)>,
    fail_after: Option<usize>,
    removed: Arc<AtomicBool>,
}

/// The test's end of a [`Channelled`].
struct Host {
    commands: mpsc::Sender<(u64, Vec<u8>)>,
    replies: mpsc::Receiver<(Reply, Vec<u8>)>,
}

impl Host {
    fn command(&self, cdb: &[u8]) -> (Reply, Vec<u8>) {
        self.send(1, cdb);
        self.reply()
    }

    /// Queue `cdb` from initiator `nexus` without waiting for its reply.
    fn send(&self, nexus: u64, cdb: &[u8]) {
        self.commands.send((nexus, cdb.to_vec())).unwrap();
    }

    /// The next reply, in the order the commands were queued.
    fn reply(&self) -> (Reply, Vec<u8>) {
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
            let Ok((nexus, cdb)) = self.commands.recv_timeout(Duration::from_millis(20)) else {
                continue;
            };
            let mut data = Vec::new();
            let reply = lu.execute(
                &ScsiRequest {
                    nexus,
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

const LIBRARY_CONTENTS: &str =
    "Drive 1:\nPicker 1:\nMAP 1:\nSlot 1: E01001L8\nSlot 2: OLD001L3\nSlot 3:\n";

/// Library 10 of `conf` with `contents` (library_contents.10's text) as a daemon on
/// `transport`, in a thread, its drives reached through their sockets in `e`'s run
/// directory.
fn library_daemon(
    e: &Env,
    conf: &DeviceConf,
    contents: &str,
    transport: Channelled,
) -> std::thread::JoinHandle<Ending> {
    let contents = LibraryContents::parse(contents, Path::new("library_contents.10"), 10)
        .unwrap()
        .0;
    let s = library_setup(conf, contents, 10, Path::new("device.conf"), None).unwrap();
    let library = Library::new(&s.conf, &s.contents, s.drive_slots(&e.run(), None)).unwrap();
    let library = Arc::new(Mutex::new(library));
    let stop = Arc::new(AtomicBool::new(false));
    let d = Daemon {
        server: Server::bind(&runtime::socket_path(&e.run(), 10)).unwrap(),
        handler: Box::new(LibraryControl::new(10, library.clone()).with_log(|_| {})),
        lu: Box::new(Served::new(
            library,
            vtl_control::SharedSettings::default(),
            stop.clone(),
            Delaying::Changer,
        )),
        stop,
    };
    std::thread::spawn(move || {
        let mut t = transport;
        run(d, &mut t)
    })
}

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

    let (lt, lib_host, _) = channelled(None);
    let lh = library_daemon(&e, &conf, LIBRARY_CONTENTS, lt);

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

/// READ ELEMENT STATUS of every element with volume tags, 64 KiB allocation.
const RES_ALL: [u8; 12] = [0xb8, 0x10, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0];

/// Each element of a READ ELEMENT STATUS reply (with volume tags): its address and the
/// barcode of a full one.
fn res_elements(data: &[u8]) -> Vec<(u16, Option<String>)> {
    let mut out = Vec::new();
    let mut p = 8;
    while p + 8 <= data.len() {
        let voltag = data[p + 1] & 0x80 != 0;
        let len = usize::from(u16::from_be_bytes([data[p + 2], data[p + 3]]));
        let bytes = (usize::from(data[p + 6]) << 8) | usize::from(data[p + 7]);
        let end = (p + 8 + bytes).min(data.len());
        let mut d = p + 8;
        while len > 0 && d + len <= end {
            let desc = &data[d..d + len];
            let full = desc[2] & 1 == 1;
            let tag = (voltag && full).then(|| {
                String::from_utf8_lossy(&desc[12..44])
                    .trim_end()
                    .to_string()
            });
            out.push((u16::from_be_bytes([desc[0], desc[1]]), tag));
            d += len;
        }
        p = end;
    }
    out
}

/// Where `pcl` is in a library status report (`status --json`): the (type, number) of
/// every element holding it.
fn held(status: &serde_json::Value, pcl: &str) -> Vec<(String, u64)> {
    status["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["barcode"] == pcl)
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_string(),
                e["number"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The library daemon serves SCSI and vtlcmd through one shared library: while a MOVE
/// MEDIUM is in flight (its movecommand takes a second), a second initiator's READ ELEMENT
/// STATUS and MOVE MEDIUM and the control channel's `status` and `load map` wait for it,
/// and each sees the cartridge in exactly one element; the state file agrees at the end.
#[test]
fn a_move_in_flight_holds_back_scsi_and_control() {
    let e = env();
    make_cartridge(
        &e.home(),
        "E01003L8",
        Format::V6,
        MediumType::Data,
        "LTO8",
        8 << 20,
    );
    // The hook logs its start, waits a second, logs its end.
    let hooks = e.dir.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let log = hooks.join("moves");
    let hook = hooks.join("move.sh");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\necho \"start $*\" >> '{0}'\nsleep 1\necho \"end $*\" >> '{0}'\n",
            log.display()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let ends = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("end "))
            .count()
    };
    let mut conf = e.conf();
    conf.libraries[0].movecommand = Some(hook.clone());
    let (dt, _drive_host, _) = channelled(None);
    let (dh, _, drive) = drive_daemon(&e, dt);
    let (lt, host, _) = channelled(None);
    let lh = library_daemon(&e, &conf, LIBRARY_CONTENTS, lt);
    let lsock = runtime::socket_path(&e.run(), 10);
    // Both initiators past their power-on unit attention.
    for nexus in [1, 2] {
        host.send(nexus, &TUR);
        assert_eq!(key_asc(&host.reply().0), Some((6, 0x29, 0)));
    }
    assert!(Client::request(&lsock, &Request::OpenMap, T).unwrap().ok);

    // Initiator 1: slot 1 -> drive. Wait until its hook runs: the move is in flight.
    host.send(1, &move_medium(1000, 500));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&log)
        .unwrap_or_default()
        .contains("start")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the move never started"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Initiator 2: READ ELEMENT STATUS, then drive -> slot 3 (only possible after the
    // first move).
    host.send(2, &RES_ALL);
    host.send(2, &move_medium(500, 1002));
    // The control channel, from two clients at once.
    let control = |req: Request| {
        let lsock = lsock.clone();
        let log = log.clone();
        std::thread::spawn(move || {
            let reply = Client::request(&lsock, &req, Duration::from_secs(60)).unwrap();
            let ended = std::fs::read_to_string(&log)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.starts_with("end "))
                .count();
            (reply, ended)
        })
    };
    let status = control(Request::Status { json: true });
    let load_map = control(Request::LoadMap("E01003L8".into()));

    let (r, _) = host.reply();
    assert_eq!(r, Reply::GOOD, "first move: {:?}", key_asc(&r));
    let (r, data) = host.reply();
    assert_eq!(r, Reply::GOOD, "RES: {:?}", key_asc(&r));
    // Run after the move: the cartridge is in the drive (500), and only there.
    let res = res_elements(&data);
    let at: Vec<u16> = res
        .iter()
        .filter(|(_, b)| b.as_deref() == Some("E01001L8"))
        .map(|(a, _)| *a)
        .collect();
    assert_eq!(at, [500], "{res:?}");
    let (r, _) = host.reply();
    assert_eq!(r, Reply::GOOD, "second move: {:?}", key_asc(&r));

    let (st, st_ended) = status.join().unwrap();
    let (lm, lm_ended) = load_map.join().unwrap();
    assert!(st.ok && lm.ok, "{st:?} {lm:?}");
    // Neither answered before the first move's hook had ended.
    assert!(st_ended >= 1 && lm_ended >= 1, "{st_ended} {lm_ended}");
    // The status saw the cartridge in one element: the drive (before the second move) or
    // slot 3 (after it), never slot 1, never two places, never none.
    let st: serde_json::Value = serde_json::from_str(&st.text).unwrap();
    let places = held(&st, "E01001L8");
    assert!(
        places == [("drive".to_string(), 1)] || places == [("slot".to_string(), 3)],
        "{places:?}"
    );
    assert_eq!(ends(), 2);

    // The end: the drive empty, the cartridge in slot 3, the new one in the MAP; the
    // library's report, the drive daemon and the state file agree.
    let st = Client::request(&lsock, &Request::Status { json: true }, T).unwrap();
    let st: serde_json::Value = serde_json::from_str(&st.text).unwrap();
    assert_eq!(held(&st, "E01001L8"), [("slot".to_string(), 3)]);
    assert_eq!(held(&st, "E01003L8"), [("map".to_string(), 1)]);
    assert_eq!(drive.lock().unwrap().cartridge_barcode(), None);
    let saved = vtllibrary::journal::Journal::new(vtllibrary::journal::Journal::default_path(
        &e.home(),
        10,
    ))
    .load()
    .unwrap()
    .unwrap();
    let mut journal = Vec::new();
    for (t, elements) in vtllibrary::ElementType::ALL.iter().zip(&saved.elements) {
        for (i, el) in elements.iter().enumerate() {
            if let Some(b) = &el.barcode {
                journal.push((*t, i + 1, b.as_str().to_string()));
            }
        }
    }
    journal.sort();
    let mut want = vec![
        (vtllibrary::ElementType::Storage, 2, "OLD001L3".to_string()),
        (vtllibrary::ElementType::Storage, 3, "E01001L8".to_string()),
        (
            vtllibrary::ElementType::ImportExport,
            1,
            "E01003L8".to_string(),
        ),
    ];
    want.sort();
    assert_eq!(journal, want);

    for (sock, h) in [(lsock, lh), (runtime::socket_path(&e.run(), 11), dh)] {
        assert!(Client::request(&sock, &Request::Exit, T).unwrap().ok);
        assert_eq!(h.join().unwrap(), Ending::Stopped);
    }
}
