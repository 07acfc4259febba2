//! `mktape --library-contents` (make_vtl_media) and `mktape --generate-config` (the default
//! configuration), on configurations made by vtl-config's generators.

use std::path::Path;
use std::process::{Command, Output};

use libvtlcart::{Cartridge, MediumType, OpenOptionsCart};
use serde_json::Value;
use vtl_config::generate::{DeviceConfParams, generate_device_conf, generate_library_contents};
use vtl_config::{DeviceConf, LibraryContents, media_to_create, validate};

fn mktape(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mktape"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("VTL_CONFIG_DIR")
        .output()
        .expect("run mktape")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// device.conf and library_contents.10/.30 of the default configuration with media home
/// `home`, written into `etc`.
fn write_config(etc: &Path, home: &Path) -> DeviceConf {
    std::fs::create_dir_all(etc).unwrap();
    let conf = generate_device_conf(&DeviceConfParams {
        home: home.to_path_buf(),
    });
    std::fs::write(etc.join("device.conf"), conf.to_string()).unwrap();
    for lib in &conf.libraries {
        let lc = generate_library_contents(lib.id, &conf);
        std::fs::write(lc.path(etc), lc.to_string()).unwrap();
    }
    conf
}

/// Every cartridge directory under `home`.
fn cartridges(home: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(home) else {
        return Vec::new();
    };
    let mut v: Vec<String> = rd
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

#[test]
fn every_named_cartridge_is_made_once_with_its_media() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    let home = tmp.path().join("media");
    let conf = write_config(&etc, &home);
    let etc_s = etc.to_str().unwrap();

    // Dry run: the list, nothing made.
    let dry = json(&mktape(&[
        "--library-contents",
        "-C",
        etc_s,
        "--dry-run",
        "--json",
    ]));
    assert!(cartridges(&home).is_empty());
    assert_eq!(dry["dry_run"], true);
    let mut want = Vec::new();
    for lib in &conf.libraries {
        let lc = generate_library_contents(lib.id, &conf);
        want.extend(media_to_create(&lc, &conf).unwrap());
    }
    // Library 10: 20 + 2 + 10; library 30: 39 + 1.
    assert_eq!(want.len(), 72);
    let listed: Vec<&str> = dry["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pcl"].as_str().unwrap())
        .collect();
    let names: Vec<&str> = want.iter().map(|m| m.barcode.as_str()).collect();
    assert_eq!(listed, names);
    assert!(dry["existing"].as_array().unwrap().is_empty());

    // The run.
    let out = json(&mktape(&[
        "--library-contents",
        "-C",
        etc_s,
        "--format",
        "v6",
        "--json",
    ]));
    assert_eq!(out["created"].as_array().unwrap().len(), 72);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(cartridges(&home), sorted);
    for m in &want {
        let c = Cartridge::open(&home.join(m.barcode.as_str()), &OpenOptionsCart::default())
            .unwrap_or_else(|e| panic!("{}: {e}", m.barcode.as_str()));
        let mam = c.mam();
        assert_eq!(mam.medium_type(), m.medium_type, "{}", m.barcode.as_str());
        assert_eq!(
            mam.base.medium_density_code,
            m.density.density_code,
            "{}",
            m.barcode.as_str()
        );
        assert_eq!(
            mam.base.max_capacity.get(),
            500 << 20,
            "{}",
            m.barcode.as_str()
        );
    }
    // The media the generated contents hold: LTO-8 and LTO-6 data, cleaning, T10000A.
    let kind = |pcl: &str| {
        let m = want.iter().find(|m| m.barcode.as_str() == pcl).unwrap();
        (m.density.name, m.medium_type)
    };
    assert_eq!(kind("E01001L8"), ("LTO8", MediumType::Data));
    assert_eq!(kind("CLN102L6"), ("LTO6", MediumType::Cleaning));
    assert_eq!(kind("F01030L6"), ("LTO6", MediumType::Data));
    assert_eq!(kind("G03001TA"), ("T10KA", MediumType::Data));

    // Again: nothing made, everything reported as existing.
    let before = std::fs::metadata(home.join("E01001L8").join("mam"))
        .unwrap()
        .modified()
        .unwrap();
    let again = json(&mktape(&["--library-contents", "-C", etc_s, "--json"]));
    assert!(again["created"].as_array().unwrap().is_empty());
    assert_eq!(again["existing"].as_array().unwrap().len(), 72);
    let after = std::fs::metadata(home.join("E01001L8").join("mam"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn chosen_libraries_home_override_size_and_text_output() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    write_config(&etc, &tmp.path().join("unused"));
    let home = tmp.path().join("other");
    let out = mktape(&[
        "--library-contents",
        "-C",
        etc.to_str().unwrap(),
        "-l",
        "30",
        "-H",
        home.to_str().unwrap(),
        "-s",
        "20",
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Created: G03001TA (T10KA, data, 20 MiB) in {} [library 30, Slot 1]",
            home.display()
        )),
        "{text}"
    );
    assert!(
        text.ends_with("40 cartridges created, 0 already there\n"),
        "{text}"
    );
    assert_eq!(cartridges(&home).len(), 40);
    assert!(!tmp.path().join("unused").exists());
    let c = Cartridge::open(&home.join("CLN303TA"), &OpenOptionsCart::default()).unwrap();
    assert_eq!(c.mam().medium_type(), MediumType::Cleaning);
    assert_eq!(c.mam().base.max_capacity.get(), 20 << 20);
    // An unknown library.
    let bad = mktape(&[
        "--library-contents",
        "-C",
        etc.to_str().unwrap(),
        "-l",
        "20",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no 'Library: 20' stanza"));
}

#[test]
fn a_barcode_without_media_stops_the_run_before_anything_is_made() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    let home = tmp.path().join("media");
    write_config(&etc, &home);
    let file = etc.join("library_contents.30");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Slot 7: G03007TA", "Slot 7: BOGUS7QQ");
    std::fs::write(&file, text).unwrap();
    let out = mktape(&["--library-contents", "-C", etc.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}: Slot 7: barcode BOGUS7QQ:", file.display())),
        "{err}"
    );
    assert!(cartridges(&home).is_empty());
}

#[test]
fn generate_config_writes_valid_files_and_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    let etc_s = etc.to_str().unwrap();
    let out = mktape(&["--generate-config", etc_s, "--home", "/srv/vtl", "--json"]);
    let doc = json(&out);
    assert_eq!(doc["written"].as_array().unwrap().len(), 3);
    let (conf, contents, warnings) = vtl_config::read_all(&etc).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(validate(&conf, &contents).is_empty());
    assert_eq!(conf.libraries.len(), 2);
    assert!(
        conf.libraries
            .iter()
            .all(|l| l.home == Path::new("/srv/vtl"))
    );
    // Byte for byte what the generators write.
    assert_eq!(
        std::fs::read_to_string(etc.join("library_contents.10")).unwrap(),
        generate_library_contents(10, &conf).to_string()
    );
    let lc: Vec<LibraryContents> = contents;
    assert_eq!(lc[1].slots.len(), 40);
    // Again: refused, nothing touched.
    std::fs::write(etc.join("library_contents.30"), "edited").unwrap();
    let again = mktape(&["--generate-config", etc_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(etc.join("library_contents.30")).unwrap(),
        "edited"
    );
    // --force overwrites.
    let forced = mktape(&["--generate-config", etc_s, "--force"]);
    assert!(forced.status.success(), "{forced:?}");
    assert!(
        String::from_utf8_lossy(&forced.stdout)
            .contains(&format!("Wrote {}", etc.join("device.conf").display()))
    );
    vtl_config::read_all(&etc).unwrap();
    // The default home.
    let d = tmp.path().join("d");
    json(&mktape(&[
        "--generate-config",
        d.to_str().unwrap(),
        "--json",
    ]));
    let (c, _) = DeviceConf::read(&d).unwrap();
    assert_eq!(c.libraries[0].home, Path::new("/opt/vtl"));
}

#[test]
fn modes_do_not_mix() {
    let a = mktape(&["--library-contents", "-m", "E01001L8"]);
    assert_eq!(a.status.code(), Some(1));
    let b = mktape(&[
        "--dry-run",
        "-m",
        "A",
        "-s",
        "1",
        "-t",
        "data",
        "-d",
        "LTO8",
    ]);
    assert_eq!(b.status.code(), Some(1));
    let c = mktape(&["--generate-config", "/nonexistent/x", "-l", "10"]);
    assert_eq!(c.status.code(), Some(1));
    // The classic mode still requires its options.
    let d = mktape(&["-H", "/tmp", "-m", "E01001L8"]);
    assert_eq!(d.status.code(), Some(1));
}

/// `-V` / `--version` prints the version and exits 0 without the creation options.
#[test]
fn version_needs_no_other_option() {
    for flag in ["-V", "--version"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mktape"))
            .arg(flag)
            .output()
            .unwrap();
        assert!(out.status.success(), "{flag}: {out:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.starts_with(&format!("mktape: version {}\n", env!("CARGO_PKG_VERSION"))),
            "{flag}: {text}"
        );
    }
}

/// A device.conf of its own (not the default): library 5 with two LTO-9 drives, library 7
/// with one 3592 E06 drive.
const CUSTOM: &str = "VERSION: 5

Library: 5 CHANNEL: 00 TARGET: 00 LUN: 00
 Vendor identification: STK
 Product identification: L700
 Home directory: HOME

Drive: 51 CHANNEL: 00 TARGET: 01 LUN: 00
 Library ID: 5 Slot: 01
 Product identification: ULT3580-TD9

Drive: 52 CHANNEL: 00 TARGET: 02 LUN: 00
 Library ID: 5 Slot: 02
 Product identification: ULT3580-TD9

Library: 7 CHANNEL: 00 TARGET: 03 LUN: 00
 Vendor identification: STK
 Product identification: L700
 Home directory: HOME

Drive: 71 CHANNEL: 00 TARGET: 04 LUN: 00
 Library ID: 7 Slot: 01
 Vendor identification: IBM
 Product identification: 03592E06
";

/// `--generate-config -C CONFDIR`: library_contents for the libraries of an existing
/// device.conf, existing files kept unless --force; then `--library-contents` makes the
/// LTO-9 and 3592 JC cartridges those files name.
#[test]
fn generate_config_for_an_existing_device_conf() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = tmp.path().join("etc");
    let home = tmp.path().join("media");
    std::fs::create_dir_all(&etc).unwrap();
    let conf_text = CUSTOM.replace("HOME", home.to_str().unwrap());
    std::fs::write(etc.join("device.conf"), &conf_text).unwrap();
    std::fs::write(
        etc.join("library_contents.7"),
        "Drive 1:\nSlot 1: KEEP01JC\n",
    )
    .unwrap();
    let etc_s = etc.to_str().unwrap();

    let doc = json(&mktape(&["--generate-config", "-C", etc_s, "--json"]));
    let lc5 = etc.join("library_contents.5");
    let lc7 = etc.join("library_contents.7");
    assert_eq!(doc["written"], serde_json::json!([lc5]));
    assert_eq!(doc["kept"], serde_json::json!([lc7]));
    assert_eq!(
        std::fs::read_to_string(&lc7).unwrap(),
        "Drive 1:\nSlot 1: KEEP01JC\n"
    );
    // device.conf untouched; library_contents.5 is the generator's for it.
    assert_eq!(
        std::fs::read_to_string(etc.join("device.conf")).unwrap(),
        conf_text
    );
    let (conf, _) = DeviceConf::read(&etc).unwrap();
    let written = std::fs::read_to_string(&lc5).unwrap();
    assert_eq!(written, generate_library_contents(5, &conf).to_string());
    let (lc, warnings) = LibraryContents::parse(&written, &lc5, 5).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(lc.drives.len(), 2);
    assert_eq!(lc.slots[0].as_ref().unwrap().as_str(), "M00501L9");

    // --force regenerates the kept one; text output names each file.
    let out = mktape(&["--generate-config", "-C", etc_s, "--force"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("Wrote {}", lc7.display())), "{text}");
    assert_eq!(
        std::fs::read_to_string(&lc7).unwrap(),
        generate_library_contents(7, &conf).to_string()
    );
    // Again without --force: both kept, said so.
    let out = mktape(&["--generate-config", "-C", etc_s]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Kept {} (it exists; --force overwrites it)",
            lc5.display()
        )),
        "{text}"
    );
    let (conf, contents, _) = vtl_config::read_all(&etc).unwrap();
    assert_eq!(validate(&conf, &contents), []);

    // Into another directory: DIR with -C.
    let out_dir = tmp.path().join("out");
    let doc = json(&mktape(&[
        "--generate-config",
        out_dir.to_str().unwrap(),
        "-C",
        etc_s,
        "--json",
    ]));
    assert_eq!(doc["written"].as_array().unwrap().len(), 2);
    assert!(!out_dir.join("device.conf").exists());
    assert_eq!(
        std::fs::read_to_string(out_dir.join("library_contents.7")).unwrap(),
        std::fs::read_to_string(&lc7).unwrap()
    );

    // -H makes no sense here; a missing device.conf is named.
    let h = mktape(&["--generate-config", "-C", etc_s, "-H", "/srv/x"]);
    assert_eq!(h.status.code(), Some(1), "{h:?}");
    let none = tmp.path().join("none");
    let m = mktape(&["--generate-config", "-C", none.to_str().unwrap()]);
    assert_eq!(m.status.code(), Some(1), "{m:?}");
    assert!(
        String::from_utf8_lossy(&m.stderr)
            .contains(&none.join("device.conf").display().to_string()),
        "{m:?}"
    );

    // The cartridges: LTO-9 (L9) in library 5, 3592 JC (E06) in library 7.
    let made = json(&mktape(&[
        "--library-contents",
        "-C",
        etc_s,
        "-s",
        "8",
        "--format",
        "v6",
        "--json",
    ]));
    assert_eq!(made["created"].as_array().unwrap().len(), 78);
    // MediaType 23 / density 0x60 is LTO-9's, 31 / 0x53 3592 E06's (spec 1.13).
    for (pcl, media_type, density_code) in [
        ("M00501L9", 23u8, 0x60u8),
        ("M00539L9", 23, 0x60),
        ("M00701JC", 31, 0x53),
    ] {
        let c = Cartridge::open(&home.join(pcl), &OpenOptionsCart::default())
            .unwrap_or_else(|e| panic!("{pcl}: {e}"));
        let mam = c.mam();
        assert_eq!(mam.medium_type(), MediumType::Data, "{pcl}");
        assert_eq!(mam.base.media_type, media_type, "{pcl}");
        assert_eq!(mam.base.medium_density_code, density_code, "{pcl}");
        assert_eq!(mam.base.max_capacity.get(), 8 << 20, "{pcl}");
    }
}
