//! IBM's vendor-specific mode pages 0x24 and 0x25, which IBM LTO and 3592 personalities list
//! (`../shared/spec/mhvtl-reference.md` 6.1, "0x24 and 0x25 vendor (IBM)") and which LTFS's
//! IBM back ends read (`../shared/spec/clients.md`, LTFS). The bytes given a meaning here
//! are the ones those clients use; every other byte is 0 and not changeable.
//!
//! * 0x24, initiator-specific extensions: PAGE LENGTH 16h (24 bytes with the header).
//!   Byte 2 reports the logical block protection methods the drive accepts: bit 6 RS-CRC,
//!   bit 5 CRC32C (LTFS picks CRC32C when bit 5 is set, else RS-CRC). Nothing is
//!   changeable.
//! * 0x25, read/write control: PAGE LENGTH 1Eh (32 bytes with the header). Byte 10 is the
//!   density code the next format should use (LTFS sets it before FORMAT MEDIUM when asked
//!   for a density). It is changeable, but the emulation writes each cartridge in the
//!   density it was made with, so a MODE SELECT may only set 0 (no preference) or the
//!   loaded cartridge's density code (so nothing but 0 with no cartridge loaded); any other
//!   value gets INVALID FIELD IN PARAMETER LIST at that byte. The value is cleared when it no
//!   longer names the loaded cartridge's density (after an unload).

use vtl_scsi::ScsiError;
use vtl_scsi::mode::{ModePage, ModePages, ModeSelect};

use crate::drive::Drive;
use crate::lbp::{Method, supports};
use crate::personality::Personality;

/// Page code of the initiator-specific extensions page.
pub const INITIATOR_EXTENSIONS: u8 = 0x24;
/// Page code of the read/write control page.
pub const READ_WRITE_CONTROL: u8 = 0x25;
/// Page 0x24 byte 2: RS-CRC logical block protection supported.
pub const LBP_RS_CRC: u8 = 0x40;
/// Page 0x24 byte 2: CRC32C logical block protection supported.
pub const LBP_CRC32C: u8 = 0x20;
/// Offset of the format density code in page 0x25.
pub const FORMAT_DENSITY: usize = 10;

/// Initiator-specific extensions page 0x24 for `pers` (see the module docs).
pub fn initiator_extensions(pers: &Personality) -> ModePage {
    let mut d = [0u8; 24];
    if supports(pers, Method::RsCrc) {
        d[2] |= LBP_RS_CRC;
    }
    if supports(pers, Method::Crc32c) {
        d[2] |= LBP_CRC32C;
    }
    ModePage::new(INITIATOR_EXTENSIONS, 0, &d, &[])
}

/// Read/write control page 0x25 (see the module docs): all 0, byte 10 changeable.
pub fn read_write_control() -> ModePage {
    let d = [0u8; 32];
    let mut m = [0u8; 32];
    m[FORMAT_DENSITY] = 0xff;
    ModePage::new(READ_WRITE_CONTROL, 0, &d, &m)
}

/// Whether `d` may stand in the format density byte: 0 or the loaded cartridge's density.
fn acceptable_density(drive: &Drive, d: u8) -> bool {
    d == 0 || drive.density_code() == Some(d)
}

/// Check page 0x25 of a MODE SELECT: its format density must be 0 or the loaded
/// cartridge's density code (INVALID FIELD IN PARAMETER LIST at that byte otherwise).
pub fn validate_select(drive: &Drive, sel: &ModeSelect) -> Result<(), ScsiError> {
    for &(page, sub, at) in &sel.pages {
        if (page, sub) != (READ_WRITE_CONTROL, 0) {
            continue;
        }
        let Some(p) = sel.proposed.get(page, sub) else {
            continue;
        };
        if !acceptable_density(drive, p.byte(FORMAT_DENSITY)) {
            return Err(ScsiError::param(
                at + FORMAT_DENSITY as u16,
                None,
                "format density is not the loaded cartridge's density",
            ));
        }
    }
    Ok(())
}

/// Clear the format density of page 0x25 when it does not name the loaded cartridge's
/// density (the cartridge it was set for has gone).
pub fn sync_page(modes: &mut ModePages, drive: &Drive) {
    if let Some(p) = modes.get_mut(READ_WRITE_CONTROL, 0)
        && !acceptable_density(drive, p.byte(FORMAT_DENSITY))
    {
        p.set(FORMAT_DENSITY, 0);
    }
}
