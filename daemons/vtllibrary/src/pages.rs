//! The library's mode pages (SMC-3 7.3) and log pages (SPC-5 7.3).
//!
//! * 0x1D element address assignment: first address and number of elements of each type;
//! * 0x1E transport geometry parameters: two bytes per medium transport element (ROTATE 0,
//!   MEMBER NUMBER IN TRANSPORT ELEMENT SET = element number − 1);
//! * 0x1F device capabilities: every element type can store media, every move and exchange
//!   between element types is supported (the library moves through any element type).
//!
//! Nothing is changeable (masks all zero); MODE SELECT with other values is refused by the
//! core with INVALID FIELD IN PARAMETER LIST.
//!
//! VPD page 0xC0 (firmware build information) for IBM libraries; 0xD0 and 0xFF, which IBM
//! libraries also list, are not built (no published layout: 0xFF is "vendor use only").
//!
//! Log pages: 0x0D temperature (a constant 35 °C, reference 50 °C) and 0x2E TapeAlert with
//! the 64 library flags (parameters 0x0001..=0x0040, one byte each, bit 0 the flag; SSC-5
//! Annex / SMC-3 TapeAlert for changers); a LOG SENSE clears the flags it returned whole.

use vtl_scsi::log::{LogParameter, control};
use vtl_scsi::mode::{ModePage, ModePages};

use crate::element::{ElementType, Inventory};

/// Mode page 0x1D ELEMENT ADDRESS ASSIGNMENT (SMC-3 7.3.3), 20 bytes with header.
pub fn element_address_assignment(inv: &Inventory) -> ModePage {
    let mut p = [0u8; 20];
    let mut put = |at: usize, t: ElementType| {
        let n = inv.count(t).min(0xffff) as u16;
        let first = if n == 0 { 0 } else { inv.first_address(t) };
        p[at..at + 2].copy_from_slice(&first.to_be_bytes());
        p[at + 2..at + 4].copy_from_slice(&n.to_be_bytes());
    };
    put(2, ElementType::Transport);
    put(6, ElementType::Storage);
    put(10, ElementType::ImportExport);
    put(14, ElementType::DataTransfer);
    ModePage::new(0x1d, 0, &p, &[])
}

/// Mode page 0x1E TRANSPORT GEOMETRY PARAMETERS (SMC-3 7.3.4): a 2-byte descriptor per
/// medium transport element (at least one).
pub fn transport_geometry(inv: &Inventory) -> ModePage {
    let n = inv.count(ElementType::Transport).clamp(1, 127);
    let mut p = vec![0u8; 2 + 2 * n];
    for i in 0..n {
        p[2 + 2 * i] = 0; // ROTATE: no media inversion
        p[3 + 2 * i] = i as u8;
    }
    ModePage::new(0x1e, 0, &p, &[])
}

/// Mode page 0x1F DEVICE CAPABILITIES (SMC-3 7.3.2), 20 bytes with header: StorMT, StorST,
/// StorI/E, StorDT set; every source → destination move and every exchange supported.
pub fn device_capabilities() -> ModePage {
    let mut p = [0u8; 20];
    p[2] = 0x0f;
    p[4..8].fill(0x0f);
    p[12..16].fill(0x0f);
    ModePage::new(0x1f, 0, &p, &[])
}

/// Register (or refresh after `add slot`) the three pages.
pub fn register(modes: &mut ModePages, inv: &Inventory) {
    modes.register(element_address_assignment(inv));
    modes.register(transport_geometry(inv));
    modes.register(device_capabilities());
}

/// VPD page 0xC0 FIRMWARE BUILD INFORMATION of IBM libraries (TS3100/TS3200 SCSI
/// reference, as published for the Dell PowerVault TL2000/TL4000, "Firmware Built
/// Information page (C0h)"): the body after the 4-byte header, 60 bytes (PAGE LENGTH 3Ch):
/// bytes 4..7 reserved, 8..11 the media changer firmware checksum in ASCII
/// ([`FIRMWARE_CHECKSUM`]), 12..35 the firmware build date in ASCII, mm-dd-yyyy
/// ([`FIRMWARE_BUILD_DATE`], space padded), 36..63 reserved. vtl has no firmware image:
/// the checksum and date are constants.
pub fn firmware_build_information() -> Vec<u8> {
    let mut b = vec![0u8; 60];
    b[4..8].copy_from_slice(FIRMWARE_CHECKSUM.as_bytes());
    b[8..32].fill(b' ');
    b[8..8 + FIRMWARE_BUILD_DATE.len()].copy_from_slice(FIRMWARE_BUILD_DATE.as_bytes());
    b
}

/// The firmware checksum VPD page 0xC0 reports (4 ASCII characters).
pub const FIRMWARE_CHECKSUM: &str = "0000";
/// The firmware build date VPD page 0xC0 reports (mm-dd-yyyy; the date of
/// SOURCE_DATE_EPOCH 1700000000, spec 7).
pub const FIRMWARE_BUILD_DATE: &str = "11-14-2023";
/// VPD page code of [`firmware_build_information`].
pub const FIRMWARE_BUILD_INFORMATION: u8 = 0xc0;

/// Temperature log page code.
pub const TEMPERATURE: u8 = 0x0d;
/// TapeAlert log page code.
pub const TAPE_ALERT: u8 = 0x2e;

/// The TapeAlert flags (bit n−1 = flag n) of the parameter codes `sent` (flags 1..=64;
/// other codes ignored): what a LOG SENSE that returned those parameters whole clears.
pub fn tape_alert_mask(sent: &[u16]) -> u64 {
    sent.iter()
        .filter(|&&n| (1..=64).contains(&n))
        .fold(0, |m, &n| m | 1 << (n - 1))
}

/// The parameters of log page `page` (`tape_alert`: bit n−1 = flag n).
pub fn log_parameters(page: u8, tape_alert: u64) -> Option<Vec<LogParameter>> {
    match page {
        TEMPERATURE => Some(vec![
            LogParameter::new(0x0000, control::BINARY_LIST, &[0, 35]),
            LogParameter::new(0x0001, control::BINARY_LIST, &[0, 50]),
        ]),
        TAPE_ALERT => Some(
            (1..=64u16)
                .map(|n| {
                    let on = tape_alert >> (n - 1) & 1;
                    LogParameter::new(n, control::BINARY_LIST, &[on as u8])
                })
                .collect(),
        ),
        _ => None,
    }
}
