//! The v6 `mhvtl_data` file (`Mam::from_tlv` with a minimal `mam`): TLV records.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::Mam;

fuzz_target!(|bytes: &[u8]| {
    let p = std::path::Path::new("mhvtl_data");
    let mam = [6, 0, 0, 0, 4, 0, 0, 0];
    if let Ok(m) = Mam::from_tlv(&mam, p, Some((bytes, p))) {
        vtl_fuzz::exercise_mam(&m);
    }
});
