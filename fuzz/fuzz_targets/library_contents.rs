//! library_contents.<id> through vtl-config's parser (`LibraryContents::parse`), then the
//! media derivation and the checks against the default device.conf. Bytes that are not
//! UTF-8 are replaced, as when the file is read.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use vtl_config::generate::{DeviceConfParams, generate_device_conf};
use vtl_config::{DeviceConf, LibraryContents};

fn conf() -> &'static DeviceConf {
    static C: OnceLock<DeviceConf> = OnceLock::new();
    C.get_or_init(|| generate_device_conf(&DeviceConfParams::default()))
}

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let lines = text.lines().count();
    match LibraryContents::parse(&text, Path::new("library_contents.10"), 10) {
        Ok((lc, warnings)) => {
            assert!(warnings.iter().all(|w| w.line >= 1 && w.line <= lines));
            let out = lc.to_string();
            let (back, _) = LibraryContents::parse(&out, Path::new("library_contents.10"), 10)
                .unwrap_or_else(|e| panic!("written text does not parse: {e}"));
            assert_eq!(back, lc);
            if let Ok(media) = vtl_config::media_to_create(&lc, conf()) {
                assert_eq!(media.len(), lc.cartridges().count());
            }
            let _ = vtl_config::validate(conf(), std::slice::from_ref(&lc));
        }
        Err(e) => {
            let line = e.line().expect("a parse error names its line");
            assert!(line >= 1 && line <= lines);
        }
    }
});
