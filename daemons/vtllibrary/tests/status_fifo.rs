//! The status FIFO: created mode 0644, one `<ctime> - <id>: - <text>` line per state change
//! and move, and a library nobody reads never blocks.

mod common;

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use common::*;
use vtl_scsi::InProcess;
use vtllibrary::status_fifo::parse_line;
use vtllibrary::{DriveSlot, Library};

fn library(home: &Path, fifo: &Path, slots: &[Option<&str>]) -> (Vec<Drive>, InProcess<Library>) {
    let drives = vec![drive(home, "D1"), drive(home, "D2")];
    let mut c = conf(home, "STK", "L700");
    c.fifo = Some(fifo.to_path_buf());
    let handles: Vec<Box<dyn DriveSlot>> = drives
        .iter()
        .map(|d| Box::new(d.clone()) as Box<dyn DriveSlot>)
        .collect();
    let lib = Library::new(&c, &contents(slots, 1, 2), handles).unwrap();
    let mut lu = InProcess::new(lib);
    lu.command(1, &TUR, &[], 0);
    (drives, lu)
}

fn reader(fifo: &Path) -> File {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(fifo)
        .unwrap()
}

/// Everything in the pipe now, as lines' texts; checks each line's shape.
fn drain(r: &mut File) -> Vec<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    let text = String::from_utf8(buf).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "{text:?}");
    text.lines()
        .map(|l| {
            let (id, text) = parse_line(l).unwrap_or_else(|| panic!("{l:?}"));
            assert_eq!(id, 10, "{l:?}");
            text.to_string()
        })
        .collect()
}

#[test]
fn states_and_moves_are_written() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let fifo = home.path().join("status");
    let (_drives, mut lu) = library(home.path(), &fifo, &SLOTS);
    let m = std::fs::metadata(&fifo).unwrap();
    assert!(m.file_type().is_fifo());
    assert_eq!(m.permissions().mode() & 0o7777, 0o644);
    let mut r = reader(&fifo);
    assert_eq!(drain(&mut r), ["Initialising", "Idle"]);
    good(&mut lu, &move_medium(0, 1000, 500), 0);
    good(&mut lu, &move_medium(0, 500, 501), 0);
    good(&mut lu, &exchange(501, 1001, 1003), 0);
    // A refused move says nothing.
    check(&mut lu, &move_medium(0, 1003, 1001));
    good(&mut lu, &[0x1b, 0, 0, 10, 0, 0], 0);
    good(&mut lu, &[0x1b, 0, 0, 10, 1, 0], 0);
    lu.lu().open_map().unwrap();
    lu.lu().close_map().unwrap();
    lu.lu().offline().unwrap();
    lu.lu().online().unwrap();
    assert_eq!(
        drain(&mut r),
        [
            "Moving E01001L8 from Storage slot 1 to drive 1",
            "Moving E01001L8 from drive 1 to drive 2",
            "Moving E01001L8 from drive 2 to Storage slot 2",
            "Moving E01002L8 from Storage slot 2 to Storage slot 4",
            "Opening MAP",
            "Closing MAP",
            "Opening MAP",
            "Closing MAP",
            "Offline",
            "Online",
        ]
    );
    // A second library on the same FIFO reuses it.
    drop(lu);
    let (_d, _lu) = library(home.path(), &fifo, &SLOTS);
    assert_eq!(drain(&mut r), ["Initialising", "Idle"]);
}

#[test]
fn nobody_reading_never_blocks_and_lines_stay_whole() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let fifo = home.path().join("status");
    let (_drives, mut lu) = library(home.path(), &fifo, &SLOTS);
    // ~60 bytes a line: 2,000 moves are about twice what a 64 KiB pipe holds.
    for _ in 0..1000 {
        good(&mut lu, &move_medium(0, 1000, 1003), 0);
        good(&mut lu, &move_medium(0, 1003, 1000), 0);
    }
    let mut r = reader(&fifo);
    let lines = drain(&mut r);
    assert!(lines.len() < 2002, "{} lines", lines.len());
    assert_eq!(lines[..2], ["Initialising", "Idle"]);
    for (i, l) in lines[2..].iter().enumerate() {
        let want = if i % 2 == 0 {
            "Moving E01001L8 from Storage slot 1 to Storage slot 4"
        } else {
            "Moving E01001L8 from Storage slot 4 to Storage slot 1"
        };
        assert_eq!(l, want, "line {i}");
    }
    // Once read, the FIFO takes lines again.
    good(&mut lu, &move_medium(0, 1000, 1003), 0);
    assert_eq!(
        drain(&mut r),
        ["Moving E01001L8 from Storage slot 1 to Storage slot 4"]
    );
}

#[test]
fn a_path_that_is_not_a_fifo_is_left_alone() {
    let home = tempfile::tempdir().unwrap();
    make_media(home.path());
    let path = home.path().join("status");
    std::fs::write(&path, "not a fifo").unwrap();
    let (_d, mut lu) = library(home.path(), &path, &SLOTS);
    good(&mut lu, &move_medium(0, 1000, 1003), 0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "not a fifo");
    assert!(lu.lu().status_fifo().is_none());
    assert!(
        lu.lu().warnings()[0].contains("is not a FIFO"),
        "{:?}",
        lu.lu().warnings()
    );
}
