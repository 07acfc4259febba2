//! The state journal: a library dropped without shutdown and built again from the same
//! files shows the state of the last acknowledged move.

mod common;

use common::*;
use libvtlcart::testing::SmallFs;
use vtl_scsi::InProcess;

#[test]
fn restart_after_crash_keeps_the_last_acknowledged_state() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    let mut lu = InProcess::new(build(home.path(), "IBM", "03584L32", &SLOTS, &drives));
    lu.command(1, &TUR, &[], 0);
    good(&mut lu, &move_medium(0, 0x400, 0x403), 0);
    good(&mut lu, &move_medium(0, 0x401, 0x101), 0);
    lu.lu().open_map().unwrap();
    let before = positions(&mut lu);
    let state = lu.lu().state_file().to_path_buf();
    // A crash in the middle of the next save leaves a temporary file behind.
    std::fs::write(state.with_extension("state.tmp"), "half written").unwrap();
    // Crash: the library and its drives go away without any shutdown.
    drop(lu);
    drop(drives);
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    let mut lu = InProcess::new(build(home.path(), "IBM", "03584L32", &SLOTS, &drives));
    assert!(lu.lu().warnings().is_empty(), "{:?}", lu.lu().warnings());
    assert_eq!(positions(&mut lu), before);
    assert!(lu.lu().inventory().map_open);
    lu.command(1, &TUR, &[], 0);
    // The cartridge the state puts in drive 1 is in that drive again.
    assert_eq!(
        drives[0].lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01002L8")
    );
    let d = good(&mut lu, &res(4, true, 0x101, 1, false, 100), 100);
    assert_eq!(
        &d[16..28],
        &[1, 1, 0x09, 0, 0, 0, 0, 0, 0, 0x81, 0x04, 0x01]
    );
    // The journal file says exactly that.
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(text.contains("Slot 4 E01001L8 1024 -\n"), "{text}");
    assert!(text.contains("Drive 1 E01002L8 1025 -\n"), "{text}");
}

#[test]
fn cartridge_found_in_a_drive_is_reported_there() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    // The drive already holds slot 3's cartridge (loaded by vtlcmd before the library).
    drives[1].lock().unwrap().load_barcode("E01001L8").unwrap();
    let mut lu = InProcess::new(build(home.path(), "STK", "L700", &SLOTS, &drives));
    let p = positions(&mut lu);
    assert_eq!(p[0], (501, "E01001L8".to_string()));
    assert!(p.iter().all(|(a, _)| *a != 1000));
}

#[test]
fn state_file_of_another_configuration_is_ignored() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    let mut lu = InProcess::new(build(home.path(), "STK", "L700", &SLOTS, &drives));
    lu.command(1, &TUR, &[], 0);
    good(&mut lu, &move_medium(0, 1000, 1003), 0);
    drop(lu);
    // Now one drive only: the state no longer fits.
    let one = vec![drive(home.path(), "D1")];
    let lu = build(home.path(), "STK", "L700", &SLOTS, &one);
    assert_eq!(lu.warnings().len(), 1);
    assert_eq!(
        lu.inventory().positions()[0],
        (1000, "E01001L8".to_string())
    );
}

/// A library whose state file is on a small tmpfs, to fill.
fn on_small_fs(
    home: &std::path::Path,
    fs: &SmallFs,
    drives: &[Drive],
) -> InProcess<vtllibrary::Library> {
    let handles = drives
        .iter()
        .map(|d| Box::new(d.clone()) as Box<dyn vtllibrary::DriveSlot>)
        .collect();
    let state = fs.path().join("library.state");
    let mut lu = InProcess::new(build_with(
        home,
        "STK",
        "L700",
        &SLOTS,
        handles,
        Some(state),
    ));
    lu.command(1, &TUR, &[], 0);
    lu
}

#[test]
fn move_whose_journal_write_fails_is_undone() {
    let Some(fs) = SmallFs::mount(1 << 20) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    let mut lu = on_small_fs(home.path(), &fs, &drives);
    good(&mut lu, &move_medium(0, 1000, 500), 0);
    // The operator puts a cartridge in the MAP (ImpExp set), the door is closed again.
    lu.lu().open_map().unwrap();
    lu.lu().load_map("MAP001L8").unwrap();
    lu.lu().close_map().unwrap();
    // The operator's MAP access: UNIT ATTENTION / IMPORT OR EXPORT ELEMENT ACCESSED.
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0x01)));
    let status = read_all(&mut lu);
    let state = std::fs::read(lu.lu().state_file()).unwrap();
    let loaded = |d: &Drive| d.lock().unwrap().cartridge_barcode();
    let filler = fs.fill_leaving(0);
    // slot -> drive (the drive loads it), drive -> slot (the drive unloads it), MAP ->
    // drive, and exchanges through a drive: the journal cannot be written, so each is
    // undone, then HARDWARE ERROR / INTERNAL TARGET FAILURE.
    for cdb in [
        move_medium(0, 1001, 501),
        move_medium(0, 500, 1003),
        move_medium(0, 10, 501),
        exchange(1001, 500, 1003),
        exchange(500, 1001, 500),
    ] {
        let c = check(&mut lu, &cdb);
        assert_eq!(sense_of(&c), (4, 0x44, 0x00, None), "{cdb:02x?}");
        // Every element as before (ImpExp of the MAP, sources), the drives as before, the
        // state file untouched.
        assert_eq!(read_all(&mut lu), status, "{cdb:02x?}");
        assert_eq!(
            loaded(&drives[0]).as_deref(),
            Some("E01001L8"),
            "{cdb:02x?}"
        );
        assert_eq!(loaded(&drives[1]), None, "{cdb:02x?}");
        assert_eq!(std::fs::read(lu.lu().state_file()).unwrap(), state);
    }
    // Space again: the same move is made and kept.
    std::fs::remove_file(filler).unwrap();
    good(&mut lu, &move_medium(0, 1001, 501), 0);
    let after = positions(&mut lu);
    drop(lu);
    drop(drives);
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    let mut lu = on_small_fs(home.path(), &fs, &drives);
    assert_eq!(positions(&mut lu), after);
    assert_eq!(loaded(&drives[1]).as_deref(), Some("E01002L8"));
}
