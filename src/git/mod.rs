//! All object access: opening the repository as git would ([`open`], with the object directories a
//! server-side hook names, [`quarantine`]), the index ([`index`]), the one index-vs-tree walk
//! ([`walk`]), trees and their differences ([`tree`]), commits ([`commit`]), objects read with
//! their hashes verified ([`object`]), and what git holds of a file on disk ([`state`]). Sources
//! and `policy` reach git only through here.

pub(crate) mod commit;
pub mod index;
pub(crate) mod object;
pub(crate) mod open;
mod preflight;
pub(crate) mod quarantine;
pub(crate) mod state;
pub(crate) mod tree;
pub(crate) mod walk;

pub(crate) use commit::commit_data;
pub(crate) use object::read_blob;
pub(crate) use open::{
    index_path, open, open_at, open_isolated, root, server_root, work_tree, Repo,
};
pub(crate) use tree::{blob_at, diff_trees, find_entry, read_tree, Delta, TreeEntry};
