#!/bin/sh
# SPDX-License-Identifier: MIT
# doc/porting.md shows the diff between the kernel-style client
# examples/porting/kernel/foo_serial_tx.c and its port
# examples/porting/foo_serial_tx.c, up to the port's main() part. This test
# fails when the files and the page disagree; with --update it rewrites the
# page's block (between the "porting-diff" comment markers) instead.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
doc=$root/doc/porting.md
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root/examples/porting"
diff -u --label kernel/foo_serial_tx.c --label foo_serial_tx.c \
  kernel/foo_serial_tx.c foo_serial_tx.c >"$work/full" || true
# the driver part: everything before the port's "board" section
sed '/in place of the platform driver/,$d' "$work/full" >"$work/diff"
[ -s "$work/diff" ] || { echo "empty diff: examples/porting changed shape"; exit 1; }
{ echo '```diff'; cat "$work/diff"; echo '```'; } >"$work/block"

awk '/<!-- porting-diff:begin -->/{f=1; next} /<!-- porting-diff:end -->/{f=0} f' "$doc" >"$work/doc-block"
if [ "${1:-}" = "--update" ]; then
  awk -v block="$work/block" '
    /<!-- porting-diff:begin -->/ { print; while ((getline l < block) > 0) print l; skip=1; next }
    /<!-- porting-diff:end -->/ { skip=0 }
    !skip' "$doc" >"$work/new" && cat "$work/new" >"$doc"
  echo "updated $doc"
  exit 0
fi
if ! cmp -s "$work/block" "$work/doc-block"; then
  echo "doc/porting.md's diff is out of date; run tests/check-porting-diff.sh --update"
  diff -u "$work/doc-block" "$work/block" | head -n 40
  exit 1
fi
echo "porting diff: 1 passed, 0 failed"
