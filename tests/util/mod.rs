//! Utilities shared by every module of the integration-test binary: the temporary repository
//! with an isolated git environment ([`repo`]), fake credentials assembled at run time
//! ([`tokens`]), the typed JSON report ([`report`]), schema validation ([`schema`]) and redacted snapshots of the human report
//! ([`snapshot`]).

pub mod repo;
pub mod report;
pub mod schema;
pub mod snapshot;
pub mod tokens;

pub use repo::{assert_silent_success, bin, text, Repo};
pub use report::Report;
pub use tokens::{aws_key_id, aws_key_line, github_token, hg_key, private_key_pem, random, ALNUM};
