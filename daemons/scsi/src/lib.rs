//! vtl-scsi: the SCSI core shared by vtl's tape drive (vtltape, SSC) and medium changer
//! (vtllibrary, SMC).
//!
//! * [`sense`]: sense keys, ASC/ASCQ, fixed and descriptor sense data (SPC-5 4.4);
//! * [`error`]: [`ScsiError`], the one error type, mapping to status and sense;
//! * [`cdb`]: CDB lengths, typed views and reserved-bit checks with field pointers;
//! * [`task`], [`lu`]: the [`LogicalUnit`] interface transports call;
//! * [`transport`]: the in-process transport tests and benchmarks use;
//! * [`spc`]: the SPC command set ([`Spc`], [`SpcDevice`]) built from [`inquiry`], [`vpd`],
//!   [`mode`], [`log`], [`reservation`], [`unit_attention`], [`opcodes`], [`buffer`],
//!   [`diagnostic`] and [`luns`].
#![warn(missing_docs)]

pub mod buffer;
pub mod cdb;
pub mod diagnostic;
pub mod error;
pub mod inquiry;
pub mod log;
pub mod lu;
pub mod luns;
pub mod mode;
pub mod opcodes;
pub mod reservation;
pub mod sense;
pub mod spc;
pub mod task;
pub mod transport;
pub mod unit_attention;
pub mod vpd;

pub use error::{Result, ScsiError};
pub use inquiry::Identity;
pub use log::LogParameter;
pub use lu::{LogicalUnit, ResetEvent};
pub use mode::{BlockDescriptor, ModeHeader, ModePage, ModePages};
pub use opcodes::{CommandClass, OpcodeInfo};
pub use sense::{Asc, Sense, SenseKey, SenseKeySpecific};
pub use spc::{Spc, SpcConfig, SpcDevice};
pub use task::{Nexus, Reply, Request, Status};
pub use transport::{Completion, InProcess};
