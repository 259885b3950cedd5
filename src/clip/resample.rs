//! Bicubic resizing of 8-bit images exactly as Pillow's `Image.resize(..., BICUBIC)` does it
//! (what transformers' CLIP image processor calls): separable passes, horizontal first, with the
//! filter widened by the scale when shrinking (antialiasing), 22-bit fixed-point weights and a
//! rounding to 8 bits after each pass.

const PRECISION_BITS: u32 = 32 - 8 - 2;

/// Pillow's bicubic kernel (a = -0.5), support 2.
fn bicubic(x: f64) -> f64 {
    let a = -0.5;
    let x = x.abs();
    if x < 1.0 {
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        (((x - 5.0) * x + 8.0) * x - 4.0) * a
    } else {
        0.0
    }
}

/// For each output position: the first input position, and fixed-point weights of the inputs.
fn coefficients(input: usize, output: usize) -> Vec<(usize, Vec<i32>)> {
    let scale = input as f64 / output as f64;
    let filterscale = scale.max(1.0);
    let support = 2.0 * filterscale;
    (0..output)
        .map(|xx| {
            let center = (xx as f64 + 0.5) * scale;
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(input as i64) as usize;
            let k: Vec<f64> = (xmin..xmax)
                .map(|x| bicubic((x as f64 - center + 0.5) / filterscale))
                .collect();
            let total: f64 = k.iter().sum();
            let fixed = k
                .iter()
                .map(|w| {
                    let w = if total != 0.0 { w / total } else { *w };
                    let s = w * f64::from(1u32 << PRECISION_BITS);
                    (if s < 0.0 { s - 0.5 } else { s + 0.5 }) as i32
                })
                .collect();
            (xmin, fixed)
        })
        .collect()
}

fn clip8(v: i64) -> u8 {
    (v >> PRECISION_BITS).clamp(0, 255) as u8
}

/// Resizes an interleaved RGB8 image (`width x height`) to `out_w x out_h`.
pub fn resize_rgb8(
    pixels: &[u8],
    width: usize,
    height: usize,
    out_w: usize,
    out_h: usize,
) -> Vec<u8> {
    let half = 1i64 << (PRECISION_BITS - 1);
    let mut current = pixels.to_vec();
    let mut w = width;
    if out_w != width {
        let coeffs = coefficients(width, out_w);
        let mut next = vec![0u8; out_w * height * 3];
        for y in 0..height {
            let row = &current[y * width * 3..(y + 1) * width * 3];
            for (xx, (xmin, k)) in coeffs.iter().enumerate() {
                for c in 0..3 {
                    let s: i64 = k
                        .iter()
                        .enumerate()
                        .map(|(i, kk)| i64::from(row[(xmin + i) * 3 + c]) * i64::from(*kk))
                        .sum();
                    next[(y * out_w + xx) * 3 + c] = clip8(half + s);
                }
            }
        }
        current = next;
        w = out_w;
    }
    if out_h != height {
        let coeffs = coefficients(height, out_h);
        let mut next = vec![0u8; w * out_h * 3];
        for (yy, (ymin, k)) in coeffs.iter().enumerate() {
            for x in 0..w {
                for c in 0..3 {
                    let s: i64 = k
                        .iter()
                        .enumerate()
                        .map(|(i, kk)| {
                            i64::from(current[((ymin + i) * w + x) * 3 + c]) * i64::from(*kk)
                        })
                        .sum();
                    next[(yy * w + x) * 3 + c] = clip8(half + s);
                }
            }
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_one_and_a_flat_image_stays_flat() {
        for (i, o) in [(50, 32), (20, 224), (37, 37), (1000, 3)] {
            for (_, k) in coefficients(i, o) {
                let s: i64 = k.iter().map(|x| i64::from(*x)).sum();
                assert!(
                    (s - (1 << PRECISION_BITS)).abs() <= k.len() as i64,
                    "{i}->{o}: {s}"
                );
            }
        }
        let flat = vec![77u8; 9 * 5 * 3];
        assert!(resize_rgb8(&flat, 9, 5, 4, 13).iter().all(|v| *v == 77));
    }
}
