//! vtl-daemon: the daemons `vtltape` and `vtllibrary`, each one logical unit of
//! device.conf served through the vtl kernel module (crate vtl-kernel), managed over its
//! control socket (crate vtl-control), logging through `tracing`.
//!
//! * [`cli`]: both command lines (mhvtl's `-q ID [-d] [-v[N]] [-F]`, plus `-C CONFDIR`,
//!   `--runtime-dir`, `--user`, `--control`);
//! * [`setup`]: device.conf to the drive's configuration, the library's drive handles, the
//!   addresses and the media homes;
//! * [`start`]: what both daemons do before serving (logging, configuration, runtime
//!   directory, socket); [`privilege`]: running as user `vtl` after the setup;
//! * [`signals`]: SIGTERM, SIGINT, SIGHUP taken by a thread of their own;
//! * [`served`]: the unit as the transport serves it (logging, the drive's delays);
//! * [`transport`]: the kernel unit behind a trait; [`daemon`]: the serve and control
//!   threads and how they stop; [`notify`]: systemd's readiness notification;
//! * [`drive_status`]: vtltape's status FIFO (the drive's state around its commands);
//! * [`logging`]: tracing to standard error at the level vtlcmd sets;
//! * [`tape`], [`library`]: the two programs' mains.
//!
//! The daemons always run in the foreground (mhvtl's `-F` is accepted): `vtlcmd start`
//! and systemd detach them.
#![warn(missing_docs)]

pub mod cli;
pub mod daemon;
pub mod drive_status;
pub mod library;
pub mod logging;
pub mod notify;
pub mod privilege;
pub mod served;
pub mod setup;
pub mod signals;
pub mod start;
pub mod tape;
pub mod transport;
