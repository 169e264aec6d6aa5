//! The `hushguard` binary: parse the command line, run, map the result to an exit code.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match hushguard::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match hushguard::cmd::run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            let text = e.to_string();
            eprintln!(
                "hushguard: error: {}",
                hushguard::quote::escape_controls(&text)
            );
            ExitCode::from(2)
        }
    }
}
