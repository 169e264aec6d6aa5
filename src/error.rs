//! The crate's one error type, [`Error`], for what stops a command (exit code 2), and
//! [`BlobProblem`], the typed problem with one blob that is reported while the run goes on.
//!
//! Every message names what it is about (the file, the flag, the object) and is shown as it is:
//! `hushguard: error: MESSAGE`.

use std::fmt;
use std::path::PathBuf;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file that cannot be read or parsed.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// A configuration value that is not valid, named by its section and key.
    #[error("{0}")]
    Setting(String),
    /// A rule set that does not build (a rule or an allowlist entry; the message names its file).
    #[error("{0}")]
    Rules(String),
    /// A baseline that cannot be read, parsed or written.
    #[error("{0}")]
    Baseline(String),
    /// A flag whose value does not say what it must (a date, a revision range).
    #[error("{0}")]
    Usage(String),
    /// An input (a file named on the command line, standard input) that cannot be read or does
    /// not hold what it must.
    #[error("{0}")]
    Input(String),
    /// A file another tool wrote that cannot be imported.
    #[error("{0}")]
    Import(String),
    /// A hook that cannot be installed or removed as asked.
    #[error("{0}")]
    Hook(String),
    /// A repository that cannot be opened or read.
    #[error("{0}")]
    Git(String),
    /// A file or stream that cannot be read or written.
    #[error("{what}: {source}")]
    Io {
        /// What was being done, naming the path: `FILE: cannot write the report`.
        what: String,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// An I/O error, with what was being done.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}

/// The git layer still speaks `anyhow`: its errors arrive here with their whole chain of causes.
impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Git(format!("{e:#}"))
    }
}

/// What went wrong with one blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobProblemKind {
    /// The object or file could not be read (missing, corrupt, a read error).
    Unreadable(String),
    /// A rule failed on this blob (its content condition does not compile, say).
    Rule(String),
}

/// A problem with one blob: named by its path and, for a git object, its id. The run goes on;
/// the exit code becomes 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProblem {
    pub path: PathBuf,
    /// The object id, for a blob read from git.
    pub object: Option<String>,
    pub kind: BlobProblemKind,
}

impl fmt::Display for BlobProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = crate::quote::quote(&self.path.to_string_lossy()).into_owned();
        match &self.object {
            Some(id) => write!(f, "{path} (blob {id}): ")?,
            None => write!(f, "{path}: ")?,
        }
        match &self.kind {
            BlobProblemKind::Unreadable(why) | BlobProblemKind::Rule(why) => f.write_str(why),
        }
    }
}
