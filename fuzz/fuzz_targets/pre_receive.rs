//! Pre-receive input (`<old> <new> <ref>` lines) and push options: parsed into hex ids with
//! deleted refs dropped, or an error that names the line, is short, and holds no control
//! character; a skip option's reason is bounded by its input.
#![no_main]

use hushguard::sources::prereceive::{parse_updates, skip_reason};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_updates(&text) {
        Ok(updates) => {
            assert!(updates.len() <= text.lines().count());
            for u in updates {
                assert!(!u.old.is_empty() && u.old.bytes().all(|b| b.is_ascii_hexdigit()));
                assert!(!u.new.is_empty() && u.new.bytes().all(|b| b.is_ascii_hexdigit()));
                assert!(!u.new.bytes().all(|b| b == b'0'), "a deleted ref is kept");
                assert!(!u.name.contains('\n'));
            }
        }
        Err(e) => {
            let e = e.to_string();
            assert!(e.starts_with("standard input, line "), "{e}");
            assert!(e.len() < 400, "{} bytes", e.len());
            assert!(!e.chars().any(char::is_control), "{e:?}");
        }
    }
    let options: Vec<String> = text.split('\0').map(str::to_string).collect();
    if let Some(reason) = skip_reason(&options) {
        assert!(reason.len() <= text.len());
    }
});
