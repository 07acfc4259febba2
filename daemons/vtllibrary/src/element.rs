//! The element model (SMC-3 4.2): medium transport elements (pickers), storage elements
//! (slots), import/export elements (MAP) and data transfer elements (drives), each with its
//! address, the cartridge it holds and its status, and the [`Inventory`] of all of them.
//!
//! Element numbers are 1-based within a type; the address of element `n` is the type's
//! first address (from the [`Personality`](crate::personality::Personality)) + `n` − 1.
//! The four address ranges never overlap ([`Inventory::new`] refuses such a map).

use std::path::Path;

use libvtlcart::{Cartridge, MediumType, OpenOptionsCart};
use vtl_config::Barcode;
use vtl_scsi::Asc;

use crate::error::LibraryError;
use crate::personality::FirstAddresses;

/// Element type codes (SMC-3 table "Element type code").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ElementType {
    /// 1: medium transport element (picker).
    Transport = 1,
    /// 2: storage element (slot).
    Storage = 2,
    /// 3: import/export element (MAP, mail slot).
    ImportExport = 3,
    /// 4: data transfer element (drive).
    DataTransfer = 4,
}

impl ElementType {
    /// All types in element type code order.
    pub const ALL: [ElementType; 4] = [
        ElementType::Transport,
        ElementType::Storage,
        ElementType::ImportExport,
        ElementType::DataTransfer,
    ];

    /// The ELEMENT TYPE CODE value.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type for an ELEMENT TYPE CODE value 1..=4.
    pub fn from_code(c: u8) -> Option<ElementType> {
        Some(match c {
            1 => ElementType::Transport,
            2 => ElementType::Storage,
            3 => ElementType::ImportExport,
            4 => ElementType::DataTransfer,
            _ => return None,
        })
    }

    /// The word library_contents uses for the type (`Picker`, `Slot`, `MAP`, `Drive`).
    pub fn word(self) -> &'static str {
        match self {
            ElementType::Transport => "Picker",
            ElementType::Storage => "Slot",
            ElementType::ImportExport => "MAP",
            ElementType::DataTransfer => "Drive",
        }
    }

    fn index(self) -> usize {
        self as usize - 1
    }
}

/// SMC-3 MEDIUM TYPE values of the element descriptor (byte 9 bits 2..0).
pub mod medium_type {
    /// Unspecified (cartridge not readable).
    pub const UNSPECIFIED: u8 = 0;
    /// Data medium.
    pub const DATA: u8 = 1;
    /// Cleaning medium.
    pub const CLEANING: u8 = 2;
    /// Diagnostic medium.
    pub const DIAGNOSTIC: u8 = 3;
    /// WORM medium.
    pub const WORM: u8 = 4;
    /// Microcode image medium.
    pub const MICROCODE: u8 = 5;
}

/// The SMC-3 MEDIUM TYPE of a cartridge's MAM medium type (spec 1.13): data and NULL
/// cartridges are data media (1), cleaning 2, diagnostic 3, WORM 4, firmware 5 (microcode
/// image); unknown bytes 0. (mhvtl reports 5 for NULL cartridges; to a host a NULL cartridge
/// is a data cartridge, and 5 means microcode image in SMC-3.)
pub fn smc_medium_type(t: MediumType) -> u8 {
    match t {
        MediumType::Data | MediumType::Null => medium_type::DATA,
        MediumType::Cleaning => medium_type::CLEANING,
        MediumType::Diagnostic => medium_type::DIAGNOSTIC,
        MediumType::Worm => medium_type::WORM,
        MediumType::Firmware => medium_type::MICROCODE,
        MediumType::Other(_) => medium_type::UNSPECIFIED,
    }
}

/// Read the SMC medium type of cartridge `barcode` in media home `home` from its MAM, the
/// cartridge opened read-only (legacy and v6 layouts alike; unlike mhvtl, spec 8 item 22).
/// 0 when the cartridge cannot be opened.
pub fn read_medium_type(home: &Path, barcode: &Barcode) -> u8 {
    let Ok(dir) = libvtlcart::home::cartridge_dir(home, barcode.as_str()) else {
        return medium_type::UNSPECIFIED;
    };
    match Cartridge::open(&dir, &OpenOptionsCart::default()) {
        Ok(c) => smc_medium_type(c.mam().medium_type()),
        Err(_) => medium_type::UNSPECIFIED,
    }
}

/// The MAM MEDIUM SERIAL NUMBER (attribute 0x0401) of cartridge `barcode` in `home`, the
/// alternate volume tag; `None` when the cartridge cannot be read or has none.
pub fn read_medium_serial(home: &Path, barcode: &Barcode) -> Option<String> {
    let dir = libvtlcart::home::cartridge_dir(home, barcode.as_str()).ok()?;
    let c = Cartridge::open(&dir, &OpenOptionsCart::default()).ok()?;
    let raw = &c.mam().base.medium_serial_number;
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    let s = String::from_utf8_lossy(&raw[..end]).trim().to_string();
    (!s.is_empty()).then_some(s)
}

/// A cartridge as the library knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medium {
    /// Its barcode (a `NOBAR…` barcode is reported without a volume tag).
    pub barcode: Barcode,
    /// SMC-3 MEDIUM TYPE (see [`medium_type`]).
    pub medium_type: u8,
}

/// One element and its status (SMC-3 6.11 element descriptors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Element type.
    pub kind: ElementType,
    /// Element number within its type, from 1.
    pub number: u32,
    /// Element address.
    pub address: u16,
    /// The cartridge it holds (FULL).
    pub medium: Option<Medium>,
    /// SOURCE STORAGE ELEMENT ADDRESS (SVALID set when `Some`): where the cartridge was
    /// last moved from.
    pub source: Option<u16>,
    /// EXCEPT with its ASC/ASCQ: the element is in an abnormal state.
    pub except: Option<Asc>,
    /// ImpExp (import/export elements): the cartridge was placed by an operator (1) or by
    /// the medium transport (0).
    pub imp_exp: bool,
}

impl Element {
    fn empty(kind: ElementType, number: u32, address: u16) -> Element {
        Element {
            kind,
            number,
            address,
            medium: None,
            source: None,
            except: None,
            imp_exp: false,
        }
    }

    /// FULL.
    pub fn is_full(&self) -> bool {
        self.medium.is_some()
    }

    /// The barcode text of the cartridge held, if any.
    pub fn barcode(&self) -> Option<&str> {
        self.medium.as_ref().map(|m| m.barcode.as_str())
    }
}

/// Where an element sits in the [`Inventory`]: its type and 0-based index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ElementRef {
    /// Type.
    pub kind: ElementType,
    /// Index within the type (element number − 1).
    pub index: usize,
}

/// Every element of a library, by type, and the MAP door state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    first: FirstAddresses,
    groups: [Vec<Element>; 4],
    /// The import/export door is open (operator access; the medium transport cannot reach
    /// the MAP). Closed at start.
    pub map_open: bool,
}

impl Inventory {
    /// Empty elements: `counts` in [`ElementType::ALL`] order (pickers, slots, MAP, drives)
    /// at the addresses `first` gives.
    ///
    /// Errors: [`LibraryError::AddressOverflow`] when a range passes 0xFFFF,
    /// [`LibraryError::AddressOverlap`] when two ranges overlap.
    pub fn new(first: FirstAddresses, counts: [usize; 4]) -> Result<Inventory, LibraryError> {
        let mut inv = Inventory {
            first,
            groups: Default::default(),
            map_open: false,
        };
        for t in ElementType::ALL {
            for _ in 0..counts[t.index()] {
                inv.push(t)?;
            }
        }
        Ok(inv)
    }

    /// The first address of type `t`.
    pub fn first_address(&self, t: ElementType) -> u16 {
        self.first.of(t)
    }

    /// Append an empty element of type `t` (vtlcmd `add slot`); returns its number.
    ///
    /// Errors: as [`Inventory::new`]; nothing changes.
    pub fn push(&mut self, t: ElementType) -> Result<u32, LibraryError> {
        let n = self.groups[t.index()].len();
        let addr = u32::from(self.first_address(t)) + n as u32;
        let addr = u16::try_from(addr).map_err(|_| LibraryError::AddressOverflow {
            kind: t.word(),
            count: n + 1,
        })?;
        if let Some(other) = self.find(addr) {
            return Err(LibraryError::AddressOverlap {
                kind: t.word(),
                other: other.kind.word(),
                address: addr,
            });
        }
        self.groups[t.index()].push(Element::empty(t, n as u32 + 1, addr));
        Ok(n as u32 + 1)
    }

    /// The elements of type `t`, in number (and address) order.
    pub fn elements(&self, t: ElementType) -> &[Element] {
        &self.groups[t.index()]
    }

    /// Number of elements of type `t`.
    pub fn count(&self, t: ElementType) -> usize {
        self.groups[t.index()].len()
    }

    /// The element at `address`.
    pub fn find(&self, address: u16) -> Option<ElementRef> {
        ElementType::ALL.into_iter().find_map(|t| {
            let first = self.first_address(t);
            let i = usize::from(address.checked_sub(first)?);
            (i < self.count(t)).then_some(ElementRef { kind: t, index: i })
        })
    }

    /// The element `r`.
    pub fn get(&self, r: ElementRef) -> &Element {
        &self.groups[r.kind.index()][r.index]
    }

    /// The element `r`, mutable.
    pub fn get_mut(&mut self, r: ElementRef) -> &mut Element {
        &mut self.groups[r.kind.index()][r.index]
    }

    /// Elements of type `kind` (all types for `None`) with address ≥ `start`, in ascending
    /// address order (SMC-3 6.11: READ ELEMENT STATUS reports in address order).
    pub fn from_address(
        &self,
        kind: Option<ElementType>,
        start: u16,
    ) -> impl Iterator<Item = &Element> {
        let mut types: Vec<ElementType> = ElementType::ALL
            .into_iter()
            .filter(|t| kind.is_none_or(|k| k == *t))
            .collect();
        types.sort_by_key(|t| self.first_address(*t));
        types.into_iter().flat_map(move |t| {
            let first = self.first_address(t);
            let skip = usize::from(start.saturating_sub(first));
            self.groups[t.index()].iter().skip(skip)
        })
    }

    /// The element holding cartridge `barcode`.
    pub fn locate(&self, barcode: &str) -> Option<ElementRef> {
        ElementType::ALL.into_iter().find_map(|t| {
            self.groups[t.index()]
                .iter()
                .position(|e| e.barcode() == Some(barcode))
                .map(|index| ElementRef { kind: t, index })
        })
    }

    /// Every (address, barcode) of a full element, in address order.
    pub fn positions(&self) -> Vec<(u16, String)> {
        self.from_address(None, 0)
            .filter_map(|e| e.barcode().map(|b| (e.address, b.to_string())))
            .collect()
    }

    /// The first empty storage element, preferring `preferred` when it is an empty one.
    pub fn free_slot(&self, preferred: Option<u16>) -> Option<ElementRef> {
        if let Some(r) = preferred.and_then(|a| self.find(a))
            && r.kind == ElementType::Storage
            && !self.get(r).is_full()
        {
            return Some(r);
        }
        self.groups[ElementType::Storage.index()]
            .iter()
            .position(|e| !e.is_full())
            .map(|index| ElementRef {
                kind: ElementType::Storage,
                index,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personality::{IBM_03584, OVERLAND, STK_L};

    #[test]
    fn addresses_and_lookup() {
        let inv = Inventory::new(IBM_03584.first, [1, 3, 2, 2]).unwrap();
        assert_eq!(inv.elements(ElementType::Storage)[2].address, 0x402);
        assert_eq!(
            inv.find(0x301),
            Some(ElementRef {
                kind: ElementType::ImportExport,
                index: 1
            })
        );
        assert_eq!(inv.find(0x302), None);
        assert_eq!(inv.find(0), None);
        let all: Vec<u16> = inv.from_address(None, 0).map(|e| e.address).collect();
        assert_eq!(all, [1, 0x101, 0x102, 0x300, 0x301, 0x400, 0x401, 0x402]);
        let from: Vec<u16> = inv.from_address(None, 0x102).map(|e| e.address).collect();
        assert_eq!(from, [0x102, 0x300, 0x301, 0x400, 0x401, 0x402]);
        let st: Vec<u16> = inv
            .from_address(Some(ElementType::Storage), 0x401)
            .map(|e| e.address)
            .collect();
        assert_eq!(st, [0x401, 0x402]);
        let stk = Inventory::new(STK_L.first, [1, 2, 1, 1]).unwrap();
        assert_eq!(stk.elements(ElementType::DataTransfer)[0].address, 500);
    }

    #[test]
    fn overlapping_or_overflowing_maps_are_refused() {
        // Overland: MAP at 0, picker at 1: a second MAP would sit on the picker.
        assert!(matches!(
            Inventory::new(OVERLAND.first, [1, 10, 2, 1]),
            Err(LibraryError::AddressOverlap { address: 1, .. })
        ));
        assert!(matches!(
            Inventory::new(STK_L.first, [1, 70000, 1, 1]),
            Err(LibraryError::AddressOverflow { .. })
        ));
    }

    #[test]
    fn medium_types() {
        assert_eq!(smc_medium_type(MediumType::Worm), 4);
        assert_eq!(smc_medium_type(MediumType::Cleaning), 2);
        assert_eq!(smc_medium_type(MediumType::Other(9)), 0);
    }
}
