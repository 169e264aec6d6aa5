//! JSON Schema validation of reports against the schemas vendored in `tests/data/`.

use serde_json::Value;

/// A validator for the JSON Schema `text`, checking formats (dates, URIs) too.
pub fn validator(text: &str) -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(text).expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// The official SARIF 2.1.0 schema (OASIS, errata 01).
pub fn sarif() -> jsonschema::Validator {
    validator(include_str!("../data/sarif-schema-2.1.0.json"))
}

/// Every schema violation in `doc`, one per line.
pub fn violations(v: &jsonschema::Validator, doc: &Value) -> String {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path))
        .collect::<Vec<_>>()
        .join("\n")
}
