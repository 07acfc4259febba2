//! `cargo xtask`: vtl's development tasks (see the library's documentation).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use xtask::{completions, man};

/// vtl's development tasks.
#[derive(Debug, Parser)]
#[command(name = "xtask", about = "vtl's development tasks (cargo xtask TASK)")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

/// The tasks.
#[derive(Debug, Subcommand)]
enum Task {
    /// Generate man/*.1 from each tool's clap command line and xtask/extra/*.roff.
    Man {
        /// Write nothing; exit 1, naming each page, when a checked-in page differs from the
        /// generated one.
        #[arg(long)]
        check: bool,
        /// Workspace whose man/ directory is written or checked [default: this workspace].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
    /// Generate completions/bash/<tool> and completions/zsh/_<tool> from each tool's clap
    /// command line.
    Completions {
        /// Write nothing; exit 1, naming each file, when a checked-in completion differs from
        /// the generated one.
        #[arg(long)]
        check: bool,
        /// Workspace whose completions/ directory is written or checked [default: this
        /// workspace].
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::Man { check, root } => run_man(check, root.unwrap_or_else(man::workspace_root)),
        Task::Completions { check, root } => {
            run_completions(check, root.unwrap_or_else(man::workspace_root))
        }
    }
}

/// `xtask completions [--check]`: as `xtask man`, for completions/.
fn run_completions(check: bool, root: PathBuf) -> ExitCode {
    if check {
        let stale = completions::check(&root);
        for s in &stale {
            eprintln!("xtask completions --check: {s}");
        }
        if !stale.is_empty() {
            return ExitCode::FAILURE;
        }
        println!("completions are up to date");
        return ExitCode::SUCCESS;
    }
    match completions::write(&root) {
        Ok(changed) => {
            for p in &changed {
                println!("wrote {}", p.display());
            }
            if changed.is_empty() {
                println!("completions are up to date");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask completions: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `xtask man [--check]`.
fn run_man(check: bool, root: PathBuf) -> ExitCode {
    if check {
        let stale = man::check(&root);
        for s in &stale {
            eprintln!("xtask man --check: {s}");
        }
        if !stale.is_empty() {
            return ExitCode::FAILURE;
        }
        println!("man pages are up to date");
        return ExitCode::SUCCESS;
    }
    match man::write(&root) {
        Ok(changed) => {
            for p in &changed {
                println!("wrote {}", p.display());
            }
            if changed.is_empty() {
                println!("man pages are up to date");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask man: {e}");
            ExitCode::FAILURE
        }
    }
}
