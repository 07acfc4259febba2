//! Block compression and CRC (spec 1.11).
//!
//! LZO is raw LZO1X-1 output (no header), zlib is an RFC 1950 stream; the CRC is CRC-32C
//! (Castagnoli) of the uncompressed bytes. Decompression is checked for length and the CRC is
//! checked before any byte leaves this module.

use std::io::Write;

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

/// A data block made ready for writing: compressed and checksummed, so that this CPU work
/// can run on other threads while the tape is written in order
/// ([`crate::Cartridge::write_prepared`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedBlock {
    /// Uncompressed size in bytes (1 ..= u32::MAX).
    pub(crate) size: u32,
    /// CRC-32C of the uncompressed bytes.
    pub(crate) crc: u32,
    /// How `stored` is encoded.
    pub(crate) comp: Compression,
    /// The bytes to store (the data itself for [`Compression::None`]).
    pub(crate) stored: Vec<u8>,
}

impl PreparedBlock {
    /// Compress and checksum `data` (taken by value: with [`Compression::None`] it is stored
    /// without a copy).
    ///
    /// Errors: [`crate::CartError::InvalidArgument`] when `data` is empty or longer than
    /// u32::MAX bytes.
    pub fn new(data: Vec<u8>, comp: Compression) -> crate::Result<Self> {
        crate::cartridge::check_block_size(&data)?;
        let crc = crc32c(&data);
        let size = data.len() as u32;
        let stored = if comp == Compression::None {
            data
        } else {
            let mut out = Vec::new();
            compress(comp, &data, &mut out);
            out
        };
        Ok(PreparedBlock {
            size,
            crc,
            comp,
            stored,
        })
    }

    /// Uncompressed size in bytes.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Bytes that will be stored in the data file (0 on NULL media, whatever this says).
    pub fn stored_len(&self) -> usize {
        self.stored.len()
    }

    /// CRC-32C of the uncompressed bytes.
    pub fn crc(&self) -> u32 {
        self.crc
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

/// Decompress `stored` into `out` (replaced), expecting exactly `size` bytes.
///
/// Errors: a description of the failure (bad stream, wrong length); `out` is then empty.
pub fn decompress(
    c: Compression,
    stored: &[u8],
    size: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let res = decompress_into(c, stored, size, out);
    if res.is_err() {
        out.clear();
    }
    res
}

fn decompress_into(
    c: Compression,
    stored: &[u8],
    size: usize,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    match c {
        Compression::None => {
            out.clear();
            if stored.len() != size {
                return Err(format!("stored {} bytes, index says {size}", stored.len()));
            }
            out.extend_from_slice(stored);
        }
        Compression::Lzo => {
            // No clear() first: only bytes past the old length are zeroed. Every byte is
            // overwritten, as lzo1x::decompress fails unless it fills `out` exactly.
            out.truncate(size);
            out.resize(size, 0);
            lzo1x::decompress(stored, out).map_err(|e| format!("LZO decompression failed: {e}"))?;
        }
        Compression::Zlib(_) => {
            // Inflate straight into `out` (no intermediate buffer). One byte of room past
            // `size` tells a longer stream from an exact one.
            out.clear();
            out.reserve_exact(size.saturating_add(1));
            let mut d = flate2::Decompress::new(true);
            loop {
                let consumed = d.total_in() as usize;
                let produced = out.len();
                let status = d
                    .decompress_vec(&stored[consumed..], out, flate2::FlushDecompress::Finish)
                    .map_err(|e| format!("zlib decompression failed: {e}"))?;
                if status == flate2::Status::StreamEnd || out.len() > size {
                    break;
                }
                if d.total_in() as usize == consumed && out.len() == produced {
                    // No progress: the stream ends early (or `out` is full, handled above).
                    return Err(format!(
                        "zlib decompression failed: stream ends after {} of {} bytes",
                        out.len(),
                        size
                    ));
                }
            }
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
