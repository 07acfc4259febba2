//! The steps both daemons take before serving: logging and signals first (before any
//! thread exists), the configuration, the privilege decision, the runtime directory, the
//! control socket.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use vtl_config::DeviceConf;
use vtl_control::{Server, Settings, SharedSettings, runtime};

use crate::cli::Common;
use crate::privilege::{self, Decision};
use crate::signals::{self, Blocked};

/// Exit status: stopped cleanly.
pub const EXIT_OK: u8 = 0;
/// Exit status: configuration, kernel or privilege error at start.
pub const EXIT_SETUP: u8 = 1;
/// Exit status: the kernel interface failed while serving.
pub const EXIT_SERVE: u8 = 2;

/// The initial settings from the command line: `-v N` (clamped to 0..=3), `-d`.
pub fn initial_settings(c: &Common) -> Settings {
    Settings {
        verbose: c
            .verbose
            .unwrap_or(0)
            .min(vtl_control::settings::MAX_VERBOSE),
        debug: c.debug,
        ..Default::default()
    }
}

/// What every daemon has once [`begin`] succeeded.
#[derive(Debug)]
pub struct Started {
    /// Verbosity, debug and delays, shared with the control handler and the logger.
    pub settings: SharedSettings,
    /// The blocked signals, for the signal thread.
    pub signals: Blocked,
    /// The configuration directory.
    pub conf_dir: PathBuf,
    /// The runtime directory (sockets).
    pub run_dir: PathBuf,
    /// device.conf.
    pub conf: DeviceConf,
    /// Whom to run as.
    pub decision: Decision,
}

impl Started {
    /// `<conf_dir>/device.conf`, for messages.
    pub fn conf_file(&self) -> PathBuf {
        self.conf_dir.join("device.conf")
    }
}

/// Block the signals, start logging, read device.conf (its warnings logged), decide about
/// privileges. `what` names the daemon in the first log line (`vtltape 11`).
///
/// Errors: a message for the log (the daemon then exits with [`EXIT_SETUP`]).
pub fn begin(c: &Common, what: &str) -> Result<Started, String> {
    let signals = signals::block().map_err(|e| format!("blocking signals: {e}"))?;
    let settings: SharedSettings = Arc::new(Mutex::new(initial_settings(c)));
    crate::logging::init(settings.clone());
    let conf_dir = libvtlcart::home::config_dir(c.config_dir.as_deref());
    let run_dir = runtime::runtime_dir(c.runtime_dir.as_deref());
    tracing::info!(
        "{what}: vtl {} starting, configuration {}, sockets in {}",
        env!("CARGO_PKG_VERSION"),
        conf_dir.display(),
        run_dir.display()
    );
    let (conf, warnings) = DeviceConf::read(&conf_dir).map_err(|e| e.to_string())?;
    for w in warnings {
        tracing::warn!("{w}");
    }
    let decision = privilege::decide(
        privilege::effective_uid(),
        c.user.as_deref(),
        privilege::lookup_user,
    )
    .map_err(|e| e.to_string())?;
    Ok(Started {
        settings,
        signals,
        conf_dir,
        run_dir,
        conf,
        decision,
    })
}

/// Make the runtime directory when it is missing: mode 0775 and, when the daemon is to
/// become another user, that user's group, so that the daemon can still remove its socket
/// after the change. An existing directory is left as it is.
///
/// Errors: the directory cannot be made (the message names it).
pub fn prepare_runtime_dir(dir: &Path, decision: &Decision) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o775)
        .create(dir)
        .map_err(|e| format!("runtime directory {}: {e}", dir.display()))?;
    // The umask may have taken bits away.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o775))
        .map_err(|e| format!("runtime directory {}: chmod: {e}", dir.display()))?;
    if let Decision::Become(u) = decision {
        std::os::unix::fs::chown(dir, None, Some(u.gid))
            .map_err(|e| format!("runtime directory {}: chown: {e}", dir.display()))?;
    }
    Ok(())
}

/// Bind the control socket of daemon `id` in `run_dir` (made if missing).
///
/// Errors: another daemon answers there, or the socket cannot be made.
pub fn bind(run_dir: &Path, id: u32, decision: &Decision) -> Result<Server, String> {
    prepare_runtime_dir(run_dir, decision)?;
    Server::bind(&runtime::socket_path(run_dir, id)).map_err(|e| e.to_string())
}

/// Drop privileges as decided (logged), then check that the media home can be written.
///
/// Errors: the change failed, or `home` is not writable (messages name the user and the
/// directory).
pub fn drop_privileges(decision: &Decision, home: &Path) -> Result<(), String> {
    privilege::apply(decision).map_err(|e| e.to_string())?;
    match decision {
        Decision::Keep(why) => tracing::info!("privileges: {why}"),
        Decision::Become(u) => tracing::info!(
            "privileges: now user {} (uid {}, gid {})",
            u.name,
            u.uid,
            u.gid
        ),
    }
    privilege::check_writable(home)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::TapeCli;
    use clap::Parser;

    #[test]
    fn settings_from_the_command_line() {
        let parse = |args: &[&str]| TapeCli::try_parse_from(args).unwrap().common;
        let s = initial_settings(&parse(&["vtltape", "-q", "11"]));
        assert_eq!((s.verbose, s.debug), (0, false));
        let s = initial_settings(&parse(&["vtltape", "-q11", "-v", "-d"]));
        assert_eq!((s.verbose, s.debug), (1, true));
        let s = initial_settings(&parse(&["vtltape", "-q11", "-v3", "-F"]));
        assert_eq!(s.verbose, 3);
        let c = parse(&["vtltape", "-F", "-q", "11", "-v2"]);
        assert_eq!((c.id, c.verbose, c.foreground), (11, Some(2), true));
        assert!(TapeCli::try_parse_from(["vtltape", "-q", "32768"]).is_err());
        assert!(TapeCli::try_parse_from(["vtltape", "-q11", "-v4"]).is_err());
        assert!(TapeCli::try_parse_from(["vtltape"]).is_err());
    }

    #[test]
    fn runtime_dir_is_made_group_writable() {
        let d = tempfile::tempdir().unwrap();
        let run = d.path().join("run/vtl");
        prepare_runtime_dir(&run, &Decision::Keep("test".into())).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&run).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o775);
        // An existing directory is left alone.
        std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
        prepare_runtime_dir(&run, &Decision::Keep("test".into())).unwrap();
        let mode = std::fs::metadata(&run).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o700);
        let s = bind(&run, 11, &Decision::Keep("test".into())).unwrap();
        assert_eq!(s.path(), run.join("vtl-11.sock"));
        let e = bind(&run, 11, &Decision::Keep("test".into())).unwrap_err();
        assert!(e.contains("another daemon is listening"), "{e}");
    }
}
