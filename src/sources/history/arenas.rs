//! The allocator's arenas during an audit. glibc's malloc gives threads arenas of their own, up to
//! eight per core, and each arena keeps the high-water mark of what its threads held: the walking
//! threads' decoded trees, then each reading thread's inflated blobs. As many arenas as scanning
//! threads (two at least) kept the peak RSS of cargo's history 22 MB (12%) lower, 161 MB instead of
//! 184 MB on two threads, at the same CPU time. A `MALLOC_ARENA_MAX` set in the environment is left alone.

/// Bound the number of malloc arenas for an audit on `threads` threads (glibc only; once). It
/// sets the allocator of the whole process, so the command calls it, not the library.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) fn bound(threads: usize) {
    use std::ffi::c_int;
    extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    /// glibc's `M_ARENA_MAX` (malloc.h).
    const M_ARENA_MAX: c_int = -8;
    static ONCE: std::sync::Once = std::sync::Once::new();
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let arenas = threads.clamp(2, 64) as c_int;
    // SAFETY: mallopt only sets a parameter of the allocator, under its own lock; the value is
    // within the range glibc accepts for this parameter.
    ONCE.call_once(|| unsafe {
        mallopt(M_ARENA_MAX, arenas);
    });
}

/// Other allocators need nothing here.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn bound(_threads: usize) {}

/// Give the allocator's free pages back to the system (glibc only): what the walk held (the trees
/// and pairs it has seen) is freed when it ends, but stays in the arenas, counted in the RSS,
/// through the blob scan.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(super) fn trim() {
    extern "C" {
        fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
    // SAFETY: malloc_trim only returns free memory of the allocator's arenas to the system, under
    // their locks; no allocation is touched.
    unsafe {
        malloc_trim(0);
    }
}

/// Other allocators need nothing here.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(super) fn trim() {}
