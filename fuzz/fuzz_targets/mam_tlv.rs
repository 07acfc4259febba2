//! The v6 `mam` file (`Mam::from_tlv`): version words then TLV attributes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::Mam;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(m) = Mam::from_tlv(bytes, std::path::Path::new("mam"), None) {
        assert_eq!(m.base.tape_fmt_version.get().to_le_bytes(), bytes[0..4]);
        assert_eq!(m.base.mam_fmt_version.get().to_le_bytes(), bytes[4..8]);
        vtl_fuzz::exercise_mam(&m);
    }
});
