//! The integration tests, as one binary: it links once, and its modules share `util/` (the
//! temporary repository, fake tokens, the typed JSON report) and the labelled `corpus/`. Each
//! module runs the real hushguard binary; `cmd` runs the command-line cases kept as data in
//! `tests/cmd/`.

mod corpus;
mod util;

mod audit;
mod ci_formats;
mod cli;
mod cmd;
mod detection;
mod every_mode;
mod first_use;
mod hooks;
mod hostile;
mod import;
mod policy;
mod precommit_framework;
mod prereceive;
mod properties;
mod range;
mod rules;
mod sarif;
mod snapshots;
mod staged;

/// With `autotests = false` a file in `tests/` that is not declared above would never be
/// compiled or run: its tests would be lost without a sound.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let main = std::fs::read_to_string(dir.join("main.rs")).unwrap();
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = if path.extension().is_some_and(|e| e == "rs") {
            path.file_stem().unwrap().to_string_lossy().into_owned()
        } else if path.join("mod.rs").is_file() {
            path.file_name().unwrap().to_string_lossy().into_owned()
        } else {
            continue;
        };
        if name != "main" && !main.contains(&format!("\nmod {name};\n")) {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "add `mod NAME;` to tests/main.rs for {missing:?}"
    );
}
