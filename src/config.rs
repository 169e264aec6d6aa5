//! The `.hushguard.toml` schema. Unknown keys are errors; every error names the file, line and column.

use crate::error::ConfigError;
use crate::finding::Severity;
use crate::rules::{toml_error_location, RuleSpec};
use crate::safe_io::{self, Follow};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Default per-file size limit: 10 MiB.
pub(crate) const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;

/// The largest configuration file read.
pub(crate) const CONFIG_LIMIT: u64 = 4 << 20;

/// The whole configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Largest file or blob scanned, in bytes (integer) or with a unit (`"10MiB"`, `"500KB"`).
    #[serde(default)]
    pub(crate) max_file_size: Option<ByteSize>,
    /// Lowest severity that blocks (exit 1). Default `error`.
    #[serde(default)]
    pub(crate) fail_on: Option<Severity>,
    #[serde(default)]
    pub(crate) rules: RulesConfig,
    #[serde(default)]
    pub(crate) allowlist: AllowlistConfig,
    #[serde(default)]
    pub(crate) files: FilesConfig,
    /// Extra rules, in the patterns/ format.
    #[serde(default)]
    pub rule: Vec<RuleSpec>,
    #[serde(default)]
    pub(crate) policy: PolicyConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesConfig {
    /// Rule ids (`github.pat-classic`) or whole families (`github`) to disable.
    #[serde(default)]
    pub disable: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AllowlistConfig {
    /// Globs of paths never scanned.
    #[serde(default)]
    pub paths: Vec<String>,
    /// Regexes: a secret matching one is not reported.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Words: a secret containing one (case-insensitively) is not reported.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FilesConfig {
    /// Globs of paths where forbidden-file rules do not apply (e.g. `tests/fixtures/**/*.pem`).
    #[serde(default)]
    pub allow: Vec<String>,
}

/// `[policy]`: the SECURITY.md checks.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyConfig {
    /// Maximum age of the policy's date, in days (default 365).
    #[serde(default)]
    pub max_age_days: Option<u32>,
    /// Lowest severity that blocks for policy findings (`warning` or `error`).
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Policy checks to skip, by id (`security-policy.stale`).
    #[serde(default)]
    pub disable: Vec<String>,
    /// Severity per check id.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
}

/// A size in bytes, written as an integer or a string with a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByteSize(pub u64);

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl serde::de::Visitor<'_> for Visit {
            type Value = ByteSize;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a size in bytes: a whole number such as 10485760, or \"10MiB\"")
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(n))
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<ByteSize, E> {
                u64::try_from(n).map(ByteSize).map_err(|_| {
                    E::custom(format!("max_file_size is {n}: a size cannot be negative"))
                })
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<ByteSize, E> {
                Err(E::custom(format!(
                    "max_file_size is {n}: a size is a whole number of bytes"
                )))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ByteSize, E> {
                parse_size(s).map(ByteSize).map_err(E::custom)
            }
        }
        d.deserialize_any(Visit)
    }
}

/// Parse `10MiB`, `500 KB`, `1048576`.
pub(crate) fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        format!(
            "{} is not a size (try 10485760 or \"10MiB\")",
            crate::quote::excerpt(s.as_bytes())
        )
    })?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown size unit {} (use B, KB, KiB, MB, MiB, GB or GiB)",
                crate::quote::excerpt(other.as_bytes())
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size {} is too large", crate::quote::excerpt(s.as_bytes())))
}

impl Config {
    /// Parse configuration text; `path` is only used to name errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: toml_error_location(text, &e),
        })
    }

    /// Parse the `[tool.hushguard]` table of a `pyproject.toml` (same schema; errors name the
    /// pyproject file and its line); `None` when it has no such table.
    pub(crate) fn parse_pyproject(path: &Path, text: &str) -> Result<Option<Config>, ConfigError> {
        #[derive(Deserialize)]
        struct Pyproject {
            #[serde(default)]
            tool: Option<Tool>,
        }
        #[derive(Deserialize)]
        struct Tool {
            #[serde(default)]
            hushguard: Option<Config>,
        }
        let p: Pyproject = toml::from_str(text).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            message: toml_error_location(text, &e),
        })?;
        Ok(p.tool.and_then(|t| t.hushguard))
    }

    /// Load `explicit` if given (it must exist), else `root/.hushguard.toml` if present, else the
    /// `[tool.hushguard]` table of `root/pyproject.toml` if there is one, else defaults.
    pub(crate) fn load(
        explicit: Option<&Path>,
        root: &Path,
    ) -> Result<(Config, Option<PathBuf>), ConfigError> {
        // A path named on the command line may be a symlink the user chose; the repository's own
        // `.hushguard.toml` is read only if it is a regular file. Neither may be a FIFO or device,
        // nor larger than CONFIG_LIMIT.
        let (path, follow) = match explicit {
            Some(p) => (p.to_path_buf(), Follow::Yes),
            None => {
                let p = root.join(".hushguard.toml");
                if std::fs::symlink_metadata(&p).is_err() {
                    return Config::load_pyproject(&root.join("pyproject.toml"));
                }
                (p, Follow::No)
            }
        };
        let bytes =
            safe_io::read_regular(&path, CONFIG_LIMIT, follow).map_err(|e| ConfigError {
                path: path.clone(),
                message: format!("cannot read: {e}"),
            })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError {
            path: path.clone(),
            message: "not valid UTF-8".into(),
        })?;
        Ok((Config::parse(&path, &text)?, Some(path)))
    }

    fn load_pyproject(path: &Path) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
        if !regular {
            return Ok((Config::default(), None));
        }
        let bytes =
            safe_io::read_regular(path, CONFIG_LIMIT, Follow::No).map_err(|e| ConfigError {
                path: path.to_path_buf(),
                message: format!("cannot read: {e}"),
            })?;
        let text = String::from_utf8(bytes).map_err(|_| ConfigError {
            path: path.to_path_buf(),
            message: "not valid UTF-8".into(),
        })?;
        Ok(match Config::parse_pyproject(path, &text)? {
            Some(c) => (c, Some(path.to_path_buf())),
            None => (Config::default(), None),
        })
    }

    pub(crate) fn max_file_size(&self) -> u64 {
        self.max_file_size
            .map(|b| b.0)
            .unwrap_or(DEFAULT_MAX_FILE_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_named_with_line() {
        let e =
            Config::parse(Path::new("h.toml"), "[allowlist]\npaths = []\nbogus = 1\n").unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("h.toml: line 3"), "{s}");
        assert!(s.contains("bogus"), "{s}");
    }

    #[test]
    fn wrong_type_named() {
        let e = Config::parse(Path::new("h.toml"), "max_file_size = true\n").unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn pyproject_tool_table_is_the_config() {
        let p = Path::new("pyproject.toml");
        let text = "[project]\nname = \"x\"\n\n[tool.black]\nline-length = 88\n\n[tool.hushguard]\nfail_on = \"warning\"\n[tool.hushguard.allowlist]\npaths = [\"docs/**\"]\n";
        let c = Config::parse_pyproject(p, text).unwrap().unwrap();
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(c.allowlist.paths, vec!["docs/**".to_string()]);
        assert!(Config::parse_pyproject(p, "[tool.black]\nx = 1\n")
            .unwrap()
            .is_none());
        let bad = "[project]\nname = \"x\"\n[tool.hushguard.allowlist]\npaths = []\nbogus = 1\n";
        let e = Config::parse_pyproject(p, bad).unwrap_err().to_string();
        assert!(e.starts_with("pyproject.toml: line 5"), "{e}");
        assert!(e.contains("bogus"), "{e}");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10MiB").unwrap(), 10 << 20);
        assert_eq!(parse_size("500 KB").unwrap(), 500_000);
        assert_eq!(parse_size("42").unwrap(), 42);
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5 parsecs").is_err());
        for (text, says) in [
            ("max_file_size = -1\n", "cannot be negative"),
            ("max_file_size = 1.5\n", "whole number"),
        ] {
            let e = Config::parse(Path::new("h.toml"), text)
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("h.toml: line 1") && e.contains(says), "{e}");
            assert!(!e.contains("untagged"), "{e}");
        }
        let token = format!("ghp_{}", "Zx9".repeat(12));
        let e = parse_size(&token).unwrap_err();
        assert!(!e.contains(&token[..10]), "{e}");
        let c = Config::parse(Path::new("h"), "max_file_size = \"1KiB\"").unwrap();
        assert_eq!(c.max_file_size(), 1024);
    }
}
