//! Reading and writing files of a repository that may be hostile: only regular files are read,
//! a symlink is its link text (as git stores it), no read blocks on a FIFO or device, no read
//! takes more than the limit plus one byte, and a write never goes through a symlink (a temporary
//! file beside the target, then a rename).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReadError {
    #[error("no such file")]
    NotFound,
    #[error("is a symlink; not followed")]
    Symlink,
    #[error("is a {0}, not a regular file; not read")]
    NotRegular(&'static str),
    #[error("larger than the {limit} byte limit; not read")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a working-tree path holds, as git would store it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WorkTreeFile {
    /// A regular file's bytes.
    File(Vec<u8>),
    /// A symlink's target, as bytes (what git stores as the blob); never followed.
    Symlink(Vec<u8>),
}

impl WorkTreeFile {
    /// The bytes git would store for it.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        match self {
            WorkTreeFile::File(b) | WorkTreeFile::Symlink(b) => b,
        }
    }
}

/// Whether a symlink named on the command line may be followed (the user named it), or must not
/// be (it comes from the repository).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Follow {
    Yes,
    No,
}

/// A word for a file type that is not a regular file.
pub(crate) fn kind_of(ft: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO";
        }
        if ft.is_char_device() {
            return "character device";
        }
        if ft.is_block_device() {
            return "block device";
        }
        if ft.is_socket() {
            return "socket";
        }
    }
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symlink"
    } else if ft.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

fn not_found(e: std::io::Error) -> ReadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    }
}

/// Open `path` for reading only if it is a regular file: the type is checked without following
/// a symlink (unless `follow`), the open never blocks (`O_NONBLOCK`) nor follows a last-component
/// symlink (`O_NOFOLLOW`), and the open handle is checked again (the path may have changed).
pub(crate) fn open_regular(path: &Path, follow: Follow) -> Result<(File, u64), ReadError> {
    let meta = match follow {
        Follow::Yes => std::fs::metadata(path),
        Follow::No => std::fs::symlink_metadata(path),
    }
    .map_err(not_found)?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        return Err(ReadError::Symlink);
    }
    if !ft.is_file() {
        return Err(ReadError::NotRegular(kind_of(&ft)));
    }
    open_checked(path, follow)
}

/// [`open_regular`] for a path that a directory walker has just listed as a regular file (its
/// type read from the directory entry): the lookup of the type before the open is left out, one
/// system call per file of a directory scan; the open still never blocks nor follows a symlink,
/// and the open handle's type is checked as before.
pub(crate) fn open_listed_file(path: &Path) -> Result<(File, u64), ReadError> {
    open_checked(path, Follow::No)
}

/// The open of [`open_regular`], after its type check: `O_NONBLOCK`, `O_NOFOLLOW` unless
/// `follow`, then the open handle must be a regular file.
fn open_checked(path: &Path, follow: Follow) -> Result<(File, u64), ReadError> {
    let mut opts = OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let nofollow = if follow == Follow::No {
            libc_flags::O_NOFOLLOW
        } else {
            0
        };
        opts.custom_flags(libc_flags::O_NONBLOCK | nofollow);
    }
    let file = opts.open(path).map_err(|e| {
        if follow == Follow::No && e.raw_os_error() == Some(libc_flags::ELOOP) {
            ReadError::Symlink
        } else {
            not_found(e)
        }
    })?;
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    Ok((file, meta.len()))
}

/// Read at most `limit + 1` bytes from `r`; more than `limit` is [`ReadError::TooLarge`].
pub(crate) fn read_bounded(r: impl Read, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    r.take(limit.saturating_add(1)).read_to_end(buf)?;
    if buf.len() as u64 > limit {
        buf.clear();
        buf.shrink_to(64 << 10);
        return Err(ReadError::TooLarge { limit });
    }
    Ok(())
}

/// The first `len` bytes of `r` (fewer if it ends sooner), read into the front of `buf`. `buf`
/// keeps its length from call to call, so a buffer reused for many files is zeroed only where it
/// grows, and a file whose size is known takes one `read` system call: `read_to_end` reads in
/// chunks of 8 KiB doubling (four calls for a 100 KB file), then once more to find the end.
pub(crate) fn read_prefix(
    mut r: impl Read,
    len: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<&[u8]> {
    if buf.len() < len {
        // A size the allocator refuses (a sparse file of gigabytes under a limit the repository's
        // configuration raised) is an error for this file, not an abort of the whole run.
        buf.try_reserve_exact(len - buf.len()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::OutOfMemory,
                format!("cannot allocate {len} bytes to read it"),
            )
        })?;
        buf.resize(len, 0);
    }
    let mut got = 0;
    while got < len {
        match r.read(&mut buf[got..len]) {
            Ok(0) => break,
            // `min`: a reader that claims more than it was given cannot push `got` past `len`.
            Ok(n) => got = (got + n).min(len),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(&buf[..got])
}

/// The bytes of the regular file at `path`, at most `limit`.
pub(crate) fn read_regular(path: &Path, limit: u64, follow: Follow) -> Result<Vec<u8>, ReadError> {
    let (file, len) = open_regular(path, follow)?;
    if len > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut buf = Vec::with_capacity(len as usize);
    read_bounded(file, limit, &mut buf)?;
    Ok(buf)
}

/// A working-tree path as git would store it: a regular file's bytes (at most `limit`) or a
/// symlink's link text. Anything else (a FIFO, a device, a directory) is an error.
pub(crate) fn read_worktree(path: &Path, limit: u64) -> Result<WorkTreeFile, ReadError> {
    let meta = std::fs::symlink_metadata(path).map_err(not_found)?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(path)?;
        return Ok(WorkTreeFile::Symlink(
            target.into_os_string().into_encoded_bytes(),
        ));
    }
    match read_regular(path, limit, Follow::No) {
        Ok(b) => Ok(WorkTreeFile::File(b)),
        // Replaced by a symlink between the two looks: still never followed.
        Err(ReadError::Symlink) => Ok(WorkTreeFile::Symlink(
            std::fs::read_link(path)?
                .into_os_string()
                .into_encoded_bytes(),
        )),
        Err(e) => Err(e),
    }
}

/// Standard input, at most `limit` bytes (reading stops at `limit + 1`).
pub(crate) fn read_stdin(limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    read_bounded(std::io::stdin().lock(), limit, &mut buf)?;
    Ok(buf)
}

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    #[error("is a symlink; refusing to write through it")]
    Symlink,
    #[error("is a {0}, not a regular file; refusing to replace it")]
    NotRegular(&'static str),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Write `bytes` to `path` by creating a temporary file beside it (never following a symlink)
/// and renaming it over `path`. A symlink or a non-regular file at `path` is refused, so nothing
/// outside the directory is ever created or changed. `mode` sets the Unix permissions; without
/// it a file that is replaced keeps its own (a report made private with `chmod 600` was replaced
/// by a world-readable one), and a new file gets 0644 less the umask.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<(), WriteError> {
    let mut mode = mode;
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(WriteError::Symlink),
        Ok(m) if !m.file_type().is_file() => {
            return Err(WriteError::NotRegular(kind_of(&m.file_type())))
        }
        Ok(m) => mode = mode.or(existing_mode(&m)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    let (tmp, mut file) = temp_beside(path, mode)?;
    let written = file
        .write_all(bytes)
        .and_then(|_| file.sync_all())
        .and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(())
}

/// The permission bits of a file about to be replaced (the umask may narrow them, never widen).
fn existing_mode(m: &std::fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(m.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

/// A new file next to `path` (`O_EXCL`: never an existing file nor a symlink).
fn temp_beside(path: &Path, mode: Option<u32>) -> std::io::Result<(PathBuf, File)> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100u32 {
        let tmp = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(mode.unwrap_or(0o644));
            opts.custom_flags(libc_flags::O_NOFOLLOW);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match opts.open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no temporary name")))
}

/// The few open flags needed, without a `libc` dependency (values from the platform headers).
#[cfg(unix)]
pub(crate) mod libc_flags {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) const O_NONBLOCK: i32 = 0o4000;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) const O_NOFOLLOW: i32 = 0o400000;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub const O_NONBLOCK: i32 = 0x0004;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub const O_NOFOLLOW: i32 = 0x0100;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub(crate) const ELOOP: i32 = 40;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub const ELOOP: i32 = 62;
}
#[cfg(not(unix))]
mod libc_flags {
    pub const ELOOP: i32 = -1;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlinks_are_their_link_text_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, b"private").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert_eq!(
            read_worktree(&link, 100).unwrap(),
            WorkTreeFile::Symlink(outside.as_os_str().as_encoded_bytes().to_vec())
        );
        assert!(matches!(
            read_regular(&link, 100, Follow::No),
            Err(ReadError::Symlink)
        ));
        assert_eq!(read_regular(&link, 100, Follow::Yes).unwrap(), b"private");
    }

    #[test]
    fn fifos_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(ok.success());
        assert!(matches!(
            read_worktree(&fifo, 100),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 100, Follow::Yes),
            Err(ReadError::NotRegular("character device"))
        ));
    }

    #[test]
    fn a_listed_file_replaced_since_by_a_symlink_fifo_or_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, b"twelve bytes").unwrap();
        let (_, len) = open_listed_file(&file).unwrap();
        assert_eq!(len, 12);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(matches!(open_listed_file(&link), Err(ReadError::Symlink)));
        let fifo = dir.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(ok.success());
        assert!(matches!(
            open_listed_file(&fifo),
            Err(ReadError::NotRegular("FIFO"))
        ));
        assert!(matches!(
            open_listed_file(dir.path()),
            Err(ReadError::NotRegular("directory"))
        ));
        assert!(matches!(
            open_listed_file(&dir.path().join("gone")),
            Err(ReadError::NotFound)
        ));
    }

    #[test]
    fn reads_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, vec![b'a'; 101]).unwrap();
        assert!(matches!(
            read_regular(&f, 100, Follow::No),
            Err(ReadError::TooLarge { limit: 100 })
        ));
        assert_eq!(read_regular(&f, 101, Follow::No).unwrap().len(), 101);
        let mut buf = Vec::new();
        let endless = std::io::repeat(b'x');
        assert!(read_bounded(endless, 1000, &mut buf).is_err());
    }

    /// A reader of `data` that hands out at most `chunk` bytes a call, and counts its calls.
    struct Chunked<'a> {
        data: &'a [u8],
        chunk: usize,
        calls: usize,
    }
    impl Read for Chunked<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            let n = out.len().min(self.chunk).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_prefix_is_read_whole_in_one_call_when_the_reader_allows() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let mut buf = Vec::new();
        let mut r = Chunked {
            data: &data,
            chunk: usize::MAX,
            calls: 0,
        };
        assert_eq!(
            read_prefix(&mut r, data.len(), &mut buf).unwrap(),
            &data[..]
        );
        // No probe for the end, no growing chunks: the one call a regular file needs.
        assert_eq!(r.calls, 1);
        // In small pieces, and stopping at `len` with more to come.
        let mut r = Chunked {
            data: &data,
            chunk: 7,
            calls: 0,
        };
        assert_eq!(read_prefix(&mut r, 50, &mut buf).unwrap(), &data[..50]);
        assert_eq!(r.calls, 8);
        // A reader that ends early gives what it has; the longer buffer's old bytes stay out.
        let mut r = Chunked {
            data: b"short",
            chunk: 2,
            calls: 0,
        };
        assert_eq!(read_prefix(&mut r, 40, &mut buf).unwrap(), b"short");
        // A length no allocation can hold is an error, not an abort.
        let e = read_prefix(&mut r, usize::MAX, &mut buf).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::OutOfMemory);
        assert!(e.to_string().starts_with("cannot allocate"), "{e}");
        assert_eq!(buf.len(), data.len());
    }

    #[test]
    fn writes_replace_files_but_never_go_through_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        std::fs::write(&outside, b"keep").unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(matches!(
            write_atomic(&link, b"new", None),
            Err(WriteError::Symlink)
        ));
        assert_eq!(std::fs::read(&outside).unwrap(), b"keep");
        let f = dir.path().join("f");
        write_atomic(&f, b"one", None).unwrap();
        write_atomic(&f, b"two", Some(0o755)).unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&f).unwrap().permissions().mode() & 0o777,
            0o755
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 3, "no temporary file is left behind");
    }

    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let private = dir.path().join("report.json");
        std::fs::write(&private, b"").unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&private, b"secrets shown", None).unwrap();
        assert_eq!(std::fs::read(&private).unwrap(), b"secrets shown");
        assert_eq!(mode(&private), 0o600);
        // An explicit mode still wins (a hook is made executable).
        write_atomic(&private, b"#!/bin/sh", Some(0o700)).unwrap();
        assert_eq!(mode(&private), 0o700);
        // A new file: 0644 at most.
        let new = dir.path().join("new.json");
        write_atomic(&new, b"{}", None).unwrap();
        assert_eq!(mode(&new) & !0o644, 0);
    }
}
