//! Our LZO1X-1 and zlib level 1 produce the same stored bytes as mhvtl (liblzo2/minilzo and
//! zlib's compress2) for the fixture inputs: a tape written by vtl is byte-identical to one
//! written by mhvtl, compressed blocks included.

mod common;

use libvtlcart::compress::{Compression, compress};
use libvtlcart::{Cartridge, OpenOptionsCart};

fn stored_bytes(c: &Cartridge, block: u32) -> Vec<u8> {
    let r = c.record(0, block).unwrap();
    let data = std::fs::read(&c.partition(0).unwrap().paths()[0]).unwrap();
    data[r.offset() as usize..r.end_offset() as usize].to_vec()
}

fn check(fixture: &str, input: &str, block_size: usize, comp: Compression) {
    let Some(root) = common::fixtures() else {
        return;
    };
    let input = std::fs::read(root.join("inputs").join(input)).unwrap();
    for fmt in ["legacy", "v6"] {
        let c =
            Cartridge::open(&root.join(fmt).join(fixture), &OpenOptionsCart::default()).unwrap();
        let mut out = Vec::new();
        for (i, chunk) in input.chunks(block_size).enumerate() {
            compress(comp, chunk, &mut out);
            assert!(
                out == stored_bytes(&c, i as u32),
                "{fmt}/{fixture} block {i}: compressed bytes differ from mhvtl's"
            );
        }
    }
}

#[test]
fn lzo_blocks_are_byte_identical_to_mhvtl() {
    check("FXTXT1L8", "pattern.txt", 16384, Compression::Lzo);
}

#[test]
fn zlib_level1_blocks_are_byte_identical_to_mhvtl() {
    check("FXBZL1L8", "random3m.bin", 65536, Compression::Zlib(1));
}
