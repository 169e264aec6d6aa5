//! The project's current version: from Cargo.toml, package.json, pyproject.toml or setup.cfg (the
//! first that states one, read from the same source as the policy), else the newest version tag.

use super::source::Source;
use regex_lite::Regex;
use std::cmp::Ordering;
use std::sync::LazyLock;

/// The numeric core of a version (`7.2.0-beta.1` → `[7, 2, 0]`), compared with missing parts as 0.
#[derive(Debug, Clone, Eq)]
pub(crate) struct Version(pub Vec<u64>);

impl Version {
    /// Parse `7.2.0`, `v7.2`, `1.0.0rc1`, `7.2.0-beta.1`; `None` without a leading number.
    pub(crate) fn parse(s: &str) -> Option<Version> {
        let s = s.trim();
        let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let mut parts = Vec::new();
        for piece in s.split('.') {
            let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != piece.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(Version(parts))
    }

    pub(crate) fn part(&self, i: usize) -> u64 {
        self.0.get(i).copied().unwrap_or(0)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| self.part(i).cmp(&other.part(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&s.join("."))
    }
}

/// The current version and where it was read.
#[derive(Debug, Clone)]
pub(crate) struct ProjectVersion {
    pub version: Version,
    /// As written (`7.2.0-beta.1`).
    pub written: String,
    /// `package.json`, `tag v7.2.0`, …
    pub from: String,
}

const MANIFESTS: [&str; 4] = ["Cargo.toml", "package.json", "pyproject.toml", "setup.cfg"];

/// The project's version; manifests that cannot be parsed are named in `notes`.
pub(crate) fn project_version(source: &Source, notes: &mut Vec<String>) -> Option<ProjectVersion> {
    for name in MANIFESTS {
        let bytes = match source.read(name) {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(e) => {
                notes.push(format!("{e:#}"));
                continue;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        match manifest_version(name, &text) {
            Ok(Some(written)) => {
                if let Some(version) = Version::parse(&written) {
                    return Some(ProjectVersion {
                        version,
                        written,
                        from: name.to_string(),
                    });
                }
            }
            Ok(None) => {}
            Err(e) => notes.push(format!("{name}: cannot read its version: {e}")),
        }
    }
    newest_tag(source)
}

/// The version a manifest states, if it states one literally.
pub fn manifest_version(name: &str, text: &str) -> Result<Option<String>, String> {
    let str_at = |v: &toml::Table, path: &[&str]| -> Option<String> {
        let mut cur = v.get(path[0])?;
        for p in &path[1..] {
            cur = cur.get(p)?;
        }
        cur.as_str().map(str::to_string)
    };
    match name {
        "Cargo.toml" => {
            let t: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
            Ok(str_at(&t, &["package", "version"])
                .or_else(|| str_at(&t, &["workspace", "package", "version"])))
        }
        "pyproject.toml" => {
            let t: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
            Ok(str_at(&t, &["project", "version"])
                .or_else(|| str_at(&t, &["tool", "poetry", "version"])))
        }
        "package.json" => {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            Ok(v.get("version")
                .and_then(|x| x.as_str())
                .map(str::to_string))
        }
        "setup.cfg" => Ok(setup_cfg_version(text)),
        _ => Ok(None),
    }
}

/// `version = 1.2.3` in `[metadata]` (not `attr:` or `file:` indirections).
fn setup_cfg_version(text: &str) -> Option<String> {
    let mut in_metadata = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            in_metadata = t.eq_ignore_ascii_case("[metadata]");
            continue;
        }
        if !in_metadata {
            continue;
        }
        if let Some((k, v)) = t.split_once(['=', ':']) {
            let v = v.trim();
            if k.trim() == "version" && !v.starts_with("attr:") && !v.starts_with("file:") {
                return Some(v.to_string());
            }
        }
    }
    None
}

static TAG_VERSION: LazyLock<Regex> = LazyLock::new(|| {
    super::pattern::compile(r"(?:^|[^0-9A-Za-z])[vV]?(\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.\-]*)?)$")
});

/// The highest version among tags named like `v1.2.3`, `1.2`, `name-1.2.3`.
fn newest_tag(source: &Source) -> Option<ProjectVersion> {
    let repo = source.repo()?;
    let refs = repo.references().ok()?;
    let mut best: Option<ProjectVersion> = None;
    for r in refs.tags().ok()?.flatten() {
        let name = r.name().shorten().to_string();
        let Some(c) = TAG_VERSION.captures(&name) else {
            continue;
        };
        let Some(version) = Version::parse(&c[1]) else {
            continue;
        };
        if best.as_ref().is_none_or(|b| version > b.version) {
            best = Some(ProjectVersion {
                version,
                written: c[1].to_string(),
                from: format!("tag {name}"),
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_order() {
        assert_eq!(Version::parse("v7.2.0").unwrap().0, vec![7, 2, 0]);
        assert_eq!(Version::parse("1.0.0rc1").unwrap().0, vec![1, 0, 0]);
        assert_eq!(Version::parse("7.2.0-beta.1").unwrap().0, vec![7, 2, 0]);
        assert_eq!(Version::parse("6.x.x").unwrap().0, vec![6]);
        assert!(Version::parse("latest").is_none());
        assert_eq!(
            Version::parse("1.0").unwrap(),
            Version::parse("1.0.0").unwrap()
        );
        assert!(Version::parse("1.10").unwrap() > Version::parse("1.9.9").unwrap());
    }

    #[test]
    fn manifests() {
        let v = |n, t| manifest_version(n, t).unwrap();
        assert_eq!(
            v("Cargo.toml", "[package]\nname='a'\nversion = \"7.2.0\"\n").as_deref(),
            Some("7.2.0")
        );
        assert_eq!(
            v(
                "Cargo.toml",
                "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"2.1.0\"\n"
            )
            .as_deref(),
            Some("2.1.0")
        );
        assert_eq!(
            v("package.json", r#"{"name":"a","version":"7.2.0"}"#).as_deref(),
            Some("7.2.0")
        );
        assert_eq!(
            v("pyproject.toml", "[project]\nname='a'\nversion='0.1.4'\n").as_deref(),
            Some("0.1.4")
        );
        assert_eq!(
            v("pyproject.toml", "[project]\ndynamic=['version']\n"),
            None
        );
        assert_eq!(
            v("pyproject.toml", "[tool.poetry]\nversion='3.0.0'\n").as_deref(),
            Some("3.0.0")
        );
        assert_eq!(
            v("setup.cfg", "[metadata]\nname = a\nversion = 1.2.3\n").as_deref(),
            Some("1.2.3")
        );
        assert_eq!(
            v("setup.cfg", "[metadata]\nversion = attr: a.__version__\n"),
            None
        );
        assert!(manifest_version("package.json", "{").is_err());
    }

    #[test]
    fn tag_names() {
        let cap = |s: &str| TAG_VERSION.captures(s).map(|c| c[1].to_string());
        assert_eq!(cap("v7.2.0").as_deref(), Some("7.2.0"));
        assert_eq!(cap("mcli-1.4").as_deref(), Some("1.4"));
        assert_eq!(cap("release-2.0.0-rc.1").as_deref(), Some("2.0.0-rc.1"));
        assert_eq!(cap("nightly"), None);
        assert_eq!(cap("v7"), None);
    }
}
