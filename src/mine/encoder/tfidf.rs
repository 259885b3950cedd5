//! The TF-IDF baseline of the paper's ablation: users and communities as TF-IDF vectors of the
//! words of their training snippets, scored by cosine similarity.

use std::collections::HashMap;

use super::data::TrainGraph;
use crate::mine::graph::Graph;

/// Sparse unit vectors (term id, weight), sorted by term.
type Sparse = Vec<(u32, f32)>;

/// TF-IDF vectors of every user and community.
#[derive(Debug)]
pub struct TfIdf {
    users: Vec<Sparse>,
    communities: Vec<Sparse>,
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
}

impl TfIdf {
    /// Vectors from the snippets of training edges only (held-out communities' snippets would
    /// leak the answer).
    pub fn build(graph: &Graph, train: &TrainGraph) -> Self {
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let mut user_tf: Vec<HashMap<u32, f32>> = vec![HashMap::new(); train.users];
        let mut comm_tf: Vec<HashMap<u32, f32>> = vec![HashMap::new(); train.communities];
        for u in 0..train.users as u32 {
            let e = graph.user_edges(u);
            for s in graph.user_snippets(u) {
                let held = e
                    .communities
                    .binary_search(&s.community)
                    .map(|i| e.held_out.get(i).copied().unwrap_or(1) != 0)
                    .unwrap_or(true);
                if held {
                    continue;
                }
                for w in words(s.text) {
                    let n = vocab.len() as u32;
                    let id = *vocab.entry(w).or_insert(n);
                    *user_tf[u as usize].entry(id).or_insert(0.0) += 1.0;
                    *comm_tf[s.community as usize].entry(id).or_insert(0.0) += 1.0;
                }
            }
        }
        let docs = (train.users + train.communities) as f32;
        let mut df = vec![0f32; vocab.len()];
        for tf in user_tf.iter().chain(&comm_tf) {
            for t in tf.keys() {
                df[*t as usize] += 1.0;
            }
        }
        // Smoothed idf, as scikit-learn's default.
        let idf: Vec<f32> = df
            .iter()
            .map(|d| ((1.0 + docs) / (1.0 + d)).ln() + 1.0)
            .collect();
        let vectorize = |tf: HashMap<u32, f32>| -> Sparse {
            let mut v: Sparse = tf
                .into_iter()
                .map(|(t, c)| (t, c * idf[t as usize]))
                .collect();
            v.sort_unstable_by_key(|(t, _)| *t);
            let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        };
        Self {
            users: user_tf.into_iter().map(vectorize).collect(),
            communities: comm_tf.into_iter().map(vectorize).collect(),
        }
    }

    /// Cosine similarity of each (user, community) pair.
    pub fn scores(&self, pairs: &[(u32, u32)]) -> Vec<f32> {
        pairs
            .iter()
            .map(|(u, c)| {
                match (
                    self.users.get(*u as usize),
                    self.communities.get(*c as usize),
                ) {
                    (Some(a), Some(b)) => sparse_dot(a, b),
                    _ => 0.0,
                }
            })
            .collect()
    }
}

fn sparse_dot(a: &Sparse, b: &Sparse) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_dot_merges_terms() {
        assert_eq!(
            sparse_dot(&vec![(1, 0.5), (3, 1.0)], &vec![(0, 9.0), (3, 2.0)]),
            2.0
        );
        assert_eq!(
            words("Golden-hour light, ok").collect::<Vec<_>>(),
            ["golden", "hour", "light"]
        );
    }
}
