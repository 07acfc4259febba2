//! vtl-scsi: the SCSI core shared by vtl's tape drive (vtltape, SSC) and medium changer
//! (vtllibrary, SMC).
//!
//! * [`sense`]: sense keys, ASC/ASCQ, fixed and descriptor sense data (SPC-5 4.4);
//! * [`error`]: [`ScsiError`], the one error type, mapping to status and sense;
//! * [`cdb`]: CDB lengths, typed views and reserved-bit checks with field pointers;
//! * [`task`], [`lu`]: the [`LogicalUnit`] interface transports call;
//! * [`transport`]: the in-process transport tests and benchmarks use.
#![warn(missing_docs)]

pub mod cdb;
pub mod error;
pub mod lu;
pub mod sense;
pub mod task;
pub mod transport;

pub use error::{Result, ScsiError};
pub use lu::{LogicalUnit, ResetEvent};
pub use sense::{Asc, Sense, SenseKey, SenseKeySpecific};
pub use task::{Nexus, Reply, Request, Status};
pub use transport::{Completion, InProcess};
