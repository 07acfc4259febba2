//! The SSC mode pages of a tape drive (SSC-5 8.3, SPC-5 7.5): which pages a personality
//! gets, their default values and changeable masks, the MODE SELECT checks beyond the
//! masks, and the link between the pages and the drive's state (data compression, active
//! partition).
//!
//! Pages built here (each only when the personality lists it, see
//! [`Personality::mode_pages`]):
//!
//! | page | name | changeable |
//! |---|---|---|
//! | 0x01 | read-write error recovery (SSC-5 8.3) | nothing |
//! | 0x02 | disconnect-reconnect (SPC-5 7.5) | nothing |
//! | 0x0F | data compression (SSC-5 8.3) | DCE (when the drive compresses) |
//! | 0x10 | device configuration (SSC-5 8.3) | WRITE DELAY TIME, SELECT DATA COMPRESSION ALGORITHM |
//! | 0x1A | power condition (SPC-5 7.5) | IDLE_A, STANDBY_Z and their timers |
//! | 0x1C | informational exceptions control (SPC-5 7.5) | DEXCPT, MRIE, INTERVAL TIMER, REPORT COUNT |
//! | 0x10/0x01 | device configuration extension (SSC-5 8.3), [`crate::early_warning`] | PEWS (personalities with programmable early warning) |
//! | 0x11 | medium partition (SSC-5 8.3), [`crate::partitioning`] | ADDITIONAL PARTITIONS DEFINED, FDP/SDP/IDP, PSUM, PARTITION UNITS, sizes |
//! | 0x1D | medium configuration (SSC-5 8.3), [`crate::medium_configuration`] | nothing |
//! | 0x0A/0xF0 | control data protection (SSC-5 8.3.9, [`crate::lbp`]) | METHOD, INFORMATION LENGTH, LBP_W, LBP_R, RBDP |
//! | 0x24 | IBM initiator-specific extensions, [`crate::vendor_mode_pages`] | nothing |
//! | 0x25 | IBM read/write control, [`crate::vendor_mode_pages`] | format density (0 or the loaded cartridge's) |
//!
//! The SPC core registers the control page 0x0A and control extension page 0x0A/0x01;
//! [`register`] removes 0x0A/0x01 from personalities that do not list it. Other pages the
//! personality lists (0x2F, 0x30/0x20, 0x31) are not offered yet: MODE SENSE answers
//! INVALID FIELD IN CDB for them.
//!
//! Data compression is one setting seen through two fields: DCE of page 0x0F and SELECT
//! DATA COMPRESSION ALGORITHM (byte 14) of page 0x10 (0 = off, 1 = on). A MODE SELECT that
//! changes either switches [`Drive::set_compression_enabled`] (DCE wins when both are sent
//! and disagree); [`sync_from_drive`] writes the drive's state back into both pages, so MODE
//! SENSE shows it however it was set (configuration, vtlcmd, MODE SELECT).

use vtl_scsi::ScsiError;
use vtl_scsi::mode::{ModePage, ModePages, ModeSelect};

use crate::drive::{Drive, Slot};
use crate::personality::{Family, Personality};

/// Pages this module (or the SPC core) implements.
pub const IMPLEMENTED: &[(u8, u8)] = &[
    (0x01, 0),
    (0x02, 0),
    (0x0a, 0),
    (0x0a, 0x01),
    (0x0a, 0xf0),
    (0x0f, 0),
    (0x10, 0),
    (0x10, 0x01),
    (0x11, 0),
    (0x1a, 0),
    (0x1c, 0),
    (0x1d, 0),
    (0x24, 0),
    (0x25, 0),
];

/// Byte 2 of page 0x0F: DCE (data compression enable).
pub const DCE: u8 = 0x80;
/// Byte 2 of page 0x0F: DCC (data compression capable).
pub const DCC: u8 = 0x40;
/// Byte 3 of page 0x0F: DDE (data decompression enable).
pub const DDE: u8 = 0x80;
/// Offset of SELECT DATA COMPRESSION ALGORITHM in page 0x10.
pub const SELECT_DATA_COMPRESSION: usize = 14;
/// Offset of ACTIVE PARTITION in page 0x10.
pub const ACTIVE_PARTITION: usize = 3;
/// Byte 2 of page 0x1C: DEXCPT (disable exception control).
pub const DEXCPT: u8 = 0x08;
/// Byte 2 of page 0x1C: TEST.
pub const TEST: u8 = 0x04;

/// The pages `pers` lists that are implemented, ascending.
pub fn offered(pers: &Personality) -> Vec<(u8, u8)> {
    pers.mode_pages
        .iter()
        .copied()
        .filter(|p| IMPLEMENTED.contains(p))
        .collect()
}

/// Whether the drive can compress: the personality has data compression and the
/// configuration names an algorithm.
pub fn can_compress(drive: &Drive) -> bool {
    drive.personality().compression && drive.config().compression.algorithm.is_some()
}

/// Register the drive's pages in `modes` (the SPC core's table): every page of
/// [`offered`], defaults from the drive's current state; the core's 0x0A/0x01 is removed
/// when the personality does not list it.
pub fn register(modes: &mut ModePages, drive: &Drive) {
    let pers = drive.personality();
    let pages = offered(pers);
    if !pages.contains(&(0x0a, 0x01)) {
        modes.remove(0x0a, 0x01);
    }
    let compress = can_compress(drive);
    let on = drive.compression_enabled();
    for p in pages {
        let page = match p {
            (0x01, 0) => read_write_error_recovery(),
            (0x02, 0) => disconnect_reconnect(),
            (0x0f, 0) => data_compression(pers, compress, on),
            (0x10, 0) => device_configuration(compress, on),
            (0x1a, 0) => power_condition(),
            (0x1c, 0) => informational_exceptions(),
            (0x10, 0x01) => crate::early_warning::device_configuration_extension(
                pers,
                drive.programmable_early_warning_size(),
            ),
            (0x11, 0) => crate::partitioning::medium_partition_page(
                pers.max_partitions,
                drive.medium_max_partitions(),
                &drive.partition_capacities(),
            ),
            (0x1d, 0) => crate::medium_configuration::medium_configuration(),
            crate::lbp::PAGE => crate::lbp::control_data_protection_page(),
            (0x24, 0) => crate::vendor_mode_pages::initiator_extensions(pers),
            (0x25, 0) => crate::vendor_mode_pages::read_write_control(),
            _ => continue,
        };
        modes.register(page);
    }
}

/// Read-write error recovery mode page 0x01 (SSC-5 8.3), PAGE LENGTH 0Ah: TB, EER, PER, DTE,
/// DCR all 0, READ RETRY COUNT and WRITE RETRY COUNT 0 (the emulation never retries: a
/// media error is reported at once). Nothing is changeable.
pub fn read_write_error_recovery() -> ModePage {
    ModePage::new(0x01, 0, &[0u8; 12], &[])
}

/// Disconnect-reconnect mode page 0x02 (SPC-5 7.5), PAGE LENGTH 0Eh: every field 0 (no limit:
/// the transport, not the drive, paces the transfers). Nothing is changeable.
pub fn disconnect_reconnect() -> ModePage {
    ModePage::new(0x02, 0, &[0u8; 16], &[])
}

/// Data compression mode page 0x0F (SSC-5 8.3), PAGE LENGTH 0Eh.
///
/// * byte 2: DCE (= `on`), DCC (= `compress`); DCE changeable when `compress`;
/// * byte 3: DDE 1 (compressed blocks are always decompressed), RED 00b; not changeable;
/// * bytes 4..7 COMPRESSION ALGORITHM and 8..11 DECOMPRESSION ALGORITHM: 10h (DCLZ, as
///   Quantum DLT/SDLT drives report) for DLT/SDLT personalities, 01h (the default
///   algorithm, as HP and IBM LTO drives report) for the others; 0 when the drive cannot
///   compress. Not changeable.
pub fn data_compression(pers: &Personality, compress: bool, on: bool) -> ModePage {
    let mut d = [0u8; 16];
    let alg: u32 = match (compress, pers.family) {
        (false, _) => 0,
        (true, Family::Dlt(_) | Family::Sdlt(_)) => 0x10,
        (true, _) => 0x01,
    };
    d[2] = if compress { DCC } else { 0 } | if compress && on { DCE } else { 0 };
    d[3] = DDE;
    d[4..8].copy_from_slice(&alg.to_be_bytes());
    d[8..12].copy_from_slice(&alg.to_be_bytes());
    let mut m = [0u8; 16];
    if compress {
        m[2] = DCE;
    }
    ModePage::new(0x0f, 0, &d, &m)
}

/// Device configuration mode page 0x10 (SSC-5 8.3), PAGE LENGTH 0Eh.
///
/// * byte 2: CAP 0, CAF 0, ACTIVE FORMAT 0; byte 3 ACTIVE PARTITION (the current partition,
///   kept by [`sync_from_drive`]; not changeable: partitions change with LOCATE);
/// * bytes 4..5 object buffer full / empty ratios 0; bytes 6..7 WRITE DELAY TIME 0
///   (changeable; objects reach the medium at the next synchronization point whatever its
///   value);
/// * byte 8: LOIS 1 (READ POSITION reports logical object identifiers), OBR, RSMK, AVC,
///   SOCF, ROBO, REW 0;
/// * byte 10: EOD DEFINED 000b, EEG 1 (EOD is generated), SEW 1 (objects are written
///   before early warning is reported), SWP, BAML, BAM 0;
/// * bytes 11..13 OBJECT BUFFER SIZE AT EARLY WARNING 0;
/// * byte 14 SELECT DATA COMPRESSION ALGORITHM: 1 when compressing, else 0; changeable (0
///   or 1) when the drive can compress;
/// * byte 15: WTRE, OIR, REWIND ON RESET, ASOCWP, PERSWP, PRMWP 0.
pub fn device_configuration(compress: bool, on: bool) -> ModePage {
    let mut d = [0u8; 16];
    d[8] = 0x40;
    d[10] = 0x18;
    d[SELECT_DATA_COMPRESSION] = u8::from(compress && on);
    let mut m = [0u8; 16];
    m[6] = 0xff;
    m[7] = 0xff;
    if compress {
        m[SELECT_DATA_COMPRESSION] = 0xff;
    }
    ModePage::new(0x10, 0, &d, &m)
}

/// Byte 3 of page 0x1A: IDLE_A (idle_a condition timer enabled).
pub const IDLE_A: u8 = 0x02;
/// Byte 3 of page 0x1A: STANDBY_Z (standby_z condition timer enabled).
pub const STANDBY_Z: u8 = 0x01;

/// Power condition mode page 0x1A (SPC-5 7.5, power condition mode page), PAGE LENGTH 26h
/// (40 bytes with the header):
///
/// * byte 2: PM_BG_PRECEDENCE 00b, STANDBY_Y 0; byte 3: IDLE_C 0, IDLE_B 0, IDLE_A 0,
///   STANDBY_Z 0;
/// * bytes 4..7 IDLE_A CONDITION TIMER, 8..11 STANDBY_Z CONDITION TIMER, 12..15 IDLE_B,
///   16..19 IDLE_C, 20..23 STANDBY_Y CONDITION TIMER (100 ms units), all 0;
/// * byte 39: CCF IDLE, CCF STANDBY and CCF STOPPED 01b (no CHECK CONDITION on a return
///   from a low power condition), bits 1..0 reserved.
///
/// Changeable: IDLE_A, STANDBY_Z and their two timers, the power conditions a tape drive
/// has (idle: the head unloaded from the tape; standby: the cartridge at rest). The values
/// are kept, reported, saved with SP=1 and restored by a reset like any other page, but
/// change nothing: the emulated drive never leaves the active power condition (a file
/// needs no power saving, and no command ever waits for one to end). Enable bits and
/// timers of idle_b, idle_c and standby_y are 0 and not changeable: SPC-5 reads that as
/// "not implemented".
pub fn power_condition() -> ModePage {
    let mut d = [0u8; 40];
    d[39] = 0x54;
    let mut m = [0u8; 40];
    m[3] = IDLE_A | STANDBY_Z;
    m[4..12].fill(0xff);
    ModePage::new(0x1a, 0, &d, &m)
}

/// Informational exceptions control mode page 0x1C (SPC-5 7.5), PAGE LENGTH 0Ah: PERF, EBF,
/// EWASC, TEST, LOGERR 0; DEXCPT 0 and MRIE 3h (conditionally generate recovered error) as
/// LTO drives default; INTERVAL TIMER and REPORT COUNT 0. Changeable: DEXCPT, MRIE (0..6,
/// checked by [`validate_select`]), INTERVAL TIMER, REPORT COUNT. TEST is not changeable.
/// The values are kept; the drive reports its exceptions through the TapeAlert log page
/// 0x2E only.
pub fn informational_exceptions() -> ModePage {
    let mut d = [0u8; 12];
    d[3] = 0x03;
    let mut m = [0u8; 12];
    m[2] = DEXCPT;
    m[3] = 0x0f;
    m[4..12].fill(0xff);
    ModePage::new(0x1c, 0, &d, &m)
}

/// Write the drive-maintained values into the current page values: DCE (page 0x0F byte 2)
/// and SELECT DATA COMPRESSION ALGORITHM (page 0x10 byte 14) from
/// [`Drive::compression_enabled`], ACTIVE PARTITION (page 0x10 byte 3) from the loaded
/// cartridge's position (0 when empty).
pub fn sync_from_drive(modes: &mut ModePages, drive: &Drive) {
    let on = can_compress(drive) && drive.compression_enabled();
    if let Some(p) = modes.get_mut(0x0f, 0) {
        p.set_bits(2, DCE, on);
    }
    if let Some(p) = modes.get_mut(0x10, 0) {
        p.set(SELECT_DATA_COMPRESSION, u8::from(on));
        let part = match &drive.slot {
            Slot::Loaded(l) => l.cart.position().partition,
            _ => 0,
        };
        p.set(ACTIVE_PARTITION, u8::try_from(part).unwrap_or(u8::MAX));
    }
    crate::partitioning::sync_page(modes, drive);
    crate::medium_configuration::sync_page(modes, drive);
    crate::lbp::sync_page(modes, drive.lbp);
    crate::vendor_mode_pages::sync_page(modes, drive);
}

/// Set the drive's state from the current page values (after a reset restored the saved
/// values): compression on when DCE is set (page 0x0F), else from page 0x10 byte 14 when
/// only that page exists; logical block protection from page 0x0A/0xF0.
pub fn apply_to_drive(modes: &ModePages, drive: &mut Drive) {
    if let Some(p) = modes.get(crate::lbp::PAGE.0, crate::lbp::PAGE.1) {
        drive.lbp = crate::lbp::from_page(p);
    }
    let on = match (modes.get(0x0f, 0), modes.get(0x10, 0)) {
        (Some(p), _) => p.byte(2) & DCE != 0,
        (None, Some(p)) => p.byte(SELECT_DATA_COMPRESSION) != 0,
        (None, None) => {
            crate::early_warning::apply_to_drive(modes, drive);
            return;
        }
    };
    drive.set_compression_enabled(on && can_compress(drive));
    crate::early_warning::apply_to_drive(modes, drive);
}

/// Check the proposed pages of a MODE SELECT beyond the changeable masks (the core has
/// checked those) and work out the new data compression setting.
///
/// * page 0x10 SELECT DATA COMPRESSION ALGORITHM other than 0 or 1: INVALID FIELD IN
///   PARAMETER LIST at that byte;
/// * page 0x1C MRIE above 6 (reserved values): INVALID FIELD IN PARAMETER LIST at byte 3
///   bit 3;
///
/// Returns the compression setting after the command: DCE when page 0x0F was sent with a
/// DCE different from the drive's state, else byte 14 of page 0x10 when it was sent with a
/// different value, else the drive's state.
pub fn validate_select(drive: &Drive, sel: &ModeSelect) -> Result<bool, ScsiError> {
    let current = can_compress(drive) && drive.compression_enabled();
    let mut from_0f = None;
    let mut from_10 = None;
    for &(page, sub, at) in &sel.pages {
        let Some(p) = sel.proposed.get(page, sub) else {
            continue;
        };
        match (page, sub) {
            (0x0f, 0) => from_0f = Some(p.byte(2) & DCE != 0),
            (0x10, 0) => {
                let v = p.byte(SELECT_DATA_COMPRESSION);
                if v > 1 {
                    return Err(ScsiError::param(
                        at + SELECT_DATA_COMPRESSION as u16,
                        None,
                        "SELECT DATA COMPRESSION ALGORITHM must be 0 or 1",
                    ));
                }
                from_10 = Some(v == 1);
            }
            (0x1c, 0) if p.byte(3) & 0x0f > 6 => {
                return Err(ScsiError::param(at + 3, Some(3), "MRIE value reserved"));
            }
            _ => {}
        }
    }
    Ok(match (from_0f, from_10) {
        (Some(v), _) if v != current => v,
        (_, Some(v)) if v != current => v,
        _ => current,
    })
}
