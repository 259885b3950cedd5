//! The training objectives: binary cross-entropy on link scores and ImageAlign's InfoNCE.

use candle_core::{DType, Tensor, Var, D};

/// `log(1 + exp(x))`, stable for large |x|.
fn softplus(x: &Tensor) -> candle_core::Result<Tensor> {
    x.relu()? + (x.abs()?.neg()?.exp()? + 1.0)?.log()?
}

/// Mean binary cross-entropy with logits: positives labelled 1, negatives 0.
pub fn link_loss(pos: &Tensor, neg: &Tensor) -> candle_core::Result<Tensor> {
    let n = (pos.elem_count() + neg.elem_count()) as f64;
    (softplus(&pos.neg()?)?.sum_all()? + softplus(neg)?.sum_all()?)? / n
}

/// Symmetric InfoNCE between projected user embeddings `z` (rows) and their image targets
/// (rows, unit length): each user's own images are the positive, the batch's others negatives.
pub fn image_align_loss(
    z: &Tensor,
    targets: &Tensor,
    (weight, bias, log_temp): (&Var, &Var, &Var),
    learn_temperature: bool,
) -> candle_core::Result<Tensor> {
    let p = z.matmul(&weight.t()?)?.broadcast_add(bias)?;
    let p = p.broadcast_div(&(p.sqr()?.sum_keepdim(1)? + 1e-12)?.sqrt()?)?;
    let log_temp = if learn_temperature {
        log_temp.as_tensor().clamp(0.01f32.ln(), 0.0)?
    } else {
        log_temp.as_tensor().detach()
    };
    let logits = p.matmul(&targets.t()?)?.broadcast_div(&log_temp.exp()?)?;
    let n = logits.dim(0)?;
    let labels = Tensor::arange(0u32, n as u32, logits.device())?;
    let a = cross_entropy(&logits, &labels)?;
    let b = cross_entropy(&logits.t()?, &labels)?;
    (a + b)? / 2.0
}

/// Mean cross-entropy of rows of `logits` against class `labels`.
fn cross_entropy(logits: &Tensor, labels: &Tensor) -> candle_core::Result<Tensor> {
    let max = logits.max_keepdim(D::Minus1)?.detach();
    let shifted = logits.broadcast_sub(&max)?;
    let lse = shifted.exp()?.sum_keepdim(D::Minus1)?.log()?;
    let picked = shifted.gather(&labels.unsqueeze(1)?.to_dtype(DType::U32)?, 1)?;
    (lse - picked)?.mean_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn link_loss_is_bce() {
        let pos = Tensor::new(&[2.0f32, -1.0], &Device::Cpu).unwrap();
        let neg = Tensor::new(&[0.5f32], &Device::Cpu).unwrap();
        let got = link_loss(&pos, &neg).unwrap().to_scalar::<f32>().unwrap();
        let want =
            ((1.0 + (-2.0f32).exp()).ln() + (1.0 + 1.0f32.exp()).ln() + (1.0 + 0.5f32.exp()).ln())
                / 3.0;
        assert!((got - want).abs() < 1e-6);
        let big = Tensor::new(&[100.0f32], &Device::Cpu).unwrap();
        let l = link_loss(&big, &big.neg().unwrap())
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(l.is_finite() && l < 1e-6);
    }

    #[test]
    fn cross_entropy_matches_by_hand() {
        let logits = Tensor::new(&[[1.0f32, 2.0], [0.0, 0.0]], &Device::Cpu).unwrap();
        let labels = Tensor::new(&[1u32, 0], &Device::Cpu).unwrap();
        let got = cross_entropy(&logits, &labels)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        let want = ((1.0f32.exp() + 2.0f32.exp()).ln() - 2.0 + 2.0f32.ln()) / 2.0;
        assert!((got - want).abs() < 1e-6);
    }
}
