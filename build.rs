//! Embeds every `patterns/*.toml` file in the binary (as JSON), so the installed tool needs no files
//! beside it and loads its rules fast. Each file becomes two: its rules without their examples
//! (what a scan loads), and the examples and negative examples of each rule in order (what
//! `rules check` and the tests add back): a scan has no use for the 5,800 examples, and parsing
//! them cost a fifth of a start-up.

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("patterns");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("patterns/ directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    // Each TOML file is converted to JSON here, once: parsing JSON at start-up is several times
    // cheaper than parsing TOML, and the hook pays start-up at every commit. A file that is not
    // valid TOML fails the build, naming the file and the line.
    let out_dir = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    let mut out = String::from("pub static BUILTIN_PATTERNS: &[(&str, &str, &str)] = &[\n");
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let mut value: toml::Table =
            toml::from_str(&text).unwrap_or_else(|e| panic!("patterns/{name}: {e}"));
        let mut examples = Vec::new();
        if let Some(toml::Value::Array(rules)) = value.get_mut("rule") {
            for rule in rules {
                let mut taken = toml::Table::new();
                if let toml::Value::Table(rule) = rule {
                    for key in ["examples", "negative_examples"] {
                        if let Some(v) = rule.remove(key) {
                            taken.insert(key.to_string(), v);
                        }
                    }
                }
                examples.push(toml::Value::Table(taken));
            }
        }
        let write = |suffix: &str, json: String| {
            let path = out_dir.join(format!("{name}.{suffix}.json"));
            fs::write(&path, json).expect("write json");
            path.display().to_string()
        };
        let rules = write("rules", serde_json::to_string(&value).expect("json"));
        let examples = write("examples", serde_json::to_string(&examples).expect("json"));
        out.push_str(&format!(
            "    (\"patterns/{name}\", include_str!({rules:?}), include_str!({examples:?})),\n"
        ));
    }
    out.push_str("];\n");
    fs::write(out_dir.join("patterns.rs"), out).expect("write patterns.rs");
}
