//! Cases from a third blind corpus: a random generator's fixtures, written in the formats the
//! detection issue names (encoded secrets, framework keys, rc and XML configs, provider-named keys,
//! connection strings), each under its natural file name and under a generic one
//! (`fixture_0042.txt`, `case17.yaml`, no extension): a rule tied to a file name misses a
//! generator's fixture when the content alone is telling. Kept for the categories it found
//! missing: passwords drawn from punctuation (`&`, `;`, `<`, `(`, a leading `=` or `!`), random
//! salts taken for templates, format lines outside their own file, quoted ADO.NET passwords,
//! Oracle connect strings, base64 decoded by `Buffer.from`/`DecodeString` or kept under a `*_B64`
//! name, escaped JSON strings, `*_KEY` environment values. Tokens are generated from `${...}`
//! placeholders with a seed per case; `[[b64:…]]` (`b64u`: URL-safe without padding, `b64w`:
//! wrapped at 76 columns in a YAML block) is replaced by the base64 of its expanded text.

use super::families::Raw;
use super::make;

/// A leak: name, family, natural path, generic path, template.
type Leak = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const LEAKS: &[Leak] = &[
    // encoded secrets
    ("k8s-stringdata-punctuated", "encoded", "k8s/secret.yaml", "case17.yaml",
     "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\nstringData:\n  client-secret: ${alnum:3}~${alnum:2}&&=RI?!a-${alnum:8}\n"),
    ("buffer-from-base64", "encoded", "src/client.ts", "fixture_0042.txt",
     "const key = Buffer.from('[[b64:${gh:ghp_}]]', \"base64\").toString();\n"),
    ("go-decodestring", "encoded", "main.go", "sample.txt",
     "data, _ := base64.StdEncoding.DecodeString(\"[[b64:${gh:ghp_}]]\")\n"),
    ("b64-named-ci-variable", "encoded", ".gitlab-ci.yml", "test_data.yml",
     "variables:\n  DEPLOY_TOKEN_B64: [[b64u:${gh:ghp_}]]\n"),
    ("echo-user-password", "encoded", "setup.sh", "t17",
     "echo [[b64:deploy:${alnum:6}~${alnum:8}#i]] | base64 --decode > /tmp/creds\n"),
    ("printf-user-password", "encoded", "install.sh", "leak62.sh",
     "printf '%s' [[b64:root:${alnum:6}$s~${alnum:6}^+M]] | base64 -D\n"),
    ("named-inline-decode", "encoded", "deploy.sh", "example_input",
     "export API_TOKEN=$(echo '[[b64:${alnum:6}*~${alnum:10}]]' | base64 -d)\n"),
    ("notebook-escaped-quotes", "encoded", "notebooks/analysis.ipynb", "sample.json",
     "{\n \"cells\": [\n  {\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import os\\n\",\n    \"openai.api_key = \\\"${alnum:40}\\\"\\n\"\n   ]\n  }\n ]\n}\n"),
    ("json-escaped-slash-ec-key", "encoded", "gcp-key.json", "test_data",
     "{\"type\": \"service_account\", \"private_key\": \"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEI${alnum:30}\\/${alnum:25}\\n${alnum:20}\\/${alnum:43}\\n${alnum:30}\\/${alnum:12}\\n-----END EC PRIVATE KEY-----\\n\"}\n"),
    ("json-escaped-env-file", "encoded", "app.json", "t104.txt",
     "{\"name\": \"app\", \"env_file\": \"DB_HOST=db\\nDB_PASSWORD=${alnum:3}&$${alnum:6}*I#Y_${alnum:5}\\nDB_USER=app\"}\n"),
    ("wrapped-base64-pem", "encoded", "ci/vars.yml", "leak102.txt",
     "private-key-b64: |\n  [[b64w:-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${base64:48}\n${base64:64}\n${base64:64}\n${base64:64}\n-----END RSA PRIVATE KEY-----\n]]\n"),
    // framework keys
    ("wordpress-double-quoted-salt", "framework", "wp-config.php", "case325.php",
     "<?php\ndefine(\"NONCE_SALT\",  \">v${alnum:10}~3F<T;${alnum:12}(Bu5<CJ73,[k${alnum:20}\" );\n"),
    ("django-key-with-format-chars", "framework", "settings.py", "example_input.txt",
     "SECRET_KEY  =  \"django-insecure-${alnum:6}%((8=@${alnum:10})@${alnum:24}\"\n"),
    ("django-env-default", "framework", "myproj/settings.py", "fixture_0203.py",
     "SECRET_KEY = os.environ.get('DJANGO_SECRET_KEY', \"${alnum:20}%(p5)t${alnum:24}\")\n"),
    ("jwt-secret-leading-bang", "framework", ".env", "auth.txt",
     "jwt_secret = !${alnum:6}$1_${alnum:10}%7~Fh^$d\n"),
    ("koa-app-keys-punctuated", "framework", "app.js", "data.ts",
     "app.keys = ['#j~#${alnum:6}+${alnum:4}^${alnum:4}&0w${alnum:4}', '${alnum:32}'];\n"),
    // rc and XML configs
    ("mycnf-quoted-ampersand", "config-file", ".my.cnf", "t549.txt",
     "[client]\nuser=etl\npassword = \"${alnum:4}&.${alnum:6}_&${alnum:4}\"\n"),
    ("mycnf-leading-equals", "config-file", ".my.cnf", "leak418.ini",
     "[client]\nuser=build-bot\npassword==${alnum:6}+YG$c${alnum:4}!9\n"),
    ("ide-datasource-ampersand", "config-file", ".idea/dataSources.local.xml", "data.xml",
     "<data-source name=\"prod\">\n  <user-name>app_user</user-name>\n  <password>M=v&amp;${alnum:8}_d*w-${alnum:5}</password>\n</data-source>\n"),
    ("ivy-passwd-attribute", "config-file", "ivysettings.xml", "test_data.config",
     "<ivysettings>\n  <credentials host=\"nexus.acme-corp.io\" realm=\"Nexus\" username=\"dbo\" passwd=\"#${alnum:3}?Ii*4#&5*${alnum:8}\"/>\n</ivysettings>\n"),
    ("tomcat-context-inner-equals", "config-file", "META-INF/context.xml", "fixture_0500.xml",
     "<Context>\n  <Resource name=\"jdbc/app\" username=\"web\" password=\"${alnum:4}=T$${alnum:12}4\" driverClassName=\"org.postgresql.Driver\"/>\n</Context>\n"),
    ("pgpass-line", "config-file", ".pgpass", "fixture_0401",
     "db.internal.acme-corp.io:5432:app:app_user:${alnum:6}$${alnum:4}^${alnum:6}\n"),
    ("msmtp-account", "config-file", ".msmtprc", "case545",
     "account default\nhost smtp.acme-corp.io\nport 587\nauth on\nuser backup\npassword ${alnum:10}=^${alnum:6}-&4\nfrom backup@acme-corp.io\n"),
    ("curl-user-line", "config-file", ".curlrc", "t35.txt",
     "user=svc_app:${alnum:12}$&${alnum:6}\n"),
    ("npmrc-auth-line", "config-file", ".npmrc", "sample.ini",
     "_auth = [[b64:etl:${alnum:16}]]\nemail=ci@acme-corp.io\n"),
    ("lftp-open-user", "config-file", ".lftprc", "case569.conf",
     "set ftp:ssl-allow no\nopen -u etl,${alnum:4}*${alnum:6}+%q${alnum:4} ftp://10.0.3.17\n"),
    ("git-credentials-dollar", "config-file", ".git-credentials", "case528",
     "https://build-bot:${alnum:3}$${alnum:8}+N*@bitbucket.org\n"),
    ("nuget-cleartext-dollar", "config-file", "NuGet.Config", "t486.config",
     "<packageSourceCredentials>\n  <acme>\n    <add key=\"Username\" value=\"svc_app\" />\n    <add key=\"ClearTextPassword\" value=\"$S#${alnum:12}\" />\n  </acme>\n</packageSourceCredentials>\n"),
    ("ini-admin-password-ampersand", "config-file", "config.ini", "leak557",
     "[database]\nhost = 192.168.40.12\nadmin_password=7&${alnum:8}&${alnum:6}\n"),
    // provider-named keys
    ("appsettings-provider-token", "long-tail", "Web.config", "case606.xml",
     "<appSettings>\n  <add key=\"WidgetlyToken\" value=\"${hex:40}\" />\n</appSettings>\n"),
    ("terraform-provider-key", "long-tail", "variables.tf", "data.conf",
     "variable \"widgetly_key\" {\n  default = \"${alnum:40}\"\n}\n"),
    ("k8s-env-provider-key", "long-tail", "deployment.yaml", "sample.yaml",
     "env:\n  - name: WIDGETLY_KEY\n    value: \"${hex:64}\"\n"),
    ("actions-env-provider-key", "long-tail", ".github/workflows/ci.yml", "leak601",
     "jobs:\n  build:\n    runs-on: ubuntu-latest\n    env:\n      WIDGETLY_KEY: ${hex:64}\n    steps:\n      - run: make\n"),
    ("export-provider-key-uuid", "long-tail", ".bashrc", "fixture_0616",
     "export WIDGETLY_KEY=${uuid}\n"),
    // connection strings
    ("oracle-ezconnect", "connection-string", ".env", "test_data.sh",
     "ORACLE_CONN=deploy/${alnum:12}!g@//db.acme-corp.io:1521/ORCL\n"),
    ("jdbc-oracle-thin", "connection-string", "config.yml", "fixture_0983",
     "  DATABASE_URL: 'jdbc:oracle:thin:reporting/${alnum:4}=&M*${alnum:6}@db.acme-corp.io:1521:ORCL'\n"),
    ("adonet-quoted-semicolon", "connection-string", ".env", "t986.cfg",
     "connection_string='Host=db.acme-corp.io;Port=5432;Username=root;Password=\"${alnum:5};${alnum:8}\";Database=app'\n"),
    ("adonet-verbatim-doubled-quotes", "connection-string", "Data/Db.cs", "example_input.cs",
     "var conn = new SqlConnection(@\"Host=db.acme-corp.io;Username=api;Password=\"\"${alnum:5};${alnum:10}\"\";Database=app\");\n"),
    ("adonet-json-escaped-quotes", "connection-string", "appsettings.json", "sample.json",
     "{\n  \"ConnectionStrings\": {\n    \"DefaultConnection\": \"Host=db.acme-corp.io;Username=web;Password=\\\"!=0.c;${alnum:10}\\\";Database=app\"\n  }\n}\n"),
    ("odbc-pwd-leading-dollar", "connection-string", ".env", "leak939.txt",
     "CONNECTION_STRING='Driver={ODBC Driver 17 for SQL Server};Server=db.acme-corp.io;UID=api;PWD=$6${alnum:10}-=!?;'\n"),
    ("sftp-url-hash-question", "connection-string", ".lftprc", "leak410",
     "open sftp://reporting:#0${alnum:4}+_p=${alnum:3}?A@files.acme-corp.io\n"),
];

/// Look-alikes near the new rules: path, template.
const CLEAN: &[(&str, &str, &str)] = &[
    (
        "laravel-validation-rule",
        "app/Http/Requests/Register.php",
        "return [\n    'password' => 'required|string|min:8|confirmed',\n];\n",
    ),
    (
        "password-policy-regex",
        "config.py",
        "PASSWORD_REGEX = \"^(?=.*[A-Z])(?=.*[0-9]).{8,}$\"\n",
    ),
    (
        "ansible-vault-tag",
        "group_vars/all.yml",
        "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n",
    ),
    (
        "recaptcha-site-key",
        "fixture_0007.txt",
        "RECAPTCHA_SITE_KEY=${alnum:40}\n",
    ),
    (
        "s3-object-key",
        "case12.env",
        "S3_OBJECT_KEY=uploads/2024/report-final.csv\n",
    ),
    (
        "kms-key-arn",
        "sample.txt",
        "AWS_KMS_KEY=arn:aws:kms:us-east-1:123456789012:key/${uuid}\n",
    ),
    (
        "appsettings-version",
        "Web.config",
        "<add key=\"webpages:Version\" value=\"3.0.0.0\" />\n",
    ),
    (
        "msmtp-passwordeval",
        "case3.conf",
        "user backup\npasswordeval \"pass show mail\"\n",
    ),
    (
        "pgpass-header-comment",
        "fixture_0100",
        "# hostname:port:database:username:password\n",
    ),
    (
        "npm-package-path",
        "notes.txt",
        "see node_modules/lodash@4.17.21/package.json\n",
    ),
    (
        "sentence-under-secret",
        "strings.py",
        "secret = \"Hello, world; goodbye!\"\n",
    ),
    (
        "decode-of-variables",
        "run.sh",
        "echo $USER:$PASS | base64 -d\n",
    ),
    (
        "call-under-token",
        "app.js",
        "token = getToken(user, opts[0]);\n",
    ),
    (
        "percent-format-password",
        "db.py",
        "DSN = \"host=db user=app password=%(password)s\"\n",
    ),
    (
        "shell-variable-path",
        "deploy.sh",
        "PASSWORD_FILE=$HOME/.secrets/db\n",
    ),
];

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for &(name, family, natural, generic, t) in LEAKS {
        for (kind, path) in [("natural", natural), ("generic", generic)] {
            let n = format!("blind3/{name}/{kind}");
            let content = make(&n, t);
            out.push((n, family, path.to_string(), true, content));
        }
    }
    for &(name, path, t) in CLEAN {
        let n = format!("blind3/clean/{name}");
        let content = make(&n, t);
        out.push((n, "look-alike", path.to_string(), false, content));
    }
    out
}
