//! Bounds of every number in a mining configuration, checked before a job starts (the error
//! names the key), and an estimate of the memory a job needs, refused over its limit.

use super::config::MineConfig;
use crate::error::{Result, ZippError};

/// Default memory limit of a job, in MiB, when the configuration sets none.
pub const DEFAULT_MEMORY_LIMIT_MB: u64 = 16 * 1024;

fn bad(field: &str, message: String) -> ZippError {
    ZippError::InvalidConfig {
        field: field.into(),
        message,
    }
}

fn int_in(field: &str, value: usize, low: usize, high: usize) -> Result<()> {
    if (low..=high).contains(&value) {
        Ok(())
    } else {
        Err(bad(field, format!("{value} is outside {low}..={high}")))
    }
}

fn real_in(field: &str, value: f64, low: f64, high: f64, low_open: bool) -> Result<()> {
    let above = if low_open { value > low } else { value >= low };
    if value.is_finite() && above && value <= high {
        Ok(())
    } else {
        let open = if low_open { "(" } else { "[" };
        Err(bad(
            field,
            format!("{value} is outside {open}{low}, {high}]"),
        ))
    }
}

/// Checks every bounded key of `c`.
pub fn check(c: &MineConfig) -> Result<()> {
    let e = &c.encoder;
    int_in("encoder.embedding_dim", e.embedding_dim, 1, 4096)?;
    int_in("encoder.hidden", e.hidden, 1, 4096)?;
    int_in("encoder.heads", e.heads, 1, 64)?;
    int_in("encoder.out_dim", e.out_dim, 1, 4096)?;
    if e.hidden * e.heads > 16_384 {
        return Err(bad(
            "encoder.heads",
            format!(
                "hidden x heads = {} is over the limit of 16384",
                e.hidden * e.heads
            ),
        ));
    }
    real_in("encoder.dropout", f64::from(e.dropout), 0.0, 0.99, false)?;
    real_in(
        "encoder.negative_slope",
        f64::from(e.negative_slope),
        0.0,
        1.0,
        false,
    )?;
    let t = &c.train;
    int_in("train.epochs", t.epochs, 1, 10_000_000)?;
    int_in("train.warmup_epochs", t.warmup_epochs, 0, t.epochs)?;
    real_in("train.learning_rate", t.learning_rate, 0.0, 10.0, true)?;
    real_in("train.weight_decay", t.weight_decay, 0.0, 1.0, false)?;
    real_in("train.clip_norm", t.clip_norm, 0.0, 1e6, false)?;
    int_in("train.negatives", t.negatives, 1, 64)?;
    int_in("train.patience", t.patience, 0, 10_000_000)?;
    int_in("train.batch_edges", t.batch_edges, 0, 100_000_000)?;
    int_in(
        "train.full_batch_limit",
        t.full_batch_limit,
        1,
        1_000_000_000,
    )?;
    int_in("train.fanout[0]", t.fanout[0], 1, 1000)?;
    int_in("train.fanout[1]", t.fanout[1], 1, 1000)?;
    if let Some(a) = &t.image_align {
        real_in(
            "train.image_align.weight",
            f64::from(a.weight),
            0.0,
            100.0,
            false,
        )?;
        real_in(
            "train.image_align.temperature",
            f64::from(a.temperature),
            0.01,
            1.0,
            false,
        )?;
        int_in("train.image_align.batch_users", a.batch_users, 2, 65_536)?;
    }
    let v = &c.evidence;
    int_in("evidence.token_budget", v.token_budget, 1, 1_000_000)?;
    int_in("evidence.max_communities", v.max_communities, 1, 1000)?;
    int_in(
        "evidence.snippets_per_community",
        v.snippets_per_community,
        0,
        1000,
    )?;
    if let Some(t) = c.threads {
        int_in("threads", t, 1, 256)?;
    }
    if let Some(m) = c.memory_limit_mb {
        if m == 0 {
            return Err(bad("memory_limit_mb", "must be positive".into()));
        }
    }
    Ok(())
}

/// Bytes a job of `c` needs at its peak, roughly, for a graph of `nodes` nodes and
/// `message_edges` message-passing edges: parameters with their gradients and AdamW moments,
/// and each layer's per-edge attention and per-node activations (forward and backward) for the
/// edges one step sees.
pub fn estimate_bytes(c: &MineConfig, nodes: u64, message_edges: u64) -> u64 {
    let e = &c.encoder;
    let t = &c.train;
    let (emb, wide, out) = (
        e.embedding_dim as u64,
        (e.hidden * e.heads) as u64,
        e.out_dim as u64,
    );
    let f32s = 4u64;
    let weights = nodes.saturating_mul(emb) + 2 * (emb * wide + wide * out) + wide + out;
    let params = weights.saturating_mul(4 * f32s);
    let full_batch = t.batch_edges == 0 && message_edges <= t.full_batch_limit as u64;
    let step_edges = if full_batch {
        message_edges
    } else {
        let batch = if t.batch_edges == 0 {
            65_536
        } else {
            t.batch_edges as u64
        };
        // Each batch edge's two ends, their sampled neighbours and those neighbours' own.
        let per = 2 * (1 + t.fanout[0] as u64 * (1 + t.fanout[1] as u64));
        batch.saturating_mul(per).min(message_edges)
    };
    let step_nodes = if full_batch {
        nodes
    } else {
        step_edges.min(nodes)
    };
    let per_edge = (e.heads as u64 * 6 + 6) * f32s + 16;
    let per_node = (emb + 2 * wide + 2 * out) * 6 * f32s;
    params
        .saturating_add(step_edges.saturating_mul(per_edge))
        .saturating_add(step_nodes.saturating_mul(per_node))
}

/// Refuses a job whose estimate is over its memory limit, with the figures and what to change.
pub fn check_memory(c: &MineConfig, nodes: u64, message_edges: u64) -> Result<()> {
    let limit = c.memory_limit_mb.unwrap_or(DEFAULT_MEMORY_LIMIT_MB);
    let need = estimate_bytes(c, nodes, message_edges).div_ceil(1 << 20);
    if need > limit {
        return Err(bad(
            "memory_limit_mb",
            format!(
                "this job needs about {need} MiB ({nodes} nodes, {message_edges} message edges), \
                 over the limit of {limit} MiB: make the encoder smaller, train in mini-batches \
                 (train.batch_edges) or raise memory_limit_mb"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Result<MineConfig> {
        MineConfig::from_json(&format!(r#"{{"graph": "g", "out_dir": "o"{extra}}}"#), None)
    }

    #[test]
    fn out_of_bounds_keys_are_named() {
        for (extra, field) in [
            (
                r#","encoder":{"hidden":18446744073709551615}"#,
                "encoder.hidden",
            ),
            (r#","encoder":{"heads":100000}"#, "encoder.heads"),
            (
                r#","encoder":{"embedding_dim":1099511627776}"#,
                "encoder.embedding_dim",
            ),
            (r#","encoder":{"out_dim":1000000}"#, "encoder.out_dim"),
            (r#","threads":100000"#, "threads"),
            (
                r#","train":{"image_align":{"temperature":0}}"#,
                "train.image_align.temperature",
            ),
            (
                r#","train":{"image_align":{"temperature":-1}}"#,
                "train.image_align.temperature",
            ),
            (
                r#","train":{"image_align":{"batch_users":0}}"#,
                "train.image_align.batch_users",
            ),
            (r#","train":{"weight_decay":1e30}"#, "train.weight_decay"),
            (r#","memory_limit_mb":0"#, "memory_limit_mb"),
        ] {
            let e = config(extra)
                .err()
                .unwrap_or_else(|| panic!("{extra} was accepted"));
            assert_eq!(e.status(), crate::ZippStatus::InvalidConfig, "{extra}: {e}");
            assert!(e.to_string().contains(field), "{extra}: {e}");
        }
        config("").unwrap();
    }

    #[test]
    fn schema_errors_are_config_errors_and_syntax_errors_json_errors() {
        let e = config(r#","encoder":{"hidden":"wide"}"#).err().unwrap();
        assert_eq!(e.status(), crate::ZippStatus::InvalidConfig, "{e}");
        let e = config(r#","bogus":1"#).err().unwrap();
        assert_eq!(e.status(), crate::ZippStatus::InvalidConfig, "{e}");
        let e = MineConfig::from_json("{", None).err().unwrap();
        assert_eq!(e.status(), crate::ZippStatus::InvalidJson, "{e}");
    }

    #[test]
    fn memory_grows_with_the_graph_and_is_refused_over_the_limit() {
        let c = config("").unwrap();
        let small = estimate_bytes(&c, 22_000, 800_000);
        assert!(small < 2 << 30, "{small}");
        check_memory(&c, 22_000, 800_000).unwrap();
        let wide = config(r#","encoder":{"hidden":4096,"heads":4,"embedding_dim":4096}"#).unwrap();
        let e = check_memory(&wide, 23_000_000, 1_000_000_000).unwrap_err();
        assert!(e.to_string().contains("memory_limit_mb"), "{e}");
        let tight = config(r#","memory_limit_mb":1"#).unwrap();
        assert!(check_memory(&tight, 22_000, 800_000).is_err());
    }
}
