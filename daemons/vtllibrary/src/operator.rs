//! The operator's commands (vtlcmd's library commands, spec 2.4), as methods: each returns
//! the reply vtlcmd prints (`Ok`) or the refusal it prints (`Err`), with mhvtl's texts
//! where mhvtl has one.
//!
//! The MAP has one door for all import/export elements: open for the operator (`load
//! map`, `empty map`), closed for the robot (MOVE MEDIUM to or from the MAP). Every change
//! is written to the state journal before the reply.

use libvtlcart::{Cartridge, OpenOptionsCart};
use vtl_config::Barcode;
use vtl_scsi::Asc;

use crate::element::{ElementRef, ElementType, Medium, smc_medium_type};
use crate::library::Library;
use crate::status_fifo::State;

/// vtlcmd's success reply.
pub const OK: &str = "OK";

impl Library {
    fn persisted(&mut self, reply: String) -> Result<String, String> {
        self.persist()
            .map(|()| reply)
            .map_err(|e| format!("cannot write {}: {e}", self.state_file().display()))
    }

    /// `open map`: open the MAP door (`OK`). Refused while a host prevents medium removal
    /// (PREVENT ALLOW MEDIUM REMOVAL).
    pub fn open_map(&mut self) -> Result<String, String> {
        if self.removal_prevented() {
            return Err("Can't open map: medium removal prevented".into());
        }
        self.notify(State::OpeningMap);
        self.inv_mut().map_open = true;
        self.persisted(OK.into())
    }

    /// `close map`: close the MAP door (`OK`); every I_T nexus gets UNIT ATTENTION IMPORT
    /// OR EXPORT ELEMENT ACCESSED (28/01).
    pub fn close_map(&mut self) -> Result<String, String> {
        let was_open = self.inventory().map_open;
        self.notify(State::ClosingMap);
        self.inv_mut().map_open = false;
        if was_open {
            self.spc_mut()
                .unit_attention_all(Asc::IMPORT_OR_EXPORT_ELEMENT_ACCESSED);
        }
        self.persisted(OK.into())
    }

    /// `load map <PCL>`: the operator puts cartridge `pcl` into the first empty MAP element
    /// (ImpExp set). Refusals: `MAP not opened`, `barcode length too long` (over 16),
    /// `Bad barcode`, `barcode already in library`, `Cartridge <pcl> not found in <home>`
    /// (no cartridge of either layout there; mhvtl bug 16 refused every v6 cartridge),
    /// `MAP Full`.
    pub fn load_map(&mut self, pcl: &str) -> Result<String, String> {
        if !self.inventory().map_open {
            return Err("MAP not opened".into());
        }
        if pcl.chars().count() > libvtlcart::barcode::MAX_PCL_LEN {
            return Err("barcode length too long".into());
        }
        let Ok(bc) = Barcode::new(pcl) else {
            return Err("Bad barcode".into());
        };
        if self.inventory().locate(pcl).is_some() {
            return Err("barcode already in library".into());
        }
        let not_found = || format!("Cartridge {pcl} not found in {}", self.home().display());
        let Ok(dir) = libvtlcart::home::cartridge_dir(self.home(), pcl) else {
            return Err(not_found());
        };
        let medium_type = match Cartridge::open(&dir, &OpenOptionsCart::default()) {
            Ok(c) => smc_medium_type(c.mam().medium_type()),
            Err(_) => return Err(not_found()),
        };
        let Some(index) = self
            .inventory()
            .elements(ElementType::ImportExport)
            .iter()
            .position(|e| !e.is_full())
        else {
            return Err("MAP Full".into());
        };
        let e = self.inv_mut().get_mut(ElementRef {
            kind: ElementType::ImportExport,
            index,
        });
        e.medium = Some(Medium {
            barcode: bc,
            medium_type,
        });
        e.source = None;
        e.imp_exp = true;
        self.persisted(OK.into())
    }

    /// `empty map`: the operator takes every cartridge out of the MAP (`OK`; `Can't empty
    /// map while MAP is closed`).
    pub fn empty_map(&mut self) -> Result<String, String> {
        if !self.inventory().map_open {
            return Err("Can't empty map while MAP is closed".into());
        }
        let n = self.inventory().count(ElementType::ImportExport);
        for index in 0..n {
            let e = self.inv_mut().get_mut(ElementRef {
                kind: ElementType::ImportExport,
                index,
            });
            e.medium = None;
            e.source = None;
            e.imp_exp = false;
        }
        self.persisted(OK.into())
    }

    /// `list map`: `Contents: ` and the barcodes in the MAP, each space padded to 16.
    pub fn list_map(&self) -> String {
        let mut s = String::from("Contents: ");
        for e in self.inventory().elements(ElementType::ImportExport) {
            if let Some(b) = e.barcode() {
                s.push_str(&format!("{b:<16}"));
            }
        }
        s
    }

    /// `add slot`: one more (empty) storage element; replies `slot=<number of the new
    /// slot>`. Mode page 0x1D follows; every I_T nexus gets MODE PARAMETERS CHANGED
    /// (2A/01). Refused when the new slot's address would collide with another element.
    pub fn add_slot(&mut self) -> Result<String, String> {
        let n = self
            .inv_mut()
            .push(ElementType::Storage)
            .map_err(|e| e.to_string())?;
        self.refresh_pages();
        self.spc_mut()
            .unit_attention_all(Asc::MODE_PARAMETERS_CHANGED);
        self.persisted(format!("slot={n}"))
    }

    /// `online`: serve commands again; every I_T nexus gets NOT READY TO READY CHANGE
    /// (28/00).
    pub fn online(&mut self) -> Result<String, String> {
        self.set_online(true);
        Ok(String::new())
    }

    /// `offline`: NOT READY / OFFLINE (02/04/12) to everything but INQUIRY, REPORT LUNS
    /// and REQUEST SENSE.
    pub fn offline(&mut self) -> Result<String, String> {
        self.set_online(false);
        Ok(String::new())
    }
}
