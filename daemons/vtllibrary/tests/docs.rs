//! docs/SCSI.md lists exactly the operation codes (and service actions) the library reports
//! through REPORT SUPPORTED OPERATION CODES.

mod common;

use std::collections::BTreeSet;

use common::*;

/// (op, service action) pairs of the "vtllibrary (SMC changer): implemented" table.
fn documented() -> BTreeSet<(u8, Option<u16>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/SCSI.md");
    let text = std::fs::read_to_string(path).expect("read docs/SCSI.md");
    let section = text
        .split("## vtllibrary (SMC changer): implemented")
        .nth(1)
        .expect("implemented section")
        .split("\n## ")
        .next()
        .unwrap();
    let hex = |s: &str| u16::from_str_radix(s.trim().trim_start_matches("0x"), 16).unwrap();
    let mut out = BTreeSet::new();
    for line in section.lines().filter(|l| l.starts_with("| 0x")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let op = hex(cells[1]) as u8;
        let sa = cells[2];
        if sa.is_empty() {
            out.insert((op, None));
        } else {
            for s in sa.split(',') {
                out.insert((op, Some(hex(s))));
            }
        }
    }
    out
}

#[test]
fn scsi_md_lists_what_the_library_reports() {
    let f = fixture("STK", "L700");
    let mut lu = f.lu;
    // REPORT SUPPORTED OPERATION CODES, all commands: 4-byte length, then 8-byte
    // descriptors (op, reserved, service action, reserved, SERVACTV in byte 5 bit 0).
    let d = good(
        &mut lu,
        &[0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0],
        0x1000,
    );
    let n = u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as usize;
    assert_eq!(d.len(), 4 + n);
    let reported: BTreeSet<(u8, Option<u16>)> = d[4..]
        .chunks(8)
        .map(|c| {
            let sa = (c[5] & 1 != 0).then(|| u16::from_be_bytes([c[2], c[3]]));
            (c[0], sa)
        })
        .collect();
    let documented = documented();
    let undocumented: Vec<_> = reported.difference(&documented).collect();
    let unimplemented: Vec<_> = documented.difference(&reported).collect();
    assert!(
        undocumented.is_empty() && unimplemented.is_empty(),
        "implemented but not in docs/SCSI.md: {undocumented:02x?}; documented but not implemented: {unimplemented:02x?}"
    );
}
