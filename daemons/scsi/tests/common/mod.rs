//! A toy sequential-access logical unit built on `Spc`, shared by the integration tests.

#![allow(dead_code)]

use vtl_scsi::inquiry::{Identity, PDT_SEQUENTIAL, version_descriptor};
use vtl_scsi::log::LogPageUpdate;
use vtl_scsi::mode::{BlockDescriptor, ModeHeader, ModePage, ModeSelect};
use vtl_scsi::opcodes::{CommandClass, OpcodeInfo};
use vtl_scsi::spc::{Spc, SpcConfig, SpcDevice};
use vtl_scsi::{
    Asc, InProcess, LogParameter, LogicalUnit, Reply, Request, ResetEvent, Result, ScsiError,
};

/// REWIND (SSC), read class.
pub const REWIND: OpcodeInfo = OpcodeInfo::new("REWIND", &[0x01, 0x01, 0, 0, 0, 0])
    .class(CommandClass::Read)
    .timeouts(60, 600);
/// WRITE FILEMARKS(6) (SSC), write class.
pub const WRITE_FILEMARKS: OpcodeInfo =
    OpcodeInfo::new("WRITE FILEMARKS(6)", &[0x10, 0x01, 0xff, 0xff, 0xff, 0])
        .class(CommandClass::Write)
        .timeouts(30, 1200);
/// REPORT TIMESTAMP (MAINTENANCE IN service action 0x0F), owned by the device.
pub const REPORT_TIMESTAMP: OpcodeInfo = OpcodeInfo::new(
    "REPORT TIMESTAMP",
    &[0xa3, 0x0f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0],
)
.sa(0x0f)
.class(CommandClass::Allowed);

/// The device-specific state.
#[derive(Debug, Default)]
pub struct Hooks {
    pub loaded: bool,
    pub filemarks: u64,
    pub block_length: u32,
    pub removal: bool,
    pub resets: u32,
}

impl SpcDevice for Hooks {
    fn test_unit_ready(&mut self) -> Result<()> {
        if self.loaded {
            Ok(())
        } else {
            Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT))
        }
    }

    fn vpd_pages(&self) -> Vec<u8> {
        vec![0xb0]
    }

    fn vpd_page(&mut self, page: u8) -> Option<Vec<u8>> {
        (page == 0xb0).then(|| vec![0x00, 0x01])
    }

    fn mode_header(&self) -> ModeHeader {
        ModeHeader {
            medium_type: 0,
            device_specific: 0x10,
        }
    }

    fn block_descriptors(&self) -> Vec<BlockDescriptor> {
        vec![BlockDescriptor {
            density: 0x5e,
            blocks: 0,
            block_length: self.block_length,
        }]
    }

    fn mode_select(&mut self, sel: &ModeSelect) -> Result<()> {
        if let Some((bd, at)) = sel.block_descriptors.first() {
            if bd.block_length > 0x10_0000 {
                return Err(ScsiError::param(at + 5, None, "block length"));
            }
            self.block_length = bd.block_length;
        }
        Ok(())
    }

    fn log_pages(&self) -> Vec<(u8, u8)> {
        vec![(0x0c, 0), (0x2e, 0)]
    }

    fn log_page(&mut self, page: u8, _subpage: u8) -> Option<Vec<LogParameter>> {
        match page {
            0x0c => Some(vec![
                LogParameter::counter(0, 1000, 8),
                LogParameter::counter(1, self.filemarks, 4),
            ]),
            0x2e => Some((1..=4).map(|c| LogParameter::new(c, 0, &[0])).collect()),
            _ => None,
        }
    }

    fn log_reset(&mut self, _page: Option<(u8, u8)>) -> Result<()> {
        self.filemarks = 0;
        self.resets += 1;
        Ok(())
    }

    fn log_select(&mut self, update: &LogPageUpdate) -> Result<()> {
        if update.page != 0x0c {
            return Err(ScsiError::param(update.offset, Some(5), "not writable"));
        }
        for p in &update.params {
            if p.code == 1 {
                self.filemarks = p.as_u64();
            }
        }
        Ok(())
    }

    fn medium_removal(&mut self, prevented: bool) -> Result<()> {
        self.removal = prevented;
        Ok(())
    }
}

/// The toy tape drive.
pub struct Toy {
    pub spc: Spc,
    pub hooks: Hooks,
}

impl Toy {
    pub fn new(persistent_reservations: bool) -> Toy {
        let mut id = Identity::new(PDT_SEQUENTIAL, "VTL", "TOYTAPE", "0100", "TOY0001");
        id.naa = [0x52, 0xa5, 0x65, 0x40, 0, 0, 0, 1];
        id.version_descriptors.push(version_descriptor::SSC_3);
        let mut cfg = SpcConfig::new(id, vec![REWIND, WRITE_FILEMARKS, REPORT_TIMESTAMP]);
        cfg.persistent_reservations = persistent_reservations;
        cfg.lun = 2;
        let mut spc = Spc::new(cfg);
        // Data compression page 0x0F: DCE changeable.
        let mut d = [0u8; 16];
        d[2] = 0xc0;
        let mut m = [0u8; 16];
        m[2] = 0x80;
        spc.modes_mut().register(ModePage::new(0x0f, 0, &d, &m));
        // Device configuration extension 0x10/0x01 (sub_page format).
        spc.modes_mut()
            .register(ModePage::new(0x10, 0x01, &[0u8; 36], &[]));
        Toy {
            spc,
            hooks: Hooks {
                loaded: true,
                block_length: 512,
                ..Hooks::default()
            },
        }
    }

    fn own(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Result<()> {
        match req.cdb.first().copied() {
            Some(0x01) => Ok(()),
            Some(0x10) => {
                if req.cdb.len() < 6 {
                    return Err(ScsiError::ShortCdb {
                        op: 0x10,
                        got: req.cdb.len(),
                        need: 6,
                    });
                }
                let n = u32::from_be_bytes([0, req.cdb[2], req.cdb[3], req.cdb[4]]);
                self.hooks.filemarks += u64::from(n);
                Ok(())
            }
            Some(0xa3) => {
                data_in.extend_from_slice(&[0, 10, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
                Ok(())
            }
            op => Err(ScsiError::InvalidOpcode {
                op: op.unwrap_or(0),
                service_action: None,
            }),
        }
    }
}

impl LogicalUnit for Toy {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        if let Err(e) = self.spc.admit(req) {
            return self.spc.complete(req.nexus, Err(e));
        }
        let result = match self.spc.execute(&mut self.hooks, req, data_in) {
            Some(r) => r,
            None => self.own(req, data_in),
        };
        self.spc.complete(req.nexus, result)
    }

    fn reset(&mut self, event: ResetEvent) {
        self.spc.reset(event);
        self.hooks.removal = false;
    }
}

/// A toy behind the in-process transport.
pub fn lu() -> InProcess<Toy> {
    InProcess::new(Toy::new(true))
}
