#!/usr/bin/env bash
# Installs libzipp for native programs under a prefix:
#   PREFIX/lib/libzipp.so (.dylib)      the shared library
#   PREFIX/include/zipp.h, zipp.hpp     the C header and the C++17 wrappers
#   PREFIX/lib/pkgconfig/zipp.pc        for pkg-config
#   PREFIX/lib/cmake/Zipp/              for CMake's find_package(Zipp) -> Zipp::zipp
#
# Usage: bindings/c/install.sh PREFIX [LIBDIR_OF_BUILT_LIB]
# LIBDIR_OF_BUILT_LIB is the folder holding the built library; default: the repository's
# target/release, else target/debug (run `cargo build --release` first).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 PREFIX [LIBDIR_OF_BUILT_LIB]" >&2
    exit 2
fi

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"

case "$(uname -s)" in
    Darwin) libname="libzipp.dylib" ;;
    MINGW* | MSYS* | CYGWIN*) libname="zipp.dll" ;;
    *) libname="libzipp.so" ;;
esac

if [ $# -eq 2 ]; then
    built="$2"
elif [ -f "$repo/target/release/$libname" ]; then
    built="$repo/target/release"
else
    built="$repo/target/debug"
fi
if [ ! -f "$built/$libname" ]; then
    echo "install.sh: no $libname in $built; build it with 'cargo build --release'" >&2
    exit 1
fi

header="$repo/include/zipp.h"
version="$(sed -n -E 's/^#define ZIPP_VERSION_(MAJOR|MINOR|PATCH) ([0-9]+)$/\2/p' "$header" | paste -sd. -)"
major="${version%%.*}"
minor="${version#*.}"
minor="${minor%%.*}"
case "$version" in
    *.*.*) ;;
    *) echo "install.sh: could not read the version from $header" >&2; exit 1 ;;
esac

if [ "$libname" = "zipp.dll" ]; then
    install -d "$prefix/bin"
    install -m 0755 "$built/$libname" "$prefix/bin/$libname"
    install -d "$prefix/lib"
    if [ -f "$built/zipp.dll.lib" ]; then install -m 0644 "$built/zipp.dll.lib" "$prefix/lib/"; fi
else
    install -d "$prefix/lib"
    install -m 0755 "$built/$libname" "$prefix/lib/$libname"
fi

install -d "$prefix/include" "$prefix/lib/pkgconfig" "$prefix/lib/cmake/Zipp"
install -m 0644 "$header" "$prefix/include/zipp.h"
install -m 0644 "$here/zipp.hpp" "$prefix/include/zipp.hpp"
sed -e "s|@PREFIX@|$prefix|g" -e "s|@VERSION@|$version|g" "$here/zipp.pc.in" > "$prefix/lib/pkgconfig/zipp.pc"
install -m 0644 "$here/cmake/ZippConfig.cmake" "$prefix/lib/cmake/Zipp/ZippConfig.cmake"
sed -e "s|@VERSION@|$version|g" -e "s|@VERSION_MAJOR@|$major|g" -e "s|@VERSION_MINOR@|$minor|g" \
    "$here/cmake/ZippConfigVersion.cmake.in" > "$prefix/lib/cmake/Zipp/ZippConfigVersion.cmake"

echo "libzipp $version installed under $prefix"
