//! vtltape's status FIFO: the drive's state lines, in order and with the right names (not
//! mhvtl's table that is one off, spec 4.3), for SCSI commands through the daemon's unit and
//! loads and unloads through its control handler.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use clap::Parser;
use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::DeviceConf;
use vtl_control::{Control, DriveControl, Request};
use vtl_daemon::cli::TapeCli;
use vtl_daemon::drive_status::{DriveStatus, Reporting, ReportingControl};
use vtl_daemon::served::{Delaying, Served};
use vtl_daemon::setup::drive_setup;
use vtl_daemon::tape::status_fifo;
use vtl_scsi::{LogicalUnit, Reply, Request as ScsiRequest};
use vtllibrary::status_fifo::parse_line;
use vtltape::TapeDrive;

fn conf(home: &Path, fifo: &Path) -> DeviceConf {
    let text = format!(
        "Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n \
         Vendor identification: IBM\n Product identification: ULT3580-TD8\n \
         Unit serial number: XYZZY_A1\n Home directory: {}\n fifo: {}\n",
        home.display(),
        fifo.display()
    );
    DeviceConf::parse(&text, Path::new("device.conf"))
        .unwrap()
        .0
}

/// Everything in the pipe now, as the lines' texts; checks each line's shape.
fn drain(r: &mut File) -> Vec<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    let text = String::from_utf8(buf).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    text.lines()
        .map(|l| {
            let (id, text) = parse_line(l).unwrap_or_else(|| panic!("{l:?}"));
            assert_eq!(id, 11, "{l:?}");
            text.to_string()
        })
        .collect()
}

struct Rig {
    lu: Reporting<Served<TapeDrive>>,
    control: ReportingControl<DriveControl>,
    fifo: File,
}

impl Rig {
    fn scsi(&mut self, cdb: &[u8], data_out: &[u8]) -> Reply {
        let mut data = Vec::new();
        self.lu.execute(
            &ScsiRequest {
                nexus: 1,
                cdb,
                data_out,
            },
            &mut data,
        )
    }

    fn good(&mut self, cdb: &[u8], data_out: &[u8]) {
        let r = self.scsi(cdb, data_out);
        assert_eq!(r, Reply::GOOD, "{cdb:02x?}: {:?}", r.sense);
    }

    fn control(&mut self, line: &str) -> bool {
        self.control.handle(Request::parse(line).unwrap()).reply.ok
    }

    fn lines(&mut self) -> Vec<String> {
        drain(&mut self.fifo)
    }
}

fn rig(dir: &Path) -> Rig {
    let home = dir.join("media");
    for (pcl, ty, density) in [
        ("E01001L8", MediumType::Data, "LTO8"),
        ("W01001L8", MediumType::Worm, "LTO8"),
        ("N01001L8", MediumType::Null, "LTO8"),
        ("CLN001L8", MediumType::Cleaning, "LTO8"),
        ("OLD001L3", MediumType::Data, "LTO3"),
    ] {
        make_cartridge(&home, pcl, Format::V6, ty, density, 8 << 20);
    }
    let fifo = dir.join("drive.fifo");
    let s = drive_setup(&conf(&home, &fifo), 11, Path::new("device.conf"), &home).unwrap();
    let (status, warning) = DriveStatus::open(s.fifo.as_deref(), 11);
    assert_eq!(warning, None);
    let m = std::fs::metadata(&fifo).unwrap();
    assert!(m.file_type().is_fifo());
    assert_eq!(m.permissions().mode() & 0o7777, 0o644);
    let status = Arc::new(Mutex::new(status));
    let drive = Arc::new(Mutex::new(TapeDrive::new(s.config)));
    let settings = vtl_control::SharedSettings::default();
    let lu = Reporting::new(
        Served::new(
            drive.clone(),
            settings.clone(),
            Arc::new(AtomicBool::new(false)),
            Delaying::Drive,
        ),
        drive.clone(),
        status.clone(),
    );
    let control = ReportingControl::new(
        DriveControl::new(11, drive.clone())
            .with_settings(settings)
            .with_log(|_| {}),
        drive,
        status.clone(),
    );
    status.lock().unwrap().started();
    let fifo = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .unwrap();
    Rig { lu, control, fifo }
}

const TUR: [u8; 6] = [0; 6];
const REWIND: [u8; 6] = [0x01, 0, 0, 0, 0, 0];
const LOAD: [u8; 6] = [0x1b, 0, 0, 0, 1, 0];
const UNLOAD: [u8; 6] = [0x1b, 0, 0, 0, 0, 0];
/// WRITE(6)/READ(6), variable block mode, 512 bytes.
const WRITE512: [u8; 6] = [0x0a, 0, 0, 0x02, 0, 0];
const READ512: [u8; 6] = [0x08, 0, 0, 0x02, 0, 0];
const WFM1: [u8; 6] = [0x10, 0, 0, 0, 1, 0];
/// SPACE(6) one filemark forward.
const SPACE_FM: [u8; 6] = [0x11, 1, 0, 0, 1, 0];
/// LOCATE(10) to block 1.
const LOCATE1: [u8; 10] = [0x2b, 0, 0, 0, 0, 0, 1, 0, 0, 0];
/// VERIFY(6) of no block.
const VERIFY0: [u8; 6] = [0x13, 0, 0, 0, 0, 0];
/// ERASE(6), short.
const ERASE: [u8; 6] = [0x19, 0, 0, 0, 0, 0];

/// TEST UNIT READY until GOOD (the unit attentions of a new cartridge first).
fn ready(r: &mut Rig) {
    for _ in 0..4 {
        if r.scsi(&TUR, &[]) == Reply::GOOD {
            return;
        }
    }
    panic!("not ready");
}

#[test]
fn drive_states_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = rig(dir.path());
    assert_eq!(r.lines(), ["Initialising", "Idle"]);

    assert!(r.control("load E01001L8"));
    assert_eq!(r.lines(), ["Loading", "Loaded"]);
    ready(&mut r);
    assert!(r.lines().is_empty(), "TEST UNIT READY changes nothing");

    // A stream of writes (and the filemark after them) is one line.
    let block = vec![0x5a; 512];
    r.good(&WRITE512, &block);
    r.good(&WRITE512, &block);
    r.good(&WFM1, &[]);
    r.good(&WRITE512, &block);
    assert_eq!(r.lines(), ["Writing"]);
    r.good(&REWIND, &[]);
    assert_eq!(r.lines(), ["Rewinding", "Loaded - Idle"]);
    r.good(&READ512, &[]);
    r.good(&READ512, &[]);
    assert_eq!(r.lines(), ["Reading"]);
    r.good(&TUR, &[]);
    assert_eq!(r.lines(), ["Loaded - Idle"]);
    r.good(&SPACE_FM, &[]);
    r.good(&LOCATE1, &[]);
    r.good(&VERIFY0, &[]);
    assert_eq!(
        r.lines(),
        [
            "Positioning",
            "Loaded - Idle",
            "Positioning",
            "Loaded - Idle",
            "Verifying",
            "Loaded - Idle"
        ]
    );
    r.good(&REWIND, &[]);
    r.good(&ERASE, &[]);
    assert_eq!(
        r.lines(),
        ["Rewinding", "Loaded - Idle", "Erasing", "Loaded - Idle"]
    );

    // LOAD UNLOAD: to the mouth and threaded again.
    r.good(&UNLOAD, &[]);
    assert_eq!(r.lines(), ["Unloading", "Unloaded"]);
    r.good(&LOAD, &[]);
    assert_eq!(r.lines(), ["Loading", "Loaded"]);
    // A command that fails on an empty drive reports nothing.
    assert!(r.control("set_empty"));
    assert_eq!(r.lines(), ["Unloading", "Unloaded"]);
    assert_ne!(r.scsi(&READ512, &[]), Reply::GOOD);
    assert_ne!(r.scsi(&REWIND, &[]), Reply::GOOD);
    assert!(r.lines().is_empty());

    // The special media say what they are before they are loaded.
    assert!(r.control("load W01001L8"));
    assert!(r.control("unload W01001L8"));
    assert!(r.control("lload N01001L8"));
    assert!(r.control("set_empty"));
    assert!(r.control("load CLN001L8"));
    assert!(r.control("set_empty"));
    assert_eq!(
        r.lines(),
        [
            "Loading",
            "Loading WORM media",
            "Loaded",
            "Unloading",
            "Unloaded",
            "Loading",
            "Loading NULL media",
            "Loaded",
            "Unloading",
            "Unloaded",
            "Loading",
            "Loading Cleaning Tape",
            "Loaded",
            "Unloading",
            "Unloaded"
        ]
    );

    // A refused cartridge (LTO-3 in an LTO-8 drive): stays in the mouth after `load`, is
    // taken back out after `lload`.
    assert!(!r.control("load OLD001L3"));
    assert_eq!(r.lines(), ["Loading", "Load failed"]);
    assert!(r.control("set_empty"));
    assert!(!r.control("lload OLD001L3"));
    assert_eq!(
        r.lines(),
        ["Unloading", "Unloaded", "Loading", "Load failed"]
    );
    // Requests that change no state write nothing.
    assert!(r.control("status"));
    assert!(r.control("compression zlib"));
    assert!(r.lines().is_empty());
}

/// Nobody reads the FIFO: once the pipe is full, lines are dropped and the drive goes on.
#[test]
fn a_fifo_nobody_reads_never_blocks_the_drive() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = rig(dir.path());
    assert!(r.control("load E01001L8"));
    ready(&mut r);
    // Two lines of over 40 bytes per REWIND: 80 KiB, past a 64 KiB pipe buffer.
    for _ in 0..1000 {
        r.good(&REWIND, &[]);
    }
    let lines = r.lines();
    assert!(lines.len() < 4 + 2000, "nothing dropped: {}", lines.len());
    assert_eq!(lines[..4], ["Initialising", "Idle", "Loading", "Loaded"]);
}

/// `vtltape -f FIFO` replaces the stanza's `fifo:`.
#[test]
fn f_overrides_device_conf() {
    let c = conf(Path::new("/srv/media"), Path::new("/run/conf.fifo"));
    let s = drive_setup(&c, 11, Path::new("device.conf"), Path::new("/x")).unwrap();
    let cli = TapeCli::try_parse_from(["vtltape", "-q", "11", "-f", "/run/d.fifo"]).unwrap();
    assert_eq!(status_fifo(&cli, &s), Some(Path::new("/run/d.fifo")));
    let cli = TapeCli::try_parse_from(["vtltape", "-q", "11"]).unwrap();
    assert_eq!(status_fifo(&cli, &s), Some(Path::new("/run/conf.fifo")));
}
