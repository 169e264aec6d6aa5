//! The crate's one error type, [`Error`], for what stops a command (exit code 2), and
//! [`BlobProblem`], the typed problem with one blob that is reported while the run goes on.
//!
//! Every message names what it is about (the file, the flag, the object) and is shown as it is:
//! `hushguard: error: MESSAGE`.

use std::fmt;
use std::path::PathBuf;

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error in a configuration file, naming it.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

/// What stops a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration file that cannot be read or parsed.
    #[error(transparent)]
    Config(#[from] ConfigError),
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
    /// A repository that cannot be opened or read (the message names it, or the reference).
    #[error("{0}")]
    Git(String),
    /// A git object that cannot be read as what it must be.
    #[error(transparent)]
    Object(#[from] ObjectError),
    /// An error, with what was being done when it happened: `WHAT: ERROR`.
    #[error("{what}: {inner}")]
    Context { what: String, inner: Box<Error> },
    /// An index file that cannot be read.
    #[error("{}: cannot read the index: {cause}", crate::quote::quote(&path.display().to_string()))]
    Index { path: PathBuf, cause: String },
    /// A file or stream that cannot be read or written.
    /// (The cause is part of the message, not a separate source, so it is shown once.)
    #[error("{what}: {cause}")]
    Io {
        /// What was being done, naming the path: `FILE: cannot write the report`.
        what: String,
        cause: std::io::Error,
    },
}

/// A git object that cannot be read as what it must be, named by its kind and id.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// Not found, or the object database failed to read it.
    #[error("cannot read {kind} {id}: {cause}")]
    Unreadable {
        kind: gix::object::Kind,
        id: gix::ObjectId,
        cause: String,
    },
    /// Its content does not hash to its id.
    #[error("{kind} {id} is damaged: its content does not match its id")]
    Damaged {
        kind: gix::object::Kind,
        id: gix::ObjectId,
    },
    /// An object of another kind than the one asked for.
    #[error("object {id}: expected a {expected}, found a {found}")]
    WrongKind {
        id: gix::ObjectId,
        expected: gix::object::Kind,
        found: gix::object::Kind,
    },
    /// Its content does not parse as its kind.
    #[error("{kind} {id} is corrupt: {cause}")]
    Corrupt {
        kind: gix::object::Kind,
        id: gix::ObjectId,
        cause: String,
    },
    /// It parses, but lacks a part every such object has (a commit's author).
    #[error("{kind} {id} has no readable {part}")]
    Incomplete {
        kind: gix::object::Kind,
        id: gix::ObjectId,
        part: &'static str,
    },
}

impl Error {
    /// This error, with what was being done when it happened.
    pub fn context(self, what: impl Into<String>) -> Error {
        Error::Context {
            what: what.into(),
            inner: Box::new(self),
        }
    }

    /// An I/O error, with what was being done.
    pub fn io(what: impl Into<String>, cause: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            cause,
        }
    }
}

/// An error and its causes, `error: cause: cause`, as a person reads them.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// gix's own error, as the git layer met it, with its causes.
impl From<gix::Error> for Error {
    fn from(e: gix::Error) -> Error {
        Error::Git(chain(&e))
    }
}

/// What went wrong with one blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobProblemKind {
    /// The object or file could not be read (missing, corrupt, a read error).
    Unreadable,
    /// A rule failed on this blob (its content condition does not compile, say).
    Rule,
}

/// A problem with one blob, named by its path and, for a git object, its id. The run goes on and
/// its exit code becomes 2. `message` is the text a person reads, naming the path itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobProblem {
    pub path: String,
    /// The object id, for a blob read from git.
    pub object: Option<String>,
    pub kind: BlobProblemKind,
    pub message: String,
}

impl BlobProblem {
    /// A problem with the blob at `path` (and `object`, for one read from git), read as
    /// `PATH: CAUSE` with the path quoted as a person reads it.
    pub fn new(
        kind: BlobProblemKind,
        path: &str,
        object: Option<&gix::oid>,
        cause: impl fmt::Display,
    ) -> BlobProblem {
        BlobProblem {
            path: path.to_string(),
            object: object.map(|id| id.to_string()),
            kind,
            message: format!("{}: {cause}", crate::quote::quote(path)),
        }
    }
}

impl fmt::Display for BlobProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// An error that did not stop the run: about one blob, or about the run (a path that does not
/// exist, a reference that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Blob(BlobProblem),
    Run(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Blob(b) => b.fmt(f),
            Problem::Run(s) => f.write_str(s),
        }
    }
}

impl From<String> for Problem {
    fn from(s: String) -> Problem {
        Problem::Run(s)
    }
}

impl From<&str> for Problem {
    fn from(s: &str) -> Problem {
        Problem::Run(s.to_string())
    }
}

impl From<BlobProblem> for Problem {
    fn from(b: BlobProblem) -> Problem {
        Problem::Blob(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_names_every_cause() {
        let io = std::io::Error::other("disk on fire");
        let e = Error::io("a.txt: cannot write", io);
        assert_eq!(e.to_string(), "a.txt: cannot write: disk on fire");
        assert_eq!(chain(&e), "a.txt: cannot write: disk on fire");
        let e = Error::Git("inner".into()).context("outer");
        assert_eq!(e.to_string(), "outer: inner");
        assert_eq!(chain(&e), "outer: inner");
        let id = gix::ObjectId::null(gix::hash::Kind::Sha1);
        let e: Error = ObjectError::Corrupt {
            kind: gix::object::Kind::Tree,
            id,
            cause: "no mode".into(),
        }
        .into();
        assert_eq!(e.to_string(), format!("tree {id} is corrupt: no mode"));
        let e = Error::Index {
            path: "a\nb".into(),
            cause: "entry 3 is corrupt or truncated".into(),
        };
        assert_eq!(
            e.to_string(),
            "\"a\\nb\": cannot read the index: entry 3 is corrupt or truncated"
        );
    }
}
