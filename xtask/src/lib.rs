//! Development tasks for vtl, run with `cargo xtask` (an alias for `cargo run -p xtask --`).
//!
//! `cargo xtask man` writes `man/<tool>.1` for every tool from the tool's own clap command
//! line (its `src/cli.rs`, included below; the daemons' is `daemons/daemon/src/cli.rs`, so the pages cannot drift from `--help`) and the
//! sections clap knows nothing about (exit status, environment, files, examples), kept as roff
//! in `xtask/extra/<tool>.roff`. `cargo xtask man --check` fails when a checked-in page differs
//! from what would be generated.
//!
//! `cargo xtask completions` writes the bash and zsh completions of every tool
//! (`completions/bash/<tool>`, `completions/zsh/_<tool>`) from the same clap commands;
//! `cargo xtask completions --check` fails when a checked-in file is stale.

pub mod completions;
pub mod man;

// Each tool's command line, compiled here exactly as in the tool. Only `command()` is used,
// so the fields clap fills in are never read in this crate.
#[allow(dead_code)]
#[path = "../../bin/mktape/src/cli.rs"]
mod mktape_cli;

#[allow(dead_code)]
#[path = "../../bin/dump_tape/src/cli.rs"]
mod dump_tape_cli;

#[allow(dead_code)]
#[path = "../../bin/edit_tape/src/cli.rs"]
mod edit_tape_cli;

#[allow(dead_code)]
#[path = "../../bin/preload_tape/src/cli.rs"]
mod preload_tape_cli;

#[allow(dead_code)]
#[path = "../../bin/vtlcmd/src/cli.rs"]
mod vtlcmd_cli;

// Both daemons' command lines (vtltape, vtllibrary) live in one file.
#[allow(dead_code)]
#[path = "../../daemons/daemon/src/cli.rs"]
mod daemon_cli;
