# SPDX-License-Identifier: MIT
# Stats and summary without code changes: an unmodified example run with
# UDMA_DUMP=exit must print the summary (its channel, holder and counters) at
# exit. The signal path (UDMA_DUMP_SIGNAL) is covered by tests/test-stats.c.
step "UDMA_DUMP=exit on udmatest" bash -c 'ninja -C build >/dev/null && out=$(UDMA_DUMP=exit UDMA_PLUGIN_PATH=$PWD/build/providers timeout 60 build/examples/udmatest/udmatest iterations=20 max_channels=1 2>&1) && printf "%s\n" "$out" | sed -n "/^udmaengine summary/,/^end of udmaengine summary/p" | head -n 12 && printf "%s\n" "$out" | grep -q "^end of udmaengine summary" && printf "%s\n" "$out" | grep -Eq "state [a-z]+; submitted [1-9]"'
