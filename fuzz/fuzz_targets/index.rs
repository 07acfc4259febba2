//! Index records: the input is the `indx` file of a small legacy cartridge.
//!
//! The harness makes the rest of the cartridge agree with the records it can read: the
//! filemark list in `meta` names the records of filemark type, and the data file (sparse,
//! zeros) ends where the last whole record's stored bytes end (at most 256 KiB). Bit 0 of
//! byte 511 (record 0's padding, which nothing reads) makes it a NULL cartridge. Every record
//! goes through the record accessors, then the cartridge is opened strictly and with
//! recover, every object is read, and a damaged cartridge is recovered and must then open.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::IndexRecord;
use libvtlcart::index::{RECORD_SIZE, TYPE_FILEMARK};
use zerocopy::FromBytes;

/// Largest data file the harness makes.
const MAX_DATA: u64 = 256 << 10;

fuzz_target!(|indx: &[u8]| {
    let mut filemarks = Vec::new();
    let mut data_end = 0;
    for (n, chunk) in indx.chunks_exact(RECORD_SIZE).enumerate() {
        vtl_fuzz::exercise_record(chunk);
        let r = IndexRecord::read_from_bytes(chunk).expect("512-byte chunk");
        if r.blk_type.get() == TYPE_FILEMARK {
            filemarks.push(n as u32);
        }
        data_end = r.end_offset();
    }
    let null = indx.get(511).is_some_and(|b| b & 1 != 0);
    let mut meta = vtl_fuzz::legacy_mam_bytes(null);
    meta.extend_from_slice(&vtl_fuzz::meta_section(&filemarks));
    let dir = vtl_fuzz::scratch_cartridge();
    vtl_fuzz::write_cartridge(dir, &[("meta", &meta), ("indx", indx), ("data", &[])]);
    if !null {
        std::fs::OpenOptions::new()
            .write(true)
            .open(dir.join("data"))
            .and_then(|f| f.set_len(data_end.min(MAX_DATA)))
            .expect("size the data file");
    }
    vtl_fuzz::open_and_read(dir, true);
});
