//! Scanning: the rule set loaded once ([`RuleSet::load`]) and the one blob pipeline every source
//! hands its blobs to ([`Pipeline`]): allowlist, file rules (`engine`, with the name prefilter of
//! `names`), size/LFS/binary, the content scan with its decoding stage (`content`), notes; and
//! `rules check` (`check`), which runs every rule's examples through that engine.

pub mod check;
mod content;
pub(crate) mod engine;
mod load;
mod names;
pub(crate) mod pipeline;
#[cfg(test)]
mod test_rules;

pub use engine::{is_binary, RuleSet, Skip, MAX_FINDINGS_PER_BLOB};
pub use load::Selection;
pub(crate) use pipeline::{Blob, Content, Origin, Pipeline, Scanned};
