//! A blind round over whole configuration files (issue 10's "real config files"): an instrument
//! written from each format, without reading the rules, planted one secret in some eighty whole
//! files (Spring, Django, Rails, Laravel, WordPress, .NET, Compose, Kubernetes, Helm, Terraform,
//! Ansible, CI files, package-manager and mail dotfiles, database clients, Postman, Insomnia,
//! Jenkins, WinSCP, PuTTY, cloud-init) and kept a clean twin of each. These cases keep what it
//! found missed fixed: a JSON list of name/value objects (Postman, ECS, Insomnia headers),
//! php.ini's `_pw` and a Jenkinsfile's aligned `_PASS`, a password holding `=`, a web server's
//! environment directives (Apache `SetEnv`, nginx `fastcgi_param`), an indented OpenSSH key found
//! on its BEGIN line, irssi's config; and the look-alikes its clean twins showed: .NET public
//! key tokens, git's GPG `signingkey`, Laravel's `STRIPE_KEY=pk_live_…` and `PUSHER_APP_KEY`,
//! an empty Ansible password, `<…>` placeholders in `.pypirc` and `.msmtprc`, a pipeline's
//! `__TOKEN__`, and a Kubernetes Secret's base64 of a placeholder.
//!
//! Names: `blindd/leak/<n>/<file>`, `blindd/clean/<n>/<file>` (the slot line removed: the
//! planted line is the first where the two differ) and `blindd/look/<n>/<file>`.

use super::families::Raw;
use super::planted_files;

/// (file name, the file with its slot line marked `@@`, the slot line with `$$` for the secret,
/// the secret).
const FILES: &[(&str, &str, &str, &str)] = &[
    (
        "postman/production.postman_environment.json",
        "{\n\t\"id\": \"5b1c0f0e-2f5a-4f3e-9a51-7d1f2c3b4a5e\",\n\t\"name\": \"Payments API - Production\",\n\t\"values\": [\n\t\t{\n\t\t\t\"key\": \"baseUrl\",\n\t\t\t\"value\": \"https://api.payments.acme-corp.net/v1\",\n\t\t\t\"type\": \"default\",\n\t\t\t\"enabled\": true\n\t\t},\n\t\t{\n\t\t\t\"key\": \"apiSecret\",\n@@\n\t\t\t\"type\": \"secret\",\n\t\t\t\"enabled\": true\n\t\t}\n\t],\n\t\"_postman_variable_scope\": \"environment\"\n}\n",
        "\t\t\t\"value\": \"$$\",",
        "${hex:64}",
    ),
    (
        "postman/Inventory.postman_collection.json",
        "{\n\t\"info\": {\n\t\t\"_postman_id\": \"0c6e7f3a-8d2b-4c1e-b9a4-2e5f6a7b8c9d\",\n\t\t\"name\": \"Inventory API\"\n\t},\n\t\"auth\": {\n\t\t\"type\": \"bearer\",\n\t\t\"bearer\": [\n\t\t\t{\n\t\t\t\t\"key\": \"token\",\n@@\n\t\t\t\t\"type\": \"string\"\n\t\t\t}\n\t\t]\n\t},\n\t\"item\": []\n}\n",
        "\t\t\t\t\"value\": \"$$\",",
        "${alnum:40}",
    ),
    (
        "insomnia/slack-bots.json",
        "{\n  \"_type\": \"export\",\n  \"resources\": [\n    {\n      \"_id\": \"req_wrk_slack_post_message\",\n      \"url\": \"{{ _.base_url }}/chat.postMessage\",\n      \"method\": \"POST\",\n      \"headers\": [\n        { \"name\": \"Content-Type\", \"value\": \"application/json\" },\n@@\n      ],\n      \"_type\": \"request\"\n    }\n  ]\n}\n",
        "        { \"name\": \"Authorization\", \"value\": \"Bearer $$\" }",
        "${hex:64}",
    ),
    (
        "ecs/task-definition.json",
        "{\n  \"family\": \"orders-api\",\n  \"containerDefinitions\": [\n    {\n      \"name\": \"api\",\n      \"image\": \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:1.4.2\",\n      \"environment\": [\n        { \"name\": \"NODE_ENV\", \"value\": \"production\" },\n        { \"name\": \"DB_HOST\", \"value\": \"orders.cluster-c1x2y3z4w5v6.eu-west-1.rds.amazonaws.com\" },\n@@\n      ]\n    }\n  ]\n}\n",
        "        { \"name\": \"DB_PASSWORD\", \"value\": \"$$\" }",
        "${alnum:12}${digits:3}",
    ),
    (
        "php.ini",
        "[MySQLi]\nmysqli.max_persistent = -1\nmysqli.allow_persistent = On\nmysqli.default_port = 3306\nmysqli.default_host = db.crm.acme-corp.net\nmysqli.default_user = crm\n@@\nmysqli.reconnect = Off\n\n[Session]\nsession.save_handler = files\n",
        "mysqli.default_pw = $$",
        "${lower:4}${upper:3}${digits:2}${lower:5}",
    ),
    (
        "public/.htaccess",
        "Options -Indexes\n<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteRule ^index\\.php$ - [L]\n</IfModule>\n\nSetEnv APP_ENV production\nSetEnv DB_HOST db.shop.acme-corp.net\nSetEnv DB_USER shop\n@@\nSetEnv DB_NAME shop\n",
        "SetEnv DB_PASS $$",
        "${alnum:8}.${alnum:10}",
    ),
    (
        "nginx/sites-available/app.conf",
        "server {\n    listen 443 ssl http2;\n    server_name app.acme-corp.net;\n    root /srv/app/public;\n\n    location ~ \\.php$ {\n        include fastcgi_params;\n        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n@@\n    }\n}\n",
        "        fastcgi_param DB_PASSWORD $$;",
        "${alnum:14}${digits:2}",
    ),
    (
        "Jenkinsfile",
        "pipeline {\n    agent { label 'linux' }\n\n    environment {\n        REGISTRY      = 'registry.acme-corp.net:5000'\n        NEXUS_USER    = 'jenkins'\n@@\n        SONAR_TOKEN   = credentials('sonar-token')\n    }\n\n    stages {\n        stage('Build') {\n            steps {\n                sh './mvnw -B clean package'\n            }\n        }\n    }\n}\n",
        "        NEXUS_PASS    = '$$'",
        "${upper:1}${lower:5}${digits:2}!${lower:6}${digits:3}",
    ),
    (
        "infra/prod/main.tf",
        "resource \"aws_db_instance\" \"app\" {\n  identifier              = \"app-prod\"\n  engine                  = \"postgres\"\n  instance_class          = \"db.t3.medium\"\n  username                = \"app_admin\"\n@@\n  skip_final_snapshot     = false\n}\n",
        "  password                = \"$$\"",
        "${lower:3}${upper:2}!%+_${upper:3}^=${digits:2}",
    ),
    (
        "cloud-init/bastion-user-data.yaml",
        "#cloud-config\nhostname: bastion-01\npackages:\n  - fail2ban\nssh_keys:\n  rsa_private: |\n@@\n  rsa_public: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${base64:43} root@bastion-01\nruncmd:\n  - systemctl enable --now fail2ban\n",
        "      $$",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n      b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n      ${base64:70}\n      ${base64:70}\n      ${base64:70}\n      ${base64:40}\n      -----END OPENSSH PRIVATE KEY-----",
    ),
    (
        ".irssi/config",
        "servers = (\n  {\n    address = \"irc.libera.chat\";\n    chatnet = \"LiberaChat\";\n    port = \"6697\";\n    use_tls = \"yes\";\n  },\n  {\n    address = \"bnc.acme-corp.net\";\n    chatnet = \"bouncer\";\n    port = \"6697\";\n@@\n    autoconnect = \"yes\";\n  }\n);\n",
        "    password = \"$$\";",
        "${upper:1}${lower:5}${digits:2}&${lower:6}${digits:3}",
    ),
];

/// Files that hold no secret where one might be read.
const LOOKALIKES: &[(&str, &str)] = &[
    ("Intranet.Web/Web.config", "<configuration>\n  <configSections>\n    <section name=\"entityFramework\" type=\"System.Data.Entity.Internal.ConfigFile.EntityFrameworkSection, EntityFramework, Version=6.0.0.0, Culture=neutral, PublicKeyToken=${hex:16}\" requirePermission=\"false\" />\n  </configSections>\n  <runtime>\n    <assemblyBinding xmlns=\"urn:schemas-microsoft-com:asm.v1\">\n      <dependentAssembly>\n        <assemblyIdentity name=\"Newtonsoft.Json\" publicKeyToken=\"${hex:16}\" />\n        <bindingRedirect oldVersion=\"0.0.0.0-13.0.0.0\" newVersion=\"13.0.0.0\" />\n      </dependentAssembly>\n    </assemblyBinding>\n  </runtime>\n</configuration>\n"),
    (".gitconfig", "[user]\n\tname = Jane Doe\n\temail = jane@acme-corp.net\n\tsigningkey = ${HEX:16}\n[commit]\n\tgpgsign = true\n"),
    ("config/services.env", "STRIPE_KEY=pk_live_${alnum:24}\nSTRIPE_SECRET=\nPUSHER_APP_ID=1543210\nPUSHER_APP_KEY=${hex:20}\nPUSHER_APP_SECRET=\n"),
    ("inventory/hosts.ini", "[routers:vars]\nansible_connection=network_cli\nansible_user=netadmin\nansible_password=\nansible_become=yes\nansible_become_method=enable\n"),
    (".pypirc", "[distutils]\nindex-servers =\n    pypi\n\n[pypi]\nusername = __token__\npassword = <your-api-token>\n"),
    (".msmtprc", "account work\nhost smtp.office365.com\nport 587\nuser jane@acme-corp.net\npassword       <app password>\n"),
    ("src/Billing.Api/appsettings.Production.json", "{\n  \"ConnectionStrings\": {\n    \"DefaultConnection\": \"Server=tcp:sql-prod-01.database.windows.net,1433;Initial Catalog=Billing;User ID=billing_app;Password=__DbPassword__;Encrypt=True;\"\n  }\n}\n"),
    ("deploy/k8s/payments.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: payments-secrets\ntype: Opaque\ndata:\n  DB_USER: cGF5bWVudHM=\n  STRIPE_API_KEY: cGxhY2Vob2xkZXI=\n"),
    ("postman/staging.postman_environment.json", "{\n\t\"values\": [\n\t\t{\n\t\t\t\"key\": \"apiSecret\",\n\t\t\t\"value\": \"{{vault:api-secret}}\",\n\t\t\t\"type\": \"secret\"\n\t\t},\n\t\t{\n\t\t\t\"key\": \"tokenUrl\",\n\t\t\t\"value\": \"https://auth.acme-corp.net/oauth/token\"\n\t\t}\n\t]\n}\n"),
];

pub(super) fn cases() -> Vec<Raw> {
    planted_files("blindd", "config-file", FILES.iter().copied(), LOOKALIKES)
}
