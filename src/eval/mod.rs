//! Evaluation statistics of the ZIPP paper: CMMD (pluralistic diversity), IPF raking to
//! demographic margins with weighted aggregates, and win rates with exact binomial tests.
//!
//! CLIP-based scores (CLIPScore, Image-Align) come with the CLIP module; everything here works on
//! embeddings and labels however they were made.

pub mod binomial;
pub mod cmmd;
pub mod ipf;

pub use binomial::{binomial_pmf, binomial_test_two_sided, WinRate};
pub use cmmd::cmmd;
pub use ipf::{rake, weighted_mean, Margin, RakeOptions, Raked};
