//! `device.conf`: the libraries (SMC) and drives (SSC) vtl presents, in mhvtl's format
//! (spec 3.1).
//!
//! # Format
//!
//! A stanza starts in column 1 with `Library: <id> CHANNEL: <c> TARGET: <t> LUN: <l>` or
//! `Drive: <id> CHANNEL: <c> TARGET: <t> LUN: <l>` (decimal; leading zeros allowed) and
//! holds keys indented by whitespace, one per line. A blank (empty or whitespace-only)
//! line ends the stanza; a line whose first non-blank character is `#` is a comment and does
//! not. `VERSION: n` lines in column 1 give the file's version. Keys are case-sensitive.
//!
//! How vtl differs from mhvtl's reader (on purpose):
//!
//! * unknown keys, keys of the other stanza kind and repeated keys are [`Warning`]s (mhvtl
//!   ignores them silently); out-of-range values are errors naming file, line and key;
//! * `Product identification:` is the rest of the line after the colon, any amount of
//!   whitespace around it trimmed, cut to 16 characters with a warning (mhvtl's arithmetic,
//!   spec 8 item 29, needs exactly one leading space);
//! * `Unit serial number:` keeps up to 16 characters (mhvtl refuses more than 16 but keeps
//!   only 15 of them; vtl keeps what it accepts); more is an error;
//! * a malformed `NAA:` is a warning and leaves [`LibraryConf::naa`] / [`DriveConf::naa`]
//!   `None`: the daemon then uses [`default_naa`] (mhvtl also falls back to a default);
//! * `Home directory:` belongs only to its own stanza (spec 8 item 21); a vtl extension
//!   also allows it in a `Drive:` stanza, where it names the cartridge directory of a
//!   stand-alone drive ([`DriveConf::home`]);
//! * a key line outside any stanza is an error, not silently ignored (spec 8 item 24).

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Result, Warning};
use crate::line::{Cursor, excerpt, key_value};

/// `commandtimeout:` when not given: seconds a `movecommand` may run (spec 3.1).
pub const DEFAULT_COMMAND_TIMEOUT: u32 = 20;
/// Longest INQUIRY T10 VENDOR IDENTIFICATION (SPC-5 6.7.2): 8 characters.
pub const MAX_VENDOR_LEN: usize = 8;
/// Longest INQUIRY PRODUCT IDENTIFICATION (SPC-5 6.7.2): 16 characters.
pub const MAX_PRODUCT_LEN: usize = 16;
/// Longest INQUIRY PRODUCT REVISION LEVEL (SPC-5 6.7.2): 4 characters.
pub const MAX_REVISION_LEN: usize = 4;
/// Longest `Unit serial number:` (VPD page 0x80, spec 3.1): 16 characters, all kept.
pub const MAX_SERIAL_LEN: usize = 16;
/// Highest library or drive id: vtlcmd's device number limit (spec 2.4, below 32768).
pub const MAX_UNIT_ID: u32 = 32767;
/// `Backoff:` values accepted, in microseconds (spec 3.1).
pub const BACKOFF_RANGE: std::ops::RangeInclusive<u32> = 2..=9999;
/// The `VERSION:` mhvtl's generator writes into device.conf.
pub const DEVICE_CONF_VERSION: u32 = 5;

/// A whole device.conf: every library and drive stanza in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceConf {
    /// `Library:` stanzas, in file order.
    pub libraries: Vec<LibraryConf>,
    /// `Drive:` stanzas, in file order.
    pub drives: Vec<DriveConf>,
    /// The `VERSION:` line's number, if any (mhvtl writes 5; it is not otherwise used).
    pub version: Option<u32>,
}

/// One `Library:` stanza: a medium changer logical unit (SMC) and its media home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryConf {
    /// Library id: queue id, char-device minor and vtlcmd number (0..=[`MAX_UNIT_ID`]).
    pub id: u32,
    /// SCSI channel (bus) of the logical unit.
    pub channel: u32,
    /// SCSI target id.
    pub target: u32,
    /// Logical unit number.
    pub lun: u32,
    /// `Vendor identification:` (INQUIRY, at most 8 characters; `None` = daemon default).
    pub vendor: Option<String>,
    /// `Product identification:` (INQUIRY, at most 16 characters, may contain spaces;
    /// selects the library personality, spec 6.3).
    pub product: Option<String>,
    /// `Product revision level:` (INQUIRY, at most 4 characters).
    pub revision: Option<String>,
    /// `Unit serial number:` (VPD 0x80, at most 16 characters).
    pub serial: Option<String>,
    /// `NAA:` the 8-byte NAA designator of VPD 0x83; `None` = [`default_naa`].
    pub naa: Option<[u8; 8]>,
    /// `Home directory:` where this library's cartridges live (default
    /// [`libvtlcart::home::DEFAULT_HOME`]).
    pub home: PathBuf,
    /// `PERSIST:` save and restore `library_contents.<id>.persist` (default false).
    pub persist: bool,
    /// `movecommand:` program run on every move (spec 3.1).
    pub movecommand: Option<PathBuf>,
    /// `commandtimeout:` seconds the move command may run (default 20).
    pub commandtimeout: u32,
    /// `Backoff:` microseconds added to the poll sleep per idle poll ([`BACKOFF_RANGE`]);
    /// `None` = daemon default.
    pub backoff: Option<u32>,
    /// `fifo:` status FIFO path (spec 4.3).
    pub fifo: Option<PathBuf>,
    /// `Alternate volume tags: Yes|No` (a vtl extension, default No): READ ELEMENT STATUS
    /// with VOLTAG also reports an alternate volume tag (SMC-3 6.11.9), the cartridge's MAM
    /// MEDIUM SERIAL NUMBER. Off by default because changer scripts that parse `mtx status`
    /// (Bacula's mtx-changer among them) are not written for the extra field.
    pub alternate_volume_tags: bool,
}

impl LibraryConf {
    /// A library stanza with only its header given: every key at its default.
    pub fn new(id: u32, channel: u32, target: u32, lun: u32) -> Self {
        LibraryConf {
            id,
            channel,
            target,
            lun,
            vendor: None,
            product: None,
            revision: None,
            serial: None,
            naa: None,
            home: PathBuf::from(libvtlcart::home::DEFAULT_HOME),
            persist: false,
            movecommand: None,
            commandtimeout: DEFAULT_COMMAND_TIMEOUT,
            backoff: None,
            fifo: None,
            alternate_volume_tags: false,
        }
    }
}

/// Compression algorithm of `Compression type:` (spec 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompressionKind {
    /// `lzo`: LZO1X-1.
    Lzo,
    /// `zlib`: a zlib stream at the configured factor.
    Zlib,
}

/// A drive's compression settings: `Compression: factor X enabled Y` (or `Compression: X`)
/// and `Compression type: lzo|zlib`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compression {
    /// zlib level 1 (fastest) ..= 9 (best).
    pub factor: u8,
    /// Whether the drive compresses by default (the DCE bit of mode page 0x0F).
    pub enabled: bool,
    /// The algorithm; `None` when no `Compression type:` line was given.
    pub kind: Option<CompressionKind>,
}

impl Default for Compression {
    /// Factor 1, disabled, no algorithm named: what a drive stanza without compression
    /// keys means.
    fn default() -> Self {
        Compression {
            factor: 1,
            enabled: false,
            kind: None,
        }
    }
}

/// One `Drive:` stanza: a tape drive logical unit (SSC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveConf {
    /// Drive id: queue id, char-device minor and vtlcmd number (0..=[`MAX_UNIT_ID`]).
    pub id: u32,
    /// SCSI channel (bus).
    pub channel: u32,
    /// SCSI target id.
    pub target: u32,
    /// Logical unit number.
    pub lun: u32,
    /// `Library ID: L Slot: S`: the library's id and this drive's 1-based drive element
    /// number in it; `None` for a stand-alone drive.
    pub library: Option<(u32, u32)>,
    /// `Vendor identification:` (at most 8 characters).
    pub vendor: Option<String>,
    /// `Product identification:` (at most 16 characters, may contain spaces, e.g.
    /// `Ultrium 8-SCSI`; selects the drive personality, spec 6.2).
    pub product: Option<String>,
    /// `Product revision level:` (at most 4 characters).
    pub revision: Option<String>,
    /// `Unit serial number:` (at most 16 characters).
    pub serial: Option<String>,
    /// `NAA:` designator; `None` = [`default_naa`].
    pub naa: Option<[u8; 8]>,
    /// Compression settings.
    pub compression: Compression,
    /// `LBP RSCRC BE:` Reed-Solomon logical block protection CRC big-endian (default true).
    pub lbp_rscrc_be: bool,
    /// `Backoff:` microseconds ([`BACKOFF_RANGE`]); `None` = daemon default.
    pub backoff: Option<u32>,
    /// `fifo:` status FIFO path.
    pub fifo: Option<PathBuf>,
    /// `Home directory:` (a vtl extension): where a stand-alone drive (no `Library ID:`)
    /// finds its cartridges; `None` = the default media home. A drive in a library uses its
    /// library's `Home directory:` ([`DeviceConf::drive_home`]).
    pub home: Option<PathBuf>,
}

impl DriveConf {
    /// A drive stanza with only its header given: every key at its default.
    pub fn new(id: u32, channel: u32, target: u32, lun: u32) -> Self {
        DriveConf {
            id,
            channel,
            target,
            lun,
            library: None,
            vendor: None,
            product: None,
            revision: None,
            serial: None,
            naa: None,
            compression: Compression::default(),
            lbp_rscrc_be: true,
            backoff: None,
            fifo: None,
            home: None,
        }
    }
}

/// The NAA designator used when a stanza has none (or a malformed one): the one mhvtl's
/// generator writes, `<lib>:22:33:44:ab:<channel>:<target>:<lun>`, each number printed as
/// two decimal digits read back as a hex byte (library 10 gives 0x10); numbers above 99
/// use their last two digits. `lib` is the library's own id, or for a drive the id of its
/// library (its own id when it has none).
pub fn default_naa(lib: u32, channel: u32, target: u32, lun: u32) -> [u8; 8] {
    let bcd = |n: u32| {
        let n = n % 100;
        (((n / 10) << 4) | (n % 10)) as u8
    };
    [
        bcd(lib),
        0x22,
        0x33,
        0x44,
        0xab,
        bcd(channel),
        bcd(target),
        bcd(lun),
    ]
}

/// Parse `aa:bb:cc:dd:ee:ff:gg:hh` (8 hex bytes of one or two digits each).
pub fn parse_naa(s: &str) -> Option<[u8; 8]> {
    let mut out = [0u8; 8];
    let mut parts = s.split(':');
    for b in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 || !p.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Format an NAA designator as device.conf writes it (`10:22:33:44:ab:00:00:00`).
pub fn format_naa(naa: &[u8; 8]) -> String {
    let mut s = String::with_capacity(23);
    for (i, b) in naa.iter().enumerate() {
        if i > 0 {
            s.push(':');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Keys valid in both stanza kinds (`Home directory:` in a drive stanza is a vtl
/// extension).
const COMMON_KEYS: &[&str] = &[
    "Home directory",
    "Vendor identification",
    "Product identification",
    "Product revision level",
    "Unit serial number",
    "NAA",
    "Backoff",
    "fifo",
];
/// Keys of `Library:` stanzas only.
const LIBRARY_KEYS: &[&str] = &[
    "PERSIST",
    "movecommand",
    "commandtimeout",
    "Alternate volume tags",
];
/// Keys of `Drive:` stanzas only.
const DRIVE_KEYS: &[&str] = &[
    "Library ID",
    "Compression",
    "Compression type",
    "LBP RSCRC BE",
];

/// Every key the parser accepts, as written before the `:` (both stanza kinds; spec 3.1).
pub fn known_keys() -> impl Iterator<Item = &'static str> {
    COMMON_KEYS
        .iter()
        .chain(LIBRARY_KEYS)
        .chain(DRIVE_KEYS)
        .copied()
}

fn known_key(k: &str) -> Option<&'static str> {
    COMMON_KEYS
        .iter()
        .chain(LIBRARY_KEYS)
        .chain(DRIVE_KEYS)
        .find(|&&x| x == k)
        .copied()
}

#[derive(Clone, Copy)]
enum Open {
    Library(usize),
    Drive(usize),
}

/// The value fields both stanza kinds share, borrowed mutably from one of them.
struct Common<'a> {
    vendor: &'a mut Option<String>,
    product: &'a mut Option<String>,
    revision: &'a mut Option<String>,
    serial: &'a mut Option<String>,
    naa: &'a mut Option<[u8; 8]>,
    backoff: &'a mut Option<u32>,
    fifo: &'a mut Option<PathBuf>,
}

impl DeviceConf {
    /// Read `<conf_dir>/device.conf` (bytes that are not UTF-8 are replaced).
    ///
    /// Errors: the file cannot be read, or any error of [`DeviceConf::parse`].
    pub fn read(conf_dir: &Path) -> Result<(DeviceConf, Vec<Warning>)> {
        let path = conf_dir.join("device.conf");
        let bytes = std::fs::read(&path).map_err(|source| ConfigError::Io {
            file: path.clone(),
            source,
        })?;
        Self::parse(&String::from_utf8_lossy(&bytes), &path)
    }

    /// Parse the text of a device.conf; `file` only names it in errors and warnings.
    ///
    /// Returns the configuration and the warnings (unknown or misplaced keys, repeated keys,
    /// extra words after a value, a malformed NAA, a product identification cut to 16).
    ///
    /// Errors ([`ConfigError`], naming file, line and key): a key line outside any stanza,
    /// a known key in column 1, a stanza header without `CHANNEL:`/`TARGET:`/`LUN:`, numbers
    /// that are not numbers or out of range, values too long (vendor > 8, revision > 4,
    /// serial > 16), values not among those accepted (`PERSIST`, `Compression`,
    /// `Compression type`, `LBP RSCRC BE`), a key without a value.
    pub fn parse(text: &str, file: &Path) -> Result<(DeviceConf, Vec<Warning>)> {
        let mut cur = Cursor::new(file);
        let mut conf = DeviceConf::default();
        let mut open: Option<Open> = None;
        // Keys seen in the open stanza, with their lines (repeats draw a warning).
        let mut seen: Vec<(&'static str, usize)> = Vec::new();
        let mut version_line: Option<usize> = None;
        for (i, line) in text.lines().enumerate() {
            cur.line = i + 1;
            let trimmed = line.trim();
            if trimmed.is_empty() {
                open = None;
                continue;
            }
            if trimmed.starts_with('#') {
                continue;
            }
            let indented = line.starts_with(char::is_whitespace);
            if !indented {
                if let Some(rest) = line.strip_prefix("VERSION:") {
                    let v = cur.word("VERSION", rest)?;
                    let v = cur.number("VERSION", v, 0, u32::MAX, "a number")?;
                    if let Some(first) = version_line {
                        cur.warn("VERSION", format!("given again (first on line {first})"));
                    }
                    version_line = Some(cur.line);
                    conf.version = Some(v);
                    open = None;
                } else if let Some(rest) = line.strip_prefix("Library:") {
                    let (id, c, t, l) = header(&mut cur, "Library", rest)?;
                    conf.libraries.push(LibraryConf::new(id, c, t, l));
                    open = Some(Open::Library(conf.libraries.len() - 1));
                    seen.clear();
                } else if let Some(rest) = line.strip_prefix("Drive:") {
                    let (id, c, t, l) = header(&mut cur, "Drive", rest)?;
                    conf.drives.push(DriveConf::new(id, c, t, l));
                    open = Some(Open::Drive(conf.drives.len() - 1));
                    seen.clear();
                } else {
                    match key_value(trimmed).and_then(|(k, _)| known_key(k)) {
                        Some(k) => {
                            return Err(cur.syntax(
                                k,
                                "a key must be indented (start with a space) inside a Library: or Drive: stanza",
                            ));
                        }
                        None => {
                            let k = key_value(trimmed).map_or(trimmed, |(k, _)| k);
                            cur.warn(
                                &excerpt(k),
                                "not a stanza header (Library:, Drive:, VERSION:); line ignored",
                            );
                        }
                    }
                }
                continue;
            }
            // An indented key line.
            let Some((key, value)) = key_value(trimmed) else {
                if open.is_none() {
                    return Err(cur.syntax(
                        &excerpt(trimmed),
                        "key outside any stanza (a blank line ended the last one)",
                    ));
                }
                cur.warn(&excerpt(trimmed), "not a 'key: value' line; ignored");
                continue;
            };
            let Some(open) = open else {
                return Err(cur.syntax(
                    &excerpt(key),
                    "key outside any stanza (a blank line ended the last one)",
                ));
            };
            let Some(k) = known_key(key) else {
                cur.warn(&excerpt(key), "unknown key; ignored");
                continue;
            };
            if let Some(&(_, first)) = seen.iter().find(|(s, _)| *s == k) {
                cur.warn(
                    k,
                    format!("given again (first on line {first}); this value is used"),
                );
            } else {
                seen.push((k, cur.line));
            }
            match open {
                Open::Library(idx) => {
                    let lib = &mut conf.libraries[idx];
                    if DRIVE_KEYS.contains(&k) {
                        cur.warn(k, "applies to Drive: stanzas only; ignored");
                        continue;
                    }
                    if !library_key(&mut cur, lib, k, value)? {
                        let common = Common {
                            vendor: &mut lib.vendor,
                            product: &mut lib.product,
                            revision: &mut lib.revision,
                            serial: &mut lib.serial,
                            naa: &mut lib.naa,
                            backoff: &mut lib.backoff,
                            fifo: &mut lib.fifo,
                        };
                        common_key(&mut cur, common, k, value)?;
                    }
                }
                Open::Drive(idx) => {
                    let drv = &mut conf.drives[idx];
                    if LIBRARY_KEYS.contains(&k) {
                        cur.warn(k, "applies to Library: stanzas only; ignored");
                        continue;
                    }
                    if !drive_key(&mut cur, drv, k, value)? {
                        let common = Common {
                            vendor: &mut drv.vendor,
                            product: &mut drv.product,
                            revision: &mut drv.revision,
                            serial: &mut drv.serial,
                            naa: &mut drv.naa,
                            backoff: &mut drv.backoff,
                            fifo: &mut drv.fifo,
                        };
                        common_key(&mut cur, common, k, value)?;
                    }
                }
            }
        }
        Ok((conf, cur.warnings))
    }

    /// The library stanza with id `id`.
    pub fn library(&self, id: u32) -> Option<&LibraryConf> {
        self.libraries.iter().find(|l| l.id == id)
    }

    /// The drive stanza with id `id`.
    pub fn drive(&self, id: u32) -> Option<&DriveConf> {
        self.drives.iter().find(|d| d.id == id)
    }

    /// The drives whose `Library ID:` is `lib`, in file order.
    pub fn drives_of(&self, lib: u32) -> impl Iterator<Item = &DriveConf> {
        self.drives
            .iter()
            .filter(move |d| d.library.map(|(l, _)| l) == Some(lib))
    }

    /// A library's NAA designator: its `NAA:` or else [`default_naa`].
    pub fn library_naa(lib: &LibraryConf) -> [u8; 8] {
        lib.naa
            .unwrap_or_else(|| default_naa(lib.id, lib.channel, lib.target, lib.lun))
    }

    /// Where drive `drv` finds its cartridges: its library's `Home directory:` when it has a
    /// `Library ID:` naming a library of this file, else its own `Home directory:` (a vtl
    /// extension), else `default` (the default media home).
    pub fn drive_home(&self, drv: &DriveConf, default: &Path) -> PathBuf {
        if let Some((lib, _)) = drv.library
            && let Some(l) = self.library(lib)
        {
            return l.home.clone();
        }
        drv.home.clone().unwrap_or_else(|| default.to_path_buf())
    }

    /// A drive's unit serial number: its `Unit serial number:` or else `DRV<id>` (libraries
    /// get `LIB<id>` from vtllibrary), unique as the ids are.
    pub fn drive_serial(drv: &DriveConf) -> String {
        drv.serial
            .clone()
            .unwrap_or_else(|| format!("DRV{}", drv.id))
    }

    /// A drive's NAA designator: its `NAA:` or else [`default_naa`] (with its library's id).
    pub fn drive_naa(drv: &DriveConf) -> [u8; 8] {
        let lib = drv.library.map_or(drv.id, |(l, _)| l);
        drv.naa
            .unwrap_or_else(|| default_naa(lib, drv.channel, drv.target, drv.lun))
    }
}

/// Parse the rest of a stanza header: `<id> CHANNEL: <c> TARGET: <t> LUN: <l>`.
fn header(cur: &mut Cursor<'_>, kind: &str, rest: &str) -> Result<(u32, u32, u32, u32)> {
    let missing = |cur: &Cursor<'_>| {
        cur.syntax(
            kind,
            format!("expected '{kind}: <id> CHANNEL: <c> TARGET: <t> LUN: <l>'"),
        )
    };
    let (id, mut rest) = take_word(rest).ok_or_else(|| missing(cur))?;
    let id = cur.number(kind, id, 0, MAX_UNIT_ID, "0..=32767")?;
    let mut nums = [0u32; 3];
    for (n, label) in nums.iter_mut().zip(["CHANNEL", "TARGET", "LUN"]) {
        let r = rest.trim_start();
        let r = r
            .strip_prefix(label)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or_else(|| missing(cur))?;
        let (v, r) = take_word(r).ok_or_else(|| missing(cur))?;
        *n = cur.number(label, v, 0, u32::from(u16::MAX), "0..=65535")?;
        rest = r;
    }
    if !rest.trim().is_empty() {
        cur.warn(
            kind,
            format!("text after the LUN is ignored: {:?}", rest.trim()),
        );
    }
    Ok((id, nums[0], nums[1], nums[2]))
}

/// The first word of `s` and what follows it.
fn take_word(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start();
    if s.is_empty() {
        return None;
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    Some((&s[..end], &s[end..]))
}

fn path_value(cur: &mut Cursor<'_>, key: &str, value: &str) -> Result<PathBuf> {
    Ok(PathBuf::from(cur.word(key, value)?))
}

/// Keys of both stanza kinds.
fn common_key(cur: &mut Cursor<'_>, c: Common<'_>, k: &'static str, value: &str) -> Result<()> {
    match k {
        "Vendor identification" => {
            let v = cur.word(k, value)?;
            cur.ascii_field(k, v, MAX_VENDOR_LEN, false)?;
            *c.vendor = Some(v.to_string());
        }
        "Product identification" => {
            let v = value.trim();
            if v.is_empty() {
                return Err(cur.syntax(k, "no value"));
            }
            let cut: String = v.chars().take(MAX_PRODUCT_LEN).collect();
            if cut.len() < v.len() {
                cur.warn(
                    k,
                    format!(
                        "{v:?} is longer than {MAX_PRODUCT_LEN} characters; {:?} is used",
                        cut.trim_end()
                    ),
                );
            }
            let cut = cut.trim_end();
            cur.ascii_field(k, cut, MAX_PRODUCT_LEN, true)?;
            *c.product = Some(cut.to_string());
        }
        "Product revision level" => {
            let v = cur.word(k, value)?;
            cur.ascii_field(k, v, MAX_REVISION_LEN, false)?;
            *c.revision = Some(v.to_string());
        }
        "Unit serial number" => {
            let v = cur.word(k, value)?;
            cur.ascii_field(k, v, MAX_SERIAL_LEN, false)?;
            *c.serial = Some(v.to_string());
        }
        "NAA" => {
            let v = cur.word(k, value)?;
            match parse_naa(v) {
                Some(n) => *c.naa = Some(n),
                None => {
                    cur.warn(
                        k,
                        format!(
                            "{v:?} is not 8 hex bytes separated by ':' (aa:bb:cc:dd:ee:ff:gg:hh); the default designator is used"
                        ),
                    );
                    *c.naa = None;
                }
            }
        }
        "Backoff" => {
            let v = cur.word(k, value)?;
            *c.backoff = Some(cur.number(
                k,
                v,
                *BACKOFF_RANGE.start(),
                *BACKOFF_RANGE.end(),
                "2..=9999 microseconds",
            )?);
        }
        "fifo" => *c.fifo = Some(path_value(cur, k, value)?),
        _ => unreachable!("common_key called with {k}"),
    }
    Ok(())
}

/// Keys of `Library:` stanzas; false when `k` is not one of them.
fn library_key(cur: &mut Cursor<'_>, lib: &mut LibraryConf, k: &str, value: &str) -> Result<bool> {
    match k {
        "Home directory" => lib.home = path_value(cur, k, value)?,
        "PERSIST" => {
            let v = cur.word(k, value)?;
            lib.persist = match v.to_ascii_lowercase().as_str() {
                "true" | "yes" => true,
                "false" | "no" => false,
                _ => return Err(cur.bad_value(k, v, "is not True, Yes, False or No")),
            };
        }
        "Alternate volume tags" => {
            let v = cur.word(k, value)?;
            lib.alternate_volume_tags = match v.to_ascii_lowercase().as_str() {
                "true" | "yes" => true,
                "false" | "no" => false,
                _ => return Err(cur.bad_value(k, v, "is not True, Yes, False or No")),
            };
        }
        "movecommand" => lib.movecommand = Some(path_value(cur, k, value)?),
        "commandtimeout" => {
            let v = cur.word(k, value)?;
            lib.commandtimeout = cur.number(k, v, 1, 86_400, "1..=86400 seconds")?;
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Keys of `Drive:` stanzas; false when `k` is not one of them.
fn drive_key(cur: &mut Cursor<'_>, drv: &mut DriveConf, k: &str, value: &str) -> Result<bool> {
    match k {
        "Home directory" => drv.home = Some(path_value(cur, k, value)?),
        "Library ID" => {
            let bad =
                |cur: &Cursor<'_>| cur.syntax(k, "expected 'Library ID: <library> Slot: <n>'");
            let (lib, rest) = take_word(value).ok_or_else(|| bad(cur))?;
            let lib = cur.number(k, lib, 0, MAX_UNIT_ID, "0..=32767")?;
            let rest = rest
                .trim_start()
                .strip_prefix("Slot:")
                .ok_or_else(|| bad(cur))?;
            let (slot, rest) = take_word(rest).ok_or_else(|| bad(cur))?;
            let slot = cur.number("Slot", slot, 1, crate::MAX_ELEMENTS, "1..=65535")?;
            if !rest.trim().is_empty() {
                cur.warn(
                    k,
                    format!("text after the slot is ignored: {:?}", rest.trim()),
                );
            }
            drv.library = Some((lib, slot));
        }
        "Compression" => {
            let words: Vec<&str> = value.split_whitespace().collect();
            match words.as_slice() {
                ["factor", f, "enabled", e, rest @ ..] => {
                    let factor = cur.number(k, f, 1, 9, "factor 1..=9")?;
                    let enabled = match *e {
                        "0" => false,
                        "1" => true,
                        _ => return Err(cur.bad_value(k, e, "is not 0 or 1 (enabled)")),
                    };
                    if !rest.is_empty() {
                        cur.warn(k, format!("text after {e:?} is ignored"));
                    }
                    drv.compression.factor = factor as u8;
                    drv.compression.enabled = enabled;
                }
                [n, rest @ ..] if n.bytes().all(|b| b.is_ascii_digit()) => {
                    // `Compression: X`: 1..=9 enables at that factor, 0 disables (spec 3.1).
                    let n = cur.number(k, n, 0, 9, "0 (off) or 1..=9")?;
                    if !rest.is_empty() {
                        cur.warn(k, format!("text after {:?} is ignored", words[0]));
                    }
                    if n == 0 {
                        drv.compression.enabled = false;
                    } else {
                        drv.compression.factor = n as u8;
                        drv.compression.enabled = true;
                    }
                }
                [] => return Err(cur.syntax(k, "no value")),
                _ => {
                    return Err(cur.bad_value(
                        k,
                        value.trim(),
                        "is neither 'factor <1..9> enabled <0|1>' nor a number 0..9",
                    ));
                }
            }
        }
        "Compression type" => {
            let v = cur.word(k, value)?;
            drv.compression.kind = Some(match v.to_ascii_lowercase().as_str() {
                "lzo" => CompressionKind::Lzo,
                "zlib" => CompressionKind::Zlib,
                _ => return Err(cur.bad_value(k, v, "is not lzo or zlib")),
            });
        }
        "LBP RSCRC BE" => {
            let v = cur.word(k, value)?;
            drv.lbp_rscrc_be = match v {
                "0" => false,
                "1" => true,
                _ => return Err(cur.bad_value(k, v, "is not 0 or 1")),
            };
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The comment block mhvtl's generate_device_conf writes after `VERSION:` (reproduced so
/// that vtl's generated file is byte-identical to mhvtl's; spec 2.5).
const HEADER_COMMENT: &str = "\
# VPD page format:
# <page #> <Length> <x> <x+1>... <x+n>
# NAA format is an 8 hex byte value seperated by ':'
# Note: NAA is part of inquiry VPD 0x83
#
# Each 'record' is separated by one (or more) blank lines.
# Each 'record' starts at column 1
# Serial num max len is 10.
# Compression: factor X enabled 0|1
#     Where X is zlib compression factor\t1 = Fastest compression
#\t\t\t\t\t\t9 = Best compression
#     enabled 0 == off, 1 == on
#
# fifo: /var/tmp/mhvtl
# If enabled, data must be read from fifo, otherwise daemon will block
# trying to write.
# e.g. cat /var/tmp/mhvtl (in another terminal)
";

/// The comment written in place of an unset `fifo:` key (as mhvtl's generator does).
const FIFO_HINT: &str = "# fifo: /var/tmp/mhvtl\n";

fn write_common(
    out: &mut String,
    vendor: &Option<String>,
    product: &Option<String>,
    revision: &Option<String>,
    serial: &Option<String>,
    naa: &Option<[u8; 8]>,
) {
    if let Some(v) = vendor {
        let _ = writeln!(out, " Vendor identification: {v}");
    }
    if let Some(v) = product {
        let _ = writeln!(out, " Product identification: {v}");
    }
    if let Some(v) = revision {
        let _ = writeln!(out, " Product revision level: {v}");
    }
    if let Some(v) = serial {
        let _ = writeln!(out, " Unit serial number: {v}");
    }
    if let Some(n) = naa {
        let _ = writeln!(out, " NAA: {}", format_naa(n));
    }
}

fn write_tail(out: &mut String, backoff: Option<u32>, fifo: &Option<PathBuf>) {
    if let Some(b) = backoff {
        let _ = writeln!(out, " Backoff: {b}");
    }
    match fifo {
        Some(p) => {
            let _ = writeln!(out, " fifo: {}", p.display());
        }
        None => out.push_str(FIFO_HINT),
    }
    out.push('\n');
}

fn write_library(out: &mut String, l: &LibraryConf) {
    let _ = writeln!(
        out,
        "Library: {:02} CHANNEL: {:02} TARGET: {:02} LUN: {:02}",
        l.id, l.channel, l.target, l.lun
    );
    write_common(out, &l.vendor, &l.product, &l.revision, &l.serial, &l.naa);
    let _ = writeln!(out, " Home directory: {}", l.home.display());
    let _ = writeln!(
        out,
        " PERSIST: {}",
        if l.persist { "True" } else { "False" }
    );
    if let Some(m) = &l.movecommand {
        let _ = writeln!(out, " movecommand: {}", m.display());
    }
    if l.commandtimeout != DEFAULT_COMMAND_TIMEOUT {
        let _ = writeln!(out, " commandtimeout: {}", l.commandtimeout);
    }
    if l.alternate_volume_tags {
        out.push_str(" Alternate volume tags: Yes\n");
    }
    write_tail(out, l.backoff, &l.fifo);
}

fn write_drive(out: &mut String, d: &DriveConf) {
    let _ = writeln!(
        out,
        "Drive: {:02} CHANNEL: {:02} TARGET: {:02} LUN: {:02}",
        d.id, d.channel, d.target, d.lun
    );
    if let Some((lib, slot)) = d.library {
        let _ = writeln!(out, " Library ID: {lib:02} Slot: {slot:02}");
    }
    write_common(out, &d.vendor, &d.product, &d.revision, &d.serial, &d.naa);
    if let Some(h) = &d.home {
        let _ = writeln!(out, " Home directory: {}", h.display());
    }
    let c = &d.compression;
    let _ = writeln!(
        out,
        " Compression: factor {} enabled {}",
        c.factor,
        u8::from(c.enabled)
    );
    match c.kind {
        Some(CompressionKind::Lzo) => out.push_str(" Compression type: lzo\n"),
        Some(CompressionKind::Zlib) => out.push_str(" Compression type: zlib\n"),
        None => {}
    }
    if !d.lbp_rscrc_be {
        out.push_str(" LBP RSCRC BE: 0\n");
    }
    write_tail(out, d.backoff, &d.fifo);
}

impl fmt::Display for DeviceConf {
    /// Write the file in mhvtl's format (as its generate_device_conf of master lays it
    /// out): a blank line, `VERSION:`, mhvtl's comment block, then each library followed by
    /// its drives, every stanza ended by a blank line, `# fifo: /var/tmp/mhvtl` where no
    /// FIFO is set. Libraries and drives keep their relative orders, so parsing the output
    /// gives back an equal [`DeviceConf`]: a drive is written after every library up to its
    /// own; libraries no drive names come after the last drive.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("\n");
        if let Some(v) = self.version {
            let _ = writeln!(out, "VERSION: {v}\n");
        }
        out.push_str(HEADER_COMMENT);
        out.push('\n');
        let mut next_lib = 0;
        for d in &self.drives {
            if let Some((lib, _)) = d.library
                && let Some(pos) = self.libraries[next_lib..].iter().position(|l| l.id == lib)
            {
                for l in &self.libraries[next_lib..=next_lib + pos] {
                    write_library(&mut out, l);
                }
                next_lib += pos + 1;
            }
            write_drive(&mut out, d);
        }
        for l in &self.libraries[next_lib..] {
            write_library(&mut out, l);
        }
        f.write_str(&out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naa_parse_and_format() {
        assert_eq!(
            parse_naa("10:22:33:44:ab:00:0:FF"),
            Some([0x10, 0x22, 0x33, 0x44, 0xab, 0, 0, 0xff])
        );
        for bad in [
            "",
            "10:22",
            "10:22:33:44:ab:00:00:00:00",
            "1g:22:33:44:ab:00:00:00",
            "100:22:33:44:ab:00:00:00",
            "10::33:44:ab:00:00:00",
        ] {
            assert_eq!(parse_naa(bad), None, "{bad}");
        }
        assert_eq!(
            format_naa(&default_naa(30, 0, 10, 0)),
            "30:22:33:44:ab:00:10:00"
        );
        assert_eq!(
            format_naa(&default_naa(130, 0, 112, 7)),
            "30:22:33:44:ab:00:12:07"
        );
    }
}
