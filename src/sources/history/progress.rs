//! The audit's progress bar on standard error: commits walked, then blobs scanned, MB/s, findings
//! so far and an ETA. Shown only on a terminal unless `--progress always`; never on standard output.

use super::blobs::Counters;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Where the progress bar is drawn, decided once by the command (`--progress`, and whether standard
/// error is a terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Show {
    /// No progress bar.
    Hidden,
    /// On standard error, which is a terminal.
    Terminal,
    /// On standard error even though it is not a terminal (`--progress always`).
    Forced,
}

/// The progress display (a no-op when hidden).
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub(crate) fn new(show: Show) -> Progress {
        let target = match show {
            Show::Hidden => return Progress { bar: None },
            Show::Terminal => ProgressDrawTarget::stderr_with_hz(10),
            Show::Forced => ProgressDrawTarget::term_like_with_hz(Box::new(Stderr), 10),
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} walking history: {msg}")
                .expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress { bar: Some(bar) }
    }

    /// Commits read so far (the history walk from the refs).
    pub(crate) fn commits(&self, read: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{read} commits read"));
        }
    }

    /// Commits whose trees were walked so far, of `total`.
    pub(crate) fn trees(&self, walked: u64, total: u64, trees: u64) {
        if let Some(b) = &self.bar {
            b.set_message(format!(
                "trees of {walked}/{total} commits, {trees} trees read"
            ));
        }
    }

    /// Follow the scan counters until `stop` is set: call from a thread of its own.
    pub(crate) fn follow(
        &self,
        commits: u64,
        blobs: u64,
        total: &AtomicU64,
        c: &Counters,
        stop: &AtomicBool,
    ) {
        let Some(b) = &self.bar else { return };
        b.set_length(total.load(Ordering::Relaxed));
        b.set_position(0);
        b.reset_eta();
        b.set_style(
            ProgressStyle::with_template(
                "{spinner} scanning [{bar:25}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        loop {
            let done = stop.load(Ordering::Relaxed);
            let total_bytes = total.load(Ordering::Relaxed);
            b.set_length(total_bytes);
            b.set_position(c.bytes.load(Ordering::Relaxed).min(total_bytes));
            b.set_message(format!(
                "{commits} commits, {}/{blobs} blobs, {} findings",
                c.blobs.load(Ordering::Relaxed),
                c.findings.load(Ordering::Relaxed)
            ));
            if done {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub(crate) fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Standard error as a terminal, for `--progress always` when it is not one.
#[derive(Debug)]
struct Stderr;

impl Stderr {
    fn put(&self, s: &str) -> std::io::Result<()> {
        std::io::stderr().lock().write_all(s.as_bytes())
    }
}

impl TermLike for Stderr {
    fn width(&self) -> u16 {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100)
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.put(&format!("\x1b[{n}A"))?;
        }
        Ok(())
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.put(&format!("\x1b[{n}B"))?;
        }
        Ok(())
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.put(&format!("\x1b[{n}C"))?;
        }
        Ok(())
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            self.put(&format!("\x1b[{n}D"))?;
        }
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.put(s)?;
        self.put("\n")
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.put(s)
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.put("\r\x1b[2K")
    }
    fn flush(&self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}
