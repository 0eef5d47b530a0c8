#!/bin/sh
# SPDX-License-Identifier: MIT
# Header hygiene: every public header in INCLUDEDIR/udmaengine/ compiles on
# its own (included twice, to check its guard), as strict ISO C and as C++:
#   C:   -std=c99 and -std=c11, -pedantic -Wall -Wextra -Werror
#   C++: -std=c++11 and -std=c++17, -pedantic -Wall -Wextra -Werror
# No feature macro is given: the provider headers too compile in strict ISO
# modes (spinlock_t is built on __atomic builtins, not pthread spinlocks).
#
# usage: check-headers.sh INCLUDEDIR 'CC [args]' 'CXX [args]' [CFLAGS...]
#   CXX may be "" (no C++ compiler: the C++ half is skipped, not failed).
set -eu
incdir=$1
cc=$2
cxx=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass=0
fail=0
check() { # label, compiler command..., source file
  label=$1; shift
  if "$@" >"$work/out" 2>&1; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $label"
    sed 's/^/    /' "$work/out" | head -n 20
  fi
}

headers=$(cd "$incdir/udmaengine" && ls -- *.h)
[ -n "$headers" ] || { echo "no headers in $incdir/udmaengine"; exit 1; }

for h in $headers; do
  printf '#include <udmaengine/%s>\n#include <udmaengine/%s>\nint udma_header_check_%s;\n' \
    "$h" "$h" "$(echo "$h" | tr -c 'a-zA-Z0-9\n' _)" >"$work/t.c"
  cp "$work/t.c" "$work/t.cc"
  for std in c99 c11; do
    # shellcheck disable=SC2086
    check "$h as C ($std -pedantic)" $cc -std=$std -pedantic -Wall -Wextra -Werror \
      -I"$incdir" "$@" -fsyntax-only "$work/t.c"
  done
  if [ -n "$cxx" ]; then
    for std in c++11 c++17; do
      # shellcheck disable=SC2086
      check "$h as C++ ($std -pedantic)" $cxx -std=$std -pedantic -Wall -Wextra -Werror \
        -I"$incdir" "$@" -fsyntax-only "$work/t.cc"
    done
  fi
done

[ -n "$cxx" ] || echo "note: no C++ compiler, C++ checks skipped"
echo "headers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
