//! HTML entity unescaping for URLs in Reddit dumps (`preview` and `media_metadata` URLs come
//! HTML-escaped: `&amp;` for `&`).

use std::borrow::Cow;

/// `s` with `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`/`&#x27;` and numeric entities decoded.
pub fn unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode() {
        assert_eq!(
            unescape("https://p.x/a.jpg?w=1&amp;s=2"),
            "https://p.x/a.jpg?w=1&s=2"
        );
        assert_eq!(unescape("&lt;b&gt; &#39;q&#x27; &quot;"), "<b> 'q' \"");
        assert_eq!(unescape("AT&T & co"), "AT&T & co");
        assert!(matches!(unescape("plain"), Cow::Borrowed(_)));
    }
}
