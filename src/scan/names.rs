//! The file-name prefilter of the forbidden-file rules: each rule glob's last component filed by
//! its last (or first) byte, so that a path is compared only with the few globs that can fit its
//! file name, and most paths are turned away by their last two bytes. A necessary condition: the
//! rules' own globs then decide.

/// A necessary condition for one rule glob to match a file name: the glob's last component as a
/// literal prefix and suffix around its `*`s, or the whole name when it has no wildcard.
struct Name {
    prefix: Box<[u8]>,
    suffix: Box<[u8]>,
    exact: bool,
    rule: usize,
}

impl Name {
    fn fits(&self, name: &[u8]) -> bool {
        if self.exact {
            return name == &*self.prefix;
        }
        name.len() >= self.prefix.len() + self.suffix.len()
            && name.starts_with(&self.prefix)
            && name.ends_with(&self.suffix)
    }
}

/// [`Name`]s that must end in the same byte, and the bytes that may come before it.
struct Bucket {
    names: Vec<Name>,
    /// Bit `c` set: some name here may have `c` as its second-to-last byte.
    second: [u64; 4],
}

impl Bucket {
    fn new() -> Bucket {
        Bucket {
            names: Vec::new(),
            second: [0; 4],
        }
    }

    fn add(&mut self, name: Name, tail: &[u8]) {
        match tail.len() {
            0 | 1 => self.second = [u64::MAX; 4],
            n => {
                let c = usize::from(tail[n - 2]);
                self.second[c / 64] |= 1 << (c % 64);
            }
        }
        self.names.push(name);
    }

    fn may_hold(&self, name: &[u8]) -> bool {
        match name.len() {
            0 => false,
            1 => !self.names.is_empty(),
            n => {
                let c = usize::from(name[n - 2]);
                self.second[c / 64] & (1 << (c % 64)) != 0
            }
        }
    }
}

/// The rule globs as [`Name`]s, filed so that a file name is compared only with the few that can
/// fit it: most names are turned away by their last two bytes. Each entry names the rule (by
/// index) it came from, so only those rules' globs are then matched in full.
pub(crate) struct NameFilter {
    /// By last byte: exact names, and globs with a literal suffix.
    by_last: Vec<Bucket>,
    /// By first byte: globs ending in `*` after a literal prefix.
    by_first: Vec<Vec<Name>>,
    /// Globs the filter cannot read (`?`, `[…]`, `{…}`, a bare `*`), and rules without `paths`:
    /// every name may match them.
    always: Vec<usize>,
}

impl NameFilter {
    pub(crate) fn new<'a>(globs: impl Iterator<Item = (usize, Option<&'a String>)>) -> NameFilter {
        let mut f = NameFilter {
            by_last: (0..256).map(|_| Bucket::new()).collect(),
            by_first: (0..256).map(|_| Vec::new()).collect(),
            always: Vec::new(),
        };
        for (rule, g) in globs {
            let Some(g) = g else {
                f.always.push(rule);
                continue;
            };
            let last = g.rsplit('/').next().unwrap_or(g).as_bytes();
            if last.is_empty() || last.iter().any(|c| b"?[{\\".contains(c)) {
                f.always.push(rule);
                continue;
            }
            let exact = !last.contains(&b'*');
            let prefix = last.split(|&c| c == b'*').next().unwrap_or(b"");
            let suffix = if exact {
                b""
            } else {
                last.rsplit(|&c| c == b'*').next().unwrap_or(b"")
            };
            let name = Name {
                prefix: prefix.into(),
                suffix: suffix.into(),
                exact,
                rule,
            };
            let tail = if exact { last } else { suffix };
            match (tail.last(), prefix.first()) {
                (Some(&c), _) => f.by_last[usize::from(c)].add(name, tail),
                (None, Some(&c)) => f.by_first[usize::from(c)].push(name),
                (None, None) => f.always.push(rule),
            }
        }
        f
    }

    /// Add to `out` the rules whose globs may match `path` (possibly with repeats).
    pub(crate) fn candidates(&self, path: &[u8], out: &mut Vec<usize>) {
        let name = file_name(path);
        let (Some(&first), Some(&last)) = (name.first(), name.last()) else {
            return;
        };
        let bucket = &self.by_last[usize::from(last)];
        if bucket.may_hold(name) {
            out.extend(bucket.names.iter().filter(|n| n.fits(name)).map(|n| n.rule));
        }
        out.extend(
            self.by_first[usize::from(first)]
                .iter()
                .filter(|n| n.fits(name))
                .map(|n| n.rule),
        );
        out.extend(&self.always);
    }

    /// Whether no rule can match `path`: the cheap test run on every tracked path.
    pub(crate) fn turns_away(&self, path: &[u8]) -> bool {
        let name = file_name(path);
        let (Some(&first), Some(&last)) = (name.first(), name.last()) else {
            return true;
        };
        self.always.is_empty()
            && !self.by_last[usize::from(last)].may_hold(name)
            && self.by_first[usize::from(first)].is_empty()
    }
}

/// The last component of a `/`-separated path.
fn file_name(path: &[u8]) -> &[u8] {
    match memchr::memrchr(b'/', path) {
        Some(slash) => &path[slash + 1..],
        None => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_filter_is_a_necessary_condition() {
        let globs: Vec<String> = [
            ".env",
            ".env.*",
            "*.pem",
            "*.der.pem",
            "*_rsa",
            "ssh_host_*_key",
            "**/.aws/credentials",
            "*.tfstate.*.backup",
            "*.{yml,yaml}",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let may_match = |f: &NameFilter, p: &str| {
            let mut v = Vec::new();
            f.candidates(p.as_bytes(), &mut v);
            !v.is_empty()
        };
        let filter = |globs: &[String]| NameFilter::new(globs.iter().map(Some).enumerate());
        let f = filter(&globs[..8]);
        for p in [
            ".env",
            "a/.env.local",
            "k.pem",
            "x/y.der.pem",
            "id_rsa",
            "etc/ssh_host_ed_key",
            "home/.aws/credentials",
            "s.tfstate.1.backup",
        ] {
            assert!(may_match(&f, p), "{p}");
            assert!(!f.turns_away(p.as_bytes()), "{p}");
        }
        for p in [
            "src/main.rs",
            "env",
            "a.pem.txt",
            "rsa",
            "ssh_host_key.pub",
            "ssh_host_key",
            "x.env",
            ".envrc",
            "README.md",
            "Makefile",
            "dir/",
        ] {
            assert!(!may_match(&f, p), "{p}");
        }
        // The cheap test alone turns away most names: by their last two bytes.
        for p in [
            "src/main.rs",
            "README.md",
            "Makefile",
            "a.pem.txt",
            "id_rsa.pub",
        ] {
            assert!(f.turns_away(p.as_bytes()), "{p}");
        }
        // A glob the filter cannot read lets every name through.
        assert!(may_match(&filter(&globs), "src/main.rs"));
        // So does a rule without globs.
        assert!(may_match(&NameFilter::new([(0, None)].into_iter()), "a.rs"));
        // Each candidate names the rule its glob came from.
        let mut v = Vec::new();
        f.candidates(b"keys/server.der.pem", &mut v);
        v.sort();
        assert_eq!(v, vec![2, 3]);
    }
}
