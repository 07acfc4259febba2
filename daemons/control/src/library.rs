//! [`LibraryControl`]: the handler of a library daemon (vtllibrary), over its
//! [`Library`]; replies are mhvtl's (spec 2.4), made by vtllibrary's operator methods.
//!
//! | command | reply text (success / refusal) |
//! |---|---|
//! | `online`, `offline` | none |
//! | `add slot` | `slot=<n>` |
//! | `open map` | `OK` / `Can't open map: medium removal prevented` |
//! | `close map` | `OK` |
//! | `empty map` | `OK` / `Can't empty map while MAP is closed` |
//! | `list map` | `Contents: ` + each barcode padded to 16 |
//! | `load map <PCL>` | `OK` / `MAP not opened`, `Bad barcode`, `barcode already in library`, `barcode length too long`, `Cartridge <PCL> not found in <home>`, `MAP Full` |
//! | `TapeAlert <hex64>`, `InquiryDataChange`, `verbose`, `debug`, `exit` | none |
//! | `status [--json]` | every element and what it holds, text or JSON |
//!
//! Drive commands are refused (`'load' is a drive command; device 10 is a library`).

use std::sync::{Arc, Mutex};

use serde_json::json;
use vtllibrary::{ElementType, Library};

use crate::reply::{Outcome, Reply};
use crate::request::{DeviceKind, Request};
use crate::server::Control;
use crate::settings::{SharedSettings, with_settings};
use crate::shared::Shared;
use crate::{Log, common};

/// The control handler of library `id`.
pub struct LibraryControl<S = Arc<Mutex<Library>>> {
    id: u32,
    library: S,
    settings: SharedSettings,
    log: Log,
}

impl<S> std::fmt::Debug for LibraryControl<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryControl")
            .field("id", &self.id)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// The word status reports use for an element type.
fn type_word(t: ElementType) -> &'static str {
    match t {
        ElementType::Transport => "picker",
        ElementType::Storage => "slot",
        ElementType::ImportExport => "map",
        ElementType::DataTransfer => "drive",
    }
}

impl<S: Shared<Library>> LibraryControl<S> {
    /// Control of library `id` (its device.conf `Library:` number) reached through
    /// `library`; default settings; log lines go to standard error as `vtl library <id>:
    /// <text>`.
    pub fn new(id: u32, library: S) -> Self {
        LibraryControl {
            id,
            library,
            settings: SharedSettings::default(),
            log: Box::new(move |s| eprintln!("vtl library {id}: {s}")),
        }
    }

    /// Send log lines (`verbose`/`debug` changes) to `log` instead.
    pub fn with_log(mut self, log: impl FnMut(&str) + Send + 'static) -> Self {
        self.log = Box::new(log);
        self
    }

    /// Use `settings` (shared with the daemon, which reads the verbosity).
    pub fn with_settings(mut self, settings: SharedSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The settings vtlcmd changes.
    pub fn settings(&self) -> SharedSettings {
        self.settings.clone()
    }

    /// The status report as text: a header line (`Library <id>: <vendor> <product>,
    /// online|offline, MAP open|closed`), then one line per element in address order:
    /// `<Type> <n> (address <a>): <barcode>|empty`, the library_contents words for the
    /// types (`Picker`, `Slot`, `MAP`, `Drive`).
    pub fn status_text(&self) -> String {
        self.library.with(|lib| {
            let id = lib.spc().identity();
            let inv = lib.inventory();
            let mut s = format!(
                "Library {}: {} {}, {}, MAP {}\n",
                self.id,
                id.vendor.trim_end(),
                id.product.trim_end(),
                if lib.is_online() { "online" } else { "offline" },
                if inv.map_open { "open" } else { "closed" },
            );
            for e in inv.from_address(None, 0) {
                s.push_str(&format!(
                    "{} {} (address {}): {}\n",
                    e.kind.word(),
                    e.number,
                    e.address,
                    e.barcode().unwrap_or("empty")
                ));
            }
            s
        })
    }

    /// The status report as JSON: `{"kind": "library", "id", "vendor", "product",
    /// "personality", "online", "map_open", "verbose", "debug", "elements":
    /// [{"type" ("picker" / "slot" / "map" / "drive"), "number" (from 1), "address",
    /// "barcode" (or null), "medium_type" (SMC-3 MEDIUM TYPE, or null when empty),
    /// "source" (source element address or null), "imp_exp"}, ...]}` in address order.
    pub fn status_json(&self) -> serde_json::Value {
        let st = with_settings(&self.settings, |s| *s);
        self.library.with(|lib| {
            let id = lib.spc().identity();
            let inv = lib.inventory();
            let elements: Vec<serde_json::Value> = inv
                .from_address(None, 0)
                .map(|e| {
                    json!({
                        "type": type_word(e.kind),
                        "number": e.number,
                        "address": e.address,
                        "barcode": e.barcode(),
                        "medium_type": e.medium.as_ref().map(|m| m.medium_type),
                        "source": e.source,
                        "imp_exp": e.imp_exp,
                    })
                })
                .collect();
            json!({
                "kind": "library",
                "id": self.id,
                "vendor": id.vendor.trim_end(),
                "product": id.product.trim_end(),
                "personality": lib.personality().name,
                "online": lib.is_online(),
                "map_open": inv.map_open,
                "verbose": st.verbose,
                "debug": st.debug,
                "elements": elements,
            })
        })
    }
}

impl<S: Shared<Library>> Control for LibraryControl<S> {
    fn handle(&mut self, req: Request) -> Outcome {
        if let Some(o) = common(
            &req,
            DeviceKind::Library,
            self.id,
            &self.settings,
            &mut self.log,
        ) {
            return o;
        }
        let reply = match &req {
            Request::Online => Reply::from_result(self.library.with(|l| l.online())),
            Request::Offline => Reply::from_result(self.library.with(|l| l.offline())),
            Request::AddSlot => Reply::from_result(self.library.with(|l| l.add_slot())),
            Request::OpenMap => Reply::from_result(self.library.with(|l| l.open_map())),
            Request::CloseMap => Reply::from_result(self.library.with(|l| l.close_map())),
            Request::EmptyMap => Reply::from_result(self.library.with(|l| l.empty_map())),
            Request::ListMap => Reply::ok(self.library.with(|l| l.list_map())),
            Request::LoadMap(pcl) => Reply::from_result(self.library.with(|l| l.load_map(pcl))),
            Request::TapeAlert(bits) => {
                self.library.with(|l| l.set_tape_alert(*bits));
                Reply::ok("")
            }
            Request::InquiryDataChange => {
                self.library.with(|l| l.spc_mut().inquiry_data_changed());
                Reply::ok("")
            }
            Request::Status { json: false } => Reply::ok(self.status_text()),
            Request::Status { json: true } => Reply::ok(self.status_json().to_string()),
            other => Reply::error(format!("'{}' is not handled by a library", other.name())),
        };
        reply.into()
    }
}
