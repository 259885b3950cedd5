//! Writing synthetic records the way Reddit dumps hold them.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::types::{Archetype, FILLER};
use crate::error::{Result, ZippError};
use crate::rng::SplitMix;

/// One record to write.
#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub author: &'a str,
    pub subreddit: &'a str,
    pub text: &'a str,
    pub created: i64,
    pub score: i64,
    pub id: u64,
    /// Write `created_utc` as a string, as old dumps do.
    pub string_time: bool,
    pub images: Vec<String>,
    /// 0: direct i.redd.it link; 1: preview only; 2: gallery.
    pub image_style: u8,
}

/// A zstd NDJSON dump being written.
pub struct Dump {
    path: PathBuf,
    out: zstd::stream::write::Encoder<'static, BufWriter<File>>,
    line: Vec<u8>,
    bytes: u64,
}

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn id36(mut n: u64) -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    for _ in 0..7 {
        s.push(D[(n % 36) as usize]);
        n /= 36;
    }
    String::from_utf8(s).unwrap_or_default()
}

impl Dump {
    /// Creates `path`.
    pub fn create(path: &Path, level: i32) -> Result<Self> {
        let file = File::create(path).map_err(|e| ZippError::io(path, e))?;
        let mut out = zstd::stream::write::Encoder::new(BufWriter::new(file), level)
            .map_err(|e| ZippError::io(path, e))?;
        // Reddit dumps are compressed with a long window; readers must accept one.
        out.long_distance_matching(true)
            .map_err(|e| ZippError::io(path, e))?;
        out.window_log(27).map_err(|e| ZippError::io(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            out,
            line: Vec::with_capacity(2048),
            bytes: 0,
        })
    }

    fn emit(&mut self) -> Result<()> {
        self.line.push(b'\n');
        self.bytes += self.line.len() as u64;
        self.out
            .write_all(&self.line)
            .map_err(|e| ZippError::io(&self.path, e))?;
        self.line.clear();
        Ok(())
    }

    fn time(r: &Record<'_>) -> String {
        if r.string_time {
            format!("\"{}\"", r.created)
        } else {
            r.created.to_string()
        }
    }

    /// Writes a comment with the fields of a 2020-era dump line.
    pub fn comment(&mut self, r: &Record<'_>) -> Result<()> {
        let id = id36(r.id);
        let _ = write!(
            self.line,
            "{{\"all_awardings\":[],\"associated_award\":null,\"author\":{a},\"author_flair_background_color\":null,\
\"author_flair_css_class\":null,\"author_flair_richtext\":[],\"author_flair_template_id\":null,\"author_flair_text\":null,\
\"author_flair_text_color\":null,\"author_flair_type\":\"text\",\"author_fullname\":\"t2_{id}\",\"author_patreon_flair\":false,\
\"author_premium\":false,\"awarders\":[],\"body\":{b},\"collapsed_because_crowd_control\":null,\"controversiality\":0,\
\"created_utc\":{t},\"distinguished\":null,\"edited\":false,\"gilded\":0,\"gildings\":{{}},\"id\":\"{id}\",\
\"is_submitter\":false,\"link_id\":\"t3_{id}\",\"locked\":false,\"no_follow\":true,\"parent_id\":\"t3_{id}\",\
\"permalink\":\"/r/{s_raw}/comments/{id}/x/{id}/\",\"retrieved_on\":{ret},\"score\":{score},\"send_replies\":true,\
\"stickied\":false,\"subreddit\":{s},\"subreddit_id\":\"t5_{id}\",\"subreddit_name_prefixed\":\"r/{s_raw}\",\
\"subreddit_type\":\"public\",\"top_awarded_type\":null,\"total_awards_received\":0,\"treatment_tags\":[]}}",
            a = js(r.author),
            b = js(r.text),
            t = Self::time(r),
            s = js(r.subreddit),
            s_raw = r.subreddit,
            ret = r.created + 3600,
            score = r.score,
        );
        self.emit()
    }

    /// Writes a submission; images as a direct link, a preview or a gallery.
    pub fn submission(&mut self, r: &Record<'_>) -> Result<()> {
        let id = id36(r.id);
        let (url, hint, gallery, media, preview) = match (r.images.first(), r.image_style) {
            (None, _) => (format!("https://www.reddit.com/r/{}/comments/{id}/", r.subreddit), "self", false, "null".to_string(), "null".to_string()),
            (Some(u), 0) => (u.clone(), "image", false, "null".into(), "null".into()),
            (Some(u), 1) => (
                format!("https://imgur.com/{id}"),
                "image",
                false,
                "null".into(),
                format!("{{\"enabled\":true,\"images\":[{{\"id\":\"{id}\",\"resolutions\":[],\"source\":{{\"height\":1080,\"url\":{},\"width\":1440}},\"variants\":{{}}}}]}}", js(&u.replace('&', "&amp;"))),
            ),
            (Some(_), _) => {
                let items: Vec<String> = r
                    .images
                    .iter()
                    .enumerate()
                    .map(|(k, u)| {
                        format!(
                            "\"m{k}{id}\":{{\"e\":\"Image\",\"id\":\"m{k}{id}\",\"m\":\"image/jpg\",\"p\":[],\"s\":{{\"u\":{},\"x\":1080,\"y\":1350}},\"status\":\"valid\"}}",
                            js(&u.replace('&', "&amp;"))
                        )
                    })
                    .collect();
                (format!("https://www.reddit.com/gallery/{id}"), "", true, format!("{{{}}}", items.join(",")), "null".into())
            }
        };
        let is_self = r.images.is_empty();
        let (title, selftext) = match r.text.split_once(". ") {
            Some((t, s)) if is_self => (t.to_string(), s.to_string()),
            _ => (r.text.to_string(), String::new()),
        };
        let hint_field = if hint.is_empty() {
            String::new()
        } else {
            format!("\"post_hint\":\"{hint}\",")
        };
        let _ = write!(
            self.line,
            "{{\"_meta\":{{\"retrieved_2nd_on\":{ret}}},\"all_awardings\":[],\"allow_live_comments\":false,\"archived\":false,\
\"author\":{a},\"author_flair_css_class\":null,\"author_flair_text\":null,\"author_fullname\":\"t2_{id}\",\
\"can_gild\":true,\"category\":null,\"contest_mode\":false,\"created_utc\":{t},\"domain\":\"reddit.com\",\
\"gilded\":0,\"hidden\":false,\"id\":\"{id}\",\"is_gallery\":{gallery},\"is_self\":{is_self},\"is_video\":false,\
\"link_flair_text\":null,\"locked\":false,\"media\":null,\"media_metadata\":{media},\"num_comments\":{nc},\
\"over_18\":false,\"permalink\":\"/r/{s_raw}/comments/{id}/x/\",{hint_field}\"preview\":{preview},\"score\":{score},\
\"selftext\":{st},\"spoiler\":false,\"stickied\":false,\"subreddit\":{s},\"subreddit_id\":\"t5_{id}\",\
\"subreddit_subscribers\":1000,\"thumbnail\":\"default\",\"title\":{ti},\"upvote_ratio\":0.97,\"url\":{u}}}",
            ret = r.created + 86_400,
            a = js(r.author),
            t = Self::time(r),
            nc = r.score.max(0) / 3,
            s_raw = r.subreddit,
            score = r.score,
            st = js(&selftext),
            s = js(r.subreddit),
            ti = js(&title),
            u = js(&url),
        );
        self.emit()
    }

    /// Ends the zstd stream; returns the decompressed bytes written.
    pub fn finish(self) -> Result<u64> {
        let path = self.path;
        let mut inner = self.out.finish().map_err(|e| ZippError::io(&path, e))?;
        inner.flush().map_err(|e| ZippError::io(&path, e))?;
        Ok(self.bytes)
    }
}

/// A comment of 8 to 20 words mixing the archetype's vocabulary with filler.
pub fn sentence(a: &Archetype, rng: &mut SplitMix) -> String {
    let n = 8 + rng.below(13) as usize;
    let mut words: Vec<&str> = Vec::with_capacity(n);
    for i in 0..n {
        let w = if rng.unit() < 0.4 {
            a.vocabulary[rng.below(a.vocabulary.len() as u64) as usize]
        } else {
            FILLER[rng.below(FILLER.len() as u64) as usize]
        };
        words.push(w);
        if i == n / 2 && rng.unit() < 0.3 {
            words.push("\"quoted\"");
        }
    }
    let mut s = words.join(" ");
    s.push('.');
    if rng.unit() < 0.2 {
        s.push_str(" Also: ünïcödé ✨ and a second line\nhere.");
    }
    s
}
