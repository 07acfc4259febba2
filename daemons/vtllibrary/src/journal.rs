//! The state journal: the library's element state, made durable before any move is
//! acknowledged, so that a crash never loses or duplicates a cartridge.
//!
//! The file is `<media home>/.vtl-library-<id>.state` (next to the cartridges it describes;
//! the library id keeps libraries sharing a home apart). It is rewritten whole after every
//! change: written to `<file>.tmp`, fsync'ed, renamed over the file, and the directory
//! fsync'ed. At start the file wins over `library_contents.<id>` when its picker, MAP and
//! drive counts match the configuration and it has at least as many slots (vtlcmd `add
//! slot` adds slots); mhvtl's PERSIST, but always on and crash-safe.
//!
//! Format (text, one element a line, in type order pickers, slots, MAP, drives):
//!
//! ```text
//! vtl-library-state 1
//! map closed|open
//! <Picker|Slot|MAP|Drive> <number> <barcode|-> <source address|-> <i|->
//! ```
//!
//! The last field is `i` when an operator placed the cartridge (ImpExp).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use vtl_config::Barcode;

use crate::element::{ElementType, Inventory};

const MAGIC: &str = "vtl-library-state 1";

/// One element's saved state.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedElement {
    /// The cartridge.
    pub barcode: Option<Barcode>,
    /// SOURCE STORAGE ELEMENT ADDRESS.
    pub source: Option<u16>,
    /// ImpExp.
    pub imp_exp: bool,
}

/// A parsed state file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedState {
    /// MAP door open.
    pub map_open: bool,
    /// Elements per type, in [`ElementType::ALL`] order, by number.
    pub elements: [Vec<SavedElement>; 4],
}

/// The state file of one library.
#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
}

impl Journal {
    /// The default file of library `id` in media home `home`.
    pub fn default_path(home: &Path, id: u32) -> PathBuf {
        home.join(format!(".vtl-library-{id}.state"))
    }

    /// A journal at `path`.
    pub fn new(path: PathBuf) -> Journal {
        Journal { path }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text of `inv`.
    pub fn render(inv: &Inventory) -> String {
        let mut s = String::with_capacity(64 + 40 * inv.count(ElementType::Storage));
        s.push_str(MAGIC);
        s.push('\n');
        s.push_str(if inv.map_open {
            "map open\n"
        } else {
            "map closed\n"
        });
        for t in ElementType::ALL {
            for e in inv.elements(t) {
                let bc = e.barcode().unwrap_or("-");
                let src = e.source.map_or("-".to_string(), |a| a.to_string());
                let ie = if e.imp_exp { "i" } else { "-" };
                s.push_str(&format!("{} {} {bc} {src} {ie}\n", t.word(), e.number));
            }
        }
        s
    }

    /// Write `inv` durably (temp file, fsync, rename, fsync of the directory).
    ///
    /// Errors: any I/O error (the previous file is left intact).
    pub fn save(&self, inv: &Inventory) -> std::io::Result<()> {
        let tmp = self.path.with_extension("state.tmp");
        {
            let mut f = File::create(&tmp)?;
            f.write_all(Self::render(inv).as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    /// Read the file: `Ok(None)` when it does not exist, `Err(why)` when it is unreadable
    /// or malformed.
    pub fn load(&self) -> Result<Option<SavedState>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        parse(&text).map(Some)
    }
}

fn parse(text: &str) -> Result<SavedState, String> {
    let mut lines = text.lines();
    if lines.next() != Some(MAGIC) {
        return Err("not a vtl library state file".into());
    }
    let mut st = SavedState {
        map_open: match lines.next() {
            Some("map open") => true,
            Some("map closed") => false,
            _ => return Err("bad map line".into()),
        },
        ..Default::default()
    };
    for (i, line) in lines.enumerate() {
        let bad = || format!("line {}: {line:?}", i + 3);
        let w: Vec<&str> = line.split(' ').collect();
        let [kind, num, bc, src, ie] = w[..] else {
            return Err(bad());
        };
        let t = ElementType::ALL
            .into_iter()
            .find(|t| t.word() == kind)
            .ok_or_else(bad)?;
        let num: usize = num.parse().map_err(|_| bad())?;
        let v = &mut st.elements[t as usize - 1];
        if num != v.len() + 1 {
            return Err(bad());
        }
        let barcode = match bc {
            "-" => None,
            b => Some(Barcode::new(b).map_err(|_| bad())?),
        };
        let source = match src {
            "-" => None,
            s => Some(s.parse().map_err(|_| bad())?),
        };
        v.push(SavedElement {
            barcode,
            source,
            imp_exp: ie == "i",
        });
    }
    Ok(st)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::element::{ElementRef, Medium};
    use crate::personality::STK_L;

    #[test]
    fn round_trip() {
        let mut inv = Inventory::new(STK_L.first, [1, 3, 1, 1]).unwrap();
        inv.map_open = true;
        let e = inv.get_mut(ElementRef {
            kind: ElementType::Storage,
            index: 1,
        });
        e.medium = Some(Medium {
            barcode: Barcode::new("E01001L8").unwrap(),
            medium_type: 1,
        });
        e.source = Some(500);
        let text = Journal::render(&inv);
        assert_eq!(
            text,
            "vtl-library-state 1\nmap open\nPicker 1 - - -\nSlot 1 - - -\n\
             Slot 2 E01001L8 500 -\nSlot 3 - - -\nMAP 1 - - -\nDrive 1 - - -\n"
        );
        let st = parse(&text).unwrap();
        assert!(st.map_open);
        assert_eq!(st.elements[1][1].source, Some(500));
        assert_eq!(st.elements[1].len(), 3);
        assert!(parse("vtl-library-state 1\nmap open\nSlot 2 - - -\n").is_err());
        assert!(parse("garbage").is_err());
    }
}
