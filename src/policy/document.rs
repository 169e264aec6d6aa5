//! A policy file as text: decoded (lossily, the encoding check reports what was lost), split into
//! numbered lines, with fenced code blocks marked so checks can skip example text.

/// The policy text and where its lines and code blocks are.
pub(crate) struct Document {
    pub path: String,
    pub text: String,
    /// Byte offset of each line's start in `text`.
    starts: Vec<usize>,
    /// Per line: inside a fenced code block (the fence lines included).
    in_code: Vec<bool>,
}

impl Document {
    pub(crate) fn new(path: &str, bytes: &[u8]) -> Document {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = String::from_utf8_lossy(bytes).into_owned();
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        if starts.len() > 1 && *starts.last().unwrap() == text.len() {
            starts.pop();
        }
        let mut doc = Document {
            path: path.to_string(),
            text,
            starts,
            in_code: Vec::new(),
        };
        doc.in_code = fences(doc.lines().map(|(_, l)| l));
        doc
    }

    /// `(1-based number, line without its line ending)`.
    pub(crate) fn lines(&self) -> impl Iterator<Item = (usize, &str)> {
        self.starts.iter().enumerate().map(|(i, &s)| {
            let end = self.starts.get(i + 1).copied().unwrap_or(self.text.len());
            let line = self.text[s..end].trim_end_matches(['\n', '\r']);
            (i + 1, line)
        })
    }

    /// Lines outside fenced code blocks.
    pub(crate) fn prose(&self) -> impl Iterator<Item = (usize, &str)> {
        self.lines().filter(|(n, _)| !self.in_code[n - 1])
    }

    #[cfg(test)]
    pub(crate) fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Whether this is a reStructuredText file (links and tables look different).
    pub(crate) fn is_rst(&self) -> bool {
        self.path.to_ascii_lowercase().ends_with(".rst")
    }
}

/// Mark the lines of fenced code blocks (``` or ~~~, closed by a fence of the same kind).
fn fences<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<bool> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize)> = None;
    for line in lines {
        let t = line.trim_start();
        let fence = ['`', '~'].into_iter().find_map(|c| {
            let n = t.chars().take_while(|&x| x == c).count();
            (n >= 3).then_some((c, n))
        });
        match (open, fence) {
            (None, Some(f)) => {
                open = Some(f);
                out.push(true);
            }
            (Some((c, n)), Some((fc, fnum)))
                if c == fc && fnum >= n && t.trim_matches(c).trim().is_empty() =>
            {
                open = None;
                out.push(true);
            }
            (Some(_), _) => out.push(true),
            (None, None) => out.push(false),
        }
    }
    out
}

/// Byte ranges of inline code spans (`` `code` ``) in a line.
pub(crate) fn code_spans(line: &str) -> Vec<std::ops::Range<usize>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'`' {
            i += 1;
            continue;
        }
        let n = b[i..].iter().take_while(|&&c| c == b'`').count();
        let open_end = i + n;
        let mut j = open_end;
        let mut closed = None;
        while j < b.len() {
            if b[j] == b'`' {
                let m = b[j..].iter().take_while(|&&c| c == b'`').count();
                if m == n {
                    closed = Some(j + m);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match closed {
            Some(end) => {
                out.push(i..end);
                i = end;
            }
            None => i = open_end,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_fences() {
        let d = Document::new("SECURITY.md", b"a\n```\n[x]\n```\nb\r\nc");
        let lines: Vec<_> = d.lines().collect();
        assert_eq!(
            lines,
            vec![
                (1, "a"),
                (2, "```"),
                (3, "[x]"),
                (4, "```"),
                (5, "b"),
                (6, "c")
            ]
        );
        let prose: Vec<_> = d.prose().map(|(n, _)| n).collect();
        assert_eq!(prose, vec![1, 5, 6]);
        assert_eq!(d.line_count(), 6);
    }

    #[test]
    fn trailing_newline_adds_no_line() {
        assert_eq!(Document::new("s", b"a\nb\n").line_count(), 2);
    }

    #[test]
    fn spans() {
        let l = "a `b` c ``d ` e`` `open";
        let s: Vec<_> = code_spans(l).into_iter().map(|r| &l[r]).collect();
        assert_eq!(s, vec!["`b`", "``d ` e``"]);
    }
}
