//! The gaps known and left open before stop 24, each as a category of syntax: Dockerfile `ENV`
//! and `ARG` (the space form, several pairs, a continued line), PowerShell (`$env:`,
//! `SetEnvironmentVariable` with its scope, `-Token`), C# verbatim and interpolated strings,
//! `curl -u KEY:` (the key as the user), an `id:secret` pair under one key name, bare
//! credential files (`auth.txt`, a PgBouncer `userlist.txt` in clear), `vault login` with a
//! legacy token, and a key on the lines below the words naming it in Markdown. Beside them, the
//! look-alikes such files hold: build arguments without a default, release-signing
//! fingerprints, interpolations, digests, hashes, templates and placeholders.
//!
//! Names: `misses/leak/<n>/<file>`, `misses/clean/<n>/<file>` (the slot line removed: the
//! planted line is the first where the two differ) and `misses/look/<n>/<file>`.

use super::families::Raw;
use super::planted_files;

/// A generated password: letters, digits and a symbol.
const PASSWORD: &str = "${alnum:9}7#${alnum:3}";
/// A provider key without a prefix of its own.
const KEY: &str = "${alnum:32}";

const DOCKERFILE: &str =
    "FROM python:3.12-slim\nWORKDIR /app\n@@\nCOPY . .\nCMD [\"python\", \"app.py\"]\n";
const PS1: &str = "$ErrorActionPreference = 'Stop'\nImport-Module Az\n@@\nWrite-Host 'done'\n";
const CS: &str = "namespace Acme.Billing\n{\n    public class Settings\n    {\n@@\n    }\n}\n";
const SH: &str = "#!/usr/bin/env bash\nset -euo pipefail\n@@\necho ok\n";

/// (file name, the file with its slot line marked `@@`, that line with `$$` for the secret, the
/// secret).
const FILES: &[(&str, &str, &str, &str)] = &[
    ("Dockerfile", DOCKERFILE, "ENV DB_PASSWORD $$", PASSWORD),
    (
        "docker/Dockerfile.prod",
        DOCKERFILE,
        "ENV SECRET_TOKEN \"$$\"",
        "${base64url:40}",
    ),
    (
        "Dockerfile",
        DOCKERFILE,
        "ENV APP_ENV=production \\\n    SECRET_KEY=$$ \\\n    DEBUG=0",
        KEY,
    ),
    ("Containerfile", DOCKERFILE, "ARG NPM_TOKEN=$$", KEY),
    ("deploy.ps1", PS1, "$env:DEPLOY_TOKEN='$$'", "${hex:40}"),
    (
        "env.ps1",
        PS1,
        "[Environment]::SetEnvironmentVariable(\"ACME_TOKEN\", \"$$\", \"User\")",
        KEY,
    ),
    (
        "env.ps1",
        PS1,
        "[System.Environment]::SetEnvironmentVariable('DB_PASSWORD', '$$', 'Machine')",
        PASSWORD,
    ),
    ("connect.ps1", PS1, "Connect-AcmeService -Token '$$'", KEY),
    (
        "src/Settings.cs",
        CS,
        "        private const string Password = @\"$$\";",
        PASSWORD,
    ),
    (
        "src/Settings.cs",
        CS,
        "        public static string ApiKey = $\"$$\";",
        KEY,
    ),
    (
        "src/Settings.cs",
        CS,
        "        private readonly string _secret = $@\"$$\";",
        "${base64url:40}",
    ),
    (
        "scripts/charge.sh",
        SH,
        "curl https://api.billingly.io/v1/charges -u $$: -d amount=2000",
        KEY,
    ),
    (
        "scripts/list.sh",
        SH,
        "curl --user=\"$$:\" https://api.acme.io/v1/items",
        "${hex:32}",
    ),
    (
        "deploy/app.env",
        "APP_ENV=production\n@@\nLOG_LEVEL=info\n",
        "API_KEY=$$",
        "acme_${lower:4}:${alnum:32}",
    ),
    (
        "config.yml",
        "service:\n  url: https://api.acme.io\n@@\n",
        "  token: \"$$\"",
        "${hex:12}:${base64url:32}",
    ),
    ("auth.txt", "@@\n", "admin:$$", PASSWORD),
    (
        "ops/credentials.txt",
        "# prod ftp\n@@\n",
        "deploy:$$",
        PASSWORD,
    ),
    ("pgbouncer/userlist.txt", "@@\n", "\"app\" \"$$\"", PASSWORD),
    ("scripts/login.sh", SH, "vault login s.$$", "${alnum:24}"),
    (
        "README.md",
        "# Setup\n\nYour API key:\n\n```\n@@\n```\n",
        "$$",
        KEY,
    ),
    (
        "docs/setup.md",
        "## Credentials\n\nYour secret key is:\n\n@@\n\nKeep it safe.\n",
        "    $$",
        "${hex:40}",
    ),
    (
        "config.toml",
        "[weatherly]\nendpoint = \"https://api.weatherly.io/v2\"\n@@\n",
        "key = \"$$\"",
        "${alnum:24}",
    ),
];

/// Files that hold no secret where one might be read.
const LOOKALIKES: &[(&str, &str)] = &[
    ("Dockerfile", "FROM python:3.12\nENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D\nARG DB_PASSWORD\nENV DB_PASSWORD=${DB_PASSWORD}\nENV SECRET_KEY_FILE /run/secrets/secret_key\n"),
    ("Dockerfile", "FROM alpine\nENV API_KEY=changeme\nARG API_TOKEN=your-api-token-here\nENV TOKEN_VERSION 2.11.4\n"),
    ("a.ps1", "$password = Read-Host -AsSecureString\n$env:API_KEY = $secret\n[Environment]::SetEnvironmentVariable(\"API_KEY\", $key, \"User\")\n[Environment]::SetEnvironmentVariable(\"TOKEN_PATH\", \"C:\\secrets\\token.txt\", \"Machine\")\n"),
    ("src/A.cs", "var password = $\"{prefix}{suffix}\";\nvar path = @\"C:\\Users\\app\\secrets\\key.pem\";\nvar cs = $\"Server={host};User Id={user};Password={password};\";\n"),
    ("s.sh", "curl -u \"${API_KEY}:\" https://api.acme.io\ncurl -u YOUR_SECRET_KEY_HERE: https://api.acme.io\ncurl -H \"X-Api-Key: $API_KEY\" https://api.acme.io\n"),
    ("config.yml", "build:\n  token: sha256:${hex:64}\napi_key: ${ACME_ID}:${ACME_SECRET}\nsecret: vault:secret/data/app#secret\n"),
    ("auth.txt", "# format: user:password\nuser:changeme\nroot:x:0:0:root:/root:/bin/bash\n"),
    ("userlist.txt", "\"app\" \"\"\n"),
    ("README.md", "Your commit:\n\n```\n${hex:40}\n```\n\nYour API key:\n\n```\nYOUR_API_KEY_GOES_HERE\n```\n\nInstall the API key tool:\n\n```\nnpm install --save acme-keys\n```\n"),
];

pub(super) fn cases() -> Vec<Raw> {
    planted_files("misses", "known-miss", FILES.iter().copied(), LOOKALIKES)
}
