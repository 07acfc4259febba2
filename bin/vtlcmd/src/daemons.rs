//! `vtlcmd start` and `vtlcmd stop`: every daemon of device.conf at once, without systemd
//! (containers, virtual machines).
//!
//! * **start**: a vtllibrary for every `Library:` (first), a vtltape for every `Drive:`,
//!   each as `PROGRAM -q ID -F -C CONFDIR --runtime-dir RUNDIR --control PATH`, in a session
//!   of its own (setsid: no controlling terminal, not killed with vtlcmd's process group),
//!   standard input from /dev/null, standard output and error appended to
//!   `RUNDIR/vtl-ID.log`. A daemon whose socket already answers is left alone. Ready when
//!   every daemon answers `status` on its socket and its logical unit is visible to the
//!   kernel (`/sys/class/scsi_device/H:C:T:L`). A daemon that exits or is not ready within
//!   the wait fails the start: named, the end of its log printed, the daemons this start
//!   launched stopped again.
//! * **stop**: `exit` to every daemon (its process id taken from the socket's peer
//!   credentials), then wait for each process to end; the logical units still there once
//!   their daemons are gone (daemons that had died, or could not remove their own) are then
//!   removed through the control device.
//!
//! The programs are looked for in `$VTL_DAEMON_DIR`, else next to vtlcmd's own executable,
//! else on `$PATH` ([`program_path`]).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vtl_config::DeviceConf;
use vtl_control::request::DeviceKind;
use vtl_control::{Client, Reply, Request, frame, runtime};
use vtl_kernel::{Control, KernelError, LuAddress};

/// The environment variable naming the directory of vtltape and vtllibrary.
pub const DAEMON_DIR_ENV: &str = "VTL_DAEMON_DIR";

/// How often readiness is looked at.
const POLL: Duration = Duration::from_millis(100);

/// Lines of a failed daemon's log printed.
const LOG_TAIL_LINES: usize = 15;

/// One daemon of device.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// Library or drive.
    pub kind: DeviceKind,
    /// Its id (`-q`).
    pub id: u32,
    /// Its logical unit's channel, target and LUN.
    pub addr: LuAddress,
}

impl Planned {
    /// The program: `vtllibrary` or `vtltape`.
    pub fn program(&self) -> &'static str {
        match self.kind {
            DeviceKind::Library => "vtllibrary",
            DeviceKind::Drive => "vtltape",
        }
    }

    /// `vtllibrary 10`, `vtltape 11`.
    pub fn name(&self) -> String {
        format!("{} {}", self.program(), self.id)
    }
}

/// The daemons of `conf`: the libraries in file order, then the drives in file order.
pub fn plan(conf: &DeviceConf) -> Vec<Planned> {
    let libs = conf.libraries.iter().map(|l| Planned {
        kind: DeviceKind::Library,
        id: l.id,
        addr: LuAddress::new(l.channel, l.target, l.lun),
    });
    let drives = conf.drives.iter().map(|d| Planned {
        kind: DeviceKind::Drive,
        id: d.id,
        addr: LuAddress::new(d.channel, d.target, d.lun),
    });
    libs.chain(drives).collect()
}

/// Where `program` is run from: `<dir>/<program>` for `dir` = `daemon_dir`
/// (`$VTL_DAEMON_DIR`) when given, else the directory of `own_exe` when the program is
/// there, else the bare name (looked up on `$PATH`).
pub fn program_path(program: &str, daemon_dir: Option<&Path>, own_exe: Option<&Path>) -> PathBuf {
    if let Some(d) = daemon_dir {
        return d.join(program);
    }
    if let Some(p) = own_exe.and_then(Path::parent).map(|d| d.join(program))
        && p.is_file()
    {
        return p;
    }
    PathBuf::from(program)
}

/// The log file of daemon `id`: `RUNDIR/vtl-<id>.log`.
pub fn log_path(run_dir: &Path, id: u32) -> PathBuf {
    run_dir.join(format!("vtl-{id}.log"))
}

/// The last `lines` lines of the file at `path` (at most its last 64 KiB), or a note that
/// it cannot be read.
pub fn tail(path: &Path, lines: usize) -> String {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) => return format!("({}: {e})\n", path.display()),
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let start = len.saturating_sub(64 << 10);
    let mut buf = Vec::new();
    if f.seek(SeekFrom::Start(start))
        .and_then(|_| f.read_to_end(&mut buf))
        .is_err()
    {
        return format!("({}: unreadable)\n", path.display());
    }
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for l in &all[all.len().saturating_sub(lines)..] {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// What start needs to know about a daemon while it waits.
pub trait Watch {
    /// `Some(how)` once the daemon's process has ended (only for daemons this start
    /// launched).
    fn exited(&mut self, p: &Planned) -> Option<String>;
    /// Whether the daemon answers `status` on its socket.
    fn answers(&mut self, p: &Planned) -> bool;
    /// Whether its logical unit is visible to the kernel.
    fn visible(&mut self, p: &Planned) -> bool;
}

/// Why a start failed: which daemon, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotReady {
    /// Index into the plan.
    pub index: usize,
    /// `exited with exit status: 1`, `not ready within 30 s (...)`.
    pub why: String,
}

/// Wait until every daemon of `plan` answers and is visible, at most `wait`; poll every
/// `poll`. The first daemon found exited (or, at the deadline, the first not ready) is the
/// failure.
pub fn wait_ready(
    plan: &[Planned],
    watch: &mut dyn Watch,
    wait: Duration,
    poll: Duration,
) -> Result<(), NotReady> {
    let deadline = Instant::now() + wait;
    let mut ready = vec![false; plan.len()];
    loop {
        for (i, p) in plan.iter().enumerate() {
            if ready[i] {
                continue;
            }
            if let Some(how) = watch.exited(p) {
                return Err(NotReady {
                    index: i,
                    why: format!("exited ({how})"),
                });
            }
            ready[i] = watch.answers(p) && watch.visible(p);
        }
        if ready.iter().all(|&r| r) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let i = ready.iter().position(|&r| !r).unwrap_or(0);
            let p = &plan[i];
            let (a, v) = (watch.answers(p), watch.visible(p));
            return Err(NotReady {
                index: i,
                why: format!(
                    "not ready within {} s (answers on its socket: {}; logical unit {} visible to the kernel: {})",
                    wait.as_secs(),
                    yes_no(a),
                    p.addr,
                    yes_no(v)
                ),
            });
        }
        std::thread::sleep(poll);
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The options start and stop share.
#[derive(Debug, Clone)]
pub struct Options {
    /// Configuration directory.
    pub conf_dir: PathBuf,
    /// Runtime directory (sockets, logs).
    pub run_dir: PathBuf,
    /// The kernel module's control device.
    pub control: PathBuf,
    /// How long to wait for all daemons.
    pub wait: Duration,
    /// `$VTL_DAEMON_DIR`.
    pub daemon_dir: Option<PathBuf>,
}

/// Whether daemon `id` answers on its socket in `run_dir`.
fn answers(run_dir: &Path, id: u32) -> bool {
    matches!(
        Client::request(
            &runtime::socket_path(run_dir, id),
            &Request::Status { json: false },
            Duration::from_secs(2),
        ),
        Ok(r) if r.ok
    )
}

/// The real [`Watch`]: children of this process, sockets, sysfs.
struct Real<'a> {
    children: &'a mut HashMap<u32, Child>,
    run_dir: &'a Path,
    host: u32,
}

impl Watch for Real<'_> {
    fn exited(&mut self, p: &Planned) -> Option<String> {
        let c = self.children.get_mut(&p.id)?;
        match c.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("cannot wait for it: {e}")),
        }
    }

    fn answers(&mut self, p: &Planned) -> bool {
        answers(self.run_dir, p.id)
    }

    fn visible(&mut self, p: &Planned) -> bool {
        let a = p.addr;
        Path::new(&format!(
            "/sys/class/scsi_device/{}:{}:{}:{}",
            self.host, a.channel, a.target, a.lun
        ))
        .exists()
    }
}

/// Make the runtime directory when missing (0775, group vtl when it exists: the daemons
/// may run as user vtl).
fn make_run_dir(dir: &Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o775)
        .create(dir)
        .map_err(|e| format!("runtime directory {}: {e}", dir.display()))?;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o775));
    if let Some(gid) = runtime::group_id(runtime::SOCKET_GROUP) {
        let _ = std::os::unix::fs::chown(dir, None, Some(gid));
    }
    Ok(())
}

/// Launch daemon `p` (module documentation).
fn launch(p: &Planned, o: &Options, own_exe: Option<&Path>) -> Result<Child, String> {
    let program = program_path(p.program(), o.daemon_dir.as_deref(), own_exe);
    let log = log_path(&o.run_dir, p.id);
    let out = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("{}: {e}", log.display()))?;
    let mut cmd = Command::new(&program);
    cmd.arg("-q")
        .arg(p.id.to_string())
        .arg("-F")
        .arg("-C")
        .arg(&o.conf_dir)
        .arg("--runtime-dir")
        .arg(&o.run_dir)
        .arg("--control")
        .arg(&o.control)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    // SAFETY: setsid(2) is async-signal-safe and touches no memory of this process.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn()
        .map_err(|e| format!("{}: cannot run: {e}", program.display()))
}

/// Ask the daemons this start launched to stop, and wait for them (SIGKILL after `wait`).
fn stop_started(children: &mut HashMap<u32, Child>, run_dir: &Path, wait: Duration) {
    for (id, c) in children.iter_mut() {
        if matches!(c.try_wait(), Ok(None)) {
            let sock = runtime::socket_path(run_dir, *id);
            if Client::request(&sock, &Request::Exit, Duration::from_secs(5)).is_err() {
                // SAFETY: signalling our own child.
                unsafe { libc::kill(c.id() as libc::pid_t, libc::SIGTERM) };
            }
        }
    }
    let deadline = Instant::now() + wait;
    for c in children.values_mut() {
        while matches!(c.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        if matches!(c.try_wait(), Ok(None)) {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `vtlcmd start`. Prints one line per daemon on standard output; errors are returned
/// (the caller prints them after `vtlcmd: `).
pub fn start(o: &Options) -> Result<(), String> {
    let (conf, _) = DeviceConf::read(&o.conf_dir).map_err(|e| e.to_string())?;
    let plan = plan(&conf);
    if plan.is_empty() {
        return Err(format!(
            "{}: no Library: nor Drive: stanza",
            o.conf_dir.join("device.conf").display()
        ));
    }
    let control = Control::open(&o.control).map_err(|e| e.to_string())?;
    let host = control.info().map_err(|e| e.to_string())?.host;
    make_run_dir(&o.run_dir)?;
    let own_exe = std::env::current_exe().ok();
    let mut children = HashMap::new();
    for p in &plan {
        if answers(&o.run_dir, p.id) {
            println!("{}: already running", p.name());
            continue;
        }
        match launch(p, o, own_exe.as_deref()) {
            Ok(c) => {
                println!(
                    "{}: started (pid {}, log {})",
                    p.name(),
                    c.id(),
                    log_path(&o.run_dir, p.id).display()
                );
                children.insert(p.id, c);
            }
            Err(e) => {
                stop_started(&mut children, &o.run_dir, o.wait);
                return Err(format!("{}: {e}", p.name()));
            }
        }
    }
    let mut watch = Real {
        children: &mut children,
        run_dir: &o.run_dir,
        host,
    };
    match wait_ready(&plan, &mut watch, o.wait, POLL) {
        Ok(()) => {
            let libs = plan
                .iter()
                .filter(|p| p.kind == DeviceKind::Library)
                .count();
            println!(
                "vtl: {libs} library(ies) and {} drive(s) ready on SCSI host {host}",
                plan.len() - libs
            );
            Ok(())
        }
        Err(nr) => {
            let p = &plan[nr.index];
            let log = log_path(&o.run_dir, p.id);
            let msg = format!(
                "{} {}; the end of {}:\n{}",
                p.name(),
                nr.why,
                log.display(),
                tail(&log, LOG_TAIL_LINES)
            );
            stop_started(&mut children, &o.run_dir, o.wait);
            Err(format!("{msg}stopped the daemons this start launched"))
        }
    }
}

/// The process id of the peer of `s` (SO_PEERCRED).
fn peer_pid(s: &UnixStream) -> Option<u32> {
    use std::os::fd::AsRawFd;
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` outlive the call, which writes at most `len` bytes.
    let rc = unsafe {
        libc::getsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    (rc == 0 && cred.pid > 0).then_some(cred.pid as u32)
}

/// What sending `exit` to a daemon found.
#[derive(Debug)]
pub enum ExitSent {
    /// Sent and acknowledged; the daemon's process id when the socket told it.
    Sent(Option<u32>),
    /// No daemon (no socket, or a socket nobody listens on).
    NotRunning,
}

/// Send `exit` to the daemon on `socket`, learning its process id on the way.
///
/// Errors: the daemon did not answer in time, or answered something else than `ok`.
pub fn send_exit(socket: &Path, timeout: Duration) -> Result<ExitSent, String> {
    let s = match UnixStream::connect(socket) {
        Ok(s) => s,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
            ) =>
        {
            return Ok(ExitSent::NotRunning);
        }
        Err(e) => return Err(format!("{}: {e}", socket.display())),
    };
    let pid = peer_pid(&s);
    let mut s = s;
    s.set_read_timeout(Some(timeout))
        .and_then(|()| s.set_write_timeout(Some(timeout)))
        .map_err(|e| format!("{}: {e}", socket.display()))?;
    frame::write_request(&mut s, &Request::Exit.to_string())
        .map_err(|e| format!("{}: {e}", socket.display()))?;
    let _ = s.shutdown(std::net::Shutdown::Write);
    match frame::read_reply(&mut s) {
        Ok(Reply { ok: true, .. }) => Ok(ExitSent::Sent(pid)),
        Ok(r) => Err(format!("{}: exit refused: {}", socket.display(), r.text)),
        Err(e) => Err(format!("{}: {e}", socket.display())),
    }
}

/// Whether process `pid` still exists (a zombie counts as gone).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => {
            // The state follows the command name in parentheses.
            let state = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next());
            state != Some("Z") && state != Some("X")
        }
        Err(_) => false,
    }
}

/// `vtlcmd stop`. Prints one line per daemon; errors are returned.
pub fn stop(o: &Options) -> Result<(), String> {
    let (conf, _) = DeviceConf::read(&o.conf_dir).map_err(|e| e.to_string())?;
    let plan = plan(&conf);
    let timeout = Duration::from_secs(10);
    let mut failures = Vec::new();
    let mut waiting: Vec<(&Planned, Option<u32>)> = Vec::new();
    let mut gone: Vec<&Planned> = Vec::new();
    let mut stopped: Vec<&Planned> = Vec::new();
    for p in &plan {
        match send_exit(&runtime::socket_path(&o.run_dir, p.id), timeout) {
            Ok(ExitSent::Sent(pid)) => waiting.push((p, pid)),
            Ok(ExitSent::NotRunning) => {
                println!("{}: not running", p.name());
                gone.push(p);
            }
            Err(e) => failures.push(format!("{}: {e}", p.name())),
        }
    }
    let deadline = Instant::now() + o.wait;
    for (p, pid) in waiting {
        let still = |pid: Option<u32>| match pid {
            Some(pid) => alive(pid),
            // No process id: gone once its socket no longer answers.
            None => answers(&o.run_dir, p.id),
        };
        while still(pid) && Instant::now() < deadline {
            std::thread::sleep(POLL);
        }
        if still(pid) {
            failures.push(format!(
                "{}: still running {} s after exit",
                p.name(),
                o.wait.as_secs()
            ));
        } else {
            println!("{}: stopped", p.name());
            stopped.push(p);
        }
    }
    // Units left behind: by daemons that died (not running), or by stopped daemons that
    // could not remove theirs. Only units whose daemon is gone are touched.
    match Control::open(&o.control) {
        Ok(ctl) => {
            for (p, died) in gone
                .iter()
                .map(|p| (p, true))
                .chain(stopped.iter().map(|p| (p, false)))
            {
                match ctl.remove(p.addr) {
                    Ok(()) => println!(
                        "{}: removed logical unit {} left by {}",
                        p.name(),
                        p.addr,
                        if died {
                            "a daemon that died"
                        } else {
                            "the stopped daemon"
                        }
                    ),
                    Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
                    Err(e) => failures.push(format!("{}: {e}", p.name())),
                }
            }
        }
        Err(KernelError::ModuleNotLoaded { .. }) => {}
        Err(e) => failures.push(e.to_string()),
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf() -> DeviceConf {
        let text = "Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00\n Library ID: 10 Slot: 01\n\n\
                    Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n\n\
                    Drive: 20 CHANNEL: 01 TARGET: 02 LUN: 03\n";
        DeviceConf::parse(text, Path::new("device.conf")).unwrap().0
    }

    #[test]
    fn libraries_first() {
        let p = plan(&conf());
        let names: Vec<String> = p.iter().map(Planned::name).collect();
        assert_eq!(names, ["vtllibrary 10", "vtltape 11", "vtltape 20"]);
        assert_eq!(p[2].addr, LuAddress::new(1, 2, 3));
    }

    #[test]
    fn programs_are_found() {
        let d = tempfile::tempdir().unwrap();
        let exe = d.path().join("vtlcmd");
        assert_eq!(
            program_path("vtltape", Some(Path::new("/opt/x")), Some(&exe)),
            PathBuf::from("/opt/x/vtltape")
        );
        // Not next to vtlcmd: the bare name, for $PATH.
        assert_eq!(
            program_path("vtltape", None, Some(&exe)),
            PathBuf::from("vtltape")
        );
        std::fs::write(d.path().join("vtltape"), "").unwrap();
        assert_eq!(
            program_path("vtltape", None, Some(&exe)),
            d.path().join("vtltape")
        );
        assert_eq!(
            program_path("vtltape", None, None),
            PathBuf::from("vtltape")
        );
        assert_eq!(
            log_path(Path::new("/run/vtl"), 11),
            PathBuf::from("/run/vtl/vtl-11.log")
        );
    }

    #[test]
    fn log_tails() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("log");
        let text: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&f, text).unwrap();
        assert_eq!(tail(&f, 2), "line 29\nline 30\n");
        assert_eq!(tail(&f, 100).lines().count(), 30);
        let missing = d.path().join("none");
        assert!(tail(&missing, 3).starts_with(&format!("({}: ", missing.display())));
    }

    /// A scripted world: which daemons exit, answer, become visible after how many looks.
    struct Fake {
        looks: HashMap<u32, u32>,
        exits: HashMap<u32, &'static str>,
        ready_after: HashMap<u32, u32>,
        never_visible: Option<u32>,
    }

    impl Watch for Fake {
        fn exited(&mut self, p: &Planned) -> Option<String> {
            self.exits.get(&p.id).map(|s| s.to_string())
        }
        fn answers(&mut self, p: &Planned) -> bool {
            let n = self.looks.entry(p.id).or_insert(0);
            *n += 1;
            *n > *self.ready_after.get(&p.id).unwrap_or(&0)
        }
        fn visible(&mut self, p: &Planned) -> bool {
            self.never_visible != Some(p.id)
        }
    }

    fn fake() -> Fake {
        Fake {
            looks: HashMap::new(),
            exits: HashMap::new(),
            ready_after: HashMap::new(),
            never_visible: None,
        }
    }

    #[test]
    fn readiness() {
        let p = plan(&conf());
        let quick = Duration::from_millis(1);
        let mut f = fake();
        f.ready_after.insert(11, 3);
        assert_eq!(
            wait_ready(&p, &mut f, Duration::from_secs(60), quick),
            Ok(())
        );
        assert_eq!(f.looks[&11], 4, "looked at until it answered");
        assert_eq!(f.looks[&10], 1, "a ready daemon is not asked again");

        let mut f = fake();
        f.exits.insert(11, "exit status: 1");
        assert_eq!(
            wait_ready(&p, &mut f, Duration::from_secs(60), quick),
            Err(NotReady {
                index: 1,
                why: "exited (exit status: 1)".into()
            })
        );

        let mut f = fake();
        f.never_visible = Some(20);
        assert_eq!(
            wait_ready(&p, &mut f, Duration::ZERO, quick),
            Err(NotReady {
                index: 2,
                why: "not ready within 0 s (answers on its socket: yes; logical unit 1:2:3 visible to the kernel: no)".into()
            })
        );
    }

    #[test]
    fn exit_to_nobody() {
        let d = tempfile::tempdir().unwrap();
        let sock = d.path().join("vtl-11.sock");
        assert!(matches!(
            send_exit(&sock, Duration::from_secs(1)),
            Ok(ExitSent::NotRunning)
        ));
        // A socket file nobody listens on.
        drop(std::os::unix::net::UnixListener::bind(&sock).unwrap());
        assert!(matches!(
            send_exit(&sock, Duration::from_secs(1)),
            Ok(ExitSent::NotRunning)
        ));
        assert!(alive(std::process::id()));
        assert!(!alive(u32::MAX));
    }
}
