#!/bin/sh
# SPDX-License-Identifier: MIT
# Every provider plugin given exports exactly one symbol, the loader's entry
# point udma_provider_entry (UDMA_PROVIDER_DEFINE); everything else must be
# hidden (gnu_symbol_visibility 'hidden' / -fvisibility=hidden), so plugins
# cannot clash with each other or with the program.
# usage: check-plugin-exports.sh PLUGIN.so...
set -eu
status=0
for p in "$@"; do
  exports=$(nm -D --defined-only "$p" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | sort -u | tr '\n' ' ')
  if [ "$exports" != "udma_provider_entry " ]; then
    echo "$(basename "$p") exports: $exports(expected only udma_provider_entry)"
    status=1
  fi
done
[ $status -eq 0 ] && echo "plugin exports: $# passed, 0 failed"
exit $status
