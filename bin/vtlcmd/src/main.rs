//! vtlcmd: send an operator command to a vtl daemon.
//!
//! mhvtl's command line (`vtlcmd DEVICE_NO COMMAND... | -h | -help | /h | -v`, spec
//! section 2.4) plus `status [--json]`, `-C CONFDIR`, `--runtime-dir DIR` and `--timeout
//! SECS`; and `vtlcmd start` / `vtlcmd stop` for every daemon of device.conf
//! ([`daemons`]). The checks, the socket protocol and the printing rules are in the
//! `vtl-control` crate ([`vtl_control::cmdline`], [`vtl_control::Client`]); this file
//! parses the arguments and prints.
//!
//! Exit status: 0 done; 1 usage or validation error, device.conf unreadable, no daemon or
//! no answer, a daemon that failed to start or stop, and `-v`; 2 the daemon refused the
//! command.

mod cli;
mod daemons;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::FromArgMatches;
use cli::Cli;
use vtl_control::cmdline::{self, EXIT_OK, EXIT_USAGE};
use vtl_control::{Client, runtime};

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("vtlcmd: {msg}");
    ExitCode::from(EXIT_USAGE)
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // mhvtl's other spellings of -h.
    if args.len() == 2 && (args[1] == "-help" || args[1] == "/h") {
        args[1] = "-h".into();
    }
    let matches = match cli::command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if cli.version {
        eprintln!("vtlcmd: version {} (vtl)", env!("CARGO_PKG_VERSION"));
        return ExitCode::from(EXIT_USAGE);
    }
    let conf_dir = libvtlcart::home::config_dir(cli.config_dir.as_deref());
    let run_dir = runtime::runtime_dir(cli.runtime_dir.as_deref());
    if let Some(action) = cli.action {
        if let Some(d) = &cli.device {
            return fail(format!(
                "'{d}': start and stop take no DEVICE_NO (they act on every daemon of device.conf)"
            ));
        }
        let o = daemons::Options {
            conf_dir,
            run_dir,
            control: cli.control.clone(),
            wait: Duration::from_secs(cli.wait),
            daemon_dir: std::env::var_os(daemons::DAEMON_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(Into::into),
        };
        let r = match action {
            cli::Action::Start => daemons::start(&o),
            cli::Action::Stop => daemons::stop(&o),
        };
        return match r {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) => fail(e),
        };
    }
    let Some(device) = cli.device.as_deref() else {
        return fail("DEVICE_NO is required");
    };
    let inv = match cmdline::resolve(device, &cli.command, &conf_dir, &run_dir) {
        Ok(i) => i,
        Err(e) => return fail(e),
    };
    let reply = match Client::request(&inv.socket, &inv.request, Duration::from_secs(cli.timeout)) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let p = cmdline::present(&inv.request, &reply);
    if let Some(s) = &p.stdout {
        let mut out = std::io::stdout().lock();
        if out
            .write_all(s.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return ExitCode::from(EXIT_USAGE);
        }
    }
    if let Some(s) = &p.stderr {
        eprint!("{s}");
    }
    ExitCode::from(p.code)
}
