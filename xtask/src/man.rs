//! Man pages: each tool's page is clap_mangen's NAME, SYNOPSIS, DESCRIPTION and OPTIONS for
//! the tool's clap command, the prose of its `--help` epilogue (`after_help`) appended to the
//! DESCRIPTION, then the hand-written sections of `xtask/extra/<tool>.roff` and a generated
//! SEE ALSO.
//!
//! The epilogue's "Exit status:" and "Example(s):" paragraphs are left out of the DESCRIPTION
//! because the EXIT STATUS and EXAMPLES sections say the same at more length; the tests check
//! that both agree with the epilogue.

use std::io;
use std::path::{Path, PathBuf};

use clap::Command;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, roman};

/// Everything one tool's page is made of.
pub struct Tool {
    /// Program name; the page is `man/<name>.1`.
    pub name: &'static str,
    /// The file holding the tool's clap command line, relative to the workspace root.
    pub cli: &'static str,
    /// The tool's clap command, from its `src/cli.rs`.
    pub command: fn() -> Command,
    /// Roff for the sections clap knows nothing about (EXIT STATUS, ENVIRONMENT, FILES,
    /// EXAMPLES, sometimes NOTES), from `xtask/extra/<name>.roff`.
    pub extra: &'static str,
}

/// Every tool with a man page, in alphabetical order (the order of SEE ALSO).
pub const TOOLS: [Tool; 7] = [
    Tool {
        name: "dump_tape",
        cli: "bin/dump_tape/src/cli.rs",
        command: crate::dump_tape_cli::command,
        extra: include_str!("../extra/dump_tape.roff"),
    },
    Tool {
        name: "edit_tape",
        cli: "bin/edit_tape/src/cli.rs",
        command: crate::edit_tape_cli::command,
        extra: include_str!("../extra/edit_tape.roff"),
    },
    Tool {
        name: "mktape",
        cli: "bin/mktape/src/cli.rs",
        command: crate::mktape_cli::command,
        extra: include_str!("../extra/mktape.roff"),
    },
    Tool {
        name: "preload_tape",
        cli: "bin/preload_tape/src/cli.rs",
        command: crate::preload_tape_cli::command,
        extra: include_str!("../extra/preload_tape.roff"),
    },
    Tool {
        name: "vtlcmd",
        cli: "bin/vtlcmd/src/cli.rs",
        command: crate::vtlcmd_cli::command,
        extra: include_str!("../extra/vtlcmd.roff"),
    },
    Tool {
        name: "vtllibrary",
        cli: "daemons/daemon/src/cli.rs",
        command: crate::daemon_cli::vtllibrary_command,
        extra: include_str!("../extra/vtllibrary.roff"),
    },
    Tool {
        name: "vtltape",
        cli: "daemons/daemon/src/cli.rs",
        command: crate::daemon_cli::vtltape_command,
        extra: include_str!("../extra/vtltape.roff"),
    },
];

/// Manual section of every page.
pub const SECTION: &str = "1";

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// Where `tool`'s page lives, relative to the workspace root.
pub fn page_path(tool: &Tool) -> PathBuf {
    Path::new("man").join(format!("{}.{SECTION}", tool.name))
}

/// `--help`'s epilogue split into its paragraphs (separated by blank lines).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct AfterHelp {
    /// Paragraphs that go into the DESCRIPTION, in order.
    pub prose: Vec<String>,
    /// The paragraph starting with `Exit status:`.
    pub exit_status: Option<String>,
    /// The paragraph starting with `Example:` or `Examples:`.
    pub examples: Option<String>,
}

impl AfterHelp {
    /// Split the epilogue of `cmd` (its long form when it has one).
    pub fn of(cmd: &Command) -> AfterHelp {
        let text = cmd
            .get_after_long_help()
            .or_else(|| cmd.get_after_help())
            .map(|s| s.to_string())
            .unwrap_or_default();
        let mut out = AfterHelp::default();
        for para in text.split("\n\n").map(str::trim_end) {
            if para.trim().is_empty() {
                continue;
            }
            if para.starts_with("Exit status:") {
                out.exit_status = Some(para.to_string());
            } else if para.starts_with("Example:") || para.starts_with("Examples:") {
                out.examples = Some(para.to_string());
            } else {
                out.prose.push(para.to_string());
            }
        }
        out
    }

    /// The exit codes the `Exit status:` paragraph lists, in order: either one line
    /// (`Exit status: 0 success; 1 ...; 2 ...`) or one code per line indented by two spaces
    /// (`  0  success`), continuation lines being indented further.
    pub fn exit_codes(&self) -> Vec<u8> {
        let Some(p) = &self.exit_status else {
            return Vec::new();
        };
        let first = p.lines().next().unwrap_or_default();
        let rest = first.trim_start_matches("Exit status:").trim();
        let items: Vec<&str> = if rest.is_empty() {
            p.lines().filter_map(|l| l.strip_prefix("  ")).collect()
        } else {
            rest.split(';').map(str::trim).collect()
        };
        items.into_iter().filter_map(leading_number).collect()
    }

    /// The commands of the `Example(s):` paragraph, one per line.
    pub fn example_commands(&self) -> Vec<String> {
        self.examples
            .iter()
            .flat_map(|p| p.lines().skip(1))
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// The number `s` starts with, if any.
fn leading_number(s: &str) -> Option<u8> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The preamble the roff crate writes before every document it renders (it defines the
/// apostrophe string); a page needs it once.
fn roff_preamble() -> String {
    Roff::new().render()
}

/// One of clap_mangen's section renderers, as text without the preamble (and without the
/// trailing blank its SYNOPSIS line ends with).
fn mangen_section(render: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut buf = Vec::new();
    render(&mut buf).expect("writing to memory cannot fail");
    strip_preamble(String::from_utf8(buf).expect("clap_mangen writes UTF-8"))
}

/// How many spaces or tabs `line` starts with.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The epilogue's prose as roff paragraphs, filled. A run of indented lines is a list, shown
/// indented: each line at the run's smallest indent starts an item, and the lines indented
/// further continue it.
fn prose_roff(prose: &[String]) -> String {
    let mut r = Roff::new();
    for para in prose {
        r.control("PP", []);
        let lines: Vec<&str> = para.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            if indent(lines[i]) == 0 {
                r.text([roman(lines[i])]);
                i += 1;
                continue;
            }
            let end = lines[i..]
                .iter()
                .position(|l| indent(l) == 0)
                .map_or(lines.len(), |n| i + n);
            let run = &lines[i..end];
            let base = run.iter().map(|l| indent(l)).min().unwrap_or(0);
            r.control("RS", []);
            for (k, line) in run.iter().enumerate() {
                if k > 0 && indent(line) == base {
                    r.control("br", []);
                }
                r.text([roman(line.trim_start())]);
            }
            r.control("RE", []);
            i = end;
        }
    }
    strip_preamble(r.render())
}

/// `text` without [`roff_preamble`] and with the trailing blanks of its lines removed.
fn strip_preamble(text: String) -> String {
    let body = text.strip_prefix(&roff_preamble()).unwrap_or(&text);
    body.lines()
        .map(|l| format!("{}\n", l.trim_end()))
        .collect()
}

/// SEE ALSO: the other tools.
fn see_also(name: &str) -> String {
    let others: Vec<String> = TOOLS
        .iter()
        .filter(|t| t.name != name)
        .map(|t| format!(".BR {} ({SECTION})", t.name))
        .collect();
    format!(".SH SEE ALSO\n{}\n", others.join(",\n"))
}

/// The complete page of `tool`.
pub fn render(tool: &Tool) -> String {
    let cmd = (tool.command)();
    let version = cmd.get_version().unwrap_or_default().to_string();
    let man = Man::new(cmd.clone()).section(SECTION);
    let mut page = format!(
        ".\\\" Generated by `cargo xtask man` from {1} and xtask/extra/{0}.roff.\n\
         .\\\" Do not edit: change those files and run `cargo xtask man`.\n",
        tool.name, tool.cli
    );
    page.push_str(&roff_preamble());
    // Written here rather than by clap_mangen: the roff crate writes an empty date as
    // nothing at all, which would move the source and manual into the date's place.
    page.push_str(&format!(
        ".TH {} {SECTION} \"\" \"vtl {version}\" \"User Commands\"\n",
        tool.name.to_uppercase()
    ));
    // No hyphenation: option names, paths and $VTL_CONFIG_DIR must not be split.
    page.push_str(".nh\n");
    page.push_str(&mangen_section(|w| man.render_name_section(w)));
    page.push_str(&mangen_section(|w| man.render_synopsis_section(w)));
    page.push_str(&mangen_section(|w| man.render_description_section(w)));
    page.push_str(&prose_roff(&AfterHelp::of(&cmd).prose));
    page.push_str(&mangen_section(|w| man.render_options_section(w)));
    page.push_str(tool.extra);
    if !tool.extra.ends_with('\n') {
        page.push('\n');
    }
    page.push_str(&see_also(tool.name));
    page
}

/// The text of section `name` of a page (from the line after `.SH name` to the next `.SH`),
/// if the page has it. Quoted headings (`.SH "EXIT STATUS"`) are found too.
pub fn section<'a>(page: &'a str, name: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    for line in page.split_inclusive('\n') {
        if let Some(heading) = line.strip_prefix(".SH ") {
            if start.is_some() {
                return start.map(|s| &page[s..offset]);
            }
            if heading.trim().trim_matches('"') == name {
                start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    start.map(|s| &page[s..])
}

/// A page that differs from what is checked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    /// The page, relative to the workspace root.
    pub path: PathBuf,
    /// True when the file does not exist (or cannot be read).
    pub missing: bool,
}

impl std::fmt::Display for Stale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (run `cargo xtask man` and commit the result)",
            self.path.display(),
            if self.missing {
                "missing"
            } else {
                "differs from the page generated from the clap definitions"
            }
        )
    }
}

/// Compare every page under `root` with the generated one; the stale ones, in [`TOOLS`]
/// order.
pub fn check(root: &Path) -> Vec<Stale> {
    TOOLS
        .iter()
        .filter_map(|tool| {
            let path = page_path(tool);
            match std::fs::read_to_string(root.join(&path)) {
                Ok(text) if text == render(tool) => None,
                Ok(_) => Some(Stale {
                    path,
                    missing: false,
                }),
                Err(_) => Some(Stale {
                    path,
                    missing: true,
                }),
            }
        })
        .collect()
}

/// Write every page under `root` (creating `man/`); returns the pages whose content changed.
pub fn write(root: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(root.join("man"))?;
    let mut changed = Vec::new();
    for tool in &TOOLS {
        let path = page_path(tool);
        let file = root.join(&path);
        let text = render(tool);
        if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&file, text)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: write: {e}", file.display())))?;
            changed.push(path);
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_on_one_line() {
        let a = AfterHelp {
            exit_status: Some("Exit status: 0 success; 1 argument error (x; y); 2 other".into()),
            ..Default::default()
        };
        // "y)" does not start with a number, so the parenthesis does not add a code.
        assert_eq!(a.exit_codes(), vec![0, 1, 2]);
    }

    #[test]
    fn exit_codes_one_per_line() {
        let a = AfterHelp {
            exit_status: Some(
                "Exit status:\n  0  success\n  1  bad, block size outside\n     1..9 too\n  3  worse\n\
                 With --plan the highest."
                    .into(),
            ),
            ..Default::default()
        };
        assert_eq!(a.exit_codes(), vec![0, 1, 3]);
    }

    #[test]
    fn section_text() {
        let page = ".TH X 1\n.SH NAME\nx \\- y\n.SH \"EXIT STATUS\"\n.B 0\n.SH FILES\nf\n";
        assert_eq!(section(page, "NAME"), Some("x \\- y\n"));
        assert_eq!(section(page, "EXIT STATUS"), Some(".B 0\n"));
        assert_eq!(section(page, "FILES"), Some("f\n"));
        assert_eq!(section(page, "BUGS"), None);
    }

    #[test]
    fn indented_lines_are_lists() {
        let r = prose_roff(&["Refused:\n  -s below\n     more\nAfter.".to_string()]);
        assert_eq!(r, ".PP\nRefused:\n.RS\n\\-s below\nmore\n.RE\nAfter.\n");
        let r = prose_roff(&["List:\n  a\n  b\n    b2".to_string()]);
        assert_eq!(r, ".PP\nList:\n.RS\na\n.br\nb\nb2\n.RE\n");
    }
}
