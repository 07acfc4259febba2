//! Message decoding (every header field checked, precise errors) and reply encoding
//! (data-in cut to the command's buffer, sense cut to 96 bytes, status byte).

use vtl_kernel::message::{
    Command, DecodeError, Direction, MSG_LEN, Message, encode_reply, reply_header,
};
use vtl_kernel::uapi::{self, VtlMsg, VtlReply};
use vtl_scsi::{Asc, Reply, Sense, SenseKey, Status};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

/// A valid command header: `cdb`, `direction`, `data_len`, tag 7, nexus 3.
fn header(cdb: &[u8], direction: u8, data_len: u32) -> VtlMsg {
    let mut m = VtlMsg::new_zeroed();
    m.magic = uapi::VTL_MSG_MAGIC;
    m.version = 1;
    m.kind = uapi::VTL_MSG_COMMAND;
    m.tag = 7;
    m.cdb[..cdb.len()].copy_from_slice(cdb);
    m.cdb_len = cdb.len() as u16;
    m.direction = direction;
    m.data_len = data_len;
    m.nexus = 3;
    m
}

fn bytes(m: &VtlMsg, data: &[u8]) -> Vec<u8> {
    let mut v = m.as_bytes().to_vec();
    v.extend_from_slice(data);
    v
}

const WRITE6: [u8; 6] = [0x0a, 0x00, 0x00, 0x00, 0x05, 0x00];
const INQUIRY: [u8; 6] = [0x12, 0x00, 0x00, 0x00, 0x60, 0x00];

#[test]
fn decodes_a_data_out_command() {
    let m = header(&WRITE6, uapi::VTL_DIR_TO_DEVICE, 5);
    let buf = bytes(&m, b"hello");
    assert_eq!(
        Message::decode(&buf),
        Ok(Message::Command(Command {
            tag: 7,
            cdb: &WRITE6,
            direction: Direction::ToDevice,
            task_attr: 0,
            data_len: 5,
            nexus: 3,
            data_out: b"hello",
        }))
    );
}

#[test]
fn decodes_a_data_in_command_without_data() {
    let mut m = header(&INQUIRY, uapi::VTL_DIR_FROM_DEVICE, 96);
    m.task_attr = 2;
    let buf = bytes(&m, &[]);
    let Ok(Message::Command(c)) = Message::decode(&buf) else {
        panic!("not a command");
    };
    assert_eq!(c.cdb, &INQUIRY);
    assert_eq!(c.direction, Direction::FromDevice);
    assert_eq!(c.data_len, 96);
    assert_eq!(c.task_attr, 2);
    assert!(c.data_out.is_empty());
}

#[test]
fn decodes_a_32_byte_cdb() {
    let cdb = [0x7f_u8; 32];
    let buf = bytes(&header(&cdb, uapi::VTL_DIR_NONE, 0), &[]);
    let Ok(Message::Command(c)) = Message::decode(&buf) else {
        panic!("not a command");
    };
    assert_eq!(c.cdb, &cdb);
}

#[test]
fn decodes_abort_and_resets() {
    let mut m = VtlMsg::new_zeroed();
    m.magic = uapi::VTL_MSG_MAGIC;
    m.version = 1;
    m.kind = uapi::VTL_MSG_ABORT;
    m.tag = 0x1234_5678_9abc;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Ok(Message::Abort {
            tag: 0x1234_5678_9abc
        })
    );
    m.kind = uapi::VTL_MSG_LU_RESET;
    assert_eq!(Message::decode(m.as_bytes()), Ok(Message::LuReset));
    m.kind = uapi::VTL_MSG_BUS_RESET;
    assert_eq!(Message::decode(m.as_bytes()), Ok(Message::BusReset));
}

#[test]
fn rejects_short_reads() {
    let buf = bytes(&header(&INQUIRY, uapi::VTL_DIR_NONE, 0), &[]);
    assert_eq!(
        Message::decode(&buf[..63]),
        Err(DecodeError::Short { len: 63 })
    );
    assert_eq!(Message::decode(&[]), Err(DecodeError::Short { len: 0 }));
}

#[test]
fn rejects_bad_magic_and_version() {
    let mut m = header(&INQUIRY, uapi::VTL_DIR_NONE, 0);
    m.magic = uapi::VTL_REPLY_MAGIC;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::BadMagic {
            found: uapi::VTL_REPLY_MAGIC
        })
    );
    let mut m = header(&INQUIRY, uapi::VTL_DIR_NONE, 0);
    m.version = 2;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::BadVersion { found: 2 })
    );
}

#[test]
fn rejects_unknown_kind_direction_and_lengths() {
    let mut m = header(&INQUIRY, uapi::VTL_DIR_NONE, 0);
    m.kind = 5;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::UnknownKind { kind: 5 })
    );
    m.kind = 0;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::UnknownKind { kind: 0 })
    );

    let mut m = header(&INQUIRY, uapi::VTL_DIR_NONE, 0);
    m.cdb_len = 0;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::CdbLength { len: 0 })
    );
    m.cdb_len = 33;
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::CdbLength { len: 33 })
    );

    let m = header(&INQUIRY, 3, 0);
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::Direction { direction: 3 })
    );

    let m = header(&INQUIRY, uapi::VTL_DIR_FROM_DEVICE, uapi::VTL_MAX_XFER + 1);
    assert_eq!(
        Message::decode(m.as_bytes()),
        Err(DecodeError::DataLength {
            data_len: uapi::VTL_MAX_XFER + 1
        })
    );
}

#[test]
fn rejects_data_that_does_not_match_the_header() {
    // Data-out one byte short, one byte long.
    let m = header(&WRITE6, uapi::VTL_DIR_TO_DEVICE, 5);
    assert_eq!(
        Message::decode(&bytes(&m, b"hell")),
        Err(DecodeError::Length {
            expected: MSG_LEN + 5,
            got: MSG_LEN + 4
        })
    );
    assert_eq!(
        Message::decode(&bytes(&m, b"hello!")),
        Err(DecodeError::Length {
            expected: MSG_LEN + 5,
            got: MSG_LEN + 6
        })
    );
    // A data-in command carries no bytes after its header.
    let m = header(&INQUIRY, uapi::VTL_DIR_FROM_DEVICE, 96);
    assert_eq!(
        Message::decode(&bytes(&m, b"x")),
        Err(DecodeError::Length {
            expected: MSG_LEN,
            got: MSG_LEN + 1
        })
    );
    // Neither does an abort.
    let mut m = header(&INQUIRY, uapi::VTL_DIR_NONE, 0);
    m.kind = uapi::VTL_MSG_ABORT;
    assert_eq!(
        Message::decode(&bytes(&m, b"x")),
        Err(DecodeError::Length {
            expected: MSG_LEN,
            got: MSG_LEN + 1
        })
    );
}

#[test]
fn errors_read_precisely() {
    assert_eq!(
        DecodeError::BadMagic { found: 1 }.to_string(),
        "bad message magic 0x00000001 (expected 0x4d4c5456)"
    );
    assert_eq!(
        DecodeError::Length {
            expected: 69,
            got: 68
        }
        .to_string(),
        "message of 68 bytes where its header says 69"
    );
}

fn command(direction: Direction, data_len: u32) -> Command<'static> {
    Command {
        tag: 0xfeed,
        cdb: &INQUIRY,
        direction,
        task_attr: 0,
        data_len,
        nexus: 0,
        data_out: &[],
    }
}

#[test]
fn good_reply_cuts_data_in_to_the_buffer() {
    let (hdr, n) = encode_reply(&command(Direction::FromDevice, 36), &Reply::GOOD, 96);
    assert_eq!(n, 36);
    assert_eq!(hdr.data_len, 36);
    assert_eq!(hdr.magic, uapi::VTL_REPLY_MAGIC);
    assert_eq!(hdr.version, 1);
    assert_eq!(hdr.status, 0x00);
    assert_eq!(hdr.sense_len, 0);
    assert_eq!(hdr.tag, 0xfeed);
    assert_eq!(hdr.reserved, 0);
    assert_eq!(hdr.sense, [0; 96]);
    // Less data than the buffer: all of it, the module reports the residual.
    let (hdr, n) = encode_reply(&command(Direction::FromDevice, 36), &Reply::GOOD, 20);
    assert_eq!((hdr.data_len, n), (20, 20));
}

#[test]
fn data_in_is_not_sent_for_data_out_or_no_data_commands() {
    for dir in [Direction::ToDevice, Direction::None] {
        let (hdr, n) = encode_reply(&command(dir, 512), &Reply::GOOD, 100);
        assert_eq!((hdr.data_len, n), (0, 0), "{dir:?}");
    }
}

#[test]
fn check_condition_carries_fixed_sense() {
    let sense = Sense::new(SenseKey::NotReady, Asc::MEDIUM_NOT_PRESENT);
    let (hdr, n) = encode_reply(&command(Direction::FromDevice, 36), &Reply::check(sense), 0);
    assert_eq!(n, 0);
    assert_eq!(hdr.status, Status::CheckCondition as u8);
    assert_eq!(hdr.sense_len, 18);
    assert_eq!(&hdr.sense[..18], &sense.to_fixed());
    assert_eq!(hdr.sense[0], 0x70);
    assert_eq!(hdr.sense[2], 0x02);
    assert_eq!((hdr.sense[12], hdr.sense[13]), (0x3a, 0x00));
    assert!(hdr.sense[18..].iter().all(|&b| b == 0));
}

#[test]
fn descriptor_sense_is_sent_as_given() {
    let reply = Reply {
        status: Status::CheckCondition,
        sense: Some(Sense::invalid_field_in_cdb(1, Some(0))),
        descriptor_sense: true,
    };
    let want = reply.sense_bytes();
    assert_eq!(want[0], 0x72);
    let (hdr, _) = encode_reply(&command(Direction::None, 0), &reply, 0);
    assert_eq!(usize::from(hdr.sense_len), want.len());
    assert_eq!(&hdr.sense[..want.len()], &want[..]);
}

#[test]
fn sense_is_cut_to_96_bytes() {
    let long: Vec<u8> = (0..120u8).collect();
    let hdr = reply_header(9, 0x02, &long, 0);
    assert_eq!(hdr.sense_len, 96);
    assert_eq!(&hdr.sense[..], &long[..96]);
    // The wire form: 120 bytes, fields where the header puts them.
    let b = hdr.as_bytes();
    assert_eq!(b.len(), 120);
    assert_eq!(&b[0..4], b"VTLR");
    assert_eq!(b[6], 0x02);
    assert_eq!(b[7], 96);
    assert_eq!(u64::from_ne_bytes(b[8..16].try_into().unwrap()), 9);
    assert_eq!(VtlReply::read_from_bytes(b).unwrap(), hdr);
}
