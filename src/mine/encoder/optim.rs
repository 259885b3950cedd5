//! AdamW with its state exposed for checkpoints, and global gradient-norm clipping.

use candle_core::backprop::GradStore;
use candle_core::{Tensor, Var};

/// AdamW (decoupled weight decay), one moment pair per parameter.
#[derive(Debug)]
pub struct AdamW {
    /// First-moment decay.
    pub beta1: f64,
    /// Second-moment decay.
    pub beta2: f64,
    /// Denominator guard.
    pub eps: f64,
    /// Decoupled weight decay.
    pub weight_decay: f64,
    /// Steps taken.
    pub step: u64,
    /// First and second moments, in parameter order.
    pub moments: Vec<(Tensor, Tensor)>,
}

impl AdamW {
    /// Fresh state for `vars`.
    pub fn new(vars: &[&Var], weight_decay: f64) -> candle_core::Result<Self> {
        let moments = vars
            .iter()
            .map(|v| Ok((v.zeros_like()?, v.zeros_like()?)))
            .collect::<candle_core::Result<_>>()?;
        Ok(Self {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay,
            step: 0,
            moments,
        })
    }

    /// One update of `vars` with `grads` at learning rate `lr`; variables without a gradient
    /// are left alone.
    pub fn update(&mut self, vars: &[&Var], grads: &GradStore, lr: f64) -> candle_core::Result<()> {
        self.step += 1;
        let t = self.step as i32;
        let c1 = 1.0 - self.beta1.powi(t);
        let c2 = 1.0 - self.beta2.powi(t);
        for (var, (m, v)) in vars.iter().zip(self.moments.iter_mut()) {
            let Some(g) = grads.get(var) else { continue };
            // Gradients can carry candle's op graph (they are computed from variables); the
            // moments must not, or every step would keep the previous steps' graphs alive.
            let g = g.detach();
            *m = ((&*m * self.beta1)? + (&g * (1.0 - self.beta1))?)?.detach();
            *v = ((&*v * self.beta2)? + (g.sqr()? * (1.0 - self.beta2))?)?.detach();
            let step = ((&*m / c1)? / ((&*v / c2)?.sqrt()? + self.eps)?)?;
            let decayed = (var.as_tensor().detach() * (1.0 - lr * self.weight_decay))?;
            var.set(&(decayed - (step * lr)?)?)?;
        }
        Ok(())
    }
}

/// Scales every gradient so that their global L2 norm is at most `max_norm`; returns the norm
/// before clipping.
pub fn clip_gradients(
    vars: &[&Var],
    grads: &mut GradStore,
    max_norm: f64,
) -> candle_core::Result<f64> {
    let mut sum = 0.0f64;
    for v in vars {
        if let Some(g) = grads.get(v) {
            sum += f64::from(g.sqr()?.sum_all()?.to_scalar::<f32>()?);
        }
    }
    let norm = sum.sqrt();
    if max_norm > 0.0 && norm > max_norm {
        let scale = max_norm / (norm + 1e-6);
        for v in vars {
            if let Some(g) = grads.remove(v) {
                grads.insert(v, (g * scale)?);
            }
        }
    }
    Ok(norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    #[test]
    fn steps_descend_and_keep_no_graph_between_steps() {
        let x = Var::from_tensor(&Tensor::new(&[3.0f32, -2.0], &Device::Cpu).unwrap()).unwrap();
        let mut adam = AdamW::new(&[&x], 0.0).unwrap();
        for _ in 0..200 {
            // Loss x . x: the gradient 2x is computed from the variable, so it carries a graph.
            let mut grads = x.sqr().unwrap().sum_all().unwrap().backward().unwrap();
            clip_gradients(&[&x], &mut grads, 1.0).unwrap();
            adam.update(&[&x], &grads, 0.05).unwrap();
            let (m, v) = &adam.moments[0];
            assert!(
                !m.track_op() && !v.track_op(),
                "moments hold the step's graph"
            );
        }
        let left: Vec<f32> = x.to_vec1().unwrap();
        assert!(left.iter().all(|v| v.abs() < 0.2), "{left:?}");
    }
}
