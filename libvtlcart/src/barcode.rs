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

/// Most barcodes one `FIRST..LAST` range may expand to (see [`expand_range`]).
pub const MAX_RANGE_LEN: u64 = 100_000;

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

/// Expand a barcode range `FIRST..LAST` into every barcode from FIRST to LAST, in order.
///
/// Both ends have the same length and differ only in one run of decimal digits, which is
/// counted up keeping its width (`E01001L8..E01003L8` gives `E01001L8`, `E01002L8`,
/// `E01003L8`; `A09..A11` gives `A09`, `A10`, `A11`). Text without `..` is returned as the only
/// element, unchanged. The barcodes are not validated here: pass each to [`validate_pcl`]
/// before building a path from it.
///
/// Errors: [`CartError::InvalidArgument`] naming the range and the rule broken (ends of
/// different lengths, ends that differ outside one run of digits, LAST before FIRST, more than
/// [`MAX_RANGE_LEN`] barcodes).
pub fn expand_range(spec: &str) -> Result<Vec<String>> {
    let Some((a, b)) = spec.split_once("..") else {
        return Ok(vec![spec.to_string()]);
    };
    let bad = |why: &str| CartError::InvalidArgument(format!("barcode range {spec:?}: {why}"));
    if a.is_empty() || b.is_empty() {
        return Err(bad("FIRST..LAST needs a barcode on both sides of '..'"));
    }
    if a.len() != b.len() {
        return Err(bad("both ends must have the same length"));
    }
    let (ab, bb) = (a.as_bytes(), b.as_bytes());
    let Some(first) = (0..ab.len()).find(|&i| ab[i] != bb[i]) else {
        return Ok(vec![a.to_string()]);
    };
    let last = (0..ab.len())
        .rev()
        .find(|&i| ab[i] != bb[i])
        .unwrap_or(first);
    let (mut lo, mut hi) = (first, last + 1);
    while lo > 0 && ab[lo - 1].is_ascii_digit() && bb[lo - 1].is_ascii_digit() {
        lo -= 1;
    }
    while hi < ab.len() && ab[hi].is_ascii_digit() && bb[hi].is_ascii_digit() {
        hi += 1;
    }
    // Both ends are cut at the same byte offsets; a multi-byte character across a cut means
    // the ends differ outside a run of ASCII digits.
    let (Some(na), Some(nb)) = (a.get(lo..hi), b.get(lo..hi)) else {
        return Err(bad("the ends may differ only in one run of digits"));
    };
    if !na.bytes().all(|c| c.is_ascii_digit()) || !nb.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad("the ends may differ only in one run of digits"));
    }
    let x: u64 = na.parse().map_err(|_| bad("number too large"))?;
    let y: u64 = nb.parse().map_err(|_| bad("number too large"))?;
    if y < x {
        return Err(bad("the last barcode is before the first"));
    }
    if y - x >= MAX_RANGE_LEN {
        return Err(bad("more than 100000 cartridges"));
    }
    let width = hi - lo;
    Ok((x..=y)
        .map(|n| format!("{}{:0width$}{}", &a[..lo], n, &a[hi..]))
        .collect())
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

    #[test]
    fn ranges_expand() {
        let v = expand_range("E01001L8..E01003L8").unwrap();
        assert_eq!(v, ["E01001L8", "E01002L8", "E01003L8"]);
        let v = expand_range("A09..A11").unwrap();
        assert_eq!(v, ["A09", "A10", "A11"]);
        assert_eq!(expand_range("X1").unwrap(), ["X1"]);
        assert_eq!(expand_range("X1..X1").unwrap(), ["X1"]);
        assert!(expand_range("A1..B1").is_err());
        assert!(expand_range("A10..A09").is_err());
        assert!(expand_range("A1..A10").is_err());
        assert!(expand_range("A000000..A999999").is_err());
        assert!(expand_range("..").is_err());
        let e = expand_range("é0..è0").unwrap_err().to_string();
        assert!(e.contains("barcode range"), "{e}");
    }
}
