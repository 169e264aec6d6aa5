//! Which commits an audit covers: the tips (every ref and HEAD, or `--branch`), every commit
//! reachable from them, narrowed by `--since` and `--max-count`, in topological order, oldest first.

use super::objects::Reader;
use super::resident::Packs;
use crate::error::{Error, Result};
use gix::objs::commit::ref_iter::Token;
use gix::objs::CommitRefIter;
use gix::ObjectId;
use rustc_hash::FxHashMap as FxMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The byte budget of decoded commits kept while reading them: git seldom stores a commit as a
/// delta, so this only serves the odd chain.
pub(super) const COMMIT_CACHE: usize = 1 << 20;

/// How to choose the commits.
pub(super) struct Select<'a> {
    pub branches: &'a [String],
    /// Only commits whose committer date is at or after this Unix time.
    pub since: Option<i64>,
    pub max_count: Option<usize>,
}

/// One commit of the audited history.
pub(super) struct Commit {
    pub id: ObjectId,
    pub tree: ObjectId,
}

/// The audited history.
pub(super) struct History {
    /// Selected commits, parents before children (ties broken by commit date).
    pub commits: Vec<Commit>,
    /// Trees of commits just outside the selection (parents of selected commits that `--since` or
    /// `--max-count` left out): what they hold was not introduced by a selected commit.
    pub boundary_trees: Vec<ObjectId>,
    /// Commits whose parents are absent because the clone is shallow.
    pub shallow_cut: usize,
    pub errors: Vec<String>,
}

struct Node {
    id: ObjectId,
    tree: ObjectId,
    time: i64,
    parents: Vec<u32>,
}

/// Resolve the tips: `--branch` values, else every ref plus HEAD. Refs that do not lead to a commit
/// (a tag of a blob, say) are left out; a ref that cannot be read is an error the audit reports.
fn tips(
    repo: &gix::Repository,
    reader: &mut Reader,
    branches: &[String],
    errors: &mut Vec<String>,
) -> Result<Vec<ObjectId>> {
    let mut out = Vec::new();
    if !branches.is_empty() {
        for b in branches {
            let id = repo.rev_parse_single(b.as_str()).map_err(|e| {
                Error::Usage(format!(
                    "--branch {b}: not a revision in this repository ({e})"
                ))
            })?;
            let obj = id
                .object()
                .and_then(|o| o.peel_tags_to_end())
                .map_err(|e| Error::Git(format!("--branch {b}: cannot read {id}: {e}")))?;
            if obj.kind != gix::object::Kind::Commit {
                return Err(Error::Usage(format!(
                    "--branch {b}: {id} is a {}, not a commit",
                    obj.kind
                )));
            }
            out.push(obj.id);
        }
        return Ok(out);
    }
    if let Ok(id) = repo.head_id() {
        out.push(id.detach());
    }
    let platform = repo
        .references()
        .map_err(|e| Error::Git(format!("cannot list the references: {e}")))?;
    let iter = platform
        .all()
        .map_err(|e| Error::Git(format!("cannot list the references: {e}")))?;
    for r in iter {
        let mut r = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("a reference cannot be read: {e}"));
                continue;
            }
        };
        let name = r.name().as_bstr().to_string();
        // Followed by name, then peeled through the packs the audit reads (the object database
        // would map every pack a second time for the tips alone).
        let id = match r.follow_to_object() {
            Ok(id) => id.detach(),
            Err(e) => {
                errors.push(format!("{name}: cannot resolve the reference: {e}"));
                continue;
            }
        };
        match peel(reader, id) {
            Ok(Some(commit)) => out.push(commit),
            Ok(None) => {}
            Err(Peel::Missing(id)) => {
                errors.push(format!("{name}: points to {id}, which is missing"))
            }
            Err(Peel::Unreadable(e)) => errors.push(format!("{name}: cannot read {id}: {e}")),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Why a ref could not be peeled.
enum Peel {
    Missing(ObjectId),
    Unreadable(String),
}

/// The commit that `id` is, or that the chain of tags starting at it ends at; `None` if it ends at
/// another kind of object.
fn peel(reader: &mut Reader, mut id: ObjectId) -> Result<Option<ObjectId>, Peel> {
    let mut buf = Vec::new();
    // As git does, a chain of tags is followed a bounded number of steps.
    for _ in 0..64 {
        match reader.read(&id, &mut buf) {
            Ok(Some(gix::object::Kind::Commit)) => return Ok(Some(id)),
            Ok(Some(gix::object::Kind::Tag)) => {
                match gix::objs::TagRefIter::from_bytes(&buf, id.kind()).target_id() {
                    Ok(target) => id = target,
                    Err(e) => return Err(Peel::Unreadable(format!("tag {id}: {e}"))),
                }
            }
            Ok(Some(_)) => return Ok(None),
            Ok(None) => return Err(Peel::Missing(id)),
            Err(e) => return Err(Peel::Unreadable(e)),
        }
    }
    Err(Peel::Unreadable(format!(
        "tag {id}: a chain of more than 64 tags"
    )))
}

/// A commit as the history needs it: its tree, parents and committer time.
pub(super) struct Parsed {
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    pub time: i64,
}

/// Read one commit: its tree, parents and committer time.
fn read_commit(
    reader: &mut Reader,
    id: &ObjectId,
    buf: &mut Vec<u8>,
) -> Result<Option<Parsed>, String> {
    match reader.read(id, buf) {
        Ok(Some(gix::object::Kind::Commit)) => {}
        Ok(Some(kind)) => return Err(format!("object {id}: expected a commit, found a {kind}")),
        Ok(None) => return Ok(None),
        Err(e) => return Err(format!("commit {id}: cannot read: {e}")),
    }
    parse_commit(id, buf).map(Some)
}

/// The tree, parents and committer time of commit `id`, whose object is `data`.
pub(super) fn parse_commit(id: &ObjectId, data: &[u8]) -> Result<Parsed, String> {
    let mut tree = None;
    let mut parents = Vec::new();
    let mut time = 0;
    for token in CommitRefIter::from_bytes(data, id.kind()) {
        match token {
            Ok(Token::Tree { id }) => tree = Some(id),
            Ok(Token::Parent { id }) => parents.push(id),
            Ok(Token::Author { .. }) => {}
            Ok(Token::Committer { signature }) => {
                time = signature.seconds();
                break;
            }
            Ok(_) => break,
            Err(e) => return Err(format!("commit {id}: corrupt: {e}")),
        }
    }
    match tree {
        Some(tree) => Ok(Parsed {
            tree,
            parents,
            time,
        }),
        None => Err(format!("commit {id}: corrupt: no tree")),
    }
}

/// A commit's tree, parents and committer time from the commit-graph file; `None` if it is not
/// there (or its date is not one the file can hold), to read the commit itself.
fn from_graph(graph: &gix::commitgraph::Graph, id: &ObjectId) -> Option<Parsed> {
    let c = graph.commit_by_id(id)?;
    let time = i64::try_from(c.committer_timestamp())
        .ok()
        .filter(|&t| t > 0)?;
    let tree = c.root_tree_id().to_owned();
    let mut parents = Vec::new();
    for p in c.iter_parents() {
        parents.push(graph.id_at(p.ok()?).to_owned());
    }
    Some(Parsed {
        tree,
        parents,
        time,
    })
}

/// Walk the history from the tips and choose the commits to audit; `on_read` is told of each
/// commit as it is read, with its committer time. A commit in `stored` (read already, see
/// [`super::prefetch`]) is taken from there instead of read again.
pub(super) fn load(
    repo: &gix::Repository,
    bundles: &Packs,
    select: &Select,
    stored: &mut FxMap<ObjectId, Parsed>,
    on_commit: &dyn Fn(u64),
    on_read: &dyn Fn(ObjectId, i64),
) -> Result<History> {
    let mut errors = Vec::new();
    // Straight from the packs the walk reads (not through a second mapping of the same files).
    let mut reader = Reader::new(repo, bundles, COMMIT_CACHE);
    let tips = tips(repo, &mut reader, select.branches, &mut errors)?;
    let shallow: Vec<ObjectId> = repo
        .shallow_commits()
        .ok()
        .flatten()
        .map(|c| c.iter().copied().collect())
        .unwrap_or_default();
    let mut index: FxMap<ObjectId, u32> = FxMap::default();
    let mut nodes: Vec<Node> = Vec::new();
    let mut pending_parents: Vec<Vec<ObjectId>> = Vec::new();
    let mut queue: Vec<(ObjectId, Option<ObjectId>)> = tips.iter().map(|t| (*t, None)).collect();
    let mut buf = Vec::new();
    // git's commit-graph file, when the repository has one and may use it (git ignores it in a
    // shallow clone): tree, parents and date without inflating the commit.
    let graph = repo
        .commit_graph_if_enabled()
        .ok()
        .flatten()
        .filter(|_| shallow.is_empty());
    let mut shallow_cut = 0;
    while let Some((id, child)) = queue.pop() {
        if index.contains_key(&id) {
            continue;
        }
        let read = match graph.as_ref().and_then(|g| from_graph(g, &id)) {
            Some(c) => Ok(Some(c)),
            None => match stored.remove(&id) {
                Some(c) => Ok(Some(c)),
                None => read_commit(&mut reader, &id, &mut buf),
            },
        };
        match read {
            Ok(Some(Parsed {
                tree,
                parents,
                time,
            })) => {
                on_read(id, time);
                let i = nodes.len() as u32;
                index.insert(id, i);
                let parents = if shallow.contains(&id) {
                    if !parents.is_empty() {
                        shallow_cut += 1;
                    }
                    Vec::new()
                } else {
                    parents
                };
                for p in &parents {
                    if !index.contains_key(p) {
                        queue.push((*p, Some(id)));
                    }
                }
                nodes.push(Node {
                    id,
                    tree,
                    time,
                    parents: Vec::new(),
                });
                pending_parents.push(parents);
                if nodes.len().is_multiple_of(256) {
                    on_commit(nodes.len() as u64);
                }
            }
            Ok(None) => match child {
                Some(c) => errors.push(format!("commit {id} (a parent of {c}) is missing")),
                None => errors.push(format!("commit {id} is missing")),
            },
            Err(e) => errors.push(e),
        }
    }
    for (i, parents) in pending_parents.into_iter().enumerate() {
        nodes[i].parents = parents
            .iter()
            .filter_map(|p| index.get(p).copied())
            .collect();
    }
    on_commit(nodes.len() as u64);

    let mut selected = vec![true; nodes.len()];
    if let Some(since) = select.since {
        for (i, n) in nodes.iter().enumerate() {
            selected[i] = n.time >= since;
        }
    }
    if let Some(max) = select.max_count {
        let mut order: Vec<u32> = (0..nodes.len() as u32)
            .filter(|&i| selected[i as usize])
            .collect();
        order.sort_by_key(|&i| Reverse((nodes[i as usize].time, nodes[i as usize].id)));
        for &i in order.iter().skip(max) {
            selected[i as usize] = false;
        }
    }

    // Kahn's algorithm over the selected commits; among the ready ones, the oldest first.
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    let mut waiting = vec![0u32; nodes.len()];
    let mut boundary = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if !selected[i] {
            continue;
        }
        for &p in &n.parents {
            if selected[p as usize] {
                children[p as usize].push(i as u32);
                waiting[i] += 1;
            } else {
                boundary.push(p);
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<(i64, ObjectId, u32)>> = BinaryHeap::new();
    for (i, n) in nodes.iter().enumerate() {
        if selected[i] && waiting[i] == 0 {
            ready.push(Reverse((n.time, n.id, i as u32)));
        }
    }
    let mut commits = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, _, i))) = ready.pop() {
        let n = &nodes[i as usize];
        commits.push(Commit {
            id: n.id,
            tree: n.tree,
        });
        for &c in &children[i as usize] {
            waiting[c as usize] -= 1;
            if waiting[c as usize] == 0 {
                let cn = &nodes[c as usize];
                ready.push(Reverse((cn.time, cn.id, c)));
            }
        }
    }
    boundary.sort_unstable();
    boundary.dedup();
    let boundary_trees = boundary.iter().map(|&b| nodes[b as usize].tree).collect();
    Ok(History {
        commits,
        boundary_trees,
        shallow_cut,
        errors,
    })
}
