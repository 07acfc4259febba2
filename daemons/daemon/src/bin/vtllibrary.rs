//! vtllibrary: vtl's tape library daemon (see `vtl_daemon::library`).

use std::process::ExitCode;

use clap::Parser;
use vtl_daemon::cli::LibraryCli;
use vtl_daemon::start::{EXIT_OK, EXIT_SETUP};

fn main() -> ExitCode {
    match LibraryCli::try_parse() {
        Ok(cli) => vtl_daemon::library::main(cli),
        Err(e) => {
            // --help and --version print and succeed; usage errors are status 1.
            let _ = e.print();
            ExitCode::from(if e.use_stderr() { EXIT_SETUP } else { EXIT_OK })
        }
    }
}
