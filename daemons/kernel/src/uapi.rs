//! The Rust mirror of `kernel-module/vtl_uapi.h`, the interface between `vtl.ko` and the
//! daemons: every `#define` as a constant of the same name, every structure as a `#[repr(C)]`
//! zerocopy type with the C field names, and the ioctl request numbers computed as the
//! kernel's `_IO`/`_IOR`/`_IOW`/`_IOWR` macros compute them.
//!
//! `tests/uapi_header.rs` parses the header text and fails when the two sides disagree (a
//! constant, a field, an offset or a size), so neither can change alone. Integers are in the
//! host's byte order; every structure has explicit padding and the same layout on every ABI.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// Version of the interface; `version` of every structure carries it (`VTL_UAPI_VERSION`).
pub const VTL_UAPI_VERSION: u32 = 1;
/// Largest data transfer of one command, in bytes (8 MiB, the largest LTO block).
pub const VTL_MAX_XFER: u32 = 8 << 20;
/// Largest CDB, in bytes.
pub const VTL_CDB_MAX: usize = 32;
/// Largest sense data, in bytes (the kernel's `SCSI_SENSE_BUFFERSIZE`).
pub const VTL_SENSE_MAX: usize = 96;
/// Highest channel number of a logical unit's address.
pub const VTL_MAX_CHANNEL: u32 = 15;
/// Highest target number of a logical unit's address.
pub const VTL_MAX_TARGET: u32 = 255;
/// Highest LUN of a logical unit's address.
pub const VTL_MAX_LUN: u32 = 255;

/// Peripheral device type of a tape drive (SPC-5 table 51: sequential-access device).
pub const VTL_TYPE_TAPE: u32 = 0x01;
/// Peripheral device type of a medium changer (SPC-5 table 51).
pub const VTL_TYPE_CHANGER: u32 = 0x08;

/// `vtl_msg.magic`: "VTLM" in little-endian byte order.
pub const VTL_MSG_MAGIC: u32 = 0x4d4c_5456;
/// `vtl_reply.magic`: "VTLR" in little-endian byte order.
pub const VTL_REPLY_MAGIC: u32 = 0x524c_5456;

/// `vtl_msg.kind`: a SCSI command, to be answered with a [`VtlReply`].
pub const VTL_MSG_COMMAND: u16 = 1;
/// `vtl_msg.kind`: the midlayer aborted command `tag`; do not reply to it.
pub const VTL_MSG_ABORT: u16 = 2;
/// `vtl_msg.kind`: LOGICAL UNIT RESET; the outstanding commands are gone.
pub const VTL_MSG_LU_RESET: u16 = 3;
/// `vtl_msg.kind`: host or bus reset; the outstanding commands are gone.
pub const VTL_MSG_BUS_RESET: u16 = 4;

/// `vtl_msg.direction`: no data.
pub const VTL_DIR_NONE: u8 = 0;
/// `vtl_msg.direction`: data-out; `data_len` bytes follow the message.
pub const VTL_DIR_TO_DEVICE: u8 = 1;
/// `vtl_msg.direction`: data-in; the initiator's buffer is `data_len` bytes.
pub const VTL_DIR_FROM_DEVICE: u8 = 2;

/// `vtl_add_lu.flags`: an existing unit was found (a restarted daemon).
pub const VTL_LU_EXISTED: u32 = 0x1;

/// The ioctl type byte of every vtl ioctl (`'V'`).
pub const VTL_IOC_MAGIC: u8 = b'V';

/// One message from the module to the daemon (`struct vtl_msg`, 64 bytes), as `read()`
/// returns it, followed by the data-out bytes of a command with data-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VtlMsg {
    /// [`VTL_MSG_MAGIC`].
    pub magic: u32,
    /// [`VTL_UAPI_VERSION`].
    pub version: u16,
    /// `VTL_MSG_*`.
    pub kind: u16,
    /// Command identifier, unique among the outstanding commands.
    pub tag: u64,
    /// CDB bytes; `cdb_len` of them valid, the rest zero.
    pub cdb: [u8; VTL_CDB_MAX],
    /// CDB length in bytes.
    pub cdb_len: u16,
    /// `VTL_DIR_*`.
    pub direction: u8,
    /// SAM task attribute: 0 simple, 1 head of queue, 2 ordered.
    pub task_attr: u8,
    /// Bytes: the data-out that follow, or the size of the initiator's data-in buffer.
    pub data_len: u32,
    /// I_T nexus: the SCSI host number of the initiator side.
    pub nexus: u64,
}

/// One reply from the daemon to the module (`struct vtl_reply`, 120 bytes), written
/// followed by `data_len` data-in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VtlReply {
    /// [`VTL_REPLY_MAGIC`].
    pub magic: u32,
    /// [`VTL_UAPI_VERSION`].
    pub version: u16,
    /// SAM status (SAM-5 5.3): 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, ...
    pub status: u8,
    /// Bytes of `sense` valid, at most [`VTL_SENSE_MAX`].
    pub sense_len: u8,
    /// The [`VtlMsg::tag`] being answered.
    pub tag: u64,
    /// Data-in bytes following, at most the command's `data_len`.
    pub data_len: u32,
    /// Zero.
    pub reserved: u32,
    /// Sense data (fixed or descriptor format).
    pub sense: [u8; VTL_SENSE_MAX],
}

/// `VTL_IOC_ADD_LU` argument (`struct vtl_add_lu`, 64 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VtlAddLu {
    /// In: [`VTL_UAPI_VERSION`].
    pub version: u32,
    /// In: channel (at most [`VTL_MAX_CHANNEL`]).
    pub channel: u32,
    /// In: target (at most [`VTL_MAX_TARGET`]).
    pub target: u32,
    /// In: LUN (at most [`VTL_MAX_LUN`]).
    pub lun: u32,
    /// In: `VTL_TYPE_*`.
    pub r#type: u32,
    /// Out: SCSI host number (the H of H:C:T:L).
    pub host: u32,
    /// Out: [`VTL_LU_EXISTED`] when an existing unit was found.
    pub flags: u32,
    /// Zero.
    pub reserved: u32,
    /// Out: NUL-terminated node name under /dev, "vtl/lu-C-T-L".
    pub devname: [u8; 32],
}

/// `VTL_IOC_REMOVE_LU` argument (`struct vtl_lu_addr`, 16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VtlLuAddr {
    /// In: [`VTL_UAPI_VERSION`].
    pub version: u32,
    /// Channel.
    pub channel: u32,
    /// Target.
    pub target: u32,
    /// LUN.
    pub lun: u32,
}

/// `VTL_IOC_INFO` result (`struct vtl_info`, 16 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VtlInfo {
    /// The module's [`VTL_UAPI_VERSION`].
    pub version: u32,
    /// SCSI host number.
    pub host: u32,
    /// [`VTL_MAX_XFER`].
    pub max_xfer: u32,
    /// Logical units present.
    pub units: u32,
}

/// `_IOC_NONE`: no data (asm-generic/ioctl.h).
pub const IOC_NONE: u32 = 0;
/// `_IOC_WRITE`: user space writes the argument.
pub const IOC_WRITE: u32 = 1;
/// `_IOC_READ`: user space reads the argument.
pub const IOC_READ: u32 = 2;

/// `_IOC(dir, type, nr, size)` of asm-generic/ioctl.h (x86, arm, riscv...): number in bits
/// 0..8, type in 8..16, size in 16..30, direction in 30..32.
pub const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
    (dir << 30) | ((size as u32) << 16) | ((ty as u32) << 8) | nr as u32
}

/// `VTL_IOC_ADD_LU`: `_IOWR('V', 1, struct vtl_add_lu)`.
pub const VTL_IOC_ADD_LU: u32 = ioc(
    IOC_READ | IOC_WRITE,
    VTL_IOC_MAGIC,
    1,
    size_of::<VtlAddLu>(),
);
/// `VTL_IOC_REMOVE_LU`: `_IOW('V', 2, struct vtl_lu_addr)`.
pub const VTL_IOC_REMOVE_LU: u32 = ioc(IOC_WRITE, VTL_IOC_MAGIC, 2, size_of::<VtlLuAddr>());
/// `VTL_IOC_INFO`: `_IOR('V', 3, struct vtl_info)`.
pub const VTL_IOC_INFO: u32 = ioc(IOC_READ, VTL_IOC_MAGIC, 3, size_of::<VtlInfo>());
/// `VTL_IOC_SCAN`: `_IO('V', 4)`, on a logical unit's device.
pub const VTL_IOC_SCAN: u32 = ioc(IOC_NONE, VTL_IOC_MAGIC, 4, 0);

/// Bytes a `read()` buffer must hold: one message and the largest data-out.
pub const READ_BUFFER_LEN: usize = size_of::<VtlMsg>() + VTL_MAX_XFER as usize;

const _: () = assert!(size_of::<VtlMsg>() == 64);
const _: () = assert!(size_of::<VtlReply>() == 120);
const _: () = assert!(size_of::<VtlAddLu>() == 64);
const _: () = assert!(size_of::<VtlLuAddr>() == 16);
const _: () = assert!(size_of::<VtlInfo>() == 16);
