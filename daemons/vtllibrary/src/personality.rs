//! Library personalities: the first element address of each element type, chosen from the
//! INQUIRY vendor and product identification (spec section 6.3).
//!
//! Selection is by vendor first, then by product prefix, both case-insensitive; a library
//! nobody recognises gets the default map (picker 0x2F0, MAP 0x300, drives 1, storage
//! 0x400). Element addresses are `first + n − 1` for element number `n` (1-based, spec 3.2).

use crate::element::ElementType;

/// First element address of each element type (SMC-3 7.3.3, mode page 0x1D).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstAddresses {
    /// First medium transport element (picker).
    pub transport: u16,
    /// First import/export element (MAP).
    pub import_export: u16,
    /// First data transfer element (drive).
    pub data_transfer: u16,
    /// First storage element (slot).
    pub storage: u16,
}

/// Why a personality's address map cannot hold a library's elements: element `number` of
/// type `kind` would sit at `address`, which is the first element of `other` (or past
/// 0xFFFF when `other` is `None`); `fits` elements of that type fit. Found by
/// [`Personality::fit`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {name} address map (picker {t:#x}, MAP {ie:#x}, drives {dt:#x}, slots {st:#x}) has \
     room for {fits} {kind} element(s): {kind} {number} would be at element address \
     {address:#x}, {place}",
    name = personality.name,
    t = personality.first.transport,
    ie = personality.first.import_export,
    dt = personality.first.data_transfer,
    st = personality.first.storage,
    kind = kind.word(),
    place = match other {
        Some(o) => format!("the address of {} 1", o.word()),
        None => "past 0xffff".to_string(),
    }
)]
pub struct MapTooSmall {
    /// The personality.
    pub personality: Personality,
    /// The element type that does not fit.
    pub kind: ElementType,
    /// How many elements of `kind` fit.
    pub fits: usize,
    /// The first element number (1-based) that does not fit: `fits + 1`.
    pub number: usize,
    /// Its address (up to 0x10000).
    pub address: u32,
    /// The element type whose first element is at `address`; `None`: past 0xFFFF.
    pub other: Option<ElementType>,
}

impl FirstAddresses {
    /// The first address of element type `t`.
    pub fn of(&self, t: ElementType) -> u16 {
        match t {
            ElementType::Transport => self.transport,
            ElementType::Storage => self.storage,
            ElementType::ImportExport => self.import_export,
            ElementType::DataTransfer => self.data_transfer,
        }
    }
}

/// A library personality: its name (for logs) and address map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Personality {
    /// Name as spec 6.3 gives it.
    pub name: &'static str,
    /// First addresses.
    pub first: FirstAddresses,
}

impl Personality {
    /// The first address of element type `t`.
    pub fn first_address(&self, t: ElementType) -> u16 {
        self.first.of(t)
    }

    /// How many elements of type `t` fit when the other types have `counts` elements
    /// ([`ElementType::ALL`] order): up to the first address of the next type that starts
    /// at or above `t`'s first address and has elements (of two types starting at one
    /// address the earlier in [`ElementType::ALL`] order keeps it), or up to 0xFFFF; with
    /// the type in the way (`None`: the 16-bit limit).
    pub fn room(&self, t: ElementType, counts: [usize; 4]) -> (usize, Option<ElementType>) {
        let first = u32::from(self.first_address(t));
        let next = ElementType::ALL
            .into_iter()
            .filter(|&u| u != t && counts[u as usize - 1] > 0)
            .filter(|&u| {
                let fu = u32::from(self.first_address(u));
                fu > first || (fu == first && u < t)
            })
            .min_by_key(|&u| (self.first_address(u), u));
        match next {
            Some(u) => ((u32::from(self.first_address(u)) - first) as usize, Some(u)),
            None => ((0x1_0000 - first) as usize, None),
        }
    }

    /// Check that `counts` elements of each type ([`ElementType::ALL`] order: pickers,
    /// slots, MAP, drives) fit this address map without two elements sharing an address
    /// (each type's range runs from its first address, SMC-3 7.3.3).
    ///
    /// Errors: [`MapTooSmall`] for the first type (in [`ElementType::ALL`] order) that runs
    /// into the next type's range or past 0xFFFF (e.g. Overland: the MAP starts at 0 and
    /// the picker at 1, so one MAP element fits; slots start at 2 and the drives at 0xFF,
    /// so 253 slots fit).
    pub fn fit(&self, counts: [usize; 4]) -> Result<(), MapTooSmall> {
        for t in ElementType::ALL {
            let n = counts[t as usize - 1];
            let (fits, other) = self.room(t, counts);
            if n > fits {
                return Err(MapTooSmall {
                    personality: *self,
                    kind: t,
                    fits,
                    number: fits + 1,
                    address: u32::from(self.first_address(t)) + fits as u32,
                    other,
                });
            }
        }
        Ok(())
    }
}

const fn p(name: &'static str, t: u16, ie: u16, dt: u16, st: u16) -> Personality {
    Personality {
        name,
        first: FirstAddresses {
            transport: t,
            import_export: ie,
            data_transfer: dt,
            storage: st,
        },
    }
}

/// STK L20/L40/L80.
pub const STK_L20: Personality = p("STK L20/40/80", 1, 10, 500, 1000);
/// STK SL500.
pub const STK_SL: Personality = p("STK SL", 1, 10, 500, 1000);
/// STK L series (L700, L180...).
pub const STK_L: Personality = p("STK L series", 1, 10, 500, 1000);
/// IBM TS3100 (3573-TL).
pub const IBM_TS3100: Personality = p("IBM TS3100", 1, 0x10, 0x100, 0x1000);
/// IBM 03584 (TS3500).
pub const IBM_03584: Personality = p("IBM 03584", 1, 0x300, 0x101, 0x400);
/// HP MSL.
pub const HP_MSL: Personality = p("HP MSL", 1, 0x1c0, 0x1e0, 0x20);
/// HP EML E-Series (any other HP product).
pub const HP_EML: Personality = p("HP EML E-Series", 1, 10, 500, 1000);
/// Overland (product OVERLAND…).
pub const OVERLAND: Personality = p("Overland", 1, 0, 0xff, 2);
/// ADIC / Quantum Scalar (product ADIC… or QUANTUM…).
pub const SCALAR: Personality = p("Scalar", 1, 0x10, 0x100, 0x1000);
/// Spectra T-Series (PYTHON or any other Spectra product).
pub const SPECTRA_T: Personality = p("Spectra T-Series", 1, 0x10, 0x100, 0x1000);
/// Spectra Gator.
pub const SPECTRA_GATOR: Personality = p("Spectra Gator", 0x2c3, 1, 0x2a3, 0x1e);
/// Spectra Treefrog (215).
pub const SPECTRA_TREEFROG: Personality = p("Spectra Treefrog", 86, 99, 31, 1);
/// mhVTL default (also IBM products other than 3573-TL and 03584).
pub const DEFAULT: Personality = p("default", 0x2f0, 0x300, 1, 0x400);

/// One INQUIRY vendor / product per row of spec 6.3's table, with the personality it
/// selects (used by the tests and the `scsi_library` fuzz target, so each map is
/// exercised).
pub const EXAMPLES: &[(&str, &str, Personality)] = &[
    ("STK", "L80", STK_L20),
    ("STK", "SL500", STK_SL),
    ("STK", "L700", STK_L),
    ("IBM", "3573-TL", IBM_TS3100),
    ("IBM", "03584L32", IBM_03584),
    ("IBM", "ULT3582-TL", DEFAULT),
    ("HP", "MSL6480", HP_MSL),
    ("HP", "ESL E-Series", HP_EML),
    ("OVERLAND", "OVERLAND NEO", OVERLAND),
    ("ADIC", "ADIC Scalar 100", SCALAR),
    ("QUANTUM", "QUANTUM i500", SCALAR),
    ("SPECTRA", "PYTHON", SPECTRA_T),
    ("SPECTRA", "GATOR", SPECTRA_GATOR),
    ("SPECTRA", "215", SPECTRA_TREEFROG),
    ("VTL", "LIB", DEFAULT),
];

fn starts(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The personality for INQUIRY `vendor` / `product` (leading and trailing blanks ignored;
/// spec 6.3 table).
pub fn select(vendor: &str, product: &str) -> Personality {
    let v = vendor.trim();
    let pr = product.trim();
    if v.eq_ignore_ascii_case("STK") {
        if ["L20", "L40", "L80"].iter().any(|x| starts(pr, x)) {
            return STK_L20;
        }
        if starts(pr, "SL500") {
            return STK_SL;
        }
        return STK_L;
    }
    if v.eq_ignore_ascii_case("IBM") {
        if starts(pr, "3573-TL") {
            return IBM_TS3100;
        }
        if starts(pr, "03584") {
            return IBM_03584;
        }
        return DEFAULT;
    }
    if v.eq_ignore_ascii_case("HP") {
        return if starts(pr, "MSL") { HP_MSL } else { HP_EML };
    }
    if v.eq_ignore_ascii_case("SPECTRA") {
        if starts(pr, "GATOR") {
            return SPECTRA_GATOR;
        }
        if starts(pr, "215") {
            return SPECTRA_TREEFROG;
        }
        return SPECTRA_T;
    }
    if starts(pr, "OVERLAND") {
        return OVERLAND;
    }
    if starts(pr, "ADIC") || starts(pr, "QUANTUM") {
        return SCALAR;
    }
    DEFAULT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_vendor_then_product() {
        assert_eq!(select("STK", "L700"), STK_L);
        assert_eq!(select("stk", "l80"), STK_L20);
        assert_eq!(select("STK", "SL500"), STK_SL);
        assert_eq!(select("IBM", "03584L32"), IBM_03584);
        assert_eq!(select("IBM", "3573-TL"), IBM_TS3100);
        assert_eq!(select("IBM", "ULT3582"), DEFAULT);
        assert_eq!(select("HP", "MSL6480"), HP_MSL);
        assert_eq!(select("HP", "ESL"), HP_EML);
        assert_eq!(select("SPECTRA", "Gator"), SPECTRA_GATOR);
        assert_eq!(select("SPECTRA", "215"), SPECTRA_TREEFROG);
        assert_eq!(select("SPECTRA", "PYTHON"), SPECTRA_T);
        assert_eq!(select("X", "Overland NEO"), OVERLAND);
        assert_eq!(select("X", "QUANTUM Scalar"), SCALAR);
        assert_eq!(select("X", "adic"), SCALAR);
        assert_eq!(select("VTL", "LIB"), DEFAULT);
        assert_eq!(IBM_03584.first.import_export, 0x300);
    }

    #[test]
    fn overland_has_room_for_one_map_element_and_253_slots() {
        assert_eq!(OVERLAND.fit([1, 253, 1, 4]), Ok(()));
        assert_eq!(OVERLAND.fit([1, 10, 0, 1]), Ok(()));
        let e = OVERLAND.fit([1, 10, 4, 1]).unwrap_err();
        assert_eq!(
            (e.kind, e.fits, e.number, e.address, e.other),
            (
                ElementType::ImportExport,
                1,
                2,
                1,
                Some(ElementType::Transport)
            )
        );
        assert_eq!(
            e.to_string(),
            "the Overland address map (picker 0x1, MAP 0x0, drives 0xff, slots 0x2) has room \
             for 1 MAP element(s): MAP 2 would be at element address 0x1, the address of \
             Picker 1"
        );
        let e = OVERLAND.fit([1, 254, 1, 1]).unwrap_err();
        assert_eq!(
            (e.kind, e.fits, e.number, e.address, e.other),
            (
                ElementType::Storage,
                253,
                254,
                0xff,
                Some(ElementType::DataTransfer)
            )
        );
        // Without drives the slots run up to 0xFFFF.
        assert_eq!(
            OVERLAND.room(ElementType::Storage, [1, 1, 1, 0]),
            (0xfffe, None)
        );
        let e = DEFAULT.fit([1, 1, 1, 0xfc00]).unwrap_err();
        assert_eq!(
            (e.kind, e.number, e.other),
            (
                ElementType::DataTransfer,
                0x2f0,
                Some(ElementType::Transport)
            )
        );
        let e = STK_L.fit([1, 0x10000 - 999, 1, 1]).unwrap_err();
        assert_eq!(
            (e.kind, e.fits, e.address, e.other),
            (ElementType::Storage, 0xfc18, 0x10000, None)
        );
        assert!(
            e.to_string()
                .ends_with("would be at element address 0x10000, past 0xffff")
        );
    }
}
