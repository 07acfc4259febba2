//! Checks across stanzas and files: what each file's parser cannot see alone (spec 3.1 and
//! 3.2: duplicate barcodes abort mhvtl's library daemon; ids, addresses and identifiers
//! must be unique for the kernel, vtlcmd and the hosts' multipath/udev naming).

use std::collections::HashMap;
use std::fmt;

use crate::device_conf::{DeviceConf, format_naa};
use crate::library_contents::{ElementKind, LibraryContents};

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration must not be used as it is.
    Error,
    /// Works, but probably not as meant.
    Warning,
}

/// One finding of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, naming the units, elements and files involved.
    pub message: String,
}

impl Problem {
    fn error(message: String) -> Self {
        Problem {
            severity: Severity::Error,
            message,
        }
    }
    fn warning(message: String) -> Self {
        Problem {
            severity: Severity::Warning,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => write!(f, "error: {}", self.message),
            Severity::Warning => write!(f, "warning: {}", self.message),
        }
    }
}

/// True when any problem is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(|p| p.severity == Severity::Error)
}

/// Check a device.conf and the library_contents files meant to go with it.
///
/// Errors: two units (libraries or drives) with one id; two units at one
/// CHANNEL/TARGET/LUN; two units with one unit serial number or one NAA designator
/// (explicit or default); a drive whose `Library ID:` names no library; two drives in one
/// drive element of a library; a drive whose `Slot:` is beyond the drive elements of its
/// library's contents; a barcode twice in one library, or in two libraries sharing a media
/// home (one cartridge directory). Warnings: a contents file of a library device.conf does
/// not define; a drive element no drive is configured for; a `Drive n: SERIAL` of a
/// contents file that differs from the unit serial number of the drive configured there
/// (the library reports SERIAL, the drive its own); a library drive whose own
/// `Home directory:` differs from its library's (ignored); one barcode in two libraries
/// with different homes. Problems come in the order of these checks, then file order.
pub fn validate(conf: &DeviceConf, contents: &[LibraryContents]) -> Vec<Problem> {
    let mut out = Vec::new();
    struct Unit {
        name: String,
        id: u32,
        addr: (u32, u32, u32),
        serial: Option<String>,
        naa: [u8; 8],
    }
    let units: Vec<Unit> = conf
        .libraries
        .iter()
        .map(|l| Unit {
            name: format!("library {}", l.id),
            id: l.id,
            addr: (l.channel, l.target, l.lun),
            serial: l.serial.clone(),
            naa: DeviceConf::library_naa(l),
        })
        .chain(conf.drives.iter().map(|d| Unit {
            name: format!("drive {}", d.id),
            id: d.id,
            addr: (d.channel, d.target, d.lun),
            serial: d.serial.clone(),
            naa: DeviceConf::drive_naa(d),
        }))
        .collect();

    let mut ids: HashMap<u32, &str> = HashMap::new();
    let mut addrs: HashMap<(u32, u32, u32), &str> = HashMap::new();
    let mut serials: HashMap<&str, &str> = HashMap::new();
    let mut naas: HashMap<[u8; 8], &str> = HashMap::new();
    for u in &units {
        if let Some(first) = ids.insert(u.id, &u.name) {
            ids.insert(u.id, first);
            out.push(Problem::error(format!(
                "{} has the id {} of {first} (ids must be unique)",
                u.name, u.id
            )));
        }
        if let Some(first) = addrs.insert(u.addr, &u.name) {
            addrs.insert(u.addr, first);
            out.push(Problem::error(format!(
                "{} is at CHANNEL {} TARGET {} LUN {} like {first}",
                u.name, u.addr.0, u.addr.1, u.addr.2
            )));
        }
        if let Some(s) = &u.serial
            && let Some(first) = serials.insert(s, &u.name)
        {
            serials.insert(s, first);
            out.push(Problem::error(format!(
                "{} has the unit serial number {s:?} of {first}",
                u.name
            )));
        }
        if let Some(first) = naas.insert(u.naa, &u.name) {
            naas.insert(u.naa, first);
            out.push(Problem::error(format!(
                "{} has the NAA {} of {first}",
                u.name,
                format_naa(&u.naa)
            )));
        }
    }

    let mut drive_slots: HashMap<(u32, u32), u32> = HashMap::new();
    for d in &conf.drives {
        let Some((lib, slot)) = d.library else {
            continue;
        };
        let Some(l) = conf.library(lib) else {
            out.push(Problem::error(format!(
                "drive {}: Library ID {lib} names no library in device.conf",
                d.id
            )));
            continue;
        };
        if let Some(h) = &d.home
            && *h != l.home
        {
            out.push(Problem::warning(format!(
                "drive {}: Home directory {} is ignored: a drive of library {lib} uses the library's {}",
                d.id,
                h.display(),
                l.home.display()
            )));
        }
        if let Some(first) = drive_slots.insert((lib, slot), d.id) {
            drive_slots.insert((lib, slot), first);
            out.push(Problem::error(format!(
                "drive {} and drive {first} are both drive {slot} of library {lib}",
                d.id
            )));
        }
    }

    for lc in contents {
        let file = LibraryContents::file_name(lc.library);
        if conf.library(lc.library).is_none() {
            out.push(Problem::warning(format!(
                "{file}: library {} is not in device.conf; the file is not used",
                lc.library
            )));
            continue;
        }
        for d in conf.drives_of(lc.library) {
            if let Some((_, slot)) = d.library
                && slot as usize > lc.drives.len()
            {
                out.push(Problem::error(format!(
                    "drive {}: Slot {slot} of library {}, but {file} lists {} drive(s)",
                    d.id,
                    lc.library,
                    lc.drives.len()
                )));
            }
        }
        for n in 1..=lc.drives.len() as u32 {
            if !drive_slots.contains_key(&(lc.library, n)) {
                out.push(Problem::warning(format!(
                    "{file}: Drive {n} has no drive in device.conf (Library ID: {} Slot: {n}); it stays empty",
                    lc.library
                )));
            }
        }
        for (i, serial) in lc.drives.iter().enumerate() {
            let n = i as u32 + 1;
            let Some(serial) = serial else {
                continue;
            };
            let Some(d) = conf
                .drives_of(lc.library)
                .find(|d| d.library == Some((lc.library, n)))
            else {
                continue;
            };
            let own = DeviceConf::drive_serial(d);
            if own != *serial {
                out.push(Problem::warning(format!(
                    "{file}: Drive {n}: {serial} overrides the unit serial number {own} of drive {}: \
                     READ ELEMENT STATUS reports {serial}, the drive's INQUIRY {own}",
                    d.id
                )));
            }
        }
        let mut seen: HashMap<&str, String> = HashMap::new();
        for (kind, n, bc) in lc.cartridges() {
            let here = format!("{} {n}", kind_word(kind));
            if let Some(first) = seen.get(bc.as_str()) {
                out.push(Problem::error(format!(
                    "{file}: barcode {:?} is in {first} and {here}",
                    bc.as_str()
                )));
            } else {
                seen.insert(bc.as_str(), here);
            }
        }
    }

    // The same barcode in two libraries.
    let mut first: HashMap<&str, (u32, String)> = HashMap::new();
    for lc in contents {
        let Some(lib) = conf.library(lc.library) else {
            continue;
        };
        let mut mine = std::collections::HashSet::new();
        for (kind, n, bc) in lc.cartridges() {
            if !mine.insert(bc.as_str()) {
                continue;
            }
            let here = format!("{} {n}", kind_word(kind));
            match first.get(bc.as_str()) {
                None => {
                    first.insert(bc.as_str(), (lc.library, here));
                }
                Some((other, where_)) if *other != lc.library => {
                    let same_home = conf.library(*other).is_some_and(|o| o.home == lib.home);
                    let msg = format!(
                        "barcode {:?} is in library {other} ({where_}) and library {} ({here})",
                        bc.as_str(),
                        lc.library
                    );
                    if same_home {
                        out.push(Problem::error(format!(
                            "{msg}, which share the home {} (one cartridge directory)",
                            lib.home.display()
                        )));
                    } else {
                        out.push(Problem::warning(msg));
                    }
                }
                Some(_) => {}
            }
        }
    }
    out
}

fn kind_word(k: ElementKind) -> &'static str {
    k.word()
}
