//! vtllibrary: one library of device.conf as a daemon (see `vtllibrary --help` and
//! man/vtllibrary.1).
//!
//! Start: configuration and library_contents (checked together, [`vtl_config::validate()`]),
//! the logical unit attached, the socket bound, privileges dropped, the media home checked,
//! then the [`Library`] built over [`RemoteDrive`](vtl_control::RemoteDrive)s to its drives'
//! sockets ([`setup::LibrarySetup::drive_slots`]), the state file read. Serve ([`crate::daemon::run`]).
//! End: after a clean stop the unit removed.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use vtl_config::{LibraryContents, Severity};
use vtl_control::LibraryControl;
use vtl_kernel::DeviceType;
use vtllibrary::Library;

use crate::cli::LibraryCli;
use crate::daemon::Daemon;
use crate::served::{Delaying, Served};
use crate::setup;
use crate::start;
use crate::tape::{Attached, attach_and_bind, fail, fail_attached, finish, serve, stop_on_signals};

/// `vtllibrary`'s main.
pub fn main(cli: LibraryCli) -> ExitCode {
    let c = &cli.common;
    let id = c.id;
    let started = match start::begin(c, &format!("vtllibrary {id}")) {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let contents = match LibraryContents::read(&started.conf_dir, id) {
        Ok((lc, warnings)) => {
            for w in warnings {
                tracing::warn!("{w}");
            }
            lc
        }
        Err(e) => return fail(&e.to_string()),
    };
    let mut errors = 0;
    for p in vtl_config::validate(&started.conf, std::slice::from_ref(&contents)) {
        match p.severity {
            Severity::Error => {
                errors += 1;
                tracing::error!("{}", p.message);
            }
            Severity::Warning => tracing::warn!("{}", p.message),
        }
    }
    if errors > 0 {
        return fail(&format!(
            "{}: {errors} error(s) in the configuration",
            started.conf_dir.display()
        ));
    }
    let s = match setup::library_setup(
        &started.conf,
        contents,
        id,
        &started.conf_file(),
        cli.fifo.clone(),
    ) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    tracing::info!(
        "library {id}: {} {} at {}, {} drive element(s), {} slot(s), media home {}",
        s.conf
            .vendor
            .as_deref()
            .unwrap_or(vtllibrary::library::defaults::VENDOR),
        s.conf
            .product
            .as_deref()
            .unwrap_or(vtllibrary::library::defaults::PRODUCT),
        s.address,
        s.drives.len(),
        s.contents.slots.len(),
        s.conf.home.display()
    );

    let Attached {
        mut transport,
        reattached,
        server,
    } = match attach_and_bind(
        &started,
        &c.control,
        id,
        s.address,
        DeviceType::Changer,
        &s.conf.home,
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };

    let state = match setup::read_state(&s.conf.home, id) {
        Ok(st) => st,
        Err(why) => {
            tracing::warn!("state file: {why}");
            None
        }
    };
    let slots = s.drive_slots(&started.run_dir, state.as_ref());
    let library = match Library::new(&s.conf, &s.contents, slots) {
        Ok(l) => l,
        Err(e) => return fail_attached(&e.to_string(), transport, reattached),
    };
    for w in library.warnings() {
        tracing::warn!("{w}");
    }
    let library = Arc::new(Mutex::new(library));
    let stop = match stop_on_signals(started.signals) {
        Ok(stop) => stop,
        Err(e) => return fail_attached(&format!("signal thread: {e}"), transport, reattached),
    };
    let handler = LibraryControl::new(id, library.clone())
        .with_settings(started.settings.clone())
        .with_log(|line| tracing::info!("{line}"));
    let lu = Served::new(
        library,
        started.settings.clone(),
        stop.clone(),
        Delaying::Changer,
    );
    let ending = serve(
        Daemon {
            server,
            handler: Box::new(handler),
            lu: Box::new(lu),
            stop,
        },
        transport.as_mut(),
    );
    finish(ending, transport)
}
