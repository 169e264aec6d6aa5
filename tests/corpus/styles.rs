//! Cases from a fourth blind round: long-tail providers' keys written the way other scanners'
//! test suites write their examples — one secret with the provider's name around it in many
//! syntaxes (a type-annotated assignment, an unquoted camel-case property, a Dockerfile `ENV`, an
//! XML element, a logfmt line, a client constructor, a bare `key` under an INI section, a comment
//! or a parent object named for the provider, a URL's `appid=`/`key=` parameter, a `--name-key`
//! flag) — each under its natural file name and under a generic one. Kept for the categories that
//! round found missing. Providers, shapes and styles are combined by rotation, and each token is
//! generated from a `${...}` placeholder with a seed per case, so the repository holds no literal.

use super::families::Raw;
use super::B64;
use hushguard::rules::fake_tokens::{expand, Rng};

/// Long-tail providers, as their names are written: words separated by spaces.
const PROVIDERS: &[&str] = &[
    "weatherstack",
    "open weather map",
    "zerobounce",
    "scraping bee",
    "twelve data",
    "bamboohr",
    "signrequest",
    "fathom analytics",
    "cronitor",
    "storyblok",
    "butter cms",
    "mailerlite",
    "aftership",
    "sportmonks",
    "thingspeak",
    "codemagic",
    "growthbook",
    "lambdatest",
    "meilisearch",
    "gorgias",
];

/// Token shapes a provider without a prefix of its own issues.
const SHAPES: &[&str] = &[
    "${hex:32}",
    "${HEX:32}",
    "${hex:40}",
    "${hex:64}",
    "${alnum:24}",
    "${alnum:40}",
    "${alnumupper:20}",
    "${alnumupper:32}",
    "${uuid}",
    "${base64url:43}",
];

/// A style: name, natural file name, template. `{snake}`, `{camel}`, `{pascal}`, `{upper}`,
/// `{compact}`, `{hyphen}` and `{title}` spell the provider's name; `{X}` is the token.
type Style = (&'static str, &'static str, &'static str);

const STYLES: &[Style] = &[
    (
        "py-annotation",
        "settings.py",
        "{snake}_key: str = \"{X}\"\n",
    ),
    (
        "ts-annotation",
        "config.ts",
        "export const {camel}Token: string = '{X}';\n",
    ),
    (
        "properties-camel",
        "application.properties",
        "server.port=8080\n{camel}Key = {X}\n",
    ),
    (
        "yaml-camel-unquoted",
        "application.yml",
        "{camel}.apiKey: {X}\n",
    ),
    (
        "yaml-indented-camel",
        "config.yaml",
        "services:\n  {camel}Key: {X}\n",
    ),
    (
        "dockerfile-env-space",
        "Dockerfile",
        "FROM python:3.12-slim\nENV {upper}_KEY {X}\n",
    ),
    ("name-key-space", "keys.txt", "{compact}_key {X}\n"),
    (
        "xml-camel-element",
        "app.config",
        "<config>\n  <{camel}Key>{X}</{camel}Key>\n</config>\n",
    ),
    (
        "logfmt-field",
        "debug.log",
        "ts=2024-03-01T10:00:00Z level=debug msg=\"{compact} client\" key={X}\n",
    ),
    (
        "go-package-new",
        "main.go",
        "client := {compact}.New(\"{X}\")\n",
    ),
    (
        "js-new-client",
        "client.js",
        "const client = new {pascal}Client('{X}');\n",
    ),
    (
        "ruby-client-new",
        "app.rb",
        "client = {pascal}::Client.new('{X}')\n",
    ),
    (
        "ini-section-bare-key",
        "credentials.ini",
        "[{compact}]\nkey = {X}\n",
    ),
    (
        "ini-section-token",
        "config.cfg",
        "[{snake}]\nregion = eu\ntoken = {X}\n",
    ),
    (
        "comment-above-bare-key",
        "settings.conf",
        "# {title} credentials\nkey = {X}\n",
    ),
    (
        "json-nested-key",
        "appsettings.json",
        "{\n  \"{compact}\": {\n    \"region\": \"us\",\n    \"key\": \"{X}\"\n  }\n}\n",
    ),
    (
        "yaml-nested-token",
        "docker-compose.yml",
        "{compact}:\n  enabled: true\n  token: {X}\n",
    ),
    (
        "url-appid",
        "fetch.js",
        "resp = fetch(\"https://api.{compact}.com/v1/data?appid={X}\")\n",
    ),
    (
        "url-key",
        "requests.http",
        "GET https://api.{compact}.io/v2/items?limit=10&key={X} HTTP/1.1\n",
    ),
    ("cli-flag-key", "deploy.sh", "./deploy --{hyphen}-key {X}\n"),
    (
        "cli-flag-api-key-eq",
        "ci.sh",
        "run-tool --{hyphen}-api-key={X} --verbose\n",
    ),
    (
        "secret-prefixed",
        "config.toml",
        "{camel}Key = secret_${alnum:32}\n",
    ),
    ("env-token", ".env.local", "{upper}_TOKEN={X}\n"),
    (
        "log-using-key",
        "app.log",
        "2024-03-01T10:00:00Z [INFO] Using {upper} KEY={X}\n",
    ),
    (
        "curl-provider-header",
        "check.sh",
        "curl -H \"X-{pascal}-Token: {X}\" https://api.{compact}.com/v1/status\n",
    ),
];

/// Generic file names a generator gives its fixtures.
const GENERIC: &[&str] = &["case0042.txt", "sample", "input", "example17", "case0107"];

/// Look-alikes near the new rules: name, path, template.
const CLEAN: &[(&str, &str, &str)] = &[
    (
        "cache-key-camel",
        "application.properties",
        "cacheKey = ${alnum:32}\n",
    ),
    (
        "sort-key-words",
        "config.yaml",
        "sortKey: createdAtTimestampDescending\n",
    ),
    (
        "nginx-key-path",
        "site.conf",
        "ssl_certificate_key /etc/ssl/private/site.key\n",
    ),
    (
        "python-type-alias",
        "hpke.py",
        "X25519PrivateKey = rust_openssl.hpke.X25519PrivateKey\n",
    ),
    (
        "go-errors-new",
        "errors.go",
        "var ErrNoKey = errors.New(\"${alnum:32}\")\n",
    ),
    (
        "client-from-config",
        "main.go",
        "client := weatherstack.New(cfg.APIKey)\n",
    ),
    (
        "ini-section-placeholder",
        "credentials.ini",
        "[weatherstack]\nkey = your-weatherstack-key\n",
    ),
    (
        "ini-section-path",
        "credentials.ini",
        "[weatherstack]\nkey = /etc/weatherstack/key.pem\n",
    ),
    (
        "k8s-secret-key-ref",
        "deployment.yaml",
        "valueFrom:\n  secretKeyRef:\n    name: weatherstack\n    key: api-key\n",
    ),
    (
        "logfmt-cache-key",
        "app.log",
        "level=debug msg=\"cache hit\" key=${alnum:32}\n",
    ),
    (
        "ssh-key-flag",
        "setup.sh",
        "deploy --ssh-key ~/.ssh/id_ed25519\n",
    ),
    (
        "url-key-placeholder",
        "README.md",
        "curl \"https://api.weatherstack.com/current?key=YOUR_ACCESS_KEY\"\n",
    ),
    (
        "xml-public-key",
        "app.config",
        "<publicKey>MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${base64:40}</publicKey>\n",
    ),
    (
        "version-under-key",
        "gradle.properties",
        "weatherstackKey = 1.2.3\n",
    ),
    (
        "short-key",
        "application.properties",
        "weatherstackKey = ${alnum:10}\n",
    ),
    (
        "secret-prefixed-identifier",
        "config.py",
        "secret_KeyBaseForProductionUseOnly = 1\n",
    ),
    (
        "env-reference",
        "config.ts",
        "export const weatherstackToken: string = process.env.WEATHERSTACK_TOKEN;\n",
    ),
    (
        "wordy-value-annotated",
        "settings.py",
        "weatherstack_key: str = \"your-weatherstack-key-here\"\n",
    ),
];

/// The provider's name as a style spells it.
fn spell(name: &str, form: &str) -> String {
    let words: Vec<&str> = name.split(' ').collect();
    let cap = |w: &str| {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    match form {
        "snake" => words.join("_"),
        "camel" => words[0].to_string() + &words[1..].iter().map(|w| cap(w)).collect::<String>(),
        "pascal" => words.iter().map(|w| cap(w)).collect(),
        "upper" => words.join("_").to_ascii_uppercase(),
        "compact" => words.concat(),
        "hyphen" => words.join("-"),
        "title" => words.iter().map(|w| cap(w)).collect::<Vec<_>>().join(" "),
        _ => unreachable!("unknown form {form}"),
    }
}

fn fill(template: &str, provider: &str, token: &str) -> String {
    let mut s = template.replace("{X}", token);
    for form in [
        "snake", "camel", "pascal", "upper", "compact", "hyphen", "title",
    ] {
        s = s.replace(&format!("{{{form}}}"), &spell(provider, form));
    }
    s
}

fn make(name: &str, template: &str) -> Vec<u8> {
    let mut rng = Rng::new(name);
    expand(template, &rng.string(B64, 8)).into_bytes()
}

/// Variants of each style: a provider and a token shape each, by rotation.
const VARIANTS: usize = 3;

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for (i, &(style, natural, template)) in STYLES.iter().enumerate() {
        for k in 0..VARIANTS {
            let provider = PROVIDERS[(i * 7 + k * 3) % PROVIDERS.len()];
            let shape = SHAPES[(i * 3 + k) % SHAPES.len()];
            let text = fill(template, provider, shape);
            let generic = GENERIC[(i + k) % GENERIC.len()];
            for (kind, path) in [("natural", natural), ("generic", generic)] {
                let n = format!("styles/{style}/{k}/{kind}");
                let content = make(&n, &text);
                out.push((n, "long-tail", path.to_string(), true, content));
            }
        }
    }
    for &(name, path, t) in CLEAN {
        let n = format!("styles/clean/{name}");
        let content = make(&n, t);
        out.push((n, "look-alike", path.to_string(), false, content));
    }
    out
}
