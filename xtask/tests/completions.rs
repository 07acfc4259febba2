//! The shell completions in completions/: current, loadable by bash and zsh, completing the
//! tools' real options; and scripts/install.sh, which installs them with the tools and pages.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap_complete::Shell;
use xtask::completions::{self, SHELLS, completion_path};
use xtask::man::{self, TOOLS, Tool};

/// The checked-in completion of `tool` for `shell`, as an absolute path.
fn checked_in(tool: &Tool, shell: Shell) -> PathBuf {
    man::workspace_root().join(completion_path(tool, shell))
}

/// Run `bash -c script` (no rc files) and return its output.
fn bash(script: &str) -> std::process::Output {
    Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .output()
        .expect("run bash")
}

/// The checked-in files are exactly what `cargo xtask completions` generates (what `--check`
/// checks).
#[test]
fn checked_in_completions_are_current() {
    let stale = completions::check(&man::workspace_root());
    let msgs: Vec<String> = stale.iter().map(|s| s.to_string()).collect();
    assert!(msgs.is_empty(), "{}", msgs.join("\n"));
}

/// `xtask completions --check` passes on the checkout, fails naming a hand-edited and a
/// missing file in a scratch copy, and `xtask completions` puts them right.
#[test]
fn check_names_stale_and_missing_files() {
    let run = |args: &[&str], root: &Path| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .arg("--root")
            .arg(root)
            .output()
            .expect("run xtask")
    };
    let out = run(&["completions", "--check"], &man::workspace_root());
    assert!(out.status.success(), "{out:?}");

    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(&["completions"], tmp.path());
    assert!(out.status.success(), "{out:?}");
    assert!(completions::check(tmp.path()).is_empty());

    let edited = tmp.path().join("completions/bash/mktape");
    let text = std::fs::read_to_string(&edited).unwrap() + "# edited by hand\n";
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(tmp.path().join("completions/zsh/_vtlcmd")).unwrap();
    assert_eq!(
        completions::check(tmp.path()),
        vec![
            completions::Stale {
                path: PathBuf::from("completions/bash/mktape"),
                missing: false
            },
            completions::Stale {
                path: PathBuf::from("completions/zsh/_vtlcmd"),
                missing: true
            },
        ]
    );
    let out = run(&["completions", "--check"], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("completions/bash/mktape: differs"), "{err}");
    assert!(err.contains("completions/zsh/_vtlcmd: missing"), "{err}");
    assert!(!err.contains("dump_tape"), "{err}");

    let out = run(&["completions"], tmp.path());
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        said,
        "wrote completions/bash/mktape\nwrote completions/zsh/_vtlcmd\n"
    );
    assert!(completions::check(tmp.path()).is_empty());
}

/// Every bash file parses (`bash -n`), and sourced in a bash subprocess registers a
/// completion function for its tool (`complete -p <tool>`).
#[test]
fn bash_files_define_a_completion_for_their_tool() {
    for tool in &TOOLS {
        let file = checked_in(tool, Shell::Bash);
        let out = Command::new("bash")
            .arg("-n")
            .arg(&file)
            .output()
            .expect("run bash -n");
        assert!(out.status.success(), "bash -n {}: {out:?}", file.display());

        let out = bash(&format!(
            "source '{}' && complete -p {}",
            file.display(),
            tool.name
        ));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}: {out:?}", tool.name);
        assert!(
            said.trim_end()
                .ends_with(&format!("-F _{0} {0}", tool.name)),
            "{}: {said}",
            tool.name
        );
    }
}

/// Sourced and called as bash calls it, each tool's completion function completes a prefix
/// of each of the tool's long options to exactly the options (and, for a subcommand-taking
/// tool, subcommands) that `--help` shows with that prefix.
#[test]
fn bash_completes_every_long_option() {
    for tool in &TOOLS {
        let file = checked_in(tool, Shell::Bash);
        let mut cmd = (tool.command)();
        cmd.build();
        let longs: Vec<String> = cmd
            .get_arguments()
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        assert!(longs.len() > 2, "{}: {longs:?}", tool.name);
        for long in &longs {
            let prefix = &long[..long.len().min(5)];
            let script = format!(
                "source '{file}'\n\
                 COMP_WORDS=({name} {prefix}); COMP_CWORD=1\n\
                 COMP_LINE='{name} {prefix}'; COMP_POINT=${{#COMP_LINE}}\n\
                 _{name} {name} {prefix} {name}\n\
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                file = file.display(),
                name = tool.name,
            );
            let out = bash(&script);
            assert!(out.status.success(), "{}: {out:?}", tool.name);
            let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            got.sort();
            let mut want: Vec<String> = longs
                .iter()
                .filter(|l| l.starts_with(prefix))
                .cloned()
                .collect();
            want.sort();
            assert_eq!(got, want, "{} {prefix}<TAB>", tool.name);
        }
    }
}

/// Every zsh file starts with `#compdef <tool>` (what compinit reads), names the tool's
/// options, and parses with `zsh -n` where zsh is installed.
#[test]
fn zsh_files_start_with_compdef() {
    let zsh = Command::new("zsh").arg("--version").output().is_ok();
    if !zsh {
        println!("SKIPPED: zsh -n (zsh not installed)");
    }
    for tool in &TOOLS {
        let file = checked_in(tool, Shell::Zsh);
        let text = std::fs::read_to_string(&file).expect("read zsh completion");
        assert_eq!(
            text.lines().next(),
            Some(format!("#compdef {}", tool.name).as_str()),
            "{}",
            file.display()
        );
        let mut cmd = (tool.command)();
        cmd.build();
        for long in cmd.get_arguments().filter_map(|a| a.get_long()) {
            assert!(
                text.contains(&format!("--{long}[")) || text.contains(&format!("--{long}=[")),
                "{}: --{long}",
                file.display()
            );
        }
        if zsh {
            let out = Command::new("zsh")
                .arg("-n")
                .arg(&file)
                .output()
                .expect("run zsh -n");
            assert!(out.status.success(), "zsh -n {}: {out:?}", file.display());
        }
    }
}

/// The kernel module's source files install.sh installs for DKMS, in its order: Kbuild,
/// Makefile, dkms.conf, the `.c` files but build products, the `.h` files.
fn module_sources() -> Vec<String> {
    let dir = man::workspace_root().join("kernel-module");
    let list = |ext: &str| {
        let mut v: Vec<String> = std::fs::read_dir(&dir)
            .expect("read kernel-module/")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(ext) && !f.ends_with(".mod.c"))
            .collect();
        v.sort();
        v
    };
    let mut files: Vec<String> = ["Kbuild", "Makefile", "dkms.conf"].map(String::from).into();
    files.extend(list(".c"));
    files.extend(list(".h"));
    files
}

/// The lines `scripts/install.sh` prints for `prefix` (and `$DESTDIR` `destdir`, empty when
/// unset), one per file, in the order installed.
fn expected_install(destdir: &Path, prefix: &Path, release: &Path) -> Vec<String> {
    let prefix = PathBuf::from(format!("{}{}", destdir.display(), prefix.display()));
    let prefix = prefix.as_path();
    let mut names: Vec<&str> = TOOLS.iter().map(|t| t.name).collect();
    names.sort();
    let mut want = Vec::new();
    for n in &names {
        want.push(format!(
            "{}/{n} -> {}/bin/{n}",
            release.display(),
            prefix.display()
        ));
    }
    let root = man::workspace_root();
    for sect in ["1", "5", "7"] {
        let mut pages: Vec<String> = std::fs::read_dir(root.join("man"))
            .expect("read man/")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(&format!(".{sect}")))
            .collect();
        pages.sort();
        for p in pages {
            want.push(format!(
                "man/{p} -> {}/share/man/man{sect}/{p}",
                prefix.display()
            ));
        }
    }
    for n in &names {
        want.push(format!(
            "completions/bash/{n} -> {}/share/bash-completion/completions/{n}",
            prefix.display()
        ));
    }
    for n in &names {
        want.push(format!(
            "completions/zsh/_{n} -> {}/share/zsh/site-functions/_{n}",
            prefix.display()
        ));
    }
    let p = prefix.display();
    for (from, to) in [
        ("systemd/vtl.target", "lib/systemd/system/vtl.target"),
        (
            "systemd/vtllibrary@.service",
            "lib/systemd/system/vtllibrary@.service",
        ),
        (
            "systemd/vtltape@.service",
            "lib/systemd/system/vtltape@.service",
        ),
        (
            "systemd/vtl-generator",
            "lib/systemd/system-generators/vtl-generator",
        ),
        ("systemd/vtl.sysusers.conf", "lib/sysusers.d/vtl.conf"),
        ("systemd/vtl.tmpfiles.conf", "lib/tmpfiles.d/vtl.conf"),
        ("udev/65-vtl.rules", "lib/udev/rules.d/65-vtl.rules"),
    ] {
        want.push(format!("{from} -> {p}/{to}"));
    }
    for f in module_sources() {
        want.push(format!(
            "kernel-module/{f} -> {}/usr/src/vtl-{}/{f}",
            destdir.display(),
            env!("CARGO_PKG_VERSION")
        ));
    }
    want
}

fn install_sh(
    args: &[&str],
    target_dir: Option<&Path>,
    destdir: Option<&Path>,
) -> std::process::Output {
    let root = man::workspace_root();
    let mut c = Command::new("bash");
    c.arg(root.join("scripts/install.sh")).args(args);
    match target_dir {
        Some(t) => c.env("CARGO_TARGET_DIR", t),
        None => c.env_remove("CARGO_TARGET_DIR"),
    };
    match destdir {
        Some(d) => c.env("DESTDIR", d),
        None => c.env_remove("DESTDIR"),
    };
    c.output().expect("run install.sh")
}

/// `install.sh --dry-run --prefix DIR` lists every binary, page, completion, systemd and
/// udev file and module source it would install, exits 0 and creates nothing.
#[test]
fn install_dry_run_lists_every_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let prefix = tmp.path().join("x");
    let out = install_sh(
        &["--dry-run", "--prefix", prefix.to_str().unwrap()],
        None,
        None,
    );
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    let got: Vec<&str> = said.lines().collect();
    assert_eq!(
        got,
        expected_install(Path::new(""), &prefix, Path::new("target/release"))
    );
    assert!(got.contains(&"kernel-module/dkms.conf -> /usr/src/vtl-0.1.0/dkms.conf"));
    assert!(!prefix.exists(), "--dry-run created {}", prefix.display());

    let out = install_sh(&["--prefix"], None, None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = install_sh(&["--bogus"], None, None);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// `install.sh --no-build` copies what `--dry-run` lists, byte for byte, with binaries
/// executable; with a binary missing it fails before installing anything.
#[test]
fn install_copies_the_listed_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let target = tmp.path().join("tgt");
    let release = target.join("release");
    // As a package build does: DESTDIR in front of the prefix and of /usr/src.
    let destdir = tmp.path().join("dest");
    let prefix = Path::new("/usr/local");
    let installed = destdir.join("usr/local");
    let dest = Some(destdir.as_path());

    // Without binaries: refused, nothing written.
    std::fs::create_dir_all(&release).unwrap();
    let out = install_sh(
        &["--no-build", "--prefix", prefix.to_str().unwrap()],
        Some(&target),
        dest,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("is missing"));
    assert!(!destdir.exists());

    // Stand-in binaries, each with its own content.
    for tool in &TOOLS {
        let bin = release.join(tool.name);
        std::fs::write(&bin, format!("#!/bin/sh\necho {}\n", tool.name)).unwrap();
        let out = Command::new("chmod").arg("755").arg(&bin).output().unwrap();
        assert!(out.status.success());
    }
    let out = install_sh(
        &["--dry-run", "--prefix", prefix.to_str().unwrap()],
        Some(&target),
        dest,
    );
    assert!(out.status.success(), "{out:?}");
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        expected_install(&destdir, prefix, &release)
    );

    let out = install_sh(
        &["--no-build", "--prefix", prefix.to_str().unwrap()],
        Some(&target),
        dest,
    );
    assert!(out.status.success(), "{out:?}");
    let root = man::workspace_root();
    for line in listed.lines() {
        let (from, to) = line.split_once(" -> ").unwrap();
        let from = root.join(from); // absolute `from` stays absolute
        assert_eq!(
            std::fs::read(&from).unwrap(),
            std::fs::read(to).unwrap_or_else(|e| panic!("{to}: {e}")),
            "{line}"
        );
    }
    // Executables where they must be: the programs and the systemd generator.
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(installed.join("lib/systemd/system-generators/vtl-generator")),
        0o755
    );
    assert_eq!(mode(installed.join("lib/udev/rules.d/65-vtl.rules")), 0o644);
    assert!(
        destdir
            .join(format!(
                "usr/src/vtl-{}/dkms.conf",
                env!("CARGO_PKG_VERSION")
            ))
            .is_file()
    );
    for tool in &TOOLS {
        let out = Command::new(installed.join("bin").join(tool.name))
            .output()
            .expect("run installed binary");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{}\n", tool.name)
        );
    }
    for shell in SHELLS {
        let dir = match shell {
            Shell::Bash => "share/bash-completion/completions",
            _ => "share/zsh/site-functions",
        };
        assert_eq!(
            std::fs::read_dir(installed.join(dir)).unwrap().count(),
            TOOLS.len()
        );
    }
}

/// install.sh is shellcheck-clean where shellcheck is installed.
#[test]
fn install_sh_is_shellcheck_clean() {
    let path = man::workspace_root().join("scripts/install.sh");
    match Command::new("shellcheck").arg(&path).output() {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        ),
        Err(_) => println!("SKIPPED: shellcheck not installed"),
    }
}
