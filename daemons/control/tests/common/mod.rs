//! Shared by vtl-control's and vtlcmd's integration tests: a media home with cartridges, a
//! library 10 with one drive (11), and their control servers on sockets in a temporary
//! runtime directory.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::{Barcode, LibraryConf, LibraryContents};
use vtl_control::{DriveControl, LibraryControl, Server, runtime};
use vtllibrary::{DriveSlot, Library};
use vtltape::{CompressionAlgorithm, CompressionConfig, DriveConfig, TapeDrive};

/// The library's number.
pub const LIB: u32 = 10;
/// The drive's number.
pub const DRV: u32 = 11;

/// Everything a test needs; the servers stop (and their sockets go) when the test sends
/// `exit` or the process ends.
pub struct Fixture {
    /// Media home (cartridges) and configuration directory.
    pub dir: tempfile::TempDir,
    /// The runtime directory with the sockets.
    pub run: PathBuf,
    /// The library (shared with its control server).
    pub library: Arc<Mutex<Library>>,
    /// The drive (shared with the library and its control server).
    pub drive: Arc<Mutex<TapeDrive>>,
    /// The servers' threads: library, drive.
    pub threads: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Fixture {
    /// The media home.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("media")
    }

    /// The configuration directory (device.conf).
    pub fn conf(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    /// Socket of daemon `id`.
    pub fn socket(&self, id: u32) -> PathBuf {
        runtime::socket_path(&self.run, id)
    }
}

/// device.conf: library 10 whose home is `home`, drive 11 in it.
pub fn device_conf(home: &Path) -> String {
    format!(
        "VERSION: 5\n\n\
         Library: {LIB} CHANNEL: 00 TARGET: 00 LUN: 00\n \
         Vendor identification: STK\n \
         Product identification: L700\n \
         Home directory: {}\n\n\
         Drive: {DRV} CHANNEL: 00 TARGET: 01 LUN: 00\n \
         Library ID: {LIB} Slot: 01\n \
         Vendor identification: IBM\n \
         Product identification: ULT3580-TD8\n",
        home.display()
    )
}

/// The cartridges: in slots E01001L8 (v6) and E01002L8 (legacy); for the MAP E01099L8
/// (legacy) and E01098L8 (v6), E01097L8 (legacy); for the drive E01090L8 (v6).
pub fn make_media(home: &Path) {
    let c = |pcl, f| make_cartridge(home, pcl, f, MediumType::Data, "LTO8", 8 << 20);
    c("E01001L8", Format::V6);
    c("E01002L8", Format::Legacy);
    c("E01099L8", Format::Legacy);
    c("E01098L8", Format::V6);
    c("E01097L8", Format::Legacy);
    c("E01090L8", Format::V6);
}

/// The library, its drive, their servers.
pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("media");
    let etc = dir.path().join("etc");
    let run = dir.path().join("run");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&etc).unwrap();
    make_media(&home);
    std::fs::write(etc.join("device.conf"), device_conf(&home)).unwrap();
    let drive = Arc::new(Mutex::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        revision: "2160".into(),
        serial: "DRV0011".into(),
        compression: CompressionConfig {
            algorithm: Some(CompressionAlgorithm::Zlib),
            level: 6,
            enabled: true,
        },
        media_home: Some(home.clone()),
        ..Default::default()
    })));
    let mut conf = LibraryConf::new(LIB, 0, 0, 0);
    conf.vendor = Some("STK".into());
    conf.product = Some("L700".into());
    conf.serial = Some("LIB0010".into());
    conf.home = home.clone();
    let contents = LibraryContents {
        library: LIB,
        version: Some(2),
        drives: vec![None],
        pickers: vec![None],
        maps: vec![None; 2],
        slots: vec![
            Some(Barcode::new("E01001L8").unwrap()),
            Some(Barcode::new("E01002L8").unwrap()),
            None,
        ],
        layout: Default::default(),
    };
    let handles: Vec<Box<dyn DriveSlot>> = vec![Box::new(drive.clone())];
    let library = Arc::new(Mutex::new(Library::new(&conf, &contents, handles).unwrap()));
    let lib_server = Server::bind(&runtime::socket_path(&run, LIB)).unwrap();
    let drv_server = Server::bind(&runtime::socket_path(&run, DRV)).unwrap();
    let threads = vec![
        lib_server
            .spawn(LibraryControl::new(LIB, library.clone()).with_log(|_| {}))
            .unwrap(),
        drv_server
            .spawn(DriveControl::new(DRV, drive.clone()).with_log(|_| {}))
            .unwrap(),
    ];
    Fixture {
        dir,
        run,
        library,
        drive,
        threads,
    }
}
