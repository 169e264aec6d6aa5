//! `hushguard config import FILE`: write the `.hushguard.toml` equivalent to a gitleaks
//! configuration.

use crate::cli::{ConfigArgs, ConfigCommand};
use crate::error::{Error, Result};
use crate::import;
use crate::quote;
use std::path::PathBuf;

pub(super) fn run(args: ConfigArgs) -> Result<i32> {
    match args.command {
        ConfigCommand::Import { file, output } => {
            let text = import::read_input(&file)?;
            let name = file.display().to_string();
            let conv = import::gitleaks_config::convert(&name, &text).map_err(Error::Import)?;
            let out = output.unwrap_or_else(|| PathBuf::from(".hushguard.toml"));
            if std::fs::symlink_metadata(&out).is_ok() {
                return Err(Error::Import(format!(
                    "{}: already exists; choose another file with --output or remove it",
                    out.display()
                )));
            }
            crate::atomic::write(&out, conv.value.as_bytes())
                .map_err(|e| Error::io(format!("{}: cannot write", out.display()), e))?;
            print_conversion(&conv.skipped, &conv.notes);
            eprintln!(
                "hushguard: wrote {} from {name} ({} item{} not converted)",
                out.display(),
                conv.skipped.len(),
                if conv.skipped.len() == 1 { "" } else { "s" }
            );
            Ok(0)
        }
    }
}

/// What a conversion could not map, and its approximations, on standard error.
pub(super) fn print_conversion(skipped: &[String], notes: &[String]) {
    // Both quote names (rule ids, paths) from the imported file: control characters in them
    // reached the terminal raw.
    for s in skipped {
        eprintln!("hushguard: not imported: {}", quote::escape_controls(s));
    }
    for n in notes {
        eprintln!("hushguard: note: {}", quote::escape_controls(n));
    }
}
