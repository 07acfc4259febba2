//! The filemark list in `meta` (legacy: after the 1024-byte MAM; v6: all of `meta.0`).
//!
//! Input: byte 0 is a mask of which of the (up to 8) index records are filemarks (bit i for
//! record i), byte 1 modulo 9 is the number of records, byte 2 bit 0 picks the v6 layout
//! and bit 1 NULL media; the rest is the filemark section (count, 508 header bytes, entries).
//! Data records store 16 bytes each, uncompressed and with their CRC, so the index and data
//! files are intact: only `meta` can be wrong. The cartridge is opened strictly and with
//! recover, every object is read, and a damaged one is recovered and must then open.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::IndexRecord;
use zerocopy::IntoBytes;

fuzz_target!(|input: &[u8]| {
    let [mask, count, mode, body @ ..] = input else {
        return;
    };
    let (v6, null) = (mode & 1 != 0, mode & 2 != 0);
    let mut indx = Vec::new();
    let mut data = Vec::new();
    let mut end = 0u64;
    for n in 0..u32::from(count % 9) {
        let r = if mask & (1 << n) != 0 {
            IndexRecord::filemark(n, end, 0)
        } else {
            let payload = [n as u8 ^ 0x5a; 16];
            let r = vtl_fuzz::data_record(n, end, &payload);
            end += payload.len() as u64;
            if !null {
                data.extend_from_slice(&payload);
            }
            r
        };
        indx.extend_from_slice(r.as_bytes());
    }
    let dir = vtl_fuzz::scratch_cartridge();
    if v6 {
        let (mam, md) = vtl_fuzz::v6_mam_files(null);
        vtl_fuzz::write_cartridge(
            dir,
            &[
                ("mam", &mam),
                ("mhvtl_data", &md),
                ("meta.0", body),
                ("indx.0", &indx),
                ("data.0", &data),
            ],
        );
    } else {
        let mut meta = vtl_fuzz::legacy_mam_bytes(null);
        meta.extend_from_slice(body);
        vtl_fuzz::write_cartridge(dir, &[("meta", &meta), ("indx", &indx), ("data", &data)]);
    }
    vtl_fuzz::open_and_read(dir, true);
});
