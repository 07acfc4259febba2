//! edit_tape's changes, refusals, output and exit codes.

mod common;

use common::{edit_tape, edit_tape_env, make, mam, ok, write_blocks};
use libvtlcart::mam::field_str;
use libvtlcart::{Cartridge, MediumType, OpenOptionsCart, TextAttribute};
use serde_json::Value;

const MIB: u64 = 1 << 20;

#[test]
fn resize_up_and_down_keeps_the_data_written() {
    let tmp = tempfile::tempdir().unwrap();
    for v6 in [false, true] {
        let home = tmp.path().join(if v6 { "v6" } else { "legacy" });
        let h = home.to_str().unwrap();
        let dir = make(&home, "E01001L8", 100, MediumType::Data, "LTO8", v6);
        write_blocks(&dir, 5, 1 << 20); // 5 MiB of data
        let used = Cartridge::open(&dir, &OpenOptionsCart::default())
            .unwrap()
            .partition(0)
            .unwrap()
            .eod_data_offset();
        assert_eq!(used, 5 * MIB);

        ok(&edit_tape(["-H", h, "-m", "E01001L8", "-s", "300"]));
        let m = mam(&dir);
        assert_eq!(m.base.max_capacity.get(), 300 * MIB);
        assert_eq!(m.base.remaining_capacity.get(), 300 * MIB - used);

        ok(&edit_tape(["-H", h, "-m", "E01001L8", "-s", "6"]));
        let m = mam(&dir);
        assert_eq!(m.base.max_capacity.get(), 6 * MIB);
        assert_eq!(m.base.remaining_capacity.get(), MIB);

        // Below the data written: refused, nothing changed, the data file named.
        let before = std::fs::read(dir.join(if v6 { "mam" } else { "meta" })).unwrap();
        let r = edit_tape(["-H", h, "-m", "E01001L8", "-s", "4"]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr.starts_with("edit_tape: E01001L8: "),
            "{}",
            r.stderr
        );
        let data = if v6 { "data.0" } else { "data" };
        assert!(
            r.stderr.contains(&dir.join(data).display().to_string()),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("already written"), "{}", r.stderr);
        let after = std::fs::read(dir.join(if v6 { "mam" } else { "meta" })).unwrap();
        assert_eq!(before, after, "a refused edit writes nothing");

        // The cartridge still reads back, and the drive sees the new capacity.
        let c = Cartridge::open(&dir, &OpenOptionsCart::default()).unwrap();
        assert_eq!(c.capacity(0), 6 * MIB);
        assert_eq!(c.partition(0).unwrap().eod(), 6);
    }
}

#[test]
fn size_zero_is_native_for_v6_and_8000_mib_for_legacy() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    let v6 = make(tmp.path(), "A00001L7", 10, MediumType::Data, "LTO7", true);
    let leg = make(tmp.path(), "A00002L7", 10, MediumType::Data, "LTO7", false);
    ok(&edit_tape([
        "-H", h, "-m", "A00001L7", "-m", "A00002L7", "-s", "0",
    ]));
    assert_eq!(mam(&v6).base.max_capacity.get(), 6_000_000_000_000);
    assert_eq!(mam(&leg).base.max_capacity.get(), 8000 * MIB);
    // With -d the new density's native capacity is used.
    ok(&edit_tape([
        "-H", h, "-m", "A00001L7", "-d", "LTO5", "-s", "0",
    ]));
    assert_eq!(mam(&v6).base.max_capacity.get(), 1_500_000_000_000);
}

#[test]
fn type_changes_and_cleaning_cycles() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    let dir = make(tmp.path(), "C00001L8", 10, MediumType::Data, "LTO8", true);
    ok(&edit_tape(["-H", h, "-m", "C00001L8", "-t", "Clean"]));
    let m = mam(&dir);
    assert_eq!(m.medium_type(), MediumType::Cleaning);
    assert_eq!(m.base.medium_type_information.get(), 20);
    ok(&edit_tape(["-H", h, "-m", "C00001L8", "-t", "worm"]));
    let m = mam(&dir);
    assert_eq!(m.medium_type(), MediumType::Worm);
    assert_eq!(m.base.medium_type_information.get(), 0);
    ok(&edit_tape(["-H", h, "-m", "C00001L8", "-t", "NULL"]));
    assert_eq!(mam(&dir).medium_type(), MediumType::Null);
    ok(&edit_tape(["-H", h, "-m", "C00001L8", "-t", "data"]));
    assert_eq!(mam(&dir).medium_type(), MediumType::Data);

    // Unknown type: usage error before anything is touched.
    let r = edit_tape(["-H", h, "-m", "C00001L8", "-t", "tape"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("data, clean, NULL or WORM"),
        "{}",
        r.stderr
    );

    // A written cartridge cannot become NULL (its data bytes would be orphaned).
    write_blocks(&dir, 2, 4096);
    let r = edit_tape(["-H", h, "-m", "C00001L8", "-t", "NULL"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("NULL"), "{}", r.stderr);
    assert!(r.stderr.contains("data.0"), "{}", r.stderr);
    assert_eq!(mam(&dir).medium_type(), MediumType::Data);
    // ... but WORM is fine.
    ok(&edit_tape(["-H", h, "-m", "C00001L8", "-t", "WORM"]));
    assert_eq!(mam(&dir).medium_type(), MediumType::Worm);
}

#[test]
fn density_change_rewrites_the_table_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    for v6 in [false, true] {
        let pcl = if v6 { "D00001L8" } else { "D00002L8" };
        let dir = make(tmp.path(), pcl, 100, MediumType::Data, "LTO8", v6);
        let r = edit_tape(["-H", h, "-m", pcl, "-d", "T10KB", "-v"]);
        ok(&r);
        assert!(
            r.stdout.contains("MEDIUM DENSITY CODE: 0x5e -> 0x4b"),
            "{}",
            r.stdout
        );
        let m = mam(&dir);
        // Field for field what mktape -d T10KB makes, apart from the partition count.
        let mut fresh = libvtlcart::Mam::new_cartridge(&libvtlcart::NewMam {
            pcl,
            density: libvtlcart::Density::lookup("T10KB").unwrap(),
            medium_type: MediumType::Data,
            capacity: 100 * MIB,
            epoch: 1_700_000_000,
            v6,
            application_vendor: libvtlcart::application_vendor(),
        });
        if v6 {
            fresh.base.num_partitions = 1;
        }
        assert_eq!(m.to_legacy_bytes(), fresh.to_legacy_bytes(), "v6={v6}");
        assert_eq!(field_str(&m.base.description), "STK T10KB media");
        assert_eq!(m.base.media_type, 47);
    }
    // Legacy keeps mhvtl 1.7's MAM capacity 0; v6 takes master's.
    assert_eq!(mam(&tmp.path().join("D00002L8")).base.mam_capacity.get(), 0);
    let m = mam(&tmp.path().join("D00001L8"));
    assert_eq!(m.base.mam_capacity.get(), 8192);
    assert_eq!(m.base.mam_space_remaining.get(), 8192 - 1102);

    // A written cartridge keeps its density; reapplying the same one is allowed.
    let dir = tmp.path().join("D00001L8");
    write_blocks(&dir, 1, 1000);
    let r = edit_tape(["-H", h, "-m", "D00001L8", "-d", "LTO8"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("holds 2 objects"), "{}", r.stderr);
    assert!(r.stderr.contains("data.0"), "{}", r.stderr);
    assert_eq!(mam(&dir).base.media_type, 47);
    ok(&edit_tape(["-H", h, "-m", "D00001L8", "-d", "T10KB"]));

    let r = edit_tape(["-H", h, "-m", "D00001L8", "-d", "QIC"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("not a known density"), "{}", r.stderr);
}

#[test]
fn text_attributes_round_trip_and_refuse_long_values() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    for v6 in [false, true] {
        let pcl = if v6 { "T00001L8" } else { "T00002L8" };
        let dir = make(tmp.path(), pcl, 10, MediumType::Data, "LTO8", v6);
        let label = "L".repeat(160);
        let host = "H".repeat(80);
        ok(&edit_tape([
            "-H",
            h,
            "-m",
            pcl,
            "--user-label",
            &label,
            "--media-pool",
            "weekly full",
            "--owning-host",
            &host,
        ]));
        let m = mam(&dir);
        assert_eq!(m.text_attribute(TextAttribute::UserMediumTextLabel), label);
        assert_eq!(m.text_attribute(TextAttribute::MediaPool), "weekly full");
        assert_eq!(m.text_attribute(TextAttribute::OwningHostTextualName), host);
        assert_eq!(m.base.media_pool[11..], [0; 149], "NUL-filled");

        // Shorter value: the old tail is cleared.
        ok(&edit_tape(["-H", h, "-m", pcl, "--media-pool", "daily"]));
        let m = mam(&dir);
        assert_eq!(m.text_attribute(TextAttribute::MediaPool), "daily");
        assert_eq!(m.base.media_pool[5..], [0; 155]);

        for (opt, n) in [
            ("--user-label", 161),
            ("--media-pool", 161),
            ("--owning-host", 81),
        ] {
            let long = "x".repeat(n);
            let r = edit_tape(["-H", h, "-m", pcl, opt, &long]);
            assert_eq!(r.code, 1, "{opt}");
            assert!(r.stderr.contains("holds at most"), "{opt}: {}", r.stderr);
        }
        let r = edit_tape(["-H", h, "-m", pcl, "--owning-host", "tab\there"]);
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("printable ASCII"), "{}", r.stderr);
        assert_eq!(
            mam(&dir).text_attribute(TextAttribute::OwningHostTextualName),
            host,
            "unchanged after refusals"
        );

        ok(&edit_tape(["-H", h, "-m", pcl, "--user-label", ""]));
        assert!(
            mam(&dir)
                .base
                .user_medium_text_label
                .iter()
                .all(|&b| b == 0)
        );
    }
}

#[test]
fn json_and_show_describe_the_mam() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    make(tmp.path(), "J00001L5", 100, MediumType::Data, "LTO5", true);
    let r = edit_tape([
        "-H",
        h,
        "-m",
        "J00001L5",
        "-w",
        "on",
        "--media-pool",
        "offsite",
        "--json",
    ]);
    ok(&r);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(v.is_object(), "one cartridge: one document");
    assert_eq!(v["pcl"], "J00001L5");
    assert_eq!(v["format"], "v6");
    assert_eq!(v["written"], true);
    assert_eq!(v["mhvtl"]["write_protected"], true);
    assert_eq!(v["mhvtl"]["density"], "LTO5");
    assert_eq!(v["mhvtl"]["num_partitions"], 1);
    let attrs = v["attributes"].as_array().unwrap();
    assert_eq!(attrs.len(), 39);
    let attr = |id: &str| attrs.iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(attr("0x0001")["name"], "MAXIMUM CAPACITY IN PARTITION");
    assert_eq!(attr("0x0001")["value"], 100 * MIB);
    assert_eq!(attr("0x0808")["name"], "MEDIA POOL");
    assert_eq!(attr("0x0808")["value"], "offsite");
    assert_eq!(attr("0x0806")["value"], "J00001L5");
    let changes = v["changes"].as_array().unwrap();
    let fields: Vec<&str> = changes
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"0x0808 MEDIA POOL"), "{fields:?}");
    assert!(fields.contains(&"mhvtl Flags"), "{fields:?}");
    assert_eq!(v["partitions"][0]["objects"], 0);

    // --show: read only, every attribute by name.
    let r = edit_tape(["-H", h, "-m", "J00001L5", "--show"]);
    ok(&r);
    for needle in [
        "Cartridge J00001L5",
        "Format: v6",
        "Density: LTO5",
        "0x0001 MAXIMUM CAPACITY IN PARTITION",
        ": 104857600 (100 MiB)",
        "0x0808 MEDIA POOL",
        ": offsite",
        "0x0408 MEDIUM TYPE",
        "Flags",
        "0x0002 (write protected)",
        "Partitions:",
    ] {
        assert!(r.stdout.contains(needle), "{needle}:\n{}", r.stdout);
    }
    assert!(
        r.stdout.lines().all(|l| l == l.trim_end()),
        "no trailing blanks"
    );

    // Nothing to do: usage, exit 1.
    let r = edit_tape(["-H", h, "-m", "J00001L5"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    assert!(r.stderr.contains("Usage:"), "{}", r.stderr);
}

#[test]
fn many_cartridges_by_range_and_repeated_m() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    for i in 1..=4 {
        make(
            tmp.path(),
            &format!("E0100{i}L8"),
            10,
            MediumType::Data,
            "LTO8",
            i % 2 == 0,
        );
    }
    make(
        tmp.path(),
        "CLN001L8",
        10,
        MediumType::Cleaning,
        "LTO8",
        true,
    );
    let r = edit_tape([
        "-H",
        h,
        "-m",
        "E01001L8..E01004L8",
        "-m",
        "CLN001L8",
        "--owning-host",
        "backup01",
        "--json",
    ]);
    ok(&r);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let docs = v.as_array().expect("several cartridges: an array");
    assert_eq!(docs.len(), 5);
    assert_eq!(docs[3]["pcl"], "E01004L8");
    assert_eq!(docs[4]["pcl"], "CLN001L8");
    for i in 1..=4 {
        let m = mam(&tmp.path().join(format!("E0100{i}L8")));
        assert_eq!(
            m.text_attribute(TextAttribute::OwningHostTextualName),
            "backup01"
        );
    }

    // One missing cartridge in a range: the others are still edited, exit 2.
    let r = edit_tape(["-H", h, "-m", "E01003L8..E01005L8", "-w", "on", "-v"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("edit_tape: E01005L8: "), "{}", r.stderr);
    assert!(
        r.stderr.contains("no such cartridge directory"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("E01003L8: mhvtl Flags"), "{}", r.stdout);
    assert!(mam(&tmp.path().join("E01004L8")).write_protected());

    // A bad range is a usage error and touches nothing.
    let r = edit_tape(["-H", h, "-m", "E01004L8..E01001L8", "-w", "off"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("barcode range"), "{}", r.stderr);
    assert!(mam(&tmp.path().join("E01004L8")).write_protected());
    let r = edit_tape(["-H", h, "-m", "../E01001L8", "-w", "off"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("both sides"), "{}", r.stderr);
    let r = edit_tape(["-H", h, "-m", "E01001L8/", "-w", "off"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("invalid barcode"), "{}", r.stderr);
}

#[test]
fn a_locked_cartridge_is_refused_naming_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let h = tmp.path().to_str().unwrap();
    let dir = make(tmp.path(), "L00001L8", 10, MediumType::Data, "LTO8", false);
    let before = std::fs::read(dir.join("meta")).unwrap();
    let held = Cartridge::open(
        &dir,
        &OpenOptionsCart {
            write: true,
            ..Default::default()
        },
    )
    .unwrap();
    let r = edit_tape(["-H", h, "-m", "L00001L8", "-w", "on"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("edit_tape: L00001L8: "),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&dir.display().to_string()),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("in use by"), "{}", r.stderr);
    if std::path::Path::new("/proc/locks").exists() {
        let me = format!("pid {} (", std::process::id());
        assert!(r.stderr.contains(&me), "{me}: {}", r.stderr);
    }
    assert_eq!(std::fs::read(dir.join("meta")).unwrap(), before);

    // Showing needs no lock, and says who holds it.
    let r = edit_tape(["-H", h, "-m", "L00001L8", "--show"]);
    ok(&r);
    if std::path::Path::new("/proc/locks").exists() {
        assert!(
            r.stdout
                .contains(&format!("In use by: pid {}", std::process::id())),
            "{}",
            r.stdout
        );
    }
    drop(held);
    ok(&edit_tape(["-H", h, "-m", "L00001L8", "-w", "on"]));
    assert!(mam(&dir).write_protected());
}

#[test]
fn a_directory_can_be_given_instead_of_m() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make(tmp.path(), "P00001L8", 10, MediumType::Data, "LTO8", true);
    let r = edit_tape([dir.to_str().unwrap(), "-s", "20", "-v"]);
    ok(&r);
    assert!(
        r.stdout
            .contains("P00001L8: 0x0001 MAXIMUM CAPACITY IN PARTITION"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("written:"), "{}", r.stdout);
    assert_eq!(mam(&dir).base.max_capacity.get(), 20 * MIB);

    // Not a cartridge: exit 2, naming the directory.
    let empty = tmp.path().join("EMPTY");
    std::fs::create_dir(&empty).unwrap();
    let r = edit_tape([empty.to_str().unwrap(), "-w", "on"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("EMPTY"), "{}", r.stderr);
    assert!(r.stderr.contains("not a cartridge"), "{}", r.stderr);

    // A directory and -m together: usage error.
    let r = edit_tape([dir.to_str().unwrap(), "-m", "P00001L8", "-w", "on"]);
    assert_eq!(r.code, 1);
}

#[test]
fn the_home_comes_from_device_conf() {
    let tmp = tempfile::tempdir().unwrap();
    let l10 = tmp.path().join("l10");
    let l30 = tmp.path().join("l30");
    std::fs::write(
        tmp.path().join("device.conf"),
        format!(
            "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Home directory: {}\n\n\
             Library: 30 CHANNEL: 00 TARGET: 08 LUN: 00\n Home directory: {}\n",
            l10.display(),
            l30.display()
        ),
    )
    .unwrap();
    let a = make(&l10, "G00001L8", 10, MediumType::Data, "LTO8", false);
    let b = make(&l30, "G00002L8", 10, MediumType::Data, "LTO8", false);
    // -l names the library, as in mhvtl.
    ok(&edit_tape_env(
        ["-l", "10", "-m", "G00001L8", "-w", "on"],
        tmp.path(),
    ));
    assert!(mam(&a).write_protected());
    // Without -l every library's home is searched.
    ok(&edit_tape_env(["-m", "G00002L8", "-w", "on"], tmp.path()));
    assert!(mam(&b).write_protected());
    // -C overrides the environment.
    ok(&edit_tape([
        "-C",
        tmp.path().to_str().unwrap(),
        "-m",
        "G00002L8",
        "-w",
        "off",
    ]));
    assert!(!mam(&b).write_protected());
    // In library 10's home there is no G00002L8.
    let r = edit_tape_env(["-l", "10", "-m", "G00002L8", "-w", "on"], tmp.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("G00002L8"), "{}", r.stderr);
    let r = edit_tape_env(["-m", "G00009L8", "-w", "on"], tmp.path());
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("searched library 10"), "{}", r.stderr);
    let r = edit_tape_env(["-l", "20", "-m", "G00001L8", "-w", "on"], tmp.path());
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Library: 20"), "{}", r.stderr);
}

#[test]
fn version_carries_on_and_help_documents_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = make(tmp.path(), "V00001L8", 10, MediumType::Data, "LTO8", false);
    let r = edit_tape(["-V"]);
    ok(&r);
    assert!(r.stdout.starts_with("edit_tape: version "), "{}", r.stdout);
    let r = edit_tape(["-V", dir.to_str().unwrap(), "-w", "on"]);
    ok(&r);
    assert!(r.stdout.starts_with("edit_tape: version "), "{}", r.stdout);
    assert!(mam(&dir).write_protected());

    let r = edit_tape(["--help"]);
    ok(&r);
    for needle in ["Exit status:", "  0  ", "  1  ", "  2  ", "--user-label"] {
        assert!(r.stdout.contains(needle), "{needle}");
    }
    let man = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../man/edit_tape.1"
    ))
    .expect("man page");
    assert!(man.contains(".SH EXIT STATUS"));
    for code in [".B 0", ".B 1", ".B 2"] {
        assert!(man.contains(code), "man page: {code}");
    }
}

#[test]
fn v6_tapes_with_more_partitions_keep_their_count() {
    // A v6 LTO8 cartridge with two partitions on disk (as FORMAT MEDIUM leaves it).
    let tmp = tempfile::tempdir().unwrap();
    let dir = make(tmp.path(), "F00001L8", 10, MediumType::Data, "LTO8", true);
    for f in ["data.1", "indx.1"] {
        std::fs::write(dir.join(f), b"").unwrap();
    }
    std::fs::write(dir.join("meta.1"), [0u8; 512]).unwrap();
    ok(&edit_tape([dir.to_str().unwrap(), "-w", "on"]));
    assert_eq!(mam(&dir).base.num_partitions, 2);
    // LTO5 media hold two partitions at most; DLT4 one.
    let r = edit_tape([dir.to_str().unwrap(), "-d", "DLT4"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("2 partitions"), "{}", r.stderr);
}
