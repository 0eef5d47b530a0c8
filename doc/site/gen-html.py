#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Render the documentation as a small HTML site with pandoc.

usage: gen-html.py PANDOC SRCROOT OUTDIR

Pages: README.md becomes index.html and every doc/*.md (found when this
runs, so new pages need no build change) becomes doc/NAME.html's sibling
NAME.html. Links between pages are rewritten by links.lua; doc/*.png are
copied. OUTDIR is emptied first. Prints one line per page; exits non-zero
when pandoc fails or warns (e.g. a page without a title).
"""
import glob
import os
import shutil
import subprocess
import sys


def title_of(md):
    with open(md, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# "):
                return line[2:].strip()
    return os.path.basename(md)


def main():
    pandoc, srcroot, outdir = sys.argv[1:4]
    here = os.path.dirname(os.path.abspath(__file__))
    if os.path.isdir(outdir):
        shutil.rmtree(outdir)
    os.makedirs(outdir)
    pages = [(os.path.join(srcroot, "README.md"), ".", "index.html")]
    for md in sorted(glob.glob(os.path.join(srcroot, "doc", "*.md"))):
        name = os.path.splitext(os.path.basename(md))[0] + ".html"
        pages.append((md, "doc", name))
    nav = " · ".join('<a href="%s">%s</a>' % (out, "overview" if out == "index.html"
                                             else out[:-5]) for _, _, out in pages)
    header = os.path.join(outdir, ".nav.html")
    with open(header, "w", encoding="utf-8") as f:
        f.write('<nav class="udma-nav">%s</nav>\n' % nav)
    shutil.copy(os.path.join(here, "style.css"), outdir)
    for png in glob.glob(os.path.join(srcroot, "doc", "*.png")):
        shutil.copy(png, outdir)
    status = 0
    for md, srcdir, out in pages:
        cmd = [pandoc, "-f", "gfm", "-t", "html5", "--standalone", "--toc",
               "--toc-depth=2", "--css", "style.css",
               "--include-before-body", header,
               "--lua-filter", os.path.join(here, "links.lua"),
               "--metadata", "pagetitle=" + title_of(md),
               "--metadata", "udma_srcdir=" + srcdir,
               "-o", os.path.join(outdir, out), md]
        res = subprocess.run(cmd, capture_output=True, text=True)
        if res.returncode != 0 or res.stderr.strip():
            sys.stderr.write("%s: pandoc: %s\n" % (md, res.stderr.strip()))
            status = 1
        else:
            print("%s -> %s" % (os.path.relpath(md, srcroot), out))
    os.remove(header)
    return status


if __name__ == "__main__":
    sys.exit(main())
