//! The configuration files mhvtl's own generators made (../shared/fixtures/mhvtl/etc), read
//! in place: every one parses with the values asserted, round-trips through the writers,
//! and vtl's generators reproduce the master (v6) ones byte for byte.

use std::path::{Path, PathBuf};

use libvtlcart::MediumType;
use vtl_config::generate::{DeviceConfParams, generate_device_conf, generate_library_contents};
use vtl_config::{DeviceConf, LibraryContents, media_to_create, validate};

fn etc() -> Option<PathBuf> {
    libvtlcart::testing::fixtures().map(|p| p.join("etc"))
}

fn conf(path: &Path) -> DeviceConf {
    let (c, w) = DeviceConf::read(path).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{}: {w:?}", path.display());
    c
}

fn contents(dir: &Path, id: u32) -> LibraryContents {
    let (c, w) = LibraryContents::read(dir, id).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{}: {w:?}", dir.display());
    c
}

fn naa(s: &str) -> Option<[u8; 8]> {
    vtl_config::device_conf::parse_naa(s)
}

#[test]
fn device_conf_fixtures_parse_with_their_values() {
    let Some(etc) = etc() else {
        println!("skipped");
        return;
    };
    for flavour in ["v6", "legacy"] {
        let c = conf(&etc.join(flavour));
        assert_eq!(c.version, Some(5));
        let ids: Vec<u32> = c.libraries.iter().map(|l| l.id).collect();
        assert_eq!(ids, [10, 30]);
        let ids: Vec<u32> = c.drives.iter().map(|d| d.id).collect();
        assert_eq!(ids, [11, 12, 13, 14, 31, 32, 33, 34]);

        let l10 = c.library(10).unwrap();
        assert_eq!((l10.channel, l10.target, l10.lun), (0, 0, 0));
        assert_eq!(l10.vendor.as_deref(), Some("STK"));
        assert_eq!(l10.product.as_deref(), Some("L700"));
        assert_eq!(l10.revision, None);
        assert_eq!(l10.serial.as_deref(), Some("XYZZY_A"));
        assert_eq!(l10.naa, naa("10:22:33:44:ab:00:00:00"));
        assert_eq!(l10.home, Path::new("/opt/mhvtl"));
        assert!(!l10.persist);
        assert_eq!(l10.backoff, Some(400));
        assert_eq!(l10.commandtimeout, 20);
        assert_eq!((l10.movecommand.as_ref(), l10.fifo.as_ref()), (None, None));

        let l30 = c.library(30).unwrap();
        assert_eq!((l30.target, l30.product.as_deref()), (8, Some("L80")));
        assert_eq!(l30.naa, naa("30:22:33:44:ab:00:08:00"));

        let d13 = c.drive(13).unwrap();
        assert_eq!(d13.library, Some((10, 3)));
        assert_eq!(d13.vendor.as_deref(), Some("IBM"));
        assert_eq!(d13.product.as_deref(), Some("ULT3580-TD6"));
        assert_eq!(d13.serial.as_deref(), Some("XYZZY_A3"));
        assert_eq!(d13.naa, naa("10:22:33:44:ab:00:03:00"));
        assert_eq!(d13.compression.factor, 1);
        assert!(d13.compression.enabled);
        assert_eq!(d13.compression.kind, Some(vtl_config::CompressionKind::Lzo));
        assert!(d13.lbp_rscrc_be);
        assert_eq!(d13.backoff, Some(400));

        // TARGET: 10 and NAA …:10:00 are decimal in the header, hex in the NAA.
        let d32 = c.drive(32).unwrap();
        assert_eq!((d32.channel, d32.target, d32.lun), (0, 10, 0));
        assert_eq!(d32.library, Some((30, 2)));
        assert_eq!(d32.product.as_deref(), Some("T10000B"));
        assert_eq!(d32.naa, Some([0x30, 0x22, 0x33, 0x44, 0xab, 0, 0x10, 0]));

        // Master writes the drives' revision; 1.7 comments it out.
        let rev = if flavour == "v6" { Some("550V") } else { None };
        assert_eq!(c.drive(34).unwrap().revision.as_deref(), rev, "{flavour}");
        let rev = if flavour == "v6" { Some("2160") } else { None };
        assert_eq!(c.drive(11).unwrap().revision.as_deref(), rev, "{flavour}");
    }
}

#[test]
fn library_contents_fixtures_parse_with_their_values() {
    let Some(etc) = etc() else {
        println!("skipped");
        return;
    };
    for flavour in ["v6", "legacy"] {
        let dir = etc.join(flavour);
        let lc = contents(&dir, 10);
        assert_eq!(lc.version, Some(2));
        assert_eq!(lc.drives, [None, None, None, None]);
        assert_eq!(lc.pickers, [None]);
        assert_eq!(lc.maps, [None, None, None, None]);
        assert_eq!(lc.slots.len(), 39);
        let s = |n: usize| lc.slots[n - 1].as_ref().map(|b| b.as_str());
        assert_eq!(s(1), Some("E01001L8"));
        assert_eq!(s(20), Some("E01020L8"));
        assert_eq!(s(21), None);
        assert_eq!(s(22), Some("CLN101L8"));
        assert_eq!(s(23), Some("CLN102L6"));
        assert_eq!(s(29), None);
        assert_eq!(s(39), Some("F01039L6"));
        assert!(lc.layout.comment_block);
        assert_eq!(lc.layout.spaced_empty_slots, [21]);

        let lc = contents(&dir, 30);
        assert_eq!(lc.slots.len(), 40);
        assert_eq!(lc.slots[0].as_ref().unwrap().as_str(), "G03001TA");
        assert_eq!(lc.slots[39].as_ref().unwrap().as_str(), "CLN303TA");
        assert!(lc.slots.iter().all(Option::is_some));
    }

    let lc = contents(&etc.join("custom"), 10);
    assert_eq!(lc.pickers[0].as_ref().unwrap().as_str(), "FXTXT1L8");
    let maps: Vec<_> = lc
        .maps
        .iter()
        .map(|m| m.as_ref().map(|b| b.as_str()))
        .collect();
    assert_eq!(maps, [Some("FXBZL1L8"), None, Some("FXCLN1L8"), None]);
    assert_eq!(lc.slots.len(), 10);
    assert_eq!(lc.slots[3], None);
    assert_eq!(lc.slots[9], None);
    let nobar = lc.slots[6].as_ref().unwrap();
    assert_eq!(nobar.as_str(), "NOBAR00001");
    assert_eq!(nobar.volume_tag(), None);
    let long = lc.slots[7].as_ref().unwrap();
    assert_eq!(long.volume_tag(), Some("FXLONGBARCODE16C"));
    assert!(!lc.layout.comment_block);
}

#[test]
fn generators_reproduce_mhvtl_master_byte_for_byte() {
    let Some(etc) = etc() else {
        println!("skipped");
        return;
    };
    let v6 = etc.join("v6");
    let generated = generate_device_conf(&DeviceConfParams {
        home: "/opt/mhvtl".into(),
    });
    let want = std::fs::read_to_string(v6.join("device.conf")).unwrap();
    assert_eq!(generated.to_string(), want);
    assert_eq!(generated, conf(&v6));

    for id in [10, 30] {
        let lc = generate_library_contents(id, &generated);
        let want = std::fs::read_to_string(v6.join(format!("library_contents.{id}"))).unwrap();
        assert_eq!(lc.to_string(), want, "library_contents.{id}");
        assert_eq!(lc, contents(&v6, id));
        // mhvtl 1.7's generator wrote the same library_contents.
        let legacy =
            std::fs::read_to_string(etc.join("legacy").join(format!("library_contents.{id}")));
        assert_eq!(lc.to_string(), legacy.unwrap());
    }

    // mhvtl 1.7's device.conf differs only in the drives' revision (commented out).
    let mut legacy = conf(&etc.join("legacy"));
    for d in &mut legacy.drives {
        assert_eq!(d.revision, None);
        d.revision = generated.drive(d.id).unwrap().revision.clone();
    }
    assert_eq!(legacy, generated);
}

#[test]
fn fixtures_round_trip_through_the_writers() {
    let Some(etc) = etc() else {
        println!("skipped");
        return;
    };
    for flavour in ["v6", "legacy"] {
        let c = conf(&etc.join(flavour));
        let (back, w) = DeviceConf::parse(&c.to_string(), Path::new("device.conf")).unwrap();
        assert!(w.is_empty());
        assert_eq!(back, c);
    }
    for (dir, id) in [("v6", 10), ("v6", 30), ("legacy", 10), ("custom", 10)] {
        let lc = contents(&etc.join(dir), id);
        let text = lc.to_string();
        let (back, w) = LibraryContents::parse(&text, Path::new("x"), id).unwrap();
        assert!(w.is_empty());
        assert_eq!(back, lc, "{dir}/{id}");
    }
}

#[test]
fn fixture_configuration_validates_clean() {
    let Some(etc) = etc() else {
        println!("skipped");
        return;
    };
    let (c, lcs, w) = vtl_config::read_all(&etc.join("v6")).unwrap();
    assert!(w.is_empty());
    assert_eq!(lcs.len(), 2);
    assert_eq!(validate(&c, &lcs), []);
    let custom = contents(&etc.join("custom"), 10);
    assert_eq!(validate(&c, &[custom, lcs[1].clone()]), []);
}

#[test]
fn media_to_create_for_the_generated_libraries() {
    let Some(etc) = etc() else {
        println!("skipped");
        return;
    };
    let v6 = etc.join("v6");
    let c = conf(&v6);
    let m = media_to_create(&contents(&v6, 10), &c).unwrap();
    assert_eq!(m.len(), 32);
    let row = |i: usize| {
        (
            m[i].barcode.as_str(),
            m[i].density.name,
            m[i].medium_type,
            m[i].element.as_str(),
        )
    };
    assert_eq!(row(0), ("E01001L8", "LTO8", MediumType::Data, "Slot 1"));
    assert_eq!(
        row(20),
        ("CLN101L8", "LTO8", MediumType::Cleaning, "Slot 22")
    );
    assert_eq!(
        row(21),
        ("CLN102L6", "LTO6", MediumType::Cleaning, "Slot 23")
    );
    assert_eq!(row(31), ("F01039L6", "LTO6", MediumType::Data, "Slot 39"));
    assert!(
        m.iter()
            .all(|x| x.library == 10 && x.home == Path::new("/opt/mhvtl"))
    );

    let m = media_to_create(&contents(&v6, 30), &c).unwrap();
    assert_eq!(m.len(), 40);
    assert_eq!(m[0].density.name, "T10KA");
    assert_eq!(
        (m[39].barcode.as_str(), m[39].medium_type),
        ("CLN303TA", MediumType::Cleaning)
    );

    // The hand-written file names fixture tapes whose barcodes carry no media suffix.
    let e = media_to_create(&contents(&etc.join("custom"), 10), &c).unwrap_err();
    assert_eq!(
        e.to_string(),
        "library_contents.10: Slot 1: barcode \"FXDLTO8\": its last two characters name no media (L1..L9, LT..LZ, JA JB JC JK JW JX JY, TA TB TC, TZ TY TX TW TV TU, X1..X4, S1..S3, D7)"
    );
}
