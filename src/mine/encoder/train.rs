//! The training loop: link prediction with sampled negatives plus ImageAlign, AdamW with warm-up
//! and cosine decay, gradient clipping, early stopping on validation posting accuracy,
//! full-batch or neighbour-sampled mini-batches, a checkpoint after every epoch, cancel.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::{Device, Tensor};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checkpoint::{self, TrainState};
use super::config::{EncoderConfig, TrainConfig};
use super::data::TrainGraph;
use super::images::ImageTargets;
use super::loss;
use super::metrics::{evaluate, LinkMetrics};
use super::model::Encoder;
use super::optim::{clip_gradients, AdamW};
use super::pair_dot::pair_dot;
use super::sample;
use crate::error::{Result, ZippError};
use crate::rng::{mix, SplitMix};

/// Figures of one epoch.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EpochStats {
    /// 1-based epoch.
    pub epoch: usize,
    /// Total loss (mean over batches).
    pub loss: f64,
    /// Link-prediction loss.
    pub link_loss: f64,
    /// ImageAlign loss (0 when off).
    pub align_loss: f64,
    /// Learning rate used.
    pub learning_rate: f64,
    /// Validation figures after the epoch.
    pub valid: LinkMetrics,
    /// Wall-clock seconds of the epoch (training only).
    pub seconds: f64,
}

/// A progress report, sent after each mini-batch and each epoch.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Progress {
    /// 1-based epoch running.
    pub epoch: usize,
    /// Maximum epochs.
    pub epochs: usize,
    /// Share of the whole training done, 0..1.
    pub fraction: f64,
    /// Loss of the last batch.
    pub loss: f64,
    /// Latest validation posting accuracy (0 before the first epoch ends).
    pub posting_accuracy: f64,
}

/// What training produced.
#[derive(Debug)]
pub struct TrainOutcome {
    /// The encoder with the best validation parameters.
    pub encoder: Encoder,
    /// Per-epoch figures.
    pub history: Vec<EpochStats>,
    /// Epoch of the parameters kept.
    pub best_epoch: usize,
    /// Validation figures of those parameters.
    pub valid: LinkMetrics,
    /// Test figures of those parameters.
    pub test: LinkMetrics,
    /// Whether patience ran out before the last epoch.
    pub stopped_early: bool,
    /// Epochs restored from a checkpoint.
    pub resumed_epochs: usize,
}

/// One training run.
pub struct Trainer<'a> {
    /// The graph.
    pub graph: &'a TrainGraph,
    /// Image targets for ImageAlign (ignored when the config has no `image_align`).
    pub images: Option<&'a ImageTargets>,
    /// Encoder shape.
    pub encoder: &'a EncoderConfig,
    /// Optimization settings.
    pub train: &'a TrainConfig,
    /// Checkpoint file (none: no checkpoints).
    pub checkpoint: Option<PathBuf>,
    /// Device.
    pub device: Device,
    /// Set from any thread to stop at the next batch.
    pub cancel: &'a AtomicBool,
}

fn ce(e: candle_core::Error) -> ZippError {
    ZippError::Compute {
        stage: "encoder".into(),
        message: e.to_string(),
    }
}

/// Per-pair dot products from node embeddings held on the host.
fn dot_scores(z: &[f32], dim: usize, users: usize, pairs: &[(u32, u32)]) -> Vec<f32> {
    pairs
        .iter()
        .map(|(u, c)| {
            let a = &z[*u as usize * dim..][..dim];
            let b = &z[(users + *c as usize) * dim..][..dim];
            a.iter().zip(b).map(|(x, y)| x * y).sum()
        })
        .collect()
}

impl Trainer<'_> {
    fn align_config(&self) -> Option<(&ImageTargets, &super::config::ImageAlignConfig)> {
        match (self.images, &self.train.image_align) {
            (Some(t), Some(c)) if c.weight > 0.0 && t.len() >= 2 => Some((t, c)),
            _ => None,
        }
    }

    /// Hash of everything that shapes the parameters and the data.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(serde_json::to_vec(self.encoder).unwrap_or_default());
        // Epochs and patience may change between runs: a longer run continues a shorter one.
        let train = TrainConfig {
            epochs: 0,
            patience: 0,
            ..self.train.clone()
        };
        h.update(serde_json::to_vec(&train).unwrap_or_default());
        for n in [
            self.graph.users,
            self.graph.communities,
            self.graph.train.len(),
            self.graph.valid.len(),
        ] {
            h.update((n as u64).to_le_bytes());
        }
        h.update(
            (self.align_config().map_or(0, |(t, _)| t.len() * 31 + t.dim) as u64).to_le_bytes(),
        );
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn full_batch(&self) -> bool {
        self.train.batch_edges == 0 && self.graph.message.len() <= self.train.full_batch_limit
    }

    /// Node embeddings of every node, on the host.
    pub fn embed_all(encoder: &Encoder, graph: &TrainGraph) -> Result<Vec<f32>> {
        encoder
            .forward(None, &graph.message, None)
            .and_then(|z| z.to_device(&Device::Cpu)?.flatten_all()?.to_vec1::<f32>())
            .map_err(ce)
    }

    fn metrics(&self, encoder: &Encoder, pairs: &[(u32, u32)], seed: u64) -> Result<LinkMetrics> {
        let z = Self::embed_all(encoder, self.graph)?;
        let dim = self.encoder.out_dim;
        Ok(evaluate(self.graph, pairs, seed, |p| {
            dot_scores(&z, dim, self.graph.users, p)
        }))
    }

    /// Trains, reporting progress through `progress`.
    pub fn run(&self, progress: &mut dyn FnMut(&Progress)) -> Result<TrainOutcome> {
        let g = self.graph;
        let cfg = self.train;
        let align = self.align_config();
        let encoder = Encoder::new(
            self.encoder,
            g.nodes(),
            align.map(|(t, c)| (t.dim, c)),
            cfg.seed,
            &self.device,
        )
        .map_err(ce)?;
        let vars = encoder.vars();
        let mut adam = AdamW::new(&vars, cfg.weight_decay).map_err(ce)?;
        let fingerprint = self.fingerprint();
        let mut best: Vec<Tensor> = Vec::new();
        let mut state = TrainState {
            version: checkpoint::VERSION,
            fingerprint: fingerprint.clone(),
            ..Default::default()
        };
        if let Some(path) = self.checkpoint.as_deref().filter(|p| p.exists()) {
            (best, state) = checkpoint::load(path, &fingerprint, &encoder, &mut adam)?;
        }
        let resumed_epochs = state.epochs_done;
        let targets = match align {
            Some((t, _)) => {
                Some(Tensor::from_vec(t.data.clone(), (t.len(), t.dim), &self.device).map_err(ce)?)
            }
            None => None,
        };
        let valid_seed = mix(cfg.seed, 0x5a11d);
        let mut stopped_early = false;
        let mut since_best = state
            .history
            .iter()
            .rev()
            .take_while(|e| e.epoch > state.best_epoch)
            .count();
        for epoch in state.epochs_done..cfg.epochs {
            if cfg.patience > 0 && since_best >= cfg.patience {
                stopped_early = true;
                break;
            }
            let started = Instant::now();
            let lr = cfg.learning_rate_at(epoch);
            let mut rng = SplitMix(mix(cfg.seed, 1000 + epoch as u64));
            let batches = self.batches(&mut rng);
            let (mut sum, mut link_sum, mut align_sum) = (0.0, 0.0, 0.0);
            let n_batches = batches.len();
            for (b, batch) in batches.iter().enumerate() {
                if self.cancel.load(Ordering::Relaxed) {
                    return Err(ZippError::Cancelled);
                }
                let (total, link, al) = self.step(
                    &encoder,
                    &mut adam,
                    batch,
                    lr,
                    &mut rng,
                    targets.as_ref(),
                    mix(cfg.seed, (epoch * 100_003 + b) as u64),
                )?;
                sum += total;
                link_sum += link;
                align_sum += al;
                progress(&Progress {
                    epoch: epoch + 1,
                    epochs: cfg.epochs,
                    fraction: (epoch as f64 + (b + 1) as f64 / n_batches as f64)
                        / cfg.epochs as f64,
                    loss: total,
                    posting_accuracy: state
                        .history
                        .last()
                        .map_or(0.0, |e| e.valid.posting_accuracy),
                });
            }
            let seconds = started.elapsed().as_secs_f64();
            if self.cancel.load(Ordering::Relaxed) {
                return Err(ZippError::Cancelled);
            }
            let valid = self.metrics(&encoder, &g.valid, valid_seed)?;
            let nb = n_batches.max(1) as f64;
            state.history.push(EpochStats {
                epoch: epoch + 1,
                loss: sum / nb,
                link_loss: link_sum / nb,
                align_loss: align_sum / nb,
                learning_rate: lr,
                valid,
                seconds,
            });
            if state.best_epoch == 0 || valid.posting_accuracy > state.best_valid {
                state.best_epoch = epoch + 1;
                state.best_valid = valid.posting_accuracy;
                best = vars
                    .iter()
                    .map(|v| v.as_tensor().detach().copy())
                    .collect::<candle_core::Result<_>>()
                    .map_err(ce)?;
                since_best = 0;
            } else {
                since_best += 1;
            }
            state.epochs_done = epoch + 1;
            state.step = adam.step;
            if let Some(path) = &self.checkpoint {
                checkpoint::save(path, &encoder, &adam, &best, &state)?;
            }
            progress(&Progress {
                epoch: epoch + 1,
                epochs: cfg.epochs,
                fraction: (epoch + 1) as f64 / cfg.epochs as f64,
                loss: sum / nb,
                posting_accuracy: valid.posting_accuracy,
            });
        }
        for (v, b) in vars.iter().zip(&best) {
            v.set(b).map_err(ce)?;
        }
        let valid = self.metrics(&encoder, &g.valid, valid_seed)?;
        let test = self.metrics(&encoder, &g.test, super::metrics::test_seed(cfg.seed))?;
        Ok(TrainOutcome {
            history: state.history,
            best_epoch: state.best_epoch,
            valid,
            test,
            stopped_early,
            resumed_epochs,
            encoder,
        })
    }

    /// The epoch's positive edges split into batches (one batch when training full batch).
    fn batches(&self, rng: &mut SplitMix) -> Vec<Vec<(u32, u32)>> {
        let mut edges = self.graph.train.clone();
        if self.full_batch() {
            return vec![edges];
        }
        for i in (1..edges.len()).rev() {
            edges.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let size = if self.train.batch_edges == 0 {
            65_536
        } else {
            self.train.batch_edges
        };
        edges.chunks(size).map(<[_]>::to_vec).collect()
    }

    /// One optimizer step on `batch`; returns (total, link, align) losses.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        encoder: &Encoder,
        adam: &mut AdamW,
        batch: &[(u32, u32)],
        lr: f64,
        rng: &mut SplitMix,
        targets: Option<&Tensor>,
        dropout_seed: u64,
    ) -> Result<(f64, f64, f64)> {
        let g = self.graph;
        let dev = &self.device;
        let negatives: Vec<(u32, u32)> = batch
            .iter()
            .flat_map(|(u, _)| std::iter::repeat_n(*u, self.train.negatives.max(1)))
            .map(|u| (u, g.negative(u, || rng.next_u64())))
            .collect();
        let align = self.align_config();
        // Users of this batch that have image targets (all of them, sampled, in full batch).
        let align_rows: Vec<(u32, u32)> = match align {
            Some((t, c)) => {
                let mut rows: Vec<(u32, u32)> = if self.full_batch() {
                    let n = t.len();
                    let k = c.batch_users.min(n);
                    let mut idx: Vec<u32> = (0..n as u32).collect();
                    for i in 0..k {
                        idx.swap(i, i + rng.below((n - i) as u64) as usize);
                    }
                    idx[..k]
                        .iter()
                        .map(|i| (t.users[*i as usize], *i))
                        .collect()
                } else {
                    let mut users: Vec<u32> = batch.iter().map(|(u, _)| *u).collect();
                    users.sort_unstable();
                    users.dedup();
                    users
                        .into_iter()
                        .filter_map(|u| t.users.binary_search(&u).ok().map(|i| (u, i as u32)))
                        .take(c.batch_users)
                        .collect()
                };
                rows.sort_unstable();
                rows
            }
            None => Vec::new(),
        };
        let (z, map): (Tensor, Box<dyn Fn(u32) -> u32>) = if self.full_batch() {
            let z = encoder
                .forward(None, &g.message, Some(dropout_seed))
                .map_err(ce)?;
            (z, Box::new(|n| n))
        } else {
            let mut seeds: Vec<u32> = Vec::with_capacity(batch.len() * 3);
            for (u, c) in batch.iter().chain(&negatives) {
                seeds.push(*u);
                seeds.push(g.community_node(*c));
            }
            seeds.extend(align_rows.iter().map(|(u, _)| *u));
            let sub = sample::sample(&g.message, &seeds, self.train.fanout, rng)?;
            let ids = Tensor::from_vec(sub.nodes.clone(), sub.nodes.len(), dev).map_err(ce)?;
            let z = encoder
                .forward(Some(&ids), &sub.edges, Some(dropout_seed))
                .map_err(ce)?;
            (z, Box::new(move |n| sub.local(n).unwrap_or(0)))
        };
        let scores = |pairs: &[(u32, u32)]| -> Result<Tensor> {
            let (a, b): (Vec<u32>, Vec<u32>) = pairs
                .iter()
                .map(|(u, c)| (map(*u), map(g.community_node(*c))))
                .unzip();
            pair_dot(&z, a, b).map_err(ce)
        };
        let link = loss::link_loss(&scores(batch)?, &scores(&negatives)?).map_err(ce)?;
        let mut total = link.clone();
        let mut align_value = 0.0;
        if let (Some((_, c)), Some(targets), true) = (align, targets, align_rows.len() >= 2) {
            let (users, rows): (Vec<u32>, Vec<u32>) =
                align_rows.iter().map(|(u, i)| (map(*u), *i)).unzip();
            let n = users.len();
            let zu = z
                .index_select(&Tensor::from_vec(users, n, dev).map_err(ce)?, 0)
                .map_err(ce)?;
            let tv = targets
                .index_select(&Tensor::from_vec(rows, n, dev).map_err(ce)?, 0)
                .map_err(ce)?;
            if let Some(head) = encoder.align() {
                let a = loss::image_align_loss(&zu, &tv, head, c.learn_temperature).map_err(ce)?;
                align_value = f64::from(a.to_scalar::<f32>().map_err(ce)?);
                total = (total + (a * f64::from(c.weight)).map_err(ce)?).map_err(ce)?;
            }
        }
        let total_value = f64::from(total.to_scalar::<f32>().map_err(ce)?);
        if !total_value.is_finite() {
            return Err(ZippError::Compute {
                stage: "training".into(),
                message: format!("the loss became {total_value}; lower the learning rate"),
            });
        }
        if self.cancel.load(Ordering::Relaxed) {
            return Err(ZippError::Cancelled);
        }
        let vars = encoder.vars();
        let mut grads = total.backward().map_err(ce)?;
        clip_gradients(&vars, &mut grads, self.train.clip_norm).map_err(ce)?;
        adam.update(&vars, &grads, lr).map_err(ce)?;
        Ok((
            total_value,
            f64::from(link.to_scalar::<f32>().map_err(ce)?),
            align_value,
        ))
    }
}
