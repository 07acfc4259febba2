//! The library's log pages (SPC-5 7.3): 0x0D temperature and 0x2E TapeAlert, exact bytes,
//! and TapeAlert flags cleared by the LOG SENSE that returned them (as the drive does).

mod common;

use common::*;

/// LOG SENSE, PC 01b (current cumulative values), of `page`, `alloc` bytes.
fn log_sense(page: u8, alloc: u16) -> [u8; 10] {
    let a = alloc.to_be_bytes();
    [0x4d, 0, 0x40 | page, 0, 0, 0, 0, a[0], a[1], 0]
}

/// The whole TapeAlert page with flags `flags` (bit n−1 = flag n): header (DS set, page
/// 0x2E, length 320), then 64 parameters of 5 bytes (code n, control 03h binary list,
/// length 1, bit 0 the flag).
fn tape_alert_page(flags: u64) -> Vec<u8> {
    let mut p = vec![0xae, 0, 0x01, 0x40];
    for n in 1..=64u16 {
        let on = (flags >> (n - 1) & 1) as u8;
        p.extend_from_slice(&[0, n as u8, 0x03, 1, on]);
    }
    p
}

#[test]
fn temperature_page_exact_bytes() {
    let mut f = fixture("STK", "L700");
    let t = good(&mut f.lu, &log_sense(0x0d, 1024), 1024);
    assert_eq!(
        t,
        [
            0x8d, 0, 0, 12, // DS, page 0x0D, 12 bytes of parameters
            0, 0, 0x03, 2, 0, 35, // 0000h temperature: 35 °C
            0, 1, 0x03, 2, 0, 50, // 0001h reference temperature: 50 °C
        ]
    );
    // Page 0x00 lists it (and 0x2E).
    let l = good(&mut f.lu, &log_sense(0x00, 1024), 1024);
    assert_eq!(l, [0x80, 0, 0, 3, 0x00, 0x0d, 0x2e]);
}

#[test]
fn tape_alert_flags_are_cleared_when_read() {
    let mut f = fixture("STK", "L700");
    // vtlcmd 10 TapeAlert 0x8000000000001001: flags 1, 13 and 64.
    let flags = 0x8000_0000_0000_1001;
    f.lu.lu().set_tape_alert(flags);
    assert_eq!(
        good(&mut f.lu, &log_sense(0x2e, 1024), 1024),
        tape_alert_page(flags)
    );
    // Read whole: every flag cleared.
    assert_eq!(f.lu.lu().tape_alert(), 0);
    assert_eq!(
        good(&mut f.lu, &log_sense(0x2e, 1024), 1024),
        tape_alert_page(0)
    );
    // A read of the header and two parameters clears flags 1 and 2 only.
    f.lu.lu().set_tape_alert(flags);
    let head = good(&mut f.lu, &log_sense(0x2e, 4 + 2 * 5), 1024);
    assert_eq!(head, tape_alert_page(flags)[..14]);
    assert_eq!(f.lu.lu().tape_alert(), 0x8000_0000_0000_1000);
    // A length probe (header only) clears nothing.
    good(&mut f.lu, &log_sense(0x2e, 4), 1024);
    assert_eq!(f.lu.lu().tape_alert(), 0x8000_0000_0000_1000);
    assert_eq!(
        good(&mut f.lu, &log_sense(0x2e, 1024), 1024),
        tape_alert_page(0x8000_0000_0000_1000)
    );
    assert_eq!(f.lu.lu().tape_alert(), 0);
}
