//! Files on disk: `hushguard scan PATH…`, walked in parallel with `ignore` (honouring .gitignore,
//! scanning hidden files, never entering `.git`), or standard input for `-`.

use crate::error::{BlobProblem, BlobProblemKind::Unreadable};
use crate::outcome::Outcome;
use crate::quote::quote;
use crate::safe_io::{self, open_listed_file, ReadError};
use crate::scan::{Blob, Content, Origin, Pipeline};
use ignore::WalkBuilder;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Options for a directory scan.
pub(crate) struct DiskOptions {
    pub no_ignore: bool,
    pub threads: usize,
}

/// The path shown in reports: relative to `root` where possible, `/`-separated, without `./`.
pub(crate) fn display_path(path: &Path, root: &Path) -> String {
    // The walker yields `root/...` for every file: cut the prefix as bytes, without comparing the
    // two paths component by component (which cost more than the rest of a small file's visit).
    let (p, r) = (
        path.as_os_str().as_encoded_bytes(),
        root.as_os_str().as_encoded_bytes(),
    );
    if let Some(rest) = p.strip_prefix(r) {
        let rest = match rest {
            [b'/', tail @ ..] => Some(tail),
            _ if r.ends_with(b"/") => Some(rest),
            _ => None,
        };
        if let Some(rest) = rest.filter(|t| !t.is_empty() && !t.starts_with(b"/")) {
            if let Ok(s) = std::str::from_utf8(rest) {
                let windows_separator = cfg!(windows) && s.contains('\\');
                if !s.starts_with("./") && !windows_separator {
                    return s.to_string();
                }
            }
        }
    }
    let rel = path.strip_prefix(root).unwrap_or(path);
    // Windows separators are written as git writes them; elsewhere a backslash is part of a
    // name (`vendor\lib.js` shown as `vendor/lib.js` named another file, fell under the allowlist
    // glob `vendor/**`, and got another fingerprint than `--staged` gives the same file).
    let s = rel.to_string_lossy();
    let s = if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    };
    let s = s.trim_start_matches("./").to_string();
    if s.is_empty() {
        path.to_string_lossy().into_owned()
    } else {
        s
    }
}

/// Read one file into `buf` and hand it to the pipeline (each walker thread reuses one buffer, so
/// that reading a file costs no allocation and no fresh pages). The file is opened once: its size
/// comes from the open handle, not from a second lookup of the path; a file the pipeline does not
/// want read (an allowlisted path, a file over the size limit) is not.
fn scan_file(pipe: Pipeline, path: &Path, root: &Path, out: &mut Outcome, buf: &mut Vec<u8>) {
    let shown = display_path(path, root);
    let blob = |content| Blob {
        path: &shown,
        content,
        origin: Origin::Disk,
    };
    if !pipe.wants_bytes(&shown, None) {
        return pipe.scan(&blob(Content::Unread)).record(out);
    }
    let fail = |out: &mut Outcome, e: std::io::Error| {
        out.errors
            .push(BlobProblem::new(Unreadable, &shown, None, io_reason(&e)));
    };
    // A regular file only, opened without following a symlink or blocking on a FIFO (the walker
    // saw a file, but the path may have been replaced since: the open handle is checked).
    let (mut file, len) = match open_listed_file(path) {
        Ok(f) => f,
        Err(ReadError::Io(e)) => return fail(out, e),
        Err(ReadError::NotFound) => {
            return fail(out, std::io::ErrorKind::NotFound.into());
        }
        Err(e) => {
            out.summary.skip("not_regular");
            out.notes.push(format!("{}: {e}", quote(&shown)));
            return;
        }
    };
    if !pipe.wants_bytes(&shown, Some(len)) {
        return pipe.scan(&blob(Content::Size(len))).record(out);
    }
    // Read the size the open handle reported, and no more, in one system call (see
    // `read_prefix`): `File::read_to_end` would look the size up again and seek, then make one
    // more read to find the end. (The walker hands over regular files only; bytes appended while
    // one is read are left for the next scan.)
    let want = usize::try_from(len.min(pipe.limit())).unwrap_or(usize::MAX);
    match safe_io::read_prefix(&mut file, want, buf) {
        Ok(data) => pipe.scan(&blob(Content::Bytes(data))).record(out),
        Err(e) => fail(out, e),
    }
}

/// A short reason for an I/O error (`permission denied`, `no such file or directory`).
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => {
            "no such file or directory (it may have been removed during the scan)".into()
        }
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Scan `paths` (files, directories, or `-` for standard input) under `root`.
pub(crate) fn scan(pipe: Pipeline, paths: &[PathBuf], root: &Path, opts: &DiskOptions) -> Outcome {
    let total = Mutex::new(Outcome::default());
    for p in paths {
        if p.as_os_str() == "-" {
            let mut out = Outcome::default();
            let blob = |content| Blob {
                path: "<stdin>",
                content,
                origin: Origin::Disk,
            };
            match safe_io::read_stdin(pipe.limit()) {
                Ok(data) => pipe.scan(&blob(Content::Bytes(&data))).record(&mut out),
                Err(ReadError::TooLarge { .. }) => {
                    pipe.scan(&blob(Content::OverLimit)).record(&mut out)
                }
                Err(e) => out
                    .errors
                    .push(BlobProblem::new(Unreadable, "<stdin>", None, e)),
            }
            total.lock().expect("lock").merge(out);
            continue;
        }
        if let Err(e) = std::fs::symlink_metadata(p) {
            total.lock().expect("lock").errors.push(format!(
                "{}: {}",
                quote(&p.display().to_string()),
                io_reason(&e)
            ));
            continue;
        }
        let mut wb = WalkBuilder::new(p);
        wb.hidden(false)
            .follow_links(false)
            .threads(opts.threads.max(1))
            .filter_entry(|e| e.file_name() != ".git");
        if opts.no_ignore {
            wb.standard_filters(false).hidden(false);
        } else {
            wb.require_git(false);
        }
        wb.build_parallel().run(|| {
            let mut local = Local {
                out: Outcome::default(),
                total: &total,
            };
            let mut buf = Vec::new();
            Box::new(move |entry| {
                match entry {
                    Ok(e) => {
                        let ft = e.file_type();
                        if ft.is_some_and(|t| t.is_file()) {
                            scan_file(pipe, e.path(), root, &mut local.out, &mut buf);
                        } else if ft.is_some_and(|t| t.is_symlink()) {
                            local.out.summary.skip("symlink");
                        } else if let Some(t) = ft.filter(|t| !t.is_dir()) {
                            // A FIFO, socket or device: never opened (a read could block or
                            // never end), but said by name.
                            local.out.summary.skip("not_regular");
                            local.out.notes.push(format!(
                                "{}: is a {}, not a regular file; not read",
                                quote(&display_path(e.path(), root)),
                                safe_io::kind_of(&t)
                            ));
                        }
                    }
                    Err(err) => local.out.errors.push(err.to_string()),
                }
                ignore::WalkState::Continue
            })
        });
    }
    total.into_inner().expect("lock")
}

/// A walker thread's results, merged into the total when the thread is done with it.
struct Local<'a> {
    out: Outcome,
    total: &'a Mutex<Outcome>,
}

impl Drop for Local<'_> {
    fn drop(&mut self) {
        if let Ok(mut t) = self.total.lock() {
            t.merge(std::mem::take(&mut self.out));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::display_path;
    use std::path::Path;

    #[test]
    fn display_path_is_relative_to_the_root() {
        let cases = [
            ("/repo/src/main.rs", "/repo", "src/main.rs"),
            ("/repo/src/main.rs", "/repo/", "src/main.rs"),
            ("./src/main.rs", ".", "src/main.rs"),
            ("src/main.rs", "", "src/main.rs"),
            ("/repo//src/a.rs", "/repo", "src/a.rs"),
            ("/repo/./src/a.rs", "/repo", "src/a.rs"),
            ("/repository/a.rs", "/repo", "/repository/a.rs"),
            ("/other/a.rs", "/repo", "/other/a.rs"),
            ("/repo", "/repo", "/repo"),
            #[cfg(unix)]
            ("/repo/vendor\\lib.js", "/repo", "vendor\\lib.js"),
            #[cfg(unix)]
            ("./vendor\\lib.js", ".", "vendor\\lib.js"),
        ];
        for (path, root, shown) in cases {
            assert_eq!(
                display_path(Path::new(path), Path::new(root)),
                shown,
                "{path} under {root}"
            );
        }
    }
}
