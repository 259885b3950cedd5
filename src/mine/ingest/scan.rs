//! A fast scanner over the top-level members of one JSON object, for dump lines.
//!
//! Reddit lines carry 40 to 100 fields of which the ingest reads about ten. The scanner walks the
//! object once, skipping values it is not asked about with `memchr` over strings and a depth
//! count over nested objects and arrays, and hands back the exact text of each member's value.
//! The values the ingest uses are then parsed strictly; values it skips are checked only for
//! structure (balanced brackets and strings), which is what makes it fast.

/// Why a line is not a JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanError {
    /// Byte offset of the problem.
    pub at: usize,
    /// What was expected there.
    pub expected: &'static str,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {} at byte {}", self.expected, self.at)
    }
}

fn err(at: usize, expected: &'static str) -> ScanError {
    ScanError { at, expected }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    i
}

/// Index just past the string that starts at `i` (at its opening quote).
fn skip_string(b: &[u8], i: usize) -> Result<usize, ScanError> {
    let mut j = i + 1;
    loop {
        if j >= b.len() {
            return Err(err(b.len(), "the end of a string"));
        }
        match memchr::memchr2(b'"', b'\\', &b[j..]) {
            None => return Err(err(b.len(), "the end of a string")),
            Some(k) if b[j + k] == b'\\' => j += k + 2,
            Some(k) => return Ok(j + k + 1),
        }
    }
}

/// Index just past the value that starts at `i`.
fn skip_value(b: &[u8], i: usize) -> Result<usize, ScanError> {
    match b.get(i) {
        None => Err(err(i, "a value")),
        Some(b'"') => skip_string(b, i),
        Some(b'{') | Some(b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            Err(err(b.len(), "the end of an object or array"))
        }
        Some(c) if c.is_ascii_digit() || *c == b'-' || *c == b't' || *c == b'f' || *c == b'n' => {
            let mut j = i + 1;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n')
            {
                j += 1;
            }
            Ok(j)
        }
        Some(_) => Err(err(i, "a value")),
    }
}

/// Calls `member(key, value)` for each top-level member of the object in `line`, where `key` is
/// the raw key text (without quotes) and `value` the exact JSON text of the value.
pub fn members<'a>(
    line: &'a str,
    mut member: impl FnMut(&'a str, &'a str),
) -> Result<(), ScanError> {
    let b = line.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return Err(err(i, "`{`"));
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return Err(err(i, "a key"));
            }
            let key_end = skip_string(b, i)?;
            let key = &line[i + 1..key_end - 1];
            i = skip_ws(b, key_end);
            if b.get(i) != Some(&b':') {
                return Err(err(i, "`:`"));
            }
            let start = skip_ws(b, i + 1);
            let end = skip_value(b, start)?;
            member(key, &line[start..end]);
            i = skip_ws(b, end);
            match b.get(i) {
                Some(b',') => i = skip_ws(b, i + 1),
                Some(b'}') => {
                    i += 1;
                    break;
                }
                _ => return Err(err(i, "`,` or `}`")),
            }
        }
    }
    if skip_ws(b, i) != b.len() {
        return Err(err(i, "the end of the line"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(line: &str) -> Result<Vec<(&str, &str)>, ScanError> {
        let mut v = Vec::new();
        members(line, |k, x| v.push((k, x)))?;
        Ok(v)
    }

    #[test]
    fn members_and_raw_values() {
        let line = r#" {"a": "x\"}y", "b" : {"c": [1, "]}", {"d": null}]}, "e":-1.5e3,"f":true, "g":[] } "#;
        assert_eq!(
            collect(line).unwrap(),
            vec![
                ("a", r#""x\"}y""#),
                ("b", r#"{"c": [1, "]}", {"d": null}]}"#),
                ("e", "-1.5e3"),
                ("f", "true"),
                ("g", "[]")
            ]
        );
        assert_eq!(collect("{}").unwrap(), vec![]);
    }

    #[test]
    fn broken_lines_are_errors() {
        for bad in [
            "",
            "[1]",
            "{\"a\":\"x\\",
            "{\"a\\",
            "{\"a\":1",
            "{\"a\" 1}",
            "{\"a\":\"x}",
            "{\"a\":{\"b\":1}",
            "{\"a\":1} x",
            "{a:1}",
            "{\"a\":1,}",
        ] {
            assert!(collect(bad).is_err(), "{bad:?} should not scan");
        }
    }
}
