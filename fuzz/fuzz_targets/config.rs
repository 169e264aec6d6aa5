//! `.hushguard.toml` and rule files: parsed or rejected naming the file, never a panic, and an
//! error never echoes a long token-like run of the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = hushguard::config::Config::parse(Path::new("c.toml"), text) {
        let e = e.to_string();
        assert!(e.starts_with("c.toml: "), "{e}");
        assert!(e.len() < 4096 + text.len().min(4096), "error longer than its input allows");
    }
    match hushguard::rules::parse_rules("r.toml", text, true) {
        Ok(rules) => {
            let _ = hushguard::scan::check::check_rules(&rules);
        }
        Err(e) => assert!(e.to_string().starts_with("r.toml"), "{e}"),
    }
});
