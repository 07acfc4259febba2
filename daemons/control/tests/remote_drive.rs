//! A library whose drive runs behind a control socket (as in another daemon): MOVE MEDIUM
//! to and from the drive through [`RemoteDrive`] and a [`DriveControl`] server thread, the
//! drive's refusals reported with the library's sense, the library's record used while the
//! drive's daemon is down, and the delays of `delay load|thread|unload` waited out.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::{Barcode, LibraryConf, LibraryContents};
use vtl_control::remote_drive::identifier_of;
use vtl_control::{Client, DriveControl, RemoteDrive, Request, Server, runtime};
use vtl_scsi::InProcess;
use vtllibrary::{DriveSlot, Library, SharedLu};
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

/// STK L700 element addresses: picker 1, MAP 10, drives 500, slots 1000.
const DRIVE: u16 = 500;
const SLOT1: u16 = 1000;

fn drive_config(home: &Path) -> DriveConfig {
    DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "DRV0011".into(),
        compression: CompressionConfig {
            algorithm: None,
            level: 1,
            enabled: false,
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }
}

fn move_medium(src: u16, dst: u16) -> [u8; 12] {
    let s = src.to_be_bytes();
    let d = dst.to_be_bytes();
    [0xa5, 0, 0, 0, s[0], s[1], d[0], d[1], 0, 0, 0, 0]
}

/// READ ELEMENT STATUS of the drive element with VOLTAG and DVCID.
fn res_drive() -> [u8; 12] {
    let s = DRIVE.to_be_bytes();
    [0xb8, 0x14, s[0], s[1], 0, 1, 0x01, 0, 0x04, 0, 0, 0]
}

struct Setup {
    _dir: tempfile::TempDir,
    home: std::path::PathBuf,
    socket: std::path::PathBuf,
    drive: Arc<Mutex<TapeDrive>>,
    pauses: Arc<Mutex<Vec<Duration>>>,
    server: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// A media home with E01001L8 (LTO-8) and OLD001L3 (LTO-3, which an LTO-8 drive refuses),
/// and drive 11 served on its socket in a temporary runtime directory.
fn setup() -> Setup {
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
    let socket = runtime::socket_path(&dir.path().join("run"), 11);
    let drive = Arc::new(Mutex::new(TapeDrive::new(drive_config(&home))));
    let pauses = Arc::new(Mutex::new(Vec::new()));
    let p = pauses.clone();
    let server = Server::bind(&socket)
        .unwrap()
        .spawn(
            DriveControl::new(11, drive.clone())
                .with_log(|_| {})
                .with_pause(move |d| p.lock().unwrap().push(d)),
        )
        .unwrap();
    Setup {
        _dir: dir,
        home,
        socket,
        drive,
        pauses,
        server: Some(server),
    }
}

fn library(s: &Setup, remote: RemoteDrive) -> InProcess<Library> {
    let mut conf = LibraryConf::new(10, 0, 0, 0);
    conf.vendor = Some("STK".into());
    conf.product = Some("L700".into());
    conf.home = s.home.clone();
    let contents = LibraryContents {
        library: 10,
        version: Some(2),
        drives: vec![None],
        pickers: vec![None],
        maps: vec![None],
        slots: vec![
            Some(Barcode::new("E01001L8").unwrap()),
            Some(Barcode::new("OLD001L3").unwrap()),
        ],
        layout: Default::default(),
    };
    let handles: Vec<Box<dyn DriveSlot>> = vec![Box::new(remote)];
    let mut lu = InProcess::new(Library::new(&conf, &contents, handles).unwrap());
    // The power-on unit attention.
    assert_eq!(lu.command(1, &[0; 6], &[], 0).key_asc(), Some((6, 0x29, 0)));
    lu
}

/// Stop the drive's server; the temporary directory lives on in the returned value.
fn stop(mut s: Setup) -> tempfile::TempDir {
    Client::request(&s.socket, &Request::Exit, Duration::from_secs(10)).unwrap();
    s.server.take().unwrap().join().unwrap().unwrap();
    s._dir
}

#[test]
fn moves_reach_the_drive_daemon() {
    let s = setup();
    let remote = RemoteDrive::for_config(s.socket.clone(), &drive_config(&s.home));
    let mut lib = library(&s, remote);

    // Slot 1 → drive: the drive (behind its socket) threads E01001L8.
    let c = lib.command(1, &move_medium(SLOT1, DRIVE), &[], 0);
    assert!(c.is_good(), "{:?}", c.sense());
    assert_eq!(
        s.drive.lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01001L8")
    );
    assert!(s.drive.lock().unwrap().is_loaded());
    assert_eq!(
        Client::request(&s.socket, &Request::MountState, Duration::from_secs(5))
            .unwrap()
            .text,
        "E01001L8"
    );

    // READ ELEMENT STATUS of the drive: full, barcode, and the drive's identifier
    // (DVCID: vendor, product, serial as the drive's INQUIRY says them).
    let c = lib.command(1, &res_drive(), &[], 1024);
    assert!(c.is_good(), "{:?}", c.sense());
    let d = &c.data;
    // header 8, page header 8, descriptor: address 2, flags 1 (FULL = bit 0).
    assert_eq!(u16::from_be_bytes([d[16], d[17]]), DRIVE);
    assert_eq!(d[18] & 1, 1, "FULL");
    assert_eq!(&d[28..36], b"E01001L8");
    let id = b"IBM     ULT3580-TD8     DRV0011";
    assert!(
        d.windows(id.len()).any(|w| w == id),
        "no identifier in {d:02x?}"
    );
    assert_eq!(identifier_of(&drive_config(&s.home)), id.to_vec());

    // The host prevents medium removal at the drive: the move out is refused with
    // MEDIUM REMOVAL PREVENTED, and the cartridge stays in the drive.
    let mut host = InProcess::new(SharedLu(s.drive.clone()));
    // The drive's own unit attentions (power on, medium changed) go first.
    for _ in 0..4 {
        let _ = host.command(7, &[0; 6], &[], 0);
    }
    assert!(host.command(7, &[0x1e, 0, 0, 0, 1, 0], &[], 0).is_good());
    let c = lib.command(1, &move_medium(DRIVE, SLOT1), &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x53, 2)));
    assert!(s.drive.lock().unwrap().is_loaded());
    assert!(host.command(7, &[0x1e, 0, 0, 0, 0, 0], &[], 0).is_good());

    // Allowed again: back to slot 1, the drive empty.
    let c = lib.command(1, &move_medium(DRIVE, SLOT1), &[], 0);
    assert!(c.is_good(), "{:?}", c.sense());
    assert_eq!(s.drive.lock().unwrap().cartridge_barcode(), None);
    assert_eq!(
        lib.lu().inventory().positions()[0],
        (SLOT1, "E01001L8".into())
    );

    // An LTO-3 cartridge: the drive refuses it, the library reports INCOMPATIBLE MEDIUM
    // INSTALLED, the cartridge stays in its slot and the drive's mouth is empty.
    let c = lib.command(1, &move_medium(SLOT1 + 1, DRIVE), &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x30, 0)));
    assert_eq!(s.drive.lock().unwrap().cartridge_barcode(), None);
    assert!(
        lib.lu()
            .inventory()
            .positions()
            .contains(&(SLOT1 + 1, "OLD001L3".into()))
    );
    stop(s);
}

#[test]
fn drive_refusals_carry_the_library_sense() {
    let s = setup();
    // lload of a cartridge the media home does not have: MEDIUM LOAD OR EJECT FAILED.
    let r = Client::request(
        &s.socket,
        &Request::LibraryLoad("NONE01L8".into()),
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(!r.ok);
    assert!(
        r.text.starts_with("04/53/00 Load failed: NONE01L8: "),
        "{}",
        r.text
    );
    let r = Client::request(
        &s.socket,
        &Request::LibraryLoad("OLD001L3".into()),
        Duration::from_secs(5),
    )
    .unwrap();
    assert!(
        r.text.starts_with("05/30/00 Load failed: OLD001L3: "),
        "{}",
        r.text
    );
    // Nothing left in the drive's mouth after a refusal.
    assert_eq!(
        Client::request(&s.socket, &Request::MountState, Duration::from_secs(5))
            .unwrap()
            .text,
        ""
    );
    // set_empty of an empty drive: ok, no barcode.
    assert_eq!(
        Client::request(&s.socket, &Request::SetEmpty, Duration::from_secs(5)).unwrap(),
        vtl_control::Reply::ok("")
    );
    // RemoteDrive's own view of the same exchanges.
    let mut remote = RemoteDrive::new(s.socket.clone(), Vec::new());
    remote.load("E01001L8").unwrap();
    assert_eq!(remote.recorded(), Some("E01001L8"));
    assert_eq!(remote.unload().unwrap().as_deref(), Some("E01001L8"));
    assert_eq!(remote.recorded(), None);
    assert_eq!(remote.unload().unwrap(), None);
    stop(s);
}

#[test]
fn a_drive_daemon_that_is_down() {
    let s = setup();
    let socket = s.socket.clone();
    let _dir = stop(s);
    // No daemon: the library's record answers mount_state; moves fail with LOGICAL UNIT
    // COMMUNICATION FAILURE.
    let mut remote = RemoteDrive::new(socket.clone(), b"id".to_vec())
        .with_recorded(Some("E01001L8".into()))
        .with_timeouts(Duration::from_secs(2), Duration::from_millis(200));
    assert_eq!(remote.loaded_barcode().as_deref(), Some("E01001L8"));
    let e = remote.load("E01002L8").unwrap_err();
    assert_eq!((e.key as u8, e.asc.0, e.asc.1), (4, 0x08, 0));
    let e = remote.unload().unwrap_err();
    assert_eq!((e.key as u8, e.asc.0, e.asc.1), (4, 0x08, 0));
    assert_eq!(remote.recorded(), Some("E01001L8"), "kept after a failure");
    assert_eq!(remote.identifier(), b"id".to_vec());

    // A daemon that accepts but never answers: COMMUNICATION TIME-OUT.
    let _ = std::fs::remove_file(&socket);
    let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let mut remote = RemoteDrive::new(socket.clone(), Vec::new())
        .with_timeouts(Duration::from_millis(300), Duration::from_millis(300));
    let e = remote.load("E01001L8").unwrap_err();
    assert_eq!((e.key as u8, e.asc.0, e.asc.1), (4, 0x08, 1));
    assert_eq!(remote.loaded_barcode(), None);
    drop(listener);
}

#[test]
fn load_and_unload_delays_are_waited_out() {
    let s = setup();
    let t = Duration::from_secs(5);
    for line in [
        "delay load 3",
        "delay thread 2",
        "delay unload 4",
        "delay rewind 9",
    ] {
        assert!(
            Client::request(&s.socket, &Request::parse(line).unwrap(), t)
                .unwrap()
                .ok
        );
    }
    assert!(
        Client::request(&s.socket, &Request::LibraryLoad("E01001L8".into()), t)
            .unwrap()
            .ok
    );
    assert_eq!(
        Client::request(&s.socket, &Request::SetEmpty, t).unwrap(),
        vtl_control::Reply::ok("E01001L8")
    );
    // An empty drive: no unload delay.
    assert!(
        Client::request(&s.socket, &Request::SetEmpty, t)
            .unwrap()
            .ok
    );
    assert!(
        Client::request(&s.socket, &Request::Load("E01001L8".into()), t)
            .unwrap()
            .ok
    );
    assert!(
        Client::request(&s.socket, &Request::Unload("E01001L8".into()), t)
            .unwrap()
            .ok
    );
    assert_eq!(
        *s.pauses.lock().unwrap(),
        [5, 4, 5, 4].map(Duration::from_secs).to_vec()
    );
    stop(s);
}
