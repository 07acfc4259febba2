//! The `movecommand` hook: run before every move with the move's elements and barcode; a
//! failure or a timeout refuses the move with HARDWARE ERROR / MECHANICAL POSITIONING ERROR
//! (04/15/01) and the cartridge stays where it was.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::move_command::Refusal;
use vtllibrary::{DriveSlot, Library};

/// A shell script `name` in `dir` that appends its arguments to `dir/args` then runs
/// `tail` (shell code).
fn script(dir: &Path, name: &str, tail: &str) -> PathBuf {
    let p = dir.join(name);
    let log = dir.join("args");
    std::fs::write(
        &p,
        format!("#!/bin/sh\necho \"$@\" >> '{}'\n{tail}\n", log.display()),
    )
    .unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn logged(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

struct Setup {
    home: tempfile::TempDir,
    scripts: tempfile::TempDir,
    drives: Vec<Drive>,
    lu: InProcess<Library>,
}

/// The standard small library (STK L700: slots 1000.., MAP 10, drives 500, 501) with
/// `movecommand` = a script ending in `tail`, timeout `timeout` seconds.
fn setup(tail: &str, timeout: u32) -> Setup {
    let home = tempfile::tempdir().unwrap();
    let scripts = tempfile::tempdir().unwrap();
    make_media(home.path());
    let drives = vec![drive(home.path(), "D1"), drive(home.path(), "D2")];
    let mut c = conf(home.path(), "STK", "L700");
    c.movecommand = Some(script(scripts.path(), "move.sh", tail));
    c.commandtimeout = timeout;
    let handles: Vec<Box<dyn DriveSlot>> = drives
        .iter()
        .map(|d| Box::new(d.clone()) as Box<dyn DriveSlot>)
        .collect();
    let lib = Library::new(&c, &contents(&SLOTS, 1, 2), handles).unwrap();
    let mut lu = InProcess::new(lib);
    lu.command(1, &TUR, &[], 0);
    Setup {
        home,
        scripts,
        drives,
        lu,
    }
}

#[test]
fn arguments_name_types_and_numbers_within_type() {
    let mut s = setup("exit 0", 20);
    let lu = &mut s.lu;
    // Slot 1 → drive 2, drive 2 → slot 4, slot 2 → MAP 1.
    good(lu, &move_medium(0, 1000, 501), 0);
    good(lu, &move_medium(0, 501, 1003), 0);
    good(lu, &move_medium(0, 1001, 10), 0);
    // EXCHANGE: slot 4 (E01001L8) to drive 1, nothing there: refused before any command.
    let c = check(lu, &exchange(1003, 500, 1001));
    assert_eq!(sense_of(&c), (5, 0x3b, 0x0e, Some(6)));
    // A swap of slot 4 and slot 3: two moves asked, in order.
    good(lu, &exchange(1003, 1002, 1003), 0);
    // A move to itself moves nothing and asks nothing.
    good(lu, &move_medium(0, 1004, 1004), 0);
    assert_eq!(
        logged(s.scripts.path()),
        [
            "Storage 1 Drive 2 E01001L8",
            "Drive 2 Storage 4 E01001L8",
            "Storage 2 MAP 1 E01002L8",
            "Storage 4 Storage 3 E01001L8",
            "Storage 3 Storage 4 CLN001L8",
        ]
    );
    assert_eq!(
        positions(lu),
        [
            (10, "E01002L8".to_string()),
            (1002, "E01001L8".to_string()),
            (1003, "CLN001L8".to_string()),
            (1004, "OLD001L3".to_string()),
        ]
    );
    assert!(lu.lu().last_move_refusal().is_none());
}

#[test]
fn failing_command_refuses_the_move() {
    let mut s = setup("exit 1", 20);
    let state = s.lu.lu().state_file().to_path_buf();
    let files_before = snapshot(&s.home.path().join("E01001L8"));
    let before_state = std::fs::read_to_string(&state).unwrap();
    let before = positions(&mut s.lu);
    let c = check(&mut s.lu, &move_medium(0, 1000, 500));
    assert_eq!(sense_of(&c), (4, 0x15, 0x01, None));
    assert_eq!(positions(&mut s.lu), before);
    assert!(s.drives[0].lock().unwrap().cartridge_barcode().is_none());
    assert_eq!(std::fs::read_to_string(&state).unwrap(), before_state);
    assert_eq!(logged(s.scripts.path()), ["Storage 1 Drive 1 E01001L8"]);
    assert!(matches!(
        s.lu.lu().last_move_refusal(),
        Some(Refusal::Failed { .. })
    ));
    // EXCHANGE: the second move's refusal stops the first one too.
    let c = check(&mut s.lu, &exchange(1000, 1001, 1003));
    assert_eq!(sense_of(&c), (4, 0x15, 0x01, None));
    assert_eq!(positions(&mut s.lu), before);
    // The cartridge's files are untouched (never loaded).
    assert_eq!(snapshot(&s.home.path().join("E01001L8")), files_before);
}

/// Every file of a directory with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let b = std::fs::read(&p).unwrap();
            (p, b)
        })
        .collect();
    v.sort();
    v
}

#[test]
fn command_past_the_timeout_is_killed_and_refuses_the_move() {
    // The script starts a long sleep in the background, records its pid and waits.
    let mut s = setup(
        "sleep 300 &\necho $! > \"$(dirname \"$0\")/sleeper\"\nwait",
        1,
    );
    let before = positions(&mut s.lu);
    let c = check(&mut s.lu, &move_medium(0, 1001, 501));
    assert_eq!(sense_of(&c), (4, 0x15, 0x01, None));
    assert_eq!(positions(&mut s.lu), before);
    assert!(s.drives[1].lock().unwrap().cartridge_barcode().is_none());
    assert_eq!(
        s.lu.lu().last_move_refusal(),
        Some(&Refusal::Timeout {
            program: s.scripts.path().join("move.sh"),
            secs: 1
        })
    );
    // The whole process group was killed: the background sleep is gone (or a zombie
    // waiting for init). Wait for it a bounded time (a failure leaves it for 300 s).
    let pid = std::fs::read_to_string(s.scripts.path().join("sleeper")).unwrap();
    let stat = format!("/proc/{}/stat", pid.trim());
    let dead = || match std::fs::read_to_string(&stat) {
        Err(_) => true,
        Ok(t) => t
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    };
    let mut waited = 0;
    while !dead() && waited < 200 {
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    assert!(
        dead(),
        "the movecommand's child {} survived the timeout",
        pid.trim()
    );
}

#[test]
fn no_command_for_refused_moves() {
    let mut s = setup("exit 0", 20);
    // Source empty, destination full, invalid address: refused before the command runs.
    check(&mut s.lu, &move_medium(0, 1003, 500));
    check(&mut s.lu, &move_medium(0, 1000, 1001));
    check(&mut s.lu, &move_medium(0, 1000, 7));
    assert!(logged(s.scripts.path()).is_empty());
}
