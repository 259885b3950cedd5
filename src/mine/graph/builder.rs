//! Accumulates interactions into edges, snippet pools and image lists, then finishes the graph:
//! activity thresholds, dense ids, CSR both ways, hold-out split, file image.

use std::path::Path;

use serde_json::json;

use super::format::{Counts, Writer};
use super::holdout::{choose, name_seed};
use super::Graph;
use crate::error::Result;
use crate::mine::fxhash::FxHashMap;
use crate::mine::ingest::{IngestOptions, IngestReport, Interaction};
use crate::rng::SplitMix;

/// A name of at most 23 bytes stored inline (Reddit user names have at most 20 characters and
/// subreddit names 21), so that hash-table probes compare in place instead of chasing a pointer.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortName {
    len: u8,
    bytes: [u8; 23],
}

impl ShortName {
    fn new(name: &str) -> Option<Self> {
        let b = name.as_bytes();
        if b.len() > 23 {
            return None;
        }
        let mut bytes = [0u8; 23];
        bytes[..b.len()].copy_from_slice(b);
        Some(Self {
            len: b.len() as u8,
            bytes,
        })
    }
}

/// Names to dense ids, in first-seen order.
#[derive(Default)]
struct Interner {
    short: FxHashMap<ShortName, u32>,
    long: FxHashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn id(&mut self, name: &str) -> u32 {
        let next = self.names.len() as u32;
        let (id, new) = match ShortName::new(name) {
            Some(key) => {
                let id = *self.short.entry(key).or_insert(next);
                (id, id == next)
            }
            None => match self.long.get(name) {
                Some(id) => (*id, false),
                None => {
                    self.long.insert(name.into(), next);
                    (next, true)
                }
            },
        };
        if new {
            self.names.push(name.into());
        }
        id
    }
}

#[derive(Clone, Copy)]
struct EdgeAcc {
    count: u32,
    /// How many of the user's pooled snippets come from this community.
    pooled: u8,
    first: i64,
    last: i64,
}

/// One kept snippet.
struct PoolItem {
    comm: u32,
    score: i64,
    text: Box<str>,
}

/// A user's snippet pool: the best-scoring texts, at most `per_edge` per community and
/// `per_user` in all. Keeping the best under both caps is a greedy choice on a laminar
/// matroid, so evicting the lowest as better ones arrive gives the exact optimum.
#[derive(Default)]
struct Pool {
    items: Vec<PoolItem>,
}

impl Pool {
    /// Offers a snippet from community `comm`, of which `pooled` are in the pool already.
    /// Returns how the pool changed: `Added`, `Replaced(comm of the evicted item)`, `Rejected`.
    fn offer(
        &mut self,
        comm: u32,
        pooled: usize,
        score: i64,
        text: &str,
        caps: (usize, usize, usize),
    ) -> Offer {
        let (per_edge, per_user, max_chars) = caps;
        if per_edge == 0 || per_user == 0 {
            return Offer::Rejected;
        }
        let item = || PoolItem {
            comm,
            score,
            text: cut_chars(text, max_chars).into(),
        };
        if pooled < per_edge && self.items.len() < per_user {
            self.items.push(item());
            return Offer::Added;
        }
        let only = (pooled >= per_edge).then_some(comm);
        let victim = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, it)| only.is_none_or(|c| it.comm == c))
            .min_by_key(|(i, it)| (it.score, std::cmp::Reverse(*i)))
            .map(|(i, it)| (i, it.score, it.comm));
        match victim {
            Some((i, s, evicted)) if score > s => {
                self.items[i] = item();
                Offer::Replaced(evicted)
            }
            _ => Offer::Rejected,
        }
    }
}

/// What [`Pool::offer`] did.
enum Offer {
    Added,
    Replaced(u32),
    Rejected,
}

/// Collects interactions; memory grows with distinct users, communities and edges, and with the
/// capped per-user snippet and image pools, never with the number of lines read.
pub struct GraphBuilder {
    users: Interner,
    comms: Interner,
    edges: FxHashMap<u64, EdgeAcc>,
    snippets: Vec<Pool>,
    images: Vec<Vec<Box<str>>>,
    snippets_per_user: usize,
    snippets_per_edge: usize,
    snippet_max_chars: usize,
    images_per_user: usize,
}

fn key(user: u32, comm: u32) -> u64 {
    (u64::from(user) << 32) | u64::from(comm)
}

fn cut_chars(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    match text.char_indices().nth(max) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

impl GraphBuilder {
    /// An empty builder with the pool caps of `options`.
    pub fn new(options: &IngestOptions) -> Self {
        Self {
            users: Interner::default(),
            comms: Interner::default(),
            edges: FxHashMap::default(),
            snippets: Vec::new(),
            images: Vec::new(),
            snippets_per_user: options.snippets_per_user,
            snippets_per_edge: options.snippets_per_edge.min(usize::from(u8::MAX)),
            snippet_max_chars: options.snippet_max_chars,
            images_per_user: options.images_per_user,
        }
    }

    /// Distinct users so far.
    pub fn users(&self) -> usize {
        self.users.names.len()
    }

    /// Distinct edges so far.
    pub fn edges(&self) -> usize {
        self.edges.len()
    }

    /// Adds one interaction.
    pub fn add(&mut self, i: &Interaction<'_>) {
        let u = self.users.id(&i.user);
        let c = self.comms.id(&i.community);
        let k = key(u, c);
        let edge = self
            .edges
            .entry(k)
            .and_modify(|e| {
                e.count += 1;
                e.first = e.first.min(i.created);
                e.last = e.last.max(i.created);
            })
            .or_insert(EdgeAcc {
                count: 1,
                pooled: 0,
                first: i.created,
                last: i.created,
            });
        if self.snippets.len() <= u as usize {
            self.snippets.resize_with(u as usize + 1, Pool::default);
            self.images.resize_with(u as usize + 1, Vec::new);
        }
        let text = i.text.trim();
        if !text.is_empty() {
            let caps = (
                self.snippets_per_edge,
                self.snippets_per_user,
                self.snippet_max_chars,
            );
            match self.snippets[u as usize].offer(c, usize::from(edge.pooled), i.score, text, caps)
            {
                Offer::Added => edge.pooled += 1,
                Offer::Replaced(evicted) if evicted != c => {
                    edge.pooled += 1;
                    if let Some(other) = self.edges.get_mut(&key(u, evicted)) {
                        other.pooled -= 1;
                    }
                }
                Offer::Replaced(_) | Offer::Rejected => {}
            }
        }
        if !i.images.is_empty() {
            let list = &mut self.images[u as usize];
            for url in &i.images {
                if list.len() < self.images_per_user && !list.iter().any(|x| x.as_ref() == url) {
                    list.push(url.as_str().into());
                }
            }
        }
    }

    /// Applies the activity thresholds, assigns dense ids in first-seen order, draws the hold-out
    /// split and builds the graph in memory.
    pub fn finish(self, options: &IngestOptions, report: &mut IngestReport) -> Result<Graph> {
        self.finish_into(options, report, Writer::new(), None)
    }

    /// As [`GraphBuilder::finish`], writing the graph file to `path` as it is built (so the
    /// finished image never sits in memory beside the builder) and memory-mapping it.
    pub fn finish_to_file(
        self,
        options: &IngestOptions,
        report: &mut IngestReport,
        path: &Path,
    ) -> Result<Graph> {
        let tmp = path.with_extension("partial");
        let graph = self.finish_into(options, report, Writer::to_file(&tmp)?, Some(&tmp));
        match graph {
            Ok(_) => {
                crate::files::commit(&tmp, path)?;
                Graph::load(path)
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    fn finish_into(
        self,
        options: &IngestOptions,
        report: &mut IngestReport,
        mut w: Writer,
        file: Option<&Path>,
    ) -> Result<Graph> {
        let GraphBuilder {
            users,
            comms,
            edges: edge_map,
            snippets,
            images,
            ..
        } = self;
        let n_users = users.names.len();
        let n_comms = comms.names.len();
        let mut edges: Vec<(u32, u32, EdgeAcc)> = edge_map
            .iter()
            .map(|(k, e)| ((k >> 32) as u32, *k as u32, *e))
            .collect();
        drop(edge_map);
        edges.sort_unstable_by_key(|(u, c, _)| (*u, *c));

        // Activity thresholds, repeated until stable.
        let mut user_alive = vec![true; n_users];
        let mut comm_alive = vec![true; n_comms];
        loop {
            let mut user_total = vec![0u64; n_users];
            let mut comm_users = vec![0u32; n_comms];
            for (u, c, e) in &edges {
                if user_alive[*u as usize] && comm_alive[*c as usize] {
                    user_total[*u as usize] += u64::from(e.count);
                    comm_users[*c as usize] += 1;
                }
            }
            let mut changed = false;
            for u in 0..n_users {
                if user_alive[u] && user_total[u] < u64::from(options.min_user_interactions.max(1))
                {
                    user_alive[u] = false;
                    changed = true;
                }
            }
            for c in 0..n_comms {
                if comm_alive[c] && comm_users[c] < options.min_community_users.max(1) {
                    comm_alive[c] = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        report.users_below_threshold = user_alive.iter().filter(|a| !**a).count() as u64;
        report.communities_below_threshold = comm_alive.iter().filter(|a| !**a).count() as u64;

        let remap = |alive: &[bool]| -> (Vec<u32>, Vec<u32>) {
            let mut new_id = vec![u32::MAX; alive.len()];
            let mut old_of_new = Vec::new();
            for (old, a) in alive.iter().enumerate() {
                if *a {
                    new_id[old] = old_of_new.len() as u32;
                    old_of_new.push(old as u32);
                }
            }
            (new_id, old_of_new)
        };
        let (user_new, user_old) = remap(&user_alive);
        let (comm_new, comm_old) = remap(&comm_alive);
        edges.retain(|(u, c, _)| user_alive[*u as usize] && comm_alive[*c as usize]);
        // Old user ids are first-seen order and new ids keep it, so the sort by (user, comm)
        // only needs the new community ids.
        let mut edges: Vec<(u32, u32, EdgeAcc)> = edges
            .into_iter()
            .map(|(u, c, e)| (user_new[u as usize], comm_new[c as usize], e))
            .collect();
        edges.shrink_to_fit();
        edges.sort_unstable_by_key(|(u, c, _)| (*u, *c));

        let nu = user_old.len();
        let nc = comm_old.len();
        let ne = edges.len();
        let mut user_edge_off = vec![0u64; nu + 1];
        for (u, ..) in &edges {
            user_edge_off[*u as usize + 1] += 1;
        }
        for i in 0..nu {
            user_edge_off[i + 1] += user_edge_off[i];
        }
        let edge_comm: Vec<u32> = edges.iter().map(|e| e.1).collect();
        let edge_count: Vec<u32> = edges.iter().map(|e| e.2.count).collect();
        let edge_first: Vec<i64> = edges.iter().map(|e| e.2.first).collect();
        let edge_last: Vec<i64> = edges.iter().map(|e| e.2.last).collect();
        let mut held_out = vec![0u8; ne];
        for u in 0..nu {
            let (a, b) = (user_edge_off[u] as usize, user_edge_off[u + 1] as usize);
            let name = &users.names[user_old[u] as usize];
            choose(
                &mut held_out[a..b],
                options.holdout_fraction,
                &mut SplitMix(name_seed(options.seed, name)),
            );
        }

        // Community -> users CSR, users ascending within a community.
        let mut comm_edge_off = vec![0u64; nc + 1];
        for c in &edge_comm {
            comm_edge_off[*c as usize + 1] += 1;
        }
        for i in 0..nc {
            comm_edge_off[i + 1] += comm_edge_off[i];
        }
        let mut fill = comm_edge_off.clone();
        let mut comm_edge_user = vec![0u32; ne];
        let mut comm_edge_index = vec![0u64; ne];
        for (idx, (u, c, ..)) in edges.iter().enumerate() {
            let slot = &mut fill[*c as usize];
            comm_edge_user[*slot as usize] = *u;
            comm_edge_index[*slot as usize] = idx as u64;
            *slot += 1;
        }

        // Snippets: the user's pool, by community, best first within each.
        let mut user_snip_off = vec![0u64; nu + 1];
        let (mut snip_comm, mut snip_score, mut snip_tokens) = (Vec::new(), Vec::new(), Vec::new());
        let (mut snip_text_off, mut snip_text) = (vec![0u64], Vec::<u8>::new());
        for u in 0..nu {
            let old_user = user_old[u] as usize;
            if let Some(pool) = snippets.get(old_user) {
                let mut kept: Vec<(u32, usize, &PoolItem)> = pool
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| comm_alive[it.comm as usize])
                    .map(|(i, it)| (comm_new[it.comm as usize], i, it))
                    .collect();
                kept.sort_by_key(|(c, i, it)| (*c, std::cmp::Reverse(it.score), *i));
                for (c, _, it) in kept {
                    snip_comm.push(c);
                    snip_score.push(it.score);
                    snip_tokens.push(it.text.len().div_ceil(4) as u32);
                    snip_text.extend_from_slice(it.text.as_bytes());
                    snip_text_off.push(snip_text.len() as u64);
                }
            }
            user_snip_off[u + 1] = snip_comm.len() as u64;
        }

        let mut user_img_off = vec![0u64; nu + 1];
        let (mut img_off, mut img_bytes) = (vec![0u64], Vec::<u8>::new());
        for u in 0..nu {
            if let Some(list) = images.get(user_old[u] as usize) {
                for url in list {
                    img_bytes.extend_from_slice(url.as_bytes());
                    img_off.push(img_bytes.len() as u64);
                }
            }
            user_img_off[u + 1] = (img_off.len() - 1) as u64;
        }

        let names = |interner: &Interner, old: &[u32]| -> (Vec<u64>, Vec<u8>) {
            let mut off = vec![0u64];
            let mut bytes = Vec::new();
            for o in old {
                bytes.extend_from_slice(interner.names[*o as usize].as_bytes());
                off.push(bytes.len() as u64);
            }
            (off, bytes)
        };
        let (user_name_off, user_name_bytes) = names(&users, &user_old);
        let (comm_name_off, comm_name_bytes) = names(&comms, &comm_old);
        let meta = json!({
            "generator": format!("libzipp {}", env!("CARGO_PKG_VERSION")),
            "holdout_fraction": options.holdout_fraction,
            "seed": options.seed,
            "min_user_interactions": options.min_user_interactions,
            "min_community_users": options.min_community_users,
            "report": report,
        })
        .to_string();

        let counts = Counts {
            users: nu as u64,
            communities: nc as u64,
            edges: ne as u64,
            snippets: snip_comm.len() as u64,
            images: (img_off.len() - 1) as u64,
        };
        w.section(&user_name_off)?;
        w.section(&user_name_bytes)?;
        w.section(&comm_name_off)?;
        w.section(&comm_name_bytes)?;
        w.section(&user_edge_off)?;
        w.section(&edge_comm)?;
        w.section(&edge_count)?;
        w.section(&edge_first)?;
        w.section(&edge_last)?;
        w.section(&held_out)?;
        w.section(&comm_edge_off)?;
        w.section(&comm_edge_user)?;
        w.section(&comm_edge_index)?;
        w.section(&user_snip_off)?;
        w.section(&snip_comm)?;
        w.section(&snip_score)?;
        w.section(&snip_tokens)?;
        w.section(&snip_text_off)?;
        w.section(&snip_text)?;
        w.section(&user_img_off)?;
        w.section(&img_off)?;
        w.section(&img_bytes)?;
        w.section(meta.as_bytes())?;
        match (w.finish(counts)?, file) {
            (Some(words), _) => Graph::from_words(words),
            (None, Some(path)) => Graph::load(path),
            (None, None) => Err(crate::error::ZippError::InvalidGraph {
                message: "no graph was written".into(),
            }),
        }
    }
}
