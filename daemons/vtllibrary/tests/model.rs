//! Property tests: random MOVE MEDIUM / EXCHANGE MEDIUM sequences against a model of where
//! every cartridge is, and random CDB bytes never panicking.

mod common;

use std::collections::BTreeMap;

use common::*;
use libvtlcart::{Format, MediumType};
use proptest::prelude::*;
use vtl_scsi::{InProcess, SenseKey, SenseKeySpecific, Status};

/// Picker 1, MAP 10, drive 500, slots 1000..1007; and 2, an address that is no element.
const ADDRS: [u16; 12] = [
    1, 10, 500, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 2,
];

#[derive(Debug, Clone)]
enum Op {
    Move(usize, usize),
    Exchange(usize, usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..ADDRS.len(), 0..ADDRS.len()).prop_map(|(a, b)| Op::Move(a, b)),
        1 => (0..ADDRS.len(), 0..ADDRS.len(), 0..ADDRS.len())
            .prop_map(|(a, b, c)| Op::Exchange(a, b, c)),
    ]
}

fn setup() -> (tempfile::TempDir, InProcess<vtllibrary::Library>) {
    let home = tempfile::tempdir().unwrap();
    let names = ["A00001L8", "A00002L8", "A00003L7", "A00004L8", "A00005L8"];
    for n in names {
        let density = if n.ends_with("L7") { "LTO7" } else { "LTO8" };
        cart(home.path(), n, Format::V6, MediumType::Data, density);
    }
    let slots = [
        Some("A00001L8"),
        None,
        Some("A00002L8"),
        Some("A00003L7"),
        None,
        Some("A00004L8"),
        None,
        Some("A00005L8"),
    ];
    let drives = vec![drive(home.path(), "D1")];
    let mut lu = InProcess::new(build(home.path(), "STK", "L700", &slots, &drives));
    lu.command(1, &TUR, &[], 0);
    (home, lu)
}

fn model_of(lu: &mut InProcess<vtllibrary::Library>) -> BTreeMap<u16, String> {
    positions(lu).into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn moves_and_exchanges_follow_the_model(ops in proptest::collection::vec(op(), 1..25)) {
        let (_home, mut lu) = setup();
        let mut model = model_of(&mut lu);
        for o in ops {
            let valid = |a: u16| a != 2;
            let (cdb, expect_ok) = match o {
                Op::Move(a, b) => {
                    let (s, d) = (ADDRS[a], ADDRS[b]);
                    let ok = valid(s) && valid(d) && model.contains_key(&s)
                        && (s == d || !model.contains_key(&d));
                    (move_medium(0, s, d), ok)
                }
                Op::Exchange(a, b, c) => {
                    let (s, d1, d2) = (ADDRS[a], ADDRS[b], ADDRS[c]);
                    let ok = valid(s) && valid(d1) && valid(d2) && s != d1 && d2 != d1
                        && model.contains_key(&s) && model.contains_key(&d1)
                        && (d2 == s || !model.contains_key(&d2));
                    (exchange(s, d1, d2), ok)
                }
            };
            let c = lu.command(1, &cdb, &[], 0);
            prop_assert_eq!(c.is_good(), expect_ok, "{:?} {:?}", o, c.key_asc());
            if expect_ok {
                match o {
                    Op::Move(a, b) => {
                        if let Some(m) = model.remove(&ADDRS[a]) {
                            model.insert(ADDRS[b], m);
                        }
                    }
                    Op::Exchange(a, b, c) => {
                        let m1 = model.remove(&ADDRS[a]).unwrap();
                        let m2 = model.remove(&ADDRS[b]).unwrap();
                        model.insert(ADDRS[b], m1);
                        model.insert(ADDRS[c], m2);
                    }
                }
            } else {
                prop_assert_eq!(c.key_asc().map(|k| k.0), Some(5));
            }
            prop_assert_eq!(&model_of(&mut lu), &model);
            let drive = model.get(&500).cloned();
            prop_assert_eq!(
                lu.lu().inventory().elements(vtllibrary::ElementType::DataTransfer)[0]
                    .barcode().map(str::to_string), drive);
        }
    }

    #[test]
    fn random_cdbs_never_panic(cdbs in proptest::collection::vec(
        (prop_oneof![
            Just(0x01u8), Just(0x07), Just(0x1b), Just(0x2b), Just(0xa5), Just(0xa6),
            Just(0xb8), Just(0xe7), Just(0x00), Just(0x12), Just(0x1a), Just(0x1e),
            Just(0x4d), Just(0x5a), any::<u8>()
        ], proptest::collection::vec(any::<u8>(), 0..16)), 1..20)) {
        let (_home, mut lu) = setup();
        for (opc, rest) in cdbs {
            let mut cdb = vec![opc];
            cdb.extend(rest);
            let c = lu.command(1, &cdb, &[], 4096);
            match c.status {
                Status::Good => {}
                Status::CheckCondition => {
                    let s = c.sense().expect("parseable sense");
                    if s.key == SenseKey::IllegalRequest
                        && !matches!(s.asc.0, 0x53 | 0x30 | 0x1a)
                    {
                        prop_assert!(
                            matches!(s.specific, Some(SenseKeySpecific::Field { .. })),
                            "{cdb:02x?}: {s:?}"
                        );
                    }
                }
                other => prop_assert!(false, "{cdb:02x?}: status {other:?}"),
            }
        }
        // Whatever happened, every cartridge is in exactly one element.
        let mut held: Vec<String> = positions(&mut lu).into_iter().map(|(_, b)| b).collect();
        held.sort();
        prop_assert_eq!(held, ["A00001L8", "A00002L8", "A00003L7", "A00004L8", "A00005L8"]);
    }
}
