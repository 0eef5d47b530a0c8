# SPDX-License-Identifier: MIT
# The whole suite under ASan+UBSan, then under ThreadSanitizer (tsan setup:
# suppressions and a longer timeout, see tests/meson.build).
rm -rf build-asan build-tsan
step "asan+ubsan" bash -c 'meson setup build-asan -Db_sanitize=address,undefined >/dev/null && meson test -C build-asan --print-errorlogs 2>&1'
count_tests build-asan
step "tsan" bash -c 'meson setup build-tsan -Db_sanitize=thread >/dev/null && meson test -C build-tsan --setup tsan --print-errorlogs 2>&1'
count_tests build-tsan tsan
