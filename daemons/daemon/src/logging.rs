//! Logging: `tracing` events to standard error (which systemd hands to journald), at the
//! level the daemon's [`Settings`] give — changed at run time by `vtlcmd ID verbose` and
//! `vtlcmd ID debug`.
//!
//! | settings | level | what is logged |
//! |---|---|---|
//! | verbose 0, debug off | INFO | start, stop, configuration warnings, loads and unloads, operator commands, errors |
//! | verbose 1 or 2 | DEBUG | and each SCSI command: its operation code, status and sense |
//! | verbose 3, or debug on | TRACE | and each command's CDB bytes and transfer lengths |
//!
//! Lines carry the thread's name (`serve`, `control`, `signals`); timestamps are left out
//! under systemd (`$JOURNAL_STREAM` set), which stamps every line itself.

use tracing::Level;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;
use vtl_control::{Settings, SharedSettings, settings::with_settings};

/// The most detailed level logged with `s` (module documentation).
pub fn level_for(s: &Settings) -> Level {
    match (s.debug, s.verbose) {
        (true, _) | (_, 3..) => Level::TRACE,
        (false, 1 | 2) => Level::DEBUG,
        (false, 0) => Level::INFO,
    }
}

/// The subscriber the daemons log through: lines written to `writer`, filtered by the
/// level of `settings` at the time of each event; `timestamps` off under journald.
pub fn subscriber<W>(
    settings: SharedSettings,
    writer: W,
    timestamps: bool,
) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = filter_fn(move |meta| {
        let max = with_settings(&settings, |s| level_for(s));
        *meta.level() <= max
    });
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_target(false)
        .with_thread_names(true);
    let layer = if timestamps {
        fmt.with_filter(filter).boxed()
    } else {
        fmt.without_time().with_filter(filter).boxed()
    };
    tracing_subscriber::registry().with(layer)
}

/// Install the process's logger, writing to standard error and following `settings` (call
/// once, before any thread is started). A second call does nothing.
pub fn init(settings: SharedSettings) {
    let journald = std::env::var_os("JOURNAL_STREAM").is_some();
    let _ =
        tracing::subscriber::set_global_default(subscriber(settings, std::io::stderr, !journald));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let s = |verbose, debug| Settings {
            verbose,
            debug,
            ..Default::default()
        };
        assert_eq!(level_for(&s(0, false)), Level::INFO);
        assert_eq!(level_for(&s(1, false)), Level::DEBUG);
        assert_eq!(level_for(&s(2, false)), Level::DEBUG);
        assert_eq!(level_for(&s(3, false)), Level::TRACE);
        assert_eq!(level_for(&s(0, true)), Level::TRACE);
        assert_eq!(level_for(&s(1, true)), Level::TRACE);
    }

    /// A buffer shared with the subscriber.
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The level follows the settings as they change (what vtlcmd verbose and debug do).
    #[test]
    fn verbosity_changes_at_run_time() {
        let settings = SharedSettings::default();
        let buf = Buf::default();
        let b = buf.clone();
        let sub = subscriber(settings.clone(), move || b.clone(), false);
        tracing::subscriber::with_default(sub, || {
            tracing::info!("one");
            tracing::debug!("two");
            with_settings(&settings, |s| s.verbose = 1);
            tracing::debug!("three");
            tracing::trace!("four");
            with_settings(&settings, |s| s.debug = true);
            tracing::trace!("five");
            with_settings(&settings, |s| *s = Settings::default());
            tracing::debug!("six");
        });
        let text = String::from_utf8(buf.0.lock().unwrap().clone()).unwrap();
        let got: Vec<&str> = text
            .lines()
            .map(|l| l.rsplit(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(got, ["one", "three", "five"], "{text}");
        assert!(text.starts_with(" INFO "), "no timestamp: {text}");
    }
}
