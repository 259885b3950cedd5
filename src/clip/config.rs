//! CLIP configuration read from a Hugging Face `config.json` (any size, not only the presets),
//! with transformers' defaults for missing keys.

use serde::Deserialize;

use crate::error::{Result, ZippError};

pub use crate::nn::{Activation, TowerConfig};

/// The text tower and its tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct TextConfig {
    /// Transformer shape.
    pub tower: TowerConfig,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Longest token sequence (77).
    pub max_positions: usize,
    /// End-of-text token id: the text is pooled at its first occurrence (or at the largest id
    /// when it is 2, as transformers does for old configurations).
    pub eos_token_id: u32,
}

/// The vision tower.
#[derive(Debug, Clone, PartialEq)]
pub struct VisionConfig {
    /// Transformer shape.
    pub tower: TowerConfig,
    /// Input side in pixels.
    pub image_size: usize,
    /// Patch side in pixels.
    pub patch_size: usize,
    /// Input channels (3).
    pub channels: usize,
}

/// A whole CLIP model.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipConfig {
    /// Text tower.
    pub text: TextConfig,
    /// Vision tower.
    pub vision: VisionConfig,
    /// Width of the shared embedding space (the top-level `projection_dim`).
    pub projection_dim: usize,
}

#[derive(Deserialize, Default)]
struct RawTower {
    hidden_size: Option<usize>,
    intermediate_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    hidden_act: Option<String>,
    layer_norm_eps: Option<f64>,
    vocab_size: Option<usize>,
    max_position_embeddings: Option<usize>,
    eos_token_id: Option<u32>,
    image_size: Option<usize>,
    patch_size: Option<usize>,
    num_channels: Option<usize>,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    text_config: RawTower,
    #[serde(default)]
    vision_config: RawTower,
    projection_dim: Option<usize>,
}

impl ClipConfig {
    /// Parses `config.json` text; `path` names the file in errors.
    pub fn from_json(json: &str, path: &str) -> Result<Self> {
        let raw: RawConfig =
            serde_json::from_str(json).map_err(|e| ZippError::json(path.to_string(), &e))?;
        let tower = |r: &RawTower,
                     hidden: usize,
                     inter: usize,
                     layers: usize,
                     heads: usize|
         -> Result<TowerConfig> {
            let t = TowerConfig {
                hidden_size: r.hidden_size.unwrap_or(hidden),
                intermediate_size: r.intermediate_size.unwrap_or(inter),
                layers: r.num_hidden_layers.unwrap_or(layers),
                heads: r.num_attention_heads.unwrap_or(heads),
                activation: Activation::parse(
                    r.hidden_act.as_deref().unwrap_or("quick_gelu"),
                    path,
                )?,
                layer_norm_eps: r.layer_norm_eps.unwrap_or(1e-5),
            };
            t.check(path)?;
            Ok(t)
        };
        let (t, v) = (&raw.text_config, &raw.vision_config);
        let config = ClipConfig {
            text: TextConfig {
                tower: tower(t, 512, 2048, 12, 8)?,
                vocab_size: t.vocab_size.unwrap_or(49_408),
                max_positions: t.max_position_embeddings.unwrap_or(77),
                eos_token_id: t.eos_token_id.unwrap_or(49_407),
            },
            vision: VisionConfig {
                tower: tower(v, 768, 3072, 12, 12)?,
                image_size: v.image_size.unwrap_or(224),
                patch_size: v.patch_size.unwrap_or(32),
                channels: v.num_channels.unwrap_or(3),
            },
            projection_dim: raw.projection_dim.unwrap_or(512),
        };
        let vis = &config.vision;
        if vis.patch_size == 0 || vis.image_size % vis.patch_size != 0 || vis.image_size > 4096 {
            return Err(ZippError::InvalidModel {
                path: path.into(),
                message: format!(
                    "image size {} is not a multiple of patch size {}",
                    vis.image_size, vis.patch_size
                ),
            });
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_transformers_and_unknown_activations_are_refused() {
        let c = ClipConfig::from_json("{}", "config.json").unwrap();
        assert_eq!(
            (c.projection_dim, c.vision.patch_size, c.text.eos_token_id),
            (512, 32, 49_407)
        );
        let c = ClipConfig::from_json(r#"{"projection_dim": 768, "text_config": {"hidden_act": "gelu", "layer_norm_eps": 1e-6}}"#, "c").unwrap();
        assert_eq!(c.text.tower.activation, Activation::Gelu);
        assert_eq!(c.text.tower.layer_norm_eps, 1e-6);
        assert_eq!(c.projection_dim, 768);
        let e =
            ClipConfig::from_json(r#"{"vision_config": {"hidden_act": "silu"}}"#, "c").unwrap_err();
        assert!(e.to_string().contains("silu"), "{e}");
    }
}
