#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Check the documentation's references.

usage: check-doc-links.py SRCROOT [HTMLDIR]

Markdown (README.md and every doc/*.md): every relative link or image must
name a file or folder that exists in the source tree, and an anchor
(file.md#section or #section) must match a heading of that page, with
GitHub's rule for heading ids. Links in fenced code and inline code are
ignored; URLs with a scheme (https:, mailto:) are not fetched.
HTML (when HTMLDIR, the generated site, is given): every relative href/src
must name a file of the site and every #anchor an id in that file.
Prints each broken reference as FILE:LINE: message, then one summary line;
exits 1 when any is broken.
"""
import glob
import html.parser
import os
import re
import sys
import urllib.parse

LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def strip_code(lines):
    """Yield (lineno, text) with fenced blocks dropped and code spans blanked."""
    fence = None
    for n, line in enumerate(lines, 1):
        m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield n, re.sub(r"(`+)(?:(?!\1).)+?\1", "``", line)


def slug(text):
    """GitHub's id for a heading with this text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links -> their text
    text = re.sub(r"<[^>]+>", "", text)                     # inline HTML
    text = text.replace("`", "").replace("*", "")
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


_anchors = {}


def anchors_of(path):
    if path not in _anchors:
        ids, seen = set(), {}
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        fence = None
        for line in lines:
            m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
            if fence:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    fence = None
                continue
            if m:
                fence = m.group(1)
                continue
            ids.update(HTML_ANCHOR.findall(line))
            h = HEADING.match(line)
            if h:
                base = slug(h.group(2))
                k = seen.get(base, 0)
                seen[base] = k + 1
                ids.add(base if k == 0 else "%s-%d" % (base, k))
        _anchors[path] = ids
    return _anchors[path]


def check_markdown(root):
    errors, count = [], 0
    pages = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "doc", "*.md")))
    for page in pages:
        with open(page, encoding="utf-8") as f:
            lines = f.read().split("\n")
        rel = os.path.relpath(page, root)
        for n, line in strip_code(lines):
            targets = LINK.findall(line)
            m = REFDEF.match(line)
            if m:
                targets.append(m.group(1))
            for t in targets:
                count += 1
                if SCHEME.match(t):
                    continue
                path, _, anchor = t.partition("#")
                path = urllib.parse.unquote(path)
                dest = page if not path else os.path.normpath(os.path.join(os.path.dirname(page), path))
                if not os.path.realpath(dest).startswith(os.path.realpath(root) + os.sep):
                    errors.append("%s:%d: %s points outside the source tree" % (rel, n, t))
                elif not os.path.exists(dest):
                    errors.append("%s:%d: %s: no such file" % (rel, n, t))
                elif anchor and dest.endswith(".md") and anchor not in anchors_of(dest):
                    errors.append("%s:%d: %s: no heading with id '%s' in %s"
                                  % (rel, n, t, anchor, os.path.relpath(dest, root)))
    return errors, count


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.refs = set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("id", "name"):
            if a.get(k):
                self.ids.add(a[k])
        for k in ("href", "src"):
            if a.get(k) is not None:
                self.refs.append((self.getpos()[0], a[k]))


def check_html(site):
    pages = {}
    for path in glob.glob(os.path.join(site, "*.html")):
        p = Page()
        with open(path, encoding="utf-8") as f:
            p.feed(f.read())
        pages[os.path.basename(path)] = p
    errors, count = [], 0
    if not pages:
        return ["%s: no HTML pages" % site], 0
    for name, p in sorted(pages.items()):
        for n, ref in p.refs:
            count += 1
            if SCHEME.match(ref):
                continue
            path, _, anchor = ref.partition("#")
            target = path or name
            if not os.path.exists(os.path.join(site, target)):
                errors.append("%s:%d: %s: no such file in the site" % (name, n, ref))
            elif anchor and target in pages and anchor not in pages[target].ids:
                errors.append("%s:%d: %s: no id '%s' in %s" % (name, n, ref, anchor, target))
    return errors, count


def main():
    root = sys.argv[1]
    errors, count = check_markdown(root)
    what = "%d Markdown references" % count
    if len(sys.argv) > 2:
        e, c = check_html(sys.argv[2])
        errors += e
        what += ", %d HTML references" % c
    for e in errors:
        print(e)
    print("doc links: %s checked, %d broken" % (what, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
