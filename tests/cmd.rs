//! Command-line cases that need no repository, as data: each `tests/cmd/*.toml` names the
//! arguments and the exit code, and `NAME.stdout` / `NAME.stderr` beside it hold the expected output
//! (`--help` texts, errors for bad flags and bad rules or configuration files). After an intended
//! change of output, `TRYCMD=overwrite cargo test --test cmd` rewrites them for review.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin(
            "hushguard",
            std::path::Path::new(env!("CARGO_BIN_EXE_hushguard")),
        )
        .case("tests/cmd/*.toml");
}
