//! Volume statistics log page 0x17 (SSC-5 8.2.x) of the loaded cartridge, with the
//! per-partition capacity parameters LTFS reads to learn each partition's size, use and
//! room (IBM and HP LTO-6 and later; LTO-5 uses page 0x31).
//!
//! Capacities are native (uncompressed) megabytes of 10^6 bytes, rounded down, counted as
//! the drive counts them for early warning and VOLUME OVERFLOW
//! ([`crate::drive::remaining_in`]): every logical object takes its 512-byte index record
//! besides its stored bytes.

use vtl_scsi::log::LogParameter;

use crate::drive::{Drive, Slot, remaining_in};

const MB: u64 = 1_000_000;
const MIB: u64 = 1 << 20;

/// A partition record list (SSC-5 8.2.x, volume statistics partition record): per
/// partition, byte 0 PARTITION RECORD LENGTH (7: the bytes after it), byte 1 reserved,
/// bytes 2..3 PARTITION NUMBER, bytes 4..7 the value (4 bytes, big-endian, saturating).
pub fn partition_records(values: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() * 8);
    for (p, &v) in values.iter().enumerate() {
        out.extend_from_slice(&[7, 0]);
        out.extend_from_slice(&(p as u16).to_be_bytes());
        out.extend_from_slice(&(v.min(u64::from(u32::MAX)) as u32).to_be_bytes());
    }
    out
}

impl Drive {
    /// The parameters of page 0x17 (all 0 / empty records without a cartridge, PAGE VALID 0):
    ///
    /// | code | parameter | size | value |
    /// |---|---|---|---|
    /// | 0000h | PAGE VALID | 1 | 1 with a cartridge |
    /// | 0001h | THREAD COUNT | 4 | the MAM's load count |
    /// | 0002h | TOTAL DATA SETS WRITTEN | 4 | MiB written in the medium's life (data sets are not emulated) |
    /// | 0003h | TOTAL WRITE RETRIES | 4 | 0 |
    /// | 0004h | TOTAL UNRECOVERED WRITE ERRORS | 2 | this load's write errors |
    /// | 0007h | TOTAL DATA SETS READ | 4 | MiB read in the medium's life |
    /// | 0008h | TOTAL READ RETRIES | 4 | 0 |
    /// | 0009h | TOTAL UNRECOVERED READ ERRORS | 2 | this load's read errors |
    /// | 000Eh / 000Fh | LAST MOUNT MEGABYTES WRITTEN / READ | 4 | this load, MB |
    /// | 0010h / 0011h | LIFETIME MEGABYTES WRITTEN / READ | 4 | the MAM's MiB plus this load's, in MB |
    /// | 0016h | TOTAL NATIVE CAPACITY | 4 | sum of the partitions' capacities, MB |
    /// | 0017h | TOTAL USED NATIVE CAPACITY | 4 | sum of the used capacities, MB |
    /// | 0040h | VOLUME SERIAL NUMBER | 32 | MAM medium serial number (ASCII) |
    /// | 0042h | VOLUME BARCODE | 32 | the barcode, space padded (ASCII) |
    /// | 0080h | WRITE PROTECT | 1 | 1 when write protected |
    /// | 0081h | WORM | 1 | 1 for a WORM medium |
    /// | 0202h | APPROXIMATE NATIVE CAPACITY OF PARTITIONS | 8/partition | records of MB |
    /// | 0203h | APPROXIMATE USED NATIVE CAPACITY OF PARTITIONS | 8/partition | records of MB |
    /// | 0204h | APPROXIMATE REMAINING NATIVE CAPACITY TO EARLY WARNING OF PARTITIONS | 8/partition | records of MB |
    pub fn volume_statistics_params(&self) -> Vec<LogParameter> {
        let t = &self.counters().this_load;
        let small = |v: u64| v.min(0xffff);
        let mb4 = |b: u64| (b / MB).min(u64::from(u32::MAX));
        let Slot::Loaded(l) = &self.slot else {
            return vec![LogParameter::counter(0x0000, 0, 1)];
        };
        let b = &l.cart.mam().base;
        let s = l.cart.load_stats();
        let written_mib = b
            .written_in_medium_life
            .get()
            .saturating_add(s.bytes_written.div_ceil(MIB));
        let read_mib = b
            .read_in_medium_life
            .get()
            .saturating_add(s.bytes_read.div_ceil(MIB));
        let n = l.cart.partition_count();
        let (mut cap, mut used, mut left) = (Vec::new(), Vec::new(), Vec::new());
        for p in 0..n {
            let c = l.cart.capacity(p);
            let r = remaining_in(&l.cart, p);
            let ew = self.pers.early_warning(c);
            cap.push(c / MB);
            used.push(c.saturating_sub(r) / MB);
            left.push(r.saturating_sub(ew) / MB);
        }
        let mut serial = [b' '; 32];
        let sn = libvtlcart::mam::field_str(&b.medium_serial_number);
        let sn = sn.trim_end_matches(['\0', ' ']);
        serial[..sn.len().min(32)].copy_from_slice(&sn.as_bytes()[..sn.len().min(32)]);
        let mut barcode = [b' '; 32];
        let bc = l.barcode.as_bytes();
        barcode[..bc.len().min(32)].copy_from_slice(&bc[..bc.len().min(32)]);
        let sum = |v: &[u64]| v.iter().sum::<u64>().min(u64::from(u32::MAX));
        vec![
            LogParameter::counter(0x0000, 1, 1),
            LogParameter::counter(0x0001, b.load_count.get().min(u64::from(u32::MAX)), 4),
            LogParameter::counter(0x0002, written_mib.min(u64::from(u32::MAX)), 4),
            LogParameter::counter(0x0003, 0, 4),
            LogParameter::counter(0x0004, small(t.write_errors), 2),
            LogParameter::counter(0x0007, read_mib.min(u64::from(u32::MAX)), 4),
            LogParameter::counter(0x0008, 0, 4),
            LogParameter::counter(0x0009, small(t.read_errors), 2),
            LogParameter::counter(0x000e, mb4(s.bytes_written), 4),
            LogParameter::counter(0x000f, mb4(s.bytes_read), 4),
            LogParameter::counter(0x0010, mb4(written_mib.saturating_mul(MIB)), 4),
            LogParameter::counter(0x0011, mb4(read_mib.saturating_mul(MIB)), 4),
            LogParameter::counter(0x0016, sum(&cap), 4),
            LogParameter::counter(0x0017, sum(&used), 4),
            LogParameter::ascii(0x0040, std::str::from_utf8(&serial).unwrap_or("")),
            LogParameter::ascii(0x0042, std::str::from_utf8(&barcode).unwrap_or("")),
            LogParameter::counter(0x0080, u64::from(self.write_protected()), 1),
            LogParameter::counter(0x0081, u64::from(l.worm), 1),
            LogParameter::binary(0x0202, &partition_records(&cap)),
            LogParameter::binary(0x0203, &partition_records(&used)),
            LogParameter::binary(0x0204, &partition_records(&left)),
        ]
    }
}
