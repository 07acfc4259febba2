//! vtllibrary: vtl's medium changer, an SMC-3 logical unit over an element inventory and
//! the library's vtltape drives.
//!
//! * [`personality`]: element address maps by vendor / product (spec 6.3);
//! * [`element`]: elements, cartridges and the [`element::Inventory`];
//! * [`cdb`]: the SMC CDBs and [`cdb::Command`];
//! * [`status`]: READ ELEMENT STATUS data;
//! * [`pages`]: mode pages 0x1D/0x1E/0x1F, log pages 0x0D/0x2E;
//! * [`drive_slot`]: the library's handle on a drive ([`DriveSlot`]);
//! * [`journal`]: the crash-safe state file;
//! * [`move_command`]: the `movecommand` hook run before every move;
//! * [`status_fifo`]: the status FIFO (`fifo:`);
//! * [`library`]: the logical unit [`Library`] (moves, commands, concurrency notes);
//! * [`operator`]: vtlcmd's library commands as methods.
#![warn(missing_docs)]

pub mod cdb;
pub mod drive_slot;
pub mod element;
pub mod error;
pub mod journal;
pub mod library;
pub mod move_command;
pub mod operator;
pub mod pages;
pub mod personality;
pub mod status;
pub mod status_fifo;

pub use drive_slot::{DriveSlot, SharedLu};
pub use element::{Element, ElementType, Inventory, Medium};
pub use error::LibraryError;
pub use library::Library;
