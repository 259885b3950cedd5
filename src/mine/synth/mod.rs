//! Synthetic Reddit-format dumps with planted persona types, and their ground truth.
//!
//! Users mix two or three archetypes (pluralism). Each archetype has a demographic profile, a
//! block of preferred communities (Zipf popularity inside it), a vocabulary that shows in its
//! comments and a cluster in image-embedding space. The generator writes `RC_YYYY-MM.zst` and
//! `RS_YYYY-MM.zst` (zstd NDJSON with the fields and shapes real dumps have, including noise the
//! ingest must drop: deleted authors, removed bodies, bot comments) into `DIR/reddit/`, and the
//! ground truth into `DIR/truth/`: `users.jsonl` (each user's types, weights and exact
//! per-community interaction counts after filtering), `types.json`, and `images.txt` +
//! `image_embeddings.npy` (one row per image, in `images.txt` order).

mod types;
mod write;

pub use types::{Archetype, ARCHETYPES};

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Result, ZippError};
use crate::mine::fxhash::FxHashMap;
use crate::rng::SplitMix;
use write::{Dump, Record};

/// Settings of a synthetic dump.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    /// Number of users.
    pub users: usize,
    /// Number of communities.
    pub communities: usize,
    /// Interactions that survive filtering (noise comes on top).
    pub interactions: usize,
    /// Number of persona types (at most the number of archetypes, 12).
    pub types: usize,
    /// Seed of everything random.
    pub seed: u64,
    /// The dump's month, `YYYY-MM`.
    pub month: String,
    /// Share of interactions that are submissions (the rest are comments).
    pub submission_share: f64,
    /// Share of submissions that carry images.
    pub image_share: f64,
    /// Extra noise lines per interaction (deleted, removed, bots), dropped by the ingest.
    pub noise_share: f64,
    /// Dimension of the image embeddings.
    pub embedding_dim: usize,
    /// zstd level.
    pub zstd_level: i32,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            users: 20_000,
            communities: 2_000,
            interactions: 400_000,
            types: 8,
            seed: 1,
            month: "2020-01".into(),
            submission_share: 0.15,
            image_share: 0.5,
            noise_share: 0.02,
            embedding_dim: 32,
            zstd_level: 3,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SynthSummary {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Interactions that the ingest should keep.
    pub interactions: u64,
    /// Distinct user-community edges among them.
    pub edges: u64,
    /// Noise lines by kind.
    pub noise: BTreeMap<String, u64>,
    /// Image references written.
    pub images: u64,
    /// Decompressed bytes of the dumps.
    pub bytes: u64,
}

/// One user's ground truth.
#[derive(Debug, Clone, Serialize)]
struct TruthUser<'a> {
    user: &'a str,
    types: Vec<&'static str>,
    weights: Vec<f64>,
    edges: BTreeMap<&'a str, u32>,
}

fn month_start(month: &str) -> Result<i64> {
    crate::mine::ingest::parse_time(&format!("{month}-01")).ok_or_else(|| {
        ZippError::InvalidOptions {
            field: "month".into(),
            message: format!("\"{month}\" is not YYYY-MM"),
        }
    })
}

/// Samples an index from cumulative weights.
fn pick(cumulative: &[f64], rng: &mut SplitMix) -> usize {
    let total = cumulative.last().copied().unwrap_or(0.0);
    let x = rng.unit() * total;
    cumulative
        .partition_point(|c| *c <= x)
        .min(cumulative.len().saturating_sub(1))
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

/// Writes a synthetic dump into `dir/reddit` and its ground truth into `dir/truth`.
pub fn generate(config: &SynthConfig, dir: &Path) -> Result<SynthSummary> {
    let c = config;
    if c.users == 0 || c.communities < c.types.max(1) || c.types == 0 || c.types > ARCHETYPES.len()
    {
        return Err(ZippError::InvalidOptions {
            field: "synth".into(),
            message: format!(
                "need users > 0, 1 <= types <= {} and communities >= types (got {} users, {} communities, {} types)",
                ARCHETYPES.len(),
                c.users,
                c.communities,
                c.types
            ),
        });
    }
    let dumps = dir.join("reddit");
    let truth_dir = dir.join("truth");
    for d in [&dumps, &truth_dir] {
        std::fs::create_dir_all(d).map_err(|e| ZippError::io(d, e))?;
    }
    let start = month_start(&c.month)?;
    let mut rng = SplitMix(c.seed ^ 0x5eed);

    // Communities: a general pool (10%), the rest split into one block per type.
    let general = (c.communities / 10).max(1).min(c.communities - c.types);
    let per_type = (c.communities - general) / c.types;
    let mut comm_names = Vec::with_capacity(c.communities);
    let mut blocks: Vec<Vec<u32>> = vec![Vec::new(); c.types];
    for i in 0..c.communities {
        let block = if i < general {
            None
        } else {
            Some(((i - general) / per_type.max(1)).min(c.types - 1))
        };
        match block {
            None => comm_names.push(format!("general_{i}")),
            Some(t) => {
                blocks[t].push(i as u32);
                comm_names.push(format!("{}_{}", ARCHETYPES[t].name, blocks[t].len()));
            }
        }
    }
    let block_cum: Vec<Vec<f64>> = blocks
        .iter()
        .map(|b| cumulative((0..b.len()).map(|r| 1.0 / (r as f64 + 1.0).powf(1.1))))
        .collect();

    // Users: two or three types with random weights, heavy-tailed activity.
    let mut user_types: Vec<Vec<(usize, f64)>> = Vec::with_capacity(c.users);
    for _ in 0..c.users {
        let k = if c.types < 3 {
            c.types.min(2)
        } else {
            2 + (rng.below(2) as usize)
        };
        let mut ts: Vec<usize> = Vec::new();
        while ts.len() < k {
            let t = rng.below(c.types as u64) as usize;
            if !ts.contains(&t) {
                ts.push(t);
            }
        }
        let raw: Vec<f64> = ts.iter().map(|_| 0.2 + rng.unit()).collect();
        let sum: f64 = raw.iter().sum();
        user_types.push(ts.into_iter().zip(raw.iter().map(|w| w / sum)).collect());
    }
    let activity = cumulative((0..c.users).map(|i| 1.0 / (i as f64 + 1.0).powf(0.6)));
    let user_names: Vec<String> = (0..c.users)
        .map(|i| format!("synth_{:x}_{i}", rng.next_u64() & 0xffff))
        .collect();

    // Embedding centres, one per type.
    let centres: Vec<Vec<f32>> = (0..c.types)
        .map(|_| {
            (0..c.embedding_dim)
                .map(|_| (rng.unit() * 2.0 - 1.0) as f32)
                .collect()
        })
        .collect();

    let rc = dumps.join(format!("RC_{}.zst", c.month));
    let rs = dumps.join(format!("RS_{}.zst", c.month));
    let mut comments = Dump::create(&rc, c.zstd_level)?;
    let mut submissions = Dump::create(&rs, c.zstd_level)?;
    let mut truth: FxHashMap<u64, u32> = FxHashMap::default();
    let mut summary = SynthSummary::default();
    let mut image_urls: Vec<String> = Vec::new();
    let mut embeddings: Vec<f32> = Vec::new();

    for n in 0..c.interactions {
        // Every user gets one interaction first, then activity decides.
        let u = if n < c.users {
            n
        } else {
            pick(&activity, &mut rng)
        };
        let types = &user_types[u];
        let t = types[pick(&cumulative(types.iter().map(|(_, w)| *w)), &mut rng)].0;
        let comm = if rng.unit() < 0.9 {
            blocks[t][pick(&block_cum[t], &mut rng)]
        } else {
            rng.below(general as u64) as u32
        };
        *truth
            .entry(((u as u64) << 32) | u64::from(comm))
            .or_insert(0) += 1;
        let created = start + rng.below(28 * 86_400) as i64;
        let text = write::sentence(&ARCHETYPES[t], &mut rng);
        let mut record = Record {
            author: &user_names[u],
            subreddit: &comm_names[comm as usize],
            text: &text,
            created,
            score: (rng.below(60) as i64) - 5
                + if rng.unit() < 0.05 {
                    rng.below(2000) as i64
                } else {
                    0
                },
            id: rng.next_u64(),
            string_time: rng.unit() < 0.2,
            images: Vec::new(),
            image_style: 0,
        };
        if rng.unit() < c.submission_share {
            if rng.unit() < c.image_share {
                let count = if rng.unit() < 0.3 {
                    2 + rng.below(2) as usize
                } else {
                    1
                };
                record.image_style = if count > 1 { 2 } else { rng.below(2) as u8 };
                for _ in 0..count {
                    let url = match record.image_style {
                        0 => format!("https://i.redd.it/{:013x}.jpg", rng.next_u64() >> 12),
                        _ => format!(
                            "https://preview.redd.it/{:013x}.jpg?width=1080&format=pjpg&s={:016x}",
                            rng.next_u64() >> 12,
                            rng.next_u64()
                        ),
                    };
                    let noise: Vec<f32> = centres[t]
                        .iter()
                        .map(|x| x + (rng.unit() as f32 - 0.5) * 0.6)
                        .collect();
                    let norm = noise.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
                    embeddings.extend(noise.iter().map(|x| x / norm));
                    record.images.push(url.clone());
                    image_urls.push(url);
                }
            }
            submissions.submission(&record)?;
        } else {
            comments.comment(&record)?;
        }
        summary.interactions += 1;

        // Noise the ingest must drop.
        if rng.unit() < c.noise_share {
            let kind = rng.below(3);
            let noise_text = match kind {
                0 => "[deleted]",
                1 => "[removed]",
                _ => "Your post has been removed. I am a bot, and this action was performed automatically.",
            };
            let author = match kind {
                0 => "[deleted]",
                1 => user_names[u].as_str(),
                _ => "AutoModerator",
            };
            let noise = Record {
                author,
                text: noise_text,
                images: Vec::new(),
                ..record.clone()
            };
            comments.comment(&noise)?;
            let name = ["deleted_author", "removed_text", "bots"][kind as usize];
            *summary.noise.entry(name.into()).or_insert(0) += 1;
        }
    }
    summary.bytes = comments.finish()? + submissions.finish()?;
    summary.edges = truth.len() as u64;
    summary.images = image_urls.len() as u64;
    summary.files.push(rc);
    summary.files.push(rs);

    // Ground truth.
    let mut by_user: Vec<BTreeMap<&str, u32>> = vec![BTreeMap::new(); c.users];
    for (k, count) in &truth {
        by_user[(k >> 32) as usize].insert(&comm_names[(*k as u32) as usize], *count);
    }
    let truth_path = truth_dir.join("users.jsonl");
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&truth_path).map_err(|e| ZippError::io(&truth_path, e))?,
    );
    for (u, edges) in by_user.into_iter().enumerate() {
        let t = TruthUser {
            user: &user_names[u],
            types: user_types[u]
                .iter()
                .map(|(t, _)| ARCHETYPES[*t].name)
                .collect(),
            weights: user_types[u]
                .iter()
                .map(|(_, w)| (w * 1000.0).round() / 1000.0)
                .collect(),
            edges,
        };
        let line = serde_json::to_string(&t).map_err(|e| ZippError::json("truth", &e))?;
        writeln!(out, "{line}").map_err(|e| ZippError::io(&truth_path, e))?;
    }
    out.flush().map_err(|e| ZippError::io(&truth_path, e))?;
    summary.files.push(truth_path);

    let types_path = truth_dir.join("types.json");
    let types_json: Vec<serde_json::Value> = (0..c.types)
        .map(|t| {
            let a = &ARCHETYPES[t];
            serde_json::json!({
                "name": a.name, "age_band": a.age_band, "gender": a.gender, "region": a.region,
                "country": a.country, "language": a.language, "vocabulary": a.vocabulary,
                "communities": blocks[t].iter().map(|i| &comm_names[*i as usize]).collect::<Vec<_>>(),
                "embedding_centre": centres[t],
            })
        })
        .collect();
    write_file(
        &types_path,
        serde_json::to_string_pretty(&types_json)
            .unwrap_or_default()
            .as_bytes(),
    )?;
    summary.files.push(types_path);

    let images_path = truth_dir.join("images.txt");
    write_file(&images_path, (image_urls.join("\n") + "\n").as_bytes())?;
    summary.files.push(images_path);
    let npy_path = truth_dir.join("image_embeddings.npy");
    write_file(
        &npy_path,
        &crate::npy::write_f32(&embeddings, image_urls.len(), c.embedding_dim),
    )?;
    summary.files.push(npy_path);
    Ok(summary)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| ZippError::io(path, e))
}
