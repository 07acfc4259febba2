//! Programmable early warning (SSC-5 4.2.x) and the device configuration extension mode
//! page 0x10/0x01 (SSC-5 8.3.x) that sets it.
//!
//! The host sets PROGRAMMABLE EARLY WARNING SIZE (PEWS, bytes 6..7 of page 0x10/0x01, in
//! megabytes of 10^6 bytes) on personalities with programmable early warning (IBM and HP
//! LTO-5 and later). The programmable early warning point then lies PEWS megabytes before
//! the partition's early warning. A WRITE or WRITE FILEMARKS that moves the end of data
//! across it (ending between it and early warning) completes with CHECK CONDITION, NO
//! SENSE, PROGRAMMABLE EARLY WARNING DETECTED (0x00/0x07), INFORMATION 0, the data
//! written; it is reported once per crossing (again after the tape left the zone, e.g. by
//! overwriting from an earlier position, or after FORMAT MEDIUM). READ POSITION reports
//! BPEW (byte 0 bit 0, short and long forms) while the position is past it.

use vtl_scsi::mode::{ModePage, ModePages, ModeSelect};
use vtl_scsi::{Asc, ScsiError, Sense, SenseKey};

use crate::drive::{Drive, Slot, remaining_in};
use crate::personality::Personality;

/// PROGRAMMABLE EARLY WARNING DETECTED (SPC-5 table 52: 0x00/0x07).
pub const PROGRAMMABLE_EARLY_WARNING_DETECTED: Asc = Asc(0x00, 0x07);

/// Offset of PROGRAMMABLE EARLY WARNING SIZE in page 0x10/0x01 (2 bytes, MB).
pub const PEWS: usize = 6;

/// One PEWS unit: a megabyte of 10^6 bytes.
pub const PEWS_UNIT: u64 = 1_000_000;

/// The drive's programmable early warning state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgrammableEarlyWarning {
    /// PEWS in megabytes (0: no programmable early warning).
    pub size_mb: u16,
    /// The partition whose end of data was inside the zone at the last write, if any.
    inside: Option<u32>,
}

impl ProgrammableEarlyWarning {
    /// Forget where the last write ended (a format or load: the next crossing reports).
    pub fn reset(&mut self) {
        self.inside = None;
    }
}

/// Device configuration extension page 0x10/0x01 (SSC-5 8.3.x), sub_page format, PAGE
/// LENGTH 1Ch: byte 4 TARPF, TASER, TARPC, TAPLSD 0 (TapeAlert flags are reported through
/// log page 0x2E only); byte 5 SHORT ERASE MODE 0 (ERASE with LONG=0 records EOD here,
/// the standard's short erase); bytes 6..7 PEWS `size_mb`, changeable when the personality
/// has programmable early warning; byte 8 VCELBRE 0; the rest reserved.
pub fn device_configuration_extension(pers: &Personality, size_mb: u16) -> ModePage {
    let mut d = [0u8; 32];
    d[PEWS..PEWS + 2].copy_from_slice(&size_mb.to_be_bytes());
    let mut m = [0u8; 32];
    if pers.programmable_early_warning {
        m[PEWS] = 0xff;
        m[PEWS + 1] = 0xff;
    }
    ModePage::new(0x10, 0x01, &d, &m)
}

/// MODE SELECT: the PEWS page 0x10/0x01 would set, when the list carries that page.
pub fn from_mode_select(sel: &ModeSelect) -> Option<u16> {
    sel.pages
        .iter()
        .find(|&&(p, s, _)| (p, s) == (0x10, 0x01))?;
    let p = sel.proposed.get(0x10, 0x01)?;
    Some(u16::from_be_bytes([p.byte(PEWS), p.byte(PEWS + 1)]))
}

/// After a reset restored the saved page values: the drive takes PEWS from page 0x10/0x01.
pub fn apply_to_drive(modes: &ModePages, drive: &mut Drive) {
    if let Some(p) = modes.get(0x10, 0x01) {
        drive.pew.size_mb = u16::from_be_bytes([p.byte(PEWS), p.byte(PEWS + 1)]);
    }
}

impl Drive {
    /// PEWS in megabytes (0 = off).
    pub fn programmable_early_warning_size(&self) -> u16 {
        self.pew.size_mb
    }

    /// Set PEWS (MODE SELECT page 0x10/0x01); the next crossing is reported.
    pub fn set_programmable_early_warning_size(&mut self, mb: u16) {
        self.pew.size_mb = mb;
        self.pew.reset();
    }

    /// Whether the current partition's end of data lies past the programmable early warning
    /// point: PEWS is set and fewer than early warning + PEWS × 10^6 bytes remain.
    pub fn past_programmable_early_warning(&self) -> bool {
        let Slot::Loaded(l) = &self.slot else {
            return false;
        };
        let part = l.cart.position().partition;
        self.in_programmable_early_warning_zone(remaining_in(&l.cart, part))
    }

    /// Whether the current *position* lies past the programmable early warning point (READ
    /// POSITION's BPEW bit, SSC-5 7.7): PEWS is set and
    /// [`Drive::remaining_at_position`] is below early warning + PEWS × 10^6 bytes.
    pub(crate) fn position_past_programmable_early_warning(&self) -> bool {
        self.remaining_at_position()
            .is_some_and(|left| self.in_programmable_early_warning_zone(left))
    }

    /// PEWS is set and `remaining` bytes (of the current partition) are fewer than early
    /// warning + PEWS × 10^6.
    fn in_programmable_early_warning_zone(&self, remaining: u64) -> bool {
        let Slot::Loaded(l) = &self.slot else {
            return false;
        };
        if self.pew.size_mb == 0 {
            return false;
        }
        let part = l.cart.position().partition;
        let ew = self.pers.early_warning(l.cart.capacity(part));
        let zone = ew.saturating_add(u64::from(self.pew.size_mb) * PEWS_UNIT);
        remaining < zone
    }

    /// After a successful WRITE or WRITE FILEMARKS that ended before early warning: the
    /// CHECK CONDITION to return when this write crossed the programmable early warning
    /// point (see the module documentation), else `None`.
    pub fn programmable_early_warning(&mut self) -> Option<ScsiError> {
        let part = match &self.slot {
            Slot::Loaded(l) => l.cart.position().partition,
            _ => return None,
        };
        let inside = self.past_programmable_early_warning();
        let was = self.pew.inside == Some(part);
        self.pew.inside = inside.then_some(part);
        (inside && !was).then(|| {
            ScsiError::Check(
                Sense::new(SenseKey::NoSense, PROGRAMMABLE_EARLY_WARNING_DETECTED)
                    .with_information(0),
            )
        })
    }
}
