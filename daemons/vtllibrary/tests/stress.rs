//! Many initiators moving cartridges at once through one library behind a mutex (how the
//! transport serializes a logical unit's commands): no cartridge is ever lost or
//! duplicated.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use vtl_scsi::InProcess;

#[test]
fn eight_threads_of_moves_lose_and_duplicate_nothing() {
    let home = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..12).map(|i| format!("S{i:05}L8")).collect();
    let mut slots: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
    slots.extend([None; 8]);
    let lib = build(home.path(), "STK", "L700", &slots, &[]);
    let lu = Arc::new(Mutex::new(InProcess::new(lib)));
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let lu = lu.clone();
            std::thread::spawn(move || {
                let mut x = t * 7919 + 1;
                let mut ok = 0;
                for _ in 0..60 {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let s = 1000 + (x >> 33) as u16 % 20;
                    let d = 1000 + (x >> 45) as u16 % 20;
                    let c = lu
                        .lock()
                        .unwrap()
                        .command(t + 1, &move_medium(0, s, d), &[], 0);
                    match c.key_asc() {
                        None => ok += 1,
                        Some((6, 0x29, 0)) | Some((5, 0x3b, 0x0e)) | Some((5, 0x3b, 0x0d)) => {}
                        other => panic!("unexpected {other:?}"),
                    }
                }
                ok
            })
        })
        .collect();
    let moved: u32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert!(moved > 0);
    let mut lu = lu.lock().unwrap();
    let mut held: Vec<String> = positions(&mut lu).into_iter().map(|(_, b)| b).collect();
    held.sort();
    assert_eq!(held, names);
    // READ ELEMENT STATUS agrees with the inventory: 12 full slots.
    let d = good(&mut lu, &res(2, true, 0, 100, false, 65535), 65535);
    let full = d[16..].chunks(48).filter(|e| e[2] & 1 != 0).count();
    assert_eq!(full, 12);
}
