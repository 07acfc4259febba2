//! IBM's performance characteristics log page 0x37, which IBM LTO personalities list
//! (`../shared/spec/mhvtl-reference.md` 6.1) and LTFS reads for its cartridge health and
//! `ltfs.vendor.IBM.mediaCQsLossRate` attributes (`../shared/spec/clients.md`, LTFS).
//!
//! The page's SUBPAGE CODE selects a scope (bits 7..6), a level (bits 5..4) and a group
//! (bits 3..0); the emulation offers the two views LTFS asks for, with the parameters it
//! reads:
//!
//! | subpage | parameter | length | value |
//! |---|---|---|---|
//! | 0x00 | 0001h media efficiency | 1 byte | 100: a file-backed medium loses nothing |
//! | 0x64 (mount values, advanced counters, capacity group) | 7113h active capacity loss while writing | 4 bytes, fixed point with 16 fraction bits | 0 |
//!
//! A real drive measures these from the servo and the error-correction hardware; the
//! emulated medium has neither, never rewrites a data set and never loses capacity to one,
//! so the values are those of a perfect cartridge. Both are binary parameters (format and
//! linking 11b) that LOG SELECT cannot reset.

use vtl_scsi::log::LogParameter;

/// Page code.
pub const PAGE: u8 = 0x37;
/// Subpage: mount values, advanced counters, capacity group.
pub const CAPACITY_SUBPAGE: u8 = 0x64;
/// Parameter of subpage 0x00: media efficiency.
pub const MEDIA_EFFICIENCY: u16 = 0x0001;
/// Parameter of subpage 0x64: active capacity loss while writing.
pub const ACTIVE_CAPACITY_LOSS_WRITE: u16 = 0x7113;
/// The media efficiency reported (no loss).
pub const NO_LOSS_EFFICIENCY: u8 = 100;

/// The parameters of page 0x37 subpage `subpage`; `None` for a subpage not offered.
pub fn parameters(subpage: u8) -> Option<Vec<LogParameter>> {
    match subpage {
        0 => Some(vec![LogParameter::binary(
            MEDIA_EFFICIENCY,
            &[NO_LOSS_EFFICIENCY],
        )]),
        CAPACITY_SUBPAGE => Some(vec![LogParameter::binary(
            ACTIVE_CAPACITY_LOSS_WRITE,
            &0u32.to_be_bytes(),
        )]),
        _ => None,
    }
}
