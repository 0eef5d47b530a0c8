# SPDX-License-Identifier: MIT
# async_tx (issue 4): the raid6 example on a real file (the library itself,
# about 1 MB), offloaded through the public pool and on the CPU path, with
# its generate/recover MB/s next to plain ISA-L.
# packages: libisal-dev
step "raid6 (offload)" bash -c 'ninja -C build >/dev/null && UDMA_PLUGIN_PATH=$PWD/build/providers build/examples/raid6/raid6 --iterations 3 build/src/libudmaengine.so 2>&1'
step "raid6 (cpu)" bash -c 'UDMA_PLUGIN_PATH=$PWD/build/providers build/examples/raid6/raid6 --cpu --iterations 3 build/src/libudmaengine.so 2>&1'
