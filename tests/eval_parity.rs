//! The evaluation statistics equal their references (fixture made by scripts/eval_fixtures.py):
//! CMMD the google-research formula in float64, binomial p-values scipy's binomtest, IPF weights
//! the ipfn package's fit.

use std::collections::BTreeMap;

use serde_json::Value;
use zipp::eval::{binomial_test_two_sided, cmmd, rake, weighted_mean, Margin, RakeOptions};

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/eval_parity.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture JSON")
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn cmmd_matches_the_reference_formula() {
    for case in fixture()["cmmd"].as_array().unwrap() {
        let dim = case["dim"].as_u64().unwrap() as usize;
        let got = cmmd(&floats(&case["x"]), &floats(&case["y"]), dim).unwrap();
        let expected = case["expected"].as_f64().unwrap();
        let rel = ((got - expected) / expected).abs();
        assert!(rel < 1e-9, "cmmd {got} vs {expected} (relative {rel:e})");
    }
}

#[test]
fn binomial_p_values_match_scipy() {
    for case in fixture()["binomial"].as_array().unwrap() {
        let (k, n, p) = (
            case["k"].as_u64().unwrap(),
            case["n"].as_u64().unwrap(),
            case["p"].as_f64().unwrap(),
        );
        let got = binomial_test_two_sided(k, n, p);
        let expected = case["expected"].as_f64().unwrap();
        assert!(
            (got - expected).abs() < 1e-12,
            "binomtest({k}, {n}, {p}): {got:e} vs scipy {expected:e}"
        );
    }
}

#[test]
fn ipf_weights_match_ipfn() {
    let ipf = &fixture()["ipf"];
    let samples: Vec<Vec<&str>> = ipf["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap())
                .collect()
        })
        .collect();
    let margins: Vec<Margin> = ipf["margins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| Margin {
            name: m["name"].as_str().unwrap().to_string(),
            targets: m["targets"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_f64().unwrap()))
                .collect::<BTreeMap<_, _>>(),
        })
        .collect();
    let raked = rake(
        &samples,
        &margins,
        RakeOptions {
            tolerance: 1e-13,
            max_iterations: 100_000,
        },
    )
    .unwrap();
    let expected: Vec<f64> = ipf["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_f64().unwrap())
        .collect();
    for (i, (got, want)) in raked.weights.iter().zip(&expected).enumerate() {
        assert!(
            (got - want).abs() < 1e-9,
            "sample {i}: {got} vs ipfn {want}"
        );
    }
    // The raked margins hit their targets, so a weighted share equals the target share.
    let is_man: Vec<f64> = samples
        .iter()
        .map(|s| f64::from(u8::from(s[1] == "man")))
        .collect();
    assert!((weighted_mean(&is_man, &raked.weights).unwrap() - 0.5).abs() < 1e-9);
}
