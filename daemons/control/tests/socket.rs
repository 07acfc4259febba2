//! The control channel over real sockets: a library and a drive daemon's handlers behind
//! their servers, reached with `Client`; the socket file's life; the error messages a
//! caller sees when a daemon is missing, dead or silent; misbehaving clients.

mod common;

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use vtl_control::{Client, ControlError, LibraryControl, Outcome, Reply, Request, Server, runtime};
use vtl_scsi::InProcess;

const T: Duration = Duration::from_secs(20);

fn send(path: &Path, line: &str) -> Reply {
    Client::request_line(path, line, T).unwrap_or_else(|e| panic!("{line}: {e}"))
}

/// Raw bytes in, raw bytes out (the client side of the framing, by hand).
fn raw(path: &Path, bytes: &[u8]) -> Vec<u8> {
    let mut s = UnixStream::connect(path).unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    s.write_all(bytes).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    out
}

#[test]
fn library_commands_get_mhvtls_replies() {
    let f = fixture();
    let p = f.socket(LIB);
    assert_eq!(
        send(&p, "load map E01099L8"),
        Reply::error("MAP not opened")
    );
    assert_eq!(
        send(&p, "empty map"),
        Reply::error("Can't empty map while MAP is closed")
    );
    assert_eq!(send(&p, "open map"), Reply::ok("OK"));
    // legacy and v6 cartridges alike (mhvtl refused every v6 one, spec 8 item 16)
    assert_eq!(send(&p, "load map E01099L8 "), Reply::ok("OK"));
    assert_eq!(send(&p, "load map E01098L8"), Reply::ok("OK"));
    assert_eq!(send(&p, "load map E01097L8"), Reply::error("MAP Full"));
    assert_eq!(
        send(&p, "load map E01001L8"),
        Reply::error("barcode already in library")
    );
    assert_eq!(send(&p, "load map BAD/CODE"), Reply::error("Bad barcode"));
    assert_eq!(
        send(&p, "load map ABCDEFGHIJKLMNOPQ"),
        Reply::error("barcode length too long")
    );
    assert_eq!(
        send(&p, "list map"),
        Reply::ok("Contents: E01099L8        E01098L8        ")
    );
    assert_eq!(send(&p, "close map"), Reply::ok("OK"));
    assert_eq!(send(&p, "add slot"), Reply::ok("slot=4"));
    assert_eq!(send(&p, "offline"), Reply::ok(""));
    assert!(!f.library.lock().unwrap().is_online());
    assert_eq!(send(&p, "online"), Reply::ok(""));
    assert!(f.library.lock().unwrap().is_online());
    assert_eq!(send(&p, "TapeAlert 0x0000000000000001"), Reply::ok(""));
    assert_eq!(send(&p, "InquiryDataChange"), Reply::ok(""));
    assert_eq!(send(&p, "verbose"), Reply::ok(""));
    assert_eq!(send(&p, "debug"), Reply::ok(""));
    // the other kind's commands, and lines that do not parse
    assert_eq!(
        send(&p, "load E01001L8"),
        Reply::error("'load' is a drive command; device 10 is a library")
    );
    assert_eq!(
        send(&p, "compression lzo"),
        Reply::error("'compression' is a drive command; device 10 is a library")
    );
    assert_eq!(
        send(&p, "open sesame"),
        Reply::error("'open': 'sesame' is not map")
    );
    assert_eq!(send(&p, "fly"), Reply::error("unknown command 'fly'"));
    let inv = f.library.lock().unwrap().inventory().clone();
    assert_eq!(
        inv.positions(),
        [
            (10, "E01099L8".to_string()),
            (11, "E01098L8".to_string()),
            (1000, "E01001L8".to_string()),
            (1001, "E01002L8".to_string()),
        ]
    );
}

#[test]
fn library_status_text_and_json() {
    let f = fixture();
    let p = f.socket(LIB);
    send(&p, "verbose");
    let text = send(&p, "status");
    assert!(text.ok);
    assert_eq!(
        text.text,
        "Library 10: STK L700, online, MAP closed\n\
         Picker 1 (address 1): empty\n\
         MAP 1 (address 10): empty\n\
         MAP 2 (address 11): empty\n\
         Drive 1 (address 500): empty\n\
         Slot 1 (address 1000): E01001L8\n\
         Slot 2 (address 1001): E01002L8\n\
         Slot 3 (address 1002): empty\n"
    );
    let j = send(&p, "status --json");
    let v: serde_json::Value = serde_json::from_str(&j.text).unwrap();
    assert_eq!(v["kind"], "library");
    assert_eq!(v["id"], 10);
    assert_eq!(v["vendor"], "STK");
    assert_eq!(v["online"], true);
    assert_eq!(v["map_open"], false);
    assert_eq!(v["verbose"], 3);
    let els = v["elements"].as_array().unwrap();
    assert_eq!(els.len(), 7);
    assert_eq!(
        els[4],
        serde_json::json!({"type": "slot", "number": 1, "address": 1000,
            "barcode": "E01001L8", "medium_type": 1, "source": null, "imp_exp": false})
    );
    assert_eq!(els[3]["type"], "drive");
    assert_eq!(els[3]["barcode"], serde_json::Value::Null);
}

#[test]
fn drive_commands_change_the_drive() {
    let f = fixture();
    let p = f.socket(DRV);
    assert_eq!(send(&p, "load E01090L8"), Reply::ok(""));
    {
        let d = f.drive.lock().unwrap();
        assert!(d.is_loaded());
        assert_eq!(d.cartridge_barcode().as_deref(), Some("E01090L8"));
    }
    let r = send(&p, "load E01097L8");
    assert!(!r.ok);
    assert!(
        r.text
            .starts_with("Load failed: E01097L8: the drive already holds cartridge E01090L8"),
        "{}",
        r.text
    );
    assert_eq!(
        send(&p, "unload E01097L8"),
        Reply::error("Unload failed: E01097L8: the drive holds E01090L8")
    );
    assert_eq!(send(&p, "TapeAlert 0x0000000000000014"), Reply::ok(""));
    assert_eq!(f.drive.lock().unwrap().drive().tape_alert(), 0x14);
    assert_eq!(send(&p, "compression lzo"), Reply::ok(""));
    assert_eq!(
        f.drive
            .lock()
            .unwrap()
            .drive()
            .config()
            .compression
            .algorithm,
        Some(vtltape::CompressionAlgorithm::Lzo)
    );
    assert_eq!(send(&p, "Append Only Yes"), Reply::ok(""));
    assert!(f.drive.lock().unwrap().drive().append_only());
    assert_eq!(send(&p, "Append Only No"), Reply::ok(""));
    assert!(!f.drive.lock().unwrap().drive().append_only());
    assert_eq!(send(&p, "delay rewind 30"), Reply::ok(""));
    assert_eq!(send(&p, "delay load 3"), Reply::ok(""));
    assert_eq!(send(&p, "InquiryDataChange"), Reply::ok(""));
    assert_eq!(send(&p, "dump"), Reply::ok(""));
    let st = send(&p, "status");
    assert_eq!(
        st.text,
        "Drive 11: IBM ULT3580-TD8 serial DRV0011\n\
         Cartridge: E01090L8 (loaded)\n\
         Compression: lzo, enabled\n\
         Append only: no\n\
         TapeAlert: 0x0000000000000014\n\
         Verbose: 0\n\
         Debug: off\n\
         Delays (s): load 3, unload 0, rewind 30, position 0, thread 0\n"
    );
    let v: serde_json::Value = serde_json::from_str(&send(&p, "status --json").text).unwrap();
    assert_eq!(v["cartridge"], "E01090L8");
    assert_eq!(v["loaded"], true);
    assert_eq!(v["compression"]["algorithm"], "lzo");
    assert_eq!(v["delays"]["rewind"], 30);
    assert_eq!(v["tape_alert"], "0x0000000000000014");
    assert_eq!(send(&p, "unload E01090L8"), Reply::ok(""));
    assert!(!f.drive.lock().unwrap().is_loaded());
    assert_eq!(
        send(&p, "unload E01090L8"),
        Reply::error("Unload failed: E01090L8: the drive is empty")
    );
    assert_eq!(
        send(&p, "open map"),
        Reply::error("'open map' is a library command; device 11 is a drive")
    );
    let r = send(&p, "load NOSUCH1");
    assert!(
        !r.ok && r.text.starts_with("Load failed: NOSUCH1: "),
        "{r:?}"
    );
}

#[test]
fn append_only_refused_by_a_drive_without_it() {
    let f = fixture();
    let old = Arc::new(Mutex::new(vtltape::TapeDrive::new(vtltape::DriveConfig {
        vendor: "IBM".into(),
        product: "ULT3580-TD4".into(),
        serial: "OLD".into(),
        ..Default::default()
    })));
    let path = f.run.join("vtl-12.sock");
    let s = Server::bind(&path).unwrap();
    let t = s
        .spawn(vtl_control::DriveControl::new(12, old).with_log(|_| {}))
        .unwrap();
    assert_eq!(
        send(&path, "Append Only Yes"),
        Reply::error("Append Only: this drive (ULT3580-TD4) has no append-only mode")
    );
    assert_eq!(send(&path, "Append Only No"), Reply::ok(""));
    assert_eq!(send(&path, "exit"), Reply::ok(""));
    t.join().unwrap().unwrap();
}

#[test]
fn exit_stops_the_server_and_removes_the_socket() {
    let mut f = fixture();
    let p = f.socket(DRV);
    assert_eq!(send(&p, "exit"), Reply::ok(""));
    let drive_thread = f.threads.pop().unwrap();
    drive_thread.join().unwrap().unwrap();
    assert!(!p.exists());
    match Client::request(&p, &Request::Verbose, T) {
        Err(e @ ControlError::NotRunning { .. }) => assert_eq!(
            e.to_string(),
            format!("vtl daemon 11 is not running (no {})", p.display())
        ),
        other => panic!("{other:?}"),
    }
    // the library's server still answers
    assert_eq!(send(&f.socket(LIB), "list map"), Reply::ok("Contents: "));
}

#[test]
fn socket_file_mode_and_replacement() {
    let dir = tempfile::tempdir().unwrap();
    let p = runtime::socket_path(&dir.path().join("sub/run"), 7);
    let s = Server::bind(&p).unwrap();
    let mode = std::fs::metadata(&p).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o660);
    // no temporary file left behind
    let names: Vec<String> = std::fs::read_dir(p.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["vtl-7.sock"]);
    // a live socket is not taken over
    let e = Server::bind(&p).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse);
    assert!(e.to_string().contains("another daemon is listening"), "{e}");
    drop(s);
    assert!(!p.exists());

    // a dead daemon's socket: the client says so, the next daemon replaces it
    let l = UnixListener::bind(&p).unwrap();
    drop(l);
    assert!(p.exists());
    match Client::request(&p, &Request::Verbose, T) {
        Err(e @ ControlError::Stale { .. }) => assert_eq!(
            e.to_string(),
            format!("vtl daemon 7 is not running (stale socket {})", p.display())
        ),
        other => panic!("{other:?}"),
    }
    let s = Server::bind(&p).unwrap();
    let t = s
        .spawn(|req: Request| Outcome::shutdown(Reply::ok(format!("got {req}"))))
        .unwrap();
    assert_eq!(send(&p, "add slot"), Reply::ok("got add slot"));
    t.join().unwrap().unwrap();

    // not a socket: refused, untouched
    std::fs::write(&p, b"keep").unwrap();
    let e = Server::bind(&p).unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read(&p).unwrap(), b"keep");
}

#[test]
fn a_silent_daemon_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let p = runtime::socket_path(dir.path(), 10);
    // accepts connections (the kernel does, into the backlog) but never answers
    let _l = UnixListener::bind(&p).unwrap();
    match Client::request(&p, &Request::ListMap, Duration::from_millis(300)) {
        Err(e @ ControlError::Timeout { .. }) => {
            assert_eq!(e.to_string(), "vtl daemon 10 did not answer within 300 ms")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_daemon_with_another_name_is_named_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ctl.sock");
    match Client::request(&p, &Request::ListMap, T) {
        Err(e) => assert_eq!(
            e.to_string(),
            format!(
                "the vtl daemon at {} is not running (no {})",
                p.display(),
                p.display()
            )
        ),
        Ok(r) => panic!("{r:?}"),
    }
}

#[test]
fn misbehaving_clients_get_errors() {
    let dir = tempfile::tempdir().unwrap();
    let p = runtime::socket_path(dir.path(), 3);
    let mut s = Server::bind(&p).unwrap();
    s.set_timeout(Duration::from_millis(200));
    let mut calls = 0;
    let mut h = |req: Request| -> Outcome {
        calls += 1;
        Reply::ok(format!("did {req}")).into()
    };
    let serve = |s: &Server, h: &mut dyn FnMut(Request) -> Outcome, bytes: &[u8]| {
        let p = s.path().to_path_buf();
        let bytes = bytes.to_vec();
        let c = std::thread::spawn(move || raw(&p, &bytes));
        let served = s.serve_one(&mut |r| h(r)).unwrap();
        (served, c.join().unwrap())
    };
    let (sv, out) = serve(&s, &mut h, b"open map\n");
    assert_eq!(out, b"ok\ndid open map");
    assert_eq!(sv.line.as_deref(), Some("open map"));
    let (_, out) = serve(&s, &mut h, b"load map \xff\n");
    assert_eq!(
        out,
        b"error\nrequest is not UTF-8 text (bad byte at offset 9)".to_vec()
    );
    let mut long = vec![b'x'; 5000];
    long.push(b'\n');
    let (sv, out) = serve(&s, &mut h, &long);
    assert_eq!(out, b"error\nrequest longer than 1024 bytes".to_vec());
    assert_eq!(sv.line, None);
    let (_, out) = serve(&s, &mut h, b"");
    assert_eq!(out, b"error\nconnection closed without a request".to_vec());
    let (_, out) = serve(&s, &mut h, b"TapeAlert 0xZZ\n");
    assert_eq!(
        out,
        b"error\n'TapeAlert': '0xZZ' is not a hexadecimal number of 1 to 16 digits".to_vec()
    );
    // a client that connects and says nothing (without closing) is dropped after the
    // server's timeout with an error reply
    let p2 = s.path().to_path_buf();
    let c = std::thread::spawn(move || {
        let mut c = UnixStream::connect(&p2).unwrap();
        c.set_read_timeout(Some(T)).unwrap();
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        out
    });
    let sv = s.serve_one(&mut h).unwrap();
    assert_eq!(sv.line, None);
    assert_eq!(
        c.join().unwrap(),
        b"error\nno request line within 200 ms".to_vec()
    );
    assert_eq!(calls, 1);
}

#[test]
fn concurrent_clients_each_get_their_own_reply() {
    let f = fixture();
    let p = f.socket(LIB);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let p = p.clone();
            std::thread::spawn(move || {
                if i % 2 == 0 {
                    send(&p, "add slot").text
                } else {
                    send(&p, "list map").text
                }
            })
        })
        .collect();
    let replies: Vec<String> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let slots: BTreeSet<&str> = replies
        .iter()
        .filter(|r| r.starts_with("slot="))
        .map(String::as_str)
        .collect();
    assert_eq!(
        slots,
        BTreeSet::from(["slot=4", "slot=5", "slot=6", "slot=7"])
    );
    assert_eq!(
        replies.iter().filter(|r| *r == "Contents: ").count(),
        4,
        "{replies:?}"
    );
}

#[test]
fn a_library_behind_the_in_process_transport() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    make_media(home);
    let mut conf = vtl_config::LibraryConf::new(20, 0, 0, 0);
    conf.home = home.to_path_buf();
    let contents = vtl_config::LibraryContents {
        library: 20,
        version: Some(2),
        drives: vec![],
        pickers: vec![None],
        maps: vec![None],
        slots: vec![None],
        layout: Default::default(),
    };
    let ip = Arc::new(Mutex::new(InProcess::new(
        vtllibrary::Library::new(&conf, &contents, vec![]).unwrap(),
    )));
    let mut c = LibraryControl::new(20, ip.clone()).with_log(|_| {});
    use vtl_control::Control;
    // clear the power-on unit attention
    let _ = ip.lock().unwrap().command(1, &[0; 6], &[], 0);
    assert_eq!(c.handle(Request::OpenMap).reply, Reply::ok("OK"));
    assert_eq!(c.handle(Request::CloseMap).reply, Reply::ok("OK"));
    // every nexus learns the MAP was accessed: UNIT ATTENTION 28/01
    let done = ip.lock().unwrap().command(1, &[0; 6], &[], 0);
    assert_eq!(done.key_asc(), Some((6, 0x28, 0x01)));
    assert_eq!(c.handle(Request::InquiryDataChange).reply, Reply::ok(""));
    let done = ip.lock().unwrap().command(1, &[0; 6], &[], 0);
    assert_eq!(done.key_asc(), Some((6, 0x3f, 0x03)));
    let o = c.handle(Request::Exit);
    assert!(o.shutdown);
}
