//! hushguard: a pre-commit secret and policy guard.
//!
//! Data flows one way: a command ([`cmd`]) resolves its [`settings::Settings`]; a source (files on
//! disk, the staged index, a commit range, the history) hands blobs to the one [`scan::Pipeline`]
//! (keyword prefilter → regex → entropy/checksum → allow filters, plus forbidden-file rules),
//! findings go through the baseline filter, are sorted, and a report writer renders them.
//! [`cmd::run`] ties it together and returns the exit code. Only [`cmd`] prints.
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![warn(unreachable_pub)]

pub(crate) mod atomic;
pub mod baseline;
pub mod checksum;
pub mod cli;
pub mod cmd;
pub mod config;
pub(crate) mod diff;
pub mod error;
pub mod finding;
pub mod git;
pub(crate) mod hooks;
pub(crate) mod import;
pub mod matcher;
pub(crate) mod outcome;
pub mod policy;
pub mod quote;
pub(crate) mod report;
pub mod rules;
pub(crate) mod safe_io;
pub mod scan;
pub(crate) mod settings;
pub mod sources;
