//! A blind round over whole configuration files and scripts: an instrument written from each
//! format's documentation without reading the rules (235 kinds of file, each with one planted
//! secret and its clean twin) found what the rules missed by category, and these cases keep one
//! or two of each category fixed: passwords generated as random letters and digits or as short
//! random keys (under the entropy gates), passwords passed to calls, on command lines and in
//! build scripts, installer and provisioning files, keys that say their password is in clear, a
//! Ruby symbol key, legacy `.dockercfg`, and short credentials in package-source URLs; beside
//! the look-alikes the same files hold (a `${VAR:?}` check, a host name, a flag, a field type,
//! the tools' own default words).
//!
//! Names: `blindb/leak/<n>/<file>`, `blindb/clean/<n>/<file>` (the slot line removed: the
//! planted line is the first where the two differ) and `blindb/look/<n>/<file>`.

use super::families::Raw;
use super::planted_files;

/// A password of random lower-case letters and digits, as generators make them.
const LETTERS_DIGITS: &str = "${lower:12}${digits:4}";
/// A short random password of letters and a digit: about three bits per character.
const SHORT: &str = "${lower:2}${upper:1}${lower:3}${digits:1}${upper:1}${lower:1}";
/// A random password holding an underscore: not an identifier.
const UNDERSCORED: &str =
    "${lower:1}${upper:1}${lower:2}${upper:1}${digits:2}_${lower:1}${upper:2}${lower:3}";
/// A random password with symbols.
const SYMBOLS: &str = "${lower:1}0^${upper:1}+${alnum:8}";

/// (file name, the file with its slot line marked `@@`, the secret for `@@`).
const FILES: &[(&str, &str, &str)] = &[
    ("config/initializers/ftp.rb", "FTP_CONFIG = {\n  :host => 'ftp.partner-logistics.com',\n  :user => 'sync',\n  :password => '@@'\n}\n", SYMBOLS),
    ("src/Database.php", "<?php\nnamespace App;\n\nclass Database\n{\n    public static function connect(): \\PDO\n    {\n        return new \\PDO('mysql:host=10.20.3.14;dbname=orders', 'orders', '@@');\n    }\n}\n", SHORT),
    ("deploy.ps1", "$ErrorActionPreference = \"Stop\"\n$user = \"ACME\\deploy\"\n$pass = ConvertTo-SecureString \"@@\" -AsPlainText -Force\n$cred = New-Object System.Management.Automation.PSCredential($user, $pass)\n", LETTERS_DIGITS),
    ("scripts/flush-cache.sh", "#!/bin/sh\nset -e\nredis-cli -h cache.internal -p 6379 -a @@ --no-auth-warning FLUSHDB\n", SHORT),
    ("scripts/make-keystore.sh", "#!/bin/sh\nkeytool -importkeystore -srckeystore cert.p12 -srcstoretype PKCS12 \\\n  -destkeystore app.jks -deststorepass @@\n", SYMBOLS),
    ("scripts/create-secrets.sh", "#!/bin/bash\nkubectl create secret generic orders-db \\\n  --namespace production \\\n  --from-literal=username=orders \\\n  --from-literal=password=@@\n", LETTERS_DIGITS),
    ("ci/setup-helm.sh", "#!/bin/sh\nhelm repo add internal https://charts.acme-corp.net --username ci --password @@\nhelm repo update\n", LETTERS_DIGITS),
    ("scripts/sync_ftp.py", "from ftplib import FTP_TLS\n\nftp = FTP_TLS(\"ftp.partner-logistics.com\")\nftp.login(\"sync\", \"@@\")\nftp.prot_p()\n", LETTERS_DIGITS),
    ("app/build.gradle", "android {\n    compileSdk 34\n    signingConfigs {\n        release {\n            storeFile file(\"release.keystore\")\n            storePassword \"@@\"\n            keyAlias \"upload\"\n        }\n    }\n}\n", SHORT),
    ("conf/ftp-sync.xml", "<sync>\n  <remote host=\"ftp.partner-logistics.com\" port=\"21\">\n    <login>sync</login>\n    <pwd>@@</pwd>\n  </remote>\n</sync>\n", UNDERSCORED),
    ("preseed.cfg", "d-i debian-installer/locale string en_US\nd-i passwd/root-login boolean true\nd-i passwd/root-password password @@\nd-i partman-auto/method string lvm\n", SYMBOLS),
    ("cloud-init/user-data", "#cloud-config\nusers:\n  - name: deploy\n    sudo: ALL=(ALL) NOPASSWD:ALL\nchpasswd:\n  expire: false\n  list: |\n    root:@@\n", LETTERS_DIGITS),
    ("WinSCP.ini", "[Sessions\\deploy@web01]\nHostName=web01.acme-corp.net\nUserName=deploy\nPasswordPlain=@@\nPortNumber=22\n", SHORT),
    ("odbc.ini", "[orders]\nDriver      = PostgreSQL Unicode\nServername  = db-prod-01.internal.acme-corp.net\nPort        = 5432\nUsername    = orders\nPassword    = @@\n", UNDERSCORED),
    ("Gemfile", "source \"https://rubygems.org\"\nsource \"https://${hex:8}:@@@gems.contribsys.com/\" do\n  gem \"sidekiq-pro\"\nend\n", "${hex:8}"),
    (".condarc", "channels:\n  - https://conda.anaconda.org/t/@@/acme\n  - conda-forge\n", "${alnum:2}-${hex:8}-${hex:4}-${hex:4}-${hex:4}-${hex:12}"),
    (".dockercfg", "{\"quay.io\":{\"auth\":\"@@\",\"email\":\"ci@acme-corp.net\"}}\n", "[[b64:deploy:${alnum:8}*${alnum:6}]]"),
];

/// Files that hold no secret where one might be read.
const LOOKALIKES: &[(&str, &str)] = &[
    ("docker-compose.yml", "services:\n  app:\n    environment:\n      ADMIN_PASSWORD: \"${ADMIN_PASSWORD:?missing}\"\n      DB_PASSWORD: ${DB_PASSWORD?set it}\n"),
    ("src/Mailer.cs", "var client = new SmtpClient(\"smtp.office365.com\", 587);\nclient.EnableSsl = true;\n"),
    ("ks.cfg", "lang en_US.UTF-8\nrootpw --lock\ntimezone Europe/Berlin\n"),
    ("src/netmgmt.rs", "pub struct Info {\n    pub ClearPassword: windows_sys::core::PWSTR,\n}\n"),
    ("init.gradle", "credentials {\n    username \"deploy\"\n    password \"System.env.NEXUS_PASSWORD\"\n}\n"),
    ("app/build.gradle", "signingConfigs {\n    debug {\n        storePassword \"android\"\n        keyPassword \"android\"\n    }\n}\n"),
    ("user-data", "#cloud-config\nchpasswd:\n  list: |\n    root:RANDOM\n  expire: true\n"),
    ("preseed.cfg", "d-i passwd/root-password password insecure\nd-i passwd/root-password-again password insecure\n"),
    ("scripts/cache.sh", "redis-cli -a \"$REDIS_PASSWORD\" ping\nkeytool -list -keystore app.jks -storepass changeit\n"),
    ("Gemfile", "source \"https://gems.contribsys.com/\" do\n  gem \"sidekiq-pro\"\nend\n"),
];

pub(super) fn cases() -> Vec<Raw> {
    planted_files(
        "blindb",
        "config-file",
        FILES
            .iter()
            .map(|&(path, text, secret)| (path, text, "$$", secret)),
        LOOKALIKES,
    )
}
