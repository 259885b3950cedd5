//! Named trainable tensors: what the optimizer updates and checkpoints save.

use candle_core::{Device, Tensor, Var};

use crate::rng::SplitMix;

/// Trainable tensors in creation order, each with a unique name.
#[derive(Debug, Default, Clone)]
pub struct Params {
    vars: Vec<(String, Var)>,
}

impl Params {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a tensor under `name` and returns its variable.
    pub fn add(&mut self, name: &str, value: Tensor) -> candle_core::Result<Var> {
        if self.get(name).is_some() {
            candle_core::bail!("parameter {name} defined twice");
        }
        let var = Var::from_tensor(&value)?;
        self.vars.push((name.to_string(), var.clone()));
        Ok(var)
    }

    /// A Glorot-uniform matrix (as PyTorch Geometric initializes weights and attention).
    pub fn glorot(
        &mut self,
        name: &str,
        shape: (usize, usize),
        rng: &mut SplitMix,
        dev: &Device,
    ) -> candle_core::Result<Var> {
        let a = (6.0 / (shape.0 + shape.1) as f64).sqrt();
        self.add(name, uniform(shape, a, rng, dev)?)
    }

    /// A zero tensor.
    pub fn zeros(&mut self, name: &str, len: usize, dev: &Device) -> candle_core::Result<Var> {
        self.add(name, Tensor::zeros(len, candle_core::DType::F32, dev)?)
    }

    /// The variable called `name`.
    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Every (name, variable) pair in creation order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Var)> {
        self.vars.iter().map(|(n, v)| (n.as_str(), v))
    }

    /// Number of scalar parameters.
    pub fn count(&self) -> usize {
        self.vars.iter().map(|(_, v)| v.elem_count()).sum()
    }
}

/// A tensor of uniform values in `[-a, a)`.
pub fn uniform(
    shape: (usize, usize),
    a: f64,
    rng: &mut SplitMix,
    dev: &Device,
) -> candle_core::Result<Tensor> {
    let v: Vec<f32> = (0..shape.0 * shape.1)
        .map(|_| ((rng.unit() * 2.0 - 1.0) * a) as f32)
        .collect();
    Tensor::from_vec(v, shape, dev)
}
