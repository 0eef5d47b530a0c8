# SPDX-License-Identifier: MIT
# The main job (udmatest on sw-memcpy) and the benchmark (targets reported,
# not asserted: see doc/performance.md).
step "udmatest" bash -c 'ninja -C build >/dev/null && UDMA_PLUGIN_PATH=$PWD/build/providers build/examples/udmatest/udmatest 2>&1 | tail -n 8; exit ${PIPESTATUS[0]}'
step "udmabench --quick" bash -c 'cd build && UDMA_PLUGIN_PATH=$PWD/providers timeout 300 examples/udmabench/udmabench --quick --png "" 2>&1 | sed -n "/^Targets/,/^malloc/p"; exit ${PIPESTATUS[0]}'
