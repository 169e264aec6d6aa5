//! Cases from a second blind corpus: long-tail providers written the way scanners' test suites
//! write them, and whole configuration files with one secret, kept here for the syntaxes it found
//! missing: a name that ends in `key` (`$acmeKey = "…"`, `"acme_key": "…"`), R's `<-`, a
//! `<name> key: …` note, and secrets that one application's own file keeps under its own name.
//! Tokens are generated from `${...}` placeholders with a seed per case.

use super::families::Raw;
use super::B64;
use hushguard::rules::fake_tokens::{expand, Rng};

/// Providers with no prefix of their own and no rule of their own: name, token template.
const LONG_TAIL: &[(&str, &str)] = &[
    ("weatherly", "${hex:32}"),
    ("tradebook", "${alnumupper:20}"),
    ("geodatix", "${alnum:40}"),
    ("coinvault", "${base64url:43}"),
    ("mailforge", "${uuid}"),
    ("quotewire", "${hex:40}"),
    ("flagpole", "${alnum:32}"),
    ("streamdeck", "${alnumlower:30}"),
    ("pixelhub", "${alnum:56}"),
    ("ledgerly", "${HEX:32}"),
];

fn camel(name: &str) -> String {
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn push(out: &mut Vec<Raw>, name: String, family: &'static str, path: &str, leak: bool, t: &str) {
    let mut rng = Rng::new(&name);
    let content = expand(t, &rng.string(B64, 8)).into_bytes();
    out.push((name, family, path.to_string(), leak, content));
}

/// Each long-tail provider's key in the syntaxes the first corpora did not hold.
fn syntaxes(out: &mut Vec<Raw>) {
    for &(n, tok) in LONG_TAIL {
        let c = camel(n);
        let forms: Vec<(&str, &str, String)> = vec![
            (
                "php-key-var",
                "config.php",
                format!("<?php\n${n}Key = \"{tok}\";\n"),
            ),
            (
                "php-camel-key",
                "settings.php",
                format!("<?php\n$my{c}Key = '{tok}';\n"),
            ),
            (
                "json-key-field",
                "config.json",
                format!("{{\n  \"name\": \"demo\",\n  \"{n}_key\": \"{tok}\"\n}}\n"),
            ),
            (
                "r-assign",
                "analysis.R",
                format!("{n}_token <- \"{tok}\"\n"),
            ),
            (
                "comment-key",
                "notes.py",
                format!("# {n} key: {tok}\nprint(\"ok\")\n"),
            ),
        ];
        for (form, path, t) in forms {
            push(out, format!("blind2/{n}/{form}"), "generic", path, true, &t);
        }
    }
}

/// Secrets that one application's configuration file keeps under a name of its own.
fn configs(out: &mut Vec<Raw>) {
    let leaks: &[(&str, &str, &str)] = &[
        ("phpmyadmin", "config.inc.php", "<?php\ndeclare(strict_types=1);\n$cfg['blowfish_secret'] = '${alnum:12}[]/;:${alnum:14}';\n$i = 0;\n$i++;\n$cfg['Servers'][$i]['auth_type'] = 'cookie';\n"),
        ("synapse-macaroon", "homeserver.yaml", "server_name: \"matrix.acme.io\"\nreport_stats: false\nmacaroon_secret_key: \"${alnum:20}@#.;:~,^&=*${alnum:20}\"\nform_secret: \"\"\n"),
        ("synapse-registration", "synapse/homeserver.yaml", "enable_registration: false\nregistration_shared_secret: \"${alnum:24}^&=*-_+${alnum:20}\"\nmax_upload_size: 50M\n"),
        ("nextcloud-salt", "nextcloud/config/config.php", "<?php\n$CONFIG = array (\n  'instanceid' => 'oc8c0fd71e03',\n  'passwordsalt' => '${base64:30}',\n  'dbtype' => 'mysql',\n);\n"),
        ("filebeat-cloud-auth", "filebeat.yml", "filebeat.inputs:\n  - type: filestream\n    paths:\n      - /var/log/app/*.log\ncloud.auth: \"elastic:${alnum:8}!${alnum:8}\"\n"),
    ];
    for &(name, path, t) in leaks {
        push(
            out,
            format!("blind2/config/{name}"),
            "config-file",
            path,
            true,
            t,
        );
    }
    let clean: &[(&str, &str, &str)] = &[
        (
            "let-key-dotted",
            "src/config.rs",
            "    let key = \"gitoxide.core.refsNamespace\";\n",
        ),
        (
            "pub-key-ident",
            "src/btrfs.rs",
            "pub struct S {\n    pub key: btrfs_ioctl_search_key,\n}\n",
        ),
        (
            "manifest-key-warning",
            "tests/check.rs",
            "[WARNING] Cargo.toml: unused manifest key: dev-dependencies.foo.wxz\n",
        ),
        ("cache-key", "cache.py", "cache_key = \"${alnum:32}\"\n"),
        (
            "public-key-field",
            "keys.json",
            "{\"publicKey\": \"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${base64:40}\"}\n",
        ),
        (
            "r-env",
            "analysis.R",
            "api_key <- Sys.getenv(\"WEATHERLY_API_KEY\")\n",
        ),
        (
            "synapse-env",
            "homeserver.yaml",
            "registration_shared_secret: ${SYNAPSE_REGISTRATION_SECRET}\n",
        ),
    ];
    for &(name, path, t) in clean {
        push(
            out,
            format!("blind2/clean/{name}"),
            "look-alike",
            path,
            false,
            t,
        );
    }
}

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    syntaxes(&mut out);
    configs(&mut out);
    out
}
