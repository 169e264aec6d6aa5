//! `hushguard scan --pre-receive`: the server's guard, which nobody skips with `--no-verify`.
//!
//! git runs the pre-receive hook in the receiving repository with one `<old> <new> <ref>` line per
//! ref the push updates, before any ref moves, while the pushed objects sit in a quarantine
//! directory (see [`crate::git::quarantine`]). The scan covers exactly what the push brings: the commits
//! reachable from the new tips and from no ref the repository already has (new branches, updates,
//! force pushes and tags alike; deleted refs bring nothing), each with the added-lines and merge
//! semantics of `--range`, their commit messages and the messages of annotated tags. A tag of a
//! tree or a blob is scanned whole.
//!
//! Nothing is read from the pushed objects to configure the scan: the configuration is `--config
//! FILE` or `.hushguard.toml` in the repository's git directory, never in its work tree (a non-bare
//! repository updated by pushes would let a pusher rewrite it); the bypass and the time limit are
//! git configuration of the server's repository (`hushguard.allowSkip`, `hushguard.timeLimit`,
//! `hushguard.onTimeout`).

use super::git_scan::ChangeSet;
use super::range;
use crate::error::{Error, Result};
use crate::git::{self, Delta};
use crate::outcome::Outcome;
use gix::bstr::{BString, ByteSlice};
use gix::ObjectId;

/// The push option that asks for the bypass: `git push -o hushguard.skip="reason"`.
pub(crate) const SKIP_OPTION: &str = "hushguard.skip";

/// One line of the hook's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub old: String,
    pub new: String,
    pub name: String,
}

/// Parse the `<old> <new> <ref>` lines; deleted refs (new all zeros) are left out.
pub fn parse_updates(input: &str) -> Result<Vec<Update>, Error> {
    let mut out = Vec::new();
    for (n, line) in input.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        // The line is echoed only as a short, redacted excerpt: a pusher's hook input is not
        // trusted, and a 20 MB line must not become 20 MB of error text.
        let bad = || {
            Error::Input(format!(
                "standard input, line {}: unexpected pre-receive line {} (expected `<old> <new> <ref>`)",
                n + 1,
                crate::quote::excerpt(line.as_bytes())
            ))
        };
        let mut parts = line.splitn(3, ' ');
        let (Some(old), Some(new), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !hex(old) || !hex(new) {
            return Err(bad());
        }
        if new.bytes().all(|b| b == b'0') {
            continue;
        }
        out.push(Update {
            old: old.to_string(),
            new: new.to_string(),
            name: name.to_string(),
        });
    }
    Ok(out)
}

/// The reason given with the bypass option, if it was given (`Some("")` without a reason).
pub fn skip_reason(options: &[String]) -> Option<String> {
    options.iter().rev().find_map(|o| {
        if o == SKIP_OPTION {
            Some(String::new())
        } else {
            o.strip_prefix(SKIP_OPTION)
                .and_then(|r| r.strip_prefix('='))
                .map(|r| r.trim().to_string())
        }
    })
}

/// What a push brings, ready to scan: the pushed commits (each with the added-lines and merge
/// semantics of `--range`) and, for a ref that names a tree or a blob, everything in it.
pub(crate) fn push_changes(
    repo: &gix::Repository,
    updates: &[Update],
    out: &mut Outcome,
) -> Result<(Vec<ObjectId>, ChangeSet)> {
    let Pushed { commits, others } = pushed(repo, updates)?;
    let mut set = range::commit_changes(repo, &commits, out)?;
    for (name, id) in others {
        non_commit(repo, &name, id, &mut set, out)?;
    }
    Ok((commits, set))
}

/// What a push brings.
struct Pushed {
    /// The commits reachable from a new tip and from no existing ref.
    commits: Vec<ObjectId>,
    /// New tips that are not commits (a tag of a tree or a blob), with their ref names.
    others: Vec<(String, ObjectId)>,
}

/// The commits and other objects the push brings.
fn pushed(repo: &gix::Repository, updates: &[Update]) -> Result<Pushed> {
    let mut tips = Vec::new();
    let mut others = Vec::new();
    for u in updates {
        let id = ObjectId::from_hex(u.new.as_bytes())
            .map_err(|e| Error::Git(format!("{}: `{}` is not an object id: {e}", u.name, u.new)))?;
        let obj = repo
            .find_object(id)
            .and_then(|o| o.peel_tags_to_end())
            .map_err(|e| {
                Error::Git(format!(
                    "{}: cannot read the pushed object {id}: {e}",
                    u.name
                ))
            })?;
        match obj.kind {
            gix::object::Kind::Commit => tips.push(obj.id),
            _ => others.push((u.name.clone(), obj.id)),
        }
    }
    if tips.is_empty() {
        return Ok(Pushed {
            commits: Vec::new(),
            others,
        });
    }
    let existing = existing_commits(repo)?;
    Ok(Pushed {
        commits: range::walk(repo, &tips, &existing)?,
        others,
    })
}

/// The commits every ref of the repository points to (through tags), before the push moves any.
fn existing_commits(repo: &gix::Repository) -> Result<Vec<ObjectId>> {
    let refs = repo
        .references()
        .map_err(|e| Error::Git(format!("cannot read the references: {e}")))?;
    let iter = refs
        .all()
        .map_err(|e| Error::Git(format!("cannot read the references: {e}")))?;
    // Each object is read once, however many refs name it: a million tags of one commit read
    // that commit a million times (23 s of the hook's time on a loose object).
    let mut targets: Vec<ObjectId> = iter
        .filter_map(|r| Some(r.ok()?.try_id()?.detach()))
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let mut out = Vec::new();
    for id in targets {
        if let Ok(obj) = repo.find_object(id).and_then(|o| o.peel_tags_to_end()) {
            if obj.kind == gix::object::Kind::Commit {
                out.push(obj.id);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// A ref that names a tree or a blob: everything in it is new (it has no parent to compare with).
fn non_commit(
    repo: &gix::Repository,
    name: &str,
    id: ObjectId,
    set: &mut ChangeSet,
    out: &mut Outcome,
) -> Result<()> {
    let kind = repo
        .find_header(id)
        .map_err(|e| Error::Git(format!("{name}: cannot read {id}: {e}")))?
        .kind();
    let mut deltas = Vec::new();
    match kind {
        gix::object::Kind::Tree => git::diff_trees(
            repo,
            None,
            Some(&id),
            BString::from(name).as_bstr(),
            &mut deltas,
        )?,
        gix::object::Kind::Blob => deltas.push(Delta {
            path: BString::from(name),
            old: None,
            new: Some((gix::objs::tree::EntryKind::Blob.into(), id)),
        }),
        _ => return Ok(()),
    }
    set.add_deltas(deltas, None, out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_skip_deleted_refs_and_reject_garbage() {
        let (z, a) = ("0".repeat(40), "a".repeat(40));
        let input = format!("{z} {a} refs/heads/new branch\n{a} {z} refs/heads/gone\n\n");
        let u = parse_updates(&input).unwrap();
        assert_eq!(
            u,
            vec![Update {
                old: z.clone(),
                new: a.clone(),
                name: "refs/heads/new branch".into()
            }]
        );
        assert!(parse_updates("refs/heads/main").is_err());
        assert!(parse_updates(&format!("{a} xyz refs/heads/main")).is_err());
    }

    #[test]
    fn a_bad_line_is_named_by_number_and_echoed_short_and_redacted() {
        let a = "a".repeat(40);
        // A token-shaped run on the pusher's input, and a megabyte of it: neither is echoed.
        let token: String = ["ghp", "_", &"Zq7".repeat(12)].concat();
        let long = format!("{a} {a} refs/heads/ok\n{token} {}\n", "x".repeat(1 << 20));
        let e = parse_updates(&long).unwrap_err().to_string();
        assert!(e.starts_with("standard input, line 2: "), "{e}");
        assert!(!e.contains(&token), "{e}");
        assert!(e.len() < 400, "{} bytes", e.len());
        let e = parse_updates("x\u{1b}]0;pwned\u{7} y z")
            .unwrap_err()
            .to_string();
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }

    #[test]
    fn the_skip_option_carries_its_reason() {
        let o = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(skip_reason(&o(&["ci.skip"])), None);
        assert_eq!(
            skip_reason(&o(&["hushguard.skip=rotated already "])),
            Some("rotated already".into())
        );
        assert_eq!(skip_reason(&o(&["hushguard.skip"])), Some(String::new()));
        assert_eq!(skip_reason(&o(&["hushguard.skipper=x"])), None);
    }
}
