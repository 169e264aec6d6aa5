//! Which file is the security policy: GitHub's places and precedence. It looks in `.github/`,
//! then the repository root, then `docs/`, for `SECURITY` with `.md`, `.rst` or `.txt`, in any case.

const EXTENSIONS: [&str; 3] = ["md", "rst", "txt"];
const DIRS: [&str; 3] = [".github", "", "docs"];

/// Whether a file name is a policy name (`SECURITY.md`, `security.rst`, `Security.TXT`, …).
pub(crate) fn is_policy_name(name: &str) -> bool {
    extension_rank(name).is_some()
}

/// Whether a directory name is one GitHub looks in (`.github`, `docs`, any case).
pub(crate) fn is_policy_dir(name: &str) -> bool {
    DIRS.iter()
        .any(|d| !d.is_empty() && d.eq_ignore_ascii_case(name))
}

fn extension_rank(name: &str) -> Option<usize> {
    let (stem, ext) = name.rsplit_once('.')?;
    if !stem.eq_ignore_ascii_case("security") {
        return None;
    }
    EXTENSIONS.iter().position(|e| e.eq_ignore_ascii_case(ext))
}

/// Sort key: directory precedence, then extension, then exact `SECURITY` spelling first.
fn rank(path: &str) -> (usize, usize, bool, String) {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let d = DIRS
        .iter()
        .position(|x| x.eq_ignore_ascii_case(dir))
        .unwrap_or(DIRS.len());
    let e = extension_rank(name).unwrap_or(EXTENSIONS.len());
    (d, e, !name.starts_with("SECURITY"), path.to_string())
}

/// The policy GitHub would show among `candidates`, and the others (which it ignores).
pub(crate) fn choose(mut candidates: Vec<String>) -> Option<(String, Vec<String>)> {
    candidates.sort_by_key(|p| rank(p));
    let mut it = candidates.into_iter();
    let first = it.next()?;
    Some((first, it.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for n in ["SECURITY.md", "security.md", "Security.RST", "SECURITY.txt"] {
            assert!(is_policy_name(n), "{n}");
        }
        for n in [
            "SECURITY",
            "SECURITY.markdown",
            "security-policy.md",
            "INSECURITY.md",
        ] {
            assert!(!is_policy_name(n), "{n}");
        }
        assert!(is_policy_dir(".GitHub") && is_policy_dir("Docs") && !is_policy_dir("doc"));
    }

    #[test]
    fn precedence() {
        let (first, rest) = choose(vec![
            "docs/SECURITY.md".into(),
            "SECURITY.rst".into(),
            "security.md".into(),
            ".github/SECURITY.txt".into(),
        ])
        .unwrap();
        assert_eq!(first, ".github/SECURITY.txt");
        assert_eq!(
            rest,
            vec!["security.md", "SECURITY.rst", "docs/SECURITY.md"]
        );
        assert_eq!(choose(Vec::new()), None);
    }
}
