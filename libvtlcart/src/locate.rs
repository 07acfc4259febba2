//! Finding a cartridge directory from the media tools' common options.
//!
//! mktape, dump_tape, preload_tape and edit_tape name a cartridge the same way:
//!
//! * a cartridge **directory** given on the command line is used as it is (no device.conf);
//! * `-H HOME`: the cartridge is `HOME/PCL` (no device.conf);
//! * `-l LIB`: the cartridge is `<home of library LIB>/PCL`, the home read from the library's
//!   own stanza of `CONFDIR/device.conf` ([`crate::home`]);
//! * neither: the first library of device.conf, in file order, whose home holds a `PCL`
//!   directory (mhvtl's dump_tape and preload_tape search this way and ignore `-l`'s value;
//!   we honour it).
//!
//! `CONFDIR` is `-C`, else `$VTL_CONFIG_DIR`, else `/etc/vtl` ([`crate::home::config_dir`]).
//! The barcode is validated ([`crate::validate_pcl`]) before any path is built from it, and a
//! cartridge directory that is a symbolic link out of its media home is refused
//! ([`crate::home::cartridge_dir`]).

use std::path::{Path, PathBuf};

use crate::error::CartError;
use crate::{home, validate_pcl};

/// Where to look for cartridges: the `-H`, `-l` and `-C` options of a tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Search<'a> {
    /// `-H HOME`: the media home, used directly.
    pub home: Option<&'a Path>,
    /// `-l LIB`: the library whose home is read from device.conf.
    pub library: Option<u32>,
    /// `-C CONFDIR`: the configuration directory holding device.conf.
    pub config_dir: Option<&'a Path>,
}

/// Why a cartridge could not be located.
#[derive(Debug, thiserror::Error)]
pub enum LocateError {
    /// Bad barcode, unreadable device.conf, no such library stanza.
    #[error(transparent)]
    Cart(#[from] CartError),
    /// No library's home holds a directory of that name (search without `-H`/`-l`).
    #[error("{}: cartridge {pcl} not found in the home of any library ({searched})", .device_conf.display())]
    NotFound {
        /// The device.conf that was read.
        device_conf: PathBuf,
        /// The barcode looked for.
        pcl: String,
        /// Which homes were searched, for the message.
        searched: String,
    },
    /// A new cartridge's home cannot be chosen without `-H` or `-l`.
    #[error("no media home given: use -H HOME or -l LIB")]
    NoHome,
}

impl Search<'_> {
    /// The configuration directory in force (`-C`, `$VTL_CONFIG_DIR`, `/etc/vtl`).
    pub fn config_dir(&self) -> PathBuf {
        home::config_dir(self.config_dir)
    }

    /// The media home where a new cartridge goes: `-H`, else the home of library `-l`.
    ///
    /// Errors: [`LocateError::NoHome`] when neither is given; device.conf errors.
    pub fn media_home(&self) -> Result<PathBuf, LocateError> {
        if let Some(h) = self.home {
            return Ok(h.to_path_buf());
        }
        match self.library {
            Some(lib) => Ok(home::library_home(&self.config_dir(), lib)?),
            None => Err(LocateError::NoHome),
        }
    }

    /// The directory of cartridge `pcl` (which must exist only in the device.conf search: with
    /// `-H` or `-l` the path is returned whether or not it exists, for the caller to open or
    /// create).
    ///
    /// Errors: invalid barcode; device.conf unreadable or without the library;
    /// [`LocateError::NotFound`] when no library's home holds `pcl`.
    pub fn cartridge(&self, pcl: &str) -> Result<PathBuf, LocateError> {
        validate_pcl(pcl)?;
        if self.home.is_some() || self.library.is_some() {
            return Ok(home::cartridge_dir(&self.media_home()?, pcl)?);
        }
        let conf = self.config_dir();
        let homes = home::library_homes(&conf)?;
        if let Some(h) = homes.iter().find(|h| h.home.join(pcl).is_dir()) {
            return Ok(home::cartridge_dir(&h.home, pcl)?);
        }
        let searched = if homes.is_empty() {
            "no Library: stanza".to_string()
        } else {
            let v: Vec<String> = homes
                .iter()
                .map(|h| format!("library {} ({})", h.id, h.home.display()))
                .collect();
            format!("searched {}", v.join(", "))
        };
        Err(LocateError::NotFound {
            device_conf: conf.join("device.conf"),
            pcl: pcl.to_string(),
            searched,
        })
    }
}

/// The name to report for a cartridge directory given on the command line: the last
/// component of its canonical path (so `.` and `E01001L8/` name the cartridge), else of the
/// path as given.
pub fn dir_name(dir: &Path) -> String {
    dir.canonicalize()
        .unwrap_or_else(|_| dir.to_path_buf())
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn home_library_and_search() {
        let d = tempfile::tempdir().unwrap();
        let (h10, h30) = (d.path().join("h10"), d.path().join("h30"));
        std::fs::create_dir_all(h30.join("E01001L8")).unwrap();
        std::fs::write(
            d.path().join("device.conf"),
            format!(
                "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Home directory: {}\n\nLibrary: 30 CHANNEL: 00 TARGET: 08 LUN: 00\n Home directory: {}\n",
                h10.display(),
                h30.display()
            ),
        )
        .unwrap();
        let conf = Some(d.path());
        let s = Search {
            config_dir: conf,
            ..Default::default()
        };
        assert_eq!(s.cartridge("E01001L8").unwrap(), h30.join("E01001L8"));
        let e = s.cartridge("E01002L8").unwrap_err();
        assert!(matches!(e, LocateError::NotFound { .. }), "{e}");
        assert!(e.to_string().contains("library 10"), "{e}");
        assert!(matches!(s.media_home(), Err(LocateError::NoHome)));
        let s10 = Search {
            library: Some(10),
            config_dir: conf,
            ..Default::default()
        };
        assert_eq!(s10.cartridge("E01001L8").unwrap(), h10.join("E01001L8"));
        assert_eq!(s10.media_home().unwrap(), h10);
        let sh = Search {
            home: Some(Path::new("/srv/x")),
            ..Default::default()
        };
        assert_eq!(sh.cartridge("A1").unwrap(), Path::new("/srv/x/A1"));
        assert!(sh.cartridge("../etc").is_err());
        assert_eq!(dir_name(&h30.join("E01001L8").join(".")), "E01001L8");
    }
}
