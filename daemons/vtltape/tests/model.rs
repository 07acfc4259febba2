//! Property test: random sequences of WRITE, WRITE FILEMARKS, SPACE, LOCATE, REWIND and READ
//! sent as CDBs to a drive, checked against a list-of-objects model of the tape (position,
//! data returned, sense key / ASC / stream bits / INFORMATION) — on a one-partition
//! cartridge, and on a two-partition one with LOCATE(16) changing partition (CP).

mod common;

use common::*;
use proptest::prelude::*;
use vtl_scsi::{Asc, Sense, SenseKey};

#[derive(Debug, Clone)]
enum Op {
    Write(usize),
    WriteFm(u32),
    SpaceBlocks(i32),
    SpaceFm(i32),
    SpaceEod,
    Locate(u32),
    Rewind,
    Read(u32),
    /// LOCATE(16) with CP to (partition, block).
    LocateCp(u8, u32),
}

fn op_two_partitions() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => op(),
        2 => (0u8..2, 0u32..12).prop_map(|(p, b)| Op::LocateCp(p, b)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1usize..300).prop_map(Op::Write),
        2 => (0u32..3).prop_map(Op::WriteFm),
        2 => (-5i32..6).prop_map(Op::SpaceBlocks),
        2 => (-3i32..4).prop_map(Op::SpaceFm),
        1 => Just(Op::SpaceEod),
        2 => (0u32..12).prop_map(Op::Locate),
        1 => Just(Op::Rewind),
        4 => (0u32..300).prop_map(Op::Read),
    ]
}

#[derive(Debug, Clone, PartialEq)]
enum Obj {
    Block(Vec<u8>),
    Fm,
}

#[derive(Default)]
struct Model {
    /// The current partition's objects.
    objs: Vec<Obj>,
    pos: usize,
    /// The current partition and the other partition's objects.
    cur: u32,
    other: Vec<Obj>,
}

fn fm(info: i64) -> Option<Sense> {
    Some(sense(
        SenseKey::NoSense,
        Asc::FILEMARK_DETECTED,
        true,
        false,
        false,
        Some(info),
    ))
}
fn eod(info: Option<i64>) -> Option<Sense> {
    Some(sense(
        SenseKey::BlankCheck,
        Asc::END_OF_DATA_DETECTED,
        false,
        false,
        false,
        info,
    ))
}
fn bop(info: i64) -> Option<Sense> {
    Some(sense(
        SenseKey::NoSense,
        Asc::BEGINNING_OF_PARTITION_MEDIUM_DETECTED,
        false,
        true,
        false,
        Some(info),
    ))
}

impl Model {
    /// Apply `op`; returns the expected sense (None = GOOD) and data-in.
    fn apply(&mut self, op: &Op, seq: u32) -> (Option<Sense>, Vec<u8>) {
        match *op {
            Op::Write(n) => {
                self.objs.truncate(self.pos);
                self.objs.push(Obj::Block(pattern(seq, n)));
                self.pos += 1;
                (None, vec![])
            }
            Op::WriteFm(n) => {
                if n > 0 {
                    self.objs.truncate(self.pos);
                    for _ in 0..n {
                        self.objs.push(Obj::Fm);
                    }
                    self.pos += n as usize;
                }
                (None, vec![])
            }
            Op::SpaceBlocks(c) => {
                let want = c.unsigned_abs() as i64;
                for k in 0..want {
                    if c > 0 {
                        if self.pos == self.objs.len() {
                            return (eod(Some(want - k)), vec![]);
                        }
                        self.pos += 1;
                        if self.objs[self.pos - 1] == Obj::Fm {
                            return (fm(want - k), vec![]);
                        }
                    } else {
                        if self.pos == 0 {
                            return (bop(want - k), vec![]);
                        }
                        if self.objs[self.pos - 1] == Obj::Fm {
                            self.pos -= 1;
                            return (fm(want - k), vec![]);
                        }
                        self.pos -= 1;
                    }
                }
                (None, vec![])
            }
            Op::SpaceFm(c) => {
                let want = c.unsigned_abs() as i64;
                for k in 0..want {
                    if c > 0 {
                        match (self.pos..self.objs.len()).find(|&i| self.objs[i] == Obj::Fm) {
                            Some(i) => self.pos = i + 1,
                            None => {
                                self.pos = self.objs.len();
                                return (eod(Some(want - k)), vec![]);
                            }
                        }
                    } else {
                        match (0..self.pos).rev().find(|&i| self.objs[i] == Obj::Fm) {
                            Some(i) => self.pos = i,
                            None => {
                                self.pos = 0;
                                return (bop(want - k), vec![]);
                            }
                        }
                    }
                }
                (None, vec![])
            }
            Op::SpaceEod => {
                self.pos = self.objs.len();
                (None, vec![])
            }
            Op::LocateCp(p, b) => {
                if u32::from(p) != self.cur {
                    std::mem::swap(&mut self.objs, &mut self.other);
                    self.cur = u32::from(p);
                }
                self.apply(&Op::Locate(b), seq)
            }
            Op::Locate(b) => {
                if b as usize > self.objs.len() {
                    self.pos = self.objs.len();
                    (eod(None), vec![])
                } else {
                    self.pos = b as usize;
                    (None, vec![])
                }
            }
            Op::Rewind => {
                self.pos = 0;
                (None, vec![])
            }
            Op::Read(l) => {
                if l == 0 {
                    return (None, vec![]);
                }
                let Some(o) = self.objs.get(self.pos).cloned() else {
                    return (eod(Some(i64::from(l))), vec![]);
                };
                self.pos += 1;
                match o {
                    Obj::Fm => (fm(i64::from(l)), vec![]),
                    Obj::Block(b) => {
                        let n = b.len();
                        let data = b[..n.min(l as usize)].to_vec();
                        if n == l as usize {
                            (None, data)
                        } else {
                            let s = sense(
                                SenseKey::NoSense,
                                Asc::NO_ADDITIONAL_SENSE,
                                false,
                                false,
                                true,
                                Some(i64::from(l) - n as i64),
                            );
                            (Some(s), data)
                        }
                    }
                }
            }
        }
    }
}

fn cdb_of(op: &Op, seq: u32) -> (Vec<u8>, Vec<u8>) {
    match *op {
        Op::Write(n) => (cdb6(0x0a, 0, n as u32).to_vec(), pattern(seq, n)),
        Op::WriteFm(n) => (wfm(n).to_vec(), vec![]),
        Op::SpaceBlocks(c) => (space(0, c).to_vec(), vec![]),
        Op::SpaceFm(c) => (space(1, c).to_vec(), vec![]),
        Op::SpaceEod => (space(3, 0).to_vec(), vec![]),
        Op::Locate(b) => (locate(b).to_vec(), vec![]),
        Op::Rewind => (REWIND.to_vec(), vec![]),
        Op::Read(l) => (read_var(l).to_vec(), vec![]),
        Op::LocateCp(p, b) => {
            let mut c = vec![0x92, 0x02, 0, p];
            c.extend_from_slice(&u64::from(b).to_be_bytes());
            c.extend_from_slice(&[0, 0, 0, 0]);
            (c, vec![])
        }
    }
}

/// A drive loaded with a 64 MiB cartridge formatted into two 32 MiB partitions.
fn loaded_two_partitions() -> (tempfile::TempDir, vtltape::Drive) {
    let home = tempfile::tempdir().unwrap();
    let dir = cart(
        home.path(),
        "E00002L8",
        libvtlcart::MediumType::Data,
        "LTO8",
        64 << 20,
    );
    let mut c = libvtlcart::Cartridge::open(
        &dir,
        &libvtlcart::OpenOptionsCart {
            write: true,
            ..Default::default()
        },
    )
    .unwrap();
    c.format_partitions(&[32 << 20, 32 << 20]).unwrap();
    c.unload().unwrap();
    let mut d = lto8_drive(home.path());
    d.load_barcode("E00002L8").unwrap();
    (home, d)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn positioning_matches_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let (_h, mut d) = loaded();
        let mut m = Model::default();
        for (i, op) in ops.iter().enumerate() {
            let seq = i as u32;
            let (cdb, out) = cdb_of(op, seq);
            let (r, data) = run(&mut d, &cdb, &out);
            let (want_sense, want_data) = m.apply(op, seq);
            prop_assert_eq!(r.err().and_then(|e| e.sense()), want_sense, "op {} {:?}", i, op);
            prop_assert_eq!(data, want_data, "op {} {:?}", i, op);
            let (flags, part, first, last) = position(&mut d);
            prop_assert_eq!((part, first, last), (0, m.pos as u32, m.pos as u32), "op {} {:?}", i, op);
            prop_assert_eq!(flags & 0x80 != 0, m.pos == 0);
        }
    }

    /// The same across two partitions: each keeps its own objects, EOD and BOP; LOCATE(16)
    /// with CP moves between them; READ POSITION reports the partition.
    #[test]
    fn positioning_across_partitions_matches_the_model(ops in proptest::collection::vec(op_two_partitions(), 1..60)) {
        let (_h, mut d) = loaded_two_partitions();
        let mut m = Model::default();
        for (i, op) in ops.iter().enumerate() {
            let seq = i as u32;
            let (cdb, out) = cdb_of(op, seq);
            let (r, data) = run(&mut d, &cdb, &out);
            let (want_sense, want_data) = m.apply(op, seq);
            prop_assert_eq!(r.err().and_then(|e| e.sense()), want_sense, "op {} {:?}", i, op);
            prop_assert_eq!(data, want_data, "op {} {:?}", i, op);
            let (flags, part, first, last) = position(&mut d);
            prop_assert_eq!(
                (u32::from(part), first, last),
                (m.cur, m.pos as u32, m.pos as u32),
                "op {} {:?}", i, op
            );
            prop_assert_eq!(flags & 0x80 != 0, m.pos == 0);
        }
        let cart = d.cartridge().unwrap();
        let mine = if m.cur == 0 { [&m.objs, &m.other] } else { [&m.other, &m.objs] };
        for (p, objs) in mine.iter().enumerate() {
            prop_assert_eq!(cart.partition(p as u32).unwrap().eod() as usize, objs.len());
        }
    }
}
