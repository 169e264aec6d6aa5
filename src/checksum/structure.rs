//! Structural validators: token formats whose own structure identifies them without a keyword
//! or a checksum (a Discord bot token's first part is the base64 of a numeric id; a JWT's header
//! is base64url JSON naming its algorithm). Named by a rule's `checksum` like the checksums.

use super::base64::base64_decode;

/// Discord bot token: `base64(user id) . timestamp . HMAC`. The id is a snowflake: 17 to 20
/// digits, not starting with 0; the timestamp part is 6 characters, the HMAC 27 or more.
pub(crate) fn discord(secret: &[u8]) -> bool {
    let mut parts = secret.split(|&b| b == b'.');
    let (Some(id), Some(ts), Some(mac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if ts.len() != 6 || mac.len() < 27 {
        return false;
    }
    let mut digits = Vec::new();
    base64_decode(id, |b, _| digits.push(b))
        && (17..=20).contains(&digits.len())
        && digits[0] != b'0'
        && digits.iter().all(u8::is_ascii_digit)
}

/// JSON Web Token: its header decodes (base64url) to a JSON object with a string `alg`.
pub(crate) fn jwt(secret: &[u8]) -> bool {
    let Some(header) = secret.split(|&b| b == b'.').next() else {
        return false;
    };
    let mut json = Vec::new();
    if !base64_decode(header, |b, _| json.push(b)) {
        return false;
    }
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&json)
        .is_ok_and(|m| m.get("alg").is_some_and(serde_json::Value::is_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64url(s: &str) -> String {
        crate::checksum::base64url(s.as_bytes())
    }

    #[test]
    fn discord_needs_a_snowflake_id_and_the_part_lengths() {
        let mac = "Q".repeat(38);
        let ok = format!("{}.GhIjKl.{mac}", b64url("812345678901234567"));
        assert!(discord(ok.as_bytes()), "{ok}");
        for bad in [
            format!("{}.GhIjKl.{mac}", b64url("012345678901234567")),
            format!("{}.GhIjKl.{mac}", b64url("81234567890123456x")),
            format!("{}.GhIjKl.{mac}", b64url("8123456789")),
            format!("{}.GhIjK.{mac}", b64url("812345678901234567")),
            format!("{}.GhIjKl.{}", b64url("812345678901234567"), "Q".repeat(20)),
            format!("{}.GhIjKl.{mac}.x", b64url("812345678901234567")),
        ] {
            assert!(!discord(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn jwt_needs_a_json_header_with_alg() {
        let sig = "s".repeat(43);
        let ok = format!(
            "{}.eyJzdWIiOiIxIn0.{sig}",
            b64url(r#"{"alg":"HS256","typ":"JWT"}"#)
        );
        assert!(jwt(ok.as_bytes()));
        for header in [
            r#"{"typ":"JWT"}"#,
            r#"{"alg":1}"#,
            r#"{"alg":"HS256""#,
            "[]",
        ] {
            let t = format!("{}.eyJzdWIiOiIxIn0.{sig}", b64url(header));
            assert!(!jwt(t.as_bytes()), "{header}");
        }
        assert!(!jwt(b"eyJ!!!.x.y"));
    }
}
