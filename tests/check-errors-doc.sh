#!/bin/sh
# SPDX-License-Identifier: MIT
# doc/errors.md is the bad-input catalogue of tests/test-api-errors.c, printed
# by "test-api-errors --markdown". Usage:
#   check-errors-doc.sh EXE DOC          fail (and show the diff) if they differ
#   check-errors-doc.sh --write EXE DOC  rewrite DOC from EXE
set -eu
if [ "$1" = "--write" ]; then
  "$2" --markdown > "$3.tmp" && mv "$3.tmp" "$3"
  echo "wrote $3"
  exit 0
fi
if ! "$1" --markdown | diff -u "$2" -; then
  echo "doc/errors.md is out of date with tests/test-api-errors.c;" \
       "run: ninja -C <build> errors-doc" >&2
  exit 1
fi
