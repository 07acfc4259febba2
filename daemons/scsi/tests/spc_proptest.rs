//! Random CDBs and parameter lists through the toy logical unit: the SPC core never
//! panics and always answers with well-formed status and sense.

mod common;

use common::lu;
use proptest::prelude::*;
use vtl_scsi::{Sense, SenseKey, SenseKeySpecific, Status};

/// Op codes worth hitting often: every SPC command, the toy's own, a few unknown.
const OPS: [u8; 27] = [
    0x00, 0x03, 0x12, 0x15, 0x16, 0x17, 0x1a, 0x1c, 0x1d, 0x1e, 0x3b, 0x3c, 0x4c, 0x4d, 0x55, 0x56,
    0x57, 0x5a, 0x5e, 0x5f, 0xa0, 0xa3, 0x01, 0x10, 0x08, 0x7f, 0xff,
];

/// PERSISTENT RESERVE OUT parameter list with `key` and `sa_key` (low bytes).
fn prout_list(key: u8, sa_key: u8) -> Vec<u8> {
    let mut p = vec![0u8; 24];
    p[7] = key;
    p[15] = sa_key;
    p
}

/// Valid commands (CDB, data-out) that random mutations start from, so the fuzzing gets
/// past the first reserved-bit check of each command.
fn templates() -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut ctl = vec![0u8, 0, 0, 0, 0x0a, 0x0a, 0x06];
    ctl.extend_from_slice(&[0; 9]);
    let mut ctl10 = vec![0u8; 8];
    ctl10.extend_from_slice(&ctl[4..]);
    let mut dc = vec![0u8, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 2, 0, 0x0f, 0x0e, 0x40];
    dc.extend_from_slice(&[0; 13]);
    let none = Vec::new;
    vec![
        (vec![0x00, 0, 0, 0, 0, 0], none()),
        (vec![0x03, 0, 0, 0, 18, 0], none()),
        (vec![0x03, 1, 0, 0, 252, 0], none()),
        (vec![0x12, 0, 0, 0, 96, 0], none()),
        (vec![0x12, 1, 0x83, 0, 255, 0], none()),
        (vec![0x12, 1, 0x00, 0, 4, 0], none()),
        (vec![0x1a, 0, 0x3f, 0xff, 255, 0], none()),
        (vec![0x5a, 0x18, 0x0a, 0x01, 0, 0, 0, 1, 0, 0], none()),
        (vec![0x15, 0x11, 0, 0, ctl.len() as u8, 0], ctl.clone()),
        (vec![0x15, 0x10, 0, 0, dc.len() as u8, 0], dc),
        (
            vec![0x55, 0x10, 0, 0, 0, 0, 0, 0, ctl10.len() as u8, 0],
            ctl10,
        ),
        (vec![0x4d, 0, 0x40, 0xff, 0, 0, 0, 1, 0, 0], none()),
        (vec![0x4d, 0, 0x4c, 0, 0, 0, 1, 0, 64, 0], none()),
        (vec![0x4c, 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0], none()),
        (
            vec![0x4c, 0, 0x40, 0, 0, 0, 0, 0, 12, 0],
            vec![0x0c, 0, 0, 8, 0, 1, 0x02, 4, 0, 0, 0, 9],
        ),
        (vec![0x16, 0, 0, 0, 0, 0], none()),
        (vec![0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0], none()),
        (vec![0x5e, 0, 0, 0, 0, 0, 0, 0, 64, 0], none()),
        (vec![0x5e, 1, 0, 0, 0, 0, 0, 0, 64, 0], none()),
        (vec![0x5e, 2, 0, 0, 0, 0, 0, 0, 8, 0], none()),
        (vec![0x5f, 0, 0, 0, 0, 0, 0, 0, 24, 0], prout_list(0, 1)),
        (vec![0x5f, 6, 0, 0, 0, 0, 0, 0, 24, 0], prout_list(0, 2)),
        (vec![0x5f, 1, 1, 0, 0, 0, 0, 0, 24, 0], prout_list(1, 0)),
        (vec![0x5f, 1, 7, 0, 0, 0, 0, 0, 24, 0], prout_list(2, 0)),
        (vec![0x5f, 4, 3, 0, 0, 0, 0, 0, 24, 0], prout_list(2, 1)),
        (vec![0x5f, 2, 1, 0, 0, 0, 0, 0, 24, 0], prout_list(1, 0)),
        (vec![0x5f, 3, 0, 0, 0, 0, 0, 0, 24, 0], prout_list(1, 0)),
        (vec![0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], none()),
        (vec![0xa3, 0x0c, 0x80, 0, 0, 0, 0, 0, 0x10, 0, 0, 0], none()),
        (vec![0xa3, 0x0c, 0x83, 0x5f, 0, 1, 0, 0, 1, 0, 0, 0], none()),
        (vec![0xa3, 0x0f, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0], none()),
        (vec![0x3b, 0x0a, 0, 0, 0, 0, 0, 0, 8, 0], vec![1; 8]),
        (vec![0x3b, 0x02, 0, 0, 0, 0x10, 0, 0, 8, 0], vec![2; 8]),
        (vec![0x3c, 0x0a, 0, 0, 0, 0, 0, 0x10, 0, 0], none()),
        (vec![0x3c, 0x02, 0, 0, 0, 0x08, 0, 0, 0x20, 0], none()),
        (vec![0x1d, 0x04, 0, 0, 0, 0], none()),
        (vec![0x1d, 0x10, 0, 0, 4, 0], vec![0; 4]),
        (vec![0x1c, 1, 0, 0, 8, 0], none()),
        (vec![0x1e, 0, 0, 0, 1, 0], none()),
        (vec![0x01, 0, 0, 0, 0, 0], none()),
        (vec![0x10, 0, 0, 0, 1, 0], none()),
    ]
}

/// Random byte positions and values to overwrite.
fn edits() -> impl Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec(
        (
            0usize..32,
            prop_oneof![Just(0u8), Just(1u8), Just(0xffu8), 0u8..32, any::<u8>()],
        ),
        0..3,
    )
}

fn apply(v: &mut [u8], edits: &[(usize, u8)]) {
    if v.is_empty() {
        return;
    }
    let n = v.len();
    for &(i, b) in edits {
        v[i % n] = b;
    }
}

/// A template with a few bytes changed and maybe cut short.
fn mutated() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    (
        prop::sample::select(templates()),
        edits(),
        edits(),
        prop::option::weighted(0.1, 0usize..16),
        prop::option::weighted(0.1, 0usize..64),
    )
        .prop_map(|((mut cdb, mut data), ce, de, cut, dcut)| {
            apply(&mut cdb, &ce);
            apply(&mut data, &de);
            if let Some(c) = cut {
                cdb.truncate(c);
            }
            if let Some(c) = dcut {
                data.truncate(c);
            }
            (cdb, data)
        })
}

/// Arbitrary bytes behind a likely op code.
fn random() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
    (
        prop_oneof![prop::sample::select(OPS.to_vec()), any::<u8>()],
        prop::collection::vec(
            prop_oneof![Just(0u8), Just(1u8), Just(0xffu8), any::<u8>()],
            0..32,
        ),
        prop::collection::vec(any::<u8>(), 0..64),
        any::<bool>(),
    )
        .prop_map(|(op, mut cdb, data, empty)| {
            if !empty || !cdb.is_empty() {
                cdb.insert(0, op);
            }
            (cdb, data)
        })
}

fn command() -> impl Strategy<Value = (u64, Vec<u8>, Vec<u8>)> {
    (1u64..4, prop_oneof![3 => mutated(), 1 => random()])
        .prop_map(|(nexus, (cdb, data))| (nexus, cdb, data))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_and_sense_is_well_formed(cmds in prop::collection::vec(command(), 1..24)) {
        let mut lu = lu();
        for (nexus, cdb, data) in cmds {
            let c = lu.command(nexus, &cdb, &data, 1 << 17);
            prop_assert!(
                matches!(c.status, Status::Good | Status::CheckCondition | Status::ReservationConflict),
                "status {:?}", c.status
            );
            match c.status {
                Status::CheckCondition => {
                    let s: Sense = Sense::parse(&c.sense).expect("parseable sense");
                    prop_assert!(SenseKey::from_u8(s.key as u8).is_some());
                    if s.key == SenseKey::IllegalRequest {
                        match s.specific {
                            Some(SenseKeySpecific::Field { in_cdb: true, byte, bit }) => {
                                prop_assert!(usize::from(byte) < cdb.len().max(1),
                                    "pointer {} outside CDB {:02x?} ({:?})", byte, cdb, s);
                                prop_assert!(bit.is_none_or(|b| b < 8));
                            }
                            Some(SenseKeySpecific::Field { in_cdb: false, byte, .. }) => {
                                prop_assert!(usize::from(byte) < data.len(),
                                    "pointer {} outside parameter list of {} for {:02x?}",
                                    byte, data.len(), cdb);
                            }
                            other => prop_assert!(false, "no field pointer: {:?} for {:02x?}", other, cdb),
                        }
                    }
                }
                _ => prop_assert!(c.sense.is_empty()),
            }
        }
    }
}
