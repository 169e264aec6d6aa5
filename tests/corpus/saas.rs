//! Cases from a blind instrument written without reading the rules: the long tail of small SaaS
//! APIs whose keys have no prefix of their own, each written the way other scanners' test suites
//! write their examples — the service's name in a sentence before the key, a bare-name JSON
//! field, a README line, an INI or YAML section named after the service, a Dockerfile `ENV`, a
//! PowerShell `$env:`, a log line — and the look-alikes found beside the same names: ids,
//! request ids, checksums, references to a variable, the name inside a longer word. Tokens are
//! generated from `${...}` placeholders with a seed per case.

use super::families::Raw;
use super::make;

/// Services of `patterns/saas.toml` (and a few whose own rules read only a setting's name), with
/// the shape of their keys.
const SERVICES: &[(&str, &str)] = &[
    ("weatherbit", "${hex:32}"),
    ("weatherstack", "${hex:32}"),
    ("ipgeolocation", "${hex:32}"),
    ("positionstack", "${hex:32}"),
    ("scrapingbee", "${alnumupper:80}"),
    ("zerobounce", "${hex:32}"),
    ("holidayapi", "${uuid}"),
    ("zenserp", "${uuid}"),
    ("visualcrossing", "${alnumupper:25}"),
    ("currencyfreaks", "${hex:32}"),
    ("tiingo", "${hex:40}"),
    ("peopledatalabs", "${hex:64}"),
    ("mailerlite", "${hex:32}"),
    ("getresponse", "${alnumlower:32}"),
    ("pipedrive", "${hex:40}"),
    ("mixpanel", "${hex:32}"),
    ("cloudant", "${hex:64}"),
    ("unsplash", "${base64url:43}"),
    ("ringcentral", "${base64url:43}"),
    ("sendbird", "${hex:40}"),
];

/// How a test suite writes a key beside its service's name; `{N}` is the name, `{U}` the name in
/// upper case, `{T}` the token.
const STYLES: &[(&str, &str, &str)] = &[
    (
        "sentence",
        "notes.txt",
        "You can find a {N} secret {T} within but not valid\n",
    ),
    (
        "token-sentence",
        "notes.txt",
        "Here is a {N} token {T} for the integration test\n",
    ),
    (
        "bare-json",
        "credentials.json",
        "{\n  \"{N}\": \"{T}\"\n}\n",
    ),
    (
        "readme",
        "README.md",
        "Use this {N} API key for testing: {T}\n",
    ),
    (
        "ini-section",
        "credentials.ini",
        "[{N}]\nendpoint = https://api.{N}.com\nsecret = {T}\n",
    ),
    (
        "yaml-section",
        "settings.yaml",
        "{N}:\n  enabled: true\n  api_key: {T}\n  timeout: 30\n",
    ),
    (
        "dockerfile-env",
        "Dockerfile",
        "FROM alpine:3.19\nENV {U}_API_TOKEN {T}\n",
    ),
    (
        "powershell-env",
        "setup.ps1",
        "$env:{U}_API_TOKEN=\"{T}\"\n",
    ),
    (
        "log-line",
        "app.log",
        "[INFO] Sending request to the {N} API\n[DEBUG] Using {N} KEY={T}\n",
    ),
    ("name-token", "notes.txt", "{N} token = '{T}'\n"),
];

/// Look-alikes beside the same names: `{N}`, `{U}` as above.
const CLEAN: &[(&str, &str, &str)] = &[
    ("user-id", "settings.yaml", "{N}_user_id: ${uuid}\n"),
    (
        "project-id",
        "config.json",
        "{\n  \"{N}ProjectId\": \"${uuid}\"\n}\n",
    ),
    (
        "request-id",
        "app.log",
        "[INFO] {N} request_id=${uuid} status=200\n",
    ),
    ("checksum", "manifest.yaml", "{N}_checksum: ${hex:32}\n"),
    (
        "record-digest",
        "RECORD",
        "{N}/client.py,sha256=${base64url:43},5618\n",
    ),
    (
        "reference",
        "config.py",
        "{U}_API_KEY = os.environ[\"{U}_API_KEY\"]\n",
    ),
    (
        "template",
        "values.yaml",
        "{N}_api_key: ${{ secrets.{U}_API_KEY }}\n",
    ),
    (
        "placeholder",
        "README.md",
        "Use this {N} API key for testing: <your-{N}-api-key>\n",
    ),
    (
        "commit",
        "CHANGELOG.md",
        "- {N} client bumped (commit ${hex:40})\n",
    ),
    (
        "identifier",
        "client.ts",
        "const {N}Token = await {N}TokenProvider.getAccessTokenForScope(scope);\n",
    ),
];

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for (i, &(name, token)) in SERVICES.iter().enumerate() {
        let upper = name.to_uppercase();
        // each service in three styles, the styles taken in turn
        for k in 0..3 {
            let (style, path, t) = STYLES[(i * 3 + k) % STYLES.len()];
            let n = format!("saas/{style}/{name}");
            let text = t
                .replace("{N}", name)
                .replace("{U}", &upper)
                .replace("{T}", token);
            let content = make(&n, &text);
            out.push((n, "saas", path.to_string(), true, content));
        }
        let (kind, path, t) = CLEAN[i % CLEAN.len()];
        let n = format!("saas/clean/{kind}/{name}");
        let content = make(&n, &t.replace("{N}", name).replace("{U}", &upper));
        out.push((n, "look-alike", path.to_string(), false, content));
    }
    // a name inside a longer word is not the service
    for (i, &(word, path)) in [
        ("pub const DIAXIS_2DCONTROL_LATERAL: u32 = 587235841u32;\npub const DIAXIS_2DCONTROL_MOVE: u32 = 587268610u32;\n", "mod.rs"),
        ("pub const RASEO2_IPv4ExplicitMetric: u32 = 65536u32;\npub const RASEO2_IPv6ExplicitMetric: u32 = 131072u32;\n", "rras.rs"),
    ]
    .iter()
    .enumerate()
    {
        let n = format!("saas/clean/inside-a-word/{i}");
        out.push((n, "look-alike", path.to_string(), false, word.as_bytes().to_vec()));
    }
    out
}
