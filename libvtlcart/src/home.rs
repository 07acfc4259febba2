//! Where cartridges live: the configuration directory and each library's media home
//! (spec 1.1 and 3.1).
//!
//! The configuration directory is `-C DIR`, else `$VTL_CONFIG_DIR`, else `/etc/vtl`. A
//! library's home is the `Home directory:` key inside its own `Library:` stanza of
//! `device.conf` (unlike mhvtl, a later library's key is never taken); a library without
//! one uses [`DEFAULT_HOME`].

use std::path::{Path, PathBuf};

use crate::error::{CartError, Result};

/// Default configuration directory.
pub const DEFAULT_CONFIG_DIR: &str = "/etc/vtl";
/// Home of libraries whose stanza has no `Home directory:` key.
pub const DEFAULT_HOME: &str = "/opt/vtl";

/// The configuration directory: `explicit`, else `$VTL_CONFIG_DIR`, else `/etc/vtl`.
pub fn config_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    match std::env::var_os("VTL_CONFIG_DIR") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(DEFAULT_CONFIG_DIR),
    }
}

/// One `Library:` stanza of device.conf as far as media is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibraryHome {
    /// Library id (the number after `Library:`).
    pub id: u32,
    /// Its media home.
    pub home: PathBuf,
    /// 1-based line of the `Library:` header.
    pub line: usize,
}

/// Read every library's media home from `<conf_dir>/device.conf`, in file order.
///
/// Errors: I/O errors naming the file; a `Library:` header whose id is not a number names the
/// file and line.
pub fn library_homes(conf_dir: &Path) -> Result<Vec<LibraryHome>> {
    let path = conf_dir.join("device.conf");
    let text = std::fs::read(&path).map_err(|e| CartError::io(&path, "read", e))?;
    library_homes_from_str(&String::from_utf8_lossy(&text), &path)
}

/// Parse the text of a device.conf as [`library_homes`] does, without touching the file
/// system (the fuzz target `device_conf` uses it); `path` only names the file in errors.
///
/// Errors: a `Library:` header whose id is not a number names `path` and the line.
pub fn library_homes_from_str(text: &str, path: &Path) -> Result<Vec<LibraryHome>> {
    let mut out: Vec<LibraryHome> = Vec::new();
    let mut in_library: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(rest) = line.strip_prefix("Library:") {
            let id = rest.split_whitespace().next().unwrap_or("");
            let id: u32 = id.parse().map_err(|_| CartError::Corrupt {
                file: path.to_path_buf(),
                offset: 0,
                what: format!(
                    "a library number after 'Library:' on line {}, found {id:?}",
                    i + 1
                ),
            })?;
            out.push(LibraryHome {
                id,
                home: PathBuf::from(DEFAULT_HOME),
                line: i + 1,
            });
            in_library = Some(out.len() - 1);
        } else if !line.starts_with(char::is_whitespace) && !line.trim().is_empty() {
            // Another stanza header (Drive:, VERSION:, a comment) ends the library stanza.
            if !line.starts_with('#') {
                in_library = None;
            }
        } else if let Some(idx) = in_library
            && let Some(v) = line.trim_start().strip_prefix("Home directory:")
        {
            let v = v.trim();
            if !v.is_empty() {
                out[idx].home = PathBuf::from(v);
            }
        }
    }
    Ok(out)
}

/// The media home of library `lib`.
///
/// Errors: device.conf unreadable, or no `Library: lib` stanza in it.
pub fn library_home(conf_dir: &Path, lib: u32) -> Result<PathBuf> {
    let homes = library_homes(conf_dir)?;
    homes
        .into_iter()
        .find(|h| h.id == lib)
        .map(|h| h.home)
        .ok_or_else(|| {
            CartError::InvalidArgument(format!(
                "{}: no 'Library: {lib}' stanza",
                conf_dir.join("device.conf").display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_stay_inside_their_stanza() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(
            d.path().join("device.conf"),
            "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Vendor identification: STK\n\nLibrary: 30 CHANNEL: 00 TARGET: 08 LUN: 00\n Home directory: /srv/l30\n\nDrive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Home directory: /bogus\n",
        )
        .unwrap();
        let h = library_homes(d.path()).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].home, PathBuf::from(DEFAULT_HOME));
        assert_eq!(h[1].home, PathBuf::from("/srv/l30"));
        assert_eq!(
            library_home(d.path(), 30).unwrap(),
            PathBuf::from("/srv/l30")
        );
        assert!(library_home(d.path(), 11).is_err());
    }

    #[test]
    fn parses_text_without_a_file() {
        let f = Path::new("/x/device.conf");
        let h = library_homes_from_str("Library: 7\n Home directory: /m\n", f).unwrap();
        assert_eq!(
            h,
            [LibraryHome {
                id: 7,
                home: PathBuf::from("/m"),
                line: 1
            }]
        );
        let e = library_homes_from_str("\nLibrary: x\n", f)
            .unwrap_err()
            .to_string();
        assert!(e.contains("/x/device.conf") && e.contains("line 2"), "{e}");
    }
}

/// The directory of cartridge `pcl` in the media home `home`, confined to that home: the
/// barcode is validated first ([`crate::validate_pcl`]: no `/`, `..`, NUL, ...), and a
/// cartridge directory that is a symbolic link is accepted only when it resolves to a
/// place inside the home (a link out of the media home is refused). The files inside a
/// cartridge directory are never opened through symbolic links (the media crate opens them
/// with `O_NOFOLLOW`).
///
/// The directory need not exist (the caller opens or creates it).
///
/// Errors: [`CartError::BadBarcode`]; [`CartError::InvalidArgument`] naming the link and its
/// target when it leaves the home; I/O errors resolving the link.
pub fn cartridge_dir(home: &Path, pcl: &str) -> Result<PathBuf> {
    crate::validate_pcl(pcl)?;
    let path = home.join(pcl);
    match std::fs::symlink_metadata(&path) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = path
                .canonicalize()
                .map_err(|e| CartError::io(&path, "resolve symbolic link", e))?;
            let canon_home = home
                .canonicalize()
                .map_err(|e| CartError::io(home, "resolve media home", e))?;
            if target.starts_with(&canon_home) && target != canon_home {
                Ok(path)
            } else {
                Err(CartError::InvalidArgument(format!(
                    "{}: symbolic link to {}, outside the media home {}: refused",
                    path.display(),
                    target.display(),
                    canon_home.display()
                )))
            }
        }
        _ => Ok(path),
    }
}

#[cfg(test)]
mod confinement_tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_out_of_the_home_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let t = tmp.path();
        let home = t.join("home");
        let outside = t.join("elsewhere");
        std::fs::create_dir_all(home.join("real")).unwrap();
        std::fs::create_dir_all(outside.join("E01001L8")).unwrap();
        // plain directory: fine, existing or not
        assert_eq!(
            cartridge_dir(&home, "E01002L8").unwrap(),
            home.join("E01002L8")
        );
        // a link to a directory inside the home: fine
        symlink(home.join("real"), home.join("E01003L8")).unwrap();
        assert_eq!(
            cartridge_dir(&home, "E01003L8").unwrap(),
            home.join("E01003L8")
        );
        // a link out of the home: refused, naming both ends
        symlink(outside.join("E01001L8"), home.join("E01001L8")).unwrap();
        let e = cartridge_dir(&home, "E01001L8").unwrap_err().to_string();
        assert!(e.contains("outside the media home"), "{e}");
        assert!(e.contains("elsewhere/E01001L8"), "{e}");
        // a link to the home itself: refused
        symlink(&home, home.join("E01004L8")).unwrap();
        assert!(cartridge_dir(&home, "E01004L8").is_err());
        // bad barcodes never reach the file system
        assert!(matches!(
            cartridge_dir(&home, "../x"),
            Err(CartError::BadBarcode { .. })
        ));
    }
}
