//! mktape's files are byte-identical to the cartridges mhvtl's own mktape made (fixtures
//! `FXD*`, `FXCLN*`, `FXWRM*`, `FXNUL1*`, `FXNAT*`, `FXLONGBARCODE16C`), legacy against
//! mhvtl 1.7.2 and `--format v6` against mhvtl 1.8, except the 8 bytes of the MAM's
//! ApplicationVendor attribute (0x0800), which name vtl instead of mhvtl.

use std::process::Command;

use libvtlcart::testing::fixtures;
use serde_json::Value;

fn mktape(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_mktape"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("VTL_CONFIG_DIR")
        .output()
        .expect("run mktape")
}

#[test]
fn fresh_cartridges_are_byte_identical_to_mhvtl() {
    let Some(root) = fixtures() else { return };
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).unwrap())
            .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut compared = 0;
    for t in m["tapes"].as_array().unwrap() {
        let cmds = t["made_by"]["commands"].as_array().unwrap();
        if cmds.len() != 1 {
            continue;
        }
        let cmd = cmds[0]["cmd"].as_str().unwrap();
        let words: Vec<&str> = cmd.split_whitespace().collect();
        if !words[0].ends_with("/mktape") {
            continue;
        }
        let id = t["id"].as_str().unwrap();
        let format = t["format"].as_str().unwrap();
        let home = tmp.path().join(format);
        let home_s = home.to_str().unwrap();
        // mhvtl's arguments as recorded, with the media home given directly.
        let mut args: Vec<&str> = words[1..].to_vec();
        args.extend(["-H", home_s, "--format", format]);
        let out = mktape(&args);
        if id.ends_with("FXDBOGUS") {
            // 1.7.2 made a MediaType 0 tape for an unknown density; we refuse, as master.
            assert_eq!(out.status.code(), Some(1), "{id}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("BOGUS"));
            assert!(!home.join("FXDBOGUS").exists());
            continue;
        }
        assert!(
            out.status.success(),
            "{id}: {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pcl = t["pcl"].as_str().unwrap();
        libvtlcart::testing::assert_same_as_mhvtl(
            &home.join(pcl),
            &root.join(t["path"].as_str().unwrap()),
            id,
        );
        compared += 1;
    }
    // 39 densities/types per format (FXDBOGUS only in legacy).
    assert!(compared >= 80, "only {compared} cartridges compared");
}

#[test]
fn existing_cartridge_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    let base = [
        "-H", h, "-l", "10", "-m", "E01001L8", "-s", "10", "-t", "data", "-d", "LTO8",
    ];
    assert!(mktape(&base).status.success());
    let again = mktape(&base);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    let mut forced = base.to_vec();
    forced.push("--force");
    assert!(mktape(&forced).status.success());
}

#[test]
fn ranges_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    let out = mktape(&[
        "-H",
        h,
        "-m",
        "E01001L8..E01003L8",
        "-m",
        "CLN001L8",
        "-s",
        "10",
        "-t",
        "data",
        "-d",
        "LTO8",
        "--json",
        "--format",
        "v6",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let created = v["created"].as_array().unwrap();
    assert_eq!(created.len(), 4);
    assert_eq!(created[2]["pcl"], "E01003L8");
    assert_eq!(created[0]["format"], "v6");
    for p in ["E01001L8", "E01002L8", "E01003L8", "CLN001L8"] {
        assert!(tmp.path().join(p).join("mam").is_file(), "{p}");
    }
}

#[test]
fn argument_errors_exit_1_and_name_the_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    for (args, needle) in [
        (
            vec!["-H", h, "-m", "../x", "-s", "1", "-t", "data", "-d", "LTO8"],
            "barcode",
        ),
        (
            vec!["-H", h, "-m", "A/B", "-s", "1", "-t", "data", "-d", "LTO8"],
            "invalid barcode",
        ),
        (
            vec![
                "-H",
                h,
                "-m",
                "ABCDEFGHIJKLMNOPQ",
                "-s",
                "1",
                "-t",
                "data",
                "-d",
                "LTO8",
            ],
            "16",
        ),
        (
            vec!["-H", h, "-m", "A1", "-s", "1", "-t", "data", "-d", "QIC"],
            "QIC",
        ),
        (vec!["-H", h, "-m", "A1", "-s", "1", "-t", "data"], "-d"),
        (
            vec![
                "-l", "10", "-m", "A1", "-s", "1", "-t", "data", "-d", "LTO8", "-C", h,
            ],
            "device.conf",
        ),
    ] {
        let out = mktape(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "nothing was created"
    );
}

#[test]
fn home_comes_from_device_conf() {
    let tmp = tempfile::tempdir().unwrap();
    let media = tmp.path().join("media");
    std::fs::write(
        tmp.path().join("device.conf"),
        format!(
            "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Vendor identification: STK\n Home directory: {}\n",
            media.display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mktape"))
        .args([
            "-l", "10", "-m", "E01001L8", "-s", "10", "-t", "WORM", "-d", "LTO7",
        ])
        .env("VTL_CONFIG_DIR", tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::metadata(media.join("E01001L8/meta"))
            .unwrap()
            .len(),
        1536
    );
}
