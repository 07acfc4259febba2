//! Partitions: the medium partition mode page 0x11 (SSC-5 8.3.4) and the arithmetic that
//! turns its size descriptors into partition capacities.
//!
//! MODE SELECT of page 0x11 records a [`PartitionRequest`] (the drive partitions on FORMAT
//! MEDIUM: POFM is 1 and not changeable, SSC-5 8.3.4); FORMAT MEDIUM ([`crate::format`])
//! turns it into capacities with [`plan`] and lays the cartridge out with
//! [`libvtlcart::Cartridge::format_partitions`]. MODE SENSE reports the pending request
//! until FORMAT MEDIUM consumes it or another cartridge is loaded, else the loaded
//! cartridge's partitions ([`page_values`]).
//!
//! # Size rules (our own, documented in docs/SCSI.md)
//!
//! * A size descriptor counts units of [`unit_bytes`] (PSUM 00b bytes, 01b 10^3, 10b 10^6,
//!   11b 10^PARTITION UNITS bytes); FFFFh means "the rest of the medium" (at most one).
//! * A fixed size is rounded up to a whole MiB and to at least [`MIN_PARTITION_BYTES`] (a
//!   size of 1 byte, as LTFS asks for its index partition, becomes the minimum).
//! * Without a rest partition the fixed sizes must fit in the medium; if they do not they
//!   are scaled down together, in proportion, to fit. With a rest partition they must leave
//!   it at least [`MIN_PARTITION_BYTES`]; if they do not they are scaled down to half the
//!   medium (spec 1.15). Scaled sizes are whole MiB, at least the minimum; when even the
//!   minimums do not fit the request is refused.
//! * SDP (select data partitions): the medium is divided into equal partitions (whole MiB).
//!   FDP (fixed data partitions): the device's fixed format, one partition.

use vtl_scsi::mode::{ModePage, ModePages, ModeSelect};
use vtl_scsi::{Asc, ScsiError};

use crate::drive::{Drive, Slot};

/// One mebibyte: partition capacities are whole MiB (except a rest partition).
pub const MIB: u64 = 1 << 20;

/// Smallest partition (bytes): room for LTFS's labels and several indexes before the
/// partition's early warning (at least 2 MiB before its end).
pub const MIN_PARTITION_BYTES: u64 = 8 * MIB;

/// Byte 4 of page 0x11: FDP (fixed data partitions).
pub const FDP: u8 = 0x80;
/// Byte 4: SDP (select data partitions).
pub const SDP: u8 = 0x40;
/// Byte 4: IDP (initiator defined partitions).
pub const IDP: u8 = 0x20;
/// Byte 4: PSUM field mask (bits 4..3).
pub const PSUM: u8 = 0x18;
/// Byte 4: POFM (partition on format): always 1 here.
pub const POFM: u8 = 0x04;
/// Byte 5 MEDIUM FORMAT RECOGNITION: format and partition recognition (03h).
pub const MEDIUM_FORMAT_RECOGNITION: u8 = 0x03;
/// A size descriptor of FFFFh: the rest of the medium.
pub const REST: u16 = 0xffff;

/// A requested partition size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeRequest {
    /// This many bytes (before rounding).
    Bytes(u64),
    /// Whatever the fixed partitions leave (size descriptor FFFFh).
    Rest,
}

/// What MODE SELECT of page 0x11 asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionRequest {
    /// FDP, or no partitioning bit and no additional partition: one partition.
    Single,
    /// SDP: this many equal partitions (1..=4).
    Equal(usize),
    /// IDP: one size per partition (1..=4 entries).
    Sizes(Vec<SizeRequest>),
}

/// A pending request and the cartridge it was made for (it lapses when another one is
/// loaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// The cartridge directory loaded at MODE SELECT time.
    pub dir: std::path::PathBuf,
    /// What was asked.
    pub request: PartitionRequest,
    /// The page as selected (whole page, header included), reported by MODE SENSE.
    pub page: Vec<u8>,
}

/// Why a request cannot be laid out on a medium.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanError {
    /// More than one descriptor says "the rest"; the index of the second.
    TwoRest(usize),
    /// A descriptor of size 0 for a partition being defined; its index.
    ZeroSize(usize),
    /// The medium cannot hold this many partitions of the minimum size.
    MediumTooSmall,
    /// No partitions requested.
    Empty,
}

/// Bytes per unit of a size descriptor: PSUM 00b 1, 01b 10^3, 10b 10^6, 11b
/// 10^`units` (PARTITION UNITS, 0..=15).
pub fn unit_bytes(psum: u8, units: u8) -> u128 {
    match psum & 3 {
        0 => 1,
        1 => 1_000,
        2 => 1_000_000,
        _ => 10u128.pow(u32::from(units & 0x0f)),
    }
}

/// The size a descriptor `d` asks for in units of `unit` bytes (saturating at u64::MAX).
pub fn descriptor_size(d: u16, unit: u128) -> SizeRequest {
    if d == REST {
        SizeRequest::Rest
    } else {
        SizeRequest::Bytes(u64::try_from(u128::from(d) * unit).unwrap_or(u64::MAX))
    }
}

/// A fixed size as laid out: rounded up to whole MiB, at least [`MIN_PARTITION_BYTES`].
pub fn round_fixed(bytes: u64) -> u64 {
    bytes
        .div_ceil(MIB)
        .saturating_mul(MIB)
        .max(MIN_PARTITION_BYTES)
}

/// Partition capacities (bytes, in partition order) for `sizes` on a medium of `native`
/// bytes, by the rules of the module documentation. The result has `sizes.len()`
/// entries, adds up to at most `native`, and every entry is at least
/// [`MIN_PARTITION_BYTES`].
pub fn plan(native: u64, sizes: &[SizeRequest]) -> Result<Vec<u64>, PlanError> {
    if sizes.is_empty() {
        return Err(PlanError::Empty);
    }
    let mut rest = None;
    for (i, s) in sizes.iter().enumerate() {
        match s {
            SizeRequest::Rest if rest.is_some() => return Err(PlanError::TwoRest(i)),
            SizeRequest::Rest => rest = Some(i),
            SizeRequest::Bytes(0) => return Err(PlanError::ZeroSize(i)),
            SizeRequest::Bytes(_) => {}
        }
    }
    let n = sizes.len() as u64;
    if n.saturating_mul(MIN_PARTITION_BYTES) > native {
        return Err(PlanError::MediumTooSmall);
    }
    let mut caps: Vec<u64> = sizes
        .iter()
        .map(|s| match s {
            SizeRequest::Bytes(b) => round_fixed(*b),
            SizeRequest::Rest => 0,
        })
        .collect();
    let fixed: u128 = caps.iter().map(|&c| u128::from(c)).sum();
    let room = match rest {
        Some(_) => native - MIN_PARTITION_BYTES,
        None => native,
    };
    if fixed > u128::from(room) {
        let k = caps.len() as u64 - u64::from(rest.is_some());
        let budget = match rest {
            Some(_) => (native / 2).max(k * MIN_PARTITION_BYTES),
            None => native,
        };
        scale(&mut caps, rest, budget)?;
    }
    if let Some(r) = rest {
        let used: u64 = caps.iter().sum();
        caps[r] = native - used;
    }
    Ok(caps)
}

/// Scale the fixed entries of `caps` (all but `rest`) so that they add up to at most
/// `budget`: in proportion to their requested sizes, down to whole MiB, none below the
/// minimum (entries that would fall below it get the minimum and the others share what is
/// left).
fn scale(caps: &mut [u64], rest: Option<usize>, budget: u64) -> Result<(), PlanError> {
    let want: Vec<u64> = caps.to_vec();
    let mut floored = vec![false; caps.len()];
    if let Some(r) = rest {
        floored[r] = true;
    }
    loop {
        let at_min = floored
            .iter()
            .enumerate()
            .filter(|&(i, &f)| f && Some(i) != rest)
            .count() as u64;
        let left = budget
            .checked_sub(at_min * MIN_PARTITION_BYTES)
            .ok_or(PlanError::MediumTooSmall)?;
        let sum: u128 = want
            .iter()
            .zip(&floored)
            .filter(|&(_, &f)| !f)
            .map(|(&w, _)| u128::from(w))
            .sum();
        let mut again = false;
        for i in 0..caps.len() {
            if Some(i) == rest {
                continue;
            }
            if floored[i] {
                caps[i] = MIN_PARTITION_BYTES;
                continue;
            }
            let share = (u128::from(want[i]) * u128::from(left) / sum.max(1)) as u64;
            let c = share / MIB * MIB;
            if c < MIN_PARTITION_BYTES {
                floored[i] = true;
                again = true;
            }
            caps[i] = c;
        }
        if !again {
            return Ok(());
        }
    }
}

/// Equal partitions: `n` partitions of the medium divided evenly, whole MiB each.
pub fn plan_equal(native: u64, n: usize) -> Result<Vec<u64>, PlanError> {
    if n == 0 {
        return Err(PlanError::Empty);
    }
    let each = native / n as u64 / MIB * MIB;
    if each < MIN_PARTITION_BYTES {
        return Err(PlanError::MediumTooSmall);
    }
    Ok(vec![each; n])
}

/// Capacities for `request` on a medium of `native` bytes.
pub fn plan_request(native: u64, request: &PartitionRequest) -> Result<Vec<u64>, PlanError> {
    match request {
        PartitionRequest::Single => Ok(vec![native]),
        PartitionRequest::Equal(n) => plan_equal(native, *n),
        PartitionRequest::Sizes(s) => plan(native, s),
    }
}

/// Length of page 0x11 for a drive of `max_partitions` (header included): 8 bytes then one
/// 2-byte size descriptor per partition the drive can make.
pub fn page_len(max_partitions: u8) -> usize {
    8 + 2 * usize::from(max_partitions.max(1))
}

/// The smallest PARTITION UNITS exponent at which every capacity is below FFFFh units.
pub fn units_for(caps: &[u64]) -> u8 {
    let big = caps.iter().copied().max().unwrap_or(0);
    (0u8..=15)
        .find(|&u| big / 10u64.pow(u32::from(u)) < u64::from(REST))
        .unwrap_or(15)
}

/// Current values of page 0x11 describing `caps` (the partitions of the loaded medium,
/// empty without one) for a drive of `max_partitions` whose medium can hold
/// `medium_max` (PAGE LENGTH from [`page_len`]):
///
/// * byte 2 MAXIMUM ADDITIONAL PARTITIONS = `medium_max` − 1; byte 3 ADDITIONAL
///   PARTITIONS DEFINED = partitions − 1;
/// * byte 4: IDP when the medium has several partitions, PSUM 11b, POFM 1; byte 5 MEDIUM
///   FORMAT RECOGNITION 03h; byte 6 PARTITION UNITS ([`units_for`]);
/// * bytes 8.. PARTITION SIZE of each partition in those units (rounded down, but at least
///   1: a partition smaller than one unit — an 8 MiB index partition beside an 18 TB data
///   partition, whose units are 10^9 bytes — is never reported as the size 0 that MODE
///   SELECT refuses), 0 for the others.
pub fn page_values(max_partitions: u8, medium_max: u8, caps: &[u64]) -> Vec<u8> {
    let mut d = vec![0u8; page_len(max_partitions)];
    d[0] = 0x11;
    d[1] = (d.len() - 2) as u8;
    d[2] = medium_max.max(1) - 1;
    d[3] = (caps.len().max(1) - 1) as u8;
    d[4] = PSUM | POFM | if caps.len() > 1 { IDP } else { 0 };
    d[5] = MEDIUM_FORMAT_RECOGNITION;
    let u = units_for(caps);
    d[6] = u;
    let unit = 10u64.pow(u32::from(u));
    for (i, c) in caps
        .iter()
        .enumerate()
        .take(usize::from(max_partitions.max(1)))
    {
        let v = (c / unit).clamp(1, u64::from(REST - 1)) as u16;
        d[8 + 2 * i..10 + 2 * i].copy_from_slice(&v.to_be_bytes());
    }
    d
}

/// Page 0x11 for the page table: current values as [`page_values`] gives them, changeable
/// ADDITIONAL PARTITIONS DEFINED, FDP/SDP/IDP and PSUM, PARTITION UNITS and every size
/// descriptor (nothing else: POFM stays 1, CLEAR and ADDP are not supported).
pub fn medium_partition_page(max_partitions: u8, medium_max: u8, caps: &[u64]) -> ModePage {
    let d = page_values(max_partitions, medium_max, caps);
    let mut m = vec![0u8; d.len()];
    if max_partitions > 1 {
        m[3] = 0xff;
    }
    m[4] = FDP | SDP | IDP | PSUM;
    m[6] = 0x0f;
    m[8..].fill(0xff);
    ModePage::new(0x11, 0, &d, &m)
}

/// Parse page 0x11 as sent by MODE SELECT (`page`: the whole page, at offset `at` in the
/// parameter list) for a medium that can hold `medium_max` partitions.
///
/// Errors (INVALID FIELD IN PARAMETER LIST with the field pointer): ADDITIONAL PARTITIONS
/// DEFINED above what the medium holds (byte 3); more than one of FDP, SDP, IDP (byte 4,
/// the lower bit); additional partitions with none of them (byte 3); with IDP a size of 0
/// or a second FFFFh among the partitions defined (that descriptor's first byte).
pub fn parse_page(page: &[u8], at: u16, medium_max: u8) -> Result<PartitionRequest, ScsiError> {
    let b = |i: usize| page.get(i).copied().unwrap_or(0);
    let count = usize::from(b(3)) + 1;
    if count > usize::from(medium_max.max(1)) {
        return Err(ScsiError::param(
            at + 3,
            None,
            "more additional partitions than the medium holds",
        ));
    }
    let flags = b(4) & (FDP | SDP | IDP);
    if flags.count_ones() > 1 {
        let low = flags.trailing_zeros() as u8;
        return Err(ScsiError::param(
            at + 4,
            Some(low),
            "only one of FDP, SDP and IDP may be set",
        ));
    }
    match flags {
        FDP => Ok(PartitionRequest::Single),
        SDP => Ok(PartitionRequest::Equal(count)),
        IDP => {
            let unit = unit_bytes((b(4) & PSUM) >> 3, b(6) & 0x0f);
            let mut sizes = Vec::with_capacity(count);
            let mut seen_rest = false;
            for i in 0..count {
                let off = 8 + 2 * i;
                let d = u16::from_be_bytes([b(off), b(off + 1)]);
                let s = descriptor_size(d, unit);
                match s {
                    SizeRequest::Bytes(0) => {
                        return Err(ScsiError::param(at + off as u16, None, "partition size 0"));
                    }
                    SizeRequest::Rest if seen_rest => {
                        return Err(ScsiError::param(
                            at + off as u16,
                            None,
                            "only one partition may take the rest of the medium",
                        ));
                    }
                    SizeRequest::Rest => seen_rest = true,
                    SizeRequest::Bytes(_) => {}
                }
                sizes.push(s);
            }
            Ok(PartitionRequest::Sizes(sizes))
        }
        _ if count > 1 => Err(ScsiError::param(
            at + 3,
            None,
            "additional partitions need FDP, SDP or IDP",
        )),
        _ => Ok(PartitionRequest::Single),
    }
}

impl Drive {
    /// How many partitions the loaded medium can hold on this drive: the personality's
    /// maximum, the cartridge's own (MAM max_partitions, when set) and its layout's (1 for
    /// legacy tapes), whichever is least; the personality's maximum without a cartridge.
    pub fn medium_max_partitions(&self) -> u8 {
        let pers = self.personality().max_partitions.max(1);
        match &self.slot {
            Slot::Loaded(l) => {
                let mam = l.cart.mam().base.max_partitions;
                let layout = l.cart.layout().max_partitions();
                let mut m = pers.min(u8::try_from(layout).unwrap_or(u8::MAX));
                if mam > 0 {
                    m = m.min(mam);
                }
                m.max(1)
            }
            _ => pers,
        }
    }

    /// Capacities (bytes) of the loaded medium's partitions; empty without a cartridge.
    pub fn partition_capacities(&self) -> Vec<u64> {
        match &self.slot {
            Slot::Loaded(l) => (0..l.cart.partition_count())
                .map(|p| l.cart.capacity(p))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The partition request MODE SELECT left for the loaded cartridge, if any.
    pub fn pending_partitions(&self) -> Option<&Pending> {
        match (&self.pending_partitions, &self.slot) {
            (Some(p), Slot::Loaded(l)) if p.dir == l.dir => Some(p),
            _ => None,
        }
    }
}

/// MODE SELECT: when the list carries page 0x11, parse and check it for the loaded
/// medium ([`parse_page`]; without a cartridge: NOT READY / MEDIUM NOT PRESENT) and
/// return the request to record. `Ok(None)` when page 0x11 was not sent.
pub fn from_mode_select(drive: &Drive, sel: &ModeSelect) -> Result<Option<Pending>, ScsiError> {
    let Some(&(_, _, at)) = sel.pages.iter().find(|&&(p, s, _)| (p, s) == (0x11, 0)) else {
        return Ok(None);
    };
    let Some(page) = sel.proposed.get(0x11, 0) else {
        return Ok(None);
    };
    let Slot::Loaded(l) = &drive.slot else {
        return Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT));
    };
    let request = parse_page(page.current(), at, drive.medium_max_partitions())?;
    let native = l.cart.mam().base.max_capacity.get();
    if let Err(e) = plan_request(native, &request) {
        let byte = match e {
            PlanError::TwoRest(i) | PlanError::ZeroSize(i) => 8 + 2 * i as u16,
            PlanError::MediumTooSmall | PlanError::Empty => 3,
        };
        return Err(ScsiError::param(
            at + byte,
            None,
            "the medium cannot hold these partitions",
        ));
    }
    Ok(Some(Pending {
        dir: l.dir.clone(),
        request,
        page: page.current().to_vec(),
    }))
}

/// Bring page 0x11's current values up to date before MODE SENSE/SELECT: the pending
/// request's page when MODE SELECT left one for the loaded cartridge, else the loaded
/// medium's partitions (MAXIMUM ADDITIONAL PARTITIONS from
/// [`Drive::medium_max_partitions`]).
pub fn sync_page(modes: &mut ModePages, drive: &Drive) {
    let Some(page) = modes.get_mut(0x11, 0) else {
        return;
    };
    let values = match drive.pending_partitions() {
        Some(p) => p.page.clone(),
        None => page_values(
            drive.personality().max_partitions,
            drive.medium_max_partitions(),
            &drive.partition_capacities(),
        ),
    };
    for (i, v) in values.iter().enumerate() {
        page.set(i, *v);
    }
}
