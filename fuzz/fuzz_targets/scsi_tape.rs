//! The tape drive as an initiator sees it: a sequence of commands (CDB + data-out) from up
//! to four nexuses, sent through the in-process transport to an IBM LTO-8 `TapeDrive` with a
//! fresh 4 MiB cartridge loaded (the input's first byte picks legacy or v6, data or WORM,
//! compression, and a few personalities).
//!
//! Input: `[setup byte]` then records `[nexus|len byte][cdb (len & 0x1f bytes)][data-out
//! length, u16 LE][data-out]`. When bit 5 of the len byte is set the op code is replaced by
//! one of the implemented ones, so most commands get past the op-code check and reach the
//! field and parameter-list parsers (MODE SELECT, LOG SELECT, PERSISTENT RESERVE OUT, WRITE
//! BUFFER, SEND DIAGNOSTIC, SECURITY PROTOCOL OUT's set data encryption page, WRITE(6) with
//! logical block protection, ...).
//!
//! Every reply must be GOOD, CHECK CONDITION or RESERVATION CONFLICT; CHECK CONDITION must
//! carry sense that parses; ILLEGAL REQUEST about a field (INVALID COMMAND OPERATION CODE,
//! INVALID FIELD IN CDB / PARAMETER LIST, PARAMETER LIST LENGTH ERROR) must point (SKSV)
//! inside the CDB or the data-out;
//! data-in never exceeds what the CDB's allocation length allows (checked loosely: never
//! more than 16 MiB).
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::{Format, MediumType};
use vtl_scsi::InProcess;
use vtltape::{CompressionConfig, DriveConfig, TapeDrive};

/// Op codes the drive implements (SPC + SSC), to aim the fuzzer at the parsers behind them.
const OPS: &[u8] = &[
    0x00, 0x01, 0x03, 0x04, 0x05, 0x08, 0x0a, 0x0b, 0x10, 0x11, 0x12, 0x13, 0x15, 0x16, 0x17, 0x19,
    0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x2b, 0x34, 0x3b, 0x3c, 0x44, 0x4c, 0x4d, 0x55, 0x56, 0x57, 0x5a,
    0x5e, 0x5f, 0x82, 0x8c, 0x8d, 0x91, 0x92, 0xa0, 0xa2, 0xa3, 0xa4, 0xab, 0xb5,
];
const PRODUCTS: &[&str] = &[
    "ULT3580-TD8",
    "ULT3580-TD5",
    "Ultrium 6-SCSI",
    "T10000C",
    "SDLT600",
    "whatever",
];

fuzz_target!(|input: &[u8]| {
    let Some((&setup, rest)) = input.split_first() else {
        return;
    };
    let home = vtl_fuzz::scratch_home();
    let _ = std::fs::remove_dir_all(home.join("FUZZ01L8"));
    let format = if setup & 1 != 0 {
        Format::V6
    } else {
        Format::Legacy
    };
    let medium = if setup & 2 != 0 {
        MediumType::Worm
    } else {
        MediumType::Data
    };
    libvtlcart::testing::make_cartridge(home, "FUZZ01L8", format, medium, "LTO8", 4 << 20);
    let product = PRODUCTS[usize::from(setup >> 4) % PRODUCTS.len()];
    let mut t = InProcess::new(TapeDrive::new(DriveConfig {
        vendor: "IBM".into(),
        product: product.into(),
        revision: "0001".into(),
        serial: "FUZZ0001".into(),
        compression: CompressionConfig {
            enabled: setup & 4 != 0,
            ..Default::default()
        },
        media_home: Some(home.to_path_buf()),
        ..Default::default()
    }));
    if setup & 8 == 0 {
        let _ = t.lu().load_barcode("FUZZ01L8");
    }
    for (nexus, cdb, data_out) in vtl_fuzz::commands(rest, OPS) {
        let c = t.command(nexus, &cdb, data_out, 1 << 24);
        vtl_fuzz::check_reply(&c, &cdb, data_out);
    }
});
