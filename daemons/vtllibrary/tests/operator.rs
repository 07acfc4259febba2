//! vtlcmd's library commands: replies and refusals.

mod common;

use common::*;

#[test]
fn map_operations() {
    let mut f = fixture("STK", "L700");
    let lib = f.lu.lu();
    assert_eq!(lib.load_map("MAP001L8"), Err("MAP not opened".into()));
    assert_eq!(
        lib.empty_map(),
        Err("Can't empty map while MAP is closed".into())
    );
    assert_eq!(lib.open_map().as_deref(), Ok("OK"));
    assert_eq!(
        lib.load_map("MAP001L8ABCDEFGHIJ"),
        Err("barcode length too long".into())
    );
    assert_eq!(lib.load_map("BAD/CODE"), Err("Bad barcode".into()));
    assert_eq!(
        lib.load_map("E01001L8"),
        Err("barcode already in library".into())
    );
    assert!(
        lib.load_map("NONE01L8")
            .unwrap_err()
            .starts_with("Cartridge NONE01L8 not found")
    );
    // legacy layout cartridge accepted (and v6 below: mhvtl bug 16)
    assert_eq!(lib.load_map("MAP001L8").as_deref(), Ok("OK"));
    assert_eq!(lib.load_map("MAP002L8"), Err("MAP Full".into()));
    assert_eq!(lib.list_map(), "Contents: MAP001L8        ");
    assert_eq!(lib.close_map().as_deref(), Ok("OK"));
    // every nexus learns the MAP was accessed
    assert_eq!(sense_of(&check(&mut f.lu, &TUR)), (6, 0x28, 0x01, None));
    let m = good(&mut f.lu, &res(3, true, 0, 1, false, 100), 100);
    assert_eq!(m[18], 0x3b); // full, ImpExp, access, ExEnab, InEnab
    assert_eq!(&m[28..36], b"MAP001L8");
    // the robot imports it
    good(&mut f.lu, &move_medium(0, 10, 1003), 0);
    let lib = f.lu.lu();
    lib.open_map().unwrap();
    assert_eq!(lib.load_map("MAP002L8").as_deref(), Ok("OK"));
    assert_eq!(lib.empty_map().as_deref(), Ok("OK"));
    assert_eq!(lib.list_map(), "Contents: ");
}

#[test]
fn add_slot_updates_mode_page_and_elements() {
    let mut f = fixture("STK", "L700");
    assert_eq!(f.lu.lu().add_slot().as_deref(), Ok("slot=6"));
    assert_eq!(sense_of(&check(&mut f.lu, &TUR)), (6, 0x2a, 0x01, None));
    let p = good(&mut f.lu, &[0x1a, 0x08, 0x1d, 0, 255, 0], 255);
    assert_eq!(&p[10..14], &[0x03, 0xe8, 0, 6]);
    good(&mut f.lu, &move_medium(0, 1000, 1005), 0);
    assert_eq!(positions(&mut f.lu).last().unwrap().0, 1005);
}
