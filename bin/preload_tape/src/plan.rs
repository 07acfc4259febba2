//! `--plan FILE.json`: many tapes in one run, and the argument parsers it shares with the
//! command line.
//!
//! A plan is a JSON array with one object per tape, written in order:
//!
//! ```json
//! [
//!   {"pcl": "E01001L8", "files": ["/data/a.tar", "/data/b.tar"], "block_size": 262144,
//!    "compression": "LZO"},
//!   {"pcl": "E01002L8", "files": ["/data/c.tar"], "block_size": "64K", "compression": "zlib",
//!    "zlib_level": 6, "append": true}
//! ]
//! ```
//!
//! `pcl`, `files` and `block_size` are required; `compression` defaults to `NONE`,
//! `zlib_level` and `append` to the command line's `--zlib-level` and `--append`. Relative
//! file names are relative to the current directory (as `-F`), `-` is standard input (at most
//! once per run). Unknown keys are an error, so a typo never passes silently.

use std::path::{Path, PathBuf};

use libvtlcart::Compression;
use serde::Deserialize;

use crate::MAX_BLOCK_SIZE;

/// A block size given as a number of bytes or as a string with an optional binary suffix.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum BlockSizeValue {
    /// Bytes.
    Number(u64),
    /// `262144`, `256K`, `1M`.
    Text(String),
}

/// One tape of a plan.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanEntry {
    /// Barcode of the cartridge (looked up like `-m`).
    pub pcl: String,
    /// Inputs, one tape file each, in order.
    pub files: Vec<PathBuf>,
    /// Block size.
    pub block_size: BlockSizeValue,
    /// `NONE`, `LZO` or `ZLIB` (any case); default `NONE`.
    #[serde(default)]
    pub compression: Option<String>,
    /// zlib level 1..9 for this tape.
    #[serde(default)]
    pub zlib_level: Option<u32>,
    /// Append at end of data instead of writing from BOT.
    #[serde(default)]
    pub append: Option<bool>,
}

/// Read and parse a plan file. Errors name the file (and serde's line and column).
pub fn read_plan(path: &Path) -> Result<Vec<PlanEntry>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let v: Vec<PlanEntry> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a valid plan ({e}); expected a JSON array of {{\"pcl\", \"files\", \
             \"block_size\", \"compression\"}} objects",
            path.display()
        )
    })?;
    if v.is_empty() {
        return Err(format!("{}: the plan lists no tape", path.display()));
    }
    Ok(v)
}

/// Parse a block size: decimal bytes, optionally followed by `K` (KiB) or `M` (MiB), in
/// 1 ..= [`MAX_BLOCK_SIZE`].
pub fn parse_block_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (num, mul) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1024u64),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        _ => (t, 1),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("block size {s:?}: not a number (bytes, or with a K or M suffix)"))?;
    check_block_size(n.saturating_mul(mul))
}

/// Check a block size in bytes against 1 ..= [`MAX_BLOCK_SIZE`].
pub fn check_block_size(n: u64) -> Result<usize, String> {
    if n == 0 || n > MAX_BLOCK_SIZE as u64 {
        return Err(format!(
            "block size {n} is outside 1 ..= {MAX_BLOCK_SIZE} (16 MiB - 1, the largest block \
             READ BLOCK LIMITS can report)"
        ));
    }
    Ok(n as usize)
}

impl BlockSizeValue {
    /// The size in bytes, checked.
    pub fn bytes(&self) -> Result<usize, String> {
        match self {
            BlockSizeValue::Number(n) => check_block_size(*n),
            BlockSizeValue::Text(s) => parse_block_size(s),
        }
    }
}

/// Parse `NONE`, `LZO` or `ZLIB` in any case; `zlib_level` (1..=9) applies to ZLIB.
pub fn parse_compression(s: &str, zlib_level: u32) -> Result<Compression, String> {
    if !(1..=9).contains(&zlib_level) {
        return Err(format!("zlib level {zlib_level} is outside 1 ..= 9"));
    }
    match s.to_ascii_uppercase().as_str() {
        "NONE" => Ok(Compression::None),
        "LZO" => Ok(Compression::Lzo),
        "ZLIB" => Ok(Compression::Zlib(zlib_level)),
        _ => Err(format!(
            "compression {s:?}: expected NONE, LZO or ZLIB (any case)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_sizes() {
        assert_eq!(parse_block_size("262144"), Ok(262_144));
        assert_eq!(parse_block_size("256K"), Ok(262_144));
        assert_eq!(parse_block_size("1m"), Ok(1 << 20));
        assert_eq!(parse_block_size("1"), Ok(1));
        assert!(parse_block_size("0").is_err());
        assert!(parse_block_size("16M").is_err());
        assert_eq!(parse_block_size("16777215"), Ok(MAX_BLOCK_SIZE));
        assert!(parse_block_size("x").is_err());
        assert!(parse_block_size("-1").is_err());
    }

    #[test]
    fn compressions() {
        assert_eq!(parse_compression("lzo", 1), Ok(Compression::Lzo));
        assert_eq!(parse_compression("None", 1), Ok(Compression::None));
        assert_eq!(parse_compression("ZLIB", 6), Ok(Compression::Zlib(6)));
        assert!(parse_compression("gzip", 1).is_err());
        assert!(parse_compression("zlib", 10).is_err());
    }

    #[test]
    fn plans_parse_strictly() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("plan.json");
        std::fs::write(
            &p,
            r#"[{"pcl":"A1","files":["x"],"block_size":"64K","compression":"lzo"},
                {"pcl":"A2","files":[],"block_size":4096}]"#,
        )
        .unwrap();
        let v = read_plan(&p).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].block_size.bytes(), Ok(65_536));
        assert_eq!(v[1].compression, None);
        std::fs::write(
            &p,
            r#"[{"pcl":"A1","files":[],"block_size":1,"blocksize":2}]"#,
        )
        .unwrap();
        assert!(read_plan(&p).unwrap_err().contains("blocksize"));
        std::fs::write(&p, "[]").unwrap();
        assert!(read_plan(&p).is_err());
    }
}
