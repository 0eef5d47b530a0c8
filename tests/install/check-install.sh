#!/bin/sh
# SPDX-License-Identifier: MIT
# Install check: install the library into a temporary prefix, build the
# example client outside the tree with nothing but
#   pkg-config --cflags --libs libudmaengine
# and run it against the installed library and plugins, with no environment
# variable telling it where the plugins are.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

meson setup "$work/build" "$src" --prefix="$prefix" -Dtests=disabled >"$work/setup.log" 2>&1 ||
  { cat "$work/setup.log"; exit 1; }
ninja -C "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
meson install -C "$work/build" >"$work/install.log" 2>&1 || { cat "$work/install.log"; exit 1; }

pcdir=$(dirname "$(find "$prefix" -name libudmaengine.pc | head -n 1)")
export PKG_CONFIG_PATH=$pcdir
plugindir=$(pkg-config --variable=plugindir libudmaengine)
[ -f "$plugindir/udma-sw-memcpy.so" ] || { echo "plugin not installed in $plugindir"; exit 1; }

mkdir "$work/client"
cp "$src/examples/memcpy-client/memcpy_client.c" "$work/client/"
cd "$work/client"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Wextra -Werror -o client memcpy_client.c \
   $(pkg-config --cflags --libs libudmaengine) \
   -Wl,-rpath,"$(pkg-config --variable=libdir libudmaengine)"
env -u UDMA_PLUGIN_PATH ./client
if [ -x "$prefix/bin/udmatest" ]; then
  LD_LIBRARY_PATH="$(pkg-config --variable=libdir libudmaengine)" env -u UDMA_PLUGIN_PATH \
    "$prefix/bin/udmatest" iterations=200 >/dev/null
fi
echo "install: 1 passed, 0 failed"
