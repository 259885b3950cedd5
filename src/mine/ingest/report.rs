//! What an ingest run read, kept and dropped, with the first bad lines named.

use serde::Serialize;

/// How many bad lines are named individually.
pub const MAX_SAMPLES: usize = 10;

/// One bad line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadLine {
    /// The file.
    pub file: String,
    /// 1-based line number (0 for stream errors).
    pub line: u64,
    /// What was wrong.
    pub reason: String,
}

/// Counters of an ingest run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Files read.
    pub files: u64,
    /// Compressed (on-disk) bytes of those files.
    pub bytes_on_disk: u64,
    /// Decompressed bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines: u64,
    /// Interactions kept.
    pub kept: u64,
    /// Lines that were not JSON (or CSV rows that did not parse).
    pub malformed: u64,
    /// Lines that were not UTF-8.
    pub invalid_utf8: u64,
    /// Lines over the length cap.
    pub too_long: u64,
    /// Records without a user or community.
    pub missing_field: u64,
    /// Records whose author was deleted.
    pub deleted_author: u64,
    /// Records whose text was deleted or removed.
    pub removed_text: u64,
    /// Records by bots.
    pub bots: u64,
    /// Records marked NSFW (when excluded).
    pub nsfw: u64,
    /// Records outside the time range.
    pub out_of_range: u64,
    /// Files whose stream broke (truncated or corrupt zstd, read errors).
    pub broken_files: u64,
    /// The first bad lines and broken streams.
    pub samples: Vec<BadLine>,
    /// Users dropped by the activity threshold.
    pub users_below_threshold: u64,
    /// Communities dropped by the activity threshold.
    pub communities_below_threshold: u64,
}

impl IngestReport {
    /// Records a bad line.
    pub fn sample(&mut self, file: &str, line: u64, reason: impl Into<String>) {
        if self.samples.len() < MAX_SAMPLES {
            self.samples.push(BadLine {
                file: file.to_string(),
                line,
                reason: reason.into(),
            });
        }
    }

    /// Lines that could not be used at all.
    pub fn bad_lines(&self) -> u64 {
        self.malformed + self.invalid_utf8 + self.too_long + self.missing_field
    }
}
