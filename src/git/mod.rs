//! All object access: opening the repository as git would ([`open`], with the object directories a
//! server-side hook names, [`quarantine`]), the index ([`index`]), the one index-vs-tree walk
//! ([`walk`]), trees and their differences ([`tree`]), commits ([`commit`]), objects read with
//! their hashes verified ([`object`]), and what git holds of a file on disk ([`state`]). Sources
//! and `policy` reach git only through here.

pub mod commit;
pub mod index;
pub mod object;
pub mod open;
pub mod quarantine;
pub mod state;
pub mod tree;
pub mod walk;

pub use commit::{commit_data, CommitData};
pub use object::read_blob;
pub use open::{index_path, open, open_at, open_isolated, root, server_root, work_tree, Repo};
pub use tree::{blob_at, diff_trees, find_entry, join, read_tree, Delta, TreeEntry};
