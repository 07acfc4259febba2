//! The man pages in man/: current, complete, consistent with `--help`, and free of roff
//! warnings.

use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::man::{self, AfterHelp, TOOLS, Tool};

/// The checked-in page of `tool`.
fn checked_in(tool: &Tool) -> String {
    let path = man::workspace_root().join(man::page_path(tool));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `s` as the roff crate writes it in text: dashes escaped.
fn roff_escaped(s: &str) -> String {
    s.replace('-', "\\-")
}

/// Roff text back to plain text, as far as the commands in EXAMPLES need it.
fn roff_unescaped(s: &str) -> String {
    s.replace("\\-", "-")
}

/// The checked-in pages are exactly what `cargo xtask man` generates (what `--check` checks).
#[test]
fn checked_in_pages_are_current() {
    let stale = man::check(&man::workspace_root());
    let msgs: Vec<String> = stale.iter().map(|s| s.to_string()).collect();
    assert!(msgs.is_empty(), "{}", msgs.join("\n"));
}

/// Copy the workspace's man/ into a scratch workspace root.
fn scratch_root() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("man")).expect("mkdir man");
    for tool in &TOOLS {
        let p = man::page_path(tool);
        std::fs::write(tmp.path().join(&p), checked_in(tool)).expect("copy page");
    }
    tmp
}

fn xtask(args: &[&str], root: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .expect("run xtask")
}

/// `xtask man --check` fails, naming the page, when a page was edited by hand or is missing,
/// and `xtask man` puts it right.
#[test]
fn check_names_stale_and_missing_pages() {
    let tmp = scratch_root();
    let out = xtask(&["man", "--check"], tmp.path());
    assert!(out.status.success(), "{out:?}");

    let mk = tmp.path().join("man/mktape.1");
    let edited = std::fs::read_to_string(&mk).unwrap() + ".\\\" edited by hand\n";
    std::fs::write(&mk, edited).unwrap();
    std::fs::remove_file(tmp.path().join("man/dump_tape.1")).unwrap();
    assert_eq!(
        man::check(tmp.path()),
        vec![
            man::Stale {
                path: PathBuf::from("man/dump_tape.1"),
                missing: true
            },
            man::Stale {
                path: PathBuf::from("man/mktape.1"),
                missing: false
            },
        ]
    );
    let out = xtask(&["man", "--check"], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("man/mktape.1: differs"), "{err}");
    assert!(err.contains("man/dump_tape.1: missing"), "{err}");
    assert!(!err.contains("edit_tape.1"), "{err}");

    let out = xtask(&["man"], tmp.path());
    assert!(out.status.success(), "{out:?}");
    assert!(man::check(tmp.path()).is_empty());
}

/// Every option of every tool (long and short forms, and the positionals) is in the page's
/// OPTIONS, and every option is in its SYNOPSIS.
#[test]
fn every_option_is_documented() {
    for tool in &TOOLS {
        let page = checked_in(tool);
        let options = man::section(&page, "OPTIONS").expect("OPTIONS");
        let synopsis = man::section(&page, "SYNOPSIS").expect("SYNOPSIS");
        let mut cmd = (tool.command)();
        cmd.clone().debug_assert();
        cmd.build(); // adds --help (and --version) as clap does when parsing
        let mut seen = 0;
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            seen += 1;
            if arg.is_positional() {
                let names = arg
                    .get_value_names()
                    .map(|v| v.join(" "))
                    .unwrap_or_else(|| arg.get_id().to_string());
                let want = format!("\\fI{names}\\fR");
                assert!(options.contains(&want), "{}: {want}", tool.name);
                assert!(synopsis.contains(&want), "{}: {want}", tool.name);
                continue;
            }
            if let Some(c) = arg.get_short() {
                let want = format!("\\fB\\-{c}\\fR");
                assert!(options.contains(&want), "{}: OPTIONS lacks -{c}", tool.name);
                assert!(
                    synopsis.contains(&format!("\\fB\\-{c}")),
                    "{}: SYNOPSIS lacks -{c}",
                    tool.name
                );
            }
            if let Some(l) = arg.get_long() {
                let want = format!("\\fB\\-\\-{}\\fR", roff_escaped(l));
                assert!(
                    options.contains(&want),
                    "{}: OPTIONS lacks --{l}",
                    tool.name
                );
                assert!(
                    synopsis.contains(&want),
                    "{}: SYNOPSIS lacks --{l}",
                    tool.name
                );
            }
        }
        assert!(seen > 5, "{}: only {seen} arguments", tool.name);
    }
}

/// Every page has the sections the man pages promise, in man-pages(7) order.
#[test]
fn pages_have_every_section() {
    let order = [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ];
    for tool in &TOOLS {
        let page = checked_in(tool);
        let mut last = 0;
        for name in order {
            let at = page
                .find(&format!(".SH {name}\n"))
                .or_else(|| page.find(&format!(".SH \"{name}\"\n")))
                .unwrap_or_else(|| panic!("{}: no {name} section", tool.name));
            assert!(at > last, "{}: {name} is out of order", tool.name);
            last = at;
        }
        let env = man::section(&page, "ENVIRONMENT").unwrap();
        assert!(env.contains("VTL_CONFIG_DIR"), "{}", tool.name);
        let files = man::section(&page, "FILES").unwrap();
        assert!(files.contains("/etc/vtl/device.conf"), "{}", tool.name);
        let see = man::section(&page, "SEE ALSO").unwrap();
        for other in TOOLS.iter().filter(|t| t.name != tool.name) {
            assert!(
                see.contains(&format!(".BR {} (1)", other.name)),
                "{}",
                tool.name
            );
        }
    }
    let mktape = checked_in(TOOLS.iter().find(|t| t.name == "mktape").unwrap());
    assert!(
        man::section(&mktape, "ENVIRONMENT")
            .unwrap()
            .contains("SOURCE_DATE_EPOCH")
    );
}

/// The codes under EXIT STATUS are the ones `--help` lists, in the same order.
#[test]
fn exit_status_matches_help() {
    for tool in &TOOLS {
        let page = checked_in(tool);
        let section = man::section(&page, "EXIT STATUS").expect("EXIT STATUS");
        let in_page: Vec<u8> = section
            .lines()
            .filter_map(|l| l.strip_prefix(".B "))
            .map(|n| n.trim().parse().expect("exit code after .B"))
            .collect();
        let in_help = AfterHelp::of(&(tool.command)()).exit_codes();
        assert!(
            !in_help.is_empty(),
            "{}: --help lists no exit status",
            tool.name
        );
        assert_eq!(in_page, in_help, "{}", tool.name);
    }
}

/// The examples of `--help` are among the page's EXAMPLES.
#[test]
fn help_examples_are_in_the_page() {
    for tool in &TOOLS {
        let page = checked_in(tool);
        let examples = roff_unescaped(man::section(&page, "EXAMPLES").expect("EXAMPLES"));
        for cmd in AfterHelp::of(&(tool.command)()).example_commands() {
            assert!(
                examples.lines().any(|l| l == cmd),
                "{}: EXAMPLES lacks `{cmd}`",
                tool.name
            );
        }
    }
}

/// True when `program` can be run; false (after printing SKIPPED) when it is not installed
/// and CI is not set; a failure when it is missing in CI.
fn installed(program: &str, package: &str) -> bool {
    match Command::new(program).arg("--version").output() {
        Ok(_) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{program} is not installed (CI=true): install {package}");
            }
            println!("SKIPPED: {program} not installed (install {package})");
            false
        }
        Err(e) => panic!("{program}: {e}"),
    }
}

/// groff formats every page with every warning enabled (`-ww`) and says nothing; `-P-cbou`
/// makes its output plain text.
#[test]
fn groff_renders_pages_without_warnings() {
    if !installed("groff", "groff-base") {
        return;
    }
    for tool in &TOOLS {
        let path = man::workspace_root().join(man::page_path(tool));
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-P-cbou"])
            .arg(&path)
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("run groff");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "{}: groff failed: {err}",
            path.display()
        );
        assert!(err.is_empty(), "{}: groff warnings:\n{err}", path.display());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("EXIT STATUS"), "{}", path.display());
        assert!(text.contains(tool.name), "{}", path.display());
    }
}

/// `man ./man/mktape.1` (a path, so man-db reads the file) works from the checkout.
#[test]
fn man_reads_pages_from_the_checkout() {
    if Command::new("man").arg("--version").output().is_err() {
        println!("SKIPPED: man not installed");
        return;
    }
    for tool in &TOOLS {
        let rel = format!("./{}", man::page_path(tool).display());
        let out = Command::new("man")
            .arg(&rel)
            .current_dir(man::workspace_root())
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .expect("run man");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "man {rel}: {out:?}");
        assert!(text.contains("EXIT STATUS"), "man {rel}: {text}");
    }
}
