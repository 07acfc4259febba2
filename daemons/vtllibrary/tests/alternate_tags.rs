//! Alternate volume tags (device.conf `Alternate volume tags: Yes`, a vtl extension):
//! READ ELEMENT STATUS with VOLTAG reports AVOLTAG and, after each primary volume tag, the
//! cartridge's MAM MEDIUM SERIAL NUMBER as its alternate volume tag (SMC-3 6.11.9); off, the
//! descriptors are exactly as before.

mod common;

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::{DriveSlot, Library};

fn library(home: &std::path::Path, alternate: bool) -> InProcess<Library> {
    let drives = [drive(home, "DRV0001")];
    let handles: Vec<Box<dyn DriveSlot>> = drives
        .iter()
        .map(|d| Box::new(d.clone()) as Box<dyn DriveSlot>)
        .collect();
    let mut conf = conf(home, "STK", "L700");
    conf.alternate_volume_tags = alternate;
    let slots = [Some("E01001L8"), Some("E01002L8"), None, Some("NOBAR001")];
    let lib = Library::new(&conf, &contents(&slots, 1, 1), handles).unwrap();
    let mut lu = InProcess::new(lib);
    lu.command(1, &TUR, &[], 0);
    lu
}

/// Storage element descriptors of READ ELEMENT STATUS (type 2, VOLTAG).
fn storage(lu: &mut InProcess<Library>) -> (u8, usize, Vec<u8>) {
    let d = good(lu, &res(2, true, 0, 100, false, 65535), 65535);
    let page = &d[8..];
    let flags = page[1];
    let len = usize::from(u16::from_be_bytes([page[2], page[3]]));
    (flags, len, page[8..].to_vec())
}

#[test]
fn alternate_tags_carry_the_medium_serial_number() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    cart(
        home.path(),
        "NOBAR001",
        libvtlcart::Format::V6,
        libvtlcart::MediumType::Data,
        "LTO8",
    );
    let (flags, len, descs) = storage(&mut library(home.path(), false));
    assert_eq!((flags, len), (0x80, 12 + 36));
    assert_eq!(descs.len(), 4 * len);

    let (flags, len, descs) = storage(&mut library(home.path(), true));
    assert_eq!((flags, len), (0xc0, 12 + 36 + 36));
    let d: Vec<&[u8]> = descs.chunks(len).collect();
    assert_eq!(d.len(), 4);
    let tag = |s: &str| {
        let mut t = [0u8; 36];
        t[..32].fill(b' ');
        t[..s.len()].copy_from_slice(s.as_bytes());
        t
    };
    // slot 1: primary = barcode, alternate = MAM serial "<PCL>_<epoch>" (mktape's).
    assert_eq!(&d[0][12..48], &tag("E01001L8"));
    assert_eq!(&d[0][48..84], &tag("E01001L8_1700000000"));
    assert_eq!(&d[1][48..84], &tag("E01002L8_1700000000"));
    // empty slot and NOBAR cartridge: no tags at all.
    assert_eq!(&d[2][12..84], &[0u8; 72][..]);
    assert_eq!(&d[3][12..84], &[0u8; 72][..]);
}
