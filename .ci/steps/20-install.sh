# SPDX-License-Identifier: MIT
# Install into a temporary prefix and build a client against the .pc only.
step "install check" tests/install/check-install.sh
