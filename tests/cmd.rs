//! Command-line cases that need no repository, as data: each `tests/cmd/*.toml` names the
//! arguments and the exit code, `NAME.in/` (if any) is the directory it runs in (copied to a
//! temporary sandbox), and `NAME.stdout` / `NAME.stderr` beside it hold the expected output
//! (`--help` texts, errors for bad flags and bad rules or configuration files). After an intended
//! change of output, `TRYCMD=overwrite cargo test --test integration cmd::` rewrites them for
//! review.

use crate::util::Repo;

#[test]
fn cli_cases() {
    // The same isolated HOME and git configuration every other test runs with.
    let isolated = Repo::empty();
    let home = isolated.home.path();
    trycmd::TestCases::new()
        .register_bin("hushguard", crate::util::bin())
        .env("HOME", home.display().to_string())
        .env(
            "XDG_CONFIG_HOME",
            home.join(".config").display().to_string(),
        )
        .env(
            "GIT_CONFIG_GLOBAL",
            home.join(".gitconfig").display().to_string(),
        )
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .case("tests/cmd/*.toml");
}
