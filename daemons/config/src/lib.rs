//! vtl-config: vtl's configuration files, compatible with mhvtl's (spec section 3 of
//! `../shared/spec/mhvtl-reference.md`).
//!
//! * [`device_conf`]: `device.conf`, the libraries and drives ([`DeviceConf`]);
//! * [`library_contents`]: `library_contents.<id>`, what each library holds
//!   ([`LibraryContents`]);
//! * [`validate`](validate::validate): checks across stanzas and files;
//! * [`generate`]: the default configuration mhvtl installs;
//! * [`media`]: which cartridges a library's contents need (mhvtl's make_vtl_media).
//!
//! Parsers return the value and a list of [`Warning`]s (unknown keys and other things
//! ignored); errors ([`ConfigError`]) name the file, the line and the key. Writers
//! ([`std::fmt::Display`]) produce mhvtl's format; parsing their output gives back an equal
//! value.
//!
//! ```
//! use std::path::Path;
//! use vtl_config::{DeviceConf, LibraryContents, generate, validate::validate};
//!
//! let conf = generate::generate_device_conf(&generate::DeviceConfParams {
//!     home: "/srv/vtl".into(),
//! });
//! let contents = generate::generate_library_contents(10, &conf);
//! let (back, warnings) = DeviceConf::parse(&conf.to_string(), Path::new("device.conf")).unwrap();
//! assert_eq!(back, conf);
//! assert!(warnings.is_empty());
//! let (lc, _) =
//!     LibraryContents::parse(&contents.to_string(), Path::new("library_contents.10"), 10).unwrap();
//! assert_eq!(lc.slots[0].as_ref().unwrap().as_str(), "E01001L8");
//! assert!(validate(&conf, &[lc]).is_empty());
//! ```
#![warn(missing_docs)]

pub mod device_conf;
pub mod error;
pub mod generate;
pub mod library_contents;
mod line;
pub mod media;
pub mod validate;

use std::path::Path;

pub use device_conf::{Compression, CompressionKind, DeviceConf, DriveConf, LibraryConf};
pub use error::{ConfigError, Result, Warning};
pub use library_contents::{Barcode, ElementKind, Layout, LibraryContents};
pub use media::{MediaToCreate, media_for_barcode, media_to_create};
pub use validate::{Problem, Severity, validate};

/// Highest element number of one type in a library_contents file (and `Slot:` of a
/// drive): SMC-3 element addresses are 16 bits.
pub const MAX_ELEMENTS: u32 = 65535;

/// Read `<conf_dir>/device.conf` and the `library_contents.<id>` of each of its libraries.
///
/// Returns the configuration, the contents in library order and every warning.
///
/// Errors: any file unreadable (a library without its contents file included) or any
/// parse error. Cross-file checks are [`validate()`]'s job.
pub fn read_all(conf_dir: &Path) -> Result<(DeviceConf, Vec<LibraryContents>, Vec<Warning>)> {
    let (conf, mut warnings) = DeviceConf::read(conf_dir)?;
    let mut contents = Vec::with_capacity(conf.libraries.len());
    for lib in &conf.libraries {
        let (lc, w) = LibraryContents::read(conf_dir, lib.id)?;
        warnings.extend(w);
        contents.push(lc);
    }
    Ok((conf, contents, warnings))
}
