//! The labelled detection corpus: realistic leaks across families and file formats, and
//! look-alikes that must not be flagged. Every token is generated when the corpus is built, from
//! `${...}` placeholders expanded with a fixed seed per case, so the repository holds no literal
//! secret. Shared by `tests/detection.rs` (every leak found, no look-alike flagged) and
//! `examples/detect_bench.rs` (recall per family, misses by name).

mod blind;
mod blind2;
mod blind3;
mod blindb;
mod blindc;
mod blindd;
mod blinde;
mod clean;
mod configs;
mod families;
mod gaps;
mod misses;
mod providers;
mod saas;
mod styles;

use hushguard::rules::fake_tokens::{expand, Rng};

/// One labelled file.
pub struct Case {
    /// Unique name, used in reports and in the known-gap list.
    pub name: String,
    /// The family it belongs to (a leak's credential family, or `look-alike`).
    pub family: &'static str,
    pub path: String,
    pub content: Vec<u8>,
    /// `true` for a leak that must be found, `false` for a look-alike that must not.
    pub leak: bool,
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 of `data` with `alphabet`, padded with `=` when `pad`.
pub fn base64(data: &[u8], alphabet: &[u8], pad: bool) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if pad {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// Replace each `[[b64…:TEXT]]` of `s` by the base64 of TEXT.
fn encode_markers(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("[[b64") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 5..];
        let colon = after.find(':').expect("marker kind");
        let end = after.find("]]").expect("marker end");
        let text = &after.as_bytes()[colon + 1..end];
        match &after[..colon] {
            "" => out.push_str(&base64(text, B64, true)),
            "u" => out.push_str(&base64(text, B64URL, false)),
            "w" => {
                let b = base64(text, B64, true);
                let lines: Vec<&str> = b
                    .as_bytes()
                    .chunks(76)
                    .map(|c| std::str::from_utf8(c).expect("ascii"))
                    .collect();
                out.push_str(&lines.join("\n  "));
            }
            kind => panic!("unknown marker b64{kind}"),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A case's content: its template's placeholders expanded with a seed of the case's name, then
/// its base64 markers encoded.
pub(super) fn make(name: &str, template: &str) -> Vec<u8> {
    let mut rng = Rng::new(name);
    encode_markers(&expand(template, &rng.string(B64, 8))).into_bytes()
}

/// The cases of a table of whole files with one planted line each: the file with its secret (the
/// line holding `@@` in `text` gets `slot` with `$$` in it replaced by `secret`, its placeholders
/// expanded with a seed of the case's name), the same file without that line (its clean twin),
/// and each look-alike file as it is. Named `PREFIX/leak/I/PATH`, `PREFIX/clean/I/PATH` and
/// `PREFIX/look/I/PATH`; a leak is of `family`.
pub(super) fn planted_files<'a>(
    prefix: &str,
    family: &'static str,
    files: impl IntoIterator<Item = (&'a str, &'a str, &'a str, &'a str)>,
    lookalikes: &[(&str, &str)],
) -> Vec<families::Raw> {
    let mut out = Vec::new();
    for (i, (path, text, slot, secret)) in files.into_iter().enumerate() {
        let name = format!("{prefix}/leak/{i}/{path}");
        let mut rng = Rng::new(&name);
        let line = slot.replace("$$", &expand(secret, &rng.string(B64, 8)));
        let leak = make(&name, &text.replace("@@", &line));
        out.push((name, family, path.to_string(), true, leak));
        let without: String = text
            .split_inclusive('\n')
            .filter(|line| !line.contains("@@"))
            .collect();
        let clean = format!("{prefix}/clean/{i}/{path}");
        let twin = make(&clean, &without);
        out.push((clean, "look-alike", path.to_string(), false, twin));
    }
    for (i, &(path, text)) in lookalikes.iter().enumerate() {
        let name = format!("{prefix}/look/{i}/{path}");
        let content = make(&name, text);
        out.push((name, "look-alike", path.to_string(), false, content));
    }
    out
}

fn b64(s: &str) -> String {
    base64(s.as_bytes(), B64, true)
}

fn b64url(s: &str) -> String {
    base64(s.as_bytes(), B64URL, false)
}

/// A Discord bot token: base64 of a snowflake user id, a timestamp part, an HMAC part.
fn discord_token(rng: &mut Rng) -> String {
    let id = format!(
        "{}{}",
        1 + rng.next_u64() % 9,
        rng.string(b"0123456789", 17)
    );
    let ts = rng.string(B64URL, 6);
    let hmac = rng.string(B64URL, 38);
    format!("{}.{ts}.{hmac}", b64url(&id))
}

/// A signed JWT: a JSON header with `alg`, a JSON payload, a signature.
fn jwt(rng: &mut Rng) -> String {
    let header = b64url(r#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = b64url(&format!(
        r#"{{"sub":"{}","role":"service","iat":{}}}"#,
        rng.string(b"0123456789abcdef", 24),
        1_700_000_000 + rng.next_u64() % 10_000_000
    ));
    format!("{header}.{payload}.{}", rng.string(B64URL, 43))
}

/// UTF-16 little-endian, with a byte-order mark when `bom`.
fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xff, 0xfe] } else { Vec::new() };
    for u in s.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

/// A random password of mixed classes, as people and generators make them.
fn password(rng: &mut Rng) -> String {
    format!(
        "{}{}{}",
        rng.string(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 2),
        rng.string(b"abcdefghijkmnpqrstuvwxyz23456789", 12),
        rng.string(b"!#%*+-", 1)
    )
}

/// The whole corpus, generated with fixed seeds: the same on every run and machine.
pub fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut add = |name: &'static str,
                   family: &'static str,
                   path: &'static str,
                   leak: bool,
                   make: &dyn Fn(&mut Rng) -> Vec<u8>| {
        let mut rng = Rng::new(name);
        cases.push(Case {
            name: name.to_string(),
            family,
            path: path.to_string(),
            content: make(&mut rng),
            leak,
        });
    };
    // `t` expands the placeholders of a template with the case's own seed.
    fn t(rng: &mut Rng, template: &str) -> Vec<u8> {
        expand(template, &rng.string(B64, 8)).into_bytes()
    }

    // --- Provider tokens with a prefix, in several file formats.
    add("aws-env", "aws", ".env", true, &|r| {
        t(
            r,
            "AWS_REGION=eu-west-1\nAWS_ACCESS_KEY_ID=AKIA${alnumupper:16}\nAWS_SECRET_ACCESS_KEY=${base64:40}\n",
        )
    });
    add("aws-python", "aws", "deploy/upload.py", true, &|r| {
        t(
            r,
            "import boto3\n\ns3 = boto3.client(\n    \"s3\",\n    aws_access_key_id=\"AKIA${alnumupper:16}\",\n    aws_secret_access_key=\"${base64:40}\",\n)\n",
        )
    });
    add(
        "github-actions-yaml",
        "github",
        ".github/workflows/release.yml",
        true,
        &|r| {
            t(
            r,
            "jobs:\n  release:\n    runs-on: ubuntu-latest\n    env:\n      GH_TOKEN: ${gh:ghp_}\n    steps:\n      - run: gh release create v1.0\n",
        )
        },
    );
    add(
        "github-go",
        "github",
        "internal/client/client.go",
        true,
        &|r| {
            t(
            r,
            "package client\n\nconst defaultToken = \"${gh:github_pat_}\"\n\nfunc New() *Client { return &Client{token: defaultToken} }\n",
        )
        },
    );
    add("slack-bot-js", "slack", "src/notify.js", true, &|r| {
        t(
            r,
            "const { WebClient } = require('@slack/web-api');\nconst web = new WebClient('xoxb-${digits:12}-${digits:13}-${alnum:24}');\n",
        )
    });
    add(
        "stripe-java",
        "stripe",
        "src/main/java/com/shop/Billing.java",
        true,
        &|r| {
            t(
            r,
            "package com.shop;\n\npublic class Billing {\n    static { Stripe.apiKey = \"sk_live_${alnum:24}\"; }\n}\n",
        )
        },
    );
    add(
        "sendgrid-python",
        "sendgrid",
        "mailer/send.py",
        true,
        &|r| {
            t(
            r,
            "from sendgrid import SendGridAPIClient\nsg = SendGridAPIClient('SG.${base64url:22}.${base64url:43}')\n",
        )
        },
    );
    add("npm-token-npmrc", "npm", ".npmrc", true, &|r| {
        t(
            r,
            "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${gh:npm_}\n",
        )
    });
    add("gitlab-ci-variable", "gitlab", "ci/deploy.sh", true, &|r| {
        t(
            r,
            "#!/bin/sh\ncurl --header \"PRIVATE-TOKEN: glpat-${base64url:20}\" https://gitlab.example.com/api/v4/projects\n",
        )
    });
    add("log-line-openai", "openai", "logs/worker.log", true, &|r| {
        t(
            r,
            "2024-05-01 12:00:01 INFO starting worker\n2024-05-01 12:00:02 DEBUG Using OpenAI KEY=sk-proj-${base64url:64}T3BlbkFJ${base64url:64}\n",
        )
    });

    // --- Structural detectors: no keyword beside the token.
    add("discord-bot-python", "discord", "bot/main.py", true, &|r| {
        let tok = discord_token(r);
        format!("import os\n\nbot = make_bot()\nbot.run(\"{tok}\")\n").into_bytes()
    });
    add(
        "discord-bot-json",
        "discord",
        "config/settings.json",
        true,
        &|r| {
            let tok = discord_token(r);
            format!("{{\n  \"prefix\": \"!\",\n  \"credentials\": \"{tok}\"\n}}\n").into_bytes()
        },
    );
    add("jwt-bearer-log", "jwt", "logs/access.log", true, &|r| {
        let tok = jwt(r);
        format!("10.0.0.1 - - \"GET /api/v1/me\" 200 headers={{Authorization: Bearer {tok}}}\n")
            .into_bytes()
    });
    add("jwt-env", "jwt", "web/.env.production", true, &|r| {
        let tok = jwt(r);
        format!("NEXT_PUBLIC_URL=https://example.org\nSERVICE_ROLE_KEY={tok}\n").into_bytes()
    });

    // --- Private keys, raw and inside JSON strings.
    add(
        "pem-rsa-file",
        "privatekey",
        "deploy/keys/server.key",
        true,
        &|r| {
            t(
            r,
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${base64:48}\n${base64:64}\n${base64:64}\n${base64:64}\n${base64:30}==\n-----END RSA PRIVATE KEY-----\n",
        )
        },
    );
    add(
        "pem-in-service-account-json",
        "privatekey",
        "gcp/sa.json",
        true,
        &|r| {
            t(
            r,
            "{\n  \"type\": \"service_account\",\n  \"project_id\": \"demo-project\",\n  \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${base64:32}\\n${base64:64}\\n${base64:64}\\n${base64:40}\\n-----END PRIVATE KEY-----\\n\",\n  \"client_email\": \"svc@demo-project.iam.gserviceaccount.com\"\n}\n",
        )
        },
    );
    add(
        "pem-in-notebook",
        "privatekey",
        "notebooks/explore.ipynb",
        true,
        &|r| {
            t(
            r,
            "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"key = \\\"\\\"\\\"-----BEGIN EC PRIVATE KEY-----\\\\nMHcCAQEEI${base64:55}\\\\n${base64:64}\\\\n${base64:40}\\\\n-----END EC PRIVATE KEY-----\\\"\\\"\\\"\\n\"\n   ]\n  }\n ]\n}\n",
        )
        },
    );

    // --- Generic credentials in calls, configs and rc files.
    add("password-yaml", "generic", "config/app.yml", true, &|r| {
        let p = password(r);
        format!("database:\n  host: db.internal\n  user: app\n  password: \"{p}\"\n").into_bytes()
    });
    add(
        "password-python-call",
        "generic",
        "etl/load.py",
        true,
        &|r| {
            let p = password(r);
            format!("import psycopg2\nconn = psycopg2.connect(host=\"db.internal\", user=\"etl\", password=\"{p}\")\n").into_bytes()
        },
    );
    add(
        "password-java-field",
        "generic",
        "src/main/java/Db.java",
        true,
        &|r| {
            let p = password(r);
            format!("class Db {{\n    private static final String DB_PASSWORD = \"{p}\";\n}}\n")
                .into_bytes()
        },
    );
    add(
        "maven-settings-xml",
        "generic",
        ".m2/settings.xml",
        true,
        &|r| {
            let p = password(r);
            format!("<settings>\n  <servers>\n    <server>\n      <id>internal</id>\n      <username>deploy</username>\n      <password>{p}</password>\n    </server>\n  </servers>\n</settings>\n").into_bytes()
        },
    );
    add("netrc", "generic", ".netrc", true, &|r| {
        let p = password(r);
        format!("machine api.example.com\n  login deploy\n  password {p}\n").into_bytes()
    });
    add(
        "django-secret-key",
        "framework",
        "mysite/settings.py",
        true,
        &|r| {
            t(
            r,
            "DEBUG = False\nSECRET_KEY = 'django-insecure-${alnumlower:20}#${alnumlower:18}(${alnumlower:8}'\n",
        )
        },
    );
    add(
        "rails-secret-key-base",
        "framework",
        "config/secrets.yml",
        true,
        &|r| t(r, "production:\n  secret_key_base: ${hex:128}\n"),
    );

    // --- Connection strings.
    add(
        "postgres-url",
        "connection-string",
        "docker-compose.yml",
        true,
        &|r| {
            let p = password(r).replace(['#', '%', '+'], "x");
            format!("services:\n  api:\n    environment:\n      DATABASE_URL: postgres://api:{p}@db.prod.internal:5432/api\n").into_bytes()
        },
    );
    add(
        "mongodb-srv-url",
        "connection-string",
        "server/db.js",
        true,
        &|r| {
            t(
            r,
            "const uri = \"mongodb+srv://admin:${alnum:18}@cluster0.ab1cd.mongodb.net/shop?retryWrites=true\";\n",
        )
        },
    );
    add(
        "adonet-web-config",
        "connection-string",
        "web.config",
        true,
        &|r| {
            t(
            r,
            "<configuration>\n  <connectionStrings>\n    <add name=\"Main\" connectionString=\"Server=sql01;Database=Shop;User Id=shop;Password=${alnum:18};\" />\n  </connectionStrings>\n</configuration>\n",
        )
        },
    );

    // --- Encoded secrets.
    add(
        "k8s-secret-data-password",
        "encoded",
        "k8s/db-secret.yaml",
        true,
        &|r| {
            let p = password(r);
            format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  username: {}\n  password: {}\n",
            b64("app"),
            b64(&p)
        )
        .into_bytes()
        },
    );
    add(
        "k8s-secret-data-token",
        "encoded",
        "k8s/ci-secret.yaml",
        true,
        &|r| {
            let tok = String::from_utf8(t(r, "${gh:ghp_}")).unwrap();
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  GITHUB_TOKEN: {}\n",
                b64(&tok)
            )
            .into_bytes()
        },
    );
    add(
        "docker-config-auth",
        "encoded",
        ".docker/config.json",
        true,
        &|r| {
            let p = password(r);
            format!(
            "{{\n  \"auths\": {{\n    \"registry.example.com\": {{\n      \"auth\": \"{}\"\n    }}\n  }}\n}}\n",
            b64(&format!("deploy:{p}"))
        )
        .into_bytes()
        },
    );
    add(
        "basic-auth-header",
        "encoded",
        "scripts/call.sh",
        true,
        &|r| {
            let p = password(r);
            format!(
                "curl -H \"Authorization: Basic {}\" https://api.example.com/v1/items\n",
                b64(&format!("svc:{p}"))
            )
            .into_bytes()
        },
    );
    add(
        "base64-d-pipe",
        "encoded",
        "scripts/bootstrap.sh",
        true,
        &|r| {
            let key = String::from_utf8(t(r, "AWS_SECRET_ACCESS_KEY=${base64:40}")).unwrap();
            format!(
                "#!/bin/sh\necho {} | base64 -d > /tmp/env\n. /tmp/env\n",
                b64(&key)
            )
            .into_bytes()
        },
    );
    add(
        "json-unicode-escape",
        "encoded",
        "appsettings.json",
        true,
        &|r| {
            let tok = String::from_utf8(t(r, "${gh:ghp_}")).unwrap();
            let escaped = tok.replace('_', "\\u005f");
            format!("{{\n  \"Deploy\": {{ \"Token\": \"{escaped}\" }}\n}}\n").into_bytes()
        },
    );
    add(
        "percent-encoded-password-url",
        "encoded",
        "config/db.env",
        true,
        &|r| {
            t(
                r,
                "DATABASE_URL=postgresql://app:${alnum:10}%40${alnum:8}%21@db.internal:5432/app\n",
            )
        },
    );

    // --- UTF-16 files (Windows).
    add("utf16-ps1-bom", "utf16", "scripts/Deploy.ps1", true, &|r| {
        let tok = String::from_utf8(t(r, "${gh:ghp_}")).unwrap();
        utf16le(
            &format!("$ErrorActionPreference = 'Stop'\r\n$env:GITHUB_TOKEN = \"{tok}\"\r\n"),
            true,
        )
    });
    add("utf16-reg-no-bom", "utf16", "setup/app.reg", true, &|r| {
        let tok = String::from_utf8(t(r, "AKIA${alnumupper:16}")).unwrap();
        let sec = String::from_utf8(t(r, "${base64:40}")).unwrap();
        utf16le(
            &format!("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\App]\r\n\"AwsAccessKeyId\"=\"{tok}\"\r\n\"AwsSecretAccessKey\"=\"{sec}\"\r\n"),
            false,
        )
    });

    // --- Look-alikes: none of these may be flagged.
    add(
        "lockfile-integrity",
        "look-alike",
        "package-lock.json",
        false,
        &|r| {
            t(
            r,
            "{\n  \"packages\": {\n    \"node_modules/left-pad\": {\n      \"version\": \"1.3.0\",\n      \"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\",\n      \"integrity\": \"sha512-${base64:86}==\"\n    }\n  }\n}\n",
        )
        },
    );
    add("go-sum", "look-alike", "go.sum", false, &|r| {
        t(
            r,
            "github.com/pkg/errors v0.9.1 h1:${base64:43}=\ngithub.com/pkg/errors v0.9.1/go.mod h1:${base64:43}=\n",
        )
    });
    add("data-uri", "look-alike", "web/style.css", false, &|r| {
        let png: Vec<u8> = (0..600).map(|_| (r.next_u64() & 0xff) as u8).collect();
        format!(
            ".logo {{ background: url(data:image/png;base64,{}); }}\n",
            base64(&png, B64, true)
        )
        .into_bytes()
    });
    add("uuids-in-code", "look-alike", "src/ids.ts", false, &|r| {
        t(
            r,
            "export const TENANT_ID = \"${uuid}\";\nexport const requestId = '${uuid}';\n",
        )
    });
    add("commit-ids", "look-alike", "Cargo.lock", false, &|r| {
        t(
            r,
            "[[package]]\nname = \"dep\"\nsource = \"git+https://github.com/org/dep?rev=${hex:40}#${hex:40}\"\nchecksum = \"${hex:64}\"\n",
        )
    });
    add(
        "ssh-public-key",
        "look-alike",
        "keys/authorized_keys",
        false,
        &|r| {
            t(
                r,
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${base64:43} deploy@ci\n",
            )
        },
    );
    add(
        "pem-public-key",
        "look-alike",
        "keys/pub.pem",
        false,
        &|r| {
            t(
            r,
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${base64:20}\n${base64:64}\n${base64:50}IDAQAB\n-----END PUBLIC KEY-----\n",
        )
        },
    );
    add(
        "placeholders-in-docs",
        "look-alike",
        "docs/setup.md",
        false,
        &|_| {
            b"## Setup\n\n```sh\nexport API_KEY=your-api-key-here\nexport GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nexport DB_PASSWORD=<your-password>\n```\n".to_vec()
        },
    );
    add(
        "wordy-values",
        "look-alike",
        "src/settings.py",
        false,
        &|_| {
            b"API_SECRET = \"my-secret-api-key-here\"\npassword = \"test_password_value\"\ntoken_class = SomeClassName\n".to_vec()
        },
    );
    add(
        "k8s-secret-placeholder",
        "look-alike",
        "k8s/example-secret.yaml",
        false,
        &|_| {
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: example\ndata:\n  password: {}\n",
                b64("changeme")
            )
            .into_bytes()
        },
    );
    add(
        "base64-image-json",
        "look-alike",
        "assets/icons.json",
        false,
        &|r| {
            let mut s = String::from("{\n");
            for i in 0..8 {
                let img: Vec<u8> = (0..300).map(|_| (r.next_u64() & 0xff) as u8).collect();
                s += &format!("  \"icon{i}\": \"{}\",\n", base64(&img, B64, true));
            }
            s += "  \"end\": \"\"\n}\n";
            s.into_bytes()
        },
    );
    add(
        "percent-encoded-query",
        "look-alike",
        "docs/links.md",
        false,
        &|_| {
            b"See https://example.com/search?q=hello%20world&lang=en%2Dgb for the search page.\n"
                .to_vec()
        },
    );
    add(
        "sha256-checksums",
        "look-alike",
        "SHA256SUMS",
        false,
        &|r| {
            t(r, "${hex:64}  hushguard-x86_64-linux.tar.gz\n${hex:64}  hushguard-aarch64-darwin.tar.gz\n")
        },
    );
    for (name, family, path, leak, content) in families::cases()
        .into_iter()
        .chain(clean::cases())
        .chain(blind::cases())
        .chain(blind2::cases())
        .chain(blind3::cases())
        .chain(styles::cases())
        .chain(providers::cases())
        .chain(configs::cases())
        .chain(gaps::cases())
        .chain(saas::cases())
        .chain(blindb::cases())
        .chain(blindc::cases())
        .chain(blindd::cases())
        .chain(blinde::cases())
        .chain(misses::cases())
    {
        cases.push(Case {
            name,
            family,
            path,
            content,
            leak,
        });
    }
    cases
}

/// What the engine found in one case.
pub struct Outcome<'a> {
    pub case: &'a Case,
    /// `rule_id line:column` of every finding.
    pub findings: Vec<String>,
}

impl Outcome<'_> {
    /// A leak found, or a look-alike left alone.
    pub fn correct(&self) -> bool {
        self.case.leak != self.findings.is_empty()
    }
}

/// Scan every case with the built-in rules and the default configuration.
pub fn evaluate(cases: &[Case]) -> Vec<Outcome<'_>> {
    evaluate_with(cases, &hushguard::config::Config::default())
}

/// Scan every case with the built-in rules and `config` (which may add rules of its own).
pub fn evaluate_with<'a>(
    cases: &'a [Case],
    config: &hushguard::config::Config,
) -> Vec<Outcome<'a>> {
    let scanner =
        hushguard::scan::RuleSet::load(config, "default", hushguard::scan::Selection::All)
            .expect("engine builds");
    cases
        .iter()
        .map(|case| {
            let scan = scanner
                .scan(&case.path, &case.content)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            Outcome {
                case,
                findings: scan
                    .findings
                    .iter()
                    .map(|f| format!("{} {}:{}", f.rule_id, f.line, f.column))
                    .collect(),
            }
        })
        .collect()
}
