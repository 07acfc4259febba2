//! device.conf through vtl-config's full parser (`DeviceConf::parse`). Bytes that are not
//! UTF-8 are replaced, as when the file is read.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use vtl_config::DeviceConf;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let lines = text.lines().count();
    match DeviceConf::parse(&text, Path::new("device.conf")) {
        Ok((conf, warnings)) => {
            assert!(warnings.iter().all(|w| w.line >= 1 && w.line <= lines));
            // What was read is written back to text that reads the same.
            let out = conf.to_string();
            let (back, _) = DeviceConf::parse(&out, Path::new("device.conf"))
                .unwrap_or_else(|e| panic!("written text does not parse: {e}"));
            assert_eq!(back, conf);
            let _ = vtl_config::validate(&conf, &[]);
        }
        Err(e) => {
            let line = e.line().expect("a parse error names its line");
            assert!(line >= 1 && line <= lines);
            assert!(e.key().is_some());
        }
    }
});
