#!/bin/sh
# SPDX-License-Identifier: MIT
# Out-of-tree provider check: install the library into a temporary prefix,
# then, with nothing but PKG_CONFIG_PATH pointing there,
#  1. compile every installed header alone (tests/check-headers.sh);
#  2. build examples/provider-skeleton (plugin + client) out of tree with its
#     own meson.build (dependency('libudmaengine') via pkg-config);
#  3. load the plugin with UDMA_PLUGIN_PATH and run the skeleton client on
#     it (copies verified, terminate, work after terminate);
#  4. install the plugin into the library's plugindir and run the installed
#     udmatest on the "skeleton" device with no UDMA_PLUGIN_PATH at all.
# Exits non-zero on the first failure, printing the log of the failed stage.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

run() { # log name, command...
  log=$work/$1.log; shift
  "$@" >"$log" 2>&1 || { echo "failed: $*"; cat "$log"; exit 1; }
}

run setup meson setup "$work/build" "$src" --prefix="$prefix" -Dtests=disabled
run build ninja -C "$work/build"
run install meson install -C "$work/build"

pcdir=$(dirname "$(find "$prefix" -name libudmaengine.pc | head -n 1)")
export PKG_CONFIG_PATH=$pcdir
libdir=$(pkg-config --variable=libdir libudmaengine)
plugindir=$(pkg-config --variable=plugindir libudmaengine)
includedir=$(pkg-config --variable=includedir libudmaengine)

# 1. the installed headers, each alone, C and C++
cxx=$(command -v c++ || command -v g++ || true)
# shellcheck disable=SC2046
"$src/tests/check-headers.sh" "$includedir" "${CC:-cc}" "$cxx" \
  $(pkg-config --cflags-only-I liburcu-bp)

# 2. the skeleton, out of tree: a copy of its folder, nothing else
cp -r "$src/examples/provider-skeleton" "$work/skeleton"
run skel-setup meson setup "$work/skel-build" "$work/skeleton" --prefix="$prefix" \
  -Dc_link_args="-Wl,-rpath,$libdir"
run skel-build ninja -C "$work/skel-build"
plugin=$work/skel-build/udma-skeleton.so
[ -f "$plugin" ] || { echo "plugin not built: $plugin"; exit 1; }
exports=$(nm -D --defined-only "$plugin" | awk '$2 == "T" {print $3}')
[ "$exports" = "udma_provider_entry" ] ||
  { echo "the plugin must export only udma_provider_entry, it exports: $exports"; exit 1; }

# 3. loaded by UDMA_PLUGIN_PATH, driven by the skeleton client
UDMA_PLUGIN_PATH=$plugin "$work/skel-build/skeleton-client"

# 4. installed into the plugindir, found by the installed library on its own
run skel-install meson install -C "$work/skel-build"
[ -f "$plugindir/udma-skeleton.so" ] || { echo "not installed in $plugindir"; exit 1; }
if [ -x "$prefix/bin/udmatest" ]; then
  LD_LIBRARY_PATH=$libdir env -u UDMA_PLUGIN_PATH \
    "$prefix/bin/udmatest" device=skeleton iterations=500 >"$work/udmatest.log" 2>&1 ||
    { cat "$work/udmatest.log"; exit 1; }
  grep -q 'summary' "$work/udmatest.log" || { cat "$work/udmatest.log"; exit 1; }
  tail -n 2 "$work/udmatest.log"
fi
echo "skeleton: 1 passed, 0 failed"
