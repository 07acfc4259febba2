//! Which files make up a cartridge, in each on-disk generation (spec 1.2, 1.16).

use std::path::{Path, PathBuf};

/// The two live on-disk formats (spec 1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// mhvtl 1.4 .. 1.7: `data`, `indx`, `meta` with the packed MAM at the start of `meta`.
    Legacy,
    /// mhvtl 1.8 / master: `mam`, `mhvtl_data`, `data.N`, `indx.N`, `meta.N`.
    V6,
}

impl Format {
    /// `legacy` or `v6` (the JSON spelling).
    pub fn name(self) -> &'static str {
        match self {
            Format::Legacy => "legacy",
            Format::V6 => "v6",
        }
    }
}

/// How the MAM is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MamStore {
    /// Packed 1024 bytes at the start of `meta` (legacy).
    InMeta,
    /// Packed 1024 bytes in a separate `mam` file (transitional tape format 4).
    PackedFile,
    /// TLV `mam` + `mhvtl_data` (tape format 5 and 6).
    Tlv,
}

/// The exact file layout found in (or chosen for) a cartridge directory.
///
/// Mid-migration tapes keep their layout: a tape format 5 tape with unsuffixed file names is
/// read and written under those names, and its MAM keeps version 5, so that mhvtl master can
/// still finish the migration later. Nothing is ever renamed behind the user's back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Where the MAM lives.
    pub mam: MamStore,
    /// `data.N`/`indx.N`/`meta.N` (true) or `data`/`indx`/`meta` (false).
    pub suffixed: bool,
}

impl Layout {
    /// The layout mhvtl 1.7 writes.
    pub const LEGACY: Layout = Layout {
        mam: MamStore::InMeta,
        suffixed: false,
    };
    /// The layout mhvtl master writes.
    pub const V6: Layout = Layout {
        mam: MamStore::Tlv,
        suffixed: true,
    };

    /// Legacy or v6 (transitional layouts count as v6: they have a `mam` file).
    pub fn format(self) -> Format {
        match self.mam {
            MamStore::InMeta => Format::Legacy,
            _ => Format::V6,
        }
    }

    /// Bytes before the filemark header in `meta` (1024 when the MAM lives there).
    pub fn meta_base(self) -> u64 {
        match self.mam {
            MamStore::InMeta => crate::mam::LEGACY_MAM_SIZE as u64,
            _ => 0,
        }
    }

    /// Paths of partition `n`'s data, index and meta files.
    pub fn partition_files(self, dir: &Path, n: u32) -> [PathBuf; 3] {
        if self.suffixed {
            [
                dir.join(format!("data.{n}")),
                dir.join(format!("indx.{n}")),
                dir.join(format!("meta.{n}")),
            ]
        } else {
            [dir.join("data"), dir.join("indx"), dir.join("meta")]
        }
    }

    /// Largest number of partitions the layout can hold (4 suffixed, 1 otherwise).
    pub fn max_partitions(self) -> u32 {
        if self.suffixed { 4 } else { 1 }
    }
}
