//! Embeds every `patterns/*.toml` file in the binary (as JSON), so the installed tool needs no files
//! beside it and loads its rules fast. Each file becomes two: its rules without their examples
//! (what a scan loads), and the examples and negative examples of each rule in order (what
//! `rules check` and the tests add back): a scan has no use for the 5,800 examples, and parsing
//! them cost a fifth of a start-up.
//!
//! It also builds, for each built-in rule, the small DFA that screens the rule's windows before
//! its regex runs (see `src/matcher/screen.rs`), so that a scan neither compiles nor runs the
//! regex of a rule whose windows hold no match; and each built-in rule's shape (see
//! `src/matcher/shape.rs`), so that a scan parses only the patterns it compiles.

#[path = "src/rules/context_regex.rs"]
mod context_regex;
#[path = "src/matcher/screen_build.rs"]
mod screen_build;
/// The matcher's modules that work out a rule's shape (what else they hold, the scan uses).
#[allow(dead_code)]
#[path = "src/matcher"]
mod matcher {
    #[path = "needed.rs"]
    pub mod needed;
    #[path = "runs.rs"]
    pub mod runs;
    #[path = "shape.rs"]
    pub mod shape;

    /// The shape of a rule with this pattern, Unicode setting and keywords, as its `Debug`.
    pub fn shape_of(pattern: &str, unicode: bool, keywords: &[String]) -> String {
        let hir = shape::parse(pattern, unicode);
        format!("{:?}", shape::Shape::of(pattern, hir.as_ref(), keywords))
    }

    /// A rule's keywords as the scan compares them with a row's.
    pub fn keywords_key(keywords: &[String]) -> String {
        shape::keywords_key(keywords)
    }
}

use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("patterns");
    println!("cargo:rerun-if-changed={}", dir.display());
    for shared in [
        "src/rules/context_regex.rs",
        "src/matcher/screen_build.rs",
        "src/matcher/needed.rs",
        "src/matcher/runs.rs",
        "src/matcher/shape.rs",
    ] {
        println!("cargo:rerun-if-changed={shared}");
    }
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
    let mut screened = Vec::new();
    let mut shaped = Vec::new();
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
                if let toml::Value::Table(rule) = rule {
                    if let Some(found) = final_pattern(rule) {
                        shaped.push((found.clone(), strings(rule.get("keywords"))));
                        screened.push(found);
                    }
                }
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
    write_screens(&out_dir, screened);
    write_shapes(&out_dir, shaped);
}

/// The strings of a TOML array (none if it is not one).
fn strings(v: Option<&toml::Value>) -> Vec<String> {
    v.and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| Some(s.as_str()?.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A rule's id, the regex it runs (a context rule's built as the loader builds it) and whether it
/// asks for Unicode; `None` for a rule without either (the loader rejects it, naming it).
fn final_pattern(rule: &toml::Table) -> Option<(String, String, bool)> {
    let id = rule.get("id")?.as_str()?.to_string();
    let unicode = rule
        .get("unicode")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    if let Some(regex) = rule.get("regex") {
        return Some((id, regex.as_str()?.to_string(), unicode));
    }
    let context = rule.get("context")?.as_table()?;
    let mut names = strings(context.get("names"));
    if names.is_empty() {
        names = strings(rule.get("keywords"));
    }
    let within = match context.get("within") {
        Some(w) => usize::try_from(w.as_integer()?).ok()?,
        None => context_regex::DEFAULT_WITHIN,
    };
    let multiline = context
        .get("multiline")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    let word = context
        .get("word")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    let token = context.get("token")?.as_str()?;
    let pattern = context_regex::context_regex(&names, within, multiline, word, token);
    Some((id, pattern, unicode))
}

/// Build every rule's screening DFAs (on every core: seconds in all) and write them as one blob,
/// each at an offset aligned for `dense::DFA::from_bytes`, with `screens.rs`: the table
/// `(id, pattern, unicode, [(offset, length)])` sorted by id, and the blob, 8-byte aligned.
fn write_screens(out_dir: &Path, mut rules: Vec<(String, String, bool)>) {
    rules.sort();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = rules.len().div_ceil(threads).max(1);
    let built: Vec<Vec<Vec<u8>>> = std::thread::scope(|s| {
        let workers: Vec<_> = rules
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(_, p, u)| screen_build::screens(p, *u))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("screen builder"))
            .collect()
    });
    let mut blob = Vec::new();
    let mut table = String::from("static SCREENS: &[ScreenEntry] = &[\n");
    for ((id, pattern, unicode), dfas) in rules.iter().zip(built) {
        if dfas.is_empty() {
            continue;
        }
        let mut at = Vec::new();
        for dfa in dfas {
            blob.resize(blob.len().next_multiple_of(8), 0);
            at.push((blob.len(), dfa.len()));
            blob.extend_from_slice(&dfa);
        }
        table.push_str(&format!("    ({id:?}, {pattern:?}, {unicode}, &{at:?}),\n"));
    }
    table.push_str("];\n");
    let bin = out_dir.join("screens.bin");
    fs::write(&bin, &blob).expect("write screens.bin");
    table.push_str(&format!(
        "static SCREEN_BLOB: &Aligned<[u8]> = &Aligned {{ _align: [], bytes: *include_bytes!({:?}) }};\n",
        bin.display().to_string()
    ));
    fs::write(out_dir.join("screens.rs"), table).expect("write screens.rs");
}

/// Work out every rule's shape as the matcher does, and write `shapes.rs`: the table of rows
/// `(id end, pattern end, keywords end, unicode, shape)` sorted by id, each shape written as its
/// `Debug` (`src/matcher/built.rs` has the names it uses in scope), and `shapes.txt`, each row's id,
/// pattern and keywords one after the other. Offsets, not `&str`s: a table of pointers is
/// relocated at each start-up.
fn write_shapes(out_dir: &Path, mut rules: Vec<((String, String, bool), Vec<String>)>) {
    rules.sort();
    let mut text = String::new();
    let mut table = String::from("static SHAPES: &[ShapeRow] = &[\n");
    for ((id, pattern, unicode), keywords) in &rules {
        let shape = matcher::shape_of(pattern, *unicode, keywords);
        let mut end = |s: &str| {
            text.push_str(s);
            text.len()
        };
        let (id, pattern, keywords) =
            (end(id), end(pattern), end(&matcher::keywords_key(keywords)));
        table.push_str(&format!(
            "    ({id}, {pattern}, {keywords}, {unicode}, {shape}),\n"
        ));
    }
    table.push_str("];\n");
    let text_path = out_dir.join("shapes.txt");
    fs::write(&text_path, text).expect("write shapes.txt");
    table.push_str(&format!(
        "static SHAPE_TEXT: &str = include_str!({:?});\n",
        text_path.display().to_string()
    ));
    fs::write(out_dir.join("shapes.rs"), table).expect("write shapes.rs");
}
