//! Neighbour sampling for mini-batches: the sampled two-hop neighbourhood of a batch's nodes as
//! a subgraph with local ids.

use std::sync::Arc;

use crate::error::Result;
use crate::mine::fxhash::FxHashMap;
use crate::mine::gat::EdgeIndex;
use crate::rng::SplitMix;

/// A sampled subgraph: `nodes[i]` is the global id of local node `i`; seeds come first.
#[derive(Debug)]
pub struct Subgraph {
    /// Global ids of the local nodes.
    pub nodes: Vec<u32>,
    /// Message-passing edges between local nodes.
    pub edges: Arc<EdgeIndex>,
    local: FxHashMap<u32, u32>,
}

impl Subgraph {
    /// Local id of a global node of the subgraph.
    pub fn local(&self, global: u32) -> Option<u32> {
        self.local.get(&global).copied()
    }
}

/// Samples up to `fanout[1]` incoming neighbours of each seed (layer 2), then up to `fanout[0]`
/// of each newly reached node (layer 1), without replacement.
pub fn sample(
    full: &EdgeIndex,
    seeds: &[u32],
    fanout: [usize; 2],
    rng: &mut SplitMix,
) -> Result<Subgraph> {
    let mut local: FxHashMap<u32, u32> = FxHashMap::default();
    let mut nodes = Vec::new();
    let mut add = |g: u32, nodes: &mut Vec<u32>| -> (u32, bool) {
        if let Some(l) = local.get(&g) {
            return (*l, false);
        }
        let l = nodes.len() as u32;
        local.insert(g, l);
        nodes.push(g);
        (l, true)
    };
    let mut frontier = Vec::new();
    for s in seeds {
        let (_, new) = add(*s, &mut nodes);
        if new {
            frontier.push(*s);
        }
    }
    let (mut src, mut dst) = (Vec::new(), Vec::new());
    let mut pick = Vec::new();
    for hop in [fanout[1], fanout[0]] {
        let mut next = Vec::new();
        for t in frontier {
            let r = full.incoming(t as usize);
            pick.clear();
            pick.extend(r.clone());
            let k = hop.min(pick.len());
            for i in 0..k {
                let j = i + rng.below((pick.len() - i) as u64) as usize;
                pick.swap(i, j);
            }
            let lt = add(t, &mut nodes).0;
            for e in &pick[..k] {
                let s = full.source(*e) as u32;
                let (ls, new) = add(s, &mut nodes);
                if new {
                    next.push(s);
                }
                src.push(ls);
                dst.push(lt);
            }
        }
        frontier = next;
    }
    let edges = EdgeIndex::new(nodes.len(), &src, &dst)?;
    Ok(Subgraph {
        nodes,
        edges: Arc::new(edges),
        local,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_at_most_fanout_and_keeps_seeds_first() {
        // Star: 1..=20 -> 0, and 21 -> 1.
        let mut src: Vec<u32> = (1..=20).collect();
        let mut dst = vec![0u32; 20];
        src.push(21);
        dst.push(1);
        let full = EdgeIndex::new(22, &src, &dst).unwrap();
        let g = sample(&full, &[0], [5, 3], &mut SplitMix(1)).unwrap();
        assert_eq!(g.nodes[0], 0);
        assert_eq!(g.edges.incoming(0).len(), 3);
        assert!(g.nodes.len() <= 1 + 3 + 3);
        for t in 0..g.nodes.len() {
            for k in g.edges.incoming(t) {
                let (s, d) = (g.nodes[g.edges.source(k)], g.nodes[t]);
                assert!(src.iter().zip(&dst).any(|(a, b)| (*a, *b) == (s, d)));
            }
        }
    }
}
