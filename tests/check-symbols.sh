#!/bin/sh
# SPDX-License-Identifier: MIT
# Every dynamic symbol libudmaengine exports must be listed in the version
# script, and must be a kernel dmaengine name or carry the udma_ prefix.
set -eu
lib=$1
map=$2
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | grep -v '^UDMAENGINE' | sort -u)
listed=$(sed -n 's/^[[:space:]]*\([A-Za-z_][A-Za-z0-9_]*\);$/\1/p' "$map" | sort -u)
status=0
for s in $exported; do
  if ! printf '%s\n' "$listed" | grep -qx "$s"; then
    echo "exported but not in $map: $s"; status=1
  fi
  case $s in
    udma_*|dma_*|dmaengine_*|__dma_*|vchan_*|tasklet_*|async_*|__async_*) ;;
    *) echo "exported symbol without a kernel or udma_ name: $s"; status=1 ;;
  esac
done
for s in $listed; do
  if ! printf '%s\n' "$exported" | grep -qx "$s"; then
    echo "listed in $map but not exported: $s"; status=1
  fi
done
n=$(printf '%s\n' "$exported" | wc -l)
if [ $status -eq 0 ]; then echo "symbols: $n exported, all listed: 1 passed, 0 failed"; fi
exit $status
