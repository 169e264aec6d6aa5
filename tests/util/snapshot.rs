//! Snapshots of the human report: a run's exit code, standard output and standard error,
//! redacted of what changes from run to run, compared with `tests/snapshots/NAME.txt`. A
//! mismatch fails the test wherever it runs; after an intended change of output,
//! `SNAPSHOTS=overwrite cargo test --test integration snapshots::` rewrites the files, and the
//! diff shows in review.

use super::Repo;
use std::path::Path;
use std::process::Output;

/// The run as one text, with the temporary directories and durations redacted.
pub fn redacted(repo: &Repo, out: &Output) -> String {
    let text = format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().map_or("signal".into(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = text
        .replace(&repo.path().display().to_string(), "[REPO]")
        .replace(&repo.home.path().display().to_string(), "[HOME]");
    // Durations: `12 ms`, `1.3 s`, `0.01s`.
    let duration = regex::Regex::new(r"\b\d+(\.\d+)? ?(ms|s)\b").unwrap();
    text = duration.replace_all(&text, "[DURATION]").into_owned();
    text
}

/// Assert that the run matches the snapshot `tests/snapshots/NAME.txt`.
#[track_caller]
pub fn assert_snapshot(name: &str, repo: &Repo, out: &Output) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .eq(redacted(repo, out), snapbox::Data::read_from(&path, None));
}
