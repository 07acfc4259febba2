//! `library_contents.<id>`: what a library holds at start-up, in mhvtl's format (spec 3.2).
//!
//! ```text
//! VERSION: 2
//! Drive 1:            optional word after the colon = drive serial number override
//! Picker 1:           optional barcode = cartridge in the picker (medium transport)
//! MAP 1:              optional barcode = cartridge in the mail slot (import/export)
//! Slot 1: E01001L8    optional barcode; none = empty slot
//! ```
//!
//! Element numbers are 1-based within each element type; numbers left out are empty
//! elements. A line whose first non-blank character is `#` is a comment; blank lines are
//! ignored. Unknown lines are warnings. Errors (naming file, line and element): a number of
//! 0 or above [`MAX_ELEMENTS`](crate::MAX_ELEMENTS), an element given twice, a barcode longer
//! than 16 characters or with characters a cartridge directory cannot be named with
//! ([`libvtlcart::validate_pcl`]). Duplicate barcodes are found by
//! [`validate`](crate::validate::validate), across files too.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Result, Warning};
use crate::line::{Cursor, excerpt, key_value};

/// Barcodes starting with this are cartridges without a volume tag (spec 3.2).
pub const NOBAR_PREFIX: &str = "NOBAR";
/// The `VERSION:` mhvtl's generator writes into library_contents files.
pub const LIBRARY_CONTENTS_VERSION: u32 = 2;

/// A cartridge's barcode (PCL) as named in library_contents: 1..=16 characters valid as a
/// cartridge directory name ([`libvtlcart::validate_pcl`]).
///
/// A barcode starting with `NOBAR` names a cartridge whose label cannot be read: READ
/// ELEMENT STATUS reports it without a volume tag (SMC-3 6.11: PVOLTAG invalid), but its
/// directory is still named by the whole text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Barcode(String);

impl Barcode {
    /// Check and wrap a barcode.
    ///
    /// Errors: the reason from [`libvtlcart::validate_pcl`] (empty, longer than 16,
    /// characters not allowed).
    pub fn new(text: &str) -> std::result::Result<Self, libvtlcart::CartError> {
        libvtlcart::validate_pcl(text)?;
        Ok(Barcode(text.to_string()))
    }

    /// The whole text (the cartridge directory's name).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary volume tag a library reports: `None` for a `NOBAR…` cartridge.
    pub fn volume_tag(&self) -> Option<&str> {
        (!self.0.starts_with(NOBAR_PREFIX)).then_some(self.0.as_str())
    }
}

impl fmt::Display for Barcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a library_contents file was laid out beyond its elements, kept so that writing a
/// generated file gives mhvtl's bytes back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// The file holds mhvtl's explanatory comment block (barcode conventions) before the
    /// slots; it is written back there.
    pub comment_block: bool,
    /// Empty slots written as `Slot N: ` with a trailing space (mhvtl's generator writes
    /// slot 21 of library 10 so), ascending. Numbers that are not empty slots are ignored by
    /// the writer.
    pub spaced_empty_slots: Vec<u32>,
}

/// A parsed `library_contents.<id>`. Vectors are indexed by element number − 1; `None` is
/// an empty element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LibraryContents {
    /// The library id (`<id>` of the file name; not written in the file).
    pub library: u32,
    /// The `VERSION:` line's number, if any (mhvtl writes 2).
    pub version: Option<u32>,
    /// Drive elements: `Drive n:` with its serial number override, if any (at most 16
    /// characters).
    pub drives: Vec<Option<String>>,
    /// Medium transport elements (`Picker n:`) and the cartridge each holds.
    pub pickers: Vec<Option<Barcode>>,
    /// Import/export elements (`MAP n:`) and the cartridge each holds.
    pub maps: Vec<Option<Barcode>>,
    /// Storage elements (`Slot n:`) and the cartridge each holds.
    pub slots: Vec<Option<Barcode>>,
    /// Formatting kept for the writer.
    pub layout: Layout,
}

/// The element types of a library_contents file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementKind {
    /// `Drive n:` (data transfer element).
    Drive,
    /// `Picker n:` (medium transport element).
    Picker,
    /// `MAP n:` (import/export element).
    Map,
    /// `Slot n:` (storage element).
    Slot,
}

impl ElementKind {
    /// The word that starts the element's line.
    pub fn word(self) -> &'static str {
        match self {
            Self::Drive => "Drive",
            Self::Picker => "Picker",
            Self::Map => "MAP",
            Self::Slot => "Slot",
        }
    }
}

/// mhvtl's comment block before the slots of a generated library_contents (reproduced for
/// byte-identical output; spec 2.5).
pub(crate) const SLOT_COMMENT: &str = "\
# Slot 1 - ?, no gaps
# Slot N: [barcode]
# [barcode]
# a barcode is comprised of three fields: [Leading] [identifier] [Trailing]
# Leading \"CLN\" -- cleaning tape
# Leading \"W\" -- WORM tape
# Leading \"NOBAR\" -- will appear to have no barcode
# If the barcode is at least 8 character long, then the last two characters are Trailing
# Trailing \"S3\" - SDLT600
# Trailing \"X4\" - AIT-4
# Trailing \"L1\" - LTO 1, \"L2\" - LTO 2, \"L3\" - LTO 3, \"L4\" - LTO 4, \"L5\" - LTO 5
# Trailing \"LT\" - LTO 3 WORM, \"LU\" -  LTO 4 WORM, \"LV\" - LTO 5 WORM
# Trailing \"L6\" - LTO 6, \"LW\" - LTO 6 WORM
# Trailing \"TA\" - T10000+
# Trailing \"TZ\" - 9840A, \"TY\" - 9840B, \"TX\" - 9840C, \"TW\" - 9840D
# Trailing \"TV\" - 9940A, \"TU\" - 9940B
# Trailing \"JA\" - 3592+
# Trailing \"JB\" - 3592E05+
# Trailing \"JC\" - 3592E06+
# Trailing \"JK\" - 3592E07+
# Trailing \"JW\" - WORM 3592+
# Trailing \"JX\" - WORM 3592E05+ & 3592E06
# Trailing \"JY\" - WORM 3592E07+
# Trailing \"D7\" - DLT7000 media (DLT IV)
#
";

impl LibraryContents {
    /// The file name of library `id`'s contents: `library_contents.<id>`.
    pub fn file_name(id: u32) -> String {
        format!("library_contents.{id}")
    }

    /// Read `<conf_dir>/library_contents.<library>` (bytes that are not UTF-8 are
    /// replaced).
    ///
    /// Errors: the file cannot be read, or any error of [`LibraryContents::parse`].
    pub fn read(conf_dir: &Path, library: u32) -> Result<(LibraryContents, Vec<Warning>)> {
        let path = conf_dir.join(Self::file_name(library));
        let bytes = std::fs::read(&path).map_err(|source| ConfigError::Io {
            file: path.clone(),
            source,
        })?;
        Self::parse(&String::from_utf8_lossy(&bytes), &path, library)
    }

    /// Parse the text of library `library`'s contents file; `file` only names it in errors
    /// and warnings. See the module documentation for the rules.
    pub fn parse(text: &str, file: &Path, library: u32) -> Result<(LibraryContents, Vec<Warning>)> {
        let mut cur = Cursor::new(file);
        let mut lc = LibraryContents {
            library,
            layout: Layout {
                comment_block: text.contains(SLOT_COMMENT),
                spaced_empty_slots: Vec::new(),
            },
            ..Default::default()
        };
        // (kind, number) -> first line, to refuse repeats.
        let mut seen = std::collections::HashMap::new();
        let mut version_line = None;
        for (i, line) in text.lines().enumerate() {
            cur.line = i + 1;
            let t = line.trim_start();
            if t.trim_end().is_empty() || t.starts_with('#') {
                continue;
            }
            // `value` keeps its trailing blanks: `Slot 21: ` is remembered as written.
            let Some((head, value)) = key_value(t) else {
                cur.warn(&excerpt(t.trim_end()), "not an element line; ignored");
                continue;
            };
            if head == "VERSION" {
                let v = cur.word("VERSION", value)?;
                let v = cur.number("VERSION", v, 0, u32::MAX, "a number")?;
                if let Some(first) = version_line {
                    cur.warn("VERSION", format!("given again (first on line {first})"));
                }
                version_line = Some(cur.line);
                lc.version = Some(v);
                continue;
            }
            let mut words = head.split_whitespace();
            let (Some(word), Some(num), None) = (words.next(), words.next(), words.next()) else {
                cur.warn(&excerpt(head), "not an element line; ignored");
                continue;
            };
            let kind = match word {
                "Drive" => ElementKind::Drive,
                "Picker" => ElementKind::Picker,
                "MAP" => ElementKind::Map,
                "Slot" => ElementKind::Slot,
                _ => {
                    cur.warn(&excerpt(head), "unknown element type; ignored");
                    continue;
                }
            };
            let key = format!("{word} {num}");
            let n = cur.number(&key, num, 1, crate::MAX_ELEMENTS, "1..=65535")?;
            if let Some(first) = seen.insert((kind, n), cur.line) {
                return Err(cur.syntax(&key, format!("given again (first on line {first})")));
            }
            let entry = match value.split_whitespace().next() {
                None => None,
                Some(_) => Some(cur.word(&key, value)?.to_string()),
            };
            let idx = n as usize - 1;
            match kind {
                ElementKind::Drive => {
                    if let Some(s) = &entry {
                        cur.ascii_field(&key, s, crate::device_conf::MAX_SERIAL_LEN, false)?;
                    }
                    put(&mut lc.drives, idx, entry);
                }
                _ => {
                    let bc = match entry {
                        None => None,
                        Some(s) => Some(barcode(&cur, &key, &s)?),
                    };
                    if kind == ElementKind::Slot && bc.is_none() && !value.is_empty() {
                        lc.layout.spaced_empty_slots.push(n);
                    }
                    let v = match kind {
                        ElementKind::Picker => &mut lc.pickers,
                        ElementKind::Map => &mut lc.maps,
                        _ => &mut lc.slots,
                    };
                    put(v, idx, bc);
                }
            }
        }
        lc.layout.spaced_empty_slots.sort_unstable();
        Ok((lc, cur.warnings))
    }

    /// Where in the text of a library_contents file element `kind` `number` gets its
    /// existence from: the first `<kind> <n>:` line with the lowest `n` ≥ `number` (an
    /// element left out is made by a higher-numbered line of its type). Returns `n` and
    /// the 1-based line number; `None` when no such line is there. For error messages
    /// about an element the file implies (e.g. one an address map has no room for).
    pub fn element_line(text: &str, kind: ElementKind, number: u32) -> Option<(u32, usize)> {
        text.lines()
            .enumerate()
            .filter_map(|(i, line)| {
                let t = line.trim_start();
                if t.starts_with('#') {
                    return None;
                }
                let (head, _) = key_value(t)?;
                let mut words = head.split_whitespace();
                let (Some(word), Some(num), None) = (words.next(), words.next(), words.next())
                else {
                    return None;
                };
                let n: u32 = num.parse().ok()?;
                (word == kind.word() && n >= number).then_some((n, i + 1))
            })
            .min()
    }

    /// Every cartridge in the library with the element holding it: slots first, then the
    /// picker and MAP elements, each in number order.
    pub fn cartridges(&self) -> impl Iterator<Item = (ElementKind, u32, &Barcode)> {
        fn each(
            kind: ElementKind,
            v: &[Option<Barcode>],
        ) -> impl Iterator<Item = (ElementKind, u32, &Barcode)> {
            v.iter()
                .enumerate()
                .filter_map(move |(i, b)| b.as_ref().map(|b| (kind, i as u32 + 1, b)))
        }
        each(ElementKind::Slot, &self.slots)
            .chain(each(ElementKind::Picker, &self.pickers))
            .chain(each(ElementKind::Map, &self.maps))
    }

    /// `library_contents.<library>` inside `conf_dir`.
    pub fn path(&self, conf_dir: &Path) -> PathBuf {
        conf_dir.join(Self::file_name(self.library))
    }
}

fn barcode(cur: &Cursor<'_>, key: &str, s: &str) -> Result<Barcode> {
    let len = s.chars().count();
    if len > libvtlcart::barcode::MAX_PCL_LEN {
        return Err(ConfigError::TooLong {
            file: cur.file.to_path_buf(),
            line: cur.line,
            key: key.to_string(),
            value: s.to_string(),
            len,
            max: libvtlcart::barcode::MAX_PCL_LEN,
        });
    }
    Barcode::new(s).map_err(|e| {
        let why = match e {
            libvtlcart::CartError::BadBarcode { why, .. } => why.to_string(),
            other => other.to_string(),
        };
        cur.bad_value(key, s, format!("is not a valid barcode: {why}"))
    })
}

/// Set element `idx`, filling a gap before it with empty elements.
fn put<T>(v: &mut Vec<Option<T>>, idx: usize, value: Option<T>) {
    if v.len() <= idx {
        v.resize_with(idx + 1, || None);
    }
    v[idx] = value;
}

impl fmt::Display for LibraryContents {
    /// Write the file as mhvtl's generate_library_contents lays it out: `VERSION:` and a
    /// blank line, the drives, a blank line, the pickers, a blank line, the MAPs, a blank
    /// line, mhvtl's comment block when [`Layout::comment_block`], then the slots (each
    /// group and its blank line only when it has elements). Empty elements are `Slot N:`
    /// (`Slot N: ` for [`Layout::spaced_empty_slots`]). Parsing the output gives back an
    /// equal value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        if let Some(v) = self.version {
            let _ = write!(out, "VERSION: {v}\n\n");
        }
        fn group<T: fmt::Display>(out: &mut String, word: &str, v: &[Option<T>]) {
            if v.is_empty() {
                return;
            }
            for (i, e) in v.iter().enumerate() {
                match e {
                    Some(b) => {
                        let _ = writeln!(out, "{word} {}: {b}", i + 1);
                    }
                    None => {
                        let _ = writeln!(out, "{word} {}:", i + 1);
                    }
                }
            }
            out.push('\n');
        }
        group(&mut out, "Drive", &self.drives);
        group(&mut out, "Picker", &self.pickers);
        group(&mut out, "MAP", &self.maps);
        if self.layout.comment_block {
            out.push_str(SLOT_COMMENT);
        }
        for (i, e) in self.slots.iter().enumerate() {
            let n = i as u32 + 1;
            match e {
                Some(b) => {
                    let _ = writeln!(out, "Slot {n}: {b}");
                }
                None if self.layout.spaced_empty_slots.binary_search(&n).is_ok() => {
                    let _ = writeln!(out, "Slot {n}: ");
                }
                None => {
                    let _ = writeln!(out, "Slot {n}:");
                }
            }
        }
        f.write_str(&out)
    }
}
