//! vtlcmd's `TapeAlert <hex64>` on a library, through the library's control handler: the
//! flags appear in log page 0x2E and a LOG SENSE that returned them clears them, as on the
//! drive.

use std::sync::{Arc, Mutex};

use vtl_config::{LibraryConf, LibraryContents};
use vtl_control::{Control, LibraryControl, Request};
use vtl_scsi::InProcess;
use vtllibrary::{Library, SharedLu};

/// LOG SENSE of page 0x2E, PC 01b, 1024 bytes.
const LOG_SENSE_2E: [u8; 10] = [0x4d, 0, 0x6e, 0, 0, 0, 0, 0x04, 0, 0];

/// The whole TapeAlert page with flags `set` (flag numbers) on.
fn page(set: &[u8]) -> Vec<u8> {
    let mut p = vec![0xae, 0, 0x01, 0x40];
    for n in 1..=64u8 {
        p.extend_from_slice(&[0, n, 0x03, 1, u8::from(set.contains(&n))]);
    }
    p
}

#[test]
fn vtlcmd_tape_alert_sets_library_flags_cleared_when_read() {
    let home = tempfile::tempdir().unwrap();
    let mut conf = LibraryConf::new(10, 0, 0, 0);
    conf.home = home.path().to_path_buf();
    let contents = LibraryContents {
        library: 10,
        pickers: vec![None],
        maps: vec![None],
        slots: vec![None; 4],
        ..Default::default()
    };
    let lib = Arc::new(Mutex::new(
        Library::new(&conf, &contents, Vec::new()).unwrap(),
    ));
    let mut control = LibraryControl::new(10, lib.clone());
    let mut host = InProcess::new(SharedLu(lib.clone()));
    // The power-on unit attention first.
    assert_eq!(
        host.command(1, &[0; 6], &[], 0).key_asc(),
        Some((6, 0x29, 0))
    );

    // vtlcmd 10 TapeAlert 0x8000000000000005: flags 1, 3 and 64.
    let out = control.handle(Request::parse("TapeAlert 0x8000000000000005").unwrap());
    assert!(out.reply.ok, "{}", out.reply.text);
    assert_eq!(out.reply.text, "");
    let c = host.command(1, &LOG_SENSE_2E, &[], 1024);
    assert!(c.is_good(), "{:?}", c.sense());
    assert_eq!(c.data, page(&[1, 3, 64]));
    // Read once: cleared.
    let c = host.command(1, &LOG_SENSE_2E, &[], 1024);
    assert_eq!(c.data, page(&[]));

    // Setting replaces the flags (0 clears them all).
    control.handle(Request::parse("TapeAlert 0x0000000000000010").unwrap());
    control.handle(Request::parse("TapeAlert 0x0000000000000002").unwrap());
    let c = host.command(1, &LOG_SENSE_2E, &[], 1024);
    assert_eq!(c.data, page(&[2]));
}
