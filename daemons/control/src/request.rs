//! The commands (spec section 2.4, vtlcmd's table, plus `status`, plus the three words
//! vtllibrary sends its drives, spec 4.2: `lload`, `set_empty`, `mount_state`), typed:
//! [`Request::parse`] turns the words of a command line into a [`Request`], and `Display`
//! writes the canonical line back (`parse(&r.to_string()) == Ok(r)`).
//!
//! Words are separated by ASCII whitespace. Command words and keyword values (`map`, `slot`,
//! `Only`, `Yes`/`No`, `zlib`/`lzo`, the delay kinds, `--json`) are matched without regard
//! to ASCII case; barcodes are kept as given (the library judges them, with mhvtl's replies
//! `Bad barcode` / `barcode length too long`). Every error names the word that is wrong.

use std::fmt;

/// The longest command line, in bytes, without its newline (mhvtl's message text is 1024
/// bytes plus the NUL, spec 4.1).
pub const MAX_REQUEST_LEN: usize = 1024;

/// Which daemons accept a command (spec 2.4, column "target").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// Drives and libraries.
    Any,
    /// Tape drives (vtltape) only.
    Drive,
    /// Libraries (vtllibrary) only.
    Library,
}

/// The kind of daemon a device number names in device.conf (`Drive: N` / `Library: N`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceKind {
    /// A `Drive:` stanza.
    Drive,
    /// A `Library:` stanza.
    Library,
}

impl fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceKind::Drive => "drive",
            DeviceKind::Library => "library",
        })
    }
}

/// Compression algorithm of `compression zlib|lzo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zlib (deflate) at the drive's configured level.
    Zlib,
    /// LZO1X-1.
    Lzo,
}

/// What `delay <kind> <secs>` delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelayKind {
    /// Loading (threading) a cartridge.
    Load,
    /// Unloading a cartridge.
    Unload,
    /// REWIND.
    Rewind,
    /// Positioning (SPACE, LOCATE).
    Position,
    /// Threading the tape at load.
    Thread,
}

impl DelayKind {
    /// Every kind, in the order of spec 2.4.
    pub const ALL: [DelayKind; 5] = [
        DelayKind::Load,
        DelayKind::Unload,
        DelayKind::Rewind,
        DelayKind::Position,
        DelayKind::Thread,
    ];

    /// The word of the command line (`load`, `unload`, `rewind`, `position`, `thread`).
    pub fn word(self) -> &'static str {
        match self {
            DelayKind::Load => "load",
            DelayKind::Unload => "unload",
            DelayKind::Rewind => "rewind",
            DelayKind::Position => "position",
            DelayKind::Thread => "thread",
        }
    }

    /// The longest delay accepted, in seconds: 30 for rewind, 20 for the others (mhvtl's
    /// limits, spec 2.4).
    pub fn max_secs(self) -> u32 {
        match self {
            DelayKind::Rewind => 30,
            _ => 20,
        }
    }
}

/// One operator command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `verbose`: cycle the daemon's log verbosity 3 → 2 → 1 → off → 3 (any daemon).
    Verbose,
    /// `debug`: toggle debug logging (any daemon).
    Debug,
    /// `exit`: the daemon shuts down (any daemon).
    Exit,
    /// `TapeAlert <hex64>`: set the TapeAlert flags, flag n in bit n − 1 (any daemon). The
    /// number is hexadecimal, 1 to 16 digits, with or without `0x`.
    TapeAlert(u64),
    /// `InquiryDataChange`: UNIT ATTENTION INQUIRY DATA HAS CHANGED (3F/03) for every I_T
    /// nexus (any daemon).
    InquiryDataChange,
    /// `status` or `status --json`: what the daemon holds (vtl's addition).
    Status {
        /// Reply with one JSON document instead of text.
        json: bool,
    },
    /// `load <PCL>`: put the cartridge of that barcode from the media home in the drive
    /// and thread it (drive).
    Load(String),
    /// `unload <PCL>`: unload the drive if it holds that cartridge (drive).
    Unload(String),
    /// `compression zlib|lzo`: the algorithm for new blocks (drive).
    Compression(Compression),
    /// `Append Only Yes|No`: append-only mode (drive).
    AppendOnly(bool),
    /// `delay load|unload|rewind|position|thread <secs>`: an operation's added delay, in
    /// seconds, at most [`DelayKind::max_secs`] (drive).
    Delay(DelayKind, u32),
    /// `dump`: write the drive's state to the daemon's log (drive).
    Dump,
    /// `online`: the library serves SCSI commands again (library).
    Online,
    /// `offline`: the library answers NOT READY (library).
    Offline,
    /// `add slot`: one more empty storage element; reply `slot=<n>` (library).
    AddSlot,
    /// `open map`: open the MAP door for the operator; reply `OK` (library).
    OpenMap,
    /// `close map`: close the MAP door; reply `OK` (library).
    CloseMap,
    /// `empty map`: the operator takes every cartridge out of the MAP (library).
    EmptyMap,
    /// `list map`: reply `Contents: ` and the MAP's barcodes padded to 16 (library).
    ListMap,
    /// `load map <PCL>`: the operator puts a cartridge in the MAP (library).
    LoadMap(String),
    /// `lload <PCL>`: the library's robot puts the cartridge in the drive (MOVE MEDIUM to a
    /// drive, sent by vtllibrary through [`crate::RemoteDrive`]; mhvtl's word). A cartridge
    /// the drive refuses is taken back out of its mouth, and the refusal's text starts with
    /// the sense the library reports ([`crate::remote_drive::refusal_text`]) (drive).
    LibraryLoad(String),
    /// `set_empty`: the library's robot takes the cartridge out of the drive, unloading it
    /// first if the host has not; the reply's text is its barcode, empty for an empty drive
    /// (drive; mhvtl's word).
    SetEmpty,
    /// `mount_state`: the reply's text is the barcode of the cartridge in the drive
    /// (threaded or in its mouth), empty for an empty drive (drive; mhvtl's word).
    MountState,
}

/// Why a command line is not a [`Request`]. The text names the wrong word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// No words at all.
    #[error("empty command")]
    Empty,
    /// Longer than [`MAX_REQUEST_LEN`].
    #[error("command is {0} bytes long; the limit is {MAX_REQUEST_LEN}")]
    TooLong(usize),
    /// The first word is no command.
    #[error("unknown command '{0}'")]
    Unknown(String),
    /// A word is missing at the end.
    #[error("'{command}': missing {what}")]
    Missing {
        /// The command as far as it was read.
        command: String,
        /// What should follow.
        what: &'static str,
    },
    /// A word is not one of the words allowed at its place.
    #[error("'{command}': '{word}' is not {expected}")]
    BadWord {
        /// The command as far as it was read.
        command: String,
        /// The wrong word.
        word: String,
        /// What is allowed there.
        expected: &'static str,
    },
    /// A word after the end of the command.
    #[error("'{command}': unexpected word '{word}'")]
    Extra {
        /// The command.
        command: String,
        /// The first extra word.
        word: String,
    },
    /// A delay above its maximum.
    #[error("'delay {kind}': {secs} seconds is more than the maximum of {max}")]
    DelayTooLong {
        /// The delay kind's word.
        kind: &'static str,
        /// Seconds asked.
        secs: u32,
        /// The maximum.
        max: u32,
    },
}

/// Whether `word` is `keyword`, ignoring ASCII case.
fn is(word: &str, keyword: &str) -> bool {
    word.eq_ignore_ascii_case(keyword)
}

/// The words of a command line, with what has been read so far (for error messages).
struct Words<'a> {
    it: std::str::SplitAsciiWhitespace<'a>,
    read: Vec<&'a str>,
}

impl<'a> Words<'a> {
    fn so_far(&self) -> String {
        self.read.join(" ")
    }

    fn next(&mut self, what: &'static str) -> Result<&'a str, ParseError> {
        match self.it.next() {
            Some(w) => {
                self.read.push(w);
                Ok(w)
            }
            None => Err(ParseError::Missing {
                command: self.so_far(),
                what,
            }),
        }
    }

    /// The next word, which must be `keyword`.
    fn keyword(&mut self, keyword: &'static str, expected: &'static str) -> Result<(), ParseError> {
        let before = self.so_far();
        let w = self.next(expected)?;
        if is(w, keyword) {
            Ok(())
        } else {
            Err(ParseError::BadWord {
                command: before,
                word: w.to_string(),
                expected,
            })
        }
    }

    fn bad(&self, word: &str, expected: &'static str) -> ParseError {
        let mut read = self.read.clone();
        read.pop();
        ParseError::BadWord {
            command: read.join(" "),
            word: word.to_string(),
            expected,
        }
    }

    /// The command must end here.
    fn end<T>(mut self, value: T) -> Result<T, ParseError> {
        match self.it.next() {
            None => Ok(value),
            Some(w) => Err(ParseError::Extra {
                command: self.so_far(),
                word: w.to_string(),
            }),
        }
    }
}

/// A hexadecimal u64: 1 to 16 digits, optionally after `0x` / `0X`.
fn parse_hex64(word: &str) -> Option<u64> {
    let digits = word
        .strip_prefix("0x")
        .or_else(|| word.strip_prefix("0X"))
        .unwrap_or(word);
    if digits.is_empty() || digits.len() > 16 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u64::from_str_radix(digits, 16).ok()
}

impl Request {
    /// Parse one command line (without its newline).
    ///
    /// Errors: [`ParseError`], naming the wrong word, e.g. `'compression': 'gzip' is not
    /// zlib or lzo`, `'open': 'door' is not map`, `'open map': unexpected word 'now'`.
    pub fn parse(line: &str) -> Result<Request, ParseError> {
        if line.len() > MAX_REQUEST_LEN {
            return Err(ParseError::TooLong(line.len()));
        }
        let mut w = Words {
            it: line.split_ascii_whitespace(),
            read: Vec::new(),
        };
        let Some(first) = w.it.next() else {
            return Err(ParseError::Empty);
        };
        w.read.push(first);
        let lower = first.to_ascii_lowercase();
        match lower.as_str() {
            "verbose" => w.end(Request::Verbose),
            "debug" => w.end(Request::Debug),
            "exit" => w.end(Request::Exit),
            "inquirydatachange" => w.end(Request::InquiryDataChange),
            "dump" => w.end(Request::Dump),
            "online" => w.end(Request::Online),
            "set_empty" => w.end(Request::SetEmpty),
            "mount_state" => w.end(Request::MountState),
            "lload" => {
                let v = w.next("the barcode (PCL)")?;
                w.end(Request::LibraryLoad(v.to_string()))
            }
            "offline" => w.end(Request::Offline),
            "tapealert" => {
                let v = w.next("the TapeAlert flags (hexadecimal, up to 16 digits)")?;
                let Some(flags) = parse_hex64(v) else {
                    return Err(w.bad(v, "a hexadecimal number of 1 to 16 digits"));
                };
                w.end(Request::TapeAlert(flags))
            }
            "status" => match w.it.next() {
                None => Ok(Request::Status { json: false }),
                Some(o) => {
                    w.read.push(o);
                    if is(o, "--json") {
                        w.end(Request::Status { json: true })
                    } else {
                        Err(w.bad(o, "--json"))
                    }
                }
            },
            "load" => {
                let v = w.next("the barcode (PCL) or 'map'")?;
                if is(v, "map") {
                    let pcl = w.next("the barcode (PCL)")?;
                    w.end(Request::LoadMap(pcl.to_string()))
                } else {
                    w.end(Request::Load(v.to_string()))
                }
            }
            "unload" => {
                let v = w.next("the barcode (PCL)")?;
                w.end(Request::Unload(v.to_string()))
            }
            "compression" => {
                let v = w.next("zlib or lzo")?;
                let c = if is(v, "zlib") {
                    Compression::Zlib
                } else if is(v, "lzo") {
                    Compression::Lzo
                } else {
                    return Err(w.bad(v, "zlib or lzo"));
                };
                w.end(Request::Compression(c))
            }
            "append" => {
                w.keyword("only", "Only")?;
                let v = w.next("Yes or No")?;
                let on = if is(v, "yes") {
                    true
                } else if is(v, "no") {
                    false
                } else {
                    return Err(w.bad(v, "Yes or No"));
                };
                w.end(Request::AppendOnly(on))
            }
            "delay" => {
                const KINDS: &str = "load, unload, rewind, position or thread";
                let k = w.next(KINDS)?;
                let Some(kind) = DelayKind::ALL.into_iter().find(|d| is(k, d.word())) else {
                    return Err(w.bad(k, KINDS));
                };
                let s = w.next("the delay in seconds")?;
                let secs = match s.parse::<u32>() {
                    Ok(n) if s.bytes().all(|b| b.is_ascii_digit()) => n,
                    _ => return Err(w.bad(s, "a number of seconds")),
                };
                if secs > kind.max_secs() {
                    return Err(ParseError::DelayTooLong {
                        kind: kind.word(),
                        secs,
                        max: kind.max_secs(),
                    });
                }
                w.end(Request::Delay(kind, secs))
            }
            "add" => {
                w.keyword("slot", "slot")?;
                w.end(Request::AddSlot)
            }
            "open" => {
                w.keyword("map", "map")?;
                w.end(Request::OpenMap)
            }
            "close" => {
                w.keyword("map", "map")?;
                w.end(Request::CloseMap)
            }
            "empty" => {
                w.keyword("map", "map")?;
                w.end(Request::EmptyMap)
            }
            "list" => {
                w.keyword("map", "map")?;
                w.end(Request::ListMap)
            }
            _ => Err(ParseError::Unknown(first.to_string())),
        }
    }

    /// Parse the words of a command line given as separate arguments (vtlcmd's
    /// `COMMAND...`): the words joined with single spaces.
    pub fn from_words<S: AsRef<str>>(words: &[S]) -> Result<Request, ParseError> {
        let line: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
        Request::parse(&line.join(" "))
    }

    /// Which daemons accept the command.
    pub fn applies(&self) -> Applies {
        match self {
            Request::Verbose
            | Request::Debug
            | Request::Exit
            | Request::TapeAlert(_)
            | Request::InquiryDataChange
            | Request::Status { .. } => Applies::Any,
            Request::Load(_)
            | Request::Unload(_)
            | Request::Compression(_)
            | Request::AppendOnly(_)
            | Request::Delay(..)
            | Request::Dump
            | Request::LibraryLoad(_)
            | Request::SetEmpty
            | Request::MountState => Applies::Drive,
            Request::Online
            | Request::Offline
            | Request::AddSlot
            | Request::OpenMap
            | Request::CloseMap
            | Request::EmptyMap
            | Request::ListMap
            | Request::LoadMap(_) => Applies::Library,
        }
    }

    /// Whether a daemon of `kind` accepts the command.
    pub fn applies_to(&self, kind: DeviceKind) -> bool {
        matches!(
            (self.applies(), kind),
            (Applies::Any, _)
                | (Applies::Drive, DeviceKind::Drive)
                | (Applies::Library, DeviceKind::Library)
        )
    }

    /// The command's name: its leading keywords without arguments (`load map`, `TapeAlert`,
    /// `Append Only`), for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Verbose => "verbose",
            Request::Debug => "debug",
            Request::Exit => "exit",
            Request::TapeAlert(_) => "TapeAlert",
            Request::InquiryDataChange => "InquiryDataChange",
            Request::Status { .. } => "status",
            Request::Load(_) => "load",
            Request::Unload(_) => "unload",
            Request::Compression(_) => "compression",
            Request::AppendOnly(_) => "Append Only",
            Request::Delay(..) => "delay",
            Request::Dump => "dump",
            Request::Online => "online",
            Request::Offline => "offline",
            Request::AddSlot => "add slot",
            Request::OpenMap => "open map",
            Request::CloseMap => "close map",
            Request::EmptyMap => "empty map",
            Request::ListMap => "list map",
            Request::LoadMap(_) => "load map",
            Request::LibraryLoad(_) => "lload",
            Request::SetEmpty => "set_empty",
            Request::MountState => "mount_state",
        }
    }

    /// Whether mhvtl's vtlcmd prints this command's reply (spec 2.4: `add slot` and the MAP
    /// commands, success or refusal alike); vtlcmd prints those replies on standard output
    /// whatever they say, and the refusals of the other commands on standard error.
    pub fn mhvtl_prints_reply(&self) -> bool {
        matches!(
            self,
            Request::AddSlot
                | Request::OpenMap
                | Request::CloseMap
                | Request::EmptyMap
                | Request::ListMap
                | Request::LoadMap(_)
        )
    }
}

impl fmt::Display for Request {
    /// The canonical command line (no newline).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Request::TapeAlert(v) => write!(f, "TapeAlert 0x{v:016x}"),
            Request::Status { json: true } => f.write_str("status --json"),
            Request::Load(p) => write!(f, "load {p}"),
            Request::Unload(p) => write!(f, "unload {p}"),
            Request::Compression(Compression::Zlib) => f.write_str("compression zlib"),
            Request::Compression(Compression::Lzo) => f.write_str("compression lzo"),
            Request::AppendOnly(true) => f.write_str("Append Only Yes"),
            Request::AppendOnly(false) => f.write_str("Append Only No"),
            Request::Delay(k, s) => write!(f, "delay {} {s}", k.word()),
            Request::LoadMap(p) => write!(f, "load map {p}"),
            Request::LibraryLoad(p) => write!(f, "lload {p}"),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Request {
        Request::parse(line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn err(line: &str) -> String {
        Request::parse(line).unwrap_err().to_string()
    }

    #[test]
    fn every_command() {
        let cases: &[(&str, Request)] = &[
            ("verbose", Request::Verbose),
            ("debug", Request::Debug),
            ("exit", Request::Exit),
            ("TapeAlert 0x00000000000000ff", Request::TapeAlert(0xff)),
            ("TapeAlert ff", Request::TapeAlert(0xff)),
            ("TapeAlert FFFFFFFFFFFFFFFF", Request::TapeAlert(u64::MAX)),
            ("InquiryDataChange", Request::InquiryDataChange),
            ("status", Request::Status { json: false }),
            ("status --json", Request::Status { json: true }),
            ("load E01001L8", Request::Load("E01001L8".into())),
            ("unload E01001L8", Request::Unload("E01001L8".into())),
            ("compression zlib", Request::Compression(Compression::Zlib)),
            ("compression lzo", Request::Compression(Compression::Lzo)),
            ("Append Only Yes", Request::AppendOnly(true)),
            ("Append Only No", Request::AppendOnly(false)),
            ("delay load 20", Request::Delay(DelayKind::Load, 20)),
            ("delay unload 0", Request::Delay(DelayKind::Unload, 0)),
            ("delay rewind 30", Request::Delay(DelayKind::Rewind, 30)),
            ("delay position 5", Request::Delay(DelayKind::Position, 5)),
            ("delay thread 1", Request::Delay(DelayKind::Thread, 1)),
            ("dump", Request::Dump),
            ("online", Request::Online),
            ("offline", Request::Offline),
            ("add slot", Request::AddSlot),
            ("open map", Request::OpenMap),
            ("close map", Request::CloseMap),
            ("empty map", Request::EmptyMap),
            ("list map", Request::ListMap),
            ("load map E01099L8", Request::LoadMap("E01099L8".into())),
            ("lload E01001L8", Request::LibraryLoad("E01001L8".into())),
            ("set_empty", Request::SetEmpty),
            ("mount_state", Request::MountState),
        ];
        for (line, want) in cases {
            assert_eq!(&ok(line), want, "{line}");
            // the canonical form parses back
            assert_eq!(&ok(&want.to_string()), want, "{want}");
        }
        // mhvtl's vtlcmd sends each word followed by a space; tabs and runs of blanks too
        assert_eq!(ok("load map X "), Request::LoadMap("X".into()));
        assert_eq!(ok("  open\tmap  "), Request::OpenMap);
        // keywords ignore case, barcodes keep theirs
        assert_eq!(ok("APPEND only yes"), Request::AppendOnly(true));
        assert_eq!(ok("Load Map e01099l8"), Request::LoadMap("e01099l8".into()));
        assert_eq!(ok("tapealert 0X1"), Request::TapeAlert(1));
        assert_eq!(
            Request::from_words(&["load", "map", "E01001L8"]),
            Ok(Request::LoadMap("E01001L8".into()))
        );
    }

    #[test]
    fn canonical_lines() {
        assert_eq!(
            Request::TapeAlert(0xff).to_string(),
            "TapeAlert 0x00000000000000ff"
        );
        assert_eq!(Request::AddSlot.to_string(), "add slot");
        assert_eq!(
            Request::Delay(DelayKind::Rewind, 3).to_string(),
            "delay rewind 3"
        );
        assert_eq!(Request::AppendOnly(false).to_string(), "Append Only No");
    }

    #[test]
    fn errors_name_the_word() {
        assert_eq!(err(""), "empty command");
        assert_eq!(err(" \t "), "empty command");
        assert_eq!(err("frobnicate now"), "unknown command 'frobnicate'");
        assert_eq!(err("verbose 3"), "'verbose': unexpected word '3'");
        assert_eq!(err("open door"), "'open': 'door' is not map");
        assert_eq!(err("open"), "'open': missing map");
        assert_eq!(err("open map now"), "'open map': unexpected word 'now'");
        assert_eq!(err("close"), "'close': missing map");
        assert_eq!(err("empty slot"), "'empty': 'slot' is not map");
        assert_eq!(err("list maps"), "'list': 'maps' is not map");
        assert_eq!(err("add map"), "'add': 'map' is not slot");
        assert_eq!(err("add slot 2"), "'add slot': unexpected word '2'");
        assert_eq!(err("load"), "'load': missing the barcode (PCL) or 'map'");
        assert_eq!(err("load map"), "'load map': missing the barcode (PCL)");
        assert_eq!(err("load map A B"), "'load map A': unexpected word 'B'");
        assert_eq!(err("load A B"), "'load A': unexpected word 'B'");
        assert_eq!(err("unload"), "'unload': missing the barcode (PCL)");
        assert_eq!(err("lload"), "'lload': missing the barcode (PCL)");
        assert_eq!(err("lload A B"), "'lload A': unexpected word 'B'");
        assert_eq!(err("set_empty now"), "'set_empty': unexpected word 'now'");
        assert_eq!(err("mount_state 1"), "'mount_state': unexpected word '1'");
        assert_eq!(
            err("compression gzip"),
            "'compression': 'gzip' is not zlib or lzo"
        );
        assert_eq!(err("compression"), "'compression': missing zlib or lzo");
        assert_eq!(err("Append Yes"), "'Append': 'Yes' is not Only");
        assert_eq!(err("Append Only"), "'Append Only': missing Yes or No");
        assert_eq!(
            err("Append Only Maybe"),
            "'Append Only': 'Maybe' is not Yes or No"
        );
        assert_eq!(
            err("delay eject 1"),
            "'delay': 'eject' is not load, unload, rewind, position or thread"
        );
        assert_eq!(
            err("delay load"),
            "'delay load': missing the delay in seconds"
        );
        assert_eq!(
            err("delay load -1"),
            "'delay load': '-1' is not a number of seconds"
        );
        assert_eq!(
            err("delay load +1"),
            "'delay load': '+1' is not a number of seconds"
        );
        assert_eq!(
            err("delay load 21"),
            "'delay load': 21 seconds is more than the maximum of 20"
        );
        assert_eq!(
            err("delay rewind 31"),
            "'delay rewind': 31 seconds is more than the maximum of 30"
        );
        assert_eq!(
            err("delay load 99999999999"),
            "'delay load': '99999999999' is not a number of seconds"
        );
        assert_eq!(
            err("TapeAlert"),
            "'TapeAlert': missing the TapeAlert flags (hexadecimal, up to 16 digits)"
        );
        for bad in ["0x", "xyz", "0x10000000000000000", "-1", "0x+1"] {
            assert_eq!(
                err(&format!("TapeAlert {bad}")),
                format!("'TapeAlert': '{bad}' is not a hexadecimal number of 1 to 16 digits")
            );
        }
        assert_eq!(err("status --yaml"), "'status': '--yaml' is not --json");
        assert_eq!(
            err("status --json x"),
            "'status --json': unexpected word 'x'"
        );
        let long = format!("load map {}", "A".repeat(1020));
        assert_eq!(err(&long), "command is 1029 bytes long; the limit is 1024");
    }

    #[test]
    fn targets() {
        assert!(Request::OpenMap.applies_to(DeviceKind::Library));
        assert!(!Request::OpenMap.applies_to(DeviceKind::Drive));
        assert!(Request::Load("A".into()).applies_to(DeviceKind::Drive));
        assert!(!Request::Load("A".into()).applies_to(DeviceKind::Library));
        for r in [
            Request::LibraryLoad("A".into()),
            Request::SetEmpty,
            Request::MountState,
        ] {
            assert!(r.applies_to(DeviceKind::Drive) && !r.applies_to(DeviceKind::Library));
        }
        for r in [
            Request::Verbose,
            Request::Exit,
            Request::TapeAlert(1),
            Request::Status { json: true },
        ] {
            assert!(r.applies_to(DeviceKind::Drive) && r.applies_to(DeviceKind::Library));
        }
        assert!(Request::ListMap.mhvtl_prints_reply());
        assert!(!Request::Load("A".into()).mhvtl_prints_reply());
        assert_eq!(Request::LoadMap("X".into()).name(), "load map");
    }
}
