//! The real `vtlcmd` binary against a library (10) and a drive (11) served on sockets in a
//! temporary runtime directory, with a device.conf naming both: what it prints, its exit
//! status, and the effect on the library and the drive.

#[path = "../../../daemons/control/tests/common/mod.rs"]
mod common;

use std::os::unix::net::UnixListener;
use std::process::{Command, Output};

use common::*;

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn vtlcmd_in(f: &Fixture, extra: &[&str], args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
        .arg("-C")
        .arg(f.conf())
        .arg("--runtime-dir")
        .arg(&f.run)
        .args(extra)
        .args(args)
        .env_remove("VTL_CONFIG_DIR")
        .env_remove("VTL_RUNTIME_DIR")
        .output()
        .expect("run vtlcmd");
    Run {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().expect("exit code"),
    }
}

fn vtlcmd(f: &Fixture, args: &[&str]) -> Run {
    vtlcmd_in(f, &[], args)
}

/// Expect success with exactly `stdout`.
fn ok(f: &Fixture, args: &[&str], stdout: &str) {
    let r = vtlcmd(f, args);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, stdout, ""),
        "{args:?}"
    );
}

/// Expect the daemon's refusal (status 2) printed on stdout, as mhvtl prints it.
fn refused(f: &Fixture, args: &[&str], stdout: &str) {
    let r = vtlcmd(f, args);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (2, stdout, ""),
        "{args:?}"
    );
}

/// Expect a usage / validation error (status 1) with exactly `stderr`.
fn usage(f: &Fixture, args: &[&str], stderr: &str) {
    let r = vtlcmd(f, args);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "", stderr),
        "{args:?}"
    );
}

#[test]
fn map_commands() {
    let f = fixture();
    refused(&f, &["10", "load", "map", "E01099L8"], "MAP not opened\n");
    refused(
        &f,
        &["10", "empty", "map"],
        "Can't empty map while MAP is closed\n",
    );
    ok(&f, &["10", "open", "map"], "OK\n");
    ok(&f, &["10", "load", "map", "E01099L8"], "OK\n"); // legacy layout
    ok(&f, &["10", "load", "map", "E01098L8"], "OK\n"); // v6 layout
    refused(&f, &["10", "load", "map", "E01097L8"], "MAP Full\n");
    refused(
        &f,
        &["10", "load", "map", "E01001L8"],
        "barcode already in library\n",
    );
    refused(&f, &["10", "load", "map", "A/B"], "Bad barcode\n");
    refused(
        &f,
        &["10", "load", "map", "E01001L8E01001L8X"],
        "barcode length too long\n",
    );
    let r = vtlcmd(&f, &["10", "load", "map", "NONE01L8"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stdout,
        format!("Cartridge NONE01L8 not found in {}\n", f.home().display())
    );
    ok(
        &f,
        &["10", "list", "map"],
        "Contents: E01099L8        E01098L8        \n",
    );
    ok(&f, &["10", "close", "map"], "OK\n");
    refused(
        &f,
        &["10", "empty", "map"],
        "Can't empty map while MAP is closed\n",
    );
    {
        let lib = f.library.lock().unwrap();
        assert!(!lib.inventory().map_open);
        let pos = lib.inventory().positions();
        assert_eq!(pos[0], (10, "E01099L8".to_string()));
        assert_eq!(pos[1], (11, "E01098L8".to_string()));
    }
    ok(&f, &["10", "open", "map"], "OK\n");
    ok(&f, &["10", "empty", "map"], "OK\n");
    ok(&f, &["10", "list", "map"], "Contents: \n");
    ok(&f, &["10", "add", "slot"], "slot=4\n");
    assert_eq!(
        f.library
            .lock()
            .unwrap()
            .inventory()
            .count(vtllibrary::ElementType::Storage),
        4
    );
}

#[test]
fn status_json_and_online_offline() {
    let f = fixture();
    ok(&f, &["10", "offline"], "");
    assert!(!f.library.lock().unwrap().is_online());
    let r = vtlcmd(&f, &["10", "status", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "library");
    assert_eq!(v["online"], false);
    let slots: Vec<&str> = v["elements"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "slot")
        .map(|e| e["barcode"].as_str().unwrap_or("-"))
        .collect();
    assert_eq!(slots, ["E01001L8", "E01002L8", "-"]);
    ok(&f, &["10", "online"], "");
    assert!(f.library.lock().unwrap().is_online());
    let r = vtlcmd(&f, &["10", "status"]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .starts_with("Library 10: STK L700, online, MAP closed\n"),
        "{}",
        r.stdout
    );
    // the commands without a reply print nothing
    for c in [
        &["10", "verbose"][..],
        &["10", "debug"],
        &["10", "TapeAlert", "0x0000000000000001"],
        &["10", "InquiryDataChange"],
    ] {
        ok(&f, c, "");
    }
}

#[test]
fn drive_commands() {
    let f = fixture();
    ok(&f, &["11", "load", "E01090L8"], "");
    assert_eq!(
        f.drive.lock().unwrap().cartridge_barcode().as_deref(),
        Some("E01090L8")
    );
    assert!(f.drive.lock().unwrap().is_loaded());
    ok(&f, &["11", "TapeAlert", "0x0000000000000014"], "");
    assert_eq!(f.drive.lock().unwrap().drive().tape_alert(), 0x14);
    ok(&f, &["11", "compression", "lzo"], "");
    assert_eq!(
        f.drive
            .lock()
            .unwrap()
            .drive()
            .config()
            .compression
            .algorithm,
        Some(vtltape::CompressionAlgorithm::Lzo)
    );
    ok(&f, &["11", "Append", "Only", "Yes"], "");
    assert!(f.drive.lock().unwrap().drive().append_only());
    ok(&f, &["11", "delay", "rewind", "30"], "");
    let r = vtlcmd(&f, &["11", "status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["append_only"], true);
    assert_eq!(v["delays"]["rewind"], 30);
    // a refusal of a command mhvtl does not answer goes to stderr
    let r = vtlcmd(&f, &["11", "unload", "E01097L8"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            2,
            "",
            "vtlcmd: Unload failed: E01097L8: the drive holds E01090L8\n"
        )
    );
    ok(&f, &["11", "unload", "E01090L8"], "");
    assert!(!f.drive.lock().unwrap().is_loaded());
    usage(
        &f,
        &["11", "delay", "load", "21"],
        "vtlcmd: 'delay load': 21 seconds is more than the maximum of 20\n",
    );
}

#[test]
fn validation_errors() {
    let f = fixture();
    let conf = f.conf().join("device.conf");
    usage(
        &f,
        &["11", "open", "map"],
        &format!(
            "vtlcmd: 'open map' is a library command, but device 11 is a drive ('Drive: 11' in {})\n",
            conf.display()
        ),
    );
    usage(
        &f,
        &["10", "load", "E01001L8"],
        &format!(
            "vtlcmd: 'load' is a drive command, but device 10 is a library ('Library: 10' in {})\n",
            conf.display()
        ),
    );
    usage(
        &f,
        &["12", "status"],
        &format!(
            "vtlcmd: device 12 is not in {} (no 'Drive: 12' nor 'Library: 12' stanza)\n",
            conf.display()
        ),
    );
    usage(
        &f,
        &["32768", "status"],
        "vtlcmd: DEVICE_NO '32768' is not a number below 32768\n",
    );
    usage(
        &f,
        &["ten", "status"],
        "vtlcmd: DEVICE_NO 'ten' is not a number below 32768\n",
    );
    usage(
        &f,
        &["10", "open", "door"],
        "vtlcmd: 'open': 'door' is not map\n",
    );
    usage(&f, &["10", "fly"], "vtlcmd: unknown command 'fly'\n");
    usage(
        &f,
        &["10", "status", "--xml"],
        "vtlcmd: 'status': '--xml' is not --json\n",
    );
    // -v: version on stderr, status 1 (as mhvtl)
    let r = vtlcmd(&f, &["-v"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        format!("vtlcmd: version {} (vtl)\n", env!("CARGO_PKG_VERSION"))
    );
    // -h, -help, /h: usage on stdout, status 0
    for h in ["-h", "-help", "/h"] {
        let out = Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
            .arg(h)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{h}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Usage: vtlcmd"), "{h}: {text}");
        assert!(text.contains("load map PCL"), "{h}: {text}");
    }
    // no arguments, or no command
    for args in [&[][..], &["10"]] {
        let out = Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
    }
    // device.conf missing
    let r = Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
        .args(["10", "status"])
        .env("VTL_CONFIG_DIR", f.dir.path().join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8(r.stderr).unwrap();
    assert!(
        err.starts_with("vtlcmd: ") && err.contains("nowhere/device.conf"),
        "{err}"
    );
}

#[test]
fn environment_names_the_directories() {
    let f = fixture();
    let out = Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
        .args(["10", "list", "map"])
        .env("VTL_CONFIG_DIR", f.conf())
        .env("VTL_RUNTIME_DIR", &f.run)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"Contents: \n");
}

#[test]
fn daemons_that_are_gone() {
    let f = fixture();
    // exit: the daemon stops and its socket goes
    ok(&f, &["11", "exit"], "");
    let sock = f.socket(DRV);
    let mut threads = f.threads.into_iter();
    let _lib = threads.next();
    threads.next().unwrap().join().unwrap().unwrap();
    let f = Fixture {
        threads: Vec::new(),
        ..f
    };
    let r = vtlcmd(&f, &["11", "status"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr),
        (
            1,
            "",
            format!(
                "vtlcmd: vtl daemon 11 is not running (no {})\n",
                sock.display()
            )
        )
    );
    // a socket left by a dead daemon
    drop(UnixListener::bind(&sock).unwrap());
    let r = vtlcmd(&f, &["11", "status"]);
    assert_eq!(
        (r.code, r.stderr),
        (
            1,
            format!(
                "vtlcmd: vtl daemon 11 is not running (stale socket {})\n",
                sock.display()
            )
        )
    );
    // a daemon that accepts but never answers
    std::fs::remove_file(&sock).unwrap();
    let _hung = UnixListener::bind(&sock).unwrap();
    let r = vtlcmd_in(&f, &["--timeout", "1"], &["11", "status"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "vtlcmd: vtl daemon 11 did not answer within 1 s\n")
    );
}

#[test]
fn concurrent_calls_get_their_own_replies() {
    let f = fixture();
    let spawn = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
            .arg("-C")
            .arg(f.conf())
            .arg("--runtime-dir")
            .arg(&f.run)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..6)
        .map(|i| {
            if i % 2 == 0 {
                spawn(&["10", "add", "slot"])
            } else {
                spawn(&["10", "list", "map"])
            }
        })
        .collect();
    let mut outs: Vec<String> = children
        .into_iter()
        .map(|c| {
            let o = c.wait_with_output().unwrap();
            assert_eq!(o.status.code(), Some(0));
            String::from_utf8(o.stdout).unwrap()
        })
        .collect();
    outs.sort();
    assert_eq!(
        outs,
        [
            "Contents: \n",
            "Contents: \n",
            "Contents: \n",
            "slot=4\n",
            "slot=5\n",
            "slot=6\n"
        ]
    );
}
