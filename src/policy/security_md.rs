//! The checks of one policy document, in order: encoding, template, placeholders, contact,
//! staleness, supported versions, links. Manifests and git history are read only when a check
//! needs them (a versions table to compare; no date in the file).

use super::checks::{Check, Checks, Fault};
use super::dates::Day;
use super::document::Document;
use super::source::Source;
use super::stale::LastChange;
use super::{contact, encoding, history, links, stale, supported, template, unfilled, version};

/// Every hit in the policy at `path`, whose bytes are `raw`.
pub fn check(
    path: &str,
    raw: &[u8],
    source: &Source,
    settings: &Checks,
    today: Day,
    notes: &mut Vec<String>,
) -> Vec<Fault> {
    let doc = Document::new(path, raw);
    let on = |c: Check| settings.enabled(c);
    let mut hits = Vec::new();
    if on(Check::Encoding) {
        hits.extend(encoding::check(&doc, raw));
    }
    if on(Check::Template) {
        hits.extend(template::check(&doc));
    }
    if on(Check::Placeholder) {
        hits.extend(unfilled::check(&doc));
    }
    if on(Check::NoContact) || on(Check::PublicChannel) {
        hits.extend(contact::check(&doc));
    }
    if on(Check::Stale) {
        let history = || match (source.repo(), source.history_start()) {
            (Some(repo), Some(start)) => {
                let current = if source.is_worktree() {
                    source.hash(raw)
                } else {
                    None
                };
                history::last_change(repo, start, path, current).unwrap_or_else(|e| {
                    source.fail(e.context(format!("{path}: its history")));
                    LastChange::Unknown
                })
            }
            (Some(_), None) => LastChange::Now,
            (None, _) => {
                notes.push(format!(
                    "{path}: not in a git repository, so an undated policy's age is unknown"
                ));
                LastChange::Unknown
            }
        };
        hits.extend(stale::check(&doc, today, settings.max_age_days, history));
    }
    if on(Check::UnsupportedVersion) {
        let current = || version::project_version(source, notes);
        hits.extend(supported::check(&doc, current));
    }
    if on(Check::BrokenLink) {
        hits.extend(links::check(&doc, source));
    }
    hits
}
