//! Settings of an ingest run.

use super::filter::BotFilter;

/// What is kept, how much of it, and how the hold-out split is drawn.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Users with fewer interactions are dropped (after the other filters; default 1).
    pub min_user_interactions: u32,
    /// Communities with fewer distinct users are dropped (default 1). Dropping users and
    /// communities repeats until both thresholds hold.
    pub min_community_users: u32,
    /// Records before this Unix time are dropped.
    pub since: Option<i64>,
    /// Records at or after this Unix time are dropped.
    pub until: Option<i64>,
    /// Drop records marked `over_18`.
    pub exclude_nsfw: bool,
    /// Bot accounts to drop.
    pub bots: BotFilter,
    /// Lines longer than this many bytes are skipped and counted (default 1 MiB).
    pub max_line_bytes: usize,
    /// Stop at the first bad line instead of counting it.
    pub strict: bool,
    /// Most snippets kept per user and community (default 3).
    pub snippets_per_edge: usize,
    /// Snippets kept per user in all (default 48): the highest-scoring ones under both caps.
    pub snippets_per_user: usize,
    /// Snippets are cut to this many characters (default 1,000).
    pub snippet_max_chars: usize,
    /// Image references kept per user (default 64).
    pub images_per_user: usize,
    /// Share of each user's communities held out for link prediction (default 0.2; users with
    /// one community keep it).
    pub holdout_fraction: f64,
    /// Seed of the hold-out split.
    pub seed: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            min_user_interactions: 1,
            min_community_users: 1,
            since: None,
            until: None,
            exclude_nsfw: false,
            bots: BotFilter::default(),
            max_line_bytes: 1 << 20,
            strict: false,
            snippets_per_edge: 3,
            snippets_per_user: 48,
            snippet_max_chars: 1000,
            images_per_user: 64,
            holdout_fraction: 0.2,
            seed: 0,
        }
    }
}
