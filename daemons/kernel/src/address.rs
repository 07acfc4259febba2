//! Where a logical unit sits on the vtl host adapter, and what it is.

use std::fmt;

use crate::uapi;

/// The channel, target and LUN of a logical unit on the vtl host (the C:T:L of Linux's
/// H:C:T:L; the host number H is the module's, see [`crate::Info::host`]). Valid ranges:
/// channel 0..=15, target 0..=255, LUN 0..=255 (`VTL_MAX_*` of vtl_uapi.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LuAddress {
    /// Channel (bus), 0..=15.
    pub channel: u32,
    /// Target, 0..=255.
    pub target: u32,
    /// Logical unit number, 0..=255.
    pub lun: u32,
}

impl LuAddress {
    /// The address channel:target:lun.
    pub const fn new(channel: u32, target: u32, lun: u32) -> LuAddress {
        LuAddress {
            channel,
            target,
            lun,
        }
    }

    /// Whether the module accepts this address (every part within its limit).
    pub const fn is_valid(&self) -> bool {
        self.channel <= uapi::VTL_MAX_CHANNEL
            && self.target <= uapi::VTL_MAX_TARGET
            && self.lun <= uapi::VTL_MAX_LUN
    }

    /// The node name the module gives the unit's character device, relative to /dev
    /// ("vtl/lu-C-T-L").
    pub fn devname(&self) -> String {
        format!("vtl/lu-{}-{}-{}", self.channel, self.target, self.lun)
    }
}

/// "C:T:L", e.g. "0:1:0".
impl fmt::Display for LuAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.channel, self.target, self.lun)
    }
}

/// The peripheral device type of a logical unit (SPC-5 table 51), as `VTL_IOC_ADD_LU`
/// takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceType {
    /// Sequential-access device, a tape drive (type 01h, `VTL_TYPE_TAPE`).
    Tape,
    /// Medium changer (type 08h, `VTL_TYPE_CHANGER`).
    Changer,
}

impl DeviceType {
    /// The `VTL_TYPE_*` value.
    pub const fn code(self) -> u32 {
        match self {
            DeviceType::Tape => uapi::VTL_TYPE_TAPE,
            DeviceType::Changer => uapi::VTL_TYPE_CHANGER,
        }
    }
}

/// "tape" or "changer".
impl fmt::Display for DeviceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DeviceType::Tape => "tape",
            DeviceType::Changer => "changer",
        })
    }
}
