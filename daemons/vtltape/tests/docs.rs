//! docs/SCSI.md lists exactly the operation codes (and service actions) the drive reports
//! through REPORT SUPPORTED OPERATION CODES.

use std::collections::BTreeSet;

use vtltape::{DriveConfig, TapeDrive};

/// (op, service action) pairs of the "vtltape (SSC drive): implemented" table.
fn documented() -> BTreeSet<(u8, Option<u16>)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/SCSI.md");
    let text = std::fs::read_to_string(path).expect("read docs/SCSI.md");
    let section = text
        .split("## vtltape (SSC drive): implemented")
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
        } else if let Some((a, b)) = sa.split_once("..") {
            for s in hex(a)..=hex(b) {
                out.insert((op, Some(s)));
            }
        } else {
            for s in sa.split(',') {
                out.insert((op, Some(hex(s))));
            }
        }
    }
    out
}

#[test]
fn scsi_md_lists_what_the_drive_reports() {
    let t = TapeDrive::new(DriveConfig {
        product: "ULT3580-TD8".into(),
        ..Default::default()
    });
    let reported: BTreeSet<(u8, Option<u16>)> = t
        .spc()
        .opcodes()
        .entries()
        .iter()
        .map(|o| (o.op, o.service_action))
        .collect();
    let documented = documented();
    let undocumented: Vec<_> = reported.difference(&documented).collect();
    let unimplemented: Vec<_> = documented.difference(&reported).collect();
    assert!(
        undocumented.is_empty() && unimplemented.is_empty(),
        "implemented but not in docs/SCSI.md: {undocumented:02x?}; documented but not implemented: {unimplemented:02x?}"
    );
}
