//! Look-alikes of real clean files, written after measuring the guard on wide clean corpora
//! (language standard libraries, Debian's documentation, node and Python packages): lockfiles of
//! every ecosystem, data: URIs, ids, commit pins, public keys, doc placeholders, test vectors,
//! minified code and source maps. None of them may be flagged. Random parts are generated from
//! `${...}` placeholders with a seed per case.

use super::{b64, base64, B64};
use hushguard::rules::fake_tokens::{expand, Rng};

/// Expand a template with the case's own seed.
fn x(rng: &mut Rng, template: &str) -> String {
    expand(template, &rng.string(B64, 8))
}

/// `n` random bytes, as an image or a digest is.
fn bytes(rng: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| (rng.next_u64() & 0xff) as u8).collect()
}

/// Base64 of `n` random bytes cut into lines of `width` (a PEM body, a wrapped blob).
fn wrapped(rng: &mut Rng, n: usize, width: usize) -> String {
    let s = base64(&bytes(rng, n), B64, true);
    s.as_bytes()
        .chunks(width)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

type Make = fn(&mut Rng) -> String;

/// Lockfiles and manifests of every ecosystem, with their digests and pins.
const LOCKFILES: &[(&str, &str, Make)] = &[
    ("package-lock-v3", "package-lock.json", |r| {
        let mut s =
            String::from("{\n  \"name\": \"web\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
        for dep in [
            "@aws-sdk/client-s3",
            "jsonwebtoken",
            "passport-oauth2",
            "stripe",
        ] {
            s += &x(r, &format!("    \"node_modules/{dep}\": {{\n      \"version\": \"3.1.0\",\n      \"resolved\": \"https://registry.npmjs.org/{dep}/-/x-3.1.0.tgz\",\n      \"integrity\": \"sha512-${{base64:86}}==\",\n      \"license\": \"MIT\"\n    }},\n"));
        }
        s + "    \"node_modules/sha1\": {\"integrity\": \"sha1-"
            + &base64(&bytes(r, 20), B64, true)
            + "\"}\n  }\n}\n"
    }),
    ("yarn-berry-lock", "yarn.lock", |r| {
        x(r, "\"@azure/storage-blob@npm:^12.17.0\":\n  version: 12.17.0\n  resolution: \"@azure/storage-blob@npm:12.17.0\"\n  checksum: 10c0/${hex:128}\n  languageName: node\n  linkType: hard\n")
    }),
    ("pnpm-lock-tarball", "pnpm-lock.yaml", |r| {
        x(r, "lockfileVersion: '9.0'\npackages:\n  twilio@4.19.0:\n    resolution: {integrity: sha512-${base64:86}==, tarball: https://registry.npmjs.org/twilio/-/twilio-4.19.0.tgz}\n    engines: {node: '>=14.0'}\n")
    }),
    ("poetry-lock-hashes", "poetry.lock", |r| {
        x(r, "[[package]]\nname = \"cryptography\"\nversion = \"42.0.5\"\nfiles = [\n    {file = \"cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl\", hash = \"sha256:${hex:64}\"},\n    {file = \"cryptography-42.0.5.tar.gz\", hash = \"sha256:${hex:64}\"},\n]\n\n[metadata]\ncontent-hash = \"${hex:64}\"\n")
    }),
    ("pipfile-lock", "Pipfile.lock", |r| {
        x(r, "{\n    \"_meta\": {\"hash\": {\"sha256\": \"${hex:64}\"}},\n    \"default\": {\n        \"pyjwt\": {\n            \"hashes\": [\n                \"sha256:${hex:64}\",\n                \"sha256:${hex:64}\"\n            ],\n            \"version\": \"==2.8.0\"\n        }\n    }\n}\n")
    }),
    ("requirements-hashes", "requirements.txt", |r| {
        x(r, "boto3==1.34.0 \\\n    --hash=sha256:${hex:64} \\\n    --hash=sha256:${hex:64}\nparamiko==3.4.0 \\\n    --hash=sha256:${hex:64}\n")
    }),
    ("composer-lock", "composer.lock", |r| {
        x(r, "{\n    \"content-hash\": \"${hex:32}\",\n    \"packages\": [\n        {\n            \"name\": \"stripe/stripe-php\",\n            \"source\": {\"type\": \"git\", \"url\": \"https://github.com/stripe/stripe-php.git\", \"reference\": \"${hex:40}\"},\n            \"dist\": {\"type\": \"zip\", \"url\": \"https://api.github.com/repos/stripe/stripe-php/zipball/${hex:40}\", \"reference\": \"${hex:40}\", \"shasum\": \"\"}\n        }\n    ]\n}\n")
    }),
    ("gemfile-lock-checksums", "Gemfile.lock", |r| {
        x(r, "GIT\n  remote: https://github.com/acme/omniauth-okta.git\n  revision: ${hex:40}\n  specs:\n    omniauth-okta (2.0.0)\n\nCHECKSUMS\n  jwt (2.7.1) sha256=${hex:64}\n  rack (3.0.9) sha256=${hex:64}\n")
    }),
    ("go-mod-pseudo-versions", "go.mod", |r| {
        x(r, "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/aws/aws-sdk-go-v2 v1.25.2\n\tgolang.org/x/oauth2 v0.0.0-20240102152341-${hex:12}\n\tgithub.com/acme/secrets v0.3.1-0.20231110093012-${hex:12} // indirect\n)\n")
    }),
    ("go-sum-dirhash", "go.sum", |r| {
        x(r, "cloud.google.com/go/storage v1.36.0 h1:${base64:43}=\ngithub.com/golang-jwt/jwt/v5 v5.2.0 h1:${base64:43}=\ngithub.com/golang-jwt/jwt/v5 v5.2.0/go.mod h1:${base64:43}=\n")
    }),
    ("cargo-lock-v4", "Cargo.lock", |r| {
        x(r, "version = 4\n\n[[package]]\nname = \"ring\"\nversion = \"0.17.8\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"${hex:64}\"\n\n[[package]]\nname = \"secrets-core\"\nsource = \"git+https://github.com/acme/secrets?branch=main#${hex:40}\"\n")
    }),
    ("nuget-packages-lock", "packages.lock.json", |r| {
        x(r, "{\n  \"version\": 1,\n  \"dependencies\": {\n    \"net8.0\": {\n      \"Azure.Identity\": {\n        \"type\": \"Direct\",\n        \"requested\": \"[1.10.4, )\",\n        \"resolved\": \"1.10.4\",\n        \"contentHash\": \"${base64:86}==\"\n      }\n    }\n  }\n}\n")
    }),
    (
        "gradle-verification",
        "gradle/verification-metadata.xml",
        |r| {
            x(r, "<component group=\"com.auth0\" name=\"java-jwt\" version=\"4.4.0\">\n   <artifact name=\"java-jwt-4.4.0.jar\">\n      <sha256 value=\"${hex:64}\" origin=\"Generated by Gradle\"/>\n   </artifact>\n</component>\n")
        },
    ),
    ("flake-lock", "flake.lock", |r| {
        x(r, "{\n  \"nodes\": {\n    \"nixpkgs\": {\n      \"locked\": {\n        \"lastModified\": 1709126324,\n        \"narHash\": \"sha256-${base64:43}=\",\n        \"owner\": \"NixOS\",\n        \"repo\": \"nixpkgs\",\n        \"rev\": \"${hex:40}\",\n        \"type\": \"github\"\n      }\n    }\n  }\n}\n")
    }),
    ("sri-link-tags", "templates/base.html", |r| {
        x(r, "<link rel=\"stylesheet\" href=\"https://cdn.example.net/css/app.css\" integrity=\"sha256-${base64:43}=\" crossorigin>\n<script src=\"/static/auth.js\" integrity=\"sha512-${base64:86}==\"></script>\n")
    }),
];

/// Embedded images and fonts, minified code, source maps, notebooks.
const BLOBS: &[(&str, &str, Make)] = &[
    ("data-uri-png-html", "docs/index.html", |r| {
        format!(
            "<img alt=\"logo\" src=\"data:image/png;base64,{}\">\n",
            base64(&bytes(r, 1200), B64, true)
        )
    }),
    ("data-uri-svg-markdown", "README.md", |r| {
        let svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 24 24\"><path d=\"M{} 0h24v24H0z\"/></svg>", r.next_u64() % 100);
        format!(
            "[![build](data:image/svg+xml;base64,{})](https://ci.example.org)\n",
            b64(&svg)
        )
    }),
    ("data-uri-font-js", "dist/fonts.js", |r| {
        format!("const font = \"data:application/font-woff;charset=utf-8;base64,{}\";\nexport default font;\n", base64(&bytes(r, 3000), B64, true))
    }),
    ("data-uri-css-multiline", "styles/icons.css", |r| {
        format!(".i-key {{\n  background-image: url(\"data:image/gif;base64,{}\");\n}}\n.i-lock {{ mask: url('data:image/webp;base64,{}') }}\n", base64(&bytes(r, 400), B64, true), base64(&bytes(r, 200), B64, true))
    }),
    ("notebook-image-output", "analysis.ipynb", |r| {
        format!("{{\n \"cells\": [{{\n  \"cell_type\": \"code\",\n  \"outputs\": [{{\n   \"data\": {{\n    \"image/png\": \"{}\\n{}\\n\",\n    \"text/plain\": [\"<Figure size 640x480>\"]\n   }}\n  }}]\n }}]\n}}\n", base64(&bytes(r, 600), B64, true), base64(&bytes(r, 600), B64, true))
    }),
    ("minified-js", "dist/app.min.js", |r| {
        let mut s = String::from("!function(e,t){\"use strict\";");
        for i in 0..40 {
            s += &x(r, &format!("var a{i}=\"${{alnum:6}}\",b{i}=function(n){{return n.token||e.apiKey||t[\"${{hex:8}}\"]}};"));
        }
        s + "e.auth={token:null,secret:void 0,password:\"\"}}(window,{});\n"
    }),
    ("source-map", "dist/app.js.map", |r| {
        let mappings: String = (0..400)
            .map(|i| {
                let seg = r.string(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                    4 + (i % 3) * 2,
                );
                if i % 9 == 8 {
                    seg + ";"
                } else {
                    seg + ","
                }
            })
            .collect();
        format!("{{\"version\":3,\"file\":\"app.js\",\"sources\":[\"../src/auth.ts\"],\"sourcesContent\":[\"export const apiKey = process.env.API_KEY;\\nconst secret = config.get('secret');\\n\"],\"names\":[\"apiKey\",\"secret\",\"token\"],\"mappings\":\"{mappings}\"}}\n")
    }),
    ("inline-source-map", "dist/worker.js", |r| {
        let map = b64(&format!(
            "{{\"version\":3,\"sources\":[\"worker.ts\"],\"mappings\":\"{}\"}}",
            r.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij;,", 300)
        ));
        format!("self.onmessage=e=>postMessage(e.data);\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,{map}\n")
    }),
    ("base64-wasm-blob", "src/wasm.ts", |r| {
        format!(
            "export const wasm = Uint8Array.from(atob('{}'), c => c.charCodeAt(0));\n",
            base64(&bytes(r, 2000), B64, true)
        )
    }),
];

/// Ids: UUIDs and GUIDs where projects keep them.
const IDS: &[(&str, &str, Make)] = &[
    ("arm-template-ids", "azuredeploy.json", |r| {
        x(r, "{\n  \"parameters\": {\n    \"subscriptionId\": {\"type\": \"string\", \"defaultValue\": \"${uuid}\"},\n    \"tenantId\": {\"type\": \"string\", \"defaultValue\": \"${uuid}\"},\n    \"principalId\": {\"type\": \"string\", \"defaultValue\": \"${uuid}\"}\n  },\n  \"variables\": {\"roleDefinitionId\": \"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '${uuid}')]\"}\n}\n")
    }),
    ("sln-guids", "App.sln", |r| {
        x(r, "Microsoft Visual Studio Solution File, Format Version 12.00\nProject(\"{FAE04EC0-301F-11D3-BF4B-00C04F79EFBC}\") = \"Auth\", \"Auth\\Auth.csproj\", \"{${uuid}}\"\nEndProject\nGlobal\n\tGlobalSection(ExtensibilityGlobals) = postSolution\n\t\tSolutionGuid = {${uuid}}\n\tEndGlobalSection\nEndGlobal\n")
    }),
    ("k8s-owner-references", "k8s/replicaset.yaml", |r| {
        x(r, "metadata:\n  name: api-7d9f\n  uid: ${uuid}\n  ownerReferences:\n  - apiVersion: apps/v1\n    kind: Deployment\n    name: api\n    uid: ${uuid}\n")
    }),
    ("azure-client-id-config", "appsettings.json", |r| {
        x(r, "{\n  \"AzureAd\": {\n    \"Instance\": \"https://login.microsoftonline.com/\",\n    \"TenantId\": \"${uuid}\",\n    \"ClientId\": \"${uuid}\",\n    \"CallbackPath\": \"/signin-oidc\"\n  }\n}\n")
    }),
    (
        "terraform-state-ids",
        "terraform.tfstate.backup.json",
        |r| {
            x(r, "{\n  \"version\": 4,\n  \"serial\": 12,\n  \"lineage\": \"${uuid}\",\n  \"resources\": [{\"type\": \"aws_iam_role\", \"instances\": [{\"attributes\": {\"id\": \"deploy\", \"unique_id\": \"AROA${alnumupper:17}\"}}]}]\n}\n")
        },
    ),
    ("android-ids", "app/google-services.json", |r| {
        x(r, "{\n  \"project_info\": {\"project_number\": \"${digits:12}\", \"project_id\": \"acme-app\"},\n  \"client\": [{\"client_info\": {\"mobilesdk_app_id\": \"1:${digits:12}:android:${hex:16}\"}}]\n}\n")
    }),
];

/// Commit ids: changelogs, CI pins, submodules, git output.
const COMMITS: &[(&str, &str, Make)] = &[
    (
        "actions-pinned-shas",
        ".github/workflows/release.yml",
        |r| {
            x(r, "jobs:\n  release:\n    steps:\n      - uses: actions/checkout@${hex:40} # v4.1.1\n      - uses: aws-actions/configure-aws-credentials@${hex:40} # v4\n        with:\n          role-to-assume: arn:aws:iam::${digits:12}:role/release\n")
        },
    ),
    ("git-submodule-status", "docs/submodules.txt", |r| {
        x(r, " ${hex:40} vendor/openssl (OpenSSL_1_1_1w)\n+${hex:40} vendor/libsecret (0.21.1-3-g${hex:7})\n")
    }),
    ("git-log-oneline", "docs/history.txt", |r| {
        x(r, "commit ${hex:40}\nAuthor: Dev <dev@example.org>\n\n    Rotate the API token (see ${hex:12})\n\n${hex:7} Remove leaked secret\n${hex:7} Add password reset\n")
    }),
    ("gitlab-ci-sha", ".gitlab-ci.yml", |r| {
        x(r, "include:\n  - project: acme/ci-templates\n    ref: ${hex:40}\n    file: /secrets-scan.yml\nvariables:\n  CI_COMMIT_SHA: ${hex:40}\n")
    }),
    ("patch-index-lines", "fix-auth.patch", |r| {
        x(r, "From ${hex:40} Mon Sep 17 00:00:00 2001\ndiff --git a/auth.py b/auth.py\nindex ${hex:7}..${hex:7} 100644\n--- a/auth.py\n+++ b/auth.py\n")
    }),
];

/// Public keys and certificates in their many forms.
const PUBLIC_KEYS: &[(&str, &str, Make)] = &[
    ("authorized-keys-options", ".ssh/authorized_keys", |r| {
        x(r, "command=\"/usr/bin/backup\",no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${base64:43} backup@host\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ${base64:510} ops@bastion\necdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB${base64:86}= ci\n")
    }),
    ("known-hosts", ".ssh/known_hosts", |r| {
        x(r, "github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${base64:43}\n|1|${base64:27}=|${base64:27}= ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB${base64:86}=\n")
    }),
    ("ed25519-pub-file", "deploy/id_ed25519.pub", |r| {
        x(
            r,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${base64:43} deploy@build-01\n",
        )
    }),
    ("rsa-public-key-pem", "keys/rsa_pub.pem", |r| {
        format!(
            "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
            wrapped(r, 270, 64)
        )
    }),
    ("ec-public-key-in-code", "src/verify.go", |r| {
        format!(
            "const publicKeyPEM = `-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----`\n",
            wrapped(r, 91, 64)
        )
    }),
    ("public-key-json-escaped", "config/oidc.json", |r| {
        format!("{{\"issuer\": \"https://auth.example.org\", \"public_key\": \"-----BEGIN PUBLIC KEY-----\\n{}\\n-----END PUBLIC KEY-----\\n\"}}\n", wrapped(r, 294, 64).replace('\n', "\\n"))
    }),
    ("certificate-chain", "certs/chain.pem", |r| {
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", wrapped(r, 1100, 64), wrapped(r, 900, 64))
    }),
    ("certificate-request", "certs/server.csr", |r| {
        format!(
            "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
            wrapped(r, 700, 64)
        )
    }),
    ("pgp-signature", "release/SHA256SUMS.asc", |r| {
        let sig = wrapped(r, 400, 64);
        x(r, &format!("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n${{hex:64}}  app.tar.gz\n-----BEGIN PGP SIGNATURE-----\n\n{}\n=${{base64:4}}\n-----END PGP SIGNATURE-----\n", sig))
    }),
    ("jwks-ec", ".well-known/jwks.json", |r| {
        x(r, "{\"keys\": [{\"kty\": \"EC\", \"crv\": \"P-256\", \"kid\": \"${hex:16}\", \"x\": \"${base64url:43}\", \"y\": \"${base64url:43}\", \"use\": \"sig\", \"alg\": \"ES256\"}, {\"kty\": \"OKP\", \"crv\": \"Ed25519\", \"x\": \"${base64url:43}\"}]}\n")
    }),
    ("age-recipients", "secrets/.sops.yaml", |r| {
        x(r, "creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    pgp: ${HEX:40}\n    age: age1${alnumlower:58}\n")
    }),
    ("wireguard-public", "wg0.conf.example", |r| {
        x(r, "[Interface]\nPrivateKey = <paste the private key here>\n\n[Peer]\nPublicKey = ${base64:43}=\nAllowedIPs = 10.0.0.0/24\n")
    }),
];

/// Placeholders in docs, templates and tutorials.
const PLACEHOLDERS: &[(&str, &str, Make)] = &[
    ("tutorial-placeholders", "docs/quickstart.md", |_| {
        "```python\nclient = Client(api_key=\"YOUR_API_KEY\")\nstripe.api_key = \"sk_test_...\"\nheaders = {\"Authorization\": \"Bearer <token>\"}\n```\n".into()
    }),
    (
        "helm-values-templates",
        "charts/api/templates/deployment.yaml",
        |_| {
            "env:\n  - name: DB_PASSWORD\n    value: {{ .Values.password | quote }}\n  - name: API_TOKEN\n    value: \"{{ required \\\"token\\\" .Values.api.token }}\"\n".into()
        },
    ),
    ("jinja-ansible-vars", "roles/db/templates/my.cnf.j2", |_| {
        "[client]\nuser = {{ mysql_user }}\npassword = {{ mysql_password }}\n\n[mysqldump]\npassword = \"{{ vault_mysql_root_password }}\"\n".into()
    }),
    ("redacted-logs", "logs/debug.log", |_| {
        "DEBUG sending Authorization: Bearer [REDACTED]\nDEBUG password=******** api_key=REDACTED token=<redacted>\n".into()
    }),
    ("x-masked-values", "docs/billing.md", |_| {
        "Your key looks like `sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`; the secret is shown once as `whsec_XXXXXXXXXXXXXXXX`.\nAWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n".into()
    }),
    (
        "tutorial-weak-passwords",
        "docs/tutorial/03-database.md",
        |_| {
            "Create a user:\n\n    CREATE USER app WITH PASSWORD 'password123';\n    mysql -u root -pchangeme\n\nand set `password: changeme` in `config.yml`.\n".into()
        },
    ),
    ("env-example-file", ".env.sample", |_| {
        "# Copy to .env and fill in\nSTRIPE_SECRET_KEY=sk_test_your_key_here\nTWILIO_AUTH_TOKEN=your_twilio_auth_token\nSECRET_KEY=change-me-in-production\nDATABASE_URL=postgres://postgres:postgres@localhost/app\n".into()
    }),
    ("shell-parameter-expansion", "scripts/deploy.sh", |_| {
        "export AWS_SECRET_ACCESS_KEY=\"${AWS_SECRET_ACCESS_KEY:?missing}\"\ncurl -u \"$USER:$API_TOKEN\" https://api.example.org\nmysql --password=\"$MYSQL_PWD\" -e 'select 1'\n".into()
    }),
    ("terraform-variable-refs", "main.tf", |_| {
        "resource \"aws_db_instance\" \"db\" {\n  username = \"admin\"\n  password = var.db_password\n  master_password = data.aws_secretsmanager_secret_version.db.secret_string\n}\n".into()
    }),
    (
        "spring-placeholders",
        "src/main/resources/application.properties",
        |_| {
            "spring.datasource.password=${DB_PASSWORD}\nspring.security.oauth2.client.registration.github.client-secret=${GITHUB_CLIENT_SECRET:}\njwt.secret=@jwt.secret@\n".into()
        },
    ),
];

/// Test vectors and digests in test suites.
const VECTORS: &[(&str, &str, Make)] = &[
    ("hmac-rfc-vectors", "tests/test_hmac.py", |r| {
        x(r, "# HMAC-SHA256 test case 2\nkey = b\"Jefe\"\ndata = b\"what do ya want for nothing?\"\nexpected = \"${hex:64}\"\nkey = bytes.fromhex(\"${hex:40}\")\nexpected_sha1 = \"${hex:40}\"\n")
    }),
    ("digest-test-table", "hash_test.go", |r| {
        x(r, "var golden = []struct{ out, in string }{\n\t{\"${hex:32}\", \"\"},\n\t{\"${hex:32}\", \"a\"},\n\t{\"${hex:40}\", \"abc\"},\n\t{\"${hex:64}\", \"message digest\"},\n}\n")
    }),
    ("signature-test-vector", "tests/vectors.json", |r| {
        x(r, "[{\"tcId\": 1, \"comment\": \"valid\", \"msg\": \"${hex:32}\", \"sig\": \"${hex:128}\", \"result\": \"valid\"},\n {\"tcId\": 2, \"msg\": \"\", \"sig\": \"${hex:128}\", \"result\": \"invalid\"}]\n")
    }),
    ("md5-checksums-file", "debian/md5sums", |r| {
        x(
            r,
            "${hex:32}  usr/bin/app\n${hex:32}  usr/share/doc/app/changelog.gz\n",
        )
    }),
    (
        "etag-and-digest-headers",
        "tests/fixtures/response.http",
        |r| {
            x(r, "HTTP/1.1 200 OK\nETag: \"${hex:32}\"\nDigest: sha-256=${base64:43}=\nX-Amz-Request-Id: ${HEX:16}\nX-Amz-Id-2: ${base64:76}\n")
        },
    ),
];

/// Every case of this file, as look-alikes.
pub(super) fn cases() -> Vec<super::families::Raw> {
    let mut out = Vec::new();
    for group in [
        LOCKFILES,
        BLOBS,
        IDS,
        COMMITS,
        PUBLIC_KEYS,
        PLACEHOLDERS,
        VECTORS,
    ] {
        for (name, path, make) in group {
            let mut rng = Rng::new(name);
            let content = make(&mut rng);
            out.push((
                name.to_string(),
                "look-alike",
                path.to_string(),
                false,
                content.into_bytes(),
            ));
        }
    }
    out
}
