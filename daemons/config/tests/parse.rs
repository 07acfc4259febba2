//! Parser rules, error messages (exact), warnings, cross-file validation, writers and media
//! derivation, on hand-written inputs.

use std::path::Path;

use libvtlcart::MediumType;
use vtl_config::generate::{
    DeviceConfParams, generate_device_conf, generate_library_contents, media_suffix_for_product,
};
use vtl_config::{
    CompressionKind, DeviceConf, DriveConf, LibraryConf, LibraryContents, Severity,
    media_for_barcode, validate,
};

const HEAD: &str = "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Vendor identification: STK\n\nDrive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n";

fn dc(text: &str) -> Result<(DeviceConf, Vec<vtl_config::Warning>), String> {
    DeviceConf::parse(text, Path::new("device.conf")).map_err(|e| e.to_string())
}

fn dc_err(extra: &str) -> String {
    dc(&format!("{HEAD}{extra}")).unwrap_err()
}

fn lc(text: &str) -> Result<(LibraryContents, Vec<vtl_config::Warning>), String> {
    LibraryContents::parse(text, Path::new("library_contents.10"), 10).map_err(|e| e.to_string())
}

#[test]
fn device_conf_errors_name_file_line_and_key() {
    assert_eq!(
        dc_err(" Unit serial number: ABCDEFGHIJKLMNOPQ\n"),
        "device.conf:8: Unit serial number: \"ABCDEFGHIJKLMNOPQ\" is 17 characters, at most 16"
    );
    assert_eq!(
        dc_err(" Vendor identification: QUANTUM12\n"),
        "device.conf:8: Vendor identification: \"QUANTUM12\" is 9 characters, at most 8"
    );
    assert_eq!(
        dc_err(" Product revision level: 12345\n"),
        "device.conf:8: Product revision level: \"12345\" is 5 characters, at most 4"
    );
    assert_eq!(
        dc_err(" Backoff: 1\n"),
        "device.conf:8: Backoff: 1 is out of range (2..=9999 microseconds)"
    );
    assert_eq!(
        dc_err(" Backoff: fast\n"),
        "device.conf:8: Backoff: \"fast\" is not a number"
    );
    assert_eq!(
        dc_err(" Compression: factor 10 enabled 1\n"),
        "device.conf:8: Compression: 10 is out of range (factor 1..=9)"
    );
    assert_eq!(
        dc_err(" Compression: factor 5 enabled 2\n"),
        "device.conf:8: Compression: \"2\" is not 0 or 1 (enabled)"
    );
    assert_eq!(
        dc_err(" Compression type: bzip2\n"),
        "device.conf:8: Compression type: \"bzip2\" is not lzo or zlib"
    );
    assert_eq!(
        dc_err(" LBP RSCRC BE: yes\n"),
        "device.conf:8: LBP RSCRC BE: \"yes\" is not 0 or 1"
    );
    assert_eq!(
        dc_err(" Library ID: 10\n"),
        "device.conf:8: Library ID: expected 'Library ID: <library> Slot: <n>'"
    );
    assert_eq!(
        dc_err(" Vendor identification:\n"),
        "device.conf:8: Vendor identification: no value"
    );
    assert_eq!(
        dc_err("\n Vendor identification: IBM\n"),
        "device.conf:9: Vendor identification: key outside any stanza (a blank line ended the last one)"
    );
    assert_eq!(
        dc_err("Vendor identification: IBM\n"),
        "device.conf:8: Vendor identification: a key must be indented (start with a space) inside a Library: or Drive: stanza"
    );
    assert_eq!(
        dc_err("\nDrive: 12 CHANNEL: 00 TARGET: 02\n"),
        "device.conf:9: Drive: expected 'Drive: <id> CHANNEL: <c> TARGET: <t> LUN: <l>'"
    );
    assert_eq!(
        dc_err("\nDrive: 12 CHANNEL: 00 TARGET: x2 LUN: 0\n"),
        "device.conf:9: TARGET: \"x2\" is not a number"
    );
    assert_eq!(
        dc_err("\nLibrary: 40000 CHANNEL: 00 TARGET: 02 LUN: 0\n"),
        "device.conf:9: Library: 40000 is out of range (0..=32767)"
    );
    assert_eq!(
        dc("Library: 10 CHANNEL: 0 TARGET: 0 LUN: 0\n PERSIST: maybe\n").unwrap_err(),
        "device.conf:2: PERSIST: \"maybe\" is not True, Yes, False or No"
    );
    assert_eq!(
        dc("Library: 10 CHANNEL: 0 TARGET: 0 LUN: 0\n commandtimeout: 0\n").unwrap_err(),
        "device.conf:2: commandtimeout: 0 is out of range (1..=86400 seconds)"
    );
    assert_eq!(
        dc("Library: 10 CHANNEL: 0 TARGET: 0 LUN: 0\n Product identification: L700\u{e9}\n")
            .unwrap_err(),
        "device.conf:2: Product identification: \"L700\u{e9}\" has characters other than printable ASCII (SPC-5 4.3.1)"
    );
}

#[test]
fn unknown_and_misplaced_keys_are_warnings() {
    let (c, w) = dc(&format!(
        "{HEAD} Colour: blue\n PERSIST: yes\n Vendor identification: IBM extra\n NAA: 1:2:3\n Vendor identification: HP\nWhatever: 1\n"
    ))
    .unwrap();
    let w: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "device.conf:8: Colour: unknown key; ignored",
            "device.conf:9: PERSIST: applies to Library: stanzas only; ignored",
            "device.conf:10: Vendor identification: text after \"IBM\" is ignored: \"extra\"",
            "device.conf:11: NAA: \"1:2:3\" is not 8 hex bytes separated by ':' (aa:bb:cc:dd:ee:ff:gg:hh); the default designator is used",
            "device.conf:12: Vendor identification: given again (first on line 10); this value is used",
            "device.conf:13: Whatever: not a stanza header (Library:, Drive:, VERSION:); line ignored",
        ]
    );
    let d = c.drive(11).unwrap();
    assert_eq!(d.vendor.as_deref(), Some("HP"));
    assert_eq!(d.naa, None);
    assert_eq!(
        DeviceConf::drive_naa(d),
        [0x10, 0x22, 0x33, 0x44, 0xab, 0, 1, 0]
    );
    assert_eq!(c.library(10).unwrap().home, Path::new("/opt/vtl"));
}

#[test]
fn values_are_read_as_documented() {
    let text = "Library: 7 CHANNEL: 1 TARGET: 2 LUN: 3\n\tProduct identification:    SDLT 320  \n PERSIST: yes\n movecommand: /usr/bin/mv-hook\n commandtimeout: 45\n fifo: /run/vtl.fifo\n\n\
Drive: 8 CHANNEL: 1 TARGET: 3 LUN: 0\n Product identification: Ultrium 8-SCSI With A Long Tail\n Compression: 6\n Compression type: ZLIB\n LBP RSCRC BE: 0\n  NAA:   0a:0b:0c:0d:0e:0f:1:2\n\n\
Drive: 9 CHANNEL: 1 TARGET: 4 LUN: 0\n Compression: 0\n\n# comment\n  # indented comment\n";
    let (c, w) = dc(text).unwrap();
    let l = c.library(7).unwrap();
    assert_eq!((l.channel, l.target, l.lun), (1, 2, 3));
    assert_eq!(l.product.as_deref(), Some("SDLT 320"));
    assert!(l.persist);
    assert_eq!(
        l.movecommand.as_deref(),
        Some(Path::new("/usr/bin/mv-hook"))
    );
    assert_eq!(l.commandtimeout, 45);
    assert_eq!(l.fifo.as_deref(), Some(Path::new("/run/vtl.fifo")));
    let d = c.drive(8).unwrap();
    assert_eq!(d.product.as_deref(), Some("Ultrium 8-SCSI W"));
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].to_string(),
        "device.conf:9: Product identification: \"Ultrium 8-SCSI With A Long Tail\" is longer than 16 characters; \"Ultrium 8-SCSI W\" is used"
    );
    assert_eq!(
        (
            d.compression.factor,
            d.compression.enabled,
            d.compression.kind
        ),
        (6, true, Some(CompressionKind::Zlib))
    );
    assert!(!d.lbp_rscrc_be);
    assert_eq!(d.naa, Some([0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 1, 2]));
    let d9 = c.drive(9).unwrap();
    assert!(!d9.compression.enabled);
    assert!(d9.lbp_rscrc_be);
    assert_eq!(c.version, None);
    // And back.
    let (back, w) = dc(&c.to_string()).unwrap();
    assert!(w.is_empty());
    assert_eq!(back, c);
}

#[test]
fn writer_keeps_orders_when_drives_come_before_their_library() {
    let mut a = DriveConf::new(21, 0, 5, 0);
    a.library = Some((20, 1));
    let mut b = DriveConf::new(11, 0, 6, 0);
    b.library = Some((10, 1));
    let c = DeviceConf {
        libraries: vec![LibraryConf::new(10, 0, 1, 0), LibraryConf::new(20, 0, 2, 0)],
        drives: vec![a, b, DriveConf::new(5, 0, 9, 0)],
        version: Some(5),
    };
    let text = c.to_string();
    let (back, _) = dc(&text).unwrap();
    assert_eq!(back, c);
    let headers: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Library:") || l.starts_with("Drive:"))
        .collect();
    assert_eq!(
        headers,
        [
            "Library: 10 CHANNEL: 00 TARGET: 01 LUN: 00",
            "Library: 20 CHANNEL: 00 TARGET: 02 LUN: 00",
            "Drive: 21 CHANNEL: 00 TARGET: 05 LUN: 00",
            "Drive: 11 CHANNEL: 00 TARGET: 06 LUN: 00",
            "Drive: 05 CHANNEL: 00 TARGET: 09 LUN: 00",
        ]
    );
}

#[test]
fn library_contents_rules() {
    let (c, w) = lc("VERSION: 2\nDrive 2: SERIAL9\nPicker 1: P1L8\nMAP 2: M1L8\nSlot 3: NOBAR7\nSlot 1: E01001L8   \nSlot 5:   \nBogus 1: x\nnonsense\n").unwrap();
    assert_eq!(c.drives, [None, Some("SERIAL9".to_string())]);
    assert_eq!(c.pickers[0].as_ref().unwrap().as_str(), "P1L8");
    assert_eq!(c.maps.len(), 2);
    assert_eq!(c.maps[0], None);
    assert_eq!(c.slots.len(), 5);
    assert_eq!(c.slots[0].as_ref().unwrap().volume_tag(), Some("E01001L8"));
    assert_eq!(c.slots[2].as_ref().unwrap().volume_tag(), None);
    assert_eq!(c.layout.spaced_empty_slots, [5]);
    let w: Vec<String> = w.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "library_contents.10:8: Bogus 1: unknown element type; ignored",
            "library_contents.10:9: nonsense: not an element line; ignored"
        ]
    );
    let text = c.to_string();
    assert_eq!(
        text,
        "VERSION: 2\n\nDrive 1:\nDrive 2: SERIAL9\n\nPicker 1: P1L8\n\nMAP 1:\nMAP 2: M1L8\n\nSlot 1: E01001L8\nSlot 2:\nSlot 3: NOBAR7\nSlot 4:\nSlot 5: \n"
    );
    assert_eq!(lc(&text).unwrap().0, c);

    assert_eq!(
        lc("Slot 1: ABCDEFGHIJKLMNOPQ\n").unwrap_err(),
        "library_contents.10:1: Slot 1: \"ABCDEFGHIJKLMNOPQ\" is 17 characters, at most 16"
    );
    assert_eq!(
        lc("\nSlot 1: ../etc\n").unwrap_err(),
        "library_contents.10:2: Slot 1: \"../etc\" is not a valid barcode: starts with '.' or '-'"
    );
    assert_eq!(
        lc("Slot 0: A\n").unwrap_err(),
        "library_contents.10:1: Slot 0: 0 is out of range (1..=65535)"
    );
    assert_eq!(
        lc("MAP x: A\n").unwrap_err(),
        "library_contents.10:1: MAP x: \"x\" is not a number"
    );
    assert_eq!(
        lc("Slot 2: A1L8\nSlot 2: A2L8\n").unwrap_err(),
        "library_contents.10:2: Slot 2: given again (first on line 1)"
    );
    assert_eq!(
        lc("Drive 1: SERIALNUMBERTOOLONG\n").unwrap_err(),
        "library_contents.10:1: Drive 1: \"SERIALNUMBERTOOLONG\" is 19 characters, at most 16"
    );
}

fn messages(p: &[vtl_config::Problem]) -> Vec<String> {
    p.iter().map(ToString::to_string).collect()
}

#[test]
fn cross_file_validation() {
    let good = generate_device_conf(&DeviceConfParams::default());
    let l10 = generate_library_contents(10, &good);
    let l30 = generate_library_contents(30, &good);
    assert_eq!(validate(&good, &[l10.clone(), l30.clone()]), []);

    let mut c = good.clone();
    c.drives[1].id = 11; // duplicate id
    c.drives[2].target = 1; // same address as drive 11
    c.drives[3].serial = Some("XYZZY_A1".into());
    c.drives[4].naa = c.drives[0].naa;
    c.drives[5].library = Some((99, 1));
    c.drives[6].library = Some((30, 1)); // two drives in drive 1 of library 30
    c.drives[7].library = Some((30, 7)); // beyond the 4 drives of library_contents.30
    let mut l10 = l10.clone();
    l10.slots[5] = l10.slots[0].clone();
    let mut l30 = l30.clone();
    l30.maps[0] = l10.slots[1].clone();
    let mut stray = l30.clone();
    stray.library = 50;
    let p = validate(&c, &[l10, l30, stray]);
    assert_eq!(
        messages(&p),
        [
            "error: drive 11 has the id 11 of drive 11 (ids must be unique)",
            "error: drive 13 is at CHANNEL 0 TARGET 1 LUN 0 like drive 11",
            "error: drive 14 has the unit serial number \"XYZZY_A1\" of drive 11",
            "error: drive 31 has the NAA 10:22:33:44:ab:00:01:00 of drive 11",
            "error: drive 32: Library ID 99 names no library in device.conf",
            "error: drive 33 and drive 31 are both drive 1 of library 30",
            "error: library_contents.10: barcode \"E01001L8\" is in Slot 1 and Slot 6",
            "error: drive 34: Slot 7 of library 30, but library_contents.30 lists 4 drive(s)",
            "warning: library_contents.30: Drive 2 has no drive in device.conf (Library ID: 30 Slot: 2); it stays empty",
            "warning: library_contents.30: Drive 3 has no drive in device.conf (Library ID: 30 Slot: 3); it stays empty",
            "warning: library_contents.30: Drive 4 has no drive in device.conf (Library ID: 30 Slot: 4); it stays empty",
            "warning: library_contents.50: library 50 is not in device.conf; the file is not used",
            "error: barcode \"E01002L8\" is in library 10 (Slot 2) and library 30 (MAP 1), which share the home /opt/vtl (one cartridge directory)",
        ]
    );
    assert!(vtl_config::validate::has_errors(&p));

    // Different homes: the same barcode in two libraries is only a warning.
    let mut c = good.clone();
    c.libraries[1].home = "/srv/other".into();
    let mut l30 = generate_library_contents(30, &c);
    l30.slots[0] = generate_library_contents(10, &c).slots[0].clone();
    let p = validate(&c, &[generate_library_contents(10, &c), l30]);
    assert_eq!(
        messages(&p),
        ["warning: barcode \"E01001L8\" is in library 10 (Slot 1) and library 30 (Slot 1)"]
    );
    assert_eq!(p[0].severity, Severity::Warning);

    // `Drive n: SERIAL`: the drive's own serial is no news; another one is a warning (the
    // library reports it, the drive does not).
    let mut l10 = generate_library_contents(10, &good);
    l10.drives[0] = good.drives[0].serial.clone();
    l10.drives[1] = Some("OTHER2".into());
    let own = good.drives[1].serial.clone().unwrap();
    let p = validate(&good, &[l10]);
    assert_eq!(
        messages(&p),
        [format!(
            "warning: library_contents.10: Drive 2: OTHER2 overrides the unit serial number \
             {own} of drive 12: READ ELEMENT STATUS reports OTHER2, the drive's INQUIRY {own}"
        )]
    );
    // A drive without `Unit serial number:` is DRV<id>.
    let mut c = good.clone();
    c.drives[1].serial = None;
    let mut l10 = generate_library_contents(10, &c);
    l10.drives[1] = Some("DRV12".into());
    assert_eq!(validate(&c, &[l10]), []);
}

#[test]
fn media_from_barcodes() {
    let m = |b: &str| media_for_barcode(b).map(|(d, t)| (d.name, t));
    assert_eq!(m("E01001L9"), Ok(("LTO9", MediumType::Data)));
    assert_eq!(m("E01001LZ"), Ok(("LTO9", MediumType::Worm)));
    assert_eq!(m("E01001LX"), Ok(("LTO7", MediumType::Worm)));
    assert_eq!(m("WORM01L8"), Ok(("LTO8", MediumType::Worm)));
    assert_eq!(m("CLN001L9"), Ok(("LTO9", MediumType::Cleaning)));
    assert_eq!(m("J00001JC"), Ok(("E06", MediumType::Data)));
    assert_eq!(m("J00001JY"), Ok(("E07", MediumType::Worm)));
    assert_eq!(m("J00001JA"), Ok(("J1A", MediumType::Data)));
    assert_eq!(m("A00001TB"), Ok(("T10KB", MediumType::Data)));
    assert_eq!(m("A00001TW"), Ok(("9840D", MediumType::Data)));
    assert_eq!(m("A00001TU"), Ok(("9940B", MediumType::Data)));
    assert_eq!(m("A00001X4"), Ok(("AIT4", MediumType::Data)));
    assert_eq!(m("A00001S2"), Ok(("SDLT320", MediumType::Data)));
    assert_eq!(m("A00001D7"), Ok(("DLT4", MediumType::Data)));
    for bad in [
        "M01001",
        "L8",
        "A00001S4",
        "A00001TD",
        "e01001l8",
        "NOBAR00001",
    ] {
        assert!(m(bad).is_err(), "{bad}");
    }

    // In a library: L9 and JC cartridges, which mhvtl's make_vtl_media cannot make.
    let conf = generate_device_conf(&DeviceConfParams::default());
    let (c, _) = lc("Slot 1: E01001L9\nSlot 2:\nSlot 3: J01003JC\nMAP 1: CLN001L9\n").unwrap();
    let out = vtl_config::media_to_create(&c, &conf).unwrap();
    let rows: Vec<_> = out
        .iter()
        .map(|x| {
            (
                x.element.as_str(),
                x.barcode.as_str(),
                x.density.name,
                x.medium_type,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("Slot 1", "E01001L9", "LTO9", MediumType::Data),
            ("Slot 3", "J01003JC", "E06", MediumType::Data),
            ("MAP 1", "CLN001L9", "LTO9", MediumType::Cleaning),
        ]
    );
    let mut other = c.clone();
    other.library = 77;
    assert_eq!(
        vtl_config::media_to_create(&other, &conf)
            .unwrap_err()
            .to_string(),
        "library_contents.77: no 'Library: 77' stanza in device.conf"
    );
}

#[test]
fn generated_contents_of_other_libraries_name_their_media() {
    assert_eq!(media_suffix_for_product("ULT3580-TD9"), Some("L9"));
    assert_eq!(media_suffix_for_product("Ultrium 5-SCSI"), Some("L5"));
    assert_eq!(media_suffix_for_product("03592E06"), Some("JC"));
    assert_eq!(media_suffix_for_product("SDLT 320"), Some("S2"));
    assert_eq!(media_suffix_for_product("ULT3580-TD0"), None);
    assert_eq!(media_suffix_for_product("XYZ"), None);

    let mut conf = generate_device_conf(&DeviceConfParams::default());
    conf.libraries.push(LibraryConf::new(40, 0, 20, 0));
    let mut d = DriveConf::new(41, 0, 21, 0);
    d.library = Some((40, 2));
    d.product = Some("ULT3580-TD9".into());
    conf.drives.push(d);
    let c = generate_library_contents(40, &conf);
    assert_eq!(c.drives.len(), 2);
    assert_eq!(c.slots.len(), 39);
    assert_eq!(c.slots[0].as_ref().unwrap().as_str(), "M04001L9");
    assert_eq!(c.slots[38].as_ref().unwrap().as_str(), "M04039L9");
    assert_eq!(vtl_config::media_to_create(&c, &conf).unwrap().len(), 39);
    // Without a known drive the barcodes are mhvtl's, which name no media.
    let c = generate_library_contents(60, &conf);
    assert_eq!(c.slots[0].as_ref().unwrap().as_str(), "M06001");
    assert!(c.drives.is_empty());
    assert_eq!(c.maps.len(), 4);
}

/// An Overland library's generated library_contents lists one MAP element (its address map
/// has room for one; vtllibrary refuses more), whatever the case of the product id; other
/// libraries get mhvtl's four.
#[test]
fn generated_contents_of_an_overland_library_have_one_map_element() {
    let mut conf = generate_device_conf(&DeviceConfParams::default());
    for (id, product) in [(40, "OVERLAND NEO"), (50, "overland"), (60, "NEO OVERLAND")] {
        let mut l = LibraryConf::new(id, 0, id, 0);
        l.product = Some(product.into());
        conf.libraries.push(l);
    }
    assert_eq!(generate_library_contents(40, &conf).maps.len(), 1);
    assert_eq!(generate_library_contents(50, &conf).maps.len(), 1);
    assert_eq!(generate_library_contents(60, &conf).maps.len(), 4);
    assert_eq!(generate_library_contents(10, &conf).maps.len(), 4);
    let text = generate_library_contents(40, &conf).to_string();
    assert_eq!(text.matches("\nMAP ").count(), 1, "{text}");
}

/// `Alternate volume tags:` (a vtl extension) parses, defaults to off, is written back only
/// when on, and refuses other values naming the key.
#[test]
fn alternate_volume_tags_key() {
    let text = "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Alternate volume tags: Yes\n";
    let (conf, warnings) = vtl_config::DeviceConf::parse(text, Path::new("device.conf")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(conf.libraries[0].alternate_volume_tags);
    let again = vtl_config::DeviceConf::parse(&conf.to_string(), Path::new("device.conf"))
        .unwrap()
        .0;
    assert_eq!(again, conf);
    let off = "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n";
    let (conf, _) = vtl_config::DeviceConf::parse(off, Path::new("device.conf")).unwrap();
    assert!(!conf.libraries[0].alternate_volume_tags);
    assert!(!conf.to_string().contains("Alternate volume tags"));
    let bad = "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Alternate volume tags: maybe\n";
    let e = vtl_config::DeviceConf::parse(bad, Path::new("device.conf"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("device.conf:2: Alternate volume tags:"),
        "{e}"
    );
}

/// `Home directory:` in a Drive stanza (a vtl extension): the cartridge directory of a
/// stand-alone drive; a library drive uses its library's home, and validation warns when its
/// own says otherwise.
#[test]
fn drive_home_directory() {
    let text = "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Home directory: /srv/lib10\n\n\
                Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n Home directory: /srv/other\n\n\
                Drive: 20 CHANNEL: 00 TARGET: 02 LUN: 00\n Home directory: /srv/standalone\n\n\
                Drive: 21 CHANNEL: 00 TARGET: 03 LUN: 00\n";
    let (conf, warnings) = dc(text).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let default = Path::new("/opt/vtl");
    let d11 = conf.drive(11).unwrap();
    let d20 = conf.drive(20).unwrap();
    let d21 = conf.drive(21).unwrap();
    assert_eq!(d11.home.as_deref(), Some(Path::new("/srv/other")));
    assert_eq!(d20.home.as_deref(), Some(Path::new("/srv/standalone")));
    assert_eq!(d21.home, None);
    assert_eq!(conf.drive_home(d11, default), Path::new("/srv/lib10"));
    assert_eq!(conf.drive_home(d20, default), Path::new("/srv/standalone"));
    assert_eq!(conf.drive_home(d21, default), Path::new("/opt/vtl"));
    // Written back and read again: the same configuration.
    let written = conf.to_string();
    assert!(
        written.contains("\n Home directory: /srv/standalone\n"),
        "{written}"
    );
    assert_eq!(dc(&written).unwrap().0, conf);
    // The library drive's own home is ignored, with a warning.
    let lc = LibraryContents {
        library: 10,
        version: Some(2),
        drives: vec![None],
        pickers: vec![None],
        maps: vec![None],
        slots: vec![None],
        layout: Default::default(),
    };
    assert_eq!(
        messages(&validate(&conf, &[lc])),
        [
            "warning: drive 11: Home directory /srv/other is ignored: a drive of library 10 uses the library's /srv/lib10"
        ]
    );
    let e = dc("Drive: 20 CHANNEL: 00 TARGET: 02 LUN: 00\n Home directory:\n").unwrap_err();
    assert_eq!(e, "device.conf:2: Home directory: no value");
}
