//! The tape drive's log pages (SSC-5 8.2, SPC-5 7.3) with values from the drive's
//! [`Counters`](crate::counters::Counters), its TapeAlert flags and the loaded cartridge.
//! The SPC core builds the supported pages lists (0x00, 0x00/0xFF), headers, PARAMETER
//! POINTER and page control handling; this module supplies the parameters.
//!
//! | page | name | source |
//! |---|---|---|
//! | 0x02 | write error counter (SPC-5 7.3) | since power on / reset |
//! | 0x03 | read error counter (SPC-5 7.3) | since power on / reset |
//! | 0x0C | sequential-access device (SSC-5 8.2) | since power on / reset; capacities of the current partition |
//! | 0x0D | temperature (SPC-5 7.3) | not measured: FFh |
//! | 0x10 | self-test results (SPC-5 7.3), [`crate::self_test`] | the last 20 SEND DIAGNOSTIC self-tests |
//! | 0x11 | DT device status (SSC-5 8.2) | the drive's state |
//! | 0x17 | volume statistics (SSC-5 8.2), [`crate::volume_statistics`] | the cartridge's MAM, partitions and this load |
//! | 0x2E | TapeAlert (SSC-5 8.2, annex A) | the flags, cleared by reading |
//! | 0x30 | tape usage (IBM / HP LTO vendor page) | the cartridge's MAM + this load |
//! | 0x31 | tape capacity (IBM / HP LTO vendor page) | the cartridge, MiB |
//! | 0x32 | data compression (IBM / HP LTO vendor page) | this load |
//! | 0x37, 0x37/0x64 | performance characteristics (IBM vendor page), [`crate::performance`] | the medium (no loss) |
//!
//! Only pages the personality lists ([`Personality::log_pages`]) are offered.

use vtl_scsi::log::LogParameter;

use crate::counters::Tally;
use crate::drive::{Drive, Slot};
use crate::personality::Personality;

/// Pages this module implements.
pub const IMPLEMENTED: &[(u8, u8)] = &[
    (0x02, 0),
    (0x03, 0),
    (0x0c, 0),
    (0x0d, 0),
    (0x10, 0),
    (0x11, 0),
    (0x17, 0),
    (0x2e, 0),
    (0x30, 0),
    (0x31, 0),
    (0x32, 0),
    (0x37, 0),
    (0x37, 0x64),
];

const MIB: u64 = 1 << 20;
const MB: u64 = 1_000_000;

/// The pages `pers` lists that are implemented (0x00 is the core's), ascending.
pub fn offered(pers: &Personality) -> Vec<(u8, u8)> {
    pers.log_pages
        .iter()
        .copied()
        .filter(|p| IMPLEMENTED.contains(p))
        .collect()
}

/// Error counter page parameters 0000h..0006h (SPC-5 7.3, write / read error counter log
/// pages): errors corrected without and with possible delays, total rewrites or rereads,
/// total errors corrected, total times the correction algorithm ran (all 0: the emulation
/// corrects nothing), TOTAL BYTES PROCESSED (`bytes`), TOTAL UNCORRECTED ERRORS (`errors`).
/// Counters of 4 bytes, bytes processed 8.
pub fn error_counters(bytes: u64, errors: u64) -> Vec<LogParameter> {
    let mut v: Vec<LogParameter> = (0..5).map(|c| LogParameter::counter(c, 0, 4)).collect();
    v.push(LogParameter::counter(5, bytes, 8));
    v.push(LogParameter::counter(6, errors, 4));
    v
}

/// Data compression page 0x32 (HP / IBM LTO vendor layout): 0000h READ COMPRESSION RATIO
/// ×100 and 0001h WRITE COMPRESSION RATIO ×100 (2 bytes; 0 when nothing moved), then four
/// pairs of 4-byte parameters 0002h..0009h: megabytes (2^20 bytes, rounded to nearest) and
/// the signed difference in bytes between that and the exact count, for: transferred to
/// the host, read from tape, transferred from the host, written to tape.
pub fn data_compression(t: &Tally) -> Vec<LogParameter> {
    let ratio = |host: u64, medium: u64| {
        if medium == 0 {
            0
        } else {
            (u128::from(host) * 100 / u128::from(medium)).min(0xffff) as u64
        }
    };
    let mut v = vec![
        LogParameter::counter(0, ratio(t.host_bytes_read, t.medium_bytes_read), 2),
        LogParameter::counter(1, ratio(t.host_bytes_written, t.medium_bytes_written), 2),
    ];
    let pairs = [
        t.host_bytes_read,
        t.medium_bytes_read,
        t.host_bytes_written,
        t.medium_bytes_written,
    ];
    for (i, bytes) in pairs.into_iter().enumerate() {
        let mb = (bytes + MIB / 2) / MIB;
        let diff = bytes as i64 - (mb * MIB) as i64;
        let code = 2 + 2 * i as u16;
        v.push(LogParameter::counter(code, mb.min(u64::from(u32::MAX)), 4));
        v.push(LogParameter::counter(
            code + 1,
            diff as i32 as u32 as u64,
            4,
        ));
    }
    v
}

impl Drive {
    /// The parameters of log page `page`/`subpage`, `None` for a page this drive does not
    /// offer. The TapeAlert flags of page 0x2E are cleared by [`Drive::tape_alert_read`]
    /// once they went out (SSC-5 annex A).
    pub fn log_parameters(&mut self, page: u8, subpage: u8) -> Option<Vec<LogParameter>> {
        if !offered(self.personality()).contains(&(page, subpage)) {
            return None;
        }
        if page == crate::performance::PAGE {
            return crate::performance::parameters(subpage);
        }
        let t = self.counters().since_reset;
        Some(match page {
            0x02 => error_counters(t.host_bytes_written, t.write_errors),
            0x03 => error_counters(t.host_bytes_read, t.read_errors),
            0x0c => self.sequential_access_params(&t),
            0x0d => vec![
                LogParameter::binary(0x0000, &[0, 0xff]),
                LogParameter::binary(0x0001, &[0, 0xff]),
            ],
            0x10 => self.self_tests.parameters(),
            0x11 => vec![LogParameter::binary(
                0x0000,
                &self.very_high_frequency_data(),
            )],
            0x2e => {
                // Cleared once sent ([`Drive::tape_alert_read`]), not here: a read whose
                // allocation length stops short of a flag leaves it set.
                let flags = self.tape_alert();
                (1..=64u16)
                    .map(|n| LogParameter::binary(n, &[u8::from(flags >> (n - 1) & 1 != 0)]))
                    .collect()
            }
            0x17 => self.volume_statistics_params(),
            0x30 => self.tape_usage_params(),
            0x31 => self.tape_capacity_params(),
            0x32 => data_compression(&self.counters().this_load),
            _ => return None,
        })
    }

    /// LOG SENSE sent the parameters `sent` of page 0x2E whole: clear those TapeAlert flags
    /// (parameter code n is flag n; SSC-5 annex A: flags are cleared when read).
    pub fn tape_alert_read(&mut self, sent: &[u16]) {
        let mask = sent
            .iter()
            .filter(|&&n| (1..=64).contains(&n))
            .fold(0u64, |m, &n| m | 1 << (n - 1));
        self.tape_alert.clear_bits(mask);
    }

    /// LOG SELECT reset (PCR=1, or PC=11b without parameters) of `page`, or of every page
    /// (`None`): 0x02 the write error counters, 0x03 the read error counters, 0x0C the byte
    /// counts, 0x2E the TapeAlert flags, 0x32 this load's counts. The other pages describe
    /// the medium or the drive's state and have nothing to reset.
    pub fn reset_log(&mut self, page: Option<(u8, u8)>) {
        let c = self.counters_mut();
        match page {
            None => {
                c.since_reset = Tally::default();
                c.this_load = Tally::default();
                self.clear_tape_alert();
            }
            Some((0x02, 0)) => c.since_reset.reset_write_errors(),
            Some((0x03, 0)) => c.since_reset.reset_read_errors(),
            Some((0x0c, 0)) => c.since_reset.reset_bytes(),
            Some((0x2e, 0)) => self.clear_tape_alert(),
            Some((0x32, 0)) => c.this_load = Tally::default(),
            Some(_) => {}
        }
    }

    /// Sequential-access device page 0x0C (SSC-5 8.2): 0000h data bytes received with
    /// WRITE commands, 0001h data bytes written to the medium, 0002h data bytes read from
    /// the medium, 0003h data bytes transferred by READ commands (8 bytes each); native
    /// capacities of the current partition in megabytes (10^6 bytes, 4 bytes each, 0 when
    /// no cartridge is loaded): 0004h BOP to EOD, 0005h BOP to early warning, 0006h early
    /// warning to EOP, 0007h BOP to the current position, 0008h in the object buffer (0:
    /// written objects go to the cartridge files); 0100h CLEANING REQUIRED (0: no cleaning
    /// is ever needed).
    fn sequential_access_params(&self, t: &Tally) -> Vec<LogParameter> {
        let (eod, ew, after_ew, here) = match &self.slot {
            Slot::Loaded(l) => {
                let pos = l.cart.position();
                let cap = l.cart.capacity(pos.partition);
                let warn = self.pers.early_warning(cap);
                let p = l.cart.partition(pos.partition);
                let eod = p.map_or(0, |p| p.eod_data_offset());
                let here = if pos.eod {
                    eod
                } else {
                    l.cart
                        .record(pos.partition, pos.block)
                        .map_or(eod, |r| r.offset())
                };
                (eod, cap.saturating_sub(warn), warn, here)
            }
            _ => (0, 0, 0, 0),
        };
        let mb = |b: u64| (b / MB).min(u64::from(u32::MAX));
        vec![
            LogParameter::counter(0x0000, t.host_bytes_written, 8),
            LogParameter::counter(0x0001, t.medium_bytes_written, 8),
            LogParameter::counter(0x0002, t.medium_bytes_read, 8),
            LogParameter::counter(0x0003, t.host_bytes_read, 8),
            LogParameter::counter(0x0004, mb(eod), 4),
            LogParameter::counter(0x0005, mb(ew), 4),
            LogParameter::counter(0x0006, mb(after_ew), 4),
            LogParameter::counter(0x0007, mb(here), 4),
            LogParameter::counter(0x0008, 0, 4),
            LogParameter::counter(0x0100, 0, 1),
        ]
    }

    /// VERY HIGH FREQUENCY DATA of the DT device status page 0x11 (SSC-5 8.2), 4 bytes:
    /// * byte 0: PAMR (medium removal prevented), HIU 0, MACC (MAM accessible: loaded),
    ///   CMPR (compression on), WRTP (write protected), CRQST 0, CRQRD 0, DINIT 1;
    /// * byte 1: INXTN 0, RAA 1 (robotic access allowed), MPRSNT (a cartridge is in the
    ///   drive), MSTD, MTHRD and MOUNTED (loaded);
    /// * byte 2: DT DEVICE ACTIVITY 0 (no activity between commands);
    /// * byte 3: TAFC (TapeAlert flags are set), the rest 0.
    pub fn very_high_frequency_data(&self) -> [u8; 4] {
        let loaded = self.is_loaded();
        let bit = |on: bool, b: u8| if on { b } else { 0 };
        let b0 = bit(self.prevent_removal(), 0x80)
            | bit(loaded, 0x20)
            | bit(self.compression() != libvtlcart::Compression::None, 0x10)
            | bit(self.write_protected(), 0x08)
            | 0x01;
        let b1 = 0x20 | bit(self.has_cartridge(), 0x10) | bit(loaded, 0x07);
        [b0, b1, 0, bit(self.tape_alert() != 0, 0x01)]
    }

    /// Tape usage page 0x30 (HP / IBM LTO vendor layout): 0001h volume mounts (4 bytes, the
    /// MAM load count), 0002h volume data sets written (8), 0003h write retries (4), 0004h
    /// write perms (2: this load's uncorrected write errors), 0005h / 0006h suspended and
    /// fatal suspended writes (2), 0007h volume data sets read (8), 0008h read retries (4),
    /// 0009h read perms (2: this load's uncorrected read errors), 000Ah / 000Bh suspended
    /// and fatal suspended reads (2). The emulation has no physical data sets: they are
    /// counted in MiB (the MAM's lifetime MiB plus this load's, rounded up as the MAM
    /// counts them). All 0 without a cartridge.
    fn tape_usage_params(&self) -> Vec<LogParameter> {
        let (mounts, written, read) = match &self.slot {
            Slot::Loaded(l) => {
                let b = &l.cart.mam().base;
                let s = l.cart.load_stats();
                (
                    b.load_count.get(),
                    b.written_in_medium_life
                        .get()
                        .saturating_add(s.bytes_written.div_ceil(MIB)),
                    b.read_in_medium_life
                        .get()
                        .saturating_add(s.bytes_read.div_ceil(MIB)),
                )
            }
            _ => (0, 0, 0),
        };
        let t = &self.counters().this_load;
        let small = |v: u64| v.min(0xffff);
        vec![
            LogParameter::counter(0x0001, mounts.min(u64::from(u32::MAX)), 4),
            LogParameter::counter(0x0002, written, 8),
            LogParameter::counter(0x0003, 0, 4),
            LogParameter::counter(0x0004, small(t.write_errors), 2),
            LogParameter::counter(0x0005, 0, 2),
            LogParameter::counter(0x0006, 0, 2),
            LogParameter::counter(0x0007, read, 8),
            LogParameter::counter(0x0008, 0, 4),
            LogParameter::counter(0x0009, small(t.read_errors), 2),
            LogParameter::counter(0x000a, 0, 2),
            LogParameter::counter(0x000b, 0, 2),
        ]
    }

    /// Tape capacity page 0x31 (HP / IBM LTO vendor layout), 4-byte parameters in MiB
    /// (2^20 bytes, rounded down), uncompressed: 0001h remaining capacity of partition 0,
    /// 0002h of partition 1, 0003h maximum capacity of partition 0, 0004h of partition 1
    /// (0 for a partition the medium does not have, and all 0 without a cartridge).
    fn tape_capacity_params(&self) -> Vec<LogParameter> {
        let mut v = [0u64; 4];
        if let Slot::Loaded(l) = &self.slot {
            for p in 0..2u32 {
                if p < l.cart.partition_count() {
                    v[p as usize] = crate::drive::remaining_in(&l.cart, p) / MIB;
                    v[2 + p as usize] = l.cart.capacity(p) / MIB;
                }
            }
        }
        v.iter()
            .enumerate()
            .map(|(i, &x)| LogParameter::counter(i as u16 + 1, x.min(u64::from(u32::MAX)), 4))
            .collect()
    }
}
