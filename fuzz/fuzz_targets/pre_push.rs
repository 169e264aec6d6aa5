//! Pre-push (and pre-receive shaped) input: parsed into object ids, or an error that names the
//! line, is short, and holds no control character.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match hushguard::sources::range::parse_pre_push(&text) {
        Ok(lines) => {
            for (local, remote) in lines {
                assert!(local.bytes().all(|b| b.is_ascii_hexdigit()));
                assert!(remote.bytes().all(|b| b.is_ascii_hexdigit()));
            }
        }
        Err(e) => {
            let e = e.to_string();
            assert!(e.starts_with("standard input, line "), "{e}");
            assert!(e.len() < 400, "{} bytes", e.len());
            assert!(!e.chars().any(char::is_control), "{e:?}");
        }
    }
    let q = hushguard::quote::quote(&text);
    assert!(!q.chars().any(char::is_control));
    let x = hushguard::quote::excerpt(data);
    assert!(x.chars().count() < 120);
});
