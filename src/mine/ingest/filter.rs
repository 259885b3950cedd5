//! Which records are dropped: deleted or removed authors and bodies, bot accounts, NSFW, time.

use std::collections::HashSet;

/// Accounts known to be bots on Reddit, dropped by default.
pub const DEFAULT_BOTS: &[&str] = &[
    "AutoModerator",
    "BotDefense",
    "RepostSleuthBot",
    "RemindMeBot",
    "SaveVideo",
    "savevideobot",
    "WikiTextBot",
    "sneakpeekbot",
    "B0tRank",
    "GifReversingBot",
    "LinkifyBot",
    "TweetPoster",
    "Paywall-Bot",
    "same_post_bot",
    "haikusbot",
    "timezone_bot",
    "converter-bot",
    "MAGIC_EYE_BOT",
    "VredditDownloader",
    "stabbot",
    "transcribot",
    "nice-scores",
    "Anti-Evil Operations",
];

/// The bot filter: a name list plus the suffix rule (names ending in `bot` after `_` or `-`,
/// or in `Bot` after a lower-case letter, e.g. `weather_bot`, `SummarizeBot`).
#[derive(Debug, Clone)]
pub struct BotFilter {
    names: HashSet<String>,
    suffix_rule: bool,
}

impl Default for BotFilter {
    fn default() -> Self {
        Self::new(DEFAULT_BOTS.iter().map(|s| s.to_string()), true)
    }
}

impl BotFilter {
    /// A filter for `names` (compared case-insensitively), with or without the suffix rule.
    pub fn new(names: impl IntoIterator<Item = String>, suffix_rule: bool) -> Self {
        Self {
            names: names.into_iter().map(|n| n.to_ascii_lowercase()).collect(),
            suffix_rule,
        }
    }

    /// Adds names to the list.
    pub fn extend(&mut self, names: impl IntoIterator<Item = String>) {
        self.names
            .extend(names.into_iter().map(|n| n.to_ascii_lowercase()));
    }

    /// Whether `author` is a bot.
    pub fn is_bot(&self, author: &str) -> bool {
        if self.suffix_rule {
            let lower_bot = author.len() > 4
                && (author.ends_with("_bot")
                    || author.ends_with("-bot")
                    || author.ends_with("_Bot"));
            let camel_bot = author.len() > 3
                && author.ends_with("Bot")
                && author[..author.len() - 3]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_lowercase());
            if lower_bot || camel_bot {
                return true;
            }
        }
        if self.names.is_empty() {
            return false;
        }
        // Lower-case into a stack buffer: this runs once per record.
        let mut buf = [0u8; 64];
        match author.as_bytes() {
            b if b.len() <= buf.len() => {
                let lower = &mut buf[..b.len()];
                lower.copy_from_slice(b);
                lower.make_ascii_lowercase();
                std::str::from_utf8(lower).is_ok_and(|l| self.names.contains(l))
            }
            _ => self.names.contains(&author.to_ascii_lowercase()),
        }
    }
}

/// Whether an author name means the account is gone.
pub fn is_deleted_author(author: &str) -> bool {
    matches!(author, "" | "[deleted]" | "[removed]" | "[unavailable]")
}

/// Whether a body or self-text was deleted or removed.
pub fn is_removed_text(text: &str) -> bool {
    matches!(
        text.trim(),
        "[deleted]" | "[removed]" | "[ Removed by Reddit ]" | "[removed by reddit]"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bots_by_list_and_suffix() {
        let f = BotFilter::default();
        assert!(f.is_bot("AutoModerator"));
        assert!(f.is_bot("automoderator"));
        assert!(f.is_bot("weather_bot"));
        assert!(f.is_bot("SummarizeBot"));
        assert!(!f.is_bot("abbot"));
        assert!(!f.is_bot("Robot"));
        assert!(!f.is_bot("kenji_osaka"));
        let none = BotFilter::new(Vec::new(), false);
        assert!(!none.is_bot("weather_bot"));
    }

    #[test]
    fn deleted_markers() {
        assert!(is_deleted_author("[deleted]"));
        assert!(!is_deleted_author("deleted_user_42"));
        assert!(is_removed_text(" [removed] "));
        assert!(!is_removed_text("I removed the lens cap"));
    }
}
