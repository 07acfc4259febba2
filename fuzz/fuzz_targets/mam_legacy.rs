//! The packed 1024-byte legacy MAM (`Mam::from_legacy_bytes`): the input is the start of a
//! legacy `meta` file (or a transitional packed `mam` file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::Mam;

fuzz_target!(|bytes: &[u8]| {
    match Mam::from_legacy_bytes(bytes, std::path::Path::new("meta")) {
        Ok(m) => {
            assert_eq!(m.to_legacy_bytes()[..], bytes[..1024], "bytes kept as read");
            vtl_fuzz::exercise_mam(&m);
        }
        Err(_) => assert!(bytes.len() < 1024, "1024 bytes or more always parse"),
    }
});
