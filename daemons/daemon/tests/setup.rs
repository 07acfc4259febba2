//! device.conf to what the daemons run: the drive's configuration (personality, serial,
//! NAA, compression, media home, library membership), the library's drive handles, and the
//! cartridge a restarted drive takes from its library's state file.

use std::path::Path;

use libvtlcart::testing::make_cartridge;
use libvtlcart::{Format, MediumType};
use vtl_config::{DeviceConf, LibraryContents};
use vtl_daemon::setup::{
    self, Address, NoDrive, SetupError, cartridge_for_drive, drive_config, drive_setup,
    library_setup, recorded_drives,
};
use vtl_daemon::tape::cartridge_to_restore;
use vtllibrary::{DriveSlot, Library};
use vtltape::CompressionAlgorithm;

const CONF: &str = "VERSION: 5

Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00
 Vendor identification: STK
 Product identification: L700
 Unit serial number: XYZZY_A
 Home directory: HOME

Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00
 Library ID: 10 Slot: 01
 Vendor identification: IBM
 Product identification: ULT3580-TD8
 Product revision level: 2160
 Unit serial number: XYZZY_A1
 NAA: 10:22:33:44:ab:00:01:00
 Compression: factor 6 enabled 1
 Compression type: zlib

Drive: 12 CHANNEL: 00 TARGET: 02 LUN: 00
 Library ID: 10 Slot: 03
 Product identification: ULT3580-TD6

Drive: 20 CHANNEL: 01 TARGET: 05 LUN: 02
 Product identification: Ultrium 5-SCSI
 Home directory: /srv/standalone
 Compression: factor 1 enabled 0

Drive: 21 CHANNEL: 00 TARGET: 07 LUN: 00
 Product identification: T10000B

Drive: 30 CHANNEL: 16 TARGET: 00 LUN: 00
";

const CONTENTS: &str = "VERSION: 2
Drive 1:
Drive 2:
Drive 3:
Picker 1:
MAP 1:
Slot 1: E01001L8
Slot 2: E01002L8
Slot 3:
";

fn conf(home: &Path) -> DeviceConf {
    let text = CONF.replace("HOME", home.to_str().unwrap());
    DeviceConf::parse(&text, Path::new("device.conf"))
        .unwrap()
        .0
}

fn contents() -> LibraryContents {
    LibraryContents::parse(CONTENTS, Path::new("library_contents.10"), 10)
        .unwrap()
        .0
}

#[test]
fn drive_stanzas_become_drive_configurations() {
    let home = Path::new("/srv/lib10");
    let c = conf(home);
    let default = Path::new("/opt/vtl");
    let file = Path::new("/etc/vtl/device.conf");

    let s = drive_setup(&c, 11, file, default).unwrap();
    assert_eq!(
        s.address,
        Address {
            channel: 0,
            target: 1,
            lun: 0
        }
    );
    assert_eq!(s.address.to_string(), "0:1:0");
    assert_eq!(s.library, Some((10, 1)));
    assert_eq!(s.home, home);
    let d = &s.config;
    assert_eq!(
        (&*d.vendor, &*d.product, &*d.revision, &*d.serial),
        ("IBM", "ULT3580-TD8", "2160", "XYZZY_A1")
    );
    assert_eq!(d.naa, Some([0x10, 0x22, 0x33, 0x44, 0xab, 0, 1, 0]));
    assert_eq!(d.compression.algorithm, Some(CompressionAlgorithm::Zlib));
    assert_eq!(d.compression.level, 6);
    assert!(d.compression.enabled);
    assert_eq!(d.media_home.as_deref(), Some(home));
    assert_eq!(d.lun, 0);

    // Defaults: vendor and revision from the personality (empty here), serial DRV<id>,
    // NAA from the library's id and the address, no compression type → none.
    let s = drive_setup(&c, 12, file, default).unwrap();
    let d = &s.config;
    assert_eq!((&*d.vendor, &*d.revision, &*d.serial), ("", "", "DRV12"));
    assert_eq!(d.naa, Some([0x10, 0x22, 0x33, 0x44, 0xab, 0, 2, 0]));
    assert_eq!(d.compression.algorithm, None);
    assert!(!d.compression.enabled);

    // A stand-alone drive: its own Home directory:, its own id in the default NAA.
    let s = drive_setup(&c, 20, file, default).unwrap();
    assert_eq!(s.library, None);
    assert_eq!(s.home, Path::new("/srv/standalone"));
    assert_eq!(
        s.config.media_home.as_deref(),
        Some(Path::new("/srv/standalone"))
    );
    assert_eq!(
        s.config.naa,
        Some([0x20, 0x22, 0x33, 0x44, 0xab, 0x01, 0x05, 0x02])
    );
    assert_eq!(s.config.lun, 2);
    // ... or the default media home.
    let s = drive_setup(&c, 21, file, default).unwrap();
    assert_eq!(s.home, default);

    // Errors name what is wrong.
    let e = drive_setup(&c, 99, file, default).unwrap_err();
    assert_eq!(e.to_string(), "/etc/vtl/device.conf: no 'Drive: 99' stanza");
    let e = drive_setup(&c, 10, file, default).unwrap_err();
    assert!(matches!(
        e,
        SetupError::NoStanza {
            kind: "Drive",
            id: 10,
            ..
        }
    ));
    let e = drive_setup(&c, 30, file, default).unwrap_err();
    assert_eq!(
        e.to_string(),
        "drive 30: CHANNEL 16 TARGET 0 LUN 0 is out of range (at most CHANNEL 15, TARGET 255, LUN 255)"
    );
}

#[test]
fn library_stanza_and_its_drive_elements() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("media");
    std::fs::create_dir_all(&home).unwrap();
    let c = conf(&home);
    let file = Path::new("device.conf");
    let s = library_setup(&c, contents(), 10, file, Some("/run/x.fifo".into())).unwrap();
    assert_eq!(s.conf.fifo.as_deref(), Some(Path::new("/run/x.fifo")));
    assert_eq!(s.conf.home, home);
    assert_eq!(s.address.to_string(), "0:0:0");
    // Element 1 is drive 11, element 2 has no drive, element 3 is drive 12.
    let ids: Vec<Option<u32>> = s.drives.iter().map(|d| d.as_ref().map(|d| d.id)).collect();
    assert_eq!(ids, [Some(11), None, Some(12)]);

    let run = dir.path().join("run");
    let slots = s.drive_slots(&run, None);
    assert_eq!(slots.len(), 3);
    // Identifiers as the drives' INQUIRY says them (vendor defaulted by the personality).
    assert_eq!(
        slots[0].identifier(),
        b"IBM     ULT3580-TD8     XYZZY_A1".to_vec()
    );
    assert_eq!(slots[1].identifier(), Vec::<u8>::new());
    assert_eq!(
        slots[2].identifier(),
        b"IBM     ULT3580-TD6     DRV12".to_vec()
    );
    // No daemons running: nothing recorded, nothing loaded.
    assert_eq!(slots[0].loaded_barcode(), None);

    let e = library_setup(&c, contents(), 11, file, None).unwrap_err();
    assert_eq!(e.to_string(), "device.conf: no 'Library: 11' stanza");
}

/// `Drive n: SERIAL` in library_contents is the serial number READ ELEMENT STATUS reports
/// for that drive element (mhvtl's override, spec 3.2); without one, the drive stanza's.
#[test]
fn a_library_contents_serial_overrides_the_drive_identifier() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("media");
    std::fs::create_dir_all(&home).unwrap();
    let text = CONTENTS.replace("Drive 1:\n", "Drive 1: LC_SERIAL1\n");
    let lc = LibraryContents::parse(&text, Path::new("library_contents.10"), 10)
        .unwrap()
        .0;
    assert_eq!(lc.drives[0].as_deref(), Some("LC_SERIAL1"));
    let s = library_setup(&conf(&home), lc, 10, Path::new("device.conf"), None).unwrap();
    let slots = s.drive_slots(&dir.path().join("run"), None);
    assert_eq!(
        slots[0].identifier(),
        b"IBM     ULT3580-TD8     LC_SERIAL1".to_vec()
    );
    assert_eq!(
        slots[2].identifier(),
        b"IBM     ULT3580-TD6     DRV12".to_vec()
    );
    // The element with no drive stays without an identifier.
    assert_eq!(slots[1].identifier(), Vec::<u8>::new());
}

#[test]
fn the_element_without_a_drive() {
    let mut d = NoDrive;
    let e = d.load("E01001L8").unwrap_err();
    assert_eq!((e.key as u8, e.asc.0, e.asc.1), (4, 0x08, 0));
    assert_eq!(d.unload(), Ok(None));
    assert_eq!(d.loaded_barcode(), None);
}

/// A state file written by a real library: what it puts in each drive element is the
/// library's record for its RemoteDrives, and the cartridge a restarted drive daemon loads.
#[test]
fn the_state_file_says_what_the_drives_hold() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("media");
    std::fs::create_dir_all(&home).unwrap();
    let etc = dir.path().join("etc");
    std::fs::create_dir_all(&etc).unwrap();
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
        "E01002L8",
        Format::Legacy,
        MediumType::Data,
        "LTO8",
        8 << 20,
    );
    let c = conf(&home);
    std::fs::write(etc.join("device.conf"), c.to_string()).unwrap();
    std::fs::write(etc.join("library_contents.10"), CONTENTS).unwrap();

    // No state file yet.
    assert_eq!(setup::read_state(&home, 10), Ok(None));
    assert_eq!(recorded_drives(None, &contents()), [None, None, None]);
    assert_eq!(
        cartridge_to_restore(&etc, &home, Some((10, 1))),
        (None, vec![])
    );

    // A library (drives in this process) moves E01002L8 into drive element 3.
    let lib_conf = c.library(10).unwrap().clone();
    let drives: Vec<Box<dyn DriveSlot>> = (0..3)
        .map(|i| {
            let cfg = drive_config(c.drive(11).unwrap(), &home);
            let cfg = vtltape::DriveConfig {
                serial: format!("S{i}"),
                ..cfg
            };
            Box::new(std::sync::Arc::new(std::sync::Mutex::new(
                vtltape::TapeDrive::new(cfg),
            ))) as Box<dyn DriveSlot>
        })
        .collect();
    let mut lib = Library::new(&lib_conf, &contents(), drives).unwrap();
    // STK L700: slots from 1000, drives from 500.
    lib.move_medium(1001, 502).unwrap();
    drop(lib);

    let state = setup::read_state(&home, 10).unwrap();
    assert_eq!(
        recorded_drives(state.as_ref(), &contents()),
        [None, None, Some("E01002L8".to_string())]
    );
    assert_eq!(
        cartridge_for_drive(state.as_ref(), &contents(), 3).as_deref(),
        Some("E01002L8")
    );
    assert_eq!(cartridge_for_drive(state.as_ref(), &contents(), 1), None);
    assert_eq!(cartridge_for_drive(state.as_ref(), &contents(), 0), None);
    assert_eq!(cartridge_for_drive(state.as_ref(), &contents(), 4), None);
    assert_eq!(
        cartridge_to_restore(&etc, &home, Some((10, 3))),
        (Some("E01002L8".to_string()), vec![])
    );
    assert_eq!(cartridge_to_restore(&etc, &home, None), (None, vec![]));

    // The library's RemoteDrive for element 3 reports the record while drive 12's daemon
    // is down.
    let s = library_setup(&c, contents(), 10, Path::new("device.conf"), None).unwrap();
    let slots = s.drive_slots(&dir.path().join("run"), state.as_ref());
    assert_eq!(slots[2].loaded_barcode().as_deref(), Some("E01002L8"));
    assert_eq!(slots[0].loaded_barcode(), None);

    // A state file whose counts differ from the configuration is not used (by the library
    // either).
    let two_drives = LibraryContents::parse(
        &CONTENTS.replace("Drive 3:\n", ""),
        Path::new("library_contents.10"),
        10,
    )
    .unwrap()
    .0;
    assert_eq!(recorded_drives(state.as_ref(), &two_drives), [None, None]);

    // A library without its contents file: nothing restored, a warning.
    let (pcl, w) = cartridge_to_restore(&etc, &home, Some((77, 1)));
    assert_eq!(pcl, None);
    assert_eq!(w.len(), 1);
    assert!(w[0].starts_with("not restoring a cartridge: "), "{w:?}");
    assert!(w[0].contains("library_contents.77"), "{w:?}");
}

/// An Overland library (MAP at 0, picker at 1, slots at 2, drives at 0xFF; spec 6.3) has
/// room for one MAP element: four (what mktape's generated library_contents lists) stop
/// the daemon before anything is attached, naming the library_contents line of MAP 2.
#[test]
fn overland_with_four_map_elements_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let text = CONF
        .replace("HOME", dir.path().to_str().unwrap())
        .replace(
            "Vendor identification: STK",
            "Vendor identification: OVERLAND",
        )
        .replace(
            "Product identification: L700",
            "Product identification: OVERLAND NEO",
        );
    let c = DeviceConf::parse(&text, Path::new("device.conf"))
        .unwrap()
        .0;
    let file = dir.path().join("device.conf");
    let four = "VERSION: 2\n\nDrive 1:\nDrive 2:\nDrive 3:\n\nPicker 1:\n\nMAP 1:\nMAP 2:\nMAP 3:\nMAP 4:\n\nSlot 1:\n";
    std::fs::write(dir.path().join("library_contents.10"), four).unwrap();
    let (lc, _) = LibraryContents::read(dir.path(), 10).unwrap();
    let e = library_setup(&c, lc, 10, &file, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}/library_contents.10 line 10: MAP 2: the Overland address map (picker 0x1, MAP \
             0x0, drives 0xff, slots 0x2) has room for 1 MAP element(s): MAP 2 would be at \
             element address 0x1, the address of Picker 1; device.conf's Library 10 (vendor \
             \"OVERLAND\", product \"OVERLAND NEO\") selects that map: list at most 1 MAP \
             element(s) or choose another product identification",
            dir.path().display()
        )
    );
    // Only MAP 4 listed: its line is the one that makes MAP 2 exist.
    let sparse = "Drive 1:\nDrive 2:\nDrive 3:\nPicker 1:\nMAP 4:\nSlot 1:\n";
    std::fs::write(dir.path().join("library_contents.10"), sparse).unwrap();
    let (lc, _) = LibraryContents::read(dir.path(), 10).unwrap();
    let e = library_setup(&c, lc, 10, &file, None).unwrap_err();
    assert!(
        e.to_string()
            .contains("library_contents.10 line 5: MAP 4: the Overland address map"),
        "{e}"
    );
    // One MAP element: set up.
    let one = "Drive 1:\nDrive 2:\nDrive 3:\nPicker 1:\nMAP 1:\nSlot 1:\n";
    std::fs::write(dir.path().join("library_contents.10"), one).unwrap();
    let (lc, _) = LibraryContents::read(dir.path(), 10).unwrap();
    assert!(library_setup(&c, lc, 10, &file, None).is_ok());
}
