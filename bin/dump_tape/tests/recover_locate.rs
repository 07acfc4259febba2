//! `--recover` on damaged copies of fixture tapes, and how dump_tape finds a cartridge
//! (-m with -H, -l, -C / $VTL_CONFIG_DIR, a positional directory) and its exit codes.

mod common;

use std::path::Path;
use std::process::Command;

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

#[test]
fn recover_cuts_a_torn_index_and_a_short_data_file() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // FXTXT1L8: 4 LZO blocks (ends 8499, 17068, 24924, 32951) and a filemark at 4, EOD 5.
    let dir = common::copy_tape(&root.join("legacy/FXTXT1L8"), tmp.path());
    let (indx, data) = (dir.join("indx"), dir.join("data"));
    common::truncate(&indx, 5 * 512 - 100);
    common::truncate(&data, 30000);

    // A plain dump refuses, naming the file, and points at --recover.
    let r = common::dump_tape([dir.as_os_str()]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stderr.starts_with("dump_tape: "), "{}", r.stderr);
    assert!(
        r.stderr.contains(&indx.display().to_string()),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("offset 2048"), "{}", r.stderr);
    assert!(r.stderr.contains("--recover"), "{}", r.stderr);

    // --dry-run prints the plan and changes nothing.
    let before = common::snapshot(&dir);
    let r = common::dump_tape(["--recover".as_ref(), "--dry-run".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for want in [
        "Partition 0: damaged",
        "multiple of 512 bytes, found 2460 bytes",
        "block 3's 8027 stored bytes at offset 24924, but the data file ends at 30000",
        "objects: keep 3 of 5 (drop 2",
        "index bytes: 2460 -> 1536",
        "data bytes: 30000 -> 24924",
        "filemarks: [4] -> []",
        "Dry run: nothing was changed.",
    ] {
        assert!(r.stdout.contains(want), "missing {want:?} in\n{}", r.stdout);
    }
    assert_eq!(common::snapshot(&dir), before);

    // --recover applies it.
    let r = common::dump_tape(["--recover".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("index bytes: 2460 -> 1536"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Recovered"), "{}", r.stdout);
    assert_eq!(size(&indx), 1536);
    assert_eq!(size(&data), 24924);
    assert_eq!(size(&dir.join("meta")), 1536);

    // And the tape dumps and verifies cleanly.
    let r = common::dump_tape(["--verify".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Total num of filemarks: 0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Hdr:End of Data                     (0x05/0x00), sz:      0/0     , Blk No.:       3, data_offset:      24924, CRC: 00000000"
        ),
        "{}",
        r.stdout
    );
    // A second --recover finds nothing to do.
    let r = common::dump_tape(["--recover".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("nothing to recover"), "{}", r.stdout);
}

#[test]
fn recover_does_not_keep_blocks_whose_bytes_are_gone_behind_filemarks() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // FXMIX1L8: ... block 9 (4759..4789), block 10 (4789..5294), filemarks 11, 12, block 13.
    let dir = common::copy_tape(&root.join("v6/FXMIX1L8"), tmp.path());
    common::truncate(&dir.join("indx.0"), 14 * 512 - 100);
    common::truncate(&dir.join("data.0"), 5000);
    let r = common::dump_tape(["--recover".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("objects: keep 10 of 14"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("filemarks: [3, 4, 8, 11, 12] -> [3, 4, 8]"),
        "{}",
        r.stdout
    );
    let r = common::dump_tape(["--verify".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("Blk No.:      10, data_offset:       4789"),
        "{}",
        r.stdout
    );
}

#[test]
fn recover_leaves_healthy_and_unrecoverable_tapes_alone() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let r = common::dump_tape([
        "--recover".as_ref(),
        "--dry-run".as_ref(),
        root.join("legacy/FXMIX1L8").as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("nothing to recover"));

    // A MAM cut short is not something recovery can cut away.
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_tape(&root.join("v6/FXMIX1L8"), tmp.path());
    common::truncate(&dir.join("mam"), 100);
    let r = common::dump_tape([dir.as_os_str()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("/mam: corrupt at offset"), "{}", r.stderr);
    assert!(!r.stderr.contains("--recover"), "{}", r.stderr);
    let r = common::dump_tape(["--recover".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 1);
}

#[test]
fn finds_cartridges_like_mhvtl_and_more() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (h10, h30, conf) = (
        tmp.path().join("h10"),
        tmp.path().join("h30"),
        tmp.path().join("etc"),
    );
    for d in [&h10, &h30, &conf] {
        std::fs::create_dir(d).unwrap();
    }
    common::copy_tape(&root.join("legacy/FXMIX1L8"), &h30);
    common::copy_tape(&root.join("v6/FXTXT1L8"), &h10);
    std::fs::write(
        conf.join("device.conf"),
        format!(
            "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Home directory: {}\n\n\
             Library: 30 CHANNEL: 00 TARGET: 08 LUN: 00\n Home directory: {}\n",
            h10.display(),
            h30.display()
        ),
    )
    .unwrap();
    let c = conf.to_str().unwrap();
    let first_line = |r: &common::Run| r.stdout.lines().next().unwrap_or("").to_string();

    // Search every library in file order.
    let r = common::dump_tape(["-C", c, "-m", "FXMIX1L8"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(first_line(&r), "Media density code: 0x5e");
    let r = common::dump_tape(["-C", c, "-m", "FXTXT1L8"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(first_line(&r), "Dumping partition 0");
    // -l is honoured.
    let r = common::dump_tape(["-C", c, "-l", "30", "-m", "FXMIX1L8"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = common::dump_tape(["-C", c, "-l", "10", "-m", "FXMIX1L8"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("h10/FXMIX1L8"), "{}", r.stderr);
    let r = common::dump_tape(["-C", c, "-l", "20", "-m", "FXMIX1L8"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no 'Library: 20' stanza"), "{}", r.stderr);
    // Not anywhere.
    let r = common::dump_tape(["-C", c, "-m", "NOSUCH01"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("device.conf"), "{}", r.stderr);
    assert!(r.stderr.contains("NOSUCH01"), "{}", r.stderr);
    // $VTL_CONFIG_DIR.
    let out = Command::new(env!("CARGO_BIN_EXE_dump_tape"))
        .args(["-m", "FXMIX1L8"])
        .env("VTL_CONFIG_DIR", &conf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // -H home.
    let r = common::dump_tape([
        "-H".as_ref(),
        h30.as_os_str(),
        "-m".as_ref(),
        "FXMIX1L8".as_ref(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Missing device.conf names the file.
    let r = common::dump_tape(["-m", "FXMIX1L8"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("/nonexistent/vtl-test-config/device.conf"),
        "{}",
        r.stderr
    );
    // A PCL that could escape the home is refused before any path is built.
    let r = common::dump_tape([
        "-H".as_ref(),
        h30.as_os_str(),
        "-m".as_ref(),
        "../h30/FXMIX1L8".as_ref(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid barcode"), "{}", r.stderr);
    // Not a cartridge.
    let r = common::dump_tape([tmp.path().as_os_str()]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a cartridge"), "{}", r.stderr);
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    let r = common::dump_tape::<[&str; 0], &str>([]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = common::dump_tape(["-m", "A", "/tmp"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = common::dump_tape(["--extract", "0", "/tmp"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = common::dump_tape(["--dry-run", "/tmp"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = common::dump_tape(["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit status"), "{}", r.stdout);
    assert!(r.stdout.contains("3  --verify"), "{}", r.stdout);
}
