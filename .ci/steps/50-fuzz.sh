# SPDX-License-Identifier: MIT
# packages: clang libclang-rt-14-dev
# libFuzzer targets (tests/fuzz; see tests/fuzz/meson.build): build
# with clang + ASan + UBSan in their own build dir, replay the committed
# corpora (meson test --suite fuzz), then fuzz each target briefly - about
# 55 s in all, one target at a time. Any crash, leak, sanitizer report,
# timeout or failed check fails the step; the executions are printed.
rm -rf build-fuzz
step "fuzz: build, replay corpora" bash -c 'CC=clang meson setup build-fuzz -Dfuzz=enabled -Dtests=disabled -Dexamples=false >/dev/null && ninja -C build-fuzz >/dev/null && meson test -C build-fuzz --suite fuzz --print-errorlogs 2>&1 | grep -E "^ *[0-9]+/|^(Ok|Fail):"; exit ${PIPESTATUS[0]}'
for t in api:30 provider-options:8 slave-map:8 log-level:8; do
  step "fuzz ${t%%:*} (${t##*:} s)" tests/fuzz/run-fuzz.sh build-fuzz "${t%%:*}" "${t##*:}"
done
