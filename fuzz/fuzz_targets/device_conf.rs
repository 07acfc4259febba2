//! device.conf: the media home of each library (`home::library_homes_from_str`, the parser
//! behind `home::library_homes`). Bytes that are not UTF-8 are replaced, as when the file is
//! read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::home::library_homes_from_str;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    if let Ok(homes) = library_homes_from_str(&text, std::path::Path::new("device.conf")) {
        let lines = text.lines().count();
        assert!(homes.windows(2).all(|w| w[0].line < w[1].line));
        for h in &homes {
            assert!(h.line >= 1 && h.line <= lines);
            assert!(!h.home.as_os_str().is_empty());
        }
    }
});
