//! [`RemoteDrive`]: a library's handle on a drive that runs in its own daemon (vtltape),
//! reached over the drive's control socket — the [`DriveSlot`] vtllibrary uses when its
//! drives are separate processes.
//!
//! # The library's words (spec 4.2, mhvtl's names)
//!
//! | [`DriveSlot`] method | request | reply |
//! |---|---|---|
//! | [`load`](DriveSlot::load) | `lload <PCL>` | `ok`; refusal: [`refusal_text`] |
//! | [`unload`](DriveSlot::unload) | `set_empty` | `ok` + the barcode taken out (empty text: the drive was empty); refusal: [`refusal_text`] |
//! | [`loaded_barcode`](DriveSlot::loaded_barcode) | `mount_state` | `ok` + the barcode in the drive, or empty |
//!
//! A refusal's text starts with the sense the library reports for it, as three hexadecimal
//! bytes `SK/ASC/ASCQ` and a space (`05/30/00 Load failed: E01001L8: ...`), made by
//! [`refusal_text`] from vtllibrary's
//! [`drive_error_sense`](vtllibrary::drive_slot::drive_error_sense) mapping, so a drive in
//! another process is refused with the same sense as one in the library's own process
//! (drive_slot.rs): INCOMPATIBLE MEDIUM INSTALLED 05/30/00, MEDIUM REMOVAL PREVENTED
//! 05/53/02, MEDIUM LOAD OR EJECT FAILED 04/53/00, ...
//!
//! # When the drive does not answer
//!
//! * `lload` / `set_empty`: HARDWARE ERROR with LOGICAL UNIT COMMUNICATION FAILURE (04/08/00)
//!   when the drive's daemon is not running or the exchange failed, LOGICAL UNIT
//!   COMMUNICATION TIME-OUT (04/08/01) when it did not answer within the move timeout
//!   ([`RemoteDrive::with_timeouts`], default [`MOVE_TIMEOUT`]); a reply that is no
//!   refusal this module can read: MEDIUM LOAD OR EJECT FAILED (04/53/00).
//! * `mount_state`: the library's own record — the cartridge the library last put in
//!   (or was told at start, [`RemoteDrive::with_recorded`]) and has not taken out — after
//!   at most [`QUERY_TIMEOUT`]. So a library that starts before its drives keeps what its
//!   state file says they hold.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vtl_scsi::{Asc, Sense, SenseKey};
use vtllibrary::DriveSlot;
use vtltape::{DriveConfig, TapeDrive};

use crate::client::{Client, ControlError};
use crate::request::Request;

/// How long `lload` and `set_empty` may take: a load with the longest `delay load` and
/// `delay thread` (20 s each) and the cartridge's own opening, with room to spare.
pub const MOVE_TIMEOUT: Duration = Duration::from_secs(120);

/// How long `mount_state` may take before the library's record is used instead.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// LOGICAL UNIT COMMUNICATION TIME-OUT (SPC-5 annex D, 08/01).
pub const LOGICAL_UNIT_COMMUNICATION_TIME_OUT: Asc = Asc(0x08, 0x01);

/// The text of a refusal of `lload` or `set_empty`: `SK/ASC/ASCQ message`, the sense as
/// three two-digit lowercase hexadecimal bytes (`05/30/00 Load failed: ...`).
pub fn refusal_text(sense: &Sense, message: &str) -> String {
    format!(
        "{:02x}/{:02x}/{:02x} {message}",
        sense.key as u8, sense.asc.0, sense.asc.1
    )
}

/// The sense and message of a [`refusal_text`]; `None` when `text` does not start with a
/// valid `SK/ASC/ASCQ` (a sense key SPC-5 defines, two-digit hexadecimal bytes).
pub fn parse_refusal(text: &str) -> Option<(Sense, &str)> {
    let (code, message) = text.split_once(' ').unwrap_or((text, ""));
    let mut parts = code.split('/');
    let mut byte = || -> Option<u8> {
        let p = parts.next()?;
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u8::from_str_radix(p, 16).ok()
    };
    let (sk, asc, ascq) = (byte()?, byte()?, byte()?);
    if parts.next().is_some() {
        return None;
    }
    let key = SenseKey::from_u8(sk)?;
    Some((Sense::new(key, Asc(asc, ascq)), message))
}

/// The sense a library reports when it cannot talk to the drive (module documentation).
pub fn communication_sense(e: &ControlError) -> Sense {
    match e {
        ControlError::Timeout { .. } => {
            Sense::new(SenseKey::HardwareError, LOGICAL_UNIT_COMMUNICATION_TIME_OUT)
        }
        _ => Sense::new(
            SenseKey::HardwareError,
            Asc::LOGICAL_UNIT_COMMUNICATION_FAILURE,
        ),
    }
}

/// The device identifier READ ELEMENT STATUS reports for a drive configured with `config`
/// (vendor 8 bytes, product 16 bytes, serial number): exactly what the drive's own daemon
/// answers INQUIRY with, the personality's defaults filled in the same way.
pub fn identifier_of(config: &DriveConfig) -> Vec<u8> {
    Arc::new(Mutex::new(TapeDrive::new(config.clone()))).identifier()
}

/// A drive in another process, reached over its control socket.
#[derive(Debug, Clone)]
pub struct RemoteDrive {
    socket: PathBuf,
    identifier: Vec<u8>,
    recorded: Option<String>,
    move_timeout: Duration,
    query_timeout: Duration,
}

impl RemoteDrive {
    /// The drive whose daemon listens on `socket` (`<runtime dir>/vtl-<id>.sock`) and whose
    /// READ ELEMENT STATUS device identifier is `identifier` ([`identifier_of`]); nothing
    /// recorded in it; default timeouts.
    pub fn new(socket: PathBuf, identifier: Vec<u8>) -> RemoteDrive {
        RemoteDrive {
            socket,
            identifier,
            recorded: None,
            move_timeout: MOVE_TIMEOUT,
            query_timeout: QUERY_TIMEOUT,
        }
    }

    /// The drive of `config` (its device.conf stanza made into a [`DriveConfig`]) behind
    /// `socket`.
    pub fn for_config(socket: PathBuf, config: &DriveConfig) -> RemoteDrive {
        RemoteDrive::new(socket, identifier_of(config))
    }

    /// What the library believes the drive holds (its state file), reported while the
    /// drive's daemon does not answer.
    pub fn with_recorded(mut self, barcode: Option<String>) -> RemoteDrive {
        self.recorded = barcode;
        self
    }

    /// Set the time limits of `lload`/`set_empty` and of `mount_state` (at least 1 ms).
    pub fn with_timeouts(mut self, moves: Duration, query: Duration) -> RemoteDrive {
        self.move_timeout = moves;
        self.query_timeout = query;
        self
    }

    /// The drive's control socket.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// The cartridge the library last put in the drive and has not taken out.
    pub fn recorded(&self) -> Option<&str> {
        self.recorded.as_deref()
    }

    /// Send `req` with the move timeout: the reply text on success, the library's sense on
    /// refusal or failure.
    fn move_request(&self, req: &Request) -> Result<String, Sense> {
        match Client::request(&self.socket, req, self.move_timeout) {
            Ok(r) if r.ok => Ok(r.text),
            Ok(r) => Err(parse_refusal(&r.text).map_or(
                Sense::new(SenseKey::HardwareError, Asc::MEDIUM_LOAD_OR_EJECT_FAILED),
                |(s, _)| s,
            )),
            Err(e) => Err(communication_sense(&e)),
        }
    }
}

impl DriveSlot for RemoteDrive {
    fn load(&mut self, pcl: &str) -> Result<(), Sense> {
        self.move_request(&Request::LibraryLoad(pcl.to_string()))?;
        self.recorded = Some(pcl.to_string());
        Ok(())
    }

    fn unload(&mut self) -> Result<Option<String>, Sense> {
        let text = self.move_request(&Request::SetEmpty)?;
        self.recorded = None;
        Ok((!text.is_empty()).then_some(text))
    }

    fn loaded_barcode(&self) -> Option<String> {
        match Client::request(&self.socket, &Request::MountState, self.query_timeout) {
            Ok(r) if r.ok => (!r.text.is_empty()).then_some(r.text),
            _ => self.recorded.clone(),
        }
    }

    fn identifier(&self) -> Vec<u8> {
        self.identifier.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_texts() {
        let s = Sense::new(SenseKey::IllegalRequest, Asc::INCOMPATIBLE_MEDIUM_INSTALLED);
        let t = refusal_text(&s, "Load failed: X: no");
        assert_eq!(t, "05/30/00 Load failed: X: no");
        assert_eq!(parse_refusal(&t), Some((s, "Load failed: X: no")));
        let s = Sense::new(SenseKey::HardwareError, Asc::MEDIUM_LOAD_OR_EJECT_FAILED);
        assert_eq!(parse_refusal("04/53/00"), Some((s, "")));
        for bad in [
            "",
            "Load failed",
            "5/30/00 x",
            "05/30 x",
            "05/30/00/00 x",
            "0c/00/00 x",
            "05/3g/00 x",
            "+5/30/00 x",
        ] {
            assert_eq!(parse_refusal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn identifier_matches_the_drive() {
        let c = DriveConfig {
            product: "ULT3580-TD8".into(),
            serial: "XYZZY_A1".into(),
            ..Default::default()
        };
        // Vendor defaulted from the personality (IBM), padded to 8; product to 16.
        assert_eq!(
            identifier_of(&c),
            b"IBM     ULT3580-TD8     XYZZY_A1".to_vec()
        );
    }
}
