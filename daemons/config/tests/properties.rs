//! Property tests: no input panics the parsers, and whatever parses is written back to text
//! that parses to the same value.

use std::path::Path;

use proptest::prelude::*;
use vtl_config::{DeviceConf, LibraryContents};

fn check_device_conf(text: &str) {
    if let Ok((c, w)) = DeviceConf::parse(text, Path::new("device.conf")) {
        let lines = text.lines().count();
        assert!(w.iter().all(|w| w.line >= 1 && w.line <= lines));
        let out = c.to_string();
        let (back, _) = DeviceConf::parse(&out, Path::new("device.conf"))
            .unwrap_or_else(|e| panic!("written text does not parse: {e}\n{out}"));
        assert_eq!(back, c, "{out}");
    } else if let Err(e) = DeviceConf::parse(text, Path::new("device.conf")) {
        let line = e.line().expect("parse errors have a line");
        assert!(line >= 1 && line <= text.lines().count());
        assert!(e.key().is_some());
    }
}

fn check_library_contents(text: &str) {
    match LibraryContents::parse(text, Path::new("library_contents.3"), 3) {
        Ok((c, _)) => {
            let out = c.to_string();
            let (back, _) = LibraryContents::parse(&out, Path::new("x"), 3)
                .unwrap_or_else(|e| panic!("written text does not parse: {e}\n{out}"));
            assert_eq!(back, c, "{out}");
        }
        Err(e) => {
            assert!(e.line().is_some() && e.key().is_some());
        }
    }
}

/// Lines that look like device.conf: headers, known keys with odd values, blanks, junk.
fn device_conf_line() -> impl Strategy<Value = String> {
    let word = "[ -~]{0,12}";
    let num = prop_oneof![
        Just("0".to_string()),
        Just("08".to_string()),
        "[0-9]{1,6}",
        word
    ];
    prop_oneof![
        (
            prop_oneof![Just("Library"), Just("Drive")],
            num.clone(),
            num.clone(),
            num.clone(),
            num.clone()
        )
            .prop_map(|(k, a, b, c, d)| format!("{k}: {a} CHANNEL: {b} TARGET: {c} LUN: {d}")),
        (
            prop_oneof![
                Just(" Vendor identification:"),
                Just(" Product identification:"),
                Just("\tProduct revision level:"),
                Just(" Unit serial number:"),
                Just(" NAA:"),
                Just(" Home directory:"),
                Just(" PERSIST:"),
                Just(" movecommand:"),
                Just(" commandtimeout:"),
                Just("  Backoff:"),
                Just(" fifo:"),
                Just(" Library ID:"),
                Just(" Compression:"),
                Just(" Compression type:"),
                Just(" LBP RSCRC BE:"),
                Just(" Unknown key:"),
            ],
            prop_oneof![
                word.prop_map(|s| s.to_string()),
                num,
                Just(" 10 Slot: 02".to_string()),
                Just(" factor 3 enabled 1".to_string()),
                Just(" 10:22:33:44:ab:00:01:00".to_string()),
                Just(" Yes".to_string()),
                Just(" zlib".to_string()),
            ]
        )
            .prop_map(|(k, v)| format!("{k}{v}")),
        Just(String::new()),
        Just("VERSION: 5".to_string()),
        Just("# comment".to_string()),
        "[ -~\t]{0,30}",
    ]
}

fn library_contents_line() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("Drive"),
            Just("Picker"),
            Just("MAP"),
            Just("Slot"),
            Just("VERSION:"),
            Just("#")
        ],
        prop_oneof![Just("1".to_string()), "[0-9]{1,3}", "[ -~]{0,3}"],
        prop_oneof![
            Just("".to_string()),
            Just(" ".to_string()),
            " [A-Z0-9_.#+-]{0,18}",
            " [ -~]{0,20}"
        ],
    )
        .prop_map(|(k, n, v)| {
            if k == "VERSION:" {
                format!("{k} {n}")
            } else {
                format!("{k} {n}:{v}")
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,300}") {
        check_device_conf(&s);
        check_library_contents(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
        let s = String::from_utf8_lossy(&b);
        check_device_conf(&s);
        check_library_contents(&s);
    }

    #[test]
    fn device_conf_like_text_round_trips(lines in proptest::collection::vec(device_conf_line(), 0..30)) {
        check_device_conf(&lines.join("\n"));
    }

    #[test]
    fn library_contents_like_text_round_trips(lines in proptest::collection::vec(library_contents_line(), 0..30)) {
        check_library_contents(&lines.join("\n"));
    }
}
