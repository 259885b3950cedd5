//! The training view of a graph: training edges, the held-out split into validation and test,
//! and the message-passing edges (users and communities as one node set, both directions).

use std::sync::Arc;

use crate::error::Result;
use crate::mine::gat::EdgeIndex;
use crate::mine::graph::Graph;
use crate::rng::mix;

/// Users `0..users` and communities `users..users + communities` as nodes of one graph.
#[derive(Debug, Clone)]
pub struct TrainGraph {
    /// Number of users.
    pub users: usize,
    /// Number of communities.
    pub communities: usize,
    /// Training (user, community) edges.
    pub train: Vec<(u32, u32)>,
    /// Held-out edges used for early stopping.
    pub valid: Vec<(u32, u32)>,
    /// Held-out edges reported as the test figure.
    pub test: Vec<(u32, u32)>,
    /// Each user's communities (training and held out), ascending, for negative sampling.
    known: Vec<Vec<u32>>,
    /// Message-passing edges over the training edges.
    pub message: Arc<EdgeIndex>,
}

impl TrainGraph {
    /// The training view of `graph`: held-out edges (marked at ingest) go half to validation,
    /// half to test by a hash of the pair; message passing sees training edges only.
    pub fn from_graph(graph: &Graph, self_loops: bool) -> Result<Self> {
        let users = graph.users() as usize;
        let communities = graph.communities() as usize;
        let mut train = Vec::new();
        let (mut valid, mut test) = (Vec::new(), Vec::new());
        let mut known = Vec::with_capacity(users);
        for u in 0..users as u32 {
            let e = graph.user_edges(u);
            for (c, held) in e.communities.iter().zip(e.held_out) {
                if *held == 0 {
                    train.push((u, *c));
                } else if mix(0x7e57, (u64::from(u) << 32) | u64::from(*c)) & 1 == 0 {
                    valid.push((u, *c));
                } else {
                    test.push((u, *c));
                }
            }
            known.push(e.communities.to_vec());
        }
        Self::new(users, communities, train, valid, test, known, self_loops)
    }

    /// A training view from explicit edge lists (`known` defaults to all of them).
    pub fn new(
        users: usize,
        communities: usize,
        train: Vec<(u32, u32)>,
        valid: Vec<(u32, u32)>,
        test: Vec<(u32, u32)>,
        known: Vec<Vec<u32>>,
        self_loops: bool,
    ) -> Result<Self> {
        let nodes = users + communities;
        let mut src = Vec::with_capacity(train.len() * 2);
        let mut dst = Vec::with_capacity(train.len() * 2);
        for (u, c) in &train {
            let c = users as u32 + c;
            src.extend([*u, c]);
            dst.extend([c, *u]);
        }
        let message = if self_loops {
            EdgeIndex::with_self_loops(&src, &dst, nodes)?
        } else {
            EdgeIndex::new(nodes, &src, &dst)?
        };
        let mut known = known;
        if known.len() != users {
            known = vec![Vec::new(); users];
            for (u, c) in train.iter().chain(&valid).chain(&test) {
                known[*u as usize].push(*c);
            }
            known.iter_mut().for_each(|k| {
                k.sort_unstable();
                k.dedup();
            });
        }
        Ok(Self {
            users,
            communities,
            train,
            valid,
            test,
            known,
            message: Arc::new(message),
        })
    }

    /// Number of nodes (users + communities).
    pub fn nodes(&self) -> usize {
        self.users + self.communities
    }

    /// Node id of community `c`.
    pub fn community_node(&self, c: u32) -> u32 {
        self.users as u32 + c
    }

    /// Whether `user` has any edge to `community`.
    pub fn knows(&self, user: u32, community: u32) -> bool {
        self.known
            .get(user as usize)
            .is_some_and(|k| k.binary_search(&community).is_ok())
    }

    /// A community `user` has no edge to, drawn from `draw` (a stream of random numbers); falls
    /// back to any community after 32 tries (a user who joined nearly everything).
    pub fn negative(&self, user: u32, mut draw: impl FnMut() -> u64) -> u32 {
        let n = self.communities as u64;
        let mut c = 0;
        for _ in 0..32 {
            c = ((u128::from(draw()) * u128::from(n)) >> 64) as u32;
            if !self.knows(user, c) {
                break;
            }
        }
        c
    }
}
