//! Block decompression (`compress::decompress`).
//!
//! Input: byte 0 modulo 3 picks none / LZO / zlib, bytes 1..5 are the expected uncompressed
//! size (little-endian, modulo 1 MiB + 1 so that no input can make it allocate more), the
//! rest is the stored bytes. A success must give exactly that many bytes, a failure an empty
//! buffer, whatever the output buffer held before; the stored bytes also go through
//! compress and back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use libvtlcart::Compression;
use libvtlcart::compress::{compress, decompress};

const MAX_SIZE: u32 = 1 << 20;

fuzz_target!(|input: &[u8]| {
    let [kind, s0, s1, s2, s3, stored @ ..] = input else {
        return;
    };
    let comp = match kind % 3 {
        0 => Compression::None,
        1 => Compression::Lzo,
        _ => Compression::Zlib(1 + u32::from(kind / 3 % 9)),
    };
    let size = (u32::from_le_bytes([*s0, *s1, *s2, *s3]) % (MAX_SIZE + 1)) as usize;
    let mut fresh = Vec::new();
    let res = decompress(comp, stored, size, &mut fresh);
    match &res {
        Ok(()) => assert_eq!(fresh.len(), size),
        Err(_) => assert!(fresh.is_empty()),
    }
    // A reused buffer (longer, shorter, other bytes) gives the same result.
    let mut dirty = vec![0xa5; (size / 2) ^ usize::from(*s0)];
    let res2 = decompress(comp, stored, size, &mut dirty);
    assert_eq!(res.is_ok(), res2.is_ok());
    assert_eq!(fresh, dirty);
    // Round trip of the stored bytes as data (a block holds at least one byte).
    if stored.is_empty() {
        return;
    }
    let mut packed = Vec::new();
    compress(comp, stored, &mut packed);
    let mut back = vec![1, 2, 3];
    decompress(comp, &packed, stored.len(), &mut back).expect("our own stream decompresses");
    assert_eq!(back, stored);
});
