//! Named tensors of a safetensors file, fetched as f32 with their shapes checked and the file
//! named in every error.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{DType, Device, Tensor};

use crate::error::{Result, ZippError};

/// The tensors of one weights file.
pub(crate) struct Weights<'a> {
    pub(crate) map: HashMap<String, Tensor>,
    path: &'a Path,
}

impl<'a> Weights<'a> {
    /// Reads every tensor of the safetensors file at `path` onto the CPU.
    pub(crate) fn load(path: &'a Path) -> Result<Self> {
        let map = candle_core::safetensors::load(path, &Device::Cpu).map_err(|e| {
            ZippError::InvalidModel {
                path: path.to_path_buf(),
                message: format!("not a readable safetensors file: {e}"),
            }
        })?;
        Ok(Self { map, path })
    }

    /// The tensor `name` as f32.
    pub(crate) fn get(&self, name: &str) -> Result<Tensor> {
        let t = self.map.get(name).ok_or_else(|| ZippError::InvalidModel {
            path: self.path.to_path_buf(),
            message: format!("tensor {name} is missing"),
        })?;
        t.to_dtype(DType::F32).map_err(|e| self.bad(name, e))
    }

    /// The tensor `name` as f32, which must have shape `dims`.
    pub(crate) fn shaped(&self, name: &str, dims: &[usize]) -> Result<Tensor> {
        let t = self.get(name)?;
        if t.dims() != dims {
            return Err(ZippError::InvalidModel {
                path: self.path.to_path_buf(),
                message: format!(
                    "tensor {name} has shape {:?}, the config says {dims:?}",
                    t.dims()
                ),
            });
        }
        Ok(t)
    }

    /// An error about tensor `name` of this file.
    pub(crate) fn bad(&self, name: &str, e: candle_core::Error) -> ZippError {
        ZippError::InvalidModel {
            path: self.path.to_path_buf(),
            message: format!("{name}: {e}"),
        }
    }
}
