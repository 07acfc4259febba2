//! Move errors: the sense real libraries give, and nothing changed afterwards.

mod common;

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::SharedLu;

#[test]
fn source_empty_destination_full_invalid_address() {
    let mut f = fixture("STK", "L700");
    let before = positions(&mut f.lu);
    let c = check(&mut f.lu, &move_medium(0, 1003, 1002));
    assert_eq!(sense_of(&c), (5, 0x3b, 0x0e, Some(4)));
    let c = check(&mut f.lu, &move_medium(0, 1000, 1001));
    assert_eq!(sense_of(&c), (5, 0x3b, 0x0d, Some(6)));
    let c = check(&mut f.lu, &move_medium(0, 999, 1003));
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(4)));
    let c = check(&mut f.lu, &move_medium(0, 1000, 1005));
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(6)));
    // transport address that is a slot
    let c = check(&mut f.lu, &move_medium(1000, 1000, 1003));
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
    // INVERT
    let mut cdb = move_medium(0, 1000, 1003);
    cdb[10] = 1;
    assert_eq!(sense_of(&check(&mut f.lu, &cdb)), (5, 0x24, 0, Some(10)));
    // exchange: empty first destination, full second destination
    let c = check(&mut f.lu, &exchange(1000, 1003, 1000));
    assert_eq!(sense_of(&c), (5, 0x3b, 0x0e, Some(6)));
    let c = check(&mut f.lu, &exchange(1000, 1001, 1002));
    assert_eq!(sense_of(&c), (5, 0x3b, 0x0d, Some(8)));
    assert_eq!(positions(&mut f.lu), before);
    // READ ELEMENT STATUS: reserved element type code
    let c = check(&mut f.lu, &res(5, false, 0, 1, false, 100));
    assert_eq!(sense_of(&c), (5, 0x24, 0, Some(1)));
}

#[test]
fn drive_refusing_the_cartridge_leaves_it_in_its_slot_untouched() {
    let mut f = fixture("STK", "L700");
    let dir = f.home.path().join("OLD001L3");
    let files = libvtlcart::testing::snapshot(&dir);
    let state = std::fs::read(f.lu.lu().state_file()).unwrap();
    let c = check(&mut f.lu, &move_medium(0, 1004, 500));
    // ILLEGAL REQUEST / INCOMPATIBLE MEDIUM INSTALLED
    assert_eq!(sense_of(&c), (5, 0x30, 0x00, None));
    assert_eq!(f.drives[0].lock().unwrap().cartridge_barcode(), None);
    assert_eq!(positions(&mut f.lu)[3], (1004, "OLD001L3".to_string()));
    assert_eq!(libvtlcart::testing::snapshot(&dir), files);
    assert_eq!(std::fs::read(f.lu.lu().state_file()).unwrap(), state);
    // The drive still takes a good cartridge afterwards.
    good(&mut f.lu, &move_medium(0, 1000, 500), 0);
    // Drive-to-drive move; then a refused drive-to-drive move puts it back in the source.
    good(&mut f.lu, &move_medium(0, 500, 501), 0);
    assert_eq!(
        f.drives[1].lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01001L8")
    );
    assert_eq!(positions(&mut f.lu)[0], (501, "E01001L8".to_string()));
}

#[test]
fn host_prevents_removal_from_the_drive() {
    let mut f = fixture("STK", "L700");
    good(&mut f.lu, &move_medium(0, 1000, 500), 0);
    let mut host = InProcess::new(SharedLu(f.drives[0].clone()));
    host.command(3, &TUR, &[], 0);
    assert!(host.command(3, &[0x1e, 0, 0, 0, 1, 0], &[], 0).is_good());
    let c = check(&mut f.lu, &move_medium(0, 500, 1003));
    assert_eq!(sense_of(&c), (5, 0x53, 0x02, None));
    assert!(f.drives[0].lock().unwrap().is_loaded());
    assert_eq!(positions(&mut f.lu)[0], (500, "E01001L8".to_string()));
    assert!(host.command(3, &[0x1e, 0, 0, 0, 0, 0], &[], 0).is_good());
    good(&mut f.lu, &move_medium(0, 500, 1003), 0);
}

#[test]
fn map_door_and_prevent() {
    let mut f = fixture("STK", "L700");
    // Robot exports slot 1 to the MAP (door closed).
    good(&mut f.lu, &move_medium(0, 1000, 10), 0);
    let m = good(&mut f.lu, &res(3, true, 0, 1, false, 100), 100);
    assert_eq!(m[18], 0x39); // full, access, ExEnab, InEnab; ImpExp clear (robot put it)
    // Host opens the door: the robot cannot reach the MAP.
    good(&mut f.lu, &[0x1b, 0, 0, 10, 0, 0], 0);
    let m = good(&mut f.lu, &res(3, true, 0, 1, false, 100), 100);
    assert_eq!(m[18], 0x31);
    let c = check(&mut f.lu, &move_medium(0, 10, 1000));
    assert_eq!(sense_of(&c), (5, 0x3b, 0x11, Some(4)));
    // the operator takes it out
    assert_eq!(f.lu.lu().empty_map().as_deref(), Ok("OK"));
    good(&mut f.lu, &[0x1b, 0, 0, 10, 1, 0], 0);
    // PREVENT: the door cannot be opened, by the host or the operator.
    good(&mut f.lu, &[0x1e, 0, 0, 0, 1, 0], 0);
    let c = check(&mut f.lu, &[0x1b, 0, 0, 10, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x53, 0x02, None));
    assert!(f.lu.lu().open_map().is_err());
    good(&mut f.lu, &[0x1e, 0, 0, 0, 0, 0], 0);
    assert_eq!(f.lu.lu().open_map().as_deref(), Ok("OK"));
    // OPEN/CLOSE of an element that is not a MAP; bad action code.
    let c = check(&mut f.lu, &[0x1b, 0, 0x03, 0xe8, 0, 0]);
    assert_eq!(sense_of(&c), (5, 0x21, 0x01, Some(2)));
    let c = check(&mut f.lu, &[0x1b, 0, 0, 10, 2, 0]);
    assert_eq!(sense_of(&c), (5, 0x24, 0x00, Some(4)));
}

#[test]
fn offline_is_not_ready_except_inquiry_report_luns_request_sense() {
    let mut f = fixture("STK", "L700");
    f.lu.lu().offline().unwrap();
    assert_eq!(sense_of(&check(&mut f.lu, &TUR)), (2, 0x04, 0x12, None));
    let c = check(&mut f.lu, &res(0, true, 0, 10, false, 100));
    assert_eq!(sense_of(&c).1, 0x04);
    good(&mut f.lu, &[0x12, 0, 0, 0, 36, 0], 36);
    good(&mut f.lu, &[0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0], 16);
    let s = good(&mut f.lu, &[0x03, 0, 0, 0, 18, 0], 18);
    assert_eq!((s[2], s[12], s[13]), (2, 0x04, 0x12));
    f.lu.lu().online().unwrap();
    assert_eq!(sense_of(&check(&mut f.lu, &TUR)), (6, 0x28, 0x00, None));
    good(&mut f.lu, &TUR, 0);
}

/// Two drives that refuse every load while their switch is on, holding slot 1's and slot
/// 2's cartridges; then a swap of the two drives (EXCHANGE MEDIUM 500, 501, 500) whose
/// loads and reloads all fail. Returns the media home, the library and the switches.
fn drives_that_will_not_take_their_cartridges_back() -> (
    tempfile::TempDir,
    InProcess<vtllibrary::Library>,
    Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>,
) {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let (mut handles, mut switches) = (Vec::new(), Vec::new());
    for serial in ["D1", "D2"] {
        let (d, s) = Refusing::new(drive(home.path(), serial));
        handles.push(Box::new(d) as Box<dyn vtllibrary::DriveSlot>);
        switches.push(s);
    }
    let lib = build_with(home.path(), "STK", "L700", &SLOTS, handles, None);
    let mut lu = InProcess::new(lib);
    lu.command(1, &TUR, &[], 0);
    good(&mut lu, &move_medium(0, 1000, 500), 0);
    good(&mut lu, &move_medium(0, 1001, 501), 0);
    for s in &switches {
        s.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    // Both drives unload; the first load fails, and so do both reloads.
    let c = check(&mut lu, &exchange(500, 501, 500));
    assert_eq!(sense_of(&c), (4, 0x53, 0x00, None));
    (home, lu, switches)
}

/// An element descriptor with EXCEPT and ASC/ASCQ MEDIUM LOAD OR EJECT FAILED (53/00).
fn excepted(addr: u16, src: u16, tag: &str) -> Vec<u8> {
    let mut d = desc(addr, 0x0d, 0x81, src, Some(tag));
    d[4] = 0x53;
    d[5] = 0x00;
    d
}

#[test]
fn drive_that_will_not_take_its_cartridge_back_is_excepted() {
    let (_home, mut lu, _) = drives_that_will_not_take_their_cartridges_back();
    // Each drive element still records its cartridge, with FULL, EXCEPT and ACCESS
    // (0x0d), ASC/ASCQ 53/00, SVALID and the slot it came from, its volume tag.
    assert_eq!(
        read_type(&mut lu, 4),
        report(
            4,
            500,
            &[
                excepted(500, 1000, "E01001L8"),
                excepted(501, 1001, "E01002L8")
            ]
        )
    );
    let s = read_type(&mut lu, 2);
    assert_eq!(&s[16..19], &[0x03, 0xe8, 0x08]);
    assert_eq!(&s[64..67], &[0x03, 0xe9, 0x08]);
}

#[test]
fn initialize_element_status_with_range_clears_only_the_range() {
    let (_home, mut lu, switches) = drives_that_will_not_take_their_cartridges_back();
    for s in &switches {
        s.store(false, std::sync::atomic::Ordering::SeqCst);
    }
    // RANGE over drive 500 only: the drive is found empty, its cartridge goes back to
    // its source slot and the exception is cleared; drive 501 is not looked at.
    good(&mut lu, &[0xe7, 1, 0x01, 0xf4, 0, 0, 0, 1, 0, 0], 0);
    assert_eq!(
        read_type(&mut lu, 4),
        report(
            4,
            500,
            &[desc(500, 0x08, 0, 0, None), excepted(501, 1001, "E01002L8")]
        )
    );
    assert_eq!(
        positions(&mut lu)[..2],
        [
            (501, "E01002L8".to_string()),
            (1000, "E01001L8".to_string())
        ]
    );
    // RANGE = 0: every element, whatever the address and count fields say.
    good(&mut lu, &[0xe7, 0, 0x07, 0xd0, 0, 0, 0, 1, 0, 0], 0);
    assert_eq!(
        read_type(&mut lu, 4),
        report(
            4,
            500,
            &[desc(500, 0x08, 0, 0, None), desc(501, 0x08, 0, 0, None)]
        )
    );
    let s = read_type(&mut lu, 2);
    assert_eq!(
        s[16..16 + 96],
        [
            desc(1000, 0x09, 1, 0, Some("E01001L8")),
            desc(1001, 0x09, 1, 0, Some("E01002L8"))
        ]
        .concat()
    );
}

#[test]
fn exchange_whose_second_drive_refuses_ends_where_it_started() {
    let mut f = fixture("STK", "L700");
    good(&mut f.lu, &move_medium(0, 1000, 500), 0);
    let status = read_all(&mut f.lu);
    let state = std::fs::read(f.lu.lu().state_file()).unwrap();
    let dir = f.home.path().join("OLD001L3");
    let files = libvtlcart::testing::snapshot(&dir);
    // Drive 1's cartridge to slot 5, slot 5's LTO-3 cartridge to drive 2, which refuses
    // it: the library's ILLEGAL REQUEST / INCOMPATIBLE MEDIUM INSTALLED, after putting
    // slot 5's cartridge back and loading drive 1 again.
    let c = check(&mut f.lu, &exchange(500, 1004, 501));
    assert_eq!(sense_of(&c), (5, 0x30, 0x00, None));
    assert_eq!(read_all(&mut f.lu), status);
    assert_eq!(
        f.drives[0].lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01001L8")
    );
    assert_eq!(f.drives[1].lock().unwrap().cartridge_barcode(), None);
    assert_eq!(std::fs::read(f.lu.lu().state_file()).unwrap(), state);
    assert_eq!(libvtlcart::testing::snapshot(&dir), files);
}

#[test]
fn refused_load_from_the_map_keeps_the_imp_exp_bit() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let (d1, refuse) = Refusing::new(drive(home.path(), "D1"));
    let handles: Vec<Box<dyn vtllibrary::DriveSlot>> =
        vec![Box::new(d1), Box::new(drive(home.path(), "D2"))];
    let mut lu = InProcess::new(build_with(
        home.path(),
        "STK",
        "L700",
        &SLOTS,
        handles,
        None,
    ));
    lu.command(1, &TUR, &[], 0);
    lu.lu().open_map().unwrap();
    lu.lu().load_map("MAP001L8").unwrap();
    lu.lu().close_map().unwrap();
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0x01)));
    // Placed by the operator: FULL, ImpExp, ACCESS, ExEnab, InEnab; no source.
    let map = report(3, 10, &[desc(10, 0x3b, 1, 0, Some("MAP001L8"))]);
    assert_eq!(read_type(&mut lu, 3), map);
    refuse.store(true, std::sync::atomic::Ordering::SeqCst);
    let c = check(&mut lu, &move_medium(0, 10, 500));
    assert_eq!(sense_of(&c), (4, 0x53, 0x00, None));
    assert_eq!(read_type(&mut lu, 3), map);
}
