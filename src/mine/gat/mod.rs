//! GATv2 graph attention (Brody et al.), as PyTorch Geometric's `GATv2Conv`, on candle.
//!
//! [`GatV2Conv`] is the layer; [`EdgeIndex`] the directed message-passing edges; the attention
//! and aggregation run as one fused CPU operation with its own backward pass
//! ([`attention::GatAttention`]), or as plain differentiable tensor operations on other devices
//! ([`reference::attention`]).

pub mod attention;
mod conv;
mod edges;
mod params;
pub mod reference;

pub use conv::{GatV2Config, GatV2Conv};
pub use edges::EdgeIndex;
pub use params::Params;

#[cfg(test)]
mod tests;
