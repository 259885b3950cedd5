//! Per-user image targets for ImageAlign: the mean of the embeddings of a user's images,
//! L2-normalized, from precomputed embeddings (an index of image references, one per line, and
//! a `.npy` matrix with one row per line).

use std::collections::HashMap;
use std::path::Path;

use crate::error::{Result, ZippError};
use crate::mine::graph::Graph;
use crate::npy;

/// Users that have at least one embedded image, with their mean embeddings.
#[derive(Debug, Clone, Default)]
pub struct ImageTargets {
    /// User ids, ascending.
    pub users: Vec<u32>,
    /// Embedding dimension.
    pub dim: usize,
    /// `users.len() x dim`, row-normalized.
    pub data: Vec<f32>,
}

impl ImageTargets {
    /// Mean embeddings for every user of `graph` whose image references appear in `index`.
    pub fn load(graph: &Graph, index: &Path, vectors: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(index).map_err(|e| ZippError::io(index, e))?;
        let m = npy::read(vectors)?;
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        if lines.len() != m.rows {
            return Err(ZippError::InvalidInput {
                file: vectors.display().to_string(),
                line: 0,
                message: format!(
                    "{} rows but {} has {} image references",
                    m.rows,
                    index.display(),
                    lines.len()
                ),
            });
        }
        let row: HashMap<&str, usize> = lines.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let mut out = ImageTargets {
            dim: m.cols,
            ..Default::default()
        };
        let mut acc = vec![0f32; m.cols];
        for u in 0..graph.users() {
            acc.iter_mut().for_each(|a| *a = 0.0);
            let mut n = 0;
            for url in graph.user_images(u) {
                if let Some(i) = row.get(url) {
                    acc.iter_mut().zip(m.row(*i)).for_each(|(a, v)| *a += v);
                    n += 1;
                }
            }
            let norm = acc.iter().map(|a| a * a).sum::<f32>().sqrt();
            if n > 0 && norm > 0.0 {
                out.users.push(u);
                out.data.extend(acc.iter().map(|a| a / norm));
            }
        }
        Ok(out)
    }

    /// Number of users with a target.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether no user has a target.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}
