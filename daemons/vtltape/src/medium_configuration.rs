//! Medium configuration mode page 0x1D (SSC-5 8.3.x): whether the loaded medium is WORM.

use vtl_scsi::mode::{ModePage, ModePages};

use crate::drive::{Drive, Slot};

/// Byte 2 of page 0x1D: WORMM (the loaded medium is a WORM medium).
pub const WORMM: u8 = 0x01;

/// Medium configuration page 0x1D, page_0 format, PAGE LENGTH 1Eh, nothing changeable:
/// byte 2 WORMM (set by [`sync_page`] while a WORM cartridge is loaded); byte 4 WORM MODE
/// LABEL RESTRICTIONS 01h (a WORM tape may be rewritten from BOP only while it holds
/// nothing but one filemark, spec 1.14); byte 5 WORM MODE FILEMARK RESTRICTIONS 00h (no
/// filemark before end of data may be overwritten); bytes 6..31 reserved.
pub fn medium_configuration() -> ModePage {
    let mut d = [0u8; 32];
    d[4] = 0x01;
    ModePage::new(0x1d, 0, &d, &[])
}

/// Before MODE SENSE/SELECT: WORMM from the loaded cartridge (0 without one).
pub fn sync_page(modes: &mut ModePages, drive: &Drive) {
    let worm = matches!(&drive.slot, Slot::Loaded(l) if l.worm);
    if let Some(p) = modes.get_mut(0x1d, 0) {
        p.set_bits(2, WORMM, worm);
    }
}
