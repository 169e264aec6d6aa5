//! `hushguard rules`: list the rules in force; `hushguard rules check FILE…`: check rule files.

use super::write_output;
use crate::cli::{ListFormat, RulesArgs, RulesCommand};
use crate::error::Result;
use crate::settings::{Engine, Settings};
use crate::{quote, report};

pub(super) fn run(args: RulesArgs) -> Result<i32> {
    match args.command {
        Some(RulesCommand::Check { files }) => {
            let report = crate::scan::check::check_files(&files);
            write_output(None, &report.text)?;
            for e in &report.errors {
                eprintln!("hushguard: error: {}", quote::escape_controls(e));
            }
            Ok(report.exit_code())
        }
        None => {
            let root = std::path::absolute(".").unwrap_or_default();
            let settings =
                Settings::load(&root, args.config.as_deref(), Some(1), None, Engine::Full)?;
            let mut list: Vec<_> = settings.scanner.rules().collect();
            list.sort_by(|a, b| a.id().cmp(b.id()));
            let text = match args.format {
                ListFormat::Json => report::rules::render_json(&list),
                ListFormat::Human => report::rules::render_human(&list),
            };
            write_output(None, &text)?;
            Ok(0)
        }
    }
}
