#!/usr/bin/env bash
# Builds the libzipp wheel for Linux x86-64 that installs without a compiler wherever glibc is
# 2.28 or newer (Ubuntu 20.04, Debian 10, RHEL 8 and later): the library is linked against glibc
# 2.28 with cargo-zigbuild and zig, packaged by bindings/python/setup.py, tagged
# py3-none-manylinux_2_28_x86_64 and checked with auditwheel. The build happens in a temporary
# folder: the source tree gets no build/ or .egg-info.
#
#   scripts/build_wheel.sh [--profile NAME] [--out DIR] [--cpu LEVEL]
#
#   --profile  cargo profile of the library: release (default; what users get, and on two cores
#              also the quicker cold build: 7 min against 12 for dev, whose 256 codegen units per
#              crate cost more work), dev (quicker to rebuild after a change of the crate, being
#              incremental), or any profile of Cargo.toml
#   --out      where the wheel goes (default dist/ in the repository); its path is printed last
#   --cpu      x86-64 level to build for: x86-64, x86-64-v2, x86-64-v3 (default: AVX2, FMA,
#              as .cargo/config.toml; candle's quantized kernels need it for speed) or x86-64-v4.
#              The wheel records it and the binding refuses a CPU below it with an exception.
#
# Needs: cargo and the x86_64-unknown-linux-gnu target, cargo-zigbuild (pip install
# cargo-zigbuild, or cargo install --locked cargo-zigbuild), zig (on PATH, or pip install
# ziglang), and for Python setuptools>=77 and auditwheel (pip install "setuptools>=77" auditwheel).
# CARGO_TARGET_DIR is honoured; the library is in <target>/x86_64-unknown-linux-gnu/<profile>/.
set -euo pipefail

GLIBC=2.28
TARGET=x86_64-unknown-linux-gnu
PLATFORM="manylinux_${GLIBC/./_}_x86_64"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"

profile=release
out="$REPO/dist"
cpu=x86-64-v3

usage() {
    echo "usage: scripts/build_wheel.sh [--profile NAME] [--out DIR] [--cpu x86-64|x86-64-v2|x86-64-v3|x86-64-v4]" >&2
    exit 2
}

fail() {
    echo "build_wheel.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --profile) [ $# -ge 2 ] || usage; profile="$2"; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; out="$2"; shift 2 ;;
        --cpu) [ $# -ge 2 ] || usage; cpu="$2"; shift 2 ;;
        -h|--help) usage ;;
        *) echo "build_wheel.sh: unknown argument $1" >&2; usage ;;
    esac
done
# Cargo puts the dev and test profiles' outputs in debug/, bench's in release/, others' under their name.
case "$profile" in
    dev|test) profile_dir=debug ;;
    release|bench) profile_dir=release ;;
    *[!A-Za-z0-9_-]*|"") fail "--profile must be a cargo profile name, not '$profile'" ;;
    *) profile_dir="$profile" ;;
esac
case "$cpu" in
    x86-64|x86-64-v2|x86-64-v3|x86-64-v4) ;;
    *) fail "--cpu must be x86-64, x86-64-v2, x86-64-v3 or x86-64-v4, not $cpu" ;;
esac

# The tools, each with how to get it.
command -v cargo >/dev/null 2>&1 || fail "cargo not found: install a Rust toolchain (rustup)"
command -v cargo-zigbuild >/dev/null 2>&1 || fail "cargo-zigbuild not found: pip install cargo-zigbuild (or cargo install --locked cargo-zigbuild)"
if ! command -v zig >/dev/null 2>&1 && ! "$PYTHON" -m ziglang version >/dev/null 2>&1; then
    fail "zig not found: pip install ziglang (or put zig on PATH)"
fi
"$PYTHON" -m auditwheel --version >/dev/null 2>&1 || fail "auditwheel not found: pip install auditwheel"
"$PYTHON" - <<'PY' || fail "setuptools 77 or newer is needed: pip install \"setuptools>=77\""
import setuptools
raise SystemExit(int(setuptools.__version__.split(".")[0]) < 77)
PY

# The library, linked against glibc $GLIBC. RUSTFLAGS replaces .cargo/config.toml's flags, so the
# CPU level is set here (the same flags as the config's for the default, so nothing rebuilds).
# Only the library (--lib), and no debug information, which the wheel would not carry (the dev
# profile's would cost a minute of the build): the profile's debug setting is overridden.
target_dir="${CARGO_TARGET_DIR:-$REPO/target}"
profile_var="$(printf '%s' "$profile" | tr 'a-z-' 'A-Z_')"
echo "build_wheel.sh: cargo zigbuild --lib --profile $profile --target $TARGET.$GLIBC (target-cpu=$cpu)" >&2
(cd "$REPO" && env RUSTFLAGS="-C target-cpu=$cpu" CARGO_TARGET_DIR="$target_dir" \
    "CARGO_PROFILE_${profile_var}_DEBUG=false" \
    cargo zigbuild --locked --lib --profile "$profile" --target "$TARGET.$GLIBC")
library="$target_dir/$TARGET/$profile_dir/libzipp.so"
[ -f "$library" ] || fail "the build left no $library"

# The package, from a copy laid out like the repository.
scratch="$(mktemp -d "${TMPDIR:-/tmp}/zipp-wheel.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src/bindings" "$scratch/src/examples" "$scratch/lib" "$scratch/dist"
cp -R "$REPO/bindings/python" "$scratch/src/bindings/python"
rm -rf "$scratch/src/bindings/python/tests" "$scratch/src/bindings/python/build" \
    "$scratch/src/bindings/python/"*.egg-info
find "$scratch/src/bindings/python" -name __pycache__ -prune -exec rm -rf {} +
cp -R "$REPO/examples/personas" "$scratch/src/examples/personas"
cp "$library" "$scratch/lib/libzipp.so"
# Debug information of the Rust standard library and of C dependencies: not for a wheel.
if command -v strip >/dev/null 2>&1; then
    strip --strip-debug "$scratch/lib/libzipp.so"
fi
ZIPP_PREBUILT_LIBRARY="$scratch/lib/libzipp.so" ZIPP_WHEEL_PLATFORM="$PLATFORM" ZIPP_WHEEL_CPU_LEVEL="$cpu" \
    "$PYTHON" -m pip wheel --no-deps --no-build-isolation --disable-pip-version-check -q \
    -w "$scratch/dist" "$scratch/src/bindings/python" >&2
wheels=("$scratch/dist"/libzipp-*-py3-none-"$PLATFORM".whl)
[ -f "${wheels[0]}" ] || fail "pip wheel made no libzipp-*-py3-none-$PLATFORM.whl"
wheel="${wheels[0]}"

# The check: auditwheel must find the wheel consistent with manylinux_2_28 or an older policy.
report="$("$PYTHON" -m auditwheel show "$wheel" 2>&1)" || fail "auditwheel show failed: $report"
echo "$report" >&2
found="$(printf '%s\n' "$report" | tr -s ' \n' ' ' \
    | sed -n 's/.*consistent with the following platform tag: "\(manylinux_[0-9]*_[0-9]*_x86_64\)".*/\1/p')"
[ -n "$found" ] || fail "auditwheel did not find $(basename "$wheel") consistent with any manylinux tag"
minor="${found#manylinux_2_}"
minor="${minor%_x86_64}"
[ "$minor" -le "${GLIBC#2.}" ] 2>/dev/null || fail "auditwheel says $found, newer than $PLATFORM"

mkdir -p "$out"
cp "$wheel" "$out/"
echo "$(cd "$out" && pwd)/$(basename "$wheel")"
