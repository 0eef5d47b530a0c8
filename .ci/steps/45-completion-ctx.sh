# SPDX-License-Identifier: MIT
# Completion contexts (issue 7, item 1): the epoll example is a meson test
# (above); here its --measure mode prints callback latency and throughput of
# the tasklet, polled and eventfd modes. Reported, not asserted.
step "epoll-client --measure" bash -c 'ninja -C build >/dev/null && UDMA_PLUGIN_PATH=$PWD/build/providers timeout 120 build/examples/epoll-client/epoll-client --measure'
