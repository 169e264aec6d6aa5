//! The baseline file: loaded or rejected naming the file; what loads has the known version and
//! writes back to an equal baseline.
#![no_main]

use hushguard::baseline::{Baseline, VERSION};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Baseline::from_bytes("b.json", data) {
        Ok(b) => {
            assert_eq!(b.version, VERSION);
            let again = Baseline::from_bytes("b.json", b.to_json().as_bytes()).unwrap();
            assert_eq!(again, b);
        }
        Err(e) => assert!(e.to_string().starts_with("b.json"), "{e}"),
    }
});
