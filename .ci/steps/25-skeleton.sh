# SPDX-License-Identifier: MIT
# Out-of-tree provider: install into a temporary prefix, compile the installed
# headers alone (C99/C11, C++11/17), build examples/provider-skeleton against
# the installed .pc, load it with UDMA_PLUGIN_PATH and run its client, then
# install it and run the installed udmatest on it.
# packages: g++
step "provider skeleton (out of tree)" tests/install/check-skeleton.sh
