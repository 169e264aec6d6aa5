//! Writing a file safely: into a new temporary file beside it, then renamed over it, never through
//! a symlink, so a reader never sees half a file and a planted link cannot redirect the write.

use std::path::Path;

/// Write `bytes` to `path` via a temporary file and a rename. A symlink at `path` is refused.
/// (One implementation: [`crate::safe_io::write_atomic`], which also refuses a FIFO or device.)
pub(crate) fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::safe_io::write_atomic(path, bytes, None).map_err(|e| match e {
        crate::safe_io::WriteError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    })
}

/// Write a report the user named with `--output`: a regular file (or a new one) through
/// [`write`]; a character device such as `/dev/null` by writing to it directly, since a rename
/// would replace the device node with a regular file. A symlink, a FIFO or a directory is
/// refused, as [`write`] refuses them.
pub(crate) fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        if let Ok(m) = std::fs::symlink_metadata(path) {
            if m.file_type().is_char_device() {
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .custom_flags(crate::safe_io::libc_flags::O_NOFOLLOW)
                    .open(path)?;
                return f.write_all(bytes);
            }
        }
    }
    write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_report_to_dev_null_leaves_the_device_in_place() {
        use std::os::unix::fs::FileTypeExt;
        write_output(Path::new("/dev/null"), b"report").unwrap();
        let m = std::fs::symlink_metadata("/dev/null").unwrap();
        assert!(m.file_type().is_char_device());
    }

    #[test]
    fn replaces_a_file_and_refuses_a_symlink() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out.json");
        write(&p, b"one").unwrap();
        write(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let target = d.path().join("target");
        std::fs::write(&target, b"keep").unwrap();
        let link = d.path().join("link");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&target, &link).unwrap();
            assert!(write(&link, b"evil").is_err());
            assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        }
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            3 - usize::from(!cfg!(unix))
        );
    }
}
