//! `vtlcmd start` and `vtlcmd stop` where no kernel module is loaded: start refuses before
//! launching anything; stop sends `exit` to daemons in other processes (this test binary
//! run again as a stand-in daemon, [`fake_daemon`]), waits for those processes to end, and
//! reports a daemon that does not.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use vtl_control::{Outcome, Reply, Request, Server, runtime};

const SOCKET_ENV: &str = "VTLCMD_TEST_FAKE_DAEMON_SOCKET";
const LINGER_ENV: &str = "VTLCMD_TEST_FAKE_DAEMON_LINGER";

/// Not a test of its own: run with `SOCKET_ENV` set (by [`spawn_daemon`]), it serves that
/// socket as a daemon would — `status` answered, `exit` ends it — then exits the process
/// (or, with `LINGER_ENV`, lingers a minute after `exit`).
#[test]
fn fake_daemon() {
    let Some(path) = std::env::var_os(SOCKET_ENV) else {
        return;
    };
    let server = Server::bind(Path::new(&path)).expect("bind");
    server
        .serve(|req: Request| match req {
            Request::Exit => Outcome::shutdown(Reply::ok("")),
            _ => Reply::ok("fake daemon").into(),
        })
        .expect("serve");
    if std::env::var_os(LINGER_ENV).is_some() {
        std::thread::sleep(Duration::from_secs(60));
    }
    std::thread::sleep(Duration::from_millis(200));
    std::process::exit(0);
}

fn spawn_daemon(socket: &Path, linger: bool) -> Child {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", "fake_daemon", "--nocapture", "--test-threads=1"])
        .env(SOCKET_ENV, socket)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if linger {
        c.env(LINGER_ENV, "1");
    }
    let child = c.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::os::unix::net::UnixStream::connect(socket).is_err() {
        assert!(Instant::now() < deadline, "fake daemon did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn conf(&self) -> PathBuf {
        self.dir.path().join("etc")
    }
    fn run(&self) -> PathBuf {
        self.dir.path().join("run")
    }
    fn vtlcmd(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
            .arg("-C")
            .arg(self.conf())
            .arg("--runtime-dir")
            .arg(self.run())
            .arg("--control")
            .arg(self.dir.path().join("no-control-device"))
            .args(args)
            .env_remove("VTL_DAEMON_DIR")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }
}

fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("etc")).unwrap();
    std::fs::write(
        dir.path().join("etc/device.conf"),
        "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n\n\
         Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n\n\
         Drive: 12 CHANNEL: 00 TARGET: 02 LUN: 00\n",
    )
    .unwrap();
    Env { dir }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn start_needs_the_kernel_module() {
    let e = env();
    let o = e.vtlcmd(&["start"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = text(&o.stderr);
    assert!(err.starts_with("vtlcmd: "), "{err}");
    assert!(err.contains("is the vtl kernel module loaded?"), "{err}");
    assert_eq!(text(&o.stdout), "", "nothing started");
    assert!(!e.run().exists(), "nothing created");
    // Options after the word work too.
    let o = Command::new(env!("CARGO_BIN_EXE_vtlcmd"))
        .args(["start", "-C"])
        .arg(e.conf())
        .arg("--control")
        .arg(e.dir.path().join("none"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("none: no such device"), "{o:?}");
}

#[test]
fn start_and_stop_take_no_device_number() {
    let e = env();
    let o = e.vtlcmd(&["10", "start"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(
        text(&o.stderr),
        "vtlcmd: '10': start and stop take no DEVICE_NO (they act on every daemon of device.conf)\n"
    );
    let o = e.vtlcmd(&["stop", "now"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
}

#[test]
fn stop_ends_the_daemons() {
    let e = env();
    let mut lib = spawn_daemon(&runtime::socket_path(&e.run(), 10), false);
    let mut drv = spawn_daemon(&runtime::socket_path(&e.run(), 11), false);
    let o = e.vtlcmd(&["stop"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        text(&o.stdout),
        "vtltape 12: not running\nvtllibrary 10: stopped\nvtltape 11: stopped\n"
    );
    // vtlcmd returned after the processes ended.
    assert!(lib.try_wait().unwrap().is_some());
    assert!(drv.try_wait().unwrap().is_some());
    // Nothing left to stop.
    let o = e.vtlcmd(&["stop"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(
        text(&o.stdout),
        "vtllibrary 10: not running\nvtltape 11: not running\nvtltape 12: not running\n"
    );
}

#[test]
fn stop_reports_a_daemon_that_stays() {
    let e = env();
    let mut drv = spawn_daemon(&runtime::socket_path(&e.run(), 12), true);
    let o = e.vtlcmd(&["--wait", "1", "stop"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(
        text(&o.stderr),
        "vtlcmd: vtltape 12: still running 1 s after exit\n"
    );
    drv.kill().unwrap();
    drv.wait().unwrap();
}
