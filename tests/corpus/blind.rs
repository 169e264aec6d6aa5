//! Cases from a blind corpus: written without reading the rules, from what each provider and
//! format looks like in real files, then kept here for what it found missing. Provider keys with
//! no prefix stand beside the provider's bare name only (a JSON field, prose, a log line, a client
//! constructor, a settings dict, an INI section), connection URLs point at Active Directory
//! `.local` hosts or carry a mail login with its `@`, and passwords start with a symbol. Tokens
//! are generated from `${...}` placeholders with a seed per case.

use super::families::Raw;
use super::B64;
use hushguard::rules::fake_tokens::{expand, Rng};

/// A provider whose key is found by its name: family, name as files write it, token template,
/// whether the rule also looks on the next line (an INI section, a settings dict).
const NAMED: &[(&str, &str, &str, bool)] = &[
    ("cloudflare", "cloudflare", "${hex:37}", true),
    ("deepseek", "deepseek", "sk-${hex:32}", false),
    ("elevenlabs", "elevenlabs", "sk_${hex:48}", true),
    ("assemblyai", "assemblyai", "${hex:32}", true),
    ("vercel", "vercel", "${alnum:24}", false),
    ("ibm", "bluemix", "${base64url:44}", false),
    ("smartsheet", "smartsheet", "${alnum:37}", true),
    ("pagerduty", "pagerduty", "u+${alnum:18}", false),
    ("travis", "travis", "${alnum:22}", false),
    ("snyk", "snyk", "${uuid}", false),
    ("plaid", "plaid", "${hex:30}", false),
    ("razorpay", "razorpay", "${alnum:24}", false),
    ("kucoin", "kucoin", "${uuid}", false),
    ("linkedin", "linkedin", "${alnum:16}", false),
    ("spotify", "spotify", "${hex:32}", true),
    ("mailjet", "mailjet", "${hex:32}", true),
    ("sparkpost", "sparkpost", "${hex:40}", true),
    ("upstash", "upstash", "AX${alnum:60}=", true),
    ("honeycomb", "honeycomb", "${alnum:22}", false),
    ("rollbar", "rollbar", "${hex:32}", true),
    ("bugsnag", "bugsnag", "${hex:32}", true),
    ("tomtom", "tomtom", "${alnum:32}", true),
    ("bingmaps", "bingmaps", "${base64url:64}", true),
    ("scaleway", "scaleway", "${uuid}", false),
    ("linode", "linode", "${hex:64}", true),
    ("hetzner", "hetzner", "${alnum:64}", true),
    ("dingtalk", "dingtalk", "${base64url:64}", true),
    ("saucelabs", "saucelabs", "${uuid}", false),
    ("discord", "discord", "${base64url:32}", false),
    ("quandl", "quandl", "${alnum:20}", false),
    ("alpaca", "alpaca", "${alnum:40}", true),
    ("atlassian", "jira", "${alnum:24}", false),
    ("mastodon", "mastodon", "${base64url:43}", true),
    ("vmware", "vmware", "${alnum:32}", true),
    ("sourcegraph", "sourcegraph", "${hex:40}", false),
];

fn title(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Expand a template with the case's own seed.
fn x(rng: &mut Rng, template: &str) -> Vec<u8> {
    expand(template, &rng.string(B64, 8)).into_bytes()
}

fn push(out: &mut Vec<Raw>, name: String, family: &'static str, path: &str, leak: bool, t: &str) {
    let mut rng = Rng::new(&name);
    let content = x(&mut rng, t);
    out.push((name, family, path.to_string(), leak, content));
}

/// Each named provider's key beside its bare name, in the syntaxes real files use, and the
/// same name beside an id of the same shape (not a secret).
fn named(out: &mut Vec<Raw>) {
    for &(family, n, tok, multiline) in NAMED {
        let t = title(n);
        let forms: Vec<(&str, &str, String)> = vec![
            (
                "json",
                "config/credentials.json",
                format!("{{\n  \"credentials\": {{\n    \"{n}\": \"{tok}\"\n  }}\n}}\n"),
            ),
            (
                "prose",
                "docs/SETUP.md",
                format!("## {t}\n\nOur {t} secret key is {tok} (rotate it every quarter).\n"),
            ),
            (
                "log",
                "logs/worker.log",
                format!("2024-05-02 12:00:03,118 INFO [main] Using {n} KEY={tok}\n"),
            ),
            (
                "client",
                "app/client.py",
                format!("from {n} import Client\n\nclient = {t}Client(\"{tok}\")\n"),
            ),
            (
                "require",
                "src/index.js",
                format!("const {n} = require('{n}')('{tok}');\n"),
            ),
        ];
        for (form, path, text) in forms {
            push(out, format!("blind-{n}-{form}"), family, path, true, &text);
        }
        if multiline {
            let up = n.to_uppercase();
            push(
                out,
                format!("blind-{n}-ini-section"),
                family,
                "conf/keys.ini",
                true,
                &format!("[{n}]\nkey={tok}\n"),
            );
            push(
                out,
                format!("blind-{n}-settings-dict"),
                family,
                "app/settings.py",
                true,
                &format!("DEBUG = False\n{up} = {{\n    'key': '{tok}',\n}}\n"),
            );
        }
    }
}

/// Ids beside a provider's name with the same shape as its secret: not secrets.
fn ids(out: &mut Vec<Raw>) {
    let cases: &[(&str, &str, &str)] = &[
        ("blind-scaleway-project-id", "terraform/scaleway.tf", "provider \"scaleway\" {\n  project_id = \"${uuid}\"\n  region     = \"fr-par\"\n}\n"),
        ("blind-snyk-org-id", ".github/workflows/snyk.yml", "      - run: snyk monitor --org=${uuid}\n        env:\n          SNYK_ORG_ID: ${uuid}\n"),
        ("blind-spotify-client-id", "src/config.ts", "export const spotifyClientId = \"${hex:32}\";\nexport const SPOTIFY_CLIENT_ID = \"${hex:32}\";\n"),
    ];
    for &(name, path, t) in cases {
        push(out, name.to_string(), "look-alike", path, false, t);
    }
}

/// Connection URLs and rc files the blind corpus wrote differently from the team's corpus.
fn formats(out: &mut Vec<Raw>) {
    let leaks: &[(&str, &str, &str, &str)] = &[
        ("blind-mssql-ad-local", "connection-string", "docker-compose.yml", "services:\n  worker:\n    environment:\n      BROKER_URL: mssql://sa:${alnum:16}@sql01.acme.local:1433/crm\n"),
        ("blind-sqlserver-ad-local", "connection-string", "settings.py", "DATABASES = {'default': dj_database_url.parse('sqlserver://sa:${alnum:16}@sql01.corp.local:1433?database=crm')}\n"),
        ("blind-ldaps-ad-local", "connection-string", "ldap.yml", "ldap:\n  url: ldaps://svc-ldap:${alnum:16}@dc01.corp.acme.local:636\n"),
        ("blind-smtp-login-with-at", "connection-string", "src/mail.js", "const transport = nodemailer.createTransport('smtp://postmaster@mg.acme-corp.io:${alnum:16}@smtp.mailgun.org:587');\n"),
        ("blind-libpq-percent", "connection-string", "db.ini", "[db]\ndsn = host=pg.acme-corp.io port=5432 dbname=app user=app password=h%${alnum:15} sslmode=require\n"),
        ("blind-esmtprc-no-equals", "generic", ".esmtprc", "identity alerts@acme-corp.io\n  hostname smtp.acme-corp.io:587\n  username \"alerts@acme-corp.io\"\n  password \"${alnum:16}\"\n  starttls required\n"),
        ("blind-password-star-first", "generic", "src/main/resources/application.properties", "spring.datasource.username=app\nspring.datasource.password=*${alnum:15}\n"),
        ("blind-password-percent-first", "generic", "wp-config.php", "<?php\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '%${alnum:15}' );\n"),
        ("blind-muttrc-percent-first", "generic", ".muttrc", "set imap_user = \"jane@acme-corp.io\"\nset imap_pass = \"%${alnum:15}\"\n"),
        ("blind-helm-star-first", "generic", "values.yaml", "postgresql:\n  auth:\n    username: app\n    password: \"*${alnum:15}\"\n"),
    ];
    push(
        out,
        "blind-api-key-in-access-log".to_string(),
        "generic",
        "logs/access.log",
        true,
        "10.0.0.1 - - [01/Mar/2024:10:00:00 +0000] \"GET /v1/data?api_key=${hex:32} HTTP/1.1\" 200 512\n",
    );
    push(
        out,
        "blind-gradle-credentials-block".to_string(),
        "generic",
        "build.gradle",
        true,
        "publishing {\n  repositories {\n    maven {\n      url 'https://nexus.acme-corp.io/repository/releases'\n      credentials {\n        username 'deploy'\n        password '${alnum:16}'\n      }\n    }\n  }\n}\n",
    );
    push(
        out,
        "blind-sbt-credentials-call".to_string(),
        "generic",
        "build.sbt",
        true,
        "credentials += Credentials(\"Sonatype Nexus Repository Manager\", \"nexus.acme-corp.io\", \"deploy\", \"${alnum:16}\")\n",
    );
    push(
        out,
        "blind-perl-dbi-connect".to_string(),
        "generic",
        "lib/Db.pm",
        true,
        "my $dbh = DBI->connect('DBI:mysql:database=shop;host=db.acme-corp.io', 'shop', '${alnum:16}', { RaiseError => 1 });\n",
    );
    for &(name, family, path, t) in leaks {
        push(out, name.to_string(), family, path, true, t);
    }
    let clean: &[(&str, &str, &str)] = &[
        (
            "blind-batch-password-variable",
            "deploy.cmd",
            "set DB_PASSWORD=%DB_PASSWORD_FROM_VAULT%\nsqlcmd -U sa -P %DB_PASSWORD%\n",
        ),
        (
            "blind-password-mask",
            "config.ini",
            "[db]\npassword = ****************\n",
        ),
        (
            "blind-local-url-demo-password",
            "README.md",
            "Connect with `mysql://root:password@db.local:3306/app`.\n",
        ),
    ];
    push(
        out,
        "blind-mapbox-public-token".to_string(),
        "mapbox",
        "src/map.js",
        true,
        "mapboxgl.accessToken = 'pk.eyJ1IjoiYWNtZSIsImEiOiJ${alnum:20}J9.${base64url:22}';\n",
    );
    push(
        out,
        "blind-ethereum-addresses".to_string(),
        "look-alike",
        "deployments/mainnet.json",
        false,
        "{\"token\": \"0x${hex:40}\", \"router\": \"0x${hex:40}\"}\n",
    );
    for &(name, path, t) in clean {
        push(out, name.to_string(), "look-alike", path, false, t);
    }
}

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    named(&mut out);
    ids(&mut out);
    formats(&mut out);
    out
}
