//! Property test: random CDBs for every operation code (random length, mostly the op code's
//! group length, random fields) and random data-out, mixed with valid tape commands so the
//! random ones meet a tape in varied states (data, filemarks, EOD, fixed mode, unloaded),
//! through `InProcess<TapeDrive>`:
//!
//! * nothing panics;
//! * status is GOOD, CHECK CONDITION or RESERVATION CONFLICT;
//! * CHECK CONDITION carries parseable fixed-format sense with a defined sense key;
//! * every ILLEGAL REQUEST about a field (INVALID FIELD IN CDB / PARAMETER LIST, PARAMETER
//!   LIST LENGTH ERROR, INVALID COMMAND OPERATION CODE) has SKSV with a field pointer inside
//!   the CDB (C/D=1) or inside the data-out (C/D=0); other ILLEGAL REQUEST conditions are
//!   ones that concern no field;
//! * an op code absent from REPORT SUPPORTED OPERATION CODES is INVALID COMMAND OPERATION
//!   CODE, and INVALID COMMAND OPERATION CODE is only reported for such op codes.

mod common;

use std::collections::BTreeSet;

use common::*;
use libvtlcart::MediumType;
use proptest::prelude::*;
use vtl_scsi::{Asc, InProcess, SenseKey, SenseKeySpecific, Status};
use vtltape::TapeDrive;

/// One step of a case.
#[derive(Debug, Clone)]
enum Step {
    /// A random CDB from nexus 1 (or 2), data-out, allocation length.
    Random {
        cdb: Vec<u8>,
        data_out: Vec<u8>,
        alloc: usize,
        other_nexus: bool,
    },
    /// WRITE(6) variable of n bytes.
    Write(u32),
    /// WRITE FILEMARKS(6).
    Wfm(u32),
    /// SPACE(6) code, count.
    Space(u8, i32),
    /// READ(6) variable.
    Read(u32),
    /// REWIND.
    Rewind,
}

/// CDB length of the op code's group (SPC-5 4.2.5.1); groups 3, 6, 7 get a random one.
fn group_len(op: u8) -> Option<usize> {
    match op >> 5 {
        0 => Some(6),
        1 | 2 => Some(10),
        4 => Some(16),
        5 => Some(12),
        _ => None,
    }
}

fn random_cdb() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u8>(),
        0usize..=16,
        prop::bool::weighted(0.8),
        prop::collection::vec(any::<u8>(), 16),
        prop::bool::weighted(0.5),
    )
        .prop_map(|(op, rlen, group, bytes, tame)| {
            let len = match group_len(op) {
                Some(l) if group => l,
                _ => rlen,
            };
            let mut cdb = bytes[..len].to_vec();
            if let Some(b) = cdb.first_mut() {
                *b = op;
            }
            if tame && len > 1 {
                // Keep most fields small so commands get past their first check: zero
                // the reserved-looking high bytes and the CONTROL byte.
                for (i, b) in cdb.iter_mut().enumerate().skip(1) {
                    if i + 1 == len || i % 3 == 0 {
                        *b = 0;
                    } else {
                        *b &= 0x1f;
                    }
                }
            }
            cdb
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (
            random_cdb(),
            prop::collection::vec(any::<u8>(), 0..48),
            0usize..600,
            prop::bool::weighted(0.1)
        )
            .prop_map(|(cdb, data_out, alloc, other_nexus)| Step::Random {
                cdb,
                data_out,
                alloc,
                other_nexus
            }),
        2 => (1u32..3000).prop_map(Step::Write),
        1 => (0u32..3).prop_map(Step::Wfm),
        1 => (0u8..4, -4i32..5).prop_map(|(c, n)| Step::Space(c, n)),
        1 => (0u32..4000).prop_map(Step::Read),
        1 => Just(Step::Rewind),
    ]
}

/// The op codes REPORT SUPPORTED OPERATION CODES lists (reporting options 000b).
fn supported(t: &mut InProcess<TapeDrive>) -> BTreeSet<u8> {
    let c = t.command(
        1,
        &[0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0],
        &[],
        0x4000,
    );
    assert!(c.is_good(), "{:?}", c.sense());
    let len = u32::from_be_bytes(c.data[..4].try_into().unwrap()) as usize;
    let mut ops = BTreeSet::new();
    let mut i = 4;
    while i + 8 <= 4 + len.min(c.data.len() - 4) {
        ops.insert(c.data[i]);
        let ctdp = c.data[i + 5] & 0x02 != 0;
        i += if ctdp { 20 } else { 8 };
    }
    ops
}

/// ILLEGAL REQUEST ASCs that concern no CDB or parameter field (no field pointer needed).
const NOT_ABOUT_A_FIELD: [Asc; 6] = [
    Asc::MEDIUM_REMOVAL_PREVENTED,
    vtltape::drive::POSITION_PAST_BEGINNING_OF_MEDIUM,
    vtltape::drive::ILLEGAL_COMMAND_NOT_IN_APPEND_ONLY_MODE,
    Asc::CANNOT_FORMAT_MEDIUM_INCOMPATIBLE_MEDIUM,
    Asc(0x39, 0x00), // SAVING PARAMETERS NOT SUPPORTED
    Asc::COMMAND_SEQUENCE_ERROR,
];

fn check_completion(
    c: &vtl_scsi::Completion,
    cdb: &[u8],
    data_out: &[u8],
    ops: &BTreeSet<u8>,
) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(
            c.status,
            Status::Good | Status::CheckCondition | Status::ReservationConflict
        ),
        "{cdb:02x?}: status {:?}",
        c.status
    );
    if c.status != Status::CheckCondition {
        prop_assert!(c.sense.is_empty());
        return Ok(());
    }
    let s = c.sense();
    prop_assert!(
        s.is_some(),
        "{cdb:02x?}: unparseable sense {:02x?}",
        c.sense
    );
    let s = s.unwrap();
    prop_assert!(matches!(c.sense[0] & 0x7f, 0x70 | 0x71), "fixed format");
    prop_assert!(c.sense[2] & 0x0f != 0x0f, "reserved sense key");
    let op = cdb.first().copied();
    if let Some(op) = op
        && !ops.contains(&op)
        && s.key != SenseKey::UnitAttention
        && cdb.len() >= group_len(op).unwrap_or(0)
    {
        prop_assert_eq!(
            (s.key, s.asc),
            (
                SenseKey::IllegalRequest,
                Asc::INVALID_COMMAND_OPERATION_CODE
            ),
            "{:02x?}: an op code the drive does not list",
            cdb
        );
    }
    if s.key != SenseKey::IllegalRequest {
        return Ok(());
    }
    if s.asc == Asc::INVALID_COMMAND_OPERATION_CODE {
        prop_assert!(
            op.is_none_or(|op| !ops.contains(&op)),
            "{cdb:02x?}: INVALID COMMAND OPERATION CODE for a listed op code"
        );
    }
    if NOT_ABOUT_A_FIELD.contains(&s.asc) {
        return Ok(());
    }
    match s.specific {
        Some(SenseKeySpecific::Field {
            in_cdb: true, byte, ..
        }) => prop_assert!(
            usize::from(byte) < cdb.len().max(1),
            "{cdb:02x?}: CDB field pointer {byte} outside the CDB ({:?})",
            s
        ),
        Some(SenseKeySpecific::Field {
            in_cdb: false,
            byte,
            ..
        }) => prop_assert!(
            usize::from(byte) < data_out.len(),
            "{cdb:02x?}: parameter field pointer {byte} outside the {} data-out bytes ({:?})",
            data_out.len(),
            s
        ),
        other => prop_assert!(
            false,
            "{cdb:02x?} / {} data-out bytes: ILLEGAL REQUEST {:?} without a field pointer ({other:?})",
            data_out.len(),
            s.asc
        ),
    }
    Ok(())
}

fn run_case(loaded: bool, steps: &[Step]) -> Result<(), TestCaseError> {
    let home = tempfile::tempdir().unwrap();
    cart(home.path(), "P00001L8", MediumType::Data, "LTO8", 4 << 20);
    let mut t = InProcess::new(lto8_lu(home.path(), NO_COMPRESSION));
    // Consume the power-on unit attentions of both nexuses.
    for n in [1, 2] {
        t.command(n, &[0; 6], &[], 0);
    }
    if loaded {
        t.lu().load_barcode("P00001L8").unwrap();
        for n in [1, 2] {
            t.command(n, &[0; 6], &[], 0);
        }
    }
    let ops = supported(&mut t);
    if std::env::var("CDB_DEBUG").is_ok() {
        eprintln!("supported: {ops:02x?}");
    }
    for s in steps {
        let (cdb, data_out, alloc, nexus) = match s {
            Step::Random {
                cdb,
                data_out,
                alloc,
                other_nexus,
            } => (
                cdb.clone(),
                data_out.clone(),
                *alloc,
                if *other_nexus { 2 } else { 1 },
            ),
            Step::Write(n) => (cdb6(0x0a, 0, *n).to_vec(), pattern(*n, *n as usize), 0, 1),
            Step::Wfm(n) => (wfm(*n).to_vec(), vec![], 0, 1),
            Step::Space(code, n) => (space(*code, *n).to_vec(), vec![], 0, 1),
            Step::Read(n) => (read_var(*n).to_vec(), vec![], *n as usize, 1),
            Step::Rewind => (REWIND.to_vec(), vec![], 0, 1),
        };
        let c = t.command(nexus, &cdb, &data_out, alloc);
        if std::env::var("CDB_DEBUG").is_ok() {
            eprintln!(
                "{cdb:02x?} {} -> {:?} {:?}",
                data_out.len(),
                c.status,
                c.key_asc()
            );
        }
        check_completion(&c, &cdb, &data_out, &ops)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_cdbs_are_answered_by_the_standard(
        loaded in prop::bool::weighted(0.85),
        steps in prop::collection::vec(step(), 1..60),
    ) {
        run_case(loaded, &steps)?;
    }
}

/// Every op code 0x00..=0xFF once at its group length with zeroed fields, on a loaded
/// drive and an empty one: the same rules, exhaustively.
#[test]
fn every_op_code_with_zero_fields() {
    for loaded in [true, false] {
        let steps: Vec<Step> = (0..=255u8)
            .map(|op| {
                let mut cdb = vec![0u8; group_len(op).unwrap_or(6)];
                cdb[0] = op;
                Step::Random {
                    cdb,
                    data_out: vec![],
                    alloc: 255,
                    other_nexus: false,
                }
            })
            .collect();
        run_case(loaded, &steps).unwrap();
    }
}
