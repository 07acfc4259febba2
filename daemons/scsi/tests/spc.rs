//! The SPC command set driven through the in-process transport the way st and sg3_utils
//! drive a tape drive.

mod common;

use common::{Toy, lu};
use vtl_scsi::{Asc, InProcess, ResetEvent, Status};

const TUR: [u8; 6] = [0; 6];

fn request_sense(lu: &mut InProcess<Toy>, nexus: u64) -> (u8, u8, u8) {
    let c = lu.command(nexus, &[0x03, 0, 0, 0, 18, 0], &[], 18);
    assert!(c.is_good());
    assert_eq!(c.data.len(), 18);
    (c.data[2] & 0x0f, c.data[12], c.data[13])
}

/// Clear the power on unit attention of `nexus`.
fn attach(lu: &mut InProcess<Toy>, nexus: u64) {
    assert_eq!(
        lu.command(nexus, &TUR, &[], 0).key_asc(),
        Some((6, 0x29, 0))
    );
}

#[test]
fn power_on_unit_attention_then_ready() {
    let mut lu = lu();
    let c = lu.command(1, &TUR, &[], 0);
    assert_eq!(c.status, Status::CheckCondition);
    assert_eq!(c.key_asc(), Some((0x6, 0x29, 0x00)));
    assert_eq!(request_sense(&mut lu, 1), (0x6, 0x29, 0x00));
    assert!(lu.command(1, &TUR, &[], 0).is_good());
    assert_eq!(request_sense(&mut lu, 1), (0, 0, 0));
    // not ready → NOT READY 3A/00, medium load → 28/00 once
    lu.lu().hooks.loaded = false;
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((2, 0x3a, 0)));
    assert_eq!(request_sense(&mut lu, 1), (2, 0x3a, 0));
    lu.lu().hooks.loaded = true;
    lu.lu()
        .spc
        .unit_attention_all(Asc::NOT_READY_TO_READY_CHANGE);
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x28, 0)));
    assert!(lu.command(1, &TUR, &[], 0).is_good());
    // a reset: every nexus sees 29/00 again
    lu.reset(ResetEvent::BusReset);
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x29, 0)));
}

#[test]
fn inquiry_and_vpd_pages() {
    let mut lu = lu();
    let c = lu.command(1, &[0x12, 0, 0, 0, 36, 0], &[], 36);
    assert!(c.is_good());
    let mut want = vec![0x01, 0x80, 0x06, 0x12, 91, 0, 0, 0];
    want.extend_from_slice(b"VTL     TOYTAPE         0100");
    assert_eq!(c.data, want);
    let c = lu.command(1, &[0x12, 0, 0, 0, 96, 0], &[], 96);
    assert_eq!(&c.data[58..66], &[0x00, 0xa0, 0x04, 0x60, 0x04, 0x00, 0, 0]);
    // sg_vpd: supported pages, serial, device identification, extended inquiry, 0xB0
    let c = lu.command(1, &[0x12, 1, 0x00, 0, 255, 0], &[], 255);
    assert_eq!(c.data, [1, 0, 0, 5, 0x00, 0x80, 0x83, 0x86, 0xb0]);
    let c = lu.command(1, &[0x12, 1, 0x80, 0, 255, 0], &[], 255);
    assert_eq!(c.data, b"\x01\x80\x00\x07TOY0001");
    let c = lu.command(1, &[0x12, 1, 0x83, 0, 255, 0], &[], 255);
    let mut want = vec![
        1, 0x83, 0, 47, 0x01, 0x03, 0, 8, 0x52, 0xa5, 0x65, 0x40, 0, 0, 0, 1,
    ];
    want.extend_from_slice(&[0x02, 0x01, 0, 31]);
    want.extend_from_slice(b"VTL     TOYTAPE         TOY0001");
    assert_eq!(c.data, want);
    let c = lu.command(1, &[0x12, 1, 0x86, 0, 255, 0], &[], 255);
    assert_eq!(c.data.len(), 64);
    let c = lu.command(1, &[0x12, 1, 0xb0, 0, 255, 0], &[], 255);
    assert_eq!(c.data, [1, 0xb0, 0, 2, 0, 1]);
    // truncation to the allocation length
    let c = lu.command(1, &[0x12, 1, 0x83, 0, 6, 0], &[], 255);
    assert_eq!(c.data, [1, 0x83, 0, 47, 0x01, 0x03]);
    // errors: unknown VPD page, page code without EVPD
    for cdb in [[0x12, 1, 0xc0, 0, 255, 0], [0x12, 0, 0x80, 0, 255, 0]] {
        let c = lu.command(1, &cdb, &[], 255);
        assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
        assert_eq!(&c.sense[15..18], &[0xc0, 0, 2]);
    }
    // INQUIRY DATA HAS CHANGED is not reported to INQUIRY, but to the next other command
    attach(&mut lu, 1);
    lu.lu().spc.inquiry_data_changed();
    assert!(lu.command(1, &[0x12, 0, 0, 0, 36, 0], &[], 36).is_good());
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x3f, 0x03)));
}

fn rsoc(options: u8, op: u8, sa: u16, alloc: u32) -> Vec<u8> {
    let mut c = vec![0xa3, 0x0c, options, op];
    c.extend_from_slice(&sa.to_be_bytes());
    c.extend_from_slice(&alloc.to_be_bytes());
    c.extend_from_slice(&[0, 0]);
    c
}

#[test]
fn report_supported_operation_codes() {
    let mut lu = lu();
    attach(&mut lu, 1);
    // sg_opcodes: all commands with timeouts (RCTD): 20-byte descriptors
    let c = lu.command(1, &rsoc(0x80, 0, 0, 8192), &[], 8192);
    assert!(c.is_good());
    let len = u32::from_be_bytes(c.data[..4].try_into().unwrap()) as usize;
    assert_eq!(len + 4, c.data.len());
    let descs: Vec<&[u8]> = c.data[4..].chunks(20).collect();
    // 20 SPC commands + PR IN (3) + PR OUT (7) + 3 device commands
    assert_eq!(descs.len(), 33);
    let wfm = descs.iter().find(|d| d[0] == 0x10).unwrap();
    assert_eq!(
        wfm,
        &[
            0x10, 0, 0, 0, 0, 0x02, 0, 6, 0, 0x0a, 0, 0, 0, 0, 0, 30, 0, 0, 0x04, 0xb0
        ]
    );
    let ts = descs.iter().find(|d| d[0] == 0xa3 && d[3] == 0x0f).unwrap();
    assert_eq!(&ts[..8], &[0xa3, 0, 0, 0x0f, 0, 0x03, 0, 12]);
    // ordered by op code
    assert!(
        descs
            .windows(2)
            .all(|w| (w[0][0], w[0][3]) <= (w[1][0], w[1][3]))
    );
    // one command
    let c = lu.command(1, &rsoc(0x01, 0x01, 0, 100), &[], 100);
    assert_eq!(c.data, [0, 0x03, 0, 6, 0x01, 0x01, 0, 0, 0, 0]);
    let c = lu.command(1, &rsoc(0x82, 0x5f, 1, 100), &[], 100);
    assert_eq!(
        c.data,
        [
            0, 0x83, 0, 10, 0x5f, 0x01, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x0a, 0, 0, 0, 0,
            0, 1, 0, 0, 0, 30
        ]
    );
    let c = lu.command(1, &rsoc(0x01, 0x08, 0, 100), &[], 100);
    assert_eq!(c.data, [0, 0x01, 0, 0]);
    // the device's own MAINTENANCE IN service action reaches the device
    let c = lu.command(1, &[0xa3, 0x0f, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0], &[], 12);
    assert!(c.is_good());
    assert_eq!(c.data.len(), 12);
    // an unknown one is INVALID FIELD IN CDB at byte 1
    let c = lu.command(1, &[0xa3, 0x05, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0], &[], 12);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(&c.sense[15..18], &[0xcc, 0, 1]);
}

fn prout(sa: u8, ty: u8, key: u64, sa_key: u64) -> (Vec<u8>, Vec<u8>) {
    let cdb = vec![0x5f, sa, ty, 0, 0, 0, 0, 0, 24, 0];
    let mut p = key.to_be_bytes().to_vec();
    p.extend_from_slice(&sa_key.to_be_bytes());
    p.extend_from_slice(&[0; 8]);
    (cdb, p)
}

fn pr(lu: &mut InProcess<Toy>, n: u64, sa: u8, ty: u8, key: u64, sa_key: u64) -> Status {
    let (c, p) = prout(sa, ty, key, sa_key);
    lu.command(n, &c, &p, 0).status
}

#[test]
fn persistent_reservation_sequence() {
    let mut lu = lu();
    attach(&mut lu, 1);
    attach(&mut lu, 2);
    // sg_persist --out --register --param-sark=...
    assert_eq!(pr(&mut lu, 1, 0, 0, 0, 0x1111), Status::Good);
    assert_eq!(pr(&mut lu, 2, 0, 0, 0, 0x2222), Status::Good);
    // sg_persist --in --read-keys
    let c = lu.command(1, &[0x5e, 0, 0, 0, 0, 0, 0, 0, 64, 0], &[], 64);
    assert_eq!(&c.data[..8], &[0, 0, 0, 2, 0, 0, 0, 16]);
    assert_eq!(
        &c.data[8..24],
        &[0, 0, 0, 0, 0, 0, 0x11, 0x11, 0, 0, 0, 0, 0, 0, 0x22, 0x22]
    );
    // reserve Write Exclusive
    assert_eq!(pr(&mut lu, 1, 1, 1, 0x1111, 0), Status::Good);
    let c = lu.command(2, &[0x5e, 1, 0, 0, 0, 0, 0, 0, 64, 0], &[], 64);
    assert_eq!(
        c.data,
        [
            0, 0, 0, 2, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0x11, 0x11, 0, 0, 0, 0, 0, 0x01, 0, 0
        ]
    );
    // the other nexus: write class conflicts, read class and SPC "allowed" commands pass
    let wfm = [0x10, 0, 0, 0, 1, 0];
    assert_eq!(
        lu.command(2, &wfm, &[], 0).status,
        Status::ReservationConflict
    );
    assert!(lu.command(2, &[0x01, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert!(
        lu.command(2, &[0x1a, 0, 0x3f, 0, 255, 0], &[], 255)
            .is_good()
    );
    assert!(lu.command(2, &TUR, &[], 0).is_good());
    let c = lu.command(2, &[0x15, 0x10, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.status, Status::ReservationConflict);
    assert!(c.sense.is_empty());
    assert!(lu.command(1, &wfm, &[], 0).is_good());
    // SPC-2 RESERVE while a persistent reservation exists
    let c = lu.command(1, &[0x16, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.status, Status::ReservationConflict);
    // preempt: nexus 2 takes the reservation, nexus 1 loses its registration
    assert_eq!(pr(&mut lu, 2, 4, 3, 0x2222, 0x1111), Status::Good);
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x2a, 0x05)));
    assert_eq!(
        lu.command(1, &[0x01, 0, 0, 0, 0, 0], &[], 0).status,
        Status::ReservationConflict
    );
    assert!(lu.command(2, &wfm, &[], 0).is_good());
    // wrong key → conflict; release with the wrong type → 26/04
    assert_eq!(pr(&mut lu, 2, 2, 3, 0x9999, 0), Status::ReservationConflict);
    let (c, p) = prout(2, 1, 0x2222, 0);
    let r = lu.command(2, &c, &p, 0);
    assert_eq!(r.key_asc(), Some((5, 0x26, 0x04)));
    assert_eq!(pr(&mut lu, 2, 2, 3, 0x2222, 0), Status::Good);
    // parameter list length must be 24
    let (mut c, p) = prout(0, 0, 0, 1);
    c[8] = 20;
    let r = lu.command(3, &TUR, &[], 0);
    assert_eq!(r.key_asc(), Some((6, 0x29, 0)));
    let r = lu.command(3, &c, &p[..20], 0);
    assert_eq!(r.key_asc(), Some((5, 0x1a, 0)));
    // clear: the other registrants are told
    assert_eq!(pr(&mut lu, 1, 0, 0, 0, 0x1234), Status::Good);
    assert_eq!(pr(&mut lu, 2, 3, 0, 0x2222, 0), Status::Good);
    assert_eq!(lu.command(1, &TUR, &[], 0).key_asc(), Some((6, 0x2a, 0x03)));
    let c = lu.command(1, &[0x5e, 0, 0, 0, 0, 0, 0, 0, 64, 0], &[], 64);
    assert_eq!(&c.data[4..8], &[0, 0, 0, 0]);
}

#[test]
fn persistent_reservations_can_be_disabled() {
    let mut lu = InProcess::new(Toy::new(false));
    attach(&mut lu, 1);
    let c = lu.command(1, &[0x5e, 0, 0, 0, 0, 0, 0, 0, 64, 0], &[], 64);
    assert_eq!(c.key_asc(), Some((5, 0x20, 0)));
    let (c, p) = prout(0, 0, 0, 1);
    assert_eq!(lu.command(1, &c, &p, 0).key_asc(), Some((5, 0x20, 0)));
}

#[test]
fn spc2_reserve_release() {
    let mut lu = lu();
    attach(&mut lu, 1);
    attach(&mut lu, 2);
    assert!(lu.command(1, &[0x16, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert_eq!(
        lu.command(2, &TUR, &[], 0).status,
        Status::ReservationConflict
    );
    assert!(lu.command(2, &[0x12, 0, 0, 0, 36, 0], &[], 36).is_good());
    assert_eq!(request_sense(&mut lu, 2), (0, 0, 0));
    let rl = [0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0];
    assert!(lu.command(2, &rl, &[], 16).is_good());
    // release by a non-holder: GOOD, no effect
    assert!(lu.command(2, &[0x17, 0, 0, 0, 0, 0], &[], 0).is_good());
    assert_eq!(
        lu.command(2, &TUR, &[], 0).status,
        Status::ReservationConflict
    );
    let pr_in = [0x5e, 0, 0, 0, 0, 0, 0, 0, 64, 0];
    assert_eq!(
        lu.command(2, &pr_in, &[], 64).status,
        Status::ReservationConflict
    );
    assert!(
        lu.command(1, &[0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 0)
            .is_good()
    );
    assert!(lu.command(2, &TUR, &[], 0).is_good());
    // third-party reservation: INVALID FIELD IN CDB byte 1 bit 4
    let c = lu.command(2, &[0x56, 0x10, 0, 0, 0, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(c.key_asc(), Some((5, 0x24, 0)));
    assert_eq!(&c.sense[15..18], &[0xcc, 0, 1]);
    // a reset releases it
    assert!(lu.command(1, &[0x16, 0, 0, 0, 0, 0], &[], 0).is_good());
    lu.reset(ResetEvent::LogicalUnitReset);
    attach(&mut lu, 2);
    assert!(lu.command(2, &TUR, &[], 0).is_good());
}

#[test]
fn mode_sense_all_pages_and_select() {
    let mut lu = lu();
    attach(&mut lu, 1);
    attach(&mut lu, 2);
    // sg_modes -a: MODE SENSE(6) 0x3F → header, block descriptor, page_0 pages only
    let c = lu.command(1, &[0x1a, 0, 0x3f, 0, 255, 0], &[], 255);
    assert!(c.is_good());
    assert_eq!(
        &c.data[..12],
        &[39, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x02, 0]
    );
    assert_eq!(&c.data[12..16], &[0x8a, 0x0a, 0x02, 0x00]);
    assert_eq!(&c.data[24..28], &[0x8f, 0x0e, 0xc0, 0x00]);
    assert_eq!(c.data.len(), 40);
    // MODE SENSE(10) 0x3F/0xFF adds the subpages in sub_page format
    let c = lu.command(1, &[0x5a, 0, 0x3f, 0xff, 0, 0, 0, 0x04, 0, 0], &[], 1024);
    assert_eq!(&c.data[..8], &[0, 110, 0, 0x10, 0, 0, 0, 8]);
    assert_eq!(c.data.len(), 112);
    assert_eq!(&c.data[28..32], &[0xca, 0x01, 0x00, 0x1c]);
    assert_eq!(&c.data[76..80], &[0xd0, 0x01, 0x00, 0x20]);
    // st sets the block size through the block descriptor
    let list = [0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0, 0x04, 0x00];
    assert!(
        lu.command(1, &[0x15, 0x10, 0, 0, 12, 0], &list, 0)
            .is_good()
    );
    let c = lu.command(1, &[0x1a, 0, 0x0f, 0, 255, 0], &[], 255);
    assert_eq!(&c.data[4..12], &[0x5e, 0, 0, 0, 0, 0, 0x04, 0x00]);
    // no page changed: no unit attention for the other nexus
    assert!(lu.command(2, &TUR, &[], 0).is_good());
    // the device rejects a block length: field pointer into the parameter list
    let list = [0, 0, 0x10, 8, 0x5e, 0, 0, 0, 0, 0xff, 0, 0];
    let c = lu.command(1, &[0x15, 0x10, 0, 0, 12, 0], &list, 0);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    assert_eq!(&c.sense[15..18], &[0x80, 0, 9]);
    // page 0x0F DCE off: other nexus gets MODE PARAMETERS CHANGED
    let mut list = vec![0, 0, 0, 0, 0x0f, 0x0e, 0x40];
    list.extend_from_slice(&[0; 13]);
    assert!(
        lu.command(1, &[0x15, 0x10, 0, 0, 20, 0], &list, 0)
            .is_good()
    );
    assert_eq!(lu.command(2, &TUR, &[], 0).key_asc(), Some((6, 0x2a, 0x01)));
    assert!(lu.command(1, &TUR, &[], 0).is_good());
    let c = lu.command(1, &[0x1a, 8, 0x0f, 0, 255, 0], &[], 255);
    assert_eq!(&c.data[4..7], &[0x8f, 0x0e, 0x40]);
}

#[test]
fn log_sense_and_select() {
    let mut lu = lu();
    attach(&mut lu, 1);
    attach(&mut lu, 2);
    // sg_logs: page 0x00, page 0x00/0xFF
    let c = lu.command(1, &[0x4d, 0, 0x40, 0, 0, 0, 0, 0, 255, 0], &[], 255);
    assert_eq!(c.data, [0x80, 0, 0, 3, 0x00, 0x0c, 0x2e]);
    let c = lu.command(1, &[0x4d, 0, 0x40, 0xff, 0, 0, 0, 0, 255, 0], &[], 255);
    assert_eq!(c.data, [0xc0, 0xff, 0, 8, 0, 0, 0, 0xff, 0x0c, 0, 0x2e, 0]);
    // a page the device fills
    assert!(lu.command(1, &[0x10, 0, 0, 0, 3, 0], &[], 0).is_good());
    let c = lu.command(1, &[0x4d, 0, 0x4c, 0, 0, 0, 1, 0, 255, 0], &[], 255);
    assert_eq!(c.data, [0x8c, 0, 0, 8, 0, 1, 0x02, 4, 0, 0, 0, 3]);
    // LOG SELECT PCR=1: reset, LOG PARAMETERS CHANGED for the other nexus
    assert!(
        lu.command(1, &[0x4c, 0x02, 0x40, 0, 0, 0, 0, 0, 0, 0], &[], 0)
            .is_good()
    );
    assert_eq!(lu.lu().hooks.filemarks, 0);
    assert_eq!(lu.command(2, &TUR, &[], 0).key_asc(), Some((6, 0x2a, 0x02)));
    // LOG SELECT with a parameter
    let list = [0x0c, 0, 0, 8, 0, 1, 0x02, 4, 0, 0, 0, 9];
    assert!(
        lu.command(1, &[0x4c, 0, 0x40, 0, 0, 0, 0, 0, 12, 0], &list, 0)
            .is_good()
    );
    assert_eq!(lu.lu().hooks.filemarks, 9);
    let list = [0x2e, 0, 0, 0];
    let c = lu.command(1, &[0x4c, 0, 0x40, 0, 0, 0, 0, 0, 4, 0], &list, 0);
    assert_eq!(c.key_asc(), Some((5, 0x26, 0)));
    assert_eq!(&c.sense[15..18], &[0x8d, 0, 0]);
}

#[test]
fn report_luns_and_buffers() {
    let mut lu = lu();
    // REPORT LUNS bypasses the power on unit attention
    let c = lu.command(1, &[0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], &[], 256);
    assert_eq!(c.data, [0, 0, 0, 8, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    attach(&mut lu, 1);
    // echo buffer per nexus
    let wb = [0x3b, 0x0a, 0, 0, 0, 0, 0, 0, 4, 0];
    assert!(lu.command(1, &wb, b"abcd", 0).is_good());
    let rb = [0x3c, 0x0a, 0, 0, 0, 0, 0, 0x10, 0, 0];
    assert_eq!(lu.command(1, &rb, &[], 4096).data, b"abcd");
    attach(&mut lu, 2);
    assert_eq!(lu.command(2, &rb, &[], 4096).key_asc(), Some((5, 0x2c, 0)));
    // descriptor of buffer 0
    let c = lu.command(1, &[0x3c, 0x03, 0, 0, 0, 0, 0, 0, 4, 0], &[], 4);
    assert_eq!(c.data, [0, 0x01, 0, 0]);
    // PREVENT ALLOW MEDIUM REMOVAL
    assert!(lu.command(1, &[0x1e, 0, 0, 0, 1, 0], &[], 0).is_good());
    assert!(lu.lu().spc.removal_prevented());
    assert!(lu.lu().hooks.removal);
    // SEND DIAGNOSTIC self-test, RECEIVE DIAGNOSTIC RESULTS page 0
    assert!(lu.command(1, &[0x1d, 0x04, 0, 0, 0, 0], &[], 0).is_good());
    let c = lu.command(1, &[0x1c, 1, 0, 0, 8, 0], &[], 8);
    assert_eq!(c.data, [0, 0, 0, 1, 0]);
}
