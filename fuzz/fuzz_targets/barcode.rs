//! Barcodes: `validate_pcl` and `expand_range` (bytes that are not UTF-8 are replaced).
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::barcode::{MAX_PCL_LEN, MAX_RANGE_LEN};
use libvtlcart::{expand_range, validate_pcl};

fuzz_target!(|bytes: &[u8]| {
    let s = String::from_utf8_lossy(bytes);
    if validate_pcl(&s).is_ok() {
        assert!(!s.is_empty() && s.len() <= MAX_PCL_LEN);
        assert!(!s.starts_with('.') && !s.starts_with('-'));
        assert!(!s.contains('/') && s != "." && s != "..");
        assert!(
            s.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.+#".contains(&c))
        );
    }
    if let Ok(v) = expand_range(&s) {
        assert!(!v.is_empty() && v.len() as u64 <= MAX_RANGE_LEN);
        match s.split_once("..") {
            None => assert_eq!(v, [s.to_string()]),
            Some((a, b)) => {
                assert_eq!(v.first().map(String::as_str), Some(a));
                assert_eq!(v.last().map(String::as_str), Some(b));
                assert!(v.iter().all(|x| x.len() == a.len()));
                assert!(v.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }
});
