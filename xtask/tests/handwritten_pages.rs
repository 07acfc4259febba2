//! The hand-written man pages (man/device.conf.5, man/library_contents.5, man/vtl.7):
//! free of roff warnings, complete with respect to the code they describe (every
//! device.conf key, every drive product identification, every library personality), and
//! with examples that parse.

use std::path::{Path, PathBuf};
use std::process::Command;

use vtl_config::{DeviceConf, LibraryContents};

/// The hand-written pages, relative to the workspace root.
const PAGES: [&str; 3] = ["man/device.conf.5", "man/library_contents.5", "man/vtl.7"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

fn page(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Roff source back to plain text, as far as these pages need it: `\-` is `-`, font changes
/// are dropped.
fn plain(s: &str) -> String {
    s.replace("\\-", "-")
        .replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
}

/// The text of section `name` (from its `.SH` line to the next `.SH`).
fn section<'a>(page: &'a str, name: &str) -> &'a str {
    let head = format!(".SH {name}\n");
    let start = page
        .find(&head)
        .unwrap_or_else(|| panic!("no section {name}"))
        + head.len();
    let end = page[start..]
        .find("\n.SH ")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// The no-fill blocks (`.nf` .. `.fi`) of `text`, as plain text.
fn nofill_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        match (line, &mut cur) {
            (".nf", None) => cur = Some(String::new()),
            (".fi", Some(_)) => out.push(plain(&cur.take().unwrap())),
            (l, Some(b)) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(cur.is_none(), ".nf without .fi");
    out
}

/// True when groff can be run; false (after printing SKIPPED) when it is not installed and
/// CI is not set; a failure when it is missing in CI.
fn groff_installed() -> bool {
    match Command::new("groff").arg("--version").output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("groff is not installed (CI=true): install groff-base");
            }
            println!("SKIPPED: groff not installed (install groff-base)");
            false
        }
        Err(e) => panic!("groff: {e}"),
    }
}

/// groff formats each page with every warning enabled (`-ww`) and says nothing; the text has
/// the page's name and its sections.
#[test]
fn groff_renders_without_warnings() {
    if !groff_installed() {
        return;
    }
    for rel in PAGES {
        let path = root().join(rel);
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou"])
            .arg(&path)
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("run groff");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{rel}: groff failed: {err}");
        assert!(err.is_empty(), "{rel}: groff warnings:\n{err}");
        let text = String::from_utf8_lossy(&out.stdout);
        for s in ["NAME", "EXAMPLES", "FILES", "SEE ALSO"] {
            assert!(text.contains(s), "{rel}: no {s} in the rendered page");
        }
    }
}

/// Each page has a `.TH` header naming it and its section, and the sections in order.
#[test]
fn pages_have_header_and_sections() {
    for (rel, th) in [
        ("man/device.conf.5", ".TH DEVICE.CONF 5 "),
        ("man/library_contents.5", ".TH LIBRARY_CONTENTS 5 "),
        ("man/vtl.7", ".TH VTL 7 "),
    ] {
        let p = page(rel);
        assert!(p.lines().any(|l| l.starts_with(th)), "{rel}: no `{th}`");
        let mut last = 0;
        for name in ["NAME", "DESCRIPTION", "EXAMPLES", "FILES", "SEE ALSO"] {
            let at = p
                .find(&format!("\n.SH {name}\n"))
                .unwrap_or_else(|| panic!("{rel}: no {name}"));
            assert!(at > last, "{rel}: {name} out of order");
            last = at;
        }
    }
}

/// Every key the device.conf parser accepts is described in device.conf(5), as the tag of
/// a `.TP` entry (`.BI "Key: "` or `.BR "Key: "`).
#[test]
fn every_device_conf_key_is_documented() {
    let p = page("man/device.conf.5");
    let keys: Vec<&str> = vtl_config::device_conf::known_keys().collect();
    assert!(keys.len() >= 16, "{keys:?}");
    for key in keys {
        let tag = format!("\"{key}: ");
        assert!(
            p.lines()
                .any(|l| (l.starts_with(".BI ") || l.starts_with(".BR ")) && l.contains(&tag)),
            "device.conf.5 does not describe `{key}:`"
        );
    }
}

/// The device.conf examples parse without errors or warnings and describe what the page
/// says: library 10 with four drives, and a stand-alone zlib drive.
#[test]
fn device_conf_examples_parse() {
    let p = page("man/device.conf.5");
    let blocks: Vec<String> = nofill_blocks(section(&p, "EXAMPLES"))
        .into_iter()
        .filter(|b| b.contains("Library:") || b.contains("Drive:"))
        .collect();
    assert_eq!(blocks.len(), 2);
    let (conf, warnings) = DeviceConf::parse(&blocks[0], Path::new("device.conf")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(conf.version, Some(5));
    assert_eq!(conf.libraries.len(), 1);
    assert_eq!(conf.libraries[0].product.as_deref(), Some("L700"));
    assert_eq!(conf.drives_of(10).count(), 4);
    // The example is the first library of the generated default configuration, verbatim.
    let generated = vtl_config::generate::generate_device_conf(&Default::default()).to_string();
    for stanza in blocks[0].split("\n\n").skip(1) {
        assert!(generated.contains(stanza), "not as generated:\n{stanza}");
    }
    let (conf, warnings) = DeviceConf::parse(&blocks[1], Path::new("device.conf")).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let d = &conf.drives[0];
    assert_eq!(d.product.as_deref(), Some("Ultrium 5-SCSI"));
    assert_eq!(d.library, None);
    assert_eq!(d.compression.factor, 6);
    assert!(d.compression.enabled);
    assert_eq!(d.compression.kind, Some(vtl_config::CompressionKind::Zlib));
    assert_eq!(
        vtltape::personality::Personality::for_product("Ultrium 5-SCSI").name,
        "HP LTO-5"
    );
}

/// The library_contents example parses without warnings and holds what the page says.
#[test]
fn library_contents_example_parses() {
    let p = page("man/library_contents.5");
    let blocks: Vec<String> = nofill_blocks(section(&p, "EXAMPLES"))
        .into_iter()
        .filter(|b| b.contains("Slot 1:"))
        .collect();
    assert_eq!(blocks.len(), 1);
    let (lc, warnings) =
        LibraryContents::parse(&blocks[0], Path::new("library_contents.10"), 10).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(lc.drives.len(), 4);
    assert_eq!(lc.pickers.len(), 1);
    assert_eq!(lc.maps.len(), 4);
    assert_eq!(lc.maps[3].as_ref().unwrap().as_str(), "E01099L8");
    assert_eq!(lc.slots.len(), 24);
    assert!(lc.slots[20].is_none());
    assert_eq!(lc.slots[23].as_ref().unwrap().volume_tag(), None);
    assert_eq!(lc.cartridges().count(), 24);
    // It fits the default device.conf's library 10.
    let conf = vtl_config::generate::generate_device_conf(&Default::default());
    let problems = vtl_config::validate(&conf, &[lc]);
    assert!(!vtl_config::validate::has_errors(&problems), "{problems:?}");
}

/// Every product identification of every drive personality is in vtl(7), and so is each
/// personality's name; the default personality is described.
#[test]
fn every_drive_product_id_is_in_vtl_7() {
    let p = plain(&page("man/vtl.7"));
    let drives = section(&p, "EMULATED DRIVES");
    let all = vtltape::personality::Personality::all();
    assert!(all.len() > 40);
    for pers in all {
        assert!(
            drives.contains(&format!(".B {}\n", pers.name)),
            "vtl.7 lacks the drive {}",
            pers.name
        );
        for id in pers.product_ids {
            assert!(
                drives.contains(id),
                "vtl.7 lacks product id {id:?} ({})",
                pers.name
            );
        }
    }
}

/// For each drive, the media it reads and writes, and those it only reads, are listed
/// under its entry, with its WORM, encryption and LBP flags.
#[test]
fn drive_media_and_flags_match_the_code() {
    use vtltape::personality::Lbp;
    let p = plain(&page("man/vtl.7"));
    let drives = section(&p, "EMULATED DRIVES");
    for pers in vtltape::personality::Personality::all()
        .iter()
        .filter(|p| !p.accepts_all_media)
    {
        let head = format!(".B {}\n", pers.name);
        let start = drives.find(&head).unwrap() + head.len();
        let end = drives[start..]
            .find(".TP")
            .map_or(drives.len(), |e| start + e);
        let entry = &drives[start..end];
        let mut rw = format!("Reads and writes {}", pers.read_write.join(", "));
        if !pers.read_only.is_empty() {
            rw += &format!("; only reads {}", pers.read_only.join(", "));
        }
        rw.push('.');
        assert!(
            entry.contains(&rw),
            "{}: want `{rw}` in\n{entry}",
            pers.name
        );
        let yn = |b: bool| if b { "yes" } else { "no" };
        let lbp = match pers.lbp {
            Lbp::None => "none",
            Lbp::RsCrc => "RS-CRC",
            Lbp::RsCrcAndCrc32c => "RS-CRC and CRC32C",
        };
        let flags = format!(
            "WORM: {}; encryption: {}; LBP: {lbp}.",
            yn(pers.worm),
            yn(pers.encryption)
        );
        assert!(
            entry.contains(&flags),
            "{}: want `{flags}` in\n{entry}",
            pers.name
        );
        assert!(
            entry.contains(&format!("(vendor {})", pers.default_vendor)),
            "{}",
            pers.name
        );
    }
}

/// Every library personality is in vtl(7) with its four first element addresses.
#[test]
fn library_personalities_are_in_vtl_7() {
    use vtllibrary::personality as lp;
    let p = plain(&page("man/vtl.7"));
    let libs = section(&p, "LIBRARY PERSONALITIES");
    for pers in [
        lp::STK_L20,
        lp::STK_SL,
        lp::STK_L,
        lp::IBM_TS3100,
        lp::IBM_03584,
        lp::HP_MSL,
        lp::HP_EML,
        lp::OVERLAND,
        lp::SCALAR,
        lp::SPECTRA_T,
        lp::SPECTRA_GATOR,
        lp::SPECTRA_TREEFROG,
        lp::DEFAULT,
    ] {
        let head = format!(".B {}\n", pers.name);
        let start = libs
            .find(&head)
            .unwrap_or_else(|| panic!("vtl.7 lacks the library {}", pers.name))
            + head.len();
        let end = libs[start..].find(".TP").map_or(libs.len(), |e| start + e);
        let f = pers.first;
        let want = format!(
            "Picker {:#x}, MAP {:#x}, drives {:#x}, slots {:#x} (decimal {}, {}, {}, {}).",
            f.transport,
            f.import_export,
            f.data_transfer,
            f.storage,
            f.transport,
            f.import_export,
            f.data_transfer,
            f.storage
        );
        assert!(
            libs[start..end].contains(&want),
            "{}: want `{want}`",
            pers.name
        );
    }
    // The selection the page describes is the code's.
    assert_eq!(lp::select("STK", "L700"), lp::STK_L);
    assert_eq!(lp::select("STK", "L80"), lp::STK_L20);
}
