//! The paper's evaluation table from a manifest: per method CLIPScore, Image-Align, CMMD, the
//! demographic aggregate raw and IPF-reweighted with its change, and the win rate against a
//! baseline method with an exact binomial p-value; per-group breakdowns.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::manifest::ManifestRow;
use super::{
    clip_score_torchmetrics, cmmd, cosine, image_align, rake, weighted_mean, Margin, RakeOptions,
    WinRate,
};
use crate::clip::ClipModel;
use crate::error::{Result, ZippError};

/// One method's figures.
#[derive(Debug, Clone, Serialize)]
pub struct MethodReport {
    /// The method.
    pub method: String,
    /// Rows evaluated.
    pub rows: usize,
    /// CLIPScore x100 of image against prompt (torchmetrics: mean, then clamped at 0).
    pub clip_score: f64,
    /// Mean over rows of the mean cosine to the user's references, x100 (rows with references).
    pub image_align_mean: Option<f64>,
    /// Mean over rows of the highest cosine to a reference, x100.
    pub image_align_max: Option<f64>,
    /// CMMD between all the method's images and all its users' references (lower is better).
    pub cmmd: Option<f64>,
    /// CLIPScore aggregate, plain mean of the per-row 100 x cosine.
    pub raw: f64,
    /// The same, weighted to the demographic margins by IPF (absent without margins).
    pub ipf: Option<f64>,
    /// `100 * (ipf - raw) / raw`.
    pub delta_percent: Option<f64>,
    /// Against the baseline method, per (user, prompt): higher CLIPScore wins.
    pub win_rate: Option<WinRate>,
    /// Mean per-row CLIPScore x100 by variable and category.
    pub groups: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Embeddings of files: images through CLIP, `.npy` read as vectors; normalized, memoized.
struct Embedder<'a> {
    clip: Option<&'a ClipModel>,
    memo: HashMap<PathBuf, Vec<f32>>,
}

impl Embedder<'_> {
    fn get(&mut self, path: &Path) -> Result<Vec<f32>> {
        if let Some(v) = self.memo.get(path) {
            return Ok(v.clone());
        }
        let v = if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
        {
            let m = crate::npy::read(path)?;
            let mut v = m.data;
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            if n > 0.0 {
                v.iter_mut().for_each(|x| *x /= n);
            }
            v
        } else {
            let clip = self.clip.ok_or_else(|| ZippError::InvalidOptions {
                field: "clip".into(),
                message: format!(
                    "{} is an image: a CLIP model folder is needed (--clip)",
                    path.display()
                ),
            })?;
            clip.embed_image_files(&[path])?.remove(0)
        };
        self.memo.insert(path.to_path_buf(), v.clone());
        Ok(v)
    }
}

/// Evaluates `rows`: prompts and images are embedded with `clip` (images given as `.npy` need
/// no model, prompts always do); `margins` turns on the IPF aggregate; `baseline` names the
/// method others are compared with. `progress` gets (rows done, rows).
pub fn evaluate(
    rows: &[ManifestRow],
    clip: &ClipModel,
    margins: &[Margin],
    baseline: Option<&str>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<MethodReport>> {
    let mut embed = Embedder {
        clip: Some(clip),
        memo: HashMap::new(),
    };
    let mut prompts: HashMap<&str, Vec<f32>> = HashMap::new();
    let mut per_row = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let image = embed.get(&r.image)?;
        if !prompts.contains_key(r.prompt.as_str()) {
            prompts.insert(&r.prompt, clip.embed_texts(&[&r.prompt])?.remove(0));
        }
        let refs = r
            .references
            .iter()
            .map(|p| embed.get(p))
            .collect::<Result<Vec<_>>>()?;
        if image.len() != clip.dim() || refs.iter().any(|v| v.len() != clip.dim()) {
            return Err(ZippError::InvalidInput {
                file: r.image.display().to_string(),
                line: i as u64 + 1,
                message: format!("embeddings must have the model's {} dimensions", clip.dim()),
            });
        }
        per_row.push((image, refs));
        progress(i + 1, rows.len());
    }
    let cs_row: Vec<f64> = rows
        .iter()
        .zip(&per_row)
        .map(|(r, (img, _))| 100.0 * cosine(img, &prompts[r.prompt.as_str()]))
        .collect();
    let mut methods: Vec<&str> = Vec::new();
    for r in rows {
        if !methods.contains(&r.method.as_str()) {
            methods.push(&r.method);
        }
    }
    let base_scores: HashMap<(&str, &str), f64> = match baseline {
        Some(b) => rows
            .iter()
            .zip(&cs_row)
            .filter(|(r, _)| r.method == b)
            .map(|(r, s)| ((r.user.as_str(), r.prompt.as_str()), *s))
            .collect(),
        None => HashMap::new(),
    };
    if let Some(b) = baseline {
        if base_scores.is_empty() {
            return Err(ZippError::InvalidOptions {
                field: "baseline".into(),
                message: format!("no rows of method \"{b}\""),
            });
        }
    }
    methods
        .iter()
        .map(|m| {
            let idx: Vec<usize> = (0..rows.len()).filter(|i| rows[*i].method == *m).collect();
            let pairs: Vec<(&[f32], &[f32])> = idx
                .iter()
                .map(|i| {
                    (
                        per_row[*i].0.as_slice(),
                        prompts[rows[*i].prompt.as_str()].as_slice(),
                    )
                })
                .collect();
            let align: Vec<_> = idx
                .iter()
                .filter_map(|i| {
                    let refs: Vec<&[f32]> = per_row[*i].1.iter().map(Vec::as_slice).collect();
                    image_align(&per_row[*i].0, &refs)
                })
                .collect();
            let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
            let images: Vec<f32> = idx
                .iter()
                .flat_map(|i| per_row[*i].0.iter().copied())
                .collect();
            let mut seen = std::collections::HashSet::new();
            let references: Vec<f32> = idx
                .iter()
                .flat_map(|i| rows[*i].references.iter().zip(&per_row[*i].1))
                .filter(|(p, _)| seen.insert((*p).clone()))
                .flat_map(|(_, v)| v.iter().copied())
                .collect();
            let dim = clip.dim();
            let cmmd_value = if images.len() >= 2 * dim && references.len() >= 2 * dim {
                Some(cmmd(&references, &images, dim)?)
            } else {
                None
            };
            let values: Vec<f64> = idx.iter().map(|i| cs_row[*i]).collect();
            let raw = mean(&values).unwrap_or(0.0);
            let ipf = if margins.is_empty() {
                None
            } else {
                let labels: Vec<Vec<&str>> = idx
                    .iter()
                    .map(|i| {
                        margins
                            .iter()
                            .map(|mg| {
                                rows[*i]
                                    .demographics
                                    .get(&mg.name)
                                    .map_or("", String::as_str)
                            })
                            .collect()
                    })
                    .collect();
                let raked = rake(&labels, margins, RakeOptions::default())?;
                weighted_mean(&values, &raked.weights)
            };
            let win_rate = baseline.filter(|b| b != m).map(|_| {
                let (mut w, mut l, mut t) = (0, 0, 0);
                for i in &idx {
                    if let Some(b) =
                        base_scores.get(&(rows[*i].user.as_str(), rows[*i].prompt.as_str()))
                    {
                        match cs_row[*i].partial_cmp(b) {
                            Some(std::cmp::Ordering::Greater) => w += 1,
                            Some(std::cmp::Ordering::Less) => l += 1,
                            _ => t += 1,
                        }
                    }
                }
                WinRate::new(w, l, t)
            });
            let mut groups: BTreeMap<String, BTreeMap<String, (f64, usize)>> = BTreeMap::new();
            for i in &idx {
                for (var, cat) in &rows[*i].demographics {
                    let e = groups
                        .entry(var.clone())
                        .or_default()
                        .entry(cat.clone())
                        .or_insert((0.0, 0));
                    e.0 += cs_row[*i];
                    e.1 += 1;
                }
            }
            Ok(MethodReport {
                method: m.to_string(),
                rows: idx.len(),
                clip_score: clip_score_torchmetrics(&pairs),
                image_align_mean: mean(&align.iter().map(|a| 100.0 * a.mean).collect::<Vec<_>>()),
                image_align_max: mean(&align.iter().map(|a| 100.0 * a.max).collect::<Vec<_>>()),
                cmmd: cmmd_value,
                raw,
                delta_percent: ipf.filter(|_| raw != 0.0).map(|v| 100.0 * (v - raw) / raw),
                ipf,
                win_rate,
                groups: groups
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            k,
                            v.into_iter().map(|(c, (s, n))| (c, s / n as f64)).collect(),
                        )
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Reads margins from JSON: `{"variable": {"category": target, ...}, ...}`.
pub fn margins_from_json(json: &str, what: &str) -> Result<Vec<Margin>> {
    let raw: BTreeMap<String, BTreeMap<String, f64>> =
        serde_json::from_str(json).map_err(|e| ZippError::json(what.to_string(), &e))?;
    Ok(raw
        .into_iter()
        .map(|(name, targets)| Margin { name, targets })
        .collect())
}
