//! Whole configuration files, each with one secret planted where a person puts it, in the file's
//! own syntax (an existing key, a new key in the right section, a comment left behind, a list
//! item, a directive, an XML element or attribute, aligned `=`), beside the same file without it
//! and with the non-secrets real files hold there (references, templates, encrypted values).
//! Kept from a round that measured whole real files rather than snippets; the files are written
//! here from each format's documentation, and every token is generated with a seed per case.
//!
//! Names: `configs/leak/<file>`, `configs/clean/<file>` (the slot line removed: the planted lines
//! start at the first line where the two differ) and `configs/look/<file>/<n>`.

use super::families::Raw;
use super::B64;
use hushguard::rules::fake_tokens::{expand, Rng};

/// Passwords of the shapes people choose: short letters and digits (under 3 bits per byte), a
/// readable word with a symbol and digits, symbols throughout, random with a dot.
const SHORT: &str = "${lower:6}${digits:2}";
const READABLE: &str = "${upper:1}${lower:7}&${digits:2}";
const SYMBOLS: &str = "${lower:1}${upper:1}${digits:1}#${lower:1}${upper:1}${digits:1}!${lower:1}${upper:1}${digits:1}*";
const DOTTED: &str =
    "${lower:2}${upper:1}${lower:3}${upper:1}${digits:1}${lower:2}${upper:1}${digits:1}.${lower:4}";
const RANDOM: &str = "${alnum:16}";

/// Values a real file holds under a secret's name that are not secrets.
const NOT_SECRETS: &[&str] = &[
    "${DB_PASSWORD}",
    "{{ vault_db_password }}",
    "%(password)s",
    "changeme",
    "<password>",
    "env:DB_PASSWORD",
    "/run/secrets/db_password",
    "ENC[AES256_GCM,data:Zm9vYmFy,iv:YWJj,tag:ZGVm,type:str]",
    "secretref:db-password",
    "****",
];

/// (file name, the file with its slot line marked `@@`, the secret for `@@`).
const FILES: &[(&str, &str, &str)] = &[
    ("config/kubeconfig", "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://k8s.acme.io:6443\n  name: prod\ncontexts:\n- context:\n    cluster: prod\n    user: admin\n  name: prod\ncurrent-context: prod\nusers:\n- name: admin\n  user:\n    username: admin\n    password: @@\n", SHORT),
    ("prometheus.yml", "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: 'node'\n    scheme: https\n    basic_auth:\n      username: scraper\n      password: @@\n    static_configs:\n      - targets: ['node01:9100', 'node02:9100']\n", READABLE),
    ("terraform.tfvars", "region         = \"eu-west-1\"\nenvironment    = \"production\"\ninstance_type  = \"t3.large\"\ndb_username    = \"app\"\ndb_password    = \"@@\"\ntags = {\n  Owner = \"platform\"\n}\n", SYMBOLS),
    ("infra/main.tf", "resource \"aws_db_instance\" \"orders\" {\n  identifier          = \"orders-prod\"\n  engine              = \"postgres\"\n  instance_class      = \"db.t3.medium\"\n  username            = \"orders\"\n  password            = \"@@\"\n  skip_final_snapshot = false\n}\n", SHORT),
    ("redis.conf", "bind 127.0.0.1 -::1\nprotected-mode yes\nport 6379\ntimeout 0\ndaemonize no\nsupervised systemd\nloglevel notice\ndatabases 16\nsave 3600 1\ndir /var/lib/redis\nrequirepass @@\nmaxmemory 2gb\nappendonly no\n", SYMBOLS),
    ("sentinel.conf", "port 26379\ndaemonize yes\nsentinel monitor mymaster 10.0.0.21 6379 2\nsentinel auth-pass mymaster @@\nsentinel down-after-milliseconds mymaster 5000\nsentinel failover-timeout mymaster 60000\n", RANDOM),
    ("apache2/sites-available/intranet.conf", "<VirtualHost *:80>\n\tServerName intranet.acme.lan\n\tDocumentRoot /var/www/html\n\t<Location /private>\n\t\tAuthType Basic\n\t\tAuthName \"Intranet\"\n\t\tAuthBasicProvider ldap\n\t\tAuthLDAPURL \"ldap://dc01.acme.lan/ou=Users,dc=acme,dc=lan?sAMAccountName\"\n\t\tAuthLDAPBindDN \"cn=svc-apache,ou=Service,dc=acme,dc=lan\"\n\t\tAuthLDAPBindPassword \"@@\"\n\t\tRequire valid-user\n\t</Location>\n</VirtualHost>\n", SHORT),
    ("hibernate.cfg.xml", "<?xml version='1.0' encoding='utf-8'?>\n<hibernate-configuration>\n    <session-factory>\n        <property name=\"connection.driver_class\">com.mysql.cj.jdbc.Driver</property>\n        <property name=\"connection.url\">jdbc:mysql://db01.acme.lan:3306/inventory</property>\n        <property name=\"connection.username\">inventory</property>\n        <property name=\"connection.password\">@@</property>\n        <property name=\"show_sql\">false</property>\n    </session-factory>\n</hibernate-configuration>\n", SYMBOLS),
    ("log4j2.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Configuration status=\"WARN\">\n  <Appenders>\n    <SMTP name=\"Mail\" subject=\"[orders] Error\" to=\"oncall@acme.io\" from=\"orders@acme.io\"\n          smtpHost=\"smtp.office365.com\" smtpPort=\"587\"\n          smtpUsername=\"orders@acme.io\" smtpPassword=\"@@\" bufferSize=\"50\">\n    </SMTP>\n  </Appenders>\n</Configuration>\n", SHORT),
    ("config/ldap.conf", "#\n# LDAP Defaults\n#\n\n#BASE\tdc=example,dc=com\n#URI\tldap://ldap.example.com\n# password: @@\n#SIZELIMIT\t12\nTLS_CACERT\t/etc/ssl/certs/ca-certificates.crt\n", READABLE),
    (".travis.yml", "language: rust\nrust:\n  - stable\n  - beta\npassword: @@\nscript:\n  - cargo build --verbose\n  - cargo test --verbose\n", DOTTED),
    ("nextcloud/config/config.php", "<?php\n$CONFIG = array (\n  'instanceid' => 'oc8c0fd71e03',\n  'datadirectory' => '/var/www/nextcloud/data',\n  'dbtype' => 'mysql',\n  'dbname' => 'nextcloud',\n  'dbhost' => 'localhost',\n  'dbuser' => 'nextcloud',\n  'dbpassword' => '@@',\n  'installed' => true,\n);\n", SHORT),
    ("config/database.php", "<?php\n\nreturn [\n    'connections' => [\n        'mysql' => [\n            'driver' => 'mysql',\n            'host' => env('DB_HOST', '127.0.0.1'),\n            'username' => env('DB_USERNAME', 'forge'),\n            'password' => env('DB_PASSWORD', '@@'),\n            'charset' => 'utf8mb4',\n        ],\n    ],\n];\n", SYMBOLS),
    ("Dockerfile", "FROM node:20-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nENV DB_PASSWORD=@@\nRUN npm ci\nCOPY . .\nRUN npm run build\n", READABLE),
    ("etc/logrotate.d/apt", "/var/log/apt/term.log {\n  rotate 12\n  monthly\n  compress\n  missingok\n  notifempty\n}\n\n# password: @@\n", SYMBOLS),
    ("docker-compose.yml", "version: \"3.8\"\nservices:\n  db:\n    image: postgres:15-alpine\n    restart: unless-stopped\n    environment:\n      POSTGRES_USER: storefront\n      POSTGRES_DB: storefront\n      POSTGRES_PASSWORD: @@\n    volumes:\n      - pgdata:/var/lib/postgresql/data\nvolumes:\n  pgdata:\n", SHORT),
    ("group_vars/all.yml", "---\nntp_servers:\n  - 0.pool.ntp.org\ntimezone: Europe/Berlin\napp_user: deploy\npostgresql_users:\n  - name: app\n    password: @@\n    db: app_production\nletsencrypt_email: ops@acme.io\n", READABLE),
    ("helm/values.yaml", "replicaCount: 1\nimage:\n  repository: grafana/grafana\n  tag: \"10.2.3\"\nservice:\n  type: ClusterIP\n  port: 80\nadminUser: admin\nadminPassword: @@\npersistence:\n  enabled: true\n", SHORT),
    ("src/main/resources/application.yml", "server:\n  port: 8443\nspring:\n  datasource:\n    url: jdbc:postgresql://pg-prod.acme.internal:5432/billing\n    username: billing_app\n    password: @@\n    hikari:\n      maximum-pool-size: 20\n", SHORT),
    ("src/main/resources/application.properties", "spring.application.name=notify\nserver.port=8081\nspring.mail.host=smtp.sendgrid.net\nspring.mail.port=587\nspring.mail.username=apikey\nspring.mail.password=@@\nspring.mail.properties.mail.smtp.auth=true\n", READABLE),
    ("grafana.ini", "[server]\nprotocol = http\nhttp_port = 3000\nroot_url = %(protocol)s://%(domain)s/\n\n[database]\ntype = postgres\nhost = pg.acme.io:5432\nname = grafana\nuser = grafana\npassword = @@\n\n[security]\nadmin_user = admin\n", SHORT),
    ("pgbouncer.ini", "[databases]\norders = host=10.0.2.5 port=5432 dbname=orders user=orders_app password=@@\n\n[pgbouncer]\nlisten_addr = 0.0.0.0\nlisten_port = 6432\nauth_type = scram-sha-256\npool_mode = transaction\n", SYMBOLS),
    ("odbc.ini", "[ODBC Data Sources]\nReportingDB = PostgreSQL Unicode\n\n[ReportingDB]\nDriver = PostgreSQL Unicode\nServername = reporting.acme.lan\nPort = 5432\nDatabase = reporting\nUserName = bi_reader\nPassword = @@\nSSLmode = require\n", READABLE),
    ("supervisord.conf", "[unix_http_server]\nfile=/var/run/supervisor.sock\nchmod=0700\n\n[inet_http_server]\nport=127.0.0.1:9001\nusername=admin\npassword=@@\n\n[program:worker]\ncommand=/srv/app/venv/bin/celery -A app worker -l info\nautorestart=true\n", SHORT),
    ("keycloak.conf", "# Database\ndb=postgres\ndb-username=keycloak\ndb-password=@@\ndb-url=jdbc:postgresql://pg.acme.io/keycloak\n\n# HTTP\nhostname=sso.acme.io\nhealth-enabled=true\n", SHORT),
    ("filebeat.yml", "filebeat.inputs:\n- type: filestream\n  id: nginx-access\n  paths:\n    - /var/log/nginx/access.log\noutput.elasticsearch:\n  hosts: [\"es01.acme.io:9200\"]\n  protocol: \"https\"\n  username: \"filebeat_internal\"\n  password: \"@@\"\n", DOTTED),
    ("logstash.conf", "input {\n  beats {\n    port => 5044\n  }\n}\noutput {\n  elasticsearch {\n    hosts => [\"https://es01.acme.io:9200\"]\n    user => \"logstash_writer\"\n    password => \"@@\"\n  }\n}\n", READABLE),
    ("wrangler.toml", "name = \"edge-router\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2023-12-01\"\n\n[vars]\nENVIRONMENT = \"production\"\nUPSTREAM = \"https://origin.acme.io\"\nUPSTREAM_PASSWORD = \"@@\"\n", SHORT),
    ("pyproject.toml", "[tool.poetry]\nname = \"acme-etl\"\nversion = \"0.9.1\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\n\n[tool.acme.warehouse]\nhost = \"wh.acme.io\"\nuser = \"etl\"\npassword = \"@@\"\n", DOTTED),
    ("config/ormconfig.json", "{\n  \"type\": \"postgres\",\n  \"host\": \"pg.acme.io\",\n  \"port\": 5432,\n  \"username\": \"api\",\n  \"password\": \"@@\",\n  \"database\": \"api\",\n  \"synchronize\": false\n}\n", READABLE),
    ("vault.hcl", "storage \"postgresql\" {\n  connection_url = \"postgres://vault:@@@pg.acme.io:5432/vault?sslmode=verify-full\"\n  table          = \"vault_kv_store\"\n}\nlistener \"tcp\" {\n  address = \"0.0.0.0:8200\"\n}\n", RANDOM),
    ("celeryconfig.py", "broker_url = 'amqp://worker:@@@mq.acme.io:5672/vhost'\nresult_backend = 'rpc://'\ntask_serializer = 'json'\ntimezone = 'Europe/Oslo'\n", "${lower:2}${digits:1}!${lower:3}${upper:2}${digits:1}${lower:3}*"),
    ("systemd/orders.service", "[Unit]\nDescription=Orders API\nAfter=network.target\n\n[Service]\nUser=orders\nEnvironment=\"DB_PASSWORD=@@\"\nExecStart=/srv/orders/bin/orders\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\n", SHORT),
    (".github/workflows/deploy.yml", "name: Deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      AWS_REGION: eu-west-1\n      NPM_TOKEN: @@\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci\n", "${gh:npm_}"),
    (".gitlab-ci.yml", "stages:\n  - build\n  - deploy\nvariables:\n  DOCKER_DRIVER: overlay2\n  GITLAB_TOKEN: \"@@\"\nbuild:\n  stage: build\n  script:\n    - docker build -t $CI_REGISTRY_IMAGE .\n", "glpat-${base64url:20}"),
    ("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: checkout\nspec:\n  template:\n    spec:\n      containers:\n        - name: checkout\n          image: registry.acme.io/checkout:2.1\n          env:\n            - name: NODE_ENV\n              value: production\n            - name: STRIPE_SECRET_KEY\n              value: \"@@\"\n", "sk_live_${alnum:24}"),
    ("serverless.yml", "service: image-resizer\nprovider:\n  name: aws\n  runtime: nodejs18.x\n  region: eu-central-1\n  environment:\n    BUCKET: acme-images\n    DD_API_KEY: @@\nfunctions:\n  resize:\n    handler: src/handler.resize\n", "${hex:32}"),
    ("alertmanager.yml", "global:\n  resolve_timeout: 5m\n  smtp_smarthost: 'smtp.acme.io:587'\n  slack_api_url: '@@'\nroute:\n  receiver: 'team-ops'\nreceivers:\n  - name: 'team-ops'\n    slack_configs:\n      - channel: '#ops-alerts'\n", "https://hooks.slack.com/services/T${alnumupper:8}/B${alnumupper:10}/${alnum:24}"),
    ("deploy/production.env", "NODE_ENV=production\nPORT=3000\nPUBLIC_URL=https://app.acme.io\nLOG_LEVEL=info\nSENDGRID_API_KEY=@@\nFEATURE_FLAGS=new-checkout,beta-search\n", "SG.${base64url:22}.${base64url:43}"),
    ("rclone.conf", "[backup-s3]\ntype = s3\nprovider = AWS\nenv_auth = false\naccess_key_id = AKIA${alnumupper:16}\nsecret_access_key = @@\nregion = eu-west-1\n", "${base64:40}"),
    ("config/bot.json", "{\n  \"name\": \"standup-bot\",\n  \"channel\": \"C04ABCD1234\",\n  \"schedule\": \"0 9 * * 1-5\",\n  \"token\": \"@@\",\n  \"admins\": [\"U01AAAA1111\"]\n}\n", "xoxb-${digits:12}-${digits:13}-${alnum:24}"),
    ("google-services.json", "{\n  \"project_info\": {\n    \"project_number\": \"482910337615\",\n    \"project_id\": \"acme-mobile-prod\"\n  },\n  \"client\": [\n    {\n      \"api_key\": [\n        {\n          \"current_key\": \"@@\"\n        }\n      ]\n    }\n  ]\n}\n", "AIza${base64url:35}"),
    ("config.yaml", "service:\n  name: ledger\n  tls:\n    cert_file: /etc/ledger/tls.crt\n    private_key: @@\n  read_timeout: 15s\n", "|\n      -----BEGIN EC PRIVATE KEY-----\n      MHcCAQEEI${base64:43}\n      ${base64:64}\n      ${base64:48}\n      -----END EC PRIVATE KEY-----"),
    ("settings.py", "from pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\n\n# SECURITY WARNING: keep the secret key used in production secret!\nSECRET_KEY = '@@'\n\nDEBUG = False\nALLOWED_HOSTS = ['shop.example.org']\n", "${alnumlower:20}!@#%^&*(-_=+)${alnumlower:22}"),
    ("wp-config.php", "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp_admin' );\ndefine( 'DB_PASSWORD', '@@' );\ndefine( 'DB_HOST', 'localhost' );\n$table_prefix = 'wp_';\n", READABLE),
    ("etc/apt/apt.conf.d/80proxy", "// proxy for the build hosts\nAcquire::http::Proxy \"http://proxyuser:@@@proxy.acme.lan:3128/\";\nAcquire::https::Proxy \"DIRECT\";\n", "${alnum:14}"),
    ("my.cnf", "[client]\nuser = backup\npassword = @@\nhost = 127.0.0.1\n\n[mysqldump]\nquick\nmax_allowed_packet = 64M\n", SHORT),
    ("settings.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n  <servers>\n    <server>\n      <id>acme-releases</id>\n      <username>ci-deployer</username>\n      <password>@@</password>\n    </server>\n  </servers>\n</settings>\n", SHORT),
];

fn push(out: &mut Vec<Raw>, name: String, path: &str, leak: bool, content: String) {
    let family = if leak { "config-file" } else { "look-alike" };
    out.push((name, family, path.to_string(), leak, content.into_bytes()));
}

pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    for (i, &(path, text, secret)) in FILES.iter().enumerate() {
        let name = format!("configs/leak/{path}");
        let mut rng = Rng::new(&name);
        let value = expand(secret, &rng.string(B64, 8));
        // A third of the files with CRLF line ends, as Windows editors leave them.
        let crlf = |s: String| {
            if i % 3 == 2 {
                s.replace('\n', "\r\n")
            } else {
                s
            }
        };
        push(&mut out, name, path, true, crlf(text.replace("@@", &value)));
        let without: String = text
            .split_inclusive('\n')
            .filter(|line| !line.contains("@@"))
            .collect();
        push(
            &mut out,
            format!("configs/clean/{path}"),
            path,
            false,
            crlf(without),
        );
        // Two of the non-secrets for each file, in turn, where the secret was.
        for k in 0..2 {
            let not_secret = NOT_SECRETS[(2 * i + k) % NOT_SECRETS.len()];
            push(
                &mut out,
                format!("configs/look/{path}/{k}"),
                path,
                false,
                text.replace("@@", not_secret),
            );
        }
    }
    out
}
