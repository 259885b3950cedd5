//! Evaluation statistics of the ZIPP paper: CLIPScore and Image-Align, CMMD (pluralistic
//! diversity), IPF raking to demographic margins with weighted aggregates, and win rates with
//! exact binomial tests. Everything here works on embeddings and labels however they were made
//! (the [`crate::clip`] module makes CLIP embeddings).

pub mod binomial;
pub mod clip_score;
pub mod cmmd;
pub mod ipf;
pub mod manifest;
pub mod report;

pub use binomial::{binomial_pmf, binomial_test_two_sided, WinRate};
pub use clip_score::{clip_score_hessel, clip_score_torchmetrics, cosine, image_align, ImageAlign};
pub use cmmd::cmmd;
pub use ipf::{rake, weighted_mean, Margin, RakeOptions, Raked};
