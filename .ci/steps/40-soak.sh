# SPDX-License-Identifier: MIT
# The soak test for longer than the suite's 3 s, with strict mapping checks
# on (doc/reliability.md); prints its summary line. The suite itself runs it
# briefly under ASan+UBSan and ThreadSanitizer (10-sanitizers.sh).
step "soak 30 s (strict mapping)" bash -c 'ninja -C build >/dev/null && UDMA_SOAK_SECONDS=30 UDMA_STRICT_MAPPING=1 meson test -C build soak -v 2>&1 | grep -E "^soak:|soak +(OK|FAIL)"; exit ${PIPESTATUS[0]}'
