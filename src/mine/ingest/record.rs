//! One JSON line of a dump, as Reddit (Pushshift, Arctic Shift) or a generic interaction log
//! writes it, parsed without copying and normalized to an [`Interaction`].

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::html::unescape;

/// What kind of record a line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordKind {
    /// A Reddit comment (`body`).
    Comment,
    /// A Reddit submission (`title`, `selftext`).
    Submission,
    /// A generic interaction-log row (`user`, `community`).
    Generic,
}

/// A normalized interaction: who did something where, when, with what text and images.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction<'a> {
    /// The record's kind.
    pub kind: RecordKind,
    /// The user (author).
    pub user: Cow<'a, str>,
    /// The community (subreddit).
    pub community: Cow<'a, str>,
    /// The text (comment body, or title and self-text), possibly empty.
    pub text: Cow<'a, str>,
    /// Whether the text was deleted or removed by its author or a moderator.
    pub text_removed: bool,
    /// Score (0 when absent).
    pub score: i64,
    /// Unix time in seconds (0 when absent).
    pub created: i64,
    /// Marked NSFW.
    pub nsfw: bool,
    /// Image URLs the record links, HTML-unescaped.
    pub images: Vec<String>,
}

/// Unix seconds from an integer, a float, a numeric string (old dumps) or an RFC 3339 string.
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer, a float or a numeric string")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(i64::try_from(v).unwrap_or(i64::MAX)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(v.is_finite().then_some(v as i64))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(super::csv_log::parse_time(v.trim()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_option(V)
}

#[derive(Deserialize)]
struct MediaSource<'a> {
    #[serde(borrow, default)]
    u: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    gif: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct MediaItem<'a> {
    #[serde(borrow, default)]
    s: Option<MediaSource<'a>>,
    #[serde(borrow, default)]
    e: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PreviewSource<'a> {
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct PreviewImage<'a> {
    #[serde(borrow, default)]
    source: Option<PreviewSource<'a>>,
}

#[derive(Deserialize)]
struct Preview<'a> {
    #[serde(borrow, default)]
    images: Vec<PreviewImage<'a>>,
}

/// The fields read from a line; everything else is skipped.
#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow, default)]
    author: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    subreddit: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    body: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    selftext: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    created_utc: Option<i64>,
    #[serde(default, deserialize_with = "lenient_i64")]
    score: Option<i64>,
    #[serde(default)]
    over_18: Option<bool>,
    #[serde(borrow, default)]
    url: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    post_hint: Option<Cow<'a, str>>,
    #[serde(default)]
    is_self: Option<bool>,
    #[serde(default)]
    is_gallery: Option<bool>,
    #[serde(borrow, default)]
    media_metadata: Option<BTreeMap<Cow<'a, str>, Option<MediaItem<'a>>>>,
    #[serde(borrow, default)]
    preview: Option<Preview<'a>>,
    // Generic interaction logs.
    #[serde(borrow, default)]
    user: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    community: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    image: Option<Cow<'a, str>>,
    #[serde(default, deserialize_with = "lenient_i64")]
    timestamp: Option<i64>,
}

/// Why a line could not become an interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Not JSON, or JSON of the wrong shape.
    Json(String),
    /// A required field is missing.
    MissingField(&'static str),
}

fn is_image_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or("");
    lower.starts_with("https://i.redd.it/")
        || lower.starts_with("http://i.redd.it/")
        || [".jpg", ".jpeg", ".png", ".webp", ".gif"]
            .iter()
            .any(|e| path.ends_with(e))
}

/// Image URLs of a submission: a direct image link (`i.redd.it`, `post_hint: image`, an image
/// extension), gallery items (`media_metadata[k].s.u`), else the preview's source image.
fn images(raw: &Raw<'_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if let Some(mm) = &raw.media_metadata {
        if raw.is_gallery.unwrap_or(false) || !mm.is_empty() {
            for item in mm.values().flatten() {
                if item
                    .e
                    .as_deref()
                    .is_some_and(|e| e != "Image" && e != "AnimatedImage")
                {
                    continue;
                }
                if let Some(s) = &item.s {
                    if let Some(u) = s.u.as_deref().or(s.gif.as_deref()) {
                        out.push(unescape(u).into_owned());
                    }
                }
            }
        }
    }
    if out.is_empty() && raw.is_self != Some(true) {
        let hinted = raw.post_hint.as_deref() == Some("image");
        let preview = raw
            .preview
            .as_ref()
            .and_then(|p| p.images.first())
            .and_then(|i| i.source.as_ref())
            .and_then(|s| s.url.as_deref());
        match (raw.url.as_deref(), preview) {
            (Some(url), _) if is_image_url(url) => out.push(unescape(url).into_owned()),
            (_, Some(p)) if hinted => out.push(unescape(p).into_owned()),
            (Some(url), None) if hinted => out.push(unescape(url).into_owned()),
            _ => {}
        }
    }
    if let Some(img) = raw.image.as_deref().filter(|i| !i.is_empty()) {
        out.push(img.to_string());
    }
    out
}

/// Parses one JSON line into an interaction: the fast path, which scans the object once and
/// parses only the members the ingest reads.
pub fn parse_line(line: &str) -> Result<Interaction<'_>, LineError> {
    normalize(scan_raw(line)?)
}

/// Parses one JSON line with serde alone (strict about every member); the reference the fast
/// path is tested against.
pub fn parse_line_strict(line: &str) -> Result<Interaction<'_>, LineError> {
    normalize(serde_json::from_str(line).map_err(|e| LineError::Json(e.to_string()))?)
}

fn field_error(name: &str, e: impl std::fmt::Display) -> LineError {
    LineError::Json(format!("field `{name}`: {e}"))
}

/// A string member: borrowed when it has no escapes, `None` for null.
fn str_member<'a>(name: &str, raw: Option<&'a str>) -> Result<Option<Cow<'a, str>>, LineError> {
    let Some(raw) = raw else { return Ok(None) };
    if raw == "null" {
        return Ok(None);
    }
    let b = raw.as_bytes();
    if b.len() >= 2 && b[0] == b'"' && !b.contains(&b'\\') && !b.iter().any(|c| *c < 0x20) {
        return Ok(Some(Cow::Borrowed(&raw[1..raw.len() - 1])));
    }
    serde_json::from_str::<String>(raw)
        .map(|s| Some(Cow::Owned(s)))
        .map_err(|e| field_error(name, e))
}

fn bool_member(name: &str, raw: Option<&str>) -> Result<Option<bool>, LineError> {
    match raw {
        None | Some("null") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(field_error(
            name,
            format!("expected a boolean, found {other}"),
        )),
    }
}

fn int_member(name: &str, raw: Option<&str>) -> Result<Option<i64>, LineError> {
    match raw {
        None | Some("null") => Ok(None),
        Some(r) if r.starts_with('"') => {
            let s = str_member(name, Some(r))?.unwrap_or_default();
            Ok(super::csv_log::parse_time(s.trim()))
        }
        Some(r) => r
            .parse::<i64>()
            .ok()
            .or_else(|| {
                r.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .map(|f| f as i64)
            })
            .map(Some)
            .ok_or_else(|| field_error(name, format!("expected a number, found {r}"))),
    }
}

fn object_member<'a, T: Deserialize<'a>>(
    name: &str,
    raw: Option<&'a str>,
) -> Result<Option<T>, LineError> {
    match raw {
        None | Some("null") => Ok(None),
        Some(r) => serde_json::from_str(r)
            .map(Some)
            .map_err(|e| field_error(name, e)),
    }
}

/// The members the ingest reads, in [`member_index`] order.
const MEMBERS: [&str; 19] = [
    "author",
    "subreddit",
    "body",
    "title",
    "selftext",
    "created_utc",
    "score",
    "over_18",
    "url",
    "post_hint",
    "is_self",
    "is_gallery",
    "media_metadata",
    "preview",
    "user",
    "community",
    "text",
    "image",
    "timestamp",
];

/// The index of `key` in [`MEMBERS`]: dispatched on length and first byte, so that the dozens of
/// other keys of a dump line cost one comparison each.
fn member_index(key: &str) -> Option<usize> {
    let b = key.as_bytes();
    let i = match (b.len(), *b.first()?) {
        (6, b'a') => 0,
        (9, b's') => 1,
        (4, b'b') => 2,
        (5, b't') => 3,
        (8, b's') => 4,
        (11, b'c') => 5,
        (5, b's') => 6,
        (7, b'o') => 7,
        (3, b'u') => 8,
        (9, b'p') => 9,
        (7, b'i') => 10,
        (10, b'i') => 11,
        (14, b'm') => 12,
        (7, b'p') => 13,
        (4, b'u') => 14,
        (9, b'c') => 15,
        (4, b't') => 16,
        (5, b'i') => 17,
        (9, b't') => 18,
        _ => return None,
    };
    (key == MEMBERS[i]).then_some(i)
}

/// The members the ingest reads, found by one scan of the line.
fn scan_raw(line: &str) -> Result<Raw<'_>, LineError> {
    let mut f: [Option<&str>; 19] = [None; 19];
    super::scan::members(line, |key, value| {
        if let Some(i) = member_index(key) {
            f[i] = Some(value);
        }
    })
    .map_err(|e| LineError::Json(e.to_string()))?;
    Ok(Raw {
        author: str_member("author", f[0])?,
        subreddit: str_member("subreddit", f[1])?,
        body: str_member("body", f[2])?,
        title: str_member("title", f[3])?,
        selftext: str_member("selftext", f[4])?,
        created_utc: int_member("created_utc", f[5])?,
        score: int_member("score", f[6])?,
        over_18: bool_member("over_18", f[7])?,
        url: str_member("url", f[8])?,
        post_hint: str_member("post_hint", f[9])?,
        is_self: bool_member("is_self", f[10])?,
        is_gallery: bool_member("is_gallery", f[11])?,
        media_metadata: object_member("media_metadata", f[12])?,
        preview: object_member("preview", f[13])?,
        user: str_member("user", f[14])?,
        community: str_member("community", f[15])?,
        text: str_member("text", f[16])?,
        image: str_member("image", f[17])?,
        timestamp: int_member("timestamp", f[18])?,
    })
}

fn normalize(raw: Raw<'_>) -> Result<Interaction<'_>, LineError> {
    let images = images(&raw);
    let Raw {
        author,
        subreddit,
        body,
        title,
        selftext,
        created_utc,
        score,
        over_18,
        user,
        community,
        text,
        timestamp,
        ..
    } = raw;
    let (kind, user, community) = match (author, subreddit, user, community) {
        (Some(a), Some(s), _, _) => (
            if body.is_some() {
                RecordKind::Comment
            } else {
                RecordKind::Submission
            },
            a,
            s,
        ),
        (_, _, Some(u), Some(c)) => (RecordKind::Generic, u, c),
        (None, Some(_), _, _) => return Err(LineError::MissingField("author")),
        (Some(_), None, _, _) => return Err(LineError::MissingField("subreddit")),
        (None, None, Some(_), None) => return Err(LineError::MissingField("community")),
        (None, None, None, Some(_)) => return Err(LineError::MissingField("user")),
        (None, None, None, None) => return Err(LineError::MissingField("author")),
    };
    let (text, text_removed) = match kind {
        RecordKind::Comment => {
            let b = body.unwrap_or_default();
            let removed = super::filter::is_removed_text(&b);
            (if removed { Cow::Borrowed("") } else { b }, removed)
        }
        RecordKind::Submission => {
            let t = title.unwrap_or_default();
            let s = selftext.unwrap_or_default();
            let removed = super::filter::is_removed_text(&s) && t.is_empty();
            let text = if s.is_empty() || super::filter::is_removed_text(&s) {
                t
            } else {
                Cow::Owned(format!("{t}\n{s}"))
            };
            (text, removed)
        }
        RecordKind::Generic => (text.unwrap_or_default(), false),
    };
    Ok(Interaction {
        kind,
        user,
        community,
        text,
        text_removed,
        score: score.unwrap_or(0),
        created: created_utc.or(timestamp).unwrap_or(0),
        nsfw: over_18.unwrap_or(false),
        images,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment() {
        let i = parse_line(
            r#"{"author":"kenji","subreddit":"analog","body":"Portra \"400\" at dusk","created_utc":"1420070400","score":12,"link_id":"t3_x","gilded":0}"#,
        )
        .unwrap();
        assert_eq!(i.kind, RecordKind::Comment);
        assert_eq!(
            (i.user.as_ref(), i.community.as_ref(), i.text.as_ref()),
            ("kenji", "analog", "Portra \"400\" at dusk")
        );
        assert_eq!((i.created, i.score), (1_420_070_400, 12));
        assert!(!i.text_removed);
    }

    #[test]
    fn a_submission_with_a_gallery_and_meta() {
        let line = r#"{"_meta":{"retrieved_2nd_on":1},"author":"amara","created_utc":1650000000,"is_gallery":true,
            "media_metadata":{"a1":{"e":"Image","m":"image/jpg","s":{"u":"https://preview.redd.it/a1.jpg?width=640&amp;s=abc","x":640,"y":480},"status":"valid"},
                              "v1":{"e":"RedditVideo","s":null}},
            "over_18":false,"score":3,"selftext":"","subreddit":"streetwear","title":"Ankara fit","url":"https://www.reddit.com/gallery/xyz"}"#;
        let i = parse_line(line).unwrap();
        assert_eq!(i.kind, RecordKind::Submission);
        assert_eq!(i.text, "Ankara fit");
        assert_eq!(
            i.images,
            vec!["https://preview.redd.it/a1.jpg?width=640&s=abc".to_string()]
        );
    }

    #[test]
    fn direct_images_and_previews() {
        let i = parse_line(r#"{"author":"a","subreddit":"s","title":"t","url":"https://i.redd.it/abc.png","is_self":false}"#).unwrap();
        assert_eq!(i.images, vec!["https://i.redd.it/abc.png"]);
        let i = parse_line(
            r#"{"author":"a","subreddit":"s","title":"t","url":"https://imgur.com/abc","post_hint":"image",
                "preview":{"images":[{"source":{"url":"https://external-preview.redd.it/q.jpg?a=1&amp;b=2"}}]}}"#,
        )
        .unwrap();
        assert_eq!(
            i.images,
            vec!["https://external-preview.redd.it/q.jpg?a=1&b=2"]
        );
        let i = parse_line(
            r#"{"author":"a","subreddit":"s","title":"t","url":"https://imgur.com/abc","post_hint":"link",
                "preview":{"images":[{"source":{"url":"https://external-preview.redd.it/q.jpg?a=1&amp;b=2"}}]}}"#,
        )
        .unwrap();
        assert!(i.images.is_empty());
        let i = parse_line(r#"{"author":"a","subreddit":"s","title":"t","selftext":"hello","is_self":true,"url":"https://reddit.com/r/s/x"}"#).unwrap();
        assert_eq!((i.text.as_ref(), i.images.len()), ("t\nhello", 0));
    }

    #[test]
    fn removed_bodies_and_generic_rows() {
        let i = parse_line(r#"{"author":"a","subreddit":"s","body":"[removed]"}"#).unwrap();
        assert!(i.text_removed && i.text.is_empty());
        let g = parse_line(
            r#"{"user":"u1","community":"c9","text":"hi","image":"/img/1.png","timestamp":5}"#,
        )
        .unwrap();
        assert_eq!(
            (g.kind, g.created, g.images.len()),
            (RecordKind::Generic, 5, 1)
        );
    }

    #[test]
    fn member_indices_match_names() {
        for (i, name) in MEMBERS.iter().enumerate() {
            assert_eq!(member_index(name), Some(i), "{name}");
        }
        for other in ["authors", "sub", "", "bodx", "scorE", "gilded", "permalink"] {
            assert_eq!(member_index(other), None, "{other}");
        }
    }

    #[test]
    fn the_fast_path_equals_serde() {
        let lines = [
            r#"{"author":"k","subreddit":"s","body":"a \"q\" \u00e9\n","created_utc":"1420070400","score":-3,"gildings":{"x":[1,{"y":"}"}]}}"#,
            r#"{"author":"k","subreddit":"s","title":"t","selftext":"[removed]","created_utc":1.6e9,"over_18":true}"#,
            r#"{"_meta":{"a":1},"author":"a","created_utc":1650000000,"is_gallery":true,"media_metadata":{"a1":{"e":"Image","s":{"u":"https://p/a.jpg?x=1&amp;y=2"}}},"subreddit":"s","title":"g","url":"https://www.reddit.com/gallery/x"}"#,
            r#"{"author":"a","subreddit":"s","title":"t","url":"https://imgur.com/abc","post_hint":"image","preview":{"images":[{"source":{"url":"https://e/q.jpg?a=1&amp;b=2"}}]}}"#,
            r#"{"user":"u","community":"c","text":"t","image":"/i.png","timestamp":"2021-05-02T10:00:00Z"}"#,
            r#"{"author":null,"subreddit":"s","body":"x"}"#,
            r#"{"author":"a","subreddit":"s","body":"x","score":null,"created_utc":null}"#,
        ];
        for line in lines {
            assert_eq!(parse_line(line), parse_line_strict(line), "{line}");
        }
        for bad in [
            "not json",
            "{\"author\":\"a\",\"subreddit\":3}",
            "{\"author\":\"a\",\"over_18\":\"yes\",\"subreddit\":\"s\"}",
        ] {
            assert!(
                parse_line(bad).is_err() && parse_line_strict(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn broken_lines() {
        assert!(matches!(
            parse_line("{\"author\": "),
            Err(LineError::Json(_))
        ));
        assert_eq!(
            parse_line(r#"{"subreddit":"s","body":"x"}"#),
            Err(LineError::MissingField("author"))
        );
        assert_eq!(
            parse_line(r#"{"author":"a","body":"x"}"#),
            Err(LineError::MissingField("subreddit"))
        );
        assert!(matches!(parse_line("[1,2]"), Err(LineError::Json(_))));
    }
}
