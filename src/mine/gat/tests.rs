//! The fused operation against the tensor-operation path and against finite differences.

use std::sync::Arc;

use candle_core::{Device, Tensor, Var};

use super::attention::GatAttention;
use super::{reference, EdgeIndex, GatV2Config, GatV2Conv, Params};
use crate::rng::SplitMix;

fn random(shape: (usize, usize, usize), rng: &mut SplitMix, scale: f64) -> Tensor {
    let v: Vec<f32> = (0..shape.0 * shape.1 * shape.2)
        .map(|_| ((rng.unit() * 2.0 - 1.0) * scale) as f32)
        .collect();
    Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
}

/// A small graph with a node that receives nothing and one with many incoming edges.
fn graph() -> Arc<EdgeIndex> {
    let src = [1, 2, 3, 4, 0, 0, 2, 5, 1, 3, 4, 5, 2];
    let dst = [0, 0, 0, 0, 1, 2, 1, 1, 3, 3, 3, 3, 4];
    Arc::new(EdgeIndex::new(7, &src, &dst).unwrap())
}

fn inputs(seed: u64) -> (Var, Var, Var) {
    let mut rng = SplitMix(seed);
    (
        Var::from_tensor(&random((7, 3, 4), &mut rng, 1.0)).unwrap(),
        Var::from_tensor(&random((7, 3, 4), &mut rng, 1.0)).unwrap(),
        Var::from_tensor(&random((3, 4, 1), &mut rng, 2.0).squeeze(2).unwrap()).unwrap(),
    )
}

fn max_diff(a: &Tensor, b: &Tensor) -> f32 {
    (a - b)
        .unwrap()
        .abs()
        .unwrap()
        .flatten_all()
        .unwrap()
        .max(0)
        .unwrap()
        .to_scalar::<f32>()
        .unwrap()
}

#[test]
fn fused_matches_tensor_operations_forward_and_backward() {
    let edges = graph();
    for dropout in [0.0f32, 0.4] {
        let (xl, xr, att) = inputs(3);
        let mut rng = SplitMix(9);
        let seed_grad = random((7, 3, 4), &mut rng, 1.0);
        let op = GatAttention {
            edges: edges.clone(),
            slope: 0.2,
            dropout,
            seed: 77,
        };
        let fused = xl.apply_op3(&xr, &att, op).unwrap();
        let refd = reference::attention(&xl, &xr, &att, &edges, 0.2, (dropout, 77)).unwrap();
        assert!(max_diff(&fused, &refd) < 1e-6, "forward differs");
        // Node 6 receives no edge: its output is zero.
        assert_eq!(
            fused
                .get(6)
                .unwrap()
                .abs()
                .unwrap()
                .sum_all()
                .unwrap()
                .to_scalar::<f32>()
                .unwrap(),
            0.0
        );
        let g1 = (fused * &seed_grad)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        let g2 = (refd * &seed_grad)
            .unwrap()
            .sum_all()
            .unwrap()
            .backward()
            .unwrap();
        for v in [&xl, &xr, &att] {
            let (a, b) = (g1.get(v).unwrap(), g2.get(v).unwrap());
            assert!(
                max_diff(a, b) < 1e-5,
                "gradient differs by {}",
                max_diff(a, b)
            );
        }
    }
}

#[test]
fn gradients_match_finite_differences() {
    let edges = graph();
    let (xl, xr, att) = inputs(5);
    let mut rng = SplitMix(11);
    let seed_grad = random((7, 3, 4), &mut rng, 1.0);
    let loss = |xl: &Tensor, xr: &Tensor, att: &Tensor| -> f64 {
        let op = GatAttention {
            edges: edges.clone(),
            slope: 0.2,
            dropout: 0.0,
            seed: 0,
        };
        let xl64 = xl.to_dtype(candle_core::DType::F32).unwrap();
        let out = xl64.apply_op3(xr, att, op).unwrap();
        (out * &seed_grad)
            .unwrap()
            .sum_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap() as f64
    };
    let op = GatAttention {
        edges: edges.clone(),
        slope: 0.2,
        dropout: 0.0,
        seed: 0,
    };
    let out = xl.apply_op3(&xr, &att, op).unwrap();
    let grads = (out * &seed_grad)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let h = 1e-2f32;
    let mut checked = 0;
    for (which, var) in [&xl, &xr, &att].into_iter().enumerate() {
        let base = var.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let analytic = grads
            .get(var)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        for i in (0..base.len()).step_by(5) {
            let at = |d: f32| {
                let mut v = base.clone();
                v[i] += d;
                let t = Tensor::from_vec(v, var.shape(), &Device::Cpu).unwrap();
                match which {
                    0 => loss(&t, &xr, &att),
                    1 => loss(&xl, &t, &att),
                    _ => loss(&xl, &xr, &t),
                }
            };
            let numeric = (at(h) - at(-h)) / (2.0 * h as f64);
            let err = (numeric - analytic[i] as f64).abs();
            // Central differences in f32 across a LeakyReLU kink: 2e-2 absolute is tight enough
            // to catch a missing term, loose enough for rounding.
            assert!(
                err < 2e-2,
                "input {which} element {i}: numeric {numeric} analytic {}",
                analytic[i]
            );
            checked += 1;
        }
    }
    assert!(checked > 30);
}

#[test]
fn layer_output_has_its_width_and_attention_sums_to_one() {
    let edges = graph();
    let mut params = Params::new();
    let config = GatV2Config {
        in_channels: 5,
        out_channels: 4,
        heads: 2,
        concat: false,
        share_weights: false,
        negative_slope: 0.2,
        dropout: 0.0,
    };
    let conv = GatV2Conv::new(config, "conv", &mut params, &mut SplitMix(1), &Device::Cpu).unwrap();
    assert_eq!(params.iter().count(), 6);
    let x = random((7, 5, 1), &mut SplitMix(2), 1.0).squeeze(2).unwrap();
    let y = conv.forward(&x, &edges, None).unwrap();
    assert_eq!(y.dims(), &[7, 4]);
    let alpha = conv.attention(&x, &edges).unwrap();
    for t in 0..7 {
        for h in 0..2 {
            let s: f32 = edges.incoming(t).map(|k| alpha[k * 2 + h]).sum();
            if !edges.incoming(t).is_empty() {
                assert!((s - 1.0).abs() < 1e-5);
            }
        }
    }
}
