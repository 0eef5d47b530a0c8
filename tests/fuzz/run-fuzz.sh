#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Fuzz one libFuzzer target for a while: run-fuzz.sh BUILD_DIR TARGET SECONDS
# (TARGET: api, provider-options, slave-map, log-level). Starts from a scratch
# copy of the committed corpus (tests/fuzz/corpus/TARGET), so the tree is not
# modified; new inputs stay in BUILD_DIR/fuzz-work/TARGET, crashes in
# BUILD_DIR/fuzz-work/TARGET-crash-*. Prints the executions and exits
# non-zero on any crash, leak, sanitizer report, timeout or failed check.
# Longer runs: run-fuzz.sh build-fuzz api 3600 (add -jobs=N -workers=N via
# FUZZ_ARGS for parallel runs).
set -uo pipefail
build=$1 target=$2 secs=$3
src=$(cd "$(dirname "$0")" && pwd)
exe=$build/tests/fuzz/fuzz-$target
work=$build/fuzz-work/$target
[ -x "$exe" ] || { echo "run-fuzz: $exe not built (meson setup -Dfuzz=enabled, CC=clang)"; exit 1; }
rm -rf "$work" && mkdir -p "$work"
cp "$src/corpus/$target"/* "$work"/ 2>/dev/null || true
log=$build/fuzz-work/$target.log
# shellcheck disable=SC2086
"$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/fuzz-work/$target-" ${FUZZ_ARGS:-} "$work" >"$log" 2>&1
rc=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
echo "fuzz-$target: ${execs:-0} executions in ${secs} s (${rate:-0}/s), corpus $(ls "$work" | wc -l) inputs, exit $rc"
grep -E '^fuzz-api: ' "$log" || true
if [ "$rc" -ne 0 ]; then
  grep -E -m 20 'ERROR|SUMMARY|check failed|Test unit written' "$log"
  echo "fuzz-$target: FAILED; full log $log"
fi
exit "$rc"
