//! A blind round over the provider families an issue named as most missed (IBM Cloud, SoftLayer,
//! Cloudant, Tableau, Sourcegraph, SonarQube, Salesforce, Django): an instrument written from
//! each format and from how other scanners' test suites write their examples, without reading
//! the rules, found what the rules missed by category, and these cases keep one or two of each
//! fixed: a key in the path of a SoftLayer endpoint, Cloudant's 24-letter legacy key under its
//! short names (`cl_`, `clou_`), IBM's `cloud_iam_*` names, a Tableau connected app's secret
//! value, camelCase names and the assignment operators of Make (`?=`), Ruby (`||=`) and PHP
//! (`.=`), a Django key unquoted in an `.env` file, a Salesforce security token in a Go
//! declaration and an XML `name=… value=…` pair, and a key alone on the line after its XML
//! element's name or its YAML block scalar's `|`; beside the look-alikes the same files hold.
//!
//! Names: `blindc/leak/<n>/<file>`, `blindc/clean/<n>/<file>` (the slot line removed: the
//! planted line is the first where the two differ) and `blindc/look/<n>/<file>`.

use super::families::Raw;
use super::planted_files;

/// A Django key as `startproject` writes it: `django-insecure-` and 50 characters of its alphabet.
const DJANGO: &str =
    "django-insecure-${alnumlower:12}#$${alnumlower:10}&*${alnumlower:14}-=${alnumlower:10}";

/// (file name, the file with its slot line marked `@@`, the secret for `@@`).
const FILES: &[(&str, &str, &str)] = &[
    ("softlayer.env", "SL_USERNAME=apiuser\nSL_ENDPOINT=https://api.softlayer.com/soap/v3.1/@@\n", "${hex:64}"),
    ("src/sl_client.py", "import SoftLayer\n\nclient = SoftLayer.create_client_from_env(endpoint_url=\"https://api.softlayer.com/rest/v3/@@\")\n", "${hex:64}"),
    ("src/Cloudant.java", "package com.acme;\n\npublic class Cloudant {\n    private static final String CLOU_KEY = \"@@\";\n}\n", "${lower:24}"),
    ("deploy/cloudant.sh", "#!/bin/sh\nset -eu\nexport CL_API_KEY=\"@@\"\n./sync.sh\n", "${lower:24}"),
    ("config/ibm.php", "<?php\nreturn [\n    'region' => 'us-south',\n    'cloud_iam_key' => '@@',\n];\n", "${base64url:44}"),
    ("src/tableau.ts", "export const config = {\n  server: 'https://tableau.acme-corp.net',\n  tableauConnectedAppSecretValue: '@@',\n};\n", "${base64:43}="),
    ("Makefile", "SONAR_HOST ?= https://sonar.acme-corp.net\nsonarLogin ?= \"@@\"\n\nscan:\n\tsonar-scanner\n", "${hex:40}"),
    ("config/initializers/sourcegraph.rb", "SRC_ENDPOINT = 'https://sourcegraph.acme-corp.net'\nsrcAccessToken ||= \"@@\"\n", "${hex:40}"),
    ("deploy/settings.sh", "#!/bin/sh\nexport DEBUG=false\nexport DJANGO_SECRET_KEY=@@\nexec gunicorn acme.wsgi\n", DJANGO),
    ("internal/sfdc/config.go", "package sfdc\n\nvar salesforceSecurityToken string = \"@@\"\n", "${alnum:25}"),
    ("conf/sfdc.xml", "<config>\n  <entry name=\"salesforceUser\" value=\"ci@acme-corp.net\"/>\n  <entry name=\"salesforceSecurityToken\" value=\"@@\"/>\n</config>\n", "${alnum:24}"),
    ("conf/ibm-cos.xml", "<config>\n  <ibm-cos-secret-access-key>\n    @@\n  </ibm-cos-secret-access-key>\n</config>\n", "${hex:48}"),
    ("conf/tableau.xml", "<settings>\n  <tableauTokenSecret>\n    @@\n  </tableauTokenSecret>\n</settings>\n", "${base64:22}==:${alnum:32}"),
    ("helm/values.yaml", "auth:\n  azure_cognitive_services_key: |\n    @@\n  enabled: true\n", "${hex:32}"),
];

/// Files that hold no secret where one might be read.
const LOOKALIKES: &[(&str, &str)] = &[
    ("softlayer.ini", "[softlayer]\nusername = apiuser\nendpoint_url = https://api.softlayer.com/rest/v3/SoftLayer_Account/getObject.json\n"),
    ("Makefile", "CL_API_KEY ?= $(shell cat .cloudant-key)\nsonarLogin ?= $(SONAR_TOKEN)\n"),
    ("views/dashboard.html", "<script src=\"https://public.tableau.com/javascripts/api/tableau-2.min.js\" integrity=\"sha256-${base64:43}=\"></script>\n"),
    ("docs/configuration.md", "Set `DJANGO_SECRET_KEY=django-insecure-change-me-in-production` only on your laptop.\n"),
    ("conf/ibm-cos.xml", "<config>\n  <ibm-cos-secret-access-key>\n    <!-- from the vault at deploy time -->\n  </ibm-cos-secret-access-key>\n</config>\n"),
    ("config/sfdc.yml", "sfdc_security_token: ${SFDC_SECURITY_TOKEN}\nsalesforce_security_token: your-security-token-here\n"),
];

pub(super) fn cases() -> Vec<Raw> {
    planted_files(
        "blindc",
        "provider-blind",
        FILES
            .iter()
            .map(|&(path, text, secret)| (path, text, "$$", secret)),
        LOOKALIKES,
    )
}
