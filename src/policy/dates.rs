//! Calendar dates: parsing the common ways a policy writes one, and day arithmetic.
//!
//! Read: `2025-09-30`, `2025/09/30`, `2025.09.30`, `30 September 2025`, `30th Sep 2025`,
//! `September 30, 2025`, `Sep 30 2025`, `Sept. 30th, 2025`, `September 2025` and `2025-09` (the
//! last day of that month), `30/09/2025`, `09/30/2025`, `30.09.2025`. A numeric date with the year
//! last is read day first (`30/09/2025`) unless only month first is valid (`09/30/2025`); when
//! both readings are valid (`03/04/2025`) the later date is taken, so an ambiguous date never makes
//! a policy look older than it is.

use regex_lite::Regex;
use std::sync::LazyLock;

/// Days since 1970-01-01.
pub(crate) type Day = i64;

const MONTHS: &str = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

struct Patterns {
    ymd: Regex,
    dmy_name: Regex,
    mdy_name: Regex,
    numeric_year_last: Regex,
    month_year: Regex,
    year_month: Regex,
}

static PATTERNS: LazyLock<Patterns> = LazyLock::new(|| {
    let re = |s: &str| super::pattern::compile(&s.replace("MONTH", MONTHS));
    Patterns {
        ymd: re(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\b|T)"),
        dmy_name: re(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(MONTH)\.?,?\s+(\d{4})\b"),
        mdy_name: re(r"(?i)\b(MONTH)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"),
        numeric_year_last: re(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\b"),
        month_year: re(r"(?i)\b(MONTH)\.?,?\s+(\d{4})\b"),
        year_month: re(r"\b(\d{4})-(\d{2})\b"),
    }
});

/// Days from 1970-01-01 to a civil date (proleptic Gregorian), or `None` if it does not exist.
pub fn day_of(y: i64, m: u32, d: u32) -> Option<Day> {
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The civil date of a day number: `(year, month, day)`.
pub(crate) fn civil(day: Day) -> (i64, u32, u32) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD` for a day number.
pub fn format(day: Day) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let i = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|p| n.starts_with(p))?;
    Some(i as u32 + 1)
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

/// Parse exactly `YYYY-MM-DD` (the `--today` flag).
pub fn parse_iso(s: &str) -> Option<Day> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if !s
        .chars()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    {
        return None;
    }
    day_of(s[..4].parse().ok()?, num(&s[5..7]), num(&s[8..10]))
}

/// A date found in text: the day, and the byte range of the words it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub day: Day,
    pub start: usize,
    pub end: usize,
}

/// The first date written in `text` (leftmost; at equal position, the most specific reading).
pub fn find(text: &str) -> Option<Found> {
    let p = &*PATTERNS;
    let mut best: Option<(usize, usize, Found)> = None;
    let mut offer = |rank: usize, start: usize, end: usize, day: Option<Day>| {
        if let Some(day) = day {
            let better = match &best {
                None => true,
                Some((s, r, _)) => (start, rank) < (*s, *r),
            };
            if better {
                best = Some((start, rank, Found { day, start, end }));
            }
        }
    };
    for c in p.ymd.captures_iter(text) {
        let m = c.get(0).unwrap();
        offer(
            0,
            m.start(),
            m.end(),
            day_of(c[1].parse().unwrap_or(0), num(&c[2]), num(&c[3])),
        );
    }
    for c in p.dmy_name.captures_iter(text) {
        let m = c.get(0).unwrap();
        let day =
            month_number(&c[2]).and_then(|mo| day_of(c[3].parse().unwrap_or(0), mo, num(&c[1])));
        offer(1, m.start(), m.end(), day);
    }
    for c in p.mdy_name.captures_iter(text) {
        let m = c.get(0).unwrap();
        let day =
            month_number(&c[1]).and_then(|mo| day_of(c[3].parse().unwrap_or(0), mo, num(&c[2])));
        offer(1, m.start(), m.end(), day);
    }
    for c in p.numeric_year_last.captures_iter(text) {
        let m = c.get(0).unwrap();
        let y: i64 = c[3].parse().unwrap_or(0);
        let (a, b) = (num(&c[1]), num(&c[2]));
        let day_first = day_of(y, b, a);
        let month_first = day_of(y, a, b);
        offer(2, m.start(), m.end(), day_first.max(month_first));
    }
    for c in p.month_year.captures_iter(text) {
        let m = c.get(0).unwrap();
        let y: i64 = c[2].parse().unwrap_or(0);
        let day = month_number(&c[1]).and_then(|mo| day_of(y, mo, days_in_month(y, mo)));
        offer(3, m.start(), m.end(), day);
    }
    for c in p.year_month.captures_iter(text) {
        let m = c.get(0).unwrap();
        if text[m.end()..].starts_with(['-', '/', '.']) {
            continue;
        }
        let y: i64 = c[1].parse().unwrap_or(0);
        let mo = num(&c[2]);
        let day = (1..=12)
            .contains(&mo)
            .then(|| day_of(y, mo, days_in_month(y, mo)))
            .flatten();
        offer(4, m.start(), m.end(), day);
    }
    best.map(|(_, _, f)| f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        find(s).map(|f| format(f.day))
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(day_of(1970, 1, 1), Some(0));
        assert_eq!(
            day_of(2025, 9, 30).unwrap() - day_of(2024, 9, 30).unwrap(),
            365
        );
        assert_eq!(
            day_of(2024, 2, 29).map(format).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(day_of(2025, 2, 29), None);
        assert_eq!(day_of(2025, 13, 1), None);
        for day in [-1000, 0, 19_000, 20_361, 60_000] {
            let (y, m, dd) = civil(day);
            assert_eq!(day_of(y, m, dd), Some(day));
        }
    }

    #[test]
    fn formats() {
        let want = Some("2025-09-30".to_string());
        for s in [
            "Last updated: 2025-09-30",
            "2025/09/30",
            "2025.09.30",
            "30 September 2025",
            "30th Sep 2025",
            "September 30, 2025",
            "Sep 30, 2025",
            "Sept. 30th, 2025",
            "sep 30 2025",
            "30/09/2025",
            "09/30/2025",
            "30.09.2025",
            "2025-09-30T10:00:00Z",
            "September 2025",
            "2025-09",
        ] {
            assert_eq!(d(s), want, "{s}");
        }
    }

    #[test]
    fn ambiguous_numeric_dates_take_the_later_reading() {
        assert_eq!(d("03/04/2025").as_deref(), Some("2025-04-03"));
        assert_eq!(d("04/03/2025").as_deref(), Some("2025-04-03"));
    }

    #[test]
    fn not_dates() {
        for s in [
            "Auto-generated from security review",
            "2025-02-30",
            "version 1.2.3",
            "13/13/2025",
            "",
        ] {
            assert_eq!(d(s), None, "{s}");
        }
    }

    #[test]
    fn iso_flag() {
        assert_eq!(parse_iso("2026-10-01"), day_of(2026, 10, 1));
        assert_eq!(parse_iso("2026-1-01"), None);
        assert_eq!(parse_iso("2026-02-30"), None);
        assert_eq!(parse_iso("tomorrow!!"), None);
    }
}
