//! Win rates and the exact two-sided binomial test, as `scipy.stats.binomtest` computes it.
//!
//! Probabilities use Loader's saddle-point method (as R's `dbinom` and Boost do), accurate to a
//! few ulps where `exp(lgamma(..))` loses digits for large n.

use serde::Serialize;

/// Stirling's series error term `ln(n!) - ln(sqrt(2 pi n) (n/e)^n)`.
// The table keeps the published digits.
#[allow(clippy::excessive_precision)]
fn stirlerr(n: f64) -> f64 {
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    // stirlerr(k/2) for k = 0..30, from R's nmath.
    const TABLE: [f64; 31] = [
        0.0,
        0.1534264097200273452913848,
        0.0810614667953272582196702,
        0.0548141210519176538961390,
        0.0413406959554092940938221,
        0.03316287351993628748511048,
        0.02767792568499833914878929,
        0.02374616365629749597132920,
        0.02079067210376509311152277,
        0.01848845053267318523077934,
        0.01664469118982119216319487,
        0.01513497322191737887351255,
        0.01387612882307074799874573,
        0.01281046524292022692424986,
        0.01189670994589177009505572,
        0.01110455975820691732662991,
        0.010411265261972096497478567,
        0.009799416126158803298389475,
        0.009255462182712732917728637,
        0.008768700134139385462952823,
        0.008330563433362871256469318,
        0.007934114564314020547248100,
        0.007573675487951840794972024,
        0.007244554301320383179543912,
        0.006942840107209529865664152,
        0.006665247032707682442354394,
        0.006408994188004207068439631,
        0.006171712263039457647532867,
        0.005951370112758847735624416,
        0.005746216513010115682023589,
        0.005554733551962801371038690,
    ];
    if n <= 15.0 {
        let twice = n + n;
        if twice == twice.floor() {
            return TABLE[twice as usize];
        }
        return ln_gamma(n + 1.0) - (n + 0.5) * n.ln() + n
            - 0.5 * (2.0 * std::f64::consts::PI).ln();
    }
    let nn = n * n;
    if n > 500.0 {
        return (S0 - S1 / nn) / n;
    }
    if n > 80.0 {
        return (S0 - (S1 - S2 / nn) / nn) / n;
    }
    if n > 35.0 {
        return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
    }
    (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n
}

/// `x ln(x/np) + np - x`, computed without cancellation (Loader's bd0).
fn bd0(x: f64, np: f64) -> f64 {
    if (x - np).abs() < 0.1 * (x + np) {
        let mut v = (x - np) / (x + np);
        let mut s = (x - np) * v;
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
    }
    x * (x / np).ln() + np - x
}

/// Lanczos approximation of ln Γ(x) for x > 0 (only used for small non-integer halves).
#[allow(clippy::excessive_precision)]
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// P(X = k) for X ~ Binomial(n, p).
pub fn binomial_pmf(k: u64, n: u64, p: f64) -> f64 {
    if k > n || !(0.0..=1.0).contains(&p) {
        return 0.0;
    }
    let q = 1.0 - p;
    if p == 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if q == 0.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    let (k, n) = (k as f64, n as f64);
    if k == 0.0 {
        return (n * q.ln()).exp();
    }
    if k == n {
        return (n * p.ln()).exp();
    }
    let lc = stirlerr(n) - stirlerr(k) - stirlerr(n - k) - bd0(k, n * p) - bd0(n - k, n * q);
    let lf = (2.0 * std::f64::consts::PI).ln() + k.ln() + (-k / n).ln_1p();
    (lc - 0.5 * lf).exp()
}

fn cdf(k: u64, n: u64, p: f64) -> f64 {
    (0..=k.min(n))
        .map(|i| binomial_pmf(i, n, p))
        .sum::<f64>()
        .min(1.0)
}

fn sf(k: i64, n: u64, p: f64) -> f64 {
    // P(X > k)
    let start = (k + 1).max(0) as u64;
    (start..=n)
        .map(|i| binomial_pmf(i, n, p))
        .sum::<f64>()
        .min(1.0)
}

/// Exact two-sided p-value of `k` successes in `n` trials under success probability `p`, as
/// `scipy.stats.binomtest(k, n, p).pvalue`: the probability of every outcome no more likely than
/// `k` (with scipy's relative tolerance of 1e-7).
pub fn binomial_test_two_sided(k: u64, n: u64, p: f64) -> f64 {
    if n == 0 || k > n || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let d = binomial_pmf(k, n, p);
    let rerr = 1.0 + 1e-7;
    let np = p * n as f64;
    let search = |a: &dyn Fn(i64) -> f64, target: f64, mut lo: i64, mut hi: i64| -> i64 {
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let v = a(mid);
            if v < target {
                lo = mid + 1;
            } else if v > target {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        if a(lo) <= target {
            lo
        } else {
            lo - 1
        }
    };
    let pmf = |x: i64| binomial_pmf(x.max(0) as u64, n, p);
    let pval = if (k as f64) == np {
        1.0
    } else if (k as f64) < np {
        let ix = search(&|x| -pmf(x), -d * rerr, np.ceil() as i64, n as i64);
        let y = n as i64 - ix + i64::from(d * rerr == pmf(ix));
        cdf(k, n, p) + sf(n as i64 - y, n, p)
    } else {
        let ix = search(&|x| pmf(x), d * rerr, 0, np.floor() as i64);
        let y = ix + 1;
        let lower = if y >= 1 {
            cdf((y - 1) as u64, n, p)
        } else {
            0.0
        };
        lower + sf(k as i64 - 1, n, p)
    };
    pval.min(1.0)
}

/// A head-to-head comparison: how often method A beat method B.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WinRate {
    /// Comparisons A won.
    pub wins: u64,
    /// Comparisons A lost.
    pub losses: u64,
    /// Ties (left out of the rate and the test).
    pub ties: u64,
    /// wins / (wins + losses).
    pub rate: f64,
    /// Two-sided exact binomial p-value against 0.5.
    pub p_value: f64,
}

impl WinRate {
    /// The win rate of `wins` against `losses`, ties left out.
    pub fn new(wins: u64, losses: u64, ties: u64) -> Self {
        let n = wins + losses;
        Self {
            wins,
            losses,
            ties,
            rate: if n == 0 {
                f64::NAN
            } else {
                wins as f64 / n as f64
            },
            p_value: binomial_test_two_sided(wins, n, 0.5),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pmf_sums_to_one_and_matches_small_cases() {
        let total: f64 = (0..=40).map(|k| binomial_pmf(k, 40, 0.3)).sum();
        assert!((total - 1.0).abs() < 1e-14, "{total}");
        assert!((binomial_pmf(2, 4, 0.5) - 0.375).abs() < 1e-15);
        assert_eq!(binomial_pmf(5, 4, 0.5), 0.0);
    }

    #[test]
    fn symmetric_cases() {
        assert_eq!(binomial_test_two_sided(5, 10, 0.5), 1.0);
        // scipy.stats.binomtest(0, 10).pvalue == 2 * 0.5**10
        assert!((binomial_test_two_sided(0, 10, 0.5) - 2.0 / 1024.0).abs() < 1e-16);
        let w = WinRate::new(198, 52, 3);
        assert!((w.rate - 0.792).abs() < 1e-12 && w.p_value < 1e-19);
    }
}
