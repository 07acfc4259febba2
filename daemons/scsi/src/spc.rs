//! The SPC command set shared by the tape drive (SSC) and the medium changer (SMC):
//! [`Spc`], the state a logical unit embeds, and [`SpcDevice`], the hooks through which
//! SPC commands ask the device for device-specific things.
//!
//! A device's [`LogicalUnit::execute`](crate::LogicalUnit::execute) runs every command in
//! three steps:
//!
//! 1. **admission** — [`Spc::admit`]: the nexus's pending unit attention (SPC-5 5.13; not
//!    for INQUIRY, REPORT LUNS, REQUEST SENSE) and the reservation checks for the op code
//!    (SPC-5 5.14.1, SPC-2 5.5.1);
//! 2. **SPC commands** — [`Spc::execute`] returns `Some(result)` for the commands it owns
//!    (see [`spc_opcodes`]), `None` for anything else: the device's own commands, or
//!    op codes nobody implements, which the device answers with
//!    [`ScsiError::InvalidOpcode`];
//! 3. **completion** — [`Spc::complete`] turns the result into a [`Reply`]: it keeps the
//!    sense of a CHECK CONDITION as the nexus's sense data for REQUEST SENSE and picks
//!    fixed or descriptor format from D_SENSE of the control mode page (0x0A).
//!
//! ```
//! use vtl_scsi::inquiry::{Identity, PDT_SEQUENTIAL};
//! use vtl_scsi::opcodes::{CommandClass, OpcodeInfo};
//! use vtl_scsi::spc::{Spc, SpcConfig, SpcDevice};
//! use vtl_scsi::{Asc, InProcess, LogicalUnit, Reply, Request, ResetEvent, Result, ScsiError};
//!
//! /// The device-specific state SPC commands ask about.
//! struct Hooks {
//!     loaded: bool,
//! }
//!
//! impl SpcDevice for Hooks {
//!     fn test_unit_ready(&mut self) -> Result<()> {
//!         if self.loaded {
//!             Ok(())
//!         } else {
//!             Err(ScsiError::not_ready(Asc::MEDIUM_NOT_PRESENT))
//!         }
//!     }
//! }
//!
//! /// REWIND: the device's own command (read class: allowed under Write Exclusive).
//! const REWIND: OpcodeInfo =
//!     OpcodeInfo::new("REWIND", &[0x01, 0x01, 0, 0, 0, 0]).class(CommandClass::Read);
//!
//! struct Toy {
//!     spc: Spc,
//!     hooks: Hooks,
//! }
//!
//! impl LogicalUnit for Toy {
//!     fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
//!         if let Err(e) = self.spc.admit(req) {
//!             return self.spc.complete(req.nexus, Err(e));
//!         }
//!         let result = match self.spc.execute(&mut self.hooks, req, data_in) {
//!             Some(r) => r,
//!             None => match req.cdb.first() {
//!                 Some(0x01) => Ok(()),
//!                 op => Err(ScsiError::InvalidOpcode {
//!                     op: op.copied().unwrap_or(0),
//!                     service_action: None,
//!                 }),
//!             },
//!         };
//!         self.spc.complete(req.nexus, result)
//!     }
//!
//!     fn reset(&mut self, event: ResetEvent) {
//!         self.spc.reset(event);
//!     }
//! }
//!
//! let id = Identity::new(PDT_SEQUENTIAL, "VTL", "TOY", "0001", "SN0001");
//! let spc = Spc::new(SpcConfig::new(id, vec![REWIND]));
//! let mut lu = InProcess::new(Toy { spc, hooks: Hooks { loaded: true } });
//! // First command from a nexus: power on / reset unit attention.
//! let c = lu.command(1, &[0, 0, 0, 0, 0, 0], &[], 0);
//! assert_eq!(c.key_asc(), Some((0x6, 0x29, 0x00)));
//! assert!(lu.command(1, &[0, 0, 0, 0, 0, 0], &[], 0).is_good());
//! // INQUIRY
//! let c = lu.command(1, &[0x12, 0, 0, 0, 36, 0], &[], 36);
//! assert_eq!(&c.data[8..19], b"VTL     TOY");
//! // The device's own command, and one nobody implements.
//! assert!(lu.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0).is_good());
//! let c = lu.command(1, &[0x19, 0, 0, 0, 0, 0], &[], 0);
//! assert_eq!(c.key_asc(), Some((0x5, 0x20, 0x00)));
//! ```
//!
//! # How a device uses Spc
//!
//! * Keep the [`Spc`] and the [`SpcDevice`] implementation in **separate fields** of the
//!   device struct, so `self.spc.execute(&mut self.hooks, ...)` borrows both.
//! * Build the [`Identity`] from the configuration (vendor, product, revision, serial, NAA
//!   or [`derive_naa`](crate::inquiry::derive_naa), the device type's version descriptor)
//!   and pass it with the device's [`OpcodeInfo`] table (op codes, CDB usage data,
//!   timeouts, [`CommandClass`]) in [`SpcConfig`]. Set
//!   [`SpcConfig::persistent_reservations`] to false for personalities without SPR.
//! * Register the device's mode pages with [`Spc::modes_mut`] (default + changeable masks,
//!   whole pages with headers) and keep device-maintained values current through it;
//!   validate MODE SELECT in [`SpcDevice::mode_select`] (block descriptor: density, block
//!   length; the proposed pages) — an error there leaves everything unchanged.
//! * Serve log pages through [`SpcDevice::log_pages`] / [`SpcDevice::log_page`] with
//!   [`LogParameter`]s; reset counters in [`SpcDevice::log_reset`].
//! * Serve device VPD pages (0xB0, 0xB2, vendor pages) with [`SpcDevice::vpd_pages`] and
//!   [`SpcDevice::vpd_page`] (bodies without the 4-byte header).
//! * On medium load call [`Spc::unit_attention_all`] with
//!   [`Asc::NOT_READY_TO_READY_CHANGE`]; on vtlcmd's InquiryDataChange call
//!   [`Spc::inquiry_data_changed`] (or [`Spc::set_identity`]).
//! * UNLOAD checks [`Spc::removal_prevented`] and answers ILLEGAL REQUEST / MEDIUM REMOVAL
//!   PREVENTED (53/02) itself.
//! * Own service actions of MAINTENANCE IN/OUT (REPORT TIMESTAMP...) are listed in the
//!   device's table; [`Spc::execute`] returns `None` for them.
//! * `LogicalUnit::reset` calls [`Spc::reset`] and then resets the device's own state
//!   (after a reset medium removal is allowed again).

use std::collections::HashMap;

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::buffer::Buffers;
use crate::cdb::{check_control, check_reserved, check_reserved_bytes, truncate_to, view};
use crate::diagnostic::{SelfTest, SendDiagnostic, parse_send_diagnostic, receive_diagnostic};
use crate::error::{Result, ScsiError};
use crate::inquiry::Identity;
use crate::log::{LogPageUpdate, LogParameter, LogSelect, log_sense, parse_log_select};
use crate::lu::ResetEvent;
use crate::mode::{
    BlockDescriptor, ModeHeader, ModePages, ModeSelect, control_extension_page, control_page,
    d_sense, mode_sense, parse_mode_select,
};
use crate::opcodes::{
    CommandClass, MAINTENANCE_IN, OpcodeInfo, OpcodeTable, SA_REPORT_SUPPORTED_OPCODES,
    report_supported_opcodes,
};
use crate::reservation::{Reservations, UaList};
use crate::sense::{Asc, Sense, SenseKey};
use crate::task::{Nexus, Reply, Request};
use crate::unit_attention::UaQueue;
use crate::{inquiry, luns, vpd};

/// The device-specific answers SPC commands need. Every method has a default suited to a
/// device that has nothing to add.
pub trait SpcDevice {
    /// TEST UNIT READY (SPC-5 6.47): `Ok` when ready, else NOT READY with the reason
    /// (e.g. [`Asc::MEDIUM_NOT_PRESENT`]). Default: ready.
    fn test_unit_ready(&mut self) -> Result<()> {
        Ok(())
    }

    /// Sense data REQUEST SENSE reports when no sense data and no unit attention is
    /// pending (SPC-5 6.39: e.g. NOT READY with a progress indication during a long
    /// operation). Default: none → NO SENSE.
    fn idle_sense(&self) -> Option<Sense> {
        None
    }

    /// The device's VPD page codes (0xB0, 0xB2, vendor pages...). A code the core also
    /// serves (0x80, 0x83, 0x86) replaces the core's page. Default: none.
    fn vpd_pages(&self) -> Vec<u8> {
        Vec::new()
    }

    /// The body of VPD page `page` (everything after the 4-byte page header; the core adds
    /// the header). `None` falls back to the core page or INVALID FIELD IN CDB.
    fn vpd_page(&mut self, page: u8) -> Option<Vec<u8>> {
        let _ = page;
        None
    }

    /// MEDIUM TYPE and DEVICE-SPECIFIC PARAMETER of the mode parameter header (SSC-5
    /// 8.3.3: WP, BUFFERED MODE, SPEED). Default: zeros.
    fn mode_header(&self) -> ModeHeader {
        ModeHeader::default()
    }

    /// The block descriptors MODE SENSE returns unless DBD (SSC: one, with the density
    /// code of the loaded medium and the block length; SMC: none). Default: none.
    fn block_descriptors(&self) -> Vec<BlockDescriptor> {
        Vec::new()
    }

    /// Accept or reject a validated MODE SELECT before it takes effect: block descriptors
    /// (density, block length), the header's device-specific parameter, the proposed page
    /// values. Errors (INVALID FIELD IN PARAMETER LIST with the offsets in `sel`) leave
    /// everything unchanged; on `Ok` the core commits `sel.proposed`. Default: accept.
    fn mode_select(&mut self, sel: &ModeSelect) -> Result<()> {
        let _ = sel;
        Ok(())
    }

    /// The device's log pages as (page, subpage); 0x00 and 0x00/0xFF are the core's.
    /// Default: none.
    fn log_pages(&self) -> Vec<(u8, u8)> {
        Vec::new()
    }

    /// The parameters of log page `page`/`subpage` (current cumulative values).
    fn log_page(&mut self, page: u8, subpage: u8) -> Option<Vec<LogParameter>> {
        let _ = (page, subpage);
        None
    }

    /// LOG SENSE of `page`/`subpage` sent the current values of the parameters `sent`
    /// (whole, within the allocation length): a device whose parameters are cleared by
    /// being read (TapeAlert) clears those. Default: nothing.
    fn log_page_read(&mut self, page: u8, subpage: u8, sent: &[u16]) {
        let _ = (page, subpage, sent);
    }

    /// LOG SELECT PCR=1 (or PC=11b without parameters): reset the cumulative values of
    /// one page or of all pages (`None`). Default: nothing to reset.
    fn log_reset(&mut self, page: Option<(u8, u8)>) -> Result<()> {
        let _ = page;
        Ok(())
    }

    /// LOG SELECT with parameters for one page. Field pointers in errors are offsets in
    /// the parameter list (`update.offset` is the page's). Default: no page is writable →
    /// INVALID FIELD IN PARAMETER LIST at the page code.
    fn log_select(&mut self, update: &LogPageUpdate) -> Result<()> {
        Err(ScsiError::param(
            update.offset,
            Some(5),
            "log page not writable",
        ))
    }

    /// Run a self-test (SEND DIAGNOSTIC); true when it passed. A failed foreground test
    /// ends in HARDWARE ERROR / LOGICAL UNIT FAILED SELF-TEST (3E/03); background results
    /// are only recorded (the device's self-test results log page). Default: passes.
    fn self_test(&mut self, test: SelfTest) -> bool {
        let _ = test;
        true
    }

    /// PREVENT ALLOW MEDIUM REMOVAL changed the logical unit's state: `prevented` is true
    /// while any I_T nexus prevents removal. An error rejects the command (nothing
    /// changes). Default: accept.
    fn medium_removal(&mut self, prevented: bool) -> Result<()> {
        let _ = prevented;
        Ok(())
    }
}

/// What [`Spc::new`] needs.
#[derive(Debug, Clone)]
pub struct SpcConfig {
    /// INQUIRY / VPD identity.
    pub identity: Identity,
    /// The device's own commands (merged with [`spc_opcodes`]; an entry with the same op
    /// code and service action replaces the SPC one).
    pub device_opcodes: Vec<OpcodeInfo>,
    /// Serve PERSISTENT RESERVE IN/OUT (false: 0x5E/0x5F are left to the device, which
    /// answers INVALID COMMAND OPERATION CODE).
    pub persistent_reservations: bool,
    /// This logical unit's LUN for REPORT LUNS.
    pub lun: u16,
}

impl SpcConfig {
    /// `identity` and the device's commands; persistent reservations on, LUN 0.
    pub fn new(identity: Identity, device_opcodes: Vec<OpcodeInfo>) -> SpcConfig {
        SpcConfig {
            identity,
            device_opcodes,
            persistent_reservations: true,
            lun: 0,
        }
    }
}

/// Op codes.
mod op {
    pub const TEST_UNIT_READY: u8 = 0x00;
    pub const REQUEST_SENSE: u8 = 0x03;
    pub const INQUIRY: u8 = 0x12;
    pub const MODE_SELECT_6: u8 = 0x15;
    pub const RESERVE_6: u8 = 0x16;
    pub const RELEASE_6: u8 = 0x17;
    pub const MODE_SENSE_6: u8 = 0x1a;
    pub const RECEIVE_DIAGNOSTIC: u8 = 0x1c;
    pub const SEND_DIAGNOSTIC: u8 = 0x1d;
    pub const PREVENT_ALLOW: u8 = 0x1e;
    pub const WRITE_BUFFER: u8 = 0x3b;
    pub const READ_BUFFER: u8 = 0x3c;
    pub const LOG_SELECT: u8 = 0x4c;
    pub const LOG_SENSE: u8 = 0x4d;
    pub const MODE_SELECT_10: u8 = 0x55;
    pub const RESERVE_10: u8 = 0x56;
    pub const RELEASE_10: u8 = 0x57;
    pub const MODE_SENSE_10: u8 = 0x5a;
    pub const PR_IN: u8 = 0x5e;
    pub const PR_OUT: u8 = 0x5f;
    pub const REPORT_LUNS: u8 = 0xa0;
}

/// The commands the SPC core serves, with CDB usage data, timeouts (seconds) and
/// reservation classes; PERSISTENT RESERVE IN/OUT only when `persistent_reservations`.
pub fn spc_opcodes(persistent_reservations: bool) -> Vec<OpcodeInfo> {
    use CommandClass::*;
    let mut v = vec![
        OpcodeInfo::new("TEST UNIT READY", &[0x00, 0, 0, 0, 0, 0]).class(PrAllowed),
        OpcodeInfo::new("REQUEST SENSE", &[0x03, 0x01, 0, 0, 0xff, 0]).class(Allowed),
        OpcodeInfo::new("INQUIRY", &[0x12, 0x01, 0xff, 0xff, 0xff, 0]).class(Allowed),
        OpcodeInfo::new("MODE SELECT(6)", &[0x15, 0x11, 0, 0, 0xff, 0]).class(Write),
        OpcodeInfo::new("RESERVE(6)", &[0x16, 0, 0, 0, 0, 0]).class(Write),
        OpcodeInfo::new("RELEASE(6)", &[0x17, 0, 0, 0, 0, 0]).class(Allowed),
        OpcodeInfo::new("MODE SENSE(6)", &[0x1a, 0x08, 0xff, 0xff, 0xff, 0]).class(Read),
        OpcodeInfo::new(
            "RECEIVE DIAGNOSTIC RESULTS",
            &[0x1c, 0x01, 0xff, 0xff, 0xff, 0],
        )
        .class(Read),
        OpcodeInfo::new("SEND DIAGNOSTIC", &[0x1d, 0xf7, 0, 0xff, 0xff, 0])
            .class(Write)
            .timeouts(60, 600),
        OpcodeInfo::new("PREVENT ALLOW MEDIUM REMOVAL", &[0x1e, 0, 0, 0, 0x03, 0]).class(Write),
        OpcodeInfo::new(
            "WRITE BUFFER",
            &[0x3b, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0],
        )
        .class(Write),
        OpcodeInfo::new(
            "READ BUFFER(10)",
            &[0x3c, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0],
        )
        .class(Read),
        OpcodeInfo::new(
            "LOG SELECT",
            &[0x4c, 0x03, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0],
        )
        .class(Write),
        OpcodeInfo::new(
            "LOG SENSE",
            &[0x4d, 0x01, 0xff, 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0],
        )
        .class(Allowed),
        OpcodeInfo::new(
            "MODE SELECT(10)",
            &[0x55, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, 0],
        )
        .class(Write),
        OpcodeInfo::new("RESERVE(10)", &[0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0]).class(Write),
        OpcodeInfo::new("RELEASE(10)", &[0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0]).class(Allowed),
        OpcodeInfo::new(
            "MODE SENSE(10)",
            &[0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0],
        )
        .class(Read),
        OpcodeInfo::new(
            "REPORT LUNS",
            &[0xa0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0],
        )
        .class(Allowed),
        OpcodeInfo::new(
            "REPORT SUPPORTED OPERATION CODES",
            &[
                0xa3, 0x0c, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0,
            ],
        )
        .sa(SA_REPORT_SUPPORTED_OPCODES)
        .class(Allowed),
    ];
    if persistent_reservations {
        for sa in 0..3u8 {
            v.push(
                OpcodeInfo::new(
                    "PERSISTENT RESERVE IN",
                    &[0x5e, sa, 0, 0, 0, 0, 0, 0xff, 0xff, 0],
                )
                .sa(u16::from(sa))
                .class(PrAllowed),
            );
        }
        for sa in 0..7u8 {
            let scope_type = if matches!(sa, 1 | 2 | 4 | 5) { 0xff } else { 0 };
            v.push(
                OpcodeInfo::new(
                    "PERSISTENT RESERVE OUT",
                    &[0x5f, sa, scope_type, 0, 0, 0xff, 0xff, 0xff, 0xff, 0],
                )
                .sa(u16::from(sa))
                .class(PrAllowed),
            );
        }
    }
    for e in &mut v {
        if e.recommended_timeout_s == 0 {
            *e = e.timeouts(1, 30);
        }
    }
    v
}

/// Per I_T nexus state.
#[derive(Debug, Clone)]
struct NexusState {
    ua: UaQueue,
    /// Sense data of the last CHECK CONDITION, for REQUEST SENSE (SPC-5 5.12).
    last_sense: Option<Sense>,
    /// This nexus prevents medium removal.
    prevent: bool,
    /// Echo buffer contents, once written.
    echo: Option<Vec<u8>>,
}

impl NexusState {
    fn new(ua: UaQueue) -> NexusState {
        NexusState {
            ua,
            last_sense: None,
            prevent: false,
            echo: None,
        }
    }
}

/// REQUEST SENSE CDB (SPC-5 6.39).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct RequestSenseCdb {
    /// 0x03.
    pub op: u8,
    /// DESC (bit 0).
    pub desc: u8,
    /// Reserved.
    pub reserved: [u8; 2],
    /// ALLOCATION LENGTH.
    pub alloc_len: u8,
    /// CONTROL.
    pub control: u8,
}

/// TEST UNIT READY CDB (SPC-5 6.47).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct TestUnitReadyCdb {
    /// 0x00.
    pub op: u8,
    /// Reserved.
    pub reserved: [u8; 4],
    /// CONTROL.
    pub control: u8,
}

/// PREVENT ALLOW MEDIUM REMOVAL CDB (SPC-5 6.15).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct PreventAllowCdb {
    /// 0x1E.
    pub op: u8,
    /// Reserved.
    pub reserved: [u8; 3],
    /// PREVENT (bits 1..0): 00b allow, 01b prevent.
    pub prevent: u8,
    /// CONTROL.
    pub control: u8,
}

/// The SPC state of one logical unit: identity, op code table, unit attentions and sense
/// data per nexus, mode pages, reservations, buffers, medium removal.
#[derive(Debug, Clone)]
pub struct Spc {
    identity: Identity,
    ops: OpcodeTable,
    pr: bool,
    lun: u16,
    nexus: HashMap<Nexus, NexusState>,
    modes: ModePages,
    reservations: Reservations,
    buffers: Buffers,
}

impl Spc {
    /// SPC state for a logical unit that was just powered on: every nexus sees a power
    /// on / reset unit attention (29/00) with its first command. Mode pages: the control
    /// page 0x0A and control extension page 0x0A/0x01.
    pub fn new(config: SpcConfig) -> Spc {
        let mut modes = ModePages::default();
        modes.register(control_page());
        modes.register(control_extension_page());
        Spc {
            identity: config.identity,
            ops: OpcodeTable::new(
                spc_opcodes(config.persistent_reservations)
                    .into_iter()
                    .chain(config.device_opcodes),
            ),
            pr: config.persistent_reservations,
            lun: config.lun,
            nexus: HashMap::new(),
            modes,
            reservations: Reservations::default(),
            buffers: Buffers::default(),
        }
    }

    /// The identity INQUIRY reports.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Replace the identity and tell every nexus: INQUIRY DATA HAS CHANGED (3F/03).
    pub fn set_identity(&mut self, identity: Identity) {
        self.identity = identity;
        self.inquiry_data_changed();
    }

    /// Establish INQUIRY DATA HAS CHANGED (3F/03) for every nexus (vtlcmd
    /// InquiryDataChange).
    pub fn inquiry_data_changed(&mut self) {
        self.unit_attention_all(Asc::INQUIRY_DATA_HAS_CHANGED);
    }

    /// The merged op code table.
    pub fn opcodes(&self) -> &OpcodeTable {
        &self.ops
    }

    /// The mode pages.
    pub fn modes(&self) -> &ModePages {
        &self.modes
    }

    /// The mode pages, to register pages and keep device-maintained values current.
    pub fn modes_mut(&mut self) -> &mut ModePages {
        &mut self.modes
    }

    /// Reservation state.
    pub fn reservations(&self) -> &Reservations {
        &self.reservations
    }

    /// True while any I_T nexus prevents medium removal (PREVENT ALLOW MEDIUM REMOVAL).
    pub fn removal_prevented(&self) -> bool {
        self.nexus.values().any(|s| s.prevent)
    }

    /// Sense data goes in descriptor format (D_SENSE of the control mode page).
    pub fn descriptor_sense(&self) -> bool {
        d_sense(&self.modes)
    }

    fn state(&mut self, nexus: Nexus) -> &mut NexusState {
        self.nexus
            .entry(nexus)
            .or_insert_with(|| NexusState::new(UaQueue::power_on()))
    }

    /// Establish unit attention `asc` for `nexus`.
    pub fn unit_attention(&mut self, nexus: Nexus, asc: Asc) {
        self.state(nexus).ua.push(asc);
    }

    /// Establish unit attention `asc` for every nexus (e.g. 28/00 NOT READY TO READY
    /// CHANGE, MEDIUM MAY HAVE CHANGED after a load). Nexuses that have not sent a command
    /// yet will see power on / reset first anyway.
    pub fn unit_attention_all(&mut self, asc: Asc) {
        for s in self.nexus.values_mut() {
            s.ua.push(asc);
        }
    }

    /// Establish unit attention `asc` for every nexus except `except` (the one whose
    /// command caused it).
    pub fn unit_attention_others(&mut self, except: Nexus, asc: Asc) {
        for (n, s) in self.nexus.iter_mut() {
            if *n != except {
                s.ua.push(asc);
            }
        }
    }

    fn queue(&mut self, uas: UaList) {
        for (n, a) in uas {
            self.unit_attention(n, a);
        }
    }

    /// A reset (SAM-5 6.3) or nexus loss. Power on, bus reset and logical unit reset give
    /// every nexus 29/00, clear sense data, medium removal prevention and echo buffers,
    /// restore saved mode values and release SPC-2 reservations (power on also drops
    /// persistent reservations and the data buffer). Nexus loss gives that nexus 29/07 and
    /// forgets its state; its SPC-2 reservation is released.
    pub fn reset(&mut self, event: ResetEvent) {
        match event {
            ResetEvent::PowerOn => {
                self.nexus.clear();
                self.buffers = Buffers::default();
                self.modes.restore_saved();
            }
            ResetEvent::BusReset | ResetEvent::LogicalUnitReset => {
                for s in self.nexus.values_mut() {
                    *s = NexusState::new(UaQueue::power_on());
                }
                self.modes.restore_saved();
            }
            ResetEvent::NexusLoss(n) => {
                let mut q = UaQueue::default();
                q.push(Asc::I_T_NEXUS_LOSS_OCCURRED);
                self.nexus.insert(n, NexusState::new(q));
            }
        }
        self.reservations.reset(event);
    }

    /// Step 1: admission. Clears the nexus's sense data (unless the command is REQUEST
    /// SENSE), reports a pending unit attention (except to INQUIRY, REPORT LUNS and
    /// REQUEST SENSE; one condition per command, SPC-5 5.13), then checks reservations
    /// with the command's [`CommandClass`] from the op code table (unknown op codes pass:
    /// they fail later as INVALID COMMAND OPERATION CODE).
    ///
    /// Errors: UNIT ATTENTION, [`ScsiError::ReservationConflict`], or ShortCdb for an empty
    /// CDB.
    pub fn admit(&mut self, req: &Request<'_>) -> Result<()> {
        let Some(&opc) = req.cdb.first() else {
            return Err(ScsiError::ShortCdb {
                op: 0,
                got: 0,
                need: 6,
            });
        };
        let st = self.state(req.nexus);
        if opc != op::REQUEST_SENSE {
            st.last_sense = None;
        }
        if !matches!(opc, op::INQUIRY | op::REPORT_LUNS | op::REQUEST_SENSE)
            && let Some(s) = st.ua.pop_sense()
        {
            return Err(ScsiError::Check(s));
        }
        let class = if opc == op::PREVENT_ALLOW {
            if req.cdb.get(4).is_some_and(|b| b & 3 != 0) {
                CommandClass::Write
            } else {
                CommandClass::Allowed
            }
        } else {
            self.ops
                .lookup(req.cdb)
                .map_or(CommandClass::Allowed, |e| e.class)
        };
        self.reservations.check(req.nexus, opc, class)
    }

    /// Step 2: run an SPC command. `None` when `req` is not one (the device's own
    /// commands, service actions the device listed in its table, unknown op codes).
    /// A service action missing from the table of an op code that has service actions
    /// gives INVALID FIELD IN CDB at byte 1.
    pub fn execute<D: SpcDevice + ?Sized>(
        &mut self,
        dev: &mut D,
        req: &Request<'_>,
        data_in: &mut Vec<u8>,
    ) -> Option<Result<()>> {
        let cdb = req.cdb;
        let Some(&opc) = cdb.first() else {
            return Some(Err(ScsiError::ShortCdb {
                op: 0,
                got: 0,
                need: 6,
            }));
        };
        if self.ops.has_service_actions(opc) {
            let Some(&b1) = cdb.get(1) else {
                return Some(Err(ScsiError::ShortCdb {
                    op: opc,
                    got: cdb.len(),
                    need: crate::cdb::cdb_len(opc).unwrap_or(2),
                }));
            };
            if self.ops.find(opc, Some(u16::from(b1 & 0x1f))).is_none() {
                return Some(Err(ScsiError::cdb(
                    1,
                    Some(4),
                    "service action not supported",
                )));
            }
        }
        let n = req.nexus;
        let r = match opc {
            op::TEST_UNIT_READY => self.test_unit_ready(dev, cdb),
            op::REQUEST_SENSE => self.request_sense(dev, n, cdb, data_in),
            op::INQUIRY => self.inquiry(dev, cdb, data_in),
            op::MODE_SENSE_6 | op::MODE_SENSE_10 => mode_sense(
                &self.modes,
                dev.mode_header(),
                &dev.block_descriptors(),
                cdb,
                opc == op::MODE_SENSE_10,
                data_in,
            ),
            op::MODE_SELECT_6 | op::MODE_SELECT_10 => {
                self.mode_select(dev, n, cdb, req.data_out, opc == op::MODE_SELECT_10)
            }
            op::LOG_SENSE => {
                let pages = dev.log_pages();
                log_sense(&pages, |p, s| dev.log_page(p, s), cdb, data_in).map(|sent| {
                    if let [_, _, page, subpage, ..] = *cdb {
                        dev.log_page_read(page & 0x3f, subpage, &sent);
                    }
                })
            }
            op::LOG_SELECT => self.log_select(dev, n, cdb, req.data_out),
            op::RESERVE_6 | op::RESERVE_10 => self.reservations.reserve(n, cdb),
            op::RELEASE_6 | op::RELEASE_10 => self.reservations.release(n, cdb),
            op::PR_IN if self.pr => self.reservations.pr_in(cdb, data_in),
            op::PR_OUT if self.pr => {
                let mut uas = Vec::new();
                let r = self.reservations.pr_out(n, cdb, req.data_out, &mut uas);
                self.queue(uas);
                r
            }
            op::SEND_DIAGNOSTIC => send_diagnostic(dev, cdb, req.data_out),
            op::RECEIVE_DIAGNOSTIC => receive_diagnostic(cdb, data_in),
            op::PREVENT_ALLOW => self.prevent_allow(dev, n, cdb),
            op::READ_BUFFER => {
                let echo = self.state(n).echo.clone();
                self.buffers.read(echo.as_deref(), cdb, data_in)
            }
            op::WRITE_BUFFER => {
                let mut echo = self.state(n).echo.take();
                let r = self.buffers.write(&mut echo, cdb, req.data_out);
                self.state(n).echo = echo;
                r
            }
            op::REPORT_LUNS => luns::report_luns(self.lun, cdb, data_in),
            MAINTENANCE_IN
                if cdb.get(1).map(|b| u16::from(b & 0x1f)) == Some(SA_REPORT_SUPPORTED_OPCODES) =>
            {
                report_supported_opcodes(&self.ops, cdb, data_in)
            }
            _ => return None,
        };
        Some(r)
    }

    /// Step 3: completion. GOOD for `Ok`; for an error the status and sense, the sense kept
    /// as the nexus's sense data for REQUEST SENSE, in descriptor format when D_SENSE is
    /// set.
    pub fn complete(&mut self, nexus: Nexus, result: Result<()>) -> Reply {
        match result {
            Ok(()) => Reply::GOOD,
            Err(e) => {
                let mut r = Reply::from(e);
                if let Some(s) = r.sense {
                    self.state(nexus).last_sense = Some(s);
                }
                r.descriptor_sense = self.descriptor_sense();
                r
            }
        }
    }

    fn test_unit_ready<D: SpcDevice + ?Sized>(&mut self, dev: &mut D, cdb: &[u8]) -> Result<()> {
        let c: &TestUnitReadyCdb = view(cdb)?;
        check_reserved_bytes(cdb, 1..5)?;
        check_control(c.control, 5)?;
        dev.test_unit_ready()
    }

    /// REQUEST SENSE (SPC-5 6.39): a pending unit attention (which is then cleared), else
    /// the sense data of the nexus's last CHECK CONDITION (then cleared), else the device's
    /// idle sense, else NO SENSE; fixed format, or descriptor format with DESC=1.
    fn request_sense<D: SpcDevice + ?Sized>(
        &mut self,
        dev: &mut D,
        nexus: Nexus,
        cdb: &[u8],
        data_in: &mut Vec<u8>,
    ) -> Result<()> {
        let c: &RequestSenseCdb = view(cdb)?;
        check_reserved(c.desc, 0xfe, 1)?;
        check_reserved_bytes(cdb, 2..4)?;
        check_control(c.control, 5)?;
        let st = self.state(nexus);
        let s = st
            .ua
            .pop_sense()
            .or_else(|| st.last_sense.take())
            .or_else(|| dev.idle_sense())
            .unwrap_or_else(Sense::none);
        let mut out = if c.desc & 1 != 0 {
            s.to_descriptor()
        } else {
            s.to_fixed().to_vec()
        };
        truncate_to(&mut out, usize::from(c.alloc_len));
        data_in.extend_from_slice(&out);
        Ok(())
    }

    fn inquiry<D: SpcDevice + ?Sized>(
        &mut self,
        dev: &mut D,
        cdb: &[u8],
        data_in: &mut Vec<u8>,
    ) -> Result<()> {
        let r = inquiry::parse_cdb(cdb)?;
        let pdt = self.identity.peripheral_type;
        let mut out = match r.vpd_page {
            None => inquiry::standard_data(&self.identity),
            Some(0) => {
                let mut pages = vpd::CORE_PAGES.to_vec();
                pages.extend(dev.vpd_pages());
                vpd::supported_pages(pdt, &pages)
            }
            Some(p) => {
                let own = if dev.vpd_pages().contains(&p) {
                    dev.vpd_page(p).map(|b| vpd::wrap(pdt, p, &b))
                } else {
                    None
                };
                match own.or_else(|| vpd::core_page(&self.identity, p)) {
                    Some(d) => d,
                    None => return Err(ScsiError::cdb(2, None, "VPD page not supported")),
                }
            }
        };
        truncate_to(&mut out, r.alloc);
        data_in.extend_from_slice(&out);
        Ok(())
    }

    fn mode_select<D: SpcDevice + ?Sized>(
        &mut self,
        dev: &mut D,
        nexus: Nexus,
        cdb: &[u8],
        data_out: &[u8],
        ten: bool,
    ) -> Result<()> {
        let Some(sel) = parse_mode_select(&self.modes, cdb, data_out, ten)? else {
            return Ok(());
        };
        dev.mode_select(&sel)?;
        let changed = sel.changes(&self.modes);
        self.modes = sel.proposed;
        if changed {
            self.unit_attention_others(nexus, Asc::MODE_PARAMETERS_CHANGED);
        }
        Ok(())
    }

    fn log_select<D: SpcDevice + ?Sized>(
        &mut self,
        dev: &mut D,
        nexus: Nexus,
        cdb: &[u8],
        data_out: &[u8],
    ) -> Result<()> {
        let pages = dev.log_pages();
        match parse_log_select(&pages, cdb, data_out)? {
            LogSelect::Nothing => return Ok(()),
            LogSelect::Reset(p) => dev.log_reset(p)?,
            LogSelect::Update(list) => {
                for u in &list {
                    dev.log_select(u)?;
                }
            }
        }
        self.unit_attention_others(nexus, Asc::LOG_PARAMETERS_CHANGED);
        Ok(())
    }

    fn prevent_allow<D: SpcDevice + ?Sized>(
        &mut self,
        dev: &mut D,
        nexus: Nexus,
        cdb: &[u8],
    ) -> Result<()> {
        let c: &PreventAllowCdb = view(cdb)?;
        check_reserved_bytes(cdb, 1..4)?;
        check_reserved(c.prevent, 0xfc, 4)?;
        check_control(c.control, 5)?;
        let prevent = match c.prevent & 3 {
            0 => false,
            1 => true,
            _ => return Err(ScsiError::cdb(4, Some(1), "obsolete PREVENT value")),
        };
        let others = self.nexus.iter().any(|(n, s)| *n != nexus && s.prevent);
        dev.medium_removal(prevent || others)?;
        self.state(nexus).prevent = prevent;
        Ok(())
    }
}

fn send_diagnostic<D: SpcDevice + ?Sized>(dev: &mut D, cdb: &[u8], data_out: &[u8]) -> Result<()> {
    match parse_send_diagnostic(cdb, data_out)? {
        SendDiagnostic::SelfTest(t) => {
            if dev.self_test(t) || t.background() {
                Ok(())
            } else {
                Err(ScsiError::Check(Sense::new(
                    SenseKey::HardwareError,
                    Asc::LOGICAL_UNIT_FAILED_SELF_TEST,
                )))
            }
        }
        SendDiagnostic::Nothing
        | SendDiagnostic::AbortBackground
        | SendDiagnostic::SupportedPages => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inquiry::PDT_SEQUENTIAL;
    use crate::task::Status;

    #[derive(Default)]
    struct Dev {
        removal: Option<bool>,
        fail_self_test: bool,
        reject_mode_select: bool,
    }

    impl SpcDevice for Dev {
        fn medium_removal(&mut self, prevented: bool) -> Result<()> {
            self.removal = Some(prevented);
            Ok(())
        }
        fn self_test(&mut self, _t: SelfTest) -> bool {
            !self.fail_self_test
        }
        fn mode_select(&mut self, _sel: &ModeSelect) -> Result<()> {
            if self.reject_mode_select {
                Err(ScsiError::param(2, None, "rejected"))
            } else {
                Ok(())
            }
        }
        fn vpd_pages(&self) -> Vec<u8> {
            vec![0xb0]
        }
        fn vpd_page(&mut self, page: u8) -> Option<Vec<u8>> {
            (page == 0xb0).then(|| vec![0, 1])
        }
    }

    fn spc() -> Spc {
        Spc::new(SpcConfig::new(
            Identity::new(PDT_SEQUENTIAL, "VTL", "TOY", "0001", "S1"),
            vec![],
        ))
    }

    fn run(spc: &mut Spc, dev: &mut Dev, n: Nexus, cdb: &[u8], out: &[u8]) -> (Reply, Vec<u8>) {
        let req = Request {
            nexus: n,
            cdb,
            data_out: out,
        };
        let mut d = Vec::new();
        let r = match spc.admit(&req) {
            Err(e) => Err(e),
            Ok(()) => spc
                .execute(dev, &req, &mut d)
                .unwrap_or(Err(ScsiError::InvalidOpcode {
                    op: cdb[0],
                    service_action: None,
                })),
        };
        (spc.complete(n, r), d)
    }

    fn asc(r: &Reply) -> Option<(SenseKey, Asc)> {
        r.sense.map(|s| (s.key, s.asc))
    }

    const TUR: [u8; 6] = [0; 6];

    #[test]
    fn power_on_ua_request_sense_and_bypass() {
        let (mut s, mut d) = (spc(), Dev::default());
        // INQUIRY bypasses and does not clear the UA
        let (r, data) = run(&mut s, &mut d, 1, &[0x12, 0, 0, 0, 96, 0], &[]);
        assert_eq!(r, Reply::GOOD);
        assert_eq!(data.len(), 96);
        // REQUEST SENSE returns it and clears it
        let (r, data) = run(&mut s, &mut d, 1, &[0x03, 0, 0, 0, 18, 0], &[]);
        assert_eq!(r, Reply::GOOD);
        assert_eq!(&data[..3], &[0x70, 0, 0x06]);
        assert_eq!((data[12], data[13]), (0x29, 0x00));
        assert_eq!(run(&mut s, &mut d, 1, &TUR, &[]).0, Reply::GOOD);
        // nothing pending: NO SENSE, descriptor format with DESC
        let (_, data) = run(&mut s, &mut d, 1, &[0x03, 1, 0, 0, 252, 0], &[]);
        assert_eq!(data, [0x72, 0, 0, 0, 0, 0, 0, 0]);
        // another nexus still has its own power on UA
        let (r, _) = run(&mut s, &mut d, 2, &TUR, &[]);
        assert_eq!(asc(&r), Some((SenseKey::UnitAttention, Asc(0x29, 0))));
        // ... and its sense is returned once by REQUEST SENSE, then cleared
        let (_, data) = run(&mut s, &mut d, 2, &[0x03, 0, 0, 0, 18, 0], &[]);
        assert_eq!((data[2], data[12]), (0x06, 0x29));
        let (_, data) = run(&mut s, &mut d, 2, &[0x03, 0, 0, 0, 18, 0], &[]);
        assert_eq!((data[2], data[12]), (0x00, 0x00));
    }

    #[test]
    fn last_sense_then_cleared_by_next_command() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        let (r, _) = run(&mut s, &mut d, 1, &[0x00, 1, 0, 0, 0, 0], &[]);
        assert_eq!(r.sense, Some(Sense::invalid_field_in_cdb(1, Some(0))));
        let (_, data) = run(&mut s, &mut d, 1, &[0x03, 0, 0, 0, 18, 0], &[]);
        assert_eq!(&data[12..18], &[0x24, 0, 0, 0xc8, 0, 1]);
        run(&mut s, &mut d, 1, &[0x00, 1, 0, 0, 0, 0], &[]);
        run(&mut s, &mut d, 1, &TUR, &[]);
        let (_, data) = run(&mut s, &mut d, 1, &[0x03, 0, 0, 0, 18, 0], &[]);
        assert_eq!(data[12], 0);
    }

    #[test]
    fn d_sense_selects_descriptor_format() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        let mut list = vec![0, 0, 0, 0];
        let mut page = control_page().current().to_vec();
        page[2] |= 0x04;
        list.extend_from_slice(&page);
        let (r, _) = run(
            &mut s,
            &mut d,
            1,
            &[0x15, 0x10, 0, 0, list.len() as u8, 0],
            &list,
        );
        assert_eq!(r, Reply::GOOD);
        let (r, _) = run(&mut s, &mut d, 1, &[0x00, 1, 0, 0, 0, 0], &[]);
        assert!(r.descriptor_sense);
        assert_eq!(r.sense_bytes()[0], 0x72);
    }

    #[test]
    fn mode_select_ua_to_others_and_rejection() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        run(&mut s, &mut d, 2, &TUR, &[]);
        let mut list = vec![0, 0, 0, 0];
        let mut page = control_page().current().to_vec();
        page[2] |= 0x04;
        list.extend_from_slice(&page);
        let cdb = [0x15, 0x10, 0, 0, list.len() as u8, 0];
        d.reject_mode_select = true;
        let (r, _) = run(&mut s, &mut d, 1, &cdb, &list);
        assert_eq!(
            r.sense,
            Some(Sense::invalid_field_in_parameter_list(2, None))
        );
        assert!(!s.descriptor_sense());
        d.reject_mode_select = false;
        assert_eq!(run(&mut s, &mut d, 1, &cdb, &list).0.status, Status::Good);
        assert!(s.descriptor_sense());
        assert_eq!(run(&mut s, &mut d, 1, &TUR, &[]).0, Reply::GOOD);
        let (r, _) = run(&mut s, &mut d, 2, &TUR, &[]);
        assert_eq!(
            asc(&r),
            Some((SenseKey::UnitAttention, Asc::MODE_PARAMETERS_CHANGED))
        );
        // a reset restores the saved values (SP was 0)
        s.reset(ResetEvent::LogicalUnitReset);
        assert!(!s.descriptor_sense());
    }

    #[test]
    fn prevent_allow_tracks_nexuses() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        run(&mut s, &mut d, 2, &TUR, &[]);
        run(&mut s, &mut d, 1, &[0x1e, 0, 0, 0, 1, 0], &[]);
        run(&mut s, &mut d, 2, &[0x1e, 0, 0, 0, 1, 0], &[]);
        run(&mut s, &mut d, 1, &[0x1e, 0, 0, 0, 0, 0], &[]);
        assert!(s.removal_prevented());
        assert_eq!(d.removal, Some(true));
        run(&mut s, &mut d, 2, &[0x1e, 0, 0, 0, 0, 0], &[]);
        assert!(!s.removal_prevented());
        assert_eq!(d.removal, Some(false));
        let (r, _) = run(&mut s, &mut d, 2, &[0x1e, 0, 0, 0, 2, 0], &[]);
        assert_eq!(r.sense, Some(Sense::invalid_field_in_cdb(4, Some(1))));
        run(&mut s, &mut d, 2, &[0x1e, 0, 0, 0, 1, 0], &[]);
        s.reset(ResetEvent::BusReset);
        assert!(!s.removal_prevented());
    }

    #[test]
    fn self_test_failure_and_vpd() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        assert_eq!(
            run(&mut s, &mut d, 1, &[0x1d, 4, 0, 0, 0, 0], &[]).0,
            Reply::GOOD
        );
        d.fail_self_test = true;
        let (r, _) = run(&mut s, &mut d, 1, &[0x1d, 4, 0, 0, 0, 0], &[]);
        assert_eq!(asc(&r), Some((SenseKey::HardwareError, Asc(0x3e, 0x03))));
        assert_eq!(
            run(&mut s, &mut d, 1, &[0x1d, 0x20, 0, 0, 0, 0], &[]).0,
            Reply::GOOD
        );
        let (_, data) = run(&mut s, &mut d, 1, &[0x12, 1, 0, 0, 255, 0], &[]);
        assert_eq!(data, [1, 0, 0, 5, 0x00, 0x80, 0x83, 0x86, 0xb0]);
        let (_, data) = run(&mut s, &mut d, 1, &[0x12, 1, 0xb0, 0, 255, 0], &[]);
        assert_eq!(data, [1, 0xb0, 0, 2, 0, 1]);
        let (r, _) = run(&mut s, &mut d, 1, &[0x12, 1, 0xb1, 0, 255, 0], &[]);
        assert_eq!(r.sense, Some(Sense::invalid_field_in_cdb(2, None)));
    }

    #[test]
    fn identity_change_and_nexus_loss() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        s.inquiry_data_changed();
        let (r, _) = run(&mut s, &mut d, 1, &TUR, &[]);
        assert_eq!(asc(&r), Some((SenseKey::UnitAttention, Asc(0x3f, 0x03))));
        s.reset(ResetEvent::NexusLoss(1));
        let (r, _) = run(&mut s, &mut d, 1, &TUR, &[]);
        assert_eq!(asc(&r), Some((SenseKey::UnitAttention, Asc(0x29, 0x07))));
    }

    #[test]
    fn unknown_service_action() {
        let (mut s, mut d) = (spc(), Dev::default());
        run(&mut s, &mut d, 1, &TUR, &[]);
        let (r, _) = run(
            &mut s,
            &mut d,
            1,
            &[0xa3, 0x05, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
            &[],
        );
        assert_eq!(r.sense, Some(Sense::invalid_field_in_cdb(1, Some(4))));
        let (r, _) = run(
            &mut s,
            &mut d,
            1,
            &[0x5e, 0x03, 0, 0, 0, 0, 0, 0, 8, 0],
            &[],
        );
        assert_eq!(r.sense, Some(Sense::invalid_field_in_cdb(1, Some(4))));
    }
}
