//! The human report: findings grouped by file as `path:line:column`, the rule, the redacted secret,
//! and what to do next. Nothing at all when there is nothing to say.

use super::{shown_secret, ReportOptions, RunKind};
use crate::finding::{Finding, Kind, Severity};
use crate::git::state::FileState;
use crate::outcome::{Outcome, Summary};
use crate::quote::{escape_controls, quote};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

struct Paint {
    on: bool,
}

impl Paint {
    fn p(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical | Severity::Error => AnsiColor::Red.on_default().bold(),
        Severity::Warning => AnsiColor::Yellow.on_default().bold(),
        Severity::Info => AnsiColor::Cyan.on_default(),
    }
}

pub(crate) fn render(outcome: &Outcome, opts: &ReportOptions) -> String {
    let paint = Paint { on: opts.color };
    let mut out = String::new();
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let mut last_path: Option<&str> = None;
    for f in &outcome.findings {
        if last_path != Some(f.path.as_str()) {
            if last_path.is_some() {
                out.push('\n');
            }
            let _ = writeln!(out, "{}", paint.p(bold.underline(), &quote(&f.path)));
            last_path = Some(&f.path);
        }
        finding(&mut out, f, opts, &paint, dim);
    }
    if outcome.findings.is_empty() {
        return out;
    }
    let blocking = outcome
        .findings
        .iter()
        .filter(|f| opts.fail_on.blocks(f))
        .count();
    let files = {
        let mut p: Vec<&str> = outcome.findings.iter().map(|f| f.path.as_str()).collect();
        p.dedup();
        p.len()
    };
    let n = outcome.findings.len();
    out.push('\n');
    let head = match opts.run {
        RunKind::Staged if blocking > 0 => format!(
            "hushguard blocked this commit: {n} finding{} in {files} file{}.",
            plural(n),
            plural(files)
        ),
        RunKind::PreReceive if blocking > 0 => format!(
            "hushguard rejected this push: {n} finding{} in {files} location{}. Nothing of the push landed.",
            plural(n),
            plural(files)
        ),
        RunKind::CommitMsg if blocking > 0 => format!(
            "hushguard blocked this commit: {n} finding{} in its message.",
            plural(n)
        ),
        RunKind::Range if blocking > 0 => format!(
            "hushguard blocked this push: {n} finding{} in {files} file{}.",
            plural(n),
            plural(files)
        ),
        _ => format!(
            "hushguard: {n} finding{} in {files} file{} ({blocking} blocking).",
            plural(n),
            plural(files)
        ),
    };
    let _ = writeln!(
        out,
        "{}",
        paint.p(AnsiColor::Red.on_default().bold(), &head)
    );
    if let Some(hidden) = not_shown(&outcome.summary) {
        let _ = writeln!(out, "  {}", paint.p(dim, &format!("Not shown: {hidden}.")));
    }
    advice(&mut out, outcome, opts);
    out
}

/// What the report leaves out, for its reader: findings the baseline suppressed and files skipped
/// (`2 findings in the baseline; 3 files skipped: 2 binary, 1 too_large`), or nothing.
fn not_shown(s: &Summary) -> Option<String> {
    let mut parts = Vec::new();
    if s.baselined > 0 {
        let n = s.baselined as usize;
        parts.push(format!("{n} finding{} in the baseline", plural(n)));
    }
    if s.files_skipped > 0 {
        parts.push(skipped(s));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// `3 files skipped: 2 binary, 1 too_large` (blobs in history mode).
fn skipped(s: &Summary) -> String {
    let n = s.files_skipped as usize;
    let what = if s.blobs.is_some() { "blob" } else { "file" };
    let why: Vec<String> = s.skipped.iter().map(|(k, v)| format!("{v} {k}")).collect();
    format!("{n} {what}{} skipped: {}", plural(n), why.join(", "))
}

/// The one line a person at a terminal gets at the end of a run, even a clean one:
/// `hushguard: 120 files, 1.2 MB scanned in 15 ms: no findings, 2 in the baseline, 3 files skipped: …`.
pub(crate) fn summary_line(s: &Summary) -> String {
    let mut what = Vec::new();
    if let Some(c) = s.commits {
        what.push(format!("{c} commit{}", plural(c as usize)));
    }
    let n = s.blobs.unwrap_or(s.files_scanned) as usize;
    let unit = if s.blobs.is_some() { "blob" } else { "file" };
    what.push(format!("{n} {unit}{}", plural(n)));
    what.push(bytes(s.bytes_scanned));
    let mut line = format!(
        "hushguard: {} scanned in {}: ",
        what.join(", "),
        duration(s.duration_ms)
    );
    match s.findings {
        0 => line.push_str("no findings"),
        n => line.push_str(&format!("{n} finding{}", plural(n))),
    }
    if s.baselined > 0 {
        line.push_str(&format!(", {} in the baseline", s.baselined));
    }
    if s.files_skipped > 0 {
        line.push_str(&format!(", {}", skipped(s)));
    }
    line
}

fn bytes(n: u64) -> String {
    match n {
        0..1_000 => format!("{n} B"),
        1_000..1_000_000 => format!("{:.1} kB", n as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", n as f64 / 1e6),
        _ => format!("{:.2} GB", n as f64 / 1e9),
    }
}

fn duration(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1e3)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn finding(out: &mut String, f: &Finding, opts: &ReportOptions, paint: &Paint, dim: Style) {
    let loc = format!("{}:{}:{}", quote(&f.path), f.line, f.column);
    let _ = writeln!(
        out,
        "  {}  {}  {}  {}",
        loc,
        paint.p(severity_style(f.severity), f.severity.as_str()),
        paint.p(Style::new().bold(), &escape_controls(&f.rule_id)),
        escape_controls(&f.description)
    );
    if let Some(s) = shown_secret(f, opts.show_secrets) {
        let _ = writeln!(out, "      secret: {}", escape_controls(&s));
    }
    if let Some(c) = &f.commit {
        let short = &c.commit[..c.commit.len().min(12)];
        let _ = writeln!(
            out,
            "      {}",
            paint.p(
                dim,
                &escape_controls(&format!(
                    "commit {short} by {} <{}> on {}",
                    c.author, c.email, c.date
                ))
            )
        );
    }
    if f.at_head == Some(true) {
        let _ = writeln!(out, "      {}", paint.p(dim, "still present at HEAD"));
    }
    if !f.message.is_empty() {
        let _ = writeln!(out, "      {}", escape_controls(&f.message));
    }
}

fn advice(out: &mut String, outcome: &Outcome, opts: &ReportOptions) {
    let has = |k: Kind| outcome.findings.iter().any(|f| f.kind == k);
    if opts.run == RunKind::PreReceive {
        push_advice(out, outcome);
        return;
    }
    if opts.run == RunKind::CommitMsg {
        out.push_str("  Take the secret out of the message and commit again (git keeps your text in .git/COMMIT_EDITMSG).\n");
        out.push_str(
            "  If it is real, revoke and rotate it: it has been pasted somewhere already.\n",
        );
        return;
    }
    if has(Kind::Secret) {
        out.push_str(
            "  If a secret is real: remove it, and revoke and rotate it; treat it as leaked.\n",
        );
        if opts.run == RunKind::Range || opts.run == RunKind::Audit {
            out.push_str("    It is in commit history: rewriting history does not un-leak it, rotation does.\n");
        }
        out.push_str("  If it is not a secret: add `hushguard:allow` in a comment on that line.\n");
    }
    if has(Kind::File) && opts.run == RunKind::Staged {
        let mut paths: Vec<String> = outcome
            .findings
            .iter()
            .filter(|f| f.kind == Kind::File)
            .map(|f| shell_word(&f.path))
            .collect();
        paths.dedup();
        let _ = writeln!(
            out,
            "  For a forbidden file: unstage it with `git rm --cached -- {}`, add it to .gitignore, keep it out of git.",
            paths.join(" ")
        );
        out.push_str("    If the file is a harmless fixture, allow its path under [files] allow in .hushguard.toml.\n");
    } else if has(Kind::File) && opts.run == RunKind::Scan {
        out.push_str("  For a forbidden file, by what git holds of it:\n");
        let mut last = None;
        for f in outcome.findings.iter().filter(|f| f.kind == Kind::File) {
            if last == Some(f.path.as_str()) {
                continue;
            }
            last = Some(f.path.as_str());
            let state = outcome.file_states.get(&f.path).copied();
            let _ = writeln!(out, "    {}", file_advice(&f.path, state));
        }
        out.push_str("    If the file is a harmless fixture, allow its path under [files] allow in .hushguard.toml.\n");
    } else if has(Kind::File) {
        out.push_str("  For a forbidden file: `git rm --cached PATH`, add it to .gitignore, keep it out of git.\n");
        out.push_str("    If the file is a harmless fixture, allow its path under [files] allow in .hushguard.toml.\n");
    }
    if has(Kind::Secret) || has(Kind::File) {
        out.push_str("  Adopting hushguard on old code: `hushguard baseline` records today's findings so only new ones block.\n");
    }
}

/// What to do with a forbidden file found on disk, by what git holds of it.
fn file_advice(path: &str, state: Option<FileState>) -> String {
    let word = shell_word(path);
    match state.unwrap_or(FileState::Untracked) {
        FileState::Untracked => format!(
            "{path}: not in git; keep it out: make sure .gitignore covers it (`git check-ignore -v -- {word}`)."
        ),
        FileState::Staged => format!(
            "{path}: staged, not committed yet; unstage it with `git rm --cached -- {word}` and add it to .gitignore."
        ),
        FileState::Committed => format!(
            "{path}: committed; `git rm --cached -- {word}`, commit, add it to .gitignore, and rotate what it holds: it stays in the history."
        ),
    }
}

/// What the pusher does next: the findings are in commits the server refused, so the commits are
/// rewritten locally and pushed again.
fn push_advice(out: &mut String, outcome: &Outcome) {
    let in_message = outcome.findings.iter().any(Finding::in_message);
    let in_files = outcome.findings.iter().any(|f| !f.in_message());
    out.push_str("  To push again, rewrite the commits named above in your clone:\n");
    if in_files {
        out.push_str(
            "    the last commit: remove the secret or file, `git add`, then `git commit --amend`;\n",
        );
        out.push_str("    an earlier one: `git rebase -i COMMIT^`, mark it `edit`, fix it, `git commit --amend`, `git rebase --continue`.\n");
    }
    if in_message {
        out.push_str("    a commit message: `git commit --amend` (last commit) or `git rebase -i COMMIT^` and `reword`;\n");
        out.push_str("    a tag message: `git tag -d TAG`, then tag again with a clean message.\n");
    }
    out.push_str("  Rotate the secret if it was ever real: it has left your machine.\n");
    out.push_str(
        "  Then push again. If it is not a secret, add `hushguard:allow` in a comment on that line.\n",
    );
}

/// `path` as one shell word, quoted only when it needs to be.
fn shell_word(path: &str) -> String {
    if !path.is_empty()
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._/-+@%=:,".contains(&b))
    {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}
