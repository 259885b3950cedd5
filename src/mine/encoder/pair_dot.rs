//! Dot products of node pairs as one candle operation: `out[i] = z[a_i] . z[b_i]` without
//! gathering the rows (two pair-count x width tensors that the plain gather-multiply-sum would
//! keep for the backward pass); the backward pass scatters into the rows directly.

use std::sync::Arc;

use candle_core::{CpuStorage, CustomOp1, Layout, Shape, Tensor};
use rayon::prelude::*;

/// The pairs whose embeddings are multiplied.
#[derive(Debug, Clone)]
pub struct PairDot {
    /// First node of each pair.
    pub a: Arc<Vec<u32>>,
    /// Second node of each pair.
    pub b: Arc<Vec<u32>>,
}

impl PairDot {
    fn rows(z: &[f32], width: usize, i: u32) -> candle_core::Result<&[f32]> {
        let start = i as usize * width;
        z.get(start..start + width).ok_or_else(|| {
            candle_core::Error::Msg(format!("pair names node {i} outside the embeddings"))
        })
    }
}

impl CustomOp1 for PairDot {
    fn name(&self) -> &'static str {
        "zipp-pair-dot"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let z = crate::cpu_slice::f32_slice(storage, layout, "pair dot")?;
        let (_, width) = layout.shape().dims2()?;
        let out = self
            .a
            .par_iter()
            .zip(self.b.par_iter())
            .map(|(a, b)| {
                let (x, y) = (Self::rows(z, width, *a)?, Self::rows(z, width, *b)?);
                Ok(x.iter().zip(y).map(|(p, q)| p * q).sum())
            })
            .collect::<candle_core::Result<Vec<f32>>>()?;
        Ok((CpuStorage::F32(out), Shape::from(self.a.len())))
    }

    fn bwd(&self, z: &Tensor, _res: &Tensor, grad: &Tensor) -> candle_core::Result<Option<Tensor>> {
        let (n, width) = z.dims2()?;
        let zv = z.flatten_all()?.to_vec1::<f32>()?;
        let g = grad.to_vec1::<f32>()?;
        let mut dz = vec![0f32; n * width];
        for ((a, b), g) in self.a.iter().zip(self.b.iter()).zip(&g) {
            let (a, b) = (*a as usize * width, *b as usize * width);
            for c in 0..width {
                let (za, zb) = (zv[a + c], zv[b + c]);
                dz[a + c] += g * zb;
                dz[b + c] += g * za;
            }
        }
        Ok(Some(Tensor::from_vec(dz, (n, width), z.device())?))
    }
}

/// `z[a_i] . z[b_i]` for every pair: the fused operation on the CPU, gathers elsewhere.
pub fn pair_dot(z: &Tensor, a: Vec<u32>, b: Vec<u32>) -> candle_core::Result<Tensor> {
    if z.device().is_cpu() {
        return z.contiguous()?.apply_op1(PairDot {
            a: Arc::new(a),
            b: Arc::new(b),
        });
    }
    let n = a.len();
    let ia = Tensor::from_vec(a, n, z.device())?;
    let ib = Tensor::from_vec(b, n, z.device())?;
    (z.index_select(&ia, 0)? * z.index_select(&ib, 0)?)?.sum(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Var};

    #[test]
    fn matches_gather_multiply_sum_forward_and_backward() {
        let v: Vec<f32> = (0..15).map(|i| (i as f32 * 0.37).sin()).collect();
        let z = Var::from_tensor(&Tensor::from_vec(v, (5, 3), &Device::Cpu).unwrap()).unwrap();
        let (a, b) = (vec![0u32, 1, 4, 4], vec![2u32, 1, 0, 3]);
        let w = Tensor::new(&[1.0f32, -2.0, 0.5, 3.0], &Device::Cpu).unwrap();
        let fused = z
            .apply_op1(PairDot {
                a: Arc::new(a.clone()),
                b: Arc::new(b.clone()),
            })
            .unwrap();
        let ia = Tensor::new(a.as_slice(), &Device::Cpu).unwrap();
        let ib = Tensor::new(b.as_slice(), &Device::Cpu).unwrap();
        let plain = (z.index_select(&ia, 0).unwrap() * z.index_select(&ib, 0).unwrap())
            .unwrap()
            .sum(1)
            .unwrap();
        let diff = |x: &Tensor, y: &Tensor| {
            (x - y)
                .unwrap()
                .abs()
                .unwrap()
                .sum_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap()
        };
        assert!(diff(&fused, &plain) < 1e-6);
        let g1 = (fused * &w).unwrap().sum_all().unwrap().backward().unwrap();
        let g2 = (plain * &w).unwrap().sum_all().unwrap().backward().unwrap();
        assert!(diff(g1.get(&z).unwrap(), g2.get(&z).unwrap()) < 1e-5);
        let bad = z.apply_op1(PairDot {
            a: Arc::new(vec![9]),
            b: Arc::new(vec![0]),
        });
        assert!(bad.is_err());
    }
}
