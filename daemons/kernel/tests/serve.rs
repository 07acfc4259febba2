//! The service loop's dispatch: commands reach the logical unit with their CDB, nexus and
//! data-out and are answered by tag with the data cut to the buffer; aborts are not
//! answered; resets reach the unit; ENOENT on a reply is harmless; ENODEV means removal.
//! Driven through a scripted [`Channel`] and through the real [`FdChannel`] over a
//! SOCK_SEQPACKET socket pair (which keeps message boundaries as the device does).

use std::collections::VecDeque;
use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vtl_kernel::channel::{Channel, Dispatcher, FdChannel};
use vtl_kernel::message::MSG_LEN;
use vtl_kernel::uapi::{self, VtlMsg, VtlReply};
use vtl_kernel::{KernelError, LuAddress};
use vtl_scsi::{Asc, LogicalUnit, Reply, Request, ResetEvent, Sense, SenseKey};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

/// What the logical unit saw.
#[derive(Debug, Default, Clone, PartialEq)]
struct Seen {
    /// (nexus, CDB, data-out) of each command.
    commands: Vec<(u64, Vec<u8>, Vec<u8>)>,
    resets: Vec<ResetEvent>,
}

/// A logical unit that records what reaches it: INQUIRY returns 100 bytes 0, 1, 2, ...;
/// TEST UNIT READY is NOT READY, MEDIUM NOT PRESENT; anything else GOOD.
#[derive(Debug, Default, Clone)]
struct Recorder(Arc<Mutex<Seen>>);

impl LogicalUnit for Recorder {
    fn execute(&mut self, req: &Request<'_>, data_in: &mut Vec<u8>) -> Reply {
        assert!(data_in.is_empty(), "data-in buffer handed over dirty");
        self.0
            .lock()
            .unwrap()
            .commands
            .push((req.nexus, req.cdb.to_vec(), req.data_out.to_vec()));
        match req.cdb[0] {
            0x12 => {
                data_in.extend((0..100).map(|i| i as u8));
                Reply::GOOD
            }
            0x00 => Reply::check(Sense::new(SenseKey::NotReady, Asc::MEDIUM_NOT_PRESENT)),
            _ => Reply::GOOD,
        }
    }

    fn reset(&mut self, event: ResetEvent) {
        self.0.lock().unwrap().resets.push(event);
    }
}

fn msg(kind: u16, tag: u64, cdb: &[u8], direction: u8, data_len: u32, data: &[u8]) -> Vec<u8> {
    let mut m = VtlMsg::new_zeroed();
    m.magic = uapi::VTL_MSG_MAGIC;
    m.version = 1;
    m.kind = kind;
    m.tag = tag;
    m.cdb[..cdb.len()].copy_from_slice(cdb);
    m.cdb_len = cdb.len() as u16;
    m.direction = direction;
    m.data_len = data_len;
    m.nexus = 5;
    let mut v = m.as_bytes().to_vec();
    v.extend_from_slice(data);
    v
}

const INQUIRY: [u8; 6] = [0x12, 0, 0, 0, 36, 0];
const TUR: [u8; 6] = [0; 6];
const WRITE6: [u8; 6] = [0x0a, 0, 0, 0, 4, 0];

fn inquiry(tag: u64, len: u32) -> Vec<u8> {
    msg(
        uapi::VTL_MSG_COMMAND,
        tag,
        &INQUIRY,
        uapi::VTL_DIR_FROM_DEVICE,
        len,
        &[],
    )
}

enum Step {
    Msg(Vec<u8>),
    ReadErr(i32),
    PollErr(i32),
}

/// A channel that plays `steps` and records the replies; when the steps run out it sets
/// `stop` (the loop then returns).
struct Script<'a> {
    steps: VecDeque<Step>,
    write_errors: VecDeque<Option<i32>>,
    replies: Vec<(VtlReply, Vec<u8>)>,
    stop: &'a AtomicBool,
}

impl<'a> Script<'a> {
    fn new(steps: Vec<Step>, stop: &'a AtomicBool) -> Self {
        Script {
            steps: steps.into(),
            write_errors: VecDeque::new(),
            replies: Vec::new(),
            stop,
        }
    }
}

impl Channel for Script<'_> {
    fn wait_readable(&mut self, _: Duration) -> io::Result<bool> {
        match self.steps.front() {
            None => {
                self.stop.store(true, Ordering::Relaxed);
                Ok(false)
            }
            Some(Step::PollErr(e)) => {
                let e = *e;
                self.steps.pop_front();
                Err(io::Error::from_raw_os_error(e))
            }
            Some(_) => Ok(true),
        }
    }

    fn read_message(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        assert_eq!(buf.len(), uapi::READ_BUFFER_LEN);
        match self.steps.pop_front() {
            Some(Step::Msg(m)) => {
                buf[..m.len()].copy_from_slice(&m);
                Ok(m.len())
            }
            Some(Step::ReadErr(e)) => Err(io::Error::from_raw_os_error(e)),
            _ => panic!("read without a message"),
        }
    }

    fn write_reply(&mut self, header: &[u8], data: &[u8]) -> io::Result<usize> {
        if let Some(Some(e)) = self.write_errors.pop_front() {
            return Err(io::Error::from_raw_os_error(e));
        }
        let hdr = VtlReply::read_from_bytes(header).expect("a whole reply header");
        self.replies.push((hdr, data.to_vec()));
        Ok(header.len() + data.len())
    }
}

fn dispatcher() -> Dispatcher {
    Dispatcher::new(PathBuf::from("/dev/vtl/lu-0-2-1"), LuAddress::new(0, 2, 1))
}

#[test]
fn commands_are_executed_and_answered_by_tag() {
    let stop = AtomicBool::new(false);
    let mut ch = Script::new(
        vec![
            Step::Msg(inquiry(11, 36)),
            Step::Msg(msg(
                uapi::VTL_MSG_COMMAND,
                12,
                &WRITE6,
                uapi::VTL_DIR_TO_DEVICE,
                4,
                b"data",
            )),
            Step::Msg(msg(
                uapi::VTL_MSG_COMMAND,
                13,
                &TUR,
                uapi::VTL_DIR_NONE,
                0,
                &[],
            )),
            Step::Msg(inquiry(14, 200)),
        ],
        &stop,
    );
    let lu = Recorder::default();
    dispatcher().serve(&mut ch, &mut lu.clone(), &stop).unwrap();

    let seen = lu.0.lock().unwrap().clone();
    assert_eq!(
        seen.commands,
        vec![
            (5, INQUIRY.to_vec(), vec![]),
            (5, WRITE6.to_vec(), b"data".to_vec()),
            (5, TUR.to_vec(), vec![]),
            (5, INQUIRY.to_vec(), vec![]),
        ]
    );
    let r = &ch.replies;
    assert_eq!(r.len(), 4);
    // INQUIRY with a 36-byte buffer: 36 of the 100 bytes.
    assert_eq!((r[0].0.tag, r[0].0.status, r[0].0.data_len), (11, 0, 36));
    assert_eq!(r[0].1, (0..36).collect::<Vec<u8>>());
    // WRITE: GOOD, no data back.
    assert_eq!((r[1].0.tag, r[1].0.status, r[1].0.data_len), (12, 0, 0));
    assert!(r[1].1.is_empty());
    // TEST UNIT READY: CHECK CONDITION, fixed sense NOT READY / MEDIUM NOT PRESENT.
    assert_eq!(
        (r[2].0.tag, r[2].0.status, r[2].0.sense_len),
        (13, 0x02, 18)
    );
    assert_eq!(
        (
            r[2].0.sense[0],
            r[2].0.sense[2],
            r[2].0.sense[12],
            r[2].0.sense[13]
        ),
        (0x70, 0x02, 0x3a, 0x00)
    );
    // INQUIRY with a 200-byte buffer: all 100 bytes (the module reports residual 100).
    assert_eq!((r[3].0.tag, r[3].0.data_len), (14, 100));
    assert_eq!(r[3].1, (0..100).collect::<Vec<u8>>());
    for (hdr, _) in r {
        assert_eq!(
            (hdr.magic, hdr.version, hdr.reserved),
            (uapi::VTL_REPLY_MAGIC, 1, 0)
        );
    }
}

#[test]
fn aborts_are_not_answered_and_resets_reach_the_unit() {
    let stop = AtomicBool::new(false);
    let plain = |kind, tag| msg(kind, tag, &TUR, 0, 0, &[]);
    let mut ch = Script::new(
        vec![
            Step::Msg(plain(uapi::VTL_MSG_ABORT, 3)),
            Step::Msg(plain(uapi::VTL_MSG_LU_RESET, 0)),
            Step::Msg(plain(uapi::VTL_MSG_BUS_RESET, 0)),
            Step::Msg(plain(uapi::VTL_MSG_LU_RESET, 0)),
        ],
        &stop,
    );
    let lu = Recorder::default();
    dispatcher().serve(&mut ch, &mut lu.clone(), &stop).unwrap();
    let seen = lu.0.lock().unwrap().clone();
    assert!(seen.commands.is_empty());
    assert_eq!(
        seen.resets,
        vec![
            ResetEvent::LogicalUnitReset,
            ResetEvent::BusReset,
            ResetEvent::LogicalUnitReset
        ]
    );
    assert!(ch.replies.is_empty());
}

#[test]
fn a_reply_to_a_forgotten_command_is_harmless() {
    let stop = AtomicBool::new(false);
    let mut ch = Script::new(
        vec![Step::Msg(inquiry(1, 36)), Step::Msg(inquiry(2, 36))],
        &stop,
    );
    ch.write_errors = vec![Some(libc::ENOENT), None].into();
    dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap();
    assert_eq!(ch.replies.len(), 1);
    assert_eq!(ch.replies[0].0.tag, 2);
}

#[test]
fn interrupted_waits_and_reads_are_retried() {
    let stop = AtomicBool::new(false);
    let mut ch = Script::new(
        vec![
            Step::PollErr(libc::EINTR),
            Step::ReadErr(libc::EINTR),
            Step::ReadErr(libc::EAGAIN),
            Step::Msg(inquiry(4, 8)),
        ],
        &stop,
    );
    ch.write_errors = vec![Some(libc::EINTR), None].into();
    dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap();
    // The interrupted reply was written again.
    assert_eq!(ch.replies.len(), 1);
    assert_eq!((ch.replies[0].0.tag, ch.replies[0].1.len()), (4, 8));
}

#[test]
fn enodev_means_the_unit_was_removed() {
    let stop = AtomicBool::new(false);
    let mut ch = Script::new(vec![Step::ReadErr(libc::ENODEV)], &stop);
    let e = dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap_err();
    assert!(e.is_removed(), "{e:?}");
    assert_eq!(
        e.to_string(),
        "/dev/vtl/lu-0-2-1: logical unit 0:2:1 was removed"
    );

    let stop = AtomicBool::new(false);
    let mut ch = Script::new(vec![Step::Msg(inquiry(1, 36))], &stop);
    ch.write_errors = vec![Some(libc::ENODEV)].into();
    let e = dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap_err();
    assert!(e.is_removed(), "{e:?}");
}

#[test]
fn other_errors_name_the_device_and_operation() {
    let stop = AtomicBool::new(false);
    let mut ch = Script::new(vec![Step::ReadErr(libc::EIO)], &stop);
    let e = dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap_err();
    assert!(matches!(&e, KernelError::Io { op: "read", .. }), "{e:?}");
    assert_eq!(e.raw_os_error(), Some(libc::EIO));
    assert!(
        e.to_string().starts_with("/dev/vtl/lu-0-2-1: read: "),
        "{e}"
    );

    let stop = AtomicBool::new(false);
    let mut ch = Script::new(vec![Step::PollErr(libc::EBADF)], &stop);
    let e = dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap_err();
    assert!(matches!(&e, KernelError::Io { op: "poll", .. }), "{e:?}");
}

#[test]
fn an_invalid_message_is_a_protocol_error() {
    let stop = AtomicBool::new(false);
    let mut bad = inquiry(1, 36);
    bad[0] ^= 0xff;
    let mut ch = Script::new(vec![Step::Msg(bad)], &stop);
    let lu = Recorder::default();
    let e = dispatcher()
        .serve(&mut ch, &mut lu.clone(), &stop)
        .unwrap_err();
    assert!(matches!(e, KernelError::Protocol { .. }), "{e:?}");
    assert!(lu.0.lock().unwrap().commands.is_empty());
}

#[test]
fn a_set_stop_flag_returns_without_reading() {
    let stop = AtomicBool::new(true);
    let other = AtomicBool::new(false);
    let mut ch = Script::new(vec![Step::Msg(inquiry(1, 36))], &other);
    dispatcher()
        .serve(&mut ch, &mut Recorder::default(), &stop)
        .unwrap();
    assert_eq!(ch.steps.len(), 1);
}

fn seqpacket_pair() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors socketpair returns.
    let r = unsafe {
        libc::socketpair(
            libc::AF_UNIX,
            libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr(),
        )
    };
    assert_eq!(r, 0, "socketpair: {}", io::Error::last_os_error());
    // SAFETY: both descriptors are fresh and owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

#[test]
fn the_fd_channel_polls_reads_and_writes_one_packet_per_message() {
    let (kernel, daemon) = seqpacket_pair();
    let stop = Arc::new(AtomicBool::new(false));
    let lu = Recorder::default();
    let server = {
        let (stop, mut lu) = (stop.clone(), lu.clone());
        std::thread::spawn(move || dispatcher().serve(&mut FdChannel(daemon), &mut lu, &stop))
    };
    let mut k = FdChannel(kernel);
    let mut buf = vec![0u8; uapi::READ_BUFFER_LEN];

    // A data-out command, then a data-in one; each reply is one packet: header + data.
    let write = msg(
        uapi::VTL_MSG_COMMAND,
        21,
        &WRITE6,
        uapi::VTL_DIR_TO_DEVICE,
        4,
        b"abcd",
    );
    assert_eq!(k.write_reply(&write, &[]).unwrap(), MSG_LEN + 4);
    let n = k.read_message(&mut buf).unwrap();
    assert_eq!(n, size_of::<VtlReply>());
    let hdr = VtlReply::read_from_bytes(&buf[..n]).unwrap();
    assert_eq!((hdr.tag, hdr.status, hdr.data_len), (21, 0, 0));

    k.write_reply(&inquiry(22, 40), &[]).unwrap();
    let n = k.read_message(&mut buf).unwrap();
    assert_eq!(n, size_of::<VtlReply>() + 40);
    let hdr = VtlReply::read_from_bytes(&buf[..size_of::<VtlReply>()]).unwrap();
    assert_eq!((hdr.tag, hdr.data_len), (22, 40));
    assert_eq!(
        &buf[size_of::<VtlReply>()..n],
        &(0..40).collect::<Vec<u8>>()[..]
    );

    stop.store(true, Ordering::Relaxed);
    server.join().unwrap().unwrap();
    assert_eq!(
        lu.0.lock().unwrap().commands,
        vec![
            (5, WRITE6.to_vec(), b"abcd".to_vec()),
            (5, INQUIRY.to_vec(), vec![])
        ]
    );
}
