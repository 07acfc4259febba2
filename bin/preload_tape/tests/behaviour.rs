//! Beyond mhvtl: --append, several -F, -F - (standard input), --plan with --create, the
//! capacity check before writing, the early-warning stop on a stream, the MAM statistics,
//! write refusals and exit codes.

mod common;

use std::ffi::OsString;
use std::path::Path;

use libvtlcart::{Cartridge, Format, MediumType, OpenOptionsCart};

fn os(v: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    v.iter().map(|s| s.as_ref().to_os_string()).collect()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn append_adds_tape_files_after_the_last_filemark() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let a = write(home.path(), "a", &common::bytes(100_000, 1));
    let b = write(home.path(), "b", &common::bytes(5000, 2));
    let c = write(home.path(), "c", &common::bytes(70_000, 3));
    let r = common::preload(
        os(&[&dir, &"-F", &a, &"-F", &b, &"-b", &"32768", &"-c", &"LZO"]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = common::preload(
        os(&[
            &dir,
            &"--append",
            &"-F",
            &c,
            &"-b",
            &"4096",
            &"-c",
            &"zlib",
            &"--json",
        ]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.json()["tapes"][0]["tape_files"][0]["number"], 2);
    let files = common::tape_files(&dir);
    assert_eq!(files.len(), 3);
    assert!(files[0] == std::fs::read(&a).unwrap());
    assert!(files[1] == std::fs::read(&b).unwrap());
    assert!(files[2] == std::fs::read(&c).unwrap());
    // Without --append the tape is rewritten from BOT, as mhvtl does.
    let r = common::preload(os(&[&dir, &"-F", &b, &"-b", &"4096"]), None);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(common::tape_files(&dir), vec![std::fs::read(&b).unwrap()]);
}

#[test]
fn append_closes_an_open_last_tape_file_first() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::V6,
        MediumType::Data,
        100 << 20,
    );
    {
        let mut c = Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap();
        c.write_block(b"no filemark after me", libvtlcart::Compression::None, None)
            .unwrap();
        c.unload().unwrap();
    }
    let a = write(home.path(), "a", b"appended");
    let r = common::preload(
        os(&[&dir, &"--append", &"-F", &a, &"-b", &"512", &"--json"]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.json()["tapes"][0]["closed_open_tape_file"], 0);
    assert_eq!(
        common::tape_files(&dir),
        vec![b"no filemark after me".to_vec(), b"appended".to_vec()]
    );
    assert_eq!(common::objects(&dir), vec![Some(20), None, Some(8), None]);
}

#[test]
fn stdin_is_one_tape_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let a = write(home.path(), "a", &common::bytes(3000, 4));
    let data = common::bytes(1_000_000, 5);
    let r = common::preload(
        os(&[
            &"-H",
            &home.path(),
            &"-m",
            &"E01001L8",
            &"-F",
            &a,
            &"-F",
            &"-",
            &"-b",
            &"262144",
            &"-c",
            &"LZO",
        ]),
        Some(&data),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let files = common::tape_files(&dir);
    assert_eq!(files.len(), 2);
    assert!(files[1] == data);
    // Blocks of exactly 256 KiB from a pipe, the last one short.
    assert_eq!(
        common::objects(&dir),
        vec![
            Some(3000),
            None,
            Some(262_144),
            Some(262_144),
            Some(262_144),
            Some(213_568),
            None
        ]
    );
    // Twice - is refused before anything is written.
    let before = common::snapshot(&dir);
    let r = common::preload(
        os(&[&dir, &"-F", &"-", &"-F", &"-", &"-b", &"512"]),
        Some(b"x"),
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(common::snapshot(&dir), before);
}

#[test]
fn plan_fills_many_tapes_and_creates_missing_ones() {
    let home = tempfile::tempdir().unwrap();
    let media = home.path().join("media");
    std::fs::create_dir(&media).unwrap();
    common::make_cart(
        &media,
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let a = write(home.path(), "a", &common::bytes(200_000, 6));
    let b = write(home.path(), "b", &common::bytes(0, 7));
    let c = write(home.path(), "c", &common::bytes(123_457, 8));
    let plan = home.path().join("plan.json");
    std::fs::write(
        &plan,
        serde_json::to_string(&serde_json::json!([
            {"pcl": "E01001L8", "files": [a, b], "block_size": 65536, "compression": "LZO"},
            {"pcl": "E01002L8", "files": [c], "block_size": "4K", "compression": "ZLIB", "zlib_level": 6},
        ]))
        .unwrap(),
    )
    .unwrap();
    // Without --create a missing cartridge stops the run before anything is written.
    let before = common::snapshot(&media.join("E01001L8"));
    let r = common::preload(os(&[&"-H", &media, &"--plan", &plan]), None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("E01002L8"), "{}", r.stderr);
    assert_eq!(common::snapshot(&media.join("E01001L8")), before);
    let r = common::preload(
        os(&[
            &"-H",
            &media,
            &"--plan",
            &plan,
            &"--create",
            &"LTO6",
            &"--format",
            &"v6",
            &"--create-size",
            &"50",
            &"--json",
        ]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let doc = r.json();
    assert_eq!(doc["tapes"][0]["created"], false);
    assert_eq!(doc["tapes"][1]["created"], true);
    assert_eq!(
        common::tape_files(&media.join("E01001L8")),
        vec![std::fs::read(&a).unwrap(), vec![]]
    );
    assert_eq!(
        common::tape_files(&media.join("E01002L8")),
        vec![std::fs::read(&c).unwrap()]
    );
    let made = Cartridge::open(&media.join("E01002L8"), &OpenOptionsCart::default()).unwrap();
    assert_eq!(made.format(), Format::V6);
    assert_eq!(made.mam().base.max_capacity.get(), 50 << 20);
    assert_eq!(made.mam().barcode(), "E01002L8");
    // zlib level 6: header 78 9c.
    let data = std::fs::read(media.join("E01002L8").join("data.0")).unwrap();
    assert_eq!(&data[..2], &[0x78, 0x9c]);
}

#[test]
fn input_that_cannot_fit_is_refused_before_writing() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        4 << 20,
    );
    let small = write(home.path(), "small", &common::bytes(10_000, 9));
    let r = common::preload(os(&[&dir, &"-F", &small, &"-b", &"4096"]), None);
    assert_eq!(r.code, 0, "{r:?}");
    let before = common::snapshot(&dir);
    let big = write(home.path(), "big", &common::bytes(5 << 20, 10));
    for comp in ["NONE", "LZO", "ZLIB"] {
        let r = common::preload(
            os(&[
                &dir, &"-F", &small, &"-F", &big, &"-b", &"65536", &"-c", &comp,
            ]),
            None,
        );
        assert_eq!(r.code, 3, "{comp}: {r:?}");
        assert!(
            r.stderr.contains("does not fit") && r.stderr.contains("nothing was written"),
            "{}",
            r.stderr
        );
        // Not a byte changed: not even the load count in the MAM.
        assert!(
            common::snapshot(&dir) == before,
            "{comp}: the cartridge changed"
        );
    }
    // Appending: what counts is what remains at end of data.
    let fits_from_bot = write(home.path(), "fits", &common::bytes((4 << 20) - 5000, 11));
    let r = common::preload(
        os(&[&dir, &"--append", &"-F", &fits_from_bot, &"-b", &"65536"]),
        None,
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(common::snapshot(&dir) == before);
    // From BOT it fits exactly enough (NONE is exact), past early warning.
    let r = common::preload(
        os(&[&dir, &"-F", &fits_from_bot, &"-b", &"65536", &"--json"]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.json()["tapes"][0]["early_warning"], true);
    assert!(common::tape_files(&dir) == vec![std::fs::read(&fits_from_bot).unwrap()]);
}

#[test]
fn stream_stops_at_early_warning_and_names_the_tape_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        4 << 20,
    );
    let first = write(home.path(), "first", &common::bytes(300_000, 12));
    let r = common::preload(os(&[&dir, &"-F", &first, &"-b", &"65536"]), None);
    assert_eq!(r.code, 0, "{r:?}");
    let after = write(home.path(), "after", b"never written");
    let stream = common::bytes(8 << 20, 13);
    let r = common::preload(
        os(&[
            &dir,
            &"--append",
            &"-F",
            &"-",
            &"-F",
            &after,
            &"-b",
            &"65536",
            &"--json",
        ]),
        Some(&stream),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("early warning"), "{}", r.stderr);
    assert!(
        r.stderr.contains("tape file 1 (-) is INCOMPLETE"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("not written: ") && r.stderr.contains("after"),
        "{}",
        r.stderr
    );
    let doc = r.json();
    let t = &doc["tapes"][0];
    assert_eq!(t["exit_code"], 4);
    assert_eq!(t["tape_files"][0]["complete"], false);
    assert_eq!(t["early_warning"], true);
    // Tape file 0 intact; tape file 1 holds a prefix of the stream, closed by a filemark.
    let files = common::tape_files(&dir);
    assert_eq!(files.len(), 2);
    assert!(files[0] == std::fs::read(&first).unwrap());
    let written = files[1].len();
    assert!(written > 0 && written < stream.len());
    assert!(files[1] == stream[..written]);
    assert_eq!(t["tape_files"][0]["bytes_in"], written as u64);
    let c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
    let rem = c.remaining(0);
    assert!(
        rem < libvtlcart::EARLY_WARNING_BYTES && rem + 65536 >= libvtlcart::EARLY_WARNING_BYTES,
        "{rem}"
    );
    assert_eq!(c.mam().base.record_dirty, 0);
    // A full tape: a further stream writes nothing at all.
    let r = common::preload(
        os(&[&dir, &"--append", &"-F", &"-", &"-b", &"65536"]),
        Some(&stream),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("not written: -"), "{}", r.stderr);
    assert_eq!(common::tape_files(&dir).len(), 2);
    // From BOT the old contents go first: the stream again fills the tape to early warning.
    let r = common::preload(
        os(&[&dir, &"-F", &"-", &"-b", &"65536", &"-c", &"LZO"]),
        Some(&stream),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.contains("tape file 0 (-) is INCOMPLETE"),
        "{}",
        r.stderr
    );
    let files = common::tape_files(&dir);
    assert_eq!(files.len(), 1);
    assert!(files[0].len() > 2 << 20 && files[0] == stream[..files[0].len()]);
}

#[test]
fn force_fit_counts_on_compression() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::V6,
        MediumType::Data,
        4 << 20,
    );
    let text: Vec<u8> = b"all work and no play makes a tape full\n"
        .iter()
        .copied()
        .cycle()
        .take(6 << 20)
        .collect();
    let p = write(home.path(), "text", &text);
    let r = common::preload(os(&[&dir, &"-F", &p, &"-b", &"65536", &"-c", &"LZO"]), None);
    assert_eq!(r.code, 3, "{r:?}");
    // NONE can never fit, --force-fit or not.
    let r = common::preload(
        os(&[&dir, &"-F", &p, &"-b", &"65536", &"--force-fit"]),
        None,
    );
    assert_eq!(r.code, 3, "{r:?}");
    let r = common::preload(
        os(&[
            &dir,
            &"-F",
            &p,
            &"-b",
            &"65536",
            &"-c",
            &"LZO",
            &"--force-fit",
            &"--json",
        ]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.json()["tapes"][0]["bytes_stored"].as_u64().unwrap() < 1 << 20);
    assert!(common::tape_files(&dir) == vec![text]);
}

#[test]
fn stdin_from_a_regular_file_is_checked_like_a_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        4 << 20,
    );
    let big = write(home.path(), "big", &common::bytes(5 << 20, 16));
    let before = common::snapshot(&dir);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_preload_tape"))
        .arg(&dir)
        .args(["-F", "-", "-b", "65536"])
        .stdin(std::fs::File::open(&big).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert!(common::snapshot(&dir) == before);
}

#[test]
fn mam_is_updated_as_a_drive_would() {
    let home = tempfile::tempdir().unwrap();
    for format in [Format::Legacy, Format::V6] {
        let dir = common::make_cart(
            home.path(),
            if format == Format::V6 {
                "E01006L8"
            } else {
                "E01005L8"
            },
            format,
            MediumType::Data,
            100 << 20,
        );
        let a = write(home.path(), "a", &common::bytes(3 << 20, 14));
        let r = common::preload(os(&[&dir, &"-F", &a, &"-b", &"262144"]), None);
        assert_eq!(r.code, 0, "{r:?}");
        let c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        let b = &c.mam().base;
        assert_eq!(b.remaining_capacity.get(), (100 << 20) - (3 << 20));
        assert_eq!(b.remaining_capacity.get(), c.remaining(0));
        assert_eq!(b.load_count.get(), 1);
        assert_eq!(b.written_in_medium_life.get(), 3);
        assert_eq!(b.written_in_last_load.get(), 3);
        assert_eq!(b.record_dirty, 0);
        // SOURCE_DATE_EPOCH=1700000000 is 2023-11-14 22:13 UTC.
        assert_eq!(&b.date_time_last_written, b"202311142213");
        drop(c);
        let r = common::preload(
            os(&[
                &dir,
                &"--append",
                &"-F",
                &a,
                &"-b",
                &"262144",
                &"-c",
                &"NONE",
            ]),
            None,
        );
        assert_eq!(r.code, 0, "{r:?}");
        let c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        assert_eq!(c.mam().base.load_count.get(), 2);
        assert_eq!(c.mam().base.written_in_medium_life.get(), 6);
        assert_eq!(
            c.mam().base.remaining_capacity.get(),
            (100 << 20) - (6 << 20)
        );
    }
}

#[test]
fn write_refusals_and_usage_errors() {
    let home = tempfile::tempdir().unwrap();
    let a = write(home.path(), "a", b"data");
    // Cleaning cartridge: refused, unchanged.
    let cln = common::make_cart(
        home.path(),
        "CLN001L8",
        Format::Legacy,
        MediumType::Cleaning,
        100 << 20,
    );
    let before = common::snapshot(&cln);
    let r = common::preload(os(&[&cln, &"-F", &a, &"-b", &"512"]), None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .starts_with("preload_tape: CLN001L8: write refused"),
        "{}",
        r.stderr
    );
    assert_eq!(common::snapshot(&cln), before);
    // WORM: from BOT only while blank; --append adds.
    let worm = common::make_cart(
        home.path(),
        "W01001L8",
        Format::Legacy,
        MediumType::Worm,
        100 << 20,
    );
    assert_eq!(
        common::preload(os(&[&worm, &"-F", &a, &"-b", &"512"]), None).code,
        0
    );
    let r = common::preload(os(&[&worm, &"-F", &a, &"-b", &"512"]), None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--append"), "{}", r.stderr);
    assert_eq!(
        common::preload(os(&[&worm, &"--append", &"-F", &a, &"-b", &"512"]), None).code,
        0
    );
    assert_eq!(common::tape_files(&worm).len(), 2);
    // Usage errors: exit 1, nothing written.
    let data = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let before = common::snapshot(&data);
    for args in [
        os(&[&data, &"-F", &a, &"-b", &"0"]),
        os(&[&data, &"-F", &a, &"-b", &"16777216"]),
        os(&[&data, &"-F", &a, &"-b", &"512", &"-c", &"gzip"]),
        os(&[&data, &"-F", &home.path().join("missing"), &"-b", &"512"]),
        os(&[&data, &"-F", &home.path(), &"-b", &"512"]),
        os(&[&data, &"-F", &a]),
        os(&[&data, &"-b", &"512"]),
        os(&[&"-m", &"../x", &"-F", &a, &"-b", &"512"]),
    ] {
        let r = common::preload(&args, None);
        assert_eq!(r.code, 1, "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty());
    }
    assert_eq!(common::snapshot(&data), before);
    // Not found via device.conf: exit 2 naming the file.
    let r = common::preload(os(&[&"-m", &"E01001L8", &"-F", &a, &"-b", &"512"]), None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("/nonexistent/vtl-test-config/device.conf"),
        "{}",
        r.stderr
    );
    // -l honoured through device.conf.
    let conf = home.path().join("etc");
    std::fs::create_dir(&conf).unwrap();
    std::fs::write(
        conf.join("device.conf"),
        format!(
            "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Home directory: {}\n",
            home.path().display()
        ),
    )
    .unwrap();
    let r = common::preload(
        os(&[
            &"-C",
            &conf,
            &"-l",
            &"10",
            &"-m",
            &"E01001L8",
            &"-F",
            &a,
            &"-b",
            &"512",
        ]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = common::preload(
        os(&[
            &"-C",
            &conf,
            &"-m",
            &"E01001L8",
            &"-F",
            &a,
            &"-b",
            &"512",
            &"--append",
        ]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        common::tape_files(&data),
        vec![b"data".to_vec(), b"data".to_vec()]
    );
}

#[test]
fn null_cartridge_records_the_index_only() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "N01001L8",
        Format::V6,
        MediumType::Null,
        100 << 20,
    );
    let a = write(home.path(), "a", &common::bytes(10_000, 15));
    let r = common::preload(
        os(&[&dir, &"-F", &a, &"-b", &"4096", &"-c", &"ZLIB", &"--json"]),
        None,
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(std::fs::metadata(dir.join("data.0")).unwrap().len(), 0);
    assert_eq!(
        common::objects(&dir),
        vec![Some(4096), Some(4096), Some(1808), None]
    );
    assert_eq!(r.json()["tapes"][0]["bytes_stored"], 10_000);
}

#[test]
fn plan_reports_a_failing_tape_and_writes_the_others() {
    let home = tempfile::tempdir().unwrap();
    common::make_cart(home.path(), "T1", Format::Legacy, MediumType::Data, 3 << 20);
    common::make_cart(
        home.path(),
        "T2",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let big = write(home.path(), "big", &common::bytes(4 << 20, 17));
    let plan = home.path().join("plan.json");
    std::fs::write(
        &plan,
        serde_json::to_string(&serde_json::json!([
            {"pcl": "T1", "files": [big], "block_size": 65536},
            {"pcl": "T2", "files": [big], "block_size": 65536, "compression": "lzo"},
        ]))
        .unwrap(),
    )
    .unwrap();
    let r = common::preload(
        os(&[&"-H", &home.path(), &"--plan", &plan, &"--json"]),
        None,
    );
    assert_eq!(r.code, 3, "{r:?}");
    let doc = r.json();
    assert_eq!(doc["tapes"][0]["exit_code"], 3);
    assert_eq!(doc["tapes"][1]["exit_code"], 0);
    assert!(
        r.stderr
            .starts_with("preload_tape: T1: the input does not fit"),
        "{}",
        r.stderr
    );
    assert!(common::tape_files(&home.path().join("T1")).is_empty());
    assert!(common::tape_files(&home.path().join("T2")) == vec![std::fs::read(&big).unwrap()]);
}

#[test]
fn locked_and_damaged_cartridges_are_explained() {
    let home = tempfile::tempdir().unwrap();
    let dir = common::make_cart(
        home.path(),
        "E01001L8",
        Format::Legacy,
        MediumType::Data,
        100 << 20,
    );
    let a = write(home.path(), "a", b"data");
    {
        let _held = Cartridge::open(
            &dir,
            &OpenOptionsCart {
                write: true,
                ..Default::default()
            },
        )
        .unwrap();
        let r = common::preload(os(&[&dir, &"-F", &a, &"-b", &"512"]), None);
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stderr.contains("in use by"), "{}", r.stderr);
    }
    // An index that is not a whole number of records: damaged.
    std::fs::write(dir.join("indx"), [0u8; 100]).unwrap();
    let r = common::preload(os(&[&dir, &"-F", &a, &"-b", &"512"]), None);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("dump_tape --recover"), "{}", r.stderr);
}
