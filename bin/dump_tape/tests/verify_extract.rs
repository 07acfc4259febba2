//! `--verify` on damaged payloads and `--extract` / `--extract-block` against the inputs the
//! fixture tapes were written from.

mod common;

use std::path::Path;

use serde_json::Value;
use sha2::{Digest, Sha256};

fn flip(path: &Path, offset: usize) {
    let mut b = std::fs::read(path).unwrap();
    b[offset] ^= 0x40;
    std::fs::write(path, b).unwrap();
}

#[test]
fn verify_names_each_bad_block_and_goes_on() {
    let Some(root) = common::fixtures() else {
        return;
    };
    for fmt in ["legacy", "v6"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = common::copy_tape(&root.join(fmt).join("FXMIX1L8"), tmp.path());
        let data = dir.join(if fmt == "legacy" { "data" } else { "data.0" });
        // Block 5: raw (encrypted flag) at 2734; block 13: raw at 5294.
        flip(&data, 2734 + 10);
        flip(&data, 5294 + 700);
        let before = common::snapshot(&dir);

        // A plain dump reads only the index: still fine.
        let r = common::dump_tape([dir.as_os_str()]);
        assert_eq!(r.code, 0, "{fmt}: {}", r.stderr);

        for flag in ["--verify", "-D"] {
            let r = common::dump_tape([flag.as_ref(), dir.as_os_str()]);
            assert_eq!(r.code, 3, "{fmt} {flag}: {}", r.stderr);
            assert!(
                r.stderr
                    .contains("partition 0, block 5, data offset 2734: CRC-32C mismatch"),
                "{fmt}: {}",
                r.stderr
            );
            assert!(
                r.stderr.contains("partition 0, block 13, data offset 5294"),
                "{fmt}: {}",
                r.stderr
            );
            assert!(
                r.stderr.contains(&data.display().to_string()),
                "{}",
                r.stderr
            );
            assert!(
                r.stderr.contains("2 of 9 data blocks are bad"),
                "{}",
                r.stderr
            );
            // The whole listing is still printed, up to EOD.
            assert!(r.stdout.contains("Hdr:End of Data"), "{}", r.stdout);
            assert!(r.stdout.contains("Verified 9 data blocks: 2 bad"));
        }

        let r = common::dump_tape(["--json".as_ref(), "--verify".as_ref(), dir.as_os_str()]);
        assert_eq!(r.code, 3, "{}", r.stderr);
        let j: Value = serde_json::from_str(&r.stdout).unwrap();
        let recs = j["partitions"][0]["records"].as_array().unwrap();
        assert!(recs[5]["error"].as_str().unwrap().contains("CRC-32C"));
        assert!(recs[5].get("sha256").is_none());
        assert!(recs[13]["error"].is_string());
        assert!(
            recs[9]["sha256"].is_string(),
            "blocks after a bad one are read"
        );
        let bad = j["verify"]["bad_blocks"].as_array().unwrap();
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0]["block"], 5);
        assert_eq!(bad[0]["data_offset"], 2734);
        assert_eq!(j["verify"]["data_blocks"], 9);

        // Dumping never modifies the tape.
        assert_eq!(common::snapshot(&dir), before, "{fmt}");
    }
}

#[test]
fn verify_reports_a_corrupt_compressed_block() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_tape(&root.join("legacy/FXTXT1L8"), tmp.path());
    // Block 1 (LZO, 8569 stored bytes at 8499): wreck its stream.
    let data = dir.join("data");
    let mut b = std::fs::read(&data).unwrap();
    for x in &mut b[8499 + 100..8499 + 4000] {
        *x = 0xff;
    }
    std::fs::write(&data, b).unwrap();
    let r = common::dump_tape(["--verify".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("block 1, data offset 8499"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("block 0,"), "{}", r.stderr);
    assert!(!r.stderr.contains("block 2,"), "{}", r.stderr);
}

#[test]
fn extract_tape_file_zero_gives_back_the_input() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out.bin");
    for (tape, input) in [
        ("FXTXT1L8", "pattern.txt"),
        ("FXBNO1L8", "random3m.bin"),
        ("FXBZL1L8", "random3m.bin"),
    ] {
        let want = std::fs::read(root.join("inputs").join(input)).unwrap();
        for fmt in ["legacy", "v6"] {
            let dir = root.join(fmt).join(tape);
            let r = common::dump_tape([
                "--extract".as_ref(),
                "0".as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
                dir.as_os_str(),
            ]);
            assert_eq!(r.code, 0, "{fmt}/{tape}: {}", r.stderr);
            let got = std::fs::read(&out).unwrap();
            assert!(
                got == want,
                "{fmt}/{tape}: extracted bytes differ from {input}"
            );
            std::fs::remove_file(&out).unwrap();
        }
    }
    // To standard output.
    let r = common::dump_tape([
        "--extract".as_ref(),
        "0".as_ref(),
        "-o".as_ref(),
        "-".as_ref(),
        root.join("legacy/FXTXT1L8").as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.raw_stdout == std::fs::read(root.join("inputs/pattern.txt")).unwrap());
}

#[test]
fn extract_follows_filemarks_and_blocks() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let m = common::manifest(&root);
    let t = m["tapes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "v6/FXMIX1L8")
        .unwrap();
    let recs = t["partitions"][0]["records"].as_array().unwrap();
    let hash = |b: usize| recs[b]["payload_sha256"].as_str().unwrap().to_string();
    let dir = root.join("v6/FXMIX1L8");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let run = |args: &[&str]| {
        let mut a: Vec<std::ffi::OsString> = args.iter().map(|s| s.into()).collect();
        a.push("-o".into());
        a.push(out.clone().into_os_string());
        a.push(dir.clone().into_os_string());
        common::dump_tape(a)
    };
    let sha = |p: &Path| format!("{:x}", Sha256::digest(std::fs::read(p).unwrap()));

    // Filemarks [3, 4, 8, 11, 12], EOD 14: tape file 2 is blocks 5..8.
    let r = run(&["--extract", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut h = Sha256::new();
    for b in 5..8 {
        h.update(common_payload(&root, "v6/FXMIX1L8", b));
    }
    assert_eq!(sha(&out), format!("{:x}", h.finalize()));
    // Tape file 1 (between the adjacent filemarks 3 and 4) is empty.
    let r = run(&["--extract", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), 0);
    // Tape file 5 is not closed by a filemark: block 13 up to EOD.
    let r = run(&["--extract", "5"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(sha(&out), hash(13));
    // There is no tape file 6.
    let r = run(&["--extract", "6"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("no tape file 6"), "{}", r.stderr);
    // Single blocks.
    for b in [0usize, 1, 2, 7, 10] {
        let r = run(&["--extract-block", &b.to_string()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(sha(&out), hash(b), "block {b}");
    }
    let r = run(&["--extract-block", "3"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("filemark"), "{}", r.stderr);
    let r = run(&["--extract-block", "14"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("end of data"), "{}", r.stderr);
    let r = run(&["--extract", "0", "--partition", "1"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("partition 1 does not exist"),
        "{}",
        r.stderr
    );
}

/// The payload of `block` of fixture tape `id`, read via --extract-block to stdout.
fn common_payload(root: &Path, id: &str, block: u32) -> Vec<u8> {
    let r = common::dump_tape([
        "--extract-block".as_ref(),
        block.to_string().as_ref(),
        "-o".as_ref(),
        "-".as_ref(),
        root.join(id).as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.raw_stdout
}

#[test]
fn extract_refuses_null_media_and_bad_blocks() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let r = common::dump_tape([
        "--extract".as_ref(),
        "0".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        root.join("legacy/FXNUL2L8").as_os_str(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("NULL"), "{}", r.stderr);
    assert!(!out.exists(), "partial output is removed");

    let dir = common::copy_tape(&root.join("legacy/FXBNO1L8"), tmp.path());
    flip(&dir.join("data"), 5 * 262144 + 17);
    let r = common::dump_tape([
        "--extract".as_ref(),
        "0".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        dir.as_os_str(),
    ]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("block 5 at data offset 1310720"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "partial output is removed");
}

#[test]
fn every_partition_of_a_v6_tape_is_dumped() {
    let Some(root) = common::fixtures() else {
        return;
    };
    // A second partition made by copying partition 0 of FXTXT1L8 (pattern.txt, LZO).
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_tape(&root.join("v6/FXTXT1L8"), tmp.path());
    for f in ["data", "indx", "meta"] {
        std::fs::copy(dir.join(format!("{f}.0")), dir.join(format!("{f}.1"))).unwrap();
    }
    let r = common::dump_tape(["-v".as_ref(), "--verify".as_ref(), dir.as_os_str()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    let p1 = lines
        .iter()
        .position(|l| *l == "Dumping partition 1")
        .expect("partition 1 header");
    assert_eq!(lines[0], "Dumping partition 0");
    assert!(lines[p1 - 1].starts_with("Hdr:End of Data"));
    assert_eq!(
        &lines[p1 + 1..p1 + 4],
        [
            "Total num of filemarks: 1",
            "Dumping filemark meta info",
            "Filemark: 4"
        ]
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("Hdr:End of Data"))
            .count(),
        2
    );
    assert!(r.stdout.contains("Verified 8 data blocks: 0 bad"));

    let r = common::dump_tape(["--json".as_ref(), dir.as_os_str()]);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["partitions"].as_array().unwrap().len(), 2);
    assert_eq!(j["partitions"][1]["number"], 1);
    assert_eq!(j["partitions"][1]["eod"], 5);

    let out = tmp.path().join("p1");
    let r = common::dump_tape([
        "--extract".as_ref(),
        "0".as_ref(),
        "--partition".as_ref(),
        "1".as_ref(),
        "-o".as_ref(),
        out.as_os_str(),
        dir.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::read(&out).unwrap() == std::fs::read(root.join("inputs/pattern.txt")).unwrap()
    );
}

#[test]
fn extract_never_writes_into_the_cartridge() {
    let Some(root) = common::fixtures() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::copy_tape(&root.join("legacy/FXTXT1L8"), tmp.path());
    let before = common::snapshot(&dir);
    let r = common::dump_tape([
        "--extract-block".as_ref(),
        "0".as_ref(),
        "-o".as_ref(),
        dir.join("data").as_os_str(),
        dir.as_os_str(),
    ]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("refusing"), "{}", r.stderr);
    assert_eq!(common::snapshot(&dir), before);
}
