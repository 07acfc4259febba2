//! Disk full under the drive: the media home is a small tmpfs (needs root to mount; skipped
//! otherwise, a failure with `CI=true`). WRITE(6) and WRITE FILEMARKS run until the file
//! system is full. The drive must answer MEDIUM ERROR / WRITE ERROR (03/0C/00) — as a
//! deferred error (response code 0x71) when blocks it had already acknowledged were lost —
//! never GOOD for data it did not keep; every block acknowledged before the last GOOD WRITE
//! FILEMARKS must read back; the cartridge must reopen strictly.

mod common;

use common::*;
use libvtlcart::testing::SmallFs;
use libvtlcart::{Format, MediumType};
use vtl_scsi::{InProcess, SenseKey, Status};
use vtltape::TapeDrive;

fn payload(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn run(format: Format) {
    let Some(fs) = SmallFs::mount(16 << 20) else {
        return;
    };
    let home = fs.path().join("home");
    libvtlcart::testing::make_cartridge(
        &home,
        "E00001L8",
        format,
        MediumType::Data,
        "LTO8",
        1 << 30,
    );
    let filler = fs.fill_leaving(3 << 20);
    let mut t = InProcess::new(TapeDrive::new(vtltape::DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD8".into(),
        media_home: Some(home.clone()),
        ..Default::default()
    }));
    t.lu().load_barcode("E00001L8").unwrap();
    while !t.command(1, &[0; 6], &[], 0).is_good() {}

    let block = 64 * 1024;
    let mut durable = 0usize; // blocks acknowledged before the last GOOD WRITE FILEMARKS
    let mut acked = 0usize;
    let sense = loop {
        assert!(acked < 10_000, "the file system never filled up");
        let c = if acked % 4 == 3 && acked > durable {
            let c = t.command(1, &wfm(1), &[], 0);
            if c.is_good() {
                durable = acked;
            }
            c
        } else {
            let c = t.command(
                1,
                &cdb6(0x0a, 0, block as u32),
                &payload(acked as u64, block),
                0,
            );
            if c.is_good() {
                acked += 1;
            }
            c
        };
        if c.status == Status::CheckCondition {
            break c.sense().unwrap();
        }
    };
    eprintln!("{format:?}: disk full after {acked} blocks ({durable} durable): {sense:?}");
    assert_eq!(sense.key, SenseKey::MediumError, "{sense:?}");
    assert_eq!((sense.asc.0, sense.asc.1), (0x0c, 0x00), "{sense:?}");
    assert!(durable > 0, "nothing became durable before the disk filled");
    // Blocks acknowledged since the last WRITE FILEMARKS were still buffered: losing them is
    // reported as a deferred error (SSC-5 4.2.17), not as this command's own failure.
    if acked > durable {
        assert!(sense.deferred, "{sense:?}");
    }

    // Everything up to the last durable point reads back through the drive.
    let c = t.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0);
    assert!(
        c.is_good() || c.sense().is_some_and(|s| s.deferred),
        "{c:?}"
    );
    t.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0);
    let mut i = 0usize;
    loop {
        let c = t.command(1, &read_var(block as u32), &[], block);
        match c.status {
            Status::Good => {
                assert_eq!(c.data, payload(i as u64, block), "{format:?}: block {i}");
                i += 1;
            }
            _ => {
                let s = c.sense().unwrap();
                if s.filemark {
                    continue;
                }
                assert_eq!(s.key, SenseKey::BlankCheck, "{format:?}: {s:?}");
                break;
            }
        }
    }
    assert!(
        i >= durable,
        "{format:?}: {i} blocks read, {durable} were durable"
    );
    assert!(i <= acked);

    // Unload (the MAM may not fit any more), then the cartridge opens strictly.
    let _ = t.lu().unload();
    drop(t);
    libvtlcart::Cartridge::open(&home.join("E00001L8"), &Default::default())
        .unwrap_or_else(|e| panic!("{format:?}: strict open after ENOSPC: {e}"));
    std::fs::remove_file(filler).unwrap();
}

#[test]
fn legacy_disk_full() {
    run(Format::Legacy);
}

#[test]
fn v6_disk_full() {
    run(Format::V6);
}
