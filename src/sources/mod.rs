//! Where blobs come from: files on disk, the staged index, a commit range, the whole history.
//! Sources know nothing about reports: they hand blobs to the one [`Pipeline`](crate::scan::Pipeline)
//! and return an [`Outcome`](crate::outcome::Outcome).

pub mod disk;
pub mod git_scan;
pub mod history;
pub mod message;
pub mod prereceive;
pub mod range;
pub mod staged;
