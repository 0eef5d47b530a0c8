#!/bin/sh
# SPDX-License-Identifier: MIT
# Header hygiene: every public header in INCLUDEDIR/udmaengine/ compiles on
# its own (included twice, to check its guard), as strict ISO C and as C++:
#   C:   -std=c99 and -std=c11, -pedantic -Wall -Wextra -Werror
#   C++: -std=c++11 and -std=c++17, -pedantic -Wall -Wextra -Werror
# Provider headers (provider.h, virt-dma.h) need POSIX.1-2001 for pthread
# spinlocks, which strict ISO C modes hide on glibc; they are compiled with
# -D_POSIX_C_SOURCE=200809L, and the test also checks that without it the
# header stops with its own #error naming the fix (doc/design.md, "ABI").
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

needs_posix() {
  case $1 in provider.h|virt-dma.h) return 0 ;; *) return 1 ;; esac
}

headers=$(cd "$incdir/udmaengine" && ls -- *.h)
[ -n "$headers" ] || { echo "no headers in $incdir/udmaengine"; exit 1; }

for h in $headers; do
  printf '#include <udmaengine/%s>\n#include <udmaengine/%s>\nint udma_header_check_%s;\n' \
    "$h" "$h" "$(echo "$h" | tr -c 'a-zA-Z0-9\n' _)" >"$work/t.c"
  cp "$work/t.c" "$work/t.cc"
  posix=""
  if needs_posix "$h"; then posix="-D_POSIX_C_SOURCE=200809L"; fi
  for std in c99 c11; do
    # shellcheck disable=SC2086
    check "$h as C ($std -pedantic)" $cc -std=$std -pedantic -Wall -Wextra -Werror \
      $posix -I"$incdir" "$@" -fsyntax-only "$work/t.c"
  done
  if [ -n "$cxx" ]; then
    for std in c++11 c++17; do
      # shellcheck disable=SC2086
      check "$h as C++ ($std -pedantic)" $cxx -std=$std -pedantic -Wall -Wextra -Werror \
        -I"$incdir" "$@" -fsyntax-only "$work/t.cc"
    done
  fi
done

# The requirement is enforced, with a message that says what to do.
if printf '#include <stdio.h>\n#ifndef __GLIBC__\n#error not glibc\n#endif\n' |
   $cc -x c -fsyntax-only - >/dev/null 2>&1; then
  printf '#include <udmaengine/provider.h>\n' >"$work/p.c"
  # shellcheck disable=SC2086
  if $cc -std=c99 -pedantic -I"$incdir" "$@" -fsyntax-only "$work/p.c" >"$work/out" 2>&1; then
    fail=$((fail + 1)); echo "FAIL: provider.h compiled under strict c99 without POSIX (expected its #error)"
  elif grep -q 'needs POSIX.1-2001' "$work/out"; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); echo "FAIL: provider.h under strict c99 failed without its own #error:"
    sed 's/^/    /' "$work/out" | head -n 10
  fi
fi

[ -n "$cxx" ] || echo "note: no C++ compiler, C++ checks skipped"
echo "headers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
