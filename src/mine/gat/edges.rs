//! Directed message-passing edges in compressed rows, by target (for the softmax) and by source
//! (for the gradient of the sources), built once per graph.

use crate::error::{Result, ZippError};

/// Directed edges `src -> dst` over `nodes` nodes, sorted by target with a source view.
#[derive(Debug, Clone)]
pub struct EdgeIndex {
    nodes: usize,
    /// `in_offsets[t]..in_offsets[t + 1]` are the edges into `t` (in target order).
    in_offsets: Vec<usize>,
    /// Source of each edge, in target order.
    in_src: Vec<u32>,
    /// Position in the caller's edge list of each edge, in target order.
    in_original: Vec<u32>,
    /// `out_offsets[s]..out_offsets[s + 1]` are the edges out of `s`.
    out_offsets: Vec<usize>,
    /// Target of each edge, in source order.
    out_dst: Vec<u32>,
    /// Target-order position of each edge, in source order.
    out_edge: Vec<u32>,
}

impl EdgeIndex {
    /// Builds the index from parallel source and target lists (the caller's edge order is kept
    /// for [`EdgeIndex::original`]); ids must be below `nodes`.
    pub fn new(nodes: usize, src: &[u32], dst: &[u32]) -> Result<Self> {
        if src.len() != dst.len() {
            return Err(invalid(format!(
                "{} sources but {} targets",
                src.len(),
                dst.len()
            )));
        }
        if src.len() >= u32::MAX as usize || nodes >= u32::MAX as usize {
            return Err(invalid("more than 2^32 - 1 edges or nodes".into()));
        }
        if let Some((s, d)) = src
            .iter()
            .zip(dst)
            .find(|(s, d)| **s as usize >= nodes || **d as usize >= nodes)
        {
            return Err(invalid(format!(
                "edge {s} -> {d} names a node outside 0..{nodes}"
            )));
        }
        let in_offsets = offsets(nodes, dst);
        let mut fill = in_offsets.clone();
        let mut in_src = vec![0u32; src.len()];
        let mut in_original = vec![0u32; src.len()];
        for (i, (s, d)) in src.iter().zip(dst).enumerate() {
            let slot = &mut fill[*d as usize];
            in_src[*slot] = *s;
            in_original[*slot] = i as u32;
            *slot += 1;
        }
        let out_offsets = offsets(nodes, &in_src);
        let mut fill = out_offsets.clone();
        let mut out_dst = vec![0u32; src.len()];
        let mut out_edge = vec![0u32; src.len()];
        for t in 0..nodes {
            for k in in_offsets[t]..in_offsets[t + 1] {
                let slot = &mut fill[in_src[k] as usize];
                out_dst[*slot] = t as u32;
                out_edge[*slot] = k as u32;
                *slot += 1;
            }
        }
        Ok(Self {
            nodes,
            in_offsets,
            in_src,
            in_original,
            out_offsets,
            out_dst,
            out_edge,
        })
    }

    /// The same edges plus one self-loop per node (existing self-loops are dropped first, as
    /// PyTorch Geometric does); the loops come after the caller's edges in [`EdgeIndex::original`].
    pub fn with_self_loops(src: &[u32], dst: &[u32], nodes: usize) -> Result<Self> {
        let (mut s, mut d): (Vec<u32>, Vec<u32>) = src
            .iter()
            .zip(dst)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| (*a, *b))
            .unzip();
        s.extend(0..nodes as u32);
        d.extend(0..nodes as u32);
        Self::new(nodes, &s, &d)
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.nodes
    }

    /// Number of edges.
    pub fn len(&self) -> usize {
        self.in_src.len()
    }

    /// Whether there are no edges.
    pub fn is_empty(&self) -> bool {
        self.in_src.is_empty()
    }

    /// Target-order edge range into node `t`.
    pub fn incoming(&self, t: usize) -> std::ops::Range<usize> {
        self.in_offsets[t]..self.in_offsets[t + 1]
    }

    /// Source of the target-order edge `k`.
    pub fn source(&self, k: usize) -> usize {
        self.in_src[k] as usize
    }

    /// Position in the caller's list of the target-order edge `k`.
    pub fn original(&self, k: usize) -> usize {
        self.in_original[k] as usize
    }

    /// Edges out of node `s`: (target, target-order edge) pairs.
    pub fn outgoing(&self, s: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let r = self.out_offsets[s]..self.out_offsets[s + 1];
        self.out_dst[r.clone()]
            .iter()
            .zip(&self.out_edge[r])
            .map(|(t, k)| (*t as usize, *k as usize))
    }

    /// Sources in target order (for gathers).
    pub fn sources(&self) -> &[u32] {
        &self.in_src
    }

    /// Targets in target order (for gathers).
    pub fn targets(&self) -> Vec<u32> {
        (0..self.nodes)
            .flat_map(|t| std::iter::repeat_n(t as u32, self.incoming(t).len()))
            .collect()
    }
}

fn offsets(nodes: usize, keys: &[u32]) -> Vec<usize> {
    let mut off = vec![0usize; nodes + 1];
    for k in keys {
        off[*k as usize + 1] += 1;
    }
    for i in 0..nodes {
        off[i + 1] += off[i];
    }
    off
}

fn invalid(message: String) -> ZippError {
    ZippError::InvalidGraph {
        message: format!("message-passing edges: {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_views_hold_every_edge_once() {
        let src = [0, 1, 2, 0, 3];
        let dst = [1, 2, 1, 2, 0];
        let e = EdgeIndex::new(4, &src, &dst).unwrap();
        assert_eq!(e.len(), 5);
        let mut seen = vec![];
        for t in 0..4 {
            for k in e.incoming(t) {
                let i = e.original(k);
                assert_eq!((src[i], dst[i]), (e.source(k) as u32, t as u32));
                seen.push(i);
            }
        }
        seen.sort();
        assert_eq!(seen, vec![0, 1, 2, 3, 4]);
        let mut out = vec![];
        for s in 0..4 {
            for (t, k) in e.outgoing(s) {
                assert_eq!(e.source(k), s);
                assert!(e.incoming(t).contains(&k));
                out.push(k);
            }
        }
        out.sort();
        assert_eq!(out, vec![0, 1, 2, 3, 4]);
        assert!(EdgeIndex::new(3, &[0], &[3]).is_err());
    }

    #[test]
    fn self_loops_replace_existing_ones() {
        let e = EdgeIndex::with_self_loops(&[0, 1, 1], &[1, 1, 0], 2).unwrap();
        assert_eq!(e.len(), 4);
    }
}
