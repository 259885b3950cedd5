#!/usr/bin/env bash
# Prepares the real ComfyUI 0.3.64 that hosts/comfyui/tests/test_comfy_real_host.py runs the node
# pack in: the source from ../shared/hosts (beside the repository) unpacked into the host cache
# folder, and a virtual environment with pinned torch/torchvision/torchaudio and ComfyUI's
# requirements (about 3 GB, downloaded once). Idempotent: a step whose result is already there
# (same pins) is skipped. Prints how long each step took.
#
#   bash scripts/ci_comfyui.sh          # then: python3 -m pytest -q hosts/comfyui
#
# The cache folder is $ZIPP_HOST_CACHE/comfyui, else ~/.cache/zipp-ci/comfyui.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)

VERSION=0.3.64
TARBALL=${ZIPP_COMFYUI_TARBALL:-$REPO/../shared/hosts/ComfyUI-$VERSION.tar.gz}
CACHE=${ZIPP_HOST_CACHE:-$HOME/.cache/zipp-ci}/comfyui
SOURCE=$CACHE/ComfyUI-$VERSION
VENV=$CACHE/venv
# One torch release with the torchvision and torchaudio built for it.
TORCH_PINS=(torch==2.8.0 torchvision==0.23.0 torchaudio==2.8.0)
STAMP=$VENV/.zipp-ready

step() {
    local name=$1 start=$SECONDS
    shift
    "$@"
    echo "ci_comfyui: $name: $((SECONDS - start)) s"
}

unpack() {
    if [ -f "$SOURCE/main.py" ] && [ -f "$SOURCE/.zipp-unpacked" ]; then
        echo "ci_comfyui: ComfyUI $VERSION already at $SOURCE"
        return
    fi
    [ -f "$TARBALL" ] || { echo "ci_comfyui: no $TARBALL" >&2; exit 1; }
    rm -rf "$SOURCE"
    mkdir -p "$CACHE"
    tar xzf "$TARBALL" -C "$CACHE"
    touch "$SOURCE/.zipp-unpacked"
}

wanted() {
    # What the environment must hold: the pins and ComfyUI's requirements file.
    printf '%s\n' "${TORCH_PINS[@]}"
    cat "$SOURCE/requirements.txt"
}

make_venv() {
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(wanted)" ]; then
        echo "ci_comfyui: environment already at $VENV"
        return
    fi
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip wheel
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "${TORCH_PINS[@]}"
    # The requirements with torch held at the pins (a constraints file keeps pip from moving it).
    local constraints=$CACHE/torch-constraints.txt
    printf '%s\n' "${TORCH_PINS[@]}" >"$constraints"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -c "$constraints" \
        -r "$SOURCE/requirements.txt" requests
    "$VENV/bin/python" -c "import torch, torchvision, torchaudio; print('ci_comfyui: torch', \
torch.__version__, 'torchvision', torchvision.__version__, 'torchaudio', torchaudio.__version__)"
    wanted >"$STAMP"
}

test_tools() {
    if python3 -c "import numpy" 2>/dev/null; then
        echo "ci_comfyui: numpy already installed for $(command -v python3)"
        return
    fi
    python3 -m pip install -q --disable-pip-version-check "numpy>=1.25"
}

total=$SECONDS
step "unpack ComfyUI $VERSION" unpack
step "python environment" make_venv
step "numpy for the stand-in host tests" test_tools
echo "ci_comfyui: ready in $((SECONDS - total)) s: $SOURCE with $VENV"
