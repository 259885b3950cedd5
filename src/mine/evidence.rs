//! Attention-guided evidence: each user's communities ranked by the layer-2 attention the user
//! gives them, and a token budget split across the top communities and their best snippets.

use serde::{Deserialize, Serialize};

use crate::mine::encoder::TrainGraph;
use crate::mine::graph::Graph;
use crate::persona::Evidence;

/// How much evidence to select per user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceConfig {
    /// Tokens of snippet text per user (the paper's cap is 4,096).
    pub token_budget: usize,
    /// Most communities per user.
    pub max_communities: usize,
    /// Most snippets per community.
    pub snippets_per_community: usize,
}

impl Default for EvidenceConfig {
    fn default() -> Self {
        Self {
            token_budget: 4096,
            max_communities: 8,
            snippets_per_community: 3,
        }
    }
}

/// A user's training communities with the attention the user gives each, highest first.
///
/// `alpha` is the layer-2 attention (one head) of every message-passing edge in target order;
/// the edges into a user come from its communities, and their coefficients sum to one. With
/// several heads, average them first.
pub fn rank(train: &TrainGraph, alpha: &[f32], user: u32) -> Vec<(u32, f32)> {
    let edges = &train.message;
    let mut ranked: Vec<(u32, f32)> = edges
        .incoming(user as usize)
        .filter(|k| edges.source(*k) >= train.users)
        .map(|k| {
            (
                (edges.source(k) - train.users) as u32,
                alpha.get(k).copied().unwrap_or(0.0),
            )
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// Picks evidence for `user` from `ranked` communities: the top `max_communities`, each given a
/// share of the token budget proportional to its salience, filled with its best snippets; a
/// share too small for one snippet passes its tokens on to the next community.
pub fn select(
    graph: &Graph,
    user: u32,
    ranked: &[(u32, f32)],
    config: &EvidenceConfig,
) -> Vec<Evidence> {
    let top = &ranked[..ranked.len().min(config.max_communities)];
    let total: f32 = top.iter().map(|(_, a)| a).sum();
    let snippets: Vec<_> = graph.user_snippets(user).collect();
    let mut carry = 0usize;
    let mut out = Vec::with_capacity(top.len());
    let mut spent = 0usize;
    for (c, a) in top {
        let share = if total > 0.0 {
            (config.token_budget as f32 * a / total) as usize
        } else {
            config.token_budget / top.len().max(1)
        };
        let mut left = (share + carry).min(config.token_budget.saturating_sub(spent));
        let mut chosen = Vec::new();
        for s in snippets
            .iter()
            .filter(|s| s.community == *c)
            .take(config.snippets_per_community)
        {
            let t = (s.tokens as usize).max(1);
            if t > left {
                break;
            }
            left -= t;
            spent += t;
            chosen.push(s.text.to_string());
        }
        carry = left;
        out.push(Evidence {
            community: graph.community_name(*c).to_string(),
            salience: f64::from(*a).clamp(0.0, 1.0),
            snippets: chosen,
        });
    }
    out
}
