//! libvtlcart: virtual tape cartridges on disk, byte-compatible with mhvtl.
//!
//! A cartridge is a directory named after its barcode (PCL) in a library's media home. This
//! crate reads and writes both of mhvtl's on-disk formats natively (the format facts are in
//! `../shared/spec/mhvtl-reference.md` section 1 and, in our own words, `docs/FORMAT.md`):
//!
//! * **legacy** (mhvtl 1.4 .. 1.7): `data`, `indx`, `meta`, the MAM packed into the first
//!   1024 bytes of `meta`;
//! * **v6** (mhvtl 1.8 / master): `mam` and `mhvtl_data` (TLV), `data.N`, `indx.N`, `meta.N`
//!   per partition, including tapes left half-migrated by mhvtl (tape format 4 or 5).
//!
//! A tape is never converted from one format to the other: what is opened is written back in
//! its own layout.
//!
//! # The tape handle as an application API
//!
//! [`Cartridge`] offers what a drive does to a tape, under SSC names. It is also the
//! application-level API that Amanda's virtual tape layer offered (open, read, write, fsf,
//! weof, rewind, unload, status), mapped as:
//!
//! | Amanda vtape | libvtlcart |
//! |---|---|
//! | open | [`Cartridge::open`] (exclusive lock when writing) |
//! | write | [`Cartridge::write_block`] |
//! | read | [`Cartridge::read`] |
//! | weof | [`Cartridge::write_filemarks`] (the durability point) |
//! | fsf / bsf | [`Cartridge::space_filemarks`] (positive / negative) |
//! | rewind | [`Cartridge::rewind`] |
//! | status | [`Cartridge::position`], [`Cartridge::remaining`] |
//! | unload | [`Cartridge::unload`] (MAM statistics written back) |
//!
//! ```
//! use libvtlcart::{Cartridge, CreateSpec, Compression, Density, Format, Mam, MediumType,
//!                  NewMam, Object, OpenOptionsCart};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let home = tempfile::tempdir()?;
//! let dir = home.path().join("E01001L8");
//! let mam = Mam::new_cartridge(&NewMam {
//!     pcl: "E01001L8",
//!     density: Density::lookup("LTO8").unwrap(),
//!     medium_type: MediumType::Data,
//!     capacity: 100 << 20,
//!     epoch: 1_700_000_000,
//!     v6: false,
//!     application_vendor: *b"vtl 0.1 ",
//! });
//! Cartridge::create(&dir, &CreateSpec { format: Format::Legacy, mam, force: false })?;
//!
//! // open + write + weof
//! let mut tape = Cartridge::open(&dir, &OpenOptionsCart { write: true, ..Default::default() })?;
//! tape.write_block(b"first tape file", Compression::Lzo, None)?;
//! tape.write_filemarks(1)?;
//! tape.write_block(b"second tape file", Compression::Zlib(1), None)?;
//! tape.write_filemarks(1)?;
//!
//! // rewind + fsf + read + status
//! tape.rewind();
//! tape.space_filemarks(1);
//! let mut buf = Vec::new();
//! assert!(matches!(tape.read(&mut buf)?, Object::Data(_)));
//! assert_eq!(buf, b"second tape file");
//! assert_eq!(tape.read(&mut buf)?, Object::Filemark);
//! assert_eq!(tape.position().file_number, 2);
//! tape.unload()?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod barcode;
pub mod cartridge;
pub mod compress;
pub mod crypt;
pub mod error;
pub mod home;
pub mod index;
pub mod layout;
pub mod locate;
pub mod lockinfo;
pub mod mam;
pub mod media;
pub mod partition;
pub mod tape_file;
#[cfg(feature = "testing")]
pub mod testing;

pub use barcode::{expand_range, validate_pcl};
pub use cartridge::{
    BlockInfo, Cartridge, CreateSpec, EARLY_WARNING_BYTES, LoadStats, MbyteCounters, Object,
    OpenOptionsCart, Position, SpaceOutcome, SpaceStop, WriteOutcome,
};
pub use compress::{Compression, PreparedBlock};
pub use crypt::{DataKey, DecryptError, SealOptions, SealedBlock};
pub use error::{CartError, Result, SenseHint};
pub use index::{BlockKey, IndexRecord};
pub use layout::{Format, Layout};
pub use mam::{Mam, NewMam, TextAttribute};
pub use media::{DENSITIES, Density, MediaType, MediumType};
pub use partition::{Damage, RecoveryPlan};

/// The 8 bytes vtl writes into MAM attribute 0x0800 APPLICATION VENDOR of new cartridges:
/// `vtl ` and this crate's major.minor version, space padded (mhvtl writes `vtl-1.7 `).
pub fn application_vendor() -> [u8; 8] {
    let v = format!(
        "vtl {}.{}",
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR")
    );
    let mut out = [b' '; 8];
    let n = v.len().min(8);
    out[..n].copy_from_slice(&v.as_bytes()[..n]);
    out
}

/// Seconds since the epoch: `SOURCE_DATE_EPOCH` when it is set to a number > 0 (reproducible
/// builds convention, honoured by mhvtl's mktape), else the current time.
pub fn source_date_epoch() -> u64 {
    if let Some(n) = std::env::var_os("SOURCE_DATE_EPOCH")
        .and_then(|v| v.to_string_lossy().trim().parse::<u64>().ok())
        .filter(|&n| n > 0)
    {
        return n;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
