//! Cases from the gaps left after the third blind round, by category: passwords of random
//! lower-case letters (read as identifiers before the letter model), keys of 10 to 15 characters
//! under a specific name, an id and a secret joined by a colon under one credential name, dotted
//! values whose parts are random (read as member paths), documentation samples in Docker auth
//! and hex keys in prose. Each comes with the look-alikes that the same gates must keep out:
//! words and identifiers run together, names, versions, short ids, digests, member paths with
//! digits in them and badge tokens under a bare name. Tokens are generated from `${...}`
//! placeholders with a seed per case.

use super::families::Raw;
use super::make;

/// A leak: name, family, path, template.
type Leak = (&'static str, &'static str, &'static str, &'static str);

const LEAKS: &[Leak] = &[
    (
        "lower-password-python",
        "generic",
        "app.py",
        "password = \"${lower:17}\"\n",
    ),
    (
        "lower-password-env",
        "generic",
        ".env",
        "ACME_PASSWORD=${lower:11}\n",
    ),
    (
        "lower-password-json",
        "generic",
        "config.json",
        "{\"user\": \"svc\", \"password\": \"${lower:14}\"}\n",
    ),
    (
        "lower-password-yaml",
        "generic",
        "config.yml",
        "db:\n  user: app\n  password: ${lower:16}\n",
    ),
    (
        "lower-password-ini",
        "generic",
        "settings.ini",
        "[db]\nuser = app\npass = ${lower:13}\n",
    ),
    (
        "lower-password-xml",
        "generic",
        "conf.xml",
        "<db><user>app</user><password>${lower:15}</password></db>\n",
    ),
    (
        "lower-password-flag",
        "generic",
        "run.sh",
        "./client --user app --password=${lower:12}\n",
    ),
    (
        "lower-password-java",
        "generic",
        "App.java",
        "String dbPassword = \"${lower:18}\";\n",
    ),
    (
        "short-key-env",
        "generic",
        ".env",
        "ZENTRIX_API_KEY=${alnumlower:12}\n",
    ),
    (
        "short-key-yaml",
        "generic",
        "config.yml",
        "weatherly_token: \"${alnum:6}7${alnum:4}\"\n",
    ),
    (
        "short-key-json",
        "generic",
        "config.json",
        "{\"tradebook_secret\": \"${alnumlower:7}3${alnumlower:6}\"}\n",
    ),
    (
        "short-key-js",
        "generic",
        "app.js",
        "const quotaroApiKey = '${alnum:9}5${alnum:4}';\n",
    ),
    (
        "short-key-export",
        "generic",
        "ci.sh",
        "export FLOWMINT_ACCESS_TOKEN=${alnumlower:13}\n",
    ),
    (
        "pair-credentials-env",
        "generic",
        ".env",
        "ACME_CREDENTIALS=${hex:8}:${alnum:32}\n",
    ),
    (
        "pair-client-credentials",
        "generic",
        "config.yml",
        "orbitly_client_credentials: \"${alnumlower:20}:${alnum:30}\"\n",
    ),
    (
        "pair-nested-credentials",
        "generic",
        "config.json",
        "{\"ledgerly\": {\"credentials\": \"svc_ledgerly:${alnum:28}\"}}\n",
    ),
    (
        "pair-creds-json",
        "generic",
        "config.json",
        "{\"pixelcast_creds\": \"${digits:8}:${alnum:32}\"}\n",
    ),
    (
        "pair-auth-bot",
        "generic",
        "ci.sh",
        "export PARCELHUB_AUTH=parcelhub-bot:${alnum:36}\n",
    ),
    (
        "dotted-version-hex",
        "generic",
        ".env",
        "PARCELHUB_TOKEN=v2.${hex:40}\n",
    ),
    (
        "dotted-sk-parts",
        "generic",
        ".env",
        "ORBITLY_SECRET=sk.${alnum:20}.${alnum:30}\n",
    ),
    (
        "dotted-pat-parts",
        "generic",
        "app.py",
        "token = \"pat.${alnum:20}.${alnum:30}\"\n",
    ),
    (
        "dotted-id-secret",
        "generic",
        "app.js",
        "const acmeKey = '${alnum:8}.${alnum:24}';\n",
    ),
    (
        "prose-hex-key",
        "generic",
        "notes.md",
        "quotaro secret key ${hex:32}\n",
    ),
];

/// A look-alike: name, path, template.
const CLEAN: &[(&str, &str, &str)] = &[
    ("words-run-together", "app.py", "password = \"passwordinput\"\n"),
    ("identifier-run-together", "config.json", "{\"password\": \"keyboardinput\"}\n"),
    ("three-words", "settings.conf", "DB_PASSWORD=correcthorsebattery\n"),
    ("validation-word", "config.yml", "password: confirmed\n"),
    ("bare-name-value", "config.yml", "api_key: value\n"),
    ("type-name", "config.yml", "token: string\n"),
    ("enum-name", "settings.conf", "TOKEN_TYPE=bearer_jwt\n"),
    ("version", "config.yml", "api_version: v2.10.4\n"),
    ("numeric-id", "config.yml", "token_id: 1234567890\n"),
    ("word-and-digits", "settings.conf", "API_KEY=APIKEY12345\n"),
    ("word-and-year", "settings.conf", "SECRET_KEY=secret2024\n"),
    ("name-and-number", "app.py", "api_key = \"user123456\"\n"),
    ("short-commit", "config.yml", "token: \"3f9a1c7\"\n"),
    ("camel-words-digit", "config.yml", "api_key: \"ApiKeyV2Header\"\n"),
    ("user-password-pair", "settings.conf", "ACME_CREDENTIALS=user:password\n"),
    ("env-reference-pair", "config.yml", "credentials: env:ACME_CREDENTIALS\n"),
    ("digest-pair", "settings.conf", "API_KEY=sha256:${hex:64}\n"),
    ("arn-pair", "settings.conf", "ACME_CREDENTIALS=arn:aws:iam::${digits:12}:role/deploy\n"),
    ("go-sum-annotation", "config.yml", "token: h1:${base64:43}=\n"),
    ("member-path-config", "app.py", "token = self.config.api_token\n"),
    ("member-path-digits", "app.py", "api_key = cfg.s3AccessKeyId\n"),
    ("member-path-oauth2", "app.py", "secret_key = app.config.oauth2ClientSecret\n"),
    ("type-path-curve", "keys.pyi", "        private_key: x25519.X25519PrivateKey\n"),
    ("hostname", "config.yml", "token: api.acme-prod.example.net\n"),
    (
        "badge-token-bare-name",
        "README.md",
        "[![codecov](https://codecov.io/gh/acme/app/graph/badge.svg?token=${alnum:6}4${alnum:3})](https://codecov.io/gh/acme/app)\n",
    ),
    (
        "docker-auth-sample",
        "config.json",
        "{\"auths\": {\"registry.acme.io\": {\"auth\": \"[[b64:username:password]]\"}}}\n",
    ),
];

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for &(name, family, path, t) in LEAKS {
        let n = format!("gaps/{name}");
        let content = make(&n, t);
        out.push((n, family, path.to_string(), true, content));
    }
    for &(name, path, t) in CLEAN {
        let n = format!("gaps/clean/{name}");
        let content = make(&n, t);
        out.push((n, "look-alike", path.to_string(), false, content));
    }
    out
}
