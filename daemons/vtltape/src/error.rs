//! The drive crate's one error type for its non-SCSI API (loading and unloading cartridges),
//! and the mapping of media errors to SSC sense data.
//!
//! SCSI command paths return [`vtl_scsi::ScsiError`]; [`DriveError::sense`] gives the sense a
//! LOAD UNLOAD command reports for the same failure, and [`cart_sense`] turns a
//! [`CartError`] into the sense a data-path command reports (SPC-5 4.4, SSC-5 4.2).

use std::path::PathBuf;

use libvtlcart::CartError;
use vtl_scsi::{Asc, Sense, SenseKey};

/// Why a cartridge could not be loaded or unloaded.
#[derive(Debug, thiserror::Error)]
pub enum DriveError {
    /// A load was asked while the drive holds a cartridge (loaded or in its mouth).
    #[error("the drive already holds cartridge {0}")]
    Occupied(String),
    /// An unload was asked of an empty drive.
    #[error("no cartridge in the drive")]
    Empty,
    /// A barcode was given but the drive has no media home to find it in.
    #[error("no media home configured: cannot find cartridge {0}")]
    NoMediaHome(String),
    /// The drive's personality does not accept this medium (density / generation, WORM media
    /// in a drive without WORM support, unknown media). The cartridge is left in the drive's
    /// mouth unchanged on disk.
    #[error("{barcode}: medium refused by this drive: {why}")]
    IncompatibleMedium {
        /// The cartridge.
        barcode: String,
        /// Which rule refused it.
        why: &'static str,
    },
    /// PREVENT ALLOW MEDIUM REMOVAL prevents removal (SPC-5 6.13).
    #[error("medium removal prevented")]
    RemovalPrevented,
    /// The cartridge directory could not be opened or written back.
    #[error("{dir}: {source}")]
    Cart {
        /// The cartridge directory.
        dir: PathBuf,
        /// What libvtlcart said.
        #[source]
        source: CartError,
    },
}

impl DriveError {
    /// The sense data a LOAD UNLOAD command reports for this failure:
    ///
    /// * refused medium: NOT READY / INCOMPATIBLE MEDIUM INSTALLED (0x02/0x30/0x00), the
    ///   condition TEST UNIT READY keeps reporting while the cartridge stays in the mouth;
    /// * removal prevented: ILLEGAL REQUEST / MEDIUM REMOVAL PREVENTED (0x05/0x53/0x02);
    /// * empty drive: NOT READY / MEDIUM NOT PRESENT (0x02/0x3a/0x00);
    /// * occupied, no media home: ILLEGAL REQUEST / MEDIUM LOAD OR EJECT FAILED (0x53/0x00);
    /// * media errors: [`cart_sense`].
    pub fn sense(&self) -> Sense {
        match self {
            DriveError::IncompatibleMedium { .. } => {
                Sense::new(SenseKey::NotReady, Asc::INCOMPATIBLE_MEDIUM_INSTALLED)
            }
            DriveError::RemovalPrevented => {
                Sense::new(SenseKey::IllegalRequest, Asc::MEDIUM_REMOVAL_PREVENTED)
            }
            DriveError::Empty => Sense::new(SenseKey::NotReady, Asc::MEDIUM_NOT_PRESENT),
            DriveError::Occupied(_) | DriveError::NoMediaHome(_) => {
                Sense::new(SenseKey::IllegalRequest, Asc::MEDIUM_LOAD_OR_EJECT_FAILED)
            }
            DriveError::Cart { source, .. } => cart_sense(source),
        }
    }
}

/// The sense for a media error, from [`CartError::sense_hint`]: MEDIUM ERROR 0x11/0x00 for
/// reads and bad blocks, 0x0c/0x00 for writes, 0x31/0x00 for corrupt files, DATA PROTECT
/// 0x27/0x00, VOLUME OVERFLOW 0x00/0x02 (with EOM set), NOT READY for a vanished cartridge.
/// The caller adds residues (INFORMATION) and the deferred flag.
pub fn cart_sense(e: &CartError) -> Sense {
    let h = e.sense_hint();
    let key = SenseKey::from_u8(h.key).unwrap_or(SenseKey::HardwareError);
    let s = Sense::new(key, Asc(h.asc, h.ascq));
    if key == SenseKey::VolumeOverflow {
        s.with_eom()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_errors_map_to_ssc_sense() {
        let e = CartError::EndOfMedium {
            partition: 0,
            needed: 10,
            remaining: 1,
        };
        let s = cart_sense(&e);
        assert_eq!(
            (s.key, s.asc, s.eom),
            (
                SenseKey::VolumeOverflow,
                Asc::END_OF_PARTITION_MEDIUM_DETECTED,
                true
            )
        );
        let e = CartError::BadBlock {
            file: "d".into(),
            block: 1,
            data_offset: 0,
            what: String::new(),
        };
        assert_eq!(cart_sense(&e).asc, Asc::UNRECOVERED_READ_ERROR);
        let d = DriveError::IncompatibleMedium {
            barcode: "A".into(),
            why: "x",
        };
        assert_eq!(
            d.sense(),
            Sense::new(SenseKey::NotReady, Asc::INCOMPATIBLE_MEDIUM_INSTALLED)
        );
    }
}
