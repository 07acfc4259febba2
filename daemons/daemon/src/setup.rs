//! From device.conf to what a daemon runs: the drive's [`DriveConfig`] and the library's
//! handles on its drives, the logical unit's address, the media home, the socket (spec
//! 3.1; `Home directory:` of a drive stanza is a vtl extension).
//!
//! Pure functions of the configuration (and, for a library, of its state file), so that
//! they are tested without a kernel.

use std::path::{Path, PathBuf};

use vtl_config::{
    CompressionKind, DeviceConf, DriveConf, ElementKind, LibraryConf, LibraryContents,
};
use vtl_control::{RemoteDrive, runtime};
use vtl_scsi::{Asc, Sense, SenseKey};
use vtllibrary::journal::{Journal, SavedState};
use vtllibrary::{DriveSlot, ElementType};
use vtltape::{CompressionAlgorithm, CompressionConfig, DriveConfig};

/// Where a logical unit sits on the vtl SCSI host: the H:C:T:L without the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Address {
    /// SCSI channel (bus), device.conf `CHANNEL:`.
    pub channel: u32,
    /// SCSI target id, `TARGET:`.
    pub target: u32,
    /// Logical unit number, `LUN:`.
    pub lun: u32,
}

impl std::fmt::Display for Address {
    /// `C:T:L`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.channel, self.target, self.lun)
    }
}

/// Why a daemon cannot be set up from the configuration.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// device.conf or library_contents cannot be read or parsed.
    #[error("{0}")]
    Config(#[from] vtl_config::ConfigError),
    /// No stanza of that kind with that id.
    #[error("{file}: no '{kind}: {id}' stanza")]
    NoStanza {
        /// `Drive` or `Library`.
        kind: &'static str,
        /// The id asked for.
        id: u32,
        /// The device.conf read.
        file: PathBuf,
    },
    /// The address is beyond what the kernel module takes (vtl_uapi.h VTL_MAX_*).
    #[error(
        "{kind} {id}: CHANNEL {channel} TARGET {target} LUN {lun} is out of range (at most \
         CHANNEL {max_c}, TARGET {max_t}, LUN {max_l})",
        max_c = MAX_CHANNEL,
        max_t = MAX_TARGET,
        max_l = MAX_LUN
    )]
    Address {
        /// `drive` or `library`.
        kind: &'static str,
        /// Its id.
        id: u32,
        /// CHANNEL.
        channel: u32,
        /// TARGET.
        target: u32,
        /// LUN.
        lun: u32,
    },
    /// The library personality device.conf's vendor and product select has no room for
    /// the elements library_contents lists (spec 6.3; e.g. Overland: one MAP element).
    #[error(transparent)]
    AddressMap(Box<AddressMapError>),
}

/// The details of [`SetupError::AddressMap`]: where in library_contents the first element
/// that does not fit is, and why.
#[derive(Debug, thiserror::Error)]
#[error(
    "{file} line {line}: {key}: {why}; device.conf's Library {id} (vendor {vendor:?}, \
     product {product:?}) selects that map: list at most {fits} {word} element(s) or \
     choose another product identification"
)]
pub struct AddressMapError {
    /// The library_contents file.
    pub file: PathBuf,
    /// The line of the element that does not fit (or of the higher-numbered element line
    /// that implies it).
    pub line: usize,
    /// That line's key (`MAP 2`).
    pub key: String,
    /// The library's id.
    pub id: u32,
    /// Its vendor identification (as the personality was selected).
    pub vendor: String,
    /// Its product identification.
    pub product: String,
    /// How many elements of that type fit.
    pub fits: usize,
    /// The library_contents word of that type (`MAP`).
    pub word: &'static str,
    /// What does not fit where.
    pub why: vtllibrary::personality::MapTooSmall,
}

/// The [`SetupError::AddressMap`] for library `l` whose contents (`library_contents` file
/// `file`, its text `text`) do not fit its personality's address map.
fn address_map_error(
    l: &LibraryConf,
    file: &Path,
    text: &str,
    why: vtllibrary::personality::MapTooSmall,
) -> SetupError {
    let kind = match why.kind {
        ElementType::Transport => ElementKind::Picker,
        ElementType::Storage => ElementKind::Slot,
        ElementType::ImportExport => ElementKind::Map,
        ElementType::DataTransfer => ElementKind::Drive,
    };
    let number = u32::try_from(why.number).unwrap_or(u32::MAX);
    let (n, line) = LibraryContents::element_line(text, kind, number).unwrap_or((number, 0));
    SetupError::AddressMap(Box::new(AddressMapError {
        file: file.to_path_buf(),
        line,
        key: format!("{} {n}", kind.word()),
        id: l.id,
        vendor: l
            .vendor
            .clone()
            .unwrap_or_else(|| vtllibrary::library::defaults::VENDOR.into()),
        product: l
            .product
            .clone()
            .unwrap_or_else(|| vtllibrary::library::defaults::PRODUCT.into()),
        fits: why.fits,
        word: kind.word(),
        why,
    }))
}

/// Highest channel the kernel module accepts (vtl_uapi.h VTL_MAX_CHANNEL).
pub const MAX_CHANNEL: u32 = 15;
/// Highest target (VTL_MAX_TARGET).
pub const MAX_TARGET: u32 = 255;
/// Highest LUN (VTL_MAX_LUN).
pub const MAX_LUN: u32 = 255;

fn address(kind: &'static str, id: u32, c: u32, t: u32, l: u32) -> Result<Address, SetupError> {
    if c > MAX_CHANNEL || t > MAX_TARGET || l > MAX_LUN {
        return Err(SetupError::Address {
            kind,
            id,
            channel: c,
            target: t,
            lun: l,
        });
    }
    Ok(Address {
        channel: c,
        target: t,
        lun: l,
    })
}

/// The unit serial number of a drive stanza without `Unit serial number:`: `DRV<id>`
/// (libraries get `LIB<id>` from vtllibrary), unique as the ids are
/// ([`DeviceConf::drive_serial`]).
pub fn default_drive_serial(id: u32) -> String {
    DeviceConf::drive_serial(&DriveConf::new(id, 0, 0, 0))
}

/// The [`DriveConfig`] of drive stanza `d` of `conf`, its cartridges in `home`:
/// vendor, product and revision as given (empty: the personality's defaults), the serial
/// or [`default_drive_serial`], the NAA or its default ([`DeviceConf::drive_naa`]), the
/// compression (`Compression type:` absent: no compression), the LUN, the Reed-Solomon
/// CRC byte order of logical block protection (`LBP RSCRC BE:`).
pub fn drive_config(d: &DriveConf, home: &Path) -> DriveConfig {
    DriveConfig {
        vendor: d.vendor.clone().unwrap_or_default(),
        product: d.product.clone().unwrap_or_default(),
        revision: d.revision.clone().unwrap_or_default(),
        serial: DeviceConf::drive_serial(d),
        naa: Some(DeviceConf::drive_naa(d)),
        compression: CompressionConfig {
            algorithm: d.compression.kind.map(|k| match k {
                CompressionKind::Lzo => CompressionAlgorithm::Lzo,
                CompressionKind::Zlib => CompressionAlgorithm::Zlib,
            }),
            level: u32::from(d.compression.factor),
            enabled: d.compression.enabled,
        },
        media_home: Some(home.to_path_buf()),
        lun: u64::from(d.lun),
        lbp_rscrc_order: vtltape::lbp::RsCrcOrder::from_device_conf(d.lbp_rscrc_be),
    }
}

/// Everything vtltape needs from the configuration.
#[derive(Debug, Clone)]
pub struct DriveSetup {
    /// The drive's id.
    pub id: u32,
    /// Its logical unit's address.
    pub address: Address,
    /// The drive's configuration (media home included).
    pub config: DriveConfig,
    /// `Library ID: L Slot: S`: the library and the drive's element number in it.
    pub library: Option<(u32, u32)>,
    /// The media home (the library's, the drive's own, or the default).
    pub home: PathBuf,
    /// `fifo:` of the stanza.
    pub fifo: Option<PathBuf>,
}

/// The setup of drive `id` of `conf` (read from `file`, for messages); `default_home` is
/// the media home of a stand-alone drive without `Home directory:`.
///
/// Errors: no `Drive: id` stanza; an address the kernel module does not take.
pub fn drive_setup(
    conf: &DeviceConf,
    id: u32,
    file: &Path,
    default_home: &Path,
) -> Result<DriveSetup, SetupError> {
    let d = conf.drive(id).ok_or_else(|| SetupError::NoStanza {
        kind: "Drive",
        id,
        file: file.to_path_buf(),
    })?;
    let home = conf.drive_home(d, default_home);
    Ok(DriveSetup {
        id,
        address: address("drive", id, d.channel, d.target, d.lun)?,
        config: drive_config(d, &home),
        library: d.library,
        home,
        fifo: d.fifo.clone(),
    })
}

/// What the library's state file says is in each drive element (`None` when the file is
/// absent, unreadable, or will not be used because its element counts differ from the
/// configuration's — the rule of `Library::with_state_file`).
pub fn recorded_drives(
    state: Option<&SavedState>,
    contents: &LibraryContents,
) -> Vec<Option<String>> {
    let none = vec![None; contents.drives.len()];
    let Some(st) = state else {
        return none;
    };
    let n: Vec<usize> = st.elements.iter().map(Vec::len).collect();
    let usable = n[0] == contents.pickers.len().max(1)
        && n[1] >= contents.slots.len()
        && n[2] == contents.maps.len()
        && n[3] == contents.drives.len();
    if !usable {
        return none;
    }
    st.elements[drive_index()]
        .iter()
        .map(|e| e.barcode.as_ref().map(|b| b.as_str().to_string()))
        .collect()
}

/// The index of the drive elements in [`SavedState::elements`].
fn drive_index() -> usize {
    ElementType::ALL
        .iter()
        .position(|t| *t == ElementType::DataTransfer)
        .unwrap_or(3)
}

/// The library's state file of library `lib` whose home is `home`, read: `Ok(None)` when
/// there is none.
pub fn read_state(home: &Path, lib: u32) -> Result<Option<SavedState>, String> {
    Journal::new(Journal::default_path(home, lib)).load()
}

/// The cartridge library `lib`'s state file puts in its drive element `slot` (1-based),
/// for a drive daemon to load at start; `None` when it holds none or the file says nothing
/// usable.
pub fn cartridge_for_drive(
    state: Option<&SavedState>,
    contents: &LibraryContents,
    slot: u32,
) -> Option<String> {
    let idx = usize::try_from(slot).ok()?.checked_sub(1)?;
    recorded_drives(state, contents)
        .into_iter()
        .nth(idx)
        .flatten()
}

/// A drive element with no drive configured for it (no `Drive:` stanza with that
/// `Library ID:`/`Slot:`; validation warns): always empty, a move into it fails with
/// HARDWARE ERROR / LOGICAL UNIT COMMUNICATION FAILURE (04/08/00), no identifier.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoDrive;

impl DriveSlot for NoDrive {
    fn load(&mut self, _pcl: &str) -> Result<(), Sense> {
        Err(Sense::new(
            SenseKey::HardwareError,
            Asc::LOGICAL_UNIT_COMMUNICATION_FAILURE,
        ))
    }

    fn unload(&mut self) -> Result<Option<String>, Sense> {
        Ok(None)
    }

    fn loaded_barcode(&self) -> Option<String> {
        None
    }

    fn identifier(&self) -> Vec<u8> {
        Vec::new()
    }
}

/// Everything vtllibrary needs from the configuration, but the drive handles.
#[derive(Debug, Clone)]
pub struct LibrarySetup {
    /// The library stanza (with `-f FIFO` applied).
    pub conf: LibraryConf,
    /// Its logical unit's address.
    pub address: Address,
    /// `library_contents.<id>`.
    pub contents: LibraryContents,
    /// For drive element `n` (index `n - 1`): the drive stanza configured for it.
    pub drives: Vec<Option<DriveConf>>,
}

/// The setup of library `id` of `conf` with its `contents`; `fifo` replaces the stanza's
/// `fifo:` (vtllibrary `-f`).
///
/// Errors: no `Library: id` stanza; an address the kernel module does not take; a
/// personality whose address map has no room for the elements
/// ([`SetupError::AddressMap`], naming the library_contents line next to `file`), found
/// here so that the daemon stops before anything is attached.
pub fn library_setup(
    conf: &DeviceConf,
    contents: LibraryContents,
    id: u32,
    file: &Path,
    fifo: Option<PathBuf>,
) -> Result<LibrarySetup, SetupError> {
    let mut l = conf
        .library(id)
        .ok_or_else(|| SetupError::NoStanza {
            kind: "Library",
            id,
            file: file.to_path_buf(),
        })?
        .clone();
    if fifo.is_some() {
        l.fifo = fifo;
    }
    let address = address("library", id, l.channel, l.target, l.lun)?;
    if let Err(why) = vtllibrary::library::check_address_map(&l, &contents) {
        let path = contents.path(file.parent().unwrap_or(Path::new("")));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        return Err(address_map_error(&l, &path, &text, why));
    }
    let drives = (1..=contents.drives.len() as u32)
        .map(|n| {
            conf.drives_of(id)
                .find(|d| d.library == Some((id, n)))
                .cloned()
        })
        .collect();
    Ok(LibrarySetup {
        conf: l,
        address,
        contents,
        drives,
    })
}

impl LibrarySetup {
    /// The library's handles on its drives, in element order: a [`RemoteDrive`] to each
    /// configured drive's socket in `run_dir` (its identifier from its stanza, the serial
    /// number replaced by the `Drive n: SERIAL` of library_contents when given, as mhvtl
    /// does; what the state file says it holds as the library's record), [`NoDrive`] for
    /// an element no drive is configured for.
    pub fn drive_slots(
        &self,
        run_dir: &Path,
        state: Option<&SavedState>,
    ) -> Vec<Box<dyn DriveSlot>> {
        let recorded = recorded_drives(state, &self.contents);
        self.drives
            .iter()
            .zip(recorded)
            .zip(&self.contents.drives)
            .map(|((d, rec), serial)| -> Box<dyn DriveSlot> {
                match d {
                    Some(d) => {
                        let mut config = drive_config(d, &self.conf.home);
                        if let Some(s) = serial {
                            config.serial = s.clone();
                        }
                        Box::new(
                            RemoteDrive::for_config(runtime::socket_path(run_dir, d.id), &config)
                                .with_recorded(rec),
                        )
                    }
                    None => Box::new(NoDrive),
                }
            })
            .collect()
    }
}
