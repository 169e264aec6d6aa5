//! The grown part of the labelled corpus: each provider family's key written in several of the
//! syntaxes real files use (`.env`, YAML, JSON, TOML, INI, source code in eight languages, shell,
//! CLI flags, curl headers, log lines, Markdown, XML, Dockerfiles, Terraform, Kubernetes
//! manifests, GitHub Actions), then generic credentials, connection strings, private keys and
//! encoded secrets in their real formats, and look-alikes of each. Tokens are generated from
//! `${...}` placeholders with a seed per case: no literal token is in the repository.

use super::{b64, base64, discord_token, password, B64};
use hushguard::rules::fake_tokens::{expand, Rng};

/// A labelled case before it becomes a [`super::Case`]: name, family, path, leak, content.
pub(super) type Raw = (String, &'static str, String, bool, Vec<u8>);

/// A provider key found by its name: the family, the provider's display name, the variable a
/// project keeps it in, and the token's shape as a placeholder template.
struct Provider {
    family: &'static str,
    display: &'static str,
    var: &'static str,
    token: &'static str,
}

const fn p(
    family: &'static str,
    display: &'static str,
    var: &'static str,
    token: &'static str,
) -> Provider {
    Provider {
        family,
        display,
        var,
        token,
    }
}

/// The provider keys, the families the detection issue names first, then a long tail of
/// providers whose keys have no prefix of their own.
const PROVIDERS: &[Provider] = &[
    p("ibm", "IBM Cloud", "IBMCLOUD_API_KEY", "${base64url:44}"),
    p("ibm", "SoftLayer", "SOFTLAYER_API_KEY", "${hex:64}"),
    p("ibm", "Cloudant", "CLOUDANT_APIKEY", "${base64url:44}"),
    p("ibm", "IBM COS", "COS_SECRET_ACCESS_KEY", "${hex:48}"),
    p(
        "artifactory",
        "Artifactory",
        "ARTIFACTORY_API_KEY",
        "AKCp${alnum:69}",
    ),
    p(
        "artifactory",
        "Artifactory",
        "ARTIFACTORY_ACCESS_TOKEN",
        "cmVmdGtuOjAxOjE3${alnum:48}",
    ),
    p(
        "azure",
        "Azure",
        "AZURE_CLIENT_SECRET",
        "${alnum:3}8Q~${alnum:31}",
    ),
    p(
        "azure",
        "Azure Storage",
        "AZURE_STORAGE_KEY",
        "${base64:86}==",
    ),
    p("azure", "APIM", "APIM_SUBSCRIPTION_KEY", "${hex:32}"),
    p(
        "slack",
        "Slack",
        "SLACK_BOT_TOKEN",
        "xoxb-${digits:12}-${digits:13}-${alnum:24}",
    ),
    p(
        "slack",
        "Slack",
        "SLACK_USER_TOKEN",
        "xoxp-${digits:12}-${digits:12}-${digits:13}-${hex:32}",
    ),
    p(
        "slack",
        "Slack",
        "SLACK_TOKEN",
        "xoxo-${digits:11}-${digits:12}-${alnum:24}",
    ),
    p(
        "slack",
        "Slack",
        "SLACK_SESSION",
        "xoxs-${digits:11}-${digits:12}-${digits:12}-${hex:64}",
    ),
    p(
        "slack",
        "Slack",
        "SLACK_REFRESH_TOKEN",
        "xoxe-1-${alnum:140}",
    ),
    p(
        "slack",
        "Slack",
        "SLACK_APP_TOKEN",
        "xapp-1-A${alnumupper:10}-${digits:13}-${hex:64}",
    ),
    p(
        "sourcegraph",
        "Sourcegraph",
        "SRC_ACCESS_TOKEN",
        "sgp_${hex:40}",
    ),
    p(
        "sourcegraph",
        "Sourcegraph",
        "SOURCEGRAPH_TOKEN",
        "sgp_${hex:16}_${hex:40}",
    ),
    p("auth0", "Auth0", "AUTH0_CLIENT_SECRET", "${base64url:64}"),
    p("box", "Box", "BOX_CLIENT_SECRET", "${alnum:32}"),
    p(
        "twitch",
        "Twitch",
        "TWITCH_STREAM_KEY",
        "live_${digits:9}_${alnum:30}",
    ),
    p(
        "twitch",
        "Twitch",
        "TWITCH_CLIENT_SECRET",
        "${alnumlower:30}",
    ),
    p(
        "smartsheet",
        "Smartsheet",
        "SMARTSHEET_ACCESS_TOKEN",
        "${alnum:37}",
    ),
    p(
        "shippo",
        "Shippo",
        "SHIPPO_API_KEY",
        "shippo_live_${hex:40}",
    ),
    p(
        "tableau",
        "Tableau",
        "TABLEAU_PAT_SECRET",
        "${alnum:22}==:${alnum:32}",
    ),
    p("okta", "Okta", "OKTA_API_TOKEN", "00${base64url:40}"),
    p(
        "newrelic",
        "New Relic",
        "NEW_RELIC_API_KEY",
        "NRAK-${alnumupper:27}",
    ),
    p(
        "newrelic",
        "New Relic",
        "NEW_RELIC_LICENSE_KEY",
        "${hex:36}NRAL",
    ),
    p(
        "newrelic",
        "New Relic",
        "NEW_RELIC_BROWSER_KEY",
        "NRJS-${hex:19}",
    ),
    p(
        "square",
        "Square",
        "SQUARE_ACCESS_TOKEN",
        "EAAA${base64url:60}",
    ),
    p(
        "square",
        "Square",
        "SQUARE_SECRET",
        "sq0csp-${base64url:43}",
    ),
    p("hashicorp", "Vault", "VAULT_TOKEN", "hvs.${base64url:90}"),
    p(
        "hashicorp",
        "Terraform Cloud",
        "TFC_TOKEN",
        "${alnum:14}.atlasv1.${base64url:67}",
    ),
    p(
        "facebook",
        "Facebook",
        "FACEBOOK_ACCESS_TOKEN",
        "EAACEdEose0cBA${alnum:90}",
    ),
    p("facebook", "Facebook", "FACEBOOK_APP_SECRET", "${hex:32}"),
    p("yandex", "Yandex", "YC_API_KEY", "AQVN${base64url:36}"),
    p(
        "yandex",
        "Yandex",
        "YANDEX_OAUTH_TOKEN",
        "y0_${base64url:55}",
    ),
    p(
        "vmware",
        "vSphere",
        "VSPHERE_PASSWORD",
        "Vm${alnum:10}!${digits:2}",
    ),
    p(
        "salesforce",
        "Salesforce",
        "SALESFORCE_ACCESS_TOKEN",
        "00D${alnum:12}!AQ${alnum:94}",
    ),
    p(
        "salesforce",
        "Salesforce",
        "SALESFORCE_CONSUMER_SECRET",
        "${HEX:64}",
    ),
    p("twilio", "Twilio", "TWILIO_AUTH_TOKEN", "${hex:32}"),
    p("twilio", "Twilio", "TWILIO_API_KEY", "SK${hex:32}"),
    p("sonarqube", "SonarQube", "SONAR_TOKEN", "squ_${hex:40}"),
    p("sonarqube", "SonarQube", "SONARQUBE_TOKEN", "sqp_${hex:40}"),
    p(
        "typeform",
        "Typeform",
        "TYPEFORM_TOKEN",
        "tfp_${base64url:44}_${alnum:14}",
    ),
    p(
        "mapbox",
        "Mapbox",
        "MAPBOX_SECRET_TOKEN",
        "sk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6I${alnum:30}In0.${base64url:22}",
    ),
    p("long-tail", "Datadog", "DD_API_KEY", "${hex:32}"),
    p("long-tail", "Datadog", "DATADOG_APP_KEY", "${hex:40}"),
    p("long-tail", "Heroku", "HEROKU_API_KEY", "${uuid}"),
    p(
        "long-tail",
        "Mailchimp",
        "MAILCHIMP_API_KEY",
        "${hex:32}-us14",
    ),
    p("long-tail", "Algolia", "ALGOLIA_ADMIN_KEY", "${hex:32}"),
    p(
        "long-tail",
        "Cloudflare",
        "CLOUDFLARE_API_TOKEN",
        "${base64url:40}",
    ),
    p("long-tail", "CircleCI", "CIRCLECI_TOKEN", "${hex:40}"),
    p("long-tail", "Shodan", "SHODAN_API_KEY", "${alnum:32}"),
    p("long-tail", "VirusTotal", "VT_API_KEY", "${hex:64}"),
    p(
        "long-tail",
        "OpenWeather",
        "OPENWEATHER_API_KEY",
        "${hex:32}",
    ),
    p("long-tail", "PagerDuty", "PAGERDUTY_TOKEN", "u+${alnum:18}"),
    p("long-tail", "Pusher", "PUSHER_APP_SECRET", "${hex:20}"),
];

/// `OKTA_API_TOKEN` as `okta_api_token`, `oktaApiToken`, `okta-api-token`, `OktaApiToken`.
struct Names {
    var: String,
    lower: String,
    camel: String,
    kebab: String,
    pascal: String,
    display: String,
    host: String,
}

impl Names {
    fn new(display: &str, var: &str) -> Self {
        let lower = var.to_ascii_lowercase();
        let words: Vec<&str> = lower.split('_').collect();
        let cap = |w: &str| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        };
        let pascal: String = words.iter().map(|w| cap(w)).collect();
        let camel = words[0].to_string() + &words[1..].iter().map(|w| cap(w)).collect::<String>();
        Names {
            var: var.to_string(),
            kebab: words.join("-"),
            lower,
            camel,
            pascal,
            display: display.to_string(),
            host: display.to_ascii_lowercase().replace(' ', ""),
        }
    }
}

/// Number of syntaxes [`render`] knows.
const SYNTAXES: usize = 22;

/// The key `v` of a provider written in syntax `s`: (syntax name, path, content).
fn render(s: usize, n: &Names, v: &str) -> (&'static str, String, String) {
    let Names {
        var,
        lower,
        camel,
        kebab,
        pascal,
        display,
        host,
    } = n;
    match s {
        0 => ("env", ".env".into(), format!("APP_ENV=production\n{var}={v}\n")),
        1 => (
            "yaml",
            "config/settings.yml".into(),
            format!("integrations:\n  {lower}: \"{v}\"\n  timeout: 30\n"),
        ),
        2 => (
            "json",
            format!("config/{host}.json"),
            format!("{{\n  \"{camel}\": \"{v}\",\n  \"retries\": 3\n}}\n"),
        ),
        3 => (
            "toml",
            "config.toml".into(),
            format!("[{host}]\n{lower} = \"{v}\"\nregion = \"us-east\"\n"),
        ),
        4 => (
            "ini",
            "app.ini".into(),
            format!("[credentials]\n{lower} = {v}\n"),
        ),
        5 => (
            "python",
            "app/settings.py".into(),
            format!("import os\n\n{var} = os.environ.get(\"{var}\", \"{v}\")\n"),
        ),
        6 => (
            "js",
            "src/config.js".into(),
            format!("module.exports = {{\n  {camel}: '{v}',\n}};\n"),
        ),
        7 => (
            "go",
            "internal/config/config.go".into(),
            format!("package config\n\nconst {camel} = \"{v}\"\n"),
        ),
        8 => (
            "java",
            "src/main/java/com/acme/Config.java".into(),
            format!("public class Config {{\n    public static final String {var} = \"{v}\";\n}}\n"),
        ),
        9 => (
            "csharp",
            "Services/Secrets.cs".into(),
            format!("public static class Secrets\n{{\n    public const string {pascal} = \"{v}\";\n}}\n"),
        ),
        10 => (
            "ruby",
            format!("config/initializers/{host}.rb"),
            format!("ENV['{var}'] ||= '{v}'\n"),
        ),
        11 => (
            "php",
            "config/services.php".into(),
            format!("<?php\ndefine('{var}', '{v}');\n"),
        ),
        12 => (
            "shell",
            "scripts/env.sh".into(),
            format!("#!/bin/sh\nexport {var}=\"{v}\"\n"),
        ),
        13 => (
            "cli",
            "scripts/sync.sh".into(),
            format!("#!/bin/sh\n./bin/sync --{kebab} {v} --verbose\n"),
        ),
        14 => (
            "curl",
            "scripts/call.sh".into(),
            format!(
                "curl -s -H \"X-{}-Key: {v}\" https://api.{host}.com/v1/status\n",
                display.replace(' ', "-")
            ),
        ),
        15 => (
            "log",
            "logs/app.log".into(),
            format!("2024-03-02T10:00:00Z INFO boot\n2024-03-02T10:00:01Z DEBUG Using {display} KEY={v}\n"),
        ),
        16 => (
            "markdown",
            "README.md".into(),
            format!("## Configuration\n\nSet the {display} key:\n\n```\n{var}={v}\n```\n"),
        ),
        17 => (
            "xml",
            "App.config".into(),
            format!("<configuration>\n  <appSettings>\n    <add key=\"{pascal}\" value=\"{v}\" />\n  </appSettings>\n</configuration>\n"),
        ),
        18 => (
            "dockerfile",
            "Dockerfile".into(),
            format!("FROM python:3.12-slim\nENV {var}={v}\nCMD [\"python\", \"app.py\"]\n"),
        ),
        19 => (
            "terraform",
            "main.tf".into(),
            format!("variable \"{lower}\" {{\n  type    = string\n  default = \"{v}\"\n}}\n"),
        ),
        20 => (
            "k8s",
            "k8s/deployment.yaml".into(),
            format!("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: {var}\n              value: \"{v}\"\n"),
        ),
        _ => (
            "actions",
            ".github/workflows/ci.yml".into(),
            format!("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    env:\n      {var}: {v}\n    steps:\n      - run: make test\n"),
        ),
    }
}

/// Expand a template with the case's own seed.
fn x(rng: &mut Rng, template: &str) -> String {
    expand(template, &rng.string(B64, 8))
}

/// Each provider's key in six of the syntaxes (a different six per provider), a Discord bot
/// token and a webhook in several, and a placeholder look-alike per provider.
fn providers(out: &mut Vec<Raw>) {
    for (i, pr) in PROVIDERS.iter().enumerate() {
        let names = Names::new(pr.display, pr.var);
        for k in 0..6 {
            let s = (i * 3 + k * 4) % SYNTAXES;
            let name = format!("{}-{}", names.kebab, render(s, &names, "").0);
            let mut rng = Rng::new(&name);
            let v = x(&mut rng, pr.token);
            let (_, path, content) = render(s, &names, &v);
            out.push((name, pr.family, path, true, content.into_bytes()));
        }
        // Keys without a prefix of their own are found only by the provider's name beside them,
        // written the ways test suites and real files write it.
        if pr.token.starts_with("${") {
            let lower = names.host.clone();
            let forms = [
                (
                    "named-json",
                    format!("config/{lower}.json"),
                    format!("{{\n  \"{lower}\": \"{{v}}\"\n}}\n"),
                ),
                (
                    "named-prose",
                    "NOTES.txt".to_string(),
                    format!("{} secret key {{v}}\n", pr.display),
                ),
                (
                    "named-token",
                    "conf/app.conf".to_string(),
                    format!("{lower} token = '{{v}}'\n"),
                ),
            ];
            for (form, path, tpl) in forms {
                let name = format!("{}-{form}", names.kebab);
                let mut rng = Rng::new(&name);
                let v = x(&mut rng, pr.token);
                let content = tpl.replace("{v}", &v);
                out.push((name, pr.family, path, true, content.into_bytes()));
            }
        }
        // The same names with a placeholder or a reference: not a leak.
        let s = (i * 5 + 1) % SYNTAXES;
        let placeholder = [
            format!("<your-{}>", names.kebab),
            format!("${{{}}}", names.var),
            format!("YOUR_{}_HERE", names.var),
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx".to_string(),
            format!("${{{{ secrets.{} }}}}", names.var),
        ][i % 5]
            .clone();
        let (syntax, path, content) = render(s, &names, &placeholder);
        // A committed `.env` is flagged as a file whatever it holds: the sample is `.env.example`.
        let path = if path == ".env" {
            ".env.example".into()
        } else {
            path
        };
        out.push((
            format!("{}-{syntax}-placeholder", names.kebab),
            "look-alike",
            path,
            false,
            content.into_bytes(),
        ));
    }
}

fn discord(out: &mut Vec<Raw>) {
    let names = Names::new("Discord", "DISCORD_TOKEN");
    for s in [0, 2, 5, 6, 12, 18, 20] {
        let name = format!("discord-token-{}", render(s, &names, "").0);
        let mut rng = Rng::new(&name);
        let v = discord_token(&mut rng);
        let (_, path, content) = render(s, &names, &v);
        out.push((name, "discord", path, true, content.into_bytes()));
    }
    let mut leak = |name: &str, path: &str, make: &dyn Fn(&mut Rng) -> String| {
        let mut rng = Rng::new(name);
        let content = make(&mut rng);
        out.push((
            name.into(),
            "discord",
            path.into(),
            true,
            content.into_bytes(),
        ));
    };
    leak("discord-bot-run-js", "index.js", &|r| {
        format!(
            "const client = new Client({{ intents: [] }});\nclient.login('{}');\n",
            discord_token(r)
        )
    });
    leak("discord-webhook-python", "alerts.py", &|r| {
        x(
            r,
            "WEBHOOK = \"https://discord.com/api/webhooks/1${digits:18}/${base64url:68}\"\n",
        )
    });
}

/// Each family's keys in the files its own tools write and read.
fn native_files(out: &mut Vec<Raw>) {
    let cases: &[(&str, &str, &str, &str)] = &[
        ("ibm-watson-credentials-json", "ibm", "ibm-credentials.json", "{\n  \"apikey\": \"${base64url:44}\",\n  \"iam_apikey_description\": \"Auto-generated for key\",\n  \"url\": \"https://api.us-south.assistant.watson.cloud.ibm.com\"\n}\n"),
        ("ibm-credentials-env", "ibm", "ibm-credentials.env", "ASSISTANT_APIKEY=${base64url:44}\nASSISTANT_AUTH_TYPE=iam\nASSISTANT_URL=https://api.us-south.assistant.watson.cloud.ibm.com\n"),
        ("cloudant-url-vcap", "ibm", "manifest.yml", "applications:\n- name: app\n  env:\n    CLOUDANT_URL: https://apikey-v2-${alnumlower:20}:${hex:32}@${uuid}-bluemix.cloudantnosqldb.appdomain.cloud\n"),
        ("artifactory-npmrc-password", "artifactory", ".npmrc", "registry=https://acme.jfrog.io/artifactory/api/npm/npm/\n//acme.jfrog.io/artifactory/api/npm/npm/:_password=${base64:40}\n//acme.jfrog.io/artifactory/api/npm/npm/:username=ci\n"),
        ("artifactory-settings-xml", "artifactory", "ci/settings.xml", "<settings>\n  <servers>\n    <server>\n      <id>artifactory</id>\n      <username>ci</username>\n      <password>AKCp${alnum:69}</password>\n    </server>\n  </servers>\n</settings>\n"),
        ("artifactory-pip-conf", "artifactory", "pip.conf", "[global]\nindex-url = https://ci:AKCp${alnum:69}@acme.jfrog.io/artifactory/api/pypi/pypi/simple\n"),
        ("azure-storage-conn-appsettings", "azure", "appsettings.json", "{\n  \"Storage\": \"DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey=${base64:86}==;EndpointSuffix=core.windows.net\"\n}\n"),
        ("azure-ad-appsettings", "azure", "appsettings.Development.json", "{\n  \"AzureAd\": {\n    \"Instance\": \"https://login.microsoftonline.com/\",\n    \"ClientId\": \"${uuid}\",\n    \"ClientSecret\": \"${alnum:3}8Q~${alnum:31}\"\n  }\n}\n"),
        ("azure-sas-url", "azure", "upload.sh", "azcopy copy ./dist 'https://acmeprod.blob.core.windows.net/web?sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=${base64:43}%3D'\n"),
        ("okta-ssws-header", "okta", "scripts/okta.sh", "curl -H \"Authorization: SSWS 00${base64url:40}\" https://acme.okta.com/api/v1/users\n"),
        ("okta-yaml", "okta", "okta.yaml", "okta:\n  client:\n    orgUrl: https://acme.okta.com\n    token: 00${base64url:40}\n"),
        ("twilio-client-python", "twilio", "sms.py", "from twilio.rest import Client\nclient = Client(\"AC${hex:32}\", \"${hex:32}\")\n"),
        ("salesforce-sfdx-auth-url", "salesforce", "ci/sfdx-auth.txt", "force://PlatformCLI::5Aep861${alnum:80}@acme.my.salesforce.com\n"),
        ("sonar-project-properties", "sonarqube", "sonar-project.properties", "sonar.projectKey=acme_shop\nsonar.host.url=https://sonar.acme-corp.com\nsonar.login=${hex:40}\n"),
        ("mapbox-gradle-properties", "mapbox", "gradle.properties", "org.gradle.jvmargs=-Xmx2048m\nMAPBOX_DOWNLOADS_TOKEN=sk.eyJ1IjoiYWNtZS1tYXBzIiwiYSI6I${alnum:30}In0.${base64url:22}\n"),
        ("vault-token-file", "hashicorp", ".vault-token", "hvs.${base64url:90}"),
        ("terraformrc-credentials", "hashicorp", ".terraformrc", "credentials \"app.terraform.io\" {\n  token = \"${alnum:14}.atlasv1.${base64url:67}\"\n}\n"),
        ("yandex-cli-config", "yandex", ".config/yandex-cloud/config.yaml", "current: default\nprofiles:\n  default:\n    token: y0_${base64url:55}\n    cloud-id: b1g${alnumlower:17}\n"),
        ("newrelic-yml", "newrelic", "newrelic.yml", "common: &default_settings\n  license_key: '${hex:36}NRAL'\n  app_name: Shop\n"),
        ("twitch-irc-oauth", "twitch", "bot/config.json", "{\n  \"username\": \"acmebot\",\n  \"password\": \"oauth:${alnumlower:30}\",\n  \"channels\": [\"acme\"]\n}\n"),
        ("slack-webhook-yaml", "slack", "alertmanager.yml", "receivers:\n  - name: slack\n    slack_configs:\n      - api_url: https://hooks.slack.com/services/T${alnumupper:8}/B${alnumupper:10}/${alnum:24}\n"),
        ("facebook-graph-url", "facebook", "scripts/fb.sh", "curl \"https://graph.facebook.com/v18.0/me?access_token=EAAG${alnum:150}\"\n"),
        ("box-config-json", "box", "box_config.json", "{\n  \"boxAppSettings\": {\n    \"clientID\": \"${alnumlower:32}\",\n    \"clientSecret\": \"${alnum:32}\"\n  },\n  \"enterpriseID\": \"${digits:9}\"\n}\n"),
        ("auth0-json", "auth0", "auth0.json", "{\n  \"domain\": \"acme.eu.auth0.com\",\n  \"clientId\": \"${alnum:32}\",\n  \"clientSecret\": \"${base64url:64}\"\n}\n"),
        ("smartsheet-python-client", "smartsheet", "report.py", "import smartsheet\nclient = smartsheet.Smartsheet(\"${alnum:37}\")\n"),
        ("typeform-headers-js", "typeform", "forms.js", "fetch('https://api.typeform.com/forms', { headers: { Authorization: 'Bearer tfp_${base64url:44}_${alnum:14}' } });\n"),
        ("shippo-ruby", "shippo", "config/initializers/shippo.rb", "Shippo::API.token = 'shippo_live_${hex:40}'\n"),
        ("square-config-php", "square", "square.php", "<?php\n$client = new SquareClient(['accessToken' => 'EAAA${base64url:60}', 'environment' => 'production']);\n"),
        ("sourcegraph-src-config", "sourcegraph", ".src-config.json", "{\"endpoint\": \"https://sourcegraph.acme-corp.com\", \"accessToken\": \"sgp_${hex:40}\"}\n"),
        ("tableau-tsc-python", "tableau", "publish.py", "auth = TSC.PersonalAccessTokenAuth('ci-token', '${alnum:22}==:${alnum:32}', site_id='acme')\n"),
    ];
    for (name, family, path, tpl) in cases {
        let mut rng = Rng::new(name);
        let content = x(&mut rng, tpl);
        out.push((
            name.to_string(),
            family,
            path.to_string(),
            true,
            content.into_bytes(),
        ));
    }
}

/// A password of mixed classes, without characters that need quoting in URLs.
fn url_password(rng: &mut Rng) -> String {
    password(rng).replace(['#', '%', '+', '!', '*'], "x")
}

/// Generic credentials: calls, XML, framework keys, rc and ini files, CLI flags.
fn generic(out: &mut Vec<Raw>) {
    type Make = fn(&str, &mut Rng) -> String;
    let cases: &[(&str, &str, &str, Make)] = &[
        (
            "network-credential-cs",
            "generic",
            "Mail/Sender.cs",
            |p, _| {
                format!("var client = new SmtpClient(\"smtp.office365.com\", 587);\nclient.Credentials = new NetworkCredential(\"alerts@contoso.com\", \"{p}\");\n")
            },
        ),
        ("ftp-login-python", "generic", "tools/upload.py", |p, _| {
            format!("from ftplib import FTP\nftp = FTP('ftp.acme-corp.com')\nftp.login('deploy', '{p}')\n")
        }),
        ("smtp-login-python", "generic", "notify.py", |p, _| {
            format!("server = smtplib.SMTP_SSL('smtp.gmail.com', 465)\nserver.login(\"reports@acme-corp.com\", \"{p}\")\n")
        }),
        ("pymysql-connect", "generic", "db.py", |p, _| {
            format!(
                "conn = pymysql.connect(host='10.1.2.3', user='root', password='{p}', db='shop')\n"
            )
        }),
        (
            "jdbc-getconnection",
            "generic",
            "src/main/java/Dao.java",
            |p, _| {
                format!("Connection c = DriverManager.getConnection(\"jdbc:mysql://db01:3306/shop\", \"shop\", \"{p}\");\n")
            },
        ),
        ("pdo-php", "generic", "src/db.php", |p, _| {
            format!("<?php\n$pdo = new PDO('mysql:host=db01;dbname=shop', 'shop', '{p}');\n")
        }),
        (
            "mysqli-connect-php",
            "generic",
            "inc/connect.php",
            |p, _| {
                format!("<?php\n$link = mysqli_connect(\"localhost\", \"wp\", \"{p}\", \"wordpress\");\n")
            },
        ),
        (
            "filezilla-sitemanager",
            "generic",
            "FileZilla/sitemanager.xml",
            |p, _| {
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3>\n  <Servers>\n    <Server>\n      <Host>ftp.acme-corp.com</Host>\n      <Port>21</Port>\n      <User>webmaster</User>\n      <Pass>{p}</Pass>\n    </Server>\n  </Servers>\n</FileZilla3>\n")
            },
        ),
        ("web-config-appsetting", "generic", "web.config", |p, _| {
            format!("<configuration>\n  <appSettings>\n    <add key=\"SmtpPassword\" value=\"{p}\" />\n  </appSettings>\n</configuration>\n")
        }),
        ("nuget-config", "generic", "NuGet.config", |p, _| {
            format!("<configuration>\n  <packageSourceCredentials>\n    <internal>\n      <add key=\"Username\" value=\"build\" />\n      <add key=\"ClearTextPassword\" value=\"{p}\" />\n    </internal>\n  </packageSourceCredentials>\n</configuration>\n")
        }),
        (
            "idea-datasource",
            "generic",
            ".idea/dataSources.local.xml",
            |p, _| {
                format!("<component name=\"dataSourceStorageLocal\">\n  <data-source name=\"prod\" uuid=\"0\">\n    <user-name>admin</user-name>\n    <password>{p}</password>\n  </data-source>\n</component>\n")
            },
        ),
        (
            "tomcat-users",
            "generic",
            "conf/tomcat-users.xml",
            |p, _| {
                format!("<tomcat-users>\n  <user username=\"manager\" password=\"{p}\" roles=\"manager-gui\"/>\n</tomcat-users>\n")
            },
        ),
        ("esmtprc", "generic", ".esmtprc", |p, _| {
            format!("hostname = smtp.gmail.com:587\nusername = \"joe@gmail.com\"\npassword = \"{p}\"\nstarttls = required\n")
        }),
        ("fetchmailrc", "generic", ".fetchmailrc", |p, _| {
            format!("poll imap.fastmail.com protocol IMAP\n  user \"joe@fastmail.com\" there with password \"{p}\" is joe here\n")
        }),
        ("muttrc", "generic", ".muttrc", |p, _| {
            format!("set imap_user = \"joe@gmail.com\"\nset imap_pass = \"{p}\"\nset folder = \"imaps://imap.gmail.com:993\"\n")
        }),
        (
            "unattend-admin-password",
            "generic",
            "setup/install.ini",
            |p, _| format!("[Setup]\nAdminUser=Administrator\nAdminPassword={p}\n"),
        ),
        (
            "cli-password-equals",
            "generic",
            "scripts/backup.sh",
            |p, _| {
                format!("#!/bin/sh\npg_dumpall --host=db01 --username=backup --password={p} > all.sql\n")
            },
        ),
        ("mysql-dash-p", "generic", "scripts/restore.sh", |p, _| {
            format!("#!/bin/sh\nmysql -h db01 -u root -p{p} shop < dump.sql\n")
        }),
        ("sshpass-dash-p", "generic", "deploy.sh", |p, _| {
            format!("#!/bin/sh\nsshpass -p '{p}' ssh deploy@web01 'systemctl restart app'\n")
        }),
        ("docker-login-p", "generic", ".gitlab-ci.yml", |p, _| {
            format!("build:\n  script:\n    - docker login -u ci -p {p} registry.acme-corp.com\n")
        }),
        ("cli-api-key-flag", "generic", "Makefile", |_, r| {
            x(
                r,
                "deploy:\n\t./tools/publish --api-key ${alnum:32} --channel stable\n",
            )
        }),
        (
            "powershell-securestring",
            "generic",
            "deploy.ps1",
            |p, _| {
                format!("$pw = ConvertTo-SecureString \"{p}\" -AsPlainText -Force\n$cred = New-Object PSCredential(\"svc\", $pw)\n")
            },
        ),
        (
            "vmware-connect-viserver",
            "vmware",
            "vcenter.ps1",
            |p, _| {
                format!("Connect-VIServer -Server vcsa01.acme.local -User administrator@vsphere.local -Password '{p}'\n")
            },
        ),
        (
            "ansible-become-pass",
            "generic",
            "inventory/group_vars/all.yml",
            |p, _| format!("ansible_user: deploy\nansible_become_pass: \"{p}\"\n"),
        ),
        (
            "spring-datasource",
            "generic",
            "src/main/resources/application.properties",
            |p, _| {
                format!("spring.datasource.url=jdbc:postgresql://db01:5432/shop\nspring.datasource.username=shop\nspring.datasource.password={p}\n")
            },
        ),
        ("redis-requirepass", "generic", "redis.conf", |p, _| {
            format!("bind 0.0.0.0\nrequirepass {p}\n")
        }),
        (
            "php-db-password-var",
            "generic",
            "config.inc.php",
            |p, _| format!("<?php\n$db_host = 'localhost';\n$db_password = '{p}';\n"),
        ),
        ("pgpass", "generic", ".pgpass", |p, _| {
            format!("db01.acme.internal:5432:shop:shop:{p}\n")
        }),
        ("git-credentials", "generic", ".git-credentials", |p, _| {
            format!("https://joe:{p}@github.com\n")
        }),
        (
            "wp-config-db-password",
            "framework",
            "wp-config.php",
            |p, _| {
                format!("<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '{p}' );\n")
            },
        ),
        (
            "wp-config-auth-key",
            "framework",
            "wp-config.php",
            |_, r| {
                let mut s = String::from("<?php\n");
                for k in [
                    "AUTH_KEY",
                    "SECURE_AUTH_KEY",
                    "LOGGED_IN_KEY",
                    "NONCE_KEY",
                    "AUTH_SALT",
                ] {
                    s += &format!("define( '{k}', '{}' );\n", r.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#%^&*()-_[]{}<>~+=,.;:/?|", 64));
                }
                s
            },
        ),
        (
            "flask-secret-key",
            "framework",
            "app/__init__.py",
            |_, r| {
                x(
                    r,
                    "app = Flask(__name__)\napp.config['SECRET_KEY'] = '${hex:48}'\n",
                )
            },
        ),
        ("flask-app-secret-key", "framework", "server.py", |_, r| {
            x(
                r,
                "app = Flask(__name__)\napp.secret_key = b'${base64:32}'\n",
            )
        }),
        ("laravel-app-key", "framework", ".env", |_, r| {
            x(r, "APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY=base64:${base64:43}=\nAPP_DEBUG=false\n")
        }),
        (
            "rails-master-key",
            "framework",
            "config/master.key",
            |_, r| x(r, "${hex:32}"),
        ),
        (
            "rails-credentials-secret",
            "framework",
            "config/credentials.yml",
            |_, r| x(r, "secret_key_base: ${hex:128}\n"),
        ),
        (
            "django-env-secret-key",
            "framework",
            "config/.env",
            |_, r| {
                x(
                    r,
                    "DJANGO_SECRET_KEY=${alnumlower:30}$${alnum:19}\nDJANGO_DEBUG=False\n",
                )
            },
        ),
        ("symfony-app-secret", "framework", ".env.prod", |_, r| {
            x(r, "APP_ENV=prod\nAPP_SECRET=${hex:32}\n")
        }),
        ("nextauth-secret", "framework", ".env.local", |_, r| {
            x(
                r,
                "NEXTAUTH_URL=https://app.acme.io\nNEXTAUTH_SECRET=${base64:43}=\n",
            )
        }),
        ("jwt-secret-env", "framework", "api/.env", |_, r| {
            x(r, "PORT=8080\nJWT_SECRET=${base64url:48}\n")
        }),
    ];
    for (name, family, path, make) in cases {
        let mut rng = Rng::new(name);
        let pw = password(&mut rng);
        let content = make(&pw, &mut rng);
        out.push((
            name.to_string(),
            family,
            path.to_string(),
            true,
            content.into_bytes(),
        ));
    }
}

/// Connection strings in every scheme, URLs with a password on real hosts, ADO.NET and ODBC.
fn connection_strings(out: &mut Vec<Raw>) {
    let urls: &[(&str, &str, &str)] = &[
        ("postgres", ".env", "DATABASE_URL=postgres://app:{p}@db.prod.acme-corp.com:5432/app\n"),
        ("postgresql", "config/database.yml", "production:\n  url: postgresql://app:{p}@pg-01.eu-west-1.rds.amazonaws.com:5432/shop?sslmode=require\n"),
        ("postgis", "settings.py", "DATABASES = {'default': dj_database_url.parse('postgis://geo:{p}@gis.acme-corp.com:5432/geo')}\n"),
        ("mysql", "docker-compose.yml", "services:\n  web:\n    environment:\n      - DATABASE_URL=mysql://shop:{p}@mysql.acme-corp.com:3306/shop\n"),
        ("mongodb-hosts", "server/db.js", "mongoose.connect('mongodb://admin:{p}@mongo-0.acme.net:27017,mongo-1.acme.net:27017,mongo-2.acme.net:27017/app?replicaSet=rs0&authSource=admin');\n"),
        ("mongodb-srv", "app/config.py", "MONGO_URI = \"mongodb+srv://reader:{p}@cluster0.x7k2p.mongodb.net/analytics?retryWrites=true&w=majority\"\n"),
        ("redis", "config/cache.yml", "cache:\n  url: redis://:{p}@redis-12345.c1.us-east-1-2.ec2.cloud.redislabs.com:12345/0\n"),
        ("rediss", ".env.production", "REDIS_URL=rediss://default:{p}@cache.acme-corp.com:6380\n"),
        ("amqp", "celeryconfig.py", "broker_url = 'amqp://worker:{p}@rabbit.acme-corp.com:5672/prod'\n"),
        ("amqps", "appsettings.json", "{\n  \"RabbitMq\": \"amqps://svc:{p}@b-1234.mq.us-east-1.amazonaws.com:5671\"\n}\n"),
        ("ldap", "ldap.conf", "uri ldap://cn=admin,dc=acme,dc=com:{p}@ldap.acme-corp.com:389\n"),
        ("ftp", "deploy.sh", "lftp -e 'mirror -R dist /www' ftp://deploy:{p}@ftp.acme-corp.com\n"),
        ("sftp", "sync.yml", "target: sftp://backup:{p}@files.acme-corp.com:22/backups\n"),
        ("smtp", "config/mail.py", "EMAIL_URL = 'smtp://alerts%40acme-corp.com:{p}@smtp.sendgrid.net:587'\n"),
        ("smtps", ".env", "MAILER_DSN=smtps://mailer:{p}@smtp.mailgun.org:465\n"),
        ("https-basic", "scripts/fetch.sh", "curl -fsSL https://ci-bot:{p}@nexus.acme-corp.com/repository/raw/tool.tgz -o tool.tgz\n"),
        ("jdbc-postgres-params", "src/main/resources/application.yml", "spring:\n  datasource:\n    url: jdbc:postgresql://db01.acme-corp.com:5432/shop?user=shop&password={p}\n"),
        ("jdbc-mysql-userinfo", "hibernate.properties", "hibernate.connection.url=jdbc:mysql://shop:{p}@mysql01.acme-corp.com:3306/shop\n"),
        ("jdbc-sqlserver", "db.properties", "url=jdbc:sqlserver://sql01.acme-corp.com:1433;databaseName=Shop;user=shop;password={p};encrypt=true\n"),
        ("adonet-appsettings", "appsettings.Production.json", "{\n  \"ConnectionStrings\": {\n    \"Default\": \"Server=tcp:acme.database.windows.net,1433;Initial Catalog=shop;User ID=shop;Password={p};Encrypt=True;\"\n  }\n}\n"),
        ("adonet-data-source", "App.config", "<connectionStrings>\n  <add name=\"Db\" connectionString=\"Data Source=SQL01;Initial Catalog=Shop;uid=shop;pwd={p}\" providerName=\"System.Data.SqlClient\" />\n</connectionStrings>\n"),
        ("odbc-uid-pwd", "report.py", "conn = pyodbc.connect('DRIVER={ODBC Driver 18 for SQL Server};SERVER=sql01.acme-corp.com;DATABASE=Shop;UID=report;PWD={p}')\n"),
        ("percent-encoded-mongo", "settings.env", "MONGO_URL=mongodb://app:{pe}@mongo.acme-corp.com:27017/app\n"),
        ("percent-encoded-postgres", "config/db.env", "DATABASE_URL=postgresql://app:{pe}@db01.acme-corp.com:5432/app\n"),
    ];
    for (name, path, tpl) in urls {
        let name = format!("conn-{name}");
        let mut rng = Rng::new(&name);
        let pw = url_password(&mut rng);
        let pe = format!(
            "{}%40{}%23{}",
            rng.string(super::ALNUM, 6),
            rng.string(super::ALNUM, 5),
            rng.string(b"0123456789", 3)
        );
        let content = tpl.replace("{pe}", &pe).replace("{p}", &pw);
        out.push((
            name,
            "connection-string",
            path.to_string(),
            true,
            content.into_bytes(),
        ));
    }
}

/// Lines of base64 of `n` random bytes, wrapped at `width`, each prefixed by `indent`.
fn b64_lines(rng: &mut Rng, n: usize, width: usize, indent: &str, join: &str) -> String {
    // A DER SEQUENCE header first, as keys and certificates have: `MII…` or `MH…`.
    let mut data: Vec<u8> = if n > 255 {
        vec![0x30, 0x82, (n >> 8) as u8, n as u8]
    } else {
        vec![0x30, n as u8]
    };
    data.extend((4..n).map(|_| (rng.next_u64() & 0xff) as u8));
    let text = base64(&data, B64, true);
    text.as_bytes()
        .chunks(width)
        .map(|c| format!("{indent}{}", std::str::from_utf8(c).unwrap()))
        .collect::<Vec<_>>()
        .join(join)
}

/// Private keys in every form: PEM variants, encrypted, OpenSSH, PuTTY, PGP, escaped in JSON.
fn private_keys(out: &mut Vec<Raw>) {
    type Make = fn(&mut Rng) -> String;
    let cases: &[(&str, &str, Make)] = &[
        ("pem-rsa-traditional", "id_rsa", |r| {
            format!(
                "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
                b64_lines(r, 1190, 64, "", "\n")
            )
        }),
        ("pem-rsa-encrypted", "certs/server.key", |r| {
            format!("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{}\n\n{}\n-----END RSA PRIVATE KEY-----\n", r.string(b"0123456789ABCDEF", 32), b64_lines(r, 1190, 64, "", "\n"))
        }),
        ("pem-pkcs8", "tls/key.pem", |r| {
            format!(
                "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
                b64_lines(r, 1216, 64, "", "\n")
            )
        }),
        ("pem-pkcs8-encrypted", "tls/enc.pem", |r| {
            format!(
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\n{}\n-----END ENCRYPTED PRIVATE KEY-----\n",
                b64_lines(r, 1298, 64, "", "\n")
            )
        }),
        ("pem-ec", "keys/ec.pem", |r| {
            format!(
                "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
                b64_lines(r, 121, 64, "", "\n")
            )
        }),
        ("pem-dsa", "keys/dsa.pem", |r| {
            format!(
                "-----BEGIN DSA PRIVATE KEY-----\n{}\n-----END DSA PRIVATE KEY-----\n",
                b64_lines(r, 444, 64, "", "\n")
            )
        }),
        ("openssh-ed25519", ".ssh/id_ed25519", |r| {
            format!("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n{}\n-----END OPENSSH PRIVATE KEY-----\n", b64_lines(r, 300, 70, "", "\n"))
        }),
        ("putty-ppk-v3", "keys/deploy.ppk", |r| {
            format!("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAI{}\n{}\nPrivate-Lines: 1\n{}\nPrivate-MAC: {}\n", r.string(B64, 43), r.string(B64, 8), b64_lines(r, 36, 64, "", "\n"), r.string(b"0123456789abcdef", 64))
        }),
        ("putty-ppk-v2-rsa", "keys/old.ppk", |r| {
            format!("PuTTY-User-Key-File-2: ssh-rsa\nEncryption: none\nComment: rsa-key-20200101\nPublic-Lines: 6\n{}\nPrivate-Lines: 14\n{}\nPrivate-MAC: {}\n", b64_lines(r, 279, 64, "", "\n"), b64_lines(r, 660, 64, "", "\n"), r.string(b"0123456789abcdef", 40))
        }),
        ("pgp-private-block", "keys/signing.asc", |r| {
            format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{}\n={}\n-----END PGP PRIVATE KEY BLOCK-----\n", b64_lines(r, 900, 64, "", "\n"), r.string(B64, 4))
        }),
        ("pem-in-json-escaped", "credentials.json", |r| {
            format!("{{\"type\": \"service_account\", \"private_key_id\": \"{}\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}\n", r.string(b"0123456789abcdef", 40), b64_lines(r, 1216, 64, "", "\\n"))
        }),
        ("pem-in-yaml-block", "helm/values.yaml", |r| {
            format!("tls:\n  key: |\n    -----BEGIN RSA PRIVATE KEY-----\n{}\n    -----END RSA PRIVATE KEY-----\n", b64_lines(r, 1190, 64, "    ", "\n"))
        }),
        ("pem-in-terraform-heredoc", "tls.tf", |r| {
            format!("resource \"tls_cert\" \"x\" {{\n  private_key = <<EOF\n-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\nEOF\n}}\n", b64_lines(r, 121, 64, "", "\n"))
        }),
        ("pem-in-env-one-line", ".env", |r| {
            format!("JWT_PRIVATE_KEY=\"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\"\n", b64_lines(r, 1216, 64, "", "\\n"))
        }),
        ("pem-in-java-string", "src/test/java/KeyTest.java", |r| {
            format!("String key = \"-----BEGIN PRIVATE KEY-----\\n\" +\n{}\n    \"-----END PRIVATE KEY-----\";\n", b64_lines(r, 1216, 64, "    \"", "\\n\" +\n"))
        }),
    ];
    for (name, path, make) in cases {
        let mut rng = Rng::new(name);
        let content = make(&mut rng);
        out.push((
            name.to_string(),
            "privatekey",
            path.to_string(),
            true,
            content.into_bytes(),
        ));
    }
}

/// Encoded secrets: base64 in Kubernetes Secrets, Docker auth, Basic headers, `base64 -d`, CI
/// variables; JSON escapes; percent-encoding.
fn encoded(out: &mut Vec<Raw>) {
    type Make = fn(&mut Rng) -> String;
    let cases: &[(&str, &str, Make)] = &[
        ("k8s-secret-multi", "k8s/app-secret.yaml", |r| {
            let p = password(r);
            let dsn = format!(
                "postgres://app:{}@db.acme-corp.com:5432/app",
                p.replace(['#', '%', '+', '!', '*'], "x")
            );
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n  namespace: prod\ntype: Opaque\ndata:\n  DB_HOST: {}\n  DATABASE_URL: {}\n", b64("db.acme-corp.com"), b64(&dsn))
        }),
        ("k8s-secret-stripe", "deploy/stripe.yaml", |r| {
            let k = x(r, "sk_live_${alnum:24}");
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: billing\ndata:\n  STRIPE_SECRET_KEY: {}\n", b64(&k))
        }),
        ("k8s-secret-aws-json", "k8s/aws.json", |r| {
            let k = x(r, "${base64:40}");
            format!("{{\"apiVersion\": \"v1\", \"kind\": \"Secret\", \"metadata\": {{\"name\": \"aws\"}}, \"data\": {{\"aws_access_key_id\": \"{}\", \"aws_secret_access_key\": \"{}\"}}}}\n", b64(&x(r, "AKIA${alnumupper:16}")), b64(&k))
        }),
        ("k8s-stringdata", "k8s/api.yaml", |r| {
            x(r, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\nstringData:\n  SENDGRID_API_KEY: SG.${base64url:22}.${base64url:43}\n")
        }),
        ("dockerconfigjson", "k8s/pull-secret.yaml", |r| {
            let auth = b64(&format!("ci:{}", password(r)));
            let cfg =
                format!("{{\"auths\":{{\"registry.acme-corp.com\":{{\"auth\":\"{auth}\"}}}}}}");
            format!("apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n", b64(&cfg))
        }),
        ("dockercfg-auth", ".dockercfg", |r| {
            format!("{{\"https://index.docker.io/v1/\": {{\"auth\": \"{}\", \"email\": \"ci@acme-corp.com\"}}}}\n", b64(&format!("acmeci:{}", password(r))))
        }),
        ("basic-auth-python", "client.py", |r| {
            format!("headers = {{\"Authorization\": \"Basic {}\"}}\nrequests.get(\"https://api.acme-corp.com/v2/orders\", headers=headers)\n", b64(&format!("api:{}", password(r))))
        }),
        ("basic-auth-nginx", "nginx/proxy.conf", |r| {
            format!("location /upstream/ {{\n    proxy_set_header Authorization \"Basic {}\";\n    proxy_pass https://backend.acme-corp.com;\n}}\n", b64(&format!("proxy:{}", password(r))))
        }),
        ("base64-d-github", "ci/setup.sh", |r| {
            format!(
                "#!/bin/sh\nexport GH_TOKEN=$(echo '{}' | base64 --decode)\n",
                b64(&x(r, "${gh:ghp_}"))
            )
        }),
        ("gitlab-ci-base64-var", ".gitlab-ci.yml", |r| {
            let k = x(
                r,
                "AWS_ACCESS_KEY_ID=AKIA${alnumupper:16}\nAWS_SECRET_ACCESS_KEY=${base64:40}\n",
            );
            format!("variables:\n  AWS_ENV_B64: \"{}\"\ndeploy:\n  script:\n    - echo \"$AWS_ENV_B64\" | base64 -d > .env\n", b64(&k))
        }),
        ("json-escaped-slash", "notebooks/train.ipynb", |r| {
            let tok = format!(
                "hf_{}",
                r.string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
            );
            format!("{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"from huggingface_hub import login\\n\",\n    \"login(token=\\\"{tok}\\\")\\n\"\n   ]\n  }}\n ]\n}}\n")
        }),
        ("json-unicode-escaped-key", "config/app.json", |r| {
            let tok = x(r, "xoxb-${digits:12}-${digits:13}-${alnum:24}").replace('-', "\\u002d");
            format!("{{\"slack\": {{\"token\": \"{tok}\"}}}}\n")
        }),
        ("percent-encoded-url-in-yaml", "config/prod.yml", |r| {
            x(r, "database:\n  url: \"mysql://shop:${alnum:8}%2F${alnum:8}%3D@mysql01.acme-corp.com/shop\"\n")
        }),
        (
            "filezilla-base64-pass",
            "FileZilla/recentservers.xml",
            |r| {
                format!("<FileZilla3>\n  <RecentServers>\n    <Server>\n      <Host>ftp.acme-corp.com</Host>\n      <User>upload</User>\n      <Pass encoding=\"base64\">{}</Pass>\n    </Server>\n  </RecentServers>\n</FileZilla3>\n", b64(&password(r)))
            },
        ),
        ("helm-values-base64-token", "charts/app/values.yaml", |r| {
            format!("secrets:\n  githubToken: {}\n", b64(&x(r, "${gh:ghp_}")))
        }),
    ];
    for (name, path, make) in cases {
        let mut rng = Rng::new(name);
        let content = make(&mut rng);
        out.push((
            name.to_string(),
            "encoded",
            path.to_string(),
            true,
            content.into_bytes(),
        ));
    }
}

/// Look-alikes of every family: hashes, ids, public keys, placeholders and references.
fn look_alikes(out: &mut Vec<Raw>) {
    type Make = fn(&mut Rng) -> String;
    let cases: &[(&str, &str, Make)] = &[
        ("yarn-lock-integrity", "yarn.lock", |r| {
            x(r, "lodash@^4.17.21:\n  version \"4.17.21\"\n  resolved \"https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#${hex:40}\"\n  integrity sha512-${base64:86}==\n")
        }),
        ("pnpm-lock-integrity", "pnpm-lock.yaml", |r| {
            x(
                r,
                "packages:\n  /react@18.2.0:\n    resolution: {integrity: sha512-${base64:86}==}\n",
            )
        }),
        ("html-sri", "public/index.html", |r| {
            x(r, "<script src=\"https://cdn.jsdelivr.net/npm/bootstrap@5.3.0/dist/js/bootstrap.min.js\" integrity=\"sha384-${base64:64}\" crossorigin=\"anonymous\"></script>\n")
        }),
        ("go-sum-many", "go.sum", |r| {
            x(r, "golang.org/x/crypto v0.17.0 h1:${base64:43}=\ngolang.org/x/crypto v0.17.0/go.mod h1:${base64:43}=\ngolang.org/x/sys v0.15.0 h1:${base64:43}=\n")
        }),
        ("docker-digest", "Dockerfile", |r| {
            x(
                r,
                "FROM golang:1.22@sha256:${hex:64} AS build\nRUN go build ./...\n",
            )
        }),
        ("data-uri-svg", "src/icons.ts", |r| {
            format!(
                "export const logo = 'data:image/png;base64,{}';\n",
                b64_lines(r, 450, 10_000, "", "")
            )
        }),
        ("data-uri-font", "web/fonts.css", |r| {
            format!("@font-face {{ font-family: X; src: url(data:font/woff2;base64,{}) format('woff2'); }}\n", b64_lines(r, 900, 10_000, "", ""))
        }),
        ("uuid-csproj", "App/App.csproj", |r| {
            x(r, "<Project>\n  <PropertyGroup>\n    <ProjectGuid>{${uuid}}</ProjectGuid>\n    <UserSecretsId>${uuid}</UserSecretsId>\n  </PropertyGroup>\n</Project>\n")
        }),
        ("uuid-k8s-uid", "k8s/pod.yaml", |r| {
            x(r, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  uid: ${uuid}\n  resourceVersion: \"12345\"\n")
        }),
        ("uuid-log-request-id", "logs/api.log", |r| {
            x(
                r,
                "2024-03-02T10:00:00Z INFO request_id=${uuid} trace_id=${hex:32} status=200\n",
            )
        }),
        ("uuid-azure-tenant", "azure.tf", |r| {
            x(r, "provider \"azurerm\" {\n  tenant_id       = \"${uuid}\"\n  subscription_id = \"${uuid}\"\n}\n")
        }),
        ("commit-git-log", "CHANGELOG.md", |r| {
            x(r, "## 1.4.0\n\n- Fix token refresh (${hex:40})\n- Merge pull request #12 from acme/fix-auth ${hex:7}\n")
        }),
        ("commit-gitmodules-rev", "deps.toml", |r| {
            x(r, "[dependencies.auth]\ngit = \"https://github.com/acme/auth\"\nrev = \"${hex:40}\"\n")
        }),
        (
            "commit-github-api-json",
            "tests/fixtures/commit.json",
            |r| {
                x(r, "{\n  \"sha\": \"${hex:40}\",\n  \"node_id\": \"C_kwDO${base64url:30}\",\n  \"tree\": {\"sha\": \"${hex:40}\"}\n}\n")
            },
        ),
        ("ssh-rsa-public", "keys/id_rsa.pub", |r| {
            format!(
                "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{} joe@laptop\n",
                r.string(B64, 340)
            )
        }),
        ("pgp-public-block", "KEYS", |r| {
            format!("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n={}\n-----END PGP PUBLIC KEY BLOCK-----\n", b64_lines(r, 600, 64, "", "\n"), r.string(B64, 4))
        }),
        ("certificate-pem", "certs/ca.crt", |r| {
            format!(
                "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
                b64_lines(r, 900, 64, "", "\n")
            )
        }),
        ("jwks-public", "jwks.json", |r| {
            format!("{{\"keys\": [{{\"kty\": \"RSA\", \"kid\": \"{}\", \"use\": \"sig\", \"n\": \"{}\", \"e\": \"AQAB\"}}]}}\n", r.string(b"0123456789abcdef", 16), r.string(super::B64URL, 342))
        }),
        ("doc-placeholders-env", "docs/configuration.md", |_| {
            "| Variable | Example |\n|---|---|\n| `OKTA_API_TOKEN` | `<your-okta-token>` |\n| `TWILIO_AUTH_TOKEN` | `your_auth_token` |\n| `DATABASE_URL` | `postgres://user:password@localhost:5432/db` |\n".into()
        }),
        ("doc-connection-placeholders", "docs/deploy.md", |_| {
            "Connect with `mongodb+srv://<username>:<password>@cluster0.example.mongodb.net/test` or\n`Server=myServer;Database=myDb;User Id=myUser;Password=myPassword;`.\n".into()
        }),
        ("env-references", "docker-compose.yml", |_| {
            "services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n      DATABASE_URL: postgres://app:${DB_PASSWORD}@db:5432/app\n".into()
        }),
        (
            "actions-secrets-refs",
            ".github/workflows/deploy.yml",
            |_| {
                "jobs:\n  deploy:\n    env:\n      SLACK_BOT_TOKEN: ${{ secrets.SLACK_BOT_TOKEN }}\n      AZURE_CLIENT_SECRET: ${{ secrets.AZURE_CLIENT_SECRET }}\n".into()
            },
        ),
        ("code-reads-env", "src/settings.py", |_| {
            "SECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nDB_PASSWORD = os.getenv(\"DB_PASSWORD\")\npassword = getpass.getpass()\n".into()
        }),
        (
            "helm-b64enc-template",
            "charts/app/templates/secret.yaml",
            |_| {
                "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.password | b64enc | quote }}\n".into()
            },
        ),
        ("wordy-prefixed-tokens", "docs/errors.md", |_| {
            "An invalid key such as `sk_live_this_is_not_a_real_key` or `xoxb-not-a-real-token-this-will-not-work` is rejected.\n".into()
        }),
        (
            "short-fake-provider-password",
            "tests/test_client.py",
            |_| {
                "client = OktaClient(org='acme', token='test')\ntwilio_auth_token = \"changeme\"\nsmartsheet_password = 'hunter2'\n".into()
            },
        ),
        ("password-field-names", "src/forms.ts", |_| {
            "export const PASSWORD_FIELD = 'password';\nconst passwordInput = document.getElementById('password-input');\n".into()
        }),
        ("aws-doc-example-key", "docs/aws.md", |_| {
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n".into()
        }),
        ("k8s-secret-empty-values", "k8s/template.yaml", |_| {
            format!(
                "apiVersion: v1\nkind: Secret\ndata:\n  username: {}\n  password: {}\n",
                b64("admin"),
                b64("password")
            )
        }),
        ("hex-color-and-hashes", "assets/theme.json", |r| {
            x(r, "{\"primary\": \"#1f2937\", \"buildHash\": \"${hex:20}\", \"contenthash\": \"${hex:16}\"}\n")
        }),
        ("webpack-chunk-names", "dist/manifest.json", |r| {
            x(
                r,
                "{\"main.js\": \"main.${hex:20}.js\", \"vendor.js\": \"vendor.${hex:20}.js\"}\n",
            )
        }),
        ("base64-test-vector", "tests/base64_test.go", |_| {
            format!(
                "{{\"hello world\", \"{}\"}},\n{{\"lorem ipsum dolor\", \"{}\"}},\n",
                b64("hello world"),
                b64("lorem ipsum dolor")
            )
        }),
        ("cargo-lock-checksums", "Cargo.lock", |r| {
            x(r, "[[package]]\nname = \"serde\"\nversion = \"1.0.197\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"${hex:64}\"\n")
        }),
        ("terraform-secret-arn-default", "variables.tf", |r| {
            x(r, "variable \"db_secret_arn\" {\n  default = \"arn:aws:secretsmanager:eu-west-1:${digits:12}:secret:prod/db-${alnum:6}\"\n}\nvariable \"api_key_secret_name\" {\n  default = \"prod/shop/api-key\"\n}\n")
        }),
        ("k8s-env-references", "k8s/worker.yaml", |r| {
            x(r, "env:\n  - name: VAULT_TOKEN_PATH\n    value: /var/run/secrets/vault/token\n  - name: API_KEY_SECRET_NAME\n    value: shop-api-key\n  - name: SECRET_CHECKSUM\n    value: \"sha256:${hex:64}\"\n")
        }),
        ("ci-cache-key-log", "logs/ci.log", |r| {
            x(r, "##[group]Restore cache\nUsing cache key: Linux-cargo-${hex:64}\nCache restored from key: Linux-cargo-${hex:64}\n")
        }),
        ("header-hashes", "docs/webhooks.md", |r| {
            x(r, "X-Hub-Signature-256: sha256=${hex:64}\nX-Cache-Key: ${hex:32}\nIdempotency-Key: ${uuid}\n")
        }),
        ("cli-public-key-flag", "scripts/enroll.sh", |r| {
            x(r, "wg set wg0 peer --public-key ${base64:43}= --allowed-ips 10.0.0.2/32\nminisign -V --pubkey-token ${base64:56}\n")
        }),
        ("prose-key-fingerprint", "docs/release.md", |r| {
            x(r, "Releases are signed. The signing key fingerprint is ${HEX:40}; the public key id is ${HEX:16}.\n")
        }),
        ("package-json-provider-names", "package.json", |_| {
            "{\n  \"dependencies\": {\n    \"box\": \"^2.1.0\",\n    \"datadog\": \"^0.4.0\",\n    \"twilio\": \"^4.19.0\"\n  }\n}\n".into()
        }),
        ("powershell-password-variable", "setup.ps1", |_| {
            "$cred = Get-Credential\nConnect-VIServer -Server vc01 -User admin -Password $cred.GetNetworkCredential().Password\n".into()
        }),
        ("password-policy-doc", "docs/security.md", |_| {
            "Passwords must be at least 12 characters. The default password is `changeme`; set `password: <strong-password>` before deploying.\n".into()
        }),
    ];
    for (name, path, make) in cases {
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

/// Leaks generated above that hushguard does not try to find, by name, with the reason: they are
/// left out of the corpus (a gap to know, not a target to tune to).
const NOT_DETECTED: &[(&str, &str)] = &[
    // Search-only Algolia keys are public and have the same shape as admin keys.
    (
        "algolia-admin-key-named-json",
        "the name alone cannot tell an admin key from a public one",
    ),
    // A Pusher app key (public) and its secret are both 20 hex beside the name Pusher.
    (
        "pusher-app-secret-named-json",
        "the name alone cannot tell the public key from the secret",
    ),
    (
        "pusher-app-secret-named-prose",
        "20 hex is below the prose rule's 20-character random floor",
    ),
    (
        "pusher-app-secret-curl",
        "20 hex in a header named after the provider: too short to judge",
    ),
    // VirusTotal's name stands beside file SHA-256 digests far more often than beside a key.
    (
        "vt-api-key-named-json",
        "64 hex beside VirusTotal is usually a file digest",
    ),
    // Not how these keys are written: a made-up key name, a password in a header.
    (
        "cos-secret-access-key-named-json",
        "\"ibmcos\" is no name a file uses",
    ),
    (
        "vsphere-password-curl",
        "a vSphere password is not sent in an X-vSphere-Key header",
    ),
];

/// Every grown case.
pub(super) fn cases() -> Vec<Raw> {
    let mut out = Vec::new();
    providers(&mut out);
    discord(&mut out);
    native_files(&mut out);
    generic(&mut out);
    connection_strings(&mut out);
    private_keys(&mut out);
    encoded(&mut out);
    look_alikes(&mut out);
    let all = out.len();
    out.retain(|c| !NOT_DETECTED.iter().any(|(name, _)| *name == c.0));
    assert_eq!(
        all - out.len(),
        NOT_DETECTED.len(),
        "a NOT_DETECTED name is stale"
    );
    out
}
