//! Reservations: SPC-2 RESERVE/RELEASE(6)/(10) and persistent reservations (PERSISTENT
//! RESERVE IN/OUT, SPC-5 5.14, 6.16, 6.17), with the conflict rules of SPC-5 5.14.1
//! expressed over [`CommandClass`].
//!
//! State is per logical unit and in memory (APTPL is not supported: persistent
//! reservations survive resets and nexus loss but not power on). Service actions that
//! affect other I_T nexuses return the unit attentions to establish; the caller queues
//! them.

use zerocopy::byteorder::big_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::cdb::{check_control, check_reserved, check_reserved_bytes, truncate_to, view};
use crate::error::{Result, ScsiError};
use crate::lu::ResetEvent;
use crate::opcodes::CommandClass;
use crate::sense::Asc;
use crate::task::Nexus;

/// RESERVE(6) op code.
pub const RESERVE_6: u8 = 0x16;
/// RELEASE(6) op code.
pub const RELEASE_6: u8 = 0x17;
/// RESERVE(10) op code.
pub const RESERVE_10: u8 = 0x56;
/// RELEASE(10) op code.
pub const RELEASE_10: u8 = 0x57;
/// PERSISTENT RESERVE IN op code.
pub const PERSISTENT_RESERVE_IN: u8 = 0x5e;
/// PERSISTENT RESERVE OUT op code.
pub const PERSISTENT_RESERVE_OUT: u8 = 0x5f;

/// Persistent reservation TYPE (SPC-5 6.17.4.2, table "Persistent reservation type codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PrType {
    /// 1h Write Exclusive.
    WriteExclusive = 1,
    /// 3h Exclusive Access.
    ExclusiveAccess = 3,
    /// 5h Write Exclusive – Registrants Only.
    WriteExclusiveRegistrantsOnly = 5,
    /// 6h Exclusive Access – Registrants Only.
    ExclusiveAccessRegistrantsOnly = 6,
    /// 7h Write Exclusive – All Registrants.
    WriteExclusiveAllRegistrants = 7,
    /// 8h Exclusive Access – All Registrants.
    ExclusiveAccessAllRegistrants = 8,
}

impl PrType {
    /// The type for a TYPE field value.
    pub fn from_u8(v: u8) -> Option<PrType> {
        use PrType::*;
        Some(match v {
            1 => WriteExclusive,
            3 => ExclusiveAccess,
            5 => WriteExclusiveRegistrantsOnly,
            6 => ExclusiveAccessRegistrantsOnly,
            7 => WriteExclusiveAllRegistrants,
            8 => ExclusiveAccessAllRegistrants,
            _ => return None,
        })
    }

    /// A Write Exclusive type (reads allowed for everyone).
    pub fn write_exclusive(self) -> bool {
        matches!(
            self,
            PrType::WriteExclusive
                | PrType::WriteExclusiveRegistrantsOnly
                | PrType::WriteExclusiveAllRegistrants
        )
    }

    /// A Registrants Only or All Registrants type (registered nexuses have access).
    pub fn registrants(self) -> bool {
        !matches!(self, PrType::WriteExclusive | PrType::ExclusiveAccess)
    }

    /// An All Registrants type (every registrant is a reservation holder).
    pub fn all_registrants(self) -> bool {
        matches!(
            self,
            PrType::WriteExclusiveAllRegistrants | PrType::ExclusiveAccessAllRegistrants
        )
    }
}

/// The persistent reservation, when one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrHolder {
    /// The I_T nexus that created it (for All Registrants types every registrant holds it).
    pub nexus: Nexus,
    /// Its type.
    pub ty: PrType,
}

/// Reservation state of a logical unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reservations {
    spc2: Option<Nexus>,
    /// Registrations in the order they were made: (nexus, reservation key).
    registrations: Vec<(Nexus, u64)>,
    reservation: Option<PrHolder>,
    generation: u32,
}

/// Unit attentions to establish: (nexus, condition).
pub type UaList = Vec<(Nexus, Asc)>;

impl Reservations {
    /// The SPC-2 reservation holder.
    pub fn spc2_holder(&self) -> Option<Nexus> {
        self.spc2
    }

    /// The persistent reservation.
    pub fn persistent(&self) -> Option<PrHolder> {
        self.reservation
    }

    /// The reservation key registered by `nexus`.
    pub fn key_of(&self, nexus: Nexus) -> Option<u64> {
        self.registrations
            .iter()
            .find(|r| r.0 == nexus)
            .map(|r| r.1)
    }

    /// PRgeneration.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    fn holds(&self, nexus: Nexus) -> bool {
        match self.reservation {
            Some(r) if r.ty.all_registrants() => self.key_of(nexus).is_some(),
            Some(r) => r.nexus == nexus,
            None => false,
        }
    }

    /// Admission check (SPC-5 5.14.1 and SPC-2 5.5.1): may `nexus` run a command of
    /// `class` with op code `op`? RELEASE(6)/(10) pass an SPC-2 reservation held by another
    /// nexus (they complete GOOD without effect); RESERVE/RELEASE conflict while a
    /// persistent reservation exists.
    ///
    /// Errors: [`ScsiError::ReservationConflict`].
    pub fn check(&self, nexus: Nexus, op: u8, class: CommandClass) -> Result<()> {
        let spc2_cmd = matches!(op, RESERVE_6 | RELEASE_6 | RESERVE_10 | RELEASE_10);
        if let Some(h) = self.spc2
            && h != nexus
            && class != CommandClass::Allowed
            && !matches!(op, RELEASE_6 | RELEASE_10)
        {
            return Err(ScsiError::ReservationConflict);
        }
        let Some(r) = self.reservation else {
            return Ok(());
        };
        if spc2_cmd {
            return Err(ScsiError::ReservationConflict);
        }
        if self.holds(nexus) {
            return Ok(());
        }
        let registered = self.key_of(nexus).is_some();
        let ok = match class {
            CommandClass::Allowed | CommandClass::PrAllowed => true,
            CommandClass::Read => r.ty.write_exclusive() || (r.ty.registrants() && registered),
            CommandClass::Write => r.ty.registrants() && registered,
        };
        if ok {
            Ok(())
        } else {
            Err(ScsiError::ReservationConflict)
        }
    }

    /// A reset or nexus loss: SPC-2 reservations are released by resets and by the
    /// holder's nexus loss; persistent reservations and registrations are lost only at
    /// power on (no APTPL).
    pub fn reset(&mut self, event: ResetEvent) {
        match event {
            ResetEvent::PowerOn => *self = Reservations::default(),
            ResetEvent::BusReset | ResetEvent::LogicalUnitReset => self.spc2 = None,
            ResetEvent::NexusLoss(n) => {
                if self.spc2 == Some(n) {
                    self.spc2 = None;
                }
            }
        }
    }

    /// RESERVE(6) / RESERVE(10) (SPC-2 7.21, 7.22): third-party and extent reservations
    /// are not supported (INVALID FIELD IN CDB at byte 1); a reservation held by another
    /// nexus → RESERVATION CONFLICT; the holder reserving again is GOOD.
    pub fn reserve(&mut self, nexus: Nexus, cdb: &[u8]) -> Result<()> {
        self.spc2_cdb(cdb)?;
        match self.spc2 {
            Some(h) if h != nexus => Err(ScsiError::ReservationConflict),
            _ => {
                self.spc2 = Some(nexus);
                Ok(())
            }
        }
    }

    /// RELEASE(6) / RELEASE(10): releases the holder's reservation; from any other nexus
    /// GOOD without effect.
    pub fn release(&mut self, nexus: Nexus, cdb: &[u8]) -> Result<()> {
        self.spc2_cdb(cdb)?;
        if self.spc2 == Some(nexus) {
            self.spc2 = None;
        }
        Ok(())
    }

    fn spc2_cdb(&self, cdb: &[u8]) -> Result<()> {
        if matches!(cdb.first(), Some(&(RESERVE_10 | RELEASE_10))) {
            let c: &Spc2Cdb10 = view(cdb)?;
            check_reserved(c.flags, 0xff, 1)?;
            check_reserved_bytes(cdb, 4..7)?;
            check_control(c.control, 9)
        } else {
            let c: &Spc2Cdb6 = view(cdb)?;
            check_reserved(c.flags, 0x1f, 1)?;
            check_control(c.control, 5)
        }
    }

    /// PERSISTENT RESERVE IN (SPC-5 6.16): READ KEYS, READ RESERVATION, REPORT
    /// CAPABILITIES. READ FULL STATUS (needs transport IDs) is not supported: INVALID FIELD
    /// IN CDB at byte 1.
    pub fn pr_in(&self, cdb: &[u8], data_in: &mut Vec<u8>) -> Result<()> {
        let c: &PrInCdb = view(cdb)?;
        check_reserved(c.service_action, 0xe0, 1)?;
        check_reserved_bytes(cdb, 2..7)?;
        check_control(c.control, 9)?;
        let mut out = Vec::new();
        match c.service_action & 0x1f {
            0 => {
                out.extend_from_slice(&self.generation.to_be_bytes());
                out.extend_from_slice(&((self.registrations.len() * 8) as u32).to_be_bytes());
                for (_, k) in &self.registrations {
                    out.extend_from_slice(&k.to_be_bytes());
                }
            }
            1 => {
                out.extend_from_slice(&self.generation.to_be_bytes());
                match self.reservation {
                    None => out.extend_from_slice(&[0; 4]),
                    Some(r) => {
                        out.extend_from_slice(&16u32.to_be_bytes());
                        let key = if r.ty.all_registrants() {
                            0
                        } else {
                            self.key_of(r.nexus).unwrap_or(0)
                        };
                        out.extend_from_slice(&key.to_be_bytes());
                        out.extend_from_slice(&[0, 0, 0, 0, 0, r.ty as u8, 0, 0]);
                    }
                }
            }
            2 => {
                // LENGTH 8; no CRH/SIP_C/ATP_C/PTPL_C; TMV=1, ALLOW COMMANDS 001b; the
                // persistent reservation type mask of the six types.
                out.extend_from_slice(&[0, 8, 0x00, 0x90, 0xea, 0x01, 0, 0]);
            }
            _ => return Err(ScsiError::cdb(1, Some(4), "service action not supported")),
        }
        truncate_to(&mut out, usize::from(c.alloc_len.get()));
        data_in.extend_from_slice(&out);
        Ok(())
    }

    /// PERSISTENT RESERVE OUT (SPC-5 6.17, 5.14.7..5.14.11): REGISTER, REGISTER AND IGNORE
    /// EXISTING KEY, RESERVE, RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT (treated as
    /// PREEMPT: commands run to completion one at a time, there is nothing to abort).
    /// REGISTER AND MOVE is not supported. The parameter list must be 24 bytes; SPEC_I_PT,
    /// ALL_TG_PT and APTPL are not supported (INVALID FIELD IN PARAMETER LIST at byte 20).
    /// Unit attentions for other nexuses are appended to `uas`.
    pub fn pr_out(
        &mut self,
        nexus: Nexus,
        cdb: &[u8],
        data_out: &[u8],
        uas: &mut UaList,
    ) -> Result<()> {
        let c: &PrOutCdb = view(cdb)?;
        check_reserved(c.service_action, 0xe0, 1)?;
        check_reserved_bytes(cdb, 3..5)?;
        check_control(c.control, 9)?;
        let sa = c.service_action & 0x1f;
        if sa > 6 {
            return Err(ScsiError::cdb(1, Some(4), "service action not supported"));
        }
        let scope = c.scope_type >> 4;
        let ty_bits = c.scope_type & 0x0f;
        let needs_type = matches!(sa, 1 | 2 | 4 | 5);
        if needs_type && scope != 0 {
            return Err(ScsiError::cdb(2, Some(7), "scope not LU_SCOPE"));
        }
        let ty = PrType::from_u8(ty_bits);
        if needs_type && ty.is_none() {
            return Err(ScsiError::cdb(2, Some(3), "reservation type"));
        }
        if c.param_len.get() != 24 || data_out.len() < 24 {
            return Err(ScsiError::param_list_length_at(5));
        }
        let p = &data_out[..24];
        let key = u64::from_be_bytes(p[0..8].try_into().unwrap_or_default());
        let sa_key = u64::from_be_bytes(p[8..16].try_into().unwrap_or_default());
        for bit in [3u8, 2, 0] {
            if p[20] & (1 << bit) != 0 {
                return Err(ScsiError::param(20, Some(bit), "option not supported"));
            }
        }
        check_reserved(p[20], 0xf2, 20).map_err(to_param)?;
        let mine = self.key_of(nexus);
        match sa {
            // REGISTER, REGISTER AND IGNORE EXISTING KEY
            0 | 6 => {
                let ignore = sa == 6;
                match mine {
                    None => {
                        if !ignore && key != 0 {
                            return Err(ScsiError::ReservationConflict);
                        }
                        if sa_key != 0 {
                            self.registrations.push((nexus, sa_key));
                            self.bump();
                        }
                    }
                    Some(k) => {
                        if !ignore && key != k {
                            return Err(ScsiError::ReservationConflict);
                        }
                        if sa_key == 0 {
                            self.unregister(nexus, uas);
                        } else if let Some(r) = self.registrations.iter_mut().find(|r| r.0 == nexus)
                        {
                            r.1 = sa_key;
                        }
                        self.bump();
                    }
                }
                Ok(())
            }
            // RESERVE
            1 => {
                let ty = ty.unwrap_or(PrType::WriteExclusive);
                self.registered_with(mine, key)?;
                match self.reservation {
                    Some(r) if self.holds(nexus) => {
                        if r.ty == ty {
                            Ok(())
                        } else {
                            Err(ScsiError::ReservationConflict)
                        }
                    }
                    Some(_) => Err(ScsiError::ReservationConflict),
                    None => {
                        self.reservation = Some(PrHolder { nexus, ty });
                        Ok(())
                    }
                }
            }
            // RELEASE
            2 => {
                let ty = ty.unwrap_or(PrType::WriteExclusive);
                self.registered_with(mine, key)?;
                let Some(r) = self.reservation else {
                    return Ok(());
                };
                if !self.holds(nexus) {
                    return Ok(());
                }
                if r.ty != ty {
                    return Err(ScsiError::illegal_at(
                        Asc::INVALID_RELEASE_OF_PERSISTENT_RESERVATION,
                        2,
                        Some(3),
                    ));
                }
                self.reservation = None;
                if r.ty.registrants() {
                    self.ua_registrants(nexus, Asc::RESERVATIONS_RELEASED, uas);
                }
                Ok(())
            }
            // CLEAR
            3 => {
                self.registered_with(mine, key)?;
                self.ua_registrants(nexus, Asc::RESERVATIONS_PREEMPTED, uas);
                self.registrations.clear();
                self.reservation = None;
                self.bump();
                Ok(())
            }
            // PREEMPT, PREEMPT AND ABORT
            _ => {
                let ty = ty.unwrap_or(PrType::WriteExclusive);
                self.registered_with(mine, key)?;
                self.preempt(nexus, sa_key, ty, uas)
            }
        }
    }

    fn registered_with(&self, mine: Option<u64>, key: u64) -> Result<()> {
        match mine {
            Some(k) if k == key => Ok(()),
            _ => Err(ScsiError::ReservationConflict),
        }
    }

    fn bump(&mut self) {
        self.generation = self.generation.wrapping_add(1);
    }

    fn ua_registrants(&self, except: Nexus, asc: Asc, uas: &mut UaList) {
        for (n, _) in &self.registrations {
            if *n != except {
                uas.push((*n, asc));
            }
        }
    }

    /// Remove `nexus`'s registration; a holder unregistering releases the reservation
    /// (All Registrants types: only when it was the last registrant), with RESERVATIONS
    /// RELEASED to the remaining registrants for the Registrants Only types.
    fn unregister(&mut self, nexus: Nexus, uas: &mut UaList) {
        self.registrations.retain(|r| r.0 != nexus);
        if let Some(r) = self.reservation {
            if r.ty.all_registrants() {
                if self.registrations.is_empty() {
                    self.reservation = None;
                }
            } else if r.nexus == nexus {
                self.reservation = None;
                if r.ty.registrants() {
                    self.ua_registrants(nexus, Asc::RESERVATIONS_RELEASED, uas);
                }
            }
        }
    }

    fn preempt(&mut self, nexus: Nexus, sa_key: u64, ty: PrType, uas: &mut UaList) -> Result<()> {
        let removed = |this: &mut Reservations, pred: &dyn Fn(&(Nexus, u64)) -> bool| {
            let gone: Vec<Nexus> = this
                .registrations
                .iter()
                .filter(|r| pred(r))
                .map(|r| r.0)
                .collect();
            this.registrations.retain(|r| !pred(r));
            gone
        };
        match self.reservation {
            Some(r) if r.ty.all_registrants() && sa_key == 0 => {
                // Preempt an All Registrants reservation: every other registrant goes.
                for n in removed(self, &|x| x.0 != nexus) {
                    uas.push((n, Asc::REGISTRATIONS_PREEMPTED));
                }
                self.reservation = Some(PrHolder { nexus, ty });
            }
            Some(r) if !r.ty.all_registrants() && self.key_of(r.nexus) == Some(sa_key) => {
                // Preempt the holder: its key's registrations go (except our own), and
                // the reservation moves to us with the new type.
                let gone = removed(self, &|x| x.1 == sa_key && x.0 != nexus);
                for n in &gone {
                    uas.push((*n, Asc::REGISTRATIONS_PREEMPTED));
                }
                if r.ty != ty {
                    for (n, _) in &self.registrations {
                        if *n != nexus {
                            uas.push((*n, Asc::RESERVATIONS_RELEASED));
                        }
                    }
                }
                self.reservation = Some(PrHolder { nexus, ty });
            }
            _ => {
                if sa_key == 0 {
                    return Err(ScsiError::param(
                        8,
                        None,
                        "service action reservation key 0",
                    ));
                }
                let gone = removed(self, &|x| x.1 == sa_key);
                if gone.is_empty() {
                    return Err(ScsiError::ReservationConflict);
                }
                for n in &gone {
                    if *n != nexus {
                        uas.push((*n, Asc::REGISTRATIONS_PREEMPTED));
                    }
                }
                if let Some(r) = self.reservation
                    && r.ty.all_registrants()
                    && self.registrations.is_empty()
                {
                    self.reservation = None;
                }
            }
        }
        self.bump();
        Ok(())
    }
}

fn to_param(e: ScsiError) -> ScsiError {
    match e {
        ScsiError::InvalidFieldInCdb { byte, bit, why } => ScsiError::param(byte, bit, why),
        e => e,
    }
}

/// RESERVE(6) / RELEASE(6) CDB (SPC-2 7.21 / 7.17).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Spc2Cdb6 {
    /// 0x16 / 0x17.
    pub op: u8,
    /// Obsolete LUN (7..5), 3RDPTY (4), THIRD-PARTY DEVICE ID (3..1), EXTENT (0).
    pub flags: u8,
    /// RESERVATION IDENTIFICATION, EXTENT LIST LENGTH (ignored without EXTENT).
    pub obsolete: [u8; 3],
    /// CONTROL.
    pub control: u8,
}

/// RESERVE(10) / RELEASE(10) CDB (SPC-2 7.22 / 7.18).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct Spc2Cdb10 {
    /// 0x56 / 0x57.
    pub op: u8,
    /// 3RDPTY (4), LONGID (1), EXTENT (0); the rest reserved.
    pub flags: u8,
    /// RESERVATION IDENTIFICATION (obsolete).
    pub reservation_id: u8,
    /// THIRD-PARTY DEVICE ID (ignored without 3RDPTY).
    pub third_party: u8,
    /// Reserved.
    pub reserved: [u8; 3],
    /// PARAMETER LIST LENGTH (only used with LONGID).
    pub param_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// PERSISTENT RESERVE IN CDB (SPC-5 6.16.1).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct PrInCdb {
    /// 0x5E.
    pub op: u8,
    /// SERVICE ACTION (4..0).
    pub service_action: u8,
    /// Reserved.
    pub reserved: [u8; 5],
    /// ALLOCATION LENGTH.
    pub alloc_len: U16,
    /// CONTROL.
    pub control: u8,
}

/// PERSISTENT RESERVE OUT CDB (SPC-5 6.17.1).
#[derive(FromBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct PrOutCdb {
    /// 0x5F.
    pub op: u8,
    /// SERVICE ACTION (4..0).
    pub service_action: u8,
    /// SCOPE (7..4), TYPE (3..0).
    pub scope_type: u8,
    /// Reserved.
    pub reserved: [u8; 2],
    /// PARAMETER LIST LENGTH.
    pub param_len: U32,
    /// CONTROL.
    pub control: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prout(sa: u8, ty: u8, key: u64, sa_key: u64) -> (Vec<u8>, Vec<u8>) {
        let cdb = vec![0x5f, sa, ty, 0, 0, 0, 0, 0, 24, 0];
        let mut p = key.to_be_bytes().to_vec();
        p.extend_from_slice(&sa_key.to_be_bytes());
        p.extend_from_slice(&[0; 8]);
        (cdb, p)
    }

    fn run(
        r: &mut Reservations,
        n: Nexus,
        sa: u8,
        ty: u8,
        key: u64,
        sa_key: u64,
    ) -> Result<UaList> {
        let (c, p) = prout(sa, ty, key, sa_key);
        let mut uas = Vec::new();
        r.pr_out(n, &c, &p, &mut uas).map(|_| uas)
    }

    fn pr_in(r: &Reservations, sa: u8) -> Vec<u8> {
        let mut d = Vec::new();
        r.pr_in(&[0x5e, sa, 0, 0, 0, 0, 0, 1, 0, 0], &mut d)
            .unwrap();
        d
    }

    #[test]
    fn write_exclusive_scenario() {
        let mut r = Reservations::default();
        run(&mut r, 1, 0, 0, 0, 0xaa).unwrap();
        run(&mut r, 2, 0, 0, 0, 0xbb).unwrap();
        assert_eq!(
            pr_in(&r, 0),
            [
                0, 0, 0, 2, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0xbb
            ]
        );
        run(&mut r, 1, 1, 1, 0xaa, 0).unwrap();
        assert_eq!(
            pr_in(&r, 1),
            [
                0, 0, 0, 2, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0, 0, 0, 0, 0, 1, 0, 0
            ]
        );
        // nexus 2: write-class conflicts, read-class is fine, holder does anything
        assert_eq!(
            r.check(2, 0x0a, CommandClass::Write),
            Err(ScsiError::ReservationConflict)
        );
        assert_eq!(r.check(2, 0x08, CommandClass::Read), Ok(()));
        assert_eq!(r.check(3, 0x08, CommandClass::Read), Ok(()));
        assert_eq!(r.check(1, 0x0a, CommandClass::Write), Ok(()));
        assert_eq!(
            r.check(2, 0x16, CommandClass::Write),
            Err(ScsiError::ReservationConflict)
        );
        // nexus 2 cannot reserve; wrong key conflicts
        assert_eq!(
            run(&mut r, 2, 1, 1, 0xbb, 0),
            Err(ScsiError::ReservationConflict)
        );
        assert_eq!(
            run(&mut r, 2, 4, 3, 0xbc, 0xaa),
            Err(ScsiError::ReservationConflict)
        );
        // preempt: reservation moves to nexus 2 as Exclusive Access, nexus 1 loses its
        // registration and gets REGISTRATIONS PREEMPTED
        let uas = run(&mut r, 2, 4, 3, 0xbb, 0xaa).unwrap();
        assert_eq!(uas, [(1, Asc::REGISTRATIONS_PREEMPTED)]);
        assert_eq!(
            r.persistent(),
            Some(PrHolder {
                nexus: 2,
                ty: PrType::ExclusiveAccess
            })
        );
        assert_eq!(r.key_of(1), None);
        assert_eq!(
            r.check(1, 0x08, CommandClass::Read),
            Err(ScsiError::ReservationConflict)
        );
        assert_eq!(r.generation(), 3);
        // release with the wrong type
        let e = run(&mut r, 2, 2, 1, 0xbb, 0).unwrap_err();
        assert_eq!(
            e.sense().unwrap().asc,
            Asc::INVALID_RELEASE_OF_PERSISTENT_RESERVATION
        );
        run(&mut r, 2, 2, 3, 0xbb, 0).unwrap();
        assert_eq!(r.persistent(), None);
    }

    #[test]
    fn registrants_only_and_clear() {
        let mut r = Reservations::default();
        run(&mut r, 1, 0, 0, 0, 1).unwrap();
        run(&mut r, 2, 6, 0, 999, 2).unwrap();
        run(&mut r, 1, 1, 6, 1, 0).unwrap();
        assert_eq!(r.check(2, 0, CommandClass::Write), Ok(()));
        assert_eq!(
            r.check(3, 0, CommandClass::Read),
            Err(ScsiError::ReservationConflict)
        );
        // holder unregisters: reservation released, others told
        let uas = run(&mut r, 1, 0, 0, 1, 0).unwrap();
        assert_eq!(uas, [(2, Asc::RESERVATIONS_RELEASED)]);
        assert_eq!(r.persistent(), None);
        run(&mut r, 1, 0, 0, 0, 5).unwrap();
        let uas = run(&mut r, 2, 3, 0, 2, 0).unwrap();
        assert_eq!(uas, [(1, Asc::RESERVATIONS_PREEMPTED)]);
        assert_eq!(pr_in(&r, 0)[4..8], [0, 0, 0, 0]);
    }

    #[test]
    fn all_registrants() {
        let mut r = Reservations::default();
        run(&mut r, 1, 0, 0, 0, 1).unwrap();
        run(&mut r, 2, 0, 0, 0, 2).unwrap();
        run(&mut r, 1, 1, 7, 1, 0).unwrap();
        assert_eq!(pr_in(&r, 1)[8..16], [0; 8]);
        // every registrant holds it
        assert_eq!(run(&mut r, 2, 1, 7, 2, 0), Ok(vec![]));
        let uas = run(&mut r, 2, 4, 8, 2, 0).unwrap();
        assert_eq!(uas, [(1, Asc::REGISTRATIONS_PREEMPTED)]);
        assert_eq!(
            r.persistent().unwrap().ty,
            PrType::ExclusiveAccessAllRegistrants
        );
    }

    #[test]
    fn parameter_checks() {
        let mut r = Reservations::default();
        let (c, p) = prout(0, 0, 0, 1);
        let mut uas = Vec::new();
        assert_eq!(
            r.pr_out(1, &c, &p[..20], &mut uas),
            Err(ScsiError::param_list_length_at(5))
        );
        let mut p2 = p.clone();
        p2[20] = 0x01;
        assert_eq!(
            r.pr_out(1, &c, &p2, &mut uas),
            Err(ScsiError::param(20, Some(0), "option not supported"))
        );
        let (c, p) = prout(1, 2, 0, 0);
        assert_eq!(
            r.pr_out(1, &c, &p, &mut uas),
            Err(ScsiError::cdb(2, Some(3), "reservation type"))
        );
        let (c, p) = prout(7, 1, 0, 0);
        assert_eq!(
            r.pr_out(1, &c, &p, &mut uas),
            Err(ScsiError::cdb(1, Some(4), "service action not supported"))
        );
        // unregistered nexus with a key: conflict
        assert_eq!(
            run(&mut r, 1, 0, 0, 5, 1),
            Err(ScsiError::ReservationConflict)
        );
        assert_eq!(pr_in(&r, 2), [0, 8, 0, 0x90, 0xea, 0x01, 0, 0]);
    }

    #[test]
    fn spc2() {
        let mut r = Reservations::default();
        r.reserve(1, &[0x16, 0, 0, 0, 0, 0]).unwrap();
        r.reserve(1, &[0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(
            r.reserve(2, &[0x16, 0, 0, 0, 0, 0]),
            Err(ScsiError::ReservationConflict)
        );
        assert_eq!(
            r.check(2, 0x00, CommandClass::PrAllowed),
            Err(ScsiError::ReservationConflict)
        );
        assert_eq!(r.check(2, 0x12, CommandClass::Allowed), Ok(()));
        assert_eq!(r.check(2, 0x17, CommandClass::Allowed), Ok(()));
        r.release(2, &[0x17, 0, 0, 0, 0, 0]).unwrap();
        assert_eq!(r.spc2_holder(), Some(1));
        assert_eq!(
            r.reserve(1, &[0x16, 0x10, 0, 0, 0, 0]),
            Err(ScsiError::cdb(1, Some(4), "reserved bit set"))
        );
        r.reset(ResetEvent::NexusLoss(1));
        assert_eq!(r.spc2_holder(), None);
        // RESERVE while a persistent reservation exists conflicts
        run(&mut r, 1, 0, 0, 0, 1).unwrap();
        run(&mut r, 1, 1, 1, 1, 0).unwrap();
        assert_eq!(
            r.check(1, 0x16, CommandClass::Write),
            Err(ScsiError::ReservationConflict)
        );
    }
}
