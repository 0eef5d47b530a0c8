# SPDX-License-Identifier: MIT
# Documentation: render README.md and every doc/*.md as an HTML site with
# pandoc (meson option docs), then check every reference: relative links and
# anchors in the Markdown, and every href/src/#id in the generated pages.
# packages: pandoc python3
rm -rf build-docs
step "docs (pandoc site + link check)" bash -c 'meson setup build-docs -Ddocs=enabled -Dtests=disabled -Dexamples=false >/dev/null && ninja -C build-docs doc/html 2>&1 | tail -n 1 && tests/check-doc-links.py . build-docs/doc/html'
