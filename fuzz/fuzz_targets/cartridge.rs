//! A whole cartridge: the input is split into the files of a cartridge directory, which is
//! then opened strictly and with recover; every object is read (`read_at`, then `read`
//! sequentially); with bit 3 of byte 0 set, a damaged cartridge is recovered for real and
//! must then open strictly.
//!
//! Input: byte 0 says the layout:
//!
//! * bit 0 clear: legacy, files `meta`, `indx`, `data`;
//! * bit 0 set: v6, files `mam`, `mhvtl_data` (left out when bit 2 is set), then per
//!   partition `meta.N`, `indx.N`, `data.N` for N below 1 + bits 4..5, or unsuffixed `meta`,
//!   `indx`, `data` when bit 1 is set (the transitional layouts of tape formats 4 and 5);
//!
//! then each file in that order as a little-endian u32 length and that many bytes
//! (`vtl_fuzz::split_lengths`). `fuzz/seed.sh` packs the mhvtl fixtures this way.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    let v6 = mode & 1 != 0;
    let unsuffixed = mode & 2 != 0;
    let no_mhvtl_data = mode & 4 != 0;
    let apply = mode & 8 != 0;
    let nparts = if unsuffixed {
        1
    } else {
        1 + usize::from((mode >> 4) & 3)
    };
    let mut names: Vec<String> = Vec::new();
    if v6 {
        names.push("mam".into());
        names.push("mhvtl_data".into());
        for n in 0..nparts {
            for f in ["meta", "indx", "data"] {
                names.push(if unsuffixed {
                    f.to_string()
                } else {
                    format!("{f}.{n}")
                });
            }
        }
    } else {
        names.extend(["meta", "indx", "data"].map(String::from));
    }
    let pieces = vtl_fuzz::split_lengths(rest, names.len());
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .zip(pieces)
        .filter(|(n, _)| !(v6 && no_mhvtl_data && n.as_str() == "mhvtl_data"))
        .map(|(n, b)| (n.as_str(), b))
        .collect();
    let dir = vtl_fuzz::scratch_cartridge();
    vtl_fuzz::write_cartridge(dir, &files);
    vtl_fuzz::open_and_read(dir, apply);
});
