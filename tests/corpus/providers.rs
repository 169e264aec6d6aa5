//! Tokens that carry their own identity (a prefix, a signature at a fixed place, a fixed
//! structure), planted with no provider name near them — a bare string in a test, a log line, a
//! variable called `value` or `token`, a JSON `"data"` field, a URL query, a test argument — and
//! beside the provider's name, with look-alikes built from each format (the prefix followed by
//! `x`s, by `<your-token>`, or by too few characters). Every token is generated from a `${...}`
//! placeholder with a seed per case, so the repository holds no literal.

use super::families::Raw;
use super::B64;
use hushguard::rules::fake_tokens::{expand, Rng};

/// Family, the provider's name as people write it, and the token's format.
const FORMATS: &[(&str, &str, &str)] = &[
    (
        "azure-storage",
        "azure storage",
        "${base64:76}+ASt${base64:5}A==",
    ),
    (
        "azure-cosmos",
        "cosmos db",
        "${base64:76}ACDb${base64:5}Q==",
    ),
    (
        "azure-functions",
        "azure functions",
        "${base64url:44}AzFu${base64url:5}g==",
    ),
    (
        "azure-event-hubs",
        "event hubs",
        "${base64:33}+AEh${base64:5}=",
    ),
    ("azure-redis", "azure redis", "${alnum:33}AzCaC${alnum:5}="),
    ("azure-search", "azure search", "${alnum:42}AzSeB${alnum:5}"),
    (
        "azure-acr",
        "container registry",
        "${base64:42}+ACR${base64:6}",
    ),
    (
        "amazon-lwa",
        "login with amazon",
        "amzn1.oa2-cs.v1.${hex:64}",
    ),
    ("axiom", "axiom", "xaat-${uuid}"),
    ("coralogix", "coralogix", "cxtp_${alnum:30}"),
    ("rootly", "rootly", "rootly_${hex:64}"),
    ("browserbase", "browserbase", "bb_live_${base64url:27}"),
    ("e2b", "e2b", "e2b_${hex:40}"),
    ("llamacloud", "llama cloud", "llx-${alnum:48}"),
    ("together", "together ai", "tgp_v1_${base64url:43}"),
    ("aftership", "aftership", "asat_${hex:32}"),
    ("sumup", "sumup", "sup_sk_${alnum:32}"),
    ("checkout", "checkout com", "sk_sbox_${alnumlower:26}"),
    ("onesignal", "onesignal", "os_v2_app_${lower:113}"),
    ("liveblocks", "liveblocks", "sk_prod_${base64url:48}"),
    ("inngest", "inngest", "signkey-prod-${hex:64}"),
    ("pinterest", "pinterest", "pina_${base64url:80}"),
    ("ory", "ory", "ory_pat_${alnum:32}"),
    ("foursquare", "foursquare", "fsq3${base64:44}"),
    ("unkey", "unkey", "unkey_${alnum:24}"),
    ("socket", "socket", "sktsec_${base64url:40}_api"),
    ("convex", "convex", "prod:happy-otter-123|eyJ${base64:80}"),
    ("honeycomb", "honeycomb", "hcaik_01${alnumlower:56}"),
    ("jumpcloud", "jumpcloud", "jca_${alnum:36}"),
    ("mongodb-atlas", "mongodb atlas", "mdb_sa_sk_${alnum:40}"),
    ("aiven", "aiven", "AVNS_${alnum:19}"),
    (
        "rapidapi",
        "rapidapi",
        "${alnum:10}msh${alnum:15}p1${alnum:6}jsn${alnum:12}",
    ),
    ("trigger-dev", "trigger dev", "tr_pat_${alnum:40}"),
    ("twitch", "twitch", "oauth:${alnumlower:30}"),
    (
        "twitter",
        "twitter",
        "AAAAAAAAAAAAAAAAAAAAA${alnum:4}AAAAAAA${alnum:2}%2B${alnum:20}%3D${alnum:50}",
    ),
    ("mailgun", "mailgun", "key-${hex:32}"),
    ("openai-session", "openai", "sess-${alnum:40}"),
];

/// Contexts with no provider name: style, file name, template (`{X}` is the token).
pub(super) const NEUTRAL: &[(&str, &str, &str)] = &[
    (
        "string-literal",
        "test_parse.py",
        "def test_roundtrip():\n    assert roundtrip(\"{X}\") is not None\n",
    ),
    (
        "log-line",
        "server.log",
        "2024-03-01T10:00:00Z INFO request authorized with {X} for user 42\n",
    ),
    ("generic-var", "util.js", "const value = '{X}';\n"),
    (
        "token-var",
        "client.go",
        "package main\n\nvar token = \"{X}\"\n",
    ),
    (
        "json-data",
        "fixture.json",
        "{\n  \"id\": 7,\n  \"data\": \"{X}\"\n}\n",
    ),
    (
        "yaml-field",
        "values.yaml",
        "item:\n  name: sample\n  value: {X}\n",
    ),
    (
        "url-query",
        "requests.http",
        "GET https://example.com/api/v1/items?limit=10&t={X} HTTP/1.1\n",
    ),
    (
        "test-arg",
        "x_test.go",
        "func TestParse(t *testing.T) {\n\tcheck(t, \"{X}\")\n}\n",
    ),
];

/// Contexts with the provider's name: `{upper}`, `{compact}` and `{title}` spell it.
pub(super) const NAMED: &[(&str, &str, &str)] = &[
    ("env-export", "deploy.sh", "export {upper}_API_KEY={X}\n"),
    (
        "json-parent",
        "config.json",
        "{\n  \"{compact}\": {\n    \"key\": \"{X}\"\n  }\n}\n",
    ),
    (
        "comment-above",
        "settings.conf",
        "# {title} credentials\nkey = {X}\n",
    ),
];

/// The `${kind:N}` (or `${uuid}`) placeholders of a format: (start, end, kind, length).
fn placeholders(format: &str) -> Vec<(usize, usize, &str, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(s) = format[from..].find("${").map(|i| from + i) {
        let e = s + format[s..].find('}').expect("closed placeholder") + 1;
        let body = &format[s + 2..e - 1];
        let (kind, n) = match body.split_once(':') {
            Some((k, n)) => (k, n.parse().expect("placeholder length")),
            None => (body, 36),
        };
        out.push((s, e, kind, n));
        from = e;
    }
    out
}

/// Look-alikes of a format: its literal parts with `x`s, words, `<your-token>` or too few
/// characters.
pub(super) fn lookalikes(format: &str) -> Vec<(&'static str, String)> {
    let ph = placeholders(format);
    let mut xs = String::new();
    let mut last = 0;
    for &(s, e, kind, n) in &ph {
        xs.push_str(&format[last..s]);
        xs.push_str(&if kind == "uuid" {
            "00000000-0000-0000-0000-000000000000".to_string()
        } else {
            "x".repeat(n)
        });
        last = e;
    }
    xs.push_str(&format[last..]);
    let mut words = String::new();
    let mut last = 0;
    for &(s, e, _, n) in &ph {
        words.push_str(&format[last..s]);
        words.extend("my-test_token-value_for-the-docs_".chars().cycle().take(n));
        last = e;
    }
    words.push_str(&format[last..]);
    let mut out = vec![("xxxx", xs), ("words", words)];
    if let Some(&(s, _, kind, n)) = ph.first() {
        if s > 0 {
            let prefix = &format[..s];
            out.push(("your-token", format!("{prefix}<your-token>")));
            let kind = if kind == "uuid" { "hex" } else { kind };
            out.push(("short", format!("{prefix}${{{kind}:{}}}", n / 4)));
        }
    }
    out
}

fn spell(name: &str) -> [(&'static str, String); 3] {
    let words: Vec<&str> = name.split(' ').collect();
    let title = words
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ");
    [
        ("{upper}", words.join("_").to_ascii_uppercase()),
        ("{compact}", words.concat()),
        ("{title}", title),
    ]
}

pub(super) fn make(name: &str, template: &str, provider: &str, token: &str) -> Vec<u8> {
    let mut text = template.replace("{X}", token);
    for (k, v) in spell(provider) {
        text = text.replace(k, &v);
    }
    let mut rng = Rng::new(name);
    expand(&text, &rng.string(B64, 8)).into_bytes()
}

/// Neutral contexts per family (by rotation, so that every context is used).
const PER_FAMILY: usize = 3;

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for (i, &(family, provider, format)) in FORMATS.iter().enumerate() {
        for k in 0..PER_FAMILY {
            let (style, path, template) = NEUTRAL[(i * PER_FAMILY + k) % NEUTRAL.len()];
            let name = format!("providers/{family}/neutral/{style}");
            let content = make(&name, template, provider, format);
            out.push((name, "prefixed", path.to_string(), true, content));
        }
        let (style, path, template) = NAMED[i % NAMED.len()];
        let name = format!("providers/{family}/named/{style}");
        let content = make(&name, template, provider, format);
        out.push((name, "prefixed", path.to_string(), true, content));
        for (j, (kind, fake)) in lookalikes(format).into_iter().enumerate() {
            // In neutral contexts: beside a name, the generic rules judge a short random value.
            let (style, path, template) = NEUTRAL[if j % 2 == 0 { 2 } else { 4 }];
            let name = format!("providers/{family}/clean/{kind}/{style}");
            let content = make(&name, template, provider, &fake);
            out.push((name, "look-alike", path.to_string(), false, content));
        }
    }
    out
}
