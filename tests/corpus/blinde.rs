//! The seventh blind round: an instrument written from memory of some 450 providers' token
//! formats, in the styles other scanners' test suites write them (a detector test string, a
//! trufflehog-style `fmt.Sprintf` line, assignments in many languages, a log line, a curl
//! header, `.env`, YAML, JSON, a URL query, a client constructor), with look-alikes for each.
//! These cases keep what it found missing found: ConfigCat SDK keys (the prefixed form with no
//! name near it, the older form beside the name), GrowthBook's secret API keys, and Feishu /
//! Lark bot webhook URLs; their look-alikes are the formats with `x`s, words, `<your-token>` or
//! too few characters.
//!
//! Names: `blinde/<family>/neutral/<style>`, `blinde/<family>/named/<style>`,
//! `blinde/<family>/trufflehog` and `blinde/<family>/clean/<kind>/<style>`.

use super::families::Raw;
use super::providers::{lookalikes, make, NAMED, NEUTRAL};

/// Family, the provider's name as people write it, and the token's format.
const FORMATS: &[(&str, &str, &str)] = &[
    (
        "configcat",
        "configcat",
        "configcat-sdk-1/${base64url:22}/${base64url:22}",
    ),
    ("growthbook-admin", "growthbook", "secret_admin_${alnum:43}"),
    (
        "growthbook-readonly",
        "growthbook",
        "secret_readonly_${alnum:32}",
    ),
    (
        "feishu-webhook",
        "feishu",
        "https://open.feishu.cn/open-apis/bot/v2/hook/${uuid}",
    ),
    (
        "lark-webhook",
        "lark",
        "https://open.larksuite.com/open-apis/bot/v2/hook/${uuid}",
    ),
];

/// Tokens with no prefix of their own, found only beside the provider's name.
const NAME_ONLY: &[(&str, &str, &str)] = &[(
    "configcat-legacy",
    "configcat",
    "${base64url:22}/${base64url:22}",
)];

/// A detector test in trufflehog's style: the provider's name is the format's keyword.
const TRUFFLEHOG: (&str, &str) = (
    "detector_test.go",
    "func TestPattern(t *testing.T) {\n\tinput := fmt.Sprintf(\"%s token = '%s'\", \"{compact}\", \"{X}\")\n\t_ = input\n}\n",
);

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for (i, &(family, provider, format)) in FORMATS.iter().enumerate() {
        for (style, path, template) in NEUTRAL.iter().skip(i % 2).step_by(2) {
            let name = format!("blinde/{family}/neutral/{style}");
            let content = make(&name, template, provider, format);
            out.push((name, "prefixed", path.to_string(), true, content));
        }
        for (style, path, template) in NAMED {
            let name = format!("blinde/{family}/named/{style}");
            let content = make(&name, template, provider, format);
            out.push((name, "prefixed", path.to_string(), true, content));
        }
        let name = format!("blinde/{family}/trufflehog");
        let content = make(&name, TRUFFLEHOG.1, provider, format);
        out.push((name, "prefixed", TRUFFLEHOG.0.to_string(), true, content));
        for (kind, fake) in lookalikes(format) {
            // Beside a name the generic rules judge a short value; there, only the placeholders.
            let named = matches!(kind, "xxxx" | "your-token").then_some(NAMED[0]);
            for (style, path, template) in [NEUTRAL[2], NEUTRAL[4]].into_iter().chain(named) {
                let name = format!("blinde/{family}/clean/{kind}/{style}");
                let content = make(&name, template, provider, &fake);
                out.push((name, "look-alike", path.to_string(), false, content));
            }
        }
    }
    for &(family, provider, format) in NAME_ONLY {
        for (style, path, template) in NAMED {
            let name = format!("blinde/{family}/named/{style}");
            let content = make(&name, template, provider, format);
            out.push((name, "named", path.to_string(), true, content));
        }
        for (kind, fake) in lookalikes(format) {
            let (style, path, template) = NAMED[1];
            let name = format!("blinde/{family}/clean/{kind}/{style}");
            let content = make(&name, template, provider, &fake);
            out.push((name, "look-alike", path.to_string(), false, content));
        }
    }
    out
}
