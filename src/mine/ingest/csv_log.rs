//! CSV interaction logs: a header row naming `user` and `community`, optionally `text`, `image`,
//! `timestamp` (Unix seconds or RFC 3339) and `score`; other columns are ignored.

use std::borrow::Cow;

use super::record::{Interaction, LineError, RecordKind};

/// Column positions from the header row.
#[derive(Debug, Clone, Copy)]
pub struct Columns {
    user: usize,
    community: usize,
    text: Option<usize>,
    image: Option<usize>,
    timestamp: Option<usize>,
    score: Option<usize>,
}

impl Columns {
    /// Finds the columns in a header row (case-insensitive); `None` names the missing column.
    pub fn from_header(header: &csv::StringRecord) -> Result<Self, &'static str> {
        let find = |name: &str| {
            header
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        Ok(Self {
            user: find("user").ok_or("user")?,
            community: find("community").ok_or("community")?,
            text: find("text"),
            image: find("image"),
            timestamp: find("timestamp"),
            score: find("score"),
        })
    }

    /// The interaction in one row.
    pub fn parse<'a>(&self, row: &'a csv::StringRecord) -> Result<Interaction<'a>, LineError> {
        let get = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let user = get(Some(self.user)).ok_or(LineError::MissingField("user"))?;
        let community = get(Some(self.community)).ok_or(LineError::MissingField("community"))?;
        let created = match get(self.timestamp) {
            None => 0,
            Some(t) => parse_time(t).ok_or_else(|| {
                LineError::Json(format!(
                    "timestamp \"{t}\" is neither Unix seconds nor RFC 3339"
                ))
            })?,
        };
        Ok(Interaction {
            kind: RecordKind::Generic,
            user: Cow::Borrowed(user),
            community: Cow::Borrowed(community),
            text: Cow::Borrowed(get(self.text).unwrap_or("")),
            text_removed: false,
            score: get(self.score).and_then(|s| s.parse().ok()).unwrap_or(0),
            created,
            nsfw: false,
            images: get(self.image)
                .map(|i| vec![i.to_string()])
                .unwrap_or_default(),
        })
    }
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix seconds from `1420070400`, `1420070400.5`, `2015-01-01`, `2015-01-01T00:00:00Z` or
/// `2015-01-01 00:00:00+02:00`.
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if let Ok(f) = s.parse::<f64>() {
        return f.is_finite().then_some(f as i64);
    }
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) * 86_400;
    if b.len() == 10 {
        return Some(secs);
    }
    if b.len() < 19 || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    secs += num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let mut rest = &s[19..];
    if let Some(r) = rest.strip_prefix('.') {
        rest = r.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    match rest {
        "" | "Z" | "z" => Some(secs),
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            let off = tz[1..3].parse::<i64>().ok()? * 3600 + tz[4..6].parse::<i64>().ok()? * 60;
            Some(secs - sign * off)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(parse_time("1420070400"), Some(1_420_070_400));
        assert_eq!(parse_time("2015-01-01"), Some(1_420_070_400));
        assert_eq!(parse_time("2015-01-01T00:00:00Z"), Some(1_420_070_400));
        assert_eq!(parse_time("2015-01-01 02:00:00+02:00"), Some(1_420_070_400));
        assert_eq!(parse_time("2024-02-29T12:30:15.250Z"), Some(1_709_209_815));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2015-13-01"), None);
    }

    #[test]
    fn rows() {
        let header =
            csv::StringRecord::from(vec!["Timestamp", "user", "community", "text", "extra"]);
        let cols = Columns::from_header(&header).unwrap();
        let row = csv::StringRecord::from(vec!["2015-01-01", "u1", "c1", "hello, world", "x"]);
        let i = cols.parse(&row).unwrap();
        assert_eq!(
            (
                i.user.as_ref(),
                i.community.as_ref(),
                i.text.as_ref(),
                i.created
            ),
            ("u1", "c1", "hello, world", 1_420_070_400)
        );
        let missing = csv::StringRecord::from(vec!["5", "", "c1", "", ""]);
        assert_eq!(cols.parse(&missing), Err(LineError::MissingField("user")));
        assert_eq!(
            Columns::from_header(&csv::StringRecord::from(vec!["user"])).unwrap_err(),
            "community"
        );
    }
}
