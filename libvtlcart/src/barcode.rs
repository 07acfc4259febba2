//! Barcodes (PCL, primary cartridge label): what may name a cartridge directory.
//!
//! Real libraries print at most 16 characters of `A`–`Z` and `0`–`9` (the 8-character LTO
//! form `E01001L8`, longer forms on some libraries). mhvtl additionally accepts lowercase
//! letters and `-`, `_`, `.`, `+`, `#`; we accept the same, except that a barcode can never be
//! `.`/`..`, start with `.` or `-`, or contain `/`, NUL, whitespace or control characters: it
//! is checked before any path is built from it.

use crate::error::{CartError, Result};

/// Longest barcode (spec 1.1: at most 16 characters).
pub const MAX_PCL_LEN: usize = 16;

/// Check a barcode. Returns it unchanged when valid.
///
/// Errors: [`CartError::BadBarcode`] saying which rule was broken.
pub fn validate_pcl(pcl: &str) -> Result<&str> {
    let bad = |why| {
        Err(CartError::BadBarcode {
            pcl: pcl.to_string(),
            why,
        })
    };
    if pcl.is_empty() {
        return bad("empty");
    }
    if pcl.len() > MAX_PCL_LEN {
        return bad("longer than 16 characters");
    }
    if pcl.starts_with('.') || pcl.starts_with('-') {
        return bad("starts with '.' or '-'");
    }
    for c in pcl.chars() {
        let ok = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '#');
        if !ok {
            return bad(
                "only A-Z, a-z, 0-9 and - _ . + # are allowed (no '/', spaces or control characters)",
            );
        }
    }
    Ok(pcl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_labels() {
        for ok in [
            "E01001L8",
            "CLN101L8",
            "FXLONGBARCODE16C",
            "A",
            "G03001TA",
            "W_1.2+3#",
        ] {
            validate_pcl(ok).unwrap();
        }
    }

    #[test]
    fn refuses_paths_and_control_characters() {
        for bad in [
            "",
            "..",
            ".",
            "../etc",
            "a/b",
            "a\0b",
            "a b",
            "a\nb",
            "-rf",
            "ÄBC",
            "TOOLONGBARCODE17C",
            "x\u{7f}",
        ] {
            assert!(validate_pcl(bad).is_err(), "{bad:?}");
        }
    }
}
