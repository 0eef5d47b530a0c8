# SPDX-License-Identifier: MIT
# packages: valgrind
# valgrind memcheck (the 'valgrind' setup of tests/meson.build: memory errors
# and definite/indirect leaks fail, forked and exec'd children included) on
# the plain build of README's test command. Left out: stress (its own
# ASan/TSan runs), steady-state (interposes malloc itself), cyclic (paced
# real-time streams: ~150 s under valgrind; the cyclic-ring plugin is still
# covered by api-errors, lifecycle and the three examples) and semantics
# (test_terminate_async_bound needs a terminate to overtake some of 500 queued
# copies, which valgrind's serialised threads rarely allow: 1 run in 6 fails
# its "the terminate stopped something" precondition). About 2 minutes on 2
# cores.
step "valgrind" bash -c 'meson test -C build --setup valgrind --print-errorlogs registry cookie api-errors lifecycle memcpy sg example-uart example-pcm-playback example-capture 2>&1'
count_tests build valgrind
