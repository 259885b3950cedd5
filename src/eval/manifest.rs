//! Evaluation manifests: one JSON object per line naming a user, their demographics, the
//! prompt, the method, the generated image and the user's reference images.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Result, ZippError};

/// One generation to evaluate.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestRow {
    /// The user (rows of one user share references and demographics).
    pub user: String,
    /// Demographic categories by variable ("age_band": "25-34", "country": "IN", ...).
    #[serde(default)]
    pub demographics: BTreeMap<String, String>,
    /// The user's prompt.
    pub prompt: String,
    /// The method that made the image ("zipp", "no-rewrite", ...).
    pub method: String,
    /// The generated image: an image file, or a `.npy` with its embedding.
    pub image: PathBuf,
    /// The user's reference images (files or `.npy` embeddings).
    #[serde(default)]
    pub references: Vec<PathBuf>,
}

/// Reads a manifest; relative paths are taken from the manifest's folder.
pub fn read(path: &Path) -> Result<Vec<ManifestRow>> {
    let text = std::fs::read_to_string(path).map_err(|e| ZippError::io(path, e))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut row: ManifestRow =
            serde_json::from_str(line).map_err(|e| ZippError::InvalidInput {
                file: path.display().to_string(),
                line: i as u64 + 1,
                message: crate::error::strip_position(&e.to_string()),
            })?;
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        fix(&mut row.image);
        row.references.iter_mut().for_each(fix);
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(ZippError::InvalidInput {
            file: path.display().to_string(),
            line: 0,
            message: "no rows".into(),
        });
    }
    Ok(rows)
}
