//! Every preloaded tape file reads back as its input, byte for byte: every compression ×
//! block sizes 1, 4096, 65536 and 262144 × an empty file, a 1-byte file, a file whose size
//! is an exact multiple of the block size and one of odd size, all in one call (one tape file
//! per -F). Read back through libvtlcart, and once through the real dump_tape --extract.

mod common;

use std::path::{Path, PathBuf};

use libvtlcart::{Format, MediumType};

fn write_inputs(dir: &Path, bs: usize) -> Vec<(PathBuf, Vec<u8>)> {
    // One-byte blocks: keep the files small (one index record per byte).
    let (multiple, odd) = if bs == 1 {
        (3, 1001)
    } else {
        (3 * bs, 2 * bs + bs / 2 + 17)
    };
    [
        ("empty", 0),
        ("one", 1),
        ("multiple", multiple),
        ("odd", odd),
    ]
    .iter()
    .enumerate()
    .map(|(i, (name, len))| {
        let p = dir.join(format!("{name}-{bs}"));
        let b = common::bytes(*len, i as u64 + bs as u64);
        std::fs::write(&p, &b).unwrap();
        (p, b)
    })
    .collect()
}

fn round_trip(comp: &str, bs: usize, format: Format) {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(home.path(), "E01001L8", format, MediumType::Data, 100 << 20);
    let inputs = write_inputs(home.path(), bs);
    let mut args: Vec<std::ffi::OsString> = vec![dir.clone().into()];
    for (p, _) in &inputs {
        args.push("-F".into());
        args.push(p.clone().into());
    }
    args.extend(["-b".into(), bs.to_string().into(), "-c".into(), comp.into()]);
    args.push("--json".into());
    let r = common::preload(&args, None);
    assert_eq!(r.code, 0, "{comp} {bs}: {r:?}");
    let files = common::tape_files(&dir);
    assert_eq!(
        files.len(),
        inputs.len(),
        "{comp} {bs}: one tape file per input"
    );
    for (n, ((p, want), got)) in inputs.iter().zip(&files).enumerate() {
        assert!(
            got == want,
            "{comp} {bs}: tape file {n} ({}) has {} bytes, input {}",
            p.display(),
            got.len(),
            want.len()
        );
    }
    // Blocks of exactly bs, the last one of each file short; one filemark after each file.
    let objs = common::objects(&dir);
    let mut i = 0;
    for (_, data) in &inputs {
        let n = data.len().div_ceil(bs);
        for k in 0..n {
            let want = if k + 1 == n { data.len() - k * bs } else { bs };
            assert_eq!(objs[i], Some(want as u32), "{comp} {bs}: object {i}");
            i += 1;
        }
        assert_eq!(objs[i], None, "{comp} {bs}: filemark at object {i}");
        i += 1;
    }
    assert_eq!(i, objs.len());
    let doc = r.json();
    let tape = &doc["tapes"][0];
    assert_eq!(tape["tape_files"].as_array().unwrap().len(), 4);
    let total: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(tape["bytes_in"], total as u64);
    assert_eq!(tape["tape_files"][3]["number"], 3);
    assert_eq!(tape["tape_files"][0]["blocks"], 0);
    assert_eq!(tape["tape_files"][1]["blocks"], 1);
}

#[test]
fn none_every_block_size() {
    for bs in [4096, 262_144, 1, 65_536] {
        round_trip("NONE", bs, Format::Legacy);
    }
}

#[test]
fn lzo_every_block_size() {
    for bs in [4096, 262_144, 1, 65_536] {
        round_trip("LZO", bs, Format::Legacy);
    }
}

#[test]
fn zlib_every_block_size() {
    for bs in [4096, 262_144, 1, 65_536] {
        round_trip("ZLIB", bs, Format::V6);
    }
}

#[test]
fn several_threads_keep_block_order() {
    // Many batches in flight across 4 workers: the tape must still be in input order.
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01002L8",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let data = common::bytes(9 << 20, 7);
    let p = home.path().join("big");
    std::fs::write(&p, &data).unwrap();
    for comp in ["LZO", "ZLIB"] {
        let r = common::preload(
            [
                dir.as_os_str(),
                "-F".as_ref(),
                p.as_os_str(),
                "-b".as_ref(),
                "4096".as_ref(),
                "-c".as_ref(),
                comp.as_ref(),
                "--threads".as_ref(),
                "4".as_ref(),
            ],
            None,
        );
        assert_eq!(r.code, 0, "{r:?}");
        assert!(common::tape_files(&dir) == vec![data.clone()], "{comp}");
    }
}

#[test]
fn dump_tape_extract_gives_the_input_back() {
    let Some(dump) = common::dump_tape_bin() else {
        eprintln!("SKIPPED: dump_tape is not built beside this test (cargo build -p dump_tape)");
        return;
    };
    for comp in ["NONE", "LZO", "ZLIB"] {
        let home = tempfile::tempdir().unwrap();
        let dir = common::make_cart(
            home.path(),
            "E01003L8",
            Format::V6,
            MediumType::Data,
            100 << 20,
        );
        let inputs = write_inputs(home.path(), 4096);
        let mut args: Vec<std::ffi::OsString> = vec![
            "-H".into(),
            home.path().into(),
            "-m".into(),
            "E01003L8".into(),
        ];
        for (p, _) in &inputs {
            args.push("-F".into());
            args.push(p.clone().into());
        }
        args.extend(["-b".into(), "4096".into(), "-c".into(), comp.into()]);
        let r = common::preload(&args, None);
        assert_eq!(r.code, 0, "{r:?}");
        for (n, (_, want)) in inputs.iter().enumerate() {
            let out = home.path().join(format!("out{n}"));
            let st = std::process::Command::new(&dump)
                .arg(&dir)
                .args(["--extract", &n.to_string(), "-o"])
                .arg(&out)
                .output()
                .unwrap();
            assert!(st.status.success(), "{comp} tape file {n}: {st:?}");
            assert!(
                std::fs::read(&out).unwrap() == *want,
                "{comp} tape file {n}"
            );
        }
        let st = std::process::Command::new(&dump)
            .arg(&dir)
            .arg("--verify")
            .output()
            .unwrap();
        assert!(st.status.success(), "{comp} verify: {st:?}");
    }
}
