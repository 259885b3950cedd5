#!/usr/bin/env python3
"""Export a Hugging Face CLIP checkpoint's towers to ONNX for libzipp's `onnx` feature.

Writes `vision.onnx` (input `pixel_values`, n x 3 x size x size, output `image_embeds`, the
projected features) and `text.onnx` (input `input_ids`, n x len int64, output `text_embeds`)
beside the checkpoint's config and tokenizer, so that the folder loads with
`zipp::clip::onnx::OnnxClip::load`. With no arguments it exports the tiny test checkpoint
(tests/fixtures/clip/tiny-quick) into tests/fixtures/clip/tiny-quick-onnx.

    python3 scripts/clip_onnx_export.py [CHECKPOINT_DIR OUT_DIR]   # needs torch, transformers, onnx
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import torch
from transformers import CLIPModel

ROOT = Path(__file__).resolve().parent.parent


class Vision(torch.nn.Module):
    def __init__(self, model: CLIPModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        pooled = self.model.vision_model(pixel_values=pixel_values).pooler_output
        return self.model.visual_projection(pooled)


class Text(torch.nn.Module):
    def __init__(self, model: CLIPModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        pooled = self.model.text_model(input_ids=input_ids).pooler_output
        return self.model.text_projection(pooled)


def main() -> None:
    src = Path(sys.argv[1]) if len(sys.argv) > 2 else ROOT / "tests/fixtures/clip/tiny-quick"
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "tests/fixtures/clip/tiny-quick-onnx"
    out.mkdir(parents=True, exist_ok=True)
    model = CLIPModel.from_pretrained(src).eval()
    size = model.config.vision_config.image_size
    pixels = torch.zeros(2, 3, size, size)
    ids = torch.tensor([[model.config.text_config.bos_token_id, 320, model.config.text_config.eos_token_id]] * 2)
    common = dict(opset_version=17, dynamo=False, do_constant_folding=True)
    torch.onnx.export(Vision(model), (pixels,), out / "vision.onnx", input_names=["pixel_values"],
                      output_names=["image_embeds"], dynamic_axes={"pixel_values": {0: "n"}, "image_embeds": {0: "n"}},
                      **common)
    torch.onnx.export(Text(model), (ids,), out / "text.onnx", input_names=["input_ids"],
                      output_names=["text_embeds"],
                      dynamic_axes={"input_ids": {0: "n", 1: "len"}, "text_embeds": {0: "n"}}, **common)
    for name in ["config.json", "tokenizer.json", "preprocessor_config.json"]:
        if (src / name).is_file():
            shutil.copy(src / name, out / name)
    print(out, sorted(p.name for p in out.iterdir()))


if __name__ == "__main__":
    main()
