//! The programs themselves, where no kernel module is needed: usage errors, configuration
//! errors and a missing module end with status 1 and a message naming the problem, before
//! anything is created.

use std::path::Path;
use std::process::{Command, Output};

fn run(program: &str, args: &[&str], conf: &Path, run_dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .arg("-C")
        .arg(conf)
        .arg("--runtime-dir")
        .arg(run_dir)
        .arg("--control")
        .arg(conf.join("no-such-control-device"))
        .env_remove("NOTIFY_SOCKET")
        .env_remove("JOURNAL_STREAM")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the daemon")
}

const CONF: &str = "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Home directory: HOME\n\n\
Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n \
Product identification: ULT3580-TD8\n";

fn setup() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let home = d.path().join("media");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        d.path().join("device.conf"),
        CONF.replace("HOME", home.to_str().unwrap()),
    )
    .unwrap();
    std::fs::write(
        d.path().join("library_contents.10"),
        "Drive 1:\nPicker 1:\nMAP 1:\nSlot 1:\n",
    )
    .unwrap();
    d
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn errors_at_start() {
    let d = setup();
    let run_dir = d.path().join("run");
    let tape = env!("CARGO_BIN_EXE_vtltape");
    let lib = env!("CARGO_BIN_EXE_vtllibrary");

    // No such stanza.
    let o = run(tape, &["-q", "12"], d.path(), &run_dir);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        stderr(&o).contains("no 'Drive: 12' stanza"),
        "{}",
        stderr(&o)
    );
    let o = run(lib, &["-q", "11"], d.path(), &run_dir);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("library_contents.11"), "{}", stderr(&o));

    // No kernel module (the control device is missing).
    for (p, id) in [(tape, "11"), (lib, "10")] {
        let o = run(p, &["-q", id, "-F", "-v2"], d.path(), &run_dir);
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        let e = stderr(&o);
        assert!(e.contains("is the vtl kernel module loaded?"), "{e}");
        assert!(e.contains("no-such-control-device"), "{e}");
    }
    assert!(!run_dir.exists(), "nothing created before the unit exists");

    // An unreadable configuration directory.
    let o = run(tape, &["-q", "11"], &d.path().join("nope"), &run_dir);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).contains("nope/device.conf"), "{}", stderr(&o));
}

#[test]
fn usage() {
    let tape = env!("CARGO_BIN_EXE_vtltape");
    let o = Command::new(tape).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "no -q: {o:?}");
    let o = Command::new(tape)
        .args(["-q", "11", "-v", "7"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let o = Command::new(tape).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("Exit status: 0 stopped cleanly"), "{help}");
    let o = Command::new(env!("CARGO_BIN_EXE_vtllibrary"))
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("vtllibrary "));
}
